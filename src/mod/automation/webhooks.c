/* Webhook subscriptions and their deliveries (automation.h): the entities, the hooks on
 * every entity that write a change's deliveries in its own transaction, the signature,
 * and the administrator's actions (send a test, resume, deliver again). */
#include "core/common.h"

#include <jansson.h>
#include <sodium.h>

#include "api/route.h"
#include "core/netaddr.h"
#include "core/text.h"
#include "engine/acl.h"
#include "engine/jobs.h"
#include "mod/automation/automation.h"

#define RO FF_READONLY

static const char *const EVENTS[] = {AU_EVENTS, NULL};
static const char *const EVENT_LABELS[] = {"Created", "Updated", "Deleted", "Restored", NULL};
static const char *const EVENT_LABELS_ZH[] = {"创建", "更新", "删除", "恢复", NULL};

static const char *const HOOK_STATUS[] = {"active", "paused", NULL};
static const char *const HOOK_STATUS_LABELS[] = {"Active", "Paused", NULL};
static const char *const HOOK_STATUS_LABELS_ZH[] = {"运行中", "已暂停", NULL};

static const struct field_def WEBHOOK_FIELDS[] = {
    {.name = "name", .label = "Name", .label_zh = "名称", .type = FT_STRING, .maxlen = 100,
     .flags = FF_REQUIRED | FF_LIST | FF_SEARCH, .group = "overview"},
    {.name = "url", .label = "URL", .label_zh = "URL", .type = FT_URL, .maxlen = 2000,
     .flags = FF_REQUIRED | FF_LIST, .group = "overview",
     .help = "Where each change is posted (http or https)"},
    {.name = "entity", .label = "Records", .label_zh = "记录类型", .type = FT_STRING,
     .maxlen = 64, .flags = FF_REQUIRED | FF_LIST | FF_INDEXED, .group = "overview",
     .help = "The records whose changes are sent, by their API name (contacts)"},
    {.name = "events", .label = "Events", .label_zh = "事件", .type = FT_MULTI_ENUM,
     .enum_values = EVENTS, .enum_labels = EVENT_LABELS, .enum_labels_zh = EVENT_LABELS_ZH,
     .flags = FF_REQUIRED | FF_LIST, .group = "overview"},
    {.name = "active", .label = "Active", .label_zh = "启用", .type = FT_BOOL, .def = "true",
     .flags = FF_LIST, .group = "overview"},
    {.name = "description", .label = "Description", .label_zh = "说明", .type = FT_TEXT,
     .group = "overview"},
    {.name = "secret", .label = "Signing secret", .label_zh = "签名密钥", .type = FT_STRING,
     .maxlen = 80, .flags = RO, .group = "delivery",
     .help = "X-Rapport-Signature is the HMAC-SHA256 of timestamp.body under this secret"},
    {.name = "status", .label = "Status", .label_zh = "状态", .type = FT_ENUM,
     .enum_values = HOOK_STATUS, .enum_labels = HOOK_STATUS_LABELS,
     .enum_labels_zh = HOOK_STATUS_LABELS_ZH, .def = "active", .flags = FF_LIST | RO,
     .group = "delivery"},
    {.name = "paused_reason", .label = "Paused because", .label_zh = "暂停原因",
     .type = FT_STRING, .maxlen = 500, .flags = RO, .group = "delivery"},
    {.name = "failures", .label = "Failed attempts in a row", .label_zh = "连续失败次数",
     .type = FT_INT, .flags = RO, .group = "delivery"},
    {.name = "last_code", .label = "Last answer", .label_zh = "最近应答", .type = FT_INT,
     .flags = FF_LIST | RO, .group = "delivery"},
    {.name = "last_delivery_at", .label = "Last attempt", .label_zh = "最近投递",
     .type = FT_DATETIME, .flags = RO, .group = "delivery"},
    /* The job queue's bookkeeping (sql.c): who posts the deliveries now, until when,
     * and whether a delivery job is queued. */
    {.name = "lease_by", .label = "Delivered by", .label_zh = "投递进程", .type = FT_STRING,
     .maxlen = 200, .flags = RO, .group = "delivery"},
    {.name = "lease_until", .label = "Delivered by until", .label_zh = "投递进程期限",
     .type = FT_DATETIME, .flags = RO, .group = "delivery"},
    {.name = "wake", .label = "Delivery queued", .label_zh = "已排队投递", .type = FT_BOOL,
     .flags = RO, .group = "delivery"},
};

