/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The fill pipeline without GIMP: variations against the stand-in. */
#include "config.h"

#include <string.h>

#include "fill-job.h"
#include "test-util.h"

static Standin *standin;

#define CROP_W 64
#define CROP_H 48

/* A dark crop whose right half is to be repainted. */
static FfFillUpload *
make_upload (void)
{
  g_autoptr(GdkPixbuf) crop = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, CROP_W, CROP_H);
  g_autofree guint8   *mask = g_malloc0 (CROP_W * CROP_H);
  g_autoptr(GError)    error = NULL;
  FfFillUpload        *upload;

  gdk_pixbuf_fill (crop, 0x203040ff);
  for (gint y = 0; y < CROP_H; y++)
    memset (mask + y * CROP_W + CROP_W / 2, 255, CROP_W / 2);
  upload = ff_fill_upload_new (NULL, crop, mask, &error);
  g_assert_no_error (error);
  return upload;
}

static FfService
service (void)
{
  return (FfService) { standin->base_url, TEST_TOKEN, { 0.05, 20, 2, 0.05 }, NULL };
}

static void
run (guint          n,
     gint           seed,
     GCancellable  *cancellable,
     GdkPixbuf    **results,
     GError       **errors,
     gint          *seeds)
{
  g_autoptr(FfFillUpload) upload = make_upload ();
  FfService               where = service ();
  FfParams                params;

  ff_params_init (&params);
  g_free (params.prompt);
  params.prompt = g_strdup ("a lighthouse");
  ff_fill_seeds (seed, n, seeds);
  ff_fill_run (&where, upload, &params, seeds, n, cancellable, NULL, NULL, results, NULL, errors);
  ff_params_clear (&params);
}

/* The seeds each create carried, in the order the stand-in saw them. */
static GArray *
sent_seeds (void)
{
  g_autoptr(JsonArray) requests = standin_requests (standin);
  GArray              *seeds = g_array_new (FALSE, FALSE, sizeof (gint));

  for (guint i = 0; i < json_array_get_length (requests); i++)
    {
      JsonObject *request = json_array_get_object_element (requests, i);

      if (g_str_has_suffix (json_object_get_string_member (request, "path"), "/predictions"))
        {
          JsonObject *input = json_object_get_object_member (request, "input");
          gint        seed = (gint) json_object_get_int_member (input, "seed");

          g_array_append_val (seeds, seed);
        }
    }
  return seeds;
}

static gint
compare_ints (gconstpointer a,
              gconstpointer b)
{
  return *(const gint *) a - *(const gint *) b;
}

static void
test_seeds (void)
{
  gint seeds[4];

  ff_fill_seeds (5, 3, seeds);
  g_assert_cmpint (seeds[0], ==, 5);
  g_assert_cmpint (seeds[1], ==, 6);
  g_assert_cmpint (seeds[2], ==, 7);
  ff_fill_seeds (G_MAXINT, 2, seeds);
  g_assert_cmpint (seeds[0], ==, G_MAXINT);
  g_assert_cmpint (seeds[1], ==, 0);
  ff_fill_seeds (-1, 4, seeds);
  for (guint i = 0; i < 4; i++)
    g_assert_cmpint (seeds[i], >=, 0);
}

/* Three variations: three creates, each with its own seed, three results. */
static void
test_three_variations (void)
{
  GdkPixbuf        *results[3];
  GError           *errors[3];
  gint              seeds[3];
  g_autoptr(GArray) sent = NULL;

  standin_scenario (standin, "{\"duration\": 0.3}");
  run (3, 40, NULL, results, errors, seeds);
  for (guint i = 0; i < 3; i++)
    {
      g_assert_no_error (errors[i]);
      g_assert_nonnull (results[i]);
      g_assert_cmpint (gdk_pixbuf_get_width (results[i]), >=, CROP_W);
      g_object_unref (results[i]);
    }
  sent = sent_seeds ();
  g_array_sort (sent, compare_ints);
  g_assert_cmpuint (sent->len, ==, 3);
  g_assert_cmpint (g_array_index (sent, gint, 0), ==, 40);
  g_assert_cmpint (g_array_index (sent, gint, 1), ==, 41);
  g_assert_cmpint (g_array_index (sent, gint, 2), ==, 42);
}

