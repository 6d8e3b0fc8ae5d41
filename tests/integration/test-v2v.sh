#!/usr/bin/env bash
# virt-bootfix after virt-v2v: convert a phony Windows 7 with Debian's
# virt-v2v (-i disk IMG -o local -os DIR, no virtio-win), then fix what
# virt-v2v wrote (DIR/NAME.xml, DIR/NAME-sda) with --domain-xml, and
# check the guest is fixed for the controller virt-v2v chose.  Without
# virtio drivers virt-v2v puts the disk on emulated IDE (a 'sata' disk
# on q35, 'ide' on i440fx) and leaves the storage driver settings of
# the SYSTEM hive alone (docs/after-virt-v2v.md): what virt-bootfix adds
# is checked value by value, and the hives before and after against the
# report.
#
# virt-v2v wants 100 MB free on the guest's C: and the phony disks have
# 64 MiB, so the copy is grown first: its partition entry is rewritten
# here (parted would give the disk a new signature, and MountedDevices
# would then change too) and NTFS grown in the appliance.
#
# Four appliance launches (grow, virt-v2v, the fix, the check): about
# 2-4 minutes under TCG.
#
# Environment (set by meson): VIRT_BOOTFIX, BUILD_GUESTS, MKHIVE,
# PHONY_DIR, HIVE_DIFF, BOOTFIX_MODULEDIR.  Exit 77 when no appliance
# can start, virt-v2v is not installed, or its temporary folder is too
# small for it (the reason is printed).
#
# SPDX-License-Identifier: LGPL-2.1-or-later
set -euo pipefail

: "${VIRT_BOOTFIX:?}" "${BUILD_GUESTS:?}" "${PHONY_DIR:?}" "${HIVE_DIFF:?}"
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh" v2v

if ! command -v virt-v2v > /dev/null; then
  echo "SKIP: virt-v2v is not installed (Debian: virt-v2v, nbdkit, libnbd-bin)"
  exit 77
fi
build_phony_guests

readonly DISK_MIB=256 # room for virt-v2v's 100 MB
name=v2v-win7
src=$work/win7.img
cp --sparse=always "$PHONY_DIR/win7.img" "$src"

# ---- grow the copy: partition 1 to the end of a bigger disk ----
truncate -s "${DISK_MIB}M" "$src"
python3 - "$src" "$DISK_MIB" <<'PY'
import struct, sys
path, mib = sys.argv[1], int(sys.argv[2])
with open(path, "r+b") as f:
    f.seek(446)
    entry = bytearray(f.read(16))
    start = struct.unpack_from("<I", entry, 8)[0]
    struct.pack_into("<I", entry, 12, mib * 2048 - start)
    f.seek(446)
    f.write(entry)
PY
guestfish -a "$src" run : ntfsresize /dev/sda1 > "$work/grow.log" 2>&1 ||
  { cat "$work/grow.log"; echo "FAIL: growing the phony disk"; exit 1; }
pass "phony win7 grown to $DISK_MIB MiB"

# ---- virt-v2v ----
mkdir "$work/out"
v2v_rc=0
LIBGUESTFS_BACKEND=direct virt-v2v -i disk "$src" -o local -os "$work/out" \
  -of raw -on "$name" > "$work/v2v.log" 2>&1 || v2v_rc=$?
if [ "$v2v_rc" -ne 0 ]; then
  sed 's/^/    /' "$work/v2v.log" | tail -n 30
  # Its temporary folder must hold about 1 GB: a host limit, not ours.
  if grep -q "insufficient free space in the conversion server temporary directory" "$work/v2v.log"; then
    echo "SKIP: virt-v2v needs more free space in ${TMPDIR:-/var/tmp} (see above)"
    exit 77
  fi
  fail "virt-v2v exit $v2v_rc"
  finish
  exit 1
fi
pass "virt-v2v converted the phony win7 ($(grep -c . "$work/v2v.log") lines of output)"
xml=$work/out/$name.xml
disk=$work/out/$name-sda
[ -f "$xml" ] && [ -f "$disk" ] ||
  { ls -l "$work/out"; fail "virt-v2v did not write $name.xml and $name-sda"; finish; exit 1; }

# What virt-v2v chose: machine and boot disk bus, from its XML.
read -r machine bus < <(python3 - "$xml" <<'PY'
import sys, xml.etree.ElementTree as ET
d = ET.parse(sys.argv[1]).getroot()
t = d.find("os/type")
print(t.get("machine"), d.find("devices/disk[@device='disk']/target").get("bus"))
PY
)
case "$machine $bus" in
q35\ sata | pc-q35*\ sata) want=ich9-ahci ;;
pc\ ide | pc-i440fx*\ ide) want=piix3-ide ;;
*) fail "virt-v2v chose machine '$machine', bus '$bus': not the emulated IDE/SATA it uses without virtio-win"
   finish; exit 1 ;;
esac
pass "virt-v2v chose machine $machine, bus $bus (the $want controller)"
grep -q "no virtio drivers" "$work/v2v.log" &&
  pass "virt-v2v says it had no virtio drivers to install" ||
  fail "virt-v2v did not say it had no virtio drivers (is virtio-win installed?)"

# ---- virt-bootfix on what virt-v2v wrote ----
cp --sparse=always "$disk" "$work/before.img"
rc=0
env -u LIBGUESTFS_BACKEND_SETTINGS "$VIRT_BOOTFIX" --domain-xml "$xml" \
  --json "$work/$name.json" > "$work/fix.out" 2> "$work/fix.err" || rc=$?
expect_eq "virt-bootfix exit" "$rc" 0
[ "$rc" -eq 0 ] || sed 's/^/    /' "$work/fix.out" "$work/fix.err"
json_get() { jq -r "$1" "$work/$name.json"; }
expect_eq "status" "$(json_get '.guests[0].status')" fixed
expect_eq "target" "$(json_get '.guests[0].target | .machine + " " + .bus + " " + .controller')" \
  "$machine $bus $want"

# ---- the hives before and after, in one launch ----
guestfish --ro -a "$work/before.img" -a "$disk" <<EOF
run
mount /dev/sda1 /
download /Windows/System32/config/SYSTEM $work/$name.before
umount /
mount /dev/sdb1 /
download /Windows/System32/config/SYSTEM $work/$name.after
EOF
if "$HIVE_DIFF" "$work/$name.before" "$work/$name.after" "$work/$name.json" "$name" > "$work/$name.diff"; then
  pass "every hive change is in the report ($(tail -1 "$work/$name.diff"))"
else
  fail "hive changes and report differ"; sed 's/^/    /' "$work/$name.diff"
fi
get() { hivexget "$work/$name.$1" "$2" "$3" 2>/dev/null || echo absent; }
if [ "$want" = ich9-ahci ]; then
  for cs in ControlSet001 ControlSet002; do
    for id in 'pci#ven_8086&dev_2922&cc_010601' 'pci#cc_010601'; do
      key="$cs\\Control\\CriticalDeviceDatabase\\$id"
      expect_eq "$cs $id before (virt-v2v left it out)" "$(get before "$key" Service)" absent
      expect_eq "$cs $id after" "$(get after "$key" Service)" msahci
    done
    expect_eq "$cs msahci Start" "$(get after "$cs\\Services\\msahci" Start)" 0
  done
else
  for cs in ControlSet001 ControlSet002; do
    expect_eq "$cs intelide Start before (virt-v2v left it)" "$(get before "$cs\\Services\\intelide" Start)" 3
    expect_eq "$cs intelide Start after" "$(get after "$cs\\Services\\intelide" Start)" 0
  done
fi
finish
