//! `Include/pyerrors.h`: the per-thread error indicator and the handled-exception stack.

use crate::capi::boundary::{check_null, guard};
use crate::capi::ffi::{decref, incref, new_ref, obj, ty, xdecref, xincref};
use crate::objects::exceptions::{exc_class_check, exc_instance_check};
use crate::objects::object::PyObject;
use crate::objects::object_ops::none;
use crate::python::pystate::tstate;
use core::ffi::{c_char, c_int};
use core::mem::{offset_of, size_of};
use core::ptr::null_mut;
use static_assertions::const_assert_eq;

/// One entry of the handled-exception stack (`sys.exc_info()`), 3.10 layout.
///
/// A generator owns one (`gi_exc_state`) and links it onto the thread's stack while it runs.
#[repr(C)]
pub struct _PyErr_StackItem {
    pub exc_type: *mut PyObject,
    pub exc_value: *mut PyObject,
    pub exc_traceback: *mut PyObject,
    pub previous_item: *mut _PyErr_StackItem,
}

const_assert_eq!(size_of::<_PyErr_StackItem>(), 32);
const_assert_eq!(offset_of!(_PyErr_StackItem, previous_item), 24);

/// Sets the error indicator from owned references (`_PyErr_Restore`).
pub(crate) unsafe fn restore(t: *mut PyObject, v: *mut PyObject, tb: *mut PyObject) {
    let ts = tstate();
    // SAFETY: the thread's own state; the old values are released after the new ones are in.
    unsafe {
        let (ot, ov, otb) = (
            (*ts).curexc_type,
            (*ts).curexc_value,
            (*ts).curexc_traceback,
        );
        (*ts).curexc_type = t;
        (*ts).curexc_value = v;
        (*ts).curexc_traceback = tb;
        xdecref(ot);
        xdecref(ov);
        xdecref(otb);
    }
}

/// Takes the error indicator (owned references; all NULL when no error is set).
pub(crate) unsafe fn fetch() -> (*mut PyObject, *mut PyObject, *mut PyObject) {
    let ts = tstate();
    // SAFETY: the thread's own state.
    unsafe {
        let r = (
            (*ts).curexc_type,
            (*ts).curexc_value,
            (*ts).curexc_traceback,
        );
        (*ts).curexc_type = null_mut();
        (*ts).curexc_value = null_mut();
        (*ts).curexc_traceback = null_mut();
        r
    }
}

/// The current exception type (borrowed), or NULL.
#[inline]
pub(crate) fn occurred() -> *mut PyObject {
    // SAFETY: the thread's own state.
    unsafe { (*tstate()).curexc_type }
}

/// The topmost handled exception item whose value is set (`_PyErr_GetTopmostException`).
pub(crate) unsafe fn topmost_exc_item() -> *mut _PyErr_StackItem {
    // SAFETY: the stack items are live while linked.
    unsafe {
        let mut item = (*tstate()).exc_info;
        while ((*item).exc_value.is_null() || (*item).exc_value == none())
            && !(*item).previous_item.is_null()
        {
            item = (*item).previous_item;
        }
        item
    }
}

/// `_PyErr_SetObject`: sets `exc` with `value` (borrowed; NULL allowed), chaining the exception
/// being handled as `__context__` the way CPython does.
pub(crate) unsafe fn set_object(exc: *mut PyObject, value: *mut PyObject) {
    // SAFETY: `exc`/`value` are live or NULL; all references are balanced below.
    unsafe {
        if !exc.is_null() && !exc_class_check(exc) {
            let r = crate::objects::object_ops::repr_string(exc);
            set_format(
                crate::exc!(SystemError),
                format_args!("_PyErr_SetObject: exception {r} is not a BaseException subclass"),
            );
            return;
        }
        let mut value = value;
        xincref(value);
        let handled = (*topmost_exc_item()).exc_value;
        if !handled.is_null() && handled != none() {
            incref(handled);
            if value.is_null() || !exc_instance_check(value) {
                // Calls must not be made with an exception set (CPython: issue #23571).
                restore(null_mut(), null_mut(), null_mut());
                let fixed = crate::objects::exceptions::create_exception(exc, value);
                xdecref(value);
                if fixed.is_null() {
                    decref(handled);
                    return;
                }
                value = fixed;
            }
            if handled != value {
                cut_context_cycle(handled, value);
                crate::objects::exceptions::set_context(value, handled);
            } else {
                decref(handled);
            }
        }
        let tb = if !value.is_null() && exc_instance_check(value) {
            crate::objects::exceptions::get_traceback(value)
        } else {
            null_mut()
        };
        xincref(exc);
        restore(exc, value, tb);
    }
}

