//! `Include/pyerrors.h`'s exception classes and `Objects/exceptions.c`'s objects, with CPython
//! 3.10's hierarchy, names and instance layouts (`PyBaseExceptionObject`, 64 bytes, and the
//! larger layouts of StopIteration, SystemExit, AttributeError, NameError, OSError and
//! UnicodeError). Exception instances have no `__dict__` in pycoro (the `dict` field stays NULL).

use crate::capi::boundary::{check_null, guard};
use crate::capi::ffi::{
    clear, decref, has_flag, new_ref, py_visit, size, ty, type_has, xdecref, xincref, xnew_ref,
};
use crate::objects::descrobject::{PyGetSetDef, PyMemberDef};
use crate::objects::methodobject::{METH_O, PyMethodDef};
use crate::objects::object::*;
use crate::objects::object_ops::none;
use crate::objects::tupleobject::{as_slice, is_tuple};
use crate::objects::typeobject::{static_type, type_name};
use crate::objects::unicodeobject::{str_format, str_from};
use crate::python::errors::{set_format, set_string};
use crate::python::structmember::{T_BOOL, T_OBJECT};
use core::ffi::{c_char, c_int, c_void};
use core::mem::{offset_of, size_of};
use core::ptr::null_mut;
use static_assertions::const_assert_eq;

/// `PyException_HEAD` + nothing: the instance layout of most exceptions.
#[repr(C)]
pub struct PyBaseExceptionObject {
    pub ob_base: PyObject,
    pub dict: *mut PyObject,
    pub args: *mut PyObject,
    pub traceback: *mut PyObject,
    pub context: *mut PyObject,
    pub cause: *mut PyObject,
    pub suppress_context: c_char,
}

/// StopIteration: the head plus `value`.
#[repr(C)]
pub struct PyStopIterationObject {
    pub ob_base: PyObject,
    pub dict: *mut PyObject,
    pub args: *mut PyObject,
    pub traceback: *mut PyObject,
    pub context: *mut PyObject,
    pub cause: *mut PyObject,
    pub suppress_context: c_char,
    pub value: *mut PyObject,
}

/// SystemExit: the head plus `code`.
#[repr(C)]
pub struct PySystemExitObject {
    pub ob_base: PyObject,
    pub dict: *mut PyObject,
    pub args: *mut PyObject,
    pub traceback: *mut PyObject,
    pub context: *mut PyObject,
    pub cause: *mut PyObject,
    pub suppress_context: c_char,
    pub code: *mut PyObject,
}

/// AttributeError (3.10): the head plus `obj` and `name`.
#[repr(C)]
pub struct PyAttributeErrorObject {
    pub ob_base: PyObject,
    pub dict: *mut PyObject,
    pub args: *mut PyObject,
    pub traceback: *mut PyObject,
    pub context: *mut PyObject,
    pub cause: *mut PyObject,
    pub suppress_context: c_char,
    pub obj: *mut PyObject,
    pub name: *mut PyObject,
}

/// NameError (3.10): the head plus `name`.
#[repr(C)]
pub struct PyNameErrorObject {
    pub ob_base: PyObject,
    pub dict: *mut PyObject,
    pub args: *mut PyObject,
    pub traceback: *mut PyObject,
    pub context: *mut PyObject,
    pub cause: *mut PyObject,
    pub suppress_context: c_char,
    pub name: *mut PyObject,
}

/// OSError: the head plus `errno`, `strerror`, `filename`, `filename2`, `written`.
#[repr(C)]
pub struct PyOSErrorObject {
    pub ob_base: PyObject,
    pub dict: *mut PyObject,
    pub args: *mut PyObject,
    pub traceback: *mut PyObject,
    pub context: *mut PyObject,
    pub cause: *mut PyObject,
    pub suppress_context: c_char,
    pub myerrno: *mut PyObject,
    pub strerror: *mut PyObject,
    pub filename: *mut PyObject,
    pub filename2: *mut PyObject,
    pub written: Py_ssize_t,
}

/// UnicodeError and its subclasses: the head plus the codec fields. pycoro raises
/// `UnicodeDecodeError` with a message only; the fields stay NULL.
#[repr(C)]
pub struct PyUnicodeErrorObject {
    pub ob_base: PyObject,
    pub dict: *mut PyObject,
    pub args: *mut PyObject,
    pub traceback: *mut PyObject,
    pub context: *mut PyObject,
    pub cause: *mut PyObject,
    pub suppress_context: c_char,
    pub encoding: *mut PyObject,
    pub object: *mut PyObject,
    pub start: Py_ssize_t,
    pub end: Py_ssize_t,
    pub reason: *mut PyObject,
}

const_assert_eq!(size_of::<PyBaseExceptionObject>(), 64);
const_assert_eq!(offset_of!(PyBaseExceptionObject, suppress_context), 56);
const_assert_eq!(size_of::<PyStopIterationObject>(), 72);
const_assert_eq!(offset_of!(PyStopIterationObject, value), 64);
const_assert_eq!(size_of::<PySystemExitObject>(), 72);
const_assert_eq!(size_of::<PyAttributeErrorObject>(), 80);
const_assert_eq!(size_of::<PyNameErrorObject>(), 72);
const_assert_eq!(size_of::<PyOSErrorObject>(), 104);
const_assert_eq!(size_of::<PyUnicodeErrorObject>(), 104);

type Base = PyBaseExceptionObject;

const EXC_FLAGS: core::ffi::c_ulong =
    Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_BASE_EXC_SUBCLASS;

/// An exception class deriving from `base` with the common slots.
const fn exc_type(
    name: &'static core::ffi::CStr,
    base: *mut PyTypeObject,
    basicsize: usize,
    doc: &'static core::ffi::CStr,
) -> PyTypeObject {
    PyTypeObject {
        tp_dealloc: Some(exc_dealloc),
        tp_traverse: Some(exc_traverse),
        tp_clear: Some(exc_clear),
        tp_init: Some(exc_init),
        tp_new: Some(exc_new),
        tp_free: Some(crate::modules::gcmodule::PyObject_GC_Del),
        tp_dictoffset: offset_of!(Base, dict) as Py_ssize_t,
        tp_doc: doc.as_ptr(),
        tp_base: base,
        ..static_type(name, basicsize, EXC_FLAGS)
    }
}

