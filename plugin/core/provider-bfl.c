/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Black Forest Labs' own API (https://api.bfl.ai and its EU and US
 * endpoints): the key in an "x-key" header, a submit that answers an id
 * and a polling URL, polls until "Ready", a signed sample URL that
 * expires after ten minutes and is fetched without the key, credits for
 * the Test button, and no cancel.
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "client-private.h"
#include "provider.h"

/* Bounded like Replicate's ids: they go into a URL's query. */
#define BFL_ID_MAX 128

static JsonObject *
parse_object (JsonParser          *parser,
              const FfHttpResponse *response,
              GError             **error)
{
  gsize       size = 0;
  const gchar *data = g_bytes_get_data (response->body, &size);
  JsonNode    *root;

  if (size == 0 || ! json_parser_load_from_data (parser, data, (gssize) size, NULL) ||
      (root = json_parser_get_root (parser)) == NULL || ! JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, FF_API_ERROR, FF_API_ERROR_BAD_RESPONSE,
                           _("the service's answer is not the JSON object it should be"));
      return NULL;
    }
  return json_node_get_object (root);
}

static const gchar *
string_member (JsonObject  *object,
               const gchar *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
         json_node_get_value_type (node) == G_TYPE_STRING ? json_node_get_string (node) : NULL;
}

static gboolean
id_ok (const gchar *id)
{
  return ff_prediction_id_ok (id) && strlen (id) <= BFL_ID_MAX;
}

static FfPrediction *
bfl_submit (FfClient     *client,
            const gchar  *route,
            const gchar  *body,
            gsize         length,
            GError      **error)
{
  g_autoptr(FfHttpResponse)  response = NULL;
  g_autoptr(JsonParser)      parser = json_parser_new ();
  g_autoptr(FfPrediction)    job = NULL;
  JsonObject                *object;
  JsonNode                  *cost;
  const gchar               *id, *polling_url;

  response = ff_client_submit (client, route, body, length, NULL, error);
  if (response == NULL)
    return NULL;
  object = parse_object (parser, response, error);
  if (object == NULL)
    return NULL;
  id = string_member (object, "id");
  polling_url = string_member (object, "polling_url");
  if (! id_ok (id))
    {
      g_set_error_literal (error, FF_API_ERROR, FF_API_ERROR_BAD_RESPONSE,
                           _("the service's answer has no usable task id"));
      return NULL;
    }
  /* The key goes to the polling URL: only where it may go, checked
   * before any request.
   */
  if (polling_url != NULL &&
      ! ff_service_key_may_go (client->info, client->base_url, polling_url))
    {
      g_set_error_literal (error, FF_API_ERROR, FF_API_ERROR_BAD_RESPONSE,
                           _("the service asks to be polled at an address the key may not "
                             "go to; nothing was sent there"));
      return NULL;
    }
  job = g_new0 (FfPrediction, 1);
  job->id = g_strdup (id);
  job->status = FF_STATUS_STARTING;
  job->poll_url = polling_url != NULL
                  ? g_strdup (polling_url)
                  : g_strconcat (client->base_url, "/v1/get_result?id=", id, NULL);
  job->cost = -1;
  /* Credits, a cent each, where the answer says. */
  cost = json_object_get_member (object, "cost");
  if (cost != NULL && JSON_NODE_HOLDS_VALUE (cost) &&
      (json_node_get_value_type (cost) == G_TYPE_DOUBLE ||
       json_node_get_value_type (cost) == G_TYPE_INT64))
    job->cost = (gint) CLAMP (json_node_get_double (cost), 0, G_MAXINT / 2);
  return g_steal_pointer (&job);
}

/* What the service says of a task that did not end well: its details,
 * or the moderation's reasons.  (transfer full)
 */