/// Before `value.__context__ = handled`: if `value` already appears in `handled`'s context
/// chain, cut the chain there so no cycle forms (a pre-existing cycle is left alone).
pub(crate) unsafe fn cut_context_cycle(handled: *mut PyObject, value: *mut PyObject) {
    // SAFETY: exception instances; contexts are borrowed while walking.
    unsafe {
        let mut o = handled;
        let mut slow = o;
        let mut toggle = false;
        loop {
            let ctx = crate::objects::exceptions::context_of(o);
            if ctx.is_null() {
                break;
            }
            if ctx == value {
                crate::objects::exceptions::set_context(o, null_mut());
                break;
            }
            o = ctx;
            if o == slow {
                break;
            }
            if toggle {
                slow = crate::objects::exceptions::context_of(slow);
            }
            toggle = !toggle;
        }
    }
}

/// `_PyErr_ChainStackItem`: when `item` (a generator's exception state) holds a handled
/// exception, it becomes the pending exception's `__context__` (the pending exception is
/// normalized first).
pub(crate) unsafe fn chain_stack_item(item: *mut _PyErr_StackItem) {
    // SAFETY: `item` is live; the error indicator owns its references.
    unsafe {
        let handled = (*item).exc_value;
        if handled.is_null() || handled == none() || occurred().is_null() {
            return;
        }
        let (mut t, mut v, mut tb) = fetch();
        normalize(&mut t, &mut v, &mut tb, 0);
        if !v.is_null() && exc_instance_check(v) && v != handled {
            cut_context_cycle(handled, v);
            incref(handled);
            crate::objects::exceptions::set_context(v, handled);
        }
        restore(t, v, tb);
    }
}

/// `_PyErr_FormatFromCause`: replaces the pending exception with `exc(msg)` whose `__cause__`
/// and `__context__` are the old one (normalized, its traceback attached), and whose
/// `__suppress_context__` is true.
pub(crate) unsafe fn format_from_cause(exc: *mut PyObject, msg: core::fmt::Arguments<'_>) {
    // SAFETY: an exception is pending; references are balanced below.
    unsafe {
        let (mut t, mut v, mut tb) = fetch();
        normalize(&mut t, &mut v, &mut tb, 0);
        if !tb.is_null() && !v.is_null() {
            crate::objects::exceptions::PyException_SetTraceback(v, tb);
        }
        xdecref(t);
        xdecref(tb);
        set_format(exc, msg);
        let (mut t2, mut v2, mut tb2) = fetch();
        normalize(&mut t2, &mut v2, &mut tb2, 0);
        if !v2.is_null() && exc_instance_check(v2) && !v.is_null() {
            crate::objects::exceptions::set_cause_and_context(v2, v);
        }
        xdecref(v);
        restore(t2, v2, tb2);
    }
}

/// Sets `exc` with a message made from a Rust string.
pub(crate) unsafe fn set_string(exc: *mut PyObject, msg: &str) {
    // SAFETY: creating a str and setting it.
    unsafe {
        let s = crate::objects::unicodeobject::str_from(msg);
        if s.is_null() {
            return;
        }
        set_object(exc, s);
        decref(s);
    }
}

/// Sets `exc` with a formatted message (`format_args!`), or `MemoryError` when there is no
/// memory for the message.
pub(crate) unsafe fn set_format(exc: *mut PyObject, args: core::fmt::Arguments<'_>) {
    // SAFETY: setting the error indicator.
    unsafe {
        match crate::capi::fallible::format(args) {
            Ok(t) => set_string(exc, t.as_str()),
            Err(_) => {
                no_memory();
            }
        }
    }
}

/// `PyErr_BadInternalCall()`: `SystemError("bad argument to internal function")`.
pub(crate) unsafe fn bad_internal_call() {
    // SAFETY: setting the error indicator.
    unsafe {
        set_string(
            crate::exc!(SystemError),
            "bad argument to internal function",
        )
    }
}

/// `PyErr_NoMemory()`: sets `MemoryError` (with no value, as CPython) and returns NULL.
pub(crate) unsafe fn no_memory() -> *mut PyObject {
    // SAFETY: MemoryError is static; no allocation needed.
    unsafe { restore(crate::exc!(MemoryError), null_mut(), null_mut()) };
    null_mut()
}