/// The static exception classes, by their Python names (use `PyExc_*` from C).
pub(crate) mod types {
    use super::*;
    const B: usize = size_of::<Base>();
    const fn t(
        n: &'static core::ffi::CStr,
        b: *mut PyTypeObject,
        d: &'static core::ffi::CStr,
    ) -> PyTypeObject {
        exc_type(n, b, B, d)
    }
    pub static mut BaseException: PyTypeObject = PyTypeObject {
        tp_repr: Some(exc_repr),
        tp_str: Some(exc_str),
        tp_getattro: Some(crate::objects::object_ops::PyObject_GenericGetAttr),
        tp_setattro: Some(crate::objects::object_ops::PyObject_GenericSetAttr),
        tp_methods: (&raw mut BASE_METHODS) as *mut PyMethodDef,
        tp_members: (&raw mut BASE_MEMBERS) as *mut PyMemberDef,
        tp_getset: (&raw mut BASE_GETSET) as *mut PyGetSetDef,
        ..exc_type(
            c"BaseException",
            &raw mut crate::objects::typeobject::PyBaseObject_Type,
            B,
            c"Common base class for all exceptions",
        )
    };
    pub static mut Exception: PyTypeObject = t(
        c"Exception",
        &raw mut BaseException,
        c"Common base class for all non-exit exceptions.",
    );
    pub static mut StopIteration: PyTypeObject = PyTypeObject {
        tp_init: Some(stop_iteration_init),
        tp_new: None,
        tp_dealloc: Some(stop_iteration_dealloc),
        tp_traverse: Some(stop_iteration_traverse),
        tp_clear: Some(stop_iteration_clear),
        tp_members: (&raw mut STOP_ITERATION_MEMBERS) as *mut PyMemberDef,
        ..exc_type(
            c"StopIteration",
            &raw mut Exception,
            size_of::<PyStopIterationObject>(),
            c"Signal the end from iterator.__next__().",
        )
    };
    pub static mut StopAsyncIteration: PyTypeObject = t(
        c"StopAsyncIteration",
        &raw mut Exception,
        c"Signal the end from iterator.__anext__().",
    );
    pub static mut GeneratorExit: PyTypeObject = t(
        c"GeneratorExit",
        &raw mut BaseException,
        c"Request that a generator exit.",
    );
    pub static mut KeyboardInterrupt: PyTypeObject = t(
        c"KeyboardInterrupt",
        &raw mut BaseException,
        c"Program interrupted by user.",
    );
    pub static mut SystemExit: PyTypeObject = PyTypeObject {
        tp_init: Some(system_exit_init),
        tp_new: None,
        tp_dealloc: Some(value_exc_dealloc),
        tp_traverse: Some(value_exc_traverse),
        tp_clear: Some(value_exc_clear),
        tp_members: (&raw mut SYSTEM_EXIT_MEMBERS) as *mut PyMemberDef,
        ..exc_type(
            c"SystemExit",
            &raw mut BaseException,
            size_of::<PySystemExitObject>(),
            c"Request to exit from the interpreter.",
        )
    };
    pub static mut ArithmeticError: PyTypeObject = t(
        c"ArithmeticError",
        &raw mut Exception,
        c"Base class for arithmetic errors.",
    );
    pub static mut OverflowError: PyTypeObject = t(
        c"OverflowError",
        &raw mut ArithmeticError,
        c"Result too large to be represented.",
    );
    pub static mut ZeroDivisionError: PyTypeObject = t(
        c"ZeroDivisionError",
        &raw mut ArithmeticError,
        c"Second argument to a division or modulo operation was zero.",
    );
    pub static mut AssertionError: PyTypeObject =
        t(c"AssertionError", &raw mut Exception, c"Assertion failed.");
    pub static mut AttributeError: PyTypeObject = PyTypeObject {
        tp_init: Some(attribute_error_init),
        tp_str: Some(exc_str),
        tp_methods: (&raw mut NO_METHODS) as *mut PyMethodDef,
        tp_new: None,
        tp_dealloc: Some(attr_exc_dealloc),
        tp_traverse: Some(attr_exc_traverse),
        tp_clear: Some(attr_exc_clear),
        tp_members: (&raw mut ATTRIBUTE_ERROR_MEMBERS) as *mut PyMemberDef,
        ..exc_type(
            c"AttributeError",
            &raw mut Exception,
            size_of::<PyAttributeErrorObject>(),
            c"Attribute not found.",
        )
    };
    pub static mut LookupError: PyTypeObject = t(
        c"LookupError",
        &raw mut Exception,
        c"Base class for lookup errors.",
    );
    pub static mut IndexError: PyTypeObject = t(
        c"IndexError",
        &raw mut LookupError,
        c"Sequence index out of range.",
    );
    pub static mut KeyError: PyTypeObject = PyTypeObject {
        tp_str: Some(key_error_str),
        tp_new: None,
        ..t(c"KeyError", &raw mut LookupError, c"Mapping key not found.")
    };
    pub static mut MemoryError: PyTypeObject =
        t(c"MemoryError", &raw mut Exception, c"Out of memory.");
    pub static mut NameError: PyTypeObject = PyTypeObject {
        tp_init: Some(name_error_init),
        tp_str: Some(exc_str),
        tp_methods: (&raw mut NO_METHODS) as *mut PyMethodDef,
        tp_new: None,
        tp_dealloc: Some(name_error_dealloc),
        tp_traverse: Some(name_error_traverse),
        tp_clear: Some(name_error_clear),
        tp_members: (&raw mut NAME_ERROR_MEMBERS) as *mut PyMemberDef,
        ..exc_type(
            c"NameError",
            &raw mut Exception,
            size_of::<PyNameErrorObject>(),
            c"Name not found globally.",
        )
    };
    pub static mut RuntimeError: PyTypeObject = t(
        c"RuntimeError",
        &raw mut Exception,
        c"Unspecified run-time error.",
    );
    pub static mut NotImplementedError: PyTypeObject = t(
        c"NotImplementedError",
        &raw mut RuntimeError,
        c"Method or function hasn't been implemented yet.",
    );
    pub static mut RecursionError: PyTypeObject = t(
        c"RecursionError",
        &raw mut RuntimeError,
        c"Recursion limit exceeded.",
    );
    pub static mut SystemError: PyTypeObject = t(
        c"SystemError",
        &raw mut Exception,
        c"Internal error in the Python interpreter.",
    );
    pub static mut TypeError: PyTypeObject = t(
        c"TypeError",
        &raw mut Exception,
        c"Inappropriate argument type.",
    );
    pub static mut ValueError: PyTypeObject = t(
        c"ValueError",
        &raw mut Exception,
        c"Inappropriate argument value (of correct type).",
    );
    pub static mut UnicodeError: PyTypeObject = t(
        c"UnicodeError",
        &raw mut ValueError,
        c"Unicode related error.",
    );
    pub static mut UnicodeDecodeError: PyTypeObject = exc_type(
        c"UnicodeDecodeError",
        &raw mut UnicodeError,
        size_of::<PyUnicodeErrorObject>(),
        c"Unicode decoding error.",
    );
    pub static mut OSError: PyTypeObject = PyTypeObject {
        tp_init: Some(os_error_init),
        tp_str: Some(os_error_str),
        tp_dealloc: Some(os_error_dealloc),
        tp_traverse: Some(os_error_traverse),
        tp_clear: Some(os_error_clear),
        tp_members: (&raw mut OS_ERROR_MEMBERS) as *mut PyMemberDef,
        ..exc_type(
            c"OSError",
            &raw mut Exception,
            size_of::<PyOSErrorObject>(),
            c"Base class for I/O related errors.",
        )
    };
    pub static mut Warning: PyTypeObject = t(
        c"Warning",
        &raw mut Exception,
        c"Base class for warning categories.",
    );
    pub static mut UserWarning: PyTypeObject = t(
        c"UserWarning",
        &raw mut Warning,
        c"Base class for warnings generated by user code.",
    );
    pub static mut DeprecationWarning: PyTypeObject = t(
        c"DeprecationWarning",
        &raw mut Warning,
        c"Base class for warnings about deprecated features.",
    );
    pub static mut RuntimeWarning: PyTypeObject = t(
        c"RuntimeWarning",
        &raw mut Warning,
        c"Base class for warnings about dubious runtime behavior.",
    );
    pub static mut ResourceWarning: PyTypeObject = t(
        c"ResourceWarning",
        &raw mut Warning,
        c"Base class for warnings about resource usage.",
    );
}

