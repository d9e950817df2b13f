/*
 * Async generator protocol through attributes, on pycoro: the scenario of agen_protocol.py
 * with native bodies (each body's Python source is in the comment above it). The awaitables
 * are driven by hand with their send/throw/close methods, as the Python side does.
 */
#include "transcript.h"

#include "../c/native.h"

#define state(a) frame_state((a), "ag", "AGEN")

/* @types.coroutine def suspend(value): sent = yield value; return sent
 * (slot 0: value) */
static int suspend_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    if (f->f_lasti < 0) {
        NATIVE_YIELD(f, 1, Py_NewRef(NATIVE_SLOT(f, 0)));
    }
    if (arg == NULL) {
        return PYNATIVE_ERROR;
    }
    *out = Py_NewRef(arg);
    return PYNATIVE_RETURN;
}

static PyObject *suspend(const char *value)
{
    PyFrameObject *f = native_frame(suspend_body, CO_GENERATOR | CO_ITERABLE_COROUTINE,
                                    "suspend", 1);
    if (f == NULL) {
        return NULL;
    }
    NATIVE_SLOT(f, 0) = str(value);
    return PyGen_New(f);
}

/* async def agen():
 *     got = await suspend("awaiting")
 *     yield ("first", got)
 *     try:
 *         yield "second"
 *     except ValueError as e:
 *         yield ("caught", e.args) */
static int agen_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    PyObject *r;
    if (arg == NULL && !(f->f_lasti == 3 && PyErr_ExceptionMatches(PyExc_ValueError))) {
        return PYNATIVE_ERROR;
    }
    switch (f->f_lasti) {
    case -1:
        r = suspend("awaiting");
        if (r == NULL) {
            return PYNATIVE_ERROR;
        }
        NATIVE_AWAIT(f, 1, r);
    case 1:
        NATIVE_YIELD(f, 2, Py_BuildValue("(sO)", "first", arg));
    case 2:
        NATIVE_YIELD(f, 3, str("second"));
    case 3:
        if (arg == NULL) {
            PyObject *e = caught(NULL), *args = attr(e, "args");
            Py_DECREF(e);
            if (args == NULL) {
                return PYNATIVE_ERROR;
            }
            NATIVE_YIELD(f, 4, Py_BuildValue("(sN)", "caught", args));
        }
        break;
    default:
        break;
    }
    *out = Py_NewRef(Py_None);
    return PYNATIVE_RETURN;
}

/* async def stubborn():
 *     while True:
 *         try:
 *             yield "again"
 *         except GeneratorExit:
 *             pass */
static int stubborn_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    if (arg == NULL) {
        if (f->f_lasti < 0 || !PyErr_ExceptionMatches(PyExc_GeneratorExit)) {
            return PYNATIVE_ERROR;
        }
        PyErr_Clear();
    }
    NATIVE_YIELD(f, 1, str("again"));
}

/* async def raises_stop_async():          async def raises_stop():
 *     yield "before"                          yield "before"
 *     raise StopAsyncIteration("inner")       raise StopIteration("inner")
 * (which exception: raw state word 0) */
static int raises_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    if (arg == NULL) {
        return PYNATIVE_ERROR;
    }
    if (f->f_lasti < 0) {
        NATIVE_YIELD(f, 1, str("before"));
    }
    PyErr_SetString(NATIVE_STATE(f)[0] ? PyExc_StopIteration : PyExc_StopAsyncIteration,
                    "inner");
    return PYNATIVE_ERROR;
}

static PyObject *new_agen(PyNative_Body body, const char *name)
{
    PyObject *a = native_new(body, CO_ASYNC_GENERATOR, name, 1);
    TR_REQUIRE(a != NULL);
    return a;
}

static PyObject *raises(int stop_iteration)
{
    PyFrameObject *f = native_frame(raises_body, CO_ASYNC_GENERATOR,
                                    stop_iteration ? "raises_stop" : "raises_stop_async", 0);
    TR_REQUIRE(f != NULL);
    NATIVE_STATE(f)[0] = stop_iteration;
    return PyAsyncGen_New(f, NULL, NULL);
}

