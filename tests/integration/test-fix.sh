#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# End-to-end tests of virt-bootfix on the phony guests (tests/phony).
#
# Appliance launches are the cost here (~15 s each under TCG), so the
# cases run one after another on copies of the cached phony images, and
# every resulting hive is fetched in ONE guestfish launch at the end to be
# checked value by value.
#
# Environment (set by meson): VIRT_BOOTFIX, BUILD_GUESTS, MKHIVE,
# PHONY_DIR, HIVE_DIFF, BOOTFIX_MODULEDIR, VERIFY_FAILS_MODULE (a test
# module whose verify fails).  Exit 77 when no appliance can start.
set -euo pipefail

: "${VIRT_BOOTFIX:?}" "${BUILD_GUESTS:?}" "${PHONY_DIR:?}" "${HIVE_DIFF:?}"
: "${BOOTFIX_MODULEDIR:?}" "${VERIFY_FAILS_MODULE:?}"
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh" it

# ---- phony guests (built once, cached in PHONY_DIR) ----
build_phony_guests

# prepare NAME [COPY]: a private copy of a phony guest and its domain XML.
prepare() {
  local name=$1 copy=${2:-$1}
  cp --sparse=always "$PHONY_DIR/$name.img" "$work/$copy.img"
  sed -e "s|<name>[^<]*</name>|<name>$copy</name>|" \
      -e "s|$PHONY_DIR/$name.img|$work/$copy.img|" \
      "$PHONY_DIR/$name.xml" > "$work/$copy.xml"
}

sum() { sha256sum "$1" | cut -d' ' -f1; }

# json_get CASE JQ-FILTER
json_get() { jq -r "$2" "$work/$1.json"; }

# ---- the cases ----

# --dry-run: plan shown, image byte-identical.
prepare win7 win7-dry
before=$(sum "$work/win7-dry.img")
if bootfix dry-run 0 --dry-run --domain "$work/win7-dry.xml"; then
  expect_eq "dry-run status" "$(json_get dry-run '.guests[0].status')" would-fix
  expect_eq "dry-run image unchanged" "$(sum "$work/win7-dry.img")" "$before"
  expect_grep "dry-run shows the intelide Start change" 'Services\\intelide\\Start: 3 -> 0' "$work/dry-run.out"
fi

# Windows 7 on pc/ide: intelide Start=0.
prepare win7
if bootfix win7 0 --domain "$work/win7.xml"; then
  expect_eq "win7 status" "$(json_get win7 '.guests[0].status')" fixed
  expect_eq "win7 controller" "$(json_get win7 '.guests[0].target.controller + " " + .guests[0].target.pci_id')" "piix3-ide 8086:7010"
  expect_eq "win7 os" "$(json_get win7 '.guests[0].os | "\(.major).\(.minor) \(.arch) \(.osinfo)"')" "6.1 x86_64 win7"
  expect_grep "win7 accelerator reported" '"accelerator" : "\(tcg\|kvm\)"' "$work/win7.json"
  journal=$(json_get win7 '.guests[0].journal')
  expect_eq "win7 journal kept next to the disk" "$(dirname "$journal")" "$work"
  expect_eq "win7 journal state" "$(jq -r .state "$journal/journal.json")" committed
fi

# Fix, then --undo: the whole image is byte-identical to before.
prepare win7 win7-undo
before=$(sum "$work/win7-undo.img")
if bootfix win7-undo 0 --domain "$work/win7-undo.xml"; then
  expect_eq "win7-undo image changed by the fix" "$([ "$(sum "$work/win7-undo.img")" != "$before" ] && echo yes)" yes
  if bootfix undo 0 --undo "$(json_get win7-undo '.guests[0].journal')"; then
    expect_eq "fix + undo leaves the image byte-identical" "$(sum "$work/win7-undo.img")" "$before"
  fi
  bootfix undo-again 1 --undo "$(json_get win7-undo '.guests[0].journal')" &&
    expect_grep "a second undo says so" 'already undone' "$work/undo-again.err"
fi

# Vista: the missing CriticalDeviceDatabase key is created.
prepare vista
bootfix vista 0 --domain "$work/vista.xml" &&
  expect_eq "vista status" "$(json_get vista '.guests[0].status')" fixed

