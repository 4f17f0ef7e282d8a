/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "fill-params.h"

G_DEFINE_QUARK (ff-params-error-quark, ff_params_error)

typedef struct
{
  const gchar *nick;
  const gchar *api_value;
  const gchar *label;
} OutpaintName;

static const OutpaintName outpaint_names[FF_OUTPAINT_COUNT] =
{
  [FF_OUTPAINT_NONE]          = { "none",          "None",           N_("None") },
  [FF_OUTPAINT_ZOOM_OUT_1_5X] = { "zoom-out-1.5x", "Zoom out 1.5x",  N_("Zoom out 1.5x") },
  [FF_OUTPAINT_ZOOM_OUT_2X]   = { "zoom-out-2x",   "Zoom out 2x",    N_("Zoom out 2x") },
  [FF_OUTPAINT_MAKE_SQUARE]   = { "make-square",   "Make square",    N_("Make square") },
  [FF_OUTPAINT_LEFT]          = { "left",          "Left outpaint",  N_("Left") },
  [FF_OUTPAINT_RIGHT]         = { "right",         "Right outpaint", N_("Right") },
  [FF_OUTPAINT_TOP]           = { "top",           "Top outpaint",   N_("Top") },
  [FF_OUTPAINT_BOTTOM]        = { "bottom",        "Bottom outpaint", N_("Bottom") },
};

static const gchar *format_nicks[FF_FORMAT_COUNT] =
{
  [FF_FORMAT_JPG] = "jpg",
  [FF_FORMAT_PNG] = "png",
};

void
ff_params_init (FfParams *params)
{
  g_return_if_fail (params != NULL);

  *params = (FfParams) {
    .prompt            = g_strdup (""),
    .steps             = FF_STEPS_DEFAULT,
    .guidance          = FF_GUIDANCE_DEFAULT,
    .outpaint          = FF_OUTPAINT_NONE,
    .output_format     = FF_FORMAT_JPG,
    .safety_tolerance  = FF_SAFETY_DEFAULT,
    .prompt_upsampling = FALSE,
    .seed              = FF_SEED_RANDOM,
  };
}

void
ff_params_clear (FfParams *params)
{
  g_return_if_fail (params != NULL);

  g_clear_pointer (&params->prompt, g_free);
}

gboolean
ff_params_is_removal (const FfParams *params)
{
  if (params->prompt == NULL || ! g_utf8_validate (params->prompt, -1, NULL))
    return FALSE;
  for (const gchar *p = params->prompt; *p; p = g_utf8_next_char (p))
    if (! g_unichar_isspace (g_utf8_get_char (p)))
      return FALSE;
  return TRUE;
}

const gchar *
ff_params_model_prompt (const FfParams *params)
{
  return ff_params_is_removal (params) ? FF_REMOVE_PROMPT : params->prompt;
}

gboolean
ff_params_validate (const FfParams  *params,
                    GError         **error)
{
  g_return_val_if_fail (params != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* Checked in this order so the first message names the first problem. */
  if (params->prompt == NULL || ! g_utf8_validate (params->prompt, -1, NULL))
    {
      g_set_error_literal (error, FF_PARAMS_ERROR, FF_PARAMS_ERROR_INVALID,
                           _("prompt: not valid UTF-8 text"));
      return FALSE;
    }
  if (strlen (params->prompt) > FF_PROMPT_MAX_BYTES)
    {
      g_set_error (error, FF_PARAMS_ERROR, FF_PARAMS_ERROR_INVALID,
                   _("prompt: %" PRIu64 " bytes long, the limit is %d"),
                   (guint64) strlen (params->prompt), FF_PROMPT_MAX_BYTES);
      return FALSE;
    }
  if (params->steps < FF_STEPS_MIN || params->steps > FF_STEPS_MAX)
    {
      g_set_error (error, FF_PARAMS_ERROR, FF_PARAMS_ERROR_INVALID,
                   _("steps: %d is outside %d to %d"),
                   params->steps, FF_STEPS_MIN, FF_STEPS_MAX);
      return FALSE;
    }
  /* Written so that NaN fails too. */
  if (! (params->guidance >= FF_GUIDANCE_MIN && params->guidance <= FF_GUIDANCE_MAX))
    {
      g_set_error (error, FF_PARAMS_ERROR, FF_PARAMS_ERROR_INVALID,
                   _("guidance: %g is outside %g to %g"),
                   params->guidance, FF_GUIDANCE_MIN, FF_GUIDANCE_MAX);
      return FALSE;
    }
  if ((guint) params->outpaint >= FF_OUTPAINT_COUNT)
    {
      g_set_error (error, FF_PARAMS_ERROR, FF_PARAMS_ERROR_INVALID,
                   _("outpaint: unknown mode %d"), (gint) params->outpaint);
      return FALSE;
    }
  if ((guint) params->output_format >= FF_FORMAT_COUNT)
    {
      g_set_error (error, FF_PARAMS_ERROR, FF_PARAMS_ERROR_INVALID,
                   _("output-format: unknown format %d"), (gint) params->output_format);
      return FALSE;
    }
  if (params->safety_tolerance < FF_SAFETY_MIN ||
      params->safety_tolerance > FF_SAFETY_MAX)
    {
      g_set_error (error, FF_PARAMS_ERROR, FF_PARAMS_ERROR_INVALID,
                   _("safety-tolerance: %d is outside %d to %d"),
                   params->safety_tolerance, FF_SAFETY_MIN, FF_SAFETY_MAX);
      return FALSE;
    }
  if (params->seed < FF_SEED_RANDOM)
    {
      g_set_error (error, FF_PARAMS_ERROR, FF_PARAMS_ERROR_INVALID,
                   _("seed: %d is negative; use -1 for a random seed"), params->seed);
      return FALSE;
    }
  return TRUE;
}

const gchar *
ff_outpaint_nick (FfOutpaint outpaint)
{
  return (guint) outpaint < FF_OUTPAINT_COUNT ? outpaint_names[outpaint].nick : NULL;
}

const gchar *
ff_outpaint_api_value (FfOutpaint outpaint)
{
  return (guint) outpaint < FF_OUTPAINT_COUNT ? outpaint_names[outpaint].api_value : NULL;
}

const gchar *
ff_outpaint_label (FfOutpaint outpaint)
{
  return (guint) outpaint < FF_OUTPAINT_COUNT ? outpaint_names[outpaint].label : NULL;
}

const gchar *
ff_output_format_nick (FfOutputFormat format)
{
  return (guint) format < FF_FORMAT_COUNT ? format_nicks[format] : NULL;
}
