# SPDX-License-Identifier: GPL-3.0-or-later
# Runs inside gimp-console-3.0 through python-fu-eval: exec()'d, so no
# __main__ guard.  Writes one "ok NAME" / "not ok NAME" line per check to
# $FLUX_FILL_RESULTS; run_gimp.py turns them into TAP.
import json
import math
import os
import signal
import threading
import time
import traceback
import urllib.parse
import urllib.request

import gi
gi.require_version("Gimp", "3.0")
gi.require_version("Gegl", "0.4")
from gi.repository import Gegl, Gimp, Gio  # noqa: E402

RESULTS = open(os.environ["FLUX_FILL_RESULTS"], "w")
STANDIN = os.environ["FLUX_FILL_STANDIN_URL"]
# How the core's messages name the service's host: "127.0.0.1:PORT".
HOST = urllib.parse.urlsplit(STANDIN).netloc
TOKEN_ENV = os.environ.get("REPLICATE_API_TOKEN") or "no-token-in-this-run"
PROC = "plug-in-flux-fill"
SUCCESS = Gimp.PDBStatusType.SUCCESS
EXECUTION_ERROR = Gimp.PDBStatusType.EXECUTION_ERROR
CALLING_ERROR = Gimp.PDBStatusType.CALLING_ERROR


def check(name, ok, detail=""):
    RESULTS.write(f"{'ok' if ok else 'not ok'} {name}{'' if ok else ' # ' + str(detail)}\n")
    RESULTS.flush()
    return ok


def standin(path, body=None):
    req = urllib.request.Request(STANDIN + path, method="POST" if body is not None else "GET",
                                 data=json.dumps(body).encode() if body is not None else None)
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read())


def scenario(**fields):
    standin("/_standin/reset", {})
    standin("/_standin/scenario", dict({"duration": 0.2}, **fields))


def creates():
    return [r for r in standin("/_standin/requests")
            if r["server"] == "api" and r["path"].endswith("/predictions")]


def run_procedure(name, image, drawable, mode=Gimp.RunMode.NONINTERACTIVE, **args):
    """Runs the procedure @name on @drawable with @args (dashes as
    underscores): (status, message)."""
    proc = Gimp.get_pdb().lookup_procedure(name)
    config = proc.create_config()
    config.set_property("run-mode", mode)
    config.set_property("image", image)
    config.set_core_object_array("drawables", [drawable])
    for key, value in args.items():
        config.set_property(key.replace("_", "-"), value)
    result = proc.run(config)
    status = result.index(0)
    message = result.index(1) if status != SUCCESS and result.length() > 1 else ""
    return status, message or ""


def run_fill(image, drawable, **args):
    return run_procedure(PROC, image, drawable, **dict({"prompt": "a red barn"}, **args))


def pattern(x, y):
    return ((x * 7 + y * 3) % 256, (x * 2 + 50) % 256, (y * 5 + x) % 256)


def make_image(width=640, height=480, base=Gimp.ImageBaseType.RGB,
               precision=Gimp.Precision.U8_NON_LINEAR, layer_type=None,
               layer_rect=None, noise=False):
    """An image with one patterned layer (optionally offset and smaller,
    or of random noise, which no codec shrinks)."""
    image = Gimp.Image.new_with_precision(width, height, base, precision)
    lx, ly, lw, lh = layer_rect or (0, 0, width, height)
    if layer_type is None:
        layer_type = Gimp.ImageType.RGB_IMAGE if base == Gimp.ImageBaseType.RGB else Gimp.ImageType.GRAY_IMAGE
    layer = Gimp.Layer.new(image, "background", lw, lh, layer_type, 100, Gimp.LayerMode.NORMAL)
    image.insert_layer(layer, None, 0)
    layer.set_offsets(lx, ly)
    data = bytearray(lw * lh * 4)
    for y in range(lh):
        for x in range(lw):
            r, g, b = pattern(x + lx, y + ly)
            i = (y * lw + x) * 4
            data[i:i + 4] = bytes((r, g, b, 255 if (x + y) % 7 else 128))
    if noise:
        data = bytearray(os.urandom(lw * lh * 4))
        data[3::4] = b"\xff" * (lw * lh)
    layer.get_buffer().set(Gegl.Rectangle.new(0, 0, lw, lh), "R'G'B'A u8", bytes(data))
    return image, layer


def composite(image, fmt="R'G'B'A u8", bpp=4):
    """The visible picture, read from a flattened duplicate."""
    dup = image.duplicate()
    merged = dup.merge_visible_layers(Gimp.MergeType.CLIP_TO_IMAGE)
    w, h = dup.get_width(), dup.get_height()
    buf = merged.get_buffer()
    ox, oy = merged.get_offsets()[1:]
    data = buf.get(Gegl.Rectangle.new(-ox, -oy, w, h), 1.0, fmt, Gegl.AbyssPolicy.NONE)
    dup.delete()
    return data, w, h, bpp


def selection_values(image):
    w, h = image.get_width(), image.get_height()
    buf = image.get_selection().get_buffer()
    return buf.get(Gegl.Rectangle.new(0, 0, w, h), 1.0, "Y u8", Gegl.AbyssPolicy.NONE)


def outside_equal(before, after, sel):
    """Pixels where nothing is selected must be identical: to the bit in
    8 bits; in float, to within GIMP's own perceptual/linear round trip
    when it composites (1e-5), far below a 16-bit step."""
    data_b, w, h, bpp = before
    data_a = after[0]
    diffs = 0
    if bpp == 16:
        from array import array
        fb, fa = array("f", bytes(data_b)), array("f", bytes(data_a))
        for i in range(w * h):
            if sel[i] == 0 and any(abs(fb[i * 4 + k] - fa[i * 4 + k]) > 1e-5 for k in range(4)):
                diffs += 1
        return diffs
    for i in range(w * h):
        if sel[i] == 0 and data_b[i * bpp:(i + 1) * bpp] != data_a[i * bpp:(i + 1) * bpp]:
            diffs += 1
    return diffs


def inside_magenta(after, sel):
    data, w, h, bpp = after
    inside = [i for i in range(w * h) if sel[i] == 255]
    near = sum(1 for i in inside
               if data[i * bpp] > 200 and data[i * bpp + 1] < 60 and data[i * bpp + 2] > 200)
    return len(inside), near


def layer_names(image):
    return [l.get_name() for l in image.get_layers()]


def state(image):
    """What an error must leave untouched.  The dirty flag stands for the
    undo history: every undo step GIMP pushes marks the image dirty."""
    non_empty, x1, y1, x2, y2 = Gimp.Selection.bounds(image)[1:]
    return (layer_names(image), image.get_width(), image.get_height(),
            (non_empty, x1, y1, x2, y2), bytes(selection_values(image)),
            composite(image)[0], image.is_dirty())


def snapshot(image):
    """state() of the image marked clean, so a stray undo step shows."""
    image.clean_all()
    return state(image)


# ------------------------------------------------------------------ cases

def case_ellipse_fill():
    scenario()
    image, layer = make_image()
    image.select_ellipse(Gimp.ChannelOps.REPLACE, 200, 150, 180, 120)
    sel_before = bytes(selection_values(image))
    bounds_before = Gimp.Selection.bounds(image)
    before = composite(image)
    image.clean_all()
    status, message = run_fill(image, layer, prompt="a red barn\nin the snow", steps=28,
                               feather=0,
                               guidance=2.5, outpaint="none", output_format="png",
                               safety_tolerance=5, prompt_upsampling=True, seed=42)
    if not check("ellipse: fill succeeds", status == SUCCESS, message):
        return
    layers = image.get_layers()
    check("ellipse: one new layer right above the original",
          len(layers) == 2 and layers[1] == layer, layer_names(image))
    new = layers[0]
    check("ellipse: the layer is named after the prompt", new.get_name() == "a red barn",
          new.get_name())
    check("ellipse: the layer has a mask", new.get_mask() is not None)
    check("ellipse: the fill is on the undo history", image.is_dirty())
    check("ellipse: the selection is left as it was",
          bytes(selection_values(image)) == sel_before
          and Gimp.Selection.bounds(image) == bounds_before)
    after = composite(image)
    diffs = outside_equal(before, after, sel_before)
    check("ellipse: outside the selection the composite equals the original",
          diffs == 0, f"{diffs} pixels differ")
    total, near = inside_magenta(after, sel_before)
    check("ellipse: inside the selection the fill landed",
          total > 10000 and near >= total * 0.97, f"{near} of {total}")
    ok, ox, oy = new.get_offsets()
    check("ellipse: the layer sits on the crop around the selection",
          ox <= 200 and oy <= 150 and ox + new.get_width() >= 380
          and oy + new.get_height() >= 270, (ox, oy, new.get_width(), new.get_height()))
    reqs = creates()
    inp = reqs[0].get("input", {}) if reqs else {}
    expected = {"prompt": "a red barn\nin the snow", "steps": 28, "guidance": 2.5,
                "outpaint": "None", "output_format": "png", "safety_tolerance": 5,
                "prompt_upsampling": True, "seed": 42}
    check("ellipse: the request carried every parameter", inp == expected, inp)
    check("ellipse: image and mask have the crop's size",
          reqs and reqs[0]["image_size"] == reqs[0]["mask_size"]
          == [new.get_width(), new.get_height()], reqs and reqs[0].get("image_size"))
    check("ellipse: the request used the base URL's prefix and the token",
          reqs and reqs[0]["path"].startswith("/replicate/v1/") and reqs[0]["auth"] == "valid")
    image.delete()


