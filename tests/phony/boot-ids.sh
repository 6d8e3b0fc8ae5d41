# boot-ids.sh: identifiers of the phony boot-chain guests and the encoders
# for the values that name a partition in a BCD store and in
# SYSTEM\MountedDevices.  Sourced by build-guests.sh, which writes the
# stale (OLD) values into the guests, and by tests, which compute from the
# same functions what a repair must leave there (the NEW values).
#
#   . tests/phony/boot-ids.sh
#   want=$(bcd_device_mbr_hex "$WIN7_SYSRES_NEW_SIG" "$WIN7_SYSRES_P2_OFFSET")
#
# Output format of every *_hex function: the bytes as two lower-case hex
# digits each, joined by commas, no spaces, no prefix, no line breaks,
# an empty line for no bytes: "06,00,00,00,...".  That is exactly the text
# after "hex(3):" (REG_BINARY) in the output of
#   hivexregedit --export --prefix 'HKEY_LOCAL_MACHINE\BCD00000000' BCD '\'
# (and after "hex:" in the .reg text build-guests.sh merges).  hivexregedit
# prints each value on one line, so a test can compare with
#   grep -F "\"Element\"=hex(3):$want"
#
# Numbers may be given in any form bash arithmetic takes (0x1a2b3c4d,
# 1048576).  GUIDs are taken with or without braces, in either case; their
# bytes come out in the Windows layout (Data1 u32, Data2 u16, Data3 u16
# little-endian, then Data4 as written), the layout GPT headers, GPT
# entries, BCD device elements and MountedDevices all use.
#
# Only functions and readonly variables are defined; shell options are not
# touched.  Sourcing the file twice is harmless.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

# shellcheck shell=bash
# shellcheck disable=SC2034 # the constants are for the sourcing scripts
if [[ -n ${BOOT_IDS_SOURCED:-} ]]; then
  return 0
fi
readonly BOOT_IDS_SOURCED=1

# ---- constants -------------------------------------------------------------

# Well-known BCD objects (docs/boot-formats.md, "Well-known objects").
readonly BCD_BOOTMGR_GUID='{9dea862c-5cdd-4e70-acc1-f32b344d4795}'
readonly BCD_MEMDIAG_GUID='{b2721d73-1db4-4c62-bf78-c548a880142d}'
# GPT partition type GUIDs (docs/boot-formats.md, "GPT").
readonly GPT_TYPE_ESP='C12A7328-F81F-11D2-BA4B-00A0C93EC93B'
readonly GPT_TYPE_MSR='E3C9E316-0B5C-4DB8-817D-F92DF00215AE'
readonly GPT_TYPE_BASIC_DATA='EBD0A0A2-B9E5-4433-87C0-68B6B72699C7'

# win7-sysres: BIOS, MBR, a 100 MiB "System Reserved" partition (active,
# bootmgr + \Boot\BCD) and the Windows partition.  Restored onto a new disk:
# the partitions kept their offsets, the disk signature changed, and the BCD
# store and MountedDevices still name the OLD signature.
readonly WIN7_SYSRES_DISK_SECTORS=$((256 * 2048)) # 256 MiB
readonly WIN7_SYSRES_NEW_SIG=0x7a1f000a
readonly WIN7_SYSRES_OLD_SIG=0x1a2b3c4d
readonly WIN7_SYSRES_P1_START=2048 # System Reserved, 100 MiB
readonly WIN7_SYSRES_P1_SECTORS=204800
readonly WIN7_SYSRES_P2_START=206848 # Windows, to the end of the disk
readonly WIN7_SYSRES_P2_SECTORS=$((WIN7_SYSRES_DISK_SECTORS - WIN7_SYSRES_P2_START))
readonly WIN7_SYSRES_P1_OFFSET=$((WIN7_SYSRES_P1_START * 512)) # 1048576
readonly WIN7_SYSRES_P2_OFFSET=$((WIN7_SYSRES_P2_START * 512)) # 105906176
readonly WIN7_SYSRES_LOADER_GUID='{c1a4e2b6-7d3f-11e0-9a5b-000c29d0a101}'
readonly WIN7_SYSRES_RESUME_GUID='{c1a4e2b6-7d3f-11e0-9a5b-000c29d0a102}'
readonly WIN7_SYSRES_C_VOLUME='\??\Volume{5e1a1c01-0000-0000-0000-100000000000}'
readonly WIN7_SYSRES_SR_VOLUME='\??\Volume{5e1a1c02-0000-0000-0000-100000000000}'
# D: is a CD-ROM: a PnP path (UTF-16LE, no NUL) a fixer must leave alone.
readonly WIN7_SYSRES_CDROM_PATH='\??\IDE#CdRomQEMU_DVD-ROM#5&1&0&1#{53f5630d-b6bf-11d0-94f2-00a0c91efb8b}'

