/*
 * Helpers for C tests that run native frames: build generators, coroutines and async
 * generators around body functions, and inspect the StopIteration a return leaves.
 *
 * A body is a PyNative_Body: int body(PyFrameObject *f, PyObject *arg, PyObject **out),
 * resuming at the label in f->f_lasti (-1 on the first run), keeping objects in
 * f->f_localsplus[0 .. nslots) and raw C state in PyNative_FrameState(f).
 */
#ifndef CAPI_TESTS_NATIVE_H
#define CAPI_TESTS_NATIVE_H

#include <Python.h>
#include <frameobject.h>
#include <stdarg.h>

/* A fresh frame (refcount 1) of a fresh native code object named `name` with `nslots` object
 * slots and 64 bytes of raw state. */
static inline PyFrameObject *native_frame(PyNative_Body body, int flags, const char *name,
                                          int nslots)
{
    PyCodeObject *co = PyNative_NewCode(body, name, "native_test.c", 100, flags, nslots, 64);
    PyFrameObject *f;
    if (co == NULL) {
        return NULL;
    }
    f = PyFrame_New(NULL, co, NULL, NULL);
    Py_DECREF(co);
    return f;
}

/* A new generator (flags CO_GENERATOR), coroutine (CO_COROUTINE) or async generator
 * (CO_ASYNC_GENERATOR) running `body`; the kind follows the flags. */
static inline PyObject *native_new(PyNative_Body body, int flags, const char *name, int nslots)
{
    PyFrameObject *f = native_frame(body, flags, name, nslots);
    if (f == NULL) {
        return NULL;
    }
    if (flags & CO_COROUTINE) {
        return PyCoro_New(f, NULL, NULL);
    }
    if (flags & CO_ASYNC_GENERATOR) {
        return PyAsyncGen_New(f, NULL, NULL);
    }
    return PyGen_New(f);
}

#define NATIVE_GEN(body, name) native_new((body), CO_GENERATOR, (name), 4)
#define NATIVE_CORO(body, name) native_new((body), CO_COROUTINE, (name), 4)

/* The raw state of a frame as an array of longs (64 bytes: 8 of them). */
#define NATIVE_STATE(f) ((long *)PyNative_FrameState(f))

/* Object slot i of a frame. */
#define NATIVE_SLOT(f, i) ((f)->f_localsplus[(i)])

/* Suspends the body at `label`, yielding `value` (a new reference). */
#define NATIVE_YIELD(f, label, value)                                                          \
    do {                                                                                       \
        (f)->f_lasti = (label);                                                                \
        *out = (value);                                                                        \
        return PYNATIVE_YIELD;                                                                 \
    } while (0)

/* Suspends the body at `label`, awaiting `awaitable` (a new reference). */
#define NATIVE_AWAIT(f, label, awaitable)                                                      \
    do {                                                                                       \
        (f)->f_lasti = (label);                                                                \
        *out = (awaitable);                                                                    \
        return PYNATIVE_AWAIT;                                                                 \
    } while (0)

/* Suspends the body at `label`, delegating with `yield from` to `iterable` (a new reference). */
#define NATIVE_YIELD_FROM(f, label, iterable)                                                  \
    do {                                                                                       \
        (f)->f_lasti = (label);                                                                \
        *out = (iterable);                                                                     \
        return PYNATIVE_YIELD_FROM;                                                            \
    } while (0)

/* Pops the pending StopIteration and returns its value (new reference), or NULL (with the
 * exception left set) when the pending exception is something else or nothing is pending. */
static inline PyObject *native_take_stop_value(void)
{
    PyObject *v = NULL;
    if (!PyErr_ExceptionMatches(PyExc_StopIteration)) {
        return NULL;
    }
    if (_PyGen_FetchStopIterationValue(&v) != 0) {
        return NULL;
    }
    return v;
}

/* A long out of an int object (-99999 when it is not one, with the error cleared). */
static inline long native_long(PyObject *o)
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

/* g.throw(*args) with `n` arguments (borrowed PyObject *). Return value: new reference or NULL
 * with an exception set. */
static inline PyObject *call_throw(PyObject *g, int n, ...)
{
    PyObject *args = PyTuple_New(n), *meth, *r;
    va_list ap;
    int i;
    if (args == NULL) {
        return NULL;
    }
    va_start(ap, n);
    for (i = 0; i < n; i++) {
        PyObject *a = va_arg(ap, PyObject *);
        PyTuple_SetItem(args, i, Py_NewRef(a));
    }
    va_end(ap);
    meth = PyObject_GetAttrString(g, "throw");
    if (meth == NULL) {
        Py_DECREF(args);
        return NULL;
    }
    r = PyObject_Call(meth, args, NULL);
    Py_DECREF(meth);
    Py_DECREF(args);
    return r;
}

/* g.close(). Return value: new reference or NULL. */
static inline PyObject *call_close(PyObject *g)
{
    return PyObject_CallMethod(g, "close", NULL);
}

/* g.send(v). Return value: new reference or NULL. */
static inline PyObject *call_send(PyObject *g, PyObject *v)
{
    return PyObject_CallMethod(g, "send", "(O)", v);
}

#endif
