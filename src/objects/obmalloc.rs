//! `Include/pymem.h` and `Include/objimpl.h`'s raw allocators.
//!
//! Every allocation pycoro makes goes through `raw_malloc`/`raw_calloc`/`raw_realloc`, so that
//! allocation failure can be injected in one place. Memory comes from the C library's `malloc`,
//! so memory allocated by C code with `PyMem_Malloc`/`PyObject_Malloc` and released with the
//! matching free function (or the other way round) is always consistent.

use crate::capi::boundary::guard;
use core::ffi::c_void;
use core::sync::atomic::{AtomicBool, AtomicIsize, Ordering};

// Allocation-failure injection for tests (`PyNative_SetAllocFailure`): while armed, every
// allocation pycoro makes for C-visible memory is counted, and the chosen one fails.
static ARMED: AtomicBool = AtomicBool::new(false);
static COUNT: AtomicIsize = AtomicIsize::new(0);
static FAIL_AT: AtomicIsize = AtomicIsize::new(0);

/// Counts an allocation while injection is armed; true when this one is to fail.
#[inline(always)]
pub(crate) fn injected_failure() -> bool {
    if !ARMED.load(Ordering::Relaxed) {
        return false;
    }
    injected_failure_slow()
}

#[cold]
fn injected_failure_slow() -> bool {
    let n = COUNT.fetch_add(1, Ordering::Relaxed) + 1;
    n == FAIL_AT.load(Ordering::Relaxed)
}

/// Test hook: from now on, count the allocations pycoro makes (objects, frames, strings,
/// tuples, `PyMem_*`/`PyObject_Malloc` memory), and make the `n`-th of them fail as if the
/// system were out of memory (`MemoryError`, or the operation's own error). Only that one
/// fails: later allocations succeed. `n == 0` counts without failing; `n < 0` switches
/// counting and failing off. The growth of pycoro's internal text and tables (messages,
/// formatted strings, reprs, the intern, warning and immortal tables) is counted
/// too, each time it needs memory. The setting is process-wide: use it from one thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyNative_SetAllocFailure(n: crate::objects::object::Py_ssize_t) {
    COUNT.store(0, Ordering::Relaxed);
    FAIL_AT.store(n.max(0), Ordering::Relaxed);
    ARMED.store(n >= 0, Ordering::Relaxed);
}

/// Test hook: the number of allocations counted since the last `PyNative_SetAllocFailure`
/// (0 when counting is off). A scenario run with counting on tells how many failure points it
/// has.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyNative_AllocCount() -> crate::objects::object::Py_ssize_t {
    if ARMED.load(Ordering::Relaxed) {
        COUNT.load(Ordering::Relaxed)
    } else {
        0
    }
}

/// Allocates `n` bytes (at least one); NULL on failure, with no exception set.
pub(crate) unsafe fn raw_malloc(n: usize) -> *mut c_void {
    if n > isize::MAX as usize || injected_failure() {
        return core::ptr::null_mut();
    }
    // SAFETY: plain libc allocation.
    unsafe { libc::malloc(n.max(1)) }
}

/// Allocates `n * size` zeroed bytes (at least one); NULL on failure or overflow.
pub(crate) unsafe fn raw_calloc(n: usize, size: usize) -> *mut c_void {
    if n.checked_mul(size).is_none_or(|t| t > isize::MAX as usize) || injected_failure() {
        return core::ptr::null_mut();
    }
    // SAFETY: plain libc allocation.
    unsafe { libc::calloc(n.max(1), size.max(1)) }
}

/// Resizes `p` to `n` bytes (at least one); NULL on failure, `p` then still valid.
pub(crate) unsafe fn raw_realloc(p: *mut c_void, n: usize) -> *mut c_void {
    if n > isize::MAX as usize || injected_failure() {
        return core::ptr::null_mut();
    }
    // SAFETY: `p` came from raw_malloc/raw_calloc/raw_realloc or is NULL.
    unsafe { libc::realloc(p, n.max(1)) }
}

/// Releases memory from the functions above; NULL is ignored.
pub(crate) unsafe fn raw_free(p: *mut c_void) {
    // SAFETY: `p` came from this allocator or is NULL.
    unsafe { libc::free(p) }
}

/// Allocates `n` bytes (a request for zero bytes returns a unique non-NULL pointer).
///
/// Return value: the memory, owned by the caller (release it with `PyMem_Free`), or NULL on
/// failure. No exception is set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyMem_Malloc(n: usize) -> *mut c_void {
    guard("PyMem_Malloc", core::ptr::null_mut(), || {
        if n > isize::MAX as usize {
            return core::ptr::null_mut();
        }
        // SAFETY: plain allocation.
        unsafe { raw_malloc(n) }
    })
}

/// Allocates `nelem * elsize` zeroed bytes; NULL on failure or overflow (no exception set).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyMem_Calloc(nelem: usize, elsize: usize) -> *mut c_void {
    // SAFETY: plain allocation.
    guard("PyMem_Calloc", core::ptr::null_mut(), || unsafe {
        raw_calloc(nelem, elsize)
    })
}

/// Resizes the block `p` (NULL acts as `PyMem_Malloc`) to `n` bytes. On failure returns NULL
/// and `p` stays valid. No exception is set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyMem_Realloc(p: *mut c_void, n: usize) -> *mut c_void {
    guard("PyMem_Realloc", core::ptr::null_mut(), || {
        if n > isize::MAX as usize {
            return core::ptr::null_mut();
        }
        // SAFETY: the caller passes a block from this allocator or NULL.
        unsafe { raw_realloc(p, n) }
    })
}

/// Releases a block from `PyMem_Malloc`/`PyMem_Calloc`/`PyMem_Realloc`; NULL is ignored.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyMem_Free(p: *mut c_void) {
    // SAFETY: the caller passes a block from this allocator or NULL.
    guard("PyMem_Free", (), || unsafe { raw_free(p) })
}

/// Object allocator: same contract as `PyMem_Malloc`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyObject_Malloc(n: usize) -> *mut c_void {
    // SAFETY: same contract.
    unsafe { PyMem_Malloc(n) }
}

/// Object allocator: same contract as `PyMem_Calloc`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyObject_Calloc(nelem: usize, elsize: usize) -> *mut c_void {
    // SAFETY: same contract.
    unsafe { PyMem_Calloc(nelem, elsize) }
}

/// Object allocator: same contract as `PyMem_Realloc`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyObject_Realloc(p: *mut c_void, n: usize) -> *mut c_void {
    // SAFETY: same contract.
    unsafe { PyMem_Realloc(p, n) }
}

/// Object allocator: same contract as `PyMem_Free`. Also the `tp_free` of non-GC types
/// (`PyObject_Del` is a macro for it in `Python.h`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyObject_Free(p: *mut c_void) {
    // SAFETY: same contract.
    unsafe { PyMem_Free(p) }
}
