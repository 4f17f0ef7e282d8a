/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <gio/gio.h>

#include "cancel-watch.h"
#include "replicate-client.h"

#define ALL_IS_WELL "done"

struct _FfCancelWatch
{
  GSubprocess *process;
  gboolean     armed;
};

/* Our environment less the token: the watchman learns it through the
 * pipe alone, and a copy in its environment would be readable wherever
 * its /proc/PID/environ is (and inherited by anything it runs).
 */
static GStrv
environ_without_token (void)
{
  g_auto(GStrv)           env = g_get_environ ();
  g_autoptr(GStrvBuilder) kept = g_strv_builder_new ();
  const gchar            *token = g_environ_getenv (env, "REPLICATE_API_TOKEN");

  for (gchar **e = env; *e != NULL; e++)
    {
      const gchar *value = strchr (*e, '=');

      if (g_str_has_prefix (*e, "REPLICATE_API_TOKEN="))
        continue;
      /* Say, a wrapper's "Authorization: Bearer r8_...". */
      if (value != NULL && token != NULL && *token != '\0' &&
          strstr (value + 1, token) != NULL)
        continue;
      g_strv_builder_add (kept, *e);
    }
  return g_strv_builder_end (kept);
}

FfCancelWatch *
ff_cancel_watch_start (const gchar  *executable,
                       GError      **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_auto(GStrv)                  env = environ_without_token ();
  FfCancelWatch                 *watch = g_new0 (FfCancelWatch, 1);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE);
  g_subprocess_launcher_set_environ (launcher, env);
  /* Other descriptors are closed in the child, so GIMP's pipes to the
   * plug-in do not outlive it there.
   */
  watch->process = g_subprocess_launcher_spawn (launcher, error, executable,
                                                FF_CANCEL_WATCH_ARG, NULL);
  if (watch->process == NULL)
    {
      g_free (watch);
      return NULL;
    }
  return watch;
}

/* One line's worth: no control character (a newline would shift the
 * fields), at most @max bytes, and something unless @may_be_empty.
 */
static gboolean
field_ok (const gchar *value,
          gsize        max,
          gboolean     may_be_empty)
{
  gsize n = 0;

  if (value == NULL)
    return may_be_empty;
  for (const gchar *p = value; *p != '\0'; p++, n++)
    if (n >= max || g_ascii_iscntrl (*p))
      return FALSE;
  return n > 0 || may_be_empty;
}

gboolean
ff_cancel_watch_arm (FfCancelWatch *watch,
                     const gchar   *base_url,
                     const gchar   *token,
                     const gchar   *prediction_id)
{
  g_autofree gchar *message = NULL;
  GOutputStream    *in;
  gboolean          ok;

  g_return_val_if_fail (watch != NULL, FALSE);

  if (! field_ok (base_url, FF_CANCEL_WATCH_MAX_BASE_URL, TRUE) ||
      ! field_ok (token, FF_CANCEL_WATCH_MAX_TOKEN, FALSE) ||
      ! field_ok (prediction_id, FF_CANCEL_WATCH_MAX_ID, FALSE))
    return FALSE;

  message = g_strdup_printf ("%s\n%s\n%s\n", base_url ? base_url : "", token, prediction_id);
  in = g_subprocess_get_stdin_pipe (watch->process);
  ok = g_output_stream_write_all (in, message, strlen (message), NULL, NULL, NULL) &&
       g_output_stream_flush (in, NULL, NULL);
  memset (message, 0, strlen (message));
  watch->armed = ok;
  return ok;
}

void
ff_cancel_watch_free (FfCancelWatch *watch)
{
  GOutputStream *in;

  if (watch == NULL)
    return;
  in = g_subprocess_get_stdin_pipe (watch->process);
  if (watch->armed)
    g_output_stream_write_all (in, ALL_IS_WELL "\n", strlen (ALL_IS_WELL "\n"),
                               NULL, NULL, NULL);
  g_output_stream_close (in, NULL, NULL);
  /* Not waited for: the watchman exits on its own and init reaps it. */
  g_object_unref (watch->process);
  g_free (watch);
}

static void
wipe_free (gchar *secret)
{
  if (secret == NULL)
    return;
  memset (secret, 0, strlen (secret));
  g_free (secret);
}

/* One line of standard input without its newline, or NULL when it is
 * longer than @max bytes, not a field_ok () one, or cut short by the end
 * of the input.  Unbuffered, a byte a read: the token is never in a
 * stdio buffer, and nothing past the line is consumed.
 */
static gchar *
read_field (gsize    max,
            gboolean may_be_empty)
{
  gchar *line = g_malloc0 (max + 1);
  gsize  n = 0;

  for (;;)
    {
      gchar  c;
      gssize got = read (STDIN_FILENO, &c, 1);

      if (got < 0 && errno == EINTR)
        continue;
      if (got <= 0)
        break;                      /* the input ended mid-line */
      if (c == '\n')
        {
          if (field_ok (line, max, may_be_empty))
            return line;
          break;
        }
      if (n == max)
        break;                      /* too long: never armed */
      line[n++] = c;
    }
  wipe_free (line);
  return NULL;
}

int
ff_cancel_watch_main (void)
{
  g_autofree gchar   *base_url = read_field (FF_CANCEL_WATCH_MAX_BASE_URL, TRUE);
  gchar              *token = base_url ? read_field (FF_CANCEL_WATCH_MAX_TOKEN, FALSE) : NULL;
  g_autofree gchar   *id = token ? read_field (FF_CANCEL_WATCH_MAX_ID, FALSE) : NULL;
  g_autofree gchar   *verdict = NULL;
  g_autoptr(FfClient) client = NULL;

  if (id == NULL)
    {
      wipe_free (token);
      return 0;                     /* never armed */
    }
  /* Blocks until the plug-in ends.  Anything but the word, the end of
   * the input included, means it did not end well.
   */
  verdict = read_field (strlen (ALL_IS_WELL), FALSE);
  if (g_strcmp0 (verdict, ALL_IS_WELL) == 0)
    {
      wipe_free (token);
      return 0;
    }

  client = ff_client_new (base_url, token, NULL);
  wipe_free (token);
  if (client != NULL)
    ff_client_cancel (client, id);
  return 0;
}