def case_seam():
    """Along the selection border the composite differs from the original
    only inside the feathered band, and the model's colour drift is gone."""
    from PIL import Image, ImageFilter
    feather = 8
    scenario(drift=[12, -8, 5])
    image, layer = make_image()
    image.select_ellipse(Gimp.ChannelOps.REPLACE, 200, 150, 180, 120)
    sel = bytes(selection_values(image))
    before = composite(image)
    status, message = run_fill(image, layer, output_format="png", feather=feather)
    if not check("seam: fill succeeds", status == SUCCESS, message):
        return
    after = composite(image)
    w, h = 640, 480
    sel_img = Image.frombytes("L", (w, h), sel)
    band = sel_img.filter(ImageFilter.MaxFilter(4 * feather + 1))   # 2 x feather around
    band_px = band.tobytes()
    outside = [i for i in range(w * h) if band_px[i] == 0]
    diffs = sum(1 for i in outside if before[0][i * 4:i * 4 + 4] != after[0][i * 4:i * 4 + 4])
    check("seam: beyond the band the composite equals the original", diffs == 0,
          f"{diffs} of {len(outside)} pixels differ")
    ring = [i for i in range(w * h) if band_px[i] and not sel[i]]
    changed = sum(1 for i in ring if before[0][i * 4:i * 4 + 3] != after[0][i * 4:i * 4 + 3])
    check("seam: the band blends the fill in", changed > len(ring) // 4, f"{changed} of {len(ring)}")
    # The layer's own pixels where its mask is black near the selection:
    # the model's re-encoding of kept pixels, drifted by (12, -8, 5) (8.3 on
    # average) by the stand-in; after the colour match they are the original.
    new = image.get_layers()[0]
    nw, nh = new.get_width(), new.get_height()
    ox, oy = new.get_offsets()[1:]
    rect = Gegl.Rectangle.new(0, 0, nw, nh)
    mask = new.get_mask().get_buffer().get(rect, 1.0, "Y u8", Gegl.AbyssPolicy.NONE)
    pixels = new.get_buffer().get(rect, 1.0, "R'G'B'A u8", Gegl.AbyssPolicy.NONE)
    near_fill = Image.frombytes("L", (nw, nh), mask).filter(ImageFilter.MaxFilter(9)).tobytes()
    sample = sel_img.filter(ImageFilter.MaxFilter(2 * (2 * feather + 20) + 1)).tobytes()
    kept = [(x, y) for y in range(nh) for x in range(nw)
            if not near_fill[y * nw + x] and sample[(y + oy) * w + x + ox]]
    err = sum(abs(pixels[(y * nw + x) * 4 + ch] - before[0][((y + oy) * w + x + ox) * 4 + ch])
              for x, y in kept for ch in range(3)) / (3 * max(1, len(kept)))
    check("seam: the model's colour drift is matched away next to the fill",
          len(kept) > 1000 and err < 2.0, f"mean abs difference {err:.2f} over {len(kept)} pixels")
    image.delete()


def case_seam_scaled():
    """A crop past the model's 1440 px is matched at the model's size and
    scaled back: the drift is still gone from the kept pixels."""
    scenario(drift=[12, -8, 5])
    w, h, colour = 2400, 1800, (90, 140, 200)
    image = Gimp.Image.new(w, h, Gimp.ImageBaseType.RGB)
    layer = Gimp.Layer.new(image, "flat", w, h, Gimp.ImageType.RGB_IMAGE, 100,
                           Gimp.LayerMode.NORMAL)
    image.insert_layer(layer, None, 0)
    layer.get_buffer().set(Gegl.Rectangle.new(0, 0, w, h), "R'G'B' u8", bytes(colour) * (w * h))
    image.select_rectangle(Gimp.ChannelOps.REPLACE, 400, 300, 1600, 1200)
    status, message = run_fill(image, layer, output_format="png")
    if not check("scaled seam: fill succeeds", status == SUCCESS, message):
        return
    reqs = creates()
    new = image.get_layers()[0]
    nw, nh = new.get_width(), new.get_height()
    check("scaled seam: the model got a scaled crop",
          reqs and max(reqs[0]["image_size"]) <= 1440 < max(nw, nh),
          (reqs and reqs[0]["image_size"], nw, nh))
    ox, oy = new.get_offsets()[1:]
    rect = Gegl.Rectangle.new(0, 0, nw, nh)
    pixels = new.get_buffer().get(rect, 1.0, "R'G'B' u8", Gegl.AbyssPolicy.NONE)
    # Kept pixels clear of what the model repaints (the selection grown by
    # twice the default feather of 8) and of the resampling's reach.
    m = 32
    kept = [(y * nw + x) * 3 for y in range(0, nh, 4) for x in range(0, nw, 4)
            if not (400 - m <= x + ox < 2000 + m and 300 - m <= y + oy < 1500 + m)]
    err = max(abs(pixels[i + c] - colour[c]) for i in kept for c in range(3)) if kept else 255
    check("scaled seam: the model's colour drift is matched away",
          len(kept) > 1000 and err <= 1, f"largest difference {err} over {len(kept)} pixels")
    image.delete()


def case_kinds():
    kinds = [
        ("grayscale", dict(base=Gimp.ImageBaseType.GRAY)),
        ("rgb 16-bit linear", dict(precision=Gimp.Precision.U16_LINEAR)),
        ("rgb 16-bit perceptual", dict(precision=Gimp.Precision.U16_NON_LINEAR)),
        ("rgb 32-bit float perceptual", dict(precision=Gimp.Precision.FLOAT_NON_LINEAR)),
        ("rgb 32-bit float", dict(precision=Gimp.Precision.FLOAT_LINEAR)),
        ("rgba layer", dict(layer_type=Gimp.ImageType.RGBA_IMAGE)),
        ("offset smaller layer, selection partly outside it",
         dict(layer_rect=(100, 80, 300, 200))),
        ("layer larger than the canvas", dict(layer_rect=(-100, -50, 840, 600))),
        ("offset smaller layer, sample-merged off", dict(layer_rect=(100, 80, 300, 200))),
    ]
    for name, kw in kinds:
        scenario()
        merged = "sample-merged off" not in name
        image, layer = make_image(**kw)
        image.select_rectangle(Gimp.ChannelOps.REPLACE, 150, 120, 120, 90)
        image.select_ellipse(Gimp.ChannelOps.ADD, 300, 200, 200, 200)
        fmt, bpp = ("R'G'B'A float", 16) if "bit" in name else ("R'G'B'A u8", 4)
        before = composite(image, fmt, bpp)
        sel = bytes(selection_values(image))
        status, message = run_fill(image, layer, feather=0, sample_merged=merged)
        if not check(f"{name}: fill succeeds", status == SUCCESS, message):
            continue
        diffs = outside_equal(before, composite(image, fmt, bpp), sel)
        check(f"{name}: outside the selection the composite equals the original",
              diffs == 0, f"{diffs} pixels differ")
        new = image.get_layers()[0]
        lx, ly = layer.get_offsets()[1:]
        nx, ny = new.get_offsets()[1:]
        # Sample-merged: the canvas bounds it; off: the active layer too.
        lx, ly, lw, lh = (lx, ly, layer.get_width(), layer.get_height()) if not merged \
            else (0, 0, 640, 480)
        check(f"{name}: the new layer stays on the "
              f"{'canvas' if merged else 'active layer and the canvas'}",
              nx >= max(lx, 0) and ny >= max(ly, 0)
              and nx + new.get_width() <= min(lx + lw, 640)
              and ny + new.get_height() <= min(ly + lh, 480),
              (nx, ny, new.get_width(), new.get_height()))
        check(f"{name}: the new layer matches the image's mode",
              new.is_gray() == (image.get_base_type() == Gimp.ImageBaseType.GRAY)
              and new.get_mask() is not None)
        image.delete()


def expect_error(name, expected_status, needle, setup=None, **args):
    image, layer = make_image()
    if setup:
        setup(image)
    else:
        image.select_ellipse(Gimp.ChannelOps.REPLACE, 100, 100, 200, 150)
    before = snapshot(image)
    n_images = len(Gimp.get_images())
    status, message = run_fill(image, layer, **args)
    check(f"{name}: ends with {expected_status.value_nick}", status == expected_status,
          f"{status.value_nick}: {message}")
    check(f"{name}: the message says why", needle in message, message)
    check(f"{name}: the image is unchanged", state(image) == before)
    check(f"{name}: no image is left behind", len(Gimp.get_images()) == n_images)
    image.delete()
    return message


def case_errors():
    scenario()
    expect_error("no selection", EXECUTION_ERROR, "There is no selection",
                 setup=lambda image: Gimp.Selection.none(image))
    check("no selection: no request was sent", creates() == [])
    scenario(token="r8_some_other_token")
    expect_error("refused token", EXECUTION_ERROR, "HTTP 401 (check the API token)")
    scenario(schema="old")
    expect_error("validation error", EXECUTION_ERROR,
                 "HTTP 422: - input.guidance: Must be less than or equal to 5")
    scenario(outcome="failed", error="NSFW content detected. Try a different prompt.")
    expect_error("failed prediction", EXECUTION_ERROR,
                 f"the prediction failed at {HOST}: NSFW content detected. Try a different prompt.")
    scenario(output="not-image")
    expect_error("unreadable output", EXECUTION_ERROR, "the result could not be read: not a PNG, JPEG or WebP image")
    scenario(output="gone")
    expect_error("expired output", EXECUTION_ERROR, "the output is gone")
    scenario(create_errors=[[503, None]] * 4)
    expect_error("server error that persists", EXECUTION_ERROR, "HTTP 503")
    scenario(output_size=[1440, 32])
    expect_error("outpaint result of a strange shape", EXECUTION_ERROR,
                 "The result (1440 × 32 pixels) does not have a shape this outpaint mode can place",
                 outpaint="left")


def case_remove():
    """A blank prompt removes what is selected: the neutral prompt goes."""
    scenario()
    image, layer = make_image()
    image.select_ellipse(Gimp.ChannelOps.REPLACE, 200, 150, 180, 120)
    status, message = run_fill(image, layer, prompt="  ")
    check("blank prompt: the fill succeeds", status == SUCCESS, message)
    reqs = creates()
    sent = reqs[0].get("input", {}).get("prompt", "") if reqs else ""
    check("blank prompt: a neutral prompt reached the service",
          sent.startswith("Seamlessly continue the surrounding background"), sent)
    check("blank prompt: the layer is named for a removal",
          layer_names(image)[0] == "Removed", layer_names(image))
    image.delete()


def run_expand(image, drawable, **args):
    proc = Gimp.get_pdb().lookup_procedure("plug-in-flux-expand")
    config = proc.create_config()
    config.set_property("run-mode", Gimp.RunMode.NONINTERACTIVE)
    config.set_property("image", image)
    config.set_core_object_array("drawables", [drawable])
    for key, value in args.items():
        config.set_property(key.replace("_", "-"), value)
    result = proc.run(config)
    status = result.index(0)
    return status, (result.index(1) if status != SUCCESS and result.length() > 1 else "") or ""


def case_expand():
    """FLUX Expand, its own procedure, in every mode; a Fill after it
    fills the selection (no mode carried over)."""
    modes = {"zoom-out-1.5x": (960, 720), "zoom-out-2x": (1280, 960),
             "make-square": (640, 640), "left": (960, 480), "right": (960, 480),
             "top": (640, 704), "bottom": (640, 704)}
    for mode, size in modes.items():
        scenario()
        image, layer = make_image()
        image.select_rectangle(Gimp.ChannelOps.REPLACE, 10, 10, 50, 50)
        status, message = run_expand(image, layer, mode=mode, prompt="")
        if not check(f"expand {mode}: succeeds", status == SUCCESS, message):
            continue
        check(f"expand {mode}: canvas is {size[0]}x{size[1]}",
              (image.get_width(), image.get_height()) == size,
              (image.get_width(), image.get_height()))
        reqs = creates()
        check(f"expand {mode}: the mode and a neutral prompt were sent, no mask",
              reqs and reqs[0]["input"]["outpaint"] != "None" and "mask_size" not in reqs[0]
              and reqs[0]["input"]["prompt"].startswith("Seamlessly"), reqs and reqs[0]["input"])
        check(f"expand {mode}: the layer is named for an expansion",
              layer_names(image)[0] == "Expanded", layer_names(image))
        image.delete()
    scenario()
    image, layer = make_image()
    status, message = run_expand(image, layer, mode="left", prompt="more sky")
    image.select_rectangle(Gimp.ChannelOps.REPLACE, 400, 100, 80, 80)
    scenario()
    status, message = run_fill(image, layer)
    reqs = creates()
    check("fill after expand: fills the selection, no outpaint",
          status == SUCCESS and reqs and reqs[0]["input"]["outpaint"] == "None"
          and (image.get_width(), image.get_height()) == (960, 480),
          (message, reqs and reqs[0]["input"], image.get_width()))
    image.delete()


def case_same_area():
    """One rule for "the same area": with an earlier result's mask active,
    a selection inside that fill's context but away from what was selected
    is a new fill, above the earlier results' group, hiding none of them."""
    scenario()
    image, layer = make_image()
    image.select_ellipse(Gimp.ChannelOps.REPLACE, 200, 150, 180, 120)
    status, message = run_fill(image, layer, prompt="a small pond", variations=2)
    if not check("same area: the first fill succeeds", status == SUCCESS, message):
        return
    pond = image.get_layers()[0]
    kids = pond.get_children()
    rec = record_of(kids[0]) or {}
    check("same area: the record keeps the bounds of what was selected",
          rec.get("selection") == [200, 150, 180, 120] and rec.get("version") == 3, rec)
    x, y, w, h = rec.get("rect", [0, 0, 0, 0])
    # Inside the crop (the context), outside the selection's bounds.
    sx, sy = 385, 160
    check("same area: the second selection lies in the first fill's context",
          x <= sx and sx + 30 <= x + w and y <= sy and sy + 30 <= y + h, rec.get("rect"))
    image.select_rectangle(Gimp.ChannelOps.REPLACE, sx, sy, 30, 30)
    scenario()
    status, message = run_fill(image, kids[0].get_mask(), prompt="")
    top = image.get_layers()
    check("same area: a selection beside the earlier one is a new fill above its group",
          status == SUCCESS and len(top) == 3 and top[0].get_name() == "Removed"
          and not top[0].is_group() and top[1] == pond and len(pond.get_children()) == 2,
          (message, layer_names(image)))
    check("same area: every earlier result keeps its visibility",
          pond.get_visible() and [k.get_visible() for k in pond.get_children()] == [True, False],
          [k.get_visible() for k in pond.get_children()])
    check("same area: the new fill is made from the picture the first was made from",
          (record_of(top[0]) or {}).get("source-name") == "background", record_of(top[0]))
    # A selection meeting what was selected joins the earlier results.
    image.select_rectangle(Gimp.ChannelOps.REPLACE, 250, 180, 40, 40)
    scenario()
    status, message = run_fill(image, kids[0].get_mask(), prompt="a small pond")
    check("same area: a selection meeting the earlier one adds to its group",
          status == SUCCESS and len(image.get_layers()) == 3 and len(pond.get_children()) == 3,
          (message, layer_names(image)))
    image.delete()


def case_expand_from_result():
    """Expand right after a fill, with the result's mask active (what GIMP
    leaves active), grows the canvas; the expansion goes on top."""
    scenario()
    image, layer = make_image()
    image.select_ellipse(Gimp.ChannelOps.REPLACE, 200, 150, 180, 120)
    status, message = run_fill(image, layer, prompt="a small pond", variations=2)
    if not check("expand from a result: the fill succeeds", status == SUCCESS, message):
        return
    pond = image.get_layers()[0]
    Gimp.Selection.none(image)
    scenario()
    status, message = run_expand(image, pond.get_children()[0].get_mask(), mode="left",
                                 prompt="")
    check("expand from a result's mask: the canvas grows, the expansion above the group",
          status == SUCCESS and (image.get_width(), image.get_height()) == (960, 480)
          and image.get_layers()[0].get_name() == "Expanded" and image.get_layers()[1] == pond,
          (message, layer_names(image), image.get_width()))
    scenario()
    status, message = run_expand(image, pond, mode="top", prompt="", sample_merged=False)
    check("expand from a group, not sample-merged: reads the recorded source, grows the canvas",
          status == SUCCESS and image.get_width() == 960 and image.get_height() > 480,
          (message, image.get_width(), image.get_height()))
    image.delete()


def case_old_record():
    """A record of the first format (no "selection") still fills again."""
    scenario()
    image, layer = make_image()
    image.select_ellipse(Gimp.ChannelOps.REPLACE, 200, 150, 180, 120)
    status, message = run_fill(image, layer, prompt="a red barn")
    if not check("old record: the fill succeeds", status == SUCCESS, message):
        return
    result = image.get_layers()[0]
    rec = record_of(result)
    rec.pop("selection", None)
    rec["version"] = 1
    result.attach_parasite(Gimp.Parasite.new("flux-fill-record", Gimp.PARASITE_PERSISTENT,
                                             list(json.dumps(rec).encode())))
    Gimp.Selection.none(image)
    scenario()
    status, message = run_again(image, result)
    check("old record: FLUX Fill Again fills the recorded area",
          status == SUCCESS and len(creates()) == 1 and image.get_layers()[0].is_group()
          and len(image.get_layers()[0].get_children()) == 2, (message, layer_names(image)))
    image.delete()


def case_variations():
    """Three variations: one group right above the layer, three masked
    layers with three different seeds, all sent; the top one visible."""
    scenario(duration=0.5)
    image, layer = make_image()
    image.select_ellipse(Gimp.ChannelOps.REPLACE, 200, 150, 180, 120)
    image.clean_all()
    status, message = run_fill(image, layer, prompt="a red barn", variations=3, seed=100)
    if not check("variations: 3 succeed", status == SUCCESS, message):
        return
    top = image.get_layers()
    check("variations: one group right above the original",
          len(top) == 2 and top[1] == layer and top[0].is_group()
          and top[0].get_name() == "a red barn", layer_names(image))
    kids = top[0].get_children() if top[0].is_group() else []
    check("variations: three layers named by number and seed first",
          [k.get_name() for k in kids] == ["#1 · seed 100 · a red barn",
                                           "#2 · seed 101 · a red barn",
                                           "#3 · seed 102 · a red barn"],
          [k.get_name() for k in kids])
    check("variations: each has the selection mask", all(k.get_mask() for k in kids))
    check("variations: the top one visible, the others hidden",
          [k.get_visible() for k in kids] == [True, False, False])
    sent = sorted(r["input"].get("seed") for r in creates())
    check("variations: three creates, each with its own seed", sent == [100, 101, 102], sent)
    check("variations: on the undo history", image.is_dirty())
    image.delete()

    # One fails: the others are kept.
    scenario(duration=0.5, fail_seeds=[201])
    image, layer = make_image()
    image.select_ellipse(Gimp.ChannelOps.REPLACE, 200, 150, 180, 120)
    status, message = run_fill(image, layer, variations=3, seed=200)
    kids = image.get_layers()[0].get_children() if image.get_layers()[0].is_group() else []
    check("variations: one of three failing keeps the two others",
          status == SUCCESS and [k.get_name() for k in kids]
          == ["#1 · seed 200 · a red barn", "#2 · seed 202 · a red barn"],
          (message, [k.get_name() for k in kids]))
    image.delete()

    # All fail: nothing changes, the message says why.
    scenario(duration=0.3, outcome="failed", error="NSFW content detected.")
    expect_error("variations: all failing", EXECUTION_ERROR, "NSFW content detected",
                 variations=2)

    # Concurrent: four take about as long as one.
    times = {}
    for n in (1, 4):
        scenario(duration=2.0, max_wait=0.5)
        image, layer = make_image()
        image.select_rectangle(Gimp.ChannelOps.REPLACE, 10, 10, 50, 50)
        start = time.monotonic()
        status, message = run_fill(image, layer, variations=n)
        times[n] = time.monotonic() - start
        check(f"variations: {n} succeed", status == SUCCESS, message)
        image.delete()
    check("variations: 4 take at most 1.3 times as long as 1",
          times[4] <= 1.3 * times[1], times)


def add_empty_layer(image, name="empty", rect=None, position=0):
    """A transparent layer (the canvas, or @rect), inserted at @position."""
    x, y, w, h = rect or (0, 0, image.get_width(), image.get_height())
    empty = Gimp.Layer.new(image, name, w, h, Gimp.ImageType.RGBA_IMAGE, 100,
                           Gimp.LayerMode.NORMAL)
    image.insert_layer(empty, None, position)
    empty.set_offsets(x, y)
    return empty


def samples_off(req, crop, want, skip=None):
    """The stand-in's sampled pixels of the input image that differ from
    want(x, y) (image coordinates), leaving out those inside @skip."""
    cx, cy = crop
    bad = []
    for x, y, rgb in (req or {}).get("image_samples", []):
        ix, iy = x + cx, y + cy
        if skip and skip[0] <= ix < skip[0] + skip[2] and skip[1] <= iy < skip[1] + skip[3]:
            continue
        if tuple(rgb) != tuple(want(ix, iy)):
            bad.append((ix, iy, rgb, want(ix, iy)))
    return bad


def case_sample_merged():
    """Issue 10 item 2: the model sees the visible picture (all layers),
    the result goes right above the active layer; off, the active layer
    alone as before."""
    sel = (200, 150, 120, 90)
    # Wide enough that a result (at least 512 px a side) leaves room beside it.
    W, H = 1280, 960
    scenario()
    image, photo = make_image(W, H)
    empty = add_empty_layer(image)
    image.select_rectangle(Gimp.ChannelOps.REPLACE, *sel)
    sel_before = bytes(selection_values(image))
    n_images = len(Gimp.get_images())
    image.clean_all()
    # Little context: the result is smaller than the canvas.
    status, message = run_fill(image, empty, output_format="png", context=16)
    if check("sample-merged: a fill on an empty layer above a photo succeeds",
             status == SUCCESS, message):
        layers = image.get_layers()
        check("sample-merged: the result is right above the empty layer",
              len(layers) == 3 and layers[1] == empty and layers[2] == photo, layer_names(image))
        new = layers[0]
        crop = new.get_offsets()[1:]
        reqs = creates()
        req = reqs[0] if reqs else None
        check("sample-merged: the model got the crop the layer covers",
              req and req["image_size"] == [new.get_width(), new.get_height()],
              req and req.get("image_size"))
        bad = samples_off(req, crop, pattern, skip=sel)
        check("sample-merged: the model was shown the photo under the empty layer",
              req and len(req.get("image_samples", [])) == 16 and not bad, bad or req)
        check("sample-merged: the selection is left as it was",
              bytes(selection_values(image)) == sel_before)
        check("sample-merged: no image is left behind", len(Gimp.get_images()) == n_images,
              (n_images, len(Gimp.get_images())))

        # The previous result active, a new selection outside it: the
        # canvas bounds the fill, the layer goes above the active one with
        # the crop's offsets.
        previous = new
        px, py = crop
        pw, ph = previous.get_width(), previous.get_height()
        sel2 = (900, 700, 100, 90)
        image.select_rectangle(Gimp.ChannelOps.REPLACE, *sel2)
        check("sample-merged: the new selection lies outside the previous result",
              sel2[0] >= px + pw or sel2[1] >= py + ph, (crop, pw, ph))
        seen, cw = composite(image)[:2]
        scenario()
        status, message = run_fill(image, previous, output_format="png", context=16)
        if check("sample-merged: a selection outside the active (previous result) layer "
                 "fills", status == SUCCESS, message):
            layers = image.get_layers()
            check("sample-merged: the second result is right above the previous one",
                  len(layers) == 4 and layers[1] == previous, layer_names(image))
            second = layers[0]
            sx, sy = second.get_offsets()[1:]
            check("sample-merged: the second result sits on the canvas around the selection",
                  0 <= sx <= sel2[0] and 0 <= sy <= sel2[1]
                  and sx + second.get_width() <= W and sy + second.get_height() <= H
                  and sx + second.get_width() >= sel2[0] + sel2[2]
                  and sy + second.get_height() >= sel2[1] + sel2[3],
                  (sx, sy, second.get_width(), second.get_height()))
            req = (creates() or [None])[0]
            bad = samples_off(req, (sx, sy),
                              lambda x, y: tuple(seen[(y * cw + x) * 4:(y * cw + x) * 4 + 3]))
            check("sample-merged: the second fill was shown the visible picture, the "
                  "first result in it",
                  req and req.get("image_samples") and not bad, bad or req)
            # Off: a new fill of the layer the previous result was made
            # from (the empty one, which covers the canvas), not of the
            # result itself; it goes above the previous result, hiding
            # nothing.
            scenario()
            status, message = run_fill(image, previous, sample_merged=False)
            layers = image.get_layers()
            check("sample-merged off: the same selection fills from the recorded source "
                  "layer, right above the previous result",
                  status == SUCCESS and len(creates()) == 1 and len(layers) == 5
                  and (record_of(layers[1]) or {}).get("source-name") == empty.get_name()
                  and layers[0] == second and layers[2] == previous
                  and all(l.get_visible() for l in layers[:3]),
                  (status.value_nick, message, layer_names(image)))
    image.delete()

    # Off: the active layer alone, as before: the empty one is black.
    scenario()
    image, photo = make_image()
    empty = add_empty_layer(image)
    image.select_rectangle(Gimp.ChannelOps.REPLACE, *sel)
    status, message = run_fill(image, empty, output_format="png", sample_merged=False)
    if check("sample-merged off: the fill succeeds", status == SUCCESS, message):
        new = image.get_layers()[0]
        req = (creates() or [None])[0]
        bad = samples_off(req, new.get_offsets()[1:], lambda x, y: (0, 0, 0))
        check("sample-merged off: the model was shown the empty layer (black)",
              req and req.get("image_samples") and not bad, bad or req)
        check("sample-merged off: the result is right above the empty layer",
              image.get_layers()[1] == empty, layer_names(image))
    image.delete()

    # A small layer elsewhere active, a hidden red layer on top: GIMP's
    # own composite (the hidden layer is not in it).
    scenario()
    image, photo = make_image()
    hidden = add_empty_layer(image, "hidden")
    hidden.get_buffer().set(Gegl.Rectangle.new(0, 0, 640, 480), "R'G'B'A u8",
                            bytes((255, 0, 0, 255)) * (640 * 480))
    hidden.set_visible(False)
    small = add_empty_layer(image, "small", rect=(100, 100, 50, 40), position=1)
    image.select_rectangle(Gimp.ChannelOps.REPLACE, *sel)
    status, message = run_fill(image, small, output_format="png")
    if check("sample-merged: a small layer elsewhere active, a hidden layer on top: fills",
             status == SUCCESS, message):
        layers = image.get_layers()
        new = layers[1]
        nx, ny = new.get_offsets()[1:]
        req = (creates() or [None])[0]
        bad = samples_off(req, (nx, ny), pattern, skip=sel)
        check("sample-merged: hidden layers are not shown to the model",
              req and req.get("image_samples") and not bad, bad or req)
        check("sample-merged: the result is right above the active layer, on the crop "
              "beyond its extent",
              len(layers) == 4 and layers[0] == hidden and layers[2] == small
              and nx <= sel[0] and ny <= sel[1] and nx + new.get_width() > 150,
              (layer_names(image), nx, ny, new.get_width(), new.get_height()))
    image.delete()

    # Errors with several layers and sample-merged: nothing changes.
    scenario(token="r8_some_other_token")
    expect_error("sample-merged, refused token", EXECUTION_ERROR, "HTTP 401",
                 setup=lambda image: (add_empty_layer(image),
                                      image.select_rectangle(Gimp.ChannelOps.REPLACE, *sel)))
    scenario(output="not-image")
    expect_error("sample-merged, unreadable output", EXECUTION_ERROR,
                 "could not be read",
                 setup=lambda image: (add_empty_layer(image),
                                      image.select_rectangle(Gimp.ChannelOps.REPLACE, *sel)))


def record_of(item):
    parasite = item.get_parasite("flux-fill-record")
    return json.loads(bytes(parasite.get_data()).decode()) if parasite else None


def run_on(name, image, drawable, mode=Gimp.RunMode.NONINTERACTIVE):
    """Runs the procedure @name, which takes no arguments of its own."""
    return run_procedure(name, image, drawable, mode)


def run_again(image, drawable):
    return run_on("plug-in-flux-fill-again", image, drawable)


def case_fill_again():
    """A fill remembers itself: its record survives the XCF; filling with
    a generated layer's mask active (what Ctrl+F does) adds to the same
    group, on top and visible; FLUX Fill Again sends the recorded prompt
    and parameters with new seeds."""
    import tempfile
    scenario(duration=0.3)
    image, layer = make_image()
    image.select_ellipse(Gimp.ChannelOps.REPLACE, 200, 150, 180, 120)
    status, message = run_fill(image, layer, prompt="a red barn", variations=2, seed=10,
                               steps=30, guidance=2.5)
    if not check("again: the first fill succeeds", status == SUCCESS, message):
        return
    group = image.get_layers()[0]
    kids = group.get_children()
    rec = record_of(kids[0]) or {}
    check("again: each result records prompt, seed and the area",
          rec.get("prompt") == "a red barn" and rec.get("seed") == 10
          and record_of(kids[1]).get("seed") == 11 and rec.get("steps") == 30
          and rec.get("source-name") == "background" and len(rec.get("rect", [])) == 4,
          rec)
    check("again: no token in the record", TOKEN_ENV not in json.dumps(rec), rec)
    check("again: the group carries a record too", record_of(group) is not None)

    # Ctrl+F after a fill: the new layer's mask is active, nothing selected.
    Gimp.Selection.none(image)
    scenario(duration=0.3)
    mask = kids[0].get_mask()
    status, message = run_fill(image, mask, prompt="a blue barn", variations=1)
    check("again: a fill from the mask succeeds", status == SUCCESS, message)
    kids = group.get_children()
    check("again: added to the same group, on top and visible, the others hidden",
          len(image.get_layers()) == 2 and len(kids) == 3
          and kids[0].get_name().startswith("#3 · seed ")
          and kids[0].get_name().endswith(" · a blue barn")
          and [k.get_visible() for k in kids] == [True, False, False],
          [(k.get_name(), k.get_visible()) for k in kids])
    reqs = creates()
    check("again: the recorded area and mask were sent",
          reqs and reqs[0]["image_size"] == [rec["rect"][2], rec["rect"][3]]
          and reqs[0].get("mask_size") == reqs[0]["image_size"], reqs and reqs[0])

    # Saved and opened again, next week.
    path = os.path.join(tempfile.mkdtemp(dir=os.environ["FLUX_FILL_WORKDIR"]), "again.xcf")
    Gimp.file_save(Gimp.RunMode.NONINTERACTIVE, image, Gio.File.new_for_path(path), None)
    image.delete()
    image = Gimp.file_load(Gimp.RunMode.NONINTERACTIVE, Gio.File.new_for_path(path))
    group = image.get_layers()[0]
    check("again: the records survive an XCF save and load",
          record_of(group) is not None and record_of(group.get_children()[1]).get("seed") == 10)
    scenario(duration=0.3)
    status, message = run_again(image, group)
    check("again: FLUX Fill Again succeeds", status == SUCCESS, message)
    reqs = creates()
    inputs = [r.get("input", {}) for r in reqs]
    check("again: the recorded prompt and parameters, new seeds",
          len(inputs) == 2 and all(i.get("prompt") == "a red barn" and i.get("steps") == 30
                                   and i.get("guidance") == 2.5 for i in inputs)
          and not {i.get("seed") for i in inputs} & {10, 11}, inputs)
    names = [k.get_name() for k in group.get_children()]
    check("again: five variations in the group now, numbered on from the others",
          len(names) == 5 and [n.split(" · ")[0] for n in names] == ["#4", "#5", "#3", "#1", "#2"],
          names)
    image.delete()

    # One result alone, then Ctrl+F from its mask: both go into a group.
    scenario(duration=0.3)
    image, layer = make_image()
    image.select_ellipse(Gimp.ChannelOps.REPLACE, 200, 150, 180, 120)
    status, message = run_fill(image, layer, prompt="a green barn", seed=5)
    first = image.get_layers()[0]
    status2, message2 = run_fill(image, first.get_mask(), prompt="a green barn", seed=7)
    top = image.get_layers()
    kids = top[0].get_children() if top[0].is_group() else []
    check("again: a lone result and the new one go into a group named after the prompt",
          status == status2 == SUCCESS and len(top) == 2 and top[0].get_name() == "a green barn"
          and [k.get_name() for k in kids] == ["#2 · seed 7 · a green barn",
                                               "#1 · seed 5 · a green barn"]
          and [k.get_visible() for k in kids] == [True, False],
          (message, message2, layer_names(image), [k.get_name() for k in kids]))
    image.delete()

    scenario()
    image, layer = make_image()
    before = snapshot(image)
    status, message = run_again(image, layer)
    check("again: on a layer not made by FLUX Fill, says so",
          status == CALLING_ERROR and "works on a layer made by FLUX Fill" in message, message)
    check("again: on a layer not made by FLUX Fill, the image is unchanged", state(image) == before)
    image.delete()


def ellipse_fill(**args):
    """A new image with the usual ellipse selected, filled:
    (image, layer, status, message)."""
    scenario(duration=0.2)
    image, layer = make_image()
    image.select_ellipse(Gimp.ChannelOps.REPLACE, 200, 150, 180, 120)
    return (image, layer) + run_fill(image, layer, **args)


def run_keep(image, drawable):
    return run_on("plug-in-flux-fill-keep", image, drawable)


def case_keep():
    """Keep This Variation: on the second of three, the others go and the
    group gives way to it (in its place, with its name, mask and record,
    visible); layers the user put into the group stay, and so does the
    group; on a lone result, a group or another layer it refuses and
    changes nothing.  A batch script cannot press Edit → Undo (the PDB has
    no undo call), so "undo restores all three" is checked as far as a
    script can: the change is on the undo history (the image is dirty
    after a clean) and the plug-in makes it inside one undo group."""
    image, layer, status, message = ellipse_fill(prompt="a small pond", variations=3, seed=300)
    if not check("keep: three variations made", status == SUCCESS, message):
        return
    group = image.get_layers()[0]
    second = group.get_children()[1]
    # Ctrl+F after a Keep repeats it with last values: refused, nothing removed.
    before = snapshot(image)
    status, message = run_on("plug-in-flux-fill-keep", image, second,
                             Gimp.RunMode.WITH_LAST_VALS)
    check("keep: repeated with Ctrl+F (last values), refuses and removes nothing",
          status == CALLING_ERROR and "not repeated with Ctrl+F" in message
          and state(image) == before and len(group.get_children()) == 3, message)
    image.clean_all()
    status, message = run_keep(image, second)
    top = image.get_layers()
    check("keep: on the second variation, succeeds", status == SUCCESS, message)
    check("keep: one result left, where the group was, the group gone",
          len(top) == 2 and top[0] == second and top[1] == layer and not top[0].is_group()
          and second.get_parent() is None, layer_names(image))
    check("keep: the kept one keeps its name, is visible, with its mask and record",
          second.get_name() == "#2 · seed 301 · a small pond" and second.get_visible()
          and second.get_mask() is not None and (record_of(second) or {}).get("seed") == 301,
          (second.get_name(), second.get_visible(), record_of(second)))
    check("keep: on the undo history", image.is_dirty())

    # The kept one is a lone result now: Keep refuses, and Ctrl+F from it
    # makes a group again, numbered from 1 with the fill's prompt.
    before = snapshot(image)
    status, message = run_keep(image, second.get_mask())
    check("keep: on a lone result, says to choose a variation",
          status == CALLING_ERROR and "Choose the variation to keep" in message, message)
    check("keep: on a lone result, the image is unchanged", state(image) == before)
    Gimp.Selection.none(image)
    scenario(duration=0.2)
    status, message = run_fill(image, second.get_mask(), prompt="a small pond", seed=9)
    kids = image.get_layers()[0].get_children() if image.get_layers()[0].is_group() else []
    check("keep: more of a kept variation go into a new group, renumbered",
          status == SUCCESS and [k.get_name() for k in kids]
          == ["#2 · seed 9 · a small pond", "#1 · seed 301 · a small pond"],
          (message, [k.get_name() for k in kids]))
    image.delete()

    # With the group active, or a layer FLUX Fill did not make: refused.
    image, layer, status, message = ellipse_fill(prompt="a small pond", variations=2)
    group = image.get_layers()[0]
    for name, drawable in (("the group active", group), ("a layer it did not make", layer)):
        before = snapshot(image)
        status, message = run_keep(image, drawable)
        check(f"keep: with {name}, says to choose a variation",
              status == CALLING_ERROR and "Choose the variation to keep" in message, message)
        check(f"keep: with {name}, the image is unchanged", state(image) == before)

    # A layer the user put into the group stays, and so does the group.
    mine = Gimp.Layer.new(image, "my touch-up", 40, 40, Gimp.ImageType.RGBA_IMAGE, 100,
                          Gimp.LayerMode.NORMAL)
    image.insert_layer(mine, group, 1)
    first, other = [k for k in group.get_children() if k != mine]
    status, message = run_keep(image, first.get_mask())
    kids = group.get_children()
    check("keep: from the mask, the other variation goes, the user's layer and the group stay",
          status == SUCCESS and image.get_layers()[0] == group and kids == [first, mine]
          and first.get_visible(), (message, [k.get_name() for k in kids]))
    image.delete()


def case_help():
    """GIMP registered the plug-in's help domain: every procedure's help
    ID is "plug-in-flux-fill-help?NAME", what F1 and Help look up in
    help/en/gimp-help.xml beside the plug-in (tests/help/check_help.py
    checks that each maps to a page that exists)."""
    pdb = Gimp.get_pdb()
    for name in ("plug-in-flux-fill", "plug-in-flux-expand", "plug-in-flux-fill-again",
                 "plug-in-flux-fill-keep"):
        proc = pdb.lookup_procedure(name)
        check(f"help: {name} has its help ID in the plug-in's help domain",
              proc is not None and proc.get_help_id() == f"plug-in-flux-fill-help?{name}",
              proc and proc.get_help_id())


def case_slow_prediction():
    scenario(duration=2.5, max_wait=0.5)
    image, layer = make_image()
    image.select_rectangle(Gimp.ChannelOps.REPLACE, 10, 10, 50, 50)
    status, message = run_fill(image, layer)
    check("slow prediction: polled until done", status == SUCCESS, message)
    polls = [r for r in standin("/_standin/requests")
             if r["method"] == "GET" and "/v1/predictions/" in r["path"]]
    check("slow prediction: every poll went to the base URL",
          polls and all(p["path"].startswith("/replicate/v1/predictions/") for p in polls),
          polls)
    files = [r for r in standin("/_standin/requests") if r["server"] == "files"]
    check("slow prediction: the output was fetched without the token",
          len(files) == 1 and not files[0]["auth_present"], files)
    image.delete()


def case_outpaint():
    modes = {"zoom-out-1.5x": (960, 720, 160, 120), "zoom-out-2x": (1280, 960, 320, 240),
             "make-square": (640, 640, 0, 80), "left": (960, 480, 320, 0),
             "right": (960, 480, 0, 0), "top": (640, 704, 0, 224),
             "bottom": (640, 704, 0, 0)}
    for mode, (w, h, ox, oy) in modes.items():
        scenario()
        image, layer = make_image()
        Gimp.Selection.none(image)
        before = composite(image)
        status, message = run_fill(image, layer, outpaint=mode, prompt="more landscape")
        if not check(f"outpaint {mode}: succeeds", status == SUCCESS, message):
            continue
        check(f"outpaint {mode}: canvas is {w}x{h}",
              (image.get_width(), image.get_height()) == (w, h),
              (image.get_width(), image.get_height()))
        check(f"outpaint {mode}: the original moved to ({ox}, {oy})",
              tuple(layer.get_offsets()[1:]) == (ox, oy), layer.get_offsets())
        reqs = creates()
        check(f"outpaint {mode}: no mask was sent",
              reqs and "mask_size" not in reqs[0] and reqs[0]["input"]["outpaint"] != "None")
        after, aw, ah, bpp = composite(image)
        old, ow, oh, _ = before
        diffs = sum(1 for y in range(oh)
                    if after[((y + oy) * aw + ox) * 4:((y + oy) * aw + ox + ow) * 4]
                    != old[y * ow * 4:(y + 1) * ow * 4])
        check(f"outpaint {mode}: the original pixels are unchanged", diffs == 0,
              f"{diffs} rows differ")
        image.delete()


def case_faults():
    """Issue 5's main faults, through GIMP: each ends cleanly."""
    scenario(duration=60, max_wait=0.5)
    expect_error("stuck prediction", EXECUTION_ERROR, "did not finish within")
    cancels = [r for r in standin("/_standin/requests") if r["path"].endswith("/cancel")]
    check("stuck prediction: the prediction was canceled on the service",
          len(cancels) == 1 and cancels[0]["path"].startswith("/replicate/v1/predictions/"),
          cancels)
    scenario(output="reset")
    expect_error("connection reset mid-download", EXECUTION_ERROR,
                 "could not download the result")
    scenario(output="huge")
    expect_error("output far larger than asked", EXECUTION_ERROR, "pixels, more than the")
    scenario(create_errors=[[429, 1], [429, 0]])
    image, layer = make_image()
    image.select_rectangle(Gimp.ChannelOps.REPLACE, 10, 10, 50, 50)
    status, message = run_fill(image, layer)
    check("429 twice then OK: the fill succeeds", status == SUCCESS, message)
    check("429 twice then OK: three creates were sent",
          [r["status"] for r in creates()] == [429, 429, 201], creates())
    image.delete()
    # A 5xx may hide a prediction that runs and bills: never sent again.
    scenario(create_errors=[[502, None], [502, None]])
    expect_error("server error on the create", EXECUTION_ERROR, "HTTP 502")
    check("server error on the create: sent once", len(creates()) == 1, creates())
    scenario(create_errors=[["drop", None], ["drop", None]])
    expect_error("connection dropped after the create was sent", EXECUTION_ERROR,
                 "could not create the prediction")
    check("connection dropped after the create was sent: sent once", len(creates()) == 1,
          creates())
    scenario(create_errors=[["empty", None]])
    expect_error("empty answer to the create", EXECUTION_ERROR, "the response is empty")
    scenario(poll_errors=[["empty", None], ["empty", None]], duration=1.0)
    image, layer = make_image()
    image.select_rectangle(Gimp.ChannelOps.REPLACE, 10, 10, 50, 50)
    status, message = run_fill(image, layer)
    check("empty answers to polls: the fill succeeds", status == SUCCESS, message)
    image.delete()


def run_script_fu(image, layer, steps=50, guidance="60.0", outpaint="none", prompt="x"):
    """Calls the procedure the way a Script-Fu batch script does, so that
    values the Python config would refuse to hold reach the PDB."""
    sf = Gimp.get_pdb().lookup_procedure("plug-in-script-fu-eval")
    cfg = sf.create_config()
    cfg.set_property("run-mode", Gimp.RunMode.NONINTERACTIVE)
    cfg.set_property("script", f'(plug-in-flux-fill RUN-NONINTERACTIVE {image.get_id()} '
                     f'(vector {layer.get_id()}) "{prompt}" {steps} {guidance} "{outpaint}" '
                     f'"jpg" 2 FALSE -1)')
    result = sf.run(cfg)
    return result.index(0), (result.index(1) if result.length() > 1 else "") or ""


def kill_plugin_after(seconds):
    """SIGKILL the running plug-in, as GIMP does when the user cancels its
    progress; its cancel watchman must stay alive.

    Only our own GIMP's plug-in: other GIMPs (a test run beside this one,
    the user's own) have theirs.  This script runs in the python-fu-eval
    plug-in, which GIMP spawns itself (g_spawn_async of the interpreter, no
    shell between), as it spawns flux-fill: our parent is the GIMP that
    runs flux-fill, and the watchman's parent is the plug-in, not GIMP."""
    gimp = os.getppid()

    def kill():
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                argv = open(f"/proc/{pid}/cmdline", "rb").read().split(b"\0")
                with open(f"/proc/{pid}/status") as f:
                    ppid = next((int(line.split()[1]) for line in f
                                 if line.startswith("PPid:")), None)
            except OSError:
                continue
            if ppid == gimp and argv[0].endswith(b"plug-ins/flux-fill/flux-fill") and \
                    b"--flux-fill-cancel-watch" not in argv:
                os.kill(int(pid), signal.SIGKILL)
    timer = threading.Timer(seconds, kill)
    timer.start()
    return timer


def killed(name, kill_after, **fields):
    """GIMP kills the plug-in (its progress was cancelled): the watchman
    cancels the prediction on the service, the image is unchanged."""
    scenario(**fields)
    image, layer = make_image()
    image.select_rectangle(Gimp.ChannelOps.REPLACE, 10, 10, 50, 50)
    before = snapshot(image)
    kill_plugin_after(kill_after).join(0)
    status, message = run_fill(image, layer)
    check(f"{name}: the call fails", status != SUCCESS, status)
    deadline, cancels = time.monotonic() + 5, []
    while not cancels and time.monotonic() < deadline:
        cancels = [r for r in standin("/_standin/requests")
                   if r["path"].endswith("/cancel") and r["auth"] == "valid"]
        time.sleep(0.1)
    check(f"{name}: the watchman canceled the prediction",
          len(cancels) == 1 and cancels[0]["path"].startswith("/replicate/v1/"), cancels)
    check(f"{name}: the image is unchanged", state(image) == before)
    image.delete()


def case_killed_plugin():
    killed("killed mid-prediction", 2.0, duration=30, max_wait=0.5)
    # While the service would still hold a create with Prefer: wait: the
    # create is not held, so the watchman knows the id already.
    killed("killed during the create", 1.5, duration=30, max_wait=30)


def case_extreme_offsets():
    """Layer offsets near the ends of an int: refused, nothing changes."""
    for name, offsets in [("far right", (2**31 - 100, 0)), ("far down", (0, 2**31 - 100)),
                          ("far left", (-2**31 + 1, 0))]:
        scenario()

        def setup(image, offsets=offsets):
            far = image.get_layers()[0]
            # Something on the canvas, so the composite can be compared.
            below = Gimp.Layer.new(image, "below", 64, 64, Gimp.ImageType.RGB_IMAGE, 100,
                                   Gimp.LayerMode.NORMAL)
            image.insert_layer(below, None, 1)
            far.set_offsets(*offsets)
            image.select_rectangle(Gimp.ChannelOps.REPLACE, 10, 10, 50, 50)
        for mode in ("none", "left"):
            # Sample-merged (the default) fills from the canvas, wherever the layer is.
            expect_error(f"layer offset {name}, outpaint {mode}", EXECUTION_ERROR,
                         "The active layer lies outside the canvas", setup=setup, outpaint=mode,
                         sample_merged=False)
    check("extreme offsets: no request was sent", creates() == [])


def case_insert_fault():
    """GIMP refusing the layer (FLUX_FILL_FAULT=insert) after the result
    arrived: the canvas, layers and undo history stay as they were."""
    for mode in ("none", "zoom-out-2x", "left"):
        scenario()
        expect_error(f"insert refused, outpaint {mode}", EXECUTION_ERROR,
                     "GIMP could not add the result layer", outpaint=mode)


def case_bad_arguments():
    """Batch callers' mistakes: refused before any request, argument named.
    GIMP checks ranges and choices against the declared arguments before
    the plug-in starts; what passes them (a huge prompt) the plug-in refuses."""
    scenario()
    for name, args, needle in [
            ("steps 0", dict(steps=0), "value 0 out of range: 15 to 50"),
            ("guidance 1000", dict(guidance="1000.0"), "has value 1000.000000 out of range"),
            ("unknown outpaint", dict(outpaint="sideways"), "Invalid value for argument"),
    ]:
        image, layer = make_image()
        image.select_rectangle(Gimp.ChannelOps.REPLACE, 10, 10, 50, 50)
        before = snapshot(image)
        status, message = run_script_fu(image, layer, **args)
        check(f"{name}: refused, saying why", status != SUCCESS and needle in message,
              f"{status.value_nick}: {message[:300]}")
        check(f"{name}: the image is unchanged", state(image) == before)
        image.delete()
    check("bad arguments: no request was sent", creates() == [])

    image, layer = make_image()
    image.select_rectangle(Gimp.ChannelOps.REPLACE, 10, 10, 50, 50)
    status, message = run_fill(image, layer, prompt="a" * 100 * 1024)
    check("prompt of 100 kB from Python: calling error naming the argument",
          status == CALLING_ERROR and message.startswith("Invalid argument prompt:"), message)
    image.delete()

    image, layer = make_image(base=Gimp.ImageBaseType.RGB)
    image.convert_indexed(Gimp.ConvertDitherType.NONE, Gimp.ConvertPaletteType.GENERATE,
                          16, False, False, "")
    image.select_rectangle(Gimp.ChannelOps.REPLACE, 10, 10, 50, 50)
    status, message = run_fill(image, image.get_layers()[0])
    check("indexed image: refused with a way out",
          status == CALLING_ERROR and "Image → Mode → RGB" in message, message)
    image.delete()


def case_large_upload():
    """A crop over 256 kB: through the Files API on Replicate's layout, as a
    data URI with an aggregator's base URL (not known to proxy it)."""
    scenario()
    image, layer = make_image(noise=True)
    image.select_rectangle(Gimp.ChannelOps.REPLACE, 100, 100, 200, 150)
    status, message = run_fill(image, layer)
    group = os.environ["FLUX_FILL_GROUP"]
    check(f"large upload: the fill succeeds", status == SUCCESS, message)
    uploads = [r for r in standin("/_standin/requests") if r["path"].endswith("/v1/files")]
    made = creates()
    source = made[0].get("image_source") if made else None
    if group == "direct":
        check("large upload: sent once, through the Files API",
              len(uploads) == 1 and uploads[0]["auth"] == "valid" and source == "files-api",
              (uploads, source))
    else:
        check("large upload: no Files API behind an aggregator, a data URI instead",
              uploads == [] and source == "data:image/png"
              and made[0].get("body_bytes", 0) > 256 * 1024, (uploads, source))
    image.delete()


def case_missing_token():
    scenario()
    expect_error("missing token", EXECUTION_ERROR, "REPLICATE_API_TOKEN")
    check("missing token: no request was sent", creates() == [])


def case_keyring_fill():
    """The token the group's keyring holds (keyring), or the variable's over
    a wrong one there (keyring-env-wins), authorises the fill."""
    source = {"keyring": "the keyring's token",
              "keyring-env-wins": "REPLICATE_API_TOKEN over the keyring's"}[os.environ["FLUX_FILL_GROUP"]]
    scenario()
    image, layer = make_image()
    image.select_rectangle(Gimp.ChannelOps.REPLACE, 100, 100, 120, 90)
    status, message = run_fill(image, layer)
    check(f"fill with {source}: succeeds", status == SUCCESS, message)
    reqs = creates()
    check(f"fill with {source}: the service got the right token",
          len(reqs) == 1 and reqs[0]["auth"] == "valid", [r["auth"] for r in reqs])
    image.delete()


def case_keyring_watchman():
    """The cancel watchman is armed with the keyring's token too."""
    killed("killed mid-prediction, keyring's token", 2.0, duration=30, max_wait=0.5)


def case_no_keyring():
    """No variable, no session bus: the message names both ways that work."""
    scenario()
    base = os.environ["REPLICATE_BASE_URL"]
    message = expect_error("no keyring", EXECUTION_ERROR, "REPLICATE_API_TOKEN")
    check("no keyring: the message says there is no keyring",
          "no keyring (Secret Service)" in message, message)
    check("no keyring: the message gives the secret-tool command for this base URL",
          "secret-tool store --label='FLUX Fill token' application flux-fill base-url "
          + base in message, message)
    check("no keyring: no request was sent", creates() == [])


def expect_translated(language, no_selection, refused):
    """The catalogs beside the plug-in are found and used: for the
    glue's messages and for the core's, whose quote of the service stays
    in the service's words."""
    scenario()
    expect_error(f"in {language}", EXECUTION_ERROR, no_selection,
                 setup=lambda image: Gimp.Selection.none(image))
    scenario(token="r8_some_other_token")
    message = expect_error(f"in {language}, from the core", EXECUTION_ERROR, refused)
    check(f"in {language}, from the core: the service's words kept",
          message.endswith("Invalid token."), message)


class RogueService:
    """A second service on loopback, as a downloaded XCF's record may name:
    it records every request (and its Authorization header) and refuses it."""

    def __init__(self):
        import http.server
        rogue = self
        self.requests = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def answer(self):
                rogue.requests.append((self.command, self.path,
                                       self.headers.get("Authorization", "")))
                self.send_response(401)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"detail": "thanks"}')

            do_GET = do_POST = do_PUT = do_DELETE = answer

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def set_record_service(item, url):
    rec = record_of(item)
    rec["service"] = url
    item.attach_parasite(Gimp.Parasite.new("flux-fill-record", Gimp.PARASITE_PERSISTENT,
                                           list(json.dumps(rec).encode())))


