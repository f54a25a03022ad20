/* Products and quotes (MISSION 6, issue 24): products with a SKU, names in English and
 * Chinese, categories in a tree and bundles; price lists per currency for everyone, a
 * tier, a category of customers or one account, valid between dates, with prices by
 * volume; the price of a product for an account, a quantity and a day, with the list
 * that won and why; quotes with their lines priced from the lists, totals in integer
 * minor units, statuses and frozen versions, the primary quote setting its deal's
 * amount, and a PDF in English or Chinese.
 *
 * A quote's lines live in the quote (a JSON list, the field `lines`): a quote is
 * written, frozen and copied as a whole, and its totals are computed in the same
 * write as its lines, so they can never disagree (docs/design.md). */
#ifndef RP_MOD_COMMERCE_H
#define RP_MOD_COMMERCE_H

#include "engine/module.h"

/* How deep the category tree goes, and a bound on the walk that refuses a cycle. */
#define CM_MAX_CATEGORY_DEPTH 8
/* Products in one bundle, and in all the bundles inside one (the walk that refuses a
 * bundle inside itself). */
#define CM_MAX_COMPONENTS 50u
#define CM_MAX_BUNDLE_WALK 1000u
/* Lines of one quote, and the bytes of its `lines` JSON. */
#define CM_MAX_LINES 500u
#define CM_MAX_LINES_JSON (1024u * 1024u - 4096u)
/* Units of one line, and rates in basis points (1 = 0.01 %). */
#define CM_MAX_QUANTITY 1000000000LL
#define CM_BP 10000LL
/* Price lists a price lookup weighs at most (the lists holding the product), and the
 * entries one quote's pricing reads at most (its products' in every applicable list). */
#define CM_MAX_CANDIDATES 200u
#define CM_MAX_OFFERS 100000u
/* The counter of quote numbers, and their prefix: Q-000123. */
#define CM_QUOTE_COUNTER "quotes.number"
#define CM_QUOTE_PREFIX "Q-"
/* Orders' and contracts' counters and prefixes: SO-000123, CT-000123. */
#define CM_ORDER_COUNTER "orders.number"
#define CM_ORDER_PREFIX "SO-"
#define CM_CONTRACT_COUNTER "contracts.number"
#define CM_CONTRACT_PREFIX "CT-"
/* A configurable product's option groups, options per group, and rules, at most. */
#define CM_MAX_GROUPS 20u
#define CM_MAX_OPTIONS 30u
#define CM_MAX_RULES 100u
/* Exchange rates in millionths: one unit, and the largest rate (a million base units). */
#define CM_RATE_ONE 1000000LL
#define CM_MAX_RATE (1000000LL * CM_RATE_ONE)
/* Users a discount approval is asked of at most. */
#define CM_MAX_APPROVERS 20u
/* Rows (a currency and a day) an account's sum reads at most; rates of one currency a
 * conversion reads at most. */
#define CM_MAX_SUM_ROWS 20000u
#define CM_MAX_RATES 10000u
/* Contracts a renewal sweep handles at most per run. */
#define CM_SWEEP_BATCH 200u

/* The fields of a priced document, a quote or an order: its lines (JSON, priced in
 * its own write, cm__price_lines) and the totals computed from them, read-only. Its
 * entity also has `currency`, `price_list_id` and `account_id`. */
