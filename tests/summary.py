#!/usr/bin/env python3
"""Counts the results of every test in the given meson build dirs.

Each TAP subtest counts once ('ok' passes, 'not ok' fails, a '# SKIP'
counts as skipped and is listed); a test that crashed or timed out with
no TAP plan fulfilled counts as one failure.  One more check: no test's
output (stdout or stderr) contains any of the tokens the tests use.  Prints the closing line
'N passed, N failed' and exits 1 on any failure or when nothing ran.
"""
import json
import os
import re
import sys

# Every token the tests hand out; none may show in any test's output.
TEST_TOKENS = ["r8_unit_test_token_5f3a", "r8_gimp_test_token_9c1e", "r8_selftest_token",
               "r8_keyring_unit_token_7d2b", "r8_keyring_unit_token_e41c"]

passed = failed = skipped = 0
leaked = []
args = sys.argv[1:]
# --tap NAME=FILE: a TAP stream written outside meson (GIMP 3.2's run).
taps = [args[i + 1] for i, a in enumerate(args) if a == "--tap"]
builds = [a for i, a in enumerate(args) if a != "--tap" and (i == 0 or args[i - 1] != "--tap")]
for spec in taps:
    name, path = spec.split("=", 1)
    out = open(path, errors="replace").read() if os.path.exists(path) else ""
    leaked += [name for tok in TEST_TOKENS if tok in out]
    oks = re.findall(r"^(ok|not ok) \d+(.*)$", out, re.M)
    plan = re.search(r"^1\.\.(\d+)", out, re.M)
    for st, rest in oks:
        if st == "not ok":
            print(f"failed: {name}:{rest}")
    p = sum(1 for s_, _ in oks if s_ == "ok")
    f = sum(1 for s_, _ in oks if s_ == "not ok")
    if not plan or int(plan.group(1)) != len(oks):
        print(f"failed: {name}: {len(oks)} results, plan {plan.group(1) if plan else 'missing'}")
        f += 1
    passed, failed = passed + p, failed + f
for build in builds:
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
        oks = re.findall(r"^(ok|not ok) \d+(.*)$", out, re.M)
        plan = re.search(r"^1\.\.(\d+)", out, re.M)
        p = sum(1 for s, rest in oks if s == "ok" and "# SKIP" not in rest)
        f = sum(1 for s, rest in oks if s == "not ok" and "# TODO" not in rest)
        s = sum(1 for s, rest in oks if "# SKIP" in rest)
        for st, rest in oks:
            if "# SKIP" in rest:
                print(f"skipped: {name}:{rest}")
        complete = plan and int(plan.group(1)) == len(oks)
        if t["result"] not in ("OK", "EXPECTEDFAIL") and (f == 0 or not complete):
            print(f"failed: {name} ended {t['result']} after {len(oks)} results")
            f += 1
        elif f:
            for st, rest in oks:
                if st == "not ok":
                    print(f"failed: {name}:{rest}")
        passed, failed, skipped = passed + p, failed + f, skipped + s

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
