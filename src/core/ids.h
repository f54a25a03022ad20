/* Record ids: UUIDv7 (RFC 9562) — time-ordered for index locality, with 74 random
 * bits so ids cannot be guessed or enumerated. */
#ifndef RP_IDS_H
#define RP_IDS_H

#include "core/common.h"

#define RP_ID_LEN 36 /* canonical text form, without the NUL */

/* Fills buf with len bytes from the kernel CSPRNG. */
enum rp_err ids_random(void *buf, size_t len);
/* Writes a new UUIDv7 in canonical lower-case text form into out (RP_ID_LEN + 1). */
enum rp_err ids_uuid7(char out[RP_ID_LEN + 1]);
/* True when s is a canonical lower-case UUID text. */
bool ids_valid(struct rp_str s);

#endif