# Already fixed: unchanged, byte-identical.
prepare win7-fixed
before=$(sum "$work/win7-fixed.img")
if bootfix win7-fixed 0 --domain "$work/win7-fixed.xml"; then
  expect_eq "win7-fixed status" "$(json_get win7-fixed '.guests[0].status')" unchanged
  expect_eq "win7-fixed actions" "$(json_get win7-fixed '.guests[0].actions | length')" 0
  expect_eq "win7-fixed image unchanged" "$(sum "$work/win7-fixed.img")" "$before"
fi

# Select\Current=2: ControlSet002 is the current set, fixed first.
prepare win7-cs2
if bootfix win7-cs2 0 --domain "$work/win7-cs2.xml"; then
  expect_eq "win7-cs2 first change" "$(json_get win7-cs2 '[.guests[0].actions[] | select(.value == "Start")][0].key')" \
    'HKLM\SYSTEM\ControlSet002\Services\intelide'
fi

# -a without XML, and a bus Windows 7 has no inbox driver for: refused.
prepare win7 win7-virtio
before=$(sum "$work/win7-virtio.img")
if bootfix virtio 3 -a "$work/win7-virtio.img" --machine pc --bus virtio; then
  expect_eq "virtio status" "$(json_get virtio '.guests[0].status')" refused
  expect_eq "virtio image unchanged" "$(sum "$work/win7-virtio.img")" "$before"
  expect_grep "virtio refusal says what to do" 'what to do' "$work/virtio.err"
fi

# The same with a virtio-win tree (a fake one: the layout of the ISO):
# viostor.sys is installed, with its service and CDDB keys.
mkdir -p "$work/virtio-win/viostor/w7/amd64"
printf 'phony viostor for w7 amd64\n' > "$work/virtio-win/viostor/w7/amd64/viostor.sys"
prepare win7 win7-vw
sed -i "s|dev='hda' bus='ide'|dev='vda' bus='virtio'|" "$work/win7-vw.xml"
if bootfix virtio-win 0 --virtio-win "$work/virtio-win" --domain "$work/win7-vw.xml"; then
  expect_eq "virtio-win status" "$(json_get virtio-win '.guests[0].status')" fixed
  expect_eq "virtio-win rule" "$(json_get virtio-win '.guests[0].rule')" nt5-6.1-virtio-blk-virtio-win
  expect_eq "virtio-win file action" \
    "$(json_get virtio-win '[.guests[0].actions[] | select(.kind == "file")][0].new')" \
    "27 bytes from virtio-win viostor/w7/amd64/viostor.sys"
fi

# Windows 10 binds a boot driver through DriverDatabase, not the CDDB.
mkdir -p "$work/virtio-win/viostor/w10/amd64"
printf 'phony viostor for w10 amd64\n' > "$work/virtio-win/viostor/w10/amd64/viostor.sys"
prepare win10 win10-vw
sed -i "s|dev='hda' bus='ide'|dev='vda' bus='virtio'|" "$work/win10-vw.xml"
if bootfix virtio-win-10 0 --virtio-win "$work/virtio-win" --domain "$work/win10-vw.xml"; then
  expect_eq "virtio-win 10 rule" "$(json_get virtio-win-10 '.guests[0].rule')" nt6.2-virtio-blk-virtio-win
fi

# Failures: exit 1, the message names guest and file, image untouched.
prepare nowin
before=$(sum "$work/nowin.img")
if bootfix nowin 1 --domain "$work/nowin.xml"; then
  expect_grep "nowin names the guest" 'guest nowin' "$work/nowin.err"
  expect_grep "nowin names the disk" "$work/nowin.img" "$work/nowin.err"
  expect_eq "nowin image unchanged" "$(sum "$work/nowin.img")" "$before"
fi

