/* Mailboxes as records: a user's own (or a shared one) read over IMAP, with its server,
 * folder and reading state; the password kept apart, encrypted with the secret key,
 * set through its own route and never read back. */
#include "core/common.h"

#include "api/route.h"
#include "core/ids.h"
#include "core/text.h"
#include "engine/acl.h"
#include "engine/jobs.h"
#include "mod/mail/imap.h"
#include "store/platform.h"

static const char *const SECURITY[] = {"tls", "starttls", "none", NULL};
static const char *const SECURITY_LABELS[] = {"TLS (IMAPS)", "STARTTLS", "None (plain text)",
                                              NULL};
static const char *const SECURITY_LABELS_ZH[] = {"TLS 加密（IMAPS）", "STARTTLS 加密", "不加密（明文）",
                                                 NULL};
/* Why the last reading failed (enum imap_fail, then what is not the server's). */
static const char *const FAIL[] = {"login", "unreachable", "timeout", "tls", "folder",
                                   "protocol", "no_password", NULL};
static const char *const FAIL_LABELS[] = {"Sign-in refused", "Server not reachable",
                                          "Timed out", "Secure connection failed",
                                          "Folder not found", "Server error", "No password set",
                                          NULL};
static const char *const FAIL_LABELS_ZH[] = {"登录被拒绝", "无法连接服务器", "超时",
                                             "安全连接失败", "找不到文件夹", "服务器错误",
                                             "未设置密码", NULL};

#define RO (FF_READONLY)

static const struct meta_range PORT = {1, 65535};

static const struct field_def FIELDS[] = {
    {.name = "name", .label = "Name", .label_zh = "名称", .type = FT_STRING,
     .flags = FF_REQUIRED | FF_SEARCH | FF_LIST, .maxlen = 100, .group = "overview"},
    {.name = "host", .label = "IMAP server", .label_zh = "IMAP 服务器", .type = FT_STRING,
     .flags = FF_REQUIRED | FF_LIST, .maxlen = 255, .group = "overview"},
    {.name = "port", .label = "Port", .label_zh = "端口", .type = FT_INT, .range = &PORT,
     .def = "993", .group = "overview"},
    {.name = "security", .label = "Security", .label_zh = "加密方式", .type = FT_ENUM,
     .enum_values = SECURITY, .enum_labels = SECURITY_LABELS,
     .enum_labels_zh = SECURITY_LABELS_ZH, .def = "tls", .group = "overview"},
    {.name = "username", .label = "User name", .label_zh = "用户名", .type = FT_STRING,
     .flags = FF_REQUIRED, .maxlen = 255, .group = "overview"},
    {.name = "folder", .label = "Folder", .label_zh = "文件夹", .type = FT_STRING,
     .maxlen = 200, .def = "INBOX", .group = "overview"},
    /* A shared mailbox (support@, sales@): what it logs belongs to the owners of the
     * customers it is about; a personal one's to its own owner. */
    {.name = "shared", .label = "Shared mailbox", .label_zh = "共享邮箱", .type = FT_BOOL,
     .flags = FF_LIST, .def = "false", .group = "overview"},
    /* Every message is logged, also those of senders who are no contact or lead (a
     * support mailbox, whose strangers become customers' cases); else only those
     * about known customers. */
    {.name = "log_all", .label = "Log every message", .label_zh = "记录所有邮件",
     .type = FT_BOOL, .def = "false", .group = "overview"},
    {.name = "enabled", .label = "Read automatically", .label_zh = "自动读取", .type = FT_BOOL,
     .flags = FF_LIST, .def = "true", .group = "overview"},
    {.name = "password_set", .label = "Password set", .label_zh = "已设置密码", .type = FT_BOOL,
     .flags = RO, .def = "false", .group = "state"},
    {.name = "last_fetch_at", .label = "Last read", .label_zh = "上次读取", .type = FT_DATETIME,
     .flags = FF_LIST | RO, .group = "state"},
    {.name = "messages_logged", .label = "Messages logged", .label_zh = "已记录邮件",
     .type = FT_INT, .flags = FF_LIST | RO, .def = "0", .group = "state"},
    {.name = "last_error", .label = "Last error", .label_zh = "最近错误", .type = FT_ENUM,
     .enum_values = FAIL, .enum_labels = FAIL_LABELS, .enum_labels_zh = FAIL_LABELS_ZH,
     .flags = FF_LIST | RO, .group = "state"},
    {.name = "last_error_detail", .label = "Server's words", .label_zh = "服务器信息",
     .type = FT_STRING, .flags = RO, .maxlen = 300, .group = "state"},
    /* Where the reading stands: the folder's UIDVALIDITY and the last UID read. */
    {.name = "uidvalidity", .label = "UIDVALIDITY", .label_zh = "UIDVALIDITY", .type = FT_INT,
     .flags = RO, .group = "state"},
    {.name = "last_uid", .label = "Last UID read", .label_zh = "已读到的 UID", .type = FT_INT,
     .flags = RO, .def = "0", .group = "state"},
    {.name = "claimed_by", .label = "Reading server", .label_zh = "读取服务器", .type = FT_STRING,
     .flags = RO, .maxlen = 100, .group = "state"},
    {.name = "claimed_until", .label = "Claimed until", .label_zh = "占用至", .type = FT_DATETIME,
     .flags = RO, .group = "state"},
};

