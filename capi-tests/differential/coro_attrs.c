/*
 * Coroutine attributes, on pycoro: the scenario of coro_attrs.py with native bodies. Every
 * operation goes through attributes (PyObject_GetAttrString, then a call), as Python code's
 * getattr does.
 */
#include "transcript.h"

#include "../c/native.h"

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
    NATIVE_SLOT(f, 0) = PyUnicode_FromString(value);
    if (NATIVE_SLOT(f, 0) == NULL) {
        Py_DECREF(f);
        return NULL;
    }
    return PyGen_New(f);
}

/* async def work(): a = await suspend("first"); b = await suspend("second"); return (a, b)
 * (slot 0: a) */
static int work_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    PyObject *aw;
    if (arg == NULL) {
        return PYNATIVE_ERROR;
    }
    switch (f->f_lasti) {
    case -1:
        aw = suspend("first");
        if (aw == NULL) {
            return PYNATIVE_ERROR;
        }
        NATIVE_AWAIT(f, 1, aw);
    case 1:
        NATIVE_SLOT(f, 0) = Py_NewRef(arg);
        aw = suspend("second");
        if (aw == NULL) {
            return PYNATIVE_ERROR;
        }
        NATIVE_AWAIT(f, 2, aw);
    default:
        *out = PyTuple_Pack(2, NATIVE_SLOT(f, 0), arg);
        return *out == NULL ? PYNATIVE_ERROR : PYNATIVE_RETURN;
    }
}

static PyObject *work(void)
{
    return native_new(work_body, CO_COROUTINE, "work", 1);
}

#define state(c) frame_state((c), "cr", "CORO")

static void lifecycle(void)
{
    PyObject *c, *w, *aw;
    say("== lifecycle");
    c = work();
    TR_REQUIRE(c != NULL);
    show("repr(c)", Py_NewRef(c));
    show("state", state(c));
    show("c.__name__", attr(c, "__name__"));
    show("c.__qualname__", attr(c, "__qualname__"));
    show("c.cr_running", attr(c, "cr_running"));
    show("c.cr_await", attr(c, "cr_await"));
    show("c.cr_origin", attr(c, "cr_origin"));
    show("c.cr_code.co_name", attr2(c, "cr_code", "co_name"));
    {
        PyObject *flags = attr2(c, "cr_code", "co_flags");
        show("c.cr_code.co_flags & KIND_MASK",
             flags ? PyLong_FromLong(PyLong_AsLong(flags) & 0x3A0) : NULL);
        Py_XDECREF(flags);
    }
    {
        PyObject *fc = attr2(c, "cr_frame", "f_code");
        show("c.cr_frame.f_code is c.cr_code", is(fc, attr(c, "cr_code")));
    }
    w = call_attr(c, "__await__", "()");
    TR_REQUIRE(w != NULL);
    show("repr(c.__await__())", Py_NewRef(w));
    show("type(w).__name__", attr((PyObject *)Py_TYPE(w), "__name__"));
    show("w.__iter__() is w", is(call_attr(w, "__iter__", "()"), Py_NewRef(w)));
    show("w.__next__()", call_attr(w, "__next__", "()"));
    show("state", state(c));
    show("c.cr_await", attr(c, "cr_await"));
    aw = attr(c, "cr_await");
    TR_REQUIRE(aw != NULL);
    show("c.cr_await.gi_running", attr(aw, "gi_running"));
    show("c.cr_await.__name__", attr(aw, "__name__"));
    Py_DECREF(aw);
    show("c.send('A')", call_attr(c, "send", "(s)", "A"));
    show("state", state(c));
    show("w.send('B')", call_attr(w, "send", "(s)", "B"));
    show("state", state(c));
    show("c.cr_frame", attr(c, "cr_frame"));
    show("c.cr_await", attr(c, "cr_await"));
    show("c.send(None)", call_attr(c, "send", "(O)", Py_None));
    show("w.__next__()", call_attr(w, "__next__", "()"));
    show("c.throw(ValueError)", call_attr(c, "throw", "(O)", PyExc_ValueError));
    show("c.close()", call_attr(c, "close", "()"));
    show("state", state(c));
    Py_DECREF(w);
    Py_DECREF(c);
}

