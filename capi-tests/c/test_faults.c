/*
 * Faults from inside pycoro: panics (PyNative_InjectPanic) and allocation failures
 * (PyNative_SetAllocFailure / PyNative_AllocCount).
 *
 * A panic in Rust code never unwinds into C: the function's boundary turns it into SystemError
 * naming the function and returns the function's error value, and the next call works.
 *
 * Allocation failure: each scenario below is first run with counting on, which tells how many
 * allocations it makes; it is then run again once per allocation, failing that one. Every run
 * must end cleanly: either the scenario absorbed the failure, or the error that comes back is
 * MemoryError. Nothing may crash or leak (this program also runs under valgrind and ASan).
 */
#include "harness.h"
#include "native.h"

/* ---- panics ---- */

static void check_panic_error(const char *function)
{
    char expected[128];
    PyObject *t, *v, *tb, *s;
    snprintf(expected, sizeof expected, "%s: internal error: injected panic", function);
    PyErr_Fetch(&t, &v, &tb);
    CHECK_EQ_PTR(t, PyExc_SystemError);
    s = v != NULL ? PyObject_Str(v) : NULL;
    CHECK(s != NULL && strcmp(PyUnicode_AsUTF8(s), expected) == 0);
    if (s != NULL && strcmp(PyUnicode_AsUTF8(s), expected) != 0) {
        printf("    got: %s\n", PyUnicode_AsUTF8(s));
    }
    Py_XDECREF(s);
    Py_XDECREF(t);
    Py_XDECREF(v);
    Py_XDECREF(tb);
}

static int yield_forever_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    if (arg == NULL) {
        return PYNATIVE_ERROR;
    }
    NATIVE_YIELD(f, 0, Py_NewRef(Py_None));
}

static void test_panic_becomes_system_error(void)
{
    PyObject *t, *c, *res = NULL;
    PyNative_InjectPanic(1);
    CHECK(PyTuple_New(3) == NULL);
    check_panic_error("PyTuple_New");
    /* The next call works. */
    t = PyTuple_New(3);
    CHECK(t != NULL);
    Py_XDECREF(t);

    PyNative_InjectPanic(1);
    CHECK(PyUnicode_FromString("x") == NULL);
    check_panic_error("PyUnicode_FromString");

    c = NATIVE_CORO(yield_forever_body, "victim");
    REQUIRE(c != NULL);
    PyNative_InjectPanic(1);
    CHECK_EQ_INT(PyIter_Send(c, Py_None, &res), PYGEN_ERROR);
    CHECK(res == NULL);
    check_panic_error("PyIter_Send");
    /* The coroutine was not touched: it still runs. */
    CHECK_EQ_INT(PyIter_Send(c, Py_None, &res), PYGEN_NEXT);
    CHECK_EQ_PTR(res, Py_None);
    Py_XDECREF(res);
    Py_DECREF(c);

    PyNative_InjectPanic(1);
    CHECK_EQ_INT(PyObject_IsTrue(Py_True), -1);
    check_panic_error("PyObject_IsTrue");
    CHECK_EQ_INT(PyObject_IsTrue(Py_True), 1);
}

/* The countdown counts calls: the third call panics, not the first two. */
static void test_panic_countdown(void)
{
    PyObject *a, *b;
    PyNative_InjectPanic(3);
    a = PyLong_FromLong(100000);
    b = PyLong_FromLong(100001);
    CHECK(a != NULL && b != NULL);
    CHECK(PyLong_FromLong(100002) == NULL);
    check_panic_error("PyLong_FromLong");
    Py_XDECREF(a);
    Py_XDECREF(b);
    /* Disarmed by 0. */
    PyNative_InjectPanic(0);
    a = PyLong_FromLong(100003);
    CHECK(a != NULL);
    Py_XDECREF(a);
}

/* ---- allocation failure ---- */

static int failure_points;

/* Inner coroutine: yields "x", then raises ValueError("inner") when resumed. */
static int inner_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    if (arg == NULL) {
        return PYNATIVE_ERROR;
    }
    if (f->f_lasti == 0) {
        PyErr_SetString(PyExc_ValueError, "inner");
        return PYNATIVE_ERROR;
    }
    *out = PyUnicode_FromString("x");
    if (*out == NULL) {
        return PYNATIVE_ERROR;
    }
    f->f_lasti = 0;
    return PYNATIVE_YIELD;
}

