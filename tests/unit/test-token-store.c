/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The token in a real Secret Service: the test starts its own session
 * bus and gnome-keyring (dbus-run-session), with HOME and the XDG
 * folders in a temporary folder, so the developer's keyring is never
 * touched.  It re-runs itself inside that session; without the programs
 * it fails, saying which is missing, rather than skip.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>
#include <libsecret/secret.h>

#include "token-store.h"

/* Set (to the temporary folder) in the session the test made. */
#define SESSION_ENV  "FLUX_FILL_TEST_KEYRING_DIR"
#define TOKEN_A      "r8_keyring_unit_token_7d2b"
#define TOKEN_B      "r8_keyring_unit_token_e41c"
#define BASE         "https://api.example.test/replicate"

static const gchar *session_dir;

/* ------------------------------------------------------------ the session */

static void
remove_tree (const gchar *path)
{
  GDir        *dir = g_dir_open (path, 0, NULL);
  const gchar *name;

  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree gchar *child = g_build_filename (path, name, NULL);

          if (g_file_test (child, G_FILE_TEST_IS_DIR) &&
              ! g_file_test (child, G_FILE_TEST_IS_SYMLINK))
            remove_tree (child);
          else
            g_remove (child);
        }
      g_dir_close (dir);
    }
  g_rmdir (path);
}

static int
run_in_keyring_session (int    argc,
                        char **argv)
{
  const gchar *needed[] = { "dbus-run-session", "dbus-daemon", "gnome-keyring-daemon",
                            "secret-tool" };
  g_autoptr(GError)              error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess)         session = NULL;
  g_autoptr(GPtrArray)           args = g_ptr_array_new_with_free_func (g_free);
  g_autofree gchar              *dir = NULL;
  g_autofree gchar              *exe = g_file_read_link ("/proc/self/exe", NULL);
  const gchar                   *subdirs[][2] = {
    { "HOME", "home" }, { "XDG_DATA_HOME", "data" }, { "XDG_CONFIG_HOME", "config" },
    { "XDG_CACHE_HOME", "cache" }, { "XDG_RUNTIME_DIR", "run" },
  };
  int                            status;

  for (gsize i = 0; i < G_N_ELEMENTS (needed); i++)
    {
      g_autofree gchar *path = g_find_program_in_path (needed[i]);

      if (path == NULL)
        {
          printf ("1..1\nnot ok 1 - %s is missing: the test runs its own Secret Service "
                  "(packages dbus, gnome-keyring, libsecret-tools)\n", needed[i]);
          return 1;
        }
    }
  dir = g_dir_make_tmp ("flux-fill-keyring-XXXXXX", &error);
  g_assert_no_error (error);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  for (gsize i = 0; i < G_N_ELEMENTS (subdirs); i++)
    {
      g_autofree gchar *path = g_build_filename (dir, subdirs[i][1], NULL);

      g_assert_cmpint (g_mkdir (path, 0700), ==, 0);
      g_subprocess_launcher_setenv (launcher, subdirs[i][0], path, TRUE);
    }
  /* No display: a keyring prompt must fail, not open on the desktop. */
  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
  g_subprocess_launcher_unsetenv (launcher, "WAYLAND_DISPLAY");
  g_subprocess_launcher_setenv (launcher, SESSION_ENV, dir, TRUE);

  g_ptr_array_add (args, g_strdup ("dbus-run-session"));
  g_ptr_array_add (args, g_strdup ("--"));
  g_ptr_array_add (args, g_strdup ("sh"));
  g_ptr_array_add (args, g_strdup ("-c"));
  /* An unlocked login keyring, made with the password on stdin. */
  g_ptr_array_add (args, g_strdup ("printf pw | gnome-keyring-daemon --unlock "
                                   "--components=secrets >/dev/null || "
                                   "{ echo 'gnome-keyring-daemon did not start' >&2; exit 1; }; "
                                   "exec \"$0\" \"$@\""));
  g_ptr_array_add (args, g_strdup (exe));
  for (int i = 1; i < argc; i++)
    g_ptr_array_add (args, g_strdup (argv[i]));
  g_ptr_array_add (args, NULL);

  session = g_subprocess_launcher_spawnv (launcher, (const gchar * const *) args->pdata,
                                          &error);
  g_assert_no_error (error);
  g_subprocess_wait (session, NULL, &error);
  g_assert_no_error (error);
  status = g_subprocess_get_if_exited (session) ? g_subprocess_get_exit_status (session) : 1;
  remove_tree (dir);
  return status;
}

