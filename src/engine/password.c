#include "core/common.h"

#include "core/msg.h"
#include "core/text.h"
#include "engine/password.h"

static const char *const COMMON[] = {
#include "engine/common_passwords.inc"
};

/* ASCII case folding is enough: the list is ASCII, and a password with other letters
 * is not on it whatever their case. */
static int cmp_folded(const char *pw, size_t len, const char *entry)
{
    size_t i = 0;
    for (; i < len && entry[i]; i++) {
        int a = (unsigned char)pw[i], b = (unsigned char)entry[i];
        if (a >= 'A' && a <= 'Z')
            a += 'a' - 'A';
        if (a != b)
            return a - b;
    }
    if (i == len)
        return entry[i] ? -1 : 0;
    return 1;
}

static bool common(const char *pw, size_t len)
{
    size_t lo = 0, hi = RP_NELEM(COMMON);
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = cmp_folded(pw, len, COMMON[mid]);
        if (c == 0)
            return true;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return false;
}

/* One character repeated ("aaaaaaaaaaaa") is as weak as any list entry. */
static bool one_char(const char *pw, size_t len)
{
    for (size_t i = 1; i < len; i++)
        if (pw[i] != pw[0])
            return false;
    return true;
}

const char *password_weakness(const char *pw, size_t len)
{
    size_t chars = text_utf8_len((struct rp_str){pw, len});
    if (chars < RP_MIN_PASSWORD)
        return MSG("must be at least 12 characters");
    if (chars > RP_MAX_PASSWORD || len > RP_MAX_PASSWORD_BYTES)
        return MSG("must be at most 128 characters");
    if (one_char(pw, len) || common(pw, len))
        return MSG("is too common: choose one that is not on lists of leaked passwords");
    return NULL;
}

enum rp_err password_hash(char *out, const char *pw, size_t len)
{
    if (crypto_pwhash_str(out, pw, len, PASSWORD_OPSLIMIT, PASSWORD_MEMLIMIT) != 0)
        return RP_ENOMEM;
    return RP_OK;
}
