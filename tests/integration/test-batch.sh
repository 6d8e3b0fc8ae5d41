#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# --batch end to end: nine phony guests (fixable, already fixed, refused,
# a corrupt hive, a disk without an OS) fixed one by one with --domain,
# and again as a batch in shared appliances (-j 2): every guest must end
# the same way, with the same actions and the same SYSTEM hive, and the
# ones that fail must fail alone.  Then a third copy is batched, the
# batch is killed with SIGKILL half-way, and --resume must finish every
# guest: each image fixed like the others or byte-identical.
#
# Whole images cannot be compared across runs: ntfs-3g stamps the
# current time into the MFT records of the files it writes.  The hive
# each run wrote is compared instead, fetched in one guestfish launch.
#
# Environment (set by meson): VIRT_BOOTFIX, BUILD_GUESTS, MKHIVE,
# PHONY_DIR.  Exit 77 when no appliance can start.
set -euo pipefail

: "${VIRT_BOOTFIX:?}" "${BUILD_GUESTS:?}" "${PHONY_DIR:?}"
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh" batch

build_phony_guests

FIXABLE=(win7 vista win10 xp win7-cs2)
OTHERS=(win7-fixed win7-hiber win7-badhive nowin)
GUESTS=("${FIXABLE[@]}" win7-fixed win7-hiber win7-badhive nowin)

sum() { sha256sum "$1" | cut -d' ' -f1; }

# copy SET: every guest copied into $work/SET, same <name>, and a list.
copy_set() {
  local set=$1 g
  mkdir -p "$work/$set"
  : > "$work/$set/list"
  for g in "${GUESTS[@]}"; do
    cp --sparse=always "$PHONY_DIR/$g.img" "$work/$set/$g.img"
    sed -e "s|$PHONY_DIR/$g.img|$work/$set/$g.img|" "$PHONY_DIR/$g.xml" \
      > "$work/$set/$g.xml"
    echo "$g.xml" >> "$work/$set/list"
  done
}

run() { # CASE WANT-EXIT ARGS...
  local case=$1 want=$2 got=0
  shift 2
  env -u LIBGUESTFS_BACKEND_SETTINGS "$VIRT_BOOTFIX" "$@" \
    > "$work/$case.out" 2> "$work/$case.err" || got=$?
  expect_eq "$case exit" "$got" "$want"
  [ "$got" -eq "$want" ] || sed 's/^/    /' "$work/$case.out" "$work/$case.err"
}

# status and actions of guest NAME in a --json report
outcome() { jq -c --arg n "$2" '.guests[] | select(.name == $n) | [.status, .actions]' "$1"; }

for set in single batch kill; do copy_set "$set"; done
printf '# the same guests, in a shared appliance\n\n' > "$work/batch/list.tmp"
cat "$work/batch/list" >> "$work/batch/list.tmp"
mv "$work/batch/list.tmp" "$work/batch/list"

# ---- one by one, each in an appliance of its own ----
doms=()
for g in "${GUESTS[@]}"; do doms+=(--domain "$work/single/$g.xml"); done
run single 1 --json "$work/single.json" "${doms[@]}"

# ---- the same as a batch: two appliances at once, five guests each ----
run batch 1 --batch "$work/batch/list" -j 2 --group-size 5 \
  --json "$work/batch.json" --jsonl "$work/batch.jsonl"
expect_eq "batch: one JSONL record per guest" "$(wc -l < "$work/batch.jsonl")" "${#GUESTS[@]}"
expect_grep "batch: plain progress lines when not on a terminal" "^\[[0-9]*/${#GUESTS[@]}\] " "$work/batch.out"
expect_grep "batch: the summary table" 'win7-badhive' "$work/batch.out"
for g in "${GUESTS[@]}"; do
  expect_eq "$g: the batch ends as alone" "$(outcome "$work/batch.json" "$g")" \
    "$(outcome "$work/single.json" "$g")"
done
expect_eq "win7-badhive fails alone" "$(jq -r '.guests[] | select(.name == "win7-badhive") | .status' "$work/batch.json")" error
expect_eq "nowin, retried alone, fails alone" "$(jq -r '.guests[] | select(.name == "nowin") | .status' "$work/batch.json")" error
for g in "${OTHERS[@]}"; do
  [ "$g" = win7-fixed ] && continue
  expect_eq "$g: batch image byte-identical" "$(sum "$work/batch/$g.img")" "$(sum "$PHONY_DIR/$g.img")"
