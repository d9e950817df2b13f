//! `Python/ceval.c`'s part for native frames: running a generator's frame one step (from a
//! resumption to its next suspension or its end), with `await` / `yield from` delegation
//! driven by the runtime, and the thread's executing-frame chain.

use crate::capi::boundary::guard;
use crate::capi::ffi::{decref, obj, xdecref};
use crate::objects::codeobject::{
    CO_ASYNC_GENERATOR, CO_COROUTINE, CO_ITERABLE_COROUTINE, PYNATIVE_AWAIT, PYNATIVE_ERROR,
    PYNATIVE_RETURN, PYNATIVE_YIELD, PYNATIVE_YIELD_FROM, body_of,
};
use crate::objects::frameobject::PyFrameObject;
use crate::objects::object::*;
use crate::objects::object_ops::none;
use crate::objects::unicodeobject::str_as;
use crate::python::errors::{set_format, set_string};
use crate::python::pystate::PyThreadState;
use crate::python::traceback;
use core::ffi::{CStr, c_char, c_int};
use core::ptr::null_mut;
use core::sync::atomic::{AtomicI32, Ordering};

/// How one run of a frame ended.
pub(crate) enum Outcome {
    /// The frame is suspended; the yielded value (new reference) goes to the caller.
    Yielded(*mut PyObject),
    /// The frame returned this value (new reference).
    Returned(*mut PyObject),
    /// The frame raised; the exception is set.
    Raised,
}

/// The delegate a suspended frame is driving (`await` / `yield from`), borrowed, or NULL.
#[inline]
pub(crate) unsafe fn delegate_of(f: *mut PyFrameObject) -> *mut PyObject {
    // SAFETY: a live frame; the value stack holds the delegate while one is driven.
    unsafe {
        if (*f).f_stackdepth > 0 {
            *(*f).f_valuestack
        } else {
            null_mut()
        }
    }
}

/// Releases the delegate (pops the value stack).
#[inline]
pub(crate) unsafe fn pop_delegate(f: *mut PyFrameObject) {
    // SAFETY: a live frame; the stack entry owns its reference.
    unsafe {
        if (*f).f_stackdepth > 0 {
            (*f).f_stackdepth = 0;
            let d = *(*f).f_valuestack;
            *(*f).f_valuestack = null_mut();
            xdecref(d);
        }
    }
}

/// Raises `SystemError` for a body that broke its contract. An exception the body had set is
/// kept as the SystemError's `__cause__` (and `__context__`), as CPython's
/// `_Py_CheckFunctionResult` chains it ("returned a result with an error set").
unsafe fn body_bug(f: *mut PyFrameObject, what: &str) {
    // SAFETY: a live frame with its code.
    unsafe {
        let name = str_as((*(*f).f_code).co_name).unwrap_or("?");
        let msg = format!("native body of '{name}' {what}");
        if crate::python::errors::occurred().is_null() {
            set_string(crate::exc!(SystemError), &msg);
        } else {
            crate::python::errors::format_from_cause(
                crate::exc!(SystemError),
                format_args!("{msg}"),
            );
        }
    }
}

/// Adds `f` to the pending exception's traceback unless it is already its latest entry.
#[inline]
unsafe fn traceback_here(f: *mut PyFrameObject) {
    // SAFETY: an exception is pending; `f` is live.
    unsafe {
        if !traceback::starts_at(f) {
            traceback::here(f);
        }
    }
}

