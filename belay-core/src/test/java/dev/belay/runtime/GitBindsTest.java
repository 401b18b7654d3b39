package dev.belay.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GitBindsTest {

    @TempDir
    Path ws;

    @Test
    void hooksAndConfigStayReadOnlyOrTheWholeGitDirectoryDoes() throws Exception {
        assertThat(GitBinds.readOnly(ws))
                .as("no repository: nothing to bind (and no .git made)")
                .isEmpty();
        Files.createDirectories(ws.resolve(".git/hooks"));
        assertThat(GitBinds.readOnly(ws))
                .as("config missing: it could be created")
                .containsExactly(".git");
        Files.writeString(ws.resolve(".git/config"), "[core]\n");
        assertThat(GitBinds.readOnly(ws)).containsExactly(".git/hooks", ".git/config");
    }

    @Test
    void aWorktreesGitFileIsReadOnly() throws Exception {
        Files.writeString(ws.resolve(".git"), "gitdir: /elsewhere/.git/worktrees/w\n");
        assertThat(GitBinds.readOnly(ws)).containsExactly(".git");
    }
}