const struct entity_def au__webhooks = {
    .name = "webhooks",
    .label = "Webhook",
    .label_plural = "Webhooks",
    .label_zh = "Webhook",
    .label_plural_zh = "Webhook",
    .fields = WEBHOOK_FIELDS,
    .nfields = RP_NELEM(WEBHOOK_FIELDS),
    .title_field = "name",
    .default_sort = "name",
    .flags = EF_PLATFORM | EF_OWN_SCREEN,
};

static const char *const DEL_EVENTS[] = {AU_EVENTS, "test", NULL};
static const char *const DEL_EVENT_LABELS[] = {"Created", "Updated", "Deleted", "Restored",
                                               "Test", NULL};
static const char *const DEL_EVENT_LABELS_ZH[] = {"创建", "更新", "删除", "恢复", "测试", NULL};
static const char *const DEL_STATUS[] = {"pending", "delivered", "failed", NULL};
static const char *const DEL_STATUS_LABELS[] = {"Pending", "Delivered", "Failed", NULL};
static const char *const DEL_STATUS_LABELS_ZH[] = {"待投递", "已投递", "失败", NULL};

static const struct field_def DELIVERY_FIELDS[] = {
    {.name = "webhook_id", .label = "Webhook", .label_zh = "Webhook", .type = FT_REF,
     .ref_entity = "webhooks", .flags = FF_REQUIRED | FF_LIST | RO, .group = "overview"},
    {.name = "event", .label = "Event", .label_zh = "事件", .type = FT_ENUM,
     .enum_values = DEL_EVENTS, .enum_labels = DEL_EVENT_LABELS,
     .enum_labels_zh = DEL_EVENT_LABELS_ZH, .flags = FF_REQUIRED | FF_LIST | RO,
     .group = "overview"},
    {.name = "entity", .label = "Records", .label_zh = "记录类型", .type = FT_STRING,
     .maxlen = 64, .flags = FF_LIST | RO, .group = "overview"},
    {.name = "record_id", .label = "Record", .label_zh = "记录", .type = FT_STRING,
     .maxlen = 36, .flags = FF_LIST | FF_INDEXED | RO, .group = "overview"},
    {.name = "record_version", .label = "Record version", .label_zh = "记录版本",
     .type = FT_INT, .flags = RO, .group = "overview"},
    {.name = "status", .label = "Status", .label_zh = "状态", .type = FT_ENUM,
     .enum_values = DEL_STATUS, .enum_labels = DEL_STATUS_LABELS,
     .enum_labels_zh = DEL_STATUS_LABELS_ZH, .def = "pending", .flags = FF_LIST | RO,
     .group = "overview"},
    {.name = "attempts", .label = "Attempts", .label_zh = "尝试次数", .type = FT_INT,
     .flags = FF_LIST | RO, .group = "overview"},
    {.name = "response_code", .label = "Answer", .label_zh = "应答", .type = FT_INT,
     .flags = FF_LIST | RO, .group = "overview"},
    {.name = "response", .label = "Answer text", .label_zh = "应答内容", .type = FT_STRING,
     .maxlen = AU_MAX_ANSWER, .flags = RO, .group = "overview"},
    {.name = "duration_ms", .label = "Took (ms)", .label_zh = "耗时（毫秒）", .type = FT_INT,
     .flags = RO, .group = "overview"},
    {.name = "next_attempt_at", .label = "Next attempt", .label_zh = "下次尝试",
     .type = FT_DATETIME, .flags = RO, .group = "overview"},
    {.name = "delivered_at", .label = "Delivered", .label_zh = "投递时间", .type = FT_DATETIME,
     .flags = FF_LIST | RO, .group = "overview"},
    {.name = "payload", .label = "Body", .label_zh = "内容", .type = FT_TEXT, .flags = RO,
     .maxlen = RP_MAX_PAGE_TEXT,
     .group = "body"},
};

