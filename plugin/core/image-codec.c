#include "config.h"

#include <string.h>

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
      g_prefix_error (error, "could not encode %s: ", type);
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

typedef struct
{
  guint64  max_pixels;
  gboolean too_large;
  gint     width;
  gint     height;
} DecodeLimit;

static void
size_prepared_cb (GdkPixbufLoader *loader,
                  gint             width,
                  gint             height,
                  gpointer         user_data)
{
  DecodeLimit *limit = user_data;

  limit->width = width;
  limit->height = height;
  if (width <= 0 || height <= 0 ||
      (guint64) width * (guint64) height > limit->max_pixels)
    {
      limit->too_large = TRUE;
      /* A zero target size makes the loaders stop before they allocate. */
      gdk_pixbuf_loader_set_size (loader, 0, 0);
    }
}

GdkPixbuf *
ff_image_decode (GBytes   *bytes,
                 guint64   max_pixels,
                 GError  **error)
{
  g_autoptr(GdkPixbufLoader) loader = gdk_pixbuf_loader_new ();
  g_autoptr(GError)          local_error = NULL;
  DecodeLimit   limit = { max_pixels, FALSE, 0, 0 };
  gsize         size = 0;
  const guchar *data = g_bytes_get_data (bytes, &size);
  GdkPixbuf    *pixbuf;
  gboolean      ok = TRUE;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  g_signal_connect (loader, "size-prepared", G_CALLBACK (size_prepared_cb), &limit);
  /* In chunks, so an oversized image is refused after its header. */
  for (gsize done = 0; ok && done < size && ! limit.too_large; done += DECODE_CHUNK)
    ok = gdk_pixbuf_loader_write (loader, data + done, MIN (DECODE_CHUNK, size - done),
                                  &local_error);
  if (! gdk_pixbuf_loader_close (loader, ok ? &local_error : NULL))
    ok = FALSE;

  if (limit.too_large)
    {
      g_set_error (error, FF_IMAGE_ERROR, FF_IMAGE_ERROR_TOO_LARGE,
                   "the image is %d × %d pixels, more than the %" G_GUINT64_FORMAT
                   " allowed", limit.width, limit.height, max_pixels);
      return NULL;
    }
  pixbuf = gdk_pixbuf_loader_get_pixbuf (loader);
  if (! ok || pixbuf == NULL)
    {
      g_set_error (error, FF_IMAGE_ERROR, FF_IMAGE_ERROR_DECODE,
                   "not an image this plug-in can read%s%s",
                   local_error ? ": " : "", local_error ? local_error->message : "");
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
