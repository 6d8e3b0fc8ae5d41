#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Fail when a source file of the project has no SPDX license line.

    scripts/check-spdx.py SOURCE_DIR

The files are git's tracked files when SOURCE_DIR is a git checkout (a
file not yet committed is checked as soon as it is added), else every
file under SOURCE_DIR.  A source file is code (C, headers, shell,
python, meson, POD, RELAX NG, linker and fuzzer dictionaries), anything
with a #! line, and every file of data/ (rules, controllers, the bash
completion, the JSON Schema, whose line is its "$comment" string).  Test inputs (tests/unit/data, the fuzz corpora) are bytes
the tests read as they are, so they carry no header; their generators
do.  The line must sit in the file's opening comment: the first
HEAD_LINES lines."""
import os
import subprocess
import sys

LICENSE = "LGPL-2.1-or-later"
TAG = "SPDX-License-Identifier: "
HEAD_LINES = 40
CODE_SUFFIXES = (".c", ".h", ".cc", ".sh", ".py", ".pod", ".rng", ".syms",
                 ".dict")
CODE_NAMES = ("meson.build", "meson_options.txt")
NOT_SOURCE_DIRS = ("tests/unit/data/", "tests/fuzz/corpus/", "po/")
NOT_SOURCE_SUFFIXES = (".md",)


def tracked_files(top):
    try:
        out = subprocess.run(["git", "-C", top, "ls-files", "-z"],
                             check=True, capture_output=True).stdout
        return [p for p in out.decode().split("\0") if p]
    except (OSError, subprocess.CalledProcessError):
        files = []
        for d, dirs, names in os.walk(top):
            dirs[:] = [x for x in dirs
                       if not x.startswith((".", "build"))]
            files += [os.path.relpath(os.path.join(d, n), top)
                      for n in names]
        return files


def starts_with_shebang(path):
    try:
        with open(path, "rb") as f:
            return f.read(2) == b"#!"
    except OSError:
        return False


def is_source(top, rel):
    rel = rel.replace(os.sep, "/")
    name = os.path.basename(rel)
    if rel.endswith(NOT_SOURCE_SUFFIXES):
        return False
    if rel.endswith(CODE_SUFFIXES) or name in CODE_NAMES:
        return True
    if rel.startswith(NOT_SOURCE_DIRS):
        return False
    return rel.startswith("data/") or starts_with_shebang(
        os.path.join(top, rel))


def license_in_head(path):
    """The license named by the SPDX line in the head, or None."""
    with open(path, encoding="utf-8", errors="replace") as f:
        for _, line in zip(range(HEAD_LINES), f):
            at = line.find(TAG)
            if at >= 0:
                words = line[at + len(TAG):].split()
                # JSON has no comments: a schema says it in a string
                # ("$comment": "SPDX-License-Identifier: ...",).
                return words[0].rstrip('",') if words else ""
    return None


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    top = sys.argv[1]
    bad = []
    checked = 0
    for rel in sorted(tracked_files(top)):
        path = os.path.join(top, rel)
        if not os.path.isfile(path) or not is_source(top, rel):
            continue
        checked += 1
        found = license_in_head(path)
        if found is None:
            bad.append(f"{rel}: no '{TAG}{LICENSE}' in its first "
                       f"{HEAD_LINES} lines")
        elif found != LICENSE:
            bad.append(f"{rel}: SPDX license '{found}', expected {LICENSE}")
    for line in bad:
        print(line)
    print(f"{checked} source files checked, {len(bad)} without the license "
          "line")
    # Nothing checked means the file list failed, not that all is well.
    sys.exit(1 if bad or checked == 0 else 0)


if __name__ == "__main__":
    main()
