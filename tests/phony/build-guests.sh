#!/bin/bash
# build-guests.sh OUTDIR [MKHIVE]
# build-guests.sh --hives OUTDIR [MKHIVE]
#
# Builds the phony Windows guests used by the integration tests: small
# sparse raw disks with an MBR, one NTFS partition and just enough of a
# Windows tree (registry hives, a PE header as cmd.exe, dummy drivers and
# boot files) for libguestfs inspection and for virt-bootfix to work on.
# The boot-chain guests (win7-sysres, win10-gpt, xp-moved) add a system
# partition with a BCD store, a GPT with an ESP, and stale boot ids.
# Each guest gets OUTDIR/NAME.img and a libvirt domain OUTDIR/NAME.xml.
#
# Everything that needs no appliance happens on the host: mkhive writes
# empty hives, hivexregedit merges the .reg text emitted by the template
# functions below, and the MBR or GPT is written straight into each sparse
# image.  One guestfish launch then makes the file systems and fills them.
# Last, the host patches the NTFS boot sectors of xp-moved.
#
# Next to each Windows guest's image go NAME.facts (what libguestfs
# inspection reports for it: product name, variant, version, arch,
# osinfo) and NAME.files (every file of its Windows directory).
#
# --hives needs no appliance and takes seconds: for every Windows guest it
# writes only OUTDIR/NAME.SYSTEM, NAME.SOFTWARE, NAME.facts and NAME.files
# (and NAME.cabinets/, the guest's *.cab files under their paths in the
# Windows directory, when it has any), for tests that run the windows
# module against the hives directly (tests/unit/test-matrix-plans.c).
#
# Exit status: 0 built or already up to date, 77 no appliance could be
# launched (tests treat this as "skip"; with --hives: hivexregedit is
# missing), anything else is an error.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

set -euo pipefail

readonly GUESTS=(win7 vista win7-fixed win7-cs2 xp win10 nowin win7-badhive win7-hiber
  win7-sysres win10-gpt xp-moved win2003x64 win81 win2019 xp-cab win7-dirty
  win10-nobootmgfw win7-nowinload win7-nodriver)
readonly DISK_SECTORS=$((64 * 2048)) # 64 MiB in 512-byte sectors
readonly PART_START=2048             # sectors; partition offset 1 MiB
readonly PART_OFFSET_BYTES=1048576 # the same, as MountedDevices stores it
readonly BADHIVE_SIZE=6000         # base block intact, first hbin cut
readonly HDC_CLASS='{4D36E96A-E325-11CE-BFC1-08002BE10318}'
readonly DISK_CLASS='{4D36E967-E325-11CE-BFC1-08002BE10318}'

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
t0=$(date +%s.%N)

# Constants of the boot-chain guests and the BCD / MountedDevices encoders
# (le_hex, guid_hex, bcd_device_*_hex, mounted_*_hex), shared with tests.
# shellcheck source=boot-ids.sh
. "$script_dir/boot-ids.sh"

# libguestfs-style progress line with elapsed seconds.
say() {
  printf '[%6.1f] %s\n' "$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')" "$*"
}

die() {
  echo "build-guests.sh: $*" >&2
  exit 1
}

skip() {
  echo "build-guests.sh: SKIP: $*" >&2
  exit 77
}

mode=images
if [[ ${1:-} == --hives ]]; then
  mode=hives
  shift
