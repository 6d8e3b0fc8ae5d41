#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Disk image formats end to end (docs/image-formats.md): the phony win7
# guest converted with qemu-img into a qcow2 over a backing file, a
# dynamic VHDX (512-byte logical sectors, as Disk2vhd writes), a dynamic
# and a fixed VHD, and VMDK monolithicSparse and twoGbMaxExtentSparse;
# each fixed in place (one appliance run each), all read back in ONE
# guestfish launch, then undone, and compared with a pristine copy by
# qemu-img compare.  Hostile images come first: each is refused (exit 3)
# before any appliance starts, with nothing written; a raw image whose
# first bytes are a qcow2 header naming a host file rides along as the
# second disk of the VHDX run, and must be read as raw.
#
# Environment (set by meson): VIRT_BOOTFIX, BUILD_GUESTS, PHONY_DIR.
# Exit 77 when no appliance can start.
set -euo pipefail

: "${VIRT_BOOTFIX:?}" "${BUILD_GUESTS:?}" "${PHONY_DIR:?}"
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh" formats

build_phony_guests
machine=(--machine pc-i440fx-7.2 --bus ide)

# Every file under $work with its checksum, but the runs' own output
# and reports: "nothing changed" is this list before and after.
sums() { find "$work" -type f ! -name '*.out' ! -name '*.err' ! -name '*.json' \
           ! -name '*.sums' -exec sha256sum {} + | sort; }

# domain_for NAME IMAGE FORMAT: a domain XML for the image.
domain_for() {
  sed -e "s|<name>[^<]*</name>|<name>$1</name>|" \
      -e "s|$PHONY_DIR/win7.img|$2|" -e "s|type='raw'|type='$3'|" \
      "$PHONY_DIR/win7.xml" > "$work/$1.xml"
}

# ---- hostile images: refused before any appliance, nothing written ----
mkdir -p "$work/hostile" "$work/outside"
cd "$work/hostile"
qemu-img create -q -f raw "$work/outside/host.img" 64M
qemu-img create -q -f qcow2 -b "$work/outside/host.img" -F raw outside.qcow2
qemu-img create -q -f qcow2 -u -b 'json:{"driver":"raw","file":{"driver":"file","filename":"'"$work/outside/host.img"'"}}' -F raw json.qcow2 64M
qemu-img create -q -f qcow2 -u -b nbd://127.0.0.1:10809/x -F raw nbd.qcow2 64M
qemu-img create -q -f qcow2 loop-a.qcow2 64M
qemu-img create -q -f qcow2 -b loop-a.qcow2 -F qcow2 loop-b.qcow2
qemu-img rebase -q -u -b loop-b.qcow2 -F qcow2 loop-a.qcow2
mkdir link extent
qemu-img create -q -f vmdk -o subformat=twoGbMaxExtentSparse link/t.vmdk 64M
mv link/t-s001.vmdk link/real.vmdk && ln -s real.vmdk link/t-s001.vmdk
qemu-img create -q -f vmdk -o subformat=monolithicFlat extent/f.vmdk 64M
mv extent/f-flat.vmdk "$work/outside/f-flat.vmdk"
sed -i "s|\"f-flat.vmdk\"|\"$work/outside/f-flat.vmdk\"|" extent/f.vmdk
qemu-img create -q -f vmdk -o subformat=streamOptimized stream.vmdk 64M
cd "$work"

domain_for hostile-domain "$work/hostile/outside.qcow2" qcow2
sums > "$work/hostile.sums"
hostile=(
  "outside:qcow2:outside.qcow2:lies outside the image's folder"
  "json:qcow2:json.qcow2:json: or network name"
  "nbd:qcow2:nbd.qcow2:json: or network name"
  "loop:qcow2:loop-a.qcow2:form a loop"
  "vmdk-link:vmdk:link/t.vmdk:is a symbolic link"
  "vmdk-outside:vmdk:extent/f.vmdk:lies outside the image's folder"
  "stream:vmdk:stream.vmdk:--output"
)
for h in "${hostile[@]}"; do
  IFS=: read -r case format image why <<< "$h"
  if bootfix "hostile-$case" 3 --format "$format" -a "$work/hostile/$image" "${machine[@]}"; then
    expect_grep "hostile-$case: says why" "$why" "$work/hostile-$case.err"
    if grep -q "Opening the guest" "$work/hostile-$case.out"; then
      fail "hostile-$case: an appliance was started"
    else
      pass "hostile-$case: refused before any appliance"
    fi
  fi
done
# the same refusal for a dry run, and for a domain XML
bootfix hostile-dry-run 3 --dry-run --format qcow2 -a "$work/hostile/nbd.qcow2" "${machine[@]}" || true
bootfix hostile-domain 3 --domain "$work/hostile-domain.xml" || true
sums > "$work/hostile-after.sums"
if cmp -s "$work/hostile.sums" "$work/hostile-after.sums"; then
  pass "hostile images: no file changed or added"
else
  fail "hostile images: files changed"
  diff "$work/hostile.sums" "$work/hostile-after.sums" | sed 's/^/    /' || true