static void names(void)
{
    PyObject *c = work();
    TR_REQUIRE(c != NULL);
    say("== names");
    show_setattr("c.__name__ = 'renamed'", c, "__name__", str("renamed"));
    show("c.__name__", attr(c, "__name__"));
    show("c.__qualname__", attr(c, "__qualname__"));
    show_setattr("c.__qualname__ = 'Outer.renamed'", c, "__qualname__", str("Outer.renamed"));
    show("repr(c)", Py_NewRef(c));
    show_setattr("c.__name__ = 1", c, "__name__", PyLong_FromLong(1));
    show_setattr("c.__qualname__ = None", c, "__qualname__", Py_NewRef(Py_None));
    show_setattr("del c.__name__", c, "__name__", NULL);
    show_setattr("del c.__qualname__", c, "__qualname__", NULL);
    show("c.__name__", attr(c, "__name__"));
    show("c.cr_code.co_name", attr2(c, "cr_code", "co_name"));
    show_setattr("c.cr_frame = None", c, "cr_frame", Py_NewRef(Py_None));
    show_setattr("c.cr_running = True", c, "cr_running", Py_NewRef(Py_True));
    show_setattr("c.cr_await = None", c, "cr_await", Py_NewRef(Py_None));
    show_setattr("c.cr_origin = None", c, "cr_origin", Py_NewRef(Py_None));
    show("c.missing", attr(c, "missing"));
    show_setattr("c.missing = 1", c, "missing", PyLong_FromLong(1));
    show("c.close()", call_attr(c, "close", "()"));
    show("state", state(c));
    show("c.cr_code.co_name", attr2(c, "cr_code", "co_name"));
    Py_DECREF(c);
}

static void descriptors(void)
{
    PyObject *c = work(), *C, *d;
    TR_REQUIRE(c != NULL);
    C = PyObject_Type(c);
    say("== descriptors");
    show("C", Py_NewRef(C));
    show("C.__name__", attr(C, "__name__"));
    show("C.__qualname__", attr(C, "__qualname__"));
    show("C.__module__", attr(C, "__module__"));
    d = attr(C, "__dict__");
    TR_REQUIRE(d != NULL);
    show("sorted(C.__dict__)", sorted_list(d));
    show("C.__await__", attr(C, "__await__"));
    show("C.send", attr(C, "send"));
    show("C.throw", attr(C, "throw"));
    show("C.close", attr(C, "close"));
    show("C.cr_frame", attr(C, "cr_frame"));
    show("C.cr_await", attr(C, "cr_await"));
    show("C.cr_running", attr(C, "cr_running"));
    show("C.__name__ descriptor", item(d, "__name__"));
    show("C.__del__", attr(C, "__del__"));
    show("c.__await__", attr(c, "__await__"));
    show("c.send", attr(c, "send"));
    show("c.close", attr(c, "close"));
    show("c.__repr__", attr(c, "__repr__"));
    show("C.__await__.__objclass__", attr2(C, "__await__", "__objclass__"));
    show("C.send.__objclass__", attr2(C, "send", "__objclass__"));
    show("C.cr_frame.__objclass__", attr2(C, "cr_frame", "__objclass__"));
    show("C.__await__.__name__", attr2(C, "__await__", "__name__"));
    show("C.__await__.__qualname__", attr2(C, "__await__", "__qualname__"));
    show("C.send.__qualname__", attr2(C, "send", "__qualname__"));
    show("C.__await__.__doc__", attr2(C, "__await__", "__doc__"));
    show("C.__await__.__text_signature__", attr2(C, "__await__", "__text_signature__"));
    show("C.send.__doc__", attr2(C, "send", "__doc__"));
    show("C.send.__text_signature__", attr2(C, "send", "__text_signature__"));
    show("C.cr_await.__doc__", attr2(C, "cr_await", "__doc__"));
    show("C.cr_frame.__doc__", attr2(C, "cr_frame", "__doc__"));
    show("c.__await__.__self__ is c", is(attr2(c, "__await__", "__self__"), Py_NewRef(c)));
    show("c.send.__self__ is c", is(attr2(c, "send", "__self__"), Py_NewRef(c)));
    show("c.__await__.__name__", attr2(c, "__await__", "__name__"));
    show("c.send.__name__", attr2(c, "send", "__name__"));
    show_bool("hasattr(c, '__iter__')", PyObject_HasAttrString(c, "__iter__"));
    show_bool("hasattr(c, '__next__')", PyObject_HasAttrString(c, "__next__"));
    show_bool("hasattr(c, '__aiter__')", PyObject_HasAttrString(c, "__aiter__"));
    Py_DECREF(d);
    Py_DECREF(C);
    show("c.close()", call_attr(c, "close", "()"));
    Py_DECREF(c);
}

