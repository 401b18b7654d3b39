package dev.belay.mount;

import dev.belay.state.PrivateFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** The mounted servers, kept in {@code mcp-servers.json} in Belay's config directory. */
public final class MountList {

    private final Path file;
    private final JsonMapper json = JsonMapper.builder().build();

    public MountList(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    public List<MountSpec> list() {
        List<MountSpec> mounts = new ArrayList<>();
        if (!Files.isRegularFile(file)) {
            return mounts;
        }
        try {
            for (JsonNode m : json.readTree(Files.readString(file)).path("servers")) {
                List<String> command = new ArrayList<>();
                m.path("command").forEach(c -> command.add(c.asString()));
                Map<String, String> headers = new LinkedHashMap<>();
                m.path("headers")
                        .properties()
                        .forEach(e -> headers.put(e.getKey(), e.getValue().asString()));
                mounts.add(new MountSpec(
                        m.path("name").asString(),
                        command,
                        Optional.ofNullable(m.get("url")).map(u -> URI.create(u.asString())),
                        headers,
                        m.path("trust_read_only").asBoolean(false)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return mounts;
    }

    public void add(MountSpec mount) {
        List<MountSpec> mounts = list();
        if (mounts.stream().anyMatch(m -> m.name().equals(mount.name()))) {
            throw new IllegalArgumentException(
                    "a server named " + mount.name() + " is already mounted; remove it first");
        }
        mounts.add(mount);
        save(mounts);
    }

    /** Unmounts a server; returns whether one of that name was mounted. */
    public boolean remove(String name) {
        List<MountSpec> mounts = list();
        boolean removed = mounts.removeIf(m -> m.name().equals(name));
        save(mounts);
        return removed;
    }

    private void save(List<MountSpec> mounts) {
        ObjectNode root = json.createObjectNode();
        ArrayNode servers = root.putArray("servers");
        for (MountSpec m : mounts) {
            ObjectNode node = servers.addObject().put("name", m.name());
            if (m.trustReadOnly()) {
                node.put("trust_read_only", true);
            }
            if (m.url().isPresent()) {
                node.put("url", m.url().get().toString());
                ObjectNode headers = node.putObject("headers");
                m.headers().forEach(headers::put);
            } else {
                ArrayNode command = node.putArray("command");
                m.command().forEach(command::add);
            }
        }
        try {
            PrivateFile.write(file, json.writerWithDefaultPrettyPrinter().writeValueAsString(root));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
