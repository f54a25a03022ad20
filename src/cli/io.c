/* `rapport import` and `rapport export`: the import and export of crm/ on the command
 * line. Both act as a user (--as, default admin) with the admin role: the records they
 * create are owned by that user and every change is audited in their name. */
#include "core/common.h"

#include <strings.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/text.h"
#include "engine/acl.h"
#include "engine/auth.h"
#include "engine/export.h"
#include "engine/csv_import.h"
#include "engine/ops.h"
#include "engine/import_jobs.h"

#define DEFAULT_DB "sqlite:data/rapport.db"
/* Arguments given to --map or --filter at most. */
#define MAX_ARGS 64

struct cli_session {
    struct store *store;
    struct arena a;
    struct rec_ctx ctx;
    struct principal who;
};

static void close_session(struct cli_session *s)
{
    arena_release(&s->a);
    store_close(s->store);
}

/* Opens the database and signs in as `user` (an active user) with the admin role. */
static int open_session(const char *cmd, const char *db, const char *user, struct cli_session *s)
{
    memset(s, 0, sizeof(*s));
    arena_init(&s->a);
    struct store_conn *c = NULL;
    enum rp_err err = auth_init();
    if (!err)
        err = ops_open(db, true, &s->store);
    if (!err)
        err = store_conn_get(s->store, &c);
    if (err) {
        fprintf(stderr, "rapport %s: cannot open the database: %s\n", cmd, rp_err_name(err));
        close_session(s);
        return 1;
    }
    rec_ctx_init(&s->ctx, s->store, c, &s->a, NULL);
    struct rec_param p[] = {{RP_STR("username"), rp_str_c(user)}, {RP_STR("active"), RP_STR("true")},
                            {RP_STR("limit"), RP_STR("1")}};
    struct rec_query *q;
    struct rec_page page;
    const struct entity_def *users = meta_need("users");
    const char *saved = rec_system_begin(&s->ctx, "find the user the command runs as");
    err = rec_query_parse(&s->ctx, users, p, RP_NELEM(p), &q);
    if (!err)
        err = rec_list(&s->ctx, users, q, &page);
    rec_system_end(&s->ctx, saved);
    if (err || page.nrows == 0) {
        fprintf(stderr, "rapport %s: no active user '%s' (give one with --as)\n", cmd, user);
        close_session(s);
        return 1;
    }
    const struct rec *u = &page.rows[0];
    const struct rec_value *teams = rec_field(u, "team_ids");
    s->who.user_id = u->id;
    s->who.username = user;
    const struct rec_value *locale = rec_field(u, "locale");
    s->who.team_ids = teams->null ? "[]" : teams->s;
    s->who.locale = locale->null ? NULL : locale->s; /* export labels' language */
    s->who.role = "admin";
    s->ctx.who = &s->who;
    return 0;
}

static const struct entity_def *entity_arg(const char *cmd, const char *name, bool importing)
{
    const struct entity_def *e = meta_entity(rp_str_c(name));
    bool ok = e && (!importing || import_jobs_entity_ok(e));
    if (!ok)
        fprintf(stderr, "rapport %s: '%s' is not %s\n", cmd, name,
                importing ? "an entity that takes imports (rapport import lists them)"
                          : "an entity (see GET /api/v1/meta)");
    return ok ? e : NULL;
}

/* Splits "key=value" at the first '=' (after any "[op]"). */
static bool split_kv(const char *arg, struct rp_str *k, struct rp_str *v)
{
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg)
        return false;
    *k = (struct rp_str){arg, (size_t)(eq - arg)};
    *v = rp_str_c(eq + 1);
    return true;
}

/* ---- import ---- */

struct progress {
    bool tty;
    int64_t start_ms;
    int64_t last_ms;
};

