/*
 * Running native frames, sections D (PEP 479, items 43-46) and I (coroutines, items 82-88) of
 * the checklist (reference §4). Expected results are CPython 3.10's. Checklist numbers are in
 * the comments. Section C is in test_run_send.c.
 */
#include "harness.h"
#include "native.h"

static int bad_label(void)
{
    PyErr_SetString(PyExc_SystemError, "bad label");
    return PYNATIVE_ERROR;
}

/* Takes the pending exception (clearing it) and returns its normalized value (new reference),
 * or NULL when none is pending. */
static PyObject *fetch_exc(void)
{
    PyObject *t, *v, *tb;
    PyErr_Fetch(&t, &v, &tb);
    if (t == NULL) {
        return NULL;
    }
    PyErr_NormalizeException(&t, &v, &tb);
    Py_XDECREF(t);
    Py_XDECREF(tb);
    return v;
}

#define FRAME_OF(g) (((PyGenObject *)(g))->gi_frame)

static PyObject *close_meth(PyObject *o)
{
    return PyObject_CallMethod(o, "close", NULL);
}

/* ------------------------------------------------------------------------------------------ */
/* D. PEP 479 */

/* The exception raise_body raises (an instance), and whether it yields 1 first. */
static PyObject *raise_exc;
static int raise_after_yield;

static int raise_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    if (arg == NULL) {
        return PYNATIVE_ERROR;
    }
    switch (f->f_lasti) {
    case -1:
        if (raise_after_yield) {
            NATIVE_YIELD(f, 1, PyLong_FromLong(1));
        }
        /* fall through */
    case 1:
        PyErr_SetObject((PyObject *)Py_TYPE(raise_exc), raise_exc);
        return PYNATIVE_ERROR;
    }
    return bad_label();
}

/* Takes the pending exception: RuntimeError(message) raised from `cause` (an instance when
 * not NULL, else any instance of `cause_type`), with __context__ the same object and
 * __suppress_context__ True. */
static void check_from_cause(const char *message, PyObject *cause, PyObject *cause_type,
                             const char *file, int line)
{
    PyObject *v = fetch_exc();
    PyObject *c, *ctx;
    if (!harness_check(v != NULL && Py_TYPE(v) == (PyTypeObject *)PyExc_RuntimeError,
                       "RuntimeError pending", file, line)) {
        harness_print_object("got", v);
        Py_XDECREF(v);
        return;
    }
    harness_check_text(PyObject_Str(v), message, "str(RuntimeError)", file, line);
    c = PyException_GetCause(v);
    ctx = PyException_GetContext(v);
    harness_check(c != NULL, "__cause__ set", file, line);
    if (cause != NULL) {
        harness_check_ptr(c, cause, "__cause__ is the raised instance", file, line);
    } else if (c != NULL) {
        harness_check(Py_TYPE(c) == (PyTypeObject *)cause_type, "type(__cause__)", file, line);
    }
    harness_check_ptr(ctx, c, "__context__ is __cause__", file, line);
    harness_check_int(((PyBaseExceptionObject *)v)->suppress_context, 1, "__suppress_context__",
                      file, line);
    Py_XDECREF(c);
    Py_XDECREF(ctx);
    Py_DECREF(v);
}
#define CHECK_FROM_CAUSE(message, cause, cause_type)                                           \
    check_from_cause((message), (cause), (cause_type), __FILE__, __LINE__)

/* 43 */
static void test_generator_raises_stop_iteration(void)
{
    PyObject *g, *r;
    raise_exc = PyObject_CallFunction(PyExc_StopIteration, "i", 7);
    REQUIRE(raise_exc != NULL);
    /* In the first run, through next(). */
    raise_after_yield = 0;
    g = NATIVE_GEN(raise_body, "pep479");
    REQUIRE(g != NULL);
    r = PyIter_Next(g);
    CHECK(r == NULL);
    CHECK_FROM_CAUSE("generator raised StopIteration", raise_exc, NULL);
    CHECK(FRAME_OF(g) == NULL);
    Py_DECREF(g);
    /* After a yield, through send() and PyIter_Send. */
    raise_after_yield = 1;
    g = NATIVE_GEN(raise_body, "pep479");
    REQUIRE(g != NULL);
    r = PyIter_Next(g);
    CHECK_EQ_INT(native_long(r), 1);
    Py_XDECREF(r);
    r = PyObject_CallMethod(g, "send", "(O)", Py_None);
    CHECK(r == NULL);
    CHECK_FROM_CAUSE("generator raised StopIteration", raise_exc, NULL);
    Py_DECREF(g);
    g = NATIVE_GEN(raise_body, "pep479");
    REQUIRE(g != NULL);
    r = PyIter_Next(g);
    Py_XDECREF(r);
    r = Py_None;
    CHECK_EQ_INT(PyIter_Send(g, Py_None, &r), PYGEN_ERROR);
    CHECK(r == NULL);
    CHECK_FROM_CAUSE("generator raised StopIteration", raise_exc, NULL);
    Py_DECREF(g);
    Py_CLEAR(raise_exc);
}