# win10-gpt: UEFI, GPT with ESP (FAT32, \EFI\Microsoft\Boot\BCD), MSR and
# the Windows partition.  Restored onto a new disk: the GPT carries NEW
# disk and partition GUIDs, the BCD store and MountedDevices the OLD ones.
readonly WIN10_GPT_DISK_SECTORS=$((256 * 2048)) # 256 MiB
readonly WIN10_GPT_NEW_DISK_GUID='{6b1e0a10-0000-4000-8000-00000000d15c}'
readonly WIN10_GPT_NEW_ESP_GUID='{6b1e0a11-0000-4000-8000-000000000001}'
readonly WIN10_GPT_NEW_MSR_GUID='{6b1e0a12-0000-4000-8000-000000000002}'
readonly WIN10_GPT_NEW_WIN_GUID='{6b1e0a13-0000-4000-8000-000000000003}'
readonly WIN10_GPT_OLD_DISK_GUID='{0badd15c-0000-4000-8000-0000000000d0}'
readonly WIN10_GPT_OLD_ESP_GUID='{0badd15c-0000-4000-8000-0000000000e1}'
readonly WIN10_GPT_OLD_WIN_GUID='{0badd15c-0000-4000-8000-0000000000e3}'
readonly WIN10_GPT_P1_START=2048 # ESP, 100 MiB
readonly WIN10_GPT_P1_SECTORS=204800
readonly WIN10_GPT_P2_START=206848 # MSR, 16 MiB
readonly WIN10_GPT_P2_SECTORS=32768
readonly WIN10_GPT_P3_START=239616 # Windows, to the last usable LBA
readonly WIN10_GPT_P3_SECTORS=$((WIN10_GPT_DISK_SECTORS - 33 - WIN10_GPT_P3_START))
readonly WIN10_GPT_LOADER_GUID='{c1a4e2b6-7d3f-11e0-9a5b-000c29d0a201}'
readonly WIN10_GPT_RESUME_GUID='{c1a4e2b6-7d3f-11e0-9a5b-000c29d0a202}'
readonly WIN10_GPT_C_VOLUME='\??\Volume{5e1a1c03-0000-0000-0000-100000000000}'
readonly WIN10_GPT_ESP_VOLUME='\??\Volume{5e1a1c04-0000-0000-0000-100000000000}'

# The boot-chain check's broken guests (tests/integration/test-check.sh).
# win10-nobootmgfw: win10-gpt's layout, with GUIDs of its own (two disks
# of one appliance must not share them), and an ESP without
# \EFI\Microsoft\Boot\bootmgfw.efi.
readonly NOBOOTMGFW_DISK_GUID='{6b1e0b10-0000-4000-8000-00000000d15c}'
readonly NOBOOTMGFW_ESP_GUID='{6b1e0b11-0000-4000-8000-000000000001}'
readonly NOBOOTMGFW_MSR_GUID='{6b1e0b12-0000-4000-8000-000000000002}'
readonly NOBOOTMGFW_WIN_GUID='{6b1e0b13-0000-4000-8000-000000000003}'
# win7-nowinload: win7-sysres's layout with a signature of its own; the
# BCD's default entry names the (current) System Reserved partition,
# which has no winload.exe.
readonly NOWINLOAD_SIG=0x7a1f0011
# win7-nodriver: win7 without system32\drivers\intelide.sys.
readonly NODRIVER_SIG=0x7a1f0012

