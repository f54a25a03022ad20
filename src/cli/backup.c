/* `rapport backup FILE`: a consistent copy of the database while the server runs
 * (SQLite's online backup API, one read snapshot), checked before it is kept. */
#include "core/common.h"

#include "cli/cli.h"
#include "core/log.h"
#include "store/db.h"

int cli_backup(int argc, char **argv)
{
    const char *db = getenv("RAPPORT_DB") ? getenv("RAPPORT_DB") : "sqlite:data/rapport.db";
    const char *file = NULL;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--db") == 0 && i + 1 < argc)
            db = argv[++i];
        else if (argv[i][0] != '-' && !file)
            file = argv[i];
        else {
            fprintf(stderr, "rapport backup: unknown option '%s'\n", argv[i]);
            file = NULL;
            break;
        }
    }
    if (!file) {
        fprintf(stderr, "usage: rapport backup FILE [--db URL]\n");
        return 2;
    }
    struct store *s;
    enum rp_err err = store_open(db, &s);
    if (err) {
        fprintf(stderr, "rapport backup: cannot open the database: %s\n", rp_err_name(err));
        return 1;
    }
    if (strcmp(store_backend(s), "sqlite") != 0) {
        fprintf(stderr, "rapport backup: a %s database is backed up with its own tools"
                        " (pg_dump; see docs/scaling.md)\n", store_backend(s));
        store_close(s);
        return 1;
    }
    int64_t bytes = 0;
    err = store_backup(s, file, &bytes);
    store_close(s);
    switch (err) {
    case RP_OK:
        printf("backup: %s (%lld bytes, integrity ok)\n", file, (long long)bytes);
        return 0;
    case RP_ECONFLICT:
        fprintf(stderr, "rapport backup: %s exists; choose a new file name\n", file);
        return 1;
    case RP_EBUSY:
        fprintf(stderr, "rapport backup: the database stayed locked; try again\n");
        return 1;
    default:
        fprintf(stderr, "rapport backup: the copy failed (%s); nothing was written\n",
                rp_err_name(err));
        return 1;
    }
}
