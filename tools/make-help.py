#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Makes the plug-in's help page (docs/help/en/index.html) from the user's
part of README.md: Use, The service and its API token, Parameters, When
things go wrong.  No Markdown library is in the Debian 13 root, and the
README uses a small part of Markdown: headings, paragraphs, numbered
lists with code blocks, tables, `code`, **bold**, *emphasis* and links.

    make-help.py README.md OUT.html          write the page
    make-help.py --check README.md PAGE      TAP: PAGE is what README makes
"""
import html
import re
import sys

# README section -> the id gimp-help.xml and the page's links use.
SECTIONS = [("## Use", "use"), ("### The service and its API token", "token"),
            ("## Parameters", "parameters"), ("## When things go wrong", "problems")]
# A paragraph opening with **Name.** gets an id of its own.
PARAGRAPH_IDS = {"Remove": "remove", "Expand": "expand", "FLUX Edit": "edit",
                 "Variations": "variations",
                 "Coming back to a fill": "again", "Keeping one variation": "keep",
                 "Help": "help"}

HEAD = """<!DOCTYPE html>
<!-- SPDX-License-Identifier: GPL-3.0-or-later -->
<!-- Made by tools/make-help.py from README.md: do not edit; change
     README.md and run tools/make-help.py README.md docs/help/en/index.html
     (tests/help/check_help.py checks that it is up to date).  gimp-help.xml
     maps each procedure's help ID to its section. -->
