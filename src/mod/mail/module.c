/* The mail module's descriptor: outgoing e-mail (mail.h). */
#include "core/common.h"

#include "api/route.h"
#include "engine/notify.h"
#include "mod/mail/imap.h"
#include "mod/mail/mail.h"

static const struct entity_def *const ENTITIES[] = {&mail__templates, &mail__emails,
                                                    &mail__deliveries, &mail__mailboxes};

static const struct rp_hooks HOOKS[] = {
    {.entity = "emails", .validate = mail__validate_email,
     .before_save = mail__before_save_email, .after_save = mail__email_saved,
     .before_delete = mail__email_deleted, .before_restore = mail__email_restored},
    {.entity = "email_templates", .validate = mail__validate_template},
    {.entity = "mailboxes", .validate = mail__validate_mailbox,
     .before_delete = mail__mailbox_deleted, .before_restore = mail__mailbox_restored},
};

static const struct api_route ROUTES[] = {
    {.method = "GET", .path = "/api/v1/mail/settings", .fn = mail__get_settings,
     .summary = "The mail settings (administrators; the password is never returned)",
     .op_id = "mail_settings_get", .ok = 200, .answer = API_JSON},
    {.method = "PATCH", .path = "/api/v1/mail/settings", .fn = mail__put_settings,
     .summary = "Change the mail settings (administrators)", .op_id = "mail_settings_update",
     .ok = 200, .body = API_JSON, .answer = API_JSON},
    {.method = "POST", .path = "/api/v1/mail/test", .fn = mail__post_test,
     .summary = "Send a test message now through the configured server (administrators)",
     .op_id = "mail_test", .ok = 200, .body = API_JSON, .answer = API_JSON},
    {.method = "POST", .path = "/api/v1/mail/preview", .fn = mail__post_preview,
     .summary = "An e-mail as it would be sent (template merged), without sending it",
     .op_id = "mail_preview", .ok = 200, .body = API_JSON, .answer = API_JSON},
    {.method = "POST", .path = "/api/v1/mail/batch", .fn = mail__post_batch,
     .summary = "Write up to 5,000 e-mails (a mailing) in one transaction, all or none",
     .op_id = "mail_batch", .ok = 201, .body = API_JSON, .answer = API_JSON,
     .max_body = MAIL_MAX_BATCH_BODY},
    {.method = "PUT", .path = "/api/v1/mailboxes/{id}/password", .fn = mail__put_mailbox_password,
     .summary = "Set a mailbox's password (kept encrypted, never returned)",
     .op_id = "mailbox_password_set", .ok = 200, .body = API_JSON, .answer = API_JSON},
    {.method = "POST", .path = "/api/v1/mailboxes/{id}/fetch", .fn = mail__post_mailbox_fetch,
     .summary = "Read a mailbox now (in the background)", .op_id = "mailbox_fetch", .ok = 202,
     .answer = API_JSON},
};

static const struct rp_job_kind JOBS[] = {
    {.name = "mail.send", .run = mail__send_run},
    {.name = NOTIFY_EMAIL_JOB, .run = mail__notify_run},
    {.name = "mail.fetch", .run = mail__fetch_run},
};

static const struct rp_schedule SCHEDULES[] = {
    /* Messages whose job was lost (a server stopped while it ran) are queued again. */
    {.name = "mail.sweep", .every_s = 300, .run = mail__sweep},
    /* Notification e-mails whose job was lost are written (notify_mail.c). */
    {.name = "mail.notify", .every_s = 60, .run = mail__notify_sweep},
    /* Each mailbox read automatically is read once a minute. */
    {.name = "mail.poll", .every_s = 60, .run = mail__poll},
};

/* Everyone inside the company who works with customers writes e-mails and reads their
 * own (managers their team's); e-mails are not edited once written. Templates are
 * shared: marketing and managers keep them. The delivery log follows the e-mails and
 * is written by the system only. */
static const struct rp_grant GRANTS[] = {
    /* read, create, edit, delete, export, import */
    {.role = "manager", .entity = "emails", .scopes = "team own none own team none"},
    {.role = "sales", .entity = "emails", .scopes = "own own none own own none"},
    {.role = "support", .entity = "emails", .scopes = "own own none own own none"},
    {.role = "marketing", .entity = "emails", .scopes = "own own none own own none"},
    {.role = "partner", .entity = "emails", .scopes = "none none none none none none"},
    {.role = "readonly", .entity = "emails", .scopes = "own none none none none none"},
    {.role = "manager", .entity = "email_templates", .scopes = "all all all all all none"},
    {.role = "sales", .entity = "email_templates", .scopes = "all own own own none none"},
    {.role = "support", .entity = "email_templates", .scopes = "all own own own none none"},
    {.role = "marketing", .entity = "email_templates", .scopes = "all all all all all all"},
    {.role = "partner", .entity = "email_templates", .scopes = "none none none none none none"},
    {.role = "readonly", .entity = "email_templates", .scopes = "all none none none none none"},
    {.role = "manager", .entity = "email_deliveries", .scopes = "team none none none team none"},
    {.role = "sales", .entity = "email_deliveries", .scopes = "own none none none none none"},
    {.role = "support", .entity = "email_deliveries", .scopes = "own none none none none none"},
    {.role = "marketing", .entity = "email_deliveries", .scopes = "own none none none none none"},
    {.role = "partner", .entity = "email_deliveries", .scopes = "none none none none none none"},
    {.role = "readonly", .entity = "email_deliveries", .scopes = "own none none none none none"},
    /* A mailbox is its owner's: they read, change and remove it (administrators see
     * every one); nobody exports its settings. */
    {.role = "manager", .entity = "mailboxes", .scopes = "own own own own none none"},
    {.role = "sales", .entity = "mailboxes", .scopes = "own own own own none none"},
    {.role = "support", .entity = "mailboxes", .scopes = "own own own own none none"},
    {.role = "marketing", .entity = "mailboxes", .scopes = "own own own own none none"},
    {.role = "partner", .entity = "mailboxes", .scopes = "none none none none none none"},
    {.role = "readonly", .entity = "mailboxes", .scopes = "none none none none none none"},
};

const struct rp_module mod_mail = {
    .name = "mail",
    .entities = ENTITIES,
    .nentities = RP_NELEM(ENTITIES),
    .hooks = HOOKS,
    .nhooks = RP_NELEM(HOOKS),
    .routes = ROUTES,
    .nroutes = RP_NELEM(ROUTES),
    .jobs = JOBS,
    .njobs = RP_NELEM(JOBS),
    .schedules = SCHEDULES,
    .nschedules = RP_NELEM(SCHEDULES),
    .grants = GRANTS,
    .ngrants = RP_NELEM(GRANTS),
    .messages = &mail__messages,
};
