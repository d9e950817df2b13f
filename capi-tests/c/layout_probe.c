/*
 * layout_probe.c - the C compiler's view of include/pycoro.h against CPython 3.10.13's numbers
 * (x86_64; reference cpython310-genobject.md §1.1/§1.2). No libclang needed.
 *
 * Each number is asserted twice: at compile time (_Static_assert, so a wrong header does not
 * even build) and at run time, where the probe also prints the table in the format of the
 * reference's layout310.c, to diff against it. One test per struct.
 */
#include "harness.h"

#include <stddef.h>

#define STATIC_FIELD(T, f, off)                                                                \
    _Static_assert(offsetof(T, f) == (off), "offsetof(" #T ", " #f ") must be " #off);
#define CHECK_FIELD(T, f, off)                                                                 \
    printf("  %-34s offset %4zu\n", #f, offsetof(T, f));                                   \
    CHECK_EQ_INT(offsetof(T, f), off);

/* Declares the static assertions for T and a test function test_layout_T. */
#define LAYOUT(T, size, FIELDS)                                                                \
    _Static_assert(sizeof(T) == (size), "sizeof(" #T ") must be " #size);                     \
    FIELDS(STATIC_FIELD)                                                                       \
    static void test_layout_##T(void)                                                          \
    {                                                                                          \
        printf("sizeof(%s) = %zu\n", #T, sizeof(T));                                          \
        CHECK_EQ_INT(sizeof(T), size);                                                         \
        FIELDS(CHECK_FIELD)                                                                    \
    }

#define PyObject_FIELDS(X) X(PyObject, ob_refcnt, 0) X(PyObject, ob_type, 8)
LAYOUT(PyObject, 16, PyObject_FIELDS)

#define PyVarObject_FIELDS(X) X(PyVarObject, ob_base, 0) X(PyVarObject, ob_size, 16)
LAYOUT(PyVarObject, 24, PyVarObject_FIELDS)

#define PyAsyncMethods_FIELDS(X)                                                               \
    X(PyAsyncMethods, am_await, 0)                                                             \
    X(PyAsyncMethods, am_aiter, 8)                                                             \
    X(PyAsyncMethods, am_anext, 16)                                                            \
    X(PyAsyncMethods, am_send, 24)
LAYOUT(PyAsyncMethods, 32, PyAsyncMethods_FIELDS)

#define PyTypeObject_FIELDS(X)                                                                 \
    X(PyTypeObject, ob_base, 0)                                                                \
    X(PyTypeObject, tp_name, 24)                                                               \
    X(PyTypeObject, tp_basicsize, 32)                                                          \
    X(PyTypeObject, tp_itemsize, 40)                                                           \
    X(PyTypeObject, tp_dealloc, 48)                                                            \
    X(PyTypeObject, tp_vectorcall_offset, 56)                                                  \
    X(PyTypeObject, tp_getattr, 64)                                                            \
    X(PyTypeObject, tp_setattr, 72)                                                            \
    X(PyTypeObject, tp_as_async, 80)                                                           \
    X(PyTypeObject, tp_repr, 88)                                                               \
    X(PyTypeObject, tp_as_number, 96)                                                          \
    X(PyTypeObject, tp_as_sequence, 104)                                                       \
    X(PyTypeObject, tp_as_mapping, 112)                                                        \
    X(PyTypeObject, tp_hash, 120)                                                              \
    X(PyTypeObject, tp_call, 128)                                                              \
    X(PyTypeObject, tp_str, 136)                                                               \
    X(PyTypeObject, tp_getattro, 144)                                                          \
    X(PyTypeObject, tp_setattro, 152)                                                          \
    X(PyTypeObject, tp_as_buffer, 160)                                                         \
    X(PyTypeObject, tp_flags, 168)                                                             \
    X(PyTypeObject, tp_doc, 176)                                                               \
    X(PyTypeObject, tp_traverse, 184)                                                          \
    X(PyTypeObject, tp_clear, 192)                                                             \
    X(PyTypeObject, tp_richcompare, 200)                                                       \
    X(PyTypeObject, tp_weaklistoffset, 208)                                                    \
    X(PyTypeObject, tp_iter, 216)                                                              \
    X(PyTypeObject, tp_iternext, 224)                                                          \
    X(PyTypeObject, tp_methods, 232)                                                           \
    X(PyTypeObject, tp_members, 240)                                                           \
    X(PyTypeObject, tp_getset, 248)                                                            \
    X(PyTypeObject, tp_base, 256)                                                              \
    X(PyTypeObject, tp_dict, 264)                                                              \
    X(PyTypeObject, tp_descr_get, 272)                                                         \
    X(PyTypeObject, tp_descr_set, 280)                                                         \
    X(PyTypeObject, tp_dictoffset, 288)                                                        \
    X(PyTypeObject, tp_init, 296)                                                              \
    X(PyTypeObject, tp_alloc, 304)                                                             \
    X(PyTypeObject, tp_new, 312)                                                               \
    X(PyTypeObject, tp_free, 320)                                                              \
    X(PyTypeObject, tp_is_gc, 328)                                                             \
    X(PyTypeObject, tp_bases, 336)                                                             \
    X(PyTypeObject, tp_mro, 344)                                                               \
    X(PyTypeObject, tp_cache, 352)                                                             \
    X(PyTypeObject, tp_subclasses, 360)                                                        \
    X(PyTypeObject, tp_weaklist, 368)                                                          \
    X(PyTypeObject, tp_del, 376)                                                               \
    X(PyTypeObject, tp_version_tag, 384)                                                       \
    X(PyTypeObject, tp_finalize, 392)                                                          \
    X(PyTypeObject, tp_vectorcall, 400)
LAYOUT(PyTypeObject, 408, PyTypeObject_FIELDS)

#define _PyErr_StackItem_FIELDS(X)                                                             \
    X(_PyErr_StackItem, exc_type, 0)                                                           \
    X(_PyErr_StackItem, exc_value, 8)                                                          \
    X(_PyErr_StackItem, exc_traceback, 16)                                                     \
    X(_PyErr_StackItem, previous_item, 24)
LAYOUT(_PyErr_StackItem, 32, _PyErr_StackItem_FIELDS)

#define PyGenObject_FIELDS(X)                                                                  \
    X(PyGenObject, ob_base, 0)                                                                 \
    X(PyGenObject, gi_frame, 16)                                                               \
    X(PyGenObject, gi_code, 24)                                                                \
    X(PyGenObject, gi_weakreflist, 32)                                                         \
    X(PyGenObject, gi_name, 40)                                                                \
    X(PyGenObject, gi_qualname, 48)                                                            \
    X(PyGenObject, gi_exc_state, 56)
LAYOUT(PyGenObject, 88, PyGenObject_FIELDS)

#define PyCoroObject_FIELDS(X)                                                                 \
    X(PyCoroObject, ob_base, 0)                                                                \
    X(PyCoroObject, cr_frame, 16)                                                              \
    X(PyCoroObject, cr_code, 24)                                                               \
    X(PyCoroObject, cr_weakreflist, 32)                                                        \
    X(PyCoroObject, cr_name, 40)                                                               \
    X(PyCoroObject, cr_qualname, 48)                                                           \
    X(PyCoroObject, cr_exc_state, 56)                                                          \
    X(PyCoroObject, cr_origin, 88)
LAYOUT(PyCoroObject, 96, PyCoroObject_FIELDS)

#define PyAsyncGenObject_FIELDS(X)                                                             \
    X(PyAsyncGenObject, ob_base, 0)                                                            \
    X(PyAsyncGenObject, ag_frame, 16)                                                          \
    X(PyAsyncGenObject, ag_code, 24)                                                           \
    X(PyAsyncGenObject, ag_weakreflist, 32)                                                    \
    X(PyAsyncGenObject, ag_name, 40)                                                           \
    X(PyAsyncGenObject, ag_qualname, 48)                                                       \
    X(PyAsyncGenObject, ag_exc_state, 56)                                                      \
    X(PyAsyncGenObject, ag_finalizer, 88)                                                      \
    X(PyAsyncGenObject, ag_hooks_inited, 96)                                                   \
    X(PyAsyncGenObject, ag_closed, 100)                                                        \
    X(PyAsyncGenObject, ag_running_async, 104)
LAYOUT(PyAsyncGenObject, 112, PyAsyncGenObject_FIELDS)

#define PyTryBlock_FIELDS(X)                                                                   \
    X(PyTryBlock, b_type, 0) X(PyTryBlock, b_handler, 4) X(PyTryBlock, b_level, 8)
LAYOUT(PyTryBlock, 12, PyTryBlock_FIELDS)

#define PyFrameObject_FIELDS(X)                                                                \
    X(PyFrameObject, ob_base, 0)                                                               \
    X(PyFrameObject, f_back, 24)                                                               \
    X(PyFrameObject, f_code, 32)                                                               \
    X(PyFrameObject, f_builtins, 40)                                                           \
    X(PyFrameObject, f_globals, 48)                                                            \
    X(PyFrameObject, f_locals, 56)                                                             \
    X(PyFrameObject, f_valuestack, 64)                                                         \
    X(PyFrameObject, f_trace, 72)                                                              \
    X(PyFrameObject, f_stackdepth, 80)                                                         \
    X(PyFrameObject, f_trace_lines, 84)                                                        \
    X(PyFrameObject, f_trace_opcodes, 85)                                                      \
    X(PyFrameObject, f_gen, 88)                                                                \
    X(PyFrameObject, f_lasti, 96)                                                              \
    X(PyFrameObject, f_lineno, 100)                                                            \
    X(PyFrameObject, f_iblock, 104)                                                            \
    X(PyFrameObject, f_state, 108)                                                             \
    X(PyFrameObject, f_blockstack, 112)                                                        \
    X(PyFrameObject, f_localsplus, 352)
LAYOUT(PyFrameObject, 360, PyFrameObject_FIELDS)

#define PyCodeObject_FIELDS(X)                                                                 \
    X(PyCodeObject, ob_base, 0)                                                                \
    X(PyCodeObject, co_argcount, 16)                                                           \
    X(PyCodeObject, co_posonlyargcount, 20)                                                    \
    X(PyCodeObject, co_kwonlyargcount, 24)                                                     \
    X(PyCodeObject, co_nlocals, 28)                                                            \
    X(PyCodeObject, co_stacksize, 32)                                                          \
    X(PyCodeObject, co_flags, 36)                                                              \
    X(PyCodeObject, co_firstlineno, 40)                                                        \
    X(PyCodeObject, co_code, 48)                                                               \
    X(PyCodeObject, co_consts, 56)                                                             \
    X(PyCodeObject, co_names, 64)                                                              \
    X(PyCodeObject, co_varnames, 72)                                                           \
    X(PyCodeObject, co_freevars, 80)                                                           \
    X(PyCodeObject, co_cellvars, 88)                                                           \
    X(PyCodeObject, co_cell2arg, 96)                                                           \
    X(PyCodeObject, co_filename, 104)                                                          \
    X(PyCodeObject, co_name, 112)                                                              \
    X(PyCodeObject, co_linetable, 120)                                                         \
    X(PyCodeObject, co_zombieframe, 128)                                                       \
    X(PyCodeObject, co_weakreflist, 136)                                                       \
    X(PyCodeObject, co_extra, 144)                                                             \
    X(PyCodeObject, co_opcache_map, 152)                                                       \
    X(PyCodeObject, co_opcache, 160)                                                           \
    X(PyCodeObject, co_opcache_flag, 168)                                                      \
    X(PyCodeObject, co_opcache_size, 172)
LAYOUT(PyCodeObject, 176, PyCodeObject_FIELDS)

#define PyBaseExceptionObject_FIELDS(X)                                                        \
    X(PyBaseExceptionObject, ob_base, 0)                                                       \
    X(PyBaseExceptionObject, dict, 16)                                                         \
    X(PyBaseExceptionObject, args, 24)                                                         \
    X(PyBaseExceptionObject, traceback, 32)                                                    \
    X(PyBaseExceptionObject, context, 40)                                                      \
    X(PyBaseExceptionObject, cause, 48)                                                        \
    X(PyBaseExceptionObject, suppress_context, 56)
LAYOUT(PyBaseExceptionObject, 64, PyBaseExceptionObject_FIELDS)

#define PyStopIterationObject_FIELDS(X)                                                        \
    X(PyStopIterationObject, dict, 16)                                                         \
    X(PyStopIterationObject, args, 24)                                                         \
    X(PyStopIterationObject, traceback, 32)                                                    \
    X(PyStopIterationObject, context, 40)                                                      \
    X(PyStopIterationObject, cause, 48)                                                        \
    X(PyStopIterationObject, suppress_context, 56)                                             \
    X(PyStopIterationObject, value, 64)
LAYOUT(PyStopIterationObject, 72, PyStopIterationObject_FIELDS)

#define PyThreadState_FIELDS(X)                                                                \
    X(PyThreadState, prev, 0)                                                                  \
    X(PyThreadState, next, 8)                                                                  \
    X(PyThreadState, interp, 16)                                                               \
    X(PyThreadState, frame, 24)                                                                \
    X(PyThreadState, recursion_depth, 32)                                                      \
    X(PyThreadState, curexc_type, 88)                                                          \
    X(PyThreadState, curexc_value, 96)                                                         \
    X(PyThreadState, curexc_traceback, 104)                                                    \
    X(PyThreadState, exc_state, 112)                                                           \
    X(PyThreadState, exc_info, 144)                                                            \
    X(PyThreadState, dict, 152)                                                                \
    X(PyThreadState, coroutine_origin_tracking_depth, 216)                                     \
    X(PyThreadState, async_gen_firstiter, 224)                                                 \
    X(PyThreadState, async_gen_finalizer, 232)                                                 \
    X(PyThreadState, context, 240)                                                             \
    X(PyThreadState, id, 256)
LAYOUT(PyThreadState, 280, PyThreadState_FIELDS)

/* Field types whose size C code depends on (signed char f_state, int flags, 12-byte blocks). */
static void test_field_sizes(void)
{
    PyFrameObject *f = NULL;
    PyAsyncGenObject *ag = NULL;
    PyTypeObject *t = NULL;
    (void)f;
    (void)ag;
    (void)t;
    CHECK_EQ_INT(sizeof f->f_state, 1);
    CHECK((__typeof__(f->f_state))-1 < 0); /* signed char, as in CPython */
    CHECK_EQ_INT(sizeof f->f_blockstack, 240);
    CHECK_EQ_INT(sizeof f->f_trace_lines, 1);
    CHECK_EQ_INT(sizeof ag->ag_hooks_inited, 4);
    CHECK_EQ_INT(sizeof ag->ag_running_async, 4);
    CHECK_EQ_INT(sizeof t->tp_version_tag, 4);
    CHECK_EQ_INT(sizeof t->tp_flags, 8);
}

int main(void)
{
    RUN(test_layout_PyObject);
    RUN(test_layout_PyVarObject);
    RUN(test_layout_PyAsyncMethods);
    RUN(test_layout_PyTypeObject);
    RUN(test_layout__PyErr_StackItem);
    RUN(test_layout_PyGenObject);
    RUN(test_layout_PyCoroObject);
    RUN(test_layout_PyAsyncGenObject);
    RUN(test_layout_PyTryBlock);
    RUN(test_layout_PyFrameObject);
    RUN(test_layout_PyCodeObject);
    RUN(test_layout_PyBaseExceptionObject);
    RUN(test_layout_PyStopIterationObject);
    RUN(test_layout_PyThreadState);
    RUN(test_field_sizes);
    return HARNESS_SUMMARY();
}
