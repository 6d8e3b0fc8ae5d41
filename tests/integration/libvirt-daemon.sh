# libvirt-daemon.sh: a throw-away libvirt daemon for tests, from
# Debian's libvirt-daemon-system.  Sourced, not run.
#
#   libvirt_daemon_start DIR  start libvirtd with its configuration,
#                             state, cache, logs and sockets under DIR,
#                             wait until it answers, and set
#                             LIBVIRT_DAEMON_URI to reach it.  Returns 0
#                             when it answers, 77 when it cannot start on
#                             this host (the reason is on stderr), 1 on
#                             any other failure.
#   libvirt_daemon_stop       stop every guest's qemu it started and the
#                             daemon, each by its pid.  Safe to call
#                             twice, or when start failed.
#   libvirt_daemon_logs       print the end of the daemon's log, for a
#                             failure.
#
# A privileged libvirtd keeps its guests and state in fixed system
# folders (/etc/libvirt, /run/libvirt, /var/lib/libvirt, ...), so the
# daemon runs in a mount namespace of its own where DIR's folders are
# mounted over those: a guest defined here is not defined on the host,
# and a libvirtd the host runs is left alone.  /run gets a private tmpfs
# in that namespace first, so nothing is written outside DIR.  Its
# sockets are in DIR and visible outside the namespace: the URI is
# qemu:///system?socket=DIR/sock/libvirt-sock.
#
# The choices in qemu.conf, and why: the guests' qemu runs as root
# with no security driver and no ownership changes (the images are the
# test's files), without cgroups or per-guest /dev namespaces (a
# container without systemd has neither to give), and writes its log
# to a file instead of going through virtlogd (one daemon, not two).
# Guests must be <domain type='qemu'> (TCG): the test cannot count on
# KVM.
#
# The caller owns DIR and its removal; it must run libvirt_daemon_stop
# before removing it (an EXIT trap).
#
# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash

# shellcheck source=pids.sh
. "$(dirname "${BASH_SOURCE[0]}")/pids.sh"

LIBVIRT_DAEMON_DIR=
LIBVIRT_DAEMON_PID=
LIBVIRT_DAEMON_URI=
# How long the daemon may take to answer (it probes qemu at start).
: "${LIBVIRT_DAEMON_DEADLINE:=90}"

# The system folders a privileged libvirtd uses, each replaced by one of
# DIR's folders of the same name.
_LIBVIRT_SYSTEM_DIRS=(etc:/etc/libvirt lib:/var/lib/libvirt
  cache:/var/cache/libvirt log:/var/log/libvirt)

_libvirt_write_conf() {
  local dir=$1
  cat > "$dir/etc/libvirtd.conf" <<EOF
unix_sock_dir = "$dir/sock"
unix_sock_rw_perms = "0700"
auth_unix_rw = "none"
auth_unix_ro = "none"
log_outputs = "3:file:$dir/libvirtd.log"
EOF
  cat > "$dir/etc/qemu.conf" <<'EOF'
user = "root"
group = "root"
dynamic_ownership = 0
remember_owner = 0
security_driver = "none"
cgroup_controllers = [ ]
namespaces = [ ]
stdio_handler = "file"
EOF
}

# The script run inside the namespace: private /run, DIR's folders over
# the system ones, then libvirtd in the foreground (it stays our child;
# exec keeps its pid the one we started).
_libvirt_namespace_script() {
  local dir=$1 pair
  printf 'set -e\n'
  printf 'mount -t tmpfs -o mode=0755 libvirt-test-run /run\n'
  printf 'mkdir /run/libvirt\n'
  printf 'mount --bind %q /run/libvirt\n' "$dir/run"
  for pair in "${_LIBVIRT_SYSTEM_DIRS[@]}"; do
    printf 'mount --bind %q %q\n' "$dir/${pair%%:*}" "${pair#*:}"
  done
  printf 'exec libvirtd --config %q --pid-file %q\n' \
    "$dir/etc/libvirtd.conf" "$dir/libvirtd.pid"
}

