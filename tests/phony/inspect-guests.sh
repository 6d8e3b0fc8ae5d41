#!/bin/bash
# inspect-guests.sh DIR [NAME...]
#
# Shows what libguestfs inspection makes of the phony guests in DIR (made
# by build-guests.sh), all in one read-only appliance launch: one line per
# guest with the facts virt-bootfix relies on.  By default every guest
# except win7-badhive, whose truncated SYSTEM hive makes inspect-os fail
# for the whole appliance; name it explicitly to see that failure.
#
# Exit status: 0 done, 77 no appliance could be launched, 1 error.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

set -euo pipefail

if [[ $# -lt 1 ]]; then
  echo "usage: inspect-guests.sh DIR [NAME...]" >&2
  exit 2
fi
dir=$1
shift
names=("$@")
if [[ ${#names[@]} -eq 0 ]]; then
  names=(win7 vista win7-fixed win7-cs2 xp win10 nowin)
fi

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
accel=$script_dir/../../scripts/choose-accel.sh
if [[ -f $accel ]]; then
  # shellcheck source=../../scripts/choose-accel.sh
  . "$accel"
fi

readonly FACTS=(product-name major-version minor-version arch osinfo
  product-variant hostname windows-systemroot windows-current-control-set
  drive-mappings)

work=$(mktemp -d "${TMPDIR:-/tmp}/phony-inspect.XXXXXX")
trap 'rm -rf "$work"' EXIT

# guestfish double-quoted string: backslash escapes are interpreted.
gf_quote() {
  local s=${1//\\/\\\\}
  printf '"%s"' "${s//\"/\\\"}"
}

# Commands prefixed with "-" may fail without stopping guestfish, so a
# guest that is not a root (nowin) or a failed inspect-os still prints.
letters=abcdefghijklmnopqrstuvwxyz
{
  for name in "${names[@]}"; do
    [[ -f $dir/$name.img ]] || { echo "no such image: $dir/$name.img" >&2; exit 1; }
    echo "add $(gf_quote "$dir/$name.img") readonly:true format:raw"
  done
  echo 'echo @@ADDED@@'
  echo 'run'
  echo 'echo @@LAUNCHED@@'
  echo '-inspect-os'
  i=0
  for name in "${names[@]}"; do
    echo "echo @@GUEST $name"
    for fact in "${FACTS[@]}"; do
      echo "echo @@FACT $fact"
      echo "-inspect-get-$fact /dev/sd${letters:i:1}1"
    done
    i=$((i + 1))
  done
} >"$work/inspect.gf"

t0=$(date +%s)
rc=0
guestfish --no-progress-bars -f "$work/inspect.gf" >"$work/out" 2>&1 || rc=$?
if ! grep -q '^@@ADDED@@' "$work/out"; then
  cat "$work/out" >&2
  echo "inspect-guests.sh: guestfish failed before launch" >&2
  exit 1
fi
if ! grep -q '^@@LAUNCHED@@' "$work/out"; then
  cat "$work/out" >&2
  echo "inspect-guests.sh: SKIP: guestfish cannot launch an appliance" >&2
  exit 77
fi

# One line per guest: fact=value, multi-line answers (drive mappings)
# joined with commas; a guest whose facts fail shows its first error only.
awk '
  function flush() {
    if (fact != "") { line = line sep fact "=" val; sep = " " }
    fact = ""
  }
  function put() {
    flush()
    if (guest != "") print guest ": " (err != "" ? err : line)
    line = ""; sep = ""; err = ""
  }
  /^@@(ADDED|LAUNCHED)@@/ { next }
  /^@@GUEST / { put(); guest = $2; next }
  /^@@FACT / { flush(); fact = $2; val = ""; next }
  /libguestfs: error:/ {
    sub(/.*libguestfs: error: /, "ERROR: ")
    if (guest == "") print "inspect-os: " $0
    else if (/root device not found/) err = "no operating system (not an inspect-os root)"
    else if (err == "") err = $0
    next
  }
  fact != "" { val = (val == "" ? $0 : val "," $0); next }
  END { put() }
' "$work/out"
echo "(inspection of ${#names[@]} guests: $(($(date +%s) - t0)) s, guestfish status $rc)"
