package dev.belay.agent;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.belay.protocol.AgentProtocol;
import dev.belay.tool.CallContext;
import dev.belay.tool.Catalog;
import dev.belay.tool.Failure;
import dev.belay.tool.Json;
import dev.belay.tool.Tool;
import dev.belay.tool.ToolAnnotations;
import dev.belay.tool.ToolCall;
import dev.belay.tool.ToolResult;
import dev.belay.tool.ToolSpec;
import dev.belay.tool.ToolWire;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The agent stays small, its owner's controls hold, and its wire format round-trips. */
class AgentModuleTest {

    private record Ran(String ran) {}

    private static Tool tool(String name, boolean readOnly) {
        ToolSpec spec = new ToolSpec(
                name,
                name,
                "test tool",
                Json.object().put("type", "object"),
                null,
                new ToolAnnotations(readOnly, false, true, false));
        return new Tool(spec, call -> ToolResult.ok(name + " ran", new Ran(name)));
    }

    private final Catalog catalog =
            new Catalog(List.of(tool("look", true), tool("change", false), tool("other", true)));

    private ToolResult call(AgentControls controls, String name) {
        return controls.call(new ToolCall(name, Json.object(), CallContext.of("agent", "c")));
    }

    @Test
    void theAgentNeedsNoServerLibraries() {
        noClasses()
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "io.javalin..",
                        "io.modelcontextprotocol..",
                        "org.eclipse.jetty..",
                        "dev.belay.door..",
                        "dev.belay.hub..")
                .check(new ClassFileImporter()
                        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                        .importPackages("dev.belay.agent"));
    }

    @Test
    void readOnlyAndTheAllowListRefuseWithTheReason() {
        AgentControls readOnly = new AgentControls(catalog, Optional.empty(), true);
        assertThat(readOnly.tools()).extracting(ToolSpec::name).containsExactly("look", "other");
        ToolResult refused = call(readOnly, "change");
        assertThat(refused.failure()).isEqualTo(Failure.DENIED);
        assertThat(refused.text()).contains("Refused by the agent's owner").contains("read-only");
        assertThat(call(readOnly, "look").isError()).isFalse();

        AgentControls listed = new AgentControls(catalog, Optional.of(Set.of("look", "change")), false);
        assertThat(call(listed, "other").text()).contains("not on this agent's allow-list");
        assertThat(call(listed, "change").text()).isEqualTo("change ran");
    }

    @Test
    void withoutATerminalAnAgentThatWouldAskRefusesToStart() {
        List<ToolSpec> tools = catalog.tools();
        assertThatThrownBy(() -> AgentStart.requireAnswerableApprovals("ask", false, Optional.empty(), tools))
                .hasMessageContaining("--approve auto")
                .hasMessageContaining("--approve delay:SECONDS")
                .hasMessageContaining("--allow-tools")
                .hasMessageContaining("--read-only");
        assertThatThrownBy(() -> AgentStart.requireAnswerableApprovals("ask-all", true, Optional.empty(), tools))
                .as("ask-all asks for read-only tools too")
                .hasMessageContaining("--approve ask-all");
        assertThatCode(() -> AgentStart.requireAnswerableApprovals("ask", true, Optional.empty(), tools))
                .as("read-only: nothing asks")
                .doesNotThrowAnyException();
        assertThatCode(() -> AgentStart.requireAnswerableApprovals("ask", false, Optional.of(Set.of("look")), tools))
                .as("only read-only tools allowed")
                .doesNotThrowAnyException();
        assertThatCode(() -> AgentStart.requireAnswerableApprovals("delay:5", false, Optional.empty(), tools))
                .doesNotThrowAnyException();
        assertThatCode(() -> AgentStart.requireAnswerableApprovals("auto", false, Optional.empty(), tools))
                .doesNotThrowAnyException();
    }

    @Test
    void specsAndResultsSurviveTheWire() {
        ToolSpec spec = catalog.tools().get(1);
        assertThat(ToolWire.spec(ToolWire.spec(spec))).isEqualTo(spec);
        ToolResult failed = ToolResult.error(Failure.NOT_FOUND, "no such file");
        ToolResult back = ToolWire.result(ToolWire.result(failed));
        assertThat(back.failure()).isEqualTo(Failure.NOT_FOUND);
        assertThat(back.text()).isEqualTo("no such file");
        AgentProtocol.Hello hello =
                new AgentProtocol.Hello("1", "a1", "laptop", "host", "Linux", "sandbox", catalog.tools());
        assertThat(AgentProtocol.Hello.fromJson(hello.toJson())).isEqualTo(hello);
    }
}
