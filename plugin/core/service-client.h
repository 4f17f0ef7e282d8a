/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Runs one prediction (a job) on a service and downloads its output,
 * whatever the provider: retries, waiting, limits, canceling on giving
 * up, and where the key may go are here; each provider's protocol is in
 * a file of its own (provider.h).
 */
#pragma once

#include <glib.h>

#include "http-client.h"
#include "prediction.h"
#include "service-table.h"

G_BEGIN_DECLS

#define FF_DEFAULT_BASE_URL    "https://api.replicate.com"
#define FF_MODEL_PATH          "black-forest-labs/flux-fill-pro"
#define FF_MAX_DOWNLOAD_BYTES  (100 * 1024 * 1024)
/* Longer ones are refused: they only ever come from a mistake or an attack. */
#define FF_BASE_URL_MAX_BYTES  2048
#define FF_TOKEN_MAX_BYTES     1024

typedef struct _FfClient FfClient;

/* A client of @provider at @base_url (NULL: the provider's own) with
 * @token.  Checks @base_url (https, or http on loopback only) and
 * @token; fails with FF_API_ERROR_BAD_CONFIG.  Returns (transfer full).
 */
FfClient * ff_client_new_for        (const FfProviderInfo *provider,
                                     const gchar         *base_url,
                                     const gchar         *token,
                                     GError             **error);
/* The same for Replicate's API. */
FfClient * ff_client_new            (const gchar         *base_url,
                                     const gchar         *token,
                                     GError             **error);
const FfProviderInfo *
           ff_client_provider       (FfClient            *client);
/* What the service said the last job costs, in US cents (Black Forest
 * Labs answers it); -1 when it did not say.
 */
gint       ff_client_last_cost      (FfClient            *client);
void       ff_client_free           (FfClient            *client);

/* @func runs while requests are under way and between polls; FALSE from
 * it cancels the prediction on the service and the call fails with
 * G_IO_ERROR_CANCELLED.
 */
void       ff_client_set_progress   (FfClient            *client,
                                     FfHttpProgressFunc   func,
                                     gpointer             user_data);
typedef struct
{
  gdouble poll_seconds;    /* first poll interval; it grows to 2 s */
  gdouble limit_seconds;   /* the whole fill; at the limit the prediction is canceled */
  gint    stall_seconds;   /* a transfer below 1 kB/s this long fails */
  gdouble retry_seconds;   /* first backoff after a 5xx or a broken connection */
} FfClientTiming;

#define FF_CLIENT_TIMING_DEFAULT ((FfClientTiming) { 0.5, 600, 30, 0.5 })
/* A longer limit is taken as this one (a day); "inf" too. */
#define FF_LIMIT_MAX_SECONDS     86400.0

/* The defaults suit the real service; tests shorten them. */
void       ff_client_set_timing     (FfClient             *client,
                                     const FfClientTiming *timing);

/* Called with the new prediction's id as soon as the service made it, so
 * the caller can arrange for it to be canceled should this process die.
 */
typedef void (* FfCreatedFunc) (const gchar *prediction_id,
                                gpointer     user_data);

void       ff_client_set_created    (FfClient            *client,
                                     FfCreatedFunc        func,
                                     gpointer             user_data);

/* The free, authenticated routes a check asks at Replicate, in this
 * order; Black Forest Labs': its credits.
 */
#define FF_CHECK_ACCOUNT "/v1/account"
#define FF_CHECK_MODEL   "/v1/models/" FF_MODEL_PATH
#define FF_CHECK_CREDITS "/v1/credits"

/* Whether the service answers with this token, free of charge: at
 * Replicate GET {base}/v1/account, or where that route is missing (404:
 * aggregators) the model's route; at Black Forest Labs its credits.
 * @checked (out, nullable): the last route asked.
 * Fails with FF_HTTP_ERROR (401/403: the token; 404: neither route at
 * this URL) or FF_CURL_ERROR (the network) for the caller to put in words.
 */
gboolean   ff_client_check          (FfClient            *client,
                                     const gchar        **checked,
                                     GError             **error);
/* Called with the prediction's status after the create and every poll:
 * "starting" is queued, "processing" generating.
 */
typedef void (* FfStatusFunc) (FfStatus  status,
                               gpointer  user_data);

void       ff_client_set_status     (FfClient            *client,
                                     FfStatusFunc         func,
                                     gpointer             user_data);

/* Asks the service to cancel a prediction; best effort, no error; nothing
 * where the service has no cancel.
 */
void       ff_client_cancel         (FfClient            *client,
                                     const gchar         *prediction_id);

/* Whether to try the Files API: on a base URL without a path, the way
 * Replicate itself is laid out.  Aggregators that mirror the API under a
 * path (…/replicate) are not known to proxy it.
 */
gboolean   ff_client_has_files_api  (FfClient            *client);

/* Uploads @data to the Files API (POST {base}/v1/files) and returns the
 * URL a prediction's input takes it by.  Aggregators may not offer the
 * Files API: callers fall back to a data URI on any error.
 * (transfer full)
 */
gchar *    ff_client_upload         (FfClient            *client,
                                     GBytes              *data,
                                     const gchar         *file_name,
                                     const gchar         *mime_type,
                                     GError             **error);

/* Starts a job of the model at @route (its path under the base URL)
 * from @body, waits until it ends and returns its output URL (transfer
 * full).
 */
gchar *    ff_client_predict_at     (FfClient            *client,
                                     const gchar         *route,
                                     const gchar         *body,
                                     gsize                length,
                                     GError             **error);
/* The same for FLUX Fill Pro's route at the client's provider. */
gchar *    ff_client_predict        (FfClient            *client,
                                     const gchar         *body,
                                     gsize                length,
                                     GError             **error);

/* Fetches an output.  The token goes along only when @url is on the
 * base URL's own scheme, host and port.  Returns (transfer full).
 */
GBytes *   ff_client_download       (FfClient            *client,
                                     const gchar         *url,
                                     GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FfClient, ff_client_free)

G_END_DECLS
