package dev.belay.tool.python;

import dev.belay.runtime.BoundedOutput;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What one cell produced, gathered from its iopub messages (stream, execute_result, display_data, error) into the
 * driver's answer shape, each text bounded at both ends.
 */
final class KernelCell {

    private static final Pattern ANSI = Pattern.compile("\u001B\\[[;\\d]*[A-Za-z]");

    private final BoundedOutput stdout;
    private final BoundedOutput stderr;
    private final List<String> images = new ArrayList<>();
    private final BoundedOutput value;
    private final int keep;
    private int imagesDropped;
    private JsonNode error;
    private Duration interruptedAfter;

    /** @param keep how many bytes of each text to keep at each end */
    KernelCell(int keep) {
        stdout = new BoundedOutput(keep);
        stderr = new BoundedOutput(keep);
        value = new BoundedOutput(keep);
        this.keep = keep;
    }

    /** The last lines the cell has written so far, for progress. */
    String lastLines() {
        return BoundedOutput.lastLines(List.of(stdout, stderr));
    }

    void interrupted(Duration timeout) {
        interruptedAfter = timeout;
    }

    /** Takes a message; true once the kernel is idle again. */
    boolean add(KernelChannel.Received.Message m) {
        JsonNode c = m.content();
        switch (m.type()) {
            case "stream" ->
                append(
                        c.path("name").asString().equals("stderr") ? stderr : stdout,
                        c.path("text").asString(""));
            case "execute_result" -> {
                image(c.path("data"));
                if (c.path("data").has("text/plain")) {
                    append(value, c.path("data").path("text/plain").asString());
                }
            }
            case "display_data" -> {
                if (!image(c.path("data")) && c.path("data").has("text/plain")) {
                    append(stdout, c.path("data").path("text/plain").asString() + "\n");
                }
            }
            case "error" -> error = c;
            case "status" -> {
                return c.path("execution_state").asString().equals("idle");
            }
            default -> {
                // execute_input, clear_output, comm messages: nothing for the answer
            }
        }
        return false;
    }

    private boolean image(JsonNode data) {
        if (!data.has("image/png")) {
            return false;
        }
        String png = data.path("image/png").asString().replaceAll("\\s", "");
        if (images.size() < Interpreter.MAX_IMAGES && png.length() <= Interpreter.MAX_IMAGE_BYTES / 3 * 4 + 4) {
            images.add(png);
        } else {
            imagesDropped++;
        }
        return true;
    }

    /** The text, or its head and tail when it is longer than {@code keep} bytes at each end. */
    private String bounded(String text) {
        BoundedOutput out = new BoundedOutput(keep);
        append(out, text);
        return out.text();
    }

    private static void append(BoundedOutput out, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        out.append(bytes, 0, bytes.length);
    }

    ObjectNode answer(JsonMapper json) {
        if (imagesDropped > 0) {
            append(
                    stderr,
                    "[" + imagesDropped + " image(s) not returned: at most " + Interpreter.MAX_IMAGES
                            + " per cell, each at most " + (Interpreter.MAX_IMAGE_BYTES >> 20) + " MiB]\n");
        }
        ObjectNode answer = json.createObjectNode().put("stdout", stdout.text()).put("stderr", stderr.text());
        if (value.total() > 0) {
            answer.put("value", value.text());
        }
        ArrayNode png = answer.putArray("images");
        images.forEach(png::add);
        if (error != null) {
            List<String> lines = new ArrayList<>();
            error.path("traceback")
                    .forEach(line -> lines.add(ANSI.matcher(line.asString()).replaceAll("")));
            String traceback = String.join(
                            "\n", lines.stream().filter(l -> !l.matches("-+")).toList()) + "\n";
            boolean timedOut =
                    interruptedAfter != null && error.path("ename").asString().equals("KeyboardInterrupt");
            answer.putObject("error")
                    .put(
                            "type",
                            timedOut ? "Timeout" : bounded(error.path("ename").asString()))
                    .put(
                            "message",
                            timedOut
                                    ? "the cell ran past its timeout of " + interruptedAfter.toMillis() / 1000.0
                                            + " s and was interrupted"
                                    : bounded(error.path("evalue").asString()))
                    .put("traceback", bounded(traceback));
        }
        return answer;
    }
}
