/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A prediction (a job on the service) as a provider reads it: Replicate's
 * own JSON is parsed here; other providers fill the same struct.  And the
 * problem+json bodies of errors.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define FF_API_ERROR (ff_api_error_quark ())
GQuark ff_api_error_quark (void);

typedef enum
{
  FF_API_ERROR_BAD_RESPONSE,       /* not the JSON a prediction should be */
  FF_API_ERROR_FAILED,             /* status "failed": the message is the model's error */
  FF_API_ERROR_CANCELED,           /* "canceled" or "aborted" */
  FF_API_ERROR_NO_OUTPUT,          /* succeeded without a usable output URL */
  FF_API_ERROR_TIMED_OUT,
  FF_API_ERROR_BAD_CONFIG,         /* base URL or token unusable */
  FF_API_ERROR_MODERATED,          /* the service's moderation refused the input or result */
  FF_API_ERROR_NOT_FOUND,          /* the service no longer knows the job */
} FfApiError;

typedef enum
{
  FF_STATUS_STARTING,
  FF_STATUS_PROCESSING,
  FF_STATUS_SUCCEEDED,
  FF_STATUS_FAILED,
  FF_STATUS_CANCELED,
  FF_STATUS_ABORTED,
} FfStatus;

typedef struct
{
  gchar    *id;
  FfStatus  status;
  gchar    *error;        /* nullable: the model's own words on failure */
  gchar    *output_url;   /* nullable: first URL of "output", string or list */
  gchar    *poll_url;     /* nullable: where to poll, for services that say (BFL) */
  gboolean  moderated;    /* failed because the service's moderation refused it */
  gint      cost;         /* the service's own figure in US cents, or -1 */
} FfPrediction;

/* Parses a prediction object; fails with FF_API_ERROR_BAD_RESPONSE when
 * "id" or a known "status" is missing.  Returns (transfer full).
 */
FfPrediction * ff_prediction_parse      (const gchar   *data,
                                         gsize          length,
                                         GError       **error);
void           ff_prediction_free       (FfPrediction  *prediction);
/* Whether @id may go into a URL's path or query: letters, digits, '-'
 * and '_', not empty.
 */
gboolean       ff_prediction_id_ok      (const gchar   *id);
gboolean       ff_status_is_terminal    (FfStatus       status);

/* The URL by which predictions take a file uploaded to the Files API:
 * its "urls.get".  (transfer full)
 */
gchar *        ff_file_url_parse        (const gchar   *data,
                                         gsize          length,
                                         GError       **error);

/* The "detail" (else "title") of an RFC 7807 error body, or NULL when
 * the body is not such JSON.  (transfer full)
 */
gchar *        ff_problem_detail        (const gchar   *data,
                                         gsize          length);

/* Words of the service's that reach the user (an error "detail", a
 * prediction's "error"): valid UTF-8, without terminal escape sequences,
 * control or bidi-override characters (newlines kept), at most
 * FF_SERVICE_TEXT_MAX_CHARS characters.  NULL for NULL.  (transfer full)
 */
#define FF_SERVICE_TEXT_MAX_CHARS 1000
gchar *        ff_service_text          (const gchar   *text);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FfPrediction, ff_prediction_free)

G_END_DECLS
