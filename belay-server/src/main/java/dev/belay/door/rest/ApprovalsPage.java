package dev.belay.door.rest;

import dev.belay.policy.Approvals;
import dev.belay.policy.Decision;
import dev.belay.policy.PendingCall;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.sse.SseClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The operator's page at {@code /approvals}: calls waiting for an answer arrive live over server-sent events, and
 * Approve / Deny / Always answer them. It works next to the terminal prompt; the first answer wins. The page reads
 * its stream with fetch() and the web UI's session (an EventSource could send no header).
 */
public final class ApprovalsPage {

    /** The page and its assets hold no data: they load without the token, and the page's script signs its calls. */
    public static final Set<String> OPEN_PATHS = Set.of("/approvals", "/approvals/page.js", "/approvals/page.css");

    private final Approvals approvals;
    private final JsonMapper json;
    private final String html = asset("approvals.html");
    private final String script = asset("approvals.js");
    private final String style = asset("approvals.css");

    public ApprovalsPage(Approvals approvals, JsonMapper json) {
        this.approvals = approvals;
        this.json = json;
    }

    private static String asset(String name) {
        try (InputStream in = ApprovalsPage.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void routes(RoutesConfig routes) {
        routes.get("/approvals", ctx -> ctx.html(html));
        // script and style are files, never inline: the Content-Security-Policy allows nothing else
        routes.get(
                "/approvals/page.js",
                ctx -> ctx.contentType("text/javascript; charset=utf-8").result(script));
        routes.get(
                "/approvals/page.css",
                ctx -> ctx.contentType("text/css; charset=utf-8").result(style));
        routes.get("/approvals/pending", ctx -> {
            var list = json.createArrayNode();
            approvals.pending().forEach(p -> list.add(toJson(p)));
            ctx.contentType("application/json").result(json.writeValueAsString(list));
        });
        routes.sse("/approvals/events", this::stream);
        routes.post("/approvals/{id}", this::decide);
    }

    private void stream(SseClient client) {
        client.keepAlive();
        approvals.pending().forEach(p -> client.sendEvent("added", json.writeValueAsString(toJson(p))));
        Approvals.Listener listener = new Approvals.Listener() {
            @Override
            public void added(PendingCall call) {
                client.sendEvent("added", json.writeValueAsString(toJson(call)));
            }

            @Override
            public void resolved(PendingCall call, Decision decision) {
                client.sendEvent(
                        "resolved",
                        json.writeValueAsString(json.createObjectNode()
                                .put("id", call.id())
                                .put("verdict", decision.verdict().name().toLowerCase(Locale.ROOT))
                                .put("by", decision.by())));
            }
        };
        approvals.listen(listener);
        client.onClose(() -> approvals.unlisten(listener));
    }

    private void decide(Context ctx) {
        JsonNode body;
        try {
            byte[] bytes = ctx.bodyAsBytes();
            body = bytes.length == 0 ? json.createObjectNode() : json.readTree(bytes);
        } catch (JacksonException e) {
            RestDoor.error(ctx, json, 400, "the body is not JSON: " + e.getOriginalMessage(), "");
            return;
        }
        Decision.Verdict verdict;
        try {
            verdict = Decision.Verdict.valueOf(body.path("verdict").asString("").toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            RestDoor.error(ctx, json, 400, "verdict must be approve, deny or always", "");
            return;
        }
        boolean done = approvals.decide(
                ctx.pathParam("id"),
                new Decision(verdict, "web", body.path("reason").asString("")));
        ctx.status(done ? 200 : 404)
                .contentType("application/json")
                .result(json.writeValueAsString(json.createObjectNode().put("decided", done)));
    }

    private ObjectNode toJson(PendingCall p) {
        ObjectNode o = json.createObjectNode();
        o.put("id", p.id());
        o.put("tool", p.call().tool());
        o.put("door", p.call().context().door());
        o.put("session", p.call().context().session());
        o.set("arguments", p.call().arguments());
        o.put("preview", p.preview());
        o.put("created", p.created().toString());
        if (p.autoApproveAt() != null) {
            o.put("auto_approve_at", p.autoApproveAt().toString());
        }
        return o;
    }
}