/* ------------------------------------------------------------ helpers */

static gint secret_tool (const gchar  *input,
                         gchar       **output,
                         const gchar  *first,
                         ...) G_GNUC_NULL_TERMINATED;

/* The items for @base_url as a user sees them (secret-tool search:
 * libsecret's own search leaks an item's init task), each labelled
 * FF_TOKEN_LABEL.
 */
static guint
count_items (const gchar *base_url)
{
  g_autofree gchar *out = NULL;
  g_auto(GStrv)     lines = NULL;
  guint             items = 0, labels = 0;

  secret_tool (NULL, &out, "search", "--all", "application", "flux-fill",
               "base-url", base_url, NULL);
  lines = g_strsplit (out, "\n", -1);
  for (gchar **line = lines; *line != NULL; line++)
    {
      items += g_str_has_prefix (*line, "[/");
      labels += g_str_equal (*line, "label = " FF_TOKEN_LABEL);
    }
  g_assert_cmpuint (labels, ==, items);
  return items;
}

/* Runs secret-tool with @input on stdin; its stdout and stderr in @output. */
static gint
secret_tool (const gchar  *input,
             gchar       **output,
             const gchar  *first,
             ...)
{
  g_autoptr(GError)      error = NULL;
  g_autoptr(GPtrArray)   args = g_ptr_array_new ();
  g_autoptr(GSubprocess) tool = NULL;
  g_autofree gchar      *out = NULL;
  va_list                ap;

  g_ptr_array_add (args, (gpointer) "secret-tool");
  va_start (ap, first);
  for (const gchar *arg = first; arg != NULL; arg = va_arg (ap, const gchar *))
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  tool = g_subprocess_newv ((const gchar * const *) args->pdata,
                            G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                            G_SUBPROCESS_FLAGS_STDERR_MERGE,
                            &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (tool, input, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  if (output != NULL)
    *output = g_steal_pointer (&out);
  return g_subprocess_get_exit_status (tool);
}

/* Compared without g_assert_cmpstr: a failure must not print a token. */
static void
assert_token (const gchar *base_url,
              const gchar *expected)
{
  g_autoptr(GError)  error = NULL;
  g_autoptr(FfToken) token = ff_token_lookup (base_url, NULL, &error);

  g_assert_no_error (error);
  if (expected == NULL)
    g_assert_null (token);
  else
    g_assert_true (token != NULL && strcmp (token, expected) == 0);
}

/* ------------------------------------------------------------ cases */

static void
test_base_url (void)
{
  const gchar *table[][2] = {
    { NULL, "https://api.replicate.com" },
    { "", "https://api.replicate.com" },
    { "https://api.replicate.com/", "https://api.replicate.com" },
    { BASE "//", BASE },
    { BASE, BASE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (table); i++)
    {
      g_autofree gchar *url = ff_token_base_url (table[i][0]);

      g_assert_cmpstr (url, ==, table[i][1]);
    }
}

static void
test_round_trip (void)
{
  g_autoptr(GError) error = NULL;

  assert_token (BASE, NULL);

  g_assert_true (ff_token_store (BASE "/", TOKEN_A, &error));
  g_assert_no_error (error);
  assert_token (BASE, TOKEN_A);
  assert_token (BASE "/", TOKEN_A);
  /* One token per base URL. */
  assert_token (NULL, NULL);
  assert_token (BASE "/v2", NULL);

  /* Stored again: replaced, not added. */
  g_assert_true (ff_token_store (BASE, TOKEN_B, &error));
  g_assert_no_error (error);
  assert_token (BASE, TOKEN_B);
  g_assert_cmpuint (count_items (BASE), ==, 1);

  g_assert_true (ff_token_clear (BASE, &error));
  g_assert_no_error (error);
  assert_token (BASE, NULL);
  g_assert_cmpuint (count_items (BASE), ==, 0);
  /* Nothing left to clear is not an error. */
  g_assert_true (ff_token_clear (BASE, &error));
  g_assert_no_error (error);
}

/* What the README tells users to type, both ways. */
static void
test_secret_tool (void)
{
  const gchar      *url = "https://api.replicate.com";
  g_autoptr(GError) error = NULL;
  g_autofree gchar *out = NULL;

  g_assert_cmpint (secret_tool (TOKEN_A, NULL, "store", "--label=FLUX Fill token",
                                "application", "flux-fill", "base-url", url, NULL), ==, 0);
  assert_token (NULL, TOKEN_A);

  /* secret-tool's item has no schema name, so ours does not replace it
   * by itself: the store removes it afterwards, and one item is left.
   */
  g_assert_true (ff_token_store (NULL, TOKEN_B, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_items (url), ==, 1);
  g_assert_cmpint (secret_tool (NULL, &out, "lookup", "application", "flux-fill",
                                "base-url", url, NULL), ==, 0);
  g_assert_true (g_strcmp0 (out, TOKEN_B) == 0);
  g_clear_pointer (&out, g_free);

  g_assert_true (ff_token_clear (NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (secret_tool (NULL, &out, "lookup", "application", "flux-fill",
                                "base-url", url, NULL), !=, 0);
  g_assert_cmpstr (out, ==, "");
}

/* ------------------------------------------------------------ a store that fails */

/* A call to the Secret Service on the bus libsecret uses. */
static GVariant *
secrets_call (const gchar        *path,
              const gchar        *interface,
              const gchar        *method,
              GVariant           *parameters,
              const GVariantType *reply_type)
{
  g_autoptr(GError)          error = NULL;
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  GVariant                  *reply;

  g_assert_no_error (error);
  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.secrets", path, interface, method,
                                       parameters, reply_type, G_DBUS_CALL_FLAGS_NONE, -1,
                                       NULL, &error);
  g_assert_no_error (error);
  return reply;
}

#define SECRETS_PATH     "/org/freedesktop/secrets"
#define SECRETS_SERVICE  "org.freedesktop.Secret.Service"

static gchar *
read_default_alias (void)
{
  g_autoptr(GVariant) reply = secrets_call (SECRETS_PATH, SECRETS_SERVICE, "ReadAlias",
                                            g_variant_new ("(s)", "default"),
                                            G_VARIANT_TYPE ("(o)"));
  gchar              *path = NULL;

  g_variant_get (reply, "(o)", &path);
  return path;
}

static void
set_default_alias (const gchar *collection)
{
  g_autoptr(GVariant) reply = secrets_call (SECRETS_PATH, SECRETS_SERVICE, "SetAlias",
                                            g_variant_new ("(so)", "default", collection),
                                            NULL);
}

/* A real reason for a store to fail: the default collection is locked
 * (a new one, made without a prompt through gnome-keyring's own
 * interface, then locked), while the item stored before lives in
 * "login", still open.  Returns the collection's path.
 */
static gchar *
make_locked_default (void)
{
  g_autoptr(GVariant) session_reply = NULL;
  g_autoptr(GVariant) created = NULL;
  g_autoptr(GVariant) locked = NULL;
  g_autofree gchar   *session = NULL;
  gchar              *collection = NULL;
  GVariantBuilder     properties;

  session_reply = secrets_call (SECRETS_PATH, SECRETS_SERVICE, "OpenSession",
                                g_variant_new ("(sv)", "plain", g_variant_new_string ("")),
                                G_VARIANT_TYPE ("(vo)"));
  g_variant_get (session_reply, "(vo)", NULL, &session);
  g_variant_builder_init (&properties, G_VARIANT_TYPE ("a{sv}"));
  g_variant_builder_add (&properties, "{sv}", "org.freedesktop.Secret.Collection.Label",
                         g_variant_new_string ("locked for a test"));
  created = secrets_call (SECRETS_PATH, "org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface",
                          "CreateWithMasterPassword",
                          g_variant_new ("(a{sv}(o@ay@ays))", &properties, session,
                                         g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, "", 0, 1),
                                         g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, "pw", 2, 1),
                                         "text/plain"),
                          G_VARIANT_TYPE ("(o)"));
  g_variant_get (created, "(o)", &collection);
  locked = secrets_call (SECRETS_PATH, SECRETS_SERVICE, "Lock",
                         g_variant_new ("(@ao)", g_variant_new_objv ((const gchar * const[]) { collection }, 1)),
                         G_VARIANT_TYPE ("(aoo)"));
  set_default_alias (collection);
  return collection;
}

/* An item as secret-tool stores it under a schema name of its own:
 * without one, gnome-keyring's store would replace ours in place (our
 * attributes include secret-tool's), and no item would be left over.
 */
static void
store_other_schema (const gchar *token)
{
  g_assert_cmpint (secret_tool (token, NULL, "store", "--label=" FF_TOKEN_LABEL,
                                "application", "flux-fill", "base-url", BASE,
                                "xdg:schema", "org.example.Other", NULL), ==, 0);
}

/* ff_token_store () works, and @token is then the only item for BASE. */
static void
store_leaves_only (const gchar *token)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ff_token_store (BASE, token, &error));
  g_assert_no_error (error);
  assert_token (BASE, token);
  g_assert_cmpuint (count_items (BASE), ==, 1);
}

/* The old token under another schema name: a store that fails keeps it
 * (the old code removed it first), and once the keyring takes the new
 * one it is the only item left.
 */
static void
test_store_fails_keeps_old (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *login = read_default_alias ();
  g_autofree gchar *locked = NULL;

  store_other_schema (TOKEN_A);
  assert_token (BASE, TOKEN_A);

  locked = make_locked_default ();
  g_assert_false (ff_token_store (BASE, TOKEN_B, &error));
  g_assert_error (error, FF_TOKEN_ERROR, FF_TOKEN_ERROR_FAILED);
  assert_token (BASE, TOKEN_A);
  g_assert_cmpuint (count_items (BASE), ==, 1);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "the one stored before stays in use"));
  g_clear_error (&error);

  set_default_alias (login);
  store_leaves_only (TOKEN_B);
  g_assert_true (ff_token_clear (BASE, &error));
  g_assert_no_error (error);
}

