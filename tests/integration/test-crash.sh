#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Crash safety: kill virt-bootfix with SIGKILL at checkpoint N of a fix
# (BOOTFIX_DEBUG_KILL_AT) and check that the guest is then either
# unchanged, or half-written with a journal that --undo rolls back
# byte for byte, or fully fixed; and that every SYSTEM hive still opens
# with hivex and reglookup.
#
# KILL_POINTS lists the checkpoints (CI: a few; the slow suite: all).
# Environment as for test-fix.sh.  Exit 77 when no appliance can start.
set -euo pipefail

: "${VIRT_BOOTFIX:?}" "${BUILD_GUESTS:?}" "${PHONY_DIR:?}"
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh" crash
points=${KILL_POINTS:-$(seq 1 23)}

build_phony_guests 2>/dev/null

pristine=$(sha256sum "$PHONY_DIR/win7.img" | cut -d' ' -f1)
declare -A outcome

for k in $points; do
  name=crash-$k
  cp --sparse=always "$PHONY_DIR/win7.img" "$work/$name.img"
  sed -e "s|<name>[^<]*</name>|<name>$name</name>|" \
      -e "s|$PHONY_DIR/win7.img|$work/$name.img|" "$PHONY_DIR/win7.xml" > "$work/$name.xml"
  got=0
  env -u LIBGUESTFS_BACKEND_SETTINGS BOOTFIX_DEBUG_KILL_AT="$k" \
    "$VIRT_BOOTFIX" -q --domain "$work/$name.xml" > "$work/$name.log" 2>&1 || got=$?
  journal=$(find "$work" -maxdepth 1 -name "virt-bootfix-$name-*.journal" | head -1)
  state=$( [ -n "$journal" ] && [ -f "$journal/journal.json" ] && jq -r .state "$journal/journal.json" || echo none)
  now=$(sha256sum "$work/$name.img" | cut -d' ' -f1)
  if [ "$now" = "$pristine" ]; then
    outcome[$k]=unchanged
  elif [ "$state" = committing ]; then
    if "$VIRT_BOOTFIX" -q --undo "$journal" >> "$work/$name.log" 2>&1 &&
       [ "$(sha256sum "$work/$name.img" | cut -d' ' -f1)" = "$pristine" ]; then
      outcome[$k]=rolled-back
    else
      outcome[$k]=broken
    fi
  elif [ "$state" = committed ]; then
    outcome[$k]=fixed
  else
    outcome[$k]=broken
  fi
  if [ "${outcome[$k]}" = broken ]; then
    fail "kill at $k (exit $got, journal $state): image neither unchanged, nor rolled back, nor fixed"
    sed 's/^/    /' "$work/$name.log"
  else
    pass "kill at $k (exit $got, journal $state): ${outcome[$k]}"
  fi
done

# Every image's SYSTEM hive must still parse, fetched in one launch.
script="run"$'\n'
args=()
i=0
for k in $points; do
  args+=(-a "$work/crash-$k.img")
  dev="/dev/sd$(printf "\\x$(printf %x $((97 + i)))")1"
  script+="mount $dev /"$'\n'"download /Windows/System32/config/SYSTEM $work/crash-$k.SYSTEM"$'\n'"umount /"$'\n'
  i=$((i + 1))
done
printf '%s' "$script" | guestfish --ro "${args[@]}"

for k in $points; do
  hive=$work/crash-$k.SYSTEM
  start=$(hivexget "$hive" 'ControlSet001\Services\intelide' Start 2>/dev/null || echo unreadable)
  want=3
  [ "${outcome[$k]}" = fixed ] && want=0
  if [ "$start" = "$want" ]; then pass "kill at $k: hive opens with hivex, intelide Start=$start"
  else fail "kill at $k: intelide Start is '$start', expected $want"; fi
  if reglookup -H "$hive" > /dev/null 2>&1; then pass "kill at $k: reglookup parses the hive"
  else fail "kill at $k: reglookup cannot parse the hive"; fi
done

finish
