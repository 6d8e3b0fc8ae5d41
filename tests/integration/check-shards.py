#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Check the JSONL files of a sharded batch against its list.

usage: check-shards.py OUTDIR SHARDS STATUS LIST

OUTDIR holds out.0.jsonl ... out.(SHARDS-1).jsonl, the --jsonl file of
each shard (a shard that took no guest may have left none).  LIST is the --batch
list: one domain XML per line, relative to the list's folder, '#'
comments and blank lines skipped.  Passes (exit 0) when the files
together hold exactly one record per entry of the list, each a batch
record (the guest's --json object plus "batch": {"domain_file",
"entry"}) whose entry is the list's line, whose domain file is that
line's file, whose name is the domain's <name>, and whose status is
STATUS.  Prints every record, then every problem.
"""
import json
import os
import sys
import xml.etree.ElementTree as ET


def read_list(path):
    """Map each entry of the list to (absolute domain file, guest name)."""
    base = os.path.dirname(os.path.abspath(path))
    want = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            entry = line.strip()
            if not entry or entry.startswith("#"):
                continue
            domain = os.path.join(base, entry)
            want[entry] = (domain, ET.parse(domain).findtext("name"))
    return want


def read_records(outdir, shards, problems):
    """Yield (shard, 'out.K.jsonl line N', record) for every line."""
    for k in range(shards):
        path = os.path.join(outdir, "out.%d.jsonl" % k)
        if not os.path.exists(path):
            print("shard %d: no file" % k)
            continue
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
        print("shard %d: %d record(s)" % (k, len(lines)))
        for i, line in enumerate(lines, 1):
            where = "out.%d.jsonl line %d" % (k, i)
            try:
                rec = json.loads(line)
                ok = (all(isinstance(rec.get(m), str) for m in ("name", "status"))
                      and all(isinstance(rec["batch"].get(m), str)
                              for m in ("entry", "domain_file")))
            except (ValueError, KeyError, TypeError, AttributeError):
                ok = False
            if not ok:
                problems.append("%s: not a batch record: %.200s" % (where, line))
                continue
            yield k, where, rec


def check(rec, where, want, status, problems):
    entry = rec["batch"]["entry"]
    if entry not in want:
        problems.append("%s: entry %r is not a line of the list" % (where, entry))
        return
    domain, name = want[entry]
    if os.path.realpath(rec["batch"]["domain_file"]) != os.path.realpath(domain):
        problems.append("%s: domain_file %s, the entry names %s"
                        % (where, rec["batch"]["domain_file"], domain))
    if rec["name"] != name:
        problems.append("%s: name %s, the domain says %s" % (where, rec["name"], name))
    if rec["status"] != status:
        problems.append("%s: %s is %s, expected %s" % (where, name, rec["status"], status))


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    outdir, shards, status, list_path = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    want = read_list(list_path)
    problems = []
    seen = {}  # entry -> where its record was
    for k, where, rec in read_records(outdir, shards, problems):
        entry = rec["batch"]["entry"]
        print("  shard %d: %s %s (%s)" % (k, rec["name"], rec["status"], entry))
        if entry in seen:
            problems.append("%s: %s again (first at %s)" % (where, entry, seen[entry]))
        seen.setdefault(entry, where)
        check(rec, where, want, status, problems)
    for entry in want:
        if entry not in seen:
            problems.append("%s: no record in any shard" % entry)
    for p in problems:
        print("problem:", p)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