/* Replacing keeps the item just stored, whichever items came before:
 * ours with the same token, another with the same token.
 */
static void
test_store_same_token (void)
{
  g_autoptr(GError) error = NULL;

  store_leaves_only (TOKEN_A);
  store_leaves_only (TOKEN_A);
  store_other_schema (TOKEN_A);
  g_assert_cmpuint (count_items (BASE), ==, 2);
  store_leaves_only (TOKEN_A);
  g_assert_true (ff_token_clear (BASE, &error));
  g_assert_no_error (error);
}

/* Run in a child whose environment its parent prepared. */
static void
expect_no_service (void)
{
  g_autoptr(GError)  error = NULL;
  g_autoptr(FfToken) token = ff_token_lookup (BASE, NULL, &error);

  g_assert_null (token);
  g_assert_error (error, FF_TOKEN_ERROR, FF_TOKEN_ERROR_NO_SERVICE);
  g_printerr ("# lookup: %s\n", error->message);
  g_clear_error (&error);
  g_assert_false (ff_token_store (BASE, TOKEN_A, &error));
  g_assert_error (error, FF_TOKEN_ERROR, FF_TOKEN_ERROR_NO_SERVICE);
  g_clear_error (&error);
  g_assert_false (ff_token_clear (BASE, &error));
  g_assert_error (error, FF_TOKEN_ERROR, FF_TOKEN_ERROR_NO_SERVICE);
  g_clear_error (&error);
  /* Again: libsecret frees what its last failed call left behind only
   * on the next call, and LeakSanitizer would count it.
   */
  g_assert_false (ff_token_clear (BASE, &error));
  g_assert_error (error, FF_TOKEN_ERROR, FF_TOKEN_ERROR_NO_SERVICE);
  secret_service_disconnect ();
}

