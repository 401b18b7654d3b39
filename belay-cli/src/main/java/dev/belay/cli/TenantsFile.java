package dev.belay.cli;

import dev.belay.fleet.Tenant;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code --tenants FILE}: the admin tokens besides the server's own, as JSON, each by its SHA-256 (never the token):
 * {@code {"tenants": [{"name": "team-a", "token_sha256": "…", "max_workspaces": 5}]}}. Read once at startup; unknown
 * fields, repeated names or digests, and bad values are refused, so that a misspelt limit is not silently ignored.
 */
final class TenantsFile {

    record Entry(String name, String tokenSha256, Integer maxWorkspaces) {}

    record Content(List<Entry> tenants) {}

    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .build();

    private TenantsFile() {}

    static List<Tenant> read(Path file) {
        Content content;
        try {
            content = JSON.readValue(Files.readString(file), Content.class);
        } catch (IOException | JacksonException e) {
            throw new UsageException("--tenants " + file + " cannot be read: " + e.getMessage());
        }
        if (content == null || content.tenants() == null) {
            throw new UsageException("--tenants " + file + " has no \"tenants\" list");
        }
        Set<String> names = new HashSet<>();
        Set<String> digests = new HashSet<>();
        try {
            List<Tenant> tenants = content.tenants().stream()
                    .map(e -> new Tenant(
                            e.name(),
                            e.tokenSha256() == null ? "" : e.tokenSha256(),
                            e.maxWorkspaces() == null ? 0 : e.maxWorkspaces()))
                    .toList();
            for (Tenant tenant : tenants) {
                if (!names.add(tenant.name()) || !digests.add(tenant.tokenDigest())) {
                    throw new IllegalArgumentException(
                            "tenant " + tenant.name() + " is named twice, or shares a token");
                }
            }
            return tenants;
        } catch (IllegalArgumentException e) {
            throw new UsageException("--tenants " + file + ": " + e.getMessage());
        }
    }
}
