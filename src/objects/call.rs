//! `Include/abstract.h`'s call protocol: `tp_call`, vectorcall, and the convenience calls
//! (the variadic ones live in `call_varargs`).
//!
//! Keyword arguments come as a dict (`tp_call`, `PyObject_Call`) or, vectorcall style, as a
//! tuple of names whose values follow the positional arguments; each form is converted to the
//! other where a callee needs it, as CPython's `_PyStack_AsDict` / `_PyStack_UnpackDict` do.

use crate::capi::boundary::{check_null, guard};
use crate::capi::ffi::{decref, has_flag, ty};
use crate::objects::methodobject::counted_call;
use crate::objects::object::*;
use crate::objects::tupleobject::{as_slice, empty, is_tuple, tuple_from};
use crate::objects::typeobject::tp_name_of;
use crate::python::errors::{occurred, set_format, set_string};
use crate::python::pystate::PyThreadState;
use core::ptr::null_mut;

/// Flag in `nargsf`: the callee may use `args[-1]` temporarily.
pub const PY_VECTORCALL_ARGUMENTS_OFFSET: usize = 0x8000_0000_0000_0000;
static_assertions::const_assert_eq!(PY_VECTORCALL_ARGUMENTS_OFFSET, 1 << (usize::BITS - 1));

/// Whether a keyword-argument object (a dict, or a tuple of names) is absent or empty.
pub(crate) unsafe fn kwargs_empty(kw: *mut PyObject) -> bool {
    // SAFETY: live object or NULL.
    unsafe {
        kw.is_null()
            || ((is_tuple(kw) || crate::objects::dictobject::is_dict(kw))
                && crate::capi::ffi::size(kw) == 0)
    }
}

/// Checks that `kw` is NULL or a dict (the `kwargs` of `tp_call`); `SystemError` otherwise.
unsafe fn check_kwargs_dict(kw: *mut PyObject) -> bool {
    // SAFETY: live object or NULL.
    unsafe {
        if kw.is_null() || crate::objects::dictobject::is_dict(kw) {
            return true;
        }
        crate::python::errors::bad_internal_call();
        false
    }
}

/// `_PyStack_UnpackDict`: the positional arguments followed by the dict's values, and the
/// tuple of its keys (which must be str: "keywords must be strings").
unsafe fn unpack_dict(
    args: &[*mut PyObject],
    kwargs: *mut PyObject,
) -> Option<(Vec<*mut PyObject>, *mut PyObject)> {
    // SAFETY: live objects; the values are borrowed from the dict for the call's duration
    // (the callee may not change the dict it was not given).
    unsafe {
        let n = crate::capi::ffi::size(kwargs) as usize;
        let mut stack: Vec<*mut PyObject> = Vec::new();
        if stack.try_reserve(args.len() + n + 1).is_err() {
            crate::python::errors::no_memory();
            return None;
        }
        // Slot 0 stays free so the callee may use PY_VECTORCALL_ARGUMENTS_OFFSET.
        stack.push(null_mut());
        stack.extend_from_slice(args);
        let names = crate::objects::tupleobject::new_tuple(n as Py_ssize_t);
        if names.is_null() {
            return None;
        }
        let mut pos = 0;
        let mut i = 0;
        while let Some((k, v)) = crate::objects::dictobject::next_entry(kwargs, &mut pos) {
            if !crate::objects::unicodeobject::is_str(k) {
                set_string(crate::exc!(TypeError), "keywords must be strings");
                decref(names);
                return None;
            }
            *crate::objects::tupleobject::items(names).add(i) = crate::capi::ffi::new_ref(k);
            stack.push(v);
            i += 1;
        }
        Some((stack, names))
    }
}

/// Vectorcall of `vc` with a dict of keyword arguments.
unsafe fn vectorcall_with_dict(
    vc: unsafe extern "C" fn(
        *mut PyObject,
        *const *mut PyObject,
        usize,
        *mut PyObject,
    ) -> *mut PyObject,
    callable: *mut PyObject,
    args: &[*mut PyObject],
    kwargs: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: live objects.
    unsafe {
        if kwargs_empty(kwargs) {
            return vc(callable, args.as_ptr(), args.len(), null_mut());
        }
        let Some((stack, names)) = unpack_dict(args, kwargs) else {
            return null_mut();
        };
        let r = vc(
            callable,
            stack.as_ptr().add(1),
            args.len() | PY_VECTORCALL_ARGUMENTS_OFFSET,
            names,
        );
        decref(names);
        r
    }
}

