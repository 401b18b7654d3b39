package dev.belay.fleet;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An admin token other than the server's own, named in {@code --tenants FILE}: it uses the lifecycle API as the admin
 * token does, but sees only the workspaces it made (others are absent to it), and makes at most {@code maxWorkspaces}.
 * Its token is never known to the server, only its SHA-256, as a workspace's.
 *
 * @param name the owner written in its workspaces' records
 * @param tokenDigest the SHA-256 of its token, in lower-case hex
 */
public record Tenant(String name, String tokenDigest, int maxWorkspaces) {

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    private static final Pattern DIGEST = Pattern.compile("[0-9a-f]{64}");

    public Tenant {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(
                    "a tenant's name is 1 to 64 of a-z, 0-9, '.', '_' and '-', starting with a letter or digit: "
                            + name);
        }
        Objects.requireNonNull(tokenDigest, "tokenDigest");
        if (!DIGEST.matcher(tokenDigest).matches()) {
            throw new IllegalArgumentException("tenant " + name + ": token_sha256 is 64 lower-case hex digits, the "
                    + "SHA-256 of its token (printf %s \"$TOKEN\" | sha256sum)");
        }
        if (maxWorkspaces < 1) {
            throw new IllegalArgumentException("tenant " + name + ": max_workspaces must be at least 1");
        }
    }
}
