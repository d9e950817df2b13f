//! `Include/abstract.h`'s iterator protocol: `PyObject_GetIter`, `PyIter_Check`, `PyIter_Next`,
//! `PyIter_Send`, and the StopIteration value helpers every resume path shares.

use crate::capi::boundary::{check_null, guard};
use crate::capi::ffi::{decref, new_ref, ty, xdecref, xnew_ref};
use crate::objects::exceptions::PyStopIterationObject;
use crate::objects::object::*;
use crate::objects::object_ops::none;
use crate::objects::tupleobject::is_tuple;
use crate::objects::typeobject::{is_subtype, tp_name_of};
use crate::python::errors::{fetch, matches, normalize, occurred, restore, set_format, set_object};
use core::ffi::c_int;
use core::ptr::null_mut;

/// `tp_iternext` of types that are not iterators although they have the slot: raises
/// `TypeError: '<type>' object is not iterable` and returns NULL (CPython's sentinel, which
/// `PyIter_Check` treats as "no `tp_iternext`").
#[unsafe(no_mangle)]
pub unsafe extern "C" fn _PyObject_NextNotImplemented(op: *mut PyObject) -> *mut PyObject {
    check_null!(op, null_mut());
    // SAFETY: a live object.
    guard("_PyObject_NextNotImplemented", null_mut(), || unsafe {
        set_format(
            crate::exc!(TypeError),
            format_args!("'{}' object is not iterable", tp_name_of(op)),
        );
        null_mut()
    })
}

/// `tp_iter` of iterators: returns `op` itself.
///
/// Return value: New reference (to `op`); NULL with `SystemError` set when `op` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyObject_SelfIter(op: *mut PyObject) -> *mut PyObject {
    check_null!(op, null_mut());
    // SAFETY: a live object.
    unsafe { new_ref(op) }
}

/// Whether a `tp_iternext` / `am_anext` slot is filled with something other than
/// `_PyObject_NextNotImplemented` (CPython's "not an iterator" sentinel).
#[inline]
pub(crate) fn is_real_next(
    slot: Option<unsafe extern "C" fn(*mut PyObject) -> *mut PyObject>,
) -> bool {
    slot.is_some_and(|f| f as *const () != _PyObject_NextNotImplemented as *const ())
}

/// Whether `op`'s type has a usable `tp_iternext` (PyIter_Check without the NULL test).
#[inline]
pub(crate) unsafe fn is_iterator(op: *mut PyObject) -> bool {
    // SAFETY: a live object with a live type.
    unsafe { is_real_next((*ty(op)).tp_iternext) }
}

/// Returns 1 if `o` is an iterator (its type has a `tp_iternext` other than
/// `_PyObject_NextNotImplemented`), else 0. Generators are iterators; coroutines and async
/// generators are not. NULL gives 0. Never sets an exception.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyIter_Check(o: *mut PyObject) -> c_int {
    // SAFETY: NULL or a live object.
    (!o.is_null() && unsafe { is_iterator(o) }) as c_int
}

/// `PyObject_GetIter` without the NULL test.
pub(crate) unsafe fn get_iter(o: *mut PyObject) -> *mut PyObject {
    // SAFETY: a live object; `tp_iter` follows the slot contract.
    unsafe {
        let Some(f) = (*ty(o)).tp_iter else {
            set_format(
                crate::exc!(TypeError),
                format_args!("'{}' object is not iterable", tp_name_of(o)),
            );
            return null_mut();
        };
        let r = f(o);
        if !r.is_null() && !is_iterator(r) {
            set_format(
                crate::exc!(TypeError),
                format_args!("iter() returned non-iterator of type '{}'", tp_name_of(r)),
            );
            decref(r);
            return null_mut();
        }
        r
    }
}

/// Returns an iterator for `o` (`iter(o)`): the result of its type's `tp_iter`.
///
/// Return value: New reference, or NULL with an exception set: `TypeError: '<type>' object is
/// not iterable` (a coroutine, for instance), `TypeError: iter() returned non-iterator of type
/// '<type>'`; `SystemError` when `o` is NULL. pycoro has no sequence types, so there is no
/// fallback to `__getitem__` iteration.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyObject_GetIter(o: *mut PyObject) -> *mut PyObject {
    check_null!(o, null_mut());
    // SAFETY: a live object.
    guard("PyObject_GetIter", null_mut(), || unsafe { get_iter(o) })
}

/// Returns the next item of iterator `iter` (its `tp_iternext`).
///
/// Return value: New reference. NULL with no exception set when the iterator is exhausted (a
/// pending `StopIteration` is cleared, its value dropped); NULL with an exception set on
/// error: `TypeError: '<type>' object is not an iterator` when `iter` has no `tp_iternext`
/// (CPython crashes), `SystemError` when `iter` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyIter_Next(iter: *mut PyObject) -> *mut PyObject {
    check_null!(iter, null_mut());
    // SAFETY: a live object.
    guard("PyIter_Next", null_mut(), || unsafe {
        let Some(next) = (*ty(iter)).tp_iternext else {
            set_format(
                crate::exc!(TypeError),
                format_args!("'{}' object is not an iterator", tp_name_of(iter)),
            );
            return null_mut();
        };
        let r = next(iter);
        if r.is_null() && !occurred().is_null() && matches(crate::exc!(StopIteration)) {
            restore(null_mut(), null_mut(), null_mut());
        }
        r
    })
}