/* Concurrent: four 2-second predictions take about as long as one. */
static void
test_concurrent (void)
{
  GdkPixbuf *results[FF_VARIATIONS_MAX];
  GError    *errors[FF_VARIATIONS_MAX];
  gint       seeds[FF_VARIATIONS_MAX];
  gint64     start;
  gdouble    one, four;

  standin_scenario (standin, "{\"duration\": 2.0}");
  start = g_get_monotonic_time ();
  run (1, 1, NULL, results, errors, seeds);
  one = (g_get_monotonic_time () - start) / 1e6;
  g_assert_no_error (errors[0]);
  g_object_unref (results[0]);

  standin_scenario (standin, "{\"duration\": 2.0}");
  start = g_get_monotonic_time ();
  run (4, 1, NULL, results, errors, seeds);
  four = (g_get_monotonic_time () - start) / 1e6;
  for (guint i = 0; i < 4; i++)
    {
      g_assert_no_error (errors[i]);
      g_object_unref (results[i]);
    }
  g_test_message ("1 variation %.2f s, 4 variations %.2f s", one, four);
  g_assert_cmpfloat (four, <=, one * 1.3);
}

/* One of three fails: the other two are kept, the failure says why. */
static void
test_partial_failure (void)
{
  GdkPixbuf        *results[3];
  GError           *errors[3];
  gint              seeds[3];
  g_autofree gchar *expected = NULL;

  standin_scenario (standin, "{\"duration\": 0.3, \"fail_seeds\": [11], "
                    "\"error\": \"NSFW content detected\"}");
  run (3, 10, NULL, results, errors, seeds);
  g_assert_nonnull (results[0]);
  g_assert_null (results[1]);
  g_assert_error (errors[1], FF_API_ERROR, FF_API_ERROR_FAILED);
  expected = g_strdup_printf ("the prediction failed at %s: NSFW content detected",
                              standin->base_url + strlen ("http://"));
  g_assert_cmpstr (errors[1]->message, ==, expected);
  g_assert_nonnull (results[2]);
  g_object_unref (results[0]);
  g_object_unref (results[2]);
  g_clear_error (&errors[1]);
}

