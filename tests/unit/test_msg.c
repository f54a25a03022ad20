/* Unit tests for core/msg: Accept-Language, the conversion-specifier check, the
 * catalogues' look-up — and the check that keeps the catalogues complete. That check
 * reads every .c file under src/ (run from the repository root, as `make unit` does),
 * finds each message passed to a function that writes one for people (rec_field_error,
 * rec_bad_request, rec_fail, rec_fail_with, rec_msgf, api_problem, api_problemf, msg_tr,
 * notify_alert, notify_about,
 * the import readers' fail and card_error, or marked MSG("…")), and fails when one has
 * no Chinese translation in its directory's catalogue (or the engine's), when a
 * translation's specifiers differ, when an entry is used by nothing, or when a message
 * is not a literal and not listed in DYNAMIC below. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <sys/stat.h>

#include "api/api_int.h"
#include "core/buf.h"
#include "core/msg.h"
#include "engine/module.h"

/* ---- Accept-Language ---- */

static void test_accept_language(void **state)
{
    (void)state;
    static const struct {
        const char *h;
        enum rp_lang want;
    } CASES[] = {
        {NULL, RP_LANG_EN},
        {"", RP_LANG_EN},
        {"en", RP_LANG_EN},
        {"zh", RP_LANG_ZH},
        {"zh-CN", RP_LANG_ZH},
        {"ZH-cn", RP_LANG_ZH},
        {"zh-Hans", RP_LANG_ZH},
        {"zh-Hans-CN", RP_LANG_ZH},
        {"zh-Hant", RP_LANG_EN},        /* Traditional Chinese: not offered */
        {"zh-TW", RP_LANG_EN},
        {"zh-HK,zh-Hans;q=0.5", RP_LANG_ZH},
        {"zh-Hansx", RP_LANG_EN},
        {"zh-CN,zh;q=0.9,en;q=0.8", RP_LANG_ZH},
        {"en-US,en;q=0.9,zh-CN;q=0.8", RP_LANG_EN},
        {"en;q=0.5, zh-CN;q=0.8", RP_LANG_ZH},
        {"en;q=0.8, zh;q=0.8", RP_LANG_EN},  /* a tie: the first listed */
        {"fr-FR, zh;q=0.3", RP_LANG_ZH},     /* the one language offered that is asked */
        {"fr-FR, de", RP_LANG_EN},
        {"zh;q=0", RP_LANG_EN},              /* q=0: not acceptable */
        {"zh;q=0.000, en;q=0.1", RP_LANG_EN},
        {"*", RP_LANG_EN},
        {"*;q=0.5, zh-CN", RP_LANG_ZH},
        {"zh-CN;q=1.000", RP_LANG_ZH},
        {" zh-CN ; q=0.7 , en ; q=0.2", RP_LANG_ZH},
        {"zh-CN;level=1;q=0.9", RP_LANG_ZH},
        {"zh-CN;q=2", RP_LANG_EN},           /* malformed: the default */
        {"zh-CN;q=0.1234", RP_LANG_EN},
        {"zh-CN;q=", RP_LANG_EN},
        {"zh-CN;q", RP_LANG_EN},
        {"zh-CN;;", RP_LANG_EN},
        {",,,", RP_LANG_EN},
        {"zh-CN garbage", RP_LANG_EN},
        {"en-GB", RP_LANG_EN},
        {"english, zh", RP_LANG_ZH},         /* "english" is no English tag */
    };
    for (size_t i = 0; i < RP_NELEM(CASES); i++)
        if (msg_lang_parse(CASES[i].h) != CASES[i].want)
            fail_msg("Accept-Language \"%s\": want %s", CASES[i].h ? CASES[i].h : "(none)",
                     CASES[i].want == RP_LANG_ZH ? "zh" : "en");
}

/* A header of many ranges is read up to a limit, never past its end. */
static void test_accept_language_long(void **state)
{
    (void)state;
    struct rp_buf b;
    buf_init(&b, 1 << 16);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(buf_adds(&b, "fr;q=0.1, "), RP_OK);
    assert_int_equal(buf_adds(&b, "zh"), RP_OK);
    assert_int_equal(msg_lang_parse(buf_cstr(&b)), RP_LANG_EN);
    buf_release(&b);
}

