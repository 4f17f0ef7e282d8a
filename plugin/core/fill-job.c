/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "cancel-watch.h"
#include "debug-log.h"
#include "fill-geometry.h"
#include "fill-job.h"
#include "fill-request.h"
#include "image-codec.h"
#include "model.h"
#include "provider.h"

/* Replicate's advice: files above 256 kB go through its Files API, not
 * inside the JSON.  Aggregators may not offer it; then the data URI goes.
 */
#define FILES_API_MIN      (256 * 1024)
#define PROGRESS_INTERVAL  (G_USEC_PER_SEC / 10)

struct _FfFillUpload
{
  gchar *image_uri;    /* a data URI or the Files API's URL */
  gchar *mask_uri;     /* nullable */
  gint   send_width;   /* what the model was sent: it bounds what is decoded */
  gint   send_height;
  gsize  size;         /* what went to the Files API */
  FfProviderId provider;  /* whose model's body it goes in */
  const FfModel *model;   /* nullable: the fill model of the params' outpaint */
  gchar **references;     /* nullable, NULL-terminated data URIs: an edit's */
  gint64  input_pixels;   /* of every image sent */
};

static gpointer
out_of_memory (GError **error)
{
  g_set_error_literal (error, FF_IMAGE_ERROR, FF_IMAGE_ERROR_ENCODE,
                       _("not enough memory for the area to fill"));
  return NULL;
}

/* Sends the picture @send (encoded once) as the upload's image: through
 * @client's Files API when it is large and the service has one, else as
 * a data URI.
 */
static gboolean
upload_picture (FfFillUpload  *upload,
                FfClient      *client,
                GdkPixbuf     *send,
                GError       **error)
{
  g_autoptr(GBytes) image = NULL;
  g_autoptr(GError) files_error = NULL;
  const gchar      *mime_type = NULL;

  image = ff_image_encode_upload (send, &mime_type, error);
  if (image == NULL)
    return FALSE;
  upload->input_pixels += (gint64) gdk_pixbuf_get_width (send) * gdk_pixbuf_get_height (send);
  if (client != NULL && g_bytes_get_size (image) > FILES_API_MIN &&
      ff_client_has_files_api (client))
    {
      upload->image_uri = ff_client_upload (client, image,
                                            g_str_equal (mime_type, "image/png")
                                              ? "flux-fill-crop.png" : "flux-fill-crop.jpg",
                                            mime_type, &files_error);
      if (upload->image_uri == NULL)
        ff_debug ("%s; sending a data URI instead", files_error->message);
      else
        upload->size = g_bytes_get_size (image);
    }
  if (upload->image_uri == NULL)
    upload->image_uri = ff_data_uri (image, mime_type);
  return TRUE;
}

FfFillUpload *
ff_fill_upload_new (FfClient      *client,
                    GdkPixbuf     *crop,
                    const guint8  *mask,
                    GError       **error)
{
  g_autoptr(FfFillUpload) upload = g_new0 (FfFillUpload, 1);
  g_autoptr(GdkPixbuf)    send = NULL;
  gint                    width = gdk_pixbuf_get_width (crop);
  gint                    height = gdk_pixbuf_get_height (crop);

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  upload->provider = client != NULL ? ff_client_provider (client)->id : FF_PROVIDER_REPLICATE;
  ff_model_size (width, height, &upload->send_width, &upload->send_height);
  send = ff_image_fit (crop, upload->send_width, upload->send_height);
  if (send == NULL)
    return out_of_memory (error);
  if (! upload_picture (upload, client, send, error))
    return NULL;
  g_clear_object (&send);
  if (mask != NULL)
    {
      g_autoptr(GBytes) png = NULL;

      send = ff_model_mask (mask, width, height, upload->send_width, upload->send_height);
      if (send == NULL)
        return out_of_memory (error);
      png = ff_image_encode_png (send, error);
      if (png == NULL)
        return NULL;
      upload->mask_uri = ff_data_uri (png, "image/png");
    }
  return g_steal_pointer (&upload);
}

/* @reference at ff_model_reference_size (), as a data URI.  (transfer full) */
static gchar *
reference_uri (FfFillUpload  *upload,
               GdkPixbuf     *reference,
               GError       **error)
{
  gint                 width, height;
  g_autoptr(GdkPixbuf) send = NULL;
  g_autoptr(GBytes)    bytes = NULL;
  const gchar         *mime_type = NULL;

  ff_model_reference_size (gdk_pixbuf_get_width (reference), gdk_pixbuf_get_height (reference),
                           &width, &height);
  send = ff_image_fit (reference, width, height);
  if (send == NULL)
    return out_of_memory (error);
  bytes = ff_image_encode_upload (send, &mime_type, error);
  if (bytes == NULL)
    return NULL;
  upload->input_pixels += (gint64) width * height;
  return ff_data_uri (bytes, mime_type);
}

