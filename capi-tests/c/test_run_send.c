/*
 * Running native frames, section C of the checklist (reference §4, items 25-42): send, next
 * (tp_iternext), am_send and PyIter_Send on generators, coroutines and other iterators; the
 * states a generator goes through; the frame chain and tracebacks of a running generator.
 * Expected results are CPython 3.10's. Checklist numbers are in the comments.
 *
 * Sections D (PEP 479) and I (coroutines) are in test_run_send2.c.
 */
#include "harness.h"
#include "native.h"

static int bad_label(void)
{
    PyErr_SetString(PyExc_SystemError, "bad label");
    return PYNATIVE_ERROR;
}

/* Takes the pending exception (clearing it) and returns its normalized value (new reference),
 * or NULL when none is pending. The traceback goes to *ptb (new reference) when ptb is not
 * NULL. */
static PyObject *fetch_exc(PyObject **ptb)
{
    PyObject *t, *v, *tb;
    PyErr_Fetch(&t, &v, &tb);
    if (ptb != NULL) {
        *ptb = NULL;
    }
    if (t == NULL) {
        return NULL;
    }
    PyErr_NormalizeException(&t, &v, &tb);
    Py_XDECREF(t);
    if (ptb != NULL) {
        *ptb = tb;
    } else {
        Py_XDECREF(tb);
    }
    return v;
}

/* The pending exception must be a StopIteration with str() == `text`; returns its value (new
 * reference) or NULL. */
static PyObject *take_stop(const char *text, const char *file, int line)
{
    PyObject *v = fetch_exc(NULL);
    PyObject *value;
    if (!harness_check(v != NULL && PyErr_GivenExceptionMatches(v, PyExc_StopIteration),
                       "StopIteration pending", file, line)) {
        harness_print_object("got", v);
        Py_XDECREF(v);
        return NULL;
    }
    harness_check_text(PyObject_Str(v), text, "str(StopIteration)", file, line);
    value = ((PyStopIterationObject *)v)->value;
    Py_XINCREF(value);
    Py_DECREF(v);
    return value;
}
#define TAKE_STOP(text) take_stop((text), __FILE__, __LINE__)

static PyObject *send_meth(PyObject *o, PyObject *arg)
{
    return PyObject_CallMethod(o, "send", "(O)", arg);
}

static PyObject *throw_meth(PyObject *o, PyObject *exc)
{
    return PyObject_CallMethod(o, "throw", "(O)", exc);
}

static PyObject *close_meth(PyObject *o)
{
    return PyObject_CallMethod(o, "close", NULL);
}

/* A generator or coroutine's frame (borrowed). */
#define FRAME_OF(g) (((PyGenObject *)(g))->gi_frame)

/* ------------------------------------------------------------------------------------------ */
/* echo: x = yield 1; yield x; return None. Counts its runs; checks, while it runs, that it is
 * the executing frame and that `echo_self` (when set) reports gi_running / cr_running True. */

static int echo_runs;
static PyObject *echo_self;

static void echo_check_running(PyFrameObject *f)
{
    CHECK_EQ_PTR(PyEval_GetFrame(), f);
    CHECK_EQ_INT(f->f_state, FRAME_EXECUTING);
    if (echo_self != NULL) {
        PyObject *running = PyObject_GetAttrString(
            echo_self, PyCoro_CheckExact(echo_self) ? "cr_running" : "gi_running");
        CHECK_EQ_PTR(running, Py_True);
        Py_XDECREF(running);
        CHECK_NO_EXC();
    }
}

static int echo_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    if (arg == NULL) {
        return PYNATIVE_ERROR;
    }
    echo_runs++;
    echo_check_running(f);
    switch (f->f_lasti) {
    case -1:
        NATIVE_YIELD(f, 1, PyLong_FromLong(1));
    case 1:
        NATIVE_YIELD(f, 2, Py_NewRef(arg));
    case 2:
        *out = Py_NewRef(Py_None);
        return PYNATIVE_RETURN;
    }
    return bad_label();
}

/* 25, 27 */
static void test_send_non_none_to_just_started_generator(void)
{
    PyObject *g = NATIVE_GEN(echo_body, "echo");
    PyObject *one = PyLong_FromLong(1), *seven = PyLong_FromLong(7);
    PyObject *r;
    PyFrameObject *f;
    REQUIRE(g != NULL);
    f = FRAME_OF(g);
    echo_runs = 0;

    /* 25: through the method, PyIter_Send and the am_send slot. */
    r = send_meth(g, one);
    CHECK(r == NULL);
    Py_XDECREF(r);
    CHECK_EXC(PyExc_TypeError, "can't send non-None value to a just-started generator");
    r = Py_None;
    CHECK_EQ_INT(PyIter_Send(g, one, &r), PYGEN_ERROR);
    CHECK(r == NULL);
    CHECK_EXC(PyExc_TypeError, "can't send non-None value to a just-started generator");
    r = Py_None;
    CHECK_EQ_INT(Py_TYPE(g)->tp_as_async->am_send(g, one, &r), PYGEN_ERROR);
    CHECK(r == NULL);
    CHECK_EXC(PyExc_TypeError, "can't send non-None value to a just-started generator");

    /* 25: the generator is untouched and still startable. */
    CHECK_EQ_INT(echo_runs, 0);
    CHECK_EQ_PTR(FRAME_OF(g), f);
    CHECK_EQ_INT(f->f_lasti, -1);
    CHECK_EQ_INT(f->f_state, FRAME_CREATED);

    /* 27: send(None) runs it to the first yield. */
    echo_self = g;
    r = send_meth(g, Py_None);
    CHECK_EQ_INT(native_long(r), 1);
    Py_XDECREF(r);
    CHECK_EQ_INT(echo_runs, 1);
    /* Now a value may be sent. */
    r = send_meth(g, seven);
    CHECK_EQ_INT(native_long(r), 7);
    Py_XDECREF(r);
    echo_self = NULL;
    CHECK_NO_EXC();
    Py_DECREF(one);
    Py_DECREF(seven);
    Py_DECREF(g);
}

/* 27: the first next() / PyIter_Send(None) also runs to the first yield. */
static void test_first_next_runs_to_first_yield(void)
{
    PyObject *g = NATIVE_GEN(echo_body, "echo");
    PyObject *h = NATIVE_GEN(echo_body, "echo");
    PyObject *r = NULL;
    REQUIRE(g != NULL && h != NULL);
    echo_runs = 0;
    r = PyIter_Next(g);
    CHECK_EQ_INT(native_long(r), 1);
    Py_XDECREF(r);
    r = NULL;
    CHECK_EQ_INT(PyIter_Send(h, Py_None, &r), PYGEN_NEXT);
    CHECK_EQ_INT(native_long(r), 1);
    Py_XDECREF(r);
    CHECK_EQ_INT(echo_runs, 2);
    CHECK_NO_EXC();
    Py_DECREF(g);
    Py_DECREF(h);
}