/* 43: a lazily set StopIteration (PyErr_SetObject(StopIteration, 7), not normalized) is
 * converted the same way. */
static int raise_lazy_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    PyObject *seven;
    (void)f;
    (void)out;
    if (arg == NULL) {
        return PYNATIVE_ERROR;
    }
    seven = PyLong_FromLong(7);
    PyErr_SetObject(PyExc_StopIteration, seven);
    Py_DECREF(seven);
    return PYNATIVE_ERROR;
}

static void test_generator_raises_lazy_stop_iteration(void)
{
    PyObject *g = NATIVE_GEN(raise_lazy_body, "pep479");
    PyObject *r, *v, *c;
    REQUIRE(g != NULL);
    r = PyIter_Next(g);
    CHECK(r == NULL);
    v = fetch_exc();
    REQUIRE(v != NULL);
    CHECK(Py_TYPE(v) == (PyTypeObject *)PyExc_RuntimeError);
    CHECK_STR(v, "generator raised StopIteration");
    c = PyException_GetCause(v);
    CHECK(c != NULL && Py_TYPE(c) == (PyTypeObject *)PyExc_StopIteration);
    if (c != NULL) {
        CHECK_REPR(c, "StopIteration(7)");
        CHECK_EQ_INT(native_long(((PyStopIterationObject *)c)->value), 7);
    }
    Py_XDECREF(c);
    Py_DECREF(v);
    Py_DECREF(g);
}

/* A StopIteration subclass defined in C. */
static PyTypeObject SubStop_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "SubStop",
    .tp_basicsize = sizeof(PyStopIterationObject),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
};

static int ready_substop(void)
{
    SubStop_Type.tp_base = (PyTypeObject *)PyExc_StopIteration;
    return PyType_Ready(&SubStop_Type);
}

/* 44 */
static void test_coroutine_and_async_generator_raise_stop_iteration(void)
{
    PyObject *c, *a, *r;
    raise_exc = PyObject_CallFunction(PyExc_StopIteration, "i", 3);
    REQUIRE(raise_exc != NULL);
    raise_after_yield = 0;
    c = NATIVE_CORO(raise_body, "pep479");
    REQUIRE(c != NULL);
    r = PyObject_CallMethod(c, "send", "(O)", Py_None);
    CHECK(r == NULL);
    CHECK_FROM_CAUSE("coroutine raised StopIteration", raise_exc, NULL);
    CHECK(FRAME_OF(c) == NULL);
    Py_DECREF(c);
    /* Through PyIter_Send too. */
    c = NATIVE_CORO(raise_body, "pep479");
    REQUIRE(c != NULL);
    r = Py_None;
    CHECK_EQ_INT(PyIter_Send(c, Py_None, &r), PYGEN_ERROR);
    CHECK(r == NULL);
    CHECK_FROM_CAUSE("coroutine raised StopIteration", raise_exc, NULL);
    Py_DECREF(c);

    /* An async generator, driven through am_send (PyIter_Send). */
    a = native_new(raise_body, CO_ASYNC_GENERATOR, "pep479", 4);
    REQUIRE(a != NULL);
    r = Py_None;
    CHECK_EQ_INT(PyIter_Send(a, Py_None, &r), PYGEN_ERROR);
    CHECK(r == NULL);
    CHECK_FROM_CAUSE("async generator raised StopIteration", raise_exc, NULL);
    CHECK(FRAME_OF(a) == NULL);
    /* Exhausted: PyIter_Send gives PYGEN_RETURN(None). */
    r = NULL;
    CHECK_EQ_INT(PyIter_Send(a, Py_None, &r), PYGEN_RETURN);
    CHECK_EQ_PTR(r, Py_None);
    Py_XDECREF(r);
    CHECK_NO_EXC();
    Py_DECREF(a);
    Py_CLEAR(raise_exc);
}

