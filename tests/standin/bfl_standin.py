#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A stand-in for Black Forest Labs' API (api.bfl.ai), served on 127.0.0.1.

Written from BFL's public documentation, as strict as the Replicate
stand-in (replicate_standin.py, whose image functions it imports): the
x-key header, FastAPI-style 422 details, field ranges, the statuses of
get_result, moderation, 402 and 429, a polling_url on another host, and a
signed sample URL on a delivery host that expires and must be fetched
without the key.

Four servers, each on its own port of 127.0.0.1:
  api       stands for https://api.bfl.ai (the base URL; control endpoints)
  regional  stands for https://api.eu.bfl.ai: the same API, the same tasks
  foreign   a host the key must never reach: it answers like the API,
            without asking for a key, and records what it was sent
  delivery  stands for the CDN (bfldeliveryprod*.blob.core.windows.net)
            serving result.sample

Usage:
  bfl_standin.py [--token K]     prints "PORT <api> <delivery> <regional> <foreign>"
                                 and serves until stdin closes
  bfl_standin.py --self-test     TAP checks of the stand-in itself
The accepted key is K (default "bfl_test_key"); it is never printed or logged.

API (all but the control endpoints need "x-key: <key>"):
  POST /v1/flux-pro-1.0-fill     JSON body, answers {id, polling_url, cost,
                                 input_mp, output_mp}
  POST /v1/flux-pro-1.0-expand   likewise
  POST /v1/flux-kontext-pro      FLUX.1 Kontext [pro]: an edit of input_image
  POST /v1/flux-2-pro            FLUX.2 [pro]: input_image, input_image_2 ... _8
  GET  /v1/get_result?id=ID      {id, status, result, progress, details, preview}
  GET  /v1/credits               {"credits": N}: free, for a Test button
Any other path is 404 {"detail": "Not Found"} (there is no cancel: a POST
to .../cancel is 404), a known path with another method 405.

Control endpoints on the api server (no auth):
  POST /_standin/scenario   JSON; the fields below, kept until the next one
                            (unknown fields: 400, and nothing changes)
  GET  /_standin/requests   what every server received, in order
  POST /_standin/reset      forget requests, tasks and scenario

Scenario fields (default in brackets):
  duration (s) [0.3]      how long a task stays Pending; its progress rises
                          from 0 to 0.99 meanwhile (null once final)
  outcome ["Ready"]       "Ready" | "Error" | "Content Moderated" (after
                          duration) | "Request Moderated" (at once: input
                          refused before processing) | "Task not found"
  error [text]            details.error of an "Error" outcome
  moderation_reasons [["Derivative Works Filter"]]
                          details["Moderation Reasons"] of both moderations
  fail_seeds              seeds whose tasks end in "Error" (one variation
                          of several)
  color [[255, 0, 255]]   what the masked (fill) or new (expand) pixels become
  drift [[6, -4, 3]]      added to every output pixel, as FLUX re-encodes
  output_size             [w, h]: the output stretched to that size
  polling_host ["same"]   where polling_url points: "same" (the server that
                          took the submit), "regional", "foreign"
  sample_ttl (s) [600]    how long result.sample may be downloaded
  submit_errors [[]]      [[status, retry_after|null], ...] answered before
                          a submit is accepted (after validation): 402, 429,
                          5xx, "drop" (read, then hang up), "empty" (200, no
                          body), "truncated" (cut JSON)
  poll_errors [[]]        likewise for get_result
  credits [1000]          the balance; each accepted submit takes its cost,
                          moderated tasks give it back; below the cost: 402
  max_active [24]         more Pending tasks than this: 429 (not accepted)
  cost                    credits a submit reports and takes (default 5 for
                          fill and expand); null: the answer has no cost,
                          input_mp or output_mp, as older answers
  key                     the one key accepted from now on
  auth_status [403]       the status of a refused key (401 to test clients
                          against the other code)
  detail                  the text of queued errors

Log entries (/_standin/requests): server ("api" | "regional" | "foreign" |
"delivery"), method, path, status, key ("missing" | "valid" | "invalid":
what the x-key header held, never its value), authorization (whether an
Authorization header came), content_type, user_agent; a submit's entry
also has endpoint ("fill" | "expand" | "kontext" | "flux2"), body (its
fields but the images), body_bytes, <field>_form for each image field
("base64" | "data-uri" | "url" | "other"), image_size, mask_size,
images and image_sizes (how many input images came and their sizes, the
picture first), image_samples ([x, y, [r, g, b]] on a 4 x 4 grid), task
(its id once accepted); a download's entry has expired.

Where each rule comes from:
- Fill fields, types, defaults and ranges (image required; mask, prompt,
  steps 15-50, prompt_upsampling, seed, guidance 1.5-100, output_format
  jpeg|png, webhook_url, webhook_secret nullable; safety_tolerance 0-6 not
  nullable), the mask's size checked against the image's, the answer
  {id, polling_url, cost, input_mp, output_mp}: docs.bfl.ai/api-reference/
  models/generate-an-image-with-flux1-fill-[pro]-using-an-input-image-and-mask.
- Alpha as the mask (transparent = inpaint), "Base64-encoded" images:
  docs.bfl.ai/flux_tools/flux_1_fill.
- Expand (POST /v1/flux-pro-1.0-expand; top/bottom/left/right 0-2048,
  steps 15-50, guidance 1.5-100, the fill's other fields but mask):
  docs.bfl.ai/api-reference/models/expand-an-image-by-adding-pixels-on-any-side
  and BFL's own client (github.com/black-forest-labs/blackforest,
  types/inputs/flux_pro_expand.py, generic.py), whose validators also
  want one side expanded, an image of at least 256 x 256, at most 20
  megapixels and 20 MB of base64: this stand-in refuses those too.
- get_result and its statuses (Pending, Ready, Error, Content Moderated,
  Request Moderated, Task not found), result.sample, progress, details:
  docs.bfl.ai/api-reference/utility/get-result and
  docs.bfl.ai/api_integration/errors; details["Moderation Reasons"] as
  live answers carry it (many clients read that key).
- Moderated tasks are not charged; 429 means too many tasks at once:
  help.bfl.ai/articles/2916279050-why-did-my-request-fail. 24 at once:
  github.com/black-forest-labs/skills, bfl-api/references/rate-limiting.md.