fi
if [[ $# -lt 1 || $# -gt 2 ]]; then
  echo "usage: build-guests.sh [--hives] OUTDIR [MKHIVE]" >&2
  exit 2
fi
outdir=$1
mkhive=${2:-}
# The two modes keep separate stamps, so they may share a folder.
stamp_name=.stamp
if [[ $mode == hives ]]; then
  stamp_name=.stamp-hives
fi
# The driver-cache cabinets of xp-cab come from the cabinet writer of the
# unit tests (make-driver-cache.py imports it).
readonly MAKE_CABS=$script_dir/../unit/data/cabinet/make-cabs.py

# ---- up-to-date check ------------------------------------------------------

# The files one guest puts into OUTDIR in this mode.
guest_outputs() {
  if [[ $mode == images ]]; then
    echo "$1.img" "$1.xml"
  elif [[ $(guest_kind "$1") == windows ]]; then
    echo "$1.SYSTEM" "$1.SOFTWARE" "$1.facts" "$1.files"
  fi
}

# Up to date when the stamp exists, every output exists and no input (this
# script, boot-ids.sh, mkhive.c, any .reg or .py file here, make-cabs.py)
# is newer than the stamp.
up_to_date() {
  local stamp=$outdir/$stamp_name name out
  [[ -f $stamp ]] || return 1
  for name in "${GUESTS[@]}"; do
    for out in $(guest_outputs "$name"); do
      [[ -f $outdir/$out ]] || return 1
    done
  done
  [[ ! $MAKE_CABS -nt $stamp ]] || return 1
  [[ -z $(find "$script_dir" -maxdepth 1 -type f -newer "$stamp" \
    \( -name build-guests.sh -o -name boot-ids.sh -o -name mkhive.c \
    -o -name '*.reg' -o -name '*.py' \) \
    -print -quit) ]]
}

# ---- setup -----------------------------------------------------------------

# Tools each mode needs.  Without hivexregedit no hive can be made: that
# is a skip for --hives (its tests need no appliance, but this).
check_tools() {
  local tool
  if [[ $mode == hives ]]; then
    command -v hivexregedit >/dev/null || skip "hivexregedit is not installed"
    for tool in find sort python3; do
      command -v "$tool" >/dev/null || die "$tool is not installed"
    done
    return
  fi
  for tool in hivexregedit guestfish tar truncate gzip od dd find sort python3; do
    command -v "$tool" >/dev/null || die "$tool is not installed"
  done
}

# Called from main, once every function is defined: returns only when
# there is work to do, with $work, $outdir (absolute) and $mkhive set.
setup() {
  if up_to_date; then
    echo "build-guests.sh: $outdir is up to date"
    exit 0
  fi
  check_tools
  mkdir -p "$outdir"
  # Absolute, but with symlinks kept: callers may look for the path they
  # gave in the domain XML.
  outdir=$(cd "$outdir" && pwd)
  # Remove the stamp first: from here until the very end the output is
  # stale.
  rm -f "${outdir:?}/$stamp_name"
  work=$(mktemp -d "$outdir/.build.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  trap 'exit 130' INT TERM HUP # so that the EXIT trap runs

  # The project's rule for choosing TCG where KVM cannot work (plain
  # guestfish would abort or hang there); build_disks below also retries
  # with TCG.
  local accel=$script_dir/../../scripts/choose-accel.sh
  if [[ $mode == images && -f $accel ]]; then
    # shellcheck source=../../scripts/choose-accel.sh
    . "$accel"
  fi
  build_mkhive
}

build_mkhive() {
  # mkhive links the hive code of src/formats, so meson builds it; by
  # default take the one in the source tree's build/ (scripts/setup.sh).
  if [[ -z $mkhive ]]; then
    mkhive=$script_dir/../../build/tests/phony/mkhive
    [[ -x $mkhive ]] ||
      die "no mkhive at $mkhive: run ./scripts/setup.sh first, or pass MKHIVE"
  fi
  [[ -x $mkhive ]] || die "$mkhive is not an executable"
}

# ---- .reg emitter ----------------------------------------------------------

# hivexregedit only creates a key whose parent exists, so reg_key emits
# every missing ancestor first.  REG_PREFIX names the hive, REG_SEEN holds
# the keys emitted so far for the current file.
REG_PREFIX=
declare -A REG_SEEN=()

reg_begin() {
  REG_PREFIX=$1
  REG_SEEN=()
  echo 'Windows Registry Editor Version 5.00'
}

reg_key() {
  local path=$1 prefix='' part
  local -a parts
  # shellcheck disable=SC1003,SC2141 # split on the backslash itself
  IFS='\' read -r -a parts <<<"$path"
  # Every proper prefix of the path is an ancestor.
  for part in "${parts[@]:0:${#parts[@]}-1}"; do
    prefix=${prefix:+$prefix\\}$part
    if [[ -z ${REG_SEEN[$prefix]:-} ]]; then
      REG_SEEN[$prefix]=1
      printf '\n[%s\\%s]\n' "$REG_PREFIX" "$prefix"
    fi
  done
  # Opening a key again merges the values that follow into it.
  REG_SEEN[$path]=1
  printf '\n[%s\\%s]\n' "$REG_PREFIX" "$path"
}

# .reg strings escape backslash and double quote with a backslash.
reg_quote() {
  local s=${1//\\/\\\\}
  printf '"%s"' "${s//\"/\\\"}"
}

reg_sz() { printf '%s=%s\n' "$(reg_quote "$1")" "$(reg_quote "$2")"; }
# REG_EXPAND_SZ: hivexregedit's str(2): encodes like a plain string.
reg_expand_sz() { printf '%s=str(2):%s\n' "$(reg_quote "$1")" "$(reg_quote "$2")"; }
reg_dword() { printf '%s=dword:%08x\n' "$(reg_quote "$1")" "$2"; }
reg_binary() { printf '%s=hex:%s\n' "$(reg_quote "$1")" "$2"; }
# REG_MULTI_SZ: reg_multi_sz NAME STRING...; each string NUL-terminated,
# then an empty one.
reg_multi_sz() {
  local name=$1 s data=
  shift
  for s in "$@"; do
    data+="$(utf16le_hex "$s"),00,00,"
  done
  printf '%s=hex(7):%s00,00\n' "$(reg_quote "$name")" "$data"
}
# le_hex VALUE NBYTES (the .reg hex of an integer) is in boot-ids.sh.

# ---- guest descriptions ----------------------------------------------------

# Service table: Type (always 1) ErrorControl Group; ImagePath is derived
# from the name (G_IMAGE_DIR).
declare -A SVC_ERRCTL=([intelide]=3 [pciide]=3 [atapi]=1 [msahci]=3 [storahci]=3
  [sym_hi]=1 [rhelscsi]=1 [iaStorA]=1 [LSI_SAS]=1 [stornvme]=1 [pvscsi]=1
  [prl_strg]=1)
declare -A SVC_GROUP=([intelide]='System Bus Extender' [pciide]='System Bus Extender'
  [atapi]='SCSI miniport' [msahci]='SCSI miniport' [storahci]='SCSI miniport'
  [sym_hi]='SCSI miniport' [rhelscsi]='SCSI miniport' [iaStorA]='SCSI miniport'
  [LSI_SAS]='SCSI miniport' [stornvme]='SCSI miniport' [pvscsi]='SCSI miniport'
  [prl_strg]='PnP Filter')
# CriticalDeviceDatabase: device id -> service, and its class when that is
# not hdc.
declare -A CDDB_SERVICE=(['pci#ven_8086&dev_7010']=intelide
  [primary_ide_channel]=atapi [secondary_ide_channel]=atapi
  ['*pnp0600']=atapi ['pci#cc_0101']=pciide [gendisk]=disk)
declare -A CDDB_CLASS=([gendisk]=$DISK_CLASS)
# Arrays, not words: "*pnp0600" must never meet the shell's globbing.
readonly CDDB_NO_7010=(primary_ide_channel secondary_ide_channel '*pnp0600' 'pci#cc_0101')
readonly CDDB_ALL=('pci#ven_8086&dev_7010' "${CDDB_NO_7010[@]}")

# The defaults describe win7: an x86_64 Windows 7 SP1 that was installed on
# AHCI, so the IDE drivers are present but not boot-start.
guest_defaults() {
  G_KIND=windows          # windows | data
  G_PE=--pe32plus         # mkhive option for cmd.exe
  G_SYSROOT=Windows       # folder name, also used for C:\... values
  G_SYS32=System32
  G_PRODUCT='Windows 7 Professional'
  G_VERSION=6.1
  G_BUILD=7601
  G_CSD='Service Pack 1'
  G_EDITION=Professional
  G_INSTALL_TYPE=Client
  G_MAJOR=                # CurrentMajorVersionNumber (10 and later)
  G_MINOR=
  G_SELECT='1 1 2 0'      # Current Default LastKnownGood Failed
  G_CONTROL_SETS='1 2'
  declare -gA G_HOSTNAME=([1]=WIN7-PHONY [2]=WIN7-PHONY)
  G_CDDB=("${CDDB_ALL[@]}")
  G_SERVICES='intelide pciide atapi msahci'
  declare -gA G_START=([intelide]=3 [pciide]=3 [atapi]=0 [msahci]=0)
  G_OVERRIDE=             # services with StartOverride\0 = 3
  G_IMAGE_DIR='system32\DRIVERS' # ImagePath = G_IMAGE_DIR\<service>.sys
  G_CLASS_FILTERS=()      # "CLASS-GUID VALUE ENTRY..." REG_MULTI_SZ filter
                          # lists under Control\Class, in each control set
  G_DRIVERDB=no
  G_DRIVERS='atapi ataport intelide pciide pciidex msahci storahci disk classpnp'
  G_BOOT=bootmgr          # bootmgr | ntldr | none (on a system partition)
  G_BOOT_INI_PART=1       # ntldr: boot.ini's partition(N)
  G_BOOT_INI_TITLE='Microsoft Windows XP Professional'
  G_BOOT_INI_OPTIONS='/noexecute=optin /fastdetect'
  G_LOADERS=              # dummy boot applications in system32
  G_EXTRA_DIRS=
  G_DRIVER_CACHE=         # cabinets in Driver Cache\i386 (make-driver-cache.py)
  G_TRUNCATE_SYSTEM=
  G_LOGGED_START=         # "SERVICE=N ...": Start values only SYSTEM.LOG1
                          # holds; SYSTEM itself is left dirty (mkhive --dirty)
  G_HIBERNATED=
  G_SIGNATURE=0           # MBR disk signature
  G_MOUNTED=()            # MountedDevices name/hex pairs; when empty,
                          # \DosDevices\C: = G_SIGNATURE + PART_OFFSET_BYTES
  G_DISK=mbr              # mbr (one partition) | sysres | gpt: write_image
  G_SECTORS=$DISK_SECTORS
  G_NTFS_GEOMETRY=        # "HIDDEN HEADS SPT" patched into both NTFS boot
                          # sectors after guestfish (patch_ntfs_geometry)
  G_BCD=                  # sysres | gpt: which BCD store emit_bcd_reg writes
  G_BCD_LOADER_DEVICE=    # when set (device hex): the loader's device and
                          # osdevice, instead of the old Windows partition
  G_NO_BOOTMGFW=          # gpt: leave \EFI\Microsoft\Boot\bootmgfw.efi out
  G_GPT_DISK_GUID=$WIN10_GPT_NEW_DISK_GUID # G_DISK=gpt: the new GUIDs
  G_GPT_ESP_GUID=$WIN10_GPT_NEW_ESP_GUID
  G_GPT_MSR_GUID=$WIN10_GPT_NEW_MSR_GUID
  G_GPT_WIN_GUID=$WIN10_GPT_NEW_WIN_GUID
  G_DIRTY_BCD_BOOTMGR=    # when set (device hex), the BCD store is left
                          # dirty: its primary's {bootmgr} device is this,
                          # BCD.LOG1 leads to the store emit_bcd_reg writes
  G_MACHINE=pc-i440fx-7.2 # domain XML
  G_TARGET=hda
  G_BUS=ide
  G_FIRMWARE=             # efi: <os firmware='efi'>
}

describe_guest() {
  guest_defaults
  case $1 in
  win7) G_SIGNATURE=0x7a1f0001 ;;
  win7-sysres)
    # BIOS with a "System Reserved" partition, restored onto a new disk:
    # same partition offsets, new signature; BCD and MountedDevices stale.
    describe_guest win7
    G_SIGNATURE=$WIN7_SYSRES_NEW_SIG
    G_DISK=sysres G_SECTORS=$WIN7_SYSRES_DISK_SECTORS G_BCD=sysres
    G_BOOT=none
    G_LOADERS='winload.exe winresume.exe'
    G_MOUNTED=(
      '\DosDevices\C:'
      "$(mounted_mbr_hex "$WIN7_SYSRES_OLD_SIG" "$WIN7_SYSRES_P2_OFFSET")"
      "$WIN7_SYSRES_C_VOLUME"
      "$(mounted_mbr_hex "$WIN7_SYSRES_OLD_SIG" "$WIN7_SYSRES_P2_OFFSET")"
      "$WIN7_SYSRES_SR_VOLUME"
      "$(mounted_mbr_hex "$WIN7_SYSRES_OLD_SIG" "$WIN7_SYSRES_P1_OFFSET")"
      '\DosDevices\D:' "$(utf16le_hex "$WIN7_SYSRES_CDROM_PATH")"
    )
    ;;
  vista)
    G_SIGNATURE=0x7a1f0002
    G_PE=--pe32
    G_PRODUCT='Windows Vista (TM) Business'
    G_VERSION=6.0 G_BUILD=6002 G_CSD='Service Pack 2' G_EDITION=Business
    G_HOSTNAME=([1]=VISTA-PHONY [2]=VISTA-PHONY)
    G_CDDB=("${CDDB_NO_7010[@]}")
    G_DRIVERS='atapi ataport intelide pciide pciidex msahci disk classpnp'
    ;;
  win7-fixed)
    G_SIGNATURE=0x7a1f0003
    G_START=([intelide]=0 [pciide]=0 [atapi]=0 [msahci]=0)
    ;;
  win7-cs2)
    # Different names per control set show which one a reader used.
    G_SIGNATURE=0x7a1f0004
    G_SELECT='2 2 1 0'
    G_HOSTNAME=([1]=WIN7-CS1 [2]=WIN7-CS2)
    ;;
  xp)
    G_SIGNATURE=0x7a1f0005
    G_PE=--pe32
    G_SYSROOT=WINDOWS G_SYS32=system32
    G_PRODUCT='Microsoft Windows XP'
    G_VERSION=5.1 G_BUILD=2600 G_CSD='Service Pack 3'
    G_EDITION='' G_INSTALL_TYPE=''
    G_HOSTNAME=([1]=XP-PHONY [2]=XP-PHONY)
    G_CDDB=("${CDDB_NO_7010[@]}")
    G_SERVICES='intelide pciide atapi'
    G_START=([intelide]=3 [pciide]=3 [atapi]=0)
    G_DRIVERS='atapi intelide pciide pciidex disk classpnp'
    G_BOOT=ntldr
    G_EXTRA_DIRS='WINDOWS/Driver Cache/i386'
    ;;
  xp-moved)
    # Restored from a disk where the partition was the second one, at LBA
    # 63; now the only one, at LBA 2048, on a disk with a new signature.
    describe_guest xp
    G_SIGNATURE=$XP_MOVED_NEW_SIG
    G_BOOT_INI_PART=2
    G_MOUNTED=('\DosDevices\C:'
      "$(mounted_mbr_hex "$XP_MOVED_OLD_SIG" "$XP_MOVED_OLD_OFFSET")")
    G_NTFS_GEOMETRY="$XP_MOVED_OLD_START $XP_MOVED_OLD_HEADS $XP_MOVED_OLD_SPT"
    ;;
  win10)
    G_SIGNATURE=0x7a1f0006
    G_PRODUCT='Windows 10 Pro'
    G_VERSION=6.3 G_BUILD=19045 G_CSD='' G_MAJOR=10 G_MINOR=0
    G_SELECT='1 1 1 0'
    G_CONTROL_SETS=1
    G_HOSTNAME=([1]=WIN10-PHONY)
    G_CDDB=()
    G_SERVICES='storahci intelide pciide atapi'
    G_START=([storahci]=3 [intelide]=3 [pciide]=3 [atapi]=3)
    G_OVERRIDE='storahci atapi'
    G_DRIVERDB=yes
    G_DRIVERS='atapi ataport intelide pciide pciidex storahci storport disk classpnp'
    ;;
  win10-gpt)
    # UEFI on GPT (ESP, MSR, Windows), restored onto a new disk: new disk
    # and partition GUIDs; BCD and MountedDevices still name the old ones.
    # The backup was taken while Windows ran: the BCD store is dirty, and
    # its primary's {bootmgr} device already names the new ESP, but
    # BCD.LOG1, which Windows replays first, still holds the old one.
    describe_guest win10
    G_DISK=gpt G_SECTORS=$WIN10_GPT_DISK_SECTORS G_BCD=gpt
    G_DIRTY_BCD_BOOTMGR=$(bcd_device_gpt_hex "$WIN10_GPT_NEW_DISK_GUID" "$WIN10_GPT_NEW_ESP_GUID")
    G_BOOT=none
    G_LOADERS='winload.efi winresume.efi'
    G_MOUNTED=(
      '\DosDevices\C:' "$(mounted_gpt_hex "$WIN10_GPT_OLD_WIN_GUID")"
      "$WIN10_GPT_C_VOLUME" "$(mounted_gpt_hex "$WIN10_GPT_OLD_WIN_GUID")"
      "$WIN10_GPT_ESP_VOLUME" "$(mounted_gpt_hex "$WIN10_GPT_OLD_ESP_GUID")"
    )
    G_MACHINE=pc-q35-7.2 G_TARGET=sda G_BUS=sata G_FIRMWARE=efi
    ;;
  nowin)
    G_SIGNATURE=0x7a1f0007
    G_KIND=data
    ;;
  win7-badhive)
    G_SIGNATURE=0x7a1f0008
    G_TRUNCATE_SYSTEM=$BADHIVE_SIZE
    ;;
  win7-dirty)
    # A backup of a running Windows: SYSTEM says the IDE drivers start at
    # boot, as if fixed, but its log, which Windows replays first, puts
    # intelide and pciide back to 3.  Only a replay sees the work to do.
    G_SIGNATURE=0x7a1f0010
    G_START=([intelide]=0 [pciide]=0 [atapi]=0 [msahci]=0)
    G_LOGGED_START='intelide=3 pciide=3'
    ;;
  win10-nobootmgfw)
    # UEFI firmware finds an ESP, its fallback loader and the BCD store,
    # but no Windows Boot Manager where the store and the firmware's
    # boot entry name it.
    describe_guest win10-gpt
    G_DIRTY_BCD_BOOTMGR=
    G_NO_BOOTMGFW=yes
    G_GPT_DISK_GUID=$NOBOOTMGFW_DISK_GUID G_GPT_ESP_GUID=$NOBOOTMGFW_ESP_GUID
    G_GPT_MSR_GUID=$NOBOOTMGFW_MSR_GUID G_GPT_WIN_GUID=$NOBOOTMGFW_WIN_GUID
    ;;
  win7-nowinload)
    # The default entry's device and osdevice name a partition of this
    # disk, System Reserved, which holds no Windows: no fix repoints a
    # reference that is not stale.
    describe_guest win7-sysres
    G_SIGNATURE=$NOWINLOAD_SIG
    G_BCD_LOADER_DEVICE=$(bcd_device_mbr_hex "$NOWINLOAD_SIG" "$WIN7_SYSRES_P1_OFFSET")
    ;;
  win7-nodriver)
    # The IDE driver the rule needs is not in system32\drivers, and
    # Windows 7 has no driver cache to take it from.
    G_SIGNATURE=$NODRIVER_SIG
    G_DRIVERS='atapi ataport pciide pciidex msahci storahci disk classpnp'
    ;;
  win7-hiber)
    # hiberfil.sys starting with "HIBR": what ntfs-3g (and Windows)
    # take as a hibernated system that must not be written to.
    G_SIGNATURE=0x7a1f0009
    G_HIBERNATED=yes
    ;;
  win2003x64)
    # Windows Server 2003 R2 x64 SP2, installed as a Xen guest booting
    # from the rhelscsi PV driver.  Text-mode setup made every SCSI
    # miniport of its list a service (sym_hi disabled, Start=4) and copied
    # the IDE drivers, but intelide stayed on demand and pciide was never
    # installed: no service key, no pci#cc_0101 key.  nt5-piix-ide creates
    # it with every value; rhelscsi is the Xen cleanup's.
    G_SIGNATURE=0x7a1f000c
    G_PE=--pe32plus
    G_SYSROOT=WINDOWS G_SYS32=system32
    G_PRODUCT='Microsoft Windows Server 2003 R2'
    G_VERSION=5.2 G_BUILD=3790 G_CSD='Service Pack 2'
    G_EDITION='' G_INSTALL_TYPE=''
    G_HOSTNAME=([1]=W2K3X64-PHONY [2]=W2K3X64-PHONY)
    G_CDDB=(primary_ide_channel secondary_ide_channel '*pnp0600' gendisk)
    G_SERVICES='rhelscsi atapi intelide sym_hi'
    G_START=([rhelscsi]=0 [atapi]=0 [intelide]=3 [sym_hi]=4)
    G_DRIVERS='atapi intelide pciide pciidex scsiport sym_hi rhelscsi disk classpnp'
    G_BOOT=ntldr
    G_BOOT_INI_TITLE='Windows Server 2003 R2, Standard x64 Edition'
    G_BOOT_INI_OPTIONS='/noexecute=optout /fastdetect'
    G_EXTRA_DIRS='WINDOWS/Driver Cache/amd64'
    ;;
  win81)
    # Windows 8.1 Pro x64, installed on Intel RST RAID (iaStorA) in a
    # Parallels VM: setup left StartOverride\0=3 on the unused inbox
    # storage drivers (not on intelide), and Parallels Tools' prl_strg
    # filter is boot-start and in the DiskDrive LowerFilters.
    G_SIGNATURE=0x7a1f000d
    G_PRODUCT='Windows 8.1 Pro'
    G_VERSION=6.3 G_BUILD=9600 G_CSD=''
    G_HOSTNAME=([1]=WIN81-PHONY [2]=WIN81-PHONY)
    G_CDDB=()
    G_SERVICES='iaStorA storahci intelide pciide atapi LSI_SAS stornvme prl_strg'
    G_START=([iaStorA]=0 [storahci]=3 [intelide]=3 [pciide]=3 [atapi]=3
      [LSI_SAS]=3 [stornvme]=3 [prl_strg]=0)
    G_OVERRIDE='storahci pciide atapi LSI_SAS stornvme'
    G_CLASS_FILTERS=("$DISK_CLASS UpperFilters partmgr"
      "$DISK_CLASS LowerFilters EhStorClass prl_strg")
    G_DRIVERDB=yes
    G_DRIVERS='iastora atapi ataport intelide pciide pciidex storahci storport
      lsi_sas stornvme prl_strg disk classpnp'
    ;;
  win2019)
    # Windows Server 2019 Standard (build 17763), installed on VMware
    # PVSCSI (pvscsi from VMware Tools).  One control set; ImagePath in
    # the \SystemRoot\... form, which the rules must not overwrite.
    G_SIGNATURE=0x7a1f000e
    G_PRODUCT='Windows Server 2019 Standard'
    G_VERSION=6.3 G_BUILD=17763 G_CSD='' G_MAJOR=10 G_MINOR=0
    G_EDITION=ServerStandard G_INSTALL_TYPE=Server
    G_SELECT='1 1 1 0'
    G_CONTROL_SETS=1
    G_HOSTNAME=([1]=WIN2019-PHONY)
    G_CDDB=()
    G_SERVICES='pvscsi storahci intelide pciide atapi LSI_SAS stornvme'
    G_START=([pvscsi]=0 [storahci]=3 [intelide]=3 [pciide]=3 [atapi]=3
      [LSI_SAS]=3 [stornvme]=3)
    G_OVERRIDE='storahci intelide pciide atapi LSI_SAS stornvme'
    G_IMAGE_DIR='\SystemRoot\System32\drivers'
    G_DRIVERDB=yes
    G_DRIVERS='pvscsi atapi ataport intelide pciide pciidex storahci storport
      lsi_sas stornvme disk classpnp'
    ;;
  xp-cab)
    # xp whose intelide.sys and pciide.sys are only in the driver cache:
    # sp3.cab (newest) has both, driver.cab an older intelide.sys with
    # other bytes (make-driver-cache.py).
    describe_guest xp
    G_SIGNATURE=0x7a1f000f
    G_HOSTNAME=([1]=XP-CAB-PHONY [2]=XP-CAB-PHONY)
    G_DRIVERS='atapi pciidex disk classpnp'
    G_DRIVER_CACHE=yes
    ;;
  *) die "unknown guest $1" ;;
  esac
}

