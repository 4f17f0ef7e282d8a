/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The dialog's Service section: which service, the API token (typed with
 * hidden characters, kept in the desktop keyring) and a Test button.
 */
#pragma once

#include <libgimp/gimpui.h>

#include "token-store.h"

G_BEGIN_DECLS

typedef struct _FluxFillServiceSection FluxFillServiceSection;

/* Builds the section as the dialog's "service-section" container, opened when
 * no token is at hand or @open (the service refused the token).  (transfer full)
 */
FluxFillServiceSection * flux_fill_service_section_new   (GimpProcedureDialog    *dialog,
                                                          GimpProcedureConfig    *config,
                                                          gboolean                open);
/* The token typed into the section, NULL when none.  (transfer full) */
FfToken *                flux_fill_service_section_token (FluxFillServiceSection *section);
void                     flux_fill_service_section_free  (FluxFillServiceSection *section);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FluxFillServiceSection, flux_fill_service_section_free)

G_END_DECLS