/// `_Py_CheckFunctionResult`: NULL must come with an exception, a result without one.
pub(crate) unsafe fn check_result(callable: *mut PyObject, r: *mut PyObject) -> *mut PyObject {
    // SAFETY: live objects.
    unsafe {
        let err = !occurred().is_null();
        if r.is_null() && !err {
            let rep = crate::objects::object_ops::repr_string(callable);
            set_format(
                crate::exc!(SystemError),
                format_args!("{rep} returned NULL without setting an exception"),
            );
        } else if !r.is_null() && err {
            decref(r);
            let (t, v, tb) = crate::python::errors::fetch();
            let rep = crate::objects::object_ops::repr_string(callable);
            set_format(
                crate::exc!(SystemError),
                format_args!("{rep} returned a result with an exception set"),
            );
            chain_as_cause(t, v, tb);
            return null_mut();
        }
        r
    }
}

/// Makes the fetched exception `(t, v, tb)` the `__cause__` and `__context__` of the pending one.
unsafe fn chain_as_cause(t: *mut PyObject, v: *mut PyObject, tb: *mut PyObject) {
    // SAFETY: owned references from fetch.
    unsafe {
        // Take the pending exception first: normalizing calls exception classes, and calls
        // must not be made with an exception set.
        let (mut nt, mut nv, mut ntb) = crate::python::errors::fetch();
        let (mut t, mut v, mut tb) = (t, v, tb);
        crate::python::errors::normalize(&mut t, &mut v, &mut tb, 0);
        crate::python::errors::normalize(&mut nt, &mut nv, &mut ntb, 0);
        if !nv.is_null() && !v.is_null() && crate::objects::exceptions::exc_instance_check(nv) {
            crate::objects::exceptions::set_cause_and_context(nv, v);
        }
        crate::capi::ffi::xdecref(t);
        crate::capi::ffi::xdecref(v);
        crate::capi::ffi::xdecref(tb);
        crate::python::errors::restore(nt, nv, ntb);
    }
}

/// `PyObject_Call` without the boundary; `args` must be a tuple.
pub(crate) unsafe fn call(
    callable: *mut PyObject,
    args: *mut PyObject,
    kwargs: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: live objects.
    unsafe {
        if !check_kwargs_dict(kwargs) {
            return null_mut();
        }
        let kwargs = if kwargs_empty(kwargs) {
            null_mut()
        } else {
            kwargs
        };
        let tp = ty(callable);
        if crate::objects::methodobject::is_cfunction(callable) {
            let f = callable as *mut crate::objects::methodobject::PyCFunctionObject;
            if (*f).vectorcall.is_none() {
                return check_result(
                    callable,
                    counted_call(|| {
                        crate::objects::methodobject::call_varargs(callable, args, kwargs)
                    }),
                );
            }
        }
        if let Some(vc) = vectorcall_of(callable) {
            return check_result(
                callable,
                vectorcall_with_dict(vc, callable, as_slice(args), kwargs),
            );
        }
        match (*tp).tp_call {
            Some(c) => check_result(callable, counted_call(|| c(callable, args, kwargs))),
            None => {
                set_format(
                    crate::exc!(TypeError),
                    format_args!("'{}' object is not callable", tp_name_of(callable)),
                );
                null_mut()
            }
        }
    }
}

/// The object's vectorcall function, if its type supports vectorcall and it has one.
unsafe fn vectorcall_of(callable: *mut PyObject) -> vectorcallfunc {
    // SAFETY: live object; the offset points at a vectorcallfunc field by the type's contract.
    unsafe {
        let tp = ty(callable);
        if !has_flag(tp, Py_TPFLAGS_HAVE_VECTORCALL) || (*tp).tp_vectorcall_offset <= 0 {
            return None;
        }
        *((callable as *mut u8).offset((*tp).tp_vectorcall_offset) as *mut vectorcallfunc)
    }
}

