/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>

#include <glib/gi18n-lib.h>

#include "fill-geometry.h"
#include "fill-request.h"
#include "model.h"

/* Published prices, November 2026, the same at both providers:
 * FLUX.1 Fill [pro] $0.05 an image; FLUX.1 Kontext [pro] $0.04 an image;
 * FLUX.2 [pro] $0.03 the first output megapixel, $0.015 each further
 * megapixel of input and output (docs.bfl.ai/quick_start/pricing: editing
 * "from $0.045", a 1 MP picture in and 1 MP out).
 */
#define FILL_PRO_PRICE    0.05
#define KONTEXT_PRO_PRICE 0.04
#define FLUX2_PRO_PRICE   0.03
#define FLUX2_PRO_PER_MP  0.015

/* Kontext takes aspect ratios from 21:9 to 9:21 (BFL's docs); FLUX.2's
 * match_input_image is held to the same here, so one crop suits both.
 */
#define EDIT_MAX_ASPECT   (21.0 / 9.0)
#define EDIT_SIDE_STEP    16
#define FLUX2_MAX_SIDE    2048

static gchar *
replicate_body (const FfParams      *params,
                const FfModelInputs *inputs,
                gsize               *length)
{
  return ff_request_build_body (params, inputs->image_uri, inputs->mask_uri, length);
}

static gchar *
bfl_fill_body (const FfParams      *params,
               const FfModelInputs *inputs,
               gsize               *length)
{
  return ff_request_build_bfl_fill (params, inputs->image_uri, inputs->mask_uri, length);
}

static gchar *
bfl_expand_body (const FfParams      *params,
                 const FfModelInputs *inputs,
                 gsize               *length)
{
  return ff_request_build_bfl_expand (params, inputs->image_uri, inputs->width,
                                      inputs->height, length);
}

static gchar *
kontext_body (const FfParams      *params,
              const FfModelInputs *inputs,
              gsize               *length)
{
  return ff_request_build_kontext (params, inputs->image_uri, length);
}

static gchar *
flux2_body (const FfParams      *params,
            const FfModelInputs *inputs,
            gsize               *length)
{
  return ff_request_build_flux2 (params, inputs->image_uri, inputs->references, length);
}

static gchar *
bfl_kontext_body (const FfParams      *params,
                  const FfModelInputs *inputs,
                  gsize               *length)
{
  return ff_request_build_bfl_kontext (params, inputs->image_uri, length);
}

static gchar *
bfl_flux2_body (const FfParams      *params,
                const FfModelInputs *inputs,
                gsize               *length)
{
  return ff_request_build_bfl_flux2 (params, inputs->image_uri, inputs->references, length);
}

#define FILL_PRO(provider_, route_, mask_, build_)                            \
  { .id = FF_MODEL_FILL_PRO, .label = "FLUX.1 Fill [pro]", .provider = provider_, \
    .route = route_, .takes_mask = mask_, .price = FILL_PRO_PRICE,            \
    .max_images = 1, .min_safety = FF_SAFETY_MIN, .max_safety = FF_SAFETY_MAX, \
    .size_rule = FF_SIZE_FILL, .build_body = build_ }

/* Kontext's safety_tolerance is 0–6, but at most 2 with an input image
 * (Replicate's schema, BFL's docs); FLUX.2's is 1–5 at Replicate, 0–5
 * at BFL.
 */
#define KONTEXT_PRO(provider_, route_, build_)                                \
  { .id = FF_MODEL_KONTEXT_PRO, .label = "FLUX.1 Kontext [pro]", .provider = provider_, \
    .route = route_, .price = KONTEXT_PRO_PRICE, .max_images = 1,             \
    .min_safety = 0, .max_safety = 2, .size_rule = FF_SIZE_ABOUT_1MP,         \
    .max_aspect = EDIT_MAX_ASPECT, .build_body = build_ }
