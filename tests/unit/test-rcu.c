/*
 * Tests for RCU: read-side nesting and guards, grace periods, call_rcu and
 * drain_call_rcu, and torture tests for pointers and the rcu-queue.h lists.
 * Corresponds to QEMU's tests/unit/rcutorture.c and test-rcu-list.c.
 *
 * Freed objects are poisoned first, so a use after free shows up as a bad
 * magic value, and under ASan as a report; under TSan, a missing
 * happens-before between a reader and the free is reported as a race.
 */
#include "qcore/osdep.h"
#include "qcore/rcu.h"
#include "qcore/rcu-queue.h"
#include "qcore/thread.h"
#include <sched.h>

#define OBJ_MAGIC   0x600dcafeu
#define OBJ_POISON  0xdeadbeefu

typedef struct Obj {
    struct rcu_head rcu;        /* first: call_rcu and g_free_rcu need it */
    unsigned magic;
} Obj;

static Obj *obj_new(void)
{
    Obj *o = g_new0(Obj, 1);

    o->magic = OBJ_MAGIC;
    return o;
}

static void obj_reclaim(Obj *o)
{
    g_assert_cmphex(o->magic, ==, OBJ_MAGIC);
    o->magic = OBJ_POISON;
    g_free(o);
}

/* ---- one reader parked inside a critical section -------------------- */

/*
 * The reader enters @nesting levels, reads *slot, leaves all but the
 * outermost level, and then stays until a writer is blocked on it.  If
 * the writer finishes instead (RCU is broken), the reader fails.
 */
typedef struct HeldReader {
    QemuThread thread;
    QemuSemaphore inside;
    int nesting;
    Obj **slot;
    bool writer_done;       /* set by the writer side when its wait ends */
    bool left;              /* set just before the outermost unlock */
} HeldReader;

static void *held_reader_fn(void *opaque)
{
    HeldReader *h = opaque;
    Obj *obj;

    rcu_register_thread();
    for (int i = 0; i < h->nesting; i++) {
        rcu_read_lock();
    }
    obj = qatomic_rcu_read(h->slot);
    for (int i = 1; i < h->nesting; i++) {
        rcu_read_unlock();
    }
    qemu_sem_post(&h->inside);

    /* rcu_reader.waiting: a writer found us in an old critical section. */
    while (!qatomic_read(&rcu_reader.waiting) &&
           !qatomic_read(&h->writer_done)) {
        sched_yield();
    }
    g_assert_false(qatomic_read(&h->writer_done));
    g_assert_cmphex(obj->magic, ==, OBJ_MAGIC);
    qatomic_set(&h->left, true);
    rcu_read_unlock();
    rcu_unregister_thread();
    return NULL;
}

static void held_reader_start(HeldReader *h, int nesting, Obj **slot)
{
    *h = (HeldReader) { .nesting = nesting, .slot = slot };
    qemu_sem_init(&h->inside, 0);
    qemu_thread_create(&h->thread, "held-reader", held_reader_fn, h,
                       QEMU_THREAD_JOINABLE);
    qemu_sem_wait(&h->inside);
}

static void held_reader_join(HeldReader *h)
{
    qemu_thread_join(&h->thread);
    qemu_sem_destroy(&h->inside);
}

/* Replace *slot, wait a grace period, check the reader left first. */
static void synchronize_waits_for_reader(int nesting)
{
    Obj *slot = obj_new(), *old = slot;
    HeldReader h;

    held_reader_start(&h, nesting, &slot);
    qatomic_rcu_set(&slot, obj_new());
    synchronize_rcu();
    qatomic_set(&h.writer_done, true);
    g_assert_true(qatomic_read(&h.left));
    obj_reclaim(old);
    held_reader_join(&h);
    g_free(slot);
}

static void test_synchronize_waits_for_reader_in_section(void)
{
    synchronize_waits_for_reader(1);
}

static void test_read_lock_nests_until_outermost_unlock(void)
{
    synchronize_waits_for_reader(3);
}

