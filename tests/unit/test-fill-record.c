/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What a generated layer remembers: written, read back, and refused when
 * damaged (an XCF can come from anywhere).
 */
#include "config.h"

#include <string.h>

#include "fill-record.h"

static void
test_round_trip (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *json = NULL;
  FfRecord          record, back;
  gsize             length = 0;

  ff_record_init (&record);
  g_free (record.params.prompt);
  record.params.prompt = g_strdup ("a red \"barn\"\nin snow");
  record.params.steps = 28;
  record.params.guidance = 2.5;
  record.params.outpaint = FF_OUTPAINT_LEFT;
  record.params.output_format = FF_FORMAT_PNG;
  record.params.seed = 1234;
  record.feather = 8;
  record.variations = 3;
  record.sample_merged = FALSE;
  record.model = g_strdup ("black-forest-labs/flux-fill-pro");
  record.service_url = g_strdup ("https://api.replicate.com");
  record.source_tattoo = 7;
  record.source_name = g_strdup ("photo");
  record.rect = (FfRect) { -10, 20, 512, 480 };
  record.selection = (FfRect) { 100, 120, 180, 90 };
  json = ff_record_to_json (&record, &length);
  g_assert_cmpuint (length, ==, strlen (json));
  g_assert_null (strstr (json, "r8_"));

  g_assert_true (ff_record_from_json (&back, json, length, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (back.params.prompt, ==, record.params.prompt);
  g_assert_cmpint (back.params.steps, ==, 28);
  g_assert_cmpfloat (back.params.guidance, ==, 2.5);
  g_assert_cmpint (back.params.outpaint, ==, FF_OUTPAINT_LEFT);
  g_assert_cmpint (back.params.output_format, ==, FF_FORMAT_PNG);
  g_assert_cmpint (back.params.seed, ==, 1234);
  g_assert_cmpint (back.feather, ==, 8);
  g_assert_cmpint (back.variations, ==, 3);
  g_assert_false (back.sample_merged);
  g_assert_cmpstr (back.service_url, ==, "https://api.replicate.com");
  g_assert_cmpuint (back.source_tattoo, ==, 7);
  g_assert_cmpstr (back.source_name, ==, "photo");
  g_assert_cmpint (back.rect.x, ==, -10);
  g_assert_cmpint (back.rect.height, ==, 480);
  g_assert_cmpint (back.selection.x, ==, 100);
  g_assert_cmpint (back.selection.y, ==, 120);
  g_assert_cmpint (back.selection.width, ==, 180);
  g_assert_cmpint (back.selection.height, ==, 90);
  ff_record_clear (&record);
  ff_record_clear (&back);
}

/* A record of the first format (before "selection") still reads: its
 * crop stands for what was selected.
 */
static void
test_version_1 (void)
{
  static const gchar json[] =
    "{\"version\": 1, \"prompt\": \"a small pond\", \"steps\": 50, \"guidance\": 60,"
    " \"outpaint\": \"none\", \"output-format\": \"jpg\", \"safety-tolerance\": 2,"
    " \"prompt-upsampling\": false, \"seed\": 77, \"feather\": 8, \"context\": -1,"
    " \"variations\": 3, \"sample-merged\": true,"
    " \"model\": \"black-forest-labs/flux-fill-pro\", \"service\": \"https://api.replicate.com\","
    " \"source-tattoo\": 2, \"source-name\": \"background\", \"rect\": [64, 32, 512, 512]}";
  g_autoptr(GError) error = NULL;
  FfRecord          record;

  g_assert_true (ff_record_from_json (&record, json, strlen (json), &error));
  g_assert_no_error (error);
  g_assert_cmpint (record.selection.x, ==, 64);
  g_assert_cmpint (record.selection.y, ==, 32);
  g_assert_cmpint (record.selection.width, ==, 512);
  g_assert_cmpint (record.selection.height, ==, 512);
  g_assert_cmpint (record.variations, ==, 3);
  ff_record_clear (&record);
}

/* Version 2 without a usable "selection" is damaged. */
static void
test_version_2_needs_selection (void)
{
  static const gchar json[] =
    "{\"version\": 2, \"prompt\": \"x\", \"steps\": 50, \"guidance\": 60,"
    " \"outpaint\": \"none\", \"output-format\": \"jpg\", \"safety-tolerance\": 2,"
    " \"prompt-upsampling\": false, \"seed\": 1, \"feather\": 8, \"context\": -1,"
    " \"variations\": 1, \"source-tattoo\": 2, \"rect\": [0, 0, 512, 512],"
    " \"selection\": [0, 0, -5, 10]}";
  g_autoptr(GError) error = NULL;
  FfRecord          record;

  g_assert_false (ff_record_from_json (&record, json, strlen (json), &error));
  g_assert_cmpstr (error->message, ==, "the fill's record is damaged: selection");
  ff_record_clear (&record);
}

static void
test_damaged (void)
{
  static const struct { const gchar *json, *message; } cases[] =
  {
    { "", "the fill's record is damaged: not JSON" },
    { "[1]", "the fill's record is damaged: not JSON" },
    { "{\"version\": 9}", "the fill's record is damaged: version" },
    { "{\"version\": 1}", "the fill's record is damaged: prompt" },
    { "{\"version\": 1, \"prompt\": \"x\", \"steps\": 50, \"safety-tolerance\": 2, \"seed\": 1,"
      " \"feather\": 999, \"context\": -1, \"variations\": 1, \"source-tattoo\": 1}",
      "the fill's record is damaged: a number out of range" },
    { "{\"version\": 1, \"prompt\": \"x\", \"steps\": 50, \"safety-tolerance\": 2, \"seed\": 1,"
      " \"feather\": 8, \"context\": -1, \"variations\": 1, \"source-tattoo\": 1,"
      " \"guidance\": 60, \"outpaint\": \"sideways\", \"output-format\": \"jpg\"}",
      "the fill's record is damaged: outpaint or output-format" },
    { "{\"version\": 1, \"prompt\": \"x\", \"steps\": 50, \"safety-tolerance\": 2, \"seed\": 1,"
      " \"feather\": 8, \"context\": -1, \"variations\": 1, \"source-tattoo\": 1,"
      " \"guidance\": 60, \"outpaint\": \"none\", \"output-format\": \"jpg\","
      " \"prompt-upsampling\": false, \"rect\": [0, 0, 0, 10]}",
      "the fill's record is damaged: rect" },
    { "{\"version\": 1, \"prompt\": \"x\", \"steps\": 99, \"safety-tolerance\": 2, \"seed\": 1,"
      " \"feather\": 8, \"context\": -1, \"variations\": 1, \"source-tattoo\": 1,"
      " \"guidance\": 60, \"outpaint\": \"none\", \"output-format\": \"jpg\","
      " \"prompt-upsampling\": false, \"rect\": [0, 0, 10, 10]}",
      "steps: 99 is outside 15 to 50" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      FfRecord          record;

      g_test_message ("case %u", i);
      g_assert_false (ff_record_from_json (&record, cases[i].json, strlen (cases[i].json), &error));
      g_assert_error (error, FF_PARAMS_ERROR, FF_PARAMS_ERROR_INVALID);
      g_assert_cmpstr (error->message, ==, cases[i].message);
      ff_record_clear (&record);
    }
  {
    g_autoptr(GError) error = NULL;
    FfRecord          record;

    g_assert_false (ff_record_from_json (&record, NULL, 0, &error));
    ff_record_clear (&record);
  }
}

/* An edit's record: its kind, model and reference come back, and its
 * model's rules hold (Kontext takes no reference, nor safety 3).
 */
static void
test_edit (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *json = NULL;
  FfRecord          record, back;
  gsize             length = 0;
  static const struct { const gchar *model; gint safety; const gchar *reference, *message; } bad[] =
  {
    { "flux-kontext-pro", 2, "logo", "reference: FLUX.1 Kontext [pro] edits the picture alone "
                                     "and takes no reference image" },
    { "flux-kontext-pro", 3, NULL, "safety-tolerance: FLUX.1 Kontext [pro] takes 0 to 2 with "
                                   "an input image, not 3" },
    { "flux-fill-pro", 2, NULL, "the fill's record is damaged: model" },
    { "flux-3-ultra", 2, NULL, "the fill's record is damaged: model" },
  };

  ff_record_init (&record);
  g_free (record.params.prompt);
  record.params.prompt = g_strdup ("put the logo on the mug");
  record.params.safety_tolerance = 0;
  record.params.seed = 5;
  record.edit = TRUE;
  record.whole = TRUE;
  record.model = g_strdup ("flux-2-pro");
  record.provider = g_strdup ("bfl");
  record.reference_name = g_strdup ("logo.png");
  record.rect = (FfRect) { 0, 0, 800, 600 };
  json = ff_record_to_json (&record, &length);
  g_assert_nonnull (strstr (json, "\"kind\":\"edit\""));
  g_assert_true (ff_record_from_json (&back, json, length, &error));
  g_assert_no_error (error);
  g_assert_true (back.edit);
  g_assert_true (back.whole);
  g_assert_cmpstr (back.model, ==, "flux-2-pro");
  g_assert_cmpstr (back.reference_name, ==, "logo.png");
  g_assert_cmpint (back.params.safety_tolerance, ==, 0);
  g_assert_cmpint (back.selection.width, ==, 800);
  ff_record_clear (&back);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) refused = NULL;
      g_autofree gchar *text = NULL;

      g_test_message ("case %u", i);
      g_set_str (&record.model, bad[i].model);
      g_set_str (&record.reference_name, bad[i].reference);
      record.params.safety_tolerance = bad[i].safety;
      text = ff_record_to_json (&record, &length);
      g_assert_false (ff_record_from_json (&back, text, length, &refused));
      g_assert_error (refused, FF_PARAMS_ERROR, FF_PARAMS_ERROR_INVALID);
      g_assert_cmpstr (refused->message, ==, bad[i].message);
      ff_record_clear (&back);
    }
  ff_record_clear (&record);

  /* A fill's record says so, and is no edit. */
  ff_record_init (&record);
  record.rect = (FfRect) { 0, 0, 512, 512 };
  g_clear_pointer (&json, g_free);
  json = ff_record_to_json (&record, &length);
  g_assert_nonnull (strstr (json, "\"kind\":\"fill\""));
  g_assert_null (strstr (json, "reference-name"));
  g_assert_true (ff_record_from_json (&back, json, length, NULL));
  g_assert_false (back.edit);
  ff_record_clear (&back);
  ff_record_clear (&record);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/fill-record/round-trip", test_round_trip);
  g_test_add_func ("/fill-record/edit", test_edit);
  g_test_add_func ("/fill-record/damaged", test_damaged);
  g_test_add_func ("/fill-record/version-1", test_version_1);
  g_test_add_func ("/fill-record/version-2-needs-selection", test_version_2_needs_selection);
  return g_test_run ();
}
