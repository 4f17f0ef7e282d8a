/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The client at Black Forest Labs' API, against its stand-in: the exact
 * requests each server got, where the key went and where it never did.
 */
#include "config.h"

#include <string.h>

#include <gdk-pixbuf/gdk-pixbuf.h>

#include "fill-request.h"
#include "model.h"
#include "service-client.h"
#include "test-util.h"

static Standin *standin;

static FfClient *
bfl_client (const gchar *key)
{
  g_autoptr(GError) error = NULL;
  FfClient         *client = ff_client_new_for (ff_provider_by_nick ("bfl"), standin->base_url,
                                                key, &error);

  g_assert_no_error (error);
  ff_client_set_timing (client, &(FfClientTiming) { 0.05, 10, 2, 0.05 });
  return client;
}

/* A fill body for the stand-in: 64 × 64, the right half masked. */
static gchar *
fill_body (gint seed)
{
  g_autoptr(GdkPixbuf) image = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 64, 64);
  g_autoptr(GdkPixbuf) mask = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 64, 64);
  g_autoptr(GdkPixbuf) right = NULL;
  g_autofree gchar    *png = NULL, *mask_png = NULL, *image_uri = NULL, *mask_uri = NULL;
  g_autofree gchar    *image_b64 = NULL, *mask_b64 = NULL;
  gsize                size = 0, mask_size = 0;
  FfParams             params;
  gchar               *body;

  gdk_pixbuf_fill (image, 0x203080ff);
  gdk_pixbuf_fill (mask, 0x000000ff);
  right = gdk_pixbuf_new_subpixbuf (mask, 32, 0, 32, 64);
  gdk_pixbuf_fill (right, 0xffffffff);
  g_assert_true (gdk_pixbuf_save_to_buffer (image, &png, &size, "png", NULL, NULL));
  g_assert_true (gdk_pixbuf_save_to_buffer (mask, &mask_png, &mask_size, "png", NULL, NULL));
  image_b64 = g_base64_encode ((guchar *) png, size);
  mask_b64 = g_base64_encode ((guchar *) mask_png, mask_size);
  image_uri = g_strconcat ("data:image/png;base64,", image_b64, NULL);
  mask_uri = g_strconcat ("data:image/png;base64,", mask_b64, NULL);
  ff_params_init (&params);
  g_free (params.prompt);
  params.prompt = g_strdup ("a small pond");
  params.seed = seed;
  params.output_format = FF_FORMAT_PNG;
  body = ff_request_build_bfl_fill (&params, image_uri, mask_uri, NULL);
  ff_params_clear (&params);
  return body;
}

/* "SERVER METHOD PATH STATUS" a line, queries cut, polls that repeat
 * one line with " ...".
 */
