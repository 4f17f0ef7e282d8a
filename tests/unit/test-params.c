/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include "fill-params.h"

typedef struct
{
  const gchar *name;
  void       (*change) (FfParams *params);
  const gchar *message;     /* NULL: valid */
} ValidateCase;

static void keep (FfParams *p) { (void) p; }
static void steps_14 (FfParams *p) { p->steps = 14; }
static void steps_15 (FfParams *p) { p->steps = 15; }
static void steps_51 (FfParams *p) { p->steps = 51; }
static void steps_0 (FfParams *p) { p->steps = 0; }
static void guidance_low (FfParams *p) { p->guidance = 1.49; }
static void guidance_1_5 (FfParams *p) { p->guidance = 1.5; }
static void guidance_1000 (FfParams *p) { p->guidance = 1000; }
static void guidance_nan (FfParams *p) { p->guidance = NAN; }
static void safety_0 (FfParams *p) { p->safety_tolerance = 0; }
static void safety_7 (FfParams *p) { p->safety_tolerance = 7; }
static void seed_minus_2 (FfParams *p) { p->seed = -2; }
static void seed_max (FfParams *p) { p->seed = G_MAXINT; }
static void outpaint_99 (FfParams *p) { p->outpaint = 99; }
static void format_5 (FfParams *p) { p->output_format = 5; }
static void set_prompt (FfParams *p, const gchar *s) { g_free (p->prompt); p->prompt = g_strdup (s); }
static void prompt_empty (FfParams *p) { set_prompt (p, ""); }
static void prompt_blank (FfParams *p) { set_prompt (p, " \t\n\u3000"); }
static void prompt_latin1 (FfParams *p) { set_prompt (p, "caf\xe9"); }
static void prompt_unicode (FfParams *p) { set_prompt (p, "ein Café mit 🐈"); }
static void prompt_100k (FfParams *p)
{
  g_free (p->prompt);
  p->prompt = g_strnfill (100 * 1024, 'a');
}
static void prompt_at_limit (FfParams *p)
{
  g_free (p->prompt);
  p->prompt = g_strnfill (FF_PROMPT_MAX_BYTES, 'a');
}

static const ValidateCase validate_cases[] =
{
  { "defaults",         keep,           NULL },
  { "steps-14",         steps_14,       "steps: 14 is outside 15 to 50" },
  { "steps-15",         steps_15,       NULL },
  { "steps-51",         steps_51,       "steps: 51 is outside 15 to 50" },
  { "steps-0",          steps_0,        "steps: 0 is outside 15 to 50" },
  { "guidance-1.49",    guidance_low,   "guidance: 1.49 is outside 1.5 to 100" },
  { "guidance-1.5",     guidance_1_5,   NULL },
  { "guidance-1000",    guidance_1000,  "guidance: 1000 is outside 1.5 to 100" },
  { "guidance-nan",     guidance_nan,   "guidance: nan is outside 1.5 to 100" },
  { "safety-0",         safety_0,       "safety-tolerance: 0 is outside 1 to 6" },
  { "safety-7",         safety_7,       "safety-tolerance: 7 is outside 1 to 6" },
  { "seed-minus-2",     seed_minus_2,   "seed: -2 is negative; use -1 for a random seed" },
  { "seed-max",         seed_max,       NULL },
  { "outpaint-99",      outpaint_99,    "outpaint: unknown mode 99" },
  { "format-5",         format_5,       "output-format: unknown format 5" },
  /* Blank: remove what is selected (see test-request). */
  { "prompt-empty",     prompt_empty,   NULL },
  { "prompt-blank",     prompt_blank,   NULL },
  { "prompt-latin1",    prompt_latin1,  "prompt: not valid UTF-8 text" },
  { "prompt-unicode",   prompt_unicode, NULL },
  { "prompt-100k",      prompt_100k,    "prompt: 102400 bytes long, the limit is 4000" },
  { "prompt-at-limit",  prompt_at_limit, NULL },
};

static void
test_validate (gconstpointer data)
{
  const ValidateCase *tc = data;
  g_autoptr(GError)   error = NULL;
  FfParams            params;
  gboolean            ok;

  ff_params_init (&params);
  set_prompt (&params, "a red barn");
  tc->change (&params);
  ok = ff_params_validate (&params, &error);
  if (tc->message == NULL)
    {
      g_assert_no_error (error);
      g_assert_true (ok);
    }
  else
    {
      g_assert_false (ok);
      g_assert_error (error, FF_PARAMS_ERROR, FF_PARAMS_ERROR_INVALID);
      g_assert_cmpstr (error->message, ==, tc->message);
    }
  ff_params_clear (&params);
}

static void
test_defaults (void)
{
  FfParams params;

  ff_params_init (&params);
  g_assert_cmpstr (params.prompt, ==, "");
  g_assert_cmpint (params.steps, ==, 50);
  g_assert_cmpfloat (params.guidance, ==, 60.0);
  g_assert_cmpint (params.outpaint, ==, FF_OUTPAINT_NONE);
  g_assert_cmpint (params.output_format, ==, FF_FORMAT_JPG);
  g_assert_cmpint (params.safety_tolerance, ==, 2);
  g_assert_false (params.prompt_upsampling);
  g_assert_cmpint (params.seed, ==, -1);
  ff_params_clear (&params);
  g_assert_null (params.prompt);
}

static void
test_outpaint_names (void)
{
  static const struct { const gchar *nick, *api; } expected[FF_OUTPAINT_COUNT] =
  {
    { "none", "None" }, { "zoom-out-1.5x", "Zoom out 1.5x" },
    { "zoom-out-2x", "Zoom out 2x" }, { "make-square", "Make square" },
    { "left", "Left outpaint" }, { "right", "Right outpaint" },
    { "top", "Top outpaint" }, { "bottom", "Bottom outpaint" },
  };
  for (gint i = 0; i < FF_OUTPAINT_COUNT; i++)
    {
      g_assert_cmpstr (ff_outpaint_nick (i), ==, expected[i].nick);
      g_assert_cmpstr (ff_outpaint_api_value (i), ==, expected[i].api);
    }
  g_assert_null (ff_outpaint_nick (FF_OUTPAINT_COUNT));
  g_assert_cmpstr (ff_output_format_nick (FF_FORMAT_JPG), ==, "jpg");
  g_assert_cmpstr (ff_output_format_nick (FF_FORMAT_PNG), ==, "png");
  g_assert_null (ff_output_format_nick (FF_FORMAT_COUNT));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/params/defaults", test_defaults);
  g_test_add_func ("/params/outpaint-names", test_outpaint_names);
  for (guint i = 0; i < G_N_ELEMENTS (validate_cases); i++)
    {
      g_autofree gchar *path = g_strdup_printf ("/params/validate/%s", validate_cases[i].name);
      g_test_add_data_func (path, &validate_cases[i], test_validate);
    }
  return g_test_run ();
}
