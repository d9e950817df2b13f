//! `Include/objimpl.h` allocation of objects, and the GC header that precedes the objects of
//! types with `Py_TPFLAGS_HAVE_GC` (as in CPython, C code never sees it).

use crate::capi::boundary::{check_null, guard};
use crate::capi::ffi::{has_flag, obj};
use crate::objects::object::{
    PYNATIVE_IMMORTAL_MIN, Py_TPFLAGS_HAVE_GC, Py_ssize_t, PyObject, PyTypeObject, PyVarObject,
};
use crate::objects::obmalloc::raw_free;
use crate::python::errors::set_string;
use core::ffi::{c_int, c_void};
use core::ptr::null_mut;

/// The hidden header in front of every GC object (16 bytes, like CPython's `PyGC_Head`): the
/// links of the collector's doubly linked lists. `next` is NULL while the object is untracked.
/// `prev` is the previous node's address with two flags in its low bits (nodes are 8-aligned).
#[repr(C)]
pub(crate) struct GcHead {
    pub(crate) next: *mut GcHead,
    pub(crate) prev: usize,
}

/// `prev` bit: the object's `tp_finalize` has run (PEP 442: at most once).
const FINALIZED: usize = 1;
/// `prev` bit: the object belongs to the set a collection is examining; the rest of `prev` is
/// then its count of references from outside the set instead of a link (only while the list
/// lock is held; see `partition`).
const COLLECTING: usize = 2;
const FLAGS: usize = FINALIZED | COLLECTING;

/// The GC header of a GC object.
#[inline(always)]
pub(crate) unsafe fn head(op: *mut PyObject) -> *mut GcHead {
    // SAFETY: GC objects are allocated with the header just in front of them.
    unsafe { (op as *mut GcHead).sub(1) }
}

/// A static GC object with room for its header, so statics can be handed out like heap ones.
#[repr(C)]
pub(crate) struct StaticGc<T> {
    pub(crate) head: GcHead,
    pub(crate) obj: T,
}

impl<T> StaticGc<T> {
    pub(crate) const fn new(obj: T) -> Self {
        StaticGc {
            head: GcHead {
                next: null_mut(),
                prev: 0,
            },
            obj,
        }
    }
}

/// `_PyObject_VAR_SIZE`: bytes for an object of `tp` with `n` items, rounded up to 8.
pub(crate) fn var_size(tp: &PyTypeObject, n: Py_ssize_t) -> Option<usize> {
    let items = (n.max(0) as usize).checked_mul(tp.tp_itemsize.max(0) as usize)?;
    let total = (tp.tp_basicsize.max(0) as usize)
        .checked_add(items)?
        .checked_add(7)?;
    Some(total & !7)
}

/// Allocates a zeroed object of `size` bytes for `tp` (with a GC header when `tp` has GC), sets
/// its refcount to 1 and its type; sets `MemoryError` and returns NULL on failure.
pub(crate) unsafe fn alloc_object(tp: *mut PyTypeObject, size: usize) -> *mut PyObject {
    // SAFETY: `tp` is a live type object.
    let gc = unsafe { has_flag(tp, Py_TPFLAGS_HAVE_GC) };
    let pre = if gc {
        // SAFETY: the new object does not exist yet, so a collection cannot see it.
        unsafe { note_gc_alloc() };
        size_of::<GcHead>()
    } else {
        0
    };
    let Some(total) = size.checked_add(pre) else {
        // SAFETY: setting the error indicator.
        unsafe { crate::python::errors::no_memory() };
        return null_mut();
    };
    // SAFETY: plain allocation; the header (if any) comes first.
    unsafe {
        let mem = alloc_block(total);
        if mem.is_null() {
            crate::python::errors::no_memory();
            return null_mut();
        }
        let op = mem.add(pre) as *mut PyObject;
        (*op).ob_refcnt = 1;
        (*op).ob_type = tp;
        op
    }
}

/// Releases the memory of an object made by `alloc_object` (the GC header included).
pub(crate) unsafe fn free_object(op: *mut PyObject) {
    // SAFETY: `op` came from alloc_object; its type says whether a header precedes it.
    unsafe {
        if has_flag((*op).ob_type, Py_TPFLAGS_HAVE_GC) {
            release_gc(op);
        } else {
            free_block(op as *mut c_void);
        }
    }
}

/// Frees a GC object's memory, untracking it first if its deallocator did not.
unsafe fn release_gc(op: *mut PyObject) {
    // SAFETY: a dead GC object with its header.
    unsafe {
        untrack(op);
        note_gc_free();
        free_block(head(op) as *mut c_void);
    }
}

/// Whether the object's finalizer has already run.
pub(crate) unsafe fn is_finalized(op: *mut PyObject) -> bool {
    // SAFETY: GC object.
    unsafe { prev_bits(head(op)) & FINALIZED != 0 }
}

/// Allocates a new object of type `tp` (`PyObject_New(TYPE, tp)` is a macro for it): `tp_basicsize`
/// bytes, zeroed, with the reference count 1. `tp` must not have `Py_TPFLAGS_HAVE_GC` (use
/// `_PyObject_GC_New`).
///
/// Return value: New reference, or NULL with `MemoryError` set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn _PyObject_New(tp: *mut PyTypeObject) -> *mut PyObject {
    // SAFETY: checked to be a type object.
    if !unsafe { crate::objects::typeobject::check_type_arg(tp) } {
        return null_mut();
    }
    guard("_PyObject_New", null_mut(), || {
        // SAFETY: `tp` is non-NULL and a type object by contract.
        unsafe { alloc_object(tp, var_size(&*tp, 0).unwrap_or(usize::MAX)) }
    })
}

/// Allocates a new variable-size object of type `tp` with room for `nitems` items and
/// `ob_size == nitems`.
///
/// Return value: New reference, or NULL with `MemoryError` set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn _PyObject_NewVar(
    tp: *mut PyTypeObject,
    nitems: Py_ssize_t,
) -> *mut PyVarObject {
    // SAFETY: checked to be a type object.
    if !unsafe { crate::objects::typeobject::check_type_arg(tp) } {
        return null_mut();
    }
    guard("_PyObject_NewVar", null_mut(), || {
        // SAFETY: as `_PyObject_New`.
        unsafe { new_var(tp, nitems) }
    })
}

