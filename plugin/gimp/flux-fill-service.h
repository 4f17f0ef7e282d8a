/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Which service a fill talks to, and with which token. */
#pragma once

#include <libgimp/gimp.h>

#include "service-table.h"
#include "token-store.h"

G_BEGIN_DECLS

/* Where a run with @config goes: the environment first
 * (FLUX_FILL_PROVIDER, FLUX_FILL_BASE_URL, the provider's own variables),
 * then the service the dialogs share; see ff_service_resolve ().  Clear
 * @target with ff_resolved_clear ().
 */
gboolean flux_fill_service_target (GimpProcedureConfig  *config,
                                   FfResolved           *target,
                                   GError              **error);
/* The key for @target: its provider's variable, the descriptor
 * flux-fill-batch hands over, else the desktop keyring's entry for
 * @target->key_url.  Without one, fails with a message for the user that
 * says where one goes.  @key: (out) (transfer full), ff_token_free ()
 */
gboolean flux_fill_service_key    (const FfResolved     *target,
                                   FfToken             **key,
                                   GError              **error);

/* FLUX Fill Pro's published price per image, in US dollars (November 2026). */
#define FLUX_FILL_PRICE_DEFAULT 0.05

/* Whether @a and @b name the same service (trailing slashes aside). */
gboolean flux_fill_service_same          (const gchar         *a,
                                          const gchar         *b);
/* Whether a fill that ended with @status and @error got an answer from
 * the service that was not a refusal of the token: the token works.
 */
gboolean flux_fill_service_accepted      (GimpPDBStatusType    status,
                                          const GError        *error);
/* Puts what went wrong into words a user can act on, before the service's
 * own (once); @typed: the token was typed in the dialog, not stored.
 */
void     flux_fill_service_explain       (GError             **error,
                                          gboolean             typed);

/* The remembered service settings, "service", "base-url" and "price":
 * auxiliary arguments, so batch callers never pass them and the token is
 * never among them.
 */
void     flux_fill_service_add_arguments (GimpProcedure       *procedure);
/* The preset of the dialog's "service" choice. */
const FfPreset * flux_fill_service_preset (GimpProcedureConfig *config);
/* What to call the service behind @base_url in a sentence: "Replicate",
 * "ChainHub" or its host (and port, when it has one).  (transfer full)
 */
gchar *  flux_fill_service_name          (const gchar         *base_url);

/* @dollars with two decimals (three for tenths of a cent) in the user's
 * number format ("0,05" in French), whatever LC_NUMERIC the plug-in runs
 * with.  (transfer full)
 */
gchar *  flux_fill_service_price_text    (gdouble              dollars);
/* @value with @digits decimals, the same way ("3,1" in French).
 * (transfer full)
 */
gchar *  flux_fill_service_number_text   (gdouble              value,
                                          gint                 digits);

/* FLUX Fill, FLUX Expand and FLUX Fill Again share one service: the
 * choice made in either dialog is loaded into @config in every run mode
 * (service, URL and price only), so a repeat or a batch call goes where
 * the dialog said, never where a file's record says.
 */
void     flux_fill_service_load_shared   (GimpProcedureConfig *config);
/* The price kept for the service @config names now (the default when
 * none was), as the dialog's Service choice changes.
 */
void     flux_fill_service_load_price    (GimpProcedureConfig *config);
/* Keeps @price as the price of the service @nick, as the dialog leaves it. */
void     flux_fill_service_keep_price    (const gchar         *nick,
                                          gdouble              price);
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
