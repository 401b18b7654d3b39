package dev.belay.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The text protocol for models without native tool calling (RunGPT's action tags): a call is
 * {@code <tool name="NAME">{json arguments}</tool>} in the model's text. Fed the stream chunk by chunk, wherever the
 * chunks split the tags, it finds every complete call outside Markdown code fences: a tag shown inside a fence is an
 * example, not a call.
 */
final class TagParser {

    static final String FORMAT = "<tool name=\"TOOL_NAME\">{\"argument\": \"value\"}</tool>";
    private static final Pattern OPEN = Pattern.compile("<tool\\s+name=\"([a-zA-Z][a-zA-Z0-9_-]{0,63})\"\\s*>");
    private static final String CLOSE = "</tool>";
    private static final String FENCE = "```";

    /** A complete call found in the text. */
    record Call(String tool, String arguments) {}

    private final StringBuilder pending = new StringBuilder();
    private final List<Call> calls = new ArrayList<>();
    private boolean inFence;

    /** Takes the next chunk of the stream. */
    void feed(String chunk) {
        pending.append(chunk);
        scan();
    }

    /** Every call found so far, in order. */
    List<Call> calls() {
        return List.copyOf(calls);
    }

    /**
     * Consumes what is certain: text before anything that may still become a fence or a tag stays pending until the
     * next chunk decides it.
     */
    private void scan() {
        while (true) {
            int fence = pending.indexOf(FENCE);
            if (inFence) {
                if (fence < 0) {
                    keepTail(FENCE.length() - 1);
                    return;
                }
                inFence = false;
                pending.delete(0, fence + FENCE.length());
                continue;
            }
            int open = pending.indexOf("<tool");
            if (fence >= 0 && (open < 0 || fence < open)) {
                inFence = true;
                pending.delete(0, fence + FENCE.length());
                continue;
            }
            if (open < 0) {
                keepTail(Math.max(FENCE.length(), "<tool".length()) - 1);
                return;
            }
            int close = pending.indexOf(CLOSE, open);
            if (close < 0) {
                pending.delete(0, open);
                return;
            }
            Matcher m = OPEN.matcher(pending);
            if (m.find(open) && m.start() == open && m.end() <= close) {
                calls.add(new Call(m.group(1), pending.substring(m.end(), close).strip()));
            }
            pending.delete(0, close + CLOSE.length());
        }
    }

    /** Drops settled text, keeping the last few characters that could begin a fence or a tag. */
    private void keepTail(int keep) {
        if (pending.length() > keep) {
            pending.delete(0, pending.length() - keep);
        }
    }
}
