/* CSV import (import.h): reading and decoding, libcsv records with line numbers,
 * header mapping, cell conversion, and rows through the record engine in batches. */
#include "core/common.h"

#include <csv.h>
#include <iconv.h>
#include <limits.h>
#include <strings.h>

#include "core/buf.h"
#include "core/ids.h"
#include "core/text.h"
#include "engine/acl.h"
#include "engine/duplicates.h"
#include "engine/export.h"
#include "engine/rec_int.h"
#include "engine/csv_import.h"
#include "engine/secev.h"
#include "engine/vcard_read.h"
#include "engine/xlsx_read.h"
#include "store/platform.h"

#define CHUNK (64u * 1024u)
/* libcsv doubles its field buffer as a field grows: refusing to grow past twice the
 * field limit stops a runaway field (a quote never closed) at a bounded size. */
#define CSV_BUF_CAP ((size_t)RP_MAX_IMPORT_FIELD * 2 + CHUNK)
/* One row's bytes: every column at the field limit would be abuse; 8 MiB is plenty. */
#define ROW_MAX ((size_t)8 * 1024 * 1024)
/* Rows whose memory is released together. */
#define ROW_ARENA_ROWS 64
/* Distinct reference values (account names …) remembered while importing. */
#define REF_CACHE 4096u

bool imp_dup_parse(struct rp_str s, enum imp_dup *out)
{
    static const char *const NAMES[] = {"skip", "update", "create"};
    for (size_t i = 0; i < RP_NELEM(NAMES); i++)
        if (rp_str_eqc(s, NAMES[i])) {
            *out = (enum imp_dup)i;
            return true;
        }
    return false;
}

const char *imp_dup_name(enum imp_dup d)
{
    return d == IMP_DUP_SKIP ? "skip" : d == IMP_DUP_UPDATE ? "update" : "create";
}

static const char *const FORMATS[] = {"csv", "xlsx", "vcf"};

bool imp_format_parse(struct rp_str s, enum imp_format *out)
{
    for (size_t i = 0; i < RP_NELEM(FORMATS); i++)
        if (rp_str_eqc(s, FORMATS[i])) {
            *out = (enum imp_format)i;
            return true;
        }
    return false;
}

const char *imp_format_name(enum imp_format f)
{
    return FORMATS[f];
}

static bool has_person_name(const struct entity_def *e);

bool imp_format_ok(const struct entity_def *e, enum imp_format f)
{
    return f != IMP_VCARD || has_person_name(e);
}

bool imp_encoding_ok(const char *name)
{
    return !name || strcasecmp(name, "utf-8") == 0 || strcasecmp(name, "utf8") == 0 ||
           strcasecmp(name, "gbk") == 0 || strcasecmp(name, "gb18030") == 0;
}

static bool is_utf8_name(const char *name)
{
    return !name || strcasecmp(name, "utf-8") == 0 || strcasecmp(name, "utf8") == 0;
}

/* ---- reading: the file's bytes as UTF-8 chunks ---- */

struct reader {
    struct imp_source *src;
    const char *encoding;
    enum rp_lang lang;     /* of the problems it reports */
    size_t off;            /* memory sources: bytes handed out */
    iconv_t cd;            /* (iconv_t)-1 for UTF-8 input */
    char in[CHUNK + 16];
    size_t carry;          /* bytes of an incomplete character kept for the next chunk */
    char out[CHUNK * 4];   /* a GBK byte pair becomes at most three UTF-8 bytes */
    bool started;
    int64_t lines;         /* newlines handed out, for error positions */
};

static void reader_rewind(struct reader *r)
{
    r->off = 0;
    r->carry = 0;
    r->started = false;
    r->lines = 0;
    if (r->src->f)
        rewind(r->src->f);
    if (r->cd != (iconv_t)-1)
        iconv(r->cd, NULL, NULL, NULL, NULL);
}

static size_t raw_read(struct reader *r, char *dst, size_t cap)
{
    if (r->src->f)
        return fread(dst, 1, cap, r->src->f);
    size_t n = r->src->len - r->off < cap ? r->src->len - r->off : cap;
    memcpy(dst, r->src->mem + r->off, n);
    r->off += n;
    return n;
}

/* Next chunk of UTF-8 (*n == 0 at the end). A byte sequence the encoding does not
 * allow is a fatal problem described in *fatal. */
static enum rp_err reader_next(struct reader *r, struct arena *a, const char **p, size_t *n,
                               const char **fatal)
{
    size_t got = raw_read(r, r->in + r->carry, CHUNK);
    if (r->src->f && ferror(r->src->f)) {
        *fatal = msg_tr(r->lang, "the file could not be read");
        return RP_EIO;
    }
    size_t have = r->carry + got;
    const char *out = r->in;
    size_t outlen = have;
    if (r->cd != (iconv_t)-1) {
        char *ip = r->in, *op = r->out;
        size_t il = have, ol = sizeof(r->out);
        size_t rc = iconv(r->cd, &ip, &il, &op, &ol);
        if (rc == (size_t)-1 && errno == EILSEQ) {
            *fatal = arena_printf(a, msg_tr(r->lang, "near line %lld: the bytes are not valid %s"),
                                  (long long)r->lines + 1, r->encoding);
            return RP_EINVAL;
        }
        if (got == 0 && il > 0) {
            *fatal = arena_printf(a, msg_tr(r->lang, "the file ends inside a %s character"),
                                  r->encoding);
            return RP_EINVAL;
        }
        memmove(r->in, ip, il); /* an incomplete character waits for the next chunk */
        r->carry = il;
        out = r->out;
        outlen = (size_t)(op - r->out);
    } else {
        r->carry = 0;
    }
    if (!r->started && outlen > 0) {
        r->started = true;
        if (outlen >= 3 && memcmp(out, "\xEF\xBB\xBF", 3) == 0) {
            out += 3;
            outlen -= 3;
        }
    }
    for (size_t i = 0; i < outlen; i++)
        r->lines += out[i] == '\n';
    *p = out;
    *n = outlen;
    /* A conversion that produced nothing from a carried fragment: read on. */
    if (outlen == 0 && got > 0)
        return reader_next(r, a, p, n, fatal);
    return RP_OK;
}

/* ---- records with line numbers ---- */

struct imp;

struct parse {
    struct csv_parser p;
    struct rp_buf row;       /* the current record's fields, each NUL-terminated */
    size_t off[RP_MAX_IMPORT_COLUMNS];
    size_t len[RP_MAX_IMPORT_COLUMNS];
    size_t nf;
    size_t extra;            /* fields past RP_MAX_IMPORT_COLUMNS */
    bool too_big;            /* the row passed ROW_MAX */
    bool any;                /* the record has at least one field */
    int64_t line;            /* line where the current record starts */
    int64_t nl;              /* line breaks inside its quoted fields */
    const char *row_error;   /* why the row cannot be read (a vCard's), or NULL */
    int last_term;
    struct imp *im;
    void (*on_row)(struct imp *im, struct parse *ps);
};

static void *capped_realloc(void *p, size_t n)
{
    return n > CSV_BUF_CAP ? NULL : realloc(p, n);
}

static void on_field(void *s, size_t len, void *data)
{
    struct parse *ps = data;
    ps->any = true;
    const char *c = s;
    for (size_t i = 0; i < len; i++)
        if (c[i] == '\n' || (c[i] == '\r' && (i + 1 == len || c[i + 1] != '\n')))
            ps->nl++;
    if (ps->nf == RP_MAX_IMPORT_COLUMNS) {
        ps->extra++;
        return;
    }
    ps->off[ps->nf] = ps->row.len;
    ps->len[ps->nf] = len;
    ps->nf++;
    if (ps->too_big || (len && buf_add(&ps->row, s, len)) || buf_addc(&ps->row, '\0'))
        ps->too_big = true;
}

