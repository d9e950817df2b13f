//! `Objects/listobject.c`: `list`, with CPython 3.10's `PyListObject` layout (40 bytes: the
//! items live in a separate array `ob_item` of `allocated` slots, `ob_size` of them in use) and
//! its growth pattern, so `allocated` reads as in CPython after the same operations.

use crate::capi::boundary::guard;
use crate::capi::ffi::{decref, new_ref, size, ty, type_has, xdecref};
use crate::modules::gcmodule::{track, untrack};
use crate::objects::object::*;
use crate::objects::typeobject::{static_type, tp_name_of};
use crate::objects::unicodeobject::{str_as, str_from};
use crate::python::errors::{bad_internal_call, set_string};
use core::ffi::{c_int, c_void};
use core::mem::{offset_of, size_of};
use core::ptr::null_mut;
use static_assertions::const_assert_eq;

/// A list: CPython 3.10's `PyListObject`.
#[repr(C)]
pub struct PyListObject {
    pub ob_base: PyVarObject,
    /// The item array (`allocated` slots; the first `ob_size` hold the items). NULL when
    /// `allocated` is 0.
    pub ob_item: *mut *mut PyObject,
    /// Slots in `ob_item`.
    pub allocated: Py_ssize_t,
}

const_assert_eq!(size_of::<PyListObject>(), 40);
const_assert_eq!(offset_of!(PyListObject, ob_item), 24);
const_assert_eq!(offset_of!(PyListObject, allocated), 32);

/// `_Py_TPFLAGS_MATCH_SELF` (3.10).
const TPFLAGS_MATCH_SELF: core::ffi::c_ulong = 1 << 22;

#[inline]
fn l(op: *mut PyObject) -> *mut PyListObject {
    op as *mut PyListObject
}

/// `PyList_Check`.
#[inline]
pub(crate) unsafe fn is_list(op: *mut PyObject) -> bool {
    // SAFETY: live object.
    unsafe { type_has(op, Py_TPFLAGS_LIST_SUBCLASS) }
}

/// The items as a slice (borrowed; invalid after any change of the list).
#[inline]
pub(crate) unsafe fn as_slice<'a>(op: *mut PyObject) -> &'a [*mut PyObject] {
    // SAFETY: a list: `ob_size` initialized items (none when `ob_item` is NULL).
    unsafe {
        let n = size(op);
        if n <= 0 || (*l(op)).ob_item.is_null() {
            return &[];
        }
        core::slice::from_raw_parts((*l(op)).ob_item, n as usize)
    }
}

#[inline]
unsafe fn set_size(op: *mut PyObject, n: Py_ssize_t) {
    // SAFETY: a list.
    unsafe { (*(op as *mut PyVarObject)).ob_size = n }
}

/// `list_resize`: makes room for `newsize` items with CPython 3.10's over-allocation, and sets
/// `ob_size` to `newsize` (new slots are uninitialized: the caller fills them). -1 with
/// `MemoryError` set.
unsafe fn resize(op: *mut PyObject, newsize: Py_ssize_t) -> c_int {
    // SAFETY: a list; the array is reallocated with room for `allocated` slots.
    unsafe {
        let lp = l(op);
        let allocated = (*lp).allocated;
        if allocated >= newsize && newsize >= (allocated >> 1) {
            set_size(op, newsize);
            return 0;
        }
        let n = newsize as usize;
        let mut new_allocated = (n + (n >> 3) + 6) & !3usize;
        // Do not over-allocate when the new size is closer to that than to the old size.
        if (newsize - size(op)) as isize > (new_allocated as isize - newsize) {
            new_allocated = (n + 3) & !3usize;
        }
        if newsize == 0 {
            new_allocated = 0;
        }
        let Some(bytes) = new_allocated.checked_mul(size_of::<*mut PyObject>()) else {
            crate::python::errors::no_memory();
            return -1;
        };
        let items = if new_allocated == 0 {
            crate::objects::obmalloc::raw_free((*lp).ob_item as *mut c_void);
            null_mut()
        } else {
            let p = crate::objects::obmalloc::raw_realloc((*lp).ob_item as *mut c_void, bytes)
                as *mut *mut PyObject;
            if p.is_null() {
                crate::python::errors::no_memory();
                return -1;
            }
            p
        };
        (*lp).ob_item = items;
        (*lp).allocated = new_allocated as Py_ssize_t;
        set_size(op, newsize);
        0
    }
}

/// A new list of `n` NULL items (tracked). Return value: New reference, or NULL.
pub(crate) unsafe fn new_list(n: Py_ssize_t) -> *mut PyObject {
    // SAFETY: the object and its zeroed item array are allocated before use.
    unsafe {
        let items = if n > 0 {
            let p = crate::objects::obmalloc::raw_calloc(n as usize, size_of::<*mut PyObject>())
                as *mut *mut PyObject;
            if p.is_null() {
                return crate::python::errors::no_memory();
            }
            p
        } else {
            null_mut()
        };
        let op =
            crate::modules::gcmodule::alloc_object(&raw mut PyList_Type, size_of::<PyListObject>());
        if op.is_null() {
            crate::objects::obmalloc::raw_free(items as *mut c_void);
            return op;
        }
        set_size(op, n.max(0));
        (*l(op)).ob_item = items;
        (*l(op)).allocated = n.max(0);
        track(op);
        op
    }
}

/// A list holding new references to `objs`. Return value: New reference, or NULL.
///
/// `objs` must stay valid while the list is allocated, which may run a collection and so
/// arbitrary finalizers: pass owned references or a tuple's items, never a list's (use
/// `snapshot` for those).
pub(crate) unsafe fn list_from(objs: &[*mut PyObject]) -> *mut PyObject {
    // SAFETY: live objects.
    unsafe {
        let op = new_list(objs.len() as Py_ssize_t);
        if op.is_null() {
            return op;
        }
        for (i, &o) in objs.iter().enumerate() {
            *(*l(op)).ob_item.add(i) = new_ref(o);
        }
        op
    }
}

/// New references to the items `lo..hi` (clamped) of a list, in a Rust vector. Nothing runs
/// while they are read, so they stay valid while new objects are made from them (allocating a
/// GC object may run a collection, whose finalizers may change the list). None with
/// `MemoryError` set.
pub(crate) unsafe fn snapshot(
    op: *mut PyObject,
    lo: Py_ssize_t,
    hi: Py_ssize_t,
) -> Option<Vec<*mut PyObject>> {
    // SAFETY: a live list; every item read gets a new reference at once.
    unsafe {
        let n = size(op);
        let lo = lo.clamp(0, n) as usize;
        let hi = (hi.clamp(0, n) as usize).max(lo);
        let mut v = Vec::new();
        if v.try_reserve_exact(hi - lo).is_err() {
            crate::python::errors::no_memory();
            return None;
        }
        for &o in &as_slice(op)[lo..hi] {
            v.push(new_ref(o));
        }
        Some(v)
    }
}

/// Releases the references of a snapshot.
pub(crate) unsafe fn release_all(items: Vec<*mut PyObject>) {
    for o in items {
        // SAFETY: owned references.
        unsafe { xdecref(o) };
    }
}

/// A list that takes over the references in `items` (released if the list cannot be made).
/// Return value: New reference, or NULL.
pub(crate) unsafe fn list_from_owned(items: Vec<*mut PyObject>) -> *mut PyObject {
    // SAFETY: owned references, moved into the new list.
    unsafe {
        let op = new_list(items.len() as Py_ssize_t);
        if op.is_null() {
            release_all(items);
            return op;
        }
        for (i, o) in items.into_iter().enumerate() {
            *(*l(op)).ob_item.add(i) = o;
        }
        op
    }
}

/// A tuple that takes over the references in `items`. Return value: New reference, or NULL.
unsafe fn tuple_from_owned(items: Vec<*mut PyObject>) -> *mut PyObject {
    // SAFETY: owned references (alive while the tuple is made), released after.
    unsafe {
        let t = crate::objects::tupleobject::tuple_from(&items);
        release_all(items);
        t
    }
}

