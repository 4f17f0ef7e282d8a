/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include <libgimp/gimp.h>
#include <libgimp/gimpui.h>
#include <glib/gi18n-lib.h>

#include "debug-log.h"
#include "fill-params.h"

#include "flux-fill.h"
#include "flux-fill-dialog.h"
#include "flux-fill-dialog-edit.h"
#include "flux-fill-dialog-service.h"
#include "flux-fill-record.h"
#include "flux-fill-region.h"
#include "flux-fill-service.h"

/* What the line under the prompt needs to say what will happen. */
typedef struct
{
  GimpProcedureConfig *config;
  GimpImage           *image;
  GimpDrawable        *drawable;
  gboolean             fill;
  gboolean             edit;        /* FLUX Edit's: its own line and checks */
  GtkWidget           *label;
  GtkWidget           *feather;     /* Edit's: no edge to blend on the whole picture */
  gint                 bounds[5];   /* the selection the line was made for */
  guint                poll;
} Summary;

/* Enter fills, as in a search box; Shift+Enter (or Ctrl+Enter) is a new
 * line, for the rare prompt that wants one.
 */
static gboolean
prompt_key_press (GtkWidget   *view,
                  GdkEventKey *event,
                  GtkDialog   *dialog)
{
  if ((event->keyval == GDK_KEY_Return || event->keyval == GDK_KEY_KP_Enter ||
       event->keyval == GDK_KEY_ISO_Enter) &&
      (event->state & (GDK_SHIFT_MASK | GDK_CONTROL_MASK)) == 0)
    {
      gtk_dialog_response (dialog, GTK_RESPONSE_OK);
      return TRUE;
    }
  return FALSE;
}

/* The prompt has the focus as the dialog opens: type, then Enter. */
static void
focus_prompt (GtkWidget *dialog,
              GtkWidget *view)
{
  gtk_widget_grab_focus (view);
}

/* The prompt: first, large, focused, Enter to run. */
static void
build_prompt (GimpProcedureDialog *dialog,
              const gchar         *question)
{
  GtkWidget *label;
  GtkWidget *view;
  GtkWidget *scrolled;

  label = gimp_procedure_dialog_get_label (dialog, "prompt-label", question, FALSE, TRUE);
  view = gimp_procedure_dialog_get_widget (dialog, "prompt", GTK_TYPE_TEXT_VIEW);
  gtk_label_set_mnemonic_widget (GTK_LABEL (label), view);
  gtk_label_set_xalign (GTK_LABEL (label), 0.0);
  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (view), GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_accepts_tab (GTK_TEXT_VIEW (view), FALSE);
  gtk_widget_set_size_request (view, 440, 110);
  g_signal_connect (view, "key-press-event", G_CALLBACK (prompt_key_press), dialog);
  g_signal_connect (dialog, "map", G_CALLBACK (focus_prompt), view);
  scrolled = gimp_procedure_dialog_fill_scrolled_window (dialog, "prompt-scrolled", "prompt");
  gtk_widget_set_size_request (scrolled, -1, 110);
}

/* The area a run would fill: around the selection, or, with a generated
 * layer (or its mask or group) active and nothing selected, the earlier
 * fill's own area.  @joins: (out) (transfer full) the name of the earlier
 * results new variations join, or NULL; @beside: a result is active but
 * this is a new fill next to it.
 */