done

# ---- SIGTERM, then SIGKILL, half-way; then --resume finishes ----
records() { if [ -f "$work/kill.jsonl" ]; then wc -l < "$work/kill.jsonl"; else echo 0; fi; }

# start_kill_run: the third copy in the background, one appliance of
# three guests at a time; $pid is the batch.
start_kill_run() {
  env -u LIBGUESTFS_BACKEND_SETTINGS "$VIRT_BOOTFIX" --batch "$work/kill/list" -j 1 \
    --group-size 3 --jsonl "$work/kill.jsonl" --resume "$work/kill.jsonl" \
    > "$work/kill-$1.out" 2>&1 &
  pid=$!
}

wait_for_records() { # N: until the JSONL holds N records (at most 5 min)
  for _ in $(seq 600); do
    [ "$(records)" -ge "$1" ] && return 0
    kill -0 "$pid" 2> /dev/null || return 0
    sleep 0.5
  done
}

workers_gone() {
  for _ in $(seq 600); do
    pgrep -f "batch $work/kill/list" > /dev/null || break
    sleep 0.5
  done
  expect_eq "$1: no process of the batch is left" \
    "$(pgrep -fc "batch $work/kill/list" || true)" 0
}

no_half_written() {
  local left
  left=$( (grep -l '"committing"' "$work"/kill/*.journal/journal.json 2> /dev/null || true) | wc -l)
  expect_eq "$1: no journal left half-way through the disks" "$left" 0
  expect_eq "$1: every JSONL line is a record" \
    "$(jq -c .name "$work/kill.jsonl" | wc -l)" "$(records)"
}

start_kill_run term
wait_for_records 1
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
expect_eq "SIGTERM: exit status" "$rc" 1
expect_grep "SIGTERM: says how to resume" 'resume' "$work/kill-term.out"
workers_gone SIGTERM
no_half_written SIGTERM
after_term=$(records)
if [ "$after_term" -lt "${#GUESTS[@]}" ]; then pass "SIGTERM stopped the batch ($after_term records)"; else fail "the batch finished before SIGTERM"; fi

start_kill_run kill
wait_for_records $((after_term + 1))
kill -9 "$pid" || true
wait "$pid" 2> /dev/null || true
# The workers see their parent die and stop after the guest in flight.
workers_gone SIGKILL
no_half_written SIGKILL

run resume 1 --batch "$work/kill/list" --jsonl "$work/kill.jsonl" --resume "$work/kill.jsonl"
for g in "${GUESTS[@]}"; do
  last=$(jq -r --arg n "$g" 'select(.name == $n) | .status' "$work/kill.jsonl" | tail -1)
  want=$(jq -r --arg n "$g" '.guests[] | select(.name == $n) | .status' "$work/single.json")
  [ "$want" = fixed ] && [ "$last" = unchanged ] && last=fixed  # committed before the kill
  expect_eq "$g: finished after --resume" "$last" "$want"
done
for g in "${OTHERS[@]}"; do
  [ "$g" = win7-fixed ] && continue
  expect_eq "$g: killed-and-resumed image byte-identical" "$(sum "$work/kill/$g.img")" "$(sum "$PHONY_DIR/$g.img")"
done

# ---- the SYSTEM hives the three runs wrote: one launch ----
script=""
args=()
i=0
letters=abcdefghijklmnopqrstuvwxyz
for g in "${FIXABLE[@]}" win7-fixed; do
  for set in single batch kill; do
    args+=(-a "$work/$set/$g.img")
    hive=$(sed -n 's/^windows-systemroot=//p' "$PHONY_DIR/$g.facts")/$(grep -i '^system32\\config\\system$' "$PHONY_DIR/$g.files" | tr '\134' /)
    script+="mount-ro /dev/sd${letters:i:1}1 /
download $hive $work/$set-$g.system
umount /
"
    i=$((i + 1))
  done
done
printf 'run\n%s' "$script" | guestfish --ro --format=raw "${args[@]}"
for g in "${FIXABLE[@]}" win7-fixed; do
  expect_eq "$g: batch wrote the hive a lone run writes" \
    "$(sum "$work/batch-$g.system")" "$(sum "$work/single-$g.system")"
  expect_eq "$g: kill + resume wrote the same hive" \
    "$(sum "$work/kill-$g.system")" "$(sum "$work/single-$g.system")"
done

finish
