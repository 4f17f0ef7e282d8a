#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""tools/flux-fill-batch checks its arguments before GIMP starts, with
ranges and choices of its own: they must be the plug-in's.  This holds
each one to the C sources (TAP), without GIMP; test_batch.py holds them
to the procedures GIMP registers as well.

    check_batch_constants.py SOURCE_ROOT
"""
import importlib.machinery
import importlib.util
import os
import re
import sys

sys.dont_write_bytecode = True   # nothing left beside tools/flux-fill-batch

results = []


def check(ok, name, detail=""):
    results.append((bool(ok), name, detail))


def load_tool(root):
    path = os.path.join(root, "tools", "flux-fill-batch")
    loader = importlib.machinery.SourceFileLoader("flux_fill_batch", path)
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(loader.name, loader))
    loader.exec_module(module)
    return module


def defines(root):
    """Every #define NAME VALUE of plugin/, values as text."""
    found = {}
    for folder, _, files in os.walk(os.path.join(root, "plugin")):
        for name in files:
            if name.endswith((".c", ".h")):
                with open(os.path.join(folder, name), encoding="utf-8") as f:
                    for m in re.finditer(r"^#define\s+(\w+)\s+(.+?)\s*(?:/\*.*)?$", f.read(), re.M):
                        found[m.group(1)] = m.group(2)
    return found


def value(text, macros):
    """A C constant expression of numbers and macros, as Python evaluates it."""
    text = text.strip()
    if text == "G_MAXINT":
        return 2 ** 31 - 1
    if text in macros:
        return value(macros[text], macros)
    text = re.sub(r"\b[A-Z_][A-Z0-9_]*\b", lambda m: str(value(m.group(0), macros)), text)
    return eval(text, {"__builtins__": {}})   # digits, dots, signs and brackets only


def argument_range(source, name, macros):
    """(min, max) of the int or double argument @name a procedure declares."""
    m = re.search(r'gimp_procedure_add_(?:int|double)_argument\s*\(\s*\w+,\s*"%s",(.*?)'
                  r'G_PARAM_READWRITE' % re.escape(name), source, re.S)
    if m is None:
        return None
    # The last three before the flags: least, most, default.
    parts = [p for p in re.split(r",(?![^()]*\))", m.group(1)) if p.strip()]
    return value(parts[-3], macros), value(parts[-2], macros)


def main():
    root = os.path.abspath(sys.argv[1])
    tool = load_tool(root)
    macros = defines(root)
    with open(os.path.join(root, "plugin", "gimp", "flux-fill.c"), encoding="utf-8") as f:
        procedure = f.read()
    with open(os.path.join(root, "plugin", "core", "fill-params.c"), encoding="utf-8") as f:
        params = f.read()

    for name, (lo, hi) in tool.RANGES.items():
        declared = argument_range(procedure, name, macros)
        check(declared == (lo, hi), f"--{name}: {lo:g} to {hi:g}, as the procedure declares it",
              f"the procedure: {declared}")
    outpaints = re.findall(r'\[FF_OUTPAINT_\w+\]\s*=\s*\{\s*"([^"]+)"', params)
    check(outpaints[1:] == tool.EXPAND_MODES, "--expand: the outpaint nicks but none",
          f"C: {outpaints}, tool: {tool.EXPAND_MODES}")
    formats = re.findall(r'\[FF_FORMAT_\w+\]\s*=\s*"([^"]+)"', params)
    check(formats == tool.OUTPUT_FORMATS, "--output-format: the format nicks",
          f"C: {formats}, tool: {tool.OUTPUT_FORMATS}")
    for what, macro, mine in [
            ("the prompt's limit", "FF_PROMPT_MAX_BYTES", tool.PROMPT_MAX_BYTES),
            ("the default price", "FLUX_FILL_PRICE_DEFAULT", tool.PRICE_DEFAULT),
            ("the watchmen's argument", "FF_CANCEL_WATCH_ARG", tool.WATCHMAN_ARG),
            ("the token's descriptor variable", "FF_TOKEN_FD_VARIABLE", tool.TOKEN_FD_VARIABLE),
            ("Replicate's URL", "FF_DEFAULT_BASE_URL", tool.DEFAULT_BASE_URL)]:
        text = macros.get(macro, "")
        theirs = text[1:-1] if text.startswith('"') else value(text, macros) if text else None
        check(theirs == mine, f"{what}: {mine!r}, as {macro}", f"C: {theirs!r}")
    table = open(os.path.join(root, "plugin", "core", "service-table.c")).read()
    check(f'"chainhub", N_("ChainHub (a Replicate aggregator)"), FF_PROVIDER_REPLICATE,\n'
          f'    "{tool.CHAINHUB_URL}"' in table, "ChainHub's URL, as the service table has it",
          tool.CHAINHUB_URL)
    table_macros = dict(re.findall(r'#define (\w+) +("[^"]*")', table))

    def c_string(token):
        token = token.strip()
        token = table_macros.get(token, token)
        return None if token == "NULL" else token.strip('"')

    for name, (url, key, base_variable) in tool.PROVIDERS.items():
        row = re.search(r'\{ FF_PROVIDER_\w+, "' + re.escape(name) + r'", N_\("[^"]*"\), '
                        r'(\S+),\s*(\S+), (\S+),', table)
        theirs = row and tuple(c_string(row.group(k)) for k in (1, 2, 3))
        check(theirs == (url, key, base_variable), f"--provider {name}: as the service table",
              f"C: {theirs}, tool: {(url, key, base_variable)}")
    record = macros.get("FF_RECORD_PARASITE", "").strip('"')
    check(record and f'RECORD = "{record}"' in tool.BATCH_PROGRAM,
          "the batch program knows generated layers by FF_RECORD_PARASITE", record)

    print("TAP version 13")
    print(f"1..{len(results)}")
    for i, (ok, name, detail) in enumerate(results, 1):
        print(f"{'ok' if ok else 'not ok'} {i} - {name}")
        if not ok and detail:
            print(f"# {detail}")
    return 0 if all(ok for ok, _, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
