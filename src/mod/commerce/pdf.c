/* A quote as a PDF, drawn with libharu: the company's letterhead, the customer, the
 * lines in a table that runs over as many pages as it needs, the totals and the terms,
 * in English or Chinese. One TrueType font with Chinese and Latin glyphs (Debian's
 * fonts-wqy-zenhei) is embedded, with text in UTF-8. */
#include "core/common.h"

#include <hpdf.h>
#include <jansson.h>
#include <stdlib.h>

#include "core/log.h"
#include "core/text.h"
#include "mod/commerce/commerce.h"

/* The font: TrueType outlines (libharu reads no CFF fonts, such as Noto CJK's), the
 * first of its collection. */
#define CM_PDF_FONT "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
#define MARGIN 48.0f
#define FOOT 40.0f

static const struct field_def LETTERHEAD_FIELDS[] = {
    {.name = "company_name", .label = "Company name", .label_zh = "公司名称", .type = FT_STRING,
     .flags = FF_REQUIRED | FF_SEARCH | FF_LIST, .maxlen = 200, .group = "overview"},
    {.name = "is_default", .label = "Used for quotes", .label_zh = "用于报价", .type = FT_BOOL,
     .flags = FF_LIST, .def = "true", .group = "overview"},
    {.name = "address", .label = "Address", .label_zh = "地址", .type = FT_TEXT,
     .group = "overview"},
    {.name = "phone", .label = "Phone", .label_zh = "电话", .type = FT_PHONE, .group = "overview"},
    {.name = "email", .label = "Email", .label_zh = "电子邮件", .type = FT_EMAIL,
     .group = "overview"},
    {.name = "website", .label = "Website", .label_zh = "网站", .type = FT_URL,
     .group = "overview"},
    {.name = "tax_id", .label = "Tax ID", .label_zh = "税号", .type = FT_STRING, .maxlen = 60,
     .group = "overview"},
    {.name = "footer", .label = "Footer", .label_zh = "页脚", .type = FT_TEXT, .group = "overview"},
};

const struct entity_def cm__letterheads = {
    .name = "letterheads",
    .label = "Letterhead",
    .label_plural = "Letterheads",
    .label_zh = "信头",
    .label_plural_zh = "信头",
    .fields = LETTERHEAD_FIELDS,
    .nfields = RP_NELEM(LETTERHEAD_FIELDS),
    .title_field = "company_name",
    .default_sort = "-is_default",
};

/* What a page is being drawn with. */
struct doc {
    struct rec_ctx *ctx;
    HPDF_Doc pdf;
    HPDF_Font font;
    HPDF_Page page;
    float width, height, y;
    int pages;
    bool zh;
    const char *footer;
    bool failed;
};

static void on_error(HPDF_STATUS err, HPDF_STATUS detail, void *user)
{
    struct doc *d = user;
    if (!d->failed)
        log_write(LOG_WARN, "pdf: libharu error %04X (%u)", (unsigned)err, (unsigned)detail);
    d->failed = true;
}

/* A message in the document's language (the caller's). */
static const char *tr(struct doc *d, const char *en)
{
    return msg_tr(d->ctx->lang, en);
}

static float width_of(struct doc *d, const char *s, float size)
{
    HPDF_Page_SetFontAndSize(d->page, d->font, size);
    return HPDF_Page_TextWidth(d->page, s);
}

static void text_at(struct doc *d, float x, float y, float size, const char *s)
{
    if (!s || !*s)
        return;
    HPDF_Page_BeginText(d->page);
    HPDF_Page_SetFontAndSize(d->page, d->font, size);
    HPDF_Page_TextOut(d->page, x, y, s);
    HPDF_Page_EndText(d->page);
}

static void text_right(struct doc *d, float right, float y, float size, const char *s)
{
    if (s && *s)
        text_at(d, right - width_of(d, s, size), y, size, s);
}

/* s cut into lines no wider than w (at spaces where there are some, else between
 * characters, as Chinese is written), at most max; returns how many. */
