#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The installed program fixes a guest: meson install into a staging
# folder, then the staged virt-bootfix, in a clean environment (PATH, a
# UTF-8 locale and LANGUAGE=ja; no BOOTFIX_DATADIR or BOOTFIX_MODULEDIR),
# fixes a copy of the phony Windows 7 guest: exit 0, status "fixed" in
# a --json report that matches the report schema, its journal
# committed, the image changed, and the progress in Japanese from the
# staged translations.  One appliance launch; exit 77 when no appliance
# can start here.
#
# Environment (set by meson): see lib.sh, and MESON_SOURCE_ROOT,
# BUILD_GUESTS, MKHIVE, PHONY_DIR.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
: "${MESON_SOURCE_ROOT:?}" "${BUILD_GUESTS:?}" "${MKHIVE:?}" "${PHONY_DIR:?}"

rc=0
"$BUILD_GUESTS" "$PHONY_DIR" "$MKHIVE" >&2 || rc=$?
if [ "$rc" -eq 77 ]; then
  echo "SKIP: no libguestfs appliance can start here"
  exit 77
fi
[ "$rc" -eq 0 ] || { echo "building the phony guests failed ($rc)"; exit 1; }

guest=$stage/guest
mkdir "$guest"
cp --sparse=always "$PHONY_DIR/win7.img" "$guest/win7.img"
sed "s|$PHONY_DIR/win7.img|$guest/win7.img|" "$PHONY_DIR/win7.xml" > "$guest/win7.xml"
grep -qF "$guest/win7.img" "$guest/win7.xml" ||
  { echo "FAIL: the phony win7.xml does not name $PHONY_DIR/win7.img"; exit 1; }
before=$(sha256sum < "$guest/win7.img")

out=$guest/fix.out
rc=0
installed_with LANGUAGE=ja -- --json "$guest/fix.json" -d "$guest/win7.xml" \
  > "$out" 2>&1 || rc=$?
if [ "$rc" -eq 0 ]; then pass "exit status 0"; else fail "exit status $rc"; cat "$out"; fi

status=$(jq -r '.guests[0].status' "$guest/fix.json" 2>&1 || true)
if [ "$status" = fixed ]; then pass "status fixed"; else fail "status '$status'"; fi

journal=$(jq -r '.guests[0].journal' "$guest/fix.json" 2>/dev/null || true)
state=$(jq -r .state "$journal/journal.json" 2>/dev/null || echo none)
if [ "$state" = committed ]; then pass "journal committed"; else fail "journal state '$state'"; fi

if [ "$(sha256sum < "$guest/win7.img")" != "$before" ]; then
  pass "the image changed"
else
  fail "the image did not change"
fi

# "Guest win7", the first progress line, in Japanese.
if grep -q 'ゲスト win7' "$out"; then
  pass "progress in Japanese (the staged virt-bootfix.mo)"
else
  fail "no Japanese progress:"; cat "$out"
fi

vrc=0
python3 "$MESON_SOURCE_ROOT/scripts/validate-reports.py" "$guest/fix.json" \
  > "$guest/schema.out" 2>&1 || vrc=$?
if [ "$vrc" -eq 0 ]; then
  pass "the report matches data/schema/report.schema.json"
else
  fail "the report against the schema (exit $vrc):"; cat "$guest/schema.out"
fi
finish
