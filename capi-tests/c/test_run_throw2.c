/*
 * Delegation (reference §3.5-§3.7): gi_yieldfrom / cr_await / ag_await, send, throw and close
 * forwarded through `yield from` and `await` to subgenerators and to plain iterators (a C type
 * with send/throw/close methods), and the errors of `await` and `yield from`.
 * throw and close themselves are in test_run_throw.c.
 *
 * Expected values are CPython 3.10.13's, measured with Python generators doing the same
 * thing as the native bodies here. Checklist numbers (reference §4, section G) are in the
 * comments.
 */
#include "harness.h"
#include "native.h"

#define GEN_FRAME(g) (((PyGenObject *)(g))->gi_frame)

/* ---- an event log ---- */

static char evlog[1024];

static void log_reset(void)
{
    evlog[0] = '\0';
}

/* Appends an event ("; "-separated). */
static void log_event(const char *fmt, ...)
{
    size_t n = strlen(evlog);
    va_list ap;
    if (n > 0 && n + 2 < sizeof evlog) {
        strcpy(evlog + n, "; ");
        n += 2;
    }
    va_start(ap, fmt);
    vsnprintf(evlog + n, sizeof evlog - n, fmt, ap);
    va_end(ap);
}

/* The name of the pending exception's type ("?" when none). */
static const char *pending_name(void)
{
    PyObject *t = PyErr_Occurred();
    return t != NULL && PyType_Check(t) ? ((PyTypeObject *)t)->tp_name : "?";
}

/* str(o) as a C string kept in a static buffer (for the log). */
static const char *str_of(PyObject *o)
{
    static char buf[128];
    PyObject *s = PyObject_Str(o);
    const char *text = s != NULL ? PyUnicode_AsUTF8(s) : NULL;
    snprintf(buf, sizeof buf, "%s", text != NULL ? text : "<str failed>");
    Py_XDECREF(s);
    if (text == NULL) {
        PyErr_Clear();
    }
    return buf;
}

/* ---- helpers ---- */

/* The attribute `name` of `o` is `expected` (identity); `o` borrowed. */
static int check_attr_is_at(PyObject *o, const char *name, PyObject *expected, const char *file,
                            int line)
{
    PyObject *v = PyObject_GetAttrString(o, name);
    int ok;
    if (v == NULL) {
        harness_fail_at(file, line, name);
        harness_check_no_exc(file, line);
        return 0;
    }
    ok = harness_check_ptr(v, expected, name, file, line);
    Py_DECREF(v);
    return ok;
}
#define CHECK_ATTR_IS(o, name, expected) check_attr_is_at((o), (name), (expected), __FILE__, __LINE__)

/* Stores a new reference to `o` in slot `i` of generator `g`'s frame (before it starts). */
static void set_slot(PyObject *g, int i, PyObject *o)
{
    Py_XSETREF(NATIVE_SLOT(GEN_FRAME(g), i), Py_NewRef(o));
}

/* ---- plain iterators: It (send, throw, close) and ItNoThrow (send, close) ---- */

static long it_count;           /* values __next__ produced */
static int it_close_fails;      /* close() raises ValueError('close failed') */
static Py_ssize_t it_throw_nargs; /* arguments of the last throw() call */
static PyObject *it_throw_first; /* its first argument (a reference) */

static PyObject *it_iternext(PyObject *self)
{
    (void)self;
    it_count++;
    log_event("next");
    return PyLong_FromLong(it_count);
}

static PyObject *it_send(PyObject *self, PyObject *v)
{
    (void)self;
    log_event("send %s", str_of(v));
    return Py_NewRef(v);
}

/* throw(*args): records the call and finishes: StopIteration('subv'). */
static PyObject *it_throw(PyObject *self, PyObject *args)
{
    PyObject *subv;
    (void)self;
    it_throw_nargs = PyTuple_GET_SIZE(args);
    Py_XSETREF(it_throw_first, it_throw_nargs > 0 ? Py_NewRef(PyTuple_GET_ITEM(args, 0)) : NULL);
    log_event("throw");
    subv = PyUnicode_FromString("subv");
    if (subv != NULL) {
        PyErr_SetObject(PyExc_StopIteration, subv);
        Py_DECREF(subv);
    }
    return NULL;
}

static PyObject *it_close(PyObject *self, PyObject *unused)
{
    (void)self;
    (void)unused;
    log_event("close");
    if (it_close_fails) {
        PyErr_SetString(PyExc_ValueError, "close failed");
        return NULL;
    }
    return Py_NewRef(Py_None);
}

