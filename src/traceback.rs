//! `Include/cpython/traceback.h`: traceback objects (3.10 layout).

use crate::frameobject::PyFrameObject;
use crate::object::*;
use core::ffi::{c_int, c_void};
use core::mem::size_of;
use static_assertions::const_assert_eq;

/// One traceback entry: the frame an exception passed through and the line it was at.
#[repr(C)]
pub struct PyTracebackObject {
    pub ob_base: PyObject,
    pub tb_next: *mut PyTracebackObject,
    pub tb_frame: *mut PyFrameObject,
    pub tb_lasti: c_int,
    pub tb_lineno: c_int,
}

const_assert_eq!(size_of::<PyTracebackObject>(), 40);

/// The type `traceback`.
#[unsafe(no_mangle)]
pub static mut PyTraceBack_Type: PyTypeObject = PyTypeObject {
    tp_dealloc: Some(tb_dealloc),
    tp_hash: Some(crate::object_ops::_Py_HashPointer_obj),
    tp_richcompare: Some(crate::object_ops::object_richcompare),
    tp_traverse: Some(tb_traverse),
    tp_clear: Some(tb_clear),
    tp_free: Some(crate::gcmodule::PyObject_GC_Del),
    ..crate::typeobject::static_type(
        c"traceback",
        size_of::<PyTracebackObject>(),
        Py_TPFLAGS_HAVE_GC,
    )
};

unsafe extern "C" fn tb_dealloc(op: *mut PyObject) {
    // SAFETY: a dying traceback owns its next entry and its frame.
    unsafe {
        crate::gcmodule::untrack(op);
        tb_clear(op);
        crate::gcmodule::free_object(op);
    }
}

unsafe extern "C" fn tb_traverse(op: *mut PyObject, visit: visitproc, arg: *mut c_void) -> c_int {
    let tb = op as *mut PyTracebackObject;
    // SAFETY: a live traceback.
    unsafe {
        crate::ffi::py_visit!((*tb).tb_next, visit, arg);
        crate::ffi::py_visit!((*tb).tb_frame, visit, arg);
    }
    0
}

unsafe extern "C" fn tb_clear(op: *mut PyObject) -> c_int {
    let tb = op as *mut PyTracebackObject;
    // SAFETY: a live traceback; the slots own their references.
    unsafe {
        crate::ffi::clear((&raw mut (*tb).tb_next) as *mut *mut PyObject);
        crate::ffi::clear((&raw mut (*tb).tb_frame) as *mut *mut PyObject);
    }
    0
}

/// `PyTraceBack_Check`.
pub(crate) unsafe fn is_traceback(op: *mut PyObject) -> bool {
    // SAFETY: live object.
    unsafe { crate::ffi::is_type(op, &raw mut PyTraceBack_Type) }
}
