#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
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
  libvirt-dev # -c URI -d NAME reads guests through libvirt
  # tests/integration/test-libvirt.sh runs a private libvirt daemon, and
  # test-v2v.sh converts a phony guest with virt-v2v (-i disk needs
  # nbdkit and nbdcopy, which Debian only recommends)
  libvirt-daemon-system libvirt-clients virt-v2v nbdkit libnbd-bin
  slurm-wlm munge # tests/integration/test-slurm.sh starts its own cluster
  libvirt-clients # virt-xml-validate: --output's NAME.xml against libvirt's schema
  perl  # pod2man and podchecker for the man page (a minimal system has only perl-base)
  man-db  # tests/install: man -l renders both man pages
  python3-jsonschema  # the report's JSON Schema: tests/unit/test-report-schema.py, tests/integration/lib.sh
  "$@"
)

# Debian starts munge as soon as it is installed (slurmd and slurmctld
# only with an /etc/slurm/slurm.conf, which nothing here writes).  The
# Slurm test runs daemons of its own, on its own socket and ports, so
# the system's munged is not needed: when this run has just installed
# it, stop it, and with systemd keep it from starting at boot.  Without
# systemd (a container) Debian's init script stops it by its pid file,
# so the test's own munged is never hit.
quiet_new_munge() {
  case " $* " in
  *" munge "*) ;;
  *) return 0 ;;
  esac
  if [ -d /run/systemd/system ]; then
    systemctl disable --now munge.service >/dev/null 2>&1 || true
  elif [ -x /etc/init.d/munge ]; then
    /etc/init.d/munge stop >/dev/null 2>&1 || true
  fi
}

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
  quiet_new_munge "${missing[@]}"
fi

if [ ! -f build/build.ninja ]; then
  meson setup build
fi
ninja -C build
