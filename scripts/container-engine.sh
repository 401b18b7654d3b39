#!/usr/bin/env bash
# Gives the container tests a Docker-compatible engine on a fresh Debian machine: podman with runc and cgroupfs
# (crun fails on cgroups and setrlimit on these machines), its Docker API service on a unix socket, and a base image
# built locally from a Debian rootfs with python3 and shellcheck (no image registry is reachable). Prints the
# DOCKER_HOST to use.
# Needs root, and the Debian packages podman, runc and debootstrap.
set -euo pipefail

socket=${BELAY_PODMAN_SOCKET:-/tmp/podman.sock}
image=${BELAY_TEST_IMAGE:-localhost/belay-test-base:latest}

if [[ ! -f /etc/containers/containers.conf ]]; then
  mkdir -p /etc/containers
  cat > /etc/containers/containers.conf <<'CONF'
[containers]
default_ulimits = []

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
# podman keeps two conmon processes per API exec until this delay passes (default 300 s)
exit_command_delay = 10
CONF
fi

if ! curl -sf --unix-socket "$socket" http://d/_ping >/dev/null 2>&1; then
  rm -f "$socket"
  # from /: the service outlives the checkout that started it, and its containers fail to start ("write child:
  # broken pipe") once its working directory is deleted
  (cd / && exec nohup podman system service --time=0 "unix://$socket" </dev/null >/tmp/podman-service.log 2>&1) &
  for _ in $(seq 50); do
    curl -sf --unix-socket "$socket" http://d/_ping >/dev/null 2>&1 && break
    sleep 0.2
  done
  curl -sf --unix-socket "$socket" http://d/_ping >/dev/null || { cat /tmp/podman-service.log >&2; exit 1; }
fi

if ! podman image exists "$image"; then
  rootfs=$(mktemp -d)
  debootstrap --variant=minbase --include=python3,shellcheck bookworm "$rootfs" http://deb.debian.org/debian >/tmp/debootstrap.log 2>&1 \
    || { tail -20 /tmp/debootstrap.log >&2; exit 1; }
  tar -C "$rootfs" -c . | podman import --change 'CMD ["/bin/bash"]' - "$image" >/dev/null
  rm -rf "$rootfs"
fi

echo "unix://$socket"
