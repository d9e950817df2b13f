/*
 * demo.c - what `make demo` builds and runs: native coroutines made and driven with pycoro's
 * C API, no interpreter.
 *
 * A coroutine's frame runs a C function (a "native body") instead of bytecode. The body is a
 * stackless state machine: the runtime calls it each time the coroutine is resumed, and it
 * continues at the label it stored in frame->f_lasti (-1 on the first run). Objects that must
 * survive a suspension live in the frame's slots (f_localsplus[0..nslots)); raw C state lives in
 * PyNative_FrameState(frame). A body awaits by returning PYNATIVE_AWAIT with the awaitable in
 * *out: the runtime drives it (as `await` does) and re-enters the body with its result. See
 * PyNative_Body in include/pycoro.h for the full contract.
 *
 * The program:
 *   async def ticker():            # yields "tick 0", "tick 1", ...; a sent value resets it
 *       n = 0
 *       while True:
 *           try:
 *               v = yield f"tick {n}"       (a native coroutine may yield to its driver)
 *           except KeyError:
 *               return "ticker caught KeyError"
 *           n = 0 if v is not None else n + 1
 *   async def main():
 *       r = await ticker()
 *       return f"main got: {r}"
 * driven from C with PyIter_Send: a KeyError thrown in, a second run closed half-way, a third
 * with a ValueError thrown through both frames (with its traceback). Then:
 *   async def countdown():         # an async generator, driven like `async for` does
 *       try:
 *           forgotten()            # a coroutine never awaited: RuntimeWarning when it dies
 *           for i in (3, 2, 1):
 *               yield i
 *       finally:
 *           print("countdown: finally")
 * and a coroutine kept alive only by a cycle through its own frame, reclaimed by PyGC_Collect.
 */
#include <Python.h>
#include <frameobject.h>
#include <stdio.h>
#include <string.h>

/* Raw C state of a ticker frame: zeroed when the frame is created. */
struct ticker_state {
    long n;
};

enum { LABEL_YIELDED = 1, LABEL_AWAITED = 2 };

static void print_object(const char *label, PyObject *o)
{
    PyObject *r = PyObject_Repr(o);
    printf("%-34s %s\n", label, r ? PyUnicode_AsUTF8(r) : "<repr failed>");
    Py_XDECREF(r);
    PyErr_Clear();
}

/* Prints and clears the pending exception. */
static void print_exception(const char *label)
{
    PyObject *t, *v, *tb;
    PyErr_Fetch(&t, &v, &tb);
    PyErr_NormalizeException(&t, &v, &tb);
    print_object(label, v);
    if (tb != NULL) { /* the traceback: one entry per native frame it left, outermost first */
        PyTracebackObject *entry = (PyTracebackObject *)tb;
        for (; entry != NULL; entry = entry->tb_next) {
            PyCodeObject *code = PyFrame_GetCode(entry->tb_frame);
            printf("%-34s   File \"%s\", line %d, in %s\n", "",
                   PyUnicode_AsUTF8(code->co_filename), entry->tb_lineno,
                   PyUnicode_AsUTF8(code->co_name));
            Py_DECREF(code);
        }
    }
    Py_XDECREF(t);
    Py_XDECREF(v);
    Py_XDECREF(tb);
}

static int ticker_body(PyFrameObject *frame, PyObject *arg, PyObject **out)
{
    struct ticker_state *st = (struct ticker_state *)PyNative_FrameState(frame);
    if (frame->f_lasti == LABEL_YIELDED) {
        if (arg == NULL) { /* thrown in */
            if (!PyErr_ExceptionMatches(PyExc_KeyError)) {
                return PYNATIVE_ERROR; /* GeneratorExit from close(), for one */
            }
            PyErr_Clear();
            *out = PyUnicode_FromString("ticker caught KeyError");
            return *out ? PYNATIVE_RETURN : PYNATIVE_ERROR;
        }
        st->n = arg != Py_None ? 0 : st->n + 1;
    }
    frame->f_lineno = 20 + (int)st->n;
    *out = PyUnicode_FromFormat("tick %ld", st->n);
    if (*out == NULL) {
        return PYNATIVE_ERROR;
    }
    frame->f_lasti = LABEL_YIELDED;
    return PYNATIVE_YIELD;
}