/* 26 */
static void test_send_non_none_to_just_started_coroutine(void)
{
    PyObject *c = NATIVE_CORO(echo_body, "echo");
    PyObject *one = PyLong_FromLong(1);
    PyObject *r, *w;
    REQUIRE(c != NULL);
    echo_runs = 0;
    r = send_meth(c, one);
    CHECK(r == NULL);
    Py_XDECREF(r);
    CHECK_EXC(PyExc_TypeError, "can't send non-None value to a just-started coroutine");
    r = Py_None;
    CHECK_EQ_INT(PyIter_Send(c, one, &r), PYGEN_ERROR);
    CHECK(r == NULL);
    CHECK_EXC(PyExc_TypeError, "can't send non-None value to a just-started coroutine");
    /* Through the coroutine wrapper's send. */
    w = Py_TYPE(c)->tp_as_async->am_await(c);
    REQUIRE(w != NULL);
    r = send_meth(w, one);
    CHECK(r == NULL);
    Py_XDECREF(r);
    CHECK_EXC(PyExc_TypeError, "can't send non-None value to a just-started coroutine");
    Py_DECREF(w);
    CHECK_EQ_INT(echo_runs, 0);
    CHECK_EQ_INT(FRAME_OF(c)->f_lasti, -1);
    /* Still startable. */
    r = NULL;
    CHECK_EQ_INT(PyIter_Send(c, Py_None, &r), PYGEN_NEXT);
    CHECK_EQ_INT(native_long(r), 1);
    Py_XDECREF(r);
    CHECK_EQ_INT(echo_runs, 1);
    /* Finish it (no never-awaited business). */
    r = close_meth(c);
    CHECK(r == Py_None);
    Py_XDECREF(r);
    CHECK_NO_EXC();
    Py_DECREF(one);
    Py_DECREF(c);
}

/* 26: the async generator wording, through am_send (the check is gen_send_ex2's, which asend
 * reaches as well; agen.asend() itself is section J, item 91). */
static void test_send_non_none_to_just_started_async_generator(void)
{
    PyObject *a = native_new(echo_body, CO_ASYNC_GENERATOR, "echo", 4);
    PyObject *one = PyLong_FromLong(1);
    PyObject *r = Py_None;
    REQUIRE(a != NULL);
    echo_runs = 0;
    CHECK_EQ_INT(PyIter_Send(a, one, &r), PYGEN_ERROR);
    CHECK(r == NULL);
    CHECK_EXC(PyExc_TypeError, "can't send non-None value to a just-started async generator");
    CHECK_EQ_INT(echo_runs, 0);
    REQUIRE(FRAME_OF(a) != NULL);
    CHECK_EQ_INT(FRAME_OF(a)->f_lasti, -1);
    CHECK_EQ_INT(FRAME_OF(a)->f_state, FRAME_CREATED);
    Py_DECREF(one);
    Py_DECREF(a);
}

/* ------------------------------------------------------------------------------------------ */
/* 28: re-entrancy. The body resumes its own generator / coroutine (kept in `reenter_self`). */

static PyObject *reenter_self;

/* Every way of resuming `self` while it runs (with None, or a throw / close) fails with
 * ValueError(message) and leaves it running. */
static void reenter_all(PyObject *self, const char *message)
{
    PyObject *r = NULL;
    CHECK_EQ_INT(PyIter_Send(self, Py_None, &r), PYGEN_ERROR);
    CHECK(r == NULL);
    Py_XDECREF(r);
    CHECK_EXC(PyExc_ValueError, message);
    r = send_meth(self, Py_None);
    CHECK(r == NULL);
    Py_XDECREF(r);
    CHECK_EXC(PyExc_ValueError, message);
    r = throw_meth(self, PyExc_KeyError);
    CHECK(r == NULL);
    Py_XDECREF(r);
    CHECK_EXC(PyExc_ValueError, message);
    r = close_meth(self);
    CHECK(r == NULL);
    Py_XDECREF(r);
    CHECK_EXC(PyExc_ValueError, message);
    if (PyGen_CheckExact(self)) {
        r = PyIter_Next(self);
        CHECK(r == NULL);
        Py_XDECREF(r);
        CHECK_EXC(PyExc_ValueError, message);
        r = Py_TYPE(self)->tp_iternext(self);
        CHECK(r == NULL);
        Py_XDECREF(r);
        CHECK_EXC(PyExc_ValueError, message);
    } else {
        /* A coroutine: next() through a coroutine wrapper. */
        PyObject *w = Py_TYPE(self)->tp_as_async->am_await(self);
        CHECK(w != NULL);
        if (w != NULL) {
            r = PyIter_Next(w);
            CHECK(r == NULL);
            Py_XDECREF(r);
            CHECK_EXC(PyExc_ValueError, message);
            Py_DECREF(w);
        }
    }
    CHECK_EQ_INT(FRAME_OF(self)->f_state, FRAME_EXECUTING);
}

/* Runs the re-entrant attempts in its first run and again after its first yield, then
 * returns 'done'. */
static int reenter_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    const char *message;
    if (arg == NULL) {
        return PYNATIVE_ERROR;
    }
    message = PyCoro_CheckExact(reenter_self) ? "coroutine already executing"
                                              : "generator already executing";
    switch (f->f_lasti) {
    case -1:
        reenter_all(reenter_self, message);
        NATIVE_YIELD(f, 1, PyLong_FromLong(1));
    case 1:
        reenter_all(reenter_self, message);
        *out = PyUnicode_FromString("done");
        return PYNATIVE_RETURN;
    }
    return bad_label();
}

/* 28 */
static void test_reentrant_generator(void)
{
    PyObject *g = NATIVE_GEN(reenter_body, "reenter");
    PyObject *r = NULL;
    REQUIRE(g != NULL);
    reenter_self = g;
    CHECK_EQ_INT(PyIter_Send(g, Py_None, &r), PYGEN_NEXT);
    CHECK_EQ_INT(native_long(r), 1);
    Py_XDECREF(r);
    r = NULL;
    CHECK_EQ_INT(PyIter_Send(g, Py_None, &r), PYGEN_RETURN);
    CHECK(r != NULL && PyUnicode_CompareWithASCIIString(r, "done") == 0);
    Py_XDECREF(r);
    reenter_self = NULL;
    CHECK_NO_EXC();
    Py_DECREF(g);
}

/* 28: the coroutine wording. */
static void test_reentrant_coroutine(void)
{
    PyObject *c = NATIVE_CORO(reenter_body, "reenter");
    PyObject *r = NULL;
    REQUIRE(c != NULL);
    reenter_self = c;
    CHECK_EQ_INT(PyIter_Send(c, Py_None, &r), PYGEN_NEXT);
    CHECK_EQ_INT(native_long(r), 1);
    Py_XDECREF(r);
    r = NULL;
    CHECK_EQ_INT(PyIter_Send(c, Py_None, &r), PYGEN_RETURN);
    CHECK(r != NULL && PyUnicode_CompareWithASCIIString(r, "done") == 0);
    Py_XDECREF(r);
    reenter_self = NULL;
    CHECK_NO_EXC();
    Py_DECREF(c);
}

