/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
/* For the item paths (secret-paths.h): a replace must tell the item it
 * just stored from the others, which the password API cannot.
 */
#define SECRET_API_SUBJECT_TO_CHANGE
#include <libsecret/secret.h>

#include "service-client.h"
#include "token-store.h"

G_DEFINE_QUARK (ff-token-error-quark, ff_token_error)

/* Matched by attributes only (DONT_MATCH_NAME): an item secret-tool
 * stored carries no schema name, or another one.
 */
static const SecretSchema token_schema = {
  "org.gimp.plugin.FluxFill", SECRET_SCHEMA_DONT_MATCH_NAME,
  {
    { "application", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { "base-url",    SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  }
};

gchar *
ff_token_base_url (const gchar *base_url)
{
  gchar *url;
  gsize  len;

  if (base_url == NULL || *base_url == '\0')
    base_url = FF_DEFAULT_BASE_URL;
  url = g_strdup (base_url);
  len = strlen (url);
  /* The client drops them too: ".../" and "..." are one service. */
  while (len > 0 && url[len - 1] == '/')
    url[--len] = '\0';
  return url;
}

/* What libsecret passes up when no one answers: the name is not on the
 * bus and cannot be activated, or its activation failed.
 */
static gboolean
is_no_service (const GError *error)
{
  if (error->domain != G_DBUS_ERROR)
    return FALSE;
  switch (error->code)
    {
    case G_DBUS_ERROR_SERVICE_UNKNOWN:
    case G_DBUS_ERROR_NAME_HAS_NO_OWNER:
    case G_DBUS_ERROR_NO_SERVER:
    case G_DBUS_ERROR_SPAWN_EXEC_FAILED:
    case G_DBUS_ERROR_SPAWN_FORK_FAILED:
    case G_DBUS_ERROR_SPAWN_CHILD_EXITED:
    case G_DBUS_ERROR_SPAWN_CHILD_SIGNALED:
    case G_DBUS_ERROR_SPAWN_FAILED:
    case G_DBUS_ERROR_SPAWN_SETUP_FAILED:
    case G_DBUS_ERROR_SPAWN_CONFIG_INVALID:
    case G_DBUS_ERROR_SPAWN_SERVICE_INVALID:
    case G_DBUS_ERROR_SPAWN_SERVICE_NOT_FOUND:
    case G_DBUS_ERROR_SPAWN_PERMISSIONS_INVALID:
    case G_DBUS_ERROR_SPAWN_FILE_INVALID:
    case G_DBUS_ERROR_SPAWN_NO_MEMORY:
      return TRUE;
    default:
      return FALSE;
    }
}

/* libsecret's errors, sorted: FF_TOKEN_ERROR_NO_SERVICE lets the caller
 * say where else a token can go.  Consumes @error.
 */
typedef enum
{
  KEYRING_READ,
  KEYRING_STORE,
  KEYRING_STORE_KEPT,     /* the store failed, an older token is still there */
  KEYRING_REMOVE,
  KEYRING_REMOVE_OLD,     /* the new token is stored, an older one not removed */
} KeyringAction;

static void
propagate (GError        **dest,
           GError         *error,
           KeyringAction   action)
{
  gint code;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_propagate_error (dest, error);
      return;
    }
  code = is_no_service (error) ? FF_TOKEN_ERROR_NO_SERVICE : FF_TOKEN_ERROR_FAILED;
  switch (action)
    {
    case KEYRING_READ:
      g_set_error (dest, FF_TOKEN_ERROR, code,
                   /* TRANSLATORS: %s is libsecret's or the Secret Service's message. */
                   _("could not read the token from the keyring: %s"), error->message);
      break;
    case KEYRING_STORE:
      g_set_error (dest, FF_TOKEN_ERROR, code,
                   _("could not store the token in the keyring: %s"), error->message);
      break;
    case KEYRING_STORE_KEPT:
      g_set_error (dest, FF_TOKEN_ERROR, code,
                   _("could not store the new token in the keyring, so the one "
                     "stored before stays in use: %s"), error->message);
      break;
    case KEYRING_REMOVE_OLD:
      g_set_error (dest, FF_TOKEN_ERROR, code,
                   _("the new token is stored, but the old one could not be "
                     "removed from the keyring: %s"), error->message);
      break;
    case KEYRING_REMOVE:
    default:
      g_set_error (dest, FF_TOKEN_ERROR, code,
                   _("could not remove the token from the keyring: %s"), error->message);
      break;
    }
  g_error_free (error);
}

/* A session bus first: libsecret's errors for a missing one are GIO's
 * (G_IO_ERROR_FAILED "cannot autolaunch…", G_IO_ERROR_NOT_FOUND for a
 * dead socket), not told apart from other failures.  The connection is
 * held across the call so libsecret reuses it (GIO keeps only a weak
 * reference to the bus singleton).
 */
static GDBusConnection *
session_bus (GCancellable  *cancellable,
             GError       **error)
{
  g_autoptr(GError) local = NULL;
  GDBusConnection  *bus = g_bus_get_sync (G_BUS_TYPE_SESSION, cancellable, &local);

  if (bus == NULL)
    {
      if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&local));
      else
        g_set_error (error, FF_TOKEN_ERROR, FF_TOKEN_ERROR_NO_SERVICE,
                     _("no D-Bus session bus: %s"), local->message);
    }
  return bus;
}

