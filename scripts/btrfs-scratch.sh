#!/usr/bin/env bash
# Gives the tests a directory on btrfs, where a workspace's files are a subvolume and its fork a snapshot: a 2 GiB
# file system in a file, mounted through a loop device, made once per machine. Prints the directory.
# Needs root, a kernel with btrfs and loop devices, and the Debian package btrfs-progs.
set -euo pipefail

mountpoint=${BELAY_BTRFS_MOUNT:-/mnt/belay-btrfs}
image=${BELAY_BTRFS_IMAGE:-/var/tmp/belay-btrfs.img}

if ! mountpoint -q "$mountpoint"; then
  if [[ ! -f "$image" ]]; then
    truncate -s 2G "$image"
    mkfs.btrfs -q "$image" >/dev/null
  fi
  mkdir -p "$mountpoint"
  mount -o loop "$image" "$mountpoint"
fi
[[ "$(stat -f -c %T "$mountpoint")" == btrfs ]] || { echo "$mountpoint is not btrfs" >&2; exit 1; }
echo "$mountpoint"
