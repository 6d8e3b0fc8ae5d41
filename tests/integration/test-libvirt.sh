#!/usr/bin/env bash
# Guests named in libvirt (-c URI -d NAME), against a real libvirt
# daemon of our own (libvirt-daemon.sh): two phony guests are defined
# with virsh; one, whose disk is a volume of a storage pool, is fixed by
# name, the other is started (under TCG it
# sits in the firmware: the phony disk has no boot code) and must be
# refused, by name, by its libvirt state, with its image byte-identical;
# the old -d FILE and --domain-xml FILE still reach the image lock check.
# One appliance launch in all.
#
# Environment (set by meson): VIRT_BOOTFIX, BUILD_GUESTS, MKHIVE,
# PHONY_DIR, BOOTFIX_MODULEDIR.  Exit 77 when no appliance or no libvirt
# daemon can start here (the reason is printed).
#
# SPDX-License-Identifier: LGPL-2.1-or-later
set -euo pipefail

: "${VIRT_BOOTFIX:?}" "${BUILD_GUESTS:?}" "${PHONY_DIR:?}"
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh" libvirt
# shellcheck source=libvirt-daemon.sh
. "$(dirname "$0")/libvirt-daemon.sh"
trap 'rc=$?; libvirt_daemon_stop; cleanup_work "$rc"' EXIT
trap 'exit 143' INT TERM HUP # so that the EXIT trap runs

build_phony_guests

rc=0
libvirt_daemon_start "$work/daemon" || rc=$?
if [ "$rc" -eq 77 ]; then
  echo "SKIP: no libvirt daemon can start here (see above)"
  exit 77
fi
[ "$rc" -eq 0 ] || { echo "FAIL: the libvirt daemon did not come up"; exit 1; }
uri=$LIBVIRT_DAEMON_URI
pass "libvirt daemon answers at $uri"

virsh_() { virsh -q -c "$uri" "$@"; }
sum() { sha256sum "$1" | cut -d' ' -f1; }

# prepare NAME [POOL]: a copy of phony win7 as a TCG guest (type
# 'qemu', no KVM here) with little memory, defined in the daemon; with
# POOL, its disk is the volume NAME.img of that storage pool.
prepare() {
  local name=$1 pool=${2:-} img=$work/$1.img
  [ -z "$pool" ] || img=$work/pool/$name.img
  cp --sparse=always "$PHONY_DIR/win7.img" "$img"
  sed -e "s|<domain type='kvm'>|<domain type='qemu'>|" \
      -e "s|<name>[^<]*</name>|<name>$name</name>|" \
      -e "s|<memory unit='MiB'>[0-9]*</memory>|<memory unit='MiB'>64</memory>|" \
      -e "s|$PHONY_DIR/win7.img|$img|" \
      "$PHONY_DIR/win7.xml" > "$work/$name.xml"
  if [ -n "$pool" ]; then
    virsh_ pool-refresh "$pool" > /dev/null
    sed -i -e "s|<disk type='file' device='disk'>|<disk type='volume' device='disk'>|" \
           -e "s|<source file='[^']*'/>|<source pool='$pool' volume='$name.img'/>|" \
           "$work/$name.xml"
  fi
  virsh_ define "$work/$name.xml" > /dev/null
}

json_get() { jq -r "$2" "$work/$1.json"; }

mkdir "$work/pool"
virsh_ pool-define-as bootfix-test dir --target "$work/pool" > /dev/null
virsh_ pool-start bootfix-test > /dev/null
prepare lv-fix bootfix-test
prepare lv-run
expect_eq "both guests defined, shut off" \
  "$(virsh_ list --all --name | sort | xargs)" "lv-fix lv-run"

# ---- by name: the shut-off guest is fixed, its volume found ----
before=$(sum "$work/pool/lv-fix.img")
if bootfix by-name 0 -c "$uri" -d lv-fix; then
  expect_eq "by-name status" "$(json_get by-name '.guests[0].status')" fixed
  expect_eq "by-name guest" "$(json_get by-name '.guests[0].name')" lv-fix
  expect_eq "by-name target" \
    "$(json_get by-name '.guests[0].target | .machine + " " + .bus + " " + .controller')" \
    "pc-i440fx-7.2 ide piix3-ide"
  expect_grep "by-name read through libvirt" "Reading guest lv-fix from libvirt" "$work/by-name.out"
  expect_grep "by-name enables intelide" 'Services\\intelide\\Start: 3 -> 0' "$work/by-name.out"
  expect_eq "by-name disk is the pool's volume" \
    "$(json_get by-name '.guests[0].disks[0]')" "$work/pool/lv-fix.img"
  expect_eq "by-name image written" "$([ "$(sum "$work/pool/lv-fix.img")" != "$before" ] && echo yes)" yes