/* Outer coroutine: awaits inner, catches its ValueError, builds a tuple, returns it. */
static int outer_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    if (f->f_lasti == -1) {
        PyObject *inner = NATIVE_CORO(inner_body, "inner");
        if (inner == NULL) {
            return PYNATIVE_ERROR;
        }
        NATIVE_AWAIT(f, 1, inner);
    }
    if (arg == NULL) {
        if (!PyErr_ExceptionMatches(PyExc_ValueError)) {
            return PYNATIVE_ERROR;
        }
        PyErr_Clear();
    }
    *out = Py_BuildValue("(is)", 42, "done");
    return *out != NULL ? PYNATIVE_RETURN : PYNATIVE_ERROR;
}

/* An await chain driven to its end: 1 when it finished, 0 when it failed with an exception
 * set. */
static int scenario_await_chain(void)
{
    PyObject *c = NATIVE_CORO(outer_body, "outer"), *res = NULL;
    int r;
    if (c == NULL) {
        return 0;
    }
    r = PyIter_Send(c, Py_None, &res);
    if (r == PYGEN_NEXT) {
        Py_DECREF(res);
        r = PyIter_Send(c, Py_None, &res);
    }
    Py_DECREF(c);
    if (r == PYGEN_ERROR) {
        return 0;
    }
    if (r != PYGEN_RETURN || !PyTuple_Check(res) || PyTuple_GET_SIZE(res) != 2) {
        PyErr_SetString(PyExc_AssertionError, "await chain: wrong result");
        Py_XDECREF(res);
        return 0;
    }
    Py_DECREF(res);
    return 1;
}

/* throw() with an instance, close() half-way, and a generator's traceback. */
static int scenario_throw_close(void)
{
    PyObject *c = NATIVE_CORO(outer_body, "outer"), *res = NULL, *r, *exc;
    if (c == NULL) {
        return 0;
    }
    if (PyIter_Send(c, Py_None, &res) != PYGEN_NEXT) {
        Py_DECREF(c);
        return 0;
    }
    Py_DECREF(res);
    exc = PyObject_CallFunction(PyExc_KeyError, "s", "k");
    if (exc == NULL) {
        Py_DECREF(c);
        return 0;
    }
    r = PyObject_CallMethod(c, "throw", "(O)", exc);
    Py_DECREF(exc);
    Py_XDECREF(r);
    if (r == NULL && !PyErr_ExceptionMatches(PyExc_KeyError)) {
        Py_DECREF(c);
        return 0;
    }
    PyErr_Clear();
    r = PyObject_CallMethod(c, "close", NULL);
    Py_DECREF(c);
    if (r == NULL) {
        return 0;
    }
    Py_DECREF(r);
    return 1;
}

/* An async generator: __anext__, asend, aclose. */
static int agen_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    if (arg == NULL) {
        return PYNATIVE_ERROR;
    }
    *out = PyLong_FromLong(1000 + f->f_lasti);
    if (*out == NULL) {
        return PYNATIVE_ERROR;
    }
    f->f_lasti++;
    return PYNATIVE_YIELD;
}

static int scenario_async_generator(void)
{
    PyObject *g = native_new(agen_body, CO_ASYNC_GENERATOR, "agen", 2), *aw, *res = NULL;
    int r, ok = 0;
    if (g == NULL) {
        return 0;
    }
    aw = Py_TYPE(g)->tp_as_async->am_anext(g);
    if (aw == NULL) {
        goto done;
    }
    r = PyIter_Send(aw, Py_None, &res);
    Py_DECREF(aw);
    if (r != PYGEN_RETURN) {
        goto done;
    }
    Py_DECREF(res);
    aw = PyObject_CallMethod(g, "aclose", NULL);
    if (aw == NULL) {
        goto done;
    }
    r = PyIter_Send(aw, Py_None, &res);
    Py_DECREF(aw);
    if (r != PYGEN_RETURN) {
        goto done;
    }
    Py_DECREF(res);
    ok = 1;
done:
    Py_DECREF(g);
    return ok;
}

/* A self-referencing coroutine reclaimed by the collector. */
static int selfish_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    if (arg == NULL) {
        return PYNATIVE_ERROR;
    }
    if (NATIVE_SLOT(f, 0) == NULL) {
        NATIVE_SLOT(f, 0) = Py_NewRef((PyObject *)f->f_gen);
    }
    NATIVE_YIELD(f, 0, Py_NewRef(Py_None));
}

static int scenario_cycle(void)
{
    PyObject *c = NATIVE_CORO(selfish_body, "selfish"), *res = NULL;
    int r;
    if (c == NULL) {
        return 0;
    }
    r = PyIter_Send(c, Py_None, &res);
    Py_XDECREF(res);
    Py_DECREF(c);
    PyGC_Collect();
    return r == PYGEN_NEXT;
}

/* Dicts and lists: growth, deletion, copy, update, views, sort, repr, mappingproxy. Returns 1
 * when everything worked, 0 with the first error set. */
