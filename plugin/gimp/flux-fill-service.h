/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Which service a fill talks to, and with which token. */
#pragma once

#include <libgimp/gimp.h>

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

/* The aggregator whose API contract this plug-in was built against. */
#define FLUX_FILL_CHAINHUB_URL "https://api.chainhub.tech/replicate"
/* FLUX Fill Pro's published price per image, in US dollars (November 2026). */
#define FLUX_FILL_PRICE_DEFAULT 0.05

typedef enum
{
  FLUX_FILL_SERVICE_REPLICATE,
  FLUX_FILL_SERVICE_CHAINHUB,
  FLUX_FILL_SERVICE_OTHER,
} FluxFillService;

/* Whether @a and @b name the same service (trailing slashes aside). */
gboolean flux_fill_service_same          (const gchar         *a,
                                          const gchar         *b);
/* Whether a fill that ended with @status and @error got an answer from
 * the service that was not a refusal of the token: the token works.
 */
gboolean flux_fill_service_accepted      (GimpPDBStatusType    status,
                                          const GError        *error);
/* Whether @error is the service refusing the token (401, 403). */
gboolean flux_fill_service_refused       (const GError        *error);

/* The remembered service settings, "service", "base-url" and "price":
 * auxiliary arguments, so batch callers never pass them and the token is
 * never among them.
 */
void     flux_fill_service_add_arguments (GimpProcedure       *procedure);
/* The base URL @config names (NULL: Replicate's own).  (transfer full) */
gchar *  flux_fill_service_configured_url (GimpProcedureConfig *config);
/* The base URL a run with @config uses: REPLICATE_BASE_URL if set, else
 * the configured one, else Replicate's; no trailing slash.  (transfer full)
 */
gchar *  flux_fill_service_base_url      (GimpProcedureConfig *config);
/* What to call the service behind @base_url in a sentence: "Replicate",
 * "ChainHub" or its host (and port, when it has one).  (transfer full)
 */
gchar *  flux_fill_service_name          (const gchar         *base_url);

/* @dollars with two decimals in the user's number format ("0,05" in
 * French), whatever LC_NUMERIC the plug-in runs with.  (transfer full)
 */
gchar *  flux_fill_service_price_text    (gdouble              dollars);

/* FLUX Fill, FLUX Expand and FLUX Fill Again share one service: the
 * choice made in either dialog is loaded into @config in every run mode
 * (service, URL and price only), so a repeat or a batch call goes where
 * the dialog said, never where a file's record says.
 */
void     flux_fill_service_load_shared   (GimpProcedureConfig *config);
void     flux_fill_service_store_shared  (GimpProcedureConfig *config);

/* Keeps a token typed into the dialog in the keyring, under the base URL
 * a fill will use; never anywhere else.  Called only once the service
 * accepted it (Test, or a fill's answer): a refused token never replaces
 * a stored one.  Fails with a message for the
 * user (no keyring: the two ways that work).
 */
gboolean flux_fill_service_keep_token    (GimpProcedureConfig *config,
                                          const gchar         *token,
                                          GError             **error);

G_END_DECLS
