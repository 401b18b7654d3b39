package dev.belay.action;

import dev.belay.fs.Trees;
import dev.belay.state.PrivateFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BiPredicate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The installed actions, one directory each under Belay's data directory: {@code <name>/files} (the action as
 * fetched), {@code <name>/installed.json} (source, ref, pinned commit) and {@code <name>/setup/<runtime>.json} (how
 * setup went in each runtime kind). Installing and updating fetch into a scratch directory first, so a failed fetch
 * or an invalid manifest leaves what was installed untouched.
 */
public final class ActionStore {

    /**
     * How setup went in one runtime kind.
     *
     * @param output what setup printed (bounded)
     */
    public record SetupRecord(boolean ok, String output, Instant at) {}

    private final Path root;
    private final JsonMapper json = JsonMapper.builder().build();

    public ActionStore(Path root) {
        this.root = root;
    }

    /** The directory that holds one directory per installed action. */
    public Path root() {
        return root;
    }

    /**
     * Fetches and validates an action, then installs it if {@code accept} agrees after seeing its manifest.
     *
     * @param trustReadOnly whether the user vouches for the manifest's {@code readOnlyHint}
     * @param accept shown the validated manifest (what the tool is, what setup will run) and the directory of the
     *        fetched files, before anything is kept
     * @throws ActionException if it is not accepted: nothing is installed then
     */
    public InstalledAction install(
            ActionSource source, boolean trustReadOnly, BiPredicate<ActionManifest, Path> accept) {
        Path staged = stage(source, trustReadOnly);
        try {
            ActionManifest manifest = ActionManifest.read(staged.resolve("files"));
            Path dir = root.resolve(manifest.name());
            if (Files.exists(dir)) {
                throw new ActionException("an action named " + manifest.name() + " is already installed (from "
                        + get(manifest.name()).origin() + "); use 'belay actions update' or remove it first");
            }
            if (!accept.test(manifest, staged.resolve("files"))) {
                throw new ActionException(manifest.name() + " was not installed");
            }
            Files.move(staged, dir, StandardCopyOption.ATOMIC_MOVE);
            return get(manifest.name());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            Trees.delete(staged);
        }
    }

    /**
     * Fetches an installed action again from its source, at {@code ref} or at the ref it was installed at; its
     * setup records are dropped, so setup runs again. Trust in its read-only hint is given anew: a new version is
     * new code.
     */
    public InstalledAction update(
            String name, Optional<String> ref, boolean trustReadOnly, BiPredicate<ActionManifest, Path> accept) {
        InstalledAction old = get(name);
        Path staged = stage(new ActionSource(old.source(), ref.or(old::ref)), trustReadOnly);
        try {
            ActionManifest manifest = ActionManifest.read(staged.resolve("files"));
            if (!manifest.name().equals(name)) {
                throw new ActionException("the new version is named " + manifest.name() + ", not " + name + "; remove "
                        + name + " and install it instead");
            }
            if (!accept.test(manifest, staged.resolve("files"))) {
                throw new ActionException(name + " was not updated");
            }
            Path dir = root.resolve(name);
            Path retired = root.resolve(".retired-" + UUID.randomUUID());
            Files.move(dir, retired, StandardCopyOption.ATOMIC_MOVE);
            Files.move(staged, dir, StandardCopyOption.ATOMIC_MOVE);
            Trees.delete(retired);
            return get(name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            Trees.delete(staged);
        }
    }

    public void remove(String name) {
        get(name);
        Trees.delete(root.resolve(name));
    }

    public InstalledAction get(String name) {
        Path dir = root.resolve(name).normalize();
        if (!dir.getParent().equals(root.normalize()) || !Files.isRegularFile(dir.resolve("installed.json"))) {
            throw new ActionException("no action named " + name + " is installed; 'belay actions list' shows them");
        }
        JsonNode record = read(dir.resolve("installed.json"));
        return new InstalledAction(
                ActionManifest.read(dir.resolve("files")),
                dir.resolve("files"),
                record.path("source").asString(),
                optional(record, "ref"),
                optional(record, "commit"),
                Instant.parse(record.path("installed_at").asString()),
                record.path("trust_read_only").asBoolean(false));
    }

    public List<InstalledAction> list() {
        List<InstalledAction> all = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return all;
        }
        try (var dirs = Files.list(root)) {
            for (Path dir : dirs.sorted().toList()) {
                // .staging-* and .retired-* are an install or update under way, not an action
                if (!dir.getFileName().toString().startsWith(".")
                        && Files.isRegularFile(dir.resolve("installed.json"))) {
                    all.add(get(dir.getFileName().toString()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return all;
    }

    public Optional<SetupRecord> setup(InstalledAction action, String runtimeKind) {
        Path file = action.dir().resolveSibling("setup").resolve(runtimeKind + ".json");
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        JsonNode record = read(file);
        return Optional.of(new SetupRecord(
                record.path("ok").asBoolean(),
                record.path("output").asString(),
                Instant.parse(record.path("at").asString())));
    }

    public void recordSetup(InstalledAction action, String runtimeKind, SetupRecord record) {
        ObjectNode node = json.createObjectNode()
                .put("ok", record.ok())
                .put("output", record.output())
                .put("at", record.at().toString());
        write(action.dir().resolveSibling("setup").resolve(runtimeKind + ".json"), node);
    }

    /** Fetches into {@code .staging-*}: files under {@code files/}, the record next to them. */
    private Path stage(ActionSource source, boolean trustReadOnly) {
        Path staged = root.resolve(".staging-" + UUID.randomUUID());
        try {
            Files.createDirectories(staged);
            ActionSource.Fetched fetched = source.fetch(staged.resolve("files"));
            ObjectNode record = json.createObjectNode().put("source", source.source());
            source.ref().ifPresent(r -> record.put("ref", r));
            fetched.commit().ifPresent(c -> record.put("commit", c));
            if (trustReadOnly) {
                record.put("trust_read_only", true);
            }
            record.put("installed_at", Instant.now().toString());
            write(staged.resolve("installed.json"), record);
            return staged;
        } catch (IOException e) {
            Trees.delete(staged);
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            Trees.delete(staged);
            throw e;
        }
    }

    private JsonNode read(Path file) {
        try {
            return json.readTree(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void write(Path file, ObjectNode node) {
        try {
            PrivateFile.write(file, json.writeValueAsString(node));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Optional<String> optional(JsonNode record, String field) {
        return Optional.ofNullable(record.get(field)).map(JsonNode::asString);
    }
}
