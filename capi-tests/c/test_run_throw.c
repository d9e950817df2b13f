/*
 * throw() and close() on native generators and coroutines (reference §3.5, §3.6): the argument
 * forms of throw() and their validation, throwing into a just-started generator, the thrown
 * exception's __context__, close() and what the frame does with GeneratorExit.
 * Delegation (section G) is in test_run_throw2.c.
 *
 * Expected values are CPython 3.10.13's, measured with Python generators doing the same
 * thing as the native bodies here. Checklist numbers (reference §4, sections E and F) are in
 * the comments.
 */
#include "harness.h"
#include "native.h"

#define GEN_FRAME(g) (((PyGenObject *)(g))->gi_frame)

/* ---- helpers ---- */

/* repr(exc.args) == expected; `exc` is borrowed (NULL fails the check). */
static int check_args_at(PyObject *exc, const char *expected, const char *file, int line)
{
    PyObject *args = exc != NULL ? PyObject_GetAttrString(exc, "args") : NULL;
    int ok;
    if (args == NULL) {
        harness_fail_at(file, line, "exc.args");
        harness_check_no_exc(file, line);
        return 0;
    }
    ok = harness_check_text(PyObject_Repr(args), expected, "repr(exc.args)", file, line);
    Py_DECREF(args);
    return ok;
}
#define CHECK_ARGS(exc, expected) check_args_at((exc), (expected), __FILE__, __LINE__)

/* Takes the pending exception: its normalized value (new reference), or NULL when none is
 * pending. The traceback is attached to the value as __traceback__. */
static PyObject *take_exception(void)
{
    PyObject *t, *v, *tb;
    PyErr_Fetch(&t, &v, &tb);
    if (t == NULL) {
        return NULL;
    }
    PyErr_NormalizeException(&t, &v, &tb);
    if (tb != NULL && v != NULL) {
        PyException_SetTraceback(v, tb);
    }
    Py_XDECREF(t);
    Py_XDECREF(tb);
    return v;
}

/* ---- bodies ---- */

/* Exceptions catch_all has caught. */
static int caught;

/* catch_all: yields "ready"; from then on every exception thrown in (but GeneratorExit) is
 * caught and yielded back (the normalized instance, __traceback__ set), and every value sent in
 * is yielded back. GeneratorExit propagates. */
static int catch_all_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    switch (f->f_lasti) {
    case -1:
        NATIVE_YIELD(f, 1, PyUnicode_FromString("ready"));
    case 1:
        if (arg == NULL) {
            if (PyErr_ExceptionMatches(PyExc_GeneratorExit)) {
                return PYNATIVE_ERROR;
            }
            caught++;
            NATIVE_YIELD(f, 1, take_exception());
        }
        NATIVE_YIELD(f, 1, Py_NewRef(arg));
    }
    PyErr_SetString(PyExc_SystemError, "bad label");
    return PYNATIVE_ERROR;
}

/* A catch_all generator run to its first yield ("ready"). */
static PyObject *started_catch_all(void)
{
    PyObject *g = NATIVE_GEN(catch_all_body, "catch_all");
    PyObject *r;
    if (g == NULL) {
        return NULL;
    }
    r = PyIter_Next(g);
    if (r == NULL) {
        Py_DECREF(g);
        return NULL;
    }
    Py_DECREF(r);
    caught = 0;
    return g;
}

/* Times once_body started. */
static int once_runs;

/* once: counts a run, yields 1, then returns None; exceptions thrown in propagate. */
static int once_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    switch (f->f_lasti) {
    case -1:
        once_runs++;
        NATIVE_YIELD(f, 1, PyLong_FromLong(1));
    case 1:
        if (arg == NULL) {
            return PYNATIVE_ERROR;
        }
        *out = Py_NewRef(Py_None);
        return PYNATIVE_RETURN;
    }
    PyErr_SetString(PyExc_SystemError, "bad label");
    return PYNATIVE_ERROR;
}

/* raiser: raises ValueError('tb') on its first run (to get a traceback object). */
static int raiser_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    (void)f;
    (void)arg;
    (void)out;
    PyErr_SetString(PyExc_ValueError, "tb");
    return PYNATIVE_ERROR;
}

/* A traceback object (new reference): the one of an exception raised in a generator. */
static PyObject *make_traceback(void)
{
    PyObject *g = NATIVE_GEN(raiser_body, "raiser");
    PyObject *r, *t, *v, *tb;
    if (g == NULL) {
        return NULL;
    }
    r = PyIter_Next(g);
    Py_XDECREF(r);
    Py_DECREF(g);
    PyErr_Fetch(&t, &v, &tb);
    PyErr_NormalizeException(&t, &v, &tb);
    Py_XDECREF(t);
    Py_XDECREF(v);
    return tb;
}

/* ---- E. throw ---- */

/* 47: throw(KeyError), throw(KeyError, 'v'), throw(KeyError, ('a', 'b')); also a None value
 * (no arguments) and a value that is an exception of another class (the single argument). */