# windows or data, without changing the current description.
guest_kind() {
  (
    describe_guest "$1"
    echo "$G_KIND"
  )
}

# ---- hive templates --------------------------------------------------------

emit_software_reg() {
  local cv='Microsoft\Windows NT\CurrentVersion'
  reg_begin 'HKEY_LOCAL_MACHINE\SOFTWARE'
  reg_key "$cv"
  reg_sz ProductName "$G_PRODUCT"
  reg_sz CurrentVersion "$G_VERSION"
  reg_sz CurrentBuildNumber "$G_BUILD"
  reg_sz CurrentBuild "$G_BUILD"
  if [[ -n $G_CSD ]]; then reg_sz CSDVersion "$G_CSD"; fi
  if [[ -n $G_EDITION ]]; then reg_sz EditionID "$G_EDITION"; fi
  if [[ -n $G_INSTALL_TYPE ]]; then
    reg_sz InstallationType "$G_INSTALL_TYPE"
  fi
  if [[ -n $G_MAJOR ]]; then
    reg_dword CurrentMajorVersionNumber "$G_MAJOR"
    reg_dword CurrentMinorVersionNumber "$G_MINOR"
  fi
  reg_sz SystemRoot "C:\\$G_SYSROOT"
  reg_sz PathName "C:\\$G_SYSROOT"
}

