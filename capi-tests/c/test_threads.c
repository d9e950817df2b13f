/*
 * pycoro without a GIL, under real threads (README "Threading contract", "Garbage
 * collection"): NTHREADS threads each create and drive thousands of native coroutines,
 * generators and async generators at the same time, and check every result:
 *
 *  - await chains three coroutines deep (outer -> mid -> leaf): send, throw (caught in the
 *    leaf, or caught in the outer coroutine after it left two frames), an exception raised in
 *    the leaf that leaves all three (with one traceback entry per frame), close() while
 *    suspended in the leaf;
 *  - generators with `yield from`, driven with PyIter_Send / PyIter_Next, closed midway;
 *  - async generators that await a coroutine before they yield: asend() awaitables, aclose()
 *    and exhaustion (StopAsyncIteration);
 *  - reference cycles (a coroutine and a generator holding themselves in their own frame, an
 *    exception whose traceback holds the frame that holds it): reclaimed by automatic
 *    collection (allocation-triggered, the thread's own generations) and by PyGC_Collect;
 *    each thread counts its own finalizer runs.
 *
 * Then: the error indicator and the handled-exception state are per thread (one thread sets
 * an error and waits at a barrier while the others check theirs is clear and set their own);
 * and objects created (and partly driven) on one thread are handed over through a mutex and
 * a condition variable to another thread that finishes and releases them, while the creating
 * thread keeps its collector disabled, as the contract asks. Whatever a thread leaves tracked
 * when it exits is collected afterwards by the main thread.
 *
 * Worker threads must not use harness.h's checks (its counters are plain ints); they use
 * TCHECK, whose counter is atomic, and the main thread turns the total into harness checks.
 *
 * Also process-wide and per-thread settings under load: every thread's warnings go through one
 * handler and one "once per location" registry, unraisable errors through one hook, while
 * each thread has its own async generator firstiter hook and origin-tracking depth.
 *
 * The work per thread scales down under valgrind (which runs one thread at a time);
 * PYCORO_THREADS_ITERATIONS=<n> overrides it.
 */
// capi-tests: flags=-pthread
/* pthread_barrier_t is POSIX, outside plain C11. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "harness.h"
#include "native.h"

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define HAVE_VALGRIND_H 1
#endif
#endif

#define NTHREADS 4

/* ------------------------------------------------------------------------------------------ */
/* Thread-safe checks for worker threads */

static atomic_int worker_failures;
static atomic_int worker_failures_printed;
static pthread_mutex_t print_lock = PTHREAD_MUTEX_INITIALIZER;

static _Thread_local int tl_thread = -1; /* this worker's number, for messages */
static _Thread_local long tl_iter = -1;  /* the iteration it is at */

static void tfail(const char *file, int line, const char *what, long long actual,
                  long long expected, int has_values)
{
    atomic_fetch_add(&worker_failures, 1);
    if (atomic_fetch_add(&worker_failures_printed, 1) >= 30) {
        return;
    }
    pthread_mutex_lock(&print_lock);
    printf("  thread %d iteration %ld: %s:%d: check failed: %s\n", tl_thread, tl_iter, file,
           line, what);
    if (has_values) {
        printf("    actual:   %lld\n    expected: %lld\n", actual, expected);
    }
    if (PyErr_Occurred() != NULL) {
        PyObject *t, *v, *tb, *s;
        PyErr_Fetch(&t, &v, &tb);
        s = v != NULL ? PyObject_Str(v) : NULL;
        printf("    pending exception: %s: %s\n", t != NULL ? ((PyTypeObject *)t)->tp_name : "?",
               s != NULL ? PyUnicode_AsUTF8(s) : "?");
        Py_XDECREF(s);
        PyErr_Clear();
        PyErr_Restore(t, v, tb);
    }
    fflush(stdout);
    pthread_mutex_unlock(&print_lock);
}