#define CM_PRICED_FIELDS                                                                         \
    {.name = "lines", .label = "Lines", .label_zh = "明细", .type = FT_JSON,                     \
     .maxlen = CM_MAX_LINES_JSON, .group = "lines"},                                            \
        {.name = "subtotal", .label = "Subtotal", .label_zh = "小计", .type = FT_MONEY,          \
         .flags = FF_READONLY, .def = "0", .currency_field = "currency", .group = "totals"},    \
        {.name = "discount_total", .label = "Discounts", .label_zh = "折扣", .type = FT_MONEY,   \
         .flags = FF_READONLY, .def = "0", .currency_field = "currency", .group = "totals"},    \
        {.name = "tax_total", .label = "Tax", .label_zh = "税额", .type = FT_MONEY,              \
         .flags = FF_READONLY, .def = "0", .currency_field = "currency", .group = "totals"},    \
        {.name = "total", .label = "Total", .label_zh = "总计", .type = FT_MONEY,                \
         .flags = FF_READONLY | FF_INDEXED | FF_LIST, .def = "0", .currency_field = "currency", \
         .group = "totals"}

extern const struct entity_def cm__categories;
extern const struct entity_def cm__products;
extern const struct entity_def cm__price_lists;
extern const struct entity_def cm__price_list_items;
extern const struct entity_def cm__quotes;
extern const struct entity_def cm__letterheads;
extern const struct entity_def cm__orders;
extern const struct entity_def cm__shipments;
extern const struct entity_def cm__contracts;
extern const struct entity_def cm__discount_limits;
extern const struct entity_def cm__currencies;
extern const struct entity_def cm__exchange_rates;

extern const struct rp_module mod_commerce;

/* ---- amounts (money.c: pure, no database) ---- */

/* One line to price, in minor units of its currency: quantity × unit price, less a
 * discount (a rate in basis points, or an amount off the line — not both), plus tax
 * at a rate in basis points on what is left. */
struct cm_line_in {
    int64_t quantity;         /* 1 .. CM_MAX_QUANTITY */
    int64_t unit_price;       /* 0 .. META_MONEY_MAX */
    int64_t discount_bp;      /* 0 .. CM_BP */
    int64_t discount_amount;  /* 0 .. the line's gross */
    int64_t tax_bp;           /* 0 .. CM_BP */
};
struct cm_line_out {
    int64_t gross;            /* quantity × unit price */
    int64_t discount;         /* the amount off */
    int64_t net;              /* gross − discount */
    int64_t tax;
    int64_t total;            /* net + tax */
};
/* The totals of a quote: the sums of its lines' figures. */
struct cm_totals {
    int64_t gross, discount, net, tax, total;
};

/* round(num × bp / 10000), half away from zero, exact for every int64 num and bp in
 * 0..CM_BP. */
int64_t cm_apply_bp(int64_t num, int64_t bp);
/* Prices one line: the one rounding rule is per line, half away from zero, the
 * discount first and the tax on the net (docs/api.md). RP_EINVAL for an input out
 * of its bounds, RP_ERANGE when a figure passes META_MONEY_MAX. */
enum rp_err cm_price_line(const struct cm_line_in *in, struct cm_line_out *out);
/* Adds a priced line to totals; RP_ERANGE past META_MONEY_MAX. */
enum rp_err cm_add_line(struct cm_totals *t, const struct cm_line_out *l);

/* ---- prices (prices.c) ---- */

/* Why a price list won, strongest first: the order the lookup ranks lists in. */
enum cm_match {
    CM_MATCH_NONE,            /* the product's own list price */
    CM_MATCH_DEFAULT,         /* a list for everyone */
    CM_MATCH_CATEGORY,        /* for the account's category */
    CM_MATCH_TIER,            /* for the account's tier */
    CM_MATCH_ACCOUNT,         /* for this account */
};

/* A candidate of a lookup: a live, active price list of the currency valid on the
 * day, with its best volume price for the quantity. */
struct cm_candidate {
    const char *list_id;
    const char *list_name;
    const char *account_id;   /* the list's target: at most one of these three */
    const char *tier;
    const char *category;
    const char *valid_from;   /* NULL: always */
    int64_t min_quantity;     /* the volume tier that applies */
    int64_t unit_price;
};

