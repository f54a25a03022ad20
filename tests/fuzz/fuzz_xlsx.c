/* Fuzz target: the .xlsx reader (engine/xlsx_read.h) — ZIP container, relationships,
 * shared strings, styles and number formats, the sheet's rows and cell references.
 *
 * Input: either a whole file (starting "PK"), or parts of a workbook the target
 * packs itself so that the XML is reached: a first line of options ("1904" for the
 * 1904 date system), then the sheet's XML, and optionally "\n--\n" and the shared
 * strings' XML, "\n--\n" and the styles' XML.
 *
 * Findings: a crash or sanitizer report; an error other than a refused file (and a
 * refusal without its reason); rows out of order, wider than RP_MAX_IMPORT_COLUMNS,
 * a cell longer than RP_MAX_IMPORT_FIELD, or an empty row handed out. */
#include <stdio.h>

#include "harness.h"

#include "../unit/xlsx_fixture.h"
#include "core/arena.h"
#include "engine/xlsx_read.h"

#define MAX_INPUT (1024 * 1024)

static _Noreturn void finding(const char *what)
{
    fprintf(stderr, "fuzz_xlsx: %s\n", what);
    abort();
}

struct seen {
    int64_t last;
};

static enum rp_err check_row(void *cls, const struct xlsx_row *r)
{
    struct seen *s = cls;
    if (r->num <= s->last || r->num > 1048576)
        finding("rows out of order or outside the sheet");
    s->last = r->num;
    if (r->n > RP_MAX_IMPORT_COLUMNS)
        finding("a row wider than RP_MAX_IMPORT_COLUMNS");
    bool any = r->extra > 0;
    for (size_t i = 0; i < r->n; i++) {
        if (r->cells[i].len > RP_MAX_IMPORT_FIELD)
            finding("a cell longer than RP_MAX_IMPORT_FIELD");
        any |= r->cells[i].len > 0;
    }
    if (!any || (r->n && !r->cells[r->n - 1].len))
        finding("an empty row, or a row ending in an empty cell");
    return RP_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MAX_INPUT)
        return 0;
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    char *file = text;
    size_t len = size;
    char *built = NULL;
    if (size < 2 || memcmp(text, "PK", 2) != 0) {
        char *body = memchr(text, '\n', size);
        body = body ? body + 1 : text + size;
        int date1904 = strncmp(text, "1904", 4) == 0;
        struct xf_part parts[3] = {{"xl/worksheets/sheet1.xml", body, 0},
                                   {"xl/sharedStrings.xml", "", 0},
                                   {"xl/styles.xml", "", 0}};
        size_t n = 1;
        for (char *p = body; n < 3 && (p = strstr(p, "\n--\n")); n++) {
            *p = '\0';
            p += 4;
            parts[n].data = p;
        }
        for (size_t i = 0; i < n; i++)
            if (!*parts[i].data)
                parts[i].data = " "; /* an empty part: broken XML all the same */
        built = xf_build(parts, n, date1904, 0, &len);
        file = built;
    }
    struct arena a;
    arena_init(&a);
    struct seen s = {0};
    const char *fatal = NULL;
    enum rp_err err = xlsx_read(file, len, NULL, check_row, &s, &a, RP_LANG_EN, &fatal);
    if (err && err != RP_EINVAL)
        finding("the reader failed with something other than a refusal");
    if (err == RP_EINVAL && !fatal)
        finding("a refused file without a reason");
    if (!err && fatal)
        finding("a reason without a refusal");
    arena_release(&a);
    free(built);
    free(text);
    return 0;
}