static void on_record(int c, void *data)
{
    struct parse *ps = data;
    if (!ps->any) {
        /* A line break outside any record: a blank line, or the LF of a CRLF. */
        if (c != -1 && !(c == '\n' && ps->last_term == '\r'))
            ps->line++;
        ps->last_term = c;
        return;
    }
    ps->on_row(ps->im, ps);
    ps->line += 1 + ps->nl;
    ps->nl = 0;
    ps->nf = 0;
    ps->extra = 0;
    ps->too_big = false;
    ps->any = false;
    ps->last_term = c;
    buf_reset(&ps->row);
}

static struct rp_str cell(const struct parse *ps, size_t i)
{
    return (struct rp_str){buf_cstr(&ps->row) + ps->off[i], ps->len[i]};
}

/* ---- header mapping ---- */

static const struct {
    const char *alias;
    const char *fields; /* candidates, the first the entity has wins */
} ALIASES[] = {
    {"姓名", "full_name"}, {"name", "full_name"}, {"full_name", "full_name"},
    {"联系人", "full_name"}, {"contact", "full_name"}, {"contact_name", "full_name"},
    {"姓", "last_name"}, {"surname", "last_name"}, {"family_name", "last_name"},
    {"last", "last_name"}, {"名", "first_name"}, {"given_name", "first_name"},
    {"first", "first_name"},
    {"公司", "account_id company name"}, {"公司名称", "account_id company name"},
    {"客户", "account_id company name"}, {"客户名称", "account_id company name"},
    {"单位", "account_id company name"}, {"company", "account_id company name"},
    {"company_name", "account_id company name"}, {"account", "account_id name"},
    {"account_name", "account_id name"}, {"organization", "account_id company name"},
    {"电话", "phone_work phone"}, {"办公电话", "phone_work phone"}, {"座机", "phone_work phone"},
    {"phone", "phone_work phone"}, {"telephone", "phone_work phone"}, {"tel", "phone_work phone"},
    {"work_phone", "phone_work phone"}, {"business_phone", "phone_work phone"},
    {"手机", "phone_mobile mobile"}, {"手机号", "phone_mobile mobile"},
    {"手机号码", "phone_mobile mobile"}, {"移动电话", "phone_mobile mobile"},
    {"mobile", "phone_mobile mobile"}, {"cell", "phone_mobile mobile"},
    {"mobile_phone", "phone_mobile mobile"},
    {"邮箱", "email"}, {"电子邮件", "email"}, {"电子邮箱", "email"}, {"邮件", "email"},
    {"e_mail", "email"}, {"mail", "email"}, {"email_address", "email"},
    {"职位", "title"}, {"职务", "title"}, {"头衔", "title"}, {"job_title", "title"},
    {"position", "title"}, {"部门", "department"},
    {"地址", "street billing_street"}, {"address", "street billing_street"},
    {"城市", "city billing_city"}, {"省", "state billing_state"},
    {"省份", "state billing_state"}, {"邮编", "postcode billing_postcode"},
    {"zip", "postcode billing_postcode"}, {"zip_code", "postcode billing_postcode"},
    {"国家", "country billing_country"},
    {"备注", "description"}, {"描述", "description"}, {"说明", "description"},
    {"notes", "description"}, {"note", "description"},
    {"网站", "website"}, {"网址", "website"}, {"行业", "industry"}, {"税号", "tax_id"},
    {"类型", "type"}, {"状态", "status"}, {"金额", "amount"}, {"阶段", "stage"},
    {"名称", "name subject"}, {"主题", "subject"}, {"开始时间", "start_at"},
    {"结束时间", "end_at"}, {"截止时间", "due_at"}, {"地点", "location"},
    {"来源", "lead_source source"}, {"生日", "birthday"}, {"概率", "probability"},
    {"预计成交日期", "expected_close_date"}, {"币种", "currency"}, {"评级", "rating"},
};

/* Lower-cases ASCII, trims, and turns spaces and hyphens into underscores. */
static const char *norm_header(struct arena *a, struct rp_str h)
{
    while (h.len && (h.p[0] == ' ' || h.p[0] == '\t'))
        h.p++, h.len--;
    while (h.len && (h.p[h.len - 1] == ' ' || h.p[h.len - 1] == '\t'))
        h.len--;
    char *s = arena_strndup(a, h.p, h.len);
    for (char *c = s; *c; c++) {
        if (*c >= 'A' && *c <= 'Z')
            *c = (char)(*c - 'A' + 'a');
        else if (*c == ' ' || *c == '-')
            *c = '_';
    }
    return s;
}

static bool has_person_name(const struct entity_def *e)
{
    return meta_field(e, RP_STR("first_name")) && meta_field(e, RP_STR("last_name"));
}

/* Whether h (normalised) is norm(label) followed by suffix, or by suffix without its
 * leading underscore ("客户_id", "客户id"). */
static bool label_with(struct arena *a, const char *h, const char *label, const char *suffix)
{
    if (!label || !*label)
        return false;
    const char *l = norm_header(a, rp_str_c(label));
    size_t n = strlen(l);
    return strncmp(h, l, n) == 0 &&
           (strcmp(h + n, suffix) == 0 || strcmp(h + n, suffix + 1) == 0);
}

const char *imp_header_field(const struct entity_def *e, struct rp_str header)
{
    struct arena a;
    arena_init(&a);
    const char *h = norm_header(&a, header);
    const char *found = NULL;
    /* A field's name or label, in English or Chinese. */
    for (size_t i = 0; i < e->nfields && !found; i++) {
        const struct field_def *f = &e->fields[i];
        if (strcmp(h, f->name) == 0 || strcmp(h, norm_header(&a, rp_str_c(f->label))) == 0 ||
            (f->label_zh && strcmp(h, norm_header(&a, rp_str_c(f->label_zh))) == 0))
            found = f->name;
    }
    /* The other column exports give a reference (export.h): "<label> ID" for its ids
     * under labels, "<name>.name" for its names under keys. */
    for (size_t i = 0; i < e->nfields && !found; i++) {
        const struct field_def *f = &e->fields[i];
        if (f->type != FT_REF && f->type != FT_MULTI_REF && !f->ref_type_field)
            continue;
        size_t n = strlen(f->name);
        if ((strncmp(h, f->name, n) == 0 && strcmp(h + n, ".name") == 0) ||
            label_with(&a, h, f->label, "_id") || label_with(&a, h, f->label_zh, "_id"))
            found = f->name;
    }
    for (size_t i = 0; i < RP_NELEM(ALIASES) && !found; i++) {
        if (strcmp(h, ALIASES[i].alias) != 0)
            continue;
        const char *p = ALIASES[i].fields;
        while (*p && !found) {
            size_t n = strcspn(p, " ");
            struct rp_str cand = {p, n};
            if (rp_str_eqc(cand, "full_name") ? has_person_name(e) : meta_field(e, cand) != NULL)
                found = rp_str_eqc(cand, "full_name") ? "full_name" : meta_field(e, cand)->name;
            p += n + (p[n] == ' ');
        }
    }
    arena_release(&a);
    return found;
}

struct rp_str imp_unneutralise(struct rp_str v)
{
    struct rp_str rest = {v.p + 1, v.len - 1};
    return v.len && v.p[0] == '\'' && exp_needs_neutralising(rest) ? rest : v;
}

/* ---- the import ---- */

#define FULL_NAME (-2)
#define IGNORED (-1)

struct ref_entry {
    const char *entity;  /* NULL: free slot */
    const char *name;
    const char *id;      /* NULL: none, "" : several */
    bool created;        /* made by this import (create_missing), and counted */
};

/* A reference convert() left for the row's end: a record to create by name once the
 * rest of the row is good (create_missing). */
struct pending_ref {
    size_t input;        /* index of the row's input that takes its id */
    const struct field_def *f;
    struct rp_str name;
};
#define MAX_PENDING 8

