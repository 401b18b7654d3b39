package dev.belay.chat;

import dev.belay.tool.CallContext;
import dev.belay.tool.Failure;
import dev.belay.tool.Progress;
import dev.belay.tool.ToolCall;
import dev.belay.tool.ToolCaller;
import dev.belay.tool.ToolResult;
import dev.belay.tool.ToolSpec;
import dev.belay.tool.UnknownToolException;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.response.ChatResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Belay's own agent loop for any OpenAI-compatible model: stream the model's answer, run the tools it asks for
 * through the guarded caller (so approval, rules and audit apply as at every door), feed the results back, and repeat
 * until it answers without tool calls or the step limit is reached. Models without native tool calling use the tag
 * protocol instead ({@link TagParser}). Each request is a {@link ModelStream}; tool outputs are cut to the
 * {@link ContextBudget}, and the oldest are shortened first when the conversation outgrows the context window.
 */
public final class ChatLoop {

    /** How tools reach the model: native function calling, or tags in plain text. */
    public enum ToolProtocol {
        NATIVE,
        TAGS
    }

    /**
     * How a turn goes: the tool protocol, how many model requests it may make, and what of the conversation goes back.
     *
     * @param maxSteps model requests per user message
     * @param toolOutputChars the most of one tool result that goes back to the model
     * @param contextChars the conversation's size beyond which old tool outputs are shortened (about 4 per token)
     */
    public record Settings(ToolProtocol protocol, int maxSteps, int toolOutputChars, int contextChars) {

        public static Settings defaults(ToolProtocol protocol) {
            return new Settings(protocol, 25, 12_000, 400_000);
        }

        public Settings withMaxSteps(int steps) {
            return new Settings(protocol, steps, toolOutputChars, contextChars);
        }
    }

    /** What a turn shows as it happens. */
    public interface Events {

        default void token(String text) {}

        default void toolCall(ChatMessage.ToolRequest request) {}

        /**
         * What a running call tells of itself, about once a second (a command: how long it has run and its last
         * lines), so that its output shows before it ends.
         */
        default void toolProgress(ChatMessage.ToolRequest request, String message) {}

        /** A running call's work is this job (run_command), which the user can watch or type into while it runs. */
        default void toolJob(ChatMessage.ToolRequest request, String jobId) {}

        default void toolResult(ChatMessage.ToolRequest request, ToolResult result, long millis) {}

        default void notice(String text) {}
    }

    /** Stops a turn: the model's stream is cancelled and running tool calls are interrupted. */
    public static final class Stop {

        private final AtomicBoolean stopped = new AtomicBoolean();
        private final List<Runnable> onStop = new ArrayList<>();

        public void stop() {
            if (stopped.compareAndSet(false, true)) {
                synchronized (onStop) {
                    onStop.forEach(Runnable::run);
                }
            }
        }

        public boolean stopped() {
            return stopped.get();
        }

        void onStop(Runnable action) {
            synchronized (onStop) {
                onStop.add(action);
            }
            if (stopped.get()) {
                action.run();
            }
        }
    }

    private final ToolCaller caller;
    private final Settings settings;
    private final JsonMapper json = JsonMapper.builder().build();
    private final ContextBudget budget;
    private final ModelStream stream;

    /**
     * @param caller the guarded caller every door uses
     * @param systemPrompt made fresh for each model request (the workspace changes as the turn goes on)
     */
    public ChatLoop(StreamingChatModel model, ToolCaller caller, Supplier<String> systemPrompt, Settings settings) {
        this.caller = caller;
        this.settings = settings;
        this.budget = new ContextBudget(settings.toolOutputChars(), settings.contextChars());
        this.stream = new ModelStream(model, systemPrompt, settings.protocol(), budget, caller.tools());
    }