static size_t wrap(struct doc *d, const char *s, float w, float size, const char **out, size_t max)
{
    size_t n = 0, len = s ? strlen(s) : 0, start = 0;
    HPDF_Page_SetFontAndSize(d->page, d->font, size);
    while (start < len && n < max) {
        size_t i = start, fit = start, space = 0;
        while (i < len && s[i] != '\n') {
            size_t next = i;
            text_utf8_next(s, len, &next);
            const char *piece = arena_strndup(d->ctx->a, s + start, next - start);
            if (HPDF_Page_TextWidth(d->page, piece) > w && fit > start)
                break;
            if (s[i] == ' ')
                space = i;
            fit = i = next;
        }
        size_t end = fit;
        if (i < len && s[i] != '\n' && space > start)
            end = space;
        out[n++] = arena_strndup(d->ctx->a, s + start, end - start);
        start = end;
        while (start < len && (s[start] == ' ' || s[start] == '\n'))
            start++;
    }
    /* Text that did not fit ends in an ellipsis, so the cut shows. */
    if (n && start < len)
        out[n - 1] = arena_printf(d->ctx->a, "%s…", out[n - 1]);
    return n;
}

static void new_page(struct doc *d, enum cm_paper paper)
{
    d->page = HPDF_AddPage(d->pdf);
    HPDF_Page_SetSize(d->page, paper == CM_LETTER ? HPDF_PAGE_SIZE_LETTER : HPDF_PAGE_SIZE_A4,
                      HPDF_PAGE_PORTRAIT);
    d->width = HPDF_Page_GetWidth(d->page);
    d->height = HPDF_Page_GetHeight(d->page);
    d->y = d->height - MARGIN;
    d->pages++;
    const char *foot[2];
    size_t nf = wrap(d, d->footer, d->width - 2 * MARGIN - 60, 7, foot, 2);
    for (size_t i = 0; i < nf; i++)
        text_at(d, MARGIN, FOOT - 4 - 9 * (float)i, 7, foot[i]);
    text_right(d, d->width - MARGIN, FOOT - 4, 7,
               arena_printf(d->ctx->a, "%s %d", tr(d, MSG("Page")), d->pages));
}

static const char *field(struct rec_ctx *ctx, const struct rec *r, const char *name)
{
    return r && r->id ? rec_text(ctx->a, r, name) : NULL;
}

/* Minor units as "1,234.50". */
static const char *amount(struct arena *a, const char *text)
{
    const char *dot = strchr(text, '.');
    size_t whole = dot ? (size_t)(dot - text) : strlen(text), lead = text[0] == '-';
    char *out = arena_alloc(a, strlen(text) * 2 + 2);
    size_t n = 0;
    for (size_t i = 0; i < whole; i++) {
        size_t left = whole - i;
        if (i > lead && left % 3 == 0)
            out[n++] = ',';
        out[n++] = text[i];
    }
    memcpy(out + n, text + whole, strlen(text + whole) + 1);
    return out;
}

static const char *money_of(struct doc *d, const char *text)
{
    return amount(d->ctx->a, text ? text : "0.00");
}

/* The columns of the lines table: left edges, and right edges for numbers. */
struct cols {
    float no, item, qty, price, disc, tax, total;
};

static void table_head(struct doc *d, const struct cols *c)
{
    float y = d->y;
    text_at(d, c->no, y, 8, "#");
    text_at(d, c->item, y, 8, tr(d, MSG("Item")));
    text_right(d, c->qty, y, 8, tr(d, MSG("Qty")));
    text_right(d, c->price, y, 8, tr(d, MSG("Unit price")));
    text_right(d, c->disc, y, 8, tr(d, MSG("Discount")));
    text_right(d, c->tax, y, 8, tr(d, MSG("Tax %")));
    text_right(d, c->total, y, 8, tr(d, MSG("Amount")));
    HPDF_Page_SetLineWidth(d->page, 0.6f);
    HPDF_Page_MoveTo(d->page, MARGIN, y - 4);
    HPDF_Page_LineTo(d->page, d->width - MARGIN, y - 4);
    HPDF_Page_Stroke(d->page);
    d->y = y - 16;
}