const struct entity_def au__deliveries = {
    .name = "webhook_deliveries",
    .label = "Webhook delivery",
    .label_plural = "Webhook deliveries",
    .label_zh = "Webhook 投递",
    .label_plural_zh = "Webhook 投递",
    .fields = DELIVERY_FIELDS,
    .nfields = RP_NELEM(DELIVERY_FIELDS),
    .title_field = "record_id",
    .default_sort = "-created_at",
    .indexes = "webhook_id,status,seq",
    .flags = EF_PLATFORM | EF_OWN_SCREEN | EF_LOG,
};

/* ---- subscriptions ---- */

/* Why core/netaddr.c refuses an address, in the caller's language. */
static const char *refused_label(const struct rec_ctx *ctx, const char *why)
{
    static const char *const WORDS[] = {
        MSG("this network"), MSG("private"), MSG("shared (carrier NAT)"), MSG("loopback"),
        MSG("link-local"), MSG("reserved for protocols"), MSG("documentation"),
        MSG("reserved (6to4 relay)"), MSG("benchmarking"), MSG("multicast"), MSG("reserved"),
        MSG("broadcast"), MSG("unspecified"), MSG("unique-local (private)"), MSG("site-local"),
        MSG("discard-only"), MSG("IPv4-compatible")};
    for (size_t i = 0; i < RP_NELEM(WORDS); i++)
        if (strcmp(WORDS[i], why) == 0)
            return msg_tr(ctx->lang, WORDS[i]);
    return why;
}

enum rp_err au__validate_webhook(struct rec_ctx *ctx, struct rec *r, const struct rec *old)
{
    if (rec_changed(r, old, "entity")) {
        const char *name = rec_text(ctx->a, r, "entity");
        const struct entity_def *e = name ? meta_entity(rp_str_c(name)) : NULL;
        if (!e || au__own_entity(e))
            rec_field_error(ctx, "entity", "is not a kind of record (give its API name: contacts)");
    }
    if (rec_changed(r, old, "url")) {
        const char *url = rec_text(ctx->a, r, "url");
        struct netaddr lit;
        CURLU *u = curl_url();
        char *scheme = NULL, *host = NULL;
        bool ok = u && url && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
                  curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
                  curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK;
        if (!ok || (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0)) {
            rec_field_error(ctx, "url", "must be an http:// or https:// address");
        } else if (netaddr_parse(rp_str_c(host), &lit) && netaddr_refused(&lit)) {
            /* A literal address is judged now; a name when it is called (its addresses
             * may change). */
            struct au_settings s;
            enum rp_err err = au_settings_get(ctx, &s);
            if (err) {
                curl_free(scheme);
                curl_free(host);
                curl_url_cleanup(u);
                return err;
            }
            if (!netaddr_allowed(s.allow, rp_str_c(host), &lit))
                rec_field_error(ctx, "url",
                                "is a %s address: an administrator must add it to the"
                                " allow-list of the automation settings first",
                                refused_label(ctx, netaddr_refused(&lit)));
        }
        curl_free(scheme);
        curl_free(host);
        curl_url_cleanup(u);
    }
    return RP_OK;
}

/* A new signing secret: "whsec_" and 48 hex digits (arena). */
static const char *new_secret(struct arena *a)
{
    unsigned char key[24];
    randombytes_buf(key, sizeof(key));
    char hex[2 * sizeof(key) + 1];
    text_hex(key, sizeof(key), hex);
    return arena_printf(a, "whsec_%s", hex);
}

enum rp_err au__before_save_webhook(struct rec_ctx *ctx, struct rec *r, const struct rec *old)
{
    if (!old)
        rec_set_text(r, "secret", new_secret(ctx->a));
    return RP_OK;
}

