# SPDX-License-Identifier: GPL-3.0-or-later
# Runs inside GIMP's GUI (gimp-3.0 under Xvfb) through python-fu-eval, for
# tests/gui/dialog-smoke.sh, which drives the windows these runs open.
# Before each run it writes "start STEP" to $FLUX_SMOKE_DIR/steps and
# after it "end STEP"; what it can judge itself goes to
# $FLUX_SMOKE_DIR/checks as TAP lines without numbers (the shell script
# writes its own there too and numbers them all).  No token is ever
# written anywhere.
import json
import os
import time
import urllib.request

import gi
gi.require_version("Gimp", "3.0")
gi.require_version("Gegl", "0.4")
from gi.repository import Gegl, Gimp  # noqa: E402

OUT = os.environ["FLUX_SMOKE_DIR"]
STANDIN = os.environ["FLUX_FILL_STANDIN_URL"]
OTHER = os.environ["FLUX_SMOKE_OTHER_URL"]
PROMPT = os.environ["FLUX_SMOKE_PROMPT"]          # what the script types first
INSTRUCTION = os.environ["FLUX_SMOKE_INSTRUCTION"]  # what it types into FLUX Edit
LANG = os.environ["LANGUAGE"]
SUCCESS = Gimp.PDBStatusType.SUCCESS
CANCEL = Gimp.PDBStatusType.CANCEL


def write(name, line):
    with open(os.path.join(OUT, name), "a") as f:
        f.write(line + "\n")


def check(name, ok, detail=""):
    write("checks", ("ok - " if ok else "not ok - ") + f"{LANG}: {name}")
    if not ok:
        for line in str(detail).splitlines() or [""]:
            write("checks", "#   " + line)
    return ok


def requests(url):
    with urllib.request.urlopen(url + "/_standin/requests") as r:
        return json.loads(r.read())


def creates(url=STANDIN):
    return [q for q in requests(url)
            if q["server"] == "api" and q["path"].endswith("/predictions")]


def tree(image):
    return [(l.get_name(), [k.get_name() for k in l.get_children()] if l.is_group() else None)
            for l in image.get_layers()]


def run(step, name, mode, image, drawables, **values):
    """Runs a procedure (its dialog is the shell script's to drive) with
    @values for its arguments, and returns (status, message, the creates
    it made)."""
    proc = Gimp.get_pdb().lookup_procedure(name)
    config = proc.create_config()
    config.set_property("run-mode", mode)
    config.set_property("image", image)
    config.set_core_object_array("drawables", drawables)
    for key, value in values.items():
        config.set_property(key.replace("_", "-"), value)
    before = len(creates())
    write("steps", f"start {step}")
    result = proc.run(config)
    status = result.index(0)
    message = result.index(1) if status != SUCCESS and result.length() > 1 else ""
    made = creates()[before:]
    write("steps", f"end {step} {status.value_nick}")
    for q in made:
        write("steps", f"  sent {json.dumps(q.get('input'))}")
    return status, message or "", made


def record_of(item):
    parasite = item.get_parasite("flux-fill-record")
    return json.loads(bytes(parasite.get_data()).decode()) if parasite else None


def set_record_service(item, url):
    rec = record_of(item)
    rec["service"] = url
    item.attach_parasite(Gimp.Parasite.new("flux-fill-record", Gimp.PARASITE_PERSISTENT,
                                           list(json.dumps(rec).encode())))


