#!/usr/bin/env python3
"""Print the Windows x controller support matrix from the shipped data.

Reads data/controllers.xml (the columns: every bootable controller, in
file order) and data/rules/*.xml (in file-name order, like the loader),
and for each Windows family picks the rule virt-bootfix would pick, with
the matching rule of src/config/rules.h:

  a rule matches when the NT version is inside [nt-min, nt-max] and each
  constrained field (arch, osinfo, variant, controller) equals the
  guest's, case-insensitively; of the matching rules the one with the
  most constrained fields among controller, osinfo, arch and variant
  wins, then the one with the narrower NT range; a remaining tie is a
  data error.

The table shows no osinfo: rows are NT versions, as the rules are.

Cells:
  fix: A+B        the services the rule makes boot-start (Start=0),
                  sorted by name
  refused: no inbox driver   a refusal rule whose id ends in "-refuse"
  refused: unconfirmed       one whose id ends in "-unconfirmed" (a
                             driver may exist but is not confirmed)
  no rule         no rule matches: the guest is refused ("no rule covers")

Usage:
  support-matrix.py                  print the table
  support-matrix.py --check README   exit 1 when README's block between
                                     the markers differs from the table
  support-matrix.py --update README  rewrite that block

Exit status: 0 fine, 1 --check found a difference (or no markers),
2 bad data or usage.  Standard library only.
"""

import argparse
import difflib
import os
import re
import sys
import xml.etree.ElementTree as ET

BEGIN = "<!-- support-matrix:begin -->"
END = "<!-- support-matrix:end -->"

# (label, NT major, NT minor, arches that exist for the family)
FAMILIES = [
    ("2000 (5.0)", 5, 0, ("i386",)),
    ("XP (5.1)", 5, 1, ("i386",)),
    ("XP x64 / 2003 (5.2)", 5, 2, ("i386", "x86_64")),
    ("Vista / 2008 (6.0)", 6, 0, ("i386", "x86_64")),
    ("7 / 2008 R2 (6.1)", 6, 1, ("i386", "x86_64")),
    ("8 / 2012 (6.2)", 6, 2, ("i386", "x86_64")),
    ("8.1 / 2012 R2 (6.3)", 6, 3, ("i386", "x86_64")),
    ("10 / 11 / 2016-2025 (10.0)", 10, 0, ("i386", "x86_64")),
]
ARCH_LABEL = {"i386": "x86", "x86_64": "x64"}
VARIANTS = ("client", "server")


class DataError(Exception):
    pass


def parse_nt(text, where):
    m = re.fullmatch(r"(0|[1-9][0-9]?)\.(0|[1-9][0-9]?)", text)
    if not m:
        raise DataError(f"{where}: bad NT version {text!r}")
    return int(m.group(1)) * 100 + int(m.group(2))


class Rule:
    def __init__(self, elem, file):
        self.id = elem.get("id")
        self.file = file
        match = elem.find("match")
        if self.id is None or match is None:
            raise DataError(f"{file}: a rule without id or <match>")
        where = f"{file}: rule {self.id}"
        self.nt_min = parse_nt(match.get("nt-min", "0.0"), where)
        self.nt_max = (parse_nt(match.get("nt-max"), where)
                       if match.get("nt-max") is not None else 1 << 40)
        self.arch = match.get("arch")
        self.osinfo = match.get("osinfo")
        self.variant = match.get("variant")
        # Rules for a user-supplied driver tree (--virtio-win) are not
        # part of the inbox matrix: the table shows what works without.
        self.driver_source = match.get("driver-source")
        self.controllers = [c.get("id") for c in match.findall("controller")]
        self.items = [i for i in elem if i.tag != "match"]

    def matches(self, nt, arch, osinfo, variant, controller):
        def field(want, have):
            return want is None or (have is not None
                                    and want.lower() == have.lower())
        return (self.driver_source is None
                and self.nt_min <= nt <= self.nt_max
                and field(self.arch, arch)
                and field(self.osinfo, osinfo)
                and field(self.variant, variant)
                and (not self.controllers
                     or any(field(c, controller) for c in self.controllers)))

    def specificity(self):
        return (bool(self.controllers) + (self.osinfo is not None)
                + (self.arch is not None) + (self.variant is not None))

    def outcome(self):
        refusals = [i for i in self.items if i.tag == "refuse"]
        if refusals:
            if self.id.endswith("-refuse"):
                return "refused: no inbox driver"
            if self.id.endswith("-unconfirmed"):
                return "refused: unconfirmed"
            return "refused"
        boot = sorted((i.get("name") for i in self.items
                       if i.tag == "service" and i.get("start") == "0"),
                      key=str.lower)
        return "fix: " + "+".join(boot) if boot else "fix"