/* What a lookup answers. */
struct cm_price {
    bool found;
    int64_t unit_price;
    int64_t min_quantity;     /* the volume tier (1 for a list price) */
    enum cm_match match;
    const char *list_id;      /* NULL: the product's list price */
    const char *list_name;
    const char *reason;       /* why, in the caller's language */
    size_t considered;        /* candidate lists weighed */
};

/* The account a lookup prices for: what price lists target. All NULL: no account. */
struct cm_buyer {
    const char *account_id;
    const char *tier;
    const char *category;
};

/* Chooses among candidates (pure): the strongest match for the buyer; among lists of
 * one match, the one valid from the latest day (a list valid always counts as the
 * earliest); then the lower price, then the smaller id, so the answer never depends
 * on the order rows come in. A candidate targeting another account, tier or category
 * never wins. */
void cm_choose(const struct cm_candidate *c, size_t n, const struct cm_buyer *buyer,
               struct cm_price *out);
/* The price of a product the caller may read for a buyer, a quantity and a day
 * ("YYYY-MM-DD") in a currency (NULL: the product's): the chosen list's price, else the
 * product's list price when in that currency, else found false. price_list_id (NULL:
 * any) limits the lookup to one list. */
enum rp_err cm_price_of(struct rec_ctx *ctx, const struct rec *product,
                        const struct cm_buyer *buyer, int64_t quantity, const char *day,
                        const char *currency, const char *price_list_id, struct cm_price *out);
/* Prices many products for one buyer, currency, day and price list (NULL: any): the
 * offers of all of them read at once, then each line chosen from its product's. */
struct cm_pricer {
    const struct cm_buyer *buyer;
    const char *currency;     /* NULL: each product's own */
    const char *day;
    const char *price_list_id;
    struct cm_offer *offers;
    size_t noffers;
};
/* Reads the offers for the products (ids, in any order), sorted for cm_pricer_price. A
 * role that reads no price list gets list prices. */
enum rp_err cm_pricer_load(struct rec_ctx *ctx, struct cm_pricer *p, const char *const *ids,
                           size_t n);
/* The price of one of those products for a quantity (as cm_price_of). */
void cm_pricer_price(struct rec_ctx *ctx, const struct cm_pricer *p, const struct rec *product,
                     int64_t quantity, struct cm_price *out);
/* The buyer an account is (read as the system: the account's tier and category). */
enum rp_err cm_buyer_of(struct rec_ctx *ctx, const char *account_id, struct cm_buyer *out);

/* ---- quotes (quotes.c) ---- */

/* Makes a new version of a quote that is no longer a draft: a draft copy with the
 * version after it, naming it, primary in its place. *out: the new draft. */
enum rp_err cm_revise(struct rec_ctx *ctx, struct rp_str id, struct rec *out);

/* ---- currencies (currency.c) ---- */

/* A rate's text ("7.1234": one unit in the base currency) in millionths; RP_EINVAL
 * unless positive, at most 6 decimals and CM_MAX_RATE. */
enum rp_err cm_parse_rate(const char *s, int64_t *micros);
/* The base currency's code, or NULL when the workspace names none. */
enum rp_err cm_base_currency(struct rec_ctx *ctx, const char **code);
/* The rate of a currency on a day (the latest valid from it or before; the base
 * currency's is one), and the day it is valid from (NULL for the base). RP_ENOTFOUND
 * when there is none. */
enum rp_err cm_rate_of(struct rec_ctx *ctx, const char *currency, const char *day, int64_t *micros,
                       const char **from);
/* amount × rate, in minor units, half away from zero; RP_ERANGE past META_MONEY_MAX. */
enum rp_err cm_convert(int64_t amount, int64_t micros, int64_t *out);
/* The other way: an amount of the base currency in a currency of that rate. */
enum rp_err cm_convert_back(int64_t base, int64_t micros, int64_t *out);

/* ---- the configurator (configure.c) ---- */

