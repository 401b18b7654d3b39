package dev.belay.cli;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import dev.belay.door.mcp.McpDoor;
import dev.belay.engine.Engine;
import io.modelcontextprotocol.server.McpSyncServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "mcp", mixinStandardHelpOptions = true,
        description = "Serve the tools over MCP on stdin/stdout, for MCP clients that launch Belay. Logs go to stderr.")
final class McpCommand implements Callable<Integer> {

    @Mixin
    EngineOptions options;

    @Override
    public Integer call() throws Exception {
        CountDownLatch inputEnded = new CountDownLatch(1);
        try (Engine engine = options.open()) {
            PrintStream protocol = System.out;
            System.setOut(System.err); // nothing but the protocol may reach stdout
            McpSyncServer server = McpDoor.stdio(engine.caller(), Version.current(),
                    new EndSignallingInput(System.in, inputEnded), protocol);
            Runtime.getRuntime().addShutdownHook(new Thread(inputEnded::countDown));
            inputEnded.await();
            server.closeGracefully();
        }
        return 0;
    }

    /** Tells when the client closed our stdin: that is how an MCP client ends a stdio server. */
    private static final class EndSignallingInput extends FilterInputStream {

        private final CountDownLatch ended;

        EndSignallingInput(InputStream in, CountDownLatch ended) {
            super(in);
            this.ended = ended;
        }

        @Override
        public int read() throws IOException {
            return signal(super.read());
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return signal(super.read(b, off, len));
            } catch (IOException e) {
                ended.countDown();
                throw e;
            }
        }

        private int signal(int n) {
            if (n < 0) {
                ended.countDown();
            }
            return n;
        }
    }
}
