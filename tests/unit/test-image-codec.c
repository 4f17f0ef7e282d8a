/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <gio/gio.h>

#include "image-codec.h"

/* What a 1024 × 1024 crop's answer may be. */
#define LIMIT_1024 ff_output_pixel_limit (1024, 1024)

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
  decoded = ff_image_decode (png, LIMIT_1024, &error);
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
  decoded = ff_image_decode (jpeg, LIMIT_1024, &error);
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
      g_autoptr(GdkPixbuf) pixbuf = ff_image_decode (bytes, LIMIT_1024, &error);

      g_assert_null (pixbuf);
      g_assert_error (error, FF_IMAGE_ERROR, FF_IMAGE_ERROR_DECODE);
      /* "not a PNG, JPEG or WebP image" or "not an image this plug-in can read: …" */
      g_assert_true (g_str_has_prefix (error->message, "not a"));
    }
}

static gboolean
can_save (const gchar *name)
{
  g_autoptr(GSList) formats = gdk_pixbuf_get_formats ();

  for (GSList *l = formats; l != NULL; l = l->next)
    {
      g_autofree gchar *format = gdk_pixbuf_format_get_name (l->data);

      if (g_str_equal (format, name))
        return gdk_pixbuf_format_is_writable (l->data);
    }
  return FALSE;
}

/* @type's bytes of a small picture, as gdk-pixbuf writes them. */
static GBytes *
save_as (const gchar *type)
{
  g_autoptr(GdkPixbuf) original = gradient (16, 16);
  g_autoptr(GError)    error = NULL;
  gchar               *buffer = NULL;
  gsize                size = 0;

  if (! gdk_pixbuf_save_to_buffer (original, &buffer, &size, type, &error, NULL))
    g_error ("saving %s: %s", type, error->message);
  return g_bytes_new_take (buffer, size);
}

/* Formats gdk-pixbuf has loaders for (a 173-byte SVG became a layer),
 * served as whatever the server says: refused before any loader but
 * PNG's, JPEG's or WebP's sees them.
 */
static void
test_other_formats_refused (void)
{
  static const gchar svg[] =
    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\">"
    "<rect width=\"10\" height=\"10\" fill=\"red\"/></svg>";
  /* A 1 × 1 GIF: gdk-pixbuf cannot write GIF. */
  static const guint8 gif[] =
  {
    'G', 'I', 'F', '8', '9', 'a', 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00,
    0xff, 0x00, 0x00, 0x00, 0x00, 0x00, 0x21, 0xf9, 0x04, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x2c, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02,
    0x44, 0x01, 0x00, 0x3b,
  };
  static const gchar *saved[] = { "tiff", "bmp", "ico" };
  g_autoptr(GPtrArray) cases = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();

  g_ptr_array_add (cases, g_bytes_new_static (svg, strlen (svg)));
  g_ptr_array_add (names, "svg");
  g_ptr_array_add (cases, g_bytes_new_static (gif, sizeof gif));
  g_ptr_array_add (names, "gif");
  for (guint i = 0; i < G_N_ELEMENTS (saved); i++)
    {
      /* Installed with gdk-pixbuf everywhere the plug-in runs: their
       * absence would make this test prove nothing.
       */
      g_assert_true (can_save (saved[i]));
      g_ptr_array_add (cases, save_as (saved[i]));
      g_ptr_array_add (names, (gpointer) saved[i]);
    }
  g_ptr_array_add (cases, g_bytes_new (NULL, 0));
  g_ptr_array_add (names, "empty");

  for (guint i = 0; i < cases->len; i++)
    {
      g_autoptr(GError)    error = NULL;
      g_autoptr(GdkPixbuf) pixbuf = NULL;
      g_autoptr(GdkPixbufLoader) loader = gdk_pixbuf_loader_new ();
      GBytes              *bytes = cases->pdata[i];

      g_test_message ("%s, %" G_GSIZE_FORMAT " bytes", (gchar *) names->pdata[i],
                      g_bytes_get_size (bytes));
      /* What a sniffing loader would have made of it. */
      if (g_bytes_get_size (bytes) > 0)
        {
          g_assert_true (gdk_pixbuf_loader_write_bytes (loader, bytes, NULL));
          g_assert_true (gdk_pixbuf_loader_close (loader, NULL));
          g_assert_nonnull (gdk_pixbuf_loader_get_pixbuf (loader));
        }
      else
        g_assert_false (gdk_pixbuf_loader_close (loader, NULL));
      pixbuf = ff_image_decode (bytes, LIMIT_1024, &error);
      g_assert_null (pixbuf);
      g_assert_error (error, FF_IMAGE_ERROR, FF_IMAGE_ERROR_DECODE);
      g_assert_cmpstr (error->message, ==, "not a PNG, JPEG or WebP image");
    }
}

