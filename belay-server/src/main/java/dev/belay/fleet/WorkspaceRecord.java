package dev.belay.fleet;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What a multi-workspace server keeps of one workspace, in {@code DIR/<id>/workspace.json}. The token itself is never
 * kept: only its digest, which the access filter compares a presented token's digest with.
 *
 * @param id short, random and URL-safe; also the name of its directory
 * @param runtime as {@code --runtime} spells it: {@code local}, {@code sandbox} or {@code container[:IMAGE]}
 * @param tokenDigest the SHA-256 of its token, in hex
 * @param idleTtl deleted when unused this long
 * @param maxLifetime deleted this long after its creation, used or not
 * @param origin where its files came from, for people: {@code empty}, a template, a repository, a fork's original
 * @param owner the {@link Tenant} that made it, or empty for the server's own admin token
 */
public record WorkspaceRecord(
        String id,
        String name,
        String runtime,
        Map<String, String> labels,
        String tokenDigest,
        Duration idleTtl,
        Duration maxLifetime,
        Instant created,
        Instant lastUsed,
        String origin,
        String owner) {

    private static final Pattern ID = Pattern.compile("[a-z0-9]{12}");

    public WorkspaceRecord {
        if (!validId(id)) {
            throw new IllegalArgumentException("not a workspace id: " + id);
        }
        NewWorkspace.checkName(name);
        NewWorkspace.checkRuntime(runtime);
        labels = NewWorkspace.checkLabels(labels);
        Objects.requireNonNull(tokenDigest, "tokenDigest");
        NewWorkspace.checkDuration("idle TTL", idleTtl);
        NewWorkspace.checkDuration("max lifetime", maxLifetime);
        Objects.requireNonNull(created, "created");
        Objects.requireNonNull(lastUsed, "lastUsed");
        Objects.requireNonNull(origin, "origin");
        owner = owner == null ? "" : owner; // a record written before tenants existed is the admin's
    }

    /** Whether {@code id} could be a workspace's id: anything else names none, and never reaches the file system. */
    public static boolean validId(String id) {
        return id != null && ID.matcher(id).matches();
    }

    WorkspaceRecord used(Instant at) {
        return new WorkspaceRecord(
                id, name, runtime, labels, tokenDigest, idleTtl, maxLifetime, created, at, origin, owner);
    }

    /** Why it has expired at {@code now}, or null while it lives. */
    String expiry(Instant now) {
        if (!now.isBefore(created.plus(maxLifetime))) {
            return "its max lifetime of " + maxLifetime.toSeconds() + " s is over";
        }
        if (!now.isBefore(lastUsed.plus(idleTtl))) {
            return "it was idle for its TTL of " + idleTtl.toSeconds() + " s";
        }
        return null;
    }
}