/* getattr(o, method)(*args).send(v): builds the awaitable, sends v into it */
static PyObject *drive(PyObject *o, const char *method, PyObject *args, PyObject *v)
{
    PyObject *m, *aw, *r;
    if (args == NULL) {
        return NULL;
    }
    m = attr(o, method);
    aw = m != NULL ? PyObject_Call(m, args, NULL) : NULL;
    Py_XDECREF(m);
    Py_DECREF(args);
    if (aw == NULL) {
        return NULL;
    }
    r = call_attr(aw, "send", "(O)", v);
    Py_DECREF(aw);
    return r;
}

#define NOARGS PyTuple_New(0)

static PyObject *exc(PyObject *type, const char *msg)
{
    return PyObject_CallFunction(type, "s", msg);
}

static void anext_and_asend(void)
{
    PyObject *a = new_agen(agen_body, "agen"), *n, *s, *t, *aw;
    say("== anext and asend");
    show("repr(a)", Py_NewRef(a));
    show("state", state(a));
    show("a.__name__", attr(a, "__name__"));
    show("a.__qualname__", attr(a, "__qualname__"));
    show("a.ag_running", attr(a, "ag_running"));
    show("a.ag_await", attr(a, "ag_await"));
    show("a.ag_code.co_name", attr2(a, "ag_code", "co_name"));
    {
        PyObject *flags = attr2(a, "ag_code", "co_flags");
        show("a.ag_code.co_flags & KIND_MASK",
             flags ? PyLong_FromLong(PyLong_AsLong(flags) & 0x3A0) : NULL);
        Py_XDECREF(flags);
    }
    show("a.__aiter__() is a", is(call_attr(a, "__aiter__", "()"), Py_NewRef(a)));
    n = call_attr(a, "__anext__", "()");
    TR_REQUIRE(n != NULL);
    show("repr(a.__anext__())", Py_NewRef(n));
    show("type(n).__name__", attr((PyObject *)Py_TYPE(n), "__name__"));
    show("n.__iter__() is n", is(call_attr(n, "__iter__", "()"), Py_NewRef(n)));
    show("n.__await__() is n", is(call_attr(n, "__await__", "()"), Py_NewRef(n)));
    show("n.__next__()", call_attr(n, "__next__", "()"));
    show("state", state(a));
    show("a.ag_running", attr(a, "ag_running"));
    show("a.ag_await", attr(a, "ag_await"));
    show("a.ag_await.__name__", attr2(a, "ag_await", "__name__"));
    show("n.send('S')", call_attr(n, "send", "(s)", "S"));
    show("state", state(a));
    show("a.ag_running", attr(a, "ag_running"));
    show("a.ag_await", attr(a, "ag_await"));
    show("n.send(None)", call_attr(n, "send", "(O)", Py_None));
    show("n.__next__()", call_attr(n, "__next__", "()"));
    show("n.throw(ValueError)", call_attr(n, "throw", "(O)", PyExc_ValueError));
    show("n.close()", call_attr(n, "close", "()"));
    s = call_attr(a, "asend", "(O)", Py_None);
    TR_REQUIRE(s != NULL);
    show("repr(a.asend(None))", Py_NewRef(s));
    show("s.send(None)", call_attr(s, "send", "(O)", Py_None));
    t = call_attr(a, "athrow", "(N)", exc(PyExc_ValueError, "v"));
    TR_REQUIRE(t != NULL);
    show("repr(a.athrow(ValueError('v')))", Py_NewRef(t));
    show("type(t).__name__", attr((PyObject *)Py_TYPE(t), "__name__"));
    show("t.send(None)", call_attr(t, "send", "(O)", Py_None));
    show("t.send(None)", call_attr(t, "send", "(O)", Py_None));
    show("a.__anext__().send(None)", drive(a, "__anext__", NOARGS, Py_None));
    show("state", state(a));
    show("a.__anext__().send(None)", drive(a, "__anext__", NOARGS, Py_None));
    show("a.aclose().send(None)", drive(a, "aclose", NOARGS, Py_None));
    show("a.athrow(ValueError).send(None)",
         drive(a, "athrow", PyTuple_Pack(1, PyExc_ValueError), Py_None));
    aw = PyLong_FromLong(1);
    show("a.asend(1).send(None)", drive(a, "asend", PyTuple_Pack(1, aw), Py_None));
    Py_DECREF(aw);
    Py_DECREF(t);
    Py_DECREF(s);
    Py_DECREF(n);
    Py_DECREF(a);
}

