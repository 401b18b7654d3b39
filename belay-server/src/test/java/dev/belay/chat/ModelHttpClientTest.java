package dev.belay.chat;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The chat model's HTTP client against a real scripted server and against servers that send without end. */
class ModelHttpClientTest {

    private HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    /** Serves every completion request with the given writer, a status and a content type. */
    private String serve(int status, String type, Writer body) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/v1/chat/completions", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().add("Content-Type", type);
            exchange.sendResponseHeaders(status, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                body.write(out);
            } catch (IOException e) {
                // the client hung up, as it should
            } finally {
                exchange.close();
            }
        });
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    private interface Writer {
        void write(OutputStream out) throws IOException;
    }

    /** Writes the head, then the filler over and over until the client hangs up. */
    private static Writer endless(String head, String filler) {
        return out -> {
            out.write(head.getBytes(StandardCharsets.UTF_8));
            byte[] chunk =
                    filler.repeat(Math.max(1, (64 << 10) / filler.length())).getBytes(StandardCharsets.UTF_8);
            while (true) {
                out.write(chunk);
            }
        };
    }

    /** The error a one-message chat ends with (the test fails if it answers instead). */
    private static Throwable failure(String baseUrl) throws Exception {
        CompletableFuture<Throwable> failed = new CompletableFuture<>();
        ChatModels.openAi(baseUrl, Optional.empty(), "m").chat("hello", new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String partial) {}

            @Override
            public void onCompleteResponse(ChatResponse response) {
                failed.complete(null);
            }

            @Override
            public void onError(Throwable error) {
                failed.complete(error);
            }
        });
        Throwable error = failed.get(60, TimeUnit.SECONDS);
        assertThat(error).as("the chat failed").isNotNull();
        return error;
    }

    @Test
    void aStreamedAnswerArrives() throws Exception {
        try (OpenAiFixture fixture = new OpenAiFixture()) {
            fixture.script(OpenAiFixture.text("Hel", "lo"));
            CompletableFuture<String> answer = new CompletableFuture<>();
            ChatModels.openAi(fixture.baseUrl(), Optional.empty(), "m").chat("hi", new StreamingChatResponseHandler() {
                @Override
                public void onPartialResponse(String partial) {}

                @Override
                public void onCompleteResponse(ChatResponse response) {
                    answer.complete(response.aiMessage().text());
                }

                @Override
                public void onError(Throwable error) {
                    answer.completeExceptionally(error);
                }
            });
            assertThat(answer.get(30, TimeUnit.SECONDS)).isEqualTo("Hello");
        }
    }

    @Test
    void aLineWithoutEndFailsAtTheLineLimit() throws Exception {
        String url = serve(200, "text/event-stream", endless("data: ", "x"));
        assertThat(failure(url))
                .hasMessageContaining("the model server sent a line longer than Belay's limit of "
                        + ModelHttpClient.MAX_LINE_BYTES + " bytes");
    }

    @Test
    void aStreamWithoutEndFailsAtTheStreamLimit() throws Exception {
        String url = serve(200, "text/event-stream", endless("", ": still thinking\n"));
        assertThat(failure(url))
                .hasMessageContaining("the model server's streamed answer is longer than Belay's limit of "
                        + ModelHttpClient.MAX_STREAM_BYTES + " bytes");
    }

    @Test
    void anErrorsBodyIsCutForItsMessage() throws Exception {
        String url = serve(500, "text/plain", endless("overloaded ", "and more "));
        Throwable error = failure(url);
        assertThat(error.getMessage())
                .startsWith("overloaded and more")
                .endsWith("… (cut at " + ModelHttpClient.MAX_ERROR_BYTES + " bytes)")
                .hasSizeLessThan(ModelHttpClient.MAX_ERROR_BYTES + 100);
    }
}
