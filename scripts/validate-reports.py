#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Validate virt-bootfix reports against data/schema/report.schema.json.

    scripts/validate-reports.py [--schema SCHEMA] FILE...

A FILE whose name ends in .jsonl is a --jsonl file: every line that is
not blank must be one record ($defs/record).  Any other FILE is a
--json document.  The JSON must be strict too: no NaN or Infinity, no
member twice in one object.  Prints one line per problem (file, line,
where in the document, what) and a summary.

Exit status: 0 every file is valid, 1 one is not (or cannot be read),
2 usage, 77 the python3 jsonschema module is not installed (Debian:
python3-jsonschema; scripts/setup.sh installs it)."""
import argparse
import json
import os
import sys

DEFAULT_SCHEMA = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                              "..", "data", "schema", "report.schema.json")
# Enough to see what is wrong without drowning in one broken file.
MAX_PROBLEMS_PER_DOCUMENT = 5


class NotStrictJSON(ValueError):
    pass


def _no_constant(name):
    raise NotStrictJSON(f"{name} is not JSON")


def _no_duplicates(pairs):
    seen = {}
    for key, value in pairs:
        if key in seen:
            raise NotStrictJSON(f'member "{key}" appears twice')
        seen[key] = value
    return seen


def parse_strict(text):
    """JSON as RFC 8259 has it; NotStrictJSON or ValueError otherwise."""
    return json.loads(text, parse_constant=_no_constant,
                      object_pairs_hook=_no_duplicates)


class Validators:
    """The document's and the record's validator, from one schema."""

    def __init__(self, schema_path=DEFAULT_SCHEMA):
        import jsonschema  # ImportError: the caller decides
        with open(schema_path, encoding="utf-8") as f:
            schema = json.load(f)
        cls = jsonschema.validators.validator_for(schema)
        cls.check_schema(schema)
        self.document = cls(schema)
        # The same definitions, entered at $defs/record.
        self.record = cls({"$schema": schema["$schema"],
                           "$defs": schema["$defs"],
                           "$ref": "#/$defs/record"})

    @staticmethod
    def problems(validator, value):
        """Readable problems of value, at most MAX_PROBLEMS_PER_DOCUMENT."""
        errors = sorted(validator.iter_errors(value),
                        key=lambda e: list(map(str, e.absolute_path)))
        out = []
        for e in errors[:MAX_PROBLEMS_PER_DOCUMENT]:
            where = "/".join(str(p) for p in e.absolute_path) or "(top)"
            out.append(f"at {where}: {e.message[:300]}")
        if len(errors) > MAX_PROBLEMS_PER_DOCUMENT:
            out.append(f"and {len(errors) - MAX_PROBLEMS_PER_DOCUMENT} more")
        return out

    def check_text(self, text, is_record):
        """Problems of one document or record given as text."""
        try:
            value = parse_strict(text)
        except ValueError as e:
            return [f"not JSON: {e}"]
        return self.problems(self.record if is_record else self.document,
                             value)

    def check_file(self, path):
        """(number of documents checked, problems as 'path[:line]: ...')."""
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read()
        except (OSError, UnicodeDecodeError) as e:
            return 0, [f"{path}: cannot read it: {e}"]
        if not path.endswith(".jsonl"):
            return 1, [f"{path}: {p}" for p in self.check_text(text, False)]
        checked, problems = 0, []
        for n, line in enumerate(text.split("\n"), 1):
            if not line.strip():
                continue
            checked += 1
            problems += [f"{path}:{n}: {p}"
                         for p in self.check_text(line, True)]
        return checked, problems


def main():
    parser = argparse.ArgumentParser(
        description="Validate virt-bootfix --json and --jsonl reports.")
    parser.add_argument("--schema", default=DEFAULT_SCHEMA)
    parser.add_argument("files", nargs="+", metavar="FILE")
    args = parser.parse_args()
    try:
        validators = Validators(args.schema)
    except ImportError:
        print("the python3 jsonschema module is not installed "
              "(Debian: apt-get install python3-jsonschema)")
        return 77
    documents, problems = 0, []
    for path in args.files:
        n, found = validators.check_file(path)
        documents += n
        problems += found
    for p in problems:
        print(p)
    print(f"{len(args.files)} file(s), {documents} report(s), "
          f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
