/* Copying a whole workspace from one store to another (`rapport migrate`), backend to
 * backend, with verification: every table is read in key order in batches (keyset,
 * never OFFSET), written to the destination in one transaction per table, then read
 * back from the destination; row counts and a checksum over every value must agree.
 *
 * The full-text tables are copied too; their checksum folds ASCII case, since the
 * PostgreSQL side stores the searchable text folded (search folds it anyway). */
#include "core/common.h"

#include <stdio.h>

#include "core/log.h"
#include "store/copy.h"
#include "store/store_int.h"

#define BATCH 500

struct col {
    const char *name;
    enum store_coltype type;
};

/* A table to copy: its columns, the first nkey of them its unique order key. */
struct spec {
    const char *table;
    const struct col *cols;
    size_t ncols;
    size_t nkey;
    bool fts; /* a full-text table: written through store_fts_put, checksum folded */
    const char *fts_of; /* the record table whose index it is */
};

#define I STORE_COL_INT
#define X STORE_COL_TEXT

static const struct col SESSIONS[] = {
    {"seq", I},        {"workspace_id", I}, {"id_hash", X}, {"user_id", X},      {"csrf_token", X},
    {"created_at", I}, {"expires_at", I},   {"addr", X},    {"last_seen_at", I}};
static const struct col TOKENS[] = {{"seq", I},        {"workspace_id", I}, {"id", X},
                                    {"user_id", X},    {"name", X},         {"token_hash", X},
                                    {"created_at", X}, {"last_used_at", X}, {"revoked_at", X}};
static const struct col AUDIT[] = {{"seq", I},       {"workspace_id", I}, {"at", X},
                                   {"user_id", X},   {"entity", X},       {"record_id", X},
                                   {"action", X},    {"field", X},        {"old_value", X},
                                   {"new_value", X},    {"via", X}};
static const struct col THROTTLE[] = {{"key", X}, {"window_start", I}, {"failures", I}};
static const struct col DEDUP[] = {{"workspace_id", I}, {"entity", X}, {"kind", X},
                                   {"key", X},          {"record_id", X}};
static const struct col PHONES[] = {{"workspace_id", I}, {"key", X},   {"entity", X},
                                    {"record_id", X},    {"field", X}};
static const struct col JOBS[] = {{"seq", I},        {"workspace_id", I}, {"id", X},
                                  {"kind", X},       {"payload", X},      {"state", X},
                                  {"attempts", I},   {"run_at", I},       {"claimed_by", X},
                                  {"claimed_at", I}, {"finished_at", I},  {"result", X},
                                  {"created_at", X}};
static const struct col SECEV[] = {{"seq", I},         {"workspace_id", I}, {"at", X},
                                   {"actor_id", X},    {"addr", X},         {"request_id", X},
                                   {"action", X},      {"object_type", X},  {"object_id", X},
                                   {"outcome", X},     {"detail", X}};
static const struct col IDEM[] = {{"seq", I},        {"workspace_id", I}, {"user_id", X},
                                  {"key", X},        {"fingerprint", X},  {"status", I},
                                  {"location", X},   {"etag", X},         {"body", X},
                                  {"created_at", I}};
static const struct col IMPORTS[] = {
    {"seq", I},           {"workspace_id", I},  {"id", X},           {"user_id", X},
    {"entity", X},        {"on_duplicate", X},  {"dry_run", I},      {"encoding", X},
    {"mapping", X},       {"status", X},        {"rows_total", I},   {"rows_done", I},
    {"rows_imported", I}, {"rows_updated", I},  {"rows_skipped", I}, {"rows_failed", I},
    {"error", X},         {"created_at", X},    {"updated_at", X},   {"body", X}};
static const struct col IMPORT_ERRORS[] = {
    {"seq", I}, {"job_id", X}, {"line", I}, {"field", X}, {"message", X}};

static const struct col CUSTOM_ENTITIES[] = {
    {"seq", I},        {"name", X},         {"label", X},      {"label_plural", X},
    {"label_zh", X},   {"label_plural_zh", X}, {"title_field", X}, {"created_at", X},
    {"created_by", X}};
static const struct col CUSTOM_FIELDS[] = {
    {"seq", I},         {"entity", X},     {"name", X},       {"type", X},
    {"label", X},       {"label_zh", X},   {"help", X},       {"flags", I},
    {"maxlen", I},      {"enum_values", X}, {"ref_entity", X}, {"def", X},
    {"min_value", I},   {"max_value", I},  {"created_at", X}, {"created_by", X},
    {"deleted_at", X},  {"drop_after", X}};
