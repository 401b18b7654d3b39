package dev.belay.cli;

import dev.belay.state.PrivateFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;

/** The API token in the config directory, readable by its owner only (mode 0600). */
final class TokenStore {

    private final Path file;
    private final SecureRandom random = new SecureRandom();

    TokenStore(Path configDir) {
        this.file = configDir.resolve("token");
    }

    Path file() {
        return file;
    }

    Optional<String> read() throws IOException {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        String token = Files.readString(file, StandardCharsets.UTF_8).strip();
        return token.isEmpty() ? Optional.empty() : Optional.of(token);
    }

    /** Writes a new random token, replacing any old one. */
    String rotate() throws IOException {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String token = "belay_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        PrivateFile.write(file, token + "\n");
        return token;
    }
}
