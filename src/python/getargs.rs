//! `Python/getargs.c`'s checks as the built-in types' methods use them (what CPython's Argument
//! Clinic generates for them): positional counts, "takes no keyword arguments", `Py_ssize_t`
//! arguments and slice-style indices. Messages are CPython 3.10's.

use crate::capi::ffi::{decref, size, ty};
use crate::objects::object::*;
use crate::objects::typeobject::tp_name_of;
use crate::python::errors::{set_format, set_string};

/// `_PyArg_CheckPositional`: `name expected [at least |at most ]N argument[s], got M` unless
/// `min <= nargs <= max`.
pub(crate) unsafe fn check_positional(
    name: &str,
    nargs: Py_ssize_t,
    min: Py_ssize_t,
    max: Py_ssize_t,
) -> bool {
    let (bound, which) = if nargs < min {
        (min, "at least ")
    } else if nargs > max {
        (max, "at most ")
    } else {
        return true;
    };
    let which = if min == max { "" } else { which };
    let s = if bound == 1 { "" } else { "s" };
    // SAFETY: setting the error indicator.
    unsafe {
        set_format(
            crate::exc!(TypeError),
            format_args!("{name} expected {which}{bound} argument{s}, got {nargs}"),
        )
    };
    false
}

/// `_PyArg_NoKwnames` (vectorcall) / `_PyArg_NoKeywords` (a dict): `name() takes no keyword
/// arguments` when `kw` (a tuple of names or a dict, or NULL) is not empty.
pub(crate) unsafe fn no_keywords(name: &str, kw: *mut PyObject) -> bool {
    // SAFETY: NULL, a tuple or a dict.
    unsafe {
        if kw.is_null() || crate::objects::call::kwargs_empty(kw) {
            return true;
        }
        set_format(
            crate::exc!(TypeError),
            format_args!("{name}() takes no keyword arguments"),
        );
        false
    }
}

/// `o.__index__()` as an int (new reference), or NULL with CPython's `TypeError` ("'X' object
/// cannot be interpreted as an integer", "__index__ returned non-int (type X)").
pub(crate) unsafe fn index(o: *mut PyObject) -> *mut PyObject {
    // SAFETY: a live object; `nb_index` follows the slot contract.
    unsafe {
        if crate::objects::longobject::is_long(o) {
            return crate::capi::ffi::new_ref(o);
        }
        let nb = (*ty(o)).tp_as_number;
        let f = if nb.is_null() { None } else { (*nb).nb_index };
        let Some(f) = f else {
            set_format(
                crate::exc!(TypeError),
                format_args!(
                    "'{}' object cannot be interpreted as an integer",
                    tp_name_of(o)
                ),
            );
            return core::ptr::null_mut();
        };
        let r = f(o);
        if !r.is_null() && !crate::objects::longobject::is_long(r) {
            set_format(
                crate::exc!(TypeError),
                format_args!("__index__ returned non-int (type {})", tp_name_of(r)),
            );
            decref(r);
            return core::ptr::null_mut();
        }
        r
    }
}

/// The sign and value of an int: its value when it fits `Py_ssize_t`, else `Err(negative)`.
unsafe fn int_as_ssize(v: *mut PyObject) -> Result<Py_ssize_t, bool> {
    // SAFETY: an int.
    unsafe {
        match crate::objects::longobject::value(v).and_then(|x| Py_ssize_t::try_from(x).ok()) {
            Some(x) => Ok(x),
            None => Err(size(v) < 0),
        }
    }
}

/// Argument Clinic's `Py_ssize_t` converter: `__index__`, then `PyLong_AsSsize_t` (`OverflowError:
/// Python int too large to convert to C ssize_t`). None with the exception set.
pub(crate) unsafe fn ssize_arg(o: *mut PyObject) -> Option<Py_ssize_t> {
    // SAFETY: a live object; the temporary int is released.
    unsafe {
        let v = index(o);
        if v.is_null() {
            return None;
        }
        let r = int_as_ssize(v);
        decref(v);
        match r {
            Ok(x) => Some(x),
            Err(_) => {
                set_string(
                    crate::exc!(OverflowError),
                    "Python int too large to convert to C ssize_t",
                );
                None
            }
        }
    }
}

/// `_PyEval_SliceIndexNotNone`: an index that is clamped to `Py_ssize_t` (a huge int is no
/// error); `TypeError: slice indices must be integers or have an __index__ method` for anything
/// without `__index__` (None included). None with the exception set.
pub(crate) unsafe fn slice_index(o: *mut PyObject) -> Option<Py_ssize_t> {
    // SAFETY: a live object; the temporary int is released.
    unsafe {
        let nb = (*ty(o)).tp_as_number;
        if !crate::objects::longobject::is_long(o) && (nb.is_null() || (*nb).nb_index.is_none()) {
            set_string(
                crate::exc!(TypeError),
                "slice indices must be integers or have an __index__ method",
            );
            return None;
        }
        let v = index(o);
        if v.is_null() {
            return None;
        }
        let r = int_as_ssize(v);
        decref(v);
        Some(match r {
            Ok(x) => x,
            Err(true) => Py_ssize_t::MIN,
            Err(false) => Py_ssize_t::MAX,
        })
    }
}