def debug_lines():
    path = os.environ.get("FLUX_FILL_DEBUG", "")
    return open(path).read().splitlines() if path and os.path.exists(path) else []


def case_record_never_steers():
    """A record names where a fill was made, and chooses nothing: an XCF
    whose record names another service (with REPLICATE_API_TOKEN set)
    fills again, by FLUX Fill Again and by Ctrl+F, at the service the
    dialogs share; the other sees no request.  The progress says how many
    predictions, where, and what they cost, before any is sent."""
    import tempfile
    configured = STANDIN + "/replicate"
    Gimp.attach_parasite(Gimp.Parasite.new("flux-fill-service", Gimp.PARASITE_PERSISTENT,
                                           list(f"other\n{configured}\n0.07".encode())))
    rogue = RogueService()
    try:
        scenario(duration=0.2)
        image, layer = make_image()
        image.select_ellipse(Gimp.ChannelOps.REPLACE, 200, 150, 180, 120)
        status, message = run_fill(image, layer, prompt="a small pond", variations=3)
        if not check("trust: a fill at the configured service (no REPLICATE_BASE_URL)",
                     status == SUCCESS and len(creates()) == 3, (message, len(creates()))):
            return
        group = image.get_layers()[0]
        check("trust: the record names the service it was made at",
              record_of(group.get_children()[0]).get("service") == configured,
              record_of(group.get_children()[0]))
        for item in [group] + list(group.get_children()):
            set_record_service(item, rogue.url)
        path = os.path.join(tempfile.mkdtemp(dir=os.environ["FLUX_FILL_WORKDIR"]), "rogue.xcf")
        Gimp.file_save(Gimp.RunMode.NONINTERACTIVE, image, Gio.File.new_for_path(path), None)
        image.delete()
        image = Gimp.file_load(Gimp.RunMode.NONINTERACTIVE, Gio.File.new_for_path(path))
        group = image.get_layers()[0]
        Gimp.Selection.none(image)

        scenario(duration=0.2)
        seen = len(debug_lines())
        status, message = run_again(image, group)
        check("trust: Fill Again of a record naming another service fills at the configured one",
              status == SUCCESS and len(creates()) == 3, (message, len(creates())))
        progress = [l for l in debug_lines()[seen:] if "progress: " in l]
        port = STANDIN.rsplit(":", 1)[1]
        check("trust: Fill Again's progress names 3 predictions, the service and the cost "
              "before sending",
              any("3 more variations" in l and f"127.0.0.1:{port}" in l and "$0.21" in l
                  for l in progress), progress)

        scenario(duration=0.2)
        top = group.get_children()[0]
        proc = Gimp.get_pdb().lookup_procedure(PROC)
        config = proc.create_config()
        config.set_property("run-mode", Gimp.RunMode.WITH_LAST_VALS)
        config.set_property("image", image)
        config.set_core_object_array("drawables", [top.get_mask()])
        result = proc.run(config)
        check("trust: Ctrl+F on a result whose record names another service fills at the "
              "configured one",
              result.index(0) == SUCCESS and len(creates()) == 1,
              (result.index(1) if result.length() > 1 else "", len(creates())))
        check("trust: the service a record names sees no request at all",
              rogue.requests == [], rogue.requests)
        image.delete()
    finally:
        rogue.close()
        Gimp.detach_parasite("flux-fill-service")


