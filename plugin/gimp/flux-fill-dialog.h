/* The interactive dialog: every argument, with a multi-line prompt. */
#pragma once

#include <libgimp/gimp.h>

G_BEGIN_DECLS

/* TRUE when the user pressed OK. */
gboolean flux_fill_dialog (GimpProcedure       *procedure,
                           GimpProcedureConfig *config);

G_END_DECLS
