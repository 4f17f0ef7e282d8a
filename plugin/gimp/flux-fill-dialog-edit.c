/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <libgimp/gimp.h>
#include <libgimp/gimpui.h>
#include <glib/gi18n-lib.h>

#include "fill-geometry.h"
#include "fill-params.h"
#include "model.h"

#include "flux-fill-dialog-edit.h"
#include "flux-fill-edit.h"
#include "flux-fill-region.h"
#include "flux-fill-service.h"

/* Past this the result looks soft on the canvas: the line says so. */
#define UPSCALE_WARN 1.5

/* What an edit would send, worked out without reading a pixel. */
typedef struct
{
  const FfModel *model;
  FfRect         crop;          /* image coordinates */
  gboolean       whole;         /* no selection: the whole picture */
  gint           out_width;     /* what the model answers, and the picture is sent at */
  gint           out_height;
  gint64         input_pixels;  /* the picture and the reference, as sent */
  guint          n_references;
} EditPlan;

/* The crop around the selection (or the whole picture) in a shape
 * @plan's model takes, as the run plans it.
 */
static gboolean
edit_area (GimpProcedureConfig *config,
           GimpImage           *image,
           GimpDrawable        *drawable,
           EditPlan            *plan,
           GError             **error)
{
  gboolean sample_merged = TRUE;
  gint     context = -1;

  g_object_get (config, "sample-merged", &sample_merged, "context", &context, NULL);
  if (GIMP_IS_LAYER_MASK (drawable))
    drawable = GIMP_DRAWABLE (gimp_layer_from_mask (GIMP_LAYER_MASK (drawable)));
  return flux_fill_region_plan_edit (image, drawable, context, sample_merged,
                                     plan->model->max_aspect, &plan->crop, &plan->whole,
                                     error);
}

/* The model, the area, the sizes and the pixels an edit would send. */
static gboolean
edit_plan (GimpProcedureConfig *config,
           const FfResolved    *target,
           GimpImage           *image,
           GimpDrawable        *drawable,
           EditPlan            *plan,
           GError             **error)
{
  g_autofree gchar        *model_id = NULL;
  g_autoptr(GimpDrawable)  reference = NULL;

  *plan = (EditPlan) { 0 };
  g_object_get (config, "model", &model_id, "reference", &reference, NULL);
  plan->model = ff_model_by_id (target->provider->id, model_id);
  if (plan->model == NULL)
    {
      g_autofree gchar *name = flux_fill_service_name (target->base_url);

      g_set_error (error, GIMP_PLUG_IN_ERROR, 0, _("%s does not run the model “%s”."),
                   name, model_id);
      return FALSE;
    }
  if (! edit_area (config, image, drawable, plan, error))
    return FALSE;
  /* The picture goes at the size the model answers, so the way back is one scale. */
  ff_model_output_size (plan->model, plan->crop.width, plan->crop.height,
                        &plan->out_width, &plan->out_height);
  plan->input_pixels = (gint64) plan->out_width * plan->out_height;
  if (reference != NULL && ! gimp_item_is_valid (GIMP_ITEM (reference)))
    {
      g_set_error_literal (error, GIMP_PLUG_IN_ERROR, 0,
                           _("The reference layer is gone. Choose another, or No reference."));
      return FALSE;
    }
  /* As the run refuses it: a record finds its reference again by a layer's name. */
  if (reference != NULL && ! GIMP_IS_LAYER (reference))
    {
      g_set_error_literal (error, GIMP_PLUG_IN_ERROR, 0,
                           _("reference: choose a layer, not a mask or a channel"));
      return FALSE;
    }
  if (reference != NULL)
    {
      gint width, height;

      /* At the size the run sends it. */
      ff_model_reference_size (gimp_drawable_get_width (reference),
                               gimp_drawable_get_height (reference), &width, &height);
      plan->input_pixels += (gint64) width * height;
      plan->n_references = 1;
    }
  return TRUE;
}

/* Whether @plan's model takes the values in @config: its safety range
 * with an input image, its number of images.
 */
static gboolean
edit_model_check (GimpProcedureConfig *config,
                  const EditPlan      *plan,
                  GError             **error)
{
  FfParams params;
  gboolean ok;

  ff_params_init (&params);
  g_free (params.prompt);
  g_object_get (config, "prompt", &params.prompt,
                "safety-tolerance", &params.safety_tolerance,
                "prompt-upsampling", &params.prompt_upsampling,
                "seed", &params.seed, NULL);
  params.output_format = gimp_procedure_config_get_choice_id (config, "output-format");
  ok = ff_model_check_edit (plan->model, &params, plan->n_references, error);
  ff_params_clear (&params);
  return ok;
}

/* "FLUX.1 Kontext [pro]" kept on one line of the wrapped line. */
static gchar *
unbroken (const gchar *label)
{
  g_auto(GStrv) words = g_strsplit (label, " ", -1);

  return g_strjoinv ("\u00a0", words);
}

