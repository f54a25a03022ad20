/* Sub-commands other than serve. Each returns a process exit code. */
#ifndef RP_CLI_H
#define RP_CLI_H

/* rapport demo [--db URL]: fills an empty database with a small, realistic company. */
int cli_demo(int argc, char **argv);

/* rapport bench-data [--db URL] [--accounts N] …: fills a database with a large,
 * deterministic company for the benchmark. */
int cli_bench_data(int argc, char **argv);
/* rapport backup FILE [--db URL]: an online, checked copy of the database in FILE. */
int cli_backup(int argc, char **argv);

#endif
