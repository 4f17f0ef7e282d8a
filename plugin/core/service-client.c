/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gi18n-lib.h>

#include "client-private.h"
#include "token-store.h"
#include "service-client.h"

#define DOWNLOAD_TIMEOUT_SECONDS  300
/* No held create (see the providers' submit), so polls bound the latency. */
#define MAX_POLL_SECONDS          2.0
#define MAX_DOWNLOAD_ATTEMPTS     3
#define MAX_POLL_FAILURES         5
#define MAX_RETRY_AFTER_SECONDS   60.0

/* http(s) only, plain http only where nothing leaves the machine
 * (@allow_http: the base URL is itself on loopback), and no user name:
 * "https://api.replicate.com@evil.example" goes to evil.example.
 */
static GUri *
parse_web_url (const gchar  *url,
               const gchar  *what,
               gboolean      allow_http,
               GError      **error)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  const gchar    *scheme;

  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    {
      g_set_error (error, FF_API_ERROR, FF_API_ERROR_BAD_CONFIG,
                   /* TRANSLATORS: %s is "the base URL", "the output URL"… */
                   _("%s is not a URL"), what);
      return NULL;
    }
  if (g_uri_get_userinfo (uri) != NULL)
    {
      g_set_error (error, FF_API_ERROR, FF_API_ERROR_BAD_CONFIG,
                   /* TRANSLATORS: %s is "the base URL", "the output URL"… */
                   _("%s must not contain a user name or password"), what);
      return NULL;
    }
  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "https") != 0 &&
      ! (g_ascii_strcasecmp (scheme, "http") == 0 && allow_http &&
         ff_http_host_is_loopback (g_uri_get_host (uri))))
    {
      g_set_error (error, FF_API_ERROR, FF_API_ERROR_BAD_CONFIG,
                   /* TRANSLATORS: %s is "the base URL", "the output URL"… */
                   _("%s must be an https URL (plain http only on 127.0.0.1)"), what);
      return NULL;
    }
  return g_steal_pointer (&uri);
}

/* How messages name a host: "api.replicate.com", "127.0.0.1:8000",
 * "[::1]:8000".  Cleaned like the service's own words: an output URL's
 * host is the service's choice.
 */
gchar *
ff_client_host_label (GUri *uri)
{
  const gchar      *host = g_uri_get_host (uri);
  gint              port = g_uri_get_port (uri);
  gboolean          ipv6 = strchr (host, ':') != NULL;
  g_autofree gchar *label = g_strdup_printf ("%s%s%s", ipv6 ? "[" : "", host, ipv6 ? "]" : "");

  if (port > 0)
    {
      gchar *with_port = g_strdup_printf ("%s:%d", label, port);

      g_free (label);
      label = with_port;
    }
  return ff_service_text (label);
}

GUri *
ff_client_parse_url (FfClient     *client,
                     const gchar  *url,
                     const gchar  *what,
                     GError      **error)
{
  return parse_web_url (url, what, client->local, error);
}

FfClient *
ff_client_new (const gchar  *base_url,
               const gchar  *token,
               GError      **error)
{
  return ff_client_new_for (ff_provider_info (FF_PROVIDER_REPLICATE), base_url, token, error);
}