static void test_guards_unlock_at_end_of_scope(void)
{
    g_assert_cmpuint(rcu_reader.depth, ==, 0);
    {
        RCU_READ_LOCK_GUARD();
        g_assert_cmpuint(rcu_reader.depth, ==, 1);
        WITH_RCU_READ_LOCK_GUARD() {
            g_assert_cmpuint(rcu_reader.depth, ==, 2);
        }
        g_assert_cmpuint(rcu_reader.depth, ==, 1);
    }
    g_assert_cmpuint(rcu_reader.depth, ==, 0);
    for (int i = 0; i < 3; i++) {
        WITH_RCU_READ_LOCK_GUARD() {
            if (i == 1) {
                break;
            }
        }
    }
    g_assert_cmpuint(rcu_reader.depth, ==, 0);
}

/* ---- readers outside a critical section ----------------------------- */

typedef struct IdleReader {
    QemuSemaphore ready;
    QemuEvent release;
} IdleReader;

static void *idle_reader_fn(void *opaque)
{
    IdleReader *r = opaque;

    rcu_register_thread();
    rcu_read_lock();
    rcu_read_unlock();
    qemu_sem_post(&r->ready);
    qemu_event_wait(&r->release);
    rcu_unregister_thread();
    return NULL;
}

static void test_synchronize_ignores_readers_outside_sections(void)
{
    IdleReader r;
    QemuThread threads[3];

    qemu_sem_init(&r.ready, 0);
    qemu_event_init(&r.release, false);
    for (int i = 0; i < 3; i++) {
        qemu_thread_create(&threads[i], "idle-reader", idle_reader_fn, &r,
                           QEMU_THREAD_JOINABLE);
    }
    for (int i = 0; i < 3; i++) {
        qemu_sem_wait(&r.ready);
    }
    /* Would never return if it waited for the parked readers. */
    synchronize_rcu();
    synchronize_rcu();
    qemu_event_set(&r.release);
    for (int i = 0; i < 3; i++) {
        qemu_thread_join(&threads[i]);
    }
    qemu_event_destroy(&r.release);
    qemu_sem_destroy(&r.ready);
}

/* ---- call_rcu, g_free_rcu, drain_call_rcu --------------------------- */

static HeldReader *cb_reader;

static void reclaim_and_mark_cb(Obj *o)
{
    obj_reclaim(o);
    qatomic_set(&cb_reader->writer_done, true);
}

static void test_call_rcu_runs_after_grace_period(void)
{
    Obj *slot = obj_new(), *old = slot;
    HeldReader h;

    held_reader_start(&h, 1, &slot);
    cb_reader = &h;
    qatomic_rcu_set(&slot, obj_new());
    call_rcu(old, reclaim_and_mark_cb, rcu);
    drain_call_rcu();
    g_assert_true(qatomic_read(&h.writer_done));
    g_assert_true(qatomic_read(&h.left));
    held_reader_join(&h);
    g_free(slot);
}

static void mark_done_cb(struct rcu_head *head)
{
    qatomic_set(&cb_reader->writer_done, true);
}

static void test_g_free_rcu_frees_after_grace_period(void)
{
    Obj *slot = obj_new(), *old = slot;
    struct rcu_head marker;
    HeldReader h;

    held_reader_start(&h, 1, &slot);
    cb_reader = &h;
    qatomic_rcu_set(&slot, obj_new());
    g_free_rcu(old, rcu);
    /* Callbacks run in order: once this one ran, old has been freed. */
    call_rcu1(&marker, mark_done_cb);
    drain_call_rcu();
    g_assert_true(qatomic_read(&h.left));
    held_reader_join(&h);
    g_free(slot);
}

typedef struct Seq {
    struct rcu_head rcu;
    int n;
} Seq;

static int seq_log[100];
static int seq_count;
static unsigned cb_total;

static void seq_cb(Seq *s)
{
    seq_log[seq_count++] = s->n;
    g_free(s);
}

