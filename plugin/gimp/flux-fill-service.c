/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The token lives in the desktop keyring (core/token-store.c) or in
 * REPLICATE_API_TOKEN, and nowhere else: never a procedure argument, a
 * remembered value, a parasite or a file of GIMP's profile.
 */
#include "config.h"

#include <langinfo.h>
#include <locale.h>
#include <string.h>

#include <libgimp/gimp.h>
#include <glib/gi18n-lib.h>

#include "debug-log.h"

#include "service-client.h"
#include "service-verdict.h"
#include "token-fd.h"

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

/* REPLICATE_BASE_URL wins over what the user configured. */
static gchar *
effective_url (const gchar *configured_base_url)
{
  const gchar *env_base = env_value ("REPLICATE_BASE_URL");

  return ff_token_base_url (env_base != NULL ? env_base : configured_base_url);
}

gchar *
flux_fill_service_base_url (GimpProcedureConfig *config)
{
  g_autofree gchar *configured = flux_fill_service_configured_url (config);

  return effective_url (configured);
}

gboolean
flux_fill_service_resolve (const gchar  *configured_base_url,
                           gchar       **base_url,
                           FfToken     **token,
                           GError      **error)
{
  const gchar      *env_token = env_value ("REPLICATE_API_TOKEN");
  g_autofree gchar *url = effective_url (configured_base_url);
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

  /* flux-fill-batch in a root, where no keyring answers: a descriptor. */
  found = ff_token_fd_read (env_value (FF_TOKEN_FD_VARIABLE), &local);
  if (found == NULL && local == NULL)
    found = ff_token_lookup (url, NULL, &local);
  if (found != NULL)
    {
      ff_debug ("token from %s",
                env_value (FF_TOKEN_FD_VARIABLE) ? FF_TOKEN_FD_VARIABLE : "the keyring");
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
                   /* TRANSLATORS: the secret-tool command stays as it is. */
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

void
flux_fill_service_add_arguments (GimpProcedure *procedure)
{
  gimp_procedure_add_choice_aux_argument (procedure, "service", _("_Service"),
    _("Who runs the model"),
    gimp_choice_new_with_values ("replicate", FLUX_FILL_SERVICE_REPLICATE, _("Replicate"), NULL,
                                 "chainhub", FLUX_FILL_SERVICE_CHAINHUB,
                                 _("ChainHub (a Replicate aggregator)"), NULL,
                                 "other", FLUX_FILL_SERVICE_OTHER,
                                 _("Another service with Replicate's API"), NULL,
                                 NULL),
    "replicate", G_PARAM_READWRITE);
  gimp_procedure_add_string_aux_argument (procedure, "base-url", _("Service _URL"),
    _("The https address of another service with Replicate's API"),
    "", G_PARAM_READWRITE);
  gimp_procedure_add_double_aux_argument (procedure, "price", _("Price per _image (USD)"),
    _("What one image costs on this service: for the estimate under the prompt"),
    0.0, 100.0, FLUX_FILL_PRICE_DEFAULT, G_PARAM_READWRITE);
}

gchar *
flux_fill_service_configured_url (GimpProcedureConfig *config)
{
  g_autofree gchar *url = NULL;

  switch (gimp_procedure_config_get_choice_id (config, "service"))
    {
    case FLUX_FILL_SERVICE_CHAINHUB:
      return g_strdup (FLUX_FILL_CHAINHUB_URL);
    case FLUX_FILL_SERVICE_OTHER:
      g_object_get (config, "base-url", &url, NULL);
      if (url != NULL && *g_strstrip (url) != '\0')
        return g_steal_pointer (&url);
      return NULL;
    default:
      return NULL;
    }
}

gboolean
flux_fill_service_same (const gchar *a,
                        const gchar *b)
{
  g_autofree gchar *left = ff_token_base_url (a);
  g_autofree gchar *right = ff_token_base_url (b);

  return g_strcmp0 (left, right) == 0;
}

gboolean
flux_fill_service_refused (const GError *error)
{
  return ff_error_refuses_token (error);
}

gboolean
flux_fill_service_accepted (GimpPDBStatusType  status,
                            const GError      *error)
{
  return status == GIMP_PDB_SUCCESS || ff_error_token_passed (error);
}

gchar *
flux_fill_service_price_text (gdouble dollars)
{
  gchar    buffer[G_ASCII_DTOSTR_BUF_SIZE];
  gchar   *text = g_strdup (g_ascii_formatd (buffer, sizeof buffer, "%.2f", dollars));
  locale_t user = newlocale (LC_NUMERIC_MASK, "", (locale_t) 0);
  gchar   *point;

  /* GIMP keeps plug-ins in the C numeric locale; the user's own says
   * which decimal mark to show.
   */
  if (user != (locale_t) 0)
    {
      const gchar *radix = nl_langinfo_l (RADIXCHAR, user);

      if (radix != NULL && *radix != '\0' && strcmp (radix, ".") != 0 &&
          (point = strchr (text, '.')) != NULL)
        {
          g_autofree gchar *whole = g_strndup (text, point - text);
          gchar            *localized = g_strconcat (whole, radix, point + 1, NULL);

          g_free (text);
          text = localized;
        }
      freelocale (user);
    }
  return text;
}

gchar *
flux_fill_service_name (const gchar *base_url)
{
  g_autoptr(GUri) uri = NULL;
  const gchar    *host;

  if (base_url == NULL || *base_url == '\0')
    return g_strdup (_("Replicate"));
  uri = g_uri_parse (base_url, G_URI_FLAGS_NONE, NULL);
  host = uri != NULL ? g_uri_get_host (uri) : NULL;
  if (host == NULL)
    return g_strdup (base_url);
  if (g_ascii_strcasecmp (host, "api.replicate.com") == 0)
    return g_strdup (_("Replicate"));
  if (g_ascii_strcasecmp (host, "api.chainhub.tech") == 0)
    return g_strdup (_("ChainHub"));
  /* 127.0.0.1:8443 and 127.0.0.1:9443 are two services. */
  if (g_uri_get_port (uri) > 0)
    return g_strdup_printf ("%s:%d", host, g_uri_get_port (uri));
  return g_strdup (host);
}

/* A token typed into the dialog goes to the keyring under the base URL a
 * fill will use; never anywhere else.
 */
gboolean
flux_fill_service_keep_token (GimpProcedureConfig  *config,
                              const gchar          *token,
                              GError              **error)
{
  g_autofree gchar *url = flux_fill_service_base_url (config);
  g_autoptr(GError) local = NULL;

  if (ff_token_store (url, token, &local))
    return TRUE;
  if (g_error_matches (local, FF_TOKEN_ERROR, FF_TOKEN_ERROR_NO_SERVICE))
    g_set_error (error, GIMP_PLUG_IN_ERROR, 0,
                 _("This session has no keyring (Secret Service), so the token cannot "
                   "be kept. Set REPLICATE_API_TOKEN before starting GIMP, or store the "
                   "token in a session that has a keyring with: secret-tool store "
                   "--label='FLUX Fill token' application flux-fill base-url %s"), url);
  else
    g_set_error (error, GIMP_PLUG_IN_ERROR, 0,
                 _("The token could not be saved in your keyring: %s"), local->message);
  return FALSE;
}

/* The service settings both dialogs share: a global parasite (GIMP keeps
 * it in its profile's parasiterc) of "NICK\nURL\nPRICE".  Never the token.
 */
#define SHARED_PARASITE "flux-fill-service"

void
flux_fill_service_load_shared (GimpProcedureConfig *config)
{
  GimpParasite     *parasite = gimp_get_parasite (SHARED_PARASITE);
  g_autofree gchar *text = NULL;
  g_auto(GStrv)     fields = NULL;
  const gchar      *data;
  guint32           size = 0;
  gdouble           price;

  if (parasite == NULL)
    return;
  data = gimp_parasite_get_data (parasite, &size);
  text = g_strndup (data, MIN (size, 4096));
  gimp_parasite_free (parasite);
  fields = g_strsplit (text, "\n", 3);
  if (g_strv_length (fields) != 3 || ! g_utf8_validate (text, -1, NULL))
    return;
  price = g_ascii_strtod (fields[2], NULL);
  if (g_str_equal (fields[0], "replicate") || g_str_equal (fields[0], "chainhub") ||
      g_str_equal (fields[0], "other"))
    g_object_set (config, "service", fields[0], NULL);
  if (strlen (fields[1]) <= FF_BASE_URL_MAX_BYTES)
    g_object_set (config, "base-url", fields[1], NULL);
  if (price >= 0.0 && price <= 100.0)
    g_object_set (config, "price", price, NULL);
}

void
flux_fill_service_store_shared (GimpProcedureConfig *config)
{
  g_autofree gchar *service = NULL;
  g_autofree gchar *url = NULL;
  g_autofree gchar *text = NULL;
  gchar             price_text[G_ASCII_DTOSTR_BUF_SIZE];
  gdouble           price = FLUX_FILL_PRICE_DEFAULT;
  GimpParasite     *parasite;

  g_object_get (config, "service", &service, "base-url", &url, "price", &price, NULL);
  text = g_strdup_printf ("%s\n%s\n%s", service ? service : "replicate",
                          url ? g_strdelimit (url, "\n", ' ') : "",
                          g_ascii_dtostr (price_text, sizeof price_text, price));
  parasite = gimp_parasite_new (SHARED_PARASITE, GIMP_PARASITE_PERSISTENT,
                                (guint32) strlen (text), text);
  gimp_attach_parasite (parasite);
  gimp_parasite_free (parasite);
}
