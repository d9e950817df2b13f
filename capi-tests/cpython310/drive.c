/*
 * drive.c - native coroutines driven by a program compiled against CPython 3.10's OWN headers
 * (<Python.h> and <frameobject.h> from `$(pyenv prefix 3.10.13)/include/python3.10`) and
 * linked against libpycoro, never libpython. It proves the binary claim: code written for
 * CPython 3.10 (its macros, inline functions and struct layouts) runs unchanged on pycoro.
 *
 * CPython's headers do not know pycoro's native-frame extension, so this file declares it
 * itself, copied from include/pycoro.h (PyNative_Body, PYNATIVE_*, PyNative_NewCode,
 * PyNative_FrameState). Nothing else of pycoro's headers is used.
 *
 * What it exercises: an await chain outer -> middle -> inner (inner yields) driven with
 * PyIter_Send; throw() caught by the innermost frame and throw() propagating through the
 * chain; close() running the innermost frame's cleanup; close() of a coroutine never started;
 * sends that CPython refuses; a coroutine awaited twice; a generator delegating with
 * `yield from`; and inspection with CPython's macros and fields
 * (PyCoro_CheckExact, the PyCoroObject fields, f_lasti, f_state, f_stackdepth, f_valuestack, f_gen,
 * Py_REFCNT, cr_await, cr_running, __name__, __qualname__, repr); the recursion limit functions
 * of ceval.h and a type whose deallocator uses the header's Py_TRASHCAN_BEGIN/END macros.
 *
 * Prints one line per failed check and `N passed, N failed` last; exits 0 only when nothing
 * failed. capi-tests/tests/cpython_headers.rs builds and runs it (plain, valgrind, ASan/UBSan).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <frameobject.h>

#include <stdio.h>
#include <string.h>

/* ---- pycoro's native-frame extension, as declared in include/pycoro.h ---- */

typedef int (*PyNative_Body)(struct _frame *frame, PyObject *arg, PyObject **out);

#define PYNATIVE_RETURN 0
#define PYNATIVE_ERROR -1
#define PYNATIVE_YIELD 1
#define PYNATIVE_AWAIT 2
#define PYNATIVE_YIELD_FROM 3

PyCodeObject *PyNative_NewCode(PyNative_Body body, const char *name, const char *filename,
                               int firstlineno, int flags, int nslots, Py_ssize_t state_size);
void *PyNative_FrameState(PyFrameObject *frame);

/* ---- a tiny harness ---- */

static int passed;
static int failed;
static int test_failures;

#define FAIL_AT(what)                                                                          \
    do {                                                                                       \
        test_failures++;                                                                       \
        printf("  %s:%d: check failed: %s\n", __FILE__, __LINE__, (what));                    \
    } while (0)