static PyObject *new_coroutine(PyNative_Body body, const char *name, int nslots, size_t state)
{
    PyCodeObject *code = PyNative_NewCode(body, name, "demo.c", 10, CO_COROUTINE, nslots,
                                          (Py_ssize_t)state);
    PyFrameObject *frame;
    if (code == NULL) {
        return NULL;
    }
    frame = PyFrame_New(NULL, code, NULL, NULL);
    Py_DECREF(code);
    if (frame == NULL) {
        return NULL;
    }
    return PyCoro_New(frame, NULL, NULL); /* steals the frame */
}

static int main_body(PyFrameObject *frame, PyObject *arg, PyObject **out)
{
    switch (frame->f_lasti) {
    case -1: {
        PyObject *inner = new_coroutine(ticker_body, "ticker", 0, sizeof(struct ticker_state));
        if (inner == NULL) {
            return PYNATIVE_ERROR;
        }
        frame->f_lineno = 31;
        frame->f_lasti = LABEL_AWAITED;
        *out = inner; /* await ticker() */
        return PYNATIVE_AWAIT;
    }
    case LABEL_AWAITED:
        if (arg == NULL) {
            return PYNATIVE_ERROR; /* ticker raised: propagate */
        }
        *out = PyUnicode_FromFormat("main got: %U", arg);
        return *out ? PYNATIVE_RETURN : PYNATIVE_ERROR;
    }
    PyErr_SetString(PyExc_SystemError, "main_body: bad resume label");
    return PYNATIVE_ERROR;
}

enum { LABEL_COUNTED = 1 };

/* The async generator countdown(): slot 0 holds the forgotten coroutine until its first yield
 * is resumed; the raw state counts down. */
static int countdown_body(PyFrameObject *frame, PyObject *arg, PyObject **out)
{
    long *left = (long *)PyNative_FrameState(frame);
    if (frame->f_lasti == -1) {
        *left = 3;
        frame->f_lineno = 52;
        /* forgotten(): created inside this frame, so its cr_origin names countdown. */
        frame->f_localsplus[0] = new_coroutine(main_body, "forgotten", 0, 0);
        if (frame->f_localsplus[0] == NULL) {
            return PYNATIVE_ERROR;
        }
    } else {
        Py_CLEAR(frame->f_localsplus[0]); /* dies never awaited: the warning */
        if (arg == NULL || --*left == 0) { /* thrown in (aclose), or the loop is over */
            printf("%-34s %s\n", "countdown: finally", arg == NULL ? "(closed)" : "(done)");
            if (arg == NULL) {
                return PYNATIVE_ERROR;
            }
            *out = Py_NewRef(Py_None);
            return PYNATIVE_RETURN;
        }
    }
    frame->f_lineno = 54;
    frame->f_lasti = LABEL_COUNTED;
    *out = PyLong_FromLong(*left); /* yield i */
    return *out ? PYNATIVE_YIELD : PYNATIVE_ERROR;
}

/* A coroutine whose frame holds the coroutine itself: a cycle only the collector reclaims. */
static int selfish_body(PyFrameObject *frame, PyObject *arg, PyObject **out)
{
    if (frame->f_lasti == -1) {
        frame->f_localsplus[0] = Py_NewRef((PyObject *)frame->f_gen);
        frame->f_lasti = LABEL_YIELDED;
        *out = Py_NewRef(Py_None);
        return PYNATIVE_YIELD;
    }
    if (arg == NULL) {
        printf("%-34s %s\n", "selfish: closed by its finalizer", "(GeneratorExit)");
        return PYNATIVE_ERROR;
    }
    *out = Py_NewRef(Py_None);
    return PYNATIVE_RETURN;
}

/* One PyIter_Send, printed. */
static void send(PyObject *coro, PyObject *value)
{
    PyObject *result = NULL;
    char label[64];
    PySendResult r = PyIter_Send(coro, value, &result);
    snprintf(label, sizeof label, "send(%s) ->", value == Py_None ? "None" : "value");
    if (r == PYGEN_NEXT) {
        strcat(label, " PYGEN_NEXT");
        print_object(label, result);
    } else if (r == PYGEN_RETURN) {
        strcat(label, " PYGEN_RETURN");
        print_object(label, result);
    } else {
        strcat(label, " PYGEN_ERROR");
        print_exception(label);
    }
    Py_XDECREF(result);
}

