package dev.belay.cli;

import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

@Command(
        name = "audit",
        mixinStandardHelpOptions = true,
        description = "Print the audit log: who called which tool through which door, what was decided, how it ended.")
final class AuditCommand implements Callable<Integer> {

    @Option(
            names = {"-f", "--follow"},
            description = "Keep printing new entries as they are written.")
    boolean follow;

    @Option(
            names = {"-n", "--lines"},
            defaultValue = "50",
            description = "Entries to show. Default: ${DEFAULT-VALUE}.")
    int lines;

    @Option(names = "--json", description = "Print the raw JSON lines.")
    boolean raw;

    @Spec
    CommandSpec spec;

    private final JsonMapper json = JsonMapper.builder().build();

    @Override
    public Integer call() throws Exception {
        Path file = BelayDirs.fromEnvironment().auditLog();
        PrintWriter out = spec.commandLine().getOut();
        if (!Files.exists(file) && !follow) {
            out.println("No audit log yet (" + file + ").");
            out.flush();
            return 0;
        }
        long position = 0;
        if (Files.exists(file)) {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            all.subList(Math.max(0, all.size() - lines), all.size()).forEach(l -> out.println(format(l)));
            position = Files.size(file);
        }
        out.flush();
        while (follow) {
            Thread.sleep(300);
            if (!Files.exists(file)) {
                continue;
            }
            long size = Files.size(file);
            if (size < position) {
                position = 0; // rotated
            }
            if (size > position) {
                try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
                    raf.seek(position);
                    byte[] bytes = new byte[(int) (size - position)];
                    raf.readFully(bytes);
                    new String(bytes, StandardCharsets.UTF_8).lines().forEach(l -> out.println(format(l)));
                }
                position = size;
                out.flush();
            }
        }
        return 0;
    }

    private String format(String line) {
        if (raw) {
            return line;
        }
        try {
            JsonNode e = json.readTree(line);
            return String.format(
                    "%s  %-9s %-14s %-14s %-8s %-24s %-5s %5d ms  %s",
                    e.path("time").asString(),
                    e.path("door").asString(),
                    cut(e.path("session").asString(), 14),
                    e.path("tool").asString(),
                    e.path("decision").asString(),
                    cut(e.path("decided_by").asString(), 24),
                    e.path("outcome").asString(),
                    e.path("duration_ms").asLong(),
                    cut(e.path("arguments").toString(), 120));
        } catch (JacksonException e) {
            return line;
        }
    }

    private static String cut(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}
