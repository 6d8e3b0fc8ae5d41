#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
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
python3 scripts/test-summary.py build/meson-logs/testlog.json || true
exit "$rc"