static void test_throw_class_forms(void)
{
    PyObject *g = started_catch_all();
    PyObject *v = PyUnicode_FromString("v"), *a = PyUnicode_FromString("a");
    PyObject *b = PyUnicode_FromString("b");
    PyObject *ab = PyTuple_Pack(2, a, b);
    PyObject *z = PyObject_CallFunction(PyExc_ValueError, "s", "z");
    PyObject *r;
    REQUIRE(g != NULL && v != NULL && ab != NULL && z != NULL);

    r = call_throw(g, 1, PyExc_KeyError);
    CHECK(r != NULL && Py_IS_TYPE(r, (PyTypeObject *)PyExc_KeyError));
    CHECK_ARGS(r, "()");
    CHECK_REPR(r, "KeyError()");
    Py_XDECREF(r);

    r = call_throw(g, 2, PyExc_KeyError, v);
    CHECK(r != NULL && Py_IS_TYPE(r, (PyTypeObject *)PyExc_KeyError));
    CHECK_ARGS(r, "('v',)");
    Py_XDECREF(r);

    /* A tuple value is the argument list. */
    r = call_throw(g, 2, PyExc_KeyError, ab);
    CHECK(r != NULL && Py_IS_TYPE(r, (PyTypeObject *)PyExc_KeyError));
    CHECK_ARGS(r, "('a', 'b')");
    Py_XDECREF(r);

    r = call_throw(g, 2, PyExc_KeyError, Py_None);
    CHECK(r != NULL && Py_IS_TYPE(r, (PyTypeObject *)PyExc_KeyError));
    CHECK_ARGS(r, "()");
    Py_XDECREF(r);

    /* A value that is not an instance of the class is its single argument. */
    r = call_throw(g, 2, PyExc_KeyError, z);
    CHECK(r != NULL && Py_IS_TYPE(r, (PyTypeObject *)PyExc_KeyError));
    CHECK_REPR(r, "KeyError(ValueError('z'))");
    Py_XDECREF(r);

    CHECK_EQ_INT(caught, 5);
    CHECK_NO_EXC();
    Py_DECREF(g);
    Py_DECREF(v);
    Py_DECREF(a);
    Py_DECREF(b);
    Py_DECREF(ab);
    Py_DECREF(z);
}

/* 48: throw(inst) delivers that instance; throw(inst, None) is accepted; throw(inst, 'v') is a
 * TypeError. A value that is an instance of (a subclass of) the class is delivered as is. */
static void test_throw_instance_forms(void)
{
    PyObject *g = started_catch_all();
    PyObject *k = PyObject_CallFunction(PyExc_KeyError, "s", "i");
    PyObject *v = PyUnicode_FromString("v");
    PyObject *r;
    REQUIRE(g != NULL && k != NULL && v != NULL);

    r = call_throw(g, 1, k);
    CHECK_EQ_PTR(r, k);
    CHECK_ARGS(r, "('i',)");
    Py_XDECREF(r);

    r = call_throw(g, 2, k, Py_None);
    CHECK_EQ_PTR(r, k);
    Py_XDECREF(r);

    r = call_throw(g, 3, k, Py_None, Py_None);
    CHECK_EQ_PTR(r, k);
    Py_XDECREF(r);

    r = call_throw(g, 2, PyExc_LookupError, k);
    CHECK_EQ_PTR(r, k);
    Py_XDECREF(r);

    r = call_throw(g, 2, k, v);
    CHECK(r == NULL);
    Py_XDECREF(r);
    CHECK_EXC(PyExc_TypeError, "instance exception may not have a separate value");

    CHECK_EQ_INT(caught, 4);
    Py_DECREF(g);
    Py_DECREF(k);
    Py_DECREF(v);
}

/* 49: throw() of something that is neither an exception class nor an instance. */
static void test_throw_non_exception(void)
{
    PyObject *g = started_catch_all();
    PyObject *one = PyLong_FromLong(1), *x = PyUnicode_FromString("x");
    PyObject *r;
    REQUIRE(g != NULL && one != NULL && x != NULL);

    r = call_throw(g, 1, one);
    CHECK(r == NULL);
    Py_XDECREF(r);
    CHECK_EXC(PyExc_TypeError,
              "exceptions must be classes or instances deriving from BaseException, not int");

    r = call_throw(g, 1, (PyObject *)&PyLong_Type);
    CHECK(r == NULL);
    Py_XDECREF(r);
    CHECK_EXC(PyExc_TypeError,
              "exceptions must be classes or instances deriving from BaseException, not type");

    r = call_throw(g, 1, x);
    CHECK(r == NULL);
    Py_XDECREF(r);
    CHECK_EXC(PyExc_TypeError,
              "exceptions must be classes or instances deriving from BaseException, not str");

    r = call_throw(g, 1, Py_None);
    CHECK(r == NULL);
    Py_XDECREF(r);
    CHECK_EXC(PyExc_TypeError, "exceptions must be classes or instances deriving from "
                               "BaseException, not NoneType");

    CHECK_EQ_INT(caught, 0);
    Py_DECREF(g);
    Py_DECREF(one);
    Py_DECREF(x);
}

