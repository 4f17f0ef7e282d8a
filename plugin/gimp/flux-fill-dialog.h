/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The interactive dialog: every argument, with a multi-line prompt. */
#pragma once

#include <libgimp/gimp.h>

#include "token-store.h"

G_BEGIN_DECLS

/* TRUE when the user pressed OK.  @message (nullable): what went wrong
 * in the last try, shown at the top; @open_service: it was the token, so
 * the Service section opens.  @token: (out) (transfer full) a
 * token typed into the Service section, for the keyring, or NULL.
 */
gboolean flux_fill_dialog (GimpProcedure       *procedure,
                           GimpProcedureConfig *config,
                           GimpImage           *image,
                           GimpDrawable        *drawable,
                           const gchar         *message,
                           gboolean             open_service,
                           FfToken            **token);

G_END_DECLS
