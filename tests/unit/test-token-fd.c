/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The token on a descriptor (FLUX_FILL_TOKEN_FD): read from a file
 * whatever its offset, from a pipe, closed after; every bad value or
 * content is an error, never a token.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "service-client.h"
#include "token-fd.h"

#define TOKEN "r8_fd_unit_token_93c1"

/* An unlinked temporary file holding @len bytes of @content, as
 * flux-fill-batch hands it over; its descriptor.
 */
static gint
file_holding (const gchar *content,
              gsize        len)
{
  g_autofree gchar *path = NULL;
  gint              fd = g_file_open_tmp ("token-fd-XXXXXX", &path, NULL);

  g_assert_cmpint (fd, >=, 3);
  g_unlink (path);
  g_assert_cmpint (write (fd, content, len), ==, (gssize) len);
  return fd;
}

static gboolean
is_open (gint fd)
{
  return fcntl (fd, F_GETFD) != -1 || errno != EBADF;
}

static gchar *
fd_text (gint fd)
{
  return g_strdup_printf ("%d", fd);
}

static void
test_unset (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_null (ff_token_fd_read (NULL, &error));
  g_assert_no_error (error);
  g_assert_null (ff_token_fd_read ("", &error));
  g_assert_no_error (error);
}

static void
test_file (void)
{
  gint              fd = file_holding (TOKEN "\n", strlen (TOKEN "\n"));
  gint              twin = dup (fd);
  g_autofree gchar *text = fd_text (fd);
  g_autofree gchar *twin_text = fd_text (twin);
  g_autoptr(GError) error = NULL;
  FfToken          *token;

  /* The offset is at the end after writing: read from the start anyway. */
  token = ff_token_fd_read (text, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (token, ==, TOKEN);
  ff_token_free (token);
  g_assert_false (is_open (fd));
  /* Another process's copy (a later plug-in run) reads it as well. */
  token = ff_token_fd_read (twin_text, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (token, ==, TOKEN);
  ff_token_free (token);
  g_assert_false (is_open (twin));
}

static void
test_pipe (void)
{
  gint              ends[2];
  g_autofree gchar *text = NULL;
  g_autoptr(GError) error = NULL;
  FfToken          *token;

  g_assert_cmpint (pipe (ends), ==, 0);
  g_assert_cmpint (write (ends[1], TOKEN, strlen (TOKEN)), ==, (gssize) strlen (TOKEN));
  close (ends[1]);
  text = fd_text (ends[0]);
  token = ff_token_fd_read (text, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (token, ==, TOKEN);
  ff_token_free (token);
  g_assert_false (is_open (ends[0]));
}

static void
test_longest (void)
{
  g_autofree gchar *longest = g_strnfill (FF_TOKEN_MAX_BYTES, 'k');
  g_autofree gchar *text = fd_text (file_holding (longest, FF_TOKEN_MAX_BYTES));
  g_autoptr(GError) error = NULL;
  FfToken          *token = ff_token_fd_read (text, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (token, ==, longest);
  ff_token_free (token);
}

typedef struct
{
  const gchar *name;
  const gchar *content;     /* NULL: the fd text below, no file */
  const gchar *fd_text;
  const gchar *message;     /* a part of the error's message */
} BadCase;

static const BadCase bad_cases[] =
{
  { "not-a-number", NULL, "token",  "no descriptor" },
  { "negative",     NULL, "-1",     "no descriptor" },
  { "stdin",        NULL, "0",      "no descriptor" },
  { "closed",       NULL, "1000",   "no descriptor" },
  { "empty",        "",             NULL, "holds no token" },
  { "newline-only", "\n",           NULL, "holds no token" },
  { "two-lines",    TOKEN "\nx\n",  NULL, "holds no token" },
  { "nul",          "r8\0x",        NULL, "holds no token" },
};

static void
test_bad (gconstpointer data)
{
  const BadCase    *c = data;
  gint              fd = -1;
  g_autofree gchar *text = NULL;
  g_autoptr(GError) error = NULL;

  if (c->content != NULL)
    {
      /* The NUL case is five bytes long. */
      fd = file_holding (c->content, g_str_equal (c->name, "nul") ? 5 : strlen (c->content));
      text = fd_text (fd);
    }
  else
    text = g_strdup (c->fd_text);
  g_assert_null (ff_token_fd_read (text, &error));
  g_assert_error (error, FF_TOKEN_ERROR, FF_TOKEN_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, c->message));
  g_assert_nonnull (strstr (error->message, "FLUX_FILL_TOKEN_FD"));
  if (fd >= 0)
    g_assert_false (is_open (fd));
}

static void
test_too_long (void)
{
  g_autofree gchar *longer = g_strnfill (FF_TOKEN_MAX_BYTES + 1, 'k');
  g_autofree gchar *text = fd_text (file_holding (longer, FF_TOKEN_MAX_BYTES + 1));
  g_autoptr(GError) error = NULL;

  g_assert_null (ff_token_fd_read (text, &error));
  g_assert_error (error, FF_TOKEN_ERROR, FF_TOKEN_ERROR_FAILED);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/token-fd/unset", test_unset);
  g_test_add_func ("/token-fd/file", test_file);
  g_test_add_func ("/token-fd/pipe", test_pipe);
  g_test_add_func ("/token-fd/longest", test_longest);
  g_test_add_func ("/token-fd/too-long", test_too_long);
  for (guint i = 0; i < G_N_ELEMENTS (bad_cases); i++)
    {
      g_autofree gchar *path = g_strdup_printf ("/token-fd/bad/%s", bad_cases[i].name);
      g_test_add_data_func (path, &bad_cases[i], test_bad);
    }
  return g_test_run ();
}
