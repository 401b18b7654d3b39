package dev.belay.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code remove NAME} of what Belay keeps by name (installed actions, mounted MCP servers). */
abstract class RemoveCommand implements Callable<Integer> {

    @Parameters(paramLabel = "NAME")
    String name;

    @Spec
    CommandSpec spec;

    /** Removes the named one, or throws saying there is none. */
    abstract void remove(String name);

    @Override
    public Integer call() {
        remove(name);
        spec.commandLine().getOut().println("removed " + name);
        return 0;
    }
}
