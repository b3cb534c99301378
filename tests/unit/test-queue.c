/*
 * Tests for the plain intrusive lists of queue.h: QLIST, QSLIST (with its
 * lock-free push and grab), QSIMPLEQ and QTAILQ.
 * Corresponds to the list macros of QEMU's include/qemu/queue.h.
 */
#include "qcore/osdep.h"
#include "qcore/queue.h"
#include "qcore/rcu-queue.h"
#include "qcore/thread.h"

typedef struct Item {
    int key;
    QLIST_ENTRY(Item) l;
    QSLIST_ENTRY(Item) sl;
    QSIMPLEQ_ENTRY(Item) sq;
    QTAILQ_ENTRY(Item) tq;
} Item;

#define N_ITEMS 5

static Item items[N_ITEMS];

static void items_init(void)
{
    memset(items, 0, sizeof(items));
    for (int i = 0; i < N_ITEMS; i++) {
        items[i].key = 'a' + i;
    }
}

/* The keys of a list, in traversal order, as a string. */
#define KEYS(var, foreach, head, field) ({                              \
    GString *_s = g_string_new(NULL);                                   \
    foreach(var, head, field) {                                         \
        g_string_append_c(_s, (var)->key);                              \
    }                                                                   \
    g_string_free(_s, false);                                           \
})

#define ASSERT_KEYS(foreach, head, field, expect) do {                  \
    Item *_it;                                                          \
    g_autofree char *_k = KEYS(_it, foreach, head, field);              \
    g_assert_cmpstr(_k, ==, expect);                                    \
} while (0)

static void test_qlist_insert_and_remove(void)
{
    QLIST_HEAD(, Item) head = QLIST_HEAD_INITIALIZER(head);

    items_init();
    g_assert_true(QLIST_EMPTY(&head));
    QLIST_INSERT_HEAD(&head, &items[2], l);                   /* c */
    QLIST_INSERT_HEAD(&head, &items[0], l);                   /* ac */
    QLIST_INSERT_AFTER(&items[0], &items[1], l);              /* abc */
    QLIST_INSERT_AFTER(&items[2], &items[4], l);              /* abce */
    QLIST_INSERT_BEFORE(&items[4], &items[3], l);             /* abcde */
    ASSERT_KEYS(QLIST_FOREACH, &head, l, "abcde");
    g_assert_true(QLIST_FIRST(&head) == &items[0]);
    g_assert_true(QLIST_NEXT(&items[3], l) == &items[4]);

    QLIST_REMOVE(&items[0], l);                               /* first */
    QLIST_REMOVE(&items[2], l);                               /* middle */
    QLIST_REMOVE(&items[4], l);                               /* last */
    ASSERT_KEYS(QLIST_FOREACH, &head, l, "bd");
    g_assert_false(QLIST_IS_INSERTED(&items[0], l));
    g_assert_true(QLIST_IS_INSERTED(&items[1], l));
    /* A no-op on an element that is not in a list. */
    QLIST_SAFE_REMOVE(&items[0], l);
    QLIST_SAFE_REMOVE(&items[1], l);
    ASSERT_KEYS(QLIST_FOREACH, &head, l, "d");
}

static void test_qlist_foreach_safe_allows_removing_current(void)
{
    QLIST_HEAD(, Item) head = QLIST_HEAD_INITIALIZER(head);
    Item *it, *next;

    items_init();
    for (int i = N_ITEMS - 1; i >= 0; i--) {
        QLIST_INSERT_HEAD(&head, &items[i], l);
    }
    QLIST_FOREACH_SAFE(it, &head, l, next) {
        if (it->key != 'c') {
            QLIST_REMOVE(it, l);
            /* Poison the links: a non-SAFE walk would follow them. */
            it->l.le_next = (Item *)(uintptr_t)0x1;
        }
    }
    ASSERT_KEYS(QLIST_FOREACH, &head, l, "c");
}

static void test_qslist_insert_and_remove(void)
{
    QSLIST_HEAD(, Item) head = QSLIST_HEAD_INITIALIZER(head);
    Item *it, *next;

    items_init();
    QSLIST_INSERT_HEAD(&head, &items[2], sl);
    QSLIST_INSERT_HEAD(&head, &items[0], sl);
    QSLIST_INSERT_AFTER(&items[0], &items[1], sl);
    QSLIST_INSERT_AFTER(&items[2], &items[3], sl);
    ASSERT_KEYS(QSLIST_FOREACH, &head, sl, "abcd");

    QSLIST_REMOVE(&head, &items[2], Item, sl);
    QSLIST_REMOVE(&head, &items[0], Item, sl);
    QSLIST_REMOVE(&head, &items[3], Item, sl);
    ASSERT_KEYS(QSLIST_FOREACH, &head, sl, "b");
    QSLIST_REMOVE_HEAD(&head, sl);
    g_assert_true(QSLIST_EMPTY(&head));

    for (int i = 0; i < N_ITEMS; i++) {
        QSLIST_INSERT_HEAD(&head, &items[i], sl);
    }
    QSLIST_FOREACH_SAFE(it, &head, sl, next) {
        QSLIST_REMOVE(&head, it, Item, sl);
    }
    g_assert_true(QSLIST_EMPTY(&head));
}