FfClient *
ff_client_new_for (const FfProviderInfo  *provider,
                   const gchar           *base_url,
                   const gchar           *token,
                   GError               **error)
{
  g_autoptr(FfClient) client = g_new0 (FfClient, 1);
  gsize               len;

  g_return_val_if_fail (provider != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  client->info = provider;
  client->ops = ff_provider_ops (provider->id);
  if (token == NULL || *token == '\0')
    {
      g_set_error (error, FF_API_ERROR, FF_API_ERROR_BAD_CONFIG,
                   /* TRANSLATORS: %s is the variable, REPLICATE_API_TOKEN or BFL_API_KEY. */
                   _("no API token; set %s before starting GIMP"), provider->key_variable);
      return NULL;
    }
  if (strlen (token) > FF_TOKEN_MAX_BYTES)
    {
      g_set_error (error, FF_API_ERROR, FF_API_ERROR_BAD_CONFIG,
                   _("the API token is longer than %d bytes"), FF_TOKEN_MAX_BYTES);
      return NULL;
    }
  for (const gchar *p = token; *p; p++)
    if (! g_ascii_isgraph (*p))
      {
        /* Also keeps header injection out. */
        g_set_error_literal (error, FF_API_ERROR, FF_API_ERROR_BAD_CONFIG,
                             _("the API token contains spaces or control characters"));
        return NULL;
      }

  if (base_url == NULL || *base_url == '\0')
    base_url = provider->default_base_url;
  if (strlen (base_url) > FF_BASE_URL_MAX_BYTES)
    {
      g_set_error (error, FF_API_ERROR, FF_API_ERROR_BAD_CONFIG,
                   _("the base URL is longer than %d bytes"), FF_BASE_URL_MAX_BYTES);
      return NULL;
    }
  client->base = parse_web_url (base_url, _("the base URL"), TRUE, error);
  if (client->base == NULL)
    return NULL;
  if (g_uri_get_query (client->base) != NULL || g_uri_get_fragment (client->base) != NULL)
    {
      g_set_error_literal (error, FF_API_ERROR, FF_API_ERROR_BAD_CONFIG,
                           _("the base URL must not have a query or fragment"));
      return NULL;
    }

  client->local = ff_http_host_is_loopback (g_uri_get_host (client->base));
  client->host = ff_client_host_label (client->base);
  client->base_url = g_strdup (base_url);
  len = strlen (client->base_url);
  while (len > 0 && client->base_url[len - 1] == '/')
    client->base_url[--len] = '\0';
  client->token = g_strdup (token);
  if (client->ops->key_header != NULL)
    client->key_header = g_strdup_printf ("%s: %s", client->ops->key_header, token);
  client->http = ff_http_new ("flux-fill/" PACKAGE_VERSION);
  client->timing = FF_CLIENT_TIMING_DEFAULT;
  client->last_cost = -1;
  return g_steal_pointer (&client);
}

const FfProviderInfo *
ff_client_provider (FfClient *client)
{
  return client->info;
}

gint
ff_client_last_cost (FfClient *client)
{
  return client->last_cost;
}

void
ff_client_free (FfClient *client)
{
  if (client == NULL)
    return;
  g_clear_pointer (&client->http, ff_http_free);
  g_clear_pointer (&client->base, g_uri_unref);
  g_free (client->base_url);
  g_free (client->host);
  ff_token_free (client->token);
  ff_token_free (client->key_header);     /* it holds the key too */
  g_free (client);
}

void
ff_client_set_progress (FfClient           *client,
                        FfHttpProgressFunc  func,
                        gpointer            user_data)
{
  client->progress = func;
  client->progress_data = user_data;
  ff_http_set_progress (client->http, func, user_data);
}

void
ff_client_set_timing (FfClient             *client,
                      const FfClientTiming *timing)
{
  /* Not MAX (): "inf" or NaN from an environment variable must not reach
   * the deadline's integer arithmetic.
   */
  gdouble limit = isfinite (timing->limit_seconds) ? timing->limit_seconds : FF_LIMIT_MAX_SECONDS;

  client->timing = (FfClientTiming) {
    .poll_seconds  = CLAMP (timing->poll_seconds, 0.01, MAX_POLL_SECONDS),
    .limit_seconds = CLAMP (limit, 1.0, FF_LIMIT_MAX_SECONDS),
    .stall_seconds = MAX (timing->stall_seconds, 1),
    .retry_seconds = CLAMP (timing->retry_seconds, 0.0, MAX_RETRY_AFTER_SECONDS),
  };
}

/* The token must never reach a message, whatever a server echoes. */
static void
redact_token (FfClient  *client,
              GError    *error)
{
  gchar *found;

  if (error == NULL || client->token == NULL)
    return;
  while ((found = strstr (error->message, client->token)) != NULL)
    {
      g_autofree gchar *head = g_strndup (error->message, (gsize) (found - error->message));
      gchar            *message = g_strconcat (head, "[token]",
                                               found + strlen (client->token), NULL);
      g_free (error->message);
      error->message = message;
    }
}

void
ff_client_set_status (FfClient     *client,
                      FfStatusFunc  func,
                      gpointer      user_data)
{
  client->status = func;
  client->status_data = user_data;
}

static void
report_status (FfClient           *client,
               const FfPrediction *prediction)
{
  if (client->status != NULL)
    client->status (prediction->status, client->status_data);
}

void
ff_client_set_created (FfClient      *client,
                       FfCreatedFunc  func,
                       gpointer       user_data)
{
  client->created = func;
  client->created_data = user_data;
}

/* The one way errors leave this file: with context, without the token. */
static void
propagate_error (FfClient     *client,
                 GError      **dest,
                 GError       *error,
                 const gchar  *prefix)
{
  if (error == NULL)
    return;
  if (prefix != NULL)
    g_prefix_error (&error, "%s", prefix);
  redact_token (client, error);
  g_propagate_error (dest, error);
}

static gboolean
report_progress (FfClient *client)
{
  return client->progress == NULL || client->progress (client->progress_data);
}

/* Sleeps in short slices so the user can cancel. */
static gboolean
sleep_cancellable (FfClient  *client,
                   gdouble    seconds,
                   GError   **error)
{
  gint64 end = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (g_get_monotonic_time () < end)
    {
      if (! report_progress (client))
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("cancelled"));
          return FALSE;
        }
      g_usleep (MIN (50000, MAX (0, end - g_get_monotonic_time ())));
    }
  return TRUE;
}

