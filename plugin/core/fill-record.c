/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "fill-job.h"
#include "fill-record.h"
#include "model.h"

/* 2: "selection", the bounds of what was selected (1 had the crop only).
 * 3: "kind" ("fill" | "edit"), and an edit's "whole" and "reference-name".
 */
#define RECORD_VERSION 3

void
ff_record_init (FfRecord *record)
{
  *record = (FfRecord) { 0 };
  ff_params_init (&record->params);
  record->variations = 1;
  record->context = -1;
  record->sample_merged = TRUE;
  record->cost = -1;
}

void
ff_record_clear (FfRecord *record)
{
  ff_params_clear (&record->params);
  g_clear_pointer (&record->model, g_free);
  g_clear_pointer (&record->provider, g_free);
  g_clear_pointer (&record->service_url, g_free);
  g_clear_pointer (&record->source_name, g_free);
  g_clear_pointer (&record->reference_name, g_free);
}

static void
add_rect (JsonBuilder  *builder,
          const gchar  *name,
          const FfRect *rect)
{
  json_builder_set_member_name (builder, name);
  json_builder_begin_array (builder);
  json_builder_add_int_value (builder, rect->x);
  json_builder_add_int_value (builder, rect->y);
  json_builder_add_int_value (builder, rect->width);
  json_builder_add_int_value (builder, rect->height);
  json_builder_end_array (builder);
}

gchar *
ff_record_to_json (const FfRecord *record,
                   gsize          *length)
{
  g_autoptr(JsonBuilder)   builder = json_builder_new_immutable ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode)      root = NULL;
  const FfParams          *p = &record->params;

  json_builder_begin_object (builder);
#define SET(name, kind, value) \
  (json_builder_set_member_name (builder, name), json_builder_add_##kind##_value (builder, value))
  SET ("version", int, RECORD_VERSION);
  SET ("kind", string, record->edit ? "edit" : "fill");
  SET ("prompt", string, p->prompt);
  SET ("steps", int, p->steps);
  SET ("guidance", double, p->guidance);
  SET ("outpaint", string, ff_outpaint_nick (p->outpaint));
  SET ("output-format", string, ff_output_format_nick (p->output_format));
  SET ("safety-tolerance", int, p->safety_tolerance);
  SET ("prompt-upsampling", boolean, p->prompt_upsampling);
  SET ("seed", int, p->seed);
  SET ("feather", int, record->feather);
  SET ("context", int, record->context);
  SET ("variations", int, record->variations);
  SET ("sample-merged", boolean, record->sample_merged);
  SET ("model", string, record->model ? record->model : FF_MODEL_FILL_PRO);
  SET ("provider", string, record->provider ? record->provider : "replicate");
  if (record->cost >= 0)
    SET ("cost", int, record->cost);
  SET ("service", string, record->service_url ? record->service_url : "");
  SET ("source-tattoo", int, record->source_tattoo);
  SET ("source-name", string, record->source_name ? record->source_name : "");
  add_rect (builder, "rect", &record->rect);
  add_rect (builder, "selection", ff_rect_is_empty (&record->selection) ? &record->rect
                                                                          : &record->selection);
  if (record->edit)
    {
      SET ("whole", boolean, record->whole);
      SET ("reference-name", string, record->reference_name ? record->reference_name : "");
    }
#undef SET
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, length);
}

static gboolean
invalid (GError     **error,
         const gchar *what)
{
  g_set_error (error, FF_PARAMS_ERROR, FF_PARAMS_ERROR_INVALID,
               /* TRANSLATORS: %s is what is wrong: a translated phrase, or
                * the name of a field of the record, which stays as it is. */
               _("the fill's record is damaged: %s"), what);
  return FALSE;
}

/* A member of @type, or NULL. */
static JsonNode *
member (JsonObject *object,
        const gchar *name,
        GType        type)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || ! JSON_NODE_HOLDS_VALUE (node))
    return NULL;
  if (type == G_TYPE_DOUBLE)
    return (json_node_get_value_type (node) == G_TYPE_DOUBLE ||
            json_node_get_value_type (node) == G_TYPE_INT64) ? node : NULL;
  return json_node_get_value_type (node) == type ? node : NULL;
}

static gboolean
get_int (JsonObject  *object,
         const gchar *name,
         gint64       min,
         gint64       max,
         gint        *value)
{
  JsonNode *node = member (object, name, G_TYPE_INT64);
  gint64    v;

  if (node == NULL)
    return FALSE;
  v = json_node_get_int (node);
  if (v < min || v > max)
    return FALSE;
  *value = (gint) v;
  return TRUE;
}

/* [x, y, width, height], not empty, within GIMP's largest image. */
static gboolean
get_rect (JsonObject  *object,
          const gchar *name,
          FfRect      *rect)
{
  JsonNode  *node = json_object_get_member (object, name);
  JsonArray *sides;
  gint       r[4];

  if (node == NULL || ! JSON_NODE_HOLDS_ARRAY (node) ||
      json_array_get_length (sides = json_node_get_array (node)) != 4)
    return FALSE;
  for (guint i = 0; i < 4; i++)
    {
      JsonNode *side = json_array_get_element (sides, i);

      if (! JSON_NODE_HOLDS_VALUE (side) || json_node_get_value_type (side) != G_TYPE_INT64 ||
          json_node_get_int (side) < -FF_MAX_IMAGE_SIDE || json_node_get_int (side) > FF_MAX_IMAGE_SIDE)
        return FALSE;
      r[i] = (gint) json_node_get_int (side);
    }
  *rect = (FfRect) { r[0], r[1], r[2], r[3] };
  return ! ff_rect_is_empty (rect);
}