static PyMethodDef it_methods[] = {
    {"send", it_send, METH_O, NULL},
    {"throw", it_throw, METH_VARARGS, NULL},
    {"close", it_close, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyMethodDef it_nothrow_methods[] = {
    {"send", it_send, METH_O, NULL},
    {"close", it_close, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject It_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "throwtest.It",
    .tp_basicsize = sizeof(PyObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_iter = PyObject_SelfIter,
    .tp_iternext = it_iternext,
    .tp_methods = it_methods,
    .tp_new = PyType_GenericNew,
};

static PyTypeObject ItNoThrow_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "throwtest.ItNoThrow",
    .tp_basicsize = sizeof(PyObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_iter = PyObject_SelfIter,
    .tp_iternext = it_iternext,
    .tp_methods = it_nothrow_methods,
    .tp_new = PyType_GenericNew,
};

/* A new instance of a test type (readies it first); resets the iterator statics. */
static PyObject *new_instance(PyTypeObject *tp)
{
    if (PyType_Ready(tp) < 0) {
        return NULL;
    }
    it_count = 0;
    it_close_fails = 0;
    it_throw_nargs = -1;
    Py_CLEAR(it_throw_first);
    return PyObject_CallNoArgs((PyObject *)tp);
}

/* ---- bodies ---- */

static int outer_reraise; /* outer_body lets every exception propagate (not only GeneratorExit) */

/* outer: `yield from` the object in slot 0, then yields its
 * result. An exception arriving from the delegation (or thrown in) is logged as
 * "outer <Type>"; GeneratorExit (and everything when outer_reraise) propagates, anything else
 * is caught and "x" yielded. After that, a sent value returns None, an exception propagates
 * (logged). */
static int outer_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    switch (f->f_lasti) {
    case -1:
        NATIVE_YIELD_FROM(f, 1, Py_NewRef(NATIVE_SLOT(f, 0)));
    case 1:
        if (arg == NULL) {
            log_event("outer %s", pending_name());
            if (outer_reraise || PyErr_ExceptionMatches(PyExc_GeneratorExit)) {
                return PYNATIVE_ERROR;
            }
            PyErr_Clear();
            NATIVE_YIELD(f, 2, PyUnicode_FromString("x"));
        }
        log_event("outer result %s", str_of(arg));
        NATIVE_YIELD(f, 2, Py_NewRef(arg));
    case 2:
        if (arg == NULL) {
            log_event("outer %s", pending_name());
            return PYNATIVE_ERROR;
        }
        *out = Py_NewRef(Py_None);
        return PYNATIVE_RETURN;
    }
    PyErr_SetString(PyExc_SystemError, "bad label");
    return PYNATIVE_ERROR;
}

/* A new outer generator delegating to `sub`. */
static PyObject *new_outer(PyObject *sub)
{
    PyObject *o = NATIVE_GEN(outer_body, "outer");
    if (o != NULL) {
        set_slot(o, 0, sub);
    }
    return o;
}

static int sub_returns; /* sub_body returns "subret" when it catches KeyError */
static PyObject *sub_gen; /* the sub generator, for checks made while it runs */
static PyObject *outer_gen; /* its outer generator, likewise */

/* When sub_gen and outer_gen are set (called from inside the sub): logs
 * "running <sub.gi_running> <outer.gi_running>", and with `reenter` also what next(outer)
 * does ("reenter <Type>: <message>"). The pending exception, if any, is kept. */
static void probe_from_sub(int reenter)
{
    PyObject *t, *v, *tb, *a, *b;
    if (sub_gen == NULL || outer_gen == NULL) {
        return;
    }
    PyErr_Fetch(&t, &v, &tb);
    a = PyObject_GetAttrString(sub_gen, "gi_running");
    b = PyObject_GetAttrString(outer_gen, "gi_running");
    log_event("running %s %s", a == NULL ? "error" : a == Py_True ? "True" : "False",
              b == NULL ? "error" : b == Py_True ? "True" : "False");
    Py_XDECREF(a);
    Py_XDECREF(b);
    PyErr_Clear();
    if (reenter) {
        PyObject *r = PyIter_Next(outer_gen);
        if (r != NULL) {
            log_event("reenter returned");
            Py_DECREF(r);
        } else if (PyErr_Occurred() == NULL) {
            log_event("reenter ended");
        } else {
            PyObject *t2, *v2, *tb2;
            PyErr_Fetch(&t2, &v2, &tb2);
            PyErr_NormalizeException(&t2, &v2, &tb2);
            log_event("reenter %s: %s", ((PyTypeObject *)t2)->tp_name, str_of(v2));
            Py_XDECREF(t2);
            Py_XDECREF(v2);
            Py_XDECREF(tb2);
        }
    }
    PyErr_Restore(t, v, tb);
}

/* sub: yields 1; a KeyError thrown in is caught ("sub caught") and 2 yielded, or "subret"
 * returned when sub_returns; a sent value is returned. Every exit logs "sub finally". When
 * sub_gen and outer_gen are set, it probes them (probe_from_sub) when it starts (no
 * re-entry) and when an exception arrives at its first yield. */
static int sub_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    switch (f->f_lasti) {
    case -1:
        probe_from_sub(0);
        NATIVE_YIELD(f, 1, PyLong_FromLong(1));
    case 1:
        if (arg == NULL) {
            probe_from_sub(1);
            if (PyErr_ExceptionMatches(PyExc_KeyError)) {
                PyErr_Clear();
                log_event("sub caught");
                if (sub_returns) {
                    log_event("sub finally");
                    *out = PyUnicode_FromString("subret");
                    return PYNATIVE_RETURN;
                }
                NATIVE_YIELD(f, 2, PyLong_FromLong(2));
            }
            log_event("sub finally");
            return PYNATIVE_ERROR;
        }
        log_event("sub finally");
        *out = Py_NewRef(arg);
        return PYNATIVE_RETURN;
    case 2:
        log_event("sub finally");
        if (arg == NULL) {
            return PYNATIVE_ERROR;
        }
        *out = Py_NewRef(Py_None);
        return PYNATIVE_RETURN;
    }
    PyErr_SetString(PyExc_SystemError, "bad label");
    return PYNATIVE_ERROR;
}

/* leaf: (a coroutine) yields "leaf"; returns the value sent in; exceptions propagate. */
static int leaf_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    switch (f->f_lasti) {
    case -1:
        NATIVE_YIELD(f, 1, PyUnicode_FromString("leaf"));
    case 1:
        if (arg == NULL) {
            return PYNATIVE_ERROR;
        }
        *out = Py_NewRef(arg);
        return PYNATIVE_RETURN;
    }
    PyErr_SetString(PyExc_SystemError, "bad label");
    return PYNATIVE_ERROR;
}

/* mid: awaits a new leaf coroutine and returns its result. */
static int mid_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    switch (f->f_lasti) {
    case -1: {
        PyObject *leaf = NATIVE_CORO(leaf_body, "leaf");
        if (leaf == NULL) {
            return PYNATIVE_ERROR;
        }
        NATIVE_AWAIT(f, 1, leaf);
    }
    case 1:
        if (arg == NULL) {
            return PYNATIVE_ERROR;
        }
        *out = Py_NewRef(arg);
        return PYNATIVE_RETURN;
    }
    PyErr_SetString(PyExc_SystemError, "bad label");
    return PYNATIVE_ERROR;
}

