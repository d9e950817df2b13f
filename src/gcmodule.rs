//! `Include/objimpl.h` allocation of objects, and the GC header that precedes the objects of
//! types with `Py_TPFLAGS_HAVE_GC` (as in CPython, C code never sees it).

use crate::boundary::{check_null, guard};
use crate::ffi::{has_flag, obj};
use crate::object::{
    PYNATIVE_IMMORTAL_MIN, Py_TPFLAGS_HAVE_GC, Py_ssize_t, PyObject, PyTypeObject, PyVarObject,
};
use crate::pymem::{raw_calloc, raw_free};
use core::ffi::{c_int, c_void};
use core::ptr::null_mut;

/// The hidden header in front of every GC object (16 bytes, like CPython's `PyGC_Head`).
#[repr(C)]
pub(crate) struct GcHead {
    /// Nonzero while the object is tracked.
    pub(crate) next: usize,
    /// Bit 0: the object's `tp_finalize` has run (PEP 442: at most once).
    pub(crate) prev: usize,
}

const FINALIZED: usize = 1;

/// The GC header of a GC object.
#[inline(always)]
pub(crate) unsafe fn head(op: *mut PyObject) -> *mut GcHead {
    // SAFETY: GC objects are allocated with the header just in front of them.
    unsafe { (op as *mut GcHead).sub(1) }
}

/// A static GC object with room for its header, so statics can be handed out like heap ones.
#[repr(C)]
pub(crate) struct StaticGc<T> {
    pub(crate) head: GcHead,
    pub(crate) obj: T,
}

impl<T> StaticGc<T> {
    pub(crate) const fn new(obj: T) -> Self {
        StaticGc {
            head: GcHead { next: 0, prev: 0 },
            obj,
        }
    }
}

/// `_PyObject_VAR_SIZE`: bytes for an object of `tp` with `n` items, rounded up to 8.
pub(crate) fn var_size(tp: &PyTypeObject, n: Py_ssize_t) -> Option<usize> {
    let items = (n.max(0) as usize).checked_mul(tp.tp_itemsize.max(0) as usize)?;
    let total = (tp.tp_basicsize.max(0) as usize)
        .checked_add(items)?
        .checked_add(7)?;
    Some(total & !7)
}

/// Allocates a zeroed object of `size` bytes for `tp` (with a GC header when `tp` has GC), sets
/// its refcount to 1 and its type; sets `MemoryError` and returns NULL on failure.
pub(crate) unsafe fn alloc_object(tp: *mut PyTypeObject, size: usize) -> *mut PyObject {
    // SAFETY: `tp` is a live type object.
    let gc = unsafe { has_flag(tp, Py_TPFLAGS_HAVE_GC) };
    let pre = if gc { size_of::<GcHead>() } else { 0 };
    let Some(total) = size.checked_add(pre) else {
        // SAFETY: setting the error indicator.
        unsafe { crate::pyerrors::no_memory() };
        return null_mut();
    };
    // SAFETY: plain allocation; the header (if any) comes first.
    unsafe {
        let mem = raw_calloc(1, total) as *mut u8;
        if mem.is_null() {
            crate::pyerrors::no_memory();
            return null_mut();
        }
        let op = mem.add(pre) as *mut PyObject;
        (*op).ob_refcnt = 1;
        (*op).ob_type = tp;
        op
    }
}

/// Releases the memory of an object made by `alloc_object` (the GC header included).
pub(crate) unsafe fn free_object(op: *mut PyObject) {
    // SAFETY: `op` came from alloc_object; its type says whether a header precedes it.
    unsafe {
        if has_flag((*op).ob_type, Py_TPFLAGS_HAVE_GC) {
            raw_free(head(op) as *mut c_void);
        } else {
            raw_free(op as *mut c_void);
        }
    }
}

/// Whether the object's finalizer has already run.
pub(crate) unsafe fn is_finalized(op: *mut PyObject) -> bool {
    // SAFETY: GC object.
    unsafe { (*head(op)).prev & FINALIZED != 0 }
}

/// Allocates a new object of type `tp` (`PyObject_New(TYPE, tp)` is a macro for it): `tp_basicsize`
/// bytes, zeroed, with the reference count 1. `tp` must not have `Py_TPFLAGS_HAVE_GC` (use
/// `_PyObject_GC_New`).
///
/// Return value: New reference, or NULL with `MemoryError` set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn _PyObject_New(tp: *mut PyTypeObject) -> *mut PyObject {
    check_null!(tp, null_mut());
    guard("_PyObject_New", null_mut(), || {
        // SAFETY: `tp` is non-NULL and a type object by contract.
        unsafe { alloc_object(tp, var_size(&*tp, 0).unwrap_or(usize::MAX)) }
    })
}

