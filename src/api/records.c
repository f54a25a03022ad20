/* The routes of every entity's records: list, create, read, change, delete and
 * restore, history and timeline, duplicates and merge, export, and search across
 * entities. One set of handlers for all entities, driven by metadata. */
#include "core/common.h"

#include "api/api_int.h"
#include "api/handlers.h"
#include "core/text.h"
#include "engine/acl.h"
#include "engine/duplicates.h"
#include "engine/export.h"
#include "engine/phones.h"
#include "engine/share.h"

#define HISTORY_LIMIT 500
#define SEARCH_PER_ENTITY 10

unsigned api__list(struct api_call *c)
{
    struct http_req *req = c->req;
    const struct entity_def *e = c->e;
    size_t nparams;
    struct rec_param *params = api_params(c, NULL, &nparams);
    struct rec_query *q;
    struct rec_page page;
    enum rp_err err = rec_query_parse(&c->ctx, e, params, nparams, &q);
    if (!err)
        err = rec_list(&c->ctx, e, q, &page);
    if (err)
        return api_fail(c, err);
    struct rp_buf b;
    buf_init(&b, RP_MAX_RESPONSE);
    err = buf_adds(&b, "{\"data\":");
    if (!err)
        err = api_write_records(&b, &req->a, page.rows, page.nrows);
    if (!err)
        err = buf_adds(&b, ",\"next_cursor\":");
    if (!err)
        err = api__write_text(&b, page.next_cursor);
    if (!err && page.has_total)
        err = buf_printf(&b, ",\"total\":%lld", (long long)page.total);
    if (!err && page.nsums) {
        json_t *sums = json_object();
        for (size_t i = 0; i < page.nsums; i++) {
            const struct field_def *f = meta_field(e, rp_str_c(page.sum_fields[i]));
            struct rec_value v = {.i = page.sums[i]};
            json_object_set_new(sums, page.sum_fields[i],
                                f->type == FT_MONEY ? json_string(rec_value_text(&req->a, f, &v))
                                                    : json_integer(page.sums[i]));
        }
        err = buf_adds(&b, ",\"sum\":");
        if (!err)
            err = api__dump(&b, sums);
        json_decref(sums);
    }
    if (!err && page.ncurrency_sums) {
        json_t *by = json_object();
        for (size_t i = 0; i < page.ncurrency_sums; i++) {
            const struct rec_currency_sum *s = &page.currency_sums[i];
            json_t *list = json_object_get(by, s->field);
            if (!list) {
                list = json_array();
                json_object_set_new(by, s->field, list);
            }
            json_t *o = json_object();
            json_object_set_new(o, "currency", json_string(s->currency));
            json_object_set_new(o, "sum", api_money(s->sum));
            json_array_append_new(list, o);
        }
        err = buf_adds(&b, ",\"sum_by_currency\":");
        if (!err)
            err = api__dump(&b, by);
        json_decref(by);
    }
    if (!err)
        err = buf_addc(&b, '}');
    return api_text(c, 200, &b, err);
}

unsigned api__create(struct api_call *c)
{
    const struct entity_def *e = c->e;
    json_t *root;
    unsigned st = api_body(c, &root);
    if (st)
        return st;
    struct rec_input *in;
    size_t n;
    api_inputs(c, root, &in, &n);
    struct idem idem;
    if ((st = api__idem_open(c, &idem)))
        return st;
    struct rec r;
    c->ctx.allow_conflict = api_flag(c, "allow_conflict");
    c->ctx.allow_duplicate = api_flag(c, "allow_duplicate");
    enum rp_err err = rec_create(&c->ctx, e, in, n, &r);
    return api__idem_close(c, &idem, err, err ? 0 : api_record(c, 201, &r));
}

unsigned api__get(struct api_call *c)
{
    struct http_req *req = c->req;
    const struct entity_def *e = c->e;
    struct rec r;
    enum rp_err err = rec_view(&c->ctx, e, req->params[1], &r);
    /* What the caller may do with it (Allow, RFC 9110): the UI offers only that. */
    bool edit = false, del = false;
    if (!err)
        err = rec_may(&c->ctx, e, &r, ACL_EDIT, &edit);
    if (!err)
        err = rec_may(&c->ctx, e, &r, ACL_DELETE, &del);
    if (err)
        return api_fail(c, err);
    http_add_header(req, "Allow", edit && del ? "GET, PATCH, DELETE"
                                  : edit      ? "GET, PATCH"
                                  : del       ? "GET, DELETE"
                                              : "GET");
    return api_record(c, 200, &r);
}