/// `PyErr_GivenExceptionMatches`.
pub(crate) unsafe fn given_matches(err: *mut PyObject, exc: *mut PyObject) -> bool {
    if err.is_null() || exc.is_null() {
        return false;
    }
    // SAFETY: live objects.
    unsafe {
        if crate::objects::tupleobject::is_tuple(exc) {
            let n = crate::capi::ffi::size(exc);
            for i in 0..n {
                if given_matches(err, crate::objects::tupleobject::item(exc, i)) {
                    return true;
                }
            }
            return false;
        }
        let err = if exc_instance_check(err) {
            obj(ty(err))
        } else {
            err
        };
        if exc_class_check(err) && exc_class_check(exc) {
            return crate::objects::typeobject::is_subtype(err as _, exc as _);
        }
        err == exc
    }
}

/// `PyErr_ExceptionMatches`.
pub(crate) unsafe fn matches(exc: *mut PyObject) -> bool {
    // SAFETY: live or NULL.
    unsafe { given_matches(occurred(), exc) }
}

/// Sets the error indicator to `type` with `message` (a UTF-8 C string) as value.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyErr_SetString(r#type: *mut PyObject, message: *const c_char) {
    check_null!(r#type);
    check_null!(message);
    guard("PyErr_SetString", (), || {
        // SAFETY: a C string from the caller. A message that is not UTF-8 leaves the
        // exception without a value, as in CPython.
        unsafe {
            let s = crate::objects::unicodeobject::PyUnicode_FromString(message);
            set_object(r#type, s);
            xdecref(s);
        }
    })
}

/// Sets the error indicator to `type` with `value`. Does not steal: the indicator takes new
/// references. The exception being handled becomes the new exception's `__context__`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyErr_SetObject(r#type: *mut PyObject, value: *mut PyObject) {
    check_null!(r#type);
    // SAFETY: live objects or NULL.
    guard("PyErr_SetObject", (), || unsafe {
        set_object(r#type, value)
    })
}

/// `PyErr_SetObject(type, Py_None)`-like: sets `type` with no value.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyErr_SetNone(r#type: *mut PyObject) {
    check_null!(r#type);
    // SAFETY: live object.
    guard("PyErr_SetNone", (), || unsafe {
        set_object(r#type, null_mut())
    })
}

/// Returns the type of the pending exception, or NULL if no exception is set.
///
/// Return value: Borrowed reference.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyErr_Occurred() -> *mut PyObject {
    guard("PyErr_Occurred", null_mut(), occurred)
}

/// Clears the error indicator.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyErr_Clear() {
    // SAFETY: the thread's own state.
    guard("PyErr_Clear", (), || unsafe {
        restore(null_mut(), null_mut(), null_mut())
    })
}

/// Moves the error indicator into `*ptype`, `*pvalue`, `*ptraceback` (each may end up NULL) and
/// clears it. The caller owns the three references. The value may be unnormalized (not an
/// instance): call `PyErr_NormalizeException` to get an instance.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyErr_Fetch(
    ptype: *mut *mut PyObject,
    pvalue: *mut *mut PyObject,
    ptraceback: *mut *mut PyObject,
) {
    guard("PyErr_Fetch", (), || {
        if ptype.is_null() || pvalue.is_null() || ptraceback.is_null() {
            // Keep the pending exception: the caller cannot receive it.
            // SAFETY: setting the error indicator.
            unsafe { bad_internal_call() };
            return;
        }
        // SAFETY: out-pointers checked above.
        unsafe {
            let (t, v, tb) = fetch();
            *ptype = t;
            *pvalue = v;
            *ptraceback = tb;
        }
    })
}

/// Sets the error indicator from the three objects, stealing one reference to each (NULL
/// allowed; a NULL type clears the indicator). No checks are made, as in CPython.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyErr_Restore(
    r#type: *mut PyObject,
    value: *mut PyObject,
    traceback: *mut PyObject,
) {
    // SAFETY: stolen references.
    guard("PyErr_Restore", (), || unsafe {
        if r#type.is_null() {
            xdecref(value);
            xdecref(traceback);
            restore(null_mut(), null_mut(), null_mut());
        } else {
            // A traceback that is not one is dropped, as CPython does.
            let traceback =
                if !traceback.is_null() && !crate::python::traceback::is_traceback(traceback) {
                    decref(traceback);
                    null_mut()
                } else {
                    traceback
                };
            restore(r#type, value, traceback);
        }
    })
}

