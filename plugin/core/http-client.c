/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <inttypes.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <gio/gio.h>
#include <glib/gi18n-lib.h>

#include "debug-log.h"
#include "http-client.h"

G_DEFINE_QUARK (ff-curl-error-quark, ff_curl_error)
G_DEFINE_QUARK (ff-http-error-quark, ff_http_error)

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CURL, curl_easy_cleanup)
typedef struct curl_slist CurlSlist;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CurlSlist, curl_slist_free_all)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (curl_mime, curl_mime_free)

#define CONNECT_TIMEOUT_SECONDS 20
#define STALL_BYTES_PER_SECOND  1024L
#define STALL_SECONDS_DEFAULT   30L

struct _FfHttp
{
  CURL               *curl;        /* kept so connections are reused */
  gchar              *user_agent;
  FfHttpProgressFunc  progress;
  gpointer            progress_data;
  gboolean            request_left;  /* the last request went out whole */
};

typedef struct
{
  GByteArray *body;
  gsize       max;
  gboolean    too_large;
  gchar      *content_type;
  gchar      *retry_after;
} Transfer;

FfHttp *
ff_http_new (const gchar *user_agent)
{
  FfHttp *http = g_new0 (FfHttp, 1);

  /* Idempotent after the first call; libcurl wants it before any handle. */
  curl_global_init (CURL_GLOBAL_DEFAULT);
  http->curl = curl_easy_init ();
  http->user_agent = g_strdup (user_agent);
  return http;
}

void
ff_http_free (FfHttp *http)
{
  if (http == NULL)
    return;
  g_clear_pointer (&http->curl, curl_easy_cleanup);
  g_free (http->user_agent);
  g_free (http);
}

void
ff_http_set_progress (FfHttp             *http,
                      FfHttpProgressFunc  func,
                      gpointer            user_data)
{
  http->progress = func;
  http->progress_data = user_data;
}

void
ff_http_response_free (FfHttpResponse *response)
{
  if (response == NULL)
    return;
  g_clear_pointer (&response->body, g_bytes_unref);
  g_free (response->content_type);
  g_free (response->retry_after);
  g_free (response);
}

static size_t
write_cb (char   *data,
          size_t  size,
          size_t  nmemb,
          void   *user_data)
{
  Transfer *transfer = user_data;
  gsize     n = size * nmemb;

  if (transfer->body->len + n > transfer->max)
    {
      transfer->too_large = TRUE;
      return 0;
    }
  g_byte_array_append (transfer->body, (const guint8 *) data, (guint) n);
  return n;
}

/* Header lines of the last response; a redirect starts the set anew. */
static size_t
header_cb (char   *data,
           size_t  size,
           size_t  nmemb,
           void   *user_data)
{
  Transfer    *transfer = user_data;
  gsize        n = size * nmemb;
  g_autofree gchar *line = g_strndup (data, n);
  gchar       *colon;

  if (g_str_has_prefix (line, "HTTP/"))
    {
      g_clear_pointer (&transfer->content_type, g_free);
      g_clear_pointer (&transfer->retry_after, g_free);
      return n;
    }
  colon = strchr (line, ':');
  if (colon == NULL)
    return n;
  *colon = '\0';
  if (g_ascii_strcasecmp (line, "Content-Type") == 0)
    g_set_str (&transfer->content_type, g_strstrip (colon + 1));
  else if (g_ascii_strcasecmp (line, "Retry-After") == 0)
    g_set_str (&transfer->retry_after, g_strstrip (colon + 1));
  return n;
}

static int
progress_cb (void       *user_data,
             curl_off_t  dltotal,
             curl_off_t  dlnow,
             curl_off_t  ultotal,
             curl_off_t  ulnow)
{
  FfHttp *http = user_data;

  (void) dltotal; (void) dlnow; (void) ultotal; (void) ulnow;
  if (http->progress != NULL && ! http->progress (http->progress_data))
    return 1;
  return 0;
}

/* The token travels in a header, never in a URL; but an output URL may be
 * pre-signed (a signature in its query), so queries are not logged.
 */
static void
log_exchange (const FfHttpRequest *request,
              CURLcode             code,
              glong                status,
              gsize                received,
              gint64               elapsed_us)
{
  const gchar *query;

  query = strchr (request->url, '?');
  ff_debug ("%s %.*s%s -> %s%ld, %" G_GSIZE_FORMAT " bytes sent, %"
            G_GSIZE_FORMAT " received, %.3f s%s%s",
            request->method,
            query ? (int) (query - request->url) : (int) strlen (request->url),
            request->url, query ? "?[query]" : "",
            code == CURLE_OK ? "HTTP " : "no answer, ",
            code == CURLE_OK ? status : (glong) code,
            request->body ? g_bytes_get_size (request->body)
                          : request->file ? g_bytes_get_size (request->file) : 0,
            received,
            elapsed_us / 1e6, code == CURLE_OK ? "" : ": ",
            code == CURLE_OK ? "" : curl_easy_strerror (code));
}

