/*
 * Code objects and frames: PyNative_NewCode (the native-body extension), PyCode_NewEmpty,
 * PyCode_Type, PyFrame_New, PyFrame_GetCode/GetBack/GetLineNumber, PyNative_FrameState,
 * PyFrame_Type, their reprs, errors and reference counts.
 *
 * Numbers in comments refer to the conformance checklist (reference §4) and to the CPython
 * 3.10.13 measurements in FACTS §9 (PyFrame_New / PyCode_NewEmpty) and §3 (type objects).
 */
#include <Python.h>
#include <frameobject.h>
#include <stdint.h>

#include "harness.h"

/* A body that is never run here (running frames is issue 3). */
static int never_run(PyFrameObject *frame, PyObject *arg, PyObject **out)
{
    (void)frame;
    (void)arg;
    (void)out;
    PyErr_SetString(PyExc_RuntimeError, "never_run was run");
    return PYNATIVE_ERROR;
}

/* --- code objects ------------------------------------------------------------------------ */

static void test_native_code_fields(void)
{
    PyCodeObject *co = PyNative_NewCode(never_run, "body", "mod.c", 12, CO_COROUTINE, 3, 40);
    REQUIRE(co != NULL);
    CHECK_EQ_PTR(Py_TYPE(co), &PyCode_Type);
    CHECK(PyCode_Check(co));
    CHECK_EQ_INT(Py_REFCNT(co), 1);
    CHECK_EQ_INT(co->co_argcount, 0);
    CHECK_EQ_INT(co->co_posonlyargcount, 0);
    CHECK_EQ_INT(co->co_kwonlyargcount, 0);
    CHECK_EQ_INT(co->co_nlocals, 3);
    CHECK_EQ_INT(co->co_stacksize, 1);
    CHECK_EQ_INT(co->co_flags, CO_COROUTINE | CO_NOFREE);
    CHECK_EQ_INT(co->co_firstlineno, 12);
    CHECK_EQ_PTR(co->co_code, NULL);
    CHECK_EQ_PTR(co->co_linetable, NULL);
    REQUIRE(co->co_consts != NULL);
    CHECK(PyTuple_CheckExact(co->co_consts));
    CHECK_EQ_INT(PyTuple_GET_SIZE(co->co_consts), 0);
    CHECK_EQ_PTR(co->co_names, co->co_consts);
    CHECK_EQ_PTR(co->co_varnames, co->co_consts);
    CHECK_EQ_PTR(co->co_freevars, co->co_consts);
    CHECK_EQ_PTR(co->co_cellvars, co->co_consts);
    REQUIRE(co->co_name != NULL && co->co_filename != NULL);
    CHECK(PyUnicode_CheckExact(co->co_name));
    CHECK(PyUnicode_CheckExact(co->co_filename));
    CHECK_STR_EQ(PyUnicode_AsUTF8(co->co_name), "body");
    CHECK_STR_EQ(PyUnicode_AsUTF8(co->co_filename), "mod.c");
    CHECK_EQ_PTR(co->co_cell2arg, NULL);
    CHECK_EQ_PTR(co->co_zombieframe, NULL);
    CHECK_EQ_PTR(co->co_weakreflist, NULL);
    CHECK_EQ_PTR(co->co_extra, NULL);
    CHECK(PyNative_CodeBody(co) == never_run);
    CHECK_NO_EXC();
    Py_DECREF(co);
}

static void test_native_code_accepts_every_kind(void)
{
    static const int kinds[] = {0,
                                CO_GENERATOR,
                                CO_COROUTINE,
                                CO_ASYNC_GENERATOR,
                                CO_GENERATOR | CO_ITERABLE_COROUTINE,
                                CO_OPTIMIZED | CO_NEWLOCALS | CO_NOFREE};
    size_t i;
    for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        PyCodeObject *co = PyNative_NewCode(never_run, "k", "k.c", 1, kinds[i], 0, 0);
        CHECK(co != NULL);
        if (co != NULL) {
            CHECK_EQ_INT(co->co_flags, kinds[i] | CO_NOFREE);
            CHECK_EQ_INT(co->co_nlocals, 0);
            Py_DECREF(co);
        }
    }
    CHECK_NO_EXC();
}

