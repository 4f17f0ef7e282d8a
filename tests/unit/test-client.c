/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include "fill-request.h"
#include "image-codec.h"
#include "model.h"
#include "service-client.h"
#include "test-util.h"

/* One stand-in serves every case of this binary. */
static Standin *standin;

static FfClient *
make_client (const gchar *suffix,
             const gchar *token)
{
  g_autofree gchar *base = g_strconcat (standin->base_url, suffix, NULL);
  g_autoptr(GError) error = NULL;
  FfClient         *client = ff_client_new (base, token, &error);

  g_assert_no_error (error);
  /* Short waits, polls and backoffs keep the suite fast. */
  ff_client_set_timing (client, &(FfClientTiming) { 0.05, 20, 2, 0.05 });
  return client;
}

static gchar *
predict (FfClient  *client,
         gint       steps,
         GError   **error)
{
  g_autofree gchar *body = test_make_body (steps);

  return ff_client_predict (client, body, strlen (body), error);
}

static guint
count_requests (JsonArray   *requests,
                const gchar *method,
                const gchar *needle)
{
  guint n = 0;

  for (guint i = 0; i < json_array_get_length (requests); i++)
    {
      JsonObject *request = json_array_get_object_element (requests, i);

      if (g_strcmp0 (json_object_get_string_member (request, "method"), method) == 0 &&
          strstr (json_object_get_string_member (request, "path"), needle) != NULL)
        n++;
    }
  return n;
}

/* The exchange as the stand-in saw it, a line a request: method, path
 * (prediction ids as {id}) and the status it answered ("-" for none);
 * polls in a row collapse into one line ending " ...".  As libsoup's
 * tests do, cases assert the whole sequence, not counts.
 */
static gchar *
request_sequence (JsonArray *requests)
{
  g_autoptr(GRegex) id = g_regex_new ("/[0-9a-f]{26}", 0, 0, NULL);
  GString          *sequence = g_string_new (NULL);
  g_autofree gchar *previous = NULL;

  for (guint i = 0; i < json_array_get_length (requests); i++)
    {
      JsonObject       *request = json_array_get_object_element (requests, i);
      const gchar      *server = json_object_get_string_member (request, "server");
      JsonNode         *status = json_object_get_member (request, "status");
      g_autofree gchar *path = g_regex_replace_literal (id, json_object_get_string_member (request, "path"),
                                                        -1, 0, "/{id}", 0, NULL);
      g_autofree gchar *answer = NULL;
      g_autofree gchar *line = NULL;

      if (g_str_equal (server, "files"))
        {
          /* The files server keeps no statuses: the body tells. */
          g_string_append (sequence, "GET {output}\n");
          g_clear_pointer (&previous, g_free);
          continue;
        }
      answer = status == NULL || JSON_NODE_HOLDS_NULL (status)
               ? g_strdup ("-") : g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (status));
      line = g_strdup_printf ("%s %s %s", json_object_get_string_member (request, "method"),
                              path, answer);
      if (g_strcmp0 (line, previous) == 0 && g_str_has_prefix (line, "GET /"))
        {
          if (! g_str_has_suffix (sequence->str, " ...\n"))
            g_string_insert (sequence, sequence->len - 1, " ...");
          continue;
        }
      g_string_append_printf (sequence, "%s\n", line);
      g_set_str (&previous, line);
    }
  return g_string_free (sequence, FALSE);
}

#define CREATE "POST /v1/models/black-forest-labs/flux-fill-pro/predictions"
#define POLL   "GET /v1/predictions/{id}"
#define CANCEL "POST /v1/predictions/{id}/cancel"

/* @expected: the sequence, or a glob of it ('*' and '?'). */
static void
assert_sequence (const gchar *expected)
{
  g_autoptr(JsonArray) requests = standin_requests (standin);
  g_autofree gchar    *sequence = request_sequence (requests);

  if (strpbrk (expected, "*?") == NULL || ! g_pattern_match_simple (expected, sequence))
    g_assert_cmpstr (sequence, ==, expected);
}

static void
test_polls_until_done (void)
{
  g_autoptr(FfClient)  client = make_client ("", TEST_TOKEN);
  g_autoptr(GError)    error = NULL;
  g_autoptr(JsonArray) requests = NULL;
  g_autofree gchar    *url = NULL;
  JsonObject          *create, *input;

  standin_scenario (standin, "{\"duration\": 1.6, \"max_wait\": 0.5}");
  url = predict (client, 50, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (url, "http://127.0.0.1:"));

  requests = standin_requests (standin);
  create = standin_find_request (requests, "POST",
                                 "/v1/models/black-forest-labs/flux-fill-pro/predictions");
  g_assert_nonnull (create);
  g_assert_cmpstr (json_object_get_string_member (create, "path"), ==,
                   "/v1/models/black-forest-labs/flux-fill-pro/predictions");
  g_assert_cmpstr (json_object_get_string_member (create, "auth"), ==, "valid");
  /* Not held: the id comes back at once, for the watchman. */
  g_assert_null (json_object_get_string_member (create, "prefer"));
  /* The service's backstop: our limit (20 s) and a margin. */
  g_assert_cmpstr (json_object_get_string_member (create, "cancel_after"), ==, "80s");
  g_assert_cmpstr (json_object_get_string_member (create, "content_type"), ==, "application/json");
  g_assert_cmpstr (json_object_get_string_member (create, "user_agent"), ==,
                   "flux-fill/" PACKAGE_VERSION);
  input = json_object_get_object_member (create, "input");
  g_assert_cmpint (json_object_get_int_member (input, "steps"), ==, 50);
  g_assert_cmpstr (json_object_get_string_member (input, "outpaint"), ==, "None");
  assert_sequence (CREATE " 201\n" POLL " 200 ...\n");
  /* urls.get points at api.replicate.com; every poll came here instead. */
  for (guint i = 0; i < json_array_get_length (requests); i++)
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (requests, i),
                                                    "auth"), ==, "valid");
}