/* 44: StopIteration subclasses are converted too. */
static void test_stop_iteration_subclass_converted(void)
{
    PyObject *g, *c, *r;
    REQUIRE(ready_substop() == 0);
    raise_exc = PyObject_CallFunction((PyObject *)&SubStop_Type, "s", "s");
    REQUIRE(raise_exc != NULL);
    CHECK(PyErr_GivenExceptionMatches(raise_exc, PyExc_StopIteration));
    raise_after_yield = 1;
    g = NATIVE_GEN(raise_body, "pep479");
    REQUIRE(g != NULL);
    r = PyIter_Next(g);
    Py_XDECREF(r);
    r = PyIter_Next(g);
    CHECK(r == NULL);
    CHECK_FROM_CAUSE("generator raised StopIteration", raise_exc, NULL);
    Py_DECREF(g);
    raise_after_yield = 0;
    c = NATIVE_CORO(raise_body, "pep479");
    REQUIRE(c != NULL);
    r = Py_None;
    CHECK_EQ_INT(PyIter_Send(c, Py_None, &r), PYGEN_ERROR);
    CHECK_FROM_CAUSE("coroutine raised StopIteration", raise_exc, NULL);
    Py_DECREF(c);
    Py_CLEAR(raise_exc);
}

/* 45 */
static void test_stop_async_iteration(void)
{
    PyObject *a, *g, *r, *v;
    raise_exc = PyObject_CallFunction(PyExc_StopAsyncIteration, "s", "x");
    REQUIRE(raise_exc != NULL);
    raise_after_yield = 0;
    /* In an async generator: RuntimeError from it. */
    a = native_new(raise_body, CO_ASYNC_GENERATOR, "agen", 4);
    REQUIRE(a != NULL);
    r = Py_None;
    CHECK_EQ_INT(PyIter_Send(a, Py_None, &r), PYGEN_ERROR);
    CHECK(r == NULL);
    CHECK_FROM_CAUSE("async generator raised StopAsyncIteration", raise_exc, NULL);
    Py_DECREF(a);
    /* In a generator: unchanged. */
    g = NATIVE_GEN(raise_body, "gen");
    REQUIRE(g != NULL);
    r = PyIter_Next(g);
    CHECK(r == NULL);
    v = fetch_exc();
    CHECK_EQ_PTR(v, raise_exc);
    if (v != NULL) {
        CHECK(PyException_GetCause(v) == NULL);
        CHECK(PyException_GetContext(v) == NULL);
    }
    Py_XDECREF(v);
    Py_DECREF(g);
    /* In a coroutine: unchanged as well (only async generators convert it). */
    g = NATIVE_CORO(raise_body, "coro");
    REQUIRE(g != NULL);
    r = Py_None;
    CHECK_EQ_INT(PyIter_Send(g, Py_None, &r), PYGEN_ERROR);
    v = fetch_exc();
    CHECK_EQ_PTR(v, raise_exc);
    Py_XDECREF(v);
    Py_DECREF(g);
    Py_CLEAR(raise_exc);
}

/* Yields 1; anything thrown in propagates. */
static int yield_once_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    if (arg == NULL) {
        return PYNATIVE_ERROR;
    }
    switch (f->f_lasti) {
    case -1:
        NATIVE_YIELD(f, 1, PyLong_FromLong(1));
    case 1:
        *out = Py_NewRef(Py_None);
        return PYNATIVE_RETURN;
    }
    return bad_label();
}

/* 46 */
static void test_throw_stop_iteration(void)
{
    PyObject *g, *r, *inst;
    /* Into a suspended generator. */
    g = NATIVE_GEN(yield_once_body, "g");
    REQUIRE(g != NULL);
    r = PyIter_Next(g);
    CHECK_EQ_INT(native_long(r), 1);
    Py_XDECREF(r);
    r = PyObject_CallMethod(g, "throw", "(O)", PyExc_StopIteration);
    CHECK(r == NULL);
    CHECK_FROM_CAUSE("generator raised StopIteration", NULL, PyExc_StopIteration);
    CHECK(FRAME_OF(g) == NULL);
    Py_DECREF(g);
    /* Into a just-started generator. */
    g = NATIVE_GEN(yield_once_body, "g");
    REQUIRE(g != NULL);
    r = PyObject_CallMethod(g, "throw", "(O)", PyExc_StopIteration);
    CHECK(r == NULL);
    CHECK_FROM_CAUSE("generator raised StopIteration", NULL, PyExc_StopIteration);
    CHECK(FRAME_OF(g) == NULL);
    Py_DECREF(g);
    /* An instance: it becomes the cause. */
    inst = PyObject_CallFunction(PyExc_StopIteration, "i", 5);
    REQUIRE(inst != NULL);
    g = NATIVE_GEN(yield_once_body, "g");
    REQUIRE(g != NULL);
    r = PyIter_Next(g);
    Py_XDECREF(r);
    r = PyObject_CallMethod(g, "throw", "(O)", inst);
    CHECK(r == NULL);
    CHECK_FROM_CAUSE("generator raised StopIteration", inst, NULL);
    Py_DECREF(g);
    Py_DECREF(inst);
}