static void test_native_code_errors(void)
{
    CHECK_EQ_PTR(PyNative_NewCode(NULL, "f", "f.c", 1, CO_COROUTINE, 0, 0), NULL);
    CHECK_EXC(PyExc_SystemError, "bad argument to internal function");
    CHECK_EQ_PTR(PyNative_NewCode(never_run, NULL, "f.c", 1, CO_COROUTINE, 0, 0), NULL);
    CHECK_EXC(PyExc_SystemError, "bad argument to internal function");
    CHECK_EQ_PTR(PyNative_NewCode(never_run, "f", NULL, 1, CO_COROUTINE, 0, 0), NULL);
    CHECK_EXC(PyExc_SystemError, "bad argument to internal function");

    CHECK_EQ_PTR(PyNative_NewCode(never_run, "f", "f.c", 1, 0x400, 0, 0), NULL);
    CHECK_EXC(PyExc_ValueError, "PyNative_NewCode: unknown flag bits 0x400 in flags 0x400");
    CHECK_EQ_PTR(PyNative_NewCode(never_run, "f", "f.c", 1, CO_COROUTINE | 0x20000, 0, 0), NULL);
    CHECK_EXC(PyExc_ValueError, "PyNative_NewCode: unknown flag bits 0x20000 in flags 0x20080");
    CHECK_EQ_PTR(PyNative_NewCode(never_run, "f", "f.c", 1, CO_GENERATOR | CO_COROUTINE, 0, 0),
                 NULL);
    CHECK_EXC(PyExc_ValueError, "PyNative_NewCode: flags may contain only one of CO_GENERATOR, "
                                "CO_COROUTINE and CO_ASYNC_GENERATOR");
    CHECK_EQ_PTR(
        PyNative_NewCode(never_run, "f", "f.c", 1, CO_COROUTINE | CO_ASYNC_GENERATOR, 0, 0), NULL);
    CHECK_EXC(PyExc_ValueError, "PyNative_NewCode: flags may contain only one of CO_GENERATOR, "
                                "CO_COROUTINE and CO_ASYNC_GENERATOR");
    CHECK_EQ_PTR(PyNative_NewCode(never_run, "f", "f.c", 1, CO_GENERATOR | CO_ASYNC_GENERATOR,
                                  0, 0),
                 NULL);
    CHECK_EXC(PyExc_ValueError, NULL);
    CHECK_EQ_PTR(PyNative_NewCode(never_run, "f", "f.c", 1, CO_COROUTINE, -1, 0), NULL);
    CHECK_EXC(PyExc_ValueError, "PyNative_NewCode: nslots must be >= 0, not -1");
    CHECK_EQ_PTR(PyNative_NewCode(never_run, "f", "f.c", 1, CO_COROUTINE, 0, -8), NULL);
    CHECK_EXC(PyExc_ValueError, "PyNative_NewCode: state_size must be >= 0, not -8");

    CHECK_EQ_PTR(PyNative_NewCode(never_run, "f\xff", "f.c", 1, CO_COROUTINE, 0, 0), NULL);
    CHECK_EXC(PyExc_UnicodeDecodeError,
              "'utf-8' codec can't decode byte 0xff in position 1: invalid start byte");
    CHECK_EQ_PTR(PyNative_NewCode(never_run, "f", "\xc3", 1, CO_COROUTINE, 0, 0), NULL);
    CHECK_EXC(PyExc_UnicodeDecodeError,
              "'utf-8' codec can't decode byte 0xc3 in position 0: unexpected end of data");
}

static void test_native_code_non_ascii_names(void)
{
    PyCodeObject *co = PyNative_NewCode(never_run, "caf\xc3\xa9", "d\xc3\xa9mo.c", 3, 0, 0, 0);
    char expected[160];
    REQUIRE(co != NULL);
    CHECK_STR_EQ(PyUnicode_AsUTF8(co->co_name), "caf\xc3\xa9");
    snprintf(expected, sizeof expected, "<code object caf\xc3\xa9 at %p, file \"d\xc3\xa9mo.c\", line 3>",
             (void *)co);
    CHECK_REPR((PyObject *)co, expected);
    Py_DECREF(co);
}

static void test_code_body_accessor(void)
{
    PyCodeObject *empty = PyCode_NewEmpty("e.py", "e", 1);
    PyObject *s = PyUnicode_FromString("not code");
    REQUIRE(empty != NULL && s != NULL);
    /* No body: NULL without an error. */
    CHECK(PyNative_CodeBody(empty) == NULL);
    CHECK_NO_EXC();
    CHECK(PyNative_CodeBody(NULL) == NULL);
    CHECK_EXC(PyExc_SystemError, "bad argument to internal function");
    CHECK(PyNative_CodeBody((PyCodeObject *)s) == NULL);
    CHECK_EXC(PyExc_SystemError, "bad argument to internal function");
    Py_DECREF(empty);
    Py_DECREF(s);
}

