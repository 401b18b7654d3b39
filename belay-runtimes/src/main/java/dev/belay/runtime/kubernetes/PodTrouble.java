package dev.belay.runtime.kubernetes;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What keeps a pod from ever getting its agent online, read from its status: failed, unschedulable, an image that
 * cannot be pulled, a container that cannot start or keeps exiting. A pod merely slow to start has no trouble.
 */
final class PodTrouble {

    /** Waiting reasons of a container that will not start without someone changing something. */
    private static final Set<String> STUCK = Set.of(
            "ErrImagePull",
            "ImagePullBackOff",
            "InvalidImageName",
            "ErrImageNeverPull",
            "CreateContainerConfigError",
            "CreateContainerError",
            "RunContainerError",
            "CrashLoopBackOff");

    /** Why a pod will not get its agent online without someone changing something, if it will not. */
    static Optional<String> of(Pod pod) {
        if (pod.getStatus() == null) {
            return Optional.empty();
        }
        var status = pod.getStatus();
        if ("Failed".equals(status.getPhase())) {
            return Optional.of("it has failed" + detail(status.getReason(), status.getMessage()));
        }
        if ("Succeeded".equals(status.getPhase())) {
            // restartPolicy Always never lets it get here; a pod changed by hand might
            return Optional.of("its agent exited" + detail(status.getReason(), status.getMessage()));
        }
        for (PodCondition condition :
                Optional.ofNullable(status.getConditions()).orElse(List.of())) {
            if ("PodScheduled".equals(condition.getType())
                    && "False".equals(condition.getStatus())
                    && "Unschedulable".equals(condition.getReason())) {
                return Optional.of("it cannot be scheduled" + detail(null, condition.getMessage()));
            }
        }
        for (ContainerStatus container :
                Optional.ofNullable(status.getContainerStatuses()).orElse(List.of())) {
            var state = container.getState();
            if (state != null
                    && state.getWaiting() != null
                    && STUCK.contains(state.getWaiting().getReason())) {
                String reason = state.getWaiting().getReason();
                String what = reason.contains("Image")
                        ? "its image " + container.getImage() + " cannot be pulled"
                        : reason.equals("CrashLoopBackOff") ? "its agent keeps exiting" : "its container cannot start";
                return Optional.of(what + detail(reason, state.getWaiting().getMessage()) + lastExit(container));
            }
        }
        return Optional.empty();
    }

    private PodTrouble() {}

    /** How the container's previous run ended, if it did: the agent's exit code and its reason, such as OOMKilled. */
    private static String lastExit(ContainerStatus container) {
        if (container.getLastState() == null || container.getLastState().getTerminated() == null) {
            return "";
        }
        var ended = container.getLastState().getTerminated();
        return ", last exit code " + ended.getExitCode() + detail(ended.getReason(), ended.getMessage());
    }

    private static String detail(String reason, String message) {
        String text = String.join(
                ": ",
                Stream.of(reason, message)
                        .filter(s -> s != null && !s.isBlank())
                        .toList());
        return text.isEmpty() ? "" : " (" + text + ")";
    }
}
