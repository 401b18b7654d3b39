package dev.belay.runtime.kubernetes;

/**
 * A workspace's pod could not be made, started or removed, with a message saying what to change: the pod's own
 * reason (its image cannot be pulled, it cannot be scheduled, its agent exited), the start timeout, the cluster's
 * refusal or a template that is no Pod.
 */
public final class KubernetesException extends RuntimeException {

    public KubernetesException(String message) {
        super(message);
    }

    public KubernetesException(String message, Throwable cause) {
        super(message, cause);
    }
}