/// `GET_AWAITABLE` / `GET_YIELD_FROM_ITER`: the iterator to drive for `o`.
unsafe fn delegate_iter(f: *mut PyFrameObject, o: *mut PyObject, awaiting: bool) -> *mut PyObject {
    // SAFETY: live objects.
    unsafe {
        if awaiting {
            let it = crate::objects::genobject::get_awaitable_iter(o);
            if !it.is_null()
                && crate::objects::genobject::is_coro_exact(it)
                && !crate::objects::genobject::yf(it).is_null()
            {
                set_string(
                    crate::exc!(RuntimeError),
                    "coroutine is being awaited already",
                );
                decref(it);
                return null_mut();
            }
            return it;
        }
        if crate::objects::genobject::is_coro_exact(o) {
            if (*(*f).f_code).co_flags & (CO_COROUTINE | CO_ITERABLE_COROUTINE) == 0 {
                set_string(
                    crate::exc!(TypeError),
                    "cannot 'yield from' a coroutine object in a non-coroutine generator",
                );
                return null_mut();
            }
            return crate::capi::ffi::new_ref(o);
        }
        if crate::objects::genobject::is_gen_exact(o) {
            return crate::capi::ffi::new_ref(o);
        }
        crate::objects::iterobject::get_iter(o)
    }
}

/// What sending into the delegate gave.
enum Step {
    /// Suspend with this value.
    Yield(*mut PyObject),
    /// Re-enter the body with this argument (an owned reference), or NULL with an exception
    /// pending.
    Resume(*mut PyObject),
}

/// `YIELD_FROM`: sends `arg` into the frame's delegate. When the delegate finishes, it is
/// popped and the body resumes with its return value or its exception.
#[inline]
unsafe fn send_to_delegate(f: *mut PyFrameObject, arg: *mut PyObject) -> Step {
    // SAFETY: a live frame with a delegate on its stack.
    unsafe {
        let mut r = null_mut();
        match crate::objects::iterobject::iter_send(delegate_of(f), arg, &mut r) {
            PYGEN_NEXT => Step::Yield(r),
            PYGEN_RETURN => {
                pop_delegate(f);
                Step::Resume(r)
            }
            _ => {
                pop_delegate(f);
                traceback_here(f);
                Step::Resume(null_mut())
            }
        }
    }
}

