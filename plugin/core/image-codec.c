/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "image-codec.h"

G_DEFINE_QUARK (ff-image-error-quark, ff_image_error)

/* zlib level 3 is several times faster than 9 for a few percent more
 * bytes, and the upload is small either way.
 */
#define PNG_COMPRESSION "3"
#define JPEG_QUALITY    "95"
#define PNG_SAMPLE_SIDE 256
#define DECODE_CHUNK    (64 * 1024)

static GBytes *
encode (GdkPixbuf    *pixbuf,
        const gchar  *type,
        const gchar  *key,
        const gchar  *value,
        GError      **error)
{
  gchar *buffer = NULL;
  gsize  size = 0;

  g_return_val_if_fail (GDK_IS_PIXBUF (pixbuf), NULL);

  if (! gdk_pixbuf_save_to_buffer (pixbuf, &buffer, &size, type, error, key, value, NULL))
    {
      /* TRANSLATORS: %s is a file type: "png", "jpeg". */
      g_prefix_error (error, _("could not encode %s: "), type);
      return NULL;
    }
  return g_bytes_new_take (buffer, size);
}

GBytes *
ff_image_encode_png (GdkPixbuf  *pixbuf,
                     GError    **error)
{
  return encode (pixbuf, "png", "compression", PNG_COMPRESSION, error);
}

GBytes *
ff_image_encode_jpeg (GdkPixbuf  *pixbuf,
                      GError    **error)
{
  return encode (pixbuf, "jpeg", "quality", JPEG_QUALITY, error);
}

gchar *
ff_data_uri (GBytes      *bytes,
             const gchar *mime_type)
{
  gsize             size = 0;
  const guchar     *data = g_bytes_get_data (bytes, &size);
  g_autofree gchar *base64 = g_base64_encode (data, size);

  return g_strconcat ("data:", mime_type, ";base64,", base64, NULL);
}

guint64
ff_output_pixel_limit (gint send_width,
                       gint send_height)
{
  guint64 side = (guint64) MAX (MAX (send_width, send_height), 0) * FF_OUTPUT_MAX_GROWTH;

  side = MAX (side, FF_OUTPUT_MIN_SIDE);
  return MIN (side * side, FF_MAX_DECODED_PIXELS);
}

/* The longest side a square of @max_pixels has; @max_pixels is at most
 * FF_MAX_DECODED_PIXELS, so nothing overflows.
 */
static gint
side_limit (guint64 max_pixels)
{
  guint64 side = (guint64) sqrt ((gdouble) max_pixels);

  /* A double's root can be one off either way. */
  while (side > 0 && side * side > max_pixels)
    side--;
  while ((side + 1) * (side + 1) <= max_pixels)
    side++;
  return (gint) side;
}

/* The loader for @data by its magic bytes, not by what the server said it
 * was: every other gdk-pixbuf loader (librsvg, TIFF, ICO, BMP…) is attack
 * surface the plug-in has no use for.
 */
static const gchar *
sniff_type (const guchar *data,
            gsize         size)
{
  if (size >= 8 && memcmp (data, "\x89PNG\r\n\x1a\n", 8) == 0)
    return "png";
  if (size >= 3 && memcmp (data, "\xff\xd8\xff", 3) == 0)
    return "jpeg";
  if (size >= 12 && memcmp (data, "RIFF", 4) == 0 && memcmp (data + 8, "WEBP", 4) == 0)
    return "webp";
  return NULL;
}

typedef struct
{
  guint64  max_pixels;
  gint     max_side;
  gboolean refused;
  gint     width;
  gint     height;
} DecodeLimit;

static gboolean
exceeds (const DecodeLimit *limit,
         gint               width,
         gint               height)
{
  return width <= 0 || height <= 0 || width > limit->max_side || height > limit->max_side ||
         (guint64) width * (guint64) height > limit->max_pixels;
}

static void
size_prepared_cb (GdkPixbufLoader *loader,
                  gint             width,
                  gint             height,
                  gpointer         user_data)
{
  DecodeLimit *limit = user_data;

  limit->width = width;
  limit->height = height;
  if (exceeds (limit, width, height))
    {
      limit->refused = TRUE;
      /* A zero target size makes the loaders stop before they allocate. */
      gdk_pixbuf_loader_set_size (loader, 0, 0);
    }
}

