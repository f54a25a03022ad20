/* Small helpers the mail module's files share: a field's text, and inputs of text,
 * whole numbers and times for the engine. */
#include "core/common.h"

#include "core/text.h"
#include "mod/mail/mail.h"

const char *mail__text_of(struct arena *a, const struct rec *r, const char *field)
{
    const struct rec_value *v = rec_field(r, field);
    return v->null ? NULL : arena_strndup(a, v->s, v->len);
}

struct rec_input mail__in_text(const char *field, const char *s)
{
    return s ? rec_in_text(field, s) : (struct rec_input){.field = rp_str_c(field), .kind = IN_NULL};
}

struct rec_input mail__in_int(struct arena *a, const char *field, int64_t v)
{
    const char *s = arena_printf(a, "%lld", (long long)v);
    return (struct rec_input){.field = rp_str_c(field), .kind = IN_NUMBER, .s = s,
                              .len = strlen(s)};
}

const char *mail__datetime(struct arena *a, int64_t ms)
{
    char *buf = arena_alloc(a, 32);
    text_format_datetime(ms, buf, 32);
    return buf;
}
