/* Builds small .xlsx workbooks in memory for tests (libzip): the package's
 * relationships, a workbook, and the parts a test gives. Shared by test_xlsx.c and
 * tests/fuzz/fuzz_xlsx.c. */
#ifndef RP_TEST_XLSX_FIXTURE_H
#define RP_TEST_XLSX_FIXTURE_H

#include <stdlib.h>
#include <string.h>
#include <zip.h>

#define XF_MAIN "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\""
#define XF_REL "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

struct xf_part {
    const char *name;
    const char *data;   /* NUL-terminated unless len is set */
    size_t len;
};

/* A workbook of the given parts plus the package's own (_rels/.rels,
 * xl/workbook.xml with date1904 when asked, xl/_rels/workbook.xml.rels pointing at
 * xl/worksheets/sheet1.xml, xl/sharedStrings.xml and xl/styles.xml). Returns owned
 * bytes (free()) in *len, compressed (deflate) or stored. */
static inline char *xf_build(const struct xf_part *parts, size_t n, int date1904, int deflate,
                             size_t *len)
{
    static const char RELS[] =
        "<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
        "<Relationship Id=\"rId1\" Type=\"" XF_REL "/officeDocument\" Target=\"xl/workbook.xml\"/>"
        "</Relationships>";
    static const char WB_RELS[] =
        "<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
        "<Relationship Id=\"rId1\" Type=\"" XF_REL "/worksheet\" Target=\"worksheets/sheet1.xml\"/>"
        "<Relationship Id=\"rId2\" Type=\"" XF_REL "/sharedStrings\" Target=\"sharedStrings.xml\"/>"
        "<Relationship Id=\"rId3\" Type=\"" XF_REL "/styles\" Target=\"/xl/styles.xml\"/>"
        "</Relationships>";
    static const char WB[] =
        "<?xml version=\"1.0\"?><workbook " XF_MAIN " xmlns:r=\"" XF_REL "\">"
        "<workbookPr/><sheets><sheet name=\"S\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>";
    static const char WB1904[] =
        "<?xml version=\"1.0\"?><workbook " XF_MAIN " xmlns:r=\"" XF_REL "\">"
        "<workbookPr date1904=\"1\"/><sheets><sheet name=\"S\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>";
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, &ze);
    zip_source_keep(src);
    zip_t *z = zip_open_from_source(src, ZIP_TRUNCATE, &ze);
    struct xf_part all[16];
    size_t k = 0;
    all[k++] = (struct xf_part){"_rels/.rels", RELS, 0};
    all[k++] = (struct xf_part){"xl/workbook.xml", date1904 ? WB1904 : WB, 0};
    all[k++] = (struct xf_part){"xl/_rels/workbook.xml.rels", WB_RELS, 0};
    for (size_t i = 0; i < n && k < 16; i++)
        all[k++] = parts[i];
    for (size_t i = 0; i < k; i++) {
        size_t l = all[i].len ? all[i].len : strlen(all[i].data);
        zip_source_t *s = zip_source_buffer(z, all[i].data, l, 0);
        zip_int64_t idx = zip_file_add(z, all[i].name, s, ZIP_FL_OVERWRITE);
        zip_set_file_compression(z, (zip_uint64_t)idx, deflate ? ZIP_CM_DEFLATE : ZIP_CM_STORE, 1);
    }
    zip_close(z);
    zip_source_open(src);
    zip_source_seek(src, 0, SEEK_END);
    zip_int64_t size = zip_source_tell(src);
    zip_source_seek(src, 0, SEEK_SET);
    char *out = malloc((size_t)size + 1);
    zip_source_read(src, out, (zip_uint64_t)size);
    zip_source_close(src);
    zip_source_free(src);
    *len = (size_t)size;
    return out;
}

#endif
