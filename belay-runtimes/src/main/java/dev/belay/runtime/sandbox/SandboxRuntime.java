package dev.belay.runtime.sandbox;

import dev.belay.runtime.ExecSpec;
import dev.belay.runtime.Execution;
import dev.belay.runtime.GitBinds;
import dev.belay.runtime.LocalRuntime;
import dev.belay.runtime.Runtime;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Runs every process under bubblewrap: the workspace read-write, its journal read-only, the system directories
 * (/usr, /etc, /opt and the /bin, /lib… links) read-only, and nothing else of the host: no /run, /var, /home, /root,
 * /mnt or /sys, so no host unix socket (session bus, container engines, ssh and gpg agents) can be reached; a private
 * /tmp, new user, PID, IPC, UTS and network namespaces, no network unless allowed, no new privileges, and resource
 * limits. The call's environment reaches only the command inside: bubblewrap and the host helpers around it run with
 * a fixed environment of Belay's. Killing the process kills the sandbox's PID namespace, and with it everything inside.
 */
public final class SandboxRuntime implements Runtime {

    /** The environment of the host processes that start a sandbox; the command's own is set inside by bubblewrap. */
    static final Map<String, String> HOST_ENV = Map.of("PATH", "/usr/sbin:/usr/bin:/sbin:/bin", "LANG", "C.UTF-8");
    /** System directories shown read-only; the /bin, /lib… of merged-/usr systems are recreated as their links. */
    private static final List<String> SYSTEM =
            List.of("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/opt", "/nix");

    private final SandboxConfig config;
    private final Path bwrap;
    private final List<Path> privateEtc;
    private final LocalRuntime host;

    private SandboxRuntime(SandboxConfig config, Path bwrap, List<Path> privateEtc) {
        this.config = config;
        this.bwrap = bwrap;
        this.privateEtc = privateEtc;
        // a pids cgroup per command where Belay can make one: RLIMIT_NPROC does not bind root
        this.host = LocalRuntime.withProcessLimit(config.maxProcesses());
    }

    /**
     * Checks that bubblewrap is installed and can create namespaces here.
     *
     * @throws IllegalStateException with one line naming the fix; there is never a silent fallback
     */
    public static SandboxRuntime create(SandboxConfig config) {
        Path bwrap = Path.of("/usr/bin/bwrap");
        if (!Files.isExecutable(bwrap)) {
            throw new IllegalStateException("the sandbox runtime needs bubblewrap: install it (apt-get install "
                    + "bubblewrap) or choose --runtime local");
        }
        try {
            Process probe = new ProcessBuilder(
                            bwrap.toString(), "--ro-bind", "/", "/", "--unshare-all", "--die-with-parent", "true")
                    .redirectErrorStream(true)
                    .start();
            String out = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!probe.waitFor(10, TimeUnit.SECONDS) || probe.exitValue() != 0) {
                throw new IllegalStateException("bubblewrap cannot create namespaces here (" + out + "); check that "
                        + "user namespaces are enabled: sysctl kernel.unprivileged_userns_clone=1 and "
                        + "user.max_user_namespaces > 0");
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run bubblewrap: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking bubblewrap");
        }
        return new SandboxRuntime(config, bwrap, privateEntries(Path.of("/etc")));
    }

    /**
     * The files and directories under {@code dir} that not everyone may read (shadow, sudoers, private keys, database
     * and VPN credentials…): the sandbox shows /etc as an unprivileged user sees it, even when Belay runs as root.
     */
    static List<Path> privateEntries(Path dir) {
        List<Path> found = new ArrayList<>();
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attributes) throws IOException {
                    Set<PosixFilePermission> mode = Files.getPosixFilePermissions(d, LinkOption.NOFOLLOW_LINKS);
                    if (!d.equals(dir)
                            && !(mode.contains(PosixFilePermission.OTHERS_READ)
                                    && mode.contains(PosixFilePermission.OTHERS_EXECUTE))) {
                        found.add(d);
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                    if (attributes.isRegularFile()
                            && !Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS)
                                    .contains(PosixFilePermission.OTHERS_READ)) {
                        found.add(file);
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            // an unreadable /etc shows nothing worth hiding
        }
        return List.copyOf(found);
    }

    @Override
    public String kind() {
        return "sandbox";
    }

    @Override
    public Execution start(ExecSpec spec) throws IOException {
        return host.start(new ExecSpec(wrap(spec), spec.cwd(), HOST_ENV));
    }