const struct entity_def mail__mailboxes = {
    .name = "mailboxes",
    .label = "Mailbox",
    .label_plural = "Mailboxes",
    .label_zh = "邮箱",
    .label_plural_zh = "邮箱",
    .fields = FIELDS,
    .nfields = RP_NELEM(FIELDS),
    .title_field = "name",
    .default_sort = "name",
    .flags = EF_OWN_SCREEN,
};

const char *mail__fail_name(enum imap_fail f)
{
    return f == IMAP_OK ? NULL : FAIL[f - 1];
}

/* A host name or address: letters, digits, '.', '-', ':' and brackets (IPv6). */
static bool host_valid(const struct rec_value *v)
{
    if (v->null || !v->len)
        return false;
    for (size_t i = 0; i < v->len; i++) {
        char c = v->s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-' || c == ':' || c == '[' || c == ']'))
            return false;
    }
    return true;
}

enum rp_err mail__validate_mailbox(struct rec_ctx *ctx, struct rec *r, const struct rec *old)
{
    (void)old;
    const struct rec_value *host = rec_field(r, "host"), *user = rec_field(r, "username"),
                           *folder = rec_field(r, "folder");
    if (!host->null && !host_valid(host))
        rec_field_error(ctx, "host", "is not a server name or address");
    if (!user->null && !mail_header_safe(user->s, user->len))
        rec_field_error(ctx, "username", "must not hold line breaks or control characters");
    if (!folder->null && !imap_folder_valid(folder->s, folder->len))
        rec_field_error(ctx, "folder",
                        "must be printable ASCII without quotes or backslashes");
    return ctx->nerrors ? RP_EINVAL : RP_OK;
}

static const char *secret_key_name(struct arena *a, const char *id)
{
    return arena_printf(a, "mail.mailbox.%s.password", id);
}

/* A mailbox in the recycle bin has no password: one restored asks for it again. */
enum rp_err mail__mailbox_deleted(struct rec_ctx *ctx, const struct rec *r)
{
    return store_setting_put(ctx->conn, secret_key_name(ctx->a, r->id), "");
}

enum rp_err mail__mailbox_restored(struct rec_ctx *ctx, struct rec *r)
{
    (void)ctx;
    struct rec_value *v = (struct rec_value *)(uintptr_t)rec_field(r, "password_set");
    *v = (struct rec_value){.i = 0};
    return RP_OK;
}

