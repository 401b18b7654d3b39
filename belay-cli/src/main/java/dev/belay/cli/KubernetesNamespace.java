package dev.belay.cli;

import java.util.Optional;
import picocli.CommandLine.Option;

/** {@code --kubernetes-namespace}: where the workspace pods live, for every command that reaches them. */
final class KubernetesNamespace {

    @Option(
            names = "--kubernetes-namespace",
            paramLabel = "NS",
            defaultValue = "${env:BELAY_KUBERNETES_NAMESPACE}",
            description = "The namespace of the workspace pods. Default: the in-cluster service account's, else the "
                    + "kubeconfig context's, else default.")
    String value;

    /** The namespace named; empty: the one the cluster's config discovery finds. */
    Optional<String> name() {
        return Optional.ofNullable(value).map(String::strip).filter(s -> !s.isEmpty());
    }
}
