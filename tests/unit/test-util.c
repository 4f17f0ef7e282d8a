/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fill-request.h"
#include "http-client.h"
#include "image-codec.h"
#include "model.h"
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

gchar *
test_image_uri (gint    width,
                gint    height,
                guint32 rgba)
{
  g_autoptr(GdkPixbuf) image = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, width, height);
  g_autoptr(GBytes)    png = NULL;

  gdk_pixbuf_fill (image, rgba);
  png = ff_image_encode_png (image, NULL);
  return ff_data_uri (png, "image/png");
}

/* A 40x30 dark blue picture whose right half is masked. */
gchar *
test_make_body (gint steps)
{
  g_autoptr(GdkPixbuf) mask = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 40, 30);
  g_autoptr(GdkPixbuf) right = gdk_pixbuf_new_subpixbuf (mask, 20, 0, 20, 30);
  g_autoptr(GBytes)    mask_png = NULL;
  g_autofree gchar    *image_uri = test_image_uri (40, 30, 0x204060ff);
  g_autofree gchar    *mask_uri = NULL;
  gchar               *body;
  FfParams             params;

  gdk_pixbuf_fill (mask, 0x000000ff);
  gdk_pixbuf_fill (right, 0xffffffff);
  mask_png = ff_image_encode_png (mask, NULL);
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


GdkPixbuf *
test_edit (FfClient    *client,
           const gchar *model_id,
           guint        n_references,
           gint         safety,
           GError     **error)
{
  const FfModel    *model = ff_model_by_id (ff_client_provider (client)->id, model_id);
  g_autofree gchar *image_uri = test_image_uri (120, 80, 0x204060ff);
  g_auto(GStrv)     references = g_new0 (gchar *, n_references + 1);
  g_autofree gchar *body = NULL;
  g_autofree gchar *url = NULL;
  g_autoptr(GBytes) output = NULL;
  GdkPixbuf        *result = NULL;
  FfParams          params;
  gsize             length = 0;

  g_assert_nonnull (model);
  for (guint i = 0; i < n_references; i++)
    references[i] = test_image_uri (60, 60, 0xe0e0e0ff);
  ff_params_init (&params);
  g_free (params.prompt);
  params.prompt = g_strdup ("make it red");
  params.output_format = FF_FORMAT_PNG;
  params.safety_tolerance = safety;
  if (ff_model_check_edit (model, &params, n_references, error))
    {
      FfModelInputs inputs = {
        .image_uri = image_uri, .width = 120, .height = 80,
        .references = (const gchar * const *) references,
      };

      body = model->build_body (&params, &inputs, &length);
      url = ff_client_predict_at (client, model->route, body, length, error);
      output = url != NULL ? ff_client_download (client, url, error) : NULL;
      result = output != NULL ? ff_image_decode (output, 64 * 1024 * 1024, error) : NULL;
    }
  ff_params_clear (&params);
  return result;
}

void
test_assert_edit (Standin     *standin,
                  GdkPixbuf   *result,
                  FfProviderId provider,
                  const gchar *model_id,
                  guint        n_references)
{
  const FfModel       *model = ff_model_by_id (provider, model_id);
  g_autoptr(JsonArray) requests = standin_requests (standin);
  JsonObject          *submit = standin_find_request (requests, "POST", model->route);
  JsonArray           *sizes;
  gint                 w = 0, h = 0;
  const guint8        *centre;

  g_assert_nonnull (result);
  ff_model_output_size (model, 120, 80, &w, &h);
  g_assert_cmpint (gdk_pixbuf_get_width (result), ==, w);
  g_assert_cmpint (gdk_pixbuf_get_height (result), ==, h);
  if (model->size_rule == FF_SIZE_ABOUT_1MP)
    g_assert_cmpfloat (fabs ((gdouble) w * h / FF_MEGAPIXEL - 1), <, 0.05);
  /* 0x204060 halfway to magenta (255, 0, 255), then the drift (6, -4, 3). */
  centre = gdk_pixbuf_read_pixels (result) + (h / 2) * gdk_pixbuf_get_rowstride (result)
           + (w / 2) * gdk_pixbuf_get_n_channels (result);
  g_assert_cmpint (ABS (centre[0] - 150), <=, 3);
  g_assert_cmpint (ABS (centre[1] - 28), <=, 3);
  g_assert_cmpint (ABS (centre[2] - 178), <=, 3);

  g_assert_nonnull (submit);
  g_assert_cmpint (json_object_get_int_member (submit, "images"), ==, 1 + n_references);
  sizes = json_object_get_array_member (submit, "image_sizes");
  g_assert_cmpuint (json_array_get_length (sizes), ==, 1 + n_references);
  for (guint i = 0; i <= n_references; i++)
    {
      JsonArray *size = json_array_get_array_element (sizes, i);

      g_assert_cmpint (json_array_get_int_element (size, 0), ==, i == 0 ? 120 : 60);
      g_assert_cmpint (json_array_get_int_element (size, 1), ==, i == 0 ? 80 : 60);
    }
}

void
test_assert_edit_refused (FfClient *client)
{
  static const struct { guint references; gint safety; } refused[] = { { 0, 3 }, { 1, 2 } };

  for (gsize i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(GError)    error = NULL;
      g_autoptr(GdkPixbuf) result = test_edit (client, FF_MODEL_KONTEXT_PRO,
                                               refused[i].references, refused[i].safety, &error);

      g_assert_null (result);
      g_assert_error (error, FF_PARAMS_ERROR, FF_PARAMS_ERROR_INVALID);
    }
}