#define CHECK(cond)                                                                            \
    do {                                                                                       \
        if (!(cond)) {                                                                         \
            FAIL_AT(#cond);                                                                    \
        }                                                                                      \
    } while (0)

/* Returns from the test function when cond is false (later code depends on it). */
#define REQUIRE(cond)                                                                          \
    do {                                                                                       \
        if (!(cond)) {                                                                         \
            FAIL_AT("required: " #cond);                                                       \
            return;                                                                            \
        }                                                                                      \
    } while (0)

#define CHECK_INT(actual, expected)                                                            \
    do {                                                                                       \
        long long a_ = (long long)(actual), e_ = (long long)(expected);                        \
        if (a_ != e_) {                                                                        \
            FAIL_AT(#actual " == " #expected);                                                 \
            printf("    actual:   %lld\n    expected: %lld\n", a_, e_);                        \
        }                                                                                      \
    } while (0)

#define CHECK_STR(actual, expected)                                                            \
    do {                                                                                       \
        const char *a_ = (actual), *e_ = (expected);                                           \
        if (a_ == NULL || strcmp(a_, e_) != 0) {                                               \
            FAIL_AT(#actual " == " #expected);                                                 \
            printf("    actual:   %s\n    expected: %s\n", a_ ? a_ : "(NULL)", e_);            \
        }                                                                                      \
    } while (0)

/* An exception of type `exc` is pending: check it and clear it. */
#define CHECK_EXC(exc)                                                                         \
    do {                                                                                       \
        CHECK(PyErr_Occurred() != NULL && PyErr_ExceptionMatches(exc));                        \
        PyErr_Clear();                                                                         \
    } while (0)

/* As CHECK_EXC, and str(exception) must be `msg`. */
#define CHECK_EXC_STR(exc, msg)                                                                \
    do {                                                                                       \
        char m_[256];                                                                          \
        CHECK(PyErr_Occurred() != NULL && PyErr_ExceptionMatches(exc));                        \
        CHECK_STR(take_exc_message(m_, sizeof m_), (msg));                                     \
    } while (0)

#define CHECK_NO_EXC() CHECK(PyErr_Occurred() == NULL)

/* Pops the pending exception; returns str() of it copied into `buf` ("" when none). */
static const char *take_exc_message(char *buf, size_t size)
{
    PyObject *type, *value, *tb, *str = NULL;
    const char *s = NULL;
    buf[0] = '\0';
    PyErr_Fetch(&type, &value, &tb);
    if (type == NULL) {
        return buf;
    }
    PyErr_NormalizeException(&type, &value, &tb);
    if (value != NULL) {
        str = PyObject_Str(value);
    }
    if (str != NULL) {
        s = PyUnicode_AsUTF8(str);
    }
    if (s != NULL) {
        snprintf(buf, size, "%s", s);
    }
    PyErr_Clear();
    Py_XDECREF(str);
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(tb);
    return buf;
}

static void run(void (*test)(void), const char *name)
{
    test_failures = 0;
    test();
    if (PyErr_Occurred() != NULL) {
        FAIL_AT("the test left an exception set");
        PyErr_Clear();
    }
    if (test_failures == 0) {
        passed++;
        printf("ok   %s\n", name);
    } else {
        failed++;
        printf("FAIL %s\n", name);
    }
    fflush(stdout);
}

#define RUN(test) run((test), #test)

/* ---- helpers ---- */

/* A new coroutine running `body`, named `name` (co_name; qualname too unless given). */
static PyObject *new_coro(PyNative_Body body, const char *name, const char *qualname)
{
    PyCodeObject *code = PyNative_NewCode(body, name, "drive.c", 10, CO_COROUTINE, 2, 16);
    PyFrameObject *frame;
    PyObject *qn = NULL;
    PyObject *coro;
    if (code == NULL) {
        return NULL;
    }
    frame = PyFrame_New(NULL, code, NULL, NULL);
    Py_DECREF(code);
    if (frame == NULL) {
        return NULL;
    }
    if (qualname != NULL) {
        qn = PyUnicode_FromString(qualname);
        if (qn == NULL) {
            Py_DECREF(frame);
            return NULL;
        }
    }
    /* Steals the frame, as in CPython. */
    coro = PyCoro_New(frame, NULL, qn);
    Py_XDECREF(qn);
    return coro;
}

static long as_long(PyObject *o)
{
    long v;
    if (o == NULL || !PyLong_Check(o)) {
        return -99999;
    }
    v = PyLong_AsLong(o);
    if (v == -1 && PyErr_Occurred()) {
        PyErr_Clear();
        return -99999;
    }
    return v;
}

/* A string attribute of `o` as a C string copied into `buf` ("" on failure, error cleared). */
static const char *str_attr(PyObject *o, const char *attr, char *buf, size_t size)
{
    PyObject *v = PyObject_GetAttrString(o, attr);
    const char *s;
    buf[0] = '\0';
    if (v == NULL) {
        PyErr_Clear();
        return buf;
    }
    s = PyUnicode_Check(v) ? PyUnicode_AsUTF8(v) : NULL;
    if (s != NULL) {
        snprintf(buf, size, "%s", s);
    }
    PyErr_Clear();
    Py_DECREF(v);
    return buf;
}

/* Pops a pending StopIteration and returns its `value` as a long (-99999 if not one). */
static long take_stop_value(void)
{
    PyObject *type, *value, *tb, *v;
    long result;
    if (!PyErr_ExceptionMatches(PyExc_StopIteration)) {
        return -99999;
    }
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    v = value != NULL ? PyObject_GetAttrString(value, "value") : NULL;
    result = as_long(v);
    Py_XDECREF(v);
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(tb);
    PyErr_Clear();
    return result;
}

/* ---- the bodies: outer awaits middle, middle awaits inner, inner yields ---- */

static int outer_runs;     /* times outer's body was entered */
static int inner_runs;     /* times inner's body was entered */
static int inner_cleanups; /* GeneratorExit seen by inner */
static int inner_saw_executing;
static int inner_saw_running;

/*
 * inner: yields 1. Resumed with a value v: returns v * 10. Resumed with KeyError thrown in:
 * yields 2, then returns 5. GeneratorExit: counts a cleanup and lets it propagate.
 */
static int inner_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    inner_runs++;
    switch (f->f_lasti) {
    case -1: {
        PyObject *running;
        if (arg == NULL) {
            return PYNATIVE_ERROR;
        }
        /* CPython's inline helper from <frameobject.h> on pycoro's frame. */
        inner_saw_executing = _PyFrame_IsExecuting(f) && f->f_gen != NULL &&
                              ((PyCoroObject *)f->f_gen)->cr_frame == f;
        running = PyObject_GetAttrString(f->f_gen, "cr_running");
        if (running == NULL) {
            return PYNATIVE_ERROR;
        }
        inner_saw_running = running == Py_True;
        Py_DECREF(running);
        f->f_lasti = 1;
        *out = PyLong_FromLong(1);
        return PYNATIVE_YIELD;
    }
    case 1:
        if (arg == NULL) {
            if (PyErr_ExceptionMatches(PyExc_KeyError)) {
                PyErr_Clear();
                f->f_lasti = 2;
                *out = PyLong_FromLong(2);
                return PYNATIVE_YIELD;
            }
            if (PyErr_ExceptionMatches(PyExc_GeneratorExit)) {
                inner_cleanups++;
            }
            return PYNATIVE_ERROR;
        }
        *out = PyLong_FromLong(as_long(arg) * 10);
        return PYNATIVE_RETURN;
    case 2:
        if (arg == NULL) {
            return PYNATIVE_ERROR;
        }
        *out = PyLong_FromLong(5);
        return PYNATIVE_RETURN;
    }
    PyErr_SetString(PyExc_SystemError, "inner: bad label");
    return PYNATIVE_ERROR;
}

/* middle: awaits a new inner coroutine; returns its result + 1. */
static int middle_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    switch (f->f_lasti) {
    case -1:
        if (arg == NULL) {
            return PYNATIVE_ERROR;
        }
        *out = new_coro(inner_body, "inner", NULL);
        if (*out == NULL) {
            return PYNATIVE_ERROR;
        }
        f->f_lasti = 1;
        return PYNATIVE_AWAIT;
    case 1:
        if (arg == NULL) {
            return PYNATIVE_ERROR;
        }
        *out = PyLong_FromLong(as_long(arg) + 1);
        return PYNATIVE_RETURN;
    }
    PyErr_SetString(PyExc_SystemError, "middle: bad label");
    return PYNATIVE_ERROR;
}

/* outer: awaits a new middle coroutine; returns its result * 2. */
static int outer_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    outer_runs++;
    switch (f->f_lasti) {
    case -1:
        if (arg == NULL) {
            return PYNATIVE_ERROR;
        }
        *out = new_coro(middle_body, "middle", NULL);
        if (*out == NULL) {
            return PYNATIVE_ERROR;
        }
        f->f_lasti = 1;
        return PYNATIVE_AWAIT;
    case 1:
        if (arg == NULL) {
            return PYNATIVE_ERROR;
        }
        *out = PyLong_FromLong(as_long(arg) * 2);
        return PYNATIVE_RETURN;
    }
    PyErr_SetString(PyExc_SystemError, "outer: bad label");
    return PYNATIVE_ERROR;
}

static void reset_counters(void)
{
    outer_runs = 0;
    inner_runs = 0;
    inner_cleanups = 0;
    inner_saw_executing = 0;
    inner_saw_running = 0;
}

/* ---- tests ---- */

/* A fresh coroutine, seen through CPython's struct fields and macros. */
static void test_fresh_coroutine(void)
{
    PyObject *c = new_coro(outer_body, "outer", NULL);
    PyObject *aw;
    PyFrameObject *f;
    char buf[128];
    REQUIRE(c != NULL);
    CHECK(PyCoro_CheckExact(c));
    CHECK(!PyGen_CheckExact(c));
    CHECK_INT(Py_REFCNT(c), 1);
    f = ((PyCoroObject *)c)->cr_frame;
    REQUIRE(f != NULL);
    CHECK(PyFrame_Check(f));
    CHECK_INT(Py_REFCNT(f), 1);
    CHECK_INT(f->f_lasti, -1);
    CHECK_INT(f->f_state, FRAME_CREATED);
    CHECK(_PyFrame_IsRunnable(f));
    CHECK(!_PyFrameHasCompleted(f));
    CHECK(f->f_gen == c);
    CHECK_INT(f->f_stackdepth, 0);
    CHECK(f->f_back == NULL);
    CHECK(f->f_code != NULL && (f->f_code->co_flags & CO_COROUTINE) != 0);
    CHECK(PyNative_FrameState(f) != NULL);
    CHECK(f->f_localsplus[0] == NULL && f->f_localsplus[1] == NULL);
    aw = PyObject_GetAttrString(c, "cr_await");
    CHECK(aw == Py_None);
    Py_XDECREF(aw);
    CHECK_STR(str_attr(c, "__name__", buf, sizeof buf), "outer");
    CHECK_STR(str_attr(c, "__qualname__", buf, sizeof buf), "outer");
    /* Closing a coroutine that never ran finishes it without entering its body. */
    reset_counters();
    {
        PyObject *r = PyObject_CallMethod(c, "close", NULL);
        CHECK(r == Py_None);
        Py_XDECREF(r);
    }
    CHECK_INT(outer_runs, 0);
    CHECK(((PyCoroObject *)c)->cr_frame == NULL);
    CHECK_NO_EXC();
    Py_DECREF(c);
}

/* __qualname__ given to PyCoro_New, and repr as CPython spells it. */
static void test_names_and_repr(void)
{
    PyObject *c = new_coro(outer_body, "run", "Outer.run");
    PyObject *repr;
    char buf[128];
    char expected[128];
    REQUIRE(c != NULL);
    CHECK_STR(str_attr(c, "__name__", buf, sizeof buf), "run");
    CHECK_STR(str_attr(c, "__qualname__", buf, sizeof buf), "Outer.run");
    repr = PyObject_Repr(c);
    REQUIRE(repr != NULL);
    snprintf(expected, sizeof expected, "<coroutine object Outer.run at %p>", (void *)c);
    CHECK_STR(PyUnicode_AsUTF8(repr), expected);
    Py_DECREF(repr);
    Py_XDECREF(PyObject_CallMethod(c, "close", NULL));
    Py_DECREF(c);
}

/* outer -> middle -> inner, driven by PyIter_Send; frames and cr_await while suspended. */
static void test_await_chain(void)
{
    PyObject *c = new_coro(outer_body, "outer", NULL);
    PyObject *r = NULL;
    PyObject *mid, *inn, *seven;
    PyFrameObject *f;
    char buf[128];
    REQUIRE(c != NULL);
    reset_counters();

    CHECK_INT(PyIter_Send(c, Py_None, &r), PYGEN_NEXT);
    CHECK_INT(as_long(r), 1);
    Py_XDECREF(r);
    CHECK_INT(inner_runs, 1);
    CHECK(inner_saw_executing);
    CHECK(inner_saw_running);

    f = ((PyCoroObject *)c)->cr_frame;
    REQUIRE(f != NULL);
    CHECK_INT(f->f_lasti, 1);
    CHECK_INT(f->f_state, FRAME_SUSPENDED);
    CHECK(_PyFrame_IsRunnable(f));
    CHECK(!_PyFrame_IsExecuting(f));
    /* The delegate sits on the value stack, as CPython 3.10 keeps it. */
    CHECK_INT(f->f_stackdepth, 1);

    mid = PyObject_GetAttrString(c, "cr_await");
    REQUIRE(mid != NULL);
    CHECK(PyCoro_CheckExact(mid));
    CHECK(f->f_valuestack != NULL && f->f_valuestack[0] == mid);
    /* Owned by outer's frame, plus our reference. */
    CHECK_INT(Py_REFCNT(mid), 2);
    CHECK_STR(str_attr(mid, "__qualname__", buf, sizeof buf), "middle");
    {
        PyFrameObject *mf = ((PyCoroObject *)mid)->cr_frame;
        CHECK(mf != NULL && mf->f_lasti == 1 && mf->f_state == FRAME_SUSPENDED);
        CHECK(mf != NULL && mf->f_gen == mid);
    }

    inn = PyObject_GetAttrString(mid, "cr_await");
    REQUIRE(inn != NULL);
    CHECK(PyCoro_CheckExact(inn));
    CHECK_STR(str_attr(inn, "__qualname__", buf, sizeof buf), "inner");
    {
        PyFrameObject *inf = ((PyCoroObject *)inn)->cr_frame;
        CHECK(inf != NULL && inf->f_lasti == 1 && inf->f_state == FRAME_SUSPENDED);
        CHECK(inf != NULL && inf->f_stackdepth == 0);
    }
    {
        PyObject *none = PyObject_GetAttrString(inn, "cr_await");
        CHECK(none == Py_None);
        Py_XDECREF(none);
    }

    seven = PyLong_FromLong(7);
    REQUIRE(seven != NULL);
    r = NULL;
    CHECK_INT(PyIter_Send(c, seven, &r), PYGEN_RETURN);
    CHECK_INT(as_long(r), (7 * 10 + 1) * 2);
    Py_XDECREF(r);
    Py_DECREF(seven);
    CHECK_NO_EXC();

    CHECK(((PyCoroObject *)c)->cr_frame == NULL);
    CHECK(((PyCoroObject *)mid)->cr_frame == NULL);
    CHECK(((PyCoroObject *)inn)->cr_frame == NULL);
    /* Only our references keep the finished delegates alive now. */
    CHECK_INT(Py_REFCNT(mid), 1);
    CHECK_INT(Py_REFCNT(inn), 1);
    {
        PyObject *none = PyObject_GetAttrString(c, "cr_await");
        CHECK(none == Py_None);
        Py_XDECREF(none);
    }
    Py_DECREF(inn);
    Py_DECREF(mid);
    CHECK_INT(Py_REFCNT(c), 1);
    Py_DECREF(c);
}

/* throw(KeyError) goes down the chain; inner catches it, yields 2, then returns 5. */
static void test_throw_caught(void)
{
    PyObject *c = new_coro(outer_body, "outer", NULL);
    PyObject *r = NULL;
    REQUIRE(c != NULL);
    reset_counters();
    CHECK_INT(PyIter_Send(c, Py_None, &r), PYGEN_NEXT);
    CHECK_INT(as_long(r), 1);
    Py_XDECREF(r);

    r = PyObject_CallMethod(c, "throw", "O", PyExc_KeyError);
    CHECK_INT(as_long(r), 2);
    Py_XDECREF(r);
    CHECK_NO_EXC();
    REQUIRE(((PyCoroObject *)c)->cr_frame != NULL);
    CHECK_INT(((PyCoroObject *)c)->cr_frame->f_state, FRAME_SUSPENDED);

    r = NULL;
    CHECK_INT(PyIter_Send(c, Py_None, &r), PYGEN_RETURN);
    CHECK_INT(as_long(r), (5 + 1) * 2);
    Py_XDECREF(r);
    CHECK(((PyCoroObject *)c)->cr_frame == NULL);
    Py_DECREF(c);
}

/* throw(ValueError) is not handled: it comes out of throw() and finishes every frame. */
static void test_throw_propagates(void)
{
    PyObject *c = new_coro(outer_body, "outer", NULL);
    PyObject *r = NULL;
    PyObject *mid;
    REQUIRE(c != NULL);
    reset_counters();
    CHECK_INT(PyIter_Send(c, Py_None, &r), PYGEN_NEXT);
    Py_XDECREF(r);
    mid = PyObject_GetAttrString(c, "cr_await");
    REQUIRE(mid != NULL);

    r = PyObject_CallMethod(c, "throw", "O", PyExc_ValueError);
    CHECK(r == NULL);
    Py_XDECREF(r);
    CHECK_EXC(PyExc_ValueError);
    CHECK(((PyCoroObject *)c)->cr_frame == NULL);
    CHECK(((PyCoroObject *)mid)->cr_frame == NULL);
    CHECK_INT(inner_cleanups, 0);

    /* A finished coroutine cannot be resumed. */
    r = NULL;
    CHECK_INT(PyIter_Send(c, Py_None, &r), PYGEN_ERROR);
    CHECK(r == NULL);
    CHECK_EXC_STR(PyExc_RuntimeError, "cannot reuse already awaited coroutine");
    Py_DECREF(mid);
    Py_DECREF(c);
}

/* close() sends GeneratorExit down the chain; inner's cleanup runs; close returns None. */
static void test_close_chain(void)
{
    PyObject *c = new_coro(outer_body, "outer", NULL);
    PyObject *r = NULL;
    PyObject *mid, *inn;
    REQUIRE(c != NULL);
    reset_counters();
    CHECK_INT(PyIter_Send(c, Py_None, &r), PYGEN_NEXT);
    Py_XDECREF(r);
    mid = PyObject_GetAttrString(c, "cr_await");
    REQUIRE(mid != NULL);
    inn = PyObject_GetAttrString(mid, "cr_await");
    REQUIRE(inn != NULL);

    r = PyObject_CallMethod(c, "close", NULL);
    CHECK(r == Py_None);
    Py_XDECREF(r);
    CHECK_NO_EXC();
    CHECK_INT(inner_cleanups, 1);
    CHECK(((PyCoroObject *)c)->cr_frame == NULL);
    CHECK(((PyCoroObject *)mid)->cr_frame == NULL);
    CHECK(((PyCoroObject *)inn)->cr_frame == NULL);

    /* Closing again is a no-op. */
    r = PyObject_CallMethod(c, "close", NULL);
    CHECK(r == Py_None);
    Py_XDECREF(r);
    CHECK_INT(inner_cleanups, 1);

    r = NULL;
    CHECK_INT(PyIter_Send(c, Py_None, &r), PYGEN_ERROR);
    CHECK_EXC_STR(PyExc_RuntimeError, "cannot reuse already awaited coroutine");
    Py_DECREF(inn);
    Py_DECREF(mid);
    Py_DECREF(c);
}

/* Sends CPython refuses: a value into a just-started coroutine. */
static void test_send_refused(void)
{
    PyObject *c = new_coro(outer_body, "outer", NULL);
    PyObject *r = NULL;
    PyObject *one = PyLong_FromLong(1);
    REQUIRE(c != NULL);
    REQUIRE(one != NULL);
    reset_counters();
    CHECK_INT(PyIter_Send(c, one, &r), PYGEN_ERROR);
    CHECK(r == NULL);
    CHECK_EXC_STR(PyExc_TypeError, "can't send non-None value to a just-started coroutine");
    CHECK_INT(outer_runs, 0);
    REQUIRE(((PyCoroObject *)c)->cr_frame != NULL);
    CHECK_INT(((PyCoroObject *)c)->cr_frame->f_state, FRAME_CREATED);
    CHECK_INT(((PyCoroObject *)c)->cr_frame->f_lasti, -1);

    /* It still runs normally afterwards. */
    CHECK_INT(PyIter_Send(c, Py_None, &r), PYGEN_NEXT);
    CHECK_INT(as_long(r), 1);
    Py_XDECREF(r);
    r = NULL;
    CHECK_INT(PyIter_Send(c, one, &r), PYGEN_RETURN);
    CHECK_INT(as_long(r), (10 + 1) * 2);
    Py_XDECREF(r);
    Py_DECREF(one);
    Py_DECREF(c);
}

/* StopIteration from throw(): the chain finishes while handling the thrown exception. */
static int finisher_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    switch (f->f_lasti) {
    case -1:
        if (arg == NULL) {
            return PYNATIVE_ERROR;
        }
        f->f_lasti = 1;
        *out = PyLong_FromLong(1);
        return PYNATIVE_YIELD;
    case 1:
        if (arg == NULL && PyErr_ExceptionMatches(PyExc_KeyError)) {
            PyErr_Clear();
            *out = PyLong_FromLong(42);
            return PYNATIVE_RETURN;
        }
        return PYNATIVE_ERROR;
    }
    PyErr_SetString(PyExc_SystemError, "finisher: bad label");
    return PYNATIVE_ERROR;
}