def photo(name):
    """A new 640 × 480 image of one gradient layer, shown: the image, the
    layer and the display."""
    image = Gimp.Image.new(640, 480, Gimp.ImageBaseType.RGB)
    layer = Gimp.Layer.new(image, name, 640, 480, Gimp.ImageType.RGB_IMAGE, 100,
                           Gimp.LayerMode.NORMAL)
    image.insert_layer(layer, None, 0)
    pixels = bytes(v for y in range(480) for x in range(640)
                   for v in ((x * 255) // 640, (y * 255) // 480, 160))
    layer.get_buffer().set(Gegl.Rectangle.new(0, 0, 640, 480), "R'G'B' u8", pixels)
    return image, layer, Gimp.Display.new(image)


def cancelled(step, name, image, drawables, what, **values):
    """An interactive run the script ends with Esc (or Cancel): checks
    that it was cancelled and sent nothing."""
    status, message, made = run(step, name, Gimp.RunMode.INTERACTIVE, image, drawables,
                                **values)
    return check(what, status == CANCEL and not made, (status, message, len(made)))


def from_menu(step, image, what):
    """The script opens a dialog from GIMP's own menus (the command
    search) in @image's window, and ends it with Esc: checks that nothing
    was sent.  The run is GIMP's, not ours: its end is the script's word."""
    before = len(creates())
    write("steps", f"image {step} {image.get_id()}")
    write("steps", f"start {step}")
    done = os.path.join(OUT, step + ".done")
    deadline = time.monotonic() + 300      # the script's own waits are bounded
    while not os.path.exists(done) and time.monotonic() < deadline:
        time.sleep(0.2)
    made = creates()[before:]
    write("steps", f"end {step} menu")
    return check(what, os.path.exists(done) and not made, len(made))


def kept_typed(name, text, what):
    """Checks that @text is in the values the dialog of @name keeps."""
    parasite = Gimp.get_parasite("flux-fill-typed-" + name)
    kept = bytes(parasite.get_data()).decode(errors="replace") if parasite else ""
    return check(what, f'"{text}"' in kept, kept or f"no flux-fill-typed-{name} parasite")


def edit_steps():
    """FLUX Edit's dialog with a selection and with none, Kontext given a
    reference, FLUX.2 given one: the script reads its line and answers;
    nothing is ever sent."""
    edit = "plug-in-flux-edit"
    menus = Gimp.get_pdb().lookup_procedure(edit).get_menu_paths()
    check("FLUX Edit is in the menu Filters → Generative", "<Image>/Filters/Generative" in menus,
          menus)
    # Large, so the whole picture comes back from Kontext scaled up.
    whole, logo, _ = photo("logo")
    whole.scale(2400, 1800)
    # Shown last: the image GIMP's single window shows, its menus' image.
    image, layer, _ = photo("street")
    image.select_rectangle(Gimp.ChannelOps.REPLACE, 160, 120, 200, 160)
    Gimp.displays_flush()

    from_menu("edit-selection", image, "FLUX Edit from the menu with a selection, Esc: "
              "nothing sent")
    Gimp.Display.new(whole)     # a view of its own: the window shows it now
    Gimp.displays_flush()
    kept_typed(edit, INSTRUCTION,
               "FLUX Edit keeps the instruction typed after Esc, in its own parasite")
    from_menu("edit-whole", whole, "FLUX Edit from the menu with no selection, OK with no "
              "instruction, Esc: nothing sent")
    cancelled("edit-reference", edit, image, [layer],
              "FLUX Edit, Kontext with a reference, OK: refused in the dialog, nothing sent",
              model="flux-kontext-pro", reference=logo)
    # The script switches to FLUX.2, which takes the reference, and reads the line.
    cancelled("edit-flux2", edit, image, [layer],
              "FLUX Edit, FLUX.2 with a reference, Esc: nothing sent", reference=logo)
    sent = [q["path"] for q in requests(STANDIN) if "kontext" in q["path"] or "flux-2" in q["path"]]
    check("the stand-in saw no edit request at all", sent == [], sent)


def main():
    image, layer, _ = photo("photo")
    image.select_ellipse(Gimp.ChannelOps.REPLACE, 200, 150, 240, 160)
    Gimp.displays_flush()
    fill = "plug-in-flux-fill"

    # 1. The script types the prompt and presses Esc.
    cancelled("esc", fill, image, [layer], "Esc closes the dialog and nothing is sent")
    kept_typed(fill, PROMPT,
               "what was typed (without a click: the prompt has the focus) is kept after Esc")

    # 2. Reopened: the script adds to the prompt it finds, presses Enter
    # (no token: the dialog stays), pastes the token and presses Fill.
    status, message, made = run("fill", fill, Gimp.RunMode.INTERACTIVE, image, [layer])
    prompts = [q.get("input", {}).get("prompt") for q in made]
    check("the reopened dialog shows the kept prompt: the fill sends what was typed in both",
          prompts == [PROMPT + " at dusk"], (status, message, prompts))
    check("Fill with the pasted token: success, one result layer added",
          status == SUCCESS and len(image.get_layers()) == 2
          and all(q["auth"] == "valid" for q in made), (status, message, tree(image)))

    # 3. Filters → Repeat on what GIMP left active after the fill: its mask.
    active = image.get_selected_drawables()
    status, message, made = run("repeat", fill, Gimp.RunMode.WITH_LAST_VALS, image, active)
    group = image.get_layers()[0]
    check("Filters → Repeat (last values, the result's mask active) fills again into a group "
          "of two",
          status == SUCCESS and len(made) == 1 and group.is_group()
          and len(group.get_children()) == 2,
          (status, message, [type(d).__name__ for d in active], tree(image)))

    # 4. A wrong token typed over the stored good one: the service refuses
    # it; the dialog comes back with the message; the script cancels.
    layers = tree(image)
    active = image.get_selected_drawables()
    status, message, made = run("wrong", fill, Gimp.RunMode.INTERACTIVE, image, active)
    check("a refused typed token: the fill was tried, refused, and the image is unchanged",
          status == CANCEL and made and all(q["auth"] == "invalid" for q in made)
          and tree(image) == layers, (status, message, [q["auth"] for q in made], tree(image)))

    # 5. A record naming another service: Fill Again asks first.  Cancel
    # sends nothing; Continue fills at the configured service.
    group = image.get_layers()[0]
    for item in [group] + list(group.get_children()):
        set_record_service(item, OTHER)
    again = "plug-in-flux-fill-again"
    status, message, made = run("confirm-cancel", again, Gimp.RunMode.INTERACTIVE, image, [group])
    check("Fill Again of a record naming another service, Cancel at the question: nothing sent",
          status == CANCEL and not made, (status, message, len(made)))
    status, message, made = run("confirm-continue", again, Gimp.RunMode.INTERACTIVE, image,
                                [group])
    check("Continue at the question: the fill is made at the configured service",
          status == SUCCESS and len(made) >= 1 and len(group.get_children()) == 3,
          (status, message, len(made), tree(image)))
    check("the service the record names sees no request", requests(OTHER) == [],
          requests(OTHER))
    write("checks", f"# layers: {tree(image)}")
    edit_steps()


try:
    main()
except Exception as e:      # the shell script counts the checks that never ran
    check("the GIMP side of the smoke test ran to its end", False, repr(e))
finally:
    write("steps", "done")
    Gimp.displays_flush()
