/* Unit tests for engine/purge.c: which fields of which entities refer to a purged
 * record (meta_refers_to: references to it, lists of its ids, references to a record of
 * any entity only where their type field may name it), and an id list written back
 * without the purged id in the stored form. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../src/engine/purge.c"

static const char *const TYPES[] = {"accounts", "contacts", NULL};
static const struct field_def NOTE_FIELDS[] = {
    {.name = "account_id", .type = FT_REF, .ref_entity = "accounts"},
    {.name = "contact_ids", .type = FT_MULTI_REF, .ref_entity = "contacts"},
    {.name = "related_type", .type = FT_ENUM, .enum_values = TYPES},
    {.name = "related_id", .type = FT_STRING, .ref_type_field = "related_type"},
    {.name = "stage", .type = FT_ENUM, .ref_entity = "stages"},
    {.name = "title", .type = FT_STRING},
};
static const struct entity_def NOTES = {.name = "notes", .fields = NOTE_FIELDS,
                                        .nfields = RP_NELEM(NOTE_FIELDS)};
static const struct entity_def ACCOUNTS = {.name = "accounts"};
static const struct entity_def CONTACTS = {.name = "contacts"};
static const struct entity_def TEAMS = {.name = "teams"};
static const struct entity_def STAGES = {.name = "stages"};

static void test_refers_to(void **state)
{
    (void)state;
    const struct field_def *f = NOTE_FIELDS;
    /* account_id: accounts only. */
    assert_true(meta_refers_to(&NOTES, &f[0], &ACCOUNTS));
    assert_false(meta_refers_to(&NOTES, &f[0], &CONTACTS));
    /* A list of contact ids. */
    assert_true(meta_refers_to(&NOTES, &f[1], &CONTACTS));
    assert_false(meta_refers_to(&NOTES, &f[1], &ACCOUNTS));
    /* related_id: whatever its type may name, and nothing else (a filter on a type it
     * cannot hold is refused by the list). */
    assert_true(meta_refers_to(&NOTES, &f[3], &ACCOUNTS));
    assert_true(meta_refers_to(&NOTES, &f[3], &CONTACTS));
    assert_false(meta_refers_to(&NOTES, &f[3], &TEAMS));
    /* A dynamic enum holds a stage's key, not its id; the type field and a text field
     * refer to nothing. */
    assert_false(meta_refers_to(&NOTES, &f[4], &STAGES));
    assert_false(meta_refers_to(&NOTES, &f[2], &ACCOUNTS));
    assert_false(meta_refers_to(&NOTES, &f[5], &ACCOUNTS));
}

#define A "0190a000-0000-7000-8000-00000000000a"
#define B "0190a000-0000-7000-8000-00000000000b"
#define C "0190a000-0000-7000-8000-00000000000c"

static const char *without(struct rec_ctx *ctx, const char *list, const char *id)
{
    struct rec_value v = {false, 0, list, strlen(list)};
    return list_without(ctx, &v, id);
}

static void test_list_without(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    struct rec_ctx ctx = {.a = &a};
    assert_string_equal(without(&ctx, "[\"" A "\",\"" B "\",\"" C "\"]", B),
                        "[\"" A "\",\"" C "\"]");
    assert_string_equal(without(&ctx, "[\"" A "\",\"" B "\"]", A), "[\"" B "\"]");
    assert_string_equal(without(&ctx, "[\"" A "\",\"" B "\"]", B), "[\"" A "\"]");
    assert_string_equal(without(&ctx, "[\"" A "\"]", A), "[]");
    assert_string_equal(without(&ctx, "[]", A), "[]");
    /* Every occurrence goes; a list without it is written back the same. */
    assert_string_equal(without(&ctx, "[\"" A "\",\"" A "\"]", A), "[]");
    assert_string_equal(without(&ctx, "[\"" B "\",\"" C "\"]", A), "[\"" B "\",\"" C "\"]");
    arena_release(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refers_to),
        cmocka_unit_test(test_list_without),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