/* Sends 5 into `reenter_self` while it runs (its first run, then after its first yield). */
static void reenter_send_value(const char *message)
{
    PyObject *five = PyLong_FromLong(5);
    PyObject *r = send_meth(reenter_self, five);
    CHECK(r == NULL);
    Py_XDECREF(r);
    CHECK_EXC(PyExc_ValueError, message);
    r = NULL;
    CHECK_EQ_INT(PyIter_Send(reenter_self, five, &r), PYGEN_ERROR);
    Py_XDECREF(r);
    CHECK_EXC(PyExc_ValueError, message);
    Py_DECREF(five);
}

static int reenter_send_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    const char *message;
    if (arg == NULL) {
        return PYNATIVE_ERROR;
    }
    message = PyCoro_CheckExact(reenter_self) ? "coroutine already executing"
                                              : "generator already executing";
    switch (f->f_lasti) {
    case -1:
        reenter_send_value(message);
        NATIVE_YIELD(f, 1, PyLong_FromLong(1));
    case 1:
        reenter_send_value(message);
        *out = Py_NewRef(Py_None);
        return PYNATIVE_RETURN;
    }
    return bad_label();
}

/* 28: send(non-None) into a generator that is running. CPython checks "just started" with
 * f_lasti < 0, but a running CPython frame always has f_lasti >= 0, so the answer is "already
 * executing" even during the first run (def g(): me.send(5); yield). */
static void test_reentrant_send_value(void)
{
    PyObject *g = NATIVE_GEN(reenter_send_body, "reenter_send");
    PyObject *c = NATIVE_CORO(reenter_send_body, "reenter_send");
    PyObject *r = NULL;
    REQUIRE(g != NULL && c != NULL);
    reenter_self = g;
    CHECK_EQ_INT(PyIter_Send(g, Py_None, &r), PYGEN_NEXT);
    Py_XDECREF(r);
    r = NULL;
    CHECK_EQ_INT(PyIter_Send(g, Py_None, &r), PYGEN_RETURN);
    Py_XDECREF(r);
    reenter_self = c;
    r = NULL;
    CHECK_EQ_INT(PyIter_Send(c, Py_None, &r), PYGEN_NEXT);
    Py_XDECREF(r);
    r = NULL;
    CHECK_EQ_INT(PyIter_Send(c, Py_None, &r), PYGEN_RETURN);
    Py_XDECREF(r);
    reenter_self = NULL;
    CHECK_NO_EXC();
    Py_DECREF(g);
    Py_DECREF(c);
}

/* 28 (and 41): re-entering an outer generator from the subgenerator it delegates to. The outer
 * frame is executing while it drives the delegate (send), and is marked executing while its
 * throw() / close() is forwarded to the delegate. The delegate's f_back is the outer frame
 * for send and throw (the throw links the outer frame in) and the caller of close() for
 * close (here C: NULL). */

static PyObject *deleg_outer;
static int deleg_checks;

static void deleg_check(PyFrameObject *f, PyFrameObject *expected_back)
{
    PyObject *five = PyLong_FromLong(5);
    PyObject *r = PyIter_Next(deleg_outer);
    CHECK(r == NULL);
    Py_XDECREF(r);
    CHECK_EXC(PyExc_ValueError, "generator already executing");
    r = send_meth(deleg_outer, five);
    CHECK(r == NULL);
    Py_XDECREF(r);
    CHECK_EXC(PyExc_ValueError, "generator already executing");
    CHECK_EQ_INT(FRAME_OF(deleg_outer)->f_state, FRAME_EXECUTING);
    CHECK_EQ_PTR(f->f_back, expected_back);
    Py_DECREF(five);
    deleg_checks++;
}

static int deleg_inner_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    PyObject *t, *v, *tb;
    switch (f->f_lasti) {
    case -1:
        if (arg == NULL) {
            return PYNATIVE_ERROR;
        }
        deleg_check(f, FRAME_OF(deleg_outer));
        NATIVE_YIELD(f, 1, PyLong_FromLong(1));
    case 1:
        if (arg == NULL) {
            if (!PyErr_ExceptionMatches(PyExc_KeyError)) {
                return PYNATIVE_ERROR;
            }
            PyErr_Clear();
            deleg_check(f, FRAME_OF(deleg_outer));
        }
        NATIVE_YIELD(f, 2, PyUnicode_FromString("caught"));
    case 2:
        if (arg == NULL) {
            PyErr_Fetch(&t, &v, &tb);
            deleg_check(f, NULL);
            PyErr_Restore(t, v, tb);
            return PYNATIVE_ERROR;
        }
        *out = Py_NewRef(Py_None);
        return PYNATIVE_RETURN;
    }
    return bad_label();
}

static int deleg_outer_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    PyObject *inner;
    if (arg == NULL) {
        return PYNATIVE_ERROR;
    }
    switch (f->f_lasti) {
    case -1:
        inner = NATIVE_GEN(deleg_inner_body, "inner");
        if (inner == NULL) {
            return PYNATIVE_ERROR;
        }
        NATIVE_YIELD_FROM(f, 1, inner);
    case 1:
        *out = Py_NewRef(arg);
        return PYNATIVE_RETURN;
    }
    return bad_label();
}

/* 28, 41 */
static void test_reentrant_through_delegation(void)
{
    PyObject *g = NATIVE_GEN(deleg_outer_body, "outer");
    PyObject *r;
    REQUIRE(g != NULL);
    deleg_outer = g;
    deleg_checks = 0;
    r = PyIter_Next(g);
    CHECK_EQ_INT(native_long(r), 1);
    Py_XDECREF(r);
    CHECK_EQ_INT(deleg_checks, 1);
    CHECK_EQ_INT(FRAME_OF(g)->f_state, FRAME_SUSPENDED);
    r = throw_meth(g, PyExc_KeyError);
    CHECK(r != NULL && PyUnicode_CompareWithASCIIString(r, "caught") == 0);
    Py_XDECREF(r);
    CHECK_EQ_INT(deleg_checks, 2);
    CHECK_EQ_INT(FRAME_OF(g)->f_state, FRAME_SUSPENDED);
    r = close_meth(g);
    CHECK_EQ_PTR(r, Py_None);
    Py_XDECREF(r);
    CHECK_EQ_INT(deleg_checks, 3);
    CHECK(FRAME_OF(g) == NULL);
    CHECK_NO_EXC();
    deleg_outer = NULL;
    Py_DECREF(g);
}

/* next(me) inside me, not caught: the ValueError ends the generator. */
static int reenter_raise_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    PyObject *r;
    if (arg == NULL) {
        return PYNATIVE_ERROR;
    }
    if (f->f_lasti != -1) {
        return bad_label();
    }
    r = PyIter_Next(reenter_self);
    if (r == NULL) {
        return PYNATIVE_ERROR;
    }
    NATIVE_YIELD(f, 1, r);
}

