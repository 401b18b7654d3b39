package dev.belay.door.mcp;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import io.modelcontextprotocol.modern.McpSchema;
import java.util.Map;

/**
 * The shapes of the tasks extension ({@value Tasks#EXTENSION}, SEP-2663) on the wire. The SDK knows none of them; its
 * server writes any result whose {@code resultType} is set, so they are results of their own.
 */
final class TaskWire {

    private TaskWire() {}

    /** An answer that is complete in itself, with nothing in its {@code _meta} (the server adds its own). */
    interface Complete extends McpSchema.Result {

        @Override
        @JsonProperty("resultType")
        default String resultType() {
            return McpSchema.ResultType.COMPLETE;
        }

        @Override
        @JsonProperty("_meta")
        @JsonInclude(JsonInclude.Include.NON_NULL)
        default Map<String, Object> meta() {
            return null;
        }
    }

    /** Where a task is: {@code input_required} never, since Belay asks nothing of a client while a task runs. */
    enum Status {
        @JsonProperty("working")
        WORKING,
        @JsonProperty("completed")
        COMPLETED,
        @JsonProperty("failed")
        FAILED,
        @JsonProperty("cancelled")
        CANCELLED;

        boolean terminal() {
            return this != WORKING;
        }
    }

    /**
     * The fields every answer about a task carries.
     *
     * @param statusMessage the call's latest progress, e.g. the last lines a command wrote; or {@code null}
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Task(
            @JsonProperty("taskId") String taskId,
            @JsonProperty("status") Status status,
            @JsonProperty("statusMessage") String statusMessage,
            @JsonProperty("createdAt") String createdAt,
            @JsonProperty("lastUpdatedAt") String lastUpdatedAt,
            @JsonProperty("ttlMs") long ttlMs,
            @JsonProperty("pollIntervalMs") long pollIntervalMs) {}

    /** A {@code tools/call} answered with a task instead of its result: the task flat beside its resultType. */
    record Created(@JsonUnwrapped Task task) implements McpSchema.CallToolOutcome {

        @Override
        @JsonProperty("resultType")
        public String resultType() {
            return "task";
        }

        @Override
        @JsonProperty("_meta")
        @JsonInclude(JsonInclude.Include.NON_NULL)
        public Map<String, Object> meta() {
            return null;
        }
    }

    /**
     * What {@code tasks/get} answers: the task, with the call's result inlined once it completed (a tool's own error
     * is a completed task whose result says {@code isError}) or the protocol error it failed with.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Detailed(
            @JsonUnwrapped Task task,
            @JsonProperty("result") McpSchema.CallToolResult result,
            @JsonProperty("error") Error error)
            implements Complete {}

    /** A JSON-RPC error, as a failed task carries it. */
    record Error(
            @JsonProperty("code") int code,
            @JsonProperty("message") String message) {}

    /** The empty acknowledgement of {@code tasks/update} and {@code tasks/cancel}; the task's state is in tasks/get. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Ack() implements Complete {}
}