static void
test_null_refused (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_null (ff_image_decode (NULL, LIMIT_1024, &error));
  g_assert_error (error, FF_IMAGE_ERROR, FF_IMAGE_ERROR_DECODE);
}

static void
test_webp_decodes (void)
{
  g_autoptr(GBytes)    webp = NULL;
  g_autoptr(GdkPixbuf) decoded = NULL;
  g_autoptr(GError)    error = NULL;

  if (! can_save ("webp"))
    {
      g_test_skip ("no WebP loader that saves (webp-pixbuf-loader) is installed");
      return;
    }
  webp = save_as ("webp");
  g_assert_cmpmem (g_bytes_get_data (webp, NULL), 4, "RIFF", 4);
  decoded = ff_image_decode (webp, LIMIT_1024, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_pixbuf_get_width (decoded), ==, 16);
  g_assert_cmpint (gdk_pixbuf_get_height (decoded), ==, 16);
}

static void
test_output_limit (void)
{
  /* A side may be 4 times the larger side sent, and 2880 whatever was sent. */
  g_assert_cmpuint (ff_output_pixel_limit (1024, 1024), ==, 4096 * 4096);
  g_assert_cmpuint (ff_output_pixel_limit (1440, 960), ==, 5760 * 5760);
  g_assert_cmpuint (ff_output_pixel_limit (32, 32), ==, 2880 * 2880);
  g_assert_cmpuint (ff_output_pixel_limit (0, 0), ==, 2880 * 2880);
  g_assert_cmpuint (ff_output_pixel_limit (G_MAXINT, 1), ==, FF_MAX_DECODED_PIXELS);
}

/* What the model may answer a small crop: 1440 × 1440, or a long strip. */
static void
test_model_answers_accepted (void)
{
  static const struct { gint w, h, send_w, send_h; } cases[] =
  {
    { 1440, 1440, 32, 32 }, { 2880, 8, 512, 512 }, { 8, 4096, 1024, 256 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GdkPixbuf) original = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8,
                                                      cases[i].w, cases[i].h);
      g_autoptr(GBytes)    png = NULL;
      g_autoptr(GdkPixbuf) decoded = NULL;
      g_autoptr(GError)    error = NULL;

      gdk_pixbuf_fill (original, 0x336699ff);
      png = ff_image_encode_png (original, &error);
      g_assert_no_error (error);
      decoded = ff_image_decode (png, ff_output_pixel_limit (cases[i].send_w, cases[i].send_h),
                                 &error);
      g_assert_no_error (error);
      g_assert_cmpint (gdk_pixbuf_get_width (decoded), ==, cases[i].w);
    }
}

/* PNG's CRC-32, bit by bit: a few chunks need no table. */
static guint32
png_crc (const guint8 *data,
         gsize         size)
{
  guint32 crc = 0xffffffff;

  for (gsize i = 0; i < size; i++)
    {
      crc ^= data[i];
      for (gint k = 0; k < 8; k++)
        crc = (crc >> 1) ^ (0xedb88320 & (0 - (crc & 1)));
    }
  return crc ^ 0xffffffff;
}

static void
put_chunk (GByteArray   *png,
           const gchar  *type,
           const guint8 *data,
           gsize         size)
{
  guint32 be = GUINT32_TO_BE ((guint32) size);
  guint   start;

  g_byte_array_append (png, (const guint8 *) &be, 4);
  start = png->len;
  g_byte_array_append (png, (const guint8 *) type, 4);
  if (size > 0)
    g_byte_array_append (png, data, size);
  be = GUINT32_TO_BE (png_crc (png->data + start, png->len - start));
  g_byte_array_append (png, (const guint8 *) &be, 4);
}

/* A real PNG of @side × @side black pixels at one bit a pixel: 32 MB of
 * rows that deflate to some 30 kB, what a hostile host can serve.
 */
