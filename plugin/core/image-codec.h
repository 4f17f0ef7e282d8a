/* Encoding the crop and mask for upload, decoding the model's output.
 * GdkPixbuf does both (libgimp already depends on it); its loaders cover
 * png, jpeg and, with webp-pixbuf-loader, webp.
 */
#pragma once

#include <gdk-pixbuf/gdk-pixbuf.h>

G_BEGIN_DECLS

#define FF_IMAGE_ERROR (ff_image_error_quark ())
GQuark ff_image_error_quark (void);

typedef enum
{
  FF_IMAGE_ERROR_DECODE,
  FF_IMAGE_ERROR_TOO_LARGE,
  FF_IMAGE_ERROR_ENCODE,
} FfImageError;

/* A generous cap on decoded outputs: 16k × 16k. */
#define FF_MAX_DECODED_PIXELS (16384u * 16384u)

/* PNG bytes of @pixbuf (transfer full). */
GBytes *    ff_image_encode_png  (GdkPixbuf    *pixbuf,
                                  GError      **error);
/* "data:<mime>;base64,…" (transfer full). */
gchar *     ff_data_uri          (GBytes       *bytes,
                                  const gchar  *mime_type);
/* Decodes any format the installed loaders know, refusing images of more
 * than @max_pixels before their pixels are allocated where the format
 * allows.  (transfer full)
 */
GdkPixbuf * ff_image_decode      (GBytes       *bytes,
                                  guint64       max_pixels,
                                  GError      **error);
/* @pixbuf itself when it is already @width × @height, else a resampled
 * copy.  (transfer full)
 */
GdkPixbuf * ff_image_fit         (GdkPixbuf    *pixbuf,
                                  gint          width,
                                  gint          height);

G_END_DECLS
