/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The token lives in the desktop keyring (core/token-store.c) or in the
 * provider's variable (REPLICATE_API_TOKEN, BFL_API_KEY), and nowhere
 * else: never a procedure argument, a remembered value, a parasite or a
 * file of GIMP's profile.
 */
#include "config.h"

#include <math.h>

#include <langinfo.h>
#include <locale.h>
#include <string.h>

#include <libgimp/gimp.h>
#include <glib/gi18n-lib.h>

#include "debug-log.h"

#include "service-client.h"
#include "service-table.h"
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

gboolean
flux_fill_service_target (GimpProcedureConfig  *config,
                          FfResolved           *target,
                          GError              **error)
{
  g_auto(GStrv)     envp = g_get_environ ();
  g_autofree gchar *service = NULL;
  g_autofree gchar *typed = NULL;

  g_object_get (config, "service", &service, "base-url", &typed, NULL);
  if (typed != NULL)
    g_strstrip (typed);
  if (! ff_service_resolve ((const gchar * const *) envp, service, typed, target, error))
    {
      g_prefix_error (error, "%s", _("FLUX Fill is not set up: "));
      return FALSE;
    }
  return TRUE;
}

gboolean
flux_fill_service_key (const FfResolved  *target,
                       FfToken          **key,
                       GError           **error)
{
  const gchar      *variable = target->provider->key_variable;
  const gchar      *url = target->key_url;
  g_autoptr(GError) local = NULL;
  FfToken          *found;

  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (target->key != NULL)
    {
      ff_debug ("key from %s", target->key_variable);
      *key = g_strdup (target->key);
      return TRUE;
    }

  /* flux-fill-batch in a root, where no keyring answers: a descriptor. */
  found = ff_token_fd_read (env_value (FF_TOKEN_FD_VARIABLE), &local);
  if (found == NULL && local == NULL)
    found = ff_token_lookup (url, NULL, &local);
  if (found != NULL)
    {
      ff_debug ("key from %s",
                env_value (FF_TOKEN_FD_VARIABLE) ? FF_TOKEN_FD_VARIABLE : "the keyring");
      *key = found;
      return TRUE;
    }

  if (local == NULL)
    g_set_error (error, GIMP_PLUG_IN_ERROR, 0,
                 /* TRANSLATORS: the second %s is a variable, REPLICATE_API_TOKEN or BFL_API_KEY. */
                 _("No API token for %s. Enter it in FLUX Fill's Service section "
                   "(it is kept in your desktop keyring), or set %s."),
                 target->base_url, variable);
  else if (g_error_matches (local, FF_TOKEN_ERROR, FF_TOKEN_ERROR_NO_SERVICE))
    {
      /* The reason (no bus, no keyring daemon) is for whoever debugs it. */
      ff_debug ("%s", local->message);
      g_set_error (error, GIMP_PLUG_IN_ERROR, 0,
                   /* TRANSLATORS: the secret-tool command stays as it is. */
                   _("No API token for %s, and this session has no keyring "
                     "(Secret Service). Set %s before starting GIMP, "
                     "or store the token in a session that has a keyring with: "
                     "secret-tool store --label='FLUX Fill token' "
                     "application flux-fill base-url %s"),
                   target->base_url, variable, url);
    }
  else
    g_set_error (error, GIMP_PLUG_IN_ERROR, 0,
                 _("No API token for %s: %s. Check your desktop keyring, "
                   "or set %s."),
                 target->base_url, local->message, variable);
  return FALSE;
}

void
flux_fill_service_add_arguments (GimpProcedure *procedure)
{
  GimpChoice     *choice = gimp_choice_new ();
  gsize           n = 0;
  const FfPreset *presets = ff_presets (&n);

  /* The one table of services (core/service-table.c). */
  for (gsize i = 0; i < n; i++)
    gimp_choice_add (choice, presets[i].nick, (gint) i, _(presets[i].label), NULL);
  gimp_procedure_add_choice_aux_argument (procedure, "service", _("_Service"),
    _("Who runs the model"), choice, "replicate", G_PARAM_READWRITE);
  gimp_procedure_add_string_aux_argument (procedure, "base-url", _("Service _URL"),
    _("The https address of another service with Replicate's or Black Forest Labs' API"),
    "", G_PARAM_READWRITE);
  gimp_procedure_add_double_aux_argument (procedure, "price", _("Price per _image (USD)"),
    _("What one image costs on this service: for the estimate under the prompt"),
    0.0, 100.0, FLUX_FILL_PRICE_DEFAULT, G_PARAM_READWRITE);
}

