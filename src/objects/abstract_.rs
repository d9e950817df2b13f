//! `Objects/abstract.c`'s item protocol: `PyObject_GetItem` / `SetItem` / `DelItem` and
//! `PyObject_Size`, over the mapping slots (and the sequence slots with an int index).

use crate::capi::boundary::{check_null, guard};
use crate::capi::ffi::{decref, ty};
use crate::objects::object::*;
use crate::objects::typeobject::tp_name_of;
use crate::python::errors::set_string;
use core::ffi::c_int;
use core::ptr::null_mut;

/// CPython's `null_error`: `SystemError("null argument to internal routine")`.
unsafe fn null_error() {
    // SAFETY: setting the error indicator.
    unsafe {
        set_string(
            crate::exc!(SystemError),
            "null argument to internal routine",
        )
    };
}

/// A sequence index from `key` (an int, or an object with `__index__`): `Ok(Some(i))`,
/// `Ok(None)` when `key` is not an index at all, `Err` with an exception set.
unsafe fn seq_index(key: *mut PyObject) -> Result<Option<Py_ssize_t>, ()> {
    // SAFETY: live object; a temporary index result is released.
    unsafe {
        let tp = ty(key);
        let idx = if crate::objects::longobject::is_long(key) {
            crate::capi::ffi::new_ref(key)
        } else if !(*tp).tp_as_number.is_null()
            && let Some(f) = (*(*tp).tp_as_number).nb_index
        {
            let r = f(key);
            if r.is_null() {
                return Err(());
            }
            if !crate::objects::longobject::is_long(r) {
                crate::python::errors::set_format(
                    crate::exc!(TypeError),
                    format_args!("__index__ returned non-int (type {})", tp_name_of(r)),
                );
                decref(r);
                return Err(());
            }
            r
        } else {
            return Ok(None);
        };
        let v = crate::objects::longobject::value(idx);
        decref(idx);
        match v.and_then(|v| Py_ssize_t::try_from(v).ok()) {
            Some(v) => Ok(Some(v)),
            None => {
                set_string(
                    crate::exc!(IndexError),
                    "cannot fit 'int' into an index-sized integer",
                );
                Err(())
            }
        }
    }
}

/// A negative sequence index counted from the end (`sq_length` permitting).
unsafe fn from_end(
    o: *mut PyObject,
    sq: *mut PySequenceMethods,
    i: Py_ssize_t,
) -> Result<Py_ssize_t, ()> {
    // SAFETY: live object with sequence slots.
    unsafe {
        if i < 0
            && let Some(len) = (*sq).sq_length
        {
            let n = len(o);
            if n < 0 {
                return Err(());
            }
            return Ok(i + n);
        }
        Ok(i)
    }
}

/// `PyObject_GetItem` without the boundary.
pub(crate) unsafe fn get_item(o: *mut PyObject, key: *mut PyObject) -> *mut PyObject {
    // SAFETY: live objects.
    unsafe {
        let tp = ty(o);
        let mp = (*tp).tp_as_mapping;
        if !mp.is_null()
            && let Some(f) = (*mp).mp_subscript
        {
            return f(o, key);
        }
        let sq = (*tp).tp_as_sequence;
        if !sq.is_null()
            && let Some(f) = (*sq).sq_item
        {
            return match seq_index(key) {
                Err(()) => null_mut(),
                Ok(None) => {
                    crate::python::errors::set_format(
                        crate::exc!(TypeError),
                        format_args!("sequence index must be integer, not '{}'", tp_name_of(key)),
                    );
                    null_mut()
                }
                Ok(Some(i)) => match from_end(o, sq, i) {
                    Ok(i) => f(o, i),
                    Err(()) => null_mut(),
                },
            };
        }
        crate::python::errors::set_format(
            crate::exc!(TypeError),
            format_args!("'{}' object is not subscriptable", tp_name_of(o)),
        );
        null_mut()
    }
}

/// `PyObject_SetItem` / `PyObject_DelItem` (`value` NULL) without the boundary.
pub(crate) unsafe fn set_item(o: *mut PyObject, key: *mut PyObject, value: *mut PyObject) -> c_int {
    // SAFETY: live objects.
    unsafe {
        let tp = ty(o);
        let mp = (*tp).tp_as_mapping;
        if !mp.is_null()
            && let Some(f) = (*mp).mp_ass_subscript
        {
            return f(o, key, value);
        }
        let sq = (*tp).tp_as_sequence;
        if !sq.is_null()
            && let Some(f) = (*sq).sq_ass_item
        {
            return match seq_index(key) {
                Err(()) => -1,
                Ok(None) => {
                    crate::python::errors::set_format(
                        crate::exc!(TypeError),
                        format_args!("sequence index must be integer, not '{}'", tp_name_of(key)),
                    );
                    -1
                }
                Ok(Some(i)) => match from_end(o, sq, i) {
                    Ok(i) => f(o, i, value),
                    Err(()) => -1,
                },
            };
        }
        let what = if value.is_null() {
            "deletion"
        } else {
            "assignment"
        };
        crate::python::errors::set_format(
            crate::exc!(TypeError),
            format_args!("'{}' object does not support item {what}", tp_name_of(o)),
        );
        -1
    }
}

