//! `Include/cpython/pystate.h`: per-thread state with CPython 3.10's `PyThreadState` layout.
//!
//! Every OS thread gets its own thread state the first time it calls into pycoro (or
//! `PyThreadState_Get`/`PyGILState_Ensure`); it is released when the thread exits. The error
//! indicator, the handled-exception stack, the coroutine origin tracking depth and the async
//! generator hooks live in it, so they are never shared between threads.

use crate::capi::boundary::guard;
use crate::capi::ffi::clear;
use crate::objects::frameobject::PyFrameObject;
use crate::objects::object::PyObject;
use crate::python::errors::_PyErr_StackItem;
use core::ffi::{c_int, c_ulong, c_void};
use core::mem::{offset_of, size_of};
use core::ptr::null_mut;
use core::sync::atomic::{AtomicBool, Ordering};
use static_assertions::const_assert_eq;

/// The interpreter state (opaque; pycoro has exactly one).
pub struct PyInterpreterState {
    _private: [u8; 0],
}

/// `Py_tracefunc` (tracing is not supported: the fields exist for layout only).
pub type Py_tracefunc =
    Option<unsafe extern "C" fn(*mut PyObject, *mut PyFrameObject, c_int, *mut PyObject) -> c_int>;

/// 3.10's `CFrame` (part of `PyThreadState`'s layout).
#[repr(C)]
pub struct CFrame {
    pub use_tracing: c_int,
    pub previous: *mut CFrame,
}

/// One thread's state: CPython 3.10's `PyThreadState` (`struct _ts`), 280 bytes.
///
/// Fields pycoro maintains: `interp`, `frame` (the innermost executing native frame),
/// `curexc_*` (the error indicator), `exc_state`/`exc_info` (the handled-exception stack),
/// `coroutine_origin_tracking_depth`, `async_gen_firstiter`, `async_gen_finalizer`,
/// `thread_id`, `id`. The others are zero.
#[repr(C)]
pub struct PyThreadState {
    pub prev: *mut PyThreadState,
    pub next: *mut PyThreadState,
    pub interp: *mut PyInterpreterState,
    pub frame: *mut PyFrameObject,
    pub recursion_depth: c_int,
    pub recursion_headroom: c_int,
    pub stackcheck_counter: c_int,
    pub tracing: c_int,
    pub cframe: *mut CFrame,
    pub c_profilefunc: Py_tracefunc,
    pub c_tracefunc: Py_tracefunc,
    pub c_profileobj: *mut PyObject,
    pub c_traceobj: *mut PyObject,
    pub curexc_type: *mut PyObject,
    pub curexc_value: *mut PyObject,
    pub curexc_traceback: *mut PyObject,
    pub exc_state: _PyErr_StackItem,
    pub exc_info: *mut _PyErr_StackItem,
    pub dict: *mut PyObject,
    pub gilstate_counter: c_int,
    pub async_exc: *mut PyObject,
    pub thread_id: c_ulong,
    pub trash_delete_nesting: c_int,
    pub trash_delete_later: *mut PyObject,
    pub on_delete: Option<unsafe extern "C" fn(*mut c_void)>,
    pub on_delete_data: *mut c_void,
    pub coroutine_origin_tracking_depth: c_int,
    pub async_gen_firstiter: *mut PyObject,
    pub async_gen_finalizer: *mut PyObject,
    pub context: *mut PyObject,
    pub context_ver: u64,
    pub id: u64,
    pub root_cframe: CFrame,
}

const_assert_eq!(size_of::<PyThreadState>(), 280);
const_assert_eq!(offset_of!(PyThreadState, frame), 24);
const_assert_eq!(offset_of!(PyThreadState, curexc_type), 88);
const_assert_eq!(offset_of!(PyThreadState, exc_state), 112);
const_assert_eq!(offset_of!(PyThreadState, exc_info), 144);
const_assert_eq!(offset_of!(PyThreadState, dict), 152);
const_assert_eq!(
    offset_of!(PyThreadState, coroutine_origin_tracking_depth),
    216
);
const_assert_eq!(offset_of!(PyThreadState, async_gen_firstiter), 224);
const_assert_eq!(offset_of!(PyThreadState, async_gen_finalizer), 232);
const_assert_eq!(offset_of!(PyThreadState, context), 240);
const_assert_eq!(offset_of!(PyThreadState, id), 256);

