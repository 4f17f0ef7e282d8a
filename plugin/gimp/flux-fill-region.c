/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <libgimp/gimp.h>
#include <glib/gi18n-lib.h>

#include "fill-blend.h"
#include "flux-fill-pixels.h"
#include "flux-fill-region.h"

/* The part of the canvas the layer covers: what can be filled. */
static FfRect
layer_bounds (GimpImage    *image,
              GimpDrawable *drawable)
{
  FfRect canvas = { 0, 0, gimp_image_get_width (image), gimp_image_get_height (image) };
  FfRect layer, bounds;

  gimp_drawable_get_offsets (drawable, &layer.x, &layer.y);
  layer.width = gimp_drawable_get_width (drawable);
  layer.height = gimp_drawable_get_height (drawable);
  ff_rect_intersect (&canvas, &layer, &bounds);
  return bounds;
}

/* Whether the visible picture is @drawable's own pixels: it is the one
 * visible layer, in normal mode, opaque, unmasked, no floating selection
 * over it.  Then reading it spares GIMP rendering the whole projection.
 */
static gboolean
shows_only (GimpImage    *image,
            GimpDrawable *drawable)
{
  g_autofree GimpLayer **layers = gimp_image_get_layers (image);
  GimpLayer             *layer;
  gint                   visible = 0;

  if (! GIMP_IS_LAYER (drawable) || gimp_image_get_floating_sel (image) != NULL)
    return FALSE;
  for (gint i = 0; layers != NULL && layers[i] != NULL; i++)
    if (gimp_item_get_visible (GIMP_ITEM (layers[i])) && ++visible > 1)
      return FALSE;
  layer = GIMP_LAYER (drawable);
  return visible == 1 && gimp_item_get_parent (GIMP_ITEM (layer)) == NULL &&
         gimp_item_get_visible (GIMP_ITEM (layer)) &&
         ! gimp_item_is_group (GIMP_ITEM (layer)) &&
         gimp_layer_get_mode (layer) == GIMP_LAYER_MODE_NORMAL &&
         gimp_layer_get_opacity (layer) == 100.0 &&
         (gimp_layer_get_mask (layer) == NULL || ! gimp_layer_get_apply_mask (layer));
}

/* @crop (image coordinates) of the visible picture into @pixbuf, or of
 * @drawable alone when @drawable is not NULL.  FALSE when GIMP cannot
 * give the visible picture.
 */
static gboolean
read_pixels (GimpImage    *image,
             GimpDrawable *drawable,
             const FfRect *crop,
             GdkPixbuf    *pixbuf)
{
  const Babl *format = babl_format ("R'G'B' u8");
  FfRect      rect = *crop;
  gint        ox, oy;

  if (drawable == NULL)
    return flux_fill_pixels_get_visible (image, &rect, format, gdk_pixbuf_get_pixels (pixbuf),
                                         gdk_pixbuf_get_rowstride (pixbuf));
  gimp_drawable_get_offsets (drawable, &ox, &oy);
  rect.x -= ox;
  rect.y -= oy;
  flux_fill_pixels_get (drawable, &rect, format,
                        gdk_pixbuf_get_pixels (pixbuf), gdk_pixbuf_get_rowstride (pixbuf));
  return TRUE;
}

static guint8 *
read_selection (GimpImage    *image,
                const FfRect *rect)
{
  guint8 *selection = g_try_malloc ((gsize) rect->width * rect->height);

  if (selection != NULL)
    flux_fill_pixels_get (GIMP_DRAWABLE (gimp_image_get_selection (image)), rect,
                          babl_format ("Y u8"), selection, rect->width);
  return selection;
}

/* The picture under the region's crop, once its mask is read (when
 * @masked: a fill's or a selection's edit; outpaints and whole-picture
 * edits have none).
 */
