/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The FLUX_FILL_DEBUG=1 log: a line a fact on stderr, "flux-fill: …"
 * (FLUX_FILL_DEBUG=/absolute/path: appended to that file instead).
 * Callers never pass it a header, a body, a query or the token.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* For figures that cost something to gather. */
gboolean ff_debug_enabled (void);
void     ff_debug         (const gchar *format,
                           ...) G_GNUC_PRINTF (1, 2);

G_END_DECLS
