#include "config.h"

#include <libgimp/gimp.h>
#include <libgimp/gimpui.h>
#include <glib/gi18n-lib.h>

#include "flux-fill.h"
#include "flux-fill-dialog.h"

gboolean
flux_fill_dialog (GimpProcedure       *procedure,
                  GimpProcedureConfig *config)
{
  GimpProcedureDialog *dialog;
  GtkWidget           *label;
  GtkWidget           *view;
  gboolean             run;

  gimp_ui_init (PLUG_IN_BINARY);

  dialog = GIMP_PROCEDURE_DIALOG (gimp_procedure_dialog_new (procedure, config,
                                                             _("FLUX Fill")));
  gimp_procedure_dialog_set_ok_label (dialog, _("_Fill"));

  label = gimp_procedure_dialog_get_label (dialog, "prompt-label",
                                           _("_What should fill the selection?"),
                                           FALSE, TRUE);
  view = gimp_procedure_dialog_get_widget (dialog, "prompt", GTK_TYPE_TEXT_VIEW);
  gtk_label_set_mnemonic_widget (GTK_LABEL (label), view);
  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (view), GTK_WRAP_WORD_CHAR);
  gtk_widget_set_size_request (view, 360, 80);
  gimp_procedure_dialog_fill_scrolled_window (dialog, "prompt-scrolled", "prompt");

  gimp_procedure_dialog_fill (dialog,
                              "prompt-label", "prompt-scrolled",
                              "outpaint", "steps", "guidance",
                              "safety-tolerance", "prompt-upsampling",
                              "seed", "output-format", "feather", "context",
                              NULL);

  run = gimp_procedure_dialog_run (dialog);
  gtk_widget_destroy (GTK_WIDGET (dialog));
  return run;
}
