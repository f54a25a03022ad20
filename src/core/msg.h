/* Messages people read, in their language (gettext's habit, without gettext): the
 * English text of a message — a printf format when it has arguments — is its id, and
 * a catalogue maps it to Simplified Chinese. The place that formats a message (the
 * engine's rec_field_error and friends, the API's problem writer) looks the format up
 * in the caller's language first, so arguments land in the translated sentence.
 *
 * Catalogues live with the code whose messages they hold: src/engine/msg_zh.c,
 * src/api/msg_zh.c, and each module's src/mod/<m>/msg_zh.c (named by its descriptor).
 * tests/unit/test_msg.c scans src/ for the messages and fails on one without a
 * translation, on a translation whose conversion specifiers differ, and on entries
 * nothing uses. docs/internals.md ("Messages") describes the rules. */
#ifndef RP_MSG_H
#define RP_MSG_H

#include "core/common.h"

/* The languages messages are written in. English is the default: an API client that
 * says nothing gets English. */
enum rp_lang {
    RP_LANG_EN = 0,
    RP_LANG_ZH, /* Simplified Chinese */
};

/* One message: the English text (its id) and its Chinese translation, which carries
 * exactly the same conversion specifiers in the same order. */
struct msg {
    const char *en;
    const char *zh;
};

/* A catalogue: a layer's or module's messages. */
struct msg_catalog {
    const struct msg *m;
    size_t n;
};

/* Marks a literal as a message that is translated where it is finally formatted (a
 * message chosen before the call that formats it): the catalogue check finds it. */
#define MSG(s) (s)

/* Catalogues held at most (one per layer and module). */
#define MSG_MAX_CATALOGS 32

/* The language of an Accept-Language header (RFC 9110 §12.5.4; NULL: none): the
 * supported language the client weighs highest (q-values; ties go to the first
 * listed), where zh, zh-CN and zh-Hans… are Simplified Chinese and every other tag
 * counts as English. A malformed header, or one naming no supported language, is
 * English. */
enum rp_lang msg_lang_parse(const char *accept_language);
/* Adds a catalogue (borrowed for the process's lifetime; a second add of the same one
 * is ignored). Call before threads start. Asserts that every translation has its
 * English text's conversion specifiers. */
void msg_add(const struct msg_catalog *c);
/* The text of message `en` in `lang`: its translation, or `en` itself in English or
 * when no catalogue has it. */
const char *msg_tr(enum rp_lang lang, const char *en) __attribute__((format_arg(2)));
/* Whether two formats take the same arguments: the same conversion specifiers (flags,
 * width, precision, length and conversion; %% aside) in the same order. */
bool msg_same_specs(const char *a, const char *b);

#endif
