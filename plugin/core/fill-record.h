/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What a generated layer remembers of the fill that made it, so that it
 * can be made again or varied: kept in the XCF as a persistent parasite
 * (JSON), never with the token.  Read back from files others may have
 * made, so every field is checked.
 */
#pragma once

#include <glib.h>

#include "fill-geometry.h"
#include "fill-params.h"

G_BEGIN_DECLS

#define FF_RECORD_PARASITE "flux-fill-record"
/* A record's JSON is small; a larger parasite is not ours. */
#define FF_RECORD_MAX_BYTES (64 * 1024)

typedef struct
{
  FfParams  params;          /* params.seed: this layer's seed */
  gint      feather;
  gint      context;
  gint      variations;
  gboolean  sample_merged;
  gchar    *model;           /* "flux-fill-pro" (older records: Replicate's path) */
  gchar    *provider;        /* "replicate", "bfl"; older records: none (Replicate) */
  gchar    *service_url;     /* the base URL it was made at (no user info); never the token */
  gint      cost;            /* what the service said it cost, in US cents; -1 */
  guint     source_tattoo;   /* the layer the fill was made on */
  gchar    *source_name;
  FfRect    rect;            /* the crop, image coordinates */
  FfRect    selection;       /* the bounds of what was selected (empty: @rect) */
  /* Edits (FLUX Edit; @model FF_MODEL_KONTEXT_PRO or FF_MODEL_FLUX2_PRO): */
  gboolean  edit;            /* JSON "kind": "edit"; FALSE: a fill or expansion */
  gboolean  whole;           /* the whole canvas was edited (nothing selected): no mask */
  gchar    *reference_name;  /* nullable: the reference layer's name */
} FfRecord;

void      ff_record_init   (FfRecord       *record);
void      ff_record_clear  (FfRecord       *record);
/* (transfer full) */
gchar *   ff_record_to_json   (const FfRecord *record,
                               gsize          *length);
/* Fails with FF_PARAMS_ERROR_INVALID naming what is wrong. */
gboolean  ff_record_from_json (FfRecord       *record,
                               const gchar    *data,
                               gsize           length,
                               GError        **error);

G_END_DECLS
