package dev.belay.cli;

import dev.belay.door.export.SchemaExport;
import dev.belay.engine.Engine;
import dev.belay.fs.Trees;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

@Command(
        name = "tools",
        mixinStandardHelpOptions = true,
        description = "Print the tool catalog as JSON: an MCP tools list, or OpenAI / Anthropic tool definitions.")
final class ToolsCommand implements Callable<Integer> {

    enum Format {
        mcp,
        openai,
        anthropic
    }

    @Option(
            names = {"-f", "--format"},
            defaultValue = "mcp",
            description = "One of ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.")
    Format format;

    @Mixin
    EngineOptions options;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        // The catalog needs an engine; a throw-away workspace keeps this command from touching any real one.
        Path scratch = Files.createTempDirectory("belay-tools");
        options.runtime.workspace = scratch;
        try (Engine engine = options.open()) {
            JsonMapper json = JsonMapper.builder()
                    .enable(SerializationFeature.INDENT_OUTPUT)
                    .build();
            SchemaExport export = SchemaExport.valueOf(format.name().toUpperCase(Locale.ROOT));
            spec.commandLine()
                    .getOut()
                    .println(json.writeValueAsString(
                            export.export(engine.caller().tools())));
        } finally {
            Trees.delete(scratch);
        }
        return 0;
    }
}
