/* libFuzzer target: a downloaded "image" must decode or fail cleanly,
 * within the pixel cap.
 */
#include "config.h"

#include "image-codec.h"

#define FUZZ_MAX_PIXELS (2048u * 2048u)

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GBytes)    bytes = g_bytes_new_static (data, size);
  g_autoptr(GError)    error = NULL;
  g_autoptr(GdkPixbuf) pixbuf = ff_image_decode (bytes, FUZZ_MAX_PIXELS, &error);

  g_assert ((pixbuf == NULL) == (error != NULL));
  if (pixbuf != NULL)
    g_assert ((guint64) gdk_pixbuf_get_width (pixbuf) * gdk_pixbuf_get_height (pixbuf)
              <= FUZZ_MAX_PIXELS);
  return 0;
}
