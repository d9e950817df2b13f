//! `Objects/dictobject.c`: `dict`, with CPython 3.10's `PyDictObject` layout (48 bytes: the
//! keys table behind `ma_keys` is opaque, `ma_values` is always NULL: pycoro has no split
//! tables).
//!
//! The table is a compact, insertion-ordered hash table as CPython's: an index array probed
//! with CPython's perturbation sequence, pointing into an entry array kept in insertion order
//! (a deleted entry leaves a hole; a resize compacts). So iteration order is insertion order, a
//! deleted key that is inserted again goes last, and `PyDict_Next`'s positions are entry
//! indices, all as in CPython. Lookups compare hashes, then identity, then `==`; an `__eq__`
//! that changes the dict makes the lookup start over (as CPython 3.10 does).

use crate::capi::boundary::guard;
use crate::capi::ffi::{decref, incref, new_ref, ty, type_has};
use crate::modules::gcmodule::{track, untrack};
use crate::objects::object::*;
use crate::objects::typeobject::static_type;
use crate::python::errors::bad_internal_call;
use core::ffi::{CStr, c_char, c_int, c_void};
use core::mem::{offset_of, size_of};
use core::ptr::null_mut;
use core::sync::atomic::{AtomicU64, Ordering};
use static_assertions::const_assert_eq;

/// The keys table of a dict (opaque to C code, as in CPython).
pub struct PyDictKeysObject {
    /// Slots in the index array (a power of two).
    size: usize,
    /// Entries that can still be appended before a resize.
    usable: usize,
    /// Entries used so far, deleted ones included.
    nentries: usize,
}

/// A dict: CPython 3.10's `PyDictObject`.
#[repr(C)]
pub struct PyDictObject {
    pub ob_base: PyObject,
    /// Number of items in the dict.
    pub ma_used: Py_ssize_t,
    /// A number that changes (to a value never used before, process-wide) on every change of
    /// the dict.
    pub ma_version_tag: u64,
    pub ma_keys: *mut PyDictKeysObject,
    /// Always NULL in pycoro (CPython's split-table values).
    pub ma_values: *mut *mut PyObject,
}

const_assert_eq!(size_of::<PyDictObject>(), 48);
const_assert_eq!(offset_of!(PyDictObject, ma_used), 16);
const_assert_eq!(offset_of!(PyDictObject, ma_version_tag), 24);
const_assert_eq!(offset_of!(PyDictObject, ma_keys), 32);
const_assert_eq!(offset_of!(PyDictObject, ma_values), 40);

/// One entry of the table.
#[repr(C)]
struct Entry {
    hash: Py_hash_t,
    key: *mut PyObject,
    /// NULL for a deleted entry.
    value: *mut PyObject,
}

const IX_EMPTY: isize = -1;
const IX_DUMMY: isize = -2;
/// `PyDict_MINSIZE`.
const MIN_SIZE: usize = 8;
/// `_Py_TPFLAGS_MATCH_SELF` (3.10): `case dict(x)` binds the subject itself.
const TPFLAGS_MATCH_SELF: core::ffi::c_ulong = 1 << 22;

/// CPython's `DICT_NEXT_VERSION`: one process-wide counter.
static VERSION: AtomicU64 = AtomicU64::new(0);

#[inline]
fn next_version() -> u64 {
    VERSION.fetch_add(1, Ordering::Relaxed) + 1
}

/// `USABLE_FRACTION`: entries a table of `size` index slots holds.
#[inline]
fn usable_fraction(size: usize) -> usize {
    (size << 1) / 3
}

const HEADER: usize = size_of::<PyDictKeysObject>();

#[inline]
unsafe fn indices(k: *mut PyDictKeysObject) -> *mut isize {
    // SAFETY: the index array follows the header.
    unsafe { (k as *mut u8).add(HEADER) as *mut isize }
}

#[inline]
unsafe fn entries(k: *mut PyDictKeysObject) -> *mut Entry {
    // SAFETY: the entry array follows the index array.
    unsafe { indices(k).add((*k).size) as *mut Entry }
}

#[inline]
unsafe fn entry<'a>(k: *mut PyDictKeysObject, i: usize) -> &'a mut Entry {
    // SAFETY: `i < nentries` by the caller.
    unsafe { &mut *entries(k).add(i) }
}

/// A new empty table of `size` slots (a power of two); NULL with `MemoryError` set.
unsafe fn new_keys(size: usize) -> *mut PyDictKeysObject {
    let cap = usable_fraction(size);
    let bytes = size
        .checked_mul(size_of::<isize>())
        .and_then(|b| b.checked_add(cap.checked_mul(size_of::<Entry>())?))
        .and_then(|b| b.checked_add(HEADER));
    let Some(bytes) = bytes else {
        // SAFETY: setting the error indicator.
        unsafe { crate::python::errors::no_memory() };
        return null_mut();
    };
    // SAFETY: a fresh block of `bytes` bytes; every header field and index is written.
    unsafe {
        let k = crate::objects::obmalloc::raw_malloc(bytes) as *mut PyDictKeysObject;
        if k.is_null() {
            crate::python::errors::no_memory();
            return k;
        }
        k.write(PyDictKeysObject {
            size,
            usable: cap,
            nentries: 0,
        });
        core::ptr::write_bytes(indices(k) as *mut u8, 0xff, size * size_of::<isize>());
        k
    }
}

unsafe fn free_keys_block(k: *mut PyDictKeysObject) {
    // SAFETY: a block from new_keys (or NULL).
    unsafe { crate::objects::obmalloc::raw_free(k as *mut c_void) }
}

/// The smallest table size (a power of two, at least `PyDict_MINSIZE`) not below `minsize`.
fn size_for(minsize: usize) -> usize {
    let mut size = MIN_SIZE;
    while size < minsize && size < (1usize << 58) {
        size <<= 1;
    }
    size
}

/// `ESTIMATE_SIZE`: a table size whose usable fraction holds `n` entries.
fn estimate_size(n: usize) -> usize {
    n.saturating_mul(3).saturating_add(1) >> 1
}

#[inline]
fn probe_start(hash: Py_hash_t, mask: usize) -> (usize, usize) {
    ((hash as usize) & mask, hash as usize)
}

#[inline]
fn probe_next(i: usize, perturb: &mut usize, mask: usize) -> usize {
    *perturb >>= 5;
    (i.wrapping_mul(5).wrapping_add(*perturb).wrapping_add(1)) & mask
}

/// The first index slot that holds no entry, for an entry with `hash`.
unsafe fn find_empty_slot(k: *mut PyDictKeysObject, hash: Py_hash_t) -> usize {
    // SAFETY: a live table with at least one free slot.
    unsafe {
        let mask = (*k).size - 1;
        let (mut i, mut perturb) = probe_start(hash, mask);
        while *indices(k).add(i) >= 0 {
            i = probe_next(i, &mut perturb, mask);
        }
        i
    }
}

/// `PyDict_Check`.
#[inline]
pub(crate) unsafe fn is_dict(op: *mut PyObject) -> bool {
    // SAFETY: live object.
    unsafe { type_has(op, Py_TPFLAGS_DICT_SUBCLASS) }
}

/// `PyDict_CheckExact`.
#[inline]
pub(crate) unsafe fn is_dict_exact(op: *mut PyObject) -> bool {
    // SAFETY: live object.
    unsafe { ty(op) == &raw mut PyDict_Type }
}

#[inline]
unsafe fn d(op: *mut PyObject) -> *mut PyDictObject {
    op as *mut PyDictObject
}

/// `hash(key)`, with the cached hash of an exact str read directly.
#[inline]
pub(crate) unsafe fn hash_of(key: *mut PyObject) -> Py_hash_t {
    // SAFETY: live object.
    unsafe {
        if crate::objects::unicodeobject::is_str_exact(key) {
            return crate::objects::unicodeobject::str_hash(key);
        }
        match (*ty(key)).tp_hash {
            Some(h) => h(key),
            None => crate::objects::object_ops::PyObject_HashNotImplemented(key),
        }
    }
}

/// Where a lookup found its key: the entry index and the index slot pointing at it.
#[derive(Clone, Copy)]
struct Found {
    ix: usize,
    slot: usize,
}

/// Looks `key` up: `Ok(Some)` found, `Ok(None)` absent, `Err` with an exception set (from
/// `__eq__`). When `__eq__` changes the dict the lookup starts over.
unsafe fn lookup(
    mp: *mut PyDictObject,
    key: *mut PyObject,
    hash: Py_hash_t,
) -> Result<Option<Found>, ()> {
    // SAFETY: `mp` is a live dict (the caller holds a reference); every entry read is checked
    // against the current table after code that could change it.
    unsafe {
        'restart: loop {
            let k = (*mp).ma_keys;
            if k.is_null() {
                return Ok(None);
            }
            let mask = (*k).size - 1;
            let (mut i, mut perturb) = probe_start(hash, mask);
            loop {
                let ix = *indices(k).add(i);
                if ix == IX_EMPTY {
                    return Ok(None);
                }
                if ix >= 0 {
                    let e = entry(k, ix as usize);
                    if e.key == key {
                        return Ok(Some(Found {
                            ix: ix as usize,
                            slot: i,
                        }));
                    }
                    if e.hash == hash {
                        let start = e.key;
                        let version = (*mp).ma_version_tag;
                        incref(start);
                        let cmp =
                            crate::objects::object_ops::PyObject_RichCompareBool(start, key, Py_EQ);
                        decref(start);
                        if cmp < 0 {
                            return Err(());
                        }
                        if (*mp).ma_version_tag != version {
                            continue 'restart;
                        }
                        if cmp > 0 {
                            return Ok(Some(Found {
                                ix: ix as usize,
                                slot: i,
                            }));
                        }
                    }
                }
                i = probe_next(i, &mut perturb, mask);
            }
        }
    }
}

