package dev.belay.door.web;

import dev.belay.policy.Secrets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The web UI's browser sessions and one-time sign-in codes. A session is a random secret, never the API token, that
 * the page keeps in its own origin's storage and sends as {@code Authorization: Bearer}. It is never a cookie: cookies
 * are shared by every port of a host, so a server on another localhost port that the browser visits would receive it
 * and could replay it; a header is sent only by the page's own script, so there is nothing ambient to replay or to
 * ride on. Sessions and codes are kept by their SHA-256, so looking one up compares digests, not the secret.
 */
public final class Sessions {

    /** How long a browser stays signed in. */
    static final Duration SESSION_TTL = Duration.ofHours(12);
    /** How long a printed sign-in link works, if it is not used first. */
    public static final Duration CODE_TTL = Duration.ofMinutes(15);
    /** Enough for many browsers; a flood of sign-ins with the right token cannot grow memory without bound. */
    private static final int MAX_SESSIONS = 1000;

    private final SecureRandom random = new SecureRandom();
    private final Clock clock;
    /** Expiry by the digest of the session. */
    private final Map<String, Instant> sessions = new ConcurrentHashMap<>();
    /** Expiry by the digest of the code. */
    private final Map<String, Instant> codes = new ConcurrentHashMap<>();

    public Sessions(Clock clock) {
        this.clock = clock;
    }

    /** A new session for a browser that proved it holds the token (or a sign-in code): the secret it sends back. */
    public String open() {
        Instant now = clock.instant();
        sessions.values().removeIf(expiry -> expiry.isBefore(now));
        if (sessions.size() >= MAX_SESSIONS) {
            sessions.entrySet().stream()
                    .min(Map.Entry.comparingByValue())
                    .ifPresent(oldest -> sessions.remove(oldest.getKey()));
        }
        String session = secret();
        sessions.put(digest(session), now.plus(SESSION_TTL));
        return session;
    }

    /** Whether a presented session is live. */
    public boolean valid(String session) {
        Instant expiry = session == null ? null : sessions.get(digest(session));
        return expiry != null && !expiry.isBefore(clock.instant());
    }

    /** Signs a browser out: its session is no good from now on, wherever a copy of it is. */
    public void close(String session) {
        if (session != null) {
            sessions.remove(digest(session));
        }
    }

    /** A new one-time sign-in code, good for {@link #CODE_TTL}; it is not the token and cannot become it. */
    public String code() {
        Instant now = clock.instant();
        codes.values().removeIf(expiry -> expiry.isBefore(now));
        String code = secret();
        codes.put(digest(code), now.plus(CODE_TTL));
        return code;
    }

    /** Uses up a sign-in code: a session if it was good, and never again either way. */
    public Optional<String> redeem(String code) {
        Instant expiry = code == null ? null : codes.remove(digest(code));
        if (expiry == null || expiry.isBefore(clock.instant())) {
            return Optional.empty();
        }
        return Optional.of(open());
    }

    /** The credential of an {@code Authorization: Bearer} header, or null for any other header or none. */
    public static String bearer(String authorization) {
        return authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                ? authorization.substring(7).strip()
                : null;
    }

    private String secret() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String digest(String secret) {
        return Secrets.digest(secret);
    }
}
