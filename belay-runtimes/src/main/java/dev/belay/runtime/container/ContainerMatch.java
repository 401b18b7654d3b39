package dev.belay.runtime.container;

import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.HostConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Compares a container found in the engine with the one Belay would make now. A label only says what a container
 * was made for; anyone with access to the engine can make one with Belay's labels and more mounts or capabilities,
 * or change its limits afterwards, so reuse checks what the engine reports the container actually has.
 *
 * @param imageId the id of the configured image
 * @param user the uid:gid commands run as
 * @param entrypoint the idle PID 1
 * @param host the host configuration Belay creates the container with
 */
record ContainerMatch(String imageId, String user, List<String> entrypoint, HostConfig host) {

    /**
     * What Docker grants by default: podman reports a drop of ALL as this list, Docker as ALL. A container that drops
     * all of them and adds none has no capability left.
     */
    private static final Set<String> DEFAULT_CAPABILITIES = Set.of(
            "AUDIT_WRITE",
            "CHOWN",
            "DAC_OVERRIDE",
            "FOWNER",
            "FSETID",
            "KILL",
            "MKNOD",
            "NET_BIND_SERVICE",
            "NET_RAW",
            "SETFCAP",
            "SETGID",
            "SETPCAP",
            "SETUID",
            "SYS_CHROOT");

    /** How the found container differs from the wanted one; empty when it can be reused. */
    List<String> differences(InspectContainerResponse found) {
        List<String> differences = new ArrayList<>();
        HostConfig has = found.getHostConfig();
        if (has == null || found.getConfig() == null) {
            return List.of("the engine reports no configuration");
        }
        differ(differences, "image", bare(imageId), bare(found.getImageId()));
        differ(differences, "user", user, found.getConfig().getUser());
        differ(
                differences,
                "entrypoint",
                entrypoint,
                found.getConfig().getEntrypoint() == null
                        ? null
                        : List.of(found.getConfig().getEntrypoint()));
        differ(differences, "mounts", wantedMounts(), foundMounts(found));
        differ(differences, "memory", host.getMemory(), has.getMemory());
        differ(differences, "memory and swap", host.getMemorySwap(), has.getMemorySwap());
        differ(differences, "CPUs", host.getNanoCPUs(), has.getNanoCPUs());
        differ(differences, "process limit", host.getPidsLimit(), has.getPidsLimit());
        differ(differences, "network", host.getNetworkMode(), has.getNetworkMode());
        differ(
                differences,
                "tmpfs",
                host.getTmpFs().keySet(),
                has.getTmpFs() == null ? Set.of() : has.getTmpFs().keySet());
        if (Boolean.TRUE.equals(has.getPrivileged())) {
            differences.add("privileged");
        }
        if (has.getDevices() != null && has.getDevices().length > 0) {
            differences.add("devices");
        }
        if (has.getCapAdd() != null && has.getCapAdd().length > 0) {
            differences.add("added capabilities " + Arrays.toString(has.getCapAdd()));
        }
        Set<String> dropped = has.getCapDrop() == null
                ? Set.of()
                : Arrays.stream(has.getCapDrop()).map(Capability::name).collect(Collectors.toSet());
        if (!dropped.contains("ALL") && !dropped.containsAll(DEFAULT_CAPABILITIES)) {
            differences.add("capabilities not all dropped " + dropped);
        }
        if (has.getSecurityOpts() == null || !has.getSecurityOpts().contains("no-new-privileges")) {
            differences.add("new privileges allowed");
        }
        for (Map.Entry<String, String> mode : Map.of(
                        "PID",
                        Objects.toString(has.getPidMode(), ""),
                        "IPC",
                        Objects.toString(has.getIpcMode(), ""),
                        "UTS",
                        Objects.toString(has.getUtSMode(), ""),
                        "user",
                        Objects.toString(has.getUsernsMode(), ""),
                        "cgroup",
                        Objects.toString(has.getCgroupnsMode(), ""))
                .entrySet()) {
            if (mode.getValue().equals("host")) {
                differences.add("the host's " + mode.getKey() + " namespace");
            }
        }
        return differences;
    }

    private Set<String> wantedMounts() {
        Set<String> mounts = new TreeSet<>();
        for (Bind bind : host.getBinds()) {
            mounts.add(bind.getPath() + " -> " + bind.getVolume().getPath()
                    + (bind.getAccessMode() == AccessMode.ro ? " ro" : " rw"));
        }
        return mounts;
    }

    private static Set<String> foundMounts(InspectContainerResponse found) {
        Set<String> mounts = new TreeSet<>();
        if (found.getMounts() != null) {
            for (InspectContainerResponse.Mount mount : found.getMounts()) {
                mounts.add(mount.getSource() + " -> "
                        + (mount.getDestination() == null
                                ? "?"
                                : mount.getDestination().getPath())
                        + (Boolean.TRUE.equals(mount.getRW()) ? " rw" : " ro"));
            }
        }
        return mounts;
    }

    private static void differ(List<String> differences, String what, Object wanted, Object found) {
        if (!Objects.equals(wanted, found)) {
            differences.add(what + ": " + found + " instead of " + wanted);
        }
    }

    private static String bare(String id) {
        return id == null ? null : id.replaceFirst("^sha256:", "");
    }
}
