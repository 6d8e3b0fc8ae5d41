#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Compare two registry hives and a virt-bootfix JSON report.

usage: hive-diff.py BEFORE AFTER REPORT.json GUEST [HIVE]

Passes (exit 0) when the set of keys and values that differ between
BEFORE and AFTER is exactly the set of registry actions the report lists
for GUEST: nothing changed that the report does not show, and nothing
reported that did not change.
"""
import json
import sys

import hivex

MAX_DEPTH = 64


def dump(path):
    """Map every key path (lower case) to {value name: (type, bytes)}."""
    h = hivex.Hivex(path)
    out = {}

    def walk(node, prefix, depth):
        if depth > MAX_DEPTH:
            raise SystemExit("%s: keys nested too deep" % path)
        values = {}
        for v in h.node_values(node):
            values[h.value_key(v).lower()] = h.value_value(v)
        out[prefix.lower()] = values
        for child in h.node_children(node):
            name = h.node_name(child)
            walk(child, prefix + "\\" + name if prefix else name, depth + 1)

    walk(h.root(), "", 0)
    return out


def differences(before, after):
    diff = set()
    for key in before.keys() | after.keys():
        if key not in before:
            # A new key: the report names it and each value set in it.
            diff.add((key, None))
            diff.update((key, name) for name in after[key])
            continue
        if key not in after:
            diff.add((key, None))
            continue
        b, a = before[key], after[key]
        for name in b.keys() | a.keys():
            if b.get(name) != a.get(name):
                diff.add((key, name))
    return diff


def reported(report, guest, hive):
    prefix = ("hklm\\%s\\" % hive).lower()
    for g in report["guests"]:
        if g["name"] != guest:
            continue
        out = set()
        for act in g["actions"]:
            if act["kind"] != "registry":
                continue
            key = act["key"].lower()
            if not key.startswith(prefix):
                continue
            name = act["value"].lower() if act["value"] is not None else None
            out.add((key[len(prefix):], name))
        return out
    raise SystemExit("guest %s is not in the report" % guest)


def main():
    if len(sys.argv) not in (5, 6):
        raise SystemExit(__doc__)
    before, after, report_path, guest = sys.argv[1:5]
    hive = sys.argv[5] if len(sys.argv) == 6 else "SYSTEM"
    with open(report_path) as f:
        report = json.load(f)
    diff = differences(dump(before), dump(after))
    want = reported(report, guest, hive)
    unreported = sorted(d for d in diff if d not in want)
    unchanged = sorted(w for w in want if w not in diff)
    for d in unreported:
        print("changed but not reported: %s : %s" % d)
    for w in unchanged:
        print("reported but not changed: %s : %s" % w)
    if unreported or unchanged:
        return 1
    print("ok: %d differences, all reported" % len(diff))
    return 0


if __name__ == "__main__":
    sys.exit(main())