/// Runs the native frame `f` from its current resume point until it suspends or ends.
///
/// `arg` (borrowed) is the value sent in; NULL when an exception is being thrown in (the error
/// indicator is set). The caller has linked the frame into the thread's frame chain, pushed
/// the generator's exception state and set `f_state` to `FRAME_EXECUTING`; this function does
/// not touch `f_state`. `ts` is the calling thread's state.
#[inline]
pub(crate) unsafe fn eval_frame(
    f: *mut PyFrameObject,
    arg: *mut PyObject,
    ts: *mut crate::python::pystate::PyThreadState,
) -> Outcome {
    // SAFETY: a live frame of native code whose body follows the PyNative_Body contract (the
    // contract violations it can detect raise SystemError).
    unsafe {
        let code = (*f).f_code;
        let Some(body) = body_of(code) else {
            if arg.is_null() {
                traceback_here(f);
            } else {
                let name = str_as((*code).co_name).unwrap_or("?");
                set_format(
                    crate::exc!(SystemError),
                    format_args!("code object '{name}' has no native body to run"),
                );
            }
            return Outcome::Raised;
        };
        // `owned` is a reference this function holds for `arg` (a delegate's return value).
        let mut owned: *mut PyObject = null_mut();
        let mut arg = arg;
        if !delegate_of(f).is_null() {
            if arg.is_null() {
                // Thrown in while delegating: the delegate is dropped and the exception is
                // raised at the await.
                pop_delegate(f);
                traceback_here(f);
            } else {
                match send_to_delegate(f, arg) {
                    Step::Yield(v) => return Outcome::Yielded(v),
                    Step::Resume(v) => {
                        owned = v;
                        arg = v;
                    }
                }
            }
        } else if arg.is_null() {
            traceback_here(f);
            if (*f).f_lasti < 0 {
                // Thrown into a frame that has not started: raised at its first instruction,
                // before any body code runs.
                return Outcome::Raised;
            }
        }
        loop {
            let mut out: *mut PyObject = null_mut();
            let status = body(f, arg, &mut out);
            xdecref(owned);
            owned = null_mut();
            let pending = !(*ts).curexc_type.is_null();
            // The common case first: a plain yield with a value, a label and no exception.
            if status == PYNATIVE_YIELD
                && !pending
                && !out.is_null()
                && (*f).f_lasti >= 0
                && (*code).co_flags & CO_ASYNC_GENERATOR == 0
            {
                return Outcome::Yielded(out);
            }
            match status {
                PYNATIVE_RETURN | PYNATIVE_YIELD if pending => {
                    xdecref(out);
                    body_bug(f, "returned a result with an exception set");
                    return Outcome::Raised;
                }
                PYNATIVE_RETURN | PYNATIVE_YIELD if out.is_null() => {
                    body_bug(f, "returned NULL in *out without an exception set");
                    return Outcome::Raised;
                }
                PYNATIVE_RETURN => return Outcome::Returned(out),
                PYNATIVE_ERROR => {
                    if !out.is_null() {
                        decref(out);
                        body_bug(f, "returned PYNATIVE_ERROR with a value in *out");
                    } else if !pending {
                        body_bug(f, "returned PYNATIVE_ERROR without setting an exception");
                    } else {
                        traceback_here(f);
                    }
                    return Outcome::Raised;
                }
                PYNATIVE_YIELD | PYNATIVE_AWAIT | PYNATIVE_YIELD_FROM if (*f).f_lasti < 0 => {
                    xdecref(out);
                    body_bug(
                        f,
                        "suspended without setting f_lasti to a resume label >= 0",
                    );
                    return Outcome::Raised;
                }
                PYNATIVE_YIELD if (*code).co_flags & CO_ASYNC_GENERATOR != 0 => {
                    // An async generator's own yields leave wrapped (its awaitables unwrap
                    // them); values from an inner await pass through as they are.
                    let w = crate::objects::asyncgen::wrap_value(out);
                    if w.is_null() {
                        return Outcome::Raised;
                    }
                    return Outcome::Yielded(w);
                }
                PYNATIVE_YIELD => return Outcome::Yielded(out),
                PYNATIVE_AWAIT | PYNATIVE_YIELD_FROM => {
                    if out.is_null() || pending {
                        xdecref(out);
                        body_bug(f, "delegated to NULL or with an exception set");
                        return Outcome::Raised;
                    }
                    let it = delegate_iter(f, out, status == PYNATIVE_AWAIT);
                    decref(out);
                    if it.is_null() {
                        traceback_here(f);
                        arg = null_mut();
                        continue;
                    }
                    *(*f).f_valuestack = it;
                    (*f).f_stackdepth = 1;
                    match send_to_delegate(f, none()) {
                        Step::Yield(v) => return Outcome::Yielded(v),
                        Step::Resume(v) => {
                            owned = v;
                            arg = v;
                        }
                    }
                }
                other => {
                    xdecref(out);
                    body_bug(
                        f,
                        crate::capi::fallible::Small::<48>::format(format_args!(
                            "returned unknown status {other}"
                        ))
                        .as_str(),
                    );
                    return Outcome::Raised;
                }
            }
        }
    }
}

/// Returns the frame currently executing in this thread (a native frame being run by a
/// generator, coroutine or async generator), or NULL when none is.
///
/// Return value: Borrowed reference (valid while the frame runs).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyEval_GetFrame() -> *mut PyFrameObject {
    // SAFETY: the thread's own state.
    unsafe { (*crate::python::pystate::tstate()).frame }
}

/// Returns the frame currently executing in thread `tstate` (see `PyEval_GetFrame`), or NULL
/// with no exception set.
///
/// Return value: New reference, or NULL. `SystemError` ("bad argument to internal function")
/// when `tstate` is NULL (CPython asserts).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyThreadState_GetFrame(
    tstate: *mut crate::python::pystate::PyThreadState,
) -> *mut PyFrameObject {
    crate::capi::boundary::check_null!(tstate, null_mut());
    // SAFETY: a live thread state by contract.
    unsafe { crate::capi::ffi::xnew_ref(obj((*tstate).frame)) as *mut PyFrameObject }
}