#define FLUX2_PRO(provider_, route_, min_safety_, build_)                      \
  { .id = FF_MODEL_FLUX2_PRO, .label = "FLUX.2 [pro]", .provider = provider_,  \
    .route = route_, .price = FLUX2_PRO_PRICE, .price_per_mp = FLUX2_PRO_PER_MP, \
    .max_images = 1 + FF_REQUEST_MAX_REFERENCES, .min_safety = min_safety_,   \
    .max_safety = 5, .size_rule = FF_SIZE_MATCH_INPUT,                        \
    .max_aspect = EDIT_MAX_ASPECT, .build_body = build_ }

/* Replicate's one fill model does both: its "outpaint" input says which.
 * Black Forest Labs expands by pixel counts: the placement of the result
 * (fill-geometry.c) reads its shape the same way as Replicate's outpaint.
 */
static const FfModel models[] = {
  FILL_PRO (FF_PROVIDER_REPLICATE, "/v1/models/black-forest-labs/flux-fill-pro/predictions",
            TRUE, replicate_body),
  FILL_PRO (FF_PROVIDER_REPLICATE, "/v1/models/black-forest-labs/flux-fill-pro/predictions",
            FALSE, replicate_body),
  FILL_PRO (FF_PROVIDER_BFL, "/v1/flux-pro-1.0-fill", TRUE, bfl_fill_body),
  FILL_PRO (FF_PROVIDER_BFL, "/v1/flux-pro-1.0-expand", FALSE, bfl_expand_body),
  KONTEXT_PRO (FF_PROVIDER_REPLICATE,
               "/v1/models/black-forest-labs/flux-kontext-pro/predictions", kontext_body),
  FLUX2_PRO (FF_PROVIDER_REPLICATE,
             "/v1/models/black-forest-labs/flux-2-pro/predictions", 1, flux2_body),
  KONTEXT_PRO (FF_PROVIDER_BFL, "/v1/flux-kontext-pro", bfl_kontext_body),
  FLUX2_PRO (FF_PROVIDER_BFL, "/v1/flux-2-pro", 0, bfl_flux2_body),
};

const FfModel *
ff_model_for (FfProviderId provider,
              FfOutpaint   outpaint)
{
  gboolean fill = outpaint == FF_OUTPAINT_NONE;

  for (gsize i = 0; i < G_N_ELEMENTS (models); i++)
    if (models[i].provider == provider && models[i].takes_mask == fill &&
        g_str_equal (models[i].id, FF_MODEL_FILL_PRO))
      return &models[i];
  return &models[0];
}

const FfModel *
ff_model_by_id (FfProviderId  provider,
                const gchar  *id)
{
  g_return_val_if_fail (id != NULL, NULL);

  /* The first row of an id is the one a record means (the fill, not the expand). */
  for (gsize i = 0; i < G_N_ELEMENTS (models); i++)
    if (models[i].provider == provider && g_str_equal (models[i].id, id))
      return &models[i];
  return NULL;
}

