# shellcheck shell=bash
# Helpers shared by the benchmark scripts (bench.sh, fleet.sh); sourced,
# not run.  Sourcing it builds the project and the phony guests and sets:
#   top      the source tree
#   phony    the folder of the phony guests (NAME.img, NAME.xml)
#   work     a scratch folder, removed on exit
#   bootfix  the command that runs this build's virt-bootfix (an array)
# and exports meson devenv's environment (BOOTFIX_DATADIR, BOOTFIX_MODULEDIR)
# so that binary finds its rules and modules without being installed.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
top=$PWD

# Extra packages a script needs (BENCH_PACKAGES) go through setup.sh like
# the project's own, so a new machine gets them the same way.
# shellcheck disable=SC2086 # a list of package names
./scripts/setup.sh ${BENCH_PACKAGES:-} >/dev/null
# guestfish, virt-win-reg and virt-v2v do not pick TCG by themselves.
# shellcheck source=../scripts/choose-accel.sh
. scripts/choose-accel.sh
phony=$top/build/phony-guests
./tests/phony/build-guests.sh "$phony" build/tests/phony/mkhive >/dev/null
work=$(mktemp -d "${TMPDIR:-/tmp}/bootfix-bench-XXXXXX")
trap 'rm -rf "$work"' EXIT
# So that the EXIT trap runs, and a long run stopped from outside says so.
for sig in INT TERM HUP; do
  # shellcheck disable=SC2064 # $sig now, on purpose
  trap "echo 'bench: stopped by SIG$sig' >&2; exit 130" "$sig"
done
# The build tree's data and modules (the binary knows only its installed
# folders), from meson; loaded once so meson's start-up is not timed.
eval "$(meson devenv -C build --dump)"
# virt-bootfix as a user runs it: it chooses KVM or TCG by itself, so the
# choice choose-accel.sh made for guestfish is not passed on.
# shellcheck disable=SC2034 # used by the scripts that source this one
bootfix=(env -u LIBGUESTFS_BACKEND_SETTINGS "$top/build/src/cli/virt-bootfix")

now() { date +%s.%N; }

# elapsed T0 [T1]: seconds from T0 to T1 (default now), one decimal.
elapsed() {
  awk -v a="$1" -v b="${2:-$(now)}" 'BEGIN { printf "%.1f\n", b - a }'
}

# seconds CMD...: run a command that must succeed, print its wall time.
seconds() {
  local t0
  t0=$(now)
  "$@" >/dev/null 2>&1 || { echo "bench: failed: $*" >&2; exit 1; }
  elapsed "$t0"
}

# Median of the numbers on standard input, one a line (the lower middle
# one for an even count).
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# fresh_guest FROM NAME [SIZE] [DIR]: a copy of the phony guest FROM as
# DIR/NAME.img (DIR: $work by default) and its domain DIR/NAME.xml, named
# NAME and pointing at the copy; with SIZE (truncate's syntax) the copy
# is then extended to that size, sparse.  FROM may also be the path of an
# image without its .img, whose domain XML lies next to it.
fresh_guest() {
  local from=$1 name=$2 size=${3:-} dir=${4:-$work} src
  src=$phony/$from
  [[ $from == /* ]] && src=$from
  rm -f "$dir/$name.img"
  cp --sparse=always "$src.img" "$dir/$name.img"
  if [[ -n $size ]]; then
    truncate -s "$size" "$dir/$name.img"
  fi
  sed -e "s|$src.img|$dir/$name.img|" \
    -e "s|<name>[^<]*</name>|<name>$name</name>|" \
    "$src.xml" >"$dir/$name.xml"
}
