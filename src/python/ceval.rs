//! `Python/ceval.c`'s part for native frames: running a generator's frame one step (from a
//! resumption to its next suspension or its end), with `await` / `yield from` delegation
//! driven by the runtime, and the thread's executing-frame chain.

use crate::capi::ffi::{decref, obj, xdecref};
use crate::objects::codeobject::{
    CO_ASYNC_GENERATOR, CO_COROUTINE, CO_ITERABLE_COROUTINE, PYNATIVE_AWAIT, PYNATIVE_ERROR,
    PYNATIVE_RETURN, PYNATIVE_YIELD, PYNATIVE_YIELD_FROM, body_of,
};
use crate::objects::frameobject::PyFrameObject;
use crate::objects::object::*;
use crate::objects::object_ops::none;
use crate::objects::unicodeobject::str_as;
use crate::python::errors::{fetch, set_format, set_string};
use crate::python::traceback;
use core::ptr::null_mut;

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

/// Raises `SystemError` for a body that broke its contract.
unsafe fn body_bug(f: *mut PyFrameObject, what: &str) {
    // SAFETY: a live frame with its code.
    unsafe {
        let (t, v, tb) = fetch();
        xdecref(t);
        xdecref(v);
        xdecref(tb);
        let name = str_as((*(*f).f_code).co_name).unwrap_or("?");
        set_format(
            crate::exc!(SystemError),
            format_args!("native body of '{name}' {what}"),
        );
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
