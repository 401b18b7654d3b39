package dev.belay.runtime;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.CompletableFuture;

/** A started process and everything it spawned. */
public interface Execution {

    OutputStream stdin();

    InputStream stdout();

    InputStream stderr();

    /** Completes with the exit code once the main process has exited and its leftover descendants are gone. */
    CompletableFuture<Integer> exit();

    /** Kills the whole process tree. Idempotent. */
    void kill();
}
