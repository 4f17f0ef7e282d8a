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
           error->code == FF_API_ERROR_NO_OUTPUT || error->code == FF_API_ERROR_TIMED_OUT ||
           error->code == FF_API_ERROR_MODERATED;
  return error->domain == FF_HTTP_ERROR &&
         (error->code == 402 || error->code == 422 || error->code == 429);
}

FfFailure
ff_error_failure (const GError *error)
{
  if (error == NULL)
    return FF_FAILURE_OTHER;
  if (ff_error_refuses_token (error))
    return FF_FAILURE_UNAUTHORIZED;
  if (error->domain == FF_HTTP_ERROR)
    switch (error->code)
      {
      case 402: return FF_FAILURE_PAYMENT_REQUIRED;
      case 404: return FF_FAILURE_NOT_FOUND;
      case 429: return FF_FAILURE_RATE_LIMITED;
      default:  return FF_FAILURE_OTHER;
      }
  if (error->domain == FF_CURL_ERROR)
    return FF_FAILURE_UNREACHABLE;
  if (g_error_matches (error, FF_API_ERROR, FF_API_ERROR_MODERATED))
    return FF_FAILURE_MODERATED;
  if (g_error_matches (error, FF_API_ERROR, FF_API_ERROR_FAILED))
    return FF_FAILURE_FAILED;
  return FF_FAILURE_OTHER;
}