/* ---- conversion specifiers ---- */

static void test_same_specs(void **state)
{
    (void)state;
    assert_true(msg_same_specs("is required", "为必填项"));
    assert_true(msg_same_specs("no %s with this id", "没有此 ID 的%s"));
    assert_true(msg_same_specs("%lld %s have no value", "%lld 条%s没有值"));
    assert_false(msg_same_specs("no %s named \"%.*s\"", "没有名为“%.*s”的%s"));
    assert_true(msg_same_specs("100%% sure: %d", "%d，百分之百"));
    assert_true(msg_same_specs("%u to %u", "%u 到 %u"));
    assert_false(msg_same_specs("%u to %u", "%u"));
    assert_false(msg_same_specs("%s", "%d"));
    assert_false(msg_same_specs("%d", "%lld"));
    assert_false(msg_same_specs("%s and %d", "%d 和 %s")); /* the order counts */
    assert_false(msg_same_specs("at most %u", "最多"));
    assert_false(msg_same_specs("plain", "%s"));
}

/* ---- look-up ---- */

static void test_lookup(void **state)
{
    (void)state;
    static const struct msg M[] = {{"is wrong", "不正确"}, {"must be %d", "必须是 %d"}};
    static const struct msg_catalog C = {M, RP_NELEM(M)};
    msg_add(&C);
    msg_add(&C); /* kept once */
    assert_string_equal(msg_tr(RP_LANG_ZH, "is wrong"), "不正确");
    assert_string_equal(msg_tr(RP_LANG_EN, "is wrong"), "is wrong");
    assert_string_equal(msg_tr(RP_LANG_ZH, "must be %d"), "必须是 %d");
    const char *unknown = "not in any catalogue";
    assert_ptr_equal(msg_tr(RP_LANG_ZH, unknown), unknown);
    assert_null(msg_tr(RP_LANG_ZH, NULL));
}

/* ---- the catalogues are complete ---- */

/* The functions that write a message for people, and which argument is it. */
static const struct {
    const char *fn;
    int arg;
} WRITERS[] = {
    {"rec_field_error", 2}, {"rec_bad_request", 1}, {"rec_fail", 2}, {"rec_fail_with", 5},
    {"rec_msgf", 1},        {"api_problem", 2},     {"api_problemf", 2}, {"msg_tr", 1},
    {"MSG", 0},             {"notify_alert", 3}, {"notify_about", 4},
    /* The import readers': an .xlsx file's fatal problem, a vCard's problem. */
    {"fail", 1},            {"card_error", 2},
};

/* Messages that are not a literal where they are written, each looked at: the file, the
 * writer, the argument's text, and where its words come from (and are translated). */
static const struct {
    const char *file;
    const char *fn;
    const char *arg;
} DYNAMIC[] = {
    /* The writers, translating the format they are given. */
    {"src/api/call.c", "msg_tr", "detail"},
    {"src/api/call.c", "msg_tr", "fmt"},
    {"src/engine/ctx.c", "msg_tr", "fmt"},
    {"src/engine/notify.c", "msg_tr", "fmt"},
    {"src/engine/xlsx_read.c", "msg_tr", "fmt"},
    {"src/engine/vcard_read.c", "msg_tr", "fmt"},
    /* The quote PDF's labels, marked MSG("…") where they are drawn. */
    {"src/mod/commerce/pdf.c", "msg_tr", "en"},
    /* MSG("…") literals chosen before the call: api_on_error's, the CSRF checks',
     * api__json_shape's, reason()'s problem titles, the import parameters'. */
    {"src/api/json.c", "api_problem", "detail"},
    {"src/api/json.c", "msg_tr", "reason(status)"},
    {"src/api/call.c", "api_problem", "why"},
    {"src/api/call.c", "api_problem", "shape"},
    {"src/api/ops_routes.c", "api_problem", "bad"},
    /* password_weakness's MSG("…") reasons; the verbs of rec_check_action. */
    {"src/engine/values.c", "msg_tr", "weak"},
    {"src/engine/read.c", "msg_tr", "verb"},
    /* "%s" of a text already in ctx->lang: a field error or detail formatted before
     * (rec_field_error, rec_fail), or acl_check_*'s (written in ctx->lang), or an
     * import's problem (imp_options.lang), or a reason translated in the call. */
    {"src/engine/values.c", "rec_field_error", "\"%s\""},
    {"src/engine/custom_def.c", "rec_field_error", "\"%s\""},
    {"src/engine/custom.c", "rec_bad_request", "\"%s\""},
    {"src/engine/import_jobs.c", "rec_bad_request", "\"%s\""},
    /* A row's problem found by the file's reader (a vCard's card_error), written in the
     * import's language (imp_options.lang) where it arises. */
    {"src/engine/csv_import.c", "rec_bad_request", "\"%s\""},
    {"src/mod/platform/roles.c", "rec_field_error", "\"%s\""},
    /* api_only_keys's why, a MSG("…") of its callers, translated in the call. */
    {"src/api/call.c", "rec_field_error", "\"%s\""},
    {"src/api/call.c", "msg_tr", "why"},
    /* Why an address is refused: core/netaddr.c's words, marked MSG("…") in the table
     * beside the call. */
    {"src/mod/automation/webhooks.c", "msg_tr", "WORDS[i]"},
    /* A workflow rule's notification: the administrator's own words, not the CRM's. */
    {"src/mod/automation/rules.c", "notify_alert", "\"%s\""},
};

