/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The seam between the client (service-client.c: retries, waiting,
 * limits, cancel on giving up, downloads, where the key may go) and a
 * service's protocol.  One file per provider implements these calls:
 * provider-replicate.c (Replicate and its aggregators), provider-bfl.c
 * (Black Forest Labs).  HACKING.md, "Add a provider", says how to add one.
 *
 * Each call gets the client (its base URL, key, HTTP handle and helpers,
 * client-private.h) and returns, or fails with FF_HTTP_ERROR (a status,
 * through ff_client_status_error ()), FF_CURL_ERROR (no answer) or
 * FF_API_ERROR (an answer that makes no sense).  None retries by itself
 * but through ff_client_send (), which knows what may be sent again.
 */
#pragma once

#include <glib.h>

#include "prediction.h"
#include "service-client.h"
#include "service-table.h"

G_BEGIN_DECLS

typedef struct
{
  FfProviderId id;
  /* The route of FLUX Fill Pro's requests, for ff_client_predict (). */
  const gchar *fill_route;
  /* The header that carries the key ("x-key"); NULL: a bearer token. */
  const gchar *key_header;
  /* Whether an output on the base URL's own origin is fetched with the
   * key (Replicate's own files); never elsewhere.
   */
  gboolean     download_with_key;

  /* The free, authenticated request of the Test button; @checked: the
   * route it asked.
   */
  gboolean       (* check)          (FfClient            *client,
                                     const gchar        **checked,
                                     GError             **error);
  /* Starts a job of the model at @route with @body: sent once unless no
   * job can exist (ff_client_send (), FF_SEND_UNMADE).
   */
  FfPrediction * (* submit)         (FfClient            *client,
                                     const gchar         *route,
                                     const gchar         *body,
                                     gsize                length,
                                     GError             **error);
  /* One look at @job: its status, and its output URL once it succeeded. */
  FfPrediction * (* poll)           (FfClient            *client,
                                     const FfPrediction  *job,
                                     GError             **error);
  /* Stops @job; NULL where the service has no cancel (it runs and bills). */
  gboolean       (* cancel)         (FfClient            *client,
                                     const gchar         *job_id,
                                     GError             **error);
  /* Whether large inputs may go through the service's files API, and
   * the upload itself; NULL where there is none.
   */
  gboolean       (* has_files_api)  (FfClient            *client);
  gchar *        (* upload)         (FfClient            *client,
                                     GBytes              *data,
                                     const gchar         *file_name,
                                     const gchar         *mime_type,
                                     GError             **error);
} FfProviderOps;

const FfProviderOps * ff_provider_replicate (void);
const FfProviderOps * ff_provider_bfl       (void);
/* The implementation of @id. */
const FfProviderOps * ff_provider_ops       (FfProviderId id);

G_END_DECLS