<html lang="en">
<head>
<meta charset="utf-8">
<title>FLUX Fill for GIMP: help</title>
<style>
body { font-family: sans-serif; max-width: 60em; margin: 1em auto; padding: 0 1em; line-height: 1.45; }
code { font-size: 95%; background: #f2f2f2; padding: 0 .2em; }
pre { background: #f2f2f2; padding: .5em; overflow-x: auto; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #ccc; padding: .3em .5em; vertical-align: top; text-align: left; }
th { background: #eee; }
</style>
</head>
<body>
<h1>FLUX Fill for GIMP</h1>
<p>FLUX Fill fills a selection with what you describe, painted by the FLUX.1
Fill [pro] model at Replicate or at Black Forest Labs. The result arrives as
a <strong>new layer with a mask</strong>, right above the layer you worked
on, in one undo step; the original pixels are never touched. FLUX Edit
changes the selection, or the whole picture, by instruction, with FLUX.1
Kontext [pro] or FLUX.2 [pro].</p>
<ul>
<li><a href="#use">FLUX Fill…</a> (<code>plug-in-flux-fill</code>): fill the selection; a blank prompt <a href="#remove">removes</a> what is selected</li>
<li><a href="#expand">FLUX Expand…</a> (<code>plug-in-flux-expand</code>): grow the canvas</li>
<li><a href="#edit">FLUX Edit…</a> (<code>plug-in-flux-edit</code>): change the selection, or the whole picture, by instruction</li>
<li><a href="#variations">Variations</a> and <a href="#again">FLUX Fill Again</a> (<code>plug-in-flux-fill-again</code>): more results of a fill</li>
<li><a href="#keep">Keep This Variation</a> (<code>plug-in-flux-fill-keep</code>): keep one, remove the others</li>
<li><a href="#token">The service and its API token</a>, <a href="#parameters">Parameters</a>, <a href="#problems">When things go wrong</a></li>
</ul>
"""
TAIL = "</body>\n</html>\n"


def inline(text):
    """`code`, **bold**, *emphasis* and [links](url), the rest escaped."""
    out, pos = [], 0
    for m in re.finditer(r"`([^`]+)`|\*\*(.+?)\*\*|\*([^*\s][^*]*?)\*|\[([^\]]+)\]\(([^)]+)\)", text):
        out.append(html.escape(text[pos:m.start()], quote=False))
        if m.group(1) is not None:
            out.append(f"<code>{html.escape(m.group(1), quote=False)}</code>")
        elif m.group(2) is not None:
            out.append(f"<strong>{inline(m.group(2))}</strong>")
        elif m.group(3) is not None:
            out.append(f"<em>{inline(m.group(3))}</em>")
        else:
            out.append(f'<a href="{html.escape(m.group(5))}">{inline(m.group(4))}</a>')
        pos = m.end()
    out.append(html.escape(text[pos:], quote=False))
    return "".join(out)


def cells(row):
    return [c.strip() for c in row.strip().strip("|").split("|")]


def table(rows):
    head = cells(rows[0])
    body = [cells(r) for r in rows[2:]]
    # The tests column is for developers; the page is for users.
    keep = len(head) - 1 if head[-1].lower() == "tests" else len(head)
    out = ["<table>", "<tr>" + "".join(f"<th>{inline(c)}</th>" for c in head[:keep]) + "</tr>"]
    for r in body:
        out.append("<tr>" + "".join(f"<td>{inline(c)}</td>" for c in r[:keep]) + "</tr>")
    out.append("</table>")
    return out


def paragraph(lines):
    text = " ".join(l.strip() for l in lines)
    m = re.match(r"\*\*(.+?)\.\*\*", text)
    ident = PARAGRAPH_IDS.get(m.group(1)) if m else None
    return [f'<p id="{ident}">{inline(text)}</p>' if ident else f"<p>{inline(text)}</p>"]


def code_block(lines):
    return ["<pre><code>" + html.escape("\n".join(lines), quote=False) + "</code></pre>"]


def blocks(lines):
    """The HTML of @lines: paragraphs, tables, code blocks, numbered lists."""
    out, i = [], 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
        elif line.lstrip().startswith("```"):
            indent = len(line) - len(line.lstrip())
            j = i + 1
            while j < len(lines) and not lines[j].lstrip().startswith("```"):
                j += 1
            out += code_block([l[indent:] for l in lines[i + 1:j]])
            i = j + 1
        elif line.startswith("|"):
            j = i
            while j < len(lines) and lines[j].startswith("|"):
                j += 1
            out += table(lines[i:j])
            i = j
        elif re.match(r"\d+\. ", line):
            out.append("<ol>")
            while i < len(lines) and re.match(r"\d+\. ", lines[i]):
                item = [lines[i].split(". ", 1)[1]]
                i += 1
                while i < len(lines) and (not lines[i].strip() or lines[i].startswith("   ")):
                    item.append(lines[i][3:])
                    i += 1
                while item and not item[-1].strip():
                    item.pop()
                out.append("<li>" + "\n".join(blocks(item)) + "</li>")
            out.append("</ol>")
        else:
            j = i
            while (j < len(lines) and lines[j].strip() and not lines[j].startswith("|")
                   and not lines[j].lstrip().startswith("```")):
                j += 1
            out += paragraph(lines[i:j])
            i = j
    return out


def section(readme, heading):
    """The lines under @heading, up to the next heading of its level or above."""
    lines = readme.splitlines()
    start = lines.index(heading) + 1
    level = heading.split()[0]
    end = start
    while end < len(lines):
        m = re.match(r"(#+) ", lines[end])
        if m and len(m.group(1)) <= len(level):
            break
        end += 1
    return lines[start:end]


def page(readme):
    out = [HEAD.rstrip("\n")]
    for heading, ident in SECTIONS:
        out.append(f'<h2 id="{ident}">{inline(heading.split(" ", 1)[1])}</h2>')
        out += blocks(section(readme, heading))
    return "\n".join(out) + "\n" + TAIL


def main(argv):
    if len(argv) == 4 and argv[1] == "--check":
        made = page(open(argv[2], encoding="utf-8").read())
        same = open(argv[3], encoding="utf-8").read() == made
        print("TAP version 13\n1..1")
        print(f"{'ok' if same else 'not ok'} 1 - {argv[3]} is what README.md makes "
              f"(tools/make-help.py README.md {argv[3]})")
        return 0 if same else 1
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[2], "w", encoding="utf-8") as f:
        f.write(page(open(argv[1], encoding="utf-8").read()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