emit_service() {
  local base=$1 svc=$2
  reg_key "$base\\Services\\$svc"
  reg_dword Type 1
  reg_dword Start "${G_START[$svc]}"
  reg_dword ErrorControl "${SVC_ERRCTL[$svc]}"
  reg_sz Group "${SVC_GROUP[$svc]}"
  reg_expand_sz ImagePath "$G_IMAGE_DIR\\${svc,,}.sys"
  if [[ " $G_OVERRIDE " == *" $svc "* ]]; then
    reg_key "$base\\Services\\$svc\\StartOverride"
    reg_dword 0 3
  fi
}

emit_control_set() {
  local n=$1 base id svc
  base=$(printf 'ControlSet%03d' "$n")
  reg_key "$base\\Control\\ComputerName\\ComputerName"
  reg_sz ComputerName "${G_HOSTNAME[$n]}"
  # libguestfs takes the guest's hostname from here, not ComputerName.
  reg_key "$base\\Services\\Tcpip\\Parameters"
  reg_sz Hostname "${G_HOSTNAME[$n]}"
  reg_sz 'NV Hostname' "${G_HOSTNAME[$n]}"
  for id in "${G_CDDB[@]}"; do
    reg_key "$base\\Control\\CriticalDeviceDatabase\\$id"
    reg_sz Service "${CDDB_SERVICE[$id]}"
    reg_sz ClassGUID "${CDDB_CLASS[$id]:-$HDC_CLASS}"
  done
  for svc in $G_SERVICES; do
    emit_service "$base" "$svc"
  done
  emit_class_filters "$base"
}

emit_class_filters() {
  local base=$1 filter
  local -a words
  for filter in "${G_CLASS_FILTERS[@]}"; do
    read -r -a words <<<"$filter"
    reg_key "$base\\Control\\Class\\${words[0]}"
    reg_multi_sz "${words[1]}" "${words[@]:2}"
  done
}

