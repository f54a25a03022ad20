/* Phone numbers as data: every phone field (FT_PHONE, built-in or custom, of any
 * entity) of every record has its E.164 key (core/phone.h) in the store, kept by the
 * write path, so a number typed any way finds its records in one index probe across
 * entities, as the caller may read them (GET /phone/lookup, and the global search when
 * its text is a number).
 *
 * National numbers are read in the home country, which the operator sets
 * (--phone-country) and the database remembers with its keys: a server or command
 * started without the option keeps the database's country, and a server started with
 * another country rebuilds every key at start (phones_sync). Records in the recycle bin
 * keep their keys (a restored record is found again); what the caller may not read,
 * deleted records included, is left out of every answer. */
#ifndef RP_ENGINE_PHONES_H
#define RP_ENGINE_PHONES_H

#include "core/phone.h"
#include "engine/rec.h"

/* Records one lookup answers at most: one number is a handful of people and companies;
 * more is a switchboard number shared by a whole company. */
#define PHONES_MAX_HITS 50u

/* The home country the operator asked for (NULL: the database's, or China for a new
 * one). Set before phones_sync, while no other thread runs. */
void phones_configure(const struct phone_country *home);
/* The home country national numbers are read in. */
const struct phone_country *phones_home(void);
/* Whether e has a phone field. */
bool phones_applies(const struct entity_def *e);

/* Run by the engine after a write of r (old: the record before; NULL on create):
 * replaces r's keys when its phone fields changed. */
enum rp_err phones_index(struct rec_ctx *ctx, const struct rec *r, const struct rec *old);

/* At start: writes the keys of every record again, recycle bin included, when the
 * database's keys were made by other rules or in another country than this process's
 * (or never: a database from before phone keys), in one transaction, and remembers the
 * rules and the country (the setting "phone_keys"). Does nothing when they agree, so it
 * runs at every start. Sets the home country. */
enum rp_err phones_sync(struct store *s);

/* The records, of any entity, whose phone fields hold the number with this key, that
 * the caller may read (at most PHONES_MAX_HITS), each with the field that matched. */
enum rp_err phones_find(struct rec_ctx *ctx, const char *key, struct rec_hit **hits, size_t *n);

/* Reads `number` (phone_parse in the home country) and finds it (phones_find). A text
 * that is not a phone number is RP_EINVAL, a bad request. */
enum rp_err phones_lookup(struct rec_ctx *ctx, struct rp_str number, struct phone_number *pn,
                          struct rec_hit **hits, size_t *n);

#endif
