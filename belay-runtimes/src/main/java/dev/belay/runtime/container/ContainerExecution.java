package dev.belay.runtime.container;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import dev.belay.runtime.Execution;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channel;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One command run by exec in the workspace's container. A bash wrapper starts it as its own process group (job
 * control) and writes the group's id where a later exec can find it, so a timeout or job_kill kills the command's
 * whole tree inside the container; when the command ends, the wrapper kills what it left running in the background,
 * and exits with the command's status (128+signal when a signal killed it, as shells report). Job notices the wrapper
 * would print go to /dev/null; the command keeps the real stderr. Output frames are handed to the reader through OS
 * pipes, which give back-pressure instead of an unbounded queue.
 */
final class ContainerExecution implements Execution {

    private static final String PIDS = "/tmp/.belay-exec/";

    private final DockerClient docker;
    private final String container;
    private final String user;
    private final String token = UUID.randomUUID().toString();
    private final ExecAttach attach;
    private final String execId;
    private final Pipe stdout;
    private final Pipe stderr;
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private volatile boolean killed;

    private ContainerExecution(
            DockerEngine engine,
            String container,
            String user,
            String cwd,
            List<String> command,
            Map<String, String> env)
            throws IOException {
        this.docker = engine.client();
        this.container = container;
        this.user = user;
        this.stdout = Pipe.open();
        this.stderr = Pipe.open();
        List<String> argv = new ArrayList<>(List.of(
                "bash",
                "-c",
                "mkdir -p " + PIDS + " && exec 3>&2 2>/dev/null; "
                        + "set -m; \"$@\" 2>&3 3>&- & pid=$!; echo $pid > " + PIDS + token + "; wait $pid; rc=$?; "
                        + "kill -KILL -- -$pid; rm -f " + PIDS + token + "; exit $rc",
                "belay"));
        argv.addAll(command);
        this.execId = docker.execCreateCmd(container)
                .withCmd(argv.toArray(String[]::new))
                .withEnv(env.entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue())
                        .toList())
                .withWorkingDir(cwd)
                .withUser(user)
                .withAttachStdin(true)
                .withAttachStdout(true)
                .withAttachStderr(true)
                .withTty(false)
                .exec()
                .getId();
        this.attach = ExecAttach.start(engine.host(), execId);
        Thread.ofVirtual().name("container-output").start(this::copyOutput);
    }

    static ContainerExecution start(
            DockerEngine engine,
            String container,
            String user,
            String cwd,
            List<String> command,
            Map<String, String> env)
            throws IOException {
        return new ContainerExecution(engine, container, user, cwd, command, env);
    }

    private void copyOutput() {
        try {
            Frame frame;
            while ((frame = attach.next()) != null) {
                Pipe.SinkChannel sink = frame.getStreamType() == StreamType.STDERR ? stderr.sink() : stdout.sink();
                write(sink, frame.getPayload());
            }
        } catch (IOException e) {
            // the connection dropped: the command is treated as ended, and its exit code asked for
        } finally {
            finish();
        }
    }

    private static void write(Pipe.SinkChannel sink, byte[] bytes) {
        try {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                sink.write(buffer);
            }
        } catch (IOException e) {
            // the reader closed its end: output nobody reads is dropped
        }
    }

    /** The exec's output ended: close ours and learn the exit code. */
    private void finish() {
        attach.close();
        closeQuietly(stdout.sink());
        closeQuietly(stderr.sink());
        exit.complete(killed ? 137 : exitCode());
    }

    private int exitCode() {
        for (int attempt = 0; attempt < 50; attempt++) {
            try {
                var inspect = docker.inspectExecCmd(execId).exec();
                if (!Boolean.TRUE.equals(inspect.isRunning()) && inspect.getExitCodeLong() != null) {
                    return inspect.getExitCodeLong().intValue();
                }
                TimeUnit.MILLISECONDS.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            } catch (RuntimeException e) {
                return -1;
            }
        }
        return -1;
    }

    /** Kills the command's process group inside the container; the wrapper then exits. */
    private void killGroup() {
        // a kill right after the start may come before the wrapper has written the group's id
        String script =
                "f=" + PIDS + token + "; for i in 1 2 3 4 5 6 7 8 9 10; do [ -f $f ] && break; sleep 0.1; done; "
                        + "[ -f $f ] && kill -KILL -- -$(cat $f) 2>/dev/null";
        try {
            String id = docker.execCreateCmd(container)
                    .withCmd("bash", "-c", script)
                    .withUser(user)
                    .withAttachStdout(true)
                    .withAttachStderr(true)
                    .exec()
                    .getId();
            docker.execStartCmd(id).exec(new ResultCallback.Adapter<>()).awaitCompletion(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // the container is gone, and everything in it
        }
    }

    @Override
    public OutputStream stdin() {
        return attach.stdin();
    }

    @Override
    public InputStream stdout() {
        return Channels.newInputStream(stdout.source());
    }

    @Override
    public InputStream stderr() {
        return Channels.newInputStream(stderr.source());
    }

    @Override
    public CompletableFuture<Integer> exit() {
        return exit;
    }

    @Override
    public void kill() {
        if (exit.isDone()) {
            return;
        }
        killed = true;
        killGroup();
    }

    private static void closeQuietly(Channel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // already closed
        }
    }
}