/* FACTS §9: PyCode_NewEmpty("f.py","fn",7). */
static void test_code_new_empty(void)
{
    PyCodeObject *co = PyCode_NewEmpty("f.py", "fn", 7);
    char expected[128];
    REQUIRE(co != NULL);
    CHECK_EQ_PTR(Py_TYPE(co), &PyCode_Type);
    CHECK_EQ_INT(Py_REFCNT(co), 1);
    CHECK_EQ_INT(co->co_argcount, 0);
    CHECK_EQ_INT(co->co_posonlyargcount, 0);
    CHECK_EQ_INT(co->co_kwonlyargcount, 0);
    CHECK_EQ_INT(co->co_nlocals, 0);
    CHECK_EQ_INT(co->co_stacksize, 0);
    CHECK_EQ_INT(co->co_flags, 0x40);
    CHECK_EQ_INT(co->co_firstlineno, 7);
    CHECK_STR_EQ(PyUnicode_AsUTF8(co->co_filename), "f.py");
    CHECK_STR_EQ(PyUnicode_AsUTF8(co->co_name), "fn");
    /* pycoro has no bytes type: CPython's b'' is NULL here. */
    CHECK_EQ_PTR(co->co_code, NULL);
    CHECK_EQ_PTR(co->co_linetable, NULL);
    REQUIRE(co->co_consts != NULL);
    CHECK(PyTuple_CheckExact(co->co_consts));
    CHECK_EQ_INT(PyTuple_GET_SIZE(co->co_consts), 0);
    CHECK(PyTuple_CheckExact(co->co_names) && PyTuple_GET_SIZE(co->co_names) == 0);
    CHECK(PyTuple_CheckExact(co->co_varnames) && PyTuple_GET_SIZE(co->co_varnames) == 0);
    CHECK(PyTuple_CheckExact(co->co_freevars) && PyTuple_GET_SIZE(co->co_freevars) == 0);
    CHECK(PyTuple_CheckExact(co->co_cellvars) && PyTuple_GET_SIZE(co->co_cellvars) == 0);
    CHECK_EQ_PTR(co->co_cell2arg, NULL);
    CHECK_EQ_PTR(co->co_zombieframe, NULL);
    CHECK_EQ_PTR(co->co_weakreflist, NULL);
    CHECK_EQ_PTR(co->co_extra, NULL);
    CHECK_EQ_PTR(co->co_opcache_map, NULL);
    CHECK_EQ_PTR(co->co_opcache, NULL);
    CHECK_EQ_INT(co->co_opcache_flag, 0);
    CHECK_EQ_INT(co->co_opcache_size, 0);
    snprintf(expected, sizeof expected, "<code object fn at %p, file \"f.py\", line 7>", (void *)co);
    CHECK_REPR((PyObject *)co, expected);
    CHECK_STR((PyObject *)co, expected);
    Py_DECREF(co);
}

static void test_code_new_empty_errors(void)
{
    CHECK_EQ_PTR(PyCode_NewEmpty(NULL, "fn", 1), NULL);
    CHECK_EXC(PyExc_SystemError, "bad argument to internal function");
    CHECK_EQ_PTR(PyCode_NewEmpty("f.py", NULL, 1), NULL);
    CHECK_EXC(PyExc_SystemError, "bad argument to internal function");
    CHECK_EQ_PTR(PyCode_NewEmpty("f.py", "\x80", 1), NULL);
    CHECK_EXC(PyExc_UnicodeDecodeError, NULL);
}

/* FACTS §3: code basic=176 in CPython; pycoro's code objects carry the native extension. */
static void test_code_type(void)
{
    CHECK_STR_EQ(PyCode_Type.tp_name, "code");
    CHECK(PyCode_Type.tp_basicsize > (Py_ssize_t)sizeof(PyCodeObject));
    CHECK_EQ_INT(sizeof(PyCodeObject), 176);
    CHECK_EQ_INT(PyCode_Type.tp_itemsize, 0);
    CHECK(PyCode_Type.tp_flags & Py_TPFLAGS_READY);
    CHECK(!(PyCode_Type.tp_flags & Py_TPFLAGS_HAVE_GC));
    CHECK(PyCode_Type.tp_dealloc != NULL);
    CHECK(PyCode_Type.tp_repr != NULL);
}

