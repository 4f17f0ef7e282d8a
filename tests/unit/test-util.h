/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Helpers shared by the unit tests: the stand-in API as a child process. */
#pragma once

#include <gio/gio.h>
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <json-glib/json-glib.h>

#include "service-client.h"

G_BEGIN_DECLS

#define TEST_TOKEN "r8_unit_test_token_5f3a"
#define TEST_BFL_KEY "bfl_unit_test_key_77d1"

typedef struct
{
  GSubprocess *process;
  gchar       *base_url;      /* http://127.0.0.1:PORT */
  gint         files_port;
  /* Black Forest Labs' stand-in: its other servers. */
  gint         delivery_port;
  gint         regional_port;
  gint         foreign_port;
} Standin;

/* Starts tests/standin/replicate_standin.py, accepting TEST_TOKEN. */
Standin *   standin_start        (void);
/* Starts tests/standin/bfl_standin.py, accepting TEST_BFL_KEY. */
Standin *   standin_start_bfl    (void);
void        standin_stop         (Standin     *standin);
/* Sets the scenario for the next predictions (a JSON object text). */
void        standin_scenario     (Standin     *standin,
                                  const gchar *json);
/* What the stand-in received since the last scenario reset (transfer full). */
JsonArray * standin_requests     (Standin     *standin);
/* The first request whose path ends with @suffix, or NULL. */
JsonObject *standin_find_request (JsonArray   *requests,
                                  const gchar *method,
                                  const gchar *suffix);

/* A create-prediction body: a 40x30 dark blue picture whose right half
 * is masked, png output, the given steps.  (transfer full)
 */
gchar *     test_make_body       (gint         steps);

/* A PNG data URI of a @width × @height picture of one colour (0xRRGGBBAA).
 * (transfer full)
 */
gchar *     test_image_uri       (gint         width,
                                  gint         height,
                                  guint32      rgba);

/* An edit as FLUX Edit's glue runs one: the model @model_id at the
 * client's provider, a 120 × 80 picture (0x204060ff) and @n_references
 * 60 × 60 references, prompt "make it red", png, @safety;
 * ff_model_check_edit () first (nothing sent when it refuses), then the
 * model's body to its route, then the download.  Returns the decoded
 * result (transfer full), or NULL with @error set.
 */
GdkPixbuf * test_edit            (FfClient    *client,
                                  const gchar *model_id,
                                  guint        n_references,
                                  gint         safety,
                                  GError     **error);

/* That @result is what @model_id at @provider answers for test_edit ()'s
 * picture (ff_model_output_size (); about 1 MP for Kontext), its centre the picture blended
 * halfway toward the stand-in's magenta; and that the stand-in logged
 * one submit to @route with the picture and @n_references references.
 */
void        test_assert_edit     (Standin     *standin,
                                  GdkPixbuf   *result,
                                  FfProviderId provider,
                                  const gchar *model_id,
                                  guint        n_references);

/* That test_edit () refuses Kontext with safety 3 and Kontext with a
 * reference before sending (the caller asserts that nothing was sent).
 */
void        test_assert_edit_refused (FfClient *client);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Standin, standin_stop)

G_END_DECLS
