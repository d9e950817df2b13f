/*
 * Finalization of generators, coroutines and async generators, on pycoro: the scenario of
 * finalize.py with native bodies. Unraisable exceptions reach PyNative_SetUnraisableHook's
 * hook and warnings PyNative_SetWarningHandler's handler (Python's sys.unraisablehook and
 * warnings.showwarning), which print the same lines as the Python side's.
 */
#include "transcript.h"

#include "../c/native.h"

static PyObject *log_list;

static void log_finally(const char *tag)
{
    PyObject *entry = Py_BuildValue("(ss)", "finally", tag);
    TR_REQUIRE(entry != NULL && PyList_Append(log_list, entry) == 0);
    Py_DECREF(entry);
}

static void print_repr_or_none(PyObject *o)
{
    PyObject *r = o ? PyObject_Repr(o) : NULL;
    if (r == NULL) {
        PyErr_Clear();
        fputs("None", stdout);
        return;
    }
    tr_print_str(r);
    Py_DECREF(r);
}

static void hook(PyObject *exc_type, PyObject *exc_value, PyObject *exc_tb, PyObject *err_msg,
                 PyObject *object, void *data)
{
    PyObject *name = attr(exc_type, "__name__"), *s = exc_value ? PyObject_Str(exc_value) : NULL;
    (void)exc_tb;
    (void)data;
    fputs("unraisable: ", stdout);
    tr_print_str(name);
    fputs(": ", stdout);
    if (s != NULL) {
        tr_print_str(s);
    }
    fputs(" | msg=", stdout);
    print_repr_or_none(err_msg);
    fputs(" | object=", stdout);
    print_repr_or_none(object);
    fputs("\n", stdout);
    fflush(stdout);
    Py_XDECREF(name);
    Py_XDECREF(s);
    PyErr_Clear();
}

static int showwarning(PyObject *category, PyObject *message, PyObject *filename, int lineno,
                       PyObject *source, void *data)
{
    PyObject *name = attr(category, "__name__");
    (void)filename;
    (void)lineno;
    (void)source;
    (void)data;
    fputs("warning: ", stdout);
    tr_print_str(name);
    fputs(": ", stdout);
    tr_print_str(message);
    fputs("\n", stdout);
    fflush(stdout);
    Py_XDECREF(name);
    return 0;
}

/* def with_finally(tag):
 *     try:
 *         yield tag
 *     finally:
 *         log.append(("finally", tag))
 * (slot 0: tag) */
static int with_finally_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    if (f->f_lasti < 0) {
        if (arg == NULL) {
            return PYNATIVE_ERROR;
        }
        NATIVE_YIELD(f, 1, Py_NewRef(NATIVE_SLOT(f, 0)));
    }
    {
        PyObject *t, *v, *tb;
        PyErr_Fetch(&t, &v, &tb);
        log_finally(PyUnicode_AsUTF8(NATIVE_SLOT(f, 0)));
        PyErr_Restore(t, v, tb);
    }
    if (arg == NULL) {
        return PYNATIVE_ERROR;
    }
    *out = Py_NewRef(Py_None);
    return PYNATIVE_RETURN;
}

static PyObject *with_finally(const char *tag)
{
    PyFrameObject *f = native_frame(with_finally_body, CO_GENERATOR, "with_finally", 1);
    TR_REQUIRE(f != NULL);
    NATIVE_SLOT(f, 0) = str(tag);
    return PyGen_New(f);
}

/* def stubborn(): while True: try: yield "again" except GeneratorExit: pass */
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

/* def raises_on_exit():
 *     try:
 *         yield "waiting"
 *     except GeneratorExit:
 *         raise KeyError("from finalizer") */
