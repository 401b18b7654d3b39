#!/usr/bin/env bash
# Prints the home of the JDK >= 21 that ./belay would use (JAVA_HOME, java on PATH, then /usr/lib/jvm/*...).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/jdk.sh"
found="$(find_java)"
read -r java_bin _ <<<"$found"
dirname "$(dirname "$(readlink -f "$java_bin")")"
