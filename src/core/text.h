/* Checked parsing and formatting of numbers, money, dates and times, UTF-8
 * validation and base64url. Every parser takes a borrowed slice, rejects overflow and
 * trailing junk, and returns RP_EINVAL for anything it does not accept. */
#ifndef RP_TEXT_H
#define RP_TEXT_H

#include "core/arena.h"
#include "core/common.h"

/* Decimal integer with optional leading '-'. */
enum rp_err text_parse_i64(struct rp_str s, int64_t *out);
/* A decimal amount with at most `scale` fraction digits ("12", "-0.5", "1234.56"),
 * returned in minor units (scale 2: "0.10" -> 10). No exponent, no grouping. */
enum rp_err text_parse_money(struct rp_str s, int scale, int64_t *out);
/* Writes minor units as a decimal with `scale` fraction digits into buf (>= 32 bytes). */
void text_format_money(int64_t minor, int scale, char *buf, size_t size);

/* Milliseconds since the Unix epoch, UTC. */
int64_t text_now_ms(void);
/* For tests only: text_now_ms answers now_ms() instead of the system clock (NULL: the
 * system clock again), e.g. a clock that moves on at every reading, which makes a
 * second reading within one change show. Set while no other thread reads the clock. */
void text_set_clock(int64_t (*now_ms)(void));
/* Microseconds of a clock that never jumps (CLOCK_MONOTONIC): for durations and
 * deadlines, not for dates. */
int64_t text_monotonic_us(void);
/* The same clock read cheaply (6 ns here, against 30), in steps of the kernel's tick
 * (4 ms here): for deadlines checked often. */
int64_t text_coarse_us(void);
/* "YYYY-MM-DD" (a real calendar date). */
enum rp_err text_parse_date(struct rp_str s, int64_t *days_out);
/* RFC 3339 date-time with Z or a numeric offset, optional fraction; normalised to UTC
 * milliseconds since the epoch, which must fall in the years 0001 to 9999 UTC. A bare
 * date is not accepted here. */
enum rp_err text_parse_datetime(struct rp_str s, int64_t *ms_out);
/* Formats UTC milliseconds as "YYYY-MM-DDTHH:MM:SS.mmmZ" (24 chars + NUL; buf >= 32). */
void text_format_datetime(int64_t ms, char *buf, size_t size);
/* Formats days since the epoch as "YYYY-MM-DD" (buf >= 16). */
void text_format_date(int64_t days, char *buf, size_t size);

/* True when s is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF) and
 * contains no NUL byte. */
bool text_utf8_valid(struct rp_str s);
/* Reads the code point at text[*i] (i < len) and advances *i past it. A malformed or
 * cut sequence yields U+FFFD and advances one byte, so a stray byte never hides its
 * neighbours and nothing past len is read. */
uint32_t text_utf8_next(const char *text, size_t len, size_t *i);
/* Number of code points in valid UTF-8. */
size_t text_utf8_len(struct rp_str s);
/* Whether s holds a CJK ideograph (Han: the unified ideographs, extension A and the
 * compatibility block): a Chinese, Japanese or Korean name written in characters. */
bool text_has_cjk(struct rp_str s);
/* A person's full name, returns owned by a: family name first without a space when
 * either part has CJK ideographs (李 + 小明 → 李小明), else "First Last"; an empty
 * part is left out. */
const char *text_person_name(struct arena *a, struct rp_str first, struct rp_str last);

/* base64url without padding. `out` must hold text_b64_enclen(n) + 1 bytes. */
size_t text_b64_enclen(size_t n);
void text_b64_encode(const unsigned char *in, size_t n, char *out);
/* Decodes into out (capacity cap); RP_EINVAL on bad characters or length. */
enum rp_err text_b64_decode(struct rp_str s, unsigned char *out, size_t cap, size_t *outlen);

/* Hex-encodes n bytes into out (2n + 1 bytes). */
void text_hex(const unsigned char *in, size_t n, char *out);
/* The n/2 bytes of n hex digits (either case) into out; RP_EINVAL on a non-digit. */
enum rp_err text_unhex(const char *in, size_t n, unsigned char *out);

#endif
