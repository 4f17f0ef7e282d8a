#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes the man page of a Python command from its --help (argparse's
layout), as help2man would, without that dependency.

    make-man.py COMMAND OUTPUT.1 VERSION

The page holds NAME (the description's first clause), SYNOPSIS (the usage
line), DESCRIPTION, one section per argument group, each option a tagged
paragraph, and the epilog's paragraphs under NOTES.
"""
import os
import re
import subprocess
import sys


def roff(text):
    """@text as roff running text: backslashes and hyphens escaped, no
    line starting with a control character."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return re.sub(r"^([.'])", r"\\&\1", text, flags=re.M)


def items(block):
    """(term, help) for each entry of an argparse group: the term starts
    two spaces in; its help follows after two or more spaces, or on the
    lines indented deeper below it."""
    entries = []
    for line in block.splitlines():
        m = re.match(r"^  (\S.*?)(?:\s{2,}(\S.*))?$", line)
        if m and not line.startswith("   "):
            entries.append([m.group(1), m.group(2) or ""])
        elif entries:
            entries[-1][1] = (entries[-1][1] + " " + line.strip()).strip()
    return entries


def page(name, version, text):
    blocks = [b for b in re.split(r"\n\s*\n", text.strip()) if b.strip()]
    usage = " ".join(blocks.pop(0).split())
    usage = usage[len("usage: "):] if usage.startswith("usage: ") else usage
    description = " ".join(blocks.pop(0).split()) if blocks else ""
    summary = re.split(r"[:.;]", description, maxsplit=1)[0]
    out = [f'.TH {name.upper()} 1 "" "{name} {version}" "User Commands"',
           ".SH NAME", f"{roff(name)} \\- {roff(summary)}",
           ".SH SYNOPSIS", roff(usage),
           ".SH DESCRIPTION", roff(description)]
    notes = []
    for block in blocks:
        heading, _, rest = block.partition("\n")
        if heading.endswith(":") and not heading.startswith(" "):
            out.append(f".SH {roff(heading[:-1].upper())}")
            for term, helptext in items(rest):
                out += [".TP", f"\\fB{roff(term)}\\fR", roff(helptext)]
        else:
            notes.append(block)
    if notes:
        out.append(".SH NOTES")
        for para in "\n".join(notes).splitlines():
            out += [".PP", roff(para.strip())]
    return "\n".join(out) + "\n"


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__.strip().splitlines()[3].strip())
    command, output, version = sys.argv[1:]
    # One line per paragraph: roff wraps, argparse need not.
    env = dict(os.environ, COLUMNS="10000")
    text = subprocess.run([sys.executable, command, "--help"], env=env, check=True,
                          capture_output=True, text=True).stdout
    with open(output, "w", encoding="utf-8") as f:
        f.write(page(os.path.basename(command), version, text))


if __name__ == "__main__":
    main()
