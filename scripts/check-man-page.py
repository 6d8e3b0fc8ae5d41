#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Fail when the man page and the program disagree on the options, or
when podchecker finds anything in the page.

    scripts/check-man-page.py PROGRAM PAGE.pod [PAGE.1]

The options are what PROGRAM --help prints (long and short), so a new
option cannot ship without its entry, and an entry cannot outlive its
option: the page's options are the =item lines of its OPTIONS section.
Given the roff pod2man made of it, groff must render it without a
warning (skipped where groff is not installed)."""
import os
import re
import shutil
import subprocess
import sys

# "  -d, --domain=FILE   ..." or "  --machine=TYPE   ..."
HELP_LINE = re.compile(r"^\s+(?:-(?P<short>\w), )?--(?P<long>[\w-]+)")
# B<--domain> or B<-d> on an =item line
POD_OPTION = re.compile(r"B<(--?[\w][\w-]*)>")


def options_in_help(program):
    env = dict(os.environ, LC_ALL="C")
    out = subprocess.run([program, "--help"], check=True, env=env,
                         capture_output=True, text=True).stdout
    found = set()
    for line in out.splitlines():
        m = HELP_LINE.match(line)
        if m:
            found.add("--" + m.group("long"))
            if m.group("short"):
                found.add("-" + m.group("short"))
    return found


def options_in_pod(page):
    found = set()
    in_options = False
    with open(page, encoding="utf-8") as f:
        for line in f:
            if line.startswith("=head1"):
                in_options = line.split(None, 1)[1].strip() == "OPTIONS"
            elif in_options and line.startswith("=item"):
                found.update(POD_OPTION.findall(line))
    return found


def podchecker_findings(page):
    run = subprocess.run(["podchecker", "-warnings", "-warnings", page],
                         capture_output=True, text=True)
    lines = [line for line in (run.stdout + run.stderr).splitlines()
             if "pod syntax OK" not in line]
    if run.returncode != 0 and not lines:
        lines = [f"podchecker exited {run.returncode}"]
    return lines


def groff_findings(roff):
    if not shutil.which("groff"):
        print("groff is not installed: the roff is not rendered")
        return []
    run = subprocess.run(["groff", "-t", "-man", "-Tutf8", "-ww", "-z", roff],
                         capture_output=True, text=True)
    lines = [f"groff: {line}" for line in run.stderr.splitlines()]
    if run.returncode != 0 and not lines:
        lines = [f"groff exited {run.returncode}"]
    return lines


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    program, page = sys.argv[1:3]
    in_help = options_in_help(program)
    in_pod = options_in_pod(page)
    problems = podchecker_findings(page)
    if len(sys.argv) == 4:
        problems += groff_findings(sys.argv[3])
    problems += [f"{opt}: in --help, not in the OPTIONS of {page}"
                 for opt in sorted(in_help - in_pod)]
    problems += [f"{opt}: in the OPTIONS of {page}, not in --help"
                 for opt in sorted(in_pod - in_help)]
    # An empty side means a parser broke, not that all is well.
    if not in_help or not in_pod:
        problems.append(f"no options found (--help: {len(in_help)}, "
                        f"page: {len(in_pod)})")
    for p in problems:
        print(p)
    print(f"{len(in_help)} options in --help, {len(in_pod)} in the page, "
          f"{len(problems)} problems")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
