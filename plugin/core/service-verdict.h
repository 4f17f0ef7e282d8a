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

/* What went wrong, in the neutral terms the glue puts into words. */
typedef enum
{
  FF_FAILURE_OTHER,
  FF_FAILURE_UNAUTHORIZED,      /* the key was refused */
  FF_FAILURE_PAYMENT_REQUIRED,  /* no credits left */
  FF_FAILURE_MODERATED,         /* the service's moderation refused it */
  FF_FAILURE_RATE_LIMITED,      /* too many requests or tasks, even after waiting */
  FF_FAILURE_UNREACHABLE,       /* no answer */
  FF_FAILURE_NOT_FOUND,         /* no such API or task at this URL */
  FF_FAILURE_FAILED,            /* the model ran and made no picture */
} FfFailure;

FfFailure ff_error_failure (const GError *error);

G_END_DECLS