static const struct col SHARES[] = {{"seq", I},        {"id", X},      {"entity", X},
                                    {"record_id", X},  {"record_seq", I}, {"user_id", X},
                                    {"team_id", X},    {"access", X},  {"created_by", X},
                                    {"created_at", X}};
static const struct col SETTINGS[] = {{"key", X}, {"value", X}};
static const struct col NOTIFICATIONS[] = {
    {"seq", I},          {"workspace_id", I}, {"id", X},         {"user_id", X},
    {"kind", X},         {"entity", X},       {"record_id", X},  {"title", X},
    {"actor_id", X},     {"created_at", X},   {"due_at", X},     {"in_app", I},
    {"read_at", X},      {"snooze_until", X}, {"email_state", X}, {"fire_key", X}};
static const struct col NOTIFY_PREFS[] = {
    {"workspace_id", I}, {"user_id", X}, {"kind", X}, {"channel", X}};
static const struct col NOTIFY_SWEEPS[] = {{"workspace_id", I}, {"entity", X}, {"swept_to", X}};
static const struct col COUNTERS[] = {{"workspace_id", I}, {"name", X}, {"value", I}};

/* meta_state (the generation) and data_access (hour-long counts) are not copied: the
 * destination has its own generation, and a server loads all metadata at start. */
static const struct spec PLATFORM[] = {
    {"sessions", SESSIONS, RP_NELEM(SESSIONS), 1, false, NULL},
    {"api_tokens", TOKENS, RP_NELEM(TOKENS), 1, false, NULL},
    {"audit_log", AUDIT, RP_NELEM(AUDIT), 1, false, NULL},
    {"login_throttle", THROTTLE, RP_NELEM(THROTTLE), 1, false, NULL},
    {"dedup_keys", DEDUP, RP_NELEM(DEDUP), 5, false, NULL},
    {"phone_keys", PHONES, RP_NELEM(PHONES), 5, false, NULL},
    {"jobs", JOBS, RP_NELEM(JOBS), 1, false, NULL},
    {"security_events", SECEV, RP_NELEM(SECEV), 1, false, NULL},
    {"idempotency_keys", IDEM, RP_NELEM(IDEM), 1, false, NULL},
    {"import_jobs", IMPORTS, RP_NELEM(IMPORTS), 1, false, NULL},
    {"import_errors", IMPORT_ERRORS, RP_NELEM(IMPORT_ERRORS), 1, false, NULL},
    {"custom_entities", CUSTOM_ENTITIES, RP_NELEM(CUSTOM_ENTITIES), 1, false, NULL},
    {"custom_fields", CUSTOM_FIELDS, RP_NELEM(CUSTOM_FIELDS), 1, false, NULL},
    {"record_shares", SHARES, RP_NELEM(SHARES), 1, false, NULL},
    {"settings", SETTINGS, RP_NELEM(SETTINGS), 1, false, NULL},
    {"notifications", NOTIFICATIONS, RP_NELEM(NOTIFICATIONS), 1, false, NULL},
    {"notification_prefs", NOTIFY_PREFS, RP_NELEM(NOTIFY_PREFS), 3, false, NULL},
    {"notify_sweeps", NOTIFY_SWEEPS, RP_NELEM(NOTIFY_SWEEPS), 2, false, NULL},
    /* Numbers go on from where they were (CS-000124 after CS-000123), and what a module
     * seeded once is not seeded again. */
    {"counters", COUNTERS, RP_NELEM(COUNTERS), 2, false, NULL},
};

/* The columns every record table has (store_sync_table adds them). */
static const struct col RECORD_SYS[] = {
    {"seq", I},        {"id", X},       {"workspace_id", I}, {"created_at", X}, {"updated_at", X},
    {"created_by", X}, {"owner_id", X}, {"version", I},      {"deleted_at", X},
    {"deleted_by", X}};

struct row {
    struct store_val *v;
};

static void hash_bytes(uint64_t *h, const char *p, size_t n, bool fold)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (fold && c >= 'A' && c <= 'Z')
            c = (unsigned char)(c + 32);
        *h = (*h ^ c) * 1099511628211ull;
    }
}