/// `PyObject_Size` without the boundary.
pub(crate) unsafe fn size_of_object(o: *mut PyObject) -> Py_ssize_t {
    // SAFETY: live object.
    unsafe {
        let tp = ty(o);
        let sq = (*tp).tp_as_sequence;
        if !sq.is_null()
            && let Some(f) = (*sq).sq_length
        {
            return f(o);
        }
        let mp = (*tp).tp_as_mapping;
        if !mp.is_null()
            && let Some(f) = (*mp).mp_length
        {
            return f(o);
        }
        crate::python::errors::set_format(
            crate::exc!(TypeError),
            format_args!("object of type '{}' has no len()", tp_name_of(o)),
        );
        -1
    }
}

/// Returns `o[key]`: the type's `mp_subscript`, else its `sq_item` with an int index.
///
/// Return value: New reference, or NULL with an exception set (`TypeError: 'X' object is not
/// subscriptable`, the slot's own error such as `KeyError`; `SystemError` for NULL arguments).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyObject_GetItem(o: *mut PyObject, key: *mut PyObject) -> *mut PyObject {
    if o.is_null() || key.is_null() {
        // SAFETY: setting the error indicator.
        unsafe { null_error() };
        return null_mut();
    }
    // SAFETY: checked.
    guard("PyObject_GetItem", null_mut(), || unsafe {
        get_item(o, key)
    })
}

/// Performs `o[key] = v`. Does not steal `v`. Returns 0, or -1 with an exception set
/// (`TypeError: 'X' object does not support item assignment`; `SystemError` for NULL
/// arguments).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyObject_SetItem(
    o: *mut PyObject,
    key: *mut PyObject,
    v: *mut PyObject,
) -> c_int {
    if o.is_null() || key.is_null() || v.is_null() {
        // SAFETY: setting the error indicator.
        unsafe { null_error() };
        return -1;
    }
    // SAFETY: checked.
    guard("PyObject_SetItem", -1, || unsafe { set_item(o, key, v) })
}

/// Performs `del o[key]`. Returns 0, or -1 with an exception set (`TypeError: 'X' object does
/// not support item deletion`, `KeyError`; `SystemError` for NULL arguments).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyObject_DelItem(o: *mut PyObject, key: *mut PyObject) -> c_int {
    if o.is_null() || key.is_null() {
        // SAFETY: setting the error indicator.
        unsafe { null_error() };
        return -1;
    }
    // SAFETY: checked.
    guard("PyObject_DelItem", -1, || unsafe {
        set_item(o, key, null_mut())
    })
}

/// Returns `len(o)`: the type's `sq_length`, else its `mp_length`; -1 with an exception set
/// (`TypeError: object of type 'X' has no len()`; `SystemError` for NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyObject_Size(o: *mut PyObject) -> Py_ssize_t {
    if o.is_null() {
        // SAFETY: setting the error indicator.
        unsafe { null_error() };
        return -1;
    }
    // SAFETY: checked.
    guard("PyObject_Size", -1, || unsafe { size_of_object(o) })
}

/// The same as `PyObject_Size` (CPython exports both names).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyObject_Length(o: *mut PyObject) -> Py_ssize_t {
    // SAFETY: same contract.
    unsafe { PyObject_Size(o) }
}

/// `PySequence_Contains` without the boundary: the type's `sq_contains`, else a search through
/// its iteration.
pub(crate) unsafe fn sequence_contains(seq: *mut PyObject, ob: *mut PyObject) -> c_int {
    // SAFETY: live objects; the iterator and items are released.
    unsafe {
        let sq = (*ty(seq)).tp_as_sequence;
        if !sq.is_null()
            && let Some(f) = (*sq).sq_contains
        {
            return f(seq, ob);
        }
        let it = crate::objects::iterobject::get_iter(seq);
        if it.is_null() {
            if crate::python::errors::matches(crate::exc!(TypeError)) {
                crate::python::errors::set_format(
                    crate::exc!(TypeError),
                    format_args!("argument of type '{}' is not iterable", tp_name_of(seq)),
                );
            }
            return -1;
        }
        let r = loop {
            let x = crate::objects::iterobject::PyIter_Next(it);
            if x.is_null() {
                break if crate::python::errors::occurred().is_null() {
                    0
                } else {
                    -1
                };
            }
            let c = crate::objects::object_ops::PyObject_RichCompareBool(x, ob, Py_EQ);
            decref(x);
            if c != 0 {
                break c;
            }
        };
        decref(it);
        r
    }
}

