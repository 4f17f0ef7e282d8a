/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "prediction.h"

G_DEFINE_QUARK (ff-api-error-quark, ff_api_error)

static const gchar *status_names[] =
{
  [FF_STATUS_STARTING]   = "starting",
  [FF_STATUS_PROCESSING] = "processing",
  [FF_STATUS_SUCCEEDED]  = "succeeded",
  [FF_STATUS_FAILED]     = "failed",
  [FF_STATUS_CANCELED]   = "canceled",
  [FF_STATUS_ABORTED]    = "aborted",
};

void
ff_prediction_free (FfPrediction *prediction)
{
  if (prediction == NULL)
    return;
  g_free (prediction->id);
  g_free (prediction->error);
  g_free (prediction->output_url);
  g_free (prediction->poll_url);
  g_free (prediction);
}

gboolean
ff_prediction_id_ok (const gchar *id)
{
  if (id == NULL || *id == '\0')
    return FALSE;
  for (const gchar *p = id; *p; p++)
    if (! g_ascii_isalnum (*p) && *p != '-' && *p != '_')
      return FALSE;
  return TRUE;
}

gboolean
ff_status_is_terminal (FfStatus status)
{
  return status != FF_STATUS_STARTING && status != FF_STATUS_PROCESSING;
}

static JsonObject *
parse_object (JsonParser   *parser,
              const gchar  *data,
              gsize         length,
              GError      **error)
{
  JsonNode *root;

  /* An empty body (g_bytes_get_data () gives NULL for it) makes
   * json-glib fail without an error, with a CRITICAL.
   */
  if (data == NULL || length == 0)
    {
      g_set_error_literal (error, FF_API_ERROR, FF_API_ERROR_BAD_RESPONSE,
                           _("the response is empty"));
      return NULL;
    }
  if (length > G_MAXSSIZE ||
      ! json_parser_load_from_data (parser, data, (gssize) length, error))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || ! JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, FF_API_ERROR, FF_API_ERROR_BAD_RESPONSE,
                           _("the response is not a JSON object"));
      return NULL;
    }
  return json_node_get_object (root);
}