/// Sets thread `tstate`'s coroutine origin tracking depth (NULL: the calling thread's): how
/// many executing frames `PyCoro_New` records in `cr_origin` (0 turns tracking off). As in
/// CPython 3.10 the value is stored as given (`sys.set_coroutine_origin_tracking_depth` is
/// what rejects negative depths); a negative depth records nothing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn _PyEval_SetCoroutineOriginTrackingDepth(
    tstate: *mut crate::python::pystate::PyThreadState,
    new_depth: core::ffi::c_int,
) {
    let ts = if tstate.is_null() {
        crate::python::pystate::tstate()
    } else {
        tstate
    };
    // SAFETY: a live thread state.
    unsafe { (*ts).coroutine_origin_tracking_depth = new_depth };
}

/// The calling thread's coroutine origin tracking depth (0: off).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn _PyEval_GetCoroutineOriginTrackingDepth() -> core::ffi::c_int {
    // SAFETY: the thread's own state.
    unsafe { (*crate::python::pystate::tstate()).coroutine_origin_tracking_depth }
}

/// Stores a hook in one of the thread's async generator hook fields, after the audit event.
unsafe fn set_hook(
    event: &core::ffi::CStr,
    field: *mut *mut PyObject,
    hook: *mut PyObject,
) -> core::ffi::c_int {
    // SAFETY: a field of the thread's own state; `hook` is live or NULL.
    unsafe {
        if crate::python::sysmodule::auditing() {
            let args = crate::objects::tupleobject::tuple_from(&[if hook.is_null() {
                none()
            } else {
                hook
            }]);
            if args.is_null() {
                return -1;
            }
            let r = crate::python::sysmodule::audit(event, args);
            decref(args);
            if r < 0 {
                return -1;
            }
        }
        crate::capi::ffi::xsetref(field, crate::capi::ffi::xnew_ref(hook));
        0
    }
}

/// Sets the calling thread's async generator `firstiter` hook (NULL clears it): called with
/// the async generator at its first iteration. Takes a new reference; the callable is not
/// checked (as in CPython 3.10). Raises audit event `sys.set_asyncgen_hook_firstiter`.
/// Returns 0, or -1 with an exception set when an audit hook aborts.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn _PyEval_SetAsyncGenFirstiter(
    firstiter: *mut PyObject,
) -> core::ffi::c_int {
    crate::capi::boundary::guard("_PyEval_SetAsyncGenFirstiter", -1, || {
        // SAFETY: the thread's own state.
        unsafe {
            let ts = crate::python::pystate::tstate();
            set_hook(
                c"sys.set_asyncgen_hook_firstiter",
                &raw mut (*ts).async_gen_firstiter,
                firstiter,
            )
        }
    })
}

/// Sets the calling thread's async generator `finalizer` hook (NULL clears it): captured by an
/// async generator at its first iteration and called with it when it is finalized unfinished.
/// Takes a new reference; not checked. Raises audit event `sys.set_asyncgen_hook_finalizer`.
/// Returns 0, or -1 with an exception set when an audit hook aborts.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn _PyEval_SetAsyncGenFinalizer(
    finalizer: *mut PyObject,
) -> core::ffi::c_int {
    crate::capi::boundary::guard("_PyEval_SetAsyncGenFinalizer", -1, || {
        // SAFETY: the thread's own state.
        unsafe {
            let ts = crate::python::pystate::tstate();
            set_hook(
                c"sys.set_asyncgen_hook_finalizer",
                &raw mut (*ts).async_gen_finalizer,
                finalizer,
            )
        }
    })
}

/// The calling thread's async generator `firstiter` hook, or NULL.
///
/// Return value: Borrowed reference.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn _PyEval_GetAsyncGenFirstiter() -> *mut PyObject {
    // SAFETY: the thread's own state.
    unsafe { (*crate::python::pystate::tstate()).async_gen_firstiter }
}

/// The calling thread's async generator `finalizer` hook, or NULL.
///
/// Return value: Borrowed reference.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn _PyEval_GetAsyncGenFinalizer() -> *mut PyObject {
    // SAFETY: the thread's own state.
    unsafe { (*crate::python::pystate::tstate()).async_gen_finalizer }
}

