#include "config.h"

#include <string.h>

#include "image-codec.h"

static GdkPixbuf *
gradient (gint width,
          gint height)
{
  GdkPixbuf *pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, width, height);
  guchar    *pixels = gdk_pixbuf_get_pixels (pixbuf);
  gint       stride = gdk_pixbuf_get_rowstride (pixbuf);

  for (gint y = 0; y < height; y++)
    for (gint x = 0; x < width; x++)
      {
        guchar *p = pixels + y * stride + x * 3;
        p[0] = (guchar) x;
        p[1] = (guchar) y;
        p[2] = (guchar) (x ^ y);
      }
  return pixbuf;
}

static void
test_png_round_trip (void)
{
  g_autoptr(GdkPixbuf) original = gradient (67, 41);
  g_autoptr(GdkPixbuf) decoded = NULL;
  g_autoptr(GBytes)    png = NULL;
  g_autoptr(GError)    error = NULL;
  const guchar        *a, *b;

  png = ff_image_encode_png (original, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (png, NULL), 8, "\x89PNG\r\n\x1a\n", 8);
  decoded = ff_image_decode (png, FF_MAX_DECODED_PIXELS, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_pixbuf_get_width (decoded), ==, 67);
  g_assert_cmpint (gdk_pixbuf_get_height (decoded), ==, 41);
  g_assert_false (gdk_pixbuf_get_has_alpha (decoded));
  a = gdk_pixbuf_get_pixels (original);
  b = gdk_pixbuf_get_pixels (decoded);
  for (gint y = 0; y < 41; y++)
    g_assert_cmpmem (a + y * gdk_pixbuf_get_rowstride (original), 67 * 3,
                     b + y * gdk_pixbuf_get_rowstride (decoded), 67 * 3);
}

static void
test_jpeg_decodes (void)
{
  g_autoptr(GdkPixbuf) original = gradient (32, 16);
  g_autoptr(GdkPixbuf) decoded = NULL;
  g_autoptr(GBytes)    jpeg = NULL;
  g_autoptr(GError)    error = NULL;
  gchar               *buffer = NULL;
  gsize                size = 0;

  g_assert_true (gdk_pixbuf_save_to_buffer (original, &buffer, &size, "jpeg", &error, NULL));
  jpeg = g_bytes_new_take (buffer, size);
  decoded = ff_image_decode (jpeg, FF_MAX_DECODED_PIXELS, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_pixbuf_get_width (decoded), ==, 32);
}

static void
test_garbage_refused (void)
{
  static const gchar *bodies[] = { "<html>Access denied</html>", "\x89PNG\r\n\x1a\nbroken", "x" };

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autoptr(GBytes)    bytes = g_bytes_new_static (bodies[i], strlen (bodies[i]));
      g_autoptr(GError)    error = NULL;
      g_autoptr(GdkPixbuf) pixbuf = ff_image_decode (bytes, FF_MAX_DECODED_PIXELS, &error);

      g_assert_null (pixbuf);
      g_assert_error (error, FF_IMAGE_ERROR, FF_IMAGE_ERROR_DECODE);
      g_assert_true (g_str_has_prefix (error->message, "not an image this plug-in can read"));
    }
}

static void
test_too_many_pixels (void)
{
  g_autoptr(GdkPixbuf) original = gradient (100, 100);
  g_autoptr(GBytes)    png = ff_image_encode_png (original, NULL);
  g_autoptr(GError)    error = NULL;
  g_autoptr(GdkPixbuf) decoded = ff_image_decode (png, 9999, &error);

  g_assert_null (decoded);
  g_assert_error (error, FF_IMAGE_ERROR, FF_IMAGE_ERROR_TOO_LARGE);
  g_assert_cmpstr (error->message, ==,
                   "the image is 100 × 100 pixels, more than the 9999 allowed");
}

static void
test_data_uri (void)
{
  g_autoptr(GBytes) bytes = g_bytes_new_static ("hello", 5);
  g_autofree gchar *uri = ff_data_uri (bytes, "image/png");

  g_assert_cmpstr (uri, ==, "data:image/png;base64,aGVsbG8=");
}

