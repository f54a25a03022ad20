/* Unit tests for core/arena: alignment, big allocations, cleanups, strings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/arena.h"

#define ALIGNMENT _Alignof(max_align_t)

static void check_aligned(const void *p)
{
    assert_non_null(p);
    assert_int_equal((uintptr_t)p % ALIGNMENT, 0);
}

static void test_grow(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    size_t cap = 0, n = 0;
    int *v = NULL;
    for (int i = 0; i < 1000; i++) {
        if (n == cap)
            v = arena_grow(&a, v, &cap, sizeof(*v));
        v[n++] = i;
    }
    assert_true(cap >= 1000);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(v[i], i);
    /* The new part is zeroed. */
    assert_int_equal(cap, 1024);
    for (size_t i = n; i < cap; i++)
        assert_int_equal(v[i], 0);
    arena_release(&a);
}

static void test_alignment(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    for (size_t n = 0; n < 300; n++) {
        void *p = arena_alloc(&a, n % 97);
        check_aligned(p);
        memset(p, 0xAB, n % 97); /* the whole allocation is writable */
    }
    /* Every alignment-sensitive type can live there. */
    long double *ld = arena_alloc(&a, sizeof(*ld));
    *ld = 1.5L;
    char *c = arena_alloc(&a, 1);
    *c = 'x';
    int64_t *i = arena_alloc(&a, sizeof(*i));
    check_aligned(i);
    *i = INT64_MIN;
    assert_true(*ld == 1.5L);
    assert_int_equal(*c, 'x');
    assert_true(*i == INT64_MIN);
    arena_release(&a);
}

static void test_no_overlap(void **state)
{
    (void)state;
    /* Allocations spanning several blocks never overlap: each keeps its own pattern. */
    struct arena a;
    arena_init(&a);
    enum { N = 2000 };
    unsigned char *ptrs[N];
    size_t sizes[N];
    for (size_t i = 0; i < N; i++) {
        sizes[i] = 1 + i * 37 % 200;
        ptrs[i] = arena_alloc(&a, sizes[i]);
        memset(ptrs[i], (int)(i & 0xFF), sizes[i]);
    }
    for (size_t i = 0; i < N; i++)
        for (size_t k = 0; k < sizes[i]; k++)
            if (ptrs[i][k] != (unsigned char)(i & 0xFF))
                fail_msg("allocation %zu was overwritten at byte %zu", i, k);
    assert_true(a.total >= N * 1u); /* several blocks were obtained */
    assert_true(a.total > RP_ARENA_BLOCK);
    arena_release(&a);
    assert_int_equal(a.total, 0);
    assert_null(a.head);
}

static void test_zero_size(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    void *p = arena_alloc(&a, 0);
    assert_non_null(p);
    void *q = arena_calloc(&a, 0, 16);
    assert_non_null(q);
    void *r = arena_calloc(&a, 16, 0);
    assert_non_null(r);
    arena_release(&a);
}

static void test_big_allocations(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    char *small = arena_alloc(&a, 10);
    memcpy(small, "small one", 10);
    size_t after_small = a.total;
    assert_int_equal(after_small, RP_ARENA_BLOCK);

    /* Bigger than a block: its own block of exactly that size. */
    size_t big_n = RP_ARENA_BLOCK * 4 + 3;
    char *big = arena_alloc(&a, big_n);
    check_aligned(big);
    memset(big, 'B', big_n);
    assert_true(a.total >= after_small + big_n);
    assert_true(a.total < after_small + big_n + ALIGNMENT * 2);
    size_t after_big = a.total;

    /* The current block's free space is still used for small allocations. */
    char *small2 = arena_alloc(&a, 100);
    memset(small2, 's', 100);
    assert_int_equal(a.total, after_big);

    /* Just over half a block still goes in the current block while it fits... */
    char *half = arena_alloc(&a, RP_ARENA_BLOCK / 2 + 1);
    memset(half, 'H', RP_ARENA_BLOCK / 2 + 1);
    assert_int_equal(a.total, after_big);
    /* ...and when it does not, it gets a block of its own of about its size, */
    char *half2 = arena_alloc(&a, RP_ARENA_BLOCK / 2 + 1);
    memset(half2, 'h', RP_ARENA_BLOCK / 2 + 1);
    assert_true(a.total > after_big);
    assert_true(a.total < after_big + RP_ARENA_BLOCK / 2 + 1 + ALIGNMENT * 2);
    size_t after_half2 = a.total;
    /* ...leaving the current block's remaining space in use. */
    char *small3 = arena_alloc(&a, 64);
    memset(small3, '3', 64);
    assert_int_equal(a.total, after_half2);
    assert_int_equal(half[RP_ARENA_BLOCK / 2], 'H');

    /* A very large allocation. */
    size_t huge_n = 8u << 20;
    unsigned char *huge = arena_alloc(&a, huge_n);
    check_aligned(huge);
    memset(huge, 0x5A, huge_n);

    assert_string_equal(small, "small one");
    for (size_t i = 0; i < big_n; i++)
        if (big[i] != 'B')
            fail_msg("big allocation overwritten at %zu", i);
    assert_int_equal(huge[0], 0x5A);
    assert_int_equal(huge[huge_n - 1], 0x5A);
    arena_release(&a);
    assert_int_equal(a.total, 0);

    /* A big allocation into an empty arena. */
    char *first = arena_alloc(&a, RP_ARENA_BLOCK * 2);
    memset(first, 1, RP_ARENA_BLOCK * 2);
    char *next = arena_alloc(&a, 16);
    memset(next, 2, 16);
    assert_int_equal(first[RP_ARENA_BLOCK * 2 - 1], 1);
    arena_release(&a);
}

