# SPDX-License-Identifier: GPL-3.0-or-later
# The GIMP side of the benchmark: runs inside gimp-console-3.0 through
# python-fu-eval (exec()'d, so no __main__ guard).  run_bench.py starts it.
#
# For each case it builds an image cheaply inside GIMP (a GEGL linear
# gradient plus a little RGB noise, so PNG does not shrink it to nothing),
# selects, runs plug-in-flux-fill FLUX_BENCH_REPEAT times, and measures
# the naive approach (the whole layer read as R'G'B' u8 and encoded as PNG
# at zlib level 9) in this same process, once per image.  With
# FLUX_BENCH_VARIATIONS=1,4 each case runs once per count of variations
# (case "1" with 1, "1x4" with 4).  Facts go to $FLUX_BENCH_RESULTS,
# one JSON object a line; the plug-in's own timing lines go to stderr,
# between "flux-bench: begin/end" markers written here.
import base64
import gc
import io
import json
import os
import resource
import struct
import sys
import time
import traceback
import zlib

import gi
gi.require_version("Gimp", "3.0")
gi.require_version("Gegl", "0.4")
from gi.repository import Gegl, Gimp  # noqa: E402

RESULTS = open(os.environ["FLUX_BENCH_RESULTS"], "w")
REPEAT = int(os.environ.get("FLUX_BENCH_REPEAT", "3"))
NOISE = float(os.environ.get("FLUX_BENCH_NOISE", "0.01"))
ONLY = [c for c in os.environ.get("FLUX_BENCH_CASES", "").split(",") if c]
VARIATIONS = [int(v) for v in os.environ.get("FLUX_BENCH_VARIATIONS", "1").split(",") if v]
NAIVE = os.environ.get("FLUX_BENCH_NAIVE", "1") == "1"
PROC = "plug-in-flux-fill"
SUCCESS = Gimp.PDBStatusType.SUCCESS

# name, image size, selection (kind, x, y, w, h)[, plug-in arguments]
IMAGES = [
    ((640, 480), [
        ("1", "640x480, ellipse 180x120", ("ellipse", 230, 180, 180, 120)),
    ]),
    ((6000, 4000), [
        ("2", "6000x4000, rect 300x200", ("rect", 2850, 1900, 300, 200)),
        ("3", "6000x4000, rect 4242x2828 (half)", ("rect", 879, 586, 4242, 2828)),
    ]),
    ((10000, 10000), [
        ("4", "10000x10000, rect 300x200", ("rect", 4850, 4900, 300, 200)),
    ]),
    # A second, transparent layer above the photo, active (the fill on a
    # new layer): the visible picture (GIMP's projection) against the
    # active layer alone.
    ((6000, 4000, "two layers"), [
        ("5", "6000x4000 two layers, rect 300x200, sample-merged off",
         ("rect", 2850, 1900, 300, 200), {"sample-merged": False}),
        ("6", "6000x4000 two layers, rect 300x200, sample-merged",
         ("rect", 2850, 1900, 300, 200), {"sample-merged": True}),
        ("7", "6000x4000 two layers, rect 4242x2828, sample-merged off",
         ("rect", 879, 586, 4242, 2828), {"sample-merged": False}),
        ("8", "6000x4000 two layers, rect 4242x2828, sample-merged",
         ("rect", 879, 586, 4242, 2828), {"sample-merged": True}),
    ]),
]


def emit(**fields):
    RESULTS.write(json.dumps(fields) + "\n")
    RESULTS.flush()


def mark(text):
    sys.stderr.write(f"flux-bench: {text}\n")
    sys.stderr.flush()


def ms_since(t):
    return (time.monotonic() - t) * 1000.0


def make_image(width, height):
    """One RGB u8 layer: a diagonal two-colour gradient with a little
    Gaussian RGB noise, both GEGL operations run by GIMP itself."""
    image = Gimp.Image.new(width, height, Gimp.ImageBaseType.RGB)
    layer = Gimp.Layer.new(image, "background", width, height, Gimp.ImageType.RGB_IMAGE,
                           100, Gimp.LayerMode.NORMAL)
    image.insert_layer(layer, None, 0)
    image.undo_disable()          # no undo copies of 100 Mpx while building
    gradient = Gimp.DrawableFilter.new(layer, "gegl:linear-gradient", "")
    config = gradient.get_config()
    config.set_property("start-x", 0.0)
    config.set_property("start-y", 0.0)
    config.set_property("end-x", float(width))
    config.set_property("end-y", float(height))
    config.set_property("start-color", Gegl.Color.new("rgb(0.85,0.35,0.1)"))
    config.set_property("end-color", Gegl.Color.new("rgb(0.1,0.3,0.75)"))
    gradient.update()
    layer.merge_filter(gradient)
    if NOISE > 0:
        noise = Gimp.DrawableFilter.new(layer, "gegl:noise-rgb", "")
        config = noise.get_config()
        for channel in ("red", "green", "blue"):
            config.set_property(channel, NOISE)
        config.set_property("seed", 1)
        noise.update()
        layer.merge_filter(noise)
    image.undo_enable()
    return image, layer


def add_empty_layer(image):
    """A transparent layer over the whole canvas, on top: the active one."""
    empty = Gimp.Layer.new(image, "empty", image.get_width(), image.get_height(),
                           Gimp.ImageType.RGBA_IMAGE, 100, Gimp.LayerMode.NORMAL)
    image.insert_layer(empty, None, 0)
    return empty


def select(image, kind, x, y, w, h):
    if kind == "ellipse":
        image.select_ellipse(Gimp.ChannelOps.REPLACE, x, y, w, h)
    else:
        image.select_rectangle(Gimp.ChannelOps.REPLACE, x, y, w, h)