unsafe fn new_var(tp: *mut PyTypeObject, nitems: Py_ssize_t) -> *mut PyVarObject {
    if nitems < 0 {
        // SAFETY: setting the error indicator.
        unsafe { crate::python::errors::bad_internal_call() };
        return null_mut();
    }
    // SAFETY: `tp` is a type object.
    let size = var_size(unsafe { &*tp }, nitems).unwrap_or(usize::MAX);
    // SAFETY: as above.
    let op = unsafe { alloc_object(tp, size) } as *mut PyVarObject;
    if !op.is_null() {
        // SAFETY: freshly allocated.
        unsafe { (*op).ob_size = nitems };
    }
    op
}

/// Initializes the header of memory allocated by C code: sets the type and a reference count
/// of 1. Returns `op`, or NULL (with `MemoryError` set) if `op` is NULL.
///
/// Return value: Borrowed reference (the same pointer).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyObject_Init(op: *mut PyObject, tp: *mut PyTypeObject) -> *mut PyObject {
    if op.is_null() {
        // SAFETY: setting the error indicator.
        return unsafe { crate::python::errors::no_memory() };
    }
    check_null!(tp, null_mut());
    // SAFETY: the caller passes writable memory of at least `PyObject` size.
    unsafe {
        (*op).ob_type = tp;
        (*op).ob_refcnt = 1;
    }
    op
}

/// As `PyObject_Init`, also setting `ob_size`.
///
/// Return value: Borrowed reference (the same pointer).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyObject_InitVar(
    op: *mut PyVarObject,
    tp: *mut PyTypeObject,
    size: Py_ssize_t,
) -> *mut PyVarObject {
    // SAFETY: as PyObject_Init.
    let r = unsafe { PyObject_Init(obj(op), tp) };
    if !r.is_null() {
        // SAFETY: writable by contract.
        unsafe { (*op).ob_size = size };
    }
    r as *mut PyVarObject
}

/// Allocates a new object of a type with `Py_TPFLAGS_HAVE_GC` (`PyObject_GC_New` is a macro for
/// it). The object is not tracked yet: call `PyObject_GC_Track` once its fields are set.
///
/// Return value: New reference, or NULL with `MemoryError` set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn _PyObject_GC_New(tp: *mut PyTypeObject) -> *mut PyObject {
    // SAFETY: checked to be a type object.
    if !unsafe { crate::objects::typeobject::check_type_arg(tp) } {
        return null_mut();
    }
    guard("_PyObject_GC_New", null_mut(), || {
        // SAFETY: `tp` non-NULL; alloc_object adds the header when the type has GC.
        unsafe { alloc_object(tp, var_size(&*tp, 0).unwrap_or(usize::MAX)) }
    })
}

/// Variable-size version of `_PyObject_GC_New`.
///
/// Return value: New reference, or NULL with `MemoryError` set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn _PyObject_GC_NewVar(
    tp: *mut PyTypeObject,
    nitems: Py_ssize_t,
) -> *mut PyVarObject {
    // SAFETY: checked to be a type object.
    if !unsafe { crate::objects::typeobject::check_type_arg(tp) } {
        return null_mut();
    }
    // SAFETY: as `_PyObject_NewVar`.
    guard("_PyObject_GC_NewVar", null_mut(), || unsafe {
        new_var(tp, nitems)
    })
}

/// Releases the memory of a GC object (the `tp_free` of GC types). The object must be
/// untracked already.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyObject_GC_Del(op: *mut c_void) {
    if op.is_null() {
        return;
    }
    // SAFETY: `op` is a GC object from `_PyObject_GC_New*`.
    guard("PyObject_GC_Del", (), || unsafe {
        release_gc(op as *mut PyObject)
    })
}

/// Starts tracking a GC object. Tracking an object twice has no further effect. NULL or an
/// object whose type lacks `Py_TPFLAGS_HAVE_GC` sets `SystemError` (CPython asserts).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyObject_GC_Track(op: *mut c_void) {
    let op = op as *mut PyObject;
    // SAFETY: checked: only objects of GC types have the header.
    guard("PyObject_GC_Track", (), || unsafe {
        if check_gc_arg(op) {
            track(op)
        }
    })
}

/// `op` is an object of a type with `Py_TPFLAGS_HAVE_GC` (so it has a GC header); else
/// `SystemError` is set (CPython asserts) and false returned.
unsafe fn check_gc_arg(op: *mut PyObject) -> bool {
    // SAFETY: a live object when not NULL.
    unsafe {
        if op.is_null() || !has_flag((*op).ob_type, Py_TPFLAGS_HAVE_GC) {
            crate::python::errors::bad_internal_call();
            return false;
        }
    }
    true
}

/// Stops tracking a GC object; untracking an untracked object has no effect. NULL or an
/// object whose type lacks `Py_TPFLAGS_HAVE_GC` sets `SystemError` (CPython asserts).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyObject_GC_UnTrack(op: *mut c_void) {
    let op = op as *mut PyObject;
    // SAFETY: checked: only objects of GC types have the header.
    guard("PyObject_GC_UnTrack", (), || unsafe {
        if check_gc_arg(op) {
            untrack(op)
        }
    })
}

/// Returns 1 if `op` is a GC object tracked by the collector, else 0 (also, with
/// `SystemError` set, for NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyObject_GC_IsTracked(op: *mut PyObject) -> c_int {
    check_null!(op, 0);
    guard("PyObject_GC_IsTracked", 0, || {
        // SAFETY: `op` is a live object by contract.
        unsafe { (is_gc(op) && !next(head(op)).is_null()) as c_int }
    })
}

/// Returns 1 if `op` is a GC object whose finalizer has run, else 0 (also, with
/// `SystemError` set, for NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyObject_GC_IsFinalized(op: *mut PyObject) -> c_int {
    check_null!(op, 0);
    // SAFETY: `op` is a live object by contract.
    guard("PyObject_GC_IsFinalized", 0, || unsafe {
        (is_gc(op) && is_finalized(op)) as c_int
    })
}

