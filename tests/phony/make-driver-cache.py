#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Write the driver cache of the phony guest xp-cab (build-guests.sh).

Usage: make-driver-cache.py DIR
  DIR: the guest's WINDOWS/Driver Cache/i386 (created if missing)

XP's setup keeps every inbox driver in Driver Cache\\i386\\driver.cab and
the newer copies of a service pack in spN.cab beside it; a reader must
prefer the highest N (docs/storage-fixups.md, "Driver cache cabinets").
xp-cab lacks intelide.sys and pciide.sys in system32\\drivers; they are
here:

  sp3.cab     one MSZIP folder: intelide.sys, pciide.sys, pciidex.sys
              (the SP3 copies; the newest cabinet)
  driver.cab  one stored folder: atapi.sys, intelide.sys, pciidex.sys
              (the RTM copies: intelide.sys has other bytes than in
              sp3.cab, so a reader that takes it from driver.cab is
              caught)

Each file's bytes are CONTENTS[(cabinet, name)] below: one line of ASCII
text naming the file and the cabinet.  The cabinets are built by the
writer of the unit tests' cabinets (tests/unit/data/cabinet/make-cabs.py,
imported), with fixed dates, so the output is the same on every run.
"""
import importlib.util
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
MAKE_CABS = os.path.join(HERE, "..", "unit", "data", "cabinet",
                         "make-cabs.py")

# (cabinet, member name) -> bytes.  Tests may read these from here.
CONTENTS = {
    ("sp3.cab", "intelide.sys"): b"phony intelide.sys, XP SP3 (sp3.cab)\r\n",
    ("sp3.cab", "pciide.sys"): b"phony pciide.sys, XP SP3 (sp3.cab)\r\n",
    ("sp3.cab", "pciidex.sys"): b"phony pciidex.sys, XP SP3 (sp3.cab)\r\n",
    ("driver.cab", "atapi.sys"): b"phony atapi.sys, XP RTM (driver.cab)\r\n",
    ("driver.cab", "intelide.sys"):
        b"phony intelide.sys, XP RTM (driver.cab)\r\n",
    ("driver.cab", "pciidex.sys"):
        b"phony pciidex.sys, XP RTM (driver.cab)\r\n",
}


def dos_date(year, month, day):
    return ((year - 1980) << 9) | (month << 5) | day


def load_make_cabs():
    spec = importlib.util.spec_from_file_location("make_cabs", MAKE_CABS)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def members(cab):
    return [(name, data) for (c, name), data in CONTENTS.items() if c == cab]


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    mc = load_make_cabs()
    # File dates: XP RTM (2001-08-23) and SP3 (2008-04-14).
    cabs = (
        ("driver.cab", dos_date(2001, 8, 23), mc.NONE, mc.blocks_stored),
        ("sp3.cab", dos_date(2008, 4, 14), mc.MSZIP, mc.blocks_mszip),
    )
    for cab, date, comp, blocks in cabs:
        mc.DOS_DATE = date
        mc.write(os.path.join(out, cab),
                 mc.cabinet([(comp, members(cab), blocks)]))


if __name__ == "__main__":
    main()