    /**
     * Runs one user message to the model's answer; returns the answer.
     *
     * @param conversation the conversation so far, which this turn continues
     * @param transcript takes each message of the turn as soon as it is complete: the conversation's one writer
     */
    public String run(
            Conversation conversation, String userText, Consumer<ChatMessage> transcript, Events events, Stop stop) {
        List<ChatMessage> history = new ArrayList<>(conversation.messages());
        Consumer<ChatMessage> record = message -> {
            history.add(message);
            transcript.accept(message);
        };
        record.accept(new ChatMessage.User(userText));
        // the turn's journal checkpoint: undo can rewind the conversation to before this message
        String turn = "turn-"
                + history.stream().filter(ChatMessage.User.class::isInstance).count();
        String answer = "";
        for (int step = 0; step < settings.maxSteps(); step++) {
            if (stop.stopped()) {
                events.notice("Stopped.");
                return answer;
            }
            ChatResponse response;
            try {
                response = stream.next(history, events, stop);
            } catch (ModelStream.StoppedException e) {
                events.notice("Stopped.");
                return answer;
            }
            AiMessage message = response.aiMessage();
            answer = message.text() == null ? "" : message.text();
            List<ChatMessage.ToolRequest> requests = requests(message);
            record.accept(new ChatMessage.Assistant(answer, requests));
            if (requests.isEmpty()) {
                return answer;
            }
            runTools(conversation.id(), turn, requests, record, events, stop);
        }
        String limit = "Stopped after " + settings.maxSteps() + " model steps (the step limit) without a final "
                + "answer; send another message to continue.";
        events.notice(limit);
        return answer.isEmpty() ? limit : answer + "\n\n" + limit;
    }

    private List<ChatMessage.ToolRequest> requests(AiMessage message) {
        if (settings.protocol() == ToolProtocol.NATIVE) {
            return message.hasToolExecutionRequests()
                    ? message.toolExecutionRequests().stream()
                            .map(r -> new ChatMessage.ToolRequest(r.id(), r.name(), r.arguments()))
                            .toList()
                    : List.of();
        }
        TagParser tags = new TagParser();
        tags.feed(message.text() == null ? "" : message.text());
        List<ChatMessage.ToolRequest> requests = new ArrayList<>();
        for (TagParser.Call call : tags.calls()) {
            requests.add(new ChatMessage.ToolRequest("tag-" + (requests.size() + 1), call.tool(), call.arguments()));
        }
        return requests;
    }

    /** Runs a step's tool calls, several at once when the model asked for several. */
    private void runTools(
            String session,
            String turn,
            List<ChatMessage.ToolRequest> requests,
            Consumer<ChatMessage> record,
            Events events,
            Stop stop) {
        List<Future<ToolResult>> running = new ArrayList<>();
        for (ChatMessage.ToolRequest request : requests) {
            events.toolCall(request);
            CompletableFuture<ToolResult> result = new CompletableFuture<>();
            Thread worker = Thread.ofVirtual()
                    .name("chat-tool")
                    .start(() -> result.complete(call(session, turn, request, progress(request, events))));
            stop.onStop(worker::interrupt);
            running.add(result);
        }
        for (int i = 0; i < requests.size(); i++) {
            ChatMessage.ToolRequest request = requests.get(i);
            long start = System.nanoTime();
            ToolResult result;
            try {
                result = running.get(i).get();
            } catch (InterruptedException | ExecutionException e) {
                result = ToolResult.error(Failure.FAILED, "The call was stopped.");
            }
            events.toolResult(request, result, (System.nanoTime() - start) / 1_000_000);
            record.accept(new ChatMessage.ToolOutput(
                    request.id(), request.tool(), budget.toolOutput(result.text()), result.isError()));
        }
    }

    /** Passes a call's progress on to the turn's events, as the call's own. */
    private static Progress progress(ChatMessage.ToolRequest request, Events events) {
        return new Progress() {
            @Override
            public void report(double done, Double total, String message) {
                events.toolProgress(request, message);
            }

            @Override
            public void runsAs(String jobId) {
                events.toolJob(request, jobId);
            }
        };
    }

    private ToolResult call(String session, String turn, ChatMessage.ToolRequest request, Progress progress) {
        ObjectNode arguments;
        try {
            JsonNode parsed = json.readTree(
                    request.arguments() == null || request.arguments().isBlank() ? "{}" : request.arguments());
            if (!(parsed instanceof ObjectNode object)) {
                return ToolResult.error("The arguments of " + request.tool() + " must be a JSON object.");
            }
            arguments = object;
        } catch (JacksonException e) {
            return ToolResult.error("The arguments of " + request.tool() + " are not valid JSON ("
                    + e.getOriginalMessage() + "); send them again as one JSON object.");
        }
        try {
            return caller.call(
                    new ToolCall(request.tool(), arguments, new CallContext("chat", session, turn, progress)));
        } catch (UnknownToolException e) {
            return ToolResult.error(
                    Failure.NOT_FOUND,
                    "There is no tool named " + request.tool() + "; use one of: "
                            + String.join(
                                    ", ",
                                    caller.tools().stream().map(ToolSpec::name).toList()) + ".");
        }
    }
}