static gboolean
read_picture (GimpImage       *image,
              GimpDrawable    *drawable,
              gboolean         masked,
              gboolean         sample_merged,
              FluxFillRegion  *region,
              GError         **error)
{
  if (! masked || region->layer_mask != NULL)
    region->image = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8,
                                    region->crop.width, region->crop.height);
  if (sample_merged && ! shows_only (image, drawable))
    drawable = NULL;
  if (region->image != NULL && ! read_pixels (image, drawable, &region->crop, region->image))
    {
      flux_fill_region_clear (region);
      g_set_error_literal (error, GIMP_PLUG_IN_ERROR, 0,
                           _("GIMP could not give the visible picture. Turn off "
                             "Sample merged to fill from the active layer alone."));
      return FALSE;
    }

  if (region->image == NULL || (masked && region->layer_mask == NULL))
    {
      flux_fill_region_clear (region);
      g_set_error_literal (error, GIMP_PLUG_IN_ERROR, 0,
                           _("Not enough memory for the area to fill."));
      return FALSE;
    }
  return TRUE;
}

/* What the model can be shown: the whole canvas when it sees the
 * visible picture, else the part of the canvas the layer covers.
 */
static gboolean
plan_bounds (GimpImage     *image,
             GimpDrawable  *drawable,
             gboolean       sample_merged,
             FfRect        *bounds,
             GError       **error)
{
  FfRect canvas = { 0, 0, gimp_image_get_width (image), gimp_image_get_height (image) };

  *bounds = sample_merged ? canvas : layer_bounds (image, drawable);
  if (ff_rect_is_empty (bounds))
    {
      g_set_error_literal (error, GIMP_PLUG_IN_ERROR, 0,
                           _("The active layer lies outside the canvas."));
      return FALSE;
    }
  return TRUE;
}

/* The selection's bounds within @bounds; FALSE, @error set or (nothing
 * selected) not, when there are none.
 */
static gboolean
plan_selection (GimpImage     *image,
                const FfRect  *bounds,
                FfRect        *bounded,
                GError       **error)
{
  gboolean non_empty = FALSE;
  gint     x1, y1, x2, y2;
  FfRect   selection;

  gimp_selection_bounds (image, &non_empty, &x1, &y1, &x2, &y2);
  if (! non_empty)
    return FALSE;
  selection = (FfRect) { x1, y1, x2 - x1, y2 - y1 };
  if (! ff_rect_intersect (&selection, bounds, bounded))
    {
      /* The selection lies on the canvas: only a layer can miss it. */
      g_set_error_literal (error, GIMP_PLUG_IN_ERROR, 0,
                           _("The selection does not overlap the active layer."));
      return FALSE;
    }
  return TRUE;
}

gboolean
flux_fill_region_plan (GimpImage     *image,
                       GimpDrawable  *drawable,
                       FfOutpaint     outpaint,
                       gint           context,
                       gboolean       sample_merged,
                       FfRect        *crop,
                       GError       **error)
{
  FfRect bounds, bounded;

  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (! plan_bounds (image, drawable, sample_merged, &bounds, error))
    return FALSE;
  if (outpaint != FF_OUTPAINT_NONE)
    {
      /* The model extends the whole picture and ignores any mask. */
      *crop = bounds;
      return TRUE;
    }
  if (! plan_selection (image, &bounds, &bounded, error))
    {
      if (error == NULL || *error == NULL)
        g_set_error_literal (error, GIMP_PLUG_IN_ERROR, 0,
                             _("There is no selection. Select the area to fill "
                               "first, or extend the picture with Filters → "
                               "Generative → FLUX Expand."));
      return FALSE;
    }
  *crop = ff_fill_crop (&bounded, &bounds, context);
  return TRUE;
}