/// Whether `o` is, or may become, part of a reference cycle (CPython's
/// `_PyObject_GC_MAY_BE_TRACKED`): a GC object, and for an exact tuple a tracked one.
unsafe fn may_be_tracked(o: *mut PyObject) -> bool {
    // SAFETY: live object.
    unsafe {
        if !crate::modules::gcmodule::is_gc(o) {
            return false;
        }
        if ty(o) == &raw mut crate::objects::tupleobject::PyTuple_Type {
            return crate::modules::gcmodule::PyObject_GC_IsTracked(o) == 1;
        }
        true
    }
}

/// CPython's `MAINTAIN_TRACKING`: a dict is tracked by the collector from the moment it holds a
/// key or value that may be part of a cycle.
#[inline]
unsafe fn maintain_tracking(mp: *mut PyDictObject, key: *mut PyObject, value: *mut PyObject) {
    // SAFETY: live objects; `mp` is a GC object.
    unsafe {
        let op = mp as *mut PyObject;
        if crate::modules::gcmodule::PyObject_GC_IsTracked(op) == 0
            && (may_be_tracked(key) || may_be_tracked(value))
        {
            track(op);
        }
    }
}

/// Grows (or compacts) the table so that it has room for at least one more entry, keeping the
/// entries in order. -1 with `MemoryError` set.
unsafe fn resize(mp: *mut PyDictObject, minused: usize) -> c_int {
    // SAFETY: `mp` is a live dict; entries move to the new table (references move with them).
    unsafe {
        let old = (*mp).ma_keys;
        let newk = new_keys(size_for(minused));
        if newk.is_null() {
            return -1;
        }
        let mut n = 0;
        if !old.is_null() {
            for i in 0..(*old).nentries {
                let e = entry(old, i);
                if e.value.is_null() {
                    continue;
                }
                let ne = entries(newk).add(n);
                ne.write(Entry {
                    hash: e.hash,
                    key: e.key,
                    value: e.value,
                });
                let slot = find_empty_slot(newk, e.hash);
                *indices(newk).add(slot) = n as isize;
                n += 1;
            }
        }
        (*newk).nentries = n;
        (*newk).usable -= n;
        (*mp).ma_keys = newk;
        // A new table is a change too: a lookup suspended in `__eq__` must start over.
        (*mp).ma_version_tag = next_version();
        free_keys_block(old);
        0
    }
}

/// Inserts or replaces; steals `key` and `value` (released on failure too).
unsafe fn insert(
    mp: *mut PyDictObject,
    key: *mut PyObject,
    hash: Py_hash_t,
    value: *mut PyObject,
) -> c_int {
    // SAFETY: `mp` is a live dict; `key`/`value` owned references.
    unsafe {
        let found = match lookup(mp, key, hash) {
            Ok(f) => f,
            Err(()) => {
                decref(key);
                decref(value);
                return -1;
            }
        };
        maintain_tracking(mp, key, value);
        if let Some(f) = found {
            let e = entry((*mp).ma_keys, f.ix);
            let old = e.value;
            if old == value {
                decref(value);
                decref(key);
                return 0;
            }
            e.value = value;
            (*mp).ma_version_tag = next_version();
            decref(old);
            decref(key);
            return 0;
        }
        let k = (*mp).ma_keys;
        if k.is_null() || (*k).usable == 0 {
            // GROWTH_RATE: three times the items in use.
            if resize(mp, ((*mp).ma_used as usize).saturating_mul(3).max(1)) < 0 {
                decref(key);
                decref(value);
                return -1;
            }
        }
        let k = (*mp).ma_keys;
        let slot = find_empty_slot(k, hash);
        let n = (*k).nentries;
        entries(k).add(n).write(Entry { hash, key, value });
        *indices(k).add(slot) = n as isize;
        (*k).nentries = n + 1;
        (*k).usable -= 1;
        (*mp).ma_used += 1;
        (*mp).ma_version_tag = next_version();
        0
    }
}

/// Removes the entry `f` and releases its key and value.
unsafe fn remove_found(mp: *mut PyDictObject, f: Found) {
    // SAFETY: `f` was found in the current table of the live dict `mp`.
    unsafe {
        let k = (*mp).ma_keys;
        let e = entry(k, f.ix);
        let (key, value) = (e.key, e.value);
        e.key = null_mut();
        e.value = null_mut();
        *indices(k).add(f.slot) = IX_DUMMY;
        (*mp).ma_used -= 1;
        (*mp).ma_version_tag = next_version();
        decref(value);
        decref(key);
    }
}

/// `_PyErr_SetKeyError`: `KeyError` whose single argument is `key` (a tuple key stays one
/// argument).
pub(crate) unsafe fn set_key_error(key: *mut PyObject) {
    // SAFETY: live key; the one-tuple is released.
    unsafe {
        let t = crate::objects::tupleobject::tuple_from(&[key]);
        if t.is_null() {
            return;
        }
        crate::python::errors::set_object(crate::exc!(KeyError), t);
        decref(t);
    }
}

/// A new empty dict (untracked until it holds a container, as in CPython).
pub(crate) unsafe fn new_dict() -> *mut PyObject {
    // SAFETY: a zeroed block sized for a PyDictObject.
    unsafe {
        let op =
            crate::modules::gcmodule::alloc_object(&raw mut PyDict_Type, size_of::<PyDictObject>());
        if op.is_null() {
            return op;
        }
        let mp = d(op);
        (*mp).ma_used = 0;
        (*mp).ma_version_tag = next_version();
        (*mp).ma_keys = null_mut();
        (*mp).ma_values = null_mut();
        op
    }
}

/// `PyDict_SetItem` on a checked dict (does not steal).
pub(crate) unsafe fn set_item(
    op: *mut PyObject,
    key: *mut PyObject,
    value: *mut PyObject,
) -> c_int {
    // SAFETY: live dict, key and value.
    unsafe {
        let hash = hash_of(key);
        if hash == -1 {
            return -1;
        }
        insert(d(op), new_ref(key), hash, new_ref(value))
    }
}

/// Looks `key` up in a checked dict: `Ok(value)` (borrowed, NULL when absent) or `Err` with an
/// exception set.
pub(crate) unsafe fn get_item(op: *mut PyObject, key: *mut PyObject) -> Result<*mut PyObject, ()> {
    // SAFETY: live dict and key.
    unsafe {
        let hash = hash_of(key);
        if hash == -1 {
            return Err(());
        }
        let mp = d(op);
        Ok(match lookup(mp, key, hash)? {
            Some(f) => entry((*mp).ma_keys, f.ix).value,
            None => null_mut(),
        })
    }
}

/// `PyDict_GetItem`'s lookup in a checked dict: the value (borrowed) or NULL, never an
/// exception. As in CPython 3.10, a key that fails to hash clears the error indicator (a
/// pending exception included); errors of the lookup itself are dropped and a pending
/// exception is kept.
unsafe fn get_item_suppressed(op: *mut PyObject, key: *mut PyObject) -> *mut PyObject {
    // SAFETY: live dict and key.
    unsafe {
        let hash = hash_of(key);
        if hash == -1 {
            crate::python::errors::restore(null_mut(), null_mut(), null_mut());
            return null_mut();
        }
        let (t, v, tb) = crate::python::errors::fetch();
        let mp = d(op);
        let r = match lookup(mp, key, hash) {
            Ok(Some(f)) => entry((*mp).ma_keys, f.ix).value,
            _ => null_mut(),
        };
        crate::python::errors::restore(t, v, tb);
        r
    }
}

/// Deletes `key` from a checked dict: 0, or -1 with an exception set (`KeyError` when absent).
pub(crate) unsafe fn del_item(op: *mut PyObject, key: *mut PyObject) -> c_int {
    // SAFETY: live dict and key.
    unsafe {
        let hash = hash_of(key);
        if hash == -1 {
            return -1;
        }
        let mp = d(op);
        match lookup(mp, key, hash) {
            Err(()) => -1,
            Ok(None) => {
                set_key_error(key);
                -1
            }
            Ok(Some(f)) => {
                remove_found(mp, f);
                0
            }
        }
    }
}

/// Empties a dict, releasing the items after the dict no longer refers to them.
pub(crate) unsafe fn clear_dict(op: *mut PyObject) {
    // SAFETY: live dict; the old table is detached before any reference is released.
    unsafe {
        let mp = d(op);
        let k = (*mp).ma_keys;
        if k.is_null() {
            return;
        }
        (*mp).ma_keys = null_mut();
        (*mp).ma_used = 0;
        (*mp).ma_version_tag = next_version();
        release_table(k);
    }
}

