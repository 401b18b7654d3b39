package dev.belay.tool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.belay.fs.PathException;
import dev.belay.journal.JournalRefusedException;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

class CatalogTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** What the tool below declares it returns. */
    private record Count(int count) {}

    /** The same field with another type: a tool that strays from its output schema. */
    private record Stray(String count) {}

    private static Tool tool(String name, ToolHandler handler) {
        return new Tool(ToolSpecs.parse((ObjectNode) JSON.readTree("""
                {"name": "%s", "title": "T", "description": "A test tool.",
                 "inputSchema": {"type": "object"},
                 "outputSchema": {"type": "object", "properties": {"count": {"type": "integer"}},
                   "required": ["count"]}}""".formatted(name))), handler);
    }

    private static ToolResult call(Catalog catalog, String name) {
        return catalog.call(new ToolCall(name, JSON.createObjectNode(), CallContext.of("test", "s")));
    }

    @Test
    void aResultThatStraysFromItsOutputSchemaFailsWhereAssertionsAreOn() {
        Catalog catalog = new Catalog(List.of(
                tool("keeps", call -> ToolResult.ok("3", new Count(3))),
                tool("strays", call -> ToolResult.ok("three", new Stray("three")))));

        assertThat(call(catalog, "keeps").structured().get("count").asInt()).isEqualTo(3);
        assertThatThrownBy(() -> call(catalog, "strays"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("strays's result does not match its output schema")
                .hasMessageContaining("count");
    }

    @Test
    void refusalsOfThePathGuardAndTheJournalBecomeErrorResultsOfTheirKind() {
        Catalog catalog = new Catalog(List.of(
                tool("outside", call -> {
                    throw new PathException(PathException.Kind.DENIED, "'../x' is outside the workspace.");
                }),
                tool("nocommit", call -> {
                    throw JournalRefusedException.notFound("No commit 'x'.");
                })));

        ToolResult outside = call(catalog, "outside");
        assertThat(outside.failure()).isEqualTo(Failure.DENIED);
        assertThat(outside.text()).isEqualTo("'../x' is outside the workspace.");
        ToolResult missing = call(catalog, "nocommit");
        assertThat(missing.failure()).isEqualTo(Failure.NOT_FOUND);
        assertThat(missing.text()).isEqualTo("No commit 'x'.");
    }

    @Test
    void aResultCannotBeChangedByWhoeverReadsIt() {
        ToolResult result = ToolResult.ok("3", new Count(3));

        result.structured().put("count", 4);

        assertThat(result.structured().get("count").asInt()).isEqualTo(3);
    }
}