static gboolean
plan (Summary   *summary,
      gint       context,
      gboolean   sample_merged,
      FfRect    *crop,
      gchar    **joins,
      gboolean  *beside,
      GError   **error)
{
  GimpDrawable *source = summary->drawable;
  FfRecord      record = { 0 };
  GimpLayer    *earlier = NULL;
  GimpItem     *above = NULL;
  gboolean      selected = FALSE;
  gint          x1, y1, x2, y2;

  *joins = NULL;
  *beside = FALSE;
  if (summary->fill)
    earlier = flux_fill_record_target (summary->image, summary->drawable, FALSE, &record,
                                       &source, &above, error);
  else
    source = flux_fill_record_expand_source (summary->image, summary->drawable, &above);
  if (error != NULL && *error != NULL)
    {
      ff_record_clear (&record);
      return FALSE;
    }
  if (earlier != NULL)
    {
      *joins = gimp_item_get_name (GIMP_ITEM (earlier));
      gimp_selection_bounds (summary->image, &selected, &x1, &y1, &x2, &y2);
    }
  else if (summary->fill)
    {
      FfRecord other = { 0 };

      *beside = flux_fill_record_find (summary->drawable, &other, NULL) != NULL;
      ff_record_clear (&other);
    }
  if (earlier != NULL && ! selected)
    *crop = record.rect;
  ff_record_clear (&record);
  if (earlier != NULL && ! selected)
    return TRUE;
  if (GIMP_IS_LAYER_MASK (source))
    source = GIMP_DRAWABLE (gimp_layer_from_mask (GIMP_LAYER_MASK (source)));
  return flux_fill_region_plan (summary->image, source,
                                summary->fill ? FF_OUTPAINT_NONE : FF_OUTPAINT_LEFT,
                                context, sample_merged, crop, error);
}

/* What the GUI test reads: the words the user sees, on one line. */
static void
debug_words (const gchar *what,
             const gchar *words)
{
  g_autofree gchar *flat = NULL;

  if (! ff_debug_enabled ())
    return;
  flat = g_strdelimit (g_strdup (words), "\n", ' ');
  ff_debug ("%s: %s", what, flat);
}

/* "Sends a 1056 × 960 px area to Replicate · about $0.05": what leaves
 * the machine, to whom, and what it costs (@variations images); or NULL
 * and why nothing can be filled.  @joins, @beside: as plan () says.
 */
static gchar *
fill_line (Summary      *summary,
           const gchar  *name,
           gint          variations,
           gchar       **joins,
           gboolean     *beside,
           GError      **error)
{
  g_autofree gchar *cost = NULL;
  gdouble           price = 0;
  gint              context = -1;
  gboolean          sample_merged = TRUE;
  FfRect            crop;

  if (summary->fill)
    g_object_get (summary->config, "context", &context, NULL);
  g_object_get (summary->config, "price", &price, "sample-merged", &sample_merged, NULL);
  /* Every variation is a prediction of its own, paid for. */
  cost = flux_fill_service_price_text (price * MAX (variations, 1));
  if (! plan (summary, context, sample_merged, &crop, joins, beside, error))
    return NULL;
  if (summary->fill)
    return g_strdup_printf (_("Sends a %d × %d px area to %s · about $%s"),
                            crop.width, crop.height, name, cost);
  if (sample_merged)
    return g_strdup_printf (_("Sends the visible %d × %d px picture to %s · about $%s"),
                            crop.width, crop.height, name, cost);
  return g_strdup_printf (_("Sends the %d × %d px layer to %s · about $%s"),
                          crop.width, crop.height, name, cost);
}

/* The line under the prompt: the fill's or the edit's, how many images,
 * and what the user should know before sending.  With a result active,
 * whether the fill joins it or is a new one.
 */
