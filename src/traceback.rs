//! `Include/cpython/traceback.h`: traceback objects (3.10 layout).

use crate::frameobject::PyFrameObject;
use crate::object::*;
use core::ffi::c_int;
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
pub static mut PyTraceBack_Type: PyTypeObject =
    crate::typeobject::static_type(c"traceback", size_of::<PyTracebackObject>(), Py_TPFLAGS_HAVE_GC);

/// `PyTraceBack_Check`.
pub(crate) unsafe fn is_traceback(op: *mut PyObject) -> bool {
    // SAFETY: live object.
    unsafe { crate::ffi::is_type(op, &raw mut PyTraceBack_Type) }
}