static void test_throw_returns(void)
{
    PyObject *c = new_coro(finisher_body, "finisher", NULL);
    PyObject *r = NULL;
    REQUIRE(c != NULL);
    CHECK_INT(PyIter_Send(c, Py_None, &r), PYGEN_NEXT);
    Py_XDECREF(r);
    r = PyObject_CallMethod(c, "throw", "O", PyExc_KeyError);
    CHECK(r == NULL);
    Py_XDECREF(r);
    CHECK_INT(take_stop_value(), 42);
    CHECK_NO_EXC();
    CHECK(((PyCoroObject *)c)->cr_frame == NULL);
    Py_DECREF(c);
}

/* Object slots and raw state of a native frame, read through CPython's PyFrameObject. */
static int counter_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    long *state = (long *)PyNative_FrameState(f);
    if (arg == NULL) {
        return PYNATIVE_ERROR;
    }
    if (f->f_lasti == -1) {
        f->f_localsplus[0] = PyLong_FromLong(1000000);
        if (f->f_localsplus[0] == NULL) {
            return PYNATIVE_ERROR;
        }
    }
    if (state[0] == 3) {
        *out = Py_NewRef(f->f_localsplus[0]);
        return PYNATIVE_RETURN;
    }
    state[0]++;
    f->f_lasti = (int)state[0];
    *out = PyLong_FromLong(1000000 + state[0]);
    return PYNATIVE_YIELD;
}