/// Turns a fetched `(type, value, traceback)` triple into normalized form: `*val` becomes an
/// instance of `*exc` (or of a subclass, which then becomes `*exc`). The three slots own their
/// references; replaced values are released. If creating the instance fails, the triple is
/// replaced by the new error.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyErr_NormalizeException(
    exc: *mut *mut PyObject,
    val: *mut *mut PyObject,
    tb: *mut *mut PyObject,
) {
    if exc.is_null() || val.is_null() || tb.is_null() {
        // SAFETY: setting the error indicator.
        unsafe { bad_internal_call() };
        return;
    }
    // SAFETY: slots checked above; they own their references.
    guard("PyErr_NormalizeException", (), || unsafe {
        normalize(exc, val, tb, 0)
    })
}

pub(crate) unsafe fn normalize(
    exc: *mut *mut PyObject,
    val: *mut *mut PyObject,
    tb: *mut *mut PyObject,
    depth: u32,
) {
    // SAFETY: slots own their references.
    unsafe {
        let t = *exc;
        if t.is_null() {
            return;
        }
        if (*val).is_null() {
            *val = new_ref(none());
        }
        if !exc_class_check(t) {
            return;
        }
        let v = *val;
        let inst_type = if exc_instance_check(v) {
            obj(ty(v))
        } else {
            null_mut()
        };
        if !inst_type.is_null() && crate::objects::typeobject::is_subtype(inst_type as _, t as _) {
            if inst_type != t {
                incref(inst_type);
                decref(t);
                *exc = inst_type;
            }
            return;
        }
        let created = crate::objects::exceptions::create_exception(t, v);
        if created.is_null() {
            // Replace the triple by the error raised while creating the instance.
            let (nt, nv, ntb) = fetch();
            decref(t);
            xdecref(v);
            if !ntb.is_null() {
                xdecref(*tb);
                *tb = ntb;
            }
            *exc = nt;
            *val = nv;
            if depth < 32 {
                normalize(exc, val, tb, depth + 1);
            }
            return;
        }
        decref(v);
        *val = created;
    }
}

/// Returns 1 if the pending exception matches `exc` (a class or a tuple of classes), else 0.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyErr_ExceptionMatches(exc: *mut PyObject) -> c_int {
    // SAFETY: live or NULL.
    guard("PyErr_ExceptionMatches", 0, || unsafe {
        matches(exc) as c_int
    })
}

/// Returns 1 if `given` (a class or an instance) matches `exc` (a class or a tuple of classes).
/// NULL arguments give 0.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyErr_GivenExceptionMatches(
    given: *mut PyObject,
    exc: *mut PyObject,
) -> c_int {
    // SAFETY: live or NULL.
    guard("PyErr_GivenExceptionMatches", 0, || unsafe {
        given_matches(given, exc) as c_int
    })
}

/// Raises `SystemError("bad argument to internal function")`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyErr_BadInternalCall() {
    // SAFETY: setting the error indicator.
    guard("PyErr_BadInternalCall", (), || unsafe {
        bad_internal_call()
    })
}

/// Raises `SystemError("FILENAME:LINENO: bad argument to internal function")`, what CPython's
/// `PyErr_BadInternalCall()` macro expands to.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn _PyErr_BadInternalCall(filename: *const c_char, lineno: c_int) {
    guard("_PyErr_BadInternalCall", (), || {
        // SAFETY: C string from the caller (NULL tolerated).
        let Ok(f) = (unsafe { crate::objects::unicodeobject::lossy(filename) }) else {
            // SAFETY: setting the error indicator.
            unsafe { no_memory() };
            return;
        };
        let f = f.as_str();
        // SAFETY: setting the error indicator.
        unsafe {
            set_format(
                crate::exc!(SystemError),
                format_args!("{f}:{lineno}: bad argument to internal function"),
            )
        }
    })
}

/// Raises `TypeError("bad argument type for built-in operation")` and returns 0.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyErr_BadArgument() -> c_int {
    guard("PyErr_BadArgument", 0, || {
        // SAFETY: setting the error indicator.
        unsafe {
            set_string(
                crate::exc!(TypeError),
                "bad argument type for built-in operation",
            )
        };
        0
    })
}

