/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <json-glib/json-glib.h>

#include "fill-request.h"

static JsonObject *
parse_input (const gchar *body,
             JsonParser  *parser)
{
  g_autoptr(GError) error = NULL;
  JsonObject       *root;

  json_parser_load_from_data (parser, body, -1, &error);
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpuint (json_object_get_size (root), ==, 1);
  return json_object_get_object_member (root, "input");
}

static void
test_defaults_exact (void)
{
  g_autofree gchar *body = NULL;
  FfParams          params;
  gsize             length = 0;

  ff_params_init (&params);
  g_free (params.prompt);
  params.prompt = g_strdup ("a \"red\" barn");
  body = ff_request_build_body (&params, "data:image/png;base64,AAA",
                                "data:image/png;base64,BBB", &length);
  g_assert_cmpstr (body, ==,
                   "{\"input\":{\"prompt\":\"a \\\"red\\\" barn\","
                   "\"image\":\"data:image/png;base64,AAA\","
                   "\"mask\":\"data:image/png;base64,BBB\","
                   "\"steps\":50,\"guidance\":60,\"outpaint\":\"None\","
                   "\"output_format\":\"jpg\",\"safety_tolerance\":2,"
                   "\"prompt_upsampling\":false}}");
  g_assert_cmpuint (length, ==, strlen (body));
  ff_params_clear (&params);
}

/* A blank prompt is a removal: the model gets the neutral prompt. */
static void
test_removal_prompt (void)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree gchar     *body = NULL;
  FfParams              params;

  ff_params_init (&params);
  g_free (params.prompt);
  params.prompt = g_strdup (" \n\t");
  g_assert_true (ff_params_is_removal (&params));
  body = ff_request_build_body (&params, "data:image/png;base64,AAA", NULL, NULL);
  g_assert_cmpstr (json_object_get_string_member (parse_input (body, parser), "prompt"), ==,
                   FF_REMOVE_PROMPT);
  g_free (params.prompt);
  params.prompt = g_strdup ("sky");
  g_assert_false (ff_params_is_removal (&params));
  g_assert_cmpstr (ff_params_model_prompt (&params), ==, "sky");
  ff_params_clear (&params);
}

static void
test_every_parameter (void)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree gchar     *body = NULL;
  JsonObject           *input;
  FfParams              params;

  ff_params_init (&params);
  g_free (params.prompt);
  params.prompt = g_strdup ("sky");
  params.steps = 15;
  params.guidance = 2.5;
  params.outpaint = FF_OUTPAINT_ZOOM_OUT_1_5X;
  params.output_format = FF_FORMAT_PNG;
  params.safety_tolerance = 6;
  params.prompt_upsampling = TRUE;
  params.seed = 1234;
  body = ff_request_build_body (&params, "data:image/png;base64,AAA", NULL, NULL);
  input = parse_input (body, parser);

  g_assert_false (json_object_has_member (input, "mask"));
  g_assert_cmpstr (json_object_get_string_member (input, "prompt"), ==, "sky");
  g_assert_cmpint (json_object_get_int_member (input, "steps"), ==, 15);
  g_assert_cmpint (json_node_get_value_type (json_object_get_member (input, "guidance")),
                   ==, G_TYPE_DOUBLE);
  g_assert_cmpfloat (json_object_get_double_member (input, "guidance"), ==, 2.5);
  g_assert_cmpstr (json_object_get_string_member (input, "outpaint"), ==, "Zoom out 1.5x");
  g_assert_cmpstr (json_object_get_string_member (input, "output_format"), ==, "png");
  g_assert_cmpint (json_object_get_int_member (input, "safety_tolerance"), ==, 6);
  g_assert_true (json_object_get_boolean_member (input, "prompt_upsampling"));
  g_assert_cmpint (json_object_get_int_member (input, "seed"), ==, 1234);
  g_assert_cmpuint (json_object_get_size (input), ==, 9);
  ff_params_clear (&params);
}

static void
test_integral_guidance_is_integer (void)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree gchar     *body = NULL;
  JsonObject           *input;
  FfParams              params;

  ff_params_init (&params);
  params.guidance = 100.0;
  body = ff_request_build_body (&params, "x", NULL, NULL);
  input = parse_input (body, parser);
  g_assert_cmpint (json_node_get_value_type (json_object_get_member (input, "guidance")),
                   ==, G_TYPE_INT64);
  g_assert_nonnull (strstr (body, "\"guidance\":100,"));
  g_assert_false (json_object_has_member (input, "seed"));
  ff_params_clear (&params);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/request/removal-prompt", test_removal_prompt);
  g_test_add_func ("/request/defaults-exact", test_defaults_exact);
  g_test_add_func ("/request/every-parameter", test_every_parameter);
  g_test_add_func ("/request/integral-guidance", test_integral_guidance_is_integer);
  return g_test_run ();
}
