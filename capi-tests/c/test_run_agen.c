/*
 * Async generators with native frames, section J of the checklist (reference §4, items
 * 89-110; semantics in §3.12 and §3.4): __aiter__/__anext__, the asend awaitable (values,
 * reuse, "already running"), the athrow awaitable (aclose(), athrow(), their argument checks
 * and states), asend.throw, the firstiter/finalizer hooks, and am_send / PyIter_Send used on
 * an async generator directly.
 *
 * Python-level operations are done through the slots and methods: `agen.__anext__()` is
 * tp_as_async->am_anext, `agen.asend(v)` / `athrow(...)` / `aclose()` are method calls, and an
 * awaitable is driven with its `send` / `throw` / `close` methods or tp_iternext, the way an
 * event loop drives `await agen.__anext__()`. Each body below carries the Python async
 * generator it stands for. Every outcome is written the way probe scripts print it (see
 * outcome()): "yielded <repr>", the repr of a StopIteration, or "Type: str(exc)".
 *
 * Expected values are CPython 3.10.13's, measured with those Python async generators driven
 * by hand (.send/.throw/.close, no event loop), and with a C program embedding CPython 3.10 for
 * the C-only items (110 and the hook setters). Checklist numbers are in the comments.
 */
#include "harness.h"
#include "native.h"

#include <stdarg.h>

#define AG(a) ((PyAsyncGenObject *)(a))

static int bad_label(void)
{
    PyErr_SetString(PyExc_SystemError, "bad label");
    return PYNATIVE_ERROR;
}

/* ------------------------------------------------------------------------------------------ */
/* Text helpers */

/* Rotating buffers for the strings the helpers below return (valid for 16 more calls). */
static char text_bufs[16][512];
static int text_next;

static char *next_buf(void)
{
    text_next = (text_next + 1) % 16;
    text_bufs[text_next][0] = '\0';
    return text_bufs[text_next];
}

/* The UTF-8 text of `s` (a new reference, released here) in a rotating buffer; `fallback`
 * when it is NULL or not text (the error is cleared). */
static const char *text_of(PyObject *s, const char *fallback)
{
    const char *t = s != NULL ? PyUnicode_AsUTF8(s) : NULL;
    char *buf;
    if (t == NULL) {
        PyErr_Clear();
        Py_XDECREF(s);
        return fallback;
    }
    buf = next_buf();
    snprintf(buf, sizeof text_bufs[0], "%s", t);
    Py_DECREF(s);
    return buf;
}

/* repr(o) (borrowed o), in a rotating buffer. Leaves the pending exception alone. */
static const char *repr_of(PyObject *o)
{
    PyObject *t, *v, *tb;
    const char *r;
    if (o == NULL) {
        return "NULL";
    }
    PyErr_Fetch(&t, &v, &tb);
    r = text_of(PyObject_Repr(o), "<repr failed>");
    PyErr_Restore(t, v, tb);
    return r;
}

/* str(o) (borrowed o), in a rotating buffer. */
static const char *str_of(PyObject *o)
{
    if (o == NULL) {
        return "NULL";
    }
    return text_of(PyObject_Str(o), "<str failed>");
}

/*
 * What a call did, as the probe scripts print it, taking `r` (a new reference or NULL) and
 * the pending exception (cleared):
 *   r != NULL                  "yielded <repr(r)>"
 *   StopIteration pending      its repr: "StopIteration(1)", "StopIteration()", ...
 *   another exception          "Type: str(exc)", or "Type" when str(exc) is empty
 *   NULL and nothing pending   "NULL, no exception"
 */
static const char *outcome(PyObject *r)
{
    PyObject *t, *v, *tb;
    char *buf = next_buf();
    const char *s;
    if (r != NULL) {
        snprintf(buf, sizeof text_bufs[0], "yielded %s", repr_of(r));
        Py_DECREF(r);
        return buf;
    }
    PyErr_Fetch(&t, &v, &tb);
    if (t == NULL) {
        return "NULL, no exception";
    }
    PyErr_NormalizeException(&t, &v, &tb);
    if (v == NULL) {
        snprintf(buf, sizeof text_bufs[0], "%s (not normalized)", ((PyTypeObject *)t)->tp_name);
    } else if (Py_IS_TYPE(v, (PyTypeObject *)PyExc_StopIteration)) {
        snprintf(buf, sizeof text_bufs[0], "%s", repr_of(v));
    } else {
        s = str_of(v);
        snprintf(buf, sizeof text_bufs[0], "%s%s%s", Py_TYPE(v)->tp_name, *s ? ": " : "", s);
    }
    Py_XDECREF(t);
    Py_XDECREF(v);
    Py_XDECREF(tb);
    return buf;
}

/* ------------------------------------------------------------------------------------------ */
/* Event log (what the bodies and hooks did, "; "-separated) */

static char evlog[2048];

static void log_reset(void)
{
    evlog[0] = '\0';
}

static void log_event(const char *fmt, ...)
{
    size_t n = strlen(evlog);
    va_list ap;
    if (n > 0 && n + 2 < sizeof evlog) {
        memcpy(evlog + n, "; ", 3);
        n += 2;
    }
    va_start(ap, fmt);
    vsnprintf(evlog + n, sizeof evlog - n, fmt, ap);
    va_end(ap);
}

/* ------------------------------------------------------------------------------------------ */
/* Python-level operations */

/* agen.__anext__() (tp_as_async->am_anext). */
static PyObject *anext_of(PyObject *a)
{
    PyAsyncMethods *am = Py_TYPE(a)->tp_as_async;
    if (am == NULL || am->am_anext == NULL) {
        PyErr_SetString(PyExc_SystemError, "no am_anext");
        return NULL;
    }
    return am->am_anext(a);
}

/* agen.asend(v) */
static PyObject *asend_of(PyObject *a, PyObject *v)
{
    return PyObject_CallMethod(a, "asend", "(O)", v);
}

/* agen.asend('<s>') */
static PyObject *asend_str(PyObject *a, const char *s)
{
    return PyObject_CallMethod(a, "asend", "(s)", s);
}

/* agen.aclose() */
static PyObject *aclose_of(PyObject *a)
{
    return PyObject_CallMethod(a, "aclose", NULL);
}

/* agen.athrow(*args) with `n` borrowed arguments. */
static PyObject *athrow_of(PyObject *a, int n, ...)
{
    PyObject *args = PyTuple_New(n), *meth, *r;
    va_list ap;
    int i;
    if (args == NULL) {
        return NULL;
    }
    va_start(ap, n);
    for (i = 0; i < n; i++) {
        PyTuple_SetItem(args, i, Py_NewRef(va_arg(ap, PyObject *)));
    }
    va_end(ap);
    meth = PyObject_GetAttrString(a, "athrow");
    if (meth == NULL) {
        Py_DECREF(args);
        return NULL;
    }
    r = PyObject_Call(meth, args, NULL);
    Py_DECREF(meth);
    Py_DECREF(args);
    return r;
}

/* aw.__next__() (tp_iternext). */
static PyObject *iternext_of(PyObject *aw)
{
    if (Py_TYPE(aw)->tp_iternext == NULL) {
        PyErr_SetString(PyExc_SystemError, "no tp_iternext");
        return NULL;
    }
    return Py_TYPE(aw)->tp_iternext(aw);
}

/* aw.send(v) and what it did; aw.send('<s>'); aw.__next__(); aw.throw(e); aw.close(). */
#define SEND(aw, v) outcome(call_send((aw), (v)))
#define SEND_STR(aw, s) outcome(PyObject_CallMethod((aw), "send", "(s)", (s)))
#define NEXT(aw) outcome(iternext_of(aw))
#define THROW(aw, e) outcome(call_throw((aw), 1, (e)))
#define CLOSE(aw) outcome(call_close(aw))

/* Sends `v` into a new awaitable `aw` (stolen; NULL gives the error that made it NULL) and
 * drops it: what `await aw` does in one step. */
static const char *send_once(PyObject *aw, PyObject *v)
{
    PyObject *r;
    if (aw == NULL) {
        return outcome(NULL);
    }
    r = call_send(aw, v);
    Py_DECREF(aw);
    return outcome(r);
}
#define ONCE(aw) send_once((aw), Py_None)

/* getattr(o, name) is expected (borrowed o, expected). */
static int check_attr_is(PyObject *o, const char *name, PyObject *expected, const char *file,
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
    if (!ok) {
        harness_print_object("actual", v);
    }
    Py_DECREF(v);
    return ok;
}
#define CHECK_ATTR_IS(o, name, expected) check_attr_is((o), (name), (expected), __FILE__, __LINE__)

/* ag_running (a bool, read from ag_running_async) and ag_frame (None or the frame). */
#define CHECK_RUNNING(a, yes)                                                                 \
    do {                                                                                       \
        CHECK_ATTR_IS((a), "ag_running", (yes) ? Py_True : Py_False);                          \
        CHECK_EQ_INT(AG(a)->ag_running_async, (yes));                                          \
    } while (0)
#define CHECK_FRAME_GONE(a)                                                                    \
    do {                                                                                       \
        CHECK(AG(a)->ag_frame == NULL);                                                        \
        CHECK_ATTR_IS((a), "ag_frame", Py_None);                                               \
    } while (0)
#define CHECK_FRAME_ALIVE(a)                                                                   \
    do {                                                                                       \
        CHECK(AG(a)->ag_frame != NULL);                                                        \
        if (AG(a)->ag_frame != NULL) {                                                         \
            CHECK_ATTR_IS((a), "ag_frame", (PyObject *)AG(a)->ag_frame);                       \
        }                                                                                      \
    } while (0)

/* ------------------------------------------------------------------------------------------ */
/* Bodies */

/* The latest susp coroutine an async generator body made (borrowed; compared by address). */
static PyObject *last_susp;

/*
 * susp, the awaitable the async generators below await (a coroutine that suspends once, as an
 * asyncio Future does: what it yields goes out through the asend awaitable unchanged):
 *     @types.coroutine
 *     def susp():
 *         v = yield 'susp'
 *         log('susp got %r' % v)
 *         return v
 * Exceptions thrown in propagate.
 */
static int susp_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    switch (f->f_lasti) {
    case -1:
        if (arg == NULL) {
            return PYNATIVE_ERROR;
        }
        NATIVE_YIELD(f, 1, PyUnicode_FromString("susp"));
    case 1:
        if (arg == NULL) {
            return PYNATIVE_ERROR;
        }
        log_event("susp got %s", repr_of(arg));
        *out = Py_NewRef(arg);
        return PYNATIVE_RETURN;
    }
    return bad_label();
}

static PyObject *new_susp(void)
{
    last_susp = NATIVE_CORO(susp_body, "susp");
    return last_susp;
}

/*
 * basic:
 *     async def basic():
 *         log('start')
 *         try:
 *             x = yield 1
 *             log('got %r' % x)
 *             yield ('got', x)
 *         finally:
 *             log('finally')
 */
static int basic_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    switch (f->f_lasti) {
    case -1:
        log_event("start");
        NATIVE_YIELD(f, 1, PyLong_FromLong(1));
    case 1:
        if (arg == NULL) {
            break;
        }
        log_event("got %s", repr_of(arg));
        NATIVE_YIELD(f, 2, Py_BuildValue("(sO)", "got", arg));
    case 2:
        if (arg == NULL) {
            break;
        }
        log_event("finally");
        *out = Py_NewRef(Py_None);
        return PYNATIVE_RETURN;
    default:
        return bad_label();
    }
    log_event("finally");
    return PYNATIVE_ERROR;
}

