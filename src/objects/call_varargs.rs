//! The variadic calls of `Include/abstract.h` (`PyObject_CallFunction`, `PyObject_CallMethod`
//! and their `_SizeT` forms, `PyObject_CallFunctionObjArgs`, `PyObject_CallMethodObjArgs`) and
//! `PyTuple_Pack` (`Include/tupleobject.h`), as in CPython 3.10's `Objects/call.c` and
//! `Objects/tupleobject.c`.
//!
//! The naked `...` entry points hand their arguments as a `va_list` to the private
//! `extern "C"` functions here (CPython has no public `va_list` form of these calls).

use crate::capi::boundary::guard;
use crate::capi::ffi::{decref, incref, ty};
use crate::capi::varargs::{VaListTag, va_list, vararg_trampoline};
use crate::objects::object::{Py_ssize_t, PyObject};
use crate::objects::object_ops::PyCallable_Check;
use crate::objects::tupleobject::is_tuple;
use crate::python::errors::{occurred, set_format, set_string};
use crate::python::modsupport::{Builder, tuple_from_owned};
use core::ffi::{CStr, c_char};
use core::ptr::null_mut;

/// CPython's `null_error`: `SystemError("null argument to internal routine")` unless an error
/// is already set (the NULL usually comes from a failed call). Returns NULL.
fn null_error() -> *mut PyObject {
    if occurred().is_null() {
        // SAFETY: setting the error indicator.
        unsafe {
            set_string(
                crate::exc!(SystemError),
                "null argument to internal routine",
            )
        };
    }
    null_mut()
}

/// Calls `callable` with the owned argument references `args` (released here).
///
/// Return value: New reference, or NULL with an exception set.
///
/// # Safety
/// `callable` is live; each item of `args` is an owned reference.
unsafe fn call_owned(callable: *mut PyObject, args: Vec<*mut PyObject>) -> *mut PyObject {
    // SAFETY: the tuple takes over the references.
    let tuple = unsafe { tuple_from_owned(args) };
    if tuple.is_null() {
        return tuple;
    }
    // SAFETY: live callable, exact tuple of arguments, no keywords.
    let result = unsafe { crate::objects::call::PyObject_Call(callable, tuple, null_mut()) };
    // SAFETY: we own the tuple.
    unsafe { decref(tuple) };
    result
}

/// `_PyObject_CallFunctionVa`: calls `callable` with the arguments `format` describes. No format
/// (NULL or "") means no arguments; a single built value that is a tuple is the argument tuple
/// (`"O"` with a tuple, `"(ii)"`), anything else is the list of arguments.
///
/// # Safety
/// `format` is NULL or NUL-terminated; the arguments in `ap` match it.
unsafe fn call_function_va(
    callable: *mut PyObject,
    format: *const c_char,
    ap: &mut VaListTag,
    size_t: bool,
) -> *mut PyObject {
    if callable.is_null() {
        return null_error();
    }
    let format: &[u8] = if format.is_null() {
        b""
    } else {
        // SAFETY: NUL-terminated by the caller's contract.
        unsafe { CStr::from_ptr(format) }.to_bytes()
    };
    let mut builder = Builder::new(format, ap, size_t);
    let Some(n) = builder.count(0) else {
        return null_mut();
    };
    let mut args = Vec::new();
    if n > 0 {
        // SAFETY: forwarded contract.
        match unsafe { builder.items(0, n) } {
            Some(items) => args = items,
            None => return null_mut(),
        }
    }
    // SAFETY: `args` are owned references to live objects.
    unsafe {
        if let [single] = args[..]
            && is_tuple(single)
        {
            // The tuple's items are the arguments: the callee gets a tuple of its own, as in
            // CPython (which passes the items, never the tuple itself).
            let tuple = crate::objects::tupleobject::tuple_from(
                crate::objects::tupleobject::as_slice(single),
            );
            decref(single);
            if tuple.is_null() {
                return tuple;
            }
            let result = crate::objects::call::PyObject_Call(callable, tuple, null_mut());
            decref(tuple);
            return result;
        }
        call_owned(callable, args)
    }
}

/// `callmethod`: TypeError unless the attribute is callable, then `call_function_va`. Releases
/// `callable`.
///
/// # Safety
/// `callable` is an owned reference; as `call_function_va` for the rest.
unsafe fn call_method_va(
    callable: *mut PyObject,
    format: *const c_char,
    ap: &mut VaListTag,
    size_t: bool,
) -> *mut PyObject {
    // SAFETY: `callable` is live and ours to release.
    unsafe {
        let result = if PyCallable_Check(callable) == 0 {
            let tp_name = CStr::from_ptr((*ty(callable)).tp_name).to_bytes();
            // CPython formats it with "%.200s": at most 200 bytes of the name.
            let tp_name = crate::capi::fallible::LossyDisplay(&tp_name[..tp_name.len().min(200)]);
            set_format(
                crate::exc!(TypeError),
                format_args!("attribute of type '{tp_name}' is not callable"),
            );
            null_mut()
        } else {
            call_function_va(callable, format, ap, size_t)
        };
        decref(callable);
        result
    }
}

