/* Small helpers the mail module's files share: inputs of whole numbers and times for
 * the engine. */
#include "core/common.h"

#include "core/text.h"
#include "mod/mail/mail.h"

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
