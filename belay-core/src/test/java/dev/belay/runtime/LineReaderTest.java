package dev.belay.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Lines from another program's stream, never more than the limit in memory. */
class LineReaderTest {

    @Test
    void linesWithAndWithoutTheLastNewline() throws IOException {
        LineReader lines =
                new LineReader(new ByteArrayInputStream("one\n\nthrée\nlast".getBytes(StandardCharsets.UTF_8)), 16);
        assertThat(lines.readLine()).isEqualTo("one");
        assertThat(lines.readLine()).isEmpty();
        assertThat(lines.pending()).isTrue();
        assertThat(lines.readLine()).isEqualTo("thrée");
        assertThat(lines.readLine()).isEqualTo("last");
        assertThat(lines.readLine()).isNull();
        assertThat(lines.pending()).isFalse();
    }

    @Test
    void anEndlessLineIsRefusedAtTheLimitWithoutBeingHeld() {
        // two gigabytes without a newline, produced on the fly: only the limit is ever held
        InputStream endless = new InputStream() {
            private long left = 2L << 30;

            @Override
            public int read() {
                return left-- > 0 ? 'x' : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (left <= 0) {
                    return -1;
                }
                int n = (int) Math.min(len, left);
                Arrays.fill(b, off, off + n, (byte) 'x');
                left -= n;
                return n;
            }
        };
        LineReader lines = new LineReader(endless, 1 << 20);
        assertThatThrownBy(lines::readLine)
                .isInstanceOf(LineReader.TooLongException.class)
                .hasMessageContaining(String.valueOf(1 << 20));
    }
}