static int raises_on_exit_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    if (f->f_lasti < 0) {
        if (arg == NULL) {
            return PYNATIVE_ERROR;
        }
        NATIVE_YIELD(f, 1, str("waiting"));
    }
    if (arg == NULL) {
        if (PyErr_ExceptionMatches(PyExc_GeneratorExit)) {
            PyObject *key = str("from finalizer");
            PyErr_Clear();
            PyErr_SetObject(PyExc_KeyError, key);
            Py_DECREF(key);
        }
        return PYNATIVE_ERROR;
    }
    *out = Py_NewRef(Py_None);
    return PYNATIVE_RETURN;
}

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

/* async def work():
 *     try:
 *         await suspend("working")
 *     finally:
 *         log.append(("finally", "work")) */
static int work_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    if (f->f_lasti < 0) {
        PyFrameObject *sf;
        PyObject *aw;
        if (arg == NULL) {
            return PYNATIVE_ERROR;
        }
        sf = native_frame(suspend_body, CO_GENERATOR | CO_ITERABLE_COROUTINE, "suspend", 1);
        if (sf == NULL) {
            return PYNATIVE_ERROR;
        }
        NATIVE_SLOT(sf, 0) = str("working");
        aw = PyGen_New(sf);
        if (aw == NULL) {
            return PYNATIVE_ERROR;
        }
        NATIVE_AWAIT(f, 1, aw);
    }
    {
        PyObject *t, *v, *tb;
        PyErr_Fetch(&t, &v, &tb);
        log_finally("work");
        PyErr_Restore(t, v, tb);
    }
    if (arg == NULL) {
        return PYNATIVE_ERROR;
    }
    *out = Py_NewRef(Py_None);
    return PYNATIVE_RETURN;
}

/* async def agen():
 *     try:
 *         yield "one"
 *         yield "two"
 *     finally:
 *         log.append(("finally", "agen")) */
static int agen_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    if (arg != NULL) {
        if (f->f_lasti < 0) {
            NATIVE_YIELD(f, 1, str("one"));
        }
        if (f->f_lasti == 1) {
            NATIVE_YIELD(f, 2, str("two"));
        }
    } else if (f->f_lasti < 0) {
        return PYNATIVE_ERROR;
    }
    {
        PyObject *t, *v, *tb;
        PyErr_Fetch(&t, &v, &tb);
        log_finally("agen");
        PyErr_Restore(t, v, tb);
    }
    if (arg == NULL) {
        return PYNATIVE_ERROR;
    }
    *out = Py_NewRef(Py_None);
    return PYNATIVE_RETURN;
}

/* def cyc(box):
 *     try:
 *         yield box
 *     finally:
 *         log.append(("finally", "cycle"))
 * (slot 0: box) */
static int cyc_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    if (f->f_lasti < 0) {
        if (arg == NULL) {
            return PYNATIVE_ERROR;
        }
        NATIVE_YIELD(f, 1, Py_NewRef(NATIVE_SLOT(f, 0)));
    }
    {
        PyObject *t, *v, *tb;
        PyErr_Fetch(&t, &v, &tb);
        log_finally("cycle");
        PyErr_Restore(t, v, tb);
    }
    if (arg == NULL) {
        return PYNATIVE_ERROR;
    }
    *out = Py_NewRef(Py_None);
    return PYNATIVE_RETURN;
}

static PyObject *log_copy(void)
{
    return PyList_GetSlice(log_list, 0, PY_SSIZE_T_MAX);
}

static void log_clear(void)
{
    TR_REQUIRE(PyList_SetSlice(log_list, 0, PY_SSIZE_T_MAX, NULL) == 0);
}

static PyObject *seen;

static PyObject *finalizer(PyObject *self, PyObject *gen)
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

static PyMethodDef finalizer_def = {"finalizer", finalizer, METH_O, NULL};

