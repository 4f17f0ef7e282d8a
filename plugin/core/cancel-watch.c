/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <gio/gio.h>

#include "cancel-watch.h"
#include "service-client.h"

#define ALL_IS_WELL "done"
/* Ids are letters, digits, '-' and '_': a settled ticket cannot be one. */
#define SETTLED     '!'

struct _FfCancelWatch
{
  GSubprocess *process;
  GMutex       lock;        /* variations arm from threads of their own */
  gchar       *base_url;    /* what the first ticket sent, or NULL */
  gchar       *token;
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
  g_mutex_init (&watch->lock);
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

/* Writes @text whole to the watchman; called with the lock held. */
static gboolean
send_line (FfCancelWatch *watch,
           const gchar   *text)
{
  GOutputStream *in = g_subprocess_get_stdin_pipe (watch->process);

  return g_output_stream_write_all (in, text, strlen (text), NULL, NULL, NULL) &&
         g_output_stream_flush (in, NULL, NULL);
}

static void
wipe_free (gchar *secret)
{
  if (secret == NULL)
    return;
  memset (secret, 0, strlen (secret));
  g_free (secret);
}

gboolean
ff_cancel_watch_arm (FfCancelWatch *watch,
                     const gchar   *base_url,
                     const gchar   *token,
                     const gchar   *prediction_id)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autofree gchar       *ticket = NULL;
  gboolean                ok = TRUE;

  g_return_val_if_fail (watch != NULL, FALSE);

  if (! field_ok (base_url, FF_CANCEL_WATCH_MAX_BASE_URL, TRUE) ||
      ! field_ok (token, FF_CANCEL_WATCH_MAX_TOKEN, FALSE) ||
      ! field_ok (prediction_id, FF_CANCEL_WATCH_MAX_ID, FALSE) ||
      prediction_id[0] == SETTLED || g_str_equal (prediction_id, ALL_IS_WELL))
    return FALSE;

  locker = g_mutex_locker_new (&watch->lock);
  if (watch->token == NULL)
    {
      g_autofree gchar *message = g_strdup_printf ("%s\n%s\n", base_url ? base_url : "",
                                                   token);

      ok = send_line (watch, message);
      memset (message, 0, strlen (message));
      watch->base_url = g_strdup (base_url ? base_url : "");
      watch->token = g_strdup (token);
    }
  /* One watchman, one service: a ticket elsewhere would go to the wrong one. */
  else if (g_strcmp0 (watch->base_url, base_url ? base_url : "") != 0 ||
           g_strcmp0 (watch->token, token) != 0)
    return FALSE;
  ticket = g_strconcat (prediction_id, "\n", NULL);
  ok = ok && send_line (watch, ticket);
  watch->armed = watch->armed || ok;
  return ok;
}

void
ff_cancel_watch_settle (FfCancelWatch *watch,
                        const gchar   *prediction_id)
{
  g_autoptr(GMutexLocker) locker = NULL;
  g_autofree gchar       *line = NULL;

  if (watch == NULL || ! field_ok (prediction_id, FF_CANCEL_WATCH_MAX_ID - 1, FALSE))
    return;
  locker = g_mutex_locker_new (&watch->lock);
  if (watch->armed)
    {
      line = g_strdup_printf ("%c%s\n", SETTLED, prediction_id);
      send_line (watch, line);
    }
}

void
ff_cancel_watch_free (FfCancelWatch *watch)
{
  GOutputStream *in;

  if (watch == NULL)
    return;
  in = g_subprocess_get_stdin_pipe (watch->process);
  if (watch->armed)
    send_line (watch, ALL_IS_WELL "\n");
  g_output_stream_close (in, NULL, NULL);
  /* Not waited for: the watchman exits on its own and init reaps it. */
  g_object_unref (watch->process);
  g_mutex_clear (&watch->lock);
  g_free (watch->base_url);
  wipe_free (watch->token);
  g_free (watch);
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
  g_autoptr(GPtrArray) open = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(FfClient) client = NULL;

  if (token == NULL)
    return 0;                       /* never armed */
  /* Blocks until the plug-in ends.  Anything but the word, the end of
   * the input included, means it did not end well.
   */
  for (;;)
    {
      g_autofree gchar *line = read_field (FF_CANCEL_WATCH_MAX_ID, FALSE);
      guint             index;

      if (line == NULL)
        break;
      if (g_str_equal (line, ALL_IS_WELL))
        {
          wipe_free (token);
          return 0;
        }
      if (line[0] == SETTLED)
        {
          if (g_ptr_array_find_with_equal_func (open, line + 1, g_str_equal, &index))
            g_ptr_array_remove_index_fast (open, index);
        }
      else if (open->len < FF_CANCEL_WATCH_MAX_TICKETS)
        g_ptr_array_add (open, g_steal_pointer (&line));
    }

  if (open->len > 0)
    client = ff_client_new (base_url, token, NULL);
  wipe_free (token);
  for (guint i = 0; client != NULL && i < open->len; i++)
    ff_client_cancel (client, g_ptr_array_index (open, i));
  return 0;
}
