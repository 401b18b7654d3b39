package dev.belay.door.mcp;

import dev.belay.tool.ToolCaller;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.util.DefaultMcpUriTemplateManager;
import io.modelcontextprotocol.util.McpUriTemplateManager;
import io.modelcontextprotocol.util.McpUriTemplateManagerFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import tools.jackson.databind.json.JsonMapper;

/**
 * Resources, prompts and completions on the 2025-11-25 server of the MCP Java SDK (stdio and Streamable HTTP), read
 * from {@link McpResources}, {@link Prompts} and {@link Completions} into the SDK's types.
 *
 * <p>That server lists only the resources registered with it, in one page: its {@code resources/list} is the journal's
 * commits; workspace files are reached by their template, whose {@code path} completes from the workspace. It also
 * keeps subscriptions to itself, so what a client read is watched ({@link ResourceWatch}) and each change is handed to
 * {@link McpSyncServer#notifyResourcesUpdated}, which tells the sessions subscribed to it.
 */
final class ClassicFeatures {

    /** How often watched resources are looked at. */
    static final Duration WATCH_EVERY = Duration.ofSeconds(2);

    private final JsonMapper json = JsonMapper.builder().build();
    private final String door;
    private final Served served;
    private final ResourceWatch watch;
    private volatile McpSyncServer server;

    ClassicFeatures(ToolCaller caller, String door) {
        this.door = door;
        this.served = Served.of(caller, door);
        this.watch = new ResourceWatch(served.reads(), WATCH_EVERY, (uri, presence) -> updated(uri));
    }

    /** The capabilities these features need, added to the server's others. */
    static McpSchema.ServerCapabilities.Builder capabilities(McpSchema.ServerCapabilities.Builder builder) {
        // the listing is fixed (see above): it never changes, so there is no list_changed to send
        return builder.resources(true, false).prompts(false).completions();
    }

    /** Registers the resources, templates, prompts and completions with a server being built. */
    McpServer.SyncSpecification<?> register(McpServer.SyncSpecification<?> spec) {
        List<McpServerFeatures.SyncCompletionSpecification> completers = new ArrayList<>();
        for (String template : List.of(ResourceUris.FILE_TEMPLATE, ResourceUris.COMMIT_TEMPLATE)) {
            completers.add(new McpServerFeatures.SyncCompletionSpecification(
                    new McpSchema.ResourceReference(template),
                    (exchange, request) -> completion(served.completions()
                            .resource(
                                    template,
                                    request.argument().name(),
                                    request.argument().value(),
                                    session(exchange)))));
        }
        List<McpServerFeatures.SyncPromptSpecification> promptSpecs = new ArrayList<>();
        for (var definition : Prompts.definitions()) {
            McpSchema.Prompt prompt = json.convertValue(definition, McpSchema.Prompt.class);
            promptSpecs.add(new McpServerFeatures.SyncPromptSpecification(prompt, answering((exchange, request) -> {
                Map<String, String> arguments = new LinkedHashMap<>();
                if (request.arguments() != null) {
                    request.arguments().forEach((k, v) -> arguments.put(k, v == null ? null : String.valueOf(v)));
                }
                return json.convertValue(
                        served.prompts().get(prompt.name(), arguments, session(exchange)),
                        McpSchema.GetPromptResult.class);
            })));
            completers.add(new McpServerFeatures.SyncCompletionSpecification(
                    new McpSchema.PromptReference(prompt.name()),
                    (exchange, request) -> completion(served.completions()
                            .prompt(
                                    prompt.name(),
                                    request.argument().name(),
                                    request.argument().value(),
                                    session(exchange)))));
        }
        return spec.uriTemplateManagerFactory(new Templates())
                .resources(new McpServerFeatures.SyncResourceSpecification(
                        json.convertValue(JournalResources.commitsResource(), McpSchema.Resource.class),
                        answering(this::read)))
                .resourceTemplates(
                        new McpServerFeatures.SyncResourceTemplateSpecification(
                                json.convertValue(WorkspaceResources.template(), McpSchema.ResourceTemplate.class),
                                answering(this::read)),
                        new McpServerFeatures.SyncResourceTemplateSpecification(
                                json.convertValue(JournalResources.commitTemplate(), McpSchema.ResourceTemplate.class),
                                answering(this::read)))
                .prompts(promptSpecs)
                .completions(completers);
    }

    /** The built server, which updates of watched resources go to. */
    void attach(McpSyncServer built) {
        this.server = built;
    }

    private McpSchema.ReadResourceResult read(McpSyncServerExchange exchange, McpSchema.ReadResourceRequest request) {
        McpSchema.ReadResourceResult result = json.convertValue(
                served.resources().read(request.uri(), session(exchange)), McpSchema.ReadResourceResult.class);
        watch.watch(request.uri());
        return result;
    }

    private void updated(String uri) {
        McpSyncServer to = server;
        if (to != null) {
            to.notifyResourcesUpdated(new McpSchema.ResourcesUpdatedNotification(uri, null));
        }
    }

    /** The session a request came in, as tool calls of it are recorded. */
    private String session(McpSyncServerExchange exchange) {
        return exchange.sessionId() == null ? door : exchange.sessionId();
    }

    private static McpSchema.CompleteResult completion(WorkspaceResources.Completion completion) {
        return new McpSchema.CompleteResult(
                new McpSchema.CompleteResult.CompleteCompletion(
                        completion.values(),
                        completion.total(),
                        completion.total() > completion.values().size()),
                null);
    }

    /** A handler whose refusals become the JSON-RPC errors 2025-11-25 asks for. */
    private static <Q, R> BiFunction<McpSyncServerExchange, Q, R> answering(
            BiFunction<McpSyncServerExchange, Q, R> handler) {
        return (exchange, request) -> {
            try {
                return handler.apply(exchange, request);
            } catch (RefusedRequest e) {
                throw McpError.builder(e.kind() == RefusedRequest.Kind.NOT_FOUND ? -32002 : -32602)
                        .message(e.getMessage())
                        .data(e.uri() == null ? null : Map.of("uri", e.uri()))
                        .build();
            }
        };
    }

    /**
     * Matches Belay's templates the way its URIs are built: a workspace path has any number of segments, which the
     * SDK's default matcher (one segment per variable) cannot take. Whether the path is acceptable is
     * {@link ResourceUris}'s to say, with a proper error; every other template is the SDK's.
     */
    private static final class Templates implements McpUriTemplateManagerFactory {
        @Override
        public McpUriTemplateManager create(String uriTemplate) {
            return switch (uriTemplate) {
                case ResourceUris.FILE_TEMPLATE -> new Prefixed(uriTemplate, ResourceUris.WORKSPACE, "path");
                case ResourceUris.COMMIT_TEMPLATE -> new Prefixed(uriTemplate, ResourceUris.COMMIT, "id");
                default -> new DefaultMcpUriTemplateManager(uriTemplate);
            };
        }
    }

    /** A template of a prefix and one variable that takes the rest of the URI. */
    private record Prefixed(String template, String prefix, String variable) implements McpUriTemplateManager {
        @Override
        public List<String> getVariableNames() {
            return List.of(variable);
        }

        @Override
        public Map<String, String> extractVariableValues(String uri) {
            return matches(uri) ? Map.of(variable, uri.substring(prefix.length())) : Map.of();
        }

        @Override
        public boolean matches(String uri) {
            return uri.equals(template) || uri.startsWith(prefix) && uri.length() > prefix.length();
        }

        @Override
        public boolean isUriTemplate(String uri) {
            return uri.contains("{");
        }
    }
}