int main(void)
{
    PyObject *g, *c, *a, *box, *fin;
    Py_Initialize();
    PyNative_SetUnraisableHook(hook, NULL);
    PyNative_SetWarningHandler(showwarning, NULL);
    TR_REQUIRE(PyNative_WarningsFilter("always", NULL) == 0);
    log_list = PyList_New(0);
    TR_REQUIRE(log_list != NULL);

    say("== generators");
    g = with_finally("created");
    Py_DECREF(g);
    show("log (never started)", log_copy());
    g = with_finally("suspended");
    show("next(g)", call_attr(g, "__next__", "()"));
    Py_DECREF(g);
    show("log (suspended, dropped)", log_copy());
    log_clear();
    g = native_new(stubborn_body, CO_GENERATOR, "stubborn", 0);
    show("next(g)", call_attr(g, "__next__", "()"));
    Py_DECREF(g);
    say("(dropped a stubborn generator)");
    g = native_new(raises_on_exit_body, CO_GENERATOR, "raises_on_exit", 0);
    show("next(g)", call_attr(g, "__next__", "()"));
    Py_DECREF(g);
    say("(dropped raises_on_exit)");
    box = PyList_New(0);
    {
        PyFrameObject *f = native_frame(cyc_body, CO_GENERATOR, "cyc", 1);
        TR_REQUIRE(f != NULL && box != NULL);
        NATIVE_SLOT(f, 0) = Py_NewRef(box);
        g = PyGen_New(f);
        TR_REQUIRE(g != NULL && PyList_Append(box, g) == 0);
    }
    show("next(g)", is(call_attr(g, "__next__", "()"), Py_NewRef(box)));
    Py_DECREF(g);
    Py_DECREF(box);
    show("log before collect", log_copy());
    PyGC_Collect();
    show("log after collect", log_copy());
    log_clear();

    say("== coroutines");
    c = native_new(work_body, CO_COROUTINE, "work", 0);
    Py_DECREF(c);
    say("(dropped a coroutine never awaited)");
    c = native_new(work_body, CO_COROUTINE, "work", 0);
    show("c.send(None)", call_attr(c, "send", "(O)", Py_None));
    Py_DECREF(c);
    show("log (suspended coroutine dropped)", log_copy());
    log_clear();
    c = native_new(work_body, CO_COROUTINE, "work", 0);
    {
        PyObject *r = call_attr(c, "close", "()");
        Py_XDECREF(r);
    }
    Py_DECREF(c);
    say("(closed, then dropped)");

    say("== async generators");
    a = native_new(agen_body, CO_ASYNC_GENERATOR, "agen", 0);
    {
        PyObject *n = call_attr(a, "__anext__", "()");
        show("a.__anext__().send(None)", n ? call_attr(n, "send", "(O)", Py_None) : NULL);
        Py_XDECREF(n);
    }
    Py_DECREF(a);
    show("log (no finalizer hook)", log_copy());
    log_clear();
    seen = PyList_New(0);
    fin = PyCFunction_New(&finalizer_def, NULL);
    TR_REQUIRE(seen != NULL && fin != NULL && _PyEval_SetAsyncGenFinalizer(fin) == 0);
    a = native_new(agen_body, CO_ASYNC_GENERATOR, "agen", 0);
    {
        PyObject *n = call_attr(a, "__anext__", "()");
        show("a.__anext__().send(None)", n ? call_attr(n, "send", "(O)", Py_None) : NULL);
        Py_XDECREF(n);
    }
    Py_DECREF(a);
    show("finalizer saw", PyList_GetSlice(seen, 0, PY_SSIZE_T_MAX));
    show("log (the finalizer did not close it)", log_copy());
    a = native_new(agen_body, CO_ASYNC_GENERATOR, "agen", 0);
    Py_DECREF(a);
    show("finalizer saw (never started)", PyList_GetSlice(seen, 0, PY_SSIZE_T_MAX));
    TR_REQUIRE(_PyEval_SetAsyncGenFinalizer(NULL) == 0);
    log_clear();
    Py_DECREF(fin);
    Py_DECREF(seen);
    Py_DECREF(log_list);
    return 0;
}