gboolean
ff_model_check_edit (const FfModel   *model,
                     const FfParams  *params,
                     guint            n_references,
                     GError         **error)
{
  FfParams rest;

  g_return_val_if_fail (model != NULL && params != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* Everything but the safety tolerance, whose range is the model's. */
  rest = *params;
  rest.safety_tolerance = FF_SAFETY_DEFAULT;
  if (! ff_params_validate (&rest, error))
    return FALSE;
  if (params->safety_tolerance < model->min_safety ||
      params->safety_tolerance > model->max_safety)
    {
      g_set_error (error, FF_PARAMS_ERROR, FF_PARAMS_ERROR_INVALID,
                   _("safety-tolerance: %s takes %d to %d with an input image, not %d"),
                   model->label, model->min_safety, model->max_safety,
                   params->safety_tolerance);
      return FALSE;
    }
  return ff_model_check_references (model, n_references, error);
}

gboolean
ff_model_check_references (const FfModel  *model,
                           guint           n_references,
                           GError        **error)
{
  g_return_val_if_fail (model != NULL, FALSE);

  if (n_references > 0 && model->max_images <= 1)
    {
      g_set_error (error, FF_PARAMS_ERROR, FF_PARAMS_ERROR_INVALID,
                   _("reference: %s edits the picture alone and takes no reference image"),
                   model->label);
      return FALSE;
    }
  if (n_references >= model->max_images)
    {
      g_set_error (error, FF_PARAMS_ERROR, FF_PARAMS_ERROR_INVALID,
                   _("reference: %s takes at most %u reference images, not %u"),
                   model->label, model->max_images - 1, n_references);
      return FALSE;
    }
  return TRUE;
}

/* @width × @height scaled to @pixels, sides multiples of EDIT_SIDE_STEP. */
static void
scale_to (gint     width,
          gint     height,
          gdouble  pixels,
          gint     max_side,
          gint    *out_width,
          gint    *out_height)
{
  gdouble scale = sqrt (pixels / ((gdouble) width * height));

  scale = MIN (scale, (gdouble) max_side / MAX (width, height));
  *out_width = MAX (EDIT_SIDE_STEP,
                    (gint) lround (width * scale / EDIT_SIDE_STEP) * EDIT_SIDE_STEP);
  *out_height = MAX (EDIT_SIDE_STEP,
                     (gint) lround (height * scale / EDIT_SIDE_STEP) * EDIT_SIDE_STEP);
}

void
ff_model_output_size (const FfModel *model,
                      gint           width,
                      gint           height,
                      gint          *out_width,
                      gint          *out_height)
{
  gdouble pixels = (gdouble) width * height;

  g_return_if_fail (model != NULL && width > 0 && height > 0);

  switch (model->size_rule)
    {
    case FF_SIZE_ABOUT_1MP:
      scale_to (width, height, FF_MEGAPIXEL, G_MAXINT, out_width, out_height);
      break;
    case FF_SIZE_MATCH_INPUT:
      scale_to (width, height, CLAMP (pixels, 0.5 * FF_MEGAPIXEL, 4.0 * FF_MEGAPIXEL),
                FLUX2_MAX_SIDE, out_width, out_height);
      break;
    case FF_SIZE_FILL:
    default:
      ff_model_size (width, height, out_width, out_height);
      break;
    }
}

void
ff_model_reference_size (gint  width,
                         gint  height,
                         gint *send_width,
                         gint *send_height)
{
  gdouble scale = sqrt ((gdouble) FF_MEGAPIXEL / ((gdouble) width * height));

  g_return_if_fail (width > 0 && height > 0);

  *send_width = width;
  *send_height = height;
  if (scale < 1)
    {
      *send_width = MAX (1, (gint) floor (width * scale));
      *send_height = MAX (1, (gint) floor (height * scale));
    }
}

gdouble
ff_model_cost (const FfModel *model,
               gint           out_width,
               gint           out_height,
               gint64         input_pixels)
{
  g_return_val_if_fail (model != NULL, 0);

  return ff_model_cost_at (model, model->price, out_width, out_height, input_pixels);
}

gdouble
ff_model_cost_at (const FfModel *model,
                  gdouble        price,
                  gint           out_width,
                  gint           out_height,
                  gint64         input_pixels)
{
  gdouble out_mp, in_mp, per_mp;

  g_return_val_if_fail (model != NULL, 0);

  if (model->price_per_mp == 0 || model->price <= 0)
    return price;
  per_mp = model->price_per_mp * price / model->price;
  out_mp = ceil ((gdouble) out_width * out_height / FF_MEGAPIXEL);
  in_mp = ceil ((gdouble) MAX (input_pixels, 0) / FF_MEGAPIXEL);
  return price + per_mp * (MAX (out_mp - 1, 0) + in_mp);
}
