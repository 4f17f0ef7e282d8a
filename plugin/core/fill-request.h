/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The JSON bodies of the models' requests: Replicate's create
 * ({"input": …}) and Black Forest Labs' endpoints, for FLUX.1 Fill [pro]
 * (fill and expand) and the edit models (FLUX.1 Kontext [pro], FLUX.2 [pro]).
 */
#pragma once

#include <glib.h>

#include "fill-params.h"

G_BEGIN_DECLS

/* Returns the body `{"input": {...}}` (transfer full).  @image_uri and
 * @mask_uri are data URIs or URLs; @mask_uri may be NULL (outpainting,
 * where the model ignores the mask).  A random seed is left out rather
 * than sent as -1, and an integral guidance goes as an integer because
 * typed gateways refuse 60.0 where their schema says integer.
 */
gchar * ff_request_build_body (const FfParams *params,
                               const gchar    *image_uri,
                               const gchar    *mask_uri,
                               gsize          *length);

/* Black Forest Labs' /v1/flux-pro-1.0-fill body: the image and mask as
 * bare base64 (taken from their data URIs), the parameters as its
 * schema names them ("jpeg" for jpg).  (transfer full)
 */
gchar * ff_request_build_bfl_fill   (const FfParams *params,
                                     const gchar    *image_uri,
                                     const gchar    *mask_uri,
                                     gsize          *length);
/* Black Forest Labs' /v1/flux-pro-1.0-expand body: pixels to add on each
 * side of the @width × @height image sent, from @params->outpaint, as
 * the placement of the result (fill-geometry.h) expects.  (transfer full)
 */
gchar * ff_request_build_bfl_expand (const FfParams *params,
                                     const gchar    *image_uri,
                                     gint            width,
                                     gint            height,
                                     gsize          *length);
/* The sides an expansion adds, in pixels, each within 0 … 2048. */
void    ff_request_expand_sides     (FfOutpaint      outpaint,
                                     gint            width,
                                     gint            height,
                                     gint           *top,
                                     gint           *bottom,
                                     gint           *left,
                                     gint           *right);

/* The edit models' bodies.  They take no steps or guidance (their
 * schemas have none); the size follows the picture's (Replicate:
 * aspect_ratio, and for FLUX.2 resolution, "match_input_image"; Black
 * Forest Labs does so when no size is given).  A random seed is left out.
 * @references: nullable, NULL-terminated data URIs sent after the
 * picture, at most FF_REQUEST_MAX_REFERENCES.  (transfer full)
 */
#define FF_REQUEST_MAX_REFERENCES 7

/* Replicate's black-forest-labs/flux-kontext-pro: {"input": {prompt,
 * input_image, aspect_ratio, …}}.
 */
gchar * ff_request_build_kontext     (const FfParams      *params,
                                      const gchar         *image_uri,
                                      gsize               *length);
/* Replicate's black-forest-labs/flux-2-pro: {"input": {prompt,
 * input_images: [picture, references…], aspect_ratio, resolution, …}}.
 */
gchar * ff_request_build_flux2       (const FfParams      *params,
                                      const gchar         *image_uri,
                                      const gchar * const *references,
                                      gsize               *length);
/* Black Forest Labs' /v1/flux-kontext-pro: {prompt, input_image (bare
 * base64), …}.
 */
gchar * ff_request_build_bfl_kontext (const FfParams      *params,
                                      const gchar         *image_uri,
                                      gsize               *length);
/* Black Forest Labs' /v1/flux-2-pro: {prompt, input_image,
 * input_image_2 … input_image_8, …}, bare base64.
 */
gchar * ff_request_build_bfl_flux2   (const FfParams      *params,
                                      const gchar         *image_uri,
                                      const gchar * const *references,
                                      gsize               *length);

G_END_DECLS
