/* The IMAP side of reading a mailbox, through one libcurl handle (one connection, its
 * folder selected once): the folder's UIDVALIDITY and UIDNEXT (EXAMINE), the UIDs,
 * flags and sizes of a range of messages, one message by UID (its header alone when it
 * is too large), and \Seen taken back from the messages this reading marked. */
#include "core/common.h"

#include <curl/curl.h>

#include "mod/mail/imap.h"

/* The untagged lines of one command's answer kept at most (a range's FETCH lines). */
#define MAX_ANSWER (4u * 1024u * 1024u)

static size_t write_cb(char *data, size_t size, size_t n, void *arg)
{
    struct rp_buf *b = arg;
    return buf_add(b, data, size * n) == RP_OK ? size * n : 0;
}

/* The folder as a URL path segment: every byte but unreserved ones percent-encoded. */
static void url_folder(const char *folder, char *out, size_t size)
{
    static const char HEX[] = "0123456789ABCDEF";
    size_t k = 0;
    for (const unsigned char *p = (const unsigned char *)folder; *p && k + 4 < size; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '.' || *p == '_' || *p == '~') {
            out[k++] = (char)*p;
        } else {
            out[k++] = '%';
            out[k++] = HEX[*p >> 4];
            out[k++] = HEX[*p & 15];
        }
    }
    out[k] = '\0';
}

bool imap_folder_valid(const char *s, size_t len)
{
    if (len == 0 || len > 200)
        return false;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f || s[i] == '"' ||
            s[i] == '\\')
            return false;
    return true;
}

/* A handle with the options of the reading. */
static enum rp_err handle(struct imap *m)
{
    const struct imap_conf *c = &m->conf;
    CURL *h = curl_easy_init();
    if (!h)
        return RP_ENOMEM;
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "imap,imaps");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_USE_SSL,
                     c->security == MAIL_SEC_NONE ? (long)CURLUSESSL_NONE : (long)CURLUSESSL_ALL);
    curl_easy_setopt(h, CURLOPT_USERNAME, c->user);
    curl_easy_setopt(h, CURLOPT_PASSWORD, c->password ? c->password : "");
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, (long)(c->timeout_s < 10 ? c->timeout_s : 10));
    /* A stalled server: less than 1 byte a second for the time-out ends the transfer. */
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, (long)c->timeout_s);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, m->err);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write_cb);
    m->h = h;
    return RP_OK;
}

enum rp_err imap_open(struct imap *m, const struct imap_conf *c)
{
    memset(m, 0, sizeof(*m));
    m->conf = *c;
    char folder[3 * 200 + 1];
    url_folder(c->folder, folder, sizeof(folder));
    snprintf(m->base, sizeof(m->base), "%s://%s:%lld/", c->security == MAIL_SEC_TLS ? "imaps" : "imap",
             c->host, (long long)c->port);
    snprintf(m->folder_url, sizeof(m->folder_url), "%s%s", m->base, folder);
    buf_init(&m->answer, MAX_ANSWER);
    return handle(m);
}

void imap_close(struct imap *m)
{
    if (m->h)
        curl_easy_cleanup(m->h);
    buf_release(&m->answer);
    m->h = NULL;
}

/* What a failed transfer means for the mailbox's owner. */
static enum imap_fail fail_of(CURLcode rc)
{
    switch (rc) {
    case CURLE_LOGIN_DENIED:
        return IMAP_LOGIN;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
        return IMAP_UNREACHABLE;
    case CURLE_OPERATION_TIMEDOUT:
        return IMAP_TIMEOUT;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_USE_SSL_FAILED:
        return IMAP_TLS;
    case CURLE_REMOTE_FILE_NOT_FOUND:
    case CURLE_QUOTE_ERROR:
        return IMAP_FOLDER;
    default:
        return IMAP_PROTOCOL;
    }
}

/* Runs one transfer: url, with a custom command or none; what it wrote is in out. */
static enum rp_err perform(struct imap *m, const char *url, const char *command, struct rp_buf *out)
{
    buf_reset(out);
    m->err[0] = '\0';
    curl_easy_setopt(m->h, CURLOPT_URL, url);
    curl_easy_setopt(m->h, CURLOPT_CUSTOMREQUEST, command);
    curl_easy_setopt(m->h, CURLOPT_WRITEDATA, out);
    CURLcode rc = curl_easy_perform(m->h);
    if (rc == CURLE_OK)
        return RP_OK;
    m->fail = fail_of(rc);
    if (!m->err[0])
        snprintf(m->err, sizeof(m->err), "%s", curl_easy_strerror(rc));
    return rc == CURLE_WRITE_ERROR ? RP_ETOOBIG : RP_EIO;
}