struct imp {
    struct rec_ctx *ctx;
    const struct imp_options *o;
    struct imp_result *res;
    struct arena *a;          /* the result's memory */
    struct arena row_a;       /* one row's memory */
    struct arena cache_a;     /* the reference cache's */
    struct ref_entry *refs;
    size_t nrefs;
    int col_field[RP_MAX_IMPORT_COLUMNS];
    size_t ncols;
    /* Per field of the entity, how many columns feed it: a reference exported with
     * its ids and its names has two, one chosen row by row (pick_ref). */
    unsigned char *nsrc;
    bool header_done;
    int64_t records;          /* pass 1: records seen, the header included */
    /* the batch in progress */
    bool in_tx;
    size_t batch_rows;
    int64_t pend_imported, pend_updated, pend_skipped, pend_created;
    bool batch_created;       /* the batch created referenced records */
    struct pending_ref pending[MAX_PENDING];
    size_t npending;
    struct ref_entry *row_created[MAX_PENDING]; /* made for the row in progress */
    size_t nrow_created;
    size_t cur_input;         /* the input convert() is filling */
    enum rp_err err;          /* sticky: a database failure stops the import */
    struct imp_preview *preview; /* imp_preview: where the rows go, up to max_rows */
    size_t max_rows;
};

static void add_error(struct imp *im, int64_t line, const char *field, const char *msg)
{
    struct imp_result *r = im->res;
    if (r->nerrors == RP_MAX_IMPORT_ERRORS)
        return;
    if (r->nerrors == r->errcap)
        r->errors = arena_grow(im->a, r->errors, &r->errcap, sizeof(*r->errors));
    r->errors[r->nerrors++] = (struct imp_error){line, field ? arena_strdup(im->a, field) : NULL,
                                                 arena_strdup(im->a, msg)};
}

static void map_header(struct imp *im, struct parse *ps)
{
    const struct imp_options *o = im->o;
    im->ncols = ps->nf;
    im->nsrc = arena_calloc(im->a, o->e->nfields + 1, 1);
    for (size_t i = 0; i < ps->nf; i++) {
        struct rp_str h = cell(ps, i);
        const char *f = NULL;
        bool given = false;
        for (size_t k = 0; k < o->nmap; k++)
            if (rp_str_eq(o->map[k].column, h)) {
                given = true;
                f = o->map[k].field.len ? arena_strndup(&im->row_a, o->map[k].field.p,
                                                        o->map[k].field.len)
                                        : NULL;
            }
        if (!given && text_utf8_valid(h))
            f = imp_header_field(o->e, imp_unneutralise(h)); /* exports neutralise labels too */
        if (f && strcmp(f, "full_name") == 0 && has_person_name(o->e))
            im->col_field[i] = FULL_NAME;
        else if (f && meta_field(o->e, rp_str_c(f)))
            im->col_field[i] = meta_field_index(o->e, rp_str_c(f));
        else
            im->col_field[i] = IGNORED;
        if (im->col_field[i] >= 0 && im->nsrc[im->col_field[i]] < UCHAR_MAX)
            im->nsrc[im->col_field[i]]++;
        if (im->col_field[i] == IGNORED) {
            size_t cap = im->res->nignored;
            const char **list = arena_alloc(im->a, (cap + 1) * sizeof(*list));
            if (cap)
                memcpy(list, im->res->ignored, cap * sizeof(*list));
            list[cap] = text_utf8_valid(h) ? arena_strndup(im->a, h.p, h.len) : "(not UTF-8)";
            im->res->ignored = list;
            im->res->nignored = cap + 1;
        }
    }
}

static struct rp_str trim(struct rp_str v)
{
    while (v.len && (v.p[0] == ' ' || v.p[0] == '\t'))
        v.p++, v.len--;
    while (v.len && (v.p[v.len - 1] == ' ' || v.p[v.len - 1] == '\t'))
        v.len--;
    return v;
}

/* Reference cache: open addressing on (entity, name); cleared when full. */
static struct ref_entry *ref_slot(struct imp *im, const char *entity, struct rp_str name)
{
    uint64_t h = 1469598103934665603ull;
    for (const char *c = entity; *c; c++)
        h = (h ^ (unsigned char)*c) * 1099511628211ull;
    for (size_t i = 0; i < name.len; i++)
        h = (h ^ (unsigned char)name.p[i]) * 1099511628211ull;
    for (size_t i = h % REF_CACHE;; i = (i + 1) % REF_CACHE) {
        struct ref_entry *s = &im->refs[i];
        if (!s->entity || (strcmp(s->entity, entity) == 0 && rp_str_eqc(name, s->name)))
            return s;
    }
}

/* The id a reference cell names: an id, or the title of one record the caller can see. */
static enum rp_err resolve_ref(struct imp *im, const struct field_def *f, struct rp_str v,
                               const char **id)
{
    struct rec_ctx *ctx = im->ctx;
    if (ids_valid(v)) {
        *id = arena_strndup(ctx->a, v.p, v.len);
        return RP_OK;
    }
    const struct entity_def *re = meta_entity(rp_str_c(f->ref_entity));
    if (im->nrefs * 4 >= REF_CACHE * 3) {
        memset(im->refs, 0, REF_CACHE * sizeof(*im->refs));
        arena_release(&im->cache_a);
        im->nrefs = 0;
    }
    struct ref_entry *s = ref_slot(im, re->name, v);
    if (!s->entity) {
        struct rec_param p[] = {{rp_str_c(re->title_field), v}, {RP_STR("limit"), RP_STR("2")}};
        struct rec_query *q;
        struct rec_page page;
        enum rp_err err = rec_query_parse(ctx, re, p, RP_NELEM(p), &q);
        if (!err)
            err = rec_list(ctx, re, q, &page);
        if (err == RP_EINVAL || err == RP_EFORBIDDEN) {
            ctx->bad_request = false;
            return rec_field_error(ctx, f->name, "cannot look up %s by name", rec_labels(ctx, re));
        }
        if (err)
            return err;
        s->entity = re->name;
        s->name = arena_strndup(&im->cache_a, v.p, v.len);
        s->id = page.nrows == 1 ? arena_strdup(&im->cache_a, page.rows[0].id)
                : page.nrows ? ""
                             : NULL;
        im->nrefs++;
    }
    if (!s->id && im->o->create_missing && (re->flags & EF_CREATE_BY_NAME) &&
        im->npending < MAX_PENDING) {
        im->pending[im->npending++] = (struct pending_ref){im->cur_input, f, v};
        *id = "";
        return RP_OK;
    }
    if (!s->id)
        return rec_field_error(ctx, f->name, "no %s named \"%.*s\"", rec_label(ctx, re), (int)v.len,
                               v.p);
    if (!*s->id)
        return rec_field_error(ctx, f->name, "more than one %s is named \"%.*s\": give its id",
                               rec_label(ctx, re), (int)v.len, v.p);
    *id = s->id;
    return RP_OK;
}

/* Whether id is a record of f's entity the caller can see (remembered like names). */
static enum rp_err ref_visible(struct imp *im, const struct field_def *f, struct rp_str id,
                               bool *ok)
{
    const struct entity_def *re = meta_entity(rp_str_c(f->ref_entity));
    *ok = false;
    if (!re)
        return RP_OK;
    if (im->nrefs * 4 >= REF_CACHE * 3) {
        memset(im->refs, 0, REF_CACHE * sizeof(*im->refs));
        arena_release(&im->cache_a);
        im->nrefs = 0;
    }
    /* Names that are ids never reach the cache (resolve_ref takes them as they are),
     * so an id's entry is its visibility. */
    struct ref_entry *s = ref_slot(im, re->name, id);
    if (!s->entity) {
        struct rec r;
        enum rp_err err = rec_get(im->ctx, re, id, &r);
        if (err == RP_ENOTFOUND || err == RP_EFORBIDDEN) {
            im->ctx->detail = NULL;
            im->ctx->bad_request = false;
        } else if (err) {
            return err;
        }
        s->entity = re->name;
        s->name = arena_strndup(&im->cache_a, id.p, id.len);
        s->id = err ? NULL : s->name;
        im->nrefs++;
    }
    *ok = s->id != NULL;
    return RP_OK;
}

