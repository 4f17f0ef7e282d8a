/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "service-client.h"
#include "token-fd.h"

/* Up to @max bytes of @fd into @buffer: from offset 0 where the
 * descriptor can seek, else what a pipe holds.  -1 with errno on failure.
 */
static gssize
read_all (gint   fd,
          gchar *buffer,
          gsize  max)
{
  gsize n = 0;

  while (n < max)
    {
      gssize got = pread (fd, buffer + n, max - n, (off_t) n);

      if (got < 0 && errno == ESPIPE)
        got = read (fd, buffer + n, max - n);
      if (got < 0 && errno == EINTR)
        continue;
      if (got < 0)
        return -1;
      if (got == 0)
        break;
      n += (gsize) got;
    }
  return (gssize) n;
}

FfToken *
ff_token_fd_read (const gchar  *fd_text,
                  GError      **error)
{
  /* One byte more than a token and its newline: a longer one is seen. */
  gsize    size = FF_TOKEN_MAX_BYTES + 2;
  gchar   *buffer;
  guint64  fd = 0;
  gssize   n = -1;
  gint     saved = EBADF;
  gboolean ok;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (fd_text == NULL || *fd_text == '\0')
    return NULL;
  if (g_ascii_string_to_unsigned (fd_text, 10, 3, G_MAXINT, &fd, NULL))
    {
      buffer = g_malloc0 (size + 1);
      n = read_all ((gint) fd, buffer, size);
      saved = errno;
      close ((gint) fd);
    }
  else
    buffer = g_malloc0 (1);
  if (n < 0)
    {
      g_free (buffer);
      g_set_error (error, FF_TOKEN_ERROR, FF_TOKEN_ERROR_FAILED,
                   /* TRANSLATORS: FLUX_FILL_TOKEN_FD stays as it is; the last %s is
                      the system's reason. */
                   _("FLUX_FILL_TOKEN_FD=%s names no descriptor the token can be read "
                     "from: %s"), fd_text, g_strerror (saved));
      return NULL;
    }
  if (n > 0 && buffer[n - 1] == '\n')
    buffer[--n] = '\0';
  ok = n > 0 && (gsize) n <= FF_TOKEN_MAX_BYTES;
  for (gssize i = 0; ok && i < n; i++)
    ok = ! g_ascii_iscntrl (buffer[i]);
  if (! ok)
    {
      memset (buffer, 0, size);     /* whatever it was, wiped */
      g_free (buffer);
      g_set_error (error, FF_TOKEN_ERROR, FF_TOKEN_ERROR_FAILED,
                   /* TRANSLATORS: FLUX_FILL_TOKEN_FD stays as it is. */
                   _("FLUX_FILL_TOKEN_FD=%s holds no token: it is empty, longer than "
                     "%d bytes or more than one line"), fd_text, FF_TOKEN_MAX_BYTES);
      return NULL;
    }
  return buffer;
}