struct cm_choice {
    const char *key;
    const char *name;         /* in the caller's language */
    int64_t delta;            /* the price change, minor units */
};
/* A configuration, checked and priced. */
struct cm_config {
    int64_t base;             /* the product's price for the buyer */
    int64_t unit_price;       /* base plus every chosen option's change */
    struct cm_choice *chosen;
    size_t nchosen;
};
/* Checks a configuration of a product — the keys of the chosen options, for a
 * quantity — against its groups and rules, and prices it from base (in `currency`;
 * NULL: the product's): RP_EINVAL with a field error of `options` for every broken
 * rule, each named in the caller's language ("Stainless housing requires Sealed
 * cable"). A percent change is of base, rounded half away from zero; an amount, in the
 * product's currency, is converted at the rates of `day`. */
enum rp_err cm_configure(struct rec_ctx *ctx, const struct rec *product, const char *const *keys,
                         size_t nkeys, int64_t quantity, int64_t base, const char *currency,
                         const char *day, struct cm_config *out);

/* ---- discount approval (approval.c) ---- */

/* Asks for the approval of a quote's discount (its approval "needed", or "rejected"
 * and changed since): the approvers get a task and a notification. RP_ECONFLICT when
 * it needs none, or nobody may give it. */
enum rp_err cm_request_approval(struct rec_ctx *ctx, struct rp_str id, struct rec *out);
/* Approves or rejects it, as someone other than its owner whose own limit covers the
 * discount (RP_EFORBIDDEN otherwise); the owner is notified. */
enum rp_err cm_decide_approval(struct rec_ctx *ctx, struct rp_str id, bool approve,
                               struct rec *out);

/* ---- orders and contracts (orders.c, contracts.c) ---- */

/* An order made from an accepted quote the caller reads: its lines, currency and
 * totals as accepted, one order per quote. */
enum rp_err cm_order_from_quote(struct rec_ctx *ctx, struct rp_str quote_id, struct rec *out);
/* The contracts sweep at `now_ms`: active contracts past their end are renewed (auto_renew:
 * a new contract for the same term follows, the old one is `renewed`) or expire; those
 * within their notice period leave their owner a task, once per end date. */
enum rp_err cm_contracts_sweep(struct rec_ctx *ctx, int64_t now_ms, int64_t *renewed,
                               int64_t *expired, int64_t *reminded);

/* What an account's card shows of its quotes, orders and contracts: sums per
 * currency, and all of them in the base currency at the rates of their days. */
struct cm_money_sum {
    const char *currency;
    const char *day;          /* a row of a day (SQL); NULL once summed per currency */
    int64_t count;
    int64_t total;
};
struct cm_sums {
    struct cm_money_sum *by_currency;
    size_t n;
    int64_t base_total;       /* in the base currency */
    const char *missing;      /* a currency without a rate for one of the days, or NULL */
};
struct cm_account_summary {
    const char *base;         /* the base currency, or NULL */
    struct cm_sums open_quotes, orders, paid, active_contracts;
};
/* The sums, per currency, over the records of the account the caller may read. */
enum rp_err cm_account_summary(struct rec_ctx *ctx, struct rp_str account_id,
                               struct cm_account_summary *out);

/* ---- the PDF (pdf.c) ---- */

enum cm_paper { CM_A4, CM_LETTER };
/* A quote the caller may read as a PDF in the caller's language, malloc'ed into *pdf
 * (the caller frees it), and its file name ("Q-000123-v2.pdf"). RP_ENOMEM when
 * libharu fails. */
enum rp_err cm_quote_pdf(struct rec_ctx *ctx, struct rp_str id, enum cm_paper paper,
                         unsigned char **pdf, size_t *len, const char **name);

/* ---- inside the module ---- */

/* Reads, prices and writes back the `lines` of r (a quote or an order: it has lines,
 * currency, price_list_id and account_id) in one form, and sets its totals; field
 * errors name the line. A line without a price gets the lookup's; a line sent back
 * with a looked-up price keeps it while the lookup still gives it, and gets the
 * lookup's anew when r's currency, account or price list changed from old (NULL: a
 * create); any other price is manual. */
