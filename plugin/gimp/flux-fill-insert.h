/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Puts the model's output into the image as a new masked layer. */
#pragma once

#include <libgimp/gimp.h>

#include "flux-fill-region.h"

G_BEGIN_DECLS

/* Inserts @n results right above @drawable, in one undo step: each
 * resampled onto the crop and masked by the region's feathered selection
 * (none when the region has no mask: an edit of the whole picture), or,
 * when outpainting, placed so the picture lines up with its old
 * pixels, the canvas grown to hold it and the mask hiding the result over
 * the old picture.  One result is one layer named @name; several go into
 * a layer group named @name, a layer each named "#K · seed N · @name"
 * (K counting within the group, on from the earlier ones), the first on
 * top and the only one visible.  @records (nullable): a JSON
 * record per result, attached to its layer (the first also to a new
 * group).  @earlier (nullable): earlier results of the same fill, a group
 * (the new ones go in on top, the only ones visible) or a lone layer (a
 * group named @name is made around it).  Nothing changes on failure.
 */
gboolean flux_fill_insert_results (GimpImage            *image,
                                   GimpDrawable         *drawable,
                                   const FluxFillRegion *region,
                                   FfOutpaint            outpaint,
                                   GdkPixbuf           **results,
                                   const gint           *seeds,
                                   guint                 n,
                                   const gchar          *name,
                                   gchar               **records,
                                   GimpLayer            *earlier,
                                   GError              **error);

G_END_DECLS
