package dev.belay.journal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A unified diff as far as it was produced.
 *
 * @param text the diff, or its first bytes up to the limit
 * @param truncated whether the diff went on past the limit
 */
public record Diff(String text, boolean truncated) {

    /** Takes what a diff formatter writes until the limit, then stops the formatter by failing its next write. */
    static final class Output extends OutputStream {

        /** Thrown into the formatter once the limit is reached. */
        static final class Full extends IOException {
            Full() {
                super("diff limit reached");
            }
        }

        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final int limit;
        private boolean full;

        Output(int limit) {
            if (limit <= 0) {
                throw new IllegalArgumentException("the diff limit must be positive");
            }
            this.limit = limit;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            int room = limit - bytes.size();
            if (len > room) {
                bytes.write(b, off, Math.max(0, room));
                full = true;
                throw new Full();
            }
            bytes.write(b, off, len);
        }

        Diff diff() {
            return new Diff(bytes.toString(StandardCharsets.UTF_8), full);
        }
    }
}
