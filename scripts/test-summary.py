#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""One plain closing line for CI, "N passed, N failed, N skipped",
summed over the meson test logs named on the command line (missing
ones are skipped: a stage that did not build has no log)."""
import json
import os
import sys

counts = {"passed": 0, "failed": 0, "skipped": 0}
prefix = ""
args = sys.argv[1:]
if args and args[0].startswith("--prefix="):
    prefix = args.pop(0).split("=", 1)[1]
for path in args:
    if not os.path.exists(path):
        continue
    for line in open(path, encoding="utf-8"):
        result = json.loads(line).get("result", "")
        if result in ("OK", "EXPECTEDFAIL"):
            counts["passed"] += 1
        elif result == "SKIP":
            counts["skipped"] += 1
        else:
            counts["failed"] += 1
print("%s%d passed, %d failed, %d skipped"
      % (prefix, counts["passed"], counts["failed"], counts["skipped"]))
