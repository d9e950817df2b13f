/*
 * Generator protocol through attributes, on pycoro: the scenario of gen_protocol.py with
 * native bodies (each body's Python source is in the comment above it).
 */
#include "transcript.h"

#include "../c/native.h"

#define state(g) frame_state((g), "gi", "GEN")

/* def gen():
 *     x = yield 1
 *     try:
 *         yield x
 *     except ValueError as e:
 *         yield ("caught", e.args)
 *     return "done" */
static int gen_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    switch (f->f_lasti) {
    case -1:
        if (arg == NULL) {
            return PYNATIVE_ERROR;
        }
        NATIVE_YIELD(f, 1, PyLong_FromLong(1));
    case 1:
        if (arg == NULL) {
            return PYNATIVE_ERROR;
        }
        NATIVE_YIELD(f, 2, Py_NewRef(arg));
    case 2:
        if (arg == NULL) {
            PyObject *e, *args, *r;
            if (!PyErr_ExceptionMatches(PyExc_ValueError)) {
                return PYNATIVE_ERROR;
            }
            e = caught(NULL);
            args = PyObject_GetAttrString(e, "args");
            Py_DECREF(e);
            if (args == NULL) {
                return PYNATIVE_ERROR;
            }
            r = Py_BuildValue("(sN)", "caught", args);
            if (r == NULL) {
                return PYNATIVE_ERROR;
            }
            NATIVE_YIELD(f, 3, r);
        }
        break;
    default:
        if (arg == NULL) {
            return PYNATIVE_ERROR;
        }
        break;
    }
    *out = str("done");
    return PYNATIVE_RETURN;
}

/* def stubborn():
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

/* def returns_on_exit():
 *     try:
 *         yield "waiting"
 *     except GeneratorExit:
 *         return "ignored value" */
static int returns_on_exit_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    if (f->f_lasti < 0) {
        if (arg == NULL) {
            return PYNATIVE_ERROR;
        }
        NATIVE_YIELD(f, 1, str("waiting"));
    }
    if (arg == NULL) {
        if (!PyErr_ExceptionMatches(PyExc_GeneratorExit)) {
            return PYNATIVE_ERROR;
        }
        PyErr_Clear();
        *out = str("ignored value");
        return PYNATIVE_RETURN;
    }
    *out = Py_NewRef(Py_None);
    return PYNATIVE_RETURN;
}

/* def raises_on_exit():
 *     try:
 *         yield "waiting"
 *     except GeneratorExit:
 *         raise KeyError("from close") */
static int raises_on_exit_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    if (f->f_lasti < 0) {
        if (arg == NULL) {
            return PYNATIVE_ERROR;
        }
        NATIVE_YIELD(f, 1, str("waiting"));
    }
    if (arg == NULL) {
        if (!PyErr_ExceptionMatches(PyExc_GeneratorExit)) {
            return PYNATIVE_ERROR;
        }
        PyErr_Clear();
        {
            PyObject *key = str("from close");
            PyErr_SetObject(PyExc_KeyError, key);
            Py_DECREF(key);
        }
        return PYNATIVE_ERROR;
    }
    *out = Py_NewRef(Py_None);
    return PYNATIVE_RETURN;
}

/* def raises_stop():
 *     yield "before"
 *     raise StopIteration("inner") */
static int raises_stop_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    if (arg == NULL) {
        return PYNATIVE_ERROR;
    }
    if (f->f_lasti < 0) {
        NATIVE_YIELD(f, 1, str("before"));
    }
    PyErr_SetString(PyExc_StopIteration, "inner");
    return PYNATIVE_ERROR;
}

/* def inner():
 *     v = yield "i1"
 *     yield ("inner got", v)
 *     return "inner result" */
static int inner_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    if (arg == NULL) {
        return PYNATIVE_ERROR;
    }
    switch (f->f_lasti) {
    case -1:
        NATIVE_YIELD(f, 1, str("i1"));
    case 1:
        NATIVE_YIELD(f, 2, Py_BuildValue("(sO)", "inner got", arg));
    default:
        *out = str("inner result");
        return PYNATIVE_RETURN;
    }
}