static void test_slots_and_state(void)
{
    PyObject *c = new_coro(counter_body, "counter", NULL);
    PyObject *r = NULL;
    PyFrameObject *f;
    long i;
    REQUIRE(c != NULL);
    f = ((PyCoroObject *)c)->cr_frame;
    REQUIRE(f != NULL);
    for (i = 1; i <= 3; i++) {
        r = NULL;
        CHECK_INT(PyIter_Send(c, Py_None, &r), PYGEN_NEXT);
        CHECK_INT(as_long(r), 1000000 + i);
        /* A fresh int: ours alone. */
        CHECK(r != NULL && Py_REFCNT(r) == 1);
        Py_XDECREF(r);
        CHECK_INT(f->f_lasti, i);
        CHECK_INT(((long *)PyNative_FrameState(f))[0], i);
        CHECK(f->f_localsplus[0] != NULL && Py_REFCNT(f->f_localsplus[0]) == 1);
    }
    r = NULL;
    CHECK_INT(PyIter_Send(c, Py_None, &r), PYGEN_RETURN);
    CHECK_INT(as_long(r), 1000000);
    /* The frame is gone, the slot released: the return value is ours alone. */
    CHECK(r != NULL && Py_REFCNT(r) == 1);
    Py_XDECREF(r);
    CHECK(((PyCoroObject *)c)->cr_frame == NULL);
    Py_DECREF(c);
}

