//! The panic boundary and argument checks every exported function goes through.
//!
//! A panic never unwinds into C: `guard` turns it into `SystemError` naming the function and
//! returns the function's error value. Argument checks set CPython's exception and return it too.

use core::sync::atomic::{AtomicBool, AtomicIsize, Ordering};
use std::panic::{AssertUnwindSafe, catch_unwind};

// Panic injection for tests (`PyNative_InjectPanic`).
static PANIC_ARMED: AtomicBool = AtomicBool::new(false);
static PANIC_COUNTDOWN: AtomicIsize = AtomicIsize::new(0);

/// The payload of an injected panic.
struct InjectedPanic;

#[inline(always)]
fn maybe_inject_panic() {
    if PANIC_ARMED.load(Ordering::Relaxed) {
        inject_panic_slow();
    }
}

#[cold]
fn inject_panic_slow() {
    if PANIC_COUNTDOWN.fetch_sub(1, Ordering::Relaxed) == 1 {
        PANIC_ARMED.store(false, Ordering::Relaxed);
        // Unwinds like a panic, without the panic hook's report on stderr (the payload is a
        // zero-sized value: boxing it allocates nothing).
        std::panic::resume_unwind(Box::new(InjectedPanic));
    }
}

/// Test hook: the `n`-th call from now into an exported pycoro function panics inside the
/// function's panic boundary, before it does any work (`n <= 0` disarms). The boundary turns
/// the panic into `SystemError("NAME: internal error: injected panic")` and the function
/// returns its error value; the process goes on. Counts calls on every thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyNative_InjectPanic(n: crate::objects::object::Py_ssize_t) {
    PANIC_COUNTDOWN.store(n.max(0), Ordering::Relaxed);
    PANIC_ARMED.store(n > 0, Ordering::Relaxed);
}

/// Runs `body`; a panic becomes `SystemError("NAME: internal error: ...")` and `err` is returned.
#[inline(always)]
pub(crate) fn guard<R>(name: &'static str, err: R, body: impl FnOnce() -> R) -> R {
    match catch_unwind(AssertUnwindSafe(|| {
        maybe_inject_panic();
        body()
    })) {
        Ok(r) => r,
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .copied()
                .or_else(|| payload.is::<InjectedPanic>().then_some("injected panic"))
                .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
                .unwrap_or("panic");
            // SAFETY: setting the error indicator is always allowed on the current thread
            // (MemoryError when there is no memory for the message).
            unsafe {
                crate::python::errors::set_format(
                    crate::exc!(SystemError),
                    format_args!("{name}: internal error: {what}"),
                );
            }
            // Dropping the payload could itself panic in theory: that panic is caught too.
            let _ = catch_unwind(AssertUnwindSafe(move || drop(payload)));
            err
        }
    }
}

/// Returns `$err` (nothing, when it is left out) with `SystemError("bad argument to internal
/// function")` set when `$p` is NULL.
macro_rules! check_null {
    ($p:expr) => {
        if $p.is_null() {
            // SAFETY: setting the error indicator is always allowed.
            unsafe { $crate::python::errors::bad_internal_call() };
            return;
        }
    };
    ($p:expr, $err:expr) => {
        if $p.is_null() {
            // SAFETY: setting the error indicator is always allowed.
            unsafe { $crate::python::errors::bad_internal_call() };
            return $err;
        }
    };
}
pub(crate) use check_null;