unsigned api__update(struct api_call *c)
{
    struct http_req *req = c->req;
    const struct entity_def *e = c->e;
    int64_t version;
    json_t *root;
    unsigned st = api_if_match(c, &version);
    if (st || (st = api_body(c, &root)))
        return st;
    struct rec_input *in;
    size_t n;
    api_inputs(c, root, &in, &n);
    struct idem idem;
    if ((st = api__idem_open(c, &idem)))
        return st;
    struct rec r;
    c->ctx.allow_conflict = api_flag(c, "allow_conflict");
    c->ctx.allow_duplicate = api_flag(c, "allow_duplicate");
    enum rp_err err = rec_update(&c->ctx, e, req->params[1], in, n, version, &r);
    return api__idem_close(c, &idem, err, err ? 0 : api_record(c, 200, &r));
}

unsigned api__upsert_external(struct api_call *c)
{
    json_t *root;
    unsigned st = api_body(c, &root);
    if (st)
        return st;
    struct rec_input *in;
    size_t n;
    api_inputs(c, root, &in, &n);
    struct idem idem;
    if ((st = api__idem_open(c, &idem)))
        return st;
    struct rec r;
    bool created = false;
    enum rp_err err = rec_upsert_external(&c->ctx, c->e, c->req->params[1], in, n, &r, &created);
    return api__idem_close(c, &idem, err, err ? 0 : api_record(c, created ? 201 : 200, &r));
}

unsigned api__delete(struct api_call *c)
{
    struct http_req *req = c->req;
    const struct entity_def *e = c->e;
    int64_t version;
    unsigned st = api_if_match(c, &version);
    if (st)
        return st;
    enum rp_err err = rec_delete(&c->ctx, e, req->params[1], version);
    return err ? api_fail(c, err) : api_no_content(c);
}

unsigned api__restore(struct api_call *c)
{
    struct http_req *req = c->req;
    const struct entity_def *e = c->e;
    struct rec r;
    c->ctx.allow_conflict = api_flag(c, "allow_conflict");
    enum rp_err err = rec_restore(&c->ctx, e, req->params[1], &r);
    return err ? api_fail(c, err) : api_record(c, 200, &r);
}

unsigned api__purge(struct api_call *c)
{
    enum rp_err err = rec_purge(&c->ctx, c->e, c->req->params[1]);
    return err ? api_fail(c, err) : api_no_content(c);
}

unsigned api__purge_bin(struct api_call *c)
{
    json_t *root;
    unsigned st = api_body(c, &root);
    if (st)
        return st;
    api_only_keys(c, root, (const char *const[]){"older_than_days", NULL},
                  MSG("is not an option of emptying the recycle bin"));
    json_t *days = json_object_get(root, "older_than_days");
    if (!json_is_integer(days))
        rec_field_error(&c->ctx, "older_than_days",
                        "must be a number of days (0 empties the whole recycle bin)");
    if (c->ctx.nerrors)
        return api_fail(c, RP_EINVAL);
    struct rec_purged out;
    enum rp_err err = rec_purge_bin(&c->ctx, c->e, (int64_t)json_integer_value(days), &out);
    if (err)
        return api_fail(c, err);
    json_t *o = json_object();
    json_object_set_new(o, "purged", json_integer(out.purged));
    json_object_set_new(o, "kept", json_integer(out.kept));
    json_object_set_new(o, "more", json_boolean(out.more));
    return api_json(c, 200, o);
}

/* One field-level history row, as history and timeline answers show it. */
static void history_fields(json_t *o, const struct rec_history_row *h)
{
    json_object_set_new(o, "user_id", api_str_or_null(h->user_id));
    json_object_set_new(o, "action", json_string(h->action));
    json_object_set_new(o, "field", api_str_or_null(h->field));
    json_object_set_new(o, "old", api_str_or_null(h->old_value));
    json_object_set_new(o, "new", api_str_or_null(h->new_value));
    if (h->via)
        json_object_set_new(o, "via", json_string(h->via));
}

unsigned api__history(struct api_call *c)
{
    struct http_req *req = c->req;
    const struct entity_def *e = c->e;
    struct rec_history_row *rows;
    size_t n;
    enum rp_err err = rec_history(&c->ctx, e, req->params[1], HISTORY_LIMIT, &rows, &n);
    if (err)
        return api_fail(c, err);
    json_t *data = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "at", json_string(rows[i].at));
        history_fields(o, &rows[i]);
        json_array_append_new(data, o);
    }
    return api_data(c, data);
}