/* However long the service would hold it, the create is answered at once
 * and the prediction polled: a cancel then always knows its id.
 */
static void
test_create_not_held (void)
{
  g_autoptr(FfClient)  client = make_client ("", TEST_TOKEN);
  g_autoptr(GError)    error = NULL;
  g_autofree gchar    *url = NULL;

  standin_scenario (standin, "{\"duration\": 0.5, \"max_wait\": 60}");
  url = predict (client, 30, &error);
  g_assert_no_error (error);
  assert_sequence (CREATE " 201\n" POLL " 200*");
}

static void
test_aggregator_prefix (void)
{
  g_autoptr(FfClient)  client = make_client ("/replicate/", TEST_TOKEN);
  g_autoptr(GError)    error = NULL;
  g_autoptr(JsonArray) requests = NULL;
  g_autofree gchar    *url = NULL;

  standin_scenario (standin, "{\"duration\": 1.0, \"max_wait\": 0.2}");
  url = predict (client, 50, &error);
  g_assert_no_error (error);
  requests = standin_requests (standin);
  g_assert_cmpuint (count_requests (requests, "POST",
                                    "/replicate/v1/models/black-forest-labs/flux-fill-pro/predictions"),
                    ==, 1);
  g_assert_cmpuint (count_requests (requests, "GET", "/replicate/v1/predictions/"), >=, 1);
  g_assert_cmpuint (count_requests (requests, "GET", "/v1/"), ==,
                    count_requests (requests, "GET", "/replicate/v1/"));
}

static void
test_download_has_no_token (void)
{
  g_autoptr(FfClient)  client = make_client ("", TEST_TOKEN);
  g_autoptr(GError)    error = NULL;
  g_autoptr(JsonArray) requests = NULL;
  g_autoptr(GBytes)    output = NULL;
  g_autoptr(GdkPixbuf) image = NULL;
  g_autofree gchar    *url = NULL;
  JsonObject          *fetch;
  const guchar        *pixels;

  standin_scenario (standin, "{\"duration\": 0.1, \"drift\": [0, 0, 0]}");
  url = predict (client, 50, &error);
  g_assert_no_error (error);
  output = ff_client_download (client, url, &error);
  g_assert_no_error (error);

  requests = standin_requests (standin);
  fetch = standin_find_request (requests, "GET", ".png");
  g_assert_nonnull (fetch);
  g_assert_cmpstr (json_object_get_string_member (fetch, "server"), ==, "files");
  g_assert_false (json_object_get_boolean_member (fetch, "auth_present"));

  /* The stand-in paints the masked right half magenta. */
  image = ff_image_decode (output, ff_output_pixel_limit (40, 30), &error);
  g_assert_no_error (error);
  pixels = gdk_pixbuf_get_pixels (image);
  g_assert_cmpint (pixels[0], ==, 0x20);
  pixels += (gdk_pixbuf_get_width (image) - 1) * gdk_pixbuf_get_n_channels (image);
  g_assert_cmpint (pixels[0], ==, 255);
  g_assert_cmpint (pixels[1], ==, 0);
  g_assert_cmpint (pixels[2], ==, 255);
}

/* FLUX_FILL_DEBUG=1 logs each exchange, with neither the token nor an
 * output URL's query (a pre-signed URL carries its signature there).
 */
static void
test_debug_log (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(FfClient) client = NULL;
      g_autoptr(GError)   error = NULL;
      g_autoptr(GBytes)   output = NULL;
      g_autofree gchar   *url = NULL;
      g_autofree gchar   *signed_url = NULL;

      g_setenv ("FLUX_FILL_DEBUG", "1", TRUE);
      client = make_client ("", TEST_TOKEN);
      standin_scenario (standin, "{\"duration\": 0.1}");
      url = predict (client, 50, &error);
      g_assert_no_error (error);
      signed_url = g_strconcat (url, "?X-Amz-Signature=s3cr3t", NULL);
      output = ff_client_download (client, signed_url, &error);
      g_assert_no_error (error);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*flux-fill: POST http://127.0.0.1:*/v1/models/"
                             "black-forest-labs/flux-fill-pro/predictions -> HTTP 20*");
  g_test_trap_assert_stderr ("*flux-fill: GET http://127.0.0.1:*/output.png?[query] -> HTTP 200*");
  g_test_trap_assert_stderr_unmatched ("*s3cr3t*");
  g_test_trap_assert_stderr_unmatched ("*" TEST_TOKEN "*");
}

typedef struct
{
  const gchar *name;
  const gchar *scenario;
  const gchar *token;
  gint         steps;
  const gchar *error_domain;   /* "http", "api" */
  gint         error_code;
  const gchar *message;        /* exact, or a glob ('*' and '?'); {host}: the stand-in's */
  const gchar *sequence;       /* nullable: the exact exchange, as assert_sequence () */
} FailureCase;