/// Allocates a new variable-size object of type `tp` with room for `nitems` items and
/// `ob_size == nitems`.
///
/// Return value: New reference, or NULL with `MemoryError` set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn _PyObject_NewVar(
    tp: *mut PyTypeObject,
    nitems: Py_ssize_t,
) -> *mut PyVarObject {
    check_null!(tp, null_mut());
    guard("_PyObject_NewVar", null_mut(), || {
        // SAFETY: as `_PyObject_New`.
        unsafe { new_var(tp, nitems) }
    })
}

unsafe fn new_var(tp: *mut PyTypeObject, nitems: Py_ssize_t) -> *mut PyVarObject {
    if nitems < 0 {
        // SAFETY: setting the error indicator.
        unsafe { crate::pyerrors::bad_internal_call() };
        return null_mut();
    }
    // SAFETY: `tp` is a type object.
    let size = var_size(unsafe { &*tp }, nitems).unwrap_or(usize::MAX);
    // SAFETY: as above.
    let op = unsafe { alloc_object(tp, size) } as *mut PyVarObject;
    if !op.is_null() {
        // SAFETY: freshly allocated.
        unsafe { (*op).ob_size = nitems };
    }
    op
}

/// Initializes the header of memory allocated by C code: sets the type and a reference count
/// of 1. Returns `op`, or NULL (with `MemoryError` set) if `op` is NULL.
///
/// Return value: Borrowed reference (the same pointer).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyObject_Init(op: *mut PyObject, tp: *mut PyTypeObject) -> *mut PyObject {
    if op.is_null() {
        // SAFETY: setting the error indicator.
        return unsafe { crate::pyerrors::no_memory() };
    }
    check_null!(tp, null_mut());
    // SAFETY: the caller passes writable memory of at least `PyObject` size.
    unsafe {
        (*op).ob_type = tp;
        (*op).ob_refcnt = 1;
    }
    op
}

/// As `PyObject_Init`, also setting `ob_size`.
///
/// Return value: Borrowed reference (the same pointer).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyObject_InitVar(
    op: *mut PyVarObject,
    tp: *mut PyTypeObject,
    size: Py_ssize_t,
) -> *mut PyVarObject {
    // SAFETY: as PyObject_Init.
    let r = unsafe { PyObject_Init(obj(op), tp) };
    if !r.is_null() {
        // SAFETY: writable by contract.
        unsafe { (*op).ob_size = size };
    }
    r as *mut PyVarObject
}

/// Allocates a new object of a type with `Py_TPFLAGS_HAVE_GC` (`PyObject_GC_New` is a macro for
/// it). The object is not tracked yet: call `PyObject_GC_Track` once its fields are set.
///
/// Return value: New reference, or NULL with `MemoryError` set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn _PyObject_GC_New(tp: *mut PyTypeObject) -> *mut PyObject {
    check_null!(tp, null_mut());
    guard("_PyObject_GC_New", null_mut(), || {
        // SAFETY: `tp` non-NULL; alloc_object adds the header when the type has GC.
        unsafe { alloc_object(tp, var_size(&*tp, 0).unwrap_or(usize::MAX)) }
    })
}

/// Variable-size version of `_PyObject_GC_New`.
///
/// Return value: New reference, or NULL with `MemoryError` set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn _PyObject_GC_NewVar(
    tp: *mut PyTypeObject,
    nitems: Py_ssize_t,
) -> *mut PyVarObject {
    check_null!(tp, null_mut());
    // SAFETY: as `_PyObject_NewVar`.
    guard("_PyObject_GC_NewVar", null_mut(), || unsafe {
        new_var(tp, nitems)
    })
}

/// Releases the memory of a GC object (the `tp_free` of GC types). The object must be
/// untracked already.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyObject_GC_Del(op: *mut c_void) {
    if op.is_null() {
        return;
    }
    // SAFETY: `op` is a GC object from `_PyObject_GC_New*`.
    guard("PyObject_GC_Del", (), || unsafe {
        raw_free(head(op as *mut PyObject) as *mut c_void)
    })
}

