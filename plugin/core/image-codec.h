/* SPDX-License-Identifier: GPL-3.0-or-later */
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

/* The absolute ceiling on a decoded output, whatever the caller allows:
 * 16k × 16k.  Callers pass ff_output_pixel_limit () instead.
 */
#define FF_MAX_DECODED_PIXELS (16384u * 16384u)

/* An output side may be this many times the larger side sent (outpaint
 * zooms out 2× at most), and never needs to be refused below
 * FF_OUTPUT_MIN_SIDE (the model answers within about 1440 × 1440).
 */
#define FF_OUTPUT_MAX_GROWTH 4
#define FF_OUTPUT_MIN_SIDE   2880

/* The pixels a model's answer to a @send_width × @send_height picture may
 * have: the square of the longest side it may have, which
 * ff_image_decode () also holds each side to.
 */
guint64     ff_output_pixel_limit (gint         send_width,
                                   gint         send_height);

/* PNG bytes of @pixbuf, lossless: for masks.  (transfer full) */
GBytes *    ff_image_encode_png  (GdkPixbuf    *pixbuf,
                                  GError      **error);
/* JPEG bytes at quality 95.  (transfer full) */
GBytes *    ff_image_encode_jpeg (GdkPixbuf    *pixbuf,
                                  GError      **error);

/* Above this a PNG picture is sent as JPEG instead. */
#define FF_UPLOAD_PNG_MAX (1024 * 1024)

/* The picture as it is uploaded: PNG, lossless, while that stays under
 * FF_UPLOAD_PNG_MAX (graphics, flat areas, small crops; judged first from
 * the PNG of the central 256 × 256 tile, then from the PNG), else JPEG at
 * quality 95, a fraction of the size of a photo's PNG and no visible
 * loss.  Sets @mime_type to a static string.  (transfer full)
 */
GBytes *    ff_image_encode_upload (GdkPixbuf    *pixbuf,
                                    const gchar **mime_type,
                                    GError      **error);
/* "data:<mime>;base64,…" (transfer full). */
gchar *     ff_data_uri          (GBytes       *bytes,
                                  const gchar  *mime_type);
/* Decodes PNG, JPEG and WebP only, recognised by their first bytes
 * (whatever the server called them), so no other loader, SVG or TIFF say,
 * ever sees downloaded bytes.  Refuses images of more than @max_pixels,
 * or with a side longer than the square root of @max_pixels, before their
 * pixels are allocated where the loader allows and after decoding where it
 * does not.  (transfer full)
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

/* A byte-a-pixel @mask of @width × @height at @to_width × @to_height:
 * 255 wherever any pixel of @mask under it is not 0, 0 elsewhere; NULL
 * when out of memory.  (transfer full)
 */
guint8 *    ff_mask_fit          (const guint8 *mask,
                                  gint          width,
                                  gint          height,
                                  gint          to_width,
                                  gint          to_height);

/* The mask the model gets: ff_mask_fit () of @mask at @send_width ×
 * @send_height as 8-bit RGB, so the model repaints at least what the
 * layer will show.  (transfer full)
 */
GdkPixbuf * ff_model_mask        (const guint8 *mask,
                                  gint          width,
                                  gint          height,
                                  gint          send_width,
                                  gint          send_height);

G_END_DECLS
