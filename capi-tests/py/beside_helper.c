/*
 * beside_helper.c - native coroutine bodies for beside_libpython.py, built as a shared library
 * by tests/beside_libpython.rs and loaded with ctypes (RTLD_LOCAL) into a Python process that
 * already has libpython.
 *
 * The helper is a plugin of libpycoro the way test_dlopen.c is: it calls pycoro only through
 * pointers it gets with dlsym from libpycoro's own handle (beside_init), never through symbol
 * references of its own, which the dynamic linker would resolve to libpython's definitions
 * first (the global scope comes before a library's own dependencies). pycoro.h is included for
 * the types and constants only; none of its functions, data or macros that use them
 * (Py_None, Py_DECREF -> _Py_Dealloc, ...) appear below, and the test checks that this
 * library has no undefined Py* symbol.
 *
 * Bodies (Python equivalents):
 *
 *     async def inner(n):           # n in frame state [0]
 *         x = yield 2 * n
 *         if x == 0: raise ZeroDivisionError("inner got 0")
 *         return 3 * n + x
 *
 *     async def outer():
 *         try:
 *             x = yield 7
 *         except ValueError:
 *             return "caught"
 *         r = await inner(x)
 *         return (r, None)
 *
 * Each body also checks what it is given against pycoro's own objects (the value sent in, the
 * thread state's executing frame) and counts mismatches in `beside_mismatches`.
 */
#include <Python.h>
#include <frameobject.h>

#include <dlfcn.h>
#include <stdio.h>

typedef PyCodeObject *(*new_code_fn)(PyNative_Body, const char *, const char *, int, int, int,
                                     Py_ssize_t);
typedef PyFrameObject *(*frame_new_fn)(PyThreadState *, PyCodeObject *, PyObject *, PyObject *);
typedef PyObject *(*coro_new_fn)(PyFrameObject *, PyObject *, PyObject *);
typedef PyThreadState *(*thread_state_fn)(void);
typedef PyObject *(*long_from_fn)(long);
typedef long (*long_as_fn)(PyObject *);
typedef PyObject *(*str_from_fn)(const char *);
typedef PyObject *(*build_fn)(const char *, ...);
typedef void (*ref_fn)(PyObject *);
typedef void (*set_string_fn)(PyObject *, const char *);
typedef int (*matches_fn)(PyObject *);
typedef void (*clear_fn)(void);
typedef void *(*state_fn)(PyFrameObject *);

static struct {
    new_code_fn new_code;
    frame_new_fn frame_new;
    coro_new_fn coro_new;
    thread_state_fn thread_state;
    long_from_fn long_from;
    long_as_fn long_as;
    str_from_fn str_from;
    build_fn build;
    ref_fn decref;
    set_string_fn set_string;
    matches_fn matches;
    clear_fn clear;
    state_fn frame_state;
    PyObject *none;
    PyTypeObject *long_type;
    PyObject **exc_value_error;
    PyObject **exc_zero_division;
} py;

/* Mismatches the bodies saw (read from Python with c_int.in_dll). */
int beside_mismatches;
/* Times a body ran (read from Python). */
int beside_body_calls;

static char error_text[512];

const char *beside_error(void)
{
    return error_text;
}

#define LOAD(field, name)                                                                      \
    do {                                                                                       \
        *(void **)&py.field = dlsym(lib, (name));                                              \
        if (py.field == NULL) {                                                                \
            snprintf(error_text, sizeof error_text, "dlsym(%s): %s", (name), dlerror());       \
            return -1;                                                                         \
        }                                                                                      \
    } while (0)

/* Finds pycoro's functions and data in the copy of `path` already loaded. 0, or -1 (see
 * beside_error()). */