/// Returns 1 if `seq` contains an item equal to `ob` (`ob in seq`), 0 if not, -1 with an
/// exception set (`TypeError: argument of type 'X' is not iterable`; `SystemError` for NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PySequence_Contains(seq: *mut PyObject, ob: *mut PyObject) -> c_int {
    if seq.is_null() || ob.is_null() {
        // SAFETY: setting the error indicator.
        unsafe { null_error() };
        return -1;
    }
    // SAFETY: checked.
    guard("PySequence_Contains", -1, || unsafe {
        sequence_contains(seq, ob)
    })
}

/// Returns the number of keys of the mapping `o` (its `mp_length`); -1 with an exception set
/// (`TypeError: X is not a mapping` for a sequence, `TypeError: object of type 'X' has no
/// len()`; `SystemError` for NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyMapping_Size(o: *mut PyObject) -> Py_ssize_t {
    if o.is_null() {
        // SAFETY: setting the error indicator.
        unsafe { null_error() };
        return -1;
    }
    guard("PyMapping_Size", -1, || {
        // SAFETY: live object.
        unsafe {
            let tp = ty(o);
            let mp = (*tp).tp_as_mapping;
            if !mp.is_null()
                && let Some(f) = (*mp).mp_length
            {
                return f(o);
            }
            let sq = (*tp).tp_as_sequence;
            let msg = if !sq.is_null() && (*sq).sq_length.is_some() {
                format!("{} is not a mapping", tp_name_of(o))
            } else {
                format!("object of type '{}' has no len()", tp_name_of(o))
            };
            set_string(crate::exc!(TypeError), &msg);
            -1
        }
    })
}

/// The same as `PyMapping_Size` (CPython exports both names).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyMapping_Length(o: *mut PyObject) -> Py_ssize_t {
    // SAFETY: same contract.
    unsafe { PyMapping_Size(o) }
}

/// `o.keys()` (`values`, `items`) as a list: a dict's directly, else by calling the method and
/// listing what it returns (CPython's `method_output_as_list`).
unsafe fn mapping_list(o: *mut PyObject, method: &str) -> *mut PyObject {
    // SAFETY: a live object.
    unsafe {
        if crate::capi::ffi::ty(o) == &raw mut crate::objects::dictobject::PyDict_Type {
            return match method {
                "keys" => crate::objects::dictobject::PyDict_Keys(o),
                "values" => crate::objects::dictobject::PyDict_Values(o),
                _ => crate::objects::dictobject::PyDict_Items(o),
            };
        }
        let r = crate::objects::call::call_method(o, method, &[]);
        if r.is_null() {
            return r;
        }
        let l = crate::objects::listobject::list_from(&[]);
        if l.is_null() {
            crate::capi::ffi::decref(r);
            return l;
        }
        if crate::objects::listobject::extend(l, r) < 0 {
            if crate::python::errors::matches(crate::exc!(TypeError)) {
                crate::python::errors::restore(null_mut(), null_mut(), null_mut());
                crate::python::errors::set_format(
                    crate::exc!(TypeError),
                    format_args!(
                        "{}.{method}() returned a non-iterable (type {})",
                        crate::objects::typeobject::tp_name_of(o),
                        crate::objects::typeobject::tp_name_of(r)
                    ),
                );
            }
            crate::capi::ffi::decref(r);
            crate::capi::ffi::decref(l);
            return null_mut();
        }
        crate::capi::ffi::decref(r);
        l
    }
}

/// The keys of mapping `o` as a list.
///
/// Return value: New reference, or NULL with an exception set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyMapping_Keys(o: *mut PyObject) -> *mut PyObject {
    check_null!(o, null_mut());
    guard("PyMapping_Keys", null_mut(), || unsafe {
        mapping_list(o, "keys")
    })
}

/// The values of mapping `o` as a list.
///
/// Return value: New reference, or NULL with an exception set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyMapping_Values(o: *mut PyObject) -> *mut PyObject {
    check_null!(o, null_mut());
    guard("PyMapping_Values", null_mut(), || unsafe {
        mapping_list(o, "values")
    })
}

/// The `(key, value)` pairs of mapping `o` as a list.
///
/// Return value: New reference, or NULL with an exception set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyMapping_Items(o: *mut PyObject) -> *mut PyObject {
    check_null!(o, null_mut());
    guard("PyMapping_Items", null_mut(), || unsafe {
        mapping_list(o, "items")
    })
}
