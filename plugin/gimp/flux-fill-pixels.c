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