/// `PyIter_Send` without the argument checks.
pub(crate) unsafe fn iter_send(
    iter: *mut PyObject,
    arg: *mut PyObject,
    presult: *mut *mut PyObject,
) -> PySendResult {
    // SAFETY: live objects; the slots follow their contracts.
    unsafe {
        let am = (*ty(iter)).tp_as_async;
        if !am.is_null()
            && let Some(send) = (*am).am_send
        {
            return send(iter, arg, presult);
        }
        let r = if arg == none() && is_iterator(iter) {
            ((*ty(iter)).tp_iternext.unwrap_unchecked())(iter)
        } else {
            crate::objects::call::call_method(iter, "send", &[arg])
        };
        *presult = r;
        if !r.is_null() {
            return PYGEN_NEXT;
        }
        if fetch_stop_iteration_value(presult) == 0 {
            PYGEN_RETURN
        } else {
            PYGEN_ERROR
        }
    }
}

/// Sends `arg` into iterator `iter` and reports how it went, without raising StopIteration:
/// the type's `am_send` when it has one (generators, coroutines, async generators); otherwise
/// `tp_iternext` when `arg` is None and `iter` is an iterator; otherwise `iter.send(arg)`.
///
/// Returns `PYGEN_NEXT` with `*presult` = the yielded value (new reference); `PYGEN_RETURN`
/// with `*presult` = the return value (new reference; None for an exhausted iterator or a
/// plain StopIteration, which is cleared); `PYGEN_ERROR` with `*presult` NULL and an exception
/// set. A NULL argument raises `SystemError` ("bad argument to internal function") and gives
/// `PYGEN_ERROR` (CPython asserts).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyIter_Send(
    iter: *mut PyObject,
    arg: *mut PyObject,
    presult: *mut *mut PyObject,
) -> PySendResult {
    if !presult.is_null() {
        // SAFETY: a writable out-parameter by contract.
        unsafe { *presult = null_mut() };
    }
    check_null!(iter, PYGEN_ERROR);
    check_null!(arg, PYGEN_ERROR);
    check_null!(presult, PYGEN_ERROR);
    // SAFETY: checked above.
    guard("PyIter_Send", PYGEN_ERROR, || unsafe {
        iter_send(iter, arg, presult)
    })
}

/// Whether `op` is an instance of StopIteration or a subclass.
unsafe fn is_stop_iteration(op: *mut PyObject) -> bool {
    // SAFETY: a live object.
    unsafe {
        is_subtype(
            ty(op),
            &raw mut crate::objects::exceptions::types::StopIteration,
        )
    }
}

/// `_PyGen_FetchStopIterationValue`: see the export in `genobject`.
pub(crate) unsafe fn fetch_stop_iteration_value(pvalue: *mut *mut PyObject) -> c_int {
    // SAFETY: the thread's error indicator; `pvalue` is writable.
    unsafe {
        if occurred().is_null() {
            *pvalue = new_ref(none());
            return 0;
        }
        if !matches(crate::exc!(StopIteration)) {
            return -1;
        }
        let (mut t, mut v, mut tb) = fetch();
        let value = if v.is_null() {
            new_ref(none())
        } else if is_stop_iteration(v) {
            let val = xnew_ref((*(v as *mut PyStopIterationObject)).value);
            if val.is_null() { new_ref(none()) } else { val }
        } else if t == crate::exc!(StopIteration) && !is_tuple(v) {
            new_ref(v)
        } else {
            normalize(&mut t, &mut v, &mut tb, 0);
            if v.is_null() || !is_stop_iteration(v) {
                restore(t, v, tb);
                return -1;
            }
            let val = xnew_ref((*(v as *mut PyStopIterationObject)).value);
            if val.is_null() { new_ref(none()) } else { val }
        };
        xdecref(t);
        xdecref(v);
        xdecref(tb);
        *pvalue = value;
        0
    }
}

/// `_PyGen_SetStopIterationValue`: see the export in `genobject`.
pub(crate) unsafe fn set_stop_iteration_value(value: *mut PyObject) -> c_int {
    // SAFETY: `value` is live or NULL.
    unsafe {
        let si = crate::exc!(StopIteration);
        if value.is_null()
            || (!is_tuple(value) && !crate::objects::exceptions::exc_instance_check(value))
        {
            set_object(si, value);
            return 0;
        }
        // StopIteration(value): a tuple or exception value is kept whole as `.value`.
        let args = crate::objects::tupleobject::tuple_from(&[value]);
        if args.is_null() {
            return -1;
        }
        let e = crate::objects::exceptions::create_exception(si, args);
        decref(args);
        if e.is_null() {
            return -1;
        }
        set_object(si, e);
        decref(e);
        0
    }
}