static void just_started(void)
{
    PyObject *a = new_agen(agen_body, "agen"), *x = str("x");
    say("== just started");
    show("a.asend('x').send(None)", drive(a, "asend", PyTuple_Pack(1, x), Py_None));
    show("state", state(a));
    show("a.asend(None).send('x')", drive(a, "asend", PyTuple_Pack(1, Py_None), x));
    show("state", state(a));
    show("a.__anext__().send(None)", drive(a, "__anext__", NOARGS, Py_None));
    show("a.aclose().send(None)", drive(a, "aclose", NOARGS, Py_None));
    show("state", state(a));
    Py_DECREF(a);
    a = new_agen(agen_body, "agen");
    show("a.athrow(KeyError('unstarted')).send(None)",
         drive(a, "athrow", Py_BuildValue("(N)", exc(PyExc_KeyError, "unstarted")), Py_None));
    show("state", state(a));
    Py_DECREF(a);
    a = new_agen(agen_body, "agen");
    show("a.aclose().send(None) (created)", drive(a, "aclose", NOARGS, Py_None));
    show("state", state(a));
    Py_DECREF(a);
    Py_DECREF(x);
}

static void already_running(void)
{
    PyObject *a = new_agen(agen_body, "agen"), *n1;
    say("== already running");
    n1 = call_attr(a, "__anext__", "()");
    TR_REQUIRE(n1 != NULL);
    show("n1.send(None)", call_attr(n1, "send", "(O)", Py_None));
    show("a.__anext__().send(None)", drive(a, "__anext__", NOARGS, Py_None));
    show("a.asend(None).send(None)", drive(a, "asend", PyTuple_Pack(1, Py_None), Py_None));
    show("a.athrow(ValueError).send(None)",
         drive(a, "athrow", PyTuple_Pack(1, PyExc_ValueError), Py_None));
    show("a.aclose().send(None)", drive(a, "aclose", NOARGS, Py_None));
    show("n1.send('late')", call_attr(n1, "send", "(s)", "late"));
    show("state", state(a));
    show("a.aclose().send(None)", drive(a, "aclose", NOARGS, Py_None));
    show("state", state(a));
    Py_DECREF(n1);
    Py_DECREF(a);
}

static void arguments(void)
{
    PyObject *a = new_agen(agen_body, "agen"), *c, *one = PyLong_FromLong(1);
    say("== athrow and aclose arguments");
    show("a.athrow()", call_attr(a, "athrow", "()"));
    show("a.athrow(1).send(None)", drive(a, "athrow", PyTuple_Pack(1, one), Py_None));
    show("a.aclose(1)", call_attr(a, "aclose", "(i)", 1));
    show("a.asend()", call_attr(a, "asend", "()"));
    show("a.__anext__(1)", call_attr(a, "__anext__", "(i)", 1));
    show("a.aclose().send(None)", drive(a, "aclose", NOARGS, Py_None));
    Py_DECREF(a);

    a = new_agen(stubborn_body, "stubborn");
    show("a.__anext__().send(None)", drive(a, "__anext__", NOARGS, Py_None));
    c = call_attr(a, "aclose", "()");
    TR_REQUIRE(c != NULL);
    show("a.aclose().send(None)", call_attr(c, "send", "(O)", Py_None));
    show("a.aclose() again .send(None)", call_attr(c, "send", "(O)", Py_None));
    show("state", state(a));
    Py_DECREF(c);
    Py_DECREF(a);

    a = raises(0);
    TR_REQUIRE(a != NULL);
    show("a.__anext__().send(None)", drive(a, "__anext__", NOARGS, Py_None));
    show("a.__anext__().send(None)", drive(a, "__anext__", NOARGS, Py_None));
    show("state", state(a));
    Py_DECREF(a);
    a = raises(1);
    TR_REQUIRE(a != NULL);
    show("a.__anext__().send(None)", drive(a, "__anext__", NOARGS, Py_None));
    show("a.__anext__().send(None)", drive(a, "__anext__", NOARGS, Py_None));
    Py_DECREF(a);
    Py_DECREF(one);
}

static PyObject *seen;