/// `PyObject_IS_GC`: the type has GC and (if it has `tp_is_gc`) this instance is collectable.
pub(crate) unsafe fn is_gc(op: *mut PyObject) -> bool {
    // SAFETY: live object.
    unsafe {
        let tp = (*op).ob_type;
        has_flag(tp, Py_TPFLAGS_HAVE_GC)
            && (*op).ob_refcnt < PYNATIVE_IMMORTAL_MIN
            && match (*tp).tp_is_gc {
                Some(f) => f(op) != 0,
                None => true,
            }
    }
}

/// Starts tracking a GC object: it joins the calling thread's youngest generation. A thread
/// that is exiting (its collector state already gone) leaves the object untracked.
pub(crate) unsafe fn track(op: *mut PyObject) {
    // SAFETY: GC object with a header.
    unsafe {
        let g = head(op);
        if !next(g).is_null() {
            return;
        }
        let Some(st) = gc_state() else {
            return;
        };
        let _l = lock();
        list_append(g, &raw mut (*st).gens[0].head);
    }
}

/// Stops tracking a GC object (from any thread: the lists are locked).
pub(crate) unsafe fn untrack(op: *mut PyObject) {
    // SAFETY: GC object with a header.
    unsafe {
        let g = head(op);
        if next(g).is_null() {
            return;
        }
        let _l = lock();
        list_remove(g);
    }
}

/// Marks a GC object's finalizer as run.
pub(crate) unsafe fn set_finalized(op: *mut PyObject) {
    // SAFETY: a GC object has its header.
    // Under the lock: a thread that relinks a neighbour rewrites this `prev` (keeping the
    // flag), so an unlocked update could be lost or lose the link.
    unsafe {
        let g = head(op);
        let _l = lock();
        set_prev_bits(g, prev_bits(g) | FINALIZED);
    }
}

/// Calls `op`'s `tp_finalize` (PEP 442) unless it has none or, for a GC object, it has
/// already run: a finalizer runs at most once per object. The finalizer must not leave an
/// exception set (it should report errors with `PyErr_WriteUnraisable`). A NULL `op` does
/// nothing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyObject_CallFinalizer(op: *mut PyObject) {
    if op.is_null() {
        return;
    }
    crate::capi::boundary::guard("PyObject_CallFinalizer", (), || {
        // SAFETY: a live object (or one being deallocated, temporarily resurrected).
        unsafe { call_finalizer(op) }
    })
}

unsafe fn call_finalizer(op: *mut PyObject) {
    // SAFETY: a live object.
    unsafe {
        let tp = (*op).ob_type;
        let Some(fin) = (*tp).tp_finalize else {
            return;
        };
        let gc = has_flag(tp, Py_TPFLAGS_HAVE_GC);
        if gc && is_finalized(op) {
            return;
        }
        fin(op);
        if gc {
            set_finalized(op);
        }
    }
}

/// Calls the finalizer from a deallocator (`tp_dealloc`), where `op`'s reference count is 0:
/// the object is resurrected for the call. Returns 0 when the object is still dying (the
/// deallocator goes on), or -1 when the finalizer resurrected it (stored a new reference
/// somewhere): the deallocator must then return at once without freeing it.
///
/// A NULL `op`, or one whose reference count is not 0, raises `SystemError` and returns -1
/// (CPython asserts or aborts).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyObject_CallFinalizerFromDealloc(op: *mut PyObject) -> c_int {
    crate::capi::boundary::check_null!(op, -1);
    crate::capi::boundary::guard("PyObject_CallFinalizerFromDealloc", -1, || {
        // SAFETY: an object whose last reference went away; resurrected while its finalizer
        // runs.
        unsafe {
            if (*op).ob_refcnt != 0 {
                // Not from a deallocator: CPython aborts ("called on object with a non-zero
                // refcount"); the object is left alone.
                set_string(
                    crate::exc!(SystemError),
                    "PyObject_CallFinalizerFromDealloc called on object with a non-zero refcount",
                );
                return -1;
            }
            (*op).ob_refcnt = 1;
            call_finalizer(op);
            (*op).ob_refcnt -= 1;
            if (*op).ob_refcnt == 0 { 0 } else { -1 }
        }
    })
}

// ---------------------------------------------------------------------------------------------
// The cycle collector.
//
// Every thread has its own three generations of tracked objects (objects join the youngest
// generation of the thread that tracks them) and collects only those: a collection never looks
// at objects another thread may be using. The list links are protected by one global lock, so
// an object may still be untracked or freed on any thread. A thread's last full collection
// runs when it exits; what is left goes to the orphans, which are never collected (another
// thread may be using them).
//
// A collection of generation `g` (the generations up to `g` merged) runs in four steps:
//   1. under the lock, with no other code running: count each object's references from inside
//      the set (its `tp_traverse`), keep everything reachable from an object with references
//      from outside, and move the rest to an `unreachable` list. Survivors join generation
//      `g + 1`;
//   2. run every unreachable object's `tp_finalize` (PEP 442: at most once per object);
//   3. redo step 1 over what the finalizers left: objects they made reachable again
//      (resurrected) survive;
//   4. call `tp_clear` on the rest to break their cycles; reference counting frees them.
// ---------------------------------------------------------------------------------------------

use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicBool, Ordering};

/// The lock around every list link change.
static LOCK: AtomicBool = AtomicBool::new(false);

struct Locked;

impl Drop for Locked {
    fn drop(&mut self) {
        LOCK.store(false, Ordering::Release);
    }
}

fn lock() -> Locked {
    let mut spins = 0u32;
    while LOCK
        .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
        .is_err()
    {
        while LOCK.load(Ordering::Relaxed) {
            spins += 1;
            if spins < 64 {
                core::hint::spin_loop();
            } else {
                std::thread::yield_now();
            }
        }
    }
    Locked
}

// The links are read and written through relaxed atomics: they change only under the lock,
// but a thread may test whether its object is tracked (`next` non-NULL) or finalized (a `prev`
// flag) without it while another thread relinks the object's neighbours (its `next`/`prev` go
// from one link to another then, never to or from NULL, and keep their flags). On x86-64 these
// are plain moves.

#[inline(always)]
unsafe fn next(g: *mut GcHead) -> *mut GcHead {
    // SAFETY: a live header; the field is aligned.
    unsafe { core::sync::atomic::AtomicPtr::from_ptr(&raw mut (*g).next).load(Ordering::Relaxed) }
}

