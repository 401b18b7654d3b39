package dev.belay.door.mcp;

import dev.belay.tool.AskUser;
import dev.belay.tool.Progress;
import dev.belay.tool.ToolCaller;
import dev.belay.tool.ToolSpec;
import dev.belay.tool.ToolWire;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.json.schema.JsonSchemaValidator;
import io.modelcontextprotocol.modern.McpSchema;
import io.modelcontextprotocol.modern.server.HmacRequestStateCodec;
import io.modelcontextprotocol.modern.server.McpRequestContext;
import io.modelcontextprotocol.modern.server.McpServer;
import io.modelcontextprotocol.modern.server.McpSyncResponse;
import io.modelcontextprotocol.modern.server.feature.McpSyncTool;
import io.modelcontextprotocol.modern.server.feature.McpSyncToolRepository;
import io.modelcontextprotocol.modern.server.feature.ToolsFeature;
import io.modelcontextprotocol.modern.server.feature.ToolsPage;
import io.modelcontextprotocol.spec.ProtocolVersions;
import java.security.SecureRandom;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * MCP 2026-07-28, the stateless protocol: no {@code initialize}, every request carries its protocol version and the
 * client's capabilities in {@code _meta}, so any Belay process can answer any request. Served by the SDK's stateless
 * server ({@code io.modelcontextprotocol.modern}) from the same caller, guard and audit as the 2025-11-25 server, which
 * keeps serving the clients that begin with {@code initialize}; the transports choose between the two per request.
 */
public final class StatelessMcp {

    /** The protocol this server speaks. */
    public static final String VERSION = "2026-07-28";
    /** The {@code _meta} key (and, over HTTP, the header's value) by which a request claims a stateless version. */
    public static final String VERSION_META = "io.modelcontextprotocol/protocolVersion";
    /**
     * How long a client may keep the tool list: it changes when an action is installed or a server mounted, which a
     * client listening to {@code subscriptions/listen} is told at once ({@link ModernFeatures}), and any other sees
     * within the minute. Private: the list is this server's, and answers pass through a token.
     */
    static final long TOOLS_TTL_MS = 60_000;

    private StatelessMcp() {}

    /**
     * The server for requests that claim {@link #VERSION}; {@code server/discover} names both versions.
     *
     * @param resources the resources, prompts and completions it serves beside the tools, and their subscriptions
     */
    public static McpServer server(ToolCaller caller, String version, String door, ModernFeatures resources) {
        McpTools calls = new McpTools(caller, door);
        Tasks tasks = new Tasks(Tasks.SHORT_WAIT, Tasks.TTL, Tasks.MAX);
        Tools tools = new Tools(calls, tasks);
        return McpServer.builder()
                .serverInfo(McpSchema.Implementation.builder("belay", version)
                        .title("Belay")
                        .build())
                .instructions(McpDoor.INSTRUCTIONS)
                .supportedVersions(List.of(VERSION, ProtocolVersions.MCP_2025_11_25))
                .jsonMapper(McpJsonDefaults.getMapper())
                .requestStateCodec(HmacRequestStateCodec.builder()
                        .key(key())
                        .jsonMapper(McpJsonDefaults.getMapper())
                        .build())
                .feature(ToolsFeature.ofSync(
                        tools,
                        McpJsonDefaults.getMapper(),
                        tools.outputsOnly(),
                        TOOLS_TTL_MS,
                        McpSchema.CacheScope.PRIVATE))
                .feature(new TaskFeature(tasks, calls))
                .features(resources.features())
                .subscriptions(resources.publisher())
                .restrictSubscriptions(resources.restriction())
                .build();
    }