static int scenario_dict_list(void)
{
    PyObject *d = PyDict_New(), *l = PyList_New(0), *c = NULL, *r = NULL, *p = NULL;
    int ok = 0, i;
    if (d == NULL || l == NULL) {
        goto done;
    }
    for (i = 0; i < 24; i++) {
        PyObject *k = PyUnicode_FromFormat("key%d", i), *v = PyLong_FromLong(i * 1000);
        int e = k == NULL || v == NULL || PyDict_SetItem(d, k, v) < 0 || PyList_Append(l, v) < 0 ||
                PyList_Insert(l, 0, k) < 0;
        Py_XDECREF(k);
        Py_XDECREF(v);
        if (e) {
            goto done;
        }
        if (i % 3 == 0 && PyDict_DelItem(d, k) < 0) {
            goto done;
        }
    }
    c = PyDict_Copy(d);
    if (c == NULL || PyDict_SetItemString(c, "extra", Py_None) < 0 || PyDict_Update(d, c) < 0) {
        goto done;
    }
    r = PyDict_Items(d);
    if (r == NULL || PyList_SetSlice(l, 2, 10, r) < 0) {
        goto done;
    }
    Py_CLEAR(r);
    r = PyDict_Keys(c);
    if (r == NULL || PyList_Sort(r) < 0) {
        goto done;
    }
    Py_CLEAR(r);
    p = PyDictProxy_New(d);
    if (p == NULL || (r = PyObject_Repr(p)) == NULL) {
        goto done;
    }
    Py_CLEAR(r);
    if ((r = PyObject_Repr(l)) == NULL) {
        goto done;
    }
    Py_CLEAR(r);
    r = PyList_AsTuple(l);
    ok = r != NULL;
done:
    Py_XDECREF(r);
    Py_XDECREF(p);
    Py_XDECREF(c);
    Py_XDECREF(d);
    Py_XDECREF(l);
    return ok;
}

/* Text and tables pycoro grows from C input: formatted strings (every conversion), an
 * exception message, reprs and ascii() with escapes, warnings (their message and the registry
 * of shown warnings), interning and immortalization (their tables). */
static int warnings_seen;

static int count_warning(PyObject *category, PyObject *message, PyObject *filename, int lineno,
                         PyObject *source, void *data)
{
    (void)category, (void)message, (void)filename, (void)lineno, (void)source, (void)data;
    warnings_seen++;
    return 0;
}

static int scenario_text(void)
{
    static int run;
    char name[64];
    int ok = 0;
    PyObject *t = NULL, *s = NULL, *u = NULL, *r = NULL, *e = NULL;
    PyObject *et, *ev, *etb;
    run++;
    u = PyUnicode_FromString("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\x8d\n'q'");
    if (u == NULL) {
        goto done;
    }
    t = Py_BuildValue("(isO)", 42, "tab\there", u);
    if (t == NULL) {
        goto done;
    }
    s = PyUnicode_FromFormat("%s|%5d|%-3ld|%.3s|%R|%A|%S|%U|%V|%c|%p|%x|%zd|%05i|%10.4U|%%",
                             "text", -7, 12L, "precision", t, u, t, u, NULL, "v", 0x20ac,
                             (void *)t, 255u, (Py_ssize_t)-3, 12, u);
    if (s == NULL) {
        goto done;
    }
    Py_CLEAR(s);
    /* PyErr_Format: when the message cannot be made, the exception is set with no value (as
     * in CPython): the formatting's own error was MemoryError. */
    PyErr_Format(PyExc_ValueError, "bad value %R in %s", t, "scenario");
    PyErr_Fetch(&et, &ev, &etb);
    if (et != PyExc_ValueError || ev == NULL) {
        int formatting_failed = et == PyExc_ValueError;
        Py_XDECREF(et);
        Py_XDECREF(ev);
        Py_XDECREF(etb);
        if (formatting_failed) {
            PyErr_NoMemory();
        }
        goto done;
    }
    Py_XDECREF(et);
    Py_XDECREF(ev);
    Py_XDECREF(etb);
    r = PyObject_Repr(t);
    if (r == NULL) {
        goto done;
    }
    Py_CLEAR(r);
    r = PyObject_ASCII(t);
    if (r == NULL) {
        goto done;
    }
    Py_CLEAR(r);
    e = PyObject_CallFunction(PyExc_KeyError, "O", u);
    if (e == NULL) {
        goto done;
    }
    r = PyObject_Repr(e);
    if (r == NULL) {
        goto done;
    }
    Py_CLEAR(r);
    r = PyObject_Repr((PyObject *)&PyTuple_Type);
    if (r == NULL) {
        goto done;
    }
    Py_CLEAR(r);
    /* A new message each run, so the registry of shown warnings records it. */
    if (PyErr_WarnFormat(PyExc_UserWarning, 1, "sweep warning %d about %R", run, t) < 0) {
        goto done;
    }
    snprintf(name, sizeof name, "interned by the sweep %d", run);
    s = PyUnicode_InternFromString(name);
    if (s == NULL) {
        goto done;
    }
    Py_CLEAR(s);
    s = PyUnicode_FromFormat("immortal %d", run);
    if (s == NULL || PyNative_SetImmortal(s) < 0) {
        goto done;
    }
    ok = 1;
done:
    Py_XDECREF(s);
    Py_XDECREF(r);
    Py_XDECREF(e);
    Py_XDECREF(t);
    Py_XDECREF(u);
    return ok;
}