/* The child is a fresh process: no bus connection cached yet. */
static void
trap_expect_no_service (void)
{
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

/* No DBUS_SESSION_BUS_ADDRESS and no $XDG_RUNTIME_DIR/bus to fall back on. */
static void
test_no_bus (void)
{
  g_autofree gchar *old_bus = g_strdup (g_getenv ("DBUS_SESSION_BUS_ADDRESS"));
  g_autofree gchar *old_run = g_strdup (g_getenv ("XDG_RUNTIME_DIR"));
  g_autofree gchar *run = g_build_filename (session_dir, "run-empty", NULL);

  if (g_test_subprocess ())
    {
      expect_no_service ();
      return;
    }
  g_assert_cmpint (g_mkdir_with_parents (run, 0700), ==, 0);
  g_unsetenv ("DBUS_SESSION_BUS_ADDRESS");
  g_setenv ("XDG_RUNTIME_DIR", run, TRUE);
  trap_expect_no_service ();
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", old_bus, TRUE);
  g_setenv ("XDG_RUNTIME_DIR", old_run, TRUE);
}

/* A session bus on which nothing provides org.freedesktop.secrets (no
 * service files at all, so nothing is activated).
 */
static void
test_bus_without_secrets (void)
{
  g_autoptr(GError)           error = NULL;
  g_autofree gchar           *old_bus = g_strdup (g_getenv ("DBUS_SESSION_BUS_ADDRESS"));
  g_autofree gchar           *config = g_build_filename (session_dir, "bare-bus.conf", NULL);
  g_autofree gchar           *text = NULL;
  g_autofree gchar           *address = NULL;
  g_autoptr(GSubprocess)      daemon = NULL;
  g_autoptr(GDataInputStream) lines = NULL;

  if (g_test_subprocess ())
    {
      expect_no_service ();
      return;
    }
  text = g_strdup_printf ("<!DOCTYPE busconfig PUBLIC "
                          "\"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\" "
                          "\"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
                          "<busconfig><type>session</type>"
                          "<listen>unix:dir=%s</listen><auth>EXTERNAL</auth>"
                          "<policy context=\"default\">"
                          /* session.conf's policy; without the plain allow,
                           * the bus's own replies never arrive. */
                          "<allow send_destination=\"*\" eavesdrop=\"true\"/>"
                          "<allow eavesdrop=\"true\"/><allow own=\"*\"/>"
                          "</policy></busconfig>\n", session_dir);
  g_assert_true (g_file_set_contents (config, text, -1, &error));
  g_assert_no_error (error);
  daemon = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                             &error, "dbus-daemon", "--nofork", "--print-address=1",
                             "--config-file", config, NULL);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (daemon));
  address = g_data_input_stream_read_line (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (address);

  g_setenv ("DBUS_SESSION_BUS_ADDRESS", address, TRUE);
  trap_expect_no_service ();
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", old_bus, TRUE);
  g_subprocess_force_exit (daemon);
  g_subprocess_wait (daemon, NULL, NULL);
}

int
main (int    argc,
      char **argv)
{
  int result;

  session_dir = g_getenv (SESSION_ENV);
  if (session_dir == NULL)
    return run_in_keyring_session (argc, argv);

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/token-store/base-url", test_base_url);
  g_test_add_func ("/token-store/round-trip", test_round_trip);
  g_test_add_func ("/token-store/secret-tool", test_secret_tool);
  g_test_add_func ("/token-store/store-fails-keeps-old", test_store_fails_keeps_old);
  g_test_add_func ("/token-store/store-same-token", test_store_same_token);
  g_test_add_func ("/token-store/no-service/no-bus", test_no_bus);
  g_test_add_func ("/token-store/no-service/bus-without-secrets", test_bus_without_secrets);
  result = g_test_run ();
  /* libsecret's service singleton and its bus connection. */
  secret_service_disconnect ();
  return result;
}
