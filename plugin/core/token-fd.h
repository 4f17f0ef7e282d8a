/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The API token handed over on an open file descriptor, whose number
 * FLUX_FILL_TOKEN_FD names: how flux-fill-batch gives the token to a
 * plug-in it runs in a root through bwrap, where no keyring answers,
 * without an environment variable or an argument holding it (both are
 * readable in /proc and inherited by every child).
 */
#pragma once

#include <glib.h>

#include "token-store.h"

G_BEGIN_DECLS

#define FF_TOKEN_FD_VARIABLE "FLUX_FILL_TOKEN_FD"

/* The token on the descriptor @fd_text names (the variable's value), one
 * line of at most FF_TOKEN_MAX_BYTES without control characters, a
 * trailing newline dropped.  A file or memfd is read from its start
 * (pread), so every plug-in process GIMP starts can read it; a pipe is
 * read to its end.  The descriptor is closed in this process either way.
 * NULL without @error when @fd_text is NULL or empty; NULL with
 * FF_TOKEN_ERROR_FAILED when it names no open descriptor or holds no
 * token.  (transfer full, free with ff_token_free ())
 */
FfToken * ff_token_fd_read (const gchar  *fd_text,
                            GError      **error);

G_END_DECLS
