/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>

#include <json-glib/json-glib.h>

#include "fill-request.h"

gchar *
ff_request_build_body (const FfParams *params,
                       const gchar    *image_uri,
                       const gchar    *mask_uri,
                       gsize          *length)
{
  g_autoptr(JsonBuilder)   builder = json_builder_new_immutable ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode)      root = NULL;

  g_return_val_if_fail (params != NULL && image_uri != NULL, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "input");
  json_builder_begin_object (builder);

  json_builder_set_member_name (builder, "prompt");
  json_builder_add_string_value (builder, ff_params_model_prompt (params));
  json_builder_set_member_name (builder, "image");
  json_builder_add_string_value (builder, image_uri);
  if (mask_uri != NULL)
    {
      json_builder_set_member_name (builder, "mask");
      json_builder_add_string_value (builder, mask_uri);
    }
  json_builder_set_member_name (builder, "steps");
  json_builder_add_int_value (builder, params->steps);

  json_builder_set_member_name (builder, "guidance");
  if (params->guidance == floor (params->guidance))
    json_builder_add_int_value (builder, (gint64) params->guidance);
  else
    json_builder_add_double_value (builder, params->guidance);

  json_builder_set_member_name (builder, "outpaint");
  json_builder_add_string_value (builder, ff_outpaint_api_value (params->outpaint));
  json_builder_set_member_name (builder, "output_format");
  json_builder_add_string_value (builder, ff_output_format_nick (params->output_format));
  json_builder_set_member_name (builder, "safety_tolerance");
  json_builder_add_int_value (builder, params->safety_tolerance);
  json_builder_set_member_name (builder, "prompt_upsampling");
  json_builder_add_boolean_value (builder, params->prompt_upsampling);
  if (params->seed != FF_SEED_RANDOM)
    {
      json_builder_set_member_name (builder, "seed");
      json_builder_add_int_value (builder, params->seed);
    }

  json_builder_end_object (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, length);
}