_libvirt_check_host() {
  local tool pair
  for tool in libvirtd virsh unshare mount; do
    if ! command -v "$tool" >/dev/null; then
      echo "libvirt-daemon: $tool is not installed (Debian: libvirt-daemon-system, libvirt-clients)" >&2
      return 77
    fi
  done
  if [ "$(id -u)" -ne 0 ]; then
    echo "libvirt-daemon: a privileged libvirtd in its own mount namespace needs root" >&2
    return 77
  fi
  for pair in "${_LIBVIRT_SYSTEM_DIRS[@]}"; do
    if [ ! -d "${pair#*:}" ]; then
      echo "libvirt-daemon: ${pair#*:} is missing (Debian: libvirt-daemon-system)" >&2
      return 77
    fi
  done
  if ! unshare --mount --propagation private true 2>/dev/null; then
    echo "libvirt-daemon: cannot make a mount namespace here (unshare --mount)" >&2
    return 77
  fi
}

_libvirt_wait_answer() {
  local deadline=$((SECONDS + LIBVIRT_DAEMON_DEADLINE))
  while [ "$SECONDS" -lt "$deadline" ]; do
    if ! pid_running "$LIBVIRT_DAEMON_PID"; then
      echo "libvirt-daemon: libvirtd died at start:" >&2
      libvirt_daemon_logs >&2
      return 77
    fi
    if [ -S "$LIBVIRT_DAEMON_DIR/sock/libvirt-sock" ] &&
       timeout 20 virsh -q -c "$LIBVIRT_DAEMON_URI" list --all >/dev/null 2>&1; then
      return 0
    fi
    sleep 0.5
  done
  echo "libvirt-daemon: libvirtd does not answer after $LIBVIRT_DAEMON_DEADLINE s" >&2
  libvirt_daemon_logs >&2
  return 1
}

libvirt_daemon_start() {
  local dir=$1 sub
  _libvirt_check_host || return
  mkdir -p "$dir" && dir=$(cd "$dir" && pwd -P) || return 1
  LIBVIRT_DAEMON_DIR=$dir
  for sub in etc run lib cache log sock; do
    mkdir -p "$dir/$sub"
  done
  _libvirt_write_conf "$dir"
  _libvirt_namespace_script "$dir" > "$dir/namespace.sh"
  LIBVIRT_DAEMON_URI="qemu:///system?socket=$dir/sock/libvirt-sock"
  unshare --mount --propagation private -- bash "$dir/namespace.sh" \
    >> "$dir/libvirtd.out" 2>&1 &
  LIBVIRT_DAEMON_PID=$!
  _libvirt_wait_answer
}

# The qemu of every guest this daemon started: their pid files are in
# its private /run/libvirt/qemu, which is DIR/run/qemu.
_libvirt_qemu_pids() {
  local f pid
  for f in "$LIBVIRT_DAEMON_DIR"/run/qemu/*.pid; do
    [ -f "$f" ] || continue
    pid=$(cat "$f" 2>/dev/null) || continue
    case $(cat "/proc/$pid/comm" 2>/dev/null) in
    qemu*) echo "$pid" ;;
    esac
  done
}

libvirt_daemon_stop() {
  [ -n "$LIBVIRT_DAEMON_DIR" ] || return 0
  local qemus
  mapfile -t qemus < <(_libvirt_qemu_pids)
  if [ -n "$LIBVIRT_DAEMON_PID" ]; then
    pid_stop libvirt-daemon "$LIBVIRT_DAEMON_PID"
    wait "$LIBVIRT_DAEMON_PID" 2>/dev/null || true
  fi
  # A guest left running (a test that failed half-way) outlives its
  # daemon: libvirt daemonizes qemu.
  pid_stop libvirt-daemon "${qemus[@]}"
  LIBVIRT_DAEMON_PID=
  LIBVIRT_DAEMON_DIR=
}

libvirt_daemon_logs() {
  local f
  for f in "$LIBVIRT_DAEMON_DIR/libvirtd.out" "$LIBVIRT_DAEMON_DIR/libvirtd.log" \
           "$LIBVIRT_DAEMON_DIR"/log/qemu/*.log; do
    [ -s "$f" ] || continue
    echo "--- ${f#"$LIBVIRT_DAEMON_DIR"/} (end)"
    tail -n 20 "$f"
  done
}