static void test_call_rcu_runs_in_order_and_drain_waits(void)
{
    seq_count = 0;
    for (int i = 0; i < 100; i++) {
        Seq *s = g_new0(Seq, 1);

        s->n = i;
        call_rcu(s, seq_cb, rcu);
    }
    drain_call_rcu();
    g_assert_cmpint(seq_count, ==, 100);
    for (int i = 0; i < 100; i++) {
        g_assert_cmpint(seq_log[i], ==, i);
    }
}

static void count_cb(struct rcu_head *head)
{
    qatomic_inc(&cb_total);
    g_free(head);
}

static void *queue_callbacks_fn(void *opaque)
{
    for (int i = 0; i < 1000; i++) {
        call_rcu1(g_new0(struct rcu_head, 1), count_cb);
    }
    return NULL;
}

static void test_drain_covers_callbacks_from_other_threads(void)
{
    QemuThread threads[4];

    qatomic_set(&cb_total, 0);
    for (int i = 0; i < 4; i++) {
        qemu_thread_create(&threads[i], "queuer", queue_callbacks_fn, NULL,
                           QEMU_THREAD_JOINABLE);
    }
    for (int i = 0; i < 4; i++) {
        qemu_thread_join(&threads[i]);
    }
    drain_call_rcu();
    g_assert_cmpuint(qatomic_read(&cb_total), ==, 4000);
}

/* ---- pointer torture ------------------------------------------------ */

#define TORTURE_READERS       4
#define TORTURE_WRITERS       2
#define TORTURE_READER_ITERS  200000
#define TORTURE_WRITER_ITERS  4000

static Obj *torture_ptr;

static void torture_reclaim_cb(Obj *o)
{
    obj_reclaim(o);
}

static void *torture_reader_fn(void *opaque)
{
    rcu_register_thread();
    for (int i = 0; i < TORTURE_READER_ITERS; i++) {
        Obj *p;

        rcu_read_lock();
        p = qatomic_rcu_read(&torture_ptr);
        g_assert_cmphex(p->magic, ==, OBJ_MAGIC);
        if (i % 64 == 0) {
            /* Get preempted holding p: the window a broken RCU frees in. */
            sched_yield();
        }
        if (i % 8 == 0) {
            /* A nested section must not end the outer one. */
            WITH_RCU_READ_LOCK_GUARD() {
                Obj *q = qatomic_rcu_read(&torture_ptr);
                g_assert_cmphex(q->magic, ==, OBJ_MAGIC);
            }
        }
        g_assert_cmphex(p->magic, ==, OBJ_MAGIC);
        rcu_read_unlock();
    }
    rcu_unregister_thread();
    return NULL;
}

static void *torture_writer_fn(void *opaque)
{
    for (int i = 0; i < TORTURE_WRITER_ITERS; i++) {
        Obj *old = qatomic_xchg(&torture_ptr, obj_new());

        if (i % 4 == 0) {
            synchronize_rcu();
            obj_reclaim(old);
        } else {
            call_rcu(old, torture_reclaim_cb, rcu);
        }
    }
    return NULL;
}

static void test_torture_pointer_replace(void)
{
    QemuThread readers[TORTURE_READERS], writers[TORTURE_WRITERS];

    torture_ptr = obj_new();
    for (int i = 0; i < TORTURE_READERS; i++) {
        qemu_thread_create(&readers[i], "torture-reader", torture_reader_fn,
                           NULL, QEMU_THREAD_JOINABLE);
    }
    for (int i = 0; i < TORTURE_WRITERS; i++) {
        qemu_thread_create(&writers[i], "torture-writer", torture_writer_fn,
                           NULL, QEMU_THREAD_JOINABLE);
    }
    for (int i = 0; i < TORTURE_WRITERS; i++) {
        qemu_thread_join(&writers[i]);
    }
    for (int i = 0; i < TORTURE_READERS; i++) {
        qemu_thread_join(&readers[i]);
    }
    drain_call_rcu();
    obj_reclaim(torture_ptr);
    torture_ptr = NULL;
}