// ---------------------------------------------------------------------------------------------
// The recursion limit (`Include/ceval.h`: `Py_SetRecursionLimit`, `Py_EnterRecursiveCall`).
//
// Each thread counts how deeply it is nested in `tstate->recursion_depth`; one limit holds for
// the process (CPython keeps it per interpreter, and pycoro has one). Resuming a generator,
// coroutine or async generator costs one level while its frame runs (3.10's frame evaluation),
// as do `repr()` / `str()` of an object with a `tp_repr` / `tp_str` and rich comparisons.
// ---------------------------------------------------------------------------------------------

/// CPython 3.10's default recursion limit.
const DEFAULT_RECURSION_LIMIT: c_int = 1000;

static RECURSION_LIMIT: AtomicI32 = AtomicI32::new(DEFAULT_RECURSION_LIMIT);

/// The recursion limit (`Py_GetRecursionLimit`).
#[inline(always)]
pub(crate) fn recursion_limit() -> c_int {
    RECURSION_LIMIT.load(Ordering::Relaxed)
}

/// `_Py_EnterRecursiveCall`: counts one more level of nesting on `ts`. Returns true, with
/// `RecursionError("maximum recursion depth exceeded<where_>")` set and the level not counted,
/// when that goes past the limit.
#[inline(always)]
pub(crate) unsafe fn enter_recursive_call(ts: *mut PyThreadState, where_: &str) -> bool {
    // SAFETY: `ts` is a live thread state.
    unsafe {
        (*ts).recursion_depth += 1;
        (*ts).recursion_depth > recursion_limit() && recursion_exceeded(ts, where_.as_bytes())
    }
}

/// `_Py_LeaveRecursiveCall`: the level counted by a successful `enter_recursive_call` is over.
#[inline(always)]
pub(crate) unsafe fn leave_recursive_call(ts: *mut PyThreadState) {
    // SAFETY: `ts` is a live thread state.
    unsafe { (*ts).recursion_depth -= 1 };
}

/// `_Py_CheckRecursiveCall` after the increment: when the depth is past the limit, takes the
/// level back and raises `RecursionError`. 3.10 has no "low-water mark" any more (3.9's
/// `overflowed` flag): every check past the limit raises again. While the RecursionError itself
/// is being made (which calls its type, one more level), `recursion_headroom` lets checks pass
/// up to 50 levels past the limit; past those CPython aborts ("Cannot recover from stack
/// overflow."), pycoro raises `RecursionError` with that message instead, made without any call.
#[cold]
#[inline(never)]
unsafe fn recursion_exceeded(ts: *mut PyThreadState, where_: &[u8]) -> bool {
    // SAFETY: `ts` is a live thread state; the error is set on the calling thread.
    unsafe {
        let limit = recursion_limit();
        if (*ts).recursion_headroom != 0 {
            if (*ts).recursion_depth <= limit.saturating_add(50) {
                return false;
            }
            (*ts).recursion_depth -= 1;
            let msg =
                crate::objects::unicodeobject::str_from("Cannot recover from stack overflow.");
            if !msg.is_null() {
                let t = crate::exc!(RecursionError);
                crate::capi::ffi::incref(t);
                crate::python::errors::restore(t, msg, null_mut());
            }
            return true;
        }
        if (*ts).recursion_depth <= limit {
            return false;
        }
        const HEAD: &str = "maximum recursion depth exceeded";
        let mut msg = String::new();
        if msg.try_reserve(HEAD.len() + where_.len()).is_err() {
            (*ts).recursion_depth -= 1;
            crate::python::errors::no_memory();
            return true;
        }
        msg.push_str(HEAD);
        for chunk in where_.utf8_chunks() {
            msg.push_str(chunk.valid());
            if !chunk.invalid().is_empty() {
                if msg.try_reserve(3).is_err() {
                    (*ts).recursion_depth -= 1;
                    crate::python::errors::no_memory();
                    return true;
                }
                msg.push(char::REPLACEMENT_CHARACTER);
            }
        }
        (*ts).recursion_headroom += 1;
        set_string(crate::exc!(RecursionError), &msg);
        (*ts).recursion_headroom -= 1;
        (*ts).recursion_depth -= 1;
        true
    }
}

