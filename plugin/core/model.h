/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The models a run can ask for, one descriptor each per provider: where
 * its requests go, how their body is built, what it takes and what an
 * image costs.  Fill and Expand are FLUX.1 Fill [pro] at every provider,
 * so records made at one compare with the other's.
 */
#pragma once

#include <glib.h>

#include "fill-params.h"
#include "service-table.h"

G_BEGIN_DECLS

/* The neutral id records keep, whatever the provider. */
#define FF_MODEL_FILL_PRO "flux-fill-pro"

typedef struct
{
  const gchar *image_uri;    /* a data URI, or the URL of an uploaded file */
  const gchar *mask_uri;     /* nullable: a data URI; NULL when expanding */
  gint         width;        /* of the image sent */
  gint         height;
} FfModelInputs;

typedef struct
{
  const gchar   *id;           /* FF_MODEL_FILL_PRO… */
  FfProviderId   provider;
  const gchar   *route;        /* under the base URL */
  gboolean       takes_mask;   /* FALSE: expands, the mask is its own */
  gdouble        price;        /* US dollars an image, as published */
  /* The request's JSON.  (transfer full) */
  gchar *     (* build_body)   (const FfParams      *params,
                                const FfModelInputs *inputs,
                                gsize               *length);
} FfModel;

/* The model for @outpaint (none: fill) at @provider. */
const FfModel * ff_model_for (FfProviderId  provider,
                              FfOutpaint    outpaint);

G_END_DECLS
