/*
 * Coroutine protocol through attributes, on pycoro: the scenario of coro_protocol.py with
 * native bodies (each body's Python source is in the comment above it). The classes of the
 * Python side are made with type(name, bases, dict) and PyType_FromSpec.
 */
#include "transcript.h"

#include "../c/native.h"

/* @types.coroutine def suspend(value): sent = yield value; return sent  (slot 0: value) */
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

/* suspend(value); steals value */
static PyObject *suspend_obj(PyObject *value)
{
    PyFrameObject *f;
    if (value == NULL) {
        return NULL;
    }
    f = native_frame(suspend_body, CO_GENERATOR | CO_ITERABLE_COROUTINE, "suspend", 1);
    if (f == NULL) {
        Py_DECREF(value);
        return NULL;
    }
    NATIVE_SLOT(f, 0) = value;
    return PyGen_New(f);
}

static PyObject *suspend(const char *value)
{
    return suspend_obj(str(value));
}

/* async def echo(): got = await suspend("ready"); return ("echo", got) */
static int echo_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    PyObject *aw;
    if (arg == NULL) {
        return PYNATIVE_ERROR;
    }
    if (f->f_lasti < 0) {
        aw = suspend("ready");
        if (aw == NULL) {
            return PYNATIVE_ERROR;
        }
        NATIVE_AWAIT(f, 1, aw);
    }
    *out = Py_BuildValue("(sO)", "echo", arg);
    return *out ? PYNATIVE_RETURN : PYNATIVE_ERROR;
}

/* async def waiter(inner): return await inner  (slot 0: inner) */
static int waiter_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    if (arg == NULL) {
        return PYNATIVE_ERROR;
    }
    if (f->f_lasti < 0) {
        NATIVE_AWAIT(f, 1, Py_NewRef(NATIVE_SLOT(f, 0)));
    }
    *out = Py_NewRef(arg);
    return PYNATIVE_RETURN;
}

/* async def stubborn():
 *     while True:
 *         try:
 *             await suspend("again")
 *         except GeneratorExit:
 *             pass */
static int stubborn_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    PyObject *aw;
    if (arg == NULL) {
        if (f->f_lasti < 0 || !PyErr_ExceptionMatches(PyExc_GeneratorExit)) {
            return PYNATIVE_ERROR;
        }
        PyErr_Clear();
    }
    aw = suspend("again");
    if (aw == NULL) {
        return PYNATIVE_ERROR;
    }
    NATIVE_AWAIT(f, 1, aw);
}

/* async def raises_stop(): await suspend("before"); raise StopIteration("inner") */
static int raises_stop_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    PyObject *aw;
    if (arg == NULL) {
        return PYNATIVE_ERROR;
    }
    if (f->f_lasti < 0) {
        aw = suspend("before");
        if (aw == NULL) {
            return PYNATIVE_ERROR;
        }
        NATIVE_AWAIT(f, 1, aw);
    }
    PyErr_SetString(PyExc_StopIteration, "inner");
    return PYNATIVE_ERROR;
}

/* async def returns_on_exit():
 *     try:
 *         await suspend("waiting")
 *     except GeneratorExit:
 *         return "ignored" */
static int returns_on_exit_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    PyObject *aw;
    if (f->f_lasti < 0) {
        if (arg == NULL) {
            return PYNATIVE_ERROR;
        }
        aw = suspend("waiting");
        if (aw == NULL) {
            return PYNATIVE_ERROR;
        }
        NATIVE_AWAIT(f, 1, aw);
    }
    if (arg == NULL) {
        if (!PyErr_ExceptionMatches(PyExc_GeneratorExit)) {
            return PYNATIVE_ERROR;
        }
        PyErr_Clear();
        *out = str("ignored");
        return PYNATIVE_RETURN;
    }
    *out = Py_NewRef(Py_None);
    return PYNATIVE_RETURN;
}

static PyObject *me;

/* async def selfish():
 *     yield_value = await suspend(me.cr_running)
 *     return me.send(yield_value) */
static int selfish_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    PyObject *aw;
    if (arg == NULL) {
        return PYNATIVE_ERROR;
    }
    if (f->f_lasti < 0) {
        aw = suspend_obj(attr(me, "cr_running"));
        if (aw == NULL) {
            return PYNATIVE_ERROR;
        }
        NATIVE_AWAIT(f, 1, aw);
    }
    *out = call_attr(me, "send", "(O)", arg);
    return *out ? PYNATIVE_RETURN : PYNATIVE_ERROR;
}