/* 28: the error propagates out of the generator, which is then finished. */
static void test_reentrant_error_propagates(void)
{
    PyObject *g = NATIVE_GEN(reenter_raise_body, "reenter_raise");
    PyObject *r;
    REQUIRE(g != NULL);
    reenter_self = g;
    r = PyIter_Next(g);
    CHECK(r == NULL);
    Py_XDECREF(r);
    CHECK_EXC(PyExc_ValueError, "generator already executing");
    CHECK(FRAME_OF(g) == NULL);
    r = PyIter_Next(g);
    CHECK(r == NULL);
    Py_XDECREF(r);
    CHECK_NO_EXC();
    reenter_self = NULL;
    Py_DECREF(g);
}

/* ------------------------------------------------------------------------------------------ */
/* 29, 30, 33, 34: return values. */

static PyObject *ret_value;

/* Returns `ret_value` at once (def g(): return V; yield). */
static int return_now_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    (void)f;
    if (arg == NULL) {
        return PYNATIVE_ERROR;
    }
    *out = Py_NewRef(ret_value);
    return PYNATIVE_RETURN;
}

/* Yields 1, then returns `ret_value`. */
static int yield_then_return_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    if (arg == NULL) {
        return PYNATIVE_ERROR;
    }
    switch (f->f_lasti) {
    case -1:
        NATIVE_YIELD(f, 1, PyLong_FromLong(1));
    case 1:
        *out = Py_NewRef(ret_value);
        return PYNATIVE_RETURN;
    }
    return bad_label();
}

/* The return value `value` comes out whole as StopIteration.value (str() `text`) through
 * send() and tp_iternext, and as *res through PyIter_Send. */
static void check_return_value(PyObject *value, const char *text)
{
    PyObject *g, *r, *v;
    ret_value = value;

    g = NATIVE_GEN(return_now_body, "ret");
    REQUIRE(g != NULL);
    r = send_meth(g, Py_None);
    CHECK(r == NULL);
    Py_XDECREF(r);
    v = TAKE_STOP(text);
    CHECK_EQ_PTR(v, value);
    Py_XDECREF(v);
    Py_DECREF(g);

    g = NATIVE_GEN(return_now_body, "ret");
    REQUIRE(g != NULL);
    r = Py_TYPE(g)->tp_iternext(g);
    CHECK(r == NULL);
    Py_XDECREF(r);
    v = TAKE_STOP(text);
    CHECK_EQ_PTR(v, value);
    Py_XDECREF(v);
    Py_DECREF(g);

    g = NATIVE_GEN(yield_then_return_body, "ret");
    REQUIRE(g != NULL);
    r = NULL;
    CHECK_EQ_INT(PyIter_Send(g, Py_None, &r), PYGEN_NEXT);
    Py_XDECREF(r);
    r = NULL;
    CHECK_EQ_INT(PyIter_Send(g, Py_None, &r), PYGEN_RETURN);
    CHECK_EQ_PTR(r, value);
    Py_XDECREF(r);
    CHECK_NO_EXC();
    Py_DECREF(g);
    ret_value = NULL;
}

/* 29 */
static void test_return_int(void)
{
    PyObject *five = PyLong_FromLong(5);
    check_return_value(five, "5");
    Py_DECREF(five);
}

/* 29: a tuple is the value, not the argument list. */
static void test_return_tuple(void)
{
    PyObject *t = Py_BuildValue("(ii)", 1, 2);
    REQUIRE(t != NULL);
    check_return_value(t, "(1, 2)");
    Py_DECREF(t);
}

/* 29: an exception instance is the value. */
static void test_return_exception_instance(void)
{
    PyObject *e = PyObject_CallFunction(PyExc_ValueError, "s", "x");
    REQUIRE(e != NULL);
    check_return_value(e, "x");
    Py_DECREF(e);
}

/* 30: returning None gives StopIteration() (no args, value None) through send(). */
static void test_return_none_through_send(void)
{
    PyObject *g, *r, *v;
    ret_value = Py_None;
    g = NATIVE_GEN(return_now_body, "ret_none");
    REQUIRE(g != NULL);
    r = send_meth(g, Py_None);
    CHECK(r == NULL);
    Py_XDECREF(r);
    v = fetch_exc(NULL);
    REQUIRE(v != NULL);
    CHECK(PyErr_GivenExceptionMatches(v, PyExc_StopIteration));
    CHECK_EQ_PTR(Py_TYPE(v), (PyTypeObject *)PyExc_StopIteration);
    CHECK_EQ_PTR(((PyStopIterationObject *)v)->value, Py_None);
    CHECK_EQ_INT(PyTuple_Size(((PyBaseExceptionObject *)v)->args), 0);
    CHECK_STR(v, "");
    CHECK_REPR(v, "StopIteration()");
    Py_DECREF(v);
    Py_DECREF(g);

    /* The same after a yield. */
    g = NATIVE_GEN(yield_then_return_body, "ret_none");
    REQUIRE(g != NULL);
    r = send_meth(g, Py_None);
    CHECK_EQ_INT(native_long(r), 1);
    Py_XDECREF(r);
    r = send_meth(g, Py_None);
    CHECK(r == NULL);
    v = TAKE_STOP("");
    CHECK_EQ_PTR(v, Py_None);
    Py_XDECREF(v);
    Py_DECREF(g);
    ret_value = NULL;
}

/* 31 */
static void test_exhausted_generator(void)
{
    PyObject *g, *r, *v, *five = PyLong_FromLong(5);
    PyObject *k = PyObject_CallFunction(PyExc_KeyError, "s", "k");
    REQUIRE(k != NULL);
    ret_value = five;
    g = NATIVE_GEN(return_now_body, "exhausted");
    REQUIRE(g != NULL);
    r = send_meth(g, Py_None);
    CHECK(r == NULL);
    v = TAKE_STOP("5");
    Py_XDECREF(v);
    REQUIRE(FRAME_OF(g) == NULL);

    /* next: exhausted (the C form: NULL and nothing set, item 32). */
    r = PyIter_Next(g);
    CHECK(r == NULL);
    CHECK_NO_EXC();
    /* send(5) and send(None): StopIteration with value None. */
    r = send_meth(g, five);
    CHECK(r == NULL);
    v = TAKE_STOP("");
    CHECK_EQ_PTR(v, Py_None);
    Py_XDECREF(v);
    r = send_meth(g, Py_None);
    CHECK(r == NULL);
    v = TAKE_STOP("");
    CHECK_EQ_PTR(v, Py_None);
    Py_XDECREF(v);
    /* throw(KeyError('k')) re-raises that very KeyError. */
    r = throw_meth(g, k);
    CHECK(r == NULL);
    v = fetch_exc(NULL);
    CHECK_EQ_PTR(v, k);
    Py_XDECREF(v);
    /* throw(KeyError) raises a KeyError(). */
    r = throw_meth(g, PyExc_KeyError);
    CHECK(r == NULL);
    CHECK_EXC(PyExc_KeyError, "");
    /* close() returns None. */
    r = close_meth(g);
    CHECK_EQ_PTR(r, Py_None);
    Py_XDECREF(r);
    CHECK_NO_EXC();
    Py_DECREF(g);
    Py_DECREF(k);
    Py_DECREF(five);
    ret_value = NULL;
}

