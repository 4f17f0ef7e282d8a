#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A stand-in for Replicate's predictions API, served on 127.0.0.1.

Written from Replicate's public HTTP API documentation and the
flux-fill-pro input schema (see ../../HACKING.md, "Tests"), as strict as
the real service where it matters to a client: bearer auth (401), JSON
bodies (400), input validation with problem+json details (422), Prefer:
wait, predictions that take time, fail or get canceled, rate limits (429
with Retry-After), server errors (5xx), and outputs served from another
origin that expire.

It returns a recognisable image: the input with every masked pixel
painted in the scenario's colour (magenta by default), resized the way
FLUX fill models resize (sides multiples of 32, within 1440 x 1440), so
tests can see where the fill landed and that the client scaled it back.

The edit models black-forest-labs/flux-kontext-pro and
black-forest-labs/flux-2-pro have their routes too, with their schemas'
field rules (Kontext: input_image, safety_tolerance 0-6 but at most 2 with
an input image, jpg|png; FLUX.2: input_images, 1 to 8 when the size
follows the input, safety_tolerance 1-5, webp|jpg|png; unknown fields
422). Their output is the first input resized as the model sizes it
(Kontext: about 1 MP at the input's aspect ratio; FLUX.2 with
resolution match_input_image: the input's, clamped to 0.5-4 MP and 2048
a side; sides multiples of 16), every pixel blended halfway toward the
scenario's colour.

Usage:
  replicate_standin.py [--token T]     prints "PORT <api> <files>", serves
  replicate_standin.py --self-test     TAP checks of the stand-in itself

Control endpoints for tests (no auth):
  POST /_standin/scenario   JSON; fields below, kept until the next one
  GET  /_standin/requests   what the API and file servers received
  POST /_standin/reset      forget requests and scenario