static gchar *
sequence (void)
{
  g_autoptr(JsonArray) requests = standin_requests (standin);
  g_autoptr(GString)   text = g_string_new (NULL);
  g_autofree gchar    *previous = NULL;

  for (guint i = 0; i < json_array_get_length (requests); i++)
    {
      JsonObject       *r = json_array_get_object_element (requests, i);
      const gchar      *server = json_object_get_string_member (r, "server");
      g_autofree gchar *path = g_strdup (json_object_get_string_member (r, "path"));
      JsonNode         *status = json_object_get_member (r, "status");
      g_autofree gchar *line = NULL;
      g_autofree gchar *answer = status == NULL || JSON_NODE_HOLDS_NULL (status)
                                 ? g_strdup ("-")
                                 : g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (status));

      if (strchr (path, '?') != NULL)
        *strchr (path, '?') = '\0';
      if (g_str_equal (server, "delivery"))
        g_set_str (&path, "{sample}");
      line = g_strdup_printf ("%s %s %s %s", server, json_object_get_string_member (r, "method"),
                              path, answer);
      if (g_strcmp0 (line, previous) == 0)
        {
          if (! g_str_has_suffix (text->str, " ...\n"))
            g_string_insert (text, text->len - 1, " ...");
          continue;
        }
      g_string_append_printf (text, "%s\n", line);
      g_set_str (&previous, line);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* Where the key went: every request to the API carries it as x-key, none
 * as a bearer token, and no other server ever sees it.
 */
static void
assert_key_only_at_the_api (void)
{
  g_autoptr(JsonArray) requests = standin_requests (standin);

  for (guint i = 0; i < json_array_get_length (requests); i++)
    {
      JsonObject  *r = json_array_get_object_element (requests, i);
      const gchar *server = json_object_get_string_member (r, "server");

      g_assert_false (json_object_get_boolean_member (r, "authorization"));
      if (g_str_equal (server, "api"))
        g_assert_cmpstr (json_object_get_string_member (r, "key"), !=, "missing");
      else
        g_assert_cmpstr (json_object_get_string_member (r, "key"), ==, "missing");
    }
}

static GBytes *
fill (FfClient  *client,
      gint       seed,
      GError   **error)
{
  g_autofree gchar *body = fill_body (seed);
  g_autofree gchar *url = ff_client_predict (client, body, strlen (body), error);

  return url != NULL ? ff_client_download (client, url, error) : NULL;
}

static void
test_fill (void)
{
  g_autoptr(FfClient) client = bfl_client (TEST_BFL_KEY);
  g_autoptr(GError)   error = NULL;
  g_autoptr(GBytes)   output = NULL;
  g_autofree gchar   *seq = NULL;

  standin_scenario (standin, "{\"duration\": 0.4}");
  output = fill (client, 5, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (output), >, 0);
  seq = sequence ();
  g_assert_cmpstr (seq, ==, "api POST /v1/flux-pro-1.0-fill 200\n"
                            "api GET /v1/get_result 200 ...\n"
                            "delivery GET {sample} 200\n");
  assert_key_only_at_the_api ();
}

typedef struct
{
  const gchar *name;
  const gchar *scenario;
  const gchar *key;
  GQuark     (*domain) (void);
  gint         code;
  const gchar *message;        /* a glob */
  const gchar *sequence;
} Failure;

static GQuark http_domain (void) { return FF_HTTP_ERROR; }
static GQuark api_domain (void)  { return FF_API_ERROR; }

static const Failure failures[] = {
  { "wrong-key", "{}", "bfl_wrong", http_domain, 403,
    "could not create the prediction: 127.0.0.1:* answered HTTP 403 (check the API token): *",
    "api POST /v1/flux-pro-1.0-fill 403\n" },
  { "no-credits", "{\"credits\": 2}", TEST_BFL_KEY, http_domain, 402,
    "could not create the prediction: 127.0.0.1:* answered HTTP 402*",
    "api POST /v1/flux-pro-1.0-fill 402\n" },
  { "content-moderated", "{\"outcome\": \"Content Moderated\", \"duration\": 0.1}",
    TEST_BFL_KEY, api_domain, FF_API_ERROR_MODERATED,
    "127.0.0.1:* flagged it: Derivative Works Filter",
    "api POST /v1/flux-pro-1.0-fill 200\napi GET /v1/get_result 200 ...\n" },
  { "error", "{\"outcome\": \"Error\", \"error\": \"the GPU fell over\", \"duration\": 0.1}",
    TEST_BFL_KEY, api_domain, FF_API_ERROR_FAILED,
    "the prediction failed at 127.0.0.1:*: the GPU fell over",
    "api POST /v1/flux-pro-1.0-fill 200\napi GET /v1/get_result 200 ...\n" },
  { "task-not-found", "{\"outcome\": \"Task not found\", \"duration\": 0.1}",
    TEST_BFL_KEY, api_domain, FF_API_ERROR_FAILED, "the prediction failed at *",
    "api POST /v1/flux-pro-1.0-fill 200\napi GET /v1/get_result 200 ...\n" },
  /* The key never goes to a host it may not: refused before any request. */
  { "foreign-polling-url", "{\"polling_host\": \"foreign\"}", TEST_BFL_KEY, api_domain,
    FF_API_ERROR_BAD_RESPONSE, "could not create the prediction: *the key may not go to*",
    "api POST /v1/flux-pro-1.0-fill 200\n" },
  { "regional-polling-url-off-bfl", "{\"polling_host\": \"regional\"}", TEST_BFL_KEY,
    api_domain, FF_API_ERROR_BAD_RESPONSE, "*the key may not go to*",
    "api POST /v1/flux-pro-1.0-fill 200\n" },
  /* No cancel at BFL: giving up says the task may still bill. */
  { "polls-keep-failing",
    "{\"duration\": 5, \"poll_errors\": [[500, null], [502, null], [503, null], [500, null], [503, null]]}",
    TEST_BFL_KEY, http_domain, 503, "*(this service cannot cancel it: it may still run and be billed)",
    "api POST /v1/flux-pro-1.0-fill 200\napi GET /v1/get_result 500\napi GET /v1/get_result 502\n"
    "api GET /v1/get_result 503\napi GET /v1/get_result 500\napi GET /v1/get_result 503\n" },
  /* The sample expires: fetched at once, never with the key. */
  { "sample-expired", "{\"sample_ttl\": 0}", TEST_BFL_KEY, http_domain, 403,
    "could not download the result from 127.0.0.1:*",
    "api POST /v1/flux-pro-1.0-fill 200\napi GET /v1/get_result 200 ...\n"
    "delivery GET {sample} 403\n" },
};

static void
test_failure (gconstpointer data)
{
  const Failure      *f = data;
  g_autoptr(FfClient) client = bfl_client (f->key);
  g_autoptr(GError)   error = NULL;
  g_autoptr(GBytes)   output = NULL;
  g_autofree gchar   *seq = NULL;

  standin_scenario (standin, f->scenario);
  output = fill (client, 9, &error);
  g_assert_null (output);
  g_assert_error (error, f->domain (), f->code);
  if (! g_pattern_match_simple (f->message, error->message))
    g_assert_cmpstr (error->message, ==, f->message);
  g_assert_null (strstr (error->message, TEST_BFL_KEY));
  seq = sequence ();
  g_assert_cmpstr (seq, ==, f->sequence);
  assert_key_only_at_the_api ();
}

/* 429: too many tasks, the task was not accepted: sent again after the
 * wait, once accepted never again.
 */
static void
test_busy_then_ok (void)
{
  g_autoptr(FfClient) client = bfl_client (TEST_BFL_KEY);
  g_autoptr(GError)   error = NULL;
  g_autoptr(GBytes)   output = NULL;
  g_autofree gchar   *seq = NULL;

  standin_scenario (standin, "{\"submit_errors\": [[429, 0]], \"duration\": 0.1}");
  output = fill (client, 3, &error);
  g_assert_no_error (error);
  seq = sequence ();
  g_assert_cmpstr (seq, ==, "api POST /v1/flux-pro-1.0-fill 429\n"
                            "api POST /v1/flux-pro-1.0-fill 200\n"
                            "api GET /v1/get_result 200 ...\n"
                            "delivery GET {sample} 200\n");
}

/* A 5xx or a dropped submit may hide a task that bills: never sent again. */
static void
test_dropped_submit_not_resent (void)
{
  g_autoptr(FfClient) client = bfl_client (TEST_BFL_KEY);
  g_autoptr(GError)   error = NULL;
  g_autoptr(GBytes)   output = NULL;
  g_autofree gchar   *seq = NULL;

  standin_scenario (standin, "{\"submit_errors\": [[503, null], [503, null]]}");
  output = fill (client, 3, &error);
  g_assert_error (error, FF_HTTP_ERROR, 503);
  seq = sequence ();
  g_assert_cmpstr (seq, ==, "api POST /v1/flux-pro-1.0-fill 503\n");
}

static void
test_check (void)
{
  g_autoptr(FfClient) good = bfl_client (TEST_BFL_KEY);
  g_autoptr(FfClient) refused = bfl_client ("bfl_wrong");
  g_autoptr(GError)   error = NULL;
  const gchar        *checked = NULL;
  g_autofree gchar   *seq = NULL;

  standin_scenario (standin, "{}");
  g_assert_true (ff_client_check (good, &checked, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (checked, ==, FF_CHECK_CREDITS);
  g_assert_false (ff_client_check (refused, &checked, &error));
  g_assert_error (error, FF_HTTP_ERROR, 403);
  seq = sequence ();
  g_assert_cmpstr (seq, ==, "api GET /v1/credits 200\napi GET /v1/credits 403\n");
}

/* No cancel route: asking for one sends nothing. */
static void
test_no_cancel (void)
{
  g_autoptr(FfClient) client = bfl_client (TEST_BFL_KEY);
  g_autofree gchar   *seq = NULL;

  standin_scenario (standin, "{}");
  ff_client_cancel (client, "abc");
  g_assert_false (ff_client_has_files_api (client));
  seq = sequence ();
  g_assert_cmpstr (seq, ==, "");
}

/* An edit with Kontext comes back at about 1 MP, the picture's aspect
 * ratio kept; FLUX.2 with a reference sends input_image and
 * input_image_2.  The key goes only to the API, as for a fill.
 */
static void
test_edit_succeeds (gconstpointer data)
{
  const gchar         *model_id = data;
  gboolean             flux2 = g_str_equal (model_id, FF_MODEL_FLUX2_PRO);
  g_autoptr(FfClient)  client = bfl_client (TEST_BFL_KEY);
  g_autoptr(GError)    error = NULL;
  g_autoptr(GdkPixbuf) result = NULL;
  g_autofree gchar    *seq = NULL;
  g_autofree gchar    *expected = NULL;

  standin_scenario (standin, "{\"duration\": 0.2}");
  result = test_edit (client, model_id, flux2 ? 1 : 0, 2, &error);
  g_assert_no_error (error);
  test_assert_edit (standin, result, FF_PROVIDER_BFL, model_id, flux2 ? 1 : 0);
  seq = sequence ();
  expected = g_strdup_printf ("api POST %s 200\n"
                              "api GET /v1/get_result 200 ...\n"
                              "delivery GET {sample} 200\n",
                              ff_model_by_id (FF_PROVIDER_BFL, model_id)->route);
  g_assert_cmpstr (seq, ==, expected);
  assert_key_only_at_the_api ();
}

/* Kontext with a tolerance of 3 or a reference: refused, nothing sent. */
static void
test_edit_refused_before_sending (void)
{
  g_autoptr(FfClient) client = bfl_client (TEST_BFL_KEY);
  g_autofree gchar   *seq = NULL;

  standin_scenario (standin, "{}");
  test_assert_edit_refused (client);
  seq = sequence ();
  g_assert_cmpstr (seq, ==, "");
}

int
main (int   argc,
      char *argv[])
{
  int result;

  g_test_init (&argc, &argv, NULL);
  standin = standin_start_bfl ();
  g_test_add_func ("/client-bfl/fill", test_fill);
  g_test_add_func ("/client-bfl/busy-then-ok", test_busy_then_ok);
  g_test_add_func ("/client-bfl/dropped-submit-not-resent", test_dropped_submit_not_resent);
  g_test_add_func ("/client-bfl/check", test_check);
  g_test_add_func ("/client-bfl/no-cancel", test_no_cancel);
  g_test_add_data_func ("/client-bfl/edit-kontext", FF_MODEL_KONTEXT_PRO, test_edit_succeeds);
  g_test_add_data_func ("/client-bfl/edit-flux2-reference", FF_MODEL_FLUX2_PRO, test_edit_succeeds);
  g_test_add_func ("/client-bfl/edit-refused-before-sending", test_edit_refused_before_sending);
  for (gsize i = 0; i < G_N_ELEMENTS (failures); i++)
    {
      g_autofree gchar *path = g_strdup_printf ("/client-bfl/fails/%s", failures[i].name);
      g_test_add_data_func (path, &failures[i], test_failure);
    }
  result = g_test_run ();
  standin_stop (standin);
  return result;
}