FfToken *
ff_token_lookup (const gchar   *base_url,
                 GCancellable  *cancellable,
                 GError       **error)
{
  g_autofree gchar          *url = ff_token_base_url (base_url);
  g_autoptr(GDBusConnection) bus = NULL;
  GError                    *local = NULL;
  gchar                     *token;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  bus = session_bus (cancellable, error);
  if (bus == NULL)
    return NULL;
  token = secret_password_lookup_sync (&token_schema, cancellable, &local,
                                       "application", FF_TOKEN_APPLICATION,
                                       "base-url", url,
                                       NULL);
  if (local != NULL)
    {
      propagate (error, local, KEYRING_READ);
      return NULL;
    }
  if (token != NULL && *token == '\0')
    g_clear_pointer (&token, secret_password_free);   /* an empty secret is none */
  return token;
}

/* Our item's properties: its label and attributes, our schema's name
 * among them as libsecret's own store would put it.
 */
static GHashTable *
item_properties (const gchar *url)
{
  GHashTable     *properties = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                      (GDestroyNotify) g_variant_unref);
  GVariantBuilder attributes;

  g_variant_builder_init (&attributes, G_VARIANT_TYPE ("a{ss}"));
  g_variant_builder_add (&attributes, "{ss}", "application", FF_TOKEN_APPLICATION);
  g_variant_builder_add (&attributes, "{ss}", "base-url", url);
  g_variant_builder_add (&attributes, "{ss}", "xdg:schema", token_schema.name);
  g_hash_table_insert (properties, (gpointer) "org.freedesktop.Secret.Item.Label",
                       g_variant_ref_sink (g_variant_new_string (FF_TOKEN_LABEL)));
  g_hash_table_insert (properties, (gpointer) "org.freedesktop.Secret.Item.Attributes",
                       g_variant_ref_sink (g_variant_builder_end (&attributes)));
  return properties;
}

/* The paths of every item for @url, locked or not, whatever its schema. */
static GStrv
find_items (SecretService  *service,
            const gchar    *url,
            GError        **error)
{
  g_autoptr(GHashTable) attributes = secret_attributes_build (&token_schema,
                                                              "application", FF_TOKEN_APPLICATION,
                                                              "base-url", url,
                                                              NULL);
  g_auto(GStrv)         unlocked = NULL;
  g_auto(GStrv)         locked = NULL;
  g_autoptr(GStrvBuilder) paths = g_strv_builder_new ();

  if (! secret_service_search_for_dbus_paths_sync (service, &token_schema, attributes, NULL,
                                                   &unlocked, &locked, error))
    return NULL;
  if (unlocked != NULL)
    g_strv_builder_addv (paths, (const gchar **) unlocked);
  if (locked != NULL)
    g_strv_builder_addv (paths, (const gchar **) locked);
  return g_strv_builder_end (paths);
}

/* The new token is stored before anything is removed: should the store
 * fail (a locked or missing collection, a refused prompt), the token
 * stored before stays in use.
 */
gboolean
ff_token_store (const gchar  *base_url,
                const gchar  *token,
                GError      **error)
{
  g_autofree gchar          *url = ff_token_base_url (base_url);
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(SecretService)   service = NULL;
  g_autoptr(GHashTable)      properties = NULL;
  g_autoptr(SecretValue)     value = NULL;
  g_autofree gchar          *stored = NULL;
  g_auto(GStrv)              items = NULL;
  GError                    *local = NULL;

  g_return_val_if_fail (token != NULL && *token != '\0', FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  bus = session_bus (NULL, error);
  if (bus == NULL)
    return FALSE;
  service = secret_service_get_sync (SECRET_SERVICE_NONE, NULL, &local);
  if (service == NULL)
    {
      propagate (error, local, KEYRING_STORE);
      return FALSE;
    }
  properties = item_properties (url);
  value = secret_value_new (token, -1, "text/plain");
  /* Replaces our own item in place; secret-tool's (no schema name, or
   * another) is a separate item, removed below.
   */
  stored = secret_service_create_item_dbus_path_sync (service,
                                                      "/org/freedesktop/secrets/aliases/"
                                                      SECRET_COLLECTION_DEFAULT,
                                                      properties, value,
                                                      SECRET_ITEM_CREATE_REPLACE, NULL, &local);
  if (stored == NULL)
    {
      g_auto(GStrv) before = find_items (service, url, NULL);

      if (local == NULL)   /* a prompt the user (or nobody) dismissed */
        local = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, _("the keyring refused"));
      propagate (error, local,
                 before != NULL && before[0] != NULL ? KEYRING_STORE_KEPT : KEYRING_STORE);
      return FALSE;
    }

  /* One by one: the Secret Service deletes by path, not by attributes. */
  items = find_items (service, url, &local);
  for (gchar **item = items; local == NULL && item != NULL && *item != NULL; item++)
    if (! g_str_equal (*item, stored))
      secret_service_delete_item_dbus_path_sync (service, *item, NULL, &local);
  if (local != NULL)
    {
      propagate (error, local, KEYRING_REMOVE_OLD);
      return FALSE;
    }
  return TRUE;
}

gboolean
ff_token_clear (const gchar  *base_url,
                GError      **error)
{
  g_autofree gchar          *url = ff_token_base_url (base_url);
  g_autoptr(GDBusConnection) bus = NULL;
  GError                    *local = NULL;

  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  bus = session_bus (NULL, error);
  if (bus == NULL)
    return FALSE;
  /* FALSE without an error: there was nothing to remove. */
  if (! secret_password_clear_sync (&token_schema, NULL, &local,
                                    "application", FF_TOKEN_APPLICATION,
                                    "base-url", url,
                                    NULL) && local != NULL)
    {
      propagate (error, local, KEYRING_REMOVE);
      return FALSE;
    }
  return TRUE;
}

void
ff_token_free (FfToken *token)
{
  secret_password_free (token);
}