static gboolean
cancel_now (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

static gpointer
cancel_later (gpointer user_data)
{
  g_usleep (G_USEC_PER_SEC / 2);
  cancel_now (user_data);
  return NULL;
}

/* A cancel stops every running prediction on the service. */
static void
test_cancel_all (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(JsonArray)    requests = NULL;
  GdkPixbuf              *results[2];
  GError                 *errors[2];
  gint                    seeds[2];
  GThread                *canceller;
  guint                   cancels = 0;

  standin_scenario (standin, "{\"duration\": 30}");
  canceller = g_thread_new ("cancel", cancel_later, cancellable);
  run (2, 3, cancellable, results, errors, seeds);
  g_thread_join (canceller);
  for (guint i = 0; i < 2; i++)
    {
      g_assert_null (results[i]);
      g_assert_error (errors[i], G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_clear_error (&errors[i]);
    }
  requests = standin_requests (standin);
  for (guint i = 0; i < json_array_get_length (requests); i++)
    if (g_str_has_suffix (json_object_get_string_member (json_array_get_object_element (requests, i),
                                                         "path"), "/cancel"))
      cancels++;
  g_assert_cmpuint (cancels, ==, 2);
}

/* An edit: the picture at the size FLUX.2 answers for it, the reference
 * after it at most a megapixel, to the model's own route; Kontext is
 * refused a reference before anything is sent.
 */
static void
test_edit_upload (void)
{
  const FfModel          *flux2 = ff_model_by_id (FF_PROVIDER_REPLICATE, FF_MODEL_FLUX2_PRO);
  const FfModel          *kontext = ff_model_by_id (FF_PROVIDER_REPLICATE, FF_MODEL_KONTEXT_PRO);
  g_autoptr(GdkPixbuf)    crop = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 600, 400);
  g_autoptr(GdkPixbuf)    logo = gdk_pixbuf_new (GDK_COLORSPACE_RGB, TRUE, 8, 2400, 1600);
  g_autoptr(FfFillUpload) upload = NULL;
  g_autoptr(GError)       error = NULL;
  g_autoptr(JsonArray)    requests = NULL;
  FfService               where = service ();
  FfParams                params;
  GdkPixbuf              *results[1] = { NULL };
  GError                 *errors[1] = { NULL };
  gint                    seeds[1] = { 9 };
  gint                    width, height, out_w, out_h;
  gint64                  pixels;
  JsonObject             *create = NULL;
  JsonArray              *sizes;

  gdk_pixbuf_fill (crop, 0x406080ff);
  gdk_pixbuf_fill (logo, 0xff0000ff);
  g_assert_null (ff_fill_upload_new_edit (NULL, kontext, crop, &logo, 1, &error));
  g_assert_error (error, FF_PARAMS_ERROR, FF_PARAMS_ERROR_INVALID);
  g_clear_error (&error);

  upload = ff_fill_upload_new_edit (NULL, flux2, crop, &logo, 1, &error);
  g_assert_no_error (error);
  ff_fill_upload_sent (upload, &width, &height, &pixels);
  ff_model_output_size (flux2, 600, 400, &out_w, &out_h);
  g_assert_cmpint (width, ==, out_w);
  g_assert_cmpint (height, ==, out_h);
  g_assert_cmpint (pixels - (gint64) width * height, <=, FF_MEGAPIXEL);
  g_assert_cmpint (pixels - (gint64) width * height, >, FF_MEGAPIXEL * 9 / 10);

  standin_scenario (standin, "{\"duration\": 0.1}");
  ff_params_init (&params);
  g_free (params.prompt);
  params.prompt = g_strdup ("put the logo on the mug");
  ff_fill_run (&where, upload, &params, seeds, 1, NULL, NULL, NULL, results, NULL, errors);
  ff_params_clear (&params);
  g_assert_no_error (errors[0]);
  g_assert_nonnull (results[0]);
  g_assert_cmpint (gdk_pixbuf_get_width (results[0]) * height, ==,
                   gdk_pixbuf_get_height (results[0]) * width);
  g_object_unref (results[0]);

  requests = standin_requests (standin);
  for (guint i = 0; i < json_array_get_length (requests); i++)
    {
      JsonObject *request = json_array_get_object_element (requests, i);

      g_assert_false (g_str_has_suffix (json_object_get_string_member (request, "path"),
                                        "/flux-fill-pro/predictions"));
      if (g_str_has_suffix (json_object_get_string_member (request, "path"),
                            "/flux-2-pro/predictions"))
        create = request;
    }
  g_assert_nonnull (create);
  g_assert_cmpint (json_object_get_int_member (create, "images"), ==, 2);
  sizes = json_object_get_array_member (create, "image_sizes");
  g_assert_cmpint (json_array_get_int_element (json_array_get_array_element (sizes, 0), 0), ==,
                   width);
  g_assert_cmpint (json_array_get_int_element (json_array_get_array_element (sizes, 1), 0) *
                   json_array_get_int_element (json_array_get_array_element (sizes, 1), 1), <=,
                   FF_MEGAPIXEL);
}

int
main (int argc, char **argv)
{
  int result;

  g_test_init (&argc, &argv, NULL);
  standin = standin_start ();

  g_test_add_func ("/fill-job/seeds", test_seeds);
  g_test_add_func ("/fill-job/three-variations", test_three_variations);
  g_test_add_func ("/fill-job/concurrent", test_concurrent);
  g_test_add_func ("/fill-job/partial-failure", test_partial_failure);
  g_test_add_func ("/fill-job/cancel-all", test_cancel_all);
  g_test_add_func ("/fill-job/edit", test_edit_upload);

  result = g_test_run ();
  standin_stop (standin);
  return result;
}
