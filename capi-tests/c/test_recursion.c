/*
 * The recursion limit (issue "Never crash", items 1 and 3): Py_GetRecursionLimit,
 * Py_SetRecursionLimit, Py_EnterRecursiveCall / Py_LeaveRecursiveCall (functions and Python.h's
 * macros), _Py_CheckRecursiveCall, and what counts against the limit: resuming a generator or
 * coroutine (one level while its frame runs), repr(), str(), rich comparison and calls of
 * built-in functions.
 *
 * The expected depths are CPython 3.10.13's, measured by embedding libpython3.10 and driving
 * Python generators/coroutines from C with PyIter_Send at depth 0: a chain of coroutines each
 * awaiting the next (or generators each `yield from` the next) runs 1000 levels; entering the
 * 1001st frame raises RecursionError("maximum recursion depth exceeded"), that generator is
 * finished without running (gi_frame None) and the traceback has 1000 entries. Through
 * `g.send(None)` (a call of a built-in method, one more level) 999 levels run. Nested tuples
 * from C: repr() fails from 1000 levels ("... while getting the repr of an object"), == and <
 * from 1001 ("... in comparison"); hash() has no limit in CPython (it crashes near a million
 * levels); pycoro hashes nested tuples without recursion and gives CPython's value.
 *
 * Before the fix, a chain of 100,000 coroutines crashed on one PyIter_Send and
 * repr/compare/hash of a 100,000-deep tuple crashed: those cases run last, each in a child
 * process (fork) so that a crash fails that test only.
 */
#include "harness.h"
#include "native.h"

#include <sys/wait.h>
#include <unistd.h>

#define LIMIT_DEFAULT 1000

static int depth(void)
{
    return PyThreadState_Get()->recursion_depth;
}

/* The pending exception must be `type` with str() == `text`; returns it (new reference,
 * normalized; its traceback attached) or NULL. */
static PyObject *take_exc(PyObject *type, const char *text, const char *file, int line)
{
    PyObject *t, *v, *tb;
    PyErr_Fetch(&t, &v, &tb);
    if (!harness_check(t != NULL, "an exception is pending", file, line)) {
        return NULL;
    }
    PyErr_NormalizeException(&t, &v, &tb);
    if (tb != NULL) {
        PyException_SetTraceback(v, tb);
    }
    if (!harness_check(PyErr_GivenExceptionMatches(v, type), "exception type", file, line)) {
        harness_print_object("got", v);
    } else if (text != NULL) {
        harness_check_text(PyObject_Str(v), text, "str(exception)", file, line);
    }
    Py_XDECREF(t);
    Py_XDECREF(tb);
    return v;
}
#define TAKE_EXC(type, text) take_exc((type), (text), __FILE__, __LINE__)

static long traceback_length(PyObject *exc)
{
    PyObject *tb = PyException_GetTraceback(exc);
    long n = 0;
    PyObject *t = tb;
    while (t != NULL && t != Py_None) {
        n++;
        t = (PyObject *)((PyTracebackObject *)t)->tb_next;
    }
    Py_XDECREF(tb);
    return n;
}

/* ---- the API ---------------------------------------------------------------------------- */

static void test_limit_get_set(void)
{
    CHECK_EQ_INT(Py_GetRecursionLimit(), LIMIT_DEFAULT);
    Py_SetRecursionLimit(50);
    CHECK_EQ_INT(Py_GetRecursionLimit(), 50);
    /* As in CPython 3.10: stored as given (sys.setrecursionlimit validates, this does not). */
    Py_SetRecursionLimit(0);
    CHECK_EQ_INT(Py_GetRecursionLimit(), 0);
    Py_SetRecursionLimit(-7);
    CHECK_EQ_INT(Py_GetRecursionLimit(), -7);
    Py_SetRecursionLimit(LIMIT_DEFAULT);
    CHECK_EQ_INT(depth(), 0);
}

/* An exception taken out of the indicator while the limit leaves no room to look at it (its
 * str() is a level too), checked once the limit is back. */
struct taken {
    PyObject *t, *v, *tb;
};

static struct taken take(void)
{
    struct taken k;
    PyErr_Fetch(&k.t, &k.v, &k.tb);
    return k;
}

