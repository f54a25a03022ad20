/* The route table (api/route.h): the API's own routes and every module's, the one
 * source of the router and of the OpenAPI document. */
#include "core/common.h"

#include "api/api_int.h"
#include "api/handlers.h"
#include "engine/module.h"

/* Fixed paths come before every module's, and those before the paths of {res}, which
 * would match them too. */
static const struct api_route FIXED[] = {
    {"GET", "/healthz", api__health, "Health of the server and its database", "health", 200,
     API_NONE, API_JSON, API_PUBLIC, 0, 0, 0},
    {"GET", "/metrics", api__metrics, "Prometheus metrics", "metrics", 200, API_NONE,
     API_FILE, API_PUBLIC, 0, 0, 0},
    {"POST", "/api/v1/auth/login", api__login, "Sign in", "login", 200, API_JSON, API_JSON,
     API_PUBLIC, 0, 0, 0},
    {"POST", "/api/v1/auth/logout", api__logout, "Sign out", "logout", 204, API_NONE, API_NONE,
     0, 0, 0, 0},
    {"GET", "/api/v1/auth/me", api__me, "The signed-in user", "me", 200, API_NONE, API_JSON, 0,
     0, 0, 0},
    {"POST", "/api/v1/tokens", api__token_create, "Create an API token", "create_token", 201,
     API_JSON, API_JSON, 0, 0, 0, 0},
    {"GET", "/api/v1/tokens", api__token_list, "My API tokens", "list_tokens", 200, API_NONE,
     API_JSON, 0, 0, 0, 0},
    {"DELETE", "/api/v1/tokens/{id}", api__token_delete, "Revoke an API token", "revoke_token",
     204, API_NONE, API_NONE, 0, 0, 0, 0},
    {"GET", "/api/v1/security-events", api__security_events,
     "The security log (administrators)", "security_events", 200, API_NONE, API_JSON, 0, 0, 0,
     0},
    {"GET", "/api/v1/system/status", api__system_status,
     "The database this server writes to and reads from, replica lag, reconnects"
     " (administrators)",
     "system_status", 200, API_NONE, API_JSON, 0, 0, 0, 0},
    {"GET", "/api/v1/meta", api__meta_route, "Entity metadata", "meta", 200, API_NONE, API_JSON,
     0, 0, 0, 0},
    {"GET", "/api/v1/openapi.json", api__openapi_route, "This document", "openapi", 200,
     API_NONE, API_JSON, API_PUBLIC, 0, 0, 0},
    {"GET", "/api/v1/notifications", api__notify_list,
     "My notifications, newest first, with the unread count", "list_notifications", 200,
     API_NONE, API_JSON, 0, 0, 0, 0},
    {"GET", "/api/v1/notifications/stream", api__notify_stream,
     "My notifications as they come (Server-Sent Events)", "stream_notifications", 200,
     API_NONE, API_FILE, 0, 0, 0, 0},
    {"GET", "/api/v1/notifications/preferences", api__notify_prefs,
     "How I am told of each kind of notification", "notification_preferences", 200, API_NONE,
     API_JSON, 0, 0, 0, 0},
    {"PUT", "/api/v1/notifications/preferences", api__notify_prefs_set,
     "Choose how I am told of kinds of notification", "set_notification_preferences", 200,
     API_JSON, API_JSON, 0, 0, 0, 0},
    {"POST", "/api/v1/notifications/read-all", api__notify_read_all,
     "Mark all my notifications read", "read_all_notifications", 200, API_NONE, API_JSON, 0, 0,
     0, 0},
    {"POST", "/api/v1/notifications/{id}/read", api__notify_read,
     "Mark a notification read (dismiss a reminder)", "read_notification", 200, API_NONE,
     API_JSON, 0, 0, 0, 0},
    {"POST", "/api/v1/notifications/{id}/snooze", api__notify_snooze,
     "Snooze a reminder for some minutes", "snooze_notification", 200, API_JSON, API_JSON, 0, 0,
     0, 0},
    {"GET", "/api/v1/search", api__search, "Search every entity", "search", 200, API_NONE,
     API_JSON, API_READ_REPLICA, 0, 0, 0},
    {"GET", "/api/v1/phone/lookup", api__phone_lookup,
     "The records whose phone fields hold a number, however it is written", "phone_lookup",
     200, API_NONE, API_JSON, 0, 0, 0, 0},
    {"POST", "/api/v1/jobs", api__job_create, "Queue a background job (administrators)",
     "create_job", 202, API_JSON, API_JSON, 0, 0, 0, 0},
    {"GET", "/api/v1/jobs/{id}", api__job_get, "A background job (administrators)", "get_job",
     200, API_NONE, API_JSON, 0, 0, 0, 0},
    {"POST", "/api/v1/imports", api__import_create,
     "Import a file: CSV (text/csv), Excel .xlsx or vCards (text/vcard)", "create_import", 202,
     API_IMPORT, API_JSON, 0, RP_MAX_IMPORT_BODY, 0, 0},
    {"POST", "/api/v1/imports/preview", api__import_preview,
     "How an import would read a file's columns and first rows", "preview_import", 200,
     API_IMPORT, API_JSON, 0, RP_MAX_IMPORT_BODY, 0, 0},
    {"GET", "/api/v1/imports/{id}", api__import_get, "An import's progress and row errors",
     "get_import", 200, API_NONE, API_JSON, 0, 0, 0, 0},
    {"GET", "/api/v1/settings", api__settings_get, "Settings (administrators)", "settings", 200,
     API_NONE, API_JSON, 0, 0, 0, 0},
    {"PATCH", "/api/v1/settings", api__settings_update, "Change settings (administrators)",
     "update_settings", 200, API_JSON, API_JSON, 0, 0, 0, 0},
    {"POST", "/api/v1/meta/entities", api__meta_entity_create,
     "Add a custom entity with its fields (administrators)", "create_entity", 201, API_JSON,
     API_JSON, 0, 0, 0, 0},
    {"POST", "/api/v1/meta/entities/{entity}/fields", api__meta_field_create,
     "Add a custom field (administrators)", "create_field", 201, API_JSON, API_JSON, 0, 0, 0,
     0},
    {"PATCH", "/api/v1/meta/entities/{entity}/fields/{field}", api__meta_field_update,
     "Change a custom field (administrators)", "update_field", 200, API_JSON, API_JSON, 0, 0,
     0, 0},
    {"DELETE", "/api/v1/meta/entities/{entity}/fields/{field}", api__meta_field_delete,
     "Remove a custom field (administrators)", "delete_field", 204, API_NONE, API_NONE, 0, 0, 0,
     0},
};