# A module whose verify finds the written guest wrong: the fix, written
# into the overlays, never reaches the disk (exit 1, byte-identical).
prepare win7 win7-verify
before=$(sum "$work/win7-verify.img")
mkdir "$work/modules"
# The build tree's plugin/<name>/ folders, and the test module beside them.
ln -s "$BOOTFIX_MODULEDIR"/*/ "$work/modules/"
ln -s "$VERIFY_FAILS_MODULE" "$work/modules/"
if BOOTFIX_MODULEDIR=$work/modules bootfix verify-fails 1 --domain "$work/win7-verify.xml"; then
  expect_grep "verify names the guest" 'guest win7-verify: the fix did not verify' "$work/verify-fails.err"
  expect_grep "verify gives the module's reason" 'the test module finds the guest wrong' "$work/verify-fails.err"
  expect_eq "verify-fails status" "$(json_get verify-fails '.guests[0].status')" error
  expect_eq "verify-fails image unchanged" "$(sum "$work/win7-verify.img")" "$before"
fi

prepare win7 missing
rm "$work/missing.img"
if bootfix missing 1 --domain "$work/missing.xml"; then
  expect_grep "missing disk names the guest" 'guest missing' "$work/missing.err"
  expect_grep "missing disk names the file" "$work/missing.img" "$work/missing.err"
fi

# A hibernated Windows (hiberfil.sys says HIBR) must not be written to.
prepare win7-hiber
before=$(sum "$work/win7-hiber.img")
if bootfix hiber 3 --domain "$work/win7-hiber.xml"; then
  expect_grep "hibernation is explained" 'hibernated' "$work/hiber.err"
  expect_eq "hibernated image unchanged" "$(sum "$work/win7-hiber.img")" "$before"
fi

# An image a running VM holds for writing: hold qemu's own write-permission
# lock (a shared OFD lock on byte 101) the way a running qemu does.
prepare win7 win7-locked
before=$(sum "$work/win7-locked.img")
/usr/bin/python3 - "$work/win7-locked.img" > "$work/lock.out" <<'PY' &
import fcntl, os, struct, sys, time
fd = os.open(sys.argv[1], os.O_RDWR)
fcntl.fcntl(fd, fcntl.F_OFD_SETLK, struct.pack("hhqqi", fcntl.F_RDLCK, 0, 101, 1, 0))
print("locked", flush=True)
time.sleep(300)
PY
locker=$!
for _ in $(seq 50); do grep -q locked "$work/lock.out" && break; sleep 0.1; done
if bootfix locked 3 --domain "$work/win7-locked.xml"; then
  expect_grep "an image in use is refused" 'in use by a running virtual machine' "$work/locked.err"
  expect_eq "image in use unchanged" "$(sum "$work/win7-locked.img")" "$before"
fi
kill "$locker" 2>/dev/null || true
wait "$locker" 2>/dev/null || true

# Hostile domain XML: sources that are symbolic links, climb with "..",
# or live on the network are refused (exit 3) before anything starts.
prepare win7 win7-link
ln -s "$work/win7-link.img" "$work/link-to-win7.img"
sed -i "s|$work/win7-link.img|$work/link-to-win7.img|" "$work/win7-link.xml"
bootfix symlink 3 --domain "$work/win7-link.xml" &&
  expect_grep "a symlinked source is refused" 'symbolic link' "$work/symlink.err"
sed -i "s|$work/link-to-win7.img|$work/../$(basename "$work")/win7-link.img|" "$work/win7-link.xml"
bootfix dotdot 3 --domain "$work/win7-link.xml" &&
  expect_grep "a source with .. is refused" "contains '..'" "$work/dotdot.err"
sed -e "s|<disk type='file' device='disk'>|<disk type='network' device='disk'>|" \
    -e "s|<source file='[^']*'/>|<source protocol='nbd' name='x'><host name='localhost'/></source>|" \
    "$PHONY_DIR/win7.xml" > "$work/net.xml"
bootfix network 3 --domain "$work/net.xml" &&
  expect_grep "a network disk is refused" 'no local source' "$work/network.err"

prepare win7-badhive
before=$(sum "$work/win7-badhive.img")
if bootfix badhive 1 --domain "$work/win7-badhive.xml"; then
  expect_grep "bad hive names the guest" 'guest win7-badhive' "$work/badhive.err"
  expect_grep "bad hive names the file" 'config/SYSTEM' "$work/badhive.err"
  expect_eq "bad hive image unchanged" "$(sum "$work/win7-badhive.img")" "$before"
fi

# A dirty SYSTEM from a live backup: the primary says intelide Start=0
# (looks fixed), its log says 3.  Without the replay this run would say
# "unchanged"; with it, the value is fixed, the hive written back clean
# and its non-empty log emptied (and reported).  A second run has
# nothing to do.
prepare win7-dirty
if bootfix win7-dirty 0 --domain "$work/win7-dirty.xml"; then
  expect_eq "win7-dirty status" "$(json_get win7-dirty '.guests[0].status')" fixed
  expect_eq "win7-dirty hive state" \
    "$(json_get win7-dirty '.guests[0].hives | map(.name + " " + .state) | join(",")')" "SYSTEM replayed"
  expect_grep "win7-dirty sees the logged Start" 'Services\\intelide\\Start: 3 -> 0' "$work/win7-dirty.out"
  expect_eq "win7-dirty log emptying reported" \
    "$(json_get win7-dirty '[.guests[0].actions[] | select(.kind == "file") | .target + " " + .new] | join(",")')" \
    "/Windows/System32/config/SYSTEM.LOG1 0 bytes"
  bootfix win7-dirty-again 0 --domain "$work/win7-dirty.xml" &&
    expect_eq "win7-dirty second run" "$(json_get win7-dirty-again '.guests[0].status')" unchanged
fi

# The same backup without its logs: refused, nothing written; with
# --discard-hive-logs the primary is taken as it is (it looks fixed).
prepare win7-dirty win7-nolog
guestfish -a "$work/win7-nolog.img" -m /dev/sda1 \
  rm /Windows/System32/config/SYSTEM.LOG1 : rm /Windows/System32/config/SYSTEM.LOG2
before=$(sum "$work/win7-nolog.img")
if bootfix nolog 3 --domain "$work/win7-nolog.xml"; then
  expect_eq "nolog status" "$(json_get nolog '.guests[0].status')" refused
  expect_eq "nolog hive state" "$(json_get nolog '.guests[0].hives[0].state')" dirty-logs-missing
  expect_grep "nolog names the guest and the hive" 'guest win7-nolog: registry hive SYSTEM' "$work/nolog.err"
  expect_grep "nolog names the option" 'discard-hive-logs' "$work/nolog.err"
  expect_eq "nolog image unchanged" "$(sum "$work/win7-nolog.img")" "$before"
fi
if bootfix nolog-discard 0 --discard-hive-logs --domain "$work/win7-nolog.xml"; then
  expect_eq "nolog-discard status" "$(json_get nolog-discard '.guests[0].status')" unchanged
  expect_grep "nolog-discard warns" 'warning: registry hive SYSTEM' "$work/nolog-discard.out"
fi

# Guests that were not fixed leave no journal behind.
for g in win7-dry win7-fixed win7-virtio nowin missing win7-badhive win7-link win7-hiber win7-locked win7-nolog; do
  left=$(find "$work" -maxdepth 1 -name "virt-bootfix-$g-*.journal" | wc -l)
  expect_eq "$g leaves no journal" "$left" 0
done

# ---- check the written hives, all in one appliance launch ----
fetched=(win7 vista win7-cs2 win7-vw win10-vw)
gf=(guestfish --ro)
script=""
i=0
for name in "${fetched[@]}"; do
  for src in "$PHONY_DIR/${name%-vw}.img" "$work/$name.img"; do
    dev="/dev/sd$(printf "\\x$(printf %x $((97 + i)))")1"
    gf+=(-a "$src")
    [ "$src" = "$work/$name.img" ] && out="$work/$name.after" || out="$work/$name.before"
    script+="mount $dev /
download /Windows/System32/config/SYSTEM $out
"
    [ "$out" = "$work/win7-vw.after" ] &&
      script+="download /Windows/System32/drivers/viostor.sys $work/viostor.got
"
    script+="umount /
"
    i=$((i + 1))
  done
done
# win7-dirty: its phony "before" is the dirty primary, which hivex reads
# without the log, so it is checked by value below, not by hive-diff.py.
dev="/dev/sd$(printf "\\x$(printf %x $((97 + i)))")1"
gf+=(-a "$work/win7-dirty.img")
script+="mount $dev /
download /Windows/System32/config/SYSTEM $work/win7-dirty.after
download /Windows/System32/config/SYSTEM.LOG1 $work/win7-dirty.log1
download /Windows/System32/config/SYSTEM.LOG2 $work/win7-dirty.log2
umount /
"
printf 'run\n%s' "$script" | "${gf[@]}"

hive_get() { hivexget "$work/$1.after" "$2" "$3"; }

cp "$work/virtio-win.json" "$work/win7-vw.json" 2>/dev/null || true
cp "$work/virtio-win-10.json" "$work/win10-vw.json" 2>/dev/null || true
for name in "${fetched[@]}"; do
  if [ -f "$work/$name.json" ] &&
     "$HIVE_DIFF" "$work/$name.before" "$work/$name.after" "$work/$name.json" "$name" > "$work/$name.diff"; then
    pass "$name: every hive change is in the report ($(tail -1 "$work/$name.diff"))"
  else
    fail "$name: hive changes and report differ"; sed 's/^/    /' "$work/$name.diff" || true
  fi
done

for cs in ControlSet001 ControlSet002; do
  expect_eq "win7 $cs intelide Start" "$(hive_get win7 "$cs\\Services\\intelide" Start)" 0
  expect_eq "win7 $cs pciide Start" "$(hive_get win7 "$cs\\Services\\pciide" Start)" 0
  expect_eq "win7-cs2 $cs intelide Start" "$(hive_get win7-cs2 "$cs\\Services\\intelide" Start)" 0
  key="$cs\\Control\\CriticalDeviceDatabase\\pci#ven_8086&dev_7010"
  expect_eq "vista $cs CDDB Service" "$(hive_get vista "$key" Service)" intelide
  expect_eq "vista $cs CDDB ClassGUID" "$(hive_get vista "$key" ClassGUID)" '{4D36E96A-E325-11CE-BFC1-08002BE10318}'
  expect_eq "vista $cs intelide Start" "$(hive_get vista "$cs\\Services\\intelide" Start)" 0
done
for cs in ControlSet001 ControlSet002; do
  expect_eq "win7-dirty $cs intelide Start" "$(hive_get win7-dirty "$cs\\Services\\intelide" Start)" 0
  expect_eq "win7-dirty $cs pciide Start" "$(hive_get win7-dirty "$cs\\Services\\pciide" Start)" 0
done
# Clean (both sequence numbers equal) and past the log; logs empty.
read -r seq1 seq2 < <(od -An -tu4 -j4 -N8 "$work/win7-dirty.after")
expect_eq "win7-dirty written clean" "$seq1" "$seq2"
expect_eq "win7-dirty sequence past the log" "$([ "$seq1" -gt 3 ] && echo yes)" yes
expect_eq "win7-dirty logs empty" "$(stat -c %s "$work/win7-dirty.log1") $(stat -c %s "$work/win7-dirty.log2")" "0 0"
expect_eq "win7 msahci untouched" "$(hive_get win7 'ControlSet001\Services\msahci' Start)" 0
for cs in ControlSet001 ControlSet002; do
  expect_eq "win7-vw $cs viostor Start" "$(hive_get win7-vw "$cs\\Services\\viostor" Start)" 0
  expect_eq "win7-vw $cs viostor Group" "$(hive_get win7-vw "$cs\\Services\\viostor" Group)" 'SCSI miniport'
  for id in 'pci#ven_1af4&dev_1001&rev_00' 'pci#ven_1af4&dev_1042&rev_01'; do
    key="$cs\\Control\\CriticalDeviceDatabase\\$id"
    expect_eq "win7-vw $cs CDDB $id" "$(hive_get win7-vw "$key" Service) $(hive_get win7-vw "$key" ClassGUID)" \
      'viostor {4D36E97B-E325-11CE-BFC1-08002BE10318}'
  done
done
ddb='DriverDatabase'
expect_eq "win10-vw viostor Start" "$(hive_get win10-vw 'ControlSet001\Services\viostor' Start)" 0
expect_eq "win10-vw DriverInfFiles Active" "$(hive_get win10-vw "$ddb\\DriverInfFiles\\guestor.inf" Active)" guestor.inf_tmp
expect_eq "win10-vw package service" \
  "$(hive_get win10-vw "$ddb\\DriverPackages\\guestor.inf_tmp\\Configurations\\guestor_conf" Service)" viostor
for id in 'VEN_1AF4&DEV_1001&REV_00' 'VEN_1AF4&DEV_1042&REV_01'; do
  expect_eq "win10-vw descriptor $id" \
    "$(hive_get win10-vw "$ddb\\DriverPackages\\guestor.inf_tmp\\Descriptors\\PCI\\$id" Configuration)" guestor_conf
  expect_eq "win10-vw device id $id" \
    "$(hivexregedit --export --prefix 'HKEY_LOCAL_MACHINE\SYSTEM' "$work/win10-vw.after" "\\$ddb\\DeviceIds\\PCI\\$id" | grep -c '"guestor.inf"=hex(3):01,ff,00,00')" 1
done
expect_eq "win7-vw viostor.sys is the tree's" "$(cat "$work/viostor.got" 2>/dev/null)" 'phony viostor for w7 amd64'

finish
