//! `Include/pylifecycle.h`: start-up and shut-down. pycoro needs no set-up: static types are
//! ready at compile time and each thread's state is created on first use, so a program that
//! never calls `Py_Initialize` works too.

use core::ffi::c_int;
use core::sync::atomic::{AtomicBool, Ordering};

static INITIALIZED: AtomicBool = AtomicBool::new(false);

/// Marks the runtime initialized (nothing else is needed).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn Py_Initialize() {
    INITIALIZED.store(true, Ordering::Release);
}

/// As `Py_Initialize`; `initsigs` is ignored (pycoro installs no signal handlers).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn Py_InitializeEx(initsigs: c_int) {
    let _ = initsigs;
    INITIALIZED.store(true, Ordering::Release);
}

/// Returns 1 after `Py_Initialize` and until `Py_FinalizeEx`, else 0.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn Py_IsInitialized() -> c_int {
    INITIALIZED.load(Ordering::Acquire) as c_int
}

/// Marks the runtime finalized and releases the calling thread's pending exception. Objects
/// stay usable (pycoro has no global state to tear down). Returns 0.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn Py_FinalizeEx() -> c_int {
    INITIALIZED.store(false, Ordering::Release);
    crate::capi::boundary::guard("Py_FinalizeEx", 0, || {
        // SAFETY: clears the calling thread's error indicator.
        unsafe {
            crate::python::errors::restore(
                core::ptr::null_mut(),
                core::ptr::null_mut(),
                core::ptr::null_mut(),
            )
        };
        0
    })
}

/// As `Py_FinalizeEx`, ignoring the result.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn Py_Finalize() {
    // SAFETY: no preconditions.
    unsafe { Py_FinalizeEx() };
}