/* 50: the third argument must be a traceback or None. A given traceback continues the caught
 * exception's traceback (after the generator's own entry); an instance's __traceback__ is the
 * default. */
static void test_throw_traceback_argument(void)
{
    PyObject *g = started_catch_all();
    PyObject *one = PyLong_FromLong(1), *x = PyUnicode_FromString("x");
    PyObject *tb = make_traceback();
    PyObject *k = PyObject_CallFunction(PyExc_KeyError, "s", "t");
    PyObject *r, *rtb;
    REQUIRE(g != NULL && one != NULL && x != NULL && k != NULL);
    REQUIRE(tb != NULL && PyTraceBack_Check(tb));

    r = call_throw(g, 3, PyExc_KeyError, Py_None, one);
    CHECK(r == NULL);
    Py_XDECREF(r);
    CHECK_EXC(PyExc_TypeError, "throw() third argument must be a traceback object");

    r = call_throw(g, 3, PyExc_KeyError, x, x);
    CHECK(r == NULL);
    Py_XDECREF(r);
    CHECK_EXC(PyExc_TypeError, "throw() third argument must be a traceback object");
    CHECK_EQ_INT(caught, 0);

    /* None is no traceback. */
    r = call_throw(g, 3, PyExc_KeyError, Py_None, Py_None);
    CHECK(r != NULL && Py_IS_TYPE(r, (PyTypeObject *)PyExc_KeyError));
    CHECK_ARGS(r, "()");
    Py_XDECREF(r);

    /* A real traceback: the caught exception's traceback is (generator frame) -> tb. */
    r = call_throw(g, 3, PyExc_KeyError, x, tb);
    CHECK(r != NULL && Py_IS_TYPE(r, (PyTypeObject *)PyExc_KeyError));
    CHECK_ARGS(r, "('x',)");
    rtb = r != NULL ? PyException_GetTraceback(r) : NULL;
    CHECK(rtb != NULL);
    if (rtb != NULL) {
        CHECK_EQ_PTR(((PyTracebackObject *)rtb)->tb_next, tb);
        CHECK_EQ_PTR(((PyTracebackObject *)rtb)->tb_frame, GEN_FRAME(g));
    }
    Py_XDECREF(rtb);
    Py_XDECREF(r);

    /* An instance without a third argument: its __traceback__ is used. */
    CHECK_EQ_INT(PyException_SetTraceback(k, tb), 0);
    r = call_throw(g, 1, k);
    CHECK_EQ_PTR(r, k);
    rtb = r != NULL ? PyException_GetTraceback(r) : NULL;
    CHECK(rtb != NULL && rtb != tb);
    if (rtb != NULL) {
        CHECK_EQ_PTR(((PyTracebackObject *)rtb)->tb_next, tb);
    }
    Py_XDECREF(rtb);
    Py_XDECREF(r);

    CHECK_EQ_INT(caught, 3);
    CHECK_NO_EXC();
    Py_DECREF(g);
    Py_DECREF(one);
    Py_DECREF(x);
    Py_DECREF(tb);
    Py_DECREF(k);
}

/* 51: argument count errors. */
static void test_throw_argument_count(void)
{
    PyObject *g = started_catch_all();
    PyObject *r;
    REQUIRE(g != NULL);

    r = call_throw(g, 0);
    CHECK(r == NULL);
    Py_XDECREF(r);
    CHECK_EXC(PyExc_TypeError, "throw expected at least 1 argument, got 0");

    r = call_throw(g, 4, PyExc_KeyError, Py_None, Py_None, Py_None);
    CHECK(r == NULL);
    Py_XDECREF(r);
    CHECK_EXC(PyExc_TypeError, "throw expected at most 3 arguments, got 4");

    CHECK_EQ_INT(caught, 0);
    Py_DECREF(g);
}

/* 52: a throw that fails validation does not touch the generator: still suspended, nothing
 * thrown in, resumable (and a later valid throw still reaches it). */
static void test_failed_throw_leaves_generator_suspended(void)
{
    PyObject *g = started_catch_all();
    PyObject *k = PyObject_CallFunction(PyExc_KeyError, "s", "i");
    PyObject *one = PyLong_FromLong(1), *v = PyUnicode_FromString("again");
    PyFrameObject *fr;
    PyObject *r;
    REQUIRE(g != NULL && k != NULL && one != NULL && v != NULL);
    fr = GEN_FRAME(g);
    REQUIRE(fr != NULL);
    Py_INCREF(fr);

    r = call_throw(g, 2, k, v);
    CHECK(r == NULL);
    CHECK_EXC(PyExc_TypeError, NULL);
    r = call_throw(g, 1, one);
    CHECK(r == NULL);
    CHECK_EXC(PyExc_TypeError, NULL);
    r = call_throw(g, 3, PyExc_KeyError, Py_None, one);
    CHECK(r == NULL);
    CHECK_EXC(PyExc_TypeError, NULL);
    r = call_throw(g, 0);
    CHECK(r == NULL);
    CHECK_EXC(PyExc_TypeError, NULL);

    CHECK_EQ_INT(caught, 0);
    CHECK_EQ_PTR(GEN_FRAME(g), fr);
    CHECK_EQ_INT(fr->f_state, FRAME_SUSPENDED);
    CHECK_EQ_INT(fr->f_lasti, 1);
    {
        PyObject *running = PyObject_GetAttrString(g, "gi_running");
        CHECK_EQ_PTR(running, Py_False);
        Py_XDECREF(running);
    }

    r = call_send(g, v);
    CHECK_EQ_PTR(r, v);
    Py_XDECREF(r);
    r = call_throw(g, 1, k);
    CHECK_EQ_PTR(r, k);
    Py_XDECREF(r);
    CHECK_EQ_INT(caught, 1);
    CHECK_NO_EXC();

    Py_DECREF(fr);
    Py_DECREF(g);
    Py_DECREF(k);
    Py_DECREF(one);
    Py_DECREF(v);
}

