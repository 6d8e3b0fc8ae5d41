# lib.sh WORKNAME: what the integration tests share.  Sourced, not run.
#
# Chooses the accelerator like the product does, makes a private work
# folder ($work, removed on exit by cleanup_work), counts checks (pass /
# fail / expect_eq / expect_grep, summed up by finish), and builds or
# reuses the phony guests (build_phony_guests: exit 77, a skip, when no
# appliance can start).
#
# The report is a contract (docs/report.md): every *.json and *.jsonl
# the test wrote under $work, journals aside, is validated against
# data/schema/report.schema.json by finish, or by cleanup_work when the
# test stops before finish; one that does not validate is a failure.
# A test that sets its own EXIT trap calls cleanup_work from it.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash

# shellcheck source=../../scripts/choose-accel.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../scripts/choose-accel.sh"

failures=0
passes=0
work=$(mktemp -d "${TMPDIR:-/tmp}/bootfix-${1:-it}-XXXXXX")
reports_checked=0
trap cleanup_work EXIT

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

# bootfix CASE EXPECTED_EXIT ARGS...: run this build's virt-bootfix (it
# picks its accelerator itself: no hint from the environment), with its
# output in $work/CASE.out and CASE.err and, unless it is --undo (which
# writes no report), its report in $work/CASE.json; pass or fail on the
# exit status, and say how long it took.
bootfix() {
  local case=$1 want=$2 got=0 t=$SECONDS
  shift 2
  local json=(--json "$work/$case.json")
  [ "${1:-}" = --undo ] && json=()
  env -u LIBGUESTFS_BACKEND_SETTINGS "$VIRT_BOOTFIX" "${json[@]}" "$@" \
    > "$work/$case.out" 2> "$work/$case.err" || got=$?
  if [ "$got" -ne "$want" ]; then
    fail "$case: exit $got, expected $want"
    sed 's/^/    /' "$work/$case.out" "$work/$case.err"
    return 1
  fi
  pass "$case: exit $got ($((SECONDS - t)) s)"
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

# The reports under $work: not the journals' own journal.json.
report_files() {
  find "$work" \( -name '*.journal' -prune \) -o \
    -type f \( -name '*.json' -o -name '*.jsonl' \) ! -name journal.json -print0 |
    sort -z
}

# Validate every report once; a report that does not validate, or a
# validator that cannot run, is one failure.
check_reports() {
  [ "$reports_checked" -eq 0 ] || return 0
  reports_checked=1
  local files=() rc=0
  mapfile -d '' files < <(report_files)
  [ "${#files[@]}" -gt 0 ] || return 0
  python3 "$(dirname "${BASH_SOURCE[0]}")/../../scripts/validate-reports.py" \
    "${files[@]}" > "$work/.reports.out" 2>&1 || rc=$?
  if [ "$rc" -eq 0 ]; then
    pass "reports match the schema: $(tail -n 1 "$work/.reports.out")"
  else
    fail "reports against data/schema/report.schema.json (exit $rc):"
    sed "s|$work/||; s/^/    /" "$work/.reports.out"
  fi
}

# cleanup_work [STATUS]: the EXIT trap (STATUS: the exit status, when
# the trap ran something else first).  Reports checked (when finish did
# not), then $work removed; a report that fails here turns a passing
# exit status into 1.
cleanup_work() {
  local rc=${1:-$?}
  if [ "$reports_checked" -eq 0 ] && [ -d "$work" ]; then
    local before=$failures
    check_reports
    if [ "$failures" -gt "$before" ] && [ "$rc" -eq 0 ]; then rc=1; fi
  fi
  rm -rf "$work"
  exit "$rc"
}

finish() {
  check_reports
  echo "$passes passed, $failures failed"
  [ "$failures" -eq 0 ]
}
