#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""flux-fill-batch's root mode, run on the host (bwrap does not nest):
without a GIMP 3 here it runs GIMP in the checkout's Debian 13 root
through tests/trixie-root.sh.  While a prediction runs (the stand-in,
itself in the root, never finishes it), no process the command started
(bash, bwrap, gimp-console, the plug-ins, the watchmen) holds the token
in /proc/PID/environ or cmdline, and the plug-in got it all the same
(the create was authorised); SIGTERM then ends with the prediction
cancelled.  Prints TAP.  Needs only python3 on the host (no PIL).

    test_batch_root.py --plugin BUILD/plugin/flux-fill
"""
import argparse
import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
from standin_log import exchange  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
BATCH = os.path.join(ROOT, "tools", "flux-fill-batch")
TOKEN = "r8_batch_root_token_c81e"

results = []


def check(ok, name, detail=""):
    results.append((bool(ok), name, str(detail)))
    return ok


def png(path, width=64, height=48):
    """A small RGB PNG, without PIL."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff))
    rows = b"".join(b"\0" + b"".join(bytes((x * 4 % 256, y * 5 % 256, 90)) for x in range(width))
                    for y in range(height))
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n"
                + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def requests(api):
    with urllib.request.urlopen(f"http://127.0.0.1:{api}/_standin/requests", timeout=30) as r:
        return json.loads(r.read())


def predictions(api):
    """(creates answered 201, ids polled, ids cancelled) at the stand-in."""
    return exchange(requests(api))

def stat_of(pid):
    """(ppid, session) of @pid, or None."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
        return int(fields[1]), int(fields[3])
    except (OSError, IndexError, ValueError):
        return None


def started_by(top):
    """Every living process @top started: its descendants, and whatever
    shares a session with one of them (the watchmen outlive their parent)."""
    table = {int(p): stat_of(int(p)) for p in os.listdir("/proc") if p.isdigit()}
    table = {p: s for p, s in table.items() if s is not None}
    found, grew = {top}, True
    while grew:
        grew = False
        sessions = {table[p][1] for p in found if p in table and p != top}
        for pid, (ppid, session) in table.items():
            if pid not in found and (ppid in found or session in sessions):
                found.add(pid)
                grew = True
    found.discard(top)
    return sorted(found)


def read(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--plugin", required=True)
    args = parser.parse_args()
    plugin = os.path.abspath(args.plugin)

    print("TAP version 13")
    if any(shutil.which(n) for n in ("gimp-console-3.0", "gimp-console-3.2", "gimp-console")):
        print("1..0 # SKIP a GIMP is installed here: flux-fill-batch runs it, not the root")
        return 0

    work = tempfile.mkdtemp(prefix="flux-fill-batch-root-")
    standin = subprocess.Popen([os.path.join(ROOT, "tests", "trixie-root.sh"), "python3",
                                "tests/standin/replicate_standin.py", "--token", TOKEN],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        _, api, _ = standin.stdout.readline().split()
        req = urllib.request.Request(f"http://127.0.0.1:{api}/_standin/scenario",
                                     data=json.dumps({"duration": 100000}).encode(),
                                     method="POST", headers={"Content-Type": "application/json"})
        urllib.request.urlopen(req, timeout=30).read()
        src = os.path.join(work, "in.png")
        png(src)
        env = dict(os.environ, REPLICATE_API_TOKEN=TOKEN,
                   REPLICATE_BASE_URL=f"http://127.0.0.1:{api}", FLUX_FILL_TIMEOUT="3600")
        for var in ("DBUS_SESSION_BUS_ADDRESS", "DISPLAY", "WAYLAND_DISPLAY", "GIMP3_DIRECTORY"):
            env.pop(var, None)
        tool = subprocess.Popen([sys.executable, BATCH, "--plugin", plugin, src,
                                 "-o", os.path.join(work, "out.png"), "--prompt", "a red barn",
                                 "--select", "8,8,20,20"],
                                env=env, cwd=work, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        deadline, armed = time.monotonic() + 300, False
        while time.monotonic() < deadline and tool.poll() is None:
            creates, polled, _ = predictions(api)
            if creates == 1 and polled:
                armed = True
                break
            time.sleep(0.5)
        check(armed, "root mode: the plug-in got the token (an authorised create, polled)",
              f"exit {tool.poll()}")
        holders, handed = [], False
        names = []
        for pid in started_by(tool.pid):
            environ, cmdline = read(f"/proc/{pid}/environ"), read(f"/proc/{pid}/cmdline")
            names.append((read(f"/proc/{pid}/comm") or b"?").strip().decode())
            if any(TOKEN.encode() in (b or b"") for b in (environ, cmdline)):
                argv = (cmdline or b"").replace(b"\0", b" ")[:200]
                holders.append(f"{pid} {argv!r}")
            handed = handed or b"FLUX_FILL_TOKEN_FD=" in (environ or b"")
        check("gimp-console" in names and not holders,
              "root mode: no process started holds the token in its environment or arguments",
              f"processes {names}; holders {holders}")
        check(handed, "root mode: the token was handed over on a descriptor (FLUX_FILL_TOKEN_FD)",
              names)
        tool.send_signal(signal.SIGTERM)
        try:
            _, stderr = tool.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            tool.kill()
            _, stderr = tool.communicate()
        creates, polled, cancelled = predictions(api)
        check(tool.returncode == 143 and "cancelled" in stderr,
              "root mode, SIGTERM: exit 143, the predictions cancelled",
              f"exit {tool.returncode}: {stderr.strip()[-1500:]}")
        check(creates == 1 and polled and polled <= cancelled,
              "root mode, SIGTERM: the prediction was cancelled at the stand-in",
              f"creates {creates}, polled {sorted(polled)}, cancelled {sorted(cancelled)}")
        check(TOKEN not in stderr, "root mode: the token is in none of its output")
    finally:
        standin.stdin.close()
        standin.wait(timeout=30)

    print(f"1..{len(results)}")
    for i, (ok, name, detail) in enumerate(results, 1):
        print(f"{'ok' if ok else 'not ok'} {i} - {name}")
        if not ok and detail:
            for line in detail.splitlines():
                print(f"# {line}")
    if all(ok for ok, _, _ in results):
        shutil.rmtree(work, ignore_errors=True)
        return 0
    print(f"# files kept in {work}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
