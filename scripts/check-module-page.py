#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Fail when bootfix-module(3) and the module ABI header disagree, when
podchecker finds anything in the page, or when its example does not
build.

    scripts/check-module-page.py HEADER PAGE.pod PAGE.3 CC...

- Every host call and field of struct bootfix_host has an =item of its
  own; every field of struct bootfix_module, bootfix_facts,
  bootfix_partition and bootfix_edit, and every public macro
  (BOOTFIX_...), is named in the page.  A field appended to the header
  without its word on the page fails here.
- podchecker finds nothing; groff renders the roff without a warning
  (as scripts/check-man-page.py does for virt-bootfix(1)).
- The verbatim block of the EXAMPLE section is a whole module: it is
  compiled with CC (-std=c11 -Wall -Wextra -Werror, C only) into a
  shared object against HEADER, which must define bootfix_module_init.
"""
import importlib.util
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location(
    "check_man_page", os.path.join(HERE, "check-man-page.py"))
check_man_page = importlib.util.module_from_spec(spec)
spec.loader.exec_module(check_man_page)

# Named in the header but not part of what a module author uses.
NOT_DOCUMENTED = {"BOOTFIX_MODULE_H", "BOOTFIX_EXTERN_C",
                  "BOOTFIX_MODULE_INIT_SYMBOL", "BOOTFIX_STRUCT_HAS"}
STRUCTS = ("bootfix_module", "bootfix_facts", "bootfix_partition",
           "bootfix_edit")


def strip_comments(text):
    return re.sub(r"/\*.*?\*/", " ", text, flags=re.S)


def struct_fields(header, name):
    """The public field names of struct name, in order."""
    m = re.search(r"struct %s \{(.*?)\n\};" % name, header, re.S)
    if not m:
        return None
    fields = []
    for decl in m.group(1).split(";"):
        decl = decl.strip()
        if not decl:
            continue
        f = re.search(r"\(\s*\*\s*(\w+)\s*\)", decl)  # a callback
        if not f:
            f = re.search(r"(\w+)\s*(?:\[\w*\])?\s*$", decl)
        if f and not f.group(1).startswith("_"):
            fields.append(f.group(1))
    return fields


def macros(header):
    return sorted(set(re.findall(r"^#define (BOOTFIX_\w+)", header, re.M))
                  - NOT_DOCUMENTED)


def section(pod, title):
    """The text of =head1 title, up to the next =head1."""
    m = re.search(r"^=head1 %s\n(.*?)(?=^=head1 |\Z)" % re.escape(title),
                  pod, re.S | re.M)
    return m.group(1) if m else ""


def example_code(pod):
    lines = section(pod, "EXAMPLE").split("\n")
    code, seen = [], False
    for line in lines:
        if line.startswith(" "):
            code.append(line[1:])
            seen = True
        elif seen and line.strip():
            break          # the prose after the block
        elif seen:
            code.append("")
    return "\n".join(code).strip() + "\n"


def build_example(cc, header, code):
    with tempfile.TemporaryDirectory(prefix="module-page-") as tmp:
        src = os.path.join(tmp, "example.c")
        out = os.path.join(tmp, "example.so")
        with open(src, "w", encoding="utf-8") as f:
            f.write(code)
        run = subprocess.run(cc + ["-std=c11", "-Wall", "-Wextra", "-Werror",
                                   "-shared", "-fPIC",
                                   "-I", os.path.dirname(header),
                                   "-o", out, src],
                             capture_output=True, text=True)
        if run.returncode != 0:
            return [f"the EXAMPLE does not build: {line}"
                    for line in (run.stderr or "no output").splitlines()]
        nm = subprocess.run(["nm", "-D", "--defined-only", out],
                            capture_output=True, text=True)
        if nm.returncode == 0 and "bootfix_module_init" not in nm.stdout:
            return ["the EXAMPLE defines no bootfix_module_init"]
    return []


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    header_path, page, roff = sys.argv[1:4]
    cc = sys.argv[4:]
    with open(header_path, encoding="utf-8") as f:
        header = strip_comments(f.read())
    with open(page, encoding="utf-8") as f:
        pod = f.read()
    items = set(re.findall(r"^=item B<(\w+)>", pod, re.M))
    problems = check_man_page.podchecker_findings(page)
    problems += check_man_page.groff_findings(roff)

    host = struct_fields(header, "bootfix_host") or []
    problems += [f"host call {c}: no '=item B<{c}>' in {page}"
                 for c in host if c not in items]
    named = 0
    for s in STRUCTS:
        fields = struct_fields(header, s)
        if not fields:
            problems.append(f"struct {s} not found in {header_path}")
            continue
        for field in fields:
            named += 1
            if not re.search(r"\b%s\b" % field, pod):
                problems.append(f"struct {s} field {field}: not in {page}")
    for m in macros(header):
        named += 1
        if m not in pod:
            problems.append(f"{m}: not in {page}")
    code = example_code(pod)
    if "BOOTFIX_REGISTER_MODULE" not in code:
        problems.append("no module in the EXAMPLE section")
    else:
        problems += build_example(cc, header_path, code)
    if len(host) < 10:
        problems.append(f"only {len(host)} host calls found: the parser broke")

    for p in problems:
        print(p)
    print(f"{len(host)} host calls, {named} fields and macros, "
          f"{len(code.splitlines())} lines of example, {len(problems)} problems")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