static gboolean
status_is_transient (glong status)
{
  return status == 500 || status == 502 || status == 503 || status == 504;
}

/* FF_HTTP_ERROR for a status the caller did not expect, naming @host
 * (NULL: the caller's prefix names it), with the service's own
 * explanation when it gave one.
 */
void
ff_client_status_error (const gchar           *host,
                        const FfHttpResponse  *response,
                        GError               **error)
{
  gsize             size = 0;
  const gchar      *data = g_bytes_get_data (response->body, &size);
  g_autofree gchar *detail = ff_problem_detail (data, size);
  g_autofree gchar *status = NULL;
  gboolean          refused = response->status == 401 || response->status == 403;
  gint              code = (gint) response->status;

  if (host != NULL && refused)
    /* TRANSLATORS: %s is the host, "api.replicate.com"; %ld the HTTP status. */
    status = g_strdup_printf (_("%s answered HTTP %ld (check the API token)"), host,
                              response->status);
  else if (host != NULL)
    /* TRANSLATORS: %s is the host, "api.replicate.com"; %ld the HTTP status. */
    status = g_strdup_printf (_("%s answered HTTP %ld"), host, response->status);
  else if (refused)
    status = g_strdup_printf (_("HTTP %ld (check the API token)"), response->status);
  else
    status = g_strdup_printf (_("HTTP %ld"), response->status);

  if (detail != NULL && *detail != '\0')
    g_set_error (error, FF_HTTP_ERROR, code,
                 /* TRANSLATORS: the first %s is "HTTP 401" or "api.replicate.com
                  * answered HTTP 401"; the second, the service's own
                  * explanation, in its words. */
                 _("%s: %s"), status, detail);
  else
    g_set_error_literal (error, FF_HTTP_ERROR, code, status);
}

/* Sends @request, again (with backoff, or as Retry-After says) while
 * @retry allows and fewer than @attempts were made.  The last response
 * is returned whatever its status.
 */
void
ff_client_authorize (FfClient      *client,
                     FfHttpRequest *request)
{
  if (client->key_header != NULL)
    request->key_header = client->key_header;
  else
    request->bearer_token = client->token;
}

