/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "http-client.h"
#include "prediction.h"
#include "service-verdict.h"

gboolean
ff_error_refuses_token (const GError *error)
{
  return error != NULL && error->domain == FF_HTTP_ERROR &&
         (error->code == 401 || error->code == 403);
}

gboolean
ff_error_token_passed (const GError *error)
{
  if (error == NULL)
    return FALSE;
  if (error->domain == FF_API_ERROR)
    return error->code == FF_API_ERROR_FAILED || error->code == FF_API_ERROR_CANCELED ||
           error->code == FF_API_ERROR_NO_OUTPUT || error->code == FF_API_ERROR_TIMED_OUT;
  return error->domain == FF_HTTP_ERROR &&
         (error->code == 402 || error->code == 422 || error->code == 429);
}
