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
    return ok


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


def function_body(source, name):
    """The text of the C function @name in @source, to its closing brace."""
    m = re.search(r"^%s \(.*?^}" % re.escape(name), source, re.S | re.M)
    return m.group(0) if m else ""


def model_rows(source, macros):
    """{(model id, provider): {field: value}} of model.c's table: each row
    is a macro call (KONTEXT_PRO (FF_PROVIDER_BFL, ...)) whose parameters
    fill the designated initialisers of its #define."""
    rows = {}
    for m in re.finditer(r"^#define (\w+)\(([^)]*)\)((?:.*\\\n)*.*)$", source, re.M):
        macro, params, body = m.group(1), [p.strip() for p in m.group(2).split(",")], m.group(3)
        fields = dict(re.findall(r"\.(\w+) = ([^,\\]+?)\s*(?=,|\\|$)", body))
        for call in re.finditer(r"^  %s \((.*?)\),$" % macro, source, re.M | re.S):
            args = [a.strip() for a in re.split(r",\s*", call.group(1))]
            row = {k: args[params.index(v)] if v in params else v for k, v in fields.items()}
            model = macros.get(row.get("id", ""), "").strip('"')
            rows[(model, row["provider"])] = row
    return rows


def check_edit(root, tool, macros, procedure):
    """--edit's ranges, models, prices and sizes: the procedure's and
    model.c's; the tool's mirror of ff_model_output_size () and
    ff_model_cost_at () against the cases of tests/unit/test-model.c."""
    edit = function_body(procedure, "add_edit_arguments")
    for name, (lo, hi) in tool.EDIT_RANGES.items():
        declared = argument_range(edit, name, macros)
        check(declared == (lo, hi), f"--edit --{name}: {lo:g} to {hi:g}, as plug-in-flux-edit "
              "declares it", f"the procedure: {declared}")
    choice = re.search(r'"model",.*?gimp_choice_new_with_values \((.*?)NULL\),\s*(\w+),', edit,
                       re.S)
    nicks = choice and [macros.get(n, "").strip('"')
                        for n in re.findall(r"(FF_MODEL_\w+), \d", choice.group(1))]
    default = choice and macros.get(choice.group(2), "").strip('"')
    check(nicks == list(tool.EDIT_MODELS) and default == tool.EDIT_MODEL_DEFAULT,
          "--model: the edit procedure's model nicks, in order, and its default",
          f"C: {nicks}, default {default}; tool: {list(tool.EDIT_MODELS)}, "
          f"{tool.EDIT_MODEL_DEFAULT}")
    with open(os.path.join(root, "plugin", "core", "model.c"), encoding="utf-8") as f:
        model_c = f.read()
    local = dict(macros, **{k: v for k, v in re.findall(r"^#define\s+(\w+)\s+(.+?)\s*$",
                                                         model_c, re.M)})
    rows = model_rows(model_c, macros)
    providers = {"replicate": "FF_PROVIDER_REPLICATE", "bfl": "FF_PROVIDER_BFL"}
    sizes = {"about-1mp": "FF_SIZE_ABOUT_1MP", "match-input": "FF_SIZE_MATCH_INPUT"}
    for model_id, mine in tool.EDIT_MODELS.items():
        for name, provider in providers.items():
            row = rows.get((model_id, provider))
            if not check(row is not None, f"{model_id} at {name}: a row of model.c", sorted(rows)):
                continue
            images = value(row.get("max_images", "0"), local)
            theirs = (row.get("label", "").strip('"'), value(row["price"], local),
                      value(row.get("price_per_mp", "0"), local), images - 1, row.get("size_rule"),
                      (value(row["min_safety"], local), value(row["max_safety"], local)))
            ours = (mine.label, mine.price, mine.per_mp, mine.references, sizes[mine.size],
                    mine.safety[name])
            check(theirs == ours, f"--model {model_id} at {name}: name, prices, references, size "
                  "rule and safety range with an image, as model.c", f"C: {theirs}, tool: {ours}")
    for what, macro, mine in [("a megapixel", "FF_MEGAPIXEL", tool.MEGAPIXEL),
                              ("the edit sides' step", "EDIT_SIDE_STEP", tool.EDIT_SIDE_STEP),
                              ("FLUX.2's longest side", "FLUX2_MAX_SIDE", tool.FLUX2_MAX_SIDE)]:
        theirs = value(local[macro], local) if macro in local else None
        check(theirs == mine, f"{what}: {mine}, as {macro}", f"C: {theirs}")

    # The C tests' cases, which hold model.c itself.
    with open(os.path.join(root, "tests", "unit", "test-model.c"), encoding="utf-8") as f:
        test_c = f.read()
    names = {"kontext": "flux-kontext-pro", "flux2": "flux-2-pro"}
    cases = re.findall(r'\{ "(kontext|flux2)", (\d+), (\d+), (\d+), (\d+) \}', test_c)
    check(len(cases) >= 4, "test-model.c has output size cases of the edit models", len(cases))
    for which, w, h, ow, oh in cases:
        got = tool.edit_output_size(names[which], int(w), int(h))
        check(got == (int(ow), int(oh)), f"the estimate's size of a {w}x{h} picture at "
              f"{names[which]}: {ow}x{oh}, as ff_model_output_size ()", f"tool: {got}")
    costs = re.findall(r"ff_model_cost(?:_at)? \((kontext|flux2), (?:([\d.]+), )?([^,]+), ([^,]+), "
                       r"([^)]+?)\),\s*([^,]+?), 1e-9\)", test_c)
    check(len(costs) >= 4, "test-model.c has cost cases of the edit models", len(costs))
    for which, price, w, h, pixels, expected in costs:
        model = names[which]
        price = float(price) if price else tool.EDIT_MODELS[model].price
        got = tool.edit_cost(model, price, value(w, local), value(h, local), value(pixels, local))
        want = value(expected, local)
        check(abs(got - want) < 1e-9, f"the estimate's cost at {model}, ${price:g}, {w}x{h} out, "
              f"{pixels.strip()} pixels in: {want:g}, as ff_model_cost_at ()", f"tool: {got}")


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
    check_edit(root, tool, macros, procedure)
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