/// `BaseException`.
#[unsafe(no_mangle)]
pub static mut PyExc_BaseException: *mut PyObject = crate::exc!(BaseException);
/// `Exception`.
#[unsafe(no_mangle)]
pub static mut PyExc_Exception: *mut PyObject = crate::exc!(Exception);
/// `StopIteration`.
#[unsafe(no_mangle)]
pub static mut PyExc_StopIteration: *mut PyObject = crate::exc!(StopIteration);
/// `StopAsyncIteration`.
#[unsafe(no_mangle)]
pub static mut PyExc_StopAsyncIteration: *mut PyObject = crate::exc!(StopAsyncIteration);
/// `GeneratorExit`.
#[unsafe(no_mangle)]
pub static mut PyExc_GeneratorExit: *mut PyObject = crate::exc!(GeneratorExit);
/// `KeyboardInterrupt`.
#[unsafe(no_mangle)]
pub static mut PyExc_KeyboardInterrupt: *mut PyObject = crate::exc!(KeyboardInterrupt);
/// `SystemExit`.
#[unsafe(no_mangle)]
pub static mut PyExc_SystemExit: *mut PyObject = crate::exc!(SystemExit);
/// `ArithmeticError`.
#[unsafe(no_mangle)]
pub static mut PyExc_ArithmeticError: *mut PyObject = crate::exc!(ArithmeticError);
/// `OverflowError`.
#[unsafe(no_mangle)]
pub static mut PyExc_OverflowError: *mut PyObject = crate::exc!(OverflowError);
/// `ZeroDivisionError`.
#[unsafe(no_mangle)]
pub static mut PyExc_ZeroDivisionError: *mut PyObject = crate::exc!(ZeroDivisionError);
/// `AssertionError`.
#[unsafe(no_mangle)]
pub static mut PyExc_AssertionError: *mut PyObject = crate::exc!(AssertionError);
/// `AttributeError`.
#[unsafe(no_mangle)]
pub static mut PyExc_AttributeError: *mut PyObject = crate::exc!(AttributeError);
/// `LookupError`.
#[unsafe(no_mangle)]
pub static mut PyExc_LookupError: *mut PyObject = crate::exc!(LookupError);
/// `IndexError`.
#[unsafe(no_mangle)]
pub static mut PyExc_IndexError: *mut PyObject = crate::exc!(IndexError);
/// `KeyError`.
#[unsafe(no_mangle)]
pub static mut PyExc_KeyError: *mut PyObject = crate::exc!(KeyError);
/// `MemoryError`.
#[unsafe(no_mangle)]
pub static mut PyExc_MemoryError: *mut PyObject = crate::exc!(MemoryError);
/// `NameError`.
#[unsafe(no_mangle)]
pub static mut PyExc_NameError: *mut PyObject = crate::exc!(NameError);
/// `NotImplementedError`.
#[unsafe(no_mangle)]
pub static mut PyExc_NotImplementedError: *mut PyObject = crate::exc!(NotImplementedError);
/// `RecursionError`.
#[unsafe(no_mangle)]
pub static mut PyExc_RecursionError: *mut PyObject = crate::exc!(RecursionError);
/// `RuntimeError`.
#[unsafe(no_mangle)]
pub static mut PyExc_RuntimeError: *mut PyObject = crate::exc!(RuntimeError);
/// `SystemError`.
#[unsafe(no_mangle)]
pub static mut PyExc_SystemError: *mut PyObject = crate::exc!(SystemError);
/// `TypeError`.
#[unsafe(no_mangle)]
pub static mut PyExc_TypeError: *mut PyObject = crate::exc!(TypeError);
/// `ValueError`.
#[unsafe(no_mangle)]
pub static mut PyExc_ValueError: *mut PyObject = crate::exc!(ValueError);
/// `UnicodeError`.
#[unsafe(no_mangle)]
pub static mut PyExc_UnicodeError: *mut PyObject = crate::exc!(UnicodeError);
/// `UnicodeDecodeError`.
#[unsafe(no_mangle)]
pub static mut PyExc_UnicodeDecodeError: *mut PyObject = crate::exc!(UnicodeDecodeError);
/// `OSError`.
#[unsafe(no_mangle)]
pub static mut PyExc_OSError: *mut PyObject = crate::exc!(OSError);
/// `Warning`.
#[unsafe(no_mangle)]
pub static mut PyExc_Warning: *mut PyObject = crate::exc!(Warning);
/// `UserWarning`.
#[unsafe(no_mangle)]
pub static mut PyExc_UserWarning: *mut PyObject = crate::exc!(UserWarning);
/// `DeprecationWarning`.
#[unsafe(no_mangle)]
pub static mut PyExc_DeprecationWarning: *mut PyObject = crate::exc!(DeprecationWarning);
/// `RuntimeWarning`.
#[unsafe(no_mangle)]
pub static mut PyExc_RuntimeWarning: *mut PyObject = crate::exc!(RuntimeWarning);
/// `ResourceWarning`.
#[unsafe(no_mangle)]
pub static mut PyExc_ResourceWarning: *mut PyObject = crate::exc!(ResourceWarning);

