package dev.belay.tool.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.belay.tool.ToolException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Checks run on literal addresses and local names only: no traffic leaves this machine. */
class EgressPolicyTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "169.254.169.254",
                "169.254.0.1",
                "100.100.100.200",
                "fd00:ec2::254",
                "fe80::1",
                "metadata.google.internal"
            })
    void metadataAndLinkLocalAreAlwaysRefused(String host) {
        EgressPolicy allowAll = new EgressPolicy(List.of("*", host), List.of());
        assertThatThrownBy(() -> allowAll.check(host))
                .isInstanceOf(ToolException.class)
                .hasMessageContaining("Refused");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "127.0.0.1",
                "localhost",
                "10.1.2.3",
                "172.16.5.4",
                "192.168.1.1",
                "100.64.0.1",
                "::1",
                "fc00::1",
                "0.0.0.0"
            })
    void privateAndLoopbackNeedAnExplicitAllow(String host) {
        assertThatThrownBy(() -> EgressPolicy.defaults().check(host)).hasMessageContaining("private or loopback");
        assertThatThrownBy(() -> new EgressPolicy(List.of("*"), List.of()).check(host))
                .as("allow-all opens the internet, not the inside")
                .hasMessageContaining("private or loopback");
        assertThat(new EgressPolicy(List.of(host), List.of()).check(host)).isNotNull();
    }

    @Test
    void publicAddressesPassAndDenyWins() {
        assertThat(EgressPolicy.defaults().check("93.184.216.34").getHostAddress())
                .isEqualTo("93.184.216.34");
        EgressPolicy policy = new EgressPolicy(List.of("127.0.0.1", "*.corp.example"), List.of("127.0.0.1", "8.8.8.8"));
        assertThatThrownBy(() -> policy.check("127.0.0.1")).hasMessageContaining("deny rule");
        assertThatThrownBy(() -> policy.check("8.8.8.8")).hasMessageContaining("deny rule '8.8.8.8'");
    }

    /** IPv6 spellings that carry an IPv4 address reach that address; each is judged as what it carries. */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "64:ff9b::7f00:1",
                "64:ff9b::a00:1",
                "::127.0.0.1",
                "::ffff:127.0.0.1",
                "::10.0.0.1",
                "2002:7f00:1::1",
                "2002:c0a8:101::",
                "2001:0:4136:e378:8000:63bf:80ff:fffe",
                "fe80::5efe:7f00:1",
                "2001:db8::5efe:a00:1",
                "64:ff9b:1::a00:1",
                "0.1.2.3",
                "[64:ff9b::7f00:1]"
            })
    void ipv6FormsOfInternalIpv4AddressesAreInternal(String host) {
        assertThatThrownBy(() -> new EgressPolicy(List.of("*"), List.of()).check(host))
                .isInstanceOf(ToolException.class)
                .hasMessageContaining("Refused");
    }

    @ParameterizedTest
    @ValueSource(strings = {"64:ff9b::a9fe:a9fe", "::ffff:169.254.169.254", "2002:a9fe:a9fe::1", "::169.254.169.254"})
    void ipv6FormsOfTheMetadataAddressAreAlwaysRefused(String host) {
        assertThatThrownBy(() -> new EgressPolicy(List.of("*", host), List.of()).check(host))
                .hasMessageContaining("link-local or a cloud metadata service");
    }

    @Test
    void ipv6FormsOfPublicAddressesPassAndDenyRulesSeeTheEmbeddedAddress() {
        assertThat(EgressPolicy.defaults().check("64:ff9b::808:808")).isNotNull();
        assertThat(EgressPolicy.defaults().check("2002:808:808::1")).isNotNull();
        assertThatThrownBy(() -> new EgressPolicy(List.of(), List.of("8.8.8.8")).check("64:ff9b::808:808"))
                .hasMessageContaining("deny rule '8.8.8.8'");
    }

    @Test
    void anUnknownHostIsAClearError() {
        assertThatThrownBy(() -> EgressPolicy.defaults().check("no-such-host.invalid"))
                .hasMessageContaining("Cannot resolve");
    }
}
