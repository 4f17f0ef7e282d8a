/* SPDX-License-Identifier: GPL-3.0-or-later */
/* flux-fill: fills a GIMP selection through FLUX Fill Pro on Replicate,
 * as a new masked layer.  This file registers the procedures (one
 * declaration of their arguments drives the PDB, the dialog and the
 * remembered values) and runs the dialog; a run is flux-fill-run.c, and
 * everything that does not need GIMP lives in ../core.
 */
#include "config.h"

#include <string.h>

#include <libgimp/gimp.h>
#include <glib/gi18n-lib.h>

#include "cancel-watch.h"
#include "fill-job.h"
#include "fill-params.h"
#include "model.h"
#include "process-guard.h"
#include "service-client.h"
#include "service-verdict.h"

#include "flux-fill.h"
#include "flux-fill-dialog.h"
#include "flux-fill-keep.h"
#include "flux-fill-run.h"
#include "flux-fill-service.h"

#define LAYER_NAME_MAX_CHARS       60
#define FLUX_FILL_FEATHER_DEFAULT  8
#define FLUX_FILL_FEATHER_MAX      64
#define FLUX_FILL_CONTEXT_MAX      4096

typedef struct
{
  GimpPlugIn parent_instance;
} FluxFill;

typedef struct
{
  GimpPlugInClass parent_class;
} FluxFillClass;

#define FLUX_FILL_TYPE (flux_fill_get_type ())
GType flux_fill_get_type (void) G_GNUC_CONST;

static GList          * flux_fill_query_procedures (GimpPlugIn           *plug_in);
static GimpProcedure  * flux_fill_create_procedure (GimpPlugIn           *plug_in,
                                                    const gchar          *name);
static gboolean         flux_fill_set_i18n         (GimpPlugIn           *plug_in,
                                                    const gchar          *procedure_name,
                                                    gchar               **gettext_domain,
                                                    gchar               **catalog_dir);
static GimpValueArray * flux_fill_run              (GimpProcedure        *procedure,
                                                    GimpRunMode           run_mode,
                                                    GimpImage            *image,
                                                    GimpDrawable        **drawables,
                                                    GimpProcedureConfig  *config,
                                                    gpointer              run_data);

G_DEFINE_TYPE (FluxFill, flux_fill, GIMP_TYPE_PLUG_IN)

/* GIMP_MAIN, plus the cancel watchman (see cancel-watch.h). */
int
main (int   argc,
      char *argv[])
{
  ff_process_protect ();            /* before the watchman branch: both hold the token */
  if (argc == 2 && strcmp (argv[1], FF_CANCEL_WATCH_ARG) == 0)
    return ff_cancel_watch_main ();
  /* babl's lookup tables cost each process (each fill) ~300 ms and a
   * 256 MiB table on its first conversion, for a handful of conversions.
   */
  g_setenv ("BABL_LUT", "0", FALSE);
  return gimp_main (FLUX_FILL_TYPE, argc, argv);
}

static void
flux_fill_class_init (FluxFillClass *klass)
{
  GimpPlugInClass *plug_in_class = GIMP_PLUG_IN_CLASS (klass);

  plug_in_class->query_procedures = flux_fill_query_procedures;
  plug_in_class->create_procedure = flux_fill_create_procedure;
  plug_in_class->set_i18n         = flux_fill_set_i18n;
}

static void
flux_fill_init (FluxFill *flux_fill)
{
}

/* Catalogs live in ./locale beside the binary (a distribution's package:
 * in the system's locale folder, looked at second); an install without them
 * (a copied binary, a build with no translations) runs untranslated
 * rather than warning on every call.
 */
