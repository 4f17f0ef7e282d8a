/* flux-fill: fills a GIMP selection through FLUX Fill Pro on Replicate,
 * as a new masked layer.  This file registers the procedure and runs it;
 * everything that does not need GIMP lives in ../core.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <libgimp/gimp.h>
#include <glib/gi18n-lib.h>

#include "cancel-watch.h"
#include "debug-log.h"
#include "fill-blend.h"
#include "fill-params.h"
#include "fill-request.h"
#include "image-codec.h"
#include "process-guard.h"
#include "replicate-client.h"

#include "flux-fill.h"
#include "flux-fill-dialog.h"
#include "flux-fill-insert.h"
#include "flux-fill-region.h"
#include "flux-fill-service.h"

#define LAYER_NAME_MAX_CHARS       60
#define FLUX_FILL_FEATHER_DEFAULT  8
#define FLUX_FILL_FEATHER_MAX      64
#define FLUX_FILL_CONTEXT_MAX      4096
#define FF_FILES_API_MIN           (256 * 1024)

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

/* Catalogs live in ./locale beside the binary; an install without them
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
    return FALSE;
  *gettext_domain = g_strdup (GETTEXT_PACKAGE);
  *catalog_dir = g_strdup ("locale");
  return TRUE;
}

static GList *
flux_fill_query_procedures (GimpPlugIn *plug_in)
{
  return g_list_append (g_list_append (NULL, g_strdup (PLUG_IN_PROC)),
                        g_strdup (PLUG_IN_PROC_EXPAND));
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
add_output_arguments (GimpProcedure *procedure)
{
  gimp_procedure_add_choice_argument (procedure, "output-format", _("Output for_mat"),
                                      _("Format the model returns"),
                                      gimp_choice_new_with_values ("jpg", FF_FORMAT_JPG, _("JPEG"), NULL,
                                                                   "png", FF_FORMAT_PNG, _("PNG"), NULL,
                                                                   NULL),
                                      "jpg", G_PARAM_READWRITE);
  gimp_procedure_add_int_argument (procedure, "safety-tolerance", _("Safet_y tolerance"),
                                   _("1 is the strictest, 6 the most permissive"),
                                   FF_SAFETY_MIN, FF_SAFETY_MAX, FF_SAFETY_DEFAULT,
                                   G_PARAM_READWRITE);
  gimp_procedure_add_boolean_argument (procedure, "prompt-upsampling", _("Prom_pt upsampling"),
                                       _("Let the service elaborate the prompt"),
                                       FALSE, G_PARAM_READWRITE);
  gimp_procedure_add_int_argument (procedure, "seed", _("See_d"),
                                   _("-1 for a random seed"),
                                   FF_SEED_RANDOM, G_MAXINT, FF_SEED_RANDOM,
                                   G_PARAM_READWRITE);
}

static void
set_common (GimpProcedure *procedure,
            const gchar   *menu_label)
{
  gimp_procedure_set_image_types (procedure, "RGB*, GRAY*");
  gimp_procedure_set_sensitivity_mask (procedure, GIMP_PROCEDURE_SENSITIVE_DRAWABLE);
  /* The label first: libgimp wants it before the menu path. */
  gimp_procedure_set_menu_label (procedure, menu_label);
  gimp_procedure_add_menu_path (procedure, "<Image>/Filters/Generative");
  gimp_procedure_set_attribution (procedure, "flux-fill developers",
                                  "flux-fill developers", "2026");
}

