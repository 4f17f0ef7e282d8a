/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Replicate's predictions API, and aggregators that mirror it under a
 * path of their own: bearer token, {"input": …} creates, polls by id, a
 * cancel, and the Files API for large inputs.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "client-private.h"
#include "provider.h"

/* Past our own limit: the service's backstop should this process die
 * before it learns the prediction's id.
 */
#define CANCEL_AFTER_MARGIN_SECONDS 60

static FfPrediction *
parse_prediction_response (const FfHttpResponse  *response,
                           GError               **error)
{
  gsize         size = 0;
  const gchar  *data = g_bytes_get_data (response->body, &size);
  FfPrediction *prediction = ff_prediction_parse (data, size, error);

  if (prediction == NULL)
    return NULL;
  /* The id goes into URL paths. */
  if (! ff_prediction_id_ok (prediction->id))
    {
      g_set_error_literal (error, FF_API_ERROR, FF_API_ERROR_BAD_RESPONSE,
                           _("the prediction id has unexpected characters"));
      ff_prediction_free (prediction);
      return NULL;
    }
  return prediction;
}

static FfPrediction *
replicate_submit (FfClient     *client,
                  const gchar  *route,
                  const gchar  *body,
                  gsize         length,
                  GError      **error)
{
  g_autofree gchar *cancel_after = g_strdup_printf ("Cancel-After: %.0fs",
                                                    ceil (client->timing.limit_seconds) +
                                                    CANCEL_AFTER_MARGIN_SECONDS);
  g_autoptr(FfHttpResponse) response = NULL;

  /* No "Prefer: wait": a create held until the prediction ends hides its
   * id, and a cancel (GIMP kills the plug-in) could not stop the billing.
   * The id comes back at once and the watchman is armed with it.
   */
  response = ff_client_submit (client, route, body, length, cancel_after, error);
  if (response == NULL)
    return NULL;
  return parse_prediction_response (response, error);
}

static FfPrediction *
replicate_poll (FfClient            *client,
                const FfPrediction  *job,
                GError             **error)
{
  /* Never urls.get: aggregators put Replicate's own host there. */
  g_autofree gchar *url = g_strconcat (client->base_url, "/v1/predictions/", job->id, NULL);
  g_autoptr(FfHttpResponse) response = ff_client_api_get (client, url, error);

  if (response == NULL)
    return NULL;
  return parse_prediction_response (response, error);
}

/* One short request, never sent again. */
static gboolean
replicate_cancel (FfClient     *client,
                  const gchar  *job_id,
                  GError      **error)
{
  g_autofree gchar *url = g_strconcat (client->base_url, "/v1/predictions/", job_id,
                                       "/cancel", NULL);

  return ff_client_api_post_once (client, url, error);
}

/* Free, authenticated and documented: the account, else (aggregators
 * may not offer it) the model.  A 404 on the first says only that the
 * route is missing, not that nothing answers.
 */
static gboolean
replicate_check (FfClient     *client,
                 const gchar **checked,
                 GError      **error)
{
  static const gchar *const routes[] = { FF_CHECK_ACCOUNT, FF_CHECK_MODEL };
  g_autoptr(GError)         local = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (routes); i++)
    {
      g_autofree gchar         *url = g_strconcat (client->base_url, routes[i], NULL);
      g_autoptr(FfHttpResponse) response = NULL;

      g_clear_error (&local);
      *checked = routes[i];
      response = ff_client_api_get (client, url, &local);
      if (response != NULL)
        return TRUE;
      if (! g_error_matches (local, FF_HTTP_ERROR, 404))
        break;
    }
  g_propagate_error (error, g_steal_pointer (&local));
  return FALSE;
}

/* On a base URL without a path, the way Replicate itself is laid out;
 * aggregators that mirror the API under a path are not known to proxy it.
 */
static gboolean
replicate_has_files_api (FfClient *client)
{
  const gchar *path = g_uri_get_path (client->base);

  return path == NULL || *path == '\0' || g_str_equal (path, "/");
}

static gchar *
replicate_upload (FfClient     *client,
                  GBytes       *data,
                  const gchar  *file_name,
                  const gchar  *mime_type,
                  GError      **error)
{
  g_autofree gchar         *url = g_strconcat (client->base_url, "/v1/files", NULL);
  g_autoptr(FfHttpResponse) response = NULL;
  g_autoptr(GUri)           file_uri = NULL;
  g_autofree gchar         *file_url = NULL;
  gsize                     size = 0;
  const gchar              *body;
  FfHttpRequest             request = {
    .method = "POST",
    .url = url,
    .file = data,
    .file_name = file_name,
    .file_type = mime_type,
    .timeout_seconds = FF_UPLOAD_TIMEOUT_SECONDS,
    .stall_seconds = client->timing.stall_seconds,
    .max_response = FF_MAX_API_RESPONSE,
  };

  ff_client_authorize (client, &request);
  response = ff_client_send (client, &request, FF_SEND_ANY, FF_MAX_UPLOAD_ATTEMPTS, error);
  if (response == NULL)
    return NULL;
  if (response->status != 200 && response->status != 201)
    {
      ff_client_status_error (client->host, response, error);
      return NULL;
    }
  body = g_bytes_get_data (response->body, &size);
  file_url = ff_file_url_parse (body, size, error);
  if (file_url == NULL)
    return NULL;
  file_uri = ff_client_parse_url (client, file_url, _("the uploaded file's URL"), error);
  if (file_uri == NULL)
    return NULL;
  return g_steal_pointer (&file_url);
}

const FfProviderOps *
ff_provider_replicate (void)
{
  static const FfProviderOps ops = {
    .id = FF_PROVIDER_REPLICATE,
    .fill_route = "/v1/models/" FF_MODEL_PATH "/predictions",
    .key_header = NULL,
    .download_with_key = TRUE,
    .check = replicate_check,
    .submit = replicate_submit,
    .poll = replicate_poll,
    .cancel = replicate_cancel,
    .has_files_api = replicate_has_files_api,
    .upload = replicate_upload,
  };

  return &ops;
}