/* ---- list torture, one list family at a time ------------------------ */

#define LIST_MAX           32
#define LIST_WRITER_ITERS  3000
#define LIST_READER_ITERS  20000

typedef struct Node {
    struct rcu_head rcu;
    unsigned magic;
    int key;
    QLIST_ENTRY(Node) l;
    QSLIST_ENTRY(Node) sl;
    QSIMPLEQ_ENTRY(Node) sq;
    QTAILQ_ENTRY(Node) tq;
} Node;

static QLIST_HEAD(, Node) t_qlist;
static QSLIST_HEAD(, Node) t_qslist;
static QSIMPLEQ_HEAD(, Node) t_qsimpleq;
static QTAILQ_HEAD(, Node) t_qtailq;

/* Writer-side operations on one family; @at is a member or NULL. */
typedef struct ListOps {
    void (*insert)(Node *n, Node *at, unsigned how);
    void (*remove)(Node *n);
    unsigned (*traverse)(void);             /* reader side */
    void (*check)(unsigned len);            /* writer side: links agree */
} ListOps;

/* Reader side: check a node, and linger on the fourth one for a while. */
static void node_visit(Node *n, unsigned *count)
{
    g_assert_cmphex(n->magic, ==, OBJ_MAGIC);
    if (++*count == 4) {
        sched_yield();
        g_assert_cmphex(n->magic, ==, OBJ_MAGIC);
    }
}

static void node_reclaim_cb(Node *n)
{
    g_assert_cmphex(n->magic, ==, OBJ_MAGIC);
    n->magic = OBJ_POISON;
    g_free(n);
}

static void qlist_insert(Node *n, Node *at, unsigned how)
{
    if (!at || how % 3 == 0) {
        QLIST_INSERT_HEAD_RCU(&t_qlist, n, l);
    } else if (how % 3 == 1) {
        QLIST_INSERT_AFTER_RCU(at, n, l);
    } else {
        QLIST_INSERT_BEFORE_RCU(at, n, l);
    }
}
static void qlist_remove(Node *n) { QLIST_REMOVE_RCU(n, l); }
static unsigned qlist_traverse(void)
{
    unsigned c = 0;
    Node *n;

    QLIST_FOREACH_RCU(n, &t_qlist, l) {
        node_visit(n, &c);
    }
    return c;
}
static void qlist_check(unsigned len)
{
    unsigned c = 0;
    Node *n;

    QLIST_FOREACH(n, &t_qlist, l) {
        g_assert_true(*n->l.le_prev == n);
        c++;
    }
    g_assert_cmpuint(c, ==, len);
    g_assert_true(QLIST_EMPTY_RCU(&t_qlist) == (len == 0));
}

static void qslist_insert(Node *n, Node *at, unsigned how)
{
    if (!at || how % 2 == 0) {
        QSLIST_INSERT_HEAD_RCU(&t_qslist, n, sl);
    } else {
        QSLIST_INSERT_AFTER_RCU(&t_qslist, at, n, sl);
    }
}
static void qslist_remove(Node *n) { QSLIST_REMOVE_RCU(&t_qslist, n, Node, sl); }
static unsigned qslist_traverse(void)
{
    unsigned c = 0;
    Node *n;

    QSLIST_FOREACH_RCU(n, &t_qslist, sl) {
        node_visit(n, &c);
    }
    return c;
}
static void qslist_check(unsigned len)
{
    unsigned c = 0;
    Node *n;

    QSLIST_FOREACH(n, &t_qslist, sl) {
        c++;
    }
    g_assert_cmpuint(c, ==, len);
    g_assert_true(QSLIST_EMPTY_RCU(&t_qslist) == (len == 0));
}