enum rp_err mail__mailbox_password(struct rec_ctx *ctx, const char *id, const char **out)
{
    *out = NULL;
    const char *sealed;
    enum rp_err err = store_setting_get(ctx->conn, secret_key_name(ctx->a, id), ctx->a, &sealed);
    if (err || !sealed || !sealed[0])
        return err;
    unsigned char key[32];
    err = mail_secret_key(key);
    if (!err)
        err = mail_open(ctx->a, key, sealed, out);
    buf_wipe(key, sizeof(key));
    return err == RP_ENOTFOUND ? RP_OK : err;
}

/* PUT /mailboxes/{id}/password {"password": "…"}: who may change the mailbox sets it. */
unsigned mail__put_mailbox_password(struct api_call *c)
{
    struct rec_ctx *ctx = &c->ctx;
    const struct entity_def *e = meta_need("mailboxes");
    json_t *root;
    unsigned st = api_body(c, &root);
    if (st)
        return st;
    static const char *const KEYS[] = {"password", NULL};
    api_only_keys(c, root, KEYS, MSG("is not a member of this request"));
    json_t *pw = json_object_get(root, "password");
    const char *plain = json_is_string(pw) ? json_string_value(pw) : NULL;
    size_t plen = plain ? json_string_length(pw) : 0;
    if (!plain || !plen)
        rec_field_error(ctx, "password", "give the mailbox's password");
    else if (plen > 255 || !mail_header_safe(plain, plen) || strlen(plain) != plen)
        rec_field_error(ctx, "password",
                        "must be at most 255 characters without control characters");
    if (ctx->nerrors)
        return api_fail(c, RP_EINVAL);
    struct rec r, saved;
    enum rp_err err = rec_tx_begin(ctx);
    if (!err)
        err = rec_get(ctx, e, c->req->params[0], &r);
    if (!err)
        err = rec_check_action(ctx, e, &r, ACL_EDIT, MSG("change"));
    unsigned char key[32];
    const char *sealed = NULL;
    if (!err) {
        enum rp_err k = mail_secret_key(key);
        if (k)
            err = rec_field_error(ctx, "password",
                                  "cannot be kept: the server has no secret key (see the "
                                  "operations guide)");
        else
            err = mail_seal(ctx->a, key, plain, &sealed);
        buf_wipe(key, sizeof(key));
    }
    if (!err)
        err = store_setting_put(ctx->conn, secret_key_name(ctx->a, r.id), sealed);
    if (!err) {
        struct rec_input in[] = {{.field = RP_STR("password_set"), .kind = IN_BOOL, .b = true},
                                 {.field = RP_STR("last_error"), .kind = IN_NULL}};
        const char *saved_sys = rec_system_begin(ctx, "the mailbox's password was set");
        err = rec_update(ctx, e, rp_str_c(r.id), in, RP_NELEM(in), -1, &saved);
        rec_system_end(ctx, saved_sys);
    }
    err = rec_tx_end(ctx, err);
    return err ? api_fail(c, err) : api_record(c, 200, &saved);
}

/* POST /mailboxes/{id}/fetch: read it now (whoever may change it). */
unsigned mail__post_mailbox_fetch(struct api_call *c)
{
    struct rec_ctx *ctx = &c->ctx;
    struct rec r;
    enum rp_err err = rec_tx_begin(ctx);
    if (!err)
        err = rec_get(ctx, meta_need("mailboxes"), c->req->params[0], &r);
    if (!err)
        err = rec_check_action(ctx, meta_need("mailboxes"), &r, ACL_EDIT, MSG("read"));
    if (!err)
        err = jobs_queue(ctx, "mail.fetch", r.id);
    err = rec_tx_end(ctx, err);
    if (err)
        return api_fail(c, err);
    jobs_kick();
    json_t *o = json_object();
    json_object_set_new(o, "queued", json_true());
    return api_json(c, 202, o);
}