/* 53: throw into a just-started generator: raised before any body code runs, the exception
 * propagates, the generator is finished (gi_frame None, frame RAISED) and next() ends it. */
static void test_throw_into_just_started_generator(void)
{
    PyObject *g = NATIVE_GEN(once_body, "once");
    PyObject *k = PyObject_CallFunction(PyExc_KeyError, "s", "k");
    PyFrameObject *fr;
    PyObject *r, *e;
    REQUIRE(g != NULL && k != NULL);
    fr = GEN_FRAME(g);
    Py_INCREF(fr);
    once_runs = 0;

    r = call_throw(g, 1, k);
    CHECK(r == NULL);
    Py_XDECREF(r);
    e = take_exception();
    CHECK_EQ_PTR(e, k);
    Py_XDECREF(e);
    CHECK_EQ_INT(once_runs, 0);
    CHECK(GEN_FRAME(g) == NULL);
    CHECK_EQ_INT(fr->f_state, FRAME_RAISED);
    CHECK(fr->f_gen == NULL);

    /* next() on the finished generator: StopIteration (tp_iternext: NULL, nothing set). */
    r = PyIter_Next(g);
    CHECK(r == NULL);
    CHECK_NO_EXC();
    r = call_send(g, Py_None);
    CHECK(r == NULL);
    CHECK_EXC(PyExc_StopIteration, "");
    CHECK_EQ_INT(once_runs, 0);

    Py_DECREF(fr);
    Py_DECREF(g);
    Py_DECREF(k);
}

/* 53: the same on a coroutine: cr_frame None afterwards, and the coroutine cannot be reused. */
static void test_throw_into_just_started_coroutine(void)
{
    PyObject *c = NATIVE_CORO(once_body, "once_coro");
    PyObject *k = PyObject_CallFunction(PyExc_KeyError, "s", "k");
    PyObject *r, *e, *frame_attr;
    REQUIRE(c != NULL && k != NULL);
    once_runs = 0;

    r = call_throw(c, 1, k);
    CHECK(r == NULL);
    Py_XDECREF(r);
    e = take_exception();
    CHECK_EQ_PTR(e, k);
    Py_XDECREF(e);
    CHECK_EQ_INT(once_runs, 0);
    CHECK(((PyCoroObject *)c)->cr_frame == NULL);
    frame_attr = PyObject_GetAttrString(c, "cr_frame");
    CHECK_EQ_PTR(frame_attr, Py_None);
    Py_XDECREF(frame_attr);

    r = call_send(c, Py_None);
    CHECK(r == NULL);
    CHECK_EXC(PyExc_RuntimeError, "cannot reuse already awaited coroutine");
    r = call_throw(c, 1, PyExc_KeyError);
    CHECK(r == NULL);
    CHECK_EXC(PyExc_RuntimeError, "cannot reuse already awaited coroutine");
    CHECK_EQ_INT(once_runs, 0);

    Py_DECREF(c);
    Py_DECREF(k);
}

/* handling: marks ValueError('handled') as the exception being handled (its generator's
 * exception state; slot 0 keeps the instance) and yields 1; the exception thrown in there is
 * caught and yielded; then it stops handling and returns. */
static int handling_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    switch (f->f_lasti) {
    case -1: {
        PyObject *t, *v, *tb;
        PyErr_SetString(PyExc_ValueError, "handled");
        PyErr_Fetch(&t, &v, &tb);
        PyErr_NormalizeException(&t, &v, &tb);
        NATIVE_SLOT(f, 0) = Py_NewRef(v);
        PyErr_SetExcInfo(t, v, tb);
        NATIVE_YIELD(f, 1, PyLong_FromLong(1));
    }
    case 1:
        if (arg == NULL) {
            NATIVE_YIELD(f, 2, take_exception());
        }
        /* fall through */
    case 2:
        PyErr_SetExcInfo(NULL, NULL, NULL);
        if (arg == NULL) {
            return PYNATIVE_ERROR;
        }
        *out = Py_NewRef(Py_None);
        return PYNATIVE_RETURN;
    }
    PyErr_SetString(PyExc_SystemError, "bad label");
    return PYNATIVE_ERROR;
}

