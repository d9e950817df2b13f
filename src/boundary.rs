//! The panic boundary and argument checks every exported function goes through.
//!
//! A panic never unwinds into C: `guard` turns it into `SystemError` naming the function and
//! returns the function's error value. Argument checks set CPython's exception and return it too.

use std::panic::{AssertUnwindSafe, catch_unwind};

/// Runs `body`; a panic becomes `SystemError("NAME: internal error: ...")` and `err` is returned.
#[inline(always)]
pub(crate) fn guard<R>(name: &'static str, err: R, body: impl FnOnce() -> R) -> R {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(r) => r,
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "panic".to_owned());
            // Dropping the payload could itself panic in theory; leak it to stay on the safe side.
            core::mem::forget(payload);
            // SAFETY: setting the error indicator is always allowed on the current thread.
            unsafe {
                crate::pyerrors::set_string(
                    crate::exc!(SystemError),
                    &format!("{name}: internal error: {what}"),
                );
            }
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
            unsafe { $crate::pyerrors::bad_internal_call() };
            return;
        }
    };
    ($p:expr, $err:expr) => {
        if $p.is_null() {
            // SAFETY: setting the error indicator is always allowed.
            unsafe { $crate::pyerrors::bad_internal_call() };
            return $err;
        }
    };
}
pub(crate) use check_null;
