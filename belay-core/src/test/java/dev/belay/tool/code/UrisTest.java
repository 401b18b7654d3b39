package dev.belay.tool.code;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * What a language server names is only a workspace file when it lies under the path the server's runtime sees the
 * workspace at: no way around it by dot segments, a sibling with the same prefix or another scheme.
 */
class UrisTest {

    private final Uris container = new Uris(Path.of("/workspace"));

    @Test
    void filesAreNamedWhereTheRuntimeSeesThemAndReadBack() {
        assertThat(container.root()).isEqualTo("file:///workspace");
        assertThat(container.of("pkg/a b.py")).isEqualTo("file:///workspace/pkg/a%20b.py");
        assertThat(container.file(container.of("pkg/a b.py"))).contains("pkg/a b.py");
        assertThat(container.file("file:///workspace/pkg/../main.py")).contains("main.py");
    }

    @Test
    void whatLiesOutsideIsNoWorkspaceFile() {
        assertThat(container.file("file:///workspace/../etc/passwd")).isEmpty();
        assertThat(container.file("file:///workspace-other/a.py")).isEmpty();
        assertThat(container.file("file:///usr/lib/python3.11/os.py")).isEmpty();
        assertThat(container.file("untitled:Untitled-1")).isEmpty();
        assertThat(container.file("not a uri")).isEmpty();
        assertThat(Uris.path("file:///workspace/../etc/passwd")).contains(Path.of("/etc/passwd"));
    }
}