#[inline(always)]
unsafe fn set_next(g: *mut GcHead, p: *mut GcHead) {
    // SAFETY: as `next`.
    unsafe {
        core::sync::atomic::AtomicPtr::from_ptr(&raw mut (*g).next).store(p, Ordering::Relaxed)
    }
}

#[inline(always)]
unsafe fn prev_bits(g: *mut GcHead) -> usize {
    // SAFETY: as `next`.
    unsafe { core::sync::atomic::AtomicUsize::from_ptr(&raw mut (*g).prev).load(Ordering::Relaxed) }
}

#[inline(always)]
unsafe fn set_prev_bits(g: *mut GcHead, v: usize) {
    // SAFETY: as `next`.
    unsafe {
        core::sync::atomic::AtomicUsize::from_ptr(&raw mut (*g).prev).store(v, Ordering::Relaxed)
    }
}

#[inline(always)]
unsafe fn prev_of(g: *mut GcHead) -> *mut GcHead {
    // SAFETY: a node whose `prev` is a link.
    unsafe { (prev_bits(g) & !FLAGS) as *mut GcHead }
}

#[inline(always)]
unsafe fn set_prev(g: *mut GcHead, p: *mut GcHead) {
    // SAFETY: a node; its flags are kept.
    unsafe { set_prev_bits(g, (prev_bits(g) & FINALIZED) | p as usize) }
}

unsafe fn list_init(list: *mut GcHead) {
    // SAFETY: a list head.
    unsafe {
        set_next(list, list);
        set_prev_bits(list, list as usize);
    }
}

unsafe fn list_is_empty(list: *mut GcHead) -> bool {
    // SAFETY: an initialized list head.
    unsafe { next(list) == list }
}

unsafe fn list_append(node: *mut GcHead, list: *mut GcHead) {
    // SAFETY: the lock is held; `node` is in no list.
    unsafe {
        let last = prev_of(list);
        set_prev(node, last);
        set_next(node, list);
        set_next(last, node);
        set_prev(list, node);
    }
}

unsafe fn list_remove(node: *mut GcHead) {
    // SAFETY: the lock is held; `node` is in a list.
    unsafe {
        let p = prev_of(node);
        let n = next(node);
        set_next(p, n);
        set_prev(n, p);
        set_next(node, null_mut());
    }
}

/// Moves every node of `from` to the end of `to`.
unsafe fn list_merge(from: *mut GcHead, to: *mut GcHead) {
    // SAFETY: the lock is held; both are initialized list heads.
    unsafe {
        if list_is_empty(from) {
            return;
        }
        let first = next(from);
        let last = prev_of(from);
        let tail = prev_of(to);
        set_next(tail, first);
        set_prev(first, tail);
        set_next(last, to);
        set_prev(to, last);
        list_init(from);
    }
}

#[inline(always)]
fn object_of(g: *mut GcHead) -> *mut PyObject {
    // The object starts right after its header.
    g.wrapping_add(1) as *mut PyObject
}

/// CPython's default thresholds: 700 allocations, then 10 and 10 collections.
const THRESHOLDS: [i32; 3] = [700, 10, 10];

struct Generation {
    head: GcHead,
    threshold: i32,
    /// Generation 0: GC allocations minus deallocations since its last collection; the others:
    /// collections of the next younger generation since their own last one.
    count: i32,
}

/// One thread's collector (part of its `ThreadData`).
pub(crate) struct GcState {
    initialized: bool,
    enabled: bool,
    collecting: bool,
    gens: [Generation; 3],
    /// Objects in the oldest generation after its last collection.
    long_lived_total: usize,
    /// Objects that reached the oldest generation since then (a full collection waits until
    /// they are a quarter of `long_lived_total`, so it is not quadratic).
    long_lived_pending: usize,
}

impl GcState {
    pub(crate) const fn new() -> Self {
        GcState {
            initialized: false,
            enabled: true,
            collecting: false,
            gens: [generation(0), generation(1), generation(2)],
            long_lived_total: 0,
            long_lived_pending: 0,
        }
    }
}

const fn generation(i: usize) -> Generation {
    Generation {
        head: GcHead {
            next: null_mut(),
            prev: 0,
        },
        threshold: THRESHOLDS[i],
        count: 0,
    }
}

/// At thread exit, first: a last full collection of the thread's objects (unless collection
/// is disabled on the thread), while its state is intact.
pub(crate) unsafe fn collect_at_exit(st: *mut GcState) {
    // SAFETY: the exiting thread's own state.
    unsafe {
        if (*st).initialized && (*st).enabled && !(*st).collecting {
            collect(st, 2);
        }
    }
}

/// At thread exit, last: the thread's remaining objects move to the orphans (still untracked
/// safely from any thread, never collected again: another thread may be using them) and its
/// cached blocks are released.
pub(crate) unsafe fn thread_exit(st: *mut GcState, cache: *mut BlockCache) {
    // SAFETY: the exiting thread's own state.
    unsafe {
        (*cache).release_all();
        if !(*st).initialized {
            return;
        }
        let _l = lock();
        let orphans = orphans();
        for g in &mut (*st).gens {
            list_merge(&raw mut g.head, orphans);
        }
        (*st).initialized = false;
    }
}

/// The calling thread's collector, or None while the thread is exiting.
#[inline]
fn gc_state() -> Option<*mut GcState> {
    let d = crate::python::pystate::thread_data()?;
    // SAFETY: this thread's own state; its list heads do not move while the thread lives.
    unsafe {
        let st = &raw mut (*d).gc;
        if !(*st).initialized {
            for g in &mut (*st).gens {
                list_init(&raw mut g.head);
            }
            (*st).initialized = true;
        }
        Some(st)
    }
}

// ---------------------------------------------------------------------------------------------
// Per-thread caches of freed object blocks, by size class (16 bytes each, up to 1 KiB): object
// creation and deallocation skip malloc and free most of the time (CPython has free lists for
// the same reason). A block goes to the cache of the thread that frees it.
// ---------------------------------------------------------------------------------------------

const BLOCK_CLASSES: usize = 65;
const BLOCKS_PER_CLASS: u32 = 64;

/// A cached block's first word links it to the next.
struct FreeBlock {
    next: *mut FreeBlock,
}

pub(crate) struct BlockCache {
    heads: [*mut FreeBlock; BLOCK_CLASSES],
    counts: [u32; BLOCK_CLASSES],
}

