/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <libgimp/gimp.h>
#include <glib/gi18n-lib.h>

#include "fill-job.h"
#include "flux-fill-record.h"
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

/* The canvas that holds @place beside the current one (image
 * coordinates); FALSE when it would pass GIMP's largest image.
 */
static gboolean
grown_canvas (GimpImage    *image,
              const FfRect *place,
              FfRect       *canvas)
{
  gint64 width = gimp_image_get_width (image), height = gimp_image_get_height (image);
  gint64 x1 = MIN (0, (gint64) place->x);
  gint64 y1 = MIN (0, (gint64) place->y);
  gint64 x2 = MAX (width, (gint64) place->x + place->width);
  gint64 y2 = MAX (height, (gint64) place->y + place->height);

  if (x2 - x1 > FF_MAX_IMAGE_SIDE || y2 - y1 > FF_MAX_IMAGE_SIDE)
    return FALSE;
  *canvas = (FfRect) { (gint) x1, (gint) y1, (gint) (x2 - x1), (gint) (y2 - y1) };
  return TRUE;
}

/* A variation's name: what tells it from the others first. */
static gchar *
variation_name (guint        number,
                gint         seed,
                const gchar *name)
{
  /* TRANSLATORS: a variation's layer name: its number in its group, its
   * seed, then the prompt's first line, e.g. "#2 · seed 1234 · a small pond".
   * Keep "#%u" first: the next variation's number is read from it.
   */
  return g_strdup_printf (_("#%u · seed %d · %s"), number, seed, name);
}

/* The number of the next variation in @group: after the highest "#N"
 * among its variations, or their count when names were changed.
 */
static guint
next_number (GimpItem *group)
{
  GimpItem **children = gimp_item_get_children (group);
  guint      count = 0, highest = 0;

  for (gint i = 0; children != NULL && children[i] != NULL; i++)
    {
      GimpParasite     *parasite = gimp_item_get_parasite (children[i], FF_RECORD_PARASITE);
      g_autofree gchar *own = gimp_item_get_name (children[i]);

      if (parasite == NULL)
        continue;
      gimp_parasite_free (parasite);
      count++;
      if (own[0] == '#' && g_ascii_isdigit (own[1]))
        highest = MAX (highest, (guint) MIN (g_ascii_strtoull (own + 1, NULL, 10), G_MAXUINT16));
    }
  g_free (children);
  return MAX (count, highest) + 1;
}

/* The result as a layer of @image that is not in it yet, with its pixels
 * and mask: everything that can fail or take time, done before the image
 * is touched, so that a failure leaves no trace and no undo step.
 */
static GimpLayer *
build_layer (GimpImage            *image,
             const FluxFillRegion *region,
             FfOutpaint            outpaint,
             GdkPixbuf            *result,
             const FfRect         *place,
             const gchar          *name,
             const gchar          *record)
{
  g_autoptr(GdkPixbuf) fitted = ff_image_fit (result, place->width, place->height);
  /* Where the old picture lies in the layer: the mask hides the result there. */
  const FfRect   keep = { region->crop.x - place->x, region->crop.y - place->y,
                          region->crop.width, region->crop.height };
  /* A whole-picture edit has no mask: its layer covers the crop. */
  gboolean       masked = outpaint != FF_OUTPAINT_NONE || region->layer_mask != NULL;
  GimpLayer     *layer;
  GimpLayerMask *mask = NULL;

  if (fitted == NULL)
    return NULL;
  layer = gimp_layer_new (image, name, place->width, place->height,
                          gimp_image_get_base_type (image) == GIMP_GRAY ? GIMP_GRAYA_IMAGE
                                                                        : GIMP_RGBA_IMAGE,
                          100.0, GIMP_LAYER_MODE_NORMAL);
  if (layer == NULL)
    return NULL;
  write_pixels (GIMP_DRAWABLE (layer), fitted);
  if (masked)
    mask = outpaint == FF_OUTPAINT_NONE ? fill_mask (layer, region)
                                        : outpaint_mask (layer, &keep);
  /* FLUX_FILL_FAULT=insert: the tests' stand-in for GIMP refusing here. */
  if ((masked && (mask == NULL || ! gimp_layer_add_mask (layer, mask))) ||
      g_strcmp0 (g_getenv ("FLUX_FILL_FAULT"), "insert") == 0)
    {
      gimp_item_delete (GIMP_ITEM (layer));
      return NULL;
    }
  /* On a layer not yet in the image: no undo step of its own. */
  if (record != NULL)
    flux_fill_record_attach (GIMP_ITEM (layer), record);
  return layer;
}

