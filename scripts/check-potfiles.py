#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Every C file that marks text for translation is in po/POTFILES.in,
and every file listed there exists: a message missing from the
catalogue reaches Japanese users in English.

    check-potfiles.py SOURCE_ROOT
"""
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1])
listed = {l.strip() for l in (root / "po" / "POTFILES.in").read_text().splitlines()
          if l.strip() and not l.startswith("#")}
marked = set()
for folder in ("src", "plugin"):
    for path in (root / folder).rglob("*.c"):
        if re.search(r'\bN?_\s*\(\s*"', path.read_text(errors="replace")):
            marked.add(str(path.relative_to(root)))
missing = sorted(marked - listed)
gone = sorted(f for f in listed if not (root / f).exists())
for f in missing:
    print(f"po/POTFILES.in lacks {f}, which marks messages for translation")
for f in gone:
    print(f"po/POTFILES.in lists {f}, which does not exist")
sys.exit(1 if missing or gone else 0)