/* 32 */
static void test_iternext_return_none_sets_nothing(void)
{
    PyObject *g, *r;
    ret_value = Py_None;
    /* Returns None in its first run. */
    g = NATIVE_GEN(return_now_body, "ret_none");
    REQUIRE(g != NULL);
    r = Py_TYPE(g)->tp_iternext(g);
    CHECK(r == NULL);
    CHECK(PyErr_Occurred() == NULL);
    CHECK(FRAME_OF(g) == NULL);
    /* Exhausted. */
    r = Py_TYPE(g)->tp_iternext(g);
    CHECK(r == NULL);
    CHECK(PyErr_Occurred() == NULL);
    Py_DECREF(g);

    /* Yields, then returns None. */
    g = NATIVE_GEN(yield_then_return_body, "ret_none");
    REQUIRE(g != NULL);
    r = Py_TYPE(g)->tp_iternext(g);
    CHECK_EQ_INT(native_long(r), 1);
    Py_XDECREF(r);
    r = Py_TYPE(g)->tp_iternext(g);
    CHECK(r == NULL);
    CHECK(PyErr_Occurred() == NULL);
    r = Py_TYPE(g)->tp_iternext(g);
    CHECK(r == NULL);
    CHECK(PyErr_Occurred() == NULL);
    CHECK_NO_EXC();
    Py_DECREF(g);
    ret_value = NULL;
}

/* 33 */
static void test_iternext_return_value_sets_stop_iteration(void)
{
    PyObject *done = PyUnicode_FromString("done");
    PyObject *g, *r, *v;
    ret_value = done;
    g = NATIVE_GEN(yield_then_return_body, "ret_done");
    REQUIRE(g != NULL);
    r = Py_TYPE(g)->tp_iternext(g);
    CHECK_EQ_INT(native_long(r), 1);
    Py_XDECREF(r);
    r = Py_TYPE(g)->tp_iternext(g);
    CHECK(r == NULL);
    v = fetch_exc(NULL);
    REQUIRE(v != NULL);
    CHECK_EQ_PTR(Py_TYPE(v), (PyTypeObject *)PyExc_StopIteration);
    CHECK_EQ_PTR(((PyStopIterationObject *)v)->value, done);
    CHECK_REPR(v, "StopIteration('done')");
    Py_DECREF(v);
    /* Then exhausted: nothing set. */
    r = Py_TYPE(g)->tp_iternext(g);
    CHECK(r == NULL);
    CHECK(PyErr_Occurred() == NULL);
    Py_DECREF(g);
    Py_DECREF(done);
    ret_value = NULL;
}

/* 34 */
static void test_am_send_return_none(void)
{
    PyObject *g, *r;
    ret_value = Py_None;
    g = NATIVE_GEN(yield_then_return_body, "ret_none");
    REQUIRE(g != NULL);
    r = NULL;
    CHECK_EQ_INT(Py_TYPE(g)->tp_as_async->am_send(g, Py_None, &r), PYGEN_NEXT);
    CHECK_EQ_INT(native_long(r), 1);
    Py_XDECREF(r);
    r = NULL;
    CHECK_EQ_INT(Py_TYPE(g)->tp_as_async->am_send(g, Py_None, &r), PYGEN_RETURN);
    CHECK_EQ_PTR(r, Py_None);
    CHECK(PyErr_Occurred() == NULL);
    Py_XDECREF(r);
    Py_DECREF(g);

    g = NATIVE_GEN(return_now_body, "ret_none");
    REQUIRE(g != NULL);
    r = NULL;
    CHECK_EQ_INT(PyIter_Send(g, Py_None, &r), PYGEN_RETURN);
    CHECK_EQ_PTR(r, Py_None);
    CHECK(PyErr_Occurred() == NULL);
    Py_XDECREF(r);
    Py_DECREF(g);
    ret_value = NULL;
}

/* 35 */
static void test_pyiter_send_exhausted_generator(void)
{
    PyObject *g, *r, *v, *forty_two = PyLong_FromLong(42);
    ret_value = forty_two;
    g = NATIVE_GEN(return_now_body, "exhausted");
    REQUIRE(g != NULL);
    r = Py_TYPE(g)->tp_iternext(g);
    CHECK(r == NULL);
    v = TAKE_STOP("42");
    Py_XDECREF(v);
    REQUIRE(FRAME_OF(g) == NULL);
    r = NULL;
    CHECK_EQ_INT(PyIter_Send(g, Py_None, &r), PYGEN_RETURN);
    CHECK_EQ_PTR(r, Py_None);
    Py_XDECREF(r);
    r = NULL;
    CHECK_EQ_INT(PyIter_Send(g, forty_two, &r), PYGEN_RETURN);
    CHECK_EQ_PTR(r, Py_None);
    Py_XDECREF(r);
    r = NULL;
    CHECK_EQ_INT(Py_TYPE(g)->tp_as_async->am_send(g, forty_two, &r), PYGEN_RETURN);
    CHECK_EQ_PTR(r, Py_None);
    Py_XDECREF(r);
    CHECK(PyErr_Occurred() == NULL);
    Py_DECREF(g);
    Py_DECREF(forty_two);
    ret_value = NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* 36, 39, 42: raising. */

static PyObject *raise_exc; /* the instance raise_body raises */

/* Yields 1 (line 11); when resumed raises `raise_exc` at line 12. */
static int raise_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    if (arg == NULL) {
        return PYNATIVE_ERROR;
    }
    switch (f->f_lasti) {
    case -1:
        f->f_lineno = 11;
        NATIVE_YIELD(f, 1, PyLong_FromLong(1));
    case 1:
        f->f_lineno = 12;
        PyErr_SetObject((PyObject *)Py_TYPE(raise_exc), raise_exc);
        return PYNATIVE_ERROR;
    }
    return bad_label();
}

/* 36 */
static void test_pyiter_send_yield_and_raise(void)
{
    PyObject *g, *r, *v;
    raise_exc = PyObject_CallFunction(PyExc_KeyError, "s", "boom");
    REQUIRE(raise_exc != NULL);
    g = NATIVE_GEN(raise_body, "raiser");
    REQUIRE(g != NULL);
    r = NULL;
    CHECK_EQ_INT(PyIter_Send(g, Py_None, &r), PYGEN_NEXT);
    CHECK_EQ_INT(native_long(r), 1);
    Py_XDECREF(r);
    r = Py_None;
    CHECK_EQ_INT(PyIter_Send(g, Py_None, &r), PYGEN_ERROR);
    CHECK(r == NULL);
    v = fetch_exc(NULL);
    CHECK_EQ_PTR(v, raise_exc);
    Py_XDECREF(v);
    Py_DECREF(g);
    Py_CLEAR(raise_exc);
}