/// The one interpreter's address (never dereferenced).
static mut INTERP: u8 = 0;
static NEXT_ID: core::sync::atomic::AtomicU64 = core::sync::atomic::AtomicU64::new(1);

/// Everything a thread owns: its `PyThreadState` first (so the two pointers are the same),
/// then pycoro's private per-thread parts.
#[repr(C)]
pub(crate) struct ThreadData {
    pub(crate) ts: PyThreadState,
    pub(crate) gc: crate::modules::gcmodule::GcState,
    pub(crate) blocks: crate::modules::gcmodule::BlockCache,
}

/// Releases a thread's state at its exit: the references it holds are released while it is
/// still the current state (deallocators may use it), then its memory.
///
/// # Safety
/// `data` is the calling thread's state, made by `new_state`, not used after this.
unsafe fn teardown(data: *mut ThreadData) {
    let ts = data as *mut PyThreadState;
    // SAFETY: the calling thread's own state, by contract.
    unsafe {
        // An exception left pending (or being handled) is dropped silently, as CPython drops
        // it; first, so that the last collection runs with no exception set (finalizers would
        // otherwise see it, and report it as theirs).
        clear(&raw mut (*ts).curexc_type);
        clear(&raw mut (*ts).curexc_value);
        clear(&raw mut (*ts).curexc_traceback);
        clear(&raw mut (*ts).exc_state.exc_type);
        clear(&raw mut (*ts).exc_state.exc_value);
        clear(&raw mut (*ts).exc_state.exc_traceback);
        crate::modules::gcmodule::collect_at_exit(&raw mut (*data).gc);
        clear(&raw mut (*ts).curexc_type);
        clear(&raw mut (*ts).curexc_value);
        clear(&raw mut (*ts).curexc_traceback);
        clear(&raw mut (*ts).exc_state.exc_type);
        clear(&raw mut (*ts).exc_state.exc_value);
        clear(&raw mut (*ts).exc_state.exc_traceback);
        clear(&raw mut (*ts).async_gen_firstiter);
        clear(&raw mut (*ts).async_gen_finalizer);
        crate::modules::gcmodule::thread_exit(&raw mut (*data).gc, &raw mut (*data).blocks);
        set_current(null_mut());
        release_state(data);
    }
}

// ---------------------------------------------------------------------------------------------
// Where thread states come from, and how they go at thread exit, without a path that aborts
// when memory runs out (Rust's `Box` and `thread_local!` destructors would: the first aborts
// on allocation failure, the second registers through the C library, which allocates).
//
// A state is `calloc`ed (about 1.2 KB). When even that fails, a thread takes one of a few
// states reserved in static memory; when those are all taken, it waits until memory or a
// reserved state frees up (a thread cannot run without its error indicator, and aborting is
// not an option). Its release at thread exit is a POSIX thread-specific-data destructor
// (`pthread_setspecific` stores the pointer in the thread's own block: no allocation for the
// first 32 keys); the thread that calls `exit()` gets the same through `atexit`. The library
// is linked `-z nodelete`, so those destructors never outlive its code.
// ---------------------------------------------------------------------------------------------

/// Thread states in static memory for threads whose state cannot be allocated.
const RESERVED: usize = 8;

struct Reserved {
    taken: [AtomicBool; RESERVED],
    states: [core::cell::UnsafeCell<core::mem::MaybeUninit<ThreadData>>; RESERVED],
}

// SAFETY: a slot is used only by the thread that took it (`taken`, acquire/release).
unsafe impl Sync for Reserved {}

static RESERVED_STATES: Reserved = Reserved {
    taken: [const { AtomicBool::new(false) }; RESERVED],
    states: [const { core::cell::UnsafeCell::new(core::mem::MaybeUninit::uninit()) }; RESERVED],
};

