package dev.belay.tool;

import java.util.List;
import java.util.Optional;

/**
 * The call's own way to ask its user a question, when the client can show one (MCP elicitation, asked in the
 * request or, in 2026-07-28, answered in a retry of it). The guard asks its approvals so, beside the terminal and the
 * approvals page: the first answer wins.
 */
@FunctionalInterface
public interface AskUser {

    /** A client that cannot be asked. */
    AskUser NONE = (question, choices) -> Optional.empty();

    /**
     * Asks and waits for the answer.
     *
     * @return one of {@code choices}, or empty when the user would not answer or the client could not ask
     */
    Optional<String> choose(String question, List<String> choices);
}
