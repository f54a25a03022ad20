/* The message builder: headers that no user input can break (values with CR, LF or
 * other controls are refused before they get here, and checked again), RFC 2047
 * encoded-words for text that is not ASCII, RFC 5322 dates, and MIME bodies in UTF-8
 * as quoted-printable or base64, alone or as multipart/alternative (with an invitation's
 * text/calendar part, RFC 6047). */
#include "core/common.h"

#include <sodium.h>
#include <time.h>

#include "core/ids.h"
#include "mod/mail/mail.h"

/* Header lines are folded before this many characters (RFC 5322 §2.1.1 says 78). */
#define LINE_MAX_CHARS 76
/* Bytes of text one encoded-word carries: "=?UTF-8?B?" + base64 of 45 bytes (60) + "?="
 * is 72, within the 75 RFC 2047 allows. */
#define WORD_BYTES 45

bool mail_header_safe(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
            return false;
    }
    return true;
}

bool mail_addr_valid(const char *addr, size_t len)
{
    if (len < 3 || len > MAIL_MAX_ADDRESS)
        return false;
    size_t at = len;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)addr[i];
        if (ch <= 0x20 || ch >= 0x7f || strchr("<>()[]\\,;:\"", ch))
            return false;
        if (ch == '@') {
            if (at != len)
                return false;
            at = i;
        }
    }
    if (at == 0 || at >= len - 1)
        return false;
    /* The domain: labels of letters, digits and hyphens, at least one dot. */
    bool dot = false;
    for (size_t i = at + 1; i < len; i++) {
        char ch = addr[i];
        if (ch == '.') {
            if (i == at + 1 || addr[i - 1] == '.' || i == len - 1)
                return false;
            dot = true;
        } else if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                     (ch >= '0' && ch <= '9') || ch == '-')) {
            return false;
        }
    }
    return dot;
}

static const char *trim(const char *s, size_t *len)
{
    while (*len && (*s == ' ' || *s == '\t')) {
        s++;
        (*len)--;
    }
    while (*len && (s[*len - 1] == ' ' || s[*len - 1] == '\t'))
        (*len)--;
    return s;
}

enum rp_err mail_parse_addrs(struct arena *a, const char *list, size_t len, size_t max,
                             struct mail_addr **out, size_t *n)
{
    *n = 0;
    *out = arena_calloc(a, max ? max : 1, sizeof(**out));
    if (!mail_header_safe(list, len))
        return RP_EINVAL;
    size_t i = 0;
    while (i < len) {
        size_t j = i;
        bool quoted = false;
        while (j < len && (quoted || list[j] != ',')) {
            if (list[j] == '"')
                quoted = !quoted;
            j++;
        }
        size_t plen = j - i;
        const char *p = trim(list + i, &plen);
        i = j + 1;
        if (plen == 0)
            continue;
        if (*n == max)
            return RP_ETOOBIG;
        struct mail_addr *m = &(*out)[(*n)++];
        const char *lt = memchr(p, '<', plen);
        if (!lt) {
            if (!mail_addr_valid(p, plen))
                return RP_EINVAL;
            m->addr = arena_strndup(a, p, plen);
            continue;
        }
        if (p[plen - 1] != '>')
            return RP_EINVAL;
        size_t alen = (size_t)(p + plen - 1 - (lt + 1));
        if (!mail_addr_valid(lt + 1, alen))
            return RP_EINVAL;
        m->addr = arena_strndup(a, lt + 1, alen);
        size_t nlen = (size_t)(lt - p);
        const char *name = trim(p, &nlen);
        if (nlen >= 2 && name[0] == '"' && name[nlen - 1] == '"') {
            name++;
            nlen -= 2;
        }
        if (memchr(name, '"', nlen) || memchr(name, '\\', nlen))
            return RP_EINVAL;
        m->name = nlen ? arena_strndup(a, name, nlen) : NULL;
    }
    return RP_OK;
}

