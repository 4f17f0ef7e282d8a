/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <libgimp/gimp.h>
#include <libgimp/gimpui.h>
#include <glib/gi18n-lib.h>

#include "http-client.h"
#include "service-verdict.h"
#include "service-client.h"

#include "flux-fill.h"
#include "flux-fill-dialog-service.h"
#include "flux-fill-service.h"

struct _FluxFillServiceSection
{
  GimpProcedureConfig *config;
  GtkWidget           *entry;
  GtkWidget           *status;
  GtkWidget           *expander;
  GtkWidget           *url;          /* typed only for an "another service" choice */
  gchar               *nick;         /* the service chosen, for its price */
};

static void
set_status (FluxFillServiceSection *section,
            const gchar            *text)
{
  gtk_label_set_text (GTK_LABEL (section->status), text);
}

/* Says where the token for the chosen service comes from; TRUE when one
 * is at hand.
 */
static gboolean
describe_token (FluxFillServiceSection *section)
{
  g_auto(FfResolved) target = { 0 };
  g_autofree gchar  *text = NULL;
  g_autoptr(GError)  error = NULL;
  g_autoptr(FfToken) token = NULL;
  const gchar       *variable;

  if (! flux_fill_service_target (section->config, &target, &error))
    {
      set_status (section, error->message);
      return FALSE;
    }
  variable = target.provider->key_variable;
  if (target.key != NULL)
    {
      text = g_strdup_printf (_("Using %s from the environment; it wins over the keyring."),
                              variable);
      set_status (section, text);
      return TRUE;
    }
  token = ff_token_lookup (target.key_url, NULL, &error);
  if (token != NULL)
    {
      gtk_entry_set_placeholder_text (GTK_ENTRY (section->entry),
                                      _("saved in your keyring; type to replace"));
      text = g_strdup_printf (_("The token for %s is in your desktop keyring."), target.key_url);
    }
  else if (g_error_matches (error, FF_TOKEN_ERROR, FF_TOKEN_ERROR_NO_SERVICE))
    {
      gtk_entry_set_placeholder_text (GTK_ENTRY (section->entry), "");
      text = g_strdup_printf (_("This session has no keyring (Secret Service), so a token "
                                "typed here cannot be kept. Set %s before "
                                "starting GIMP, or store the token in a session that has a "
                                "keyring with: secret-tool store --label='FLUX Fill token' "
                                "application flux-fill base-url %s"), variable, target.key_url);
    }
  else if (g_strcmp0 (flux_fill_service_preset (section->config)->nick, "replicate") != 0 &&
           target.provider->id == FF_PROVIDER_REPLICATE)
    {
      gtk_entry_set_placeholder_text (GTK_ENTRY (section->entry), "");
      text = g_strdup_printf (_("Paste the API token the service at %s gave you. It is kept "
                                "in your desktop keyring, never in a file."), target.base_url);
    }
  else if (target.provider->id == FF_PROVIDER_BFL)
    {
      gtk_entry_set_placeholder_text (GTK_ENTRY (section->entry), "");
      text = g_strdup_printf (_("Paste your API key for %s (on Black Forest Labs: "
                                "dashboard.bfl.ai, API keys; one key serves every region). "
                                "It is kept in your desktop keyring, never in a file."),
                              target.base_url);
    }
  else
    {
      gtk_entry_set_placeholder_text (GTK_ENTRY (section->entry), "r8_…");
      text = g_strdup_printf (_("Paste your API token for %s (on Replicate: "
                                "replicate.com/account/api-tokens). It is kept in your "
                                "desktop keyring, never in a file."), target.base_url);
    }
  set_status (section, text);
  return token != NULL;
}

static void
service_changed (GimpProcedureConfig    *config,
                 GParamSpec             *pspec,
                 FluxFillServiceSection *section)
{
  const FfPreset *preset = flux_fill_service_preset (config);
  gdouble         price = FLUX_FILL_PRICE_DEFAULT;

  /* Each service has a price of its own: the one left is kept. */
  if (g_str_equal (pspec->name, "service") && g_strcmp0 (section->nick, preset->nick) != 0)
    {
      g_object_get (config, "price", &price, NULL);
      if (section->nick != NULL)
        flux_fill_service_keep_price (section->nick, price);
      g_set_str (&section->nick, preset->nick);
      flux_fill_service_load_price (config);
    }
  gtk_widget_set_sensitive (section->url, preset->base_url == NULL);
  describe_token (section);
}

