/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One run of FLUX Fill, Expand, Edit or Fill Again, once the arguments
 * are known: what to fill (FillSpec), the region, the pipeline of the core
 * (fill-job) with GIMP's progress, and the results into the image.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <libgimp/gimp.h>
#include <glib/gi18n-lib.h>

#include "debug-log.h"
#include "fill-blend.h"
#include "fill-job.h"
#include "fill-params.h"
#include "fill-record.h"
#include "image-codec.h"
#include "model.h"
#include "service-client.h"

#include "flux-fill.h"
#include "flux-fill-dialog.h"
#include "flux-fill-edit.h"
#include "flux-fill-insert.h"
#include "flux-fill-record.h"
#include "flux-fill-region.h"
#include "flux-fill-run.h"
#include "flux-fill-service.h"

#define LAYER_NAME_MAX_CHARS 60

gboolean
flux_fill_is_expand (GimpProcedureConfig *config)
{
  return g_strcmp0 (gimp_procedure_get_name (gimp_procedure_config_get_procedure (config)),
                    PLUG_IN_PROC_EXPAND) == 0;
}

gboolean
flux_fill_is_edit (GimpProcedureConfig *config)
{
  return g_strcmp0 (gimp_procedure_get_name (gimp_procedure_config_get_procedure (config)),
                    PLUG_IN_PROC_EDIT) == 0;
}