static void check_taken(struct taken k, PyObject *type, const char *msg, const char *file,
                        int line)
{
    PyErr_Restore(k.t, k.v, k.tb);
    harness_check_exc(type, msg, "taken exception", file, line);
}
#define CHECK_TAKEN(k, type, msg) check_taken((k), (type), (msg), __FILE__, __LINE__)

/* Measured on 3.10.13 with limit 5: five enters succeed, the sixth returns 1 with the error set
 * and leaves the depth at 5, and so does every further one (no low-water mark in 3.10). */
static void enter_leave_with(int (*enter)(const char *), void (*leave)(void))
{
    int i, start = depth(), r[9], d[4];
    struct taken k[3];
    Py_SetRecursionLimit(start + 5);
    for (i = 0; i < 5; i++) {
        r[i] = enter(" X");
    }
    d[0] = depth();
    r[5] = enter(" while doing X");
    k[0] = take();
    d[1] = depth();
    r[6] = enter("");
    k[1] = take();
    r[7] = enter(NULL);
    k[2] = take();
    d[2] = depth();
    leave();
    d[3] = depth();
    r[8] = enter("");
    Py_SetRecursionLimit(LIMIT_DEFAULT);
    for (i = 0; i < 5; i++) {
        CHECK_EQ_INT(r[i], 0);
    }
    CHECK_EQ_INT(d[0], start + 5);
    CHECK_EQ_INT(r[5], 1);
    CHECK_TAKEN(k[0], PyExc_RecursionError, "maximum recursion depth exceeded while doing X");
    CHECK_EQ_INT(d[1], start + 5);
    CHECK_EQ_INT(r[6], 1);
    CHECK_TAKEN(k[1], PyExc_RecursionError, "maximum recursion depth exceeded");
    CHECK_EQ_INT(r[7], 1);
    CHECK_TAKEN(k[2], PyExc_RecursionError, "maximum recursion depth exceeded");
    CHECK_EQ_INT(d[2], start + 5);
    CHECK_EQ_INT(d[3], start + 4);
    CHECK_EQ_INT(r[8], 0);
    for (i = 0; i < 5; i++) {
        leave();
    }
    CHECK_EQ_INT(depth(), start);
}

static int enter_macro(const char *where)
{
    return Py_EnterRecursiveCall(where);
}

static void leave_macro(void)
{
    Py_LeaveRecursiveCall();
}

static int enter_function(const char *where)
{
    return (Py_EnterRecursiveCall)(where);
}

static void leave_function(void)
{
    (Py_LeaveRecursiveCall)();
}

static void test_enter_leave_functions(void)
{
    enter_leave_with(enter_function, leave_function);
}

static void test_enter_leave_macros(void)
{
    enter_leave_with(enter_macro, leave_macro);
}

static void test_enter_at_zero_and_negative_limits(void)
{
    int r1, r2, d1, d2;
    struct taken k1, k2;
    /* 3.10.13: with limit 0 (or -7) the first enter fails and the depth stays 0. */
    Py_SetRecursionLimit(0);
    r1 = Py_EnterRecursiveCall("");
    k1 = take();
    d1 = depth();
    Py_SetRecursionLimit(-7);
    r2 = (Py_EnterRecursiveCall)(" y");
    k2 = take();
    d2 = depth();
    Py_SetRecursionLimit(LIMIT_DEFAULT);
    CHECK_EQ_INT(r1, 1);
    CHECK_TAKEN(k1, PyExc_RecursionError, "maximum recursion depth exceeded");
    CHECK_EQ_INT(d1, 0);
    CHECK_EQ_INT(r2, 1);
    CHECK_TAKEN(k2, PyExc_RecursionError, "maximum recursion depth exceeded y");
    CHECK_EQ_INT(d2, 0);
    /* Leaving below zero is not checked (3.10.13: the depth becomes -1). */
    Py_LeaveRecursiveCall();
    CHECK_EQ_INT(depth(), -1);
    CHECK_EQ_INT(Py_EnterRecursiveCall(""), 0);
    CHECK_EQ_INT(depth(), 0);
}

