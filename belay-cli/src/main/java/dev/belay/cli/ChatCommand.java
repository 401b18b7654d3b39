package dev.belay.cli;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Callable;

import dev.belay.chat.ChatLoop;
import dev.belay.chat.ChatMessage;
import dev.belay.chat.Conversation;
import dev.belay.chat.ConversationStore;
import dev.belay.chat.SystemPrompt;
import dev.belay.engine.Engine;
import dev.belay.policy.Approvals;
import dev.belay.policy.Guard;
import dev.belay.policy.Rules;
import dev.belay.tool.ToolResult;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/** {@code belay chat}: Belay's agent loop with an OpenAI-compatible model, at the terminal. */
@Command(name = "chat", mixinStandardHelpOptions = true,
        description = {"Chat with an OpenAI-compatible model (OpenAI, Ollama, vLLM, llama.cpp, OpenRouter…) that works on "
                + "the workspace through Belay's tools, under the same approvals, rules and audit as every door.",
                "The key comes from OPENAI_API_KEY or 'belay config set api-key'. --message runs one exchange and exits."})
final class ChatCommand implements Callable<Integer> {

    private static final String OPENAI = "https://api.openai.com/v1";

    @Mixin
    EngineOptions options;

    @Mixin
    GuardOptions guardOptions;

    @Option(names = "--base-url", paramLabel = "URL", defaultValue = "${env:OPENAI_BASE_URL}",
            description = "The API's base URL, e.g. http://localhost:11434/v1 for Ollama. Default: the config's "
                    + "base-url, else " + OPENAI + "; env OPENAI_BASE_URL.")
    String baseUrl;

    @Option(names = "--model", paramLabel = "MODEL", defaultValue = "${env:BELAY_MODEL}",
            description = "The model. Default: the config's model, else gpt-4o-mini; env BELAY_MODEL.")
    String model;

    @Option(names = {"-m", "--message"}, paramLabel = "TEXT",
            description = "Run one exchange: send TEXT, print the answer, exit.")
    String message;

    @Option(names = "--conversation", paramLabel = "ID", description = "Continue a saved conversation.")
    String conversationId;

    @Option(names = "--tool-protocol", paramLabel = "native|tags", defaultValue = "native",
            description = "native function calling, or tags in plain text for models without it. Default: "
                    + "${DEFAULT-VALUE}.")
    String toolProtocol;

    @Option(names = "--max-steps", paramLabel = "N", defaultValue = "25",
            description = "Model requests per message before the loop stops and says so. Default: ${DEFAULT-VALUE}.")
    int maxSteps;

    @Option(names = "--approve", paramLabel = "MODE", defaultValue = "${env:BELAY_APPROVE:-ask}",
            description = "ask, ask-all, auto or delay:SECONDS, answered at this terminal. Default: ${DEFAULT-VALUE}.")
    String approve;