/// Releases every key and value of a detached table, then the table.
unsafe fn release_table(k: *mut PyDictKeysObject) {
    // SAFETY: `k` belongs to no dict any more.
    unsafe {
        for i in 0..(*k).nentries {
            let e = entry(k, i);
            if !e.value.is_null() {
                decref(e.value);
                decref(e.key);
            }
        }
        free_keys_block(k);
    }
}

/// `PyDict_Next` on a checked dict: the next live entry at or after `*pos` (borrowed).
pub(crate) unsafe fn next_entry(
    op: *mut PyObject,
    pos: &mut Py_ssize_t,
) -> Option<(*mut PyObject, *mut PyObject)> {
    // SAFETY: live dict.
    unsafe {
        let k = (*d(op)).ma_keys;
        if k.is_null() || *pos < 0 {
            return None;
        }
        let mut i = *pos as usize;
        while i < (*k).nentries {
            let e = entry(k, i);
            if !e.value.is_null() {
                *pos = i as Py_ssize_t + 1;
                return Some((e.key, e.value));
            }
            i += 1;
        }
        None
    }
}

/// The index of the last entry of a checked dict's table (holes included), -1 when empty.
pub(crate) unsafe fn last_entry_index(op: *mut PyObject) -> Py_ssize_t {
    // SAFETY: live dict.
    unsafe {
        let k = (*d(op)).ma_keys;
        if k.is_null() {
            -1
        } else {
            (*k).nentries as Py_ssize_t - 1
        }
    }
}

/// The reverse of `next_entry`: the live entry at or before `*pos` (an entry index, clamped to
/// the table), `*pos` then set before it; None when there is none (borrowed).
pub(crate) unsafe fn prev_entry(
    op: *mut PyObject,
    pos: &mut Py_ssize_t,
) -> Option<(*mut PyObject, *mut PyObject)> {
    // SAFETY: live dict.
    unsafe {
        let k = (*d(op)).ma_keys;
        if k.is_null() || *pos < 0 {
            return None;
        }
        let mut i = (*pos as usize).min((*k).nentries.saturating_sub(1));
        if (*k).nentries == 0 {
            return None;
        }
        loop {
            let e = entry(k, i);
            if !e.value.is_null() {
                *pos = i as Py_ssize_t - 1;
                return Some((e.key, e.value));
            }
            if i == 0 {
                *pos = -1;
                return None;
            }
            i -= 1;
        }
    }
}

/// A copy of a checked dict (same order), as CPython 3.10's `PyDict_Copy`: an exact dict with
/// at most a third of its entries deleted is cloned table and all (holes included, so
/// `PyDict_Next` positions carry over; the clone is tracked if the original is); otherwise the
/// items are inserted into a new dict sized for them. Return value: New reference, or NULL.
pub(crate) unsafe fn copy_dict(op: *mut PyObject) -> *mut PyObject {
    // SAFETY: live dict; the copy shares no table with it.
    unsafe {
        let new = new_dict();
        if new.is_null() {
            return new;
        }
        let used = (*d(op)).ma_used as usize;
        if used == 0 {
            return new;
        }
        let src = (*d(op)).ma_keys;
        if ty(op) == &raw mut PyDict_Type && used >= (*src).nentries * 2 / 3 {
            let dst = new_keys((*src).size);
            if dst.is_null() {
                decref(new);
                return null_mut();
            }
            core::ptr::copy_nonoverlapping(indices(src), indices(dst), (*src).size);
            for i in 0..(*src).nentries {
                let e = entry(src, i);
                let (key, value) = if e.value.is_null() {
                    (null_mut(), null_mut())
                } else {
                    (new_ref(e.key), new_ref(e.value))
                };
                entries(dst).add(i).write(Entry {
                    hash: e.hash,
                    key,
                    value,
                });
            }
            (*dst).nentries = (*src).nentries;
            (*dst).usable = (*src).usable;
            (*d(new)).ma_keys = dst;
            (*d(new)).ma_used = used as Py_ssize_t;
            if crate::modules::gcmodule::PyObject_GC_IsTracked(op) == 1 {
                track(new);
            }
            return new;
        }
        if resize(d(new), estimate_size(used)) < 0 {
            decref(new);
            return null_mut();
        }
        let dst = (*d(new)).ma_keys;
        let mut n = 0;
        for i in 0..(*src).nentries {
            let e = entry(src, i);
            if e.value.is_null() {
                continue;
            }
            maintain_tracking(d(new), e.key, e.value);
            entries(dst).add(n).write(Entry {
                hash: e.hash,
                key: new_ref(e.key),
                value: new_ref(e.value),
            });
            *indices(dst).add(find_empty_slot(dst, e.hash)) = n as isize;
            n += 1;
        }
        (*dst).nentries = n;
        (*dst).usable -= n;
        (*d(new)).ma_used = n as Py_ssize_t;
        new
    }
}

// ---- the type ----

unsafe extern "C" fn dict_dealloc(op: *mut PyObject) {
    // SAFETY: a dying dict: untracked first, then its items released.
    unsafe {
        crate::modules::gcmodule::trashcan(op, dict_dealloc, || {
            untrack(op);
            let k = (*d(op)).ma_keys;
            (*d(op)).ma_keys = null_mut();
            if !k.is_null() {
                release_table(k);
            }
            crate::modules::gcmodule::free_object(op);
        })
    }
}

unsafe extern "C" fn dict_traverse(op: *mut PyObject, visit: visitproc, arg: *mut c_void) -> c_int {
    // SAFETY: a live dict.
    unsafe {
        let k = (*d(op)).ma_keys;
        if k.is_null() {
            return 0;
        }
        for i in 0..(*k).nentries {
            let e = entry(k, i);
            if !e.value.is_null() {
                crate::capi::ffi::py_visit!(e.key, visit, arg);
                crate::capi::ffi::py_visit!(e.value, visit, arg);
            }
        }
        0
    }
}

unsafe extern "C" fn dict_tp_clear(op: *mut PyObject) -> c_int {
    // SAFETY: a live dict.
    unsafe { clear_dict(op) };
    0
}

unsafe extern "C" fn dict_length(op: *mut PyObject) -> Py_ssize_t {
    // SAFETY: a dict.
    unsafe { (*d(op)).ma_used }
}

unsafe extern "C" fn dict_subscript(op: *mut PyObject, key: *mut PyObject) -> *mut PyObject {
    // SAFETY: a dict and a live key.
    unsafe {
        match get_item(op, key) {
            Err(()) => null_mut(),
            Ok(v) if v.is_null() => {
                set_key_error(key);
                null_mut()
            }
            Ok(v) => new_ref(v),
        }
    }
}

unsafe extern "C" fn dict_ass_sub(
    op: *mut PyObject,
    key: *mut PyObject,
    value: *mut PyObject,
) -> c_int {
    // SAFETY: a dict and live objects.
    unsafe {
        if value.is_null() {
            del_item(op, key)
        } else {
            set_item(op, key, value)
        }
    }
}

unsafe extern "C" fn dict_contains(op: *mut PyObject, key: *mut PyObject) -> c_int {
    // SAFETY: a dict and a live key.
    unsafe {
        match get_item(op, key) {
            Err(()) => -1,
            Ok(v) => (!v.is_null()) as c_int,
        }
    }
}

unsafe extern "C" fn dict_repr(op: *mut PyObject) -> *mut PyObject {
    // SAFETY: a dict; each key and value is held while its repr runs (it may change the dict).
    unsafe {
        let rc = Py_ReprEnter(op);
        if rc != 0 {
            return if rc > 0 {
                crate::objects::unicodeobject::str_from("{...}")
            } else {
                null_mut()
            };
        }
        if (*d(op)).ma_used == 0 {
            Py_ReprLeave(op);
            return crate::objects::unicodeobject::str_from("{}");
        }
        let mut out = String::from("{");
        let mut pos: Py_ssize_t = 0;
        let mut first = true;
        let mut ok = true;
        while let Some((k, v)) = next_entry(op, &mut pos) {
            let (k, v) = (new_ref(k), new_ref(v));
            if !first {
                out.push_str(", ");
            }
            first = false;
            for (o, sep) in [(k, ": "), (v, "")] {
                let r = crate::objects::object_ops::repr(o);
                if r.is_null() {
                    ok = false;
                    break;
                }
                out.push_str(crate::objects::unicodeobject::str_as(r).unwrap_or(""));
                out.push_str(sep);
                decref(r);
            }
            decref(k);
            decref(v);
            if !ok {
                break;
            }
        }
        Py_ReprLeave(op);
        if !ok {
            return null_mut();
        }
        out.push('}');
        crate::objects::unicodeobject::str_from(&out)
    }
}

