#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# meson install into a staging folder, then: the installed program runs
# (--version, --help) in a clean environment and finds its data,
# modules and translations under the prefix it sits in (the staging
# folder's), a copy outside any bindir only in the configured folders,
# both man pages render with man -l, and no installed file names the
# source or build tree of this machine (the old fallbacks in config.h
# did, and so does debug info without -ffile-prefix-map).
# test-install-fix.sh fixes a guest with the same staged program.
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
         "$stage$MANDIR/man3/bootfix-module.3" \
         "$stage$INSTALLED_DATADIR/schema/report.schema.json" \
         "$stage${LOCALEDIR:?}/ja/LC_MESSAGES/virt-bootfix.mo" \
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

# From the staging folder, with no variable, it finds the staged data
# and modules and gets as far as the disk, which does not exist: no
# appliance is started.
rc=0
installed -v --dry-run -a /nonexistent/disk.img --machine pc --bus ide \
  > "$out" 2>&1 || rc=$?
if [ "$rc" -eq 1 ] && grep -q 'disk image /nonexistent/disk.img' "$out" &&
   grep -q "module windows loaded from $stage$INSTALLED_MODULEDIR/" "$out"; then
  pass "the staged data and modules, found from the program's place"
else
  fail "staged data and modules: exit $rc"; cat "$out"
fi

# And the staged translations: the same error in Japanese.
rc=0
installed_with LANGUAGE=ja -- --dry-run -a /nonexistent/disk.img \
  --machine pc --bus ide > "$out" 2>&1 || rc=$?
ja_disk_image='ディスクイメージ /nonexistent/disk.img'  # "disk image ..."
if [ "$rc" -eq 1 ] && grep -q "$ja_disk_image" "$out"; then
  pass "LANGUAGE=ja: messages from the staged virt-bootfix.mo"
else
  fail "LANGUAGE=ja: exit $rc, no '$ja_disk_image'"; cat "$out"
fi

# A copy that sits in no bindir looks in the configured folders, which
# do not exist yet (this is a staging copy), and nowhere else.
mkdir "$stage/elsewhere"
cp "$installed_bin" "$stage/elsewhere/virt-bootfix"
rc=0
env -i PATH=/usr/bin:/bin LC_ALL=C "$stage/elsewhere/virt-bootfix" --dry-run \
  -a /nonexistent/disk.img --machine pc --bus ide > "$out" 2>&1 || rc=$?
if grep -qF -e "$MESON_SOURCE_ROOT" -e "$MESON_BUILD_ROOT" "$out"; then
  fail "outside a bindir it looked in this tree:"; cat "$out"
elif [ -d "$INSTALLED_DATADIR" ] || grep -qF "$INSTALLED_DATADIR" "$out"; then
  pass "outside a bindir: the configured folders only"
else
  fail "outside a bindir: exit $rc, no word of $INSTALLED_DATADIR"; cat "$out"
fi
rm -r "$stage/elsewhere"

# man -l renders both pages, each with its NAME.
for page in man1/virt-bootfix.1:virt-bootfix man3/bootfix-module.3:bootfix-module; do
  file=$stage$MANDIR/${page%%:*}
  if ! command -v man > /dev/null; then
    fail "man is not installed (Debian: man-db)"
    break
  elif MANWIDTH=80 man -l "$file" 2> "$out.err" | grep -q "^ *${page#*:} - " &&
       [ ! -s "$out.err" ]; then
    pass "man -l ${page%%:*}"
  else
    fail "man -l ${page%%:*}"; cat "$out.err"
  fi
done
rm -f "$out.err"

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
