/* Puts the model's output into the image as a new masked layer. */
#pragma once

#include <libgimp/gimp.h>

#include "flux-fill-region.h"

G_BEGIN_DECLS

/* Inserts @result right above @drawable, in one undo step: resampled onto
 * the crop and masked by the region's feathered selection, or, when
 * outpainting, placed so
 * the picture lines up with its old pixels, the canvas grown to hold it
 * and the mask hiding the result over the old picture.
 */
gboolean flux_fill_insert_result (GimpImage            *image,
                                  GimpDrawable         *drawable,
                                  const FluxFillRegion *region,
                                  FfOutpaint            outpaint,
                                  GdkPixbuf            *result,
                                  const gchar          *name,
                                  GError              **error);

G_END_DECLS