/* ------------------------------------------------------------------------------------------ */
/* I. Coroutines */

static PyObject *ret_value;

static int return_now_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    (void)f;
    if (arg == NULL) {
        return PYNATIVE_ERROR;
    }
    *out = Py_NewRef(ret_value);
    return PYNATIVE_RETURN;
}

/* 82 */
static void test_coroutine_is_not_an_iterator(void)
{
    PyObject *c, *r;
    ret_value = Py_None;
    c = NATIVE_CORO(return_now_body, "c");
    REQUIRE(c != NULL);
    CHECK_EQ_INT(PyIter_Check(c), 0);
    CHECK(Py_TYPE(c)->tp_iter == NULL);
    CHECK(Py_TYPE(c)->tp_iternext == NULL);
    r = PyObject_GetIter(c);
    CHECK(r == NULL);
    Py_XDECREF(r);
    CHECK_EXC(PyExc_TypeError, "'coroutine' object is not iterable");
    /* next(coro): CPython's PyIter_Next would crash; pycoro raises next()'s TypeError. */
    r = PyIter_Next(c);
    CHECK(r == NULL);
    Py_XDECREF(r);
    CHECK_EXC(PyExc_TypeError, "'coroutine' object is not an iterator");
    /* Untouched by all that. */
    CHECK_EQ_INT(FRAME_OF(c)->f_lasti, -1);
    r = close_meth(c);
    CHECK_EQ_PTR(r, Py_None);
    Py_XDECREF(r);
    Py_DECREF(c);
    ret_value = NULL;
}

/* 83 */
static void test_coroutine_return_then_reuse(void)
{
    PyObject *five = PyLong_FromLong(5);
    PyObject *c, *r, *v;
    ret_value = five;
    c = NATIVE_CORO(return_now_body, "c_ret");
    REQUIRE(c != NULL);
    r = PyObject_CallMethod(c, "send", "(O)", Py_None);
    CHECK(r == NULL);
    v = native_take_stop_value();
    CHECK_EQ_PTR(v, five);
    Py_XDECREF(v);
    CHECK_NO_EXC();
    r = PyObject_CallMethod(c, "send", "(O)", Py_None);
    CHECK(r == NULL);
    CHECK_EXC(PyExc_RuntimeError, "cannot reuse already awaited coroutine");
    /* Any value, any way in. */
    r = PyObject_CallMethod(c, "send", "(O)", five);
    CHECK(r == NULL);
    CHECK_EXC(PyExc_RuntimeError, "cannot reuse already awaited coroutine");
    Py_DECREF(c);
    Py_DECREF(five);
    ret_value = NULL;
}

/* 84 (and 61: close() after exhaustion is silent). */
static void test_coroutine_throw_after_exhaustion(void)
{
    PyObject *k = PyObject_CallFunction(PyExc_KeyError, "s", "k");
    PyObject *c, *r, *v;
    REQUIRE(k != NULL);
    ret_value = Py_None;
    c = NATIVE_CORO(return_now_body, "c");
    REQUIRE(c != NULL);
    r = NULL;
    CHECK_EQ_INT(PyIter_Send(c, Py_None, &r), PYGEN_RETURN);
    Py_XDECREF(r);
    r = PyObject_CallMethod(c, "throw", "(O)", k);
    CHECK(r == NULL);
    v = fetch_exc();
    CHECK(v != NULL && Py_TYPE(v) == (PyTypeObject *)PyExc_RuntimeError);
    if (v != NULL) {
        CHECK_STR(v, "cannot reuse already awaited coroutine");
        /* The KeyError is replaced, not chained. */
        CHECK(PyException_GetContext(v) == NULL);
        CHECK(PyException_GetCause(v) == NULL);
    }
    Py_XDECREF(v);
    r = PyObject_CallMethod(c, "throw", "(O)", PyExc_KeyError);
    CHECK(r == NULL);
    CHECK_EXC(PyExc_RuntimeError, "cannot reuse already awaited coroutine");
    r = close_meth(c);
    CHECK_EQ_PTR(r, Py_None);
    Py_XDECREF(r);
    CHECK_NO_EXC();
    Py_DECREF(c);
    Py_DECREF(k);
    ret_value = NULL;
}