const char *au_signature(struct arena *a, const char *secret, int64_t t, const char *body,
                         size_t len)
{
    char stamp[24];
    int sl = snprintf(stamp, sizeof(stamp), "%lld.", (long long)t);
    crypto_auth_hmacsha256_state st;
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)stamp, (unsigned long long)sl);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
    crypto_auth_hmacsha256_final(&st, mac);
    char hex[2 * sizeof(mac) + 1];
    text_hex(mac, sizeof(mac), hex);
    return arena_printf(a, "t=%lld,v1=%s", (long long)t, hex);
}

/* ---- a change's deliveries ---- */

static bool wants(const struct au_hook *h, const char *event)
{
    char quoted[16];
    snprintf(quoted, sizeof(quoted), "\"%s\"", event);
    return h->events && strstr(h->events, quoted);
}

/* {"old": …, "new": …} of every field that changed, as text (passwords never). */
static json_t *changes_of(struct rec_ctx *ctx, const struct rec *r, const struct rec *old)
{
    json_t *o = json_object();
    const struct entity_def *e = r->ent;
    for (size_t i = 0; i < e->nfields; i++) {
        const struct field_def *f = &e->fields[i];
        if (f->type == FT_PASSWORD || !rec_changed(r, old, f->name))
            continue;
        json_t *pair = json_object();
        json_object_set_new(pair, "old", api_str_or_null(old->v[i].null ? NULL
                                                          : rec_value_text(ctx->a, f, &old->v[i])));
        json_object_set_new(pair, "new", api_str_or_null(r->v[i].null ? NULL
                                                          : rec_value_text(ctx->a, f, &r->v[i])));
        json_object_set_new(o, f->name, pair);
    }
    if ((r->owner_id || old->owner_id) &&
        (!r->owner_id || !old->owner_id || strcmp(r->owner_id, old->owner_id) != 0)) {
        json_t *pair = json_object();
        json_object_set_new(pair, "old", api_str_or_null(old->owner_id));
        json_object_set_new(pair, "new", api_str_or_null(r->owner_id));
        json_object_set_new(o, "owner_id", pair);
    }
    return o;
}

/* The body every subscription to r's entity gets for event: the record as the API
 * shows it, and on an update what changed. NULL (nothing to send) for an update that
 * changed nothing. */
static enum rp_err body_of(struct rec_ctx *ctx, const char *event, const struct rec *r,
                           const struct rec *old, const char **out)
{
    *out = NULL;
    json_t *changes = old ? changes_of(ctx, r, old) : NULL;
    if (changes && json_object_size(changes) == 0) {
        json_decref(changes);
        return RP_OK;
    }
    json_t *extra = json_object();
    json_object_set_new(extra, "event", json_string(event));
    json_object_set_new(extra, "entity", json_string(r->ent->name));
    json_object_set_new(extra, "occurred_at", json_string(rec_datetime(ctx->a, text_now_ms())));
    json_object_set_new(extra, "actor_id", api_str_or_null(ctx->who ? ctx->who->user_id : NULL));
    json_object_set_new(extra, "changes", changes ? changes : json_null());
    return au__envelope(ctx, extra, r, out);
}

enum rp_err au__envelope(struct rec_ctx *ctx, json_t *head, const struct rec *r, const char **out)
{
    /* The envelope's members, then the record under "record": written as the API
     * writes records, without a JSON tree of the record. */
    char *text = json_dumps(head, JSON_COMPACT | JSON_PRESERVE_ORDER);
    bool members = json_object_size(head) > 0;
    json_decref(head);
    if (!text)
        return RP_ENOMEM;
    struct rp_buf b;
    buf_init(&b, RP_MAX_PAGE_TEXT);
    enum rp_err err = buf_add(&b, text, strlen(text) - 1);
    free(text);
    if (!err)
        err = buf_adds(&b, members ? ",\"record\":" : "\"record\":");
    if (!err)
        err = api_write_record_with(&b, ctx->a, r, NULL);
    if (!err)
        err = buf_addc(&b, '}');
    *out = err ? NULL : arena_strndup(ctx->a, b.p, b.len);
    buf_release(&b);
    return err;
}