    /**
     * The key that seals a question's state: this process's own, so only it opens what it sealed (its waiting calls
     * are its own too, {@link InBandRounds}).
     */
    private static byte[] key() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return key;
    }

    /** The catalog's tools, sorted by name (a client may cache the list and compare it), each a call through it. */
    private static final class Tools implements McpSyncToolRepository {

        private final McpTools calls;
        private final InBandRounds rounds = new InBandRounds(McpJsonDefaults.getMapper());
        private final Tasks tasks;
        private final JsonMapper json = JsonMapper.builder().build();
        /** The tools as last listed by the caller, rebuilt when its list is another. */
        private volatile Listed listed = new Listed(List.of(), Map.of(), Set.of());

        /**
         * One list of the caller's, as this server's tools.
         *
         * @param inputSchemas by identity: the catalog validates arguments, with the same messages for every door
         */
        private record Listed(
                List<ToolSpec> specs, Map<String, McpSyncTool> byName, Set<Map<String, Object>> inputSchemas) {}

        Tools(McpTools calls, Tasks tasks) {
            this.calls = calls;
            this.tasks = tasks;
        }

        /** The caller's tools now; the catalog's list changes while Belay runs (actions, mounted servers). */
        private Listed current() {
            List<ToolSpec> specs = calls.tools();
            Listed last = listed;
            if (last.specs() == specs) {
                return last;
            }
            Map<String, McpSyncTool> byName = new LinkedHashMap<>();
            Set<Map<String, Object>> inputs = Collections.newSetFromMap(new IdentityHashMap<>());
            specs.stream().sorted(Comparator.comparing(ToolSpec::name)).forEach(spec -> {
                McpSchema.Tool tool = json.convertValue(ToolWire.spec(spec), McpSchema.Tool.class);
                inputs.add(tool.inputSchema());
                byName.put(spec.name(), McpSyncTool.of(tool, (ctx, request) -> call(spec.name(), ctx, request)));
            });
            Listed fresh = new Listed(specs, byName, inputs);
            listed = fresh;
            return fresh;
        }

        @Override
        public ToolsPage list(McpRequestContext ctx, String cursor) {
            return ToolsPage.of(current().byName().values().stream()
                    .map(McpSyncTool::definition)
                    .toList());
        }

        @Override
        public McpSyncTool find(McpRequestContext ctx, String name) {
            return current().byName().get(name);
        }

        /** Passes input schemas (the catalog checks arguments) and checks results against output schemas. */
        JsonSchemaValidator outputsOnly() {
            OutputSchemas outputs = new OutputSchemas(json);
            return (schema, content) -> listed.inputSchemas().contains(schema)
                    ? JsonSchemaValidator.ValidationResponse.asValid(null)
                    : outputs.validate(schema, content);
        }

        /**
         * One call: answered at once, or, when the client asked for progress, as a stream whose notifications come
         * before the result. A call that may run long, from a client that declared the tasks extension, becomes a task
         * when it does. Otherwise a client that can show a form may be asked to approve the call
         * ({@link InBandRounds}): its retry carries the answer and the state the question came with.
         */
        private McpSyncResponse<McpSchema.CallToolOutcome> call(
                String name, McpRequestContext ctx, McpSchema.CallToolRequest request) {
            ObjectNode arguments =
                    request.arguments() == null ? json.createObjectNode() : json.valueToTree(request.arguments());
            if (request.requestState() != null) {
                return McpSyncResponse.result(
                        rounds.answer(request.requestState(), request.inputResponses(), this::result));
            }
            if (Tasks.declared(ctx) && Tasks.mayRunLong(name)) {
                // a task is watched, not waited on: its approval waits for the terminal or the approvals page
                return McpSyncResponse.result(tasks.run(
                        progress -> result(calls.call(name, arguments, ctx.meta(), progress, null, AskUser.NONE))));
            }
            Function<Progress, McpSchema.CallToolOutcome> run = progress -> ctx.clientCapabilities()
                            .supportsElicitationForm()
                    ? rounds.start(ask -> calls.call(name, arguments, ctx.meta(), progress, null, ask), this::result)
                    : result(calls.call(name, arguments, ctx.meta(), progress, null, AskUser.NONE));
            return ctx.progressToken() == null
                    ? McpSyncResponse.result(run.apply(Progress.NONE))
                    : McpSyncResponse.streaming(notifier -> run.apply(notifier::progress));
        }

        /** The call's result in the wire shape every door sends, read into the stateless SDK's type. */
        private McpSchema.CallToolResult result(ObjectNode wire) {
            JsonNode structured = wire.remove("structuredContent");
            McpSchema.CallToolResult sdk = json.convertValue(wire, McpSchema.CallToolResult.class);
            return structured == null
                    ? sdk
                    : new McpSchema.CallToolResult(sdk.content(), structured, sdk.isError(), null, sdk.meta());
        }
    }
}