/* 85: yields 's'; a KeyError thrown in is caught and 'caught' yielded; returns 5 when resumed
 * normally. */
static int wrapped_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    switch (f->f_lasti) {
    case -1:
        if (arg == NULL) {
            return PYNATIVE_ERROR;
        }
        NATIVE_YIELD(f, 1, PyUnicode_FromString("s"));
    case 1:
    case 2:
        if (arg == NULL) {
            if (!PyErr_ExceptionMatches(PyExc_KeyError)) {
                return PYNATIVE_ERROR;
            }
            PyErr_Clear();
            NATIVE_YIELD(f, 2, PyUnicode_FromString("caught"));
        }
        *out = PyLong_FromLong(5);
        return PYNATIVE_RETURN;
    }
    return bad_label();
}

/* 85 */
static void test_coroutine_wrapper(void)
{
    PyObject *c = NATIVE_CORO(wrapped_body, "c");
    PyObject *w1, *w2, *r, *v;
    REQUIRE(c != NULL);
    w1 = Py_TYPE(c)->tp_as_async->am_await(c);
    w2 = Py_TYPE(c)->tp_as_async->am_await(c);
    REQUIRE(w1 != NULL && w2 != NULL);
    /* A new wrapper each time. */
    CHECK(w1 != w2);
    CHECK_EQ_PTR(Py_TYPE(w1), &_PyCoroWrapper_Type);
    CHECK_STR_EQ(Py_TYPE(w1)->tp_name, "coroutine_wrapper");
    CHECK(Py_TYPE(w1)->tp_as_async == NULL);
    CHECK(PyIter_Check(w1));
    /* iter(w) is w. */
    r = PyObject_GetIter(w1);
    CHECK_EQ_PTR(r, w1);
    Py_XDECREF(r);
    /* next(w), then w.throw forwarded (caught inside), then next(w) ends with StopIteration(5). */
    r = Py_TYPE(w1)->tp_iternext(w1);
    CHECK(r != NULL && PyUnicode_CompareWithASCIIString(r, "s") == 0);
    Py_XDECREF(r);
    r = PyObject_CallMethod(w2, "throw", "(O)", PyExc_KeyError);
    CHECK(r != NULL && PyUnicode_CompareWithASCIIString(r, "caught") == 0);
    Py_XDECREF(r);
    r = Py_TYPE(w1)->tp_iternext(w1);
    CHECK(r == NULL);
    v = fetch_exc();
    CHECK(v != NULL && Py_TYPE(v) == (PyTypeObject *)PyExc_StopIteration);
    if (v != NULL) {
        CHECK_EQ_INT(native_long(((PyStopIterationObject *)v)->value), 5);
    }
    Py_XDECREF(v);
    CHECK(FRAME_OF(c) == NULL);
    /* The coroutine is exhausted: next(w) is the reuse error, close() is silent. */
    r = Py_TYPE(w1)->tp_iternext(w1);
    CHECK(r == NULL);
    CHECK_EXC(PyExc_RuntimeError, "cannot reuse already awaited coroutine");
    r = PyObject_CallMethod(w1, "close", NULL);
    CHECK_EQ_PTR(r, Py_None);
    Py_XDECREF(r);
    CHECK_NO_EXC();
    Py_DECREF(w1);
    Py_DECREF(w2);
    Py_DECREF(c);
}