FfHttpResponse *
ff_client_send (FfClient             *client,
                const FfHttpRequest  *request,
                FfSendRetry           retry,
                gint                  attempts,
                GError              **error)
{
  for (gint attempt = 1; ; attempt++)
    {
      g_autoptr(FfHttpResponse) response = NULL;
      g_autoptr(GError)         local_error = NULL;
      gboolean                  last = attempt >= attempts;
      gboolean                  again;
      gdouble                   wait;

      response = ff_http_send (client->http, request, &local_error);
      if (response == NULL)
        again = ff_http_error_is_transient (local_error) &&
                (retry == FF_SEND_ANY || ! ff_http_request_left (client->http));
      else
        again = response->status == 429 ||
                (retry == FF_SEND_ANY && status_is_transient (response->status));
      if (last || ! again)
        {
          if (response == NULL)
            g_propagate_error (error, g_steal_pointer (&local_error));
          return g_steal_pointer (&response);
        }

      if (response != NULL && response->status == 429)
        wait = ff_http_retry_after (response->retry_after, 1.0, MAX_RETRY_AFTER_SECONDS);
      else
        wait = client->timing.retry_seconds * (1 << MIN (attempt - 1, 10)) *
               g_random_double_range (0.5, 1.5);   /* jitter: clients out of step */
      if (! sleep_cancellable (client, MIN (wait, MAX_RETRY_AFTER_SECONDS), error))
        return NULL;
    }
}

/* A create aborted half-way may still have made a prediction we could
 * not cancel, so the request runs to its end and the cancel follows.
 */
static gboolean
defer_cancel (gpointer user_data)
{
  FfClient *client = user_data;

  if (! client->cancel_pending && ! report_progress (client))
    client->cancel_pending = TRUE;
  return TRUE;
}

FfHttpResponse *
ff_client_submit (FfClient      *client,
                  const gchar   *route,
                  const gchar   *body,
                  gsize          length,
                  const gchar   *header,
                  GError       **error)
{
  g_autofree gchar         *url = g_strconcat (client->base_url, route, NULL);
  g_autoptr(GBytes)         bytes = g_bytes_new_static (body, length);
  g_autoptr(FfHttpResponse) response = NULL;
  FfHttpRequest             request = {
    .method = "POST",
    .url = url,
    .content_type = "application/json",
    .header = header,
    .body = bytes,
    .timeout_seconds = FF_API_TIMEOUT_SECONDS,
    .stall_seconds = client->timing.stall_seconds,
    .max_response = FF_MAX_API_RESPONSE,
  };

  ff_client_authorize (client, &request);
  /* Sent again only when no job can exist: after a 429 or when the
   * request never left whole.  A 5xx or a connection dropped after the
   * POST may hide a job that runs, billed, with an id we never learn; a
   * second POST would be a second bill.  On a connection of its own:
   * libcurl re-sends on a reused one that was dead.
   */
  request.send_once = TRUE;
  client->cancel_pending = FALSE;
  ff_http_set_progress (client->http, defer_cancel, client);
  response = ff_client_send (client, &request, FF_SEND_UNMADE, FF_MAX_SEND_ATTEMPTS, error);
  ff_http_set_progress (client->http, client->progress, client->progress_data);
  if (response == NULL)
    return NULL;
  if (response->status != 200 && response->status != 201 && response->status != 202)
    {
      ff_client_status_error (client->host, response, error);
      return NULL;
    }
  return g_steal_pointer (&response);
}

/* GET @url of the API with the token; the response only when it is a
 * 200, else FF_HTTP_ERROR with the service's explanation.
 */
FfHttpResponse *
ff_client_api_get (FfClient     *client,
                   const gchar  *url,
                   GError      **error)
{
  g_autoptr(FfHttpResponse) response = NULL;
  FfHttpRequest             request = {
    .method = "GET",
    .url = url,
    .timeout_seconds = FF_API_TIMEOUT_SECONDS,
    .stall_seconds = client->timing.stall_seconds,
    .max_response = FF_MAX_API_RESPONSE,
  };

  ff_client_authorize (client, &request);

  response = ff_http_send (client->http, &request, error);
  if (response == NULL)
    return NULL;
  if (response->status != 200)
    {
      ff_client_status_error (client->host, response, error);
      return NULL;
    }
  return g_steal_pointer (&response);
}