/* awaiter: (a coroutine) awaits slot 0 and returns its result; an exception at the await is
 * logged ("awaiter <Type>: <message>") and propagates. */
static int awaiter_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    switch (f->f_lasti) {
    case -1:
        NATIVE_AWAIT(f, 1, Py_NewRef(NATIVE_SLOT(f, 0)));
    case 1:
        if (arg == NULL) {
            PyObject *t, *v, *tb;
            PyErr_Fetch(&t, &v, &tb);
            PyErr_NormalizeException(&t, &v, &tb);
            log_event("awaiter %s: %s", t != NULL ? ((PyTypeObject *)t)->tp_name : "?",
                      str_of(v));
            PyErr_Restore(t, v, tb);
            return PYNATIVE_ERROR;
        }
        *out = Py_NewRef(arg);
        return PYNATIVE_RETURN;
    }
    PyErr_SetString(PyExc_SystemError, "bad label");
    return PYNATIVE_ERROR;
}

/* A new awaiter coroutine awaiting `aw`. */
static PyObject *new_awaiter(PyObject *aw)
{
    PyObject *c = NATIVE_CORO(awaiter_body, "awaiter");
    if (c != NULL) {
        set_slot(c, 0, aw);
    }
    return c;
}

/* ---- G. delegation ---- */

/* 62, 63: gi_yieldfrom is None before the start, the subgenerator while the outer generator is
 * suspended in `yield from` (neither is running then; both are while the sub runs), None once
 * the delegation is over and after the end. */
