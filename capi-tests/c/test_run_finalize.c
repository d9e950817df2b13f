/*
 * Finalization of generators and coroutines (PEP 442): tp_finalize = _PyGen_Finalize closes a
 * suspended frame when the last reference goes, reports failures as unraisable, preserves the
 * caller's exception state, and warns about coroutines that were never awaited.
 * Checklist numbers (reference §4, section H) are in the comments.
 */
#include "harness.h"
#include "native.h"

#include <string.h>

static int cleanups;

/* yields 1; on GeneratorExit counts a cleanup, then re-raises (or, with slot 0 set, yields
 * again: "ignores" GeneratorExit). */
static int cleanup_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    switch (f->f_lasti) {
    case -1:
        NATIVE_YIELD(f, 1, PyLong_FromLong(1));
    case 1:
        if (arg == NULL && PyErr_ExceptionMatches(PyExc_GeneratorExit)) {
            cleanups++;
            if (NATIVE_STATE(f)[0]) {
                PyErr_Clear();
                NATIVE_YIELD(f, 2, PyLong_FromLong(2));
            }
        }
        if (arg == NULL) {
            return PYNATIVE_ERROR;
        }
        *out = Py_NewRef(Py_None);
        return PYNATIVE_RETURN;
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

static PyObject *started(PyObject *g)
{
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

/* unraisable hook capture */
static int hook_calls;
static PyObject *hook_value;
static PyObject *hook_object;

static void capture_unraisable(PyObject *t, PyObject *v, PyObject *tb, PyObject *msg,
                               PyObject *obj, void *data)
{
    (void)t;
    (void)tb;
    (void)msg;
    (void)data;
    hook_calls++;
    Py_XDECREF(hook_value);
    hook_value = Py_XNewRef(v);
    hook_object = obj;
}

/* warning capture */
static int warn_calls;
static char warn_text[512];
static PyObject *warn_category;
static char warn_file[64];
static int warn_line;

static int capture_warning(PyObject *category, PyObject *message, PyObject *filename, int lineno,
                           PyObject *source, void *data)
{
    (void)source;
    (void)data;
    warn_calls++;
    warn_category = category;
    snprintf(warn_text, sizeof warn_text, "%s", PyUnicode_AsUTF8(message));
    snprintf(warn_file, sizeof warn_file, "%s", PyUnicode_AsUTF8(filename));
    warn_line = lineno;
    return 0;
}

/* 74 */
static void test_dealloc_closes_suspended(void)
{
    PyObject *g = started(NATIVE_GEN(cleanup_body, "g"));
    REQUIRE(g != NULL);
    cleanups = 0;
    Py_DECREF(g);
    CHECK_EQ_INT(cleanups, 1);
    CHECK_NO_EXC();
}

/* 75 */
static void test_failed_close_is_unraisable(void)
{
    PyObject *g = NATIVE_GEN(cleanup_body, "stubborn");
    PyFrameObject *f;
    REQUIRE(g != NULL);
    f = ((PyGenObject *)g)->gi_frame;
    NATIVE_STATE(f)[0] = 1; /* yield again on GeneratorExit */
    g = started(g);
    REQUIRE(g != NULL);
    hook_calls = 0;
    PyNative_SetUnraisableHook(capture_unraisable, NULL);
    Py_DECREF(g);
    PyNative_SetUnraisableHook(NULL, NULL);
    CHECK_EQ_INT(hook_calls, 1);
    CHECK(hook_object == g); /* the dying generator (compared by address only) */
    REQUIRE(hook_value != NULL);
    CHECK(PyErr_GivenExceptionMatches(hook_value, PyExc_RuntimeError));
    CHECK_STR(hook_value, "generator ignored GeneratorExit");
    Py_CLEAR(hook_value);
    CHECK_NO_EXC();
}

/* 76: a pending error and the exception being handled survive a finalizer that runs while
 * they are set. */
static void test_finalizer_preserves_exception_state(void)
{
    PyObject *g = started(NATIVE_GEN(cleanup_body, "g"));
    PyObject *handled = PyObject_CallFunction(PyExc_ValueError, "s", "handled");
    PyObject *t, *v, *tb;
    REQUIRE(g != NULL && handled != NULL);
    PyErr_SetExcInfo(Py_NewRef(PyExc_ValueError), Py_NewRef(handled), NULL);
    PyErr_SetString(PyExc_KeyError, "pending");
    cleanups = 0;
    Py_DECREF(g);
    CHECK_EQ_INT(cleanups, 1);
    CHECK_EXC(PyExc_KeyError, "'pending'");
    PyErr_GetExcInfo(&t, &v, &tb);
    CHECK(v == handled);
    Py_XDECREF(t);
    Py_XDECREF(v);
    Py_XDECREF(tb);
    PyErr_SetExcInfo(NULL, NULL, NULL);
    Py_DECREF(handled);
}

/* 77 */
static void test_finalize_called_directly(void)
{
    PyObject *g = started(NATIVE_GEN(cleanup_body, "g"));
    PyFrameObject *f;
    REQUIRE(g != NULL);
    cleanups = 0;
    _PyGen_Finalize(g);
    CHECK_EQ_INT(cleanups, 1);
    CHECK(((PyGenObject *)g)->gi_frame == NULL);
    Py_DECREF(g); /* the finalizer already ran: nothing more happens */
    CHECK_EQ_INT(cleanups, 1);

    g = NATIVE_GEN(cleanup_body, "fresh");
    REQUIRE(g != NULL);
    f = ((PyGenObject *)g)->gi_frame;
    Py_INCREF(f);
    _PyGen_Finalize(g);
    CHECK(((PyGenObject *)g)->gi_frame == NULL);
    CHECK_EQ_INT(f->f_state, FRAME_RAISED);
    CHECK_EQ_INT(cleanups, 1); /* no body code ran */
    Py_DECREF(f);
    Py_DECREF(g);
    CHECK_NO_EXC();
}

/* 78, 81 */
static void test_never_awaited_warning(void)
{
    PyFrameObject *f = native_frame(cleanup_body, CO_COROUTINE, "c_ret", 1);
    PyObject *q = PyUnicode_FromString("QualFromC");
    PyObject *c;
    REQUIRE(f != NULL && q != NULL);
    c = PyCoro_New(f, NULL, q);
    REQUIRE(c != NULL);
    f = ((PyCoroObject *)c)->cr_frame;
    Py_INCREF(f);
    warn_calls = 0;
    PyNative_SetWarningHandler(capture_warning, NULL);
    PyNative_WarningsFilter("always", NULL);
    Py_DECREF(c);
    CHECK_EQ_INT(warn_calls, 1);
    CHECK(warn_category == PyExc_RuntimeWarning);
    CHECK_STR_EQ(warn_text, "coroutine 'QualFromC' was never awaited");
    CHECK_STR_EQ(warn_file, "sys");
    CHECK_EQ_INT(warn_line, 1);
    /* the frame is not closed by the finalizer */
    CHECK_EQ_INT(f->f_state, FRAME_CREATED);
    Py_DECREF(f);
    Py_DECREF(q);
    PyNative_WarningsFilter("reset", NULL);
    PyNative_SetWarningHandler(NULL, NULL);
    CHECK_NO_EXC();
}

/* makes a coroutine while running (slot 0 keeps it), with origin tracking on */
static int maker_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    (void)arg;
    f->f_lineno = 304;
    NATIVE_SLOT(f, 0) = NATIVE_CORO(cleanup_body, "c_ret");
    if (NATIVE_SLOT(f, 0) == NULL) {
        return PYNATIVE_ERROR;
    }
    *out = Py_NewRef(Py_None);
    return PYNATIVE_RETURN;
}

/* drops a never-awaited coroutine while running at line 77 */
static int dropper_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    PyObject *c;
    (void)arg;
    f->f_lineno = 77;
    c = NATIVE_CORO(cleanup_body, "dropped");
    if (c == NULL) {
        return PYNATIVE_ERROR;
    }
    Py_DECREF(c);
    *out = Py_NewRef(Py_None);
    return PYNATIVE_RETURN;
}

