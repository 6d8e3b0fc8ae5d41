#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# meson install into a staging folder, then: the installed program runs
# (--version, --help), finds its data and modules in the installed
# folders only, and no installed file names the source or build tree of
# this machine (the old fallbacks in config.h did, and so does debug
# info without -ffile-prefix-map).
#
# Environment (set by meson): see lib.sh, and MESON_SOURCE_ROOT.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
: "${MESON_SOURCE_ROOT:?}"

out=$stage.out
trap 'rm -rf "$stage" "$out"' EXIT

for f in "$installed_bin" "$stage$INSTALLED_DATADIR/controllers.xml" \
         "$stage$INSTALLED_MODULEDIR/bootfix-windows.so" \
         "$stage$INSTALLED_MODULEDIR/bootfix-bootchain.so" \
         "$stage${MANDIR:?}/man1/virt-bootfix.1" \
         "$stage${COMPLETIONSDIR:?}/virt-bootfix"; do
  if [ -f "$f" ]; then pass "installed ${f#"$stage"}"; else fail "not installed: ${f#"$stage"}"; fi
done

if [ "$(installed --version)" = "virt-bootfix $VERSION" ]; then
  pass "--version"
else
  fail "--version printed '$(installed --version 2>&1)'"
fi
if installed --help > "$out" 2>&1 && grep -q -- '--dry-run' "$out"; then
  pass "--help"
else
  fail "--help"; cat "$out"
fi

# With the staged folders it gets past data and modules to the disk,
# which does not exist: no appliance is started.
rc=0
installed -v --dry-run -a /nonexistent/disk.img --machine pc --bus ide \
  > "$out" 2>&1 || rc=$?
if [ "$rc" -eq 1 ] && grep -q 'disk image /nonexistent/disk.img' "$out" &&
   grep -q "module windows loaded from $stage$INSTALLED_MODULEDIR/" "$out"; then
  pass "staged data and modules load"
else
  fail "staged data and modules: exit $rc"; cat "$out"
fi

# Without the variables it looks in the installed folders, which do not
# exist yet (this is a staging copy), and nowhere else.
rc=0
env -i PATH=/usr/bin:/bin LC_ALL=C "$installed_bin" --dry-run \
  -a /nonexistent/disk.img --machine pc --bus ide > "$out" 2>&1 || rc=$?
if grep -qF -e "$MESON_SOURCE_ROOT" -e "$MESON_BUILD_ROOT" "$out"; then
  fail "without BOOTFIX_DATADIR it looked in this tree:"; cat "$out"
elif [ -d "$INSTALLED_DATADIR" ] || grep -qF "$INSTALLED_DATADIR" "$out"; then
  pass "without the variables: the installed folders only"
else
  fail "without the variables: exit $rc, no word of $INSTALLED_DATADIR"; cat "$out"
fi

# The tree's paths, absolute: in no installed file, binaries included.
for tree in "$MESON_SOURCE_ROOT" "$MESON_BUILD_ROOT"; do
  found=$(grep -rlF -- "$tree" "$stage" || true)
  count=$({ grep -rcF -- "$tree" "$stage" || true; } |
          awk -F: '{ n += $NF } END { print n + 0 }')
  if [ "$count" -eq 0 ]; then
    pass "no installed file contains $tree"
  else
    fail "$count occurrences of $tree in: ${found//$'\n'/ }"
  fi
done
finish