def bfl(path, body=None):
    url = os.environ["FLUX_FILL_BFL_STANDIN_URL"] + path
    req = urllib.request.Request(url, method="POST" if body is not None else "GET",
                                 data=json.dumps(body).encode() if body is not None else None)
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read())


def bfl_scenario(**fields):
    bfl("/_standin/reset", {})
    bfl("/_standin/scenario", dict({"duration": 0.2}, **fields))


def bfl_submits(endpoint=None):
    return [r for r in bfl("/_standin/requests")
            if r["method"] == "POST" and (endpoint is None or r.get("endpoint") == endpoint)]


def case_bfl():
    """FLUX Fill, three variations and Expand at Black Forest Labs'
    stand-in, chosen by FLUX_FILL_PROVIDER, FLUX_FILL_BASE_URL and
    BFL_API_KEY (REPLICATE_API_TOKEN stays set and is never sent); a
    moderated result and a 402 each say what to do and change nothing."""
    bfl_scenario()
    scenario()
    image, layer = make_image()
    image.select_ellipse(Gimp.ChannelOps.REPLACE, 200, 150, 180, 120)
    status, message = run_fill(image, layer, prompt="a small pond")
    if not check("bfl: a fill at Black Forest Labs succeeds", status == SUCCESS, message):
        image.delete()
        return
    subs = bfl_submits("fill")
    check("bfl: one submit, the key as x-key, never a bearer token; Replicate saw nothing",
          len(subs) == 1 and subs[0]["key"] == "valid" and not subs[0]["authorization"]
          and subs[0]["image_form"] == "base64" and creates() == [],
          (subs, creates()))
    downloads = [r for r in bfl("/_standin/requests") if r["server"] == "delivery"]
    check("bfl: the sample was fetched without the key",
          len(downloads) == 1 and downloads[0]["key"] == "missing"
          and not downloads[0]["authorization"] and downloads[0]["status"] == 200, downloads)
    result = image.get_layers()[0]
    rec = record_of(result) or {}
    check("bfl: the result is masked and records the provider, model and cost",
          result.get_mask() is not None and rec.get("provider") == "bfl"
          and rec.get("model") == "flux-fill-pro" and rec.get("cost") == 5, rec)
    data, w = composite(image)[:2]
    i = (210 * w + 290) * 4
    px = tuple(data[i:i + 3])
    check("bfl: the fill landed in the selection", px[0] > 200 and px[1] < 80 and px[2] > 200, px)
    image.delete()

    bfl_scenario()
    image, layer = make_image()
    image.select_ellipse(Gimp.ChannelOps.REPLACE, 200, 150, 180, 120)
    status, message = run_fill(image, layer, prompt="a small pond", variations=3)
    top = image.get_layers()[0]
    check("bfl: three variations make a group of three",
          status == SUCCESS and top.is_group() and len(top.get_children()) == 3
          and len(bfl_submits("fill")) == 3, (message, layer_names(image)))
    image.delete()

    bfl_scenario()
    image, layer = make_image()
    status, message = run_expand(image, layer, mode="left", prompt="")
    subs = bfl_submits("expand")
    check("bfl: Expand goes to the expand endpoint and grows the canvas to the left",
          status == SUCCESS and len(subs) == 1 and subs[0]["body"].get("left") == 320
          and subs[0]["body"].get("right") == 0 and image.get_width() > 640
          and image.get_height() == 480,
          (message, subs and subs[0].get("body"), image.get_width(), image.get_height()))
    image.delete()

    for name, fields, words in [
            ("a moderated result", {"outcome": "Content Moderated"}, "moderation"),
            ("no credits (402)", {"credits": 1}, "no credits left")]:
        bfl_scenario(**fields)
        image, layer = make_image()
        image.select_ellipse(Gimp.ChannelOps.REPLACE, 200, 150, 180, 120)
        before = snapshot(image)
        status, message = run_fill(image, layer, prompt="a small pond")
        check(f"bfl: {name} says what to do and names the host",
              status == EXECUTION_ERROR and words in message and "127.0.0.1:" in message,
              message)
        check(f"bfl: {name} changes nothing", state(image) == before)
        image.delete()