/// `a == b` for two dicts: 1, 0, or -1 with an exception set.
unsafe fn dict_equal(a: *mut PyObject, b: *mut PyObject) -> c_int {
    // SAFETY: live dicts; the entries are re-read after every comparison (it may change them).
    unsafe {
        if (*d(a)).ma_used != (*d(b)).ma_used {
            return 0;
        }
        let mut i = 0;
        loop {
            let k = (*d(a)).ma_keys;
            if k.is_null() || i >= (*k).nentries {
                return 1;
            }
            let e = entry(k, i);
            i += 1;
            if e.value.is_null() {
                continue;
            }
            let (key, aval, hash) = (new_ref(e.key), new_ref(e.value), e.hash);
            let r = match lookup(d(b), key, hash) {
                Err(()) => -1,
                Ok(None) => 0,
                Ok(Some(f)) => {
                    let bval = new_ref(entry((*d(b)).ma_keys, f.ix).value);
                    let c = crate::objects::object_ops::PyObject_RichCompareBool(aval, bval, Py_EQ);
                    decref(bval);
                    c
                }
            };
            decref(aval);
            decref(key);
            if r <= 0 {
                return r;
            }
        }
    }
}

unsafe extern "C" fn dict_richcompare(
    v: *mut PyObject,
    w: *mut PyObject,
    op: c_int,
) -> *mut PyObject {
    // SAFETY: live objects.
    unsafe {
        if !is_dict(v) || !is_dict(w) || (op != Py_EQ && op != Py_NE) {
            return new_ref(crate::objects::object_ops::not_implemented());
        }
        let c = dict_equal(v, w);
        if c < 0 {
            return null_mut();
        }
        new_ref(crate::objects::boolobject::from_bool(
            (c == 1) == (op == Py_EQ),
        ))
    }
}

/// `dict.__new__`: an empty dict of `tp` (an exact dict starts untracked, as in CPython).
unsafe extern "C" fn dict_new(
    tp: *mut PyTypeObject,
    _args: *mut PyObject,
    _kwds: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: `tp` is dict or a subtype; its tp_alloc makes a zeroed, tracked object.
    unsafe {
        if tp == &raw mut PyDict_Type {
            return new_dict();
        }
        let Some(alloc) = (*tp).tp_alloc else {
            bad_internal_call();
            return null_mut();
        };
        let op = alloc(tp, 0);
        if !op.is_null() {
            (*d(op)).ma_version_tag = next_version();
        }
        op
    }
}

/// `dict_update_arg`: the items of `arg` into the checked dict `op`: an exact dict or an object
/// with `keys()` is merged as a mapping, anything else taken as an iterable of pairs.
unsafe fn update_arg(op: *mut PyObject, arg: *mut PyObject) -> c_int {
    // SAFETY: a dict and a live object.
    unsafe {
        if is_dict_exact(arg) {
            return merge(op, arg, 1);
        }
        match crate::objects::call::lookup_attr(arg, "keys") {
            Err(()) => -1,
            Ok(f) if !f.is_null() => {
                decref(f);
                merge(op, arg, 1)
            }
            Ok(_) => PyDict_MergeFromSeq2(op, arg, 1),
        }
    }
}

/// `dict.__init__` and `dict.update`: `([mapping_or_iterable], **kwargs)` into `op` (`name` is
/// the one the argument-count message gives).
unsafe fn update_common(
    op: *mut PyObject,
    args: *mut PyObject,
    kwds: *mut PyObject,
    name: &str,
) -> c_int {
    // SAFETY: `op` is a dict; `args` a tuple or NULL, `kwds` a dict or NULL.
    unsafe {
        let n = if args.is_null() {
            0
        } else {
            crate::capi::ffi::size(args)
        };
        if !crate::python::getargs::check_positional(name, n, 0, 1) {
            return -1;
        }
        if n == 1 && update_arg(op, crate::objects::tupleobject::item(args, 0)) < 0 {
            return -1;
        }
        if !kwds.is_null() && is_dict(kwds) && (*d(kwds)).ma_used > 0 {
            return merge(op, kwds, 1);
        }
        0
    }
}

/// `dict.__init__(self, [mapping_or_iterable], **kwargs)`: `self.update(...)`.
unsafe extern "C" fn dict_init(
    op: *mut PyObject,
    args: *mut PyObject,
    kwds: *mut PyObject,
) -> c_int {
    // SAFETY: as update_common.
    unsafe { update_common(op, args, kwds, "dict") }
}

/// `dict(...)` called vectorcall style (`tp_vectorcall` of dict): `dict.__new__` then the
/// update, the keyword arguments inserted one by one.
unsafe extern "C" fn dict_vectorcall(
    tp: *mut PyObject,
    args: *const *mut PyObject,
    nargsf: usize,
    kwnames: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: `tp` is dict (its tp_vectorcall is not inherited); `args` holds the positional
    // arguments then the keyword values.
    unsafe {
        let nargs = (nargsf & !crate::objects::call::PY_VECTORCALL_ARGUMENTS_OFFSET) as Py_ssize_t;
        if !crate::python::getargs::check_positional("dict", nargs, 0, 1) {
            return null_mut();
        }
        let op = dict_new(tp as *mut PyTypeObject, null_mut(), null_mut());
        if op.is_null() {
            return op;
        }
        if nargs == 1 && update_arg(op, *args) < 0 {
            decref(op);
            return null_mut();
        }
        if !kwnames.is_null() {
            let names = crate::objects::tupleobject::as_slice(kwnames);
            for (i, &k) in names.iter().enumerate() {
                if set_item(op, k, *args.add(nargs as usize + i)) < 0 {
                    decref(op);
                    return null_mut();
                }
            }
        }
        op
    }
}

static mut DICT_AS_MAPPING: PyMappingMethods = PyMappingMethods {
    mp_length: Some(dict_length),
    mp_subscript: Some(dict_subscript),
    mp_ass_subscript: Some(dict_ass_sub),
};

static mut DICT_AS_SEQUENCE: PySequenceMethods = PySequenceMethods {
    sq_contains: Some(PyDict_Contains),
    ..crate::objects::longobject::EMPTY_SEQUENCE_METHODS
};

/// `dict.__contains__(key)` as a method (CPython's `dict___contains__`).
unsafe extern "C" fn dict_contains_meth(op: *mut PyObject, key: *mut PyObject) -> *mut PyObject {
    // SAFETY: a dict (the method descriptor checked it) and a live key.
    unsafe {
        match dict_contains(op, key) {
            r if r < 0 => null_mut(),
            r => crate::objects::boolobject::PyBool_FromLong(r as core::ffi::c_long),
        }
    }
}

/// `d.get(key, default=None, /)`.
unsafe extern "C" fn dict_get(
    op: *mut PyObject,
    args: *const *mut PyObject,
    nargs: Py_ssize_t,
) -> *mut PyObject {
    // SAFETY: a dict and `nargs` live arguments.
    unsafe {
        if !crate::python::getargs::check_positional("get", nargs, 1, 2) {
            return null_mut();
        }
        let a = crate::python::getargs::args_slice(args, nargs);
        match get_item(op, a[0]) {
            Err(()) => null_mut(),
            Ok(v) if !v.is_null() => new_ref(v),
            Ok(_) => new_ref(
                a.get(1)
                    .copied()
                    .unwrap_or(crate::objects::object_ops::none()),
            ),
        }
    }
}

/// `d.setdefault(key, default=None, /)`.
unsafe extern "C" fn dict_setdefault(
    op: *mut PyObject,
    args: *const *mut PyObject,
    nargs: Py_ssize_t,
) -> *mut PyObject {
    // SAFETY: a dict and `nargs` live arguments.
    unsafe {
        if !crate::python::getargs::check_positional("setdefault", nargs, 1, 2) {
            return null_mut();
        }
        let a = crate::python::getargs::args_slice(args, nargs);
        let default = a
            .get(1)
            .copied()
            .unwrap_or(crate::objects::object_ops::none());
        crate::capi::ffi::xnew_ref(PyDict_SetDefault(op, a[0], default))
    }
}

/// `_PyDict_Pop`: removes `key` and returns its value (new reference); when it is absent,
/// `default` (new reference) or `KeyError(key)` without a default. An empty dict does not hash
/// the key.
pub(crate) unsafe fn pop(
    op: *mut PyObject,
    key: *mut PyObject,
    default: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: a dict, a live key, `default` live or NULL.
    unsafe {
        let missing = || {
            if default.is_null() {
                set_key_error(key);
                null_mut()
            } else {
                new_ref(default)
            }
        };
        let mp = d(op);
        if (*mp).ma_used == 0 {
            return missing();
        }
        let hash = hash_of(key);
        if hash == -1 {
            return null_mut();
        }
        match lookup(mp, key, hash) {
            Err(()) => null_mut(),
            Ok(None) => missing(),
            Ok(Some(f)) => {
                let value = new_ref(entry((*mp).ma_keys, f.ix).value);
                remove_found(mp, f);
                value
            }
        }
    }
}

/// `d.pop(key[, default])`.
unsafe extern "C" fn dict_pop(
    op: *mut PyObject,
    args: *const *mut PyObject,
    nargs: Py_ssize_t,
) -> *mut PyObject {
    // SAFETY: a dict and `nargs` live arguments.
    unsafe {
        if !crate::python::getargs::check_positional("pop", nargs, 1, 2) {
            return null_mut();
        }
        let a = crate::python::getargs::args_slice(args, nargs);
        pop(op, a[0], a.get(1).copied().unwrap_or(null_mut()))
    }
}

