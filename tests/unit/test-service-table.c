/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The providers and presets table, and how a run picks its service:
 * tables of environments and dialog choices.
 */
#include "config.h"

#include "service-table.h"

typedef struct
{
  const gchar *name;
  const gchar *envp[5];         /* NAME=value */
  const gchar *preset;
  const gchar *typed;
  const gchar *provider;        /* NULL: an error */
  const gchar *base_url;
  const gchar *key;             /* NULL: the keyring's */
  const gchar *key_url;
  gint         error;           /* with provider NULL: the FfServiceError */
} Resolve;

static const Resolve resolves[] = {
  { "default", { NULL }, NULL, NULL,
    "replicate", "https://api.replicate.com", NULL, "https://api.replicate.com" },
  { "replicate-token", { "REPLICATE_API_TOKEN=r8_x" }, "replicate", NULL,
    "replicate", "https://api.replicate.com", "r8_x", "https://api.replicate.com" },
  { "chainhub", { NULL }, "chainhub", NULL,
    "replicate", "https://api.chainhub.tech/replicate", NULL, "https://api.chainhub.tech/replicate" },
  { "replicate-base-variable", { "REPLICATE_BASE_URL=http://127.0.0.1:9/x/" }, "chainhub", NULL,
    "replicate", "http://127.0.0.1:9/x", NULL, "http://127.0.0.1:9/x" },
  { "bfl-eu-shares-the-key", { NULL }, "bfl-eu", NULL,
    "bfl", "https://api.eu.bfl.ai", NULL, "https://api.bfl.ai" },
  { "bfl-us", { "BFL_API_KEY=k1" }, "bfl-us", NULL,
    "bfl", "https://api.us.bfl.ai", "k1", "https://api.bfl.ai" },
  { "bfl-never-reads-replicate-variables",
    { "REPLICATE_API_TOKEN=r8_x", "REPLICATE_BASE_URL=http://127.0.0.1:9" }, "bfl", NULL,
    "bfl", "https://api.bfl.ai", NULL, "https://api.bfl.ai" },
  { "replicate-never-reads-the-bfl-key", { "BFL_API_KEY=k1" }, "replicate", NULL,
    "replicate", "https://api.replicate.com", NULL, "https://api.replicate.com" },
  { "other-bfl-typed", { NULL }, "other-bfl", "http://127.0.0.1:7/",
    "bfl", "http://127.0.0.1:7", NULL, "http://127.0.0.1:7" },
  { "older-other", { NULL }, "other", "https://example.org/r",
    "replicate", "https://example.org/r", NULL, "https://example.org/r" },
  { "other-empty-is-refused", { NULL }, "other-replicate", "",
    NULL, NULL, NULL, NULL, FF_SERVICE_ERROR_NO_URL },
  { "other-empty-with-a-base-variable", { "FLUX_FILL_BASE_URL=http://127.0.0.1:4" }, "other-bfl", "",
    "bfl", "http://127.0.0.1:4", NULL, "http://127.0.0.1:4" },
  { "provider-variable-wins",
    { "FLUX_FILL_PROVIDER=bfl", "BFL_API_KEY=k2" }, "replicate", NULL,
    "bfl", "https://api.bfl.ai", "k2", "https://api.bfl.ai" },
  { "provider-variable-ignores-another-providers-url",
    { "FLUX_FILL_PROVIDER=replicate" }, "bfl-eu", NULL,
    "replicate", "https://api.replicate.com", NULL, "https://api.replicate.com" },
  { "base-variable-wins-over-all",
    { "FLUX_FILL_PROVIDER=bfl", "FLUX_FILL_BASE_URL=http://127.0.0.1:5",
      "REPLICATE_BASE_URL=http://127.0.0.1:6" }, "bfl-eu", NULL,
    "bfl", "http://127.0.0.1:5", NULL, "http://127.0.0.1:5" },
  { "empty-variables-are-unset",
    { "FLUX_FILL_PROVIDER=", "FLUX_FILL_BASE_URL=", "BFL_API_KEY=" }, "bfl", NULL,
    "bfl", "https://api.bfl.ai", NULL, "https://api.bfl.ai" },
  { "unknown-provider", { "FLUX_FILL_PROVIDER=fal" }, "replicate", NULL,
    NULL, NULL, NULL, NULL, FF_SERVICE_ERROR_UNKNOWN_PROVIDER },
};