struct use {
    char *file;
    int line;
    char *text;      /* the message, NULL when not a literal */
    char *arg;       /* the argument as written */
    const char *fn;
};

struct scan {
    struct use *uses;
    size_t n, cap;
};

static void add_use(struct scan *sc, const char *file, int line, const char *fn, char *text,
                    char *arg)
{
    if (sc->n == sc->cap) {
        sc->cap = sc->cap ? sc->cap * 2 : 256;
        sc->uses = realloc(sc->uses, sc->cap * sizeof(*sc->uses));
        assert_non_null(sc->uses);
    }
    sc->uses[sc->n++] = (struct use){strdup(file), line, text, arg, fn};
}

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot read %s", path);
    struct rp_buf b;
    buf_init(&b, 1 << 24);
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        assert_int_equal(buf_add(&b, chunk, n), RP_OK);
    fclose(f);
    size_t len;
    return buf_steal(&b, &len);
}

static bool ident_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_';
}

/* Past the string or character literal that starts at p. */
static const char *skip_literal(const char *p)
{
    char q = *p++;
    while (*p && *p != q) {
        if (*p == '\\' && p[1])
            p++;
        p++;
    }
    return *p ? p + 1 : p;
}

/* Past a comment at p, or p itself. */
static const char *skip_comment(const char *p)
{
    if (p[0] == '/' && p[1] == '/') {
        while (*p && *p != '\n')
            p++;
    } else if (p[0] == '/' && p[1] == '*') {
        const char *e = strstr(p + 2, "*/");
        p = e ? e + 2 : p + strlen(p);
    }
    return p;
}

static char *trimmed(const char *s, const char *e)
{
    while (s < e && (*s == ' ' || *s == '\n' || *s == '\t'))
        s++;
    while (e > s && (e[-1] == ' ' || e[-1] == '\n' || e[-1] == '\t'))
        e--;
    return strndup(s, (size_t)(e - s));
}

/* The text of an expression made only of adjacent string literals, or NULL. */
static char *literal_text(const char *s)
{
    struct rp_buf b;
    buf_init(&b, 1 << 16);
    bool any = false;
    for (const char *p = s; *p;) {
        if (*p == ' ' || *p == '\n' || *p == '\t') {
            p++;
            continue;
        }
        if (*p != '"') {
            buf_release(&b);
            return NULL;
        }
        any = true;
        for (p++; *p && *p != '"'; p++) {
            char c = *p;
            if (c == '\\') {
                p++;
                c = *p == 'n' ? '\n' : *p == 't' ? '\t' : *p;
            }
            assert_int_equal(buf_add(&b, &c, 1), RP_OK);
        }
        if (*p)
            p++;
    }
    if (!any) {
        buf_release(&b);
        return NULL;
    }
    size_t len;
    return buf_steal(&b, &len);
}

