/* The knowledge base's descriptor. */
#include "core/common.h"

#include "api/route.h"
#include "mod/kb/kb.h"

static const struct entity_def *const ENTITIES[] = {&kb__categories, &kb__articles,
                                                    &kb__feedback};

static const struct rp_hooks HOOKS[] = {
    {.entity = "kb_categories", .validate = kb__validate_category},
    {.entity = "kb_articles", .validate = kb__validate_article},
    {.entity = "kb_feedback", .validate = kb__validate_feedback, .after_save = kb__feedback_saved},
};

static const struct api_route ROUTES[] = {
    {.method = "GET", .path = "/api/v1/kb_articles/{id}/html", .fn = kb__get_html,
     .summary = "An article's body rendered as safe HTML", .op_id = "kb_article_html", .ok = 200,
     .answer = API_JSON},
    {.method = "GET", .path = "/api/v1/kb_articles/{id}/versions", .fn = kb__get_versions,
     .summary = "Versions of an article", .op_id = "kb_article_versions", .ok = 200,
     .answer = API_JSON},
    {.method = "GET", .path = "/api/v1/kb_articles/{id}/versions/{version}",
     .fn = kb__get_version, .summary = "One version of an article, rendered",
     .op_id = "kb_article_version", .ok = 200, .answer = API_JSON},
    {.method = "POST", .path = "/api/v1/kb_articles/{id}/feedback", .fn = kb__post_feedback,
     .summary = "Say whether an article helped (once per reader)", .op_id = "kb_article_feedback",
     .ok = 200, .body = API_JSON, .answer = API_JSON},
    {.method = "POST", .path = "/api/v1/kb_articles/{id}/view", .fn = kb__post_view,
     .summary = "Count a view of an article", .op_id = "kb_article_view", .ok = 200,
     .answer = API_JSON},
    {.method = "GET", .path = "/api/v1/kb/suggest", .fn = kb__get_suggest,
     .summary = "Published articles matching a text, best first", .op_id = "kb_suggest",
     .ok = 200, .answer = API_JSON},
    {.method = "POST", .path = "/api/v1/kb/render", .fn = kb__post_render,
     .summary = "Markdown rendered as safe HTML (a preview)", .op_id = "kb_render", .ok = 200,
     .body = API_JSON, .answer = API_JSON},
};

/* Support writes the knowledge base, everyone else inside the company reads it; a
 * partner sees none of it (public articles are for the portal: grants give scopes by
 * owner, not by a field's value, so "public ones only" is not a grant). Votes are the
 * voters' own; support and managers read them all. */
static const struct rp_grant GRANTS[] = {
    /* read, create, edit, delete, export, import */
    {.role = "manager", .scopes = "all none none none all none"},
    {.role = "sales", .scopes = "all none none none none none"},
    {.role = "support", .scopes = "all own all own all own"},
    {.role = "marketing", .scopes = "all none none none none none"},
    {.role = "partner", .scopes = "none none none none none none"},
    {.role = "readonly", .scopes = "all none none none none none"},
    {.role = "manager", .entity = "kb_feedback", .scopes = "all own own none all none"},
    {.role = "sales", .entity = "kb_feedback", .scopes = "own own own none none none"},
    {.role = "support", .entity = "kb_feedback", .scopes = "all own own none all none"},
    {.role = "marketing", .entity = "kb_feedback", .scopes = "own own own none none none"},
    {.role = "readonly", .entity = "kb_feedback", .scopes = "own none none none none none"},
};

const struct rp_module mod_kb = {
    .name = "kb",
    .entities = ENTITIES,
    .nentities = RP_NELEM(ENTITIES),
    .hooks = HOOKS,
    .nhooks = RP_NELEM(HOOKS),
    .routes = ROUTES,
    .nroutes = RP_NELEM(ROUTES),
    .grants = GRANTS,
    .ngrants = RP_NELEM(GRANTS),
    .demo = kb__demo,
    .messages = &kb__messages,
};