/// `PyList_Append` on a checked list (does not steal).
pub(crate) unsafe fn append(op: *mut PyObject, v: *mut PyObject) -> c_int {
    // SAFETY: a list and a live object.
    unsafe {
        let n = size(op);
        if n == Py_ssize_t::MAX {
            set_string(
                crate::exc!(OverflowError),
                "cannot add more objects to list",
            );
            return -1;
        }
        if resize(op, n + 1) < 0 {
            return -1;
        }
        *(*l(op)).ob_item.add(n as usize) = new_ref(v);
        0
    }
}

/// Inserts `v` before index `where_` (clamped as `list.insert`) in a checked list.
unsafe fn insert(op: *mut PyObject, where_: Py_ssize_t, v: *mut PyObject) -> c_int {
    // SAFETY: a list and a live object.
    unsafe {
        let n = size(op);
        if n == Py_ssize_t::MAX {
            set_string(
                crate::exc!(OverflowError),
                "cannot add more objects to list",
            );
            return -1;
        }
        if resize(op, n + 1) < 0 {
            return -1;
        }
        let mut w = where_;
        if w < 0 {
            w += n;
            if w < 0 {
                w = 0;
            }
        }
        if w > n {
            w = n;
        }
        let items = (*l(op)).ob_item;
        core::ptr::copy(
            items.add(w as usize),
            items.add(w as usize + 1),
            (n - w) as usize,
        );
        *items.add(w as usize) = new_ref(v);
        0
    }
}

/// Empties a list, releasing the items after the list no longer refers to them.
unsafe fn clear_list(op: *mut PyObject) {
    // SAFETY: a list; the array is detached before any item is released.
    unsafe {
        let items = (*l(op)).ob_item;
        let n = size(op);
        if items.is_null() {
            return;
        }
        (*l(op)).ob_item = null_mut();
        (*l(op)).allocated = 0;
        set_size(op, 0);
        for i in (0..n as usize).rev() {
            xdecref(*items.add(i));
        }
        crate::objects::obmalloc::raw_free(items as *mut c_void);
    }
}

/// Replaces `a[ilow:ihigh]` (clamped) by the items of `v` (NULL deletes), as CPython's
/// `list_ass_slice`. `v` may be a list, a tuple or any iterable.
unsafe fn ass_slice(
    a: *mut PyObject,
    ilow: Py_ssize_t,
    ihigh: Py_ssize_t,
    v: *mut PyObject,
) -> c_int {
    // SAFETY: a list; `v` live or NULL. The replacement items are collected into a new list
    // first (so `v` may be `a` itself), and the removed items are released last.
    unsafe {
        let repl = if v.is_null() {
            null_mut()
        } else if is_list(v) {
            match snapshot(v, 0, Py_ssize_t::MAX) {
                Some(items) => list_from_owned(items),
                None => return -1,
            }
        } else if crate::objects::tupleobject::is_tuple(v) {
            list_from(crate::objects::tupleobject::as_slice(v))
        } else {
            let it = crate::objects::iterobject::get_iter(v);
            if it.is_null() {
                if crate::python::errors::matches(crate::exc!(TypeError)) {
                    set_string(crate::exc!(TypeError), "can only assign an iterable");
                }
                return -1;
            }
            let r = collect(it);
            decref(it);
            r
        };
        if !v.is_null() && repl.is_null() {
            return -1;
        }
        let n = size(a);
        let lo = ilow.clamp(0, n);
        let hi = ihigh.clamp(lo, n);
        let new_items: &[*mut PyObject] = if repl.is_null() { &[] } else { as_slice(repl) };
        let k = new_items.len() as Py_ssize_t;
        let removed = hi - lo;
        // Keep the removed items until the list is consistent again.
        let mut old: Vec<*mut PyObject> = Vec::new();
        if old.try_reserve_exact(removed as usize).is_err() {
            xdecref(repl);
            crate::python::errors::no_memory();
            return -1;
        }
        old.extend_from_slice(&as_slice(a)[lo as usize..hi as usize]);
        let d = k - removed;
        if d > 0 {
            if resize(a, n + d) < 0 {
                xdecref(repl);
                return -1;
            }
            let items = (*l(a)).ob_item;
            core::ptr::copy(
                items.add(hi as usize),
                items.add((hi + d) as usize),
                (n - hi) as usize,
            );
        } else if d < 0 {
            let items = (*l(a)).ob_item;
            core::ptr::copy(
                items.add(hi as usize),
                items.add((hi + d) as usize),
                (n - hi) as usize,
            );
            // Shrinking never fails to keep the items (a failed realloc leaves them in place).
            if resize(a, n + d) < 0 {
                crate::python::errors::restore(null_mut(), null_mut(), null_mut());
                set_size(a, n + d);
            }
        }
        let items = (*l(a)).ob_item;
        for (i, &o) in new_items.iter().enumerate() {
            *items.add(lo as usize + i) = new_ref(o);
        }
        xdecref(repl);
        for o in old {
            xdecref(o);
        }
        0
    }
}

/// The items an iterator yields, as a new list (consumes `it`'s items, not `it`).
unsafe fn collect(it: *mut PyObject) -> *mut PyObject {
    // SAFETY: a live iterator.
    unsafe {
        let out = new_list(0);
        if out.is_null() {
            return out;
        }
        if extend_from_iter(out, it) < 0 {
            decref(out);
            return null_mut();
        }
        out
    }
}

/// Appends every item `it` yields to the checked list `op`.
unsafe fn extend_from_iter(op: *mut PyObject, it: *mut PyObject) -> c_int {
    // SAFETY: a list and a live iterator.
    unsafe {
        let Some(next) = (*ty(it)).tp_iternext else {
            crate::python::errors::set_format(
                crate::exc!(TypeError),
                format_args!("'{}' object is not an iterator", tp_name_of(it)),
            );
            return -1;
        };
        loop {
            let x = next(it);
            if x.is_null() {
                if !crate::python::errors::occurred().is_null() {
                    if crate::python::errors::matches(crate::exc!(StopIteration)) {
                        crate::python::errors::restore(null_mut(), null_mut(), null_mut());
                    } else {
                        return -1;
                    }
                }
                return 0;
            }
            let r = append(op, x);
            decref(x);
            if r < 0 {
                return -1;
            }
        }
    }
}

/// `list.extend(iterable)` on a checked list.
pub(crate) unsafe fn extend(op: *mut PyObject, iterable: *mut PyObject) -> c_int {
    // SAFETY: a list and a live object.
    unsafe {
        if is_list(iterable) || crate::objects::tupleobject::is_tuple(iterable) {
            let n = size(op);
            return ass_slice(op, n, n, iterable);
        }
        let it = crate::objects::iterobject::get_iter(iterable);
        if it.is_null() {
            return -1;
        }
        let r = extend_from_iter(op, it);
        decref(it);
        r
    }
}

// ---- sorting ----

/// `a < b` through `PyObject_RichCompareBool`: 1, 0, or -1 with an exception set.
#[inline]
unsafe fn less(a: *mut PyObject, b: *mut PyObject) -> c_int {
    // SAFETY: live objects.
    unsafe { crate::objects::object_ops::PyObject_RichCompareBool(a, b, Py_LT) }
}

/// Merges the sorted runs `src[lo..mid]` and `src[mid..hi]` into `dst[lo..hi]`, stably (an
/// item of the right run goes first only when it is strictly less by `key`). After a failed
/// comparison (`*failed`), the rest is copied without comparing, so `dst` is always a
/// permutation.
unsafe fn merge<T: Copy>(
    src: &[T],
    dst: &mut [T],
    (lo, mid, hi): (usize, usize, usize),
    key: impl Fn(T) -> *mut PyObject,
    failed: &mut bool,
) {
    let (mut i, mut j, mut k) = (lo, mid, lo);
    while !*failed && i < mid && j < hi {
        // SAFETY: the keys are live (held by the sort).
        let c = unsafe { less(key(src[j]), key(src[i])) };
        if c < 0 {
            *failed = true;
            break;
        }
        if c > 0 {
            dst[k] = src[j];
            j += 1;
        } else {
            dst[k] = src[i];
            i += 1;
        }
        k += 1;
    }
    dst[k..k + (mid - i)].copy_from_slice(&src[i..mid]);
    k += mid - i;
    dst[k..k + (hi - j)].copy_from_slice(&src[j..hi]);
}

