package dev.belay.door.rest;

import dev.belay.fleet.FleetException;
import dev.belay.fleet.NewWorkspace;
import dev.belay.fleet.Source;
import dev.belay.fleet.Tenant;
import dev.belay.fleet.WorkspaceRecord;
import dev.belay.fleet.Workspaces;
import dev.belay.tool.ToolAnnotations;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import io.javalin.router.Endpoint;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The lifecycle API of a multi-workspace server, for admin tokens (a tenant's sees its own workspaces only):
 * {@code /workspaces} to create, list, get, fork and delete workspaces, declared once in {@link #operations()}; and
 * each workspace's REST door, {@code POST /w/{id}/api/{tool}}, answering as {@code /api/{tool}} does through that
 * workspace's own guarded catalog.
 */
public final class WorkspaceRoutes {

    /** The request attribute that names the {@link Tenant} asking, set by the access filter; absent for the admin. */
    public static final String TENANT = "belay.tenant";

    /** Where a workspace's doors are. */
    public static String prefix(String id) {
        return "/w/" + id;
    }

    /**
     * The body of {@code POST /workspaces}; at most one of {@code template} and {@code git}. Unknown fields are
     * refused, so that a misspelt one is not silently ignored.
     */
    record CreateBody(
            String name,
            String runtime,
            Map<String, String> labels,
            Long ttlSeconds,
            Long maxLifetimeSeconds,
            String template,
            String git,
            String ref) {}

    /** The body of {@code POST /workspaces/{id}/fork}. */
    record ForkBody(String name, Map<String, String> labels, Long ttlSeconds, Long maxLifetimeSeconds) {}

    private static final Logger LOG = LoggerFactory.getLogger(WorkspaceRoutes.class);

    private final Workspaces workspaces;
    private final JsonMapper json;
    private final JsonMapper strict = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .build();

    public WorkspaceRoutes(Workspaces workspaces, JsonMapper json) {
        this.workspaces = workspaces;
        this.json = json;
    }

    /** The lifecycle API, one entry per operation: the routes, the OpenAPI document and the MCP tools come from it. */
    public List<LifecycleOperation> operations() {
        return List.of(
                new LifecycleOperation(
                        "workspace_create",
                        HandlerType.POST,
                        "/workspaces",
                        201,
                        "Create a workspace",
                        "A new workspace, empty, a copy of a template directory on the server, or a clone of a git "
                                + "repository at a ref; the answer holds its token, told only here.",
                        WorkspaceSchemas.create(),
                        WorkspaceSchemas.created(),
                        new ToolAnnotations(false, false, false, true),
                        (tenant, path, body) -> created(create(body, tenant))),
                new LifecycleOperation(
                        "workspace_list",
                        HandlerType.GET,
                        "/workspaces",
                        200,
                        "List the workspaces",
                        "Every workspace, oldest first.",
                        null,
                        WorkspaceSchemas.list(),
                        new ToolAnnotations(true, false, true, false),
                        (tenant, path, body) -> list(tenant)),
                new LifecycleOperation(
                        "workspace_get",
                        HandlerType.GET,
                        "/workspaces/{id}",
                        200,
                        "Get a workspace",
                        "One workspace's record: name, runtime, labels, TTLs, times and where its doors are.",
                        null,
                        WorkspaceSchemas.workspace(),
                        new ToolAnnotations(true, false, true, false),
                        (tenant, path, body) -> view(workspaces.get(path.get("id"), tenant))),
                new LifecycleOperation(
                        "workspace_fork",
                        HandlerType.POST,
                        "/workspaces/{id}/fork",
                        201,
                        "Fork a workspace",
                        "A copy of a workspace's files and journal with a token of its own; waits for the "
                                + "original's running calls to end and ends its background commands.",
                        WorkspaceSchemas.fork(),
                        WorkspaceSchemas.created(),
                        new ToolAnnotations(false, false, false, false),
                        (tenant, path, body) -> created(fork(path.get("id"), body, tenant))),
                new LifecycleOperation(
                        "workspace_delete",
                        HandlerType.DELETE,
                        "/workspaces/{id}",
                        204,
                        "Delete a workspace",
                        "Ends its commands and sessions and removes its container, journal, files and record.",
                        null,
                        null,
                        new ToolAnnotations(false, true, true, false),
                        (tenant, path, body) -> {
                            workspaces.delete(path.get("id"), tenant);
                            return null;
                        }));
    }

    public void routes(RoutesConfig routes) {
        for (LifecycleOperation operation : operations()) {
            routes.addEndpoint(new Endpoint(operation.method(), operation.path(), answering(ctx -> {
                ObjectNode body = operation.body() == null ? json.createObjectNode() : body(ctx);
                if (body == null) {
                    return;
                }
                JsonNode answer = operation
                        .invocation()
                        .invoke(Optional.ofNullable(ctx.attribute(TENANT)), ctx.pathParamMap(), body);
                if (answer == null) {
                    ctx.status(operation.status());
                } else {
                    ctx.status(operation.status())
                            .contentType("application/json")
                            .result(json.writeValueAsString(answer));
                }
            })));
        }
        routes.post("/w/{id}/api/{tool}", answering(this::call));
    }

    private Workspaces.Created create(ObjectNode request, Optional<Tenant> tenant) {
        CreateBody body = read(request, CreateBody.class);
        if (body.template() != null && body.git() != null) {
            throw invalid("Give either template or git, not both.");
        }
        if (body.ref() != null && body.git() == null) {
            throw invalid("ref names a commit of the git repository: give git too.");
        }
        Source source;
        if (body.git() != null) {
            source = new Source.Git(body.git(), Optional.ofNullable(body.ref()));
        } else if (body.template() != null) {
            Path dir = Path.of(body.template());
            if (!dir.isAbsolute()) {
                throw invalid("template is an absolute path of a directory on the server.");
            }
            source = new Source.Template(dir.normalize());
        } else {
            source = new Source.Empty();
        }
        return workspaces.create(
                new NewWorkspace(
                        Optional.ofNullable(body.name()),
                        Optional.ofNullable(body.runtime()),
                        body.labels() == null ? Map.of() : body.labels(),
                        seconds(body.ttlSeconds()),
                        seconds(body.maxLifetimeSeconds()),
                        source),
                tenant);
    }

    private Workspaces.Created fork(String id, ObjectNode request, Optional<Tenant> tenant) {
        ForkBody body = read(request, ForkBody.class);
        return workspaces.fork(
                id,
                new NewWorkspace(
                        Optional.ofNullable(body.name()),
                        Optional.empty(),
                        body.labels() == null ? Map.of() : body.labels(),
                        seconds(body.ttlSeconds()),
                        seconds(body.maxLifetimeSeconds()),
                        new Source.Empty()),
                tenant);
    }

    private ObjectNode list(Optional<Tenant> tenant) {
        ObjectNode answer = json.createObjectNode();
        var items = answer.putArray("workspaces");
        workspaces.list(tenant).forEach(w -> items.add(view(w)));
        return answer;
    }

    private void call(Context ctx) {
        new RestDoor(workspaces.caller(ctx.pathParam("id")), json).call(ctx);
    }

    private ObjectNode created(Workspaces.Created created) {
        ObjectNode answer = view(created.workspace());
        answer.put("token", created.token());
        return answer;
    }

    private ObjectNode view(WorkspaceRecord w) {
        ObjectNode node = json.createObjectNode()
                .put("id", w.id())
                .put("name", w.name())
                .put("runtime", w.runtime())
                .put("origin", w.origin())
                .put("ttl_seconds", w.idleTtl().toSeconds())
                .put("max_lifetime_seconds", w.maxLifetime().toSeconds())
                .put("created", w.created().toString())
                .put("last_used", w.lastUsed().toString())
                .put("expires", min(w).toString())
                .put("mcp", prefix(w.id()) + "/mcp")
                .put("api", prefix(w.id()) + "/api")
                .put("web", prefix(w.id()) + "/");
        ObjectNode labels = node.putObject("labels");
        w.labels().forEach(labels::put);
        return node;
    }

    /** When it expires if nothing uses it. */
    private static Instant min(WorkspaceRecord w) {
        Instant idle = w.lastUsed().plus(w.idleTtl());
        Instant max = w.created().plus(w.maxLifetime());
        return idle.isBefore(max) ? idle : max;
    }

    /** The request's body as a JSON object ({} when empty); anything else is answered with a 400 here. */
    private ObjectNode body(Context ctx) {
        byte[] bytes = ctx.bodyAsBytes();
        try {
            if ((bytes.length == 0 ? json.createObjectNode() : json.readTree(bytes)) instanceof ObjectNode object) {
                return object;
            }
        } catch (JacksonException e) {
            // answered below
        }
        RestDoor.error(ctx, json, 400, "The request body must be a JSON object.", "See /openapi.json for its fields.");
        return null;
    }

    /** An operation's arguments as its body's record; unknown fields and wrong types are refused. */
    private <T> T read(ObjectNode request, Class<T> type) {
        try {
            return strict.treeToValue(request, type);
        } catch (JacksonException e) {
            throw invalid("The request body is not what this route takes: " + e.getOriginalMessage());
        }
    }

    private static Optional<Duration> seconds(Long seconds) {
        return Optional.ofNullable(seconds).map(s -> {
            if (s < 1 || s > NewWorkspace.MAX_DURATION.toSeconds()) {
                throw invalid("A TTL is between 1 and " + NewWorkspace.MAX_DURATION.toSeconds() + " seconds.");
            }
            return Duration.ofSeconds(s);
        });
    }

    private static FleetException invalid(String message) {
        return new FleetException(FleetException.Problem.INVALID, message, "Fix the request and send it again.");
    }

    /** Runs a route, answering a refusal of the registry with its status and the one error shape. */
    private Handler answering(Handler handler) {
        return ctx -> {
            try {
                handler.handle(ctx);
            } catch (FleetException e) {
                int status = switch (e.problem()) {
                    case INVALID -> 400;
                    case NOT_FOUND -> 404;
                    case FULL -> 429;
                    case BUSY -> 409;
                };
                RestDoor.error(ctx, json, status, e.getMessage(), e.hint());
            } catch (RuntimeException e) {
                LOG.error("{} {} failed", ctx.method(), ctx.path(), e);
                RestDoor.error(
                        ctx,
                        json,
                        500,
                        "Belay failed internally: " + e.getMessage(),
                        "This is not caused by your request; the server's log says more.");
            }
        };
    }
}
