/*
 * Python.h - pycoro's stand-in for CPython 3.10's <Python.h> (hand-written).
 *
 * It includes the generated pycoro.h (every struct, constant and function pycoro exports, with
 * CPython 3.10's layouts and signatures) and adds CPython's macros and inline helpers with
 * CPython's meaning. Compile with `-I include` and link with `-lpycoro`.
 *
 * Differences from CPython 3.10, by design:
 *  - Reference counting skips immortal objects (ob_refcnt >= PYNATIVE_IMMORTAL_MIN): None, True,
 *    False, small ints, the empty tuple, interned strings and static types. That makes them safe
 *    to share between threads; for every other object Py_INCREF/Py_DECREF are CPython's.
 *  - There is no GIL: PyGILState_Ensure only makes sure the calling thread has a thread state.
 *    An object belongs to one thread at a time; hand it over only with your own synchronization.
 *  - The cycle collector is per thread: a collection examines only the calling thread's objects.
 *    A thread that hands objects to other threads should call PyGC_Disable() first, so that
 *    its collections never examine an object another thread is using (README "Garbage
 *    collection").
 */
#ifndef PYCORO_PYTHON_H
#define PYCORO_PYTHON_H

#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pycoro.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PY_MAJOR_VERSION 3
#define PY_MINOR_VERSION 10
#define PY_MICRO_VERSION 0
#define PY_RELEASE_LEVEL 0xF
#define PY_RELEASE_SERIAL 0
#define PY_VERSION "3.10.0"
#define PY_VERSION_HEX 0x030A00F0

#define PyAPI_FUNC(RTYPE) RTYPE
#define PyAPI_DATA(RTYPE) extern RTYPE
#define PyMODINIT_FUNC PyObject *
#define Py_LOCAL_INLINE(type) static inline type

#define PY_SSIZE_T_MAX ((Py_ssize_t)(((size_t)-1) >> 1))
#define PY_SSIZE_T_MIN (-PY_SSIZE_T_MAX - 1)

#define Py_MIN(x, y) (((x) > (y)) ? (y) : (x))
#define Py_MAX(x, y) (((x) > (y)) ? (x) : (y))
#define Py_ABS(x) ((x) < 0 ? -(x) : (x))
#define Py_ARRAY_LENGTH(array) (sizeof(array) / sizeof((array)[0]))
/* Include/pymacro.h: a parameter a function must have but does not use (`PyObject
 * *Py_UNUSED(ignored)`); GCC and clang are told so, as with CPython's header. */
#if defined(__GNUC__) || defined(__clang__)
#define Py_UNUSED(name) _unused_##name __attribute__((unused))
#else
#define Py_UNUSED(name) _unused_##name
#endif
#define Py_UNREACHABLE() abort()
#define Py_STRINGIFY(x) _Py_XSTRINGIFY(x)
#define _Py_XSTRINGIFY(x) #x
#define PyDoc_STR(str) str
#define PyDoc_STRVAR(name, str) static const char name[] = PyDoc_STR(str)

/* Object header initializers for static objects (types, mostly). */
#define _PyObject_CAST(op) ((PyObject *)(op))
#define _PyObject_CAST_CONST(op) ((const PyObject *)(op))
#define _PyVarObject_CAST(op) ((PyVarObject *)(op))
#define PyObject_HEAD PyObject ob_base;
#define PyObject_VAR_HEAD PyVarObject ob_base;
#define PyObject_HEAD_INIT(type) {1, type},
#define PyVarObject_HEAD_INIT(type, size) {PyObject_HEAD_INIT(type) size},