impl BlockCache {
    pub(crate) const fn new() -> Self {
        BlockCache {
            heads: [null_mut(); BLOCK_CLASSES],
            counts: [0; BLOCK_CLASSES],
        }
    }

    unsafe fn release_all(&mut self) {
        for (head, count) in self.heads.iter_mut().zip(self.counts.iter_mut()) {
            while !head.is_null() {
                let b = *head;
                // SAFETY: a cached block owned by this cache.
                unsafe {
                    *head = (*b).next;
                    raw_free(b as *mut c_void);
                }
            }
            *count = 0;
        }
    }
}

/// Allocates `total` zeroed bytes for an object (its GC header included): from the thread's
/// cache when it has a block of the size class, else from `raw_calloc`.
unsafe fn alloc_block(total: usize) -> *mut u8 {
    if total > isize::MAX as usize || crate::objects::obmalloc::injected_failure() {
        return null_mut();
    }
    let class = total.div_ceil(16);
    // Fuzzing builds bypass the caches, so that freed memory goes back to the C library and
    // its poisoning shows a use after free.
    if !cfg!(fuzzing)
        && class < BLOCK_CLASSES
        && let Some(d) = crate::python::pystate::thread_data()
    {
        // SAFETY: this thread's own cache; a cached block has room for its class.
        unsafe {
            let cache = &raw mut (*d).blocks;
            let b = (*cache).heads[class];
            if !b.is_null() {
                (*cache).heads[class] = (*b).next;
                (*cache).counts[class] -= 1;
                core::ptr::write_bytes(b as *mut u8, 0, total);
                return b as *mut u8;
            }
        }
    }
    // SAFETY: plain allocation (already counted above), rounded up to its class so that the
    // block serves the same class again once it is cached.
    unsafe {
        let size = if class < BLOCK_CLASSES {
            class * 16
        } else {
            total
        };
        libc::calloc(1, size.max(1)) as *mut u8
    }
}

/// Releases a block from `alloc_block` (or any `raw_*` block): into the thread's cache when
/// its class has room, else to the C library.
unsafe fn free_block(mem: *mut c_void) {
    // SAFETY: a live malloc block; its usable size says which requests it can serve.
    unsafe {
        let class = libc::malloc_usable_size(mem) / 16;
        if !cfg!(fuzzing)
            && class < BLOCK_CLASSES
            && class > 0
            && let Some(d) = crate::python::pystate::thread_data()
        {
            let cache = &raw mut (*d).blocks;
            if (*cache).counts[class] < BLOCKS_PER_CLASS {
                let b = mem as *mut FreeBlock;
                (*b).next = (*cache).heads[class];
                (*cache).heads[class] = b;
                (*cache).counts[class] += 1;
                return;
            }
        }
        raw_free(mem);
    }
}

struct Orphans(UnsafeCell<GcHead>);
// SAFETY: only touched with the lock held.
unsafe impl Sync for Orphans {}

static ORPHANS: Orphans = Orphans(UnsafeCell::new(GcHead {
    next: null_mut(),
    prev: 0,
}));

/// Objects left tracked by exited threads (call with the lock held).
unsafe fn orphans() -> *mut GcHead {
    let list = ORPHANS.0.get();
    // SAFETY: the lock is held.
    unsafe {
        if next(list).is_null() {
            list_init(list);
        }
    }
    list
}

/// Counts a GC allocation and runs the collections that are due (CPython's youngest-generation
/// rule): not while collecting, not when disabled, not while an exception is set.
pub(crate) unsafe fn note_gc_alloc() {
    let Some(st) = gc_state() else {
        return;
    };
    // SAFETY: this thread's own state.
    unsafe {
        (*st).gens[0].count = (*st).gens[0].count.saturating_add(1);
        if (*st).gens[0].count > (*st).gens[0].threshold
            && (*st).gens[0].threshold > 0
            && (*st).enabled
            && !(*st).collecting
            && (*crate::python::pystate::tstate()).curexc_type.is_null()
        {
            collect_generations(st);
        }
    }
}

/// Counts a GC deallocation.
pub(crate) fn note_gc_free() {
    if let Some(st) = gc_state() {
        // SAFETY: this thread's own state.
        unsafe {
            if (*st).gens[0].count > 0 {
                (*st).gens[0].count -= 1;
            }
        }
    }
}

unsafe fn collect_generations(st: *mut GcState) {
    // SAFETY: this thread's own state.
    unsafe {
        for i in (0..3).rev() {
            if (*st).gens[i].count > (*st).gens[i].threshold {
                if i == 2 && (*st).long_lived_pending < (*st).long_lived_total / 4 {
                    continue;
                }
                collect(st, i);
                return;
            }
        }
    }
}

// One reachability pass keeps everything it needs in the objects' GC headers, as CPython's
// collector does, so a collection never allocates (and never fails for want of memory):
//
// - a member of the set being examined has `COLLECTING` in `prev`, whose other bits hold its
//   count of references from outside the set (`refs`, shifted by `REFS_SHIFT`); the set's list
//   is then linked through `next` only;
// - a member found (so far) unreachable is in the pass's `unreachable` list instead: its
//   `prev` is a link again (with `FINALIZED`), and its `next` a link with `UNREACHABLE` set.
//
// Pointers to headers are at least 8-aligned, so the low bits are free for these marks.

/// `next` bit: the member is in the pass's unreachable list.
const UNREACHABLE: usize = 1;
/// Where `refs` starts in `prev` while `COLLECTING`.
const REFS_SHIFT: u32 = 3;

/// Whether `op` belongs to the set the running pass examines (call with the lock held).
#[inline]
unsafe fn in_pass(op: *mut PyObject) -> Option<*mut GcHead> {
    // SAFETY: `op` is a live object reported by a `tp_traverse`; only GC objects have a header.
    unsafe {
        if !is_gc(op) {
            return None;
        }
        let g = head(op);
        let n = next(g) as usize;
        if n == 0 || (prev_bits(g) & COLLECTING == 0 && n & UNREACHABLE == 0) {
            return None;
        }
        Some(g)
    }
}

#[inline]
unsafe fn refs(g: *mut GcHead) -> isize {
    // SAFETY: a member whose `prev` holds its count.
    (unsafe { prev_bits(g) } as isize) >> REFS_SHIFT
}

