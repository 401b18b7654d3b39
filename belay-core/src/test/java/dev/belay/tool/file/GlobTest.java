package dev.belay.tool.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.belay.tool.ToolException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class GlobTest {

    private static final List<String> GLOBS = List.of(
            "*.java",
            "**/*.java",
            "src/**",
            "src/*/A.java",
            "?.txt",
            "[abc].txt",
            "[!abc].txt",
            "[a-c]*",
            "{a,b}.md",
            "*.{ts,tsx}",
            "a\\*b",
            "é*",
            "*",
            "**",
            "x+y(1).txt",
            "src/**/test/*.{java,kt}");
    private static final List<String> PATHS = List.of(
            "A.java",
            "src/A.java",
            "src/main/A.java",
            "a.txt",
            "d.txt",
            "/.txt",
            "b.md",
            "c.md",
            "x.ts",
            "x.tsx",
            "a*b",
            "axb",
            "été",
            "src",
            "x+y(1).txt",
            "src/a/test/B.kt",
            "src/test/B.java",
            "abc",
            "d");

    @Test
    void matchesLikeTheJdksGlobs() {
        for (String glob : GLOBS) {
            var jdk = FileSystems.getDefault().getPathMatcher("glob:" + glob);
            Glob ours = Glob.of(glob);
            for (String path : PATHS) {
                assertThat(ours.matches(Path.of(path))).as(glob + " vs " + path).isEqualTo(jdk.matches(Path.of(path)));
            }
        }
    }

    @Test
    void aGlobMadeToBacktrackMatchesInLinearTime() {
        Glob glob = Glob.of("*a*a*a*a*a*a*a*a*a*a*a*a*b");
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            assertThat(glob.matches(Path.of("a".repeat(4000)))).isFalse();
        });
    }

    @Test
    void badGlobsAreClearErrors() {
        for (String bad : List.of("{a,{b}}", "[abc", "a\\", "{a,b")) {
            assertThatThrownBy(() -> Glob.of(bad))
                    .as(bad)
                    .isInstanceOf(ToolException.class)
                    .hasMessageContaining("not a valid glob");
        }
    }
}