const FfPreset *
flux_fill_service_preset (GimpProcedureConfig *config)
{
  g_autofree gchar *nick = NULL;
  const FfPreset   *preset;

  g_object_get (config, "service", &nick, NULL);
  preset = ff_preset_by_nick (nick);
  return preset != NULL ? preset : ff_preset_by_nick ("replicate");
}

gboolean
flux_fill_service_same (const gchar *a,
                        const gchar *b)
{
  g_autofree gchar *left = ff_token_base_url (a);
  g_autofree gchar *right = ff_token_base_url (b);

  return g_strcmp0 (left, right) == 0;
}

void
flux_fill_service_explain (GError   **error,
                           gboolean   typed)
{
  const gchar *words;

  if (error == NULL || *error == NULL)
    return;
  switch (ff_error_failure (*error))
    {
    case FF_FAILURE_UNAUTHORIZED:
      words = typed ? _("The service refused the API token you typed; nothing was saved. "
                        "Check it in the Service section.")
                    : _("The service refused the API token: check it in the Service "
                        "section.");
      break;
    case FF_FAILURE_PAYMENT_REQUIRED:
      words = _("The account at this service has no credits left: add some on its "
                "website, then fill again.");
      break;
    case FF_FAILURE_MODERATED:
      words = _("The service's moderation refused the prompt, the picture or the result: "
                "change the prompt or the area, or allow more under Advanced → Safety "
                "tolerance.");
      break;
    case FF_FAILURE_RATE_LIMITED:
      words = _("The service is busy with too many of your requests: wait a minute, then "
                "fill again.");
      break;
    case FF_FAILURE_FAILED:
      words = _("The model made no picture: rephrase the prompt, or allow more under "
                "Advanced → Safety tolerance.");
      break;
    case FF_FAILURE_UNREACHABLE:
      words = _("The service could not be reached: check your network connection, proxy "
                "settings and the service URL.");
      break;
    default:
      return;
    }
  /* One message: ours first, the service's words once, after it. */
  g_prefix_error (error, "%s\n", words);
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
  /* Cents, but for prices in tenths of a cent (FLUX.2's $0.045). */
  gboolean mills = fabs (dollars * 100 - round (dollars * 100)) > 1e-6;

  return flux_fill_service_number_text (dollars, mills ? 3 : 2);
}

gchar *
flux_fill_service_number_text (gdouble value,
                               gint    digits)
{
  gchar    format[8];
  gchar    buffer[G_ASCII_DTOSTR_BUF_SIZE];
  gchar   *text;
  locale_t user = newlocale (LC_NUMERIC_MASK, "", (locale_t) 0);
  gchar   *point;

  g_snprintf (format, sizeof format, "%%.%df", CLAMP (digits, 0, 9));
  text = g_strdup (g_ascii_formatd (buffer, sizeof buffer, format, value));
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
  if (g_ascii_strcasecmp (host, "api.bfl.ai") == 0)
    return g_strdup (_("Black Forest Labs"));
  if (g_ascii_strcasecmp (host, "api.eu.bfl.ai") == 0)
    return g_strdup (_("Black Forest Labs (EU)"));
  if (g_ascii_strcasecmp (host, "api.us.bfl.ai") == 0)
    return g_strdup (_("Black Forest Labs (US)"));
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
  g_auto(FfResolved) target = { 0 };
  g_autoptr(GError)  local = NULL;

  if (! flux_fill_service_target (config, &target, error))
    return FALSE;
  /* One key for every region of Black Forest Labs: the table says where. */
  if (ff_token_store (target.key_url, token, &local))
    return TRUE;
  if (g_error_matches (local, FF_TOKEN_ERROR, FF_TOKEN_ERROR_NO_SERVICE))
    g_set_error (error, GIMP_PLUG_IN_ERROR, 0,
                 _("This session has no keyring (Secret Service), so the token cannot "
                   "be kept. Set %s before starting GIMP, or store the "
                   "token in a session that has a keyring with: secret-tool store "
                   "--label='FLUX Fill token' application flux-fill base-url %s"),
                 target.provider->key_variable, target.key_url);
  else
    g_set_error (error, GIMP_PLUG_IN_ERROR, 0,
                 _("The token could not be saved in your keyring: %s"), local->message);
  return FALSE;
}

/* The service settings the dialogs share: a global parasite (GIMP keeps
 * it in its profile's parasiterc) of "NICK\nURL\nPRICE\nPRICES", PRICES
 * being "nick=price;…", the price kept for each service.  Never the token.
 */
#define SHARED_PARASITE "flux-fill-service"

