import sys, time, os, resource
import gi
gi.require_version("Gimp", "3.0")
gi.require_version("Gegl", "0.4")
from gi.repository import Gegl, Gimp, Gio
out = sys.stderr
def log(*a):
    print("PROBE", *a, file=out, flush=True)
log(sys.version, sys.executable, os.getpid())
try:
    import PIL; from PIL import Image; log("PIL", PIL.__version__)
except Exception as e:
    log("no PIL", e)
log("Drawable methods:", [m for m in dir(Gimp.Drawable) if "fill" in m or "filter" in m or "gradient" in m])
log("DrawableFilter", hasattr(Gimp, "DrawableFilter"))
for (w, h) in [(640, 480), (6000, 4000), (10000, 10000)]:
    t = time.monotonic()
    image = Gimp.Image.new(w, h, Gimp.ImageBaseType.RGB)
    layer = Gimp.Layer.new(image, "bg", w, h, Gimp.ImageType.RGB_IMAGE, 100, Gimp.LayerMode.NORMAL)
    image.insert_layer(layer, None, 0)
    t1 = time.monotonic()
    try:
        ok = layer.edit_gradient_fill(Gimp.GradientType.LINEAR, 0, False, 1, 0.0, True, 0, 0, w, h)
        log("gradient", ok)
    except Exception as e:
        log("gradient failed", e)
    t2 = time.monotonic()
    try:
        f = Gimp.DrawableFilter.new(layer, "gegl:noise-rgb", "")
        cfg = f.get_config()
        log([p.name for p in cfg.list_properties()])
        layer.merge_filter(f)
        log("noise ok")
    except Exception as e:
        log("noise failed", repr(e))
    t3 = time.monotonic()
    rect = Gegl.Rectangle.new(0, 0, w, h)
    data = layer.get_buffer().get(rect, 1.0, "R'G'B' u8", Gegl.AbyssPolicy.NONE)
    t4 = time.monotonic()
    log(w, h, "create %.2f grad %.2f noise %.2f read %.2f" % (t1-t, t2-t1, t3-t2, t4-t3), type(data), len(data), data[:12])
    import zlib
    t5 = time.monotonic()
    sample = bytes(data[:w*3*200])
    log("zlib3 200 rows", len(zlib.compress(sample, 3)), "of", len(sample), "%.2f"%(time.monotonic()-t5))
    image.delete()
log("maxrss", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
try:
    with open("/proc/self/clear_refs", "w") as f: f.write("5")
    log("clear_refs ok", [l for l in open("/proc/self/status") if l.startswith("VmHWM")])
except Exception as e:
    log("clear_refs failed", e)
log("images", len(Gimp.get_images()))