# ------------------------------------------------------------- FLUX Edit

EDIT = "plug-in-flux-edit"
INSTRUCTION = "make it red linen"
FEATHER = 8
# The layer mask is 0 farther than 2 × feather from the selection along
# the axes (a square dilation, then a box blur): 2√2 × feather diagonally.
FEATHER_REACH = 23


def run_edit(image, drawable, mode=Gimp.RunMode.NONINTERACTIVE, **args):
    return run_procedure(EDIT, image, drawable, mode,
                         **dict({"prompt": INSTRUCTION, "feather": FEATHER}, **args))


class EditService:
    """One stand-in as the edit cases see it: its scenario reset, every
    request that could start a prediction, and the edits it was sent, as
    {"model": "kontext" | "flux2", "images", "sizes", "input"}."""

    def __init__(self, name, reset, posts, edits):
        self.name, self.reset, self.posts, self.edits = name, reset, posts, edits


REPLICATE_EDITS = EditService(
    "replicate", lambda: scenario(), lambda: creates(),
    lambda: [{"model": r.get("model"), "images": r.get("images"), "sizes": r.get("image_sizes"),
              "input": r.get("input", {}), "status": r.get("status")}
             for r in creates() if r.get("model")])
BFL_EDITS = EditService(
    "bfl", lambda: (bfl_scenario(), scenario()), lambda: bfl_submits() + creates(),
    lambda: [{"model": r.get("endpoint"), "images": r.get("images"),
              "sizes": r.get("image_sizes"), "input": r.get("body", {}), "status": r.get("status")}
             for r in bfl_submits() if r.get("endpoint") in ("kontext", "flux2")])