static gboolean
flux_fill_set_i18n (GimpPlugIn   *plug_in,
                    const gchar  *procedure_name,
                    gchar       **gettext_domain,
                    gchar       **catalog_dir)
{
  g_autofree gchar *folder = g_path_get_dirname (gimp_get_progname ());
  g_autofree gchar *locale = g_build_filename (folder, "locale", NULL);

  if (! g_file_test (locale, G_FILE_TEST_IS_DIR))
    {
#ifdef FF_SYSTEM_LOCALEDIR
      /* A distribution's package (-Dpackaging=distro) keeps them in the
       * system's locale folder, which libgimp does not accept as a
       * catalog dir: bind it here (our _() is dgettext) and tell libgimp
       * there is nothing for it to do.
       */
      bindtextdomain (GETTEXT_PACKAGE, FF_SYSTEM_LOCALEDIR);
      bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
#endif
      return FALSE;
    }
  *gettext_domain = g_strdup (GETTEXT_PACKAGE);
  *catalog_dir = g_strdup ("locale");
  return TRUE;
}

/* The help pages beside the plug-in (help/LANG/gimp-help.xml maps each
 * procedure's help ID, its name, to a page): the dialogs' Help and F1 on
 * the menu items open them offline.  Registered when GIMP queries the
 * plug-in, from wherever it is installed.
 */
static void
set_help_domain (GimpPlugIn *plug_in)
{
  g_autofree gchar *folder = g_path_get_dirname (gimp_get_progname ());
  g_autoptr(GFile)  help = g_file_new_build_filename (folder, "help", NULL);

  gimp_plug_in_set_help_domain (plug_in, PLUG_IN_HELP_DOMAIN, help);
}

static GList *
flux_fill_query_procedures (GimpPlugIn *plug_in)
{
  GList *names = g_list_append (NULL, g_strdup (PLUG_IN_PROC));

  set_help_domain (plug_in);

  names = g_list_append (names, g_strdup (PLUG_IN_PROC_EXPAND));
  names = g_list_append (names, g_strdup (PLUG_IN_PROC_AGAIN));
  names = g_list_append (names, g_strdup (PLUG_IN_PROC_EDIT));
  /* Keep This Variation (flux-fill-keep.c). */
  names = g_list_append (names, g_strdup (PLUG_IN_PROC_KEEP));
  return names;
}

/* The outpaint modes, from @first on (Expand has no "none"). */
static GimpChoice *
outpaint_choice (FfOutpaint first)
{
  GimpChoice *choice = gimp_choice_new ();

  for (gint i = first; i < FF_OUTPAINT_COUNT; i++)
    gimp_choice_add (choice, ff_outpaint_nick (i), i, _(ff_outpaint_label (i)), NULL);
  return choice;
}

/* The arguments both procedures share, declared once: they drive the
 * PDB, the dialog and the remembered values alike.  Batch callers pass
 * them by position, hence two parts around the mode.
 */
static void
add_prompt_arguments (GimpProcedure *procedure,
                      const gchar   *blurb)
{
  gimp_procedure_add_string_argument (procedure, "prompt", _("_Prompt"), blurb,
                                      "", G_PARAM_READWRITE);
}

static void
add_model_arguments (GimpProcedure *procedure)
{
  gimp_procedure_add_int_argument (procedure, "steps", _("St_eps"),
                                   _("Diffusion steps: more is finer and slower"),
                                   FF_STEPS_MIN, FF_STEPS_MAX, FF_STEPS_DEFAULT,
                                   G_PARAM_READWRITE);
  gimp_procedure_add_double_argument (procedure, "guidance", _("_Guidance"),
                                      _("How closely to follow the prompt"),
                                      FF_GUIDANCE_MIN, FF_GUIDANCE_MAX, FF_GUIDANCE_DEFAULT,
                                      G_PARAM_READWRITE);
}

static void
add_format_argument (GimpProcedure *procedure)
{
  gimp_procedure_add_choice_argument (procedure, "output-format", _("Output for_mat"),
                                      _("Format the model returns"),
                                      gimp_choice_new_with_values ("jpg", FF_FORMAT_JPG, _("JPEG"), NULL,
                                                                   "png", FF_FORMAT_PNG, _("PNG"), NULL,
                                                                   NULL),
                                      "jpg", G_PARAM_READWRITE);
}