/// Sorts `items` in place by `key(item)` (stable merge sort, `<` only). -1 with an exception
/// set if a comparison failed (or MemoryError); the items are then all still there, in some
/// order.
unsafe fn merge_sort<T: Copy>(items: &mut [T], key: impl Fn(T) -> *mut PyObject) -> c_int {
    let n = items.len();
    if n < 2 {
        return 0;
    }
    // Short runs are sorted by insertion first.
    const RUN: usize = 16;
    let mut failed = false;
    let mut start = 0;
    while start < n && !failed {
        let end = (start + RUN).min(n);
        for i in start + 1..end {
            let x = items[i];
            let mut j = i;
            while j > start {
                // SAFETY: live keys.
                let c = unsafe { less(key(x), key(items[j - 1])) };
                if c < 0 {
                    failed = true;
                    break;
                }
                if c == 0 {
                    break;
                }
                items[j] = items[j - 1];
                j -= 1;
            }
            items[j] = x;
            if failed {
                break;
            }
        }
        start = end;
    }
    if failed {
        return -1;
    }
    let mut tmp: Vec<T> = Vec::new();
    if tmp.try_reserve_exact(n).is_err() {
        // SAFETY: setting the error indicator.
        unsafe { crate::python::errors::no_memory() };
        return -1;
    }
    tmp.extend_from_slice(items);
    let mut width = RUN;
    let mut in_items = true;
    while width < n {
        {
            let (src, dst): (&[T], &mut [T]) = if in_items {
                (&*items, &mut tmp[..])
            } else {
                (&tmp[..], &mut *items)
            };
            let mut lo = 0;
            while lo < n {
                let mid = (lo + width).min(n);
                let hi = (lo + 2 * width).min(n);
                // SAFETY: runs inside `src`/`dst`.
                unsafe { merge(src, dst, (lo, mid, hi), &key, &mut failed) };
                lo = hi;
            }
        }
        in_items = !in_items;
        width *= 2;
    }
    if !in_items {
        items.copy_from_slice(&tmp);
    }
    if failed { -1 } else { 0 }
}

/// `list.sort(key=None, reverse=False)` on a checked list. While it runs the list looks empty
/// (as in CPython): the key function runs on the detached items first (a failure there leaves
/// the list as it was); a reverse sort reverses the items before and after a stable forward
/// sort; a list changed meanwhile raises `ValueError("list modified during sort")`.
unsafe fn sort_by(op: *mut PyObject, keyfunc: *mut PyObject, reverse: bool) -> c_int {
    // SAFETY: a list; its array is detached during the sort and put back after.
    unsafe {
        let lp = l(op);
        let items = (*lp).ob_item;
        let n = size(op);
        let allocated = (*lp).allocated;
        (*lp).ob_item = null_mut();
        (*lp).allocated = -1;
        set_size(op, 0);
        let slice: &mut [*mut PyObject] = if n > 0 {
            core::slice::from_raw_parts_mut(items, n as usize)
        } else {
            &mut []
        };
        let mut r = 0;
        let mut keyfunc_failed = false;
        if keyfunc.is_null() {
            if reverse {
                slice.reverse();
            }
            r = merge_sort(slice, |x| x);
            if reverse {
                slice.reverse();
            }
        } else if n > 0 {
            // (key, item) pairs, sorted by key.
            let mut pairs: Vec<(*mut PyObject, *mut PyObject)> = Vec::new();
            if pairs.try_reserve_exact(slice.len()).is_err() {
                crate::python::errors::no_memory();
                keyfunc_failed = true;
            } else {
                for &x in slice.iter() {
                    let k = crate::objects::call::vectorcall(keyfunc, &x, 1, null_mut());
                    if k.is_null() {
                        keyfunc_failed = true;
                        break;
                    }
                    pairs.push((k, x));
                }
            }
            if !keyfunc_failed {
                if reverse {
                    pairs.reverse();
                }
                r = merge_sort(&mut pairs[..], |p| p.0);
                if reverse {
                    pairs.reverse();
                }
                for (dst, p) in slice.iter_mut().zip(pairs.iter()) {
                    *dst = p.1;
                }
            }
            for p in pairs {
                decref(p.0);
            }
            if keyfunc_failed {
                r = -1;
            }
        }
        // Whatever the key function or the comparisons put into the list meanwhile is dropped.
        let intruder = (*lp).ob_item;
        let intruder_n = size(op);
        let modified = (*lp).allocated != -1 || !intruder.is_null();
        (*lp).ob_item = items;
        (*lp).allocated = allocated;
        set_size(op, n);
        if !intruder.is_null() {
            for i in (0..intruder_n as usize).rev() {
                xdecref(*intruder.add(i));
            }
            crate::objects::obmalloc::raw_free(intruder as *mut c_void);
        }
        if modified && r == 0 && !keyfunc_failed {
            set_string(crate::exc!(ValueError), "list modified during sort");
            r = -1;
        }
        r
    }
}

/// `list.sort()` on a checked list (`PyList_Sort`).
unsafe fn sort(op: *mut PyObject) -> c_int {
    // SAFETY: a list.
    unsafe { sort_by(op, null_mut(), false) }
}

// ---- the type ----

unsafe extern "C" fn list_dealloc(op: *mut PyObject) {
    // SAFETY: a dying list: untracked first, then its items released (deeply nested lists are
    // freed iteratively through the trashcan).
    unsafe {
        crate::modules::gcmodule::trashcan(op, list_dealloc, || {
            untrack(op);
            let items = (*l(op)).ob_item;
            if !items.is_null() {
                for i in (0..size(op) as usize).rev() {
                    xdecref(*items.add(i));
                }
                crate::objects::obmalloc::raw_free(items as *mut c_void);
            }
            crate::modules::gcmodule::free_object(op);
        })
    }
}

unsafe extern "C" fn list_traverse(op: *mut PyObject, visit: visitproc, arg: *mut c_void) -> c_int {
    // SAFETY: a live list.
    for &o in unsafe { as_slice(op) } {
        crate::capi::ffi::py_visit!(o, visit, arg);
    }
    0
}

unsafe extern "C" fn list_tp_clear(op: *mut PyObject) -> c_int {
    // SAFETY: a live list.
    unsafe { clear_list(op) };
    0
}

unsafe extern "C" fn list_repr(op: *mut PyObject) -> *mut PyObject {
    // SAFETY: a list; items are held while their repr runs (it may change the list).
    unsafe {
        if size(op) == 0 {
            return str_from("[]");
        }
        let rc = Py_ReprEnter(op);
        if rc != 0 {
            return if rc > 0 {
                str_from("[...]")
            } else {
                null_mut()
            };
        }
        let mut out = String::from("[");
        let mut i = 0;
        let mut ok = true;
        while i < size(op) {
            if i > 0 {
                out.push_str(", ");
            }
            let o = new_ref(*(*l(op)).ob_item.add(i as usize));
            let r = crate::objects::object_ops::repr(o);
            decref(o);
            if r.is_null() {
                ok = false;
                break;
            }
            out.push_str(str_as(r).unwrap_or(""));
            decref(r);
            i += 1;
        }
        Py_ReprLeave(op);
        if !ok {
            return null_mut();
        }
        out.push(']');
        str_from(&out)
    }
}

unsafe extern "C" fn list_richcompare(
    v: *mut PyObject,
    w: *mut PyObject,
    op: c_int,
) -> *mut PyObject {
    // SAFETY: live objects; compared items are held while compared.
    unsafe {
        if !is_list(v) || !is_list(w) {
            return new_ref(crate::objects::object_ops::not_implemented());
        }
        if size(v) != size(w) && (op == Py_EQ || op == Py_NE) {
            return new_ref(crate::objects::boolobject::from_bool(op == Py_NE));
        }
        let mut i = 0;
        let mut result: Option<*mut PyObject> = None;
        while i < size(v) && i < size(w) {
            let a = new_ref(*(*l(v)).ob_item.add(i as usize));
            let b = new_ref(*(*l(w)).ob_item.add(i as usize));
            let k = crate::objects::object_ops::PyObject_RichCompareBool(a, b, Py_EQ);
            if k == 0 {
                // The first differing items decide.
                let r = match op {
                    Py_EQ => new_ref(crate::objects::boolobject::false_()),
                    Py_NE => new_ref(crate::objects::boolobject::true_()),
                    _ => crate::objects::object_ops::rich_compare(a, b, op),
                };
                result = Some(r);
            }
            decref(a);
            decref(b);
            if k < 0 {
                result = Some(null_mut());
            }
            if result.is_some() {
                break;
            }
            i += 1;
        }
        match result {
            Some(r) => r,
            None => crate::objects::object_ops::compare_result(size(v).cmp(&size(w)), op),
        }
    }
}