static inline Py_ssize_t _Py_REFCNT(const PyObject *ob) { return ob->ob_refcnt; }
#define Py_REFCNT(ob) _Py_REFCNT(_PyObject_CAST_CONST(ob))
static inline PyTypeObject *_Py_TYPE(const PyObject *ob) { return ob->ob_type; }
#define Py_TYPE(ob) _Py_TYPE(_PyObject_CAST_CONST(ob))
static inline Py_ssize_t _Py_SIZE(const PyVarObject *ob) { return ob->ob_size; }
#define Py_SIZE(ob) _Py_SIZE((const PyVarObject *)(ob))
static inline int _Py_IS_TYPE(const PyObject *ob, const PyTypeObject *type) {
    return ob->ob_type == type;
}
#define Py_IS_TYPE(ob, type) _Py_IS_TYPE(_PyObject_CAST_CONST(ob), (type))
static inline void _Py_SET_REFCNT(PyObject *ob, Py_ssize_t refcnt) { ob->ob_refcnt = refcnt; }
#define Py_SET_REFCNT(ob, refcnt) _Py_SET_REFCNT(_PyObject_CAST(ob), (refcnt))
static inline void _Py_SET_TYPE(PyObject *ob, PyTypeObject *type) { ob->ob_type = type; }
#define Py_SET_TYPE(ob, type) _Py_SET_TYPE(_PyObject_CAST(ob), (type))
static inline void _Py_SET_SIZE(PyVarObject *ob, Py_ssize_t size) { ob->ob_size = size; }
#define Py_SET_SIZE(ob, size) _Py_SET_SIZE(_PyVarObject_CAST(ob), (size))

/* Reference counting: CPython 3.10's, except that immortal objects are left untouched. */
static inline void _Py_INCREF(PyObject *op) {
    if (op->ob_refcnt < PYNATIVE_IMMORTAL_MIN) {
        op->ob_refcnt++;
    }
}
#define Py_INCREF(op) _Py_INCREF(_PyObject_CAST(op))
static inline void _Py_DECREF(PyObject *op) {
    if (op->ob_refcnt < PYNATIVE_IMMORTAL_MIN && --op->ob_refcnt == 0) {
        _Py_Dealloc(op);
    }
}
#define Py_DECREF(op) _Py_DECREF(_PyObject_CAST(op))
static inline void _Py_XINCREF(PyObject *op) {
    if (op != NULL) {
        Py_INCREF(op);
    }
}
#define Py_XINCREF(op) _Py_XINCREF(_PyObject_CAST(op))
static inline void _Py_XDECREF(PyObject *op) {
    if (op != NULL) {
        Py_DECREF(op);
    }
}
#define Py_XDECREF(op) _Py_XDECREF(_PyObject_CAST(op))
#define Py_CLEAR(op)                                   \
    do {                                               \
        PyObject *_py_tmp = _PyObject_CAST(op);        \
        if (_py_tmp != NULL) {                         \
            (op) = NULL;                               \
            Py_DECREF(_py_tmp);                        \
        }                                              \
    } while (0)
/* Objects/objimpl.h: in a tp_traverse function with parameters named `visit` and `arg`,
 * visits `op` when it is not NULL and returns the visit's nonzero answer. */
#define Py_VISIT(op)                                                   \
    do {                                                               \
        if (op) {                                                      \
            int vret = visit(_PyObject_CAST(op), arg);                 \
            if (vret)                                                  \
                return vret;                                           \
        }                                                              \
    } while (0)
#define Py_SETREF(op, op2)                             \
    do {                                               \
        PyObject *_py_tmp = _PyObject_CAST(op);        \
        (op) = (op2);                                  \
        Py_DECREF(_py_tmp);                            \
    } while (0)
#define Py_XSETREF(op, op2)                            \
    do {                                               \
        PyObject *_py_tmp = _PyObject_CAST(op);        \
        (op) = (op2);                                  \
        Py_XDECREF(_py_tmp);                           \
    } while (0)
static inline PyObject *_Py_NewRef(PyObject *obj) {
    Py_INCREF(obj);
    return obj;
}
static inline PyObject *_Py_XNewRef(PyObject *obj) {
    Py_XINCREF(obj);
    return obj;
}
#define Py_NewRef(obj) _Py_NewRef(_PyObject_CAST(obj))
#define Py_XNewRef(obj) _Py_XNewRef(_PyObject_CAST(obj))

