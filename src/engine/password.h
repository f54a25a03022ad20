/* The password policy (ASVS L2 chapter 2): length in characters, a list of common
 * passwords, and the argon2id parameters every stored hash uses. */
#ifndef RP_ENGINE_PASSWORD_H
#define RP_ENGINE_PASSWORD_H

#include "core/common.h"

#include <sodium.h>

/* argon2id cost: libsodium's INTERACTIVE level, t=2 and 64 MiB (ASVS 2.4.1 asks at
 * least t=2 and 19 MiB). */
#define PASSWORD_OPSLIMIT crypto_pwhash_OPSLIMIT_INTERACTIVE
#define PASSWORD_MEMLIMIT crypto_pwhash_MEMLIMIT_INTERACTIVE

/* NULL when pw (len bytes, valid UTF-8) is acceptable as a new password, else the
 * reason in English words ("must be at least 12 characters", "is too common"), a
 * message of the engine's catalogue (msg_tr gives it in another language). Static. */
const char *password_weakness(const char *pw, size_t len);

/* Hashes pw into out (crypto_pwhash_STRBYTES bytes) with the policy's cost.
 * RP_ENOMEM when argon2id cannot get its memory. */
enum rp_err password_hash(char *out, const char *pw, size_t len);

#endif