static GBytes *
png_bomb (gint side)
{
  g_autoptr(GZlibCompressor) zlib = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_ZLIB, 9);
  g_autoptr(GOutputStream)   memory = g_memory_output_stream_new_resizable ();
  g_autoptr(GOutputStream)   deflate = g_converter_output_stream_new (memory,
                                                                      G_CONVERTER (zlib));
  g_autoptr(GByteArray)      png = g_byte_array_new ();
  g_autoptr(GBytes)          idat = NULL;
  g_autoptr(GError)          error = NULL;
  g_autofree guint8         *zeros = g_malloc0 (64 * 1024);
  guint64                    left = (guint64) side * (1 + (side + 7) / 8);   /* filter byte, bits */
  guint8                     ihdr[13] = { 0 };
  guint32                    be = GUINT32_TO_BE ((guint32) side);

  for (; left > 0; left -= MIN (left, 64 * 1024))
    g_assert_true (g_output_stream_write_all (deflate, zeros, MIN (left, 64 * 1024),
                                              NULL, NULL, &error));
  g_assert_true (g_output_stream_close (deflate, NULL, &error));
  idat = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (memory));

  memcpy (ihdr, &be, 4);
  memcpy (ihdr + 4, &be, 4);
  ihdr[8] = 1;   /* bit depth; colour type 0, grey */
  g_byte_array_append (png, (const guint8 *) "\x89PNG\r\n\x1a\n", 8);
  put_chunk (png, "IHDR", ihdr, sizeof ihdr);
  put_chunk (png, "IDAT", g_bytes_get_data (idat, NULL), g_bytes_get_size (idat));
  put_chunk (png, "IEND", NULL, 0);
  return g_byte_array_free_to_bytes (g_steal_pointer (&png));
}

/* The header is read, the 768 MB of RGB it asks for never allocated. */
static void
test_png_bomb_refused (void)
{
  g_autoptr(GBytes)    bomb = png_bomb (16000);
  g_autoptr(GError)    error = NULL;
  g_autoptr(GdkPixbuf) decoded = NULL;
  gint64               start;

  g_test_message ("%" G_GSIZE_FORMAT " bytes on the wire", g_bytes_get_size (bomb));
  g_assert_cmpuint (g_bytes_get_size (bomb), <, 100 * 1024);
  start = g_get_monotonic_time ();
  decoded = ff_image_decode (bomb, LIMIT_1024, &error);
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);
  g_assert_null (decoded);
  g_assert_error (error, FF_IMAGE_ERROR, FF_IMAGE_ERROR_TOO_LARGE);
  g_assert_cmpstr (error->message, ==,
                   "the image is 16000 × 16000 pixels, more than the 16777216 allowed");
}

/* Few pixels, one absurd side: the product alone would let it through. */
static void
test_long_side_refused (void)
{
  g_autoptr(GdkPixbuf) strip = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 1, 100000);
  g_autoptr(GBytes)    png = NULL;
  g_autoptr(GError)    error = NULL;
  g_autoptr(GdkPixbuf) decoded = NULL;

  gdk_pixbuf_fill (strip, 0);
  png = ff_image_encode_png (strip, &error);
  g_assert_no_error (error);
  decoded = ff_image_decode (png, LIMIT_1024, &error);
  g_assert_null (decoded);
  g_assert_error (error, FF_IMAGE_ERROR, FF_IMAGE_ERROR_TOO_LARGE);
  g_assert_cmpstr (error->message, ==,
                   "the image is 1 × 100000 pixels, more than the 4096 × 4096 allowed");
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
  g_test_add_func ("/image-codec/other-formats-refused", test_other_formats_refused);
  g_test_add_func ("/image-codec/null-refused", test_null_refused);
  g_test_add_func ("/image-codec/webp-decodes", test_webp_decodes);
  g_test_add_func ("/image-codec/output-limit", test_output_limit);
  g_test_add_func ("/image-codec/model-answers-accepted", test_model_answers_accepted);
  g_test_add_func ("/image-codec/png-bomb-refused", test_png_bomb_refused);
  g_test_add_func ("/image-codec/long-side-refused", test_long_side_refused);
  g_test_add_func ("/image-codec/data-uri", test_data_uri);
  g_test_add_func ("/image-codec/fit", test_fit);
  g_test_add_func ("/image-codec/upload-encoding", test_upload_encoding);
  g_test_add_func ("/image-codec/model-mask", test_model_mask);
  return g_test_run ();
}
