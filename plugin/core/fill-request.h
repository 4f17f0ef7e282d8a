/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The JSON body of a create-prediction request for flux-fill-pro. */
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

G_END_DECLS