/* 78: the warning names the frame that was running when the coroutine died (CPython 3.10:
 * "file.py:N: RuntimeWarning: coroutine 'x' was never awaited", from stacklevel=2 in its
 * Python helper). */
static void test_never_awaited_warning_location(void)
{
    PyObject *d = NATIVE_CORO(dropper_body, "dropper"), *r = NULL;
    REQUIRE(d != NULL);
    warn_calls = 0;
    PyNative_SetWarningHandler(capture_warning, NULL);
    PyNative_WarningsFilter("always", NULL);
    CHECK_EQ_INT(PyIter_Send(d, Py_None, &r), PYGEN_RETURN);
    Py_XDECREF(r);
    CHECK_EQ_INT(warn_calls, 1);
    CHECK_STR_EQ(warn_text, "coroutine 'dropped' was never awaited");
    CHECK_STR_EQ(warn_file, "native_test.c");
    CHECK_EQ_INT(warn_line, 77);
    Py_DECREF(d);
    PyNative_WarningsFilter("reset", NULL);
    PyNative_SetWarningHandler(NULL, NULL);
}

/* 79 */
static void test_never_awaited_warning_with_origin(void)
{
    PyFrameObject *f = native_frame(maker_body, CO_COROUTINE, "never_awaited", 1);
    PyObject *maker, *r = NULL;
    REQUIRE(f != NULL);
    maker = PyCoro_New(f, NULL, NULL);
    REQUIRE(maker != NULL);
    f = ((PyCoroObject *)maker)->cr_frame;
    Py_INCREF(f);
    PyThreadState_Get()->coroutine_origin_tracking_depth = 1;
    CHECK_EQ_INT(PyIter_Send(maker, Py_None, &r), PYGEN_RETURN);
    Py_XDECREF(r);
    PyThreadState_Get()->coroutine_origin_tracking_depth = 0;
    Py_DECREF(maker);
    warn_calls = 0;
    PyNative_SetWarningHandler(capture_warning, NULL);
    PyNative_WarningsFilter("always", NULL);
    Py_CLEAR(NATIVE_SLOT(f, 0)); /* the coroutine dies */
    CHECK_EQ_INT(warn_calls, 1);
    CHECK_STR_EQ(warn_text, "coroutine 'c_ret' was never awaited\n"
                            "Coroutine created at (most recent call last)\n"
                            "  File \"native_test.c\", line 304, in never_awaited");

    /* created with tracking on and no frame running: cr_origin == (), header line only */
    PyThreadState_Get()->coroutine_origin_tracking_depth = 1;
    r = NATIVE_CORO(cleanup_body, "bare");
    PyThreadState_Get()->coroutine_origin_tracking_depth = 0;
    REQUIRE(r != NULL);
    Py_DECREF(r);
    CHECK_EQ_INT(warn_calls, 2);
    CHECK_STR_EQ(warn_text, "coroutine 'bare' was never awaited\n"
                            "Coroutine created at (most recent call last)");
    PyNative_WarningsFilter("reset", NULL);
    PyNative_SetWarningHandler(NULL, NULL);
    Py_DECREF(f);
    CHECK_NO_EXC();
}

