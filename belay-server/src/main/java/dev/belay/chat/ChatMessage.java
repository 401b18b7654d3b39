package dev.belay.chat;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;
import java.util.Objects;

/** One entry of a conversation as Belay keeps it: what the user said, what the model answered, what a tool returned. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "role")
@JsonSubTypes({
    @JsonSubTypes.Type(value = ChatMessage.User.class, name = "user"),
    @JsonSubTypes.Type(value = ChatMessage.Assistant.class, name = "assistant"),
    @JsonSubTypes.Type(value = ChatMessage.ToolOutput.class, name = "tool")
})
public sealed interface ChatMessage {

    record User(String text) implements ChatMessage {
        public User {
            Objects.requireNonNull(text, "text");
        }
    }

    /** The model's turn: its text and the tools it asked for. */
    record Assistant(String text, List<ToolRequest> calls) implements ChatMessage {
        public Assistant {
            text = text == null ? "" : text;
            calls = calls == null ? List.of() : List.copyOf(calls);
        }
    }

    /** A tool's result as the model gets it back (already cut to the budget). */
    record ToolOutput(String callId, String tool, String text, boolean error) implements ChatMessage {}

    /**
     * A tool call the model asked for.
     *
     * @param arguments the arguments as the model wrote them (JSON text)
     */
    record ToolRequest(String id, String tool, String arguments) {}
}
