package dev.belay.cli;

import dev.belay.action.ActionManifest;
import dev.belay.action.ActionSetup;
import dev.belay.action.ActionSource;
import dev.belay.action.ActionStore;
import dev.belay.action.ActionStore.SetupRecord;
import dev.belay.action.InstalledAction;
import dev.belay.agent.RuntimeOptions;
import dev.belay.policy.TerminalApprover;
import dev.belay.runtime.LocalRuntime;
import dev.belay.tool.command.Jobs;
import java.io.Console;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.BiPredicate;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "actions",
        mixinStandardHelpOptions = true,
        description = "Install, list, show, update and remove actions: tools offered to the model as action__NAME, "
                + "each a repository with a belay-action.json (see docs/actions.md).",
        subcommands = {
            ActionsCommand.Install.class,
            ActionsCommand.ListActions.class,
            ActionsCommand.Show.class,
            ActionsCommand.Update.class,
            ActionsCommand.Remove.class,
            HelpCommand.class
        })
final class ActionsCommand {

    static ActionStore store() {
        return new ActionStore(BelayDirs.fromEnvironment().actions());
    }

    /** Runs setup in the local runtime now, so its output is seen by whoever installs. */
    static int setUp(InstalledAction action, PrintWriter out) {
        try (LocalRuntime runtime = new LocalRuntime();
                Jobs jobs = new Jobs(runtime, 16 * 1024)) {
            out.println("setting up " + action.name() + " in the local runtime…");
            out.flush();
            SetupRecord record = new ActionSetup(store(), jobs, RuntimeOptions.commandEnvironment()).run(action);
            if (!record.output().isEmpty()) {
                out.println(record.output().indent(2).stripTrailing());
            }
            out.println(
                    record.ok()
                            ? action.name() + " is ready as action__" + action.name()
                            : action.name() + " is disabled in the local runtime: its setup failed");
            return record.ok() ? 0 : 1;
        }
    }

    /**
     * Shows what is about to be installed (the manifest and the setup script, control characters escaped) and asks.
     * With {@code --yes} it only shows; with no terminal to ask on and no {@code --yes}, it refuses.
     */
    static boolean review(ActionManifest manifest, Path files, boolean yes, boolean trustReadOnly, PrintWriter out) {
        out.println("action " + manifest.name() + " (offered to the model as action__" + manifest.name() + "):");
        out.println(TerminalApprover.escape(manifest.json().toPrettyString())
                .indent(2)
                .stripTrailing());
        Optional<String> script = manifest.setup().flatMap(ActionManifest.Setup::script);
        if (script.isPresent()) {
            out.println("setup script " + script.get() + ", run on this machine by 'install' (or at the first call in "
                    + "a runtime):");
            try {
                out.println(TerminalApprover.escape(
                                Files.readString(files.resolve(script.get()).normalize()))
                        .indent(2)
                        .stripTrailing());
            } catch (IOException e) {
                out.println("  (cannot be shown: " + e.getMessage() + ")");
            }
        }
        if (manifest.spec().annotations().readOnly()) {
            out.println(
                    trustReadOnly
                            ? "It says it is read-only, and --trust-read-only believes it: it will run "
                                    + "without asking under --approve ask."
                            : "It says it is read-only; that is not believed without --trust-read-only, so it is asked "
                                    + "for like any tool that changes things.");
        }
        if (yes) {
            return true;
        }
        Console console = TerminalApprover.console().orElse(null);
        if (console == null) {
            throw new UsageException("no terminal to ask whether to install " + manifest.name() + " and run its setup; "
                    + "review the manifest above and run again with --yes to install without asking");
        }
        out.flush();
        String answer = console.readLine("Install %s and run its setup? [y/N] ", manifest.name());
        return answer != null && answer.strip().toLowerCase(Locale.ROOT).matches("y|yes");
    }

    static String status(ActionStore store, InstalledAction action, String kind) {
        return store.setup(action, kind)
                .map(r -> r.ok()
                        ? "ready"
                        : "disabled: " + r.output().lines().findFirst().orElse("setup failed"))
                .orElse("setup pending");
    }