/* Singletons. */
#define Py_None (&_Py_NoneStruct)
#define Py_NotImplemented (&_Py_NotImplementedStruct)
#define Py_False ((PyObject *)&_Py_FalseStruct)
#define Py_True ((PyObject *)&_Py_TrueStruct)
#define Py_Is(x, y) ((x) == (y))
#define Py_IsNone(x) Py_Is((x), Py_None)
#define Py_IsTrue(x) Py_Is((x), Py_True)
#define Py_IsFalse(x) Py_Is((x), Py_False)
#define Py_RETURN_NONE return Py_NewRef(Py_None)
#define Py_RETURN_TRUE return Py_NewRef(Py_True)
#define Py_RETURN_FALSE return Py_NewRef(Py_False)
#define Py_RETURN_NOTIMPLEMENTED return Py_NewRef(Py_NotImplemented)

/* Type tests. */
#define PyType_HasFeature(t, f) ((((PyTypeObject *)(t))->tp_flags & (unsigned long)(f)) != 0)
#define PyType_FastSubclass(t, f) PyType_HasFeature((t), (f))
#define PyObject_TypeCheck(ob, tp) (Py_IS_TYPE((ob), (tp)) || PyType_IsSubtype(Py_TYPE(ob), (tp)))
#define PyType_Check(op) PyType_FastSubclass(Py_TYPE(op), Py_TPFLAGS_TYPE_SUBCLASS)
#define PyType_CheckExact(op) Py_IS_TYPE((op), &PyType_Type)

#define PyLong_Check(op) PyType_FastSubclass(Py_TYPE(op), Py_TPFLAGS_LONG_SUBCLASS)
#define PyLong_CheckExact(op) Py_IS_TYPE((op), &PyLong_Type)
#define PyBool_Check(x) Py_IS_TYPE((x), &PyBool_Type)
#define PyUnicode_Check(op) PyType_FastSubclass(Py_TYPE(op), Py_TPFLAGS_UNICODE_SUBCLASS)
#define PyUnicode_CheckExact(op) Py_IS_TYPE((op), &PyUnicode_Type)
/* PEP 393 strings, read as CPython 3.10's macros read them (`state` bits: kind 2-4, compact 5,
 * ascii 6, ready 7). pycoro strings are always compact and ready. */
typedef uint8_t Py_UCS1;
typedef uint16_t Py_UCS2;
typedef uint32_t Py_UCS4;
#define PyUnicode_WCHAR_KIND 0
#define PyUnicode_IS_READY(op) ((((const PyASCIIObject *)(op))->state >> 7) & 1u)
#define PyUnicode_IS_ASCII(op) ((((const PyASCIIObject *)(op))->state >> 6) & 1u)
#define PyUnicode_IS_COMPACT(op) ((((const PyASCIIObject *)(op))->state >> 5) & 1u)
#define PyUnicode_IS_COMPACT_ASCII(op) (PyUnicode_IS_ASCII(op) && PyUnicode_IS_COMPACT(op))
#define PyUnicode_KIND(op) ((int)((((const PyASCIIObject *)(op))->state >> 2) & 7u))
#define PyUnicode_READY(op) 0
#define PyUnicode_GET_LENGTH(op) (((PyASCIIObject *)(op))->length)
#define _PyUnicode_COMPACT_DATA(op)                                  \
    (PyUnicode_IS_ASCII(op) ? ((void *)((PyASCIIObject *)(op) + 1)) \
                            : ((void *)((PyCompactUnicodeObject *)(op) + 1)))
#define PyUnicode_DATA(op) \
    (PyUnicode_IS_COMPACT(op) ? _PyUnicode_COMPACT_DATA(op) : ((PyUnicodeObject *)(op))->data)
#define PyUnicode_1BYTE_DATA(op) ((Py_UCS1 *)PyUnicode_DATA(op))
#define PyUnicode_2BYTE_DATA(op) ((Py_UCS2 *)PyUnicode_DATA(op))
#define PyUnicode_4BYTE_DATA(op) ((Py_UCS4 *)PyUnicode_DATA(op))
#define PyUnicode_READ(kind, data, index)                                      \
    ((Py_UCS4)((kind) == PyUnicode_1BYTE_KIND ? ((const Py_UCS1 *)(data))[(index)] \
               : (kind) == PyUnicode_2BYTE_KIND ? ((const Py_UCS2 *)(data))[(index)] \
                                                 : ((const Py_UCS4 *)(data))[(index)]))