static gchar *
details_text (JsonObject *object)
{
  JsonNode         *node = json_object_get_member (object, "details");
  JsonObject       *details;
  JsonNode         *reasons;
  g_autoptr(GString) text = NULL;

  if (node == NULL)
    return NULL;
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    return ff_service_text (json_node_get_string (node));
  if (! JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  details = json_node_get_object (node);
  if (string_member (details, "error") != NULL)
    return ff_service_text (string_member (details, "error"));
  reasons = json_object_get_member (details, "Moderation Reasons");
  if (reasons == NULL || ! JSON_NODE_HOLDS_ARRAY (reasons))
    return NULL;
  text = g_string_new (NULL);
  for (guint i = 0; i < json_array_get_length (json_node_get_array (reasons)); i++)
    {
      JsonNode *reason = json_array_get_element (json_node_get_array (reasons), i);

      if (JSON_NODE_HOLDS_VALUE (reason) && json_node_get_value_type (reason) == G_TYPE_STRING)
        g_string_append_printf (text, "%s%s", text->len > 0 ? ", " : "",
                                json_node_get_string (reason));
    }
  return text->len > 0 ? ff_service_text (text->str) : NULL;
}

static FfPrediction *
bfl_poll (FfClient            *client,
          const FfPrediction  *job,
          GError             **error)
{
  g_autoptr(FfHttpResponse) response = NULL;
  g_autoptr(JsonParser)     parser = json_parser_new ();
  g_autoptr(FfPrediction)   next = NULL;
  JsonObject               *object;
  JsonNode                 *result, *progress;
  const gchar              *status;

  response = ff_client_api_get (client, job->poll_url, error);
  if (response == NULL)
    return NULL;
  object = parse_object (parser, response, error);
  if (object == NULL)
    return NULL;
  status = string_member (object, "status");
  next = g_new0 (FfPrediction, 1);
  next->id = g_strdup (job->id);
  next->poll_url = g_strdup (job->poll_url);
  next->cost = job->cost;
  if (g_strcmp0 (status, "Pending") == 0)
    {
      /* Queued until the service reports progress. */
      progress = json_object_get_member (object, "progress");
      next->status = progress != NULL && JSON_NODE_HOLDS_VALUE (progress) &&
                     json_node_get_value_type (progress) != G_TYPE_STRING &&
                     json_node_get_double (progress) > 0 ? FF_STATUS_PROCESSING
                                                         : FF_STATUS_STARTING;
    }
  else if (g_strcmp0 (status, "Ready") == 0)
    {
      next->status = FF_STATUS_SUCCEEDED;
      result = json_object_get_member (object, "result");
      if (result != NULL && JSON_NODE_HOLDS_OBJECT (result))
        next->output_url = g_strdup (string_member (json_node_get_object (result), "sample"));
    }
  else if (g_strcmp0 (status, "Content Moderated") == 0 ||
           g_strcmp0 (status, "Request Moderated") == 0)
    {
      next->status = FF_STATUS_FAILED;
      next->moderated = TRUE;
      next->error = details_text (object);
      if (next->error == NULL)
        next->error = g_strdup (status);
    }
  else if (g_strcmp0 (status, "Error") == 0 || g_strcmp0 (status, "Task not found") == 0)
    {
      next->status = FF_STATUS_FAILED;
      next->error = details_text (object);
      if (next->error == NULL)
        next->error = g_strdup (status);
    }
  else
    {
      g_set_error_literal (error, FF_API_ERROR, FF_API_ERROR_BAD_RESPONSE,
                           _("the service's answer has no known status"));
      return NULL;
    }
  return g_steal_pointer (&next);
}

static gboolean
bfl_check (FfClient     *client,
           const gchar **checked,
           GError      **error)
{
  g_autofree gchar         *url = g_strconcat (client->base_url, FF_CHECK_CREDITS, NULL);
  g_autoptr(FfHttpResponse) response = NULL;

  *checked = FF_CHECK_CREDITS;
  response = ff_client_api_get (client, url, error);
  return response != NULL;
}

const FfProviderOps *
ff_provider_bfl (void)
{
  static const FfProviderOps ops = {
    .id = FF_PROVIDER_BFL,
    .fill_route = "/v1/flux-pro-1.0-fill",
    .key_header = "x-key",
    /* The sample is signed and on a delivery host: never the key. */
    .download_with_key = FALSE,
    .check = bfl_check,
    .submit = bfl_submit,
    .poll = bfl_poll,
    .cancel = NULL,            /* a started task runs and bills */
    .has_files_api = NULL,
    .upload = NULL,
  };

  return &ops;
}