#[inline]
unsafe fn set_refs(g: *mut GcHead, refs: isize) {
    // SAFETY: a member; its FINALIZED flag is kept.
    unsafe {
        let fin = prev_bits(g) & FINALIZED;
        set_prev_bits(g, ((refs << REFS_SHIFT) as usize) | COLLECTING | fin);
    }
}

unsafe extern "C" fn visit_subtract(op: *mut PyObject, _arg: *mut c_void) -> c_int {
    // SAFETY: the pass is running (lock held); members hold their counts.
    unsafe {
        if let Some(g) = in_pass(op) {
            set_refs(g, refs(g) - 1);
        }
    }
    0
}

/// The pass's lists while it scans: the set's chain (through `next`, ending at its head) and
/// the unreachable list (doubly linked, marked).
struct Scan {
    head: *mut GcHead,
    /// The last node of the set's chain.
    tail: *mut GcHead,
    unreachable: *mut GcHead,
}

unsafe extern "C" fn visit_reach(op: *mut PyObject, arg: *mut c_void) -> c_int {
    // SAFETY: `arg` is the running scan (lock held).
    unsafe {
        let Some(g) = in_pass(op) else {
            return 0;
        };
        let scan = &mut *(arg as *mut Scan);
        if next(g) as usize & UNREACHABLE != 0 {
            // Found unreachable earlier, reachable after all: back to the end of the chain,
            // where the scan reaches it (and what it refers to) in turn.
            let n = (next(g) as usize & !UNREACHABLE) as *mut GcHead;
            let p = prev_of(g);
            if p == scan.unreachable {
                set_next(p, n);
            } else {
                set_next(p, (n as usize | UNREACHABLE) as *mut GcHead);
            }
            set_prev(n, p);
            set_refs(g, 1);
            set_next(g, scan.head);
            set_next(scan.tail, g);
            scan.tail = g;
        } else if refs(g) == 0 {
            // Still ahead in the chain: it will be scanned as reachable.
            set_refs(g, 1);
        }
    }
    0
}

unsafe fn traverse(op: *mut PyObject, visit: crate::objects::object::visitproc, arg: *mut c_void) {
    // SAFETY: a live tracked object.
    unsafe {
        if let Some(t) = (*(*op).ob_type).tp_traverse {
            t(op, visit, arg);
        }
    }
}

/// Step 1 (and 3): splits `list` into what is reachable from outside the list (left in
/// `list`) and the rest (appended to `out`). Call with the lock held; runs no code but
/// `tp_traverse`, and allocates nothing. Returns the (reachable, unreachable) counts.
unsafe fn partition(list: *mut GcHead, out: *mut GcHead) -> (usize, usize) {
    // SAFETY: the lock is held; every node of `list` is a live tracked object.
    unsafe {
        if list_is_empty(list) {
            return (0, 0);
        }
        let last = prev_of(list);
        // Every member's count starts at its reference count (a count past 2**59, an immortal
        // one, cannot reach 0 here anyway).
        let mut g = next(list);
        while g != list {
            let rc = (*object_of(g)).ob_refcnt.clamp(0, 1 << 59);
            set_refs(g, rc);
            g = next(g);
        }
        // ... minus the references from inside the set.
        let mut g = next(list);
        while g != list {
            traverse(object_of(g), Some(visit_subtract), null_mut());
            g = next(g);
        }
        // Scan the chain: a member with references from outside (a count below zero means a
        // `tp_traverse` reported a reference it does not own: it is kept rather than freed
        // while in use) makes what it refers to reachable; the others go to `unreachable`
        // until something reachable refers to them.
        let mut unreachable = GcHead {
            next: null_mut(),
            prev: 0,
        };
        let u = &raw mut unreachable;
        list_init(u);
        let mut scan = Scan {
            head: list,
            tail: last,
            unreachable: u,
        };
        let arg = &raw mut scan as *mut c_void;
        let mut kept_last = list;
        let mut g = next(list);
        while g != list {
            if refs(g) != 0 {
                traverse(object_of(g), Some(visit_reach), arg);
                kept_last = g;
                g = next(g);
                continue;
            }
            let following = next(g);
            set_next(kept_last, following);
            if scan.tail == g {
                scan.tail = kept_last;
            }
            // Append to `unreachable` (its links marked).
            let ulast = prev_of(u);
            set_prev(g, ulast);
            if ulast == u {
                set_next(u, g);
            } else {
                set_next(ulast, (g as usize | UNREACHABLE) as *mut GcHead);
            }
            set_next(g, (u as usize | UNREACHABLE) as *mut GcHead);
            set_prev(u, g);
            // `set_prev` keeps FINALIZED and drops COLLECTING: it is a link again.
            g = following;
        }
        // Rebuild: the chain becomes `list` again, the unreachable ones go to `out`.
        let mut kept = 0;
        let mut p = list;
        let mut g = next(list);
        while g != list {
            kept += 1;
            set_prev_bits(g, (prev_bits(g) & FINALIZED) | p as usize);
            p = g;
            g = next(g);
        }
        set_prev(list, p);
        let mut lost = 0;
        let mut g = next(u);
        while g != u {
            lost += 1;
            let following = (next(g) as usize & !UNREACHABLE) as *mut GcHead;
            list_append(g, out);
            g = following;
        }
        (kept, lost)
    }
}

/// Reports an exception a finalizer or `tp_clear` left set, as CPython's collector would not
/// let it escape.
unsafe fn report_leftover(op: *mut PyObject) {
    // SAFETY: the current thread's indicator.
    unsafe {
        if !(*crate::python::pystate::tstate()).curexc_type.is_null() {
            crate::python::errors::PyErr_WriteUnraisable(op);
        }
    }
}