static gint
choice (const gchar *nick,
        const gchar *(*name) (gint),
        gint         count)
{
  for (gint i = 0; nick != NULL && i < count; i++)
    if (g_strcmp0 (name (i), nick) == 0)
      return i;
  return -1;
}

static const gchar *
outpaint_nick (gint i)
{
  return ff_outpaint_nick (i);
}

static const gchar *
format_nick (gint i)
{
  return ff_output_format_nick (i);
}

/* An edit's own members, and its checks: those of its model. */
static gboolean
edit_from_json (FfRecord    *record,
                JsonObject  *object,
                GError     **error)
{
  JsonNode      *node;
  const gchar   *name;
  /* The made-at provider's rules: FLUX.2 takes safety 0 at BFL only. */
  const FfProviderInfo *provider = ff_provider_by_nick (record->provider);
  const FfModel *model = provider != NULL ? ff_model_by_id (provider->id, record->model) : NULL;

  record->edit = TRUE;
  if (model == NULL || model->size_rule == FF_SIZE_FILL)
    return invalid (error, "model");
  if ((node = member (object, "whole", G_TYPE_BOOLEAN)) == NULL)
    return invalid (error, "whole");
  record->whole = json_node_get_boolean (node);
  if ((node = member (object, "reference-name", G_TYPE_STRING)) == NULL)
    return invalid (error, "reference-name");
  name = json_node_get_string (node);
  record->reference_name = *name != '\0' ? g_strdup (name) : NULL;
  return ff_model_check_edit (model, &record->params, record->reference_name != NULL ? 1 : 0,
                              error);
}

gboolean
ff_record_from_json (FfRecord     *record,
                     const gchar  *data,
                     gsize         length,
                     GError      **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject           *object;
  JsonNode             *node;
  gint                  version, tattoo = 0;

  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  ff_record_init (record);
  if (data == NULL || length == 0 || length > FF_RECORD_MAX_BYTES ||
      ! json_parser_load_from_data (parser, data, (gssize) length, NULL) ||
      json_parser_get_root (parser) == NULL ||
      ! JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return invalid (error, _("not JSON"));
  object = json_node_get_object (json_parser_get_root (parser));
  if (! get_int (object, "version", 1, RECORD_VERSION, &version))
    return invalid (error, "version");

  if ((node = member (object, "prompt", G_TYPE_STRING)) == NULL)
    return invalid (error, "prompt");
  g_free (record->params.prompt);
  record->params.prompt = g_strdup (json_node_get_string (node));
  if (! get_int (object, "steps", G_MININT, G_MAXINT, &record->params.steps) ||
      ! get_int (object, "safety-tolerance", G_MININT, G_MAXINT,
                 &record->params.safety_tolerance) ||
      ! get_int (object, "seed", G_MININT, G_MAXINT, &record->params.seed) ||
      ! get_int (object, "feather", 0, 64, &record->feather) ||
      ! get_int (object, "context", -1, 4096, &record->context) ||
      ! get_int (object, "variations", 1, FF_VARIATIONS_MAX, &record->variations) ||
      ! get_int (object, "source-tattoo", 0, G_MAXINT, &tattoo))
    return invalid (error, _("a number out of range"));
  record->source_tattoo = (guint) tattoo;
  if ((node = member (object, "guidance", G_TYPE_DOUBLE)) == NULL)
    return invalid (error, "guidance");
  record->params.guidance = json_node_get_double (node);
  record->params.outpaint = choice (json_object_get_string_member_with_default (object, "outpaint", NULL),
                                    outpaint_nick, FF_OUTPAINT_COUNT);
  record->params.output_format = choice (json_object_get_string_member_with_default (object, "output-format", NULL),
                                         format_nick, FF_FORMAT_COUNT);
  if ((gint) record->params.outpaint < 0 || (gint) record->params.output_format < 0)
    return invalid (error, "outpaint or output-format");
  if ((node = member (object, "prompt-upsampling", G_TYPE_BOOLEAN)) == NULL)
    return invalid (error, "prompt-upsampling");
  record->params.prompt_upsampling = json_node_get_boolean (node);
  if ((node = member (object, "sample-merged", G_TYPE_BOOLEAN)) != NULL)
    record->sample_merged = json_node_get_boolean (node);
  record->model = g_strdup (json_object_get_string_member_with_default (object, "model", ""));
  record->service_url = g_strdup (json_object_get_string_member_with_default (object, "service", ""));
  record->provider = g_strdup (json_object_get_string_member_with_default (object, "provider",
                                                                           "replicate"));
  if (json_object_has_member (object, "cost") &&
      ! get_int (object, "cost", 0, G_MAXINT, &record->cost))
    return invalid (error, "cost");
  record->source_name = g_strdup (json_object_get_string_member_with_default (object, "source-name", ""));

  if (! get_rect (object, "rect", &record->rect))
    return invalid (error, "rect");
  /* Version 1 kept the crop only: it stands for what was selected. */
  if (version < 2)
    record->selection = record->rect;
  else if (! get_rect (object, "selection", &record->selection))
    return invalid (error, "selection");
  if (g_strcmp0 (json_object_get_string_member_with_default (object, "kind", "fill"), "edit") == 0)
    return edit_from_json (record, object, error);
  /* The same checks as a batch caller's arguments. */
  return ff_params_validate (&record->params, error);
}
