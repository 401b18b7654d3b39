package dev.belay.chat;

import dev.belay.door.export.FunctionTool;
import dev.belay.tool.ToolSpec;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * One model request of a turn, streamed: the conversation as the model sees it (the system prompt made fresh, then
 * the messages in the tool protocol's shape, fitted to the {@link ContextBudget}), each token passed on as it
 * arrives, and the stream cancelled when the turn is stopped.
 */
final class ModelStream {

    /** The turn was stopped while the model answered. */
    static final class StoppedException extends RuntimeException {
        StoppedException() {
            super(null, null, false, false);
        }
    }

    private final StreamingChatModel model;
    private final Supplier<String> systemPrompt;
    private final ChatLoop.ToolProtocol protocol;
    private final ContextBudget budget;
    private final List<ToolSpecification> specifications;

    /**
     * @param tools the tools offered by native function calling (the tag protocol describes them in the prompt)
     */
    ModelStream(
            StreamingChatModel model,
            Supplier<String> systemPrompt,
            ChatLoop.ToolProtocol protocol,
            ContextBudget budget,
            List<ToolSpec> tools) {
        this.model = model;
        this.systemPrompt = systemPrompt;
        this.protocol = protocol;
        this.budget = budget;
        this.specifications = tools.stream().map(ModelStream::specification).toList();
    }

    /**
     * Streams the model's answer to the conversation so far.
     *
     * @throws StoppedException when the turn was stopped meanwhile
     * @throws IllegalStateException when the model request failed
     */
    ChatResponse next(List<ChatMessage> history, ChatLoop.Events events, ChatLoop.Stop stop) {
        ChatRequest.Builder request = ChatRequest.builder().messages(messages(history));
        if (protocol == ChatLoop.ToolProtocol.NATIVE && !specifications.isEmpty()) {
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
            throw new IllegalStateException(
                    "the model request failed: " + e.getCause().getMessage(), e.getCause());
        }
    }

    /** The conversation as the model sees it, with the oldest tool outputs shortened when it is too long. */
    private List<dev.langchain4j.data.message.ChatMessage> messages(List<ChatMessage> history) {
        boolean nativeCalls = protocol == ChatLoop.ToolProtocol.NATIVE;
        List<dev.langchain4j.data.message.ChatMessage> out = new ArrayList<>();
        out.add(SystemMessage.from(systemPrompt.get()));
        for (ChatMessage message : budget.fitted(history)) {
            switch (message) {
                case ChatMessage.User u -> out.add(UserMessage.from(u.text()));
                case ChatMessage.Assistant a
                when nativeCalls && !a.calls().isEmpty() ->
                    out.add(AiMessage.from(
                            a.text().isEmpty() ? null : a.text(),
                            a.calls().stream()
                                    .map(c -> ToolExecutionRequest.builder()
                                            .id(c.id())
                                            .name(c.tool())
                                            .arguments(c.arguments())
                                            .build())
                                    .toList()));
                case ChatMessage.Assistant a -> out.add(AiMessage.from(a.text()));
                case ChatMessage.ToolOutput t
                when nativeCalls -> out.add(ToolExecutionResultMessage.from(t.callId(), t.tool(), t.text()));
                case ChatMessage.ToolOutput t ->
                    out.add(UserMessage.from(
                            "Result of " + t.tool() + (t.error() ? " (error)" : "") + ":\n" + t.text()));
            }
        }
        return out;
    }

    /** A catalog tool as a native tool definition, from the function shape the exports share. */
    private static ToolSpecification specification(ToolSpec spec) {
        FunctionTool function = FunctionTool.of(spec);
        JsonObjectSchema.Builder parameters = JsonObjectSchema.builder();
        function.parameters()
                .path("properties")
                .properties()
                .forEach(p -> parameters.addProperty(
                        p.getKey(), JsonRawSchema.from(p.getValue().toString())));
        List<String> required = new ArrayList<>();
        function.parameters().path("required").forEach(r -> required.add(r.asString()));
        parameters.required(required).additionalProperties(false);
        return ToolSpecification.builder()
                .name(function.name())
                .description(function.description())
                .parameters(parameters.build())
                .build();
    }
}
