//! Private plumbing shared by every module: reference counting, type tests and the few raw
//! pointer helpers the rest of the crate builds on.

use crate::objects::object::{
    PYNATIVE_IMMORTAL_MIN, Py_ssize_t, PyObject, PyTypeObject, PyVarObject,
};
use core::ffi::c_ulong;

/// `Py_TYPE(op)`.
#[inline(always)]
pub(crate) unsafe fn ty(op: *mut PyObject) -> *mut PyTypeObject {
    // SAFETY: the caller passes a live object.
    unsafe { (*op).ob_type }
}

/// `Py_IS_TYPE(op, tp)`.
#[inline(always)]
pub(crate) unsafe fn is_type(op: *mut PyObject, tp: *mut PyTypeObject) -> bool {
    // SAFETY: the caller passes a live object.
    unsafe { (*op).ob_type == tp }
}

/// `Py_SIZE(op)`.
#[inline(always)]
pub(crate) unsafe fn size(op: *mut PyObject) -> Py_ssize_t {
    // SAFETY: the caller passes a live variable-size object.
    unsafe { (*(op as *mut PyVarObject)).ob_size }
}

/// `PyType_HasFeature(tp, flag)`.
#[inline(always)]
pub(crate) unsafe fn has_flag(tp: *mut PyTypeObject, flag: c_ulong) -> bool {
    // SAFETY: the caller passes a live type object.
    unsafe { (*tp).tp_flags & flag != 0 }
}

/// Whether the object's type has the fast-subclass (or any other) flag.
#[inline(always)]
pub(crate) unsafe fn type_has(op: *mut PyObject, flag: c_ulong) -> bool {
    // SAFETY: the caller passes a live object.
    unsafe { has_flag(ty(op), flag) }
}

/// `Py_INCREF`, leaving immortal objects untouched.
#[inline(always)]
pub(crate) unsafe fn incref(op: *mut PyObject) {
    // SAFETY: the caller passes a live object; immortal objects are never written, so sharing
    // them between threads is race free.
    unsafe {
        if (*op).ob_refcnt < PYNATIVE_IMMORTAL_MIN {
            (*op).ob_refcnt += 1;
        }
    }
}

/// `Py_DECREF`: deallocates at zero; immortal objects are left untouched.
#[inline(always)]
pub(crate) unsafe fn decref(op: *mut PyObject) {
    // SAFETY: the caller owns a reference to a live object.
    unsafe {
        let rc = (*op).ob_refcnt;
        if rc < PYNATIVE_IMMORTAL_MIN {
            (*op).ob_refcnt = rc - 1;
            if rc == 1 {
                crate::objects::object_ops::dealloc(op);
            }
        }
    }
}

/// `Py_XINCREF`.
#[inline(always)]
pub(crate) unsafe fn xincref(op: *mut PyObject) {
    if !op.is_null() {
        // SAFETY: non-NULL, live by the caller's contract.
        unsafe { incref(op) }
    }
}

/// `Py_XDECREF`.
#[inline(always)]
pub(crate) unsafe fn xdecref(op: *mut PyObject) {
    if !op.is_null() {
        // SAFETY: non-NULL, owned by the caller.
        unsafe { decref(op) }
    }
}

/// `Py_NewRef`: a new reference to `op`.
#[inline(always)]
pub(crate) unsafe fn new_ref(op: *mut PyObject) -> *mut PyObject {
    // SAFETY: the caller passes a live object.
    unsafe { incref(op) };
    op
}

/// `Py_XNewRef`.
#[inline(always)]
pub(crate) unsafe fn xnew_ref(op: *mut PyObject) -> *mut PyObject {
    // SAFETY: as xincref.
    unsafe { xincref(op) };
    op
}

/// `Py_CLEAR`: sets the slot to NULL before releasing the old value.
#[inline(always)]
pub(crate) unsafe fn clear(slot: *mut *mut PyObject) {
    // SAFETY: the caller passes a valid slot that owns its reference.
    unsafe {
        let old = *slot;
        if !old.is_null() {
            *slot = core::ptr::null_mut();
            decref(old);
        }
    }
}

/// `Py_XSETREF`: stores `new` (already owned) and releases the old value.
#[inline(always)]
pub(crate) unsafe fn xsetref(slot: *mut *mut PyObject, new: *mut PyObject) {
    // SAFETY: the caller passes a valid slot that owns its reference.
    unsafe {
        let old = *slot;
        *slot = new;
        xdecref(old);
    }
}

/// Casts any object pointer to `*mut PyObject`.
#[inline(always)]
pub(crate) fn obj<T>(p: *mut T) -> *mut PyObject {
    p as *mut PyObject
}

/// Calls `tp_traverse`-style visits: returns early from the enclosing function when `visit`
/// answers nonzero.
macro_rules! py_visit {
    ($op:expr, $visit:expr, $arg:expr) => {{
        let o: *mut $crate::objects::object::PyObject =
            $op as *mut $crate::objects::object::PyObject;
        if !o.is_null() {
            if let Some(v) = $visit {
                // SAFETY: tp_traverse contract: `visit` accepts any live object.
                #[allow(unused_unsafe)]
                let r = unsafe { v(o, $arg) };
                if r != 0 {
                    return r;
                }
            }
        }
    }};
}
pub(crate) use py_visit;

/// The address of an optional function pointer (0 for None), for comparing slots as CPython
/// compares them (`type->tp_new == object_new`).
#[inline]
pub(crate) fn fp<F: Copy>(f: Option<F>) -> usize {
    const { assert!(size_of::<Option<F>>() == size_of::<usize>()) };
    // SAFETY: `Option<fn>` is a nullable pointer of usize size (checked above).
    unsafe { core::mem::transmute_copy::<Option<F>, usize>(&f) }
}
