/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target: a downloaded "image" must decode or fail cleanly,
 * within the cap the plug-in sets for a 512 × 512 send.
 */
#include "config.h"

#include "image-codec.h"

#define FUZZ_SEND_SIDE 512

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  guint64              max_pixels = ff_output_pixel_limit (FUZZ_SEND_SIDE, FUZZ_SEND_SIDE);
  /* An empty download as the client hands it over: no data at all. */
  g_autoptr(GBytes)    bytes = size > 0 ? g_bytes_new_static (data, size) : g_bytes_new (NULL, 0);
  g_autoptr(GError)    error = NULL;
  g_autoptr(GdkPixbuf) pixbuf = ff_image_decode (bytes, max_pixels, &error);

  g_assert ((pixbuf == NULL) == (error != NULL));
  if (pixbuf != NULL)
    {
      gint width = gdk_pixbuf_get_width (pixbuf), height = gdk_pixbuf_get_height (pixbuf);

      g_assert ((guint64) width * height <= max_pixels);
      g_assert ((guint64) width * width <= max_pixels && (guint64) height * height <= max_pixels);
    }
  return 0;
}
