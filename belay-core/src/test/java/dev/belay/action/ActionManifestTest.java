package dev.belay.action;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

class ActionManifestTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path dir;

    private static ActionManifest parse(String json) {
        return ActionManifest.parse(JSON.readTree(json));
    }

    @Test
    void aCompleteManifestBecomesANamespacedTool() {
        ActionManifest m = parse("""
                {"name": "speak", "title": "Speak", "description": "Reads text aloud.",
                 "inputSchema": {"type": "object", "properties": {"text": {"type": "string"}}},
                 "outputSchema": {"type": "object", "properties": {"path": {"type": "string"}}},
                 "annotations": {"readOnlyHint": false, "destructiveHint": false, "idempotentHint": true},
                 "run": ["python3", "./speak.py"], "setup": {"packages": ["espeak-ng"]}, "timeout": 5.5,
                 "requires": {"commands": ["espeak-ng"], "runtimes": ["local", "sandbox"]}}""");
        assertThat(m.spec().name()).isEqualTo("action__speak");
        assertThat(m.name()).isEqualTo("speak");
        assertThat(m.spec().annotations().idempotent()).isTrue();
        assertThat(m.spec().outputSchema()).isNotNull();
        assertThat(m.timeout()).isEqualTo(Duration.ofMillis(5500));
        assertThat(m.setup())
                .get()
                .extracting(ActionManifest.Setup::packages, InstanceOfAssertFactories.LIST)
                .containsExactly("espeak-ng");
        assertThat(m.commands()).containsExactly("espeak-ng");
        assertThat(m.runtimes()).containsExactly("local", "sandbox");
    }

    @Test
    void everyProblemIsListedWithItsField() {
        assertThatThrownBy(() -> parse("""
                {"name": "Bad Name", "inputSchema": {"type": "array"}, "run": [], "timeout": -1, "colour": "red"}"""))
                .isInstanceOf(ActionException.class)
                .hasMessageContaining("belay-action.json is invalid")
                .hasMessageContaining("name")
                .hasMessageContaining("description")
                .hasMessageContaining("inputSchema.type")
                .hasMessageContaining("run")
                .hasMessageContaining("timeout")
                .hasMessageContaining("colour");
    }

    @Test
    void namesFollowTheToolNameRules() {
        for (String name : new String[] {"a__b", "1abc", "x".repeat(49), "with.dot"}) {
            assertThatThrownBy(() -> parse(ActionRepo.manifest(name, "")))
                    .as(name)
                    .isInstanceOf(ActionException.class)
                    .hasMessageContaining("name");
        }
    }

    @Test
    void theInputSchemaMustItselfBeAValidSchema() {
        assertThatThrownBy(() -> parse("""
                {"name": "x", "description": "d", "run": ["true"],
                 "inputSchema": {"type": "object", "properties": {"n": {"type": "integr"}}}}""")).isInstanceOf(ActionException.class).hasMessageContaining("inputSchema");
    }

    @Test
    void filesNamedByTheManifestMustExistAndTheProgramBeExecutable() throws Exception {
        assertThatThrownBy(() -> ActionManifest.read(dir)).hasMessageContaining("no belay-action.json");
        Files.writeString(dir.resolve(ActionManifest.FILE), "{not json");
        assertThatThrownBy(() -> ActionManifest.read(dir)).hasMessageContaining("not valid JSON");
        Files.writeString(dir.resolve(ActionManifest.FILE), ActionRepo.manifest("hello", ""));
        assertThatThrownBy(() -> ActionManifest.read(dir))
                .hasMessageContaining("./run.sh")
                .hasMessageContaining("no such file");
        Files.writeString(dir.resolve("run.sh"), "echo hi");
        assertThatThrownBy(() -> ActionManifest.read(dir)).hasMessageContaining("chmod +x ./run.sh");
        Files.writeString(dir.resolve(ActionManifest.FILE), """
                {"name": "x", "description": "d", "inputSchema": {"type": "object"}, "run": ["./../../etc/passwd"]}""");
        assertThatThrownBy(() -> ActionManifest.read(dir)).hasMessageContaining("outside the action");
    }
}
