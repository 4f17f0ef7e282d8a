/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the model is given: the crop around the selection of the visible
 * picture (sample-merged) or of the active layer, and the mask made from
 * the selection.
 */
#pragma once

#include <libgimp/gimp.h>

#include "fill-geometry.h"
#include "fill-params.h"

G_BEGIN_DECLS

typedef struct
{
  FfRect      crop;        /* image coordinates */
  GdkPixbuf  *image;       /* the crop, 8-bit sRGB: the visible picture's or the layer's */
  /* NULL when outpainting or editing the whole picture: */
  guint8     *layer_mask;  /* the selection over the crop, a byte a pixel, grown and
                            * feathered: the new layer's mask;
                            * the model repaints wherever it is not 0 */
} FluxFillRegion;

/* Where a fill of @drawable would take place, without reading a pixel:
 * the crop sent to the model (image coordinates), on the canvas and, but
 * with @sample_merged, on @drawable.  Fails with the message for the
 * user when there is nothing to fill.
 */
gboolean flux_fill_region_plan  (GimpImage      *image,
                                 GimpDrawable   *drawable,
                                 FfOutpaint      outpaint,
                                 gint            context,
                                 gboolean        sample_merged,
                                 FfRect         *crop,
                                 GError        **error);
/* Where an edit of @drawable would take place, without reading a pixel:
 * the crop around the selection (ff_edit_crop (): @context as for a fill,
 * its sides' ratio within @max_aspect, 0: any), or, nothing selected
 * (@whole set), the whole canvas (with @sample_merged) or the part of it
 * @drawable covers, which must be within @max_aspect itself.  Fails with
 * the message for the user.
 */
gboolean flux_fill_region_plan_edit (GimpImage      *image,
                                     GimpDrawable   *drawable,
                                     gint            context,
                                     gboolean        sample_merged,
                                     gdouble         max_aspect,
                                     FfRect         *crop,
                                     gboolean       *whole,
                                     GError        **error);
/* Reads the region to fill: @context pixels around the selection (-1:
 * automatic) of the visible picture (@sample_merged: all visible layers
 * as GIMP shows them) or of @drawable alone, and a mask feathered by
 * @feather pixels.  Fails with a message for the user when there is
 * nothing to fill; changes nothing in @image.
 */
gboolean flux_fill_region_read  (GimpImage      *image,
                                 GimpDrawable   *drawable,
                                 FfOutpaint      outpaint,
                                 gint            context,
                                 gint            feather,
                                 gboolean        sample_merged,
                                 FluxFillRegion *region,
                                 GError        **error);
/* Reads @crop (image coordinates) as flux_fill_region_read () reads its
 * own, with the selection over it feathered by @feather as the mask when
 * @masked (else none: an outpaint, or an edit of the whole picture).
 */
gboolean flux_fill_region_read_crop (GimpImage      *image,
                                     GimpDrawable   *drawable,
                                     const FfRect   *crop,
                                     gboolean        masked,
                                     gint            feather,
                                     gboolean        sample_merged,
                                     FluxFillRegion *region,
                                     GError        **error);
/* The region of an earlier fill, filled again without a selection: its
 * crop @rect (image coordinates) and the mask it got, from @mask (the
 * generated layer's).  The picture as flux_fill_region_read () reads it.
 */
gboolean flux_fill_region_read_recorded (GimpImage      *image,
                                         GimpDrawable   *drawable,
                                         const FfRect   *rect,
                                         GimpLayerMask  *mask,
                                         gboolean        sample_merged,
                                         FluxFillRegion *region,
                                         GError        **error);
void     flux_fill_region_clear (FluxFillRegion *region);

G_END_DECLS
