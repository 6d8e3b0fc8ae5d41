#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# lib.sh's report check, without an appliance: a small test that
# sources lib.sh and leaves reports in $work must pass when they
# validate and fail when one does not, whether it ends with finish or
# exits early; a journal's journal.json is not a report; $work is
# removed either way.  Runs in a second or two (suite schema).
#
# Environment (set by meson): GOLDEN, the golden --json document of
# tests/unit (a valid report).
set -euo pipefail
: "${GOLDEN:?}"
lib=$(cd "$(dirname "$0")" && pwd)/lib.sh

if ! python3 -c 'import jsonschema' 2> /dev/null; then
  echo "SKIP: the python3 jsonschema module is not installed"
  exit 77
fi

failures=0
scratch=$(mktemp -d "${TMPDIR:-/tmp}/bootfix-hook-XXXXXX")
trap 'rm -rf "$scratch"' EXIT

# run CASE WANT-STATUS SCRIPT-BODY: a test made of lib.sh and the body;
# $GOLDEN is a valid report to copy.
run() {
  local name=$1 want=$2 got=0
  printf '%s\n' ". '$lib' hook-$name" 'echo "$work" > "$WORKFILE"' "$3" \
    > "$scratch/$name.sh"
  WORKFILE=$scratch/$name.work GOLDEN=$GOLDEN \
    bash -eu "$scratch/$name.sh" > "$scratch/$name.out" 2>&1 || got=$?
  local work
  work=$(cat "$scratch/$name.work" 2> /dev/null || echo "")
  if [ "$got" != "$want" ]; then
    echo "FAIL: $name: exit $got, expected $want"
    sed 's/^/    /' "$scratch/$name.out"
    failures=$((failures + 1))
  elif [ -z "$work" ] || [ -e "$work" ]; then
    echo "FAIL: $name: the work folder '$work' is still there"
    failures=$((failures + 1))
  else
    echo "ok: $name (exit $got)"
  fi
}

run valid 0 '
cp "$GOLDEN" "$work/fix.json"
mkdir "$work/win7.journal" && echo "{\"state\": \"committed\"}" > "$work/win7.journal/journal.json"
echo "{}" > "$work/journal.json"
pass "something"; finish'
run no-reports 0 'pass "something"; finish'
run invalid-json 1 '
jq "del(.format)" "$GOLDEN" > "$work/fix.json"
pass "something"; finish'
run invalid-jsonl 1 '
printf "%s\n" "{\"name\": \"w\"}" > "$work/batch.jsonl"
pass "something"; finish'
run not-json 1 '
echo "{\"format\": 1, \"guests\": [" > "$work/torn.json"
pass "something"; finish'
run early-exit 1 '
jq ".guests[0].status = \"done\"" "$GOLDEN" > "$work/fix.json"
exit 0'
run early-failure 3 '
jq "del(.format)" "$GOLDEN" > "$work/fix.json"
exit 3'
run skip 77 'exit 77'
grep -q 'at (top).*format' "$scratch/invalid-json.out" ||
  { echo "FAIL: invalid-json: the problem is not named"; failures=$((failures + 1)); }

echo "$failures failed"
[ "$failures" -eq 0 ]