# xp-moved: the partition now starts at LBA 2048 on a disk with a NEW
# signature; it was restored from a disk where it started at LBA 63, after
# a utility partition.  The NTFS boot sector (both copies) still says
# hidden sectors 63 with heads 240 / 63 sectors per track, boot.ini names
# partition(2), and MountedDevices the OLD signature and offset.
readonly XP_MOVED_DISK_SECTORS=$((64 * 2048)) # 64 MiB
readonly XP_MOVED_NEW_SIG=0x7a1f000b
readonly XP_MOVED_OLD_SIG=0x0badd15c
readonly XP_MOVED_START=2048
readonly XP_MOVED_OFFSET=$((XP_MOVED_START * 512)) # 1048576
readonly XP_MOVED_OLD_START=63
readonly XP_MOVED_OLD_OFFSET=$((XP_MOVED_OLD_START * 512)) # 32256
readonly XP_MOVED_OLD_HEADS=240
readonly XP_MOVED_OLD_SPT=63
readonly XP_MOVED_OLD_ARC='multi(0)disk(0)rdisk(0)partition(2)\WINDOWS'
readonly XP_MOVED_NEW_ARC='multi(0)disk(0)rdisk(0)partition(1)\WINDOWS'

# ---- encoders --------------------------------------------------------------

# le_hex VALUE NBYTES: the little-endian bytes of an integer.
le_hex() {
  local v=$1 n=$2 i b out=
  for ((i = 0; i < n; i++)); do
    printf -v b '%02x' $(((v >> (8 * i)) & 255))
    out+=${out:+,}$b
  done
  echo "$out"
}

# zero_hex NBYTES: that many zero bytes.
zero_hex() {
  local n=$1 i out=
  for ((i = 0; i < n; i++)); do
    out+=${out:+,}00
  done
  echo "$out"
}

# guid_hex GUID: the 16 bytes of a GUID in the Windows layout.
guid_hex() {
  local g=${1#\{}
  g=${g%\}}
  g=${g,,}
  if [[ ! $g =~ ^([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})$ ]]; then
    echo "guid_hex: not a GUID: $1" >&2
    return 1
  fi
  local d4=${BASH_REMATCH[4]}${BASH_REMATCH[5]} out i
  out="$(le_hex "0x${BASH_REMATCH[1]}" 4),$(le_hex "0x${BASH_REMATCH[2]}" 2)"
  out+=",$(le_hex "0x${BASH_REMATCH[3]}" 2)"
  for ((i = 0; i < 16; i += 2)); do
    out+=",${d4:i:2}"
  done
  echo "$out"
}

# utf16le_hex STRING: ASCII text as UTF-16LE, without a terminating NUL.
utf16le_hex() {
  local s=$1 i b out=
  for ((i = 0; i < ${#s}; i++)); do
    printf -v b '%02x' "'${s:i:1}"
    out+=${out:+,}$b,00
  done
  echo "$out"
}

# BCD partition device (docs/boot-formats.md, "Partition device"), 88
# bytes: a zero options GUID, then the descriptor {type 6, flags 0, size
# 0x48, 0}, the partition id, u32 0, u32 partition style (1 MBR, 0 GPT),
# the disk id, 16 zero bytes.
_bcd_device_hex() {
  local part_id=$1 style=$2 disk_id=$3
  echo "$(zero_hex 16),$(le_hex 6 4),$(le_hex 0 4),$(le_hex 0x48 4),$(le_hex 0 4),$part_id,$(le_hex 0 4),$(le_hex "$style" 4),$disk_id,$(zero_hex 16)"
}

# bcd_device_mbr_hex SIGNATURE OFFSET: partition at byte OFFSET of the MBR
# disk with that signature.
bcd_device_mbr_hex() {
  _bcd_device_hex "$(le_hex "$2" 8),$(zero_hex 8)" 1 \
    "$(le_hex "$1" 4),$(zero_hex 12)"
}

# bcd_device_gpt_hex DISK_GUID PARTITION_GUID: GPT partition by unique GUID.
bcd_device_gpt_hex() {
  local disk part
  disk=$(guid_hex "$1") && part=$(guid_hex "$2") || return 1
  _bcd_device_hex "$part" 0 "$disk"
}

# mounted_mbr_hex SIGNATURE OFFSET: MountedDevices value of a basic MBR
# volume, 12 bytes (docs/boot-formats.md, "MountedDevices").
mounted_mbr_hex() {
  echo "$(le_hex "$1" 4),$(le_hex "$2" 8)"
}

# mounted_gpt_hex PARTITION_GUID: "DMIO:ID:" + the partition GUID, 24 bytes.
mounted_gpt_hex() {
  local part
  part=$(guid_hex "$1") || return 1
  echo "44,4d,49,4f,3a,49,44,3a,$part"
}
