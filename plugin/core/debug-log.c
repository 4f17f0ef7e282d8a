/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "debug-log.h"

/* A GIMP started from a menu has no terminal: FLUX_FILL_DEBUG may name
 * a file (an absolute path) instead of "1".
 */
static const gchar *
debug_file (void)
{
  const gchar *value = g_getenv ("FLUX_FILL_DEBUG");

  return value != NULL && g_path_is_absolute (value) ? value : NULL;
}

gboolean
ff_debug_enabled (void)
{
  return g_strcmp0 (g_getenv ("FLUX_FILL_DEBUG"), "1") == 0 || debug_file () != NULL;
}

void
ff_debug (const gchar *format,
          ...)
{
  g_autofree gchar *line = NULL;
  g_autofree gchar *text = NULL;
  const gchar      *path = debug_file ();
  va_list           args;
  int               fd;

  if (! ff_debug_enabled ())
    return;
  va_start (args, format);
  line = g_strdup_vprintf (format, args);
  va_end (args);
  if (path == NULL)
    {
      g_printerr ("flux-fill: %s\n", line);
      return;
    }
  /* Appended whole by one write (O_APPEND), so the plug-in and its
   * watchman do not mix their lines; never through a symlink.
   */
  text = g_strconcat ("flux-fill: ", line, "\n", NULL);
  fd = open (path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0)
    return;
  if (write (fd, text, strlen (text)) < 0)
    {
      /* Nowhere left to say it. */
    }
  close (fd);
}
