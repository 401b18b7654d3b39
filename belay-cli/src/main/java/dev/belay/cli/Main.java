package dev.belay.cli;

import dev.belay.door.mcp.EarlyAnswers;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/** The {@code belay} command. */
public final class Main {

    private static final String SLF4J_PROVIDER = "slf4j.provider";
    private static final String SIMPLE = "org.slf4j.simple.SimpleServiceProvider";
    private static final String LOGBACK = "ch.qos.logback.classic.spi.LogbackServiceProvider";

    private Main() {}

    public static void main(String[] args) {
        // before the JDK's HTTP client reads it: plain http through a proxy goes to the address the egress policy
        // checked, with the name in a Host header the client refuses by default (WebClient)
        if (System.getProperty("jdk.httpclient.allowRestrictedHeaders") == null) {
            System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host");
        }
        // before the first logger: the level of Belay's own log lines (simplelogger.properties has the rest)
        String level = System.getenv("BELAY_LOG_LEVEL");
        if (level != null && !level.isBlank()) {
            System.setProperty(JsonLogs.BELAY_LEVEL, level.strip().toLowerCase(Locale.ROOT));
        }
        // and the backend: SLF4J's simple one for people, logback (JsonLogs) for JSON lines
        boolean json = jsonLogs(List.of(args), System.getenv("BELAY_LOG_FORMAT"));
        if (System.getProperty(SLF4J_PROVIDER) == null) {
            System.setProperty(SLF4J_PROVIDER, json ? LOGBACK : SIMPLE);
            // SLF4J says which provider it was told to load, on every start: only its warnings are worth a line
            System.setProperty("slf4j.internal.verbosity", "WARN");
        }
        if (json) {
            System.setErr(new PrintStream(
                    new StderrLines(LoggerFactory.getLogger(JsonLogs.STDERR)), true, StandardCharsets.UTF_8));
        }
        LaunchEnvironment env = LaunchEnvironment.read();
        String first = args.length == 0 ? "" : args[0];
        // an MCP client waits for initialize and tools/list: they are answered while the rest starts (McpStart)
        Optional<EarlyAnswers> early = first.equals("mcp")
                ? Optional.of(McpStart.begin(List.of(args), env, System.in, System.out))
                : Optional.empty();
        System.exit(commandLine(first, env, early).execute(args));
    }

    /**
     * Whether the command line (or else the environment) asks for JSON logs. Read before picocli parses it, since
     * loggers are made as classes load; picocli checks the value again, and refuses one that is neither format.
     */
    static boolean jsonLogs(List<String> args, String environment) {
        String format = environment;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("--")) {
                break;
            } else if (arg.equals(ObservabilityOptions.LOG_FORMAT) && i + 1 < args.size()) {
                format = args.get(i + 1);
            } else if (arg.startsWith(ObservabilityOptions.LOG_FORMAT + "=")) {
                format = arg.substring(ObservabilityOptions.LOG_FORMAT.length() + 1);
            }
        }
        return "json".equals(format);
    }

    /** The command line with every subcommand, as {@code belay --help} lists them. */
    static CommandLine commandLine() {
        return commandLine("", LaunchEnvironment.read(), Optional.empty());
    }

    /**
     * The command line with Belay's error handling: one clear line, never a stack trace, picocli's exit codes. The
     * options that read secrets get the launcher's environment through picocli's factory. When {@code first} names a
     * subcommand (other than help, which describes the others) only that one is built.
     */
    static CommandLine commandLine(String first, LaunchEnvironment env, Optional<EarlyAnswers> early) {
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
                if (type == ServeCommand.class) {
                    return type.cast(new ServeCommand(env));
                }
                if (type == TokenCommand.class) {
                    return type.cast(new TokenCommand(env));
                }
                if (type == AgentCommand.class) {
                    return type.cast(new AgentCommand(env));
                }
                if (type == McpCommand.class) {
                    return type.cast(new McpCommand(early));
                }
                return defaults.create(type);
            }
        };
        CommandLine cli = new CommandLine(new BelayCommand(), factory);
        boolean named =
                !first.equals("help") && BelayCommand.SUBCOMMANDS.stream().anyMatch(c -> name(c).equals(first));
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
