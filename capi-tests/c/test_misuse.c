/*
 * Misuse and re-entrancy: what a harness gets wrong while coroutines run, each answered with a
 * clear exception and no corruption (this program also runs under valgrind and ASan).
 *
 * Messages are CPython 3.10.13's where CPython has an answer (a running generator's send,
 * throw and close all end in gen_send_ex2's "already executing" check). Body contract
 * violations (unknown status, a value together with an error, NULL without an error,
 * suspending without a label) are in test_run_basic.c and test_run_send.c; a raising firstiter
 * hook is checklist item 108 in test_run_agen.c.
 */
#include "harness.h"
#include "native.h"

/* What the body does to its own coroutine while it runs. */
enum { DO_SEND, DO_CLOSE, DO_THROW, DO_NEXT };
static int action;
static PyObject *seen_type;
static char seen_text[128];

static void record_error(void)
{
    PyObject *t, *v, *tb, *s;
    PyErr_Fetch(&t, &v, &tb);
    PyErr_NormalizeException(&t, &v, &tb);
    seen_type = t;
    s = v != NULL ? PyObject_Str(v) : NULL;
    snprintf(seen_text, sizeof seen_text, "%s", s != NULL ? PyUnicode_AsUTF8(s) : "?");
    Py_XDECREF(s);
    Py_XDECREF(t);
    Py_XDECREF(v);
    Py_XDECREF(tb);
}

/* Acts on itself (f->f_gen), records the error, then returns "survived". */
static int reentrant_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    PyObject *self = (PyObject *)f->f_gen, *r = NULL;
    (void)arg;
    seen_type = NULL;
    switch (action) {
    case DO_SEND:
        if (PyIter_Send(self, Py_None, &r) != PYGEN_ERROR) {
            Py_XDECREF(r);
        }
        break;
    case DO_CLOSE:
        r = PyObject_CallMethod(self, "close", NULL);
        break;
    case DO_THROW:
        r = PyObject_CallMethod(self, "throw", "(O)", PyExc_KeyError);
        break;
    default:
        r = PyObject_CallMethod(self, "send", "(O)", Py_None);
        break;
    }
    if (action != DO_SEND) {
        Py_XDECREF(r);
    }
    if (PyErr_Occurred()) {
        record_error();
    }
    *out = PyUnicode_FromString("survived");
    return *out ? PYNATIVE_RETURN : PYNATIVE_ERROR;
}

static void check_reentry(int what, int flags, const char *expected)
{
    PyObject *c = native_new(reentrant_body, flags, "reentrant", 2), *res = NULL;
    REQUIRE(c != NULL);
    action = what;
    CHECK_EQ_INT(PyIter_Send(c, Py_None, &res), PYGEN_RETURN);
    CHECK(res != NULL && PyUnicode_Check(res) &&
          strcmp(PyUnicode_AsUTF8(res), "survived") == 0);
    Py_XDECREF(res);
    CHECK_EQ_PTR(seen_type, PyExc_ValueError);
    CHECK_STR_EQ(seen_text, expected);
    /* The coroutine ended normally; it is not corrupted. */
    CHECK(((PyGenObject *)c)->gi_frame == NULL);
    Py_DECREF(c);
}

static void test_send_to_itself(void)
{
    check_reentry(DO_SEND, CO_COROUTINE, "coroutine already executing");
    check_reentry(DO_NEXT, CO_GENERATOR, "generator already executing");
}

static void test_close_itself(void)
{
    check_reentry(DO_CLOSE, CO_COROUTINE, "coroutine already executing");
    check_reentry(DO_CLOSE, CO_GENERATOR, "generator already executing");
}

static void test_throw_into_itself(void)
{
    check_reentry(DO_THROW, CO_COROUTINE, "coroutine already executing");
    check_reentry(DO_THROW, CO_GENERATOR, "generator already executing");
}

/* The inner coroutine sends to the outer one that awaits it (both running). */
static PyObject *outer_ref;

static int inner_sends_outer(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    PyObject *r = NULL;
    (void)f;
    (void)arg;
    seen_type = NULL;
    if (PyIter_Send(outer_ref, Py_None, &r) == PYGEN_ERROR) {
        record_error();
    } else {
        Py_XDECREF(r);
    }
    *out = Py_NewRef(Py_None);
    return PYNATIVE_RETURN;
}

static int awaits_inner(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    if (f->f_lasti == -1) {
        PyObject *inner = NATIVE_CORO(inner_sends_outer, "inner");
        if (inner == NULL) {
            return PYNATIVE_ERROR;
        }
        NATIVE_AWAIT(f, 0, inner);
    }
    if (arg == NULL) {
        return PYNATIVE_ERROR;
    }
    *out = Py_NewRef(arg);
    return PYNATIVE_RETURN;
}

static void test_delegate_sends_to_awaiting_coroutine(void)
{
    PyObject *res = NULL;
    outer_ref = NATIVE_CORO(awaits_inner, "outer");
    REQUIRE(outer_ref != NULL);
    CHECK_EQ_INT(PyIter_Send(outer_ref, Py_None, &res), PYGEN_RETURN);
    CHECK_EQ_PTR(res, Py_None);
    Py_XDECREF(res);
    CHECK_EQ_PTR(seen_type, PyExc_ValueError);
    CHECK_STR_EQ(seen_text, "coroutine already executing");
    Py_CLEAR(outer_ref);
}