/* Whether every item of a list cell ("a; b") is an id. */
static bool all_ids(struct rp_str v)
{
    bool any = false;
    for (size_t i = 0; i <= v.len;) {
        size_t j = i;
        while (j < v.len && v.p[j] != ';')
            j++;
        struct rp_str it = trim((struct rp_str){v.p + i, j - i});
        if (it.len && !ids_valid(it))
            return false;
        any |= it.len > 0;
        i = j + 1;
    }
    return any;
}

/* The cell a reference fed by several columns (an export's ids and names) takes: an
 * id of a record the caller can see; else a name, which resolve_ref looks up (the
 * file came from another database, whose ids mean nothing here); else the first. A
 * list, or a reference to a record of any entity, takes the cell of ids (neither is
 * looked up by name). */
static enum rp_err pick_ref(struct imp *im, const struct field_def *f, const struct rp_str *cells,
                            size_t n, struct rp_str *out)
{
    *out = cells[0];
    if (f->type != FT_REF) {
        for (size_t k = 0; k < n; k++)
            if (all_ids(cells[k])) {
                *out = cells[k];
                break;
            }
        return RP_OK;
    }
    for (size_t k = 0; k < n; k++) {
        struct rp_str v = trim(cells[k]);
        bool ok = false;
        enum rp_err err = ids_valid(v) ? ref_visible(im, f, v, &ok) : RP_OK;
        if (err)
            return err;
        if (ok) {
            *out = cells[k];
            return RP_OK;
        }
    }
    for (size_t k = 0; k < n; k++)
        if (!ids_valid(trim(cells[k]))) {
            *out = cells[k];
            break;
        }
    return RP_OK;
}

static bool parse_bool(struct rp_str v, bool *b)
{
    static const char *const YES[] = {"true", "yes", "y", "1", "是", "对", "x"};
    static const char *const NO[] = {"false", "no", "n", "0", "否", "不"};
    for (size_t i = 0; i < RP_NELEM(YES); i++)
        if (v.len == strlen(YES[i]) && strncasecmp(v.p, YES[i], v.len) == 0)
            return *b = true, true;
    for (size_t i = 0; i < RP_NELEM(NO); i++)
        if (v.len == strlen(NO[i]) && strncasecmp(v.p, NO[i], v.len) == 0)
            return *b = false, true;
    return false;
}

/* "2026/1/5", "2026.01.05" → "2026-01-05"; anything else is left for validation. */
static struct rp_str norm_date(struct arena *a, struct rp_str v)
{
    int64_t part[3];
    size_t k = 0, i = 0;
    while (k < 3 && i < v.len) {
        size_t j = i;
        while (j < v.len && v.p[j] >= '0' && v.p[j] <= '9')
            j++;
        if (j == i || text_parse_i64((struct rp_str){v.p + i, j - i}, &part[k]))
            return v;
        k++;
        if (j < v.len && !strchr("-/.", v.p[j]))
            return v;
        i = j + 1;
    }
    if (k != 3 || i < v.len || part[0] < 1000 || part[0] > 9999 || part[1] > 99 || part[2] > 99)
        return v;
    return rp_str_c(arena_printf(a, "%04d-%02d-%02d", (int)part[0], (int)part[1], (int)part[2]));
}

/* "2026-01-05 09:30" → "2026-01-05T09:30:00Z" (times without a zone are UTC). */
static struct rp_str norm_datetime(struct arena *a, struct rp_str v)
{
    if (v.len == 10)
        return rp_str_c(arena_printf(a, "%.*sT00:00:00Z", (int)v.len, v.p));
    if (v.len < 16 || (v.p[10] != ' ' && v.p[10] != 'T'))
        return v;
    char *s = arena_printf(a, "%.*s", (int)v.len, v.p);
    s[10] = 'T';
    const char *t = s + 11;
    bool zone = strchr(t, 'Z') || strchr(t, 'z') || strchr(t, '+') || strchr(t, '-');
    size_t tl = strcspn(t, "Zz+-");
    return rp_str_c(arena_printf(a, "%s%s%s", s, tl == 5 && !zone ? ":00" : "", zone ? "" : "Z"));
}

/* Splits "a; b;c" into list items. */
static void split_list(struct arena *a, struct rp_str v, struct rec_input *in)
{
    size_t cap = 1;
    for (size_t i = 0; i < v.len; i++)
        cap += v.p[i] == ';';
    struct rp_str *items = arena_calloc(a, cap, sizeof(*items));
    size_t n = 0;
    for (size_t i = 0; i <= v.len;) {
        size_t j = i;
        while (j < v.len && v.p[j] != ';')
            j++;
        struct rp_str it = trim((struct rp_str){v.p + i, j - i});
        if (it.len)
            items[n++] = it;
        i = j + 1;
    }
    in->kind = IN_LIST;
    in->items = items;
    in->nitems = n;
}

/* Turns a cell into an engine input for field f. Field errors go to ctx. */
static enum rp_err convert(struct imp *im, const struct field_def *f, struct rp_str v,
                           struct rec_input *in)
{
    struct arena *a = im->ctx->a;
    in->field = rp_str_c(f->name);
    in->kind = IN_STRING;
    if (f->type != FT_TEXT && f->type != FT_STRING)
        v = trim(v);
    switch (f->type) {
    case FT_INT:
    case FT_PERCENT:
        if (f->type == FT_PERCENT && v.len && v.p[v.len - 1] == '%')
            v = trim((struct rp_str){v.p, v.len - 1});
        in->kind = IN_NUMBER;
        break;
    case FT_MONEY: {
        char *s = arena_alloc(a, v.len + 1);
        size_t k = 0;
        for (size_t i = 0; i < v.len; i++)
            if (v.p[i] != ',' && v.p[i] != ' ')
                s[k++] = v.p[i];
        s[k] = '\0';
        v = (struct rp_str){s, k};
        break;
    }
    case FT_BOOL:
        in->kind = IN_BOOL;
        if (!parse_bool(v, &in->b))
            return rec_field_error(im->ctx, f->name, "must be true or false (yes/no, 是/否)");
        return RP_OK;
    case FT_DATE:
        v = norm_date(a, v);
        break;
    case FT_DATETIME:
        v = norm_datetime(a, v);
        break;
    case FT_ENUM:
        for (const char *const *ev = f->enum_values; ev && *ev; ev++)
            if (v.len == strlen(*ev) && strncasecmp(v.p, *ev, v.len) == 0)
                v = rp_str_c(*ev);
        break;
    case FT_MULTI_ENUM:
    case FT_MULTI_REF:
        split_list(a, v, in);
        return RP_OK;
    case FT_REF: {
        const char *id = NULL;
        enum rp_err err = resolve_ref(im, f, v, &id);
        if (err)
            return err;
        v = rp_str_c(id);
        break;
    }
    case FT_JSON:
        in->kind = IN_JSON;
        break;
    default:
        break;
    }
    in->s = v.p;
    in->len = v.len;
    return RP_OK;
}

static void reset_ctx(struct rec_ctx *ctx)
{
    ctx->nerrors = 0;
    ctx->errcap = 0;
    ctx->errors = NULL;
    ctx->detail = NULL;
    ctx->bad_request = false;
    ctx->problem = (struct rec_problem){0};
}

/* For entities without duplicate keys: a live record with the same title (and start,
 * for activities) is the same record imported before. *id is NULL when none. */
