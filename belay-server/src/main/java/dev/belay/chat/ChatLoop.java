package dev.belay.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import dev.belay.door.export.FunctionTool;
import dev.belay.tool.CallContext;
import dev.belay.tool.Failure;
import dev.belay.tool.ToolCall;
import dev.belay.tool.ToolCaller;
import dev.belay.tool.ToolResult;
import dev.belay.tool.ToolSpec;
import dev.belay.tool.UnknownToolException;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonRawSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Belay's own agent loop for any OpenAI-compatible model: stream the model's answer, run the tools it asks for
 * through the guarded caller (so approval, rules and audit apply as at every door), feed the results back, and repeat
 * until it answers without tool calls or the step limit is reached. Models without native tool calling use the tag
 * protocol instead ({@link TagParser}). Tool outputs are cut to a budget, and the oldest are shortened first when the
 * conversation outgrows the context window.
 */
public final class ChatLoop {

    /** How tools reach the model: native function calling, or tags in plain text. */
    public enum ToolProtocol { NATIVE, TAGS }

    /**
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

        default void token(String text) {
        }

        default void toolCall(ChatMessage.ToolRequest request) {
        }

        default void toolResult(ChatMessage.ToolRequest request, ToolResult result, long millis) {
        }

        default void notice(String text) {
        }
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

    private static final int SHORTENED = 300;

    private final StreamingChatModel model;
    private final ToolCaller caller;
    private final Supplier<String> systemPrompt;
    private final Settings settings;
    private final JsonMapper json = JsonMapper.builder().build();
    private final List<ToolSpecification> specifications;

    /**
     * @param caller the guarded caller every door uses
     * @param systemPrompt made fresh for each model request (the workspace changes as the turn goes on)
     */
    public ChatLoop(StreamingChatModel model, ToolCaller caller, Supplier<String> systemPrompt, Settings settings) {
        this.model = model;
        this.caller = caller;
        this.systemPrompt = systemPrompt;
        this.settings = settings;
        this.specifications = caller.tools().stream().map(ChatLoop::specification).toList();
    }

    /** Runs one user message to the model's answer, appending everything to the conversation; returns the answer. */
    public String run(Conversation conversation, String userText, Events events, Stop stop) {
        conversation.messages().add(new ChatMessage.User(userText));
        // the turn's journal checkpoint: undo can rewind the conversation to before this message
        String turn = "turn-" + conversation.messages().stream().filter(ChatMessage.User.class::isInstance).count();
        String answer = "";
        for (int step = 0; step < settings.maxSteps(); step++) {
            if (stop.stopped()) {
                events.notice("Stopped.");
                return answer;
            }
            ChatResponse response;
            try {
                response = stream(conversation, events, stop);
            } catch (StoppedException e) {
                events.notice("Stopped.");
                return answer;
            }
            AiMessage message = response.aiMessage();
            answer = message.text() == null ? "" : message.text();
            List<ChatMessage.ToolRequest> requests = requests(message);
            conversation.messages().add(new ChatMessage.Assistant(answer, requests));
            if (requests.isEmpty()) {
                return answer;
            }
            runTools(conversation, turn, requests, events, stop);
        }
        String limit = "Stopped after " + settings.maxSteps() + " model steps (the step limit) without a final "
                + "answer; send another message to continue.";
        events.notice(limit);
        return answer.isEmpty() ? limit : answer + "\n\n" + limit;
    }