static void
add_seed_argument (GimpProcedure *procedure)
{
  gimp_procedure_add_int_argument (procedure, "seed", _("See_d"),
                                   _("-1 for a random seed"),
                                   FF_SEED_RANDOM, G_MAXINT, FF_SEED_RANDOM,
                                   G_PARAM_READWRITE);
}

static void
add_output_arguments (GimpProcedure *procedure)
{
  add_format_argument (procedure);
  gimp_procedure_add_int_argument (procedure, "safety-tolerance", _("Safet_y tolerance"),
                                   _("1 is the strictest, 6 the most permissive"),
                                   FF_SAFETY_MIN, FF_SAFETY_MAX, FF_SAFETY_DEFAULT,
                                   G_PARAM_READWRITE);
  gimp_procedure_add_boolean_argument (procedure, "prompt-upsampling", _("Prom_pt upsampling"),
                                       _("Let the service elaborate the prompt"),
                                       FALSE, G_PARAM_READWRITE);
  add_seed_argument (procedure);
}

/* Appended last: positional batch callers of older versions are unaffected. */
static void
add_variations_argument (GimpProcedure *procedure)
{
  gimp_procedure_add_int_argument (procedure, "variations", _("_Variations"),
                                   _("How many different results to make at once (each "
                                     "is paid for); they go into one layer group"),
                                   1, FF_VARIATIONS_MAX, 1, G_PARAM_READWRITE);
}

/* Last of both procedures' PDB arguments, as batch callers pass them by
 * position; named as GIMP's own tools name it.
 */
static void
add_sample_merged_argument (GimpProcedure *procedure)
{
  gimp_procedure_add_boolean_argument (procedure, "sample-merged", _("Sample _merged"),
                                       _("Show the model the visible picture, all layers, "
                                         "not only the active one"),
                                       TRUE, G_PARAM_READWRITE);
}

/* How far the result fades past the selection, and how much picture
 * around it the model sees: Fill's and Edit's.
 */
static void
add_area_arguments (GimpProcedure *procedure)
{
  gimp_procedure_add_int_argument (procedure, "feather", _("_Blend edge"),
                                   _("Pixels past the selection over which the fill "
                                     "fades into the picture"),
                                   0, FLUX_FILL_FEATHER_MAX, FLUX_FILL_FEATHER_DEFAULT,
                                   G_PARAM_READWRITE);
  gimp_procedure_add_int_argument (procedure, "context", _("Conte_xt"),
                                   _("Pixels of picture around the selection the model "
                                     "sees; -1 chooses from the image and selection sizes"),
                                   -1, FLUX_FILL_CONTEXT_MAX, -1, G_PARAM_READWRITE);
}

/* FLUX Edit: an instruction, the edit model and what it may take, in
 * the PDB order batch callers pass them by position.
 */