static void
set_too_large (GError            **error,
               const DecodeLimit  *limit)
{
  if (limit->width <= 0 || limit->height <= 0)
    g_set_error (error, FF_IMAGE_ERROR, FF_IMAGE_ERROR_DECODE,
                 _("not an image this plug-in can read: it claims %d × %d pixels"),
                 limit->width, limit->height);
  else if ((guint64) limit->width * (guint64) limit->height > limit->max_pixels)
    g_set_error (error, FF_IMAGE_ERROR, FF_IMAGE_ERROR_TOO_LARGE,
                 _("the image is %d × %d pixels, more than the %" PRIu64
                   " allowed"), limit->width, limit->height, (guint64) limit->max_pixels);
  else
    /* Few pixels on a very long side: as costly to resample, and no
     * answer to the request.
     */
    g_set_error (error, FF_IMAGE_ERROR, FF_IMAGE_ERROR_TOO_LARGE,
                 _("the image is %d × %d pixels, more than the %d × %d allowed"),
                 limit->width, limit->height, limit->max_side, limit->max_side);
}

GdkPixbuf *
ff_image_decode (GBytes   *bytes,
                 guint64   max_pixels,
                 GError  **error)
{
  g_autoptr(GdkPixbufLoader) loader = NULL;
  g_autoptr(GError)          local_error = NULL;
  DecodeLimit   limit = { MIN (max_pixels, FF_MAX_DECODED_PIXELS), 0, FALSE, 0, 0 };
  gsize         size = 0;
  const guchar *data = bytes != NULL ? g_bytes_get_data (bytes, &size) : NULL;
  const gchar  *type = data != NULL ? sniff_type (data, size) : NULL;
  GdkPixbuf    *pixbuf;
  gboolean      ok = TRUE;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (type == NULL)
    {
      g_set_error_literal (error, FF_IMAGE_ERROR, FF_IMAGE_ERROR_DECODE,
                           _("not a PNG, JPEG or WebP image"));
      return NULL;
    }
  /* WebP may have no loader installed: then this is what says so. */
  loader = gdk_pixbuf_loader_new_with_type (type, &local_error);
  if (loader == NULL)
    {
      g_set_error (error, FF_IMAGE_ERROR, FF_IMAGE_ERROR_DECODE,
                   _("not an image this plug-in can read: %s"), local_error->message);
      return NULL;
    }
  limit.max_side = side_limit (limit.max_pixels);

  g_signal_connect (loader, "size-prepared", G_CALLBACK (size_prepared_cb), &limit);
  /* In chunks, so an oversized image is refused after its header. */
  for (gsize done = 0; ok && done < size && ! limit.refused; done += DECODE_CHUNK)
    ok = gdk_pixbuf_loader_write (loader, data + done, MIN (DECODE_CHUNK, size - done),
                                  &local_error);
  if (! gdk_pixbuf_loader_close (loader, ok ? &local_error : NULL))
    ok = FALSE;

  if (limit.refused)
    {
      set_too_large (error, &limit);
      return NULL;
    }
  pixbuf = gdk_pixbuf_loader_get_pixbuf (loader);
  if (! ok || pixbuf == NULL)
    {
      if (local_error != NULL)
        g_set_error (error, FF_IMAGE_ERROR, FF_IMAGE_ERROR_DECODE,
                     _("not an image this plug-in can read: %s"), local_error->message);
      else
        g_set_error_literal (error, FF_IMAGE_ERROR, FF_IMAGE_ERROR_DECODE,
                             _("not an image this plug-in can read"));
      return NULL;
    }
  /* Again on what came out: a loader need not announce its size, nor
   * honour set_size (0, 0).
   */
  limit.width = gdk_pixbuf_get_width (pixbuf);
  limit.height = gdk_pixbuf_get_height (pixbuf);
  if (exceeds (&limit, limit.width, limit.height))
    {
      set_too_large (error, &limit);
      return NULL;
    }
  return g_object_ref (pixbuf);
}