unsigned api__timeline(struct api_call *c)
{
    struct http_req *req = c->req;
    const struct entity_def *e = c->e;
    struct rp_str before = {"", 0};
    size_t limit = 50;
    for (size_t i = 0; i < req->nquery; i++) {
        int64_t l;
        if (rp_str_eqc(req->query[i].key, "before")) {
            before = req->query[i].value;
        } else if (rp_str_eqc(req->query[i].key, "limit")) {
            if (text_parse_i64(req->query[i].value, &l) || l < 1 || l > REC_MAX_TIMELINE) {
                return api_problem(c, 400, "limit must be between 1 and 200");
            }
            limit = (size_t)l;
        } else {
            return api_problem(c, 400, "the timeline takes limit and before");
        }
    }
    struct rec_timeline_item *items;
    size_t n;
    const char *next;
    enum rp_err err = rec_timeline(&c->ctx, e, req->params[1], before, limit, &items, &n, &next);
    if (err)
        return api_fail(c, err);
    static const char *const KINDS[] = {"activity", "change", "created"};
    json_t *data = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "kind", json_string(KINDS[items[i].kind]));
        json_object_set_new(o, "at", json_string(items[i].at));
        if (items[i].record) {
            json_object_set_new(o, "entity", json_string(items[i].record->ent->name));
            json_object_set_new(o, "record", api_rec(c, items[i].record));
        } else {
            history_fields(o, items[i].change);
        }
        json_array_append_new(data, o);
    }
    json_t *root = json_object();
    json_object_set_new(root, "data", data);
    json_object_set_new(root, "next_before", api_str_or_null(next));
    return api_json(c, 200, root);
}

/* A field and its value as {"field", "label", "value"}, or null. */
static json_t *hit_field(const struct api_call *c, const struct field_def *f, const char *v)
{
    if (!f || !v)
        return json_null();
    json_t *o = json_object();
    json_object_set_new(o, "field", json_string(f->name));
    const char *locale = c->ctx.who ? c->ctx.who->locale : NULL;
    json_object_set_new(o, "label", json_string(meta_field_label(f, locale)));
    json_object_set_new(o, "value", json_string(v));
    return o;
}

/* The hits of a search or a phone lookup: entity, id, title, owner (id and name), a
 * key field and the field that matched. */
static json_t *hits_json(const struct api_call *c, const struct rec_hit *hits, size_t n)
{
    json_t *data = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "entity", json_string(hits[i].ent->name));
        json_object_set_new(o, "id", json_string(hits[i].id));
        json_object_set_new(o, "title", api_str_or_null(hits[i].title));
        json_object_set_new(o, "owner_id", api_str_or_null(hits[i].owner_id));
        json_object_set_new(o, "owner_name", api_str_or_null(hits[i].owner_name));
        json_object_set_new(o, "key", hit_field(c, hits[i].key_field, hits[i].key_value));
        json_object_set_new(o, "matched", hit_field(c, hits[i].matched, hits[i].matched_value));
        json_array_append_new(data, o);
    }
    return data;
}

unsigned api__search(struct api_call *c)
{
    struct http_req *req = c->req;
    struct rp_str q = {NULL, 0};
    for (size_t i = 0; i < req->nquery; i++)
        if (rp_str_eqc(req->query[i].key, "q"))
            q = req->query[i].value;
    if (!q.p)
        return api_problem(c, 400, "add the search text as ?q=");
    struct rec_hit *hits;
    size_t n;
    enum rp_err err = rec_search_all(&c->ctx, q, SEARCH_PER_ENTITY, &hits, &n);
    if (err)
        return api_fail(c, err);
    return api_data(c, hits_json(c, hits, n));
}

unsigned api__phone_lookup(struct api_call *c)
{
    struct http_req *req = c->req;
    struct rp_str number = {NULL, 0};
    for (size_t i = 0; i < req->nquery; i++) {
        if (!rp_str_eqc(req->query[i].key, "number"))
            return api_problem(c, 400, "the lookup takes number only");
        number = req->query[i].value;
    }
    if (!number.p)
        return api_problem(c, 400, "add the phone number as ?number=");
    struct phone_number pn;
    struct rec_hit *hits;
    size_t n;
    enum rp_err err = phones_lookup(&c->ctx, number, &pn, &hits, &n);
    if (err)
        return api_fail(c, err);
    json_t *root = json_object();
    json_object_set_new(root, "number", json_string(arena_printf(c->ctx.a, "+%s", pn.key)));
    json_object_set_new(root, "extension", pn.ext[0] ? json_string(pn.ext) : json_null());
    json_object_set_new(root, "data", hits_json(c, hits, n));
    return api_json(c, 200, root);
}

unsigned api__duplicates(struct api_call *c)
{
    const struct entity_def *e = c->e;
    struct dups_group *groups;
    size_t n;
    enum rp_err err = dups_groups(&c->ctx, e, &groups, &n);
    if (err)
        return api_fail(c, err);
    json_t *data = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *g = json_object();
        json_object_set_new(g, "reason", json_string(groups[i].reason));
        json_t *recs = json_array();
        for (size_t k = 0; k < groups[i].nrecords; k++)
            json_array_append_new(recs, api_rec(c, &groups[i].records[k]));
        json_object_set_new(g, "records", recs);
        json_array_append_new(data, g);
    }
    return api_data(c, data);
}