/* CPython's PyCoroObject fields, read directly. */
static void test_struct_fields(void)
{
    PyObject *c = new_coro(outer_body, "run", "Outer.run");
    PyCoroObject *co = (PyCoroObject *)c;
    REQUIRE(c != NULL);
    REQUIRE(co->cr_frame != NULL);
    CHECK(co->cr_code == (PyObject *)co->cr_frame->f_code);
    CHECK(co->cr_name != NULL && PyUnicode_Check(co->cr_name) &&
          PyUnicode_CompareWithASCIIString(co->cr_name, "run") == 0);
    CHECK(co->cr_qualname != NULL && PyUnicode_Check(co->cr_qualname) &&
          PyUnicode_CompareWithASCIIString(co->cr_qualname, "Outer.run") == 0);
    CHECK(co->cr_weakreflist == NULL);
    CHECK(co->cr_exc_state.exc_type == NULL && co->cr_exc_state.exc_value == NULL &&
          co->cr_exc_state.exc_traceback == NULL);
    CHECK(co->cr_origin == NULL);
    Py_XDECREF(PyObject_CallMethod(c, "close", NULL));
    Py_DECREF(c);
}

/* awaiter: awaits the coroutine in `awaitee` (a borrowed global), returns its result. */
static PyObject *awaitee;

