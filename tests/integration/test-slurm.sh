#!/usr/bin/env bash
# virt-bootfix --batch on a real (single-node, throw-away) Slurm cluster:
# one array job of three tasks, task K running
#   virt-bootfix --batch LIST --shard K/3 --jsonl out.K.jsonl
# over six fixable phony guests.  Then the three JSONL files together
# must hold exactly one record per guest, each "fixed", every record in
# the file of the task that wrote it, and every image changed.
#
# The cluster comes from slurm-cluster.sh (test-slurm-cluster.sh checks
# it alone).  Exit 77 when this virt-bootfix has no --batch yet, when no
# Slurm cluster can start here, or when no appliance can.
#
# Environment (set by meson): VIRT_BOOTFIX, BUILD_GUESTS, MKHIVE,
# PHONY_DIR, BOOTFIX_DATADIR, BOOTFIX_MODULEDIR.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
set -euo pipefail

: "${VIRT_BOOTFIX:?}" "${BUILD_GUESTS:?}" "${PHONY_DIR:?}"
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh" slurm
# shellcheck source=slurm-cluster.sh
. "$(dirname "$0")/slurm-cluster.sh"
trap 'status=$?; slurm_cluster_stop; cleanup_work "$status"' EXIT
trap 'exit 143' INT TERM HUP # so that the EXIT trap runs

readonly SHARDS=3
# Six guests the default run fixes (all on pc/ide), as PHONY[:NAME]; the
# copy of win7 under another name makes two guests of one kind, as in a
# real fleet.  How the entries fall into the shards is the hash's
# business: a shard may get none, and that is no failure.
readonly GUESTS=(win7 win7:win7-b vista win7-cs2 xp win10)

# ---- can it run here? ----
help=$(LC_ALL=C "$VIRT_BOOTFIX" --help 2>&1 || true)
for opt in --batch --shard --jsonl; do
  if ! grep -q -- "${opt}[= ]" <<<"$help"; then
    echo "SKIP: this virt-bootfix has no $opt option yet ($VIRT_BOOTFIX --help)"
    exit 77
  fi
done

t0=$SECONDS
rc=0
slurm_cluster_start "$work/cluster" || rc=$?
if [ "$rc" -eq 77 ]; then
  echo "SKIP: no Slurm cluster can start here (see above)"
  exit 77
fi
[ "$rc" -eq 0 ] || { echo "FAIL: the Slurm cluster did not come up"; exit 1; }
pass "single-node cluster idle after $((SECONDS - t0)) s"

build_phony_guests

# ---- the guests and the list ----
# Each guest in its own folder, named in the list relative to the list's
# folder (as a user would keep a fleet), with a comment and a blank line
# that the list reader must skip.
mkdir "$work/fleet" "$work/out"
list=$work/fleet/list
printf '# six restored backups\n\n' > "$list"
declare -A before=()
names=()
for spec in "${GUESTS[@]}"; do
  src=${spec%%:*}
  name=${spec#*:}
  names+=("$name")
  mkdir "$work/fleet/$name"
  cp --sparse=always "$PHONY_DIR/$src.img" "$work/fleet/$name/disk.img"
  sed -e "s|<name>[^<]*</name>|<name>$name</name>|" \
      -e "s|$PHONY_DIR/$src.img|$work/fleet/$name/disk.img|" \
      "$PHONY_DIR/$src.xml" > "$work/fleet/$name/domain.xml"
  echo "$name/domain.xml" >> "$list"
  before[$name]=$(sha256sum "$work/fleet/$name/disk.img" | cut -d' ' -f1)
done

# ---- the array job ----
# The task script has the paths written in; the rest of the environment
# (BOOTFIX_DATADIR, BOOTFIX_MODULEDIR) comes with --export=ALL.  virt-bootfix picks its accelerator itself, as in the
# other tests.  Each task also records its exit status.
{
  echo '#!/bin/bash'
  printf 'bootfix=%q list=%q out=%q shards=%q\n' "$VIRT_BOOTFIX" "$list" "$work/out" "$SHARDS"
  cat <<'EOF'
k=$SLURM_ARRAY_TASK_ID
rc=0
env -u LIBGUESTFS_BACKEND_SETTINGS "$bootfix" --batch "$list" \
  --shard "$k/$shards" --jsonl "$out/out.$k.jsonl" || rc=$?
echo "$rc" > "$out/rc.$k"
exit "$rc"
EOF
} > "$work/task.sh"
chmod +x "$work/task.sh"

t_job=$SECONDS
job_rc=0
slurm_run sbatch --array=0-$((SHARDS - 1)) --wait --export=ALL --chdir="$work" \
  --output="$work/out/task-%a.log" "$work/task.sh" || job_rc=$?
echo "array job: $((SECONDS - t_job)) s"
expect_eq "sbatch --wait exit status" "$job_rc" 0
for ((k = 0; k < SHARDS; k++)); do
  expect_eq "task $k exit status" "$(cat "$work/out/rc.$k" 2>/dev/null || echo none)" 0
done

# ---- one record per guest, each fixed, each in its task's file ----
# Task K wrote out.K.jsonl with --shard K/3, so a record's file is its shard.
if python3 "$(dirname "$0")/check-shards.py" "$work/out" "$SHARDS" fixed "$list" \
    > "$work/check.out" 2>&1; then
  pass "every guest fixed exactly once, by one shard"
else
  fail "the JSONL records"
fi
sed 's/^/    /' "$work/check.out"

for name in "${names[@]}"; do
  after=$(sha256sum "$work/fleet/$name/disk.img" | cut -d' ' -f1)
  expect_eq "$name image changed" "$([ "$after" != "${before[$name]}" ] && echo yes)" yes
done

if [ "$failures" -ne 0 ]; then
  echo "---- the tasks' output"
  tail -n 30 "$work"/out/task-*.log 2>/dev/null || true
  slurm_cluster_logs
fi
echo "total: $((SECONDS - t0)) s"
finish
