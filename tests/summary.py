#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Counts the results of every test in the given meson build dirs and TAP
files.

Each TAP subtest counts once ('ok' passes, 'not ok' fails, a '# SKIP'
counts as skipped and is listed); a test that crashed or timed out with
no TAP plan fulfilled counts as one failure.  A FILE.tap argument is one
more test run outside meson (tests/run.sh writes GIMP 3.2's as
gimp-3.2.tap; "--tap NAME=FILE" names it NAME): its results are named
FILE/..., a missing or unfinished file counts as one failure, and a plan
of '1..0 # SKIP REASON' as one skipped run.  One more check: no test's output (stdout or stderr; for a
FILE.tap the file and FILE.log beside it) contains any of the tokens the
tests use.  Prints the closing line 'N passed, N failed' and exits 1 on
any failure or when nothing ran.
"""
import json
import os
import re
import sys

# Every token the tests hand out; none may show in any test's output.
TEST_TOKENS = ["r8_unit_test_token_5f3a", "r8_gimp_test_token_9c1e", "r8_selftest_token",
               "r8_keyring_unit_token_7d2b", "r8_keyring_unit_token_e41c",
               "r8_gimp_wrong_keyring_token_0b7a",
               "r8_batch_test_token_5d2f", "r8_batch_wrong_token_77aa",
               "r8_gui_smoke_token_4b7e", "r8_gui_wrong_token_c2d9"]

passed = failed = skipped = 0
leaked = []


def count(name, out, ended_ok, result, tap_file=False):
    """Adds one test's TAP output to the totals."""
    global passed, failed, skipped
    oks = re.findall(r"^(ok|not ok) \d+(.*)$", out, re.M)
    plan = re.search(r"^1\.\.(\d+)", out, re.M)
    p = sum(1 for s, rest in oks if s == "ok" and "# SKIP" not in rest)
    f = sum(1 for s, rest in oks if s == "not ok" and "# TODO" not in rest)
    s = sum(1 for s, rest in oks if "# SKIP" in rest)
    # A file's results read "FILE/what" (TAP's "N - " dropped).
    label = (lambda rest: f"{name}/{re.sub(r'^ *-? *', '', rest)}") if tap_file \
        else (lambda rest: f"{name}:{rest}")
    for st, rest in oks:
        if "# SKIP" in rest:
            print(f"skipped: {label(rest)}")
    complete = plan and int(plan.group(1)) == len(oks)
    if not ended_ok and (f == 0 or not complete):
        print(f"failed: {name} ended {result} after {len(oks)} results")
        f += 1
    elif f:
        for st, rest in oks:
            if st == "not ok":
                print(f"failed: {label(rest)}")
    passed, failed, skipped = passed + p, failed + f, skipped + s


args = sys.argv[1:]
# "--tap NAME=FILE" names a TAP file's results NAME/... instead.
tap_names = {}
while "--tap" in args:
    i = args.index("--tap")
    name, path = args[i + 1].split("=", 1)
    tap_names[path] = name
    args[i:i + 2] = [path]
for arg in args:
    if arg.endswith(".tap") or arg in tap_names:
        name = tap_names.get(arg) or os.path.basename(arg)[:-len(".tap")]
        if not os.path.exists(arg):
            print(f"failed: {name}: no {arg} (its run did not start)")
            failed += 1
            continue
        out = open(arg, errors="replace").read()
        log = re.sub(r"(\.tap)?$", ".log", arg, count=1)
        err = open(log, errors="replace").read() if os.path.exists(log) else ""
        leaked += [name for tok in TEST_TOKENS if tok in out or tok in err]
        skip_all = re.search(r"^1\.\.0 *# *SKIP *(.*)$", out, re.M)
        if skip_all:
            print(f"skipped: {skip_all.group(1)}")
            skipped += 1
            continue
        for version in re.findall(r"^# (gimp-console\S*: .*version .*)$", out, re.M):
            print(f"{name}: ran {version}")
        plan = re.search(r"^1\.\.(\d+)", out, re.M)
        complete = plan and int(plan.group(1)) == len(re.findall(r"^(?:ok|not ok) \d+", out, re.M))
        if not complete and err.strip():
            print("\n".join(f"{name}: {l}" for l in err.strip().splitlines()[-15:]))
        count(name, out, bool(complete), "unfinished", tap_file=True)
        continue
    build = arg
    log = os.path.join(build, "meson-logs", "testlog.json")
    if not os.path.exists(log):
        print(f"{build}: no test log (build failed?)")
        failed += 1
        continue
    for line in open(log):
        t = json.loads(line)
        name = f"{os.path.basename(build)}/{t['name']}"
        out = t.get("stdout") or ""
        leaked += [name for tok in TEST_TOKENS
                   if tok in out or tok in (t.get("stderr") or "")]
        count(name, out, t["result"] in ("OK", "EXPECTEDFAIL"), t["result"])

if leaked:
    print(f"failed: a test token appears in the output of {sorted(set(leaked))}")
    failed += 1
else:
    passed += 1     # the check that no test output holds a token

line = f"{passed} passed, {failed} failed"
if skipped:
    line += f", {skipped} skipped"
print(line)
sys.exit(1 if failed or passed == 0 else 0)
