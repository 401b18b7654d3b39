package dev.belay.cli;

import dev.belay.state.PrivateFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import tools.jackson.core.JacksonException;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Settings kept in the config directory ({@code config.json}, mode 0600 because it may hold the model API key). The
 * key is never printed back: {@code get api-key} says only whether it is set.
 */
final class ConfigStore {

    static final String API_KEY = "api-key";
    static final Set<String> KEYS = Set.of(API_KEY, "base-url", "model");

    private final Path file;
    private final JsonMapper json = JsonMapper.builder().build();

    ConfigStore(Path configDir) {
        this.file = configDir.resolve("config.json");
    }

    Optional<String> get(String key) throws IOException {
        return Optional.ofNullable(read().get(key));
    }

    void set(String key, String value) throws IOException {
        Map<String, String> values = read();
        values.put(key, value.strip());
        PrivateFile.write(file, json.writeValueAsString(values));
    }

    private Map<String, String> read() throws IOException {
        if (!Files.exists(file)) {
            return new TreeMap<>();
        }
        try {
            return new TreeMap<>(json.readValue(Files.readString(file), new TypeReference<Map<String, String>>() {}));
        } catch (JacksonException e) {
            throw new UsageException(file + " is not valid settings JSON (" + e.getOriginalMessage()
                    + "); fix it or delete it and set the values again");
        }
    }
}
