/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The fill parameters a user or a batch caller chooses, their ranges and
 * the names the API and the PDB use for them.  Nothing here knows GIMP.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define FF_PARAMS_ERROR (ff_params_error_quark ())
GQuark ff_params_error_quark (void);

typedef enum
{
  FF_PARAMS_ERROR_INVALID,   /* the message names the argument */
} FfParamsError;

typedef enum
{
  FF_OUTPAINT_NONE,
  FF_OUTPAINT_ZOOM_OUT_1_5X,
  FF_OUTPAINT_ZOOM_OUT_2X,
  FF_OUTPAINT_MAKE_SQUARE,
  FF_OUTPAINT_LEFT,
  FF_OUTPAINT_RIGHT,
  FF_OUTPAINT_TOP,
  FF_OUTPAINT_BOTTOM,
  FF_OUTPAINT_COUNT
} FfOutpaint;

typedef enum
{
  FF_FORMAT_JPG,
  FF_FORMAT_PNG,
  FF_FORMAT_COUNT
} FfOutputFormat;

#define FF_STEPS_MIN              15
#define FF_STEPS_MAX              50
#define FF_STEPS_DEFAULT          50
#define FF_GUIDANCE_MIN           1.5
#define FF_GUIDANCE_MAX           100.0
#define FF_GUIDANCE_DEFAULT       60.0
#define FF_SAFETY_MIN             1
#define FF_SAFETY_MAX             6
#define FF_SAFETY_DEFAULT         2
#define FF_SEED_RANDOM            (-1)
/* Far above any useful prompt, low enough that a pasted file is refused. */
#define FF_PROMPT_MAX_BYTES       4000

typedef struct
{
  gchar          *prompt;
  gint            steps;
  gdouble         guidance;
  FfOutpaint      outpaint;
  FfOutputFormat  output_format;
  gint            safety_tolerance;
  gboolean        prompt_upsampling;
  gint            seed;              /* FF_SEED_RANDOM: let the service pick */
} FfParams;

/* A blank prompt asks for what is selected to be removed (or, expanding,
 * for more of the same picture).  FLUX fill given an empty prompt paints
 * whatever it likes into the hole (objects, text, faces); this tells it to
 * continue what surrounds the area instead, the way a retoucher's "content
 * aware" fill does.
 */
#define FF_REMOVE_PROMPT "Seamlessly continue the surrounding background, with the same " \
                         "texture, lighting and perspective; an empty area with no " \
                         "objects, people, text or watermarks"

/* Whether the prompt is blank: a removal. */
gboolean      ff_params_is_removal    (const FfParams  *params);
/* What the model is told: the prompt, or FF_REMOVE_PROMPT for a removal. */
const gchar * ff_params_model_prompt  (const FfParams  *params);

/* Fills @params with the service's defaults and an empty prompt. */
void          ff_params_init          (FfParams        *params);
void          ff_params_clear         (FfParams        *params);
gboolean      ff_params_validate      (const FfParams  *params,
                                       GError         **error);

/* Argument values ("zoom-out-1.5x"), the API's enum ("Zoom out 1.5x") and
 * an untranslated label for menus.  Out-of-range values return NULL.
 */
const gchar * ff_outpaint_nick        (FfOutpaint       outpaint);
const gchar * ff_outpaint_api_value   (FfOutpaint       outpaint);
const gchar * ff_outpaint_label       (FfOutpaint       outpaint);

const gchar * ff_output_format_nick   (FfOutputFormat   format);

G_END_DECLS