/* def outer():
 *     r = yield from inner()
 *     yield ("outer got", r) */
static int outer_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    PyObject *g;
    if (arg == NULL) {
        return PYNATIVE_ERROR;
    }
    switch (f->f_lasti) {
    case -1:
        g = native_new(inner_body, CO_GENERATOR, "inner", 0);
        if (g == NULL) {
            return PYNATIVE_ERROR;
        }
        NATIVE_YIELD_FROM(f, 1, g);
    case 1:
        NATIVE_YIELD(f, 2, Py_BuildValue("(sO)", "outer got", arg));
    default:
        *out = Py_NewRef(Py_None);
        return PYNATIVE_RETURN;
    }
}

static PyObject *me;

/* def selfish():
 *     yield state(me)
 *     yield me.gi_running
 *     yield me.__next__() */
static int selfish_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    PyObject *r;
    if (arg == NULL) {
        return PYNATIVE_ERROR;
    }
    switch (f->f_lasti) {
    case -1:
        r = state(me);
        if (r == NULL) {
            return PYNATIVE_ERROR;
        }
        NATIVE_YIELD(f, 1, r);
    case 1:
        r = attr(me, "gi_running");
        if (r == NULL) {
            return PYNATIVE_ERROR;
        }
        NATIVE_YIELD(f, 2, r);
    case 2:
        r = call_attr(me, "__next__", "()");
        if (r == NULL) {
            return PYNATIVE_ERROR;
        }
        NATIVE_YIELD(f, 3, r);
    default:
        *out = Py_NewRef(Py_None);
        return PYNATIVE_RETURN;
    }
}

/* def make_nested():
 *     def nested():
 *         yield
 *     return nested() */
static int nested_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    if (arg == NULL) {
        return PYNATIVE_ERROR;
    }
    if (f->f_lasti < 0) {
        NATIVE_YIELD(f, 1, Py_NewRef(Py_None));
    }
    *out = Py_NewRef(Py_None);
    return PYNATIVE_RETURN;
}

static PyObject *make_nested(void)
{
    PyFrameObject *f = native_frame(nested_body, CO_GENERATOR, "nested", 0);
    PyObject *name = str("nested"), *qualname = str("make_nested.<locals>.nested"), *g;
    TR_REQUIRE(f != NULL);
    g = PyGen_NewWithQualName(f, name, qualname);
    Py_DECREF(name);
    Py_DECREF(qualname);
    return g;
}

static PyObject *new_gen(PyNative_Body body, const char *name)
{
    PyObject *g = native_new(body, CO_GENERATOR, name, 0);
    TR_REQUIRE(g != NULL);
    return g;
}

static PyObject *exc(PyObject *type, const char *fmt, ...)
{
    PyObject *r;
    va_list ap;
    va_start(ap, fmt);
    r = PyObject_CallObject(type, Py_VaBuildValue(fmt, ap));
    va_end(ap);
    return r;
}

static void send_throw_next(void)
{
    PyObject *g = new_gen(gen_body, "gen");
    say("== send, throw, next");
    show("repr(g)", Py_NewRef(g));
    show("state", state(g));
    show("g.__name__", attr(g, "__name__"));
    show("g.__qualname__", attr(g, "__qualname__"));
    show("g.gi_running", attr(g, "gi_running"));
    show("g.gi_yieldfrom", attr(g, "gi_yieldfrom"));
    show("g.gi_code.co_name", attr2(g, "gi_code", "co_name"));
    {
        PyObject *flags = attr2(g, "gi_code", "co_flags");
        show("g.gi_code.co_flags & KIND_MASK",
             flags ? PyLong_FromLong(PyLong_AsLong(flags) & 0x3A0) : NULL);
        Py_XDECREF(flags);
    }
    show("g.__iter__() is g", is(call_attr(g, "__iter__", "()"), Py_NewRef(g)));
    show("iter(g) is g", is(PyObject_GetIter(g), Py_NewRef(g)));
    show("g.send(5)", call_attr(g, "send", "(i)", 5));
    show("state", state(g));
    show("g.__next__()", call_attr(g, "__next__", "()"));
    show("state", state(g));
    show("g.send('x')", call_attr(g, "send", "(s)", "x"));
    show("g.throw(ValueError('boom'))",
         call_attr(g, "throw", "(N)", exc(PyExc_ValueError, "(s)", "boom")));
    show("g.__next__()", call_attr(g, "__next__", "()"));
    show("state", state(g));
    show("g.gi_frame", attr(g, "gi_frame"));
    show("g.__next__()", call_attr(g, "__next__", "()"));
    show("g.send(None)", call_attr(g, "send", "(O)", Py_None));
    show("g.send(1)", call_attr(g, "send", "(i)", 1));
    show("g.throw(ValueError)", call_attr(g, "throw", "(O)", PyExc_ValueError));
    show("g.throw(KeyError('k'))", call_attr(g, "throw", "(N)", exc(PyExc_KeyError, "(s)", "k")));
    show("g.close()", call_attr(g, "close", "()"));
    Py_DECREF(g);
}