emit_system_reg() {
  local current default lkg failed n
  read -r current default lkg failed <<<"$G_SELECT"
  reg_begin 'HKEY_LOCAL_MACHINE\SYSTEM'
  reg_key Select
  reg_dword Current "$current"
  reg_dword Default "$default"
  reg_dword LastKnownGood "$lkg"
  reg_dword Failed "$failed"
  for n in $G_CONTROL_SETS; do
    emit_control_set "$n"
  done
  # Disk signature + partition byte offset, as Windows records a basic
  # MBR volume; libguestfs maps drive letters from it.
  reg_key MountedDevices
  if ((${#G_MOUNTED[@]} == 0)); then
    reg_binary '\DosDevices\C:' \
      "$(mounted_mbr_hex "$G_SIGNATURE" "$PART_OFFSET_BYTES")"
  fi
  for ((n = 0; n < ${#G_MOUNTED[@]}; n += 2)); do
    reg_binary "${G_MOUNTED[n]}" "${G_MOUNTED[n + 1]}"
  done
  if [[ $G_DRIVERDB == yes ]]; then
    reg_key 'DriverDatabase\DriverInfFiles\mshdc.inf'
    reg_sz Active 'mshdc.inf_amd64_phony'
  fi
}

# ---- BCD store template ----------------------------------------------------

# docs/boot-formats.md, "BCD store": Objects\{guid}\Description\Type and one
# Objects\{guid}\Elements\XXXXXXXX key per element, whose value "Element"
# has the type the element's format nibble asks for.
BCD_OBJECT=

bcd_object() {
  BCD_OBJECT=$1
  reg_key "Objects\\$1\\Description"
  reg_dword Type "$2"
}

bcd_element() { reg_key "Objects\\$BCD_OBJECT\\Elements\\$1"; }
bcd_device() { bcd_element "$1" && reg_binary Element "$2"; }
bcd_string() { bcd_element "$1" && reg_sz Element "$2"; }
bcd_ref() { bcd_element "$1" && reg_sz Element "$2"; }
bcd_list() { bcd_element "$1" && shift && reg_multi_sz Element "$@"; }
bcd_integer() { bcd_element "$1" && reg_binary Element "$(le_hex "$2" 8)"; }

# The store of a Vista/7-style install: {bootmgr} -> one loader -> its
# resume object, plus {memdiag}.  Every device names the OLD disk, but
# {bootmgr}'s when BCD_BOOTMGR_DEVICE (hex) is set.
BCD_BOOTMGR_DEVICE=
emit_bcd_reg() {
  local sys_dev win_dev loader resume ext memtest description
  case $G_BCD in
  sysres)
    sys_dev=$(bcd_device_mbr_hex "$WIN7_SYSRES_OLD_SIG" "$WIN7_SYSRES_P1_OFFSET")
    win_dev=$(bcd_device_mbr_hex "$WIN7_SYSRES_OLD_SIG" "$WIN7_SYSRES_P2_OFFSET")
    loader=$WIN7_SYSRES_LOADER_GUID resume=$WIN7_SYSRES_RESUME_GUID
    ext=exe memtest='\boot\memtest.exe' description='Windows 7'
    ;;
  gpt)
    sys_dev=$(bcd_device_gpt_hex "$WIN10_GPT_OLD_DISK_GUID" "$WIN10_GPT_OLD_ESP_GUID")
    win_dev=$(bcd_device_gpt_hex "$WIN10_GPT_OLD_DISK_GUID" "$WIN10_GPT_OLD_WIN_GUID")
    loader=$WIN10_GPT_LOADER_GUID resume=$WIN10_GPT_RESUME_GUID
    ext=efi memtest='\EFI\Microsoft\Boot\memtest.efi' description='Windows 10'
    ;;
  *) die "no BCD store for G_BCD=$G_BCD" ;;
  esac
  reg_begin 'HKEY_LOCAL_MACHINE\BCD00000000'
  reg_key Description
  reg_sz KeyName BCD00000000

  bcd_object "$BCD_BOOTMGR_GUID" 0x10100002
  bcd_device 11000001 "${BCD_BOOTMGR_DEVICE:-$sys_dev}"
  if [[ $ext == efi ]]; then
    bcd_string 12000002 '\EFI\Microsoft\Boot\bootmgfw.efi'
  fi
  bcd_string 12000004 'Windows Boot Manager'
  bcd_string 12000005 en-US
  bcd_ref 23000003 "$loader"
  bcd_list 24000001 "$loader"
  bcd_integer 25000004 30

  bcd_object "$loader" 0x10200003
  bcd_device 11000001 "${G_BCD_LOADER_DEVICE:-$win_dev}"
  bcd_string 12000002 "\\Windows\\system32\\winload.$ext"
  bcd_string 12000004 "$description"
  bcd_device 21000001 "${G_BCD_LOADER_DEVICE:-$win_dev}"
  bcd_string 22000002 '\Windows'
  # resumeobject of an OS loader (ReactOS bcd.h
  # BcdOSLoaderObject_AssociatedResumeObject); 23000006 is {bootmgr}'s.
  bcd_ref 23000003 "$resume"

  bcd_object "$resume" 0x10200004
  bcd_device 11000001 "$win_dev"
  bcd_string 12000002 "\\Windows\\system32\\winresume.$ext"
  bcd_string 12000004 'Windows Resume Application'
  bcd_device 21000001 "$win_dev"
  bcd_string 22000002 '\hiberfil.sys'

  bcd_object "$BCD_MEMDIAG_GUID" 0x10200005
  bcd_device 11000001 "$sys_dev"
  bcd_string 12000002 "$memtest"
  bcd_string 12000004 'Windows Memory Diagnostic'
}

# ---- host-side guest trees -------------------------------------------------

make_hive() {
  local file=$1 prefix=$2 regfile=$3
  "$mkhive" "$file"
  hivexregedit --merge --prefix "$prefix" "$file" "$regfile" ||
    die "hivexregedit failed on $regfile"
}

# write_boot_ini FILE PARTITION: the ARC paths name partition(PARTITION);
# the entry is G_BOOT_INI_TITLE with G_BOOT_INI_OPTIONS.
write_boot_ini() {
  local arc="multi(0)disk(0)rdisk(0)partition($2)\\WINDOWS"
  printf '%s\r\n' '[boot loader]' 'timeout=30' \
    "default=$arc" \
    '[operating systems]' \
    "$arc=\"$G_BOOT_INI_TITLE\" $G_BOOT_INI_OPTIONS" \
    >"$1"
}

# make_dirty_system NAME CONFIGDIR: CONFIGDIR/SYSTEM becomes a dirty
# primary whose SYSTEM.LOG1 leads to the same hive with G_LOGGED_START
# (SYSTEM.LOG2 is empty, as Windows often leaves it).
make_dirty_system() {
  local name=$1 config=$2 logged=$work/$name.logged
  (
    for kv in $G_LOGGED_START; do
      G_START[${kv%%=*}]=${kv#*=}
    done
    emit_system_reg
  ) >"$logged.reg"
  make_hive "$logged" 'HKEY_LOCAL_MACHINE\SYSTEM' "$logged.reg"
  "$mkhive" --dirty "$config/SYSTEM" "$logged" "$work/$name.dirty" ||
    die "mkhive --dirty failed for $name"
  mv -f "$work/$name.dirty" "$config/SYSTEM"
  mv -f "$work/$name.dirty.LOG1" "$config/SYSTEM.LOG1"
  mv -f "$work/$name.dirty.LOG2" "$config/SYSTEM.LOG2"
}

build_windows_tree() {
  local name=$1 tree=$2 sys32 drv
  sys32=$tree/$G_SYSROOT/$G_SYS32
  mkdir -p "$sys32/config" "$sys32/drivers"
  "$mkhive" "$G_PE" "$sys32/cmd.exe"

  emit_system_reg >"$work/$name.system.reg"
  emit_software_reg >"$work/$name.software.reg"
  make_hive "$sys32/config/SYSTEM" 'HKEY_LOCAL_MACHINE\SYSTEM' "$work/$name.system.reg"
  make_hive "$sys32/config/SOFTWARE" 'HKEY_LOCAL_MACHINE\SOFTWARE' "$work/$name.software.reg"
  if [[ -n $G_TRUNCATE_SYSTEM ]]; then
    truncate -s "$G_TRUNCATE_SYSTEM" "$sys32/config/SYSTEM"
  fi
  if [[ -n $G_LOGGED_START ]]; then
    make_dirty_system "$name" "$sys32/config"
  fi

  for drv in $G_DRIVERS; do
    printf 'phony %s.sys\n' "$drv" >"$sys32/drivers/$drv.sys"
  done
  for drv in $G_LOADERS; do
    printf 'phony %s\n' "$drv" >"$sys32/$drv"
  done
  case $G_BOOT in
  bootmgr)
    printf 'phony bootmgr\n' >"$tree/bootmgr"
    mkdir -p "$tree/Boot"
    ;;
  ntldr)
    printf 'phony ntldr\n' >"$tree/ntldr"
    printf 'phony ntdetect\n' >"$tree/ntdetect.com"
    write_boot_ini "$tree/boot.ini" "$G_BOOT_INI_PART"
    ;;
  esac
  if [[ -n $G_EXTRA_DIRS ]]; then
    mkdir -p "$tree/$G_EXTRA_DIRS"
  fi
  if [[ -n $G_DRIVER_CACHE ]]; then
    python3 "$script_dir/make-driver-cache.py" \
      "$tree/$G_SYSROOT/Driver Cache/i386" ||
      die "make-driver-cache.py failed for $name"
  fi
  if [[ -n $G_HIBERNATED ]]; then
    { printf 'HIBR'; head -c 4092 /dev/zero; } >"$tree/hiberfil.sys"
  fi
}

# The partition bootmgr loads from: "System Reserved" (BIOS) or the ESP
# (UEFI), with the BCD store.
build_boot_tree() {
  local name=$1 tree=$2 dir
  case $G_BCD in
  sysres)
    dir=$tree/Boot
    mkdir -p "$dir"
    printf 'phony bootmgr\n' >"$tree/bootmgr"
    printf 'phony memtest.exe\n' >"$dir/memtest.exe"
    ;;
  gpt)
    dir=$tree/EFI/Microsoft/Boot
    mkdir -p "$dir" "$tree/EFI/Boot"
    if [[ -z $G_NO_BOOTMGFW ]]; then
      printf 'phony bootmgfw.efi\n' >"$dir/bootmgfw.efi"
    fi
    printf 'phony memtest.efi\n' >"$dir/memtest.efi"
    printf 'phony bootx64.efi\n' >"$tree/EFI/Boot/bootx64.efi"
    ;;
  esac
  emit_bcd_reg >"$work/$name.bcd.reg"
  make_hive "$dir/BCD" 'HKEY_LOCAL_MACHINE\BCD00000000' "$work/$name.bcd.reg"
  if [[ -n $G_DIRTY_BCD_BOOTMGR ]]; then
    make_dirty_bcd "$name" "$dir"
  fi
}

