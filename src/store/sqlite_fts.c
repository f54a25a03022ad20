/* The `rapport` FTS5 tokenizer: overlapping bigrams of code points within runs of
 * non-space characters (a run of one code point is a unigram), ASCII folded to lower
 * case. A query phrase tokenized the same way matches exactly where it is a substring
 * of the text, in any script — Chinese has no spaces, so word tokenizers cannot find
 * 客户 inside 重要客户名单, and this can. In the indexed text, each character of three
 * or more UTF-8 bytes (CJK and the other scripts written without spaces) is also a
 * unigram at the position of its bigram (FTS5_TOKEN_COLOCATED: phrases keep their
 * positions), so one Chinese character — a surname, 王 — is found too. */
#include "core/common.h"

#include <sqlite3.h>

#include "core/log.h"
#include "store/store_int.h"

static int tok_create(void *ctx, const char **argv, int argc, Fts5Tokenizer **out)
{
    (void)ctx;
    (void)argv;
    (void)argc;
    static int dummy;
    *out = (Fts5Tokenizer *)&dummy;
    return SQLITE_OK;
}

static void tok_delete(Fts5Tokenizer *t)
{
    (void)t;
}

static size_t cp_len(unsigned char c)
{
    if (c < 0x80)
        return 1;
    if (c >= 0xF0)
        return 4;
    if (c >= 0xE0)
        return 3;
    if (c >= 0xC0)
        return 2;
    return 1;
}

static bool is_space(unsigned char c)
{
    return c <= ' ' || c == 0x7F;
}

#define MAX_TOKEN 8 /* two code points of at most 4 bytes */

static int tok_tokenize(Fts5Tokenizer *t, void *ctx, int flags, const char *text, int n,
                        int (*emit)(void *, int, const char *, int, int, int))
{
    (void)t;
    (void)flags;
    const unsigned char *p = (const unsigned char *)text;
    int i = 0;
    while (i < n) {
        while (i < n && is_space(p[i]))
            i++;
        if (i >= n)
            break;
        int run_start = i;
        int prev = -1, prev_len = 0;
        bool emitted = false;
        bool unigrams = !(flags & FTS5_TOKENIZE_QUERY);
        while (i < n && !is_space(p[i])) {
            int len = (int)cp_len(p[i]);
            if (i + len > n)
                len = n - i;
            if (prev >= 0) {
                char tok[MAX_TOKEN];
                int tl = 0;
                for (int k = 0; k < prev_len + len; k++) {
                    unsigned char ch = p[prev + k];
                    tok[tl++] = (char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
                }
                int rc = emit(ctx, 0, tok, tl, prev, i + len);
                /* The first character alone, where the bigram it starts is. */
                if (rc == SQLITE_OK && unigrams && prev_len >= 3)
                    rc = emit(ctx, FTS5_TOKEN_COLOCATED, tok, prev_len, prev, prev + prev_len);
                /* The last character of the run, with the last bigram. */
                bool last = i + len >= n || is_space(p[i + len]);
                if (rc == SQLITE_OK && unigrams && len >= 3 && last)
                    rc = emit(ctx, FTS5_TOKEN_COLOCATED, tok + prev_len, len, i, i + len);
                if (rc != SQLITE_OK)
                    return rc;
                emitted = true;
            }
            prev = i;
            prev_len = len;
            i += len;
        }
        if (!emitted) {
            char tok[MAX_TOKEN];
            int tl = 0;
            for (int k = run_start; k < i && tl < MAX_TOKEN; k++) {
                unsigned char ch = p[k];
                tok[tl++] = (char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
            }
            int rc = emit(ctx, 0, tok, tl, run_start, i);
            if (rc != SQLITE_OK)
                return rc;
        }
    }
    return SQLITE_OK;
}

enum rp_err store__sqlite_register_tokenizer(sqlite3 *db)
{
    fts5_api *api = NULL;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) != SQLITE_OK) {
        LOG(LOG_ERROR, "this SQLite has no FTS5");
        return RP_EDB;
    }
    sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
    sqlite3_step(st);
    sqlite3_finalize(st);
    if (!api)
        return RP_EDB;
    static fts5_tokenizer tok = {tok_create, tok_delete, tok_tokenize};
    if (api->xCreateTokenizer(api, "rapport", NULL, &tok, NULL) != SQLITE_OK)
        return RP_EDB;
    return RP_OK;
}