static void qsimpleq_insert(Node *n, Node *at, unsigned how)
{
    if (!at || how % 3 == 0) {
        QSIMPLEQ_INSERT_HEAD_RCU(&t_qsimpleq, n, sq);
    } else if (how % 3 == 1) {
        QSIMPLEQ_INSERT_TAIL_RCU(&t_qsimpleq, n, sq);
    } else {
        QSIMPLEQ_INSERT_AFTER_RCU(&t_qsimpleq, at, n, sq);
    }
}
static void qsimpleq_remove(Node *n)
{
    QSIMPLEQ_REMOVE_RCU(&t_qsimpleq, n, Node, sq);
}
static unsigned qsimpleq_traverse(void)
{
    unsigned c = 0;
    Node *n;

    QSIMPLEQ_FOREACH_RCU(n, &t_qsimpleq, sq) {
        node_visit(n, &c);
    }
    return c;
}
static void qsimpleq_check(unsigned len)
{
    Node **last = &t_qsimpleq.sqh_first;
    unsigned c = 0;
    Node *n;

    QSIMPLEQ_FOREACH(n, &t_qsimpleq, sq) {
        last = &n->sq.sqe_next;
        c++;
    }
    g_assert_cmpuint(c, ==, len);
    g_assert_true(t_qsimpleq.sqh_last == last);
    g_assert_true(QSIMPLEQ_EMPTY_RCU(&t_qsimpleq) == (len == 0));
}

static void qtailq_insert(Node *n, Node *at, unsigned how)
{
    if (!at || how % 4 == 0) {
        QTAILQ_INSERT_HEAD_RCU(&t_qtailq, n, tq);
    } else if (how % 4 == 1) {
        QTAILQ_INSERT_TAIL_RCU(&t_qtailq, n, tq);
    } else if (how % 4 == 2) {
        QTAILQ_INSERT_AFTER_RCU(&t_qtailq, at, n, tq);
    } else {
        QTAILQ_INSERT_BEFORE_RCU(at, n, tq);
    }
}
static void qtailq_remove(Node *n) { QTAILQ_REMOVE_RCU(&t_qtailq, n, tq); }
static unsigned qtailq_traverse(void)
{
    unsigned c = 0;
    Node *n;

    QTAILQ_FOREACH_RCU(n, &t_qtailq, tq) {
        node_visit(n, &c);
    }
    return c;
}
static void qtailq_check(unsigned len)
{
    unsigned c = 0;
    Node *n;

    QTAILQ_FOREACH_REVERSE(n, &t_qtailq, tq) {
        c++;
    }
    g_assert_cmpuint(c, ==, len);
    g_assert_true(QTAILQ_EMPTY_RCU(&t_qtailq) == (len == 0));
}

static const ListOps qlist_ops = {
    qlist_insert, qlist_remove, qlist_traverse, qlist_check };
static const ListOps qslist_ops = {
    qslist_insert, qslist_remove, qslist_traverse, qslist_check };
static const ListOps qsimpleq_ops = {
    qsimpleq_insert, qsimpleq_remove, qsimpleq_traverse, qsimpleq_check };
static const ListOps qtailq_ops = {
    qtailq_insert, qtailq_remove, qtailq_traverse, qtailq_check };

/* Writers' bookkeeping, under lt_lock: what is in the list right now. */
static const ListOps *lt_ops;
static QemuMutex lt_lock;
static Node *lt_members[LIST_MAX];
static unsigned lt_len;

static void *list_writer_fn(void *opaque)
{
    GRand *rand = g_rand_new_with_seed(GPOINTER_TO_UINT(opaque));

    for (int i = 0; i < LIST_WRITER_ITERS; i++) {
        QEMU_LOCK_GUARD(&lt_lock);
        if (lt_len == 0 || (lt_len < LIST_MAX && g_rand_boolean(rand))) {
            Node *n = g_new0(Node, 1);
            Node *at = lt_len ? lt_members[g_rand_int_range(rand, 0, lt_len)]
                              : NULL;

            n->magic = OBJ_MAGIC;
            lt_ops->insert(n, at, g_rand_int(rand));
            lt_members[lt_len++] = n;
        } else {
            unsigned idx = g_rand_int_range(rand, 0, lt_len);
            Node *n = lt_members[idx];

            lt_members[idx] = lt_members[--lt_len];
            lt_ops->remove(n);
            call_rcu(n, node_reclaim_cb, rcu);
        }
        lt_ops->check(lt_len);
    }
    g_rand_free(rand);
    return NULL;
}

