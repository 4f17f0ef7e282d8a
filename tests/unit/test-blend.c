/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "fill-blend.h"

#define W 64
#define H 48

#ifdef __SANITIZE_ADDRESS__
/* The out-of-memory cases ask for exabytes: ASan is to answer NULL, as
 * malloc () does, rather than end the test.
 */
const char *__asan_default_options (void);

const char *
__asan_default_options (void)
{
  return "allocator_may_return_null=1";
}
#endif

static guint8 *
rect_selection (gint x0, gint y0, gint w, gint h)
{
  guint8 *sel = g_malloc0 (W * H);

  for (gint y = y0; y < y0 + h; y++)
    memset (sel + y * W + x0, 255, w);
  return sel;
}

/* Chebyshev distance from (x, y) to the rectangle. */
static gint
distance (gint x, gint y, gint x0, gint y0, gint w, gint h)
{
  gint dx = x < x0 ? x0 - x : (x >= x0 + w ? x - (x0 + w - 1) : 0);
  gint dy = y < y0 ? y0 - y : (y >= y0 + h ? y - (y0 + h - 1) : 0);

  return MAX (dx, dy);
}

static void
test_dilate (void)
{
  g_autofree guint8 *mask = g_malloc0 (W * H);

  mask[20 * W + 30] = 200;
  ff_mask_dilate (mask, W, H, 3);
  for (gint y = 0; y < H; y++)
    for (gint x = 0; x < W; x++)
      g_assert_cmpint (mask[y * W + x], ==, distance (x, y, 30, 20, 1, 1) <= 3 ? 200 : 0);
}

/* The fast max filter against the obvious one, on random masks. */
static void
test_dilate_matches_naive (void)
{
  GRand *rand = g_rand_new_with_seed (7);

  for (gint radius = 1; radius <= 9; radius++)
    {
      g_autofree guint8 *mask = g_malloc (W * H);
      g_autofree guint8 *fast = NULL;

      for (gint i = 0; i < W * H; i++)
        mask[i] = g_rand_int_range (rand, 0, 40) == 0 ? (guint8) g_rand_int_range (rand, 1, 256) : 0;
      fast = g_memdup2 (mask, W * H);
      ff_mask_dilate (fast, W, H, radius);
      for (gint y = 0; y < H; y++)
        for (gint x = 0; x < W; x++)
          {
            guint8 m = 0;

            for (gint yy = MAX (0, y - radius); yy <= MIN (H - 1, y + radius); yy++)
              for (gint xx = MAX (0, x - radius); xx <= MIN (W - 1, x + radius); xx++)
                m = MAX (m, mask[yy * W + xx]);
            g_assert_cmpint (fast[y * W + x], ==, m);
          }
    }
  g_rand_free (rand);
}

static void
test_layer_mask_band (void)
{
  g_autofree guint8 *sel = rect_selection (20, 15, 10, 8);
  g_autofree guint8 *mask = ff_blend_layer_mask (sel, W, H, 4);
  guint              in_band = 0;

  for (gint y = 0; y < H; y++)
    for (gint x = 0; x < W; x++)
      {
        gint d = distance (x, y, 20, 15, 10, 8);
        guint8 m = mask[y * W + x];

        if (d == 0)
          g_assert_cmpint (m, ==, 255);
        else if (d > 8)
          g_assert_cmpint (m, ==, 0);          /* exactly the original there */
        else if (m > 0 && m < 255)
          in_band++;
      }
  g_assert_cmpuint (in_band, >, 100);
  /* It falls off away from the selection. */
  g_assert_cmpint (mask[19 * W + 31], >, mask[19 * W + 34]);
  g_assert_cmpint (mask[19 * W + 34], >, mask[19 * W + 37]);
}

static void
test_layer_mask_radius_zero (void)
{
  g_autofree guint8 *sel = rect_selection (5, 5, 3, 3);
  g_autofree guint8 *mask = ff_blend_layer_mask (sel, W, H, 0);

  g_assert_cmpmem (mask, W * H, sel, W * H);
}

