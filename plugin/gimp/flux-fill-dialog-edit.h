/* SPDX-License-Identifier: GPL-3.0-or-later */
/* FLUX Edit's own part of the dialog: what its line says (the area or
 * the whole picture, the model, the size it comes back at, the cost) and
 * what it refuses before anything is sent, and its reference chooser.
 */
#pragma once

#include <libgimp/gimpui.h>

#include "service-table.h"

G_BEGIN_DECLS

/* The line of an edit with @config of @drawable in @image at @target:
 * "Sends a 1056 × 960 px area to Replicate for FLUX.1 Kontext [pro]…",
 * the cost of every variation included.  @whole: (out) nothing is
 * selected, the whole picture is edited.  @notes: (out) (transfer full)
 * what the user should know besides (the result scaled up, a refusal by
 * the model), or NULL.  Fails with the message for the user when there
 * is nothing the model could edit.  (transfer full)
 */
gchar * flux_fill_dialog_edit_line  (GimpProcedureConfig *config,
                                     const FfResolved    *target,
                                     GimpImage           *image,
                                     GimpDrawable        *drawable,
                                     gboolean            *whole,
                                     gchar              **notes,
                                     GError             **error);

/* What an edit refuses before anything is sent: no instruction, an area
 * the model cannot take, a reference or a safety tolerance the model
 * refuses.  NULL when all is well, else the message.  (transfer full)
 */
gchar * flux_fill_dialog_edit_check (GimpProcedureConfig *config,
                                     const FfResolved    *target,
                                     GimpImage           *image,
                                     GimpDrawable        *drawable);

/* The reference chooser GimpProcedureDialog makes, with a button that
 * sets it back to none.
 */
void    flux_fill_dialog_edit_build_reference (GimpProcedureDialog *dialog,
                                               GimpProcedureConfig *config);

G_END_DECLS
