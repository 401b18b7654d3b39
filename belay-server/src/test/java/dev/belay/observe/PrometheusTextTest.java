package dev.belay.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The reader the metrics tests rely on refuses what a Prometheus scraper would. */
class PrometheusTextTest {

    @Test
    void readsSamplesOfDeclaredFamiliesWithEscapedLabels() {
        String text = """
                # HELP calls_seconds Calls
                # TYPE calls_seconds histogram
                calls_seconds_bucket{tool="a\\"b",le="+Inf"} 3.0
                calls_seconds_count{tool="a\\"b"} 3
                # TYPE up gauge
                up 1.0 1700000000000
                """;

        assertThat(PrometheusText.parse(text))
                .containsExactly(
                        new PrometheusText.Sample("calls_seconds_bucket", Map.of("tool", "a\"b", "le", "+Inf"), 3),
                        new PrometheusText.Sample("calls_seconds_count", Map.of("tool", "a\"b"), 3),
                        new PrometheusText.Sample("up", Map.of(), 1));
    }

    @Test
    void refusesWhatAScraperWould() {
        for (String bad : new String[] {
            "up 1\n", // no TYPE
            "# TYPE up gauge\nup{a=\"1\"} 1\nup{a=\"1\"} 2\n", // a series twice
            "# TYPE up gauge\nup{a=1} 1\n", // unquoted
            "# TYPE up gauge\nup{a=\"1\\x\"} 1\n", // bad escape
            "# TYPE up gauge\nup one\n", // not a number
            "# TYPE up gauge\nup{a=\"1\"\n", // cut off
            "# TYPE up gauge\nup 1", // no final line break
        }) {
            assertThatThrownBy(() -> PrometheusText.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