static const FailureCase failure_cases[] =
{
  { "wrong-token", "{}", "r8_wrong", 50, "http", 401,
    "could not create the prediction: {host} answered HTTP 401 (check the API token): Invalid token.",
    CREATE " 401\n" },
  { "validation-422", "{}", TEST_TOKEN, 51, "http", 422,
    "could not create the prediction: {host} answered HTTP 422: - input.steps: Must be less than or equal to 50",
    CREATE " 422\n" },
  { "failed", "{\"outcome\": \"failed\"}", TEST_TOKEN, 50, "api", FF_API_ERROR_FAILED,
    "the prediction failed at {host}: Model failed: CUDA out of memory", NULL },
  { "canceled", "{\"outcome\": \"canceled\"}", TEST_TOKEN, 50, "api", FF_API_ERROR_CANCELED,
    "the prediction was canceled on the service", NULL },
  /* A 5xx may hide a prediction that runs: a second POST, a second bill. */
  { "server-error-not-resent", "{\"create_errors\": [[503, null], [503, null]]}",
    TEST_TOKEN, 50, "http", 503,
    "could not create the prediction: {host} answered HTTP 503: Internal server error",
    CREATE " 503\n" },
  /* The POST was read, then the connection closed: never sent again. */
  { "dropped-after-post", "{\"create_errors\": [[\"drop\", null], [\"drop\", null]]}",
    TEST_TOKEN, 50, "curl", 52 /* CURLE_GOT_NOTHING */,
    "could not create the prediction: *", CREATE " -\n" },
  { "empty-create-body", "{\"create_errors\": [[\"empty\", null]]}",
    TEST_TOKEN, 50, "api", FF_API_ERROR_BAD_RESPONSE,
    "could not create the prediction: the prediction is not valid JSON: the response is empty",
    CREATE " 200\n" },
  /* Polling that gives up leaves no prediction running: one cancel. */
  { "polls-keep-failing",
    "{\"duration\": 5, \"max_wait\": 0.1, \"poll_errors\": [[500, null], [500, null], "
    "[\"truncated\", null], [502, null], [503, null]]}",
    TEST_TOKEN, 50, "http", 503,
    "while waiting for prediction *: {host} answered HTTP 503: Internal server error "
    "(the prediction was canceled on the service)",
    CREATE " 201\n" POLL " 500 ...\n" POLL " 200\n" POLL " 502\n" POLL " 503\n" CANCEL " 200\n" },
  { "poll-401-is-final",
    "{\"duration\": 5, \"max_wait\": 0.1, \"poll_errors\": [[401, null]]}",
    TEST_TOKEN, 50, "http", 401,
    "while waiting for prediction *: {host} answered HTTP 401 (check the API token): Internal server error "
    "(the prediction was canceled on the service)",
    CREATE " 201\n" POLL " 401\n" CANCEL " 200\n" },
  /* The cancel is tried once, whatever it gets, and the message says so. */
  { "poll-401-cancel-refused",
    "{\"duration\": 5, \"max_wait\": 0.1, \"poll_errors\": [[401, null]], "
    "\"cancel_errors\": [[401, null], [401, null]]}",
    TEST_TOKEN, 50, "http", 401,
    "while waiting for prediction *: {host} answered HTTP 401 (check the API token): Internal server error "
    "(canceling the prediction on the service failed too: {host} answered HTTP 401 (check the API token): "
    "Internal server error)",
    CREATE " 201\n" POLL " 401\n" CANCEL " 401\n" },
  { "polls-keep-failing-cancel-dropped",
    "{\"duration\": 5, \"max_wait\": 0.1, \"poll_errors\": [[502, null], [502, null], "
    "[502, null], [502, null], [502, null]], \"cancel_errors\": [[\"drop\", null], "
    "[\"drop\", null]]}",
    TEST_TOKEN, 50, "http", 502,
    "while waiting for prediction *: {host} answered HTTP 502: Internal server error "
    "(canceling the prediction on the service failed too: *)",
    CREATE " 201\n" POLL " 502 ...\n" CANCEL " -\n" },
  { "token-never-echoed", "{\"create_errors\": [[400, null]], \"echo_auth\": true}",
    TEST_TOKEN, 50, "http", 400,
    "could not create the prediction: {host} answered HTTP 400: Internal server error while "
    "handling Bearer [token]",
    CREATE " 400\n" },
  { "throttled-too-often", "{\"create_errors\": [[429, 0], [429, 0], [429, 0], [429, 0]]}",
    TEST_TOKEN, 50, "http", 429,
    "could not create the prediction: {host} answered HTTP 429: Request was throttled. "
    "Expected available in 1 second.",
    CREATE " 429\n" CREATE " 429\n" CREATE " 429\n" CREATE " 429\n" },
  { "empty-list", "{\"output\": \"empty-list\"}", TEST_TOKEN, 50, "api", FF_API_ERROR_NO_OUTPUT,
    "the prediction succeeded but has no output URL", NULL },
  { "null-output", "{\"output\": \"none\"}", TEST_TOKEN, 50, "api", FF_API_ERROR_NO_OUTPUT,
    "the prediction succeeded but has no output URL", NULL },
  /* Terminal escapes, a bell and a title change in the model's words. */
  { "escapes-in-error",
    "{\"outcome\": \"failed\", \"error\": \"\\u001b[31mred\\u001b[0m alert\\u0007 "
    "\\u001b]0;pwned\\u0007\\u009b2Jdone\\r\\nnext line\\u202e\"}",
    TEST_TOKEN, 50, "api", FF_API_ERROR_FAILED,
    "the prediction failed at {host}: red alert done \nnext line", NULL },
};