static void show_progress(void *cls, const struct imp_result *r)
{
    struct progress *p = cls;
    int64_t now = text_now_ms();
    bool last = r->rows_done == r->rows_total;
    if (!last && now - p->last_ms < (p->tty ? 200 : 5000))
        return;
    p->last_ms = now;
    double secs = (double)(now - p->start_ms) / 1000.0;
    double rate = secs > 0 ? (double)r->rows_done / secs : 0;
    double eta = rate > 0 ? (double)(r->rows_total - r->rows_done) / rate : 0;
    int pct = r->rows_total ? (int)(r->rows_done * 100 / r->rows_total) : 100;
    if (p->tty) {
        char bar[31];
        for (int i = 0; i < 30; i++)
            bar[i] = i < pct * 30 / 100 ? '#' : '.';
        bar[30] = '\0';
        fprintf(stderr, "\r[%s] %3d%% %lld/%lld rows  %.0f rows/s  ETA %d:%02d ", bar, pct,
                (long long)r->rows_done, (long long)r->rows_total, rate, (int)eta / 60,
                (int)eta % 60);
        if (last)
            fputc('\n', stderr);
    } else {
        fprintf(stderr, "import: %lld/%lld rows (%d%%), %.0f rows/s\n", (long long)r->rows_done,
                (long long)r->rows_total, pct, rate);
    }
}

static void import_usage(void)
{
    fprintf(stderr,
            "usage: rapport import <entity> FILE.csv|FILE.xlsx|FILE.vcf [--format csv|xlsx|vcf]\n"
            "         [--map COLUMN=FIELD ...] [--dry-run] [--on-duplicate skip|update|create]\n"
            "         [--create-accounts] [--encoding utf-8|gbk|gb18030] [--db URL]\n"
            "         [--as USERNAME]\n"
            "the format follows the file's extension (.xlsx: its first sheet; .vcf: vCards,\n"
            "into contacts or leads) unless --format says it; --create-accounts creates the\n"
            "accounts rows name that do not exist yet\n"
            "entities:");
    for (size_t k = 0, n = 0; k < meta_entity_count(); k++)
        if (import_jobs_entity_ok(meta_entity_at(k)))
            fprintf(stderr, "%s %s", n++ ? "," : "", meta_entity_at(k)->name);
    fprintf(stderr, " (and the custom entities of the database)\n");
}