/// `d.popitem()`: removes the last item and returns it as `(key, value)`; as CPython, the
/// table's entry count drops to that item's index (what `PyDict_Next` positions show).
unsafe extern "C" fn dict_popitem(op: *mut PyObject, _: *mut PyObject) -> *mut PyObject {
    // SAFETY: a dict; the key and value references move into the result.
    unsafe {
        let res = crate::objects::tupleobject::new_tuple(2);
        if res.is_null() {
            return res;
        }
        let mp = d(op);
        if (*mp).ma_used == 0 {
            decref(res);
            crate::python::errors::set_string(
                crate::exc!(KeyError),
                "popitem(): dictionary is empty",
            );
            return null_mut();
        }
        let k = (*mp).ma_keys;
        let mut i = (*k).nentries - 1;
        while entry(k, i).value.is_null() {
            i -= 1;
        }
        let e = entry(k, i);
        let mask = (*k).size - 1;
        let (mut slot, mut perturb) = probe_start(e.hash, mask);
        while *indices(k).add(slot) != i as isize {
            slot = probe_next(slot, &mut perturb, mask);
        }
        *indices(k).add(slot) = IX_DUMMY;
        let items = crate::objects::tupleobject::items(res);
        *items = e.key;
        *items.add(1) = e.value;
        e.key = null_mut();
        e.value = null_mut();
        (*k).nentries = i;
        (*mp).ma_used -= 1;
        (*mp).ma_version_tag = next_version();
        res
    }
}

unsafe extern "C" fn dict_keys(op: *mut PyObject, _: *mut PyObject) -> *mut PyObject {
    // SAFETY: a dict.
    unsafe {
        crate::objects::dictviews::new_view(op, &raw mut crate::objects::dictviews::PyDictKeys_Type)
    }
}

unsafe extern "C" fn dict_values(op: *mut PyObject, _: *mut PyObject) -> *mut PyObject {
    // SAFETY: a dict.
    unsafe {
        crate::objects::dictviews::new_view(
            op,
            &raw mut crate::objects::dictviews::PyDictValues_Type,
        )
    }
}

unsafe extern "C" fn dict_items(op: *mut PyObject, _: *mut PyObject) -> *mut PyObject {
    // SAFETY: a dict.
    unsafe {
        crate::objects::dictviews::new_view(
            op,
            &raw mut crate::objects::dictviews::PyDictItems_Type,
        )
    }
}

/// `d.update([E, ]**F)`.
unsafe extern "C" fn dict_update(
    op: *mut PyObject,
    args: *mut PyObject,
    kwds: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: as update_common.
    unsafe {
        if update_common(op, args, kwds, "update") < 0 {
            return null_mut();
        }
        new_ref(crate::objects::object_ops::none())
    }
}

unsafe extern "C" fn dict_clear_meth(op: *mut PyObject, _: *mut PyObject) -> *mut PyObject {
    // SAFETY: a dict.
    unsafe {
        clear_dict(op);
        new_ref(crate::objects::object_ops::none())
    }
}

unsafe extern "C" fn dict_copy_meth(op: *mut PyObject, _: *mut PyObject) -> *mut PyObject {
    // SAFETY: a dict.
    unsafe { copy_dict(op) }
}

/// `dict.fromkeys(iterable, value=None, /)` (a class method): `cls()` with every item of the
/// iterable as a key mapped to `value`.
unsafe extern "C" fn dict_fromkeys(
    cls: *mut PyObject,
    args: *const *mut PyObject,
    nargs: Py_ssize_t,
) -> *mut PyObject {
    // SAFETY: `cls` a type; `nargs` live arguments; every temporary is released.
    unsafe {
        if !crate::python::getargs::check_positional("fromkeys", nargs, 1, 2) {
            return null_mut();
        }
        let a = crate::python::getargs::args_slice(args, nargs);
        let iterable = a[0];
        let value = a
            .get(1)
            .copied()
            .unwrap_or(crate::objects::object_ops::none());
        let out = crate::objects::call::vectorcall(cls, core::ptr::null(), 0, null_mut());
        if out.is_null() {
            return out;
        }
        let exact = is_dict_exact(out);
        if exact && is_dict_exact(iterable) {
            // Sized once for all the keys, which come with their hashes.
            if resize(d(out), estimate_size((*d(iterable)).ma_used as usize)) < 0 {
                decref(out);
                return null_mut();
            }
            let mut pos = 0;
            while let Some((k, _)) = next_entry(iterable, &mut pos) {
                let k = new_ref(k);
                let r = set_item(out, k, value);
                decref(k);
                if r < 0 {
                    decref(out);
                    return null_mut();
                }
            }
            return out;
        }
        let it = crate::objects::iterobject::get_iter(iterable);
        if it.is_null() {
            decref(out);
            return null_mut();
        }
        loop {
            let k = crate::objects::iterobject::PyIter_Next(it);
            if k.is_null() {
                break;
            }
            let r = if exact {
                set_item(out, k, value)
            } else {
                crate::objects::abstract_::set_item(out, k, value)
            };
            decref(k);
            if r < 0 {
                break;
            }
        }
        decref(it);
        if !crate::python::errors::occurred().is_null() {
            decref(out);
            return null_mut();
        }
        out
    }
}

/// `d.__sizeof__()`: CPython 3.10's `_PyDict_SizeOf` for the same table: the object, plus the
/// keys table (CPython's 40-byte header, the index array of 1-, 2-, 4- or 8-byte indices and
/// 24-byte entries for its usable fraction) when the dict has one.
unsafe extern "C" fn dict_sizeof(op: *mut PyObject, _: *mut PyObject) -> *mut PyObject {
    // SAFETY: a dict.
    unsafe {
        let mut res = (*ty(op)).tp_basicsize as usize;
        let k = (*d(op)).ma_keys;
        if !k.is_null() {
            let size = (*k).size;
            let ix = if size <= 0xff {
                1
            } else if size <= 0xffff {
                2
            } else if size <= 0xffff_ffff {
                4
            } else {
                8
            };
            res += 40 + ix * size + 24 * usable_fraction(size);
        }
        crate::objects::longobject::PyLong_FromSize_t(res)
    }
}

unsafe extern "C" fn dict_reversed(op: *mut PyObject, _: *mut PyObject) -> *mut PyObject {
    // SAFETY: a dict.
    unsafe {
        crate::objects::dictviews::new_dict_iter(
            op,
            &raw mut crate::objects::dictviews::PyDictRevIterKey_Type,
        )
    }
}

/// `a | b` (`nb_or`): a copy of `a` updated from `b`, for two dicts; NotImplemented otherwise.
unsafe extern "C" fn dict_or(a: *mut PyObject, b: *mut PyObject) -> *mut PyObject {
    // SAFETY: live objects.
    unsafe {
        if !is_dict(a) || !is_dict(b) {
            return new_ref(crate::objects::object_ops::not_implemented());
        }
        let new = copy_dict(a);
        if new.is_null() {
            return new;
        }
        if update_arg(new, b) < 0 {
            decref(new);
            return null_mut();
        }
        new
    }
}

/// `a |= b` (`nb_inplace_or`): `a.update(b)` for any mapping or iterable of pairs `b`.
unsafe extern "C" fn dict_ior(a: *mut PyObject, b: *mut PyObject) -> *mut PyObject {
    // SAFETY: `a` is a dict (the slot's owner), `b` live.
    unsafe {
        if update_arg(a, b) < 0 {
            return null_mut();
        }
        new_ref(a)
    }
}

static mut DICT_AS_NUMBER: PyNumberMethods = PyNumberMethods {
    nb_or: Some(dict_or),
    nb_inplace_or: Some(dict_ior),
    ..crate::objects::longobject::EMPTY_NUMBER_METHODS
};