/* descriptor.method(*args) where descriptor = C.<name> */
static PyObject *on_descr(PyObject *C, const char *name, const char *method, const char *fmt,
                          PyObject *a, PyObject *b)
{
    PyObject *d = attr(C, name), *r;
    if (d == NULL) {
        return NULL;
    }
    r = b != NULL ? call_attr(d, method, fmt, a, b) : call_attr(d, method, fmt, a);
    Py_DECREF(d);
    return r;
}

static void descriptor_calls(void)
{
    PyObject *c = work(), *C, *dict, *name_descr, *x = str("x");
    TR_REQUIRE(c != NULL);
    C = PyObject_Type(c);
    say("== descriptor calls");
    show("C.__await__(c)", call_attr(C, "__await__", "(O)", c));
    show("C.__await__()", call_attr(C, "__await__", "()"));
    show("C.__await__(1)", call_attr(C, "__await__", "(i)", 1));
    show("c.__await__(1)", call_attr(c, "__await__", "(i)", 1));
    show("C.send(1, None)", call_attr(C, "send", "(iO)", 1, Py_None));
    show("C.send(c)", call_attr(C, "send", "(O)", c));
    show("c.send()", call_attr(c, "send", "()"));
    show("c.send(1, 2)", call_attr(c, "send", "(ii)", 1, 2));
    show("c.close(1)", call_attr(c, "close", "(i)", 1));
    show("c.throw()", call_attr(c, "throw", "()"));
    show("C.cr_running.__get__(c)", on_descr(C, "cr_running", "__get__", "(O)", c, NULL));
    show("C.cr_running.__get__(None, C)",
         on_descr(C, "cr_running", "__get__", "(OO)", Py_None, C));
    show("C.cr_running.__get__(None, None)",
         on_descr(C, "cr_running", "__get__", "(OO)", Py_None, Py_None));
    show("C.cr_running.__get__(1)", on_descr(C, "cr_running", "__get__", "(N)",
                                             PyLong_FromLong(1), NULL));
    show("C.cr_frame.__get__(1)",
         on_descr(C, "cr_frame", "__get__", "(N)", PyLong_FromLong(1), NULL));
    dict = attr(C, "__dict__");
    TR_REQUIRE(dict != NULL);
    name_descr = item(dict, "__name__");
    TR_REQUIRE(name_descr != NULL);
    show("C.__name__ descr .__set__(c, 'x')", call_attr(name_descr, "__set__", "(OO)", c, x));
    show("c.__name__", attr(c, "__name__"));
    show("C.__name__ descr .__set__(1, 'x')", call_attr(name_descr, "__set__", "(iO)", 1, x));
    show("C.cr_running.__set__(c, 1)",
         on_descr(C, "cr_running", "__set__", "(ON)", c, PyLong_FromLong(1)));
    show("C.send.__get__(c)", on_descr(C, "send", "__get__", "(O)", c, NULL));
    show("C.send.__get__(None, C)", on_descr(C, "send", "__get__", "(OO)", Py_None, C));
    show("C.send.__get__(1)", on_descr(C, "send", "__get__", "(N)", PyLong_FromLong(1), NULL));
    show("C.__await__.__get__(c)", on_descr(C, "__await__", "__get__", "(O)", c, NULL));
    show("C.__await__.__get__(None, C)",
         on_descr(C, "__await__", "__get__", "(OO)", Py_None, C));
    show("C.__await__.__get__(1)",
         on_descr(C, "__await__", "__get__", "(N)", PyLong_FromLong(1), NULL));
    show("c.close()", call_attr(c, "close", "()"));
    Py_DECREF(name_descr);
    Py_DECREF(dict);
    Py_DECREF(x);
    Py_DECREF(C);
    Py_DECREF(c);
}

int main(void)
{
    Py_Initialize();
    lifecycle();
    names();
    descriptors();
    descriptor_calls();
    return 0;
}
