/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "flux-fill-pixels.h"

/* A few rows of GIMP's 64-pixel tiles: few round trips, little held. */
#define BAND_ROWS 256

static void
transfer (GimpDrawable *drawable,
          const FfRect *rect,
          const Babl   *format,
          guchar       *pixels,
          gint          rowstride,
          gboolean      write)
{
  for (gint y = 0; y < rect->height; y += BAND_ROWS)
    {
      g_autoptr(GeglBuffer) buffer = gimp_drawable_get_buffer (drawable);
      const GeglRectangle   band = { rect->x, rect->y + y, rect->width,
                                     MIN (BAND_ROWS, rect->height - y) };
      guchar               *row = pixels + (gsize) y * rowstride;

      if (write)
        {
          gegl_buffer_set (buffer, &band, 0, format, row, rowstride);
          gegl_buffer_flush (buffer);
        }
      else
        gegl_buffer_get (buffer, &band, 1.0, format, row, rowstride, GEGL_ABYSS_NONE);
    }
}

void
flux_fill_pixels_get (GimpDrawable *drawable,
                      const FfRect *rect,
                      const Babl   *format,
                      guchar       *pixels,
                      gint          rowstride)
{
  transfer (drawable, rect, format, pixels, rowstride, FALSE);
}

void
flux_fill_pixels_set (GimpDrawable *drawable,
                      const FfRect *rect,
                      const Babl   *format,
                      const guchar *pixels,
                      gint          rowstride)
{
  /* transfer () only reads @pixels when writing. */
  transfer (drawable, rect, format, (guchar *) pixels, rowstride, TRUE);
}

/* libgimp 3.0 has no call that reads a rectangle of the projection.
 * gimp_layer_new_from_visible () makes a layer of it, never inserted:
 * no undo step, no dirt, the selection untouched.  In GIMP its buffer is
 * a copy-on-write of the projection's tiles; what it costs is GIMP
 * rendering the whole projection once (later calls find it rendered).
 * Here only @rect is read, a band at a time.  (Copying the visible
 * picture under a selection set to @rect would render less, but changing
 * the selection marks the image dirty even with its undo frozen.)
 */
gboolean
flux_fill_pixels_get_visible (GimpImage    *image,
                              const FfRect *rect,
                              const Babl   *format,
                              guchar       *pixels,
                              gint          rowstride)
{
  GimpLayer *visible = gimp_layer_new_from_visible (image, image, "flux-fill visible");
  FfRect     local = *rect;
  gint       ox, oy;

  if (visible == NULL)
    return FALSE;
  /* The projection's extent is the canvas: offsets (0, 0) in practice. */
  gimp_drawable_get_offsets (GIMP_DRAWABLE (visible), &ox, &oy);
  local.x -= ox;
  local.y -= oy;
  transfer (GIMP_DRAWABLE (visible), &local, format, pixels, rowstride, FALSE);
  gimp_item_delete (GIMP_ITEM (visible));
  return TRUE;
}