static int awaiter_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    switch (f->f_lasti) {
    case -1:
        if (arg == NULL) {
            return PYNATIVE_ERROR;
        }
        f->f_lasti = 1;
        *out = Py_NewRef(awaitee);
        return PYNATIVE_AWAIT;
    case 1:
        if (arg == NULL) {
            return PYNATIVE_ERROR;
        }
        *out = Py_NewRef(arg);
        return PYNATIVE_RETURN;
    }
    PyErr_SetString(PyExc_SystemError, "awaiter: bad label");
    return PYNATIVE_ERROR;
}

/*
 * A coroutine that is itself awaiting something cannot be awaited a second time: CPython's
 * GET_AWAITABLE raises RuntimeError("coroutine is being awaited already"). (One suspended at a
 * plain yield can: CPython only looks at what the coroutine delegates to.)
 */
static void test_awaited_twice(void)
{
    PyObject *mid = new_coro(middle_body, "middle", NULL);
    PyObject *a1 = new_coro(awaiter_body, "a1", NULL);
    PyObject *a2 = new_coro(awaiter_body, "a2", NULL);
    PyObject *r = NULL;
    PyObject *three;
    REQUIRE(mid != NULL && a1 != NULL && a2 != NULL);
    awaitee = mid;
    CHECK_INT(PyIter_Send(a1, Py_None, &r), PYGEN_NEXT);
    CHECK_INT(as_long(r), 1);
    Py_XDECREF(r);
    r = NULL;
    CHECK_INT(PyIter_Send(a2, Py_None, &r), PYGEN_ERROR);
    CHECK(r == NULL);
    CHECK_EXC_STR(PyExc_RuntimeError, "coroutine is being awaited already");
    CHECK(((PyCoroObject *)a2)->cr_frame == NULL);
    /* a1 is undisturbed. */
    three = PyLong_FromLong(3);
    REQUIRE(three != NULL);
    CHECK_INT(PyIter_Send(a1, three, &r), PYGEN_RETURN);
    CHECK_INT(as_long(r), 31);
    Py_XDECREF(r);
    Py_DECREF(three);
    awaitee = NULL;
    Py_DECREF(a2);
    Py_DECREF(a1);
    Py_DECREF(mid);
}

