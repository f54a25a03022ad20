/* Shared inside store/ only. */
#ifndef RP_STORE_INT_H
#define RP_STORE_INT_H

#include "store/db.h"

struct sqlite3;

/* Applies the numbered platform migrations not yet recorded in schema_migrations. */
enum rp_err store__migrate(struct store_conn *c);
/* Runs a multi-statement script without parameters (migrations, DDL). */
enum rp_err store__exec_script(struct store_conn *c, const char *sql);
/* Registers the `rapport` FTS5 tokenizer on a connection. */
enum rp_err store__sqlite_register_tokenizer(struct sqlite3 *db);

#endif