/// Collects generation `target` (and the younger ones); returns how many unreachable objects
/// were left to clear once the finalizers had run (resurrected ones are not counted, as in
/// CPython).
unsafe fn collect(st: *mut GcState, target: usize) -> usize {
    // SAFETY: this thread's own state and lists; other threads only unlink under the lock.
    unsafe {
        (*st).collecting = true;
        if target + 1 < 3 {
            (*st).gens[target + 1].count += 1;
        }
        for i in 0..=target {
            (*st).gens[i].count = 0;
        }
        let young = &raw mut (*st).gens[target].head;
        let old = &raw mut (*st).gens[(target + 1).min(2)].head;
        let mut unreachable = GcHead {
            next: null_mut(),
            prev: 0,
        };
        let unreachable = &raw mut unreachable;
        list_init(unreachable);
        {
            let _l = lock();
            for i in 0..target {
                list_merge(&raw mut (*st).gens[i].head, young);
            }
            let (kept, _) = partition(young, unreachable);
            if target == 1 {
                (*st).long_lived_pending += kept;
            } else if target == 2 {
                (*st).long_lived_pending = 0;
                (*st).long_lived_total = kept;
            }
            if young != old {
                list_merge(young, old);
            }
        }
        // 2. Finalizers, each object moved to `finalized` first (the finalizer may free
        // others, which untrack themselves from whichever list holds them).
        let mut finalized = GcHead {
            next: null_mut(),
            prev: 0,
        };
        let finalized = &raw mut finalized;
        list_init(finalized);
        loop {
            let g = {
                let _l = lock();
                let g = next(unreachable);
                if g == unreachable {
                    break;
                }
                list_remove(g);
                list_append(g, finalized);
                g
            };
            let op = object_of(g);
            if (*(*op).ob_type).tp_finalize.is_some() && !is_finalized(op) {
                crate::capi::ffi::incref(op);
                call_finalizer(op);
                report_leftover(op);
                crate::capi::ffi::decref(op);
            }
        }
        // 3. What the finalizers made reachable again survives.
        let mut garbage = GcHead {
            next: null_mut(),
            prev: 0,
        };
        let garbage = &raw mut garbage;
        list_init(garbage);
        let found;
        {
            let _l = lock();
            found = partition(finalized, garbage).1;
            list_merge(finalized, old);
        }
        // 4. Break the cycles.
        loop {
            let g = {
                let _l = lock();
                let g = next(garbage);
                if g == garbage {
                    break;
                }
                g
            };
            let op = object_of(g);
            crate::capi::ffi::incref(op);
            if let Some(clear) = (*(*op).ob_type).tp_clear {
                clear(op);
                report_leftover(op);
            }
            crate::capi::ffi::decref(op);
            let _l = lock();
            if next(garbage) == g {
                // Still alive (its cycle runs through objects without tp_clear): it survives.
                list_remove(g);
                list_append(g, old);
            }
        }
        (*st).collecting = false;
        found
    }
}

/// Runs a full collection (all generations) on the calling thread's objects, finalizers
/// first (PEP 442), and returns the number of unreachable objects found (not counting those a
/// finalizer resurrected). Does nothing and
/// returns 0 while automatic collection is disabled (`PyGC_Disable`) or a collection is
/// already running, as in CPython 3.10. The exception being raised, if any, is preserved.
///
/// pycoro: each thread collects the objects it tracked (objects left by exited threads
/// included), never those of other running threads.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyGC_Collect() -> Py_ssize_t {
    guard("PyGC_Collect", 0, || {
        let Some(st) = gc_state() else {
            return 0;
        };
        // SAFETY: this thread's own state.
        unsafe {
            if !(*st).enabled || (*st).collecting {
                return 0;
            }
            let (t, v, tb) = crate::python::errors::fetch();
            let n = collect(st, 2);
            crate::python::errors::restore(t, v, tb);
            n as Py_ssize_t
        }
    })
}

fn set_enabled(on: bool) -> c_int {
    match gc_state() {
        // SAFETY: this thread's own state.
        Some(st) => unsafe { core::mem::replace(&mut (*st).enabled, on) as c_int },
        None => 0,
    }
}

/// Enables automatic collection (on the calling thread); returns the previous state (1 if it
/// was enabled, else 0).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyGC_Enable() -> c_int {
    guard("PyGC_Enable", 0, || set_enabled(true))
}

/// Disables automatic collection (on the calling thread); returns the previous state (1 if
/// it was enabled, else 0). `PyGC_Collect` then does nothing either.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyGC_Disable() -> c_int {
    guard("PyGC_Disable", 0, || set_enabled(false))
}

/// Returns 1 if automatic collection is enabled on the calling thread, else 0.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyGC_IsEnabled() -> c_int {
    guard("PyGC_IsEnabled", 0, || match gc_state() {
        // SAFETY: this thread's own state.
        Some(st) => unsafe { (*st).enabled as c_int },
        None => 0,
    })
}

/// Returns 1 if `op` is an object the collector may track (its type has
/// `Py_TPFLAGS_HAVE_GC` and its `tp_is_gc`, if any, says yes), else 0. pycoro: immortal
/// objects answer 0; a NULL `op` answers 0.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyObject_IS_GC(op: *mut PyObject) -> c_int {
    if op.is_null() {
        return 0;
    }
    // SAFETY: a live object by contract.
    guard("PyObject_IS_GC", 0, || unsafe { is_gc(op) as c_int })
}

// ---------------------------------------------------------------------------------------------
// The trashcan (`Py_TRASHCAN_BEGIN` / `Py_TRASHCAN_END`): deallocating a long chain of
// containers (a tuple in a tuple in a tuple ..., a frame whose slot holds a generator whose
// frame ...) would nest one deallocator call per link. Each thread counts the container
// deallocators running on its stack (`tstate->trash_delete_nesting`); past
// `PyTrash_UNWIND_LEVEL` of them a dying object is not taken apart there but put on the
// thread's list of deferred deallocations (`tstate->trash_delete_later`, linked through the
// object's GC header), and the outermost deallocator frees the list when it returns. The stack
// never holds more than `PyTrash_UNWIND_LEVEL` nested container deallocators.
// ---------------------------------------------------------------------------------------------

/// How many nested container deallocators a thread runs before it defers the next one
/// (CPython's `PyTrash_UNWIND_LEVEL`).
pub const PyTrash_UNWIND_LEVEL: c_int = 50;

