/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A watchman process that cancels the prediction if the plug-in dies.
 *
 * GIMP ends a plug-in whose progress the user cancels by killing it, so
 * the plug-in cannot cancel its own prediction then, and the service
 * would run it to the end and bill it.  The watchman is the same
 * executable started with FF_CANCEL_WATCH_ARG; it learns the base URL,
 * token and prediction id through a pipe (never argv or the
 * environment, which other users can read), and when the pipe closes
 * without the word that all is well, it sends the cancel.
 */
#pragma once

#include <glib.h>

#include "replicate-client.h"

G_BEGIN_DECLS

#define FF_CANCEL_WATCH_ARG "--flux-fill-cancel-watch"

/* The longest field, in bytes, that the plug-in sends and the watchman
 * reads: one line each, no control characters.  A longer one is refused
 * on both sides, so the fields can never shift into one another.
 */
#define FF_CANCEL_WATCH_MAX_BASE_URL  FF_BASE_URL_MAX_BYTES
#define FF_CANCEL_WATCH_MAX_TOKEN     FF_TOKEN_MAX_BYTES
#define FF_CANCEL_WATCH_MAX_ID        128

typedef struct _FfCancelWatch FfCancelWatch;

/* Starts @executable FF_CANCEL_WATCH_ARG, without REPLICATE_API_TOKEN
 * nor any variable holding its value in its environment.  (transfer full)
 */
FfCancelWatch * ff_cancel_watch_start  (const gchar   *executable,
                                        GError       **error);
/* Tells the watchman which prediction to cancel should we die.  FALSE,
 * and nothing sent, when a field is empty (@base_url may be: the
 * default), longer than its FF_CANCEL_WATCH_MAX_* or holds a control
 * character.
 */
gboolean        ff_cancel_watch_arm    (FfCancelWatch *watch,
                                        const gchar   *base_url,
                                        const gchar   *token,
                                        const gchar   *prediction_id);
/* All is well: the watchman exits without a word to the service. */
void            ff_cancel_watch_free   (FfCancelWatch *watch);

/* The watchman's main: reads its standard input until it closes.  A
 * field that is too long, or input that ends mid-line, means it was never
 * armed: it exits without a word to the service.
 */
int             ff_cancel_watch_main   (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FfCancelWatch, ff_cancel_watch_free)

G_END_DECLS
