package dev.belay.journal;

import java.time.Instant;
import java.util.List;

/**
 * The start of one turn of a conversation (a user message in a chat, one call of an MCP or REST client unless it
 * names its turns): what {@code undo} can rewind the conversation to.
 *
 * @param turn the turn's id ({@code Belay-Turn})
 * @param before the journal commit just before the turn's first change: the state a rewind restores
 * @param calls the turn's commits, newest first
 */
public record Checkpoint(String turn, String before, Instant time, List<Commit> calls) {

    public Checkpoint {
        calls = List.copyOf(calls);
    }
}