#define NEW_BASIC() native_new(basic_body, CO_ASYNC_GENERATOR, "basic", 4)

/* A basic async generator advanced to its first yield (through __anext__). */
static PyObject *started_basic(void)
{
    PyObject *a = NEW_BASIC();
    PyObject *aw, *r;
    if (a == NULL) {
        return NULL;
    }
    aw = anext_of(a);
    r = aw != NULL ? call_send(aw, Py_None) : NULL;
    Py_XDECREF(aw);
    Py_XDECREF(r); /* NULL: StopIteration(1) */
    if (!PyErr_ExceptionMatches(PyExc_StopIteration)) {
        Py_DECREF(a);
        return NULL;
    }
    PyErr_Clear();
    return a;
}

/*
 * echo:
 *     async def echo():
 *         x = None
 *         while True:
 *             x = yield ('echo', x)
 */
static int echo_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    if (arg == NULL) {
        return PYNATIVE_ERROR;
    }
    NATIVE_YIELD(f, 1, Py_BuildValue("(sO)", "echo", arg));
}

/*
 * waiter:
 *     async def waiter():
 *         try:
 *             log('start')
 *             try:
 *                 v = await susp()
 *             except KeyError:
 *                 log('caught KeyError')
 *                 v = 'K'
 *             log('await got %r' % v)
 *             yield ('after', v)
 *         finally:
 *             log('finally')
 */
static int waiter_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    switch (f->f_lasti) {
    case -1: {
        PyObject *s;
        log_event("start");
        s = new_susp();
        if (s == NULL) {
            break;
        }
        NATIVE_AWAIT(f, 1, s);
    }
    case 1: {
        PyObject *v, *y;
        if (arg == NULL) {
            if (!PyErr_ExceptionMatches(PyExc_KeyError)) {
                break;
            }
            PyErr_Clear();
            log_event("caught KeyError");
            v = PyUnicode_FromString("K");
            if (v == NULL) {
                break;
            }
        } else {
            v = Py_NewRef(arg);
        }
        log_event("await got %s", repr_of(v));
        y = Py_BuildValue("(sO)", "after", v);
        Py_DECREF(v);
        if (y == NULL) {
            break;
        }
        NATIVE_YIELD(f, 2, y);
    }
    case 2:
        if (arg == NULL) {
            break;
        }
        log_event("finally");
        *out = Py_NewRef(Py_None);
        return PYNATIVE_RETURN;
    default:
        return bad_label();
    }
    log_event("finally");
    return PYNATIVE_ERROR;
}

#define NEW_WAITER() native_new(waiter_body, CO_ASYNC_GENERATOR, "waiter", 4)

/*
 * stubborn:
 *     async def stubborn():
 *         try:
 *             yield 1
 *         finally:
 *             log('finally')
 *             yield 'in finally'
 *             log('after finally yield')
 * The exception the finally block runs for (GeneratorExit from aclose) is kept in slots 0-2
 * across the yield in it and re-raised after it, as Python's finally does. An exception
 * thrown in at that yield replaces it (logged as "finally interrupted").
 */
static int stubborn_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    switch (f->f_lasti) {
    case -1:
        NATIVE_YIELD(f, 1, PyLong_FromLong(1));
    case 1:
        log_event("finally");
        if (arg == NULL) {
            PyErr_Fetch(&NATIVE_SLOT(f, 0), &NATIVE_SLOT(f, 1), &NATIVE_SLOT(f, 2));
        }
        NATIVE_YIELD(f, 2, PyUnicode_FromString("in finally"));
    case 2:
        if (arg == NULL) {
            log_event("finally interrupted");
            return PYNATIVE_ERROR;
        }
        log_event("after finally yield");
        if (NATIVE_SLOT(f, 0) != NULL) {
            PyErr_Restore(NATIVE_SLOT(f, 0), NATIVE_SLOT(f, 1), NATIVE_SLOT(f, 2));
            NATIVE_SLOT(f, 0) = NATIVE_SLOT(f, 1) = NATIVE_SLOT(f, 2) = NULL;
            return PYNATIVE_ERROR;
        }
        *out = Py_NewRef(Py_None);
        return PYNATIVE_RETURN;
    }
    return bad_label();
}

/*
 * slowclose:
 *     async def slowclose():
 *         try:
 *             yield 1
 *         finally:
 *             log('finally start')
 *             v = await susp()
 *             log('finally after await %r' % v)
 * The pending exception is kept across the await as in stubborn.
 */
static int slowclose_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    switch (f->f_lasti) {
    case -1:
        NATIVE_YIELD(f, 1, PyLong_FromLong(1));
    case 1: {
        PyObject *s;
        log_event("finally start");
        if (arg == NULL) {
            PyErr_Fetch(&NATIVE_SLOT(f, 0), &NATIVE_SLOT(f, 1), &NATIVE_SLOT(f, 2));
        }
        s = new_susp();
        if (s == NULL) {
            return PYNATIVE_ERROR;
        }
        NATIVE_AWAIT(f, 2, s);
    }
    case 2:
        if (arg == NULL) {
            log_event("finally interrupted");
            return PYNATIVE_ERROR;
        }
        log_event("finally after await %s", repr_of(arg));
        if (NATIVE_SLOT(f, 0) != NULL) {
            PyErr_Restore(NATIVE_SLOT(f, 0), NATIVE_SLOT(f, 1), NATIVE_SLOT(f, 2));
            NATIVE_SLOT(f, 0) = NATIVE_SLOT(f, 1) = NATIVE_SLOT(f, 2) = NULL;
            return PYNATIVE_ERROR;
        }
        *out = Py_NewRef(Py_None);
        return PYNATIVE_RETURN;
    }
    return bad_label();
}

/*
 * catcher:
 *     async def catcher():
 *         log('start')
 *         try:
 *             try:
 *                 yield 1
 *             except KeyError as e:
 *                 log('caught %r' % (e.args,))
 *                 yield ('caught', e.args)
 *             log('end')
 *         finally:
 *             log('finally')
 */
static int catcher_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    switch (f->f_lasti) {
    case -1:
        log_event("start");
        NATIVE_YIELD(f, 1, PyLong_FromLong(1));
    case 1:
        if (arg == NULL) {
            PyObject *t, *v, *tb, *args;
            if (!PyErr_ExceptionMatches(PyExc_KeyError)) {
                break;
            }
            PyErr_Fetch(&t, &v, &tb);
            PyErr_NormalizeException(&t, &v, &tb);
            args = v != NULL ? PyObject_GetAttrString(v, "args") : NULL;
            Py_XDECREF(t);
            Py_XDECREF(v);
            Py_XDECREF(tb);
            if (args == NULL) {
                break;
            }
            log_event("caught %s", repr_of(args));
            NATIVE_YIELD(f, 2, Py_BuildValue("(sN)", "caught", args));
        }
        /* fall through */
    case 2:
        if (arg == NULL) {
            break;
        }
        log_event("end");
        log_event("finally");
        *out = Py_NewRef(Py_None);
        return PYNATIVE_RETURN;
    default:
        return bad_label();
    }
    log_event("finally");
    return PYNATIVE_ERROR;
}

#define NEW_CATCHER() native_new(catcher_body, CO_ASYNC_GENERATOR, "catcher", 4)

/* A catcher advanced to its first yield. */
static PyObject *started_catcher(void)
{
    PyObject *a = NEW_CATCHER();
    PyObject *aw, *r;
    if (a == NULL) {
        return NULL;
    }
    aw = anext_of(a);
    r = aw != NULL ? call_send(aw, Py_None) : NULL;
    Py_XDECREF(aw);
    Py_XDECREF(r);
    if (!PyErr_ExceptionMatches(PyExc_StopIteration)) {
        Py_DECREF(a);
        return NULL;
    }
    PyErr_Clear();
    return a;
}

/*
 * driver (a coroutine; the async generator is in slot 0):
 *     async def driver(agen):
 *         a = await agen.__anext__()
 *         b = await agen.asend('v')
 *         try:
 *             await agen.__anext__()
 *         except StopAsyncIteration:
 *             return (a, b, 'stop')
 */
static int driver_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    PyObject *aw;
    switch (f->f_lasti) {
    case -1:
        aw = anext_of(NATIVE_SLOT(f, 0));
        if (aw == NULL) {
            return PYNATIVE_ERROR;
        }
        NATIVE_AWAIT(f, 1, aw);
    case 1:
        if (arg == NULL) {
            return PYNATIVE_ERROR;
        }
        NATIVE_SLOT(f, 1) = Py_NewRef(arg);
        aw = asend_str(NATIVE_SLOT(f, 0), "v");
        if (aw == NULL) {
            return PYNATIVE_ERROR;
        }
        NATIVE_AWAIT(f, 2, aw);
    case 2:
        if (arg == NULL) {
            return PYNATIVE_ERROR;
        }
        NATIVE_SLOT(f, 2) = Py_NewRef(arg);
        aw = anext_of(NATIVE_SLOT(f, 0));
        if (aw == NULL) {
            return PYNATIVE_ERROR;
        }
        NATIVE_AWAIT(f, 3, aw);
    case 3:
        if (arg != NULL) {
            PyErr_SetString(PyExc_AssertionError, "no StopAsyncIteration");
            return PYNATIVE_ERROR;
        }
        if (!PyErr_ExceptionMatches(PyExc_StopAsyncIteration)) {
            return PYNATIVE_ERROR;
        }
        PyErr_Clear();
        *out = Py_BuildValue("(OOs)", NATIVE_SLOT(f, 1), NATIVE_SLOT(f, 2), "stop");
        return *out != NULL ? PYNATIVE_RETURN : PYNATIVE_ERROR;
    }
    return bad_label();
}

/* await_one (a coroutine; the awaitable is in slot 0): `return await aw` */
static int await_one_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    switch (f->f_lasti) {
    case -1:
        NATIVE_AWAIT(f, 1, Py_NewRef(NATIVE_SLOT(f, 0)));
    case 1:
        if (arg == NULL) {
            return PYNATIVE_ERROR;
        }
        *out = Py_NewRef(arg);
        return PYNATIVE_RETURN;
    }
    return bad_label();
}

/* A new coroutine running `body` with `o` (borrowed; NULL gives NULL) in slot 0. */
static PyObject *coro_with(PyNative_Body body, const char *name, PyObject *o)
{
    PyObject *c;
    if (o == NULL) {
        return NULL;
    }
    c = NATIVE_CORO(body, name);
    if (c != NULL) {
        NATIVE_SLOT(((PyCoroObject *)c)->cr_frame, 0) = Py_NewRef(o);
    }
    return c;
}

/* ------------------------------------------------------------------------------------------ */
/* Hooks */

static int firstiter_calls;
static PyObject *firstiter_arg; /* the last argument (compared by address only) */
static int firstiter_raises;    /* raise KeyError('fi') */

static PyObject *hook_firstiter(PyObject *self, PyObject *agen)
{
    (void)self;
    firstiter_calls++;
    firstiter_arg = agen;
    log_event("firstiter");
    if (firstiter_raises) {
        PyErr_SetString(PyExc_KeyError, "fi");
        return NULL;
    }
    return Py_NewRef(Py_None);
}

static int finalizer_calls;
static PyObject *finalizer_arg;  /* the last argument (compared by address only) */
static int finalizer_keeps;      /* keep a reference to the argument in finalizer_kept */
static PyObject *finalizer_kept; /* (resurrects the async generator) */

