/*
 * Deep shapes (issue "Never crash", items 1 and 2): long chains of objects are freed, collected,
 * closed and thrown into without the C stack growing with their length.
 *
 * Each shape is built at N objects (default: 1,000,000; 100,000 with ASan and 20,000 under
 * valgrind, to keep their time down: told by CAPI_TESTS_MODE, which tests/c_programs.rs sets),
 * then released, and runs in its own child
 * process (fork), on a thread whose stack is 2 MiB: recursing once per object would need at
 * least 100 bytes a level, so every shape would overflow that stack by far. Before the fix
 * each of them crashed (SIGSEGV) in its deallocator chain, collector pass, close or throw.
 *
 * Shapes: a nested tuple; a traceback of N entries; frames each holding the next in a slot;
 * an exception __context__ chain (CPython 3.10 crashes there too; 3.11 frees it); suspended
 * generators and coroutines each holding the next in a frame slot (every one is closed by its
 * finalizer); built-in functions each the next's `self`; asend awaitables each the next's
 * value; a C type of this program that uses Python.h's Py_TRASHCAN_BEGIN/END; garbage rings of
 * frames, of exceptions (through __context__) and of suspended generators, freed by
 * PyGC_Collect (its tp_clear pass included).
 *
 * Delegation chains (coroutines each awaiting the next, generators each `yield from` the
 * next), CHAIN levels (default 100,000; 20,000 with ASan, 5,000 under valgrind): building one resumes
 * every level at once, so it is built on a thread with a 1 GiB stack and the recursion limit
 * raised; then, with the default limit, on a 2 MiB thread: close() runs every level's
 * GeneratorExit handler, throw() reaches the innermost and unwinds every level, dropping the
 * last reference closes every level from the finalizer, and a send raises RecursionError after
 * 1000 levels (CPython 3.10: close/throw/del of such a chain recurse in C once per level and
 * crash near 100,000 levels; they do not count recursion depth).
 *
 * `test_deep [N [CHAIN]]` overrides the sizes (capi-tests/tests/deep_release.rs runs the release
 * library at N = 1,000,000 and prints the times).
 */
// capi-tests: flags=-lpthread
#define _GNU_SOURCE
#include "harness.h"
#include "native.h"

#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long N = 1000000;
static long CHAIN = 100000;
static int plain_mode = 1;

#define SMALL_STACK ((size_t)2 << 20)
#define BIG_STACK ((size_t)1 << 30)

/* ---- running a shape: child process, thread with a given stack ------------------------- */

struct job {
    void (*fn)(void);
};

static void *job_main(void *arg)
{
    PyGC_Disable();
    ((struct job *)arg)->fn();
    return NULL;
}

