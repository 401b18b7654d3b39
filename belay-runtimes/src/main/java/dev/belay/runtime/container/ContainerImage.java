package dev.belay.runtime.container;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.PullResponseItem;
import java.util.concurrent.TimeUnit;

/**
 * The image a workspace's container runs, as the engine knows it (pulled first when the engine does not have it).
 *
 * @param id the engine's id of the image, which an existing container must match
 * @param path the image's PATH, or the usual one: commands get it instead of the host's
 */
record ContainerImage(String id, String path) {

    private static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /** @throws RuntimeException when the engine has no such image and cannot pull it */
    static ContainerImage find(DockerClient docker, String image) {
        InspectImageResponse found = inspect(docker, image);
        return new ContainerImage(found.getId(), pathOf(found));
    }

    private static InspectImageResponse inspect(DockerClient docker, String image) {
        try {
            return docker.inspectImageCmd(image).exec();
        } catch (NotFoundException e) {
            StringBuilder errors = new StringBuilder();
            // a plain callback: docker-java's PullImageResultCallback trips over podman's progress messages
            ResultCallback.Adapter<PullResponseItem> pull = new ResultCallback.Adapter<>() {
                @Override
                public void onNext(PullResponseItem item) {
                    if (item.getErrorDetail() != null) {
                        errors.append(item.getErrorDetail().getMessage());
                    }
                }
            };
            try {
                docker.pullImageCmd(image).exec(pull).awaitCompletion(10, TimeUnit.MINUTES);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
            if (!errors.isEmpty()) {
                throw new IllegalStateException(errors.toString().strip());
            }
            return docker.inspectImageCmd(image).exec();
        }
    }

    private static String pathOf(InspectImageResponse image) {
        String[] env = image.getConfig() == null ? null : image.getConfig().getEnv();
        if (env != null) {
            for (String entry : env) {
                if (entry.startsWith("PATH=")) {
                    return entry.substring(5);
                }
            }
        }
        return DEFAULT_PATH;
    }
}