int cli_import(int argc, char **argv)
{
    const char *db = getenv("RAPPORT_DB") ? getenv("RAPPORT_DB") : DEFAULT_DB;
    const char *user = "admin", *ename = NULL, *path = NULL;
    struct imp_mapping map[MAX_ARGS];
    struct imp_options o = {.on_dup = IMP_DUP_SKIP, .map = map, .batch = RP_IMPORT_BATCH_CLI};
    bool format_given = false;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        bool more = i + 1 < argc;
        if (strcmp(a, "--db") == 0 && more) {
            db = argv[++i];
        } else if (strcmp(a, "--as") == 0 && more) {
            user = argv[++i];
        } else if (strcmp(a, "--dry-run") == 0) {
            o.dry_run = true;
        } else if (strcmp(a, "--create-accounts") == 0) {
            o.create_missing = true;
        } else if (strcmp(a, "--format") == 0 && more) {
            if (!imp_format_parse(rp_str_c(argv[++i]), &o.format)) {
                fprintf(stderr, "rapport import: --format takes csv, xlsx or vcf\n");
                return 2;
            }
            format_given = true;
        } else if (strcmp(a, "--on-duplicate") == 0 && more) {
            if (!imp_dup_parse(rp_str_c(argv[++i]), &o.on_dup)) {
                fprintf(stderr, "rapport import: --on-duplicate takes skip, update or create\n");
                return 2;
            }
        } else if (strcmp(a, "--encoding") == 0 && more) {
            o.encoding = argv[++i];
            if (!imp_encoding_ok(o.encoding)) {
                fprintf(stderr, "rapport import: --encoding takes utf-8, gbk or gb18030\n");
                return 2;
            }
        } else if (strcmp(a, "--map") == 0 && more) {
            if (o.nmap == MAX_ARGS || !split_kv(argv[++i], &map[o.nmap].column,
                                                &map[o.nmap].field)) {
                fprintf(stderr, "rapport import: --map takes COLUMN=FIELD (FIELD empty to"
                                " ignore the column)\n");
                return 2;
            }
            o.nmap++;
        } else if (a[0] != '-' && !ename) {
            ename = a;
        } else if (a[0] != '-' && !path) {
            path = a;
        } else {
            import_usage();
            return 2;
        }
    }
    if (!ename || !path) {
        import_usage();
        return 2;
    }
    const char *ext = strrchr(path, '.');
    if (!format_given && ext && strcasecmp(ext, ".xlsx") == 0)
        o.format = IMP_XLSX;
    else if (!format_given && ext &&
             (strcasecmp(ext, ".vcf") == 0 || strcasecmp(ext, ".vcard") == 0))
        o.format = IMP_VCARD;
    /* The database first: its metadata has the custom entities and fields. */
    struct cli_session s;
    if (open_session("import", db, user, &s))
        return 1;
    o.e = entity_arg("import", ename, true);
    for (size_t k = 0; o.e && k < o.nmap; k++)
        if (o.map[k].field.len && !meta_field(o.e, o.map[k].field) &&
            !rp_str_eqc(o.map[k].field, "full_name")) {
            fprintf(stderr, "rapport import: --map %.*s=%.*s: %s have no such field\n",
                    (int)o.map[k].column.len, o.map[k].column.p, (int)o.map[k].field.len,
                    o.map[k].field.p, o.e->label_plural);
            o.e = NULL;
        }
    if (!o.e) {
        close_session(&s);
        return 2;
    }
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "rapport import: cannot open %s: %s\n", path, strerror(errno));
        close_session(&s);
        return 1;
    }
    struct progress prog = {isatty(STDERR_FILENO) != 0, text_now_ms(), 0};
    o.progress = show_progress;
    o.cls = &prog;
    struct imp_source src = {f, NULL, 0};
    struct imp_result res;
    enum rp_err err = imp_run(&s.ctx, &o, &src, &s.a, &res);
    fclose(f);
    int rc = 0;
    if ((err == RP_EINVAL || err == RP_EFORBIDDEN) && res.fatal) {
        fprintf(stderr, "rapport import: %s: %s; nothing was imported\n", path, res.fatal);
        rc = 1;
    } else if (err) {
        fprintf(stderr, "rapport import: stopped by a database error (%s) after %lld rows; the"
                        " batch in progress was rolled back\n",
                rp_err_name(err), (long long)res.rows_done);
        rc = 1;
    }
    if (!rc) {
        printf("%s%s: %lld rows, %lld imported (%lld updated), %lld skipped as duplicates,"
               " %lld rejected\n",
               o.dry_run ? "dry run (nothing committed) " : "", o.e->name,
               (long long)res.rows_total, (long long)res.rows_imported,
               (long long)res.rows_updated, (long long)res.rows_skipped,
               (long long)res.rows_failed);
        if (o.create_missing)
            printf("%s: %lld\n", o.dry_run ? "accounts that would be created" : "accounts created",
                   (long long)res.refs_created);
        for (size_t k = 0; k < res.nignored; k++)
            printf("ignored column: %s\n", res.ignored[k]);
        for (size_t k = 0; k < res.nerrors; k++)
            printf("line %lld%s%s: %s\n", (long long)res.errors[k].line,
                   res.errors[k].field ? ", " : "", res.errors[k].field ? res.errors[k].field : "",
                   res.errors[k].message);
        if ((int64_t)res.nerrors < res.rows_failed)
            printf("(only the first %u errors are listed)\n", RP_MAX_IMPORT_ERRORS);
        rc = res.rows_failed ? 3 : 0;
    }
    close_session(&s);
    return rc;
}

/* ---- export ---- */

static void export_usage(void)
{
    fprintf(stderr,
            "usage: rapport export <entity> [--format csv|xlsx|vcf|ics] [-o FILE]\n"
            "         [--filter FIELD=VALUE | --filter 'FIELD[OP]=VALUE' ...] [--sort KEYS]\n"
            "         [--q TEXT] [--headers keys|labels] [--db URL] [--as USERNAME]\n"
            "filters and sort are those of the list API: --filter 'amount[gte]=1000'\n"
            "--sort -amount,name; xlsx needs -o\n"
            "--headers: keys (the default) heads columns with the API's field names, for\n"
            "scripts; labels with the fields' labels in the --as user's language, for\n"
            "people. A reference is two columns either way: its ids, then the names.\n");
}