static int on_thread(void (*fn)(void), size_t stack)
{
    pthread_attr_t attr;
    pthread_t th;
    struct job job;
    job.fn = fn;
    if (pthread_attr_init(&attr) != 0 || pthread_attr_setstacksize(&attr, stack) != 0 ||
        pthread_create(&th, &attr, job_main, &job) != 0) {
        printf("  cannot start a thread with a %zu-byte stack\n", stack);
        return 0;
    }
    pthread_attr_destroy(&attr);
    pthread_join(th, NULL);
    return 1;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Bytes the C library has handed out (plain runs only: valgrind and ASan have their own). */
static size_t in_use(void)
{
    return mallinfo2().uordblks;
}

/* Runs `build` then `release` (each on a 2 MiB thread unless `build_big`: a 1 GiB one) in a
 * child process; passes when the child exits 0. Prints the time of the release. Automatic
 * collection is off while the shapes are built (the collector's passes over a million young
 * objects are not what is tested here; the garbage rings are collected explicitly). */
static int shape(const char *name, void (*build)(void), int build_big, void (*release)(void),
                 long count)
{
    pid_t pid;
    int status = 0;
    fflush(stdout);
    fflush(stderr);
    pid = fork();
    if (pid == 0) {
        double t0, t1, t2;
        size_t before = in_use();
        harness_test_failures = 0;
        t0 = now_ms();
        if (!on_thread(build, build_big ? BIG_STACK : SMALL_STACK)) {
            exit(2);
        }
        t1 = now_ms();
        if (!on_thread(release, SMALL_STACK)) {
            exit(2);
        }
        t2 = now_ms();
        if (PyErr_Occurred() != NULL) {
            harness_check_no_exc(__FILE__, __LINE__);
        }
        /* Everything went back to the C library (thread caches are released at thread exit;
         * what is left is far below one byte per object). */
        if (plain_mode && in_use() > before + (size_t)count / 2) {
            printf("  %s: %zu bytes still in use after the release (before: %zu)\n", name,
                   in_use(), before);
            harness_test_failures++;
        }
        printf("  %s: %ld, built in %.0f ms, released in %.0f ms\n", name, count, t1 - t0,
               t2 - t1);
        fflush(stdout);
        exit(harness_test_failures == 0 ? 0 : 1);
    }
    if (pid < 0 || waitpid(pid, &status, 0) != pid) {
        printf("  %s: fork/wait failed\n", name);
        return 0;
    }
    if (WIFSIGNALED(status)) {
        printf("  %s: the child was killed by signal %d\n", name, WTERMSIG(status));
        return 0;
    }
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

#define SHAPE(name, build, big, release, count)                                                \
    harness_check(shape((name), (build), (big), (release), (count)), "shape " name,            \
                  __FILE__, __LINE__)

/* What a shape's build leaves for its release. */
static PyObject *held;
static long counter;

/* ---- nested tuple ----------------------------------------------------------------------- */

static void build_tuple(void)
{
    PyObject *t = PyTuple_New(0);
    long i;
    for (i = 0; i < N && t != NULL; i++) {
        PyObject *u = PyTuple_New(1);
        if (u == NULL) {
            Py_CLEAR(t);
            break;
        }
        PyTuple_SET_ITEM(u, 0, t);
        t = u;
    }
    CHECK(t != NULL);
    held = t;
}

static void release_held(void)
{
    Py_CLEAR(held);
    CHECK_NO_EXC();
}

static void test_nested_tuple(void)
{
    SHAPE("nested tuple", build_tuple, 0, release_held, N);
}

/* ---- traceback ------------------------------------------------------------------------ */

static int plain_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    (void)f;
    (void)arg;
    *out = Py_NewRef(Py_None);
    return PYNATIVE_RETURN;
}

static void build_traceback(void)
{
    PyFrameObject *f = native_frame(plain_body, CO_GENERATOR, "tb", 1);
    PyObject *t, *v, *tb;
    long i;
    REQUIRE(f != NULL);
    PyErr_SetString(PyExc_ValueError, "deep");
    for (i = 0; i < N; i++) {
        if (PyTraceBack_Here(f) != 0) {
            break;
        }
    }
    CHECK_EQ_INT(i, N);
    Py_DECREF(f);
    PyErr_Fetch(&t, &v, &tb);
    CHECK(tb != NULL);
    Py_XDECREF(t);
    Py_XDECREF(v);
    held = tb;
}

static void test_traceback(void)
{
    SHAPE("traceback entries", build_traceback, 0, release_held, N);
}

/* ---- frames each holding the next in a slot ------------------------------------------- */

static PyCodeObject *slot_code(void)
{
    return PyNative_NewCode(plain_body, "slot", "test_deep.c", 1, CO_GENERATOR, 1, 0);
}

static void build_frames(void)
{
    PyCodeObject *co = slot_code();
    PyObject *prev = NULL;
    long i;
    REQUIRE(co != NULL);
    for (i = 0; i < N; i++) {
        PyFrameObject *f = PyFrame_New(NULL, co, NULL, NULL);
        if (f == NULL) {
            break;
        }
        f->f_localsplus[0] = prev;
        prev = (PyObject *)f;
    }
    CHECK_EQ_INT(i, N);
    Py_DECREF(co);
    held = prev;
}

static void test_frame_chain(void)
{
    SHAPE("frame slot chain", build_frames, 0, release_held, N);
}

/* ---- exception __context__ chain ------------------------------------------------------- */

static void build_exceptions(void)
{
    PyObject *prev = NULL;
    long i;
    for (i = 0; i < N; i++) {
        PyObject *e = PyObject_CallNoArgs(PyExc_ValueError);
        if (e == NULL) {
            break;
        }
        if (prev != NULL) {
            PyException_SetContext(e, prev);
        }
        prev = e;
    }
    CHECK_EQ_INT(i, N);
    held = prev;
}

static void test_exception_context_chain(void)
{
    SHAPE("exception __context__ chain", build_exceptions, 0, release_held, N);
}

/* ---- suspended generators and coroutines, each holding the next in a slot -------------- */

static int suspended_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    switch (f->f_lasti) {
    case -1:
        if (arg == NULL) {
            return PYNATIVE_ERROR;
        }
        NATIVE_YIELD(f, 1, Py_NewRef(Py_None));
    case 1:
        if (arg == NULL) {
            if (PyErr_ExceptionMatches(PyExc_GeneratorExit)) {
                counter++;
            }
            return PYNATIVE_ERROR;
        }
        *out = Py_NewRef(Py_None);
        return PYNATIVE_RETURN;
    }
    PyErr_SetString(PyExc_SystemError, "bad label");
    return PYNATIVE_ERROR;
}