    @Override
    public Integer call() throws Exception {
        ChatLoop.ToolProtocol protocol = switch (toolProtocol) {
            case "native" -> ChatLoop.ToolProtocol.NATIVE;
            case "tags" -> ChatLoop.ToolProtocol.TAGS;
            default -> throw new UsageException("--tool-protocol must be native or tags");
        };
        if (maxSteps < 1) {
            throw new UsageException("--max-steps must be at least 1");
        }
        BelayDirs dirs = BelayDirs.fromEnvironment();
        ConfigStore config = new ConfigStore(dirs.config());
        String url = Optional.ofNullable(baseUrl).filter(u -> !u.isBlank()).or(() -> get(config, "base-url"))
                .orElse(OPENAI);
        String name = Optional.ofNullable(model).filter(m -> !m.isBlank()).or(() -> get(config, "model"))
                .orElse("gpt-4o-mini");
        String key = Optional.ofNullable(System.getenv("OPENAI_API_KEY")).filter(k -> !k.isBlank())
                .or(() -> get(config, ConfigStore.API_KEY)).orElse(null);
        if (key == null && url.startsWith(OPENAI)) {
            throw new UsageException("no API key: set OPENAI_API_KEY or run 'belay config set api-key KEY' (or point "
                    + "--base-url at a local server)");
        }
        Approvals approvals = guardOptions.approvals();
        Rules rules = guardOptions.rules();
        ConversationStore store = new ConversationStore(dirs.data().resolve("conversations"));
        PrintStream out = System.out;
        PrintStream err = System.err;
        try (Engine engine = options.open(rules)) {
            Guard guard = guardOptions.guard(engine.caller(), rules, GuardOptions.mode(approve), approvals,
                    engine.workspace().root(), dirs);
            OpenAiStreamingChatModel llm = OpenAiStreamingChatModel.builder().baseUrl(url)
                    .apiKey(key == null ? "none" : key).modelName(name).timeout(Duration.ofMinutes(10)).build();
            ChatLoop loop = new ChatLoop(llm, guard, () -> SystemPrompt.of(engine.workspace(), engine.runtimeKind(),
                    guard.tools(), protocol), ChatLoop.Settings.defaults(protocol).withMaxSteps(maxSteps));
            Conversation conversation = conversationId == null
                    ? store.create(message == null ? "Chat" : title(message))
                    : store.get(conversationId).orElseThrow(() -> new UsageException("no conversation " + conversationId));
            BlockingQueue<Optional<String>> keyboard = TerminalApprover.keyboard(new BufferedReader(
                    new InputStreamReader(System.in, StandardCharsets.UTF_8)));
            new TerminalApprover(approvals, keyboard, err).start();
            ChatLoop.Events events = new ChatLoop.Events() {
                @Override
                public void token(String text) {
                    out.print(text);
                    out.flush();
                }

                @Override
                public void toolCall(ChatMessage.ToolRequest request) {
                    err.println();
                    err.println("→ " + request.tool() + " " + request.arguments());
                }

                @Override
                public void toolResult(ChatMessage.ToolRequest request, ToolResult result, long millis) {
                    String first = result.text().lines().findFirst().orElse("");
                    err.println((result.isError() ? "✗ " : "✓ ") + request.tool() + " (" + millis + " ms) " + first);
                }

                @Override
                public void notice(String text) {
                    err.println();
                    err.println("[" + text + "]");
                }
            };
            if (message != null) {
                turn(loop, conversation, message, events, store);
                out.println();
                err.println("[conversation " + conversation.id() + "]");
                return 0;
            }
            err.println("Belay chat · " + name + " at " + url + " · conversation " + conversation.id()
                    + " · Ctrl-C stops a turn, /exit quits");
            while (true) {
                err.print("you> ");
                err.flush();
                Optional<String> line = keyboard.take();
                if (line.isEmpty() || line.get().strip().equals("/exit")) {
                    return 0;
                }
                if (!line.get().isBlank()) {
                    turn(loop, conversation, line.get(), events, store);
                    out.println();
                }
            }
        }
    }

    /** One user message to its answer; Ctrl-C meanwhile stops it. The conversation is saved either way. */
    private static void turn(ChatLoop loop, Conversation conversation, String text, ChatLoop.Events events,
            ConversationStore store) throws InterruptedException {
        ChatLoop.Stop stop = new ChatLoop.Stop();
        Signal.handle(new Signal("INT"), signal -> stop.stop());
        CompletableFuture<Void> done = CompletableFuture.runAsync(() -> loop.run(conversation, text, events, stop),
                task -> Thread.ofVirtual().start(task));
        try {
            done.join();
        } catch (RuntimeException e) {
            events.notice("The model request failed: " + (e.getCause() == null ? e : e.getCause()).getMessage());
        } finally {
            store.save(conversation);
        }
    }

    private static String title(String text) {
        String first = text.strip().lines().findFirst().orElse("Chat");
        return first.length() <= 60 ? first : first.substring(0, 59) + "…";
    }

    private static Optional<String> get(ConfigStore config, String key) {
        try {
            return config.get(key);
        } catch (java.io.IOException e) {
            throw new UsageException("cannot read the settings: " + e.getMessage());
        }
    }
}