FfFillUpload *
ff_fill_upload_new_edit (FfClient       *client,
                         const FfModel  *model,
                         GdkPixbuf      *crop,
                         GdkPixbuf     **references,
                         guint           n_references,
                         GError        **error)
{
  g_autoptr(FfFillUpload) upload = g_new0 (FfFillUpload, 1);
  g_autoptr(GdkPixbuf)    send = NULL;

  g_return_val_if_fail (model != NULL && crop != NULL, NULL);
  g_return_val_if_fail (n_references == 0 || references != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (! ff_model_check_references (model, n_references, error))
    return NULL;
  upload->provider = model->provider;
  upload->model = model;
  ff_model_output_size (model, gdk_pixbuf_get_width (crop), gdk_pixbuf_get_height (crop),
                        &upload->send_width, &upload->send_height);
  send = ff_image_fit (crop, upload->send_width, upload->send_height);
  if (send == NULL)
    return out_of_memory (error);
  if (! upload_picture (upload, client, send, error))
    return NULL;
  if (n_references > 0)
    {
      upload->references = g_new0 (gchar *, n_references + 1);
      for (guint i = 0; i < n_references; i++)
        if ((upload->references[i] = reference_uri (upload, references[i], error)) == NULL)
          return NULL;
    }
  return g_steal_pointer (&upload);
}

void
ff_fill_upload_sent (const FfFillUpload *upload,
                     gint               *width,
                     gint               *height,
                     gint64             *input_pixels)
{
  g_return_if_fail (upload != NULL);

  if (width != NULL)
    *width = upload->send_width;
  if (height != NULL)
    *height = upload->send_height;
  if (input_pixels != NULL)
    *input_pixels = upload->input_pixels;
}

void
ff_fill_upload_free (FfFillUpload *upload)
{
  if (upload == NULL)
    return;
  g_free (upload->image_uri);
  g_free (upload->mask_uri);
  g_strfreev (upload->references);
  g_free (upload);
}

/* The model an upload goes to: an edit's own, else the fill model of
 * @params's outpaint.
 */
static const FfModel *
upload_model (const FfFillUpload *upload,
              const FfParams     *params)
{
  return upload->model != NULL ? upload->model
                               : ff_model_for (upload->provider, params->outpaint);
}

/* The request of the upload's model with what was uploaded.  (transfer full) */
static gchar *
upload_body (const FfFillUpload *upload,
             const FfParams     *params,
             gsize              *length)
{
  const FfModel      *model = upload_model (upload, params);
  const FfModelInputs inputs = { upload->image_uri, upload->mask_uri,
                                 upload->send_width, upload->send_height,
                                 (const gchar * const *) upload->references };

  return model->build_body (params, &inputs, length);
}

gsize
ff_fill_upload_size (const FfFillUpload *upload,
                     const FfParams     *params)
{
  gsize             length = 0;
  g_autofree gchar *body = upload_body (upload, params, &length);

  return upload->size + length;
}

void
ff_fill_seeds (gint   seed,
               guint  n,
               gint  *seeds)
{
  for (guint i = 0; i < n; i++)
    {
      if (seed >= 0)
        /* Wraps within the schema's 0 … 2^31 - 1. */
        seeds[i] = (gint) (((gint64) seed + i) % ((gint64) G_MAXINT + 1));
      else
        seeds[i] = g_random_int_range (0, G_MAXINT);
    }
}

typedef enum
{
  STAGE_CREATING,
  STAGE_QUEUED,
  STAGE_GENERATING,
  STAGE_DOWNLOADING,
  STAGE_DONE,
  STAGE_FAILED,
} Stage;

/* One variation's worker: its own client (libcurl handles are not
 * shared between threads), watchman and result.
 */
typedef struct
{
  const FfService    *service;
  const FfFillUpload *upload;
  FfParams            params;      /* the caller's, with this variation's seed */
  GCancellable       *cancellable;
  gint                stage;       /* Stage, atomic */
  FfCancelWatch      *watch;       /* nullable; the run's, shared */
  gchar              *prediction;  /* its id, once created */
  gint                cost;        /* what the service said it costs, cents; -1 */
  GdkPixbuf          *result;
  GError             *error;
} Variation;

static gboolean
still_wanted (gpointer user_data)
{
  Variation *variation = user_data;

  return ! g_cancellable_is_cancelled (variation->cancellable);
}

static void
arm_watch (const gchar *prediction_id,
           gpointer     user_data)
{
  Variation *variation = user_data;

  g_atomic_int_set (&variation->stage, STAGE_QUEUED);
  g_free (variation->prediction);
  variation->prediction = g_strdup (prediction_id);
  if (variation->watch != NULL)
    ff_cancel_watch_arm (variation->watch, variation->service->base_url,
                         variation->service->token, prediction_id);
}

static void
status_changed (FfStatus status,
                gpointer user_data)
{
  Variation *variation = user_data;

  if (status == FF_STATUS_PROCESSING)
    g_atomic_int_set (&variation->stage, STAGE_GENERATING);
}

static GdkPixbuf *
run_variation (Variation  *variation,
               GError    **error)
{
  const FfProviderInfo *provider = variation->service->provider != NULL
                                   ? variation->service->provider
                                   : ff_provider_info (FF_PROVIDER_REPLICATE);
  const FfModel      *model = upload_model (variation->upload, &variation->params);
  g_autoptr(FfClient) client = ff_client_new_for (provider, variation->service->base_url,
                                                  variation->service->token, error);
  g_autofree gchar   *body = NULL;
  g_autofree gchar   *url = NULL;
  g_autoptr(GBytes)   output = NULL;
  gsize               length = 0;
  GdkPixbuf          *result;

  if (client == NULL)
    return NULL;
  ff_client_set_timing (client, &variation->service->timing);
  ff_client_set_progress (client, still_wanted, variation);
  ff_client_set_created (client, arm_watch, variation);
  ff_client_set_status (client, status_changed, variation);

  body = upload_body (variation->upload, &variation->params, &length);
  url = ff_client_predict_at (client, model->route, body, length, error);
  variation->cost = ff_client_last_cost (client);
  /* Ended, or canceled by the client itself: nothing left to cancel. */
  if (variation->prediction != NULL)
    ff_cancel_watch_settle (variation->watch, variation->prediction);
  if (url == NULL)
    return NULL;
  g_clear_pointer (&body, g_free);

  g_atomic_int_set (&variation->stage, STAGE_DOWNLOADING);
  output = ff_client_download (client, url, error);
  if (output == NULL)
    return NULL;
  /* Held to what this request can produce: a hostile host's 34-byte file
   * must not become gigabytes of pixels.
   */
  result = ff_image_decode (output, ff_output_pixel_limit (variation->upload->send_width,
                                                           variation->upload->send_height),
                            error);
  if (result == NULL)
    g_prefix_error (error, _("the result could not be read: "));
  return result;
}

static gpointer
variation_thread (gpointer data)
{
  Variation *variation = data;

  variation->result = run_variation (variation, &variation->error);
  g_atomic_int_set (&variation->stage, variation->result ? STAGE_DONE : STAGE_FAILED);
  return NULL;
}

static void
report (Variation          *variations,
        guint               n,
        gint64              start,
        FfFillProgressFunc  progress,
        gpointer            user_data)
{
  FfFillProgress counts = { .total = n,
                            .elapsed = (g_get_monotonic_time () - start) / (gdouble) G_USEC_PER_SEC };

  for (guint i = 0; i < n; i++)
    switch (g_atomic_int_get (&variations[i].stage))
      {
      case STAGE_CREATING:
      case STAGE_QUEUED:      counts.queued++; break;
      case STAGE_GENERATING:  counts.generating++; break;
      case STAGE_DOWNLOADING: counts.downloading++; break;
      case STAGE_DONE:        counts.done++; break;
      default:                counts.failed++; break;
      }
  if (progress != NULL)
    progress (&counts, user_data);
}

static gboolean
all_ended (Variation *variations,
           guint      n)
{
  for (guint i = 0; i < n; i++)
    if (g_atomic_int_get (&variations[i].stage) < STAGE_DONE)
      return FALSE;
  return TRUE;
}

void
ff_fill_run (const FfService     *service,
             const FfFillUpload  *upload,
             const FfParams      *params,
             const gint          *seeds,
             guint                n,
             GCancellable        *cancellable,
             FfFillProgressFunc   progress,
             gpointer             user_data,
             GdkPixbuf          **results,
             gint                *costs,
             GError             **errors)
{
  g_autofree Variation *variations = g_new0 (Variation, n);
  g_autofree GThread  **threads = g_new0 (GThread *, n);
  g_autoptr(GCancellable) own = cancellable ? g_object_ref (cancellable) : g_cancellable_new ();
  g_autoptr(FfCancelWatch) watch = NULL;
  gint64                start = g_get_monotonic_time ();

  g_return_if_fail (n >= 1 && n <= FF_VARIATIONS_MAX);

  /* One watchman for the run, holding every variation's ticket.  Best
   * effort: without it the fill works, it is only billed in full when
   * the plug-in is killed.
   */
  if (service->watch_executable != NULL &&
      (service->provider == NULL || (service->provider->flags & FF_PROVIDER_CAN_CANCEL)))
    watch = ff_cancel_watch_start (service->watch_executable, NULL);
  for (guint i = 0; i < n; i++)
    {
      variations[i] = (Variation) { service, upload, *params, own, STAGE_CREATING,
                                    watch, NULL, -1, NULL, NULL };
      variations[i].params.seed = seeds[i];
      threads[i] = g_thread_new ("flux-fill-variation", variation_thread, &variations[i]);
    }

  while (! all_ended (variations, n))
    {
      report (variations, n, start, progress, user_data);
      g_usleep (PROGRESS_INTERVAL);
    }
  report (variations, n, start, progress, user_data);

  for (guint i = 0; i < n; i++)
    {
      g_thread_join (threads[i]);
      g_free (variations[i].prediction);
      results[i] = g_steal_pointer (&variations[i].result);
      if (costs != NULL)
        costs[i] = variations[i].cost;
      errors[i] = g_steal_pointer (&variations[i].error);
    }
}