gboolean
flux_fill_region_plan_edit (GimpImage     *image,
                            GimpDrawable  *drawable,
                            gint           context,
                            gboolean       sample_merged,
                            gdouble        max_aspect,
                            FfRect        *crop,
                            gboolean      *whole,
                            GError       **error)
{
  FfRect bounds, bounded;

  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  *whole = FALSE;
  if (! plan_bounds (image, drawable, sample_merged, &bounds, error))
    return FALSE;
  if (plan_selection (image, &bounds, &bounded, error))
    {
      if (ff_edit_crop (&bounded, &bounds, context, max_aspect, crop))
        return TRUE;
      g_set_error (error, GIMP_PLUG_IN_ERROR, 0,
                   _("The selection is too long and narrow to edit: the edit models take "
                     "pictures at most %.3g times as wide as high, or as high as wide. "
                     "Select a less wide area."), max_aspect);
      return FALSE;
    }
  if (error != NULL && *error != NULL)
    return FALSE;
  /* Nothing selected: the whole picture, which the model must take as it is. */
  *whole = TRUE;
  *crop = bounds;
  if (max_aspect > 0 &&
      (gdouble) MAX (bounds.width, bounds.height) > max_aspect * MIN (bounds.width, bounds.height))
    {
      g_set_error (error, GIMP_PLUG_IN_ERROR, 0,
                   _("The picture (%d × %d pixels) is too long and narrow to edit whole: "
                     "the edit models take pictures at most %.3g times as wide as high, "
                     "or as high as wide. Select a part of it."),
                   bounds.width, bounds.height, max_aspect);
      return FALSE;
    }
  return TRUE;
}

gboolean
flux_fill_region_read (GimpImage       *image,
                       GimpDrawable    *drawable,
                       FfOutpaint       outpaint,
                       gint             context,
                       gint             feather,
                       gboolean         sample_merged,
                       FluxFillRegion  *region,
                       GError         **error)
{
  FfRect crop;

  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  *region = (FluxFillRegion) { 0 };
  if (! flux_fill_region_plan (image, drawable, outpaint, context, sample_merged, &crop, error))
    return FALSE;
  return flux_fill_region_read_crop (image, drawable, &crop, outpaint == FF_OUTPAINT_NONE,
                                     feather, sample_merged, region, error);
}

gboolean
flux_fill_region_read_crop (GimpImage       *image,
                            GimpDrawable    *drawable,
                            const FfRect    *crop,
                            gboolean         masked,
                            gint             feather,
                            gboolean         sample_merged,
                            FluxFillRegion  *region,
                            GError         **error)
{
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  *region = (FluxFillRegion) { .crop = *crop };
  /* The selection first: it is freed before the picture is read. */
  if (masked)
    {
      g_autofree guint8 *selected = read_selection (image, &region->crop);

      if (selected != NULL)
        region->layer_mask = ff_blend_layer_mask (selected, region->crop.width,
                                                  region->crop.height, feather);
    }
  return read_picture (image, drawable, masked, sample_merged, region, error);
}

gboolean
flux_fill_region_read_recorded (GimpImage       *image,
                                GimpDrawable    *drawable,
                                const FfRect    *rect,
                                GimpLayerMask   *mask,
                                gboolean         sample_merged,
                                FluxFillRegion  *region,
                                GError         **error)
{
  FfRect canvas = { 0, 0, gimp_image_get_width (image), gimp_image_get_height (image) };
  FfRect in_mask;

  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  *region = (FluxFillRegion) { 0 };
  if (! ff_rect_intersect (rect, &canvas, &region->crop))
    {
      g_set_error_literal (error, GIMP_PLUG_IN_ERROR, 0,
                           _("The area of the earlier fill lies outside the canvas. "
                             "Select an area to fill."));
      return FALSE;
    }
  /* The mask the earlier fill got, already grown and feathered. */
  gimp_drawable_get_offsets (GIMP_DRAWABLE (mask), &in_mask.x, &in_mask.y);
  in_mask = (FfRect) { region->crop.x - in_mask.x, region->crop.y - in_mask.y,
                       region->crop.width, region->crop.height };
  region->layer_mask = g_try_malloc ((gsize) in_mask.width * in_mask.height);
  if (region->layer_mask != NULL)
    flux_fill_pixels_get (GIMP_DRAWABLE (mask), &in_mask, babl_format ("Y u8"),
                          region->layer_mask, in_mask.width);
  return read_picture (image, drawable, TRUE, sample_merged, region, error);
}

void
flux_fill_region_clear (FluxFillRegion *region)
{
  g_clear_object (&region->image);
  g_clear_pointer (&region->layer_mask, g_free);
}
