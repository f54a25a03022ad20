/* Products and quotes: the descriptor. */
#include "core/common.h"

#include "api/route.h"
#include "mod/commerce/commerce.h"

static const struct entity_def *const ENTITIES[] = {
    &cm__categories, &cm__products,  &cm__price_lists, &cm__price_list_items, &cm__letterheads,
    &cm__quotes,     &cm__contracts, &cm__orders,      &cm__shipments,        &cm__discount_limits,
    &cm__currencies, &cm__exchange_rates};

static const struct rp_hooks HOOKS[] = {
    {.entity = "product_categories", .validate = cm__validate_category},
    {.entity = "products", .validate = cm__validate_product},
    {.entity = "price_lists", .validate = cm__validate_price_list},
    {.entity = "price_list_items", .validate = cm__validate_item},
    {.entity = "quotes", .validate = cm__validate_quote, .after_save = cm__quote_saved,
     .before_delete = cm__before_delete_quote, .before_restore = cm__quote_restored},
    {.entity = "contracts", .validate = cm__validate_contract},
    {.entity = "currencies", .validate = cm__validate_currency, .after_save = cm__currency_saved,
     .before_delete = cm__before_delete_currency},
    {.entity = "exchange_rates", .validate = cm__validate_rate},
    /* Documents in a currency the workspace has not enabled are refused. */
    {.entity = "products", .validate = cm__validate_money},
    {.entity = "price_lists", .validate = cm__validate_money},
    {.entity = "quotes", .validate = cm__validate_money},
    {.entity = "orders", .validate = cm__validate_money},
    {.entity = "contracts", .validate = cm__validate_money},
    {.entity = "orders", .validate = cm__validate_order},
    {.entity = "shipments", .validate = cm__validate_shipment},
};

static const struct api_route ROUTES[] = {
    {.method = "GET", .path = "/api/v1/prices", .fn = cm__get_price,
     .summary = "The price of a product for an account, a quantity and a day, with the price "
                "list that won and why",
     .op_id = "price_lookup", .ok = 200, .answer = API_JSON},
    {.method = "POST", .path = "/api/v1/products/{id}/configure", .fn = cm__post_configure,
     .summary = "Check a configuration of a product and price it; 422 names every broken rule",
     .op_id = "product_configure", .ok = 200, .body = API_JSON, .answer = API_JSON},
    {.method = "POST", .path = "/api/v1/quotes/{id}/revise", .fn = cm__post_revise,
     .summary = "A new draft version of a sent quote, with its number and lines",
     .op_id = "quote_revise", .ok = 201, .answer = API_RECORD},
    {.method = "GET", .path = "/api/v1/quotes/{id}/pdf", .fn = cm__get_pdf,
     .summary = "A quote as a PDF (?paper=a4 or letter), in the caller's language",
     .op_id = "quote_pdf", .ok = 200, .answer = API_FILE},
    {.method = "POST", .path = "/api/v1/quotes/{id}/order", .fn = cm__post_order,
     .summary = "The order of an accepted quote, with its lines and totals as accepted",
     .op_id = "quote_order", .ok = 201, .answer = API_RECORD},
    {.method = "POST", .path = "/api/v1/quotes/{id}/request-approval",
     .fn = cm__post_request_approval,
     .summary = "Ask for the approval of a quote's discount over its owner's limit",
     .op_id = "quote_request_approval", .ok = 200, .answer = API_RECORD},
    {.method = "POST", .path = "/api/v1/quotes/{id}/approval", .fn = cm__post_approval,
     .summary = "Approve or reject a quote's discount ({\"approve\": true or false})",
     .op_id = "quote_approval", .ok = 200, .body = API_JSON, .answer = API_RECORD},
    {.method = "GET", .path = "/api/v1/exchange_rates/convert", .fn = cm__get_convert,
     .summary = "An amount in another currency at the rate of a day, through the base currency",
     .op_id = "exchange_convert", .ok = 200, .answer = API_JSON},
    {.method = "GET", .path = "/api/v1/accounts/{id}/commerce", .fn = cm__get_account_summary,
     .summary = "An account's open quotes, orders, lifetime value and active contracts, per "
                "currency",
     .op_id = "account_commerce", .ok = 200, .answer = API_JSON},
};

static const struct rp_job_kind JOBS[] = {
    {.name = "contracts.renew", .check = cm__contracts_check, .run = cm__contracts_run},
};

static const struct rp_schedule SCHEDULES[] = {
    {.name = "quotes.expire", .every_s = 3600, .run = cm__expire_quotes},
    {.name = "contracts.renew", .every_s = 3600, .run = cm__contracts_due},
};

/* The catalogue — products, categories, price lists and letterheads — is read by
 * everyone inside the company and kept by managers (and administrators); quotes are
 * sales work, scoped like deals. Partners see the catalogue (they sell it) but no
 * price list: those are other customers' terms. */
