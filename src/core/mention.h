/* Mentions: the `@username` words of a text (a note's description), for notifying
 * the people named. Pure functions: no database, no allocation, no state.
 *
 * A mention is '@' at the start of the text or after a byte that cannot be part of a
 * username (so "ann@example.com" mentions nobody), followed by the characters
 * usernames are made of (a-z 0-9 . _ - @, upper case read as lower case), without the
 * dots that end a sentence ("thanks @ann." mentions ann). Usernames are at least
 * 2 and at most MENTION_MAX_NAME characters; longer runs are no mention. */
#ifndef RP_MENTION_H
#define RP_MENTION_H

#include "core/common.h"

/* Longest username a mention names (the users entity's limit). */
#define MENTION_MAX_NAME 64
/* Most distinct mentions read from one text: a note naming more people is a list,
 * not a call for their attention, and the rest are ignored. */
#define MENTION_MAX 16

struct mention {
    char name[MENTION_MAX_NAME + 1]; /* lower case, NUL-terminated */
};

/* The distinct mentions of text, in order of first appearance, into out (room for
 * MENTION_MAX); returns how many. */
size_t mention_parse(struct rp_str text, struct mention *out);
/* Whether the mentions of text include name (lower case). */
bool mention_has(struct rp_str text, const char *name);

#endif