unsafe extern "C" fn list_length(op: *mut PyObject) -> Py_ssize_t {
    // SAFETY: a list.
    unsafe { size(op) }
}

unsafe extern "C" fn list_item(op: *mut PyObject, i: Py_ssize_t) -> *mut PyObject {
    // SAFETY: a list.
    unsafe {
        if i < 0 || i >= size(op) {
            set_string(crate::exc!(IndexError), "list index out of range");
            return null_mut();
        }
        new_ref(*(*l(op)).ob_item.add(i as usize))
    }
}

unsafe extern "C" fn list_ass_item(op: *mut PyObject, i: Py_ssize_t, v: *mut PyObject) -> c_int {
    // SAFETY: a list; `v` live or NULL (delete).
    unsafe {
        if i < 0 || i >= size(op) {
            set_string(
                crate::exc!(IndexError),
                "list assignment index out of range",
            );
            return -1;
        }
        if v.is_null() {
            return ass_slice(op, i, i + 1, null_mut());
        }
        let slot = (*l(op)).ob_item.add(i as usize);
        let old = *slot;
        *slot = new_ref(v);
        xdecref(old);
        0
    }
}

unsafe extern "C" fn list_contains(op: *mut PyObject, v: *mut PyObject) -> c_int {
    // SAFETY: a list; each item is held while compared.
    unsafe {
        let mut i = 0;
        while i < size(op) {
            let item = new_ref(*(*l(op)).ob_item.add(i as usize));
            let c = crate::objects::object_ops::PyObject_RichCompareBool(item, v, Py_EQ);
            decref(item);
            if c != 0 {
                return c;
            }
            i += 1;
        }
        0
    }
}

unsafe extern "C" fn list_concat(a: *mut PyObject, b: *mut PyObject) -> *mut PyObject {
    // SAFETY: `a` is a list; `b` live.
    unsafe {
        if !is_list(b) {
            crate::python::errors::set_format(
                crate::exc!(TypeError),
                format_args!(
                    "can only concatenate list (not \"{}\") to list",
                    tp_name_of(b)
                ),
            );
            return null_mut();
        }
        let Some(mut items) = snapshot(a, 0, Py_ssize_t::MAX) else {
            return null_mut();
        };
        let Some(more) = snapshot(b, 0, Py_ssize_t::MAX) else {
            release_all(items);
            return null_mut();
        };
        if items.try_reserve_exact(more.len()).is_err() {
            release_all(items);
            release_all(more);
            return crate::python::errors::no_memory();
        }
        items.extend(more);
        list_from_owned(items)
    }
}

unsafe extern "C" fn list_repeat(a: *mut PyObject, n: Py_ssize_t) -> *mut PyObject {
    // SAFETY: a list.
    unsafe {
        let n = n.max(0) as usize;
        let Some(total) = (size(a) as usize)
            .checked_mul(n)
            .filter(|&t| t <= isize::MAX as usize / 8)
        else {
            return crate::python::errors::no_memory();
        };
        let Some(x) = snapshot(a, 0, Py_ssize_t::MAX) else {
            return null_mut();
        };
        let out = new_list(total as Py_ssize_t);
        if !out.is_null() {
            let items = (*l(out)).ob_item;
            for k in 0..total {
                *items.add(k) = new_ref(x[k % x.len()]);
            }
        }
        release_all(x);
        out
    }
}

unsafe extern "C" fn list_inplace_concat(a: *mut PyObject, b: *mut PyObject) -> *mut PyObject {
    // SAFETY: a list and a live object.
    unsafe {
        if extend(a, b) < 0 {
            return null_mut();
        }
        new_ref(a)
    }
}

unsafe extern "C" fn list_inplace_repeat(a: *mut PyObject, n: Py_ssize_t) -> *mut PyObject {
    // SAFETY: a list.
    unsafe {
        let len = size(a);
        if len == 0 || n == 1 {
            return new_ref(a);
        }
        if n < 1 {
            clear_list(a);
            return new_ref(a);
        }
        let Some(total) = (len as usize)
            .checked_mul(n as usize)
            .filter(|&t| t <= isize::MAX as usize / 8)
        else {
            return crate::python::errors::no_memory();
        };
        if resize(a, total as Py_ssize_t) < 0 {
            return null_mut();
        }
        let items = (*l(a)).ob_item;
        for k in len as usize..total {
            *items.add(k) = new_ref(*items.add(k % len as usize));
        }
        new_ref(a)
    }
}

/// The integer index of a subscript (`PyNumber_AsSsize_t(key, IndexError)`), or None with an
/// exception set.
unsafe fn index_of(key: *mut PyObject) -> Option<Py_ssize_t> {
    // SAFETY: live object; a temporary index result is released.
    unsafe {
        let tp = ty(key);
        let idx = if crate::objects::longobject::is_long(key) {
            new_ref(key)
        } else if !(*tp).tp_as_number.is_null()
            && let Some(f) = (*(*tp).tp_as_number).nb_index
        {
            let r = f(key);
            if r.is_null() {
                return None;
            }
            if !crate::objects::longobject::is_long(r) {
                crate::python::errors::set_format(
                    crate::exc!(TypeError),
                    format_args!("__index__ returned non-int (type {})", tp_name_of(r)),
                );
                decref(r);
                return None;
            }
            r
        } else {
            crate::python::errors::set_format(
                crate::exc!(TypeError),
                format_args!(
                    "list indices must be integers or slices, not {}",
                    tp_name_of(key)
                ),
            );
            return None;
        };
        let v = crate::objects::longobject::value(idx);
        let name = tp_name_of(idx).to_owned();
        decref(idx);
        match v.and_then(|v| Py_ssize_t::try_from(v).ok()) {
            Some(v) => Some(v),
            None => {
                crate::python::errors::set_format(
                    crate::exc!(IndexError),
                    format_args!("cannot fit '{name}' into an index-sized integer"),
                );
                None
            }
        }
    }
}

unsafe extern "C" fn list_subscript(op: *mut PyObject, key: *mut PyObject) -> *mut PyObject {
    // SAFETY: a list and a live key.
    unsafe {
        let Some(mut i) = index_of(key) else {
            return null_mut();
        };
        if i < 0 {
            i = i.saturating_add(size(op));
        }
        list_item(op, i)
    }
}

unsafe extern "C" fn list_ass_subscript(
    op: *mut PyObject,
    key: *mut PyObject,
    v: *mut PyObject,
) -> c_int {
    // SAFETY: a list and live objects.
    unsafe {
        let Some(mut i) = index_of(key) else {
            return -1;
        };
        if i < 0 {
            i = i.saturating_add(size(op));
        }
        list_ass_item(op, i, v)
    }
}

unsafe extern "C" fn list_iter(op: *mut PyObject) -> *mut PyObject {
    // SAFETY: a list; the iterator holds a reference to it.
    unsafe {
        let it = crate::modules::gcmodule::alloc_object(
            &raw mut PyListIter_Type,
            size_of::<ListIterObject>(),
        ) as *mut ListIterObject;
        if it.is_null() {
            return null_mut();
        }
        (*it).it_index = 0;
        (*it).it_seq = new_ref(op);
        track(it as *mut PyObject);
        it as *mut PyObject
    }
}