gboolean
flux_fill_insert_results (GimpImage             *image,
                          GimpDrawable          *drawable,
                          const FluxFillRegion  *region,
                          FfOutpaint             outpaint,
                          GdkPixbuf            **results,
                          const gint            *seeds,
                          guint                  n,
                          const gchar           *name,
                          gchar                **records,
                          GimpLayer             *earlier,
                          GError               **error)
{
  gint       width = gimp_image_get_width (image), height = gimp_image_get_height (image);
  FfRect     place, canvas = { 0, 0, width, height };
  GimpLayer *layers[FF_VARIATIONS_MAX] = { NULL };
  gboolean   inserted[FF_VARIATIONS_MAX] = { FALSE };
  gboolean   group_inserted = FALSE;
  GimpLayer *group = NULL;
  GimpItem  *parent;
  gint       position;
  gboolean   resize, ok = TRUE;
  /* Variations are numbered in their group; a lone earlier result is #1. */
  guint      first = earlier == NULL ? 1
                     : GIMP_IS_GROUP_LAYER (earlier) ? next_number (GIMP_ITEM (earlier)) : 2;

  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  g_return_val_if_fail (n >= 1 && n <= FF_VARIATIONS_MAX, FALSE);

  /* Variations of an outpaint share the first one's place. */
  if (outpaint == FF_OUTPAINT_NONE)
    place = region->crop;
  else if (! ff_outpaint_placement (outpaint, &region->crop, gdk_pixbuf_get_width (results[0]),
                                    gdk_pixbuf_get_height (results[0]), &place) ||
           ! grown_canvas (image, &place, &canvas))
    {
      g_set_error (error, GIMP_PLUG_IN_ERROR, 0,
                   _("The result (%d × %d pixels) does not have a shape this outpaint "
                     "mode can place."),
                   gdk_pixbuf_get_width (results[0]), gdk_pixbuf_get_height (results[0]));
      return FALSE;
    }

  for (guint i = 0; ok && i < n; i++)
    {
      /* Beside others, a variation is told apart by its number and seed. */
      g_autofree gchar *layer_name = n > 1 || earlier != NULL
                                     ? variation_name (first + i, seeds[i], name)
                                     : g_strdup (name);

      layers[i] = build_layer (image, region, outpaint, results[i], &place, layer_name,
                               records ? records[i] : NULL);
      ok = layers[i] != NULL;
    }
  /* Several results, or more for an earlier lone one: a group. */
  if (ok && (earlier != NULL ? ! GIMP_IS_GROUP_LAYER (earlier) : n > 1))
    {
      group = GIMP_LAYER (gimp_group_layer_new (image, name));
      ok = group != NULL;
      if (ok && records != NULL)
        flux_fill_record_attach (GIMP_ITEM (group), records[0]);
    }
  if (! ok)
    {
      for (guint i = 0; i < n; i++)
        if (layers[i] != NULL)
          gimp_item_delete (GIMP_ITEM (layers[i]));
      if (group != NULL)
        gimp_item_delete (GIMP_ITEM (group));
      g_set_error_literal (error, GIMP_PLUG_IN_ERROR, 0,
                           _("GIMP could not add the result layer."));
      return FALSE;
    }

  /* The image changes here only, in a few quick calls and one undo step. */
  resize = canvas.x < 0 || canvas.y < 0 || canvas.width > width || canvas.height > height;
  /* Above the layer filled, or beside the earlier results. */
  parent = gimp_item_get_parent (GIMP_ITEM (earlier ? GIMP_DRAWABLE (earlier) : drawable));
  position = gimp_image_get_item_position (image, GIMP_ITEM (earlier ? GIMP_DRAWABLE (earlier)
                                                                     : drawable));
  gimp_image_undo_group_start (image);
  /* Layers keep their pixels; only their offsets move. */
  ok = ! resize || gimp_image_resize (image, canvas.width, canvas.height, -canvas.x, -canvas.y);
  if (ok && group != NULL && earlier != NULL)
    {
      /* Names are unique in an image: the earlier lone result becomes #1,
       * so the group can have the prompt's name.  A kept variation's
       * numbered name gives way to this fill's.
       */
      FfRecord record;

      if (flux_fill_record_find (GIMP_DRAWABLE (earlier), &record, NULL) == earlier)
        {
          g_autofree gchar *own = gimp_item_get_name (GIMP_ITEM (earlier));
          g_autofree gchar *renamed = variation_name (1, record.params.seed,
                                                      own[0] == '#' ? name : own);

          gimp_item_set_name (GIMP_ITEM (earlier), renamed);
        }
      ff_record_clear (&record);
    }
  if (ok && group != NULL)
    {
      ok = group_inserted = gimp_image_insert_layer (image, group,
                                                     parent ? GIMP_LAYER (parent) : NULL, position);
      /* The earlier lone result goes into the new group, under the new ones. */
      if (ok && earlier != NULL)
        {
          ok = gimp_image_reorder_item (image, GIMP_ITEM (earlier), GIMP_ITEM (group), 0);
          gimp_item_set_visible (GIMP_ITEM (earlier), FALSE);
        }
      parent = GIMP_ITEM (group);
      position = 0;
    }
  else if (ok && earlier != NULL)
    {
      /* Into the earlier group, on top, the only one visible. */
      GimpItem **children = gimp_item_get_children (GIMP_ITEM (earlier));

      for (gint i = 0; children != NULL && children[i] != NULL; i++)
        gimp_item_set_visible (children[i], FALSE);
      g_free (children);
      parent = GIMP_ITEM (earlier);
      position = 0;
    }
  /* In the group, the first variation on top and the only one visible. */
  for (guint i = n; ok && i-- > 0; )
    {
      ok = inserted[i] = gimp_image_insert_layer (image, layers[i],
                                                  parent ? GIMP_LAYER (parent) : NULL, position);
      if (ok)
        {
          gimp_layer_set_offsets (layers[i], place.x - canvas.x, place.y - canvas.y);
          gimp_item_set_visible (GIMP_ITEM (layers[i]), i == 0);
          gimp_drawable_update (GIMP_DRAWABLE (layers[i]), 0, 0, place.width, place.height);
        }
    }
  if (! ok)
    {
      /* Removing the group removes the variations in it. */
      for (guint i = 0; i < n; i++)
        if (! inserted[i])
          gimp_item_delete (GIMP_ITEM (layers[i]));
        else if (! group_inserted)
          gimp_image_remove_layer (image, layers[i]);
      if (group_inserted)
        gimp_image_remove_layer (image, group);
      else if (group != NULL)
        gimp_item_delete (GIMP_ITEM (group));
      if (resize)
        gimp_image_resize (image, width, height, canvas.x, canvas.y);
    }
  gimp_image_undo_group_end (image);
  if (! ok)
    g_set_error_literal (error, GIMP_PLUG_IN_ERROR, 0,
                         _("GIMP could not add the result layer."));
  return ok;
}