fi

# The same guest from its XML file: only libvirt knows the volume's path.
bootfix volume-xml 3 --domain-xml "$work/lv-fix.xml" &&
  expect_grep "a volume without libvirt is refused, saying why" \
    "disk hda is volume lv-fix.img of libvirt storage pool bootfix-test" "$work/volume-xml.err"

# ---- a running guest is refused by name, before any disk is opened ----
virsh_ start lv-run > /dev/null
for _ in $(seq 100); do
  [ "$(virsh_ domstate lv-run)" = running ] && break
  sleep 0.2
done
expect_eq "lv-run started" "$(virsh_ domstate lv-run)" running
before=$(sum "$work/lv-run.img")

if bootfix running 3 -c "$uri" -d lv-run; then
  expect_eq "running status" "$(json_get running '.guests[0].status')" refused
  expect_grep "running: refused by its libvirt state" \
    "guest lv-run is running according to libvirt at $uri" "$work/running.err"
  expect_grep "running: says what to do" "shutdown 'lv-run'" "$work/running.err"
  expect_grep "running: read through libvirt" "Reading guest lv-run" "$work/running.out"
  if grep -q "Opening the guest" "$work/running.out"; then
    fail "running: a disk was opened"
  else
    pass "running: no disk opened"
  fi
fi
# Without -c: libvirt's default URI, here from LIBVIRT_DEFAULT_URI.
LIBVIRT_DEFAULT_URI=$uri bootfix default-uri 3 -d lv-run &&
  expect_grep "default URI used" "is running according to libvirt at $uri" "$work/default-uri.err"
# The old spelling, -d FILE without -c, and --domain-xml FILE: the same
# guest as a file, refused by the image lock qemu holds.
bootfix old-file 3 -d "$work/lv-run.xml" &&
  expect_grep "-d FILE reaches the lock check" "in use by a running virtual machine" "$work/old-file.err"
bootfix domain-xml 3 --domain-xml "$work/lv-run.xml" &&
  expect_grep "--domain-xml reaches the lock check" "in use by a running virtual machine" "$work/domain-xml.err"

virsh_ suspend lv-run > /dev/null
if bootfix paused 3 -c "$uri" -d lv-run; then
  expect_grep "paused: refused" "guest lv-run is paused" "$work/paused.err"
  expect_grep "paused: says what to do" "resume 'lv-run'" "$work/paused.err"
fi
virsh_ resume lv-run > /dev/null
expect_eq "lv-run image byte-identical" "$(sum "$work/lv-run.img")" "$before"

# With -c, -d is always a name: a file name is an unknown guest.
bootfix unknown 1 -c "$uri" -d "$work/lv-run.xml" &&
  expect_grep "unknown guest names the URI and the fix" \
    "libvirt at $uri has no guest $work/lv-run.xml" "$work/unknown.err"
# A batch list holds files only.
printf '%s\n' "$work/lv-fix.xml" > "$work/list"
"$VIRT_BOOTFIX" -c "$uri" --batch "$work/list" > "$work/batch.out" 2>&1 && got=0 || got=$?
expect_eq "-c with --batch is a usage error" "$got" 2

# ---- clean up in the daemon, then stop it ----
virsh_ destroy lv-run > /dev/null
virsh_ undefine lv-run > /dev/null
virsh_ undefine lv-fix > /dev/null
virsh_ pool-destroy bootfix-test > /dev/null
virsh_ pool-undefine bootfix-test > /dev/null
expect_eq "no guest or pool left" \
  "$(virsh_ list --all --name | xargs)$(virsh_ pool-list --all --name | xargs)" ""
libvirt_daemon_stop
expect_eq "no qemu left of ours" "$(pgrep -f "$work/lv-run.img" || true)" ""

finish