static void test_check_recursive_call(void)
{
    PyThreadState *ts = PyThreadState_Get();
    int r1, r2, d1, d2;
    struct taken k;
    Py_SetRecursionLimit(3);
    ts->recursion_depth = 3;
    r1 = _Py_CheckRecursiveCall(ts, " Z");
    d1 = ts->recursion_depth;
    ts->recursion_depth = 4;
    r2 = _Py_CheckRecursiveCall(ts, " Z");
    k = take();
    d2 = ts->recursion_depth;
    ts->recursion_depth = 0;
    Py_SetRecursionLimit(LIMIT_DEFAULT);
    CHECK_EQ_INT(r1, 0);
    CHECK_EQ_INT(d1, 3);
    CHECK_EQ_INT(r2, -1);
    CHECK_TAKEN(k, PyExc_RecursionError, "maximum recursion depth exceeded Z");
    CHECK_EQ_INT(d2, 3);
}

/* While a RecursionError is being made (recursion_headroom set), checks pass up to 50 levels
 * past the limit (3.10.13: limit 5, depth 30 -> Py_EnterRecursiveCall returns 0). One more and
 * 3.10.13 aborts ("Fatal Python error: _Py_CheckRecursiveCall: Cannot recover from stack
 * overflow."); pycoro raises RecursionError with that message instead. */
static void test_headroom(void)
{
    PyThreadState *ts = PyThreadState_Get();
    int r1, r2, d1, d2;
    struct taken k;
    Py_SetRecursionLimit(5);
    ts->recursion_headroom = 1;
    ts->recursion_depth = 30;
    r1 = Py_EnterRecursiveCall("");
    d1 = ts->recursion_depth;
    ts->recursion_depth = 55;
    r2 = Py_EnterRecursiveCall("");
    k = take();
    d2 = ts->recursion_depth;
    ts->recursion_headroom = 0;
    ts->recursion_depth = 0;
    Py_SetRecursionLimit(LIMIT_DEFAULT);
    CHECK_EQ_INT(r1, 0);
    CHECK_EQ_INT(d1, 31);
    CHECK_EQ_INT(r2, 1);
    CHECK_EQ_INT(d2, 55);
    CHECK_TAKEN(k, PyExc_RecursionError, "Cannot recover from stack overflow.");
}

/* The RecursionError chains the exception being handled as __context__, as any raise. */
static void test_recursion_error_context(void)
{
    PyObject *handled = PyObject_CallFunction(PyExc_KeyError, "s", "k"), *e, *ctx;
    REQUIRE(handled != NULL);
    PyErr_SetExcInfo(Py_NewRef((PyObject *)Py_TYPE(handled)), handled, NULL);
    Py_SetRecursionLimit(0);
    CHECK_EQ_INT(Py_EnterRecursiveCall(""), 1);
    Py_SetRecursionLimit(LIMIT_DEFAULT);
    e = TAKE_EXC(PyExc_RecursionError, "maximum recursion depth exceeded");
    ctx = e != NULL ? PyException_GetContext(e) : NULL;
    CHECK_EQ_PTR(ctx, handled);
    Py_XDECREF(ctx);
    Py_XDECREF(e);
    PyErr_SetExcInfo(NULL, NULL, NULL);
}

/* ---- chains of generators and coroutines ------------------------------------------------ */

/* A chain: level n (NATIVE_STATE[0], from 1; also its f_lineno) creates level n + 1 and
 * delegates to it (await or yield from), until `chain_len`; the innermost yields its level.
 * Resumed with a value, a level returns its level; with an exception, it counts it and
 * re-raises. */
static long chain_len;
static int chain_flags = CO_COROUTINE;
static int chain_status = PYNATIVE_AWAIT;
static long chain_starts, chain_max, chain_genexit, chain_errors, chain_returns;
static long chain_watch_level;
static PyObject *chain_watched;

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
        if (st[0] > chain_max) {
            chain_max = st[0];
        }
        if (st[0] < chain_len) {
            PyObject *next = chain_new(st[0] + 1);
            if (next == NULL) {
                return PYNATIVE_ERROR;
            }
            if (st[0] + 1 == chain_watch_level) {
                chain_watched = Py_NewRef(next);
            }
            f->f_lasti = 1;
            *out = next;
            return chain_status;
        }
        NATIVE_YIELD(f, 2, PyLong_FromLong(st[0]));
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
        chain_returns++;
        *out = PyLong_FromLong(st[0]);
        return PYNATIVE_RETURN;
    }
    PyErr_SetString(PyExc_SystemError, "bad label");
    return PYNATIVE_ERROR;
}