/* 85: w.send forwards; w.close closes the coroutine (cr_frame becomes None). */
static void test_coroutine_wrapper_send_close(void)
{
    PyObject *c = NATIVE_CORO(wrapped_body, "c");
    PyObject *w, *r, *attr;
    REQUIRE(c != NULL);
    w = Py_TYPE(c)->tp_as_async->am_await(c);
    REQUIRE(w != NULL);
    r = PyObject_CallMethod(w, "send", "(O)", Py_None);
    CHECK(r != NULL && PyUnicode_CompareWithASCIIString(r, "s") == 0);
    Py_XDECREF(r);
    r = PyObject_CallMethod(w, "close", NULL);
    CHECK_EQ_PTR(r, Py_None);
    Py_XDECREF(r);
    CHECK(FRAME_OF(c) == NULL);
    attr = PyObject_GetAttrString(c, "cr_frame");
    CHECK_EQ_PTR(attr, Py_None);
    Py_XDECREF(attr);
    attr = PyObject_GetAttrString(c, "cr_await");
    CHECK_EQ_PTR(attr, Py_None);
    Py_XDECREF(attr);
    r = PyObject_CallMethod(w, "close", NULL);
    CHECK_EQ_PTR(r, Py_None);
    Py_XDECREF(r);
    /* A thrown exception the coroutine does not catch comes out of w.throw. */
    Py_DECREF(w);
    Py_DECREF(c);
    c = NATIVE_CORO(wrapped_body, "c");
    REQUIRE(c != NULL);
    w = Py_TYPE(c)->tp_as_async->am_await(c);
    REQUIRE(w != NULL);
    r = PyIter_Next(w);
    Py_XDECREF(r);
    r = PyObject_CallMethod(w, "throw", "(O)", PyExc_ValueError);
    CHECK(r == NULL);
    CHECK_EXC(PyExc_ValueError, "");
    CHECK(FRAME_OF(c) == NULL);
    CHECK_NO_EXC();
    Py_DECREF(w);
    Py_DECREF(c);
}

/* 86: cr_origin. origin_outer (outer.c, line 12) runs origin_inner (inner.c, line 23), which
 * creates a coroutine and returns its cr_origin. */

static int origin_made_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    (void)f;
    if (arg == NULL) {
        return PYNATIVE_ERROR;
    }
    *out = Py_NewRef(Py_None);
    return PYNATIVE_RETURN;
}

static int origin_inner_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    PyObject *coro, *origin, *r;
    if (arg == NULL) {
        return PYNATIVE_ERROR;
    }
    f->f_lineno = 23;
    coro = NATIVE_CORO(origin_made_body, "made");
    if (coro == NULL) {
        return PYNATIVE_ERROR;
    }
    /* The coroutine's own frame is not on the stack: it is not running. */
    CHECK(FRAME_OF(coro)->f_back == NULL);
    origin = PyObject_GetAttrString(coro, "cr_origin");
    if (origin != NULL) {
        PyObject *raw = ((PyCoroObject *)coro)->cr_origin;
        CHECK(raw == NULL ? origin == Py_None : origin == raw);
    }
    r = close_meth(coro);
    Py_XDECREF(r);
    Py_DECREF(coro);
    if (origin == NULL || r == NULL) {
        Py_XDECREF(origin);
        return PYNATIVE_ERROR;
    }
    *out = origin;
    return PYNATIVE_RETURN;
}

static PyObject *new_named_gen(PyNative_Body body, const char *name, const char *filename,
                               int firstlineno)
{
    PyCodeObject *co = PyNative_NewCode(body, name, filename, firstlineno, CO_GENERATOR, 4, 0);
    PyFrameObject *f;
    if (co == NULL) {
        return NULL;
    }
    f = PyFrame_New(NULL, co, NULL, NULL);
    Py_DECREF(co);
    if (f == NULL) {
        return NULL;
    }
    return PyGen_New(f);
}

static int origin_outer_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    PyObject *inner;
    int status;
    if (arg == NULL) {
        return PYNATIVE_ERROR;
    }
    f->f_lineno = 12;
    inner = new_named_gen(origin_inner_body, "inner_fn", "inner.c", 20);
    if (inner == NULL) {
        return PYNATIVE_ERROR;
    }
    status = PyIter_Send(inner, Py_None, out);
    Py_DECREF(inner);
    if (status == PYGEN_ERROR) {
        return PYNATIVE_ERROR;
    }
    if (status != PYGEN_RETURN) {
        Py_CLEAR(*out);
        return bad_label();
    }
    return PYNATIVE_RETURN;
}

/* The cr_origin a coroutine created two native frames deep gets with tracking depth `depth`. */
static PyObject *origin_with_depth(int depth)
{
    PyThreadState *ts = PyThreadState_Get();
    PyObject *outer = new_named_gen(origin_outer_body, "outer_fn", "outer.c", 10);
    PyObject *r = NULL;
    int status;
    if (outer == NULL) {
        return NULL;
    }
    ts->coroutine_origin_tracking_depth = depth;
    status = PyIter_Send(outer, Py_None, &r);
    ts->coroutine_origin_tracking_depth = 0;
    Py_DECREF(outer);
    if (status != PYGEN_RETURN) {
        Py_CLEAR(r);
    }
    return r;
}