int beside_init(const char *path)
{
    void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_NOLOAD);
    if (lib == NULL) {
        snprintf(error_text, sizeof error_text, "dlopen(%s, RTLD_NOLOAD): %s", path, dlerror());
        return -1;
    }
    LOAD(new_code, "PyNative_NewCode");
    LOAD(frame_new, "PyFrame_New");
    LOAD(coro_new, "PyCoro_New");
    LOAD(thread_state, "PyThreadState_Get");
    LOAD(long_from, "PyLong_FromLong");
    LOAD(long_as, "PyLong_AsLong");
    LOAD(str_from, "PyUnicode_FromString");
    LOAD(build, "Py_BuildValue");
    LOAD(decref, "Py_DecRef");
    LOAD(set_string, "PyErr_SetString");
    LOAD(matches, "PyErr_ExceptionMatches");
    LOAD(clear, "PyErr_Clear");
    LOAD(frame_state, "PyNative_FrameState");
    LOAD(none, "_Py_NoneStruct");
    LOAD(long_type, "PyLong_Type");
    LOAD(exc_value_error, "PyExc_ValueError");
    LOAD(exc_zero_division, "PyExc_ZeroDivisionError");
    return 0;
}

/* The running frame is pycoro's thread state's executing frame. */
static void check_running(PyFrameObject *f)
{
    PyThreadState *ts = py.thread_state();
    beside_body_calls++;
    if (ts == NULL || ts->frame != f || f->f_state != FRAME_EXECUTING) {
        beside_mismatches++;
    }
}

int beside_inner_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    long *st = (long *)py.frame_state(f);
    long x;
    check_running(f);
    if (f->f_lasti < 0) {
        if (arg != py.none) {
            beside_mismatches++;
        }
        f->f_lasti = 0;
        *out = py.long_from(2 * st[0]);
        return PYNATIVE_YIELD;
    }
    if (arg == NULL) {
        return PYNATIVE_ERROR;
    }
    if (Py_TYPE(arg) != py.long_type) {
        beside_mismatches++;
    }
    x = py.long_as(arg);
    if (x == 0) {
        f->f_lineno = 42;
        py.set_string(*py.exc_zero_division, "inner got 0");
        return PYNATIVE_ERROR;
    }
    *out = py.long_from(3 * st[0] + x);
    return PYNATIVE_RETURN;
}

/* inner(n): a new coroutine, or NULL with an exception set. */
static PyObject *new_inner(long n)
{
    PyCodeObject *code = py.new_code(beside_inner_body, "inner", "beside_helper.c", 20,
                                     CO_COROUTINE, 2, 16);
    PyFrameObject *frame;
    if (code == NULL) {
        return NULL;
    }
    frame = py.frame_new(py.thread_state(), code, NULL, NULL);
    py.decref((PyObject *)code);
    if (frame == NULL) {
        return NULL;
    }
    ((long *)py.frame_state(frame))[0] = n;
    return py.coro_new(frame, NULL, NULL);
}

int beside_outer_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    PyObject *inner;
    check_running(f);
    switch (f->f_lasti) {
    case -1:
        if (arg != py.none) {
            beside_mismatches++;
        }
        f->f_lasti = 0;
        *out = py.long_from(7);
        return PYNATIVE_YIELD;
    case 0:
        if (arg == NULL) {
            if (py.matches(*py.exc_value_error)) {
                py.clear();
                *out = py.str_from("caught");
                return PYNATIVE_RETURN;
            }
            return PYNATIVE_ERROR;
        }
        if (Py_TYPE(arg) != py.long_type) {
            beside_mismatches++;
        }
        inner = new_inner(py.long_as(arg));
        if (inner == NULL) {
            return PYNATIVE_ERROR;
        }
        f->f_lasti = 1;
        *out = inner;
        return PYNATIVE_AWAIT;
    case 1:
        if (arg == NULL) {
            return PYNATIVE_ERROR;
        }
        /* (r, None): "O" takes a new reference to each. */
        *out = py.build("(OO)", arg, py.none);
        return *out != NULL ? PYNATIVE_RETURN : PYNATIVE_ERROR;
    }
    py.set_string(*py.exc_value_error, "bad label");
    return PYNATIVE_ERROR;
}
