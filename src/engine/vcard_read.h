/* Reading vCards (2.1, 3.0 and RFC 6350's 4.0) for an import: a push parser fed the
 * file's bytes in any chunks, handing out each card's person as text slots. It
 * unfolds lines (CRLF or LF followed by a space or tab), takes groups ("item1.EMAIL"),
 * parameters (quoted values, 2.1's bare types "TEL;CELL"), 2.1's QUOTED-PRINTABLE with
 * its soft line breaks and CHARSET=… (any iconv knows: GBK, Big5, ISO-8859-1 …),
 * unescapes \, \; \n \\, and reads any number of cards per file. A card nested in
 * another (2.1's AGENT) is skipped; photos and other binary values are read through
 * and dropped.
 *
 * A card the parser cannot read well (a CHARSET iconv does not know, bytes not valid
 * UTF-8, a value past RP_MAX_VCARD_LINE, no END:VCARD before the file ends) still
 * comes out, with `error` set (in the language vcf_init was given): the import reports
 * it on the card's line. */
#ifndef RP_ENGINE_VCARD_READ_H
#define RP_ENGINE_VCARD_READ_H

#include "core/arena.h"
#include "core/buf.h"
#include "core/msg.h"

/* What a card says about a person; each slot the first value of its kind. */
enum vcf_slot {
    VCF_FAMILY,   /* N's family name; from FN when N is missing (李小明 → 李 / 小明) */
    VCF_GIVEN,    /* N's given name */
    VCF_PREFIX,   /* N's honorific prefix (Mr., Dr.) */
    VCF_FN,       /* FN, the formatted name */
    VCF_ORG,      /* ORG's organisation name */
    VCF_DEPT,     /* ORG's first unit */
    VCF_TITLE,
    VCF_EMAIL,    /* the first EMAIL (a preferred one first) */
    VCF_EMAIL2,   /* the second */
    VCF_TEL_CELL, /* TEL by TYPE: cell (mobile, iphone) */
    VCF_TEL_WORK, /* work, voice, or no type */
    VCF_TEL_HOME,
    VCF_TEL_FAX,
    VCF_TEL_OTHER, /* a further one, or a pager */
    VCF_STREET,   /* ADR's street address (with its extended address) */
    VCF_CITY,
    VCF_REGION,
    VCF_POSTCODE,
    VCF_COUNTRY,
    VCF_NOTE,
    VCF_BDAY,     /* YYYY-MM-DD; a birthday without a year is left out */
    VCF_URL,
    VCF_NSLOTS
};

/* One card. Borrowed until the callback returns. */
struct vcf_card {
    int64_t line;                  /* the line of its BEGIN:VCARD */
    struct rp_str v[VCF_NSLOTS];   /* UTF-8; len 0 when absent */
    const char *error;             /* why the card is not whole, or NULL */
};

typedef enum rp_err (*vcf_card_fn)(void *cls, const struct vcf_card *card);

struct vcf {
    vcf_card_fn fn;            /* private, all of it */
    void *cls;
    enum rp_lang lang;         /* of the cards' errors */
    enum rp_err err;           /* sticky: the callback's error */
    struct rp_buf phys;        /* the physical line being read */
    bool phys_big;
    struct rp_buf logical;     /* the property line being unfolded */
    bool logical_big;
    int64_t logical_line;
    int64_t line;              /* physical lines read */
    bool have_logical;
    bool in_card;
    int depth;                 /* cards nested in the one being read */
    struct arena card_a;
    struct vcf_card card;
    int slot_pref[VCF_NSLOTS]; /* whether a slot's value was marked preferred */
};

/* borrows cls; fn is called once per card; the cards' errors are written in lang. */
void vcf_init(struct vcf *v, enum rp_lang lang, vcf_card_fn fn, void *cls);
void vcf_release(struct vcf *v);
/* Feeds bytes; returns the callback's error, if it gave one (then stop feeding). */
enum rp_err vcf_feed(struct vcf *v, const char *p, size_t n);
/* The end of the input: the last line, and a card left open (with its error). */
enum rp_err vcf_finish(struct vcf *v);

/* ---- pieces, exposed for unit tests ---- */

/* Splits a formatted name into family and given names (slices of fn): family name
 * first when it is Chinese (李小明, 欧阳修, "王 芳"), the last word otherwise. */
void vcf_split_name(struct rp_str fn, struct rp_str *family, struct rp_str *given);

#endif