/* def <lambda>(): yield  (a plain generator) */
static int plain_gen_body(PyFrameObject *f, PyObject *arg, PyObject **out)
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

static PyObject *coro(PyNative_Body body, const char *name)
{
    PyObject *c = native_new(body, CO_COROUTINE, name, 1);
    TR_REQUIRE(c != NULL);
    return c;
}

/* waiter(inner); steals inner */
static PyObject *waiter(PyObject *inner)
{
    PyFrameObject *f = native_frame(waiter_body, CO_COROUTINE, "waiter", 1);
    TR_REQUIRE(f != NULL && inner != NULL);
    NATIVE_SLOT(f, 0) = inner;
    return PyCoro_New(f, NULL, NULL);
}

/* waiter(inner).send(None), the waiter closed afterwards; steals inner */
static PyObject *await_once(PyObject *inner)
{
    PyObject *w = waiter(inner), *r;
    TR_REQUIRE(w != NULL);
    r = call_attr(w, "send", "(O)", Py_None);
    if (r != NULL) {
        PyObject *c = call_attr(w, "close", "()");
        Py_XDECREF(c);
    }
    Py_DECREF(w);
    return r;
}

/* class NotIterAwait: def __await__(self): return 1 */
static PyObject *not_iter_await(PyObject *self)
{
    (void)self;
    return PyLong_FromLong(1);
}

/* pfunc filled in at run time: ISO C has no conversion from a function pointer to void * */
static PyType_Slot not_iter_slots[] = {
    {Py_am_await, NULL},
    {0, NULL},
};

static PyType_Spec not_iter_spec = {"coro_protocol.NotIterAwait", sizeof(PyObject), 0,
                                    Py_TPFLAGS_DEFAULT, not_iter_slots};

static void send_and_return(void)
{
    PyObject *c, *e, *w;
    say("== send and return values");
    c = coro(echo_body, "echo");
    show("c.send(None)", call_attr(c, "send", "(O)", Py_None));
    e = caught(call_attr(c, "send", "((ii))", 1, 2));
    show("c.send((1, 2))", Py_NewRef(e));
    show("e.value", attr(e, "value"));
    show("e.args", attr(e, "args"));
    Py_DECREF(e);
    Py_DECREF(c);
    c = coro(echo_body, "echo");
    w = call_attr(c, "__await__", "()");
    TR_REQUIRE(w != NULL);
    show("w.send(None)", call_attr(w, "send", "(O)", Py_None));
    show("w.send(StopIteration('v'))",
         call_attr(w, "send", "(N)", PyObject_CallFunction(PyExc_StopIteration, "s", "v")));
    Py_DECREF(w);
    Py_DECREF(c);
    c = coro(echo_body, "echo");
    show("c.send(None)", call_attr(c, "send", "(O)", Py_None));
    show("c.throw(StopIteration)", call_attr(c, "throw", "(O)", PyExc_StopIteration));
    show("c.cr_frame", attr(c, "cr_frame"));
    Py_DECREF(c);
}

static void throw_and_close(void)
{
    PyObject *inner, *outer;
    say("== throw and close through await");
    inner = coro(echo_body, "echo");
    outer = waiter(Py_NewRef(inner));
    show("outer.send(None)", call_attr(outer, "send", "(O)", Py_None));
    show("outer.cr_await is inner", is(attr(outer, "cr_await"), Py_NewRef(inner)));
    show("inner.cr_running", attr(inner, "cr_running"));
    show("outer.throw(KeyError('k'))",
         call_attr(outer, "throw", "(N)", PyObject_CallFunction(PyExc_KeyError, "s", "k")));
    show("inner.cr_frame", attr(inner, "cr_frame"));
    show("outer.cr_frame", attr(outer, "cr_frame"));
    Py_DECREF(outer);
    Py_DECREF(inner);
    inner = coro(echo_body, "echo");
    outer = waiter(Py_NewRef(inner));
    show("outer.send(None)", call_attr(outer, "send", "(O)", Py_None));
    show("outer.close()", call_attr(outer, "close", "()"));
    show("inner.cr_frame", attr(inner, "cr_frame"));
    show("inner.send(None)", call_attr(inner, "send", "(O)", Py_None));
    Py_DECREF(outer);
    Py_DECREF(inner);
    inner = coro(echo_body, "echo");
    outer = waiter(Py_NewRef(inner));
    show("outer.send(None)", call_attr(outer, "send", "(O)", Py_None));
    show("outer.send('through')", call_attr(outer, "send", "(s)", "through"));
    Py_DECREF(outer);
    Py_DECREF(inner);
}