fi

# ---- the phony win7 in every format ----
# convert NAME FORMAT OPTIONS: $work/NAME/win7.EXT and a pristine copy
# of the folder in $work/NAME.pristine
declare -A image_of format_of
convert() {
  local name=$1 format=$2 opts=$3 ext=$4
  mkdir -p "$work/$name"
  qemu-img convert -f raw -O "$format" ${opts:+-o "$opts"} "$PHONY_DIR/win7.img" \
    "$work/$name/win7.$ext"
  image_of[$name]=$work/$name/win7.$ext
  format_of[$name]=$format
}
mkdir -p "$work/qcow2"
qemu-img convert -f raw -O qcow2 "$PHONY_DIR/win7.img" "$work/qcow2/base.qcow2"
qemu-img create -q -f qcow2 -b base.qcow2 -F qcow2 "$work/qcow2/win7.qcow2"
image_of[qcow2]=$work/qcow2/win7.qcow2 format_of[qcow2]=qcow2
convert vhdx vhdx subformat=dynamic vhdx
convert vhd vpc subformat=dynamic,force_size=on vhd
convert vhd-fixed vpc subformat=fixed,force_size=on vhd
convert vmdk vmdk subformat=monolithicSparse vmdk
convert vmdk-2gb vmdk subformat=twoGbMaxExtentSparse vmdk
names=(qcow2 vhdx vhd vhd-fixed vmdk vmdk-2gb)
for n in "${names[@]}"; do cp -a --sparse=always "$work/$n" "$work/$n.pristine"; done
base_sum=$(sha256sum < "$work/qcow2/base.qcow2")

# A raw disk whose first bytes are a qcow2 header naming a host file
# (which does not exist: were it followed, qemu would fail to start).
qemu-img create -q -f qcow2 -u -b "$work/outside/secret.img" -F raw "$work/vhdx/fake.img" 64M
truncate -s 64M "$work/vhdx/fake.img"
fake_sum=$(sha256sum < "$work/vhdx/fake.img")

domain_for win7-qcow2 "${image_of[qcow2]}" qcow2
bootfix fix-qcow2 0 --domain "$work/win7-qcow2.xml" || true
bootfix fix-vhdx 0 --format vhdx -a "${image_of[vhdx]}" --format raw -a "$work/vhdx/fake.img" \
  "${machine[@]}" || true
expect_grep "fake raw disk: read as raw, with a hint" "opened as raw, as declared, but its bytes look like a qcow2" "$work/fix-vhdx.err"
expect_eq "the hint comes once" "$(grep -c 'opened as raw, as declared' "$work/fix-vhdx.err")" 1
expect_eq "fake raw disk unchanged" "$(sha256sum < "$work/vhdx/fake.img")" "$fake_sum"
for n in vhd vhd-fixed vmdk vmdk-2gb; do
  bootfix "fix-$n" 0 --format "${format_of[$n]}" -a "${image_of[$n]}" "${machine[@]}" || true
done
expect_eq "qcow2 backing file unchanged by the fix" "$(sha256sum < "$work/qcow2/base.qcow2")" "$base_sum"

# ---- read the fixed images back, all in one guestfish launch ----
gf=(guestfish --ro)
script="run
"
i=0
for n in "${names[@]}"; do
  gf+=(--format="${format_of[$n]}" -a "${image_of[$n]}")
  dev="/dev/sd$(printf "\\x$(printf %x $((97 + i)))")1"
  script+="mount $dev /
download /Windows/System32/config/SYSTEM $work/$n.system
umount /
"
  i=$((i + 1))
done
printf '%s' "$script" | "${gf[@]}"
for n in "${names[@]}"; do
  expect_eq "$n: intelide Start after the fix" \
    "$(hivexget "$work/$n.system" 'ControlSet001\Services\intelide' Start 2>/dev/null || echo unreadable)" 0
  if qemu-img compare -q -f "${format_of[$n]}" -F "${format_of[$n]}" \
       "${image_of[$n]}" "$work/$n.pristine/$(basename "${image_of[$n]}")"; then
    fail "$n: the fix changed nothing qemu can see"
  else
    pass "$n: the fix changed the guest"
  fi
done

# ---- undo, then compare with the pristine copy ----
for n in "${names[@]}"; do
  journal=$(find "$work/$n" -maxdepth 1 -name 'virt-bootfix-*.journal' | head -1)
  [ -n "$journal" ] || { fail "$n: no journal"; continue; }
  bootfix "undo-$n" 0 --undo "$journal" || continue
  if qemu-img compare -q -f "${format_of[$n]}" -F "${format_of[$n]}" \
       "${image_of[$n]}" "$work/$n.pristine/$(basename "${image_of[$n]}")"; then
    pass "$n: undone, the guest sees what it saw before (qemu-img compare)"
  else
    fail "$n: after undo the guest differs from the pristine copy"
  fi
done
expect_eq "qcow2 backing file unchanged after undo" "$(sha256sum < "$work/qcow2/base.qcow2")" "$base_sum"

finish