int main(void)
{
    PyObject *coro, *awaiting, *r, *five;

    Py_Initialize();
    printf("--- run 1: await chain, a value sent, a KeyError thrown in\n");
    coro = new_coroutine(main_body, "main", 0, 0);
    if (coro == NULL) {
        print_exception("creating main failed:");
        return 1;
    }
    print_object("created:", coro);
    send(coro, Py_None);
    send(coro, Py_None);
    awaiting = PyObject_GetAttrString(coro, "cr_await");
    print_object("main.cr_await:", awaiting);
    Py_XDECREF(awaiting);
    five = PyLong_FromLong(5);
    send(coro, five);
    Py_DECREF(five);
    r = PyObject_CallMethod(coro, "throw", "O", PyExc_KeyError);
    if (r == NULL) {
        print_exception("throw(KeyError) raised:");
    } else {
        print_object("throw(KeyError) ->", r);
        Py_DECREF(r);
    }
    printf("%-34s %s\n", "main.cr_frame after return:",
           ((PyCoroObject *)coro)->cr_frame == NULL ? "NULL (None)" : "still set");
    send(coro, Py_None);
    Py_DECREF(coro);

    printf("--- run 2: closed while suspended in the await\n");
    coro = new_coroutine(main_body, "main", 0, 0);
    if (coro == NULL) {
        print_exception("creating main failed:");
        return 1;
    }
    send(coro, Py_None);
    r = PyObject_CallMethod(coro, "close", NULL);
    if (r == NULL) {
        print_exception("close() raised:");
    } else {
        print_object("close() ->", r);
        Py_DECREF(r);
    }
    printf("%-34s %s\n", "main.cr_frame after close:",
           ((PyCoroObject *)coro)->cr_frame == NULL ? "NULL (None)" : "still set");
    Py_DECREF(coro);

    printf("--- run 3: a ValueError thrown in propagates out of both frames\n");
    coro = new_coroutine(main_body, "main", 0, 0);
    if (coro == NULL) {
        print_exception("creating main failed:");
        return 1;
    }
    send(coro, Py_None);
    r = PyObject_CallMethod(coro, "throw", "Os", PyExc_ValueError, "bad value");
    if (r == NULL) {
        print_exception("throw(ValueError) raised:");
    } else {
        print_object("throw(ValueError) ->", r);
        Py_DECREF(r);
    }
    Py_DECREF(coro);

    printf("--- run 4: an async generator driven like `async for`, a never-awaited coroutine\n");
    _PyEval_SetCoroutineOriginTrackingDepth(PyThreadState_Get(), 2);
    {
        PyCodeObject *code = PyNative_NewCode(countdown_body, "countdown", "demo.c", 50,
                                              CO_ASYNC_GENERATOR, 1, sizeof(long));
        PyFrameObject *frame = code ? PyFrame_New(NULL, code, NULL, NULL) : NULL;
        PyObject *agen = frame ? PyAsyncGen_New(frame, NULL, NULL) : NULL;
        Py_XDECREF(code);
        if (agen == NULL) {
            print_exception("creating countdown failed:");
            return 1;
        }
        print_object("created:", agen);
        fflush(stdout);
        for (;;) { /* async for i in countdown(): */
            PyObject *step = Py_TYPE(agen)->tp_as_async->am_anext(agen), *i = NULL;
            PySendResult sr = step ? PyIter_Send(step, Py_None, &i) : PYGEN_ERROR;
            Py_XDECREF(step);
            if (sr == PYGEN_RETURN) { /* the asend awaitable finished: a value was yielded */
                print_object("async for got:", i);
                fflush(stdout);
                Py_DECREF(i);
                continue;
            }
            Py_XDECREF(i);
            if (sr == PYGEN_ERROR && PyErr_ExceptionMatches(PyExc_StopAsyncIteration)) {
                PyErr_Clear();
                printf("%-34s %s\n", "async for:", "StopAsyncIteration, loop ends");
            } else {
                print_exception("async for failed:");
            }
            break;
        }
        Py_DECREF(agen);
    }
    _PyEval_SetCoroutineOriginTrackingDepth(PyThreadState_Get(), 0);

    printf("--- run 5: a coroutine in a cycle through its own frame, reclaimed by PyGC_Collect\n");
    coro = new_coroutine(selfish_body, "selfish", 1, 0);
    if (coro == NULL) {
        print_exception("creating selfish failed:");
        return 1;
    }
    send(coro, Py_None);
    printf("%-34s %zd\n", "refcount (caller + own frame):", Py_REFCNT(coro));
    Py_DECREF(coro);
    /* The finalizer's close ended the frame, which let go of the coroutine: nothing was left
     * for tp_clear, so the count (objects still unreachable after finalizers) is 0, as in
     * CPython. */
    printf("%-34s %zd\n", "PyGC_Collect() ->", PyGC_Collect());
    return Py_FinalizeEx() < 0 ? 1 : 0;
}