/* Runs `scenario` failing each of its allocations in turn. */
static void sweep(const char *name, int (*scenario)(void))
{
    Py_ssize_t total, k;
    int absorbed = 0, failed = 0;
    PyNative_SetAllocFailure(0);
    CHECK(scenario() == 1);
    total = PyNative_AllocCount();
    PyNative_SetAllocFailure(-1);
    CHECK_NO_EXC();
    CHECK(total > 0);
    for (k = 1; k <= total; k++) {
        int ok;
        PyNative_SetAllocFailure(k);
        ok = scenario();
        PyNative_SetAllocFailure(-1);
        if (ok) {
            absorbed++;
            CHECK_NO_EXC();
            continue;
        }
        failed++;
        if (!PyErr_ExceptionMatches(PyExc_MemoryError)) {
            PyObject *t, *v, *tb, *s;
            PyErr_Fetch(&t, &v, &tb);
            s = v ? PyObject_Repr(v) : NULL;
            printf("  %s, allocation %zd of %zd: %s (%s)\n", name, k, total,
                   t ? ((PyTypeObject *)t)->tp_name : "no exception",
                   s ? PyUnicode_AsUTF8(s) : "?");
            Py_XDECREF(s);
            Py_XDECREF(t);
            Py_XDECREF(v);
            Py_XDECREF(tb);
            CHECK(0 && "the error after an allocation failure is MemoryError");
        }
        PyErr_Clear();
    }
    failure_points += (int)total;
    printf("  %s: %zd allocations, each failed once: %d MemoryError, %d absorbed\n", name,
           total, failed, absorbed);
    /* Still healthy afterwards. */
    CHECK(scenario() == 1);
}

static void test_alloc_failure_await_chain(void)
{
    sweep("await chain", scenario_await_chain);
}

static void test_alloc_failure_throw_close(void)
{
    sweep("throw/close", scenario_throw_close);
}

static void test_alloc_failure_async_generator(void)
{
    sweep("async generator", scenario_async_generator);
}

static void test_alloc_failure_dict_list(void)
{
    sweep("dict and list", scenario_dict_list);
}

static void test_alloc_failure_cycle(void)
{
    sweep("cycle + PyGC_Collect", scenario_cycle);
}

static void test_alloc_failure_text(void)
{
    warnings_seen = 0;
    PyNative_SetWarningHandler(count_warning, NULL);
    sweep("text and tables", scenario_text);
    PyNative_SetWarningHandler(NULL, NULL);
    CHECK(warnings_seen > 0);
}

/* Checklist 24: the constructors under allocation failure give MemoryError and steal (release)
 * the frame even then. */
static void test_constructors_out_of_memory(void)
{
    PyFrameObject *f = native_frame(yield_forever_body, CO_COROUTINE, "c", 1);
    REQUIRE(f != NULL);
    PyNative_SetAllocFailure(1);
    CHECK(PyCoro_New(f, NULL, NULL) == NULL);
    PyNative_SetAllocFailure(-1);
    CHECK_EXC(PyExc_MemoryError, NULL);
    f = native_frame(yield_forever_body, CO_GENERATOR, "g", 1);
    REQUIRE(f != NULL);
    PyNative_SetAllocFailure(1);
    CHECK(PyGen_New(f) == NULL);
    PyNative_SetAllocFailure(-1);
    CHECK_EXC(PyExc_MemoryError, NULL);
}

int main(void)
{
    RUN(test_panic_becomes_system_error);
    RUN(test_panic_countdown);
    RUN(test_constructors_out_of_memory);
    RUN(test_alloc_failure_await_chain);
    RUN(test_alloc_failure_throw_close);
    RUN(test_alloc_failure_async_generator);
    RUN(test_alloc_failure_cycle);
    RUN(test_alloc_failure_dict_list);
    RUN(test_alloc_failure_text);
    printf("allocation failure points exercised: %d\n", failure_points);
    return HARNESS_SUMMARY();
}