static GimpProcedure *
flux_fill_create_procedure (GimpPlugIn  *plug_in,
                            const gchar *name)
{
  GimpProcedure *procedure;

  if (g_strcmp0 (name, PLUG_IN_PROC_EXPAND) == 0)
    {
      procedure = gimp_image_procedure_new (plug_in, name, GIMP_PDB_PROC_TYPE_PLUGIN,
                                            flux_fill_run, NULL, NULL);
      set_common (procedure, _("FLUX _Expand…"));
      gimp_procedure_set_documentation (procedure,
        _("Extend the canvas with generated picture (FLUX Fill Pro)"),
        _("Sends the active layer and a text prompt (blank: more of the same "
          "picture) to the FLUX Fill Pro model, grows the canvas on the chosen "
          "side and adds what the model paints there as a new layer, masked so "
          "the original stays as it was. The API token comes from the desktop "
          "keyring (FLUX Fill's Service section) or REPLICATE_API_TOKEN."),
        name);
      add_prompt_arguments (procedure, _("What the new area should show; blank for more "
                                         "of the same picture"));
      gimp_procedure_add_choice_argument (procedure, "mode", _("E_xpand"),
                                          _("Where the canvas grows"),
                                          outpaint_choice (FF_OUTPAINT_ZOOM_OUT_1_5X),
                                          "zoom-out-1.5x", G_PARAM_READWRITE);
      add_model_arguments (procedure);
      add_output_arguments (procedure);
      flux_fill_service_add_arguments (procedure);
      return procedure;
    }
  if (g_strcmp0 (name, PLUG_IN_PROC) != 0)
    return NULL;

  procedure = gimp_image_procedure_new (plug_in, name, GIMP_PDB_PROC_TYPE_PLUGIN,
                                        flux_fill_run, NULL, NULL);
  set_common (procedure, _("FLUX _Fill…"));
  gimp_procedure_set_documentation (procedure,
    _("Fill the selection with generated content (FLUX Fill Pro)"),
    _("Sends the area around the selection and a text prompt to the FLUX "
      "Fill Pro model on Replicate and adds what it paints as a new layer, "
      "masked by the selection. The original layer is not changed. A blank "
      "prompt removes what is selected. The API token comes from the desktop "
      "keyring (FLUX Fill's Service section) or the REPLICATE_API_TOKEN "
      "environment variable; REPLICATE_BASE_URL selects another service with "
      "the same API."),
    name);

  /* The order is the PDB's: batch callers pass arguments by position. */
  add_prompt_arguments (procedure, _("What should fill the selection; blank to remove "
                                     "what is selected"));
  add_model_arguments (procedure);
  gimp_procedure_add_choice_argument (procedure, "outpaint", _("O_utpaint"),
                                      _("Extend the picture instead of filling the selection "
                                        "(FLUX Expand does this in its own dialog)"),
                                      outpaint_choice (FF_OUTPAINT_NONE), "none", G_PARAM_READWRITE);
  add_output_arguments (procedure);
  gimp_procedure_add_int_argument (procedure, "feather", _("_Blend edge"),
                                   _("Pixels past the selection over which the fill "
                                     "fades into the picture"),
                                   0, FLUX_FILL_FEATHER_MAX, FLUX_FILL_FEATHER_DEFAULT,
                                   G_PARAM_READWRITE);
  gimp_procedure_add_int_argument (procedure, "context", _("Conte_xt"),
                                   _("Pixels of picture around the selection the model "
                                     "sees; -1 chooses from the image and selection sizes"),
                                   -1, FLUX_FILL_CONTEXT_MAX, -1, G_PARAM_READWRITE);
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

static gboolean
is_expand (GimpProcedureConfig *config)
{
  return g_strcmp0 (gimp_procedure_get_name (gimp_procedure_config_get_procedure (config)),
                    PLUG_IN_PROC_EXPAND) == 0;
}

static void
params_from_config (GimpProcedureConfig *config,
                    FfParams            *params)
{
  g_free (params->prompt);
  g_object_get (config,
                "prompt",            &params->prompt,
                "steps",             &params->steps,
                "guidance",          &params->guidance,
                "safety-tolerance",  &params->safety_tolerance,
                "prompt-upsampling", &params->prompt_upsampling,
                "seed",              &params->seed,
                NULL);
  if (params->prompt == NULL)
    params->prompt = g_strdup ("");
  /* Expand's "mode" is Fill's "outpaint" without "none". */
  params->outpaint = gimp_procedure_config_get_choice_id (config,
                                                          is_expand (config) ? "mode" : "outpaint");
  params->output_format = gimp_procedure_config_get_choice_id (config, "output-format");
}

/* The prompt's first line, shortened: a name to find the layer by. */
static gchar *
layer_name (const FfParams *params)
{
  g_autofree gchar *line = NULL;
  gchar            *newline;

  if (ff_params_is_removal (params))
    return g_strdup (params->outpaint == FF_OUTPAINT_NONE ? _("Removed") : _("Expanded"));
  line = g_strstrip (g_strdup (params->prompt));
  newline = strpbrk (line, "\r\n");
  if (newline != NULL)
    *newline = '\0';
  if (g_utf8_strlen (line, -1) > LAYER_NAME_MAX_CHARS)
    {
      g_autofree gchar *head = g_utf8_substring (line, 0, LAYER_NAME_MAX_CHARS - 1);
      return g_strconcat (head, "…", NULL);
    }
  return g_steal_pointer (&line);
}

typedef struct
{
  gint64 last_pulse;
} Progress;

/* Where a fill's client time goes, for FLUX_FILL_DEBUG=1 and the
 * benchmark (tests/bench): milliseconds per phase.
 */
typedef enum
{
  PHASE_READ, PHASE_ENCODE, PHASE_REQUEST, PHASE_DOWNLOAD, PHASE_DECODE, PHASE_INSERT,
  N_PHASES
} Phase;

typedef struct
{
  gint64  mark;
  gdouble ms[N_PHASES];
  gsize   uploaded;
  glong   start_rss_kb;
} Timings;

static void
timings_lap (Timings *timings,
             Phase    phase)
{
  gint64 now = g_get_monotonic_time ();

  timings->ms[phase] += (now - timings->mark) / 1000.0;
  timings->mark = now;
}

/* A figure of this process's own from /proc/self/status, in kB ("VmHWM:",
 * its peak, or "VmRSS:"): getrusage () would report GIMP's peak, which a
 * child inherits through fork and exec.
 */
static glong
status_kb (const gchar *field)
{
  g_autofree gchar *status = NULL;
  const gchar      *line;

  if (g_file_get_contents ("/proc/self/status", &status, NULL, NULL) &&
      (line = strstr (status, field)) != NULL)
    return strtol (line + strlen (field), NULL, 10);
  return -1;
}

static void
timings_report (const Timings *timings)
{
  if (! ff_debug_enabled ())
    return;
  ff_debug ("timings read=%.1f encode=%.1f request=%.1f download=%.1f "
            "decode=%.1f insert=%.1f ms uploaded=%" G_GSIZE_FORMAT " bytes "
            "peak_rss=%ld kB start_rss=%ld kB",
            timings->ms[PHASE_READ], timings->ms[PHASE_ENCODE],
            timings->ms[PHASE_REQUEST], timings->ms[PHASE_DOWNLOAD],
            timings->ms[PHASE_DECODE], timings->ms[PHASE_INSERT],
            timings->uploaded, status_kb ("VmHWM:"), timings->start_rss_kb);
}

static gboolean
progress_pulse (gpointer user_data)
{
  Progress *progress = user_data;
  gint64    now = g_get_monotonic_time ();

  if (now - progress->last_pulse > G_USEC_PER_SEC / 10)
    {
      gimp_progress_pulse ();
      progress->last_pulse = now;
    }
  return TRUE;
}

typedef struct
{
  FfCancelWatch *watch;
  const gchar   *base_url;
  const gchar   *token;
} WatchArm;

static void
arm_watch (const gchar *prediction_id,
           gpointer     user_data)
{
  WatchArm *arm = user_data;

  ff_cancel_watch_arm (arm->watch, arm->base_url, arm->token, prediction_id);
}

static gpointer
out_of_memory (GError **error)
{
  g_set_error_literal (error, GIMP_PLUG_IN_ERROR, 0,
                       _("Not enough memory for the area to fill."));
  return NULL;
}

/* The model re-encodes the whole crop, so the kept pixels come back
 * drifted in colour; matching them to the original hides the seam.  The
 * match is measured at @result's own size (the model's, where the crop was
 * scaled): a 24-megapixel crop then needs no full-size copy of the result
 * beside the original.
 */
static gboolean
match_colour (GdkPixbuf             *result,
              const FluxFillRegion  *region,
              GError               **error)
{
  gint                 width = gdk_pixbuf_get_width (result);
  gint                 height = gdk_pixbuf_get_height (result);
  g_autoptr(GdkPixbuf) original = ff_image_fit (region->image, width, height);
  g_autofree guint8   *repainted = ff_mask_fit (region->layer_mask, region->crop.width,
                                                region->crop.height, width, height);
  FfSeamStats          stats;

  /* Short of memory here, the insert that follows would be too. */
  if (original == NULL || repainted == NULL ||
      ! ff_blend_match_colour (result, original, repainted, FF_BLEND_SAMPLE_MARGIN, &stats))
    {
      out_of_memory (error);
      return FALSE;
    }
  ff_debug ("seam error %.2f before colour match, %.2f after (shift %+.0f %+.0f %+.0f)",
            stats.before, stats.after, stats.shift[0], stats.shift[1], stats.shift[2]);
  return TRUE;
}

static gdouble
env_seconds (const gchar *name,
             gdouble      fallback)
{
  const gchar *value = g_getenv (name);
  gdouble      seconds;

  /* "inf" and "nan" read as numbers; neither is a time limit. */
  if (value == NULL || (seconds = g_ascii_strtod (value, NULL)) <= 0 || ! isfinite (seconds))
    return fallback;
  return seconds;
}

/* Replicate's advice: files above 256 kB go through its Files API, not
 * inside the JSON.  Aggregators may not offer it; then the data URI goes.
 */
static gchar *
upload_file (FfClient    *client,
             GBytes      *bytes,
             const gchar *mime_type)
{
  g_autoptr(GError) error = NULL;
  const gchar      *name = g_str_equal (mime_type, "image/png") ? "flux-fill-crop.png"
                                                                 : "flux-fill-crop.jpg";
  gchar            *url = ff_client_upload (client, bytes, name, mime_type, &error);

  if (url == NULL)
    ff_debug ("%s; sending a data URI instead", error->message);
  return url;
}

/* Everything between the checked arguments and the inserted layer. */
static GdkPixbuf *
generate (const FfParams        *params,
          const FluxFillRegion  *region,
          FfClient              *client,
          Timings               *timings,
          GError               **error)
{
  g_autoptr(GdkPixbuf) send = NULL;
  g_autoptr(GBytes) image_bytes = NULL;
  const gchar      *mime_type = NULL;
  gsize             uploaded_file = 0;
  g_autoptr(GBytes) mask_png = NULL;
  gint              send_width, send_height;
  g_autoptr(GBytes) output = NULL;
  g_autofree gchar *image_uri = NULL;
  g_autofree gchar *mask_uri = NULL;
  g_autofree gchar *body = NULL;
  g_autofree gchar *output_url = NULL;
  gsize             length = 0;
  GdkPixbuf        *result;

  gimp_progress_set_text (_("Preparing the image…"));
  ff_model_size (region->crop.width, region->crop.height, &send_width, &send_height);
  send = ff_image_fit (region->image, send_width, send_height);
  if (send == NULL)
    return out_of_memory (error);
  image_bytes = ff_image_encode_upload (send, &mime_type, error);
  if (image_bytes == NULL)
    return NULL;
  g_clear_object (&send);
  if (region->layer_mask != NULL)
    {
      send = ff_model_mask (region->layer_mask, region->crop.width, region->crop.height,
                            send_width, send_height);
      if (send == NULL)
        return out_of_memory (error);
      mask_png = ff_image_encode_png (send, error);
      if (mask_png == NULL)
        return NULL;
      mask_uri = ff_data_uri (mask_png, "image/png");
    }
  timings_lap (timings, PHASE_ENCODE);

  if (g_bytes_get_size (image_bytes) > FF_FILES_API_MIN && ff_client_has_files_api (client) &&
      (image_uri = upload_file (client, image_bytes, mime_type)) != NULL)
    uploaded_file = g_bytes_get_size (image_bytes);
  else
    image_uri = ff_data_uri (image_bytes, mime_type);
  g_clear_pointer (&image_bytes, g_bytes_unref);
  body = ff_request_build_body (params, image_uri, mask_uri, &length);
  g_clear_pointer (&image_uri, g_free);
  timings->uploaded = uploaded_file + length;

  gimp_progress_set_text (_("Waiting for FLUX Fill Pro…"));
  output_url = ff_client_predict (client, body, length, error);
  if (output_url == NULL)
    return NULL;
  g_clear_pointer (&body, g_free);
  timings_lap (timings, PHASE_REQUEST);

  gimp_progress_set_text (_("Downloading the result…"));
  output = ff_client_download (client, output_url, error);
  if (output == NULL)
    return NULL;
  timings_lap (timings, PHASE_DOWNLOAD);

  /* Held to what this request can produce: a hostile host's 34-byte file
   * must not become gigabytes of pixels.
   */
  result = ff_image_decode (output, ff_output_pixel_limit (send_width, send_height), error);
  if (result == NULL)
    {
      g_prefix_error (error, _("The result could not be read: "));
      return NULL;
    }
  timings_lap (timings, PHASE_DECODE);
  return result;
}

/* One fill (or expansion) with the values in @config.  Returns the
 * status, with @error set for anything but GIMP_PDB_SUCCESS.
 */
static GimpPDBStatusType
fill (GimpImage            *image,
      GimpDrawable         *drawable,
      GimpProcedureConfig  *config,
      GError              **error)
{
  FfParams             params;
  FluxFillRegion       region = { 0 };
  Progress             progress = { 0 };
  Timings              timings = { 0 };
  FfClientTiming       timing;
  WatchArm             arm = { NULL };
  g_autofree gchar    *base_url = NULL;
  g_autofree gchar    *configured = flux_fill_service_configured_url (config);
  g_autoptr(FfToken)   token = NULL;
  g_autoptr(FfClient)  client = NULL;
  g_autoptr(GdkPixbuf) result = NULL;
  g_autofree gchar    *name = NULL;
  gint                 feather = 0, context = -1;

  ff_params_init (&params);
  params_from_config (config, &params);
  if (! ff_params_validate (&params, error))
    {
      ff_params_clear (&params);
      g_prefix_error (error, _("Invalid argument "));
      return GIMP_PDB_CALLING_ERROR;
    }

  if (! flux_fill_service_resolve (configured, &base_url, &token, error))
    {
      ff_params_clear (&params);
      return GIMP_PDB_EXECUTION_ERROR;
    }
  arm.base_url = base_url;
  arm.token = token;
  client = ff_client_new (base_url, token, error);
  if (client == NULL)
    {
      ff_params_clear (&params);
      g_prefix_error (error, _("FLUX Fill is not set up: "));
      return GIMP_PDB_EXECUTION_ERROR;
    }
  timing = FF_CLIENT_TIMING_DEFAULT;
  timing.limit_seconds = env_seconds ("FLUX_FILL_TIMEOUT", timing.limit_seconds);
  ff_client_set_timing (client, &timing);
  ff_client_set_progress (client, progress_pulse, &progress);

  timings.mark = g_get_monotonic_time ();
  if (ff_debug_enabled ())
    timings.start_rss_kb = status_kb ("VmRSS:");
  if (! is_expand (config))
    g_object_get (config, "feather", &feather, "context", &context, NULL);
  if (! flux_fill_region_read (image, drawable, params.outpaint, context, feather,
                               &region, error))
    {
      ff_params_clear (&params);
      return GIMP_PDB_EXECUTION_ERROR;
    }

  timings_lap (&timings, PHASE_READ);

  /* Best effort: without a watchman the fill works, it is only billed in
   * full when GIMP kills us.
   */
  arm.watch = ff_cancel_watch_start (gimp_get_progname (), NULL);
  if (arm.watch != NULL)
    ff_client_set_created (client, arm_watch, &arm);

  gimp_progress_init (_("FLUX Fill"));
  result = generate (&params, &region, client, &timings, error);
  g_clear_pointer (&arm.watch, ff_cancel_watch_free);
  if (result != NULL && params.outpaint == FF_OUTPAINT_NONE)
    {
      g_autoptr(GdkPixbuf) fitted = NULL;

      if (match_colour (result, &region, error))
        {
          /* Not needed past here; a 24-megapixel crop is 72 MB. */
          g_clear_object (&region.image);
          fitted = ff_image_fit (result, region.crop.width, region.crop.height);
          if (fitted == NULL)
            out_of_memory (error);
        }
      g_set_object (&result, fitted);
      timings_lap (&timings, PHASE_DECODE);
    }
  /* Ended before the image is touched: GIMP kills a plug-in whose
   * progress the user cancels, and it must not die half-way through.
   */
  gimp_progress_end ();
  if (result != NULL)
    {
      name = layer_name (&params);
      if (flux_fill_insert_result (image, drawable, &region, params.outpaint,
                                   result, name, error))
        {
          timings_lap (&timings, PHASE_INSERT);
          timings_report (&timings);
        }
    }
  flux_fill_region_clear (&region);
  ff_params_clear (&params);

  if (result == NULL || (error != NULL && *error != NULL))
    {
      g_prefix_error (error, _("FLUX Fill failed: "));
      return GIMP_PDB_EXECUTION_ERROR;
    }
  return GIMP_PDB_SUCCESS;
}

/* A token typed into the dialog goes to the keyring under the base URL a
 * fill will use; never anywhere else.
 */
static gboolean
keep_token (GimpProcedureConfig  *config,
            const gchar          *token,
            GError              **error)
{
  const gchar      *env = g_getenv ("REPLICATE_BASE_URL");
  g_autofree gchar *configured = flux_fill_service_configured_url (config);
  g_autofree gchar *url = ff_token_base_url (env != NULL && *env ? env : configured);
  g_autoptr(GError) local = NULL;

  if (ff_token_store (url, token, &local))
    return TRUE;
  if (g_error_matches (local, FF_TOKEN_ERROR, FF_TOKEN_ERROR_NO_SERVICE))
    g_set_error (error, GIMP_PLUG_IN_ERROR, 0,
                 _("This session has no keyring (Secret Service), so the token cannot "
                   "be kept. Set REPLICATE_API_TOKEN before starting GIMP, or store the "
                   "token in a session that has a keyring with: secret-tool store "
                   "--label='FLUX Fill token' application flux-fill base-url %s"), url);
  else
    g_set_error (error, GIMP_PLUG_IN_ERROR, 0,
                 _("The token could not be saved in your keyring: %s"), local->message);
  return FALSE;
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

  gegl_init (NULL, NULL);

  if (gimp_core_object_array_get_length ((GObject **) drawables) != 1 ||
      ! GIMP_IS_LAYER (drawables[0]) || GIMP_IS_LAYER_MASK (drawables[0]))
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
  if (run_mode != GIMP_RUN_NONINTERACTIVE && ! is_expand (config))
    g_object_set (config, "outpaint", "none", NULL);

  if (run_mode != GIMP_RUN_INTERACTIVE)
    {
      status = fill (image, drawables[0], config, &error);
      return status == GIMP_PDB_SUCCESS
        ? gimp_procedure_new_return_values (procedure, status, NULL)
        : fail (procedure, status, error);
    }

  /* Interactive: an error is shown in the dialog, which comes back with
   * everything the user typed; only Cancel (or a fill) ends the run.
   */
  do
    {
      g_autofree gchar  *message = error ? g_strdup (error->message) : NULL;
      g_autoptr(FfToken) typed = NULL;

      g_clear_error (&error);
      if (! flux_fill_dialog (procedure, config, image, drawables[0], message, &typed))
        return gimp_procedure_new_return_values (procedure, GIMP_PDB_CANCEL, NULL);
      if (typed != NULL && ! keep_token (config, typed, &error))
        {
          status = GIMP_PDB_EXECUTION_ERROR;
          continue;
        }
      status = fill (image, drawables[0], config, &error);
      if (error != NULL && error->domain == FF_HTTP_ERROR &&
          (error->code == 401 || error->code == 403))
        g_prefix_error (&error, "%s ", _("The service refused the API token: check it in "
                                         "the Service section below."));
    }
  while (status != GIMP_PDB_SUCCESS);
  /* libgimp flushes the displays after an interactive or repeated run. */
  return gimp_procedure_new_return_values (procedure, GIMP_PDB_SUCCESS, NULL);
}
