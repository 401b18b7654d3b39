package dev.belay.door.mcp;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.io.JsonStringEncoder;
import tools.jackson.core.json.JsonFactory;

/**
 * The parts of one JSON-RPC request that {@link EarlyAnswers} needs, read with Jackson's streaming parser alone (the
 * object mapper is part of what is still starting).
 *
 * @param method the method
 * @param id the request's id as JSON text (a quoted string or an integer), to be echoed in an answer
 * @param protocolVersion {@code params.protocolVersion}, for {@code initialize}
 * @param paged whether {@code params} names a {@code cursor}
 * @param params the JSON text of {@code params}, or {@code {}} without them
 */
record EarlyRequest(String method, String id, Optional<String> protocolVersion, boolean paged, String params) {

    /**
     * The request on {@code line}, when it is exactly one JSON-RPC 2.0 request object with a string or integer id;
     * empty for anything else (notifications, responses, invalid JSON), which the SDK reads as it always has. A
     * request whose params carry {@code _meta} is left to the servers too: a 2026-07-28 request names its protocol
     * there and expects answers of another shape.
     */
    static Optional<EarlyRequest> parse(JsonFactory json, byte[] line, int length) {
        try (JsonParser p = json.createParser(ObjectReadContext.empty(), line, 0, length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return Optional.empty();
            }
            String version = null;
            String method = null;
            String id = null;
            String protocolVersion = null;
            boolean paged = false;
            String params = "{}";
            for (JsonToken t = p.nextToken(); t == JsonToken.PROPERTY_NAME; t = p.nextToken()) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                switch (name) {
                    case "jsonrpc" -> version = value == JsonToken.VALUE_STRING ? p.getString() : null;
                    case "method" -> method = value == JsonToken.VALUE_STRING ? p.getString() : null;
                    case "id" ->
                        id = value == JsonToken.VALUE_NUMBER_INT
                                ? p.getString()
                                : value == JsonToken.VALUE_STRING ? quote(p.getString()) : null;
                    case "params" -> {
                        if (value != JsonToken.START_OBJECT) {
                            return Optional.empty();
                        }
                        int from = (int) p.currentTokenLocation().getByteOffset();
                        for (JsonToken u = p.nextToken(); u == JsonToken.PROPERTY_NAME; u = p.nextToken()) {
                            String field = p.currentName();
                            JsonToken v = p.nextToken();
                            if (field.equals("protocolVersion") && v == JsonToken.VALUE_STRING) {
                                protocolVersion = p.getString();
                            } else if (field.equals("cursor")) {
                                paged = true;
                            } else if (field.equals("_meta")) {
                                return Optional.empty();
                            }
                            p.skipChildren();
                        }
                        int to = (int) p.currentLocation().getByteOffset();
                        params = new String(line, from, to - from, StandardCharsets.UTF_8);
                    }
                    default -> p.skipChildren();
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT
                    || p.nextToken() != null
                    || !"2.0".equals(version)
                    || method == null
                    || id == null) {
                return Optional.empty();
            }
            return Optional.of(new EarlyRequest(method, id, Optional.ofNullable(protocolVersion), paged, params));
        } catch (JacksonException e) {
            return Optional.empty();
        }
    }

    private static String quote(String text) {
        StringBuilder quoted = new StringBuilder().append('"');
        JsonStringEncoder.getInstance().quoteAsString(text, quoted);
        return quoted.append('"').toString();
    }
}