def grown_selection(image, steps):
    """The selection grown by @steps pixels, read; the selection is put back."""
    saved = Gimp.Selection.save(image)
    Gimp.Selection.grow(image, steps)
    grown = bytes(selection_values(image))
    image.select_item(Gimp.ChannelOps.REPLACE, saved)
    image.remove_channel(saved)
    return grown


def changed_inside(before, after, sel):
    """(fully selected pixels, how many of them changed)."""
    data_b, w, h, bpp = before
    data_a = after[0]
    inside = [i for i in range(w * h) if sel[i] == 255]
    return len(inside), sum(1 for i in inside
                            if data_b[i * bpp:(i + 1) * bpp] != data_a[i * bpp:(i + 1) * bpp])


def reference_image(name="logo", width=300, height=200):
    """A second open image holding the reference layer @name."""
    image, layer = make_image(width, height)
    layer.set_name(name)
    return image, layer


def close_to(a, b, tolerance=0.03):
    return abs(a - b) <= tolerance * b


def edit_selection(svc):
    """An edit of an ellipse: a new masked layer over a crop of the
    picture's shape; nothing farther than the feather changes, inside
    everything does (the stand-in's edit pulls every pixel toward
    magenta; no colour match pulls it back); one Kontext request with one
    image, at about 1 MP."""
    svc.reset()
    image, layer = make_image()
    image.select_ellipse(Gimp.ChannelOps.REPLACE, 200, 150, 180, 120)
    sel = bytes(selection_values(image))
    grown = grown_selection(image, FEATHER_REACH)
    before = composite(image)
    image.clean_all()
    status, message = run_edit(image, layer, seed=42)
    tag = f"edit {svc.name}"
    if not check(f"{tag}: an edit of a selection succeeds", status == SUCCESS, message):
        image.delete()
        return
    after = composite(image)
    top = image.get_layers()
    result = top[0]
    check(f"{tag}: one new layer above, named after the instruction, with a mask",
          len(top) == 2 and top[1] == layer and not result.is_group()
          and result.get_name() == INSTRUCTION and result.get_mask() is not None,
          layer_names(image))
    check(f"{tag}: nothing farther than the feather from the selection changed",
          outside_equal(before, after, grown) == 0, outside_equal(before, after, grown))
    inside, changed = changed_inside(before, after, sel)
    check(f"{tag}: inside the selection the picture changed",
          inside > 10000 and changed >= 0.99 * inside, (inside, changed))
    edits = svc.edits()
    sent = edits[0] if edits else {}
    w, h = result.get_width(), result.get_height()
    size = (sent.get("sizes") or [[1, 1]])[0]
    check(f"{tag}: one Kontext request, one image, of the crop's shape at about 1 MP",
          len(edits) == 1 and len(svc.posts()) == 1 and sent["model"] == "kontext"
          and sent["images"] == 1 and close_to(size[0] / size[1], w / h)
          and close_to(size[0] * size[1], 1024 * 1024, 0.05),
          (edits, w, h))
    inp = sent.get("input", {})
    check(f"{tag}: the instruction and seed went, no fill parameters",
          inp.get("prompt") == INSTRUCTION and inp.get("seed") == 42
          and "steps" not in inp and "guidance" not in inp, inp)
    rec = record_of(result) or {}
    check(f"{tag}: the record says an edit of a selection with Kontext",
          rec.get("kind") == "edit" and rec.get("model") == "flux-kontext-pro"
          and rec.get("whole") is False and rec.get("reference-name") == ""
          and rec.get("prompt") == INSTRUCTION and rec.get("provider") == svc.name, rec)
    check(f"{tag}: the selection is as it was", bytes(selection_values(image)) == sel)
    check(f"{tag}: on the undo history", image.is_dirty())
    image.delete()


