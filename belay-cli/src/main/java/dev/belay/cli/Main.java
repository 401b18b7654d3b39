package dev.belay.cli;

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
        System.exit(commandLine().execute(args));
    }

    /** The command line with Belay's error handling: one clear line, never a stack trace, picocli's exit codes. */
    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new BelayCommand());
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
}