static mut BASE_METHODS: [PyMethodDef; 4] = [
    PyMethodDef {
        ml_name: c"__reduce__".as_ptr(),
        ml_meth: Some(exc_reduce),
        ml_flags: crate::objects::methodobject::METH_NOARGS,
        ml_doc: core::ptr::null(),
    },
    PyMethodDef {
        ml_name: c"__setstate__".as_ptr(),
        ml_meth: crate::objects::methodobject::meth_o(exc_setstate),
        ml_flags: METH_O,
        ml_doc: core::ptr::null(),
    },
    PyMethodDef {
        ml_name: c"with_traceback".as_ptr(),
        ml_meth: crate::objects::methodobject::meth_o(exc_with_traceback),
        ml_flags: METH_O,
        ml_doc:
            c"Exception.with_traceback(tb) --\n    set self.__traceback__ to tb and return self."
                .as_ptr(),
    },
    PyMethodDef::SENTINEL,
];

static mut BASE_MEMBERS: [PyMemberDef; 2] = [
    PyMemberDef {
        name: c"__suppress_context__".as_ptr(),
        r#type: T_BOOL,
        offset: offset_of!(Base, suppress_context) as Py_ssize_t,
        flags: 0,
        doc: core::ptr::null(),
    },
    PyMemberDef::SENTINEL,
];

const fn ro_object(
    name: &'static core::ffi::CStr,
    offset: usize,
    doc: &'static core::ffi::CStr,
) -> PyMemberDef {
    PyMemberDef {
        name: name.as_ptr(),
        r#type: T_OBJECT,
        offset: offset as Py_ssize_t,
        flags: 0,
        doc: doc.as_ptr(),
    }
}

static mut STOP_ITERATION_MEMBERS: [PyMemberDef; 2] = [
    ro_object(
        c"value",
        offset_of!(PyStopIterationObject, value),
        c"generator return value",
    ),
    PyMemberDef::SENTINEL,
];
static mut SYSTEM_EXIT_MEMBERS: [PyMemberDef; 2] = [
    ro_object(
        c"code",
        offset_of!(PySystemExitObject, code),
        c"exception code",
    ),
    PyMemberDef::SENTINEL,
];
static mut NAME_ERROR_MEMBERS: [PyMemberDef; 2] = [
    ro_object(c"name", offset_of!(PyNameErrorObject, name), c"name"),
    PyMemberDef::SENTINEL,
];
static mut ATTRIBUTE_ERROR_MEMBERS: [PyMemberDef; 3] = [
    ro_object(
        c"name",
        offset_of!(PyAttributeErrorObject, name),
        c"attribute name",
    ),
    ro_object(c"obj", offset_of!(PyAttributeErrorObject, obj), c"object"),
    PyMemberDef::SENTINEL,
];
static mut OS_ERROR_MEMBERS: [PyMemberDef; 4] = [
    ro_object(
        c"errno",
        offset_of!(PyOSErrorObject, myerrno),
        c"POSIX exception code",
    ),
    ro_object(
        c"strerror",
        offset_of!(PyOSErrorObject, strerror),
        c"exception strerror",
    ),
    ro_object(
        c"filename",
        offset_of!(PyOSErrorObject, filename),
        c"exception filename",
    ),
    PyMemberDef::SENTINEL,
];

static mut BASE_GETSET: [PyGetSetDef; 6] = [
    PyGetSetDef {
        name: c"__dict__".as_ptr(),
        get: Some(crate::objects::object_ops::PyObject_GenericGetDict),
        set: Some(crate::objects::object_ops::PyObject_GenericSetDict),
        doc: core::ptr::null(),
        closure: null_mut(),
    },
    PyGetSetDef {
        name: c"args".as_ptr(),
        get: Some(get_args),
        set: Some(set_args),
        doc: core::ptr::null(),
        closure: null_mut(),
    },
    PyGetSetDef {
        name: c"__traceback__".as_ptr(),
        get: Some(get_tb),
        set: Some(set_tb),
        doc: core::ptr::null(),
        closure: null_mut(),
    },
    PyGetSetDef {
        name: c"__context__".as_ptr(),
        get: Some(get_context),
        set: Some(set_context_attr),
        doc: c"exception context".as_ptr(),
        closure: null_mut(),
    },
    PyGetSetDef {
        name: c"__cause__".as_ptr(),
        get: Some(get_cause),
        set: Some(set_cause_attr),
        doc: c"exception cause".as_ptr(),
        closure: null_mut(),
    },
    PyGetSetDef::SENTINEL,
];

#[inline(always)]
fn base(op: *mut PyObject) -> *mut Base {
    op as *mut Base
}

/// `PyExceptionClass_Check`.
pub(crate) unsafe fn exc_class_check(op: *mut PyObject) -> bool {
    // SAFETY: live object.
    unsafe {
        type_has(op, Py_TPFLAGS_TYPE_SUBCLASS)
            && has_flag(op as *mut PyTypeObject, Py_TPFLAGS_BASE_EXC_SUBCLASS)
    }
}

/// `PyExceptionInstance_Check`.
pub(crate) unsafe fn exc_instance_check(op: *mut PyObject) -> bool {
    // SAFETY: live object.
    unsafe { type_has(op, Py_TPFLAGS_BASE_EXC_SUBCLASS) }
}

/// Calls exception class `t` with `value` as argument(s): None/NULL gives no arguments, a
/// tuple is spread, anything else is the single argument. Return value: New reference or NULL.
pub(crate) unsafe fn create_exception(t: *mut PyObject, value: *mut PyObject) -> *mut PyObject {
    // SAFETY: `t` is callable; `value` live or NULL.
    unsafe {
        let args = if value.is_null() || value == none() {
            crate::objects::tupleobject::empty()
        } else if is_tuple(value) {
            new_ref(value)
        } else {
            crate::objects::tupleobject::tuple_from(&[value])
        };
        if args.is_null() {
            return null_mut();
        }
        let r = crate::objects::call::call(t, args, null_mut());
        decref(args);
        if !r.is_null() && !exc_instance_check(r) {
            set_format(
                crate::exc!(TypeError),
                format_args!(
                    "calling {} should have returned an instance of BaseException, not {}",
                    crate::objects::object_ops::repr_string(t),
                    crate::objects::typeobject::tp_name_of(r)
                ),
            );
            decref(r);
            return null_mut();
        }
        r
    }
}

/// `__context__` of an exception instance (borrowed, may be NULL).
pub(crate) unsafe fn context_of(op: *mut PyObject) -> *mut PyObject {
    // SAFETY: exception instance.
    unsafe { (*base(op)).context }
}

