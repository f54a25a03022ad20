/* Suggestions while a text is typed (a case's subject) and the count of views. A text
 * becomes words: runs of ASCII letters and digits (two or more, the commonest English
 * words left out), and in runs of other letters — Chinese, written without spaces —
 * each pair of neighbouring characters, or the one character of a run of one, so
 * 打印机无法连接 finds an article about 打印机 or 连接. */
#include "core/common.h"

#include "core/text.h"
#include "mod/kb/kb.h"

/* Words too common to tell articles apart. */
static const char *const STOP[] = {"the", "and", "for", "with", "not", "can", "cannot", "how",
                                   "what", "why", "you", "your", "are", "was", "from", "this",
                                   "that", "into", "does", "doesn", "don", "is", "it", "to",
                                   "of", "in", "on", "an", "my", "no", "do", "or", "be", "at",
                                   "as", "by", "we", "me", "if", "so", "up", NULL};

/* Characters of one run of wide characters looked at together. */
#define KB_RUN 64

static bool stop_word(const char *p, size_t len)
{
    for (size_t i = 0; STOP[i]; i++)
        if (strlen(STOP[i]) == len && strncasecmp(STOP[i], p, len) == 0)
            return true;
    return false;
}

/* Separators among the characters that are not ASCII: CJK punctuation and full-width
 * forms of ASCII punctuation and spaces. */
static bool wide_separator(uint32_t cp)
{
    return (cp >= 0x3000 && cp <= 0x303f) || (cp >= 0xff00 && cp <= 0xff0f) ||
           (cp >= 0xff1a && cp <= 0xff20) || (cp >= 0xff3b && cp <= 0xff40) ||
           (cp >= 0xff5b && cp <= 0xff65) || cp == 0x00a0 || (cp >= 0x2000 && cp <= 0x206f) ||
           cp == 0xfffd;
}

static bool ascii_alnum(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
}

static bool add_term(struct rp_str *terms, size_t *n, size_t max, const char *p, size_t len)
{
    for (size_t i = 0; i < *n; i++)
        if (terms[i].len == len && strncasecmp(terms[i].p, p, len) == 0)
            return true;
    if (*n == max)
        return false;
    terms[(*n)++] = (struct rp_str){p, len};
    return true;
}

size_t kb_suggest_terms(struct rp_str text, struct rp_str *terms, size_t max)
{
    size_t n = 0, i = 0;
    while (i < text.len && n < max) {
        unsigned char c = (unsigned char)text.p[i];
        if (c < 0x80) {
            size_t j = i;
            while (j < text.len && ascii_alnum(text.p[j]))
                j++;
            if (j - i >= 2 && !stop_word(text.p + i, j - i) &&
                !add_term(terms, &n, max, text.p + i, j - i))
                break;
            i = j > i ? j : i + 1;
            continue;
        }
        /* A run of wide characters (at most KB_RUN of them: the rest starts another):
         * its pairs, or its one character. */
        size_t at[KB_RUN + 1], cnt = 0, k = i;
        while (k < text.len && (unsigned char)text.p[k] >= 0x80 && cnt < KB_RUN) {
            size_t here = k;
            if (wide_separator(text_utf8_next(text.p, text.len, &k))) {
                k = cnt ? here : k;
                break;
            }
            at[cnt++] = here;
        }
        at[cnt] = k;
        for (size_t m = 0; m + 1 < cnt; m++)
            if (!add_term(terms, &n, max, text.p + at[m], at[m + 2] - at[m]))
                break;
        if (cnt == 1 && k - at[0] >= 3)
            add_term(terms, &n, max, text.p + at[0], k - at[0]);
        i = k > i ? k : i + 1;
    }
    return n;
}

enum rp_err kb_suggest(struct rec_ctx *ctx, struct rp_str text, const char *language,
                       size_t limit, struct rec **rows, size_t *n)
{
    if (text.len > RP_MAX_SEARCH_QUERY)
        return rec_bad_request(ctx, "search text is longer than %u bytes", RP_MAX_SEARCH_QUERY);
    struct rp_str terms[KB_MAX_SUGGEST_TERMS];
    size_t nterms = kb_suggest_terms(text, terms, KB_MAX_SUGGEST_TERMS);
    *rows = NULL;
    *n = 0;
    if (nterms == 0)
        return RP_OK; /* nothing to go on yet: no suggestions */
    return kb__sql_suggest(ctx, terms, nterms, language, limit, rows, n);
}

enum rp_err kb_view(struct rec_ctx *ctx, struct rp_str id, int64_t *views)
{
    enum rp_err err = rec_tx_begin(ctx);
    struct rec art;
    if (!err)
        err = rec_get(ctx, meta_need("kb_articles"), id, &art);
    if (!err)
        err = kb__sql_add_view(ctx, art.id, views);
    return rec_tx_end(ctx, err);
}
