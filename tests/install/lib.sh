# SPDX-License-Identifier: LGPL-2.1-or-later
# lib.sh: what the install tests share.  Sourced, not run.
#
# Installs this build into a private staging folder ($stage, removed on
# exit) with meson install --destdir, and runs the installed program
# there (installed, installed_with): a clean environment, as a program
# run by hand gets, with no variable that points it at its folders.  It
# finds them from its own place (src/common/dirs.c: the prefix above
# its bindir), so the staged copy uses the staged data, modules and
# translations.
# shellcheck shell=bash
set -euo pipefail

: "${MESON_BUILD_ROOT:?}" "${PREFIX:?}" "${BINDIR:?}" "${LIBDIR:?}"
: "${INSTALLED_DATADIR:?}" "${INSTALLED_MODULEDIR:?}" "${VERSION:?}"

stage=$(mktemp -d "${TMPDIR:-/tmp}/bootfix-install-XXXXXX")
trap 'rm -rf "$stage"' EXIT
failures=0

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }

# The build is up to date: meson test built it before running us.
meson install -C "$MESON_BUILD_ROOT" --no-rebuild --quiet --destdir "$stage" \
  > "$stage.log" 2>&1 || { cat "$stage.log"; rm -f "$stage.log"; exit 1; }
rm -f "$stage.log"
installed_bin=$stage$BINDIR/virt-bootfix

# installed_with VAR=VALUE... -- ARGS...: the staged program with
# nothing from this shell but PATH, a UTF-8 locale and the VARs.
installed_with() {
  local vars=()
  while [ "$1" != -- ]; do vars+=("$1"); shift; done
  shift
  env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8 "${vars[@]}" \
    "$installed_bin" "$@"
}

# installed ARGS...: the same with no VAR.
installed() { installed_with -- "$@"; }

finish() {
  [ "$failures" -eq 0 ] || { echo "$failures failed"; exit 1; }
  echo "all passed"
}
