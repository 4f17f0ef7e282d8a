/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "fill-request.h"

#define BFL_EXPAND_MAX_SIDE 2048

/* What every body carries, as its schema names it: @jpeg is Black Forest
 * Labs' name for jpg; @sampling: steps and guidance, which only the fill
 * model takes.
 */
static void
add_parameters (JsonBuilder    *builder,
                const FfParams *params,
                const gchar    *jpeg,
                gboolean        sampling)
{
  json_builder_set_member_name (builder, "prompt");
  json_builder_add_string_value (builder, ff_params_model_prompt (params));
  if (sampling)
    {
      json_builder_set_member_name (builder, "steps");
      json_builder_add_int_value (builder, params->steps);
      /* Typed gateways refuse 60.0 where their schema says integer. */
      json_builder_set_member_name (builder, "guidance");
      if (params->guidance == floor (params->guidance))
        json_builder_add_int_value (builder, (gint64) params->guidance);
      else
        json_builder_add_double_value (builder, params->guidance);
    }
  json_builder_set_member_name (builder, "output_format");
  json_builder_add_string_value (builder, params->output_format == FF_FORMAT_JPG
                                          ? jpeg : ff_output_format_nick (params->output_format));
  json_builder_set_member_name (builder, "safety_tolerance");
  json_builder_add_int_value (builder, params->safety_tolerance);
  json_builder_set_member_name (builder, "prompt_upsampling");
  json_builder_add_boolean_value (builder, params->prompt_upsampling);
  /* A random seed is left out rather than sent as -1. */
  if (params->seed != FF_SEED_RANDOM)
    {
      json_builder_set_member_name (builder, "seed");
      json_builder_add_int_value (builder, params->seed);
    }
}

static gchar *
finish (JsonBuilder *builder,
        gsize       *length)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode)      root = json_builder_get_root (builder);

  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, length);
}

gchar *
ff_request_build_body (const FfParams *params,
                       const gchar    *image_uri,
                       const gchar    *mask_uri,
                       gsize          *length)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();

  g_return_val_if_fail (params != NULL && image_uri != NULL, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "input");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "image");
  json_builder_add_string_value (builder, image_uri);
  if (mask_uri != NULL)
    {
      json_builder_set_member_name (builder, "mask");
      json_builder_add_string_value (builder, mask_uri);
    }
  json_builder_set_member_name (builder, "outpaint");
  json_builder_add_string_value (builder, ff_outpaint_api_value (params->outpaint));
  add_parameters (builder, params, "jpg", TRUE);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  return finish (builder, length);
}

/* Black Forest Labs documents bare base64, not data URIs. */
static const gchar *
bare_base64 (const gchar *uri)
{
  const gchar *comma = g_str_has_prefix (uri, "data:") ? strstr (uri, ";base64,") : NULL;

  return comma != NULL ? comma + strlen (";base64,") : uri;
}

gchar *
ff_request_build_bfl_fill (const FfParams *params,
                           const gchar    *image_uri,
                           const gchar    *mask_uri,
                           gsize          *length)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();

  g_return_val_if_fail (params != NULL && image_uri != NULL && mask_uri != NULL, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "image");
  json_builder_add_string_value (builder, bare_base64 (image_uri));
  json_builder_set_member_name (builder, "mask");
  json_builder_add_string_value (builder, bare_base64 (mask_uri));
  add_parameters (builder, params, "jpeg", TRUE);
  json_builder_end_object (builder);
  return finish (builder, length);
}

static gint
side (gdouble pixels)
{
  return (gint) CLAMP (lround (pixels), 0, BFL_EXPAND_MAX_SIDE);
}

void
ff_request_expand_sides (FfOutpaint  outpaint,
                         gint        width,
                         gint        height,
                         gint       *top,
                         gint       *bottom,
                         gint       *left,
                         gint       *right)
{
  gdouble grow_w = 0, grow_h = 0;

  *top = *bottom = *left = *right = 0;
  switch (outpaint)
    {
    case FF_OUTPAINT_ZOOM_OUT_1_5X:
    case FF_OUTPAINT_ZOOM_OUT_2X:
      grow_w = width * (outpaint == FF_OUTPAINT_ZOOM_OUT_2X ? 1.0 : 0.5);
      grow_h = height * (outpaint == FF_OUTPAINT_ZOOM_OUT_2X ? 1.0 : 0.5);
      break;
    case FF_OUTPAINT_MAKE_SQUARE:
      grow_w = MAX (0, height - width);
      grow_h = MAX (0, width - height);
      break;
    case FF_OUTPAINT_LEFT:
      *left = side (width * 0.5);
      return;
    case FF_OUTPAINT_RIGHT:
      *right = side (width * 0.5);
      return;
    case FF_OUTPAINT_TOP:
      *top = side (height * 0.5);
      return;
    case FF_OUTPAINT_BOTTOM:
      *bottom = side (height * 0.5);
      return;
    default:
      return;
    }
  /* Centred, as the placement of the result takes it. */
  *left = side (floor (grow_w / 2));
  *right = side (grow_w - floor (grow_w / 2));
  *top = side (floor (grow_h / 2));
  *bottom = side (grow_h - floor (grow_h / 2));
}