/// Sets `__context__`, stealing `ctx` (NULL clears it).
pub(crate) unsafe fn set_context(op: *mut PyObject, ctx: *mut PyObject) {
    // SAFETY: exception instance; the old context is released.
    unsafe { crate::capi::ffi::xsetref(&raw mut (*base(op)).context, ctx) }
}

/// `__traceback__` (new reference or NULL).
pub(crate) unsafe fn get_traceback(op: *mut PyObject) -> *mut PyObject {
    // SAFETY: exception instance.
    unsafe { xnew_ref((*base(op)).traceback) }
}

unsafe extern "C" fn exc_new(
    tp: *mut PyTypeObject,
    args: *mut PyObject,
    _kw: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: `tp` is an exception class; the zeroed instance gets its args.
    unsafe {
        let alloc = (*tp)
            .tp_alloc
            .unwrap_or(crate::objects::typeobject::PyType_GenericAlloc);
        let op = alloc(tp, 0);
        if op.is_null() {
            return op;
        }
        (*base(op)).args = if args.is_null() {
            crate::objects::tupleobject::empty()
        } else {
            new_ref(args)
        };
        op
    }
}

unsafe fn no_keywords(op: *mut PyObject, kw: *mut PyObject) -> bool {
    // SAFETY: live objects.
    unsafe {
        if kw.is_null() || crate::objects::call::kwargs_empty(kw) {
            return true;
        }
        set_format(
            crate::exc!(TypeError),
            format_args!(
                "{}() takes no keyword arguments",
                crate::objects::typeobject::tp_name_of(op)
            ),
        );
        false
    }
}

unsafe extern "C" fn exc_init(op: *mut PyObject, args: *mut PyObject, kw: *mut PyObject) -> c_int {
    // SAFETY: exception instance; `args` a tuple.
    unsafe {
        if !no_keywords(op, kw) {
            return -1;
        }
        crate::capi::ffi::xsetref(&raw mut (*base(op)).args, new_ref(args));
        0
    }
}

/// Takes the keyword-only arguments `names` (in order) out of `kw` for `TYPE()`: their values
/// (borrowed, NULL when absent), or None with CPython's `TypeError` for any other keyword.
unsafe fn keyword_only<const N: usize>(
    kw: *mut PyObject,
    names: [&str; N],
    tp: &str,
) -> Option<[*mut PyObject; N]> {
    // SAFETY: `kw` a dict or NULL.
    unsafe {
        let mut out = [null_mut(); N];
        if kw.is_null() {
            return Some(out);
        }
        if !crate::objects::dictobject::is_dict(kw) {
            crate::python::errors::bad_internal_call();
            return None;
        }
        let mut pos = 0;
        while let Some((k, v)) = crate::objects::dictobject::next_entry(kw, &mut pos) {
            let key = crate::objects::unicodeobject::str_as(k);
            match names.iter().position(|n| Some(*n) == key) {
                Some(i) => out[i] = v,
                None => {
                    if !crate::objects::unicodeobject::is_str(k) {
                        set_string(crate::exc!(TypeError), "keywords must be strings");
                    } else {
                        crate::python::errors::set_format(
                            crate::exc!(TypeError),
                            format_args!(
                                "'{}' is an invalid keyword argument for {tp}()",
                                key.unwrap_or("?")
                            ),
                        );
                    }
                    return None;
                }
            }
        }
        Some(out)
    }
}

/// `AttributeError(*args, name=None, obj=None)`.
unsafe extern "C" fn attribute_error_init(
    op: *mut PyObject,
    args: *mut PyObject,
    kw: *mut PyObject,
) -> c_int {
    // SAFETY: an AttributeError instance; `args` a tuple.
    unsafe {
        let Some([name, o]) = keyword_only(kw, ["name", "obj"], "AttributeError") else {
            return -1;
        };
        if exc_init(op, args, null_mut()) < 0 {
            return -1;
        }
        let e = op as *mut PyAttributeErrorObject;
        crate::capi::ffi::xsetref(&raw mut (*e).name, crate::capi::ffi::xnew_ref(name));
        crate::capi::ffi::xsetref(&raw mut (*e).obj, crate::capi::ffi::xnew_ref(o));
        0
    }
}

/// `NameError(*args, name=None)`.
unsafe extern "C" fn name_error_init(
    op: *mut PyObject,
    args: *mut PyObject,
    kw: *mut PyObject,
) -> c_int {
    // SAFETY: a NameError instance; `args` a tuple.
    unsafe {
        let Some([name]) = keyword_only(kw, ["name"], "NameError") else {
            return -1;
        };
        if exc_init(op, args, null_mut()) < 0 {
            return -1;
        }
        let e = op as *mut PyNameErrorObject;
        crate::capi::ffi::xsetref(&raw mut (*e).name, crate::capi::ffi::xnew_ref(name));
        0
    }
}

unsafe extern "C" fn stop_iteration_init(
    op: *mut PyObject,
    args: *mut PyObject,
    kw: *mut PyObject,
) -> c_int {
    // SAFETY: StopIteration instance.
    unsafe {
        if exc_init(op, args, kw) < 0 {
            return -1;
        }
        let v = if size(args) > 0 {
            crate::objects::tupleobject::item(args, 0)
        } else {
            none()
        };
        crate::capi::ffi::xsetref(
            &raw mut (*(op as *mut PyStopIterationObject)).value,
            new_ref(v),
        );
        0
    }
}

unsafe extern "C" fn system_exit_init(
    op: *mut PyObject,
    args: *mut PyObject,
    kw: *mut PyObject,
) -> c_int {
    // SAFETY: SystemExit instance.
    unsafe {
        if exc_init(op, args, kw) < 0 {
            return -1;
        }
        let n = size(args);
        let code = match n {
            0 => new_ref(none()),
            1 => new_ref(crate::objects::tupleobject::item(args, 0)),
            _ => new_ref(args),
        };
        crate::capi::ffi::xsetref(&raw mut (*(op as *mut PySystemExitObject)).code, code);
        0
    }
}

unsafe extern "C" fn os_error_init(
    op: *mut PyObject,
    args: *mut PyObject,
    kw: *mut PyObject,
) -> c_int {
    // SAFETY: OSError instance.
    unsafe {
        if exc_init(op, args, kw) < 0 {
            return -1;
        }
        let e = op as *mut PyOSErrorObject;
        let a = as_slice(args);
        if (2..=5).contains(&a.len()) {
            crate::capi::ffi::xsetref(&raw mut (*e).myerrno, new_ref(a[0]));
            crate::capi::ffi::xsetref(&raw mut (*e).strerror, new_ref(a[1]));
            if a.len() >= 3 && a[2] != none() {
                crate::capi::ffi::xsetref(&raw mut (*e).filename, new_ref(a[2]));
                let trimmed = crate::objects::tupleobject::tuple_from(&a[..2]);
                if trimmed.is_null() {
                    return -1;
                }
                crate::capi::ffi::xsetref(&raw mut (*e).args, trimmed);
            }
        }
        0
    }
}