/// Vectorcall without the boundary: `nargsf` may carry `PY_VECTORCALL_ARGUMENTS_OFFSET`.
pub(crate) unsafe fn vectorcall(
    callable: *mut PyObject,
    args: *const *mut PyObject,
    nargsf: usize,
    kwnames: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: live objects; `args` has `nargs` entries.
    unsafe {
        let kwnames = if kwargs_empty(kwnames) {
            null_mut()
        } else {
            kwnames
        };
        if !kwnames.is_null() && !is_tuple(kwnames) {
            crate::python::errors::bad_internal_call();
            return null_mut();
        }
        if let Some(vc) = vectorcall_of(callable) {
            return check_result(callable, vc(callable, args, nargsf, kwnames));
        }
        let n = nargsf & !PY_VECTORCALL_ARGUMENTS_OFFSET;
        let t = if n == 0 {
            empty()
        } else {
            tuple_from(core::slice::from_raw_parts(args, n))
        };
        if t.is_null() {
            return t;
        }
        let kw = if kwnames.is_null() {
            null_mut()
        } else {
            let d = kwnames_to_dict(args.add(n), kwnames);
            if d.is_null() {
                decref(t);
                return null_mut();
            }
            d
        };
        let r = call(callable, t, kw);
        decref(t);
        crate::capi::ffi::xdecref(kw);
        r
    }
}

/// Calls `callable(*args, **kwargs)`. `args` must be a tuple; `kwargs` a dict or NULL.
///
/// Return value: New reference, or NULL with an exception set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyObject_Call(
    callable: *mut PyObject,
    args: *mut PyObject,
    kwargs: *mut PyObject,
) -> *mut PyObject {
    check_null!(callable, null_mut());
    check_null!(args, null_mut());
    guard("PyObject_Call", null_mut(), || {
        // SAFETY: checked above.
        unsafe {
            if !is_tuple(args) {
                set_string(crate::exc!(TypeError), "argument list must be a tuple");
                return null_mut();
            }
            call(callable, args, kwargs)
        }
    })
}

/// Calls `callable(*args)`; `args` may be NULL for no arguments.
///
/// Return value: New reference, or NULL with an exception set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyObject_CallObject(
    callable: *mut PyObject,
    args: *mut PyObject,
) -> *mut PyObject {
    check_null!(callable, null_mut());
    guard("PyObject_CallObject", null_mut(), || {
        // SAFETY: checked above.
        unsafe {
            if args.is_null() {
                return call(callable, empty(), null_mut());
            }
            if !is_tuple(args) {
                set_string(crate::exc!(TypeError), "argument list must be a tuple");
                return null_mut();
            }
            call(callable, args, null_mut())
        }
    })
}

/// Calls `callable()`.
///
/// Return value: New reference, or NULL with an exception set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyObject_CallNoArgs(callable: *mut PyObject) -> *mut PyObject {
    check_null!(callable, null_mut());
    // SAFETY: checked above.
    guard("PyObject_CallNoArgs", null_mut(), || unsafe {
        vectorcall(callable, core::ptr::null(), 0, null_mut())
    })
}

/// Calls `callable(arg)`.
///
/// Return value: New reference, or NULL with an exception set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyObject_CallOneArg(
    callable: *mut PyObject,
    arg: *mut PyObject,
) -> *mut PyObject {
    check_null!(callable, null_mut());
    check_null!(arg, null_mut());
    // SAFETY: checked above.
    guard("PyObject_CallOneArg", null_mut(), || unsafe {
        vectorcall(callable, &arg, 1, null_mut())
    })
}

/// Calls `callable` with the `PyVectorcall_NARGS(nargsf)` positional arguments in `args`;
/// `kwnames` must be NULL or empty.
///
/// Return value: New reference, or NULL with an exception set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyObject_Vectorcall(
    callable: *mut PyObject,
    args: *const *mut PyObject,
    nargsf: usize,
    kwnames: *mut PyObject,
) -> *mut PyObject {
    check_null!(callable, null_mut());
    if args.is_null() && nargsf & !PY_VECTORCALL_ARGUMENTS_OFFSET != 0 {
        // SAFETY: setting the error indicator.
        unsafe { crate::python::errors::bad_internal_call() };
        return null_mut();
    }
    // SAFETY: checked above; `args` has the given number of entries by contract.
    guard("PyObject_Vectorcall", null_mut(), || unsafe {
        vectorcall(callable, args, nargsf, kwnames)
    })
}