/// `list.__init__`'s work (`list___init___impl`): empties the list, then extends it with the
/// iterable (NULL: none); an iterable with a length presizes the array to exactly that.
unsafe fn init_from(op: *mut PyObject, iterable: *mut PyObject) -> c_int {
    // SAFETY: a list; `iterable` live or NULL.
    unsafe {
        clear_list(op);
        if iterable.is_null() {
            return 0;
        }
        let tp = ty(iterable);
        let has_len = (!(*tp).tp_as_sequence.is_null()
            && (*(*tp).tp_as_sequence).sq_length.is_some())
            || (!(*tp).tp_as_mapping.is_null() && (*(*tp).tp_as_mapping).mp_length.is_some());
        if has_len {
            let n = crate::objects::abstract_::size_of_object(iterable);
            if n < 0 {
                if !crate::python::errors::matches(crate::exc!(TypeError)) {
                    return -1;
                }
                crate::python::errors::restore(null_mut(), null_mut(), null_mut());
            } else if n > 0 && (*l(op)).ob_item.is_null() {
                // `list_preallocate_exact`: rounded up to an even count, as CPython 3.10 does
                // (its allocator's granularity makes the odd slot free).
                let n = n.saturating_add(1) & !1;
                let Some(bytes) = (n as usize).checked_mul(size_of::<*mut PyObject>()) else {
                    crate::python::errors::no_memory();
                    return -1;
                };
                let p = crate::objects::obmalloc::raw_malloc(bytes) as *mut *mut PyObject;
                if p.is_null() {
                    crate::python::errors::no_memory();
                    return -1;
                }
                (*l(op)).ob_item = p;
                (*l(op)).allocated = n;
            }
        }
        extend(op, iterable)
    }
}

/// `list.__init__(self, [iterable])`: empties the list, then extends it with the iterable.
unsafe extern "C" fn list_init(
    op: *mut PyObject,
    args: *mut PyObject,
    kwds: *mut PyObject,
) -> c_int {
    // SAFETY: `op` is a list; `args` a tuple or NULL, `kwds` a dict or NULL.
    unsafe {
        if !crate::python::getargs::no_keywords("list", kwds) {
            return -1;
        }
        let n = if args.is_null() { 0 } else { size(args) };
        if !crate::python::getargs::check_positional("list", n, 0, 1) {
            return -1;
        }
        init_from(
            op,
            if n == 1 {
                crate::objects::tupleobject::item(args, 0)
            } else {
                null_mut()
            },
        )
    }
}

/// `list(...)` called vectorcall style (`tp_vectorcall` of list).
unsafe extern "C" fn list_vectorcall(
    tp: *mut PyObject,
    args: *const *mut PyObject,
    nargsf: usize,
    kwnames: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: `tp` is list (its tp_vectorcall is not inherited); `args` holds the arguments.
    unsafe {
        if !crate::python::getargs::no_keywords("list", kwnames) {
            return null_mut();
        }
        let n = (nargsf & !crate::objects::call::PY_VECTORCALL_ARGUMENTS_OFFSET) as Py_ssize_t;
        if !crate::python::getargs::check_positional("list", n, 0, 1) {
            return null_mut();
        }
        let op = crate::objects::typeobject::PyType_GenericAlloc(tp as *mut PyTypeObject, 0);
        if op.is_null() {
            return op;
        }
        if n == 1 && init_from(op, *args) < 0 {
            decref(op);
            return null_mut();
        }
        op
    }
}

// ---- the Python-level methods ----

#[inline]
unsafe fn none() -> *mut PyObject {
    // SAFETY: None is immortal.
    unsafe { new_ref(crate::objects::object_ops::none()) }
}

unsafe extern "C" fn list_append_meth(op: *mut PyObject, v: *mut PyObject) -> *mut PyObject {
    // SAFETY: a list and a live object.
    unsafe {
        if append(op, v) < 0 {
            null_mut()
        } else {
            none()
        }
    }
}

unsafe extern "C" fn list_extend_meth(op: *mut PyObject, v: *mut PyObject) -> *mut PyObject {
    // SAFETY: a list and a live object.
    unsafe {
        if extend(op, v) < 0 {
            null_mut()
        } else {
            none()
        }
    }
}

/// `l.insert(index, object, /)`.
unsafe extern "C" fn list_insert_meth(
    op: *mut PyObject,
    args: *const *mut PyObject,
    nargs: Py_ssize_t,
) -> *mut PyObject {
    // SAFETY: a list and `nargs` live arguments.
    unsafe {
        if !crate::python::getargs::check_positional("insert", nargs, 2, 2) {
            return null_mut();
        }
        let a = crate::python::getargs::args_slice(args, nargs);
        let Some(i) = crate::python::getargs::ssize_arg(a[0]) else {
            return null_mut();
        };
        if insert(op, i, a[1]) < 0 {
            null_mut()
        } else {
            none()
        }
    }
}

/// `l.pop(index=-1, /)`.
unsafe extern "C" fn list_pop_meth(
    op: *mut PyObject,
    args: *const *mut PyObject,
    nargs: Py_ssize_t,
) -> *mut PyObject {
    // SAFETY: a list and `nargs` live arguments; the popped item's reference moves to the
    // caller.
    unsafe {
        if !crate::python::getargs::check_positional("pop", nargs, 0, 1) {
            return null_mut();
        }
        let a = crate::python::getargs::args_slice(args, nargs);
        let mut i = match a.first() {
            Some(&o) => match crate::python::getargs::ssize_arg(o) {
                Some(i) => i,
                None => return null_mut(),
            },
            None => -1,
        };
        let n = size(op);
        if n == 0 {
            set_string(crate::exc!(IndexError), "pop from empty list");
            return null_mut();
        }
        if i < 0 {
            i += n;
        }
        if i < 0 || i >= n {
            set_string(crate::exc!(IndexError), "pop index out of range");
            return null_mut();
        }
        let v = *(*l(op)).ob_item.add(i as usize);
        if i == n - 1 {
            // The list's reference becomes the caller's.
            if resize(op, n - 1) < 0 {
                return null_mut();
            }
            return v;
        }
        let v = new_ref(v);
        if ass_slice(op, i, i + 1, null_mut()) < 0 {
            decref(v);
            return null_mut();
        }
        v
    }
}

/// `l.remove(value, /)`: deletes the first item equal to `value`.
unsafe extern "C" fn list_remove_meth(op: *mut PyObject, value: *mut PyObject) -> *mut PyObject {
    // SAFETY: a list; each item is held while compared.
    unsafe {
        let mut i = 0;
        while i < size(op) {
            let x = new_ref(*(*l(op)).ob_item.add(i as usize));
            let c = crate::objects::object_ops::PyObject_RichCompareBool(x, value, Py_EQ);
            decref(x);
            if c > 0 {
                return if ass_slice(op, i, i + 1, null_mut()) < 0 {
                    null_mut()
                } else {
                    none()
                };
            }
            if c < 0 {
                return null_mut();
            }
            i += 1;
        }
        set_string(crate::exc!(ValueError), "list.remove(x): x not in list");
        null_mut()
    }
}

/// `l.index(value, start=0, stop=sys.maxsize, /)`.
unsafe extern "C" fn list_index_meth(
    op: *mut PyObject,
    args: *const *mut PyObject,
    nargs: Py_ssize_t,
) -> *mut PyObject {
    // SAFETY: a list and `nargs` live arguments; each item is held while compared.
    unsafe {
        if !crate::python::getargs::check_positional("index", nargs, 1, 3) {
            return null_mut();
        }
        let a = crate::python::getargs::args_slice(args, nargs);
        let Some((start, stop)) = crate::python::getargs::index_bounds(a) else {
            return null_mut();
        };
        let (mut i, stop) = crate::python::getargs::resolve_range(start, stop, size(op));
        while i < stop && i < size(op) {
            let x = new_ref(*(*l(op)).ob_item.add(i as usize));
            let c = crate::objects::object_ops::PyObject_RichCompareBool(x, a[0], Py_EQ);
            decref(x);
            if c > 0 {
                return crate::objects::longobject::PyLong_FromSsize_t(i);
            }
            if c < 0 {
                return null_mut();
            }
            i += 1;
        }
        let r = crate::objects::object_ops::repr(a[0]);
        if r.is_null() {
            return null_mut();
        }
        crate::python::errors::set_format(
            crate::exc!(ValueError),
            format_args!(
                "{} is not in list",
                crate::objects::unicodeobject::str_as(r).unwrap_or("")
            ),
        );
        decref(r);
        null_mut()
    }
}

/// `l.count(value, /)`.
unsafe extern "C" fn list_count_meth(op: *mut PyObject, value: *mut PyObject) -> *mut PyObject {
    // SAFETY: a list; each item is held while compared.
    unsafe {
        let mut n: Py_ssize_t = 0;
        let mut i = 0;
        while i < size(op) {
            let x = new_ref(*(*l(op)).ob_item.add(i as usize));
            let c = crate::objects::object_ops::PyObject_RichCompareBool(x, value, Py_EQ);
            decref(x);
            if c < 0 {
                return null_mut();
            }
            n += c as Py_ssize_t;
            i += 1;
        }
        crate::objects::longobject::PyLong_FromSsize_t(n)
    }
}

