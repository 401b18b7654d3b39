package dev.belay.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Belay's OCI image as the {@code image} profile builds it (Jib's tar), for the tests that run it with podman. */
final class BelayImage {

    private BelayImage() {}

    /**
     * Loads the image into podman and returns its name. Skips the test when the build made no image (the profile is
     * off: .ci/run turns it on, with podman installed).
     */
    static String load() throws IOException, InterruptedException {
        String tar = System.getProperty("belay.image.tar");
        assumeTrue(tar != null && Files.exists(Path.of(tar)), "the image is built with -Pimage (as .ci/run does)");
        Process load = new ProcessBuilder("podman", "load", "-q", "-i", tar)
                .redirectErrorStream(true)
                .start();
        String loaded = new String(load.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(load.waitFor()).as(loaded).isZero();
        // one line per tag (the version and latest): the last names it
        return loaded.replaceFirst("(?s).*Loaded image(\\(s\\))?: ", "").strip();
    }
}
