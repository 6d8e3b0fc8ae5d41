#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# End-to-end test of the boot-chain repair (issue 4) on the three phony
# guests restored onto a new disk (tests/phony/boot-ids.sh):
#
#   win7-sysres  BIOS/MBR, System Reserved + Windows, stale disk signature
#   win10-gpt    UEFI/GPT, ESP + MSR + Windows, stale disk and partition GUIDs;
#                its BCD store is dirty and BCD.LOG1 holds a stale device
#   xp-moved     partition moved from LBA 63 to 2048, stale boot.ini
#
# One virt-bootfix run fixes all three; ONE guestfish launch then fetches
# every BCD store, SYSTEM hive and boot.ini, and boot sectors are read
# straight from the raw images.  Every value is compared with what
# boot-ids.sh computes, independently of our C codecs.  A dry run after
# the fix must find nothing to do, and --undo must give back the original
# images byte for byte.
#
# Environment (set by meson): VIRT_BOOTFIX, BUILD_GUESTS, PHONY_DIR.
# Exit 77 when no appliance can start.
set -euo pipefail

: "${VIRT_BOOTFIX:?}" "${BUILD_GUESTS:?}" "${PHONY_DIR:?}"
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh" chain
# shellcheck source=../phony/boot-ids.sh
. "$here/../phony/boot-ids.sh"

build_phony_guests

guests=(win7-sysres win10-gpt xp-moved)
domains=()
for g in "${guests[@]}"; do
  cp --sparse=always "$PHONY_DIR/$g.img" "$work/$g.img"
  sed -e "s|$PHONY_DIR/$g.img|$work/$g.img|" "$PHONY_DIR/$g.xml" > "$work/$g.xml"
  sha256sum "$work/$g.img" | cut -d' ' -f1 > "$work/$g.sum"
  domains+=(--domain "$work/$g.xml")
done

# ---- the fix ----
got=0
env -u LIBGUESTFS_BACKEND_SETTINGS "$VIRT_BOOTFIX" --json "$work/fix.json" \
  "${domains[@]}" > "$work/fix.out" 2>&1 || got=$?
expect_eq "exit status of the fix" "$got" 0
[ "$got" -eq 0 ] || sed 's/^/    /' "$work/fix.out"

count() { # GUEST KIND
  jq -r --arg g "$1" --arg k "$2" \
    '[.guests[] | select(.name == $g) | .actions[] | select(.kind == $k)] | length' \
    "$work/fix.json"
}
for g in "${guests[@]}"; do
  expect_eq "$g status" "$(jq -r --arg g "$g" '.guests[] | select(.name == $g) | .status' "$work/fix.json")" fixed
done
# bootmgr, memdiag, loader x2 (device, osdevice), resume x2.  In
# win10-gpt's dirty store the primary's {bootmgr} device looks right
# already; only the replay of BCD.LOG1 shows it stale (5 without it).
expect_eq "win7-sysres BCD changes" "$(count win7-sysres bcd)" 6
expect_eq "win10-gpt BCD changes" "$(count win10-gpt bcd)" 6
guest_json() { jq -r --arg g "$1" ".guests[] | select(.name == \$g) | $2" "$work/fix.json"; }
expect_eq "win10-gpt hives" "$(guest_json win10-gpt '.hives | map(.name + " " + .state + " " + .path) | join(",")')" \
  "BCD replayed /dev/sda1:/EFI/Microsoft/Boot/BCD"
expect_eq "win10-gpt BCD log emptied" \
  "$(guest_json win10-gpt '[.actions[] | select(.kind == "file") | .target + " " + .new] | join(",")')" \
  "/dev/sda1:/EFI/Microsoft/Boot/BCD.LOG1 0 bytes"
expect_eq "win7-sysres hives (clean)" "$(guest_json win7-sysres '.hives | length')" 0
expect_eq "xp-moved boot sector changes" "$(count xp-moved bootsector)" 4
expect_eq "xp-moved file changes" "$(count xp-moved file)" 1
# Readable values, as the issue asks.
expect_eq "win7-sysres bootmgr change" \
  "$(jq -r '.guests[] | select(.name == "win7-sysres") | .actions[] | select(.kind == "bcd" and (.target | endswith("{bootmgr} device"))) | "\(.old) -> \(.new)"' "$work/fix.json")" \
  "disk 0x1A2B3C4D @ 1048576 -> disk 0x7A1F000A @ 1048576"