#define TCHECK(cond)                                                                           \
    ((cond) ? 1 : (tfail(__FILE__, __LINE__, #cond, 0, 0, 0), 0))
#define TCHECK_EQ(actual, expected)                                                            \
    tcheck_eq((long long)(actual), (long long)(expected), #actual " == " #expected, __FILE__,  \
              __LINE__)

static int tcheck_eq(long long actual, long long expected, const char *what, const char *file,
                     int line)
{
    if (actual != expected) {
        tfail(file, line, what, actual, expected, 1);
        return 0;
    }
    return 1;
}

/* Takes the pending exception; checks its type and (unless NULL) str(). */
#define TCHECK_EXC(type, message) tcheck_exc((PyObject *)(type), (message), __FILE__, __LINE__)

static int tcheck_exc(PyObject *type, const char *message, const char *file, int line)
{
    PyObject *t, *v, *tb, *s;
    const char *text;
    int ok = 1;
    if (PyErr_Occurred() == NULL) {
        tfail(file, line, "an exception is pending", 0, 0, 0);
        return 0;
    }
    if (!PyErr_ExceptionMatches(type)) {
        tfail(file, line, ((PyTypeObject *)type)->tp_name, 0, 0, 0);
        PyErr_Clear();
        return 0;
    }
    PyErr_Fetch(&t, &v, &tb);
    PyErr_NormalizeException(&t, &v, &tb);
    if (message != NULL) {
        s = v != NULL ? PyObject_Str(v) : NULL;
        text = s != NULL ? PyUnicode_AsUTF8(s) : NULL;
        if (text == NULL || strcmp(text, message) != 0) {
            pthread_mutex_lock(&print_lock);
            printf("  thread %d: message %s, expected %s\n", tl_thread, text ? text : "NULL",
                   message);
            pthread_mutex_unlock(&print_lock);
            tfail(file, line, "exception message", 0, 0, 0);
            ok = 0;
        }
        Py_XDECREF(s);
        PyErr_Clear();
    }
    Py_XDECREF(t);
    Py_XDECREF(v);
    Py_XDECREF(tb);
    return ok;
}

/* Fails (and clears) when an exception is pending. */
static int tcheck_no_exc(const char *file, int line)
{
    if (PyErr_Occurred() == NULL) {
        return 1;
    }
    tfail(file, line, "no exception pending", 0, 0, 0);
    PyErr_Clear();
    return 0;
}
#define TCHECK_NO_EXC() tcheck_no_exc(__FILE__, __LINE__)

/* Takes `r` (new reference or NULL): checks it is an int equal to `expected`. */
#define TCHECK_LONG(r, expected) tcheck_long((r), (expected), #r, __FILE__, __LINE__)

static int tcheck_long(PyObject *r, long expected, const char *what, const char *file, int line)
{
    long v;
    if (r == NULL) {
        tfail(file, line, what, 0, 0, 0);
        return 0;
    }
    v = native_long(r);
    Py_DECREF(r);
    if (v != expected) {
        tfail(file, line, what, v, expected, 1);
        return 0;
    }
    return 1;
}

/* ------------------------------------------------------------------------------------------ */
/* Per-thread event counters, bumped by the bodies (on the thread that runs them) */

struct counters {
    long leaf_closed;     /* GeneratorExit seen by a leaf */
    long outer_caught;    /* KeyError caught by an outer coroutine */
    long gen_closed;      /* GeneratorExit seen by a range generator */
    long agen_closed;     /* GeneratorExit seen by an async generator */
    long cycles_made;     /* self-referencing objects made */
    long cycles_cleaned;  /* ... whose finalizer ran (close at collection) */
    long firstiter;       /* this thread's async generator firstiter hook calls */
    long own_warnings;    /* RuntimeWarnings "from thread <n>" handled on this thread */
    long unraisable;      /* "generator ignored GeneratorExit" reports on this thread */
    long wrong;           /* a hook or handler called with something unexpected */
};

static _Thread_local struct counters tl;

/* Handed-over self-cycles may be cleaned on any thread: these are global. */
static atomic_long handoff_cycles_made;
static atomic_long handoff_cycles_cleaned;
/* Set while a self-cycle body should count into the handoff totals (its frame state [1]). */
#define CYCLE_HANDOFF 1

static int bad_label(void)
{
    PyErr_SetString(PyExc_SystemError, "bad label");
    return PYNATIVE_ERROR;
}

static PyFrameObject *frame_of(PyObject *o)
{
    if (PyCoro_CheckExact(o)) {
        return ((PyCoroObject *)o)->cr_frame;
    }
    if (PyAsyncGen_CheckExact(o)) {
        return ((PyAsyncGenObject *)o)->ag_frame;
    }
    return ((PyGenObject *)o)->gi_frame;
}

/* A new generator/coroutine/async generator running `body` with state[0] = seed. */
static PyObject *make(PyNative_Body body, int flags, const char *name, long seed)
{
    PyObject *o = native_new(body, flags, name, 4);
    if (o != NULL) {
        NATIVE_STATE(frame_of(o))[0] = seed;
    }
    return o;
}

/* ------------------------------------------------------------------------------------------ */
/* Bodies */

/*
 * async def leaf(seed):
 *     try:
 *         x = yield seed            # (a bare yield through the await chain)
 *     except ValueError:
 *         return -seed
 *     except GeneratorExit:
 *         count leaf_closed; raise
 *     if x == 13: raise ZeroDivisionError(f"leaf {seed} got 13")
 *     return 2 * seed + x
 */
static int leaf_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    long *st = NATIVE_STATE(f);
    long x;
    switch (f->f_lasti) {
    case -1:
        f->f_lineno = 101;
        NATIVE_YIELD(f, 0, PyLong_FromLong(st[0]));
    case 0:
        f->f_lineno = 102;
        if (arg == NULL) {
            if (PyErr_ExceptionMatches(PyExc_ValueError)) {
                PyErr_Clear();
                *out = PyLong_FromLong(-st[0]);
                return *out != NULL ? PYNATIVE_RETURN : PYNATIVE_ERROR;
            }
            if (PyErr_ExceptionMatches(PyExc_GeneratorExit)) {
                tl.leaf_closed++;
            }
            return PYNATIVE_ERROR;
        }
        x = PyLong_AsLong(arg);
        if (x == -1 && PyErr_Occurred()) {
            return PYNATIVE_ERROR;
        }
        if (x == 13) {
            f->f_lineno = 103;
            PyErr_Format(PyExc_ZeroDivisionError, "leaf %ld got %ld", st[0], x);
            return PYNATIVE_ERROR;
        }
        *out = PyLong_FromLong(2 * st[0] + x);
        return *out != NULL ? PYNATIVE_RETURN : PYNATIVE_ERROR;
    }
    return bad_label();
}

/* async def mid(seed): return (await leaf(seed)) + 1 */
static int mid_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    PyObject *leaf;
    switch (f->f_lasti) {
    case -1:
        f->f_lineno = 201;
        leaf = make(leaf_body, CO_COROUTINE, "leaf", NATIVE_STATE(f)[0]);
        if (leaf == NULL) {
            return PYNATIVE_ERROR;
        }
        NATIVE_AWAIT(f, 0, leaf);
    case 0:
        if (arg == NULL) {
            return PYNATIVE_ERROR;
        }
        *out = PyLong_FromLong(native_long(arg) + 1);
        return PYNATIVE_RETURN;
    }
    return bad_label();
}

/*
 * async def outer(seed):
 *     try:
 *         return (await mid(seed)) + 1
 *     except KeyError as e:         # checks str(e) == f"'k{seed}'", as `except` would
 *         count outer_caught
 *         return -1000
 */
static int outer_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    PyObject *mid, *t, *v, *tb, *s;
    char expected[64];
    int ok;
    switch (f->f_lasti) {
    case -1:
        f->f_lineno = 301;
        mid = make(mid_body, CO_COROUTINE, "mid", NATIVE_STATE(f)[0]);
        if (mid == NULL) {
            return PYNATIVE_ERROR;
        }
        NATIVE_AWAIT(f, 0, mid);
    case 0:
        if (arg != NULL) {
            *out = PyLong_FromLong(native_long(arg) + 1);
            return PYNATIVE_RETURN;
        }
        if (!PyErr_ExceptionMatches(PyExc_KeyError)) {
            return PYNATIVE_ERROR;
        }
        /* The except block: the exception is "being handled" while it runs. */
        PyErr_Fetch(&t, &v, &tb);
        PyErr_NormalizeException(&t, &v, &tb);
        PyErr_SetExcInfo(Py_XNewRef(t), Py_XNewRef(v), Py_XNewRef(tb));
        snprintf(expected, sizeof expected, "'k%ld'", NATIVE_STATE(f)[0]);
        s = v != NULL ? PyObject_Str(v) : NULL;
        ok = s != NULL && PyUnicode_CompareWithASCIIString(s, expected) == 0;
        Py_XDECREF(s);
        Py_XDECREF(t);
        Py_XDECREF(v);
        Py_XDECREF(tb);
        PyErr_SetExcInfo(NULL, NULL, NULL);
        if (!ok) {
            PyErr_Format(PyExc_AssertionError, "outer caught the wrong KeyError");
            return PYNATIVE_ERROR;
        }
        tl.outer_caught++;
        *out = PyLong_FromLong(-1000);
        return PYNATIVE_RETURN;
    }
    return bad_label();
}

/*
 * def range_gen(n):
 *     try:
 *         for i in range(n): yield i
 *     except GeneratorExit:
 *         count gen_closed; raise
 *     return n
 */
static int range_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    long *st = NATIVE_STATE(f);
    if (f->f_lasti >= 0 && arg == NULL) {
        if (PyErr_ExceptionMatches(PyExc_GeneratorExit)) {
            tl.gen_closed++;
        }
        return PYNATIVE_ERROR;
    }
    if (st[1] < st[0]) {
        NATIVE_YIELD(f, 0, PyLong_FromLong(st[1]++));
    }
    *out = PyLong_FromLong(st[0]);
    return PYNATIVE_RETURN;
}

/* def deleg(n): return 100 * (yield from range_gen(n)) */
static int deleg_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    PyObject *g;
    switch (f->f_lasti) {
    case -1:
        g = make(range_body, CO_GENERATOR, "range_gen", NATIVE_STATE(f)[0]);
        if (g == NULL) {
            return PYNATIVE_ERROR;
        }
        NATIVE_YIELD_FROM(f, 0, g);
    case 0:
        if (arg == NULL) {
            return PYNATIVE_ERROR;
        }
        *out = PyLong_FromLong(100 * native_long(arg));
        return PYNATIVE_RETURN;
    }
    return bad_label();
}

/*
 * async def agen(seed, n=state[2]):
 *     r = await leaf(seed)
 *     try:
 *         for i in range(n): yield r + 10 * i
 *     except GeneratorExit:
 *         count agen_closed; raise
 */
static int agen_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    long *st = NATIVE_STATE(f);
    PyObject *leaf;
    switch (f->f_lasti) {
    case -1:
        leaf = make(leaf_body, CO_COROUTINE, "leaf", st[0]);
        if (leaf == NULL) {
            return PYNATIVE_ERROR;
        }
        NATIVE_AWAIT(f, 0, leaf);
    case 0:
        if (arg == NULL) {
            return PYNATIVE_ERROR;
        }
        st[3] = native_long(arg);
        break;
    case 1:
        if (arg == NULL) {
            if (PyErr_ExceptionMatches(PyExc_GeneratorExit)) {
                tl.agen_closed++;
            }
            return PYNATIVE_ERROR;
        }
        break;
    default:
        return bad_label();
    }
    if (st[1] < st[2]) {
        NATIVE_YIELD(f, 1, PyLong_FromLong(st[3] + 10 * st[1]++));
    }
    *out = Py_NewRef(Py_None);
    return PYNATIVE_RETURN;
}

/*
 * A generator/coroutine that holds itself in slot 0 and, for good measure, an exception
 * whose traceback points at its own frame in slot 1; it suspends once. Whatever is thrown in
 * later (the collector's close) is counted as a cleanup and propagated.
 */
