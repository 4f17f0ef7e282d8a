/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cancel-watch.h"
#include "process-guard.h"
#include "service-client.h"
#include "test-util.h"

#define DIE_AFTER_ARMING "--die-after-arming"
#define DIE_AFTER_REFUSED_ARMING "--die-after-refused-arming"
#define PROTECT_AND_REPORT "--protect-and-report"
#define DIE_WITH_TICKETS "--die-with-tickets"

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

/* Requests since the last scenario whose path holds @needle. */
static guint
requests_with (const gchar *needle)
{
  g_autoptr(JsonArray) requests = standin_requests (standin);
  guint                n = 0;

  for (guint i = 0; i < json_array_get_length (requests); i++)
    {
      JsonObject *r = json_array_get_object_element (requests, i);

      if (strstr (json_object_get_string_member (r, "path"), needle) != NULL)
        n++;
    }
  return n;
}

/* A watchman fed @input, then its pipe closed; returns once it exited,
 * so what it sent has reached the stand-in by then.
 */
static void
run_watchman (const gchar *input)
{
  g_autoptr(GSubprocess) watchman = NULL;
  g_autoptr(GBytes)      bytes = g_bytes_new (input, strlen (input));
  g_autoptr(GError)      error = NULL;

  watchman = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE, &error, "/proc/self/exe",
                               FF_CANCEL_WATCH_ARG, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate (watchman, bytes, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (watchman));
  g_assert_cmpint (g_subprocess_get_exit_status (watchman), ==, 0);
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

/* With fgets into 4096 bytes, a longer line was read as two and the
 * fields after it shifted: a long base URL sent the token as the
 * prediction id in a URL path; a long id became a verdict that was not
 * "done", and the watchman canceled a fill that went well.
 */
static void
test_long_field_never_armed (void)
{
  g_autoptr(GString) base_url = g_string_new (standin->base_url);
  g_autofree gchar  *long_id = g_strnfill (5000, 'a');
  g_autofree gchar  *input = NULL;

  g_string_append_c (base_url, '/');
  while (base_url->len < 5000)
    g_string_append_c (base_url, 'p');
  input = g_strdup_printf ("%s\n%s\n%s\n", base_url->str, TEST_TOKEN, "abc123");
  standin_scenario (standin, "{}");
  run_watchman (input);
  g_assert_cmpuint (requests_with (TEST_TOKEN), ==, 0);
  g_assert_cmpuint (requests_with ("/"), ==, 0);

  g_free (input);
  input = g_strdup_printf ("%s\n%s\n%s\ndone\n", standin->base_url, TEST_TOKEN, long_id);
  run_watchman (input);
  g_assert_cmpuint (requests_with ("/"), ==, 0);
}

/* Input cut short mid-line is a plug-in that died while arming. */
static void
test_unterminated_line_never_armed (void)
{
  g_autofree gchar *id = start_slow_prediction ();
  g_autofree gchar *whole = g_strdup_printf ("%s\n%s\n%s\n", standin->base_url,
                                             TEST_TOKEN, id);

  /* The same lines with their newlines do cancel. */
  run_watchman (whole);
  g_assert_cmpuint (requests_with ("/cancel"), ==, 1);

  g_free (id);
  id = start_slow_prediction ();
  g_free (whole);
  whole = g_strdup_printf ("%s\n%s\n%s", standin->base_url, TEST_TOKEN, id);
  run_watchman (whole);
  g_assert_cmpuint (requests_with ("/cancel"), ==, 0);
}

/* Fields the watchman would refuse or misread; each must be refused. */
static gboolean
any_bad_arm_accepted (FfCancelWatch *watch,
                      const gchar   *base_url,
                      const gchar   *id)
{
  g_autofree gchar *long_url = g_strnfill (FF_CANCEL_WATCH_MAX_BASE_URL + 1, 'u');
  g_autofree gchar *long_token = g_strnfill (FF_CANCEL_WATCH_MAX_TOKEN + 1, 't');
  g_autofree gchar *long_id = g_strnfill (FF_CANCEL_WATCH_MAX_ID + 1, 'i');
  g_autofree gchar *url_with_newline = g_strconcat (base_url, "\nx", NULL);
  g_autofree gchar *id_with_cr = g_strconcat (id, "\r", NULL);

  memcpy (long_url, "http://127.0.0.1/", strlen ("http://127.0.0.1/"));
  return ff_cancel_watch_arm (watch, long_url, TEST_TOKEN, id) ||
         ff_cancel_watch_arm (watch, url_with_newline, TEST_TOKEN, id) ||
         ff_cancel_watch_arm (watch, base_url, long_token, id) ||
         ff_cancel_watch_arm (watch, base_url, TEST_TOKEN "\n", id) ||
         ff_cancel_watch_arm (watch, base_url, "", id) ||
         ff_cancel_watch_arm (watch, base_url, TEST_TOKEN, long_id) ||
         ff_cancel_watch_arm (watch, base_url, TEST_TOKEN, id_with_cr) ||
         ff_cancel_watch_arm (watch, base_url, TEST_TOKEN, "\x7f") ||
         ff_cancel_watch_arm (watch, base_url, TEST_TOKEN, "");
}

static void
test_arm_refuses_bad_fields (void)
{
  g_autofree gchar      *id = start_slow_prediction ();
  g_autoptr(GSubprocess) doomed = NULL;
  g_autoptr(GError)      error = NULL;
  g_autofree gchar      *cancel = g_strconcat ("/", id, "/cancel", NULL);

  /* It refuses them, writes nothing (else the fields after would
   * shift), and a good arming after them still works.
   */
  doomed = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, "/proc/self/exe",
                             DIE_AFTER_REFUSED_ARMING, standin->base_url, id, NULL);
  g_assert_no_error (error);
  g_subprocess_wait (doomed, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (doomed), ==, 9);
  g_assert_cmpuint (cancels_within (5.0), ==, 1);
  g_assert_cmpuint (requests_with (cancel), ==, 1);
  g_assert_cmpuint (requests_with (TEST_TOKEN), ==, 0);
}

