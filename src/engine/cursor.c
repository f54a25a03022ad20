/* List cursors (DESIGN §5): opaque keyset positions, bound to the list and sort they
 * came from. */
#include "core/common.h"

#include "core/text.h"
#include "engine/query_int.h"

/* ---- cursor: base64url of [fingerprint u32][nkeys u8]{tag value}*[seq i64] ---- */

static uint32_t fingerprint(const struct entity_def *e, const struct rec_query *q)
{
    uint32_t h = 2166136261u;
    const char *s = e->name;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    for (size_t i = 0; i < q->nsort; i++) {
        for (s = q->sort[i].col.name; *s; s++)
            h = (h ^ (unsigned char)*s) * 16777619u;
        h = (h ^ (q->sort[i].desc ? '-' : '+')) * 16777619u;
    }
    return q->newest ? (h ^ '#') * 16777619u : h;
}

static void put_u64(struct rp_buf *b, uint64_t v)
{
    for (int i = 7; i >= 0; i--)
        buf_addc(b, (char)(v >> (i * 8)));
}

static uint64_t get_u64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}

const char *rec__cursor_encode(struct rec_ctx *ctx, const struct entity_def *e,
                               const struct rec_query *q, const struct rec *last)
{
    struct rp_buf b;
    buf_init(&b, RP_MAX_CURSOR);
    uint32_t fp = fingerprint(e, q);
    for (int i = 3; i >= 0; i--)
        buf_addc(&b, (char)(fp >> (i * 8)));
    buf_addc(&b, (char)q->nsort);
    for (size_t i = 0; i < q->nsort; i++) {
        const struct col *c = &q->sort[i].col;
        const char *text = NULL;
        int64_t iv = 0;
        bool null = false;
        int idx = meta_field_index(e, rp_str_c(c->name));
        if (idx >= 0) {
            null = last->v[idx].null;
            iv = last->v[idx].i;
            text = last->v[idx].s;
        } else {
            text = strcmp(c->name, "id") == 0           ? last->id
                   : strcmp(c->name, "owner_id") == 0   ? last->owner_id
                   : strcmp(c->name, "created_by") == 0 ? last->created_by
                   : strcmp(c->name, "created_at") == 0 ? last->created_at
                                                        : last->updated_at;
            null = text == NULL;
        }
        if (null) {
            buf_addc(&b, 'N');
        } else if (c->is_int) {
            buf_addc(&b, 'I');
            put_u64(&b, (uint64_t)iv);
        } else {
            size_t len = strlen(text); /* <= MAX_SORT_TEXT code points: fits 16 bits */
            buf_addc(&b, 'T');
            buf_addc(&b, (char)(len >> 8));
            buf_addc(&b, (char)(len & 0xFF));
            buf_add(&b, text, len);
        }
    }
    put_u64(&b, (uint64_t)last->seq);
    char *out = arena_alloc(ctx->a, text_b64_enclen(b.len) + 1);
    text_b64_encode((const unsigned char *)buf_cstr(&b), b.len, out);
    buf_release(&b);
    return out;
}

enum rp_err rec__cursor_decode(struct rec_ctx *ctx, const struct entity_def *e,
                               struct rec_query *q, struct rp_str s)
{
    unsigned char raw[RP_MAX_CURSOR];
    size_t n;
    if (s.len > text_b64_enclen(RP_MAX_CURSOR) || text_b64_decode(s, raw, sizeof(raw), &n) ||
        n < 13)
        return rec_bad_request(ctx, "invalid cursor");
    uint32_t fp = (uint32_t)raw[0] << 24 | (uint32_t)raw[1] << 16 | (uint32_t)raw[2] << 8 | raw[3];
    if (fp != fingerprint(e, q) || raw[4] != q->nsort)
        return rec_bad_request(ctx, "the cursor belongs to a different list or sort");
    size_t p = 5;
    for (size_t i = 0; i < q->nsort; i++) {
        if (p >= n)
            return rec_bad_request(ctx, "invalid cursor");
        char tag = (char)raw[p++];
        if (tag == 'N') {
            q->after[i] = store_null();
        } else if (tag == 'I' && q->sort[i].col.is_int && p + 8 <= n) {
            q->after[i] = store_int((int64_t)get_u64(raw + p));
            p += 8;
        } else if (tag == 'T' && !q->sort[i].col.is_int && p + 2 <= n &&
                   p + 2 + ((size_t)raw[p] << 8 | raw[p + 1]) <= n) {
            size_t len = (size_t)raw[p] << 8 | raw[p + 1];
            p += 2;
            const char *t = arena_strndup(ctx->a, (const char *)raw + p, len);
            if (!text_utf8_valid((struct rp_str){t, len}))
                return rec_bad_request(ctx, "invalid cursor");
            q->after[i] = store_text(t, len);
            p += len;
        } else {
            return rec_bad_request(ctx, "invalid cursor");
        }
    }
    if (p + 8 != n)
        return rec_bad_request(ctx, "invalid cursor");
    q->after_seq = (int64_t)get_u64(raw + p);
    q->has_cursor = true;
    return RP_OK;
}
