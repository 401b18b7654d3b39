package dev.belay.tool.python;

import dev.belay.fs.PathException;
import dev.belay.workspace.Workspace;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import tools.jackson.databind.JsonNode;

/** A cell's figures saved under {@code figures/}, so the user keeps them; they are journaled with the cell. */
final class Figures {

    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    private final Workspace workspace;

    Figures(Workspace workspace) {
        this.workspace = workspace;
    }

    /**
     * Saves a cell's figures in the workspace.
     *
     * @param images the cell's PNGs, as base64
     * @return the paths saved, relative to the workspace root
     */
    List<String> keep(JsonNode images) {
        List<String> saved = new ArrayList<>();
        String stamp = TIME.format(Instant.now());
        int n = 0;
        for (JsonNode png : images) {
            n++;
            String relative = "figures/python-" + stamp + "-" + n + ".png";
            try {
                // parents are created by the race-free write, never by a path-based mkdir
                Path target = workspace.guard().resolveForWrite(relative);
                workspace.writeAtomically(target, Base64.getDecoder().decode(png.asString()));
                saved.add(relative);
            } catch (IOException | PathException e) {
                // the image still goes back to the model; only the copy in the workspace is missing
            }
        }
        return saved;
    }
}
