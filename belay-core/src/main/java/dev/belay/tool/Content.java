package dev.belay.tool;

import java.util.Base64;
import java.util.Objects;

/**
 * One piece of what a tool returns to the model. Media travel as base64, the form every wire (MCP, the agent
 * protocol, the web UI) carries them in, so that a piece is immutable and encoded once.
 */
public sealed interface Content {

    /** Text for the model to read. */
    record Text(String text) implements Content {
        public Text {
            Objects.requireNonNull(text, "text");
        }
    }

    /** An image (PNG, JPEG, GIF, WebP) the model can look at. */
    record Image(String base64, String mimeType) implements Content {
        public Image {
            requireMedia(base64, mimeType);
        }
    }

    /** A sound (WAV, MP3, OGG). */
    record Audio(String base64, String mimeType) implements Content {
        public Audio {
            requireMedia(base64, mimeType);
        }
    }

    /** Bytes as the base64 that media content holds. */
    static String base64(byte[] data) {
        return Base64.getEncoder().encodeToString(data);
    }

    private static void requireMedia(String base64, String mimeType) {
        Objects.requireNonNull(base64, "base64");
        Objects.requireNonNull(mimeType, "mimeType");
    }
}