/* Logs "finalizer <name>", where name is the function's self (a str). */
static PyObject *hook_finalizer(PyObject *self, PyObject *agen)
{
    finalizer_calls++;
    finalizer_arg = agen;
    log_event("finalizer %s", self != NULL ? str_of(self) : "?");
    if (finalizer_keeps) {
        PyObject *old = finalizer_kept;
        finalizer_kept = Py_NewRef(agen);
        Py_XDECREF(old);
    }
    return Py_NewRef(Py_None);
}

static PyMethodDef firstiter_def = {"firstiter", hook_firstiter, METH_O, NULL};
static PyMethodDef finalizer_def = {"finalizer", hook_finalizer, METH_O, NULL};

/* A builtin function for `def` whose self is the str `name`. */
static PyObject *make_hook(PyMethodDef *def, const char *name)
{
    PyObject *s = PyUnicode_FromString(name);
    PyObject *fn = s != NULL ? PyCFunction_New(def, s) : NULL;
    Py_XDECREF(s);
    return fn;
}

static void hooks_reset_counts(void)
{
    firstiter_calls = 0;
    firstiter_arg = NULL;
    firstiter_raises = 0;
    finalizer_calls = 0;
    finalizer_arg = NULL;
    finalizer_keeps = 0;
}

/* Installs the hooks (NULL clears one). */
static void set_hooks(PyObject *firstiter, PyObject *finalizer)
{
    CHECK_EQ_INT(_PyEval_SetAsyncGenFirstiter(firstiter), 0);
    CHECK_EQ_INT(_PyEval_SetAsyncGenFinalizer(finalizer), 0);
}

/* Unraisable reports (there should be none). */
static int unraisable_calls;

static void capture_unraisable(PyObject *t, PyObject *v, PyObject *tb, PyObject *msg,
                               PyObject *obj, void *data)
{
    (void)t;
    (void)tb;
    (void)msg;
    (void)obj;
    (void)data;
    unraisable_calls++;
    printf("    unraisable: %s\n", repr_of(v));
}

/* ------------------------------------------------------------------------------------------ */
/* J. Async generators */

/* 89: agen.__aiter__() is agen; __anext__() returns an async_generator_asend whose __await__()
 * (am_await) and __iter__() return itself. PyAIter_Check is 1 for the async generator only;
 * the asend awaitable is an iterator (tp_iternext), the async generator is not. */
static void test_89_aiter_and_anext_awaitable(void)
{
    PyObject *a = NEW_BASIC();
    PyAsyncMethods *am;
    PyObject *aw, *o;
    REQUIRE(a != NULL);
    log_reset();
    am = Py_TYPE(a)->tp_as_async;
    REQUIRE(am != NULL && am->am_aiter != NULL && am->am_anext != NULL);

    o = am->am_aiter(a);
    CHECK_EQ_PTR(o, a);
    Py_XDECREF(o);
    CHECK_EQ_INT(PyAIter_Check(a), 1);
    CHECK_EQ_INT(PyIter_Check(a), 0);

    aw = am->am_anext(a);
    REQUIRE(aw != NULL);
    CHECK_EQ_PTR(Py_TYPE(aw), &_PyAsyncGenASend_Type);
    CHECK_STR_EQ(Py_TYPE(aw)->tp_name, "async_generator_asend");
    CHECK(Py_TYPE(aw)->tp_as_async != NULL && Py_TYPE(aw)->tp_as_async->am_await != NULL);
    if (Py_TYPE(aw)->tp_as_async != NULL && Py_TYPE(aw)->tp_as_async->am_await != NULL) {
        o = Py_TYPE(aw)->tp_as_async->am_await(aw);
        CHECK_EQ_PTR(o, aw);
        Py_XDECREF(o);
    }
    o = PyObject_GetIter(aw);
    CHECK_EQ_PTR(o, aw);
    Py_XDECREF(o);
    CHECK_EQ_INT(PyIter_Check(aw), 1);
    CHECK_EQ_INT(PyAIter_Check(aw), 0);
    /* Nothing ran yet. */
    CHECK_STR_EQ(evlog, "");
    CHECK_EQ_INT(AG(a)->ag_frame->f_lasti, -1);

    /* Each __anext__() is a new awaitable. */
    o = am->am_anext(a);
    CHECK(o != NULL && o != aw && Py_IS_TYPE(o, &_PyAsyncGenASend_Type));
    Py_XDECREF(o);
    Py_DECREF(aw);
    CHECK_NO_EXC();
    Py_DECREF(a);
}

/* 90: through the asend awaitable `yield 1` arrives as StopIteration(1); asend('v') resumes
 * the generator with 'v' (a tuple yielded stays whole: StopIteration(('got', 'v'))); at the
 * end StopAsyncIteration, again on every later __anext__()/asend(). ag_running stays False
 * between the steps; after StopAsyncIteration ag_closed is set and ag_frame is None. */
static void test_90_values_through_asend(void)
{
    PyObject *a = NEW_BASIC();
    PyObject *aw, *r = NULL;
    REQUIRE(a != NULL);
    log_reset();

    aw = anext_of(a);
    REQUIRE(aw != NULL);
    CHECK_STR_EQ(SEND(aw, Py_None), "StopIteration(1)");
    CHECK_RUNNING(a, 0);
    CHECK_FRAME_ALIVE(a);
    Py_DECREF(aw);

    CHECK_STR_EQ(ONCE(asend_str(a, "v")), "StopIteration(('got', 'v'))");
    CHECK_STR_EQ(evlog, "start; got 'v'");
    CHECK_RUNNING(a, 0);
    CHECK_EQ_INT(AG(a)->ag_closed, 0);

    CHECK_STR_EQ(ONCE(anext_of(a)), "StopAsyncIteration");
    CHECK_STR_EQ(evlog, "start; got 'v'; finally");
    CHECK_FRAME_GONE(a);
    CHECK_RUNNING(a, 0);
    CHECK_EQ_INT(AG(a)->ag_closed, 1);
    CHECK_STR_EQ(ONCE(anext_of(a)), "StopAsyncIteration");
    CHECK_STR_EQ(ONCE(asend_str(a, "x")), "StopAsyncIteration");
    Py_DECREF(a);

    /* __next__ (tp_iternext) is send(None); PyIter_Send on the awaitable (no am_send) uses
     * it: the StopIteration value is the return value. */
    a = NEW_BASIC();
    REQUIRE(a != NULL);
    aw = anext_of(a);
    REQUIRE(aw != NULL);
    CHECK_STR_EQ(NEXT(aw), "StopIteration(1)");
    Py_DECREF(aw);
    aw = asend_str(a, "w");
    REQUIRE(aw != NULL);
    CHECK_EQ_INT(PyIter_Send(aw, Py_None, &r), PYGEN_RETURN);
    CHECK_STR_EQ(repr_of(r), "('got', 'w')");
    Py_XDECREF(r);
    Py_DECREF(aw);
    CHECK_NO_EXC();
    Py_DECREF(a);
}

/* 90: the same driven by a coroutine awaiting the awaitables (what `async for` does): the
 * coroutine returns (1, ('got', 'v'), 'stop') in one PyIter_Send. */
static void test_90_awaited_from_coroutine(void)
{
    PyObject *a = NEW_BASIC();
    PyObject *c = coro_with(driver_body, "driver", a);
    PyObject *r = NULL;
    REQUIRE(a != NULL && c != NULL);
    log_reset();
    CHECK_EQ_INT(PyIter_Send(c, Py_None, &r), PYGEN_RETURN);
    CHECK_STR_EQ(repr_of(r), "(1, ('got', 'v'), 'stop')");
    Py_XDECREF(r);
    CHECK_STR_EQ(evlog, "start; got 'v'; finally");
    CHECK_FRAME_GONE(a);
    CHECK_NO_EXC();
    Py_DECREF(c);
    Py_DECREF(a);
}

/* 91: agen.asend(1).send(None) on a just-started agen raises TypeError "can't send non-None
 * value to a just-started async generator", and so does asend(None).send(1); the awaitable is
 * done (reuse error) and the agen, not started, still gives 1. */
static void test_91_asend_non_none_just_started(void)
{
    PyObject *a = NEW_BASIC();
    PyObject *one = PyLong_FromLong(1);
    PyObject *aw;
    REQUIRE(a != NULL && one != NULL);
    log_reset();

    aw = asend_of(a, one);
    REQUIRE(aw != NULL);
    CHECK_STR_EQ(SEND(aw, Py_None),
                 "TypeError: can't send non-None value to a just-started async generator");
    CHECK_RUNNING(a, 0);
    CHECK_FRAME_ALIVE(a);
    CHECK_EQ_INT(AG(a)->ag_frame->f_lasti, -1);
    CHECK_EQ_INT(AG(a)->ag_closed, 0);
    CHECK_STR_EQ(SEND(aw, Py_None),
                 "RuntimeError: cannot reuse already awaited __anext__()/asend()");
    Py_DECREF(aw);

    aw = asend_of(a, Py_None);
    REQUIRE(aw != NULL);
    CHECK_STR_EQ(SEND(aw, one),
                 "TypeError: can't send non-None value to a just-started async generator");
    Py_DECREF(aw);
    CHECK_STR_EQ(evlog, "");

    CHECK_STR_EQ(ONCE(anext_of(a)), "StopIteration(1)");
    CHECK_STR_EQ(evlog, "start");
    Py_DECREF(one);
    Py_DECREF(a);
}

/* 92: an asend awaitable that is finished, or was close()d (in INIT or ITER state), raises
 * RuntimeError "cannot reuse already awaited __anext__()/asend()" from send, __next__ and
 * throw. close() returns None and does not touch the generator: a later asend('q') resumes
 * it with 'q'. */
static void test_92_asend_reuse(void)
{
    PyObject *a = NEW_BASIC();
    PyObject *five = PyLong_FromLong(5);
    PyObject *aw;
    const char *reuse = "RuntimeError: cannot reuse already awaited __anext__()/asend()";
    REQUIRE(a != NULL && five != NULL);
    log_reset();

    aw = anext_of(a);
    REQUIRE(aw != NULL);
    CHECK_STR_EQ(SEND(aw, Py_None), "StopIteration(1)");
    CHECK_STR_EQ(SEND(aw, Py_None), reuse);
    CHECK_STR_EQ(THROW(aw, PyExc_KeyError), reuse);
    CHECK_STR_EQ(SEND(aw, five), reuse);
    CHECK_STR_EQ(NEXT(aw), reuse);
    CHECK_STR_EQ(CLOSE(aw), "yielded None");
    CHECK_STR_EQ(SEND(aw, Py_None), reuse);
    Py_DECREF(aw);

    /* Closed before use. */
    aw = asend_str(a, "v");
    REQUIRE(aw != NULL);
    CHECK_STR_EQ(CLOSE(aw), "yielded None");
    CHECK_STR_EQ(SEND(aw, Py_None), reuse);
    CHECK_STR_EQ(THROW(aw, PyExc_KeyError), reuse);
    CHECK_STR_EQ(NEXT(aw), reuse);
    CHECK_STR_EQ(CLOSE(aw), "yielded None");
    Py_DECREF(aw);
    CHECK_STR_EQ(evlog, "start");
    CHECK_RUNNING(a, 0);

    /* The generator was not affected. */
    CHECK_STR_EQ(ONCE(asend_str(a, "q")), "StopIteration(('got', 'q'))");
    CHECK_STR_EQ(evlog, "start; got 'q'");
    Py_DECREF(five);
    Py_DECREF(a);
}

