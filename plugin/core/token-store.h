/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The API token in the desktop keyring (the Secret Service, through
 * libsecret), one per base URL.  Items are found by their attributes
 * alone, whatever schema stored them, so users and scripts can manage
 * the token without GIMP:
 *
 *   secret-tool store --label='FLUX Fill token' \
 *     application flux-fill base-url https://api.replicate.com
 *
 * There is deliberately no other place: without a Secret Service the
 * calls fail with FF_TOKEN_ERROR_NO_SERVICE, never falling back to a file.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define FF_TOKEN_LABEL        "FLUX Fill token"
#define FF_TOKEN_APPLICATION  "flux-fill"

#define FF_TOKEN_ERROR (ff_token_error_quark ())
GQuark ff_token_error_quark (void);

typedef enum
{
  FF_TOKEN_ERROR_NO_SERVICE,   /* no session bus, or nothing provides org.freedesktop.secrets */
  FF_TOKEN_ERROR_FAILED,       /* the keyring answered with an error (locked, refused…) */
} FfTokenError;

/* A token from the keyring, in memory libsecret wipes on release. */
typedef gchar FfToken;

/* @base_url NULL or "" means FF_DEFAULT_BASE_URL; trailing slashes are
 * not part of the attribute.  NULL without an error: none stored.
 * (transfer full, free with ff_token_free ())
 */
FfToken *   ff_token_lookup      (const gchar   *base_url,
                                  GCancellable  *cancellable,
                                  GError       **error);
/* Stores @token for @base_url in the default collection, then removes
 * every other item for @base_url one by one (also ones secret-tool
 * stored, under another schema or none).  When the store fails nothing
 * is removed: a token stored before stays in use, and the message says so.
 */
gboolean    ff_token_store       (const gchar   *base_url,
                                  const gchar   *token,
                                  GError       **error);
/* Removes every item for @base_url; TRUE also when there was none. */
gboolean    ff_token_clear       (const gchar   *base_url,
                                  GError       **error);
/* Wipes and frees any token string (also a g_strdup ()ed one). */
void        ff_token_free        (FfToken       *token);
/* @base_url as the keyring attribute holds it.  (transfer full) */
gchar *     ff_token_base_url    (const gchar   *base_url);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FfToken, ff_token_free)

G_END_DECLS
