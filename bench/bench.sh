#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Wall time of virt-bootfix against the floor set by libguestfs itself:
# a bare `guestfish -a IMG run` on the same image, in the same run; and
# the same fix of the same guest converted to qcow2 and to VHDX against
# the raw one (the target: within 1.1 x).  Prints each sample and the
# median of N (default 3).  bench/fleet.sh measures the whole of issue
# 10's benchmark.
#
#   bench/bench.sh [N]
set -euo pipefail
n=${1:-3}
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

qemu-img convert -f raw -O qcow2 "$phony/win7.img" "$work/win7.qcow2.src"
qemu-img convert -f raw -O vhdx -o subformat=dynamic "$phony/win7.img" "$work/win7.vhdx.src"

# Fresh copies of the raw, qcow2 and VHDX guest, and no journal left.
fresh_copies() {
  fresh_guest win7 win7
  cp --sparse=always "$work/win7.qcow2.src" "$work/win7.qcow2"
  sed -e "s|$phony/win7.img|$work/win7.qcow2|" -e "s|type='raw'|type='qcow2'|" \
    "$phony/win7.xml" > "$work/win7-qcow2.xml"
  cp --sparse=always "$work/win7.vhdx.src" "$work/win7.vhdx"
  rm -rf "$work"/*.journal
}

bare=() fix=() dry=() qcow2=() vhdx=()
for i in $(seq "$n"); do
  fresh_copies
  bare+=("$(seconds guestfish --ro -a "$work/win7.img" run)")
  dry+=("$(seconds "${bootfix[@]}" --dry-run --domain "$work/win7.xml")")
  fix+=("$(seconds "${bootfix[@]}" --domain "$work/win7.xml")")
  qcow2+=("$(seconds "${bootfix[@]}" --domain "$work/win7-qcow2.xml")")
  vhdx+=("$(seconds "${bootfix[@]}" --format vhdx -a "$work/win7.vhdx" --machine pc-i440fx-7.2 --bus ide)")
  echo "run $i: guestfish run ${bare[-1]} s, virt-bootfix --dry-run ${dry[-1]} s, fix: raw ${fix[-1]} s, qcow2 ${qcow2[-1]} s, vhdx ${vhdx[-1]} s"
done
mb=$(printf '%s\n' "${bare[@]}" | median)
md=$(printf '%s\n' "${dry[@]}" | median)
mf=$(printf '%s\n' "${fix[@]}" | median)
mq=$(printf '%s\n' "${qcow2[@]}" | median)
mv=$(printf '%s\n' "${vhdx[@]}" | median)
echo "median of $n: guestfish -a IMG run ${mb} s; virt-bootfix --dry-run ${md} s; fix: raw ${mf} s, qcow2 ${mq} s, vhdx ${mv} s"
awk -v b="$mb" -v f="$mf" 'BEGIN { printf "virt-bootfix / bare launch = %.2f\n", f / b }'
awk -v f="$mf" -v q="$mq" -v v="$mv" \
  'BEGIN { printf "qcow2 fix / raw fix = %.2f, vhdx fix / raw fix = %.2f (target: <= 1.10)\n", q / f, v / f }'
