package dev.belay.action;

import dev.belay.action.ActionStore.SetupRecord;
import dev.belay.runtime.ExecSpec;
import dev.belay.tool.command.Job;
import dev.belay.tool.command.Jobs;
import dev.belay.tool.command.Outcome;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Prepares an action in one runtime, once: installs its missing Debian packages, runs its setup script in its
 * directory, then checks that the programs it requires are on the PATH. The outcome is recorded in the store; a
 * failed setup leaves the action disabled in that runtime until it is updated or set up again.
 */
public final class ActionSetup {

    // Package names and command names are pattern-checked by the manifest schema, so they can go through variables
    // split by the shell without quoting.
    private static final String SCRIPT = """
            set -e
            missing=""
            for p in $BELAY_SETUP_PACKAGES; do
              dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
            done
            if [ -n "$missing" ]; then
              echo "installing Debian packages:$missing"
              # a machine whose package lists were never fetched (a fresh container, a new CI machine) fetches them once
              DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing || {
                apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing; }
            fi
            if [ -n "$BELAY_SETUP_SCRIPT" ]; then "$BELAY_SETUP_SCRIPT"; fi
            for c in $BELAY_REQUIRED_COMMANDS; do
              command -v "$c" >/dev/null || { echo "required program $c is not on the PATH" >&2; exit 127; }
            done
            """;

    private final ActionStore store;
    private final Jobs jobs;
    private final Map<String, String> env;

    /**
     * @param env the environment setup runs with: the runtime's command environment
     */
    public ActionSetup(ActionStore store, Jobs jobs, Map<String, String> env) {
        this.store = store;
        this.jobs = jobs;
        this.env = Map.copyOf(env);
    }

    /** The recorded setup in this runtime, running it first if it never ran here. */
    public SetupRecord ensure(InstalledAction action) {
        return store.setup(action, kind()).orElseGet(() -> run(action));
    }

    /** Runs setup now, whatever was recorded, and records the outcome. */
    public SetupRecord run(InstalledAction action) {
        ActionManifest manifest = action.manifest();
        SetupRecord record;
        if (!manifest.runtimes().isEmpty() && !manifest.runtimes().contains(kind())) {
            record = new SetupRecord(
                    false,
                    action.name() + " works in the " + String.join(", ", manifest.runtimes()) + " runtime(s), not in "
                            + kind(),
                    Instant.now());
        } else {
            record = execute(action);
        }
        store.recordSetup(action, kind(), record);
        return record;
    }

    private SetupRecord execute(InstalledAction action) {
        Optional<ActionManifest.Setup> setup = action.manifest().setup();
        Map<String, String> vars = new LinkedHashMap<>(env);
        vars.put(
                "BELAY_SETUP_PACKAGES",
                String.join(" ", setup.map(ActionManifest.Setup::packages).orElse(List.of())));
        vars.put(
                "BELAY_SETUP_SCRIPT",
                setup.flatMap(ActionManifest.Setup::script)
                        .map(s -> action.dir().resolve(s).normalize().toString())
                        .orElse(""));
        vars.put("BELAY_REQUIRED_COMMANDS", String.join(" ", action.manifest().commands()));
        Duration timeout = setup.map(ActionManifest.Setup::timeout).orElse(Duration.ofMinutes(10));
        try {
            Job job = jobs.start(
                    "setup of " + action.name(),
                    new ExecSpec(List.of("bash", "-c", SCRIPT), action.dir(), vars),
                    "setup",
                    timeout,
                    false,
                    j -> Optional.empty());
            Job.Ended ended = job.ended().get(timeout.plusSeconds(30).toMillis(), TimeUnit.MILLISECONDS);
            jobs.forget(job);
            String output = (job.stdout().text() + "\n" + job.stderr().text()).strip();
            return switch (ended.outcome()) {
                case Outcome.Exited e when e.code() == 0 -> new SetupRecord(true, output, Instant.now());
                case Outcome.Exited e ->
                    new SetupRecord(false, "setup failed with exit code " + e.code() + ":\n" + output, Instant.now());
                case Outcome.TimedOut t ->
                    new SetupRecord(
                            false, "setup timed out after " + t.after().toSeconds() + " s:\n" + output, Instant.now());
                case Outcome.Killed k ->
                    new SetupRecord(false, "setup was killed by " + k.by() + ":\n" + output, Instant.now());
            };
        } catch (IOException e) {
            return new SetupRecord(false, "setup could not start bash: " + e.getMessage(), Instant.now());
        } catch (ExecutionException | TimeoutException e) {
            return new SetupRecord(false, "setup did not end: " + e, Instant.now());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during the setup of " + action.name(), e);
        }
    }

    private String kind() {
        return jobs.runtime().kind();
    }
}
