package dev.belay.cli;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import dev.belay.door.http.HttpConfig;
import dev.belay.door.http.HttpServer;
import dev.belay.engine.Engine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve the tools over HTTP: MCP Streamable HTTP at /mcp.")
final class ServeCommand implements Callable<Integer> {

    @Mixin
    EngineOptions options;

    @Option(names = "--host", paramLabel = "ADDR", defaultValue = "${env:BELAY_HOST:-127.0.0.1}",
            description = "Address to bind. Default: ${DEFAULT-VALUE} (loopback only).")
    String host;

    @Option(names = {"-p", "--port"}, defaultValue = "${env:BELAY_PORT:-8750}",
            description = "Port to listen on; 0 picks a free one. Default: ${DEFAULT-VALUE}.")
    int port;

    @Override
    public Integer call() throws Exception {
        if (!HttpConfig.isLoopback(host)) {
            throw new UsageException("binding to " + host + " would expose the tools without authentication; "
                    + "this build serves loopback only (--host 127.0.0.1)");
        }
        HttpConfig config = new HttpConfig(host, port, List.of(), 4 * 1024 * 1024);
        CountDownLatch stopped = new CountDownLatch(1);
        try (Engine engine = options.open(); HttpServer server = new HttpServer(config, engine.caller(), Version.current())) {
            int bound = server.start();
            System.err.println("Belay " + Version.current() + " serving " + engine.workspace().root());
            System.err.println("MCP (Streamable HTTP): http://" + (host.contains(":") ? "[" + host + "]" : host) + ":"
                    + bound + "/mcp");
            Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown));
            stopped.await();
        }
        return 0;
    }
}
