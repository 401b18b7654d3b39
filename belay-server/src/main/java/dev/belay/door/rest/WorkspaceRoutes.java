package dev.belay.door.rest;

import dev.belay.fleet.FleetException;
import dev.belay.fleet.NewWorkspace;
import dev.belay.fleet.SnapshotRecord;
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
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;
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
 * {@code /workspaces} to create, list, get, fork, snapshot and restore, stop and resume, and delete workspaces,
 * declared once in {@link #operations()}; and each workspace's REST door, {@code POST /w/{id}/api/{tool}}, answering
 * as {@code /api/{tool}} does through that workspace's own guarded catalog.
 */
public final class WorkspaceRoutes {

    /** The request attribute that names the {@link Tenant} asking, set by the access filter; absent for the admin. */
    public static final String TENANT = "belay.tenant";

    /** Where a workspace's doors are. */
    public static String prefix(String id) {
        return "/w/" + id;
    }

    /**
     * The body of {@code POST /workspaces}; at most one of {@code template}, {@code git} and {@code snapshot}.
     * Unknown fields are refused, so that a misspelt one is not silently ignored.
     */
    record CreateBody(
            String name,
            String runtime,
            Map<String, String> labels,
            Long ttlSeconds,
            Long maxLifetimeSeconds,
            String template,
            String git,
            String ref,
            String snapshot,
            Long diskLimitBytes) {}

    /** The body of {@code POST /workspaces/{id}/snapshots}. */
    record SnapshotBody(String name) {}

    /** The body of {@code POST /workspaces/{id}/restore}. */
    record RestoreBody(String snapshot) {}

    /** The body of routes that take none: empty, or an object without fields. */
    record NoBody() {}

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
                        "A new workspace, empty, a copy of a template directory on the server, a clone of a git "
                                + "repository at a ref, or a copy of a snapshot; the answer holds its token, told "
                                + "only here.",
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
                        "workspace_snapshot",
                        HandlerType.POST,
                        "/workspaces/{id}/snapshots",
                        201,
                        "Snapshot a workspace",
                        "Keeps its files and journal under a name (at most 50 per workspace), to restore or to create "
                                + "workspaces from; waits for its running calls to end and ends its background "
                                + "commands, as a fork does.",
                        WorkspaceSchemas.snapshotBody(),
                        WorkspaceSchemas.snapshot(),
                        new ToolAnnotations(false, false, false, false),
                        (tenant, path, body) -> snapshot(path.get("id"), body, tenant)),
                new LifecycleOperation(
                        "workspace_snapshots",
                        HandlerType.GET,
                        "/workspaces/{id}/snapshots",
                        200,
                        "List a workspace's snapshots",
                        "Its snapshots, oldest first.",
                        null,
                        WorkspaceSchemas.snapshots(),
                        new ToolAnnotations(true, false, true, false),
                        (tenant, path, body) -> snapshots(path.get("id"), tenant)),
                new LifecycleOperation(
                        "workspace_snapshot_delete",
                        HandlerType.DELETE,
                        "/workspaces/{id}/snapshots/{snapshot}",
                        204,
                        "Delete a snapshot",
                        "Removes a snapshot of the workspace; the workspace and those made from it stay.",
                        null,
                        null,
                        new ToolAnnotations(false, true, true, false),
                        (tenant, path, body) -> {
                            workspaces.get(path.get("id"), tenant);
                            workspaces.deleteSnapshot(path.get("id"), path.get("snapshot"));
                            return null;
                        }),
                new LifecycleOperation(
                        "workspace_restore",
                        HandlerType.POST,
                        "/workspaces/{id}/restore",
                        200,
                        "Restore a snapshot",
                        "Puts one of the workspace's snapshots in place of its files, as one journaled change that "
                                + "undo takes back; waits for its running calls and ends its background commands.",
                        WorkspaceSchemas.restore(),
                        WorkspaceSchemas.workspace(),
                        new ToolAnnotations(false, true, true, false),
                        (tenant, path, body) -> restore(path.get("id"), body, tenant)),
                new LifecycleOperation(
                        "workspace_stop",
                        HandlerType.POST,
                        "/workspaces/{id}/stop",
                        200,
                        "Stop a workspace",
                        "Closes its engine and stops its container, keeping its files, journal and container; its "
                                + "doors answer 409 until it is resumed, and its idle TTL no longer deletes it.",
                        WorkspaceSchemas.none(),
                        WorkspaceSchemas.workspace(),
                        new ToolAnnotations(false, false, true, false),
                        (tenant, path, body) -> {
                            read(body, NoBody.class);
                            workspaces.get(path.get("id"), tenant);
                            return view(workspaces.stop(path.get("id")));
                        }),
                new LifecycleOperation(
                        "workspace_resume",
                        HandlerType.POST,
                        "/workspaces/{id}/resume",
                        200,
                        "Resume a workspace",
                        "Opens a stopped workspace's doors again; its idle TTL counts from now.",
                        WorkspaceSchemas.none(),
                        WorkspaceSchemas.workspace(),
                        new ToolAnnotations(false, false, true, false),
                        (tenant, path, body) -> {
                            read(body, NoBody.class);
                            workspaces.get(path.get("id"), tenant);
                            return view(workspaces.resume(path.get("id")));
                        }),
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

    private Workspaces.Created create(ObjectNode arguments, Optional<Tenant> tenant) {
        CreateBody body = read(arguments, CreateBody.class);
        if (Stream.of(body.template(), body.git(), body.snapshot())
                        .filter(Objects::nonNull)
                        .count()
                > 1) {
            throw invalid("Give at most one of template, git and snapshot.");
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
        NewWorkspace request = new NewWorkspace(
                Optional.ofNullable(body.name()),
                Optional.ofNullable(body.runtime()),
                body.labels() == null ? Map.of() : body.labels(),
                seconds(body.ttlSeconds()),
                seconds(body.maxLifetimeSeconds()),
                source,
                Optional.ofNullable(body.diskLimitBytes()));
        return body.snapshot() == null
                ? workspaces.create(request, tenant)
                : workspaces.fromSnapshot(body.snapshot(), request, tenant);
    }

    private ObjectNode snapshot(String id, ObjectNode request, Optional<Tenant> tenant) {
        SnapshotBody body = read(request, SnapshotBody.class);
        workspaces.get(id, tenant);
        return view(workspaces.snapshot(id, Optional.ofNullable(body.name())));
    }

    private ObjectNode snapshots(String id, Optional<Tenant> tenant) {
        workspaces.get(id, tenant);
        ObjectNode answer = json.createObjectNode();
        var items = answer.putArray("snapshots");
        workspaces.snapshots(id).forEach(s -> items.add(view(s)));
        return answer;
    }

    private ObjectNode restore(String id, ObjectNode request, Optional<Tenant> tenant) {
        RestoreBody body = read(request, RestoreBody.class);
        if (body.snapshot() == null) {
            throw invalid("Name the snapshot to restore: {\"snapshot\": \"ID\"}.");
        }
        workspaces.get(id, tenant);
        return view(workspaces.restore(id, body.snapshot()));
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
        String id = ctx.pathParam("id");
        if (workspaces.get(id).state() == WorkspaceRecord.State.STOPPED) {
            throw FleetException.stopped(id); // before the door, which would take it for a tool's failure
        }
        new RestDoor(workspaces.caller(id), json).call(ctx);
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
                .put("expires", w.expires().toString())
                .put("state", w.state().name().toLowerCase(Locale.ROOT))
                .put("disk_bytes", w.diskBytes())
                .put("mcp", prefix(w.id()) + "/mcp")
                .put("api", prefix(w.id()) + "/api")
                .put("web", prefix(w.id()) + "/");
        w.diskLimitBytes()
                .ifPresentOrElse(limit -> node.put("disk_limit_bytes", limit), () -> node.putNull("disk_limit_bytes"));
        ObjectNode labels = node.putObject("labels");
        w.labels().forEach(labels::put);
        return node;
    }

    private ObjectNode view(SnapshotRecord s) {
        return json.createObjectNode()
                .put("id", s.id())
                .put("name", s.name())
                .put("workspace", s.workspace())
                .put("created", s.created().toString())
                .put("disk_bytes", s.diskBytes());
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
