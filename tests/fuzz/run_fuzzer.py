#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Runs a libFuzzer target for a bounded time over the kept corpus and
reports TAP: first the kept reproducers, each run once, then the fuzzing.
New inputs go to a scratch folder, so the corpus in the repo only changes
when someone copies them in on purpose; crash, leak and timeout inputs go
to --artifacts, which outlives the run, and their paths are printed.

  run_fuzzer.py FUZZER CORPUS [--reproducers DIR] [--artifacts DIR]

Every file in --reproducers (tests/fuzz/reproducers/KIND/, README and
dotfiles aside) once made the target fail; copy a new artifact there to
keep it as a regression input."""
import argparse
import os
import re
import subprocess
import sys
import tempfile

parser = argparse.ArgumentParser()
parser.add_argument("fuzzer")
parser.add_argument("corpus")
parser.add_argument("--reproducers", help="inputs run once before fuzzing")
parser.add_argument("--artifacts", help="where crash inputs are kept "
                    "(default: fuzz-artifacts/NAME in the working folder)")
args = parser.parse_args()

seconds = int(os.environ.get("FLUX_FILL_FUZZ_SECONDS", "60"))
name = os.path.basename(args.fuzzer)
artifacts = os.path.abspath(args.artifacts or os.path.join("fuzz-artifacts", name))
os.makedirs(artifacts, exist_ok=True)
common = ["-rss_limit_mb=2048", "-timeout=10", f"-artifact_prefix={artifacts}/"]


def snapshot():
    return {f: os.stat(os.path.join(artifacts, f)).st_mtime_ns for f in os.listdir(artifacts)}


def report(ok, number, text, proc, before):
    print(f"{'ok' if ok else 'not ok'} {number} - {text}")
    if ok:
        return
    after = snapshot()
    new = sorted(f for f in after if before.get(f) != after[f])
    for f in new:
        print(f"# reproducer: {os.path.join(artifacts, f)}")
    if new and args.reproducers:
        print(f"# once fixed, copy it to {args.reproducers}/ to keep it as a regression input")
    for line in proc.stderr.splitlines()[-60:]:
        print(f"# {line}")


kept = []
if args.reproducers and os.path.isdir(args.reproducers):
    kept = sorted(os.path.join(args.reproducers, f) for f in os.listdir(args.reproducers)
                  if not f.startswith((".", "README"))
                  and os.path.isfile(os.path.join(args.reproducers, f)))

print("TAP version 13")
print("1..2")
failed = False

# Given files rather than folders, libFuzzer runs each once and stops.
if kept:
    before = snapshot()
    proc = subprocess.run([args.fuzzer, "-runs=0", *common, *kept],
                          capture_output=True, text=True)
    ok = proc.returncode == 0
    report(ok, 1, f"{name}: {len(kept)} kept reproducers"
           + (" pass" if ok else f": exit {proc.returncode}"), proc, before)
    failed |= not ok
else:
    print(f"ok 1 - {name}: kept reproducers # SKIP none kept")

with tempfile.TemporaryDirectory() as scratch:
    before = snapshot()
    proc = subprocess.run([args.fuzzer, f"-max_total_time={seconds}", *common,
                           scratch, args.corpus],
                          capture_output=True, text=True)
runs = re.findall(r"Done (\d+) runs", proc.stderr)
ok = proc.returncode == 0 and bool(runs)
report(ok, 2, f"{name}: {runs[-1]} runs in {seconds} s, no crash, leak or hang" if ok
       else f"{name}: exit {proc.returncode}", proc, before)
failed |= not ok
sys.exit(1 if failed else 0)
