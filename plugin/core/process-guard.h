/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Keeps the token out of core dumps.
 *
 * The plug-in and its cancel watchman hold the API token in memory; a
 * core file of either, written on a crash or asked for with gcore by
 * another process of the same user, would hold it too.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Makes this process non-dumpable (Linux) and sets its core size limit
 * to 0.  The dumpable flag resets on execve, so every executable that
 * holds the token calls this at the top of main ().  Best effort: FALSE
 * if a step failed.
 */
gboolean ff_process_protect (void);

G_END_DECLS
