# slurm-cluster.sh: a throw-away single-node Slurm cluster on localhost,
# for tests.  Sourced, not run.
#
#   slurm_cluster_start DIR   start munged, slurmctld and slurmd with
#                             everything (key, config, state, spool, logs,
#                             pids, sockets) under DIR, and wait until the
#                             node is idle.  Returns 0 when it is, 77 when
#                             the daemons cannot start on this host (the
#                             reason is on stderr), 1 on any other failure.
#   slurm_run CMD [ARG...]    run CMD (sbatch, sinfo, squeue...) against
#                             this cluster: with SLURM_CONF set for CMD
#                             alone (see _slurm_own_pids for why).
#   slurm_cluster_stop        cancel every job, stop every process the
#                             cluster started (daemons, job steps, the
#                             jobs' own processes), each by its pid.
#                             Safe to call twice, or when start failed.
#   slurm_cluster_logs        print the end of each daemon's standard error
#                             (in the foreground they log everything there
#                             too), for a failure.
#
# Nothing outside DIR is written, the host's munge key and /etc/slurm are
# not used (Slurm reads its other config files next to slurm.conf), a
# munged or slurmctld the host runs is left alone (ours has its own
# socket and ports), and no service is enabled.
# The caller owns DIR and its removal; it must run slurm_cluster_stop
# before removing it (an EXIT trap).
#
# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash

# shellcheck source=pids.sh
. "$(dirname "${BASH_SOURCE[0]}")/pids.sh"

SLURM_CLUSTER_DIR=
SLURM_CLUSTER_CONF=
SLURM_CLUSTER_PIDS=() # munged first, then slurmctld and slurmd
# How long the node may take to register and become idle.
: "${SLURM_CLUSTER_DEADLINE:=60}"