static int cycle_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    PyObject *t, *v, *tb;
    if (f->f_lasti >= 0) {
        if (arg == NULL) {
            if (NATIVE_STATE(f)[1] == CYCLE_HANDOFF) {
                atomic_fetch_add(&handoff_cycles_cleaned, 1);
            } else {
                tl.cycles_cleaned++;
            }
            return PYNATIVE_ERROR;
        }
        *out = Py_NewRef(Py_None);
        return PYNATIVE_RETURN;
    }
    NATIVE_SLOT(f, 0) = Py_NewRef((PyObject *)f->f_gen);
    if (NATIVE_STATE(f)[0] % 2 == 0) {
        PyErr_Format(PyExc_RuntimeError, "cycle %ld", NATIVE_STATE(f)[0]);
        PyTraceBack_Here(f);
        PyErr_Fetch(&t, &v, &tb);
        PyErr_NormalizeException(&t, &v, &tb);
        if (v != NULL && tb != NULL) {
            PyException_SetTraceback(v, tb);
        }
        Py_XDECREF(t);
        Py_XDECREF(tb);
        NATIVE_SLOT(f, 1) = v;
    }
    NATIVE_YIELD(f, 0, Py_NewRef(Py_None));
}

/* def stubborn(): while True: try: yield  except GeneratorExit: pass   (ignores close) */
static int stubborn_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    if (f->f_lasti >= 0 && arg == NULL) {
        PyErr_Clear();
    }
    NATIVE_YIELD(f, 0, Py_NewRef(Py_None));
}

/* ------------------------------------------------------------------------------------------ */
/* Hooks and handlers: process-wide ones count on the calling thread */

/* The async generator firstiter hook some threads set: `self` is the thread's number. */
static PyObject *firstiter_hook(PyObject *self, PyObject *agen)
{
    if (native_long(self) == tl_thread && PyAsyncGen_CheckExact(agen)) {
        tl.firstiter++;
    } else {
        tl.wrong++;
    }
    Py_RETURN_NONE;
}

static PyMethodDef firstiter_def = {"firstiter", firstiter_hook, METH_O, NULL};

static atomic_long shared_warnings; /* "shared once" warnings shown, all threads */

static int warning_handler(PyObject *category, PyObject *message, PyObject *filename,
                           int lineno, PyObject *source, void *data)
{
    char own[32];
    (void)filename;
    (void)lineno;
    (void)source;
    (void)data;
    snprintf(own, sizeof own, "from thread %d", tl_thread);
    if (category == PyExc_UserWarning &&
        PyUnicode_CompareWithASCIIString(message, "shared once") == 0) {
        atomic_fetch_add(&shared_warnings, 1);
    } else if (category == PyExc_RuntimeWarning &&
               PyUnicode_CompareWithASCIIString(message, own) == 0) {
        tl.own_warnings++;
    } else {
        tl.wrong++;
    }
    return 0;
}

static void unraisable_hook(PyObject *t, PyObject *v, PyObject *tb, PyObject *msg, PyObject *o,
                            void *data)
{
    PyObject *s = v != NULL ? PyObject_Str(v) : NULL;
    (void)tb;
    (void)msg;
    (void)data;
    if (t == PyExc_RuntimeError && s != NULL &&
        PyUnicode_CompareWithASCIIString(s, "generator ignored GeneratorExit") == 0 &&
        o != NULL && PyGen_CheckExact(o)) {
        tl.unraisable++;
    } else {
        tl.wrong++;
    }
    Py_XDECREF(s);
    PyErr_Clear();
}

/* ------------------------------------------------------------------------------------------ */
/* Python-level operations */

static PyObject *asend_of(PyObject *a, PyObject *v)
{
    return PyObject_CallMethod(a, "asend", "(O)", v);
}

static PyObject *aclose_of(PyObject *a)
{
    return PyObject_CallMethod(a, "aclose", NULL);
}

/* An exception instance of `type` with str() `message`. */
static PyObject *exc_instance(PyObject *type, const char *message)
{
    return PyObject_CallFunction(type, "s", message);
}

/* Length of the traceback chain of the pending exception (left pending). */
static int pending_traceback_length(void)
{
    PyObject *t, *v, *tb;
    int n = 0;
    PyTracebackObject *p;
    PyErr_Fetch(&t, &v, &tb);
    for (p = (PyTracebackObject *)tb; p != NULL; p = p->tb_next) {
        n++;
    }
    PyErr_Restore(t, v, tb);
    return n;
}

/* ------------------------------------------------------------------------------------------ */
/* One round of the concurrent workload */

/* The await chain, in one of five ways. */
static void run_chain(long seed, int how)
{
    PyObject *c = make(outer_body, CO_COROUTINE, "outer", seed), *r = NULL, *v, *e;
    long before;
    if (!TCHECK(c != NULL)) {
        PyErr_Clear();
        return;
    }
    TCHECK_EQ(PyIter_Send(c, Py_None, &r), PYGEN_NEXT);
    TCHECK_LONG(r, seed);
    r = NULL;
    {
        /* Thread 1 alone tracks coroutine origins: outer was made with no frame executing,
         * mid inside outer's body, the leaf inside mid's (and outer's). */
        PyCoroObject *outer = (PyCoroObject *)c;
        PyCoroObject *mid = (PyCoroObject *)outer->cr_frame->f_valuestack[0];
        PyCoroObject *leaf = (PyCoroObject *)mid->cr_frame->f_valuestack[0];
        if (tl_thread == 1) {
            TCHECK(outer->cr_origin != NULL && PyTuple_Size(outer->cr_origin) == 0);
            TCHECK(mid->cr_origin != NULL && PyTuple_Size(mid->cr_origin) == 1);
            TCHECK(leaf->cr_origin != NULL && PyTuple_Size(leaf->cr_origin) == 2);
        } else {
            TCHECK(outer->cr_origin == NULL && mid->cr_origin == NULL &&
                   leaf->cr_origin == NULL);
        }
    }
    switch (how) {
    case 0: /* send: 2*seed + 7 in the leaf, +1, +1 */
        v = PyLong_FromLong(7);
        TCHECK_EQ(PyIter_Send(c, v, &r), PYGEN_RETURN);
        TCHECK_LONG(r, 2 * seed + 9);
        Py_XDECREF(v);
        break;
    case 1: /* throw ValueError: the leaf returns -seed */
        e = exc_instance(PyExc_ValueError, "v");
        r = call_throw(c, 1, e);
        TCHECK(r == NULL);
        TCHECK_LONG(native_take_stop_value(), -seed + 2);
        Py_XDECREF(e);
        break;
    case 2: { /* throw KeyError: out of leaf and mid, caught by outer */
        char key[32];
        snprintf(key, sizeof key, "k%ld", seed);
        e = PyObject_CallFunction(PyExc_KeyError, "s", key);
        before = tl.outer_caught;
        r = call_throw(c, 1, e);
        TCHECK(r == NULL);
        TCHECK_LONG(native_take_stop_value(), -1000);
        TCHECK_EQ(tl.outer_caught, before + 1);
        Py_XDECREF(e);
        break;
    }
    case 3: { /* send 13: ZeroDivisionError leaves all three frames */
        char msg[64];
        snprintf(msg, sizeof msg, "leaf %ld got 13", seed);
        v = PyLong_FromLong(13);
        TCHECK_EQ(PyIter_Send(c, v, &r), PYGEN_ERROR);
        TCHECK(r == NULL);
        TCHECK_EQ(pending_traceback_length(), 3);
        TCHECK_EXC(PyExc_ZeroDivisionError, msg);
        Py_XDECREF(v);
        break;
    }
    default: /* close while suspended in the leaf */
        before = tl.leaf_closed;
        r = call_close(c);
        TCHECK(r == Py_None);
        Py_XDECREF(r);
        TCHECK_EQ(tl.leaf_closed, before + 1);
        TCHECK(((PyCoroObject *)c)->cr_frame == NULL ||
               _PyFrameHasCompleted(((PyCoroObject *)c)->cr_frame));
        break;
    }
    TCHECK_NO_EXC();
    /* Finished: sending again raises RuntimeError. */
    r = NULL;
    TCHECK_EQ(PyIter_Send(c, Py_None, &r), PYGEN_ERROR);
    TCHECK_EXC(PyExc_RuntimeError, "cannot reuse already awaited coroutine");
    Py_DECREF(c);
}

