//! `Include/boolobject.h`: `bool`, a subclass of `int` with two immortal instances.

use crate::capi::boundary::guard;
use crate::capi::ffi::new_ref;
use crate::objects::longobject::{PyLong_Type, PyLongObject};
use crate::objects::object::*;
use crate::objects::typeobject::static_type;
use core::ffi::c_long;
use core::ptr::null_mut;

/// The type `bool`.
#[unsafe(no_mangle)]
pub static mut PyBool_Type: PyTypeObject = PyTypeObject {
    tp_itemsize: 4,
    tp_repr: Some(bool_repr),
    tp_base: &raw mut PyLong_Type,
    tp_doc: c"bool(x) -> bool\n\nReturns True when the argument x is true, False otherwise.\nThe builtins True and False are the only two instances of the class bool.\nThe class bool is a subclass of the class int, and cannot be subclassed.".as_ptr(),
    tp_as_number: &raw mut BOOL_AS_NUMBER,
    tp_vectorcall: Some(crate::objects::longobject_ops::bool_vectorcall),
    tp_new: Some(bool_new),
    ..static_type(
        c"bool",
        32,
        Py_TPFLAGS_LONG_SUBCLASS | _Py_TPFLAGS_MATCH_SELF,
    )
};

/// bool's own number table: `&`, `|`, `^` (bool for two bools); the rest is inherited from
/// int when the type is readied.
static mut BOOL_AS_NUMBER: PyNumberMethods = PyNumberMethods {
    nb_and: Some(crate::objects::longobject_ops::bool_and),
    nb_xor: Some(crate::objects::longobject_ops::bool_xor),
    nb_or: Some(crate::objects::longobject_ops::bool_or),
    ..crate::objects::longobject::EMPTY_NUMBER_METHODS
};

/// `False` (`Py_False` is `(PyObject *)&_Py_FalseStruct`). Immortal.
#[unsafe(no_mangle)]
pub static mut _Py_FalseStruct: PyLongObject = PyLongObject {
    ob_base: PyVarObject {
        ob_base: PyObject {
            ob_refcnt: PYNATIVE_IMMORTAL_REFCNT,
            ob_type: &raw mut PyBool_Type,
        },
        ob_size: 0,
    },
    ob_digit: [0],
};

/// `True` (`Py_True` is `(PyObject *)&_Py_TrueStruct`). Immortal.
#[unsafe(no_mangle)]
pub static mut _Py_TrueStruct: PyLongObject = PyLongObject {
    ob_base: PyVarObject {
        ob_base: PyObject {
            ob_refcnt: PYNATIVE_IMMORTAL_REFCNT,
            ob_type: &raw mut PyBool_Type,
        },
        ob_size: 1,
    },
    ob_digit: [1],
};

/// `Py_True`.
#[inline(always)]
pub(crate) fn true_() -> *mut PyObject {
    (&raw mut _Py_TrueStruct) as *mut PyObject
}

/// `Py_False`.
#[inline(always)]
pub(crate) fn false_() -> *mut PyObject {
    (&raw mut _Py_FalseStruct) as *mut PyObject
}

/// `Py_True` or `Py_False` (borrowed; they are immortal).
#[inline(always)]
pub(crate) fn from_bool(b: bool) -> *mut PyObject {
    if b { true_() } else { false_() }
}

unsafe extern "C" fn bool_repr(op: *mut PyObject) -> *mut PyObject {
    // SAFETY: creating a str.
    unsafe { crate::objects::unicodeobject::str_from(if op == true_() { "True" } else { "False" }) }
}

/// Returns `Py_True` if `v` is nonzero, else `Py_False`.
///
/// Return value: New reference.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyBool_FromLong(v: c_long) -> *mut PyObject {
    // SAFETY: immortal singletons.
    guard("PyBool_FromLong", null_mut(), || unsafe {
        new_ref(from_bool(v != 0))
    })
}

/// `bool(x=False)`: the truth of `x`.
unsafe extern "C" fn bool_new(
    _tp: *mut PyTypeObject,
    args: *mut PyObject,
    kwds: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: a tuple and a dict or NULL.
    unsafe {
        if !kwds.is_null() && !crate::objects::call::kwargs_empty(kwds) {
            crate::python::errors::set_string(
                crate::exc!(TypeError),
                "bool() takes no keyword arguments",
            );
            return core::ptr::null_mut();
        }
        let n = crate::capi::ffi::size(args);
        if n > 1 {
            crate::python::errors::set_format(
                crate::exc!(TypeError),
                format_args!("bool expected at most 1 argument, got {n}"),
            );
            return core::ptr::null_mut();
        }
        if n == 0 {
            return crate::capi::ffi::new_ref(false_());
        }
        let r = crate::objects::object_ops::is_true(crate::objects::tupleobject::item(args, 0));
        if r < 0 {
            return core::ptr::null_mut();
        }
        crate::capi::ffi::new_ref(from_bool(r != 0))
    }
}
