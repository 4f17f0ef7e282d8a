/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target: whatever a server answers must parse or fail cleanly. */
#include "config.h"

#include "prediction.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(FfPrediction) prediction = NULL;
  g_autoptr(GError)       error = NULL;
  g_autofree gchar       *detail = NULL;

  prediction = ff_prediction_parse ((const gchar *) data, size, &error);
  g_assert ((prediction == NULL) == (error != NULL));
  if (prediction != NULL)
    {
      g_assert (prediction->id != NULL && *prediction->id != '\0');
      g_assert (prediction->output_url == NULL || g_utf8_validate (prediction->output_url, -1, NULL));
    }
  detail = ff_problem_detail ((const gchar *) data, size);
  return 0;
}