static void hash_val(uint64_t *h, const struct store_val *v, bool fold)
{
    char tag = v->type == STORE_NULL ? 'N' : v->type == STORE_INT ? 'I' : 'T';
    hash_bytes(h, &tag, 1, false);
    if (v->type == STORE_INT) {
        char num[24];
        int n = snprintf(num, sizeof(num), "%lld", (long long)v->i);
        hash_bytes(h, num, (size_t)n, false);
    } else if (v->type == STORE_TEXT) {
        hash_bytes(h, v->s, v->len, fold);
    }
    hash_bytes(h, "\x1f", 1, false);
}

/* SELECT of the next batch after the key in `after` (NULL: the first batch). The key
 * of the full-text tables is the dialect's row id. */
static enum rp_err select_sql(struct store_conn *c, const struct spec *sp, bool after,
                              struct rp_buf *sql)
{
    const char *fts_key = strcmp(c->store->ops->name, "sqlite") == 0 ? "rowid" : "seq";
    buf_adds(sql, "SELECT ");
    for (size_t i = 0; i < sp->ncols; i++)
        buf_printf(sql, "%s%s", i ? ", " : "",
                   sp->fts && i == 0 ? fts_key : sp->cols[i].name);
    buf_printf(sql, " FROM %s", sp->table);
    const char *key0 = sp->fts ? fts_key : sp->cols[0].name;
    if (after) {
        buf_adds(sql, " WHERE (");
        for (size_t i = 0; i < sp->nkey; i++)
            buf_printf(sql, "%s%s", i ? ", " : "", i == 0 ? key0 : sp->cols[i].name);
        buf_adds(sql, ") > (");
        for (size_t i = 0; i < sp->nkey; i++)
            buf_adds(sql, i ? ", ?" : "?");
        buf_adds(sql, ")");
    }
    buf_adds(sql, " ORDER BY ");
    for (size_t i = 0; i < sp->nkey; i++)
        buf_printf(sql, "%s%s", i ? ", " : "", i == 0 ? key0 : sp->cols[i].name);
    return buf_printf(sql, " LIMIT %d", BATCH);
}

/* Reads the next batch into rows (values in the arena); *n rows, 0 at the end. */
static enum rp_err read_batch(struct store_conn *c, const struct spec *sp, struct row *rows,
                              const struct row *last, size_t *n, struct arena *a)
{
    struct rp_buf sql;
    buf_init(&sql, RP_MAX_SQL);
    struct store_stmt *st = NULL;
    enum rp_err err = select_sql(c, sp, last != NULL, &sql);
    if (!err)
        err = store_prepare(c, buf_cstr(&sql), &st);
    buf_release(&sql);
    if (err)
        return err;
    if (last)
        err = store_bind_all(st, last->v, sp->nkey);
    *n = 0;
    bool more = !err;
    while (more && !(err = store_step(st, &more)) && more) {
        struct store_val *v = arena_alloc(a, sp->ncols * sizeof(*v));
        for (size_t i = 0; i < sp->ncols; i++) {
            int col = (int)i;
            if (store_col_null(st, col)) {
                v[i] = store_null();
            } else if (sp->cols[i].type == STORE_COL_INT) {
                v[i] = store_int(store_col_int(st, col));
            } else {
                size_t len;
                const char *t = store_col_text(st, col, &len);
                v[i] = store_text(arena_strndup(a, t ? t : "", len), len);
            }
        }
        rows[(*n)++].v = v;
    }
    store_done(st);
    return err;
}

static enum rp_err insert_rows(struct store_conn *c, const struct spec *sp, const struct row *rows,
                               size_t n)
{
    if (sp->fts) {
        enum rp_err err = RP_OK;
        for (size_t i = 0; i < n && !err; i++)
            err = store_fts_put(c, sp->fts_of, rows[i].v[0].i, true, rows[i].v[1].s,
                                rows[i].v[1].len);
        return err;
    }
    struct rp_buf sql;
    buf_init(&sql, RP_MAX_SQL);
    buf_printf(&sql, "INSERT INTO %s (", sp->table);
    for (size_t i = 0; i < sp->ncols; i++)
        buf_printf(&sql, "%s%s", i ? ", " : "", sp->cols[i].name);
    buf_adds(&sql, ") VALUES (");
    for (size_t i = 0; i < sp->ncols; i++)
        buf_adds(&sql, i ? ", ?" : "?");
    enum rp_err err = buf_adds(&sql, ")");
    for (size_t i = 0; i < n && !err; i++)
        err = store_exec(c, buf_cstr(&sql), rows[i].v, sp->ncols);
    buf_release(&sql);
    return err;
}