/* @text with "{host}" as messages name the stand-in: "127.0.0.1:PORT". */
static gchar *
with_host (const gchar *text)
{
  g_auto(GStrv) parts = g_strsplit (text, "{host}", -1);

  return g_strjoinv (standin->base_url + strlen ("http://"), parts);
}

static void
test_failure (gconstpointer data)
{
  const FailureCase   *tc = data;
  g_autoptr(FfClient)  client = make_client ("", tc->token);
  g_autoptr(GError)    error = NULL;
  g_autofree gchar    *url = NULL;
  g_autofree gchar    *message = with_host (tc->message);

  standin_scenario (standin, tc->scenario);
  url = predict (client, tc->steps, &error);
  g_assert_null (url);
  g_assert_error (error, (g_str_equal (tc->error_domain, "http") ? FF_HTTP_ERROR :
                          g_str_equal (tc->error_domain, "curl") ? FF_CURL_ERROR : FF_API_ERROR),
                  tc->error_code);
  if (strpbrk (message, "*?") == NULL || ! g_pattern_match_simple (message, error->message))
    g_assert_cmpstr (error->message, ==, message);
  g_assert_null (strstr (error->message, TEST_TOKEN));
  if (tc->sequence != NULL)
    assert_sequence (tc->sequence);
}

static void
test_throttled_then_ok (void)
{
  g_autoptr(FfClient)  client = make_client ("", TEST_TOKEN);
  g_autoptr(GError)    error = NULL;
  g_autoptr(JsonArray) requests = NULL;
  g_autofree gchar    *url = NULL;
  gint64               start = g_get_monotonic_time ();

  standin_scenario (standin, "{\"create_errors\": [[429, 1]], \"duration\": 0.1}");
  url = predict (client, 50, &error);
  g_assert_no_error (error);
  /* Retry-After: 1 was honoured. */
  g_assert_cmpint (g_get_monotonic_time () - start, >=, G_USEC_PER_SEC);
  requests = standin_requests (standin);
  g_assert_cmpuint (count_requests (requests, "POST", "/predictions"), ==, 2);
}

static void
test_limit_cancels (void)
{
  g_autoptr(FfClient)  client = make_client ("", TEST_TOKEN);
  g_autoptr(GError)    error = NULL;
  g_autofree gchar    *url = NULL;

  standin_scenario (standin, "{\"duration\": 60, \"max_wait\": 0.2}");
  ff_client_set_timing (client, &(FfClientTiming) { 0.05, 1.0, 2, 0.05 });
  url = predict (client, 50, &error);
  g_assert_error (error, FF_API_ERROR, FF_API_ERROR_TIMED_OUT);
  g_assert_cmpstr (error->message, ==, "the prediction did not finish within 1 seconds "
                   "(the prediction was canceled on the service)");
  assert_sequence (CREATE " 201\n" POLL " 200 ...\n" CANCEL " 200\n");
}

static gboolean
cancel_after_ten (gpointer user_data)
{
  guint *calls = user_data;

  return ++*calls < 10;
}