- HTTP errors 400, 402, 403, 422, 429, 500, 503 (no 401 among them):
  docs.bfl.ai/api_integration/errors. A missing or wrong key is 403
  {"detail": "Not authenticated"} / {"detail": "Not authenticated -
  Invalid Authentication"}, the bodies users quote from the live service
  (github.com/gelasdev/ComfyUI-FLUX-BFL-API/issues/16).
- GET /v1/credits -> {"credits": number}, authenticated by x-key:
  docs.bfl.ai/api-reference/get-the-users-credits.
- Global, EU and US hosts; "always use the polling_url returned":
  docs.bfl.ai/integration_guidelines. A live answer to a submit on
  api.bfl.ai names api.eu2.bfl.ai in its polling_url.
- x-key, BFL_API_KEY, 1 credit = $0.01, FLUX.1 Fill [pro] $0.05 (5
  credits), result URLs expire after 10 minutes: github.com/
  black-forest-labs/skills, skills/bfl-api/SKILL.md.
- The sample is an Azure Blob SAS URL (.../results/<date>/<id>_sample.jpeg
  ?se=...&sp=r&sv=...&sr=b&rsct=image/jpeg&sig=...); an expired one
  answers 403 AuthenticationFailed "Signature not valid in the specified
  time frame" (Azure's documented behaviour; MicrosoftDocs/azure-docs
  issue 100920).

- Kontext (POST /v1/flux-kontext-pro: prompt, input_image, seed,
  aspect_ratio, output_format jpeg|png, safety_tolerance 0-6 but at most
  2 with an input image, prompt_upsampling, webhook_url, webhook_secret;
  4 credits) and FLUX.2 [pro] (POST /v1/flux-2-pro: input_image and
  input_image_2 ... input_image_8, width and height 256-2048, seed,
  safety_tolerance 0-5, output_format jpeg|png, prompt_upsampling, the
  webhook fields; 3 credits the first output MP, 1.5 each further MP in
  and out): docs.bfl.ai/api-reference/models and quick_start/pricing.
  Their output here is the picture resized as the model sizes it (Kontext
  about 1 MP at its aspect ratio; FLUX.2 without width and height the
  input's, clamped to 0.5-4 MP and 2048 a side; sides of 16), every pixel
  blended halfway toward the scenario's colour (replicate_standin.py's
  edit_size and render_edit).

Where this stand-in is stricter than the docs say, on purpose:
- Unknown body fields are 422 extra_forbidden (the docs do not say the
  service refuses them) so a misspelt field fails its test.
- Images must be bare base64 (validated strictly) of a PNG, JPEG or WebP:
  a data: URI or URL is 422. The docs document the bare form only.
- Integers must be JSON integers and booleans JSON booleans (pydantic
  would also take 20.0 or "yes").
- A fill with neither a mask nor an alpha channel is 422.
- input_image_N without input_image_(N-1) is 422 (the docs number them in
  order and say nothing of gaps).
