/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A watchman process that cancels the predictions if the plug-in dies.
 *
 * GIMP ends a plug-in whose progress the user cancels by killing it, so
 * the plug-in cannot cancel its own predictions then, and the service
 * would run them to the end and bill them.  The watchman is the same
 * executable started with FF_CANCEL_WATCH_ARG, one for a whole run: it
 * learns the base URL and token, then a ticket per prediction as each is
 * created (and that it ended, when it did), through a pipe (never argv
 * or the environment, which other users can read); when the pipe closes
 * without the word that all is well, it cancels every prediction still
 * open.
 */
#pragma once

#include <glib.h>

#include "service-client.h"

G_BEGIN_DECLS

#define FF_CANCEL_WATCH_ARG "--flux-fill-cancel-watch"

/* The longest field, in bytes, that the plug-in sends and the watchman
 * reads: one line each, no control characters.  A longer one is refused
 * on both sides, so the fields can never shift into one another.
 */
#define FF_CANCEL_WATCH_MAX_BASE_URL  FF_BASE_URL_MAX_BYTES
#define FF_CANCEL_WATCH_MAX_TOKEN     FF_TOKEN_MAX_BYTES
#define FF_CANCEL_WATCH_MAX_ID        128
/* More tickets than a run can have are a broken plug-in: ignored. */
#define FF_CANCEL_WATCH_MAX_TICKETS   64

typedef struct _FfCancelWatch FfCancelWatch;

/* Starts @executable FF_CANCEL_WATCH_ARG, without REPLICATE_API_TOKEN
 * nor any variable holding its value in its environment.  (transfer full)
 */
FfCancelWatch * ff_cancel_watch_start  (const gchar   *executable,
                                        GError       **error);
/* Hands the watchman a ticket: cancel @prediction_id at @base_url with
 * @token should we die.  The first ticket sends @base_url and @token;
 * later ones must name the same.  FALSE, and nothing sent, when a field
 * is empty (@base_url may be: the default), longer than its
 * FF_CANCEL_WATCH_MAX_* or holds a control character.  Safe to call from
 * several threads.
 */
gboolean        ff_cancel_watch_arm    (FfCancelWatch *watch,
                                        const gchar   *base_url,
                                        const gchar   *token,
                                        const gchar   *prediction_id);
/* @prediction_id has ended (or was canceled by us): no cancel for it. */
void            ff_cancel_watch_settle (FfCancelWatch *watch,
                                        const gchar   *prediction_id);
/* All is well: the watchman exits without a word to the service. */
void            ff_cancel_watch_free   (FfCancelWatch *watch);

/* The watchman's main: reads its standard input until it closes, then
 * cancels the predictions whose tickets are still open.  A field that is
 * too long, or input that ends mid-line, ends the reading: what came
 * before counts, the broken line never does.
 */
int             ff_cancel_watch_main   (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FfCancelWatch, ff_cancel_watch_free)

G_END_DECLS
