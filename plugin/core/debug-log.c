/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "debug-log.h"

gboolean
ff_debug_enabled (void)
{
  return g_strcmp0 (g_getenv ("FLUX_FILL_DEBUG"), "1") == 0;
}

void
ff_debug (const gchar *format,
          ...)
{
  g_autofree gchar *line = NULL;
  va_list           args;

  if (! ff_debug_enabled ())
    return;
  va_start (args, format);
  line = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("flux-fill: %s\n", line);
}
