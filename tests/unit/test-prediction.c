/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "prediction.h"

typedef struct
{
  const gchar *name;
  const gchar *json;
  FfStatus     status;      /* when ok */
  const gchar *output_url;  /* when ok; nullable */
  const gchar *error_text;  /* when ok; nullable */
  gboolean     ok;
} ParseCase;

static const ParseCase parse_cases[] =
{
  { "string-output",
    "{\"id\":\"abc123\",\"status\":\"succeeded\",\"output\":\"https://x/y.jpg\",\"error\":null}",
    FF_STATUS_SUCCEEDED, "https://x/y.jpg", NULL, TRUE },
  { "list-output",
    "{\"id\":\"abc\",\"status\":\"succeeded\",\"output\":[\"https://x/1.png\",\"https://x/2.png\"]}",
    FF_STATUS_SUCCEEDED, "https://x/1.png", NULL, TRUE },
  { "empty-list",
    "{\"id\":\"abc\",\"status\":\"succeeded\",\"output\":[]}",
    FF_STATUS_SUCCEEDED, NULL, NULL, TRUE },
  { "null-output-starting",
    "{\"id\":\"abc\",\"status\":\"starting\",\"output\":null,\"urls\":{\"get\":\"https://api.replicate.com/v1/predictions/abc\"}}",
    FF_STATUS_STARTING, NULL, NULL, TRUE },
  { "number-output",
    "{\"id\":\"abc\",\"status\":\"succeeded\",\"output\":42}",
    FF_STATUS_SUCCEEDED, NULL, NULL, TRUE },
  { "failed",
    "{\"id\":\"abc\",\"status\":\"failed\",\"error\":\"NSFW content detected\"}",
    FF_STATUS_FAILED, NULL, "NSFW content detected", TRUE },
  { "aborted", "{\"id\":\"a\",\"status\":\"aborted\"}", FF_STATUS_ABORTED, NULL, NULL, TRUE },
  { "canceled", "{\"id\":\"a\",\"status\":\"canceled\"}", FF_STATUS_CANCELED, NULL, NULL, TRUE },
  { "processing", "{\"id\":\"a\",\"status\":\"processing\"}", FF_STATUS_PROCESSING, NULL, NULL, TRUE },
  { "unknown-status", "{\"id\":\"a\",\"status\":\"exploded\"}", 0, NULL, NULL, FALSE },
  { "no-id", "{\"status\":\"succeeded\"}", 0, NULL, NULL, FALSE },
  { "empty-id", "{\"id\":\"\",\"status\":\"succeeded\"}", 0, NULL, NULL, FALSE },
  { "id-number", "{\"id\":7,\"status\":\"succeeded\"}", 0, NULL, NULL, FALSE },
  { "truncated", "{\"id\": \"abc\", \"status\": \"proc", 0, NULL, NULL, FALSE },
  { "array", "[1,2]", 0, NULL, NULL, FALSE },
  /* Crashed json-glib's immutable parser (found by fuzz-prediction). */
  { "number-then-object", "8{\"id\": \"abc\", \"status\": \"succeeded\"}", 0, NULL, NULL, FALSE },
  { "empty", "", 0, NULL, NULL, FALSE },
  { "html", "<html>502 Bad Gateway</html>", 0, NULL, NULL, FALSE },
};

static void
test_parse (gconstpointer data)
{
  const ParseCase        *tc = data;
  g_autoptr(GError)       error = NULL;
  g_autoptr(FfPrediction) prediction = ff_prediction_parse (tc->json, strlen (tc->json), &error);

  if (! tc->ok)
    {
      g_assert_null (prediction);
      g_assert_error (error, FF_API_ERROR, FF_API_ERROR_BAD_RESPONSE);
      return;
    }
  g_assert_no_error (error);
  g_assert_nonnull (prediction);
  g_assert_cmpint (prediction->status, ==, tc->status);
  g_assert_cmpstr (prediction->output_url, ==, tc->output_url);
  g_assert_cmpstr (prediction->error, ==, tc->error_text);
}