/// Calls `callable` through `tp_call` with arguments given vectorcall style (what CPython 3.10's
/// inline vectorcall helpers fall back to).
///
/// Return value: New reference, or NULL with an exception set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn _PyObject_MakeTpCall(
    tstate: *mut PyThreadState,
    callable: *mut PyObject,
    args: *const *mut PyObject,
    nargs: Py_ssize_t,
    keywords: *mut PyObject,
) -> *mut PyObject {
    let _ = tstate;
    check_null!(callable, null_mut());
    if nargs < 0 || (args.is_null() && nargs > 0) {
        // SAFETY: setting the error indicator.
        unsafe { crate::python::errors::bad_internal_call() };
        return null_mut();
    }
    guard("_PyObject_MakeTpCall", null_mut(), || {
        // SAFETY: `args` has `nargs` entries by contract.
        unsafe {
            let t = if nargs <= 0 {
                empty()
            } else {
                tuple_from(core::slice::from_raw_parts(args, nargs as usize))
            };
            if t.is_null() {
                return t;
            }
            // `keywords` is a tuple of names (values after the positional arguments) or a dict.
            let kw = if kwargs_empty(keywords) {
                null_mut()
            } else if is_tuple(keywords) {
                let d = kwnames_to_dict(args.add(nargs as usize), keywords);
                if d.is_null() {
                    decref(t);
                    return null_mut();
                }
                d
            } else if crate::objects::dictobject::is_dict(keywords) {
                crate::capi::ffi::new_ref(keywords)
            } else {
                decref(t);
                crate::python::errors::bad_internal_call();
                return null_mut();
            };
            let r = match (*ty(callable)).tp_call {
                Some(c) => check_result(callable, counted_call(|| c(callable, t, kw))),
                None => {
                    set_format(
                        crate::exc!(TypeError),
                        format_args!("'{}' object is not callable", tp_name_of(callable)),
                    );
                    null_mut()
                }
            };
            decref(t);
            crate::capi::ffi::xdecref(kw);
            r
        }
    })
}

/// `tp_call` for types that implement vectorcall: calls the object's vectorcall function with
/// the tuple's items.
///
/// Return value: New reference, or NULL with an exception set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyVectorcall_Call(
    callable: *mut PyObject,
    tuple: *mut PyObject,
    dict: *mut PyObject,
) -> *mut PyObject {
    check_null!(callable, null_mut());
    check_null!(tuple, null_mut());
    guard("PyVectorcall_Call", null_mut(), || {
        // SAFETY: checked above.
        unsafe {
            if !crate::objects::tupleobject::is_tuple(tuple) {
                crate::python::errors::bad_internal_call();
                return null_mut();
            }
            if !check_kwargs_dict(dict) {
                return null_mut();
            }
            let dict = if kwargs_empty(dict) { null_mut() } else { dict };
            if crate::objects::methodobject::is_cfunction(callable)
                && (*(callable as *mut crate::objects::methodobject::PyCFunctionObject))
                    .vectorcall
                    .is_none()
            {
                return crate::objects::methodobject::call_varargs(callable, tuple, dict);
            }
            match vectorcall_of(callable) {
                Some(vc) => vectorcall_with_dict(vc, callable, as_slice(tuple), dict),
                None => {
                    set_format(
                        crate::exc!(TypeError),
                        format_args!(
                            "'{}' object does not support vectorcall",
                            tp_name_of(callable)
                        ),
                    );
                    null_mut()
                }
            }
        }
    })
}

/// Calls method `name` (a str) of `args[0]` with the other arguments:
/// `args[0].name(*args[1:nargs])`.
///
/// Return value: New reference, or NULL with an exception set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyObject_VectorcallMethod(
    name: *mut PyObject,
    args: *const *mut PyObject,
    nargsf: usize,
    kwnames: *mut PyObject,
) -> *mut PyObject {
    check_null!(name, null_mut());
    check_null!(args, null_mut());
    let n = nargsf & !PY_VECTORCALL_ARGUMENTS_OFFSET;
    if n == 0 {
        // SAFETY: setting the error indicator.
        unsafe { crate::python::errors::bad_internal_call() };
        return null_mut();
    }
    guard("PyObject_VectorcallMethod", null_mut(), || {
        // SAFETY: `args` has `n >= 1` entries.
        unsafe {
            let m = crate::objects::object_ops::get_attr(*args, name);
            if m.is_null() {
                return m;
            }
            let r = vectorcall(m, args.add(1), n - 1, kwnames);
            decref(m);
            r
        }
    })
}