static GdkPixbuf *
solid (guint32 rgba)
{
  GdkPixbuf *pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, W, H);

  gdk_pixbuf_fill (pixbuf, rgba);
  return pixbuf;
}

static void
test_match_colour (void)
{
  g_autoptr(GdkPixbuf) original = solid (0x646464ff);
  g_autoptr(GdkPixbuf) result = solid (0x705c69ff);   /* drifted by +12, −8, +5 */
  g_autofree guint8   *sel = rect_selection (20, 15, 10, 8);
  FfSeamStats          stats;
  const guint8        *p = gdk_pixbuf_get_pixels (result);

  g_assert_true (ff_blend_match_colour (result, original, sel, 6, &stats));
  g_assert_cmpfloat_with_epsilon (stats.before, 25.0 / 3, 1e-9);
  g_assert_cmpfloat (stats.after, ==, 0);
  g_assert_cmpfloat (stats.shift[0], ==, -12);
  g_assert_cmpfloat (stats.shift[1], ==, 8);
  g_assert_cmpfloat (stats.shift[2], ==, -5);
  g_assert_cmpint (p[0], ==, 100);
  g_assert_cmpint (p[1], ==, 100);
  g_assert_cmpint (p[2], ==, 100);
}

static void
test_match_colour_no_band (void)
{
  g_autoptr(GdkPixbuf) original = solid (0x000000ff);
  g_autoptr(GdkPixbuf) result = solid (0x101010ff);
  g_autofree guint8   *sel = rect_selection (0, 0, W, H);   /* nothing is kept */
  FfSeamStats          stats;

  g_assert_true (ff_blend_match_colour (result, original, sel, 6, &stats));
  g_assert_cmpfloat (stats.before, ==, 0);
  g_assert_cmpint (gdk_pixbuf_get_pixels (result)[0], ==, 0x10);
}

/* A crop no memory holds: NULL for the caller to report, not an abort.
 * Nothing of that size is touched, so @sel need only be small.
 */
static void
test_layer_mask_out_of_memory (void)
{
  g_autofree guint8 *sel = rect_selection (5, 5, 3, 3);

  g_assert_null (ff_blend_layer_mask (sel, G_MAXINT, G_MAXINT, 4));
  g_assert_null (ff_blend_layer_mask (sel, G_MAXINT, G_MAXINT, 0));
}

static void
test_match_colour_out_of_memory (void)
{
  /* Pixbufs that claim exabytes over a few bytes: the band is allocated
   * before any pixel is read.
   */
  static guint8        pixels[16];
  gint                 side = G_MAXINT / 4;
  g_autoptr(GdkPixbuf) result = gdk_pixbuf_new_from_data (pixels, GDK_COLORSPACE_RGB, FALSE, 8,
                                                          side, side, side * 3, NULL, NULL);
  g_autoptr(GdkPixbuf) original = gdk_pixbuf_new_from_data (pixels, GDK_COLORSPACE_RGB, FALSE, 8,
                                                            side, side, side * 3, NULL, NULL);
  g_autofree guint8   *sel = rect_selection (5, 5, 3, 3);
  FfSeamStats          stats = { 1, 1, { 1, 1, 1 } };

  g_assert_nonnull (result);
  g_assert_false (ff_blend_match_colour (result, original, sel, 6, &stats));
  g_assert_cmpfloat (stats.before, ==, 0);
  g_assert_cmpfloat (stats.shift[0], ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/blend/dilate", test_dilate);
  g_test_add_func ("/blend/dilate-matches-naive", test_dilate_matches_naive);
  g_test_add_func ("/blend/layer-mask-band", test_layer_mask_band);
  g_test_add_func ("/blend/layer-mask-radius-zero", test_layer_mask_radius_zero);
  g_test_add_func ("/blend/match-colour", test_match_colour);
  g_test_add_func ("/blend/match-colour-no-band", test_match_colour_no_band);
  g_test_add_func ("/blend/layer-mask-out-of-memory", test_layer_mask_out_of_memory);
  g_test_add_func ("/blend/match-colour-out-of-memory", test_match_colour_out_of_memory);
  return g_test_run ();
}
