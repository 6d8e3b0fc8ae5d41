#!/usr/bin/env bash
# Set everything up and run the whole test suite: unit, schema and the
# end-to-end tests on phony guests.  Extra arguments go to meson test
# (for example --suite unit).
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup.sh
rc=0
# The slow suite (every crash point) is run by hand: meson test -C build --suite slow
meson test -C build --print-errorlogs --no-suite slow "$@" || rc=$?

# One plain closing line for CI: "N passed, N failed, N skipped".
python3 - build/meson-logs/testlog.json <<'PY' || true
import json, sys
counts = {"OK": 0, "FAIL": 0, "SKIP": 0}
for line in open(sys.argv[1]):
    r = json.loads(line).get("result", "")
    if r in ("OK", "EXPECTEDFAIL"):
        counts["OK"] += 1
    elif r == "SKIP":
        counts["SKIP"] += 1
    else:
        counts["FAIL"] += 1
print("%d passed, %d failed, %d skipped" % (counts["OK"], counts["FAIL"], counts["SKIP"]))
PY
exit "$rc"