static void test_gi_yieldfrom(void)
{
    PyObject *s = NATIVE_GEN(sub_body, "sub");
    PyObject *o = s != NULL ? new_outer(s) : NULL;
    PyObject *r, *five = PyLong_FromLong(5);
    REQUIRE(o != NULL && five != NULL);
    log_reset();
    sub_returns = 0;
    sub_gen = s;
    outer_gen = o;

    CHECK_ATTR_IS(o, "gi_yieldfrom", Py_None);
    r = PyIter_Next(o);
    CHECK_EQ_INT(native_long(r), 1);
    Py_XDECREF(r);
    CHECK_STR_EQ(evlog, "running True True");
    CHECK_ATTR_IS(o, "gi_yieldfrom", s);
    CHECK_ATTR_IS(o, "gi_running", Py_False);
    CHECK_ATTR_IS(s, "gi_running", Py_False);
    CHECK_ATTR_IS(s, "gi_yieldfrom", Py_None);

    /* The sub returns 5: the outer generator yields it; the delegation is over. */
    r = call_send(o, five);
    CHECK_EQ_INT(native_long(r), 5);
    Py_XDECREF(r);
    CHECK_ATTR_IS(o, "gi_yieldfrom", Py_None);
    CHECK(GEN_FRAME(s) == NULL);

    r = PyIter_Next(o);
    CHECK(r == NULL);
    CHECK_NO_EXC();
    CHECK(GEN_FRAME(o) == NULL);
    CHECK_ATTR_IS(o, "gi_yieldfrom", Py_None);
    CHECK_STR_EQ(evlog, "running True True; sub finally; outer result 5");

    sub_gen = NULL;
    outer_gen = NULL;
    Py_DECREF(o);
    Py_DECREF(s);
    Py_DECREF(five);
}

/* 62: cr_await: None before the start, the awaited coroutine while suspended in `await`, None
 * after the end. */
static void test_cr_await(void)
{
    PyObject *leaf = NATIVE_CORO(leaf_body, "leaf");
    PyObject *c = leaf != NULL ? new_awaiter(leaf) : NULL;
    PyObject *r = NULL, *seven = PyLong_FromLong(7);
    REQUIRE(c != NULL && seven != NULL);
    log_reset();

    CHECK_ATTR_IS(c, "cr_await", Py_None);
    CHECK_EQ_INT(PyIter_Send(c, Py_None, &r), PYGEN_NEXT);
    CHECK_STR_EQ(r != NULL ? str_of(r) : "NULL", "leaf");
    Py_XDECREF(r);
    CHECK_ATTR_IS(c, "cr_await", leaf);
    CHECK_ATTR_IS(c, "cr_running", Py_False);
    CHECK_ATTR_IS(leaf, "cr_await", Py_None);

    r = NULL;
    CHECK_EQ_INT(PyIter_Send(c, seven, &r), PYGEN_RETURN);
    CHECK_EQ_PTR(r, seven);
    Py_XDECREF(r);
    CHECK_ATTR_IS(c, "cr_await", Py_None);
    CHECK_ATTR_IS(c, "cr_frame", Py_None);
    CHECK_NO_EXC();

    Py_DECREF(c);
    Py_DECREF(leaf);
    Py_DECREF(seven);
}

/* 62: ag_await of an async generator driven directly (am_send): None before the start, the
 * awaited coroutine while suspended in `await` (the leaf's value passes through unwrapped),
 * None after the end (PYGEN_RETURN None). */
static void test_ag_await(void)
{
    PyObject *leaf = NATIVE_CORO(leaf_body, "leaf");
    PyObject *a = native_new(awaiter_body, CO_ASYNC_GENERATOR, "agen", 4);
    PyObject *r = NULL;
    REQUIRE(leaf != NULL && a != NULL);
    set_slot(a, 0, leaf);
    log_reset();

    CHECK_ATTR_IS(a, "ag_await", Py_None);
    CHECK_EQ_INT(PyIter_Send(a, Py_None, &r), PYGEN_NEXT);
    CHECK_STR_EQ(r != NULL ? str_of(r) : "NULL", "leaf");
    Py_XDECREF(r);
    CHECK_ATTR_IS(a, "ag_await", leaf);
    CHECK_ATTR_IS(a, "ag_running", Py_False);

    /* The leaf returns the None sent in, and so does the async generator (the only value it
     * can return). */
    r = NULL;
    CHECK_EQ_INT(PyIter_Send(a, Py_None, &r), PYGEN_RETURN);
    CHECK_EQ_PTR(r, Py_None);
    Py_XDECREF(r);
    CHECK_ATTR_IS(a, "ag_await", Py_None);
    CHECK_ATTR_IS(a, "ag_frame", Py_None);
    CHECK_NO_EXC();

    Py_DECREF(a);
    Py_DECREF(leaf);
}

/* 64: throw() while delegating reaches the subgenerator's handler (the outer generator counts
 * as running meanwhile: re-entering it is "already executing"); the outer generator returns
 * the sub's next yield and is still delegating; the outer body saw nothing. An exception the
 * sub does not handle comes out at the outer generator's `yield from`. */