static void
update_summary (Summary *summary)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *name = NULL;
  g_autofree gchar *text = NULL;
  g_autofree gchar *joins = NULL;
  g_autofree gchar *line = NULL;
  g_autofree gchar *notes = NULL;
  g_auto(FfResolved) target = { 0 };
  gint              variations = 1;
  gboolean          beside = FALSE, whole = FALSE;

  g_object_get (summary->config, "variations", &variations, NULL);
  if (flux_fill_service_target (summary->config, &target, &error))
    {
      name = flux_fill_service_name (target.base_url);
      text = summary->edit
             ? flux_fill_dialog_edit_line (summary->config, &target, summary->image,
                                           summary->drawable, &whole, &notes, &error)
             : fill_line (summary, name, variations, &joins, &beside, &error);
    }
  if (error != NULL)
    g_set_str (&text, error->message);
  /* How many paid predictions, said where there are several. */
  if (error == NULL && variations > 1)
    {
      g_autofree gchar *count = g_strdup_printf (ngettext ("%d image", "%d images", variations),
                                                 variations);

      line = g_strdup_printf ("%s · %s", text, count);
      g_set_str (&text, line);
      g_clear_pointer (&line, g_free);
    }
  if (notes != NULL)
    line = g_strdup_printf ("%s\n%s", text, notes);
  else if (joins != NULL)
    line = g_strdup_printf (_("Adds variations to “%s”. %s"), joins, text);
  else if (beside)
    line = g_strdup_printf (_("A new fill, beside the earlier results. %s"), text);
  if (line != NULL)
    g_set_str (&text, line);
  /* Where the service has no cancel, GIMP's Cancel stops only the waiting. */
  if (error == NULL && ! (target.provider->flags & FF_PROVIDER_CAN_CANCEL))
    {
      g_free (line);
      line = g_strdup_printf ("%s\n%s", text,
                              summary->edit
                              ? _("A started edit cannot be canceled at this service: "
                                  "Cancel only stops the waiting, the edit is paid for.")
                              : _("A started fill cannot be canceled at this service: "
                                  "Cancel only stops the waiting, the fill is paid for."));
      g_set_str (&text, line);
    }
  if (summary->feather != NULL)
    gtk_widget_set_sensitive (summary->feather, ! whole);
  debug_words ("dialog line", text);
  gtk_label_set_text (GTK_LABEL (summary->label), text);
}

/* The selection can change with the dialog open: the line follows it. */
static gboolean
selection_changed (Summary *summary)
{
  gint bounds[5] = { 0 };

  gimp_selection_bounds (summary->image, &bounds[0], &bounds[1], &bounds[2], &bounds[3],
                         &bounds[4]);
  if (memcmp (bounds, summary->bounds, sizeof bounds) == 0)
    return FALSE;
  memcpy (summary->bounds, bounds, sizeof bounds);
  return TRUE;
}

static gboolean
poll_selection (gpointer data)
{
  Summary *summary = data;

  if (selection_changed (summary))
    update_summary (summary);
  return G_SOURCE_CONTINUE;
}

static void
summary_changed (GimpProcedureConfig *config,
                 GParamSpec          *pspec,
                 Summary             *summary)
{
  update_summary (summary);
}

static void
build_summary (GimpProcedureDialog *dialog,
               Summary             *summary)
{
  summary->label = gimp_procedure_dialog_get_label (dialog, "summary", "", FALSE, FALSE);
  gtk_label_set_xalign (GTK_LABEL (summary->label), 0.0);
  gtk_label_set_line_wrap (GTK_LABEL (summary->label), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (summary->label), 60);
  gimp_label_set_attributes (GTK_LABEL (summary->label), PANGO_ATTR_SCALE, PANGO_SCALE_SMALL, -1);
  /* Only what the line depends on: not every keystroke in the prompt. */
  for (const gchar **name = (const gchar *[]) { "notify::context", "notify::price",
                                                "notify::variations", "notify::sample-merged",
                                                "notify::service", "notify::base-url",
                                                /* Edit's own */
                                                "notify::model", "notify::reference",
                                                "notify::kontext-price", "notify::flux2-price",
                                                "notify::safety-tolerance", NULL };
       *name != NULL; name++)
    g_signal_connect (summary->config, *name, G_CALLBACK (summary_changed), summary);
  selection_changed (summary);
  update_summary (summary);
  summary->poll = g_timeout_add (500, poll_selection, summary);
}

/* -1 reads as a word: "random" seed, "automatic" context. */
static gboolean
spin_output (GtkSpinButton *spin,
             const gchar   *word)
{
  if (gtk_spin_button_get_value_as_int (spin) != -1)
    return FALSE;
  if (g_strcmp0 (gtk_entry_get_text (GTK_ENTRY (spin)), word) != 0)
    gtk_entry_set_text (GTK_ENTRY (spin), word);
  return TRUE;
}

static gint
spin_input (GtkSpinButton *spin,
            gdouble       *value,
            const gchar   *word)
{
  if (g_strcmp0 (gtk_entry_get_text (GTK_ENTRY (spin)), word) != 0)
    return FALSE;
  *value = -1;
  return TRUE;
}