/* `yield from` over range_gen(n): run to the end, or close after two values. */
static void run_generator(long n, int close_midway)
{
    PyObject *g = make(deleg_body, CO_GENERATOR, "deleg", n), *r;
    long i, before;
    if (!TCHECK(g != NULL)) {
        PyErr_Clear();
        return;
    }
    for (i = 0; i < n; i++) {
        if (close_midway && i == 2) {
            before = tl.gen_closed;
            r = call_close(g);
            TCHECK(r == Py_None);
            Py_XDECREF(r);
            TCHECK_EQ(tl.gen_closed, before + 1);
            /* Closed: the next next() just stops. */
            TCHECK(PyIter_Next(g) == NULL);
            TCHECK_NO_EXC();
            Py_DECREF(g);
            return;
        }
        if (i % 2 == 0) {
            TCHECK_LONG(PyIter_Next(g), i);
        } else {
            r = NULL;
            TCHECK_EQ(PyIter_Send(g, Py_None, &r), PYGEN_NEXT);
            TCHECK_LONG(r, i);
        }
    }
    r = NULL;
    TCHECK_EQ(PyIter_Send(g, Py_None, &r), PYGEN_RETURN);
    TCHECK_LONG(r, 100 * n);
    TCHECK_NO_EXC();
    Py_DECREF(g);
}

/* Drives one asend awaitable that finishes at once; returns the value it stops with. */
static long asend_value(PyObject *a, PyObject *v, int *stopped)
{
    PyObject *aw = asend_of(a, v), *r = NULL;
    long value = -99999;
    int status;
    *stopped = 0;
    if (!TCHECK(aw != NULL)) {
        PyErr_Clear();
        return value;
    }
    status = PyIter_Send(aw, Py_None, &r);
    if (status == PYGEN_RETURN) {
        value = native_long(r);
    } else if (status == PYGEN_ERROR && PyErr_ExceptionMatches(PyExc_StopAsyncIteration)) {
        PyErr_Clear();
        *stopped = 1;
    } else {
        TCHECK_EQ(status, PYGEN_RETURN);
    }
    Py_XDECREF(r);
    Py_DECREF(aw);
    return value;
}

/* An async generator of n values after an await; aclose()d after two, or exhausted. */
static void run_async_generator(long seed, long n, int aclose)
{
    PyObject *a = make(agen_body, CO_ASYNC_GENERATOR, "agen", seed), *aw, *r = NULL, *v;
    long i, base = 2 * seed + 5, before;
    int stopped;
    if (!TCHECK(a != NULL)) {
        PyErr_Clear();
        return;
    }
    NATIVE_STATE(frame_of(a))[2] = n;
    /* The first asend(None): the leaf's bare yield comes out of the awaitable, then sending
     * 5 into it finishes the await and the async generator yields 2*seed + 5. */
    aw = asend_of(a, Py_None);
    if (!TCHECK(aw != NULL)) {
        PyErr_Clear();
        Py_DECREF(a);
        return;
    }
    TCHECK_EQ(PyIter_Send(aw, Py_None, &r), PYGEN_NEXT);
    TCHECK_LONG(r, seed);
    r = NULL;
    v = PyLong_FromLong(5);
    TCHECK_EQ(PyIter_Send(aw, v, &r), PYGEN_RETURN);
    TCHECK_LONG(r, base);
    Py_XDECREF(v);
    Py_DECREF(aw);
    for (i = 1; i < n; i++) {
        if (aclose && i == 1) {
            before = tl.agen_closed;
            aw = aclose_of(a);
            r = NULL;
            TCHECK_EQ(PyIter_Send(aw, Py_None, &r), PYGEN_RETURN);
            TCHECK(r == Py_None);
            Py_XDECREF(r);
            Py_XDECREF(aw);
            TCHECK_EQ(tl.agen_closed, before + 1);
            asend_value(a, Py_None, &stopped);
            TCHECK_EQ(stopped, 1);
            TCHECK_NO_EXC();
            Py_DECREF(a);
            return;
        }
        TCHECK_EQ(asend_value(a, Py_None, &stopped), base + 10 * i);
        TCHECK_EQ(stopped, 0);
    }
    asend_value(a, Py_None, &stopped);
    TCHECK_EQ(stopped, 1);
    TCHECK_NO_EXC();
    Py_DECREF(a);
}

/* A self-referencing coroutine or generator, started and dropped (left to the collector). */
static void make_cycle(long seed, int handoff)
{
    int flags = seed % 3 == 0 ? CO_GENERATOR : CO_COROUTINE;
    PyObject *o = make(cycle_body, flags, "cycle", seed), *r = NULL;
    if (!TCHECK(o != NULL)) {
        PyErr_Clear();
        return;
    }
    NATIVE_STATE(frame_of(o))[1] = handoff ? CYCLE_HANDOFF : 0;
    TCHECK_EQ(PyIter_Send(o, Py_None, &r), PYGEN_NEXT);
    TCHECK(r == Py_None);
    Py_XDECREF(r);
    if (handoff) {
        atomic_fetch_add(&handoff_cycles_made, 1);
    } else {
        tl.cycles_made++;
    }
    Py_DECREF(o);
}

/* ------------------------------------------------------------------------------------------ */
/* Test 1: the concurrent workload */

static long iterations; /* per thread */

struct worker {
    int index;
    pthread_t thread;
    struct counters counters;  /* tl at the end */
    long max_outstanding;      /* most uncollected cycles seen between iterations */
    long cleaned_by_call;      /* cycles reclaimed inside this thread's PyGC_Collect calls */
    long cleaned_at_end;       /* ... by its last PyGC_Collect */
    int gil_fresh;
};

static pthread_barrier_t start_barrier;

static void *workload_thread(void *arg)
{
    struct worker *w = (struct worker *)arg;
    PyGILState_STATE g = PyGILState_Ensure();
    long i, seed, outstanding;
    tl_thread = w->index;
    w->gil_fresh = g == PyGILState_UNLOCKED;
    memset(&tl, 0, sizeof tl);
    TCHECK(PyErr_Occurred() == NULL);
    TCHECK_EQ(PyGC_IsEnabled(), 1);
    TCHECK_EQ(_PyEval_GetCoroutineOriginTrackingDepth(), 0);
    if (w->index == 1) {
        _PyEval_SetCoroutineOriginTrackingDepth(NULL, 3);
    }
    if (w->index % 2 == 0) {
        PyObject *self = PyLong_FromLong(w->index);
        PyObject *hook = PyCFunction_New(&firstiter_def, self);
        TCHECK(hook != NULL && _PyEval_SetAsyncGenFirstiter(hook) == 0);
        Py_XDECREF(hook);
        Py_XDECREF(self);
    }
    pthread_barrier_wait(&start_barrier);
    for (i = 0; i < iterations; i++) {
        tl_iter = i;
        seed = (long)w->index * 1000000 + i;
        run_chain(seed, (int)(i % 5));
        run_generator(3 + i % 4, i % 3 == 0);
        run_async_generator(seed, 2 + i % 3, i % 2 == 0);
        make_cycle(seed, 0);
        {
            char own[32];
            snprintf(own, sizeof own, "from thread %d", w->index);
            TCHECK_EQ(PyErr_WarnEx(PyExc_RuntimeWarning, own, 1), 0);
            TCHECK_EQ(PyErr_WarnExplicit(PyExc_UserWarning, "shared once", "threads.c",
                                         (int)(i % 50), NULL, NULL),
                      0);
        }
        if (i % 8 == 0) {
            /* Dropped suspended: its close fails, reported as unraisable (here). */
            PyObject *g = make(stubborn_body, CO_GENERATOR, "stubborn", seed);
            TCHECK(g != NULL);
            if (g != NULL) {
                PyObject *r = PyIter_Next(g);
                TCHECK(r == Py_None);
                Py_XDECREF(r);
                Py_DECREF(g);
            }
        }
        if (i % 512 == 511) {
            long before = tl.cycles_cleaned;
            PyGC_Collect();
            w->cleaned_by_call += tl.cycles_cleaned - before;
        }
        outstanding = tl.cycles_made - tl.cycles_cleaned;
        if (outstanding > w->max_outstanding) {
            w->max_outstanding = outstanding;
        }
        TCHECK_NO_EXC();
    }
    tl_iter = -1;
    outstanding = tl.cycles_cleaned;
    PyGC_Collect();
    w->cleaned_at_end = tl.cycles_cleaned - outstanding;
    TCHECK_EQ(PyGC_Collect(), 0);
    if (w->index % 2 == 0) {
        TCHECK_EQ(_PyEval_SetAsyncGenFirstiter(NULL), 0);
    }
    w->counters = tl;
    PyGILState_Release(g);
    return NULL;
}