/// dict's Python-level methods, as CPython 3.10's (`__contains__` and `__getitem__` replace
/// the slot wrappers: `METH_COEXIST`). `__class_getitem__` returns a `types.GenericAlias`,
/// which pycoro has not (`slots_todo.txt`).
static mut DICT_METHODS: [crate::objects::methodobject::PyMethodDef; 16] = {
    use crate::objects::genobject::method;
    use crate::objects::methodobject::{
        METH_CLASS, METH_COEXIST, METH_KEYWORDS, METH_NOARGS, METH_O, METH_VARARGS,
    };
    use crate::python::getargs::fast_method;
    [
        method(
            c"__contains__",
            dict_contains_meth,
            METH_O | METH_COEXIST,
            c"__contains__($self, key, /)\n--\n\nTrue if the dictionary has the specified key, else False.",
        ),
        method(
            c"__getitem__",
            dict_subscript,
            METH_O | METH_COEXIST,
            c"x.__getitem__(y) <==> x[y]",
        ),
        method(
            c"__sizeof__",
            dict_sizeof,
            METH_NOARGS,
            c"D.__sizeof__() -> size of D in memory, in bytes",
        ),
        fast_method(
            c"get",
            dict_get,
            0,
            c"get($self, key, default=None, /)\n--\n\nReturn the value for key if key is in the dictionary, else default.",
        ),
        fast_method(
            c"setdefault",
            dict_setdefault,
            0,
            c"setdefault($self, key, default=None, /)\n--\n\nInsert key with a value of default if key is not in the dictionary.\n\nReturn the value for key if key is in the dictionary, else default.",
        ),
        fast_method(
            c"pop",
            dict_pop,
            0,
            c"pop($self, key, default=<unrepresentable>, /)\n--\n\nD.pop(k[,d]) -> v, remove specified key and return the corresponding value.\n\nIf the key is not found, return the default if given; otherwise,\nraise a KeyError.",
        ),
        method(
            c"popitem",
            dict_popitem,
            METH_NOARGS,
            c"popitem($self, /)\n--\n\nRemove and return a (key, value) pair as a 2-tuple.\n\nPairs are returned in LIFO (last-in, first-out) order.\nRaises KeyError if the dict is empty.",
        ),
        method(
            c"keys",
            dict_keys,
            METH_NOARGS,
            c"D.keys() -> a set-like object providing a view on D's keys",
        ),
        method(
            c"items",
            dict_items,
            METH_NOARGS,
            c"D.items() -> a set-like object providing a view on D's items",
        ),
        method(
            c"values",
            dict_values,
            METH_NOARGS,
            c"D.values() -> an object providing a view on D's values",
        ),
        crate::objects::methodobject::PyMethodDef {
            ml_name: c"update".as_ptr(),
            // SAFETY: METH_VARARGS | METH_KEYWORDS: called back as a three-argument function.
            ml_meth: Some(unsafe {
                core::mem::transmute::<
                    unsafe extern "C" fn(*mut PyObject, *mut PyObject, *mut PyObject) -> *mut PyObject,
                    unsafe extern "C" fn(*mut PyObject, *mut PyObject) -> *mut PyObject,
                >(dict_update)
            }),
            ml_flags: METH_VARARGS | METH_KEYWORDS,
            ml_doc: c"D.update([E, ]**F) -> None.  Update D from dict/iterable E and F.\nIf E is present and has a .keys() method, then does:  for k in E: D[k] = E[k]\nIf E is present and lacks a .keys() method, then does:  for k, v in E: D[k] = v\nIn either case, this is followed by: for k in F:  D[k] = F[k]".as_ptr(),
        },
        fast_method(
            c"fromkeys",
            dict_fromkeys,
            METH_CLASS,
            c"fromkeys($type, iterable, value=None, /)\n--\n\nCreate a new dictionary with keys from iterable and values set to value.",
        ),
        method(
            c"clear",
            dict_clear_meth,
            METH_NOARGS,
            c"D.clear() -> None.  Remove all items from D.",
        ),
        method(
            c"copy",
            dict_copy_meth,
            METH_NOARGS,
            c"D.copy() -> a shallow copy of D",
        ),
        method(
            c"__reversed__",
            dict_reversed,
            METH_NOARGS,
            c"__reversed__($self, /)\n--\n\nReturn a reverse iterator over the dict keys.",
        ),
        crate::objects::methodobject::PyMethodDef::SENTINEL,
    ]
};

/// The type `dict`.
#[unsafe(no_mangle)]
pub static mut PyDict_Type: PyTypeObject = PyTypeObject {
    tp_methods: (&raw mut DICT_METHODS) as *mut crate::objects::methodobject::PyMethodDef,
    tp_getattro: Some(crate::objects::object_ops::PyObject_GenericGetAttr),
    tp_dealloc: Some(dict_dealloc),
    tp_hash: Some(crate::objects::object_ops::PyObject_HashNotImplemented),
    tp_traverse: Some(dict_traverse),
    tp_clear: Some(dict_tp_clear),
    tp_as_mapping: &raw mut DICT_AS_MAPPING,
    tp_as_sequence: &raw mut DICT_AS_SEQUENCE,
    tp_repr: Some(dict_repr),
    tp_richcompare: Some(dict_richcompare),
    tp_iter: Some(crate::objects::dictviews::dict_iter),
    tp_new: Some(dict_new),
    tp_init: Some(dict_init),
    tp_vectorcall: Some(dict_vectorcall),
    tp_as_number: &raw mut DICT_AS_NUMBER,
    tp_doc: c"dict() -> new empty dictionary\ndict(mapping) -> new dictionary initialized from a mapping object's\n    (key, value) pairs\ndict(iterable) -> new dictionary initialized as if via:\n    d = {}\n    for k, v in iterable:\n        d[k] = v\ndict(**kwargs) -> new dictionary initialized with the name=value pairs\n    in the keyword argument list.  For example:  dict(one=1, two=2)".as_ptr(),
    ..static_type(
        c"dict",
        size_of::<PyDictObject>(),
        Py_TPFLAGS_BASETYPE
            | Py_TPFLAGS_HAVE_GC
            | Py_TPFLAGS_DICT_SUBCLASS
            | Py_TPFLAGS_MAPPING
            | TPFLAGS_MATCH_SELF,
    )
};

// ---- the C API ----

/// Checks that `op` is a dict, else sets `SystemError("bad argument to internal function")`.
#[inline]
unsafe fn check_dict(op: *mut PyObject) -> bool {
    // SAFETY: NULL or live.
    unsafe {
        if op.is_null() || !is_dict(op) {
            bad_internal_call();
            return false;
        }
        true
    }
}

/// A str from a C string key; NULL with an exception set.
unsafe fn key_from_c(key: *const c_char) -> *mut PyObject {
    // SAFETY: NUL-terminated by the caller's contract.
    unsafe { crate::objects::unicodeobject::decode_utf8(CStr::from_ptr(key).to_bytes()) }
}

/// Returns a new empty dictionary.
///
/// Return value: New reference, or NULL with `MemoryError` set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyDict_New() -> *mut PyObject {
    // SAFETY: allocation.
    guard("PyDict_New", null_mut(), || unsafe { new_dict() })
}

/// Inserts `val` into the dictionary `p` with key `key` (which must be hashable), replacing any
/// value it had. Does not steal references: the dict takes new references to `key` and `val`.
/// Returns 0, or -1 with an exception set (`TypeError: unhashable type`, an exception from the
/// key's `__eq__`, `SystemError` if `p` is not a dict or an argument is NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyDict_SetItem(
    p: *mut PyObject,
    key: *mut PyObject,
    val: *mut PyObject,
) -> c_int {
    guard("PyDict_SetItem", -1, || {
        // SAFETY: checked below; live objects otherwise.
        unsafe {
            if !check_dict(p) {
                return -1;
            }
            if key.is_null() {
                bad_internal_call();
                return -1;
            }
            if val.is_null() {
                bad_internal_call();
                return -1;
            }
            set_item(p, key, val)
        }
    })
}

/// As `PyDict_SetItem` with the key given as a UTF-8 C string (a str is made from it; unlike
/// CPython, pycoro does not intern it). Returns 0, or -1 with an exception set
/// (`UnicodeDecodeError` for invalid UTF-8).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyDict_SetItemString(
    p: *mut PyObject,
    key: *const c_char,
    val: *mut PyObject,
) -> c_int {
    guard("PyDict_SetItemString", -1, || {
        // SAFETY: checked below.
        unsafe {
            if !check_dict(p) {
                return -1;
            }
            if key.is_null() {
                bad_internal_call();
                return -1;
            }
            if val.is_null() {
                bad_internal_call();
                return -1;
            }
            // (CPython also interns the key; pycoro's interned strings are immortal, so a
            // program inserting ever new keys would keep them all: the key stays a plain str.)
            let k = key_from_c(key);
            if k.is_null() {
                return -1;
            }
            let r = set_item(p, k, val);
            decref(k);
            r
        }
    })
}

/// Returns the value of `key` in the dictionary `p`, or NULL if it is absent, WITHOUT setting
/// an exception: errors while hashing or comparing (and a non-dict `p`) are suppressed, and an
/// exception that was already set is kept (except when hashing `key` fails: then, as in
/// CPython 3.10, every exception is cleared). Prefer `PyDict_GetItemWithError`. A NULL
/// argument (where CPython crashes) returns NULL with `SystemError` set.
///
/// Return value: Borrowed reference.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyDict_GetItem(p: *mut PyObject, key: *mut PyObject) -> *mut PyObject {
    if p.is_null() || key.is_null() {
        // SAFETY: setting the error indicator (CPython would crash).
        unsafe { bad_internal_call() };
        return null_mut();
    }
    guard("PyDict_GetItem", null_mut(), || {
        // SAFETY: live objects; the pending exception is saved and put back.
        unsafe {
            if !is_dict(p) {
                return null_mut();
            }
            get_item_suppressed(p, key)
        }
    })
}

/// Returns the value of `key` in the dictionary `p`; NULL without an exception if it is
/// absent, NULL with an exception set on error (`TypeError: unhashable type`, an exception
/// from `__eq__`, `SystemError` if `p` is not a dict).
///
/// Return value: Borrowed reference.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyDict_GetItemWithError(
    p: *mut PyObject,
    key: *mut PyObject,
) -> *mut PyObject {
    guard("PyDict_GetItemWithError", null_mut(), || {
        // SAFETY: checked below.
        unsafe {
            if !check_dict(p) {
                return null_mut();
            }
            if key.is_null() {
                bad_internal_call();
                return null_mut();
            }
            get_item(p, key).unwrap_or(null_mut())
        }
    })
}

