#!/usr/bin/env bash
# Builds the base of Belay's OCI image locally (no registry is reachable here): the Debian test image plus a Java
# runtime made by jlink from the build's JDK, saved as a docker-archive tar that Jib builds on without a daemon.
# Usage: scripts/image-base.sh JDK_HOME OUT.tar   (needs podman and scripts/container-engine.sh's test image)
set -euo pipefail

jdk=$1
out=$2
from=${BELAY_TEST_IMAGE:-localhost/belay-test-base:latest}
image=localhost/belay-image-base:latest

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
"$jdk/bin/jlink" --add-modules java.se,jdk.unsupported,jdk.crypto.ec,jdk.zipfs,jdk.httpserver,jdk.net \
  --strip-debug --no-header-files --no-man-pages --output "$scratch/jre"
cat > "$scratch/Containerfile" <<CONTAINERFILE
FROM $from
COPY jre /opt/java
ENV PATH=/opt/java/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
CONTAINERFILE
podman build -q -t "$image" "$scratch" >/dev/null
mkdir -p "$(dirname "$out")"
rm -f "$out"
podman save -q --format docker-archive -o "$out" "$image"
echo "$out"
