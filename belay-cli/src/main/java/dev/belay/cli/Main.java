package dev.belay.cli;

import java.util.Locale;

import picocli.CommandLine;

/** The {@code belay} command. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        // before the JDK's HTTP client reads it: plain http through a proxy goes to the address the egress policy
        // checked, with the name in a Host header the client refuses by default (WebClient)
        if (System.getProperty("jdk.httpclient.allowRestrictedHeaders") == null) {
            System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host");
        }
        // before the first logger: the level of Belay's own log lines (simplelogger.properties has the rest)
        String level = System.getenv("BELAY_LOG_LEVEL");
        if (level != null && !level.isBlank()) {
            System.setProperty("org.slf4j.simpleLogger.log.dev.belay", level.strip().toLowerCase(Locale.ROOT));
        }
        System.exit(commandLine(args.length == 0 ? "" : args[0], LaunchEnvironment.read()).execute(args));
    }

    /** The command line with every subcommand, as {@code belay --help} lists them. */
    static CommandLine commandLine() {
        return commandLine("", LaunchEnvironment.read());
    }

    /**
     * The command line with Belay's error handling: one clear line, never a stack trace, picocli's exit codes. The
     * options that read secrets get the launcher's environment through picocli's factory. When {@code first} names a
     * subcommand (other than help, which describes the others) only that one is built.
     */
    static CommandLine commandLine(String first, LaunchEnvironment env) {
        CommandLine.IFactory defaults = CommandLine.defaultFactory();
        CommandLine.IFactory factory = new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> type) throws Exception {
                if (type == ModelOptions.class) {
                    return type.cast(new ModelOptions(env));
                }
                if (type == EngineOptions.class) {
                    return type.cast(new EngineOptions(env));
                }
                if (type == AgentCommand.class) {
                    return type.cast(new AgentCommand(env));
                }
                return defaults.create(type);
            }
        };
        CommandLine cli = new CommandLine(new BelayCommand(), factory);
        boolean named = !first.equals("help") && BelayCommand.SUBCOMMANDS.stream().anyMatch(c -> name(c).equals(first));
        for (Class<?> subcommand : BelayCommand.SUBCOMMANDS) {
            if (!named || name(subcommand).equals(first)) {
                cli.addSubcommand(subcommand);
            }
        }
        cli.setParameterExceptionHandler((e, args) -> {
            CommandLine cmd = e.getCommandLine();
            cmd.getErr().println("belay: " + e.getMessage());
            cmd.getErr().println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help'.");
            return CommandLine.ExitCode.USAGE;
        });
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("belay: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            return e instanceof UsageException ? CommandLine.ExitCode.USAGE : CommandLine.ExitCode.SOFTWARE;
        });
        return cli;
    }

    private static String name(Class<?> subcommand) {
        return subcommand.getAnnotation(CommandLine.Command.class).name();
    }
}