/* The pid of our child started with FF_CANCEL_WATCH_ARG, or 0. */
static gint
find_watchman (void)
{
  g_autoptr(GDir)   proc = g_dir_open ("/proc", 0, NULL);
  g_autofree gchar *ppid = g_strdup_printf ("\nPPid:\t%d\n", (gint) getpid ());
  const gchar      *name;

  g_assert_nonnull (proc);
  while ((name = g_dir_read_name (proc)) != NULL)
    {
      g_autofree gchar *status_path = g_build_filename ("/proc", name, "status", NULL);
      g_autofree gchar *cmdline_path = g_build_filename ("/proc", name, "cmdline", NULL);
      g_autofree gchar *status = NULL;
      g_autofree gchar *cmdline = NULL;
      gsize             len = 0;

      if (! g_ascii_isdigit (name[0]) ||
          ! g_file_get_contents (status_path, &status, NULL, NULL) ||
          strstr (status, ppid) == NULL ||
          ! g_file_get_contents (cmdline_path, &cmdline, &len, NULL))
        continue;
      /* argv[1], after argv[0]'s NUL. */
      if (strlen (cmdline) + 1 < len &&
          strcmp (cmdline + strlen (cmdline) + 1, FF_CANCEL_WATCH_ARG) == 0)
        return (gint) g_ascii_strtoll (name, NULL, 10);
    }
  return 0;
}

static void
test_token_not_inherited (void)
{
  g_autoptr(FfCancelWatch) watch = NULL;
  g_autoptr(GError)        error = NULL;
  g_autofree gchar        *exe = NULL;
  g_autofree gchar        *env_path = NULL;
  g_autofree gchar        *env = NULL;
  gsize                    len = 0;
  gint                     pid;

  if (! g_test_subprocess ())
    {
      /* Our own environment stays as it was. */
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
      return;
    }
  g_setenv ("REPLICATE_API_TOKEN", TEST_TOKEN, TRUE);
  g_setenv ("FLUX_FILL_TEST_AUTH", "Bearer " TEST_TOKEN, TRUE);
  g_setenv ("FLUX_FILL_TEST_KEPT", "kept", TRUE);
  exe = g_file_read_link ("/proc/self/exe", NULL);
  watch = ff_cancel_watch_start (exe, &error);
  g_assert_no_error (error);
  pid = find_watchman ();
  g_assert_cmpint (pid, >, 0);
  env_path = g_strdup_printf ("/proc/%d/environ", pid);
  g_assert_true (g_file_get_contents (env_path, &env, &len, &error));
  g_assert_no_error (error);
  /* What is not the token's stays. */
  g_assert_nonnull (memmem (env, len, "FLUX_FILL_TEST_KEPT=kept",
                            strlen ("FLUX_FILL_TEST_KEPT=kept")));
  /* Neither the variable nor FLUX_FILL_TEST_AUTH, which quotes it. */
  g_assert_null (memmem (env, len, "REPLICATE_API_TOKEN", strlen ("REPLICATE_API_TOKEN")));
  g_assert_null (memmem (env, len, TEST_TOKEN, strlen (TEST_TOKEN)));
}

static void
test_process_protect (void)
{
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GError)      error = NULL;
  g_autofree gchar      *report = NULL;

  /* Not g_test_trap_subprocess (): GLib makes those non-dumpable itself,
   * and this test binary is to stay as it was.
   */
  child = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, "/proc/self/exe",
                            PROTECT_AND_REPORT, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (child, NULL, NULL, &report, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (report, ==, "dumpable 1, protected 1, dumpable 0, core 0 0\n");
}

