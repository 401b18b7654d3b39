package dev.belay.hub;

import dev.belay.policy.Secrets;
import dev.belay.state.PrivateFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Agent tokens: separate from the API token, each named, and good only for registering an agent at {@code /agents},
 * under the one agent id its first registration bound to it ({@link #claim}).
 * Only their SHA-256 digests are stored (a 0600 file in the config directory), so the file alone lets nobody in.
 * The file is read on every check, so {@code belay token create|revoke} takes effect on a running server.
 */
public final class AgentTokens {

    /**
     * One stored token.
     *
     * @param agentId the one agent id this token may register, fixed by its first registration; null before that
     */
    public record Entry(String name, String sha256, Instant created, String agentId) {}

    private static final String PREFIX = "belay_agent_";

    private final Path file;
    private final JsonMapper json = JsonMapper.builder().build();

    /** The tokens of {@code belay token create --agent}, in the config directory's {@code agent-tokens.json}. */
    public AgentTokens(Path configDir) {
        this(configDir, "agent-tokens.json");
    }

    /** Tokens kept in a file of their own in the config directory, such as the workspace pods' agent tokens. */
    public AgentTokens(Path configDir, String fileName) {
        this.file = configDir.resolve(fileName);
    }

    /** Makes a new token for an agent name (replacing that name's old one) and returns it; it is never stored. */
    public String create(String name) throws IOException {
        return mint(name, null);
    }

    /**
     * Makes a new token for an agent name (replacing that name's old one), bound from the start to one agent id, and
     * returns it; it is never stored. A workspace pod's token is made so: it registers that workspace's agent only.
     */
    public String create(String name, String agentId) throws IOException {
        if (agentId == null || !agentId.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException("an agent id is 1-64 letters, digits, '.', '_' or '-'");
        }
        return mint(name, agentId);
    }

    private synchronized String mint(String name, String agentId) throws IOException {
        if (!name.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException("an agent name is 1-64 letters, digits, '.', '_' or '-'");
        }
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        String token = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        List<Entry> entries = new ArrayList<>(
                list().stream().filter(e -> !e.name().equals(name)).toList());
        entries.add(new Entry(name, Secrets.digest(token), Instant.now(), agentId));
        write(entries);
        return token;
    }

    /** Removes a name's token; true if there was one. */
    public synchronized boolean revoke(String name) throws IOException {
        List<Entry> entries = list();
        List<Entry> kept = entries.stream().filter(e -> !e.name().equals(name)).toList();
        write(kept);
        return kept.size() < entries.size();
    }

    public List<Entry> list() throws IOException {
        if (!Files.exists(file)) {
            return List.of();
        }
        return json.readValue(Files.readString(file), new TypeReference<List<Entry>>() {});
    }

    /**
     * Binds an agent id to the token named {@code name} at its first registration, and checks it at every later one:
     * a token registers one agent id only, and an id bound to (or named after) another token is not its to take.
     *
     * @return why the registration is refused, or empty if the token may register this id
     */
    public synchronized Optional<String> claim(String name, String agentId) throws IOException {
        List<Entry> entries = new ArrayList<>(list());
        Entry own =
                entries.stream().filter(e -> e.name().equals(name)).findFirst().orElse(null);
        if (own == null) {
            return Optional.of("this agent token was revoked");
        }
        if (own.agentId() != null) {
            return own.agentId().equals(agentId)
                    ? Optional.empty()
                    : Optional.of("this token belongs to agent '" + own.agentId() + "', not '" + agentId
                            + "': start the agent with --name " + own.agentId());
        }
        boolean taken = entries.stream()
                .anyMatch(e -> !e.equals(own)
                        && (agentId.equals(e.agentId()) || (e.agentId() == null && agentId.equals(e.name()))));
        if (taken) {
            return Optional.of("agent id '" + agentId + "' belongs to another agent token; create this agent's own "
                    + "with 'belay token create --agent " + name + "' and start it with --name " + name);
        }
        entries.set(entries.indexOf(own), new Entry(own.name(), own.sha256(), own.created(), agentId));
        write(entries);
        return Optional.empty();
    }

    /** The name of the agent token in an {@code Authorization: Bearer} header, if it is one. */
    public Optional<String> verifyHeader(String authorization) {
        return authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                ? verify(authorization.substring(7).strip())
                : Optional.empty();
    }

    /** The name a presented token was made for, compared by digest in constant time. */
    public Optional<String> verify(String presented) {
        if (presented == null || !presented.startsWith(PREFIX)) {
            return Optional.empty();
        }
        String digest = Secrets.digest(presented);
        try {
            String match = null;
            for (Entry entry : list()) {
                if (Secrets.same(entry.sha256(), digest)) {
                    match = entry.name();
                }
            }
            return Optional.ofNullable(match);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private void write(List<Entry> entries) throws IOException {
        PrivateFile.write(file, json.writeValueAsString(entries));
    }
}