static void test_throw_forwarded_to_subgenerator(void)
{
    PyObject *s = NATIVE_GEN(sub_body, "sub");
    PyObject *o = s != NULL ? new_outer(s) : NULL;
    PyObject *r;
    REQUIRE(o != NULL);
    sub_returns = 0;
    r = PyIter_Next(o);
    Py_XDECREF(r);
    log_reset();
    sub_gen = s;
    outer_gen = o;

    r = call_throw(o, 1, PyExc_KeyError);
    CHECK_EQ_INT(native_long(r), 2);
    Py_XDECREF(r);
    CHECK_STR_EQ(evlog, "running True True; reenter ValueError: generator already executing; "
                        "sub caught");
    CHECK_ATTR_IS(o, "gi_yieldfrom", s);
    CHECK_ATTR_IS(o, "gi_running", Py_False);
    CHECK_NO_EXC();
    Py_DECREF(o);
    Py_DECREF(s);

    /* Not handled by the sub. */
    s = NATIVE_GEN(sub_body, "sub");
    o = s != NULL ? new_outer(s) : NULL;
    REQUIRE(o != NULL);
    sub_gen = s;
    outer_gen = o;
    r = PyIter_Next(o);
    Py_XDECREF(r);
    log_reset();
    r = call_throw(o, 1, PyExc_ValueError);
    CHECK_STR_EQ(r != NULL ? str_of(r) : "NULL", "x");
    Py_XDECREF(r);
    CHECK_NO_EXC();
    CHECK_STR_EQ(evlog, "running True True; reenter ValueError: generator already executing; "
                        "sub finally; outer ValueError");
    CHECK_ATTR_IS(o, "gi_yieldfrom", Py_None);
    CHECK(GEN_FRAME(s) == NULL);

    sub_gen = NULL;
    outer_gen = NULL;
    Py_DECREF(o);
    Py_DECREF(s);
}

/* 65: close() while delegating closes the subgenerator first: its cleanup runs (with the outer
 * generator counting as running) before the outer generator sees GeneratorExit. Both are
 * finished. */
static void test_close_closes_subgenerator_first(void)
{
    PyObject *s = NATIVE_GEN(sub_body, "sub");
    PyObject *o = s != NULL ? new_outer(s) : NULL;
    PyObject *r;
    REQUIRE(o != NULL);
    sub_returns = 0;
    r = PyIter_Next(o);
    Py_XDECREF(r);
    log_reset();
    sub_gen = s;
    outer_gen = o;

    r = call_close(o);
    CHECK_EQ_PTR(r, Py_None);
    Py_XDECREF(r);
    CHECK_NO_EXC();
    CHECK_STR_EQ(evlog, "running True True; reenter ValueError: generator already executing; "
                        "sub finally; outer GeneratorExit");
    CHECK(GEN_FRAME(s) == NULL);
    CHECK(GEN_FRAME(o) == NULL);

    sub_gen = NULL;
    outer_gen = NULL;
    Py_DECREF(o);
    Py_DECREF(s);
}

/* 66: throw(GeneratorExit) while delegating to a plain iterator calls its close(), not its
 * throw(), then raises GeneratorExit in the outer generator. */
static void test_throw_genexit_closes_iterator(void)
{
    PyObject *it = new_instance(&It_Type);
    PyObject *o = it != NULL ? new_outer(it) : NULL;
    PyObject *r;
    REQUIRE(o != NULL);
    log_reset();
    r = PyIter_Next(o);
    CHECK_EQ_INT(native_long(r), 1);
    Py_XDECREF(r);

    r = call_throw(o, 1, PyExc_GeneratorExit);
    CHECK(r == NULL);
    Py_XDECREF(r);
    CHECK_EXC(PyExc_GeneratorExit, NULL);
    CHECK_STR_EQ(evlog, "next; close; outer GeneratorExit");
    CHECK_EQ_INT(it_throw_nargs, -1);
    CHECK(GEN_FRAME(o) == NULL);

    Py_DECREF(o);
    Py_DECREF(it);
}

/* 66: the same with a subgenerator: it is closed (its cleanup runs), then the outer generator
 * gets GeneratorExit. */
