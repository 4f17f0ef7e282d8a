/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "fill-request.h"
#include "http-client.h"
#include "image-codec.h"
#include "test-util.h"

/* Starts the stand-in in the script $@variable names; its first line
 * gives its ports.
 */
static Standin *
start_script (const gchar *variable,
              const gchar *key)
{
  g_autoptr(GError)    error = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree gchar    *line = NULL;
  const gchar         *script = g_getenv (variable);
  Standin             *standin = g_new0 (Standin, 1);
  gint                 api_port = 0;

  g_assert_nonnull (script);
  standin->process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                       G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                                       &error, "python3", script,
                                       "--token", key, NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (standin->process));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_cmpint (sscanf (line, "PORT %d %d %d %d", &api_port, &standin->files_port,
                           &standin->regional_port, &standin->foreign_port), >=, 2);
  standin->delivery_port = standin->files_port;
  standin->base_url = g_strdup_printf ("http://127.0.0.1:%d", api_port);
  return standin;
}

Standin *
standin_start (void)
{
  return start_script ("FLUX_FILL_STANDIN", TEST_TOKEN);
}

Standin *
standin_start_bfl (void)
{
  return start_script ("FLUX_FILL_BFL_STANDIN", TEST_BFL_KEY);
}

void
standin_stop (Standin *standin)
{
  if (standin == NULL)
    return;
  /* Closing its stdin ends it. */
  g_output_stream_close (g_subprocess_get_stdin_pipe (standin->process), NULL, NULL);
  g_subprocess_wait (standin->process, NULL, NULL);
  g_object_unref (standin->process);
  g_free (standin->base_url);
  g_free (standin);
}

static GBytes *
control (Standin     *standin,
         const gchar *method,
         const gchar *path,
         const gchar *json)
{
  g_autoptr(FfHttp)         http = ff_http_new ("flux-fill-tests");
  g_autoptr(FfHttpResponse) response = NULL;
  g_autoptr(GError)         error = NULL;
  g_autofree gchar         *url = g_strconcat (standin->base_url, path, NULL);
  g_autoptr(GBytes)         body = json ? g_bytes_new (json, strlen (json)) : NULL;
  FfHttpRequest             request = {
    .method = method, .url = url, .body = body,
    .timeout_seconds = 10, .max_response = 64 * 1024 * 1024,
  };

  response = ff_http_send (http, &request, &error);
  g_assert_no_error (error);
  /* A misspelt scenario key is a 400 that names it: a test that meant
   * another scenario fails here, saying why.
   */
  if (response->status != 200)
    g_test_message ("the stand-in answered %s %s with %ld: %.*s", method, path,
                    response->status, (int) g_bytes_get_size (response->body),
                    (const gchar *) g_bytes_get_data (response->body, NULL));
  g_assert_cmpint (response->status, ==, 200);
  return g_bytes_ref (response->body);
}

/* Both calls assert a 200 (see control ()). */
void
standin_scenario (Standin     *standin,
                  const gchar *json)
{
  g_autoptr(GBytes) reset = control (standin, "POST", "/_standin/reset", "{}");
  g_autoptr(GBytes) set = control (standin, "POST", "/_standin/scenario", json);
}

JsonArray *
standin_requests (Standin *standin)
{
  g_autoptr(GBytes)     body = control (standin, "GET", "/_standin/requests", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError)     error = NULL;
  gsize                 size = 0;
  const gchar          *data = g_bytes_get_data (body, &size);

  json_parser_load_from_data (parser, data, (gssize) size, &error);
  g_assert_no_error (error);
  return json_array_ref (json_node_get_array (json_parser_get_root (parser)));
}

JsonObject *
standin_find_request (JsonArray   *requests,
                      const gchar *method,
                      const gchar *suffix)
{
  for (guint i = 0; i < json_array_get_length (requests); i++)
    {
      JsonObject *request = json_array_get_object_element (requests, i);

      if (g_strcmp0 (json_object_get_string_member (request, "method"), method) == 0 &&
          g_str_has_suffix (json_object_get_string_member (request, "path"), suffix))
        return request;
    }
  return NULL;
}

/* A 40x30 dark blue picture whose right half is masked. */
gchar *
test_make_body (gint steps)
{
  g_autoptr(GdkPixbuf) image = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 40, 30);
  g_autoptr(GdkPixbuf) mask = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 40, 30);
  g_autoptr(GdkPixbuf) right = gdk_pixbuf_new_subpixbuf (mask, 20, 0, 20, 30);
  g_autoptr(GBytes)    image_png = NULL;
  g_autoptr(GBytes)    mask_png = NULL;
  g_autofree gchar    *image_uri = NULL;
  g_autofree gchar    *mask_uri = NULL;
  gchar               *body;
  FfParams             params;

  gdk_pixbuf_fill (image, 0x204060ff);
  gdk_pixbuf_fill (mask, 0x000000ff);
  gdk_pixbuf_fill (right, 0xffffffff);
  image_png = ff_image_encode_png (image, NULL);
  mask_png = ff_image_encode_png (mask, NULL);
  image_uri = ff_data_uri (image_png, "image/png");
  mask_uri = ff_data_uri (mask_png, "image/png");
  ff_params_init (&params);
  g_free (params.prompt);
  params.prompt = g_strdup ("a red barn");
  params.output_format = FF_FORMAT_PNG;
  params.steps = steps;
  body = ff_request_build_body (&params, image_uri, mask_uri, NULL);
  ff_params_clear (&params);
  return body;
}

