/* The mail module's routes: the administrator's settings (the password write-only), a
 * test message sent at once, and the preview of a message being composed. Composing
 * itself is POST /emails, the engine's create. */
#include "core/common.h"

#include "api/route.h"
#include "core/ids.h"
#include "core/text.h"
#include "engine/acl.h"
#include "mod/mail/mail.h"

static const char *const SECURITY[] = {"none", "starttls", "tls"};

unsigned mail__get_settings(struct api_call *c)
{
    if (!rec_admin(&c->ctx)) {
        rec_fail(&c->ctx, RP_EFORBIDDEN, "only administrators read the mail settings");
        return api_fail(c, RP_EFORBIDDEN);
    }
    struct mail_settings s;
    enum rp_err err = mail_settings_get(&c->ctx, &s);
    if (err)
        return api_fail(c, err);
    unsigned char key[32];
    bool has_key = mail_secret_key(key) == RP_OK;
    buf_wipe(key, sizeof(key));
    json_t *o = json_object();
    json_object_set_new(o, "host", api_str_or_null(s.host));
    json_object_set_new(o, "port", json_integer(s.port));
    json_object_set_new(o, "security", json_string(SECURITY[s.security]));
    json_object_set_new(o, "user", api_str_or_null(s.user));
    json_object_set_new(o, "password_set", json_boolean(s.has_password));
    json_object_set_new(o, "from_address", api_str_or_null(s.from_address));
    json_object_set_new(o, "from_name", api_str_or_null(s.from_name));
    json_object_set_new(o, "per_user_from", json_boolean(s.per_user_from));
    json_object_set_new(o, "domain_per_minute", json_integer(s.domain_per_minute));
    json_object_set_new(o, "retry_base_s", json_integer(s.retry_base_s));
    json_object_set_new(o, "max_attempts", json_integer(s.max_attempts));
    json_object_set_new(o, "timeout_s", json_integer(s.timeout_s));
    json_object_set_new(o, "secret_key", json_boolean(has_key));
    return api_json(c, 200, o);
}

unsigned mail__put_settings(struct api_call *c)
{
    json_t *root;
    unsigned st = api_body(c, &root);
    if (st)
        return st;
    struct rec_input *in;
    size_t n;
    api_inputs(c, root, &in, &n);
    enum rp_err err = mail_settings_update(&c->ctx, in, n);
    if (err)
        return api_fail(c, err);
    return mail__get_settings(c);
}

unsigned mail__post_test(struct api_call *c)
{
    if (!rec_admin(&c->ctx)) {
        rec_fail(&c->ctx, RP_EFORBIDDEN, "only administrators send a test message");
        return api_fail(c, RP_EFORBIDDEN);
    }
    json_t *root;
    unsigned st = api_body(c, &root);
    if (st)
        return st;
    api_only_keys(c, root, (const char *const[]){"to", NULL}, MSG("is not a test option"));
    json_t *to = json_object_get(root, "to");
    struct mail_addr *rcpt = NULL;
    size_t n = 0;
    if (!json_is_string(to) ||
        mail_parse_addrs(c->ctx.a, json_string_value(to), json_string_length(to), 1, &rcpt, &n) ||
        n != 1)
        rec_field_error(&c->ctx, "to", "is not an e-mail address");
    struct mail_settings s;
    enum rp_err err = c->ctx.nerrors ? RP_EINVAL : mail_settings_get(&c->ctx, &s);
    if (!err && !s.host)
        err = rec_field_error(&c->ctx, "host", "no SMTP server is configured");
    if (!err && !s.from_address)
        err = rec_field_error(&c->ctx, "from_address", "no From address is configured");
    if (err)
        return api_fail(c, err);
    char id[RP_ID_LEN + 1];
    err = ids_uuid7(id);
    if (err)
        return api_fail(c, err);
    bool zh = c->ctx.lang == RP_LANG_ZH;
    struct mail_msg m = {
        .from = {s.from_name, s.from_address},
        .to = rcpt,
        .nto = 1,
        .subject = zh ? "Rapport 测试邮件" : "Rapport test message",
        .text = zh ? "这是一封测试邮件：Rapport 的邮件设置可以使用。\n"
                   : "This is a test message: Rapport's mail settings work.\n",
        .message_id = arena_printf(c->ctx.a, "<%s@%s>", id, strchr(s.from_address, '@') + 1),
        .date_ms = text_now_ms(),
    };
    const char *answer;
    err = mail_send_now(&c->ctx, &s, &m, &answer);
    json_t *o = json_object();
    json_object_set_new(o, "sent", json_boolean(err == RP_OK));
    json_object_set_new(o, "answer", json_string(answer));
    return api_json(c, 200, o);
}

static const char *member(struct api_call *c, json_t *root, const char *name)
{
    json_t *v = json_object_get(root, name);
    if (!v || json_is_null(v))
        return NULL;
    if (!json_is_string(v)) {
        rec_field_error(&c->ctx, name, "must be text");
        return NULL;
    }
    return json_string_length(v) ? arena_strndup(c->ctx.a, json_string_value(v),
                                                 json_string_length(v))
                                 : NULL;
}

unsigned mail__post_preview(struct api_call *c)
{
    json_t *root;
    unsigned st = api_body(c, &root);
    if (st)
        return st;
    static const char *const KEYS[] = {"to_addresses", "cc_addresses", "subject", "body_text",
                                       "body_html", "template_id", "contact_id", "lead_id",
                                       "account_id", "deal_id", NULL};
    api_only_keys(c, root, KEYS, MSG("is not a field of an e-mail"));
    struct mail_draft d = {
        .to = member(c, root, "to_addresses"), .cc = member(c, root, "cc_addresses"),
        .subject = member(c, root, "subject"), .body_text = member(c, root, "body_text"),
        .body_html = member(c, root, "body_html"), .template_id = member(c, root, "template_id"),
        .contact_id = member(c, root, "contact_id"), .lead_id = member(c, root, "lead_id"),
        .account_id = member(c, root, "account_id"), .deal_id = member(c, root, "deal_id"),
    };
    if (c->ctx.nerrors)
        return api_fail(c, RP_EINVAL);
    /* Whoever may not write an e-mail may not preview one either. */
    if (rec_scope(&c->ctx, meta_need("emails"), ACL_CREATE) == SCOPE_NONE) {
        rec_fail(&c->ctx, RP_EFORBIDDEN, "your role may not write e-mails");
        return api_fail(c, RP_EFORBIDDEN);
    }
    enum rp_err err = mail_compose(&c->ctx, &d);
    if (err)
        return api_fail(c, err);
    json_t *o = json_object();
    json_object_set_new(o, "from_address", api_str_or_null(d.from_address));
    json_object_set_new(o, "from_name", api_str_or_null(d.from_name));
    json_object_set_new(o, "to_addresses", api_str_or_null(d.to));
    json_object_set_new(o, "cc_addresses", api_str_or_null(d.cc));
    json_object_set_new(o, "subject", api_str_or_null(d.subject));
    json_object_set_new(o, "body_text", api_str_or_null(d.body_text));
    json_object_set_new(o, "body_html", api_str_or_null(d.body_html));
    json_object_set_new(o, "contact_id", api_str_or_null(d.contact_id));
    json_object_set_new(o, "account_id", api_str_or_null(d.account_id));
    return api_json(c, 200, o);
}