static void test_throw_genexit_closes_subgenerator(void)
{
    PyObject *s = NATIVE_GEN(sub_body, "sub");
    PyObject *o = s != NULL ? new_outer(s) : NULL;
    PyObject *r;
    REQUIRE(o != NULL);
    sub_returns = 0;
    r = PyIter_Next(o);
    Py_XDECREF(r);
    log_reset();

    r = call_throw(o, 1, PyExc_GeneratorExit);
    CHECK(r == NULL);
    CHECK_EXC(PyExc_GeneratorExit, NULL);
    CHECK_STR_EQ(evlog, "sub finally; outer GeneratorExit");
    CHECK(GEN_FRAME(s) == NULL);
    CHECK(GEN_FRAME(o) == NULL);

    Py_DECREF(o);
    Py_DECREF(s);
}

/* 67: a sub-iterator without throw(): the exception is raised at the outer generator's
 * `yield from` (the iterator is dropped, not closed). */
static void test_throw_iterator_without_throw(void)
{
    PyObject *it = new_instance(&ItNoThrow_Type);
    PyObject *o = it != NULL ? new_outer(it) : NULL;
    PyObject *k = PyObject_CallFunction(PyExc_KeyError, "s", "k");
    PyObject *r;
    REQUIRE(o != NULL && k != NULL);
    log_reset();
    r = PyIter_Next(o);
    Py_XDECREF(r);

    r = call_throw(o, 1, k);
    CHECK_STR_EQ(r != NULL ? str_of(r) : "NULL", "x");
    Py_XDECREF(r);
    CHECK_NO_EXC();
    CHECK_STR_EQ(evlog, "next; outer KeyError");
    CHECK_ATTR_IS(o, "gi_yieldfrom", Py_None);
    /* The outer frame holds the iterator no more. */
    CHECK_EQ_INT(Py_REFCNT(it), 2); /* `it` and slot 0 */

    Py_DECREF(o);
    Py_DECREF(it);
    Py_DECREF(k);
}

/* 68: send(5) through `yield from` on a plain iterator calls its send(5); next() (and the
 * start of the delegation) call its __next__. */
static void test_send_through_plain_iterator(void)
{
    PyObject *it = new_instance(&It_Type);
    PyObject *o = it != NULL ? new_outer(it) : NULL;
    PyObject *five = PyLong_FromLong(5);
    PyObject *r;
    REQUIRE(o != NULL && five != NULL);
    log_reset();

    r = PyIter_Next(o);
    CHECK_EQ_INT(native_long(r), 1);
    Py_XDECREF(r);
    r = call_send(o, five);
    CHECK_EQ_INT(native_long(r), 5);
    Py_XDECREF(r);
    r = PyIter_Next(o);
    CHECK_EQ_INT(native_long(r), 2);
    Py_XDECREF(r);
    r = call_send(o, Py_None);
    CHECK_EQ_INT(native_long(r), 3);
    Py_XDECREF(r);
    CHECK_NO_EXC();
    CHECK_STR_EQ(evlog, "next; send 5; next; next");
    CHECK_ATTR_IS(o, "gi_yieldfrom", it);

    Py_DECREF(o);
    Py_DECREF(it);
    Py_DECREF(five);
}

/* 69: a subgenerator that returns while handling the thrown exception: the outer generator
 * resumes with the return value as the result of `yield from`. */
static void test_subgenerator_returns_during_throw(void)
{
    PyObject *s = NATIVE_GEN(sub_body, "sub");
    PyObject *o = s != NULL ? new_outer(s) : NULL;
    PyObject *r;
    REQUIRE(o != NULL);
    sub_returns = 1;
    r = PyIter_Next(o);
    Py_XDECREF(r);
    log_reset();

    r = call_throw(o, 1, PyExc_KeyError);
    CHECK_STR_EQ(r != NULL ? str_of(r) : "NULL", "subret");
    Py_XDECREF(r);
    CHECK_NO_EXC();
    CHECK_STR_EQ(evlog, "sub caught; sub finally; outer result subret");
    CHECK_ATTR_IS(o, "gi_yieldfrom", Py_None);
    CHECK(GEN_FRAME(s) == NULL);

    sub_returns = 0;
    Py_DECREF(o);
    Py_DECREF(s);
}

/* 69: the same through a plain iterator's throw() (called with exactly the arguments given to
 * the outer throw()) that raises StopIteration('subv'). */