def compare(a, b):
    """> 0 when a is more specific than b, 0 when neither is."""
    sa, sb = a.specificity(), b.specificity()
    if sa != sb:
        return sa - sb
    wa, wb = a.nt_max - a.nt_min, b.nt_max - b.nt_min
    return 1 if wa < wb else -1 if wa > wb else 0


def best_rule(rules, nt, arch, osinfo, variant, controller):
    best = tied = None
    for r in rules:
        if not r.matches(nt, arch, osinfo, variant, controller):
            continue
        cmp = 1 if best is None else compare(r, best)
        if cmp > 0:
            best, tied = r, None
        elif cmp == 0 and tied is None:
            tied = r
    if tied is not None:
        raise DataError(f"rules '{best.id}' ({best.file}) and '{tied.id}' "
                        f"({tied.file}) match equally well")
    return best


def load_rules(rules_dir):
    names = sorted(n for n in os.listdir(rules_dir)
                   if n.endswith(".xml") and not n.startswith("."))
    if not names:
        raise DataError(f"{rules_dir}: no *.xml rule files")
    rules = []
    for name in names:
        root = ET.parse(os.path.join(rules_dir, name)).getroot()
        rules.extend(Rule(e, name) for e in root.findall("rule"))
    return rules


def load_controllers(path):
    root = ET.parse(path).getroot()
    return [c.get("id") for c in root.findall("controller")
            if c.get("bootable", "yes") != "no"]


def family_rows(rules, controllers, label, major, minor, arches):
    nt = major * 100 + minor
    cells = {}
    for arch in arches:
        for variant in VARIANTS:
            row = []
            for ctl in controllers:
                r = best_rule(rules, nt, arch, None, variant, ctl)
                row.append(r.outcome() if r is not None else "no rule")
            cells[arch, variant] = row
    if len({tuple(v) for v in cells.values()}) == 1:
        return [(label, next(iter(cells.values())))]
    by_arch = all(cells[a, "client"] == cells[a, "server"] for a in arches)
    rows = []
    for arch in arches:
        if by_arch:
            rows.append((f"{label}, {ARCH_LABEL[arch]}", cells[arch, "client"]))
        else:
            for variant in VARIANTS:
                rows.append((f"{label}, {ARCH_LABEL[arch]} {variant}",
                             cells[arch, variant]))
    return rows


def make_table(data_dir):
    rules = load_rules(os.path.join(data_dir, "rules"))
    controllers = load_controllers(os.path.join(data_dir, "controllers.xml"))
    if not controllers:
        raise DataError("controllers.xml lists no bootable controller")
    lines = [
        "<!-- generated by scripts/support-matrix.py from data/rules and "
        "data/controllers.xml; run it with --update README.md -->",
        "| Windows (NT) | " + " | ".join(f"`{c}`" for c in controllers) + " |",
        "|---" * (len(controllers) + 1) + "|",
    ]
    for label, major, minor, arches in FAMILIES:
        for name, row in family_rows(rules, controllers, label, major, minor,
                                     arches):
            lines.append(f"| {name} | " + " | ".join(row) + " |")
    return "\n".join(lines) + "\n"


def split_readme(text):
    """(up to and with the begin marker line, the block, from the end
    marker on), or None without both markers in that order."""
    b = text.find(BEGIN)
    e = text.find(END, b + 1) if b >= 0 else -1
    if b < 0 or e < 0:
        return None
    start = b + len(BEGIN)
    if text.startswith("\n", start):
        start += 1
    return text[:start], text[start:e], text[e:]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "data"),
        help="data folder (default: the source tree's data/)")
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--check", metavar="README")
    mode.add_argument("--update", metavar="README")
    args = ap.parse_args()

    try:
        table = make_table(args.data)
    except (DataError, ET.ParseError, OSError) as err:
        print(f"support-matrix: {err}", file=sys.stderr)
        return 2

    path = args.check or args.update
    if path is None:
        sys.stdout.write(table)
        return 0
    with open(path, encoding="utf-8") as f:
        text = f.read()
    parts = split_readme(text)
    if parts is None:
        print(f"support-matrix: {path}: no '{BEGIN}' ... '{END}' block",
              file=sys.stderr)
        return 1
    head, block, tail = parts
    if args.check:
        if block == table:
            return 0
        sys.stderr.writelines(difflib.unified_diff(
            block.splitlines(True), table.splitlines(True),
            f"{path} (support matrix)", "generated"))
        print(f"support-matrix: {path} is out of date; run "
              f"scripts/support-matrix.py --update {path}", file=sys.stderr)
        return 1
    if block != table:
        with open(path + ".tmp", "w", encoding="utf-8") as f:
            f.write(head + table + tail)
        os.replace(path + ".tmp", path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