static PyObject *firstiter(PyObject *self, PyObject *gen)
{
    PyObject *name = attr(gen, "__name__");
    int rc;
    (void)self;
    if (name == NULL) {
        return NULL;
    }
    rc = PyList_Append(seen, name);
    Py_DECREF(name);
    return rc < 0 ? NULL : Py_NewRef(Py_None);
}

static PyMethodDef firstiter_def = {"firstiter", firstiter, METH_O, NULL};

static void hooks(void)
{
    PyObject *hook = PyCFunction_New(&firstiter_def, NULL), *a, *n, *n2;
    say("== firstiter hook");
    seen = PyList_New(0);
    TR_REQUIRE(hook != NULL && seen != NULL);
    TR_REQUIRE(_PyEval_SetAsyncGenFirstiter(hook) == 0);
    a = new_agen(agen_body, "agen");
    show("seen", PyList_GetSlice(seen, 0, PY_SSIZE_T_MAX));
    n = call_attr(a, "__anext__", "()");
    TR_REQUIRE(n != NULL);
    show("seen after __anext__()", PyList_GetSlice(seen, 0, PY_SSIZE_T_MAX));
    n2 = call_attr(a, "aclose", "()");
    TR_REQUIRE(n2 != NULL);
    show("seen after aclose()", PyList_GetSlice(seen, 0, PY_SSIZE_T_MAX));
    show("n2.send(None)", call_attr(n2, "send", "(O)", Py_None));
    TR_REQUIRE(_PyEval_SetAsyncGenFirstiter(NULL) == 0);
    Py_DECREF(n2);
    Py_DECREF(n);
    Py_DECREF(a);
    Py_DECREF(hook);
    Py_CLEAR(seen);
}

static void types(void)
{
    PyObject *a = new_agen(agen_body, "agen"), *A = PyObject_Type(a), *d, *aw;
    say("== types");
    show("A", Py_NewRef(A));
    d = attr(A, "__dict__");
    show("sorted(A.__dict__)", d ? sorted_list(d) : NULL);
    Py_XDECREF(d);
    aw = call_attr(a, "asend", "(O)", Py_None);
    TR_REQUIRE(aw != NULL);
    d = attr((PyObject *)Py_TYPE(aw), "__dict__");
    show("sorted(asend type.__dict__)", d ? sorted_list(d) : NULL);
    Py_XDECREF(d);
    Py_DECREF(aw);
    aw = call_attr(a, "aclose", "()");
    TR_REQUIRE(aw != NULL);
    d = attr((PyObject *)Py_TYPE(aw), "__dict__");
    show("sorted(athrow type.__dict__)", d ? sorted_list(d) : NULL);
    Py_XDECREF(d);
    Py_DECREF(aw);
    show("A.__anext__", attr(A, "__anext__"));
    show("A.__aiter__", attr(A, "__aiter__"));
    show("A.asend", attr(A, "asend"));
    show("A.ag_await", attr(A, "ag_await"));
    show("A.ag_running", attr(A, "ag_running"));
    show("A.ag_frame", attr(A, "ag_frame"));
    show("a.__anext__", attr(a, "__anext__"));
    show("a.aclose", attr(a, "aclose"));
    show("A.__anext__.__doc__", attr2(A, "__anext__", "__doc__"));
    show("A.asend.__doc__", attr2(A, "asend", "__doc__"));
    show("A.__anext__(1)", call_attr(A, "__anext__", "(i)", 1));
    show("A.asend(1, 2)", call_attr(A, "asend", "(ii)", 1, 2));
    show_setattr("a.ag_running = True", a, "ag_running", Py_NewRef(Py_True));
    show_setattr("a.ag_await = None", a, "ag_await", Py_NewRef(Py_None));
    show_setattr("a.__name__ = 'an'", a, "__name__", str("an"));
    show_setattr("a.__qualname__ = 7", a, "__qualname__", PyLong_FromLong(7));
    show("repr(a)", Py_NewRef(a));
    show("a.__name__", attr(a, "__name__"));
    Py_DECREF(A);
    Py_DECREF(a);
}

int main(void)
{
    Py_Initialize();
    anext_and_asend();
    just_started();
    already_running();
    arguments();
    hooks();
    types();
    return 0;
}
