package dev.belay.chat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A chat conversation: its id is also the session its tool calls carry, so the journal's commits name it.
 *
 * @param messages in order; the loop appends to it as a turn goes on
 */
public record Conversation(String id, String title, Instant created, List<ChatMessage> messages) {

    public Conversation {
        messages = new ArrayList<>(messages);
    }

    public Conversation withTitle(String newTitle) {
        return new Conversation(id, newTitle, created, messages);
    }
}
