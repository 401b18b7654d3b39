package dev.belay.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** {@code --workspace-disk-limit}: sizes as people write them, and a clear refusal of anything else. */
class WorkspacesOptionsTest {

    @Test
    void sizesAreBytesOrBinaryMultiples() {
        assertThat(WorkspacesOptions.bytes("1073741824")).isEqualTo(1L << 30);
        assertThat(WorkspacesOptions.bytes("2g")).isEqualTo(2L << 30);
        assertThat(WorkspacesOptions.bytes("500M")).isEqualTo(500L << 20);
        assertThat(WorkspacesOptions.bytes("500MiB")).isEqualTo(500L << 20);
        assertThat(WorkspacesOptions.bytes("64 k")).isEqualTo(64L << 10);
        assertThat(WorkspacesOptions.bytes("1t")).isEqualTo(1L << 40);
    }

    @Test
    void anythingElseIsRefusedWithTheOptionsName() {
        for (String bad : new String[] {"", "-1g", "2x", "1.5g", "g", "2gg", "99999999999999999999"}) {
            assertThatThrownBy(() -> WorkspacesOptions.bytes(bad))
                    .isInstanceOf(UsageException.class)
                    .hasMessageContaining("--workspace-disk-limit");
        }
        assertThatThrownBy(() -> WorkspacesOptions.bytes("9999999999t")).hasMessageContaining("too large");
    }
}
