package dev.belay.tool.command;

import java.time.Duration;

/** How a command ended. */
public sealed interface Outcome {

    /** It exited by itself. */
    record Exited(int code) implements Outcome {}

    /** It ran past its timeout and its process tree was killed. */
    record TimedOut(Duration after) implements Outcome {}

    /** Someone killed it: job_kill, or Belay shutting down. */
    record Killed(String by) implements Outcome {}
}
