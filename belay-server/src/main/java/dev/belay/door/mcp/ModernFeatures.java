package dev.belay.door.mcp;

import dev.belay.tool.ToolCaller;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.modern.McpException;
import io.modelcontextprotocol.modern.McpSchema;
import io.modelcontextprotocol.modern.server.McpFeature;
import io.modelcontextprotocol.modern.server.McpRequestContext;
import io.modelcontextprotocol.modern.server.McpSyncResponse;
import io.modelcontextprotocol.modern.server.SubscriptionRestriction;
import io.modelcontextprotocol.modern.server.feature.McpChangeFeed;
import io.modelcontextprotocol.modern.server.feature.McpChangePublisher;
import io.modelcontextprotocol.modern.server.feature.McpSyncCompletionHandler;
import io.modelcontextprotocol.modern.server.feature.McpSyncPrompt;
import io.modelcontextprotocol.modern.server.feature.McpSyncPromptRepository;
import io.modelcontextprotocol.modern.server.feature.McpSyncResource;
import io.modelcontextprotocol.modern.server.feature.McpSyncResourceRepository;
import io.modelcontextprotocol.modern.server.feature.McpSyncResourceTemplate;
import io.modelcontextprotocol.modern.server.feature.PromptsFeature;
import io.modelcontextprotocol.modern.server.feature.PromptsPage;
import io.modelcontextprotocol.modern.server.feature.ResourceTemplatesPage;
import io.modelcontextprotocol.modern.server.feature.ResourcesFeature;
import io.modelcontextprotocol.modern.server.feature.ResourcesPage;
import io.modelcontextprotocol.modern.server.feature.ServerChange;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Resources, prompts and completions on the 2026-07-28 (stateless) server of the MCP Java SDK, read from
 * {@link McpResources}, {@link Prompts} and {@link Completions} into that server's types. A door building
 * {@code io.modelcontextprotocol.modern.server.McpServer} adds {@link #features()}, passes {@link #publisher()} to
 * {@code subscriptions(..)} and {@link #restriction()} to {@code restrictSubscriptions(..)}: the restriction is where
 * Belay learns which resources a {@code subscriptions/listen} wants, keeps only those it can watch (a workspace file
 * the guard lets this door read, the journal's commits) and watches them ({@link ResourceWatch}); each change goes
 * out through the publisher as {@code notifications/resources/updated}, and a file that appears or vanishes as
 * {@code notifications/resources/list_changed} too. A change of the caller's tool list goes out as
 * {@code notifications/tools/list_changed} to the listeners that asked for it.
 *
 * <p>That server has no sessions: a request's calls are recorded under the door's name as their conversation.
 */
public final class ModernFeatures implements AutoCloseable {

    /** How long a client may keep the file listing: files change, and list_changed tells of new and gone ones. */
    static final long LISTING_TTL_MS = 5_000;
    /** Templates and prompts are fixed for the life of the process. */
    static final long FIXED_TTL_MS = 3_600_000;

    private final JsonMapper json = JsonMapper.builder().build();
    private final String door;
    private final Served served;
    private final McpChangeFeed changes = new McpChangeFeed();
    private final ResourceWatch watch;

    /** @param door the name calls are recorded under, e.g. {@code mcp-stdio} */
    public ModernFeatures(ToolCaller caller, String door) {
        this(caller, door, ClassicFeatures.WATCH_EVERY);
    }

    ModernFeatures(ToolCaller caller, String door, Duration watchEvery) {
        this.door = door;
        this.served = Served.of(caller, door);
        this.watch = new ResourceWatch(served.reads(), watchEvery, (uri, presence) -> {
            changes.broadcast(new ServerChange.ResourceUpdated(uri));
            if (presence) {
                changes.broadcast(new ServerChange.ResourcesListChanged());
            }
        });
        // the stateless server lists the caller's tools as they are now, so telling listeners is all a change needs
        caller.onToolsChanged(() -> changes.broadcast(new ServerChange.ToolsListChanged()));
    }

    /** The resources and prompts features; completions come with them. */
    public List<McpFeature> features() {
        return List.of(
                ResourcesFeature.ofSync(new Resources(), McpJsonDefaults.getMapper(), 0, McpSchema.CacheScope.PRIVATE),
                PromptsFeature.ofSync(
                        new PromptRepository(), McpJsonDefaults.getMapper(), 0, McpSchema.CacheScope.PRIVATE));
    }

    /** Where changes of watched resources are published, for {@code subscriptions/listen}. */
    public McpChangePublisher publisher() {
        return changes;
    }

    /** Keeps the resource subscriptions Belay can watch, and watches them. */
    public SubscriptionRestriction restriction() {
        return (ctx, requested, honoured) -> blocking(ctx, () -> {
            List<String> kept = new ArrayList<>();
            for (String uri : honoured.resourceSubscriptionsOrEmpty()) {
                if (watch.watch(uri)) {
                    kept.add(uri);
                }
            }
            return honoured.with(McpSchema.SubscriptionFilter.RESOURCE_SUBSCRIPTIONS, kept.isEmpty() ? null : kept);
        });
    }

    @Override
    public void close() {
        watch.close();
    }

    private final class Resources implements McpSyncResourceRepository {
        @Override
        public ResourcesPage list(McpRequestContext ctx, String cursor) {
            McpResources.Page page = answering(() -> served.resources().page(cursor, door));
            return new ResourcesPage(
                    page.resources().stream()
                            .map(r -> json.convertValue(r, McpSchema.Resource.class))
                            .toList(),
                    page.nextCursor(),
                    LISTING_TTL_MS,
                    McpSchema.CacheScope.PRIVATE);
        }

        @Override
        public ResourceTemplatesPage listTemplates(McpRequestContext ctx, String cursor) {
            return new ResourceTemplatesPage(
                    List.of(
                            json.convertValue(JournalResources.commitTemplate(), McpSchema.ResourceTemplate.class),
                            json.convertValue(WorkspaceResources.template(), McpSchema.ResourceTemplate.class)),
                    null,
                    FIXED_TTL_MS,
                    McpSchema.CacheScope.PUBLIC);
        }

        /** Any URI under Belay's own prefixes; the SDK answers others as unknown (-32602 with the URI). */
        @Override
        public McpSyncResource find(McpRequestContext ctx, String uri) {
            if (!uri.startsWith(ResourceUris.WORKSPACE) && !uri.startsWith("belay://journal/")) {
                return null;
            }
            return McpSyncResource.of((c, request) -> McpSyncResponse.result(json.convertValue(
                    answering(() -> served.resources().read(request.uri(), door)),
                    McpSchema.ReadResourceResult.class)));
        }

        @Override
        public McpSyncResourceTemplate findTemplate(McpRequestContext ctx, String uriTemplate) {
            ObjectNode definition = switch (uriTemplate) {
                case ResourceUris.FILE_TEMPLATE -> WorkspaceResources.template();
                case ResourceUris.COMMIT_TEMPLATE -> JournalResources.commitTemplate();
                default -> null;
            };
            return definition == null
                    ? null
                    : McpSyncResourceTemplate.of(json.convertValue(definition, McpSchema.ResourceTemplate.class))
                            .withCompletionHandler(completing((argument, value) ->
                                    served.completions().resource(uriTemplate, argument, value, door)));
        }

        @Override
        public boolean supportsSubscribe() {
            return true;
        }

        @Override
        public boolean supportsCompletion() {
            return true;
        }
    }

    private final class PromptRepository implements McpSyncPromptRepository {
        @Override
        public PromptsPage list(McpRequestContext ctx, String cursor) {
            return new PromptsPage(
                    Prompts.definitions().stream()
                            .map(p -> json.convertValue(p, McpSchema.Prompt.class))
                            .toList(),
                    null,
                    FIXED_TTL_MS,
                    McpSchema.CacheScope.PUBLIC);
        }

        @Override
        public McpSyncPrompt find(McpRequestContext ctx, String name) {
            return Prompts.definitions().stream()
                    .filter(p -> p.path("name").asString().equals(name))
                    .findFirst()
                    .map(p -> McpSyncPrompt.of(
                                    json.convertValue(p, McpSchema.Prompt.class),
                                    (c, request) -> McpSyncResponse.result(json.convertValue(
                                            answering(() -> served.prompts()
                                                    .get(
                                                            name,
                                                            request.arguments() == null
                                                                    ? Map.of()
                                                                    : request.arguments(),
                                                            door)),
                                            McpSchema.GetPromptResult.class)))
                            .withCompletionHandler(completing(
                                    (argument, value) -> served.completions().prompt(name, argument, value, door))))
                    .orElse(null);
        }

        @Override
        public boolean supportsCompletion() {
            return true;
        }
    }

    /** What completes one argument of one template or prompt. */
    @FunctionalInterface
    private interface Completer {
        WorkspaceResources.Completion complete(String argument, String value);
    }

    private static McpSyncCompletionHandler completing(Completer completer) {
        return (ctx, request) -> {
            WorkspaceResources.Completion completion = answering(() -> completer.complete(
                    request.argument().name(), request.argument().value()));
            return McpSchema.CompleteResult.of(new McpSchema.CompleteResult.Completion(
                    completion.values(),
                    completion.total(),
                    completion.total() > completion.values().size()));
        };
    }

    /** Runs a request's work, its refusals as the JSON-RPC errors 2026-07-28 asks for (SEP-2164: -32602, uri). */
    private static <T> T answering(Supplier<T> work) {
        try {
            return work.get();
        } catch (RefusedRequest e) {
            throw e.uri() == null
                    ? McpException.invalidParams(e.getMessage())
                    : McpException.invalidParams(e.getMessage(), Map.of("uri", e.uri()));
        }
    }

    /** Work that calls the catalog, off the caller's thread unless the request is served blocking. */
    private static <T> Mono<T> blocking(McpRequestContext ctx, Supplier<T> work) {
        Mono<T> mono = Mono.fromSupplier(work);
        return ctx.isBlocking() ? mono : mono.subscribeOn(Schedulers.boundedElastic());
    }
}