/* An exception instance (new reference) of `type` with message `msg`. */
static PyObject *new_exc(PyObject *type, const char *msg)
{
    return PyObject_CallFunction(type, "s", msg);
}

/* 54: the thrown exception's __context__ is the exception being handled inside the generator
 * at its yield, not the one the caller is handling. */
static void test_throw_context_is_generators_handled_exception(void)
{
    PyObject *caller_exc = new_exc(PyExc_TypeError, "caller");
    PyObject *g = NATIVE_GEN(handling_body, "handling");
    PyObject *r, *ctx;
    REQUIRE(caller_exc != NULL && g != NULL);
    /* The caller handles TypeError('caller') throughout. */
    PyErr_SetExcInfo(Py_NewRef((PyObject *)Py_TYPE(caller_exc)), Py_NewRef(caller_exc), NULL);

    r = PyIter_Next(g);
    CHECK_EQ_INT(native_long(r), 1);
    Py_XDECREF(r);
    r = call_throw(g, 1, PyExc_KeyError);
    CHECK(r != NULL && Py_IS_TYPE(r, (PyTypeObject *)PyExc_KeyError));
    ctx = r != NULL ? PyException_GetContext(r) : NULL;
    REQUIRE(GEN_FRAME(g) != NULL);
    CHECK_EQ_PTR(ctx, NATIVE_SLOT(GEN_FRAME(g), 0));
    CHECK_REPR(ctx, "ValueError('handled')");
    Py_XDECREF(ctx);
    Py_XDECREF(r);

    /* The caller's handled exception is unchanged. */
    {
        PyObject *t, *v, *tb;
        PyErr_GetExcInfo(&t, &v, &tb);
        CHECK_EQ_PTR(v, caller_exc);
        Py_XDECREF(t);
        Py_XDECREF(v);
        Py_XDECREF(tb);
    }

    r = PyIter_Next(g);
    CHECK(r == NULL);
    CHECK_NO_EXC();
    Py_DECREF(g);
    PyErr_SetExcInfo(NULL, NULL, NULL);
    Py_DECREF(caller_exc);
}

/* 54: a generator handling nothing: the thrown exception gets no __context__, even though the
 * caller is handling one (caught in the generator, or propagating out of it). */
static void test_throw_context_not_from_caller(void)
{
    PyObject *caller_exc = new_exc(PyExc_TypeError, "caller");
    PyObject *g = started_catch_all();
    PyObject *u = new_exc(PyExc_KeyError, "u");
    PyObject *r, *ctx, *e;
    REQUIRE(caller_exc != NULL && g != NULL && u != NULL);
    PyErr_SetExcInfo(Py_NewRef((PyObject *)Py_TYPE(caller_exc)), Py_NewRef(caller_exc), NULL);

    r = call_throw(g, 1, PyExc_KeyError);
    CHECK(r != NULL && Py_IS_TYPE(r, (PyTypeObject *)PyExc_KeyError));
    ctx = r != NULL ? PyException_GetContext(r) : NULL;
    CHECK(ctx == NULL);
    Py_XDECREF(ctx);
    Py_XDECREF(r);
    Py_DECREF(g);

    /* Uncaught: propagates out of the generator without a context. */
    g = NATIVE_GEN(once_body, "once");
    REQUIRE(g != NULL);
    r = PyIter_Next(g);
    Py_XDECREF(r);
    r = call_throw(g, 1, u);
    CHECK(r == NULL);
    e = take_exception();
    CHECK_EQ_PTR(e, u);
    ctx = e != NULL ? PyException_GetContext(e) : NULL;
    CHECK(ctx == NULL);
    Py_XDECREF(ctx);
    Py_XDECREF(e);
    Py_DECREF(g);

    PyErr_SetExcInfo(NULL, NULL, NULL);
    Py_DECREF(caller_exc);
    Py_DECREF(u);
}

/* 55: 3.10 takes the 2- and 3-argument forms silently (3.12+ warns with DeprecationWarning).
 * pycoro has no warnings machinery: the check is that nothing but the thrown exception's
 * delivery happens (no exception left set, the generator caught exactly what was thrown). */
static void test_throw_multi_argument_forms_are_silent(void)
{
    PyObject *g = started_catch_all();
    PyObject *v = PyUnicode_FromString("v");
    PyObject *r;
    REQUIRE(g != NULL && v != NULL);

    r = call_throw(g, 2, PyExc_KeyError, v);
    CHECK_NO_EXC();
    CHECK(r != NULL && Py_IS_TYPE(r, (PyTypeObject *)PyExc_KeyError));
    CHECK_ARGS(r, "('v',)");
    Py_XDECREF(r);

    r = call_throw(g, 3, PyExc_KeyError, v, Py_None);
    CHECK_NO_EXC();
    CHECK(r != NULL && Py_IS_TYPE(r, (PyTypeObject *)PyExc_KeyError));
    CHECK_ARGS(r, "('v',)");
    Py_XDECREF(r);

    CHECK_EQ_INT(caught, 2);
    Py_DECREF(g);
    Py_DECREF(v);
}