static void
add_edit_arguments (GimpProcedure *procedure)
{
  gimp_procedure_add_string_argument (procedure, "prompt", _("_Instruction"),
                                      _("How to change the selection, or the whole picture "
                                        "when nothing is selected"),
                                      "", G_PARAM_READWRITE);
  gimp_procedure_add_choice_argument (procedure, "model", _("_Model"),
                                      _("The edit model: FLUX.2 also takes a reference layer"),
                                      gimp_choice_new_with_values (
                                        FF_MODEL_KONTEXT_PRO, 0, "FLUX.1 Kontext [pro]", NULL,
                                        FF_MODEL_FLUX2_PRO, 1, "FLUX.2 [pro]", NULL,
                                        NULL),
                                      FF_MODEL_KONTEXT_PRO, G_PARAM_READWRITE);
  gimp_procedure_add_drawable_argument (procedure, "reference", _("Re_ference"),
                                        _("A layer of any open image to take from, such as "
                                          "a logo (FLUX.2 only); none for no reference"),
                                        TRUE, G_PARAM_READWRITE);
  add_variations_argument (procedure);
  add_seed_argument (procedure);
  gimp_procedure_add_int_argument (procedure, "safety-tolerance", _("Safet_y tolerance"),
                                   _("0 is the strictest; with a picture to edit, Kontext "
                                     "takes 0 to 2 and FLUX.2 up to 5"),
                                   0, FF_SAFETY_MAX, FF_SAFETY_DEFAULT, G_PARAM_READWRITE);
  add_format_argument (procedure);
  gimp_procedure_add_boolean_argument (procedure, "prompt-upsampling", _("Prom_pt upsampling"),
                                       _("Let the service elaborate the instruction"),
                                       FALSE, G_PARAM_READWRITE);
  add_area_arguments (procedure);
  add_sample_merged_argument (procedure);
  /* Prices as settings, defaulting to the published ones (model.c). */
  gimp_procedure_add_double_aux_argument (procedure, "kontext-price",
                                          _("FLUX.1 Kontext [pro] price per image (USD)"),
                                          _("What one Kontext edit costs: for the estimate"),
                                          0.0, 100.0, ff_model_by_id (FF_PROVIDER_REPLICATE,
                                                                      FF_MODEL_KONTEXT_PRO)->price,
                                          G_PARAM_READWRITE);
  gimp_procedure_add_double_aux_argument (procedure, "flux2-price",
                                          _("FLUX.2 [pro] price of the first megapixel (USD)"),
                                          _("What FLUX.2 charges for an image's first output "
                                            "megapixel; each further megapixel in or out "
                                            "costs half of it"),
                                          0.0, 100.0, ff_model_by_id (FF_PROVIDER_REPLICATE,
                                                                      FF_MODEL_FLUX2_PRO)->price,
                                          G_PARAM_READWRITE);
  /* GIMP keeps no drawable among the last values: Ctrl+F finds the
   * reference again by this name, as a record does.
   */
  gimp_procedure_add_string_aux_argument (procedure, "reference-name",
                                          _("Reference layer's name"),
                                          _("The last edit's reference layer, for Filters → "
                                            "Repeat"),
                                          "", G_PARAM_READWRITE);
}

static void
set_common (GimpProcedure *procedure,
            const gchar   *menu_label)
{
  /* The path stays English (stable for scripts and shortcuts); GIMP
   * translates the label in our domain itself, so it goes untranslated.
   */
  gimp_plug_in_add_menu_branch (gimp_procedure_get_plug_in (procedure),
                                "<Image>/Filters/Generative", N_("Generative"));
  gimp_procedure_set_image_types (procedure, "RGB*, GRAY*");
  gimp_procedure_set_sensitivity_mask (procedure, GIMP_PROCEDURE_SENSITIVE_DRAWABLE);
  /* The label first: libgimp wants it before the menu path. */
  gimp_procedure_set_menu_label (procedure, menu_label);
  gimp_procedure_add_menu_path (procedure, "<Image>/Filters/Generative");
  gimp_procedure_set_attribution (procedure, "flux-fill developers",
                                  "flux-fill developers", "2026");
}

/* A procedure run by flux_fill_run (), in the Generative menu. */
static GimpProcedure *
new_procedure (GimpPlugIn  *plug_in,
               const gchar *name,
               const gchar *menu_label,
               const gchar *blurb,
               const gchar *help)
{
  GimpProcedure *procedure = gimp_image_procedure_new (plug_in, name,
                                                       GIMP_PDB_PROC_TYPE_PLUGIN,
                                                       flux_fill_run, NULL, NULL);

  set_common (procedure, menu_label);
  gimp_procedure_set_documentation (procedure, blurb, help, name);
  return procedure;
}