static PyObject *chain_new(long level)
{
    PyFrameObject *f = native_frame(chain_body, chain_flags, "chain", 1);
    if (f == NULL) {
        return NULL;
    }
    NATIVE_STATE(f)[0] = level;
    f->f_lineno = (int)level;
    if (chain_flags & CO_COROUTINE) {
        return PyCoro_New(f, NULL, NULL);
    }
    return PyGen_New(f);
}

static void chain_reset(long len, int flags, int status)
{
    chain_len = len;
    chain_flags = flags;
    chain_status = status;
    chain_starts = chain_max = chain_genexit = chain_errors = chain_returns = 0;
    chain_watch_level = 0;
    chain_watched = NULL;
}

#define FRAME_OF(g) (((PyGenObject *)(g))->gi_frame)

enum how { BY_ITER_SEND, BY_ITERNEXT, BY_SEND_METHOD };

/* Starts a chain of `len` levels with `how`; checks that `runs` levels ran and level runs + 1
 * was finished by RecursionError without running, with `runs` traceback entries. */
static void check_chain_limit(int flags, int status, enum how how, long runs)
{
    PyObject *top, *r = NULL, *e;
    int s;
    chain_reset(5000, flags, status);
    chain_watch_level = runs + 1;
    top = chain_new(1);
    REQUIRE(top != NULL);
    switch (how) {
    case BY_ITER_SEND:
        s = PyIter_Send(top, Py_None, &r);
        CHECK_EQ_INT(s, PYGEN_ERROR);
        break;
    case BY_ITERNEXT:
        r = PyIter_Next(top);
        CHECK(r == NULL);
        break;
    case BY_SEND_METHOD:
        r = PyObject_CallMethod(top, "send", "(O)", Py_None);
        CHECK(r == NULL);
        break;
    }
    Py_XDECREF(r);
    e = TAKE_EXC(PyExc_RecursionError, "maximum recursion depth exceeded");
    CHECK_EQ_INT(chain_starts, runs);
    CHECK_EQ_INT(chain_max, runs);
    CHECK_EQ_INT(chain_errors, runs);
    if (e != NULL) {
        CHECK_EQ_INT(traceback_length(e), runs);
    }
    Py_XDECREF(e);
    CHECK_EQ_INT(depth(), 0);
    /* The level that hit the limit never ran, and is finished. */
    CHECK(chain_watched != NULL);
    if (chain_watched != NULL) {
        CHECK(FRAME_OF(chain_watched) == NULL);
        Py_CLEAR(chain_watched);
    }
    CHECK(FRAME_OF(top) == NULL);
    Py_DECREF(top);
}

static void test_await_chain_stops_at_the_limit(void)
{
    check_chain_limit(CO_COROUTINE, PYNATIVE_AWAIT, BY_ITER_SEND, 1000);
}

static void test_yield_from_chain_stops_at_the_limit(void)
{
    check_chain_limit(CO_GENERATOR, PYNATIVE_YIELD_FROM, BY_ITER_SEND, 1000);
    check_chain_limit(CO_GENERATOR, PYNATIVE_YIELD_FROM, BY_ITERNEXT, 1000);
}

/* g.send() is a call of a built-in method: one more level (3.10.13: 999 levels run). */
static void test_send_method_costs_a_level(void)
{
    check_chain_limit(CO_GENERATOR, PYNATIVE_YIELD_FROM, BY_SEND_METHOD, 999);
    check_chain_limit(CO_COROUTINE, PYNATIVE_AWAIT, BY_SEND_METHOD, 999);
}

/* Levels already used by the caller count: from depth 100, 900 levels run. */
static void test_chain_from_a_depth(void)
{
    int i;
    for (i = 0; i < 100; i++) {
        CHECK_EQ_INT(Py_EnterRecursiveCall(""), 0);
    }
    {
        PyObject *top, *r = NULL, *e;
        chain_reset(5000, CO_COROUTINE, PYNATIVE_AWAIT);
        top = chain_new(1);
        REQUIRE(top != NULL);
        CHECK_EQ_INT(PyIter_Send(top, Py_None, &r), PYGEN_ERROR);
        e = TAKE_EXC(PyExc_RecursionError, "maximum recursion depth exceeded");
        CHECK_EQ_INT(chain_starts, 900);
        Py_XDECREF(e);
        Py_DECREF(top);
    }
    CHECK_EQ_INT(depth(), 100);
    for (i = 0; i < 100; i++) {
        Py_LeaveRecursiveCall();
    }
    CHECK_EQ_INT(depth(), 0);
}