/* 93: in INIT state a non-None send overrides the asend value: asend('A').send('B') sends
 * 'B', asend('A').send(None) and asend('A').__next__() send 'A', __anext__().send('C') sends
 * 'C'. */
static void test_93_asend_value_override(void)
{
    PyObject *a = native_new(echo_body, CO_ASYNC_GENERATOR, "echo", 1);
    PyObject *aw;
    REQUIRE(a != NULL);
    CHECK_STR_EQ(ONCE(anext_of(a)), "StopIteration(('echo', None))");

    aw = asend_str(a, "A");
    REQUIRE(aw != NULL);
    CHECK_STR_EQ(SEND_STR(aw, "B"), "StopIteration(('echo', 'B'))");
    Py_DECREF(aw);
    CHECK_STR_EQ(ONCE(asend_str(a, "A")), "StopIteration(('echo', 'A'))");
    aw = asend_str(a, "A");
    REQUIRE(aw != NULL);
    CHECK_STR_EQ(NEXT(aw), "StopIteration(('echo', 'A'))");
    Py_DECREF(aw);
    aw = anext_of(a);
    REQUIRE(aw != NULL);
    CHECK_STR_EQ(SEND_STR(aw, "C"), "StopIteration(('echo', 'C'))");
    Py_DECREF(aw);
    CHECK_STR_EQ(ONCE(anext_of(a)), "StopIteration(('echo', None))");
    CHECK_NO_EXC();
    Py_DECREF(a);
}

/* A waiter suspended in `await susp()` by its first __anext__ (returned in *pfirst), with
 * the event log reset first. */
static PyObject *suspended_waiter(PyObject **pfirst)
{
    PyObject *a = NEW_WAITER();
    PyObject *aw, *r;
    *pfirst = NULL;
    log_reset();
    if (a == NULL) {
        return NULL;
    }
    aw = anext_of(a);
    if (aw == NULL) {
        Py_DECREF(a);
        return NULL;
    }
    r = call_send(aw, Py_None);
    if (r == NULL || !PyUnicode_Check(r) || strcmp(PyUnicode_AsUTF8(r), "susp") != 0) {
        printf("    suspended_waiter: %s\n", outcome(r));
        Py_DECREF(aw);
        Py_DECREF(a);
        return NULL;
    }
    Py_DECREF(r);
    *pfirst = aw;
    return a;
}

/* 94: while an asend is suspended mid-await (the inner await's 'susp' came out of its send
 * unchanged): ag_running is True (a bool), ag_await is the awaited coroutine;
 * __anext__().send(None), aclose().send(None) and athrow(KeyError).send(None) raise the
 * "anext()/aclose()/athrow(): asynchronous generator is already running" RuntimeErrors. */
static void test_94_already_running(void)
{
    PyObject *first = NULL;
    PyObject *a = suspended_waiter(&first);
    REQUIRE(a != NULL);
    CHECK_RUNNING(a, 1);
    CHECK_ATTR_IS(a, "ag_await", last_susp);
    CHECK_FRAME_ALIVE(a);

    CHECK_STR_EQ(ONCE(anext_of(a)),
                 "RuntimeError: anext(): asynchronous generator is already running");
    CHECK_STR_EQ(ONCE(asend_str(a, "x")),
                 "RuntimeError: anext(): asynchronous generator is already running");
    CHECK_STR_EQ(ONCE(aclose_of(a)),
                 "RuntimeError: aclose(): asynchronous generator is already running");
    CHECK_STR_EQ(ONCE(athrow_of(a, 1, PyExc_KeyError)),
                 "RuntimeError: athrow(): asynchronous generator is already running");
    CHECK_RUNNING(a, 1);
    CHECK_STR_EQ(evlog, "start");

    /* The first asend goes on: susp returns the value sent, the agen yields. */
    CHECK_STR_EQ(SEND_STR(first, "R"), "StopIteration(('after', 'R'))");
    CHECK_STR_EQ(evlog, "start; susp got 'R'; await got 'R'");
    CHECK_RUNNING(a, 0);
    CHECK_ATTR_IS(a, "ag_await", Py_None);
    Py_DECREF(first);
    Py_DECREF(a);
    CHECK_STR_EQ(evlog, "start; susp got 'R'; await got 'R'; finally");
    CHECK_NO_EXC();
}

/* 94: the same through a coroutine doing `return await agen.__anext__()`: the inner await's
 * value comes out of the coroutine (PYGEN_NEXT 'susp'), ag_running is True until the value
 * sent in reaches the async generator's yield. */
static void test_94_running_under_coroutine(void)
{
    PyObject *a = NEW_WAITER();
    PyObject *aw = a != NULL ? anext_of(a) : NULL;
    PyObject *c = coro_with(await_one_body, "await_one", aw);
    PyObject *r = NULL, *rr;
    REQUIRE(a != NULL && aw != NULL && c != NULL);
    log_reset();
    CHECK_EQ_INT(PyIter_Send(c, Py_None, &r), PYGEN_NEXT);
    CHECK_STR_EQ(repr_of(r), "'susp'");
    Py_XDECREF(r);
    CHECK_RUNNING(a, 1);
    CHECK_STR_EQ(ONCE(anext_of(a)),
                 "RuntimeError: anext(): asynchronous generator is already running");
    rr = PyUnicode_FromString("R");
    REQUIRE(rr != NULL);
    r = NULL;
    CHECK_EQ_INT(PyIter_Send(c, rr, &r), PYGEN_RETURN);
    CHECK_STR_EQ(repr_of(r), "('after', 'R')");
    Py_XDECREF(r);
    Py_DECREF(rr);
    CHECK_RUNNING(a, 0);
    CHECK_STR_EQ(evlog, "start; susp got 'R'; await got 'R'");
    CHECK_NO_EXC();
    Py_DECREF(c);
    Py_DECREF(aw);
    Py_DECREF(a);
}

/* 95: after "anext(): ... already running" (3.10) the asend stays INIT: a retry gives the same
 * error, and once the generator is no longer running the same awaitable works. After the
 * "aclose(): ..." / "athrow(): ..." errors the athrow awaitable is CLOSED: a retry gives
 * "cannot reuse already awaited aclose()/athrow()", from send and throw. */
static void test_95_retry_after_running_errors(void)
{
    PyObject *first = NULL;
    PyObject *a = suspended_waiter(&first);
    PyObject *n2, *c, *t;
    const char *reuse = "RuntimeError: cannot reuse already awaited aclose()/athrow()";
    REQUIRE(a != NULL);

    n2 = anext_of(a);
    c = aclose_of(a);
    t = athrow_of(a, 1, PyExc_KeyError);
    REQUIRE(n2 != NULL && c != NULL && t != NULL);
    CHECK_STR_EQ(SEND(n2, Py_None),
                 "RuntimeError: anext(): asynchronous generator is already running");
    CHECK_STR_EQ(SEND(n2, Py_None),
                 "RuntimeError: anext(): asynchronous generator is already running");
    CHECK_STR_EQ(SEND(c, Py_None),
                 "RuntimeError: aclose(): asynchronous generator is already running");
    CHECK_STR_EQ(SEND(c, Py_None), reuse);
    CHECK_STR_EQ(SEND(t, Py_None),
                 "RuntimeError: athrow(): asynchronous generator is already running");
    CHECK_STR_EQ(SEND(t, Py_None), reuse);
    CHECK_STR_EQ(THROW(t, PyExc_KeyError), reuse);
    CHECK_RUNNING(a, 1);

    CHECK_STR_EQ(SEND_STR(first, "R"), "StopIteration(('after', 'R'))");
    CHECK_RUNNING(a, 0);
    /* n2 is still INIT: it resumes the generator, which finishes. */
    CHECK_STR_EQ(SEND(n2, Py_None), "StopAsyncIteration");
    CHECK_STR_EQ(evlog, "start; susp got 'R'; await got 'R'; finally");
    CHECK_STR_EQ(ONCE(anext_of(a)), "StopAsyncIteration");
    CHECK_RUNNING(a, 0);
    CHECK_FRAME_GONE(a);
    Py_DECREF(n2);
    Py_DECREF(c);
    Py_DECREF(t);
    Py_DECREF(first);
    Py_DECREF(a);
}

/* 96: aclose() of a suspended agen: an async_generator_athrow (iter() and __await__() give
 * itself); the finally runs, the awaitable ends with StopIteration() (no value), ag_frame is
 * None and ag_closed set. Reusing it: "cannot reuse already awaited aclose()/athrow()" (send
 * and throw). Then __anext__() and asend() raise StopAsyncIteration, a second aclose() and an
 * athrow() end with StopIteration(). __next__ does the same as send(None). */
static void test_96_aclose_suspended(void)
{
    PyObject *a = started_basic();
    PyObject *c, *o;
    const char *reuse = "RuntimeError: cannot reuse already awaited aclose()/athrow()";
    REQUIRE(a != NULL);
    log_reset();

    c = aclose_of(a);
    REQUIRE(c != NULL);
    CHECK_EQ_PTR(Py_TYPE(c), &_PyAsyncGenAThrow_Type);
    CHECK_STR_EQ(Py_TYPE(c)->tp_name, "async_generator_athrow");
    o = PyObject_GetIter(c);
    CHECK_EQ_PTR(o, c);
    Py_XDECREF(o);
    CHECK(Py_TYPE(c)->tp_as_async != NULL && Py_TYPE(c)->tp_as_async->am_await != NULL);
    if (Py_TYPE(c)->tp_as_async != NULL && Py_TYPE(c)->tp_as_async->am_await != NULL) {
        o = Py_TYPE(c)->tp_as_async->am_await(c);
        CHECK_EQ_PTR(o, c);
        Py_XDECREF(o);
    }
    CHECK_STR_EQ(evlog, "");

    CHECK_STR_EQ(SEND(c, Py_None), "StopIteration()");
    CHECK_STR_EQ(evlog, "finally");
    CHECK_FRAME_GONE(a);
    CHECK_RUNNING(a, 0);
    CHECK_EQ_INT(AG(a)->ag_closed, 1);
    CHECK_STR_EQ(SEND(c, Py_None), reuse);
    CHECK_STR_EQ(THROW(c, PyExc_KeyError), reuse);
    CHECK_STR_EQ(NEXT(c), reuse);
    Py_DECREF(c);

    CHECK_STR_EQ(ONCE(anext_of(a)), "StopAsyncIteration");
    CHECK_STR_EQ(ONCE(asend_of(a, Py_None)), "StopAsyncIteration");
    CHECK_STR_EQ(ONCE(aclose_of(a)), "StopIteration()");
    CHECK_STR_EQ(ONCE(athrow_of(a, 1, PyExc_KeyError)), "StopIteration()");
    CHECK_STR_EQ(evlog, "finally");
    Py_DECREF(a);

    /* Through __next__. */
    a = started_basic();
    REQUIRE(a != NULL);
    log_reset();
    c = aclose_of(a);
    REQUIRE(c != NULL);
    CHECK_STR_EQ(NEXT(c), "StopIteration()");
    CHECK_STR_EQ(evlog, "finally");
    CHECK_FRAME_GONE(a);
    Py_DECREF(c);
    Py_DECREF(a);
}

/* 97: an agen that yields in its finally during aclose(): RuntimeError "async generator
 * ignored GeneratorExit"; ag_running False, the frame still suspended (in the finally),
 * ag_closed set, the athrow awaitable CLOSED. __anext__() then resumes it in the finally,
 * which re-raises the GeneratorExit: that comes out of the asend. */
