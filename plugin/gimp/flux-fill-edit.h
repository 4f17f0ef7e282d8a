/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What FLUX Edit adds to a run: its model at the run's provider, the
 * reference layer (from the arguments, or found again by the name an
 * edit's record keeps), the checks before anything is sent, and what it
 * costs.
 */
#pragma once

#include <libgimp/gimp.h>

#include "fill-job.h"
#include "fill-record.h"
#include "model.h"

G_BEGIN_DECLS

typedef struct
{
  const FfModel *model;
  GimpDrawable  *reference;       /* nullable; a reference held */
  gchar         *reference_name;  /* nullable: what the record keeps */
} FluxFillEdit;

/* The model and reference of an edit with @params at @provider: from
 * @config, or, with @record (an edit's, run again), the recorded model
 * and the reference found again by its name among the layers of the open
 * images (@image's first); with @run_mode WITH_LAST_VALS (Ctrl+F), the
 * last edit's reference found so by its name in @config.  Then
 * ff_model_check_edit ().  Returns GIMP_PDB_SUCCESS, or the status with
 * @error set: CALLING_ERROR for an invalid argument ("Invalid argument
 * …"), EXECUTION_ERROR when the reference is gone.  Nothing is sent.
 */
GimpPDBStatusType flux_fill_edit_resolve  (GimpImage            *image,
                                           GimpProcedureConfig  *config,
                                           GimpRunMode           run_mode,
                                           const FfRecord       *record,
                                           const FfProviderInfo *provider,
                                           const FfParams       *params,
                                           FluxFillEdit         *edit,
                                           GError              **error);
void              flux_fill_edit_clear    (FluxFillEdit         *edit);

/* The edit's upload: @crop, and the reference layer whole as 8-bit RGB
 * (the core scales it to at most a megapixel).  (transfer full)
 */
FfFillUpload *    flux_fill_edit_upload   (const FluxFillEdit   *edit,
                                           FfClient             *client,
                                           GdkPixbuf            *crop,
                                           GError              **error);

/* The price setting of @model in @config (kontext-price, flux2-price),
 * or its published price where @config has none (Fill Again's).
 */
gdouble           flux_fill_edit_price    (GimpProcedureConfig  *config,
                                           const FfModel        *model);

/* What one image of @upload costs, in US dollars: the price setting of
 * its model in @config (kontext-price, flux2-price; the published price
 * where @config has none, as Fill Again's), for the size the model
 * answers and the pixels sent.
 */
gdouble           flux_fill_edit_cost     (const FluxFillEdit   *edit,
                                           GimpProcedureConfig  *config,
                                           const FfFillUpload   *upload);

G_END_DECLS