unsafe extern "C" fn list_clear_meth(op: *mut PyObject, _: *mut PyObject) -> *mut PyObject {
    // SAFETY: a list.
    unsafe {
        clear_list(op);
        none()
    }
}

unsafe extern "C" fn list_copy_meth(op: *mut PyObject, _: *mut PyObject) -> *mut PyObject {
    // SAFETY: a list.
    unsafe {
        match snapshot(op, 0, Py_ssize_t::MAX) {
            Some(items) => list_from_owned(items),
            None => null_mut(),
        }
    }
}

unsafe extern "C" fn list_reverse_meth(op: *mut PyObject, _: *mut PyObject) -> *mut PyObject {
    // SAFETY: a list.
    unsafe {
        let n = size(op);
        if n > 1 {
            core::slice::from_raw_parts_mut((*l(op)).ob_item, n as usize).reverse();
        }
        none()
    }
}

/// `l.sort(*, key=None, reverse=False)`.
unsafe extern "C" fn list_sort_meth(
    op: *mut PyObject,
    args: *const *mut PyObject,
    nargs: Py_ssize_t,
    kwnames: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: a list; `nargs` positional arguments then the keyword values `kwnames` names.
    unsafe {
        if nargs > 0 {
            set_string(
                crate::exc!(TypeError),
                "sort() takes no positional arguments",
            );
            return null_mut();
        }
        let mut key = null_mut();
        let mut reverse = null_mut();
        if !kwnames.is_null() {
            for (i, &name) in crate::objects::tupleobject::as_slice(kwnames)
                .iter()
                .enumerate()
            {
                let value = *args.add(nargs as usize + i);
                match crate::objects::unicodeobject::str_as(name) {
                    Some("key") => key = value,
                    Some("reverse") => reverse = value,
                    other => {
                        crate::python::errors::set_format(
                            crate::exc!(TypeError),
                            format_args!(
                                "'{}' is an invalid keyword argument for sort()",
                                other.unwrap_or("?")
                            ),
                        );
                        return null_mut();
                    }
                }
            }
        }
        let mut rev = false;
        if !reverse.is_null() {
            let v = crate::python::getargs::index(reverse);
            if v.is_null() {
                return null_mut();
            }
            let x = crate::objects::longobject::value(v);
            decref(v);
            match x.and_then(|x| i32::try_from(x).ok()) {
                Some(x) => rev = x != 0,
                None => {
                    set_string(
                        crate::exc!(OverflowError),
                        "Python int too large to convert to C int",
                    );
                    return null_mut();
                }
            }
        }
        if key == crate::objects::object_ops::none() {
            key = null_mut();
        }
        if sort_by(op, key, rev) < 0 {
            null_mut()
        } else {
            none()
        }
    }
}

/// `l.__sizeof__()`: the object and its item array (`allocated` slots).
unsafe extern "C" fn list_sizeof(op: *mut PyObject, _: *mut PyObject) -> *mut PyObject {
    // SAFETY: a list.
    unsafe {
        let n = (*ty(op)).tp_basicsize as usize
            + (*l(op)).allocated.max(0) as usize * size_of::<*mut PyObject>();
        crate::objects::longobject::PyLong_FromSize_t(n)
    }
}

/// `l.__reversed__()`: a `list_reverseiterator`.
unsafe extern "C" fn list_reversed(op: *mut PyObject, _: *mut PyObject) -> *mut PyObject {
    // SAFETY: a list; the iterator holds a reference to it.
    unsafe {
        let it = crate::modules::gcmodule::alloc_object(
            &raw mut PyListRevIter_Type,
            size_of::<ListIterObject>(),
        ) as *mut ListIterObject;
        if it.is_null() {
            return null_mut();
        }
        (*it).it_index = size(op) - 1;
        (*it).it_seq = new_ref(op);
        track(it as *mut PyObject);
        it as *mut PyObject
    }
}

/// list's Python-level methods, as CPython 3.10's (`__getitem__` replaces the slot wrapper:
/// `METH_COEXIST`). `__class_getitem__` returns a `types.GenericAlias`, which pycoro has not
/// (`slots_todo.txt`).
static mut LIST_METHODS: [crate::objects::methodobject::PyMethodDef; 15] = {
    use crate::objects::genobject::method;
    use crate::objects::methodobject::{METH_COEXIST, METH_NOARGS, METH_O};
    use crate::python::getargs::{fast_kw_method, fast_method};
    [
        method(
            c"__getitem__",
            list_subscript,
            METH_O | METH_COEXIST,
            c"x.__getitem__(y) <==> x[y]",
        ),
        method(
            c"__reversed__",
            list_reversed,
            METH_NOARGS,
            c"__reversed__($self, /)\n--\n\nReturn a reverse iterator over the list.",
        ),
        method(
            c"__sizeof__",
            list_sizeof,
            METH_NOARGS,
            c"__sizeof__($self, /)\n--\n\nReturn the size of the list in memory, in bytes.",
        ),
        method(
            c"clear",
            list_clear_meth,
            METH_NOARGS,
            c"clear($self, /)\n--\n\nRemove all items from list.",
        ),
        method(
            c"copy",
            list_copy_meth,
            METH_NOARGS,
            c"copy($self, /)\n--\n\nReturn a shallow copy of the list.",
        ),
        method(
            c"append",
            list_append_meth,
            METH_O,
            c"append($self, object, /)\n--\n\nAppend object to the end of the list.",
        ),
        fast_method(
            c"insert",
            list_insert_meth,
            0,
            c"insert($self, index, object, /)\n--\n\nInsert object before index.",
        ),
        method(
            c"extend",
            list_extend_meth,
            METH_O,
            c"extend($self, iterable, /)\n--\n\nExtend list by appending elements from the iterable.",
        ),
        fast_method(
            c"pop",
            list_pop_meth,
            0,
            c"pop($self, index=-1, /)\n--\n\nRemove and return item at index (default last).\n\nRaises IndexError if list is empty or index is out of range.",
        ),
        method(
            c"remove",
            list_remove_meth,
            METH_O,
            c"remove($self, value, /)\n--\n\nRemove first occurrence of value.\n\nRaises ValueError if the value is not present.",
        ),
        fast_method(
            c"index",
            list_index_meth,
            0,
            c"index($self, value, start=0, stop=sys.maxsize, /)\n--\n\nReturn first index of value.\n\nRaises ValueError if the value is not present.",
        ),
        method(
            c"count",
            list_count_meth,
            METH_O,
            c"count($self, value, /)\n--\n\nReturn number of occurrences of value.",
        ),
        method(
            c"reverse",
            list_reverse_meth,
            METH_NOARGS,
            c"reverse($self, /)\n--\n\nReverse *IN PLACE*.",
        ),
        fast_kw_method(
            c"sort",
            list_sort_meth,
            c"sort($self, /, *, key=None, reverse=False)\n--\n\nSort the list in ascending order and return None.\n\nThe sort is in-place (i.e. the list itself is modified) and stable (i.e. the\norder of two equal elements is maintained).\n\nIf a key function is given, apply it once to each list item and sort them,\nascending or descending, according to their function values.\n\nThe reverse flag can be set to sort in descending order.",
        ),
        crate::objects::methodobject::PyMethodDef::SENTINEL,
    ]
};

static mut LIST_AS_SEQUENCE: PySequenceMethods = PySequenceMethods {
    sq_length: Some(list_length),
    sq_concat: Some(list_concat),
    sq_repeat: Some(list_repeat),
    sq_item: Some(list_item),
    sq_ass_item: Some(list_ass_item),
    sq_contains: Some(list_contains),
    sq_inplace_concat: Some(list_inplace_concat),
    sq_inplace_repeat: Some(list_inplace_repeat),
    ..crate::objects::longobject::EMPTY_SEQUENCE_METHODS
};

static mut LIST_AS_MAPPING: PyMappingMethods = PyMappingMethods {
    mp_length: Some(list_length),
    mp_subscript: Some(list_subscript),
    mp_ass_subscript: Some(list_ass_subscript),
};