static void throw_arguments(void)
{
    PyObject *g = new_gen(gen_body, "gen");
    say("== throw arguments");
    show("g.__next__()", call_attr(g, "__next__", "()"));
    show("g.throw(1)", call_attr(g, "throw", "(i)", 1));
    show("g.throw(ValueError('x'), 1)",
         call_attr(g, "throw", "(Ni)", exc(PyExc_ValueError, "(s)", "x"), 1));
    show("g.throw(ValueError, 1, 1)", call_attr(g, "throw", "(Oii)", PyExc_ValueError, 1, 1));
    show("g.throw(ValueError, 1, None)",
         call_attr(g, "throw", "(OiO)", PyExc_ValueError, 1, Py_None));
    show("state", state(g));
    Py_DECREF(g);
    g = new_gen(gen_body, "gen");
    show("g.__next__()", call_attr(g, "__next__", "()"));
    show("g.throw(ValueError, ('a', 'b'))",
         call_attr(g, "throw", "(O(ss))", PyExc_ValueError, "a", "b"));
    show("g.throw(TypeError, 'tt')", call_attr(g, "throw", "(Os)", PyExc_TypeError, "tt"));
    show("state", state(g));
    Py_DECREF(g);
    g = new_gen(gen_body, "gen");
    show("g.throw(ValueError, 'unstarted')",
         call_attr(g, "throw", "(Os)", PyExc_ValueError, "unstarted"));
    show("state", state(g));
    show("g.__next__()", call_attr(g, "__next__", "()"));
    Py_DECREF(g);
}

static void closing(void)
{
    PyObject *g = new_gen(gen_body, "gen"), *stubborn;
    say("== close");
    show("g.close() (created)", call_attr(g, "close", "()"));
    show("state", state(g));
    show("g.__next__()", call_attr(g, "__next__", "()"));
    Py_DECREF(g);

    stubborn = new_gen(stubborn_body, "stubborn");
    g = stubborn;
    show("g.__next__()", call_attr(g, "__next__", "()"));
    show("g.close()", call_attr(g, "close", "()"));
    show("state", state(g));
    show("g.throw(GeneratorExit)", call_attr(g, "throw", "(O)", PyExc_GeneratorExit));
    show("state", state(g));

    g = new_gen(returns_on_exit_body, "returns_on_exit");
    Py_DECREF(stubborn); /* the Python side rebinds g here */
    show("g.__next__()", call_attr(g, "__next__", "()"));
    show("g.close()", call_attr(g, "close", "()"));
    show("state", state(g));
    Py_DECREF(g);

    g = new_gen(raises_on_exit_body, "raises_on_exit");
    show("g.__next__()", call_attr(g, "__next__", "()"));
    show("g.close()", call_attr(g, "close", "()"));
    show("state", state(g));
    Py_DECREF(g);
}