/// The bytes of a C `where` suffix (NULL: none).
unsafe fn where_bytes<'a>(where_: *const c_char) -> &'a [u8] {
    if where_.is_null() {
        return &[];
    }
    // SAFETY: a NUL-terminated string by contract.
    unsafe { CStr::from_ptr(where_) }.to_bytes()
}

/// Returns the recursion limit: how deeply a thread may nest resumptions of generators and
/// coroutines, `repr()`, comparisons and `Py_EnterRecursiveCall` levels (1000 by default).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn Py_GetRecursionLimit() -> c_int {
    recursion_limit()
}

/// Sets the recursion limit to `new_limit`, for every thread. As in CPython 3.10 the value is
/// stored as given: a limit of 0 or below makes every `Py_EnterRecursiveCall` (and every
/// resumption) fail with `RecursionError` (`sys.setrecursionlimit` is what rejects such
/// values, and a limit below the current depth; this function does not).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn Py_SetRecursionLimit(new_limit: c_int) {
    RECURSION_LIMIT.store(new_limit, Ordering::Relaxed);
}

/// Marks a recursive call in C code: counts one more level of nesting on the calling thread
/// and returns 0, or returns 1 (nonzero, as CPython 3.10's) with `RecursionError("maximum
/// recursion depth exceeded" + where)` set when that goes past the recursion limit (the level
/// is then not counted). Pair
/// every 0 result with `Py_LeaveRecursiveCall()`. `where` is appended to the message as it is
/// (CPython's callers pass e.g. `" while getting the repr of an object"`); a NULL `where` adds
/// nothing (CPython crashes on NULL once the limit is reached).
///
/// `Python.h` also defines `Py_EnterRecursiveCall` as a macro over inline code (as CPython
/// 3.10's internal headers do); this function is what CPython 3.10 exports under the name.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn Py_EnterRecursiveCall(r#where: *const c_char) -> c_int {
    guard("Py_EnterRecursiveCall", 1, || {
        // SAFETY: the calling thread's own state; `where` is NULL or a C string.
        unsafe {
            let ts = crate::python::pystate::tstate();
            (*ts).recursion_depth += 1;
            ((*ts).recursion_depth > recursion_limit()
                && recursion_exceeded(ts, where_bytes(r#where))) as c_int
        }
    })
}

/// Ends a level counted by a successful `Py_EnterRecursiveCall`: decrements the calling
/// thread's depth (unconditionally, as CPython does: an unpaired call makes it negative).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn Py_LeaveRecursiveCall() {
    // SAFETY: the calling thread's own state.
    guard("Py_LeaveRecursiveCall", (), || unsafe {
        leave_recursive_call(crate::python::pystate::tstate())
    })
}

/// What `Py_EnterRecursiveCall` calls once it has incremented `tstate->recursion_depth` and
/// found it above the limit (CPython 3.10's private API, which its `Py_EnterRecursiveCall`
/// macro calls): when `tstate->recursion_depth` is above `Py_GetRecursionLimit()`, decrements
/// it and returns -1 with `RecursionError("maximum recursion depth exceeded" + where)` set (on
/// the calling thread); otherwise returns 0. A NULL `where` adds nothing.
///
/// A NULL `tstate` raises `SystemError` ("bad argument to internal function") and returns -1
/// (CPython crashes).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn _Py_CheckRecursiveCall(
    tstate: *mut PyThreadState,
    r#where: *const c_char,
) -> c_int {
    crate::capi::boundary::check_null!(tstate, -1);
    guard("_Py_CheckRecursiveCall", -1, || {
        // SAFETY: a live thread state by contract; `where` is NULL or a C string.
        unsafe {
            if recursion_exceeded(tstate, where_bytes(r#where)) {
                -1
            } else {
                0
            }
        }
    })
}