/// Raises `MemoryError` and returns NULL.
///
/// Return value: Always NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyErr_NoMemory() -> *mut PyObject {
    // SAFETY: setting the error indicator.
    guard("PyErr_NoMemory", null_mut(), || unsafe { no_memory() })
}

/// Retrieves the exception being handled (`sys.exc_info()`): new references (or NULL) in the
/// three out-parameters.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyErr_GetExcInfo(
    ptype: *mut *mut PyObject,
    pvalue: *mut *mut PyObject,
    ptraceback: *mut *mut PyObject,
) {
    check_null!(ptype);
    check_null!(pvalue);
    check_null!(ptraceback);
    guard("PyErr_GetExcInfo", (), || {
        // SAFETY: out-pointers checked; items are live.
        unsafe {
            let item = topmost_exc_item();
            *ptype = crate::capi::ffi::xnew_ref((*item).exc_type);
            *pvalue = crate::capi::ffi::xnew_ref((*item).exc_value);
            *ptraceback = crate::capi::ffi::xnew_ref((*item).exc_traceback);
        }
    })
}

/// Sets the exception being handled, stealing the three references (NULL allowed).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyErr_SetExcInfo(
    r#type: *mut PyObject,
    value: *mut PyObject,
    traceback: *mut PyObject,
) {
    guard("PyErr_SetExcInfo", (), || {
        // SAFETY: the thread's current item; stolen references replace the old ones.
        unsafe {
            let item = (*tstate()).exc_info;
            let (ot, ov, otb) = ((*item).exc_type, (*item).exc_value, (*item).exc_traceback);
            (*item).exc_type = r#type;
            (*item).exc_value = value;
            (*item).exc_traceback = traceback;
            xdecref(ot);
            xdecref(ov);
            xdecref(otb);
        }
    })
}

/// Writes CPython's default unraisable-exception report for `(t, v, tb)` about `obj` to
/// stderr: `Exception ignored in: <repr(obj)>` (or `<err_msg>: <repr(obj)>`, or `<err_msg>:`
/// without an object), the traceback, then `Type: message`. The pieces are written as they
/// come (no text is built, so a big repr or traceback needs no more memory than it has).
unsafe fn write_default_report(
    err_msg: Option<&str>,
    obj: *mut PyObject,
    t: *mut PyObject,
    v: *mut PyObject,
    tb: *mut PyObject,
) {
    use std::io::Write;
    // SAFETY: live objects or NULL.
    unsafe {
        let obj_repr = if obj.is_null() {
            None
        } else {
            let r = crate::objects::object_ops::repr(obj);
            if r.is_null() {
                restore(null_mut(), null_mut(), null_mut());
            }
            Some(r)
        };
        let message = if v.is_null() || v == none() {
            None
        } else {
            Some(crate::objects::object_ops::str_string(v))
        };
        let mut e = std::io::stderr().lock();
        let repr_text = obj_repr
            .map(|r| crate::objects::unicodeobject::str_as(r).unwrap_or("<object repr() failed>"));
        let _ = match (err_msg, repr_text) {
            (Some(m), Some(r)) => writeln!(e, "{m}: {r}"),
            (Some(m), None) => writeln!(e, "{m}:"),
            (None, Some(r)) => writeln!(e, "Exception ignored in: {r}"),
            (None, None) => Ok(()),
        };
        if !tb.is_null() && crate::python::traceback::is_traceback(tb) {
            let _ = e.write_all(b"Traceback (most recent call last):\n");
            crate::python::traceback::write_entries(&mut e, tb);
        }
        if !t.is_null() {
            let name = crate::objects::typeobject::full_name(t as *mut _);
            let name = name.strip_prefix("builtins.").unwrap_or(name);
            let _ = match &message {
                Some(m) if !m.as_str().is_empty() => writeln!(e, "{name}: {m}"),
                _ => writeln!(e, "{name}"),
            };
        }
        drop(e);
        if let Some(r) = obj_repr {
            crate::capi::ffi::xdecref(r);
        }
    }
}

/// An unraisable-exception hook (`PyNative_SetUnraisableHook`; Python's
/// `sys.unraisablehook`): the exception's type, value and traceback, the error message (a str,
/// or NULL for the default "Exception ignored in"), and the object it happened in (or NULL), all
/// borrowed, and the hook's `data`. The hook must not leave an exception set.
pub type PyNative_UnraisableHook = Option<
    unsafe extern "C" fn(
        exc_type: *mut PyObject,
        exc_value: *mut PyObject,
        exc_traceback: *mut PyObject,
        err_msg: *mut PyObject,
        object: *mut PyObject,
        data: *mut core::ffi::c_void,
    ),