static void
test_resolve (gconstpointer data)
{
  const Resolve               *r = data;
  g_auto(FfResolved)           resolved = { 0 };
  g_autoptr(GError)            error = NULL;
  gboolean                     ok;

  ok = ff_service_resolve (r->envp, r->preset, r->typed, &resolved, &error);
  if (r->provider == NULL)
    {
      g_assert_false (ok);
      g_assert_error (error, FF_SERVICE_ERROR, r->error);
      if (r->error == FF_SERVICE_ERROR_UNKNOWN_PROVIDER)
        g_assert_nonnull (g_strstr_len (error->message, -1, "replicate or bfl"));
      return;
    }
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_cmpstr (resolved.provider->nick, ==, r->provider);
  g_assert_cmpstr (resolved.base_url, ==, r->base_url);
  g_assert_cmpstr (resolved.key, ==, r->key);
  g_assert_cmpstr (resolved.key_url, ==, r->key_url);
  if (r->key != NULL)
    g_assert_cmpstr (resolved.key_variable, ==, resolved.provider->key_variable);
}

typedef struct
{
  const gchar *name;
  const gchar *provider;
  const gchar *base;
  const gchar *url;
  gboolean     may;
} KeyGoes;

static const KeyGoes key_goes[] = {
  { "same-origin", "replicate", "https://api.replicate.com", "https://api.replicate.com/v1/x", TRUE },
  { "other-port", "replicate", "http://127.0.0.1:8000", "http://127.0.0.1:8001/v1", FALSE },
  { "other-scheme", "replicate", "https://api.replicate.com", "http://api.replicate.com/v1", FALSE },
  { "replicate-never-elsewhere", "replicate", "https://api.replicate.com",
    "https://replicate.delivery/x.png", FALSE },
  { "bfl-regional", "bfl", "https://api.bfl.ai", "https://api.eu.bfl.ai/v1/get_result?id=1", TRUE },
  { "bfl-case", "bfl", "https://api.bfl.ai", "https://API.US.BFL.AI/v1/get_result", TRUE },
  { "bfl-lookalike", "bfl", "https://api.bfl.ai", "https://api.bfl.ai.evil.example/v1", FALSE },
  { "bfl-suffix-lookalike", "bfl", "https://api.bfl.ai", "https://evilbfl.ai/v1", FALSE },
  { "bfl-http", "bfl", "https://api.bfl.ai", "http://api.eu.bfl.ai/v1", FALSE },
  { "bfl-userinfo", "bfl", "https://api.bfl.ai", "https://x@api.eu.bfl.ai/v1", FALSE },
  { "bfl-from-another-base", "bfl", "http://127.0.0.1:7", "https://api.eu.bfl.ai/v1", FALSE },
  { "bfl-stand-in-same-origin", "bfl", "http://127.0.0.1:7", "http://127.0.0.1:7/v1/r", TRUE },
  { "not-a-url", "bfl", "https://api.bfl.ai", "not a url", FALSE },
};

static void
test_key_may_go (gconstpointer data)
{
  const KeyGoes *k = data;

  g_assert_cmpint (ff_service_key_may_go (ff_provider_by_nick (k->provider), k->base, k->url),
                   ==, k->may);
}

static void
test_table (void)
{
  gsize           n = 0;
  const FfPreset *presets = ff_presets (&n);

  g_assert_cmpuint (n, ==, 7);
  for (gsize i = 0; i < n; i++)
    {
      g_assert_true (ff_preset_by_nick (presets[i].nick) == &presets[i]);
      g_assert_nonnull (ff_provider_info (presets[i].provider));
    }
  g_assert_null (ff_preset_by_nick ("fal"));
  g_assert_null (ff_provider_info (FF_PROVIDER_COUNT));
  g_assert_true (ff_provider_info (FF_PROVIDER_REPLICATE)->flags & FF_PROVIDER_CAN_CANCEL);
  g_assert_false (ff_provider_info (FF_PROVIDER_BFL)->flags & FF_PROVIDER_CAN_CANCEL);
  g_assert_cmpstr (ff_provider_by_nick ("bfl")->key_variable, ==, "BFL_API_KEY");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (resolves); i++)
    {
      g_autofree gchar *path = g_strdup_printf ("/service-table/resolve/%s", resolves[i].name);
      g_test_add_data_func (path, &resolves[i], test_resolve);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (key_goes); i++)
    {
      g_autofree gchar *path = g_strdup_printf ("/service-table/key-may-go/%s", key_goes[i].name);
      g_test_add_data_func (path, &key_goes[i], test_key_may_go);
    }
  g_test_add_func ("/service-table/table", test_table);
  return g_test_run ();
}