enum rp_err cm__price_lines(struct rec_ctx *ctx, struct rec *r, const struct rec *old);
/* Now as a stored time, and today (UTC) as a stored date, in the arena. */
const char *cm__now(struct rec_ctx *ctx);
const char *cm__today(struct rec_ctx *ctx);

/* Hooks (products.c, prices.c, quotes.c). */
enum rp_err cm__validate_category(struct rec_ctx *ctx, struct rec *r, const struct rec *old);
enum rp_err cm__validate_product(struct rec_ctx *ctx, struct rec *r, const struct rec *old);
enum rp_err cm__validate_price_list(struct rec_ctx *ctx, struct rec *r, const struct rec *old);
enum rp_err cm__validate_item(struct rec_ctx *ctx, struct rec *r, const struct rec *old);
enum rp_err cm__validate_quote(struct rec_ctx *ctx, struct rec *r, const struct rec *old);
enum rp_err cm__quote_saved(struct rec_ctx *ctx, const struct rec *r, const struct rec *old);
enum rp_err cm__before_delete_quote(struct rec_ctx *ctx, const struct rec *r);
enum rp_err cm__quote_restored(struct rec_ctx *ctx, struct rec *r);
/* Checks a product's `options` (its configuration model) as it is saved. */
enum rp_err cm__check_options(struct rec_ctx *ctx, struct rec *r);
/* Sets a quote's max_discount from its priced lines, and — when its lines or owner
 * changed — its approval: needed when over the owner's role's limit. */
enum rp_err cm__check_discount(struct rec_ctx *ctx, struct rec *r, const struct rec *old);
/* Bootstrap: at the first start, the discount limits (sales and marketing 10 %, partners
 * 5 %) and the currencies (USD the base, CNY and EUR enabled). */
enum rp_err cm__bootstrap(struct rec_ctx *ctx, bool interactive);
enum rp_err cm__seed_currencies(struct rec_ctx *ctx);
/* Currencies and rates (currency.c). */
enum rp_err cm__check_currency(struct rec_ctx *ctx, struct rec *r, const struct rec *old,
                               const char *field);
enum rp_err cm__validate_money(struct rec_ctx *ctx, struct rec *r, const struct rec *old);
enum rp_err cm__validate_currency(struct rec_ctx *ctx, struct rec *r, const struct rec *old);
enum rp_err cm__currency_saved(struct rec_ctx *ctx, const struct rec *r, const struct rec *old);
enum rp_err cm__before_delete_currency(struct rec_ctx *ctx, const struct rec *r);
enum rp_err cm__validate_rate(struct rec_ctx *ctx, struct rec *r, const struct rec *old);
enum rp_err cm__validate_order(struct rec_ctx *ctx, struct rec *r, const struct rec *old);
enum rp_err cm__validate_shipment(struct rec_ctx *ctx, struct rec *r, const struct rec *old);
enum rp_err cm__validate_contract(struct rec_ctx *ctx, struct rec *r, const struct rec *old);
enum rp_err cm__contracts_due(struct rec_ctx *ctx);
/* The job kind contracts.renew: the sweep now, for an administrator (POST /jobs). */
enum rp_err cm__contracts_check(struct rec_ctx *ctx, struct rp_str payload);
enum rp_err cm__contracts_run(struct rec_ctx *ctx, struct rp_str payload, const atomic_bool *stop,
                              const char **result);
/* The schedule: sent quotes past their validity become expired. */
enum rp_err cm__expire_quotes(struct rec_ctx *ctx);
enum rp_err cm__demo(struct rp_demo *d);

