/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the providers (provider-*.c) share of the client: its state and
 * the requests it sends for them.  Not for the glue.
 */
#pragma once

#include "http-client.h"
#include "provider.h"
#include "service-client.h"

G_BEGIN_DECLS

#define FF_API_TIMEOUT_SECONDS     30
#define FF_UPLOAD_TIMEOUT_SECONDS  300
#define FF_MAX_API_RESPONSE        (1024 * 1024)
#define FF_CANCEL_TIMEOUT_SECONDS  10
#define FF_MAX_SEND_ATTEMPTS       4
#define FF_MAX_UPLOAD_ATTEMPTS     3

struct _FfClient
{
  const FfProviderInfo *info;
  const FfProviderOps  *ops;
  FfHttp               *http;
  GUri                 *base;
  gchar                *base_url;      /* without a trailing slash */
  gchar                *host;          /* the base URL's, as messages name it */
  gchar                *token;
  gchar                *key_header;    /* "x-key: …" where the provider wants one */
  FfHttpProgressFunc    progress;
  gpointer              progress_data;
  FfClientTiming        timing;
  gboolean              local;           /* the base URL is on loopback */
  gboolean              cancel_pending;  /* asked for during the create */
  FfCreatedFunc         created;
  gpointer              created_data;
  FfStatusFunc          status;
  gpointer              status_data;
  gint                  last_cost;       /* the last job's, in cents; -1 unknown */
};

/* What may be sent again. */
typedef enum
{
  FF_SEND_ANY,        /* after a broken connection, a 5xx or a 429: uploads, downloads */
  FF_SEND_UNMADE,     /* only where the server cannot have acted: creates, billed */
} FfSendRetry;

/* Sets the key on @request as the provider carries it (a bearer token or
 * a header of its own).
 */
void             ff_client_authorize      (FfClient             *client,
                                           FfHttpRequest        *request);
/* Sends @request, again (with backoff, or as Retry-After says) while
 * @retry allows and fewer than @attempts were made; the last response
 * whatever its status.
 */
FfHttpResponse * ff_client_send           (FfClient             *client,
                                           const FfHttpRequest  *request,
                                           FfSendRetry           retry,
                                           gint                  attempts,
                                           GError              **error);
/* A job's submit: POST @body (JSON) to @route under the base URL with
 * the key and @header (nullable, one more line); sent once (see
 * FfSendRetry), a cancel asked for meanwhile deferred to after it; 200,
 * 201 or 202 else FF_HTTP_ERROR.
 */
FfHttpResponse * ff_client_submit         (FfClient             *client,
                                           const gchar          *route,
                                           const gchar          *body,
                                           gsize                 length,
                                           const gchar          *header,
                                           GError              **error);
/* GET @url with the key; the response only when it is a 200. */
FfHttpResponse * ff_client_api_get        (FfClient             *client,
                                           const gchar          *url,
                                           GError              **error);
/* POST @url with the key, once, briefly: a cancel. */
gboolean         ff_client_api_post_once  (FfClient             *client,
                                           const gchar          *url,
                                           GError              **error);
/* FF_HTTP_ERROR for @response's status, naming @host (NULL: the
 * caller's prefix names it), with the service's explanation.
 */
void             ff_client_status_error   (const gchar          *host,
                                           const FfHttpResponse *response,
                                           GError              **error);
/* http(s) only, plain http only on loopback when the base URL is, no
 * user name.  (transfer full)
 */
GUri *           ff_client_parse_url      (FfClient             *client,
                                           const gchar          *url,
                                           const gchar          *what,
                                           GError              **error);
/* The host (and port) of @uri as messages name it.  (transfer full) */
gchar *          ff_client_host_label     (GUri                 *uri);

G_END_DECLS
