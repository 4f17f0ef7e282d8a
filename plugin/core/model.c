/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "fill-request.h"
#include "model.h"

/* FLUX.1 Fill [pro]'s published price, November 2026: $0.05 an image at
 * both providers.
 */
#define FILL_PRO_PRICE 0.05

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

/* Replicate's one model does both: its "outpaint" input says which. */
static const FfModel models[] = {
  { FF_MODEL_FILL_PRO, FF_PROVIDER_REPLICATE,
    "/v1/models/black-forest-labs/flux-fill-pro/predictions", TRUE, FILL_PRO_PRICE,
    replicate_body },
  { FF_MODEL_FILL_PRO, FF_PROVIDER_REPLICATE,
    "/v1/models/black-forest-labs/flux-fill-pro/predictions", FALSE, FILL_PRO_PRICE,
    replicate_body },
  { FF_MODEL_FILL_PRO, FF_PROVIDER_BFL, "/v1/flux-pro-1.0-fill", TRUE, FILL_PRO_PRICE,
    bfl_fill_body },
  /* By pixel counts: the placement of the result (fill-geometry.c) reads
   * its shape the same way as Replicate's outpaint.
   */
  { FF_MODEL_FILL_PRO, FF_PROVIDER_BFL, "/v1/flux-pro-1.0-expand", FALSE, FILL_PRO_PRICE,
    bfl_expand_body },
};

const FfModel *
ff_model_for (FfProviderId provider,
              FfOutpaint   outpaint)
{
  gboolean fill = outpaint == FF_OUTPAINT_NONE;

  for (gsize i = 0; i < G_N_ELEMENTS (models); i++)
    if (models[i].provider == provider && models[i].takes_mask == fill)
      return &models[i];
  return &models[0];
}