static void *list_reader_fn(void *opaque)
{
    rcu_register_thread();
    for (int i = 0; i < LIST_READER_ITERS; i++) {
        WITH_RCU_READ_LOCK_GUARD() {
            /* Every node ever allocated, at most: more means a cycle. */
            g_assert_cmpuint(lt_ops->traverse(), <=,
                             TORTURE_WRITERS * LIST_WRITER_ITERS);
        }
    }
    rcu_unregister_thread();
    return NULL;
}

static void run_list_torture(const ListOps *ops)
{
    QemuThread readers[TORTURE_READERS], writers[TORTURE_WRITERS];
    Node *n, *next;

    QLIST_INIT(&t_qlist);
    QSLIST_INIT(&t_qslist);
    QSIMPLEQ_INIT(&t_qsimpleq);
    QTAILQ_INIT(&t_qtailq);
    qemu_mutex_init(&lt_lock);
    lt_ops = ops;
    lt_len = 0;

    for (int i = 0; i < TORTURE_READERS; i++) {
        qemu_thread_create(&readers[i], "list-reader", list_reader_fn, NULL,
                           QEMU_THREAD_JOINABLE);
    }
    for (int i = 0; i < TORTURE_WRITERS; i++) {
        qemu_thread_create(&writers[i], "list-writer", list_writer_fn,
                           GUINT_TO_POINTER(i + 1), QEMU_THREAD_JOINABLE);
    }
    for (int i = 0; i < TORTURE_WRITERS; i++) {
        qemu_thread_join(&writers[i]);
    }
    for (int i = 0; i < TORTURE_READERS; i++) {
        qemu_thread_join(&readers[i]);
    }

    /* The writer's way to empty a list: SAFE, since n goes away. */
    QLIST_FOREACH_SAFE_RCU(n, &t_qlist, l, next) {
        QLIST_REMOVE_RCU(n, l);
        call_rcu(n, node_reclaim_cb, rcu);
    }
    QSLIST_FOREACH_SAFE_RCU(n, &t_qslist, sl, next) {
        QSLIST_REMOVE_HEAD_RCU(&t_qslist, sl);
        call_rcu(n, node_reclaim_cb, rcu);
    }
    QSIMPLEQ_FOREACH_SAFE_RCU(n, &t_qsimpleq, sq, next) {
        QSIMPLEQ_REMOVE_HEAD_RCU(&t_qsimpleq, sq);
        call_rcu(n, node_reclaim_cb, rcu);
    }
    QTAILQ_FOREACH_SAFE_RCU(n, &t_qtailq, tq, next) {
        QTAILQ_REMOVE_RCU(&t_qtailq, n, tq);
        call_rcu(n, node_reclaim_cb, rcu);
    }
    ops->check(0);
    drain_call_rcu();
    qemu_mutex_destroy(&lt_lock);
}

static void test_torture_qlist(void)    { run_list_torture(&qlist_ops); }
static void test_torture_qslist(void)   { run_list_torture(&qslist_ops); }
static void test_torture_qsimpleq(void) { run_list_torture(&qsimpleq_ops); }
static void test_torture_qtailq(void)   { run_list_torture(&qtailq_ops); }

/* ---- list macros, single-threaded: the resulting order -------------- */

static void check_order(const ListOps *ops, const char *expect)
{
    GString *s = g_string_new(NULL);
    Node *n;

    /* Walk with the reader macros, which is what readers will see. */
    RCU_READ_LOCK_GUARD();
    if (ops == &qlist_ops) {
        QLIST_FOREACH_RCU(n, &t_qlist, l) {
            g_string_append_c(s, n->key);
        }
    } else if (ops == &qslist_ops) {
        QSLIST_FOREACH_RCU(n, &t_qslist, sl) {
            g_string_append_c(s, n->key);
        }
    } else if (ops == &qsimpleq_ops) {
        QSIMPLEQ_FOREACH_RCU(n, &t_qsimpleq, sq) {
            g_string_append_c(s, n->key);
        }
    } else {
        QTAILQ_FOREACH_RCU(n, &t_qtailq, tq) {
            g_string_append_c(s, n->key);
        }
    }
    g_assert_cmpstr(s->str, ==, expect);
    g_string_free(s, true);
}

