#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks the plug-in's help (TAP): docs/help/en/gimp-help.xml maps the
help ID of every procedure flux-fill.h names (the procedure's name) to a
page and anchor that exist; the page names every procedure and every
argument the plug-in declares; and, given the build folder of a build with
the plug-in, meson installs the help beside the plug-in's executable,
where the plug-in registers it (help/en/...).

    check_help.py SOURCE_ROOT [--build BUILD_ROOT]
"""
import argparse
import glob
import html.parser
import json
import os
import re
import sys
import xml.etree.ElementTree as ET

tests = []


def check(name, ok, detail=""):
    tests.append((name, ok, detail))


class Ids(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids = set()

    def handle_starttag(self, tag, attrs):
        self.ids.update(v for k, v in attrs if k == "id")


def procedures(src):
    header = open(os.path.join(src, "plugin", "gimp", "flux-fill.h"), encoding="utf-8").read()
    return re.findall(r'#define\s+PLUG_IN_PROC\w*\s+"([^"]+)"', header)


def arguments(src):
    names = set()
    for path in glob.glob(os.path.join(src, "plugin", "gimp", "*.c")):
        text = open(path, encoding="utf-8").read()
        names.update(re.findall(r'gimp_procedure_add_\w+_argument\s*\(\s*\w+\s*,\s*"([^"]+)"', text))
    return sorted(names)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("source")
    parser.add_argument("--build", help="a build folder with the plug-in (meson-info/)")
    args = parser.parse_args()
    help_dir = os.path.join(args.source, "docs", "help", "en")
    mapping_path = os.path.join(help_dir, "gimp-help.xml")

    try:
        root = ET.parse(mapping_path).getroot()
    except (OSError, ET.ParseError) as e:
        check("gimp-help.xml parses", False, e)
        return
    check("gimp-help.xml parses, as <gimp-help>", root.tag == "gimp-help", root.tag)
    items = {i.get("id"): i.get("ref") for i in root.findall("help-item")}
    missing = root.find("help-missing")

    procs = procedures(args.source)
    check("flux-fill.h names the procedures (four or more)", len(procs) >= 4, procs)
    check("every procedure's help ID is mapped, and nothing else",
          sorted(items) == sorted(procs), (sorted(items), procs))
    check("a page for help IDs it does not know", missing is not None and missing.get("ref"))

    pages = {}
    refs = list(items.items()) + ([("help-missing", missing.get("ref"))] if missing is not None else [])
    for help_id, ref in refs:
        page, _, anchor = (ref or "").partition("#")
        path = os.path.join(help_dir, page)
        if page not in pages and os.path.isfile(path):
            ids = Ids()
            ids.feed(open(path, encoding="utf-8").read())
            pages[page] = ids.ids
        check(f"{help_id}: {ref} exists",
              page in pages and (not anchor or anchor in pages[page]),
              f"no {path}" if page not in pages else f"no id {anchor!r}")

    text = open(os.path.join(help_dir, "index.html"), encoding="utf-8").read()
    code = set(re.findall(r"<code>([^<]*)</code>", text))
    for proc in procs:
        check(f"the page names the procedure {proc}", proc in code)
    names = arguments(args.source)
    check("the plug-in declares arguments", len(names) >= 15, names)
    absent = [n for n in names if n not in code]
    check("the page names every argument", not absent, absent)

    if args.build:
        installed_json = os.path.join(args.build, "meson-info", "intro-installed.json")
        installed = json.load(open(installed_json)).values()
        exe = [d for d in installed if os.path.basename(d) == "flux-fill"
               and os.path.basename(os.path.dirname(d)) == "flux-fill"]
        for page in ("gimp-help.xml", "index.html"):
            want = [os.path.join(os.path.dirname(e), "help", "en", page) for e in exe]
            check(f"meson installs help/en/{page} beside the plug-in",
                  len(exe) == 1 and want[0] in installed, (exe, want))


main()
print("TAP version 13")
print(f"1..{len(tests)}")
for n, (name, ok, detail) in enumerate(tests, 1):
    print(f"{'ok' if ok else 'not ok'} {n} - {name}")
    if not ok:
        print(f"# {detail}")
sys.exit(0 if all(ok for _, ok, _ in tests) else 1)
