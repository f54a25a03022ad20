/* Shared by the engine's list code only (query.c, cursor.c, sqlb.c, list.c): what a
 * parsed list request holds. */
#ifndef RP_ENGINE_QUERY_INT_H
#define RP_ENGINE_QUERY_INT_H

#include "engine/rec_int.h"
#include "engine/sqlb.h"

enum op { OP_EQ, OP_NE, OP_LT, OP_LTE, OP_GT, OP_GTE, OP_IN, OP_LIKE, OP_NULL };

/* A column the query may use: an entity field or a system column. */
struct col {
    const char *name;
    const struct field_def *f;  /* NULL for system columns */
    bool is_int;
};

struct filter {
    struct col col;
    enum op op;
    struct store_val *vals;
    size_t nvals;
};

struct sort_key {
    struct col col;
    bool desc;
};

struct rec_query {
    size_t limit;
    const char *team_json;  /* team_id filter: owned by members of this team, as ["id"] */
    struct filter *filters;
    size_t nfilters;
    struct sort_key sort[RP_MAX_SORT_KEYS];
    size_t nsort;
    struct rp_str terms[RP_MAX_SEARCH_TERMS];
    size_t nterms;
    bool default_sort;      /* no sort= was given */
    /* A search without sort=: the newest matches first, read in the full-text index's
     * own order, so a page is done after its first matches however many there are
     * (sorting by name would read and sort every match: 15,000 for a 3-letter term
     * in a million contacts). */
    bool newest;
    bool count;
    const struct field_def *sums[RP_MAX_SORT_KEYS];
    size_t nsums;
    bool deleted_only;
    bool for_export;        /* rows the caller may export, not only read */
    /* The like filters of searchable fields are also sought in the full-text index
     * (rec__like_terms): a page's second plan and counts do (list.c). */
    bool like_by_fts;
    /* Whether records of the entity are shared with the caller (engine/share.h):
     * 0 not known yet, 1 none, 2 some (rec__query_shares). */
    int shares;
    /* decoded cursor */
    bool has_cursor;
    struct store_val after[RP_MAX_SORT_KEYS];
    int64_t after_seq;
};

/* The steps a filtered list may spend walking its sort index (list.c, list_page), and
 * a tenth of those a count may spend on a like filter's words: RP_LIST_TRIAL_STEPS;
 * tests set 0 to read every such page and count the other way. */
extern uint64_t rec__list_trial_steps;
/* The words of like filter f that the full-text index can find, into terms (at most
 * max): each run of at least two characters (or one Chinese or similar) between the
 * wildcards and spaces of the pattern, unescaped. A record whose field matches the
 * pattern holds every word in its full-text body (the field's text verbatim), so the
 * records with them all are the pattern's candidates. 0 unless f is a like filter of a
 * built-in searchable field (a custom field's text may wait for a reindex). */
size_t rec__like_terms(struct rec_ctx *ctx, const struct entity_def *e, const struct filter *f,
                       struct rp_str *terms, size_t max);
/* The key of a sort list ("-amount,name") at *at, without its '-' (*desc), moving *at
 * past it; false past the list's end. An empty list is one empty key. */
bool rec__next_sort_key(struct rp_str list, size_t *at, struct rp_str *key, bool *desc);
/* Parses a sort parameter ("-amount,name") into q's sort keys. */
enum rp_err rec__parse_sort(struct rec_ctx *ctx, const struct entity_def *e, struct rp_str s,
                            struct rec_query *q);
/* Splits search text into terms (at least 2 characters each). */
enum rp_err rec__parse_terms(struct rec_ctx *ctx, struct rp_str s, struct rp_str *terms,
                             size_t *nterms);
/* The opaque next_cursor after row `last` of q's order, and its decoding into q
 * (RP_EINVAL, a bad request, for anything not made by this list). */
const char *rec__cursor_encode(struct rec_ctx *ctx, const struct entity_def *e,
                               const struct rec_query *q, const struct rec *last);
enum rp_err rec__cursor_decode(struct rec_ctx *ctx, const struct entity_def *e,
                               struct rec_query *q, struct rp_str s);
/* The WHERE of a list: sqlb_where, with the search terms left to the FROM clause of a
 * page of the newest matches (page: true). */
enum rp_err rec__where(struct rec_ctx *ctx, const struct entity_def *e,
                       struct rec_query *q, bool page, struct sqlb *b);
/* Bytes of text a record read from the store holds: what its answer is made of. */
size_t rec__text_bytes(const struct rec *r);

#endif