/* A raised limit lets a longer chain run; a chain at the limit is thrown into and closed
 * (throw and close go down the chain without counting levels, as CPython's do). */
static void test_chain_within_the_limit(void)
{
    PyObject *top, *r = NULL;
    Py_SetRecursionLimit(1500);
    chain_reset(1400, CO_COROUTINE, PYNATIVE_AWAIT);
    top = chain_new(1);
    REQUIRE(top != NULL);
    CHECK_EQ_INT(PyIter_Send(top, Py_None, &r), PYGEN_NEXT);
    CHECK_EQ_INT(native_long(r), 1400);
    Py_CLEAR(r);
    CHECK_EQ_INT(PyIter_Send(top, Py_None, &r), PYGEN_RETURN);
    CHECK_EQ_INT(native_long(r), 1);
    CHECK_EQ_INT(chain_returns, 1400);
    Py_CLEAR(r);
    Py_DECREF(top);
    Py_SetRecursionLimit(LIMIT_DEFAULT);

    chain_reset(1000, CO_GENERATOR, PYNATIVE_YIELD_FROM);
    top = chain_new(1);
    REQUIRE(top != NULL);
    CHECK_EQ_INT(PyIter_Send(top, Py_None, &r), PYGEN_NEXT);
    Py_CLEAR(r);
    r = call_throw(top, 1, PyExc_KeyError);
    CHECK(r == NULL);
    CHECK_EXC(PyExc_KeyError, NULL);
    CHECK_EQ_INT(chain_errors, 1000);
    Py_DECREF(top);

    chain_reset(1000, CO_COROUTINE, PYNATIVE_AWAIT);
    top = chain_new(1);
    REQUIRE(top != NULL);
    CHECK_EQ_INT(PyIter_Send(top, Py_None, &r), PYGEN_NEXT);
    Py_CLEAR(r);
    r = call_close(top);
    CHECK_EQ_PTR(r, Py_None);
    Py_XDECREF(r);
    CHECK_EQ_INT(chain_genexit, 1000);
    Py_DECREF(top);
    CHECK_EQ_INT(depth(), 0);
}

/* A suspended generator resumed past the limit is finished by it (3.10.13: gi_frame None),
 * without running; a handled exception of its own becomes the RecursionError's context. */
static int suspended_runs;
static int suspended_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    suspended_runs++;
    if (arg == NULL) {
        return PYNATIVE_ERROR;
    }
    NATIVE_YIELD(f, 1, Py_NewRef(Py_None));
}

static void test_suspended_generator_past_the_limit(void)
{
    PyObject *g = NATIVE_GEN(suspended_body, "susp"), *r = NULL, *e, *ctx;
    REQUIRE(g != NULL);
    CHECK_EQ_INT(PyIter_Send(g, Py_None, &r), PYGEN_NEXT);
    Py_CLEAR(r);
    {
        PyGenObject *gen = (PyGenObject *)g;
        gen->gi_exc_state.exc_type = Py_NewRef(PyExc_KeyError);
        gen->gi_exc_state.exc_value = PyObject_CallFunction(PyExc_KeyError, "s", "mine");
    }
    Py_SetRecursionLimit(0);
    CHECK_EQ_INT(PyIter_Send(g, Py_None, &r), PYGEN_ERROR);
    Py_SetRecursionLimit(LIMIT_DEFAULT);
    e = TAKE_EXC(PyExc_RecursionError, "maximum recursion depth exceeded");
    ctx = e != NULL ? PyException_GetContext(e) : NULL;
    CHECK_REPR(ctx, "KeyError('mine')");
    Py_XDECREF(ctx);
    CHECK_EQ_INT(e != NULL ? traceback_length(e) : -1, 0);
    Py_XDECREF(e);
    CHECK_EQ_INT(suspended_runs, 1);
    CHECK(FRAME_OF(g) == NULL);
    CHECK(((PyGenObject *)g)->gi_exc_state.exc_value == NULL);
    /* Finished: a further send is an exhausted generator's. */
    CHECK_EQ_INT(PyIter_Send(g, Py_None, &r), PYGEN_RETURN);
    CHECK_EQ_PTR(r, Py_None);
    Py_CLEAR(r);
    Py_DECREF(g);
    CHECK_EQ_INT(depth(), 0);
}