/// Calls `obj.name()` (`name` is a str).
///
/// Return value: New reference, or NULL with an exception set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyObject_CallMethodNoArgs(
    obj: *mut PyObject,
    name: *mut PyObject,
) -> *mut PyObject {
    check_null!(obj, null_mut());
    // SAFETY: one argument.
    unsafe { PyObject_VectorcallMethod(name, &obj, 1, null_mut()) }
}

/// Calls `obj.name(arg)` (`name` is a str).
///
/// Return value: New reference, or NULL with an exception set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyObject_CallMethodOneArg(
    obj: *mut PyObject,
    name: *mut PyObject,
    arg: *mut PyObject,
) -> *mut PyObject {
    check_null!(obj, null_mut());
    check_null!(arg, null_mut());
    let args = [obj, arg];
    // SAFETY: two arguments.
    unsafe { PyObject_VectorcallMethod(name, args.as_ptr(), 2, null_mut()) }
}

/// Returns the vectorcall function of `callable`, or NULL if it has none (also, with
/// `SystemError` set, for a NULL `callable`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyVectorcall_Function(callable: *mut PyObject) -> vectorcallfunc {
    check_null!(callable, None);
    // SAFETY: live object.
    unsafe { vectorcall_of(callable) }
}

/// Calls `o.<name>(*args)` (`name` is looked up as an interned str).
///
/// Return value: New reference, or NULL with an exception set.
pub(crate) unsafe fn call_method(
    o: *mut PyObject,
    name: &str,
    args: &[*mut PyObject],
) -> *mut PyObject {
    // SAFETY: live objects; the attribute is a live callable or NULL.
    unsafe {
        let m = lookup_attr_str(o, name);
        if m.is_null() {
            return m;
        }
        let r = vectorcall(m, args.as_ptr(), args.len(), null_mut());
        decref(m);
        r
    }
}

/// `getattr(o, name)` for a Rust string name. Return value: New reference or NULL.
pub(crate) unsafe fn lookup_attr_str(o: *mut PyObject, name: &str) -> *mut PyObject {
    // SAFETY: live object; interned names are immortal.
    unsafe {
        let n = crate::objects::unicodeobject::intern(name);
        if n.is_null() {
            return n;
        }
        crate::objects::object_ops::get_attr(o, n)
    }
}

/// `_PyObject_LookupAttr`: `Ok(attr)` (a new reference) when `o` has the attribute, `Ok(NULL)`
/// with no exception set when it has not (`AttributeError` is cleared), `Err(())` with the
/// exception set on any other error.
pub(crate) unsafe fn lookup_attr(o: *mut PyObject, name: &str) -> Result<*mut PyObject, ()> {
    // SAFETY: live object.
    unsafe {
        let r = lookup_attr_str(o, name);
        if !r.is_null() {
            return Ok(r);
        }
        if crate::python::errors::matches(crate::exc!(AttributeError)) {
            crate::python::errors::restore(null_mut(), null_mut(), null_mut());
            return Ok(null_mut());
        }
        Err(())
    }
}

/// The keyword arguments of a vectorcall as a dict (`_PyStack_AsDict`): `values[i]` is the
/// value of `kwnames[i]`.
///
/// Return value: New reference, or NULL with an exception set.
pub(crate) unsafe fn kwnames_to_dict(
    values: *const *mut PyObject,
    kwnames: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: a tuple of names and as many values.
    unsafe {
        let d = crate::objects::dictobject::PyDict_New();
        if d.is_null() {
            return d;
        }
        for (i, &k) in as_slice(kwnames).iter().enumerate() {
            if crate::objects::dictobject::set_item(d, k, *values.add(i)) < 0 {
                decref(d);
                return null_mut();
            }
        }
        d
    }
}
