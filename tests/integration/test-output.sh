#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# --output DIR end to end on the phony guests: the source disks are only
# read (sha256), DIR gets overlays backed by them (or standalone images
# with --output-format) and NAME.xml, which libvirt's schema accepts;
# the fixed guests are read back through the results in one guestfish
# launch.  NAME.xml declares each overlay's backing chain, so a second
# run on it needs no --allow-unsafe-paths.  Seven virt-bootfix runs that
# launch an appliance, once each; the refusals launch none.
#
# Environment (set by meson): VIRT_BOOTFIX, BUILD_GUESTS, MKHIVE,
# PHONY_DIR, BOOTFIX_DATADIR, BOOTFIX_MODULEDIR.  Exit 77 when no
# appliance can start.
set -euo pipefail

: "${VIRT_BOOTFIX:?}" "${BUILD_GUESTS:?}" "${PHONY_DIR:?}"
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh" output

build_phony_guests

# prepare NAME COPY: a private copy of a phony guest and its domain XML.
prepare() {
  local name=$1 copy=$2
  cp --sparse=always "$PHONY_DIR/$name.img" "$work/$copy.img"
  sed -e "s|<name>[^<]*</name>|<name>$copy</name>|" \
      -e "s|$PHONY_DIR/$name.img|$work/$copy.img|" \
      "$PHONY_DIR/$name.xml" > "$work/$copy.xml"
  sha256sum "$work/$copy.img" > "$work/$copy.sum"
}

source_untouched() { # COPY
  if sha256sum --quiet -c "$work/$1.sum" > /dev/null 2>&1; then
    pass "$1: the source disk is byte-identical"
  else
    fail "$1: the source disk changed"
  fi
}

status() { jq -r ".guests[$2].status" "$work/$1.json"; }

validates() { # XML
  if ! command -v virt-xml-validate > /dev/null; then
    echo "SKIP: virt-xml-validate is missing (Debian: libvirt-clients); $1 not validated"
  elif virt-xml-validate "$1" domain > "$work/validate.out" 2>&1; then
    pass "$(basename "$1") passes virt-xml-validate"
  else
    fail "$(basename "$1") does not validate"; sed 's/^/    /' "$work/validate.out"
  fi
}

backing_of() { qemu-img info --output=json "$1" | jq -r '."backing-filename" // "none"'; }

# ---- --dry-run with --output: a plan, nothing written, DIR not made ----
prepare win7 w7dry
if bootfix dry 0 --dry-run --domain "$work/w7dry.xml" --output "$work/dry"; then
  expect_eq "dry-run status" "$(status dry 0)" would-fix
  expect_eq "dry-run made no output folder" "$([ -e "$work/dry" ] && echo yes || echo no)" no
fi
source_untouched w7dry

# ---- the default: overlays backed by the source ----
prepare win7 w7
if bootfix fix 0 --domain "$work/w7.xml" --output "$work/out"; then
  expect_eq "fix status" "$(status fix 0)" fixed
  expect_eq "fix report names NAME.xml" "$(jq -r '.guests[0].output' "$work/fix.json")" "$work/out/w7.xml"
  expect_eq "fix has no journal" "$(jq -r '.guests[0].journal' "$work/fix.json")" null
  expect_eq "the overlay's backing file is the source" "$(backing_of "$work/out/w7-hda.qcow2")" "$work/w7.img"
  expect_eq "the backing format is recorded" \
    "$(qemu-img info --output=json "$work/out/w7-hda.qcow2" | jq -r '."backing-filename-format"')" raw
  expect_eq "NAME.xml points at the overlay" \
    "$(xmllint --xpath 'string(//disk/source/@file)' "$work/out/w7.xml")" "$work/out/w7-hda.qcow2"
  expect_eq "NAME.xml says qcow2" "$(xmllint --xpath 'string(//disk/driver/@type)' "$work/out/w7.xml")" qcow2
  expect_eq "NAME.xml declares the source as the overlay's backing file" \
    "$(xmllint --xpath 'string(//disk/backingStore/source/@file)' "$work/out/w7.xml")" "$work/w7.img"
  expect_eq "NAME.xml declares its format" \
    "$(xmllint --xpath 'string(//disk/backingStore/format/@type)' "$work/out/w7.xml")" raw
  expect_eq "NAME.xml ends the chain there" \
    "$(xmllint --xpath 'count(//disk/backingStore/backingStore[not(node())])' "$work/out/w7.xml")" 1
  expect_eq "nothing else in DIR" "$(ls -A "$work/out" | tr '\n' ' ')" "w7-hda.qcow2 w7.xml "
  expect_eq "no journal next to the source" "$(find "$work" -maxdepth 1 -name '*.journal' | wc -l)" 0
  validates "$work/out/w7.xml"
