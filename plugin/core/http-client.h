/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A small blocking HTTP client over libcurl, for the API calls and the
 * output download.  Transport failures are FF_CURL_ERROR (code: the
 * CURLcode); statuses are returned to the caller, who knows what they mean.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define FF_CURL_ERROR (ff_curl_error_quark ())
GQuark ff_curl_error_quark (void);

/* Codes are HTTP statuses; set by callers that treat a status as an error. */
#define FF_HTTP_ERROR (ff_http_error_quark ())
GQuark ff_http_error_quark (void);

/* Called often while a transfer runs; returning FALSE cancels it
 * (G_IO_ERROR_CANCELLED).
 */
typedef gboolean (* FfHttpProgressFunc) (gpointer user_data);

typedef struct
{
  const gchar *method;           /* "GET" or "POST" */
  const gchar *url;
  const gchar *bearer_token;     /* nullable */
  const gchar *content_type;     /* nullable; with a body */
  const gchar *header;           /* nullable: one more header line, "Name: value" */
  /* nullable: the header that carries the key, "x-key: …"; never with
   * @follow_redirects, as libcurl would send it on to wherever they go.
   */
  const gchar *key_header;
  GBytes      *body;             /* nullable */
  /* Instead of @body, a multipart/form-data upload of one file, as the
   * Files API wants: parts "content" (the bytes), "filename" and "type".
   */
  GBytes      *file;             /* nullable */
  const gchar *file_name;
  const gchar *file_type;
  gboolean     follow_redirects; /* downloads only; the token never follows */
  glong        timeout_seconds;  /* the whole transfer */
  glong        stall_seconds;    /* abort below 1 kB/s for this long; 0: 30 s */
  gsize        max_response;     /* larger bodies fail with G_IO_ERROR_MESSAGE_TOO_LARGE */
  /* On a connection of its own: libcurl sends a request again by itself
   * when a reused connection turns out dead, which a request that must
   * go out at most once cannot have.
   */
  gboolean     send_once;
} FfHttpRequest;

typedef struct
{
  glong   status;
  GBytes *body;
  gchar  *content_type;          /* nullable */
  gchar  *retry_after;           /* nullable: the Retry-After header as sent */
} FfHttpResponse;

typedef struct _FfHttp FfHttp;

FfHttp *         ff_http_new            (const gchar         *user_agent);
void             ff_http_free           (FfHttp              *http);
void             ff_http_set_progress   (FfHttp              *http,
                                         FfHttpProgressFunc   func,
                                         gpointer             user_data);

/* Sends @request and returns the response whatever its status
 * (transfer full), or NULL with @error set when no response came.
 * With FLUX_FILL_DEBUG=1 each exchange is logged to stderr: method, URL,
 * status, sizes and time, never a header or a body.
 */
FfHttpResponse * ff_http_send           (FfHttp              *http,
                                         const FfHttpRequest *request,
                                         GError             **error);
void             ff_http_response_free  (FfHttpResponse      *response);

/* Whether the last ff_http_send () sent its request whole, so the server
 * may have acted on it even if no answer came back.
 */
gboolean         ff_http_request_left   (FfHttp              *http);

/* 127.0.0.1, ::1 or localhost. */
gboolean         ff_http_host_is_loopback (const gchar       *host);
/* The protocols a redirect from @url may go to: never from https to
 * http, whatever the case of the scheme.
 */
const gchar *    ff_http_redirect_protocols (const gchar     *url);

/* Whether a transport error is worth another try: the connection failed
 * or broke, rather than the request being wrong.
 */
gboolean         ff_http_error_is_transient (const GError *error);
/* The transfer hit its time or stall limit. */
gboolean         ff_http_error_is_timeout   (const GError *error);

/* Seconds to wait from a Retry-After value, integer seconds or an HTTP
 * date, clamped to [0, @max]; @fallback when absent or unreadable.
 */
gdouble          ff_http_retry_after    (const gchar         *value,
                                         gdouble              fallback,
                                         gdouble              max);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FfHttp, ff_http_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FfHttpResponse, ff_http_response_free)

G_END_DECLS