/* 37 */
static void test_pyiter_send_exhausted_coroutine(void)
{
    PyObject *c, *r, *forty_two = PyLong_FromLong(42);
    ret_value = forty_two;
    c = NATIVE_CORO(return_now_body, "exhausted");
    REQUIRE(c != NULL);
    r = NULL;
    CHECK_EQ_INT(PyIter_Send(c, Py_None, &r), PYGEN_RETURN);
    CHECK_EQ_PTR(r, forty_two);
    Py_XDECREF(r);
    r = Py_None;
    CHECK_EQ_INT(PyIter_Send(c, Py_None, &r), PYGEN_ERROR);
    CHECK(r == NULL);
    CHECK_EXC(PyExc_RuntimeError, "cannot reuse already awaited coroutine");
    r = Py_None;
    CHECK_EQ_INT(PyIter_Send(c, forty_two, &r), PYGEN_ERROR);
    CHECK(r == NULL);
    CHECK_EXC(PyExc_RuntimeError, "cannot reuse already awaited coroutine");
    Py_DECREF(c);
    Py_DECREF(forty_two);
    ret_value = NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* 38: PyIter_Send on iterators that are not generators. */

/* counter_iter: yields 1 .. limit, then is exhausted: NULL with nothing set, or StopIteration
 * (stop_value) when stop_value is not NULL. No send method, no tp_as_async. */
typedef struct {
    PyObject_HEAD
    long n;
    long limit;
    PyObject *stop_value;
} CounterObject;

static PyObject *counter_next(PyObject *self)
{
    CounterObject *c = (CounterObject *)self;
    if (c->n >= c->limit) {
        if (c->stop_value != NULL) {
            PyErr_SetObject(PyExc_StopIteration, c->stop_value);
        }
        return NULL;
    }
    return PyLong_FromLong(++c->n);
}

static void counter_dealloc(PyObject *self)
{
    Py_CLEAR(((CounterObject *)self)->stop_value);
    PyObject_Free(self);
}

static PyTypeObject Counter_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "counter_iter",
    .tp_basicsize = sizeof(CounterObject),
    .tp_dealloc = counter_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_iter = PyObject_SelfIter,
    .tp_iternext = counter_next,
};

static PyObject *new_counter(long limit, PyObject *stop_value)
{
    CounterObject *c;
    if (PyType_Ready(&Counter_Type) < 0) {
        return NULL;
    }
    c = PyObject_New(CounterObject, &Counter_Type);
    if (c == NULL) {
        return NULL;
    }
    c->n = 0;
    c->limit = limit;
    c->stop_value = stop_value;
    Py_XINCREF(stop_value);
    return (PyObject *)c;
}

/* 38 */
static void test_pyiter_send_plain_iterator(void)
{
    PyObject *it = new_counter(2, NULL);
    PyObject *forty_two = PyLong_FromLong(42);
    PyObject *r;
    REQUIRE(it != NULL);
    CHECK(PyIter_Check(it));
    CHECK(Py_TYPE(it)->tp_as_async == NULL);
    r = NULL;
    CHECK_EQ_INT(PyIter_Send(it, Py_None, &r), PYGEN_NEXT);
    CHECK_EQ_INT(native_long(r), 1);
    Py_XDECREF(r);
    /* A value other than None: it.send(42), which it lacks. */
    r = Py_None;
    CHECK_EQ_INT(PyIter_Send(it, forty_two, &r), PYGEN_ERROR);
    CHECK(r == NULL);
    CHECK_EXC(PyExc_AttributeError, "'counter_iter' object has no attribute 'send'");
    r = NULL;
    CHECK_EQ_INT(PyIter_Send(it, Py_None, &r), PYGEN_NEXT);
    CHECK_EQ_INT(native_long(r), 2);
    Py_XDECREF(r);
    /* Exhausted without StopIteration: PYGEN_RETURN with None. */
    r = NULL;
    CHECK_EQ_INT(PyIter_Send(it, Py_None, &r), PYGEN_RETURN);
    CHECK_EQ_PTR(r, Py_None);
    Py_XDECREF(r);
    CHECK_NO_EXC();
    Py_DECREF(it);

    /* Exhausted with StopIteration(9): PYGEN_RETURN with 9, the exception cleared. */
    {
        PyObject *nine = PyLong_FromLong(9);
        it = new_counter(0, nine);
        REQUIRE(it != NULL);
        r = NULL;
        CHECK_EQ_INT(PyIter_Send(it, Py_None, &r), PYGEN_RETURN);
        CHECK_EQ_PTR(r, nine);
        Py_XDECREF(r);
        CHECK(PyErr_Occurred() == NULL);
        Py_DECREF(it);
        Py_DECREF(nine);
    }
    Py_DECREF(forty_two);
}

/* A coroutine: yields 1; returns (sent value) * 10. */
static int times_ten_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    if (arg == NULL) {
        return PYNATIVE_ERROR;
    }
    switch (f->f_lasti) {
    case -1:
        NATIVE_YIELD(f, 1, PyLong_FromLong(1));
    case 1:
        *out = PyLong_FromLong(native_long(arg) * 10);
        return PYNATIVE_RETURN;
    }
    return bad_label();
}

/* 38: a coroutine wrapper has no am_send: PyIter_Send uses tp_iternext for None and the
 * wrapper's send method otherwise (a return comes back as PYGEN_RETURN through StopIteration). */
static void test_pyiter_send_coroutine_wrapper(void)
{
    PyObject *c = NATIVE_CORO(times_ten_body, "times_ten");
    PyObject *w, *r, *four = PyLong_FromLong(4);
    REQUIRE(c != NULL);
    w = Py_TYPE(c)->tp_as_async->am_await(c);
    REQUIRE(w != NULL);
    CHECK(Py_TYPE(w)->tp_as_async == NULL);
    r = NULL;
    CHECK_EQ_INT(PyIter_Send(w, Py_None, &r), PYGEN_NEXT);
    CHECK_EQ_INT(native_long(r), 1);
    Py_XDECREF(r);
    r = NULL;
    CHECK_EQ_INT(PyIter_Send(w, four, &r), PYGEN_RETURN);
    CHECK_EQ_INT(native_long(r), 40);
    Py_XDECREF(r);
    CHECK(PyErr_Occurred() == NULL);
    /* The coroutine is exhausted: tp_iternext says so with the reuse error. */
    r = Py_None;
    CHECK_EQ_INT(PyIter_Send(w, Py_None, &r), PYGEN_ERROR);
    CHECK(r == NULL);
    CHECK_EXC(PyExc_RuntimeError, "cannot reuse already awaited coroutine");
    Py_DECREF(w);
    Py_DECREF(c);

    /* A fresh coroutine: a non-None value goes through wrapper.send. */
    c = NATIVE_CORO(times_ten_body, "times_ten");
    REQUIRE(c != NULL);
    w = Py_TYPE(c)->tp_as_async->am_await(c);
    REQUIRE(w != NULL);
    r = Py_None;
    CHECK_EQ_INT(PyIter_Send(w, four, &r), PYGEN_ERROR);
    CHECK(r == NULL);
    CHECK_EXC(PyExc_TypeError, "can't send non-None value to a just-started coroutine");
    r = close_meth(c);
    CHECK_EQ_PTR(r, Py_None);
    Py_XDECREF(r);
    Py_DECREF(w);
    Py_DECREF(c);
    Py_DECREF(four);
}