static void test_97_aclose_ignored_genexit(void)
{
    PyObject *a = native_new(stubborn_body, CO_ASYNC_GENERATOR, "stubborn", 4);
    PyObject *c;
    REQUIRE(a != NULL);
    log_reset();
    CHECK_STR_EQ(ONCE(anext_of(a)), "StopIteration(1)");

    c = aclose_of(a);
    REQUIRE(c != NULL);
    CHECK_STR_EQ(SEND(c, Py_None), "RuntimeError: async generator ignored GeneratorExit");
    CHECK_STR_EQ(evlog, "finally");
    CHECK_RUNNING(a, 0);
    CHECK_FRAME_ALIVE(a);
    CHECK_EQ_INT(AG(a)->ag_closed, 1);
    CHECK_STR_EQ(SEND(c, Py_None), "RuntimeError: cannot reuse already awaited aclose()/athrow()");
    Py_DECREF(c);

    CHECK_STR_EQ(ONCE(anext_of(a)), "GeneratorExit");
    CHECK_STR_EQ(evlog, "finally; after finally yield");
    CHECK_FRAME_GONE(a);
    CHECK_RUNNING(a, 0);
    Py_DECREF(a);
    CHECK_STR_EQ(evlog, "finally; after finally yield");
}

/* 97: after the ignored GeneratorExit ag_closed is set, so a second aclose() and an athrow()
 * raise StopAsyncIteration without resuming it; dropping it then closes it (GeneratorExit at
 * the yield in the finally, which lets it propagate): nothing is reported. */
static void test_97_after_ignored_genexit(void)
{
    PyObject *a = native_new(stubborn_body, CO_ASYNC_GENERATOR, "stubborn", 4);
    REQUIRE(a != NULL);
    log_reset();
    CHECK_STR_EQ(ONCE(anext_of(a)), "StopIteration(1)");
    CHECK_STR_EQ(ONCE(aclose_of(a)), "RuntimeError: async generator ignored GeneratorExit");
    CHECK_STR_EQ(ONCE(aclose_of(a)), "StopAsyncIteration");
    CHECK_STR_EQ(ONCE(athrow_of(a, 1, PyExc_KeyError)), "StopAsyncIteration");
    CHECK_STR_EQ(evlog, "finally");
    CHECK_FRAME_ALIVE(a);
    CHECK_RUNNING(a, 0);

    unraisable_calls = 0;
    PyNative_SetUnraisableHook(capture_unraisable, NULL);
    Py_DECREF(a);
    PyNative_SetUnraisableHook(NULL, NULL);
    CHECK_EQ_INT(unraisable_calls, 0);
    CHECK_STR_EQ(evlog, "finally; finally interrupted");
    CHECK_NO_EXC();
}

/* 98: aclose() on a just-started agen ends with StopIteration() without running any body
 * code; ag_frame is None, ag_closed set, and __anext__() raises StopAsyncIteration. A second
 * aclose() also ends with StopIteration(). */
static void test_98_aclose_just_started(void)
{
    PyObject *a = NEW_BASIC();
    REQUIRE(a != NULL);
    log_reset();
    CHECK_STR_EQ(ONCE(aclose_of(a)), "StopIteration()");
    CHECK_FRAME_GONE(a);
    CHECK_RUNNING(a, 0);
    CHECK_EQ_INT(AG(a)->ag_closed, 1);
    CHECK_STR_EQ(ONCE(anext_of(a)), "StopAsyncIteration");
    CHECK_STR_EQ(ONCE(aclose_of(a)), "StopIteration()");
    CHECK_STR_EQ(evlog, "");
    Py_DECREF(a);

    a = NEW_BASIC();
    REQUIRE(a != NULL);
    CHECK_STR_EQ(ONCE(aclose_of(a)), "StopIteration()");
    CHECK_STR_EQ(ONCE(aclose_of(a)), "StopIteration()");
    CHECK_STR_EQ(evlog, "");
    Py_DECREF(a);
}

/* 99: in INIT state athrow(E).send(1) and aclose().send(1) raise RuntimeError "can't send
 * non-None value to a just-started coroutine" (RuntimeError, coroutine wording), on a fresh
 * or a suspended agen; the awaitable stays INIT and send(None) then does the throw. */
static void test_99_athrow_send_non_none_in_init(void)
{
    PyObject *one = PyLong_FromLong(1);
    PyObject *v = PyUnicode_FromString("v");
    PyObject *a = NEW_CATCHER();
    PyObject *t;
    const char *msg = "RuntimeError: can't send non-None value to a just-started coroutine";
    REQUIRE(one != NULL && v != NULL && a != NULL);
    log_reset();

    /* Fresh agen. */
    t = athrow_of(a, 1, PyExc_KeyError);
    REQUIRE(t != NULL);
    CHECK_STR_EQ(SEND(t, one), msg);
    CHECK_RUNNING(a, 0);
    CHECK_EQ_INT(AG(a)->ag_frame->f_lasti, -1);
    CHECK_STR_EQ(SEND(t, Py_None), "KeyError");
    CHECK_FRAME_GONE(a);
    CHECK_STR_EQ(evlog, "");
    Py_DECREF(t);
    Py_DECREF(a);

    /* Suspended agen. */
    a = started_catcher();
    REQUIRE(a != NULL);
    log_reset();
    t = athrow_of(a, 2, PyExc_KeyError, v);
    REQUIRE(t != NULL);
    CHECK_STR_EQ(SEND(t, one), msg);
    CHECK_RUNNING(a, 0);
    CHECK_STR_EQ(evlog, "");
    CHECK_STR_EQ(SEND(t, Py_None), "StopIteration(('caught', ('v',)))");
    CHECK_STR_EQ(evlog, "caught ('v',)");
    Py_DECREF(t);
    Py_DECREF(a);

    /* aclose() */
    a = started_basic();
    REQUIRE(a != NULL);
    log_reset();
    t = aclose_of(a);
    REQUIRE(t != NULL);
    CHECK_STR_EQ(SEND(t, one), msg);
    CHECK_FRAME_ALIVE(a);
    CHECK_EQ_INT(AG(a)->ag_closed, 0);
    CHECK_STR_EQ(evlog, "");
    CHECK_STR_EQ(SEND(t, Py_None), "StopIteration()");
    CHECK_STR_EQ(evlog, "finally");
    Py_DECREF(t);
    Py_DECREF(a);
    Py_DECREF(one);
    Py_DECREF(v);
}

/* 100: the agen catches athrow(KeyError, 'v') and yields ('caught', ('v',)): the awaitable
 * ends with StopIteration(('caught', ('v',))) (also through __next__), then is CLOSED. An
 * uncaught athrow(ValueError('x')) propagates from the awaitable; the agen is finished
 * (finally ran, ag_frame None) and __anext__() raises StopAsyncIteration. athrow into a
 * just-started agen raises the exception without running the body. */
static void test_100_athrow_caught_and_uncaught(void)
{
    PyObject *v = PyUnicode_FromString("v");
    PyObject *x = PyObject_CallFunction(PyExc_ValueError, "s", "x");
    PyObject *fv = PyUnicode_FromString("f");
    PyObject *a, *t;
    REQUIRE(v != NULL && x != NULL && fv != NULL);

    a = started_catcher();
    REQUIRE(a != NULL);
    log_reset();
    t = athrow_of(a, 2, PyExc_KeyError, v);
    REQUIRE(t != NULL);
    CHECK_EQ_PTR(Py_TYPE(t), &_PyAsyncGenAThrow_Type);
    CHECK_STR_EQ(SEND(t, Py_None), "StopIteration(('caught', ('v',)))");
    CHECK_RUNNING(a, 0);
    CHECK_STR_EQ(SEND(t, Py_None), "RuntimeError: cannot reuse already awaited aclose()/athrow()");
    Py_DECREF(t);
    CHECK_STR_EQ(ONCE(anext_of(a)), "StopAsyncIteration");
    CHECK_STR_EQ(evlog, "caught ('v',); end; finally");
    CHECK_FRAME_GONE(a);
    Py_DECREF(a);

    /* __next__ */
    a = started_catcher();
    REQUIRE(a != NULL);
    t = athrow_of(a, 2, PyExc_KeyError, v);
    REQUIRE(t != NULL);
    CHECK_STR_EQ(NEXT(t), "StopIteration(('caught', ('v',)))");
    Py_DECREF(t);
    Py_DECREF(a);

    /* Uncaught */
    a = started_catcher();
    REQUIRE(a != NULL);
    log_reset();
    t = athrow_of(a, 1, x);
    REQUIRE(t != NULL);
    CHECK_STR_EQ(SEND(t, Py_None), "ValueError: x");
    CHECK_RUNNING(a, 0);
    CHECK_FRAME_GONE(a);
    CHECK_EQ_INT(AG(a)->ag_closed, 0);
    CHECK_STR_EQ(evlog, "finally");
    CHECK_STR_EQ(SEND(t, Py_None), "RuntimeError: cannot reuse already awaited aclose()/athrow()");
    Py_DECREF(t);
    CHECK_STR_EQ(ONCE(anext_of(a)), "StopAsyncIteration");
    Py_DECREF(a);

    /* Just started */
    a = NEW_CATCHER();
    REQUIRE(a != NULL);
    log_reset();
    CHECK_STR_EQ(ONCE(athrow_of(a, 2, PyExc_KeyError, fv)), "KeyError: 'f'");
    CHECK_FRAME_GONE(a);
    CHECK_RUNNING(a, 0);
    CHECK_STR_EQ(ONCE(anext_of(a)), "StopAsyncIteration");
    CHECK_STR_EQ(evlog, "");
    Py_DECREF(a);
    Py_DECREF(v);
    Py_DECREF(x);
    Py_DECREF(fv);
}

/* 101: athrow() on an exhausted agen ends with StopIteration() and does not raise the
 * thrown exception (class or instance); so does aclose(). The awaitable is then CLOSED. */
static void test_101_athrow_exhausted(void)
{
    PyObject *a = started_catcher();
    PyObject *z = PyObject_CallFunction(PyExc_ValueError, "s", "z");
    PyObject *t;
    REQUIRE(a != NULL && z != NULL);
    CHECK_STR_EQ(ONCE(anext_of(a)), "StopAsyncIteration");
    CHECK_FRAME_GONE(a);
    log_reset();

    CHECK_STR_EQ(ONCE(athrow_of(a, 1, PyExc_KeyError)), "StopIteration()");
    CHECK_STR_EQ(ONCE(athrow_of(a, 1, z)), "StopIteration()");
    CHECK_STR_EQ(ONCE(aclose_of(a)), "StopIteration()");
    t = athrow_of(a, 1, PyExc_KeyError);
    REQUIRE(t != NULL);
    CHECK_STR_EQ(SEND(t, Py_None), "StopIteration()");
    CHECK_STR_EQ(SEND(t, Py_None), "RuntimeError: cannot reuse already awaited aclose()/athrow()");
    Py_DECREF(t);
    CHECK_RUNNING(a, 0);
    CHECK_STR_EQ(evlog, "");
    Py_DECREF(z);
    Py_DECREF(a);
}

/* 102: athrow() with no arguments is created, and its first send raises TypeError "athrow
 * expected at least 1 argument, got 0" (4 arguments: "at most 3 arguments, got 4"), leaving
 * ag_running True (the 3.10 quirk): __anext__() and aclose() then say "already running".
 * The athrow is left in ITER state: sending None to it resumes the generator, which finishes
 * (StopAsyncIteration) and is no longer running. */