/* ---- QSLIST lock-free push from many threads, grab from one --------- */

#define PUSHERS          4
#define PUSHES_EACH      20000

typedef struct Pushed {
    int thread, seq;
    QSLIST_ENTRY(Pushed) next;
} Pushed;

static QSLIST_HEAD(, Pushed) push_head = QSLIST_HEAD_INITIALIZER(push_head);
static int pushers_done;

static void *pusher_fn(void *opaque)
{
    int t = GPOINTER_TO_INT(opaque);

    for (int i = 0; i < PUSHES_EACH; i++) {
        Pushed *p = g_new(Pushed, 1);

        p->thread = t;
        p->seq = i;
        QSLIST_INSERT_HEAD_ATOMIC(&push_head, p, next);
    }
    qatomic_inc(&pushers_done);
    return NULL;
}

/*
 * Take the whole list, maybe while pushes go on.  Each thread's items must
 * come newest first and be newer than anything an earlier grab returned;
 * with the total count, that proves each push arrives exactly once.
 */
static unsigned grab(int newest_seen[PUSHERS])
{
    QSLIST_HEAD(, Pushed) taken;
    Pushed *p, *tmp;
    int prev[PUSHERS], newest[PUSHERS];
    unsigned n = 0;

    QSLIST_MOVE_ATOMIC(&taken, &push_head);
    for (int i = 0; i < PUSHERS; i++) {
        prev[i] = newest[i] = INT_MAX;
    }
    QSLIST_FOREACH_SAFE(p, &taken, next, tmp) {
        g_assert_cmpint(p->seq, <, prev[p->thread]);
        g_assert_cmpint(p->seq, >, newest_seen[p->thread]);
        if (newest[p->thread] == INT_MAX) {
            newest[p->thread] = p->seq;
        }
        prev[p->thread] = p->seq;
        g_free(p);
        n++;
    }
    for (int i = 0; i < PUSHERS; i++) {
        if (newest[i] != INT_MAX) {
            newest_seen[i] = newest[i];
        }
    }
    return n;
}

static void test_qslist_atomic_push_and_move_from_threads(void)
{
    QemuThread threads[PUSHERS];
    int newest_seen[PUSHERS];
    unsigned total = 0;

    for (int i = 0; i < PUSHERS; i++) {
        newest_seen[i] = -1;
        qemu_thread_create(&threads[i], "pusher", pusher_fn,
                           GINT_TO_POINTER(i), QEMU_THREAD_JOINABLE);
    }
    while (qatomic_read(&pushers_done) < PUSHERS) {
        total += grab(newest_seen);
    }
    for (int i = 0; i < PUSHERS; i++) {
        qemu_thread_join(&threads[i]);
    }
    total += grab(newest_seen);
    g_assert_cmpuint(total, ==, PUSHERS * PUSHES_EACH);
    g_assert_true(QSLIST_EMPTY(&push_head));
}

/* ---- QSIMPLEQ ------------------------------------------------------- */

static void test_qsimpleq_keeps_fifo_order(void)
{
    QSIMPLEQ_HEAD(, Item) head = QSIMPLEQ_HEAD_INITIALIZER(head);
    Item *it, *next;

    items_init();
    for (int i = 1; i < N_ITEMS; i++) {
        QSIMPLEQ_INSERT_TAIL(&head, &items[i], sq);
    }
    QSIMPLEQ_INSERT_HEAD(&head, &items[0], sq);
    ASSERT_KEYS(QSIMPLEQ_FOREACH, &head, sq, "abcde");

    QSIMPLEQ_REMOVE_HEAD(&head, sq);
    QSIMPLEQ_REMOVE(&head, &items[2], Item, sq);
    /* Removing the tail must move the tail pointer back... */
    QSIMPLEQ_REMOVE(&head, &items[4], Item, sq);
    ASSERT_KEYS(QSIMPLEQ_FOREACH, &head, sq, "bd");
    /* ...so that a later tail insert lands after the new last element. */
    QSIMPLEQ_INSERT_TAIL(&head, &items[0], sq);
    ASSERT_KEYS(QSIMPLEQ_FOREACH, &head, sq, "bda");

    QSIMPLEQ_FOREACH_SAFE(it, &head, sq, next) {
        QSIMPLEQ_REMOVE(&head, it, Item, sq);
    }
    g_assert_true(QSIMPLEQ_EMPTY(&head));
    /* Emptied by removal, the queue must accept tail inserts again. */
    QSIMPLEQ_INSERT_TAIL(&head, &items[3], sq);
    QSIMPLEQ_INSERT_TAIL(&head, &items[1], sq);
    ASSERT_KEYS(QSIMPLEQ_FOREACH, &head, sq, "db");
    g_assert_true(QSIMPLEQ_FIRST(&head) == &items[3]);
    g_assert_true(QSIMPLEQ_NEXT(&items[3], sq) == &items[1]);
}

