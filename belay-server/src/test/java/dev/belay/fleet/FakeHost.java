package dev.belay.fleet;

import dev.belay.tool.ToolAnnotations;
import dev.belay.tool.ToolCall;
import dev.belay.tool.ToolCaller;
import dev.belay.tool.ToolResult;
import dev.belay.tool.ToolSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import tools.jackson.databind.json.JsonMapper;

/**
 * Files as they are; a workspace's "journal" is the directory {@code files.journal} next to them, and a restore adds
 * a line to its {@code log}. Its engines know two tools: {@code write_file} (writes {@code path} with {@code text}, or
 * {@code bytes} zero bytes) and {@code read_file}, which only reads.
 */
final class FakeHost implements Host {
    final List<String> opened = new ArrayList<>();
    final List<String> closed = new ArrayList<>();
    final List<String> stopped = new ArrayList<>();
    /** Whether every engine holds background work. */
    volatile boolean busy;
    /** When set, a write_file call and a restore wait for it to open. */
    volatile CountDownLatch gate;

    Path journal(Path files) {
        return files.resolveSibling("files.journal");
    }

    @Override
    public void seed(Source source, Path files, String runtime) {
        if (source instanceof Source.Git) {
            throw new FleetException(FleetException.Problem.INVALID, "refused", "no network here");
        }
    }

    @Override
    public Opened open(WorkspaceRecord workspace, Path files) {
        try {
            Files.createDirectories(journal(files));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        opened.add(workspace.id());
        ToolCaller caller = new ToolCaller() {
            @Override
            public List<ToolSpec> tools() {
                return List.of(tool("write_file", false), tool("read_file", true));
            }

            @Override
            public ToolResult call(ToolCall call) {
                if (!call.tool().equals("write_file")) {
                    return ToolResult.ok("ok");
                }
                try {
                    await();
                    Path file = files.resolve(call.arguments().path("path").asString());
                    if (call.arguments().has("bytes")) {
                        Files.write(
                                file, new byte[call.arguments().path("bytes").asInt()]);
                    } else {
                        Files.writeString(file, call.arguments().path("text").asString());
                    }
                    return ToolResult.ok("written");
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
        return new Opened(caller, () -> closed.add(workspace.id()), () -> busy);
    }

    @Override
    public String fork(Path from, Path to, String runtime) {
        copy(from, to);
        copy(journal(from), journal(to));
        return runtime;
    }

    @Override
    public void restore(Path snapshot, WorkspaceRecord workspace, Path files, String summary) {
        await();
        delete(files);
        copy(snapshot, files);
        try {
            Files.writeString(
                    journal(files).resolve("log"),
                    summary + "\n",
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits for the gate, if one is set. */
    private void await() {
        CountDownLatch wait = gate;
        if (wait == null) {
            return;
        }
        try {
            wait.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void stop(WorkspaceRecord workspace, Path files) {
        stopped.add(workspace.id());
    }

    private static ToolSpec tool(String name, boolean readOnly) {
        return new ToolSpec(
                name,
                name,
                name,
                JsonMapper.builder().build().createObjectNode().put("type", "object"),
                null,
                new ToolAnnotations(readOnly, false, false, false));
    }

    @Override
    public void remove(Path files, Optional<String> runtime) {
        delete(journal(files));
        delete(files);
    }

    private static void copy(Path from, Path to) {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : all.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void delete(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
