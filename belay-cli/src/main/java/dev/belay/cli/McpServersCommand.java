package dev.belay.cli;

import dev.belay.mount.MountList;
import dev.belay.mount.MountSpec;
import dev.belay.policy.TerminalApprover;
import java.io.Console;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "mcp-servers",
        mixinStandardHelpOptions = true,
        description = "Mount other MCP servers into Belay's catalog: their tools are offered as NAME__tool through "
                + "every door, under the same guard and audit.",
        subcommands = {
            McpServersCommand.Add.class,
            McpServersCommand.ListServers.class,
            McpServersCommand.Remove.class,
            HelpCommand.class
        })
final class McpServersCommand {

    static MountList mounts() {
        return new MountList(BelayDirs.fromEnvironment().mcpServers());
    }

    @Command(
            name = "add",
            mixinStandardHelpOptions = true,
            description = {
                "Mount a server: 'add NAME -- COMMAND ARGS…' starts it over stdio; "
                        + "'add NAME --url URL [--header \"Name: value\"]…' connects over Streamable HTTP; secrets in "
                        + "headers come from an environment variable (--header-env) or a prompt (--header-prompt), "
                        + "never the command line.",
                "Example: belay mcp-servers add fs -- npx -y @modelcontextprotocol/server-filesystem /srv/docs"
            })
    static final class Add implements Callable<Integer> {

        @Parameters(
                index = "0",
                paramLabel = "NAME",
                description = "Lower-case, at most 24 characters; tools appear as NAME__tool.")
        String name;

        @Parameters(index = "1..*", arity = "0..*", paramLabel = "COMMAND", description = "The server's command line.")
        List<String> command = new ArrayList<>();

        @Option(names = "--url", paramLabel = "URL", description = "A Streamable HTTP endpoint, e.g. https://host/mcp.")
        URI url;

        @Option(
                names = "--header",
                paramLabel = "NAME: VALUE",
                description =
                        "A header sent with every request (repeatable), for values that are not secret: the command "
                                + "line is visible to every local user.")
        List<String> headers = new ArrayList<>();

        @Option(
                names = "--trust-read-only",
                description = "Believe the server's readOnlyHint: its read-only tools then run without asking under "
                        + "--approve ask and pass an agent's --read-only. Without it, every tool of the server is "
                        + "treated as one that changes things, whatever it claims.")
        boolean trustReadOnly;

        @Option(
                names = "--header-env",
                paramLabel = "NAME=ENVVAR",
                description = "A header whose value is read from "
                        + "the environment variable ENVVAR now (repeatable), e.g. --header-env Authorization=MCP_AUTH.")
        List<String> headerEnv = new ArrayList<>();

        @Option(
                names = "--header-prompt",
                paramLabel = "NAME",
                description = "A header whose value is asked for at the terminal, without echo (repeatable).")
        List<String> headerPrompt = new ArrayList<>();

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            Map<String, String> parsed = new LinkedHashMap<>();
            for (String header : headers) {
                int colon = header.indexOf(':');
                if (colon < 1) {
                    throw new UsageException("--header must be 'Name: value': " + header);
                }
                String headerName = header.substring(0, colon).strip();
                if (headerName.matches("(?i).*(authorization|cookie|token|key|secret|password).*")) {
                    spec.commandLine()
                            .getErr()
                            .println("warning: the value of " + headerName + " was on the command line, which other "
                                    + "local users and your shell history can see; prefer --header-env "
                                    + headerName + "=ENVVAR or --header-prompt " + headerName);
                }
                parsed.put(headerName, header.substring(colon + 1).strip());
            }
            for (String header : headerEnv) {
                int equals = header.indexOf('=');
                if (equals < 1 || equals == header.length() - 1) {
                    throw new UsageException("--header-env must be NAME=ENVVAR: " + header);
                }
                String variable = header.substring(equals + 1);
                String value = System.getenv(variable);
                if (value == null || value.isBlank()) {
                    throw new UsageException(
                            "--header-env " + header + ": the environment variable " + variable + " is not set");
                }
                parsed.put(header.substring(0, equals).strip(), value.strip());
            }
            for (String headerName : headerPrompt) {
                Console console = TerminalApprover.console().orElse(null);
                if (console == null) {
                    throw new UsageException(
                            "--header-prompt needs a terminal; use --header-env " + headerName + "=ENVVAR instead");
                }
                char[] value = console.readPassword("Value of the %s header: ", headerName);
                if (value == null || value.length == 0) {
                    throw new UsageException("no value given for " + headerName);
                }
                parsed.put(headerName.strip(), new String(value).strip());
            }
            if (!parsed.isEmpty() && url == null) {
                throw new UsageException("--header only applies to --url servers");
            }
            try {
                MountSpec mount = new MountSpec(name, command, Optional.ofNullable(url), parsed, trustReadOnly);
                mounts().add(mount);
                spec.commandLine()
                        .getOut()
                        .println("mounted " + name + " (" + mount.target() + "); its tools appear as " + name
                                + "__TOOL the next time Belay starts");
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the mounted servers.")
    static final class ListServers implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            for (MountSpec m : mounts().list()) {
                spec.commandLine()
                        .getOut()
                        .printf(
                                "%-24s %s %s%s%n",
                                m.name(),
                                m.url().isPresent() ? "http " : "stdio",
                                m.target(),
                                m.trustReadOnly() ? "  (read-only hints trusted)" : "");
            }
            return 0;
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Unmount a server.")
    static final class Remove extends RemoveCommand {

        @Override
        void remove(String name) {
            if (!mounts().remove(name)) {
                throw new UsageException("no MCP server named " + name + " is mounted");
            }
        }
    }
}
