/* Sub-commands other than serve. Each returns a process exit code. */
#ifndef RP_CLI_H
#define RP_CLI_H

#include <stdbool.h>

struct store;
struct store_conn;

/* Opens the database of sub-command `cmd` (migrations, bootstrap: ops_open) and this
 * thread's connection; on failure prints why and returns 1 (an exit code), else 0. */
int cli_open(const char *cmd, const char *db, bool may_generate_admin, struct store **s,
             struct store_conn **c);

/* rapport demo [--db URL]: fills an empty database with a small, realistic company. */
int cli_demo(int argc, char **argv);

/* rapport bench-data [--db URL] [--accounts N] …: fills a database with a large,
 * deterministic company for the benchmark. */
int cli_bench_data(int argc, char **argv);
/* rapport backup FILE [--db URL]: an online, checked copy of the database in FILE. */
int cli_backup(int argc, char **argv);
/* rapport migrate --from URL --to URL: copies a whole workspace into a new database
 * (SQLite to PostgreSQL, or back) and verifies row counts and checksums. */
int cli_migrate(int argc, char **argv);
/* rapport import <entity> FILE [options]: CSV import (crm/import.h). */
int cli_import(int argc, char **argv);
/* rapport export <entity> [options]: CSV, XLSX, vCard or iCalendar (crm/export.h). */
int cli_export(int argc, char **argv);

#endif