static void
params_from_config (GimpProcedureConfig *config,
                    FfParams            *params)
{
  g_free (params->prompt);
  g_object_get (config,
                "prompt",            &params->prompt,
                "safety-tolerance",  &params->safety_tolerance,
                "prompt-upsampling", &params->prompt_upsampling,
                "seed",              &params->seed,
                NULL);
  if (params->prompt == NULL)
    params->prompt = g_strdup ("");
  params->output_format = gimp_procedure_config_get_choice_id (config, "output-format");
  /* An edit has neither: its models take no steps or guidance. */
  if (flux_fill_is_edit (config))
    return;
  g_object_get (config,
                "steps",             &params->steps,
                "guidance",          &params->guidance,
                NULL);
  /* Expand's "mode" is Fill's "outpaint" without "none". */
  params->outpaint = gimp_procedure_config_get_choice_id (config,
                                                          flux_fill_is_expand (config) ? "mode" : "outpaint");
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
  gint64  last_pulse;
  gchar  *text;        /* what the bar says now */
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

/* What the variations are doing, in GIMP's progress bar.  GIMP's Cancel
 * kills the plug-in; the watchmen then cancel every prediction.
 */
static void
show_progress (const FfFillProgress *progress,
               gpointer              user_data)
{
  Progress         *pulse = user_data;
  g_autofree gchar *text = NULL;

  if (progress->total > 1)
    text = g_strdup_printf (_("Generating %u variations… %.0f s · %u of %u done"),
                            progress->total, progress->elapsed,
                            progress->done, progress->total);
  else if (progress->downloading > 0)
    text = g_strdup (_("Downloading the result…"));
  else if (progress->generating > 0)
    text = g_strdup_printf (_("Generating… %.0f s"), progress->elapsed);
  else
    text = g_strdup_printf (_("Queued on the service… %.0f s"), progress->elapsed);
  if (progress->total > 1 || g_strcmp0 (text, pulse->text) != 0)
    {
      gimp_progress_set_text (text);
      g_set_str (&pulse->text, text);
    }
  progress_pulse (pulse);
}

/* Everything between the encoded region and the results: @n variations
 * on the service at the same time.  Returns how many succeeded; @results
 * has the successes first, @error the first failure.
 */
static guint
generate (const FfParams        *params,
          gboolean               edit,
          const FfFillUpload    *upload,
          const FfService       *service,
          guint                  n,
          Timings               *timings,
          GdkPixbuf            **results,
          gint                  *seeds,
          gint                  *costs,
          GError               **error)
{
  GdkPixbuf              *made[FF_VARIATIONS_MAX] = { NULL };
  gint                    charged[FF_VARIATIONS_MAX];
  GError                 *errors[FF_VARIATIONS_MAX] = { NULL };
  gint                    tried[FF_VARIATIONS_MAX];
  Progress                progress = { 0 };
  guint                   ok = 0, failed = 0;

  ff_fill_seeds (params->seed, n, tried);
  ff_fill_run (service, upload, params, tried, n, NULL, show_progress, &progress,
               made, charged, errors);
  g_free (progress.text);
  timings_lap (timings, PHASE_REQUEST);

  for (guint i = 0; i < n; i++)
    if (made[i] != NULL)
      {
        seeds[ok] = tried[i];
        costs[ok] = charged[i];
        results[ok++] = made[i];
      }
    else
      {
        if (failed++ == 0)
          g_propagate_error (error, g_steal_pointer (&errors[i]));
        g_clear_error (&errors[i]);
      }
  /* Some made it: keep them, and say how many did not, and why. */
  if (ok > 0 && failed > 0)
    g_message (edit ? ngettext ("FLUX Edit: %u of %u variations failed: %s",
                                "FLUX Edit: %u of %u variations failed: %s", failed)
                    : ngettext ("FLUX Fill: %u of %u variations failed: %s",
                                "FLUX Fill: %u of %u variations failed: %s", failed),
               failed, n, (*error)->message);
  if (ok > 0)
    g_clear_error (error);
  return ok;
}

/* What a run does: with which values, from which layer, where the
 * results go.  From @config, or from the record of an earlier fill when
 * a generated layer, its mask or its group is active.
 */
typedef struct
{
  FfParams      params;
  gint          feather;
  gint          context;
  gint          variations;
  gboolean      sample_merged;
  GimpDrawable *source;      /* the layer the picture comes from */
  GimpItem     *above;       /* what the results go above (or into, as @earlier) */
  GimpLayer    *earlier;     /* nullable: earlier results of this fill (group or layer) */
  FfRecord      record;      /* of @earlier */
  FfRect        selection;   /* the bounds of what is filled, for the records */
  gboolean      edit;        /* FLUX Edit's, or an edit's made again */
  gboolean      again;       /* as recorded on @earlier (Fill Again; Ctrl+F on an edit) */
  gboolean      whole;       /* an edit of the whole picture: no mask */
  FluxFillEdit  editing;     /* the edit's model and reference, once the provider is known */
} FillSpec;

static void
fill_spec_clear (FillSpec *spec)
{
  ff_params_clear (&spec->params);
  ff_record_clear (&spec->record);
  flux_fill_edit_clear (&spec->editing);
}

static GimpPDBStatusType
fill_spec_read (GimpImage            *image,
                GimpDrawable         *drawable,
                GimpProcedureConfig  *config,
                gboolean              again,
                GimpRunMode           run_mode,
                FillSpec             *spec,
                GError              **error)
{
  *spec = (FillSpec) { .feather = 0, .context = -1, .variations = 1,
                       .sample_merged = TRUE, .source = drawable,
                       .edit = flux_fill_is_edit (config) };
  ff_params_init (&spec->params);
  /* Expand always extends the picture; Fill, Edit and Fill Again come
   * back to an earlier run of their kind when one of its layers is active.
   */
  if (! flux_fill_is_expand (config))
    spec->earlier = flux_fill_record_target_kind (image, drawable, again, spec->edit,
                                                  &spec->record, &spec->source,
                                                  &spec->above, error);
  else
    spec->source = flux_fill_record_expand_source (image, drawable, &spec->above);
  if (error != NULL && *error != NULL)
    return GIMP_PDB_EXECUTION_ERROR;
  /* Ctrl+F on an edit's result makes it again as recorded, as Fill Again
   * does: the last values may name a reference layer that is gone.
   */
  if (spec->edit && spec->earlier != NULL && run_mode == GIMP_RUN_WITH_LAST_VALS)
    again = TRUE;
  spec->again = again;
  if (again && spec->earlier != NULL)
    spec->edit = spec->record.edit;
  if (spec->earlier == NULL && again)
    {
      g_set_error_literal (error, GIMP_PLUG_IN_ERROR, 0,
                           _("FLUX Fill Again works on a layer made by FLUX Fill, its group "
                             "or its mask. Select one in the Layers dialog."));
      return GIMP_PDB_CALLING_ERROR;
    }
  if (spec->earlier == NULL && GIMP_IS_LAYER_MASK (spec->source))
    {
      g_set_error_literal (error, GIMP_PLUG_IN_ERROR, 0,
                           _("FLUX Fill works on a layer, not on a layer mask (but for the "
                             "mask of a layer it made). Select the layer itself."));
      return GIMP_PDB_CALLING_ERROR;
    }
  if (again)
    {
      /* The recorded prompt and parameters, with new seeds. */
      ff_params_clear (&spec->params);
      spec->params = spec->record.params;
      spec->params.prompt = g_strdup (spec->record.params.prompt);
      spec->params.seed = FF_SEED_RANDOM;
      spec->feather = spec->record.feather;
      spec->context = spec->record.context;
      spec->variations = spec->record.variations;
      spec->sample_merged = spec->record.sample_merged;
      return GIMP_PDB_SUCCESS;
    }
  params_from_config (config, &spec->params);
  /* An edit's ranges are its model's: checked once the provider is known. */
  if (! spec->edit && ! ff_params_validate (&spec->params, error))
    {
      g_prefix_error (error, _("Invalid argument "));
      return GIMP_PDB_CALLING_ERROR;
    }
  if (! flux_fill_is_expand (config))
    g_object_get (config, "feather", &spec->feather, "context", &spec->context, NULL);
  g_object_get (config, "variations", &spec->variations,
                "sample-merged", &spec->sample_merged, NULL);
  return GIMP_PDB_SUCCESS;
}

/* An edit's region: around the selection, widened to a shape the model
 * takes, or the whole picture when nothing is selected.
 */
static gboolean
edit_region (GimpImage       *image,
             FillSpec        *spec,
             FluxFillRegion  *region,
             GError         **error)
{
  FfRect crop;

  if (! flux_fill_region_plan_edit (image, spec->source, spec->context, spec->sample_merged,
                                    spec->editing.model->max_aspect, &crop, &spec->whole, error))
    return FALSE;
  if (spec->whole)
    spec->selection = crop;
  return flux_fill_region_read_crop (image, spec->source, &crop, ! spec->whole, spec->feather,
                                     spec->sample_merged, region, error);
}

/* The region to fill: around the selection, or, filling again with no
 * selection, the earlier fill's own area and mask (an earlier edit of
 * the whole picture: the whole picture again).
 */
static gboolean
fill_spec_region (GimpImage       *image,
                  FillSpec        *spec,
                  FluxFillRegion  *region,
                  GError         **error)
{
  gboolean       selected = FALSE;
  gint           x1, y1, x2, y2;
  GimpLayerMask *mask;

  gimp_selection_bounds (image, &selected, &x1, &y1, &x2, &y2);
  if (spec->earlier == NULL || selected || (spec->edit && spec->record.whole))
    {
      spec->selection = (FfRect) { x1, y1, x2 - x1, y2 - y1 };
      if (spec->edit)
        return edit_region (image, spec, region, error);
      return flux_fill_region_read (image, spec->source, spec->params.outpaint, spec->context,
                                    spec->feather, spec->sample_merged, region, error);
    }
  spec->selection = spec->record.selection;
  mask = flux_fill_record_mask (spec->earlier);
  if (mask == NULL)
    {
      g_set_error_literal (error, GIMP_PLUG_IN_ERROR, 0,
                           _("The earlier fill has lost its mask. Select an area to fill."));
      return FALSE;
    }
  return flux_fill_region_read_recorded (image, spec->source, &spec->record.rect, mask,
                                         spec->sample_merged, region, error);
}

/* The record each result carries: how to make it again.  (transfer full) */
static gchar **
make_records (const FillSpec       *spec,
              const FluxFillRegion *region,
              const FfResolved     *target,
              const gint           *seeds,
              const gint           *costs,
              guint                 n)
{
  gchar         **records = g_new0 (gchar *, n + 1);
  g_autofree gchar *source_name = gimp_item_get_name (GIMP_ITEM (spec->source));
  FfRecord        record = {
    .params = spec->params,
    .feather = spec->feather,
    .context = spec->context,
    .variations = spec->variations,
    .sample_merged = spec->sample_merged,
    .model = (gchar *) (spec->edit ? spec->editing.model->id : FF_MODEL_FILL_PRO),
    .provider = (gchar *) target->provider->nick,
    .service_url = target->base_url,
    .source_tattoo = gimp_item_get_tattoo (GIMP_ITEM (spec->source)),
    .source_name = source_name,
    .rect = region->crop,
    .selection = spec->selection,
    .edit = spec->edit,
    .whole = spec->whole,
    .reference_name = spec->editing.reference_name,
  };

  for (guint i = 0; i < n; i++)
    {
      record.params.seed = seeds[i];
      record.cost = costs[i];
      records[i] = ff_record_to_json (&record, NULL);
    }
  return records;
}

/* What a run is about to spend, where, in the progress bar before
 * anything is sent: a run without a dialog (Ctrl+F, Fill Again, batch)
 * has no other place to say it.  An edit's (@upload, encoded: its price
 * follows the sizes sent) names its model too.  (transfer full)
 */
static gchar *
cost_text (GimpProcedureConfig *config,
           const FillSpec      *spec,
           const FfFillUpload  *upload,
           const gchar         *base_url,
           guint                n)
{
  g_autofree gchar *name = flux_fill_service_name (base_url);
  g_autofree gchar *cost = NULL;
  gdouble           price = FLUX_FILL_PRICE_DEFAULT;
  gboolean          more = spec->earlier != NULL;

  if (spec->edit)
    {
      cost = flux_fill_service_price_text (flux_fill_edit_cost (&spec->editing, config,
                                                                upload) * n);
      /* TRANSLATORS: the count, the model's name, the service, the cost. */
      return more ? g_strdup_printf (ngettext ("Editing %u more variation with %s at %s · "
                                               "about $%s…",
                                               "Editing %u more variations with %s at %s · "
                                               "about $%s…", n),
                                     n, spec->editing.model->label, name, cost)
                  : g_strdup_printf (ngettext ("Editing %u image with %s at %s · about $%s…",
                                               "Editing %u images with %s at %s · about $%s…",
                                               n),
                                     n, spec->editing.model->label, name, cost);
    }
  g_object_get (config, "price", &price, NULL);
  cost = flux_fill_service_price_text (price * n);
  if (more)
    return g_strdup_printf (ngettext ("Generating %u more variation at %s · about $%s…",
                                      "Generating %u more variations at %s · about $%s…", n),
                            n, name, cost);
  return g_strdup_printf (ngettext ("Generating %u image at %s · about $%s…",
                                    "Generating %u images at %s · about $%s…", n),
                          n, name, cost);
}

/* The cost in the progress bar (and the debug log) before sending. */
static void
announce (GimpProcedureConfig *config,
          const FillSpec      *spec,
          const FfFillUpload  *upload,
          const gchar         *base_url,
          guint                n)
{
  g_autofree gchar *text = cost_text (config, spec, upload, base_url, n);

  ff_debug ("progress: %s", text);
  gimp_progress_init (text);
}

/* The record says where a fill was made; a file chooses nothing.  An
 * interactive run asks before it sends to another service than that;
 * the others go to the configured one and say its name in the progress.
 */
static gboolean
confirm_service (const FillSpec *spec,
                 const gchar    *base_url,
                 GimpRunMode     run_mode)
{
  const gchar      *made_at = spec->record.service_url;
  g_autofree gchar *made_name = NULL;
  g_autofree gchar *use_name = NULL;

  if (spec->earlier == NULL || made_at == NULL || *made_at == '\0' ||
      flux_fill_service_same (made_at, base_url))
    return TRUE;
  made_name = flux_fill_service_name (made_at);
  use_name = flux_fill_service_name (base_url);
  ff_debug ("the record names another service; using the configured one");
  if (run_mode != GIMP_RUN_INTERACTIVE)
    return TRUE;
  /* Same host, another path: show what tells them apart. */
  if (g_strcmp0 (made_name, use_name) == 0)
    {
      g_set_str (&made_name, made_at);
      g_set_str (&use_name, base_url);
    }
  return flux_fill_dialog_confirm_service (made_name, use_name);
}

/* One fill (or expansion) with the values in @config, or, @again, with
 * those recorded on the active generated layer.  Returns the status,
 * with @error set for anything but GIMP_PDB_SUCCESS and GIMP_PDB_CANCEL.
 */
GimpPDBStatusType
flux_fill_fill (GimpImage            *image,
                GimpDrawable         *drawable,
                GimpProcedureConfig  *config,
                gboolean              again,
                GimpRunMode           run_mode,
                const gchar          *typed,
                GError              **error)
{
  FillSpec             spec;
  FluxFillRegion       region = { 0 };
  Progress             progress = { 0 };
  Timings              timings = { 0 };
  FfService            service = { NULL };
  g_autoptr(FfFillUpload) upload = NULL;
  g_auto(FfResolved)   target = { 0 };
  const gchar         *base_url;
  g_autoptr(FfToken)   token = NULL;
  g_autoptr(FfClient)  client = NULL;
  GdkPixbuf           *results[FF_VARIATIONS_MAX] = { NULL };
  gint                 seeds[FF_VARIATIONS_MAX] = { 0 };
  gint                 costs[FF_VARIATIONS_MAX] = { 0 };
  g_auto(GStrv)        records = NULL;
  g_autofree gchar    *name = NULL;
  GimpPDBStatusType    status;
  guint                made = 0;
  guint                n;
  gboolean             edited;

  status = fill_spec_read (image, drawable, config, again, run_mode, &spec, error);
  if (status != GIMP_PDB_SUCCESS)
    {
      fill_spec_clear (&spec);
      return status;
    }
  n = (guint) CLAMP (spec.variations, 1, FF_VARIATIONS_MAX);

  /* Always the configured service: the environment, else the one the
   * dialogs share.  The record's is information only.
   */
  if (! flux_fill_service_target (config, &target, error))
    {
      fill_spec_clear (&spec);
      return GIMP_PDB_EXECUTION_ERROR;
    }
  base_url = target.base_url;
  /* An edit's model is the provider's: checked before anything is sent. */
  if (spec.edit)
    {
      status = flux_fill_edit_resolve (image, config, run_mode, spec.again ? &spec.record : NULL,
                                       target.provider, &spec.params, &spec.editing, error);
      if (status != GIMP_PDB_SUCCESS)
        {
          fill_spec_clear (&spec);
          return status;
        }
    }
  if (! confirm_service (&spec, base_url, run_mode))
    {
      fill_spec_clear (&spec);
      return GIMP_PDB_CANCEL;
    }
  if (typed != NULL)
    token = g_strdup (typed);
  else if (! flux_fill_service_key (&target, &token, error))
    {
      fill_spec_clear (&spec);
      return GIMP_PDB_EXECUTION_ERROR;
    }
  client = ff_client_new_for (target.provider, base_url, token, error);
  if (client == NULL)
    {
      fill_spec_clear (&spec);
      g_prefix_error (error, _("FLUX Fill is not set up: "));
      return GIMP_PDB_EXECUTION_ERROR;
    }
  service = (FfService) { base_url, token, FF_CLIENT_TIMING_DEFAULT, gimp_get_progname (),
                          target.provider };
  service.timing.limit_seconds = env_seconds ("FLUX_FILL_TIMEOUT", service.timing.limit_seconds);
  ff_client_set_timing (client, &service.timing);
  ff_client_set_progress (client, progress_pulse, &progress);

  timings.mark = g_get_monotonic_time ();
  if (ff_debug_enabled ())
    timings.start_rss_kb = status_kb ("VmRSS:");
  if (! fill_spec_region (image, &spec, &region, error))
    {
      fill_spec_clear (&spec);
      return GIMP_PDB_EXECUTION_ERROR;
    }

  timings_lap (&timings, PHASE_READ);

  /* A fill's cost is known before its encoding (which may upload a
   * file); an edit's follows the sizes the encoding sends.
   */
  if (! spec.edit)
    announce (config, &spec, NULL, base_url, n);
  upload = spec.edit ? flux_fill_edit_upload (&spec.editing, client, region.image, error)
                     : ff_fill_upload_new (client, region.image, region.layer_mask, error);
  if (upload != NULL)
    {
      timings_lap (&timings, PHASE_ENCODE);
      timings.uploaded = ff_fill_upload_size (upload, &spec.params);
      if (spec.edit)
        announce (config, &spec, upload, base_url, n);
      made = generate (&spec.params, spec.edit, upload, &service, n, &timings, results, seeds,
                       costs, error);
    }
  timings_lap (&timings, PHASE_DOWNLOAD);
  /* Matched at the model's size, all before the crop (72 MB for 24
   * megapixels) is freed; each result is scaled back onto the crop only
   * as its layer is built, one at a time.
   */
  /* An edit's colours may change on purpose: no match. */
  for (guint i = 0; i < made && spec.params.outpaint == FF_OUTPAINT_NONE && ! spec.edit; i++)
    if (! match_colour (results[i], &region, error))
      break;
  g_clear_object (&region.image);
  timings_lap (&timings, PHASE_DECODE);
  /* Ended before the image is touched: GIMP kills a plug-in whose
   * progress the user cancels, and it must not die half-way through.
   */
  gimp_progress_end ();
  if (made > 0 && (error == NULL || *error == NULL))
    {
      name = layer_name (&spec.params);
      records = make_records (&spec, &region, &target, seeds, costs, made);
      if (flux_fill_insert_results (image, GIMP_DRAWABLE (spec.above), &region,
                                    spec.params.outpaint, results, seeds, made, name, records,
                                    spec.earlier, error))
        {
          timings_lap (&timings, PHASE_INSERT);
          timings_report (&timings);
        }
    }
  for (guint i = 0; i < made; i++)
    g_clear_object (&results[i]);
  flux_fill_region_clear (&region);
  edited = spec.edit;
  fill_spec_clear (&spec);

  if (made == 0 || (error != NULL && *error != NULL))
    {
      g_prefix_error (error, edited ? _("FLUX Edit failed: ") : _("FLUX Fill failed: "));
      flux_fill_service_explain (error, typed != NULL);
      return GIMP_PDB_EXECUTION_ERROR;
    }
  return GIMP_PDB_SUCCESS;
}
