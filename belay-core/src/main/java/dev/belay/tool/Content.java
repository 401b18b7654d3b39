package dev.belay.tool;

import java.util.Objects;

/** One piece of what a tool returns to the model. */
public sealed interface Content {

    /** Text for the model to read. */
    record Text(String text) implements Content {
        public Text {
            Objects.requireNonNull(text, "text");
        }
    }

    /** An image (PNG, JPEG, GIF, WebP) the model can look at. */
    record Image(byte[] data, String mimeType) implements Content {
        public Image {
            Objects.requireNonNull(data, "data");
            Objects.requireNonNull(mimeType, "mimeType");
        }
    }

    /** A sound (WAV, MP3, OGG). */
    record Audio(byte[] data, String mimeType) implements Content {
        public Audio {
            Objects.requireNonNull(data, "data");
            Objects.requireNonNull(mimeType, "mimeType");
        }
    }
}