gboolean
ff_http_host_is_loopback (const gchar *host)
{
  return (g_strcmp0 (host, "127.0.0.1") == 0 ||
          g_ascii_strcasecmp (host ? host : "", "localhost") == 0 ||
          g_strcmp0 (host, "::1") == 0 ||
          g_strcmp0 (host, "[::1]") == 0);
}

const gchar *
ff_http_redirect_protocols (const gchar *url)
{
  return g_ascii_strncasecmp (url, "https:", 6) == 0 ? "https" : "http,https";
}

gboolean
ff_http_request_left (FfHttp *http)
{
  return http->request_left;
}

/* Whether @url names this machine: then no proxy may see the request,
 * whatever http_proxy or ALL_PROXY say (plain http carries the token in
 * clear, and only ever to loopback).
 */
static gboolean
url_is_loopback (const gchar *url)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);

  return uri != NULL && ff_http_host_is_loopback (g_uri_get_host (uri));
}

gboolean
ff_http_error_is_transient (const GError *error)
{
  if (error == NULL || error->domain != FF_CURL_ERROR)
    return FALSE;
  switch ((CURLcode) error->code)
    {
    case CURLE_COULDNT_CONNECT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return TRUE;
    default:
      return FALSE;
    }
}

gboolean
ff_http_error_is_timeout (const GError *error)
{
  return g_error_matches (error, FF_CURL_ERROR, CURLE_OPERATION_TIMEDOUT);
}

gdouble
ff_http_retry_after (const gchar *value,
                     gdouble      fallback,
                     gdouble      max)
{
  gint64 seconds;
  time_t when;

  if (value == NULL)
    return fallback;
  if (g_ascii_string_to_signed (value, 10, 0, G_MAXINT64, &seconds, NULL))
    return MIN ((gdouble) seconds, max);
  when = curl_getdate (value, NULL);
  if (when == -1)
    return fallback;
  return CLAMP ((gdouble) (when - time (NULL)), 0.0, max);
}

/* Whether the server may have acted on the request: it was sent whole.
 * A connection that never opened, or broke before the last byte of the
 * body left, cannot have made anything on the other side.
 */
static gboolean
request_left (CURL                *curl,
              CURLcode             code,
              const FfHttpRequest *request)
{
  curl_off_t uploaded = 0;
  glong      header_bytes = 0;
  gsize      body = 0;

  if (code == CURLE_OK)
    return TRUE;
  if (code == CURLE_COULDNT_RESOLVE_HOST || code == CURLE_COULDNT_RESOLVE_PROXY ||
      code == CURLE_COULDNT_CONNECT || code == CURLE_SSL_CONNECT_ERROR ||
      code == CURLE_PEER_FAILED_VERIFICATION)
    return FALSE;
  curl_easy_getinfo (curl, CURLINFO_REQUEST_SIZE, &header_bytes);
  curl_easy_getinfo (curl, CURLINFO_SIZE_UPLOAD_T, &uploaded);
  if (request->file != NULL)
    return header_bytes > 0;   /* multipart: its size is libcurl's */
  if (request->body != NULL)
    body = g_bytes_get_size (request->body);
  return header_bytes > 0 && (gsize) uploaded >= body;
}

