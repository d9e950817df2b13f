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

/// A copy of a checked dict (same order). Return value: New reference, or NULL.
pub(crate) unsafe fn copy_dict(op: *mut PyObject) -> *mut PyObject {
    // SAFETY: live dict; the copy shares no table with it.
    unsafe {
        let new = new_dict();
        if new.is_null() {
            return new;
        }
        let used = (*d(op)).ma_used as usize;
        if used > 0 {
            if resize(d(new), estimate_size(used)) < 0 {
                decref(new);
                return null_mut();
            }
            let src = (*d(op)).ma_keys;
            let dst = (*d(new)).ma_keys;
            let mut n = 0;
            for i in 0..(*src).nentries {
                let e = entry(src, i);
                if e.value.is_null() {
                    continue;
                }
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
        }
        if crate::modules::gcmodule::PyObject_GC_IsTracked(op) == 1 {
            track(new);
        }
        new
    }
}

// ---- the type ----

unsafe extern "C" fn dict_dealloc(op: *mut PyObject) {
    // SAFETY: a dying dict: untracked first, then its items released.
    unsafe {
        untrack(op);
        let k = (*d(op)).ma_keys;
        (*d(op)).ma_keys = null_mut();
        if !k.is_null() {
            release_table(k);
        }
        crate::modules::gcmodule::free_object(op);
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

static mut DICT_AS_MAPPING: PyMappingMethods = PyMappingMethods {
    mp_length: Some(dict_length),
    mp_subscript: Some(dict_subscript),
    mp_ass_subscript: Some(dict_ass_sub),
};

static mut DICT_AS_SEQUENCE: PySequenceMethods = PySequenceMethods {
    sq_contains: Some(dict_contains),
    ..crate::objects::longobject::EMPTY_SEQUENCE_METHODS
};

/// The type `dict`.
#[unsafe(no_mangle)]
pub static mut PyDict_Type: PyTypeObject = PyTypeObject {
    tp_dealloc: Some(dict_dealloc),
    tp_hash: Some(crate::objects::object_ops::PyObject_HashNotImplemented),
    tp_traverse: Some(dict_traverse),
    tp_clear: Some(dict_tp_clear),
    tp_as_mapping: &raw mut DICT_AS_MAPPING,
    tp_as_sequence: &raw mut DICT_AS_SEQUENCE,
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

/// As `PyDict_SetItem` with the key given as a UTF-8 C string (a str is made from it).
/// Returns 0, or -1 with an exception set.
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
            let mut k = key_from_c(key);
            if k.is_null() {
                return -1;
            }
            crate::objects::unicodeobject::PyUnicode_InternInPlace(&mut k);
            let r = set_item(p, k, val);
            decref(k);
            r
        }
    })
}

/// Returns the value of `key` in the dictionary `p`, or NULL if it is absent, WITHOUT setting
/// an exception: errors while hashing or comparing (and a non-dict `p`) are suppressed, and an
/// exception that was already set is kept. Prefer `PyDict_GetItemWithError`.
///
/// Return value: Borrowed reference.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyDict_GetItem(p: *mut PyObject, key: *mut PyObject) -> *mut PyObject {
    if p.is_null() || key.is_null() {
        return null_mut();
    }
    guard("PyDict_GetItem", null_mut(), || {
        // SAFETY: live objects; the pending exception is saved and put back.
        unsafe {
            if !is_dict(p) {
                return null_mut();
            }
            let (t, v, tb) = crate::python::errors::fetch();
            let r = get_item(p, key).unwrap_or(null_mut());
            crate::python::errors::restore(t, v, tb);
            r
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
/// suppressed.
///
/// Return value: Borrowed reference.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyDict_GetItemString(
    p: *mut PyObject,
    key: *const c_char,
) -> *mut PyObject {
    if p.is_null() || key.is_null() {
        return null_mut();
    }
    guard("PyDict_GetItemString", null_mut(), || {
        // SAFETY: live dict or not; NUL-terminated key.
        unsafe {
            let (t, v, tb) = crate::python::errors::fetch();
            let k = key_from_c(key);
            let r = if k.is_null() || !is_dict(p) {
                null_mut()
            } else {
                get_item(p, k).unwrap_or(null_mut())
            };
            crate::capi::ffi::xdecref(k);
            crate::python::errors::restore(t, v, tb);
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
/// index, not a count. The dict must not change size while it is iterated.
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

/// Removes every item of the dictionary `p` (nothing happens if `p` is not a dict).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyDict_Clear(p: *mut PyObject) {
    if p.is_null() {
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