/* ---- repr, str, comparison, hash of nested tuples ---------------------------------------- */

static PyObject *nested(long levels, PyObject *core)
{
    PyObject *t = core;
    long i;
    for (i = 0; i < levels && t != NULL; i++) {
        PyObject *u = PyTuple_New(1);
        if (u == NULL) {
            Py_DECREF(t);
            return NULL;
        }
        PyTuple_SET_ITEM(u, 0, t);
        t = u;
    }
    return t;
}

#define REPR_MSG "maximum recursion depth exceeded while getting the repr of an object"
#define CMP_MSG "maximum recursion depth exceeded in comparison"

static void test_tuple_repr_and_compare_thresholds(void)
{
    long k;
    for (k = 998; k <= 1002; k++) {
        PyObject *a = nested(k, PyTuple_New(0)), *b = nested(k, PyTuple_New(0));
        PyObject *ai = nested(k, PyLong_FromLong(5)), *bi = nested(k, PyLong_FromLong(5));
        PyObject *r;
        REQUIRE(a != NULL && b != NULL && ai != NULL && bi != NULL);
        r = PyObject_Repr(a);
        if (k < 1000) {
            CHECK(r != NULL);
        } else {
            CHECK(r == NULL);
            CHECK_EXC(PyExc_RecursionError, REPR_MSG);
        }
        Py_XDECREF(r);
        r = PyObject_Str(a);
        if (k < 1000) {
            CHECK(r != NULL);
        } else {
            CHECK(r == NULL);
            CHECK_EXC(PyExc_RecursionError, REPR_MSG);
        }
        Py_XDECREF(r);
        r = PyObject_RichCompare(a, b, Py_EQ);
        if (k <= 1000) {
            CHECK_EQ_PTR(r, Py_True);
        } else {
            CHECK(r == NULL);
            CHECK_EXC(PyExc_RecursionError, CMP_MSG);
        }
        Py_XDECREF(r);
        r = PyObject_RichCompare(ai, bi, Py_LT);
        if (k <= 1000) {
            CHECK_EQ_PTR(r, Py_False);
        } else {
            CHECK(r == NULL);
            CHECK_EXC(PyExc_RecursionError, CMP_MSG);
        }
        Py_XDECREF(r);
        CHECK_EQ_INT(PyObject_RichCompareBool(ai, bi, Py_EQ), k <= 1000 ? 1 : -1);
        if (k > 1000) {
            CHECK_EXC(PyExc_RecursionError, CMP_MSG);
        }
        CHECK_EQ_INT(depth(), 0);
        Py_DECREF(a);
        Py_DECREF(b);
        Py_DECREF(ai);
        Py_DECREF(bi);
    }
}

static void test_tuple_repr_text(void)
{
    PyObject *t = nested(3, PyLong_FromLong(7)), *pair = Py_BuildValue("(ii)", 1, 2);
    REQUIRE(t != NULL && pair != NULL);
    CHECK_REPR(t, "(((7,),),)");
    CHECK_REPR(pair, "(1, 2)");
    Py_DECREF(t);
    Py_DECREF(pair);
}

/* Values measured with 3.10.13: hash of () nested 3 and 1000 deep, and of 5 nested 2. */
static void test_tuple_hash_values(void)
{
    PyObject *t;
    t = nested(3, PyTuple_New(0));
    CHECK_EQ_INT(PyObject_Hash(t), -2010042300121347165LL);
    Py_DECREF(t);
    t = nested(2, PyLong_FromLong(5));
    CHECK_EQ_INT(PyObject_Hash(t), -7433009310021463504LL);
    Py_DECREF(t);
    t = nested(1000, PyTuple_New(0));
    CHECK_EQ_INT(PyObject_Hash(t), 7274986465327559225LL);
    Py_DECREF(t);
    /* 100,000 deep: in test_deep_tuple_repr_compare_hash (it crashed before). */
    CHECK_EQ_INT(depth(), 0);
}

/* ---- the crashes of before: each in a child process --------------------------------------- */