#define PyUnicode_READ_CHAR(op, index) PyUnicode_READ(PyUnicode_KIND(op), PyUnicode_DATA(op), (index))

#define PyTuple_Check(op) PyType_FastSubclass(Py_TYPE(op), Py_TPFLAGS_TUPLE_SUBCLASS)
#define PyTuple_CheckExact(op) Py_IS_TYPE((op), &PyTuple_Type)
#define PyDict_Check(op) PyType_FastSubclass(Py_TYPE(op), Py_TPFLAGS_DICT_SUBCLASS)
#define PyDict_CheckExact(op) Py_IS_TYPE((op), &PyDict_Type)
#define PyList_Check(op) PyType_FastSubclass(Py_TYPE(op), Py_TPFLAGS_LIST_SUBCLASS)
#define PyList_CheckExact(op) Py_IS_TYPE((op), &PyList_Type)
#define PyList_GET_SIZE(op) Py_SIZE(op)
#define PyList_GET_ITEM(op, i) (((PyListObject *)(op))->ob_item[(i)])
#define PyList_SET_ITEM(op, i, v) ((void)(((PyListObject *)(op))->ob_item[(i)] = (v)))
#define PyTuple_GET_SIZE(op) Py_SIZE(op)
#define PyTuple_GET_ITEM(op, i) (((PyTupleObject *)(op))->ob_item[(i)])
#define PyTuple_SET_ITEM(op, i, v) ((void)(((PyTupleObject *)(op))->ob_item[(i)] = (v)))
#define PyExceptionClass_Check(x) \
    (PyType_Check((x)) && PyType_FastSubclass((PyTypeObject *)(x), Py_TPFLAGS_BASE_EXC_SUBCLASS))
#define PyExceptionInstance_Check(x) PyType_FastSubclass(Py_TYPE(x), Py_TPFLAGS_BASE_EXC_SUBCLASS)
#define PyExceptionInstance_Class(x) _PyObject_CAST(Py_TYPE(x))
#define PyCFunction_CheckExact(op) Py_IS_TYPE((op), &PyCFunction_Type)
#define PyCFunction_Check(op) PyObject_TypeCheck((op), &PyCFunction_Type)
#define PyCode_Check(op) Py_IS_TYPE((op), &PyCode_Type)
#define PyFrame_Check(op) Py_IS_TYPE((op), &PyFrame_Type)
#define PyTraceBack_Check(v) Py_IS_TYPE((v), &PyTraceBack_Type)
#define PyGen_Check(op) PyObject_TypeCheck((op), &PyGen_Type)
#define PyGen_CheckExact(op) Py_IS_TYPE((op), &PyGen_Type)
#define PyCoro_CheckExact(op) Py_IS_TYPE((op), &PyCoro_Type)
#define PyAsyncGen_CheckExact(op) Py_IS_TYPE((op), &PyAsyncGen_Type)

/* Allocation. */
#define PyObject_New(type, typeobj) ((type *)_PyObject_New(typeobj))
#define PyObject_NewVar(type, typeobj, n) ((type *)_PyObject_NewVar((typeobj), (n)))
#define PyObject_GC_New(type, typeobj) ((type *)_PyObject_GC_New(typeobj))
#define PyObject_GC_NewVar(type, typeobj, n) ((type *)_PyObject_GC_NewVar((typeobj), (n)))
#define PyObject_Del PyObject_Free
#define PyObject_DEL PyObject_Free
#define PyObject_MALLOC PyObject_Malloc
#define PyObject_FREE PyObject_Free
#define PyMem_MALLOC PyMem_Malloc
#define PyMem_FREE PyMem_Free
#define PyMem_New(type, n) \
    (((size_t)(n) > PY_SSIZE_T_MAX / sizeof(type)) ? NULL : ((type *)PyMem_Malloc((n) * sizeof(type))))

