#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark of flux-fill: the real plug-in in gimp-console-3.0 (batch
mode) against the stand-in API with no model delay, on images up to
10000 x 10000.  Prints figures, asserts nothing about time.

For each case: bytes uploaded, the plug-in's client time per phase (from
its FLUX_FILL_DEBUG=1 "timings" line), its peak RSS, and the same figures
for the naive approach (the whole layer as one PNG at zlib level 9,
measured in GIMP's Python), with the ratio naive / ours.

  tests/bench/run_bench.sh                    builds a release build, runs this
  run_bench.py --plugin PATH [--repeat N] [--cases 1,3] [--noise 0.01] [--no-naive]
               [--variations 1,4] [--duration S] [--direct] [--log FILE]

--variations 1,4 runs every case once per count of variations (case "1x4":
case 1 with 4) and adds a table of N against 1; --duration S gives the
stand-in's predictions S seconds each (default 0).
"""
import argparse
import json
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
STANDIN = os.path.join(HERE, "..", "standin", "replicate_standin.py")
CASES = os.path.join(HERE, "bench_cases.py")
GIMP_TIMEOUT = 1200
PHASES = ("read", "encode", "request", "download", "decode", "insert")

TIMINGS_RE = re.compile(
    r"flux-fill: timings read=([\d.]+) encode=([\d.]+) request=([\d.]+) download=([\d.]+) "
    r"decode=([\d.]+) insert=([\d.]+) ms uploaded=(\d+) bytes peak_rss=(\d+) kB "
    r"start_rss=(\d+) kB")
HTTP_RE = re.compile(
    r"flux-fill: (\S+) (\S+) -> (?:HTTP (\d+)|no answer, (\d+)), (\d+) bytes sent, "
    r"(\d+) received, ([\d.]+) s")
MARK_RE = re.compile(r"flux-bench: (begin|end) (\S+) (\d+)")


def start_standin(token):
    proc = subprocess.Popen([sys.executable, STANDIN, "--token", token],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    _, api, files = proc.stdout.readline().split()
    return proc, int(api), int(files)


def standin(base, path, body=None):
    req = urllib.request.Request(base + path, method="POST" if body is not None else "GET",
                                 data=json.dumps(body).encode() if body is not None else None)
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read())


def run_gimp(plugin, workdir, env_extra):
    profile = os.path.join(workdir, "profile")
    target = os.path.join(profile, "plug-ins", "flux-fill")
    os.makedirs(target)
    shutil.copy(plugin, os.path.join(target, "flux-fill"))
    results = os.path.join(workdir, "results.jsonl")
    env = dict(os.environ, GIMP3_DIRECTORY=profile, FLUX_BENCH_RESULTS=results,
               FLUX_FILL_DEBUG="1", **env_extra)
    cmd = ["gimp-console-3.0", "-i", "-n", "--no-fonts", "--quit",
           "--batch-interpreter=python-fu-eval",
           "-b", f"exec(open({CASES!r}).read())"]
    t = time.monotonic()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    sampler = Sampler(proc.pid)
    sampler.start()
    try:
        out, err = proc.communicate(timeout=GIMP_TIMEOUT)
        output, stderr = out + err, err
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        output = f"GIMP timed out after {GIMP_TIMEOUT} s\n{out}{err}"
        stderr = err
    finally:
        sampler.stop()
    elapsed = time.monotonic() - t
    records = []
    if os.path.exists(results):
        with open(results) as f:
            records = [json.loads(line) for line in f if line.strip()]
    return records, stderr, output, elapsed, sampler


def proc_status(pid, key):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return None


class Sampler(threading.Thread):
    """Reads the peak RSS (VmHWM) of every plug-in run GIMP starts, every
    few ms while it lives, as a check on the peak_rss the plug-in prints."""

    def __init__(self, gimp_pid, period=0.005):
        super().__init__(daemon=True)
        self.gimp_pid = gimp_pid
        self.period = period
        self.seen = {}            # pid -> {"first": t, "last": t, "hwm": kB}
        self.watchmen = {}        # pid -> {"parent": plug-in pid, "hwm": kB}
        self.halt = threading.Event()

    @staticmethod
    def children(parent):
        pids = []
        try:
            tasks = os.listdir(f"/proc/{parent}/task")
        except OSError:
            return pids
        for task in tasks:           # a child belongs to the thread that forked it
            try:
                with open(f"/proc/{parent}/task/{task}/children") as f:
                    pids += f.read().split()
            except OSError:
                pass
        return pids

    def watch_children(self, plugin_pid):
        """The plug-in's cancel watchmen (one a variation), for their RSS."""
        for pid in self.children(plugin_pid):
            if pid not in self.watchmen:
                try:
                    with open(f"/proc/{pid}/cmdline", "rb") as f:
                        argv = f.read().split(b"\0")
                except OSError:
                    continue
                if b"--flux-fill-cancel-watch" not in argv:
                    continue
                self.watchmen[pid] = {"parent": plugin_pid, "hwm": 0}
            hwm = proc_status(pid, "VmHWM")
            if hwm is not None:
                self.watchmen[pid]["hwm"] = max(self.watchmen[pid]["hwm"], hwm)

    def run(self):
        plugin_runs = set()
        while not self.halt.wait(self.period):
            now = time.monotonic()
            for pid in self.children(self.gimp_pid):
                if pid not in plugin_runs:
                    # Read again until it has exec'd: a fresh fork is GIMP.
                    try:
                        with open(f"/proc/{pid}/cmdline", "rb") as f:
                            argv = f.read().split(b"\0")
                    except OSError:
                        continue
                    if (not argv or os.path.basename(argv[0]) != b"flux-fill"
                            or b"-run" not in argv):
                        continue
                    plugin_runs.add(pid)
                hwm = proc_status(pid, "VmHWM")
                if hwm is None:
                    continue
                entry = self.seen.setdefault(pid, {"first": now, "last": now, "hwm": 0})
                entry["last"] = now
                entry["hwm"] = max(entry["hwm"], hwm)
                self.watch_children(pid)

    def stop(self):
        self.halt.set()
        self.join()


def plugin_lines(stderr):
    """{(case, rep): {"timings": {...} | None, "http": [...]}} from the
    lines the plug-in printed between the script's markers."""
    fills, current = {}, None
    for line in stderr.splitlines():
        m = MARK_RE.search(line)
        if m:
            key = (m.group(2), int(m.group(3)))
            if m.group(1) == "begin":
                current = key
                fills[key] = {"timings": None, "http": []}
            else:
                current = None
            continue
        if current is None:
            continue
        m = TIMINGS_RE.search(line)
        if m:
            v = m.groups()
            fills[current]["timings"] = dict(
                zip(PHASES, map(float, v[:6])), uploaded=int(v[6]), peak_rss=int(v[7]),
                start_rss=int(v[8]))
            continue
        m = HTTP_RE.search(line)
        if m:
            fills[current]["http"].append({
                "method": m.group(1), "url": m.group(2),
                "status": int(m.group(3)) if m.group(3) else None,
                "curl_error": int(m.group(4)) if m.group(4) else None,
                "sent": int(m.group(5)), "received": int(m.group(6)),
                "seconds": float(m.group(7))})
    return fills


# ------------------------------------------------------------------ output

def mb(n):
    if n is None:
        return "n/a"
    if n >= 1e6:
        return f"{n / 1e6:.1f} MB"
    if n >= 1e3:
        return f"{n / 1e3:.0f} kB"
    return f"{n} B"


def mib_kb(kb):
    return "n/a" if kb is None else f"{kb / 1024:.0f} MiB"


def ms(v):
    if v is None:
        return "n/a"
    return f"{v:.0f}" if v >= 100 else f"{v:.1f}"


def ratio(a, b):
    if a is None or b is None or b == 0:
        return "n/a"
    r = a / b
    return f"{r:.0f}x" if r >= 100 else f"{r:.1f}x" if r >= 10 else f"{r:.2f}x"


def table(headers, rows, right=None):
    right = right if right is not None else set(range(1, len(headers)))
    widths = [max(len(str(r[i])) for r in [headers] + rows) for i in range(len(headers))]

    def fmt(row):
        return "  ".join(str(c).rjust(w) if i in right else str(c).ljust(w)
                         for i, (c, w) in enumerate(zip(row, widths))).rstrip()
    lines = [fmt(headers), "  ".join("-" * w for w in widths)]
    lines += [fmt(r) for r in rows]
    return "\n".join(lines)


def summarize(records, fills, sampler):
    """One dict per case: medians of the phases over the repetitions."""
    cases = {}
    for r in records:
        if r["type"] == "fill":
            c = cases.setdefault(r["case"], {"label": r["label"], "fills": [], "naive": None,
                                             "variations": r.get("variations", 1)})
            p = fills.get((r["case"], r["rep"]), {"timings": None, "http": []})
            runs = {pid: v for pid, v in sampler.seen.items()
                    if r["t_begin"] <= v["first"] <= r["t_end"]}
            hwm = max((v["hwm"] for v in runs.values()), default=None)
            watchmen = [w["hwm"] for w in sampler.watchmen.values() if w["parent"] in runs]
            c["fills"].append(dict(r, timings=p["timings"], http=p["http"], hwm=hwm,
                                   processes=len(runs), watchmen=watchmen))
        elif r["type"] == "naive":
            for name in r["cases"]:
                cases.setdefault(name, {"label": name, "fills": [], "naive": None})["naive"] = r
    out = []
    for name in sorted(cases):
        c = cases[name]
        good = [f for f in c["fills"] if f["ok"] and f["timings"]]
        s = {"case": name, "label": c["label"], "n": len(c["fills"]), "n_ok": len(good),
             "naive": c["naive"], "fills": c["fills"], "variations": c.get("variations", 1)}
        if good:
            for ph in PHASES:
                s[ph] = statistics.median(f["timings"][ph] for f in good)
            s["client"] = statistics.median(
                sum(f["timings"][ph] for ph in ("read", "encode", "decode", "insert"))
                for f in good)
            s["wall"] = statistics.median(f["wall_ms"] for f in good)
            s["uploaded"] = sorted({f["timings"]["uploaded"] for f in good})
            s["peak_rss"] = max(f["timings"]["peak_rss"] for f in good)
            s["extra_rss"] = max(f["timings"]["peak_rss"] - f["timings"]["start_rss"]
                                 for f in good)
            hwms = [f["hwm"] for f in good if f["hwm"] is not None]
            s["hwm"] = max(hwms) if hwms else None
            # The run's processes together: the plug-in and its cancel
            # watchman(s), each at its own sampled peak.
            s["watchmen"] = max(len(f.get("watchmen") or []) for f in good)
            totals = [f["hwm"] + sum(f.get("watchmen") or []) for f in good
                      if f["hwm"] is not None]
            s["all_hwm"] = max(totals) if totals else None
            s["gimp_rss"] = max(f["gimp_rss_kb"] or 0 for f in good) or None
            s["crop"] = good[0]["crop"]
            dl = [h["received"] for f in good for h in f["http"]
                  if h["method"] == "GET" and "/files/" in h["url"]]
            s["download_bytes"] = dl[0] if dl else None
            s["exchanges"] = sorted({len(f["http"]) for f in good})
            s["http_sent"] = statistics.median(sum(h["sent"] for h in f["http"]) for f in good)
        s["left_behind"] = [f for f in c["fills"] if f["images_after"] != f["images_before"]]
        out.append(s)
    return out


def attach_standin(summary, received):
    """The size the stand-in decoded for each create, in order: one create
    per variation of a successful fill here (no faults, no retries)."""
    creates = [r for r in received if r.get("server") == "api" and r.get("method") == "POST"
               and r.get("path", "").endswith("/predictions")]
    fills = sorted((f for s in summary for f in s["fills"] if f["ok"]),
                   key=lambda f: f["t_begin"])
    if len(creates) == sum(f.get("variations", 1) for f in fills):
        at = 0
        for f in fills:
            n = f.get("variations", 1)
            f["sent_size"] = creates[at].get("image_size")
            at += n
    n_fills = len(fills)
    fills = [f for f in fills for _ in range(f.get("variations", 1))]
    for s in summary:
        sizes = [f.get("sent_size") for f in s["fills"] if f["ok"]]
        s["sent_size"] = sizes[0] if sizes else None
    return len(creates), len(fills), n_fills


def per_variation_check(fill):
    """The plug-in's uploaded= counts one variation: the picture sent to
    the Files API (once, shared by all) plus one create's body.  True when
    there is one create for each variation, each of exactly that size, and
    nothing else sent a body."""
    http = fill["http"]
    files = [h for h in http if h["method"] == "POST" and h["url"].endswith("/files")]
    creates = [h for h in http if h["method"] == "POST" and h["url"].endswith("/predictions")]
    rest = [h for h in http if h not in files and h not in creates]
    shared = sum(h["sent"] for h in files)
    return (len(creates) == fill.get("variations", 1)
            and all(shared + h["sent"] == fill["timings"]["uploaded"] for h in creates)
            and not any(h["sent"] for h in rest))


def report(summary, records, received, elapsed, args):
    start = next((r for r in records if r["type"] == "start"), {})
    n_creates, n_variations, n_fills = attach_standin(summary, received)
    print(f"flux-fill benchmark, {time.strftime('%Y-%m-%d %H:%M')}, "
          f"revision {os.environ.get('FLUX_BENCH_REVISION') or 'unknown'}, "
          f"{os.cpu_count()} CPUs, plug-in {args.plugin}")
    print(f"{start.get('repeat', '?')} fill(s) per case (medians shown); stand-in scenario "
          f"{{\"duration\": {args.duration:g}}}, base URL {'without' if args.direct else 'with'} the "
          f"aggregator's /replicate prefix; images: GEGL linear gradient + gegl:noise-rgb "
          f"{start.get('noise', '?')}")
    print()
    for r in records:
        if r["type"] == "image":
            print(f"image {r['width']}x{r['height']} created in GIMP in "
                  f"{r['create_ms'] / 1000:.1f} s")
        elif r["type"] == "image-deleted":
            same = r["images_after_delete"] == r["images_before_create"]
            print(f"image {r['width']}x{r['height']} deleted; GIMP's image count back to "
                  f"{r['images_after_delete']} (before creation: {r['images_before_create']})"
                  f"{'' if same else '  <-- IMAGE LEFT BEHIND'}")
        elif r["type"] == "error":
            print(f"ERROR in case {r['case']}:\n{r['trace']}")
    print()

    for s in summary:
        print(f"case {s['case']}: {s['label']}")
        for f in s["fills"]:
            t = f["timings"]
            print(f"  fill {f['rep'] + 1}: {f['status']}, wall {f['wall_ms']:.0f} ms, "
                  f"images {f['images_before']} -> {f['images_after']}, plug-in VmHWM "
                  f"{f['hwm']} kB (sampled), GIMP RSS {f['gimp_rss_kb']} kB / VmHWM "
                  f"{f.get('gimp_hwm_kb')} kB before"
                  + (f", {len(f['watchmen'])} cancel watchmen of VmHWM up to "
                     f"{max(f['watchmen'])} kB (sampled)" if f.get("watchmen") else ""))
            if t:
                print("    " + " ".join(f"{ph}={t[ph]:.1f}" for ph in PHASES)
                      + f" ms, uploaded={t['uploaded']}, peak_rss={t['peak_rss']} kB"
                      + (f", model input {f['sent_size'][0]}x{f['sent_size'][1]}"
                         if f.get("sent_size") else ""))
            elif f["ok"]:
                print("    NO timings line from the plug-in")
            else:
                print(f"    {f['message']}")
            for h in f["http"]:
                print(f"    {h['method']} {h['url']} -> "
                      f"{h['status'] if h['status'] else 'curl error ' + str(h['curl_error'])}, "
                      f"{h['sent']} B sent, {h['received']} B received, {h['seconds']:.3f} s")
        n = s["naive"]
        if n:
            print(f"  naive (once for cases {', '.join(n['cases'])}): {n['width']}x{n['height']} "
                  f"read {n['read_ms']:.0f} ms, PNG z9 via {n['encoder']} "
                  f"{n['encode_ms']:.0f} ms -> {n['png_bytes']} B (raw {n['raw_bytes']} B), "
                  f"base64 {n['base64_bytes']} B in {n['base64_ms']:.0f} ms; peak "
                  f"{n['peak_kb']} kB by {n['peak_method']}, RSS before {n['base_kb']} kB")
        print()

    print(f"stand-in: {n_creates} prediction(s) created for {n_variations} variation(s) of "
          f"{n_fills} successful fill(s)")
    same = [per_variation_check(f) for s in summary for f in s["fills"]
            if f["ok"] and f["timings"]]
    print(f"uploaded= (one variation's bytes) equals what the plug-in logged as sent over "
          f"HTTP for each variation (the Files API upload, shared, plus that variation's "
          f"create; no other request has a body) in {sum(same)} of {len(same)} fill(s)")
    left = [s["case"] for s in summary if s["left_behind"]]
    print("no image left behind by any fill: "
          + ("yes" if not left else "NO (cases " + ", ".join(left) + ")"))
    print(f"GIMP ran {elapsed:.0f} s in all")
    print()

    rows = []
    for s in summary:
        if not s["n_ok"]:
            rows.append([s["case"], s["label"]] + ["-"] * 15 + [f"{s['n_ok']}/{s['n']}"])
            continue
        crop, sent = s["crop"], s["sent_size"]
        rows.append([s["case"], s["label"], f"{crop[0]}x{crop[1]}",
                     f"{sent[0]}x{sent[1]}" if sent else "?",
                     mb(s["uploaded"][0]) + ("" if len(s["uploaded"]) == 1 else "*"),
                     mb(s["http_sent"]), ms(s["read"]), ms(s["encode"]), ms(s["request"]), ms(s["download"]),
                     ms(s["decode"]), ms(s["insert"]), ms(s["client"]), ms(s["wall"]),
                     mib_kb(s["hwm"]), mib_kb(s["peak_rss"]),
                     ratio(s["extra_rss"] * 1024, crop[0] * crop[1] * 3),
                     f"{s['n_ok']}/{s['n']}"])
    print("Table 1. The plug-in (times in ms, medians)")
    print(table(["#", "case", "crop", "model input", "uploaded", "HTTP sent", "read",
                 "encode", "request", "download", "decode", "insert", "client", "wall",
                 "peak RSS", "peak_rss", "extra/crop", "ok"], rows, right=set(range(2, 18))))
    print("  crop: the layer the fill adds; model input: the image the stand-in received; "
          "uploaded: the plug-in's uploaded= figure (one variation's: the crop is encoded "
          "once, each variation sends its own create); HTTP sent: request bodies of all its "
          "exchanges, as its debug log counts them (failed attempts included); "
          "client = read + encode + decode + insert (outside the network); wall: the PDB "
          "call seen from the script, plug-in start-up included; peak RSS: the plug-in "
          "process's VmHWM sampled every 5 ms from outside; peak_rss: the figure the "
          "plug-in prints itself (its own VmHWM at the end of the fill); extra/crop: that peak "
          "less the plug-in's RSS when the fill began, over the crop as 8-bit RGB "
          "(width x height x 3 bytes).")
    print()

    rows = []
    for s in summary:
        n = s["naive"]
        if not n or not s["n_ok"] or s["variations"] != 1:
            continue
        naive_re = n["read_ms"] + n["encode_ms"]
        ours_re = s["read"] + s["encode"]
        rows.append([s["case"], s["label"],
                     mb(s["uploaded"][0]), mb(n["base64_bytes"]),
                     ratio(n["base64_bytes"], s["uploaded"][0]),
                     ms(ours_re), ms(naive_re), ratio(naive_re, ours_re),
                     ms(s["client"]), ratio(naive_re, s["client"]),
                     mib_kb(s["hwm"]), mib_kb(n["peak_kb"]), ratio(n["peak_kb"], s["hwm"])])
    if rows:
        print("Table 2. Ours against the naive approach (the whole layer as one PNG, zlib "
              "level 9); ratios naive / ours")
        print(table(["#", "case", "upload ours", "naive", "ratio",
                     "read+enc ours", "naive", "ratio", "client ours", "naive/client",
                     "peak ours", "naive", "ratio"], rows, right=set(range(2, 13))))
        print("  naive upload: the PNG as base64, image only (no mask, no JSON), against "
              "our whole upload; naive read+enc: reading the layer as R'G'B' u8 and "
              "encoding it (PIL, zlib 9) in GIMP's Python, measured once per image, base64 "
              "not included; naive/client: naive read+enc against all our client time; "
              "naive peak: VmHWM of GIMP's Python process over that step (reset before it), "
              "which includes its own ~40-70 MiB before the step.  One variation only.")

    by_name = {s["case"]: s for s in summary}
    rows = []
    for s in summary:
        one = by_name.get(s["case"].split("x")[0])
        if s["variations"] == 1 or not s["n_ok"] or not one or not one["n_ok"]:
            continue
        rows.append([s["case"], one["label"], s["variations"],
                     mb(one["http_sent"]), mb(s["http_sent"]),
                     ms(one["client"]), ms(s["client"]), ratio(s["client"], one["client"]),
                     ms(one["decode"]), ms(s["decode"]), ms(one["insert"]), ms(s["insert"]),
                     ms(one["wall"]), ms(s["wall"]), ratio(s["wall"], one["wall"]),
                     mib_kb(one["hwm"]), mib_kb(s["hwm"]),
                     mib_kb((s["hwm"] or 0) - (one["hwm"] or 0)),
                     s.get("watchmen", 0), mib_kb(one.get("all_hwm")), mib_kb(s.get("all_hwm"))])
    if rows:
        print()
        print("Table 3. N variations against one (times in ms, medians)")
        print(table(["#", "case", "N", "HTTP sent 1", "N", "client 1", "N", "ratio",
                     "decode 1", "N", "insert 1", "N", "wall 1", "N", "ratio",
                     "peak RSS 1", "N", "more", "watchmen N", "all procs 1", "N"], rows,
                    right=set(range(2, 21))))
        print("  HTTP sent: request bodies of all the fill's exchanges; decode: the colour "
              "match and fit of every result; peak RSS: the plug-in process's sampled "
              "VmHWM; watchmen N: cancel watchman processes the N-variation run started "
              "(one a run); all procs: the plug-in's and its watchmen's sampled VmHWM "
              "added up, every process of the run together.")


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--plugin", required=True, help="the built flux-fill executable")
    parser.add_argument("--repeat", type=int, default=3, help="fills per case (default 3)")
    parser.add_argument("--cases", default="", help="e.g. 1,2 (default: all)")
    parser.add_argument("--noise", type=float, default=0.01,
                        help="gegl:noise-rgb amount on the gradient (default 0.01)")
    parser.add_argument("--no-naive", action="store_true", help="skip the naive approach")
    parser.add_argument("--variations", default="1",
                        help="counts of variations each case runs with, e.g. 1,4 "
                             "(default 1; case \"1x4\" is case 1 with 4)")
    parser.add_argument("--duration", type=float, default=0.0,
                        help="seconds each prediction takes at the stand-in (default 0)")
    parser.add_argument("--direct", action="store_true",
                        help="REPLICATE_BASE_URL without the aggregator's /replicate prefix "
                             "(the stand-in then offers the Files API)")
    parser.add_argument("--log", default="_build/bench-gimp-output.txt",
                        help="where GIMP's output goes (default _build/bench-gimp-output.txt)")
    args = parser.parse_args()

    try:
        counts = [int(v) for v in args.variations.split(",")]
    except ValueError:
        counts = []
    if not counts or not all(1 <= v <= 4 for v in counts) or len(set(counts)) != len(counts):
        sys.exit("--variations: counts from 1 to 4, e.g. 1,4")
    args.variations = ",".join(map(str, counts))
    if not os.access(args.plugin, os.X_OK):
        sys.exit(f"no plug-in at {args.plugin}")
    token = "r8_bench_" + secrets.token_hex(12)
    workdir = tempfile.mkdtemp(prefix="flux-fill-bench-")
    standin_proc, api_port, _ = start_standin(token)
    base = f"http://127.0.0.1:{api_port}"
    received = []
    try:
        standin(base, "/_standin/reset", {})
        standin(base, "/_standin/scenario", {"duration": args.duration})
        env = {"REPLICATE_API_TOKEN": token,
               # As tests/integration/run_gimp.py: the aggregator's layout.
               "REPLICATE_BASE_URL": base + ("" if args.direct else "/replicate"),
               "FLUX_BENCH_REPEAT": str(args.repeat),
               "FLUX_BENCH_CASES": args.cases,
               "FLUX_BENCH_VARIATIONS": args.variations,
               "FLUX_BENCH_NOISE": str(args.noise),
               "FLUX_BENCH_NAIVE": "0" if args.no_naive else "1"}
        records, stderr, output, elapsed, sampler = run_gimp(args.plugin, workdir, env)
        received = standin(base, "/_standin/requests")
    finally:
        standin_proc.stdin.close()
        standin_proc.wait(timeout=30)

    output = output.replace(token, "r8_***")
    stderr = stderr.replace(token, "r8_***")
    summary = summarize(records, plugin_lines(stderr), sampler)
    report(summary, records, received, elapsed, args)

    shutil.rmtree(workdir, ignore_errors=True)
    # Outside /tmp, which is a fresh tmpfs per call in the Debian 13 root.
    if os.path.dirname(args.log):
        os.makedirs(os.path.dirname(args.log), exist_ok=True)
    with open(args.log, "w") as f:
        f.write(output)
    complete = any(r["type"] == "done" for r in records)
    failed = [f for s in summary for f in s["fills"] if not f["ok"] or not f["timings"]]
    if not complete or failed or any(r["type"] == "error" for r in records):
        print()
        print("something went wrong; the end of GIMP's output:")
        for line in output.splitlines()[-40:]:
            print(f"# {line}")
        print(f"# all of it: {args.log}")
        return 1
    print(f"GIMP's whole output (token redacted): {args.log}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