/* ------------------------------------------------------------------------------------------ */
/* 39, 40: states. */

/* 39: after a return. */
static void test_frame_released_after_return(void)
{
    PyObject *g, *r, *attr;
    PyFrameObject *f;
    ret_value = Py_None;
    g = NATIVE_GEN(yield_then_return_body, "states");
    REQUIRE(g != NULL);
    f = (PyFrameObject *)Py_NewRef(FRAME_OF(g));
    r = PyIter_Next(g);
    Py_XDECREF(r);
    CHECK_EQ_PTR(f->f_gen, g);
    r = PyIter_Next(g);
    CHECK(r == NULL);
    CHECK_NO_EXC();
    CHECK(FRAME_OF(g) == NULL);
    attr = PyObject_GetAttrString(g, "gi_frame");
    CHECK_EQ_PTR(attr, Py_None);
    Py_XDECREF(attr);
    CHECK(f->f_gen == NULL);
    CHECK_EQ_INT(f->f_state, FRAME_RETURNED);
    CHECK_EQ_INT(Py_REFCNT(f), 1);
    CHECK_NO_EXC();
    Py_DECREF(f);
    Py_DECREF(g);
    ret_value = NULL;
}

/* 39: after a raise. */
static void test_frame_released_after_raise(void)
{
    PyObject *g, *r, *attr;
    PyFrameObject *f;
    raise_exc = PyObject_CallFunction(PyExc_KeyError, "s", "boom");
    REQUIRE(raise_exc != NULL);
    g = NATIVE_GEN(raise_body, "states");
    REQUIRE(g != NULL);
    f = (PyFrameObject *)Py_NewRef(FRAME_OF(g));
    r = PyIter_Next(g);
    Py_XDECREF(r);
    r = PyIter_Next(g);
    CHECK(r == NULL);
    CHECK_EXC(PyExc_KeyError, "'boom'");
    CHECK(FRAME_OF(g) == NULL);
    attr = PyObject_GetAttrString(g, "gi_frame");
    CHECK_EQ_PTR(attr, Py_None);
    Py_XDECREF(attr);
    CHECK(f->f_gen == NULL);
    CHECK_EQ_INT(f->f_state, FRAME_RAISED);
    CHECK_NO_EXC();
    Py_DECREF(f);
    Py_DECREF(g);
    Py_CLEAR(raise_exc);
}

/* 40 */
static void test_states_through_a_run(void)
{
    PyObject *g = NATIVE_GEN(echo_body, "states");
    PyObject *r, *running;
    PyFrameObject *f;
    REQUIRE(g != NULL);
    f = FRAME_OF(g);
    CHECK_EQ_INT(f->f_state, FRAME_CREATED);
    CHECK_EQ_INT(f->f_lasti, -1);
    running = PyObject_GetAttrString(g, "gi_running");
    CHECK_EQ_PTR(running, Py_False);
    Py_XDECREF(running);

    /* echo_body checks gi_running is True and f_state EXECUTING while it runs. */
    echo_self = g;
    echo_runs = 0;
    r = PyIter_Next(g);
    CHECK_EQ_INT(native_long(r), 1);
    Py_XDECREF(r);
    CHECK_EQ_INT(echo_runs, 1);
    CHECK_EQ_INT(f->f_state, FRAME_SUSPENDED);
    CHECK(f->f_lasti >= 0);
    running = PyObject_GetAttrString(g, "gi_running");
    CHECK_EQ_PTR(running, Py_False);
    Py_XDECREF(running);
    CHECK(PyEval_GetFrame() == NULL);

    r = PyIter_Next(g);
    Py_XDECREF(r);
    CHECK_EQ_INT(f->f_state, FRAME_SUSPENDED);
    running = PyObject_GetAttrString(g, "gi_running");
    CHECK_EQ_PTR(running, Py_False);
    Py_XDECREF(running);
    echo_self = NULL;
    CHECK_NO_EXC();
    Py_DECREF(g);
}

/* ------------------------------------------------------------------------------------------ */
/* 41: f_back. */

static PyFrameObject *fback_expected; /* what the inner frame's f_back must be while it runs */
static PyObject *fback_inner;         /* the inner generator, resumed by the outer one */
static int fback_inner_checks;

/* Yields forever; checks its f_back each time it runs. */
static int fback_inner_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    PyFrameObject *back;
    if (arg == NULL) {
        return PYNATIVE_ERROR;
    }
    fback_inner_checks++;
    CHECK_EQ_PTR(PyEval_GetFrame(), f);
    CHECK_EQ_PTR(f->f_back, fback_expected);
    back = PyFrame_GetBack(f);
    CHECK_EQ_PTR(back, fback_expected);
    Py_XDECREF(back);
    CHECK_NO_EXC();
    NATIVE_YIELD(f, 1, PyLong_FromLong(fback_inner_checks));
}

/* Resumes fback_inner from its body and yields what it yielded. */
static int fback_outer_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    PyObject *r;
    if (arg == NULL) {
        return PYNATIVE_ERROR;
    }
    fback_expected = f;
    r = PyIter_Next(fback_inner);
    if (r == NULL) {
        return PYNATIVE_ERROR;
    }
    CHECK_EQ_PTR(PyEval_GetFrame(), f);
    NATIVE_YIELD(f, 1, r);
}

