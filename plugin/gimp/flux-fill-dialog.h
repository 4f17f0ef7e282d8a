/* The interactive dialog: every argument, with a multi-line prompt. */
#pragma once

#include <libgimp/gimp.h>

G_BEGIN_DECLS

/* TRUE when the user pressed OK.  @message (nullable): what went wrong
 * in the last try, shown at the top.
 */
gboolean flux_fill_dialog (GimpProcedure       *procedure,
                           GimpProcedureConfig *config,
                           const gchar         *message);

G_END_DECLS