static void
name_minus_one (GimpProcedureDialog *dialog,
                const gchar         *property,
                const gchar         *word)
{
  GtkWidget *widget = gimp_procedure_dialog_get_widget (dialog, property, GIMP_TYPE_LABEL_SPIN);
  GtkWidget *spin = gimp_label_spin_get_spin_button (GIMP_LABEL_SPIN (widget));

  /* A numeric spin button drops letters, the word's too: it showed blank. */
  gtk_spin_button_set_numeric (GTK_SPIN_BUTTON (spin), FALSE);
  g_signal_connect (spin, "output", G_CALLBACK (spin_output), (gpointer) word);
  g_signal_connect (spin, "input", G_CALLBACK (spin_input), (gpointer) word);
  gtk_entry_set_width_chars (GTK_ENTRY (spin), MAX (8, (gint) g_utf8_strlen (word, -1)));
  gtk_spin_button_update (GTK_SPIN_BUTTON (spin));
}

/* What only some want: in a section that opens on demand. */
static void
build_advanced (GimpProcedureDialog *dialog,
                const Summary       *summary)
{
  /* gettext's strings live as long as the process: the handlers keep them. */
  name_minus_one (dialog, "seed", _("random"));
  if (summary->fill || summary->edit)
    name_minus_one (dialog, "context", _("automatic"));
  gimp_procedure_dialog_get_label (dialog, "advanced-title", _("_Advanced"), FALSE, TRUE);
  if (summary->edit)
    gimp_procedure_dialog_fill_box (dialog, "advanced-box",
                                    "seed", "safety-tolerance", "output-format",
                                    "prompt-upsampling", "context", "sample-merged", NULL);
  else if (summary->fill)
    gimp_procedure_dialog_fill_box (dialog, "advanced-box",
                                    "steps", "guidance", "safety-tolerance",
                                    "prompt-upsampling", "seed", "output-format",
                                    "context", "sample-merged", NULL);
  else
    gimp_procedure_dialog_fill_box (dialog, "advanced-box",
                                    "steps", "guidance", "safety-tolerance",
                                    "prompt-upsampling", "seed", "output-format",
                                    "sample-merged", NULL);
  gimp_procedure_dialog_fill_expander (dialog, "advanced", "advanced-title", FALSE,
                                       "advanced-box");
}

/* The message bar on top: the last try's error, or why Fill cannot run
 * yet, in words to act on.
 */
static void
show_message (GimpProcedureDialog *dialog,
              GtkWidget          **label,
              const gchar         *message)
{
  GtkWidget *content;
  GtkWidget *bar;

  debug_words ("dialog message", message);
  if (*label != NULL)
    {
      gtk_label_set_text (GTK_LABEL (*label), message);
      return;
    }
  content = gtk_dialog_get_content_area (GTK_DIALOG (dialog));
  bar = gtk_info_bar_new ();
  *label = gtk_label_new (message);
  gtk_info_bar_set_message_type (GTK_INFO_BAR (bar), GTK_MESSAGE_ERROR);
  gtk_label_set_line_wrap (GTK_LABEL (*label), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (*label), 60);
  gtk_label_set_xalign (GTK_LABEL (*label), 0.0);
  gtk_label_set_selectable (GTK_LABEL (*label), TRUE);
  gtk_container_add (GTK_CONTAINER (gtk_info_bar_get_content_area (GTK_INFO_BAR (bar))), *label);
  gtk_box_pack_start (GTK_BOX (content), bar, FALSE, FALSE, 0);
  gtk_box_reorder_child (GTK_BOX (content), bar, 0);
  gtk_widget_show_all (bar);
}

typedef struct
{
  Summary                *summary;
  FluxFillServiceSection *service;
  GtkWidget              *message;
} Checks;

/* What needs no network is checked before the dialog closes: a prompt
 * within its length, something to fill (or an edit its model takes), a
 * token at hand.  NULL when all
 * is well.  (transfer full)
 */