/* Where a top-level ch is in [s, e), or NULL (outside brackets and literals). */
static const char *top_level(const char *s, const char *e, char ch)
{
    int depth = 0;
    for (const char *p = s; p < e; p++) {
        if (*p == '"' || *p == '\'') {
            p = skip_literal(p) - 1;
            continue;
        }
        if (*p == '(' || *p == '[' || *p == '{')
            depth++;
        else if (*p == ')' || *p == ']' || *p == '}')
            depth--;
        else if (depth == 0 && *p == ch)
            return p;
    }
    return NULL;
}

/* The messages of an argument: a literal, or `cond ? A : B` with A and B messages. */
static bool messages_of(const char *arg, char **out, size_t *n, size_t max)
{
    char *lit = literal_text(arg);
    if (lit) {
        if (*n == max)
            return false;
        out[(*n)++] = lit;
        return true;
    }
    const char *e = arg + strlen(arg);
    const char *q = top_level(arg, e, '?');
    if (!q)
        return false;
    const char *colon = top_level(q + 1, e, ':');
    if (!colon)
        return false;
    char *a = trimmed(q + 1, colon), *b = trimmed(colon + 1, e);
    bool ok = messages_of(a, out, n, max) && messages_of(b, out, n, max);
    free(a);
    free(b);
    return ok;
}

static int line_of(const char *text, const char *p)
{
    int line = 1;
    for (const char *s = text; s < p; s++)
        line += *s == '\n';
    return line;
}

static void scan_file(struct scan *sc, const char *path)
{
    char *text = read_all(path);
    for (const char *p = text; *p;) {
        const char *c = skip_comment(p);
        if (c != p) {
            p = c;
            continue;
        }
        if (*p == '"' || *p == '\'') {
            p = skip_literal(p);
            continue;
        }
        if (!ident_char(*p) || (p > text && ident_char(p[-1]))) {
            p++;
            continue;
        }
        const char *id = p;
        while (ident_char(*p))
            p++;
        size_t idlen = (size_t)(p - id);
        int w = -1;
        for (size_t i = 0; i < RP_NELEM(WRITERS); i++)
            if (strlen(WRITERS[i].fn) == idlen && !memcmp(WRITERS[i].fn, id, idlen))
                w = (int)i;
        const char *open = p;
        while (*open == ' ')
            open++;
        if (w < 0 || *open != '(')
            continue;
        /* A #define of MSG itself, or a writer's declaration or definition (a type
         * before its name, not `return`), is no use of it. */
        const char *bol = id;
        while (bol > text && bol[-1] != '\n')
            bol--;
        if (!strncmp(bol, "#define", 7))
            continue;
        const char *before = id;
        while (before > text && (before[-1] == ' ' || before[-1] == '\n'))
            before--;
        if (before > text && (before[-1] == '*' || ident_char(before[-1])) &&
            !(before - text >= 6 && !strncmp(before - 6, "return", 6)))
            continue;
        /* The arguments, split at top-level commas. */
        const char *args[16];
        size_t nargs = 0;
        int depth = 0;
        const char *q = open + 1, *start = q;
        for (; *q; q++) {
            if (*q == '"' || *q == '\'') {
                q = skip_literal(q) - 1;
                continue;
            }
            const char *cm = skip_comment(q);
            if (cm != q) {
                q = cm - 1;
                continue;
            }
            if (*q == '(' || *q == '[' || *q == '{') {
                depth++;
            } else if (*q == ')' || *q == ']' || *q == '}') {
                if (depth-- == 0)
                    break;
            } else if (*q == ',' && depth == 0 && nargs < 15) {
                args[nargs++] = start;
                start = q + 1;
            }
        }
        args[nargs++] = start;
        int want = WRITERS[w].arg;
        if ((int)nargs <= want) {
            p = q;
            continue;
        }
        const char *ae = want + 1 < (int)nargs ? args[want + 1] - 1 : q;
        char *arg = trimmed(args[want], ae);
        char *msgs[8];
        size_t nm = 0;
        if (messages_of(arg, msgs, &nm, RP_NELEM(msgs))) {
            for (size_t k = 0; k < nm; k++)
                add_use(sc, path, line_of(text, id), WRITERS[w].fn, msgs[k], strdup(arg));
            free(arg);
        } else {
            for (size_t k = 0; k < nm; k++)
                free(msgs[k]);
            add_use(sc, path, line_of(text, id), WRITERS[w].fn, NULL, arg);
        }
        p = open + 1;
    }
    free(text);
}