unsafe extern "C" fn os_error_str(op: *mut PyObject) -> *mut PyObject {
    // SAFETY: OSError instance.
    unsafe {
        let e = op as *mut PyOSErrorObject;
        use crate::objects::object_ops::{repr_string, str_string};
        if !(*e).filename.is_null() {
            return str_format(format_args!(
                "[Errno {}] {}: {}",
                str_string((*e).myerrno),
                str_string((*e).strerror),
                repr_string((*e).filename)
            ));
        }
        if !(*e).myerrno.is_null() && !(*e).strerror.is_null() {
            return str_format(format_args!(
                "[Errno {}] {}",
                str_string((*e).myerrno),
                str_string((*e).strerror)
            ));
        }
        exc_str(op)
    }
}

/// Releases the fields of the common head.
unsafe fn clear_head(op: *mut PyObject) {
    // SAFETY: exception instance.
    unsafe {
        let b = base(op);
        clear(&raw mut (*b).dict);
        clear(&raw mut (*b).args);
        clear(&raw mut (*b).traceback);
        clear(&raw mut (*b).context);
        clear(&raw mut (*b).cause);
    }
}

unsafe fn traverse_head(op: *mut PyObject, visit: visitproc, arg: *mut c_void) -> c_int {
    // SAFETY: exception instance.
    unsafe {
        let b = base(op);
        py_visit!((*b).dict, visit, arg);
        py_visit!((*b).args, visit, arg);
        py_visit!((*b).traceback, visit, arg);
        py_visit!((*b).context, visit, arg);
        py_visit!((*b).cause, visit, arg);
    }
    0
}

/// The deallocators of the exception layouts: `clear_fn` releases the fields; `dealloc` is the
/// type's `tp_dealloc` itself, for the trashcan (a `__context__` chain of a million exceptions
/// is freed without a million nested calls; CPython 3.10 crashes there, 3.11 does the same).
unsafe fn dealloc_with(
    op: *mut PyObject,
    clear_fn: unsafe extern "C" fn(*mut PyObject) -> c_int,
    dealloc: unsafe extern "C" fn(*mut PyObject),
) {
    // SAFETY: a dying exception instance.
    unsafe {
        crate::modules::gcmodule::trashcan(op, dealloc, || {
            crate::modules::gcmodule::untrack(op);
            clear_fn(op);
            let tp = ty(op);
            match (*tp).tp_free {
                Some(f) => f(op as *mut c_void),
                None => crate::modules::gcmodule::free_object(op),
            }
        })
    }
}

unsafe extern "C" fn exc_clear(op: *mut PyObject) -> c_int {
    // SAFETY: exception instance.
    unsafe { clear_head(op) };
    0
}

unsafe extern "C" fn exc_traverse(op: *mut PyObject, visit: visitproc, arg: *mut c_void) -> c_int {
    // SAFETY: exception instance.
    unsafe { traverse_head(op, visit, arg) }
}

unsafe extern "C" fn exc_dealloc(op: *mut PyObject) {
    // SAFETY: dying instance.
    unsafe { dealloc_with(op, exc_clear, exc_dealloc) }
}

/// StopIteration, SystemExit and NameError keep one extra object at offset 64.
unsafe extern "C" fn value_exc_clear(op: *mut PyObject) -> c_int {
    // SAFETY: instance of a 72-byte exception layout.
    unsafe {
        clear(&raw mut (*(op as *mut PyStopIterationObject)).value);
        clear_head(op);
    }
    0
}

unsafe extern "C" fn value_exc_traverse(
    op: *mut PyObject,
    visit: visitproc,
    arg: *mut c_void,
) -> c_int {
    // SAFETY: as value_exc_clear.
    unsafe {
        py_visit!((*(op as *mut PyStopIterationObject)).value, visit, arg);
        traverse_head(op, visit, arg)
    }
}

unsafe extern "C" fn value_exc_dealloc(op: *mut PyObject) {
    // SAFETY: dying instance.
    unsafe { dealloc_with(op, value_exc_clear, value_exc_dealloc) }
}

unsafe extern "C" fn attr_exc_clear(op: *mut PyObject) -> c_int {
    // SAFETY: AttributeError instance.
    unsafe {
        let e = op as *mut PyAttributeErrorObject;
        clear(&raw mut (*e).obj);
        clear(&raw mut (*e).name);
        clear_head(op);
    }
    0
}

unsafe extern "C" fn attr_exc_traverse(
    op: *mut PyObject,
    visit: visitproc,
    arg: *mut c_void,
) -> c_int {
    // SAFETY: AttributeError instance.
    unsafe {
        let e = op as *mut PyAttributeErrorObject;
        py_visit!((*e).obj, visit, arg);
        py_visit!((*e).name, visit, arg);
        traverse_head(op, visit, arg)
    }
}

unsafe extern "C" fn attr_exc_dealloc(op: *mut PyObject) {
    // SAFETY: dying instance.
    unsafe { dealloc_with(op, attr_exc_clear, attr_exc_dealloc) }
}

unsafe extern "C" fn os_error_clear(op: *mut PyObject) -> c_int {
    // SAFETY: OSError instance.
    unsafe {
        let e = op as *mut PyOSErrorObject;
        clear(&raw mut (*e).myerrno);
        clear(&raw mut (*e).strerror);
        clear(&raw mut (*e).filename);
        clear(&raw mut (*e).filename2);
        clear_head(op);
    }
    0
}

unsafe extern "C" fn os_error_traverse(
    op: *mut PyObject,
    visit: visitproc,
    arg: *mut c_void,
) -> c_int {
    // SAFETY: OSError instance.
    unsafe {
        let e = op as *mut PyOSErrorObject;
        py_visit!((*e).myerrno, visit, arg);
        py_visit!((*e).strerror, visit, arg);
        py_visit!((*e).filename, visit, arg);
        py_visit!((*e).filename2, visit, arg);
        traverse_head(op, visit, arg)
    }
}

unsafe extern "C" fn os_error_dealloc(op: *mut PyObject) {
    // SAFETY: dying instance.
    unsafe { dealloc_with(op, os_error_clear, os_error_dealloc) }
}

unsafe extern "C" fn exc_str(op: *mut PyObject) -> *mut PyObject {
    // SAFETY: exception instance.
    unsafe {
        let args = (*base(op)).args;
        if args.is_null() || !is_tuple(args) {
            return str_from("");
        }
        match size(args) {
            0 => str_from(""),
            1 => crate::objects::object_ops::str(crate::objects::tupleobject::item(args, 0)),
            _ => crate::objects::object_ops::str(args),
        }
    }
}

