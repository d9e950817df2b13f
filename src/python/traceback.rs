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
    tp_getattro: Some(crate::objects::object_ops::PyObject_GenericGetAttr),
    tp_dealloc: Some(tb_dealloc),
    tp_traverse: Some(tb_traverse),
    tp_clear: Some(tb_clear),
    tp_free: Some(crate::modules::gcmodule::PyObject_GC_Del),
    tp_new: Some(tb_new),
    tp_doc: c"TracebackType(tb_next, tb_frame, tb_lasti, tb_lineno)\n--\n\nCreate a new traceback object.".as_ptr(),
    tp_methods: (&raw const TB_METHODS) as *mut crate::objects::methodobject::PyMethodDef,
    tp_members: (&raw const TB_MEMBERS) as *mut crate::objects::descrobject::PyMemberDef,
    tp_getset: (&raw const TB_GETSET) as *mut crate::objects::descrobject::PyGetSetDef,
    ..crate::objects::typeobject::static_type(
        c"traceback",
        size_of::<PyTracebackObject>(),
        Py_TPFLAGS_HAVE_GC,
    )
};

unsafe extern "C" fn tb_dealloc(op: *mut PyObject) {
    // SAFETY: a dying traceback owns its next entry and its frame (released in the trashcan:
    // a traceback of a million entries is freed without a million nested calls).
    unsafe {
        crate::modules::gcmodule::trashcan(op, tb_dealloc, || {
            crate::modules::gcmodule::untrack(op);
            tb_clear(op);
            crate::modules::gcmodule::free_object(op);
        })
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

// ---- the traceback's attributes and constructor (CPython 3.10's tb_memberlist, ...) ----

use crate::python::errors::set_string;
use core::ptr::null_mut;

const fn tb_member(
    name: &'static core::ffi::CStr,
    kind: c_int,
    offset: usize,
    flags: c_int,
) -> crate::objects::descrobject::PyMemberDef {
    crate::objects::descrobject::PyMemberDef {
        name: name.as_ptr(),
        r#type: kind,
        offset: offset as Py_ssize_t,
        flags,
        doc: core::ptr::null(),
    }
}

static mut TB_MEMBERS: [crate::objects::descrobject::PyMemberDef; 4] = {
    use crate::python::structmember::{PY_AUDIT_READ, READONLY, T_INT, T_OBJECT};
    use core::mem::offset_of;
    type T = PyTracebackObject;
    [
        tb_member(
            c"tb_frame",
            T_OBJECT,
            offset_of!(T, tb_frame),
            READONLY | PY_AUDIT_READ,
        ),
        tb_member(c"tb_lasti", T_INT, offset_of!(T, tb_lasti), READONLY),
        tb_member(c"tb_lineno", T_INT, offset_of!(T, tb_lineno), READONLY),
        crate::objects::descrobject::PyMemberDef::SENTINEL,
    ]
};

static mut TB_GETSET: [crate::objects::descrobject::PyGetSetDef; 2] = [
    crate::objects::descrobject::PyGetSetDef {
        name: c"tb_next".as_ptr(),
        get: Some(tb_get_next),
        set: Some(tb_set_next),
        doc: core::ptr::null(),
        closure: null_mut(),
    },
    crate::objects::descrobject::PyGetSetDef::SENTINEL,
];

static mut TB_METHODS: [crate::objects::methodobject::PyMethodDef; 2] = [
    crate::objects::methodobject::PyMethodDef {
        ml_name: c"__dir__".as_ptr(),
        ml_meth: Some(tb_dir),
        ml_flags: crate::objects::methodobject::METH_NOARGS,
        ml_doc: core::ptr::null(),
    },
    crate::objects::methodobject::PyMethodDef::SENTINEL,
];

unsafe extern "C" fn tb_dir(_op: *mut PyObject, _a: *mut PyObject) -> *mut PyObject {
    // SAFETY: building a list of interned strs.
    unsafe {
        let names = ["tb_frame", "tb_next", "tb_lasti", "tb_lineno"]
            .map(|n| crate::objects::unicodeobject::intern(n));
        crate::objects::listobject::list_from(&names)
    }
}

unsafe extern "C" fn tb_get_next(op: *mut PyObject, _c: *mut c_void) -> *mut PyObject {
    // SAFETY: a traceback.
    unsafe {
        let n = (*(op as *mut PyTracebackObject)).tb_next as *mut PyObject;
        crate::capi::ffi::new_ref(if n.is_null() {
            crate::objects::object_ops::none()
        } else {
            n
        })
    }
}

unsafe extern "C" fn tb_set_next(op: *mut PyObject, v: *mut PyObject, _c: *mut c_void) -> c_int {
    // SAFETY: a traceback; the new chain is checked for a loop back to `op` first.
    unsafe {
        if v.is_null() {
            set_string(crate::exc!(TypeError), "can't delete tb_next attribute");
            return -1;
        }
        let v = if v == crate::objects::object_ops::none() {
            null_mut()
        } else {
            v
        };
        if !v.is_null() && !is_traceback(v) {
            crate::python::errors::set_format(
                crate::exc!(TypeError),
                format_args!(
                    "expected traceback object, got '{}'",
                    crate::objects::typeobject::tp_name_of(v)
                ),
            );
            return -1;
        }
        let mut c = v as *mut PyTracebackObject;
        while !c.is_null() {
            if c as *mut PyObject == op {
                set_string(crate::exc!(ValueError), "traceback loop detected");
                return -1;
            }
            c = (*c).tb_next;
        }
        let slot = &raw mut (*(op as *mut PyTracebackObject)).tb_next as *mut *mut PyObject;
        crate::capi::ffi::xsetref(slot, crate::capi::ffi::xnew_ref(v));
        0
    }
}

/// `TracebackType(tb_next, tb_frame, tb_lasti, tb_lineno)`.
unsafe extern "C" fn tb_new(
    _tp: *mut PyTypeObject,
    args: *mut PyObject,
    kwds: *mut PyObject,
) -> *mut PyObject {
    const NAMES: [&str; 4] = ["tb_next", "tb_frame", "tb_lasti", "tb_lineno"];
    // SAFETY: `args` a tuple, `kwds` a dict or NULL.
    unsafe {
        let n = crate::capi::ffi::size(args) as usize;
        let nkw = if kwds.is_null() {
            0
        } else {
            crate::objects::dictobject::PyDict_Size(kwds) as usize
        };
        if n + nkw > 4 {
            crate::python::errors::set_format(
                crate::exc!(TypeError),
                format_args!(
                    "TracebackType() takes at most 4 arguments ({} given)",
                    n + nkw
                ),
            );
            return null_mut();
        }
        let mut a = [null_mut(); 4];
        for (i, slot) in a.iter_mut().enumerate().take(n) {
            *slot = crate::objects::tupleobject::item(args, i as Py_ssize_t);
        }
        if nkw > 0 {
            let mut pos = 0;
            while let Some((k, v)) = crate::objects::dictobject::next_entry(kwds, &mut pos) {
                let key = crate::objects::unicodeobject::str_as(k).unwrap_or("");
                match NAMES.iter().position(|x| *x == key) {
                    Some(i) if i >= n => a[i] = v,
                    Some(i) => {
                        crate::python::errors::set_format(
                            crate::exc!(TypeError),
                            format_args!(
                                "argument for TracebackType() given by name ('{key}') and position ({})",
                                i + 1
                            ),
                        );
                        return null_mut();
                    }
                    None => {
                        crate::python::errors::set_format(
                            crate::exc!(TypeError),
                            format_args!(
                                "TracebackType() got an unexpected keyword argument '{key}'"
                            ),
                        );
                        return null_mut();
                    }
                }
            }
        }
        if let Some(i) = a.iter().position(|p| p.is_null()) {
            crate::python::errors::set_format(
                crate::exc!(TypeError),
                format_args!(
                    "TracebackType() missing required argument '{}' (pos {})",
                    NAMES[i],
                    i + 1
                ),
            );
            return null_mut();
        }
        let [next, frame, lasti, lineno] = a;
        if !crate::capi::ffi::is_type(frame, &raw mut crate::objects::frameobject::PyFrame_Type) {
            crate::python::errors::set_format(
                crate::exc!(TypeError),
                format_args!(
                    "TracebackType() argument 'tb_frame' must be frame, not {}",
                    crate::objects::typeobject::tp_name_of(frame)
                ),
            );
            return null_mut();
        }
        let to_int = |o: *mut PyObject| -> Option<c_int> {
            let v = crate::objects::longobject::index_as_ssize(o);
            if v == -1 && !crate::python::errors::occurred().is_null() {
                return None;
            }
            match c_int::try_from(v) {
                Ok(x) => Some(x),
                Err(_) => {
                    set_string(
                        crate::exc!(OverflowError),
                        if v < 0 {
                            "signed integer is less than minimum"
                        } else {
                            "signed integer is greater than maximum"
                        },
                    );
                    None
                }
            }
        };
        let Some(lasti) = to_int(lasti) else {
            return null_mut();
        };
        let Some(lineno) = to_int(lineno) else {
            return null_mut();
        };
        let next = if next == crate::objects::object_ops::none() {
            null_mut()
        } else {
            next
        };
        if !next.is_null() && !is_traceback(next) {
            crate::python::errors::set_format(
                crate::exc!(TypeError),
                format_args!(
                    "expected traceback object or None, got '{}'",
                    crate::objects::typeobject::tp_name_of(next)
                ),
            );
            return null_mut();
        }
        let op = crate::modules::gcmodule::alloc_object(
            &raw mut PyTraceBack_Type,
            size_of::<PyTracebackObject>(),
        );
        if op.is_null() {
            return op;
        }
        let tb = op as *mut PyTracebackObject;
        (*tb).tb_next = crate::capi::ffi::xnew_ref(next) as *mut PyTracebackObject;
        (*tb).tb_frame = crate::capi::ffi::new_ref(frame) as *mut PyFrameObject;
        (*tb).tb_lasti = lasti;
        (*tb).tb_lineno = lineno;
        crate::modules::gcmodule::track(op);
        op
    }
}
