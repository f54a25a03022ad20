#include "core/common.h"

#include "cli/cli.h"
#include "engine/auth.h"
#include "engine/ops.h"

int cli_open(const char *cmd, const char *db, bool may_generate_admin, struct store **s,
             struct store_conn **c)
{
    *s = NULL;
    enum rp_err err = auth_init();
    if (!err)
        err = ops_open(db, may_generate_admin, s);
    if (!err)
        err = store_conn_get(*s, c);
    if (err) {
        fprintf(stderr, "rapport %s: cannot open the database: %s\n", cmd, rp_err_name(err));
        store_close(*s);
        *s = NULL;
        return 1;
    }
    return 0;
}
