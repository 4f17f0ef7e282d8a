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
                   "{\"input\":{\"image\":\"data:image/png;base64,AAA\","
                   "\"mask\":\"data:image/png;base64,BBB\",\"outpaint\":\"None\","
                   "\"prompt\":\"a \\\"red\\\" barn\","
                   "\"steps\":50,\"guidance\":60,"
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

/* Black Forest Labs' fill: bare base64, its own name for jpg, no
 * "input" wrapper and nothing its schema does not know.
 */
static void
test_bfl_fill_body (void)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree gchar     *body = NULL;
  g_autoptr(GList)      members = NULL;
  JsonObject           *root;
  FfParams              params;

  ff_params_init (&params);
  params.seed = 7;
  body = ff_request_build_bfl_fill (&params, "data:image/jpeg;base64,AAA",
                                    "data:image/png;base64,BBB", NULL);
  g_assert_true (json_parser_load_from_data (parser, body, -1, NULL));
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (root, "image"), ==, "AAA");
  g_assert_cmpstr (json_object_get_string_member (root, "mask"), ==, "BBB");
  g_assert_cmpstr (json_object_get_string_member (root, "output_format"), ==, "jpeg");
  g_assert_cmpint (json_object_get_int_member (root, "seed"), ==, 7);
  g_assert_false (json_object_has_member (root, "input"));
  g_assert_false (json_object_has_member (root, "outpaint"));
  members = json_object_get_members (root);
  g_assert_cmpuint (g_list_length (members), ==, 9);
  ff_params_clear (&params);
}

static void
test_expand_sides (void)
{
  static const struct { FfOutpaint mode; gint w, h, top, bottom, left, right; } cases[] = {
    { FF_OUTPAINT_ZOOM_OUT_1_5X, 640, 480, 120, 120, 160, 160 },
    { FF_OUTPAINT_ZOOM_OUT_2X, 641, 480, 240, 240, 320, 321 },
    { FF_OUTPAINT_MAKE_SQUARE, 640, 480, 80, 80, 0, 0 },
    { FF_OUTPAINT_MAKE_SQUARE, 480, 640, 0, 0, 80, 80 },
    { FF_OUTPAINT_LEFT, 640, 480, 0, 0, 320, 0 },
    { FF_OUTPAINT_RIGHT, 640, 480, 0, 0, 0, 320 },
    { FF_OUTPAINT_TOP, 640, 480, 240, 0, 0, 0 },
    { FF_OUTPAINT_BOTTOM, 640, 480, 0, 240, 0, 0 },
    { FF_OUTPAINT_ZOOM_OUT_2X, 6000, 4000, 2000, 2000, 2048, 2048 },   /* the API's limit */
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gint top, bottom, left, right;

      ff_request_expand_sides (cases[i].mode, cases[i].w, cases[i].h, &top, &bottom, &left, &right);
      g_assert_cmpint (top, ==, cases[i].top);
      g_assert_cmpint (bottom, ==, cases[i].bottom);
      g_assert_cmpint (left, ==, cases[i].left);
      g_assert_cmpint (right, ==, cases[i].right);
    }
}

static FfParams
edit_params (void)
{
  FfParams params;

  ff_params_init (&params);
  g_free (params.prompt);
  params.prompt = g_strdup ("make it red");
  params.seed = 42;
  params.output_format = FF_FORMAT_PNG;
  return params;
}

/* The edit models take no steps or guidance: their schemas have none. */
static void
test_kontext_body_exact (void)
{
  FfParams          params = edit_params ();
  g_autofree gchar *body = ff_request_build_kontext (&params, "data:image/png;base64,AAA", NULL);

  g_assert_cmpstr (body, ==,
                   "{\"input\":{\"input_image\":\"data:image/png;base64,AAA\","
                   "\"aspect_ratio\":\"match_input_image\",\"prompt\":\"make it red\","
                   "\"output_format\":\"png\",\"safety_tolerance\":2,"
                   "\"prompt_upsampling\":false,\"seed\":42}}");
  ff_params_clear (&params);
}

static void
test_flux2_body_exact (void)
{
  FfParams             params = edit_params ();
  const gchar * const  refs[] = { "data:image/jpeg;base64,BBB", NULL };
  g_autofree gchar    *body = NULL;
  g_autofree gchar    *alone = NULL;

  params.output_format = FF_FORMAT_JPG;
  params.seed = FF_SEED_RANDOM;
  body = ff_request_build_flux2 (&params, "data:image/png;base64,AAA", refs, NULL);
  g_assert_cmpstr (body, ==,
                   "{\"input\":{\"input_images\":[\"data:image/png;base64,AAA\","
                   "\"data:image/jpeg;base64,BBB\"],"
                   "\"aspect_ratio\":\"match_input_image\","
                   "\"resolution\":\"match_input_image\",\"prompt\":\"make it red\","
                   "\"output_format\":\"jpg\",\"safety_tolerance\":2,"
                   "\"prompt_upsampling\":false}}");
  alone = ff_request_build_flux2 (&params, "data:image/png;base64,AAA", NULL, NULL);
  g_assert_nonnull (strstr (alone, "\"input_images\":[\"data:image/png;base64,AAA\"],"));
  ff_params_clear (&params);
}

static void
test_bfl_kontext_body_exact (void)
{
  FfParams          params = edit_params ();
  g_autofree gchar *body = NULL;

  params.output_format = FF_FORMAT_JPG;
  params.prompt_upsampling = TRUE;
  body = ff_request_build_bfl_kontext (&params, "data:image/png;base64,AAA", NULL);
  g_assert_cmpstr (body, ==,
                   "{\"input_image\":\"AAA\",\"prompt\":\"make it red\","
                   "\"output_format\":\"jpeg\",\"safety_tolerance\":2,"
                   "\"prompt_upsampling\":true,\"seed\":42}");
  ff_params_clear (&params);
}

/* The references follow the picture as input_image_2, input_image_3… */
static void
test_bfl_flux2_body_exact (void)
{
  FfParams             params = edit_params ();
  const gchar * const  refs[] = { "data:image/png;base64,BBB", "data:image/jpeg;base64,CCC", NULL };
  g_autofree gchar    *body = ff_request_build_bfl_flux2 (&params, "data:image/png;base64,AAA",
                                                          refs, NULL);

  g_assert_cmpstr (body, ==,
                   "{\"input_image\":\"AAA\",\"input_image_2\":\"BBB\","
                   "\"input_image_3\":\"CCC\",\"prompt\":\"make it red\","
                   "\"output_format\":\"png\",\"safety_tolerance\":2,"
                   "\"prompt_upsampling\":false,\"seed\":42}");
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
  g_test_add_func ("/request/bfl-fill-body", test_bfl_fill_body);
  g_test_add_func ("/request/expand-sides", test_expand_sides);
  g_test_add_func ("/request/kontext-body", test_kontext_body_exact);
  g_test_add_func ("/request/flux2-body", test_flux2_body_exact);
  g_test_add_func ("/request/bfl-kontext-body", test_bfl_kontext_body_exact);
  g_test_add_func ("/request/bfl-flux2-body", test_bfl_flux2_body_exact);
  return g_test_run ();
}
