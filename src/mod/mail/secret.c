/* The secret key the SMTP password is kept under, and sealing with it: libsodium's
 * crypto_secretbox (XSalsa20-Poly1305), a random nonce per seal, so the database alone
 * (a backup, a copy) never yields the password. */
#include "core/common.h"

#include <sodium.h>
#include <stdio.h>

#include "core/buf.h"
#include "core/ids.h"
#include "mod/mail/mail.h"

/* A key file or variable holds at most this much text (base64 or hex of 32 bytes with
 * a line end, or the 32 bytes themselves). */
#define KEY_TEXT_MAX 128

/* Decodes a key from text: 64 hex digits, base64 of 32 bytes, or 32 raw bytes. */
static enum rp_err decode_key(const char *s, size_t len, unsigned char key[32])
{
    if (len == 32) {
        memcpy(key, s, 32);
        return RP_OK;
    }
    while (len && (s[len - 1] == '\n' || s[len - 1] == '\r' || s[len - 1] == ' '))
        len--;
    size_t n = 0;
    if (len == 64 && sodium_hex2bin(key, 32, s, len, NULL, &n, NULL) == 0 && n == 32)
        return RP_OK;
    if (sodium_base642bin(key, 32, s, len, NULL, &n, NULL, sodium_base64_VARIANT_ORIGINAL) == 0 &&
        n == 32)
        return RP_OK;
    return RP_EINVAL;
}

enum rp_err mail_secret_key(unsigned char key[32])
{
    const char *env = getenv("RAPPORT_SECRET_KEY");
    if (env && env[0])
        return decode_key(env, strlen(env), key);
    const char *path = getenv("RAPPORT_SECRET_KEY_FILE");
    bool given = path && path[0];
    FILE *f = fopen(given ? path : MAIL_DEFAULT_KEY_FILE, "rb");
    if (!f)
        return given ? RP_EINVAL : RP_ENOTFOUND;
    char text[KEY_TEXT_MAX + 1];
    size_t len = fread(text, 1, sizeof(text), f);
    fclose(f);
    enum rp_err err = len > KEY_TEXT_MAX ? RP_EINVAL : decode_key(text, len, key);
    buf_wipe(text, sizeof(text));
    return err;
}

enum rp_err mail_seal(struct arena *a, const unsigned char key[32], const char *plain,
                      const char **out)
{
    size_t plen = strlen(plain), blen = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + plen;
    unsigned char *box = arena_alloc(a, blen);
    enum rp_err err = ids_random(box, crypto_secretbox_NONCEBYTES);
    if (err)
        return err;
    crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES, (const unsigned char *)plain, plen,
                          box, key);
    size_t tlen = sodium_base64_ENCODED_LEN(blen, sodium_base64_VARIANT_ORIGINAL);
    char *text = arena_alloc(a, tlen + 3);
    memcpy(text, "v1:", 3);
    sodium_bin2base64(text + 3, tlen, box, blen, sodium_base64_VARIANT_ORIGINAL);
    *out = text;
    return RP_OK;
}

enum rp_err mail_open(struct arena *a, const unsigned char key[32], const char *sealed,
                      const char **out)
{
    size_t slen = strlen(sealed);
    if (slen < 3 || memcmp(sealed, "v1:", 3) != 0)
        return RP_EINVAL;
    unsigned char *box = arena_alloc(a, slen);
    size_t blen = 0;
    if (sodium_base642bin(box, slen, sealed + 3, slen - 3, NULL, &blen, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        blen < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
        return RP_EINVAL;
    size_t plen = blen - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES;
    char *plain = arena_alloc(a, plen + 1);
    if (crypto_secretbox_open_easy((unsigned char *)plain, box + crypto_secretbox_NONCEBYTES,
                                   blen - crypto_secretbox_NONCEBYTES, box, key) != 0)
        return RP_EINVAL;
    plain[plen] = '\0';
    arena_on_release(a, buf_wipe_cstr, plain);
    *out = plain;
    return RP_OK;
}
