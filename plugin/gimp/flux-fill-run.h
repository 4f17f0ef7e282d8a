/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One run of the plug-in's procedures, after registration and dialog. */
#pragma once

#include <libgimp/gimp.h>

G_BEGIN_DECLS

/* Whether @config is FLUX Expand's. */
gboolean          flux_fill_is_expand (GimpProcedureConfig  *config);
/* Whether @config is FLUX Edit's. */
gboolean          flux_fill_is_edit   (GimpProcedureConfig  *config);

/* One fill (or expansion) of @drawable with the values in @config, or,
 * @again, with the prompt and parameters recorded on the active generated
 * layer; always at the configured service, never the record's.
 * @run_mode INTERACTIVE asks before a fill made elsewhere goes to the
 * configured service (GIMP_PDB_CANCEL, no error, when the user says no).
 * @typed (nullable): a token typed in the dialog, used instead of the
 * stored one.  Returns the status, with @error set for anything but
 * GIMP_PDB_SUCCESS and GIMP_PDB_CANCEL; the image is unchanged then.
 */
GimpPDBStatusType flux_fill_fill      (GimpImage            *image,
                                       GimpDrawable         *drawable,
                                       GimpProcedureConfig  *config,
                                       gboolean              again,
                                       GimpRunMode           run_mode,
                                       const gchar          *typed,
                                       GError              **error);

G_END_DECLS
