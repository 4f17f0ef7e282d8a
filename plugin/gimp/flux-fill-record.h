/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Records on generated layers (core/fill-record.h) as GIMP parasites:
 * attached when a result is made, found again from the layer, its mask
 * or its group, which is what is active after a fill.
 */
#pragma once

#include <libgimp/gimp.h>

#include "fill-record.h"

G_BEGIN_DECLS

/* Attaches @json to @item as a persistent parasite: saved in the XCF. */
void       flux_fill_record_attach (GimpItem     *item,
                                    const gchar  *json);

/* When @drawable is a generated layer, its mask or a group of generated
 * layers: fills @record (ff_record_clear () it) and returns the item new
 * variations go beside (the group, or the lone generated layer).  NULL
 * for anything else; NULL with @error set when the record is damaged.
 */
GimpLayer *flux_fill_record_find   (GimpDrawable  *drawable,
                                    FfRecord      *record,
                                    GError       **error);

/* A generated layer of @generated (itself, or the top one of the group)
 * whose mask holds the filled area; NULL when none has a mask.
 */
GimpLayerMask *flux_fill_record_mask (GimpLayer  *generated);

/* What a fill started on @drawable comes back to: the earlier results
 * (a group or a lone layer, returned) and the layer they were made from
 * (@source), when @drawable is one of them or its mask and nothing is
 * selected or the selection's bounds meet those recorded as selected
 * (@again: whatever is selected).  Else NULL, @source being @drawable,
 * or, when @drawable is a result and the selection lies elsewhere, the
 * layer that result was made from.  @above (nullable): the item the new
 * results go above (the earlier group when they join it; the top-level
 * item holding the earlier results for a new fill next to them).  NULL
 * with @error set when the record is damaged, was an expansion's, or its
 * layer is gone.
 */
GimpLayer *flux_fill_record_target (GimpImage      *image,
                                    GimpDrawable   *drawable,
                                    gboolean        again,
                                    FfRecord       *record,
                                    GimpDrawable  **source,
                                    GimpItem      **above,
                                    GError        **error);
/* The same for a run of @edit's kind (FLUX Edit, else a fill): unless
 * @again, the results of the other kind are treated as those of a
 * selection elsewhere (a new run on the layer they were made from, above
 * them); flux_fill_record_target () is a fill's.
 */
GimpLayer *flux_fill_record_target_kind (GimpImage      *image,
                                         GimpDrawable   *drawable,
                                         gboolean        again,
                                         gboolean        edit,
                                         FfRecord       *record,
                                         GimpDrawable  **source,
                                         GimpItem      **above,
                                         GError        **error);

/* FLUX Expand from whatever is active (a result, its mask, a group, any
 * layer): the layer to read when not sample-merged (a result's recorded
 * source while it exists, else the layer itself), and @above, the
 * top-level item holding it, which the expansion goes above.
 */
GimpDrawable *flux_fill_record_expand_source (GimpImage     *image,
                                              GimpDrawable  *drawable,
                                              GimpItem     **above);

/* The top-level item that holds @item (a mask: its layer's). */
GimpItem  *flux_fill_record_top_level (GimpItem *item);

G_END_DECLS