static void test_102_athrow_no_arguments(void)
{
    PyObject *a = started_catcher();
    PyObject *t;
    REQUIRE(a != NULL);
    log_reset();

    t = athrow_of(a, 0);
    REQUIRE(t != NULL);
    CHECK_EQ_PTR(Py_TYPE(t), &_PyAsyncGenAThrow_Type);
    CHECK_STR_EQ(SEND(t, Py_None), "TypeError: athrow expected at least 1 argument, got 0");
    CHECK_RUNNING(a, 1);
    CHECK_STR_EQ(ONCE(anext_of(a)),
                 "RuntimeError: anext(): asynchronous generator is already running");
    CHECK_STR_EQ(ONCE(aclose_of(a)),
                 "RuntimeError: aclose(): asynchronous generator is already running");
    CHECK_FRAME_ALIVE(a);
    CHECK_STR_EQ(evlog, "");

    CHECK_STR_EQ(SEND(t, Py_None), "StopAsyncIteration");
    CHECK_STR_EQ(evlog, "end; finally");
    CHECK_RUNNING(a, 0);
    CHECK_FRAME_GONE(a);
    Py_DECREF(t);
    Py_DECREF(a);
}

/* 102: four arguments; the agen stays "running" and is closed (finally runs) when dropped.
 * On a fresh agen the same error leaves it running and unstarted; dropping it runs nothing. */
static void test_102_athrow_bad_argument_count(void)
{
    PyObject *a = started_catcher();
    PyObject *one = PyLong_FromLong(1);
    PyObject *t;
    REQUIRE(a != NULL && one != NULL);
    log_reset();

    t = athrow_of(a, 4, PyExc_KeyError, one, one, one);
    REQUIRE(t != NULL);
    CHECK_STR_EQ(SEND(t, Py_None), "TypeError: athrow expected at most 3 arguments, got 4");
    CHECK_RUNNING(a, 1);
    Py_DECREF(t);
    Py_DECREF(a);
    CHECK_STR_EQ(evlog, "finally");

    a = NEW_CATCHER();
    REQUIRE(a != NULL);
    log_reset();
    t = athrow_of(a, 0);
    REQUIRE(t != NULL);
    CHECK_STR_EQ(SEND(t, Py_None), "TypeError: athrow expected at least 1 argument, got 0");
    CHECK_RUNNING(a, 1);
    CHECK_EQ_INT(AG(a)->ag_frame->f_lasti, -1);
    Py_DECREF(t);
    Py_DECREF(a);
    CHECK_STR_EQ(evlog, "");
    Py_DECREF(one);
    CHECK_NO_EXC();
}

/* 103: athrow(1) on a fresh agen raises TypeError "exceptions must be classes or instances
 * deriving from BaseException, not int" from its first send; the agen is left unstarted
 * (ag_frame not None, f_lasti -1) and not running, the athrow CLOSED, and __anext__() then
 * starts it. The other validation errors: athrow(KeyError('x'), 'v') "instance exception may
 * not have a separate value", athrow(KeyError, None, 1) "throw() third argument must be a
 * traceback object". On a suspended agen athrow(1) leaves it suspended and resumable. */
static void test_103_athrow_bad_arguments(void)
{
    PyObject *one = PyLong_FromLong(1);
    PyObject *v = PyUnicode_FromString("v");
    PyObject *kx = PyObject_CallFunction(PyExc_KeyError, "s", "x");
    PyObject *a = NEW_CATCHER();
    PyObject *t;
    REQUIRE(one != NULL && v != NULL && kx != NULL && a != NULL);
    log_reset();

    t = athrow_of(a, 1, one);
    REQUIRE(t != NULL);
    CHECK_STR_EQ(SEND(t, Py_None), "TypeError: exceptions must be classes or instances "
                                   "deriving from BaseException, not int");
    CHECK_FRAME_ALIVE(a);
    CHECK_EQ_INT(AG(a)->ag_frame->f_lasti, -1);
    CHECK_RUNNING(a, 0);
    CHECK_STR_EQ(SEND(t, Py_None), "RuntimeError: cannot reuse already awaited aclose()/athrow()");
    Py_DECREF(t);

    CHECK_STR_EQ(ONCE(athrow_of(a, 2, kx, v)),
                 "TypeError: instance exception may not have a separate value");
    CHECK_RUNNING(a, 0);
    CHECK_STR_EQ(ONCE(athrow_of(a, 3, PyExc_KeyError, Py_None, one)),
                 "TypeError: throw() third argument must be a traceback object");
    CHECK_RUNNING(a, 0);
    CHECK_EQ_INT(AG(a)->ag_frame->f_lasti, -1);
    CHECK_STR_EQ(evlog, "");

    CHECK_STR_EQ(ONCE(anext_of(a)), "StopIteration(1)");
    CHECK_STR_EQ(evlog, "start");

    /* Suspended */
    CHECK_STR_EQ(ONCE(athrow_of(a, 1, one)), "TypeError: exceptions must be classes or "
                                             "instances deriving from BaseException, not int");
    CHECK_RUNNING(a, 0);
    CHECK_FRAME_ALIVE(a);
    CHECK_STR_EQ(ONCE(anext_of(a)), "StopAsyncIteration");
    CHECK_STR_EQ(evlog, "start; end; finally");
    Py_DECREF(a);
    Py_DECREF(one);
    Py_DECREF(v);
    Py_DECREF(kx);
}

/* 104: asend.throw(KeyError) on a suspended agen that catches it and yields: the awaitable
 * ends with StopIteration(('caught', ())) and is then CLOSED. An uncaught asend.throw
 * propagates (the agen finishes); on an exhausted or a just-started agen the exception
 * propagates as is; a bad throw argument raises TypeError and CLOSES the awaitable. */
static void test_104_asend_throw(void)
{
    PyObject *a = started_catcher();
    PyObject *u = PyObject_CallFunction(PyExc_ValueError, "s", "u");
    PyObject *e = PyObject_CallFunction(PyExc_KeyError, "s", "e");
    PyObject *one = PyLong_FromLong(1);
    PyObject *s;
    const char *reuse = "RuntimeError: cannot reuse already awaited __anext__()/asend()";
    REQUIRE(a != NULL && u != NULL && e != NULL && one != NULL);
    log_reset();

    s = anext_of(a);
    REQUIRE(s != NULL);
    CHECK_STR_EQ(THROW(s, PyExc_KeyError), "StopIteration(('caught', ()))");
    CHECK_RUNNING(a, 0);
    CHECK_STR_EQ(evlog, "caught ()");
    CHECK_STR_EQ(SEND(s, Py_None), reuse);
    CHECK_STR_EQ(THROW(s, PyExc_KeyError), reuse);
    Py_DECREF(s);

    s = asend_of(a, Py_None);
    REQUIRE(s != NULL);
    CHECK_STR_EQ(THROW(s, u), "ValueError: u");
    CHECK_FRAME_GONE(a);
    CHECK_RUNNING(a, 0);
    CHECK_STR_EQ(evlog, "caught (); finally");
    Py_DECREF(s);

    /* Exhausted */
    s = anext_of(a);
    REQUIRE(s != NULL);
    CHECK_STR_EQ(THROW(s, e), "KeyError: 'e'");
    Py_DECREF(s);
    Py_DECREF(a);

    /* Just started */
    a = NEW_CATCHER();
    REQUIRE(a != NULL);
    log_reset();
    s = anext_of(a);
    REQUIRE(s != NULL);
    CHECK_STR_EQ(THROW(s, e), "KeyError: 'e'");
    CHECK_FRAME_GONE(a);
    CHECK_STR_EQ(evlog, "");
    Py_DECREF(s);
    Py_DECREF(a);

    /* Bad argument */
    a = started_catcher();
    REQUIRE(a != NULL);
    log_reset();
    s = anext_of(a);
    REQUIRE(s != NULL);
    CHECK_STR_EQ(THROW(s, one), "TypeError: exceptions must be classes or instances deriving "
                                "from BaseException, not int");
    CHECK_STR_EQ(SEND(s, Py_None), reuse);
    CHECK_RUNNING(a, 0);
    CHECK_FRAME_ALIVE(a);
    Py_DECREF(s);
    CHECK_STR_EQ(ONCE(anext_of(a)), "StopAsyncIteration");
    CHECK_STR_EQ(evlog, "end; finally");
    Py_DECREF(a);
    Py_DECREF(u);
    Py_DECREF(e);
    Py_DECREF(one);
}

/* 104 (§3.12: 3.10's asend.throw and athrow.throw do not check ag_running_async): while the
 * agen is suspended mid-await, a new __anext__().throw(KeyError) goes into the awaited
 * coroutine, whose KeyError the agen catches, and the awaitable ends with the agen's next
 * yield; the first asend, still ITER, then resumes the generator after that yield. The same
 * with athrow(ValueError).throw(KeyError). */
static void test_104_throw_while_running(void)
{
    PyObject *first = NULL;
    PyObject *a = suspended_waiter(&first);
    PyObject *s;
    REQUIRE(a != NULL);

    s = anext_of(a);
    REQUIRE(s != NULL);
    CHECK_STR_EQ(THROW(s, PyExc_KeyError), "StopIteration(('after', 'K'))");
    CHECK_RUNNING(a, 0);
    CHECK_STR_EQ(evlog, "start; caught KeyError; await got 'K'");
    CHECK_STR_EQ(SEND(s, Py_None),
                 "RuntimeError: cannot reuse already awaited __anext__()/asend()");
    Py_DECREF(s);
    CHECK_STR_EQ(SEND(first, Py_None), "StopAsyncIteration");
    CHECK_STR_EQ(evlog, "start; caught KeyError; await got 'K'; finally");
    CHECK_FRAME_GONE(a);
    Py_DECREF(first);
    Py_DECREF(a);

    a = suspended_waiter(&first);
    REQUIRE(a != NULL);
    s = athrow_of(a, 1, PyExc_ValueError);
    REQUIRE(s != NULL);
    CHECK_STR_EQ(THROW(s, PyExc_KeyError), "StopIteration(('after', 'K'))");
    CHECK_RUNNING(a, 0);
    CHECK_STR_EQ(evlog, "start; caught KeyError; await got 'K'");
    Py_DECREF(s);
    CHECK_STR_EQ(SEND(first, Py_None), "StopAsyncIteration");
    Py_DECREF(first);
    Py_DECREF(a);
}

/* 105: the firstiter hook is called exactly once, with the agen, at the first __anext__(),
 * asend(), athrow() or aclose() (when the awaitable is made, before it is awaited), not at
 * creation and not by __aiter__(); ag_hooks_inited is then 1. */