/* What the Test button found, and what it asked, in words to act on. */
static gchar *
check_result_text (const gchar  *url,
                   const gchar  *checked,
                   gboolean      other,
                   const GError *error)
{
  if (error == NULL)
    return g_strdup_printf (_("Connected: the service accepts this token (checked: GET %s)."),
                            checked);
  if (ff_error_refuses_token (error))
    return g_strdup (_("The service refused this token. Copy it again from your "
                       "account's API tokens page and paste it here."));
  if (ff_error_failure (error) == FF_FAILURE_NOT_FOUND)
    return g_strdup_printf (_("The service at %s answered, but has neither the account "
                              "route nor FLUX Fill's model. Check the service URL."), url);
  if (ff_error_failure (error) == FF_FAILURE_UNREACHABLE && other)
    return g_strdup_printf (_("Could not reach %s (%s). Check the Service URL, your "
                              "network connection and proxy settings."), url, error->message);
  if (ff_error_failure (error) == FF_FAILURE_UNREACHABLE)
    return g_strdup_printf (_("Could not reach %s (%s). Check your network "
                              "connection and proxy settings."), url, error->message);
  return g_strdup (error->message);
}

static void
test_clicked (GtkButton              *button,
              FluxFillServiceSection *section)
{
  g_auto(FfResolved)   target = { 0 };
  g_autofree gchar    *text = NULL;
  g_autoptr(FfToken)   token = flux_fill_service_section_token (section);
  g_autoptr(FfClient)  client = NULL;
  g_autoptr(GError)    error = NULL;
  gboolean             typed = token != NULL;
  const gchar         *checked = NULL;

  if (! flux_fill_service_target (section->config, &target, &error) ||
      (token == NULL && ! flux_fill_service_key (&target, &token, &error)))
    {
      set_status (section, error->message);
      return;
    }
  client = ff_client_new_for (target.provider, target.base_url, token, &error);
  if (client != NULL)
    {
      set_status (section, _("Testing…"));
      /* Shown before the (short, blocking) request. */
      while (gtk_events_pending ())
        gtk_main_iteration ();
      ff_client_check (client, &checked, &error);
    }
  text = client != NULL
         ? check_result_text (target.base_url, checked,
                              flux_fill_service_preset (section->config)->base_url == NULL, error)
         : g_strdup_printf (_("This service cannot be used: %s"), error->message);
  /* A typed token the service accepted is the one to keep now. */
  if (client != NULL && error == NULL && typed)
    {
      if (flux_fill_service_keep_token (section->config, token, &error))
        {
          g_set_str (&text, _("Connected: the service accepts this token. It is now kept "
                              "in your desktop keyring."));
          gtk_entry_set_text (GTK_ENTRY (section->entry), "");
          gtk_entry_set_placeholder_text (GTK_ENTRY (section->entry),
                                          _("saved in your keyring; type to replace"));
        }
      else
        g_set_str (&text, error->message);
    }
  set_status (section, text);
}

/* Which token a fill would use, as the user types one. */
static void
entry_changed (GtkEditable            *entry,
               FluxFillServiceSection *section)
{
  g_autoptr(FfToken) typed = flux_fill_service_section_token (section);

  if (typed == NULL)
    describe_token (section);
  else
    set_status (section, _("The token typed here is used for the next fill. It replaces "
                           "the stored one only once the service accepts it (Test, or "
                           "the fill)."));
}

/* A price setting in cents: the default 0.05 would show as 0.1. */
static void
price_in_cents (GimpProcedureDialog *dialog,
                const gchar         *property)
{
  GtkWidget *price = gimp_procedure_dialog_get_widget (dialog, property, GIMP_TYPE_LABEL_SPIN);

  gimp_label_spin_set_digits (GIMP_LABEL_SPIN (price), 2);
  gimp_label_spin_set_increments (GIMP_LABEL_SPIN (price), 0.01, 0.1);
}

