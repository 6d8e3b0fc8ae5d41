#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# virt-bootfix --check end to end: one phony guest per broken link of
# the boot chain, all checked in ONE run (one appliance for the group),
# each reported with the right state and remedy, and not one byte of
# any disk changed.  Then a fix refuses the firmware mismatches (exit 3,
# disks unchanged, the firmware the domain needs named), and
# --allow-firmware-mismatch plans them anyway (a --batch --check, so a
# check's report also crosses from a worker to the parent), and
# --output fixes them, giving each written domain the firmware its disk
# needs.
#
#   gpt-bios          win10-gpt's disk in a BIOS domain
#   mbr-uefi          win7-sysres's disk in a UEFI domain
#   no-active         win7-sysres with no partition marked active
#   zero-mbr          win7-sysres with its MBR boot code zeroed
#   win10-nobootmgfw  an ESP without \EFI\Microsoft\Boot\bootmgfw.efi
#   win7-nowinload    the BCD's default entry names a partition without
#                     winload.exe
#   win7-nodriver     intelide.sys missing, the IDE rule needs it
#   win10-sata        win10 on SATA: storahci's StartOverride disables it
#   win7-hiber        hibernated
#   win7-sysres       nothing broken: the fix repoints the BCD (fixable)
#
# Disk variants are made here from copies of the phony images (dd on
# the MBR); the domain variants with sed.
#
# Environment (set by meson): VIRT_BOOTFIX, BUILD_GUESTS, PHONY_DIR.
# Exit 77 when no appliance can start.
set -euo pipefail

: "${VIRT_BOOTFIX:?}" "${BUILD_GUESTS:?}" "${PHONY_DIR:?}"
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh" check

build_phony_guests

# copy NAME IMAGE: the phony IMAGE as $work/NAME.img, its domain as
# $work/NAME.xml named NAME.
copy() {
  local name=$1 from=$2
  cp --sparse=always "$PHONY_DIR/$from.img" "$work/$name.img"
  sed -e "s|$PHONY_DIR/$from.img|$work/$name.img|" \
    -e "s|<name>$from</name>|<name>$name</name>|" "$PHONY_DIR/$from.xml" > "$work/$name.xml"
}

copy gpt-bios win10-gpt
sed -i "s|<os firmware='efi'>|<os>|" "$work/gpt-bios.xml"
copy mbr-uefi win7-sysres
sed -i "s|<os>|<os firmware='efi'>|" "$work/mbr-uefi.xml"
copy no-active win7-sysres
printf '\0' | dd of="$work/no-active.img" bs=1 seek=$((0x1be)) conv=notrunc status=none
copy zero-mbr win7-sysres
dd if=/dev/zero of="$work/zero-mbr.img" bs=440 count=1 conv=notrunc status=none
for g in win10-nobootmgfw win7-nowinload win7-nodriver win7-hiber win7-sysres; do
  copy "$g" "$g"
done
copy win10-sata win10
sed -i -e "s|machine='pc-i440fx-7.2'|machine='pc-q35-7.2'|" \
  -e "s|<target dev='hda' bus='ide'/>|<target dev='sda' bus='sata'/>|" "$work/win10-sata.xml"

guests=(gpt-bios mbr-uefi no-active zero-mbr win10-nobootmgfw win7-nowinload
  win7-nodriver win10-sata win7-hiber win7-sysres)
domains=()
for g in "${guests[@]}"; do
  domains+=(--domain "$work/$g.xml")