unsafe extern "C" fn key_error_str(op: *mut PyObject) -> *mut PyObject {
    // SAFETY: KeyError instance.
    unsafe {
        let args = (*base(op)).args;
        if !args.is_null() && is_tuple(args) && size(args) == 1 {
            return crate::objects::object_ops::repr(crate::objects::tupleobject::item(args, 0));
        }
        exc_str(op)
    }
}

unsafe extern "C" fn exc_repr(op: *mut PyObject) -> *mut PyObject {
    // SAFETY: exception instance.
    unsafe {
        let name = type_name(ty(op));
        let args = (*base(op)).args;
        if args.is_null() {
            return str_format(format_args!("{name}()"));
        }
        let single = is_tuple(args) && size(args) == 1;
        let inner = crate::objects::object_ops::repr(if single {
            crate::objects::tupleobject::item(args, 0)
        } else {
            args
        });
        if inner.is_null() {
            return inner;
        }
        let text = crate::objects::unicodeobject::str_as(inner).unwrap_or("?");
        let r = if single {
            str_format(format_args!("{name}({text})"))
        } else {
            str_format(format_args!("{name}{text}"))
        };
        decref(inner);
        r
    }
}

unsafe extern "C" fn exc_with_traceback(op: *mut PyObject, tb: *mut PyObject) -> *mut PyObject {
    // SAFETY: exception instance.
    unsafe {
        if set_tb(op, tb, null_mut()) < 0 {
            return null_mut();
        }
        new_ref(op)
    }
}

unsafe extern "C" fn get_args(op: *mut PyObject, _c: *mut c_void) -> *mut PyObject {
    // SAFETY: exception instance.
    unsafe {
        let a = (*base(op)).args;
        if a.is_null() {
            new_ref(none())
        } else {
            new_ref(a)
        }
    }
}

unsafe extern "C" fn set_args(op: *mut PyObject, v: *mut PyObject, _c: *mut c_void) -> c_int {
    // SAFETY: exception instance.
    unsafe {
        if v.is_null() {
            set_string(crate::exc!(TypeError), "args may not be deleted");
            return -1;
        }
        if !is_tuple(v) {
            set_string(crate::exc!(TypeError), "args must be a tuple");
            return -1;
        }
        crate::capi::ffi::xsetref(&raw mut (*base(op)).args, new_ref(v));
        0
    }
}

unsafe extern "C" fn get_tb(op: *mut PyObject, _c: *mut c_void) -> *mut PyObject {
    // SAFETY: exception instance.
    unsafe {
        let t = (*base(op)).traceback;
        if t.is_null() {
            new_ref(none())
        } else {
            new_ref(t)
        }
    }
}

unsafe extern "C" fn set_tb(op: *mut PyObject, v: *mut PyObject, _c: *mut c_void) -> c_int {
    // SAFETY: exception instance.
    unsafe {
        if v.is_null() {
            set_string(crate::exc!(TypeError), "__traceback__ may not be deleted");
            return -1;
        }
        let new = if v == none() {
            null_mut()
        } else if crate::python::traceback::is_traceback(v) {
            new_ref(v)
        } else {
            set_string(
                crate::exc!(TypeError),
                "__traceback__ must be a traceback or None",
            );
            return -1;
        };
        crate::capi::ffi::xsetref(&raw mut (*base(op)).traceback, new);
        0
    }
}

unsafe extern "C" fn get_context(op: *mut PyObject, _c: *mut c_void) -> *mut PyObject {
    // SAFETY: exception instance.
    unsafe {
        let t = (*base(op)).context;
        if t.is_null() {
            new_ref(none())
        } else {
            new_ref(t)
        }
    }
}

unsafe fn chain_value(v: *mut PyObject, what: &str) -> Option<*mut PyObject> {
    // SAFETY: live object or NULL.
    unsafe {
        if v.is_null() {
            set_format(
                crate::exc!(TypeError),
                format_args!("__{what}__ may not be deleted"),
            );
            return None;
        }
        if v == none() {
            return Some(null_mut());
        }
        if !exc_instance_check(v) {
            set_format(
                crate::exc!(TypeError),
                format_args!("exception {what} must be None or derive from BaseException"),
            );
            return None;
        }
        Some(new_ref(v))
    }
}

unsafe extern "C" fn set_context_attr(
    op: *mut PyObject,
    v: *mut PyObject,
    _c: *mut c_void,
) -> c_int {
    // SAFETY: exception instance.
    unsafe {
        let Some(n) = chain_value(v, "context") else {
            return -1;
        };
        crate::capi::ffi::xsetref(&raw mut (*base(op)).context, n);
        0
    }
}

unsafe extern "C" fn get_cause(op: *mut PyObject, _c: *mut c_void) -> *mut PyObject {
    // SAFETY: exception instance.
    unsafe {
        let t = (*base(op)).cause;
        if t.is_null() {
            new_ref(none())
        } else {
            new_ref(t)
        }
    }
}

unsafe extern "C" fn set_cause_attr(op: *mut PyObject, v: *mut PyObject, _c: *mut c_void) -> c_int {
    // SAFETY: exception instance.
    unsafe {
        let Some(n) = chain_value(v, "cause") else {
            return -1;
        };
        (*base(op)).suppress_context = 1;
        crate::capi::ffi::xsetref(&raw mut (*base(op)).cause, n);
        0
    }
}

unsafe fn check_instance(op: *mut PyObject) -> bool {
    // SAFETY: live object.
    unsafe {
        if exc_instance_check(op) {
            return true;
        }
        set_format(
            crate::exc!(TypeError),
            format_args!(
                "expected an exception instance, not '{}'",
                crate::objects::typeobject::tp_name_of(op)
            ),
        );
        false
    }
}

/// Returns the traceback of exception instance `ex`, or NULL if it has none.
///
/// Return value: New reference.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyException_GetTraceback(ex: *mut PyObject) -> *mut PyObject {
    check_null!(ex, null_mut());
    // SAFETY: live object, checked to be an exception.
    guard("PyException_GetTraceback", null_mut(), || unsafe {
        if !check_instance(ex) {
            return null_mut();
        }
        get_traceback(ex)
    })
}

