/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The model table: lookups, the edit models' checks before sending, the
 * sizes they answer and what an image costs.
 */
#include "config.h"

#include <string.h>

#include "model.h"

static void
test_lookup (void)
{
  static const struct { FfProviderId provider; const gchar *id, *route; } rows[] = {
    { FF_PROVIDER_REPLICATE, FF_MODEL_KONTEXT_PRO,
      "/v1/models/black-forest-labs/flux-kontext-pro/predictions" },
    { FF_PROVIDER_REPLICATE, FF_MODEL_FLUX2_PRO,
      "/v1/models/black-forest-labs/flux-2-pro/predictions" },
    { FF_PROVIDER_BFL, FF_MODEL_KONTEXT_PRO, "/v1/flux-kontext-pro" },
    { FF_PROVIDER_BFL, FF_MODEL_FLUX2_PRO, "/v1/flux-2-pro" },
    { FF_PROVIDER_BFL, FF_MODEL_FILL_PRO, "/v1/flux-pro-1.0-fill" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      const FfModel *model = ff_model_by_id (rows[i].provider, rows[i].id);

      g_assert_nonnull (model);
      g_assert_cmpstr (model->id, ==, rows[i].id);
      g_assert_cmpint (model->provider, ==, rows[i].provider);
      g_assert_cmpstr (model->route, ==, rows[i].route);
    }
  g_assert_null (ff_model_by_id (FF_PROVIDER_BFL, "flux-kontext-max"));
  /* The fill lookup never lands on an edit model, though they take no mask. */
  g_assert_cmpstr (ff_model_for (FF_PROVIDER_BFL, FF_OUTPAINT_LEFT)->route, ==,
                   "/v1/flux-pro-1.0-expand");
  g_assert_cmpstr (ff_model_for (FF_PROVIDER_REPLICATE, FF_OUTPAINT_TOP)->id, ==,
                   FF_MODEL_FILL_PRO);
}

static void
test_limits (void)
{
  for (FfProviderId p = FF_PROVIDER_REPLICATE; p <= FF_PROVIDER_BFL; p++)
    {
      const FfModel *kontext = ff_model_by_id (p, FF_MODEL_KONTEXT_PRO);
      const FfModel *flux2 = ff_model_by_id (p, FF_MODEL_FLUX2_PRO);

      g_assert_cmpuint (kontext->max_images, ==, 1);
      g_assert_cmpint (kontext->max_safety, ==, 2);
      g_assert_cmpfloat (kontext->price, ==, 0.04);
      g_assert_cmpuint (flux2->max_images, ==, 8);
      g_assert_cmpint (flux2->max_safety, ==, 5);
      g_assert_cmpfloat (flux2->price, ==, 0.03);
      g_assert_cmpfloat (flux2->price_per_mp, ==, 0.015);
    }
}

static void
test_check_edit (void)
{
  const FfModel    *kontext = ff_model_by_id (FF_PROVIDER_REPLICATE, FF_MODEL_KONTEXT_PRO);
  const FfModel    *flux2 = ff_model_by_id (FF_PROVIDER_BFL, FF_MODEL_FLUX2_PRO);
  g_autoptr(GError) error = NULL;
  FfParams          params;

  ff_params_init (&params);
  g_assert_true (ff_model_check_edit (kontext, &params, 0, &error));
  g_assert_no_error (error);
  g_assert_true (ff_model_check_edit (flux2, &params, 7, &error));
  g_assert_no_error (error);

  g_assert_false (ff_model_check_edit (kontext, &params, 1, &error));
  g_assert_error (error, FF_PARAMS_ERROR, FF_PARAMS_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==,
                   "reference: FLUX.1 Kontext [pro] edits the picture alone and takes no "
                   "reference image");
  g_clear_error (&error);
  g_assert_false (ff_model_check_edit (flux2, &params, 8, &error));
  g_assert_cmpstr (error->message, ==,
                   "reference: FLUX.2 [pro] takes at most 7 reference images, not 8");
  g_clear_error (&error);

  /* 0 is the edit models' own strictest (the fill's range starts at 1). */
  params.safety_tolerance = 0;
  g_assert_true (ff_model_check_edit (kontext, &params, 0, &error));
  g_assert_no_error (error);
  params.safety_tolerance = 3;
  g_assert_false (ff_model_check_edit (kontext, &params, 0, &error));
  g_assert_error (error, FF_PARAMS_ERROR, FF_PARAMS_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==,
                   "safety-tolerance: FLUX.1 Kontext [pro] takes 0 to 2 with an input image, "
                   "not 3");
  g_clear_error (&error);
  g_assert_true (ff_model_check_edit (flux2, &params, 0, &error));
  params.safety_tolerance = 6;
  g_assert_false (ff_model_check_edit (flux2, &params, 0, &error));
  g_assert_nonnull (strstr (error->message, "0 to 5"));
  g_clear_error (&error);
  /* Replicate's FLUX.2 starts at 1. */
  params.safety_tolerance = 0;
  g_assert_false (ff_model_check_edit (ff_model_by_id (FF_PROVIDER_REPLICATE, FF_MODEL_FLUX2_PRO),
                                       &params, 0, &error));
  g_assert_nonnull (strstr (error->message, "FLUX.2 [pro] takes 1 to 5"));
  g_clear_error (&error);

  /* The rest of the parameters as ever. */
  params.safety_tolerance = 2;
  params.seed = -5;
  g_assert_false (ff_model_check_edit (kontext, &params, 0, &error));
  g_assert_nonnull (strstr (error->message, "seed"));
  ff_params_clear (&params);
}

static void
test_output_size (void)
{
  const FfModel *kontext = ff_model_by_id (FF_PROVIDER_BFL, FF_MODEL_KONTEXT_PRO);
  const FfModel *flux2 = ff_model_by_id (FF_PROVIDER_REPLICATE, FF_MODEL_FLUX2_PRO);
  const FfModel *fill = ff_model_for (FF_PROVIDER_REPLICATE, FF_OUTPAINT_NONE);
  static const struct { const gchar *which; gint w, h, ow, oh; } cases[] = {
    { "kontext", 300, 200, 1248, 832 },       /* 1.04 MP at 3:2 */
    { "kontext", 4000, 4000, 1024, 1024 },
    { "kontext", 64, 64, 1024, 1024 },       /* scaled up 16× */
    { "flux2", 64, 64, 720, 720 },           /* at least 0.5 MP */
    { "flux2", 1500, 1000, 1504, 1008 },     /* kept, sides of 16 */
    { "flux2", 6000, 4000, 2048, 1360 },     /* at most 2048 a side */
    { "flux2", 3000, 3000, 2048, 2048 },     /* at most 4 MP */
    { "fill", 1000, 700, 992, 704 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const FfModel *model = g_str_equal (cases[i].which, "kontext") ? kontext
                             : g_str_equal (cases[i].which, "flux2") ? flux2 : fill;
      gint           w = 0, h = 0;

      ff_model_output_size (model, cases[i].w, cases[i].h, &w, &h);
      g_assert_cmpint (w, ==, cases[i].ow);
      g_assert_cmpint (h, ==, cases[i].oh);
    }
}

static void
test_cost (void)
{
  const FfModel *kontext = ff_model_by_id (FF_PROVIDER_REPLICATE, FF_MODEL_KONTEXT_PRO);
  const FfModel *flux2 = ff_model_by_id (FF_PROVIDER_BFL, FF_MODEL_FLUX2_PRO);

  g_assert_cmpfloat_with_epsilon (ff_model_cost (kontext, 2048, 2048, 8 * FF_MEGAPIXEL), 0.04, 1e-9);
  /* BFL's "editing from $0.045": 1 MP in, 1 MP out. */
  g_assert_cmpfloat_with_epsilon (ff_model_cost (flux2, 1024, 1024, FF_MEGAPIXEL), 0.045, 1e-9);
  /* 2.1 MP out (3 MP), a 1 MP picture and a 0.5 MP reference (2 MP). */
  g_assert_cmpfloat_with_epsilon (ff_model_cost (flux2, 1792, 1232, 3 * FF_MEGAPIXEL / 2),
                                  0.03 + 0.015 * (2 + 2), 1e-9);
  /* A price setting scales the further megapixels with it. */
  g_assert_cmpfloat_with_epsilon (ff_model_cost_at (flux2, 0.06, 1024, 1024, FF_MEGAPIXEL),
                                  0.09, 1e-9);
  g_assert_cmpfloat_with_epsilon (ff_model_cost_at (kontext, 0.05, 4096, 4096, 0), 0.05, 1e-9);
}

/* A reference goes at most a megapixel, its shape kept, never enlarged. */
static void
test_reference_size (void)
{
  gint w, h;

  ff_model_reference_size (2400, 1600, &w, &h);
  g_assert_cmpint ((gint64) w * h, <=, FF_MEGAPIXEL);
  g_assert_cmpint ((gint64) w * h, >, FF_MEGAPIXEL * 99 / 100);
  g_assert_cmpint (w * 2, ==, h * 3);
  ff_model_reference_size (300, 200, &w, &h);
  g_assert_cmpint (w, ==, 300);
  g_assert_cmpint (h, ==, 200);
  ff_model_reference_size (100000, 1, &w, &h);
  g_assert_cmpint (h, ==, 1);
  g_assert_cmpint (w, <=, FF_MEGAPIXEL);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/model/lookup", test_lookup);
  g_test_add_func ("/model/limits", test_limits);
  g_test_add_func ("/model/check-edit", test_check_edit);
  g_test_add_func ("/model/reference-size", test_reference_size);
  g_test_add_func ("/model/output-size", test_output_size);
  g_test_add_func ("/model/cost", test_cost);
  return g_test_run ();
}
