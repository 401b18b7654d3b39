package dev.belay.tool.code;

import dev.belay.workspace.Workspace;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;

/** Source files as the code tools read them: through the path guard, whole, as UTF-8. */
final class Texts {

    /** Larger files are not shown to a server: no source file is this large, a generated bundle may be. */
    static final int LARGEST = 4 << 20;

    private Texts() {}

    /** A workspace file's text; empty when it is gone, outside the workspace, not a regular file or too large. */
    static Optional<String> read(Workspace workspace, String file) {
        try {
            Path path = workspace.guard().resolve(file);
            Optional<BasicFileAttributes> attributes = workspace.guard().files().attributes(path, true);
            if (attributes.isEmpty()
                    || !attributes.get().isRegularFile()
                    || attributes.get().size() > LARGEST) {
                return Optional.empty();
            }
            try (InputStream in = workspace.guard().files().openRead(path)) {
                return Optional.of(new String(in.readNBytes(LARGEST), StandardCharsets.UTF_8));
            }
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