/* --- frames ------------------------------------------------------------------------------ */

/* Checklist 6 and FACTS §3: frame basic=360 item=8 flags 0x5180. */
static void test_frame_type(void)
{
    CHECK_STR_EQ(PyFrame_Type.tp_name, "frame");
    CHECK_EQ_INT(PyFrame_Type.tp_basicsize, 360);
    CHECK_EQ_INT(PyFrame_Type.tp_itemsize, 8);
    CHECK_EQ_INT(PyFrame_Type.tp_flags & ~Py_TPFLAGS_VALID_VERSION_TAG, 0x5180);
    CHECK(!(PyFrame_Type.tp_flags & Py_TPFLAGS_BASETYPE));
    CHECK(PyFrame_Type.tp_traverse != NULL);
    CHECK(PyFrame_Type.tp_clear != NULL);
    CHECK(PyFrame_Type.tp_dealloc != NULL);
    CHECK(PyFrame_Type.tp_free == PyObject_GC_Del);
    /* Checklist 12: frame states. */
    CHECK_EQ_INT(FRAME_CREATED, -2);
    CHECK_EQ_INT(FRAME_SUSPENDED, -1);
    CHECK_EQ_INT(FRAME_EXECUTING, 0);
    CHECK_EQ_INT(FRAME_RETURNED, 1);
    CHECK_EQ_INT(FRAME_UNWINDING, 2);
    CHECK_EQ_INT(FRAME_RAISED, 3);
    CHECK_EQ_INT(FRAME_CLEARED, 4);
    CHECK_EQ_INT(sizeof(PyFrameState), 1);
}

/* FACTS §9: PyFrame_New(ts, empty code, globals, NULL). */
static void test_frame_new_empty_code(void)
{
    PyThreadState *ts = PyThreadState_Get();
    PyCodeObject *co = PyCode_NewEmpty("f.py", "fn", 7);
    PyObject *globals = PyUnicode_FromString("globals stand-in");
    PyFrameObject *f;
    char expected[128];
    REQUIRE(co != NULL && globals != NULL);
    CHECK_EQ_PTR(ts->frame, NULL);
    f = PyFrame_New(ts, co, globals, NULL);
    REQUIRE(f != NULL);
    CHECK_EQ_PTR(Py_TYPE(f), &PyFrame_Type);
    CHECK(PyFrame_Check(f));
    CHECK_EQ_INT(Py_REFCNT(f), 1);
    CHECK_EQ_INT(PyObject_GC_IsTracked((PyObject *)f), 1);
    CHECK_EQ_INT(Py_REFCNT(co), 2);
    CHECK_EQ_INT(Py_REFCNT(globals), 2);
    CHECK_EQ_PTR(f->f_code, co);
    CHECK_EQ_PTR(f->f_globals, globals);
    CHECK_EQ_PTR(f->f_locals, NULL);
    CHECK_EQ_PTR(f->f_builtins, NULL);
    CHECK_EQ_PTR(f->f_back, NULL);
    CHECK_EQ_PTR(f->f_trace, NULL);
    CHECK_EQ_PTR(f->f_gen, NULL);
    CHECK_EQ_INT(f->f_lasti, -1);
    CHECK_EQ_INT(f->f_lineno, 0);
    CHECK_EQ_INT(f->f_state, FRAME_CREATED);
    CHECK_EQ_INT(f->f_stackdepth, 0);
    CHECK_EQ_INT(f->f_iblock, 0);
    CHECK_EQ_INT(f->f_trace_lines, 1);
    CHECK_EQ_INT(f->f_trace_opcodes, 0);
    CHECK_EQ_PTR(f->f_valuestack, f->f_localsplus);
    CHECK_EQ_INT(Py_SIZE(f), 0);
    CHECK(_PyFrame_IsRunnable(f));
    CHECK(!_PyFrame_IsExecuting(f));
    CHECK(!_PyFrameHasCompleted(f));
    /* f_lineno is 0, so the line is co_firstlineno (CPython: 7). */
    CHECK_EQ_INT(PyFrame_GetLineNumber(f), 7);
    snprintf(expected, sizeof expected, "<frame at %p, file 'f.py', line 7, code fn>", (void *)f);
    CHECK_REPR((PyObject *)f, expected);
    Py_DECREF(f);
    CHECK_EQ_INT(Py_REFCNT(co), 1);
    CHECK_EQ_INT(Py_REFCNT(globals), 1);
    Py_DECREF(co);
    Py_DECREF(globals);
}

