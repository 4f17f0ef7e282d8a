#!/usr/bin/env python3
"""Runs a libFuzzer target for a bounded time over the kept corpus and
reports one TAP result.  New inputs go to a scratch folder, so the corpus
in the repo only changes when someone copies them in on purpose."""
import os
import re
import subprocess
import sys
import tempfile

fuzzer, corpus = sys.argv[1], sys.argv[2]
seconds = int(os.environ.get("FLUX_FILL_FUZZ_SECONDS", "60"))
name = os.path.basename(fuzzer)
with tempfile.TemporaryDirectory() as scratch:
    proc = subprocess.run([fuzzer, f"-max_total_time={seconds}", "-rss_limit_mb=2048",
                           "-timeout=10", f"-artifact_prefix={scratch}/", scratch, corpus],
                          capture_output=True, text=True)
    log = proc.stderr
    crashes = os.listdir(scratch) if proc.returncode else []
runs = re.findall(r"Done (\d+) runs", log)
print("TAP version 13")
print("1..1")
if proc.returncode == 0 and runs:
    print(f"ok 1 - {name}: {runs[-1]} runs in {seconds} s, no crash, leak or hang")
else:
    print(f"not ok 1 - {name}: exit {proc.returncode}")
    for line in log.splitlines()[-60:]:
        print(f"# {line}")
sys.exit(0 if proc.returncode == 0 and runs else 1)