/// The type `list`.
#[unsafe(no_mangle)]
pub static mut PyList_Type: PyTypeObject = PyTypeObject {
    tp_getattro: Some(crate::objects::object_ops::PyObject_GenericGetAttr),
    tp_dealloc: Some(list_dealloc),
    tp_repr: Some(list_repr),
    tp_hash: Some(crate::objects::object_ops::PyObject_HashNotImplemented),
    tp_traverse: Some(list_traverse),
    tp_clear: Some(list_tp_clear),
    tp_richcompare: Some(list_richcompare),
    tp_iter: Some(list_iter),
    tp_new: Some(crate::objects::typeobject::PyType_GenericNew),
    tp_init: Some(list_init),
    tp_vectorcall: Some(list_vectorcall),
    tp_methods: (&raw mut LIST_METHODS) as *mut crate::objects::methodobject::PyMethodDef,
    tp_as_sequence: &raw mut LIST_AS_SEQUENCE,
    tp_as_mapping: &raw mut LIST_AS_MAPPING,
    tp_doc: c"list(iterable=(), /)\n--\n\nBuilt-in mutable sequence.\n\nIf no argument is given, the constructor creates a new empty list.\nThe argument must be an iterable if specified.".as_ptr(),
    ..static_type(
        c"list",
        size_of::<PyListObject>(),
        Py_TPFLAGS_BASETYPE
            | Py_TPFLAGS_HAVE_GC
            | Py_TPFLAGS_LIST_SUBCLASS
            | Py_TPFLAGS_SEQUENCE
            | TPFLAGS_MATCH_SELF,
    )
};

// ---- list_iterator ----

/// CPython's `listiterobject` (32 bytes).
#[repr(C)]
struct ListIterObject {
    ob_base: PyObject,
    it_index: Py_ssize_t,
    /// NULL once exhausted.
    it_seq: *mut PyObject,
}

const_assert_eq!(size_of::<ListIterObject>(), 32);

unsafe extern "C" fn listiter_dealloc(op: *mut PyObject) {
    // SAFETY: a dying list iterator.
    unsafe {
        untrack(op);
        xdecref((*(op as *mut ListIterObject)).it_seq);
        crate::modules::gcmodule::free_object(op);
    }
}

unsafe extern "C" fn listiter_traverse(
    op: *mut PyObject,
    visit: visitproc,
    arg: *mut c_void,
) -> c_int {
    // SAFETY: a live list iterator.
    crate::capi::ffi::py_visit!(unsafe { (*(op as *mut ListIterObject)).it_seq }, visit, arg);
    0
}

unsafe extern "C" fn listiter_next(op: *mut PyObject) -> *mut PyObject {
    // SAFETY: a list iterator.
    unsafe {
        let it = op as *mut ListIterObject;
        let seq = (*it).it_seq;
        if seq.is_null() {
            return null_mut();
        }
        if (*it).it_index < size(seq) {
            let item = *(*l(seq)).ob_item.add((*it).it_index as usize);
            (*it).it_index += 1;
            return new_ref(item);
        }
        (*it).it_seq = null_mut();
        decref(seq);
        null_mut()
    }
}

/// `list_iterator.__length_hint__()`: the items left.
unsafe extern "C" fn listiter_len(op: *mut PyObject, _: *mut PyObject) -> *mut PyObject {
    // SAFETY: a list iterator.
    unsafe {
        let it = op as *mut ListIterObject;
        let n = if (*it).it_seq.is_null() {
            0
        } else {
            (size((*it).it_seq) - (*it).it_index).max(0)
        };
        crate::objects::longobject::PyLong_FromSsize_t(n)
    }
}

/// `list_iterator.__setstate__(index)`: moves the iterator to `index` (clamped to the list).
unsafe extern "C" fn listiter_setstate(op: *mut PyObject, state: *mut PyObject) -> *mut PyObject {
    // SAFETY: a list iterator and a live state.
    unsafe {
        let index = crate::objects::longobject::PyLong_AsSsize_t(state);
        if index == -1 && !crate::python::errors::occurred().is_null() {
            return null_mut();
        }
        let it = op as *mut ListIterObject;
        if !(*it).it_seq.is_null() {
            (*it).it_index = index.clamp(0, size((*it).it_seq));
        }
        none()
    }
}

/// `__length_hint__` and `__setstate__` of the list iterator (CPython's `__reduce__` returns
/// `(iter, (list,), index)`, and pycoro has no `builtins.iter`: left out, `slots_todo.txt`).
static mut LISTITER_METHODS: [crate::objects::methodobject::PyMethodDef; 3] = {
    use crate::objects::genobject::method;
    use crate::objects::methodobject::{METH_NOARGS, METH_O};
    [
        method(
            c"__length_hint__",
            listiter_len,
            METH_NOARGS,
            c"Private method returning an estimate of len(list(it)).",
        ),
        method(
            c"__setstate__",
            listiter_setstate,
            METH_O,
            c"Set state information for unpickling.",
        ),
        crate::objects::methodobject::PyMethodDef::SENTINEL,
    ]
};

/// The type `list_iterator`.
#[unsafe(no_mangle)]
pub static mut PyListIter_Type: PyTypeObject = PyTypeObject {
    tp_getattro: Some(crate::objects::object_ops::PyObject_GenericGetAttr),
    tp_dealloc: Some(listiter_dealloc),
    tp_traverse: Some(listiter_traverse),
    tp_iter: Some(crate::objects::iterobject::PyObject_SelfIter),
    tp_iternext: Some(listiter_next),
    tp_methods: (&raw mut LISTITER_METHODS) as *mut crate::objects::methodobject::PyMethodDef,
    ..static_type(
        c"list_iterator",
        size_of::<ListIterObject>(),
        Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_DISALLOW_INSTANTIATION,
    )
};

// ---- list_reverseiterator ----

unsafe extern "C" fn listreviter_dealloc(op: *mut PyObject) {
    // SAFETY: a dying reverse list iterator.
    unsafe {
        untrack(op);
        xdecref((*(op as *mut ListIterObject)).it_seq);
        crate::modules::gcmodule::free_object(op);
    }
}

unsafe extern "C" fn listreviter_traverse(
    op: *mut PyObject,
    visit: visitproc,
    arg: *mut c_void,
) -> c_int {
    // SAFETY: a live reverse list iterator.
    crate::capi::ffi::py_visit!(unsafe { (*(op as *mut ListIterObject)).it_seq }, visit, arg);
    0
}

unsafe extern "C" fn listreviter_next(op: *mut PyObject) -> *mut PyObject {
    // SAFETY: a reverse list iterator.
    unsafe {
        let it = op as *mut ListIterObject;
        let seq = (*it).it_seq;
        if seq.is_null() {
            return null_mut();
        }
        let i = (*it).it_index;
        if i >= 0 && i < size(seq) {
            (*it).it_index -= 1;
            return new_ref(*(*l(seq)).ob_item.add(i as usize));
        }
        (*it).it_index = -1;
        (*it).it_seq = null_mut();
        decref(seq);
        null_mut()
    }
}

/// `list_reverseiterator.__length_hint__()`.
unsafe extern "C" fn listreviter_len(op: *mut PyObject, _: *mut PyObject) -> *mut PyObject {
    // SAFETY: a reverse list iterator.
    unsafe {
        let it = op as *mut ListIterObject;
        let mut n = (*it).it_index + 1;
        if (*it).it_seq.is_null() || size((*it).it_seq) < n {
            n = 0;
        }
        crate::objects::longobject::PyLong_FromSsize_t(n)
    }
}

/// `list_reverseiterator.__setstate__(index)`: the next index to yield, clamped to -1 ..
/// len - 1.
unsafe extern "C" fn listreviter_setstate(
    op: *mut PyObject,
    state: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: a reverse list iterator and a live state.
    unsafe {
        let index = crate::objects::longobject::PyLong_AsSsize_t(state);
        if index == -1 && !crate::python::errors::occurred().is_null() {
            return null_mut();
        }
        let it = op as *mut ListIterObject;
        if !(*it).it_seq.is_null() {
            (*it).it_index = index.clamp(-1, size((*it).it_seq) - 1);
        }
        none()
    }
}