static enum rp_err find_same(struct imp *im, const struct rec_input *in, size_t n,
                             const char **id)
{
    struct rec_ctx *ctx = im->ctx;
    const struct entity_def *e = im->o->e;
    struct rec_param p[3];
    size_t np = 0;
    *id = NULL;
    for (size_t i = 0; i < n; i++)
        if ((rp_str_eqc(in[i].field, e->title_field) || rp_str_eqc(in[i].field, "start_at")) &&
            in[i].kind == IN_STRING && np < 2)
            p[np++] = (struct rec_param){in[i].field, {in[i].s, in[i].len}};
    if (np == 0)
        return RP_OK;
    p[np++] = (struct rec_param){RP_STR("limit"), RP_STR("1")};
    struct rec_query *q;
    struct rec_page page;
    enum rp_err err = rec_query_parse(ctx, e, p, np, &q);
    if (!err)
        err = rec_list(ctx, e, q, &page);
    if (err == RP_EINVAL) {
        reset_ctx(ctx); /* an invalid value: validation reports it on create */
        return RP_OK;
    }
    if (!err && page.nrows)
        *id = page.rows[0].id;
    return err;
}

/* Saves one row's inputs: create, or skip / update a duplicate. */
static enum rp_err save(struct imp *im, const struct rec_input *in, size_t n)
{
    struct rec_ctx *ctx = im->ctx;
    const struct entity_def *e = im->o->e;
    enum imp_dup mode = im->o->on_dup;
    struct rec r;
    const char *same = NULL;
    ctx->allow_duplicate = mode == IMP_DUP_CREATE;
    enum rp_err err = RP_OK;
    if (mode != IMP_DUP_CREATE && !dups_applies(e))
        err = find_same(im, in, n, &same);
    if (!err && !same) {
        err = rec_create(ctx, e, in, n, &r);
        if (err == RP_ECONFLICT && ctx->problem.n && ctx->problem.items[0].rec)
            same = ctx->problem.items[0].rec->id;
        else if (!err)
            im->pend_imported++;
    }
    if (same && mode == IMP_DUP_SKIP) {
        im->pend_skipped++;
        return RP_OK;
    }
    if (same) {
        reset_ctx(ctx);
        ctx->allow_duplicate = true;
        err = rec_update(ctx, e, rp_str_c(same), in, n, -1, &r);
        if (!err) {
            im->pend_imported++;
            im->pend_updated++;
        }
    }
    return err;
}

static bool row_error(enum rp_err err)
{
    return err == RP_EINVAL || err == RP_ECONFLICT || err == RP_EFORBIDDEN ||
           err == RP_ENOTFOUND || err == RP_ESTALE;
}

/* Creates the records the row names and nobody has created yet (create_missing), in
 * the batch's transaction, and gives their ids to the row's inputs. Each name is made
 * once: later rows find it in the reference cache. A record the engine refuses (one
 * like it exists: the duplicate rules) is the row's error on the reference field. */
static enum rp_err create_pending(struct imp *im, struct rec_input *in)
{
    struct rec_ctx *ctx = im->ctx;
    for (size_t k = 0; k < im->npending; k++) {
        const struct pending_ref *p = &im->pending[k];
        const struct entity_def *re = meta_entity(rp_str_c(p->f->ref_entity));
        struct ref_entry *s = ref_slot(im, re->name, p->name);
        if (!s->id) {
            struct rec_input title = {.field = rp_str_c(re->title_field), .kind = IN_STRING,
                                      .s = p->name.p, .len = p->name.len};
            struct rec r;
            ctx->allow_duplicate = false;
            enum rp_err err = rec_create(ctx, re, &title, 1, &r);
            if (row_error(err)) {
                const char *why = err == RP_ECONFLICT ? "one like it exists: name it exactly"
                                                        " as it is, or give its id"
                                  : ctx->nerrors ? ctx->errors[0].message
                                  : ctx->detail  ? ctx->detail
                                                 : "it was refused";
                why = arena_strdup(ctx->a, why);
                reset_ctx(ctx);
                return rec_field_error(ctx, p->f->name, "no %s named \"%.*s\", and a new one"
                                       " cannot be created: %s", re->label, (int)p->name.len,
                                       p->name.p, why);
            }
            if (err)
                return err;
            s->id = arena_strdup(&im->cache_a, r.id);
            if (!s->created) {
                im->pend_created++; /* a dry run's later batch makes it again, uncounted */
                im->row_created[im->nrow_created++] = s;
            }
            s->created = true;
            im->batch_created = true;
        }
        in[p->input].s = s->id;
        in[p->input].len = strlen(s->id);
    }
    return RP_OK;
}

static enum rp_err end_batch(struct imp *im)
{
    if (!im->in_tx)
        return RP_OK;
    im->in_tx = false;
    enum rp_err err = rec_tx_end(im->ctx, im->o->dry_run ? RP_EINVAL : RP_OK);
    if (im->o->dry_run)
        err = RP_OK; /* rolled back on purpose */
    if (!err) {
        im->res->rows_imported += im->pend_imported;
        im->res->rows_updated += im->pend_updated;
        im->res->rows_skipped += im->pend_skipped;
        im->res->refs_created += im->pend_created;
    }
    /* A dry run's batch is rolled back with the records it created: the next batch
     * creates them again (to check its rows), without counting them twice. */
    if (im->o->dry_run && im->batch_created)
        for (size_t i = 0; i < REF_CACHE; i++)
            if (im->refs[i].created)
                im->refs[i].id = NULL;
    im->batch_created = false;
    im->pend_imported = im->pend_updated = im->pend_skipped = im->pend_created = 0;
    im->batch_rows = 0;
    return err;
}