GdkPixbuf *
ff_image_fit (GdkPixbuf *pixbuf,
              gint       width,
              gint       height)
{
  g_return_val_if_fail (GDK_IS_PIXBUF (pixbuf), NULL);

  if (gdk_pixbuf_get_width (pixbuf) == width && gdk_pixbuf_get_height (pixbuf) == height)
    return g_object_ref (pixbuf);
  /* BILINEAR here is gdk-pixbuf's box-filtered resampling when shrinking. */
  return gdk_pixbuf_scale_simple (pixbuf, width, height, GDK_INTERP_BILINEAR);
}

/* What the PNG of @pixbuf would weigh, from its central tile, so that a
 * photo does not pay for a whole PNG it will not send.
 */
static gdouble
estimate_png_size (GdkPixbuf *pixbuf)
{
  gint                 width = gdk_pixbuf_get_width (pixbuf);
  gint                 height = gdk_pixbuf_get_height (pixbuf);
  gint                 tw = MIN (width, PNG_SAMPLE_SIDE), th = MIN (height, PNG_SAMPLE_SIDE);
  g_autoptr(GdkPixbuf) tile = gdk_pixbuf_new_subpixbuf (pixbuf, (width - tw) / 2,
                                                        (height - th) / 2, tw, th);
  g_autoptr(GBytes)    png = ff_image_encode_png (tile, NULL);

  if (png == NULL)
    return 0;
  return (gdouble) g_bytes_get_size (png) * width * height / ((gdouble) tw * th);
}

GBytes *
ff_image_encode_upload (GdkPixbuf    *pixbuf,
                        const gchar **mime_type,
                        GError      **error)
{
  g_autoptr(GBytes) png = NULL;

  /* The estimate is within about 10 % (measured on photos and gradients);
   * a JPEG where a PNG would just have fitted is no visible loss, while
   * encoding a PNG only to drop it costs a photo 150-300 ms.
   */
  if (estimate_png_size (pixbuf) > FF_UPLOAD_PNG_MAX)
    {
      *mime_type = "image/jpeg";
      return ff_image_encode_jpeg (pixbuf, error);
    }
  png = ff_image_encode_png (pixbuf, error);
  if (png == NULL)
    return NULL;
  if (g_bytes_get_size (png) <= FF_UPLOAD_PNG_MAX)
    {
      *mime_type = "image/png";
      return g_steal_pointer (&png);
    }
  *mime_type = "image/jpeg";
  return ff_image_encode_jpeg (pixbuf, error);
}

guint8 *
ff_mask_fit (const guint8 *mask,
             gint          width,
             gint          height,
             gint          to_width,
             gint          to_height)
{
  guint8 *fitted = g_try_malloc0 ((gsize) to_width * to_height);

  if (fitted == NULL)
    return NULL;
  /* Every source pixel marks the one it lands in, and every target pixel
   * looks at the one it comes from: together, any overlap counts, in
   * either direction of scaling.
   */
  for (gint y = 0; y < height; y++)
    for (gint x = 0; x < width; x++)
      if (mask[(gsize) y * width + x])
        {
          gint tx = (gint) ((gint64) x * to_width / width);
          gint ty = (gint) ((gint64) y * to_height / height);

          fitted[(gsize) ty * to_width + tx] = 255;
        }
  for (gint ty = 0; ty < to_height; ty++)
    for (gint tx = 0; tx < to_width; tx++)
      {
        gint x = (gint) ((gint64) tx * width / to_width);
        gint y = (gint) ((gint64) ty * height / to_height);

        if (mask[(gsize) y * width + x])
          fitted[(gsize) ty * to_width + tx] = 255;
      }
  return fitted;
}

GdkPixbuf *
ff_model_mask (const guint8 *mask,
               gint          width,
               gint          height,
               gint          send_width,
               gint          send_height)
{
  g_autofree guint8 *fitted = ff_mask_fit (mask, width, height, send_width, send_height);
  GdkPixbuf         *pixbuf;
  gint               stride;
  guchar            *pixels;

  if (fitted == NULL)
    return NULL;
  pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, send_width, send_height);
  if (pixbuf == NULL)
    return NULL;
  stride = gdk_pixbuf_get_rowstride (pixbuf);
  pixels = gdk_pixbuf_get_pixels (pixbuf);
  for (gint y = 0; y < send_height; y++)
    for (gint x = 0; x < send_width; x++)
      memset (pixels + (gsize) y * stride + (gsize) x * 3,
              fitted[(gsize) y * send_width + x], 3);
  return pixbuf;
}
