#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Wall time of virt-bootfix against the floor set by libguestfs itself:
# a bare `guestfish -a IMG run` on the same image, in the same run.
# Prints each sample and the median of N (default 3).  bench/fleet.sh
# measures the whole of issue 10's benchmark.
#
#   bench/bench.sh [N]
set -euo pipefail
n=${1:-3}
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

bare=() fix=() dry=()
for i in $(seq "$n"); do
  fresh_guest win7 win7
  bare+=("$(seconds guestfish --ro -a "$work/win7.img" run)")
  dry+=("$(seconds "${bootfix[@]}" --dry-run --domain "$work/win7.xml")")
  fix+=("$(seconds "${bootfix[@]}" --domain "$work/win7.xml")")
  echo "run $i: guestfish run ${bare[-1]} s, virt-bootfix --dry-run ${dry[-1]} s, virt-bootfix (fix) ${fix[-1]} s"
done
mb=$(printf '%s\n' "${bare[@]}" | median)
md=$(printf '%s\n' "${dry[@]}" | median)
mf=$(printf '%s\n' "${fix[@]}" | median)
echo "median of $n: guestfish -a IMG run ${mb} s; virt-bootfix --dry-run ${md} s; virt-bootfix --domain ${mf} s"
awk -v b="$mb" -v f="$mf" 'BEGIN { printf "virt-bootfix / bare launch = %.2f\n", f / b }'