static void scan_dir(struct scan *sc, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        fail_msg("cannot open %s: run the test from the repository root", dir);
    struct dirent *de;
    char *names[256];
    size_t n = 0;
    while ((de = readdir(d)) && n < RP_NELEM(names))
        if (de->d_name[0] != '.')
            names[n++] = strdup(de->d_name);
    closedir(d);
    for (size_t i = 0; i < n; i++) {
        char path[1024];
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        struct stat st;
        /* The command line speaks English (docs/internals.md, "Messages"). */
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
            if (strcmp(path, "src/cli") != 0)
                scan_dir(sc, path);
        } else {
            size_t len = strlen(names[i]);
            if (len > 2 && !strcmp(names[i] + len - 2, ".c"))
                scan_file(sc, path);
        }
        free(names[i]);
    }
}

/* Whether a message has words to translate (not just "%s", which passes them on). */
static bool has_words(const char *s)
{
    for (const char *p = s; *p; p++) {
        if (*p == '%') {
            p++;
            while (*p && !strchr("sdiuxXcpfgeEGlz", *p))
                p++;
            while (*p == 'l' || *p == 'z')
                p++;
            if (!*p)
                break;
            continue;
        }
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))
            return true;
    }
    return false;
}

/* A catalogue and the directory whose messages it holds. */
struct cat {
    char dir[64];
    const struct msg_catalog *c;
    bool *used;
};

static struct cat *cat_of_dir(struct cat *cats, size_t n, const char *dir)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(cats[i].dir, dir))
            return &cats[i];
    return NULL;
}

static const struct msg *find(const struct cat *c, const char *en, size_t *at)
{
    for (size_t i = 0; c && i < c->c->n; i++)
        if (!strcmp(c->c->m[i].en, en)) {
            *at = i;
            return &c->c->m[i];
        }
    return NULL;
}

