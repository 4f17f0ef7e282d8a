#include "config.h"

#include <string.h>
#include <unistd.h>

#include "cancel-watch.h"
#include "replicate-client.h"
#include "test-util.h"

#define DIE_AFTER_ARMING "--die-after-arming"

/* One stand-in serves every case of this binary. */
static Standin *standin;

/* A prediction that runs for a minute; returns its id. */
static gchar *
start_slow_prediction (void)
{
  g_autoptr(FfHttp)         http = ff_http_new ("flux-fill-tests");
  g_autoptr(FfHttpResponse) response = NULL;
  g_autoptr(FfPrediction)   prediction = NULL;
  g_autoptr(GError)         error = NULL;
  g_autofree gchar         *body = test_make_body (50);
  g_autofree gchar         *url = g_strconcat (standin->base_url, "/v1/models/"
                                               FF_MODEL_PATH "/predictions", NULL);
  g_autoptr(GBytes)         bytes = g_bytes_new (body, strlen (body));
  FfHttpRequest             request = {
    .method = "POST", .url = url, .bearer_token = TEST_TOKEN, .body = bytes,
    .timeout_seconds = 10, .max_response = 1 << 20,
  };

  standin_scenario (standin, "{\"duration\": 60}");
  response = ff_http_send (http, &request, &error);
  g_assert_no_error (error);
  g_assert_cmpint (response->status, ==, 201);
  prediction = ff_prediction_parse (g_bytes_get_data (response->body, NULL),
                                    g_bytes_get_size (response->body), &error);
  g_assert_no_error (error);
  return g_strdup (prediction->id);
}

static guint
cancels_within (gdouble seconds)
{
  gint64 end = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);
  guint  n = 0;

  do
    {
      g_autoptr(JsonArray) requests = standin_requests (standin);

      n = 0;
      for (guint i = 0; i < json_array_get_length (requests); i++)
        {
          JsonObject *r = json_array_get_object_element (requests, i);

          if (g_str_has_suffix (json_object_get_string_member (r, "path"), "/cancel") &&
              g_strcmp0 (json_object_get_string_member (r, "auth"), "valid") == 0)
            n++;
        }
      if (n > 0)
        break;
      g_usleep (G_USEC_PER_SEC / 10);
    }
  while (g_get_monotonic_time () < end);
  return n;
}

static void
test_cancels_when_we_die (void)
{
  g_autofree gchar      *id = start_slow_prediction ();
  g_autoptr(GSubprocess) doomed = NULL;
  g_autoptr(GError)      error = NULL;

  /* A process that arms a watchman and is killed, as GIMP kills us. */
  doomed = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, "/proc/self/exe",
                             DIE_AFTER_ARMING, standin->base_url, id, NULL);
  g_assert_no_error (error);
  g_subprocess_wait (doomed, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cancels_within (5.0), ==, 1);
}

static void
test_quiet_when_all_is_well (void)
{
  g_autofree gchar        *id = start_slow_prediction ();
  g_autoptr(FfCancelWatch) watch = NULL;
  g_autoptr(GError)        error = NULL;
  g_autofree gchar        *exe = g_file_read_link ("/proc/self/exe", NULL);

  watch = ff_cancel_watch_start (exe, &error);
  g_assert_no_error (error);
  g_assert_true (ff_cancel_watch_arm (watch, standin->base_url, TEST_TOKEN, id));
  g_clear_pointer (&watch, ff_cancel_watch_free);
  g_assert_cmpuint (cancels_within (1.0), ==, 0);
}

int
main (int argc, char **argv)
{
  int result;

  if (argc == 2 && strcmp (argv[1], FF_CANCEL_WATCH_ARG) == 0)
    return ff_cancel_watch_main ();
  if (argc == 4 && strcmp (argv[1], DIE_AFTER_ARMING) == 0)
    {
      g_autofree gchar *exe = g_file_read_link ("/proc/self/exe", NULL);
      FfCancelWatch    *watch = ff_cancel_watch_start (exe, NULL);

      ff_cancel_watch_arm (watch, argv[2], TEST_TOKEN, argv[3]);
      _exit (9);                    /* no cleanup: as if killed */
    }

  g_test_init (&argc, &argv, NULL);
  standin = standin_start ();
  g_test_add_func ("/cancel-watch/cancels-when-we-die", test_cancels_when_we_die);
  g_test_add_func ("/cancel-watch/quiet-when-all-is-well", test_quiet_when_all_is_well);
  result = g_test_run ();
  standin_stop (standin);
  return result;
}
