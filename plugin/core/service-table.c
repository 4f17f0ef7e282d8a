/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "service-table.h"
#include "token-store.h"

G_DEFINE_QUARK (ff-service-error-quark, ff_service_error)

#define BFL_GLOBAL_URL "https://api.bfl.ai"
#define BFL_DOMAIN     "bfl.ai"

static const FfProviderInfo providers[FF_PROVIDER_COUNT] = {
  { FF_PROVIDER_REPLICATE, "replicate", N_("Replicate's API"), "https://api.replicate.com",
    "REPLICATE_API_TOKEN", "REPLICATE_BASE_URL",
    FF_PROVIDER_CAN_CANCEL | FF_PROVIDER_CAN_UPLOAD },
  /* No cancel: a submitted task runs and bills. */
  { FF_PROVIDER_BFL, "bfl", N_("Black Forest Labs' API"), BFL_GLOBAL_URL,
    "BFL_API_KEY", NULL, FF_PROVIDER_HAS_REGIONS },
};

static const FfPreset presets[] = {
  { "replicate", N_("Replicate"), FF_PROVIDER_REPLICATE, "https://api.replicate.com" },
  { "chainhub", N_("ChainHub (a Replicate aggregator)"), FF_PROVIDER_REPLICATE,
    "https://api.chainhub.tech/replicate" },
  { "bfl", N_("Black Forest Labs"), FF_PROVIDER_BFL, BFL_GLOBAL_URL },
  { "bfl-eu", N_("Black Forest Labs (EU)"), FF_PROVIDER_BFL, "https://api.eu.bfl.ai" },
  { "bfl-us", N_("Black Forest Labs (US)"), FF_PROVIDER_BFL, "https://api.us.bfl.ai" },
  { "other-replicate", N_("Another service with Replicate's API"), FF_PROVIDER_REPLICATE, NULL },
  { "other-bfl", N_("Another service with Black Forest Labs' API"), FF_PROVIDER_BFL, NULL },
};

const FfProviderInfo *
ff_provider_info (FfProviderId id)
{
  return (guint) id < FF_PROVIDER_COUNT ? &providers[id] : NULL;
}

const FfProviderInfo *
ff_provider_by_nick (const gchar *nick)
{
  for (guint i = 0; nick != NULL && i < FF_PROVIDER_COUNT; i++)
    if (g_str_equal (providers[i].nick, nick))
      return &providers[i];
  return NULL;
}

const FfPreset *
ff_presets (gsize *n)
{
  *n = G_N_ELEMENTS (presets);
  return presets;
}

const FfPreset *
ff_preset_by_nick (const gchar *nick)
{
  if (g_strcmp0 (nick, "other") == 0)
    nick = "other-replicate";
  for (gsize i = 0; nick != NULL && i < G_N_ELEMENTS (presets); i++)
    if (g_str_equal (presets[i].nick, nick))
      return &presets[i];
  return NULL;
}

static gchar *
without_trailing_slashes (const gchar *url)
{
  gchar *copy = g_strdup (url);
  gsize  len = strlen (copy);

  while (len > 0 && copy[len - 1] == '/')
    copy[--len] = '\0';
  return copy;
}

/* @host is bfl.ai or a host under it. */
static gboolean
host_is_bfl (const gchar *host)
{
  gsize len = host != NULL ? strlen (host) : 0;

  return host != NULL &&
         (g_ascii_strcasecmp (host, BFL_DOMAIN) == 0 ||
          (len > strlen ("." BFL_DOMAIN) &&
           g_ascii_strcasecmp (host + len - strlen ("." BFL_DOMAIN), "." BFL_DOMAIN) == 0));
}

static gboolean
is_https_bfl (GUri *uri)
{
  return uri != NULL && g_ascii_strcasecmp (g_uri_get_scheme (uri), "https") == 0 &&
         host_is_bfl (g_uri_get_host (uri));
}