/* Checks that `entry` is the tuple (filename, lineno, funcname). */
static void check_origin_entry(PyObject *entry, const char *filename, long lineno,
                               const char *funcname, const char *file, int line)
{
    if (!harness_check(entry != NULL && PyTuple_Check(entry) && PyTuple_GET_SIZE(entry) == 3,
                       "cr_origin entry is a 3-tuple", file, line)) {
        harness_print_object("entry", entry);
        return;
    }
    harness_check(PyUnicode_Check(PyTuple_GET_ITEM(entry, 0)) &&
                      PyUnicode_CompareWithASCIIString(PyTuple_GET_ITEM(entry, 0), filename) == 0,
                  filename, file, line);
    harness_check(PyLong_CheckExact(PyTuple_GET_ITEM(entry, 1)), "lineno is an int", file, line);
    harness_check_int(native_long(PyTuple_GET_ITEM(entry, 1)), lineno, "lineno", file, line);
    harness_check(PyUnicode_Check(PyTuple_GET_ITEM(entry, 2)) &&
                      PyUnicode_CompareWithASCIIString(PyTuple_GET_ITEM(entry, 2), funcname) == 0,
                  funcname, file, line);
}
#define CHECK_ORIGIN_ENTRY(entry, filename, lineno, funcname)                                  \
    check_origin_entry((entry), (filename), (lineno), (funcname), __FILE__, __LINE__)

/* 86 */
static void test_cr_origin_from_running_frames(void)
{
    PyObject *o;

    o = origin_with_depth(2);
    REQUIRE(o != NULL);
    CHECK(PyTuple_CheckExact(o));
    CHECK_EQ_INT(PyTuple_Size(o), 2);
    if (PyTuple_Check(o) && PyTuple_GET_SIZE(o) == 2) {
        /* Most recent first: the frame that created the coroutine. */
        CHECK_ORIGIN_ENTRY(PyTuple_GET_ITEM(o, 0), "inner.c", 23, "inner_fn");
        CHECK_ORIGIN_ENTRY(PyTuple_GET_ITEM(o, 1), "outer.c", 12, "outer_fn");
    }
    Py_DECREF(o);

    o = origin_with_depth(1);
    REQUIRE(o != NULL);
    CHECK_EQ_INT(PyTuple_Size(o), 1);
    if (PyTuple_Check(o) && PyTuple_GET_SIZE(o) == 1) {
        CHECK_ORIGIN_ENTRY(PyTuple_GET_ITEM(o, 0), "inner.c", 23, "inner_fn");
    }
    Py_DECREF(o);

    /* Deeper than the stack: every executing frame, no more. */
    o = origin_with_depth(5);
    REQUIRE(o != NULL);
    CHECK_EQ_INT(PyTuple_Size(o), 2);
    Py_DECREF(o);

    /* Depth 0: no origin (cr_origin NULL, read as None). */
    o = origin_with_depth(0);
    REQUIRE(o != NULL);
    CHECK_EQ_PTR(o, Py_None);
    Py_DECREF(o);
    CHECK_NO_EXC();
}

/* 87 (partly): PyCoro_New reads tstate->coroutine_origin_tracking_depth as it is. A negative
 * depth (only reachable by writing the field, as _PyEval_SetCoroutineOriginTrackingDepth does
 * without validation) gives the empty tuple. sys.set_coroutine_origin_tracking_depth's
 * ValueError and _PyEval_GetCoroutineOriginTrackingDepth are not in pycoro yet. */
