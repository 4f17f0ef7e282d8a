/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Pixels in and out of GIMP drawables, a band of rows at a time.
 *
 * A GeglBuffer of a plug-in keeps every tile it has read or written until
 * it is freed, and GIMP's tile cache lets it: a 24-megapixel crop of a
 * float image would hold 384 MB of tiles beside our own copy.  Each band
 * goes through a buffer of its own, so at most a band's tiles are held.
 */
#pragma once

#include <libgimp/gimp.h>

#include "fill-geometry.h"

G_BEGIN_DECLS

/* @rect in @drawable's coordinates; @format the layout of @pixels. */
void flux_fill_pixels_get (GimpDrawable *drawable,
                           const FfRect *rect,
                           const Babl   *format,
                           guchar       *pixels,
                           gint          rowstride);
void flux_fill_pixels_set (GimpDrawable *drawable,
                           const FfRect *rect,
                           const Babl   *format,
                           const guchar *pixels,
                           gint          rowstride);

/* The visible picture, all visible layers composited as GIMP shows it
 * (GIMP's own projection: modes, opacities, masks, groups), over @rect in
 * @image's coordinates, which must lie on the canvas.  FALSE when GIMP
 * could not give it; @image is left as it was either way.
 */
gboolean flux_fill_pixels_get_visible (GimpImage    *image,
                                       const FfRect *rect,
                                       const Babl   *format,
                                       guchar       *pixels,
                                       gint          rowstride);

G_END_DECLS
