# pids.sh: stopping the daemons a test started, each by its pid.
# Sourced, not run (by libvirt-daemon.sh and slurm-cluster.sh).
#
#   pid_running PID         is PID running?  A zombie is not: a daemon
#                           the test started stays one until the shell
#                           reaps it, which bash may put off (kill -0
#                           succeeds on it).
#   pid_stop WHO PID...     SIGTERM to every PID, then SIGKILL to those
#                           still running 10 s later, saying so on
#                           stderr as WHO.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash

pid_running() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) } # after the command name, which may hold blanks
  [ "${stat%% *}" != Z ]
}

pid_stop() {
  local who=$1 pid left deadline=$((SECONDS + 10))
  shift
  [ "$#" -gt 0 ] || return 0
  kill -TERM "$@" 2>/dev/null || true
  while [ "$SECONDS" -lt "$deadline" ]; do
    left=()
    for pid in "$@"; do
      pid_running "$pid" && left+=("$pid")
    done
    [ "${#left[@]}" -eq 0 ] && return 0
    sleep 0.2
  done
  echo "$who: pid ${left[*]} ignored SIGTERM for 10 s, killed" >&2
  kill -KILL "${left[@]}" 2>/dev/null || true
}
