# lib.sh WORKNAME: what the integration tests share.  Sourced, not run.
#
# Chooses the accelerator like the product does, makes a private work
# folder ($work, removed on exit), counts checks (pass / fail /
# expect_eq / expect_grep, summed up by finish), and builds or reuses
# the phony guests (build_phony_guests: exit 77, a skip, when no
# appliance can start).
#
# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash

# shellcheck source=../../scripts/choose-accel.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../scripts/choose-accel.sh"

failures=0
passes=0
work=$(mktemp -d "${TMPDIR:-/tmp}/bootfix-${1:-it}-XXXXXX")
trap 'rm -rf "$work"' EXIT

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok: $*"; passes=$((passes + 1)); }

expect_eq() { # WHAT GOT WANT
  if [ "$2" = "$3" ]; then pass "$1 = $3"; else fail "$1 = '$2', expected '$3'"; fi
}

expect_grep() { # WHAT PATTERN FILE
  if grep -q -- "$2" "$3"; then
    pass "$1"
  else
    fail "$1: '$2' not in $(basename "$3")"
    sed 's/^/    /' "$3"
  fi
}

# Built once and cached in PHONY_DIR (tests/phony/build-guests.sh).
build_phony_guests() {
  local rc=0
  "$BUILD_GUESTS" "$PHONY_DIR" ${MKHIVE:+"$MKHIVE"} >&2 || rc=$?
  if [ "$rc" -eq 77 ]; then
    echo "SKIP: no libguestfs appliance can start here"
    exit 77
  fi
  [ "$rc" -eq 0 ] || { echo "building the phony guests failed ($rc)"; exit 1; }
}

finish() {
  echo "$passes passed, $failures failed"
  [ "$failures" -eq 0 ]
}