FluxFillServiceSection *
flux_fill_service_section_new (GimpProcedureDialog *dialog,
                               GimpProcedureConfig *config,
                               gboolean             open)
{
  FluxFillServiceSection *section = g_new0 (FluxFillServiceSection, 1);
  GtkWidget              *box, *row, *label, *button;
  gboolean                edit = g_strcmp0 (gimp_procedure_get_name (
                                              gimp_procedure_config_get_procedure (config)),
                                            PLUG_IN_PROC_EDIT) == 0;

  section->config = config;
  gimp_procedure_dialog_get_label (dialog, "service-title", _("Service and API to_ken"),
                                   FALSE, TRUE);
  /* Edit's models have prices of their own, in place of Fill's. */
  if (edit)
    {
      price_in_cents (dialog, "kontext-price");
      price_in_cents (dialog, "flux2-price");
      box = gimp_procedure_dialog_fill_box (dialog, "service-box", "service", "base-url",
                                            "kontext-price", "flux2-price", NULL);
    }
  else
    {
      price_in_cents (dialog, "price");
      box = gimp_procedure_dialog_fill_box (dialog, "service-box", "service", "base-url",
                                            "price", NULL);
    }
  section->url = gimp_procedure_dialog_get_widget (dialog, "base-url", G_TYPE_NONE);
  section->nick = g_strdup (flux_fill_service_preset (config)->nick);
  gtk_widget_set_sensitive (section->url, flux_fill_service_preset (config)->base_url == NULL);

  row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  label = gtk_label_new_with_mnemonic (_("API t_oken"));
  section->entry = gtk_entry_new ();
  /* Hidden characters; no undo history or spell check holds it. */
  gtk_entry_set_visibility (GTK_ENTRY (section->entry), FALSE);
  gtk_entry_set_input_purpose (GTK_ENTRY (section->entry), GTK_INPUT_PURPOSE_PASSWORD);
  gtk_entry_set_width_chars (GTK_ENTRY (section->entry), 28);
  gtk_label_set_mnemonic_widget (GTK_LABEL (label), section->entry);
  button = gtk_button_new_with_mnemonic (_("_Test"));
  gtk_widget_set_tooltip_text (button, _("Ask the service whether it accepts this token "
                                         "(free: no image is made)"));
  g_signal_connect (button, "clicked", G_CALLBACK (test_clicked), section);
  g_signal_connect (section->entry, "changed", G_CALLBACK (entry_changed), section);
  gtk_box_pack_start (GTK_BOX (row), label, FALSE, FALSE, 0);
  gtk_box_pack_start (GTK_BOX (row), section->entry, TRUE, TRUE, 0);
  gtk_box_pack_start (GTK_BOX (row), button, FALSE, FALSE, 0);
  gtk_box_pack_start (GTK_BOX (box), row, FALSE, FALSE, 0);

  section->status = gtk_label_new (NULL);
  gtk_label_set_line_wrap (GTK_LABEL (section->status), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (section->status), 60);
  gtk_label_set_xalign (GTK_LABEL (section->status), 0.0);
  gtk_label_set_selectable (GTK_LABEL (section->status), TRUE);
  gtk_box_pack_start (GTK_BOX (box), section->status, FALSE, FALSE, 0);
  gtk_widget_show_all (row);
  gtk_widget_show (section->status);

  section->expander = gimp_procedure_dialog_fill_expander (dialog, "service-section", "service-title",
                                                           FALSE, "service-box");
  /* Open where the user has something to do: no token yet. */
  gtk_expander_set_expanded (GTK_EXPANDER (section->expander),
                             ! describe_token (section) || open);
  g_signal_connect (config, "notify::service", G_CALLBACK (service_changed), section);
  g_signal_connect (config, "notify::base-url", G_CALLBACK (service_changed), section);
  return section;
}

FfToken *
flux_fill_service_section_token (FluxFillServiceSection *section)
{
  g_autofree gchar *text = g_strdup (gtk_entry_get_text (GTK_ENTRY (section->entry)));

  g_strstrip (text);
  if (*text == '\0')
    return NULL;
  return g_steal_pointer (&text);
}

void
flux_fill_service_section_free (FluxFillServiceSection *section)
{
  if (section == NULL)
    return;
  g_signal_handlers_disconnect_by_data (section->config, section);
  g_free (section->nick);
  g_free (section);
}