gchar *
flux_fill_dialog_edit_line (GimpProcedureConfig *config,
                            const FfResolved    *target,
                            GimpImage           *image,
                            GimpDrawable        *drawable,
                            gboolean            *whole,
                            gchar              **notes,
                            GError             **error)
{
  g_autoptr(GError)  refused = NULL;
  g_autofree gchar  *name = flux_fill_service_name (target->base_url);
  g_autofree gchar  *cost = NULL;
  g_autofree gchar  *model = NULL;
  g_autoptr(GString) said = g_string_new (NULL);
  EditPlan           plan;
  gdouble            price = 0, scale;
  gint               variations = 1;

  *notes = NULL;
  *whole = FALSE;
  if (! edit_plan (config, target, image, drawable, &plan, error))
    return NULL;
  *whole = plan.whole;
  model = unbroken (plan.model->label);
  g_object_get (config, "variations", &variations, NULL);
  price = flux_fill_edit_price (config, plan.model);
  /* Every variation is a prediction of its own, paid for. */
  cost = flux_fill_service_price_text (ff_model_cost_at (plan.model, price, plan.out_width,
                                                         plan.out_height, plan.input_pixels) *
                                       MAX (variations, 1));

  /* The scale back onto the crop: one factor, the crop having the model's shape. */
  scale = MAX ((gdouble) plan.crop.width / plan.out_width,
               (gdouble) plan.crop.height / plan.out_height);
  if (scale > UPSCALE_WARN)
    {
      g_autofree gchar *mp = flux_fill_service_number_text ((gdouble) plan.out_width *
                                                            plan.out_height / FF_MEGAPIXEL, 1);
      g_autofree gchar *times = flux_fill_service_number_text (scale, 1);

      g_string_append_printf (said, plan.whole
                              ? _("It comes back at about %s MP, scaled up %s×: select an "
                                  "area for more detail.")
                              : _("It comes back at about %s MP, scaled up %s×: select a "
                                  "smaller area for more detail."), mp, times);
    }
  if (! edit_model_check (config, &plan, &refused))
    g_string_append_printf (said, "%s%s", said->len > 0 ? "\n" : "", refused->message);
  if (said->len > 0)
    *notes = g_string_free (g_steal_pointer (&said), FALSE);

  if (plan.whole)
    return g_strdup_printf (_("Edits the whole picture: sends %d × %d px to %s for %s, "
                              "back at %d × %d px · about $%s"),
                            plan.crop.width, plan.crop.height, name, model,
                            plan.out_width, plan.out_height, cost);
  return g_strdup_printf (_("Sends a %d × %d px area to %s for %s, back at %d × %d px · "
                            "about $%s"),
                          plan.crop.width, plan.crop.height, name, model,
                          plan.out_width, plan.out_height, cost);
}

gchar *
flux_fill_dialog_edit_check (GimpProcedureConfig *config,
                             const FfResolved    *target,
                             GimpImage           *image,
                             GimpDrawable        *drawable)
{
  g_autoptr(GError)  error = NULL;
  g_autofree gchar  *prompt = NULL;
  EditPlan           plan;

  g_object_get (config, "prompt", &prompt, NULL);
  if (prompt == NULL || *g_strstrip (prompt) == '\0')
    return g_strdup (_("Type the instruction first: what to change, such as “make the "
                       "shirt red linen”."));
  if (! edit_plan (config, target, image, drawable, &plan, &error) ||
      ! edit_model_check (config, &plan, &error))
    return g_strdup (error->message);
  return NULL;
}

/* GIMP's chooser draws its thumbnail only as a layer is chosen, at the
 * size it has then: one already chosen as the dialog opens showed blank.
 * Chosen again once the chooser has its size, it shows.  The property is
 * "drawable" in GIMP 3.0's GimpDrawableChooser, "item" in 3.2's
 * GimpItemChooser.
 */
static void
reference_allocated (GtkWidget     *chooser,
                     GtkAllocation *allocation,
                     const gchar   *property)
{
  g_autoptr(GObject) chosen = NULL;

  if (allocation->width <= 1)
    return;
  g_signal_handlers_disconnect_by_func (chooser, reference_allocated, (gpointer) property);
  g_object_get (chooser, property, &chosen, NULL);
  if (chosen != NULL)
    g_object_set (chooser, property, chosen, NULL);
}

static void
clear_reference (GtkButton           *button,
                 GimpProcedureConfig *config)
{
  g_object_set (config, "reference", NULL, NULL);
}

/* "No reference" is clickable only when there is one to drop. */
static void
reference_changed (GimpProcedureConfig *config,
                   GParamSpec          *pspec,
                   GtkWidget           *button)
{
  g_autoptr(GimpDrawable) reference = NULL;

  g_object_get (config, "reference", &reference, NULL);
  gtk_widget_set_sensitive (button, reference != NULL);
}

void
flux_fill_dialog_edit_build_reference (GimpProcedureDialog *dialog,
                                       GimpProcedureConfig *config)
{
  GtkWidget *chooser = gimp_procedure_dialog_get_widget (dialog, "reference", G_TYPE_NONE);
  GtkWidget *button;

  for (const gchar **property = (const gchar *[]) { "drawable", "item", NULL };
       *property != NULL; property++)
    if (g_object_class_find_property (G_OBJECT_GET_CLASS (chooser), *property) != NULL)
      {
        g_signal_connect_after (chooser, "size-allocate", G_CALLBACK (reference_allocated),
                                (gpointer) *property);
        break;
      }
  /* The chooser has no way back to none, which Kontext needs. */
  if (! GTK_IS_BOX (chooser))
    return;
  button = gtk_button_new_with_mnemonic (_("_No reference"));
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_box_pack_start (GTK_BOX (chooser), button, FALSE, FALSE, 0);
  gtk_widget_show (button);
  g_signal_connect (button, "clicked", G_CALLBACK (clear_reference), config);
  g_signal_connect_object (config, "notify::reference", G_CALLBACK (reference_changed),
                           button, 0);
  reference_changed (config, NULL, button);
}