static void what_await_accepts(void)
{
    PyObject *cls, *c, *w1, *w2, *r;
    say("== what await accepts");
    show("await 1", await_once(PyLong_FromLong(1)));
    cls = PyObject_CallFunction((PyObject *)&PyType_Type, "s(){s:s}", "IntAwait", "__module__",
                                "__main__");
    TR_REQUIRE(cls != NULL);
    show("await object()", await_once(PyObject_CallNoArgs(cls)));
    Py_DECREF(cls);
    {
        union {
            unaryfunc f;
            void *p;
        } pun;
        pun.f = not_iter_await;
        not_iter_slots[0].pfunc = pun.p;
    }
    cls = PyType_FromSpec(&not_iter_spec);
    TR_REQUIRE(cls != NULL);
    show("await (__await__ returns 1)", await_once(PyObject_CallNoArgs(cls)));
    Py_DECREF(cls);
    show("await a plain generator", await_once(native_new(plain_gen_body, CO_GENERATOR,
                                                          "<lambda>", 0)));
    show("await a @types.coroutine generator", await_once(suspend("gen")));
    c = coro(echo_body, "echo");
    show("c.send(None)", call_attr(c, "send", "(O)", Py_None));
    show("await c while c is suspended elsewhere", await_once(Py_NewRef(c)));
    r = call_attr(c, "close", "()");
    Py_XDECREF(r);
    Py_DECREF(c);
    c = coro(echo_body, "echo");
    w1 = waiter(Py_NewRef(c));
    show("w1.send(None)", call_attr(w1, "send", "(O)", Py_None));
    w2 = waiter(Py_NewRef(c));
    show("await c again from w2", call_attr(w2, "send", "(O)", Py_None));
    show("c.cr_await", attr(c, "cr_await"));
    r = call_attr(w1, "close", "()");
    Py_XDECREF(r);
    Py_DECREF(w2);
    Py_DECREF(w1);
    Py_DECREF(c);
    c = coro(echo_body, "echo");
    show("c.close() (created)", call_attr(c, "close", "()"));
    show("await a closed coroutine", await_once(Py_NewRef(c)));
    Py_DECREF(c);
}

static void exits(void)
{
    PyObject *c, *e;
    say("== exits");
    c = coro(stubborn_body, "stubborn");
    show("c.send(None)", call_attr(c, "send", "(O)", Py_None));
    show("c.close()", call_attr(c, "close", "()"));
    show("c.throw(GeneratorExit)", call_attr(c, "throw", "(O)", PyExc_GeneratorExit));
    {
        PyObject *fr = attr(c, "cr_frame");
        show("c.cr_frame is None", fr ? PyBool_FromLong(fr == Py_None) : NULL);
        Py_XDECREF(fr);
    }
    Py_DECREF(c);
    c = coro(raises_stop_body, "raises_stop");
    show("c.send(None)", call_attr(c, "send", "(O)", Py_None));
    e = caught(call_attr(c, "send", "(O)", Py_None));
    show("c.send(None)", Py_NewRef(e));
    {
        PyObject *cause = attr(e, "__cause__");
        show("type(e.__cause__)", cause ? PyObject_Type(cause) : NULL);
        Py_XDECREF(cause);
    }
    Py_DECREF(e);
    Py_DECREF(c);
    c = coro(returns_on_exit_body, "returns_on_exit");
    show("c.send(None)", call_attr(c, "send", "(O)", Py_None));
    show("c.close()", call_attr(c, "close", "()"));
    {
        PyObject *fr = attr(c, "cr_frame");
        show("c.cr_frame is None", fr ? PyBool_FromLong(fr == Py_None) : NULL);
        Py_XDECREF(fr);
    }
    Py_DECREF(c);
}

static void running(void)
{
    say("== running");
    me = coro(selfish_body, "selfish");
    show("me.send(None)", call_attr(me, "send", "(O)", Py_None));
    show("me.send('x')", call_attr(me, "send", "(s)", "x"));
    {
        PyObject *fr = attr(me, "cr_frame");
        show("me.cr_frame is None", fr ? PyBool_FromLong(fr == Py_None) : NULL);
        Py_XDECREF(fr);
    }
    Py_CLEAR(me);
}

int main(void)
{
    Py_Initialize();
    send_and_return();
    throw_and_close();
    what_await_accepts();
    exits();
    running();
    return 0;
}