static void
test_terminal (void)
{
  g_assert_false (ff_status_is_terminal (FF_STATUS_STARTING));
  g_assert_false (ff_status_is_terminal (FF_STATUS_PROCESSING));
  g_assert_true (ff_status_is_terminal (FF_STATUS_SUCCEEDED));
  g_assert_true (ff_status_is_terminal (FF_STATUS_FAILED));
  g_assert_true (ff_status_is_terminal (FF_STATUS_CANCELED));
  g_assert_true (ff_status_is_terminal (FF_STATUS_ABORTED));
}

static void
test_problem_detail (void)
{
  static const struct { const gchar *body, *detail; } cases[] =
  {
    { "{\"title\":\"Input validation failed\",\"detail\":\"- input.steps: too big\\n\",\"status\":422}",
      "- input.steps: too big" },
    { "{\"title\":\"Unauthenticated\",\"status\":401}", "Unauthenticated" },
    { "{\"detail\":\"Request was throttled.\"}", "Request was throttled." },
    { "{\"detail\":5}", NULL },
    { "not json", NULL },
    { "", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree gchar *detail = ff_problem_detail (cases[i].body, strlen (cases[i].body));
      g_assert_cmpstr (detail, ==, cases[i].detail);
    }
}

/* An empty HTTP body reaches the parsers as NULL, 0 (g_bytes_get_data ()
 * of an empty GBytes): a clean error, no CRITICAL, no crash.
 */
static void
test_empty_body (void)
{
  g_autoptr(GError)       error = NULL;
  g_autoptr(FfPrediction) prediction = ff_prediction_parse (NULL, 0, &error);
  g_autofree gchar       *url = NULL;

  g_assert_null (prediction);
  g_assert_error (error, FF_API_ERROR, FF_API_ERROR_BAD_RESPONSE);
  g_assert_cmpstr (error->message, ==, "the prediction is not valid JSON: the response is empty");
  g_clear_error (&error);
  url = ff_file_url_parse (NULL, 0, &error);
  g_assert_null (url);
  g_assert_error (error, FF_API_ERROR, FF_API_ERROR_BAD_RESPONSE);
  g_assert_null (ff_problem_detail (NULL, 0));
}

static void
test_service_text (void)
{
  static const struct { const gchar *text, *clean; } cases[] =
  {
    { "plain words", "plain words" },
    { "  padded\n", "padded" },
    { "- a: bad\n- b: worse\n", "- a: bad\n- b: worse" },
    { "\033[1;31mred\033[0m", "red" },
    { "bell\a and \bbackspace\x7f", "bell and backspace" },
    { "\033]0;title\a after", "after" },
    { "\033]8;;http://evil\033\\link\033]8;;\033\\", "link" },
    { "\302\2332Jcsi", "csi" },
    { "tab\there", "tab here" },
    { "rtl \342\200\256override", "rtl override" },
    { "bad \377 utf8", "bad \357\277\275 utf8" },
    { "", "" },
  };
  g_autofree gchar *long_text = g_strnfill (FF_SERVICE_TEXT_MAX_CHARS + 500, 'y');
  g_autofree gchar *bounded = ff_service_text (long_text);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree gchar *clean = ff_service_text (cases[i].text);
      g_assert_cmpstr (clean, ==, cases[i].clean);
    }
  g_assert_null (ff_service_text (NULL));
  g_assert_cmpint (g_utf8_strlen (bounded, -1), ==, FF_SERVICE_TEXT_MAX_CHARS + 1);
  g_assert_true (g_str_has_suffix (bounded, "y…"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (parse_cases); i++)
    {
      g_autofree gchar *path = g_strdup_printf ("/prediction/parse/%s", parse_cases[i].name);
      g_test_add_data_func (path, &parse_cases[i], test_parse);
    }
  g_test_add_func ("/prediction/terminal", test_terminal);
  g_test_add_func ("/prediction/problem-detail", test_problem_detail);
  g_test_add_func ("/prediction/empty-body", test_empty_body);
  g_test_add_func ("/prediction/service-text", test_service_text);
  return g_test_run ();
}