static void import_row(struct imp *im, struct parse *ps)
{
    if (im->err)
        return;
    if (!im->header_done) {
        im->header_done = true;
        map_header(im, ps);
        arena_release(&im->row_a);
        return;
    }
    struct rec_ctx *ctx = im->ctx;
    struct imp_result *res = im->res;
    int64_t line = ps->line;
    res->rows_done++;
    struct arena *saved = ctx->a;
    ctx->a = &im->row_a;
    reset_ctx(ctx);
    enum rp_err err = RP_OK;
    im->npending = 0;
    if (ps->row_error) {
        err = rec_bad_request(ctx, "%s", ps->row_error);
    } else if (ps->too_big) {
        err = rec_bad_request(ctx, "the row is larger than 8 MiB");
    } else if (ps->extra || ps->nf != im->ncols) {
        err = rec_bad_request(ctx, "the row has %zu columns, the header has %zu",
                              ps->nf + ps->extra, im->ncols);
    } else {
        struct rec_input *in = arena_calloc(ctx->a, im->ncols + 2, sizeof(*in));
        size_t n = 0;
        const struct entity_def *e = im->o->e;
        /* Cells of references fed by several columns, chosen after the row is read. */
        struct rp_str *held = arena_calloc(ctx->a, im->ncols + 1, sizeof(*held));
        bool *is_held = arena_calloc(ctx->a, im->ncols + 1, sizeof(*is_held));
        for (size_t i = 0; i < ps->nf; i++) {
            struct rp_str v = cell(ps, i);
            int fi = im->col_field[i];
            if (fi == IGNORED || v.len == 0)
                continue;
            const char *fname = fi == FULL_NAME ? "full_name" : e->fields[fi].name;
            if (!text_utf8_valid(v)) {
                rec_field_error(ctx, fname, "is not valid UTF-8 (for GBK or GB18030 files,"
                                            " give the encoding)");
                continue;
            }
            v = imp_unneutralise(v);
            if (fi == FULL_NAME) {
                v = trim(v);
                size_t sp = v.len;
                while (sp > 0 && v.p[sp - 1] != ' ')
                    sp--;
                struct rp_str first = trim((struct rp_str){v.p, sp}), last = {v.p + sp, v.len - sp};
                if (first.len)
                    in[n++] = (struct rec_input){.field = RP_STR("first_name"), .kind = IN_STRING,
                                                 .s = first.p, .len = first.len};
                in[n++] = (struct rec_input){.field = RP_STR("last_name"), .kind = IN_STRING,
                                             .s = last.p, .len = last.len};
                continue;
            }
            const struct field_def *f = &e->fields[fi];
            if (f->flags & FF_READONLY)
                continue; /* computed by Rapport (exports carry them) */
            if ((f->type == FT_REF || f->type == FT_MULTI_REF || f->ref_type_field) &&
                im->nsrc[fi] > 1) {
                held[i] = v;
                is_held[i] = true;
                continue;
            }
            im->cur_input = n;
            enum rp_err ce = convert(im, f, v, &in[n]);
            if (!ce)
                n++;
            else if (!row_error(ce))
                err = ce;
        }
        for (size_t i = 0; i < ps->nf && !err; i++) {
            if (!is_held[i])
                continue;
            int fi = im->col_field[i];
            struct rp_str *cells = arena_calloc(ctx->a, im->ncols, sizeof(*cells));
            size_t nc = 0;
            for (size_t j = i; j < ps->nf; j++)
                if (is_held[j] && im->col_field[j] == fi) {
                    cells[nc++] = held[j];
                    is_held[j] = false;
                }
            struct rp_str v;
            enum rp_err ce = pick_ref(im, &e->fields[fi], cells, nc, &v);
            im->cur_input = n;
            if (!ce)
                ce = convert(im, &e->fields[fi], v, &in[n]);
            if (!ce)
                n++;
            else if (!row_error(ce))
                err = ce;
        }
        if (!err && ctx->nerrors)
            err = RP_EINVAL;
        if (!err) {
            if (!im->in_tx) {
                err = rec_tx_begin(ctx);
                im->in_tx = !err;
            }
            /* Records the row creates are undone with it when it fails or is skipped. */
            bool sp = false;
            int64_t skipped = im->pend_skipped;
            im->nrow_created = 0;
            if (!err && im->npending) {
                err = store_savepoint(ctx->conn);
                sp = !err;
                if (!err)
                    err = create_pending(im, in);
                if (!err && ctx->nerrors)
                    err = RP_EINVAL;
            }
            if (!err) {
                im->batch_rows++;
                err = save(im, in, n);
            }
            if (sp) {
                bool keep = !err && im->pend_skipped == skipped;
                enum rp_err end = store_savepoint_end(ctx->conn, keep);
                for (size_t k = 0; !keep && k < im->nrow_created; k++) {
                    im->row_created[k]->id = NULL;
                    im->row_created[k]->created = false;
                    im->pend_created--;
                }
                if (end)
                    err = end;
            }
        }
    }
    if (err && row_error(err)) {
        res->rows_failed++;
        for (size_t k = 0; k < ctx->nerrors; k++)
            add_error(im, line, ctx->errors[k].field, ctx->errors[k].message);
        if (!ctx->nerrors)
            add_error(im, line, NULL,
                      ctx->detail ? ctx->detail : msg_tr(ctx->lang, "the row was refused"));
        err = RP_OK;
    }
    if (!err && im->in_tx && im->batch_rows >= (im->o->batch ? im->o->batch : RP_IMPORT_BATCH)) {
        err = end_batch(im);
        if (!err && im->o->progress)
            im->o->progress(im->o->cls, res);
        if (!err && im->o->stop && im->o->stop(im->o->cls))
            err = RP_EBUSY;
    }
    ctx->a = saved;
    /* Rows take a few KiB each: releasing every ROW_ARENA_ROWS rows saves the
     * allocator's time without holding more than a few hundred KiB. What a hook
     * memoised for the transaction (rec_memo_put) lives there too: it goes with it. */
    if (res->rows_done % ROW_ARENA_ROWS == 0) {
        rec__memo_drop(ctx, NULL);
        arena_release(&im->row_a);
    }
    im->err = err;
}

static void count_row(struct imp *im, struct parse *ps)
{
    (void)ps;
    im->records++;
}

/* One pass over a CSV file: libcsv's records with their line numbers. */
static enum rp_err csv_pass(struct imp *im, struct reader *rd, struct parse *ps)
{
    enum rp_err err = RP_OK;
    memset(&ps->p, 0, sizeof(ps->p));
    if (csv_init(&ps->p, CSV_STRICT | CSV_REPALL_NL | CSV_STRICT_FINI) != 0)
        return RP_ENOMEM;
    csv_set_realloc_func(&ps->p, capped_realloc);
    csv_set_blk_size(&ps->p, CHUNK); /* libcsv grows by this much: small steps are quadratic */
    for (;;) {
        const char *p;
        size_t n;
        err = reader_next(rd, im->a, &p, &n, &im->res->fatal);
        if (err || n == 0)
            break;
        size_t used = csv_parse(&ps->p, p, n, on_field, on_record, ps);
        if (im->err) {
            err = im->err;
            break;
        }
        if (used != n) {
            int ce = csv_error(&ps->p);
            im->res->fatal = arena_printf(
                im->a, msg_tr(im->o->lang, "line %lld: %s"), (long long)(ps->line + ps->nl),
                msg_tr(im->o->lang, ce == CSV_EPARSE
                                        ? "a quote is misplaced: quote the whole field, and"
                                          " double any quote inside it (RFC 4180)"
                                        : "a field is longer than 1 MiB"));
            err = RP_EINVAL;
            break;
        }
    }
    if (!err && csv_fini(&ps->p, on_field, on_record, ps) != 0) {
        im->res->fatal = arena_printf(im->a,
                                      msg_tr(im->o->lang, "line %lld: a quoted field is not"
                                                          " closed before the end of the file"),
                                      (long long)ps->line);
        err = RP_EINVAL;
    }
    if (!err)
        err = im->err;
    csv_free(&ps->p);
    return err;
}

/* Hands a row of cells to the pass's row function as if libcsv had read it. */
static enum rp_err emit_row(struct parse *ps, int64_t line, const struct rp_str *cells, size_t n,
                            size_t extra, bool too_big, const char *row_error)
{
    struct imp *im = ps->im;
    buf_reset(&ps->row);
    ps->nf = 0;
    ps->too_big = too_big;
    /* A sheet leaves out a row's empty cells at its end: the row is as wide as the
     * header. */
    size_t width = im->header_done && n < im->ncols ? im->ncols : n;
    for (size_t i = 0; i < width && i < RP_MAX_IMPORT_COLUMNS; i++) {
        struct rp_str v = i < n ? cells[i] : (struct rp_str){"", 0};
        ps->off[i] = ps->row.len;
        ps->len[i] = v.len;
        if ((v.len && buf_add(&ps->row, v.p, v.len)) || buf_addc(&ps->row, '\0'))
            ps->too_big = true;
        ps->nf++;
    }
    ps->extra = extra;
    ps->line = line;
    ps->row_error = row_error;
    ps->on_row(im, ps);
    ps->row_error = NULL;
    return im->err;
}

static enum rp_err xlsx_row(void *cls, const struct xlsx_row *row)
{
    return emit_row(cls, row->num, row->cells, row->n, row->extra, row->too_big, NULL);
}

/* ---- vCards: each card a row of the fields it fills ---- */