void mail_date(int64_t ms, char *buf, size_t size)
{
    static const char *const DAYS[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const MONTHS[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(buf, size, "%s, %02d %s %04d %02d:%02d:%02d +0000", DAYS[tm.tm_wday % 7],
             tm.tm_mday, MONTHS[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
             tm.tm_sec);
}

static bool plain_ascii(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] >= 0x7f || (unsigned char)s[i] < 0x20)
            return false;
    /* Text that looks like an encoded-word would be decoded by readers: encode it. */
    for (size_t i = 0; i + 1 < len; i++)
        if (s[i] == '=' && s[i + 1] == '?')
            return false;
    return true;
}

/* How many bytes of s (at most max) end on a character boundary; 0 when the first
 * character is longer than max. */
static size_t utf8_cut(const char *s, size_t len, size_t max)
{
    if (len <= max)
        return len;
    size_t k = max;
    while (k > 0 && ((unsigned char)s[k] & 0xc0) == 0x80)
        k--;
    return k;
}

enum rp_err mail_add_encoded(struct rp_buf *b, const char *text, size_t col)
{
    size_t len = strlen(text);
    enum rp_err err = RP_OK;
    if (plain_ascii(text, len)) {
        /* Folded at spaces: a line break before the last space that keeps the line
         * within the limit (a word longer than a line stays whole). */
        size_t start = 0, c = col, sp = SIZE_MAX;
        for (size_t i = 0; i < len && !err; i++) {
            if (text[i] == ' ' && i > start)
                sp = i;
            if (c + (i - start) >= LINE_MAX_CHARS && sp != SIZE_MAX) {
                err = buf_add(b, text + start, sp - start);
                if (!err)
                    err = buf_adds(b, "\r\n");
                start = sp;
                sp = SIZE_MAX;
                c = 0;
            }
        }
        return err ? err : buf_add(b, text + start, len - start);
    }
    char word[sodium_base64_ENCODED_LEN(WORD_BYTES, sodium_base64_VARIANT_ORIGINAL)];
    size_t i = 0;
    bool first = true;
    while (i < len && !err) {
        /* As many whole characters as fit on this line (a space before all but the
         * first word, 12 for "=?UTF-8?B?" and "?="), else the word starts a new line. */
        size_t room = LINE_MAX_CHARS > col + 13 ? LINE_MAX_CHARS - col - 13 : 0;
        size_t k = utf8_cut(text + i, len - i, room / 4 * 3 < WORD_BYTES ? room / 4 * 3 : WORD_BYTES);
        if (k == 0 || (k < len - i && room < 16)) {
            err = buf_adds(b, "\r\n ");
            col = 1;
            first = true;
            continue;
        }
        sodium_bin2base64(word, sizeof(word), (const unsigned char *)text + i, k,
                          sodium_base64_VARIANT_ORIGINAL);
        if (!first) {
            err = buf_addc(b, ' ');
            col++;
        }
        if (!err)
            err = buf_printf(b, "=?UTF-8?B?%s?=", word);
        col += 12 + strlen(word);
        first = false;
        i += k;
    }
    return err;
}

/* Whether a name needs quotes as a phrase (RFC 5322 specials). */
static bool needs_quotes(const char *s)
{
    for (; *s; s++)
        if (strchr("()<>[]:;@\\,.\"", *s))
            return true;
    return false;
}

static enum rp_err add_address(struct rp_buf *b, const struct mail_addr *m, size_t *col)
{
    enum rp_err err = RP_OK;
    size_t start = b->len;
    if (m->name && m->name[0]) {
        if (!mail_header_safe(m->name, strlen(m->name)))
            return RP_EINVAL;
        if (plain_ascii(m->name, strlen(m->name)) && needs_quotes(m->name)) {
            if (strchr(m->name, '"') || strchr(m->name, '\\'))
                return RP_EINVAL;
            err = buf_printf(b, "\"%s\"", m->name);
        } else {
            err = mail_add_encoded(b, m->name, *col);
        }
        if (!err)
            err = buf_addc(b, ' ');
    }
    if (!err && !mail_addr_valid(m->addr, strlen(m->addr)))
        err = RP_EINVAL;
    if (!err)
        err = buf_printf(b, "<%s>", m->addr);
    /* The column after it: past the last line break the name's encoding made. */
    const char *nl = NULL;
    for (size_t i = start; i < b->len; i++)
        if (b->p[i] == '\n')
            nl = b->p + i;
    *col = nl ? (size_t)(b->p + b->len - nl - 1) : *col + (b->len - start);
    return err;
}

static enum rp_err add_address_header(struct rp_buf *b, const char *name,
                                      const struct mail_addr *list, size_t n)
{
    if (n == 0)
        return RP_OK;
    enum rp_err err = buf_printf(b, "%s: ", name);
    size_t col = strlen(name) + 2;
    for (size_t i = 0; i < n && !err; i++) {
        if (i) {
            err = buf_adds(b, ",\r\n ");
            col = 1;
        }
        if (!err)
            err = add_address(b, &list[i], &col);
    }
    return err ? err : buf_adds(b, "\r\n");
}

/* Whether a body is better sent as base64: mostly bytes that are not ASCII (Chinese),
 * which quoted-printable would triple. */
static bool mostly_8bit(const char *s)
{
    size_t hi = 0, n = 0;
    for (; s[n]; n++)
        hi += (unsigned char)s[n] >= 0x80;
    return hi * 3 > n;
}

/* The body as base64 in lines of 76, after its line ends became CRLF. */
static enum rp_err add_base64(struct rp_buf *b, const char *s)
{
    struct rp_buf crlf;
    buf_init(&crlf, MAIL_MAX_MESSAGE);
    enum rp_err err = RP_OK;
    for (size_t i = 0; s[i] && !err; i++) {
        if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r'))
            err = buf_addc(&crlf, '\r');
        if (!err)
            err = buf_addc(&crlf, s[i]);
    }
    char line[sodium_base64_ENCODED_LEN(57, sodium_base64_VARIANT_ORIGINAL)];
    for (size_t i = 0; i < crlf.len && !err; i += 57) {
        size_t k = crlf.len - i < 57 ? crlf.len - i : 57;
        sodium_bin2base64(line, sizeof(line), (const unsigned char *)crlf.p + i, k,
                          sodium_base64_VARIANT_ORIGINAL);
        err = buf_printf(b, "%s\r\n", line);
    }
    buf_release(&crlf);
    return err;
}

/* The body as quoted-printable (RFC 2045 §6.7): lines of at most 76 with soft breaks,
 * '=' and bytes outside printable ASCII encoded, spaces before a line end encoded, and a
 * dot starting a line encoded so no SMTP server reads it as the end. */
static enum rp_err add_qp(struct rp_buf *b, const char *s)
{
    enum rp_err err = RP_OK;
    size_t col = 0;
    for (size_t i = 0; s[i] && !err; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '\r' && s[i + 1] == '\n')
            continue;
        if (ch == '\n') {
            err = buf_adds(b, "\r\n");
            col = 0;
            continue;
        }
        bool at_end = s[i + 1] == '\0' || s[i + 1] == '\n' || s[i + 1] == '\r';
        bool enc = ch == '=' || ch >= 0x7f || (ch < 0x20 && ch != '\t') ||
                   ((ch == ' ' || ch == '\t') && at_end) || (ch == '.' && col == 0);
        size_t w = enc ? 3 : 1;
        if (col + w > 75) {
            err = buf_adds(b, "=\r\n");
            col = 0;
        }
        if (!err)
            err = enc ? buf_printf(b, "=%02X", ch) : buf_addc(b, (char)ch);
        col += w;
    }
    return err ? err : buf_adds(b, "\r\n");
}