done
sums() { (cd "$work" && sha256sum ./*.img); }
sums > "$work/before.sums"

# ---- one check of every guest ----
got=0
env -u LIBGUESTFS_BACKEND_SETTINGS "$VIRT_BOOTFIX" --check --json "$work/check.json" \
  "${domains[@]}" > "$work/check.out" 2> "$work/check.err" || got=$?
expect_eq "--check exit status (some will not boot)" "$got" 3
expect_eq "one appliance for the group" \
  "$(grep -c 'Starting one appliance for 10 guests' "$work/check.out")" 1
sums > "$work/after.sums"
if cmp -s "$work/before.sums" "$work/after.sums"; then
  pass "--check changed no byte of any disk"
else
  fail "--check changed a disk"; diff "$work/before.sums" "$work/after.sums" | sed 's/^/    /'
fi
expect_eq "--check left no journal" "$(find "$work" -name '*.journal' | wc -l)" 0

guest() { jq -r --arg g "$1" ".guests[] | select(.name == \$g) | $2" "$work/check.json"; }
link() { guest "$1" ".check.links[] | select(.name == \"$2\") | .$3"; }
# expect_link GUEST LINK STATE DETAIL-PART REMEDY-PART
expect_link() {
  expect_eq "$1: $2" "$(link "$1" "$2" state)" "$3"
  case $(link "$1" "$2" detail) in
  *"$4"*) pass "$1: $2 says '$4'" ;;
  *) fail "$1: $2's detail '$(link "$1" "$2" detail)' lacks '$4'" ;;
  esac
  if [ -n "$5" ]; then
    case $(link "$1" "$2" remedy) in
    *"$5"*) pass "$1: $2's remedy says '$5'" ;;
    *) fail "$1: $2's remedy '$(link "$1" "$2" remedy)' lacks '$5'" ;;
    esac
  fi
}

expect_link gpt-bios partition-table broken "has a GPT partition table" "<os firmware='efi'>"
expect_link mbr-uefi partition-table broken "has an MBR partition table" "remove firmware='efi'"
expect_link no-active active-partition broken "no partition of /dev/sda is marked active" \
  "sfdisk --activate IMAGE 1"
expect_link zero-mbr mbr-boot-code broken "its first 440 bytes are zero" "bootrec /fixmbr"
expect_link win10-nobootmgfw boot-manager broken \
  'no \EFI\Microsoft\Boot\bootmgfw.efi on /dev/sda1' "/f UEFI"
expect_link win10-nobootmgfw uefi-fallback ok 'BOOTX64.EFI on /dev/sda1' ""
expect_link win7-nowinload default-loader broken \
  'its device is /dev/sda1, which has no \Windows\system32\winload.exe' "bcdboot C:\\Windows"
expect_link win7-nodriver storage-driver-file broken 'system32\drivers\intelide.sys is missing' \
  "restore the file"
expect_link win10-sata storage-driver-override fixable 'storahci\StartOverride' \
  "deletes the StartOverride keys"
expect_link win7-hiber windows-volume broken "hibernated or was shut down with Fast Startup" \
  "shut it down fully"
expect_link win7-sysres default-loader fixable "starts Windows on /dev/sda2" "/dev/sda2"
expect_link win7-sysres boot-sector ok "NTFS boot code on /dev/sda1" ""
expect_link win7-sysres mbr-boot-code ok "boot code in the MBR of /dev/sda" ""

for g in "${guests[@]}"; do
  want=broken
  [ "$g" = win7-sysres ] && want=fixable
  expect_eq "$g verdict" "$(guest "$g" .check.verdict)" "$want"
done
# What a fix would do: refuse a firmware that cannot start the disk.
expect_eq "gpt-bios: a fix would refuse it" "$(guest gpt-bios .status)" refused
expect_eq "win7-sysres: a fix would fix it" "$(guest win7-sysres .status)" would-fix
expect_grep "human output: the verdict" "^win7-sysres: will boot once virt-bootfix has fixed it" \
  "$work/check.out"
expect_grep "human output: what to do" "what to do: give the guest UEFI firmware" "$work/check.out"
expect_grep "human output: what the fix does" "the fix: points its stale device elements" \
  "$work/check.out"

# ---- a fix refuses the firmware mismatches, changing nothing ----
printf '%s\n' "$work/gpt-bios.xml" "$work/mbr-uefi.xml" > "$work/mismatch.list"
got=0
env -u LIBGUESTFS_BACKEND_SETTINGS "$VIRT_BOOTFIX" --batch "$work/mismatch.list" \
  --json "$work/fix.json" > "$work/fix.out" 2>&1 || got=$?
expect_eq "fix of the mismatches: exit status" "$got" 3
fixed() { jq -r --arg g "$1" ".guests[] | select(.name == \$g) | $2" "$work/fix.json"; }
for g in gpt-bios mbr-uefi; do
  expect_eq "$g: refused" "$(fixed "$g" .status)" refused
done
case $(fixed gpt-bios '.messages | join(" | ")') in
*"its BIOS firmware cannot start the boot disk"*"<os firmware='efi'>"*"--allow-firmware-mismatch"*)
  pass "gpt-bios: the refusal names <os firmware='efi'> and the option" ;;
*) fail "gpt-bios: refusal: $(fixed gpt-bios '.messages | join(" | ")')" ;;
esac
sums > "$work/after-fix.sums"
if cmp -s "$work/before.sums" "$work/after-fix.sums"; then
  pass "the refused fixes changed no byte"
else
  fail "a refused fix changed a disk"
fi
expect_eq "the refused fixes left no journal" "$(find "$work" -name '*.journal' | wc -l)" 0

# ---- --allow-firmware-mismatch: the registry and BCD part is planned ----
got=0
env -u LIBGUESTFS_BACKEND_SETTINGS "$VIRT_BOOTFIX" --check --allow-firmware-mismatch \
  --batch "$work/mismatch.list" --jsonl "$work/allow.jsonl" > "$work/allow.out" 2>&1 || got=$?
expect_eq "--check --allow-firmware-mismatch exit status" "$got" 3
allowed() { jq -r --arg g "$1" "select(.name == \$g) | $2" "$work/allow.jsonl"; }
for g in gpt-bios mbr-uefi; do
  expect_eq "$g: planned all the same" "$(allowed "$g" .status)" would-fix
  expect_eq "$g: still will not boot" "$(allowed "$g" .check.verdict)" broken
done
sums > "$work/after-allow.sums"
if cmp -s "$work/before.sums" "$work/after-allow.sums"; then
  pass "the batch check changed no byte"
else
  fail "the batch check changed a disk"
fi

# ---- --output: the written domain gets the firmware its disk needs ----
got=0
env -u LIBGUESTFS_BACKEND_SETTINGS "$VIRT_BOOTFIX" --batch "$work/mismatch.list" \
  --output "$work/out" --jsonl "$work/output.jsonl" > "$work/output.out" 2>&1 || got=$?
expect_eq "--output of the mismatches: exit status" "$got" 0
written() { jq -r --arg g "$1" "select(.name == \$g) | $2" "$work/output.jsonl"; }
for g in gpt-bios mbr-uefi; do
  case $(written "$g" .status) in
  fixed | unchanged) pass "$g: written to the --output folder" ;;
  *) fail "$g: --output status $(written "$g" .status)" ;;
  esac
done
expect_grep "gpt-bios.xml gets UEFI" "<os firmware=.efi.>" "$work/out/gpt-bios.xml"
if grep -q "firmware=.efi.\|pflash" "$work/out/mbr-uefi.xml"; then
  fail "mbr-uefi.xml still names UEFI"
else
  pass "mbr-uefi.xml gets BIOS"
fi
case $(written gpt-bios '.messages | join(" | ")') in
*"gets UEFI (<os firmware='efi'>)"*) pass "gpt-bios: the report says the firmware changed" ;;
*) fail "gpt-bios: messages: $(written gpt-bios '.messages | join(" | ")')" ;;
esac
sums > "$work/after-output.sums"
if cmp -s "$work/before.sums" "$work/after-output.sums"; then
  pass "--output changed no byte of the sources"
else
  fail "--output changed a source disk"
fi

finish
