/* Sub-commands other than serve. Each returns a process exit code. */
#ifndef RP_CLI_H
#define RP_CLI_H

/* rapport demo [--db URL]: fills an empty database with a small, realistic company. */
int cli_demo(int argc, char **argv);

/* rapport import <entity> FILE [options]: CSV import (crm/import.h). */
int cli_import(int argc, char **argv);
/* rapport export <entity> [options]: CSV, XLSX, vCard or iCalendar (crm/export.h). */
int cli_export(int argc, char **argv);

#endif