static void report(struct rp_buf *b, int *count, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void report(struct rp_buf *b, int *count, const char *fmt, ...)
{
    char line[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (*count < 400) {
        assert_int_equal(buf_adds(b, line), RP_OK);
        assert_int_equal(buf_adds(b, "\n"), RP_OK);
    }
    (*count)++;
}

/* A message as a C literal, for a line to paste into a catalogue. */
static void quoted(char *out, size_t max, const char *s)
{
    size_t k = 0;
    for (; *s && k + 3 < max; s++) {
        if (*s == '"' || *s == '\\')
            out[k++] = '\\';
        out[k++] = *s == '\n' ? 'n' : *s;
    }
    out[k] = '\0';
}

static void test_catalogues_complete(void **state)
{
    (void)state;
    struct cat cats[MSG_MAX_CATALOGS];
    size_t ncats = 0;
    cats[ncats++] = (struct cat){"src/engine", &rec_messages, NULL};
    cats[ncats++] = (struct cat){"src/api", &api_messages, NULL};
    for (size_t i = 0; i < rp_nmodules; i++) {
        struct cat *c = &cats[ncats++];
        snprintf(c->dir, sizeof(c->dir), "src/mod/%s", rp_modules[i]->name);
        c->c = rp_modules[i]->messages;
        if (!c->c)
            ncats--;
    }
    for (size_t i = 0; i < ncats; i++)
        cats[i].used = calloc(cats[i].c->n ? cats[i].c->n : 1, sizeof(bool));

    struct scan sc = {0};
    scan_dir(&sc, "src");
    assert_true(sc.n > 300); /* the scan found the messages at all */

    struct rp_buf out;
    buf_init(&out, 1 << 22);
    int missing = 0, wrong = 0, dynamic = 0, stale = 0;
    bool dyn_seen[RP_NELEM(DYNAMIC)] = {false};
    for (size_t i = 0; i < sc.n; i++) {
        const struct use *u = &sc.uses[i];
        if (!u->text || !has_words(u->text)) {
            bool listed = false;
            for (size_t k = 0; k < RP_NELEM(DYNAMIC); k++)
                if (!strcmp(DYNAMIC[k].file, u->file) && !strcmp(DYNAMIC[k].fn, u->fn) &&
                    !strcmp(DYNAMIC[k].arg, u->arg))
                    listed = dyn_seen[k] = true;
            if (!listed)
                report(&out, &dynamic,
                       "%s:%d: %s(…, %s, …) passes a message that is not a literal: write the"
                       " literal there, mark it MSG(\"…\") where it is chosen, or list the call"
                       " in DYNAMIC (tests/unit/test_msg.c) saying where its words are"
                       " translated",
                       u->file, u->line, u->fn, u->arg);
            continue;
        }
        /* The directory's catalogue: src/engine, src/api or src/mod/<module>. */
        char dir[64];
        const char *slash = strchr(u->file + 4, '/');
        if (!strncmp(u->file, "src/mod/", 8))
            slash = strchr(u->file + 8, '/');
        snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - u->file) : 0, u->file);
        struct cat *own = cat_of_dir(cats, ncats, dir);
        struct cat *eng = cat_of_dir(cats, ncats, "src/engine");
        size_t at = 0;
        const struct msg *m = find(own, u->text, &at);
        struct cat *where = own;
        if (!m && strcmp(dir, "src/engine") != 0) {
            m = find(eng, u->text, &at);
            where = eng;
        }
        char q[1024];
        quoted(q, sizeof(q), u->text);
        if (!m) {
            report(&out, &missing, "%s:%d: no Chinese for \"%s\" (add to %s/msg_zh.c:"
                   "  {\"%s\", \"…\"},)", u->file, u->line, q, own ? own->dir : dir, q);
            continue;
        }
        where->used[at] = true;
    }
    for (size_t k = 0; k < RP_NELEM(DYNAMIC); k++)
        if (!dyn_seen[k])
            report(&out, &stale, "DYNAMIC lists %s: %s(%s), which is not there any more",
                   DYNAMIC[k].file, DYNAMIC[k].fn, DYNAMIC[k].arg);
    for (size_t i = 0; i < ncats; i++) {
        for (size_t j = 0; j < cats[i].c->n; j++) {
            const struct msg *m = &cats[i].c->m[j];
            char q[1024];
            quoted(q, sizeof(q), m->en);
            if (!m->zh[0] || !msg_same_specs(m->en, m->zh))
                report(&out, &wrong, "%s/msg_zh.c: \"%s\": the translation \"%s\" must carry"
                       " the same conversion specifiers in the same order",
                       cats[i].dir, q, m->zh);
            for (size_t k = 0; k < j; k++)
                if (!strcmp(cats[i].c->m[k].en, m->en))
                    report(&out, &wrong, "%s/msg_zh.c: \"%s\" is there twice", cats[i].dir, q);
            if (!cats[i].used[j])
                report(&out, &stale, "%s/msg_zh.c: \"%s\" is used by nothing in %s%s: remove"
                       " it", cats[i].dir, q, cats[i].dir,
                       strcmp(cats[i].dir, "src/engine") ? "" : ", src/api or src/mod");
            /* One English text, one translation: the look-up takes the first. */
            for (size_t o = 0; o < i; o++) {
                size_t at;
                const struct msg *other = find(&cats[o], m->en, &at);
                if (other && strcmp(other->zh, m->zh) != 0)
                    report(&out, &wrong, "\"%s\" is translated differently in %s and %s", q,
                           cats[o].dir, cats[i].dir);
            }
        }
    }
    /* cmocka cuts long failure messages: the list goes to stderr whole. */
    bool failed = missing || wrong || dynamic || stale;
    if (failed)
        fputs(buf_cstr(&out), stderr);
    buf_release(&out);
    for (size_t i = 0; i < sc.n; i++) {
        free(sc.uses[i].file);
        free(sc.uses[i].text);
        free(sc.uses[i].arg);
    }
    free(sc.uses);
    for (size_t i = 0; i < ncats; i++)
        free(cats[i].used);
    if (failed)
        fail_msg("%d message(s) without Chinese, %d wrong, %d not literal, %d stale (listed"
                 " above)", missing, wrong, dynamic, stale);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accept_language),
        cmocka_unit_test(test_accept_language_long),
        cmocka_unit_test(test_same_specs),
        cmocka_unit_test(test_lookup),
        cmocka_unit_test(test_catalogues_complete),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
