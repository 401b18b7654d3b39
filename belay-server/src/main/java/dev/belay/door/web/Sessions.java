package dev.belay.door.web;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The web UI's browser sessions and one-time sign-in codes. The cookie holds a random session id, never the API token,
 * so a cookie that leaks (cookies are shared by every port of a host) is not the token and ends with the session. Each
 * session has its own anti-CSRF secret, which the page sends back in {@value #CSRF_HEADER} on every state-changing
 * request: a page of another origin can make the browser send the cookie, but cannot read the secret.
 */
public final class Sessions {

    /** One signed-in browser. */
    public record Session(String id, String csrf, Instant expires) {
    }

    public static final String CSRF_HEADER = "X-Belay-CSRF";
    /** How long a browser stays signed in. */
    static final Duration SESSION_TTL = Duration.ofHours(12);
    /** How long a printed sign-in link works, if it is not used first. */
    public static final Duration CODE_TTL = Duration.ofMinutes(15);
    /** Enough for many browsers; a flood of sign-ins with the right token cannot grow memory without bound. */
    private static final int MAX_SESSIONS = 1000;

    private final SecureRandom random = new SecureRandom();
    private final Clock clock;
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final Map<String, Instant> codes = new ConcurrentHashMap<>();

    public Sessions(Clock clock) {
        this.clock = clock;
    }

    /** A new session for a browser that proved it holds the token (or a sign-in code). */
    public Session open() {
        Instant now = clock.instant();
        sessions.values().removeIf(s -> s.expires().isBefore(now));
        if (sessions.size() >= MAX_SESSIONS) {
            sessions.values().stream().min((a, b) -> a.expires().compareTo(b.expires()))
                    .ifPresent(oldest -> sessions.remove(oldest.id()));
        }
        Session session = new Session(secret(), secret(), now.plus(SESSION_TTL));
        sessions.put(session.id(), session);
        return session;
    }

    /** The live session a cookie names, if any. */
    public Optional<Session> find(String id) {
        if (id == null) {
            return Optional.empty();
        }
        Session session = sessions.get(id);
        if (session == null || session.expires().isBefore(clock.instant())) {
            return Optional.empty();
        }
        return Optional.of(session);
    }

    /** A new one-time sign-in code, good for {@link #CODE_TTL}; it is not the token and cannot become it. */
    public String code() {
        Instant now = clock.instant();
        codes.values().removeIf(expiry -> expiry.isBefore(now));
        String code = secret();
        codes.put(code, now.plus(CODE_TTL));
        return code;
    }

    /** Uses up a sign-in code: a session if it was good, and never again either way. */
    public Optional<Session> redeem(String code) {
        Instant expiry = code == null ? null : codes.remove(code);
        if (expiry == null || expiry.isBefore(clock.instant())) {
            return Optional.empty();
        }
        return Optional.of(open());
    }

    private String secret() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
