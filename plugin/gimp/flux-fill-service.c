/* The token lives in the desktop keyring (core/token-store.c) or in
 * REPLICATE_API_TOKEN, and nowhere else: never a procedure argument, a
 * remembered value, a parasite or a file of GIMP's profile.
 */
#include "config.h"

#include <libgimp/gimp.h>
#include <glib/gi18n-lib.h>

#include "debug-log.h"

#include "flux-fill-service.h"

/* An empty variable counts as unset: `REPLICATE_API_TOKEN= gimp` must not
 * hide the keyring.
 */
static const gchar *
env_value (const gchar *name)
{
  const gchar *value = g_getenv (name);

  return value != NULL && *value != '\0' ? value : NULL;
}

gboolean
flux_fill_service_resolve (const gchar  *configured_base_url,
                           gchar       **base_url,
                           FfToken     **token,
                           GError      **error)
{
  const gchar      *env_base = env_value ("REPLICATE_BASE_URL");
  const gchar      *env_token = env_value ("REPLICATE_API_TOKEN");
  g_autofree gchar *url = ff_token_base_url (env_base != NULL ? env_base : configured_base_url);
  g_autoptr(GError) local = NULL;
  FfToken          *found;

  g_return_val_if_fail (base_url != NULL && token != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (env_token != NULL)
    {
      ff_debug ("token from REPLICATE_API_TOKEN");
      *token = g_strdup (env_token);
      *base_url = g_steal_pointer (&url);
      return TRUE;
    }

  found = ff_token_lookup (url, NULL, &local);
  if (found != NULL)
    {
      ff_debug ("token from the keyring");
      *token = found;
      *base_url = g_steal_pointer (&url);
      return TRUE;
    }

  if (local == NULL)
    g_set_error (error, GIMP_PLUG_IN_ERROR, 0,
                 _("No API token for %s. Enter it in FLUX Fill's Service section "
                   "(it is kept in your desktop keyring), or set REPLICATE_API_TOKEN."),
                 url);
  else if (g_error_matches (local, FF_TOKEN_ERROR, FF_TOKEN_ERROR_NO_SERVICE))
    {
      /* The reason (no bus, no keyring daemon) is for whoever debugs it. */
      ff_debug ("%s", local->message);
      g_set_error (error, GIMP_PLUG_IN_ERROR, 0,
                   _("No API token for %s, and this session has no keyring "
                     "(Secret Service). Set REPLICATE_API_TOKEN before starting GIMP, "
                     "or store the token in a session that has a keyring with: "
                     "secret-tool store --label='FLUX Fill token' "
                     "application flux-fill base-url %s"),
                   url, url);
    }
  else
    g_set_error (error, GIMP_PLUG_IN_ERROR, 0,
                 _("No API token for %s: %s. Check your desktop keyring, "
                   "or set REPLICATE_API_TOKEN."),
                 url, local->message);
  return FALSE;
}