gboolean
ff_client_api_post_once (FfClient     *client,
                         const gchar  *url,
                         GError      **error)
{
  g_autoptr(FfHttpResponse) response = NULL;
  FfHttpRequest     request = {
    .method = "POST",
    .url = url,
    .timeout_seconds = FF_CANCEL_TIMEOUT_SECONDS,
    .max_response = FF_MAX_API_RESPONSE,
    .send_once = TRUE,
  };

  ff_client_authorize (client, &request);
  /* The user already cancelled: this request must not ask again. */
  ff_http_set_progress (client->http, NULL, NULL);
  response = ff_http_send (client->http, &request, error);
  ff_http_set_progress (client->http, client->progress, client->progress_data);
  if (response == NULL)
    return FALSE;
  if (response->status != 200 && response->status != 201 && response->status != 202)
    {
      ff_client_status_error (client->host, response, error);
      return FALSE;
    }
  return TRUE;
}

/* Best effort: stops the billing of a prediction we gave up on, where
 * the service can.
 */
static gboolean
cancel_prediction (FfClient     *client,
                   const gchar  *id,
                   GError      **error)
{
  if (client->ops->cancel == NULL)
    {
      g_set_error_literal (error, FF_API_ERROR, FF_API_ERROR_CANCELED,
                           _("this service cannot cancel a started prediction; "
                             "it may still run and be billed"));
      return FALSE;
    }
  return client->ops->cancel (client, id, error);
}

/* Waiting ends with @error while the prediction may still run and bill:
 * it is canceled on the service, and @error says whether that worked.
 */
static void
give_up (FfClient     *client,
         const gchar  *id,
         GError      **error)
{
  g_autoptr(GError) cancel_error = NULL;
  gboolean          canceled = cancel_prediction (client, id, &cancel_error);
  gchar            *message;

  if (error == NULL || *error == NULL)
    return;
  /* TRANSLATORS: the first %s is what ended the wait; the second, why
   * the cancel did not go through. */
  if (client->ops->cancel == NULL)
    message = g_strdup_printf (_("%s (this service cannot cancel it: it may still run "
                                 "and be billed)"), (*error)->message);
  else if (canceled)
    message = g_strdup_printf (_("%s (the prediction was canceled on the service)"),
                               (*error)->message);
  else
    message = g_strdup_printf (_("%s (canceling the prediction on the service failed "
                                 "too: %s)"), (*error)->message, cancel_error->message);
  g_free ((*error)->message);
  (*error)->message = message;
}

/* What a poll may hit now and then without the fill being lost. */
static gboolean
poll_error_is_transient (const GError *error)
{
  return (ff_http_error_is_transient (error) ||
          ff_http_error_is_timeout (error) ||
          g_error_matches (error, FF_API_ERROR, FF_API_ERROR_BAD_RESPONSE) ||
          (error->domain == FF_HTTP_ERROR &&
           (status_is_transient (error->code) || error->code == 429)));
}

static FfPrediction *
wait_for_prediction (FfClient      *client,
                     FfPrediction  *created,
                     GError       **error)
{
  g_autoptr(FfPrediction) prediction = created;
  gint64  deadline = g_get_monotonic_time () +
                     (gint64) (client->timing.limit_seconds * G_USEC_PER_SEC);
  gdouble interval = client->timing.poll_seconds;
  gint    failures = 0;

  report_status (client, prediction);
  while (! ff_status_is_terminal (prediction->status))
    {
      g_autoptr(FfPrediction) next = NULL;
      g_autoptr(GError)       local_error = NULL;

      if (client->cancel_pending)
        {
          client->cancel_pending = FALSE;
          cancel_prediction (client, prediction->id, NULL);
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("cancelled"));
          return NULL;
        }
      if (g_get_monotonic_time () >= deadline)
        {
          g_set_error (error, FF_API_ERROR, FF_API_ERROR_TIMED_OUT,
                       _("the prediction did not finish within %.0f seconds"),
                       client->timing.limit_seconds);
          give_up (client, prediction->id, error);
          return NULL;
        }
      if (! sleep_cancellable (client, interval, &local_error))
        {
          cancel_prediction (client, prediction->id, NULL);
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      interval = MIN (interval * 1.5, MAX_POLL_SECONDS);

      next = client->ops->poll (client, prediction, &local_error);
      if (next == NULL)
        {
          gboolean cancelled = g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

          if (! cancelled && poll_error_is_transient (local_error) &&
              ++failures < MAX_POLL_FAILURES)
            continue;
          g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                      _("while waiting for prediction %s: "),
                                      prediction->id);
          /* A final answer, or too many transient ones: the prediction
           * runs on unless told.
           */
          if (cancelled)
            cancel_prediction (client, prediction->id, NULL);
          else
            give_up (client, prediction->id, error);
          return NULL;
        }
      failures = 0;
      g_clear_pointer (&prediction, ff_prediction_free);
      prediction = g_steal_pointer (&next);
      report_status (client, prediction);
    }
  return g_steal_pointer (&prediction);
}