Scenario fields: duration (s), outcome ("succeeded" | "failed" | "canceled"),
error (text), color ([r, g, b]), drift ([dr, dg, db] added to every output
pixel, as FLUX re-encodes the whole image and shifts its colours), output ("file" | "list" | "empty-list" |
"none" | "gone" | "not-image" | "huge" (a PNG claiming 100000 x 100000) |
"svg" | "tiff" | "bmp" (a 16 x 16 picture in that format, served as
image/png as a hostile CDN would) | "bomb" (a valid 30 kB PNG of 16000 x
16000 black pixels) |
"reset" (the connection drops halfway through the body) | "drip" (20
bytes a second) | "endless" (bytes with no Content-Length, 101 MiB of
them unless the client hangs up first)), output_faults (how many downloads get the fault before
the file is served whole; default: all), create_errors ([[status,
retry_after|null], ...] answered before the create succeeds),
poll_errors (likewise for polls; status "truncated" sends cut JSON),
cancel_errors (likewise for POST .../cancel),
max_wait (cap on Prefer: wait, s), output_size ([w, h]: the output
stretched to that size, as a misbehaving model might return), token (the one token accepted from now
on), schema ("old": guidance 2-5, as early versions of the model), echo_auth (error details quote the
Authorization header, as careless servers do), detail (the text of queued
errors), fail_seeds (predictions with these seeds fail: one variation
of several).  Queued errors may also be "empty" (200 with no body) or "drop"
(the request is read, the connection closed without an answer).
Every logged request gets the status it was answered with ("status"); a
create's entry has a few pixels of the decoded input image ("image_samples",
[x, y, [r, g, b]] on a 4 x 4 grid); an edit's, "model", "images" (how
many came) and "image_sizes" ([[w, h], ...], the picture first).
"""

import base64
import binascii
import email.parser
import email.policy
import io
import json
import math
import re
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from PIL import Image

MODEL = "black-forest-labs/flux-fill-pro"
KONTEXT = "black-forest-labs/flux-kontext-pro"
FLUX2 = "black-forest-labs/flux-2-pro"
EDIT_MODELS = {KONTEXT: "kontext", FLUX2: "flux2"}
ASPECT_RATIOS = ["match_input_image", "1:1", "16:9", "9:16", "4:3", "3:4", "3:2", "2:3",
                 "4:5", "5:4", "21:9", "9:21", "2:1", "1:2"]
# name -> (known fields, output formats, safety_tolerance range)
EDIT_SCHEMAS = {
    "kontext": ({"prompt", "input_image", "aspect_ratio", "seed", "output_format",
                 "safety_tolerance", "prompt_upsampling"}, ["jpg", "png"], (0, 6)),
    "flux2": ({"prompt", "input_images", "aspect_ratio", "resolution", "seed", "output_format",
               "safety_tolerance", "prompt_upsampling"}, ["webp", "jpg", "png"], (1, 5)),
}
KONTEXT_MAX_SAFETY_WITH_IMAGE = 2
FLUX2_MAX_IMAGES = 8
FLUX2_RESOLUTIONS = ["match_input_image", "0.5 MP", "1 MP", "2 MP", "4 MP"]
MEGAPIXEL = 1024 * 1024
IMAGE_FIELDS = ("image", "mask", "input_image", "input_images")
OUTPAINT = ["None", "Zoom out 1.5x", "Zoom out 2x", "Make square",
            "Left outpaint", "Right outpaint", "Top outpaint", "Bottom outpaint"]
FORMATS = ["jpg", "png"]
PREFER_RE = re.compile(r"^wait(=([1-9]|[1-9][0-9]|60))?$")
DATA_URI_RE = re.compile(r"^data:(image/(png|jpeg|gif|webp));base64,(.*)$", re.S)
# Files uploaded here are served to predictions by Replicate's own URL.
FILE_URL_RE = re.compile(r"^https://api\.replicate\.com/v1/files/([A-Za-z0-9]+)$")
UPLOADS = {}    # id -> bytes, for decode_image
MAX_BODY = 64 * 1024 * 1024
DEFAULT_SCENARIO = {
    "duration": 0.3,
    "outcome": "succeeded",
    "error": "Model failed: CUDA out of memory",
    "color": [255, 0, 255],
    "drift": [6, -4, 3],
    "output": "file",
    "create_errors": [],
    "poll_errors": [],
    "cancel_errors": [],
    "max_wait": 2.0,
}
# Scenario fields without a default (see the module docstring); with those
# above, the only ones /_standin/scenario takes, so a misspelt one fails
# the test that sent it instead of being quietly ignored.
OPTIONAL_SCENARIO_KEYS = {
    "fail_seeds",
    "output_faults",
    "output_size",
    "token",
    "schema",
    "echo_auth",
    "detail",
}
KNOWN_SCENARIO_KEYS = set(DEFAULT_SCENARIO) | OPTIONAL_SCENARIO_KEYS


class ValidationError(Exception):
    pass


class State:
    def __init__(self, token):
        self.token = token
        self.lock = threading.Lock()
        self.predictions = {}
        self.files = {}
        self.requests = []
        self.scenario = dict(DEFAULT_SCENARIO)
        self.files_port = 0

    def reset(self):
        with self.lock:
            self.requests = []
            self.scenario = dict(DEFAULT_SCENARIO)


def problem(status, title, detail):
    return status, {"type": "about:blank", "title": title, "status": status,
                    "detail": detail}


def decode_image(value, name):
    """An input file: a data URI (the API also takes URLs; we refuse them
    here, as the stand-in cannot fetch anything)."""
    if not isinstance(value, str):
        raise ValidationError(f"input.{name}: Invalid type. Expected: string")
    m = DATA_URI_RE.match(value)
    f = FILE_URL_RE.match(value)
    if not m and not (f and f.group(1) in UPLOADS):
        raise ValidationError(f"input.{name}: Does not match format 'uri' "
                              "(expected a data URI of a png, jpeg, gif or webp image, "
                              "or the URL of a file uploaded to this service)")
    try:
        raw = UPLOADS[f.group(1)] if f else base64.b64decode(m.group(3), validate=True)
        img = Image.open(io.BytesIO(raw))
        img.load()
    except (binascii.Error, OSError, ValueError) as e:
        raise ValidationError(f"input.{name}: cannot identify image file ({e})")
    return img


def image_samples(img, n=4):
    """A few pixels of a decoded input image, [x, y, [r, g, b]] on an n x n
    grid (at 1/2n, 3/2n, ... of each side): what the model was shown."""
    rgb = img.convert("RGB")
    w, h = rgb.size
    return [[x, y, list(rgb.getpixel((x, y)))]
            for y in ((2 * j + 1) * h // (2 * n) for j in range(n))
            for x in ((2 * i + 1) * w // (2 * n) for i in range(n))]


def check_int(inp, name, lo, hi, errors):
    if name not in inp:
        return
    v = inp[name]
    if isinstance(v, bool) or not isinstance(v, int):
        errors.append(f"input.{name}: Invalid type. Expected: integer, given: {type(v).__name__}")
    elif v < lo:
        errors.append(f"input.{name}: Must be greater than or equal to {lo}")
    elif v > hi:
        errors.append(f"input.{name}: Must be less than or equal to {hi}")


def validate_input(inp, schema="current"):
    """Returns (image, mask or None) or raises ValidationError with the
    whole list of problems, as Replicate's 422 detail does."""
    errors = []
    known = {"prompt", "image", "mask", "steps", "guidance", "outpaint",
             "output_format", "safety_tolerance", "prompt_upsampling", "seed"}
    for key in inp:
        if key not in known:
            errors.append(f"input.{key}: Additional property is not allowed")
    if "prompt" not in inp:
        errors.append("input: prompt is required")
    elif not isinstance(inp["prompt"], str):
        errors.append("input.prompt: Invalid type. Expected: string")
    if "image" not in inp:
        errors.append("input: image is required")
    check_int(inp, "steps", 15, 50, errors)
    check_int(inp, "safety_tolerance", 1, 6, errors)
    check_int(inp, "seed", 0, 2**31 - 1, errors)
    if "guidance" in inp:
        g = inp["guidance"]
        if isinstance(g, bool) or not isinstance(g, (int, float)):
            errors.append("input.guidance: Invalid type. Expected: number")
        elif isinstance(g, float) and g.is_integer():
            # What typed gateways do with 60.0 where the schema says integer.
            errors.append("input.guidance: Invalid type. Expected: integer, given: 60.0-style float")
        elif schema == "old" and not 2 <= g <= 5:
            # Versions 9609ba73 and f92def75 of the model took 2 to 5.
            errors.append("input.guidance: Must be less than or equal to 5")
        elif not 1.5 <= g <= 100:
            errors.append("input.guidance: Must be between 1.5 and 100")
    if "outpaint" in inp and inp["outpaint"] not in OUTPAINT:
        errors.append("input.outpaint: outpaint must be one of the following: "
                      + ", ".join(f'"{o}"' for o in OUTPAINT))
    if "output_format" in inp and inp["output_format"] not in FORMATS:
        errors.append('input.output_format: output_format must be one of the following: "jpg", "png"')
    if "prompt_upsampling" in inp and not isinstance(inp["prompt_upsampling"], bool):
        errors.append("input.prompt_upsampling: Invalid type. Expected: boolean")
    image = mask = None
    try:
        if "image" in inp:
            image = decode_image(inp["image"], "image")
        if "mask" in inp:
            mask = decode_image(inp["mask"], "mask")
    except ValidationError as e:
        errors.append(str(e))
    if image is not None and mask is not None and image.size != mask.size:
        errors.append(f"input.mask: must be the same size as the image "
                      f"({mask.size[0]}x{mask.size[1]} vs {image.size[0]}x{image.size[1]})")
    if errors:
        raise ValidationError("".join(f"- {e}\n" for e in errors))
    return image, mask


