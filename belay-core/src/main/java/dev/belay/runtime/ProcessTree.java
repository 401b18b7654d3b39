package dev.belay.runtime;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Kills a process with everything it started. Processes are started as the leader of their own process group
 * (via {@code setsid}), so the group takes down even children that were reparented when their parent died;
 * descendants that left the group are found through the process table.
 */
final class ProcessTree {

    private ProcessTree() {}

    static void kill(Process process, boolean ownGroup) {
        List<ProcessHandle> descendants = process.descendants().toList();
        if (ownGroup) {
            killGroup(process.pid());
        }
        process.destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
    }

    /** Kills a process group; harmless when the group is already gone. */
    static void killGroup(long pgid) {
        try {
            Process kill = new ProcessBuilder("kill", "-KILL", "--", "-" + pgid)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!kill.waitFor(5, TimeUnit.SECONDS)) {
                kill.destroyForcibly();
            }
        } catch (IOException e) {
            // no kill(1) on PATH: descendants are still killed one by one by the caller
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