static gchar *
predict (FfClient     *client,
         const gchar  *route,
         const gchar  *body,
         gsize         length,
         GError      **error)
{
  g_autoptr(FfPrediction) prediction = NULL;
  g_autoptr(GUri)         output = NULL;

  prediction = client->ops->submit (client, route, body, length, error);
  if (prediction == NULL)
    {
      g_prefix_error (error, _("could not create the prediction: "));
      return NULL;
    }
  client->last_cost = prediction->cost;
  if (client->created != NULL)
    client->created (prediction->id, client->created_data);
  prediction = wait_for_prediction (client, g_steal_pointer (&prediction), error);
  if (prediction == NULL)
    return NULL;

  switch (prediction->status)
    {
    case FF_STATUS_SUCCEEDED:
      break;
    case FF_STATUS_FAILED:
      if (prediction->moderated)
        {
          g_set_error (error, FF_API_ERROR, FF_API_ERROR_MODERATED,
                       /* TRANSLATORS: the first %s is the host; the second, the
                        * service's own words (its moderation's reasons). */
                       _("%s flagged it: %s"),
                       client->host,
                       prediction->error ? prediction->error : _("the service gave no reason"));
          return NULL;
        }
      g_set_error (error, FF_API_ERROR, FF_API_ERROR_FAILED,
                   /* TRANSLATORS: the first %s is the host, "api.replicate.com";
                    * the second, the model's own words. */
                   _("the prediction failed at %s: %s"), client->host,
                   prediction->error ? prediction->error : _("the service gave no reason"));
      return NULL;
    default:
      g_set_error_literal (error, FF_API_ERROR, FF_API_ERROR_CANCELED,
                           _("the prediction was canceled on the service"));
      return NULL;
    }
  if (prediction->output_url == NULL)
    {
      g_set_error_literal (error, FF_API_ERROR, FF_API_ERROR_NO_OUTPUT,
                           _("the prediction succeeded but has no output URL"));
      return NULL;
    }
  output = parse_web_url (prediction->output_url, _("the output URL"), client->local, NULL);
  if (output == NULL)
    {
      g_set_error_literal (error, FF_API_ERROR, FF_API_ERROR_NO_OUTPUT,
                           _("the output is not an https URL"));
      return NULL;
    }
  return g_steal_pointer (&prediction->output_url);
}

gchar *
ff_client_predict (FfClient     *client,
                   const gchar  *body,
                   gsize         length,
                   GError      **error)
{
  return ff_client_predict_at (client, client->ops->fill_route, body, length, error);
}