unsigned api__merge(struct api_call *c)
{
    struct http_req *req = c->req;
    const struct entity_def *e = c->e;
    json_t *root;
    unsigned st = api_body(c, &root);
    if (st)
        return st;
    json_t *from = json_object_get(root, "from"), *fields = json_object_get(root, "fields");
    api_only_keys(c, root, (const char *const[]){"from", "fields", NULL},
                  MSG("is not a merge option"));
    if (!json_is_array(from))
        rec_field_error(&c->ctx, "from", "must be a list of record ids");
    if (fields && !json_is_object(fields))
        rec_field_error(&c->ctx, "fields", "must be an object of field values");
    size_t nfrom = json_is_array(from) ? json_array_size(from) : 0;
    struct rp_str *ids = arena_calloc(&req->a, nfrom + 1, sizeof(*ids));
    size_t i;
    json_t *v;
    json_array_foreach(from, i, v)
    {
        if (!json_is_string(v))
            rec_field_error(&c->ctx, "from", "must be a list of record ids");
        else
            ids[i] = (struct rp_str){json_string_value(v), json_string_length(v)};
    }
    if (c->ctx.nerrors)
        return api_fail(c, RP_EINVAL);
    struct rec_input *in = NULL;
    size_t nin = 0;
    if (fields)
        api_inputs(c, fields, &in, &nin);
    struct rec r;
    enum rp_err err = dups_merge(&c->ctx, e, req->params[1], ids, nfrom, in, nin, &r);
    return err ? api_fail(c, err) : api_record(c, 200, &r);
}

unsigned api__export(struct api_call *c)
{
    const struct entity_def *e = c->e;
    struct rp_str format = api_query(c, "format");
    const struct rec_exporter *f;
    if (exp_format(&c->ctx, e, format.p ? format : RP_STR("csv"), &f))
        return api_fail(c, RP_EINVAL);
    /* People download exports from the UI: labels in their language by default. */
    struct rp_str hv = api_query(c, "headers");
    enum exp_headers headers = EXP_LABELS;
    if (hv.p && !exp_headers_parse(hv, &headers))
        return api_fail(c, rec_bad_request(&c->ctx, "headers must be labels or keys"));
    static const char *const SKIP[] = {"format", "headers", NULL};
    size_t n;
    struct rec_param *params = api_params(c, SKIP, &n);
    struct exp *x;
    enum rp_err err = exp_open(&c->ctx, e, f, headers, params, n, &x);
    return err ? api_fail(c, err) : api_export(c, x, f, e->name);
}

/* ---- sharing ---- */

static json_t *share_json(const struct store_share *s)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(s->id));
    json_object_set_new(o, "user_id", api_str_or_null(s->user_id));
    json_object_set_new(o, "team_id", api_str_or_null(s->team_id));
    json_object_set_new(o, "access", json_string(s->access));
    json_object_set_new(o, "created_by", api_str_or_null(s->created_by));
    json_object_set_new(o, "created_at", json_string(s->created_at));
    return o;
}

unsigned api__shares(struct api_call *c)
{
    struct store_share *rows;
    size_t n;
    enum rp_err err = rec_shares(&c->ctx, c->e, c->req->params[1], &rows, &n);
    if (err)
        return api_fail(c, err);
    json_t *data = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(data, share_json(&rows[i]));
    return api_data(c, data);
}

/* A member of the share's body as text, or {NULL, 0} when absent or null. */
static struct rp_str member_text(struct api_call *c, json_t *root, const char *name)
{
    json_t *v = json_object_get(root, name);
    if (v && !json_is_null(v) && !json_is_string(v))
        rec_field_error(&c->ctx, name, "must be a text");
    return json_is_string(v) ? (struct rp_str){json_string_value(v), json_string_length(v)}
                             : (struct rp_str){NULL, 0};
}

unsigned api__share_create(struct api_call *c)
{
    json_t *root;
    unsigned st = api_body(c, &root);
    if (st)
        return st;
    api_only_keys(c, root, (const char *const[]){"user_id", "team_id", "access", NULL},
                  MSG("is not part of a share"));
    struct rp_str user = member_text(c, root, "user_id"), team = member_text(c, root, "team_id");
    struct rp_str access = member_text(c, root, "access");
    if (c->ctx.nerrors)
        return api_fail(c, RP_EINVAL);
    struct store_share out;
    enum rp_err err = rec_share_add(&c->ctx, c->e, c->req->params[1], user, team,
                                    access.p ? access : RP_STR("read"), &out);
    return err ? api_fail(c, err) : api_json(c, 201, share_json(&out));
}

unsigned api__share_delete(struct api_call *c)
{
    enum rp_err err = rec_share_remove(&c->ctx, c->e, c->req->params[1], c->req->params[2]);
    return err ? api_fail(c, err) : api_no_content(c);
}