gchar *
ff_request_build_bfl_expand (const FfParams *params,
                             const gchar    *image_uri,
                             gint            width,
                             gint            height,
                             gsize          *length)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  gint                   sides[4];
  static const gchar    *names[4] = { "top", "bottom", "left", "right" };

  g_return_val_if_fail (params != NULL && image_uri != NULL, NULL);

  ff_request_expand_sides (params->outpaint, width, height,
                           &sides[0], &sides[1], &sides[2], &sides[3]);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "image");
  json_builder_add_string_value (builder, bare_base64 (image_uri));
  for (gint i = 0; i < 4; i++)
    {
      json_builder_set_member_name (builder, names[i]);
      json_builder_add_int_value (builder, sides[i]);
    }
  add_parameters (builder, params, "jpeg", TRUE);
  json_builder_end_object (builder);
  return finish (builder, length);
}

static gboolean
references_fit (const gchar * const *references)
{
  return references == NULL || g_strv_length ((gchar **) references) <= FF_REQUEST_MAX_REFERENCES;
}

/* Replicate's edit models: one input_image (Kontext), or input_images
 * with the references after the picture (FLUX.2), at the picture's size.
 */
static gchar *
build_replicate_edit (const FfParams      *params,
                      const gchar         *image_uri,
                      gboolean             several,
                      const gchar * const *references,
                      gsize               *length)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();

  g_return_val_if_fail (params != NULL && image_uri != NULL, NULL);
  g_return_val_if_fail (references_fit (references), NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "input");
  json_builder_begin_object (builder);
  if (several)
    {
      json_builder_set_member_name (builder, "input_images");
      json_builder_begin_array (builder);
      json_builder_add_string_value (builder, image_uri);
      for (gsize i = 0; references != NULL && references[i] != NULL; i++)
        json_builder_add_string_value (builder, references[i]);
      json_builder_end_array (builder);
    }
  else
    {
      json_builder_set_member_name (builder, "input_image");
      json_builder_add_string_value (builder, image_uri);
    }
  json_builder_set_member_name (builder, "aspect_ratio");
  json_builder_add_string_value (builder, "match_input_image");
  if (several)
    {
      json_builder_set_member_name (builder, "resolution");
      json_builder_add_string_value (builder, "match_input_image");
    }
  add_parameters (builder, params, "jpg", FALSE);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  return finish (builder, length);
}

gchar *
ff_request_build_kontext (const FfParams *params,
                          const gchar    *image_uri,
                          gsize          *length)
{
  return build_replicate_edit (params, image_uri, FALSE, NULL, length);
}

gchar *
ff_request_build_flux2 (const FfParams      *params,
                        const gchar         *image_uri,
                        const gchar * const *references,
                        gsize               *length)
{
  return build_replicate_edit (params, image_uri, TRUE, references, length);
}

/* Black Forest Labs' edit models: input_image, then input_image_2… for
 * the references; no size, so the result follows the picture's.
 */
static gchar *
build_bfl_edit (const FfParams      *params,
                const gchar         *image_uri,
                const gchar * const *references,
                gsize               *length)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();

  g_return_val_if_fail (params != NULL && image_uri != NULL, NULL);
  g_return_val_if_fail (references_fit (references), NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "input_image");
  json_builder_add_string_value (builder, bare_base64 (image_uri));
  for (gsize i = 0; references != NULL && references[i] != NULL; i++)
    {
      g_autofree gchar *name = g_strdup_printf ("input_image_%" G_GSIZE_FORMAT, i + 2);

      json_builder_set_member_name (builder, name);
      json_builder_add_string_value (builder, bare_base64 (references[i]));
    }
  add_parameters (builder, params, "jpeg", FALSE);
  json_builder_end_object (builder);
  return finish (builder, length);
}

gchar *
ff_request_build_bfl_kontext (const FfParams *params,
                              const gchar    *image_uri,
                              gsize          *length)
{
  return build_bfl_edit (params, image_uri, NULL, length);
}

gchar *
ff_request_build_bfl_flux2 (const FfParams      *params,
                            const gchar         *image_uri,
                            const gchar * const *references,
                            gsize               *length)
{
  return build_bfl_edit (params, image_uri, references, length);
}