static void test_concurrent_workload(void)
{
    struct worker w[NTHREADS];
    int i, started = 0;
    long expected_closes;
    memset(w, 0, sizeof w);
    atomic_store(&worker_failures, 0);
    atomic_store(&shared_warnings, 0);
    /* Process-wide: every thread's RuntimeWarnings are shown; UserWarnings once per place. */
    REQUIRE(PyNative_WarningsFilter("always", PyExc_RuntimeWarning) == 0);
    PyNative_SetWarningHandler(warning_handler, NULL);
    PyNative_SetUnraisableHook(unraisable_hook, NULL);
    REQUIRE(pthread_barrier_init(&start_barrier, NULL, NTHREADS) == 0);
    for (i = 0; i < NTHREADS; i++) {
        w[i].index = i;
        if (!CHECK(pthread_create(&w[i].thread, NULL, workload_thread, &w[i]) == 0)) {
            break;
        }
        started++;
    }
    REQUIRE(started == NTHREADS); /* (a barrier short of threads would hang: give up) */
    for (i = 0; i < NTHREADS; i++) {
        pthread_join(w[i].thread, NULL);
    }
    pthread_barrier_destroy(&start_barrier);
    PyNative_SetUnraisableHook(NULL, NULL);
    PyNative_SetWarningHandler(NULL, NULL);
    PyNative_WarningsFilter("reset", NULL);
    CHECK_EQ_INT(atomic_load(&worker_failures), 0);
    /* The registry is shared: each of the 50 places warned once, whichever thread was first. */
    CHECK_EQ_INT(atomic_load(&shared_warnings), iterations < 50 ? iterations : 50);
    for (i = 0; i < NTHREADS; i++) {
        struct counters *c = &w[i].counters;
        printf("  thread %d: %ld cycles, %ld reclaimed by PyGC_Collect calls, %ld at the end, "
               "at most %ld waiting\n",
               i, c->cycles_made, w[i].cleaned_by_call, w[i].cleaned_at_end,
               w[i].max_outstanding);
        CHECK_EQ_INT(w[i].gil_fresh, 1);
        /* run_chain: how == 4 closes, how == 2 is caught by outer (i % 5). */
        expected_closes = iterations / 5 + (iterations % 5 > 4);
        CHECK_EQ_INT(c->leaf_closed, expected_closes);
        CHECK_EQ_INT(c->outer_caught, iterations / 5 + (iterations % 5 > 2));
        CHECK_EQ_INT(c->gen_closed, (iterations + 2) / 3);
        CHECK_EQ_INT(c->agen_closed, (iterations + 1) / 2);
        CHECK_EQ_INT(c->cycles_made, iterations);
        /* Every cycle was reclaimed, on this thread, mostly by automatic collection. */
        CHECK_EQ_INT(c->cycles_cleaned, iterations);
        CHECK(w[i].max_outstanding < 1000);
        CHECK_EQ_INT(c->firstiter, i % 2 == 0 ? iterations : 0);
        CHECK_EQ_INT(c->own_warnings, iterations);
        CHECK_EQ_INT(c->unraisable, (iterations + 7) / 8);
        CHECK_EQ_INT(c->wrong, 0);
        /* Most were reclaimed by automatic collection, not by the PyGC_Collect calls
         * (a collection comes every couple of hundred iterations). */
        if (iterations >= 1000) {
            CHECK(w[i].cleaned_by_call + w[i].cleaned_at_end < iterations / 2);
        }
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Test 2: error indicators and handled-exception state are per thread */

static pthread_barrier_t err_barrier;
static long err_rounds;

struct err_worker {
    int index;
    pthread_t thread;
};

static PyObject *exc_class_of(int index)
{
    switch (index % 4) {
    case 0:
        return PyExc_KeyError;
    case 1:
        return PyExc_ValueError;
    case 2:
        return PyExc_TypeError;
    default:
        return PyExc_OverflowError;
    }
}

/* Whether the pending exception is `type` with message "t<index> r<round>" (left pending). */
static int pending_is(PyObject *type, int index, long round)
{
    PyObject *t, *v, *tb;
    char expected[64];
    int ok;
    PyErr_Fetch(&t, &v, &tb);
    snprintf(expected, sizeof expected, "t%d r%ld", index, round);
    ok = t == type && v != NULL && PyUnicode_Check(v) &&
         PyUnicode_CompareWithASCIIString(v, expected) == 0;
    PyErr_Restore(t, v, tb);
    return ok;
}

static void *error_thread(void *arg)
{
    struct err_worker *w = (struct err_worker *)arg;
    PyObject *mine = exc_class_of(w->index), *t, *v, *tb, *handled;
    long round;
    int setter;
    tl_thread = w->index;
    for (round = 0; round < err_rounds; round++) {
        tl_iter = round;
        setter = (int)(round % NTHREADS);
        /* One thread sets its error; at the barrier the others see none and set theirs. */
        if (w->index == setter) {
            PyErr_Format(mine, "t%d r%ld", w->index, round);
        }
        pthread_barrier_wait(&err_barrier);
        if (w->index != setter) {
            TCHECK(PyErr_Occurred() == NULL);
            PyErr_Format(mine, "t%d r%ld", w->index, round);
        }
        /* The handled exception ("except" state) is per thread too. */
        handled = PyLong_FromLong(w->index * 1000 + round);
        PyErr_SetExcInfo(Py_NewRef(mine), handled, NULL);
        pthread_barrier_wait(&err_barrier);
        /* Everyone still sees exactly its own, though all four are set now. */
        TCHECK(PyErr_Occurred() == mine);
        TCHECK(pending_is(mine, w->index, round));
        PyErr_GetExcInfo(&t, &v, &tb);
        TCHECK(t == mine);
        TCHECK(v != NULL && native_long(v) == w->index * 1000 + round);
        TCHECK(tb == NULL);
        Py_XDECREF(t);
        Py_XDECREF(v);
        Py_XDECREF(tb);
        PyErr_SetExcInfo(NULL, NULL, NULL);
        /* Cleared here while the next thread is still checking its own. */
        if (w->index == setter) {
            PyErr_Clear();
        }
        pthread_barrier_wait(&err_barrier);
        if (w->index != setter) {
            TCHECK(pending_is(mine, w->index, round));
            PyErr_Clear();
        }
        TCHECK(PyErr_Occurred() == NULL);
    }
    tl_iter = -1;
    /* Leave one set at exit: the thread state releases it. */
    PyErr_Format(mine, "left at exit by t%d", w->index);
    return NULL;
}

static void test_error_indicator_is_per_thread(void)
{
    struct err_worker w[NTHREADS];
    int i, started = 0;
    atomic_store(&worker_failures, 0);
    /* The main thread's own error survives everything the workers do. */
    PyErr_SetString(PyExc_MemoryError, "main");
    REQUIRE(pthread_barrier_init(&err_barrier, NULL, NTHREADS) == 0);
    for (i = 0; i < NTHREADS; i++) {
        w[i].index = i;
        if (pthread_create(&w[i].thread, NULL, error_thread, &w[i]) != 0) {
            break;
        }
        started++;
    }
    if (!CHECK_EQ_INT(started, NTHREADS)) {
        abort(); /* a barrier short of threads would hang */
    }
    for (i = 0; i < NTHREADS; i++) {
        pthread_join(w[i].thread, NULL);
    }
    pthread_barrier_destroy(&err_barrier);
    CHECK_EXC(PyExc_MemoryError, "main");
    CHECK_EQ_INT(atomic_load(&worker_failures), 0);
}

/* ------------------------------------------------------------------------------------------ */
/* Test 3: objects made on one thread, finished and released on another */

#define QUEUE_CAP 64

struct queue {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    PyObject *items[QUEUE_CAP];
    int head, count;
    int closed;
};

static void queue_init(struct queue *q)
{
    memset(q, 0, sizeof *q);
    pthread_mutex_init(&q->lock, NULL);
    pthread_cond_init(&q->cond, NULL);
}

static void queue_destroy(struct queue *q)
{
    pthread_mutex_destroy(&q->lock);
    pthread_cond_destroy(&q->cond);
}

static void queue_push(struct queue *q, PyObject *o)
{
    pthread_mutex_lock(&q->lock);
    while (q->count == QUEUE_CAP) {
        pthread_cond_wait(&q->cond, &q->lock);
    }
    q->items[(q->head + q->count) % QUEUE_CAP] = o;
    q->count++;
    pthread_cond_broadcast(&q->cond);
    pthread_mutex_unlock(&q->lock);
}

static void queue_close(struct queue *q)
{
    pthread_mutex_lock(&q->lock);
    q->closed = 1;
    pthread_cond_broadcast(&q->cond);
    pthread_mutex_unlock(&q->lock);
}

/* The next object, or NULL once the queue is closed and empty. */
static PyObject *queue_pop(struct queue *q)
{
    PyObject *o = NULL;
    pthread_mutex_lock(&q->lock);
    while (q->count == 0 && !q->closed) {
        pthread_cond_wait(&q->cond, &q->lock);
    }
    if (q->count > 0) {
        o = q->items[q->head];
        q->head = (q->head + 1) % QUEUE_CAP;
        q->count--;
        pthread_cond_broadcast(&q->cond);
    }
    pthread_mutex_unlock(&q->lock);
    return o;
}

#define NPAIRS (NTHREADS / 2)

static struct queue handoff_queues[NPAIRS];
static pthread_barrier_t handoff_done; /* producers wait here for the consumers */
static long handoff_items;             /* per producer */

struct handoff_worker {
    int index;  /* pair number */
    pthread_t thread;
    long consumed;
    long closes_seen; /* leaf/gen/agen closes counted on the consumer */
};

/*
 * The producer: makes objects of four kinds, drives each partway, and hands a tuple
 * (kind, seed, object[, awaitable]) to its consumer. Its collector stays disabled while the
 * consumer may be using its objects (the contract); it exits after the consumer is done.
 */
static void *producer_thread(void *arg)
{
    struct handoff_worker *w = (struct handoff_worker *)arg;
    struct queue *q = &handoff_queues[w->index];
    long i, seed;
    PyObject *o, *r, *aw, *item;
    tl_thread = w->index;
    TCHECK_EQ(PyGC_Disable(), 1);
    for (i = 0; i < handoff_items; i++) {
        tl_iter = i;
        seed = 500000 + (long)w->index * 100000 + i;
        item = NULL;
        aw = NULL;
        switch (i % 4) {
        case 0: /* an await chain suspended in its leaf */
            o = make(outer_body, CO_COROUTINE, "outer", seed);
            r = NULL;
            TCHECK(o != NULL && PyIter_Send(o, Py_None, &r) == PYGEN_NEXT);
            TCHECK_LONG(r, seed);
            break;
        case 1: /* a generator that yielded 0 */
            o = make(deleg_body, CO_GENERATOR, "deleg", 4);
            TCHECK(o != NULL);
            TCHECK_LONG(o != NULL ? PyIter_Next(o) : NULL, 0);
            break;
        case 2: /* an async generator whose first asend is suspended in the await */
            o = make(agen_body, CO_ASYNC_GENERATOR, "agen", seed);
            TCHECK(o != NULL);
            if (o != NULL) {
                NATIVE_STATE(frame_of(o))[2] = 3;
                aw = asend_of(o, Py_None);
                r = NULL;
                TCHECK(aw != NULL && PyIter_Send(aw, Py_None, &r) == PYGEN_NEXT);
                TCHECK_LONG(r, seed);
            }
            break;
        default: /* a self-cycle the consumer drops */
            o = make(cycle_body, CO_COROUTINE, "cycle", seed);
            TCHECK(o != NULL);
            if (o != NULL) {
                NATIVE_STATE(frame_of(o))[1] = CYCLE_HANDOFF;
                r = NULL;
                TCHECK_EQ(PyIter_Send(o, Py_None, &r), PYGEN_NEXT);
                Py_XDECREF(r);
                atomic_fetch_add(&handoff_cycles_made, 1);
            }
            break;
        }
        if (o != NULL) {
            item = aw != NULL ? Py_BuildValue("(llNN)", i % 4, seed, o, aw)
                              : Py_BuildValue("(llN)", i % 4, seed, o);
        }
        TCHECK_NO_EXC();
        if (TCHECK(item != NULL)) {
            queue_push(q, item);
        }
    }
    tl_iter = -1;
    queue_close(q);
    pthread_barrier_wait(&handoff_done);
    /* Nothing of ours is in use now. */
    PyGC_Enable();
    PyGC_Collect();
    return NULL;
}

static void *consumer_thread(void *arg)
{
    struct handoff_worker *w = (struct handoff_worker *)arg;
    struct queue *q = &handoff_queues[w->index];
    PyObject *item, *o, *aw, *r, *v;
    long kind, seed, before;
    tl_thread = NPAIRS + w->index;
    memset(&tl, 0, sizeof tl);
    while ((item = queue_pop(q)) != NULL) {
        tl_iter = w->consumed;
        kind = native_long(PyTuple_GetItem(item, 0));
        seed = native_long(PyTuple_GetItem(item, 1));
        o = PyTuple_GetItem(item, 2);
        r = NULL;
        switch (kind) {
        case 0:
            if ((w->consumed / 4) % 2 == 0) {
                v = PyLong_FromLong(1);
                TCHECK_EQ(PyIter_Send(o, v, &r), PYGEN_RETURN);
                TCHECK_LONG(r, 2 * seed + 3);
                Py_XDECREF(v);
            } else {
                before = tl.leaf_closed;
                r = call_close(o);
                TCHECK(r == Py_None);
                Py_XDECREF(r);
                TCHECK_EQ(tl.leaf_closed, before + 1);
            }
            break;
        case 1:
            TCHECK_LONG(PyIter_Next(o), 1);
            TCHECK_LONG(PyIter_Next(o), 2);
            TCHECK_EQ(PyIter_Send(o, Py_None, &r), PYGEN_NEXT);
            TCHECK_LONG(r, 3);
            r = NULL;
            TCHECK_EQ(PyIter_Send(o, Py_None, &r), PYGEN_RETURN);
            TCHECK_LONG(r, 400);
            break;
        case 2: {
            int stopped;
            aw = PyTuple_GetItem(item, 3);
            v = PyLong_FromLong(5);
            TCHECK_EQ(PyIter_Send(aw, v, &r), PYGEN_RETURN);
            TCHECK_LONG(r, 2 * seed + 5);
            Py_XDECREF(v);
            TCHECK_EQ(asend_value(o, Py_None, &stopped), 2 * seed + 15);
            before = tl.agen_closed;
            aw = aclose_of(o);
            r = NULL;
            TCHECK(aw != NULL && PyIter_Send(aw, Py_None, &r) == PYGEN_RETURN);
            Py_XDECREF(r);
            Py_XDECREF(aw);
            TCHECK_EQ(tl.agen_closed, before + 1);
            break;
        }
        default:
            /* Dropped here; the cycle stays in the producer's generations. */
            break;
        }
        TCHECK_NO_EXC();
        Py_DECREF(item);
        w->consumed++;
    }
    tl_iter = -1;
    w->closes_seen = tl.leaf_closed + tl.agen_closed;
    /* Collecting here (our own objects only) is allowed even while producers are alive. */
    PyGC_Collect();
    pthread_barrier_wait(&handoff_done);
    return NULL;
}

static void test_objects_handed_between_threads(void)
{
    struct handoff_worker producers[NPAIRS], consumers[NPAIRS];
    int i, started = 0;
    long before_cleaned;
    atomic_store(&worker_failures, 0);
    atomic_store(&handoff_cycles_made, 0);
    atomic_store(&handoff_cycles_cleaned, 0);
    memset(producers, 0, sizeof producers);
    memset(consumers, 0, sizeof consumers);
    REQUIRE(pthread_barrier_init(&handoff_done, NULL, 2 * NPAIRS) == 0);
    for (i = 0; i < NPAIRS; i++) {
        queue_init(&handoff_queues[i]);
    }
    for (i = 0; i < NPAIRS; i++) {
        producers[i].index = i;
        consumers[i].index = i;
        if (pthread_create(&producers[i].thread, NULL, producer_thread, &producers[i]) != 0 ||
            pthread_create(&consumers[i].thread, NULL, consumer_thread, &consumers[i]) != 0) {
            break;
        }
        started++;
    }
    if (!CHECK_EQ_INT(started, NPAIRS)) {
        abort(); /* a barrier short of threads would hang */
    }
    for (i = 0; i < NPAIRS; i++) {
        pthread_join(producers[i].thread, NULL);
        pthread_join(consumers[i].thread, NULL);
    }
    pthread_barrier_destroy(&handoff_done);
    for (i = 0; i < NPAIRS; i++) {
        queue_destroy(&handoff_queues[i]);
    }
    CHECK_EQ_INT(atomic_load(&worker_failures), 0);
    for (i = 0; i < NPAIRS; i++) {
        long closes = 0, k;
        CHECK_EQ_INT(consumers[i].consumed, handoff_items);
        for (k = 0; k < handoff_items; k++) {
            /* kind 0 items alternate send/close; kind 2 always aclose. */
            closes += (k % 4 == 2) + (k % 4 == 0 && (k / 4) % 2 == 1);
        }
        CHECK_EQ_INT(consumers[i].closes_seen, closes);
    }
    /* The producers collected their own cycles before they exited; anything else is the
     * main thread's to adopt now. */
    before_cleaned = atomic_load(&handoff_cycles_cleaned);
    PyGC_Collect();
    CHECK(atomic_load(&handoff_cycles_cleaned) >= before_cleaned);
    CHECK_EQ_INT(atomic_load(&handoff_cycles_cleaned), atomic_load(&handoff_cycles_made));
    CHECK_EQ_INT(atomic_load(&handoff_cycles_made), NPAIRS * ((handoff_items + 0) / 4));
    CHECK_EQ_INT(PyGC_Collect(), 0);
}

/* ------------------------------------------------------------------------------------------ */
/* Test 4: objects left by a thread that has exited (with collection disabled, as the contract
 * asks of a thread that hands objects over) are used by one live thread while another runs
 * full collections. A collection examines only its own thread's objects, so the orphans are
 * never touched by it (an earlier design adopted them and crashed here). */

#define ORPHANS 1000

static PyObject *orphan_items[ORPHANS];
static atomic_int orphans_done;

/* Yields 50 times, each time replacing its slots with fresh tuples; returns 50. */
static int churn_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    long *st = NATIVE_STATE(f);
    PyObject *t;
    if (arg == NULL) {
        return PYNATIVE_ERROR;
    }
    if (st[0] < 50) {
        t = PyTuple_Pack(1, arg);
        Py_XSETREF(NATIVE_SLOT(f, 0), t);
        Py_XSETREF(NATIVE_SLOT(f, 1), t != NULL ? PyTuple_Pack(2, t, t) : NULL);
        st[0]++;
        NATIVE_YIELD(f, 0, Py_NewRef(NATIVE_SLOT(f, 1) != NULL ? NATIVE_SLOT(f, 1) : Py_None));
    }
    *out = PyLong_FromLong(st[0]);
    return PYNATIVE_RETURN;
}

static void *orphan_producer(void *unused)
{
    int i;
    (void)unused;
    tl_thread = 0;
    PyGC_Disable();
    for (i = 0; i < ORPHANS; i++) {
        PyObject *c = native_new(churn_body, CO_COROUTINE, "churn", 4), *r = NULL;
        TCHECK(c != NULL && PyIter_Send(c, Py_None, &r) == PYGEN_NEXT);
        Py_XDECREF(r);
        orphan_items[i] = c != NULL ? PyTuple_Pack(1, c) : NULL;
        Py_XDECREF(c);
    }
    return NULL; /* what it tracked becomes orphans */
}

static void *orphan_user(void *unused)
{
    int i, status;
    (void)unused;
    tl_thread = 1;
    for (i = 0; i < ORPHANS; i++) {
        PyObject *c, *r = NULL;
        tl_iter = i;
        if (orphan_items[i] == NULL) {
            continue;
        }
        c = Py_NewRef(PyTuple_GetItem(orphan_items[i], 0));
        Py_CLEAR(orphan_items[i]);
        while ((status = PyIter_Send(c, Py_None, &r)) == PYGEN_NEXT) {
            Py_XDECREF(r);
            r = NULL;
        }
        TCHECK_EQ(status, PYGEN_RETURN);
        TCHECK_LONG(r, 50);
        Py_DECREF(c);
    }
    atomic_store(&orphans_done, 1);
    return NULL;
}

static void *orphan_collector(void *unused)
{
    (void)unused;
    tl_thread = 2;
    while (!atomic_load(&orphans_done)) {
        PyGC_Collect();
        sched_yield();
    }
    return NULL;
}

static int on_valgrind(void);

static void test_orphans_used_while_another_thread_collects(void)
{
    pthread_t p, u, c;
    int round, rounds = on_valgrind() ? 1 : 10;
    atomic_store(&worker_failures, 0);
    for (round = 0; round < rounds; round++) {
        atomic_store(&orphans_done, 0);
        REQUIRE(pthread_create(&p, NULL, orphan_producer, NULL) == 0);
        pthread_join(p, NULL);
        REQUIRE(pthread_create(&c, NULL, orphan_collector, NULL) == 0);
        REQUIRE(pthread_create(&u, NULL, orphan_user, NULL) == 0);
        pthread_join(u, NULL);
        pthread_join(c, NULL);
    }
    CHECK_EQ_INT(atomic_load(&worker_failures), 0);
}

/* ------------------------------------------------------------------------------------------ */
/* A deliberate race, built in only by tests/threads_tsan.rs (-DTHREADS_TSAN_CANARY) to prove
 * that ThreadSanitizer still reports races through pycoro objects although libpycoro itself
 * is not instrumented: a coroutine is published with a relaxed store (no happens-before), so
 * the seed its creator wrote into the frame state races with the body reading it on the other
 * thread. */

#ifdef THREADS_TSAN_CANARY
static _Atomic(PyObject *) canary_slot;

static void *canary_thread(void *unused)
{
    PyObject *c, *r = NULL, *v;
    (void)unused;
    while ((c = atomic_load_explicit(&canary_slot, memory_order_relaxed)) == NULL) {
        sched_yield();
    }
    TCHECK_EQ(PyIter_Send(c, Py_None, &r), PYGEN_NEXT);
    TCHECK_LONG(r, 77);
    r = NULL;
    v = PyLong_FromLong(1);
    TCHECK_EQ(PyIter_Send(c, v, &r), PYGEN_RETURN);
    TCHECK_LONG(r, 2 * 77 + 3);
    Py_XDECREF(v);
    Py_DECREF(c);
    return NULL;
}

static void test_tsan_canary(void)
{
    pthread_t th;
    PyObject *c;
    atomic_store(&worker_failures, 0);
    REQUIRE(pthread_create(&th, NULL, canary_thread, NULL) == 0);
    c = make(outer_body, CO_COROUTINE, "outer", 77);
    CHECK(c != NULL);
    atomic_store_explicit(&canary_slot, c, memory_order_relaxed);
    pthread_join(th, NULL);
    CHECK_EQ_INT(atomic_load(&worker_failures), 0);
}
#endif

/* ------------------------------------------------------------------------------------------ */
/* Code objects shared by every thread (README "Threading contract"): made immortal with
 * PyNative_SetImmortal, then SHARE_THREADS threads at once create frames, coroutines and
 * generators of the same two code objects, run them (a yield, then a return or an exception
 * with its traceback), read their names, code and origin, and free them. Without the
 * immortalization this corrupted the heap within seconds (the frames' and generators'
 * reference counting of the code, its name and its filename raced). */

#define SHARE_THREADS 8

static PyCodeObject *shared_coro_code, *shared_gen_code;
static PyObject *shared_globals; /* passed to every PyFrame_New, made immortal too */
static pthread_barrier_t share_barrier;

static int shared_coro_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    if (arg == NULL) {
        return PYNATIVE_ERROR;
    }
    if (f->f_lasti == -1) {
        f->f_lineno = 11;
        NATIVE_YIELD(f, 0, PyLong_FromLong(1));
    }
    f->f_lineno = 12;
    if (arg == Py_True) {
        PyErr_SetString(PyExc_ValueError, "from a shared code object");
        return PYNATIVE_ERROR;
    }
    *out = PyLong_FromLong(2);
    return *out != NULL ? PYNATIVE_RETURN : PYNATIVE_ERROR;
}