static gchar *
check_inputs (Checks *checks)
{
  GimpProcedureConfig *config = checks->summary->config;
  g_autofree gchar    *prompt = NULL;
  g_auto(FfResolved)   target = { 0 };
  g_autoptr(FfToken)   token = NULL;
  g_autoptr(FfToken)   typed = NULL;
  g_autoptr(GError)    error = NULL;
  gint                 context = -1;
  gboolean             sample_merged = TRUE;
  g_autofree gchar    *joins = NULL;
  gboolean             beside = FALSE;
  FfRect               crop;
  g_autofree gchar    *refused = NULL;

  g_object_get (config, "prompt", &prompt, "sample-merged", &sample_merged, NULL);
  if (prompt != NULL && strlen (prompt) > FF_PROMPT_MAX_BYTES)
    return g_strdup_printf (_("The prompt is %" PRIu64 " bytes long; "
                              "the limit is %d."), (guint64) strlen (prompt), FF_PROMPT_MAX_BYTES);
  if (checks->summary->fill)
    g_object_get (config, "context", &context, NULL);
  if (! flux_fill_service_target (config, &target, &error))
    return g_strdup (error->message);
  if (checks->summary->edit)
    refused = flux_fill_dialog_edit_check (config, &target, checks->summary->image,
                                           checks->summary->drawable);
  else if (! plan (checks->summary, context, sample_merged, &crop, &joins, &beside, &error))
    return g_strdup (error->message);
  if (refused != NULL)
    return g_steal_pointer (&refused);
  typed = flux_fill_service_section_token (checks->service);
  if (typed == NULL && ! flux_fill_service_key (&target, &token, &error))
    return g_strdup (error->message);
  return NULL;
}

static void
dialog_response (GtkDialog *dialog,
                 gint       response,
                 Checks    *checks)
{
  g_autofree gchar *message = NULL;

  if (response != GTK_RESPONSE_OK || (message = check_inputs (checks)) == NULL)
    return;
  show_message (GIMP_PROCEDURE_DIALOG (dialog), &checks->message, message);
  /* Before GIMP's own handler: the dialog stays open, nothing is lost. */
  g_signal_stop_emission_by_name (dialog, "response");
}

/* What was typed survives a Cancel, an Esc, a failure or a cancelled
 * run: libgimp keeps last values only after a run that succeeded.  A
 * global parasite of the dialog's values, in GIMP's profile as last
 * values are; never the token, which is no argument.
 */
static gchar *
typed_parasite_name (GimpProcedure *procedure)
{
  return g_strconcat ("flux-fill-typed-", gimp_procedure_get_name (procedure), NULL);
}

static void
remember_typed (GimpProcedure       *procedure,
                GimpProcedureConfig *config)
{
  g_autofree gchar *name = typed_parasite_name (procedure);
  GimpParasite     *parasite = gimp_config_serialize_to_parasite (GIMP_CONFIG (config), name,
                                                                  GIMP_PARASITE_PERSISTENT, NULL);

  if (parasite == NULL)
    return;
  gimp_attach_parasite (parasite);
  gimp_parasite_free (parasite);
}

void
flux_fill_dialog_recall (GimpProcedure       *procedure,
                         GimpProcedureConfig *config)
{
  g_autofree gchar *name = typed_parasite_name (procedure);
  GimpParasite     *parasite = gimp_get_parasite (name);

  if (parasite == NULL)
    return;
  /* A value out of range or of another version is skipped, not fatal. */
  gimp_config_deserialize_parasite (GIMP_CONFIG (config), parasite, NULL, NULL);
  gimp_parasite_free (parasite);
}