/* Dropping the last reference to a coroutine suspended in an await: the delegate is closed
 * first (its cleanup runs), then the outer one; both are freed. */
static char order[8];
static int norder;

static int cleanup_inner(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    if (f->f_lasti == 0) {
        if (arg == NULL) {
            order[norder++] = 'i';
            return PYNATIVE_ERROR;
        }
        *out = Py_NewRef(Py_None);
        return PYNATIVE_RETURN;
    }
    NATIVE_YIELD(f, 0, Py_NewRef(Py_None));
}

static int cleanup_outer(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    if (f->f_lasti == -1) {
        PyObject *inner = NATIVE_CORO(cleanup_inner, "inner");
        if (inner == NULL) {
            return PYNATIVE_ERROR;
        }
        NATIVE_AWAIT(f, 0, inner);
    }
    if (arg == NULL) {
        order[norder++] = 'o';
        return PYNATIVE_ERROR;
    }
    *out = Py_NewRef(arg);
    return PYNATIVE_RETURN;
}

static void test_drop_mid_await(void)
{
    PyObject *c = NATIVE_CORO(cleanup_outer, "outer"), *res = NULL, *inner;
    REQUIRE(c != NULL);
    memset(order, 0, sizeof order);
    norder = 0;
    CHECK_EQ_INT(PyIter_Send(c, Py_None, &res), PYGEN_NEXT);
    Py_XDECREF(res);
    inner = ((PyCoroObject *)c)->cr_frame->f_valuestack[0];
    Py_INCREF(inner);
    Py_DECREF(c);
    CHECK_STR_EQ(order, "io");
    /* The delegate we kept is closed and finished. */
    CHECK(((PyCoroObject *)inner)->cr_frame == NULL);
    CHECK_EQ_INT(Py_REFCNT(inner), 1);
    Py_DECREF(inner);
    CHECK_NO_EXC();
}

/* An async generator's finalizer hook that raises: reported as unraisable, nothing else. */
static int unraisable_calls;
static PyObject *unraisable_type;

static void hook(PyObject *t, PyObject *v, PyObject *tb, PyObject *msg, PyObject *o, void *d)
{
    (void)v;
    (void)tb;
    (void)msg;
    (void)o;
    (void)d;
    unraisable_calls++;
    unraisable_type = t;
}

static PyObject *raising_finalizer(PyObject *self, PyObject *agen)
{
    (void)self;
    (void)agen;
    PyErr_SetString(PyExc_KeyError, "finalizer failed");
    return NULL;
}
static PyMethodDef finalizer_def = {"fin", raising_finalizer, METH_O, NULL};

static int agen_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    if (arg == NULL) {
        return PYNATIVE_ERROR;
    }
    NATIVE_YIELD(f, 0, PyLong_FromLong(7));
}

static void test_raising_finalizer_hook(void)
{
    PyObject *fin = PyCFunction_New(&finalizer_def, NULL), *g, *aw, *res = NULL;
    REQUIRE(fin != NULL);
    CHECK_EQ_INT(_PyEval_SetAsyncGenFinalizer(fin), 0);
    g = native_new(agen_body, CO_ASYNC_GENERATOR, "agen", 2);
    REQUIRE(g != NULL);
    aw = Py_TYPE(g)->tp_as_async->am_anext(g);
    REQUIRE(aw != NULL);
    CHECK_EQ_INT(PyIter_Send(aw, Py_None, &res), PYGEN_RETURN);
    Py_XDECREF(res);
    Py_DECREF(aw);
    CHECK_EQ_INT(_PyEval_SetAsyncGenFinalizer(NULL), 0);
    unraisable_calls = 0;
    PyNative_SetUnraisableHook(hook, NULL);
    Py_DECREF(g);
    PyNative_SetUnraisableHook(NULL, NULL);
    CHECK_EQ_INT(unraisable_calls, 1);
    CHECK_EQ_PTR(unraisable_type, PyExc_KeyError);
    CHECK_NO_EXC();
    Py_DECREF(fin);
}

/* One frame, two constructors: the second refuses (it would corrupt the first), and still
 * steals its reference as documented. */
static void test_frame_to_two_constructors(void)
{
    PyFrameObject *f = native_frame(agen_body, CO_COROUTINE, "shared", 1);
    PyObject *a, *b;
    REQUIRE(f != NULL);
    Py_INCREF(f);
    a = PyCoro_New(f, NULL, NULL);
    REQUIRE(a != NULL);
    CHECK_EQ_INT(Py_REFCNT(f), 2);
    Py_INCREF(f);
    b = PyCoro_New(f, NULL, NULL);
    CHECK(b == NULL);
    CHECK_EXC(PyExc_RuntimeError, "PyCoro_New(): the frame already belongs to a coroutine object");
    CHECK_EQ_INT(Py_REFCNT(f), 2);
    CHECK_EQ_PTR(f->f_gen, a);
    Py_DECREF(f);
    PyNative_WarningsFilter("ignore", PyExc_RuntimeWarning);
    Py_DECREF(a);
    PyNative_WarningsFilter("reset", NULL);
}

int main(void)
{
    RUN(test_send_to_itself);
    RUN(test_close_itself);
    RUN(test_throw_into_itself);
    RUN(test_delegate_sends_to_awaiting_coroutine);
    RUN(test_drop_mid_await);
    RUN(test_raising_finalizer_hook);
    RUN(test_frame_to_two_constructors);
    return HARNESS_SUMMARY();
}
