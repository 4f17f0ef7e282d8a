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

static GdkPixbuf *
read_pixels (GimpDrawable *drawable,
             const FfRect *rect)
{
  GdkPixbuf *pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8,
                                      rect->width, rect->height);

  if (pixbuf != NULL)
    flux_fill_pixels_get (drawable, rect, babl_format ("R'G'B' u8"),
                          gdk_pixbuf_get_pixels (pixbuf), gdk_pixbuf_get_rowstride (pixbuf));
  return pixbuf;
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

gboolean
flux_fill_region_plan (GimpImage     *image,
                       GimpDrawable  *drawable,
                       FfOutpaint     outpaint,
                       gint           context,
                       FfRect        *crop,
                       GError       **error)
{
  FfRect   bounds = layer_bounds (image, drawable);
  FfRect   selection, bounded;
  gboolean non_empty = FALSE;
  gint     x1, y1, x2, y2;

  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (ff_rect_is_empty (&bounds))
    {
      g_set_error_literal (error, GIMP_PLUG_IN_ERROR, 0,
                           _("The active layer lies outside the canvas."));
      return FALSE;
    }
  if (outpaint != FF_OUTPAINT_NONE)
    {
      /* The model extends the whole picture and ignores any mask. */
      *crop = bounds;
      return TRUE;
    }

  gimp_selection_bounds (image, &non_empty, &x1, &y1, &x2, &y2);
  if (! non_empty)
    {
      g_set_error_literal (error, GIMP_PLUG_IN_ERROR, 0,
                           _("There is no selection. Select the area to fill "
                             "first, or extend the picture with Filters → "
                             "Generative → FLUX Expand."));
      return FALSE;
    }
  selection = (FfRect) { x1, y1, x2 - x1, y2 - y1 };
  if (! ff_rect_intersect (&selection, &bounds, &bounded))
    {
      g_set_error_literal (error, GIMP_PLUG_IN_ERROR, 0,
                           _("The selection does not overlap the active layer."));
      return FALSE;
    }
  *crop = ff_fill_crop (&bounded, &bounds, context);
  return TRUE;
}

gboolean
flux_fill_region_read (GimpImage       *image,
                       GimpDrawable    *drawable,
                       FfOutpaint       outpaint,
                       gint             context,
                       gint             feather,
                       FluxFillRegion  *region,
                       GError         **error)
{
  FfRect layer_crop;
  gint   ox, oy;

  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  *region = (FluxFillRegion) { 0 };
  if (! flux_fill_region_plan (image, drawable, outpaint, context, &region->crop, error))
    return FALSE;

  gimp_drawable_get_offsets (drawable, &ox, &oy);
  layer_crop = region->crop;
  layer_crop.x -= ox;
  layer_crop.y -= oy;
  /* The selection first: it is freed before the picture is read. */
  if (outpaint == FF_OUTPAINT_NONE)
    {
      g_autofree guint8 *selected = read_selection (image, &region->crop);

      if (selected != NULL)
        region->layer_mask = ff_blend_layer_mask (selected, region->crop.width,
                                                  region->crop.height, feather);
    }
  if (outpaint != FF_OUTPAINT_NONE || region->layer_mask != NULL)
    region->image = read_pixels (drawable, &layer_crop);

  if (region->image == NULL || (outpaint == FF_OUTPAINT_NONE && region->layer_mask == NULL))
    {
      flux_fill_region_clear (region);
      g_set_error_literal (error, GIMP_PLUG_IN_ERROR, 0,
                           _("Not enough memory for the area to fill."));
      return FALSE;
    }
  return TRUE;
}

void
flux_fill_region_clear (FluxFillRegion *region)
{
  g_clear_object (&region->image);
  g_clear_pointer (&region->layer_mask, g_free);
}
