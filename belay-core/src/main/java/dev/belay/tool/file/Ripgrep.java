package dev.belay.tool.file;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * ripgrep, when it is installed, as the first pass of {@code search_files}: told the strings every match needs
 * ({@link RequiredLiterals}), it names the files that hold one, and the search reads only those. What the search
 * returns is still decided by Belay's walk and matcher alone (the same ignore rules, binary test, order and limits as
 * without ripgrep), so the results are the same either way; ripgrep only spares reading the files that cannot match.
 *
 * <p>Its flags make what it names a superset of the files the walk would find a match in: no ignore file but
 * {@code .gitignore} (not {@code .ignore}, {@code .rgignore}, the global or the parent directories' ones, nor
 * {@code info/exclude}), hidden files searched, binary files searched as text, no encoding guessed from a BOM, no
 * configuration file, the same size limit. It runs in the workspace root with an empty environment, never follows a
 * symlink on its walk, and what it names is only a hint: the walk reads files beneath the root through its own handles.
 */
final class Ripgrep {

    private final Path executable;

    private Ripgrep(Path executable) {
        this.executable = executable;
    }

    /**
     * ripgrep ({@code rg}) on {@code path}, if one is there. Only absolute directories count, and none inside
     * {@code workspace}: a model can write there. Names are passed as UTF-8, so a JVM that encodes file names
     * otherwise never uses it.
     */
    static Optional<Ripgrep> find(String path, Path workspace) {
        String jnu = System.getProperty("sun.jnu.encoding", "");
        if (path == null || !Charset.isSupported(jnu) || !Charset.forName(jnu).equals(StandardCharsets.UTF_8)) {
            return Optional.empty();
        }
        for (String dir : path.split(":", -1)) {
            Path candidate = Path.of(dir).resolve("rg");
            if (!Path.of(dir).isAbsolute() || candidate.normalize().startsWith(workspace)) {
                continue;
            }
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                try {
                    Path real = candidate.toRealPath();
                    if (!real.startsWith(workspace)) {
                        return Optional.of(new Ripgrep(real));
                    }
                } catch (IOException e) {
                    // gone meanwhile: look on
                }
            }
        }
        return Optional.empty();
    }

    /**
     * A search running in the background; {@link #files} waits for its answer, and closing stops it (a search whose
     * walk failed leaves no ripgrep behind).
     */
    static final class Run implements AutoCloseable {

        private final Process process;
        private final CompletableFuture<byte[]> output;

        private Run(Process process) {
            this.process = process;
            this.output = CompletableFuture.supplyAsync(
                    () -> {
                        try (InputStream in = process.getInputStream()) {
                            return in.readAllBytes();
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    },
                    task -> Thread.ofVirtual().name("ripgrep-output").start(task));
        }

        /**
         * The files (paths relative to the workspace root) that hold one of the literals, or empty when ripgrep
         * could not tell (an error, such as an unreadable file, or no answer within {@code timeout}).
         */
        Optional<Set<String>> files(Duration timeout) {
            try {
                byte[] out = output.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) || process.exitValue() > 1) {
                    return Optional.empty(); // 0: found some, 1: found none, 2: an error, the answer may be short
                }
                Set<String> files = new HashSet<>();
                int start = 0;
                for (int i = 0; i < out.length; i++) {
                    if (out[i] == 0) {
                        files.add(new String(out, start, i - start, StandardCharsets.UTF_8));
                        start = i + 1;
                    }
                }
                return Optional.of(files);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            } catch (ExecutionException | TimeoutException e) {
                return Optional.empty();
            }
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }

    /**
     * Starts looking for the literals in the files below {@code dir} (inside {@code root}, symlinks resolved), none
     * larger than {@code maxFileBytes}; empty when ripgrep cannot take them (a NUL or a line break in a literal, or
     * it did not start).
     */
    Optional<Run> start(Path root, Path dir, RequiredLiterals literals, long maxFileBytes) {
        if (literals.literals().stream()
                .anyMatch(l -> l.indexOf('\0') >= 0 || l.indexOf('\n') >= 0 || l.indexOf('\r') >= 0)) {
            return Optional.empty();
        }
        List<String> command = new ArrayList<>(List.of(
                executable.toString(),
                "--files-with-matches",
                "--null",
                "--no-messages",
                "--no-config",
                "--hidden",
                "--no-ignore-dot",
                "--no-ignore-exclude",
                "--no-ignore-global",
                "--no-ignore-parent",
                "--no-require-git",
                "--text",
                "--encoding",
                "none",
                "--max-filesize",
                String.valueOf(maxFileBytes),
                "--glob",
                "!.git",
                "--fixed-strings"));
        if (literals.caseInsensitive()) {
            command.add("--ignore-case");
        }
        for (String literal : literals.literals()) {
            command.add("--regexp");
            command.add(literal);
        }
        // below the root, ripgrep names files by the path it was given; at the root, by their path from it
        String relative = root.relativize(dir).toString();
        if (!relative.isEmpty()) {
            command.add("--");
            command.add(relative);
        }
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(root.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        builder.environment().clear();
        try {
            return Optional.of(new Run(builder.start()));
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
