package dev.belay.door.mcp;

import dev.belay.tool.CallContext;
import dev.belay.tool.Failure;
import dev.belay.tool.ToolCall;
import dev.belay.tool.ToolCaller;
import dev.belay.tool.ToolResult;
import dev.belay.tool.UnknownToolException;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * What resources, prompts and completions read, read by calling the guarded catalog's tools under the door's name:
 * the guard's rules, approvals and audit log apply to a resource exactly as to the tool call it is made of, and
 * nothing here opens a file itself.
 *
 * @param door the name calls are recorded under, e.g. {@code mcp-stdio}
 */
record CatalogReads(ToolCaller caller, String door) {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /**
     * Calls a tool with arguments given as name and value pairs.
     *
     * @param session the MCP session the request came in (the conversation a tool call of it would belong to)
     */
    ToolResult call(String session, String tool, Object... namesAndValues) {
        ObjectNode arguments = JsonNodeFactory.instance.objectNode();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            arguments.set((String) namesAndValues[i], JSON.valueToTree(namesAndValues[i + 1]));
        }
        try {
            return caller.call(new ToolCall(tool, arguments, CallContext.of(door, session)));
        } catch (UnknownToolException e) {
            // a catalog without the tool (a door over some tools only) serves nothing that needs it
            return ToolResult.error(Failure.NOT_FOUND, "This Belay has no " + tool + " tool.");
        }
    }

    /**
     * The structured result of a call that must succeed for the request to be answered.
     *
     * @param uri the resource asked for, or {@code null} when the request names none
     * @throws RefusedRequest with the tool's message when it failed
     */
    ObjectNode require(ToolResult result, String uri) {
        if (result.isError() || result.structured() == null) {
            throw result.failure() == Failure.NOT_FOUND || result.failure() == Failure.INVALID_ARGUMENTS
                    ? RefusedRequest.notFound(uri, result.text())
                    : new RefusedRequest(RefusedRequest.Kind.REFUSED, uri, result.text());
        }
        return result.structured();
    }
}
