package dev.belay.door.rest;

import dev.belay.fleet.FleetException;
import dev.belay.fleet.NewWorkspace;
import dev.belay.fleet.Source;
import dev.belay.fleet.WorkspaceRecord;
import dev.belay.fleet.Workspaces;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The lifecycle API of a multi-workspace server, for the admin token: {@code /workspaces} to create, list, get,
 * fork and delete workspaces; and each workspace's REST door, {@code POST /w/{id}/api/{tool}}, answering as
 * {@code /api/{tool}} does through that workspace's own guarded catalog.
 */
public final class WorkspaceRoutes {

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

    public void routes(RoutesConfig routes) {
        routes.post("/workspaces", answering(this::create));
        routes.get("/workspaces", answering(this::list));
        routes.get("/workspaces/{id}", answering(ctx -> json(ctx, 200, view(workspaces.get(ctx.pathParam("id"))))));
        routes.delete("/workspaces/{id}", answering(ctx -> {
            workspaces.delete(ctx.pathParam("id"));
            ctx.status(204);
        }));
        routes.post("/workspaces/{id}/fork", answering(this::fork));
        routes.post("/w/{id}/api/{tool}", answering(this::call));
    }

    private void create(Context ctx) {
        CreateBody body = read(ctx, CreateBody.class);
        if (body == null) {
            return;
        }
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
        created(
                ctx,
                workspaces.create(new NewWorkspace(
                        Optional.ofNullable(body.name()),
                        Optional.ofNullable(body.runtime()),
                        body.labels() == null ? Map.of() : body.labels(),
                        seconds(body.ttlSeconds()),
                        seconds(body.maxLifetimeSeconds()),
                        source)));
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
        new RestDoor(workspaces.caller(ctx.pathParam("id")), json).call(ctx);
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
                .put("expires", min(w).toString())
                .put("mcp", prefix(w.id()) + "/mcp")
                .put("api", prefix(w.id()) + "/api");
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