gchar *
ff_service_key_url (const gchar *base_url)
{
  g_autoptr(GUri) uri = base_url ? g_uri_parse (base_url, G_URI_FLAGS_NONE, NULL) : NULL;

  /* One key serves every region of Black Forest Labs. */
  if (is_https_bfl (uri))
    return g_strdup (BFL_GLOBAL_URL);
  return without_trailing_slashes (base_url ? base_url : "");
}

gboolean
ff_service_key_may_go (const FfProviderInfo *provider,
                       const gchar          *base_url,
                       const gchar          *url)
{
  g_autoptr(GUri) base = g_uri_parse (base_url, G_URI_FLAGS_NONE, NULL);
  g_autoptr(GUri) to = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);

  if (base == NULL || to == NULL || g_uri_get_host (to) == NULL ||
      g_uri_get_userinfo (to) != NULL)
    return FALSE;
  if (g_ascii_strcasecmp (g_uri_get_scheme (base), g_uri_get_scheme (to)) == 0 &&
      g_ascii_strcasecmp (g_uri_get_host (base), g_uri_get_host (to)) == 0 &&
      g_uri_get_port (base) == g_uri_get_port (to))
    return TRUE;
  /* Black Forest Labs polls on regional hosts of its own. */
  return provider->id == FF_PROVIDER_BFL && is_https_bfl (base) && is_https_bfl (to);
}

void
ff_resolved_clear (FfResolved *resolved)
{
  g_clear_pointer (&resolved->key, ff_token_free);
  g_clear_pointer (&resolved->base_url, g_free);
  g_clear_pointer (&resolved->key_url, g_free);
  *resolved = (FfResolved) { 0 };
}

/* An empty variable counts as unset: `BFL_API_KEY= gimp` must not hide
 * the keyring.
 */
static const gchar *
env_value (const gchar * const *envp,
           const gchar         *name)
{
  const gchar *value = name != NULL ? g_environ_getenv ((gchar **) envp, name) : NULL;

  return value != NULL && *value != '\0' ? value : NULL;
}

gboolean
ff_service_resolve (const gchar * const  *envp,
                    const gchar          *preset_nick,
                    const gchar          *typed_url,
                    FfResolved           *resolved,
                    GError              **error)
{
  const FfPreset       *preset = ff_preset_by_nick (preset_nick);
  const gchar          *named = env_value (envp, "FLUX_FILL_PROVIDER");
  const FfProviderInfo *provider;
  const gchar          *base;
  const gchar          *key;

  *resolved = (FfResolved) { 0 };
  if (preset == NULL)
    preset = &presets[0];
  if (named != NULL)
    {
      provider = ff_provider_by_nick (named);
      if (provider == NULL)
        {
          g_set_error (error, FF_SERVICE_ERROR, FF_SERVICE_ERROR_UNKNOWN_PROVIDER,
                       /* TRANSLATORS: FLUX_FILL_PROVIDER, replicate and bfl stay as they are. */
                       _("FLUX_FILL_PROVIDER is “%s”; it must be replicate or bfl."), named);
          return FALSE;
        }
    }
  else
    provider = ff_provider_info (preset->provider);

  base = env_value (envp, "FLUX_FILL_BASE_URL");
  if (base == NULL)
    base = env_value (envp, provider->base_variable);
  if (base == NULL && preset->provider == provider->id)
    {
      base = preset->base_url != NULL ? preset->base_url : typed_url;
      /* "Another service" with no address is no service at all. */
      if (base == NULL || *base == '\0')
        {
          g_set_error_literal (error, FF_SERVICE_ERROR, FF_SERVICE_ERROR_NO_URL,
                               _("Type the address of the service under Service URL, or "
                                 "choose one of the services listed."));
          return FALSE;
        }
    }
  if (base == NULL || *base == '\0')
    base = provider->default_base_url;

  resolved->provider = provider;
  resolved->base_url = without_trailing_slashes (base);
  resolved->key_url = ff_service_key_url (resolved->base_url);
  key = env_value (envp, provider->key_variable);
  if (key != NULL)
    {
      resolved->key = g_strdup (key);
      resolved->key_variable = provider->key_variable;
    }
  return TRUE;
}