static void test_105_firstiter_once(void)
{
    static const char *const hows[] = {"anext", "asend", "athrow", "aclose", "aiter"};
    PyObject *fi = make_hook(&firstiter_def, "fi");
    size_t i;
    REQUIRE(fi != NULL);
    set_hooks(fi, NULL);

    for (i = 0; i < sizeof hows / sizeof hows[0]; i++) {
        const char *how = hows[i];
        PyObject *a = NEW_BASIC();
        PyObject *aw = NULL, *o;
        REQUIRE(a != NULL);
        hooks_reset_counts();
        log_reset();
        CHECK_EQ_INT(AG(a)->ag_hooks_inited, 0);
        if (strcmp(how, "anext") == 0) {
            aw = anext_of(a);
        } else if (strcmp(how, "asend") == 0) {
            aw = asend_of(a, Py_None);
        } else if (strcmp(how, "athrow") == 0) {
            aw = athrow_of(a, 1, PyExc_KeyError);
        } else if (strcmp(how, "aclose") == 0) {
            aw = aclose_of(a);
        } else {
            aw = Py_TYPE(a)->tp_as_async->am_aiter(a);
        }
        CHECK(aw != NULL);
        if (strcmp(how, "aiter") == 0) {
            CHECK_EQ_INT(firstiter_calls, 0);
            CHECK_EQ_INT(AG(a)->ag_hooks_inited, 0);
        } else {
            if (!CHECK_EQ_INT(firstiter_calls, 1)) {
                printf("    (first iteration through %s)\n", how);
            }
            CHECK_EQ_PTR(firstiter_arg, a);
            CHECK_EQ_INT(AG(a)->ag_hooks_inited, 1);
        }
        /* Later calls do not call it again. */
        o = anext_of(a);
        Py_XDECREF(o);
        o = asend_of(a, Py_None);
        Py_XDECREF(o);
        o = athrow_of(a, 1, PyExc_KeyError);
        Py_XDECREF(o);
        o = aclose_of(a);
        Py_XDECREF(o);
        CHECK_EQ_INT(firstiter_calls, 1);
        CHECK_EQ_INT(AG(a)->ag_hooks_inited, 1);
        Py_XDECREF(aw);
        CHECK_NO_EXC();
        Py_DECREF(a);
    }
    /* Advancing the generator does not call it either. */
    {
        PyObject *a = NEW_BASIC();
        REQUIRE(a != NULL);
        hooks_reset_counts();
        log_reset();
        CHECK_STR_EQ(ONCE(anext_of(a)), "StopIteration(1)");
        CHECK_STR_EQ(ONCE(anext_of(a)), "StopIteration(('got', None))");
        CHECK_STR_EQ(ONCE(anext_of(a)), "StopAsyncIteration");
        CHECK_EQ_INT(firstiter_calls, 1);
        CHECK_STR_EQ(evlog, "firstiter; start; got None; finally");
        Py_DECREF(a);
    }
    set_hooks(NULL, NULL);
    Py_DECREF(fi);
}

/* 106: a suspended agen that captured a finalizer calls finalizer(agen) when dropped,
 * instead of being closed: its finally does not run (and, with the finalizer keeping no
 * reference, it is freed). A never-iterated agen calls no hook. An agen whose hooks were
 * initialised (an __anext__() made, never awaited: frame not started) also goes to the
 * finalizer; a finished one does not. */
static void test_106_finalizer_instead_of_close(void)
{
    PyObject *fi = make_hook(&firstiter_def, "fi");
    PyObject *fin = make_hook(&finalizer_def, "fin");
    PyObject *a, *aw;
    REQUIRE(fi != NULL && fin != NULL);
    set_hooks(fi, fin);
    hooks_reset_counts();
    log_reset();

    a = started_basic();
    REQUIRE(a != NULL);
    CHECK_EQ_PTR(AG(a)->ag_finalizer, fin);
    CHECK_STR_EQ(evlog, "firstiter; start");
    Py_DECREF(a);
    CHECK_EQ_INT(finalizer_calls, 1);
    CHECK_EQ_PTR(finalizer_arg, a); /* (the dead object's address) */
    CHECK_STR_EQ(evlog, "firstiter; start; finalizer fin");

    /* Never iterated */
    hooks_reset_counts();
    log_reset();
    a = NEW_BASIC();
    REQUIRE(a != NULL);
    Py_DECREF(a);
    CHECK_EQ_INT(firstiter_calls, 0);
    CHECK_EQ_INT(finalizer_calls, 0);
    CHECK_STR_EQ(evlog, "");

    /* Hooks initialised, frame not started */
    a = NEW_BASIC();
    REQUIRE(a != NULL);
    aw = anext_of(a);
    CHECK(aw != NULL);
    Py_XDECREF(aw);
    Py_DECREF(a);
    CHECK_EQ_INT(finalizer_calls, 1);
    CHECK_STR_EQ(evlog, "firstiter; finalizer fin");

    /* Finished */
    hooks_reset_counts();
    log_reset();
    a = started_basic();
    REQUIRE(a != NULL);
    CHECK_STR_EQ(ONCE(anext_of(a)), "StopIteration(('got', None))");
    CHECK_STR_EQ(ONCE(anext_of(a)), "StopAsyncIteration");
    Py_DECREF(a);
    CHECK_EQ_INT(finalizer_calls, 0);
    CHECK_STR_EQ(evlog, "firstiter; start; got None; finally");

    set_hooks(NULL, NULL);
    Py_DECREF(fi);
    Py_DECREF(fin);
    CHECK_NO_EXC();
}

/* 106: the finalizer is the one installed at the first iteration: installing fin2 later
 * does not change it (fin1 is called); an agen first iterated without a finalizer is closed
 * when dropped even if one is installed by then. */
static void test_106_finalizer_captured_at_first_iteration(void)
{
    PyObject *fin1 = make_hook(&finalizer_def, "fin1");
    PyObject *fin2 = make_hook(&finalizer_def, "fin2");
    PyObject *a;
    REQUIRE(fin1 != NULL && fin2 != NULL);
    hooks_reset_counts();
    log_reset();

    set_hooks(NULL, fin1);
    a = started_basic();
    REQUIRE(a != NULL);
    set_hooks(NULL, fin2);
    CHECK_EQ_PTR(AG(a)->ag_finalizer, fin1);
    Py_DECREF(a);
    CHECK_EQ_INT(finalizer_calls, 1);
    CHECK_STR_EQ(evlog, "start; finalizer fin1");

    hooks_reset_counts();
    log_reset();
    set_hooks(NULL, NULL);
    a = started_basic();
    REQUIRE(a != NULL);
    set_hooks(NULL, fin2);
    CHECK(AG(a)->ag_finalizer == NULL);
    Py_DECREF(a);
    CHECK_EQ_INT(finalizer_calls, 0);
    CHECK_STR_EQ(evlog, "start; finally");

    set_hooks(NULL, NULL);
    Py_DECREF(fin1);
    Py_DECREF(fin2);
    CHECK_NO_EXC();
}

/* 106: a finalizer that keeps the agen resurrects it (what asyncio's does, to aclose() it
 * later): still suspended, it can then be aclose()d (finally runs) and dropped without a
 * second finalizer call. Dropped again without closing, it is not finalized a second time:
 * no finalizer call and no close. */
static void test_106_finalizer_resurrects(void)
{
    PyObject *fin = make_hook(&finalizer_def, "keep");
    PyObject *a;
    REQUIRE(fin != NULL);
    hooks_reset_counts();
    finalizer_keeps = 1;
    log_reset();

    set_hooks(NULL, fin);
    a = started_basic();
    set_hooks(NULL, NULL);
    REQUIRE(a != NULL);
    Py_DECREF(a);
    CHECK_EQ_INT(finalizer_calls, 1);
    REQUIRE(finalizer_kept != NULL);
    CHECK_EQ_PTR(finalizer_kept, a);
    CHECK_EQ_INT(Py_REFCNT(finalizer_kept), 1);
    CHECK_FRAME_ALIVE(finalizer_kept);
    CHECK_STR_EQ(ONCE(aclose_of(finalizer_kept)), "StopIteration()");
    CHECK_STR_EQ(evlog, "start; finalizer keep; finally");
    Py_CLEAR(finalizer_kept);
    CHECK_EQ_INT(finalizer_calls, 1);
    CHECK_STR_EQ(evlog, "start; finalizer keep; finally");

    /* Dropped twice, not closed in between. */
    log_reset();
    set_hooks(NULL, fin);
    a = started_basic();
    set_hooks(NULL, NULL);
    REQUIRE(a != NULL);
    Py_DECREF(a);
    CHECK_EQ_INT(finalizer_calls, 2);
    REQUIRE(finalizer_kept != NULL);
    finalizer_keeps = 0;
    Py_CLEAR(finalizer_kept);
    CHECK_EQ_INT(finalizer_calls, 2);
    CHECK_STR_EQ(evlog, "start; finalizer keep");

    Py_DECREF(fin);
    CHECK_NO_EXC();
}

/* 107: without a finalizer an unfinished agen is closed synchronously when dropped (its
 * finally runs). */
static void test_107_no_finalizer_closes(void)
{
    PyObject *a = started_basic();
    REQUIRE(a != NULL);
    hooks_reset_counts();
    log_reset();
    CHECK(AG(a)->ag_finalizer == NULL);
    unraisable_calls = 0;
    PyNative_SetUnraisableHook(capture_unraisable, NULL);
    Py_DECREF(a);
    PyNative_SetUnraisableHook(NULL, NULL);
    CHECK_STR_EQ(evlog, "finally");
    CHECK_EQ_INT(unraisable_calls, 0);
    CHECK_EQ_INT(finalizer_calls, 0);
    CHECK_NO_EXC();
}

/* 107: an aclose() started and not finished (the finally awaits): ag_closed is set, the
 * aclose's send gave the inner await's 'susp' and the agen is running. Dropped, it does not
 * call its finalizer: it is closed instead (the awaited coroutine is closed, GeneratorExit
 * reaches the finally's await). Finishing such an aclose instead ends with StopIteration(). */
static void test_107_aclose_started_no_finalizer(void)
{
    PyObject *fin = make_hook(&finalizer_def, "fin");
    PyObject *a, *c;
    REQUIRE(fin != NULL);
    hooks_reset_counts();
    set_hooks(NULL, fin);

    a = native_new(slowclose_body, CO_ASYNC_GENERATOR, "slowclose", 4);
    REQUIRE(a != NULL);
    CHECK_STR_EQ(ONCE(anext_of(a)), "StopIteration(1)");
    CHECK_EQ_PTR(AG(a)->ag_finalizer, fin);
    log_reset();
    c = aclose_of(a);
    REQUIRE(c != NULL);
    CHECK_STR_EQ(SEND(c, Py_None), "yielded 'susp'");
    CHECK_EQ_INT(AG(a)->ag_closed, 1);
    CHECK_RUNNING(a, 1);
    CHECK_ATTR_IS(a, "ag_await", last_susp);
    Py_DECREF(c);
    unraisable_calls = 0;
    PyNative_SetUnraisableHook(capture_unraisable, NULL);
    Py_DECREF(a);
    PyNative_SetUnraisableHook(NULL, NULL);
    CHECK_EQ_INT(finalizer_calls, 0);
    CHECK_EQ_INT(unraisable_calls, 0);
    CHECK_STR_EQ(evlog, "finally start; finally interrupted");

    /* Finished */
    a = native_new(slowclose_body, CO_ASYNC_GENERATOR, "slowclose", 4);
    REQUIRE(a != NULL);
    CHECK_STR_EQ(ONCE(anext_of(a)), "StopIteration(1)");
    log_reset();
    c = aclose_of(a);
    REQUIRE(c != NULL);
    CHECK_STR_EQ(SEND(c, Py_None), "yielded 'susp'");
    CHECK_STR_EQ(SEND_STR(c, "R"), "StopIteration()");
    CHECK_STR_EQ(evlog, "finally start; susp got 'R'; finally after await 'R'");
    CHECK_RUNNING(a, 0);
    CHECK_FRAME_GONE(a);
    Py_DECREF(c);
    Py_DECREF(a);
    CHECK_EQ_INT(finalizer_calls, 0);

    set_hooks(NULL, NULL);
    Py_DECREF(fin);
    CHECK_NO_EXC();
}