static void test_iterator_throw_returns(void)
{
    PyObject *it = new_instance(&It_Type);
    PyObject *o = it != NULL ? new_outer(it) : NULL;
    PyObject *k = PyObject_CallFunction(PyExc_KeyError, "s", "k");
    PyObject *v = PyUnicode_FromString("v");
    PyObject *r;
    REQUIRE(o != NULL && k != NULL && v != NULL);
    log_reset();
    r = PyIter_Next(o);
    Py_XDECREF(r);

    r = call_throw(o, 1, k);
    CHECK_STR_EQ(r != NULL ? str_of(r) : "NULL", "subv");
    Py_XDECREF(r);
    CHECK_NO_EXC();
    CHECK_EQ_INT(it_throw_nargs, 1);
    CHECK_EQ_PTR(it_throw_first, k);
    CHECK_STR_EQ(evlog, "next; throw; outer result subv");
    Py_DECREF(o);

    /* throw(KeyError, 'v'): two arguments reach the iterator (no third). */
    o = new_outer(it);
    REQUIRE(o != NULL);
    r = PyIter_Next(o);
    Py_XDECREF(r);
    r = call_throw(o, 2, PyExc_KeyError, v);
    CHECK_STR_EQ(r != NULL ? str_of(r) : "NULL", "subv");
    Py_XDECREF(r);
    CHECK_NO_EXC();
    CHECK_EQ_INT(it_throw_nargs, 2);
    CHECK_EQ_PTR(it_throw_first, PyExc_KeyError);

    Py_CLEAR(it_throw_first);
    Py_DECREF(o);
    Py_DECREF(it);
    Py_DECREF(k);
    Py_DECREF(v);
}

/* 70: a sub-iterator whose close() raises ValueError: close() of the outer generator throws
 * that ValueError into it (instead of GeneratorExit) and raises it. */
static void test_close_iterator_close_fails(void)
{
    PyObject *it = new_instance(&It_Type);
    PyObject *o = it != NULL ? new_outer(it) : NULL;
    PyObject *r;
    REQUIRE(o != NULL);
    log_reset();
    r = PyIter_Next(o);
    Py_XDECREF(r);
    it_close_fails = 1;
    outer_reraise = 1; /* the outer generator lets the ValueError propagate */

    r = call_close(o);
    CHECK(r == NULL);
    Py_XDECREF(r);
    CHECK_EXC(PyExc_ValueError, "close failed");
    CHECK_STR_EQ(evlog, "next; close; outer ValueError");
    CHECK(GEN_FRAME(o) == NULL);

    it_close_fails = 0;
    outer_reraise = 0;
    Py_DECREF(o);
    Py_DECREF(it);
}

/* 71: awaiting a coroutine that is suspended in an await of its own raises RuntimeError at
 * the await; the first awaiter is unaffected. */
static void test_await_coroutine_being_awaited(void)
{
    PyObject *mid = NATIVE_CORO(mid_body, "mid");
    PyObject *a = mid != NULL ? new_awaiter(mid) : NULL;
    PyObject *b = mid != NULL ? new_awaiter(mid) : NULL;
    PyObject *r = NULL, *seven = PyLong_FromLong(7), *aw;
    REQUIRE(a != NULL && b != NULL && seven != NULL);
    log_reset();

    CHECK_EQ_INT(PyIter_Send(a, Py_None, &r), PYGEN_NEXT);
    CHECK_STR_EQ(r != NULL ? str_of(r) : "NULL", "leaf");
    Py_XDECREF(r);
    aw = PyObject_GetAttrString(mid, "cr_await");
    CHECK(aw != NULL && PyCoro_CheckExact(aw));
    Py_XDECREF(aw);

    r = NULL;
    CHECK_EQ_INT(PyIter_Send(b, Py_None, &r), PYGEN_ERROR);
    CHECK(r == NULL);
    CHECK_EXC(PyExc_RuntimeError, "coroutine is being awaited already");
    CHECK_STR_EQ(evlog, "awaiter RuntimeError: coroutine is being awaited already");
    CHECK(((PyCoroObject *)b)->cr_frame == NULL);

    r = NULL;
    CHECK_EQ_INT(PyIter_Send(a, seven, &r), PYGEN_RETURN);
    CHECK_EQ_PTR(r, seven);
    Py_XDECREF(r);
    CHECK_NO_EXC();

    Py_DECREF(a);
    Py_DECREF(b);
    Py_DECREF(mid);
    Py_DECREF(seven);
}

/* 72: `yield from coro` in a plain generator raises TypeError at the yield from; the coroutine
 * is not started. */
static void test_yield_from_coroutine_in_generator(void)
{
    PyObject *c = NATIVE_CORO(leaf_body, "leaf");
    PyObject *g = c != NULL ? new_outer(c) : NULL;
    PyObject *r;
    REQUIRE(g != NULL);
    log_reset();
    outer_reraise = 1;

    r = PyIter_Next(g);
    CHECK(r == NULL);
    Py_XDECREF(r);
    CHECK_EXC(PyExc_TypeError,
              "cannot 'yield from' a coroutine object in a non-coroutine generator");
    CHECK_STR_EQ(evlog, "outer TypeError");
    CHECK(GEN_FRAME(g) == NULL);
    REQUIRE(((PyCoroObject *)c)->cr_frame != NULL);
    CHECK_EQ_INT(((PyCoroObject *)c)->cr_frame->f_lasti, -1);

    outer_reraise = 0;
    Py_DECREF(g);
    /* Closed before it is dropped: a never-awaited coroutine would warn. */
    r = call_close(c);
    Py_XDECREF(r);
    CHECK_NO_EXC();
    Py_DECREF(c);
}