static const struct rp_grant GRANTS[] = {
    /* read, create, edit, delete, export, import */
    {.role = "manager", .scopes = "all all all all all all"},
    {.role = "sales", .scopes = "all none none none all none"},
    {.role = "support", .scopes = "all none none none none none"},
    {.role = "marketing", .scopes = "all none none none all none"},
    {.role = "partner", .scopes = "all none none none none none"},
    {.role = "readonly", .scopes = "all none none none none none"},
    {.role = "partner", .entity = "price_lists", .scopes = "none none none none none none"},
    {.role = "partner", .entity = "price_list_items", .scopes = "none none none none none none"},
    {.role = "partner", .entity = "letterheads", .scopes = "none none none none none none"},
    {.role = "manager", .entity = "quotes", .scopes = "team team team team team team"},
    {.role = "sales", .entity = "quotes", .scopes = "team own own own own own"},
    {.role = "support", .entity = "quotes", .scopes = "all none none none none none"},
    {.role = "marketing", .entity = "quotes", .scopes = "all none none none none none"},
    {.role = "partner", .entity = "quotes", .scopes = "own own own none none none"},
    {.role = "readonly", .entity = "quotes", .scopes = "all none none none none none"},
    /* Contracts, orders and shipments are the account's business, scoped like quotes;
     * partners see the orders they placed. */
    /* Discount limits are the administrators' (the platform gives them everything);
     * everyone reads them, to know their own. */
    {.role = "manager", .entity = "discount_limits", .scopes = "all none none none none none"},
    {.role = "manager", .entity = "currencies", .scopes = "all none none none none none"},
    {.role = "sales", .entity = "currencies", .scopes = "all none none none none none"},
    {.role = "support", .entity = "currencies", .scopes = "all none none none none none"},
    {.role = "marketing", .entity = "currencies", .scopes = "all none none none none none"},
    {.role = "partner", .entity = "currencies", .scopes = "all none none none none none"},
    {.role = "readonly", .entity = "currencies", .scopes = "all none none none none none"},
    {.role = "manager", .entity = "exchange_rates", .scopes = "all all all all all all"},
    {.role = "sales", .entity = "exchange_rates", .scopes = "all none none none none none"},
    {.role = "support", .entity = "exchange_rates", .scopes = "all none none none none none"},
    {.role = "marketing", .entity = "exchange_rates", .scopes = "all none none none none none"},
    {.role = "partner", .entity = "exchange_rates", .scopes = "none none none none none none"},
    {.role = "readonly", .entity = "exchange_rates", .scopes = "all none none none none none"},
    {.role = "sales", .entity = "discount_limits", .scopes = "all none none none none none"},
    {.role = "support", .entity = "discount_limits", .scopes = "all none none none none none"},
    {.role = "marketing", .entity = "discount_limits", .scopes = "all none none none none none"},
    {.role = "partner", .entity = "discount_limits", .scopes = "all none none none none none"},
    {.role = "readonly", .entity = "discount_limits", .scopes = "all none none none none none"},
    {.role = "manager", .entity = "contracts", .scopes = "team team team team team team"},
    {.role = "sales", .entity = "contracts", .scopes = "team own own own own own"},
    {.role = "support", .entity = "contracts", .scopes = "all none none none none none"},
    {.role = "marketing", .entity = "contracts", .scopes = "all none none none none none"},
    {.role = "partner", .entity = "contracts", .scopes = "none none none none none none"},
    {.role = "readonly", .entity = "contracts", .scopes = "all none none none none none"},
    {.role = "manager", .entity = "orders", .scopes = "team team team team team team"},
    {.role = "sales", .entity = "orders", .scopes = "team own own own own own"},
    {.role = "support", .entity = "orders", .scopes = "all none none none none none"},
    {.role = "marketing", .entity = "orders", .scopes = "all none none none none none"},
    {.role = "partner", .entity = "orders", .scopes = "own own own none none none"},
    {.role = "readonly", .entity = "orders", .scopes = "all none none none none none"},
    {.role = "manager", .entity = "shipments", .scopes = "team team team team team team"},
    {.role = "sales", .entity = "shipments", .scopes = "team own own own own own"},
    {.role = "support", .entity = "shipments", .scopes = "all own own none none none"},
    {.role = "marketing", .entity = "shipments", .scopes = "all none none none none none"},
    {.role = "partner", .entity = "shipments", .scopes = "own none none none none none"},
    {.role = "readonly", .entity = "shipments", .scopes = "all none none none none none"},
};

const struct rp_module mod_commerce = {
    .name = "commerce",
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
    .bootstrap = cm__bootstrap,
    .demo = cm__demo,
    .messages = &cm__messages,
};
