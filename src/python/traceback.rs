//! `Include/cpython/traceback.h`: traceback objects (3.10 layout).

use crate::objects::frameobject::PyFrameObject;
use crate::objects::object::*;
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
    tp_hash: Some(crate::objects::object_ops::_Py_HashPointer_obj),
    tp_richcompare: Some(crate::objects::object_ops::object_richcompare),
    tp_traverse: Some(tb_traverse),
    tp_clear: Some(tb_clear),
    tp_free: Some(crate::modules::gcmodule::PyObject_GC_Del),
    ..crate::objects::typeobject::static_type(
        c"traceback",
        size_of::<PyTracebackObject>(),
        Py_TPFLAGS_HAVE_GC,
    )
};

unsafe extern "C" fn tb_dealloc(op: *mut PyObject) {
    // SAFETY: a dying traceback owns its next entry and its frame.
    unsafe {
        crate::modules::gcmodule::untrack(op);
        tb_clear(op);
        crate::modules::gcmodule::free_object(op);
    }
}

unsafe extern "C" fn tb_traverse(op: *mut PyObject, visit: visitproc, arg: *mut c_void) -> c_int {
    let tb = op as *mut PyTracebackObject;
    // SAFETY: a live traceback.
    unsafe {
        crate::capi::ffi::py_visit!((*tb).tb_next, visit, arg);
        crate::capi::ffi::py_visit!((*tb).tb_frame, visit, arg);
    }
    0
}

unsafe extern "C" fn tb_clear(op: *mut PyObject) -> c_int {
    let tb = op as *mut PyTracebackObject;
    // SAFETY: a live traceback; the slots own their references.
    unsafe {
        crate::capi::ffi::clear((&raw mut (*tb).tb_next) as *mut *mut PyObject);
        crate::capi::ffi::clear((&raw mut (*tb).tb_frame) as *mut *mut PyObject);
    }
    0
}

/// `PyTraceBack_Check`.
pub(crate) unsafe fn is_traceback(op: *mut PyObject) -> bool {
    // SAFETY: live object.
    unsafe { crate::capi::ffi::is_type(op, &raw mut PyTraceBack_Type) }
}

/// Prepends an entry for frame `f` to the pending exception's traceback (the error indicator's
/// `curexc_traceback`). Returns false when the entry cannot be allocated: `MemoryError` then
/// replaces the pending exception.
pub(crate) unsafe fn here(f: *mut PyFrameObject) -> bool {
    // SAFETY: the thread's own error indicator; `f` is a live frame.
    unsafe {
        let ts = crate::python::pystate::tstate();
        let op = crate::modules::gcmodule::alloc_object(
            &raw mut PyTraceBack_Type,
            size_of::<PyTracebackObject>(),
        );
        if op.is_null() {
            return false;
        }
        let tb = op as *mut PyTracebackObject;
        (*tb).tb_next = (*ts).curexc_traceback as *mut PyTracebackObject;
        (*tb).tb_frame = crate::capi::ffi::new_ref(crate::capi::ffi::obj(f)) as *mut PyFrameObject;
        (*tb).tb_lasti = (*f).f_lasti.saturating_mul(2);
        (*tb).tb_lineno = crate::objects::frameobject::line_number(f);
        (*ts).curexc_traceback = op;
        crate::modules::gcmodule::track(op);
        true
    }
}

/// Whether the pending exception's traceback already starts with an entry for `f`.
pub(crate) unsafe fn starts_at(f: *mut PyFrameObject) -> bool {
    // SAFETY: the thread's own error indicator; tracebacks are live while referenced.
    unsafe {
        let tb = (*crate::python::pystate::tstate()).curexc_traceback;
        !tb.is_null() && is_traceback(tb) && (*(tb as *mut PyTracebackObject)).tb_frame == f
    }
}

/// Adds an entry for `frame` to the current traceback (the error indicator's traceback), as the
/// interpreter does when an exception passes through a frame: the new entry's `tb_next` is the
/// old traceback, `tb_frame` a new reference to `frame`, `tb_lasti` `frame->f_lasti * 2` (3.10
/// stores a byte offset; for native frames this is twice the resume label) and `tb_lineno`
/// `PyFrame_GetLineNumber(frame)`.
///
/// Returns 0 on success, -1 with an exception set on failure (`MemoryError`; `SystemError`
/// "bad argument to internal function" when `frame` is NULL or not a frame: CPython crashes).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyTraceBack_Here(frame: *mut PyFrameObject) -> c_int {
    crate::capi::boundary::guard("PyTraceBack_Here", -1, || {
        // SAFETY: checked to be a live frame.
        unsafe {
            if frame.is_null()
                || !crate::objects::frameobject::is_frame(crate::capi::ffi::obj(frame))
            {
                crate::python::errors::bad_internal_call();
                return -1;
            }
            if here(frame) { 0 } else { -1 }
        }
    })
}

/// Writes `  File "<filename>", line N, in <name>` lines for each entry of `tb`, oldest first
/// (as `traceback.print_tb` without source lines). Write errors are ignored (it is a report).
pub(crate) unsafe fn write_entries(out: &mut impl std::io::Write, tb: *mut PyObject) {
    let mut t = tb as *mut PyTracebackObject;
    // SAFETY: a chain of live tracebacks whose frames have their code.
    unsafe {
        while !t.is_null() {
            let code = (*(*t).tb_frame).f_code;
            let file = crate::objects::unicodeobject::str_as((*code).co_filename).unwrap_or("???");
            let name = crate::objects::unicodeobject::str_as((*code).co_name).unwrap_or("???");
            let _ = writeln!(out, "  File \"{file}\", line {}, in {name}", (*t).tb_lineno);
            t = (*t).tb_next;
        }
    }
}