- get_result needs the key (the docs' examples always send it).
- The delivery server refuses any request carrying x-key or Authorization
  (403; the real CDN would ignore x-key), so a client that sends the key
  there fails its test.
- The output is the input with the masked pixels painted, resized the way
  FLUX fill models resize (sides multiples of 32, within 1440 x 1440), and
  for expand the canvas grown by top/bottom/left/right resized the same
  way: BFL's docs say nothing of the output size of either.

Where this disagrees with the team notes (shared/notes/providers.md), the docs
win: output_format of the fill is jpeg|png only (webp is 422); a bad key
is 403, not 401; the poll is GET /v1/get_result?id=ID.
"""

import base64
import binascii
import hashlib
import hmac
import io
import json
import math
import random
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from PIL import Image

from replicate_standin import DEFAULT_SCENARIO as REPLICATE_SCENARIO
from replicate_standin import MEGAPIXEL, edit_size, flux_size, image_samples, render_edit, \
    render_output

FILL = "/v1/flux-pro-1.0-fill"
EXPAND = "/v1/flux-pro-1.0-expand"
KONTEXT = "/v1/flux-kontext-pro"
FLUX2 = "/v1/flux-2-pro"
ENDPOINTS = {FILL: "fill", EXPAND: "expand", KONTEXT: "kontext", FLUX2: "flux2"}
GET_RESULT = "/v1/get_result"
CREDITS = "/v1/credits"
ROUTES = {FILL: "POST", EXPAND: "POST", KONTEXT: "POST", FLUX2: "POST", GET_RESULT: "GET",
          CREDITS: "GET"}
PRICE = {"fill": 5.0, "expand": 5.0, "kontext": 4.0}   # credits; 1 credit = $0.01
FLUX2_PRICE = (3.0, 1.5)       # the first output MP; each further MP in and out
KONTEXT_MAX_SAFETY_WITH_IMAGE = 2
FLUX2_IMAGES = ["input_image"] + [f"input_image_{i}" for i in range(2, 9)]
FORMATS = ("jpeg", "png")
IMAGE_FORMATS = ("PNG", "JPEG", "WEBP")
MAX_BODY = 64 * 1024 * 1024
OUTCOMES = ("Ready", "Error", "Content Moderated", "Request Moderated", "Task not found")
MODERATED = ("Content Moderated", "Request Moderated")

# name -> (kind, low, high, nullable); kinds: image, string, int, number, bool, format
COMMON_FIELDS = {
    "image": ("image", None, None, False),
    "prompt": ("string", None, None, True),
    "steps": ("int", 15, 50, True),
    "prompt_upsampling": ("bool", None, None, True),
    "seed": ("int", None, None, True),
    "guidance": ("number", 1.5, 100, True),
    "output_format": ("format", None, None, True),
    "safety_tolerance": ("int", 0, 6, False),
    "webhook_url": ("string", None, None, True),
    "webhook_secret": ("string", None, None, True),
}
# The edit models take no steps or guidance, and their image is input_image.
EDIT_FIELDS = {k: v for k, v in COMMON_FIELDS.items() if k not in ("image", "steps", "guidance")}
FIELDS = {
    "fill": dict(COMMON_FIELDS, mask=("image", None, None, True)),
    "expand": dict(COMMON_FIELDS, **{side: ("int", 0, 2048, True)
                                     for side in ("top", "bottom", "left", "right")}),
    "kontext": dict(EDIT_FIELDS, input_image=("image", None, None, True),
                    aspect_ratio=("string", None, None, True)),
    "flux2": dict(EDIT_FIELDS, safety_tolerance=("int", 0, 5, False),
                  width=("int", 256, 2048, True), height=("int", 256, 2048, True),
                  **{name: ("image", None, None, True) for name in FLUX2_IMAGES}),
}
TYPE_ERRORS = {
    "image": ("string_type", "Input should be a valid string"),
    "string": ("string_type", "Input should be a valid string"),
    "int": ("int_type", "Input should be a valid integer"),
    "number": ("float_type", "Input should be a valid number"),
    "bool": ("bool_type", "Input should be a valid boolean"),
}

DEFAULT_SCENARIO = {
    "duration": 0.3,
    "outcome": "Ready",
    "error": "Internal error: the generation failed",
    "moderation_reasons": ["Derivative Works Filter"],
    "color": REPLICATE_SCENARIO["color"],
    "drift": REPLICATE_SCENARIO["drift"],
    "polling_host": "same",
    "sample_ttl": 600.0,
    "submit_errors": [],
    "poll_errors": [],
    "credits": 1000.0,
    "max_active": 24,
    "auth_status": 403,
}
# Fields without a default (see above); with those, the only ones
# /_standin/scenario takes, so a misspelt one fails its test.
OPTIONAL_SCENARIO_KEYS = {"fail_seeds", "output_size", "cost", "key", "detail"}
KNOWN_SCENARIO_KEYS = set(DEFAULT_SCENARIO) | OPTIONAL_SCENARIO_KEYS
QUEUED_DETAILS = {
    402: "Insufficient credits: add credits to your account to continue using the API",
    429: "You have exceeded the limit of active tasks; this task was not accepted",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


def fresh_scenario(fields=None):
    """The defaults under FIELDS, deep-copied: queues are consumed in place."""
    scenario = dict(DEFAULT_SCENARIO)
    scenario.update(fields or {})
    return json.loads(json.dumps(scenario))


class State:
    def __init__(self, key):
        self.key = key
        self.secret = uuid.uuid4().bytes     # signs the sample URLs
        self.lock = threading.Lock()
        self.ports = {}
        self.reset()

    def reset(self):
        with self.lock:
            self.requests = []
            self.tasks = {}
            self.blobs = {}
            self.scenario = fresh_scenario()

    def accepted_key(self):
        return self.scenario.get("key") or self.key

    def key_state(self, headers):
        value = headers.get("x-key")
        if value is None:
            return "missing"
        return "valid" if hmac.compare_digest(value, self.accepted_key()) else "invalid"


# ---------------------------------------------------------------- validation

def field_error(kind, loc, msg, value=None, ctx=None):
    """One item of FastAPI's 422 detail (pydantic 2 wording)."""
    if isinstance(value, str) and len(value) > 64:
        value = value[:64] + "..."
    item = {"type": kind, "loc": ["body"] + loc, "msg": msg, "input": value}
    if ctx:
        item["ctx"] = ctx
    return item


def type_error(kind, name, value):
    code, msg = TYPE_ERRORS[kind]
    return field_error(code, [name], msg, value)


def image_form(value):
    if not isinstance(value, str):
        return "other"
    if value.startswith("data:"):
        return "data-uri"
    if value.startswith(("http://", "https://")):
        return "url"
    return "base64"


def decode_image(value):
    """A bare base64 PNG, JPEG or WebP, or ValueError saying why not."""
    form = image_form(value)
    if form != "base64":
        raise ValueError(f"expected a bare base64-encoded image, got a {form}")
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("Invalid base64 encoding")
    try:
        img = Image.open(io.BytesIO(raw))
        img.load()
    except (OSError, ValueError, Image.DecompressionBombError) as e:
        raise ValueError(f"cannot identify image file ({e})")
    if img.format not in IMAGE_FORMATS:
        raise ValueError(f"unsupported image format {img.format}: expected PNG, JPEG or WebP")
    return img


def check_field(name, value, spec):
    kind, lo, hi, nullable = spec
    if value is None:
        return None if nullable else type_error(kind, name, value)
    if kind == "format":
        if value not in FORMATS:
            expected = " or ".join(f"'{f}'" for f in FORMATS)
            return field_error("enum", [name], f"Input should be {expected}", value,
                               {"expected": expected})
        return None
    wrong = {"image": not isinstance(value, str), "string": not isinstance(value, str),
             "int": isinstance(value, bool) or not isinstance(value, int),
             "number": isinstance(value, bool) or not isinstance(value, (int, float)),
             "bool": not isinstance(value, bool)}[kind]
    if wrong:
        return type_error(kind, name, value)
    if lo is not None and value < lo:
        return field_error("greater_than_equal", [name],
                           f"Input should be greater than or equal to {lo:g}", value, {"ge": lo})
    if hi is not None and value > hi:
        return field_error("less_than_equal", [name],
                           f"Input should be less than or equal to {hi:g}", value, {"le": hi})
    return None


def validate(kind, body):
    """(images, errors): the decoded images by field name, in the
    schema's order; errors is FastAPI's detail list."""
    if not isinstance(body, dict):
        return {}, [field_error("model_attributes_type", [],
                                        "Input should be a valid dictionary or object "
                                        "to extract fields from", None)]
    fields = FIELDS[kind]
    errors = [field_error("extra_forbidden", [k], "Extra inputs are not permitted", body[k])
              for k in body if k not in fields]
    if "image" in fields and "image" not in body:
        errors.append(field_error("missing", ["image"], "Field required"))
    for name, spec in fields.items():
        if name in body:
            e = check_field(name, body[name], spec)
            if e:
                errors.append(e)
    images = {}
    for name in (n for n, spec in fields.items() if spec[0] == "image"):
        if isinstance(body.get(name), str) and not any(e["loc"][1:] == [name] for e in errors):
            try:
                images[name] = decode_image(body[name])
            except ValueError as e:
                errors.append(field_error("value_error", [name], f"Value error, {e}", body[name]))
    image, mask = images.get("image"), images.get("mask")
    if errors or (image is None and kind in ("fill", "expand")):
        return images, errors

    def model_error(msg):
        errors.append(field_error("value_error", [], f"Value error, {msg}"))
    if kind == "kontext":
        if "input_image" in images and body.get("safety_tolerance", 2) > KONTEXT_MAX_SAFETY_WITH_IMAGE:
            errors.append(field_error("less_than_equal", ["safety_tolerance"],
                                      f"Input should be less than or equal to "
                                      f"{KONTEXT_MAX_SAFETY_WITH_IMAGE} when an input image is "
                                      "given", body["safety_tolerance"]))
    elif kind == "flux2":
        given = [name in images for name in FLUX2_IMAGES]
        if given != sorted(given, reverse=True):
            model_error("input images must be numbered in order: input_image, "
                        "input_image_2, ... with no gap")
    elif kind == "fill":
        if mask is not None and mask.size != image.size:
            model_error(f"mask must have the same dimensions as the image "
                        f"({mask.size[0]}x{mask.size[1]} vs {image.size[0]}x{image.size[1]})")
        if mask is None and alpha_mask(image) is None:
            model_error("no mask given and the image has no alpha channel to inpaint")
    else:
        w, h = image.size
        if not any(body.get(s) for s in ("top", "bottom", "left", "right")):
            model_error("At least one side must be expanded (top, bottom, left, or right)")
        if len(body["image"]) > 20 * 1024 * 1024:
            model_error("Image file size exceeds 20MB limit")
        if w * h > 20 * 10**6:
            model_error("Image dimensions exceed 20 megapixels")
        if w < 256 or h < 256:
            model_error("Image dimensions must be at least 256x256 pixels")
    return images, errors


# ---------------------------------------------------------------- tasks

def alpha_mask(img):
    """White where the image is transparent (to be inpainted), or None."""
    if img.mode not in ("RGBA", "LA", "PA") and "transparency" not in img.info:
        return None
    return img.convert("RGBA").getchannel("A").point(lambda a: 255 if a < 128 else 0)


def task_cost(kind, body, images, scenario):
    """Credits: the scenario's, else the price (FLUX.2 by megapixels)."""
    if "cost" in scenario:
        return scenario["cost"]
    if kind != "flux2":
        return PRICE[kind]
    out_w, out_h = output_size(kind, body, picture(kind, images), scenario)
    in_mp = math.ceil(sum(i.size[0] * i.size[1] for i in images.values()) / MEGAPIXEL)
    first, further = FLUX2_PRICE
    return first + further * (math.ceil(out_w * out_h / MEGAPIXEL) - 1 + in_mp)


def sides(body):
    return [body.get(s) or 0 for s in ("top", "bottom", "left", "right")]


def picture(kind, images):
    """What a task starts from: its image, or an edit's first input (a
    plain 1 MP picture when an edit model generates from nothing)."""
    if kind in ("kontext", "flux2"):
        return images.get("input_image") or Image.new("RGB", (1024, 1024))
    return images["image"]


def output_size(kind, body, image, scenario):
    if scenario.get("output_size"):
        return tuple(scenario["output_size"])
    w, h = image.size
    if kind == "flux2" and body.get("width") and body.get("height"):
        return (body["width"] // 16 * 16, body["height"] // 16 * 16)
    if kind in ("kontext", "flux2"):
        return edit_size(w, h, kind)
    if kind == "expand":
        top, bottom, left, right = sides(body)
        w, h = w + left + right, h + top + bottom
    return flux_size(w, h)


class Task:
    def __init__(self, state, kind, body, image, mask, scenario, cost):
        self.id = str(uuid.uuid4())
        self.state, self.kind, self.body = state, kind, body
        self.image, self.mask, self.scenario, self.cost = image, mask, scenario, cost
        self.created = time.monotonic()
        self.start_time = time.time()
        self.seed = body["seed"] if body.get("seed") is not None else random.randrange(2**32)
        self.final = None
        self.sample = None

    def status(self):
        """Called with state.lock held."""
        if self.final:
            return self.final
        outcome = self.scenario["outcome"]
        if self.seed in self.scenario.get("fail_seeds", []):
            outcome = "Error"
        elapsed = time.monotonic() - self.created
        if outcome != "Request Moderated" and elapsed < self.scenario["duration"]:
            return "Pending"
        self.final = outcome
        if outcome in MODERATED and self.cost:
            self.state.scenario["credits"] += self.cost      # moderated: not charged
        if outcome == "Ready":
            self.sample = self.publish()
        return self.final

    def publish(self):
        """Renders the result onto the delivery server; its signed URL."""
        fmt = "png" if self.body.get("output_format") == "png" else "jpeg"
        size = output_size(self.kind, self.body, self.image, self.scenario)
        if self.kind in ("kontext", "flux2"):
            data, _ = render_edit(self.image, size, fmt, self.scenario["color"],
                                  self.scenario["drift"])
            return self.deliver(data, fmt)
        if self.kind == "fill":
            image, mask = self.image, self.mask if self.mask is not None else alpha_mask(self.image)
        else:
            top, bottom, left, right = sides(self.body)
            w, h = self.image.size
            image = Image.new("RGB", (w + left + right, h + top + bottom))
            image.paste(self.image.convert("RGB"), (left, top))
            mask = Image.new("L", image.size, 255)
            mask.paste(0, (left, top, left + w, top + h))
        data, _ = render_output({"outpaint": "None", "output_format": "png" if fmt == "png" else "jpg"},
                                image, mask, self.scenario["color"], self.scenario["drift"],
                                size)
        return self.deliver(data, fmt)

    def deliver(self, data, fmt):
        """Puts a result on the delivery server; its signed URL."""
        path = time.strftime("/results/%Y/%m/%d/", time.gmtime()) + f"{uuid.uuid4().hex}_sample.{fmt}"
        ttl = self.scenario["sample_ttl"]
        se = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + ttl))
        self.state.blobs[path] = (data, f"image/{fmt}", time.monotonic() + ttl)
        query = f"se={se.replace(':', '%3A')}&sp=r&sv=2024-11-04&sr=b&rsct=image/{fmt}"
        return (f"http://127.0.0.1:{self.state.ports['delivery']}{path}?{query}"
                f"&sig={sign(self.state, path, query)}")

    def to_json(self):
        status = self.status()
        doc = {"id": self.id, "status": status, "result": None, "progress": None,
               "details": None, "preview": None}
        if status == "Pending":
            doc["progress"] = round(min(0.99, (time.monotonic() - self.created)
                                        / max(self.scenario["duration"], 1e-6)), 2)
        elif status == "Ready":
            doc["result"] = {"start_time": self.start_time, "prompt": self.body.get("prompt") or "",
                             "seed": self.seed, "sample": self.sample}
        elif status in MODERATED:
            doc["details"] = {"Moderation Reasons": self.scenario["moderation_reasons"]}
        elif status == "Error":
            doc["details"] = {"error": self.scenario["error"]}
        return doc