def validate_edit(kind, inp):
    """The input images of an edit (the picture first), or raises
    ValidationError listing every problem, as the models' schemas do."""
    known, formats, (lo, hi) = EDIT_SCHEMAS[kind]
    errors = [f"input.{key}: Additional property is not allowed" for key in inp if key not in known]
    if "prompt" not in inp:
        errors.append("input: prompt is required")
    elif not isinstance(inp["prompt"], str):
        errors.append("input.prompt: Invalid type. Expected: string")
    check_int(inp, "safety_tolerance", lo, hi, errors)
    check_int(inp, "seed", 0, 2**31 - 1, errors)
    if "output_format" in inp and inp["output_format"] not in formats:
        errors.append("input.output_format: output_format must be one of the following: "
                      + ", ".join(f'"{f}"' for f in formats))
    if "prompt_upsampling" in inp and not isinstance(inp["prompt_upsampling"], bool):
        errors.append("input.prompt_upsampling: Invalid type. Expected: boolean")
    if "aspect_ratio" in inp and inp["aspect_ratio"] not in ASPECT_RATIOS:
        errors.append("input.aspect_ratio: aspect_ratio must be one of the following: "
                      + ", ".join(f'"{a}"' for a in ASPECT_RATIOS))
    if "resolution" in inp and inp["resolution"] not in FLUX2_RESOLUTIONS:
        errors.append("input.resolution: resolution must be one of the following: "
                      + ", ".join(f'"{r}"' for r in FLUX2_RESOLUTIONS))
    if kind == "kontext":
        sources = [("input_image", inp["input_image"])] if "input_image" in inp else []
        if sources and isinstance(inp.get("safety_tolerance"), int) \
                and inp["safety_tolerance"] > KONTEXT_MAX_SAFETY_WITH_IMAGE:
            errors.append(f"input.safety_tolerance: {KONTEXT_MAX_SAFETY_WITH_IMAGE} is the "
                          "maximum allowed when input images are used")
    else:
        value = inp.get("input_images", [])
        if not isinstance(value, list):
            errors.append("input.input_images: Invalid type. Expected: array")
            value = []
        if len(value) > FLUX2_MAX_IMAGES:
            errors.append(f"input.input_images: Array must have at most {FLUX2_MAX_IMAGES} items")
        sources = [(f"input_images.{i}", v) for i, v in enumerate(value)]
    if not sources and "match_input_image" in (inp.get("aspect_ratio"), inp.get("resolution")):
        # What there is to edit: the size follows an input image.
        errors.append("input: match_input_image needs an input image")
    images = []
    for name, value in sources:
        try:
            images.append(decode_image(value, name))
        except ValidationError as e:
            errors.append(str(e))
    if errors:
        raise ValidationError("".join(f"- {e}\n" for e in errors))
    return images


def edit_renderer(kind, inp, images):
    """What an edit's prediction renders once it succeeds."""
    def render(scenario):
        # Without an image the model generates: a plain 1 MP picture here.
        picture = images[0] if images else Image.new("RGB", (1024, 1024))
        size = scenario.get("output_size") or edit_size(*picture.size, kind)
        return render_edit(picture, size, inp.get("output_format", "png" if kind == "kontext"
                                                     else "webp"),
                           scenario["color"], scenario["drift"])
    return render


