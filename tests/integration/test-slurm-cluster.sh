#!/usr/bin/env bash
# The Slurm harness alone (slurm-cluster.sh), no appliance: start a
# throw-away single-node cluster, run a three-task array job that writes
# its task id into a file per task, check each task ran exactly once, and
# that the teardown leaves no process of the cluster behind.  About 15 s;
# test-slurm.sh builds on the same harness.
#
# Exit 77 only when the daemons cannot start on this host (no slurm-wlm
# or munge, not root, a daemon that dies at start); the reason is on
# stderr.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
set -euo pipefail

# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh" slurm-cluster
# shellcheck source=slurm-cluster.sh
. "$(dirname "$0")/slurm-cluster.sh"
trap 'slurm_cluster_stop; rm -rf "$work"' EXIT
trap 'exit 143' INT TERM HUP # so that the EXIT trap runs

t0=$SECONDS
rc=0
slurm_cluster_start "$work/cluster" || rc=$?
if [ "$rc" -eq 77 ]; then
  echo "SKIP: no Slurm cluster can start here (see above)"
  exit 77
fi
[ "$rc" -eq 0 ] || { echo "FAIL: the Slurm cluster did not come up"; exit 1; }
t_up=$SECONDS
pass "single-node cluster idle after $((t_up - t0)) s"

# Each task writes its id and its array's job id; the file name is the
# task id too, so a task run twice or a missing one shows.
mkdir "$work/out"
cat > "$work/task.sh" <<'EOF'
#!/bin/bash
printf '%s %s %s\n' "$SLURM_ARRAY_TASK_ID" "$SLURM_ARRAY_JOB_ID" "$SLURM_ARRAY_TASK_COUNT" \
  >> "out/task.$SLURM_ARRAY_TASK_ID"
EOF
chmod +x "$work/task.sh"
job_rc=0
slurm_run sbatch --parsable --array=0-2 --wait --chdir="$work" \
  --output="$work/out/slurm-%A_%a.log" "$work/task.sh" > "$work/sbatch.out" || job_rc=$?
t_job=$SECONDS
expect_eq "sbatch --wait exit status" "$job_rc" 0
array_id=$(head -n 1 "$work/sbatch.out")
for k in 0 1 2; do
  expect_eq "task $k ran once" "$(cat "$work/out/task.$k" 2>/dev/null)" "$k $array_id 3"
done
expect_eq "no other task" "$(find "$work/out" -name 'task.*' | wc -l)" 3

conf=$SLURM_CLUSTER_CONF
slurm_cluster_stop
t_down=$SECONDS
leftover=$(grep -lzxF "SLURM_CONF=$conf" /proc/[0-9]*/environ 2>/dev/null || true)
expect_eq "processes of the cluster left after the teardown" "$leftover" ""
echo "timing: start $((t_up - t0)) s, array job $((t_job - t_up)) s, teardown $((t_down - t_job)) s"
if [ "$failures" -ne 0 ]; then
  echo "---- the cluster's logs"
  tail -n 20 "$work"/cluster/log/*.out "$work"/out/slurm-*.log 2>/dev/null || true
fi
finish
