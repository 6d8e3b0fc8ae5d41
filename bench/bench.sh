#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Wall time of virt-bootfix against the floor set by libguestfs itself:
# a bare `guestfish -a IMG run` on the same image, in the same run; and
# the same fix of the same guest converted to qcow2 and to VHDX against
# the raw one (the target: within 1.1 x).  Prints each sample and the
# median of N (default 3).
#
#   bench/bench.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
n=${1:-3}

./scripts/setup.sh >/dev/null
. scripts/choose-accel.sh
phony=$top/build/phony-guests
./tests/phony/build-guests.sh "$phony" build/tests/phony/mkhive >/dev/null
work=$(mktemp -d "${TMPDIR:-/tmp}/bootfix-bench-XXXXXX")
trap 'rm -rf "$work"' EXIT
# The build tree's data and modules (the binary knows only its installed
# folders); loaded once so meson's start-up is not timed.
eval "$(meson devenv -C build --dump)"

seconds() { # run a command, print its wall time
  local t0 t1
  t0=$(date +%s.%N)
  "$@" >/dev/null 2>&1 || { echo "bench: failed: $*" >&2; exit 1; }
  t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f\n", b - a }'
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

qemu-img convert -f raw -O qcow2 "$phony/win7.img" "$work/win7.qcow2.src"
qemu-img convert -f raw -O vhdx -o subformat=dynamic "$phony/win7.img" "$work/win7.vhdx.src"

fresh_copy() {
  cp --sparse=always "$phony/win7.img" "$work/win7.img"
  sed -e "s|$phony/win7.img|$work/win7.img|" "$phony/win7.xml" > "$work/win7.xml"
  cp --sparse=always "$work/win7.qcow2.src" "$work/win7.qcow2"
  sed -e "s|$phony/win7.img|$work/win7.qcow2|" -e "s|type='raw'|type='qcow2'|" \
    "$phony/win7.xml" > "$work/win7-qcow2.xml"
  cp --sparse=always "$work/win7.vhdx.src" "$work/win7.vhdx"
  rm -rf "$work"/*.journal
}

bootfix() { seconds env -u LIBGUESTFS_BACKEND_SETTINGS build/src/cli/virt-bootfix "$@"; }

bare=() fix=() dry=() qcow2=() vhdx=()
for i in $(seq "$n"); do
  fresh_copy
  bare+=("$(seconds guestfish --ro -a "$work/win7.img" run)")
  dry+=("$(bootfix --dry-run --domain "$work/win7.xml")")
  fix+=("$(bootfix --domain "$work/win7.xml")")
  qcow2+=("$(bootfix --domain "$work/win7-qcow2.xml")")
  vhdx+=("$(bootfix --format vhdx -a "$work/win7.vhdx" --machine pc-i440fx-7.2 --bus ide)")
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