/// The `start`/`stop` of `index(value, start=0, stop=sys.maxsize)` resolved against a sequence
/// of `len` items as CPython's `list.index`/`tuple.index` do (negative values count from the
/// end, then clamp at 0).
pub(crate) fn resolve_range(
    start: Py_ssize_t,
    stop: Py_ssize_t,
    len: Py_ssize_t,
) -> (Py_ssize_t, Py_ssize_t) {
    let fix = |x: Py_ssize_t| {
        if x < 0 {
            (x.saturating_add(len)).max(0)
        } else {
            x
        }
    };
    (fix(start), fix(stop))
}

/// Parses the optional `start`, `stop` of `index(value, start, stop)` (vectorcall arguments
/// after the value): None with the exception set.
pub(crate) unsafe fn index_bounds(args: &[*mut PyObject]) -> Option<(Py_ssize_t, Py_ssize_t)> {
    // SAFETY: live objects.
    unsafe {
        let start = match args.get(1) {
            Some(&o) => slice_index(o)?,
            None => 0,
        };
        let stop = match args.get(2) {
            Some(&o) => slice_index(o)?,
            None => Py_ssize_t::MAX,
        };
        Some((start, stop))
    }
}

/// A `METH_FASTCALL` function: `(self, args, nargs)`.
pub(crate) type FastFn =
    unsafe extern "C" fn(*mut PyObject, *const *mut PyObject, Py_ssize_t) -> *mut PyObject;

/// A `METH_FASTCALL | METH_KEYWORDS` function: `(self, args, nargs, kwnames)`.
pub(crate) type FastKwFn = unsafe extern "C" fn(
    *mut PyObject,
    *const *mut PyObject,
    Py_ssize_t,
    *mut PyObject,
) -> *mut PyObject;

/// A method table entry of a `METH_FASTCALL` function (`extra` adds `METH_CLASS`,
/// `METH_COEXIST`, ...).
pub(crate) const fn fast_method(
    name: &'static core::ffi::CStr,
    f: FastFn,
    extra: core::ffi::c_int,
    doc: &'static core::ffi::CStr,
) -> crate::objects::methodobject::PyMethodDef {
    crate::objects::methodobject::PyMethodDef {
        ml_name: name.as_ptr(),
        // SAFETY: the table's flags say METH_FASTCALL, so callers cast it back to `FastFn`.
        ml_meth: Some(unsafe {
            core::mem::transmute::<
                FastFn,
                unsafe extern "C" fn(*mut PyObject, *mut PyObject) -> *mut PyObject,
            >(f)
        }),
        ml_flags: crate::objects::methodobject::METH_FASTCALL | extra,
        ml_doc: doc.as_ptr(),
    }
}

/// A method table entry of a `METH_FASTCALL | METH_KEYWORDS` function.
pub(crate) const fn fast_kw_method(
    name: &'static core::ffi::CStr,
    f: FastKwFn,
    doc: &'static core::ffi::CStr,
) -> crate::objects::methodobject::PyMethodDef {
    crate::objects::methodobject::PyMethodDef {
        ml_name: name.as_ptr(),
        // SAFETY: the table's flags say METH_FASTCALL | METH_KEYWORDS, so callers cast it back
        // to `FastKwFn`.
        ml_meth: Some(unsafe {
            core::mem::transmute::<
                FastKwFn,
                unsafe extern "C" fn(*mut PyObject, *mut PyObject) -> *mut PyObject,
            >(f)
        }),
        ml_flags: crate::objects::methodobject::METH_FASTCALL
            | crate::objects::methodobject::METH_KEYWORDS,
        ml_doc: doc.as_ptr(),
    }
}

/// The arguments of a fastcall method as a slice.
#[inline]
pub(crate) unsafe fn args_slice<'a>(
    args: *const *mut PyObject,
    nargs: Py_ssize_t,
) -> &'a [*mut PyObject] {
    if nargs <= 0 || args.is_null() {
        return &[];
    }
    // SAFETY: `nargs` live arguments by the calling convention.
    unsafe { core::slice::from_raw_parts(args, nargs as usize) }
}

/// The integer index of a subscript `o[key]` of a `what` (`"tuple"`, `"list"`):
/// `PyNumber_AsSsize_t(key, IndexError)` ("cannot fit 'int' into an index-sized integer") for
/// anything with `__index__`, else `TypeError: <what> indices must be integers or slices, not
/// X`. None with the exception set.
pub(crate) unsafe fn subscript_index(key: *mut PyObject, what: &str) -> Option<Py_ssize_t> {
    // SAFETY: a live object; the temporary int is released.
    unsafe {
        let nb = (*ty(key)).tp_as_number;
        if !crate::objects::longobject::is_long(key) && (nb.is_null() || (*nb).nb_index.is_none()) {
            set_format(
                crate::exc!(TypeError),
                format_args!(
                    "{what} indices must be integers or slices, not {}",
                    tp_name_of(key)
                ),
            );
            return None;
        }
        let v = index(key);
        if v.is_null() {
            return None;
        }
        let r = int_as_ssize(v);
        let name = tp_name_of(v);
        let out = match r {
            Ok(x) => Some(x),
            Err(_) => {
                set_format(
                    crate::exc!(IndexError),
                    format_args!("cannot fit '{name}' into an index-sized integer"),
                );
                None
            }
        };
        decref(v);
        out
    }
}
