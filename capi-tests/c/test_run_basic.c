/*
 * Running native frames: the basic paths through the resume routine, an await chain driven by
 * PyIter_Send, a throw caught by the body, close running cleanup code.
 * Checklist numbers (reference §4) are in the comments.
 */
#include "harness.h"
#include "native.h"

/* inner: yields 1, then returns (sent value) * 10. */
static int inner_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    switch (f->f_lasti) {
    case -1:
        NATIVE_YIELD(f, 1, PyLong_FromLong(1));
    case 1:
        if (arg == NULL) {
            return PYNATIVE_ERROR;
        }
        *out = PyLong_FromLong(native_long(arg) * 10);
        return PYNATIVE_RETURN;
    }
    PyErr_SetString(PyExc_SystemError, "bad label");
    return PYNATIVE_ERROR;
}

/* outer: awaits a new inner coroutine, returns its result + 1. */
static int outer_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    switch (f->f_lasti) {
    case -1: {
        PyObject *c = NATIVE_CORO(inner_body, "inner");
        if (c == NULL) {
            return PYNATIVE_ERROR;
        }
        NATIVE_AWAIT(f, 1, c);
    }
    case 1:
        if (arg == NULL) {
            return PYNATIVE_ERROR;
        }
        *out = PyLong_FromLong(native_long(arg) + 1);
        return PYNATIVE_RETURN;
    }
    PyErr_SetString(PyExc_SystemError, "bad label");
    return PYNATIVE_ERROR;
}

static void test_await_chain(void)
{
    PyObject *c = NATIVE_CORO(outer_body, "outer");
    PyObject *r = NULL;
    REQUIRE(c != NULL);
    CHECK_EQ_INT(PyIter_Send(c, Py_None, &r), PYGEN_NEXT);
    CHECK_EQ_INT(native_long(r), 1);
    Py_XDECREF(r);
    {
        PyObject *aw = PyObject_GetAttrString(c, "cr_await");
        REQUIRE(aw != NULL);
        CHECK(PyCoro_CheckExact(aw));
        Py_DECREF(aw);
    }
    {
        PyObject *seven = PyLong_FromLong(7);
        CHECK_EQ_INT(PyIter_Send(c, seven, &r), PYGEN_RETURN);
        CHECK_EQ_INT(native_long(r), 71);
        Py_XDECREF(r);
        Py_DECREF(seven);
    }
    CHECK_NO_EXC();
    CHECK(((PyCoroObject *)c)->cr_frame == NULL);
    Py_DECREF(c);
}

/* catcher: yields 1; when KeyError is thrown in, handles it and yields 2; returns on next. */
static int catcher_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    switch (f->f_lasti) {
    case -1:
        NATIVE_YIELD(f, 1, PyLong_FromLong(1));
    case 1:
        if (arg == NULL) {
            if (!PyErr_ExceptionMatches(PyExc_KeyError)) {
                return PYNATIVE_ERROR;
            }
            PyErr_Clear();
            NATIVE_YIELD(f, 2, PyLong_FromLong(2));
        }
        NATIVE_YIELD(f, 2, PyLong_FromLong(3));
    case 2:
        if (arg == NULL) {
            return PYNATIVE_ERROR;
        }
        *out = Py_NewRef(Py_None);
        return PYNATIVE_RETURN;
    }
    PyErr_SetString(PyExc_SystemError, "bad label");
    return PYNATIVE_ERROR;
}

static void test_throw_caught(void)
{
    PyObject *g = NATIVE_GEN(catcher_body, "catcher");
    PyObject *r;
    REQUIRE(g != NULL);
    r = PyIter_Next(g);
    CHECK_EQ_INT(native_long(r), 1);
    Py_XDECREF(r);
    r = PyObject_CallMethod(g, "throw", "O", PyExc_KeyError);
    CHECK_EQ_INT(native_long(r), 2);
    Py_XDECREF(r);
    r = PyIter_Next(g);
    CHECK(r == NULL);
    CHECK_NO_EXC();
    Py_DECREF(g);
}

static int cleanups;

/* cleanup: yields 1; on GeneratorExit counts a cleanup and re-raises. */
static int cleanup_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    (void)out;
    switch (f->f_lasti) {
    case -1:
        NATIVE_YIELD(f, 1, PyLong_FromLong(1));
    case 1:
        if (arg == NULL && PyErr_ExceptionMatches(PyExc_GeneratorExit)) {
            cleanups++;
        }
        return PYNATIVE_ERROR;
    }
    PyErr_SetString(PyExc_SystemError, "bad label");
    return PYNATIVE_ERROR;
}

/* 56 */
static void test_close_runs_cleanup(void)
{
    PyObject *g = NATIVE_GEN(cleanup_body, "cleanup");
    PyObject *r;
    REQUIRE(g != NULL);
    r = PyIter_Next(g);
    Py_XDECREF(r);
    cleanups = 0;
    r = PyObject_CallMethod(g, "close", NULL);
    CHECK(r == Py_None);
    Py_XDECREF(r);
    CHECK_EQ_INT(cleanups, 1);
    CHECK(((PyGenObject *)g)->gi_frame == NULL);
    Py_DECREF(g);
}

int main(void)
{
    RUN(test_await_chain);
    RUN(test_throw_caught);
    RUN(test_close_runs_cleanup);
    return HARNESS_SUMMARY();
}
