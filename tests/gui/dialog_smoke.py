# SPDX-License-Identifier: GPL-3.0-or-later
# Runs inside GIMP's GUI (gimp-3.0 under Xvfb) through python-fu-eval, for
# tests/manual/dialog-smoke.sh: opens a picture with a selection, runs
# FLUX Fill interactively (the shell script types the prompt and presses
# Fill), then again with the last values, and writes what happened to
# $FLUX_SMOKE_RESULT.
import json
import os
import urllib.request

import gi
gi.require_version("Gimp", "3.0")
gi.require_version("Gegl", "0.4")
from gi.repository import Gegl, Gimp  # noqa: E402

out = open(os.environ["FLUX_SMOKE_RESULT"], "w")
standin = os.environ["FLUX_FILL_STANDIN_URL"]


def creates():
    with urllib.request.urlopen(standin + "/_standin/requests") as r:
        return [q for q in json.loads(r.read()) if q["path"].endswith("/predictions")]


image = Gimp.Image.new(640, 480, Gimp.ImageBaseType.RGB)
layer = Gimp.Layer.new(image, "photo", 640, 480, Gimp.ImageType.RGB_IMAGE, 100,
                       Gimp.LayerMode.NORMAL)
image.insert_layer(layer, None, 0)
pixels = bytes(v for y in range(480) for x in range(640)
               for v in ((x * 255) // 640, (y * 255) // 480, 160))
layer.get_buffer().set(Gegl.Rectangle.new(0, 0, 640, 480), "R'G'B' u8", pixels)
image.select_ellipse(Gimp.ChannelOps.REPLACE, 200, 150, 240, 160)
Gimp.Display.new(image)
Gimp.displays_flush()

proc = Gimp.get_pdb().lookup_procedure("plug-in-flux-fill")
for mode in (Gimp.RunMode.INTERACTIVE, Gimp.RunMode.WITH_LAST_VALS):
    config = proc.create_config()
    config.set_property("run-mode", mode)
    config.set_property("image", image)
    # Filters → Repeat works on what GIMP left active after the fill: the
    # new layer's mask.
    active = image.get_selected_drawables() if mode == Gimp.RunMode.WITH_LAST_VALS else [layer]
    config.set_core_object_array("drawables", active)
    before = len(creates())
    result = proc.run(config)
    status = result.index(0)
    message = result.index(1) if status != Gimp.PDBStatusType.SUCCESS and result.length() > 1 else ""
    prompts = [q.get("input", {}).get("prompt") for q in creates()[before:]]
    tree = [(l.get_name(), [k.get_name() for k in l.get_children()] if l.is_group() else None)
            for l in image.get_layers()]
    out.write(f"{mode.value_nick}: {status.value_nick} {message} prompts={prompts} "
              f"active={[type(d).__name__ for d in active]} layers={tree}\n")
    out.flush()
# The token typed into the dialog is in the keyring, under the base URL.
import subprocess  # noqa: E402
found = subprocess.run(["secret-tool", "lookup", "application", "flux-fill",
                        "base-url", os.environ["REPLICATE_BASE_URL"]],
                       capture_output=True, text=True).stdout
out.write(f"keyring: {found}\n")
out.write("done\n")
out.close()