static void test_origin_depth_field(void)
{
    PyThreadState *ts = PyThreadState_Get();
    PyObject *c, *o;

    ts->coroutine_origin_tracking_depth = -1;
    o = origin_with_depth(-1);
    REQUIRE(o != NULL);
    CHECK(PyTuple_CheckExact(o));
    CHECK_EQ_INT(PyTuple_Size(o), 0);
    Py_DECREF(o);

    /* From C with no executing frame. */
    ts->coroutine_origin_tracking_depth = 3;
    ret_value = Py_None;
    c = NATIVE_CORO(return_now_body, "c");
    ts->coroutine_origin_tracking_depth = 0;
    REQUIRE(c != NULL);
    o = PyObject_GetAttrString(c, "cr_origin");
    CHECK(o != NULL && PyTuple_CheckExact(o) && PyTuple_GET_SIZE(o) == 0);
    Py_XDECREF(o);
    o = close_meth(c);
    Py_XDECREF(o);
    Py_DECREF(c);

    c = NATIVE_CORO(return_now_body, "c");
    REQUIRE(c != NULL);
    CHECK(((PyCoroObject *)c)->cr_origin == NULL);
    o = PyObject_GetAttrString(c, "cr_origin");
    CHECK_EQ_PTR(o, Py_None);
    Py_XDECREF(o);
    o = close_meth(c);
    Py_XDECREF(o);
    Py_DECREF(c);
    ret_value = NULL;
    CHECK_EQ_INT(ts->coroutine_origin_tracking_depth, 0);
    CHECK_NO_EXC();
}

/* 88: checks cr_running / cr_await / cr_frame of `running_self` from inside. */
static PyObject *running_self;

static int running_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    PyObject *a;
    if (arg == NULL) {
        return PYNATIVE_ERROR;
    }
    a = PyObject_GetAttrString(running_self, "cr_running");
    CHECK_EQ_PTR(a, Py_True);
    Py_XDECREF(a);
    a = PyObject_GetAttrString(running_self, "cr_await");
    CHECK_EQ_PTR(a, Py_None);
    Py_XDECREF(a);
    a = PyObject_GetAttrString(running_self, "cr_frame");
    CHECK_EQ_PTR(a, f);
    Py_XDECREF(a);
    CHECK_NO_EXC();
    switch (f->f_lasti) {
    case -1:
        NATIVE_YIELD(f, 1, PyLong_FromLong(1));
    case 1:
        *out = Py_NewRef(Py_None);
        return PYNATIVE_RETURN;
    }
    return bad_label();
}

/* 88 */
static void test_coroutine_attributes_through_a_run(void)
{
    PyObject *c = NATIVE_CORO(running_body, "c");
    PyObject *r, *a;
    PyCodeObject *code;
    REQUIRE(c != NULL);
    code = (PyCodeObject *)Py_NewRef(FRAME_OF(c)->f_code);
    running_self = c;
    a = PyObject_GetAttrString(c, "cr_running");
    CHECK_EQ_PTR(a, Py_False);
    Py_XDECREF(a);
    r = NULL;
    CHECK_EQ_INT(PyIter_Send(c, Py_None, &r), PYGEN_NEXT);
    Py_XDECREF(r);
    a = PyObject_GetAttrString(c, "cr_running");
    CHECK_EQ_PTR(a, Py_False);
    Py_XDECREF(a);
    r = NULL;
    CHECK_EQ_INT(PyIter_Send(c, Py_None, &r), PYGEN_RETURN);
    Py_XDECREF(r);
    /* Finished. */
    a = PyObject_GetAttrString(c, "cr_running");
    CHECK_EQ_PTR(a, Py_False);
    Py_XDECREF(a);
    a = PyObject_GetAttrString(c, "cr_frame");
    CHECK_EQ_PTR(a, Py_None);
    Py_XDECREF(a);
    a = PyObject_GetAttrString(c, "cr_await");
    CHECK_EQ_PTR(a, Py_None);
    Py_XDECREF(a);
    /* cr_code is the code object (func.__code__). */
    a = PyObject_GetAttrString(c, "cr_code");
    CHECK_EQ_PTR(a, code);
    Py_XDECREF(a);
    CHECK_NO_EXC();
    running_self = NULL;
    Py_DECREF(code);
    Py_DECREF(c);
}

int main(void)
{
    RUN(test_generator_raises_stop_iteration);
    RUN(test_generator_raises_lazy_stop_iteration);
    RUN(test_coroutine_and_async_generator_raise_stop_iteration);
    RUN(test_stop_iteration_subclass_converted);
    RUN(test_stop_async_iteration);
    RUN(test_throw_stop_iteration);
    RUN(test_coroutine_is_not_an_iterator);
    RUN(test_coroutine_return_then_reuse);
    RUN(test_coroutine_throw_after_exhaustion);
    RUN(test_coroutine_wrapper);
    RUN(test_coroutine_wrapper_send_close);
    RUN(test_cr_origin_from_running_frames);
    RUN(test_origin_depth_field);
    RUN(test_coroutine_attributes_through_a_run);
    return HARNESS_SUMMARY();
}
