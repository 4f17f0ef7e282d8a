/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The JSON bodies of FLUX.1 Fill [pro]'s requests: Replicate's create
 * ({"input": …}) and Black Forest Labs' fill and expand.
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

G_END_DECLS
