#include "config.h"

#include <stdio.h>
#include <string.h>

#include <gio/gio.h>

#include "cancel-watch.h"
#include "replicate-client.h"

#define ALL_IS_WELL "done"

struct _FfCancelWatch
{
  GSubprocess *process;
  gboolean     armed;
};

FfCancelWatch *
ff_cancel_watch_start (const gchar  *executable,
                       GError      **error)
{
  FfCancelWatch *watch = g_new0 (FfCancelWatch, 1);

  /* Other descriptors are closed in the child, so GIMP's pipes to the
   * plug-in do not outlive it there.
   */
  watch->process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE, error,
                                     executable, FF_CANCEL_WATCH_ARG, NULL);
  if (watch->process == NULL)
    {
      g_free (watch);
      return NULL;
    }
  return watch;
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

static gchar *
read_line (FILE *in)
{
  char line[4096];

  if (fgets (line, sizeof line, in) == NULL)
    return NULL;
  line[strcspn (line, "\r\n")] = '\0';
  return g_strdup (line);
}

int
ff_cancel_watch_main (void)
{
  g_autofree gchar   *base_url = read_line (stdin);
  g_autofree gchar   *token = read_line (stdin);
  g_autofree gchar   *id = read_line (stdin);
  g_autofree gchar   *verdict = NULL;
  g_autoptr(FfClient) client = NULL;

  if (base_url == NULL || token == NULL || id == NULL)
    return 0;                       /* never armed */
  verdict = read_line (stdin);      /* blocks until the plug-in ends */
  if (g_strcmp0 (verdict, ALL_IS_WELL) == 0)
    return 0;

  client = ff_client_new (base_url, token, NULL);
  memset (token, 0, strlen (token));
  if (client != NULL)
    ff_client_cancel (client, id);
  return 0;
}
