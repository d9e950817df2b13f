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
/// item of the right run goes first only when it is strictly less). After a failed comparison
/// (`*failed`), the rest is copied without comparing, so `dst` is always a permutation.
unsafe fn merge(
    src: &[*mut PyObject],
    dst: &mut [*mut PyObject],
    lo: usize,
    mid: usize,
    hi: usize,
    failed: &mut bool,
) {
    let (mut i, mut j, mut k) = (lo, mid, lo);
    while !*failed && i < mid && j < hi {
        // SAFETY: the items are live (the list's references, held by the sort).
        let c = unsafe { less(src[j], src[i]) };
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

/// Sorts `items` in place (stable merge sort, `<` only). -1 with an exception set if a
/// comparison failed; the items are then all still there, in some order.
unsafe fn merge_sort(items: &mut [*mut PyObject]) -> c_int {
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
                // SAFETY: live items.
                let c = unsafe { less(x, items[j - 1]) };
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
    // SAFETY: a scratch array of `n` pointers.
    let tmp =
        unsafe { crate::objects::obmalloc::raw_malloc(size_of_val(items)) as *mut *mut PyObject };
    if tmp.is_null() {
        // SAFETY: setting the error indicator.
        unsafe { crate::python::errors::no_memory() };
        return -1;
    }
    // SAFETY: `tmp` has room for `n` pointers.
    let tmp = unsafe { core::slice::from_raw_parts_mut(tmp, n) };
    let mut width = RUN;
    let mut in_items = true;
    while width < n {
        {
            let (src, dst): (&[*mut PyObject], &mut [*mut PyObject]) = if in_items {
                (&*items, &mut *tmp)
            } else {
                (&*tmp, &mut *items)
            };
            let mut lo = 0;
            while lo < n {
                let mid = (lo + width).min(n);
                let hi = (lo + 2 * width).min(n);
                // SAFETY: runs inside `src`/`dst`.
                unsafe { merge(src, dst, lo, mid, hi, &mut failed) };
                lo = hi;
            }
        }
        in_items = !in_items;
        width *= 2;
    }
    if !in_items {
        items.copy_from_slice(tmp);
    }
    // SAFETY: from raw_malloc above.
    unsafe { crate::objects::obmalloc::raw_free(tmp.as_mut_ptr() as *mut c_void) };
    if failed { -1 } else { 0 }
}

/// `list.sort()` on a checked list. While it runs the list looks empty (as in CPython); a list
/// changed meanwhile raises `ValueError("list modified during sort")`.
unsafe fn sort(op: *mut PyObject) -> c_int {
    // SAFETY: a list; its array is detached during the sort and put back after.
    unsafe {
        let lp = l(op);
        let items = (*lp).ob_item;
        let n = size(op);
        let allocated = (*lp).allocated;
        (*lp).ob_item = null_mut();
        (*lp).allocated = -1;
        set_size(op, 0);
        let mut r = if n > 1 {
            merge_sort(core::slice::from_raw_parts_mut(items, n as usize))
        } else {
            0
        };
        // Whatever the comparisons put into the list meanwhile is dropped.
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
        if modified && r == 0 {
            set_string(crate::exc!(ValueError), "list modified during sort");
            r = -1;
        }
        r
    }
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

/// `list.__init__(self, [iterable])`: empties the list, then extends it with the iterable.
unsafe extern "C" fn list_init(
    op: *mut PyObject,
    args: *mut PyObject,
    kwds: *mut PyObject,
) -> c_int {
    // SAFETY: `op` is a list; `args` a tuple or NULL, `kwds` a dict or NULL.
    unsafe {
        let has_kwargs = !kwds.is_null()
            && if crate::objects::dictobject::is_dict(kwds) {
                (*(kwds as *mut crate::objects::dictobject::PyDictObject)).ma_used > 0
            } else {
                !crate::objects::call::kwargs_empty(kwds)
            };
        if has_kwargs {
            set_string(crate::exc!(TypeError), "list() takes no keyword arguments");
            return -1;
        }
        let n = if args.is_null() { 0 } else { size(args) };
        if n > 1 {
            crate::python::errors::set_format(
                crate::exc!(TypeError),
                format_args!("list expected at most 1 argument, got {n}"),
            );
            return -1;
        }
        clear_list(op);
        if n == 1 {
            return extend(op, crate::objects::tupleobject::item(args, 0));
        }
        0
    }
}

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

/// The type `list_iterator`.
#[unsafe(no_mangle)]
pub static mut PyListIter_Type: PyTypeObject = PyTypeObject {
    tp_getattro: Some(crate::objects::object_ops::PyObject_GenericGetAttr),
    tp_dealloc: Some(listiter_dealloc),
    tp_traverse: Some(listiter_traverse),
    tp_iter: Some(crate::objects::iterobject::PyObject_SelfIter),
    tp_iternext: Some(listiter_next),
    ..static_type(
        c"list_iterator",
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
