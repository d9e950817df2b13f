//! `Include/pymem.h` and `Include/objimpl.h`'s raw allocators.
//!
//! Every allocation pycoro makes goes through `raw_malloc`/`raw_calloc`/`raw_realloc`, so that
//! allocation failure can be injected in one place. Memory comes from the C library's `malloc`,
//! so memory allocated by C code with `PyMem_Malloc`/`PyObject_Malloc` and released with the
//! matching free function (or the other way round) is always consistent.

use crate::boundary::guard;
use core::ffi::c_void;

/// Allocates `n` bytes (at least one); NULL on failure, with no exception set.
pub(crate) unsafe fn raw_malloc(n: usize) -> *mut c_void {
    // SAFETY: plain libc allocation.
    unsafe { libc::malloc(n.max(1)) }
}

/// Allocates `n * size` zeroed bytes (at least one); NULL on failure or overflow.
pub(crate) unsafe fn raw_calloc(n: usize, size: usize) -> *mut c_void {
    if n.checked_mul(size).is_none() {
        return core::ptr::null_mut();
    }
    // SAFETY: plain libc allocation.
    unsafe { libc::calloc(n.max(1), size.max(1)) }
}

/// Resizes `p` to `n` bytes (at least one); NULL on failure, `p` then still valid.
pub(crate) unsafe fn raw_realloc(p: *mut c_void, n: usize) -> *mut c_void {
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
