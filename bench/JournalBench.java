import dev.belay.journal.Change;
import dev.belay.journal.Journal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The journal's part of a write_file, in process: on a generated workspace of BENCH_FILES (10,000) files, ten rounds
 * per BENCH_ITER (200) of what the tool does (outside changes looked for, the file replaced atomically, its commit), each step
 * timed. Peers have no journal, so the figure to compare is the whole call's in mcp-bench.mjs; this one says how much
 * of it is the journal's. Usage: bench/run (or java -cp belay-cli/target/belay.jar bench/JournalBench.java).
 */
public class JournalBench {

    static final int FILES = Integer.parseInt(System.getenv().getOrDefault("BENCH_FILES", "10000"));
    static final int ITER = 10 * Integer.parseInt(System.getenv().getOrDefault("BENCH_ITER", "200"));

    public static void main(String[] args) throws Exception {
        Path base = Files.createTempDirectory("belay-journal-bench");
        Path ws = Files.createDirectories(base.resolve("ws")).toRealPath();
        for (int i = 0; i < FILES; i++) {
            Path dir = Files.createDirectories(ws.resolve("pkg" + i % 100).resolve("mod" + (i / 100) % 10));
            Files.writeString(dir.resolve("file" + i + ".txt"), "line one of file " + i + "\n");
        }
        long[] capture = new long[ITER];
        long[] write = new long[ITER];
        long[] commit = new long[ITER];
        try (Journal journal = Journal.open(ws, base.resolve("journal"), "Belay", "belay@localhost")) {
            journal.awaitReady();
            Path file = Files.createDirectories(ws.resolve("out")).resolve("w.txt");
            for (int i = 0; i < ITER; i++) {
                long t0 = System.nanoTime();
                journal.captureOutsideChanges();
                long t1 = System.nanoTime();
                Path temporary = file.resolveSibling(".w.txt." + i);
                Files.writeString(temporary, "version " + i + "\n");
                Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                long t2 = System.nanoTime();
                journal.commitPaths(List.of(file), new Change("write " + i, "write_file", "bench"));
                long t3 = System.nanoTime();
                capture[i] = t1 - t0;
                write[i] = t2 - t1;
                commit[i] = t3 - t2;
            }
            long t = System.nanoTime();
            int commits = journal.history(ITER + 10, 0, null).size();
            double settle = (System.nanoTime() - t) / 1e6;
            System.out.println("| journal step, in process (" + FILES + " files, " + ITER + " rounds) "
                    + "| p50 / p90 / p99 ms |");
            System.out.println("|---|---|");
            row("outside changes looked for", capture);
            row("the file replaced (temporary file, rename)", write);
            row("its commit (answered; objects written behind)", commit);
            System.out.printf("| history of %d commits, after the last round (waits for what is pending) | %.2f |%n",
                    commits, settle);
        } finally {
            try (Stream<Path> all = Files.walk(base)) {
                for (Path path : all.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
            }
        }
    }

    static void row(String name, long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        System.out.printf("| %s | %.3f / %.3f / %.3f |%n", name, sorted[sorted.length / 2] / 1e6,
                sorted[sorted.length * 9 / 10] / 1e6, sorted[sorted.length * 99 / 100] / 1e6);
    }
}
