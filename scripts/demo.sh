#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The demo: set everything up, build a phony Windows 7 guest restored
# onto a new disk, which would die twice on QEMU: STOP 0x7B on the PIIX3
# IDE controller (Services\intelide Start=3), and 0xc000000e in bootmgr
# (its BCD store on System Reserved still names the old disk signature).
# Show what virt-bootfix would change, fix both in one pass, show the
# report, and run again to show there is nothing left to do.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD

./scripts/setup.sh

demo=$top/build/demo
phony=$top/build/phony-guests
mkdir -p "$demo"
. scripts/choose-accel.sh

echo
echo "== Building the phony guests (cached after the first run)"
./tests/phony/build-guests.sh "$phony" build/tests/phony/mkhive

# A private copy, so the demo can run again and again.
guest=win7-sysres
cp --sparse=always "$phony/$guest.img" "$demo/$guest.img"
sed -e "s|$phony/$guest.img|$demo/$guest.img|" "$phony/$guest.xml" > "$demo/$guest.xml"

echo
echo "== The guest's libvirt domain ($demo/$guest.xml)"
cat "$demo/$guest.xml"

# The build tree's data and modules, as meson hands them to the tests
# (the binary itself knows only its installed folders).
eval "$(meson devenv -C build --dump)"
echo
echo "== virt-bootfix --dry-run --domain-xml $guest.xml   (changes nothing)"
env -u LIBGUESTFS_BACKEND_SETTINGS build/src/cli/virt-bootfix --dry-run --domain-xml "$demo/$guest.xml"

echo
echo "== virt-bootfix --domain-xml $guest.xml --json report.json"
env -u LIBGUESTFS_BACKEND_SETTINGS build/src/cli/virt-bootfix --domain-xml "$demo/$guest.xml" --json "$demo/report.json"

echo
echo "== The JSON report ($demo/report.json)"
cat "$demo/report.json"

echo
echo "== Running it again: nothing left to do"
env -u LIBGUESTFS_BACKEND_SETTINGS build/src/cli/virt-bootfix --domain-xml "$demo/$guest.xml"