    /** The bwrap command line around a command. */
    List<String> wrap(ExecSpec spec) {
        String ws = config.workspace().toString();
        List<String> argv = new ArrayList<>(
                List.of(bwrap.toString(), "--die-with-parent", "--new-session", "--unshare-all", "--clearenv"));
        spec.env().forEach((name, value) -> argv.addAll(List.of("--setenv", name, value)));
        for (String dir : SYSTEM) {
            Path path = Path.of(dir);
            if (Files.isSymbolicLink(path)) {
                try {
                    argv.addAll(
                            List.of("--symlink", Files.readSymbolicLink(path).toString(), dir));
                } catch (IOException e) {
                    // unreadable link: the directory is left out
                }
            } else if (Files.isDirectory(path)) {
                argv.addAll(List.of("--ro-bind", dir, dir));
            }
        }
        for (Path secret : privateEtc) {
            argv.addAll(
                    Files.isDirectory(secret, LinkOption.NOFOLLOW_LINKS)
                            ? List.of("--tmpfs", secret.toString())
                            : List.of("--ro-bind", "/dev/null", secret.toString()));
        }
        resolvConf().ifPresent(real -> argv.addAll(List.of("--ro-bind", real, real)));
        argv.addAll(List.of("--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp", "--tmpfs", "/var/tmp"));
        if (config.network()) {
            argv.add("--share-net");
        }
        for (Path hidden : config.hidden()) {
            // a directory that is not shown at all still exists, empty, for programs that expect their HOME
            if (Files.isDirectory(hidden)) {
                argv.addAll(List.of("--tmpfs", hidden.toString()));
            }
        }
        for (Path shared : config.readOnly()) {
            argv.addAll(List.of("--ro-bind-try", shared.toString(), shared.toString()));
        }
        argv.addAll(List.of("--bind", ws, ws));
        for (String gitPath : GitBinds.readOnly(config.workspace())) {
            argv.addAll(List.of("--ro-bind", ws + "/" + gitPath, ws + "/" + gitPath));
        }
        for (Path own : spec.ownDirs()) {
            // Belay's data directory is not shown; a directory of this command's own (a kernel's sockets) is, to it
            // alone
            argv.addAll(List.of("--bind", own.toString(), own.toString()));
        }
        // the root bubblewrap builds is a tmpfs: read-only, so that only the workspace and the temporary
        // directories take writes
        argv.addAll(List.of("--remount-ro", "/", "--chdir", spec.cwd().toString(), "--"));
        // limits apply to the command and everything it starts; the hard limits cannot be raised inside
        argv.addAll(List.of(
                "/bin/bash",
                "-c",
                "ulimit -H -S -u " + config.maxProcesses() + " -v " + config.maxMemoryKb() + " -f " + config.maxFileKb()
                        + " -t " + config.maxCpuSeconds() + " && exec \"$@\"",
                "belay-limits"));
        argv.addAll(spec.command());
        return argv;
    }

    /**
     * Where /etc/resolv.conf really is when it links out of /etc (systemd-resolved keeps it in /run), so that name
     * resolution works with the network without showing the rest of that directory.
     */
    private Optional<String> resolvConf() {
        Path conf = Path.of("/etc/resolv.conf");
        try {
            if (config.network() && Files.isSymbolicLink(conf)) {
                Path real = conf.toRealPath();
                if (!real.startsWith("/etc") && !real.startsWith("/usr")) {
                    return Optional.of(real.toString());
                }
            }
        } catch (IOException e) {
            // a dangling link: no name resolution inside, as on the host
        }
        return Optional.empty();
    }

    @Override
    public Map<String, String> describe() {
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put(
                "isolation",
                "bubblewrap: workspace read-write (its .git/hooks and .git/config read-only), /usr, /etc and /opt "
                        + "read-only, nothing else of the host (no /run, /var, /home, /sys), private /tmp, home and "
                        + "Belay's directories empty, new user/PID/IPC/UTS namespaces");
        facts.put("network", config.network() ? "the host's network" : "none");
        facts.put(
                "limits",
                "processes " + config.maxProcesses() + (host.cgroups() ? " (pids cgroup)" : "")
                        + ", memory " + (config.maxMemoryKb() >> 10)
                        + " MiB per process, file size " + (config.maxFileKb() >> 10) + " MiB, CPU "
                        + config.maxCpuSeconds() + " s per process");
        return facts;
    }

    @Override
    public void close() {
        host.close();
    }
}
