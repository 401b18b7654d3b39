package dev.belay.tool.python;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;
import tools.jackson.databind.node.ObjectNode;

/**
 * One persistent interpreter behind a python session: Belay's own driver, or a Jupyter kernel. Both answer a cell
 * with the same JSON shape ({@code stdout}, {@code stderr}, {@code value}, {@code images} as base64 PNG, and
 * {@code error} with {@code type}, {@code message}, {@code traceback}), so the tool's results do not depend on the
 * backend.
 */
interface Interpreter extends AutoCloseable {

    /** How long a cell that ignores the interrupt may keep going before its interpreter is killed. */
    Duration GRACE = Duration.ofSeconds(3);

    /** Images one cell may return; more are dropped with a note on stderr. */
    int MAX_IMAGES = 8;

    /** The largest image (PNG bytes) a cell may return; larger ones are dropped with a note on stderr. */
    int MAX_IMAGE_BYTES = 2 << 20;

    /**
     * What a cell produced; {@code answer} is null when the interpreter was lost, and {@code lost} then says how.
     *
     * @param processErrors what the interpreter process itself wrote to stderr during the cell
     */
    record Outcome(ObjectNode answer, String processErrors, String lost) {}

    /**
     * Runs one cell; after {@code timeout} it is interrupted (the session survives), and if it does not stop within
     * {@link #GRACE} the interpreter is killed and the next cell starts a fresh one.
     *
     * @param output told, while the cell runs, the last lines it has written so far
     */
    Outcome execute(String code, Duration timeout, Consumer<String> output) throws IOException;

    Instant lastUsed();

    @Override
    void close();
}