static void test_frame_new_native_code(void)
{
    PyCodeObject *co = PyNative_NewCode(never_run, "body", "mod.c", 20, CO_COROUTINE, 3, 0);
    PyObject *locals = PyUnicode_FromString("locals stand-in");
    PyFrameObject *f;
    Py_ssize_t i;
    REQUIRE(co != NULL && locals != NULL);
    /* A NULL tstate means the calling thread's; globals may be NULL in pycoro. */
    f = PyFrame_New(NULL, co, NULL, locals);
    REQUIRE(f != NULL);
    CHECK_EQ_INT(Py_REFCNT(co), 2);
    CHECK_EQ_INT(Py_REFCNT(locals), 2);
    CHECK_EQ_PTR(f->f_globals, NULL);
    CHECK_EQ_PTR(f->f_locals, locals);
    /* 3 slots + 1 stack entry, no state. */
    CHECK_EQ_INT(Py_SIZE(f), 4);
    CHECK_EQ_PTR(f->f_valuestack, f->f_localsplus + 3);
    for (i = 0; i < 4; i++) {
        CHECK_EQ_PTR(f->f_localsplus[i], NULL);
    }
    CHECK_EQ_INT(f->f_lasti, -1);
    CHECK_EQ_INT(f->f_state, -2);
    CHECK_EQ_INT(f->f_stackdepth, 0);
    CHECK_EQ_INT(PyObject_GC_IsTracked((PyObject *)f), 1);
    /* No state: NULL without an error. */
    CHECK_EQ_PTR(PyNative_FrameState(f), NULL);
    CHECK_NO_EXC();
    /* The body may set f_lineno; the line number follows it. */
    CHECK_EQ_INT(PyFrame_GetLineNumber(f), 20);
    f->f_lineno = 25;
    CHECK_EQ_INT(PyFrame_GetLineNumber(f), 25);
    Py_DECREF(f);
    CHECK_EQ_INT(Py_REFCNT(co), 1);
    CHECK_EQ_INT(Py_REFCNT(locals), 1);
    Py_DECREF(co);
    Py_DECREF(locals);
}

/* Slots and the live part of the value stack are owned by the frame and released with it. */
static void test_frame_releases_slots_and_stack(void)
{
    PyCodeObject *co = PyNative_NewCode(never_run, "b", "b.c", 1, CO_GENERATOR, 2, 0);
    PyObject *a = PyUnicode_FromString("slot value a");
    PyObject *b = PyUnicode_FromString("slot value b");
    PyObject *delegate = PyUnicode_FromString("delegate");
    PyFrameObject *f;
    REQUIRE(co != NULL && a != NULL && b != NULL && delegate != NULL);
    f = PyFrame_New(NULL, co, NULL, NULL);
    REQUIRE(f != NULL);
    f->f_localsplus[0] = Py_NewRef(a);
    f->f_localsplus[1] = Py_NewRef(b);
    f->f_valuestack[0] = Py_NewRef(delegate);
    f->f_stackdepth = 1;
    CHECK_EQ_INT(Py_REFCNT(a), 2);
    CHECK_EQ_INT(Py_REFCNT(b), 2);
    CHECK_EQ_INT(Py_REFCNT(delegate), 2);
    Py_DECREF(f);
    CHECK_EQ_INT(Py_REFCNT(a), 1);
    CHECK_EQ_INT(Py_REFCNT(b), 1);
    CHECK_EQ_INT(Py_REFCNT(delegate), 1);
    Py_DECREF(a);
    Py_DECREF(b);
    Py_DECREF(delegate);
    Py_DECREF(co);
}

/* A value stack entry above f_stackdepth is not the frame's and is not released. */
static void test_frame_stack_beyond_depth_is_not_released(void)
{
    PyCodeObject *co = PyNative_NewCode(never_run, "b", "b.c", 1, CO_GENERATOR, 0, 0);
    PyObject *stale = PyUnicode_FromString("stale");
    PyFrameObject *f;
    REQUIRE(co != NULL && stale != NULL);
    f = PyFrame_New(NULL, co, NULL, NULL);
    REQUIRE(f != NULL);
    f->f_valuestack[0] = stale; /* borrowed, depth stays 0 */
    Py_DECREF(f);
    CHECK_EQ_INT(Py_REFCNT(stale), 1);
    Py_DECREF(stale);
    Py_DECREF(co);
}

