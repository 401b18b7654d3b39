package dev.belay.door.rest;

import dev.belay.fleet.FleetException;
import dev.belay.fleet.NewWorkspace;
import dev.belay.fleet.SnapshotRecord;
import dev.belay.fleet.Source;
import dev.belay.fleet.WorkspaceRecord;
import dev.belay.fleet.Workspaces;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The lifecycle API of a multi-workspace server, for the admin token: {@code /workspaces} to create, list, get,
 * fork, snapshot and restore, stop and resume, and delete workspaces; and each workspace's REST door,
 * {@code POST /w/{id}/api/{tool}}, answering as {@code /api/{tool}} does through that workspace's own guarded
 * catalog.
 */
public final class WorkspaceRoutes {

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

    public void routes(RoutesConfig routes) {
        routes.post("/workspaces", answering(this::create));
        routes.get("/workspaces", answering(this::list));
        routes.get("/workspaces/{id}", answering(ctx -> json(ctx, 200, view(workspaces.get(ctx.pathParam("id"))))));
        routes.delete("/workspaces/{id}", answering(ctx -> {
            workspaces.delete(ctx.pathParam("id"));
            ctx.status(204);
        }));
        routes.post("/workspaces/{id}/fork", answering(this::fork));
        routes.post("/workspaces/{id}/snapshots", answering(this::snapshot));
        routes.get("/workspaces/{id}/snapshots", answering(this::snapshots));
        routes.delete("/workspaces/{id}/snapshots/{snapshot}", answering(ctx -> {
            workspaces.deleteSnapshot(ctx.pathParam("id"), ctx.pathParam("snapshot"));
            ctx.status(204);
        }));
        routes.post("/workspaces/{id}/restore", answering(this::restore));
        routes.post("/workspaces/{id}/stop", answering(ctx -> {
            if (read(ctx, NoBody.class) != null) {
                json(ctx, 200, view(workspaces.stop(ctx.pathParam("id"))));
            }
        }));
        routes.post("/workspaces/{id}/resume", answering(ctx -> {
            if (read(ctx, NoBody.class) != null) {
                json(ctx, 200, view(workspaces.resume(ctx.pathParam("id"))));
            }
        }));
        routes.post("/w/{id}/api/{tool}", answering(this::call));
    }

    private void create(Context ctx) {
        CreateBody body = read(ctx, CreateBody.class);
        if (body == null) {
            return;
        }
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
        created(
                ctx,
                body.snapshot() == null
                        ? workspaces.create(request)
                        : workspaces.fromSnapshot(body.snapshot(), request));
    }

    private void snapshot(Context ctx) {
        SnapshotBody body = read(ctx, SnapshotBody.class);
        if (body != null) {
            json(ctx, 201, view(workspaces.snapshot(ctx.pathParam("id"), Optional.ofNullable(body.name()))));
        }
    }

    private void snapshots(Context ctx) {
        ObjectNode answer = json.createObjectNode();
        var items = answer.putArray("snapshots");
        workspaces.snapshots(ctx.pathParam("id")).forEach(s -> items.add(view(s)));
        json(ctx, 200, answer);
    }

    private void restore(Context ctx) {
        RestoreBody body = read(ctx, RestoreBody.class);
        if (body == null) {
            return;
        }
        if (body.snapshot() == null) {
            throw invalid("Name the snapshot to restore: {\"snapshot\": \"ID\"}.");
        }
        json(ctx, 200, view(workspaces.restore(ctx.pathParam("id"), body.snapshot())));
    }

    private void fork(Context ctx) {
        ForkBody body = read(ctx, ForkBody.class);
        if (body == null) {
            return;
        }
        created(
                ctx,
                workspaces.fork(
                        ctx.pathParam("id"),
                        new NewWorkspace(
                                Optional.ofNullable(body.name()),
                                Optional.empty(),
                                body.labels() == null ? Map.of() : body.labels(),
                                seconds(body.ttlSeconds()),
                                seconds(body.maxLifetimeSeconds()),
                                new Source.Empty())));
    }

    private void list(Context ctx) {
        ObjectNode answer = json.createObjectNode();
        var items = answer.putArray("workspaces");
        workspaces.list().forEach(w -> items.add(view(w)));
        json(ctx, 200, answer);
    }

    private void call(Context ctx) {
        String id = ctx.pathParam("id");
        if (workspaces.get(id).state() == WorkspaceRecord.State.STOPPED) {
            throw FleetException.stopped(id); // before the door, which would take it for a tool's failure
        }
        new RestDoor(workspaces.caller(id), json).call(ctx);
    }

    private void created(Context ctx, Workspaces.Created created) {
        ObjectNode answer = view(created.workspace());
        answer.put("token", created.token());
        json(ctx, 201, answer);
    }

    private void json(Context ctx, int status, ObjectNode answer) {
        ctx.status(status).contentType("application/json").result(json.writeValueAsString(answer));
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
                .put("api", prefix(w.id()) + "/api");
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

    private <T> T read(Context ctx, Class<T> type) {
        byte[] bytes = ctx.bodyAsBytes();
        try {
            return strict.readValue(bytes.length == 0 ? "{}".getBytes(StandardCharsets.UTF_8) : bytes, type);
        } catch (JacksonException e) {
            RestDoor.error(
                    ctx,
                    json,
                    400,
                    "The request body is not what this route takes: " + e.getOriginalMessage(),
                    "See docs/workspaces.md for its fields.");
            return null;
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
