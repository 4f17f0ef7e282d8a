/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <libgimp/gimp.h>
#include <glib/gi18n-lib.h>

#include "flux-fill-edit.h"
#include "flux-fill-pixels.h"

/* The edit model @id at @provider; NULL with @error set when it runs
 * none by that id (or only the fill).
 */
static const FfModel *
edit_model (const FfProviderInfo  *provider,
            const gchar           *id,
            GError               **error)
{
  const FfModel *model = id != NULL ? ff_model_by_id (provider->id, id) : NULL;

  if (model == NULL || model->takes_mask)
    {
      g_set_error (error, GIMP_PLUG_IN_ERROR, 0,
                   _("model: %s runs no edit model “%s”"),
                   _(provider->label), id != NULL ? id : "");
      return NULL;
    }
  return model;
}

/* The layer named @name in @image, else in another open image. */
static GimpLayer *
find_layer (GimpImage   *image,
            const gchar *name)
{
  GimpLayer  *layer = gimp_image_get_layer_by_name (image, name);
  GimpImage **images;

  if (layer != NULL)
    return layer;
  images = gimp_get_images ();
  for (gint i = 0; images != NULL && images[i] != NULL && layer == NULL; i++)
    if (images[i] != image)
      layer = gimp_image_get_layer_by_name (images[i], name);
  g_free (images);
  return layer;
}

/* The reference of a new edit: the argument, a layer or none.  Its name
 * goes into the last values; Ctrl+F (last values, where GIMP keeps no
 * drawable) has only that name, and finds the layer by it later.
 */
static gboolean
argument_reference (GimpProcedureConfig  *config,
                    GimpRunMode           run_mode,
                    FluxFillEdit         *edit,
                    GError              **error)
{
  g_object_get (config, "reference", &edit->reference, NULL);
  if (edit->reference == NULL && run_mode == GIMP_RUN_WITH_LAST_VALS)
    {
      g_object_get (config, "reference-name", &edit->reference_name, NULL);
      if (edit->reference_name != NULL && *edit->reference_name == '\0')
        g_clear_pointer (&edit->reference_name, g_free);
      return TRUE;
    }
  /* A record finds it again by a layer's name. */
  if (edit->reference != NULL && ! GIMP_IS_LAYER (edit->reference))
    {
      g_set_error_literal (error, GIMP_PLUG_IN_ERROR, 0,
                           _("reference: choose a layer, not a mask or a channel"));
      return FALSE;
    }
  if (edit->reference != NULL)
    edit->reference_name = gimp_item_get_name (GIMP_ITEM (edit->reference));
  g_object_set (config, "reference-name",
                edit->reference_name != NULL ? edit->reference_name : "", NULL);
  return TRUE;
}

GimpPDBStatusType
flux_fill_edit_resolve (GimpImage            *image,
                        GimpProcedureConfig  *config,
                        GimpRunMode           run_mode,
                        const FfRecord       *record,
                        const FfProviderInfo *provider,
                        const FfParams       *params,
                        FluxFillEdit         *edit,
                        GError              **error)
{
  g_autofree gchar *id = NULL;
  GError           *invalid = NULL;
  GimpLayer        *found;

  *edit = (FluxFillEdit) { NULL };
  if (record == NULL)
    g_object_get (config, "model", &id, NULL);
  else
    id = g_strdup (record->model);
  edit->model = edit_model (provider, id, &invalid);
  if (invalid == NULL && ff_params_is_removal (params))
    g_set_error_literal (&invalid, GIMP_PLUG_IN_ERROR, 0,
                         _("prompt: FLUX Edit needs an instruction, such as “make the "
                           "shirt red linen”"));
  if (invalid == NULL && record == NULL)
    argument_reference (config, run_mode, edit, &invalid);
  else if (record != NULL)
    edit->reference_name = g_strdup (record->reference_name);
  if (invalid == NULL)
    ff_model_check_edit (edit->model, params, edit->reference_name != NULL ? 1 : 0, &invalid);
  if (invalid != NULL)
    {
      g_propagate_prefixed_error (error, invalid, _("Invalid argument "));
      return GIMP_PDB_CALLING_ERROR;
    }
  if (edit->reference != NULL || edit->reference_name == NULL)
    return GIMP_PDB_SUCCESS;
  /* Sent again as it was: nothing goes without the reference it had. */
  found = find_layer (image, edit->reference_name);
  if (found == NULL && record != NULL)
    g_set_error (error, GIMP_PLUG_IN_ERROR, 0,
                 _("The reference layer of this edit, “%s”, is in no open image. "
                   "Open the image that holds it, or run FLUX Edit with another "
                   "reference."), edit->reference_name);
  else if (found == NULL)
    g_set_error (error, GIMP_PLUG_IN_ERROR, 0,
                 _("The reference layer of the last edit, “%s”, is in no open image. "
                   "Open the image that holds it, or run FLUX Edit with another "
                   "reference."), edit->reference_name);
  if (found == NULL)
    return GIMP_PDB_EXECUTION_ERROR;
  edit->reference = GIMP_DRAWABLE (g_object_ref (found));
  return GIMP_PDB_SUCCESS;
}