>;

static UNRAISABLE_HOOK: std::sync::Mutex<Option<(usize, usize)>> = std::sync::Mutex::new(None);

/// Replaces the report of unraisable exceptions (`PyErr_WriteUnraisable`,
/// `_PyErr_WriteUnraisableMsg`, errors in finalizers) with `hook`, as Python's
/// `sys.unraisablehook` does; NULL restores the default report on stderr. Process-wide.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyNative_SetUnraisableHook(
    hook: PyNative_UnraisableHook,
    data: *mut core::ffi::c_void,
) {
    *UNRAISABLE_HOOK.lock().unwrap_or_else(|e| e.into_inner()) =
        hook.map(|h| (h as usize, data as usize));
}

/// Reports and clears the pending exception (see `PyErr_WriteUnraisable`). The report is made
/// with the recursion headroom a RecursionError is made with (up to 50 levels past the limit):
/// a finalizer that failed at the recursion limit, typically with RecursionError, still gets
/// its exception normalized, its object's repr and the hook called.
unsafe fn write_unraisable(err_msg: Option<&str>, obj: *mut PyObject) {
    // SAFETY: the thread's own state.
    unsafe {
        let ts = crate::python::pystate::tstate();
        (*ts).recursion_headroom += 1;
        report_unraisable(err_msg, obj);
        (*ts).recursion_headroom -= 1;
    }
}

unsafe fn report_unraisable(err_msg: Option<&str>, obj: *mut PyObject) {
    // SAFETY: the thread's error indicator; `obj` is live or NULL.
    unsafe {
        if occurred().is_null() {
            return;
        }
        let (mut t, mut v, mut tb) = fetch();
        normalize(&mut t, &mut v, &mut tb, 0);
        if !v.is_null() && !tb.is_null() && exc_instance_check(v) {
            crate::objects::exceptions::PyException_SetTraceback(v, tb);
        }
        let hook = *UNRAISABLE_HOOK.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((h, data)) = hook {
            let h: unsafe extern "C" fn(
                *mut PyObject,
                *mut PyObject,
                *mut PyObject,
                *mut PyObject,
                *mut PyObject,
                *mut core::ffi::c_void,
            ) = core::mem::transmute(h);
            let msg = match err_msg {
                Some(m) => crate::objects::unicodeobject::str_from(m),
                None => null_mut(),
            };
            h(t, v, tb, msg, obj, data as *mut core::ffi::c_void);
            xdecref(msg);
            // A hook must not raise; if it did, the error is dropped as CPython drops it.
            restore(null_mut(), null_mut(), null_mut());
        } else {
            write_default_report(err_msg, obj, t, v, tb);
        }
        xdecref(t);
        xdecref(v);
        xdecref(tb);
    }
}

/// Reports the pending exception as one that cannot be raised (it happened in a finalizer, a
/// deallocator or a callback with no caller to return it to), then clears it.
///
/// The report goes to the hook set with `PyNative_SetUnraisableHook`, or else to stderr in the
/// format of CPython's default `sys.unraisablehook`: `Exception ignored in: <repr(obj)>` (when
/// `obj` is not NULL), the traceback, then `Type: message`. Does nothing when no exception is
/// set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyErr_WriteUnraisable(obj: *mut PyObject) {
    // SAFETY: the thread's error indicator; `obj` is live or NULL.
    guard("PyErr_WriteUnraisable", (), || unsafe {
        write_unraisable(None, obj)
    })
}

/// `PyErr_WriteUnraisable` with an error message (UTF-8) in place of "Exception ignored in":
/// the default report's first line is `<err_msg>: <repr(obj)>`; a hook receives it as
/// `err_msg`. A NULL `err_msg` is `PyErr_WriteUnraisable(obj)`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn _PyErr_WriteUnraisableMsg(err_msg: *const c_char, obj: *mut PyObject) {
    guard("_PyErr_WriteUnraisableMsg", (), || {
        // SAFETY: a NUL-terminated message or NULL; `obj` is live or NULL.
        unsafe {
            let msg = if err_msg.is_null() {
                None
            } else {
                // Without memory for the message, the report goes out with the default one.
                crate::objects::unicodeobject::lossy(err_msg).ok()
            };
            write_unraisable(msg.as_ref().map(|m| m.as_str()), obj)
        }
    })
}