/* A string member, or NULL when absent, null or of another type. */
static const gchar *
get_string (JsonObject  *object,
            const gchar *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* flux-fill-pro returns a URL string, other fill models a list of them. */
static const gchar *
get_output_url (JsonObject *object)
{
  JsonNode *node = json_object_get_member (object, "output");

  if (node == NULL)
    return NULL;
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      if (json_array_get_length (array) == 0)
        return NULL;
      node = json_array_get_element (array, 0);
    }
  if (json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

FfPrediction *
ff_prediction_parse (const gchar  *data,
                     gsize         length,
                     GError      **error)
{
  /* Not json_parser_new_immutable (): json-glib 1.10 asserts on some
   * malformed inputs there (found by fuzz-prediction).
   */
  g_autoptr(JsonParser)   parser = json_parser_new ();
  g_autoptr(FfPrediction) prediction = g_new0 (FfPrediction, 1);
  g_autoptr(GError)       local_error = NULL;
  JsonObject  *object;
  const gchar *id, *status;
  gboolean     known = FALSE;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  prediction->cost = -1;
  object = parse_object (parser, data, length, &local_error);
  if (object == NULL)
    {
      g_set_error (error, FF_API_ERROR, FF_API_ERROR_BAD_RESPONSE,
                   _("the prediction is not valid JSON: %s"), local_error->message);
      return NULL;
    }

  id = get_string (object, "id");
  status = get_string (object, "status");
  if (id == NULL || *id == '\0' || status == NULL)
    {
      g_set_error_literal (error, FF_API_ERROR, FF_API_ERROR_BAD_RESPONSE,
                           _("the prediction has no id or status"));
      return NULL;
    }
  for (guint i = 0; i < G_N_ELEMENTS (status_names); i++)
    if (g_strcmp0 (status, status_names[i]) == 0)
      {
        prediction->status = (FfStatus) i;
        known = TRUE;
      }
  if (! known)
    {
      g_set_error (error, FF_API_ERROR, FF_API_ERROR_BAD_RESPONSE,
                   _("the prediction has an unknown status \"%s\""), status);
      return NULL;
    }

  prediction->id = g_strdup (id);
  prediction->error = ff_service_text (get_string (object, "error"));
  prediction->output_url = g_strdup (get_output_url (object));
  return g_steal_pointer (&prediction);
}

gchar *
ff_file_url_parse (const gchar  *data,
                   gsize         length,
                   GError      **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject           *object = parse_object (parser, data, length, NULL);
  JsonNode             *urls = object ? json_object_get_member (object, "urls") : NULL;
  const gchar          *url = NULL;

  if (urls != NULL && JSON_NODE_HOLDS_OBJECT (urls))
    url = get_string (json_node_get_object (urls), "get");
  if (url == NULL || *url == '\0')
    {
      g_set_error_literal (error, FF_API_ERROR, FF_API_ERROR_BAD_RESPONSE,
                           _("the uploaded file has no URL"));
      return NULL;
    }
  return g_strdup (url);
}

gchar *
ff_problem_detail (const gchar *data,
                   gsize        length)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject  *object = parse_object (parser, data, length, NULL);
  const gchar *text;

  if (object == NULL)
    return NULL;
  text = get_string (object, "detail");
  if (text == NULL)
    text = get_string (object, "title");
  return ff_service_text (text);
}

/* Skips an escape sequence starting at @p (just past ESC, or past a C1
 * CSI/OSC): CSI runs to a final byte 0x40-0x7E, OSC and other strings to
 * BEL or ST, anything else is one character.
 */
static const gchar *
skip_escape (const gchar *p,
             gboolean     csi,
             gboolean     string)
{
  if (csi)
    {
      while (*p && ! (*p >= 0x40 && *p <= 0x7e))
        p++;
      return *p ? p + 1 : p;
    }
  if (string)
    {
      for (; *p; p++)
        if (*p == '\a' || (*p == '\033' && p[1] == '\\'))
          return *p == '\a' ? p + 1 : p + 2;
      return p;
    }
  return *p ? g_utf8_next_char (p) : p;
}

gchar *
ff_service_text (const gchar *text)
{
  g_autofree gchar *valid = NULL;
  GString          *clean;
  const gchar      *p;
  glong             chars = 0;

  if (text == NULL)
    return NULL;
  valid = g_utf8_make_valid (text, -1);
  clean = g_string_sized_new (MIN (strlen (valid), FF_SERVICE_TEXT_MAX_CHARS * 4 + 8));
  for (p = valid; *p && chars < FF_SERVICE_TEXT_MAX_CHARS; )
    {
      gunichar c = g_utf8_get_char (p);

      p = g_utf8_next_char (p);
      if (c == 0x1b)
        p = skip_escape (p + (*p == '[' || *p == ']' || *p == 'P' || *p == '_' || *p == '^'),
                         *p == '[', *p == ']' || *p == 'P' || *p == '_' || *p == '^');
      else if (c == 0x9b || c == 0x9d)
        p = skip_escape (p, c == 0x9b, c == 0x9d);
      else if (c == '\n' || c == '\t' || c == '\r')
        {
          /* Lines stay lines (a 422 lists one problem a line). */
          g_string_append_c (clean, c == '\n' ? '\n' : ' ');
          chars++;
        }
      else if (! g_unichar_iscntrl (c) && c != 0x2028 && c != 0x2029 &&
               ! (c >= 0x202a && c <= 0x202e) && ! (c >= 0x2066 && c <= 0x2069))
        {
          g_string_append_unichar (clean, c);
          chars++;
        }
    }
  if (*p)
    g_string_append (clean, "…");
  return g_strstrip (g_string_free (clean, FALSE));
}
