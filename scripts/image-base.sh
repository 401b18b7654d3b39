#!/usr/bin/env bash
# Builds the base of Belay's OCI image locally (no registry is reachable here): the Debian test image plus a Java
# runtime made by jlink from the build's JDK, saved as a docker-archive tar that Jib builds on without a daemon.
# The base also holds what Jib cannot write: the user Belay runs as (uid and gid 10001, owning /data and /workspace)
# and the HEALTHCHECK, which Jib keeps from its base. The check runs `belay health`, the launcher Jib adds in
# /usr/local/bin (belay-cli/src/main/jib); the Docker format, since OCI image configs have no healthcheck.
# catatonit, the init Belay's launcher starts as PID 1 (belay-cli/src/main/jib/usr/local/bin/belay), comes from this
# machine too: Debian builds it static.
# Usage: scripts/image-base.sh JDK_HOME OUT.tar   (needs podman, catatonit and scripts/container-engine.sh's test image)
set -euo pipefail

jdk=$1
out=$2
from=${BELAY_TEST_IMAGE:-localhost/belay-test-base:latest}
image=localhost/belay-image-base:latest

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
"$jdk/bin/jlink" --add-modules java.se,jdk.unsupported,jdk.crypto.ec,jdk.zipfs,jdk.httpserver,jdk.net \
  --strip-debug --no-header-files --no-man-pages --output "$scratch/jre"
cp "$(command -v catatonit)" "$scratch/catatonit"
cat > "$scratch/Containerfile" <<CONTAINERFILE
FROM $from
COPY jre /opt/java
COPY catatonit /usr/local/bin/catatonit
ENV PATH=/opt/java/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
RUN groupadd --gid 10001 belay && useradd --uid 10001 --gid 10001 --create-home --shell /bin/bash belay \\
  && mkdir -p /data /workspace && chown belay:belay /data /workspace
USER 10001:10001
# a JVM starts for each check (under a second of CPU): every 30 s is plenty; a server's first start takes longer
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 CMD ["belay", "health"]
CONTAINERFILE
podman build -q --format docker -t "$image" "$scratch" >/dev/null
mkdir -p "$(dirname "$out")"
rm -f "$out"
podman save -q --format docker-archive -o "$out" "$image"
echo "$out"
