#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks the translations (TAP): every marked string is in the committed
i18n/flux-fill.pot, POTFILES lists exactly the files that mark strings,
and the required catalogues translate every string, none fuzzy.

    check_catalogs.py SOURCE_ROOT [--xgettext PATH] [--msgfmt PATH]
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

REQUIRED = ["zh_CN", "ja", "de", "fr", "es"]
# What meson's i18n module passes for preset: 'glib' (i18n/meson.build).
XGETTEXT_ARGS = [
    "--from-code=UTF-8", "--add-comments",
    "--keyword=_", "--keyword=N_", "--keyword=C_:1c,2", "--keyword=NC_:1c,2",
    "--keyword=g_dcgettext:2", "--keyword=g_dngettext:2,3", "--keyword=g_dpgettext2:2c,3",
    "--flag=N_:1:pass-c-format", "--flag=C_:2:pass-c-format", "--flag=NC_:2:pass-c-format",
    "--flag=g_dngettext:2:pass-c-format", "--flag=g_strdup_printf:1:c-format",
    "--flag=g_string_printf:2:c-format", "--flag=g_string_append_printf:2:c-format",
    "--flag=g_error_new:3:c-format", "--flag=g_set_error:4:c-format",
    "--flag=g_markup_printf_escaped:1:c-format", "--flag=g_log:3:c-format",
    "--flag=g_print:1:c-format", "--flag=g_printerr:1:c-format", "--flag=g_printf:1:c-format",
    "--flag=g_fprintf:2:c-format", "--flag=g_sprintf:2:c-format", "--flag=g_snprintf:3:c-format",
]
# A call that marks a string for translation.
MARK = re.compile(r"(?<![A-Za-z0-9_])(?:_|N_|C_|NC_|ngettext|g_dngettext|g_dpgettext2)\s*\(")

tests = []


def check(name, ok, detail=""):
    tests.append((name, ok, detail))


def unquote(lines):
    out = []
    for line in lines:
        s = line[line.index('"') + 1:line.rindex('"')]
        out.append(re.sub(r'\\(.)', lambda m: {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}.get(m.group(1), "\\" + m.group(1)), s))
    return "".join(out)


def parse_po(path):
    """[(msgctxt, msgid, msgid_plural, [msgstr...], fuzzy)], header excluded,
    obsolete (#~) entries skipped."""
    entries = []
    with open(path, encoding="utf-8") as f:
        blocks = re.split(r"\n\s*\n", f.read())
    for block in blocks:
        lines = [l for l in block.strip().split("\n") if l and not l.startswith("#~")]
        if not any(l.startswith("msgid") for l in lines):
            continue
        fuzzy = any(l.startswith("#,") and "fuzzy" in l for l in lines)
        parts, key = {}, None
        for line in lines:
            m = re.match(r"(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+\"", line)
            if m:
                key = m.group(1)
                parts[key] = [line[len(key):].strip()]
            elif line.startswith('"') and key:
                parts[key].append(line)
        msgid = unquote(parts.get("msgid", ['""']))
        ctxt = unquote(parts["msgctxt"]) if "msgctxt" in parts else None
        if msgid == "" and ctxt is None:
            continue                                  # the header
        plural = unquote(parts["msgid_plural"]) if "msgid_plural" in parts else None
        strs = [unquote(v) for k, v in sorted(parts.items()) if k.startswith("msgstr")]
        entries.append((ctxt, msgid, plural, strs, fuzzy))
    return entries


def keys(entries):
    return {(c, i, p) for c, i, p, _, _ in entries}


