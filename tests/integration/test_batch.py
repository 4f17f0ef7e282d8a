#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""tools/flux-fill-batch, the plug-in on files, end to end: real GIMP 3
(one at a time) with the given plug-in build in a temporary profile
(--plugin), against the stand-in API.  Prints TAP, one line per check.

    test_batch.py --plugin BUILD/plugin/flux-fill [--gimp gimp-console-3.0]

Cases: a rectangle into a PNG (magenta inside, the original pixels
strictly outside, with --feather 0); an XCF keeping the masked layer
(read back by a second GIMP run), and that XCF fed back: a new fill on
top; --variations 2 into OUT-1.png and OUT-2.png; a mask image;
--expand; a 250-byte output name; and the errors, each with a message,
a non-zero exit and no output file: a bad rectangle, an unknown expand
mode, a missing input, a rectangle outside the image, a token the
service refuses, and, with no create at the stand-in, a 30 000-character
prompt and a 250-character output name past 255 bytes.  Against
predictions that never finish: --timeout, SIGINT and SIGTERM each end
with every prediction created cancelled (the watchmen outlive GIMP).
--edit: an area from a mask file (outside it the original pixels, inside
the stand-in's edit; one Kontext prediction, Kontext's price in the
estimate), the whole picture (edited all over, sent at Kontext's size),
FLUX.2 with --reference (two images sent, an XCF with the masked edit);
refused before any create: Kontext with a reference, a safety tolerance
outside the model's range, an unknown model, Fill's and Expand's options,
a blank instruction, a missing reference.
The tool's ranges and choices are the procedures' as GIMP registers them.
"""
import argparse
import importlib.machinery
import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

from PIL import Image, ImageDraw

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
BATCH = os.path.join(ROOT, "tools", "flux-fill-batch")
STANDIN = os.path.join(ROOT, "tests", "standin", "replicate_standin.py")
TOKEN = "r8_batch_test_token_5d2f"
WRONG_TOKEN = "r8_batch_wrong_token_77aa"
W, H = 320, 240
TIMEOUT = 600

results = []


def check(ok, name, detail=""):
    results.append((bool(ok), name, str(detail)))
    return ok


# The newest gimp-console-3.* on PATH, as run_gimp.py picks it.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run_gimp import default_gimp  # noqa: E402
from standin_log import exchange  # noqa: E402


def pattern(x, y):
    return ((x * 7 + y * 3) % 256, (x * 2 + 50) % 256, (y * 5 + x) % 256)


def make_input(path):
    img = Image.new("RGB", (W, H))
    img.putdata([pattern(x, y) for y in range(H) for x in range(W)])
    img.save(path)
    return img


def magenta(px):
    return px[0] > 200 and px[1] < 60 and px[2] > 200


def compare(original, path, box):
    """(pixels strictly outside @box that differ, magenta share inside)."""
    out = Image.open(path).convert("RGB")
    x0, y0, w, h = box
    differ, inside, near = 0, 0, 0
    a, b = original.load(), out.load()
    for y in range(H):
        for x in range(W):
            if x0 <= x < x0 + w and y0 <= y < y0 + h:
                inside += 1
                near += magenta(b[x, y])
            elif a[x, y] != b[x, y]:
                differ += 1
    return differ, near / max(inside, 1)


class Runner:
    def __init__(self, args, workdir, env):
        self.args, self.workdir, self.env = args, workdir, env
        self.outputs = []

    def __call__(self, *argv, env=None):
        cmd = [sys.executable, BATCH, "--plugin", self.args.plugin, "--gimp", self.args.gimp,
               "--timeout", str(TIMEOUT)] + list(argv)
        try:
            p = subprocess.run(cmd, env=env or self.env, capture_output=True, text=True,
                               timeout=TIMEOUT + 60, cwd=self.workdir)
        except subprocess.TimeoutExpired as e:
            return 124, e.stdout or "", f"timed out\n{e.stderr or ''}"
        self.outputs.append(p.stdout + p.stderr)
        return p.returncode, p.stdout, p.stderr


def only_files(folder, names):
    """Nothing in @folder but @names (no temporary or half-written file)."""
    present = sorted(os.listdir(folder))
    return present == sorted(names), present


def read_back_xcf(gimp, plugin_env, workdir, xcf):
    """Layers of @xcf as GIMP reads them: [name, is_group, has_mask, children]."""
    report = os.path.join(workdir, "xcf-layers.json")
    program = os.path.join(workdir, "read_xcf.py")
    with open(program, "w") as f:
        f.write(
            "import json\nimport gi\ngi.require_version('Gimp', '3.0')\n"
            "from gi.repository import Gimp, Gio\n"
            f"image = Gimp.file_load(Gimp.RunMode.NONINTERACTIVE, Gio.File.new_for_path({xcf!r}))\n"
            "def info(l):\n"
            "    kids = [info(k) for k in l.get_children()] if l.is_group() else []\n"
            "    return [l.get_name(), l.is_group(), l.get_mask() is not None, kids]\n"
            f"json.dump([info(l) for l in image.get_layers()], open({report!r}, 'w'))\n")
    env = dict(plugin_env, GIMP3_DIRECTORY=os.path.join(workdir, "profile-read"))
    subprocess.run([gimp, "-i", "-n", "--no-fonts", "--quit",
                    "--batch-interpreter=python-fu-eval", "-b",
                    f"exec(open({program!r}).read())"],
                   env=env, capture_output=True, timeout=TIMEOUT)
    return json.load(open(report)) if os.path.exists(report) else None


def load_tool():
    sys.dont_write_bytecode = True
    loader = importlib.machinery.SourceFileLoader("flux_fill_batch", BATCH)
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(loader.name, loader))
    loader.exec_module(module)
    return module


class Standin:
    """The stand-in's control endpoints."""
    def __init__(self, port):
        self.url = f"http://127.0.0.1:{port}"

    def call(self, path, body=None):
        req = urllib.request.Request(self.url + path, method="POST" if body is not None else "GET",
                                     data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.loads(r.read() or b"null")

    def reset(self, **scenario):
        self.call("/_standin/reset", {})
        if scenario:
            self.call("/_standin/scenario", scenario)

    def exchange(self):
        """(creates answered 201, ids polled, ids cancelled)."""
        return exchange(self.call("/_standin/requests"))

def edited(px):
    """A pixel the stand-in's edit made: halfway to magenta (red and blue
    at least about half, green at most about half)."""
    return px[0] > 110 and px[2] > 110 and px[1] < 150


def edited_share(original, path, inside):
    """(pixels where @inside (x, y) is false that differ, share of the
    others that look edited; share of those that looked so before)."""
    out = Image.open(path).convert("RGB")
    a, b = original.load(), out.load()
    differ, count, now, before = 0, 0, 0, 0
    for y in range(H):
        for x in range(W):
            if inside(x, y):
                count += 1
                now += edited(b[x, y])
                before += edited(a[x, y])
            elif a[x, y] != b[x, y]:
                differ += 1
    return differ, now / max(count, 1), before / max(count, 1)


def edit_requests(standin):
    """The creates at the edit models' routes: [(model, images, sizes)]."""
    return [(r["model"], r.get("images"), r.get("image_sizes"))
            for r in standin.call("/_standin/requests")
            if r.get("model") and r["method"] == "POST" and r["status"] == 201]


def edit_cases(run, standin, workdir, src, original, box, tool):
    """--edit: an area given by a mask, the whole picture, FLUX.2 with a
    reference; and what it refuses before anything is sent."""
    x0, y0, bw, bh = box
    in_box = lambda x, y: x0 <= x < x0 + bw and y0 <= y < y0 + bh   # noqa: E731

    # An area from a mask file: the result masked by it, the rest as it was.
    standin.reset()
    outdir = os.path.join(workdir, "edit-mask")
    os.mkdir(outdir)
    mask = os.path.join(workdir, "edit-mask.png")
    m = Image.new("L", (W, H), 0)
    ImageDraw.Draw(m).rectangle([x0, y0, x0 + bw - 1, y0 + bh - 1], fill=255)
    m.save(mask)
    out = os.path.join(outdir, "out.png")
    rc, stdout, stderr = run(src, "-o", out, "--edit", "--prompt", "make it magenta",
                             "--mask", mask, "--feather", "0", "--output-format", "png")
    if check(rc == 0 and os.path.exists(out), "edit, a mask: exit 0 and the output written",
             f"exit {rc}: {stderr.strip()[-2000:]}"):
        check(Image.open(out).size == (W, H), "edit, a mask: the output has the input's size",
              Image.open(out).size)
        differ, now, before = edited_share(original, out, in_box)
        check(differ == 0, "edit, a mask: outside it the original pixels", f"{differ} differ")
        check(now >= 0.9 and before < 0.6, "edit, a mask: inside it the edit",
              f"{now:.3f} edited, {before:.3f} before")
        check(stdout.strip() == out, "edit, a mask: prints the path it wrote", stdout)
    sent = edit_requests(standin)
    check(len(sent) == 1 and sent[0][:2] == ("kontext", 1),
          "edit, a mask: one Kontext prediction (the default model), one image", sent)
    check("1 prediction at 127.0.0.1" in stderr and "about $0.04" in stderr
          and "FLUX.1 Kontext [pro]" in stderr,
          "edit, a mask: the estimate is Kontext's price, naming the model", stderr.strip()[-800:])

    # No area: the whole picture, sent at the size the model answers.
    standin.reset()
    outdir = os.path.join(workdir, "edit-whole")
    os.mkdir(outdir)
    out = os.path.join(outdir, "out.png")
    rc, _, stderr = run(src, "-o", out, "--edit", "--prompt", "make it magenta",
                        "--output-format", "png")
    if check(rc == 0 and os.path.exists(out), "edit, the whole picture: exit 0 and the output "
             "written", f"exit {rc}: {stderr.strip()[-2000:]}"):
        check(Image.open(out).size == (W, H), "edit, the whole picture: the input's size",
              Image.open(out).size)
        _, now, before = edited_share(original, out, lambda x, y: True)
        check(now >= 0.9 and before < 0.6, "edit, the whole picture: the edit covers the canvas",
              f"{now:.3f} edited, {before:.3f} before")
    sent = edit_requests(standin)
    size = list(tool.edit_output_size("flux-kontext-pro", W, H))
    check(len(sent) == 1 and sent[0][:2] == ("kontext", 1) and sent[0][2] == [size],
          f"edit, the whole picture: the canvas sent at Kontext's size, {size[0]}x{size[1]}", sent)

    # FLUX.2 with a reference image: two images sent, the picture first.
    standin.reset()
    outdir = os.path.join(workdir, "edit-reference")
    os.mkdir(outdir)
    reference = os.path.join(workdir, "logo.png")
    # 0.7 MP: with the picture (0.5 MP, FLUX.2's least) past one megapixel in.
    Image.new("RGB", (1000, 700), (0, 128, 255)).save(reference)
    out = os.path.join(outdir, "out.xcf")
    rc, _, stderr = run(src, "-o", out, "--edit", "--prompt", "put this logo on it",
                        "--model", "flux-2-pro", "--reference", reference,
                        "--select", ",".join(map(str, box)))
    if check(rc == 0 and os.path.exists(out), "edit, FLUX.2 with a reference: exit 0 and the "
             "output written", f"exit {rc}: {stderr.strip()[-2000:]}"):
        layers = read_back_xcf(run.args.gimp, run.env, workdir, out)
        check(layers is not None and len(layers) == 2 and layers[0][2] and not layers[1][2],
              "edit, FLUX.2 with a reference: read back, the edit with its mask above the "
              "original", layers)
    sent = edit_requests(standin)
    check(len(sent) == 1 and sent[0][:2] == ("flux2", 2) and sent[0][2][1] == [1000, 700],
          "edit, FLUX.2 with a reference: two images sent, the reference second at its size",
          sent)
    check("FLUX.2 [pro]" in stderr and "about $0.06" in stderr,
          "edit, FLUX.2 with a reference: the estimate bills the input's second megapixel "
          "($0.03 + $0.015 x 2)", stderr.strip()[-800:])

    # Refused before anything is paid for: exit 2, a message, no create.
    outdir = os.path.join(workdir, "edit-refused")
    os.mkdir(outdir)
    out = os.path.join(outdir, "out.png")
    for name, argv, words in [
            ("Kontext with a reference", ["--reference", reference],
             "FLUX.1 Kontext [pro] edits the picture alone"),
            ("safety tolerance 3 with Kontext", ["--safety-tolerance", "3"],
             "FLUX.1 Kontext [pro] takes 0 to 2 with an input image"),
            ("safety tolerance 0 with FLUX.2 at Replicate",
             ["--model", "flux-2-pro", "--safety-tolerance", "0"], "FLUX.2 [pro] takes 1 to 5"),
            ("an unknown model", ["--model", "flux-kontext-max"], "invalid choice"),
            ("--steps", ["--steps", "30"], "--steps is not for --edit"),
            ("--expand", ["--expand", "left"], "--expand is not for --edit"),
            ("a blank instruction", ["--prompt", "  "], "needs an instruction"),
            ("a missing reference", ["--model", "flux-2-pro", "--reference",
                                     os.path.join(workdir, "no-logo.png")],
             "no such reference file")]:
        refused(run, standin, outdir, f"edit refused before paying, {name}", words,
                src, "-o", out, "--edit", "--prompt", "make it red", *argv)


def refused(run, standin, outdir, label, words, *argv):
    """flux-fill-batch @argv is refused before paying: exit 2, @words in
    its message, no create at the stand-in, nothing in @outdir."""
    standin.reset()
    rc, _, stderr = run(*argv)
    creates, _, _ = standin.exchange()
    check(rc == 2 and words in stderr and "Traceback" not in stderr and creates == 0,
          f"{label}: exit 2, a message, no create",
          f"exit {rc}, {creates} creates: {stderr.strip()[-600:]}")
    check(only_files(outdir, [])[0], f"{label}: no output file", only_files(outdir, [])[1])


def procedure_specs(gimp, plugin, plugin_env, workdir):
    """{procedure: {argument: [min, max] or [choice nicks]}} of the FLUX
    procedures as GIMP registers them from @plugin."""
    report = os.path.join(workdir, "specs.json")
    program = os.path.join(workdir, "specs.py")
    profile = os.path.join(workdir, "profile-specs")
    os.makedirs(os.path.join(profile, "plug-ins", "flux-fill"))
    shutil.copy(plugin, os.path.join(profile, "plug-ins", "flux-fill", "flux-fill"))
    with open(program, "w") as f:
        f.write(
            "import json\nimport gi\ngi.require_version('Gimp', '3.0')\n"
            "from gi.repository import Gimp\n"
            "out = {}\n"
            "for name in ('plug-in-flux-fill', 'plug-in-flux-expand', 'plug-in-flux-edit'):\n"
            "    proc, specs = Gimp.get_pdb().lookup_procedure(name), {}\n"
            "    for spec in proc.get_arguments():\n"
            "        if spec.__gtype__.name == 'GimpParamChoice':\n"
            "            specs[spec.name] = Gimp.param_spec_choice_get_choice(spec).list_nicks()\n"
            "        elif hasattr(spec, 'minimum') and hasattr(spec, 'maximum'):\n"
            "            specs[spec.name] = [spec.minimum, spec.maximum]\n"
            "    out[name] = specs\n"
            f"json.dump(out, open({report!r}, 'w'))\n")
    env = dict(plugin_env, GIMP3_DIRECTORY=profile)
    run = subprocess.run([gimp, "-i", "-n", "--no-fonts", "--quit",
                          "--batch-interpreter=python-fu-eval", "-b",
                          f"exec(open({program!r}).read())"],
                         env=env, capture_output=True, text=True, timeout=TIMEOUT)
    if not os.path.exists(report):
        return None, run.stdout + run.stderr
    return json.load(open(report)), ""


def stop_case(args, env, standin, workdir, how, src, rect):
    """flux-fill-batch against predictions that never finish, ended by
    @how ("timeout", "SIGINT" or "SIGTERM"): its exit status, a line
    saying the predictions were cancelled, and every one created
    cancelled at the stand-in."""
    standin.reset(duration=100000)
    outdir = os.path.join(workdir, "stop-" + how)
    os.mkdir(outdir)
    out = os.path.join(outdir, "out.png")
    # The plug-in's own limit far away: only the stop may cancel.
    env = dict(env, FLUX_FILL_TIMEOUT="3600")
    timeout = "45" if how == "timeout" else "600"
    cmd = [sys.executable, BATCH, "--plugin", args.plugin, "--gimp", args.gimp,
           "--timeout", timeout, src, "-o", out, "--prompt", "a red barn", "--select", rect,
           "--variations", "2"]
    # Its own process group, as a shell runs a command: Ctrl+C's SIGINT
    # goes to the group (GIMP has a session of its own).
    p = subprocess.Popen(cmd, env=env, cwd=workdir, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.monotonic() + 300
    armed = False
    while how != "timeout" and time.monotonic() < deadline and p.poll() is None:
        creates, polled, _ = standin.exchange()
        if creates == 2 and len(polled) == 2:
            armed = True
            break
        time.sleep(0.5)
    if how == "SIGINT":
        os.killpg(p.pid, signal.SIGINT)
    elif how == "SIGTERM":
        p.send_signal(signal.SIGTERM)
    try:
        _, stderr = p.communicate(timeout=300)
    except subprocess.TimeoutExpired:
        p.kill()
        _, stderr = p.communicate()
    # The watchmen are waited for: the cancels are in by now.
    creates, polled, cancelled = standin.exchange()
    code = {"timeout": 1, "SIGINT": 130, "SIGTERM": 143}[how]
    if how != "timeout":
        check(armed, f"stop, {how}: two predictions were created and polled before the signal",
              f"creates {creates}, polled {sorted(polled)}")
    check(p.returncode == code and "cancelled" in stderr and "flux-fill-batch: " in stderr,
          f"stop, {how}: exit {code} and a line saying the predictions were cancelled",
          f"exit {p.returncode}: {stderr.strip()[-1500:]}")
    check(creates >= 1 and len(polled) == creates and polled <= cancelled,
          f"stop, {how}: every prediction created was cancelled at the stand-in",
          f"creates {creates}, polled {sorted(polled)}, cancelled {sorted(cancelled)}")
    check(only_files(outdir, [])[0], f"stop, {how}: no output file", only_files(outdir, [])[1])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--plugin", required=True)
    parser.add_argument("--gimp", default=default_gimp())
    args = parser.parse_args()
    args.plugin = os.path.abspath(args.plugin)

    workdir = tempfile.mkdtemp(prefix="flux-fill-batch-test-")
    standin = subprocess.Popen([sys.executable, STANDIN, "--token", TOKEN],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    _, api, _ = standin.stdout.readline().split()
    control = Standin(api)
    env = dict(os.environ, REPLICATE_API_TOKEN=TOKEN,
               REPLICATE_BASE_URL=f"http://127.0.0.1:{api}", FLUX_FILL_TIMEOUT="20")
    # No session bus, display or keyring of the developer's.
    for var in ("DBUS_SESSION_BUS_ADDRESS", "DISPLAY", "WAYLAND_DISPLAY", "GIMP3_DIRECTORY"):
        env.pop(var, None)
    for var, sub in (("XDG_DATA_HOME", "data"), ("XDG_RUNTIME_DIR", "run")):
        env[var] = os.path.join(workdir, "session", sub)
        os.makedirs(env[var], mode=0o700)
    run = Runner(args, workdir, env)

    try:
        src = os.path.join(workdir, "in.png")
        original = make_input(src)
        box = (40, 30, 120, 80)
        rect = ",".join(map(str, box))

        # 1. A rectangle into a PNG.
        outdir = os.path.join(workdir, "png")
        os.mkdir(outdir)
        out = os.path.join(outdir, "out.png")
        rc, stdout, stderr = run(src, "-o", out, "--prompt", "a red barn", "--select", rect,
                                 "--feather", "0", "--output-format", "png", "--seed", "7")
        if check(rc == 0 and os.path.exists(out), "png: exit 0 and the output written",
                 f"exit {rc}: {stderr.strip()[-2000:]}"):
            size = Image.open(out).size
            check(size == (W, H), "png: the output has the input's size", size)
            differ, share = compare(original, out, box)
            check(differ == 0, "png: outside the rectangle the original pixels", f"{differ} differ")
            check(share >= 0.97, "png: inside the rectangle the fill (magenta)", f"{share:.3f}")
            check(stdout.strip() == out, "png: prints the path it wrote", stdout)
        check(only_files(outdir, ["out.png"])[0], "png: no temporary file left",
              only_files(outdir, ["out.png"])[1])

        # 2. An ellipse into an XCF: the masked layer above the original.
        outdir = os.path.join(workdir, "xcf")
        os.mkdir(outdir)
        out = os.path.join(outdir, "out.xcf")
        rc, _, stderr = run(src, "-o", out, "--prompt", "a red barn", "--ellipse", rect)
        if check(rc == 0 and os.path.exists(out), "xcf: exit 0 and the output written",
                 f"exit {rc}: {stderr.strip()[-2000:]}"):
            check(open(out, "rb").read(8) == b"gimp xcf", "xcf: the file is an XCF")
            layers = read_back_xcf(args.gimp, env, workdir, out)
            check(layers is not None and len(layers) == 2 and layers[0][2] and not layers[1][2]
                  and layers[0][0] == "a red barn",
                  "xcf: read back, the fill layer with its mask above the original", layers)
        check(only_files(outdir, ["out.xcf"])[0], "xcf: no temporary file left",
              only_files(outdir, ["out.xcf"])[1])

        # 2b. That XCF fed back: a new fill above what is there.
        again = os.path.join(outdir, "again.xcf")
        if os.path.exists(out):
            rc, _, stderr = run(out, "-o", again, "--prompt", "a blue door", "--select", rect)
            if check(rc == 0 and os.path.exists(again), "xcf fed back: exit 0 and the output written",
                     f"exit {rc}: {stderr.strip()[-2000:]}"):
                layers = read_back_xcf(args.gimp, env, workdir, again)
                check(layers is not None and [l[0] for l in layers]
                      == ["a blue door", "a red barn", layers[-1][0]] and layers[0][2],
                      "xcf fed back: the new fill with its mask on top, the earlier one kept",
                      layers)

        # 3. Two variations into OUT-1.png and OUT-2.png.
        outdir = os.path.join(workdir, "variations")
        os.mkdir(outdir)
        out = os.path.join(outdir, "out.png")
        rc, stdout, stderr = run(src, "-o", out, "--prompt", "a red barn", "--select", rect,
                                 "--feather", "0", "--output-format", "png",
                                 "--variations", "2", "--seed", "100")
        names = ["out-1.png", "out-2.png"]
        if check(rc == 0, "variations: exit 0", f"exit {rc}: {stderr.strip()[-2000:]}"):
            check(only_files(outdir, names)[0], "variations: OUT-1.png and OUT-2.png, nothing else",
                  only_files(outdir, names)[1])
            for name in names:
                path = os.path.join(outdir, name)
                if os.path.exists(path):
                    differ, share = compare(original, path, box)
                    check(differ == 0 and share >= 0.97, f"variations: {name} filled, the rest kept",
                          f"{differ} differ outside, {share:.3f} magenta inside")
            check(stdout.split() == [os.path.join(outdir, n) for n in names],
                  "variations: prints both paths", stdout)

        # 4. A mask image: white is filled.
        outdir = os.path.join(workdir, "mask")
        os.mkdir(outdir)
        mask = os.path.join(workdir, "mask.png")
        m = Image.new("L", (W, H), 0)
        ImageDraw.Draw(m).rectangle([box[0], box[1], box[0] + box[2] - 1, box[1] + box[3] - 1],
                                    fill=255)
        m.save(mask)
        out = os.path.join(outdir, "out.png")
        rc, _, stderr = run(src, "-o", out, "--prompt", "a red barn", "--mask", mask,
                            "--feather", "0", "--output-format", "png")
        if check(rc == 0 and os.path.exists(out), "mask: exit 0 and the output written",
                 f"exit {rc}: {stderr.strip()[-2000:]}"):
            differ, share = compare(original, out, box)
            check(differ == 0 and share >= 0.97, "mask: the white filled, the rest kept",
                  f"{differ} differ outside, {share:.3f} magenta inside")

        # 5. Expand to the right: a wider canvas, the original kept on the left.
        outdir = os.path.join(workdir, "expand")
        os.mkdir(outdir)
        out = os.path.join(outdir, "out.png")
        rc, _, stderr = run(src, "-o", out, "--prompt", "", "--expand", "right",
                            "--output-format", "png")
        if check(rc == 0 and os.path.exists(out), "expand: exit 0 and the output written",
                 f"exit {rc}: {stderr.strip()[-2000:]}"):
            img = Image.open(out).convert("RGB")
            check(img.size[0] > W and img.size[1] == H, "expand right: the canvas grew to the right",
                  img.size)
            a, b = original.load(), img.load()
            differ = sum(1 for y in range(H) for x in range(W - 16) if a[x, y] != b[x, y])
            check(differ == 0, "expand right: the original picture kept", f"{differ} differ")

        # 5b. FLUX Edit.
        edit_cases(run, control, workdir, src, original, box, load_tool())

        # 6. Errors: a message, a non-zero exit, no output.
        outdir = os.path.join(workdir, "errors")
        os.mkdir(outdir)
        out = os.path.join(outdir, "out.png")
        for name, argv, code, words, extra_env in [
                ("bad rectangle", ["--select", "1,2,3"], 2, "X,Y,W,H", None),
                ("unknown expand mode", ["--expand", "sideways"], 2, "invalid choice", None),
                ("missing input", ["--select", rect], 2, "no such input", None),
                ("rectangle outside the image", ["--select", "300,200,100,100"], 2,
                 "does not lie within the 320x240 image", None),
                ("refused token", ["--select", rect], 1, "401",
                 dict(env, REPLICATE_API_TOKEN=WRONG_TOKEN))]:
            source = os.path.join(workdir, "missing.png") if name == "missing input" else src
            rc, _, stderr = run(source, "-o", out, "--prompt", "a red barn", *argv, env=extra_env)
            check(rc == code and words in stderr and "flux-fill-batch: " in stderr,
                  f"error, {name}: exit {code} and a message", f"exit {rc}: {stderr.strip()[-1500:]}")
            check(only_files(outdir, [])[0], f"error, {name}: no output file",
                  only_files(outdir, [])[1])
        # 7. Refused before anything is paid for: no create at the stand-in.
        for name, argv, words in [
                ("a 30 000-character prompt", ["--prompt", "é" * 30000], "at most 4000"),
                ("a 250-character output name past 255 bytes",
                 ["--prompt", "a red barn", "-o", os.path.join(outdir, "é" * 246 + ".png")],
                 "bytes long"),
                ("--steps out of range", ["--prompt", "a red barn", "--steps", "51"],
                 "from 15 to 50"),
                ("an input GIMP cannot open", ["--prompt", "a red barn"], "could not open")]:
            source = src
            if name == "an input GIMP cannot open":
                source = os.path.join(workdir, "not-an-image.png")
                with open(source, "w") as f:
                    f.write("these are words, not pixels\n")
            refused(run, control, outdir, f"before paying, {name}", words,
                    source, "-o", out, "--select", rect, *argv)

        # 8. A 250-byte output name: its temporary name still fits.
        control.reset()
        outdir = os.path.join(workdir, "long-name")
        os.mkdir(outdir)
        name = "n" * 246 + ".png"
        rc, _, stderr = run(src, "-o", os.path.join(outdir, name), "--prompt", "a red barn",
                            "--select", rect)
        check(rc == 0 and only_files(outdir, [name])[0],
              "a 250-byte output name: written, no temporary file left",
              f"exit {rc}: {stderr.strip()[-1500:]}; {only_files(outdir, [name])[1]}")
        check("1 prediction at 127.0.0.1" in stderr and "about $0.05" in stderr,
              "before sending it says how many predictions, where, and about what they cost",
              stderr.strip()[-1500:])

        # 9. Stopped: every prediction started is cancelled.
        for how in ("timeout", "SIGINT", "SIGTERM"):
            stop_case(args, env, control, workdir, how, src, rect)

        # 10. The tool's ranges and choices are the procedures'.
        tool = load_tool()
        specs, log = procedure_specs(args.gimp, args.plugin, env, workdir)
        if check(specs is not None, "GIMP lists the procedures' arguments", log[-1500:]):
            fill, expand = specs["plug-in-flux-fill"], specs["plug-in-flux-expand"]
            for option, (lo, hi) in tool.RANGES.items():
                check(fill.get(option) == [lo, hi],
                      f"--{option}: {lo:g} to {hi:g}, as plug-in-flux-fill's argument",
                      fill.get(option))
            check(expand.get("mode") == tool.EXPAND_MODES, "--expand: FLUX Expand's modes",
                  expand.get("mode"))
            check(fill.get("output-format") == tool.OUTPUT_FORMATS,
                  "--output-format: the procedure's choices", fill.get("output-format"))
            edit = specs.get("plug-in-flux-edit", {})
            for option, (lo, hi) in dict(tool.RANGES, **tool.EDIT_RANGES).items():
                if option in ("steps", "guidance"):
                    continue
                check(edit.get(option) == [lo, hi],
                      f"--edit --{option}: {lo:g} to {hi:g}, as plug-in-flux-edit's argument",
                      edit.get(option))
            check(edit.get("model") == list(tool.EDIT_MODELS), "--model: FLUX Edit's models",
                  edit.get("model"))
            check(edit.get("output-format") == tool.OUTPUT_FORMATS,
                  "--edit --output-format: the procedure's choices", edit.get("output-format"))

        check(all(TOKEN not in o and WRONG_TOKEN not in o for o in run.outputs),
              "no output of flux-fill-batch holds a token")
    finally:
        standin.stdin.close()
        standin.wait(timeout=10)

    print("TAP version 13")
    print(f"1..{len(results)}")
    for i, (ok, name, detail) in enumerate(results, 1):
        print(f"{'ok' if ok else 'not ok'} {i} - {name}")
        if not ok and detail:
            for line in detail.splitlines():
                print(f"# {line}")
    if all(ok for ok, _, _ in results):
        shutil.rmtree(workdir, ignore_errors=True)
    else:
        print(f"# files kept in {workdir}")
    return 0 if all(ok for ok, _, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
