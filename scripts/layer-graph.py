#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Print which layers of src/ each target of a build can see, as meson
configured it: the src/<layer> include folders on each target's compile
line.  Since every layer's headers are reachable only through its meson
dependency, this is the dependency graph meson enforces, not one drawn
by hand.

    scripts/layer-graph.py BUILD_DIR            # print the graph
    scripts/layer-graph.py BUILD_DIR --check ARCHITECTURE.md
                                                # fail if the copy there drifted

The copy in ARCHITECTURE.md sits between the layer-graph:begin and
layer-graph:end markers."""
import json
import re
import subprocess
import sys

LAYERS = ["common", "formats", "config", "libvirt", "guest", "pipeline", "batch"]
BEGIN = "<!-- layer-graph:begin -->"
END = "<!-- layer-graph:end -->"


def targets(build_dir):
    out = subprocess.run(["meson", "introspect", build_dir, "--targets"],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def layers_seen(target):
    seen = set()
    for group in target.get("target_sources", []):
        for arg in group.get("parameters", []):
            m = re.match(r"-I.*?src/([a-z]+)$", arg)
            if m and m.group(1) in LAYERS:
                seen.add(m.group(1))
    return [layer for layer in LAYERS if layer in seen]


def graph(build_dir):
    rows = []
    for t in targets(build_dir):
        name = t["name"]
        where = t["defined_in"]
        if "/tests/" in where or "/bench/" in where:
            continue
        seen = layers_seen(t)
        own = name[len("bootfix-"):] if name.startswith("bootfix-") else None
        if own in LAYERS:
            below = [layer for layer in seen if layer != own]
            rows.append((LAYERS.index(own), "%-17s -> %s" % (own, ", ".join(below) or "(GLib only)")))
        elif seen or t["type"] == "shared module":
            rows.append((len(LAYERS), "%-17s -> %s" % (name, ", ".join(seen) or "(the module ABI header only)")))
    rows.sort()
    return "\n".join(r for _, r in rows) + "\n"


def block(text):
    return "%s\n```\n%s```\n%s" % (BEGIN, text, END)


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    text = graph(argv[1])
    if len(argv) == 4 and argv[2] == "--check":
        doc = open(argv[3], encoding="utf-8").read()
        if block(text) not in doc:
            sys.stderr.write("%s: the layer graph differs from the build's:\n%s"
                             % (argv[3], text))
            return 1
        return 0
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
