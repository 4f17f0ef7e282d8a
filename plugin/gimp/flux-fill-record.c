/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <libgimp/gimp.h>
#include <glib/gi18n-lib.h>

#include "flux-fill-record.h"

void
flux_fill_record_attach (GimpItem    *item,
                         const gchar *json)
{
  GimpParasite *parasite = gimp_parasite_new (FF_RECORD_PARASITE, GIMP_PARASITE_PERSISTENT,
                                              (guint32) strlen (json), json);

  gimp_item_attach_parasite (item, parasite);
  gimp_parasite_free (parasite);
}

/* TRUE when @item carries a record; @record filled, or @error set when
 * it is damaged.
 */
static gboolean
read_record (GimpItem  *item,
             FfRecord  *record,
             GError   **error)
{
  GimpParasite *parasite = gimp_item_get_parasite (item, FF_RECORD_PARASITE);
  const gchar  *data;
  guint32       size = 0;
  gboolean      ok;

  if (parasite == NULL)
    return FALSE;
  data = gimp_parasite_get_data (parasite, &size);
  ok = ff_record_from_json (record, data, size, error);
  gimp_parasite_free (parasite);
  if (! ok)
    g_prefix_error (error, _("FLUX Fill cannot fill again from “%s”: "),
                    gimp_item_get_name (item));
  return TRUE;
}

GimpLayer *
flux_fill_record_find (GimpDrawable  *drawable,
                       FfRecord      *record,
                       GError       **error)
{
  GimpLayer *layer;
  GimpItem  *parent;
  FfRecord   group_record = { 0 };

  /* Zeroed, so ff_record_clear () is right whatever happens below. */
  *record = (FfRecord) { 0 };
  layer = GIMP_IS_LAYER_MASK (drawable) ? gimp_layer_from_mask (GIMP_LAYER_MASK (drawable))
                                        : GIMP_IS_LAYER (drawable) ? GIMP_LAYER (drawable) : NULL;
  if (layer == NULL)
    return NULL;
  if (! read_record (GIMP_ITEM (layer), record, error))
    return NULL;
  if (error != NULL && *error != NULL)
    return NULL;
  /* A variation inside a group of them: new ones go into that group. */
  parent = gimp_item_get_parent (GIMP_ITEM (layer));
  if (parent != NULL && ! GIMP_IS_GROUP_LAYER (layer))
    {
      gboolean in_group = read_record (parent, &group_record, NULL);

      ff_record_clear (&group_record);
      if (in_group)
        return GIMP_LAYER (parent);
    }
  return layer;
}

GimpLayerMask *
flux_fill_record_mask (GimpLayer *generated)
{
  GimpItem  **children;
  GimpLayerMask *mask = NULL;

  if (! GIMP_IS_GROUP_LAYER (generated))
    return gimp_layer_get_mask (generated);
  children = gimp_item_get_children (GIMP_ITEM (generated));
  for (gint i = 0; children != NULL && children[i] != NULL && mask == NULL; i++)
    if (GIMP_IS_LAYER (children[i]))
      mask = gimp_layer_get_mask (GIMP_LAYER (children[i]));
  g_free (children);
  return mask;
}

/* Whether nothing is selected, or a selection whose bounds meet those of
 * what was selected for @record (not its crop: a selection that only
 * touches the context around an earlier fill is a fill of its own).
 */
static gboolean
selection_meets (GimpImage      *image,
                 const FfRecord *record)
{
  gboolean selected = FALSE;
  gint     x1, y1, x2, y2;
  FfRect   common;

  gimp_selection_bounds (image, &selected, &x1, &y1, &x2, &y2);
  return ! selected || ff_rect_intersect (&(FfRect) { x1, y1, x2 - x1, y2 - y1 },
                                          &record->selection, &common);
}