FfHttpResponse *
ff_http_send (FfHttp               *http,
              const FfHttpRequest  *request,
              GError              **error)
{
  g_autoptr(CurlSlist)      headers = NULL;
  g_autoptr(curl_mime)      form = NULL;
  g_autoptr(GByteArray)     body = g_byte_array_new ();
  g_autofree gchar         *content_type = NULL;
  FfHttpResponse           *response;
  Transfer                  transfer = { body, request->max_response, FALSE, NULL, NULL };
  char                      curl_message[CURL_ERROR_SIZE] = "";
  CURL                     *curl = http->curl;
  CURLcode                  code;
  glong                     status = 0;
  gint64                    start;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  g_return_val_if_fail (request->url != NULL && request->method != NULL, NULL);

  curl_easy_reset (curl);
  curl_easy_setopt (curl, CURLOPT_URL, request->url);
  curl_easy_setopt (curl, CURLOPT_PROTOCOLS_STR, "http,https");
  /* A redirect never downgrades https; plain http is only ever loopback. */
  curl_easy_setopt (curl, CURLOPT_REDIR_PROTOCOLS_STR, ff_http_redirect_protocols (request->url));
  if (url_is_loopback (request->url))
    curl_easy_setopt (curl, CURLOPT_NOPROXY, "*");
  curl_easy_setopt (curl, CURLOPT_USERAGENT, http->user_agent);
  curl_easy_setopt (curl, CURLOPT_ERRORBUFFER, curl_message);
  curl_easy_setopt (curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (curl, CURLOPT_CONNECTTIMEOUT, (long) CONNECT_TIMEOUT_SECONDS);
  curl_easy_setopt (curl, CURLOPT_TIMEOUT, request->timeout_seconds);
  curl_easy_setopt (curl, CURLOPT_LOW_SPEED_LIMIT, STALL_BYTES_PER_SECOND);
  curl_easy_setopt (curl, CURLOPT_LOW_SPEED_TIME,
                    request->stall_seconds > 0 ? request->stall_seconds : STALL_SECONDS_DEFAULT);
  curl_easy_setopt (curl, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, write_cb);
  curl_easy_setopt (curl, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt (curl, CURLOPT_HEADERFUNCTION, header_cb);
  curl_easy_setopt (curl, CURLOPT_HEADERDATA, &transfer);
  curl_easy_setopt (curl, CURLOPT_XFERINFOFUNCTION, progress_cb);
  curl_easy_setopt (curl, CURLOPT_XFERINFODATA, http);
  curl_easy_setopt (curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt (curl, CURLOPT_FRESH_CONNECT, request->send_once ? 1L : 0L);
  if (request->follow_redirects)
    {
      curl_easy_setopt (curl, CURLOPT_FOLLOWLOCATION, 1L);
      curl_easy_setopt (curl, CURLOPT_MAXREDIRS, 5L);
    }
  if (request->bearer_token != NULL)
    {
      /* libcurl's own bearer support: never re-sent to another host. */
      curl_easy_setopt (curl, CURLOPT_HTTPAUTH, (long) CURLAUTH_BEARER);
      curl_easy_setopt (curl, CURLOPT_XOAUTH2_BEARER, request->bearer_token);
    }

  headers = curl_slist_append (headers, "Accept: application/json, image/*;q=0.9, */*;q=0.5");
  if (request->header != NULL)
    headers = curl_slist_append (headers, request->header);
  if (request->key_header != NULL && ! request->follow_redirects)
    headers = curl_slist_append (headers, request->key_header);
  if (request->file != NULL)
    {
      gsize         size = 0;
      gconstpointer data = g_bytes_get_data (request->file, &size);
      curl_mimepart *part;

      form = curl_mime_init (curl);
      part = curl_mime_addpart (form);
      curl_mime_name (part, "content");
      curl_mime_data (part, data, size);
      curl_mime_filename (part, request->file_name);
      curl_mime_type (part, request->file_type);
      part = curl_mime_addpart (form);
      curl_mime_name (part, "filename");
      curl_mime_data (part, request->file_name, CURL_ZERO_TERMINATED);
      part = curl_mime_addpart (form);
      curl_mime_name (part, "type");
      curl_mime_data (part, request->file_type, CURL_ZERO_TERMINATED);
      headers = curl_slist_append (headers, "Expect:");
      curl_easy_setopt (curl, CURLOPT_MIMEPOST, form);
    }
  else if (g_strcmp0 (request->method, "POST") == 0)
    {
      gsize         size = 0;
      gconstpointer data = request->body ? g_bytes_get_data (request->body, &size) : "";

      content_type = g_strconcat ("Content-Type: ",
                                  request->content_type ? request->content_type
                                                        : "application/json", NULL);
      headers = curl_slist_append (headers, content_type);
      /* No "Expect: 100-continue" round trip for large bodies. */
      headers = curl_slist_append (headers, "Expect:");
      curl_easy_setopt (curl, CURLOPT_POST, 1L);
      curl_easy_setopt (curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) size);
      curl_easy_setopt (curl, CURLOPT_POSTFIELDS, data);
    }
  else
    {
      curl_easy_setopt (curl, CURLOPT_HTTPGET, 1L);
    }
  curl_easy_setopt (curl, CURLOPT_HTTPHEADER, headers);

  start = g_get_monotonic_time ();
  http->request_left = FALSE;
  code = curl_easy_perform (curl);
  /* The handle must not keep pointers into this frame. */
  curl_easy_setopt (curl, CURLOPT_HTTPHEADER, NULL);
  curl_easy_setopt (curl, CURLOPT_MIMEPOST, NULL);
  curl_easy_setopt (curl, CURLOPT_ERRORBUFFER, NULL);

  curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &status);
  http->request_left = request_left (curl, code, request);
  log_exchange (request, code, status, transfer.body->len, g_get_monotonic_time () - start);
  if (code != CURLE_OK)
    {
      if (code == CURLE_ABORTED_BY_CALLBACK)
        g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                             _("cancelled"));
      else if (transfer.too_large)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                     _("the response is larger than %" PRIu64 " bytes"),
                     (guint64) request->max_response);
      else
        g_set_error (error, FF_CURL_ERROR, (gint) code, "%s",
                     *curl_message ? curl_message : curl_easy_strerror (code));
      g_free (transfer.content_type);
      g_free (transfer.retry_after);
      return NULL;
    }

  response = g_new0 (FfHttpResponse, 1);
  response->status = status;
  response->body = g_byte_array_free_to_bytes (g_steal_pointer (&body));
  response->content_type = transfer.content_type;
  response->retry_after = transfer.retry_after;
  return response;
}