/* Scans a table in key order, hashing every row; with dst, writes each batch there. */
static enum rp_err scan(struct store_conn *src, struct store_conn *dst, const struct spec *sp,
                        struct store_copy_result *out)
{
    struct arena a[2];
    arena_init(&a[0]);
    arena_init(&a[1]);
    struct row *rows[2];
    rows[0] = arena_alloc(&a[0], BATCH * sizeof(struct row));
    rows[1] = arena_alloc(&a[1], BATCH * sizeof(struct row));
    const struct row *last = NULL;
    uint64_t h = 1469598103934665603ull;
    int64_t count = 0;
    enum rp_err err = RP_OK;
    /* Two arenas take turns: the previous batch's last key stays valid while the next
     * batch is read. */
    for (int turn = 0;; turn ^= 1) {
        size_t n;
        arena_release(&a[turn]);
        arena_init(&a[turn]);
        rows[turn] = arena_alloc(&a[turn], BATCH * sizeof(struct row));
        err = read_batch(src, sp, rows[turn], last, &n, &a[turn]);
        if (err || n == 0)
            break;
        for (size_t i = 0; i < n; i++)
            for (size_t k = 0; k < sp->ncols; k++)
                hash_val(&h, &rows[turn][i].v[k], sp->fts);
        count += (int64_t)n;
        if (dst && (err = insert_rows(dst, sp, rows[turn], n)))
            break;
        last = &rows[turn][n - 1];
        if (n < BATCH)
            break;
    }
    arena_release(&a[0]);
    arena_release(&a[1]);
    out->rows = count;
    out->checksum = h;
    return err;
}

/* Copies one table in a destination transaction, then verifies it by reading back. */
static enum rp_err copy_one(struct store_conn *src, struct store_conn *dst, const struct spec *sp,
                            struct store_copy_result *res)
{
    struct store_copy_result back = {0};
    *res = (struct store_copy_result){sp->table, sp->fts, 0, 0, false};
    enum rp_err err = store_begin(dst, true);
    if (err)
        return err;
    err = scan(src, dst, sp, res);
    if (!err && !sp->fts && strcmp(sp->cols[0].name, "seq") == 0 && dst->store->ops->seq_follow)
        err = dst->store->ops->seq_follow(dst, sp->table);
    if (err) {
        store_rollback(dst);
        return err;
    }
    err = store_commit(dst);
    if (!err)
        err = scan(dst, NULL, sp, &back);
    if (!err)
        res->verified = back.rows == res->rows && back.checksum == res->checksum;
    return err;
}

/* A record table's copy spec, its columns in an arena. */
static struct spec record_spec(const struct store_table *t, struct arena *a)
{
    size_t n = RP_NELEM(RECORD_SYS) + t->ncolumns;
    struct col *cols = arena_alloc(a, n * sizeof(*cols));
    memcpy(cols, RECORD_SYS, sizeof(RECORD_SYS));
    for (size_t i = 0; i < t->ncolumns; i++)
        cols[RP_NELEM(RECORD_SYS) + i] = (struct col){t->columns[i].name, t->columns[i].type};
    return (struct spec){t->name, cols, n, 1, false, NULL};
}

static const struct col FTS_COLS[] = {{"seq", I}, {"body", X}};

enum rp_err store_copy_record_table(struct store_conn *src, struct store_conn *dst,
                                    const struct store_table *t,
                                    struct store_copy_result *res, size_t *nres)
{
    struct arena a;
    arena_init(&a);
    struct spec sp = record_spec(t, &a);
    *nres = 0;
    enum rp_err err = copy_one(src, dst, &sp, &res[(*nres)++]);
    if (!err && t->fts) {
        char *name = arena_printf(&a, "%s_fts", t->name);
        struct spec f = {name, FTS_COLS, 2, 1, true, t->name};
        err = copy_one(src, dst, &f, &res[*nres]);
        res[*nres].table = t->name; /* the name above lives in the arena */
        res[*nres].fts = true;
        (*nres)++;
    }
    arena_release(&a);
    return err;
}

size_t store_copy_platform_count(void)
{
    return RP_NELEM(PLATFORM);
}

enum rp_err store_copy_platform(struct store_conn *src, struct store_conn *dst, size_t i,
                                struct store_copy_result *res)
{
    RP_ASSERT(i < RP_NELEM(PLATFORM));
    return copy_one(src, dst, &PLATFORM[i], res);
}

enum rp_err store_count_rows(struct store_conn *c, const char *table, int64_t *n)
{
    char sql[160];
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
    return store_query_int(c, sql, NULL, 0, n);
}
