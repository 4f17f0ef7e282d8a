/* Which service a fill talks to, and with which token. */
#pragma once

#include <glib.h>

#include "token-store.h"

G_BEGIN_DECLS

/* The base URL: REPLICATE_BASE_URL if set, else @configured_base_url (the
 * dialog's remembered setting; NULL: Replicate's own), without trailing
 * slashes.  The token: REPLICATE_API_TOKEN if set (batch runs, CI), else
 * the desktop keyring's entry for that base URL.  Without a token, fails
 * with a message for the user that says where one goes.
 * @base_url: (out) (transfer full), g_free ()
 * @token: (out) (transfer full), ff_token_free ()
 */
gboolean flux_fill_service_resolve (const gchar  *configured_base_url,
                                    gchar       **base_url,
                                    FfToken     **token,
                                    GError      **error);

G_END_DECLS