static int in_child(void (*fn)(void))
{
    pid_t pid;
    int status = 0;
    fflush(stdout);
    fflush(stderr);
    pid = fork();
    if (pid == 0) {
        harness_test_failures = 0;
        fn();
        if (PyErr_Occurred() != NULL) {
            harness_check_no_exc(__FILE__, __LINE__);
        }
        fflush(stdout);
        exit(harness_test_failures == 0 ? 0 : 1);
    }
    if (pid < 0 || waitpid(pid, &status, 0) != pid) {
        printf("  fork/wait failed\n");
        return 0;
    }
    if (WIFSIGNALED(status)) {
        printf("  the child was killed by signal %d\n", WTERMSIG(status));
        return 0;
    }
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}
#define IN_CHILD(fn) harness_check(in_child(fn), "child " #fn " passed", __FILE__, __LINE__)

static void deep_await_chain(void)
{
    PyObject *top, *r = NULL;
    chain_reset(100000, CO_COROUTINE, PYNATIVE_AWAIT);
    top = chain_new(1);
    REQUIRE(top != NULL);
    CHECK_EQ_INT(PyIter_Send(top, Py_None, &r), PYGEN_ERROR);
    CHECK_EXC(PyExc_RecursionError, "maximum recursion depth exceeded");
    CHECK_EQ_INT(chain_starts, 1000);
    Py_DECREF(top);
}

static void test_deep_await_chain_raises(void)
{
    IN_CHILD(deep_await_chain);
}

static void deep_yield_from_chain(void)
{
    PyObject *top, *r;
    chain_reset(100000, CO_GENERATOR, PYNATIVE_YIELD_FROM);
    top = chain_new(1);
    REQUIRE(top != NULL);
    r = PyIter_Next(top);
    CHECK(r == NULL);
    CHECK_EXC(PyExc_RecursionError, "maximum recursion depth exceeded");
    CHECK_EQ_INT(chain_starts, 1000);
    Py_DECREF(top);
}

static void test_deep_yield_from_chain_raises(void)
{
    IN_CHILD(deep_yield_from_chain);
}

static void deep_tuple_repr_compare_hash(void)
{
    PyObject *a = nested(100000, PyTuple_New(0)), *b = nested(100000, PyTuple_New(0)), *r;
    REQUIRE(a != NULL && b != NULL);
    r = PyObject_Repr(a);
    CHECK(r == NULL);
    CHECK_EXC(PyExc_RecursionError, REPR_MSG);
    r = PyObject_Str(a);
    CHECK(r == NULL);
    CHECK_EXC(PyExc_RecursionError, REPR_MSG);
    r = PyObject_RichCompare(a, b, Py_EQ);
    CHECK(r == NULL);
    CHECK_EXC(PyExc_RecursionError, CMP_MSG);
    r = PyObject_RichCompare(a, b, Py_GE);
    CHECK(r == NULL);
    CHECK_EXC(PyExc_RecursionError, CMP_MSG);
    /* 3.10.13's value (CPython recurses; it crashes near a million levels). */
    CHECK_EQ_INT(PyObject_Hash(a), 226928516440299980LL);
    CHECK_EQ_INT(depth(), 0);
    Py_DECREF(a);
    Py_DECREF(b);
}

static void test_deep_tuple_repr_compare_hash(void)
{
    IN_CHILD(deep_tuple_repr_compare_hash);
}

int main(void)
{
    RUN(test_limit_get_set);
    RUN(test_enter_leave_functions);
    RUN(test_enter_leave_macros);
    RUN(test_enter_at_zero_and_negative_limits);
    RUN(test_check_recursive_call);
    RUN(test_headroom);
    RUN(test_recursion_error_context);
    RUN(test_await_chain_stops_at_the_limit);
    RUN(test_yield_from_chain_stops_at_the_limit);
    RUN(test_send_method_costs_a_level);
    RUN(test_chain_from_a_depth);
    RUN(test_chain_within_the_limit);
    RUN(test_suspended_generator_past_the_limit);
    RUN(test_tuple_repr_and_compare_thresholds);
    RUN(test_tuple_repr_text);
    RUN(test_tuple_hash_values);
    RUN(test_deep_await_chain_raises);
    RUN(test_deep_yield_from_chain_raises);
    RUN(test_deep_tuple_repr_compare_hash);
    return HARNESS_SUMMARY();
}