/* 41 */
static void test_f_back_is_the_caller_while_running(void)
{
    PyObject *inner = NATIVE_GEN(fback_inner_body, "inner");
    PyObject *outer = NATIVE_GEN(fback_outer_body, "outer");
    PyObject *r;
    PyFrameObject *fi;
    REQUIRE(inner != NULL && outer != NULL);
    fi = FRAME_OF(inner);
    fback_inner = inner;
    fback_inner_checks = 0;

    /* Resumed from C (no executing frame): f_back is NULL while it runs. */
    fback_expected = NULL;
    r = PyIter_Next(inner);
    CHECK_EQ_INT(native_long(r), 1);
    Py_XDECREF(r);
    CHECK(fi->f_back == NULL);

    /* Resumed from the outer generator's body: f_back is the outer frame. */
    r = PyIter_Next(outer);
    CHECK_EQ_INT(native_long(r), 2);
    Py_XDECREF(r);
    /* Suspended again: no f_back, and the outer frame's link is gone as well. */
    CHECK(fi->f_back == NULL);
    CHECK(FRAME_OF(outer)->f_back == NULL);
    CHECK(PyEval_GetFrame() == NULL);

    /* The link follows the latest caller: from C again. */
    fback_expected = NULL;
    r = PyIter_Next(inner);
    CHECK_EQ_INT(native_long(r), 3);
    Py_XDECREF(r);
    CHECK(fi->f_back == NULL);

    /* And through the outer generator a second time. */
    r = PyIter_Next(outer);
    CHECK_EQ_INT(native_long(r), 4);
    Py_XDECREF(r);
    CHECK(fi->f_back == NULL);
    CHECK_EQ_INT(fback_inner_checks, 4);
    CHECK_NO_EXC();
    fback_inner = NULL;
    fback_expected = NULL;
    Py_DECREF(outer);
    Py_DECREF(inner);
}

/* ------------------------------------------------------------------------------------------ */
/* 42: tracebacks. */

static PyObject *tb_inner; /* a raise_body generator */

/* Yields 0 (line 31); when resumed, resumes tb_inner at line 32 and lets its error through. */
static int tb_outer_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    PyObject *r;
    if (arg == NULL) {
        return PYNATIVE_ERROR;
    }
    switch (f->f_lasti) {
    case -1:
        f->f_lineno = 31;
        NATIVE_YIELD(f, 1, PyLong_FromLong(0));
    case 1:
        f->f_lineno = 32;
        r = PyIter_Next(tb_inner);
        if (r == NULL) {
            return PYNATIVE_ERROR;
        }
        NATIVE_YIELD(f, 2, r);
    }
    return bad_label();
}

/* 42: the caller frame's entry comes first, then the generator frame's. */
static void test_traceback_caller_then_generator(void)
{
    PyObject *inner, *outer, *r, *v, *tb;
    PyFrameObject *fi, *fo;
    PyTracebackObject *t;
    raise_exc = PyObject_CallFunction(PyExc_KeyError, "s", "boom");
    REQUIRE(raise_exc != NULL);
    inner = NATIVE_GEN(raise_body, "inner");
    outer = NATIVE_GEN(tb_outer_body, "outer");
    REQUIRE(inner != NULL && outer != NULL);
    fi = (PyFrameObject *)Py_NewRef(FRAME_OF(inner));
    fo = (PyFrameObject *)Py_NewRef(FRAME_OF(outer));
    tb_inner = inner;
    r = PyIter_Next(inner);
    CHECK_EQ_INT(native_long(r), 1);
    Py_XDECREF(r);
    r = PyIter_Next(outer);
    CHECK_EQ_INT(native_long(r), 0);
    Py_XDECREF(r);

    r = PyIter_Next(outer);
    CHECK(r == NULL);
    v = fetch_exc(&tb);
    CHECK_EQ_PTR(v, raise_exc);
    REQUIRE(tb != NULL);
    CHECK(PyTraceBack_Check(tb));
    t = (PyTracebackObject *)tb;
    CHECK_EQ_PTR(t->tb_frame, fo);
    CHECK_EQ_INT(t->tb_lineno, 32);
    CHECK_EQ_INT(t->tb_lasti, 2);
    REQUIRE(t->tb_next != NULL);
    t = t->tb_next;
    CHECK_EQ_PTR(t->tb_frame, fi);
    CHECK_EQ_INT(t->tb_lineno, 12);
    CHECK_EQ_INT(t->tb_lasti, 2);
    CHECK(t->tb_next == NULL);
    /* Both generators are finished; their frames no longer link to a caller. */
    CHECK(FRAME_OF(inner) == NULL);
    CHECK(FRAME_OF(outer) == NULL);
    CHECK(fi->f_back == NULL);
    CHECK(fo->f_back == NULL);
    Py_XDECREF(v);
    Py_DECREF(tb);
    Py_DECREF(fi);
    Py_DECREF(fo);
    tb_inner = NULL;
    Py_DECREF(outer);
    Py_DECREF(inner);
    Py_CLEAR(raise_exc);
}

/* 42: resumed from C (no caller frame), the traceback has the generator's entry only. */
static void test_traceback_from_c_caller(void)
{
    PyObject *g, *r, *v, *tb;
    PyFrameObject *f;
    raise_exc = PyObject_CallFunction(PyExc_KeyError, "s", "boom");
    REQUIRE(raise_exc != NULL);
    g = NATIVE_GEN(raise_body, "raiser");
    REQUIRE(g != NULL);
    f = (PyFrameObject *)Py_NewRef(FRAME_OF(g));
    r = PyIter_Next(g);
    Py_XDECREF(r);
    r = PyIter_Next(g);
    CHECK(r == NULL);
    v = fetch_exc(&tb);
    CHECK_EQ_PTR(v, raise_exc);
    REQUIRE(tb != NULL);
    CHECK_EQ_PTR(((PyTracebackObject *)tb)->tb_frame, f);
    CHECK_EQ_INT(((PyTracebackObject *)tb)->tb_lineno, 12);
    CHECK(((PyTracebackObject *)tb)->tb_next == NULL);
    Py_XDECREF(v);
    Py_DECREF(tb);
    Py_DECREF(f);
    Py_DECREF(g);
    Py_CLEAR(raise_exc);
}

int main(void)
{
    RUN(test_send_non_none_to_just_started_generator);
    RUN(test_first_next_runs_to_first_yield);
    RUN(test_send_non_none_to_just_started_coroutine);
    RUN(test_send_non_none_to_just_started_async_generator);
    RUN(test_reentrant_generator);
    RUN(test_reentrant_coroutine);
    RUN(test_reentrant_send_value);
    RUN(test_reentrant_error_propagates);
    RUN(test_reentrant_through_delegation);
    RUN(test_return_int);
    RUN(test_return_tuple);
    RUN(test_return_exception_instance);
    RUN(test_return_none_through_send);
    RUN(test_exhausted_generator);
    RUN(test_iternext_return_none_sets_nothing);
    RUN(test_iternext_return_value_sets_stop_iteration);
    RUN(test_am_send_return_none);
    RUN(test_pyiter_send_exhausted_generator);
    RUN(test_pyiter_send_yield_and_raise);
    RUN(test_pyiter_send_exhausted_coroutine);
    RUN(test_pyiter_send_plain_iterator);
    RUN(test_pyiter_send_coroutine_wrapper);
    RUN(test_frame_released_after_return);
    RUN(test_frame_released_after_raise);
    RUN(test_states_through_a_run);
    RUN(test_f_back_is_the_caller_while_running);
    RUN(test_traceback_caller_then_generator);
    RUN(test_traceback_from_c_caller);
    return HARNESS_SUMMARY();
}
