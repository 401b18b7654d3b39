package dev.belay.cli;

import sun.misc.Signal;

/**
 * Ctrl-C at the terminal, caught instead of ending Belay: a chat turn or an approval prompt stops, not the process.
 * The JDK has no public API for it; {@code sun.misc.Signal} (module jdk.unsupported, kept for exactly this use) is
 * used here and nowhere else (javac warns of it, and cannot be told otherwise under {@code --release}).
 */
final class CtrlC {

    private CtrlC() {}

    /** From now on, Ctrl-C runs {@code action} (on a thread of the JVM's) instead of ending the process. */
    static void onPress(Runnable action) {
        Signal.handle(new Signal("INT"), signal -> action.run());
    }
}
