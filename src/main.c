/* rapport: sub-command dispatch only. */
#include "core/common.h"

#include <signal.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "api/api.h"
#include "cli/cli.h"
#include "core/log.h"
#include "core/text.h"
#include "engine/auth.h"
#include "engine/jobs.h"
#include "engine/notify.h"
#include "engine/ops.h"
#include "engine/phones.h"
#include "http/http.h"
#include "store/db.h"

#define DEFAULT_DB "sqlite:data/rapport.db"
#define DEFAULT_LISTEN "127.0.0.1:8080"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: rapport <command> [options]\n\n"
            "commands:\n"
            "  serve     start the CRM server\n"
            "  demo      load a demo company into a new database (--db like serve)\n"
            "  bench-data  fill a database with benchmark data (see bench/README.md)\n"
            "  backup    FILE [--db URL]: an online copy of the database, checked\n"
            "  migrate   --from URL --to URL: copy a whole workspace into a new database,\n"
            "            e.g. from sqlite:data/rapport.db to postgres://..., and verify it\n"
            "  import    import a CSV, Excel or vCard file: rapport import contacts FILE.csv|.xlsx|.vcf\n"
            "  export    export a list: rapport export accounts --format csv|xlsx|vcf|ics [options]\n"
            "  version   print the version\n\n"
            "serve options (environment twins in brackets):\n"
            "  --db URL          sqlite:PATH (default %s) or postgres://USER@HOST/DB\n"
            "                    [RAPPORT_DB]; several hosts for a failover cluster:\n"
            "                    postgres://U@H1,H2/DB?target_session_attrs=read-write\n"
            "  --db-read URL     a PostgreSQL read replica for lists, search and exports,\n"
            "                    e.g. postgres://U@H1,H2/DB?target_session_attrs=prefer-standby\n"
            "                    [RAPPORT_DB_READ]; see docs/ha.md\n"
            "  --db-read-max-lag MS  the most a replica read may be behind the primary\n"
            "                    (default %u) [RAPPORT_DB_READ_MAX_LAG_MS]\n"
            "  --listen H:P      address to listen on (default %s; port 0 picks one)"
            " [RAPPORT_LISTEN]\n"
            "  --threads N       worker threads (default: 4 per CPU) [RAPPORT_THREADS]\n"
            "  --public-url URL  the address users reach, e.g. https://crm.example.com;\n"
            "                    https makes session cookies Secure [RAPPORT_PUBLIC_URL]\n"
            "  --log-level L     debug, info, warn or error (default info) [RAPPORT_LOG_LEVEL]\n"
            "  --web-dir DIR     serve the web UI from DIR (e.g. web/dist) instead of the\n"
            "                    copy built into the binary [RAPPORT_WEB_DIR]\n"
            "  --session-idle S  seconds of inactivity that end a session (default 1800)\n"
            "                    [RAPPORT_SESSION_IDLE]\n"
            "  --statement-timeout MS  a request's query running longer is stopped with\n"
            "                    503 (default 10000; 0: no limit; writes are never\n"
            "                    stopped) [RAPPORT_STATEMENT_TIMEOUT_MS]\n"
            "  RAPPORT_JOB_POLL_MS  how often idle servers look for due background jobs\n"
            "                    (default 1000)\n"
            "  --phone-country CC  the country national phone numbers are read in, as an\n"
            "                    ISO code: CN, US, GB... (default: the database's, CN for a\n"
            "                    new one; a change rebuilds the phone keys at start)\n"
            "                    [RAPPORT_PHONE_COUNTRY]\n"
            "  --secret-key-file F  the 32-byte key secrets such as the SMTP password are\n"
            "                    kept under (default: RAPPORT_SECRET_KEY, else\n"
            "                    data/secret.key) [RAPPORT_SECRET_KEY_FILE]\n\n"
            "On first start an 'admin' user is created with RAPPORT_ADMIN_PASSWORD,\n"
            "or a random password that is printed once.\n",
            DEFAULT_DB, RP_REPLICA_MAX_LAG_MS, DEFAULT_LISTEN);
}