/* ---- F. close ---- */

/* What closer_body does when GeneratorExit arrives at its first yield. */
enum { GE_RERAISE, GE_YIELD, GE_RETURN_42, GE_RAISE_KEYERROR, GE_RAISE_STOPITERATION };
static int genexit_mode;
static int closer_runs;
static int closer_saw_genexit;

/* closer: counts a run, yields 1; on GeneratorExit does what genexit_mode says (GE_YIELD
 * yields 2, after which anything thrown in propagates); a sent value returns None. */
static int closer_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    switch (f->f_lasti) {
    case -1:
        closer_runs++;
        NATIVE_YIELD(f, 1, PyLong_FromLong(1));
    case 1:
        if (arg == NULL) {
            if (!PyErr_ExceptionMatches(PyExc_GeneratorExit)) {
                return PYNATIVE_ERROR;
            }
            closer_saw_genexit++;
            switch (genexit_mode) {
            case GE_YIELD:
                PyErr_Clear();
                NATIVE_YIELD(f, 2, PyLong_FromLong(2));
            case GE_RETURN_42:
                PyErr_Clear();
                *out = PyLong_FromLong(42);
                return PYNATIVE_RETURN;
            case GE_RAISE_KEYERROR: {
                /* except GeneratorExit: raise KeyError('k') */
                PyObject *t, *v, *tb;
                PyErr_Fetch(&t, &v, &tb);
                PyErr_NormalizeException(&t, &v, &tb);
                PyErr_SetExcInfo(t, v, tb);
                PyErr_SetString(PyExc_KeyError, "k");
                return PYNATIVE_ERROR;
            }
            case GE_RAISE_STOPITERATION:
                PyErr_Clear();
                PyErr_SetNone(PyExc_StopIteration);
                return PYNATIVE_ERROR;
            default:
                return PYNATIVE_ERROR;
            }
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

/* A closer generator/coroutine (per `flags`) in `mode`, run to its first yield. `*frame`
 * receives a new reference to its frame. */
static PyObject *started_closer(int flags, int mode, PyFrameObject **frame)
{
    PyObject *g = native_new(closer_body, flags, "closer", 4);
    PyObject *r = NULL;
    if (g == NULL) {
        return NULL;
    }
    genexit_mode = mode;
    closer_runs = 0;
    closer_saw_genexit = 0;
    *frame = GEN_FRAME(g);
    Py_INCREF(*frame);
    if (PyIter_Send(g, Py_None, &r) != PYGEN_NEXT || native_long(r) != 1) {
        Py_XDECREF(r);
        Py_CLEAR(*frame);
        Py_DECREF(g);
        return NULL;
    }
    Py_DECREF(r);
    return g;
}

/* 56: close() raises GeneratorExit at the yield; the frame lets it propagate; close() returns
 * None and the generator is finished (frame RAISED). Closing again is a no-op. */
static void test_close_suspended_generator(void)
{
    PyFrameObject *fr = NULL;
    PyObject *g = started_closer(CO_GENERATOR, GE_RERAISE, &fr);
    PyObject *r;
    REQUIRE(g != NULL);

    r = call_close(g);
    CHECK_EQ_PTR(r, Py_None);
    Py_XDECREF(r);
    CHECK_EQ_INT(closer_saw_genexit, 1);
    CHECK(GEN_FRAME(g) == NULL);
    CHECK_EQ_INT(fr->f_state, FRAME_RAISED);

    r = call_close(g);
    CHECK_EQ_PTR(r, Py_None);
    Py_XDECREF(r);
    CHECK_EQ_INT(closer_saw_genexit, 1);
    CHECK_NO_EXC();
    Py_DECREF(fr);
    Py_DECREF(g);
}

/* 57: a generator that yields after GeneratorExit: RuntimeError; it stays suspended at the new
 * yield, and a second close() finishes it. */
static void test_close_generator_ignoring_genexit(void)
{
    PyFrameObject *fr = NULL;
    PyObject *g = started_closer(CO_GENERATOR, GE_YIELD, &fr);
    PyObject *r;
    REQUIRE(g != NULL);

    r = call_close(g);
    CHECK(r == NULL);
    Py_XDECREF(r);
    CHECK_EXC(PyExc_RuntimeError, "generator ignored GeneratorExit");
    CHECK_EQ_INT(closer_saw_genexit, 1);
    CHECK_EQ_PTR(GEN_FRAME(g), fr);
    CHECK_EQ_INT(fr->f_state, FRAME_SUSPENDED);
    CHECK_EQ_INT(fr->f_lasti, 2);

    r = call_close(g);
    CHECK_EQ_PTR(r, Py_None);
    Py_XDECREF(r);
    CHECK(GEN_FRAME(g) == NULL);
    CHECK_NO_EXC();
    Py_DECREF(fr);
    Py_DECREF(g);
}

/* 57: the coroutine wording. */
static void test_close_coroutine_ignoring_genexit(void)
{
    PyFrameObject *fr = NULL;
    PyObject *c = started_closer(CO_COROUTINE, GE_YIELD, &fr);
    PyObject *r;
    REQUIRE(c != NULL);

    r = call_close(c);
    CHECK(r == NULL);
    Py_XDECREF(r);
    CHECK_EXC(PyExc_RuntimeError, "coroutine ignored GeneratorExit");
    CHECK_EQ_INT(closer_saw_genexit, 1);
    CHECK_EQ_INT(fr->f_state, FRAME_SUSPENDED);

    r = call_close(c);
    CHECK_EQ_PTR(r, Py_None);
    Py_XDECREF(r);
    CHECK(((PyCoroObject *)c)->cr_frame == NULL);
    CHECK_NO_EXC();
    Py_DECREF(fr);
    Py_DECREF(c);
}

/* 57: the async generator wording, through aclose(): `await agen.__anext__()` gives 1, then
 * `await agen.aclose()` (the athrow awaitable driven by PyIter_Send) raises the RuntimeError. */
static void test_aclose_async_generator_ignoring_genexit(void)
{
    PyObject *a = native_new(closer_body, CO_ASYNC_GENERATOR, "closer", 4);
    PyAsyncMethods *am;
    PyObject *aw, *r = NULL;
    REQUIRE(a != NULL);
    genexit_mode = GE_YIELD;
    closer_runs = 0;
    closer_saw_genexit = 0;

    am = Py_TYPE(a)->tp_as_async;
    CHECK(am != NULL && am->am_anext != NULL);
    if (am == NULL || am->am_anext == NULL) {
        Py_DECREF(a);
        return;
    }
    aw = am->am_anext(a);
    CHECK(aw != NULL);
    if (aw == NULL) {
        CHECK_NO_EXC();
        Py_DECREF(a);
        return;
    }
    /* The asend awaitable has no am_send: PyIter_Send uses its tp_iternext, whose
     * StopIteration(1) is the return value. */
    CHECK_EQ_INT(PyIter_Send(aw, Py_None, &r), PYGEN_RETURN);
    CHECK_EQ_INT(native_long(r), 1);
    Py_XDECREF(r);
    Py_DECREF(aw);
    CHECK_NO_EXC();

    aw = PyObject_CallMethod(a, "aclose", NULL);
    CHECK(aw != NULL);
    if (aw == NULL) {
        CHECK_NO_EXC();
        Py_DECREF(a);
        return;
    }
    r = NULL;
    CHECK_EQ_INT(PyIter_Send(aw, Py_None, &r), PYGEN_ERROR);
    CHECK(r == NULL);
    CHECK_EXC(PyExc_RuntimeError, "async generator ignored GeneratorExit");
    CHECK_EQ_INT(closer_saw_genexit, 1);
    Py_DECREF(aw);
    Py_DECREF(a);
}

/* 58: a generator that returns 42 after GeneratorExit: close() returns None (3.13: 42), the
 * frame RETURNED. */
static void test_close_return_value_is_dropped(void)
{
    PyFrameObject *fr = NULL;
    PyObject *g = started_closer(CO_GENERATOR, GE_RETURN_42, &fr);
    PyObject *r;
    REQUIRE(g != NULL);

    r = call_close(g);
    CHECK_EQ_PTR(r, Py_None);
    Py_XDECREF(r);
    CHECK_NO_EXC();
    CHECK_EQ_INT(closer_saw_genexit, 1);
    CHECK(GEN_FRAME(g) == NULL);
    CHECK_EQ_INT(fr->f_state, FRAME_RETURNED);
    Py_DECREF(fr);
    Py_DECREF(g);
}

/* 59: `except GeneratorExit: raise KeyError('k')`: close() raises that KeyError, whose
 * __context__ is the GeneratorExit. */
static void test_close_handler_raising_keyerror(void)
{
    PyFrameObject *fr = NULL;
    PyObject *g = started_closer(CO_GENERATOR, GE_RAISE_KEYERROR, &fr);
    PyObject *r, *e, *ctx;
    REQUIRE(g != NULL);

    r = call_close(g);
    CHECK(r == NULL);
    Py_XDECREF(r);
    e = take_exception();
    CHECK(e != NULL && Py_IS_TYPE(e, (PyTypeObject *)PyExc_KeyError));
    CHECK_STR(e, "'k'");
    ctx = e != NULL ? PyException_GetContext(e) : NULL;
    CHECK(ctx != NULL && Py_IS_TYPE(ctx, (PyTypeObject *)PyExc_GeneratorExit));
    Py_XDECREF(ctx);
    Py_XDECREF(e);
    CHECK(GEN_FRAME(g) == NULL);
    CHECK_EQ_INT(fr->f_state, FRAME_RAISED);
    Py_DECREF(fr);
    Py_DECREF(g);
}

/* 59: a handler raising StopIteration: close() raises RuntimeError (PEP 479). */
static void test_close_handler_raising_stopiteration(void)
{
    PyFrameObject *fr = NULL;
    PyObject *g = started_closer(CO_GENERATOR, GE_RAISE_STOPITERATION, &fr);
    PyObject *r;
    REQUIRE(g != NULL);

    r = call_close(g);
    CHECK(r == NULL);
    Py_XDECREF(r);
    CHECK_EXC(PyExc_RuntimeError, "generator raised StopIteration");
    CHECK(GEN_FRAME(g) == NULL);
    Py_DECREF(fr);
    Py_DECREF(g);
}

/* 60: close() on a just-started generator runs no body code, returns None; gi_frame None and
 * the frame RAISED. The same for a coroutine, which can then not be reused. */
static void test_close_just_started(void)
{
    PyObject *g = NATIVE_GEN(closer_body, "closer");
    PyObject *c = NATIVE_CORO(closer_body, "closer");
    PyFrameObject *fr;
    PyObject *r, *attr;
    REQUIRE(g != NULL && c != NULL);
    genexit_mode = GE_YIELD;
    closer_runs = 0;
    closer_saw_genexit = 0;
    fr = GEN_FRAME(g);
    Py_INCREF(fr);

    r = call_close(g);
    CHECK_EQ_PTR(r, Py_None);
    Py_XDECREF(r);
    CHECK_NO_EXC();
    CHECK_EQ_INT(closer_runs, 0);
    CHECK(GEN_FRAME(g) == NULL);
    attr = PyObject_GetAttrString(g, "gi_frame");
    CHECK_EQ_PTR(attr, Py_None);
    Py_XDECREF(attr);
    CHECK_EQ_INT(fr->f_state, FRAME_RAISED);
    r = PyIter_Next(g);
    CHECK(r == NULL);
    CHECK_NO_EXC();
    Py_DECREF(fr);

    r = call_close(c);
    CHECK_EQ_PTR(r, Py_None);
    Py_XDECREF(r);
    CHECK_NO_EXC();
    CHECK_EQ_INT(closer_runs, 0);
    CHECK(((PyCoroObject *)c)->cr_frame == NULL);
    r = call_send(c, Py_None);
    CHECK(r == NULL);
    CHECK_EXC(PyExc_RuntimeError, "cannot reuse already awaited coroutine");
    CHECK_EQ_INT(closer_saw_genexit, 0);

    Py_DECREF(g);
    Py_DECREF(c);
}

/* ret5: returns 5 at once. */
static int ret5_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    (void)f;
    (void)arg;
    *out = PyLong_FromLong(5);
    return PYNATIVE_RETURN;
}

/* 61: close() on an exhausted coroutine (returned, or raised) returns None: no reuse error. */
static void test_close_exhausted_coroutine(void)
{
    PyObject *c = NATIVE_CORO(ret5_body, "ret5");
    PyObject *d = NATIVE_CORO(raiser_body, "raiser");
    PyObject *r = NULL;
    REQUIRE(c != NULL && d != NULL);

    CHECK_EQ_INT(PyIter_Send(c, Py_None, &r), PYGEN_RETURN);
    CHECK_EQ_INT(native_long(r), 5);
    Py_XDECREF(r);
    r = call_close(c);
    CHECK_EQ_PTR(r, Py_None);
    Py_XDECREF(r);
    CHECK_NO_EXC();
    r = call_close(c);
    CHECK_EQ_PTR(r, Py_None);
    Py_XDECREF(r);
    CHECK_NO_EXC();
    /* Sending still is a reuse error. */
    r = NULL;
    CHECK_EQ_INT(PyIter_Send(c, Py_None, &r), PYGEN_ERROR);
    CHECK_EXC(PyExc_RuntimeError, "cannot reuse already awaited coroutine");

    r = NULL;
    CHECK_EQ_INT(PyIter_Send(d, Py_None, &r), PYGEN_ERROR);
    CHECK_EXC(PyExc_ValueError, "tb");
    r = call_close(d);
    CHECK_EQ_PTR(r, Py_None);
    Py_XDECREF(r);
    CHECK_NO_EXC();

    Py_DECREF(c);
    Py_DECREF(d);
}

int main(void)
{
    RUN(test_throw_class_forms);
    RUN(test_throw_instance_forms);
    RUN(test_throw_non_exception);
    RUN(test_throw_traceback_argument);
    RUN(test_throw_argument_count);
    RUN(test_failed_throw_leaves_generator_suspended);
    RUN(test_throw_into_just_started_generator);
    RUN(test_throw_into_just_started_coroutine);
    RUN(test_throw_context_is_generators_handled_exception);
    RUN(test_throw_context_not_from_caller);
    RUN(test_throw_multi_argument_forms_are_silent);
    RUN(test_close_suspended_generator);
    RUN(test_close_generator_ignoring_genexit);
    RUN(test_close_coroutine_ignoring_genexit);
    RUN(test_aclose_async_generator_ignoring_genexit);
    RUN(test_close_return_value_is_dropped);
    RUN(test_close_handler_raising_keyerror);
    RUN(test_close_handler_raising_stopiteration);
    RUN(test_close_just_started);
    RUN(test_close_exhausted_coroutine);
    return HARNESS_SUMMARY();
}