/* Cancels seen for @id since the last scenario. */
static guint
cancels_of (const gchar *id)
{
  g_autofree gchar *path = g_strconcat (id, "/cancel", NULL);

  return requests_with (path);
}

/* One watchman for a run: three tickets, one settled (its prediction
 * ended), then the plug-in is killed: the two open ones are canceled,
 * the settled one is not, and a ticket for another service is refused.
 */
static void
test_one_watchman_many_tickets (void)
{
  g_autofree gchar      *a = start_slow_prediction ();
  g_autofree gchar      *b = start_slow_prediction ();
  g_autofree gchar      *c = start_slow_prediction ();
  g_autoptr(GSubprocess) doomed = NULL;
  g_autoptr(GError)      error = NULL;

  doomed = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, "/proc/self/exe",
                             DIE_WITH_TICKETS, standin->base_url, a, b, c, NULL);
  g_assert_no_error (error);
  g_subprocess_wait (doomed, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (doomed));
  g_assert_cmpint (g_subprocess_get_exit_status (doomed), ==, 9);
  g_assert_cmpuint (cancels_within (5.0), >=, 1);
  /* The watchman cancels one after the other: give it the time. */
  for (gint i = 0; i < 50 && cancels_of (a) + cancels_of (c) < 2; i++)
    g_usleep (G_USEC_PER_SEC / 10);
  g_assert_cmpuint (cancels_of (a), ==, 1);
  g_assert_cmpuint (cancels_of (b), ==, 0);
  g_assert_cmpuint (cancels_of (c), ==, 1);
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
  if (argc == 4 && strcmp (argv[1], DIE_AFTER_REFUSED_ARMING) == 0)
    {
      g_autofree gchar *exe = g_file_read_link ("/proc/self/exe", NULL);
      FfCancelWatch    *watch = ff_cancel_watch_start (exe, NULL);

      if (any_bad_arm_accepted (watch, argv[2], argv[3]))
        _exit (3);
      ff_cancel_watch_arm (watch, argv[2], TEST_TOKEN, argv[3]);
      _exit (9);
    }
  if (argc == 6 && strcmp (argv[1], DIE_WITH_TICKETS) == 0)
    {
      g_autofree gchar *exe = g_file_read_link ("/proc/self/exe", NULL);
      FfCancelWatch    *watch = ff_cancel_watch_start (exe, NULL);

      if (! ff_cancel_watch_arm (watch, argv[2], TEST_TOKEN, argv[3]) ||
          ! ff_cancel_watch_arm (watch, argv[2], TEST_TOKEN, argv[4]) ||
          ff_cancel_watch_arm (watch, "http://127.0.0.1:1", TEST_TOKEN, argv[5]) ||
          ff_cancel_watch_arm (watch, argv[2], TEST_TOKEN "x", argv[5]) ||
          ff_cancel_watch_arm (watch, argv[2], TEST_TOKEN, "done") ||
          ! ff_cancel_watch_arm (watch, argv[2], TEST_TOKEN, argv[5]))
        _exit (3);
      ff_cancel_watch_settle (watch, argv[4]);
      _exit (9);                    /* no cleanup: as if killed */
    }
  if (argc == 2 && strcmp (argv[1], PROTECT_AND_REPORT) == 0)
    {
      struct rlimit core = { 1, 1 };
      int           before = prctl (PR_GET_DUMPABLE, 0, 0, 0, 0);
      gboolean      protected = ff_process_protect ();

      getrlimit (RLIMIT_CORE, &core);
      printf ("dumpable %d, protected %d, dumpable %d, core %llu %llu\n", before, protected,
              prctl (PR_GET_DUMPABLE, 0, 0, 0, 0),
              (unsigned long long) core.rlim_cur, (unsigned long long) core.rlim_max);
      return 0;
    }

  g_test_init (&argc, &argv, NULL);
  /* The cases that run in a subprocess of their own need none. */
  standin = g_test_subprocess () ? NULL : standin_start ();
  g_test_add_func ("/cancel-watch/cancels-when-we-die", test_cancels_when_we_die);
  g_test_add_func ("/cancel-watch/quiet-when-all-is-well", test_quiet_when_all_is_well);
  g_test_add_func ("/cancel-watch/one-watchman-many-tickets", test_one_watchman_many_tickets);
  g_test_add_func ("/cancel-watch/long-field-never-armed", test_long_field_never_armed);
  g_test_add_func ("/cancel-watch/unterminated-line-never-armed",
                   test_unterminated_line_never_armed);
  g_test_add_func ("/cancel-watch/arm-refuses-bad-fields", test_arm_refuses_bad_fields);
  g_test_add_func ("/cancel-watch/token-not-inherited", test_token_not_inherited);
  g_test_add_func ("/process-guard/not-dumpable", test_process_protect);
  result = g_test_run ();
  standin_stop (standin);
  return result;
}