/* Creates the directory of a sqlite:PATH database when it is missing. */
static void ensure_db_dir(const char *url)
{
    if (store_is_postgres_url(url))
        return;
    const char *path = strncmp(url, "sqlite:", 7) == 0 ? url + 7 : url;
    const char *slash = strrchr(path, '/');
    if (!slash || slash == path)
        return;
    char dir[4096];
    size_t n = (size_t)(slash - path);
    if (n >= sizeof(dir))
        return;
    memcpy(dir, path, n);
    dir[n] = '\0';
    if (access(dir, F_OK) != 0 && mkdir(dir, 0700) != 0)
        LOG(LOG_WARN, "cannot create the database directory");
}

/* glibc raises its mmap threshold each time a large block is freed (a calendar's
 * JSON, a big page), after which such blocks come from the per-thread heaps and stay
 * resident there. Fixed thresholds give them back to the system when freed. */
static void tune_malloc(void)
{
#ifdef __GLIBC__
    mallopt(M_MMAP_THRESHOLD, 256 * 1024);
    mallopt(M_TRIM_THRESHOLD, 1024 * 1024);
#endif
}

static int serve(int argc, char **argv)
{
    tune_malloc();
    const char *db = getenv("RAPPORT_DB") ? getenv("RAPPORT_DB") : DEFAULT_DB;
    const char *listen = getenv("RAPPORT_LISTEN") ? getenv("RAPPORT_LISTEN") : DEFAULT_LISTEN;
    const char *threads_s = getenv("RAPPORT_THREADS");
    const char *public_url = getenv("RAPPORT_PUBLIC_URL");
    const char *level = getenv("RAPPORT_LOG_LEVEL");
    const char *web_dir = getenv("RAPPORT_WEB_DIR");
    const char *idle = getenv("RAPPORT_SESSION_IDLE");
    const char *timeout_arg = getenv("RAPPORT_STATEMENT_TIMEOUT_MS");
    const char *phone_country_arg = getenv("RAPPORT_PHONE_COUNTRY");
    const char *db_read = getenv("RAPPORT_DB_READ");
    const char *max_lag_arg = getenv("RAPPORT_DB_READ_MAX_LAG_MS");
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
            db = argv[++i];
        } else if (strcmp(argv[i], "--db-read") == 0 && i + 1 < argc) {
            db_read = argv[++i];
        } else if (strcmp(argv[i], "--db-read-max-lag") == 0 && i + 1 < argc) {
            max_lag_arg = argv[++i];
        } else if (strcmp(argv[i], "--listen") == 0 && i + 1 < argc) {
            listen = argv[++i];
        } else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc) {
            threads_s = argv[++i];
        } else if (strcmp(argv[i], "--public-url") == 0 && i + 1 < argc) {
            public_url = argv[++i];
            /* Modules read it there too (links in notification e-mails). */
            setenv("RAPPORT_PUBLIC_URL", public_url, 1);
        } else if (strcmp(argv[i], "--log-level") == 0 && i + 1 < argc) {
            level = argv[++i];
        } else if (strcmp(argv[i], "--web-dir") == 0 && i + 1 < argc) {
            web_dir = argv[++i];
        } else if (strcmp(argv[i], "--session-idle") == 0 && i + 1 < argc) {
            idle = argv[++i];
        } else if (strcmp(argv[i], "--statement-timeout") == 0 && i + 1 < argc) {
            timeout_arg = argv[++i];
        } else if (strcmp(argv[i], "--phone-country") == 0 && i + 1 < argc) {
            phone_country_arg = argv[++i];
        } else if (strcmp(argv[i], "--secret-key-file") == 0 && i + 1 < argc) {
            /* Read where it is needed (the mail settings), like its variable. */
            setenv("RAPPORT_SECRET_KEY_FILE", argv[++i], 1);
        } else {
            fprintf(stderr, "rapport serve: unknown option '%s'\n\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }
    const char *colon = strrchr(listen, ':');
    int64_t port;
    if (!colon || colon == listen || text_parse_i64(rp_str_c(colon + 1), &port) || port < 0 ||
        port > 65535) {
        fprintf(stderr, "rapport serve: --listen takes HOST:PORT, like 127.0.0.1:8080\n");
        return 2;
    }
    /* Four threads a CPU: a thread waiting for the disk (group commit) is not busy. */
    int64_t threads = 4 * sysconf(_SC_NPROCESSORS_ONLN);
    if (threads_s && (text_parse_i64(rp_str_c(threads_s), &threads) || threads < 1 ||
                      threads > 256)) {
        fprintf(stderr, "rapport serve: --threads takes a number from 1 to 256\n");
        return 2;
    }
    if (threads < 2)
        threads = 2;
    if (level) {
        static const char *const LEVELS[] = {"debug", "info", "warn", "error"};
        size_t l = RP_NELEM(LEVELS);
        for (size_t k = 0; k < RP_NELEM(LEVELS); k++)
            if (strcmp(level, LEVELS[k]) == 0)
                l = k;
        if (l == RP_NELEM(LEVELS)) {
            fprintf(stderr, "rapport serve: --log-level takes debug, info, warn or error\n");
            return 2;
        }
        log_set_level((enum log_level)l);
    }
    if (phone_country_arg) {
        const struct phone_country *pc = phone_country(phone_country_arg);
        if (!pc) {
            size_t n;
            const struct phone_country *all = phone_countries(&n);
            fprintf(stderr, "rapport serve: --phone-country takes one of");
            for (size_t k = 0; k < n; k++)
                fprintf(stderr, " %s", all[k].iso);
            fprintf(stderr, "\n");
            return 2;
        }
        phones_configure(pc);
    }
    int64_t idle_s;
    if (idle && (text_parse_i64(rp_str_c(idle), &idle_s) || !auth_set_session_idle(idle_s))) {
        fprintf(stderr, "rapport serve: --session-idle takes seconds, from 1 to 43200\n");
        return 2;
    }
    int64_t timeout_ms = RP_STATEMENT_TIMEOUT_MS;
    if (timeout_arg && (text_parse_i64(rp_str_c(timeout_arg), &timeout_ms) || timeout_ms < 0 ||
                      timeout_ms > RP_STATEMENT_TIMEOUT_MAX_MS)) {
        fprintf(stderr, "rapport serve: --statement-timeout takes milliseconds, from 0 (no"
                        " limit) to %u\n", RP_STATEMENT_TIMEOUT_MAX_MS);
        return 2;
    }
    int64_t max_lag_ms = RP_REPLICA_MAX_LAG_MS;
    if (max_lag_arg && (text_parse_i64(rp_str_c(max_lag_arg), &max_lag_ms) ||
                        max_lag_ms < RP_REPLICA_MAX_LAG_MIN_MS ||
                        max_lag_ms > RP_REPLICA_MAX_LAG_MAX_MS)) {
        fprintf(stderr, "rapport serve: --db-read-max-lag takes milliseconds, from %u to %u\n",
                RP_REPLICA_MAX_LAG_MIN_MS, RP_REPLICA_MAX_LAG_MAX_MS);
        return 2;
    }
    if (db_read && (!store_is_postgres_url(db) || !store_is_postgres_url(db_read))) {
        fprintf(stderr, "rapport serve: --db-read needs PostgreSQL: --db and --db-read both"
                        " postgres://...\n");
        return 2;
    }
    if (public_url && strncmp(public_url, "https://", 8) != 0 &&
        strncmp(public_url, "http://", 7) != 0) {
        fprintf(stderr, "rapport serve: --public-url must start with http:// or https://\n");
        return 2;
    }
    struct stat wst;
    if (web_dir && (stat(web_dir, &wst) != 0 || !S_ISDIR(wst.st_mode))) {
        fprintf(stderr, "rapport serve: --web-dir '%s' is not a directory\n", web_dir);
        return 2;
    }
    char host[64];
    size_t hlen = (size_t)(colon - listen);
    if (hlen >= sizeof(host)) {
        fprintf(stderr, "rapport serve: host too long\n");
        return 2;
    }
    memcpy(host, listen, hlen);
    host[hlen] = '\0';

    /* Signals are taken by sigwait in this thread; every other thread blocks them. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);

    if (auth_init()) {
        fprintf(stderr, "rapport: cannot initialise libsodium\n");
        return 1;
    }
    ensure_db_dir(db);
    struct store *store = NULL;
    enum rp_err err = ops_open(db, true, &store);
    if (err) {
        fprintf(stderr, "rapport: cannot open the database: %s\n", rp_err_name(err));
        return 1;
    }
    if (db_read && (err = store_open_read_replica(store, db_read, (unsigned)max_lag_ms))) {
        fprintf(stderr, "rapport: cannot use the read replica: %s\n", rp_err_name(err));
        store_close(store);
        return 1;
    }
    /* The workers, this thread and the notification watcher. */
    store_set_connections(store, (unsigned)threads + 2);
    struct api_app app = {store, NULL, public_url && strncmp(public_url, "https://", 8) == 0,
                          public_url, (unsigned)timeout_ms};
    size_t nroutes;
    const struct http_route *routes = api_http_routes(&nroutes);
    struct http_config cfg = {host, (unsigned)port, (unsigned)threads, routes, nroutes, &app,
                              api_on_error, http_web_assets, http_web_nassets, web_dir};
    unsigned bound;
    err = http_start(&cfg, &app.http, &bound);
    if (err) {
        fprintf(stderr, "rapport: cannot listen on %s\n", listen);
        store_close(store);
        return 1;
    }
    /* Background jobs: every server runs them; each job runs on one server only. */
    int64_t poll_ms = 1000;
    const char *poll_s = getenv("RAPPORT_JOB_POLL_MS");
    if (poll_s && (text_parse_i64(rp_str_c(poll_s), &poll_ms) || poll_ms < 10 ||
                   poll_ms > 3600000))
        poll_ms = 1000;
    struct jobs_runner *runner = NULL;
    err = jobs_runner_start(store, poll_ms, &runner);
    if (err) {
        fprintf(stderr, "rapport: cannot start the job runner\n");
        http_stop(app.http, 0);
        store_close(store);
        return 1;
    }
    /* Notifications committed by any server reach this one's event streams. */
    struct notify_watch *watch = NULL;
    err = notify_watch_start(store, api_notify_news, api_notify_beat, NULL, &watch);
    if (err) {
        fprintf(stderr, "rapport: cannot start the notification watcher\n");
        http_stop(app.http, 0);
        jobs_runner_stop(runner);
        store_close(store);
        return 1;
    }
    printf("listening on http://%s:%u\n", host, bound);
    fflush(stdout);
    /* A postgres url may carry a password: name the backend only. */
    LOG(LOG_INFO, "serving %s with %lld threads", store_is_postgres_url(db) ? "postgres" : db,
        (long long)threads);
    /* This thread waits for a signal and does the upkeep between signals. */
    int sig;
    for (;;) {
        struct timespec tick = {OPS_MAINTAIN_SECONDS, 0};
        sig = sigtimedwait(&sigs, NULL, &tick);
        if (sig > 0)
            break;
        if (errno == EAGAIN && (err = ops_maintain(store)) != RP_OK)
            LOG(LOG_WARN, "maintenance failed: %s", rp_err_name(err));
    }
    LOG(LOG_INFO, "signal %d: finishing in-flight requests", sig);
    http_stop(app.http, 10000);
    notify_watch_stop(watch);
    jobs_runner_stop(runner);
    store_close(store);
    LOG(LOG_INFO, "stopped cleanly");
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "serve") == 0)
        return serve(argc - 2, argv + 2);
    if (strcmp(argv[1], "demo") == 0)
        return cli_demo(argc - 2, argv + 2);
    if (strcmp(argv[1], "bench-data") == 0)
        return cli_bench_data(argc - 2, argv + 2);
    if (strcmp(argv[1], "backup") == 0)
        return cli_backup(argc - 2, argv + 2);
    if (strcmp(argv[1], "migrate") == 0)
        return cli_migrate(argc - 2, argv + 2);
    if (strcmp(argv[1], "import") == 0)
        return cli_import(argc - 2, argv + 2);
    if (strcmp(argv[1], "export") == 0)
        return cli_export(argc - 2, argv + 2);
    if (strcmp(argv[1], "version") == 0) {
        printf("rapport 0.1.0\n");
        return 0;
    }
    if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0) {
        usage(stdout);
        return 0;
    }
    fprintf(stderr, "rapport: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return 2;
}
