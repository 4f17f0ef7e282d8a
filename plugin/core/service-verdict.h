/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What a failed request says about the API token, whichever call failed:
 * the one place that reads HTTP statuses for it, so the glue never does.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The service refused the token (401, 403). */
gboolean ff_error_refuses_token (const GError *error);

/* The service read the request and judged it on its merits: a
 * prediction ran (and failed, was canceled, timed out, had no output),
 * or the answer was 402 (credits), 422 (input) or 429 (busy).  The token
 * passed.  A 404, a 5xx, an unreadable answer or none at all say
 * nothing about it.
 */
gboolean ff_error_token_passed  (const GError *error);

G_END_DECLS
