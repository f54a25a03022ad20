/* Plain text as Markdown that shows it as it was written: a case's description and
 * resolution become the body of a knowledge article (articles.c) without a `*` turning
 * into emphasis, a `#` at the start of a line into a heading, or a `<b>` into anything
 * but those three characters. Pure text work, no database. */
#include "core/common.h"

#include "mod/service/service.h"

/* Characters that are markup wherever they stand (CommonMark's emphasis, code spans,
 * links, autolinks and raw HTML, entities, and the table and strikethrough marks of
 * common extensions). Escaping any ASCII punctuation is valid CommonMark. */
static bool inline_mark(char ch)
{
    return ch && strchr("\\`*_[]<>&~|", ch) != NULL;
}

/* Characters that open a block at the start of a line: headings, block quotes, list
 * items, and setext underlines and thematic breaks. */
static bool block_mark(char ch)
{
    return ch && strchr("#>+-=", ch) != NULL;
}

static bool blank(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\f' || ch == '\v';
}

/* One line, without its surrounding white space, escaped. */
static enum rp_err quote_line(struct rp_buf *b, const char *p, size_t len)
{
    enum rp_err err = RP_OK;
    size_t digits = 0;
    while (digits < len && p[digits] >= '0' && p[digits] <= '9')
        digits++;
    /* "1. " and "1) " start an ordered list: the dot or parenthesis is escaped. */
    size_t list_mark = digits > 0 && digits < len && (p[digits] == '.' || p[digits] == ')')
                           ? digits
                           : (size_t)-1;
    for (size_t i = 0; i < len && !err; i++) {
        if ((i == 0 && block_mark(p[i])) || inline_mark(p[i]) || i == list_mark)
            err = buf_addc(b, '\\');
        if (!err)
            err = buf_addc(b, p[i]);
    }
    return err;
}

enum rp_err svc_md_quote(struct rp_buf *b, struct rp_str text)
{
    enum rp_err err = RP_OK;
    bool wrote = false, gap = false;
    size_t i = 0;
    while (i < text.len && !err) {
        size_t end = i;
        while (end < text.len && text.p[end] != '\n')
            end++;
        size_t s = i, e = end;
        /* Indentation would make a code block, trailing spaces a hard break. */
        while (s < e && blank(text.p[s]))
            s++;
        while (e > s && blank(text.p[e - 1]))
            e--;
        if (s == e) {
            gap = wrote;
        } else {
            if (wrote)
                err = buf_adds(b, gap ? "\n\n" : "\\\n");
            if (!err)
                err = quote_line(b, text.p + s, e - s);
            wrote = true;
            gap = false;
        }
        i = end + 1;
    }
    return err;
}
