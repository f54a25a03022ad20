#include "core/ids.h"

#include <errno.h>
#include <sys/random.h>

#include "core/text.h"

enum rp_err ids_random(void *buf, size_t len)
{
    unsigned char *p = buf;
    while (len) {
        ssize_t n = getrandom(p, len, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return RP_EIO;
        }
        p += n;
        len -= (size_t)n;
    }
    return RP_OK;
}

enum rp_err ids_uuid7(char out[RP_ID_LEN + 1])
{
    /* Ids are not secrets: their random bits come from a per-thread pool filled by
     * one getrandom call per 25 ids (a bulk import makes a million of them). */
    static _Thread_local unsigned char pool[250];
    static _Thread_local size_t left;
    unsigned char b[16];
    if (left < 10) {
        enum rp_err err = ids_random(pool, sizeof(pool));
        if (err)
            return err;
        left = sizeof(pool);
    }
    memcpy(b + 6, pool + sizeof(pool) - left, 10);
    left -= 10;
    uint64_t ms = (uint64_t)text_now_ms();
    for (int i = 0; i < 6; i++)
        b[i] = (unsigned char)(ms >> (40 - 8 * i));
    b[6] = (unsigned char)(0x70 | (b[6] & 0x0F));
    b[8] = (unsigned char)(0x80 | (b[8] & 0x3F));
    char hex[33];
    text_hex(b, 16, hex);
    size_t o = 0;
    for (int i = 0; i < 32; i++) {
        if (i == 8 || i == 12 || i == 16 || i == 20)
            out[o++] = '-';
        out[o++] = hex[i];
    }
    out[o] = '\0';
    return RP_OK;
}

bool ids_valid(struct rp_str s)
{
    if (s.len != RP_ID_LEN)
        return false;
    for (size_t i = 0; i < s.len; i++) {
        char c = s.p[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-')
                return false;
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return false;
        }
    }
    return true;
}