# A TCP port nobody listens on now (the kernel's choice).
_slurm_free_port() {
  python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# The node line slurmd -C measures (CPUs, sockets, cores, threads,
# RealMemory), renamed to "localhost".
_slurm_node_line() {
  local line
  line=$(slurmd -C 2>/dev/null | grep '^NodeName=') || return 1
  printf 'NodeName=localhost NodeAddr=127.0.0.1 %s State=UNKNOWN\n' \
    "${line#NodeName=* }"
}

# The choices, and why (docs of each parameter: man slurm.conf):
# - auth/munge through our own munged (AuthInfo socket=...): Debian's
#   slurm has no other working authentication between the daemons;
# - SlurmUser/SlurmdUser root: the test runs as root, and the state and
#   spool folders are ours;
# - proctrack/linuxproc, task/none, jobacct_gather/none: they follow a
#   job's processes by parent pid and need no cgroup, so they work in a
#   container whose cgroup tree is read-only or v1/v2 hybrid;
# - select/cons_tres with CR_Core: array tasks share the node one core
#   each, as on a real cluster, instead of one task per node;
# - ReturnToService=2: the node goes idle as soon as it registers;
# - KillWait=5: a cancelled job gets 5 s between SIGTERM and SIGKILL
#   (not 30), so a teardown after a failure is quick;
# - PlugStackConfig empty, MailProg /bin/true: no system file read, no
#   mail binary needed.
_slurm_write_conf() {
  local dir=$1 node_line=$2 ctld_port=$3 slurmd_port=$4
  : > "$dir/plugstack.conf"
  cat > "$dir/slurm.conf" <<EOF
ClusterName=bootfixtest
SlurmctldHost=localhost
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
PlugStackConfig=$dir/plugstack.conf
MailProg=/bin/true
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
KillWait=5
$node_line
PartitionName=test Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
}

# munged as root with its own key, socket, pid file, log and seed, in
# the foreground (-F) so that it stays our child (an orphan may wait as
# a zombie until PID 1 reaps it).  --force: munged refuses a socket
# below a folder that is not searchable by all, and mktemp's are not.
_slurm_start_munged() {
  local dir=$1 deadline=$((SECONDS + 10))
  # munged wants its socket's folder searchable by all; the key is 0400.
  mkdir -p "$dir/munge"
  chmod 0755 "$dir/munge"
  dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
  chmod 0400 "$dir/munge/munge.key"
  SLURM_CONF=$SLURM_CLUSTER_CONF munged -F --force --socket="$dir/munge/munge.socket" \
    --key-file="$dir/munge/munge.key" --pid-file="$dir/munge/munged.pid" \
    --log-file="$dir/log/munged.log" --seed-file="$dir/munge/munged.seed" \
    >>"$dir/log/munged.out" 2>&1 &
  SLURM_CLUSTER_PIDS+=("$!")
  while [ ! -S "$dir/munge/munge.socket" ]; do
    if ! pid_running "$!" || [ "$SECONDS" -ge "$deadline" ]; then
      echo "slurm-cluster: munged does not start here:" >&2
      slurm_cluster_logs >&2
      return 77
    fi
    sleep 0.1
  done
}

# DAEMON NAME: started in the foreground (-D), in the background; dies
# at once only when it cannot run here.
_slurm_start_daemon() {
  local dir=$1 name=$2
  shift 2
  # Not through slurm_run: $! must be the daemon itself, not a subshell.
  SLURM_CONF=$SLURM_CLUSTER_CONF "$name" -D "$@" >>"$dir/log/$name.out" 2>&1 &
  SLURM_CLUSTER_PIDS+=("$!")
}

# Wait until sinfo shows the node idle; 77 when a daemon died first.
_slurm_wait_idle() {
  local deadline=$((SECONDS + SLURM_CLUSTER_DEADLINE)) state pid
  while [ "$SECONDS" -lt "$deadline" ]; do
    state=$(slurm_run sinfo -h -n localhost -o %T 2>/dev/null || true)
    [ "$state" = idle ] && return 0
    for pid in "${SLURM_CLUSTER_PIDS[@]}"; do
      if ! pid_running "$pid"; then
        echo "slurm-cluster: a Slurm daemon (pid $pid) died at start:" >&2
        slurm_cluster_logs >&2
        return 77
      fi
    done
    sleep 0.5
  done
  echo "slurm-cluster: the node is not idle after ${SLURM_CLUSTER_DEADLINE} s (state '${state:-none}')" >&2
  slurm_cluster_logs >&2
  return 1
}

slurm_cluster_start() {
  local dir=$1 tool node_line
  for tool in munged slurmctld slurmd sbatch sinfo squeue scancel python3; do
    if ! command -v "$tool" >/dev/null; then
      echo "slurm-cluster: $tool is not installed (Debian: slurm-wlm, munge)" >&2
      return 77
    fi
  done
  if [ "$(id -u)" -ne 0 ]; then
    echo "slurm-cluster: the daemons run as SlurmUser root; run the test as root" >&2
    return 77
  fi
  mkdir -p "$dir" && dir=$(cd "$dir" && pwd -P) || return 1
  SLURM_CLUSTER_DIR=$dir
  mkdir -p "$dir/state" "$dir/spool" "$dir/run" "$dir/log"
  node_line=$(_slurm_node_line) || {
    echo "slurm-cluster: slurmd -C cannot describe this host" >&2
    return 77
  }
  _slurm_write_conf "$dir" "$node_line" "$(_slurm_free_port)" "$(_slurm_free_port)"
  SLURM_CLUSTER_CONF=$dir/slurm.conf
  _slurm_start_munged "$dir" || return
  _slurm_start_daemon "$dir" slurmctld -c -f "$SLURM_CLUSTER_CONF"
  _slurm_start_daemon "$dir" slurmd -N localhost -f "$SLURM_CLUSTER_CONF"
  _slurm_wait_idle
}

slurm_run() {
  SLURM_CONF=$SLURM_CLUSTER_CONF "$@"
}

# Every process whose environment names our slurm.conf: the daemons, the
# slurmstepd of each job (it leaves slurmd's process tree) and the jobs'
# own processes (sbatch exports the submitter's environment).  The
# caller's shell never exports SLURM_CONF (slurm_run sets it per command),
# so neither it nor its helpers match.
_slurm_own_pids() {
  [ -n "$SLURM_CLUSTER_CONF" ] || return 0
  # One grep over every environment (NUL-separated): fast even with
  # hundreds of processes.  Kernel threads and processes that ended
  # meanwhile cannot be read; they are not ours.
  grep -lzxF "SLURM_CONF=$SLURM_CLUSTER_CONF" /proc/[0-9]*/environ 2>/dev/null |
    sed -e 's|^/proc/||' -e 's|/environ$||' || true
}

# scancel every job and wait (20 s at most) until slurmctld has seen
# them end, while slurmd can still stop their steps the normal way.
# Only when munged and slurmctld run: a client retries a dead one.
_slurm_cancel_jobs() {
  local deadline=$((SECONDS + 20))
  [ "${#SLURM_CLUSTER_PIDS[@]}" -ge 2 ] &&
    pid_running "${SLURM_CLUSTER_PIDS[0]}" &&
    pid_running "${SLURM_CLUSTER_PIDS[1]}" || return 0
  timeout 10 env SLURM_CONF="$SLURM_CLUSTER_CONF" \
    scancel --quiet --user=root 2>/dev/null || return 0
  while [ "$SECONDS" -lt "$deadline" ]; do
    [ -z "$(timeout 10 env SLURM_CONF="$SLURM_CLUSTER_CONF" squeue -h -o %i 2>/dev/null)" ] &&
      return 0
    sleep 0.5
  done
}

slurm_cluster_stop() {
  local pid daemons
  [ -n "$SLURM_CLUSTER_CONF" ] || return 0
  _slurm_cancel_jobs
  if [ "${#SLURM_CLUSTER_PIDS[@]}" -gt 0 ]; then
    # slurmctld (it stops its own slurmscriptd), then slurmd; each is
    # our child: reap it.
    for pid in "${SLURM_CLUSTER_PIDS[@]:1}"; do
      pid_stop slurm-cluster "$pid"
      wait "$pid" 2>/dev/null || true
    done
  fi
  # What the jobs left behind (a step or a process that outlived its
  # job), but munged, which the others need to the end.
  daemons=" ${SLURM_CLUSTER_PIDS[*]} "
  # shellcheck disable=SC2046 # one pid per word
  pid_stop slurm-cluster $(_slurm_own_pids | while read -r pid; do
    [[ $daemons == *" $pid "* ]] || echo "$pid"
  done)
  if [ "${#SLURM_CLUSTER_PIDS[@]}" -gt 0 ]; then
    pid_stop slurm-cluster "${SLURM_CLUSTER_PIDS[0]}"
    wait "${SLURM_CLUSTER_PIDS[0]}" 2>/dev/null || true
  fi
  SLURM_CLUSTER_PIDS=()
  SLURM_CLUSTER_DIR=
  SLURM_CLUSTER_CONF=
}

slurm_cluster_logs() {
  local f
  [ -n "$SLURM_CLUSTER_DIR" ] || return 0
  for f in "$SLURM_CLUSTER_DIR"/log/*.out; do
    [ -s "$f" ] || continue
    echo "---- $(basename "$f") (last 30 lines)"
    tail -n 30 "$f"
  done
}