static void check_state(int nslots, Py_ssize_t state_size, Py_ssize_t expected_size)
{
    PyCodeObject *co = PyNative_NewCode(never_run, "s", "s.c", 1, CO_COROUTINE, nslots, state_size);
    PyFrameObject *f;
    unsigned char *state;
    Py_ssize_t i;
    int zero = 1;
    REQUIRE(co != NULL);
    f = PyFrame_New(NULL, co, NULL, NULL);
    REQUIRE(f != NULL);
    CHECK_EQ_INT(Py_SIZE(f), expected_size);
    state = (unsigned char *)PyNative_FrameState(f);
    REQUIRE(state != NULL);
    CHECK_EQ_INT((uintptr_t)state % 16, 0);
    /* After the slots and the stack, inside the frame's items. */
    CHECK((void *)state >= (void *)(f->f_valuestack + 1));
    CHECK((void *)(state + state_size) <= (void *)(f->f_localsplus + Py_SIZE(f)));
    for (i = 0; i < state_size; i++) {
        zero &= state[i] == 0;
    }
    CHECK(zero);
    /* The body owns the bytes: writing all of them is fine (ASan/valgrind check the bounds). */
    memset(state, 0xab, (size_t)state_size);
    CHECK_EQ_PTR(PyNative_FrameState(f), state);
    Py_DECREF(f);
    Py_DECREF(co);
}

static void test_frame_state_bytes(void)
{
    /* 0 slots + 1 stack = 1 word, padded to 2, + 1 state word. */
    check_state(0, 1, 3);
    /* 1 slot + 1 stack = 2 words, + 3 state words (17 bytes). */
    check_state(1, 17, 5);
    /* 2 slots + 1 stack = 3 words, padded to 4, + 4 state words. */
    check_state(2, 32, 8);
    check_state(5, 1000, 6 + 125);
}

static void test_frame_new_errors(void)
{
    PyObject *s = PyUnicode_FromString("not code");
    REQUIRE(s != NULL);
    CHECK_EQ_PTR(PyFrame_New(NULL, NULL, NULL, NULL), NULL);
    CHECK_EXC(PyExc_SystemError, "bad argument to internal function");
    CHECK_EQ_PTR(PyFrame_New(NULL, (PyCodeObject *)s, NULL, NULL), NULL);
    CHECK_EXC(PyExc_SystemError, "bad argument to internal function");
    CHECK_EQ_INT(Py_REFCNT(s), 1);
    Py_DECREF(s);
}

static void test_frame_getters(void)
{
    PyCodeObject *co = PyNative_NewCode(never_run, "g", "g.c", 4, 0, 0, 0);
    PyFrameObject *outer, *inner, *back;
    PyCodeObject *got;
    REQUIRE(co != NULL);
    outer = PyFrame_New(NULL, co, NULL, NULL);
    inner = PyFrame_New(NULL, co, NULL, NULL);
    REQUIRE(outer != NULL && inner != NULL);
    CHECK_EQ_INT(Py_REFCNT(co), 3);

    got = PyFrame_GetCode(inner);
    CHECK_EQ_PTR(got, co);
    CHECK_EQ_INT(Py_REFCNT(co), 4);
    Py_XDECREF(got);

    CHECK_EQ_PTR(PyFrame_GetBack(inner), NULL);
    CHECK_NO_EXC();
    /* f_back is what issue 3's runtime links while a frame runs; link it by hand here. */
    inner->f_back = (PyFrameObject *)Py_NewRef(outer);
    CHECK_EQ_INT(Py_REFCNT(outer), 2);
    back = PyFrame_GetBack(inner);
    CHECK_EQ_PTR(back, outer);
    CHECK_EQ_INT(Py_REFCNT(outer), 3);
    Py_XDECREF(back);
    /* Releasing inner releases its f_back. */
    Py_DECREF(inner);
    CHECK_EQ_INT(Py_REFCNT(outer), 1);
    Py_DECREF(outer);
    CHECK_EQ_INT(Py_REFCNT(co), 1);
    Py_DECREF(co);
}