def cancel_after_seconds(value):
    """Seconds of a Cancel-After duration ("90s", "5m", "1h30m"), or None
    when it is malformed or under the service's minimum of 5 s."""
    m = re.fullmatch(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?", value)
    if not m or not value:
        return None
    h, mi, s = (int(g or 0) for g in m.groups())
    seconds = h * 3600 + mi * 60 + s
    return seconds if seconds >= 5 else None


def flux_size(w, h):
    """Within 1440 x 1440, sides rounded to multiples of 32."""
    scale = min(1.0, 1440 / max(w, h))
    return (max(32, int(round(w * scale / 32)) * 32),
            max(32, int(round(h * scale / 32)) * 32))


def render_output(inp, image, mask, color, drift, output_size=None):
    image = image.convert("RGB")
    w, h = image.size
    outpaint = inp.get("outpaint", "None")
    if outpaint == "None":
        fill = Image.new("RGB", image.size, tuple(color))
        if mask is not None:
            m = mask.convert("L").point(lambda v: 255 if v >= 128 else 0)
            image = Image.composite(fill, image, m)
        else:
            image = fill
    else:
        nw, nh, x, y = {
            "Zoom out 1.5x": (round(w * 1.5), round(h * 1.5), None, None),
            "Zoom out 2x": (w * 2, h * 2, None, None),
            "Make square": (max(w, h), max(w, h), None, None),
            "Left outpaint": (w + w // 2, h, w // 2, 0),
            "Right outpaint": (w + w // 2, h, 0, 0),
            "Top outpaint": (w, h + h // 2, 0, h // 2),
            "Bottom outpaint": (w, h + h // 2, 0, 0),
        }[outpaint]
        if x is None:
            x, y = (nw - w) // 2, (nh - h) // 2
        canvas = Image.new("RGB", (nw, nh), tuple(color))
        canvas.paste(image, (x, y))
        image = canvas
    image = apply_drift(image, drift)
    size = tuple(output_size) if output_size else flux_size(*image.size)
    if size != image.size:
        image = image.resize(size, Image.LANCZOS)
    return encode(image, inp.get("output_format", "jpg"))


def apply_drift(image, drift):
    """Every pixel shifted by drift, as FLUX re-encodes the whole image."""
    if not any(drift):
        return image
    return Image.merge("RGB", [band.point(lambda v, d=d: max(0, min(255, v + d)))
                               for band, d in zip(image.split(), drift)])


def encode(image, fmt):
    """(bytes, fmt): jpg (or jpeg) as JPEG, png and webp as themselves."""
    buf = io.BytesIO()
    kind = {"jpg": "JPEG", "jpeg": "JPEG", "webp": "WEBP"}.get(fmt, "PNG")
    image.save(buf, kind, quality=95)
    return buf.getvalue(), fmt


def edit_size(w, h, kind):
    """The size an edit model answers for a w x h input, sides multiples
    of 16: Kontext about 1 MP at its aspect ratio; FLUX.2 (resolution
    match_input_image) the input's, clamped to 0.5-4 MP and 2048 a side."""
    if kind == "kontext":
        pixels, max_side = MEGAPIXEL, math.inf
    else:
        pixels, max_side = min(max(w * h, MEGAPIXEL / 2), 4 * MEGAPIXEL), 2048
    scale = min(math.sqrt(pixels / (w * h)), max_side / max(w, h))
    return (max(16, int(math.floor(w * scale / 16 + 0.5)) * 16),
            max(16, int(math.floor(h * scale / 16 + 0.5)) * 16))


def render_edit(image, size, fmt, color, drift):
    """The picture resized to size, every pixel halfway to color: an edit
    that is recognisable and still shows what was sent."""
    image = image.convert("RGB").resize(tuple(size), Image.LANCZOS)
    image = Image.blend(image, Image.new("RGB", image.size, tuple(color)), 0.5)
    return encode(apply_drift(image, drift), fmt)


class Prediction:
    def __init__(self, state, model, inp, render, scenario):
        """render(scenario) -> (bytes, format): the output once it succeeds."""
        self.id = uuid.uuid4().hex[:26]
        self.state = state
        self.model = model
        self.input = inp
        self.render = render
        self.scenario = scenario
        self.created = time.monotonic()
        self.created_at = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
        self.canceled = False
        self.final = None

    def status(self):
        if self.final:
            return self.final
        elapsed = time.monotonic() - self.created
        if self.canceled:
            self.final = "canceled"
        elif elapsed < self.scenario["duration"] * 0.2:
            return "starting"
        elif elapsed < self.scenario["duration"]:
            return "processing"
        else:
            self.final = self.scenario["outcome"]
            if self.input.get("seed") in self.scenario.get("fail_seeds", []):
                self.final = "failed"   # one variation of several fails
            if self.final == "succeeded":
                data, fmt = self.render(self.scenario)
                self.state.files[self.id] = (data, fmt, time.monotonic())
        return self.final

    def to_json(self):
        status = self.status()
        output = None
        if status == "succeeded":
            fmt = self.state.files[self.id][1]
            url = f"http://127.0.0.1:{self.state.files_port}/files/{self.id}/output.{fmt}"
            kind = self.scenario["output"]
            output = {"list": [url], "empty-list": [], "none": None}.get(kind, url)
        # Replicate's own host, as the aggregator also returns: never to be followed.
        api = f"https://api.replicate.com/v1/predictions/{self.id}"
        return {
            "id": self.id, "model": self.model, "version": "hidden",
            "input": {k: (v if k not in IMAGE_FIELDS else "data:...")
                      for k, v in self.input.items()},
            "logs": "", "output": output, "data_removed": False,
            "error": self.scenario["error"] if status == "failed" else None,
            "status": status, "created_at": self.created_at,
            "urls": {"get": api, "cancel": api + "/cancel",
                     "stream": f"https://stream.replicate.com/v1/files/{self.id}",
                     "web": f"https://replicate.com/p/{self.id}"},
        }


def make_api_handler(state):
    class Api(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def send_json(self, status, obj, headers=None):
            self.note_status(status)
            body = json.dumps(obj).encode()
            self.send_response(status)
            ctype = "application/problem+json" if status >= 400 else "application/json"
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

        def note_status(self, status):
            """The answer goes into the request's log entry, so tests can
            assert the exact exchange (method, path, status)."""
            entry = getattr(self, "entry", None)
            if entry is not None:
                # No lock: callers may hold it; one key's store is atomic.
                entry["status"] = status

        def read_body(self):
            n = int(self.headers.get("Content-Length") or 0)
            if n > MAX_BODY:
                return None
            return self.rfile.read(n)

        def auth(self):
            h = self.headers.get("Authorization")
            if h is None:
                return "missing"
            m = re.match(r"^(Bearer|Token) (.+)$", h)
            token = state.scenario.get("token") or state.token
            return "valid" if m and m.group(2) == token else "invalid"

        def route(self):
            path = self.path.split("?")[0]
            if path.startswith("/replicate/"):        # the aggregator's prefix
                path = path[len("/replicate"):]
            return path

        def log_request_(self, body):
            entry = {"server": "api", "method": self.command, "path": self.path,
                     "auth": self.auth(),
                     "prefer": self.headers.get("Prefer"),
                     "cancel_after": self.headers.get("Cancel-After"),
                     "status": None,
                     "content_type": self.headers.get("Content-Type"),
                     "user_agent": self.headers.get("User-Agent")}
            if body:
                try:
                    parsed = json.loads(body)
                    inp = parsed.get("input") if isinstance(parsed, dict) else None
                    if isinstance(inp, dict):
                        entry["input"] = {k: v for k, v in inp.items() if k not in IMAGE_FIELDS}
                        model = EDIT_MODELS.get(self.route().split("/predictions")[0]
                                                [len("/v1/models/"):])
                        if model is not None:
                            self.log_edit_images(entry, model, inp)
                        for k in ("image", "mask"):
                            if isinstance(inp.get(k), str):
                                entry[k + "_source"] = ("files-api" if FILE_URL_RE.match(inp[k])
                                                        else inp[k][:inp[k].find(";")])
                                entry[k + "_size"] = None
                                try:
                                    decoded = decode_image(inp[k], k)
                                    entry[k + "_size"] = list(decoded.size)
                                    if k == "image":
                                        entry["image_samples"] = image_samples(decoded)
                                except ValidationError:
                                    pass
                    entry["body_bytes"] = len(body)
                except ValueError:
                    entry["body_bytes"] = len(body)
            with state.lock:
                state.requests.append(entry)
            self.entry = entry

        def log_edit_images(self, entry, model, inp):
            """How many images an edit sent and their sizes, the picture first."""
            values = (inp.get("input_images") if model == "flux2"
                      else [inp["input_image"]] if "input_image" in inp else [])
            values = values if isinstance(values, list) else []
            sizes = []
            for i, value in enumerate(values):
                try:
                    decoded = decode_image(value, f"image {i}")
                    sizes.append(list(decoded.size))
                    if i == 0:
                        entry["image_samples"] = image_samples(decoded)
                except ValidationError:
                    sizes.append(None)
            entry.update(model=model, images=len(values), image_sizes=sizes)

        def control(self, path, body):
            if path == "/_standin/scenario" and self.command == "POST":
                try:
                    fields = json.loads(body or b"{}")
                except ValueError:
                    fields = None
                if not isinstance(fields, dict):
                    return self.send_json(*problem(400, "Bad Request",
                                                   "the scenario must be a JSON object"))
                unknown = sorted(set(fields) - KNOWN_SCENARIO_KEYS)
                if unknown:
                    # Nothing changes: the test's scenario is not what it meant.
                    return self.send_json(*problem(
                        400, "Bad Request",
                        f"unknown scenario keys: {', '.join(unknown)} "
                        f"(known: {', '.join(sorted(KNOWN_SCENARIO_KEYS))})"))
                scenario = dict(DEFAULT_SCENARIO)
                scenario.update(fields)
                with state.lock:
                    state.scenario = scenario
                return self.send_json(200, scenario)
            if path == "/_standin/requests" and self.command == "GET":
                with state.lock:
                    return self.send_json(200, list(state.requests))
            if path == "/_standin/reset" and self.command == "POST":
                state.reset()
                return self.send_json(200, {})
            return self.send_json(*problem(404, "Not found", "Not found."))

        def queued_error(self, key):
            with state.lock:
                errors = state.scenario[key]
                if not errors:
                    return False
                status, retry_after = errors.pop(0)
            headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
            if status == 429:
                self.send_json(*problem(429, "Too Many Requests",
                               state.scenario.get("detail",
                                                  "Request was throttled. Expected available in 1 second.")),
                               headers)
            elif status == "empty":
                # A gateway's hiccup: 200 and no body at all.
                self.note_status(200)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "0")
                self.end_headers()
            elif status == "drop":
                # The request was read (and may have been acted on); the
                # connection closes with no answer.
                self.close_connection = True
                self.connection.shutdown(2)
            elif status == "truncated":
                body = b'{"id": "abc", "status": "proc'
                self.note_status(200)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            else:
                detail = state.scenario.get("detail", "Internal server error")
                if state.scenario.get("echo_auth"):
                    # Servers do echo requests back; clients must not show it.
                    detail += " while handling " + str(self.headers.get("Authorization"))
                self.send_json(*problem(status, "Server error", detail), headers)
            return True

        def handle_any(self):
            body = self.read_body()
            path = self.route()
            if path.startswith("/_standin/"):
                return self.control(path, body)
            self.log_request_(body)
            if body is None:
                self.close_connection = True
                return self.send_json(*problem(413, "Request Entity Too Large",
                                               "Request body too large"))
            auth = self.auth()
            if auth != "valid":
                detail = ("You did not pass an authentication token" if auth == "missing"
                          else "Invalid token.")
                return self.send_json(*problem(401, "Unauthenticated", detail))

            if path == "/v1/files" and not self.path.startswith("/replicate/"):
                # Aggregators do not proxy the Files API: 404 under /replicate.
                if self.command != "POST":
                    return self.send_json(*problem(405, "Method Not Allowed", "Method not allowed."))
                return self.upload(body)
            if path == "/v1/account" and not self.path.startswith("/replicate/"):
                # Aggregators do not offer the account route: 404 under /replicate.
                if self.command != "GET":
                    return self.send_json(*problem(405, "Method Not Allowed", "Method not allowed."))
                return self.send_json(200, {"type": "user", "username": "standin",
                                            "name": "Stand-in", "github_url": None})
            if path == f"/v1/models/{MODEL}":
                if self.command != "GET":
                    return self.send_json(*problem(405, "Method Not Allowed", "Method not allowed."))
                return self.send_json(200, {"url": f"https://replicate.com/{MODEL}",
                                            "owner": MODEL.split("/")[0],
                                            "name": MODEL.split("/")[1],
                                            "visibility": "public"})
            created = re.match(r"^/v1/models/([^/]+/[^/]+)/predictions$", path)
            m = re.match(r"^/v1/predictions/([A-Za-z0-9]+)(/cancel)?$", path)
            if created and (created.group(1) == MODEL or created.group(1) in EDIT_MODELS):
                if self.command != "POST":
                    return self.send_json(*problem(405, "Method Not Allowed", "Method not allowed."))
                return self.create(body, created.group(1))
            if m:
                with state.lock:
                    pred = state.predictions.get(m.group(1))
                if pred is None:
                    return self.send_json(*problem(404, "Not found", "Not found."))
                if m.group(2):
                    if self.command != "POST":
                        return self.send_json(*problem(405, "Method Not Allowed", "Method not allowed."))
                    if self.queued_error("cancel_errors"):
                        return
                    with state.lock:
                        if pred.status() in ("starting", "processing"):
                            pred.canceled = True
                    return self.send_json(200, pred.to_json())
                if self.command != "GET":
                    return self.send_json(*problem(405, "Method Not Allowed", "Method not allowed."))
                if self.queued_error("poll_errors"):
                    return
                with state.lock:
                    return self.send_json(200, pred.to_json())
            return self.send_json(*problem(404, "Not found", "Not found."))

        def upload(self, body):
            ctype = self.headers.get("Content-Type") or ""
            if not ctype.startswith("multipart/form-data"):
                return self.send_json(*problem(415, "Unsupported Media Type",
                                               "Content-Type must be multipart/form-data"))
            msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
                b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + body)
            parts = {p.get_param("name", header="content-disposition"): p
                     for p in msg.iter_parts()} if msg.is_multipart() else {}
            errors = [f"- {n}: required\n" for n in ("content", "filename") if n not in parts]
            name = parts["filename"].get_content() if "filename" in parts else ""
            if isinstance(name, bytes):
                name = name.decode()
            if len(name.encode()) > 255:
                errors.append("- filename: must be at most 255 bytes\n")
            if errors:
                return self.send_json(*problem(422, "Invalid request", "".join(errors)))
            data = parts["content"].get_payload(decode=True)
            if len(data) > 100 * 1024 * 1024:
                return self.send_json(*problem(413, "Request Entity Too Large",
                                               "Files must be less than 100MB in size"))
            fid = uuid.uuid4().hex[:24]
            with state.lock:
                UPLOADS[fid] = data
            now = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
            ftype = parts["type"].get_content() if "type" in parts else "application/octet-stream"
            self.send_json(201, {
                "id": fid, "name": name, "content_type": ftype, "size": len(data),
                "etag": uuid.uuid4().hex, "checksums": {}, "metadata": {},
                "created_at": now, "expires_at": now,
                "urls": {"get": f"https://api.replicate.com/v1/files/{fid}"}})

        def create(self, body, model=MODEL):
            ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip()
            if ctype != "application/json":
                return self.send_json(*problem(415, "Unsupported Media Type",
                                               "Content-Type must be application/json"))
            prefer = self.headers.get("Prefer")
            m = PREFER_RE.match(prefer) if prefer is not None else None
            if prefer is not None and (not m or int(m.group(2) or 60) > 60):
                return self.send_json(*problem(400, "Bad Request",
                                               "Invalid Prefer header: expected wait or wait=1..60"))
            try:
                doc = json.loads(body)
            except ValueError:
                return self.send_json(*problem(400, "Bad Request", "Request body is not valid JSON"))
            if not isinstance(doc, dict) or not isinstance(doc.get("input"), dict):
                return self.send_json(*problem(422, "Input validation failed",
                                               "- input: Invalid type. Expected: object\n"))
            cancel_after = self.headers.get("Cancel-After")
            if cancel_after is not None and not cancel_after_seconds(cancel_after):
                return self.send_json(*problem(400, "Bad Request",
                                               "Invalid Cancel-After header: expected a duration "
                                               "of at least 5s, e.g. 30s, 5m or 1h30m"))
            if self.queued_error("create_errors"):
                return
            inp = doc["input"]
            try:
                if model in EDIT_MODELS:
                    render = edit_renderer(EDIT_MODELS[model], inp,
                                           validate_edit(EDIT_MODELS[model], inp))
                else:
                    image, mask = validate_input(inp, state.scenario.get("schema", "current"))
                    render = (lambda sc, image=image, mask=mask:
                              render_output(inp, image, mask, sc["color"], sc["drift"],
                                            sc.get("output_size")))
            except ValidationError as e:
                return self.send_json(*problem(422, "Input validation failed", str(e)))
            with state.lock:
                pred = Prediction(state, model, inp, render, dict(state.scenario))
                state.predictions[pred.id] = pred
            if prefer is not None:
                wait = min(int(m.group(2) or 60), pred.scenario["max_wait"])
                deadline = time.monotonic() + wait
                while time.monotonic() < deadline:
                    with state.lock:
                        if pred.status() not in ("starting", "processing"):
                            break
                    time.sleep(0.02)
            with state.lock:
                doc = pred.to_json()
            self.send_json(201, doc, {"Location": doc["urls"]["get"]})

        do_GET = do_POST = do_PUT = do_DELETE = handle_any

    return Api


def make_files_handler(state):
    class Files(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_GET(self):
            with state.lock:
                state.requests.append({"server": "files", "method": "GET", "path": self.path,
                                       "auth_present": "Authorization" in self.headers,
                                       "user_agent": self.headers.get("User-Agent")})
            # Like a storage host, a query (a signature, say) does not name the file.
            m = re.match(r"^/files/([A-Za-z0-9]+)/output\.(jpg|png|webp)$", self.path.split("?")[0])
            entry = state.files.get(m.group(1)) if m else None
            pred = state.predictions.get(m.group(1)) if m else None
            kind = pred.scenario["output"] if pred else "file"
            with state.lock:
                if pred is not None and kind not in ("list", "file"):
                    left = pred.scenario.get("output_faults")
                    if left is not None:
                        if left <= 0:
                            kind = "file"
                        pred.scenario["output_faults"] = left - 1
            if entry is not None and kind == "endless":
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.end_headers()
                self.close_connection = True
                try:
                    for _ in range(101):
                        self.wfile.write(bytes(1024 * 1024))
                except OSError:
                    pass   # the client gave up: as it should
                return
            if entry is None or kind == "gone":
                body, status, ctype = b'{"detail":"Not found."}', 404, "application/json"
            elif kind == "not-image":
                body, status, ctype = b"<html>Access denied</html>", 200, "image/jpeg"
            elif kind == "huge":
                body = huge_png()
                status, ctype = 200, "image/png"
            elif kind in ("svg", "tiff", "bmp", "bomb"):
                # What a hostile CDN serves, whatever it is, called a PNG.
                status, ctype = 200, "image/png"
                if kind == "svg":
                    body = (b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
                            b'<rect width="10" height="10" fill="red"/></svg>')
                elif kind == "bomb":
                    if getattr(Files, "bomb", None) is None:
                        # 16000 x 16000 rows of one-bit grey zeros: 32 MB
                        # that deflate to some 30 kB; built once.
                        import struct
                        import zlib

                        def chunk(ctype_, data):
                            c = struct.pack(">I", len(data)) + ctype_ + data
                            return c + struct.pack(">I", zlib.crc32(ctype_ + data) & 0xFFFFFFFF)
                        z = zlib.compressobj(9)
                        row = bytes(1 + 16000 // 8)
                        idat = b"".join(z.compress(row) for _ in range(16000)) + z.flush()
                        ihdr = struct.pack(">IIBBBBB", 16000, 16000, 1, 0, 0, 0, 0)
                        Files.bomb = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
                                      + chunk(b"IDAT", idat) + chunk(b"IEND", b""))
                    body = Files.bomb
                else:
                    buf = io.BytesIO()
                    Image.new("RGB", (16, 16), (255, 0, 255)).save(buf, kind.upper())
                    body = buf.getvalue()
            else:
                body, status = entry[0], 200
                ctype = {"jpg": "image/jpeg", "webp": "image/webp"}.get(entry[1], "image/png")
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                if entry is not None and kind == "reset":
                    self.wfile.write(body[:len(body) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    self.connection.shutdown(2)
                elif entry is not None and kind == "drip":
                    for i in range(0, len(body), 10):
                        self.wfile.write(body[i:i + 10])
                        self.wfile.flush()
                        time.sleep(0.5)   # 20 bytes a second: well under any stall limit
                else:
                    self.wfile.write(body)
            except OSError:
                self.close_connection = True   # the client gave up: as it should

    return Files


def huge_png():
    """A tiny file that claims 100000 x 100000 pixels."""
    import struct
    import zlib

    def chunk(kind, data):
        c = struct.pack(">I", len(data)) + kind + data
        return c + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    ihdr = struct.pack(">IIBBBBB", 100000, 100000, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(b"\0" * 1000)) + chunk(b"IEND", b""))


def serve(token):
    state = State(token)
    api = ThreadingHTTPServer(("127.0.0.1", 0), make_api_handler(state))
    files = ThreadingHTTPServer(("127.0.0.1", 0), make_files_handler(state))
    api.daemon_threads = files.daemon_threads = True
    state.files_port = files.server_address[1]
    threading.Thread(target=files.serve_forever, daemon=True).start()
    threading.Thread(target=api.serve_forever, daemon=True).start()
    return state, api, files


# ---------------------------------------------------------------- self-test

def self_test():
    import urllib.request
    import urllib.error

    token = "r8_selftest_token"
    state, api, _ = serve(token)
    base = f"http://127.0.0.1:{api.server_address[1]}"
    png = io.BytesIO()
    Image.new("RGB", (100, 60), (10, 20, 30)).save(png, "PNG")
    image_uri = "data:image/png;base64," + base64.b64encode(png.getvalue()).decode()
    small = io.BytesIO()
    Image.new("RGB", (50, 60)).save(small, "PNG")
    small_uri = "data:image/png;base64," + base64.b64encode(small.getvalue()).decode()
    good = {"prompt": "a cat", "image": image_uri, "mask": image_uri, "steps": 50,
            "guidance": 60, "outpaint": "None", "output_format": "png",
            "safety_tolerance": 2, "prompt_upsampling": False}

    def call(method, path, body=None, auth=token, headers=None):
        req = urllib.request.Request(base + path, method=method,
                                     data=json.dumps(body).encode() if body is not None else None)
        if auth:
            req.add_header("Authorization", "Bearer " + auth)
        req.add_header("Content-Type", "application/json")
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        try:
            with urllib.request.urlopen(req) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())

    create = f"/v1/models/{MODEL}/predictions"
    cases = []

    def case(name, status, expect_status, check=True):
        cases.append((name, status == expect_status and check, f"got {status}"))

    s, _ = call("POST", create, {"input": good}, auth=None)
    case("missing token is 401", s, 401)
    s, _ = call("POST", create, {"input": good}, auth="wrong")
    case("wrong token is 401", s, 401)
    for field, value in [("steps", 51), ("steps", 14), ("steps", 20.0), ("guidance", 1000),
                         ("guidance", 60.0), ("outpaint", "zoom-out-2x"),
                         ("output_format", "gif"), ("safety_tolerance", 7), ("seed", -1),
                         ("prompt_upsampling", "yes"), ("mask", small_uri),
                         ("image", "data:image/png;base64,AAAA"), ("colour", 1)]:
        s, b = call("POST", create, {"input": dict(good, **{field: value})})
        case(f"{field}={value!r:.20} is 422 naming the field", s, 422,
             field in b.get("detail", ""))
    s, b = call("POST", create, {"input": dict(good, guidance=2.5)}, headers={"Prefer": "wait=5"})
    case("guidance 2.5 is accepted and finishes within the wait", s, 201,
         b.get("status") == "succeeded" and isinstance(b.get("output"), str))
    s, _ = call("POST", create, {"input": good}, headers={"Prefer": "wait=61"})
    case("Prefer: wait=61 is 400", s, 400)
    s, b = call("POST", "/replicate" + create, {"input": good})
    case("aggregator prefix creates a prediction that is not done yet", s, 201,
         b.get("status") == "starting" and b["urls"]["get"].startswith("https://api.replicate.com/"))
    pid = b.get("id", "")
    time.sleep(0.4)
    s, b = call("GET", f"/v1/predictions/{pid}")
    case("polling finds it succeeded", s, 200, b.get("status") == "succeeded")
    s, _ = call("GET", "/v1/predictions/doesnotexist")
    case("unknown prediction is 404", s, 404)
    state.scenario = dict(DEFAULT_SCENARIO, create_errors=[[429, 1]])
    s, _ = call("POST", create, {"input": good})
    case("queued 429 is answered once", s, 429)
    s, _ = call("POST", create, {"input": good})
    case("then the create succeeds", s, 201)
    before = dict(state.scenario)
    s, b = call("POST", "/_standin/scenario", {"duraton": 5, "colour": [0, 0, 0], "output": "list"})
    case("misspelt scenario keys are 400 naming them, and change nothing", s, 400,
         "colour, duraton" in b.get("detail", "") and state.scenario == before)
    s, b = call("POST", "/_standin/scenario", {"duration": 5, "echo_auth": True})
    case("known scenario keys, optional ones too, are taken", s, 200,
         state.scenario["duration"] == 5 and state.scenario.get("echo_auth") is True)

    # The edit models.
    state.scenario = dict(DEFAULT_SCENARIO, duration=0, drift=[0, 0, 0])
    kontext = f"/v1/models/{KONTEXT}/predictions"
    flux2 = f"/v1/models/{FLUX2}/predictions"
    edit = {"prompt": "make it red", "input_image": image_uri, "aspect_ratio": "match_input_image",
            "output_format": "png", "safety_tolerance": 2, "prompt_upsampling": False, "seed": 3}
    s, b = call("POST", kontext, {"input": edit}, headers={"Prefer": "wait=5"})
    out = None
    if s == 201 and b.get("status") == "succeeded":
        with urllib.request.urlopen(b["output"]) as r:
            out = Image.open(io.BytesIO(r.read())).convert("RGB")
    case("a Kontext edit of 100x60 answers about 1 MP at 5:3, halfway to the colour", s, 201,
         out is not None and out.size == edit_size(100, 60, "kontext") == (1328, 800)
         and all(abs(a - e) <= 2 for a, e in zip(out.getpixel((600, 400)), (132, 10, 142))))
    entry = state.requests[-2]
    case("its log entry counts the images and their sizes", s, 201,
         entry.get("images") == 1 and entry.get("image_sizes") == [[100, 60]]
         and "input_image" not in entry["input"])
    for field, value in [("safety_tolerance", 3), ("steps", 50), ("guidance", 3),
                         ("output_format", "webp"), ("aspect_ratio", "7:5")]:
        s, b = call("POST", kontext, {"input": dict(edit, **{field: value})})
        case(f"Kontext {field}={value!r} is 422 naming it", s, 422, field in b.get("detail", ""))
    s, _ = call("POST", kontext, {"input": {"prompt": "a cat", "safety_tolerance": 6}})
    case("Kontext without an image takes safety_tolerance 6", s, 201)
    edit2 = {"prompt": "put the logo on the mug", "input_images": [image_uri, small_uri],
             "aspect_ratio": "match_input_image", "resolution": "match_input_image",
             "output_format": "jpg", "safety_tolerance": 5, "prompt_upsampling": False}
    s, b = call("POST", flux2, {"input": edit2}, headers={"Prefer": "wait=5"})
    out = None
    if s == 201 and b.get("status") == "succeeded":
        with urllib.request.urlopen(b["output"]) as r:
            out = Image.open(io.BytesIO(r.read()))
    entry = state.requests[-2]
    case("a FLUX.2 edit with a reference: two images logged, 0.5 MP at 5:3", s, 201,
         out is not None and out.size == edit_size(100, 60, "flux2") == (928, 560)
         and entry.get("images") == 2 and entry.get("image_sizes") == [[100, 60], [50, 60]])
    for field, value, says in [("input_images", [image_uri] * 9, "input.input_images: Array"),
                               ("input_images", [], "match_input_image needs an input image"),
                               ("safety_tolerance", 6, "input.safety_tolerance: Must be less"),
                               ("steps", 50, "input.steps: Additional"),
                               ("input_image", image_uri, "input.input_image: Additional")]:
        s, b = call("POST", flux2, {"input": dict(edit2, **{field: value})})
        case(f"FLUX.2 {field}={value!r:.20} is 422: {says}", s, 422, says in b.get("detail", ""))
    case("FLUX.2 keeps a large input's size within 4 MP and 2048 a side", 0, 0,
         edit_size(3000, 2000, "flux2") == (2048, 1360) and edit_size(1500, 1000, "flux2")
         == (1504, 1008))

    print("TAP version 13")
    print(f"1..{len(cases)}")
    failed = 0
    for i, (name, ok, why) in enumerate(cases, 1):
        print(f"{'ok' if ok else 'not ok'} {i} - {name}" + ("" if ok else f" # {why}"))
        failed += not ok
    return 1 if failed else 0


def main():
    args = sys.argv[1:]
    if "--self-test" in args:
        sys.exit(self_test())
    token = args[args.index("--token") + 1] if "--token" in args else "r8_test_token"
    state, api, files = serve(token)
    print(f"PORT {api.server_address[1]} {files.server_address[1]}", flush=True)
    try:
        # Ends when the test closes our stdin, so no server outlives its test.
        sys.stdin.read()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
