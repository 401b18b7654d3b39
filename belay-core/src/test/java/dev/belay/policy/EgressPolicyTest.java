package dev.belay.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import dev.belay.tool.ToolException;

/** Checks run on literal addresses and local names only: no traffic leaves this machine. */
class EgressPolicyTest {

    @ParameterizedTest
    @ValueSource(strings = {"169.254.169.254", "169.254.0.1", "100.100.100.200", "fd00:ec2::254", "fe80::1",
        "metadata.google.internal"})
    void metadataAndLinkLocalAreAlwaysRefused(String host) {
        EgressPolicy allowAll = new EgressPolicy(List.of("*", host), List.of());
        assertThatThrownBy(() -> allowAll.check(host)).isInstanceOf(ToolException.class)
                .hasMessageContaining("Refused");
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "localhost", "10.1.2.3", "172.16.5.4", "192.168.1.1", "100.64.0.1", "::1",
        "fc00::1", "0.0.0.0"})
    void privateAndLoopbackNeedAnExplicitAllow(String host) {
        assertThatThrownBy(() -> EgressPolicy.defaults().check(host)).hasMessageContaining("private or loopback");
        assertThatThrownBy(() -> new EgressPolicy(List.of("*"), List.of()).check(host))
                .as("allow-all opens the internet, not the inside").hasMessageContaining("private or loopback");
        assertThat(new EgressPolicy(List.of(host), List.of()).check(host)).isNotNull();
    }

    @Test
    void publicAddressesPassAndDenyWins() {
        assertThat(EgressPolicy.defaults().check("93.184.216.34").getHostAddress()).isEqualTo("93.184.216.34");
        EgressPolicy policy = new EgressPolicy(List.of("127.0.0.1", "*.corp.example"), List.of("127.0.0.1", "8.8.8.8"));
        assertThatThrownBy(() -> policy.check("127.0.0.1")).hasMessageContaining("deny rule");
        assertThatThrownBy(() -> policy.check("8.8.8.8")).hasMessageContaining("deny rule '8.8.8.8'");
    }

    @Test
    void anUnknownHostIsAClearError() {
        assertThatThrownBy(() -> EgressPolicy.defaults().check("no-such-host.invalid"))
                .hasMessageContaining("Cannot resolve");
    }
}