# ---- fetch everything in one appliance ----
cat > "$work/fetch.gf" <<GF
add $work/win7-sysres.img readonly:true format:raw
add $work/win10-gpt.img readonly:true format:raw
add $work/xp-moved.img readonly:true format:raw
run
mount-ro /dev/sda1 /
download /Boot/BCD $work/w7.bcd
umount /
mount-ro /dev/sda2 /
download /Windows/System32/config/SYSTEM $work/w7.system
umount /
mount-ro /dev/sdb1 /
download /EFI/Microsoft/Boot/BCD $work/w10.bcd
download /EFI/Microsoft/Boot/BCD.LOG1 $work/w10.bcd.log1
umount /
mount-ro /dev/sdb3 /
download /Windows/System32/config/SYSTEM $work/w10.system
umount /
mount-ro /dev/sdc1 /
download /WINDOWS/system32/config/SYSTEM $work/xp.system
download /boot.ini $work/xp.boot.ini
umount /
GF
guestfish --no-progress-bars -f "$work/fetch.gf" > "$work/fetch.log" 2>&1 ||
  { cat "$work/fetch.log"; fail "fetching the results"; exit 1; }

bcd_export() { hivexregedit --export --prefix 'HKEY_LOCAL_MACHINE\BCD00000000' "$1" '\'; }
# bcd_element STORE-EXPORT OBJECT ELEMENT: the hex of its Element value.
bcd_element() {
  awk -v key="[HKEY_LOCAL_MACHINE\\\\BCD00000000\\\\Objects\\\\$2\\\\Elements\\\\$3]" '
    $0 == key { found = 1; next }
    found && /^"Element"=/ { sub(/^"Element"=hex\([0-9]+\):/, ""); sub(/^"Element"=hex:/, ""); print; exit }
    /^\[/ { found = 0 }' "$1"
}
mounted() { # SYSTEM-HIVE NAME: hex of MountedDevices\NAME
  hivexregedit --export --prefix 'HKEY_LOCAL_MACHINE\SYSTEM' "$1" '\MountedDevices' |
    awk -v name="\"${2//\\/\\\\\\\\}\"" 'index($0, name "=") == 1 { sub(/^[^=]*=hex(\([0-9]+\))?:/, ""); print }'
}

# ---- win7-sysres ----
bcd_export "$work/w7.bcd" > "$work/w7.reg"
sr=$(bcd_device_mbr_hex "$WIN7_SYSRES_NEW_SIG" "$WIN7_SYSRES_P1_OFFSET")
win=$(bcd_device_mbr_hex "$WIN7_SYSRES_NEW_SIG" "$WIN7_SYSRES_P2_OFFSET")
expect_eq "win7-sysres {bootmgr} device" "$(bcd_element "$work/w7.reg" "$BCD_BOOTMGR_GUID" 11000001)" "$sr"
expect_eq "win7-sysres {memdiag} device" "$(bcd_element "$work/w7.reg" "$BCD_MEMDIAG_GUID" 11000001)" "$sr"
for obj in "$WIN7_SYSRES_LOADER_GUID" "$WIN7_SYSRES_RESUME_GUID"; do
  for el in 11000001 21000001; do
    expect_eq "win7-sysres $obj $el" "$(bcd_element "$work/w7.reg" "$obj" "$el")" "$win"
  done
done
expect_eq "win7-sysres C:" "$(mounted "$work/w7.system" '\DosDevices\C:')" \
  "$(mounted_mbr_hex "$WIN7_SYSRES_NEW_SIG" "$WIN7_SYSRES_P2_OFFSET")"
expect_eq "win7-sysres C: volume" "$(mounted "$work/w7.system" "$WIN7_SYSRES_C_VOLUME")" \
  "$(mounted_mbr_hex "$WIN7_SYSRES_NEW_SIG" "$WIN7_SYSRES_P2_OFFSET")"
expect_eq "win7-sysres System Reserved volume" "$(mounted "$work/w7.system" "$WIN7_SYSRES_SR_VOLUME")" \
  "$(mounted_mbr_hex "$WIN7_SYSRES_NEW_SIG" "$WIN7_SYSRES_P1_OFFSET")"
expect_eq "win7-sysres D: (CD-ROM) untouched" "$(mounted "$work/w7.system" '\DosDevices\D:')" \
  "$(utf16le_hex "$WIN7_SYSRES_CDROM_PATH")"
expect_eq "win7-sysres intelide Start (same pass)" \
  "$(hivexget "$work/w7.system" '\ControlSet001\Services\intelide' Start)" 0

# ---- win10-gpt ----
bcd_export "$work/w10.bcd" > "$work/w10.reg"
esp=$(bcd_device_gpt_hex "$WIN10_GPT_NEW_DISK_GUID" "$WIN10_GPT_NEW_ESP_GUID")
win=$(bcd_device_gpt_hex "$WIN10_GPT_NEW_DISK_GUID" "$WIN10_GPT_NEW_WIN_GUID")
expect_eq "win10-gpt {bootmgr} device" "$(bcd_element "$work/w10.reg" "$BCD_BOOTMGR_GUID" 11000001)" "$esp"
expect_eq "win10-gpt {memdiag} device" "$(bcd_element "$work/w10.reg" "$BCD_MEMDIAG_GUID" 11000001)" "$esp"
for obj in "$WIN10_GPT_LOADER_GUID" "$WIN10_GPT_RESUME_GUID"; do
  for el in 11000001 21000001; do
    expect_eq "win10-gpt $obj $el" "$(bcd_element "$work/w10.reg" "$obj" "$el")" "$win"
  done
done
# Written back clean, past the log's entry, and the log empty.
read -r seq1 seq2 < <(od -An -tu4 -j4 -N8 "$work/w10.bcd")
expect_eq "win10-gpt BCD written clean" "$seq1" "$seq2"
expect_eq "win10-gpt BCD sequence past the log" "$([ "$seq1" -gt 3 ] && echo yes)" yes
expect_eq "win10-gpt BCD.LOG1 empty" "$(stat -c %s "$work/w10.bcd.log1")" 0
expect_eq "win10-gpt C:" "$(mounted "$work/w10.system" '\DosDevices\C:')" \
  "$(mounted_gpt_hex "$WIN10_GPT_NEW_WIN_GUID")"
expect_eq "win10-gpt C: volume" "$(mounted "$work/w10.system" "$WIN10_GPT_C_VOLUME")" \
  "$(mounted_gpt_hex "$WIN10_GPT_NEW_WIN_GUID")"
expect_eq "win10-gpt ESP volume" "$(mounted "$work/w10.system" "$WIN10_GPT_ESP_VOLUME")" \
  "$(mounted_gpt_hex "$WIN10_GPT_NEW_ESP_GUID")"

# ---- xp-moved ----
expect_eq "xp-moved C:" "$(mounted "$work/xp.system" '\DosDevices\C:')" \
  "$(mounted_mbr_hex "$XP_MOVED_NEW_SIG" "$XP_MOVED_OFFSET")"
tr -d '\r' < "$work/xp.boot.ini" > "$work/xp.boot.txt"
expect_eq "xp-moved boot.ini default" "$(grep -i '^default=' "$work/xp.boot.txt")" "default=$XP_MOVED_NEW_ARC"
expect_eq "xp-moved boot.ini entry" "$(grep -ci "^${XP_MOVED_NEW_ARC//\\/\\\\}=" "$work/xp.boot.txt")" 1
expect_eq "xp-moved boot.ini: partition(2) left" "$(grep -ci 'partition(2)' "$work/xp.boot.txt" || true)" 0
# u16/u32 little-endian at a byte offset of the raw image.
le_at() { od -An -t "u$2" -j "$1" -N "$2" --endian=little "$work/xp-moved.img" | tr -d ' '; }
total=$(od -An -t u8 -j $((XP_MOVED_OFFSET + 0x28)) -N 8 --endian=little "$work/xp-moved.img" | tr -d ' ')
for copy in primary backup; do
  base=$XP_MOVED_OFFSET
  [ "$copy" = backup ] && base=$((XP_MOVED_OFFSET + total * 512))
  expect_eq "xp-moved $copy boot sector hidden sectors" "$(le_at $((base + 0x1C)) 4)" "$XP_MOVED_START"
  expect_eq "xp-moved $copy boot sector heads" "$(le_at $((base + 0x1A)) 2)" 64
  expect_eq "xp-moved $copy boot sector sectors per track" "$(le_at $((base + 0x18)) 2)" 63
done

# ---- a second run finds nothing to do ----
got=0
env -u LIBGUESTFS_BACKEND_SETTINGS "$VIRT_BOOTFIX" --dry-run --json "$work/again.json" \
  "${domains[@]}" > "$work/again.out" 2>&1 || got=$?
expect_eq "exit status of the second run" "$got" 0
for g in "${guests[@]}"; do
  expect_eq "$g second run" "$(jq -r --arg g "$g" '.guests[] | select(.name == $g) | .status' "$work/again.json")" unchanged
done

# ---- --undo gives the original bytes back ----
for g in "${guests[@]}"; do
  journal=$(jq -r --arg g "$g" '.guests[] | select(.name == $g) | .journal' "$work/fix.json")
  got=0
  "$VIRT_BOOTFIX" --undo "$journal" > "$work/undo-$g.out" 2>&1 || got=$?
  expect_eq "$g undo exit" "$got" 0
  expect_eq "$g after undo" "$(sha256sum "$work/$g.img" | cut -d' ' -f1)" "$(cat "$work/$g.sum")"
done

finish