int cli_export(int argc, char **argv)
{
    const char *db = getenv("RAPPORT_DB") ? getenv("RAPPORT_DB") : DEFAULT_DB;
    const char *user = "admin", *ename = NULL, *outpath = NULL;
    const char *format = "csv";
    /* Scripts read what the CLI writes: the API's keys unless labels are asked for. */
    enum exp_headers headers = EXP_KEYS;
    struct rec_param params[MAX_ARGS];
    size_t n = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        bool more = i + 1 < argc;
        if (strcmp(a, "--db") == 0 && more) {
            db = argv[++i];
        } else if (strcmp(a, "--as") == 0 && more) {
            user = argv[++i];
        } else if (strcmp(a, "--format") == 0 && more) {
            format = argv[++i];
        } else if (strcmp(a, "-o") == 0 && more) {
            outpath = argv[++i];
        } else if (strcmp(a, "--headers") == 0 && more) {
            if (!exp_headers_parse(rp_str_c(argv[++i]), &headers)) {
                fprintf(stderr, "rapport export: --headers takes keys or labels\n");
                return 2;
            }
        } else if ((strcmp(a, "--sort") == 0 || strcmp(a, "--q") == 0) && more && n < MAX_ARGS) {
            params[n++] = (struct rec_param){rp_str_c(a + 2), rp_str_c(argv[++i])};
        } else if (strcmp(a, "--filter") == 0 && more && n < MAX_ARGS) {
            if (!split_kv(argv[++i], &params[n].key, &params[n].value)) {
                fprintf(stderr, "rapport export: --filter takes FIELD=VALUE or"
                                " FIELD[OP]=VALUE\n");
                return 2;
            }
            n++;
        } else if (a[0] != '-' && !ename) {
            ename = a;
        } else {
            export_usage();
            return 2;
        }
    }
    if (!ename) {
        export_usage();
        return 2;
    }
    struct cli_session s;
    if (open_session("export", db, user, &s))
        return 1;
    const struct entity_def *e = entity_arg("export", ename, false);
    if (!e) {
        close_session(&s);
        return 2;
    }
    const struct rec_exporter *fmt;
    if (exp_format(&s.ctx, e, rp_str_c(format), &fmt)) {
        fprintf(stderr, "rapport export: --format: %s\n", s.ctx.detail);
        close_session(&s);
        return 2;
    }
    if (!fmt->record && !outpath) {
        fprintf(stderr, "rapport export: an xlsx export needs -o FILE.xlsx\n");
        close_session(&s);
        return 2;
    }
    struct exp *x = NULL;
    enum rp_err err = exp_open(&s.ctx, e, fmt, headers, params, n, &x);
    FILE *out = stdout;
    if (!err && outpath && fmt->record) {
        out = fopen(outpath, "wb");
        if (!out) {
            fprintf(stderr, "rapport export: cannot write %s: %s\n", outpath, strerror(errno));
            exp_close(x);
            close_session(&s);
            return 1;
        }
    }
    if (!err && !fmt->record) {
        err = exp_xlsx(x, outpath);
    } else if (!err) {
        struct rp_buf b;
        buf_init(&b, RP_MAX_RESPONSE);
        bool done = false;
        while (!err && !done) {
            buf_reset(&b);
            err = exp_next(x, &b, &done);
            if (!err && b.len && fwrite(b.p, 1, b.len, out) != b.len)
                err = RP_EIO;
        }
        buf_release(&b);
        if (out != stdout && fclose(out) != 0 && !err)
            err = RP_EIO;
    }
    int64_t rows = x ? exp_rows(x) : 0;
    const char *detail = x && exp_detail(x) ? arena_strdup(&s.a, exp_detail(x)) : s.ctx.detail;
    enum rp_err cerr = exp_close(x);
    if (err)
        fprintf(stderr, "rapport export: %s\n", detail ? detail : rp_err_name(err));
    else if (cerr)
        fprintf(stderr, "rapport export: could not audit the export: %s\n", rp_err_name(cerr));
    else if (outpath)
        fprintf(stderr, "exported %lld %s to %s\n", (long long)rows, e->name, outpath);
    close_session(&s);
    return err || cerr ? 1 : 0;
}