/* The fields a vCard's slots go to: the first of each list the entity has. */
static const char *const VCF_FIELDS[VCF_NSLOTS] = {
    [VCF_FAMILY] = "last_name",
    [VCF_GIVEN] = "first_name",
    [VCF_PREFIX] = "salutation",
    [VCF_ORG] = "account_id company",
    [VCF_DEPT] = "department",
    [VCF_TITLE] = "title",
    [VCF_EMAIL] = "email",
    [VCF_EMAIL2] = "email_secondary",
    [VCF_TEL_CELL] = "phone_mobile mobile",
    [VCF_TEL_WORK] = "phone_work phone",
    [VCF_TEL_HOME] = "phone_home",
    [VCF_TEL_FAX] = "phone_fax fax",
    [VCF_TEL_OTHER] = "phone_other",
    [VCF_STREET] = "street",
    [VCF_CITY] = "city",
    [VCF_REGION] = "state",
    [VCF_POSTCODE] = "postcode",
    [VCF_COUNTRY] = "country",
    [VCF_NOTE] = "description",
    [VCF_BDAY] = "birthday",
    [VCF_URL] = "website",
};

struct vpass {
    struct parse *ps;
    const struct entity_def *e;
    int col[VCF_NSLOTS];            /* the slot's column, or -1 */
    const struct field_def *field[VCF_NSLOTS];
    size_t ncols;
    int64_t cards;
};

static void vcf_columns(struct vpass *vp)
{
    vp->ncols = 0;
    for (size_t s = 0; s < VCF_NSLOTS; s++) {
        vp->col[s] = -1;
        const char *p = VCF_FIELDS[s];
        while (p && *p && vp->col[s] < 0) {
            size_t n = strcspn(p, " ");
            const struct field_def *f = meta_field(vp->e, (struct rp_str){p, n});
            bool taken = false;
            for (size_t k = 0; k < s && f; k++)
                taken |= vp->field[k] == f;
            if (f && !taken && !(f->flags & FF_READONLY)) {
                vp->col[s] = (int)vp->ncols++;
                vp->field[s] = f;
            }
            p += n + (p[n] == ' ');
        }
    }
}

/* An honorific as the field's own value ("mr" is "Mr."), or nothing. */
static struct rp_str enum_value(const struct field_def *f, struct rp_str v)
{
    if (f->type != FT_ENUM)
        return v;
    struct rp_str bare = v;
    if (bare.len && bare.p[bare.len - 1] == '.')
        bare.len--;
    for (const char *const *ev = f->enum_values; ev && *ev; ev++) {
        size_t n = strlen(*ev);
        size_t m = n && (*ev)[n - 1] == '.' ? n - 1 : n;
        if (bare.len == m && strncasecmp(bare.p, *ev, m) == 0)
            return rp_str_c(*ev);
    }
    return (struct rp_str){"", 0};
}

static enum rp_err vcf_row(void *cls, const struct vcf_card *c)
{
    struct vpass *vp = cls;
    struct rp_str cells[VCF_NSLOTS];
    for (size_t i = 0; i < vp->ncols; i++)
        cells[i] = (struct rp_str){"", 0};
    bool placed[VCF_NSLOTS] = {false};
    for (size_t s = 0; s < VCF_NSLOTS; s++)
        if (vp->col[s] >= 0 && c->v[s].len) {
            cells[vp->col[s]] = s == VCF_PREFIX ? enum_value(vp->field[s], c->v[s]) : c->v[s];
            placed[s] = true;
        }
    /* Phone numbers of a kind the entity has no field for go to a free phone field. */
    static const enum vcf_slot SPARE[] = {VCF_TEL_HOME, VCF_TEL_OTHER, VCF_TEL_FAX};
    static const enum vcf_slot FREE[] = {VCF_TEL_WORK, VCF_TEL_CELL};
    for (size_t i = 0; i < RP_NELEM(SPARE); i++) {
        if (placed[SPARE[i]] || !c->v[SPARE[i]].len)
            continue;
        for (size_t k = 0; k < RP_NELEM(FREE); k++)
            if (vp->col[FREE[k]] >= 0 && !cells[vp->col[FREE[k]]].len) {
                cells[vp->col[FREE[k]]] = c->v[SPARE[i]];
                break;
            }
    }
    vp->cards++;
    return emit_row(vp->ps, c->line, cells, vp->ncols, 0, false, c->error);
}

/* One pass over a vCard file: a header of the fields its cards can fill, then a row
 * per card. */
static enum rp_err vcard_pass(struct imp *im, struct reader *rd, struct parse *ps)
{
    struct vpass vp = {.ps = ps, .e = im->o->e};
    if (!has_person_name(vp.e)) {
        const char *labels = im->o->lang == RP_LANG_ZH && vp.e->label_plural_zh &&
                                     vp.e->label_plural_zh[0]
                                 ? vp.e->label_plural_zh
                                 : vp.e->label_plural;
        im->res->fatal = arena_printf(im->a, msg_tr(im->o->lang, "%s do not take vCards: they"
                                                                 " have no first and last names"),
                                      labels);
        return RP_EINVAL;
    }
    vcf_columns(&vp);
    struct rp_str head[VCF_NSLOTS];
    for (size_t s = 0; s < VCF_NSLOTS; s++)
        if (vp.col[s] >= 0)
            head[vp.col[s]] = rp_str_c(vp.field[s]->name);
    enum rp_err err = emit_row(ps, 1, head, vp.ncols, 0, false, NULL);
    struct vcf *v = malloc(sizeof(*v));
    if (!v)
        return RP_ENOMEM;
    vcf_init(v, im->o->lang, vcf_row, &vp);
    while (!err) {
        const char *p;
        size_t n;
        err = reader_next(rd, im->a, &p, &n, &im->res->fatal);
        if (err || n == 0)
            break;
        err = vcf_feed(v, p, n);
    }
    if (!err)
        err = vcf_finish(v);
    vcf_release(v);
    free(v);
    if (!err && vp.cards == 0) {
        im->res->fatal = msg_tr(im->o->lang, "the file has no vCard (BEGIN:VCARD … END:VCARD)");
        err = RP_EINVAL;
    }
    return err;
}

/* Runs one pass over the source; a structural problem is RP_EINVAL with res->fatal. */
static enum rp_err pass(struct imp *im, struct reader *rd, struct parse *ps,
                        void (*on_row)(struct imp *, struct parse *))
{
    enum rp_err err = RP_OK;
    reader_rewind(rd);
    buf_init(&ps->row, ROW_MAX + RP_MAX_IMPORT_COLUMNS);
    ps->nf = ps->extra = 0;
    ps->too_big = ps->any = false;
    ps->line = 1;
    ps->nl = 0;
    ps->last_term = 0;
    ps->row_error = NULL;
    ps->im = im;
    ps->on_row = on_row;
    switch (im->o->format) {
    case IMP_XLSX:
        err = xlsx_read(rd->src->mem, rd->src->len, rd->src->f, xlsx_row, ps, im->a,
                        im->o->lang, &im->res->fatal);
        break;
    case IMP_VCARD:
        err = vcard_pass(im, rd, ps);
        break;
    case IMP_CSV:
        err = csv_pass(im, rd, ps);
        break;
    }
    buf_release(&ps->row);
    if (err == RP_EIO)
        err = RP_EINVAL; /* res->fatal says the file could not be read */
    return err;
}

/* ---- preview ---- */

static void preview_row(struct imp *im, struct parse *ps)
{
    struct imp_preview *pv = im->preview;
    if (!im->header_done) {
        im->header_done = true;
        map_header(im, ps);
        pv->ncols = ps->nf;
        pv->headers = arena_calloc(im->a, ps->nf + 1, sizeof(*pv->headers));
        pv->fields = arena_calloc(im->a, ps->nf + 1, sizeof(*pv->fields));
        for (size_t i = 0; i < ps->nf; i++) {
            struct rp_str h = cell(ps, i);
            pv->headers[i] = text_utf8_valid(h) ? arena_strndup(im->a, h.p, h.len) : "(not UTF-8)";
            int k = im->col_field[i];
            pv->fields[i] = k == FULL_NAME ? "full_name" : k == IGNORED ? NULL : im->o->e->fields[k].name;
        }
        pv->rows = arena_calloc(im->a, im->max_rows + 1, sizeof(*pv->rows));
    } else if (pv->nrows < im->max_rows) { /* the rest of the chunk read is not kept */
        const char **row = arena_calloc(im->a, pv->ncols + 1, sizeof(*row));
        for (size_t i = 0; i < pv->ncols && i < ps->nf; i++) {
            struct rp_str v = cell(ps, i);
            row[i] = text_utf8_valid(v) ? arena_strndup(im->a, v.p, v.len) : "(not UTF-8)";
        }
        pv->rows[pv->nrows++] = row;
    }
    if (pv->nrows == im->max_rows)
        im->err = RP_EBUSY; /* enough: stop reading */
}

