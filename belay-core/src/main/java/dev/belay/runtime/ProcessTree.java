package dev.belay.runtime;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Kills a process with everything it started. Processes are started as the leader of their own process group
 * (via {@code setsid}), so the group takes down even children that were reparented when their parent died;
 * descendants that left the group are found through the process table.
 */
final class ProcessTree {

    private static final int SIGKILL = 9;
    private static final int ESRCH = 3;

    /**
     * The C library's kill, bound on first use: a group is signalled by one call, where starting {@code kill(1)}
     * cost a process of its own after every command.
     */
    private interface Libc extends Library {

        Libc C = Native.load(Platform.C_LIBRARY_NAME, Libc.class);

        int kill(int pid, int signal) throws LastErrorException;
    }

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
            Libc.C.kill((int) -pgid, SIGKILL);
        } catch (LastErrorException e) {
            if (e.getErrorCode() != ESRCH) {
                killGroupWithCommand(pgid);
            }
        } catch (LinkageError e) {
            killGroupWithCommand(pgid); // JNA cannot load here (a noexec temporary directory): kill(1) does it
        }
    }

    private static void killGroupWithCommand(long pgid) {
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
