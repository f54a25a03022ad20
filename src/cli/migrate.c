/* rapport migrate: moving a workspace from one database to another. */
#include "core/common.h"

#include "cli/cli.h"
#include "engine/auth.h"
#include "engine/ops.h"

static void report(void *arg, const struct store_copy_result *r)
{
    (void)arg;
    printf("%-24s %-7s %10lld rows  checksum %016llx  %s\n", r->table, r->fts ? "search" : "",
           (long long)r->rows, (unsigned long long)r->checksum,
           r->verified ? "verified" : "MISMATCH");
}

int cli_migrate(int argc, char **argv)
{
    const char *from = NULL, *to = NULL;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--from") == 0 && i + 1 < argc) {
            from = argv[++i];
        } else if (strcmp(argv[i], "--to") == 0 && i + 1 < argc) {
            to = argv[++i];
        } else {
            from = NULL;
            break;
        }
    }
    if (!from || !to) {
        fprintf(stderr, "usage: rapport migrate --from sqlite:data/rapport.db"
                        " --to postgres://USER@HOST/DB\n"
                        "Stop the servers using the source first; the destination must be"
                        " new or empty.\n");
        return 2;
    }
    if (strcmp(from, to) == 0) {
        fprintf(stderr, "rapport migrate: --from and --to name the same database\n");
        return 2;
    }
    bool mismatch = false;
    enum rp_err err = auth_init();
    if (!err)
        err = ops_migrate(from, to, report, NULL, &mismatch);
    if (err == RP_ECONFLICT) {
        fprintf(stderr, "rapport migrate: the destination already holds records; migrate into"
                        " a new, empty database\n");
        return 1;
    }
    if (mismatch) {
        fprintf(stderr, "rapport migrate: the copy did not verify (see MISMATCH above)\n");
        return 1;
    }
    if (err) {
        fprintf(stderr, "rapport migrate: failed: %s\n", rp_err_name(err));
        return 1;
    }
    printf("migrated and verified\n");
    return 0;
}