/* Random noise: what no lossless codec can shrink, like a photo's grain. */
static GdkPixbuf *
noise (gint width,
       gint height)
{
  GdkPixbuf *pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, width, height);
  guchar    *pixels = gdk_pixbuf_get_pixels (pixbuf);
  GRand     *rand = g_rand_new_with_seed (42);

  for (gsize i = 0; i < (gsize) gdk_pixbuf_get_rowstride (pixbuf) * height; i++)
    pixels[i] = (guchar) g_rand_int (rand);
  g_rand_free (rand);
  return pixbuf;
}

static void
test_upload_encoding (void)
{
  g_autoptr(GdkPixbuf) flat = gradient (1024, 1024);
  g_autoptr(GdkPixbuf) grainy = noise (1024, 1024);
  g_autoptr(GBytes)    bytes = NULL;
  g_autoptr(GError)    error = NULL;
  const gchar         *mime = NULL;

  bytes = ff_image_encode_upload (flat, &mime, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (mime, ==, "image/png");
  g_assert_cmpuint (g_bytes_get_size (bytes), <=, FF_UPLOAD_PNG_MAX);
  g_clear_pointer (&bytes, g_bytes_unref);

  bytes = ff_image_encode_upload (grainy, &mime, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (mime, ==, "image/jpeg");
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), 2, "\xff\xd8", 2);
}

static void
test_model_mask (void)
{
  static const struct { gint w, h, sw, sh; } sizes[] =
  {
    { 100, 80, 100, 80 }, { 100, 80, 32, 32 }, { 10, 10, 512, 512 }, { 3000, 2000, 1440, 960 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      gint                 w = sizes[i].w, h = sizes[i].h, sw = sizes[i].sw, sh = sizes[i].sh;
      g_autofree guint8   *mask = g_malloc0 ((gsize) w * h);
      g_autoptr(GdkPixbuf) model = NULL;
      const guchar        *p;
      gint                 stride, white = 0;

      /* One lit pixel in the middle, one in a corner. */
      mask[(h / 2) * w + w / 2] = 1;
      mask[(gsize) (h - 1) * w + (w - 1)] = 200;
      model = ff_model_mask (mask, w, h, sw, sh);
      g_assert_cmpint (gdk_pixbuf_get_width (model), ==, sw);
      g_assert_cmpint (gdk_pixbuf_get_height (model), ==, sh);
      p = gdk_pixbuf_get_pixels (model);
      stride = gdk_pixbuf_get_rowstride (model);
      for (gint y = 0; y < sh; y++)
        for (gint x = 0; x < sw * 3; x++)
          {
            g_assert_true (p[y * stride + x] == 0 || p[y * stride + x] == 255);
            white += p[y * stride + x] == 255;
          }
      /* Both survive shrinking; growing scales them up. */
      g_assert_cmpint (p[(sh - 1) * stride + (sw - 1) * 3], ==, 255);
      g_assert_cmpint (p[(gsize) (sh / 2) * stride + (sw / 2) * 3], ==, 255);
      g_assert_cmpint (white / 3, >=, 2);
      g_assert_cmpint (white / 3, <=, 2 * (sw / w + 2) * (sh / h + 2));
    }
}

static void
test_fit (void)
{
  g_autoptr(GdkPixbuf) original = gradient (64, 32);
  g_autoptr(GdkPixbuf) same = ff_image_fit (original, 64, 32);
  g_autoptr(GdkPixbuf) scaled = ff_image_fit (original, 100, 50);

  g_assert_true (same == original);
  g_assert_cmpint (gdk_pixbuf_get_width (scaled), ==, 100);
  g_assert_cmpint (gdk_pixbuf_get_height (scaled), ==, 50);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/image-codec/png-round-trip", test_png_round_trip);
  g_test_add_func ("/image-codec/jpeg-decodes", test_jpeg_decodes);
  g_test_add_func ("/image-codec/garbage-refused", test_garbage_refused);
  g_test_add_func ("/image-codec/too-many-pixels", test_too_many_pixels);
  g_test_add_func ("/image-codec/data-uri", test_data_uri);
  g_test_add_func ("/image-codec/fit", test_fit);
  g_test_add_func ("/image-codec/upload-encoding", test_upload_encoding);
  g_test_add_func ("/image-codec/model-mask", test_model_mask);
  return g_test_run ();
}