static const char *jtext(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static void draw_lines(struct doc *d, enum cm_paper paper, json_t *lines, const struct cols *c)
{
    table_head(d, c);
    for (size_t i = 0; i < json_array_size(lines); i++) {
        json_t *l = json_array_get(lines, i);
        const char *name = d->zh && jtext(l, "name_zh") ? jtext(l, "name_zh") : jtext(l, "name");
        const char *desc = jtext(l, "description"), *opts = jtext(l, "options_text");
        if (opts)
            desc = desc ? arena_printf(d->ctx->a, "%s — %s", desc, opts) : opts;
        const char *sku = jtext(l, "sku");
        const char *item = name ? (sku ? arena_printf(d->ctx->a, "%s (%s)", name, sku) : name) : desc;
        const char *rows[8];
        size_t n = wrap(d, item, c->qty - c->item - 40, 9, rows, 4);
        const char *more[8];
        size_t m = name && desc ? wrap(d, desc, c->qty - c->item - 40, 7.5f, more, 4) : 0;
        float need = 12 * (float)n + 10 * (float)m + 4;
        if (d->y - need < FOOT + 20) {
            new_page(d, paper);
            table_head(d, c);
        }
        float y = d->y;
        text_at(d, c->no, y, 9, arena_printf(d->ctx->a, "%zu", i + 1));
        for (size_t k = 0; k < n; k++)
            text_at(d, c->item, y - 12 * (float)k, 9, rows[k]);
        for (size_t k = 0; k < m; k++)
            text_at(d, c->item, y - 12 * (float)n - 10 * (float)k + 2, 7.5f, more[k]);
        json_t *q = json_object_get(l, "quantity");
        text_right(d, c->qty, y, 9,
                   arena_printf(d->ctx->a, "%lld", (long long)json_integer_value(q)));
        text_right(d, c->price, y, 9, money_of(d, jtext(l, "unit_price")));
        const char *pct = jtext(l, "discount_percent");
        const char *off = jtext(l, "discount");
        bool has_pct = pct && strcmp(pct, "0.00") != 0;
        text_right(d, c->disc, y, 9,
                   off && strcmp(off, "0.00") != 0
                       ? (has_pct ? arena_printf(d->ctx->a, "%s%%", pct) : money_of(d, off))
                       : "");
        text_right(d, c->tax, y, 9, jtext(l, "tax_rate"));
        text_right(d, c->total, y, 9, money_of(d, jtext(l, "total")));
        d->y = y - need - 4;
    }
}

/* The default letterhead: the newest one used for quotes, or none. */
static enum rp_err letterhead(struct rec_ctx *ctx, struct rec *out)
{
    *out = (struct rec){0};
    const struct rec_param P[] = {{RP_STR("is_default"), RP_STR("true")},
                                         {RP_STR("limit"), RP_STR("1")},
                                         {RP_STR("sort"), RP_STR("-updated_at")}};
    struct rec_query *q;
    struct rec_page page;
    const char *saved = rec_system_begin(ctx, "letterhead");
    enum rp_err err = rec_query_parse(ctx, meta_need("letterheads"), P, RP_NELEM(P), &q);
    if (!err)
        err = rec_list(ctx, meta_need("letterheads"), q, &page);
    rec_system_end(ctx, saved);
    if (!err && page.nrows)
        *out = page.rows[0];
    return err;
}

/* The record a reference of r names, when the caller reads it (else an empty one). */
static enum rp_err linked(struct rec_ctx *ctx, const struct rec *r, const char *f,
                          const char *entity, struct rec *out)
{
    *out = (struct rec){0};
    const char *id = rec_text(ctx->a, r, f);
    enum rp_err err = id ? rec_get(ctx, meta_need(entity), rp_str_c(id), out) : RP_OK;
    if (err == RP_ENOTFOUND) {
        *out = (struct rec){0};
        err = RP_OK;
    }
    return err;
}

static void heading(struct doc *d, const struct rec *lh, const struct rec *q)
{
    struct rec_ctx *ctx = d->ctx;
    float right = d->width - MARGIN, y = d->y;
    const char *company[2];
    size_t nc = wrap(d, field(ctx, lh, "company_name"), d->width / 2 - MARGIN, 15, company, 2);
    for (size_t i = 0; i < nc; i++)
        text_at(d, MARGIN, y - 14 - 18 * (float)i, 15, company[i]);
    float ly = y - 30 - 18 * (float)(nc > 1 ? nc - 1 : 0);
    const char *addr[6];
    size_t na = wrap(d, field(ctx, lh, "address"), 260, 8.5f, addr, 4);
    for (size_t i = 0; i < na; i++, ly -= 11)
        text_at(d, MARGIN, ly, 8.5f, addr[i]);
    static const char *const CONTACT[] = {"phone", "email", "website", "tax_id"};
    for (size_t i = 0; i < RP_NELEM(CONTACT); i++) {
        const char *v = field(ctx, lh, CONTACT[i]);
        if (!v)
            continue;
        text_at(d, MARGIN, ly, 8.5f,
                strcmp(CONTACT[i], "tax_id") == 0 ? arena_printf(ctx->a, "%s %s", tr(d, MSG("Tax ID")), v) : v);
        ly -= 11;
    }
    text_right(d, right, y - 14, 18, tr(d, MSG("QUOTE")));
    const char *number = rec_text(ctx->a, q, "number");
    text_right(d, right, y - 32, 9,
               arena_printf(ctx->a, "%s %s  v%lld", tr(d, MSG("No.")), number ? number : "",
                        (long long)rec_field(q, "revision")->i));
    text_right(d, right, y - 44, 9,
               arena_printf(ctx->a, "%s %.10s", tr(d, MSG("Date")), q->created_at));
    const char *until = rec_text(ctx->a, q, "valid_until");
    if (until)
        text_right(d, right, y - 56, 9, arena_printf(ctx->a, "%s %s", tr(d, MSG("Valid until")), until));
    d->y = (ly < y - 64 ? ly : y - 64) - 14;
}

static void customer(struct doc *d, const struct rec *acc, const struct rec *con,
                     const struct rec *q)
{
    struct rec_ctx *ctx = d->ctx;
    text_at(d, MARGIN, d->y, 8, tr(d, MSG("To")));
    d->y -= 13;
    const char *name = field(ctx, acc, "name");
    if (name) {
        text_at(d, MARGIN, d->y, 11, name);
        d->y -= 13;
    }
    static const char *const ADDR[] = {"billing_street", "billing_city", "billing_state",
                                       "billing_postcode", "billing_country"};
    const char *line = NULL;
    for (size_t i = 0; i < RP_NELEM(ADDR); i++) {
        const char *v = field(ctx, acc, ADDR[i]);
        if (v)
            line = line ? arena_printf(ctx->a, "%s, %s", line, v) : v;
    }
    const char *rows[3];
    size_t n = wrap(d, line, d->width - 2 * MARGIN, 8.5f, rows, 3);
    for (size_t i = 0; i < n; i++, d->y -= 11)
        text_at(d, MARGIN, d->y, 8.5f, rows[i]);
    if (con && con->id) {
        const char *first = field(ctx, con, "first_name"), *last = field(ctx, con, "last_name");
        const char *who = text_person_name(ctx->a, rp_str_c(first ? first : ""),
                                           rp_str_c(last ? last : ""));
        text_at(d, MARGIN, d->y, 8.5f, arena_printf(ctx->a, "%s %s", tr(d, MSG("Attn.")), who));
        d->y -= 11;
    }
    d->y -= 10;
    text_at(d, MARGIN, d->y, 12, rec_text(ctx->a, q, "name"));
    d->y -= 22;
}

static void totals(struct doc *d, enum cm_paper paper, const struct rec *q, const struct cols *c)
{
    struct rec_ctx *ctx = d->ctx;
    if (d->y < FOOT + 90)
        new_page(d, paper);
    HPDF_Page_SetLineWidth(d->page, 0.6f);
    HPDF_Page_MoveTo(d->page, c->disc - 40, d->y + 6);
    HPDF_Page_LineTo(d->page, d->width - MARGIN, d->y + 6);
    HPDF_Page_Stroke(d->page);
    static const char *const F[] = {"subtotal", "discount_total", "tax_total", "total"};
    static const char *const L[] = {MSG("Subtotal"), MSG("Discounts"), MSG("Tax"), MSG("Total")};
    const char *cur = rec_text(ctx->a, q, "currency");
    for (size_t i = 0; i < RP_NELEM(F); i++) {
        float size = i == 3 ? 11 : 9;
        const char *v = rec_value_text(ctx->a, meta_field(q->ent, rp_str_c(F[i])), rec_field(q, F[i]));
        text_right(d, c->disc, d->y - 8, size, tr(d, L[i]));
        text_right(d, c->total, d->y - 8, size,
                   i == 3 ? arena_printf(ctx->a, "%s %s", cur, money_of(d, v)) : money_of(d, v));
        d->y -= i == 2 ? 18 : 14;
    }
    d->y -= 16;
}

static void terms(struct doc *d, enum cm_paper paper, const struct rec *q)
{
    const char *t = rec_text(d->ctx->a, q, "terms");
    if (!t)
        return;
    const char *rows[200];
    size_t n = wrap(d, t, d->width - 2 * MARGIN, 8.5f, rows, RP_NELEM(rows));
    if (d->y < FOOT + 40)
        new_page(d, paper);
    text_at(d, MARGIN, d->y, 9, tr(d, MSG("Terms")));
    d->y -= 13;
    for (size_t i = 0; i < n; i++, d->y -= 11) {
        if (d->y < FOOT + 16)
            new_page(d, paper);
        text_at(d, MARGIN, d->y, 8.5f, rows[i]);
    }
}

/* Lets libharu write into memory and copies it out. */
static enum rp_err save(struct doc *d, unsigned char **pdf, size_t *len)
{
    if (d->failed || HPDF_SaveToStream(d->pdf) != HPDF_OK)
        return RP_ENOMEM;
    HPDF_UINT32 size = HPDF_GetStreamSize(d->pdf);
    unsigned char *buf = malloc(size ? size : 1);
    if (!buf)
        return RP_ENOMEM;
    HPDF_UINT32 got = size;
    HPDF_ResetStream(d->pdf);
    if (HPDF_ReadFromStream(d->pdf, buf, &got) != HPDF_OK && got != size) {
        free(buf);
        return RP_ENOMEM;
    }
    *pdf = buf;
    *len = got;
    return RP_OK;
}

enum rp_err cm_quote_pdf(struct rec_ctx *ctx, struct rp_str id, enum cm_paper paper,
                         unsigned char **pdf, size_t *len, const char **name)
{
    struct rec q, lh, acc, con;
    enum rp_err err = rec_get(ctx, meta_need("quotes"), id, &q);
    if (!err)
        err = letterhead(ctx, &lh);
    if (!err)
        err = linked(ctx, &q, "account_id", "accounts", &acc);
    if (!err)
        err = linked(ctx, &q, "contact_id", "contacts", &con);
    if (err)
        return err;
    const char *number = rec_text(ctx->a, &q, "number");
    *name = arena_printf(ctx->a, "%s-v%lld-%s.pdf", number ? number : "quote",
                         (long long)rec_field(&q, "revision")->i, paper == CM_LETTER ? "letter" : "a4");
    const struct rec_value *lv = rec_field(&q, "lines");
    json_t *lines = lv->null ? json_array() : json_loadb(lv->s, lv->len, 0, NULL);
    struct doc d = {.ctx = ctx, .zh = ctx->lang == RP_LANG_ZH,
                    .footer = field(ctx, &lh, "footer")};
    d.pdf = HPDF_New(on_error, &d);
    if (!d.pdf || !lines) {
        json_decref(lines);
        return RP_ENOMEM;
    }
    HPDF_SetCompressionMode(d.pdf, HPDF_COMP_ALL);
    HPDF_UseUTFEncodings(d.pdf);
    const char *font = HPDF_LoadTTFontFromFile2(d.pdf, CM_PDF_FONT, 0, HPDF_TRUE);
    d.font = font ? HPDF_GetFont(d.pdf, font, "UTF-8") : NULL;
    if (!d.font) {
        log_write(LOG_ERROR, "pdf: cannot load the font %s (Debian: fonts-wqy-zenhei)",
                  CM_PDF_FONT);
        d.failed = true;
    } else {
        HPDF_SetInfoAttr(d.pdf, HPDF_INFO_CREATOR, "Rapport");
        new_page(&d, paper);
        float right = d.width - MARGIN;
        struct cols c = {.no = MARGIN, .item = MARGIN + 20, .qty = right - 270,
                         .price = right - 200, .disc = right - 135, .tax = right - 85,
                         .total = right};
        heading(&d, &lh, &q);
        customer(&d, &acc, &con, &q);
        draw_lines(&d, paper, lines, &c);
        totals(&d, paper, &q, &c);
        terms(&d, paper, &q);
    }
    json_decref(lines);
    err = save(&d, pdf, len);
    HPDF_Free(d.pdf);
    return err;
}