/// As `PyDict_GetItem` with the key given as a UTF-8 C string; errors (invalid UTF-8 too) are
/// suppressed. A NULL argument returns NULL with `SystemError` set.
///
/// Return value: Borrowed reference.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyDict_GetItemString(
    p: *mut PyObject,
    key: *const c_char,
) -> *mut PyObject {
    if p.is_null() || key.is_null() {
        // SAFETY: setting the error indicator (CPython would crash).
        unsafe { bad_internal_call() };
        return null_mut();
    }
    guard("PyDict_GetItemString", null_mut(), || {
        // SAFETY: live dict or not; NUL-terminated key.
        unsafe {
            let k = key_from_c(key);
            if k.is_null() {
                crate::python::errors::restore(null_mut(), null_mut(), null_mut());
                return null_mut();
            }
            let r = if is_dict(p) {
                get_item_suppressed(p, k)
            } else {
                null_mut()
            };
            decref(k);
            r
        }
    })
}

/// Removes the entry with key `key` from the dictionary `p`. Returns 0, or -1 with an
/// exception set (`KeyError(key)` when it is absent, `TypeError: unhashable type`,
/// `SystemError` if `p` is not a dict).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyDict_DelItem(p: *mut PyObject, key: *mut PyObject) -> c_int {
    guard("PyDict_DelItem", -1, || {
        // SAFETY: checked below.
        unsafe {
            if !check_dict(p) {
                return -1;
            }
            if key.is_null() {
                bad_internal_call();
                return -1;
            }
            del_item(p, key)
        }
    })
}

/// As `PyDict_DelItem` with the key given as a UTF-8 C string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyDict_DelItemString(p: *mut PyObject, key: *const c_char) -> c_int {
    guard("PyDict_DelItemString", -1, || {
        // SAFETY: checked below.
        unsafe {
            if !check_dict(p) {
                return -1;
            }
            if key.is_null() {
                bad_internal_call();
                return -1;
            }
            let k = key_from_c(key);
            if k.is_null() {
                return -1;
            }
            let r = del_item(p, k);
            decref(k);
            r
        }
    })
}

/// Returns 1 if the dictionary `p` has the key `key`, 0 if not, -1 with an exception set on
/// error (`TypeError: unhashable type`; `SystemError` if `p` is not a dict — CPython crashes).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyDict_Contains(p: *mut PyObject, key: *mut PyObject) -> c_int {
    guard("PyDict_Contains", -1, || {
        // SAFETY: checked below.
        unsafe {
            if !check_dict(p) {
                return -1;
            }
            if key.is_null() {
                bad_internal_call();
                return -1;
            }
            dict_contains(p, key)
        }
    })
}

/// Returns the number of items in the dictionary `p`, or -1 with `SystemError` set if it is
/// not a dict.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyDict_Size(p: *mut PyObject) -> Py_ssize_t {
    // SAFETY: checked.
    unsafe {
        if !check_dict(p) {
            return -1;
        }
        (*d(p)).ma_used
    }
}

/// Iterates over the items of the dictionary `p`: start with `*ppos = 0`; each call stores the
/// next key and value in `*pkey` and `*pvalue` (either may be NULL) and returns 1, or returns
/// 0 when there are no more (or `p` is not a dict; no exception is set). `*ppos` is an entry
/// index, not a count. The dict must not change size while it is iterated. A NULL `p` or
/// `ppos` returns 0 with `SystemError` set.
///
/// `*pkey` and `*pvalue` are Borrowed references.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyDict_Next(
    p: *mut PyObject,
    ppos: *mut Py_ssize_t,
    pkey: *mut *mut PyObject,
    pvalue: *mut *mut PyObject,
) -> c_int {
    if p.is_null() || ppos.is_null() {
        // SAFETY: setting the error indicator (CPython would crash).
        unsafe { bad_internal_call() };
        return 0;
    }
    guard("PyDict_Next", 0, || {
        // SAFETY: live dict or not; writable out-parameters when not NULL.
        unsafe {
            if !is_dict(p) {
                return 0;
            }
            match next_entry(p, &mut *ppos) {
                None => 0,
                Some((k, v)) => {
                    if !pkey.is_null() {
                        *pkey = k;
                    }
                    if !pvalue.is_null() {
                        *pvalue = v;
                    }
                    1
                }
            }
        }
    })
}

/// Removes every item of the dictionary `p` (nothing happens if `p` is not a dict; a NULL `p`
/// sets `SystemError`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyDict_Clear(p: *mut PyObject) {
    if p.is_null() {
        // SAFETY: setting the error indicator (CPython would crash).
        unsafe { bad_internal_call() };
        return;
    }
    guard("PyDict_Clear", (), || {
        // SAFETY: live object.
        unsafe {
            if is_dict(p) {
                clear_dict(p);
            }
        }
    })
}

/// Returns a new dictionary with the same items as `p` (a shallow copy, in the same order).
///
/// Return value: New reference, or NULL with an exception set (`SystemError` if `p` is not a
/// dict, `MemoryError`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyDict_Copy(p: *mut PyObject) -> *mut PyObject {
    guard("PyDict_Copy", null_mut(), || {
        // SAFETY: checked.
        unsafe {
            if !check_dict(p) {
                return null_mut();
            }
            copy_dict(p)
        }
    })
}

/// A list made from every live entry of a checked dict by `f` (new references). Making the
/// list or `f`'s tuples may run a collection, whose finalizers may change the dict: then it
/// starts over (as CPython does when the dict changed size).
unsafe fn entries_list(
    op: *mut PyObject,
    f: unsafe fn(*mut PyObject, *mut PyObject) -> *mut PyObject,
) -> *mut PyObject {
    // SAFETY: a live dict; each key and value is held while `f` runs; the list is filled only
    // up to the size it was made for.
    unsafe {
        'again: loop {
            let n = (*d(op)).ma_used;
            let out = crate::objects::listobject::new_list(n);
            if out.is_null() {
                return out;
            }
            if (*d(op)).ma_used != n {
                decref(out);
                continue 'again;
            }
            let items = (*(out as *mut crate::objects::listobject::PyListObject)).ob_item;
            let version = (*d(op)).ma_version_tag;
            let mut pos = 0;
            let mut i = 0;
            while let Some((k, v)) = next_entry(op, &mut pos) {
                let (k, v) = (new_ref(k), new_ref(v));
                let x = f(k, v);
                decref(k);
                decref(v);
                if x.is_null() {
                    decref(out);
                    return null_mut();
                }
                if (*d(op)).ma_version_tag != version || i >= n as usize {
                    decref(x);
                    decref(out);
                    continue 'again;
                }
                *items.add(i) = x;
                i += 1;
            }
            return out;
        }
    }
}

unsafe fn pick_key(k: *mut PyObject, _v: *mut PyObject) -> *mut PyObject {
    // SAFETY: live key.
    unsafe { new_ref(k) }
}

unsafe fn pick_value(_k: *mut PyObject, v: *mut PyObject) -> *mut PyObject {
    // SAFETY: live value.
    unsafe { new_ref(v) }
}

unsafe fn pick_item(k: *mut PyObject, v: *mut PyObject) -> *mut PyObject {
    // SAFETY: live key and value.
    unsafe { crate::objects::tupleobject::tuple_from(&[k, v]) }
}

/// Returns a list of the keys of the dictionary `p`, in iteration order.
///
/// Return value: New reference, or NULL with an exception set (`SystemError` if `p` is not a
/// dict).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyDict_Keys(p: *mut PyObject) -> *mut PyObject {
    guard("PyDict_Keys", null_mut(), || {
        // SAFETY: checked.
        unsafe {
            if !check_dict(p) {
                return null_mut();
            }
            entries_list(p, pick_key)
        }
    })
}

/// Returns a list of the values of the dictionary `p`, in iteration order.
///
/// Return value: New reference, or NULL with an exception set (`SystemError` if `p` is not a
/// dict).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyDict_Values(p: *mut PyObject) -> *mut PyObject {
    guard("PyDict_Values", null_mut(), || {
        // SAFETY: checked.
        unsafe {
            if !check_dict(p) {
                return null_mut();
            }
            entries_list(p, pick_value)
        }
    })
}

/// Returns a list of `(key, value)` tuples of the dictionary `p`, in iteration order.
///
/// Return value: New reference, or NULL with an exception set (`SystemError` if `p` is not a
/// dict).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyDict_Items(p: *mut PyObject) -> *mut PyObject {
    guard("PyDict_Items", null_mut(), || {
        // SAFETY: checked.
        unsafe {
            if !check_dict(p) {
                return null_mut();
            }
            entries_list(p, pick_item)
        }
    })
}

/// Inserts (`key`, `value`) into a checked dict as `dict_merge`'s `override` says: 1 replaces,
/// 0 keeps an existing value, 2 raises `KeyError(key)` for an existing key.
unsafe fn merge_one(
    a: *mut PyObject,
    key: *mut PyObject,
    hash: Py_hash_t,
    value: *mut PyObject,
    override_: c_int,
) -> c_int {
    // SAFETY: a live dict and live objects.
    unsafe {
        if override_ != 1 {
            match lookup(d(a), key, hash) {
                Err(()) => return -1,
                Ok(Some(_)) => {
                    if override_ != 0 {
                        set_key_error(key);
                        return -1;
                    }
                    return 0;
                }
                Ok(None) => {}
            }
        }
        insert(d(a), new_ref(key), hash, new_ref(value))
    }
}