static enum rp_err add_part(struct rp_buf *b, const char *type, const char *body)
{
    bool b64 = mostly_8bit(body);
    enum rp_err err = buf_printf(b,
                                 "Content-Type: %s; charset=UTF-8\r\n"
                                 "Content-Transfer-Encoding: %s\r\n\r\n",
                                 type, b64 ? "base64" : "quoted-printable");
    return err ? err : b64 ? add_base64(b, body) : add_qp(b, body);
}

/* The content type of an iCalendar object's part, "text/calendar; method=REQUEST", from
 * its METHOD line (letters and dashes, RFC 5546); false when it has none. */
static bool calendar_type(const char *cal, char *buf, size_t size)
{
    const char *p = cal;
    while (p && strncmp(p, "METHOD:", 7) != 0) {
        p = strchr(p, '\n');
        p = p ? p + 1 : NULL;
    }
    if (!p)
        return false;
    size_t n = strspn(p + 7, "ABCDEFGHIJKLMNOPQRSTUVWXYZ-");
    if (n == 0 || n > 20 || (p[7 + n] != '\r' && p[7 + n] != '\n'))
        return false;
    snprintf(buf, size, "text/calendar; method=%.*s", (int)n, p + 7);
    return true;
}

enum rp_err mail_build(struct rp_buf *out, const struct mail_msg *m)
{
    if (!m->subject || !mail_header_safe(m->subject, strlen(m->subject)) || !m->message_id ||
        !mail_header_safe(m->message_id, strlen(m->message_id)) || (!m->text && !m->html) ||
        (m->in_reply_to && !mail_header_safe(m->in_reply_to, strlen(m->in_reply_to))))
        return RP_EINVAL;
    char date[40];
    mail_date(m->date_ms, date, sizeof(date));
    enum rp_err err = add_address_header(out, "From", &m->from, 1);
    if (!err)
        err = add_address_header(out, "To", m->to, m->nto);
    if (!err)
        err = add_address_header(out, "Cc", m->cc, m->ncc);
    if (!err)
        err = buf_adds(out, "Subject: ");
    if (!err)
        err = mail_add_encoded(out, m->subject, 9);
    if (!err)
        err = buf_printf(out,
                         "\r\nDate: %s\r\nMessage-ID: %s\r\nMIME-Version: 1.0\r\n", date,
                         m->message_id);
    /* Threading (RFC 5322 section 3.6.4): the parent alone, whose own References the
     * record does not keep. */
    if (!err && m->in_reply_to)
        err = buf_printf(out, "In-Reply-To: %s\r\nReferences: %s\r\n", m->in_reply_to,
                         m->in_reply_to);
    if (!err && m->automatic)
        err = buf_adds(out, "Auto-Submitted: auto-replied\r\n");
    if (err)
        return err;
    char ctype[64];
    if (m->calendar && !calendar_type(m->calendar, ctype, sizeof(ctype)))
        return RP_EINVAL;
    if (!m->calendar && (!m->text || !m->html))
        return m->text ? add_part(out, "text/plain", m->text) : add_part(out, "text/html", m->html);
    unsigned char rnd[12];
    char boundary[64] = "=_rapport_";
    err = ids_random(rnd, sizeof(rnd));
    if (err)
        return err;
    sodium_bin2hex(boundary + 10, sizeof(boundary) - 10, rnd, sizeof(rnd));
    err = buf_printf(out,
                     "Content-Type: multipart/alternative;\r\n boundary=\"%s\"\r\n\r\n"
                     "--%s\r\n",
                     boundary, boundary);
    if (!err && m->text)
        err = add_part(out, "text/plain", m->text);
    if (!err && m->text && m->html)
        err = buf_printf(out, "--%s\r\n", boundary);
    if (!err && m->html)
        err = add_part(out, "text/html", m->html);
    /* The calendar part last: the alternative a calendar program prefers (RFC 6047). */
    if (!err && m->calendar)
        err = buf_printf(out, "--%s\r\n", boundary);
    if (!err && m->calendar)
        err = add_part(out, ctype, m->calendar);
    if (!err)
        err = buf_printf(out, "--%s--\r\n", boundary);
    return err;
}