/// Sets the traceback of `ex` to `tb` (a traceback or None; not stolen). Returns 0, or -1 with
/// `TypeError` set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyException_SetTraceback(ex: *mut PyObject, tb: *mut PyObject) -> c_int {
    check_null!(ex, -1);
    if tb.is_null() {
        // SAFETY: setting the error indicator (CPython's setter says so for NULL).
        unsafe {
            crate::python::errors::set_string(
                crate::exc!(TypeError),
                "__traceback__ may not be deleted",
            )
        };
        return -1;
    }
    // SAFETY: live objects.
    guard("PyException_SetTraceback", -1, || unsafe {
        if !check_instance(ex) {
            return -1;
        }
        set_tb(ex, tb, null_mut())
    })
}

/// Returns the context (`__context__`) of `ex`, or NULL.
///
/// Return value: New reference.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyException_GetContext(ex: *mut PyObject) -> *mut PyObject {
    check_null!(ex, null_mut());
    // SAFETY: live object.
    guard("PyException_GetContext", null_mut(), || unsafe {
        if !check_instance(ex) {
            return null_mut();
        }
        xnew_ref(context_of(ex))
    })
}

/// Sets the context of `ex` to `ctx` (NULL clears it). Steals a reference to `ctx`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyException_SetContext(ex: *mut PyObject, ctx: *mut PyObject) {
    if ex.is_null() {
        // SAFETY: the stolen reference is released; setting the error indicator.
        unsafe {
            xdecref(ctx);
            crate::python::errors::bad_internal_call();
        }
        return;
    }
    // SAFETY: live object; `ctx` stolen.
    guard("PyException_SetContext", (), || unsafe {
        if !check_instance(ex) || !check_chained(ctx, "context") {
            xdecref(ctx);
            return;
        }
        set_context(ex, ctx)
    })
}

/// Returns the cause (`__cause__`) of `ex`, or NULL.
///
/// Return value: New reference.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyException_GetCause(ex: *mut PyObject) -> *mut PyObject {
    check_null!(ex, null_mut());
    // SAFETY: live object.
    guard("PyException_GetCause", null_mut(), || unsafe {
        if !check_instance(ex) {
            return null_mut();
        }
        xnew_ref((*base(ex)).cause)
    })
}

/// Sets the cause of `ex` to `cause` (NULL clears it) and sets `__suppress_context__`. Steals a
/// reference to `cause`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyException_SetCause(ex: *mut PyObject, cause: *mut PyObject) {
    if ex.is_null() {
        // SAFETY: the stolen reference is released; setting the error indicator.
        unsafe {
            xdecref(cause);
            crate::python::errors::bad_internal_call();
        }
        return;
    }
    // SAFETY: live object; `cause` stolen.
    guard("PyException_SetCause", (), || unsafe {
        if !check_instance(ex) || !check_chained(cause, "cause") {
            xdecref(cause);
            return;
        }
        (*base(ex)).suppress_context = 1;
        crate::capi::ffi::xsetref(&raw mut (*base(ex)).cause, cause);
    })
}

/// A context or cause must be NULL or an exception instance (the chaining code reads it as
/// one); else `TypeError` with Python's setter message is set. pycoro: CPython's C functions
/// store anything.
unsafe fn check_chained(v: *mut PyObject, what: &str) -> bool {
    // SAFETY: live object or NULL.
    unsafe {
        if v.is_null() || v == crate::none() || exc_instance_check(v) {
            return true;
        }
        crate::python::errors::set_format(
            crate::exc!(TypeError),
            format_args!("exception {what} must be None or derive from BaseException"),
        );
        false
    }
}

/// Sets `ex.__cause__` and `__context__` as `raise ... from` would (used for PEP 479).
pub(crate) unsafe fn set_cause_and_context(ex: *mut PyObject, cause: *mut PyObject) {
    // SAFETY: exception instances.
    unsafe {
        xincref(cause);
        set_context(ex, cause);
        xincref(cause);
        (*base(ex)).suppress_context = 1;
        crate::capi::ffi::xsetref(&raw mut (*base(ex)).cause, cause);
    }
}

/// `BaseException.__reduce__`: `(type(self), self.args)`, plus the instance dict when it has
/// one.
unsafe extern "C" fn exc_reduce(op: *mut PyObject, _a: *mut PyObject) -> *mut PyObject {
    // SAFETY: an exception instance.
    unsafe {
        let b = base(op);
        let args = if (*b).args.is_null() {
            crate::objects::tupleobject::empty()
        } else {
            (*b).args
        };
        let cls = crate::capi::ffi::obj(crate::capi::ffi::ty(op));
        if (*b).dict.is_null() {
            crate::objects::tupleobject::tuple_from(&[cls, args])
        } else {
            crate::objects::tupleobject::tuple_from(&[cls, args, (*b).dict])
        }
    }
}

/// `BaseException.__setstate__(state)`: sets each item of a dict state as an attribute.
unsafe extern "C" fn exc_setstate(op: *mut PyObject, state: *mut PyObject) -> *mut PyObject {
    // SAFETY: an exception instance and a live object.
    unsafe {
        if state != none() {
            if !crate::objects::dictobject::is_dict(state) {
                set_string(crate::exc!(TypeError), "state is not a dictionary");
                return null_mut();
            }
            let mut pos = 0;
            while let Some((k, v)) = crate::objects::dictobject::next_entry(state, &mut pos) {
                crate::capi::ffi::incref(k);
                crate::capi::ffi::incref(v);
                let r = crate::objects::object_ops::PyObject_SetAttr(op, k, v);
                crate::capi::ffi::decref(v);
                crate::capi::ffi::decref(k);
                if r < 0 {
                    return null_mut();
                }
            }
        }
        new_ref(none())
    }
}

// StopIteration and NameError keep one extra object after the base fields, as SystemExit does;
// each type has its own slot functions, as in CPython.
macro_rules! value_exc_slots {
    ($dealloc:ident, $traverse:ident, $clear:ident) => {
        unsafe extern "C" fn $dealloc(op: *mut PyObject) {
            // SAFETY: a dying exception with one extra object field.
            unsafe { value_exc_dealloc(op) }
        }
        unsafe extern "C" fn $traverse(
            op: *mut PyObject,
            v: visitproc,
            a: *mut core::ffi::c_void,
        ) -> c_int {
            // SAFETY: as value_exc_traverse.
            unsafe { value_exc_traverse(op, v, a) }
        }
        unsafe extern "C" fn $clear(op: *mut PyObject) -> c_int {
            // SAFETY: as value_exc_clear.
            unsafe { value_exc_clear(op) }
        }
    };
}
value_exc_slots!(
    stop_iteration_dealloc,
    stop_iteration_traverse,
    stop_iteration_clear
);
value_exc_slots!(name_error_dealloc, name_error_traverse, name_error_clear);

/// An empty method table (CPython 3.10 gives AttributeError and NameError one).
static mut NO_METHODS: [PyMethodDef; 1] = [PyMethodDef::SENTINEL];