/// Makes a new exception class `name` (`"module.Class"`, the part before the last dot becoming
/// `__module__` unless `dict` has one) deriving from `base` (a class or a tuple of classes;
/// NULL for `Exception`), with class namespace `dict` (may be NULL). `SystemError` when `name`
/// has no dot.
///
/// Return value: New reference, or NULL with an exception set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyErr_NewException(
    name: *const c_char,
    base: *mut PyObject,
    dict: *mut PyObject,
) -> *mut PyObject {
    check_null!(name, null_mut());
    guard("PyErr_NewException", null_mut(), || unsafe {
        new_exception(name, base, dict)
    })
}

unsafe fn new_exception(
    name: *const c_char,
    base: *mut PyObject,
    dict: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: a NUL-terminated name; live objects or NULL.
    unsafe {
        let full = core::ffi::CStr::from_ptr(name).to_bytes();
        let Some(dot) = full.iter().rposition(|&c| c == b'.') else {
            set_string(
                crate::exc!(SystemError),
                "PyErr_NewException: name must be module.class",
            );
            return null_mut();
        };
        let base = if base.is_null() {
            crate::exc!(Exception)
        } else {
            base
        };
        let own_dict = dict.is_null();
        let dict = if own_dict {
            crate::objects::dictobject::PyDict_New()
        } else {
            if !crate::objects::dictobject::is_dict(dict) {
                bad_internal_call();
                return null_mut();
            }
            incref(dict);
            dict
        };
        if dict.is_null() {
            return null_mut();
        }
        let result = (|| {
            let mk = crate::objects::unicodeobject::intern("__module__");
            match crate::objects::dictobject::get_item(dict, mk) {
                Err(()) => return null_mut(),
                Ok(m) if m.is_null() => {
                    let m = crate::objects::unicodeobject::decode_utf8(&full[..dot]);
                    if m.is_null() {
                        return null_mut();
                    }
                    let r = crate::objects::dictobject::set_item(dict, mk, m);
                    decref(m);
                    if r < 0 {
                        return null_mut();
                    }
                }
                Ok(_) => {}
            }
            let bases = if crate::objects::tupleobject::is_tuple(base) {
                new_ref(base)
            } else {
                crate::objects::tupleobject::tuple_from(&[base])
            };
            if bases.is_null() {
                return null_mut();
            }
            let n = crate::objects::unicodeobject::decode_utf8(&full[dot + 1..]);
            if n.is_null() {
                decref(bases);
                return null_mut();
            }
            let args = crate::objects::tupleobject::tuple_from(&[n, bases, dict]);
            decref(n);
            decref(bases);
            if args.is_null() {
                return null_mut();
            }
            let r = crate::objects::call::call(
                obj(&raw mut crate::objects::typeobject::PyType_Type),
                args,
                null_mut(),
            );
            decref(args);
            r
        })();
        decref(dict);
        result
    }
}

/// As `PyErr_NewException`, with `doc` (may be NULL) as the class's `__doc__`.
///
/// Return value: New reference, or NULL with an exception set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyErr_NewExceptionWithDoc(
    name: *const c_char,
    doc: *const c_char,
    base: *mut PyObject,
    dict: *mut PyObject,
) -> *mut PyObject {
    check_null!(name, null_mut());
    guard("PyErr_NewExceptionWithDoc", null_mut(), || unsafe {
        let own = dict.is_null();
        let d = if own {
            crate::objects::dictobject::PyDict_New()
        } else {
            dict
        };
        if d.is_null() {
            return null_mut();
        }
        if !doc.is_null() {
            if !crate::objects::dictobject::is_dict(d) {
                bad_internal_call();
                return null_mut();
            }
            let s = crate::objects::unicodeobject::PyUnicode_FromString(doc);
            if s.is_null() {
                if own {
                    decref(d);
                }
                return null_mut();
            }
            let r = crate::objects::dictobject::set_item(
                d,
                crate::objects::unicodeobject::intern("__doc__"),
                s,
            );
            decref(s);
            if r < 0 {
                if own {
                    decref(d);
                }
                return null_mut();
            }
        }
        let r = new_exception(name, base, d);
        if own {
            decref(d);
        }
        r
    })
}