static void
test_user_cancel (void)
{
  g_autoptr(FfClient)  client = make_client ("", TEST_TOKEN);
  g_autoptr(GError)    error = NULL;
  g_autoptr(JsonArray) requests = NULL;
  g_autofree gchar    *url = NULL;
  guint                calls = 0;

  standin_scenario (standin, "{\"duration\": 60, \"max_wait\": 0.2}");
  ff_client_set_progress (client, cancel_after_ten, &calls);
  url = predict (client, 50, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  requests = standin_requests (standin);
  g_assert_cmpuint (count_requests (requests, "POST", "/cancel"), ==, 1);
}

static void
test_list_output (void)
{
  g_autoptr(FfClient) client = make_client ("", TEST_TOKEN);
  g_autoptr(GError)   error = NULL;
  g_autoptr(GBytes)   output = NULL;
  g_autofree gchar   *url = NULL;

  standin_scenario (standin, "{\"output\": \"list\", \"duration\": 0.1}");
  url = predict (client, 50, &error);
  g_assert_no_error (error);
  output = ff_client_download (client, url, &error);
  g_assert_no_error (error);
}

static void
test_output_gone (void)
{
  g_autoptr(FfClient) client = make_client ("", TEST_TOKEN);
  g_autoptr(GError)   error = NULL;
  g_autoptr(GBytes)   output = NULL;
  g_autofree gchar   *url = NULL;
  g_autofree gchar   *expected = NULL;

  standin_scenario (standin, "{\"output\": \"gone\", \"duration\": 0.1}");
  url = predict (client, 50, &error);
  g_assert_no_error (error);
  output = ff_client_download (client, url, &error);
  g_assert_null (output);
  g_assert_error (error, FF_HTTP_ERROR, 404);
  expected = g_strdup_printf ("could not download the result from 127.0.0.1:%d: HTTP 404: "
                              "the output is gone (outputs expire an hour after the "
                              "prediction)", standin->files_port);
  g_assert_cmpstr (error->message, ==, expected);
}

static void
test_transient_faults_survived (void)
{
  g_autoptr(FfClient)  client = make_client ("", TEST_TOKEN);
  g_autoptr(GError)    error = NULL;
  g_autofree gchar    *url = NULL;

  /* An empty 200 is a gateway's hiccup, like a 502: polling goes on. */
  standin_scenario (standin, "{\"create_errors\": [[429, 0]], "
                    "\"poll_errors\": [[502, null], [\"truncated\", null], [429, 0], "
                    "[\"empty\", null]], "
                    "\"duration\": 1.0, \"max_wait\": 0.1}");
  url = predict (client, 50, &error);
  g_assert_no_error (error);
  assert_sequence (CREATE " 429\n" CREATE " 201\n" POLL " 502\n" POLL " 200\n" POLL " 429\n"
                   POLL " 200 ...\n");
}

/* A 900 kB "detail" reaches the user as its first 1000 characters. */
static void
test_long_detail_bounded (void)
{
  g_autoptr(FfClient) client = make_client ("", TEST_TOKEN);
  g_autoptr(GError)   error = NULL;
  g_autofree gchar   *detail = g_strnfill (900 * 1000, 'x');
  g_autofree gchar   *scenario = g_strdup_printf ("{\"create_errors\": [[400, null]], "
                                                  "\"detail\": \"%s\"}", detail);
  g_autofree gchar   *url = NULL;
  g_autofree gchar   *prefix = with_host ("could not create the prediction: {host} answered "
                                          "HTTP 400: ");

  standin_scenario (standin, scenario);
  url = predict (client, 50, &error);
  g_assert_error (error, FF_HTTP_ERROR, 400);
  g_assert_true (g_str_has_prefix (error->message, prefix));
  g_assert_cmpint (g_utf8_strlen (error->message + strlen (prefix), -1), ==,
                   FF_SERVICE_TEXT_MAX_CHARS + 1);
  g_assert_true (g_str_has_suffix (error->message, "xx…"));
}

/* http_proxy and friends never see a request to loopback: plain http
 * carries the token in clear.  The proxy named is a port nobody serves,
 * so a request sent there would fail.
 */
static void
test_proxy_skipped_for_loopback (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(GSocket)        socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                                       G_SOCKET_PROTOCOL_TCP, NULL);
      g_autoptr(GInetAddress)   loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
      g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
      g_autoptr(GSocketAddress) bound = NULL;
      g_autofree gchar         *proxy = NULL;
      g_autoptr(FfClient)       client = NULL;
      g_autoptr(GError)         error = NULL;
      g_autoptr(GBytes)         output = NULL;
      g_autofree gchar         *url = NULL;

      /* A port of our own, closed again: connections to it are refused. */
      g_assert_true (g_socket_bind (socket, any, FALSE, NULL));
      bound = g_socket_get_local_address (socket, NULL);
      proxy = g_strdup_printf ("http://127.0.0.1:%u",
                               g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
      g_socket_close (socket, NULL);
      for (const gchar **name = (const gchar *[]) { "http_proxy", "HTTP_PROXY", "https_proxy",
                                                    "HTTPS_PROXY", "ALL_PROXY", "all_proxy", NULL };
           *name; name++)
        g_setenv (*name, proxy, TRUE);
      g_unsetenv ("NO_PROXY");
      g_unsetenv ("no_proxy");

      client = make_client ("", TEST_TOKEN);
      standin_scenario (standin, "{\"duration\": 0.1}");
      url = predict (client, 50, &error);
      g_assert_no_error (error);
      output = ff_client_download (client, url, &error);
      g_assert_no_error (error);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* An https service may not send GIMP to fetch from this machine's own
 * plain-http services: http outputs only when the base is loopback.
 */
static void
test_http_output_needs_local_base (void)
{
  g_autoptr(GError)   error = NULL;
  g_autoptr(FfClient) client = ff_client_new ("https://api.example.invalid", TEST_TOKEN, &error);
  g_autofree gchar   *url = g_strdup_printf ("http://127.0.0.1:%d/files/abc/output.png",
                                             standin->files_port);
  g_autoptr(GBytes)   output = NULL;

  g_assert_no_error (error);
  standin_scenario (standin, "{}");
  output = ff_client_download (client, url, &error);
  g_assert_null (output);
  g_assert_error (error, FF_API_ERROR, FF_API_ERROR_BAD_CONFIG);
  g_assert_true (g_str_has_prefix (error->message, "could not download the result from "
                                                   "127.0.0.1:"));
  g_assert_true (g_str_has_suffix (error->message, ": the output URL must be an https URL "
                                   "(plain http only on 127.0.0.1)"));
  assert_sequence ("");
}

/* FLUX_FILL_TIMEOUT=inf must not overflow the deadline into the past. */
static void
test_infinite_limit (void)
{
  g_autoptr(FfClient) client = make_client ("", TEST_TOKEN);
  g_autoptr(GError)   error = NULL;
  g_autofree gchar   *url = NULL;

  ff_client_set_timing (client, &(FfClientTiming) { 0.05, INFINITY, 2, 0.05 });
  standin_scenario (standin, "{\"duration\": 0.3}");
  url = predict (client, 50, &error);
  g_assert_no_error (error);
  ff_client_set_timing (client, &(FfClientTiming) { 0.05, NAN, 2, 0.05 });
  g_clear_pointer (&url, g_free);
  url = predict (client, 50, &error);
  g_assert_no_error (error);
}

/* The dialog's Test button: a refused token, a wrong URL and a network
 * that does not answer are told apart.
 */
static void
test_check (void)
{
  g_autoptr(GError)   error = NULL;
  g_autoptr(FfClient) good = make_client ("", TEST_TOKEN);
  g_autoptr(FfClient) aggregator = make_client ("/replicate", TEST_TOKEN);
  g_autoptr(FfClient) refused = make_client ("", "r8_wrong");
  g_autoptr(FfClient) wrong_url = make_client ("/not-an-api", TEST_TOKEN);
  g_autoptr(FfClient) nobody = ff_client_new ("http://127.0.0.1:1", TEST_TOKEN, NULL);
  const gchar        *checked = NULL;

  standin_scenario (standin, "{}");
  g_assert_true (ff_client_check (good, &checked, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (checked, ==, FF_CHECK_ACCOUNT);
  /* No account route there: a 404 on it is not "nothing answers". */
  g_assert_true (ff_client_check (aggregator, &checked, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (checked, ==, FF_CHECK_MODEL);
  g_assert_false (ff_client_check (refused, &checked, &error));
  g_assert_error (error, FF_HTTP_ERROR, 401);
  g_assert_cmpstr (checked, ==, FF_CHECK_ACCOUNT);
  g_clear_error (&error);
  g_assert_false (ff_client_check (wrong_url, NULL, &error));
  g_assert_error (error, FF_HTTP_ERROR, 404);
  g_clear_error (&error);
  g_assert_false (ff_client_check (nobody, NULL, &error));
  g_assert_error (error, FF_CURL_ERROR, 7 /* CURLE_COULDNT_CONNECT */);
  assert_sequence ("GET /v1/account 200\n"
                   "GET /replicate/v1/account 404\n"
                   "GET /replicate/v1/models/black-forest-labs/flux-fill-pro 200\n"
                   "GET /v1/account 401\n"
                   "GET /not-an-api/v1/account 404\n"
                   "GET /not-an-api/v1/models/black-forest-labs/flux-fill-pro 404\n");
}

/* A create goes out once, even on a client whose kept-alive connection
 * the server dropped: libcurl would re-send it there by itself.
 */
static void
test_create_sent_once (void)
{
  g_autoptr(GError)   error = NULL;
  g_autoptr(FfClient) client = make_client ("", TEST_TOKEN);
  g_autofree gchar   *body = test_make_body (50);
  g_autofree gchar   *url = NULL;

  standin_scenario (standin, "{\"create_errors\": [[\"drop\", null], [\"drop\", null]]}");
  g_assert_true (ff_client_check (client, NULL, &error));
  g_assert_no_error (error);
  url = ff_client_predict (client, body, strlen (body), &error);
  g_assert_null (url);
  g_assert_error (error, FF_CURL_ERROR, 52 /* CURLE_GOT_NOTHING */);
  assert_sequence ("GET /v1/account 200\n"
                   "POST /v1/models/black-forest-labs/flux-fill-pro/predictions -\n");
}

static void
test_redirect_protocols (void)
{
  g_assert_cmpstr (ff_http_redirect_protocols ("https://api.replicate.com"), ==, "https");
  g_assert_cmpstr (ff_http_redirect_protocols ("HTTPS://API.REPLICATE.COM"), ==, "https");
  g_assert_cmpstr (ff_http_redirect_protocols ("HtTpS://x"), ==, "https");
  g_assert_cmpstr (ff_http_redirect_protocols ("http://127.0.0.1:8000"), ==, "http,https");
}

static GBytes *
download_with (const gchar  *scenario,
               GError      **error)
{
  g_autoptr(FfClient) client = make_client ("", TEST_TOKEN);
  g_autofree gchar   *url = NULL;

  standin_scenario (standin, scenario);
  url = predict (client, 50, NULL);
  g_assert_nonnull (url);
  return ff_client_download (client, url, error);
}

static void
test_download_faults (void)
{
  g_autoptr(GError)    error = NULL;
  g_autoptr(GBytes)    output = NULL;
  g_autoptr(GdkPixbuf) image = NULL;
  g_autoptr(JsonArray) requests = NULL;
  /* The output's host, never its path (a signed URL's secret may be there). */
  g_autofree gchar    *expected_prefix = g_strdup_printf ("could not download the result "
                                                          "from 127.0.0.1:%d: ",
                                                          standin->files_port);

  output = download_with ("{\"duration\": 0.1, \"output\": \"reset\", \"output_faults\": 2}", &error);
  g_assert_no_error (error);
  requests = standin_requests (standin);
  g_assert_cmpuint (count_requests (requests, "GET", "/files/"), ==, 3);
  g_clear_pointer (&output, g_bytes_unref);

  output = download_with ("{\"duration\": 0.1, \"output\": \"reset\"}", &error);
  g_assert_null (output);
  g_assert_error (error, FF_CURL_ERROR, 18 /* CURLE_PARTIAL_FILE */);
  g_assert_true (g_str_has_prefix (error->message, expected_prefix));
  g_clear_error (&error);

  output = download_with ("{\"duration\": 0.1, \"output\": \"drip\"}", &error);
  g_assert_null (output);
  g_assert_true (ff_http_error_is_timeout (error));
  g_clear_error (&error);

  /* No Content-Length to refuse up front: the cap stops the transfer. */
  output = download_with ("{\"duration\": 0.1, \"output\": \"endless\"}", &error);
  g_assert_null (output);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE);
  g_assert_true (g_str_has_prefix (error->message, expected_prefix));
  g_assert_cmpstr (error->message + strlen (expected_prefix), ==,
                   "the response is larger than 104857600 bytes");
  g_clear_error (&error);

  output = download_with ("{\"duration\": 0.1, \"output\": \"huge\"}", &error);
  g_assert_no_error (error);
  image = ff_image_decode (output, ff_output_pixel_limit (40, 30), &error);
  g_assert_null (image);
  g_assert_error (error, FF_IMAGE_ERROR, FF_IMAGE_ERROR_TOO_LARGE);
}

/* Whatever a hostile host serves as the output, called a PNG: other
 * formats never reach a decoder, a PNG bomb is refused at its header.
 */
static void
test_hostile_outputs (void)
{
  static const struct { const gchar *kind; gint code; } cases[] =
  {
    { "svg", FF_IMAGE_ERROR_DECODE },
    { "tiff", FF_IMAGE_ERROR_DECODE },
    { "bmp", FF_IMAGE_ERROR_DECODE },
    { "bomb", FF_IMAGE_ERROR_TOO_LARGE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree gchar    *scenario = g_strdup_printf ("{\"duration\": 0.1, \"output\": \"%s\"}",
                                                       cases[i].kind);
      g_autoptr(GError)    error = NULL;
      g_autoptr(GBytes)    output = download_with (scenario, &error);
      g_autoptr(GdkPixbuf) image = NULL;

      g_test_message ("%s: %" G_GSIZE_FORMAT " bytes", cases[i].kind,
                      output ? g_bytes_get_size (output) : 0);
      g_assert_no_error (error);
      /* What the plug-in allows for the 40 × 30 picture it sent. */
      image = ff_image_decode (output, ff_output_pixel_limit (40, 30), &error);
      g_assert_null (image);
      g_assert_error (error, FF_IMAGE_ERROR, cases[i].code);
    }
}

static void
test_retry_after (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) later = g_date_time_add_seconds (now, 30);
  g_autofree gchar    *date = g_date_time_format (later, "%a, %d %b %Y %H:%M:%S GMT");
  gdouble              seconds = ff_http_retry_after (date, 1, 60);

  g_assert_cmpfloat (ff_http_retry_after ("5", 1, 60), ==, 5);
  g_assert_cmpfloat (ff_http_retry_after ("3600", 1, 60), ==, 60);
  g_assert_cmpfloat (ff_http_retry_after (NULL, 1, 60), ==, 1);
  g_assert_cmpfloat (ff_http_retry_after ("soon", 2, 60), ==, 2);
  g_assert_cmpfloat (ff_http_retry_after ("-5", 2, 60), ==, 2);
  g_assert_cmpfloat (ff_http_retry_after ("Wed, 21 Oct 2015 07:28:00 GMT", 2, 60), ==, 0);
  g_assert_cmpfloat (seconds, >=, 28);
  g_assert_cmpfloat (seconds, <=, 31);
}

static void
test_files_api (void)
{
  g_autoptr(FfClient)  client = make_client ("", TEST_TOKEN);
  g_autoptr(FfClient)  aggregator = make_client ("/replicate", TEST_TOKEN);
  g_autoptr(GdkPixbuf) image = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 64, 32);
  g_autoptr(GBytes)    png = NULL;
  g_autoptr(GError)    error = NULL;
  g_autoptr(JsonArray) requests = NULL;
  g_autofree gchar    *file_url = NULL;
  g_autofree gchar    *body = NULL;
  g_autofree gchar    *output = NULL;
  g_autofree gchar    *expected = NULL;
  JsonObject          *create;
  FfParams             params;

  standin_scenario (standin, "{\"duration\": 0.1}");
  gdk_pixbuf_fill (image, 0x336699ff);
  png = ff_image_encode_png (image, NULL);
  file_url = ff_client_upload (client, png, "crop.png", "image/png", &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (file_url, "https://api.replicate.com/v1/files/"));

  ff_params_init (&params);
  g_free (params.prompt);
  params.prompt = g_strdup ("sky");
  body = ff_request_build_body (&params, file_url, NULL, NULL);
  ff_params_clear (&params);
  output = ff_client_predict (client, body, strlen (body), &error);
  g_assert_no_error (error);
  requests = standin_requests (standin);
  create = standin_find_request (requests, "POST", "/predictions");
  g_assert_cmpstr (json_object_get_string_member (create, "image_source"), ==, "files-api");
  g_assert_cmpuint (count_requests (requests, "POST", "/v1/files"), ==, 1);

  g_assert_true (ff_client_has_files_api (client));
  g_assert_false (ff_client_has_files_api (aggregator));

  /* Aggregators do not proxy the Files API: the caller falls back. */
  g_clear_pointer (&file_url, g_free);
  file_url = ff_client_upload (aggregator, png, "crop.png", "image/png", &error);
  g_assert_null (file_url);
  g_assert_error (error, FF_HTTP_ERROR, 404);
  expected = with_host ("could not upload crop.png: {host} answered HTTP 404: Not found.");
  g_assert_cmpstr (error->message, ==, expected);
}

static void
test_bad_config (void)
{
  static const struct { const gchar *base, *token, *message; } cases[] =
  {
    { "http://api.example.com", "t", "the base URL must be an https URL (plain http only on 127.0.0.1)" },
    { "ftp://127.0.0.1", "t", "the base URL must be an https URL (plain http only on 127.0.0.1)" },
    { "not a url", "t", "the base URL is not a URL" },
    { "https://api.example.com?x=1", "t", "the base URL must not have a query or fragment" },
    { NULL, "", "no API token; set REPLICATE_API_TOKEN before starting GIMP" },
    { NULL, NULL, "no API token; set REPLICATE_API_TOKEN before starting GIMP" },
    { NULL, "r8_abc\r\nX-Evil: 1", "the API token contains spaces or control characters" },
    { "https://api.replicate.com@evil.example", "t",
      "the base URL must not contain a user name or password" },
    { "https://user:pw@api.replicate.com", "t",
      "the base URL must not contain a user name or password" },
  };
  g_autofree gchar *padding = g_strnfill (5000, 'a');
  g_autofree gchar *long_base = g_strconcat ("https://api.example.com/", padding, NULL);
  g_autofree gchar *long_token = g_strnfill (2000, 'a');

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError)   error = NULL;
      g_autoptr(FfClient) client = ff_client_new (cases[i].base, cases[i].token, &error);

      g_assert_null (client);
      g_assert_error (error, FF_API_ERROR, FF_API_ERROR_BAD_CONFIG);
      g_assert_cmpstr (error->message, ==, cases[i].message);
    }

  /* The watchman gets these through a pipe, a line each: bounded. */
  {
    g_autoptr(GError)   error = NULL;
    g_autoptr(FfClient) client = ff_client_new (long_base, "t", &error);

    g_assert_null (client);
    g_assert_error (error, FF_API_ERROR, FF_API_ERROR_BAD_CONFIG);
    g_assert_cmpstr (error->message, ==, "the base URL is longer than 2048 bytes");
    g_clear_error (&error);
    client = ff_client_new (NULL, long_token, &error);
    g_assert_null (client);
    g_assert_cmpstr (error->message, ==, "the API token is longer than 1024 bytes");
  }
}

#define KONTEXT_CREATE "POST /v1/models/black-forest-labs/flux-kontext-pro/predictions"
#define FLUX2_CREATE   "POST /v1/models/black-forest-labs/flux-2-pro/predictions"

/* An edit with Kontext comes back at about 1 MP, the picture's aspect
 * ratio kept (the glue scales it back); FLUX.2 with a reference sends
 * both images, the picture first.
 */
static void
test_edit_succeeds (gconstpointer data)
{
  const gchar         *model_id = data;
  gboolean             flux2 = g_str_equal (model_id, FF_MODEL_FLUX2_PRO);
  g_autoptr(FfClient)  client = make_client ("", TEST_TOKEN);
  g_autoptr(GError)    error = NULL;
  g_autoptr(GdkPixbuf) result = NULL;
  g_autofree gchar    *expected = NULL;

  standin_scenario (standin, "{\"duration\": 0.2}");
  result = test_edit (client, model_id, flux2 ? 1 : 0, 2, &error);
  g_assert_no_error (error);
  test_assert_edit (standin, result, FF_PROVIDER_REPLICATE, model_id, flux2 ? 1 : 0);
  expected = g_strdup_printf ("POST %s 201\n" POLL " 200 ...\nGET {output}\n",
                              ff_model_by_id (FF_PROVIDER_REPLICATE, model_id)->route);
  assert_sequence (expected);
}

/* Refused before sending: nothing reaches the service. */
static void
test_edit_refused_before_sending (void)
{
  g_autoptr(FfClient) client = make_client ("", TEST_TOKEN);

  standin_scenario (standin, "{}");
  test_assert_edit_refused (client);
  assert_sequence ("");
}

int
main (int argc, char **argv)
{
  int result;

  g_test_init (&argc, &argv, NULL);
  standin = standin_start ();

  g_test_add_func ("/client/polls-until-done", test_polls_until_done);
  g_test_add_func ("/client/create-not-held", test_create_not_held);
  g_test_add_func ("/client/long-detail-bounded", test_long_detail_bounded);
  g_test_add_func ("/client/proxy-skipped-for-loopback", test_proxy_skipped_for_loopback);
  g_test_add_func ("/client/http-output-needs-local-base", test_http_output_needs_local_base);
  g_test_add_func ("/client/infinite-limit", test_infinite_limit);
  g_test_add_func ("/client/redirect-protocols", test_redirect_protocols);
  g_test_add_func ("/client/check", test_check);
  g_test_add_func ("/client/create-sent-once", test_create_sent_once);
  g_test_add_func ("/client/aggregator-prefix", test_aggregator_prefix);
  g_test_add_func ("/client/download-has-no-token", test_download_has_no_token);
  g_test_add_func ("/client/throttled-then-ok", test_throttled_then_ok);
  g_test_add_func ("/client/limit-cancels", test_limit_cancels);
  g_test_add_func ("/client/user-cancel", test_user_cancel);
  g_test_add_func ("/client/list-output", test_list_output);
  g_test_add_func ("/client/output-gone", test_output_gone);
  g_test_add_func ("/client/bad-config", test_bad_config);
  g_test_add_func ("/client/files-api", test_files_api);
  g_test_add_func ("/client/transient-faults-survived", test_transient_faults_survived);
  g_test_add_func ("/client/download-faults", test_download_faults);
  g_test_add_func ("/client/hostile-outputs", test_hostile_outputs);
  g_test_add_func ("/client/retry-after", test_retry_after);
  g_test_add_func ("/client/debug-log", test_debug_log);
  g_test_add_data_func ("/client/edit-kontext", FF_MODEL_KONTEXT_PRO, test_edit_succeeds);
  g_test_add_data_func ("/client/edit-flux2-reference", FF_MODEL_FLUX2_PRO, test_edit_succeeds);
  g_test_add_func ("/client/edit-refused-before-sending", test_edit_refused_before_sending);
  for (guint i = 0; i < G_N_ELEMENTS (failure_cases); i++)
    {
      g_autofree gchar *path = g_strdup_printf ("/client/fails/%s", failure_cases[i].name);
      g_test_add_data_func (path, &failure_cases[i], test_failure);
    }

  result = g_test_run ();
  standin_stop (standin);
  return result;
}