static const struct api_route PER_ENTITY[] = {
    {"GET", "/api/v1/{res}/export", api__export, "Export {labels} (csv, xlsx, …)",
     "export_{res}", 200, API_NONE, API_FILE, API_READ_REPLICA, 0, 0, 0},
    {"GET", "/api/v1/{res}/duplicates", api__duplicates, "Likely duplicate {labels}",
     "duplicates_{res}", 200, API_NONE, API_JSON, 0, 0, EF_DUPLICATES, 0},
    {"GET", "/api/v1/{res}", api__list, "List {labels}", "list_{res}", 200, API_NONE, API_PAGE,
     API_READ_REPLICA, 0, 0, 0},
    {"POST", "/api/v1/{res}", api__create, "Create a {label}", "create_{res}", 201, API_RECORD,
     API_RECORD, 0, 0, 0, 0},
    {"GET", "/api/v1/{res}/{id}", api__get, "Read a {label}", "get_{res}", 200, API_NONE,
     API_RECORD, 0, 0, 0, 0},
    {"PATCH", "/api/v1/{res}/{id}", api__update, "Change a {label}", "update_{res}", 200,
     API_RECORD, API_RECORD, 0, 0, 0, 0},
    {"PUT", "/api/v1/{res}/external/{external_id}", api__upsert_external,
     "Create or update the {label} with another system's key", "upsert_{res}", 200, API_RECORD,
     API_RECORD, 0, 0, EF_EXTERNAL_ID, 0},
    {"DELETE", "/api/v1/{res}/{id}", api__delete, "Move a {label} to the recycle bin",
     "delete_{res}", 204, API_NONE, API_NONE, 0, 0, 0, EF_NO_DELETE},
    {"POST", "/api/v1/{res}/{id}/restore", api__restore, "Restore a {label} from the recycle bin",
     "restore_{res}", 200, API_NONE, API_RECORD, 0, 0, 0, EF_NO_DELETE},
    {"POST", "/api/v1/{res}/{id}/purge", api__purge,
     "Delete a {label} in the recycle bin permanently (administrators)", "purge_{res}", 204,
     API_NONE, API_NONE, 0, 0, 0, EF_NO_DELETE},
    {"POST", "/api/v1/{res}/purge", api__purge_bin,
     "Empty the recycle bin of {labels} (administrators)", "empty_bin_{res}", 200, API_JSON,
     API_JSON, 0, 0, 0, EF_NO_DELETE},
    {"POST", "/api/v1/{res}/{id}/merge", api__merge, "Merge other {labels} into this one",
     "merge_{res}", 200, API_JSON, API_RECORD, 0, 0, EF_DUPLICATES, 0},
    {"GET", "/api/v1/{res}/{id}/history", api__history, "Field history of a {label}",
     "history_{res}", 200, API_NONE, API_JSON, 0, 0, 0, 0},
    {"GET", "/api/v1/{res}/{id}/timeline", api__timeline, "Timeline of a {label}",
     "timeline_{res}", 200, API_NONE, API_JSON, 0, 0, EF_TIMELINE, 0},
    {"GET", "/api/v1/{res}/{id}/shares", api__shares, "Who a {label} is shared with",
     "shares_{res}", 200, API_NONE, API_JSON, 0, 0, 0, EF_PLATFORM},
    {"POST", "/api/v1/{res}/{id}/shares", api__share_create,
     "Share a {label} with a user or a team", "share_{res}", 201, API_JSON, API_JSON, 0, 0, 0,
     EF_PLATFORM},
    {"DELETE", "/api/v1/{res}/{id}/shares/{share_id}", api__share_delete,
     "Stop sharing a {label}", "unshare_{res}", 204, API_NONE, API_NONE, 0, 0, 0, EF_PLATFORM},
};

const struct api_route *api__routes(size_t *n)
{
    static struct api_route all[API_MAX_ROUTES];
    static size_t count;
    if (!count) {
        for (size_t i = 0; i < RP_NELEM(FIXED); i++)
            all[count++] = FIXED[i];
        for (size_t m = 0; m < rp_nmodules; m++)
            for (size_t k = 0; k < rp_modules[m]->nroutes; k++) {
                RP_ASSERT(count < API_MAX_ROUTES);
                all[count++] = rp_modules[m]->routes[k];
            }
        for (size_t i = 0; i < RP_NELEM(PER_ENTITY); i++) {
            RP_ASSERT(count < API_MAX_ROUTES);
            all[count++] = PER_ENTITY[i];
        }
    }
    *n = count;
    return all;
}
