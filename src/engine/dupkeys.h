/* Normalised keys for duplicate detection (engine/duplicates.c): two accounts, contacts
 * or leads whose keys are equal are probably the same party, however the values were
 * typed. Phone numbers have their own reader (core/phone.h).
 * Pure functions: no database, no records, no global state.
 *
 * Every function borrows its input slice (valid UTF-8 by contract; stray invalid bytes
 * are tolerated and never read out of bounds) and returns a NUL-terminated key owned by
 * the arena, or NULL when the value yields no key. Keys are for comparison only: they
 * are never shown to a person and never logged (they hold e-mails and names). */
#ifndef RP_ENGINE_DUPKEYS_H
#define RP_ENGINE_DUPKEYS_H

#include "core/arena.h"
#include "core/common.h"

/* Longest input read, in bytes. Real e-mails, tax ids and names are at most a
 * few hundred bytes; a longer value is pasted text, not an identifier. Identifiers
 * (e-mail, tax id) longer than this give no key, since a truncated identifier
 * could collide with a real one; names are cut at a code point boundary instead,
 * since a name key is only ever compared for similarity. */
#define DUPKEY_MAX_INPUT 1024u
/* RFC 5321: a forward path holds at most 254 octets of address. */
#define DUPKEY_MAX_EMAIL 254u

/* E-mail key: trimmed of ASCII whitespace and lower-cased (ASCII). For gmail.com and
 * googlemail.com only, dots are removed from the local part, a "+tag" is dropped and the
 * domain becomes gmail.com, because Gmail delivers all those spellings to one mailbox;
 * other domains keep dots and "+" parts, which may name different mailboxes there.
 * Returns owned (arena) key, or NULL when the value is not an e-mail: not exactly one
 * '@', an empty local part (also after the Gmail rules), a domain without a dot or with
 * an empty label, whitespace, control or quoting characters inside, more than
 * DUPKEY_MAX_EMAIL bytes after trimming, or an input longer than DUPKEY_MAX_INPUT. */
const char *dupkey_email(struct arena *a, struct rp_str email);

/* Tax id key: ASCII upper-cased, full-width ASCII mapped to ASCII, and whitespace (also
 * U+00A0 and U+3000), '.', '-' and '/' removed ("de 123.456/789" -> "DE123456789").
 * Other characters are kept. Returns owned (arena) key, or NULL when nothing is left or
 * the input is longer than DUPKEY_MAX_INPUT. */
const char *dupkey_tax_id(struct arena *a, struct rp_str tax_id);

/* Company or person name key. Full-width ASCII (U+FF01..U+FF5E) is mapped to ASCII and
 * letters are lower-cased (ASCII and Latin-1); punctuation, symbols and whitespace
 * (ASCII, Latin-1, general and CJK punctuation) separate words and are removed. Legal
 * forms at the end are removed, repeatedly, as long as something precedes them:
 * the whole words inc, incorporated, corp, corporation, co, company, ltd, limited, llc,
 * plc, gmbh, ag, sa, sarl, bv, nv, srl, spa, oy, ab, as, pty, pte, kk (dotted spellings
 * such as "S.A." and "S.p.A." count as one word), and the Chinese endings 股份有限公司,
 * 有限责任公司, 集团有限公司, 有限公司, 集团, 公司, 控股 (and the traditional forms
 * 有限責任公司, 集團有限公司, 集團), which need no space before them. So "Acme Co., Ltd."
 * and "ACME" both give "acme", "腾讯控股有限公司" gives "腾讯", but "Limited" alone stays
 * "limited". The input is read up to DUPKEY_MAX_INPUT bytes. Returns owned (arena) key,
 * never NULL; "" when the name holds no letter or digit. */
const char *dupkey_name(struct arena *a, struct rp_str name);

/* Similarity of two name keys (borrowed, NUL-terminated, as from dupkey_name) in 0..100:
 * 100 when they are equal; otherwise the Dice coefficient of their multisets of code
 * point bigrams, rounded and capped at 99 so that only equal keys score 100. When either
 * key has a single code point the answer is 100 or 0 by equality. An empty or NULL key
 * carries no name and scores 0 against anything, itself included. Keys are read up to
 * DUPKEY_MAX_INPUT bytes. */
int dupkey_similarity(const char *a, const char *b);

#endif
