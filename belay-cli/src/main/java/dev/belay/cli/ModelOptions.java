package dev.belay.cli;

import dev.belay.chat.ChatLoop;
import java.io.IOException;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The model the chat loop talks to, shared by {@code belay chat} and the web UI of {@code belay serve}. */
final class ModelOptions {

    static final String OPENAI = "https://api.openai.com/v1";

    @Option(
            names = "--base-url",
            paramLabel = "URL",
            defaultValue = "${env:OPENAI_BASE_URL}",
            description = "The chat model API's base URL, e.g. http://localhost:11434/v1 for Ollama. Default: the "
                    + "config's base-url, else " + OPENAI + "; env OPENAI_BASE_URL.")
    String baseUrl;

    @Option(
            names = "--model",
            paramLabel = "MODEL",
            defaultValue = "${env:BELAY_MODEL}",
            description = "The chat model. Default: the config's model, else gpt-4o-mini; env BELAY_MODEL.")
    String model;

    @Option(
            names = "--tool-protocol",
            paramLabel = "native|tags",
            defaultValue = "native",
            description = "How the chat model calls tools: native function calling, or tags in plain text for models "
                    + "without it. Default: ${DEFAULT-VALUE}.")
    String toolProtocol;

    @Option(
            names = "--max-steps",
            paramLabel = "N",
            defaultValue = "25",
            description = "Chat model requests per message before the loop stops and says so. Default: "
                    + "${DEFAULT-VALUE}.")
    int maxSteps;

    private final LaunchEnvironment env;

    ModelOptions(LaunchEnvironment env) {
        this.env = env;
    }

    /** What the options, the config and the environment say, the key never printed. */
    record Resolved(
            String baseUrl, String model, Optional<String> apiKey, ChatLoop.ToolProtocol protocol, int maxSteps) {}

    Resolved resolve(ConfigStore config) {
        ChatLoop.ToolProtocol protocol = switch (toolProtocol) {
            case "native" -> ChatLoop.ToolProtocol.NATIVE;
            case "tags" -> ChatLoop.ToolProtocol.TAGS;
            default -> throw new UsageException("--tool-protocol must be native or tags");
        };
        if (maxSteps < 1) {
            throw new UsageException("--max-steps must be at least 1");
        }
        String url = Optional.ofNullable(baseUrl)
                .filter(u -> !u.isBlank())
                .or(() -> get(config, "base-url"))
                .orElse(OPENAI);
        String name = Optional.ofNullable(model)
                .filter(m -> !m.isBlank())
                .or(() -> get(config, "model"))
                .orElse("gpt-4o-mini");
        Optional<String> key = env.get("OPENAI_API_KEY").or(() -> get(config, ConfigStore.API_KEY));
        return new Resolved(url, name, key, protocol, maxSteps);
    }

    private static Optional<String> get(ConfigStore config, String key) {
        try {
            return config.get(key);
        } catch (IOException e) {
            throw new UsageException("cannot read the settings: " + e.getMessage());
        }
    }
}
