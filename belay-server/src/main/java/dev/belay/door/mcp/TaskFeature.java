package dev.belay.door.mcp;

import dev.belay.tool.AskUser;
import dev.belay.tool.Progress;
import io.modelcontextprotocol.modern.McpException;
import io.modelcontextprotocol.modern.McpSchema;
import io.modelcontextprotocol.modern.server.McpAsyncResponse;
import io.modelcontextprotocol.modern.server.McpFeature;
import io.modelcontextprotocol.modern.server.McpHeader;
import io.modelcontextprotocol.modern.server.McpHeaders;
import io.modelcontextprotocol.modern.server.McpRequestContext;
import java.util.Map;
import java.util.Set;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code tasks/get}, {@code tasks/update} and {@code tasks/cancel} of the tasks extension, for the clients that declare
 * it. Writing to a task's input and killing its command are calls of the job tools through the same guarded caller as
 * every other call: a task is no way around the rules or the audit.
 */
final class TaskFeature implements McpFeature {

    /** The key of {@code tasks/update}'s {@code inputResponses} whose {@code input} goes to the command's stdin. */
    static final String STDIN = "stdin";

    private static final int SHOWN_ID = 64;

    private final Tasks tasks;
    private final McpTools calls;
    private final JsonMapper json = JsonMapper.builder().build();

    TaskFeature(Tasks tasks, McpTools calls) {
        this.tasks = tasks;
        this.calls = calls;
    }

    @Override
    public Set<String> methods() {
        return Set.of("tasks/get", "tasks/update", "tasks/cancel");
    }

    @Override
    public void capabilities(McpSchema.ServerCapabilities.Builder builder) {
        builder.extension(Tasks.EXTENSION, Map.of());
    }

    @Override
    public Mono<McpAsyncResponse<McpSchema.Result>> handle(McpRequestContext ctx, Object params) {
        // a job tool may wait for a process tree to go: off the transport's thread unless the transport blocks anyway
        Mono<McpAsyncResponse<McpSchema.Result>> answer =
                Mono.fromCallable(() -> McpAsyncResponse.result(answer(ctx, params)));
        return ctx.isBlocking() ? answer : answer.subscribeOn(Schedulers.boundedElastic());
    }

    private McpSchema.Result answer(McpRequestContext ctx, Object params) {
        if (!Tasks.declared(ctx)) {
            throw McpException.missingClientCapability(McpSchema.ClientCapabilities.builder()
                    .extensions(Map.of(Tasks.EXTENSION, Map.of()))
                    .build());
        }
        Map<?, ?> fields = params instanceof Map<?, ?> map ? map : Map.of();
        Tasks.Task task = task(ctx, fields.get("taskId"));
        return switch (ctx.method()) {
            case "tasks/get" -> task.detailed();
            case "tasks/update" -> update(ctx, task, fields.get("inputResponses"));
            default -> cancel(ctx, task);
        };
    }

    /** The task a request names, checked against the {@code Mcp-Name} header an HTTP request mirrors it in. */
    private Tasks.Task task(McpRequestContext ctx, Object taskId) {
        if (!(taskId instanceof String id) || id.isBlank()) {
            throw McpException.invalidParams("params.taskId must be a non-empty string");
        }
        if (ctx.transportContext().get(McpHeaders.TRANSPORT_CONTEXT_KEY) instanceof McpHeaders headers) {
            McpHeader name = headers.get("Mcp-Name");
            if (name != null && !id.equals(name.value())) {
                throw new McpException(-32020, "The Mcp-Name header does not match params.taskId");
            }
        }
        return tasks.find(id)
                .orElseThrow(() -> McpException.invalidParams("No task '"
                        + (id.length() > SHOWN_ID ? id.substring(0, SHOWN_ID) + "…" : id)
                        + "': it never existed here, or it ended longer ago than its ttlMs"));
    }

    /**
     * Writes {@code inputResponses.stdin.input} to the task's command (closing its input when {@code close} is true),
     * through {@code job_input}; other responses answer nothing Belay asked, and are ignored.
     */
    private McpSchema.Result update(McpRequestContext ctx, Tasks.Task task, Object responses) {
        if (responses != null && !(responses instanceof Map)) {
            throw McpException.invalidParams("params.inputResponses must be an object");
        }
        Object stdin = responses == null ? null : ((Map<?, ?>) responses).get(STDIN);
        if (stdin == null) {
            return new TaskWire.Ack();
        }
        if (!(stdin instanceof Map<?, ?> write)
                || !(write.get("input") instanceof String input)
                || !(write.get("close") == null || write.get("close") instanceof Boolean)) {
            throw McpException.invalidParams(
                    "inputResponses.stdin must be {\"input\": string, \"close\": boolean (optional)}");
        }
        String job = task.jobId()
                .orElseThrow(() -> McpException.invalidParams(
                        "Task " + task.id() + " runs no command whose input Belay could write to"));
        // the answer comes with the task's status, not this acknowledgement: the input is written and no more
        ObjectNode arguments =
                json.createObjectNode().put("job_id", job).put("input", input).put("yield_ms", 0);
        if (write.get("close") instanceof Boolean close) {
            arguments.put("close", close);
        }
        ObjectNode written = calls.call("job_input", arguments, ctx.meta(), Progress.NONE, null, AskUser.NONE);
        if (written.path("isError").asBoolean()) {
            throw McpException.invalidParams(
                    written.path("content").path(0).path("text").asString("job_input failed"));
        }
        return new TaskWire.Ack();
    }

    /**
     * Cancels a working task: its command's process tree is killed through {@code job_kill}, or, for a call that runs
     * no job, its thread is interrupted (a Python cell or an action then kills what it waits for). Cancelling an
     * ended task changes nothing and is acknowledged alike.
     */
    private McpSchema.Result cancel(McpRequestContext ctx, Tasks.Task task) {
        if (task.cancel()) {
            boolean killed = task.jobId()
                    .map(job -> !calls.call(
                                    "job_kill",
                                    json.createObjectNode().put("job_id", job),
                                    ctx.meta(),
                                    Progress.NONE,
                                    null,
                                    AskUser.NONE)
                            .path("isError")
                            .asBoolean())
                    .orElse(false);
            if (!killed) {
                task.interrupt();
            }
        }
        return new TaskWire.Ack();
    }
}
