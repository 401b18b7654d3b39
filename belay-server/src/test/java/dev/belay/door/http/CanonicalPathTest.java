package dev.belay.door.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** One spelling per path: what decides access is what gets routed. */
class CanonicalPathTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/agents/",
                "//agents",
                "/agents%2F",
                "/agents%2f",
                "/./agents",
                "/x/../agents",
                "/agents;x",
                "/agents/.",
                "/agents/..",
                "/%2e%2e/agents",
                "/api//read_file",
                "/api\\read_file",
                "/api/%5Cx",
                "/a%00b",
                "/a%zz",
                "/a%e9",
                "/a%0ab",
                "agents",
                "",
                "/session/../api/x",
                "/w//",
                "/w/../",
                "/w/abc/ui/",
                "/x/abc/"
            })
    void spellingsThatHideAnotherPathAreRefused(String raw) {
        assertThat(CanonicalPath.of(raw)).as(raw).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/",
                "/agents",
                "/api/read_file",
                "/api/files/docs/notes.txt",
                "/docs/index.html",
                "/chat/api/conversations/chat-1/events",
                "/w/k3v9q0x2m1ab/"
            })
    void plainPathsPass(String raw) {
        assertThat(CanonicalPath.of(raw)).hasValue(raw);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/api/files/a%20b.txt", "/api/files/%C3%A9t%C3%A9.txt"})
    void escapesAreDecodedOnce(String raw) {
        assertThat(CanonicalPath.of(raw)).isPresent().get().asString().doesNotContain("%");
    }
}