static int shared_gen_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    if (arg == NULL) {
        return PYNATIVE_ERROR;
    }
    if (f->f_lasti < 2) {
        NATIVE_YIELD(f, f->f_lasti + 1, PyLong_FromLong(f->f_lasti + 1));
    }
    *out = Py_NewRef(Py_None);
    return PYNATIVE_RETURN;
}

static void shared_code_round(long i)
{
    PyObject *c, *res = NULL, *o;
    PyFrameObject *f = PyFrame_New(NULL, shared_coro_code, shared_globals, NULL);
    if (!TCHECK(f != NULL)) {
        PyErr_Clear();
        return;
    }
    c = PyCoro_New(f, NULL, NULL);
    if (!TCHECK(c != NULL)) {
        PyErr_Clear();
        return;
    }
    TCHECK_EQ(PyIter_Send(c, Py_None, &res), PYGEN_NEXT);
    Py_XDECREF(res);
    if (i % 4 == 0) {
        /* Names and code handed out by the coroutine and its frame: C code changes their
         * reference counts (immortal: never written). */
        PyCodeObject *code = PyFrame_GetCode(f);
        TCHECK(code == shared_coro_code);
        Py_XDECREF(code);
        o = PyObject_GetAttrString(c, "__name__");
        TCHECK(o != NULL && PyUnicode_CompareWithASCIIString(o, "shared_coro") == 0);
        Py_XDECREF(o);
        o = PyObject_GetAttrString(c, "cr_code");
        TCHECK(o == (PyObject *)shared_coro_code);
        Py_XDECREF(o);
        o = PyObject_Repr(c);
        TCHECK(o != NULL);
        Py_XDECREF(o);
    }
    if (i % 2 == 0) {
        /* An exception leaves the frame: a traceback entry (frame, code's filename) is made. */
        TCHECK_EQ(PyIter_Send(c, Py_True, &res), PYGEN_ERROR);
        TCHECK_EXC(PyExc_ValueError, "from a shared code object");
    }
    else {
        TCHECK_EQ(PyIter_Send(c, Py_None, &res), PYGEN_RETURN);
        TCHECK_EQ(PyLong_AsLong(res), 2);
        Py_XDECREF(res);
    }
    Py_DECREF(c);

    f = PyFrame_New(NULL, shared_gen_code, shared_globals, NULL);
    if (!TCHECK(f != NULL)) {
        PyErr_Clear();
        return;
    }
    c = PyGen_New(f);
    if (!TCHECK(c != NULL)) {
        PyErr_Clear();
        return;
    }
    o = PyIter_Next(c);
    TCHECK_EQ(PyLong_AsLong(o), 1);
    Py_XDECREF(o);
    if (i % 3 != 0) {
        o = PyIter_Next(c);
        TCHECK_EQ(PyLong_AsLong(o), 2);
        Py_XDECREF(o);
    }
    Py_DECREF(c); /* closes it when suspended */
    TCHECK(PyErr_Occurred() == NULL);
}

