package dev.belay.agent;

import dev.belay.journal.Retention;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What every start of a workspace does to its journal before opening it, in {@code belay serve}, {@code mcp},
 * {@code chat}, {@code agent} and the standalone agent alike: the automatic retention policy, which keeps the last
 * turn of every chat conversation kept in Belay's data directory.
 */
public final class JournalUpkeep {

    private JournalUpkeep() {}

    /** The chat conversations kept in the data directory (web UI, belay chat): each may still rewind its last turn. */
    public static Set<String> liveConversations(Path data) {
        try (Stream<Path> files = Files.list(data.resolve("conversations"))) {
            return files.map(f -> f.getFileName().toString())
                    .filter(n -> n.endsWith(".json"))
                    .map(n -> n.substring(0, n.length() - ".json".length()))
                    .collect(Collectors.toSet());
        } catch (IOException e) {
            return Set.of(); // none kept yet
        }
    }

    /**
     * Trims the journal when it is over its bound ({@link Retention#auto}); nothing when another Belay has it open.
     *
     * @return what to tell the user when it trimmed
     */
    public static Optional<String> retain(Path root, Path journal, Path data, Instant now) {
        return Retention.auto(root, journal, liveConversations(data), now)
                .map(o -> "the journal was over its bound "
                        + "(1 GiB or 90 days): removed " + o.removed() + " commits older than "
                        + Retention.DEFAULT_KEEP.toDays() + " days (belay journal gc)");
    }
}