/* 108: a firstiter that raises makes that __anext__() raise its error (no awaitable); the
 * hooks are not retried: the next __anext__() works without calling firstiter, and the
 * finalizer, captured before firstiter was called, is used. The same for asend(), athrow()
 * and aclose(). */
static void test_108_firstiter_raises(void)
{
    static const char *const hows[] = {"asend", "athrow", "aclose"};
    PyObject *fi = make_hook(&firstiter_def, "fi");
    PyObject *fin = make_hook(&finalizer_def, "fin");
    PyObject *a, *aw;
    size_t i;
    REQUIRE(fi != NULL && fin != NULL);
    set_hooks(fi, fin);
    hooks_reset_counts();
    firstiter_raises = 1;
    log_reset();

    a = NEW_BASIC();
    REQUIRE(a != NULL);
    aw = anext_of(a);
    CHECK(aw == NULL);
    Py_XDECREF(aw);
    CHECK_EXC(PyExc_KeyError, "'fi'");
    CHECK_EQ_INT(firstiter_calls, 1);
    CHECK_EQ_INT(AG(a)->ag_hooks_inited, 1);
    CHECK_EQ_PTR(AG(a)->ag_finalizer, fin);

    aw = anext_of(a);
    REQUIRE(aw != NULL);
    CHECK_EQ_PTR(Py_TYPE(aw), &_PyAsyncGenASend_Type);
    CHECK_STR_EQ(SEND(aw, Py_None), "StopIteration(1)");
    Py_DECREF(aw);
    CHECK_EQ_INT(firstiter_calls, 1);
    Py_DECREF(a);
    CHECK_EQ_INT(finalizer_calls, 1);
    CHECK_STR_EQ(evlog, "firstiter; start; finalizer fin");

    for (i = 0; i < sizeof hows / sizeof hows[0]; i++) {
        hooks_reset_counts();
        firstiter_raises = 1;
        a = NEW_BASIC();
        REQUIRE(a != NULL);
        if (i == 0) {
            aw = asend_of(a, Py_None);
        } else if (i == 1) {
            aw = athrow_of(a, 1, PyExc_KeyError);
        } else {
            aw = aclose_of(a);
        }
        if (!CHECK(aw == NULL)) {
            printf("    (first iteration through %s)\n", hows[i]);
        }
        Py_XDECREF(aw);
        CHECK_EXC(PyExc_KeyError, "'fi'");
        CHECK_EQ_INT(firstiter_calls, 1);
        aw = anext_of(a);
        CHECK(aw != NULL);
        Py_XDECREF(aw);
        CHECK_EQ_INT(firstiter_calls, 1);
        Py_DECREF(a);
    }

    set_hooks(NULL, NULL);
    hooks_reset_counts();
    Py_DECREF(fi);
    Py_DECREF(fin);
    CHECK_NO_EXC();
}

/* Item 109 (sys.set_asyncgen_hooks validating its arguments: "callable firstiter expected,
 * got int") belongs to the sys module, which pycoro does not have: not applicable. In its
 * place, the C setters and getters it is built on (as in CPython 3.10, verified with an
 * embedded interpreter): _PyEval_SetAsyncGenFirstiter / _PyEval_SetAsyncGenFinalizer take a
 * new reference to any object (not checked for callability) or NULL, return 0 and store it
 * in the thread state; _PyEval_GetAsyncGenFirstiter / _PyEval_GetAsyncGenFinalizer return it
 * (borrowed) or NULL; replacing or clearing releases the old one. */
static void test_hook_setters_and_getters(void)
{
    PyObject *fn = make_hook(&firstiter_def, "fi");
    PyObject *num = PyLong_FromLong(12345);
    PyThreadState *ts = PyThreadState_Get();
    Py_ssize_t rc_fn, rc_num;
    REQUIRE(fn != NULL && num != NULL);
    rc_fn = Py_REFCNT(fn);
    rc_num = Py_REFCNT(num);

    CHECK(_PyEval_GetAsyncGenFirstiter() == NULL);
    CHECK(_PyEval_GetAsyncGenFinalizer() == NULL);

    CHECK_EQ_INT(_PyEval_SetAsyncGenFirstiter(fn), 0);
    CHECK_EQ_PTR(_PyEval_GetAsyncGenFirstiter(), fn);
    CHECK_EQ_PTR(ts->async_gen_firstiter, fn);
    CHECK_EQ_INT(Py_REFCNT(fn), rc_fn + 1);
    CHECK_EQ_INT(_PyEval_SetAsyncGenFinalizer(fn), 0);
    CHECK_EQ_PTR(_PyEval_GetAsyncGenFinalizer(), fn);
    CHECK_EQ_PTR(ts->async_gen_finalizer, fn);
    CHECK_EQ_INT(Py_REFCNT(fn), rc_fn + 2);

    /* Not checked: an int is accepted; the old hook is released. */
    CHECK_EQ_INT(_PyEval_SetAsyncGenFirstiter(num), 0);
    CHECK_NO_EXC();
    CHECK_EQ_PTR(_PyEval_GetAsyncGenFirstiter(), num);
    CHECK_EQ_INT(Py_REFCNT(num), rc_num + 1);
    CHECK_EQ_INT(Py_REFCNT(fn), rc_fn + 1);

    CHECK_EQ_INT(_PyEval_SetAsyncGenFirstiter(NULL), 0);
    CHECK(_PyEval_GetAsyncGenFirstiter() == NULL);
    CHECK(ts->async_gen_firstiter == NULL);
    CHECK_EQ_INT(Py_REFCNT(num), rc_num);
    CHECK_EQ_INT(_PyEval_SetAsyncGenFinalizer(NULL), 0);
    CHECK(_PyEval_GetAsyncGenFinalizer() == NULL);
    CHECK(ts->async_gen_finalizer == NULL);
    CHECK_EQ_INT(Py_REFCNT(fn), rc_fn);
    CHECK_EQ_INT(_PyEval_SetAsyncGenFinalizer(NULL), 0);
    CHECK_NO_EXC();
    Py_DECREF(fn);
    Py_DECREF(num);
}

/* 110: PyIter_Send(agen, ...) directly (am_send) gives PYGEN_NEXT with an
 * async_generator_wrapped_value for each yield, without initialising the hooks (firstiter is
 * not called, ag_hooks_inited stays 0) and without touching ag_running / ag_closed; at the
 * end PYGEN_RETURN with None and no StopAsyncIteration; exhausted, PYGEN_RETURN(None) again.
 * A non-None value into a just-started agen: PYGEN_ERROR with the TypeError. am_anext then
 * sets ag_hooks_inited (and calls firstiter), and its awaitable gives the yield unwrapped. */
static void test_110_am_send_directly(void)
{
    PyObject *fi = make_hook(&firstiter_def, "fi");
    PyObject *v = PyUnicode_FromString("v");
    PyObject *a = NEW_BASIC();
    PyObject *r = NULL, *aw;
    REQUIRE(fi != NULL && v != NULL && a != NULL);
    set_hooks(fi, NULL);
    hooks_reset_counts();
    log_reset();

    CHECK_EQ_INT(PyIter_Send(a, Py_None, &r), PYGEN_NEXT);
    CHECK(r != NULL && Py_IS_TYPE(r, &_PyAsyncGenWrappedValue_Type));
    if (r != NULL) {
        CHECK_STR_EQ(Py_TYPE(r)->tp_name, "async_generator_wrapped_value");
    }
    Py_XDECREF(r);
    CHECK_EQ_INT(AG(a)->ag_hooks_inited, 0);
    CHECK_EQ_INT(firstiter_calls, 0);
    CHECK_RUNNING(a, 0);

    r = NULL;
    CHECK_EQ_INT(PyIter_Send(a, v, &r), PYGEN_NEXT);
    CHECK(r != NULL && Py_IS_TYPE(r, &_PyAsyncGenWrappedValue_Type));
    Py_XDECREF(r);

    r = NULL;
    CHECK_EQ_INT(PyIter_Send(a, Py_None, &r), PYGEN_RETURN);
    CHECK_EQ_PTR(r, Py_None);
    Py_XDECREF(r);
    CHECK_NO_EXC();
    CHECK_FRAME_GONE(a);
    CHECK_EQ_INT(AG(a)->ag_hooks_inited, 0);
    CHECK_EQ_INT(AG(a)->ag_closed, 0);
    CHECK_EQ_INT(AG(a)->ag_running_async, 0);
    CHECK_STR_EQ(evlog, "start; got 'v'; finally");

    r = NULL;
    CHECK_EQ_INT(PyIter_Send(a, v, &r), PYGEN_RETURN);
    CHECK_EQ_PTR(r, Py_None);
    Py_XDECREF(r);
    CHECK_NO_EXC();
    CHECK_EQ_INT(firstiter_calls, 0);
    Py_DECREF(a);

    /* Non-None into a just-started agen. */
    a = NEW_BASIC();
    REQUIRE(a != NULL);
    r = v;
    CHECK_EQ_INT(PyIter_Send(a, v, &r), PYGEN_ERROR);
    CHECK(r == NULL);
    CHECK_EXC(PyExc_TypeError, "can't send non-None value to a just-started async generator");

    /* am_anext initialises the hooks. */
    aw = anext_of(a);
    REQUIRE(aw != NULL);
    CHECK_EQ_INT(AG(a)->ag_hooks_inited, 1);
    CHECK_EQ_INT(firstiter_calls, 1);
    CHECK_EQ_PTR(firstiter_arg, a);
    r = NULL;
    CHECK_EQ_INT(PyIter_Send(aw, Py_None, &r), PYGEN_RETURN);
    CHECK_EQ_INT(native_long(r), 1);
    Py_XDECREF(r);
    CHECK_RUNNING(a, 0);
    Py_DECREF(aw);
    Py_DECREF(a);

    set_hooks(NULL, NULL);
    hooks_reset_counts();
    Py_DECREF(fi);
    Py_DECREF(v);
    CHECK_NO_EXC();
}

int main(void)
{
    RUN(test_89_aiter_and_anext_awaitable);
    RUN(test_90_values_through_asend);
    RUN(test_90_awaited_from_coroutine);
    RUN(test_91_asend_non_none_just_started);
    RUN(test_92_asend_reuse);
    RUN(test_93_asend_value_override);
    RUN(test_94_already_running);
    RUN(test_94_running_under_coroutine);
    RUN(test_95_retry_after_running_errors);
    RUN(test_96_aclose_suspended);
    RUN(test_97_aclose_ignored_genexit);
    RUN(test_97_after_ignored_genexit);
    RUN(test_98_aclose_just_started);
    RUN(test_99_athrow_send_non_none_in_init);
    RUN(test_100_athrow_caught_and_uncaught);
    RUN(test_101_athrow_exhausted);
    RUN(test_102_athrow_no_arguments);
    RUN(test_102_athrow_bad_argument_count);
    RUN(test_103_athrow_bad_arguments);
    RUN(test_104_asend_throw);
    RUN(test_104_throw_while_running);
    RUN(test_105_firstiter_once);
    RUN(test_106_finalizer_instead_of_close);
    RUN(test_106_finalizer_captured_at_first_iteration);
    RUN(test_106_finalizer_resurrects);
    RUN(test_107_no_finalizer_closes);
    RUN(test_107_aclose_started_no_finalizer);
    RUN(test_108_firstiter_raises);
    RUN(test_hook_setters_and_getters);
    RUN(test_110_am_send_directly);
    return HARNESS_SUMMARY();
}