gboolean
flux_fill_dialog (GimpProcedure        *procedure,
                  GimpProcedureConfig  *config,
                  GimpImage            *image,
                  GimpDrawable         *drawable,
                  const gchar          *message,
                  gboolean              open_service,
                  FfToken             **token)
{
  GimpProcedureDialog               *dialog;
  g_autoptr(FluxFillServiceSection)  service = NULL;
  const gchar                       *name = gimp_procedure_get_name (procedure);
  gboolean                           edit = g_strcmp0 (name, PLUG_IN_PROC_EDIT) == 0;
  gboolean                           fill = ! edit && g_strcmp0 (name, PLUG_IN_PROC_EXPAND) != 0;
  Summary                            summary = { config, image, drawable, fill, edit, NULL };
  Checks                             checks = { &summary, NULL, NULL };
  gboolean                           run;

  *token = NULL;

  gimp_ui_init (PLUG_IN_BINARY);

  dialog = GIMP_PROCEDURE_DIALOG (gimp_procedure_dialog_new (procedure, config,
                                                             edit ? _("FLUX Edit")
                                                             : fill ? _("FLUX Fill")
                                                             : _("FLUX Expand")));
  gimp_procedure_dialog_set_ok_label (dialog, edit ? _("_Edit")
                                              : fill ? _("_Fill") : _("_Expand"));

  if (edit)
    summary.feather = gimp_procedure_dialog_get_widget (dialog, "feather", G_TYPE_NONE);
  build_prompt (dialog, edit ? _("_Instruction")
                        : fill ? _("_What should fill the selection? (blank: remove it)")
                        : _("_What should the new area show? (blank: more of the same)"));
  build_summary (dialog, &summary);
  build_advanced (dialog, &summary);
  service = flux_fill_service_section_new (dialog, config, open_service);
  checks.service = service;
  if (edit)
    {
      flux_fill_dialog_edit_build_reference (dialog, config);
      gimp_procedure_dialog_fill (dialog, "prompt-label", "prompt-scrolled", "summary",
                                  "model", "reference", "variations", "feather", "advanced",
                                  "service-section", NULL);
    }
  else if (fill)
    gimp_procedure_dialog_fill (dialog, "prompt-label", "prompt-scrolled", "summary",
                                "feather", "variations", "advanced", "service-section", NULL);
  else
    gimp_procedure_dialog_fill (dialog, "prompt-label", "prompt-scrolled", "summary",
                                "mode", "variations", "advanced", "service-section", NULL);

  if (message != NULL)
    show_message (dialog, &checks.message, message);
  /* Connected first, so it runs before the handler that ends the dialog. */
  g_signal_connect (dialog, "response", G_CALLBACK (dialog_response), &checks);

  run = gimp_procedure_dialog_run (dialog);
  /* Before anything is sent, and on Cancel or Esc alike. */
  remember_typed (procedure, config);
  if (run)
    *token = flux_fill_service_section_token (service);
  g_signal_handlers_disconnect_by_data (config, &summary);
  g_source_remove (summary.poll);
  gtk_widget_destroy (GTK_WIDGET (dialog));
  return run;
}

gboolean
flux_fill_dialog_confirm_service (const gchar *made_at,
                                  const gchar *will_use)
{
  GtkWidget *dialog;
  gint       response;

  gimp_ui_init (PLUG_IN_BINARY);
  dialog = gtk_message_dialog_new (NULL, GTK_DIALOG_MODAL, GTK_MESSAGE_QUESTION,
                                   GTK_BUTTONS_NONE,
                                   _("This fill was made at %s; FLUX Fill will use %s."),
                                   made_at, will_use);
  gtk_message_dialog_format_secondary_text (GTK_MESSAGE_DIALOG (dialog), "%s",
    _("Your API token, the picture and the payment go only to the service chosen in "
      "FLUX Fill's Service section."));
  gtk_dialog_add_buttons (GTK_DIALOG (dialog), _("_Cancel"), GTK_RESPONSE_CANCEL,
                          _("C_ontinue"), GTK_RESPONSE_OK, NULL);
  gtk_dialog_set_default_response (GTK_DIALOG (dialog), GTK_RESPONSE_OK);
  gtk_window_set_title (GTK_WINDOW (dialog), _("FLUX Fill"));
  response = gtk_dialog_run (GTK_DIALOG (dialog));
  gtk_widget_destroy (dialog);
  return response == GTK_RESPONSE_OK;
}
