package dev.belay.door.mcp;

import java.net.URLConnection;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Workspace files as MCP resources, whatever the SDK: listed by {@code find_files} (which honours .gitignore and the
 * deny rules), read by {@code download_file}, completed from the same listing. Answers are in MCP's wire shapes, for
 * each SDK adapter to read into its own types.
 */
final class WorkspaceResources {

    /** Most bytes a resource read returns; a larger file is refused, never cut, and read with download_file. */
    static final int MOST_BYTES = 4 << 20;
    /** Most values a completion returns, as MCP allows. */
    static final int MOST_COMPLETIONS = 100;
    /** Most files find_files lists, so the most files a listing holds. */
    private static final int MOST_FILES = 1000;

    private static final Set<String> TEXT_TYPES = Set.of(
            "application/json", "application/xml", "application/javascript", "application/x-sh", "application/yaml");

    /** Paths that start with what a client typed so far: at most {@link #MOST_COMPLETIONS} of {@code total}. */
    record Completion(List<String> values, int total) {
        Completion {
            values = List.copyOf(values);
        }

        static Completion of(List<String> all, String prefix) {
            List<String> matching =
                    all.stream().filter(v -> v.startsWith(prefix)).sorted().toList();
            return new Completion(matching.subList(0, Math.min(MOST_COMPLETIONS, matching.size())), matching.size());
        }
    }

    private final CatalogReads reads;

    WorkspaceResources(CatalogReads reads) {
        this.reads = reads;
    }

    /** The resource template of every workspace file. */
    static ObjectNode template() {
        return JsonNodeFactory.instance
                .objectNode()
                .put("uriTemplate", ResourceUris.FILE_TEMPLATE)
                .put("name", "workspace-file")
                .put("title", "Workspace file")
                .put(
                        "description",
                        "A file of the workspace, by its path relative to the workspace root: text as "
                                + "text, anything else as base64; at most " + (MOST_BYTES >> 20) + " MiB.");
    }

    /** The workspace's files as listed resources, in the order of their paths. */
    List<ObjectNode> listed(String session) {
        List<ObjectNode> listed = new ArrayList<>();
        for (String path : files(session)) {
            ObjectNode resource = JsonNodeFactory.instance
                    .objectNode()
                    .put("uri", ResourceUris.file(path))
                    .put("name", path);
            String type = URLConnection.guessContentTypeFromName(path);
            if (type != null) {
                resource.put("mimeType", type);
            }
            listed.add(resource);
        }
        return listed;
    }

    /**
     * A file's contents: text when it is UTF-8 without NUL, with the type its name suggests (or
     * {@code text/plain}), otherwise base64 in {@code blob}.
     *
     * @throws RefusedRequest when the URI names no file the guard lets this door read whole
     */
    ObjectNode read(String uri, String session) {
        String path = ResourceUris.path(uri)
                .orElseThrow(() -> RefusedRequest.notFound(
                        uri, "A file's URI is " + ResourceUris.WORKSPACE + " and its path in the workspace."));
        ObjectNode got = reads.require(reads.call(session, "download_file", "path", path, "length", MOST_BYTES), uri);
        long size = got.path("size").asLong();
        if (size > MOST_BYTES) {
            throw new RefusedRequest(
                    RefusedRequest.Kind.REFUSED,
                    uri,
                    path + " has " + size + " bytes; a resource is read whole up to " + MOST_BYTES
                            + " bytes. Read it in ranges with the download_file tool.");
        }
        byte[] bytes = Base64.getDecoder().decode(got.path("content_base64").asString(""));
        String type = got.path("mime_type").asString("application/octet-stream");
        ObjectNode content = JsonNodeFactory.instance.objectNode().put("uri", uri);
        String text = ResourceUris.utf8(bytes).filter(t -> t.indexOf('\0') < 0).orElse(null);
        if (text != null) {
            content.put("mimeType", type.startsWith("text/") || TEXT_TYPES.contains(type) ? type : "text/plain")
                    .put("text", text);
        } else {
            content.put("mimeType", type).put("blob", got.path("content_base64").asString());
        }
        ObjectNode result = JsonNodeFactory.instance.objectNode();
        result.putArray("contents").add(content);
        return result;
    }

    /** Workspace paths (files, and their directories when asked) that start with a prefix. */
    Completion complete(String prefix, boolean directories, String session) {
        Set<String> all = new TreeSet<>(files(session));
        if (directories) {
            for (String file : List.copyOf(all)) {
                for (int slash = file.indexOf('/'); slash > 0; slash = file.indexOf('/', slash + 1)) {
                    all.add(file.substring(0, slash + 1));
                }
            }
        }
        return Completion.of(List.copyOf(all), prefix == null ? "" : prefix);
    }

    /** Every file find_files lists (at most {@value #MOST_FILES}), sorted; none when the guard refuses the listing. */
    List<String> files(String session) {
        var result = reads.call(session, "find_files", "glob", "*", "max_results", MOST_FILES);
        if (result.isError() || result.structured() == null) {
            return List.of();
        }
        List<String> files = new ArrayList<>();
        for (JsonNode file : result.structured().path("files")) {
            files.add(file.asString());
        }
        files.sort(null);
        return files;
    }
}
