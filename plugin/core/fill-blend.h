/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Hiding the seam: the layer mask grown and feathered past the selection,
 * and the model's colour drift matched to the original next to it.
 * Masks here are 8-bit, one byte a pixel, rows of @width bytes.
 */
#pragma once

#include <gdk-pixbuf/gdk-pixbuf.h>

G_BEGIN_DECLS

/* How far past the repainted area pixels are sampled for the colour match. */
#define FF_BLEND_SAMPLE_MARGIN 24

/* Max filter over a (2 @radius + 1)² square, in place. */
void     ff_mask_dilate        (guint8       *mask,
                                gint          width,
                                gint          height,
                                gint          radius);

/* The layer mask for a fill: @selection grown by @radius and box-blurred
 * by @radius, never below the selection itself.  Pixels farther than
 * 2 @radius from the selection stay exactly 0.  NULL when out of memory.
 * (transfer full: g_free)
 */
guint8 * ff_blend_layer_mask   (const guint8 *selection,
                                gint          width,
                                gint          height,
                                gint          radius);

typedef struct
{
  gdouble before;     /* mean |result − original| over the sampled band, 0–255 */
  gdouble after;
  gdouble shift[3];   /* what was added to R, G, B */
} FfSeamStats;

/* Shifts @result's colours so that, over the pixels the model was told
 * to keep (@repainted is 0) within @band_radius of those it repainted,
 * they match @original on average; both pixbufs 8-bit RGB(A) of the
 * mask's size.  Sets @stats (optional) to the seam error before and
 * after.  FALSE, with @result untouched, when out of memory.
 */
gboolean ff_blend_match_colour (GdkPixbuf    *result,
                                GdkPixbuf    *original,
                                const guint8 *repainted,
                                gint          band_radius,
                                FfSeamStats  *stats);

G_END_DECLS