static void test_frame_getter_errors(void)
{
    PyObject *s = PyUnicode_FromString("not a frame");
    REQUIRE(s != NULL);
    CHECK_EQ_PTR(PyFrame_GetCode(NULL), NULL);
    CHECK_EXC(PyExc_SystemError, "bad argument to internal function");
    CHECK_EQ_PTR(PyFrame_GetCode((PyFrameObject *)s), NULL);
    CHECK_EXC(PyExc_SystemError, "bad argument to internal function");
    CHECK_EQ_PTR(PyFrame_GetBack(NULL), NULL);
    CHECK_EXC(PyExc_SystemError, "bad argument to internal function");
    CHECK_EQ_PTR(PyFrame_GetBack((PyFrameObject *)s), NULL);
    CHECK_EXC(PyExc_SystemError, "bad argument to internal function");
    CHECK_EQ_INT(PyFrame_GetLineNumber(NULL), -1);
    CHECK_EXC(PyExc_SystemError, "bad argument to internal function");
    CHECK_EQ_INT(PyFrame_GetLineNumber((PyFrameObject *)s), -1);
    CHECK_EXC(PyExc_SystemError, "bad argument to internal function");
    CHECK_EQ_PTR(PyNative_FrameState(NULL), NULL);
    CHECK_EXC(PyExc_SystemError, "bad argument to internal function");
    CHECK_EQ_PTR(PyNative_FrameState((PyFrameObject *)s), NULL);
    CHECK_EXC(PyExc_SystemError, "bad argument to internal function");
    Py_DECREF(s);
}

/* tp_clear (the collector's) marks the frame cleared and releases its slots. */
static void test_frame_tp_clear(void)
{
    PyCodeObject *co = PyNative_NewCode(never_run, "c", "c.c", 1, CO_GENERATOR, 1, 0);
    PyObject *v = PyUnicode_FromString("slot");
    PyFrameObject *f;
    REQUIRE(co != NULL && v != NULL);
    f = PyFrame_New(NULL, co, NULL, NULL);
    REQUIRE(f != NULL);
    f->f_localsplus[0] = Py_NewRef(v);
    CHECK_EQ_INT(PyFrame_Type.tp_clear((PyObject *)f), 0);
    CHECK_EQ_PTR(f->f_localsplus[0], NULL);
    CHECK_EQ_INT(f->f_state, FRAME_CLEARED);
    CHECK_EQ_INT(Py_REFCNT(v), 1);
    CHECK_EQ_PTR(f->f_code, co);
    Py_DECREF(f);
    Py_DECREF(v);
    Py_DECREF(co);
}

static int count_visit(PyObject *obj, void *arg)
{
    (void)obj;
    (*(int *)arg)++;
    return 0;
}

static void test_frame_traverse(void)
{
    PyCodeObject *co = PyNative_NewCode(never_run, "t", "t.c", 1, CO_GENERATOR, 2, 0);
    PyObject *v = PyUnicode_FromString("slot");
    PyFrameObject *f;
    int visited = 0;
    REQUIRE(co != NULL && v != NULL);
    f = PyFrame_New(NULL, co, v, NULL);
    REQUIRE(f != NULL);
    f->f_localsplus[1] = Py_NewRef(v);
    /* f_code, f_globals, slot 1. */
    CHECK_EQ_INT(PyFrame_Type.tp_traverse((PyObject *)f, count_visit, &visited), 0);
    CHECK_EQ_INT(visited, 3);
    Py_DECREF(f);
    CHECK_EQ_INT(Py_REFCNT(v), 1);
    Py_DECREF(v);
    Py_DECREF(co);
}

int main(void)
{
    RUN(test_native_code_fields);
    RUN(test_native_code_accepts_every_kind);
    RUN(test_native_code_errors);
    RUN(test_native_code_non_ascii_names);
    RUN(test_code_body_accessor);
    RUN(test_code_new_empty);
    RUN(test_code_new_empty_errors);
    RUN(test_code_type);
    RUN(test_frame_type);
    RUN(test_frame_new_empty_code);
    RUN(test_frame_new_native_code);
    RUN(test_frame_releases_slots_and_stack);
    RUN(test_frame_stack_beyond_depth_is_not_released);
    RUN(test_frame_state_bytes);
    RUN(test_frame_new_errors);
    RUN(test_frame_getters);
    RUN(test_frame_getter_errors);
    RUN(test_frame_tp_clear);
    RUN(test_frame_traverse);
    return HARNESS_SUMMARY();
}