/* 80 */
static void test_closed_before_start_no_warning(void)
{
    PyObject *c = NATIVE_CORO(cleanup_body, "closed");
    PyObject *r;
    REQUIRE(c != NULL);
    r = PyObject_CallMethod(c, "close", NULL);
    CHECK(r == Py_None);
    Py_XDECREF(r);
    warn_calls = 0;
    PyNative_SetWarningHandler(capture_warning, NULL);
    PyNative_WarningsFilter("always", NULL);
    Py_DECREF(c);
    CHECK_EQ_INT(warn_calls, 0);
    PyNative_WarningsFilter("reset", NULL);
    PyNative_SetWarningHandler(NULL, NULL);
}

/* The "error" filter turns the never-awaited warning into an exception, which (with no caller
 * to return it to) is reported as unraisable, as CPython does. */
static void test_never_awaited_as_error(void)
{
    PyObject *c = NATIVE_CORO(cleanup_body, "strict");
    REQUIRE(c != NULL);
    hook_calls = 0;
    PyNative_SetUnraisableHook(capture_unraisable, NULL);
    PyNative_WarningsFilter("error", PyExc_RuntimeWarning);
    Py_DECREF(c);
    PyNative_WarningsFilter("reset", NULL);
    PyNative_SetUnraisableHook(NULL, NULL);
    CHECK_EQ_INT(hook_calls, 1);
    REQUIRE(hook_value != NULL);
    CHECK(PyErr_GivenExceptionMatches(hook_value, PyExc_RuntimeWarning));
    CHECK_STR(hook_value, "coroutine 'strict' was never awaited");
    Py_CLEAR(hook_value);
    CHECK_NO_EXC();
}

int main(void)
{
    RUN(test_dealloc_closes_suspended);
    RUN(test_failed_close_is_unraisable);
    RUN(test_finalizer_preserves_exception_state);
    RUN(test_finalize_called_directly);
    RUN(test_never_awaited_warning);
    RUN(test_never_awaited_warning_location);
    RUN(test_never_awaited_warning_with_origin);
    RUN(test_closed_before_start_no_warning);
    RUN(test_never_awaited_as_error);
    return HARNESS_SUMMARY();
}
