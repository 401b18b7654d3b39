package dev.belay.cli;

import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;

import dev.belay.action.ActionSetup;
import dev.belay.action.ActionSource;
import dev.belay.action.ActionStore;
import dev.belay.action.ActionStore.SetupRecord;
import dev.belay.action.InstalledAction;
import dev.belay.agent.RuntimeOptions;
import dev.belay.runtime.LocalRuntime;
import dev.belay.tool.command.Jobs;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "actions", mixinStandardHelpOptions = true,
        description = "Install, list, show, update and remove actions: tools offered to the model as action__NAME, "
                + "each a repository with a belay-action.json (see docs/actions.md).",
        subcommands = {ActionsCommand.Install.class, ActionsCommand.ListActions.class, ActionsCommand.Show.class,
                ActionsCommand.Update.class, ActionsCommand.Remove.class, HelpCommand.class})
final class ActionsCommand {

    static ActionStore store() {
        return new ActionStore(BelayDirs.fromEnvironment().actions());
    }

    /** Runs setup in the local runtime now, so its output is seen by whoever installs. */
    static int setUp(InstalledAction action, PrintWriter out) {
        try (LocalRuntime runtime = new LocalRuntime(); Jobs jobs = new Jobs(runtime, 16 * 1024)) {
            out.println("setting up " + action.name() + " in the local runtime…");
            out.flush();
            SetupRecord record = new ActionSetup(store(), jobs, RuntimeOptions.commandEnvironment()).run(action);
            if (!record.output().isEmpty()) {
                out.println(record.output().indent(2).stripTrailing());
            }
            out.println(record.ok() ? action.name() + " is ready as action__" + action.name()
                    : action.name() + " is disabled in the local runtime: its setup failed");
            return record.ok() ? 0 : 1;
        }
    }

    static String status(ActionStore store, InstalledAction action, String kind) {
        return store.setup(action, kind).map(r -> r.ok() ? "ready" : "disabled: " + r.output().lines().findFirst()
                .orElse("setup failed")).orElse("setup pending");
    }

    @Command(name = "install", mixinStandardHelpOptions = true,
            description = "Install an action from owner/repo (GitHub), a git URL or a local path, at @REF (a tag, "
                    + "branch or commit; the commit is recorded), then run its setup in the local runtime.")
    static final class Install implements Callable<Integer> {

        @Parameters(paramLabel = "SOURCE[@REF]")
        String source;

        @Option(names = "--no-setup", description = "Leave setup for the first call, in whatever runtime it runs.")
        boolean noSetup;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            InstalledAction action = store().install(ActionSource.parse(source));
            PrintWriter out = spec.commandLine().getOut();
            out.println("installed " + action.name() + " from " + action.origin());
            return noSetup ? 0 : setUp(action, out);
        }
    }

    @Command(name = "update", mixinStandardHelpOptions = true,
            description = "Fetch an installed action again from its source, at REF or at the ref it was installed "
                    + "at, and run its setup again.")
    static final class Update implements Callable<Integer> {

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Parameters(index = "1", arity = "0..1", paramLabel = "REF")
        String ref;

        @Option(names = "--no-setup", description = "Leave setup for the first call.")
        boolean noSetup;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            InstalledAction action = store().update(name, Optional.ofNullable(ref));
            PrintWriter out = spec.commandLine().getOut();
            out.println("updated " + action.name() + " to " + action.origin());
            return noSetup ? 0 : setUp(action, out);
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List installed actions.")
    static final class ListActions implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            ActionStore store = store();
            for (InstalledAction a : store.list()) {
                spec.commandLine().getOut().printf("action__%-24s %-16s %s%n", a.name(),
                        status(store, a, "local"), a.origin());
            }
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Show an installed action: origin, manifest and setup in each runtime.")
    static final class Show implements Callable<Integer> {

        @Parameters(paramLabel = "NAME")
        String name;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            ActionStore store = store();
            InstalledAction a = store.get(name);
            PrintWriter out = spec.commandLine().getOut();
            out.println("action__" + a.name() + "  from " + a.origin() + ", installed " + a.installedAt());
            out.println("files: " + a.dir());
            for (String kind : new String[] {"local", "sandbox", "container"}) {
                store.setup(a, kind).ifPresent(r -> out.println("setup in " + kind + " (" + r.at() + "): "
                        + (r.ok() ? "ok" : "FAILED, the action is disabled there")
                        + (r.output().isEmpty() ? "" : "\n" + r.output().indent(2).stripTrailing())));
            }
            out.println(a.manifest().json().toPrettyString());
            return 0;
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Remove an installed action.")
    static final class Remove implements Callable<Integer> {

        @Parameters(paramLabel = "NAME")
        String name;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            store().remove(name);
            spec.commandLine().getOut().println("removed " + name);
            return 0;
        }
    }
}