static GimpProcedure *
flux_fill_create_procedure (GimpPlugIn  *plug_in,
                            const gchar *name)
{
  GimpProcedure *procedure;

  /* Keep This Variation: its own file and run function. */
  if (g_strcmp0 (name, PLUG_IN_PROC_KEEP) == 0)
    return flux_fill_keep_procedure_new (plug_in, name);

  if (g_strcmp0 (name, PLUG_IN_PROC_EXPAND) == 0)
    {
      procedure = new_procedure (plug_in, name, _("FLUX _Expand…"),
        _("Extend the canvas with generated picture (FLUX Fill Pro)"),
        _("Sends the active layer and a text prompt (blank: more of the same "
          "picture) to the FLUX Fill Pro model, grows the canvas on the chosen "
          "side and adds what the model paints there as a new layer, masked so "
          "the original stays as it was. The API token comes from the desktop "
          "keyring (FLUX Fill's Service section) or REPLICATE_API_TOKEN."));
      add_prompt_arguments (procedure, _("What the new area should show; blank for more "
                                         "of the same picture"));
      gimp_procedure_add_choice_argument (procedure, "mode", _("E_xpand"),
                                          _("Where the canvas grows"),
                                          outpaint_choice (FF_OUTPAINT_ZOOM_OUT_1_5X),
                                          "zoom-out-1.5x", G_PARAM_READWRITE);
      add_model_arguments (procedure);
      add_output_arguments (procedure);
      add_variations_argument (procedure);
      add_sample_merged_argument (procedure);
      flux_fill_service_add_arguments (procedure);
      return procedure;
    }
  if (g_strcmp0 (name, PLUG_IN_PROC_EDIT) == 0)
    {
      procedure = new_procedure (plug_in, name, _("FLUX E_dit…"),
        _("Change the selection, or the whole picture, by instruction (FLUX Kontext, FLUX.2)"),
        _("Sends the area around the selection (or the whole picture when nothing is "
          "selected) and an instruction such as \"make the shirt red linen\" to FLUX.1 "
          "Kontext [pro] or FLUX.2 [pro], and adds the edited picture as a new layer, "
          "masked by the feathered selection: nothing farther from it changes. FLUX.2 "
          "also takes a reference layer from any open image. The original layer is not "
          "changed."));
      add_edit_arguments (procedure);
      flux_fill_service_add_arguments (procedure);
      return procedure;
    }
  if (g_strcmp0 (name, PLUG_IN_PROC_AGAIN) == 0)
    {
      procedure = new_procedure (plug_in, name, _("FLUX Fill _Again"),
        _("Make more variations of an earlier FLUX Fill or FLUX Edit"),
        _("With a layer made by FLUX Fill or FLUX Edit active (or its group, or "
          "its mask), fills or edits the same area of the same layer again with "
          "the prompt and parameters recorded on it and new seeds, and adds the "
          "results to its group, on top and visible. The current selection, if "
          "there is one, is used instead of the recorded area."));
      /* Also where the generated layers are: the Layers dialog's menu. */
      gimp_procedure_add_menu_path (procedure, "<Layers>/Layers Menu");
      flux_fill_service_add_arguments (procedure);
      return procedure;
    }
  if (g_strcmp0 (name, PLUG_IN_PROC) != 0)
    return NULL;

  procedure = new_procedure (plug_in, name, _("FLUX _Fill…"),
    _("Fill the selection with generated content (FLUX Fill Pro)"),
    _("Sends the area around the selection and a text prompt to the FLUX "
      "Fill Pro model on Replicate and adds what it paints as a new layer, "
      "masked by the selection. The original layer is not changed. A blank "
      "prompt removes what is selected. The API token comes from the desktop "
      "keyring (FLUX Fill's Service section) or the REPLICATE_API_TOKEN "
      "environment variable; REPLICATE_BASE_URL selects another service with "
      "the same API."));

  /* The order is the PDB's: batch callers pass arguments by position. */
  add_prompt_arguments (procedure, _("What should fill the selection; blank to remove "
                                     "what is selected"));
  add_model_arguments (procedure);
  gimp_procedure_add_choice_argument (procedure, "outpaint", _("O_utpaint"),
                                      _("Extend the picture instead of filling the selection "
                                        "(FLUX Expand does this in its own dialog)"),
                                      outpaint_choice (FF_OUTPAINT_NONE), "none", G_PARAM_READWRITE);
  add_output_arguments (procedure);
  add_area_arguments (procedure);
  add_variations_argument (procedure);
  add_sample_merged_argument (procedure);
  flux_fill_service_add_arguments (procedure);
  return procedure;
}