void
flux_fill_edit_clear (FluxFillEdit *edit)
{
  g_clear_object (&edit->reference);
  g_clear_pointer (&edit->reference_name, g_free);
}

/* @drawable whole as 8-bit RGB, flattened onto white: a logo's
 * transparent background is no colour of its own.
 */
static GdkPixbuf *
read_reference (GimpDrawable  *drawable,
                GError       **error)
{
  const FfRect         rect = { 0, 0, gimp_drawable_get_width (drawable),
                                gimp_drawable_get_height (drawable) };
  g_autoptr(GdkPixbuf) rgba = gdk_pixbuf_new (GDK_COLORSPACE_RGB, TRUE, 8,
                                              rect.width, rect.height);
  g_autoptr(GdkPixbuf) rgb = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8,
                                             rect.width, rect.height);

  if (rgba == NULL || rgb == NULL)
    {
      g_set_error_literal (error, GIMP_PLUG_IN_ERROR, 0,
                           _("Not enough memory for the reference layer."));
      return NULL;
    }
  flux_fill_pixels_get (drawable, &rect, babl_format ("R'G'B'A u8"),
                        gdk_pixbuf_get_pixels (rgba), gdk_pixbuf_get_rowstride (rgba));
  for (gint y = 0; y < rect.height; y++)
    {
      const guchar *in = gdk_pixbuf_get_pixels (rgba) + (gsize) y * gdk_pixbuf_get_rowstride (rgba);
      guchar       *out = gdk_pixbuf_get_pixels (rgb) + (gsize) y * gdk_pixbuf_get_rowstride (rgb);

      for (gint x = 0; x < rect.width; x++, in += 4, out += 3)
        for (gint c = 0; c < 3; c++)
          out[c] = (guchar) ((in[c] * in[3] + 255 * (255 - in[3]) + 127) / 255);
    }
  return g_steal_pointer (&rgb);
}

FfFillUpload *
flux_fill_edit_upload (const FluxFillEdit  *edit,
                       FfClient            *client,
                       GdkPixbuf           *crop,
                       GError             **error)
{
  g_autoptr(GdkPixbuf) reference = NULL;

  if (edit->reference != NULL && (reference = read_reference (edit->reference, error)) == NULL)
    return NULL;
  return ff_fill_upload_new_edit (client, edit->model, crop, reference ? &reference : NULL,
                                  reference ? 1 : 0, error);
}

gdouble
flux_fill_edit_price (GimpProcedureConfig *config,
                      const FfModel       *model)
{
  const gchar *setting = g_str_equal (model->id, FF_MODEL_FLUX2_PRO) ? "flux2-price"
                                                                    : "kontext-price";
  gdouble      price = model->price;

  if (g_object_class_find_property (G_OBJECT_GET_CLASS (config), setting) != NULL)
    g_object_get (config, setting, &price, NULL);
  return price;
}

gdouble
flux_fill_edit_cost (const FluxFillEdit  *edit,
                     GimpProcedureConfig *config,
                     const FfFillUpload  *upload)
{
  gint   width, height, out_width, out_height;
  gint64 input_pixels;

  ff_fill_upload_sent (upload, &width, &height, &input_pixels);
  ff_model_output_size (edit->model, width, height, &out_width, &out_height);
  return ff_model_cost_at (edit->model, flux_fill_edit_price (config, edit->model),
                           out_width, out_height, input_pixels);
}