static void test_list_macros_keep_order(void)
{
    static const struct {
        const ListOps *ops;
        unsigned how_head, how_after, how_other;
        const char *after_inserts;      /* c at head, b after c, a ... */
        const char *after_remove;       /* ... then b removed */
    } cases[] = {
        { &qlist_ops,    0, 1, 2, "acb", "ac" },   /* other: before c */
        { &qslist_ops,   0, 1, 0, "acb", "ac" },   /* other: head */
        { &qsimpleq_ops, 0, 2, 1, "cba", "ca" },   /* other: tail */
        { &qtailq_ops,   0, 2, 3, "acb", "ac" },   /* other: before c */
    };

    QLIST_INIT(&t_qlist);
    QSLIST_INIT(&t_qslist);
    QSIMPLEQ_INIT(&t_qsimpleq);
    QTAILQ_INIT(&t_qtailq);
    for (int i = 0; i < G_N_ELEMENTS(cases); i++) {
        const ListOps *ops = cases[i].ops;
        Node *a = g_new0(Node, 1), *b = g_new0(Node, 1), *c = g_new0(Node, 1);

        a->key = 'a', b->key = 'b', c->key = 'c';
        a->magic = b->magic = c->magic = OBJ_MAGIC;
        ops->insert(c, NULL, cases[i].how_head);
        ops->insert(b, c, cases[i].how_after);
        ops->insert(a, c, cases[i].how_other);
        ops->check(3);
        check_order(ops, cases[i].after_inserts);
        ops->remove(b);
        ops->check(2);
        check_order(ops, cases[i].after_remove);
        ops->remove(a);
        ops->remove(c);
        ops->check(0);
        g_free_rcu(a, rcu);
        g_free_rcu(b, rcu);
        g_free_rcu(c, rcu);
    }
    drain_call_rcu();
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/rcu/read-lock/nests-until-outermost-unlock",
                    test_read_lock_nests_until_outermost_unlock);
    g_test_add_func("/rcu/read-lock/guards-unlock-at-end-of-scope",
                    test_guards_unlock_at_end_of_scope);
    g_test_add_func("/rcu/synchronize/waits-for-reader-in-section",
                    test_synchronize_waits_for_reader_in_section);
    g_test_add_func("/rcu/synchronize/ignores-readers-outside-sections",
                    test_synchronize_ignores_readers_outside_sections);
    g_test_add_func("/rcu/call-rcu/runs-after-grace-period",
                    test_call_rcu_runs_after_grace_period);
    g_test_add_func("/rcu/call-rcu/runs-in-order-and-drain-waits",
                    test_call_rcu_runs_in_order_and_drain_waits);
    g_test_add_func("/rcu/call-rcu/drain-covers-other-threads",
                    test_drain_covers_callbacks_from_other_threads);
    g_test_add_func("/rcu/g-free-rcu/frees-after-grace-period",
                    test_g_free_rcu_frees_after_grace_period);
    g_test_add_func("/rcu/list/macros-keep-order",
                    test_list_macros_keep_order);
    g_test_add_func("/rcu/torture/pointer-replace",
                    test_torture_pointer_replace);
    g_test_add_func("/rcu/torture/qlist", test_torture_qlist);
    g_test_add_func("/rcu/torture/qslist", test_torture_qslist);
    g_test_add_func("/rcu/torture/qsimpleq", test_torture_qsimpleq);
    g_test_add_func("/rcu/torture/qtailq", test_torture_qtailq);
    return g_test_run();
}
