#!/usr/bin/env bash
# The demo: set everything up, build a phony Windows 7 guest that dies
# with STOP 0x7B on QEMU's PIIX3 IDE controller (Services\intelide
# Start=3), show what virt-bootfix would change, fix it, show the report.
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
cp --sparse=always "$phony/win7.img" "$demo/win7.img"
sed -e "s|$phony/win7.img|$demo/win7.img|" "$phony/win7.xml" > "$demo/win7.xml"

echo
echo "== The guest's libvirt domain ($demo/win7.xml)"
cat "$demo/win7.xml"

export BOOTFIX_DATADIR=$top/data BOOTFIX_MODULEDIR=$top/build/plugin
echo
echo "== virt-bootfix --dry-run --domain win7.xml   (changes nothing)"
env -u LIBGUESTFS_BACKEND_SETTINGS build/src/cli/virt-bootfix --dry-run --domain "$demo/win7.xml"

echo
echo "== virt-bootfix --domain win7.xml --json report.json"
env -u LIBGUESTFS_BACKEND_SETTINGS build/src/cli/virt-bootfix --domain "$demo/win7.xml" --json "$demo/report.json"

echo
echo "== The JSON report ($demo/report.json)"
cat "$demo/report.json"

echo
echo "== Running it again: nothing left to do"
env -u LIBGUESTFS_BACKEND_SETTINGS build/src/cli/virt-bootfix --domain "$demo/win7.xml"