    /** What install and update share: the manifest shown and asked about, trust in its hint, setup now or later. */
    static final class Fetching {

        /** Fetches an action; the reviewer sees its manifest and files first and may refuse. */
        @FunctionalInterface
        interface Fetch {
            InstalledAction fetch(ActionStore store, boolean trustReadOnly, BiPredicate<ActionManifest, Path> review);
        }

        @Option(names = "--no-setup", description = "Leave setup for the first call, in whatever runtime it runs.")
        boolean noSetup;

        @Option(
                names = {"-y", "--yes"},
                description = "Go ahead and run setup without asking (scripts, CI); the "
                        + "manifest is still shown. Without a terminal, this is needed.")
        boolean yes;

        @Option(
                names = "--trust-read-only",
                description = "Believe the manifest's readOnlyHint: the action then runs without asking under "
                        + "--approve ask and passes an agent's --read-only. Trust is not carried over from a version "
                        + "installed before.")
        boolean trustReadOnly;

        @Spec(Spec.Target.MIXEE)
        CommandSpec spec;

        /**
         * Fetches the action after showing and asking, says what was done ({@code done} and the action's name,
         * then {@code where} and its origin), and runs its setup unless {@code --no-setup}.
         */
        int run(Fetch fetch, String done, String where) {
            PrintWriter out = spec.commandLine().getOut();
            InstalledAction action = fetch.fetch(
                    store(), trustReadOnly, (manifest, files) -> review(manifest, files, yes, trustReadOnly, out));
            out.println(done + " " + action.name() + " " + where + " " + action.origin());
            return noSetup ? 0 : setUp(action, out);
        }
    }

    @Command(
            name = "install",
            mixinStandardHelpOptions = true,
            description = "Install an action from owner/repo (GitHub), a git URL or a local path, at @REF (a tag, "
                    + "branch or commit; the commit is recorded), then run its setup in the local runtime. Shows the "
                    + "manifest and the setup script and asks first, unless --yes.")
    static final class Install implements Callable<Integer> {

        @Parameters(paramLabel = "SOURCE[@REF]")
        String source;

        @Mixin
        Fetching fetching;

        @Override
        public Integer call() {
            return fetching.run(
                    (store, trust, review) -> store.install(ActionSource.parse(source), trust, review),
                    "installed",
                    "from");
        }
    }

    @Command(
            name = "update",
            mixinStandardHelpOptions = true,
            description = "Fetch an installed action again from its source, at REF or at the ref it was installed "
                    + "at, and run its setup again. Shows the manifest and the setup script and asks first, unless "
                    + "--yes.")
    static final class Update implements Callable<Integer> {

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Parameters(index = "1", arity = "0..1", paramLabel = "REF")
        String ref;

        @Mixin
        Fetching fetching;

        @Override
        public Integer call() {
            return fetching.run(
                    (store, trust, review) -> store.update(name, Optional.ofNullable(ref), trust, review),
                    "updated",
                    "to");
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
                spec.commandLine()
                        .getOut()
                        .printf("action__%-24s %-16s %s%n", a.name(), status(store, a, "local"), a.origin());
            }
            return 0;
        }
    }

    @Command(
            name = "show",
            mixinStandardHelpOptions = true,
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
                store.setup(a, kind)
                        .ifPresent(r -> out.println("setup in " + kind + " (" + r.at() + "): "
                                + (r.ok() ? "ok" : "FAILED, the action is disabled there")
                                + (r.output().isEmpty()
                                        ? ""
                                        : "\n" + r.output().indent(2).stripTrailing())));
            }
            out.println(TerminalApprover.escape(a.manifest().json().toPrettyString()));
            if (a.spec().annotations().readOnly()
                    != a.manifest().spec().annotations().readOnly()) {
                out.println("(its readOnlyHint is not believed: installed without --trust-read-only)");
            }
            return 0;
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Remove an installed action.")
    static final class Remove extends RemoveCommand {

        @Override
        void remove(String name) {
            store().remove(name);
        }
    }
}