    private List<ChatMessage.ToolRequest> requests(AiMessage message) {
        if (settings.protocol() == ToolProtocol.NATIVE) {
            return message.hasToolExecutionRequests() ? message.toolExecutionRequests().stream()
                    .map(r -> new ChatMessage.ToolRequest(r.id(), r.name(), r.arguments())).toList() : List.of();
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
    private void runTools(Conversation conversation, String turn, List<ChatMessage.ToolRequest> requests,
            Events events, Stop stop) {
        List<Future<ToolResult>> running = new ArrayList<>();
        for (ChatMessage.ToolRequest request : requests) {
            events.toolCall(request);
            CompletableFuture<ToolResult> result = new CompletableFuture<>();
            Thread worker = Thread.ofVirtual().name("chat-tool").start(() -> result.complete(call(conversation,
                    turn, request)));
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
            conversation.messages().add(new ChatMessage.ToolOutput(request.id(), request.tool(),
                    budget(result.text()), result.isError()));
        }
    }

    private ToolResult call(Conversation conversation, String turn, ChatMessage.ToolRequest request) {
        ObjectNode arguments;
        try {
            JsonNode parsed = json.readTree(request.arguments() == null || request.arguments().isBlank() ? "{}"
                    : request.arguments());
            if (!(parsed instanceof ObjectNode object)) {
                return ToolResult.error("The arguments of " + request.tool() + " must be a JSON object.");
            }
            arguments = object;
        } catch (JacksonException e) {
            return ToolResult.error("The arguments of " + request.tool() + " are not valid JSON ("
                    + e.getOriginalMessage() + "); send them again as one JSON object.");
        }
        try {
            return caller.call(new ToolCall(request.tool(), arguments, CallContext.of("chat", conversation.id())
                    .withTurn(turn)));
        } catch (UnknownToolException e) {
            return ToolResult.error(Failure.NOT_FOUND, "There is no tool named " + request.tool() + "; use one of: "
                    + String.join(", ", caller.tools().stream().map(ToolSpec::name).toList()) + ".");
        }
    }

    /** One tool result as the model gets it: the head and tail of a long one, with how to get the rest. */
    String budget(String text) {
        int max = settings.toolOutputChars();
        if (text.length() <= max) {
            return text;
        }
        int half = max / 2;
        return text.substring(0, half) + "\n[… " + (text.length() - max) + " characters cut here to save context; "
                + "ask for less (read_file with offset and limit, job_output with an offset, search_files) to see "
                + "them …]\n" + text.substring(text.length() - half);
    }

    private static final class StoppedException extends RuntimeException {
        StoppedException() {
            super(null, null, false, false);
        }
    }

    private ChatResponse stream(Conversation conversation, Events events, Stop stop) {
        ChatRequest.Builder request = ChatRequest.builder().messages(messages(conversation));
        if (settings.protocol() == ToolProtocol.NATIVE && !specifications.isEmpty()) {
            request.toolSpecifications(specifications);
        }
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        AtomicReference<PartialResponseContext> handle = new AtomicReference<>();
        stop.onStop(() -> {
            PartialResponseContext context = handle.get();
            if (context != null) {
                context.streamingHandle().cancel();
            }
            done.completeExceptionally(new StoppedException());
        });
        model.chat(request.build(), new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(PartialResponse partial, PartialResponseContext context) {
                handle.set(context);
                if (stop.stopped()) {
                    context.streamingHandle().cancel();
                } else {
                    events.token(partial.text());
                }
            }

            @Override
            public void onCompleteResponse(ChatResponse response) {
                done.complete(response);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });
        try {
            return done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoppedException();
        } catch (ExecutionException e) {
            if (stop.stopped()) {
                // a cancelled stream may report its closing as an error before the stop completes the future
                throw new StoppedException();
            }
            throw new IllegalStateException("the model request failed: " + e.getCause().getMessage(), e.getCause());
        }
    }

    /** The conversation as the model sees it, with the oldest tool outputs shortened when it is too long. */
    private List<dev.langchain4j.data.message.ChatMessage> messages(Conversation conversation) {
        List<ChatMessage> history = fitted(conversation.messages());
        List<dev.langchain4j.data.message.ChatMessage> out = new ArrayList<>();
        out.add(SystemMessage.from(systemPrompt.get()));
        for (ChatMessage message : history) {
            switch (message) {
                case ChatMessage.User u -> out.add(UserMessage.from(u.text()));
                case ChatMessage.Assistant a when settings.protocol() == ToolProtocol.NATIVE && !a.calls().isEmpty() ->
                        out.add(AiMessage.from(a.text().isEmpty() ? null : a.text(), a.calls().stream()
                                .map(c -> ToolExecutionRequest.builder().id(c.id()).name(c.tool())
                                        .arguments(c.arguments()).build()).toList()));
                case ChatMessage.Assistant a -> out.add(AiMessage.from(a.text()));
                case ChatMessage.ToolOutput t when settings.protocol() == ToolProtocol.NATIVE ->
                        out.add(ToolExecutionResultMessage.from(t.callId(), t.tool(), t.text()));
                case ChatMessage.ToolOutput t -> out.add(UserMessage.from("Result of " + t.tool()
                        + (t.error() ? " (error)" : "") + ":\n" + t.text()));
            }
        }
        return out;
    }

    /** Shortens tool outputs, oldest first, until the conversation fits the context budget. */
    List<ChatMessage> fitted(List<ChatMessage> messages) {
        List<ChatMessage> out = new ArrayList<>(messages);
        long size = out.stream().mapToLong(ChatLoop::size).sum();
        for (int i = 0; i < out.size() && size > settings.contextChars(); i++) {
            if (out.get(i) instanceof ChatMessage.ToolOutput t && t.text().length() > SHORTENED) {
                String shortened = t.text().substring(0, SHORTENED) + "\n[… shortened to fit the context window; "
                        + "call the tool again if you need this output …]";
                size -= t.text().length() - shortened.length();
                out.set(i, new ChatMessage.ToolOutput(t.callId(), t.tool(), shortened, t.error()));
            }
        }
        return out;
    }

    private static long size(ChatMessage message) {
        return switch (message) {
            case ChatMessage.User u -> u.text().length();
            case ChatMessage.Assistant a -> a.text().length() + a.calls().stream()
                    .mapToLong(c -> c.arguments() == null ? 0 : c.arguments().length()).sum();
            case ChatMessage.ToolOutput t -> t.text().length();
        };
    }

    /** A catalog tool as a native tool definition, from the function shape the exports share. */
    private static ToolSpecification specification(ToolSpec spec) {
        FunctionTool function = FunctionTool.of(spec);
        JsonObjectSchema.Builder parameters = JsonObjectSchema.builder();
        function.parameters().path("properties").properties().forEach(p -> parameters.addProperty(p.getKey(),
                JsonRawSchema.from(p.getValue().toString())));
        List<String> required = new ArrayList<>();
        function.parameters().path("required").forEach(r -> required.add(r.asString()));
        parameters.required(required).additionalProperties(false);
        return ToolSpecification.builder().name(function.name()).description(function.description())
                .parameters(parameters.build()).build();
    }
}