/// `__length_hint__` and `__setstate__` of the reverse iterator (CPython's `__reduce__`
/// returns `(reversed, (list,), index)`, and pycoro has no `reversed` type: left out,
/// `slots_todo.txt`).
static mut LISTREVITER_METHODS: [crate::objects::methodobject::PyMethodDef; 3] = {
    use crate::objects::genobject::method;
    use crate::objects::methodobject::{METH_NOARGS, METH_O};
    [
        method(
            c"__length_hint__",
            listreviter_len,
            METH_NOARGS,
            c"Private method returning an estimate of len(list(it)).",
        ),
        method(
            c"__setstate__",
            listreviter_setstate,
            METH_O,
            c"Set state information for unpickling.",
        ),
        crate::objects::methodobject::PyMethodDef::SENTINEL,
    ]
};

/// The type `list_reverseiterator` (what `reversed(list)` returns).
#[unsafe(no_mangle)]
pub static mut PyListRevIter_Type: PyTypeObject = PyTypeObject {
    tp_getattro: Some(crate::objects::object_ops::PyObject_GenericGetAttr),
    tp_dealloc: Some(listreviter_dealloc),
    tp_traverse: Some(listreviter_traverse),
    tp_iter: Some(crate::objects::iterobject::PyObject_SelfIter),
    tp_iternext: Some(listreviter_next),
    tp_methods: (&raw mut LISTREVITER_METHODS) as *mut crate::objects::methodobject::PyMethodDef,
    ..static_type(
        c"list_reverseiterator",
        size_of::<ListIterObject>(),
        Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_DISALLOW_INSTANTIATION,
    )
};

// ---- the C API ----

/// Checks that `op` is a list, else sets `SystemError("bad argument to internal function")`.
#[inline]
unsafe fn check_list(op: *mut PyObject) -> bool {
    // SAFETY: NULL or live.
    unsafe {
        if op.is_null() || !is_list(op) {
            bad_internal_call();
            return false;
        }
        true
    }
}

/// Returns a new list of length `len`, every item NULL: set them all (`PyList_SetItem`,
/// `PyList_SET_ITEM`) before handing the list to other code.
///
/// Return value: New reference, or NULL with an exception set (`SystemError` for a negative
/// length, `MemoryError`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyList_New(len: Py_ssize_t) -> *mut PyObject {
    if len < 0 {
        // SAFETY: setting the error indicator.
        unsafe { bad_internal_call() };
        return null_mut();
    }
    // SAFETY: length checked.
    guard("PyList_New", null_mut(), || unsafe { new_list(len) })
}

/// Returns the length of the list `list`, or -1 with `SystemError` set if it is not a list.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyList_Size(list: *mut PyObject) -> Py_ssize_t {
    // SAFETY: checked.
    unsafe {
        if !check_list(list) {
            return -1;
        }
        size(list)
    }
}

/// Returns the item at `index` of `list`.
///
/// Return value: Borrowed reference, or NULL with an exception set (`IndexError("list index out
/// of range")`, `SystemError` if `list` is not a list).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyList_GetItem(list: *mut PyObject, index: Py_ssize_t) -> *mut PyObject {
    guard("PyList_GetItem", null_mut(), || {
        // SAFETY: checked.
        unsafe {
            if !check_list(list) {
                return null_mut();
            }
            if index < 0 || index >= size(list) {
                set_string(crate::exc!(IndexError), "list index out of range");
                return null_mut();
            }
            *(*l(list)).ob_item.add(index as usize)
        }
    })
}

/// Stores `item` at `index` of `list`, releasing the item that was there. Steals a reference
/// to `item`, even on failure. Returns 0, or -1 with an exception set
/// (`IndexError("list assignment index out of range")`, `SystemError` if `list` is not a list).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyList_SetItem(
    list: *mut PyObject,
    index: Py_ssize_t,
    item: *mut PyObject,
) -> c_int {
    guard("PyList_SetItem", -1, || {
        // SAFETY: `item` is stolen (released on every failure path).
        unsafe {
            if !check_list(list) {
                xdecref(item);
                return -1;
            }
            if index < 0 || index >= size(list) {
                xdecref(item);
                set_string(
                    crate::exc!(IndexError),
                    "list assignment index out of range",
                );
                return -1;
            }
            let slot = (*l(list)).ob_item.add(index as usize);
            let old = *slot;
            *slot = item;
            xdecref(old);
            0
        }
    })
}

/// Inserts `item` into `list` before index `index` (clamped as `list.insert`). Does not steal
/// `item`. Returns 0, or -1 with an exception set (`SystemError` if `list` is not a list or
/// `item` is NULL, `MemoryError`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyList_Insert(
    list: *mut PyObject,
    index: Py_ssize_t,
    item: *mut PyObject,
) -> c_int {
    guard("PyList_Insert", -1, || {
        // SAFETY: checked.
        unsafe {
            if !check_list(list) {
                return -1;
            }
            if item.is_null() {
                bad_internal_call();
                return -1;
            }
            insert(list, index, item)
        }
    })
}

/// Appends `item` to `list`. Does not steal `item`. Returns 0, or -1 with an exception set
/// (`SystemError` if `list` is not a list or `item` is NULL, `MemoryError`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyList_Append(list: *mut PyObject, item: *mut PyObject) -> c_int {
    guard("PyList_Append", -1, || {
        // SAFETY: checked.
        unsafe {
            if !check_list(list) {
                return -1;
            }
            if item.is_null() {
                bad_internal_call();
                return -1;
            }
            append(list, item)
        }
    })
}

/// Returns a new list of the items of `list` from `low` up to (not including) `high`, the
/// bounds clamped as in Python's slicing.
///
/// Return value: New reference, or NULL with an exception set (`SystemError` if `list` is not
/// a list).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyList_GetSlice(
    list: *mut PyObject,
    low: Py_ssize_t,
    high: Py_ssize_t,
) -> *mut PyObject {
    guard("PyList_GetSlice", null_mut(), || {
        // SAFETY: checked.
        unsafe {
            if !check_list(list) {
                return null_mut();
            }
            match snapshot(list, low, high) {
                Some(items) => list_from_owned(items),
                None => null_mut(),
            }
        }
    })
}

/// Replaces the items of `list` from `low` to `high` by the items of `itemlist` (a list, a
/// tuple or any iterable; NULL deletes the slice), as `list[low:high] = itemlist`. Does not
/// steal `itemlist`. Returns 0, or -1 with an exception set (`TypeError("can only assign an
/// iterable")`, `SystemError` if `list` is not a list).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyList_SetSlice(
    list: *mut PyObject,
    low: Py_ssize_t,
    high: Py_ssize_t,
    itemlist: *mut PyObject,
) -> c_int {
    guard("PyList_SetSlice", -1, || {
        // SAFETY: checked.
        unsafe {
            if !check_list(list) {
                return -1;
            }
            ass_slice(list, low, high, itemlist)
        }
    })
}

/// Sorts the items of `list` in place, stably, comparing with `<` (`PyObject_RichCompareBool`
/// with `Py_LT`). Returns 0, or -1 with an exception set (a comparison's error: the items are
/// then all still in the list, in some order; `ValueError("list modified during sort")`;
/// `SystemError` if `list` is not a list).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyList_Sort(list: *mut PyObject) -> c_int {
    guard("PyList_Sort", -1, || {
        // SAFETY: checked.
        unsafe {
            if !check_list(list) {
                return -1;
            }
            sort(list)
        }
    })
}

/// Reverses the items of `list` in place. Returns 0, or -1 with `SystemError` set if `list` is
/// not a list.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyList_Reverse(list: *mut PyObject) -> c_int {
    guard("PyList_Reverse", -1, || {
        // SAFETY: checked.
        unsafe {
            if !check_list(list) {
                return -1;
            }
            let n = size(list);
            if n > 1 {
                core::slice::from_raw_parts_mut((*l(list)).ob_item, n as usize).reverse();
            }
            0
        }
    })
}

/// Returns a tuple of the items of `list`.
///
/// Return value: New reference, or NULL with an exception set (`SystemError` if `list` is not
/// a list).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyList_AsTuple(list: *mut PyObject) -> *mut PyObject {
    guard("PyList_AsTuple", null_mut(), || {
        // SAFETY: checked.
        unsafe {
            if !check_list(list) {
                return null_mut();
            }
            match snapshot(list, 0, Py_ssize_t::MAX) {
                Some(items) => tuple_from_owned(items),
                None => null_mut(),
            }
        }
    })
}
