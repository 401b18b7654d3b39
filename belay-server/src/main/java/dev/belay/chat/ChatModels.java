package dev.belay.chat;

import dev.langchain4j.model.openai.OpenAiModelCatalog;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import java.time.Duration;
import java.util.Optional;

/** The chat model every door talks to: an OpenAI-compatible server, read through {@link ModelHttpClient}. */
public final class ChatModels {

    private ChatModels() {}

    /**
     * A streaming model on an OpenAI-compatible server.
     *
     * @param apiKey none for a local server that asks for no key
     */
    public static OpenAiStreamingChatModel openAi(String baseUrl, Optional<String> apiKey, String model) {
        return OpenAiStreamingChatModel.builder()
                .baseUrl(baseUrl)
                .apiKey(apiKey.orElse("none"))
                .modelName(model)
                .timeout(Duration.ofMinutes(10))
                .httpClientBuilder(ModelHttpClient.builder())
                .build();
    }

    /** The server's list of models. */
    public static OpenAiModelCatalog catalog(String baseUrl, Optional<String> apiKey) {
        return OpenAiModelCatalog.builder()
                .baseUrl(baseUrl)
                .apiKey(apiKey.orElse("none"))
                .httpClientBuilder(ModelHttpClient.builder())
                .build();
    }
}