def show(key):
    c, i, p = key
    return repr(i)[:70] + (f" (context {c!r})" if c else "")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("root")
    ap.add_argument("--xgettext", default="xgettext")
    ap.add_argument("--msgfmt", default="msgfmt")
    args = ap.parse_args()
    root = os.path.abspath(args.root)
    i18n = os.path.join(root, "i18n")

    # POTFILES: every file there, every file that marks strings listed.
    with open(os.path.join(i18n, "POTFILES"), encoding="utf-8") as f:
        listed = [l.strip() for l in f if l.strip() and not l.startswith("#")]
    missing = [p for p in listed if not os.path.isfile(os.path.join(root, p))]
    check("every file in POTFILES exists", not missing, ", ".join(missing))
    unlisted = []
    for folder, _, files in os.walk(os.path.join(root, "plugin")):
        for name in sorted(files):
            if not name.endswith(".c"):
                continue
            path = os.path.join(folder, name)
            rel = os.path.relpath(path, root)
            with open(path, encoding="utf-8") as f:
                if MARK.search(f.read()) and rel not in listed:
                    unlisted.append(rel)
    check("every source file that marks strings is in POTFILES", not unlisted, ", ".join(sorted(unlisted)))

    # The committed .pot holds exactly what xgettext finds now.
    committed_path = os.path.join(i18n, "flux-fill.pot")
    committed = keys(parse_po(committed_path)) if os.path.isfile(committed_path) else set()
    check("i18n/flux-fill.pot exists", os.path.isfile(committed_path))
    with tempfile.TemporaryDirectory() as tmp:
        fresh_path = os.path.join(tmp, "fresh.pot")
        sources = [p for p in listed if p not in missing]
        run = subprocess.run([args.xgettext, *XGETTEXT_ARGS, "--directory", root,
                              "-o", fresh_path, *sources],
                             capture_output=True, text=True)
        check("xgettext reads the sources", run.returncode == 0, run.stderr.strip().replace("\n", " | "))
        fresh = keys(parse_po(fresh_path)) if os.path.isfile(fresh_path) else set()
    absent = sorted(fresh - committed, key=str)
    stale = sorted(committed - fresh, key=str)
    check(f"every marked string ({len(fresh)}) is in i18n/flux-fill.pot "
          "(meson compile -C BUILD flux-fill-pot)", not absent and fresh,
          "; ".join(show(k) for k in absent[:10]) + (f" … {len(absent)} in all" if len(absent) > 10 else ""))
    check("i18n/flux-fill.pot has no string the sources lost", not stale,
          "; ".join(show(k) for k in stale[:10]))

    # The required catalogues: listed, complete, nothing fuzzy, msgfmt --check clean.
    with open(os.path.join(i18n, "LINGUAS"), encoding="utf-8") as f:
        linguas = f.read().split()
    for lang in REQUIRED:
        po = os.path.join(i18n, lang + ".po")
        check(f"{lang}: in LINGUAS", lang in linguas)
        if not os.path.isfile(po):
            check(f"{lang}: {lang}.po exists", False)
            continue
        entries = parse_po(po)
        have = {(c, i, p): (s, fz) for c, i, p, s, fz in entries}
        untranslated = [k for k in fresh if k not in have or not all(have[k][0])]
        fuzzy = [k for k in fresh if k in have and have[k][1]]
        check(f"{lang}: every string translated", not untranslated,
              f"{len(untranslated)} untranslated: " + "; ".join(show(k) for k in sorted(untranslated, key=str)[:5]))
        check(f"{lang}: no fuzzy entry", not fuzzy,
              f"{len(fuzzy)} fuzzy: " + "; ".join(show(k) for k in sorted(fuzzy, key=str)[:5]))
        run = subprocess.run([args.msgfmt, "--check", "--check-accelerators=_", "--statistics",
                              "-o", os.devnull, po], capture_output=True, text=True)
        stats = run.stderr.strip()
        check(f"{lang}: msgfmt --check clean ({stats})",
              run.returncode == 0 and "fuzzy" not in stats and "untranslated" not in stats,
              stats.replace("\n", " | "))

    print(f"1..{len(tests)}")
    for n, (name, ok, detail) in enumerate(tests, 1):
        print(f"{'ok' if ok else 'not ok'} {n} - {name}")
        if not ok and detail:
            print(f"# {detail}")
    return 0 if all(ok for _, ok, _ in tests) else 1


if __name__ == "__main__":
    sys.exit(main())
