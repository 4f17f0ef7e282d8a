/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Helpers shared by the unit tests: the stand-in API as a child process. */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

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

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Standin, standin_stop)

G_END_DECLS
