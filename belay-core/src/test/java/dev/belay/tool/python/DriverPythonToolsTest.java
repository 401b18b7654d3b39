package dev.belay.tool.python;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import dev.belay.tool.Failure;

/** The python tool through Belay's own driver. */
class DriverPythonToolsTest extends PythonToolsContract {

    @Override
    PythonBackend backend() {
        return new PythonBackend.Driver();
    }

    @Test
    void kernelNameIsRefusedWithoutJupyter() {
        var r = run("c1", "{\"code\": \"1\", \"kernel_name\": \"python3\"}");
        assertThat(r.failure()).isEqualTo(Failure.INVALID_ARGUMENTS);
        assertThat(r.text()).contains("--kernel jupyter");
    }
}