/// Memory for one state: from the C library, else a reserved one, else (waiting) whichever
/// comes first.
fn state_memory() -> *mut ThreadData {
    let mut announced = false;
    loop {
        // SAFETY: plain allocation.
        let p = unsafe { libc::calloc(1, size_of::<ThreadData>()) } as *mut ThreadData;
        if !p.is_null() {
            return p;
        }
        for (i, taken) in RESERVED_STATES.taken.iter().enumerate() {
            if taken
                .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
                .is_ok()
            {
                return RESERVED_STATES.states[i].get() as *mut ThreadData;
            }
        }
        if !announced {
            announced = true;
            use std::io::Write;
            let _ = std::io::stderr().write_all(
                b"pycoro: no memory for a new thread's state; the thread waits for memory\n",
            );
        }
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
}

/// Gives a state's memory back (to its reserved slot or to the C library).
unsafe fn release_state(data: *mut ThreadData) {
    for (i, slot) in RESERVED_STATES.states.iter().enumerate() {
        if slot.get() as *mut ThreadData == data {
            RESERVED_STATES.taken[i].store(false, Ordering::Release);
            return;
        }
    }
    // SAFETY: allocated by `state_memory` with calloc.
    unsafe { libc::free(data as *mut c_void) }
}

/// The key whose destructor releases a thread's state at its exit (None: it could not be
/// made, and states are then never released).
fn exit_key() -> Option<libc::pthread_key_t> {
    static KEY: std::sync::OnceLock<Option<libc::pthread_key_t>> = std::sync::OnceLock::new();
    *KEY.get_or_init(|| {
        let mut key: libc::pthread_key_t = 0;
        // SAFETY: plain calls; the destructor and the handler live as long as the process
        // (the library is never unloaded).
        unsafe {
            if libc::pthread_key_create(&mut key, Some(release_at_thread_exit)) != 0 {
                return None;
            }
            libc::atexit(release_at_process_exit);
        }
        Some(key)
    })
}

unsafe extern "C" fn release_at_thread_exit(data: *mut c_void) {
    // SAFETY: the value stored by `new_state` for this thread; glibc calls this on the exiting
    // thread itself.
    unsafe { teardown(data as *mut ThreadData) }
}

extern "C" fn release_at_process_exit() {
    // The thread that called `exit()` gets the release its thread exit would have given it.
    let cur = current();
    if !cur.is_null() {
        if let Some(key) = exit_key() {
            // SAFETY: this thread's slot.
            unsafe { libc::pthread_setspecific(key, core::ptr::null()) };
        }
        // SAFETY: the calling thread's own state.
        unsafe { teardown(cur as *mut ThreadData) }
    }
}

// The calling thread's state pointer lives in an initial-exec TLS slot: reading it is one load
// from `%fs` (no `__tls_get_addr` call, which Rust's `thread_local!` costs in a shared
// library). Zero in every new thread.
core::arch::global_asm!(
    ".section .tbss,\"awT\",@nobits",
    ".p2align 3",
    ".globl pycoro_tls_current",
    ".hidden pycoro_tls_current",
    ".type pycoro_tls_current, @object",
    ".size pycoro_tls_current, 8",
    "pycoro_tls_current:",
    ".zero 8",
    ".text",
);

/// The calling thread's state pointer (NULL before first use and after thread exit).
#[inline(always)]
fn current() -> *mut PyThreadState {
    let p: *mut PyThreadState;
    // SAFETY: reads this thread's 8-byte slot through its initial-exec GOT entry.
    unsafe {
        core::arch::asm!(
            "mov {p}, qword ptr [rip + pycoro_tls_current@GOTTPOFF]",
            "mov {p}, qword ptr fs:[{p}]",
            p = out(reg) p,
            options(nostack, readonly, preserves_flags),
        );
    }
    p
}

fn set_current(ts: *mut PyThreadState) {
    // SAFETY: writes this thread's 8-byte slot through its initial-exec GOT entry.
    unsafe {
        core::arch::asm!(
            "mov {t}, qword ptr [rip + pycoro_tls_current@GOTTPOFF]",
            "mov qword ptr fs:[{t}], {v}",
            t = out(reg) _,
            v = in(reg) ts,
            options(nostack, preserves_flags),
        );
    }
}

fn new_state() -> *mut PyThreadState {
    let data = state_memory();
    // SAFETY: fresh memory for one ThreadData, initialized here before any use.
    unsafe {
        data.write(ThreadData {
            // SAFETY: all-zero is a valid PyThreadState (NULL pointers, zero ints, no function).
            ts: core::mem::zeroed(),
            gc: crate::modules::gcmodule::GcState::new(),
            blocks: crate::modules::gcmodule::BlockCache::new(),
        });
        let ts = &raw mut (*data).ts;
        (*ts).interp = &raw mut INTERP as *mut PyInterpreterState;
        (*ts).thread_id = libc::pthread_self() as c_ulong;
        (*ts).id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        (*ts).gilstate_counter = 1;
        // The stack bottom is its own exc_state.
        (*ts).exc_info = &raw mut (*ts).exc_state;
        (*ts).cframe = &raw mut (*ts).root_cframe;
        // Without the key (or room for its value) the state is never released: the thread's
        // objects stay in its generations, uncollected, when it exits.
        if let Some(key) = exit_key() {
            libc::pthread_setspecific(key, data as *const c_void);
        }
        ts
    }
}

/// The calling thread's state, created on first use.
#[inline]
pub(crate) fn tstate() -> *mut PyThreadState {
    let cur = current();
    if !cur.is_null() {
        return cur;
    }
    slow_tstate()
}

#[cold]
fn slow_tstate() -> *mut PyThreadState {
    // First use on this thread (or use after its state was released at its exit: a new one
    // is made, and released in turn).
    let p = new_state();
    set_current(p);
    p
}

/// The calling thread's data, created on first use.
#[inline]
pub(crate) fn thread_data() -> Option<*mut ThreadData> {
    Some(tstate() as *mut ThreadData)
}

/// Returns the calling thread's state, creating it on first use. Never NULL.
///
/// Return value: Borrowed reference (valid until the thread exits).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyThreadState_Get() -> *mut PyThreadState {
    guard("PyThreadState_Get", null_mut(), tstate)
}