# make_dirty_bcd NAME DIR: DIR/BCD becomes a dirty primary whose {bootmgr}
# device is G_DIRTY_BCD_BOOTMGR; DIR/BCD.LOG1 leads back to the store
# DIR/BCD held (BCD.LOG2 is empty).
make_dirty_bcd() {
  local name=$1 dir=$2 primary=$work/$name.bcd-primary
  BCD_BOOTMGR_DEVICE=$G_DIRTY_BCD_BOOTMGR emit_bcd_reg >"$primary.reg"
  make_hive "$primary" 'HKEY_LOCAL_MACHINE\BCD00000000' "$primary.reg"
  "$mkhive" --dirty "$primary" "$dir/BCD" "$work/$name.bcd-dirty" ||
    die "mkhive --dirty failed for the BCD store of $name"
  mv -f "$work/$name.bcd-dirty" "$dir/BCD"
  mv -f "$work/$name.bcd-dirty.LOG1" "$dir/BCD.LOG1"
  mv -f "$work/$name.bcd-dirty.LOG2" "$dir/BCD.LOG2"
}

build_data_tree() {
  local tree=$1
  mkdir -p "$tree/data" "$tree/photos"
  printf 'This disk holds no operating system.\r\n' >"$tree/README.TXT"
  printf 'id,value\r\n1,42\r\n' >"$tree/data/numbers.csv"
}

# The tree goes into the image with one tar-in.  Root-owned, sorted and with
# a fixed mtime so that the archive does not depend on the build host.
pack_tree() {
  local tree=$1 tar=$2
  tar -C "$tree" --owner=0 --group=0 --numeric-owner --sort=name \
    --mtime=@1247529600 -cf "$tar" .
}

# ---- guestfish script ------------------------------------------------------

# guestfish double-quoted string: backslash escapes are interpreted.
gf_quote() {
  local s=${1//\\/\\\\}
  printf '"%s"' "${s//\"/\\\"}"
}

# Raw little-endian bytes of an integer: le_bytes VALUE NBYTES.
le_bytes() {
  local v=$1 n=$2 i
  for ((i = 0; i < n; i++)); do
    printf '%b' "\\x$(printf '%02x' $(((v >> (8 * i)) & 255)))"
  done
}

# CHS address of an LBA for a 255-head, 63-sector geometry; beyond its
# reach the conventional "use LBA" marker FE FF FF.
chs_bytes() {
  local lba=$1 c h s
  if ((lba >= 1024 * 255 * 63)); then
    printf '\xfe\xff\xff'
    return
  fi
  c=$((lba / (255 * 63)))
  h=$(((lba / 63) % 255))
  s=$((lba % 63 + 1))
  le_bytes "$h" 1
  le_bytes $((s | ((c >> 2) & 0xc0))) 1
  le_bytes $((c & 0xff)) 1
}

# Raw bytes of .reg-style hex ("0a,1b,..."): hex_bytes HEX.
hex_bytes() {
  local h=$1
  printf '%b' "\\x${h//,/\\x}"
}

# boot_code N: N bytes of phony x86 boot code (cli, xor ax,ax, then text
# and zeros), what a BIOS finds in the MBR and the active partition's
# boot sector of a real disk; the check of the boot chain tells code from
# zeros and from mkntfs' "not a bootable disk" stub, not one code from
# another (docs/boot-chain-check.md, "BIOS").
boot_code() {
  local text='phony boot code (tests/phony/build-guests.sh)'
  printf '\xfa\x33\xc0%s' "$text"
  head -c $(($1 - 3 - ${#text})) /dev/zero
}

# A fresh sparse disk of SECTORS sectors with an MBR: the disk signature and
# up to four primary partitions, each "STATUS TYPE START COUNT" (0x80 =
# active).  Written on the host: part-init/-add/-set-bootable/-set-mbr-id
# in the appliance cost ~6 s per disk under TCG and doubled the build time.
write_mbr() {
  local img=$1 sig=$2 sectors=$3 entry status type start count
  shift 3
  {
    boot_code 440
    le_bytes "$sig" 4
    le_bytes 0 2
    for entry in "$@"; do
      read -r status type start count <<<"$entry"
      le_bytes "$status" 1
      chs_bytes "$start"
      le_bytes "$type" 1
      chs_bytes $((start + count - 1))
      le_bytes "$start" 4
      le_bytes "$count" 4
    done
    head -c $((16 * (4 - $#))) /dev/zero # unused partition entries
    printf '\x55\xaa'
  } >"$img"
  truncate -s $((sectors * 512)) "$img"
}

# The classic guest: one bootable NTFS (type 07) partition from PART_START
# to the end of a DISK_SECTORS disk.
write_disk() {
  write_mbr "$1" "$2" "$DISK_SECTORS" \
    "0x80 0x07 $PART_START $((DISK_SECTORS - PART_START))"
}

# CRC-32 of a file (the GPT's, which is gzip's): gzip ends with it, LE.
crc32_file() {
  gzip -c <"$1" | tail -c 8 | od -An -tu4 -N4 | tr -d ' \n'
}

# GPT header (UEFI spec 5.3), 92 bytes: gpt_header SECTORS DISK_GUID
# MY_LBA ALTERNATE_LBA ENTRIES_LBA ENTRIES_CRC HEADER_CRC.
gpt_header() {
  local sectors=$1 guid=$2 my=$3 alt=$4 entries=$5 ecrc=$6 hcrc=$7
  printf 'EFI PART'
  le_bytes 0x00010000 4 # revision 1.0
  le_bytes 92 4
  le_bytes "$hcrc" 4
  le_bytes 0 4
  le_bytes "$my" 8
  le_bytes "$alt" 8
  le_bytes 34 8                  # first usable LBA
  le_bytes $((sectors - 34)) 8   # last usable LBA
  hex_bytes "$(guid_hex "$guid")"
  le_bytes "$entries" 8
  le_bytes 128 4 # number of entries
  le_bytes 128 4 # entry size
  le_bytes "$ecrc" 4
}

# Writes one GPT header sector into IMG at LBA MY (CRC filled in).
write_gpt_header() {
  local img=$1 sectors=$2 guid=$3 my=$4 alt=$5 entries=$6 ecrc=$7 tmp crc
  tmp=$work/gpt-header.bin
  gpt_header "$sectors" "$guid" "$my" "$alt" "$entries" "$ecrc" 0 >"$tmp"
  crc=$(crc32_file "$tmp")
  {
    gpt_header "$sectors" "$guid" "$my" "$alt" "$entries" "$ecrc" "$crc"
    head -c $((512 - 92)) /dev/zero
  } >"$tmp"
  dd if="$tmp" of="$img" bs=512 seek="$my" conv=notrunc status=none
}

# A fresh sparse GPT disk, on the host like the MBRs: a protective MBR, the
# primary header and 128-entry array at LBA 1-33, the backup array and
# header in the last 33 sectors.  Partitions are "TYPE_GUID UNIQUE_GUID
# START COUNT NAME..." (name: ASCII, stored as UTF-16LE); attributes 0.
write_gpt() {
  local img=$1 sectors=$2 disk_guid=$3 part type uniq start count name
  local entries=$work/gpt-entries.bin ecrc
  shift 3
  for part in "$@"; do
    read -r type uniq start count name <<<"$part"
    hex_bytes "$(guid_hex "$type")"
    hex_bytes "$(guid_hex "$uniq")"
    le_bytes "$start" 8
    le_bytes $((start + count - 1)) 8
    le_bytes 0 8
    hex_bytes "$(utf16le_hex "$name")"
    head -c $((72 - 2 * ${#name})) /dev/zero
  done >"$entries"
  truncate -s $((128 * 128)) "$entries"
  ecrc=$(crc32_file "$entries")
  # Protective MBR: one type EE entry over the whole disk, signature 0.
  write_mbr "$img" 0 "$sectors" "0x00 0xee 1 $((sectors - 1))"
  write_gpt_header "$img" "$sectors" "$disk_guid" 1 $((sectors - 1)) 2 "$ecrc"
  dd if="$entries" of="$img" bs=512 seek=2 conv=notrunc status=none
  dd if="$entries" of="$img" bs=512 seek=$((sectors - 33)) conv=notrunc status=none
  write_gpt_header "$img" "$sectors" "$disk_guid" $((sectors - 1)) 1 \
    $((sectors - 33)) "$ecrc"
}

# The empty disk of the current guest (G_DISK, G_SECTORS, ...).
write_image() {
  local img=$1
  case $G_DISK in
  mbr) write_disk "$img" "$G_SIGNATURE" ;;
  sysres)
    write_mbr "$img" "$G_SIGNATURE" "$G_SECTORS" \
      "0x80 0x07 $WIN7_SYSRES_P1_START $WIN7_SYSRES_P1_SECTORS" \
      "0x00 0x07 $WIN7_SYSRES_P2_START $WIN7_SYSRES_P2_SECTORS"
    ;;
  gpt)
    write_gpt "$img" "$G_SECTORS" "$G_GPT_DISK_GUID" \
      "$GPT_TYPE_ESP $G_GPT_ESP_GUID $WIN10_GPT_P1_START $WIN10_GPT_P1_SECTORS EFI system partition" \
      "$GPT_TYPE_MSR $G_GPT_MSR_GUID $WIN10_GPT_P2_START $WIN10_GPT_P2_SECTORS Microsoft reserved partition" \
      "$GPT_TYPE_BASIC_DATA $G_GPT_WIN_GUID $WIN10_GPT_P3_START $WIN10_GPT_P3_SECTORS Basic data partition"
    ;;
  *) die "unknown disk layout $G_DISK" ;;
  esac
}

emit_guest_commands() {
  local name=$1 dev=$2 tar=$3
  cat <<EOF
# ---- $name on $dev
echo @@GUEST $name
mkfs ntfs ${dev}1 $(gf_quote "label:$name")
mount ${dev}1 /
tar-in $(gf_quote "$tar") /
umount /
EOF
}

# emit_fill PARTITION FSTYPE LABEL TAR [PARTUUID]: make a file system and
# unpack TAR.  FAT32 for the ESP: "mkfs vfat" makes FAT16 at 100 MiB and
# cannot be told otherwise, so mkfs.fat runs through the daemon's "debug
# sh".  That shell sees the appliance's own device names, which are not
# always guestfish's (with 16 disks they are off by one), so it finds the
# partition by its GPT PARTUUID.
emit_fill() {
  local part=$1 fstype=$2 label=$3 tar=$4 uuid=${5:-}
  case $fstype in
  ntfs) echo "mkfs ntfs $part $(gf_quote "label:$label")" ;;
  fat32)
    [[ -n $uuid ]] || die "emit_fill: FAT32 needs the partition's PARTUUID"
    echo "debug sh $(gf_quote "dev=\$(blkid -l -o device -t PARTUUID=$uuid) && mkfs.fat -F 32 \"\$dev\" >/dev/null")"
    ;;
  *) die "emit_fill: unknown file system $fstype" ;;
  esac
  cat <<EOF
mount $part /
tar-in $(gf_quote "$tar") /
umount /
EOF
}

# A GUID as blkid prints a GPT PARTUUID: lower case, no braces.
gpt_partuuid() {
  local g=${1#\{}
  g=${g%\}}
  echo "${g,,}"
}

# Guestfish commands filling the current guest's disk DEV.
emit_disk_commands() {
  local name=$1 dev=$2 tar=$3 boot_tar=$4
  case $G_DISK in
  mbr) emit_guest_commands "$name" "$dev" "$tar" ;;
  sysres)
    printf '# ---- %s on %s\necho @@GUEST %s\n' "$name" "$dev" "$name"
    emit_fill "${dev}1" ntfs 'System Reserved' "$boot_tar"
    emit_fill "${dev}2" ntfs "$name" "$tar"
    ;;
  gpt)
    # The MSR (partition 2) has no file system.
    printf '# ---- %s on %s\necho @@GUEST %s\n' "$name" "$dev" "$name"
    emit_fill "${dev}1" fat32 '' "$boot_tar" "$(gpt_partuuid "$G_GPT_ESP_GUID")"
    emit_fill "${dev}3" ntfs "$name" "$tar"
    ;;
  esac
}