/* ---- awaitables for 73 ---- */

static PyObject *await_result; /* what AwResult's __await__ returns */

static PyObject *awresult_await(PyObject *self)
{
    (void)self;
    return Py_NewRef(await_result);
}

static PyAsyncMethods awresult_as_async = {
    .am_await = awresult_await,
};

static PyTypeObject AwResult_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "throwtest.AwResult",
    .tp_basicsize = sizeof(PyObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_as_async = &awresult_as_async,
    .tp_new = PyType_GenericNew,
};

static PyTypeObject NoAwait_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "throwtest.NoAwait",
    .tp_basicsize = sizeof(PyObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = PyType_GenericNew,
};

/* Runs a new awaiter of `aw` and checks it fails at the await with TypeError(message). */
static void check_await_fails_at(PyObject *aw, const char *message, const char *file, int line)
{
    PyObject *c = new_awaiter(aw);
    PyObject *r = NULL;
    char expected[256];
    if (c == NULL) {
        harness_fail_at(file, line, "new_awaiter");
        harness_check_no_exc(file, line);
        return;
    }
    log_reset();
    harness_check_int(PyIter_Send(c, Py_None, &r), PYGEN_ERROR, "PyIter_Send", file, line);
    Py_XDECREF(r);
    harness_check_exc(PyExc_TypeError, message, "await error", file, line);
    snprintf(expected, sizeof expected, "awaiter TypeError: %s", message);
    harness_check_str(evlog, expected, "the awaiter saw the error at its await", file, line);
    harness_check(((PyCoroObject *)c)->cr_frame == NULL, "cr_frame == NULL", file, line);
    Py_DECREF(c);
}
#define CHECK_AWAIT_FAILS(aw, message) check_await_fails_at((aw), (message), __FILE__, __LINE__)

/* 73: __await__ returning a coroutine or a non-iterator, and objects without __await__. */
static void test_await_errors(void)
{
    PyObject *inner = NATIVE_CORO(leaf_body, "leaf");
    PyObject *five = PyLong_FromLong(5);
    PyObject *aw, *noaw, *r;
    REQUIRE(inner != NULL && five != NULL);
    REQUIRE(PyType_Ready(&AwResult_Type) == 0 && PyType_Ready(&NoAwait_Type) == 0);
    aw = PyObject_CallNoArgs((PyObject *)&AwResult_Type);
    noaw = PyObject_CallNoArgs((PyObject *)&NoAwait_Type);
    REQUIRE(aw != NULL && noaw != NULL);

    await_result = inner;
    CHECK_AWAIT_FAILS(aw, "__await__() returned a coroutine");
    await_result = five;
    CHECK_AWAIT_FAILS(aw, "__await__() returned non-iterator of type 'int'");
    await_result = NULL;
    CHECK_AWAIT_FAILS(five, "object int can't be used in 'await' expression");
    CHECK_AWAIT_FAILS(noaw, "object throwtest.NoAwait can't be used in 'await' expression");

    /* The coroutine __await__ returned was not started. */
    CHECK_EQ_INT(((PyCoroObject *)inner)->cr_frame->f_lasti, -1);
    r = call_close(inner);
    Py_XDECREF(r);
    CHECK_NO_EXC();
    Py_DECREF(inner);
    Py_DECREF(five);
    Py_DECREF(aw);
    Py_DECREF(noaw);
}

int main(void)
{
    RUN(test_gi_yieldfrom);
    RUN(test_cr_await);
    RUN(test_ag_await);
    RUN(test_throw_forwarded_to_subgenerator);
    RUN(test_close_closes_subgenerator_first);
    RUN(test_throw_genexit_closes_iterator);
    RUN(test_throw_genexit_closes_subgenerator);
    RUN(test_throw_iterator_without_throw);
    RUN(test_send_through_plain_iterator);
    RUN(test_subgenerator_returns_during_throw);
    RUN(test_iterator_throw_returns);
    RUN(test_close_iterator_close_fails);
    RUN(test_await_coroutine_being_awaited);
    RUN(test_yield_from_coroutine_in_generator);
    RUN(test_await_errors);
    return HARNESS_SUMMARY();
}