def edit_whole(svc):
    """Nothing selected: the whole picture, a layer the canvas's size
    with no mask; too wide a picture, or selection, is refused with
    nothing sent."""
    svc.reset()
    image, layer = make_image()
    status, message = run_edit(image, layer, model="flux-2-pro")
    tag = f"edit {svc.name}"
    result = image.get_layers()[0]
    check(f"{tag}: an edit with no selection covers the canvas, with no mask",
          status == SUCCESS and result != layer and result.get_offsets()[1:] == (0, 0)
          and (result.get_width(), result.get_height()) == (640, 480)
          and result.get_mask() is None, (message, layer_names(image)))
    edits = svc.edits()
    check(f"{tag}: the whole picture went to FLUX.2 at its own shape",
          len(edits) == 1 and edits[0]["model"] == "flux2" and edits[0]["images"] == 1
          and close_to(edits[0]["sizes"][0][0] / edits[0]["sizes"][0][1], 640 / 480), edits)
    check(f"{tag}: the record says the whole picture",
          (record_of(result) or {}).get("whole") is True, record_of(result))
    check(f"{tag}: nothing is selected after it", Gimp.Selection.is_empty(image))
    svc.reset()
    status, message = run_edit(image, result, Gimp.RunMode.WITH_LAST_VALS)
    top = image.get_layers()
    kids = top[0].get_children() if top[0].is_group() else []
    edits = svc.edits()
    check(f"{tag}: Ctrl+F on it edits the whole picture again, beside it in a group",
          status == SUCCESS and len(top) == 2 and len(kids) == 2 and kids[1] == result
          and all(k.get_mask() is None and (k.get_width(), k.get_height()) == (640, 480)
                  for k in kids)
          and len(edits) == 1 and edits[0]["model"] == "flux2",
          (message, layer_names(image), edits))
    image.delete()

    for name, setup, words in [
            ("a picture too wide to edit whole", None, "too long and narrow to edit whole"),
            ("a selection too wide to edit",
             lambda image: image.select_rectangle(Gimp.ChannelOps.REPLACE, 50, 90, 900, 20),
             "Select a less wide area")]:
        svc.reset()
        image, layer = make_image(1000, 200)
        if setup:
            setup(image)
        before = snapshot(image)
        status, message = run_edit(image, layer)
        check(f"{tag}: {name} is refused, saying why",
              status in (CALLING_ERROR, EXECUTION_ERROR) and words in message, message)
        check(f"{tag}: {name}: nothing sent, the image unchanged",
              svc.posts() == [] and state(image) == before, svc.posts())
        image.delete()


def expect_edit_refused(svc, name, words, **args):
    """An edit refused before anything is sent, the image unchanged."""
    svc.reset()
    image, layer = make_image()
    image.select_ellipse(Gimp.ChannelOps.REPLACE, 200, 150, 180, 120)
    before = snapshot(image)
    status, message = run_edit(image, layer, **args)
    tag = f"edit {svc.name}: {name}"
    check(f"{tag}: refused as an invalid argument",
          status == CALLING_ERROR and message.startswith("Invalid argument"), message)
    check(f"{tag}: the message says why", all(w in message for w in words), message)
    check(f"{tag}: nothing sent, the image unchanged",
          svc.posts() == [] and state(image) == before, svc.posts())
    image.delete()


def progress_lines(seen):
    return [l for l in debug_lines()[seen:] if "progress: " in l]


def edit_reference(svc):
    """FLUX.2 with a layer of another open image as its reference sends
    two images, the reference at its size (under 1 MP); Kontext with a
    reference, or a safety tolerance past its 2, is refused first."""
    svc.reset()
    ref_image, logo = reference_image()
    image, layer = make_image()
    image.select_ellipse(Gimp.ChannelOps.REPLACE, 200, 150, 180, 120)
    seen = len(debug_lines())
    status, message = run_edit(image, layer, model="flux-2-pro", reference=logo)
    tag = f"edit {svc.name}"
    check(f"{tag}: FLUX.2 with a reference layer succeeds", status == SUCCESS, message)
    edits = svc.edits()
    check(f"{tag}: FLUX.2 was sent two images, the reference second at its own size",
          len(edits) == 1 and edits[0]["model"] == "flux2" and edits[0]["images"] == 2
          and edits[0]["sizes"][1] == [300, 200], edits)
    rec = record_of(image.get_layers()[0]) or {}
    check(f"{tag}: the record names FLUX.2 and the reference layer",
          rec.get("kind") == "edit" and rec.get("model") == "flux-2-pro"
          and rec.get("reference-name") == "logo", rec)
    if svc is REPLICATE_EDITS and edits:
        # FLUX.2 bills $0.03 the first output MP, $0.015 each further MP in
        # and out (model.c's arithmetic, so the rounding is the same).
        (w, h), (rw, rh) = edits[0]["sizes"]
        mp = 1024 * 1024
        cost = 0.03 + 0.015 * 0.03 / 0.03 * (max(math.ceil(w * h / mp) - 1, 0)
                                             + math.ceil((w * h + rw * rh) / mp))
        port = STANDIN.rsplit(":", 1)[1]
        # Cents, or tenths of a cent where there are some (flux-fill-service.c).
        shown = f"{cost:.3f}" if abs(cost * 100 - round(cost * 100)) > 1e-6 else f"{cost:.2f}"
        want = f"Editing 1 image with FLUX.2 [pro] at 127.0.0.1:{port} · about ${shown}"
        lines = progress_lines(seen)
        check(f"{tag}: the progress names the count, service, model and cost before sending",
              any(want in l for l in lines), (want, lines))
    image.delete()
    ref_image.delete()

    ref_image, logo = reference_image()
    expect_edit_refused(svc, "Kontext with a reference", ["reference", "FLUX.1 Kontext [pro]"],
                        reference=logo)
    ref_image.delete()
    expect_edit_refused(svc, "Kontext with safety tolerance 3",
                        ["safety-tolerance", "FLUX.1 Kontext [pro] takes 0 to 2"],
                        safety_tolerance=3)