/* The number after `key` in the answer ("UIDVALIDITY 3857529045"); false: none. */
static bool number_after(const char *s, const char *key, uint64_t *out)
{
    const char *p = strstr(s, key);
    if (!p)
        return false;
    p += strlen(key);
    while (*p == ' ')
        p++;
    if (*p < '0' || *p > '9')
        return false;
    uint64_t v = 0;
    for (; *p >= '0' && *p <= '9' && v <= UINT32_MAX; p++)
        v = v * 10 + (uint64_t)(*p - '0');
    *out = v;
    return v <= UINT32_MAX;
}

enum rp_err imap_examine(struct imap *m, uint32_t *uidvalidity, uint32_t *uidnext)
{
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "EXAMINE \"%s\"", m->conf.folder);
    enum rp_err err = perform(m, m->base, cmd, &m->answer);
    if (err)
        return err;
    const char *s = buf_cstr(&m->answer);
    uint64_t v, n;
    if (!number_after(s, "[UIDVALIDITY", &v) || !number_after(s, "[UIDNEXT", &n)) {
        /* A NO to EXAMINE is not a failed transfer for libcurl: the folder is missing. */
        m->fail = IMAP_FOLDER;
        snprintf(m->err, sizeof(m->err), "the server did not open folder %s", m->conf.folder);
        return RP_EIO;
    }
    *uidvalidity = (uint32_t)v;
    *uidnext = (uint32_t)n;
    return RP_OK;
}

enum rp_err imap_range(struct imap *m, uint32_t from, uint32_t to, struct arena *a,
                       struct imap_item **items, size_t *n)
{
    char cmd[96];
    snprintf(cmd, sizeof(cmd), "UID FETCH %u:%u (UID FLAGS RFC822.SIZE)", from, to);
    enum rp_err err = perform(m, m->folder_url, cmd, &m->answer);
    *n = 0;
    if (err)
        return err;
    const char *s = buf_cstr(&m->answer);
    size_t lines = 0;
    for (const char *p = s; (p = strchr(p, '\n')); p++)
        lines++;
    *items = arena_calloc(a, lines + 1, sizeof(**items));
    for (const char *line = s; *line;) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        char *l = arena_strndup(a, line, len);
        uint64_t uid, size;
        if (strstr(l, " FETCH (") && number_after(l, "UID", &uid) && uid >= from && uid <= to) {
            struct imap_item *it = &(*items)[(*n)++];
            it->uid = (uint32_t)uid;
            it->size = number_after(l, "RFC822.SIZE", &size) ? (size_t)size : 0;
            const char *flags = strstr(l, "FLAGS (");
            const char *close = flags ? strchr(flags, ')') : NULL;
            const char *seen = flags ? strstr(flags, "\\Seen") : NULL;
            it->seen = seen && close && seen < close;
        }
        line += len + (nl ? 1 : 0);
    }
    return RP_OK;
}

enum rp_err imap_fetch(struct imap *m, uint32_t uidvalidity, uint32_t uid, bool header_only,
                       struct rp_buf *out)
{
    char url[sizeof(m->folder_url) + 80];
    snprintf(url, sizeof(url), "%s;UIDVALIDITY=%u/;UID=%u%s", m->folder_url, uidvalidity, uid,
             header_only ? "/;SECTION=HEADER" : "");
    return perform(m, url, NULL, out);
}

enum rp_err imap_unsee(struct imap *m, const uint32_t *uids, size_t n)
{
    struct rp_buf cmd;
    buf_init(&cmd, 64u * 1024u);
    enum rp_err err = RP_OK;
    for (size_t i = 0; i < n && !err;) {
        buf_reset(&cmd);
        err = buf_adds(&cmd, "UID STORE ");
        /* a few thousand UIDs a command: far below any server's line limit */
        for (size_t k = 0; !err && i < n && k < 2000; k++, i++)
            err = buf_printf(&cmd, "%s%u", k ? "," : "", uids[i]);
        if (!err)
            err = buf_adds(&cmd, " -FLAGS.SILENT (\\Seen)");
        if (!err)
            err = perform(m, m->folder_url, buf_cstr(&cmd), &m->answer);
    }
    buf_release(&cmd);
    return err;
}