static enum rp_err changed(struct rec_ctx *ctx, const char *event, const struct rec *r,
                           const struct rec *old)
{
    if (au__own_entity(r->ent))
        return RP_OK;
    struct au_hook *hooks;
    size_t n = 0;
    enum rp_err err = au__sql_hooks_of(ctx, r->ent->name, &hooks, &n);
    const char *body = NULL;
    bool built = false;
    for (size_t i = 0; i < n && !err; i++) {
        if (!wants(&hooks[i], event))
            continue;
        if (!built) {
            built = true;
            err = body_of(ctx, event, r, old, &body);
        }
        if (err || !body)
            break;
        struct rec_input in[] = {
            rec_in_text("webhook_id", hooks[i].id),
            rec_in_text("event", event),
            rec_in_text("entity", r->ent->name),
            rec_in_text("record_id", r->id),
            rec_in_int(ctx->a, "record_version", r->version),
            rec_in_text("payload", body),
        };
        struct rec row;
        const char *saved = rec_system_begin(ctx, "webhook delivery");
        err = rec_create(ctx, meta_need("webhook_deliveries"), in, RP_NELEM(in), &row);
        rec_system_end(ctx, saved);
        if (!err)
            err = au__wake(ctx, hooks[i].id);
    }
    return err;
}

/* A change: its deliveries, then its workflow rules (whose field changes are later
 * changes, with deliveries of their own after this one's). */
static enum rp_err any(struct rec_ctx *ctx, const char *event, const struct rec *r,
                       const struct rec *old)
{
    if (au__own_entity(r->ent))
        return RP_OK;
    enum rp_err err = changed(ctx, event, r, old);
    return err ? err : au__rules_fire(ctx, event, r, old);
}

enum rp_err au__any_saved(struct rec_ctx *ctx, const struct rec *r, const struct rec *old)
{
    return any(ctx, old ? "updated" : "created", r, old);
}

/* The hooks run before a delete or restore: the record they send is the one the
 * change makes — its next version, in the recycle bin or out of it. */
enum rp_err au__any_deleted(struct rec_ctx *ctx, const struct rec *r)
{
    struct rec gone = *r;
    gone.version++;
    gone.updated_at = gone.deleted_at = rec_datetime(ctx->a, text_now_ms());
    gone.deleted_by = ctx->who ? ctx->who->user_id : NULL;
    return any(ctx, "deleted", &gone, NULL);
}

enum rp_err au__any_restored(struct rec_ctx *ctx, struct rec *r)
{
    struct rec back = *r;
    back.version++;
    back.updated_at = rec_datetime(ctx->a, text_now_ms());
    back.deleted_at = NULL;
    back.deleted_by = NULL;
    return any(ctx, "restored", &back, NULL);
}

/* ---- the administrator's actions ---- */

static unsigned admin_only(struct api_call *c)
{
    if (rec_admin(&c->ctx))
        return 0;
    rec_fail(&c->ctx, RP_EFORBIDDEN, "only administrators manage webhooks");
    return api_fail(c, RP_EFORBIDDEN);
}

