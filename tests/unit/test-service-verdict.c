/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What an error says about the token: a table.  A typed token is kept
 * only when the service passed it, so a refused paste never replaces a
 * working one.
 */
#include "config.h"

#include <curl/curl.h>

#include "http-client.h"
#include "prediction.h"
#include "service-verdict.h"

typedef struct
{
  const gchar *name;
  GQuark     (*domain) (void);
  gint         code;
  gboolean     refuses;
  gboolean     passed;
  FfFailure    failure;
} Verdict;

static GQuark curl_domain (void) { return FF_CURL_ERROR; }
static GQuark http_domain (void) { return FF_HTTP_ERROR; }
static GQuark api_domain (void)  { return FF_API_ERROR; }

static const Verdict verdicts[] = {
  { "401",                 http_domain, 401, TRUE,  FALSE, FF_FAILURE_UNAUTHORIZED },
  { "403",                 http_domain, 403, TRUE,  FALSE, FF_FAILURE_UNAUTHORIZED },
  { "402-credits",         http_domain, 402, FALSE, TRUE, FF_FAILURE_PAYMENT_REQUIRED },
  { "422-input",           http_domain, 422, FALSE, TRUE, FF_FAILURE_OTHER },
  { "429-busy",            http_domain, 429, FALSE, TRUE, FF_FAILURE_RATE_LIMITED },
  { "404-no-such-api",     http_domain, 404, FALSE, FALSE, FF_FAILURE_NOT_FOUND },
  { "500",                 http_domain, 500, FALSE, FALSE, FF_FAILURE_OTHER },
  { "no-answer",           curl_domain, CURLE_COULDNT_CONNECT, FALSE, FALSE, FF_FAILURE_UNREACHABLE },
  { "prediction-failed",   api_domain,  FF_API_ERROR_FAILED, FALSE, TRUE, FF_FAILURE_FAILED },
  { "prediction-canceled", api_domain,  FF_API_ERROR_CANCELED, FALSE, TRUE, FF_FAILURE_OTHER },
  { "timed-out",           api_domain,  FF_API_ERROR_TIMED_OUT, FALSE, TRUE, FF_FAILURE_OTHER },
  { "no-output",           api_domain,  FF_API_ERROR_NO_OUTPUT, FALSE, TRUE, FF_FAILURE_OTHER },
  { "bad-response",        api_domain,  FF_API_ERROR_BAD_RESPONSE, FALSE, FALSE, FF_FAILURE_OTHER },
  { "bad-config",          api_domain,  FF_API_ERROR_BAD_CONFIG, FALSE, FALSE, FF_FAILURE_OTHER },
  { "moderated",           api_domain,  FF_API_ERROR_MODERATED, FALSE, TRUE, FF_FAILURE_MODERATED },
};

static void
test_verdict (gconstpointer data)
{
  const Verdict     *v = data;
  g_autoptr(GError)  error = g_error_new_literal (v->domain (), v->code, "words");

  g_assert_cmpint (ff_error_refuses_token (error), ==, v->refuses);
  g_assert_cmpint (ff_error_token_passed (error), ==, v->passed);
  g_assert_cmpint (ff_error_failure (error), ==, v->failure);
}

static void
test_no_error (void)
{
  g_assert_false (ff_error_refuses_token (NULL));
  g_assert_false (ff_error_token_passed (NULL));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (verdicts); i++)
    {
      g_autofree gchar *path = g_strdup_printf ("/service-verdict/%s", verdicts[i].name);
      g_test_add_data_func (path, &verdicts[i], test_verdict);
    }
  g_test_add_func ("/service-verdict/no-error", test_no_error);
  return g_test_run ();
}