static void test_calloc_zeroes(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    /* Fill the first block with garbage-looking data so zeroing is observable. */
    unsigned char *junk = arena_alloc(&a, 1000);
    memset(junk, 0xEE, 1000);
    int64_t *v = arena_calloc(&a, 100, sizeof(*v));
    check_aligned(v);
    for (size_t i = 0; i < 100; i++)
        assert_true(v[i] == 0);
    unsigned char *bigz = arena_calloc(&a, RP_ARENA_BLOCK, 3);
    for (size_t i = 0; i < (size_t)RP_ARENA_BLOCK * 3; i++)
        if (bigz[i] != 0)
            fail_msg("calloc byte %zu is %u", i, bigz[i]);
    arena_release(&a);
}

static void test_strings(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    /* strndup copies exactly n bytes from a source that need not be terminated. */
    const char src[5] = {'h', 'e', 'l', 'l', 'o'};
    char *s = arena_strndup(&a, src, 5);
    assert_string_equal(s, "hello");
    assert_ptr_not_equal(s, src);
    char *part = arena_strndup(&a, "hello world", 5);
    assert_string_equal(part, "hello");
    char *empty = arena_strndup(&a, NULL, 0);
    assert_string_equal(empty, "");
    char *dup = arena_strdup(&a, "客户 and more");
    assert_string_equal(dup, "客户 and more");
    char *bin = arena_strndup(&a, "a\0b", 3);
    assert_memory_equal(bin, "a\0b\0", 4);

    char *p = arena_printf(&a, "%s=%d;%05.2f", "x", 42, 3.14159);
    assert_string_equal(p, "x=42;03.14");
    char *e = arena_printf(&a, "%s", "");
    assert_string_equal(e, "");
    /* Output bigger than a block. */
    char *wide = arena_printf(&a, "%*s|", (int)RP_ARENA_BLOCK * 2, "end");
    assert_int_equal(strlen(wide), RP_ARENA_BLOCK * 2 + 1);
    assert_string_equal(wide + RP_ARENA_BLOCK * 2 - 3, "end|");
    /* Earlier strings are untouched. */
    assert_string_equal(s, "hello");
    assert_string_equal(p, "x=42;03.14");
    arena_release(&a);
}

/* Cleanups record the order they ran in. */
struct trace {
    int order[2000];
    int n;
};

struct step {
    struct trace *t;
    int id;
};

static void record(void *data)
{
    struct step *s = data;
    s->t->order[s->t->n++] = s->id;
}

static void test_cleanups_reverse_order(void **state)
{
    (void)state;
    struct arena a;
    struct trace t = {.n = 0};
    struct step steps[3] = {{&t, 1}, {&t, 2}, {&t, 3}};
    arena_init(&a);
    arena_on_release(&a, record, &steps[0]);
    (void)arena_alloc(&a, RP_ARENA_BLOCK * 2); /* a big block between registrations */
    arena_on_release(&a, record, &steps[1]);
    (void)arena_strdup(&a, "something");
    arena_on_release(&a, record, &steps[2]);
    assert_int_equal(t.n, 0); /* nothing runs before release */
    arena_release(&a);
    assert_int_equal(t.n, 3);
    assert_int_equal(t.order[0], 3);
    assert_int_equal(t.order[1], 2);
    assert_int_equal(t.order[2], 1);

    /* Released arenas are reusable, and cleanups run once only. */
    arena_release(&a);
    assert_int_equal(t.n, 3);
    struct step again = {&t, 9};
    arena_on_release(&a, record, &again);
    arena_release(&a);
    assert_int_equal(t.n, 4);
    assert_int_equal(t.order[3], 9);
}

static void test_many_cleanups(void **state)
{
    (void)state;
    struct arena a;
    static struct trace t;
    static struct step steps[2000];
    t.n = 0;
    arena_init(&a);
    for (int i = 0; i < 2000; i++) {
        steps[i] = (struct step){&t, i};
        arena_on_release(&a, record, &steps[i]);
        (void)arena_alloc(&a, (size_t)i % 50);
    }
    arena_release(&a);
    assert_int_equal(t.n, 2000);
    for (int i = 0; i < 2000; i++)
        assert_int_equal(t.order[i], 1999 - i);
}

/* A cleanup that frees a resource owned outside the arena. */
static void free_it(void *p)
{
    free(p);
}

static void test_cleanup_frees_resource(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    char *heap = malloc(64);
    assert_non_null(heap);
    memcpy(heap, "heap", 5);
    arena_on_release(&a, free_it, heap);
    arena_release(&a); /* LeakSanitizer fails the run if this did not free */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grow),
        cmocka_unit_test(test_alignment),
        cmocka_unit_test(test_no_overlap),
        cmocka_unit_test(test_zero_size),
        cmocka_unit_test(test_big_allocations),
        cmocka_unit_test(test_calloc_zeroes),
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_cleanups_reverse_order),
        cmocka_unit_test(test_many_cleanups),
        cmocka_unit_test(test_cleanup_frees_resource),
    };
    return cmocka_run_group_tests_name("arena", tests, NULL, NULL);
}