/* The code objects of the suspended generators and coroutines (one of each, shared). */
static PyCodeObject *susp_code[2];

static PyObject *new_from(PyCodeObject **cache, PyNative_Body body, int flags)
{
    PyFrameObject *f;
    if (*cache == NULL) {
        *cache = PyNative_NewCode(body, "susp", "test_deep.c", 1, flags, 1, 64);
        if (*cache == NULL) {
            return NULL;
        }
    }
    f = PyFrame_New(NULL, *cache, NULL, NULL);
    if (f == NULL) {
        return NULL;
    }
    return flags & CO_COROUTINE ? PyCoro_New(f, NULL, NULL) : PyGen_New(f);
}

/* A started generator (even i) or coroutine (odd i), suspended at its yield. */
static PyObject *suspended(long i)
{
    PyObject *g = new_from(&susp_code[i & 1], suspended_body,
                           (i & 1) ? CO_COROUTINE : CO_GENERATOR);
    PyObject *r = NULL;
    if (g == NULL) {
        return NULL;
    }
    if (PyIter_Send(g, Py_None, &r) != PYGEN_NEXT) {
        Py_XDECREF(r);
        Py_DECREF(g);
        return NULL;
    }
    Py_DECREF(r);
    return g;
}

#define GEN_FRAME(g) (((PyGenObject *)(g))->gi_frame)

static void build_suspended(void)
{
    PyObject *prev = NULL;
    long i;
    counter = 0;
    for (i = 0; i < N; i++) {
        PyObject *g = suspended(i);
        if (g == NULL) {
            break;
        }
        GEN_FRAME(g)->f_localsplus[0] = prev;
        prev = g;
    }
    CHECK_EQ_INT(i, N);
    held = prev;
}

static void release_suspended(void)
{
    Py_CLEAR(susp_code[0]);
    Py_CLEAR(susp_code[1]);
    Py_CLEAR(held);
    CHECK_NO_EXC();
    /* Every one was closed by its finalizer: its GeneratorExit handler ran. */
    CHECK_EQ_INT(counter, N);
}

static void test_suspended_generators(void)
{
    SHAPE("suspended generators/coroutines in slots", build_suspended, 0, release_suspended, N);
}

/* ---- built-in functions, each the next's self ------------------------------------------ */

static PyObject *noargs(PyObject *self, PyObject *unused)
{
    (void)self;
    (void)unused;
    Py_RETURN_NONE;
}

static PyMethodDef noargs_def = {"f", noargs, METH_NOARGS, NULL};