static GimpValueArray *
fail (GimpProcedure     *procedure,
      GimpPDBStatusType  status,
      GError            *error)
{
  return gimp_procedure_new_return_values (procedure, status, error);
}

static GimpValueArray *
flux_fill_run (GimpProcedure        *procedure,
               GimpRunMode           run_mode,
               GimpImage            *image,
               GimpDrawable        **drawables,
               GimpProcedureConfig  *config,
               gpointer              run_data)
{
  GimpPDBStatusType status;
  GError           *error = NULL;
  gboolean          again = g_strcmp0 (gimp_procedure_get_name (procedure),
                                       PLUG_IN_PROC_AGAIN) == 0;

  gegl_init (NULL, NULL);

  /* A layer, or a generated layer's mask: what GIMP leaves active after
   * a fill, so that Filters → Repeat fills again.
   */
  if (gimp_core_object_array_get_length ((GObject **) drawables) != 1 ||
      ! (GIMP_IS_LAYER (drawables[0]) || GIMP_IS_LAYER_MASK (drawables[0])))
    {
      g_set_error (&error, GIMP_PLUG_IN_ERROR, 0,
                   _("Procedure '%s' works on exactly one layer."),
                   gimp_procedure_get_name (procedure));
      return fail (procedure, GIMP_PDB_CALLING_ERROR, error);
    }
  if (gimp_image_get_base_type (image) == GIMP_INDEXED)
    {
      g_set_error_literal (&error, GIMP_PLUG_IN_ERROR, 0,
                           _("FLUX Fill does not work on indexed images. "
                             "Convert the image with Image → Mode → RGB first."));
      return fail (procedure, GIMP_PDB_CALLING_ERROR, error);
    }

  /* A Fill from the menu or Filters → Repeat never inherits an outpaint
   * mode: Expand is its own command now.  Batch callers keep theirs.
   */
  if (run_mode != GIMP_RUN_NONINTERACTIVE && ! flux_fill_is_expand (config) &&
      ! flux_fill_is_edit (config) && ! again)
    g_object_set (config, "outpaint", "none", NULL);

  /* Fill Again asks nothing: the recorded prompt and parameters.  Every
   * run mode goes to the service the dialogs share (or the environment's),
   * whatever a record says; the dialog loop below loads it too.
   */
  if (run_mode != GIMP_RUN_INTERACTIVE || again)
    {
      flux_fill_service_load_shared (config);
      status = flux_fill_fill (image, drawables[0], config, again, run_mode, NULL, &error);
      return status == GIMP_PDB_SUCCESS || status == GIMP_PDB_CANCEL
        ? gimp_procedure_new_return_values (procedure, status, NULL)
        : fail (procedure, status, error);
    }

  /* Interactive: an error is shown in the dialog, which comes back with
   * everything the user typed; only Cancel (or a fill) ends the run.
   */
  flux_fill_dialog_recall (procedure, config);
  do
    {
      g_autofree gchar  *message = error ? g_strdup (error->message) : NULL;
      gboolean           refused = ff_error_refuses_token (error);
      g_autoptr(FfToken) typed = NULL;
      g_autoptr(GError)  kept = NULL;

      g_clear_error (&error);
      flux_fill_service_load_shared (config);
      if (! flux_fill_dialog (procedure, config, image, drawables[0], message, refused, &typed))
        return gimp_procedure_new_return_values (procedure, GIMP_PDB_CANCEL, NULL);
      flux_fill_service_store_shared (config);
      status = flux_fill_fill (image, drawables[0], config, FALSE, run_mode, typed, &error);
      /* A typed token replaces the stored one only once the service took it. */
      if (typed != NULL && flux_fill_service_accepted (status, error) &&
          ! flux_fill_service_keep_token (config, typed, &kept))
        g_message ("%s", kept->message);
    }
  while (status != GIMP_PDB_SUCCESS);
  /* libgimp flushes the displays after an interactive or repeated run. */
  return gimp_procedure_new_return_values (procedure, GIMP_PDB_SUCCESS, NULL);
}
