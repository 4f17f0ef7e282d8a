/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "fill-geometry.h"

#define assert_rect(r, X, Y, W, H) G_STMT_START {            \
    g_assert_cmpint ((r).x, ==, (X));                        \
    g_assert_cmpint ((r).y, ==, (Y));                        \
    g_assert_cmpint ((r).width, ==, (W));                    \
    g_assert_cmpint ((r).height, ==, (H));                   \
  } G_STMT_END

static void
test_intersect (void)
{
  FfRect a = { 0, 0, 100, 100 }, b = { 50, 60, 100, 100 }, c = { 200, 0, 10, 10 }, out;

  g_assert_true (ff_rect_intersect (&a, &b, &out));
  assert_rect (out, 50, 60, 50, 40);
  g_assert_false (ff_rect_intersect (&a, &c, &out));
  assert_rect (out, 0, 0, 0, 0);
}

/* Layer offsets near the ends of a gint: x + width overflowed in 32
 * bits and made a nonsense rectangle out of a layer far off the canvas.
 */
static void
test_intersect_extreme (void)
{
  FfRect canvas = { 0, 0, 640, 480 }, out;
  static const FfRect far[] =
  {
    { G_MAXINT - 10, 0, 100, 100 },
    { 0, G_MAXINT - 10, 100, 100 },
    { G_MAXINT, G_MAXINT, G_MAXINT, G_MAXINT },
    { G_MININT, 0, 100, 100 },
    { G_MININT, G_MININT, G_MAXINT, G_MAXINT },
  };

  for (guint i = 0; i < G_N_ELEMENTS (far); i++)
    {
      g_assert_false (ff_rect_intersect (&far[i], &canvas, &out));
      assert_rect (out, 0, 0, 0, 0);
    }
  g_assert_true (ff_rect_intersect (&(FfRect) { -100, -100, G_MAXINT, G_MAXINT }, &canvas, &out));
  assert_rect (out, 0, 0, 640, 480);
  g_assert_true (ff_rect_intersect (&(FfRect) { G_MININT + 1, 0, G_MAXINT, 480 },
                                    &(FfRect) { -10, 0, 640, 480 }, &out));
  assert_rect (out, -10, 0, 10, 480);
}

static void
test_crop_small_canvas (void)
{
  /* 640x480: the minimum side covers the whole canvas height. */
  FfRect canvas = { 0, 0, 640, 480 }, sel = { 200, 150, 100, 80 };
  FfRect crop = ff_fill_crop (&sel, &canvas, -1);

  g_assert_cmpint (ff_fill_auto_context (&sel, &canvas), ==, 45);
  assert_rect (crop, 0, 0, 512, 480);
  g_assert_cmpint (crop.x, <=, sel.x);
  g_assert_cmpint (crop.x + crop.width, >=, sel.x + sel.width);
}

static void
test_crop_large_canvas (void)
{
  /* A 300x200 selection in a 6000x4000 photo: context 375 px each side. */
  FfRect canvas = { 0, 0, 6000, 4000 }, sel = { 3000, 2000, 300, 200 };
  FfRect crop = ff_fill_crop (&sel, &canvas, -1);

  /* Then grown to multiples of 32, so the model takes it unscaled. */
  assert_rect (crop, 2622, 1620, 1056, 960);
}

static void
test_crop_clamped (void)
{
  FfRect canvas = { 0, 0, 6000, 4000 }, sel = { 5900, 0, 100, 100 };
  FfRect crop = ff_fill_crop (&sel, &canvas, 50);

  /* Grown to 512 and pushed back inside the canvas. */
  assert_rect (crop, 5488, 0, 512, 512);
}

static void
test_crop_offset_bounds (void)
{
  /* A layer at (1000, 1000) of 300x300: the crop stays on it. */
  FfRect layer = { 1000, 1000, 300, 300 }, sel = { 1100, 1100, 20, 20 };
  FfRect crop = ff_fill_crop (&sel, &layer, 10);

  /* No room for 320: shrunk to 288, mostly from the side farther away. */
  assert_rect (crop, 1004, 1004, 288, 288);
}

