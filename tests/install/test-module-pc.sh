#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A module author's build, outside this tree: after meson install, the
# test module's source alone is compiled with the flags of the installed
# virt-bootfix-module.pc, put in the .pc's moduledir, and the installed
# program loads it.
#
# Environment (set by meson): see lib.sh, and CC, TEST_MODULE_DIR.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
: "${CC:?}" "${TEST_MODULE_DIR:?}"

pkgconfig() { # the staged .pc, moved to the staging folder
  PKG_CONFIG_LIBDIR="$stage$LIBDIR/pkgconfig" PKG_CONFIG_PATH='' \
    pkg-config --define-variable=prefix="$stage$PREFIX" "$@" virt-bootfix-module
}

if ! pkgconfig --exists; then
  echo "FAIL: virt-bootfix-module.pc not installed under $LIBDIR/pkgconfig"
  exit 1
fi
cflags=$(pkgconfig --cflags)
moduledir=$(pkgconfig --variable=moduledir)
if [ "$moduledir" = "$stage$INSTALLED_MODULEDIR" ]; then
  pass "moduledir is where meson installs the modules"
else
  fail "moduledir '$moduledir', expected '$stage$INSTALLED_MODULEDIR'"
fi
if [ "$(pkgconfig --modversion)" = "$VERSION" ]; then pass "version"; else fail "version"; fi

# Only the module's own files, away from the source tree.
src=$stage/author
mkdir "$src"
cp "$TEST_MODULE_DIR/test-module.c" "$TEST_MODULE_DIR/test-module.h" "$src/"
# shellcheck disable=SC2086 # CC and cflags are word lists
if $CC -std=c11 -Wall -Werror -fPIC -shared $cflags \
     -DTEST_MODULE_NAME='"out-of-tree"' \
     -o "$src/out-of-tree.so" "$src/test-module.c" 2> "$src/cc.log"; then
  pass "built against the installed header ($cflags)"
else
  fail "build failed"; cat "$src/cc.log"; exit 1
fi
install -m 0644 "$src/out-of-tree.so" "$moduledir/"

# Loaded next to the shipped modules; the disk does not exist, so no
# appliance starts.
out=$src/run.log
rc=0
installed -v --dry-run -a /nonexistent/disk.img --machine pc --bus ide \
  > "$out" 2>&1 || rc=$?
if [ "$rc" -eq 1 ] &&
   grep -q "module out-of-tree loaded from $moduledir/out-of-tree.so" "$out"; then
  pass "the installed program loads the module"
else
  fail "module not loaded (exit $rc)"; cat "$out"
fi
finish
