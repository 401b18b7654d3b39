package dev.belay.door.mcp;

import dev.belay.tool.AskUser;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.modern.McpException;
import io.modelcontextprotocol.modern.McpSchema;
import io.modelcontextprotocol.modern.server.InputResponses;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import tools.jackson.databind.node.ObjectNode;

/**
 * Calls of the stateless protocol that asked their client a question (an approval, {@link AskUser}) and wait for the
 * answer across requests. MCP 2026-07-28 has no server-to-client requests: a call that needs the user's answer ends
 * its request with an {@code input_required} result, and the client calls again with the answer and the
 * {@code requestState} it was given. Here the call itself keeps running on a thread of its own, blocked where the
 * question was asked, so the terminal or the approvals page can still answer it first; the state names the round
 * (the SDK seals it with an HMAC bound to the method and tool, so a tampered or foreign state is refused before it
 * gets here), and the retry hands the answer to the waiting call and waits for its result or its next question.
 */
final class InBandRounds {

    /** The key of the question in {@code inputRequests} and of the answer in {@code inputResponses}. */
    static final String KEY = "approval";
    /** How long a finished round's result waits for the retry that collects it. */
    private static final Duration KEPT = Duration.ofMinutes(10);

    /** A question the call asked, and where its answer goes. */
    private record Question(String text, List<String> choices, CompletableFuture<Optional<String>> answer) {}

    /** One call: its result, and the question it waits on, if any. */
    private static final class Round implements AskUser {

        final CompletableFuture<ObjectNode> result = new CompletableFuture<>();
        private Question question;
        private CompletableFuture<Question> asked = new CompletableFuture<>();

        /**
         * Called by the guard, on a thread of its own: publishes the question and waits for its answer, until the
         * guard interrupts it because another approver answered.
         */
        @Override
        public Optional<String> choose(String text, List<String> choices) {
            Question q = new Question(text, choices, new CompletableFuture<>());
            synchronized (this) {
                question = q;
                asked.complete(q);
            }
            try {
                return q.answer().get();
            } catch (InterruptedException e) {
                answer(Optional.empty()); // decided elsewhere: the next retry collects the result, not this question
                return Optional.empty();
            } catch (ExecutionException e) {
                return Optional.empty();
            }
        }

        /** The question waiting for an answer now, or the next one the call asks. */
        synchronized CompletableFuture<Question> question() {
            return question != null && !question.answer().isDone()
                    ? CompletableFuture.completedFuture(question)
                    : asked;
        }

        /** Gives the waiting question its answer; the call may then ask another. */
        synchronized void answer(Optional<String> answer) {
            if (question != null && question.answer().complete(answer)) {
                asked = new CompletableFuture<>();
            }
        }

        /** The call is over: a question still open (another approver answered first) gets no answer now. */
        synchronized void close() {
            if (question != null) {
                question.answer().complete(Optional.empty());
            }
        }
    }

    private final Map<String, Round> rounds = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final McpJsonMapper json;

    InBandRounds(McpJsonMapper json) {
        this.json = json;
    }

    /**
     * Starts a call that may ask its client; returns its result if it ends without asking, else its question.
     *
     * @param call runs the call with the given way of asking
     * @param read the call's wire result as the SDK's
     */
    McpSchema.CallToolOutcome start(
            Function<AskUser, ObjectNode> call, Function<ObjectNode, McpSchema.CallToolResult> read) {
        String id = newId();
        Round round = new Round();
        rounds.put(id, round);
        Thread.ofVirtual().name("belay-round-" + id).start(() -> {
            try {
                round.result.complete(call.apply(round));
            } catch (RuntimeException | Error e) {
                round.result.completeExceptionally(e);
            } finally {
                round.close();
                CompletableFuture.delayedExecutor(KEPT.toMillis(), TimeUnit.MILLISECONDS)
                        .execute(() -> rounds.remove(id));
            }
        });
        return next(id, round, read);
    }

    /** A retry: the client's answer goes to the waiting call, whose result or next question is returned. */
    McpSchema.CallToolOutcome answer(
            String id, Map<String, Object> responses, Function<ObjectNode, McpSchema.CallToolResult> read) {
        Round round = rounds.get(id);
        if (round == null) {
            throw McpException.invalidParams("This call is no longer waiting for an answer (it was answered elsewhere"
                    + " and collected, it expired, or another Belay process asked). Call the tool again.");
        }
        McpSchema.ElicitResult result = InputResponses.get(responses, KEY, McpSchema.ElicitResult.class, json);
        if (result != null) {
            CompletableFuture<Question> open = round.question();
            if (open.isDone()) {
                round.answer(chosen(
                        result.action().name(), result.content(), open.join().choices()));
            }
        }
        return next(id, round, read);
    }

    /** Waits for the call's result or for a question (still unanswered, or its next one). */
    private McpSchema.CallToolOutcome next(
            String id, Round round, Function<ObjectNode, McpSchema.CallToolResult> read) {
        CompletableFuture<Question> question = round.question();
        CompletableFuture.anyOf(round.result, question).exceptionally(e -> null).join();
        if (round.result.isDone()) {
            rounds.remove(id);
            return read.apply(round.result.join());
        }
        return inputRequired(id, question.join());
    }

    private static McpSchema.InputRequiredResult inputRequired(String id, Question question) {
        return McpSchema.InputRequiredResult.builder()
                .elicit(
                        KEY,
                        McpSchema.ElicitFormRequest.builder(question.text(), schema(question.choices()))
                                .build())
                .requestState(id)
                .build();
    }

    /** The form a question is asked with, in either protocol: one required choice. */
    static Map<String, Object> schema(List<String> choices) {
        return Map.of(
                "type",
                "object",
                "properties",
                Map.of(
                        "decision",
                        Map.of(
                                "type",
                                "string",
                                "title",
                                "Decision",
                                "enum",
                                choices,
                                "description",
                                "approve: this call only; always: this tool for the rest of the conversation")),
                "required",
                List.of("decision"));
    }

    /**
     * What the user chose, from an elicitation's answer in either protocol: accepted with one of the choices; declined
     * is a no; cancelled (or an answer that is none of the choices) leaves the question to the other approvers.
     *
     * @param action the answer's action: {@code ACCEPT}, {@code DECLINE} or {@code CANCEL}
     */
    static Optional<String> chosen(String action, Map<String, Object> content, List<String> choices) {
        return switch (action) {
            case "ACCEPT" ->
                Optional.ofNullable(content)
                        .map(fields -> fields.get("decision"))
                        .map(String::valueOf)
                        .filter(choices::contains);
            case "DECLINE" -> Optional.of("deny");
            default -> Optional.empty();
        };
    }

    private String newId() {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