static void pep479(void)
{
    PyObject *g = new_gen(raises_stop_body, "raises_stop"), *e, *cause, *context;
    say("== PEP 479");
    show("g.__next__()", call_attr(g, "__next__", "()"));
    e = caught(call_attr(g, "__next__", "()"));
    show("exception", Py_NewRef(e));
    cause = attr(e, "__cause__");
    TR_REQUIRE(cause != NULL);
    show("type(e.__cause__)", PyObject_Type(cause));
    show("e.__cause__.args", attr(cause, "args"));
    context = attr(e, "__context__");
    show("e.__context__ is e.__cause__", is(context, Py_NewRef(cause)));
    show("e.__suppress_context__", attr(e, "__suppress_context__"));
    show("state", state(g));
    Py_DECREF(cause);
    Py_DECREF(e);
    Py_DECREF(g);
}

static void yield_from(void)
{
    PyObject *g = new_gen(outer_body, "outer"), *i, *yf;
    say("== yield from");
    show("g.gi_yieldfrom", attr(g, "gi_yieldfrom"));
    show("g.__next__()", call_attr(g, "__next__", "()"));
    show("g.gi_yieldfrom", attr(g, "gi_yieldfrom"));
    show("g.gi_yieldfrom.gi_running", attr2(g, "gi_yieldfrom", "gi_running"));
    yf = attr(g, "gi_yieldfrom");
    TR_REQUIRE(yf != NULL);
    show("state(g.gi_yieldfrom)", state(yf));
    Py_DECREF(yf);
    show("g.send('s')", call_attr(g, "send", "(s)", "s"));
    show("g.__next__()", call_attr(g, "__next__", "()"));
    show("g.gi_yieldfrom", attr(g, "gi_yieldfrom"));
    show("g.__next__()", call_attr(g, "__next__", "()"));
    Py_DECREF(g);

    g = new_gen(outer_body, "outer");
    show("g.__next__()", call_attr(g, "__next__", "()"));
    i = attr(g, "gi_yieldfrom");
    TR_REQUIRE(i != NULL);
    show("g.throw(ValueError('to inner'))",
         call_attr(g, "throw", "(N)", exc(PyExc_ValueError, "(s)", "to inner")));
    show("state(inner)", state(i));
    show("state", state(g));
    Py_DECREF(i);
    Py_DECREF(g);

    g = new_gen(outer_body, "outer");
    show("g.__next__()", call_attr(g, "__next__", "()"));
    i = attr(g, "gi_yieldfrom");
    TR_REQUIRE(i != NULL);
    show("g.close()", call_attr(g, "close", "()"));
    show("state(inner)", state(i));
    show("state", state(g));
    Py_DECREF(i);
    Py_DECREF(g);
}

static void running(void)
{
    say("== running");
    me = new_gen(selfish_body, "selfish");
    show("me.__next__()", call_attr(me, "__next__", "()"));
    show("me.__next__()", call_attr(me, "__next__", "()"));
    show("me.__next__()", call_attr(me, "__next__", "()"));
    show("state", state(me));
    Py_CLEAR(me);
}

static void names(void)
{
    PyObject *g = make_nested();
    TR_REQUIRE(g != NULL);
    say("== names");
    show("g.__name__", attr(g, "__name__"));
    show("g.__qualname__", attr(g, "__qualname__"));
    show("repr(g)", Py_NewRef(g));
    show_setattr("g.__name__ = 'n2'", g, "__name__", str("n2"));
    show_setattr("g.__qualname__ = 'q.n2'", g, "__qualname__", str("q.n2"));
    show("repr(g)", Py_NewRef(g));
    show("g.gi_code.co_name", attr2(g, "gi_code", "co_name"));
    show_setattr("g.__name__ = 3", g, "__name__", PyLong_FromLong(3));
    show_setattr("g.gi_running = 1", g, "gi_running", PyLong_FromLong(1));
    show_setattr("g.gi_yieldfrom = 1", g, "gi_yieldfrom", PyLong_FromLong(1));
    show_setattr("g.gi_code = 1", g, "gi_code", PyLong_FromLong(1));
    show_setattr("del g.gi_frame", g, "gi_frame", NULL);
    Py_DECREF(g);
}

int main(void)
{
    Py_Initialize();
    send_throw_next();
    throw_arguments();
    closing();
    pep479();
    yield_from();
    running();
    names();
    return 0;
}
