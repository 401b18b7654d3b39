package dev.belay.tool.python;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import dev.belay.tool.Failure;

/** The python tool through a real Jupyter kernel: Debian's python3-ipykernel over the Jupyter protocol. */
class JupyterPythonToolsTest extends PythonToolsContract {

    @Override
    PythonBackend backend() {
        return PythonBackend.parse("jupyter", System.getenv(), System.getProperty("user.home"));
    }

    @Test
    void aCallMayNameAnotherKernelAndAMissingOneSaysHowToInstallIt() {
        assertThat(run("c1", "{\"code\": \"6 * 7\", \"kernel_name\": \"python3\"}").structured().get("value")
                .asString()).isEqualTo("42");
        var missing = run("c1", "{\"code\": \"1\", \"kernel_name\": \"no-such-kernel\"}");
        assertThat(missing.failure()).isEqualTo(Failure.NOT_FOUND);
        assertThat(missing.text()).contains("no-such-kernel").contains("ipykernel");
    }
}