# patch_ntfs_geometry IMG PART_START HIDDEN HEADS SPT: rewrite sectors per
# track (0x18), heads (0x1A) and hidden sectors (0x1C) in the NTFS boot
# sector at partition sector 0 and in its backup at total_sectors (0x28) x
# bytes_per_sector (0x0B) from the partition start (docs/boot-formats.md,
# "NTFS boot sector").
patch_ntfs_geometry() {
  local img=$1 base=$(($2 * 512)) hidden=$3 heads=$4 spt=$5 bps total at
  bps=$(od -An -tu2 -j $((base + 0x0b)) -N2 "$img" | tr -d ' ')
  total=$(od -An -tu8 -j $((base + 0x28)) -N8 "$img" | tr -d ' ')
  for at in "$base" $((base + total * bps)); do
    [[ $(od -An -c -j $((at + 3)) -N4 "$img" | tr -d ' ') == NTFS ]] ||
      die "$img: no NTFS boot sector at byte $at"
    { le_bytes "$spt" 2; le_bytes "$heads" 2; le_bytes "$hidden" 4; } |
      dd of="$img" bs=1 seek=$((at + 0x18)) conv=notrunc status=none
  done
}

# patch_vbr_code IMG PART_START: the boot code of the NTFS boot sector at
# sector PART_START and of its backup (0x54 to 0x1FD), where mkntfs
# leaves its "This is not a bootable disk" stub, becomes phony code, as
# Windows' code would be there.
patch_vbr_code() {
  local img=$1 base=$(($2 * 512)) bps total at
  bps=$(od -An -tu2 -j $((base + 0x0b)) -N2 "$img" | tr -d ' ')
  total=$(od -An -tu8 -j $((base + 0x28)) -N8 "$img" | tr -d ' ')
  for at in "$base" $((base + total * bps)); do
    [[ $(od -An -c -j $((at + 3)) -N4 "$img" | tr -d ' ') == NTFS ]] ||
      die "$img: no NTFS boot sector at byte $at"
    boot_code $((0x1fe - 0x54)) |
      dd of="$img" bs=1 seek=$((at + 0x54)) conv=notrunc status=none
  done
}

# Libvirt domain of the current guest (G_MACHINE, G_TARGET, G_BUS,
# G_FIRMWARE); the path is XML-escaped for the single-quoted attribute.
write_domain_xml() {
  local name=$1 img=$2 path os='<os>'
  path=${img//&/&amp;}
  path=${path//</&lt;}
  path=${path//>/&gt;}
  path=${path//\'/&apos;}
  if [[ -n $G_FIRMWARE ]]; then
    os="<os firmware='$G_FIRMWARE'>"
  fi
  cat >"$3" <<EOF
<domain type='kvm'>
  <name>$name</name>
  <memory unit='MiB'>1024</memory>
  <vcpu>1</vcpu>
  $os
    <type arch='x86_64' machine='$G_MACHINE'>hvm</type>
    <boot dev='hd'/>
  </os>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='$path'/>
      <target dev='$G_TARGET' bus='$G_BUS'/>
    </disk>
  </devices>
</domain>
EOF
}

# ---- facts and file lists ---------------------------------------------------

# The osinfo id libguestfs (1.48, lib/inspect-osinfo.c) derives from the
# version, the product name and the variant (InstallationType).
guest_osinfo() {
  local major=$1 minor=$2 product=$3 variant=$4 server=no
  [[ $variant == *Server* ]] && server=yes
  case $major.$minor.$server in
  5.1.*) echo winxp ;;
  5.2.*)
    case $product in
    *XP*) echo winxp ;;
    *R2*) echo win2k3r2 ;;
    *) echo win2k3 ;;
    esac
    ;;
  6.0.no) echo winvista ;;
  6.0.yes) echo win2k8 ;;
  6.1.no) echo win7 ;;
  6.1.yes) echo win2k8r2 ;;
  6.2.no) echo win8 ;;
  6.2.yes) echo win2k12 ;;
  6.3.no) echo win8.1 ;;
  6.3.yes) echo win2k12r2 ;;
  10.0.no) echo win10 ;;
  10.0.yes)
    case $product in
    *2022*) echo win2k22 ;;
    *2019*) echo win2k19 ;;
    *) echo win2k16 ;;
    esac
    ;;
  *) echo unknown ;;
  esac
}

