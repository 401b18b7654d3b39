package dev.belay.cli;

import dev.belay.tool.code.Language;
import dev.belay.tool.code.LanguageServers;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "lsp",
        mixinStandardHelpOptions = true,
        description = {
            "The language servers behind the code tools (code_symbols, code_definition, code_references, "
                    + "code_rename, code_diagnostics), in Belay's data directory (lsp/)."
        },
        subcommands = {LspCommand.Install.class, LspCommand.ListServers.class, HelpCommand.class})
final class LspCommand {

    static Path directory() {
        return LanguageServers.directory(BelayDirs.fromEnvironment().data());
    }

    @Command(
            name = "install",
            mixinStandardHelpOptions = true,
            description = {
                "Install the language server of each LANGUAGE (python: pyright; typescript, also for JavaScript: "
                        + "typescript-language-server and typescript; bash: bash-language-server, with ShellCheck's "
                        + "diagnostics when shellcheck is installed) with npm, at pinned versions, and the node "
                        + "they run with. Needs npm and the npm registry; installing again updates to this Belay's "
                        + "versions."
            })
    static final class Install implements Callable<Integer> {

        @Parameters(paramLabel = "LANGUAGE", arity = "1..*", description = "python, typescript (or javascript), bash")
        List<String> languages;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws IOException, InterruptedException {
            List<Language> chosen = new ArrayList<>();
            for (String name : languages) {
                chosen.add(Language.named(name)
                        .orElseThrow(() -> new UsageException("unknown language '" + name + "': " + Language.names())));
            }
            Path servers = directory();
            PrintWriter out = spec.commandLine().getOut();
            npm(servers.resolve("node"), List.of(LanguageServers.nodePackage()), out);
            for (Language language : chosen.stream().distinct().toList()) {
                npm(language.home(servers), language.packages(), out);
                out.println(language.id() + ": installed in " + language.home(servers));
            }
            return 0;
        }

        /** npm install of pinned packages into a directory of their own; npm's output goes to stderr. */
        private static void npm(Path prefix, List<String> packages, PrintWriter out)
                throws IOException, InterruptedException {
            Files.createDirectories(prefix);
            out.println("npm install " + String.join(" ", packages) + " (into " + prefix + ")");
            out.flush();
            List<String> command = new ArrayList<>(List.of(
                    "npm",
                    "install",
                    "--prefix",
                    prefix.toString(),
                    "--save-exact",
                    "--no-audit",
                    "--no-fund",
                    "--loglevel=error"));
            command.addAll(packages);
            Process npm;
            try {
                npm = new ProcessBuilder(command)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .redirectError(ProcessBuilder.Redirect.INHERIT)
                        .start();
            } catch (IOException e) {
                throw new UsageException("cannot run npm (" + e.getMessage() + "): install Node.js and npm first");
            }
            npm.getOutputStream().close();
            if (npm.waitFor() != 0) {
                throw new UsageException("npm install " + String.join(" ", packages) + " failed (exit "
                        + npm.exitValue() + "); its messages are above");
            }
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Show which language servers are installed.")
    static final class ListServers implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            Path servers = directory();
            PrintWriter out = spec.commandLine().getOut();
            for (Language language : Language.values()) {
                boolean installed = Files.isRegularFile(language.script(servers));
                out.println(language.id() + ": "
                        + (installed
                                ? "installed in " + language.home(servers)
                                : "not installed; belay lsp install " + language.id()));
            }
            return 0;
        }
    }
}
