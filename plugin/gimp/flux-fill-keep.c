/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <libgimp/gimp.h>
#include <glib/gi18n-lib.h>

#include "fill-record.h"

#include "flux-fill-keep.h"

/* Whether @item was made by FLUX Fill: a variation, or a group of them.
 * Only the parasite's presence counts: a damaged record is still ours.
 */
static gboolean
carries_record (GimpItem *item)
{
  GimpParasite *parasite = gimp_item_get_parasite (item, FF_RECORD_PARASITE);

  if (parasite == NULL)
    return FALSE;
  gimp_parasite_free (parasite);
  return TRUE;
}

/* The variation @drawables name (a generated layer inside a group of
 * them, or its mask), or NULL: a lone result, a group, anything else.
 */
static GimpLayer *
chosen_variation (GimpDrawable **drawables)
{
  GimpDrawable *drawable;
  GimpLayer    *layer;
  GimpItem     *group;

  if (gimp_core_object_array_get_length ((GObject **) drawables) != 1)
    return NULL;
  drawable = drawables[0];
  layer = GIMP_IS_LAYER_MASK (drawable) ? gimp_layer_from_mask (GIMP_LAYER_MASK (drawable))
                                        : GIMP_IS_LAYER (drawable) ? GIMP_LAYER (drawable) : NULL;
  if (layer == NULL || GIMP_IS_GROUP_LAYER (layer) || ! carries_record (GIMP_ITEM (layer)))
    return NULL;
  group = gimp_item_get_parent (GIMP_ITEM (layer));
  if (group == NULL || ! carries_record (group))
    return NULL;
  return layer;
}

/* Removes the other variations of @kept's group; a group left with
 * @kept alone gives way to it.  One undo step.
 */
static gboolean
keep_variation (GimpImage  *image,
                GimpLayer  *kept,
                GError    **error)
{
  GimpItem  *group = gimp_item_get_parent (GIMP_ITEM (kept));
  GimpItem **children = gimp_item_get_children (group);
  gint       left = 0;
  gboolean   ok = TRUE;

  gimp_image_undo_group_start (image);
  for (gint i = 0; children != NULL && children[i] != NULL; i++)
    {
      /* Layers the user put into the group stay. */
      if (children[i] == GIMP_ITEM (kept) || ! carries_record (children[i]))
        left++;
      else if (ok)
        ok = gimp_image_remove_layer (image, GIMP_LAYER (children[i]));
    }
  g_free (children);
  if (ok && left == 1)
    {
      /* In the group's place; the group goes, its record with it. */
      GimpItem *parent = gimp_item_get_parent (group);
      gint      position = gimp_image_get_item_position (image, group);

      ok = gimp_image_reorder_item (image, GIMP_ITEM (kept), parent, position) &&
           gimp_image_remove_layer (image, GIMP_LAYER (group));
    }
  if (ok)
    gimp_item_set_visible (GIMP_ITEM (kept), TRUE);
  gimp_image_undo_group_end (image);
  if (! ok)
    g_set_error_literal (error, GIMP_PLUG_IN_ERROR, 0,
                         _("GIMP could not remove the other variations; Edit → Undo "
                           "brings back what was removed."));
  return ok;
}

static GimpValueArray *
keep_run (GimpProcedure        *procedure,
          GimpRunMode           run_mode,
          GimpImage            *image,
          GimpDrawable        **drawables,
          GimpProcedureConfig  *config,
          gpointer              run_data)
{
  GimpLayer *kept = chosen_variation (drawables);
  GError    *error = NULL;

  /* GIMP makes any image procedure the one Filters → Repeat (Ctrl+F)
   * runs; pressed to fill again, it must not delete variations.
   */
  if (run_mode == GIMP_RUN_WITH_LAST_VALS)
    {
      g_set_error_literal (&error, GIMP_PLUG_IN_ERROR, 0,
                           _("Keep This Variation is not repeated with Ctrl+F: nothing was "
                             "removed. To fill again, run FLUX Fill from the Filters menu; "
                             "to keep a variation, choose Keep This Variation again."));
      return gimp_procedure_new_return_values (procedure, GIMP_PDB_CALLING_ERROR, error);
    }
  if (kept == NULL)
    {
      g_set_error_literal (&error, GIMP_PLUG_IN_ERROR, 0,
                           _("Keep This Variation works on one of the variations FLUX Fill "
                             "put into a group. Choose the variation to keep (or its mask) "
                             "in the Layers dialog."));
      return gimp_procedure_new_return_values (procedure, GIMP_PDB_CALLING_ERROR, error);
    }
  if (! keep_variation (image, kept, &error))
    return gimp_procedure_new_return_values (procedure, GIMP_PDB_EXECUTION_ERROR, error);
  return gimp_procedure_new_return_values (procedure, GIMP_PDB_SUCCESS, NULL);
}

GimpProcedure *
flux_fill_keep_procedure_new (GimpPlugIn  *plug_in,
                              const gchar *name)
{
  GimpProcedure *procedure = gimp_image_procedure_new (plug_in, name, GIMP_PDB_PROC_TYPE_PLUGIN,
                                                       keep_run, NULL, NULL);

  gimp_procedure_set_image_types (procedure, "*");
  gimp_procedure_set_sensitivity_mask (procedure, GIMP_PROCEDURE_SENSITIVE_DRAWABLE);
  /* The label first: libgimp wants it before the menu paths. */
  gimp_procedure_set_menu_label (procedure, _("_Keep This Variation"));
  /* Where the variations are: the Layers dialog's menu, and beside the fills. */
  gimp_procedure_add_menu_path (procedure, "<Layers>/Layers Menu");
  gimp_procedure_add_menu_path (procedure, "<Image>/Filters/Generative");
  gimp_procedure_set_documentation (procedure,
    _("Keep one variation of a FLUX Fill and remove the others"),
    _("With a variation made by FLUX Fill active (a layer in a group of "
      "variations, or its mask), removes the other FLUX Fill variations of "
      "its group, in one undo step. Layers you put into the group stay; when "
      "none did, the group gives way to the kept layer, which keeps its name, "
      "mask and record."),
    name);
  gimp_procedure_set_attribution (procedure, "flux-fill developers",
                                  "flux-fill developers", "2026");
  return procedure;
}
