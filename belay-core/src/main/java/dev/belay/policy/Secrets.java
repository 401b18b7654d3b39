package dev.belay.policy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The one comparison of a presented secret (an API token, a token's digest) with the one Belay knows. */
public final class Secrets {

    private Secrets() {}

    /**
     * Whether the presented secret is the known one, in a time that does not depend on where they first differ, so
     * that timing the answers does not reveal it character by character.
     *
     * @param presented what a client sent, or {@code null} when it sent nothing
     */
    public static boolean same(String known, String presented) {
        return presented != null
                && MessageDigest.isEqual(
                        known.getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8));
    }

    /** What Belay keeps of a secret it hands out (a session, an agent token): its SHA-256 in hex, never the secret. */
    public static String digest(String secret) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