/// `dict_merge`: the items of the mapping `b` into the checked dict `a`.
unsafe fn merge(a: *mut PyObject, b: *mut PyObject, override_: c_int) -> c_int {
    // SAFETY: live objects; `b`'s entries are re-read after each insertion (which may run
    // arbitrary code), and a change of `b` meanwhile is an error, as in CPython.
    unsafe {
        if is_dict(b)
            && (*ty(b)).tp_iter.is_some_and(|f| {
                core::ptr::fn_addr_eq(
                    f,
                    crate::objects::dictviews::dict_iter as unsafe extern "C" fn(_) -> _,
                )
            })
        {
            if a == b || (*d(b)).ma_used == 0 {
                return 0;
            }
            // One resize up front for all of b's items, as CPython does (it decides when the
            // entries of `a` are compacted, which PyDict_Next's positions show).
            let ka = (*d(a)).ma_keys;
            let capacity = if ka.is_null() {
                0
            } else {
                usable_fraction((*ka).size)
            };
            if capacity < (*d(b)).ma_used as usize {
                let want = estimate_size(((*d(a)).ma_used + (*d(b)).ma_used) as usize);
                if resize(d(a), want) < 0 {
                    return -1;
                }
            }
            let k0 = (*d(b)).ma_keys;
            let n = (*k0).nentries;
            let mut i = 0;
            while i < n {
                let kb = (*d(b)).ma_keys;
                let e = entry(kb, i);
                i += 1;
                if e.value.is_null() {
                    continue;
                }
                let (key, value, hash) = (new_ref(e.key), new_ref(e.value), e.hash);
                let err = merge_one(a, key, hash, value, override_);
                decref(value);
                decref(key);
                if err != 0 {
                    return -1;
                }
                let kb = (*d(b)).ma_keys;
                if kb.is_null() || (*kb).nentries != n {
                    crate::python::errors::set_string(
                        crate::exc!(RuntimeError),
                        "dict mutated during update",
                    );
                    return -1;
                }
            }
            return 0;
        }
        // A generic mapping: its keys(), then b[key] for each.
        let keys = crate::objects::call::call_method(b, "keys", &[]);
        if keys.is_null() {
            return -1;
        }
        let it = crate::objects::iterobject::get_iter(keys);
        decref(keys);
        if it.is_null() {
            return -1;
        }
        let r = loop {
            let key = crate::objects::iterobject::PyIter_Next(it);
            if key.is_null() {
                break if crate::python::errors::occurred().is_null() {
                    0
                } else {
                    -1
                };
            }
            let hash = hash_of(key);
            let value = if hash == -1 {
                null_mut()
            } else {
                crate::objects::abstract_::get_item(b, key)
            };
            let err = if value.is_null() {
                -1
            } else {
                merge_one(a, key, hash, value, override_)
            };
            crate::capi::ffi::xdecref(value);
            decref(key);
            if err != 0 {
                break -1;
            }
        };
        decref(it);
        r
    }
}

/// Merges the items of the mapping `b` into the dictionary `a`: `b` is a dict, or any object
/// with a `keys()` method and item access. With `override` nonzero existing keys get `b`'s
/// values, otherwise they keep theirs. Returns 0, or -1 with an exception set (`SystemError`
/// if `a` is not a dict or `b` is NULL; `RuntimeError("dict mutated during update")`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyDict_Merge(
    a: *mut PyObject,
    b: *mut PyObject,
    r#override: c_int,
) -> c_int {
    guard("PyDict_Merge", -1, || {
        // SAFETY: checked.
        unsafe {
            if !check_dict(a) {
                return -1;
            }
            if b.is_null() {
                bad_internal_call();
                return -1;
            }
            merge(a, b, (r#override != 0) as c_int)
        }
    })
}

/// `a.update(b)` for a mapping `b`: `PyDict_Merge(a, b, 1)`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyDict_Update(a: *mut PyObject, b: *mut PyObject) -> c_int {
    guard("PyDict_Update", -1, || {
        // SAFETY: checked.
        unsafe {
            if !check_dict(a) {
                return -1;
            }
            if b.is_null() {
                bad_internal_call();
                return -1;
            }
            merge(a, b, 1)
        }
    })
}

/// Updates the dictionary `d` from `seq2`, an iterable of key/value pairs (each an iterable of
/// exactly two items). With `override` nonzero later pairs replace existing values, otherwise
/// existing keys are kept. Returns 0, or -1 with an exception set (`TypeError("cannot convert
/// dictionary update sequence element #N to a sequence")`, `ValueError("dictionary update
/// sequence element #N has length L; 2 is required")`, `SystemError` if `d` is not a dict).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyDict_MergeFromSeq2(
    d_: *mut PyObject,
    seq2: *mut PyObject,
    r#override: c_int,
) -> c_int {
    guard("PyDict_MergeFromSeq2", -1, || {
        // SAFETY: checked; every temporary is released.
        unsafe {
            if !check_dict(d_) {
                return -1;
            }
            if seq2.is_null() {
                bad_internal_call();
                return -1;
            }
            let it = crate::objects::iterobject::get_iter(seq2);
            if it.is_null() {
                return -1;
            }
            let mut i: Py_ssize_t = 0;
            let r = loop {
                let item = crate::objects::iterobject::PyIter_Next(it);
                if item.is_null() {
                    break if crate::python::errors::occurred().is_null() {
                        0
                    } else {
                        -1
                    };
                }
                let pair = pair_of(item, i);
                decref(item);
                let Some((key, value)) = pair else {
                    break -1;
                };
                let err = if r#override != 0 {
                    set_item(d_, key, value)
                } else {
                    let hash = hash_of(key);
                    if hash == -1 {
                        -1
                    } else {
                        merge_one(d_, key, hash, value, 0)
                    }
                };
                decref(key);
                decref(value);
                if err < 0 {
                    break -1;
                }
                i += 1;
            };
            decref(it);
            r
        }
    })
}

/// The two items of update-sequence element `item` (number `i`), as new references; None with
/// CPython's exception set.
unsafe fn pair_of(item: *mut PyObject, i: Py_ssize_t) -> Option<(*mut PyObject, *mut PyObject)> {
    // SAFETY: a live object; the temporary list is released.
    unsafe {
        let fast = if crate::objects::listobject::is_list(item)
            || crate::objects::tupleobject::is_tuple(item)
        {
            new_ref(item)
        } else {
            let it = crate::objects::iterobject::get_iter(item);
            if it.is_null() {
                if crate::python::errors::matches(crate::exc!(TypeError)) {
                    crate::python::errors::set_format(
                        crate::exc!(TypeError),
                        format_args!(
                            "cannot convert dictionary update sequence element #{i} to a sequence"
                        ),
                    );
                }
                return None;
            }
            let l = crate::objects::listobject::new_list(0);
            if l.is_null() || crate::objects::listobject::extend(l, it) < 0 {
                crate::capi::ffi::xdecref(l);
                decref(it);
                return None;
            }
            decref(it);
            l
        };
        let items: &[*mut PyObject] = if crate::objects::listobject::is_list(fast) {
            crate::objects::listobject::as_slice(fast)
        } else {
            crate::objects::tupleobject::as_slice(fast)
        };
        if items.len() != 2 {
            crate::python::errors::set_format(
                crate::exc!(ValueError),
                format_args!(
                    "dictionary update sequence element #{i} has length {}; 2 is required",
                    items.len()
                ),
            );
            decref(fast);
            return None;
        }
        let r = (new_ref(items[0]), new_ref(items[1]));
        decref(fast);
        Some(r)
    }
}

/// `d.setdefault(key, defaultobj)`: the value of `key` in the dictionary `d`; if it is absent,
/// `defaultobj` is inserted first (the dict takes a new reference) and returned.
///
/// Return value: Borrowed reference, or NULL with an exception set (`TypeError: unhashable
/// type`, `SystemError` if `d` is not a dict or an argument is NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyDict_SetDefault(
    d_: *mut PyObject,
    key: *mut PyObject,
    defaultobj: *mut PyObject,
) -> *mut PyObject {
    guard("PyDict_SetDefault", null_mut(), || {
        // SAFETY: checked.
        unsafe {
            if !check_dict(d_) {
                return null_mut();
            }
            if key.is_null() || defaultobj.is_null() {
                bad_internal_call();
                return null_mut();
            }
            let hash = hash_of(key);
            if hash == -1 {
                return null_mut();
            }
            let mp = d(d_);
            match lookup(mp, key, hash) {
                Err(()) => null_mut(),
                Ok(Some(f)) => entry((*mp).ma_keys, f.ix).value,
                Ok(None) => {
                    if insert(mp, new_ref(key), hash, new_ref(defaultobj)) < 0 {
                        return null_mut();
                    }
                    defaultobj
                }
            }
        }
    })
}
