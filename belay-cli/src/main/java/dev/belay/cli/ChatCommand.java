package dev.belay.cli;

import dev.belay.agent.ApproveDefault;
import dev.belay.agent.GuardOptions;
import dev.belay.chat.ChatLoop;
import dev.belay.chat.ChatMessage;
import dev.belay.chat.ChatModels;
import dev.belay.chat.Conversation;
import dev.belay.chat.ConversationStore;
import dev.belay.chat.SystemPrompt;
import dev.belay.engine.Engine;
import dev.belay.policy.ApprovalMode;
import dev.belay.policy.Approvals;
import dev.belay.policy.Guard;
import dev.belay.policy.Rules;
import dev.belay.policy.TerminalApprover;
import dev.belay.telemetry.Telemetry;
import dev.belay.tool.ToolCaller;
import dev.belay.tool.ToolResult;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code belay chat}: Belay's agent loop with an OpenAI-compatible model, at the terminal. */
@Command(
        name = "chat",
        mixinStandardHelpOptions = true,
        defaultValueProvider = ApproveDefault.Ask.class,
        description = {
            "Chat with an OpenAI-compatible model (OpenAI, Ollama, vLLM, llama.cpp, OpenRouter…) that works on "
                    + "the workspace through Belay's tools, under the same approvals, rules and audit as every door.",
            "The key comes from OPENAI_API_KEY or 'belay config set api-key'. --message runs one exchange and exits."
        })
final class ChatCommand implements Callable<Integer> {

    @Mixin
    EngineOptions options;

    @Mixin
    GuardOptions guardOptions;

    @Mixin
    ModelOptions modelOptions;

    @Option(
            names = {"-m", "--message"},
            paramLabel = "TEXT",
            description = "Run one exchange: send TEXT, print the answer, exit.")
    String message;

    @Option(names = "--conversation", paramLabel = "ID", description = "Continue a saved conversation.")
    String conversationId;

    @Override
    public Integer call() throws Exception {
        BelayDirs dirs = BelayDirs.fromEnvironment();
        ModelOptions.Resolved model = modelOptions.resolve(new ConfigStore(dirs.config()));
        if (model.apiKey().isEmpty() && model.baseUrl().startsWith(ModelOptions.OPENAI)) {
            throw new UsageException("no API key: set OPENAI_API_KEY or run 'belay config set api-key KEY' (or point "
                    + "--base-url at a local server)");
        }
        ChatLoop.ToolProtocol protocol = model.protocol();
        Approvals approvals = guardOptions.approvals();
        Rules rules = guardOptions.rules();
        ConversationStore store = new ConversationStore(dirs.data().resolve("conversations"));
        PrintStream out = System.out;
        PrintStream err = System.err;
        try (Engine engine = options.open(rules)) {
            ApprovalMode mode = guardOptions.mode();
            Guard guard = guardOptions.guard(
                    engine.caller(), rules, mode, approvals, engine.workspace().root(), dirs.data(), Telemetry.NONE);
            if (TerminalApprover.console().isEmpty() && guard.tools().stream().anyMatch(mode::waitsForAnswer)) {
                // the calls would each wait for the approval timeout and then be denied
                throw new UsageException(
                        "--approve " + guardOptions.approve() + " is answered at this terminal, and there is none "
                                + "(standard input is not a terminal): use --approve auto (with --rules to limit it) "
                                + "or --approve delay:SECONDS");
            }
            OpenAiStreamingChatModel llm = ChatModels.openAi(model.baseUrl(), model.apiKey(), model.model());
            ChatLoop loop = new ChatLoop(
                    llm,
                    guard,
                    systemPrompt(engine, guard, protocol),
                    ChatLoop.Settings.defaults(protocol).withMaxSteps(model.maxSteps()));
            String id = conversationId == null
                    ? store.create(message == null ? "Chat" : title(message)).id()
                    : store.get(conversationId)
                            .map(Conversation::id)
                            .orElseThrow(() -> new UsageException("no conversation " + conversationId));
            BlockingQueue<Optional<String>> keyboard = TerminalApprover.keyboard(
                    new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)));
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
                turn(loop, store, id, message, events);
                out.println();
                err.println("[conversation " + id + "]");
                return 0;
            }
            err.println("Belay chat · " + model.model() + " at " + model.baseUrl() + " · conversation " + id
                    + " · Ctrl-C stops a turn, /exit quits");
            while (true) {
                err.print("you> ");
                err.flush();
                Optional<String> line = keyboard.take();
                if (line.isEmpty() || line.get().strip().equals("/exit")) {
                    return 0;
                }
                if (!line.get().isBlank()) {
                    turn(loop, store, id, line.get(), events);
                    out.println();
                }
            }
        }
    }

    /**
     * One user message to its answer, continuing the conversation as the store has it now; Ctrl-C meanwhile stops
     * it. Each message is stored as it comes, so a stopped or failed turn keeps what it had.
     */
    private static void turn(ChatLoop loop, ConversationStore store, String id, String text, ChatLoop.Events events) {
        Conversation conversation =
                store.get(id).orElseThrow(() -> new UsageException("conversation " + id + " was deleted"));
        ChatLoop.Stop stop = new ChatLoop.Stop();
        CtrlC.onPress(stop::stop);
        CompletableFuture<Void> done = CompletableFuture.runAsync(
                () -> loop.run(conversation, text, message -> store.append(id, message), events, stop),
                task -> Thread.ofVirtual().start(task));
        try {
            done.join();
        } catch (RuntimeException e) {
            events.notice("The model request failed: " + (e.getCause() == null ? e : e.getCause()).getMessage());
        }
    }

    private static String title(String text) {
        String first = text.strip().lines().findFirst().orElse("Chat");
        return first.length() <= 60 ? first : first.substring(0, 59) + "…";
    }

    /** The chat's system message for this engine's workspace, made fresh for each model request. */
    static Supplier<String> systemPrompt(Engine engine, ToolCaller caller, ChatLoop.ToolProtocol protocol) {
        return () -> SystemPrompt.of(
                engine.workspace().root(),
                engine.workspace().journal().history(5, 0, null).stream()
                        .map(c -> c.shortId() + " " + c.summary())
                        .toList(),
                engine.runtimeKind(),
                caller.tools(),
                protocol);
    }
}