/* routes.c */
struct api_call;
unsigned cm__get_price(struct api_call *c);
unsigned cm__post_revise(struct api_call *c);
unsigned cm__get_pdf(struct api_call *c);
unsigned cm__post_order(struct api_call *c);
unsigned cm__post_configure(struct api_call *c);
unsigned cm__get_convert(struct api_call *c);
unsigned cm__post_request_approval(struct api_call *c);
unsigned cm__post_approval(struct api_call *c);
unsigned cm__get_account_summary(struct api_call *c);

/* sql.c */

/* An entry of a price list that applies, for a product. */
struct cm_offer {
    const char *product_id;
    struct cm_candidate c;    /* its list, volume and price */
};
/* The entries of live, active lists of the currency valid on day (and only
 * price_list_id, when not NULL) the caller reads, for any of the products, in no
 * order; at most CM_MAX_OFFERS. */
enum rp_err cm__sql_offers(struct rec_ctx *ctx, const char *const *product_ids, size_t n,
                           const char *currency, const char *day, const char *price_list_id,
                           struct cm_offer **out, size_t *nout);
/* The live products of these ids (read as the caller: the system, in a write's
 * pricing), in no order; at most n. */
enum rp_err cm__sql_products(struct rec_ctx *ctx, const char *const *ids, size_t n,
                             struct rec **rows, size_t *nrows);
/* Whether another live entry of the list holds the product at this volume. */
enum rp_err cm__sql_item_taken(struct rec_ctx *ctx, const char *list_id, const char *product_id,
                               int64_t min_quantity, const char *self_id, bool *taken);
/* The ids of the live primary quotes of a deal but one. */
enum rp_err cm__sql_other_primaries(struct rec_ctx *ctx, const char *opportunity_id,
                                    const char *self_id, const char ***ids, size_t *n);
/* The latest rate of a currency valid on day (text, NULL when none) and its day. */
enum rp_err cm__sql_rate(struct rec_ctx *ctx, const char *currency, const char *day,
                         const char **rate, const char **from);
/* How many rows a module table holds, live or in the recycle bin (table: a name of
 * ours, never input). */
enum rp_err cm__sql_count_all(struct rec_ctx *ctx, const char *table, int64_t *n);
/* How many other live rates of a currency are valid from day (self_id: the rate being
 * saved, NULL on a create). */
enum rp_err cm__sql_rates_on(struct rec_ctx *ctx, const char *currency, const char *day,
                             const char *self_id, int64_t *n);
/* How many live quotes are a next version of a quote. */
enum rp_err cm__sql_versions_after(struct rec_ctx *ctx, const char *quote_id, int64_t *n);
/* How many live orders were made from a quote. */
enum rp_err cm__sql_orders_of_quote(struct rec_ctx *ctx, const char *quote_id, int64_t *n);
/* Active contracts due on day: past their end (ended true), or within their notice
 * period and not reminded for their end date yet; at most max. */
enum rp_err cm__sql_contracts_due(struct rec_ctx *ctx, const char *day, bool ended, size_t max,
                                  struct rec **rows, size_t *n);
/* An account's sums per currency and day (the date or time column `day`): `entity`'s
 * records the caller reads whose status is one of statuses (NULL-terminated), their
 * count and the sum of `field`. */
enum rp_err cm__sql_account_sums(struct rec_ctx *ctx, const char *entity, const char *field,
                                 const char *day, const char *account_id,
                                 const char *const *statuses, struct cm_money_sum **out, size_t *n);
/* A currency's rates, the oldest first. */
struct cm_rate {
    const char *from;
    int64_t micros;
};
enum rp_err cm__sql_rates_of(struct rec_ctx *ctx, const char *currency, struct cm_rate **out,
                             size_t *n);
/* The ids of sent quotes valid until before day, at most max. */
enum rp_err cm__sql_expired(struct rec_ctx *ctx, const char *day, size_t max, const char ***ids,
                            size_t *n);
/* The module's messages in Chinese (msg_zh.c). */
extern const struct msg_catalog cm__messages;

#endif