/// Reads object pointers from `ap` up to the terminating NULL; `MemoryError` when there are
/// too many to hold.
///
/// # Safety
/// The caller passed object pointers ending with a NULL.
unsafe fn objects_until_null(ap: &mut VaListTag) -> Option<Vec<*mut PyObject>> {
    let mut objects = Vec::new();
    loop {
        // SAFETY: the caller passed another pointer (the list ends with NULL).
        let o = unsafe { ap.next_gp() } as usize as *mut PyObject;
        if o.is_null() {
            return Some(objects);
        }
        if crate::capi::fallible::try_push(&mut objects, o).is_err() {
            // SAFETY: setting the error indicator.
            unsafe { crate::python::errors::no_memory() };
            return None;
        }
    }
}

/// Calls `callable` with borrowed `args` (None: reading them failed, an exception is set).
///
/// # Safety
/// `callable` and every item are live.
unsafe fn call_borrowed(
    callable: *mut PyObject,
    args: Option<Vec<*mut PyObject>>,
) -> *mut PyObject {
    let Some(args) = args else {
        return null_mut();
    };
    // SAFETY: live objects; the tuple takes new references.
    unsafe {
        let tuple = crate::objects::tupleobject::tuple_from(&args);
        if tuple.is_null() {
            return tuple;
        }
        let result = crate::objects::call::PyObject_Call(callable, tuple, null_mut());
        decref(tuple);
        result
    }
}

/// Trampoline target of `PyObject_CallFunction`.
unsafe extern "C" fn call_function_target(
    callable: *mut PyObject,
    format: *const c_char,
    vargs: va_list,
) -> *mut PyObject {
    // SAFETY: `vargs` is the trampoline's tag; the arguments match `format` by contract.
    guard("PyObject_CallFunction", null_mut(), || unsafe {
        call_function_va(callable, format, &mut *vargs, false)
    })
}

/// Trampoline target of `_PyObject_CallFunction_SizeT`.
unsafe extern "C" fn call_function_size_t_target(
    callable: *mut PyObject,
    format: *const c_char,
    vargs: va_list,
) -> *mut PyObject {
    // SAFETY: as `call_function_target`.
    guard("_PyObject_CallFunction_SizeT", null_mut(), || unsafe {
        call_function_va(callable, format, &mut *vargs, true)
    })
}

/// `PyObject_CallMethod` and its `_SizeT` form.
///
/// # Safety
/// `obj` NULL or live, `name` NULL or NUL-terminated, arguments as `call_function_va`.
unsafe fn call_method(
    obj: *mut PyObject,
    name: *const c_char,
    format: *const c_char,
    ap: &mut VaListTag,
    size_t: bool,
) -> *mut PyObject {
    if obj.is_null() || name.is_null() {
        return null_error();
    }
    // SAFETY: checked non-NULL.
    let callable = unsafe { crate::objects::object_ops::PyObject_GetAttrString(obj, name) };
    if callable.is_null() {
        return callable;
    }
    // SAFETY: we own `callable`; forwarded contract.
    unsafe { call_method_va(callable, format, ap, size_t) }
}

/// Trampoline target of `PyObject_CallMethod`.
unsafe extern "C" fn call_method_target(
    obj: *mut PyObject,
    name: *const c_char,
    format: *const c_char,
    vargs: va_list,
) -> *mut PyObject {
    // SAFETY: `vargs` is the trampoline's tag; the arguments match `format` by contract.
    guard("PyObject_CallMethod", null_mut(), || unsafe {
        call_method(obj, name, format, &mut *vargs, false)
    })
}

/// Trampoline target of `_PyObject_CallMethod_SizeT`.
unsafe extern "C" fn call_method_size_t_target(
    obj: *mut PyObject,
    name: *const c_char,
    format: *const c_char,
    vargs: va_list,
) -> *mut PyObject {
    // SAFETY: as `call_method_target`.
    guard("_PyObject_CallMethod_SizeT", null_mut(), || unsafe {
        call_method(obj, name, format, &mut *vargs, true)
    })
}

/// Trampoline target of `PyObject_CallFunctionObjArgs`.
unsafe extern "C" fn call_function_obj_args_target(
    callable: *mut PyObject,
    vargs: va_list,
) -> *mut PyObject {
    guard("PyObject_CallFunctionObjArgs", null_mut(), || {
        if callable.is_null() {
            return null_error();
        }
        // SAFETY: the trampoline's tag over a NULL-terminated list of live objects.
        unsafe {
            let args = objects_until_null(&mut *vargs);
            call_borrowed(callable, args)
        }
    })
}

