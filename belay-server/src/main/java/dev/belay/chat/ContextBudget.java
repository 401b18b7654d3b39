package dev.belay.chat;

import java.util.ArrayList;
import java.util.List;

/**
 * How much of a conversation goes back to the model: one tool result at most {@code toolOutputChars} (its head and
 * tail), and the whole at most {@code contextChars}, beyond which the oldest tool outputs are shortened first.
 *
 * @param toolOutputChars the most of one tool result that goes back to the model
 * @param contextChars the conversation's size beyond which old tool outputs are shortened (about 4 per token)
 */
record ContextBudget(int toolOutputChars, int contextChars) {

    private static final int SHORTENED = 300;

    /** One tool result as the model gets it: the head and tail of a long one, with how to get the rest. */
    String toolOutput(String text) {
        int max = toolOutputChars;
        if (text.length() <= max) {
            return text;
        }
        int half = max / 2;
        return text.substring(0, half) + "\n[… " + (text.length() - max) + " characters cut here to save context; "
                + "ask for less (read_file with offset and limit, job_output with an offset, search_files) to see "
                + "them …]\n" + text.substring(text.length() - half);
    }

    /** Shortens tool outputs, oldest first, until the conversation fits the context budget. */
    List<ChatMessage> fitted(List<ChatMessage> messages) {
        List<ChatMessage> out = new ArrayList<>(messages);
        long size = out.stream().mapToLong(ContextBudget::size).sum();
        for (int i = 0; i < out.size() && size > contextChars; i++) {
            if (out.get(i) instanceof ChatMessage.ToolOutput t && t.text().length() > SHORTENED) {
                String shortened = t.text().substring(0, SHORTENED) + "\n[… shortened to fit the context window; "
                        + "call the tool again if you need this output …]";
                size -= t.text().length() - shortened.length();
                out.set(i, new ChatMessage.ToolOutput(t.callId(), t.tool(), shortened, t.error()));
            }
        }
        return out;
    }

    private static long size(ChatMessage message) {
        return switch (message) {
            case ChatMessage.User u -> u.text().length();
            case ChatMessage.Assistant a ->
                a.text().length()
                        + a.calls().stream()
                                .mapToLong(c -> c.arguments() == null
                                        ? 0
                                        : c.arguments().length())
                                .sum();
            case ChatMessage.ToolOutput t -> t.text().length();
        };
    }
}
