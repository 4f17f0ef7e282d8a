/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One fill as the service sees it, without GIMP: the crop and mask
 * encoded once at the model's size (and uploaded where the service has a
 * Files API), then N variations run concurrently, each with its own seed,
 * connection and cancel ticket, until each is decoded or has failed; one
 * cancel watchman holds the run's tickets.
 */
#pragma once

#include <gio/gio.h>
#include <gdk-pixbuf/gdk-pixbuf.h>

#include "fill-params.h"
#include "model.h"
#include "service-client.h"

G_BEGIN_DECLS

#define FF_VARIATIONS_MAX 4

/* Where and how to reach the service. */
typedef struct
{
  const gchar    *base_url;          /* nullable: Replicate's */
  const gchar    *token;
  FfClientTiming  timing;
  /* nullable: the plug-in's executable, run as the run's cancel watchman
   * (cancel-watch.h), so a killed plug-in stops every billing.
   */
  const gchar    *watch_executable;
  /* nullable: Replicate's API */
  const FfProviderInfo *provider;
} FfService;

typedef struct _FfFillUpload FfFillUpload;

/* Encodes @crop (8-bit RGB) at the model's size, and @mask (a byte a
 * pixel, the crop's size; NULL when outpainting) as the model's mask;
 * the picture goes through @client's Files API when it is large and the
 * service has one, else as a data URI.  (transfer full)
 */
FfFillUpload * ff_fill_upload_new      (FfClient           *client,
                                        GdkPixbuf          *crop,
                                        const guint8       *mask,
                                        GError            **error);
/* An edit's upload for @model (model.h; its provider must be @client's):
 * @crop (8-bit RGB) sent at the size @model answers for it
 * (ff_model_output_size (), so the scale back is uniform), no mask, and
 * @n_references further pictures (8-bit RGB, nullable when 0), each
 * scaled to at most FF_MEGAPIXEL, as data URIs after it.  The runs of
 * this upload go to @model's route with its body.  Fails, sending
 * nothing, when ff_model_check_edit () would refuse @n_references.
 * (transfer full)
 */
FfFillUpload * ff_fill_upload_new_edit (FfClient           *client,
                                        const FfModel      *model,
                                        GdkPixbuf          *crop,
                                        GdkPixbuf         **references,
                                        guint               n_references,
                                        GError            **error);
void           ff_fill_upload_free     (FfFillUpload       *upload);
/* The size the picture was sent at, and the pixels of every image sent
 * (the picture and its references; what FLUX.2 bills).
 */
void           ff_fill_upload_sent     (const FfFillUpload *upload,
                                        gint               *width,
                                        gint               *height,
                                        gint64             *input_pixels);
/* Bytes one variation sends: the file (Files API) and its request body.
 * The body is the model's of @params at the upload's provider.
 */
gsize          ff_fill_upload_size     (const FfFillUpload *upload,
                                        const FfParams     *params);

typedef struct
{
  guint   total;
  guint   queued;         /* created, not yet running on the service */
  guint   generating;
  guint   downloading;
  guint   done;
  guint   failed;
  gdouble elapsed;        /* seconds since the variations started */
} FfFillProgress;

/* Called on the calling thread about ten times a second while variations
 * run.
 */
typedef void (* FfFillProgressFunc) (const FfFillProgress *progress,
                                     gpointer              user_data);

/* The seeds of @n variations: @seed, @seed + 1… when @seed ≥ 0, else
 * random ones; every one is sent, so every result can be made again.
 */
void           ff_fill_seeds           (gint                seed,
                                        guint               n,
                                        gint               *seeds);

/* Runs @n variations of @params (each with seeds[i]) concurrently and
 * returns when all have ended.  results[i] is the decoded output (transfer
 * full) or NULL with errors[i] set; costs[i] (nullable array) what the
 * service said it costs, in cents, or -1.  @cancellable cancels every
 * running prediction on the service.
 */
void           ff_fill_run             (const FfService    *service,
                                        const FfFillUpload *upload,
                                        const FfParams     *params,
                                        const gint         *seeds,
                                        guint               n,
                                        GCancellable       *cancellable,
                                        FfFillProgressFunc  progress,
                                        gpointer            user_data,
                                        GdkPixbuf         **results,
                                        gint               *costs,
                                        GError            **errors);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FfFillUpload, ff_fill_upload_free)

G_END_DECLS
