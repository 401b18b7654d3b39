package dev.belay.chat;

import dev.belay.state.PrivateFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Conversations kept in the data directory, one JSON file each (mode 0600), written atomically, so a restart keeps
 * them and a crash never leaves half a file. The store is every conversation's one writer: each change (create,
 * rename, append, delete) reads the conversation as it is now and writes it back under one lock, so a rename or a
 * delete during a running turn is neither lost nor undone by the turn's messages.
 */
public final class ConversationStore {

    private final Path dir;
    private final JsonMapper json =
            JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
    private final ReentrantLock writing = new ReentrantLock();

    public ConversationStore(Path dir) {
        this.dir = dir;
    }

    public Conversation create(String title) {
        Conversation conversation = new Conversation(
                "chat-" + UUID.randomUUID().toString().substring(0, 12), title, Instant.now(), List.of());
        writing.lock();
        try {
            write(conversation);
        } finally {
            writing.unlock();
        }
        return conversation;
    }

    /** Gives the conversation a new title; empty when there is no such conversation (any more). */
    public Optional<Conversation> rename(String id, String title) {
        return change(id, c -> c.withTitle(title));
    }

    /** Appends a message to the conversation as it is now; empty, and nothing written, when it was deleted. */
    public Optional<Conversation> append(String id, ChatMessage message) {
        return change(id, c -> c.with(message));
    }

    private Optional<Conversation> change(String id, UnaryOperator<Conversation> change) {
        writing.lock();
        try {
            Optional<Conversation> changed = get(id).map(change);
            changed.ifPresent(this::write);
            return changed;
        } finally {
            writing.unlock();
        }
    }

    public Optional<Conversation> get(String id) {
        if (!id.matches("chat-[a-f0-9-]{1,36}")) {
            return Optional.empty();
        }
        Path file = dir.resolve(id + ".json");
        try {
            return Files.exists(file)
                    ? Optional.of(json.readValue(Files.readString(file), Conversation.class))
                    : Optional.empty();
        } catch (IOException | JacksonException e) {
            throw new IllegalStateException("conversation " + id + " cannot be read: " + e.getMessage(), e);
        }
    }

    /** Newest first. */
    public List<Conversation> list() {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".json"))
                    .map(f -> get(f.getFileName().toString().replaceFirst("\\.json$", "")))
                    .flatMap(Optional::stream)
                    .sorted(Comparator.comparing(Conversation::created).reversed())
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void write(Conversation conversation) {
        try {
            PrivateFile.write(dir.resolve(conversation.id() + ".json"), json.writeValueAsString(conversation));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public boolean delete(String id) {
        writing.lock();
        try {
            return get(id).isPresent() && Files.deleteIfExists(dir.resolve(id + ".json"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writing.unlock();
        }
    }

    /** The conversation as Markdown, tool calls and their results included. */
    public static String markdown(Conversation conversation) {
        StringBuilder md = new StringBuilder("# ").append(conversation.title()).append("\n\n");
        for (ChatMessage message : conversation.messages()) {
            switch (message) {
                case ChatMessage.User u ->
                    md.append("## You\n\n").append(u.text()).append("\n\n");
                case ChatMessage.Assistant a -> {
                    md.append("## Assistant\n\n");
                    if (!a.text().isBlank()) {
                        md.append(a.text()).append("\n\n");
                    }
                    a.calls()
                            .forEach(c -> md.append("**Tool call** `")
                                    .append(c.tool())
                                    .append("`\n\n```json\n")
                                    .append(c.arguments())
                                    .append("\n```\n\n"));
                }
                case ChatMessage.ToolOutput t ->
                    md.append("**")
                            .append(t.tool())
                            .append(t.error() ? " failed" : " result")
                            .append("**\n\n```\n")
                            .append(t.text().replace("```", "`​``"))
                            .append("\n```\n\n");
            }
        }
        return md.toString();
    }
}
