/* Users: the people who sign in. Records like any other, so they list, filter and
 * audit through the engine; the password is write-only and stored as argon2id. */
#include "core/common.h"

#include "mod/entities.h"

const char *const meta_roles[] = {"admin",     "manager", "sales",    "support",
                                  "marketing", "partner", "readonly", NULL};
static const char *const LOCALES[] = {"en", "zh-CN", NULL};

static const struct field_def FIELDS[] = {
    {"username", "Username", FT_STRING, FF_REQUIRED | FF_UNIQUE | FF_SEARCH | FF_LIST, 64,
     NULL, NULL, "overview", NULL, NULL},
    {"display_name", "Display name", FT_STRING, FF_SEARCH | FF_LIST | FF_INDEXED, 100, NULL,
     NULL, "overview", NULL, NULL},
    {"email", "Email", FT_EMAIL, FF_SEARCH | FF_LIST | FF_INDEXED, 0, NULL, NULL, "overview",
     NULL, NULL},
    {"password", "Password", FT_PASSWORD, 0, RP_MAX_PASSWORD, NULL, NULL, "access", NULL, NULL},
    {"role", "Role", FT_ENUM, FF_REQUIRED | FF_INDEXED | FF_LIST, 0, meta_roles, NULL, "access",
     NULL, NULL},
    {"team_ids", "Teams", FT_MULTI_REF, 0, 0, NULL, "teams", "access", NULL, NULL},
    {"active", "Active", FT_BOOL, FF_INDEXED | FF_LIST, 0, NULL, NULL, "access", "true", NULL},
    {"locale", "Language", FT_ENUM, 0, 0, LOCALES, NULL, "preferences", "en", NULL},
};

const struct entity_def entity_users = {
    .name = "users",
    .label = "User",
    .label_plural = "Users",
    .fields = FIELDS,
    .nfields = RP_NELEM(FIELDS),
    .title_field = "username",
    .default_sort = "username",
    .flags = EF_NO_DELETE | EF_PLATFORM,
};