static void build_cfunctions(void)
{
    PyObject *prev = Py_NewRef(Py_None);
    long i;
    for (i = 0; i < N; i++) {
        PyObject *m = PyCFunction_New(&noargs_def, prev);
        Py_DECREF(prev);
        prev = m;
        if (m == NULL) {
            break;
        }
    }
    CHECK_EQ_INT(i, N);
    held = prev;
}

static void test_cfunction_chain(void)
{
    SHAPE("built-in function self chain", build_cfunctions, 0, release_held, N);
}

/* ---- asend awaitables, each the next's value ------------------------------------------- */

static void build_asends(void)
{
    PyObject *agen = native_new(plain_body, CO_ASYNC_GENERATOR, "agen", 1);
    PyObject *prev = Py_NewRef(Py_None), *asend;
    long i;
    REQUIRE(agen != NULL);
    asend = PyObject_GetAttrString(agen, "asend");
    REQUIRE(asend != NULL);
    for (i = 0; i < N; i++) {
        PyObject *a = PyObject_CallOneArg(asend, prev);
        Py_DECREF(prev);
        prev = a;
        if (a == NULL) {
            break;
        }
    }
    CHECK_EQ_INT(i, N);
    Py_DECREF(asend);
    Py_DECREF(agen);
    held = prev;
}

static void test_asend_chain(void)
{
    SHAPE("asend value chain", build_asends, 0, release_held, N);
}

/* ---- a C type of this program with Py_TRASHCAN_BEGIN / Py_TRASHCAN_END ------------------ */

typedef struct {
    PyObject_HEAD
    PyObject *next;
} Link;

static long link_nesting, link_max_nesting, link_freed;

static int link_traverse(PyObject *op, visitproc visit, void *arg)
{
    Py_VISIT(((Link *)op)->next);
    return 0;
}

static int link_clear(PyObject *op)
{
    Py_CLEAR(((Link *)op)->next);
    return 0;
}

static void link_dealloc(PyObject *op)
{
    PyObject_GC_UnTrack(op);
    Py_TRASHCAN_BEGIN(op, link_dealloc)
    link_nesting++;
    if (link_nesting > link_max_nesting) {
        link_max_nesting = link_nesting;
    }
    Py_CLEAR(((Link *)op)->next);
    link_nesting--;
    link_freed++;
    PyObject_GC_Del(op);
    Py_TRASHCAN_END
}

static PyTypeObject Link_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "deep.Link",
    .tp_basicsize = sizeof(Link),
    .tp_dealloc = link_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_traverse = link_traverse,
    .tp_clear = link_clear,
};

static int link_type_ready(void)
{
    return PyType_Ready(&Link_Type);
}

static void build_links(void)
{
    PyObject *prev = NULL;
    long i;
    REQUIRE(link_type_ready() == 0);
    link_nesting = link_max_nesting = link_freed = 0;
    for (i = 0; i < N; i++) {
        Link *l = PyObject_GC_New(Link, &Link_Type);
        if (l == NULL) {
            break;
        }
        l->next = prev;
        PyObject_GC_Track((PyObject *)l);
        prev = (PyObject *)l;
    }
    CHECK_EQ_INT(i, N);
    held = prev;
}

static void release_links(void)
{
    Py_CLEAR(held);
    CHECK_EQ_INT(link_freed, N);
    /* PyTrash_UNWIND_LEVEL (50) nested deallocators, then the rest deferred. */
    CHECK_EQ_INT(link_max_nesting, PyTrash_UNWIND_LEVEL);
    CHECK_EQ_INT(PyThreadState_Get()->trash_delete_nesting, 0);
    CHECK(PyThreadState_Get()->trash_delete_later == NULL);
}

static void test_trashcan_macros(void)
{
    SHAPE("Py_TRASHCAN_BEGIN type chain", build_links, 0, release_links, N);
}

/* ---- garbage rings, freed by the collector ------------------------------------------- */


