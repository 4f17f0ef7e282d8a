/* Runs one flux-fill-pro prediction on Replicate (or an aggregator that
 * mirrors its API under another base URL) and downloads its output.
 */
#pragma once

#include <glib.h>

#include "http-client.h"
#include "prediction.h"

G_BEGIN_DECLS

#define FF_DEFAULT_BASE_URL    "https://api.replicate.com"
#define FF_MODEL_PATH          "black-forest-labs/flux-fill-pro"
#define FF_MAX_DOWNLOAD_BYTES  (100 * 1024 * 1024)

typedef struct _FfClient FfClient;

/* Checks @base_url (https, or http on loopback only) and @token; fails
 * with FF_API_ERROR_BAD_CONFIG.  Returns (transfer full).
 */
FfClient * ff_client_new            (const gchar         *base_url,
                                     const gchar         *token,
                                     GError             **error);
void       ff_client_free           (FfClient            *client);

/* @func runs while requests are under way and between polls; FALSE from
 * it cancels the prediction on the service and the call fails with
 * G_IO_ERROR_CANCELLED.
 */
void       ff_client_set_progress   (FfClient            *client,
                                     FfHttpProgressFunc   func,
                                     gpointer             user_data);
/* Limits for tests and impatient callers: how long the service may hold
 * the create request (Prefer: wait=N, 1–60), the first poll interval and
 * the limit on the whole prediction.
 */
void       ff_client_set_timing     (FfClient            *client,
                                     gint                 wait_seconds,
                                     gdouble              poll_seconds,
                                     gdouble              limit_seconds);

/* Creates a prediction from @body, waits until it ends and returns its
 * output URL (transfer full).
 */
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
