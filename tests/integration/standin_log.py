# SPDX-License-Identifier: GPL-3.0-or-later
"""What the stand-in's request log says about predictions, for the
flux-fill-batch tests (no PIL: test_batch_root.py runs on the host)."""
import re


def exchange(requests):
    """(creates answered 201, ids polled, ids cancelled) in @requests,
    the list GET /_standin/requests returns."""
    creates, polled, cancelled = 0, set(), set()
    for r in requests:
        path = r["path"].split("?")[0]
        m = re.search(r"/v1/predictions/([A-Za-z0-9]+)(/cancel)?$", path)
        if r["method"] == "POST" and path.endswith("/predictions") and r["status"] == 201:
            creates += 1
        elif m and m.group(2) and r["method"] == "POST":
            cancelled.add(m.group(1))
        elif m and r["method"] == "GET":
            polled.add(m.group(1))
    return creates, polled, cancelled