/* Slot numbers of PyType_Slot (CPython 3.10's typeslots.h). */
#define Py_bf_getbuffer 1
#define Py_bf_releasebuffer 2
#define Py_mp_ass_subscript 3
#define Py_mp_length 4
#define Py_mp_subscript 5
#define Py_nb_absolute 6
#define Py_nb_add 7
#define Py_nb_and 8
#define Py_nb_bool 9
#define Py_nb_divmod 10
#define Py_nb_float 11
#define Py_nb_floor_divide 12
#define Py_nb_index 13
#define Py_nb_inplace_add 14
#define Py_nb_inplace_and 15
#define Py_nb_inplace_floor_divide 16
#define Py_nb_inplace_lshift 17
#define Py_nb_inplace_multiply 18
#define Py_nb_inplace_or 19
#define Py_nb_inplace_power 20
#define Py_nb_inplace_remainder 21
#define Py_nb_inplace_rshift 22
#define Py_nb_inplace_subtract 23
#define Py_nb_inplace_true_divide 24
#define Py_nb_inplace_xor 25
#define Py_nb_int 26
#define Py_nb_invert 27
#define Py_nb_lshift 28
#define Py_nb_multiply 29
#define Py_nb_negative 30
#define Py_nb_or 31
#define Py_nb_positive 32
#define Py_nb_power 33
#define Py_nb_remainder 34
#define Py_nb_rshift 35
#define Py_nb_subtract 36
#define Py_nb_true_divide 37
#define Py_nb_xor 38
#define Py_sq_ass_item 39
#define Py_sq_concat 40
#define Py_sq_contains 41
#define Py_sq_inplace_concat 42
#define Py_sq_inplace_repeat 43
#define Py_sq_item 44
#define Py_sq_length 45
#define Py_sq_repeat 46
#define Py_tp_alloc 47
#define Py_tp_base 48
#define Py_tp_bases 49
#define Py_tp_call 50
#define Py_tp_clear 51
#define Py_tp_dealloc 52
#define Py_tp_del 53
#define Py_tp_descr_get 54
#define Py_tp_descr_set 55
#define Py_tp_doc 56
#define Py_tp_getattr 57
#define Py_tp_getattro 58
#define Py_tp_hash 59
#define Py_tp_init 60
#define Py_tp_is_gc 61
#define Py_tp_iter 62
#define Py_tp_iternext 63
#define Py_tp_methods 64
#define Py_tp_new 65
#define Py_tp_repr 66
#define Py_tp_richcompare 67
#define Py_tp_setattr 68
#define Py_tp_setattro 69
#define Py_tp_str 70
#define Py_tp_traverse 71
#define Py_tp_members 72
#define Py_tp_getset 73
#define Py_tp_free 74
#define Py_nb_matrix_multiply 75
#define Py_nb_inplace_matrix_multiply 76
#define Py_am_await 77
#define Py_am_aiter 78
#define Py_am_anext 79
#define Py_tp_finalize 80
#define Py_am_send 81

/* GC types. */
#define PyType_IS_GC(t) PyType_HasFeature((t), Py_TPFLAGS_HAVE_GC)

/* Heap types. */
#define PyHeapType_GET_MEMBERS(etype) \
    ((PyMemberDef *)(((char *)(etype)) + Py_TYPE(etype)->tp_basicsize))

/* Errors. */
#define PyErr_BadInternalCall() _PyErr_BadInternalCall(__FILE__, __LINE__)

/* Calls. */
#define PyVectorcall_NARGS(n) ((Py_ssize_t)((size_t)(n) & ~PY_VECTORCALL_ARGUMENTS_OFFSET))

/* With PY_SSIZE_T_CLEAN, `#` formats take Py_ssize_t lengths, as in CPython 3.10. */
#ifdef PY_SSIZE_T_CLEAN
#define Py_BuildValue _Py_BuildValue_SizeT
#define Py_VaBuildValue _Py_VaBuildValue_SizeT
#define PyObject_CallFunction _PyObject_CallFunction_SizeT
#define PyObject_CallMethod _PyObject_CallMethod_SizeT
#endif

#ifdef __cplusplus
}
#endif

#endif /* PYCORO_PYTHON_H */