static void build_frame_ring(void)
{
    PyCodeObject *co = slot_code();
    PyFrameObject *first = NULL, *prev = NULL;
    long i;
    REQUIRE(co != NULL);
    for (i = 0; i < N; i++) {
        PyFrameObject *f = PyFrame_New(NULL, co, NULL, NULL);
        if (f == NULL) {
            break;
        }
        if (prev == NULL) {
            first = f;
        } else {
            prev->f_localsplus[0] = (PyObject *)f;
        }
        prev = f;
    }
    CHECK_EQ_INT(i, N);
    Py_DECREF(co);
    if (prev != NULL) {
        prev->f_localsplus[0] = (PyObject *)first; /* the ring holds the first frame */
    }
}

/* The collector examines the objects of the thread that tracked them: a ring is built and
 * collected on the same thread. */
static void (*ring_builder)(void);
static Py_ssize_t ring_found;

static void nothing(void)
{
}

static void build_and_collect_ring(void)
{
    double t0;
    ring_builder();
    PyGC_Enable();
    t0 = now_ms();
    ring_found = PyGC_Collect();
    printf("  (collected in %.0f ms)\n", now_ms() - t0);
    CHECK_NO_EXC();
}

static void collect_ring(void)
{
    build_and_collect_ring();
    CHECK_EQ_INT(ring_found, N);
}

static void test_frame_ring_collected(void)
{
    ring_builder = build_frame_ring;
    SHAPE("garbage ring of frames (collected)", nothing, 0, collect_ring, N);
}

static void build_exception_ring(void)
{
    PyObject *first = NULL, *prev = NULL;
    long i;
    for (i = 0; i < N; i++) {
        PyObject *e = PyObject_CallNoArgs(PyExc_KeyError);
        if (e == NULL) {
            break;
        }
        if (prev == NULL) {
            first = e;
        } else {
            PyException_SetContext(prev, e); /* steals e: prev holds it */
        }
        prev = e;
    }
    CHECK_EQ_INT(i, N);
    if (prev != NULL) {
        PyException_SetContext(prev, first); /* the ring holds the first one */
    }
}

static void test_exception_ring_collected(void)
{
    ring_builder = build_exception_ring;
    SHAPE("garbage ring of exceptions (collected)", nothing, 0, collect_ring, N);
}

static void build_generator_ring(void)
{
    PyObject *first = NULL, *prev = NULL;
    long i;
    counter = 0;
    for (i = 0; i < N; i++) {
        PyObject *g = suspended(i);
        if (g == NULL) {
            break;
        }
        if (prev == NULL) {
            first = g;
        } else {
            GEN_FRAME(prev)->f_localsplus[0] = g;
        }
        prev = g;
    }
    CHECK_EQ_INT(i, N);
    if (prev != NULL) {
        GEN_FRAME(prev)->f_localsplus[0] = first;
    }
}

static void collect_generators(void)
{
    build_and_collect_ring();
    Py_CLEAR(susp_code[0]);
    Py_CLEAR(susp_code[1]);
    /* The finalizers closed every one (closing one frees the next, which its own finalizer
     * closes as it goes): nothing is left for tp_clear. */
    CHECK_EQ_INT(counter, N);
}

static void test_generator_ring_collected(void)
{
    ring_builder = build_generator_ring;
    SHAPE("garbage ring of suspended generators (collected)", nothing, 0, collect_generators,
          N);
}

/* ---- delegation chains ----------------------------------------------------------------- */

/* Level n (NATIVE_STATE[0], from 1) creates level n + 1 and delegates to it until CHAIN; the
 * innermost yields. Resumed with an exception, a level counts it and re-raises. */
static int chain_flags, chain_status;
static long chain_genexit, chain_errors, chain_starts;

static PyObject *chain_new(long level);

