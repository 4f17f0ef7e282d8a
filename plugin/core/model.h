/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The models a run can ask for, one descriptor each per provider: where
 * its requests go, how their body is built, what it takes and what an
 * image costs.  Fill and Expand are FLUX.1 Fill [pro] at every provider,
 * so records made at one compare with the other's; the edit models
 * (FLUX.1 Kontext [pro], FLUX.2 [pro]) change a picture by instruction.
 */
#pragma once

#include <glib.h>

#include "fill-params.h"
#include "service-table.h"

G_BEGIN_DECLS

/* The neutral ids records keep, whatever the provider. */
#define FF_MODEL_FILL_PRO    "flux-fill-pro"
#define FF_MODEL_KONTEXT_PRO "flux-kontext-pro"
#define FF_MODEL_FLUX2_PRO   "flux-2-pro"

/* A megapixel as the edit models count it: 1024 × 1024 pixels. */
#define FF_MEGAPIXEL (1024 * 1024)

typedef enum
{
  FF_SIZE_FILL,         /* fill-geometry.h's ff_model_size (): sides of 32, ≤ 1440 */
  FF_SIZE_ABOUT_1MP,    /* about 1 MP at the input's aspect ratio, sides of 16 */
  FF_SIZE_MATCH_INPUT,  /* the input's, clamped to 0.5–4 MP and 2048 a side, sides of 16 */
} FfSizeRule;

typedef struct
{
  const gchar *image_uri;    /* a data URI, or the URL of an uploaded file */
  const gchar *mask_uri;     /* nullable: a data URI; NULL when expanding or editing */
  gint         width;        /* of the image sent */
  gint         height;
  /* Nullable, NULL-terminated data URIs: the further input images after
   * the picture (FLUX.2 only; ff_model_check_edit () refuses them elsewhere).
   */
  const gchar * const *references;
} FfModelInputs;

typedef struct
{
  const gchar   *id;           /* FF_MODEL_FILL_PRO… */
  const gchar   *label;        /* the product's name, not translated: "FLUX.2 [pro]" */
  FfProviderId   provider;
  const gchar   *route;        /* under the base URL */
  gboolean       takes_mask;   /* FALSE: expands or edits, no mask sent */
  gdouble        price;        /* US dollars an image (the first output MP), as published */
  gdouble        price_per_mp; /* US dollars each further MP in and out; 0: flat */
  guint          max_images;   /* the picture and its references */
  gint           min_safety;   /* the safety_tolerance it takes with an input image */
  gint           max_safety;
  FfSizeRule     size_rule;    /* what size it answers for an input */
  gdouble        max_aspect;   /* the longest side over the shortest it takes; 0: any */
  /* The request's JSON.  (transfer full) */
  gchar *     (* build_body)   (const FfParams      *params,
                                const FfModelInputs *inputs,
                                gsize               *length);
} FfModel;

/* The fill model for @outpaint (none: fill) at @provider. */
const FfModel * ff_model_for         (FfProviderId     provider,
                                      FfOutpaint       outpaint);
/* The model @id (FF_MODEL_KONTEXT_PRO…) at @provider, or NULL when that
 * provider does not run it.  FF_MODEL_FILL_PRO gives the fill (with a mask).
 */
const FfModel * ff_model_by_id       (FfProviderId     provider,
                                      const gchar     *id);

/* Whether an edit with @params and @n_references further images may go
 * to @model: @params valid (ff_params_validate (), but for the safety
 * tolerance, whose range is the model's with an input image: 0–2 for
 * Kontext), and no more images than the model takes.  Fails with
 * FF_PARAMS_ERROR_INVALID, the message naming the argument, the model
 * and its range.  Nothing is sent before this passes.
 */
gboolean        ff_model_check_edit  (const FfModel   *model,
                                      const FfParams  *params,
                                      guint            n_references,
                                      GError         **error);

/* The part of ff_model_check_edit () about the images: whether @model
 * takes @n_references further pictures.
 */
gboolean        ff_model_check_references (const FfModel *model,
                                           guint          n_references,
                                           GError       **error);

/* The size @model answers for an input of @width × @height. */
void            ff_model_output_size (const FfModel   *model,
                                      gint             width,
                                      gint             height,
                                      gint            *out_width,
                                      gint            *out_height);

/* The size a @width × @height reference goes at: scaled down (never
 * up) to at most FF_MEGAPIXEL, FLUX.2 billing every input megapixel.
 */
void            ff_model_reference_size (gint          width,
                                         gint          height,
                                         gint         *send_width,
                                         gint         *send_height);

/* What one image of @out_width × @out_height costs at @model, in US
 * dollars, with @input_pixels pixels sent (all input images together;
 * billed by FLUX.2 only): the first output MP at the price, each further
 * MP in and out, rounded up, at price_per_mp.
 */
gdouble         ff_model_cost        (const FfModel   *model,
                                      gint             out_width,
                                      gint             out_height,
                                      gint64           input_pixels);
/* The same with @price (a setting) for the model's published one; the
 * further megapixels cost in the same proportion.
 */
gdouble         ff_model_cost_at     (const FfModel   *model,
                                      gdouble          price,
                                      gint             out_width,
                                      gint             out_height,
                                      gint64           input_pixels);

G_END_DECLS