GimpItem *
flux_fill_record_top_level (GimpItem *item)
{
  GimpItem *parent;

  if (GIMP_IS_LAYER_MASK (item))
    item = GIMP_ITEM (gimp_layer_from_mask (GIMP_LAYER_MASK (item)));
  while ((parent = gimp_item_get_parent (item)) != NULL)
    item = parent;
  return item;
}

/* The layer @record's fill was made from, when it is still there. */
static GimpDrawable *
recorded_source (GimpImage      *image,
                 const FfRecord *record)
{
  GimpLayer *from = gimp_image_get_layer_by_tattoo (image, record->source_tattoo);

  return from != NULL ? GIMP_DRAWABLE (from) : NULL;
}

GimpLayer *
flux_fill_record_target (GimpImage      *image,
                         GimpDrawable   *drawable,
                         gboolean        again,
                         FfRecord       *record,
                         GimpDrawable  **source,
                         GimpItem      **above,
                         GError        **error)
{
  return flux_fill_record_target_kind (image, drawable, again, FALSE, record, source, above,
                                       error);
}

GimpLayer *
flux_fill_record_target_kind (GimpImage      *image,
                              GimpDrawable   *drawable,
                              gboolean        again,
                              gboolean        edit,
                              FfRecord       *record,
                              GimpDrawable  **source,
                              GimpItem      **above,
                              GError        **error)
{
  GimpLayer    *earlier = flux_fill_record_find (drawable, record, error);
  GimpDrawable *from;

  *source = drawable;
  if (above != NULL)
    *above = GIMP_IS_LAYER_MASK (drawable)
             ? GIMP_ITEM (gimp_layer_from_mask (GIMP_LAYER_MASK (drawable))) : GIMP_ITEM (drawable);
  if (earlier == NULL)
    return NULL;
  /* A selection away from the earlier fill is a new fill of the picture
   * it was made from, above everything that holds the earlier results,
   * and hides none of them.  So is a fill started on an edit's result,
   * or an edit on a fill's: one group holds one kind, which Fill Again
   * repeats.
   */
  if (! again && (record->edit != edit || ! selection_meets (image, record)))
    {
      from = recorded_source (image, record);
      *source = from != NULL ? from
                : GIMP_IS_LAYER_MASK (drawable)
                  ? GIMP_DRAWABLE (gimp_layer_from_mask (GIMP_LAYER_MASK (drawable))) : drawable;
      if (above != NULL)
        *above = flux_fill_record_top_level (GIMP_ITEM (earlier));
      ff_record_clear (record);
      return NULL;
    }
  if (record->params.outpaint != FF_OUTPAINT_NONE)
    {
      g_set_error_literal (error, GIMP_PLUG_IN_ERROR, 0,
                           _("This layer was made by FLUX Expand: run FLUX Expand again "
                             "on the picture to extend it further."));
      return NULL;
    }
  from = recorded_source (image, record);
  if (from == NULL)
    {
      g_set_error (error, GIMP_PLUG_IN_ERROR, 0,
                   _("The layer this fill was made from (“%s”) is gone. Select a "
                     "layer and an area to fill."), record->source_name);
      return NULL;
    }
  *source = from;
  if (above != NULL)
    *above = GIMP_ITEM (earlier);
  return earlier;
}

GimpDrawable *
flux_fill_record_expand_source (GimpImage     *image,
                                GimpDrawable  *drawable,
                                GimpItem     **above)
{
  GimpDrawable *layer = GIMP_IS_LAYER_MASK (drawable)
                        ? GIMP_DRAWABLE (gimp_layer_from_mask (GIMP_LAYER_MASK (drawable)))
                        : drawable;
  FfRecord      record = { 0 };
  GimpLayer    *earlier = flux_fill_record_find (layer, &record, NULL);
  GimpDrawable *from = earlier != NULL ? recorded_source (image, &record) : NULL;

  ff_record_clear (&record);
  *above = flux_fill_record_top_level (GIMP_ITEM (layer));
  return from != NULL ? from : layer;
}