static void
test_crop_selection_kept_when_snapping (void)
{
  /* The selection spans the whole 300-wide layer: no multiple of 32 fits
   * around it, so the crop stays as it is and is scaled instead.
   */
  FfRect layer = { 0, 0, 300, 200 }, sel = { 0, 50, 300, 20 };
  FfRect crop = ff_fill_crop (&sel, &layer, 10);

  assert_rect (crop, 0, 2, 300, 192);
}

static void
test_model_size (void)
{
  static const gint cases[][4] =
  {
    { 512, 480, 512, 480 },       /* fits: sent as it is */
    { 1056, 960, 1056, 960 },
    { 1440, 1440, 1440, 1440 },
    { 2000, 1000, 1440, 736 },    /* 720 = 22.5 × 32 rounds up */
    { 6000, 4000, 1440, 960 },
    { 300, 200, 512, 352 },       /* tiny: upscaled */
    { 1000, 750, 992, 736 },      /* odd sides: nearest multiples of 32 */
    { 40, 30, 512, 384 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gint w, h;

      ff_model_size (cases[i][0], cases[i][1], &w, &h);
      g_test_message ("%d x %d", cases[i][0], cases[i][1]);
      g_assert_cmpint (w, ==, cases[i][2]);
      g_assert_cmpint (h, ==, cases[i][3]);
    }
}

typedef struct
{
  FfOutpaint mode;
  gint       result_w, result_h;
  FfRect     expected;
} PlacementCase;

static void
test_outpaint_placement (void)
{
  static const PlacementCase cases[] =
  {
    { FF_OUTPAINT_ZOOM_OUT_1_5X, 960, 704, { -160, -120, 960, 720 } },
    { FF_OUTPAINT_ZOOM_OUT_2X,   1280, 960, { -320, -240, 1280, 960 } },
    { FF_OUTPAINT_MAKE_SQUARE,   640, 640, { 0, -80, 640, 640 } },
    { FF_OUTPAINT_LEFT,          960, 480, { -320, 0, 960, 480 } },
    { FF_OUTPAINT_RIGHT,         960, 480, { 0, 0, 960, 480 } },
    /* The unextended side sets the scale: 480 high → 1.0. */
    { FF_OUTPAINT_RIGHT,         1440, 704, { 0, 0, 982, 480 } },
    { FF_OUTPAINT_TOP,           640, 736, { 0, -256, 640, 736 } },
    { FF_OUTPAINT_BOTTOM,        640, 736, { 0, 0, 640, 736 } },
  };
  FfRect source = { 0, 0, 640, 480 }, place;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("case %u", i);
      g_assert_true (ff_outpaint_placement (cases[i].mode, &source, cases[i].result_w,
                                            cases[i].result_h, &place));
      assert_rect (place, cases[i].expected.x, cases[i].expected.y,
                   cases[i].expected.width, cases[i].expected.height);
    }
  g_assert_false (ff_outpaint_placement (FF_OUTPAINT_NONE, &source, 640, 480, &place));
  g_assert_false (ff_outpaint_placement (FF_OUTPAINT_LEFT, &source, 0, 480, &place));
  /* 1440 x 32 would make the canvas 21600 wide; 4x is the limit. */
  g_assert_false (ff_outpaint_placement (FF_OUTPAINT_LEFT, &source, 1440, 32, &place));
  g_assert_false (ff_outpaint_placement (FF_OUTPAINT_BOTTOM, &source, 32, 1440, &place));
  g_assert_true (ff_outpaint_placement (FF_OUTPAINT_RIGHT, &source, 1280, 240, &place));
  assert_rect (place, 0, 0, 2560, 480);
  /* No canvas past GIMP's largest image. */
  g_assert_false (ff_outpaint_placement (FF_OUTPAINT_ZOOM_OUT_2X, &(FfRect) { 0, 0, 300000, 100 },
                                         1440, 32, &place));
  g_assert_true (ff_outpaint_placement (FF_OUTPAINT_ZOOM_OUT_2X, &(FfRect) { 0, 0, 262144, 100 },
                                        1440, 32, &place));
}

