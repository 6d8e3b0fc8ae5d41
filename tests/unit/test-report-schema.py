#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The report schema (data/schema/report.schema.json) against what the
program writes, and against damaged copies.

    test-report-schema.py WRITE_REPORTS GOLDEN

WRITE_REPORTS is tests/unit/write-reports: it writes the sample reports
as a --json document and as --jsonl records, through the program's own
functions.  Both, and the golden document of test-report (GOLDEN),
must validate; every damaged copy in the table below must not, so a
schema that accepts anything fails here.  Exit 77 when the python3
jsonschema module is missing."""
import copy
import importlib.util
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location(
    "validate_reports",
    os.path.join(HERE, "..", "..", "scripts", "validate-reports.py"))
validate_reports = importlib.util.module_from_spec(spec)
spec.loader.exec_module(validate_reports)

DELETE = object()

# (what, path into the document, new value or DELETE)
BAD_DOCUMENTS = [
    ("no format", ["format"], DELETE),
    ("another format", ["format"], 2),
    ("format as text", ["format"], "1"),
    ("no guests", ["guests"], DELETE),
    ("an unknown member", ["colour"], "blue"),
    ("a guest without seconds", ["guests", 0, "seconds"], DELETE),
    ("a guest with an unknown member", ["guests", 0, "colour"], "blue"),
    ("a guest with a batch member", ["guests", 0, "batch"], {}),
    ("a name that is not text", ["guests", 0, "name"], None),
    ("a disk that is not text", ["guests", 0, "disks", 0], None),
    ("an unknown status", ["guests", 0, "status"], "done"),
    ("an unknown accelerator", ["guests", 1, "accelerator"], "xen"),
    ("major as text", ["guests", 0, "os", "major"], "10"),
    ("minor not whole", ["guests", 0, "os", "minor"], 1.5),
    ("os with an unknown member", ["guests", 0, "os", "build"], "7601"),
    ("target without bus", ["guests", 0, "target", "bus"], DELETE),
    ("an action of no kind", ["guests", 0, "actions", 0, "kind"], ""),
    ("an action without reason", ["guests", 0, "actions", 0, "reason"], DELETE),
    ("an action key of null", ["guests", 0, "actions", 0, "key"], None),
    ("a clean hive listed", ["guests", 0, "hives", 0, "state"], "clean"),
    ("a hive without detail", ["guests", 0, "hives", 0, "detail"], DELETE),
    ("a message that is not text", ["guests", 2, "messages", 0], 1),
    ("negative seconds", ["guests", 0, "seconds"], -1),
    ("seconds as text", ["guests", 0, "seconds"], "1.5"),
    ("a guest without check", ["guests", 0, "check"], DELETE),
    ("a check without links", ["guests", 4, "check", "links"], DELETE),
    ("an unknown verdict", ["guests", 4, "check", "verdict"], "maybe"),
    ("an unknown link state", ["guests", 4, "check", "links", 0, "state"],
     "bad"),
    ("a link name that is not an id",
     ["guests", 4, "check", "links", 0, "name"], "Partition Table"),
    ("a link without remedy", ["guests", 4, "check", "links", 2, "remedy"],
     DELETE),
]

BAD_RECORDS = [
    ("no batch", ["batch"], DELETE),
    ("a batch without format", ["batch", "format"], DELETE),
    ("a batch of another format", ["batch", "format"], 2),
    ("a batch without identity", ["batch", "identity"], DELETE),
    ("a batch with an unknown member", ["batch", "shard"], 1),
    ("a size as text", ["batch", "identity", "disks", 0, "size"], "6"),
    ("a negative size", ["batch", "identity", "disks", 0, "size"], -6),
    ("a file half known", ["batch", "identity", "disks", 0, "inode"], None),
    ("a file without mtime", ["batch", "identity", "domain_file", "mtime_ns"],
     DELETE),
    ("a record with an unknown member", ["colour"], "blue"),
    ("a record without status", ["status"], DELETE),
]

# Strict JSON: what Python's json would take but JSON does not.
BAD_TEXTS = [
    ("NaN seconds", '"seconds" : 1.5', '"seconds" : NaN'),
    ("a member twice", '"format" : 1,', '"format" : 1, "format" : 1,'),
]


def edited(value, path, new):
    value = copy.deepcopy(value)
    at = value
    for step in path[:-1]:
        at = at[step]
    if new is DELETE:
        del at[path[-1]]
    else:
        at[path[-1]] = new
    return value


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    write_reports, golden = sys.argv[1:]
    try:
        v = validate_reports.Validators()
    except ImportError:
        print("SKIP: the python3 jsonschema module is not installed")
        return 77
    failures = []

    with tempfile.TemporaryDirectory(prefix="report-schema-") as out:
        subprocess.run([write_reports, out], check=True)
        written = [os.path.join(out, n) for n in ("reports.json",
                                                  "records.jsonl")]
        for path in written + [golden]:
            n, problems = v.check_file(path)
            print(f"{os.path.basename(path)}: {n} report(s), "
                  f"{len(problems)} problem(s)")
            failures += problems
        with open(written[1], encoding="utf-8") as f:
            records = [json.loads(line) for line in f]
    if len(records) != 5:
        failures.append(f"records.jsonl holds {len(records)} records, not 5")

    with open(golden, encoding="utf-8") as f:
        golden_text = f.read()
    document = json.loads(golden_text)
    # The record with a batch identity of each kind: known, and not.
    record = records[0]
    cases = [(w, v.document, edited(document, p, x)) for w, p, x in BAD_DOCUMENTS]
    cases += [(w, v.record, edited(record, p, x)) for w, p, x in BAD_RECORDS]
    cases.append(("a document given as a record", v.record, document))
    cases.append(("a record given as a document", v.document, record))
    for what, validator, value in cases:
        if not v.problems(validator, value):
            failures.append(f"accepted: {what}")
    for what, old, new in BAD_TEXTS:
        if old not in golden_text:
            failures.append(f"{what}: '{old}' is not in the golden file")
        elif not v.check_text(golden_text.replace(old, new, 1), False):
            failures.append(f"accepted: {what}")
    print(f"{len(cases) + len(BAD_TEXTS)} damaged copies")

    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