static int chain_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    long *st = NATIVE_STATE(f);
    switch (f->f_lasti) {
    case -1:
        if (arg == NULL) {
            return PYNATIVE_ERROR;
        }
        chain_starts++;
        if (st[0] < CHAIN) {
            PyObject *next = chain_new(st[0] + 1);
            if (next == NULL) {
                return PYNATIVE_ERROR;
            }
            f->f_lasti = 1;
            *out = next;
            return chain_status;
        }
        NATIVE_YIELD(f, 2, Py_NewRef(Py_None));
    case 1:
    case 2:
        if (arg == NULL) {
            if (PyErr_ExceptionMatches(PyExc_GeneratorExit)) {
                chain_genexit++;
            } else {
                chain_errors++;
            }
            return PYNATIVE_ERROR;
        }
        *out = Py_NewRef(Py_None);
        return PYNATIVE_RETURN;
    }
    PyErr_SetString(PyExc_SystemError, "bad label");
    return PYNATIVE_ERROR;
}

static PyCodeObject *chain_code;

static PyObject *chain_new(long level)
{
    PyFrameObject *f;
    if (chain_code == NULL) {
        chain_code = PyNative_NewCode(chain_body, "chain", "test_deep.c", 1, chain_flags, 1, 64);
        if (chain_code == NULL) {
            return NULL;
        }
    }
    f = PyFrame_New(NULL, chain_code, NULL, NULL);
    if (f == NULL) {
        return NULL;
    }
    NATIVE_STATE(f)[0] = level;
    if (chain_flags & CO_COROUTINE) {
        return PyCoro_New(f, NULL, NULL);
    }
    return PyGen_New(f);
}

/* Built on a 1 GiB stack with the recursion limit raised, then the limit is back at 1000. */
static void build_chain(void)
{
    PyObject *top, *r = NULL;
    int limit = Py_GetRecursionLimit();
    chain_genexit = chain_errors = chain_starts = 0;
    Py_SetRecursionLimit((int)CHAIN + 100);
    top = chain_new(1);
    REQUIRE(top != NULL);
    CHECK_EQ_INT(PyIter_Send(top, Py_None, &r), PYGEN_NEXT);
    Py_XDECREF(r);
    Py_SetRecursionLimit(limit);
    CHECK_EQ_INT(chain_starts, CHAIN);
    chain_starts = 0;
    Py_CLEAR(chain_code);
    held = top;
}

static void build_await_chain(void)
{
    chain_flags = CO_COROUTINE;
    chain_status = PYNATIVE_AWAIT;
    build_chain();
}

static void build_yield_from_chain(void)
{
    chain_flags = CO_GENERATOR;
    chain_status = PYNATIVE_YIELD_FROM;
    build_chain();
}

static void close_chain(void)
{
    PyObject *r = call_close(held);
    CHECK_EQ_PTR(r, Py_None);
    Py_XDECREF(r);
    CHECK_EQ_INT(chain_genexit, CHAIN);
    Py_CLEAR(held);
}

static void throw_chain(void)
{
    PyObject *r = call_throw(held, 1, PyExc_KeyError);
    CHECK(r == NULL);
    CHECK_EXC(PyExc_KeyError, NULL);
    CHECK_EQ_INT(chain_errors, CHAIN);
    Py_CLEAR(held);
    CHECK_EQ_INT(chain_genexit, 0);
}

static void drop_chain(void)
{
    Py_CLEAR(held);
    CHECK_NO_EXC();
    CHECK_EQ_INT(chain_genexit, CHAIN);
}

/* Resuming resumes every level: past 1000 of them RecursionError (level 1001 is finished by it
 * without running) and the levels above see it. Level 1001's frame, released there, releases
 * level 1002, whose finalizer closes the levels below: at the limit, where their frames cannot
 * run either, as in CPython 3.10 (measured: the handlers of those levels do not run; 3.10's
 * own report of the error fails there and nothing is printed). pycoro reports one unraisable
 * RecursionError, for level 1002; every level is freed. */
static long unraisable_count;
static int unraisable_ok;