/* ---- QTAILQ --------------------------------------------------------- */

static void test_qtailq_insert_remove_reverse_last(void)
{
    QTAILQ_HEAD(, Item) head = QTAILQ_HEAD_INITIALIZER(head);
    Item *it, *next;

    items_init();
    g_assert_true(QTAILQ_EMPTY(&head));
    g_assert_null(QTAILQ_LAST(&head));

    QTAILQ_INSERT_TAIL(&head, &items[2], tq);                     /* c */
    QTAILQ_INSERT_HEAD(&head, &items[0], tq);                     /* ac */
    QTAILQ_INSERT_AFTER(&head, &items[0], &items[1], tq);         /* abc */
    QTAILQ_INSERT_AFTER(&head, &items[2], &items[4], tq);         /* abce */
    QTAILQ_INSERT_BEFORE(&items[4], &items[3], tq);               /* abcde */
    ASSERT_KEYS(QTAILQ_FOREACH, &head, tq, "abcde");
    g_assert_true(QTAILQ_LAST(&head) == &items[4]);
    g_assert_true(QTAILQ_PREV(&items[1], tq) == &items[0]);
    g_assert_null(QTAILQ_PREV(&items[0], tq));
    {
        GString *s = g_string_new(NULL);

        QTAILQ_FOREACH_REVERSE(it, &head, tq) {
            g_string_append_c(s, it->key);
        }
        g_assert_cmpstr(s->str, ==, "edcba");
        g_string_free(s, true);
    }

    QTAILQ_REMOVE(&head, &items[4], tq);                          /* last */
    g_assert_true(QTAILQ_LAST(&head) == &items[3]);
    g_assert_false(QTAILQ_IN_USE(&items[4], tq));
    QTAILQ_REMOVE(&head, &items[0], tq);                          /* first */
    QTAILQ_REMOVE(&head, &items[2], tq);                          /* middle */
    ASSERT_KEYS(QTAILQ_FOREACH, &head, tq, "bd");
    QTAILQ_INSERT_TAIL(&head, &items[4], tq);
    ASSERT_KEYS(QTAILQ_FOREACH, &head, tq, "bde");

    QTAILQ_FOREACH_SAFE(it, &head, tq, next) {
        QTAILQ_REMOVE(&head, it, tq);
    }
    g_assert_true(QTAILQ_EMPTY(&head));
    g_assert_null(QTAILQ_LAST(&head));
    QTAILQ_INSERT_TAIL(&head, &items[1], tq);
    g_assert_true(QTAILQ_LAST(&head) == &items[1]);
    g_assert_true(QTAILQ_FIRST(&head) == &items[1]);
}

/*
 * QEMU's QSLIST_INSERT_AFTER_RCU takes the head first (four arguments),
 * like the QSIMPLEQ and QTAILQ versions; code written for QEMU compiles.
 */
static void test_qslist_insert_after_rcu_takes_qemu_arguments(void)
{
    QSLIST_HEAD(, Item) head = QSLIST_HEAD_INITIALIZER(head);

    items_init();
    QSLIST_INSERT_HEAD_RCU(&head, &items[0], sl);                 /* a */
    QSLIST_INSERT_AFTER_RCU(&head, &items[0], &items[2], sl);     /* ac */
    QSLIST_INSERT_AFTER_RCU(&head, &items[0], &items[1], sl);     /* abc */
    QSLIST_INSERT_AFTER_RCU(&head, &items[2], &items[3], sl);     /* abcd */
    ASSERT_KEYS(QSLIST_FOREACH_RCU, &head, sl, "abcd");
    g_assert_null(QSLIST_NEXT_RCU(&items[3], sl));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/queue/qlist/insert-and-remove",
                    test_qlist_insert_and_remove);
    g_test_add_func("/queue/qlist/foreach-safe-allows-removing-current",
                    test_qlist_foreach_safe_allows_removing_current);
    g_test_add_func("/queue/qslist/insert-and-remove",
                    test_qslist_insert_and_remove);
    g_test_add_func("/queue/qslist/atomic-push-and-move-from-threads",
                    test_qslist_atomic_push_and_move_from_threads);
    g_test_add_func("/queue/qslist/insert-after-rcu-takes-qemu-arguments",
                    test_qslist_insert_after_rcu_takes_qemu_arguments);
    g_test_add_func("/queue/qsimpleq/keeps-fifo-order",
                    test_qsimpleq_keeps_fifo_order);
    g_test_add_func("/queue/qtailq/insert-remove-reverse-last",
                    test_qtailq_insert_remove_reverse_last);
    return g_test_run();
}
