/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One run of the plug-in's procedures, after registration and dialog. */
#pragma once

#include <libgimp/gimp.h>

G_BEGIN_DECLS

/* Whether @config is FLUX Expand's. */
gboolean          flux_fill_is_expand (GimpProcedureConfig  *config);

/* One fill (or expansion) of @drawable with the values in @config, or,
 * @again, with those recorded on the active generated layer.  Returns the
 * status, with @error set for anything but GIMP_PDB_SUCCESS; the image is
 * unchanged then.
 */
GimpPDBStatusType flux_fill_fill      (GimpImage            *image,
                                       GimpDrawable         *drawable,
                                       GimpProcedureConfig  *config,
                                       gboolean              again,
                                       GError              **error);

G_END_DECLS
