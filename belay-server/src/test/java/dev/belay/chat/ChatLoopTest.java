package dev.belay.chat;

import static dev.belay.chat.OpenAiFixture.call;
import static dev.belay.chat.OpenAiFixture.text;
import static dev.belay.chat.OpenAiFixture.tools;
import static org.assertj.core.api.Assertions.assertThat;

import dev.belay.tool.Catalog;
import dev.belay.tool.Tool;
import dev.belay.tool.ToolResult;
import dev.belay.tool.ToolSpecs;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** The loop against the OpenAI-wire fixture: streamed tokens, tool calls in fragments, results fed back. */
class ChatLoopTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final OpenAiFixture fixture;
    private final List<String> ran = new ArrayList<>();
    /** What the turns handed to their transcript, as a store would keep it. */
    private final List<ChatMessage> recorded = new ArrayList<>();

    private final Catalog catalog;

    ChatLoopTest() throws Exception {
        fixture = new OpenAiFixture();
        ObjectNode echoSpec = (ObjectNode) JSON.readTree("""
                {"name": "echo", "title": "Echo", "description": "Says the text back.",
                 "annotations": {"readOnlyHint": true},
                 "inputSchema": {"type": "object", "properties": {"text": {"type": "string", "maxLength": 100000}},
                                 "required": ["text"], "additionalProperties": false}}""");
        ObjectNode bigSpec = echoSpec.deepCopy().put("name", "big");
        catalog = new Catalog(List.of(
                new Tool(ToolSpecs.parse(echoSpec), call -> {
                    ran.add(call.arguments().get("text").asString());
                    return ToolResult.ok("echo: " + call.arguments().get("text").asString());
                }),
                new Tool(ToolSpecs.parse(bigSpec), call -> ToolResult.ok("x".repeat(50_000))),
                new Tool(ToolSpecs.parse(echoSpec.deepCopy().put("name", "busy")), call -> {
                    call.context().progress().runsAs("job-1");
                    call.context()
                            .progress()
                            .report(
                                    1,
                                    null,
                                    "running 1 s: "
                                            + call.arguments().path("text").asString());
                    return ToolResult.ok("busy done");
                })));
    }

    @AfterEach
    void close() {
        fixture.close();
    }

    private ChatLoop loop(ChatLoop.ToolProtocol protocol, int steps) {
        var model = OpenAiStreamingChatModel.builder()
                .baseUrl(fixture.baseUrl())
                .apiKey("test-key")
                .modelName("fixture-model")
                .timeout(Duration.ofSeconds(30))
                .build();
        return new ChatLoop(
                model,
                catalog,
                () -> "system prompt",
                ChatLoop.Settings.defaults(protocol).withMaxSteps(steps));
    }

    private static Conversation conversation() {
        return new Conversation("chat-test", "test", Instant.now(), List.of());
    }

    @Test
    void streamsRunsAToolCallFromFragmentsAndFeedsTheResultBack() {
        fixture.script(tools(call("call_1", "echo", "{\"te", "xt\": \"h", "i\"}")), text("Done", ", it said hi."));
        Conversation c = conversation();
        StringBuilder streamed = new StringBuilder();
        String answer = loop(ChatLoop.ToolProtocol.NATIVE, 5)
                .run(
                        c,
                        "say hi",
                        recorded::add,
                        new ChatLoop.Events() {
                            @Override
                            public void token(String text) {
                                streamed.append(text);
                            }
                        },
                        new ChatLoop.Stop());

        assertThat(answer).isEqualTo("Done, it said hi.");
        assertThat(streamed.toString()).isEqualTo("Done, it said hi.");
        assertThat(ran).containsExactly("hi");
        assertThat(recorded).hasSize(4);
        JsonNode first = fixture.requests().get(0);
        assertThat(first.path("stream").asBoolean()).isTrue();
        JsonNode echo = first.path("tools").get(0).path("function");
        assertThat(echo.path("name").asString()).isEqualTo("echo");
        assertThat(echo.path("parameters")
                        .path("properties")
                        .path("text")
                        .path("maxLength")
                        .asInt())
                .as("the tool's own schema reaches the model")
                .isEqualTo(100000);
        JsonNode fedBack = fixture.requests().get(1).path("messages");
        JsonNode toolMessage = fedBack.get(fedBack.size() - 1);
        assertThat(toolMessage.path("role").asString()).isEqualTo("tool");
        assertThat(toolMessage.path("tool_call_id").asString()).isEqualTo("call_1");
        assertThat(toolMessage.path("content").asString()).isEqualTo("echo: hi");
        assertThat(fixture.authorizations()).allMatch("Bearer test-key"::equals);
    }

    @Test
    void aRunningCallsProgressAndJobReachTheTurnsEventsAsThatCallsOwn() {
        fixture.script(tools(call("call_9", "busy", "{\"text\": \"first line\"}")), text("done"));
        List<String> seen = new ArrayList<>();
        loop(ChatLoop.ToolProtocol.NATIVE, 5)
                .run(
                        conversation(),
                        "work",
                        recorded::add,
                        new ChatLoop.Events() {
                            @Override
                            public void toolProgress(ChatMessage.ToolRequest request, String message) {
                                seen.add(request.id() + " progress: " + message);
                            }

                            @Override
                            public void toolJob(ChatMessage.ToolRequest request, String jobId) {
                                seen.add(request.id() + " runs as " + jobId);
                            }

                            @Override
                            public void toolResult(ChatMessage.ToolRequest request, ToolResult result, long millis) {
                                seen.add(request.id() + " result: " + result.text());
                            }
                        },
                        new ChatLoop.Stop());
        assertThat(seen)
                .containsExactly(
                        "call_9 runs as job-1", "call_9 progress: running 1 s: first line", "call_9 result: busy done");
    }

    @Test
    void parallelCallsInOneTurnAllRunAndAllGoBack() {
        fixture.script(
                tools(call("a", "echo", "{\"text\":", " \"one\"}"), call("b", "echo", "{\"text\": \"two\"}")),
                text("both done"));
        Conversation c = conversation();
        assertThat(loop(ChatLoop.ToolProtocol.NATIVE, 5)
                        .run(c, "two at once", recorded::add, new ChatLoop.Events() {}, new ChatLoop.Stop()))
                .isEqualTo("both done");
        assertThat(ran).containsExactlyInAnyOrder("one", "two");
        JsonNode messages = fixture.requests().get(1).path("messages");
        assertThat(messages.get(messages.size() - 2).path("tool_call_id").asString())
                .isEqualTo("a");
        assertThat(messages.get(messages.size() - 1).path("tool_call_id").asString())
                .isEqualTo("b");
    }

    @Test
    void theStepLimitStopsTheLoopAndSaysSo() {
        fixture.script(tools(call("1", "echo", "{\"text\": \"a\"}")), tools(call("2", "echo", "{\"text\": \"b\"}")));
        String answer = loop(ChatLoop.ToolProtocol.NATIVE, 2)
                .run(conversation(), "loop", recorded::add, new ChatLoop.Events() {}, new ChatLoop.Stop());
        assertThat(answer).contains("step limit");
        assertThat(fixture.requests()).hasSize(2);
    }

    @Test
    void theTagProtocolRunsTagsOutsideFencesAndAnswersWithAMessage() {
        fixture.script(
                text(
                        "Example: ```<tool name=\"echo\">{\"text\": \"no\"}</tool>``` now <to",
                        "ol name=\"echo\">{\"te",
                        "xt\": \"yes\"}</tool",
                        ">"),
                text("ok"));
        Conversation c = conversation();
        assertThat(loop(ChatLoop.ToolProtocol.TAGS, 5)
                        .run(c, "tags", recorded::add, new ChatLoop.Events() {}, new ChatLoop.Stop()))
                .isEqualTo("ok");
        assertThat(ran).containsExactly("yes");
        assertThat(fixture.requests().get(0).has("tools")).isFalse();
        JsonNode messages = fixture.requests().get(1).path("messages");
        assertThat(messages.get(messages.size() - 1).path("role").asString()).isEqualTo("user");
        assertThat(messages.get(messages.size() - 1).path("content").asString())
                .startsWith("Result of echo:")
                .contains("echo: yes");
    }

    @Test
    void longOutputsAreCutAndUnknownToolsAndBadArgumentsAreResultsTheModelCanFix() {
        fixture.script(
                tools(call("1", "big", "{\"text\": \"\"}"), call("2", "nope", "{}"), call("3", "echo", "{bad")),
                text("noted"));
        Conversation c = conversation();
        loop(ChatLoop.ToolProtocol.NATIVE, 5)
                .run(c, "go", recorded::add, new ChatLoop.Events() {}, new ChatLoop.Stop());
        List<ChatMessage.ToolOutput> outputs = recorded.stream()
                .filter(ChatMessage.ToolOutput.class::isInstance)
                .map(ChatMessage.ToolOutput.class::cast)
                .toList();
        assertThat(outputs.get(0).text()).hasSizeLessThan(13_000).contains("characters cut");
        assertThat(outputs.get(1).text()).contains("no tool named nope");
        assertThat(outputs.get(2).error()).isTrue();
        assertThat(outputs.get(2).text()).contains("not valid JSON");
    }

    @Test
    void stopCancelsTheStream() throws Exception {
        fixture.script(
                OpenAiFixture.slowText(200, "one ", "two ", "three ", "four ", "five ", "six ", "seven ", "eight"));
        ChatLoop.Stop stop = new ChatLoop.Stop();
        List<String> notices = new ArrayList<>();
        CompletableFuture<String> answer = CompletableFuture.supplyAsync(() -> loop(ChatLoop.ToolProtocol.NATIVE, 5)
                .run(
                        conversation(),
                        "count",
                        recorded::add,
                        new ChatLoop.Events() {
                            @Override
                            public void token(String text) {
                                stop.stop();
                            }

                            @Override
                            public void notice(String text) {
                                notices.add(text);
                            }
                        },
                        stop));
        answer.get(5, TimeUnit.SECONDS);
        assertThat(notices).containsExactly("Stopped.");
    }

    @Test
    void oldToolOutputsAreShortenedFirstWhenTheConversationOutgrowsTheContext() {
        ContextBudget small = new ContextBudget(12_000, 15_000);
        List<ChatMessage> history = List.of(
                new ChatMessage.ToolOutput("1", "big", "a".repeat(10_000), false),
                new ChatMessage.ToolOutput("2", "big", "b".repeat(10_000), false));
        List<ChatMessage> fitted = small.fitted(history);
        assertThat(((ChatMessage.ToolOutput) fitted.get(0)).text())
                .hasSizeLessThan(500)
                .contains("shortened");
        assertThat(((ChatMessage.ToolOutput) fitted.get(1)).text()).hasSize(10_000);
    }
}
