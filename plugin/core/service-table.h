/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The one table of providers (protocols) and presets (services a user
 * picks: Replicate, Black Forest Labs in a region…), and how a run
 * chooses one from the environment and the dialog's choice.  The dialog,
 * the environment, the batch tool and the keyring all read it.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define FF_SERVICE_ERROR (ff_service_error_quark ())
GQuark ff_service_error_quark (void);

typedef enum
{
  FF_SERVICE_ERROR_UNKNOWN_PROVIDER,   /* FLUX_FILL_PROVIDER names none */
  FF_SERVICE_ERROR_NO_URL,             /* "another service" chosen, no URL typed */
} FfServiceError;

typedef enum
{
  FF_PROVIDER_REPLICATE,
  FF_PROVIDER_BFL,
  FF_PROVIDER_COUNT
} FfProviderId;

typedef enum
{
  FF_PROVIDER_CAN_CANCEL  = 1 << 0,    /* a started prediction can be stopped */
  FF_PROVIDER_CAN_UPLOAD  = 1 << 1,    /* large inputs go through a files API */
  FF_PROVIDER_HAS_REGIONS = 1 << 2,    /* one key, several regional endpoints */
} FfProviderFlags;

typedef struct
{
  FfProviderId     id;
  const gchar     *nick;               /* FLUX_FILL_PROVIDER's value, records' "provider" */
  const gchar     *label;              /* N_() */
  const gchar     *default_base_url;
  const gchar     *key_variable;       /* the environment variable of its key */
  const gchar     *base_variable;      /* nullable: an older variable for its base URL */
  FfProviderFlags  flags;
} FfProviderInfo;

typedef struct
{
  const gchar  *nick;                  /* the dialog's "service" choice */
  const gchar  *label;                 /* N_() */
  FfProviderId  provider;
  const gchar  *base_url;              /* NULL: the URL the user types */
} FfPreset;

/* Every provider, by id; NULL past the last. */
const FfProviderInfo * ff_provider_info        (FfProviderId  id);
/* NULL when @nick names none. */
const FfProviderInfo * ff_provider_by_nick     (const gchar  *nick);
/* The presets in the dialog's order; @n: how many. */
const FfPreset *       ff_presets              (gsize        *n);
/* NULL when @nick names none.  "other", a remembered value of older
 * versions, is "other-replicate".
 */
const FfPreset *       ff_preset_by_nick       (const gchar  *nick);

/* Under which base URL the keyring keeps the key for @base_url: one for
 * all of Black Forest Labs' regions (its global URL), else @base_url
 * itself, without trailing slashes.  (transfer full)
 */
gchar *                ff_service_key_url      (const gchar  *base_url);

/* Whether a provider's key may go to @url, for a run at @base_url: the
 * base URL's own origin (scheme, host and port), and for Black Forest
 * Labs' own bases https hosts under bfl.ai.
 */
gboolean               ff_service_key_may_go   (const FfProviderInfo *provider,
                                                const gchar          *base_url,
                                                const gchar          *url);

/* Where a run goes and with which key. */
typedef struct
{
  const FfProviderInfo *provider;
  gchar                *base_url;      /* without trailing slashes */
  gchar                *key;           /* from the environment; NULL: ask the keyring */
  const gchar          *key_variable;  /* where @key came from; NULL */
  gchar                *key_url;       /* the keyring's base-url attribute */
} FfResolved;

void                   ff_resolved_clear       (FfResolved   *resolved);

/* The service of a run, each step winning over the dialog: the provider
 * is FLUX_FILL_PROVIDER, else @preset's; the base URL FLUX_FILL_BASE_URL,
 * else (Replicate) REPLICATE_BASE_URL, else the dialog's (@preset's own,
 * or @typed_url for an "other-…" one, which must not be empty) when its
 * provider is that one, else the provider's default; the key the provider's own variable,
 * else (NULL) the keyring's.  A variable of another provider is never
 * read.  @envp: as g_get_environ () gives it; an empty value is unset.
 */
gboolean               ff_service_resolve      (const gchar * const *envp,
                                                const gchar  *preset,
                                                const gchar  *typed_url,
                                                FfResolved   *resolved,
                                                GError      **error);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (FfResolved, ff_resolved_clear)

G_END_DECLS