enum rp_err imp_preview(const struct imp_options *o, struct imp_source *src, size_t max_rows,
                        struct arena *a, struct imp_preview *out, const char **fatal)
{
    memset(out, 0, sizeof(*out));
    *fatal = NULL;
    struct imp_result res;
    memset(&res, 0, sizeof(res));
    struct imp *im = calloc(1, sizeof(*im));
    struct reader *rd = calloc(1, sizeof(*rd));
    struct parse *ps = calloc(1, sizeof(*ps));
    enum rp_err err = im && rd && ps ? RP_OK : RP_ENOMEM;
    if (!err) {
        im->o = o;
        im->res = &res;
        im->a = a;
        im->preview = out;
        im->max_rows = max_rows;
        arena_init(&im->row_a);
        rd->src = src;
        rd->encoding = o->encoding;
        rd->lang = o->lang;
        rd->cd = (iconv_t)-1;
        if (!imp_encoding_ok(o->encoding)) {
            res.fatal = msg_tr(o->lang, "the encoding must be utf-8, gbk or gb18030");
            err = RP_EINVAL;
        } else if (!is_utf8_name(o->encoding) &&
                   (rd->cd = iconv_open("UTF-8", "GB18030")) == (iconv_t)-1) {
            err = RP_EIO;
        }
    }
    if (!err)
        err = pass(im, rd, ps, preview_row);
    if (err == RP_EBUSY)
        err = RP_OK; /* stopped after max_rows */
    if (!err && !im->header_done) {
        res.fatal = msg_tr(o->lang, "the file is empty: its first line must name the columns");
        err = RP_EINVAL;
    }
    *fatal = res.fatal;
    if (rd && rd->cd != (iconv_t)-1)
        iconv_close(rd->cd);
    if (im)
        arena_release(&im->row_a);
    free(im);
    free(rd);
    free(ps);
    return err;
}

/* The audit row of an import: who, into what, how many rows, how it ended. */
static enum rp_err audit_import(struct rec_ctx *ctx, const struct imp_options *o,
                                const struct imp_result *r)
{
    char id[RP_ID_LEN + 1], now[32], what[160];
    enum rp_err err = ids_uuid7(id);
    if (err)
        return err;
    text_format_datetime(text_now_ms(), now, sizeof(now));
    snprintf(what, sizeof(what), "rows=%lld imported=%lld updated=%lld skipped=%lld failed=%lld",
             (long long)r->rows_total, (long long)r->rows_imported, (long long)r->rows_updated,
             (long long)r->rows_skipped, (long long)r->rows_failed);
    struct store_audit row = {now, ctx->who ? ctx->who->user_id : NULL, o->e->name, id,
                              o->dry_run ? "import_dry_run" : "import", imp_dup_name(o->on_dup),
                              store_null(), store_cstr(what), NULL};
    err = rec_tx_begin(ctx);
    if (!err) {
        enum rp_err werr = store_audit_add(ctx->conn, &row);
        if (!werr)
            werr = secev_add(ctx, NULL, row.action, o->e->name, id,
                             r->fatal ? "failure" : "success", what);
        err = rec_tx_end(ctx, werr);
    }
    return err;
}

const struct entity_def *imp_forbidden_create(const struct rec_ctx *ctx,
                                              const struct imp_options *o)
{
    if (!o->create_missing || ctx->system)
        return NULL;
    for (size_t i = 0; i < o->e->nfields; i++) {
        const struct field_def *f = &o->e->fields[i];
        const struct entity_def *re = f->type == FT_REF && !(f->flags & FF_READONLY)
                                          ? meta_entity(rp_str_c(f->ref_entity))
                                          : NULL;
        if (re && (re->flags & EF_CREATE_BY_NAME) &&
            acl_scope(ctx->who, re, ACL_CREATE) == SCOPE_NONE)
            return re;
    }
    return NULL;
}

enum rp_err imp_run(struct rec_ctx *ctx, const struct imp_options *o, struct imp_source *src,
                    struct arena *a, struct imp_result *res)
{
    memset(res, 0, sizeof(*res));
    struct imp *im = calloc(1, sizeof(*im));
    struct reader *rd = calloc(1, sizeof(*rd));
    struct parse *ps = calloc(1, sizeof(*ps));
    if (!im || !rd || !ps) {
        free(im);
        free(rd);
        free(ps);
        return RP_ENOMEM;
    }
    im->ctx = ctx;
    im->o = o;
    im->res = res;
    im->a = a;
    arena_init(&im->row_a);
    arena_init(&im->cache_a);
    im->refs = arena_calloc(a, REF_CACHE, sizeof(*im->refs));
    rd->src = src;
    rd->encoding = o->encoding;
    rd->lang = o->lang;
    rd->cd = (iconv_t)-1;
    enum rp_err err = RP_OK;
    const struct entity_def *nocreate = imp_forbidden_create(ctx, o);
    if (nocreate) {
        res->fatal = arena_printf(a, msg_tr(o->lang, "your role may not create %s, which rows"
                                                     " naming one that does not exist would"
                                                     " (create_accounts)"),
                                  rec_labels(ctx, nocreate));
        err = RP_EFORBIDDEN;
    } else if (!imp_encoding_ok(o->encoding)) {
        res->fatal = msg_tr(o->lang, "the encoding must be utf-8, gbk or gb18030");
        err = RP_EINVAL;
    } else if (!is_utf8_name(o->encoding)) {
        /* GB18030 is a superset of GBK: decoding every such file as GB18030 is exact. */
        rd->cd = iconv_open("UTF-8", "GB18030");
        if (rd->cd == (iconv_t)-1)
            err = RP_EIO;
    }
    /* The caller's team is loaded once, into memory that outlives the rows. */
    struct arena *saved = ctx->a;
    ctx->a = a;
    if (!err && ctx->who && !ctx->system)
        err = acl_peers(ctx, true);
    ctx->a = saved;
    if (!err)
        err = pass(im, rd, ps, count_row);
    if (!err && im->records == 0) {
        res->fatal = msg_tr(o->lang, "the file is empty: its first line must name the columns");
        err = RP_EINVAL;
    }
    if (!err) {
        res->rows_total = im->records - 1;
        err = pass(im, rd, ps, import_row);
    }
    if (im->in_tx) {
        if (err) {
            rec_tx_end(ctx, err);
            im->in_tx = false;
        } else {
            err = end_batch(im);
        }
    }
    if (!err)
        err = audit_import(ctx, o, res);
    /* A large load changes the data's shape: fresh planner statistics, and its batches'
     * full-text segments merged into one, which later creates would otherwise merge a
     * piece at a time (store_fts_optimize). */
    if (!err && !o->dry_run && res->rows_imported >= RP_IMPORT_ANALYZE_ROWS) {
        err = store_analyze(ctx->conn, o->e->name);
        if (!err && meta_searchable(o->e))
            err = store_fts_optimize(ctx->conn, o->e->name);
    }
    if (!err && o->progress)
        o->progress(o->cls, res);
    if (rd->cd != (iconv_t)-1)
        iconv_close(rd->cd);
    arena_release(&im->row_a);
    arena_release(&im->cache_a);
    free(im);
    free(rd);
    free(ps);
    return err;
}
