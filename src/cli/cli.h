/* Sub-commands other than serve. Each returns a process exit code. */
#ifndef RP_CLI_H
#define RP_CLI_H

/* rapport demo [--db URL]: fills an empty database with a small, realistic company. */
int cli_demo(int argc, char **argv);

/* rapport migrate --from URL --to URL: copies a whole workspace into a new database
 * (SQLite to PostgreSQL, or back) and verifies row counts and checksums. */
int cli_migrate(int argc, char **argv);

#endif