/* Generators: `yield from` a native generator (PYNATIVE_YIELD_FROM), driven by PyIter_Next. */
static int numbers_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    if (arg == NULL) {
        return PYNATIVE_ERROR;
    }
    if (f->f_lasti == 2) {
        *out = PyLong_FromLong(100);
        return PYNATIVE_RETURN;
    }
    f->f_lasti++;
    *out = PyLong_FromLong(10 + f->f_lasti);
    return PYNATIVE_YIELD;
}

static PyObject *new_gen(PyNative_Body body, const char *name)
{
    PyCodeObject *code = PyNative_NewCode(body, name, "drive.c", 20, CO_GENERATOR, 1, 0);
    PyFrameObject *frame;
    if (code == NULL) {
        return NULL;
    }
    frame = PyFrame_New(NULL, code, NULL, NULL);
    Py_DECREF(code);
    return frame != NULL ? PyGen_New(frame) : NULL;
}

static int delegator_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    switch (f->f_lasti) {
    case -1:
        if (arg == NULL) {
            return PYNATIVE_ERROR;
        }
        *out = new_gen(numbers_body, "numbers");
        if (*out == NULL) {
            return PYNATIVE_ERROR;
        }
        f->f_lasti = 1;
        return PYNATIVE_YIELD_FROM;
    case 1:
        if (arg == NULL) {
            return PYNATIVE_ERROR;
        }
        /* Yields the delegate's return value, then finishes. */
        f->f_lasti = 2;
        *out = Py_NewRef(arg);
        return PYNATIVE_YIELD;
    case 2:
        if (arg == NULL) {
            return PYNATIVE_ERROR;
        }
        *out = Py_NewRef(Py_None);
        return PYNATIVE_RETURN;
    }
    PyErr_SetString(PyExc_SystemError, "delegator: bad label");
    return PYNATIVE_ERROR;
}