/* The shared settings' fields, or NULL.  (transfer full) */
static GStrv
shared_fields (void)
{
  GimpParasite     *parasite = gimp_get_parasite (SHARED_PARASITE);
  g_autofree gchar *text = NULL;
  g_auto(GStrv)     fields = NULL;
  const gchar      *data;
  guint32           size = 0;

  if (parasite == NULL)
    return NULL;
  data = gimp_parasite_get_data (parasite, &size);
  text = g_strndup (data, MIN (size, 8192));
  gimp_parasite_free (parasite);
  if (! g_utf8_validate (text, -1, NULL))
    return NULL;
  fields = g_strsplit (text, "\n", 4);
  return g_strv_length (fields) >= 3 ? g_steal_pointer (&fields) : NULL;
}

/* The price kept for @nick in @fields, else -1. */
static gdouble
kept_price (GStrv        fields,
            const gchar *nick)
{
  g_auto(GStrv) prices = NULL;

  if (fields == NULL || g_strv_length (fields) < 4)
    return -1;
  prices = g_strsplit (fields[3], ";", 32);
  for (gchar **p = prices; *p != NULL; p++)
    {
      const gchar *eq = strchr (*p, '=');
      gdouble      price;

      if (eq == NULL || strncmp (*p, nick, (gsize) (eq - *p)) != 0 ||
          strlen (nick) != (gsize) (eq - *p))
        continue;
      price = g_ascii_strtod (eq + 1, NULL);
      return price >= 0.0 && price <= 100.0 ? price : -1;
    }
  return -1;
}

void
flux_fill_service_load_price (GimpProcedureConfig *config)
{
  g_auto(GStrv) fields = shared_fields ();
  gdouble       price = kept_price (fields, flux_fill_service_preset (config)->nick);

  g_object_set (config, "price", price >= 0 ? price : FLUX_FILL_PRICE_DEFAULT, NULL);
}

void
flux_fill_service_load_shared (GimpProcedureConfig *config)
{
  g_auto(GStrv) fields = shared_fields ();
  gdouble       price;

  if (fields == NULL)
    return;
  if (ff_preset_by_nick (fields[0]) != NULL)
    g_object_set (config, "service", ff_preset_by_nick (fields[0])->nick, NULL);
  if (strlen (fields[1]) <= FF_BASE_URL_MAX_BYTES)
    g_object_set (config, "base-url", fields[1], NULL);
  price = kept_price (fields, flux_fill_service_preset (config)->nick);
  if (price < 0)
    price = g_ascii_strtod (fields[2], NULL);
  if (price >= 0.0 && price <= 100.0)
    g_object_set (config, "price", price, NULL);
}

/* Writes the shared settings: @nick, @url and @price as the current
 * service, the prices kept in @fields (nullable) with @priced's now
 * @priced_price.
 */
static void
write_shared (const gchar *nick,
              const gchar *url,
              gdouble      price,
              GStrv        fields,
              const gchar *priced,
              gdouble      priced_price)
{
  g_autofree gchar  *clean_url = g_strdelimit (g_strdup (url ? url : ""), "\n;", ' ');
  g_autoptr(GString) text = g_string_new (NULL);
  gchar              number[G_ASCII_DTOSTR_BUF_SIZE];
  gsize              n = 0;
  const FfPreset    *presets = ff_presets (&n);
  GimpParasite      *parasite;

  g_string_append_printf (text, "%s\n%s\n%s\n", nick, clean_url,
                          g_ascii_formatd (number, sizeof number, "%.4f", price));
  for (gsize i = 0; i < n; i++)
    {
      gdouble kept = g_str_equal (presets[i].nick, priced) ? priced_price
                     : kept_price (fields, presets[i].nick);

      if (kept >= 0)
        g_string_append_printf (text, "%s=%s;", presets[i].nick,
                                g_ascii_formatd (number, sizeof number, "%.4f", kept));
    }
  parasite = gimp_parasite_new (SHARED_PARASITE, GIMP_PARASITE_PERSISTENT,
                                (guint32) text->len, text->str);
  gimp_attach_parasite (parasite);
  gimp_parasite_free (parasite);
}

void
flux_fill_service_store_shared (GimpProcedureConfig *config)
{
  g_auto(GStrv)     fields = shared_fields ();
  g_autofree gchar *url = NULL;
  gdouble           price = FLUX_FILL_PRICE_DEFAULT;
  const gchar      *nick = flux_fill_service_preset (config)->nick;

  g_object_get (config, "base-url", &url, "price", &price, NULL);
  write_shared (nick, url, price, fields, nick, price);
}

void
flux_fill_service_keep_price (const gchar *nick,
                              gdouble      price)
{
  g_auto(GStrv) fields = shared_fields ();

  if (fields == NULL)
    write_shared (nick, "", price, NULL, nick, price);
  else
    write_shared (fields[0], fields[1], g_ascii_strtod (fields[2], NULL), fields, nick, price);
}
