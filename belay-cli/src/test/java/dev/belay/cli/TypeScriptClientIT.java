package dev.belay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official MCP TypeScript SDK client (it/node/client-check.mjs) calls every tool of the real {@code ./belay},
 * over stdio and over Streamable HTTP; the journal's git log then shows what it did.
 */
class TypeScriptClientIT {

    @TempDir
    Path workspace;

    @TempDir
    Path home;

    @Test
    void stdio() throws Exception {
        run(List.of("stdio", BelayProcess.repoRoot().resolve("belay").toString(), workspace.toString()), home);
        assertJournal();
    }

    @Test
    void streamableHttp() throws Exception {
        try (BelayProcess belay = BelayProcess.serve(workspace, home, "--approve", "auto")) {
            run(List.of("http", belay.url(), belay.token()), home);
        }
        assertJournal();
    }

    private static void run(List<String> args, Path home) throws Exception {
        Path log = Files.createTempFile("client-check", ".log");
        List<String> command = new ArrayList<>(List.of(
                NodeTools.node().toString(),
                NodeTools.script("client-check.mjs").toString()));
        command.addAll(args);
        Process node = BelayProcess.withHome(new ProcessBuilder(command), home)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        assertThat(node.waitFor(5, TimeUnit.MINUTES)).isTrue();
        String output = Files.readString(log);
        assertThat(node.exitValue()).as(output).isZero();
        assertThat(output).contains("\"failures\": []").contains("\"called\": 20");
    }

    private void assertJournal() throws Exception {
        String log = BelayProcess.journalLog(home, workspace, "--format=%s%n%b");
        for (String tool :
                List.of("write_file", "edit_file", "apply_patch", "move_path", "delete_path", "run_command", "undo")) {
            assertThat(log).as("a commit by " + tool).contains("Belay-Tool: " + tool);
        }
        assertThat(log).contains("Belay-Session: ");
    }
}
