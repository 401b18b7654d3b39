package dev.belay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The README's tool table is the catalog: same tools, same order, same titles. */
class ReadmeTest {

    private static final Pattern ROW = Pattern.compile("^\\| `([a-z_]+)` \\| ([^|]+) \\|", Pattern.MULTILINE);

    @Test
    void theToolTableMatchesTheCatalog() throws Exception {
        CommandLine cli = Main.commandLine();
        StringWriter out = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.execute("tools", "--format", "mcp");
        List<String> catalog = new ArrayList<>();
        for (JsonNode tool :
                JsonMapper.builder().build().readTree(out.toString()).get("tools")) {
            catalog.add(tool.get("name").asString() + " | " + tool.get("title").asString());
        }
        String readme = Files.readString(BelayProcess.repoRoot().resolve("README.md"));
        List<String> table = new ArrayList<>();
        Matcher m = ROW.matcher(readme);
        while (m.find()) {
            table.add(m.group(1) + " | " + m.group(2).strip());
        }
        assertThat(table)
                .as("README.md tool table (regenerate it from ./belay tools)")
                .containsExactlyElementsOf(catalog);
    }
}