/// Starts tracking a GC object. Tracking an object twice has no further effect.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyObject_GC_Track(op: *mut c_void) {
    if op.is_null() {
        return;
    }
    // SAFETY: `op` is a GC object by contract.
    guard("PyObject_GC_Track", (), || unsafe {
        track(op as *mut PyObject)
    })
}

/// Stops tracking a GC object; untracking an untracked object has no effect.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyObject_GC_UnTrack(op: *mut c_void) {
    if op.is_null() {
        return;
    }
    // SAFETY: `op` is a GC object by contract.
    guard("PyObject_GC_UnTrack", (), || unsafe {
        untrack(op as *mut PyObject)
    })
}

/// Returns 1 if `op` is a GC object tracked by the collector, else 0.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyObject_GC_IsTracked(op: *mut PyObject) -> c_int {
    if op.is_null() {
        return 0;
    }
    guard("PyObject_GC_IsTracked", 0, || {
        // SAFETY: `op` is a live object by contract.
        unsafe { (is_gc(op) && (*head(op)).next != 0) as c_int }
    })
}

/// Returns 1 if `op` is a GC object whose finalizer has run, else 0.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyObject_GC_IsFinalized(op: *mut PyObject) -> c_int {
    if op.is_null() {
        return 0;
    }
    // SAFETY: `op` is a live object by contract.
    guard("PyObject_GC_IsFinalized", 0, || unsafe {
        (is_gc(op) && is_finalized(op)) as c_int
    })
}

/// `PyObject_IS_GC`: the type has GC and (if it has `tp_is_gc`) this instance is collectable.
pub(crate) unsafe fn is_gc(op: *mut PyObject) -> bool {
    // SAFETY: live object.
    unsafe {
        let tp = (*op).ob_type;
        has_flag(tp, Py_TPFLAGS_HAVE_GC)
            && (*op).ob_refcnt < PYNATIVE_IMMORTAL_MIN
            && match (*tp).tp_is_gc {
                Some(f) => f(op) != 0,
                None => true,
            }
    }
}

/// Marks a GC object tracked.
pub(crate) unsafe fn track(op: *mut PyObject) {
    // SAFETY: GC object with a header.
    unsafe { (*head(op)).next = 1 }
}

/// Marks a GC object untracked.
pub(crate) unsafe fn untrack(op: *mut PyObject) {
    // SAFETY: GC object with a header.
    unsafe { (*head(op)).next = 0 }
}

/// Marks a GC object's finalizer as run.
pub(crate) unsafe fn set_finalized(op: *mut PyObject) {
    // SAFETY: a GC object has its header.
    unsafe { (*head(op)).prev |= FINALIZED }
}

/// Calls `op`'s `tp_finalize` (PEP 442) unless it has none or, for a GC object, it has
/// already run: a finalizer runs at most once per object. The finalizer must not leave an
/// exception set (it should report errors with `PyErr_WriteUnraisable`). A NULL `op` does
/// nothing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyObject_CallFinalizer(op: *mut PyObject) {
    if op.is_null() {
        return;
    }
    crate::boundary::guard("PyObject_CallFinalizer", (), || {
        // SAFETY: a live object (or one being deallocated, temporarily resurrected).
        unsafe { call_finalizer(op) }
    })
}

unsafe fn call_finalizer(op: *mut PyObject) {
    // SAFETY: a live object.
    unsafe {
        let tp = (*op).ob_type;
        let Some(fin) = (*tp).tp_finalize else {
            return;
        };
        let gc = has_flag(tp, Py_TPFLAGS_HAVE_GC);
        if gc && is_finalized(op) {
            return;
        }
        fin(op);
        if gc {
            set_finalized(op);
        }
    }
}

/// Calls the finalizer from a deallocator (`tp_dealloc`), where `op`'s reference count is 0:
/// the object is resurrected for the call. Returns 0 when the object is still dying (the
/// deallocator goes on), or -1 when the finalizer resurrected it (stored a new reference
/// somewhere): the deallocator must then return at once without freeing it.
///
/// A NULL `op` raises `SystemError` and returns -1 (CPython asserts).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyObject_CallFinalizerFromDealloc(op: *mut PyObject) -> c_int {
    crate::boundary::check_null!(op, -1);
    crate::boundary::guard("PyObject_CallFinalizerFromDealloc", -1, || {
        // SAFETY: an object whose last reference went away; resurrected while its finalizer
        // runs.
        unsafe {
            (*op).ob_refcnt = 1;
            call_finalizer(op);
            (*op).ob_refcnt -= 1;
            if (*op).ob_refcnt == 0 { 0 } else { -1 }
        }
    })
}