gchar *
ff_client_predict_at (FfClient     *client,
                      const gchar  *route,
                      const gchar  *body,
                      gsize         length,
                      GError      **error)
{
  GError *local_error = NULL;
  gchar  *url;

  g_return_val_if_fail (client != NULL && route != NULL && body != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  url = predict (client, route, body, length, &local_error);
  propagate_error (client, error, local_error, NULL);
  return url;
}

gboolean
ff_client_has_files_api (FfClient *client)
{
  return client->ops->has_files_api != NULL && client->ops->has_files_api (client);
}

gchar *
ff_client_upload (FfClient     *client,
                  GBytes       *data,
                  const gchar  *file_name,
                  const gchar  *mime_type,
                  GError      **error)
{
  g_autofree gchar *prefix = NULL;
  GError           *local_error = NULL;
  gchar            *url;

  g_return_val_if_fail (client != NULL && data != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  prefix = g_strdup_printf (_("could not upload %s: "), file_name);
  if (client->ops->upload == NULL)
    {
      g_set_error_literal (&local_error, FF_API_ERROR, FF_API_ERROR_BAD_CONFIG,
                           _("this service has no files API"));
      url = NULL;
    }
  else
    url = client->ops->upload (client, data, file_name, mime_type, &local_error);
  propagate_error (client, error, local_error, prefix);
  return url;
}

gboolean
ff_client_check (FfClient     *client,
                 const gchar **checked,
                 GError      **error)
{
  GError      *local_error = NULL;
  const gchar *route = NULL;
  gboolean     ok;

  g_return_val_if_fail (client != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  ok = client->ops->check (client, &route, &local_error);
  if (checked != NULL)
    *checked = route;
  propagate_error (client, error, local_error, NULL);
  return ok;
}

void
ff_client_cancel (FfClient    *client,
                  const gchar *prediction_id)
{
  if (ff_prediction_id_ok (prediction_id))
    cancel_prediction (client, prediction_id, NULL);
}

static gboolean
same_origin (GUri *a,
             GUri *b)
{
  return (g_ascii_strcasecmp (g_uri_get_scheme (a), g_uri_get_scheme (b)) == 0 &&
          g_ascii_strcasecmp (g_uri_get_host (a), g_uri_get_host (b)) == 0 &&
          g_uri_get_port (a) == g_uri_get_port (b));
}

static GBytes *
download (FfClient     *client,
          const gchar  *url,
          GError      **error)
{
  g_autoptr(GUri)           uri = parse_web_url (url, _("the output URL"), client->local, error);
  g_autoptr(FfHttpResponse) response = NULL;
  FfHttpRequest             request = {
    .method = "GET",
    .url = url,
    .follow_redirects = TRUE,
    .timeout_seconds = DOWNLOAD_TIMEOUT_SECONDS,
    .stall_seconds = client->timing.stall_seconds,
    .max_response = FF_MAX_DOWNLOAD_BYTES,
  };

  if (uri == NULL)
    return NULL;
  /* Never the key elsewhere; at Black Forest Labs, never at all. */
  if (client->ops->download_with_key && same_origin (uri, client->base))
    ff_client_authorize (client, &request);

  response = ff_client_send (client, &request, FF_SEND_ANY, MAX_DOWNLOAD_ATTEMPTS, error);
  if (response == NULL)
    return NULL;
  if (response->status == 404 || response->status == 410)
    {
      g_set_error (error, FF_HTTP_ERROR, (gint) response->status,
                   _("HTTP %ld: the output is gone (outputs expire an hour "
                     "after the prediction)"), response->status);
      return NULL;
    }
  if (response->status != 200)
    {
      ff_client_status_error (NULL, response, error);
      return NULL;
    }
  if (g_bytes_get_size (response->body) == 0)
    {
      g_set_error_literal (error, FF_API_ERROR, FF_API_ERROR_NO_OUTPUT,
                           _("the output is empty"));
      return NULL;
    }
  return g_bytes_ref (response->body);
}

GBytes *
ff_client_download (FfClient     *client,
                    const gchar  *url,
                    GError      **error)
{
  g_autoptr(GUri)   uri = NULL;
  g_autofree gchar *prefix = NULL;
  GError           *local_error = NULL;
  GBytes           *bytes;

  g_return_val_if_fail (client != NULL && url != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  bytes = download (client, url, &local_error);
  if (bytes != NULL)
    return bytes;
  /* The host only: an output URL's path and query may be a signature. */
  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  if (uri != NULL && g_uri_get_host (uri) != NULL && *g_uri_get_host (uri) != '\0')
    {
      g_autofree gchar *host = ff_client_host_label (uri);

      /* TRANSLATORS: %s is the host the output was on. */
      prefix = g_strdup_printf (_("could not download the result from %s: "), host);
    }
  propagate_error (client, error, local_error,
                   prefix != NULL ? prefix : _("could not download the result: "));
  return NULL;
}
