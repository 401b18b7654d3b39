package dev.belay.chat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A chat conversation, immutable: its {@link ConversationStore} is its one writer, so that a rename, a delete and a
 * running turn's messages never overwrite one another. Its id is also the session its tool calls carry, so the
 * journal's commits name it.
 *
 * @param messages in order
 */
public record Conversation(String id, String title, Instant created, List<ChatMessage> messages) {

    public Conversation {
        messages = List.copyOf(messages);
    }

    public Conversation withTitle(String newTitle) {
        return new Conversation(id, newTitle, created, messages);
    }

    /** This conversation with one more message at the end. */
    public Conversation with(ChatMessage message) {
        List<ChatMessage> more = new ArrayList<>(messages);
        more.add(message);
        return new Conversation(id, title, created, more);
    }
}
