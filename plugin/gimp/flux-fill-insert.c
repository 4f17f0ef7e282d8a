#include "config.h"

#include <libgimp/gimp.h>
#include <glib/gi18n-lib.h>

#include "image-codec.h"
#include "flux-fill-insert.h"
#include "flux-fill-pixels.h"

static void
write_pixels (GimpDrawable *drawable,
              GdkPixbuf    *pixbuf)
{
  const FfRect rect = { 0, 0, gdk_pixbuf_get_width (pixbuf), gdk_pixbuf_get_height (pixbuf) };

  flux_fill_pixels_set (drawable, &rect,
                        babl_format (gdk_pixbuf_get_has_alpha (pixbuf) ? "R'G'B'A u8"
                                                                      : "R'G'B' u8"),
                        gdk_pixbuf_get_pixels (pixbuf), gdk_pixbuf_get_rowstride (pixbuf));
}

/* The region's grown and feathered selection, the layer's size. */
static GimpLayerMask *
fill_mask (GimpLayer            *layer,
           const FluxFillRegion *region)
{
  GimpLayerMask *mask = gimp_layer_create_mask (layer, GIMP_ADD_MASK_BLACK);
  const FfRect   rect = { 0, 0, region->crop.width, region->crop.height };

  if (mask != NULL)
    flux_fill_pixels_set (GIMP_DRAWABLE (mask), &rect, babl_format ("Y u8"),
                          region->layer_mask, rect.width);
  return mask;
}

/* Black over @keep (layer coordinates), white elsewhere. */
static GimpLayerMask *
outpaint_mask (GimpLayer    *layer,
               const FfRect *keep)
{
  GimpLayerMask        *mask = gimp_layer_create_mask (layer, GIMP_ADD_MASK_WHITE);
  g_autoptr(GeglBuffer) buffer = NULL;
  GeglColor            *black;

  if (mask == NULL)
    return NULL;
  buffer = gimp_drawable_get_buffer (GIMP_DRAWABLE (mask));
  black = gegl_color_new ("black");
  gegl_buffer_set_color (buffer,
                         GEGL_RECTANGLE (keep->x, keep->y, keep->width, keep->height),
                         black);
  g_object_unref (black);
  gegl_buffer_flush (buffer);
  return mask;
}

/* Grows the canvas to hold an outpainted result at @place (image
 * coordinates, updated), moving what was there by @moved; @keep is where
 * the original lies in the result layer.
 */
static gboolean
grow_canvas (GimpImage            *image,
             const FluxFillRegion *region,
             FfRect               *place,
             FfRect               *keep,
             FfRect               *moved)
{
  FfRect canvas = { 0, 0, gimp_image_get_width (image), gimp_image_get_height (image) };
  gint   x1, y1, x2, y2;

  x1 = MIN (canvas.x, place->x);
  y1 = MIN (canvas.y, place->y);
  x2 = MAX (canvas.x + canvas.width, place->x + place->width);
  y2 = MAX (canvas.y + canvas.height, place->y + place->height);
  if (x1 < 0 || y1 < 0 || x2 > canvas.width || y2 > canvas.height)
    {
      /* Layers keep their pixels; only their offsets move. */
      if (! gimp_image_resize (image, x2 - x1, y2 - y1, -x1, -y1))
        return FALSE;
      *moved = (FfRect) { -x1, -y1, canvas.width, canvas.height };
      place->x -= x1;
      place->y -= y1;
    }
  *keep = (FfRect) {
    region->crop.x - x1 - place->x,
    region->crop.y - y1 - place->y,
    region->crop.width,
    region->crop.height,
  };
  return TRUE;
}

gboolean
flux_fill_insert_result (GimpImage             *image,
                         GimpDrawable          *drawable,
                         const FluxFillRegion  *region,
                         FfOutpaint             outpaint,
                         GdkPixbuf             *result,
                         const gchar           *name,
                         GError               **error)
{
  g_autoptr(GdkPixbuf) fitted = NULL;
  GimpLayer     *layer = NULL;
  GimpLayerMask *mask = NULL;
  GimpItem      *parent;
  FfRect         place, keep = { 0 }, moved = { 0 };
  gboolean       ok = FALSE;

  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (outpaint == FF_OUTPAINT_NONE)
    place = region->crop;
  else if (! ff_outpaint_placement (outpaint, &region->crop, gdk_pixbuf_get_width (result),
                                    gdk_pixbuf_get_height (result), &place))
    {
      g_set_error (error, GIMP_PLUG_IN_ERROR, 0,
                   _("The result (%d × %d pixels) does not have a shape this outpaint "
                     "mode can place."),
                   gdk_pixbuf_get_width (result), gdk_pixbuf_get_height (result));
      return FALSE;
    }

  gimp_image_undo_group_start (image);

  if (outpaint != FF_OUTPAINT_NONE && ! grow_canvas (image, region, &place, &keep, &moved))
    goto out;
  fitted = ff_image_fit (result, place.width, place.height);
  if (fitted == NULL)
    goto out;

  layer = gimp_layer_new (image, name, place.width, place.height,
                          gimp_image_get_base_type (image) == GIMP_GRAY ? GIMP_GRAYA_IMAGE
                                                                        : GIMP_RGBA_IMAGE,
                          100.0, GIMP_LAYER_MODE_NORMAL);
  if (layer == NULL)
    goto out;
  parent = gimp_item_get_parent (GIMP_ITEM (drawable));
  if (! gimp_image_insert_layer (image, layer, parent ? GIMP_LAYER (parent) : NULL,
                                 gimp_image_get_item_position (image, GIMP_ITEM (drawable))))
    goto out;
  gimp_layer_set_offsets (layer, place.x, place.y);
  write_pixels (GIMP_DRAWABLE (layer), fitted);

  mask = outpaint == FF_OUTPAINT_NONE ? fill_mask (layer, region)
                                      : outpaint_mask (layer, &keep);
  ok = mask != NULL && gimp_layer_add_mask (layer, mask);
  if (ok)
    gimp_drawable_update (GIMP_DRAWABLE (layer), 0, 0, place.width, place.height);

 out:
  if (! ok && layer != NULL && gimp_item_is_valid (GIMP_ITEM (layer)) &&
      gimp_item_get_image (GIMP_ITEM (layer)) == image)
    gimp_image_remove_layer (image, layer);
  if (! ok && moved.width > 0)
    gimp_image_resize (image, moved.width, moved.height, -moved.x, -moved.y);
  gimp_image_undo_group_end (image);
  if (! ok)
    g_set_error_literal (error, GIMP_PLUG_IN_ERROR, 0,
                         _("GIMP could not add the result layer."));
  return ok;
}
