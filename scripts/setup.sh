#!/usr/bin/env bash
# Install what virt-bootfix needs on Debian 12 (when missing) and build it
# into build/.  Safe to run again: it installs nothing twice and only
# rebuilds what changed.  Arguments name more packages to install the
# same way (.ci/run passes what its extra checks need).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential meson ninja-build pkg-config gettext
  libguestfs-dev libguestfs-tools libhivex-dev libhivex-bin libwin-hivex-perl
  libxml2-dev libxml2-utils libglib2.0-dev libjson-glib-dev
  linux-image-amd64 qemu-system-x86 qemu-utils ntfs-3g python3 python3-hivex jq reglookup
  libgcab-dev
  "$@"
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
    missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: run as root (or install the packages above yourself)" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if [ ! -f build/build.ninja ]; then
  meson setup build
fi
ninja -C build
