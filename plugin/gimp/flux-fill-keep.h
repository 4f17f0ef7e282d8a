/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Keep This Variation: on one of a fill's variations, removes the others
 * of its group (and the group, when nothing else is left in it).
 */
#pragma once

#include <libgimp/gimp.h>

G_BEGIN_DECLS

/* The procedure PLUG_IN_PROC_KEEP, with its own run function. */
GimpProcedure * flux_fill_keep_procedure_new (GimpPlugIn  *plug_in,
                                              const gchar *name);

G_END_DECLS