# NAME.facts: what "guestfish inspect-get-KEY" says about the current
# guest, as a GKeyFile ([inspection] KEY=VALUE).  The version comes from
# CurrentMajor/MinorVersionNumber when set, else from CurrentVersion; the
# variant is InstallationType ("unknown" without it); the arch is
# cmd.exe's.
write_facts() {
  local name=$1 major minor variant arch current
  major=${G_MAJOR:-${G_VERSION%.*}}
  minor=${G_MINOR:-${G_VERSION#*.}}
  variant=${G_INSTALL_TYPE:-unknown}
  arch=x86_64
  [[ $G_PE == --pe32 ]] && arch=i386
  read -r current _ <<<"$G_SELECT"
  printf '%s\n' \
    "# libguestfs inspection of the phony guest $name (build-guests.sh)" \
    '[inspection]' \
    "product-name=$G_PRODUCT" \
    "product-variant=$variant" \
    "major-version=$major" \
    "minor-version=$minor" \
    "arch=$arch" \
    "osinfo=$(guest_osinfo "$major" "$minor" "$G_PRODUCT" "$variant")" \
    "windows-systemroot=/$G_SYSROOT" \
    "windows-current-control-set=$(printf 'ControlSet%03d' "$current")" \
    "hostname=${G_HOSTNAME[$current]}"
}

# NAME.files: every file under the Windows directory, relative to it,
# with backslashes ("System32\drivers\atapi.sys"), in byte order.
write_file_list() {
  (cd "$1/$G_SYSROOT" && find . -type f -printf '%P\n') |
    tr / '\134' | LC_ALL=C sort
}

# NAME.facts and NAME.files of the current guest, into $work.
write_guest_info() {
  write_facts "$1" >"$work/$1.facts"
  write_file_list "$2" >"$work/$1.files"
}

# copy_cabinets WINDIR DEST: every *.cab under WINDIR, at the same path
# under DEST (nothing, not even DEST, when there is none).
copy_cabinets() {
  local rel
  while IFS= read -r rel; do
    mkdir -p "$2/$(dirname "$rel")"
    cp "$1/$rel" "$2/$rel"
  done < <(cd "$1" && find . -type f -iname '*.cab' -printf '%P\n')
}

# --hives: the hives, facts and file lists of every Windows guest.
build_hives() {
  local name tree config n=0 out
  local -a built=()
  say "Building the hives of the Windows guests"
  for name in "${GUESTS[@]}"; do
    describe_guest "$name"
    [[ $G_KIND == windows ]] || continue
    tree=$work/$name.tree
    mkdir -p "$tree"
    build_windows_tree "$name" "$tree"
    write_guest_info "$name" "$tree"
    config=$tree/$G_SYSROOT/$G_SYS32/config
    cp "$config/SYSTEM" "$work/$name.SYSTEM"
    cp "$config/SOFTWARE" "$work/$name.SOFTWARE"
    copy_cabinets "$tree/$G_SYSROOT" "$work/$name.cabinets"
    built+=("$name")
  done
  for name in "${built[@]}"; do
    for out in $(guest_outputs "$name"); do
      mv -f "$work/$out" "$outdir/$out"
    done
    rm -rf "${outdir:?}/$name.cabinets"
    if [[ -d $work/$name.cabinets ]]; then
      mv "$work/$name.cabinets" "$outdir/$name.cabinets"
    fi
    n=$((n + 1))
  done
  touch "$outdir/$stamp_name"
  say "Done: the hives of $n Windows guests in $outdir"
}

# ---- main ------------------------------------------------------------------

setup
if [[ $mode == hives ]]; then
  build_hives
  exit 0
fi

say "Building hives and file trees for ${#GUESTS[@]} guests"
gf_add=$work/add.gf
gf_body=$work/body.gf
: >"$gf_add"
: >"$gf_body"
letters=abcdefghijklmnopqrstuvwxyz
((${#GUESTS[@]} <= ${#letters})) || die "too many guests for one appliance"
i=0
for name in "${GUESTS[@]}"; do
  describe_guest "$name"
  tree=$work/$name.tree
  mkdir -p "$tree"
  if [[ $G_KIND == windows ]]; then
    build_windows_tree "$name" "$tree"
    write_guest_info "$name" "$tree"
  else
    build_data_tree "$tree"
  fi
  pack_tree "$tree" "$work/$name.tar"
  if [[ -n $G_BCD ]]; then
    mkdir -p "$tree.boot"
    build_boot_tree "$name" "$tree.boot"
    pack_tree "$tree.boot" "$work/$name.boot.tar"
  fi
  write_image "$work/$name.img"
  echo "add $(gf_quote "$work/$name.img") format:raw" >>"$gf_add"
  emit_disk_commands "$name" "/dev/sd${letters:i:1}" "$work/$name.tar" \
    "$work/$name.boot.tar" >>"$gf_body"
  i=$((i + 1))
done

# Copy guestfish's output to the log, turning our markers into progress
# lines as they arrive.
log_progress() {
  local line
  while IFS= read -r line; do
    printf '%s\n' "$line" >>"$1"
    case $line in
    @@LAUNCHED@@) say "Appliance launched" ;;
    '@@GUEST '*) say "Filling ${line#@@GUEST }" ;;
    esac
  done
}

# The markers also tell a launch failure (skip) from a failure of ours.
run_guestfish() {
  {
    cat "$gf_add"
    echo 'echo @@ADDED@@'
    echo 'launch'
    echo 'echo @@LAUNCHED@@'
    cat "$gf_body"
  } >"$work/build.gf"
  : >"$work/guestfish.log"
  guestfish --no-progress-bars -f "$work/build.gf" 2>&1 |
    log_progress "$work/guestfish.log"
}

# 0: disks built; 1: guestfish failed; 2: the appliance did not launch.
build_disks() {
  run_guestfish && return 0
  if ! grep -q '^@@ADDED@@' "$work/guestfish.log"; then
    cat "$work/guestfish.log" >&2
    die "guestfish failed before launch"
  fi
  grep -q '^@@LAUNCHED@@' "$work/guestfish.log" || return 2
  cat "$work/guestfish.log" >&2
  return 1
}

say "Launching the appliance for ${#GUESTS[@]} disks"
status=0
build_disks || status=$?
# Where /dev/kvm exists but does not work, the launch fails at once; fall
# back to software emulation as the other tools of this project do.
if ((status == 2)) && [[ ${LIBGUESTFS_BACKEND_SETTINGS:-} != *force_tcg* ]]; then
  say "Launch failed, retrying with LIBGUESTFS_BACKEND_SETTINGS=force_tcg"
  export LIBGUESTFS_BACKEND_SETTINGS=${LIBGUESTFS_BACKEND_SETTINGS:+$LIBGUESTFS_BACKEND_SETTINGS:}force_tcg
  status=0
  build_disks || status=$?
fi
case $status in
0) ;;
2)
  tail -n 20 "$work/guestfish.log" >&2
  skip "guestfish cannot launch an appliance; run libguestfs-test-tool to see why"
  ;;
*) die "guestfish failed while building the disks" ;;
esac

say "Installing images into $outdir"
for name in "${GUESTS[@]}"; do
  describe_guest "$name"
  if [[ -n $G_NTFS_GEOMETRY ]]; then
    # shellcheck disable=SC2086 # HIDDEN HEADS SPT
    patch_ntfs_geometry "$work/$name.img" "$PART_START" $G_NTFS_GEOMETRY
  fi
  # The active partition is the first one on the MBR disks.
  if [[ $G_DISK != gpt ]]; then
    patch_vbr_code "$work/$name.img" "$PART_START"
  fi
  mv -f "$work/$name.img" "$outdir/$name.img"
  write_domain_xml "$name" "$outdir/$name.img" "$work/$name.xml"
  mv -f "$work/$name.xml" "$outdir/$name.xml"
  if [[ $G_KIND == windows ]]; then
    mv -f "$work/$name.facts" "$work/$name.files" "$outdir/"
  fi
done
touch "$outdir/$stamp_name"
say "Done: ${#GUESTS[@]} guests in $outdir"
