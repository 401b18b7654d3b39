package dev.belay.door.rest;

import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** The legacy {@code /.well-known/ai-plugin.json} manifest, for clients that still read it. */
public final class PluginManifest {

    private PluginManifest() {}

    /**
     * The manifest for a server at that URL.
     *
     * @param baseUrl the public URL of the server
     * @param bearer whether the server requires its API token
     */
    public static ObjectNode of(String baseUrl, boolean bearer) {
        ObjectNode m = JsonNodeFactory.instance.objectNode();
        m.put("schema_version", "v1");
        m.put("name_for_human", "Belay");
        m.put("name_for_model", "belay");
        m.put(
                "description_for_human",
                "Run commands and edit files in your own workspace, with every change journaled.");
        m.put(
                "description_for_model",
                "Work on the user's code in a workspace: run builds and tests with run_command, read and change files, "
                        + "search, and review or undo changes with history, diff and undo. Every change is a git "
                        + "commit.");
        ObjectNode auth = m.putObject("auth");
        if (bearer) {
            auth.put("type", "service_http");
            auth.put("authorization_type", "bearer");
            auth.putObject("verification_tokens");
        } else {
            auth.put("type", "none");
        }
        m.putObject("api").put("type", "openapi").put("url", baseUrl + "/openapi.json");
        m.put("logo_url", baseUrl + "/docs/favicon-32x32.png");
        m.put("contact_email", "belay@localhost");
        m.put("legal_info_url", baseUrl + "/docs");
        return m;
    }
}
