/* Phone numbers as keys: what people type ("138-5526-0424", "+86 138 5526 0424",
 * "0086 13855260424", "(415) 555-0100 x12", "０２０－１２３４５６７８转８") read into the
 * number's E.164 digits, so that every spelling of one number gives one key. Pure
 * functions over a fixed table of countries: no database, no allocation, no state.
 *
 * What is read:
 *  - separators between digits: spaces (also U+00A0 and U+3000), '-', '.', '/', the
 *    dashes U+2010..U+2015 and U+2212, parentheses; full-width digits and signs
 *    (U+FF01..U+FF5E: "１３８", "＋", "（") as their ASCII forms;
 *  - a label before the number when it ends with ':' ("tel:", "Mobile:", "电话：");
 *  - international forms: a leading '+', the prefix "00", and "011" when the home
 *    country is in the North American plan. The country code is read off the digits
 *    (calling codes are prefix-free); a "(0)" after it and, for countries whose
 *    national numbers start with a trunk '0', a stray '0' after it are dropped
 *    ("+44 (0)20 7946 0958", "+86 010 …");
 *  - national forms, in the home country's plan (phone_country):
 *      China: 11-digit mobiles 1[3-9]xxxxxxxxx; landlines with the trunk '0' and an
 *      area code ("010-12345678", "0755 1234 5678"), 9 to 11 digits after the '0';
 *      400/800 service numbers (10 digits); "86" written in front without '+'.
 *      North America: 10 digits whose area code and exchange start with 2-9, with
 *      or without a leading '1'.
 *      Trunk countries (most of Europe, Japan, Korea, Taiwan, Australia, …): the
 *      national form starts with one '0', dropped; its length is checked.
 *      Open countries (Italy, Spain, Hong Kong, Singapore, the Nordics, …): the
 *      digits as written, of the country's length.
 *      Any country: its calling code written in front without '+' or "00".
 *  - an extension after the number: "ext", "ext.", "extension", "x", "#", "转",
 *    "分机", ";ext=" followed by up to PHONE_MAX_EXT digits. It is kept aside and is
 *    not part of the key.
 *  - anything after the number (and extension) once a space, '(' , ',' or ';' parts
 *    it from the digits: a note ("(mobile)", "（手机）") or a second number.
 * Everything else is not a phone number: no digits, too few or too many, a national
 * number that fits none of the home country's forms (a local number without its area
 * code), letters glued to the digits, a country code starting with '0'. */
#ifndef RP_PHONE_H
#define RP_PHONE_H

#include "core/common.h"

/* Longest input read, in bytes: a phone value is a few dozen bytes; more is pasted
 * text, never one number. */
#define PHONE_MAX_INPUT 1024u
/* ITU-T E.164: at most 15 digits, country code included. */
#define PHONE_MAX_DIGITS 15u
/* Fewest digits after the country code of a number in a country not in the table:
 * shorter ones are short codes or fragments, not something to call back. */
#define PHONE_MIN_NSN 6u
/* Longest extension kept: PBX extensions are a few digits; more is a second number. */
#define PHONE_MAX_EXT 10u

/* How a country writes its numbers nationally. */
enum phone_plan {
    PHONE_PLAN_CN,    /* China: mobiles, trunk '0' + area code, 400/800 */
    PHONE_PLAN_NANP,  /* the North American Numbering Plan: 10 digits, optional '1' */
    PHONE_PLAN_TRUNK, /* national numbers start with a trunk '0' that E.164 drops */
    PHONE_PLAN_OPEN,  /* no trunk prefix: the national digits are the number */
};

struct phone_country {
    const char *iso;      /* ISO 3166-1 alpha-2, upper case: "CN" */
    const char *cc;       /* calling code digits: "86" */
    enum phone_plan plan;
    /* Length of the national significant number (after the trunk prefix, without the
     * country code), both included. */
    unsigned min_nsn, max_nsn;
};

/* A number read by phone_parse. */
struct phone_number {
    char key[PHONE_MAX_DIGITS + 1]; /* E.164 digits without '+': "8613855260424" */
    char ext[PHONE_MAX_EXT + 1];    /* the extension's digits; "" when none */
    size_t cc_len;                  /* how many leading digits of key are the country code */
    /* The input held the number (and extension) and nothing else: no label, no note
     * after it, no second number. A search box's text is read as a number when exact. */
    bool exact;
};

/* The country whose ISO 3166-1 alpha-2 code is iso (either case), or NULL when it is not
 * in the table. */
const struct phone_country *phone_country(const char *iso);
/* Every country of the table, in order (China first, the default). */
const struct phone_country *phone_countries(size_t *n);

/* Reads `in` (borrowed; UTF-8, stray bytes tolerated) as a phone number of someone in
 * `home` (borrowed; NULL: only international forms are read) into *out. RP_EINVAL, with
 * *out cleared, when it is not a phone number (see above), or when the input is longer
 * than PHONE_MAX_INPUT. */
enum rp_err phone_parse(struct rp_str in, const struct phone_country *home,
                        struct phone_number *out);

#endif