fi
source_untouched w7

# Refused before any appliance: a DIR holding the result, a DIR that is
# the source's own file.
before=$(sha256sum "$work/out/w7.xml")
if bootfix again 3 --domain "$work/w7.xml" --output "$work/out"; then
  expect_grep "an earlier result is not overwritten" 'already exists' "$work/again.err"
  expect_eq "the earlier NAME.xml is as it was" "$(sha256sum "$work/out/w7.xml")" "$before"
fi
mkdir "$work/self"
ln "$work/w7.img" "$work/self/w7-hda.qcow2"
bootfix self 3 --domain "$work/w7.xml" --output "$work/self" &&
  expect_grep "an output that is the source is refused" "guest's own disk" "$work/self.err"
source_untouched w7

# A second run on the result has nothing to do, without
# --allow-unsafe-paths: the overlay's backing file (the source) lies
# outside DIR, but NAME.xml declares it.  In place (a real run, which
# writes nothing), then with --output again.
before=$(sha256sum "$work/out/w7-hda.qcow2")
if bootfix inplace 0 --domain "$work/out/w7.xml"; then
  expect_eq "in-place second run status" "$(status inplace 0)" unchanged
  expect_eq "the overlay is as it was" "$(sha256sum "$work/out/w7-hda.qcow2")" "$before"
fi
if bootfix second 0 --domain "$work/out/w7.xml" --output "$work/out2"; then
  expect_eq "second run status" "$(status second 0)" unchanged
  expect_eq "second run's overlay is backed by the first" "$(backing_of "$work/out2/w7-hda.qcow2")" \
    "$work/out/w7-hda.qcow2"
  expect_eq "the second NAME.xml declares the whole chain" \
    "$(xmllint --xpath 'string(//disk/backingStore/source/@file)' "$work/out2/w7.xml") $(
       xmllint --xpath 'string(//disk/backingStore/backingStore/source/@file)' "$work/out2/w7.xml")" \
    "$work/out/w7-hda.qcow2 $work/w7.img"
  validates "$work/out2/w7.xml"
fi
source_untouched w7

# A declaration vouches only for the file it names, in its format:
# NAME.xml edited to declare another file, or another format, leaves
# the header's backing file outside DIR undeclared, refused before any
# appliance.
sed "s|<source file=\"$work/w7.img\"/>|<source file=\"$work/w7dry.img\"/>|" \
  "$work/out/w7.xml" > "$work/edited-file.xml"
sed 's|<format type="raw"/>|<format type="qcow2"/>|' "$work/out/w7.xml" > "$work/edited-format.xml"
for edit in file format; do
  if cmp -s "$work/out/w7.xml" "$work/edited-$edit.xml"; then
    fail "the edit of the declared $edit did not change NAME.xml"
  elif bootfix "edited-$edit" 3 --dry-run --domain "$work/edited-$edit.xml"; then
    expect_grep "another declared $edit is refused" \
      "is not the file the disk's <backingStore>" "$work/edited-$edit.err"
  fi
done