def run_fill(image, drawable, args=None):
    proc = Gimp.get_pdb().lookup_procedure(PROC)
    config = proc.create_config()
    config.set_property("run-mode", Gimp.RunMode.NONINTERACTIVE)
    config.set_property("image", image)
    config.set_core_object_array("drawables", [drawable])
    config.set_property("prompt", "a red barn")
    config.set_property("seed", 42)
    for key, value in (args or {}).items():
        config.set_property(key, value)
    result = proc.run(config)
    status = result.index(0)
    message = result.index(1) if status != SUCCESS and result.length() > 1 else ""
    return status, message or ""


# ------------------------------------------------------------ naive approach

def proc_status(key, pid="self"):
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def reset_peak():
    """Linux: writing 5 to clear_refs resets VmHWM, the peak RSS."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return proc_status("VmHWM") is not None
    except OSError:
        return False


def png_minimal(data, width, height, level):
    """PNG with filter None on every row: only if PIL is missing."""
    stride = width * 3
    raw = b"".join(b"\0" + data[y * stride:(y + 1) * stride] for y in range(height))

    def chunk(kind, body):
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(raw, level)) + chunk(b"IEND", b""))


def naive(cases, layer):
    """What sending the whole layer would cost: read it all, PNG level 9."""
    width, height = layer.get_width(), layer.get_height()
    gc.collect()
    base_kb = proc_status("VmRSS")
    peak_method = "VmHWM" if reset_peak() else "ru_maxrss (process peak so far)"
    t = time.monotonic()
    data = layer.get_buffer().get(Gegl.Rectangle.new(0, 0, width, height), 1.0,
                                  "R'G'B' u8", Gegl.AbyssPolicy.NONE)
    read_ms = ms_since(t)
    t = time.monotonic()
    try:
        from PIL import Image
        encoder = "PIL (adaptive filters)"
        im = Image.frombytes("RGB", (width, height), data)
        out = io.BytesIO()
        im.save(out, "PNG", compress_level=9)
        png = out.getvalue()
        del im, out
    except ImportError:
        encoder = "zlib (filter None)"
        png = png_minimal(data, width, height, 9)
    encode_ms = ms_since(t)
    t = time.monotonic()
    b64_len = len(base64.b64encode(png))
    b64_ms = ms_since(t)
    if peak_method == "VmHWM":
        peak_kb = proc_status("VmHWM")
    else:
        peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    emit(type="naive", cases=cases, width=width, height=height, read_ms=read_ms,
         encode_ms=encode_ms, base64_ms=b64_ms, raw_bytes=len(data), png_bytes=len(png),
         base64_bytes=b64_len, peak_kb=peak_kb, base_kb=base_kb, peak_method=peak_method,
         encoder=encoder)
    del data, png
    gc.collect()


# --------------------------------------------------------------- the cases

def bench_case(case, label, image, layer, sel, args=None):
    select(image, *sel)
    variations = (args or {}).get("variations", 1)
    for rep in range(REPEAT):
        n_before = len(Gimp.get_images())
        layers_before = len(image.get_layers())
        gimp_rss_kb = proc_status("VmRSS", os.getppid())   # GIMP itself
        gimp_hwm_kb = proc_status("VmHWM", os.getppid())
        mark(f"begin {case} {rep}")
        t = time.monotonic()
        status, message = run_fill(image, layer, args)
        t_end = time.monotonic()
        wall_ms = (t_end - t) * 1000.0
        mark(f"end {case} {rep}")
        n_after = len(Gimp.get_images())
        crop = None
        layers = image.get_layers()
        if status == SUCCESS and len(layers) == layers_before + 1:
            new = layers[0]
            crop = [new.get_width(), new.get_height(), *new.get_offsets()[1:]]
            image.remove_layer(new)   # the next repetition sees the same image
            image.undo_disable()      # and GIMP does not keep it in the undo stack
            image.undo_enable()
        emit(type="fill", case=case, label=label, variations=variations, rep=rep,
             ok=status == SUCCESS,
             status=status.value_nick, message=message[:500], wall_ms=wall_ms,
             t_begin=t, t_end=t_end, gimp_rss_kb=gimp_rss_kb, gimp_hwm_kb=gimp_hwm_kb,
             gimp_rss_after_kb=proc_status("VmRSS", os.getppid()),
             images_before=n_before, images_after=n_after, crop=crop)


def main():
    emit(type="start", repeat=REPEAT, noise=NOISE, pid=os.getpid())
    for (width, height, *layers), cases in IMAGES:
        cases = [c for c in cases if not ONLY or c[0] in ONLY]
        if not cases:
            continue
        n_before = len(Gimp.get_images())
        t = time.monotonic()
        image, layer = make_image(width, height)
        photo = layer
        if layers:
            layer = add_empty_layer(image)
        emit(type="image", width=width, height=height, create_ms=ms_since(t))
        try:
            for case, label, sel, *args in cases:
                for n in VARIATIONS:
                    name = case if n == 1 else f"{case}x{n}"
                    try:
                        bench_case(name, label if n == 1 else f"{label}, {n} variations",
                                   image, layer, sel, dict(*args, variations=n))
                    except Exception:
                        emit(type="error", case=name, trace=traceback.format_exc())
            # The naive approach sends the whole layer whatever the
            # selection: measured once per image, for all its cases.
            if NAIVE:
                try:
                    naive([c[0] for c in cases], photo)
                except Exception:
                    emit(type="error", case="naive", trace=traceback.format_exc())
        finally:
            image.delete()
            emit(type="image-deleted", width=width, height=height,
                 images_before_create=n_before, images_after_delete=len(Gimp.get_images()))
    emit(type="done")


try:
    main()
except Exception:
    emit(type="error", case=None, trace=traceback.format_exc())
RESULTS.close()