static void *shared_code_thread(void *arg)
{
    long i;
    PyGILState_STATE g = PyGILState_Ensure();
    tl_thread = (int)(intptr_t)arg;
    /* Half the threads track coroutine origins: cr_origin holds the shared code's names. */
    if (tl_thread % 2 == 0) {
        PyThreadState_Get()->coroutine_origin_tracking_depth = 3;
    }
    pthread_barrier_wait(&share_barrier);
    for (i = 0; i < iterations; i++) {
        tl_iter = i;
        shared_code_round(i);
    }
    PyThreadState_Get()->coroutine_origin_tracking_depth = 0;
    PyGILState_Release(g);
    return NULL;
}

static void test_shared_code_objects(void)
{
    pthread_t th[SHARE_THREADS];
    Py_ssize_t refcnt;
    int i;
    shared_coro_code =
        PyNative_NewCode(shared_coro_body, "shared_coro", "shared.c", 10, CO_COROUTINE, 2, 0);
    shared_gen_code =
        PyNative_NewCode(shared_gen_body, "shared_gen", "shared.c", 20, CO_GENERATOR, 1, 0);
    shared_globals = PyUnicode_FromString("globals of the shared code");
    REQUIRE(shared_coro_code != NULL && shared_gen_code != NULL && shared_globals != NULL);
#ifndef THREADS_SHARE_MORTAL
    CHECK_EQ_INT(PyNative_SetImmortal((PyObject *)shared_coro_code), 0);
    CHECK_EQ_INT(PyNative_SetImmortal((PyObject *)shared_gen_code), 0);
    CHECK_EQ_INT(PyNative_SetImmortal(shared_globals), 0);
    CHECK(Py_REFCNT(shared_coro_code) >= PYNATIVE_IMMORTAL_MIN);
    CHECK(Py_REFCNT(shared_coro_code->co_name) >= PYNATIVE_IMMORTAL_MIN);
    CHECK(Py_REFCNT(shared_coro_code->co_filename) >= PYNATIVE_IMMORTAL_MIN);
#endif
    /* THREADS_SHARE_MORTAL (tests/threads_tsan.rs's canary for an instrumented libpycoro)
     * breaks the contract: the code objects stay mortal, their reference counts race. */
    refcnt = Py_REFCNT(shared_coro_code);
    atomic_store(&worker_failures, 0);
    REQUIRE(pthread_barrier_init(&share_barrier, NULL, SHARE_THREADS) == 0);
    for (i = 0; i < SHARE_THREADS; i++) {
        REQUIRE(pthread_create(&th[i], NULL, shared_code_thread, (void *)(intptr_t)i) == 0);
    }
    for (i = 0; i < SHARE_THREADS; i++) {
        pthread_join(th[i], NULL);
    }
    pthread_barrier_destroy(&share_barrier);
    CHECK_EQ_INT(atomic_load(&worker_failures), 0);
#ifndef THREADS_SHARE_MORTAL
    /* Nothing wrote the shared objects' counts. */
    CHECK_EQ_INT(Py_REFCNT(shared_coro_code), refcnt);
    CHECK_EQ_INT(Py_REFCNT(shared_gen_code), refcnt);
#endif
    /* The process keeps them (valgrind sees them as reachable); this reference is a no-op. */
    Py_DECREF(shared_coro_code);
    Py_DECREF(shared_gen_code);
    Py_DECREF(shared_globals);
    printf("  shared code objects: %d threads x %ld rounds\n", SHARE_THREADS, iterations);
}

