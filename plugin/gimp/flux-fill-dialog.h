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

/* The values last typed into the dialog of @procedure, whether it was
 * run, cancelled or failed: loaded into @config before a dialog opens.
 */
void     flux_fill_dialog_recall          (GimpProcedure       *procedure,
                                           GimpProcedureConfig *config);

/* "This fill was made at @made_at; FLUX Fill will use @will_use": TRUE
 * for Continue.  There is no choice to send it to @made_at.
 */
gboolean flux_fill_dialog_confirm_service (const gchar *made_at,
                                           const gchar *will_use);

G_END_DECLS
