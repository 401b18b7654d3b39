package dev.belay.fleet;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
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
 * @param state running, or stopped (its engine closed until resumed); absent in records of earlier servers: running
 * @param diskBytes what its files took at the last measure (after a call, at each sweep)
 * @param diskLimitBytes past this, calls that write are refused; empty: no cap
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
        State state,
        long diskBytes,
        Optional<Long> diskLimitBytes,
        String owner) {

    /** Whether a workspace's doors serve calls. */
    public enum State {
        RUNNING,
        STOPPED
    }

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
        state = state == null ? State.RUNNING : state;
        diskLimitBytes = diskLimitBytes == null ? Optional.empty() : diskLimitBytes;
        diskLimitBytes.ifPresent(NewWorkspace::checkDiskLimit);
        owner = owner == null ? "" : owner; // a record written before tenants existed is the admin's
    }

    /** A new workspace's record: running, its disk not measured yet; {@code owner} empty: the server's admin's. */
    static WorkspaceRecord of(
            String id,
            String name,
            String runtime,
            Map<String, String> labels,
            String tokenDigest,
            Duration idleTtl,
            Duration maxLifetime,
            Instant created,
            String origin,
            Optional<Long> diskLimitBytes,
            String owner) {
        return new WorkspaceRecord(
                id,
                name,
                runtime,
                labels,
                tokenDigest,
                idleTtl,
                maxLifetime,
                created,
                created,
                origin,
                State.RUNNING,
                0,
                diskLimitBytes,
                owner);
    }

    /** Whether {@code id} could be a workspace's id: anything else names none, and never reaches the file system. */
    public static boolean validId(String id) {
        return id != null && ID.matcher(id).matches();
    }

    WorkspaceRecord used(Instant at) {
        return changed(at, state, diskBytes);
    }

    WorkspaceRecord in(State to) {
        return changed(lastUsed, to, diskBytes);
    }

    WorkspaceRecord measured(long bytes) {
        return changed(lastUsed, state, bytes);
    }

    /** This record with what changes while a workspace lives: its last use, its state and its disk use. */
    private WorkspaceRecord changed(Instant at, State to, long bytes) {
        return new WorkspaceRecord(
                id,
                name,
                runtime,
                labels,
                tokenDigest,
                idleTtl,
                maxLifetime,
                created,
                at,
                origin,
                to,
                bytes,
                diskLimitBytes,
                owner);
    }

    /** Whether its files took more than its cap at the last measure. */
    public boolean overDiskLimit() {
        return diskLimitBytes.filter(limit -> diskBytes > limit).isPresent();
    }

    /**
     * When it expires if nothing uses it: its max lifetime, and while it runs its idle TTL too, since a stopped
     * workspace is kept until it is deleted or its max lifetime is over.
     */
    public Instant expires() {
        Instant max = created.plus(maxLifetime);
        Instant idle = lastUsed.plus(idleTtl);
        return state == State.RUNNING && idle.isBefore(max) ? idle : max;
    }

    /** Why it has expired at {@code now}, or null while it lives. */
    String expiry(Instant now) {
        if (!now.isBefore(created.plus(maxLifetime))) {
            return "its max lifetime of " + maxLifetime.toSeconds() + " s is over";
        }
        if (state == State.RUNNING && !now.isBefore(lastUsed.plus(idleTtl))) {
            return "it was idle for its TTL of " + idleTtl.toSeconds() + " s";
        }
        return null;
    }
}