static void unraisable_hook(PyObject *type, PyObject *value, PyObject *tb, PyObject *msg,
                            PyObject *obj, void *data)
{
    PyObject *s = value != NULL ? PyObject_Str(value) : NULL;
    const char *text = s != NULL ? PyUnicode_AsUTF8(s) : NULL;
    (void)tb;
    (void)msg;
    (void)data;
    unraisable_count++;
    unraisable_ok = type == PyExc_RecursionError && text != NULL &&
                    strcmp(text, "maximum recursion depth exceeded") == 0 && obj != NULL &&
                    (chain_flags & CO_COROUTINE ? PyCoro_CheckExact(obj) : PyGen_CheckExact(obj));
    Py_XDECREF(s);
    PyErr_Clear();
}

static void send_chain(void)
{
    PyObject *r = NULL;
    PyNative_SetUnraisableHook(unraisable_hook, NULL);
    CHECK_EQ_INT(PyIter_Send(held, Py_None, &r), PYGEN_ERROR);
    CHECK_EXC(PyExc_RecursionError, "maximum recursion depth exceeded");
    CHECK_EQ_INT(chain_errors, 1000);
    CHECK_EQ_INT(chain_genexit, 0);
    CHECK_EQ_INT(unraisable_count, 1);
    CHECK(unraisable_ok);
    Py_CLEAR(held);
    CHECK_EQ_INT(unraisable_count, 1);
    PyNative_SetUnraisableHook(NULL, NULL);
}

static void test_await_chain_close(void)
{
    SHAPE("await chain: close()", build_await_chain, 1, close_chain, CHAIN);
}

static void test_await_chain_throw(void)
{
    SHAPE("await chain: throw()", build_await_chain, 1, throw_chain, CHAIN);
}

static void test_await_chain_dropped(void)
{
    SHAPE("await chain: last reference dropped", build_await_chain, 1, drop_chain, CHAIN);
}

static void test_await_chain_send(void)
{
    SHAPE("await chain: send", build_await_chain, 1, send_chain, CHAIN);
}

static void test_yield_from_chain_close(void)
{
    SHAPE("yield-from chain: close()", build_yield_from_chain, 1, close_chain, CHAIN);
}

static void test_yield_from_chain_throw(void)
{
    SHAPE("yield-from chain: throw()", build_yield_from_chain, 1, throw_chain, CHAIN);
}

static void test_yield_from_chain_send(void)
{
    SHAPE("yield-from chain: send", build_yield_from_chain, 1, send_chain, CHAIN);
}

static void test_yield_from_chain_dropped(void)
{
    SHAPE("yield-from chain: last reference dropped", build_yield_from_chain, 1, drop_chain,
          CHAIN);
}

int main(int argc, char **argv)
{
    const char *mode = getenv("CAPI_TESTS_MODE");
    if (mode != NULL && strcmp(mode, "sanitizers") == 0) {
        N = 100000;
        CHAIN = 20000;
        plain_mode = 0;
    } else if (mode != NULL && strcmp(mode, "valgrind") == 0) {
        N = 20000;
        CHAIN = 5000;
        plain_mode = 0;
    }
    if (argc > 1) {
        N = atol(argv[1]);
    }
    if (argc > 2) {
        CHAIN = atol(argv[2]);
    }
    printf("N = %ld, CHAIN = %ld\n", N, CHAIN);
    RUN(test_nested_tuple);
    RUN(test_traceback);
    RUN(test_frame_chain);
    RUN(test_exception_context_chain);
    RUN(test_suspended_generators);
    RUN(test_cfunction_chain);
    RUN(test_asend_chain);
    RUN(test_trashcan_macros);
    RUN(test_frame_ring_collected);
    RUN(test_exception_ring_collected);
    RUN(test_generator_ring_collected);
    RUN(test_await_chain_close);
    RUN(test_await_chain_throw);
    RUN(test_await_chain_dropped);
    RUN(test_await_chain_send);
    RUN(test_yield_from_chain_close);
    RUN(test_yield_from_chain_throw);
    RUN(test_yield_from_chain_dropped);
    RUN(test_yield_from_chain_send);
    return HARNESS_SUMMARY();
}
