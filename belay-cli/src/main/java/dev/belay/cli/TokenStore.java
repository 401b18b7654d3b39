package dev.belay.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
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
        Files.createDirectories(file.getParent());
        Path temp = Files.createTempFile(
                file.getParent(),
                ".token",
                ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(temp, token + "\n", StandardCharsets.UTF_8);
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return token;
    }
}