unsigned au__post_test(struct api_call *c)
{
    unsigned st = admin_only(c);
    if (st)
        return st;
    struct rec hook;
    struct au_settings s;
    enum rp_err err = rec_get(&c->ctx, meta_need("webhooks"), c->req->params[0], &hook);
    if (!err)
        err = au_settings_get(&c->ctx, &s);
    if (err)
        return api_fail(c, err);
    json_t *o = json_object();
    json_object_set_new(o, "event", json_string("test"));
    json_object_set_new(o, "webhook_id", json_string(hook.id));
    json_object_set_new(o, "entity", json_string(rec_text(c->ctx.a, &hook, "entity")));
    json_object_set_new(o, "occurred_at", json_string(rec_datetime(c->ctx.a, text_now_ms())));
    char *body = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    if (!body)
        return api_fail(c, RP_ENOMEM);
    const char *text = arena_strdup(c->ctx.a, body);
    free(body);
    /* The log's row first (as failed: a test is never retried), so that the request
     * carries its id; then the attempt, recorded on it. */
    struct rec_input in[] = {
        rec_in_text("webhook_id", hook.id),
        rec_in_text("event", "test"),
        rec_in_text("entity", rec_text(c->ctx.a, &hook, "entity")),
        rec_in_text("status", "failed"),
        rec_in_text("payload", text),
    };
    struct rec row;
    const char *saved = rec_system_begin(&c->ctx, "webhook test");
    err = rec_create(&c->ctx, meta_need("webhook_deliveries"), in, RP_NELEM(in), &row);
    rec_system_end(&c->ctx, saved);
    if (err)
        return api_fail(c, err);
    struct au_answer ans;
    au__post(&c->ctx, &s, &hook, row.id, "test", text, strlen(text), &ans);
    bool ok = ans.status >= 200 && ans.status < 300;
    if (!(err = rec_tx_begin(&c->ctx)))
        err = au__sql_attempt(&c->ctx, row.id, ok ? "delivered" : "failed", 1, ans.status,
                              ans.error ? ans.error : ans.body, ans.ms, 0, text_now_ms());
    err = rec_tx_end(&c->ctx, err);
    if (!err)
        err = rec_get(&c->ctx, meta_need("webhook_deliveries"), rp_str_c(row.id), &row);
    return err ? api_fail(c, err) : api_record(c, 200, &row);
}

unsigned au__post_resume(struct api_call *c)
{
    unsigned st = admin_only(c);
    if (st)
        return st;
    struct rec hook;
    enum rp_err err = rec_tx_begin(&c->ctx);
    if (!err)
        err = rec_get(&c->ctx, meta_need("webhooks"), c->req->params[0], &hook);
    if (!err)
        err = au__sql_resume(&c->ctx, hook.id);
    if (!err)
        err = jobs_queue(&c->ctx, "webhooks.deliver", hook.id);
    err = rec_tx_end(&c->ctx, err);
    if (!err)
        err = rec_get(&c->ctx, meta_need("webhooks"), c->req->params[0], &hook);
    return err ? api_fail(c, err) : api_record(c, 200, &hook);
}

unsigned au__post_rotate(struct api_call *c)
{
    unsigned st = admin_only(c);
    if (st)
        return st;
    struct rec hook;
    /* Not through the engine's update: a secret is not kept in the history. */
    enum rp_err err = rec_tx_begin(&c->ctx);
    if (!err)
        err = rec_get(&c->ctx, meta_need("webhooks"), c->req->params[0], &hook);
    if (!err)
        err = au__sql_secret(&c->ctx, hook.id, new_secret(c->ctx.a), text_now_ms());
    err = rec_tx_end(&c->ctx, err);
    if (!err)
        err = rec_get(&c->ctx, meta_need("webhooks"), c->req->params[0], &hook);
    return err ? api_fail(c, err) : api_record(c, 200, &hook);
}

unsigned au__post_redeliver(struct api_call *c)
{
    unsigned st = admin_only(c);
    if (st)
        return st;
    struct rec d;
    bool again = false;
    enum rp_err err = rec_tx_begin(&c->ctx);
    if (!err)
        err = rec_get(&c->ctx, meta_need("webhook_deliveries"), c->req->params[0], &d);
    if (!err && rec_is(&d, "event", "test"))
        err = rec_fail(&c->ctx, RP_ECONFLICT, "a test is sent again with Send test");
    if (!err)
        err = au__sql_redeliver(&c->ctx, d.id, &again);
    if (!err && !again)
        err = rec_fail(&c->ctx, RP_ECONFLICT, "only a failed delivery is delivered again");
    if (!err)
        err = jobs_queue(&c->ctx, "webhooks.deliver", rec_text(c->ctx.a, &d, "webhook_id"));
    err = rec_tx_end(&c->ctx, err);
    if (!err)
        err = rec_get(&c->ctx, meta_need("webhook_deliveries"), c->req->params[0], &d);
    return err ? api_fail(c, err) : api_record(c, 200, &d);
}