/* ------------------------------------------------------------------------------------------ */

static int on_valgrind(void)
{
#ifdef HAVE_VALGRIND_H
    if (RUNNING_ON_VALGRIND) {
        return 1;
    }
#endif
    {
        /* valgrind preloads its vgpreload_*.so into the program. */
        const char *preload = getenv("LD_PRELOAD");
        return preload != NULL && strstr(preload, "vgpreload") != NULL;
    }
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(void)
{
    const char *override = getenv("PYCORO_THREADS_ITERATIONS");
    double t0;
    iterations = on_valgrind() ? 1000 : 5000;
    if (override != NULL && atol(override) > 0) {
        iterations = atol(override);
    }
    err_rounds = iterations < 400 ? 100 : 400;
    handoff_items = iterations / 2;
    /* Nothing is used on the main thread first: the threads race to every lazy first use. */

    t0 = now_seconds();
    RUN(test_concurrent_workload);
    printf("  (workload: %.2f s)\n", now_seconds() - t0);
    RUN(test_error_indicator_is_per_thread);
    t0 = now_seconds();
    RUN(test_objects_handed_between_threads);
    printf("  (handoff: %.2f s)\n", now_seconds() - t0);
    RUN(test_orphans_used_while_another_thread_collects);
    t0 = now_seconds();
    RUN(test_shared_code_objects);
    printf("  (shared code: %.2f s)\n", now_seconds() - t0);
#ifdef THREADS_TSAN_CANARY
    RUN(test_tsan_canary);
#endif
    printf("threads x operations: %d x %ld\n", NTHREADS, iterations);
    return HARNESS_SUMMARY();
}