/* An edit's crop keeps the model's aspect ratio (21:9 either way) where
 * the canvas allows, with the selection inside and the canvas around it.
 */
static void
test_edit_crop (void)
{
  static const struct
  {
    FfRect   canvas;
    FfRect   selection;
    gint     context;
    gboolean ok;
  } cases[] = {
    { { 0, 0, 2000, 1000 }, { 0, 0, 2000, 1000 },    0, TRUE },   /* a whole 2:1 canvas */
    { { 0, 0, 3000, 600 },  { 0, 0, 3000, 600 },     0, FALSE },  /* a whole 5:1 canvas */
    { { 0, 0, 4000, 1000 }, { 1200, 450, 1600, 100 }, 0, TRUE },  /* taller than asked */
    { { 0, 0, 3000, 600 },  { 1400, 200, 200, 200 }, 1000, TRUE }, /* narrowed */
    { { 0, 0, 4000, 1000 }, { 500, 475, 3000, 50 },  0, FALSE },  /* a 60:1 strip */
    { { -50, 20, 900, 4000 }, { 100, 100, 40, 3000 }, -1, FALSE }, /* too tall for 900 */
    { { 0, 0, 600, 3000 },  { 200, 1400, 200, 200 }, 1000, TRUE }, /* upright */
    { { -50, 20, 900, 4000 }, { 100, 100, 40, 1500 }, -1, TRUE },  /* offset bounds */
  };
  const gdouble aspect = 21.0 / 9.0;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      FfRect crop, inside;

      g_test_message ("case %u", i);
      g_assert_cmpint (ff_edit_crop (&cases[i].selection, &cases[i].canvas, cases[i].context,
                                     aspect, &crop), ==, cases[i].ok);
      if (! cases[i].ok)
        continue;
      g_assert_cmpfloat (MAX (crop.width, crop.height), <=,
                         MIN (crop.width, crop.height) * aspect);
      g_assert_true (ff_rect_intersect (&crop, &cases[i].canvas, &inside));
      g_assert_true (memcmp (&inside, &crop, sizeof crop) == 0);
      g_assert_true (ff_rect_intersect (&crop, &cases[i].selection, &inside));
      g_assert_true (memcmp (&inside, &cases[i].selection, sizeof inside) == 0);
    }

  {
    FfRect crop, fill;

    /* The long side cut evenly around the selection, the short one whole. */
    g_assert_true (ff_edit_crop (&cases[3].selection, &cases[3].canvas, 1000, aspect, &crop));
    assert_rect (crop, 800, 0, 1400, 600);
    /* No limit: the fill's crop. */
    g_assert_true (ff_edit_crop (&cases[4].selection, &cases[4].canvas, 0, 0, &crop));
    fill = ff_fill_crop (&cases[4].selection, &cases[4].canvas, 0);
    g_assert_true (memcmp (&fill, &crop, sizeof crop) == 0);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/geometry/intersect", test_intersect);
  g_test_add_func ("/geometry/intersect-extreme", test_intersect_extreme);
  g_test_add_func ("/geometry/crop-small-canvas", test_crop_small_canvas);
  g_test_add_func ("/geometry/crop-large-canvas", test_crop_large_canvas);
  g_test_add_func ("/geometry/crop-clamped", test_crop_clamped);
  g_test_add_func ("/geometry/crop-offset-bounds", test_crop_offset_bounds);
  g_test_add_func ("/geometry/outpaint-placement", test_outpaint_placement);
  g_test_add_func ("/geometry/crop-selection-kept", test_crop_selection_kept_when_snapping);
  g_test_add_func ("/geometry/model-size", test_model_size);
  g_test_add_func ("/geometry/edit-crop", test_edit_crop);
  return g_test_run ();
}