/// Runs `body`, the work of deallocator `dealloc` on `op`, inside the trashcan: deferred when
/// the thread is already `PyTrash_UNWIND_LEVEL` container deallocators deep. Only when `op`'s
/// type's own `tp_dealloc` is `dealloc` (a subtype's deallocator that calls its base's must not
/// be deferred halfway, CPython's `_PyTrash_cond`).
#[inline(always)]
pub(crate) unsafe fn trashcan(
    op: *mut PyObject,
    dealloc: unsafe extern "C" fn(*mut PyObject),
    body: impl FnOnce(),
) {
    // SAFETY: a dying object of a GC type; the thread's own state.
    unsafe {
        let own = (*(*op).ob_type).tp_dealloc.map(|d| d as usize) == Some(dealloc as usize);
        let Some(d) = (if own {
            crate::python::pystate::thread_data()
        } else {
            None
        }) else {
            body();
            return;
        };
        let ts = d as *mut crate::python::pystate::PyThreadState;
        if trash_begin(ts, op) {
            return;
        }
        body();
        trash_end(ts);
    }
}

/// `_PyTrash_begin`: true when `op` was deferred (the deallocator must return at once);
/// otherwise counts one more nested deallocator.
#[inline(always)]
unsafe fn trash_begin(ts: *mut crate::python::pystate::PyThreadState, op: *mut PyObject) -> bool {
    // SAFETY: the thread's own state; a dying object.
    unsafe {
        if (*ts).trash_delete_nesting >= PyTrash_UNWIND_LEVEL
            && has_flag((*op).ob_type, Py_TPFLAGS_HAVE_GC)
        {
            deposit(ts, op);
            return true;
        }
        (*ts).trash_delete_nesting += 1;
        false
    }
}

/// `_PyTrash_end`: one nested deallocator less; the outermost one frees what was deferred.
#[inline(always)]
unsafe fn trash_end(ts: *mut crate::python::pystate::PyThreadState) {
    // SAFETY: the thread's own state.
    unsafe {
        (*ts).trash_delete_nesting -= 1;
        if !(*ts).trash_delete_later.is_null() && (*ts).trash_delete_nesting <= 0 {
            destroy_chain(ts);
        }
    }
}

/// Puts a dying GC object on the thread's deferred list, linked through its GC header's `prev`
/// word (its flags kept). The object is untracked first: the header is free for the link.
#[cold]
#[inline(never)]
unsafe fn deposit(ts: *mut crate::python::pystate::PyThreadState, op: *mut PyObject) {
    // SAFETY: a dying GC object (refcount 0) that nothing else reaches.
    unsafe {
        untrack(op);
        let g = head(op);
        (*g).prev = ((*g).prev & FINALIZED) | (*ts).trash_delete_later as usize;
        (*ts).trash_delete_later = op;
    }
}

/// Deallocates every deferred object (their deallocators may defer more; the loop takes those
/// too), counted as one nested deallocator so that it does not start again from inside.
#[cold]
#[inline(never)]
unsafe fn destroy_chain(ts: *mut crate::python::pystate::PyThreadState) {
    // SAFETY: the thread's own list of dead objects, each waiting for its deallocator.
    unsafe {
        (*ts).trash_delete_nesting += 1;
        while !(*ts).trash_delete_later.is_null() {
            let op = (*ts).trash_delete_later;
            let g = head(op);
            (*ts).trash_delete_later = ((*g).prev & !FLAGS) as *mut PyObject;
            (*g).prev &= FINALIZED;
            if let Some(dealloc) = (*(*op).ob_type).tp_dealloc {
                dealloc(op);
            }
        }
        (*ts).trash_delete_nesting -= 1;
    }
}

/// The thread state a trashcan call names: `tstate`, or the calling thread's for NULL.
unsafe fn trash_state(
    tstate: *mut crate::python::pystate::PyThreadState,
) -> *mut crate::python::pystate::PyThreadState {
    if tstate.is_null() {
        crate::python::pystate::tstate()
    } else {
        tstate
    }
}

/// The start of a trashcan-protected deallocator (what CPython 3.10's `Py_TRASHCAN_BEGIN`
/// macro calls; `Python.h` has the macros): returns 1 when `op` has been put on `tstate`'s
/// list of deferred deallocations (the deallocator must return at once: its `tp_dealloc` is
/// called again later, from the outermost trashcan-protected deallocator); otherwise returns
/// 0 and counts one more nested deallocator, which the matching `_PyTrash_end` ends.
///
/// `op` must be an object whose reference count went to 0; only objects of types with
/// `Py_TPFLAGS_HAVE_GC` are deferred (through their GC header: a tracked object is untracked
/// first). A NULL `tstate` means the calling thread's state (CPython crashes). A NULL `op`
/// raises `SystemError` ("bad argument to internal function") and returns 0, counting the
/// level so that `_PyTrash_end` stays paired (CPython crashes).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn _PyTrash_begin(
    tstate: *mut crate::python::pystate::PyThreadState,
    op: *mut PyObject,
) -> c_int {
    guard("_PyTrash_begin", 0, || {
        // SAFETY: a live thread state (or NULL) and a dying object (or NULL).
        unsafe {
            let ts = trash_state(tstate);
            if op.is_null() {
                (*ts).trash_delete_nesting += 1;
                crate::python::errors::bad_internal_call();
                return 0;
            }
            trash_begin(ts, op) as c_int
        }
    })
}

/// The end of a trashcan-protected deallocator (what `Py_TRASHCAN_END` calls): one nested
/// deallocator less on `tstate` (NULL: the calling thread); the outermost one deallocates the
/// objects deferred meanwhile.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn _PyTrash_end(tstate: *mut crate::python::pystate::PyThreadState) {
    guard("_PyTrash_end", (), || {
        // SAFETY: a live thread state (or NULL).
        unsafe { trash_end(trash_state(tstate)) }
    })
}

/// Whether the trashcan applies to this deallocator call (what `Py_TRASHCAN_BEGIN(op,
/// dealloc)` asks first): 1 when `dealloc` is `Py_TYPE(op)->tp_dealloc` (so a subtype's
/// deallocator calling its base type's is not deferred halfway), else 0. A NULL `op` raises
/// `SystemError` and returns 0 (CPython crashes).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn _PyTrash_cond(
    op: *mut PyObject,
    dealloc: crate::objects::object::destructor,
) -> c_int {
    check_null!(op, 0);
    guard("_PyTrash_cond", 0, || {
        // SAFETY: a live (dying) object.
        unsafe {
            let own = (*(*op).ob_type).tp_dealloc.map(|d| d as usize);
            (own.is_some() && own == dealloc.map(|d| d as usize)) as c_int
        }
    })
}
