/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include "fill-blend.h"

/* A 1-D filter from @in (a copy of one row or column) into @out, whose
 * pixels are @step bytes apart.
 */
typedef void (* LineFilter) (const guint8 *in,
                             guint8       *out,
                             gint          length,
                             gsize         step,
                             gint          radius);

/* van Herk / Gil-Werman: three comparisons a pixel whatever the radius.
 * The line is padded with @radius zeros each side (neutral for a max),
 * cut into blocks of the window's size, and each window, which spans at
 * most two blocks, is the max of a suffix of one and a prefix of the next.
 */
static void
max_line (const guint8 *in,
          guint8       *out,
          gint          length,
          gsize         step,
          gint          radius)
{
  gint               window = 2 * radius + 1;
  gint               padded = length + 2 * radius;
  g_autofree guint8 *prefix = g_malloc (padded);
  g_autofree guint8 *suffix = g_malloc (padded);

  for (gint j = 0; j < padded; j++)
    {
      guint8 v = (j >= radius && j < radius + length) ? in[j - radius] : 0;

      prefix[j] = (j % window == 0) ? v : MAX (prefix[j - 1], v);
    }
  for (gint j = padded - 1; j >= 0; j--)
    {
      guint8 v = (j >= radius && j < radius + length) ? in[j - radius] : 0;

      suffix[j] = (j % window == window - 1 || j == padded - 1) ? v : MAX (suffix[j + 1], v);
    }
  for (gint i = 0; i < length; i++)
    out[i * step] = MAX (suffix[i], prefix[i + 2 * radius]);
}

/* Box blur by a running sum; the window is cut at the edges. */
static void
box_line (const guint8 *in,
          guint8       *out,
          gint          length,
          gsize         step,
          gint          radius)
{
  guint sum = 0;

  for (gint j = 0; j < MIN (radius, length); j++)
    sum += in[j];
  for (gint i = 0; i < length; i++)
    {
      gint lo = i - radius - 1, hi = i + radius;

      if (hi < length)
        sum += in[hi];
      if (lo >= 0)
        sum -= in[lo];
      /* Dividing by the full window keeps zeros exactly zero. */
      out[i * step] = (guint8) ((sum + radius) / (2 * radius + 1));
    }
}

/* @filter along every row, then every column. */
static void
separable (guint8     *data,
           gint        width,
           gint        height,
           gint        radius,
           LineFilter  filter)
{
  g_autofree guint8 *line = g_malloc (MAX (width, height));

  for (gint y = 0; y < height; y++)
    {
      memcpy (line, data + (gsize) y * width, width);
      filter (line, data + (gsize) y * width, width, 1, radius);
    }
  for (gint x = 0; x < width; x++)
    {
      for (gint y = 0; y < height; y++)
        line[y] = data[(gsize) y * width + x];
      filter (line, data + x, height, width, radius);
    }
}

void
ff_mask_dilate (guint8 *mask,
                gint    width,
                gint    height,
                gint    radius)
{
  if (radius > 0 && width > 0 && height > 0)
    separable (mask, width, height, radius, max_line);
}

guint8 *
ff_blend_layer_mask (const guint8 *selection,
                     gint          width,
                     gint          height,
                     gint          radius)
{
  gsize   size = (gsize) width * height;
  /* A crop's worth of bytes: the caller says "not enough memory" rather
   * than GLib aborting.
   */
  guint8 *mask = g_try_malloc (MAX (size, 1));

  if (mask == NULL)
    return NULL;
  memcpy (mask, selection, size);
  if (radius <= 0)
    return mask;
  ff_mask_dilate (mask, width, height, radius);
  separable (mask, width, height, radius, box_line);
  for (gsize i = 0; i < size; i++)
    mask[i] = MAX (mask[i], selection[i]);
  return mask;
}

typedef struct
{
  gdouble sum[3];
  gdouble abs_error;
  guint64 count;
} BandSums;

static BandSums
band_sums (GdkPixbuf    *result,
           GdkPixbuf    *original,
           const guint8 *band,
           const gint    shift[3])
{
  gint      width = gdk_pixbuf_get_width (result);
  gint      height = gdk_pixbuf_get_height (result);
  gint      rs = gdk_pixbuf_get_rowstride (result), os = gdk_pixbuf_get_rowstride (original);
  gint      rn = gdk_pixbuf_get_n_channels (result), on = gdk_pixbuf_get_n_channels (original);
  guint8   *rp = gdk_pixbuf_get_pixels (result), *op = gdk_pixbuf_get_pixels (original);
  BandSums  sums = { { 0 } };

  for (gint y = 0; y < height; y++)
    for (gint x = 0; x < width; x++)
      {
        const guint8 *r = rp + (gsize) y * rs + (gsize) x * rn;
        const guint8 *o = op + (gsize) y * os + (gsize) x * on;

        if (! band[(gsize) y * width + x])
          continue;
        for (gint c = 0; c < 3; c++)
          {
            gint shifted = CLAMP (r[c] + shift[c], 0, 255);

            sums.sum[c] += o[c] - r[c];
            sums.abs_error += ABS (shifted - o[c]);
          }
        sums.count++;
      }
  return sums;
}

gboolean
ff_blend_match_colour (GdkPixbuf    *result,
                       GdkPixbuf    *original,
                       const guint8 *repainted,
                       gint          band_radius,
                       FfSeamStats  *seam_stats)
{
  gint               width = gdk_pixbuf_get_width (result);
  gint               height = gdk_pixbuf_get_height (result);
  gsize              size = (gsize) width * height;
  g_autofree guint8 *band = NULL;
  FfSeamStats        dummy, *stats = seam_stats ? seam_stats : &dummy;
  gint               none[3] = { 0, 0, 0 }, shift[3];
  BandSums           sums;

  *stats = (FfSeamStats) { 0 };
  g_return_val_if_fail (gdk_pixbuf_get_width (original) == width &&
                        gdk_pixbuf_get_height (original) == height, TRUE);

  band = g_try_malloc (MAX (size, 1));
  if (band == NULL)
    return FALSE;
  memcpy (band, repainted, size);
  /* The kept pixels near the selection: what the eye compares. */
  ff_mask_dilate (band, width, height, band_radius);
  for (gsize i = 0; i < size; i++)
    band[i] = band[i] && ! repainted[i];

  sums = band_sums (result, original, band, none);
  if (sums.count == 0)
    return TRUE;
  for (gint c = 0; c < 3; c++)
    {
      shift[c] = (gint) lround (sums.sum[c] / sums.count);
      stats->shift[c] = shift[c];
    }
  stats->before = sums.abs_error / (3.0 * sums.count);
  stats->after = band_sums (result, original, band, shift).abs_error / (3.0 * sums.count);

  /* Applied to the whole result, so the fill and its surroundings move
   * together and the layer looks right with its mask off too.
   */
  if (stats->after < stats->before)
    {
      gint    rs = gdk_pixbuf_get_rowstride (result), rn = gdk_pixbuf_get_n_channels (result);
      guint8 *rp = gdk_pixbuf_get_pixels (result);

      for (gint y = 0; y < height; y++)
        for (gint x = 0; x < width; x++)
          for (gint c = 0; c < 3; c++)
            {
              guint8 *v = rp + (gsize) y * rs + (gsize) x * rn + c;
              *v = (guint8) CLAMP (*v + shift[c], 0, 255);
            }
    }
  else
    {
      stats->after = stats->before;
      stats->shift[0] = stats->shift[1] = stats->shift[2] = 0;
    }
  return TRUE;
}