def case_edit_bad_arguments():
    """No instruction, or one past 4000 bytes: refused, nothing sent."""
    expect_edit_refused(REPLICATE_EDITS, "no instruction", ["needs an instruction"], prompt="  ")
    expect_edit_refused(REPLICATE_EDITS, "an instruction past 4000 bytes", ["prompt"],
                        prompt="x" * 4001)


def case_edit_variations():
    """Three variations of an edit: one group, Keep This Variation keeps one."""
    svc = REPLICATE_EDITS
    svc.reset()
    image, layer = make_image()
    image.select_ellipse(Gimp.ChannelOps.REPLACE, 200, 150, 180, 120)
    seen = len(debug_lines())
    status, message = run_edit(image, layer, variations=3, seed=300)
    top = image.get_layers()
    kids = top[0].get_children() if top[0].is_group() else []
    check("edit: three variations make a group named after the instruction",
          status == SUCCESS and len(top) == 2 and top[0].get_name() == INSTRUCTION
          and [k.get_name() for k in kids] == [f"#{i} · seed {300 + i - 1} · {INSTRUCTION}"
                                               for i in (1, 2, 3)]
          and [k.get_visible() for k in kids] == [True, False, False]
          and all(k.get_mask() for k in kids), (message, [k.get_name() for k in kids]))
    check("edit: three Kontext requests, each with its own seed",
          sorted(e["input"].get("seed") for e in svc.edits()) == [300, 301, 302], svc.edits())
    port = STANDIN.rsplit(":", 1)[1]
    lines = progress_lines(seen)
    check("edit: the progress says 3 images, the service, Kontext and $0.12",
          any(f"Editing 3 images with FLUX.1 Kontext [pro] at 127.0.0.1:{port} · about $0.12"
              in l for l in lines), lines)
    if len(kids) == 3:
        status, message = run_keep(image, kids[1])
        top = image.get_layers()
        check("edit: Keep This Variation keeps the second in the group's place",
              status == SUCCESS and len(top) == 2 and top[0] == kids[1]
              and kids[1].get_parent() is None and kids[1].get_visible()
              and (record_of(kids[1]) or {}).get("kind") == "edit",
              (message, layer_names(image)))
    image.delete()

    # One fails: the others are kept.
    scenario(fail_seeds=[401])
    image, layer = make_image()
    image.select_ellipse(Gimp.ChannelOps.REPLACE, 200, 150, 180, 120)
    status, message = run_edit(image, layer, variations=3, seed=400)
    top = image.get_layers()
    kids = top[0].get_children() if top[0].is_group() else []
    check("edit: one of three variations failing keeps the two others",
          status == SUCCESS and [k.get_name().split(" · ")[1] for k in kids]
          == ["seed 400", "seed 402"], (message, [k.get_name() for k in kids]))
    image.delete()


def edit_again(svc):
    """An edit made again: Ctrl+F (last values, the result's mask active)
    and FLUX Fill Again send the recorded instruction to the recorded
    model with the reference, new seeds, into the same group; the XCF
    keeps the records; with the reference's image closed it says so and
    sends nothing."""
    import tempfile
    tag = f"edit {svc.name}"
    svc.reset()
    # A name of its own: no other image may hold it when it is gone.
    ref_name = f"logo of {svc.name}"
    ref_image, logo = reference_image(ref_name)
    image, layer = make_image()
    image.select_ellipse(Gimp.ChannelOps.REPLACE, 200, 150, 180, 120)
    status, message = run_edit(image, layer, model="flux-2-pro", reference=logo, seed=10,
                               prompt="put the logo on the mug")
    if not check(f"{tag}: again: the first edit succeeds", status == SUCCESS, message):
        image.delete()
        ref_image.delete()
        return
    first = image.get_layers()[0]
    Gimp.Selection.none(image)

    def redone(name, edits, count):
        inputs = [e["input"] for e in edits]
        return check(f"{tag}: again: {name} sends the instruction to FLUX.2 with the "
                     "reference and a new seed",
                     len(edits) == count and all(e["model"] == "flux2" and e["images"] == 2
                                                 for e in edits)
                     and all(i.get("prompt") == "put the logo on the mug"
                             and i.get("seed") != 10 for i in inputs), edits)

    svc.reset()
    status, message = run_edit(image, first.get_mask(), Gimp.RunMode.WITH_LAST_VALS)
    check(f"{tag}: again: Ctrl+F on the edit's mask succeeds", status == SUCCESS, message)
    redone("Ctrl+F", svc.edits(), 1)
    group = image.get_layers()[0]
    kids = group.get_children() if group.is_group() else []
    check(f"{tag}: again: the two go into one group, the new one on top",
          len(image.get_layers()) == 2 and [k.get_name().split(" · ")[0] for k in kids]
          == ["#2", "#1"], layer_names(image))

    svc.reset()
    status, message = run_again(image, group)
    check(f"{tag}: again: FLUX Fill Again on the group succeeds", status == SUCCESS, message)
    redone("Fill Again", svc.edits(), 1)
    kids = group.get_children()
    check(f"{tag}: again: three in the group now", len(kids) == 3, [k.get_name() for k in kids])

    path = os.path.join(tempfile.mkdtemp(dir=os.environ["FLUX_FILL_WORKDIR"]), "edit.xcf")
    Gimp.file_save(Gimp.RunMode.NONINTERACTIVE, image, Gio.File.new_for_path(path), None)
    image.delete()
    image = Gimp.file_load(Gimp.RunMode.NONINTERACTIVE, Gio.File.new_for_path(path))
    group = image.get_layers()[0]
    recs = [record_of(group)] + [record_of(k) for k in group.get_children()]
    check(f"{tag}: again: the XCF keeps the records (kind, model, reference)",
          all(r and r.get("kind") == "edit" and r.get("model") == "flux-2-pro"
              and r.get("reference-name") == ref_name for r in recs), recs)

    ref_image.delete()
    svc.reset()
    before = snapshot(image)
    status, message = run_again(image, group)
    check(f"{tag}: again: with the reference's image closed, it names the layer",
          status == EXECUTION_ERROR and f"“{ref_name}”" in message, message)
    check(f"{tag}: again: with the reference gone, nothing sent, the image unchanged",
          svc.posts() == [] and state(image) == before, svc.posts())
    image.delete()


def case_edit_fill_on_result():
    """FLUX Fill with an edit's result active is a fill of the picture it
    was made from, beside the edit's layers, never into their group."""
    svc = REPLICATE_EDITS
    svc.reset()
    image, layer = make_image()
    image.select_ellipse(Gimp.ChannelOps.REPLACE, 200, 150, 180, 120)
    run_edit(image, layer, variations=2)
    group = image.get_layers()[0]
    result = group.get_children()[0]
    Gimp.Selection.none(image)
    scenario()
    before = snapshot(image)
    status, message = run_fill(image, result.get_mask())
    check("edit: a fill from an edit's result with nothing selected asks for a selection",
          status == EXECUTION_ERROR and "There is no selection" in message
          and creates() == [] and state(image) == before, (message, creates()))
    image.select_ellipse(Gimp.ChannelOps.REPLACE, 200, 150, 180, 120)
    status, message = run_fill(image, result.get_mask())
    top = image.get_layers()
    rec = record_of(top[0]) or {}
    check("edit: a fill from an edit's result is a new fill above the edit's group",
          status == SUCCESS and len(top) == 3 and top[1] == group
          and len(group.get_children()) == 2 and rec.get("kind") == "fill"
          and len(creates()) == 1 and "model" not in creates()[0],
          (message, layer_names(image), rec))
    image.delete()


def case_edit_selection():
    edit_selection(REPLICATE_EDITS)


def case_edit_whole():
    edit_whole(REPLICATE_EDITS)


def case_edit_reference():
    edit_reference(REPLICATE_EDITS)


def case_edit_again():
    edit_again(REPLICATE_EDITS)


def case_bfl_edit():
    """FLUX Edit at Black Forest Labs: the same cases at its stand-in."""
    for edit_case in (edit_selection, edit_whole, edit_reference, edit_again):
        edit_case(BFL_EDITS)


def case_german():
    expect_translated("German", "Es gibt keine Auswahl.",
                      "FLUX Fill ist fehlgeschlagen: die Vorhersage konnte nicht erstellt "
                      f"werden: {HOST} antwortete mit HTTP 401 (prüfen Sie das API-Token): "
                      "Invalid token.")


def case_chinese():
    expect_translated("Chinese", "没有选区。请先选择要填充的区域",
                      f"FLUX Fill 失败：无法创建预测：{HOST} 返回了 HTTP 401（请检查 API 令牌）："
                      "Invalid token.")


def case_french():
    expect_translated("French", "Il n'y a pas de sélection.",
                      "Échec de FLUX Fill : impossible de créer la prédiction : "
                      f"{HOST} a répondu HTTP 401 (vérifiez le jeton d'API) : Invalid token.")


GROUPS = {
    "main": [case_same_area, case_expand_from_result, case_old_record, case_remove, case_expand,
             case_variations, case_fill_again, case_keep, case_help,
             case_ellipse_fill, case_seam, case_seam_scaled, case_kinds, case_errors, case_slow_prediction, case_outpaint,
             case_faults, case_killed_plugin, case_extreme_offsets,
             case_bad_arguments, case_large_upload, case_sample_merged],
    "fault": [case_insert_fault],
    "direct": [case_large_upload],
    "no-token": [case_missing_token],
    "de": [case_german],
    "zh_CN": [case_chinese],
    "fr": [case_french],
    "keyring": [case_keyring_fill, case_keyring_watchman],
    "keyring-env-wins": [case_keyring_fill],
    "no-keyring": [case_no_keyring],
    "configured": [case_record_never_steers],
    "bfl": [case_bfl, case_bfl_edit],
    "edit": [case_edit_selection, case_edit_whole, case_edit_reference, case_edit_bad_arguments,
             case_edit_variations, case_edit_again, case_edit_fill_on_result],
}

# FLUX_FILL_CASES=case_kinds,case_errors runs only those (a quick loop by hand).
only = [c for c in os.environ.get("FLUX_FILL_CASES", "").split(",") if c]
for case in GROUPS[os.environ["FLUX_FILL_GROUP"]]:
    if only and case.__name__ not in only:
        continue
    try:
        case()
    except Exception:
        check(f"{case.__name__} raised", False, traceback.format_exc().replace("\n", " | "))
RESULTS.close()
