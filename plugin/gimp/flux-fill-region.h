/* What the model is given: the crop of the active layer around the
 * selection, and the mask made from the selection.
 */
#pragma once

#include <libgimp/gimp.h>

#include "fill-geometry.h"
#include "fill-params.h"

G_BEGIN_DECLS

typedef struct
{
  FfRect      crop;     /* image coordinates */
  GdkPixbuf  *image;    /* the crop, 8-bit sRGB */
  GdkPixbuf  *mask;     /* white = repaint; NULL when outpainting */
} FluxFillRegion;

/* Reads the region of @drawable to fill.  Fails with a message for the
 * user when there is nothing to fill; changes nothing in @image.
 */
gboolean flux_fill_region_read  (GimpImage      *image,
                                 GimpDrawable   *drawable,
                                 FfOutpaint      outpaint,
                                 gint            context,
                                 FluxFillRegion *region,
                                 GError        **error);
void     flux_fill_region_clear (FluxFillRegion *region);

G_END_DECLS