/// The current thread's state (same as `PyThreadState_Get`).
///
/// Return value: Borrowed reference.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn _PyThreadState_UncheckedGet() -> *mut PyThreadState {
    guard("_PyThreadState_UncheckedGet", null_mut(), tstate)
}

/// `PyGILState_STATE`: the value `PyGILState_Ensure` returns.
pub type PyGILState_STATE = c_int;
/// The thread state existed before the matching `PyGILState_Ensure`.
pub const PyGILState_LOCKED: PyGILState_STATE = 0;
/// The thread state was created by the matching `PyGILState_Ensure`.
pub const PyGILState_UNLOCKED: PyGILState_STATE = 1;

/// Makes sure the calling thread has a thread state and returns a token for
/// `PyGILState_Release`.
///
/// pycoro has no global interpreter lock: each thread runs independently on its own state, so
/// this never blocks. Calls nest; every call must be paired with `PyGILState_Release`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyGILState_Ensure() -> PyGILState_STATE {
    guard("PyGILState_Ensure", PyGILState_LOCKED, || {
        let fresh = current().is_null();
        let ts = tstate();
        // SAFETY: the thread's own state.
        unsafe { (*ts).gilstate_counter += 1 };
        if fresh {
            PyGILState_UNLOCKED
        } else {
            PyGILState_LOCKED
        }
    })
}

/// Releases what the matching `PyGILState_Ensure` acquired. The thread state itself lives
/// until the thread exits.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyGILState_Release(state: PyGILState_STATE) {
    let _ = state;
    guard("PyGILState_Release", (), || {
        let ts = tstate();
        // SAFETY: the thread's own state.
        unsafe {
            if (*ts).gilstate_counter > 1 {
                (*ts).gilstate_counter -= 1;
            }
        }
    })
}

/// Returns the calling thread's state (there is no GIL to hold, so it always exists).
///
/// Return value: Borrowed reference.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyGILState_GetThisThreadState() -> *mut PyThreadState {
    guard("PyGILState_GetThisThreadState", null_mut(), tstate)
}

/// Returns 1: every thread may call into pycoro at any time.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyGILState_Check() -> c_int {
    1
}