/// Trampoline target of `PyObject_CallMethodObjArgs`.
unsafe extern "C" fn call_method_obj_args_target(
    obj: *mut PyObject,
    name: *mut PyObject,
    vargs: va_list,
) -> *mut PyObject {
    guard("PyObject_CallMethodObjArgs", null_mut(), || {
        if obj.is_null() || name.is_null() {
            return null_error();
        }
        // SAFETY: live objects (checked non-NULL); the tag lists live objects up to a NULL.
        unsafe {
            let callable = crate::objects::object_ops::PyObject_GetAttr(obj, name);
            if callable.is_null() {
                return callable;
            }
            let args = objects_until_null(&mut *vargs);
            let result = call_borrowed(callable, args);
            decref(callable);
            result
        }
    })
}

/// Trampoline target of `PyTuple_Pack`.
unsafe extern "C" fn tuple_pack_target(n: Py_ssize_t, vargs: va_list) -> *mut PyObject {
    guard("PyTuple_Pack", null_mut(), || {
        if n < 0 {
            // SAFETY: setting the error indicator.
            unsafe { crate::python::errors::bad_internal_call() };
            return null_mut();
        }
        // SAFETY: the caller passed `n` object pointers; the tuple takes new references (its
        // unfilled slots are NULL, which releasing it skips).
        unsafe {
            let tuple = crate::objects::tupleobject::new_tuple(n);
            if tuple.is_null() {
                return tuple;
            }
            let slots = crate::objects::tupleobject::items(tuple);
            for i in 0..n as usize {
                let o = (*vargs).next_gp() as usize as *mut PyObject;
                if o.is_null() {
                    decref(tuple);
                    crate::python::errors::bad_internal_call();
                    return null_mut();
                }
                incref(o);
                *slots.add(i) = o;
            }
            tuple
        }
    })
}

/// Naked entry point; its C prototype and documentation are in the trailer of cbindgen.toml:
/// `PyObject *PyObject_CallFunction(PyObject *callable, const char *format, ...)`.
#[unsafe(naked)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyObject_CallFunction(
    callable: *mut PyObject,
    format: *const c_char,
) -> *mut PyObject {
    core::arch::naked_asm!(vararg_trampoline!("16", "rdx"), target = sym call_function_target)
}

/// Naked entry point; its C prototype and documentation are in the trailer of cbindgen.toml:
/// `PyObject *_PyObject_CallFunction_SizeT(PyObject *callable, const char *format, ...)`.
#[unsafe(naked)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn _PyObject_CallFunction_SizeT(
    callable: *mut PyObject,
    format: *const c_char,
) -> *mut PyObject {
    core::arch::naked_asm!(vararg_trampoline!("16", "rdx"), target = sym call_function_size_t_target)
}

/// Naked entry point; its C prototype and documentation are in the trailer of cbindgen.toml:
/// `PyObject *PyObject_CallMethod(PyObject *obj, const char *name, const char *format, ...)`.
#[unsafe(naked)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyObject_CallMethod(
    obj: *mut PyObject,
    name: *const c_char,
    format: *const c_char,
) -> *mut PyObject {
    core::arch::naked_asm!(vararg_trampoline!("24", "rcx"), target = sym call_method_target)
}

/// Naked entry point; its C prototype and documentation are in the trailer of cbindgen.toml:
/// `PyObject *_PyObject_CallMethod_SizeT(PyObject *obj, const char *name, const char *format,
/// ...)`.
#[unsafe(naked)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn _PyObject_CallMethod_SizeT(
    obj: *mut PyObject,
    name: *const c_char,
    format: *const c_char,
) -> *mut PyObject {
    core::arch::naked_asm!(vararg_trampoline!("24", "rcx"), target = sym call_method_size_t_target)
}

/// Naked entry point; its C prototype and documentation are in the trailer of cbindgen.toml:
/// `PyObject *PyObject_CallFunctionObjArgs(PyObject *callable, ...)`.
#[unsafe(naked)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyObject_CallFunctionObjArgs(callable: *mut PyObject) -> *mut PyObject {
    core::arch::naked_asm!(vararg_trampoline!("8", "rsi"), target = sym call_function_obj_args_target)
}

/// Naked entry point; its C prototype and documentation are in the trailer of cbindgen.toml:
/// `PyObject *PyObject_CallMethodObjArgs(PyObject *obj, PyObject *name, ...)`.
#[unsafe(naked)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyObject_CallMethodObjArgs(
    obj: *mut PyObject,
    name: *mut PyObject,
) -> *mut PyObject {
    core::arch::naked_asm!(vararg_trampoline!("16", "rdx"), target = sym call_method_obj_args_target)
}

/// Naked entry point; its C prototype and documentation are in the trailer of cbindgen.toml:
/// `PyObject *PyTuple_Pack(Py_ssize_t n, ...)`.
#[unsafe(naked)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyTuple_Pack(n: Py_ssize_t) -> *mut PyObject {
    core::arch::naked_asm!(vararg_trampoline!("8", "rsi"), target = sym tuple_pack_target)
}