static void test_generator_yield_from(void)
{
    PyObject *g = new_gen(delegator_body, "delegator");
    PyObject *r, *yf;
    char buf[128];
    REQUIRE(g != NULL);
    CHECK(PyGen_CheckExact(g));
    CHECK(!PyCoro_CheckExact(g));
    CHECK(PyIter_Check(g));
    r = PyIter_Next(g);
    CHECK_INT(as_long(r), 10);
    Py_XDECREF(r);
    yf = PyObject_GetAttrString(g, "gi_yieldfrom");
    REQUIRE(yf != NULL);
    CHECK(PyGen_CheckExact(yf));
    CHECK_STR(str_attr(yf, "__name__", buf, sizeof buf), "numbers");
    Py_DECREF(yf);
    r = PyIter_Next(g);
    CHECK_INT(as_long(r), 11);
    Py_XDECREF(r);
    r = PyIter_Next(g);
    CHECK_INT(as_long(r), 12);
    Py_XDECREF(r);
    r = PyIter_Next(g);
    CHECK_INT(as_long(r), 100);
    Py_XDECREF(r);
    r = PyIter_Next(g);
    CHECK(r == NULL);
    CHECK_NO_EXC();
    CHECK(((PyGenObject *)g)->gi_frame == NULL);
    Py_DECREF(g);
}

/* ---- the recursion limit and the trashcan, through CPython 3.10's own declarations ---- */

/* ceval.h declares these as functions (its internal headers have the macros). */
static void test_recursion_limit(void)
{
    char m_[160];
    int limit = Py_GetRecursionLimit();
    CHECK(limit == 1000);
    Py_SetRecursionLimit(2);
    CHECK(Py_EnterRecursiveCall(" here") == 0);
    CHECK(Py_EnterRecursiveCall(" here") == 0);
    CHECK(Py_EnterRecursiveCall(" here") != 0);
    Py_SetRecursionLimit(limit);
    CHECK(PyErr_ExceptionMatches(PyExc_RecursionError));
    CHECK_STR(take_exc_message(m_, sizeof m_), "maximum recursion depth exceeded here");
    Py_LeaveRecursiveCall();
    Py_LeaveRecursiveCall();
    CHECK(PyThreadState_Get()->recursion_depth == 0);
}

/* A GC type whose tp_dealloc uses 3.10's Py_TRASHCAN_BEGIN / Py_TRASHCAN_END (which call
 * _PyTrash_cond, _PyTrash_begin and _PyTrash_end): a chain of 200,000 is freed with at most
 * PyTrash_UNWIND_LEVEL nested deallocators. */
typedef struct {
    PyObject_HEAD
    PyObject *next;
} Link;

static long link_depth, link_max_depth, link_freed;

static int link_traverse(PyObject *op, visitproc visit, void *arg)
{
    Py_VISIT(((Link *)op)->next);
    return 0;
}

static void link_dealloc(PyObject *op)
{
    PyObject_GC_UnTrack(op);
    Py_TRASHCAN_BEGIN(op, link_dealloc)
    if (++link_depth > link_max_depth) {
        link_max_depth = link_depth;
    }
    Py_CLEAR(((Link *)op)->next);
    link_depth--;
    link_freed++;
    PyObject_GC_Del(op);
    Py_TRASHCAN_END
}

static PyTypeObject Link_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "drive.Link",
    .tp_basicsize = sizeof(Link),
    .tp_dealloc = link_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_traverse = link_traverse,
};

static void test_trashcan(void)
{
    PyObject *prev = NULL;
    long i, n = 200000;
    CHECK(PyType_Ready(&Link_Type) == 0);
    for (i = 0; i < n; i++) {
        Link *l = PyObject_GC_New(Link, &Link_Type);
        if (l == NULL) {
            break;
        }
        l->next = prev;
        PyObject_GC_Track((PyObject *)l);
        prev = (PyObject *)l;
    }
    CHECK(i == n);
    Py_XDECREF(prev);
    CHECK(link_freed == n);
    CHECK(link_max_depth == PyTrash_UNWIND_LEVEL);
}

int main(void)
{
    /* pycoro's Py_Initialize only marks the runtime initialized. */
    Py_Initialize();
    RUN(test_fresh_coroutine);
    RUN(test_names_and_repr);
    RUN(test_await_chain);
    RUN(test_throw_caught);
    RUN(test_throw_propagates);
    RUN(test_close_chain);
    RUN(test_send_refused);
    RUN(test_throw_returns);
    RUN(test_slots_and_state);
    RUN(test_struct_fields);
    RUN(test_awaited_twice);
    RUN(test_generator_yield_from);
    RUN(test_recursion_limit);
    RUN(test_trashcan);
    if (Py_FinalizeEx() != 0) {
        printf("Py_FinalizeEx failed\n");
        failed++;
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