# ---- a source qemu cannot write in place: a streamOptimized VMDK ----
# (refused in place; --output reads it and records vmdk as the backing
# format).
prepare win7 w7so
qemu-img convert -q -f raw -O vmdk -o subformat=streamOptimized "$work/w7so.img" "$work/w7so.vmdk"
sed -i -e "s|$work/w7so.img|$work/w7so.vmdk|" -e "s|type='raw'|type='vmdk'|" "$work/w7so.xml"
sha256sum "$work/w7so.vmdk" > "$work/w7so.sum"
if bootfix vmdk 0 --domain "$work/w7so.xml" --output "$work/so"; then
  expect_eq "vmdk status" "$(status vmdk 0)" fixed
  expect_eq "the backing format is vmdk" \
    "$(qemu-img info --output=json "$work/so/w7so-hda.qcow2" | jq -r '."backing-filename-format"')" vmdk
fi
source_untouched w7so

# ---- -a and a standalone raw image ----
prepare win7 a7
if bootfix args 0 -a "$work/a7.img" --machine pc --bus ide --output "$work/raw" --output-format raw; then
  expect_eq "-a status" "$(status args 0)" fixed
  expect_eq "the raw image has no backing file" "$(backing_of "$work/raw/a7-hda.raw")" none
  expect_eq "the raw image is raw" "$(qemu-img info --output=json "$work/raw/a7-hda.raw" | jq -r .format)" raw
  expect_eq "-a NAME.xml says raw" "$(xmllint --xpath 'string(//disk/driver/@type)' "$work/raw/a7.xml")" raw
  expect_eq "-a NAME.xml has the bus" "$(xmllint --xpath 'string(//disk/target/@bus)' "$work/raw/a7.xml")" ide
  expect_eq "-a NAME.xml: BIOS for an MBR disk" "$(xmllint --xpath 'string(//os/@firmware)' "$work/raw/a7.xml")" ""
  validates "$work/raw/a7.xml"
fi
source_untouched a7

# ---- --batch of two guests, standalone qcow2 images ----
prepare win7 b1
prepare win7-cs2 b2
printf '%s\n' "$work/b1.xml" "$work/b2.xml" > "$work/list"
if bootfix batch 0 --batch "$work/list" -j 1 --output "$work/qc" --output-format qcow2; then
  expect_eq "batch statuses" "$(status batch 0) $(status batch 1)" "fixed fixed"
  for g in b1 b2; do
    expect_eq "$g: the qcow2 image has no backing file" "$(backing_of "$work/qc/$g-hda.qcow2")" none
    validates "$work/qc/$g.xml"
  done
fi
source_untouched b1
source_untouched b2
# Two guests of one name would write one NAME.xml: refused up front.
sed 's|<name>b2</name>|<name>b1</name>|' "$work/b2.xml" > "$work/b2-same.xml"
printf '%s\n' "$work/b1.xml" "$work/b2-same.xml" > "$work/list-same"
bootfix same-name 3 --batch "$work/list-same" --output "$work/same" &&
  expect_grep "a shared name is refused" "both name their guest 'b1'" "$work/same-name.err"

# ---- every result read back in one launch ----
results=("$work/out/w7-hda.qcow2:qcow2" "$work/out2/w7-hda.qcow2:qcow2"
         "$work/so/w7so-hda.qcow2:qcow2" "$work/raw/a7-hda.raw:raw" "$work/qc/b1-hda.qcow2:qcow2" "$work/qc/b2-hda.qcow2:qcow2")
present=() script="" adds=""
for r in "${results[@]}"; do
  if [ -f "${r%:*}" ]; then present+=("$r"); else fail "missing result ${r%:*}"; fi
done
for i in "${!present[@]}"; do
  adds+="add ${present[i]%:*} readonly:true format:${present[i]##*:}
"
  script+="mount-ro /dev/sd$(printf "\\x$(printf %x $((97 + i)))")1 /
download /Windows/System32/config/SYSTEM $work/hive$i
umount /
"
done
printf '%srun\n%s' "$adds" "$script" | guestfish > "$work/guestfish.out" 2>&1 ||
  { fail "guestfish could not read the results"; sed 's/^/    /' "$work/guestfish.out"; }
for i in "${!present[@]}"; do
  name=${present[i]%:*}
  for cs in ControlSet001 ControlSet002; do
    expect_eq "${name#"$work/"} $cs intelide Start" \
      "$(hivexget "$work/hive$i" "$cs\\Services\\intelide" Start 2>/dev/null || echo missing)" 0
  done
done

finish