def sign(state, path, query):
    mac = hmac.new(state.secret, (path + "?" + query).encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


# ---------------------------------------------------------------- servers

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    state = None
    name = None
    entry = None

    def log_message(self, *args):
        pass

    def begin(self):
        """This request's log entry (one handler serves a connection's
        requests, so each starts its own)."""
        self.entry = {"server": self.name, "method": self.command, "path": self.path,
                      "status": None, "key": self.state.key_state(self.headers),
                      "authorization": "Authorization" in self.headers,
                      "content_type": self.headers.get("Content-Type"),
                      "user_agent": self.headers.get("User-Agent")}
        with self.state.lock:
            self.state.requests.append(self.entry)

    def note(self, **fields):
        self.entry.update(fields)     # one dict's update: atomic enough

    def send(self, status, body, ctype, headers=None):
        if self.entry is not None:
            self.entry["status"] = status
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def send_json(self, status, obj, headers=None):
        self.send(status, json.dumps(obj).encode(), "application/json", headers)


class Api(Handler):
    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return None if n > MAX_BODY else self.rfile.read(n)

    def handle_any(self):
        self.entry = None
        body = self.read_body()
        url = urlsplit(self.path)
        if self.name == "api" and url.path.startswith("/_standin/"):
            return self.control(url.path, body)
        self.begin()
        if body is None:
            self.close_connection = True
            return self.send_json(413, {"detail": "Request Entity Too Large"})
        if url.path not in ROUTES:
            return self.send_json(404, {"detail": "Not Found"})
        if self.command != ROUTES[url.path]:
            return self.send_json(405, {"detail": "Method Not Allowed"})
        # The foreign host asks for nothing: it is there to catch the key.
        key = self.entry["key"]
        if key != "valid" and self.name != "foreign":
            detail = "Not authenticated" + (" - Invalid Authentication" if key == "invalid" else "")
            return self.send_json(self.state.scenario["auth_status"], {"detail": detail})
        if url.path == CREDITS:
            return self.send_json(200, {"credits": self.state.scenario["credits"]})
        if url.path == GET_RESULT:
            return self.get_result(parse_qs(url.query).get("id"))
        return self.submit(ENDPOINTS[url.path], body)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = handle_any

    def submit(self, kind, raw):
        self.note(endpoint=kind, body_bytes=len(raw))
        try:
            body = json.loads(raw)
        except ValueError as e:
            return self.send_json(422, {"detail": [field_error("json_invalid", [0], "JSON decode error",
                                                               None, {"error": str(e)})]})
        if isinstance(body, dict):
            names = [k for k, spec in FIELDS[kind].items() if spec[0] == "image" and k in body]
            self.note(body={k: v for k, v in body.items() if k not in names},
                      **{f"{k}_form": image_form(body[k]) for k in names})
        images, errors = validate(kind, body)
        mask = images.get("mask")
        for name in ("image", "mask"):
            if name in images:
                self.note(**{f"{name}_size": list(images[name].size)})
        inputs = [img for name, img in images.items() if name != "mask"]
        self.note(images=len(inputs), image_sizes=[list(img.size) for img in inputs])
        if inputs:
            self.note(image_samples=image_samples(inputs[0]))
        if errors:
            return self.send_json(422, {"detail": errors})
        if self.queued_error("submit_errors"):
            return
        image = picture(kind, images)
        with self.state.lock:
            scenario = self.state.scenario
            cost = task_cost(kind, body, images, scenario)
            active = sum(1 for t in self.state.tasks.values() if t.status() == "Pending")
            if cost and scenario["credits"] < cost:
                refusal = (402, f"Insufficient credits: this task costs {cost:g} credits, "
                                f"the account has {scenario['credits']:g}")
            elif active >= scenario["max_active"]:
                refusal = (429, f"You have exceeded the limit of {scenario['max_active']} active "
                                "tasks; this task was not accepted")
            else:
                refusal = None
                task = Task(self.state, kind, body, image, mask, json.loads(json.dumps(scenario)),
                            cost or 0)
                self.state.tasks[task.id] = task
                scenario["credits"] -= cost or 0
                host = {"same": self.name}.get(scenario["polling_host"], scenario["polling_host"])
                port = self.state.ports[host]
        if refusal:
            return self.send_json(refusal[0], {"detail": scenario.get("detail", refusal[1])})
        self.note(task=task.id)
        doc = {"id": task.id, "polling_url": f"http://127.0.0.1:{port}{GET_RESULT}?id={task.id}"}
        if cost is not None:
            out_w, out_h = output_size(kind, body, image, task.scenario)
            doc.update(cost=cost, input_mp=round(image.size[0] * image.size[1] / 1e6, 2),
                       output_mp=round(out_w * out_h / 1e6, 2))
        self.send_json(200, doc)

    def get_result(self, ids):
        if not ids:
            return self.send_json(422, {"detail": [{"type": "missing", "loc": ["query", "id"],
                                                    "msg": "Field required", "input": None}]})
        if self.queued_error("poll_errors"):
            return
        with self.state.lock:
            task = self.state.tasks.get(ids[0])
            doc = task.to_json() if task else None
        if doc is None or doc["status"] == "Task not found":
            doc = {"id": ids[0], "status": "Task not found", "result": None, "progress": None,
                   "details": None, "preview": None}
        self.send_json(200, doc)

    def queued_error(self, queue):
        with self.state.lock:
            errors = self.state.scenario[queue]
            if not errors:
                return False
            status, retry_after = errors.pop(0)
        if status == "drop":
            # Read (and perhaps acted on); the connection closes unanswered.
            self.close_connection = True
            self.connection.shutdown(2)
        elif status in ("empty", "truncated"):
            body = b"" if status == "empty" else b'{"id": "abc", "status": "Pend'
            self.send(200, body, "application/json")
        else:
            detail = self.state.scenario.get("detail", QUEUED_DETAILS.get(status, "Error"))
            headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
            self.send_json(status, {"detail": detail}, headers)
        return True

    def control(self, path, body):
        state = self.state
        if path == "/_standin/scenario" and self.command == "POST":
            try:
                fields = json.loads(body or b"{}")
            except ValueError:
                fields = None
            if not isinstance(fields, dict):
                return self.send_json(400, {"detail": "the scenario must be a JSON object"})
            unknown = sorted(set(fields) - KNOWN_SCENARIO_KEYS)
            bad = [f"{k}={fields[k]!r}" for k, allowed in
                   (("outcome", OUTCOMES), ("polling_host", ("same", "regional", "foreign")),
                    ("auth_status", (401, 403))) if k in fields and fields[k] not in allowed]
            if unknown or bad:
                return self.send_json(400, {"detail": f"unknown scenario keys: {', '.join(unknown)}; "
                                                      f"bad values: {', '.join(bad)} (known keys: "
                                                      f"{', '.join(sorted(KNOWN_SCENARIO_KEYS))})"})
            with state.lock:
                state.scenario = fresh_scenario(fields)
                return self.send_json(200, state.scenario)
        if path == "/_standin/requests" and self.command == "GET":
            with state.lock:
                return self.send_json(200, list(state.requests))
        if path == "/_standin/reset" and self.command == "POST":
            state.reset()
            return self.send_json(200, {})
        return self.send_json(404, {"detail": "Not Found"})


class Delivery(Handler):
    """The CDN: signed, expiring URLs, and no credentials wanted."""

    def azure_error(self, status, code, message):
        body = (f'<?xml version="1.0" encoding="utf-8"?><Error><Code>{code}</Code>'
                f"<Message>{message}</Message></Error>").encode()
        self.send(status, body, "application/xml", {"x-ms-error-code": code})

    def do_GET(self):
        self.begin()
        url = urlsplit(self.path)
        query, _, sig = url.query.rpartition("&sig=")
        with self.state.lock:
            blob = self.state.blobs.get(url.path)
        expired = blob is not None and time.monotonic() >= blob[2]
        self.note(expired=expired)
        if "x-key" in self.headers or "Authorization" in self.headers:
            return self.azure_error(403, "AuthenticationFailed",
                                    "Server failed to authenticate the request: this URL is "
                                    "signed and takes no credentials")
        if blob is None:
            return self.azure_error(404, "BlobNotFound", "The specified blob does not exist.")
        if not hmac.compare_digest(sig, sign(self.state, url.path, query)):
            return self.azure_error(403, "AuthenticationFailed", "Signature did not match.")
        if expired:
            return self.azure_error(403, "AuthenticationFailed",
                                    "Signature not valid in the specified time frame")
        self.send(200, blob[0], blob[1])


def serve(key):
    state = State(key)
    servers = {}
    for name, base in (("api", Api), ("regional", Api), ("foreign", Api), ("delivery", Delivery)):
        handler = type(f"{base.__name__}_{name}", (base,), {"state": state, "name": name})
        servers[name] = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        servers[name].daemon_threads = True
        state.ports[name] = servers[name].server_address[1]
        threading.Thread(target=servers[name].serve_forever, daemon=True).start()
    return state, servers


# ---------------------------------------------------------------- self-test

def self_test():
    import urllib.error
    import urllib.request

    key = "bfl_selftest_key"
    state, _ = serve(key)
    api = f"http://127.0.0.1:{state.ports['api']}"

    def b64(img, fmt="PNG"):
        buf = io.BytesIO()
        img.save(buf, fmt)
        return base64.b64encode(buf.getvalue()).decode()

    picture = Image.new("RGB", (300, 260), (10, 20, 30))
    mask = Image.new("L", (300, 260), 0)
    mask.paste(255, (0, 0, 100, 260))              # the left third is painted
    good = {"image": b64(picture), "mask": b64(mask), "prompt": "a cat", "steps": 50,
            "guidance": 60, "seed": 7, "safety_tolerance": 2, "output_format": "png",
            "prompt_upsampling": False}
    expand = {"image": b64(picture), "top": 10, "bottom": 20, "left": 30, "right": 40,
              "prompt": "more", "output_format": "png"}

    def call(method, url, body=None, x_key=key, headers=None):
        url = url if url.startswith("http") else api + url
        req = urllib.request.Request(url, method=method,
                                     data=json.dumps(body).encode() if body is not None else None)
        if x_key:
            req.add_header("x-key", x_key)
        req.add_header("Content-Type", "application/json")
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        try:
            with urllib.request.urlopen(req) as r:
                status, data, hdrs = r.status, r.read(), r.headers
        except urllib.error.HTTPError as e:
            status, data, hdrs = e.code, e.read(), e.headers
        try:
            return status, json.loads(data), hdrs
        except ValueError:
            return status, data, hdrs

    def scenario(**fields):
        s, b, _ = call("POST", "/_standin/scenario", fields, x_key=None)
        assert s == 200, b

    def until_final(url, **kw):
        for _ in range(200):
            s, b, _ = call("GET", url, **kw)
            if s != 200 or b.get("status") != "Pending":
                return s, b
            time.sleep(0.02)
        return s, b

    cases = []

    def case(name, ok, why=""):
        cases.append((name, bool(ok), why))

    def last_entry():
        return call("GET", "/_standin/requests", x_key=None)[1][-1]

    # Auth: 403 both ways, and the key goes in x-key only.
    s, b, _ = call("POST", FILL, good, x_key=None)
    case("missing x-key is 403 Not authenticated, logged as missing", s == 403
         and b == {"detail": "Not authenticated"} and last_entry()["key"] == "missing", f"{s} {b}")
    s, b, _ = call("POST", FILL, good, x_key="wrong")
    case("wrong x-key is 403, logged as invalid", s == 403 and "Invalid" in b["detail"]
         and last_entry()["key"] == "invalid", f"{s} {b}")
    s, _, _ = call("POST", FILL, good, x_key=None, headers={"Authorization": "Bearer " + key})
    case("the key as a Bearer token is refused", s == 403, f"{s}")
    s, b, _ = call("GET", CREDITS)
    s2, _, _ = call("GET", CREDITS, x_key=None)
    case("credits: 200 {credits} with the key, 403 without", s == 200 and s2 == 403
         and isinstance(b.get("credits"), (int, float)), f"{s} {s2} {b}")
    scenario(auth_status=401)
    s, _, _ = call("GET", CREDITS, x_key="wrong")
    case("auth_status 401 changes the refusal's code", s == 401, f"{s}")
    scenario()

    # Fields and ranges, FastAPI-style.
    tiny = b64(Image.new("L", (30, 26)))
    for field, value in [("steps", 14), ("steps", 51), ("steps", 20.0), ("guidance", 1.4),
                         ("guidance", 100.5), ("safety_tolerance", 7), ("safety_tolerance", None),
                         ("output_format", "webp"), ("output_format", "jpg"),
                         ("prompt_upsampling", "yes"), ("seed", "7"), ("colour", 1),
                         ("mask", tiny), ("image", "data:image/png;base64," + good["image"]),
                         ("image", "not base64!"), ("image", b64(picture, "BMP"))]:
        s, b, _ = call("POST", FILL, dict(good, **{field: value}))
        locs = [d.get("loc") for d in b.get("detail", [])] if s == 422 else []
        named = ["body", field] in locs or (field == "mask" and ["body"] in locs)
        case(f"{field}={value!r:.24} is 422 with detail [{{loc, msg, type}}] naming it",
             s == 422 and named and all({"loc", "msg", "type"} <= set(d) for d in b["detail"]),
             f"{s} {b}")
    s, b, _ = call("POST", FILL, {k: v for k, v in good.items() if k != "image"})
    case("a fill without image is 422 missing", s == 422
         and b["detail"][0]["type"] == "missing", f"{s} {b}")
    s, b, _ = call("POST", FILL, dict(good, output_format="jpeg", guidance=1.5, steps=15,
                                      safety_tolerance=0, seed=None, mask=None,
                                      image=b64(Image.new("RGBA", (300, 260)))))
    case("edges of the ranges, no mask but an alpha channel: accepted", s == 200, f"{s} {b}")

    # A fill: submit, poll, download (no key), the painted pixels.
    s, b, _ = call("POST", FILL, good)
    entry = last_entry()
    case("a fill answers {id, polling_url, cost 5, input_mp, output_mp}", s == 200
         and set(b) == {"id", "polling_url", "cost", "input_mp", "output_mp"} and b["cost"] == 5
         and b["polling_url"].startswith(api + GET_RESULT), f"{s} {b}")
    case("its log has the decoded sizes, the form and samples, and no image",
         entry["image_size"] == [300, 260] and entry["mask_size"] == [300, 260]
         and entry["image_form"] == "base64" and len(entry["image_samples"]) == 16
         and "image" not in entry["body"], f"{entry}")
    poll = b["polling_url"]
    s, b, _ = call("GET", poll)
    case("at first it is Pending with a progress", s == 200 and b["status"] == "Pending"
         and 0 <= b["progress"] < 1, f"{s} {b}")
    s, b = until_final(poll)
    sample = (b.get("result") or {}).get("sample", "")
    case("then Ready, result {sample, seed, prompt}, sample on the delivery server",
         b.get("status") == "Ready" and b["result"]["seed"] == 7
         and sample.startswith(f"http://127.0.0.1:{state.ports['delivery']}/results/"), f"{b}")
    s, data, hdrs = call("GET", sample, x_key=None)
    ok = s == 200 and hdrs["Content-Type"] == "image/png"
    if ok:
        out = Image.open(io.BytesIO(data)).convert("RGB")
        ok = (out.size == flux_size(300, 260) and out.getpixel((10, 100)) == (255, 0, 255)
              and out.getpixel((250, 100)) == (16, 16, 33))
    case("the sample, fetched without a key: FLUX size, masked pixels magenta, the rest kept",
         ok, f"{s}")
    s, _, _ = call("GET", sample)
    case("the delivery server refuses the x-key (403) and logs it", s == 403
         and last_entry()["key"] == "valid", f"{s}")
    s, _, _ = call("GET", sample, x_key=None, headers={"Authorization": "Bearer x"})
    case("and refuses an Authorization header", s == 403, f"{s}")
    s, _, _ = call("GET", sample.replace("sig=", "sig=x"), x_key=None)
    case("a tampered signature is 403", s == 403, f"{s}")

    # Expiry.
    scenario(duration=0, sample_ttl=0.2)
    s, b, _ = call("POST", FILL, good)
    s, b = until_final(b["polling_url"])
    s1, _, _ = call("GET", b["result"]["sample"], x_key=None)
    time.sleep(0.3)
    s2, data, _ = call("GET", b["result"]["sample"], x_key=None)
    case("a sample expires after sample_ttl: 200, then 403 AuthenticationFailed",
         s1 == 200 and s2 == 403 and b"not valid in the specified time frame" in data, f"{s1} {s2}")

    # 402 and 429.
    scenario(credits=4)
    s, b, _ = call("POST", FILL, good)
    case("below the cost in credits: 402", s == 402 and "credits" in b["detail"], f"{s} {b}")
    scenario(credits=10, duration=0)
    call("POST", FILL, good)
    s, b, _ = call("GET", CREDITS)
    case("an accepted fill takes its cost from the credits", b.get("credits") == 5, f"{b}")
    scenario(submit_errors=[[429, 3], [402, None]], duration=0)
    s1, _, h1 = call("POST", FILL, good)
    s2, _, _ = call("POST", FILL, good)
    s3, _, _ = call("POST", FILL, good)
    case("queued 429 (Retry-After 3) then 402 are answered once each, then accepted",
         (s1, s2, s3) == (429, 402, 200) and h1["Retry-After"] == "3", f"{s1} {s2} {s3}")
    scenario(max_active=1, duration=5)
    s1, b1, _ = call("POST", FILL, good)
    s2, b2, _ = call("POST", FILL, good)
    case("more active tasks than max_active: 429, not accepted", (s1, s2) == (200, 429)
         and "not accepted" in b2["detail"], f"{s1} {s2}")

    # Outcomes.
    scenario(outcome="Request Moderated", credits=10)
    s, b, _ = call("POST", FILL, good)
    s, b, _ = call("GET", b["polling_url"])
    credits = call("GET", CREDITS)[1]["credits"]
    case("Request Moderated at the first poll, with Moderation Reasons, and not charged",
         b["status"] == "Request Moderated" and b["result"] is None
         and b["details"]["Moderation Reasons"] and credits == 10, f"{b} {credits}")
    for outcome, detail in (("Content Moderated", "Moderation Reasons"), ("Error", "error"),
                            ("Task not found", None)):
        scenario(outcome=outcome, duration=0.05)
        s, b, _ = call("POST", FILL, good)
        s, b = until_final(b["polling_url"])
        case(f"{outcome} after Pending", s == 200 and b["status"] == outcome
             and (detail is None or detail in b["details"]), f"{s} {b}")
    s, b, _ = call("GET", GET_RESULT + "?id=nosuchtask")
    case("an unknown id is 200 Task not found", s == 200 and b["status"] == "Task not found",
         f"{s} {b}")
    scenario(fail_seeds=[8], duration=0)
    outcomes = [until_final(call("POST", FILL, dict(good, seed=seed))[1]["polling_url"])[1]["status"]
                for seed in (7, 8)]
    case("fail_seeds: only that variation ends in Error", outcomes == ["Ready", "Error"],
         f"{outcomes}")
    scenario(poll_errors=[[503, None]], duration=0)
    s, b, _ = call("POST", FILL, good)
    s1, _, _ = call("GET", b["polling_url"])
    s2, _, _ = call("GET", b["polling_url"])
    case("a queued 503 on a poll, then the poll answers", (s1, s2) == (503, 200), f"{s1} {s2}")

    # Where polling_url points.
    scenario(polling_host="regional", duration=0)
    s, b, _ = call("POST", FILL, good)
    regional = f"http://127.0.0.1:{state.ports['regional']}{GET_RESULT}?id="
    ok = b["polling_url"].startswith(regional)
    s, b = until_final(b["polling_url"])
    entry = last_entry()
    case("polling_host regional: polled on the regional server, with the key",
         ok and b["status"] == "Ready" and entry["server"] == "regional", f"{b} {entry}")
    s, _, _ = call("GET", regional + "x", x_key=None)
    case("the regional server wants the key too", s == 403, f"{s}")
    scenario(polling_host="foreign", duration=0)
    s, b, _ = call("POST", FILL, good)
    ok = b["polling_url"].startswith(f"http://127.0.0.1:{state.ports['foreign']}{GET_RESULT}")
    call("GET", b["polling_url"])
    case("polling_host foreign: the url names it, and the key reaching it is logged",
         ok and last_entry()["server"] == "foreign" and last_entry()["key"] == "valid", f"{b}")

    # Expand.
    scenario(duration=0)
    s, b, _ = call("POST", EXPAND, expand)
    size = flux_size(370, 290)
    ok = s == 200 and b["output_mp"] == round(size[0] * size[1] / 1e6, 2)
    s, b = until_final(b["polling_url"]) if ok else (s, b)
    ok = ok and b["status"] == "Ready"
    if ok:
        out = Image.open(io.BytesIO(call("GET", b["result"]["sample"], x_key=None)[1]))
        ok = out.size == size and out.convert("RGB").getpixel((5, 140)) == (255, 0, 255)
    case(f"expand 300x260 by 10/20/30/40: a {size[0]}x{size[1]} result, new pixels painted",
         ok, f"{s} {b}")
    for field, value in [("top", 2049), ("left", -1), ("mask", good["mask"])]:
        s, b, _ = call("POST", EXPAND, dict(expand, **{field: value}))
        case(f"expand {field}={value!r:.12} is 422", s == 422
             and ["body", field] in [d["loc"] for d in b["detail"]], f"{s} {b}")
    s, b, _ = call("POST", EXPAND, dict(expand, top=0, bottom=0, left=0, right=None))
    case("expand with no side is 422", s == 422, f"{s} {b}")
    s, b, _ = call("POST", EXPAND, dict(expand, image=b64(Image.new("RGB", (255, 300)))))
    case("expand of an image under 256 pixels a side is 422", s == 422, f"{s} {b}")

    # The edit models.
    scenario(duration=0, drift=[0, 0, 0])
    edit = {"prompt": "make it red", "input_image": b64(picture), "seed": 3,
            "output_format": "png", "safety_tolerance": 2, "prompt_upsampling": False}
    s, b, _ = call("POST", KONTEXT, edit)
    entry = last_entry()
    ok = s == 200 and b.get("cost") == 4
    s, b = until_final(b["polling_url"]) if ok else (s, b)
    out = None
    if ok and b.get("status") == "Ready":
        out = Image.open(io.BytesIO(call("GET", b["result"]["sample"], x_key=None)[1])).convert("RGB")
    case("a Kontext edit of 300x260: 4 credits, about 1 MP at its aspect ratio, halfway to the "
         "colour", out is not None and out.size == edit_size(300, 260, "kontext") == (1104, 960)
         and all(abs(a - e) <= 2 for a, e in zip(out.getpixel((500, 500)), (132, 10, 142))),
         f"{s} {b} {out and out.size}")
    case("its log counts one image and its size", entry.get("images") == 1
         and entry.get("image_sizes") == [[300, 260]] and entry.get("input_image_form") == "base64"
         and "input_image" not in entry["body"], f"{entry}")
    for field, value in [("safety_tolerance", 3), ("steps", 50), ("guidance", 3),
                         ("output_format", "jpg"), ("image", edit["input_image"])]:
        s, b, _ = call("POST", KONTEXT, dict(edit, **{field: value}))
        case(f"Kontext {field}={value!r:.12} is 422 naming it", s == 422
             and ["body", field] in [d["loc"] for d in b["detail"]], f"{s} {b}")
    s, _, _ = call("POST", KONTEXT, {"prompt": "a cat", "safety_tolerance": 6})
    case("Kontext without an image takes safety_tolerance 6", s == 200, f"{s}")
    ref = b64(Image.new("RGB", (120, 80), (200, 200, 200)), "JPEG")
    edit2 = {"prompt": "the logo on the mug", "input_image": b64(picture), "input_image_2": ref,
             "output_format": "jpeg", "safety_tolerance": 5}
    s, b, _ = call("POST", FLUX2, edit2)
    entry = last_entry()
    size = edit_size(300, 260, "flux2")
    ok = s == 200 and b.get("cost") == 3 + 1.5 * (0 + 1)
    s, b = until_final(b["polling_url"]) if ok else (s, b)
    out = None
    if ok and b.get("status") == "Ready":
        out = Image.open(io.BytesIO(call("GET", b["result"]["sample"], x_key=None)[1]))
    case("a FLUX.2 edit with a reference: two images logged, 0.5 MP, 4.5 credits",
         out is not None and out.size == size == (784, 672) and entry.get("images") == 2
         and entry.get("image_sizes") == [[300, 260], [120, 80]], f"{s} {b} {entry}")
    eight = dict(edit2, **{f"input_image_{i}": ref for i in range(2, 9)})
    s, _, _ = call("POST", FLUX2, eight)
    case("FLUX.2 takes eight images", s == 200, f"{s}")
    for field, value, loc in [("input_image_9", ref, ["body", "input_image_9"]),
                              ("safety_tolerance", 6, ["body", "safety_tolerance"]),
                              ("input_image_2", None, ["body"]),
                              ("guidance", 3, ["body", "guidance"])]:
        body = dict(edit2, **{field: value})
        if field == "input_image_2":
            body["input_image_3"] = ref        # a gap
        s, b, _ = call("POST", FLUX2, body)
        case(f"FLUX.2 {field}={value!r:.12} is 422 naming it", s == 422
             and loc in [d["loc"] for d in b["detail"]], f"{s} {b}")

    # No cancel, methods, the scenario's own checks.
    s1, _, _ = call("POST", FILL + "/cancel", {})
    s2, _, _ = call("POST", GET_RESULT + "?id=x", {})
    case("no cancel endpoint (404); POST get_result is 405", (s1, s2) == (404, 405), f"{s1} {s2}")
    before = dict(state.scenario)
    s, b, _ = call("POST", "/_standin/scenario", {"duraton": 5, "outcome": "Succeeded"}, x_key=None)
    case("misspelt scenario keys or values are 400 naming them, and change nothing", s == 400
         and "duraton" in b["detail"] and "Succeeded" in b["detail"]
         and state.scenario == before, f"{s} {b}")

    print("TAP version 13")
    print(f"1..{len(cases)}")
    failed = 0
    for i, (name, ok, why) in enumerate(cases, 1):
        print(f"{'ok' if ok else 'not ok'} {i} - {name}" + ("" if ok else f" # {why}"[:400]))
        failed += not ok
    return 1 if failed else 0


def main():
    args = sys.argv[1:]
    if "--self-test" in args:
        sys.exit(self_test())
    key = args[args.index("--token") + 1] if "--token" in args else "bfl_test_key"
    state, _ = serve(key)
    p = state.ports
    print(f"PORT {p['api']} {p['delivery']} {p['regional']} {p['foreign']}", flush=True)
    try:
        # Ends when the test closes our stdin, so no server outlives its test.
        sys.stdin.read()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
