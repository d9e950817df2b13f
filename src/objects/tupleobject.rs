//! `Include/tupleobject.h`: `tuple`, with CPython 3.10's `PyTupleObject` layout.

use crate::capi::boundary::{check_null, guard};
use crate::capi::ffi::{decref, new_ref, size, ty, type_has, xdecref};
use crate::modules::gcmodule::{StaticGc, track, untrack};
use crate::objects::object::*;
use crate::objects::typeobject::static_type;
use crate::python::errors::{bad_internal_call, set_string};
use core::ffi::{c_int, c_void};
use core::mem::{offset_of, size_of};
use core::ptr::null_mut;
use static_assertions::const_assert_eq;

/// A tuple: `ob_size` items in `ob_item` (a flexible array).
#[repr(C)]
pub struct PyTupleObject {
    pub ob_base: PyVarObject,
    pub ob_item: [*mut PyObject; 1],
}

const_assert_eq!(size_of::<PyTupleObject>(), 32);
const_assert_eq!(offset_of!(PyTupleObject, ob_item), 24);

static mut TUPLE_AS_SEQUENCE: PySequenceMethods = PySequenceMethods {
    sq_length: Some(tuple_len),
    sq_concat: Some(tuple_concat),
    sq_repeat: Some(tuple_repeat),
    sq_item: Some(tuple_item),
    sq_contains: Some(tuple_contains),
    ..crate::objects::longobject::EMPTY_SEQUENCE_METHODS
};

static mut TUPLE_AS_MAPPING: PyMappingMethods = PyMappingMethods {
    mp_length: Some(tuple_len),
    mp_subscript: Some(tuple_subscript),
    mp_ass_subscript: None,
};

/// tuple's Python-level methods. `__class_getitem__` returns a `types.GenericAlias`, which
/// pycoro has not (`slots_todo.txt`).
static mut TUPLE_METHODS: [crate::objects::methodobject::PyMethodDef; 4] = {
    use crate::objects::genobject::method;
    use crate::objects::methodobject::{METH_NOARGS, METH_O};
    [
        method(
            c"__getnewargs__",
            tuple_getnewargs,
            METH_NOARGS,
            c"__getnewargs__($self, /)\n--\n\n",
        ),
        crate::python::getargs::fast_method(
            c"index",
            tuple_index,
            0,
            c"index($self, value, start=0, stop=sys.maxsize, /)\n--\n\nReturn first index of value.\n\nRaises ValueError if the value is not present.",
        ),
        method(
            c"count",
            tuple_count,
            METH_O,
            c"count($self, value, /)\n--\n\nReturn number of occurrences of value.",
        ),
        crate::objects::methodobject::PyMethodDef::SENTINEL,
    ]
};

/// The type `tuple`.
#[unsafe(no_mangle)]
pub static mut PyTuple_Type: PyTypeObject = PyTypeObject {
    tp_getattro: Some(crate::objects::object_ops::PyObject_GenericGetAttr),
    tp_itemsize: size_of::<*mut PyObject>() as Py_ssize_t,
    tp_dealloc: Some(tuple_dealloc),
    tp_repr: Some(tuple_repr),
    tp_hash: Some(tuple_hash),
    tp_richcompare: Some(tuple_richcompare),
    tp_traverse: Some(tuple_traverse),
    tp_as_sequence: &raw mut TUPLE_AS_SEQUENCE,
    tp_as_mapping: &raw mut TUPLE_AS_MAPPING,
    tp_methods: (&raw mut TUPLE_METHODS) as *mut crate::objects::methodobject::PyMethodDef,
    tp_iter: Some(tuple_iter),
    tp_vectorcall: Some(tuple_vectorcall),
    tp_free: Some(crate::modules::gcmodule::PyObject_GC_Del),
    tp_doc: c"tuple(iterable=(), /)\n--\n\nBuilt-in immutable sequence.\n\nIf no argument is given, the constructor returns an empty tuple.\nIf iterable is specified the tuple is initialized from iterable's items.\n\nIf the argument is a tuple, the return value is the same object.".as_ptr(),
    tp_new: Some(tuple_new),
    ..static_type(
        c"tuple",
        24,
        Py_TPFLAGS_BASETYPE
            | Py_TPFLAGS_HAVE_GC
            | Py_TPFLAGS_TUPLE_SUBCLASS
            | Py_TPFLAGS_SEQUENCE
            | _Py_TPFLAGS_MATCH_SELF,
    )
};

/// The empty tuple: one immortal object shared by all threads.
static mut EMPTY: StaticGc<PyTupleObject> = StaticGc::new(PyTupleObject {
    ob_base: PyVarObject {
        ob_base: PyObject {
            ob_refcnt: PYNATIVE_IMMORTAL_REFCNT,
            ob_type: &raw mut PyTuple_Type,
        },
        ob_size: 0,
    },
    ob_item: [null_mut()],
});

/// `()` (borrowed; immortal).
#[inline]
pub(crate) fn empty() -> *mut PyObject {
    // SAFETY: only the address is taken; the empty tuple is immortal and never written.
    unsafe { (&raw mut EMPTY.obj) as *mut PyObject }
}

/// `PyTuple_Check`.
#[inline]
pub(crate) unsafe fn is_tuple(op: *mut PyObject) -> bool {
    // SAFETY: live object.
    unsafe { type_has(op, Py_TPFLAGS_TUPLE_SUBCLASS) }
}

/// Pointer to the item array.
#[inline(always)]
pub(crate) unsafe fn items(op: *mut PyObject) -> *mut *mut PyObject {
    // SAFETY: `op` is a tuple.
    unsafe { (&raw mut (*(op as *mut PyTupleObject)).ob_item) as *mut *mut PyObject }
}

/// `PyTuple_GET_ITEM` (borrowed).
#[inline(always)]
pub(crate) unsafe fn item(op: *mut PyObject, i: Py_ssize_t) -> *mut PyObject {
    // SAFETY: `op` is a tuple and `i` in range.
    unsafe { *items(op).add(i as usize) }
}

/// The items as a slice (borrowed).
pub(crate) unsafe fn as_slice<'a>(op: *mut PyObject) -> &'a [*mut PyObject] {
    // SAFETY: `op` is a tuple with `ob_size` initialized items.
    unsafe { core::slice::from_raw_parts(items(op), size(op) as usize) }
}

/// A new tuple of `n` NULL items (tracked). Return value: New reference, or NULL.
pub(crate) unsafe fn new_tuple(n: Py_ssize_t) -> *mut PyObject {
    if n == 0 {
        return empty();
    }
    // SAFETY: allocation sized for `n` items; zeroed means NULL items.
    unsafe {
        let tp = &raw mut PyTuple_Type;
        let Some(bytes) = crate::modules::gcmodule::var_size(&*tp, n) else {
            return crate::python::errors::no_memory();
        };
        let op = crate::modules::gcmodule::alloc_object(tp, bytes);
        if op.is_null() {
            return op;
        }
        (*(op as *mut PyVarObject)).ob_size = n;
        track(op);
        op
    }
}

/// A tuple holding new references to `objs`. Return value: New reference, or NULL.
pub(crate) unsafe fn tuple_from(objs: &[*mut PyObject]) -> *mut PyObject {
    // SAFETY: every element is a live object.
    unsafe {
        let t = new_tuple(objs.len() as Py_ssize_t);
        if t.is_null() {
            return t;
        }
        for (i, &o) in objs.iter().enumerate() {
            *items(t).add(i) = new_ref(o);
        }
        t
    }
}

unsafe extern "C" fn tuple_len(op: *mut PyObject) -> Py_ssize_t {
    // SAFETY: a tuple.
    unsafe { size(op) }
}

unsafe extern "C" fn tuple_item(op: *mut PyObject, i: Py_ssize_t) -> *mut PyObject {
    // SAFETY: a tuple.
    unsafe {
        if i < 0 || i >= size(op) {
            set_string(crate::exc!(IndexError), "tuple index out of range");
            return null_mut();
        }
        new_ref(item(op, i))
    }
}

unsafe extern "C" fn tuple_dealloc(op: *mut PyObject) {
    // SAFETY: a dying tuple: untracked first, then its items released (in the trashcan: a
    // tuple nested a million deep is freed without a million nested calls).
    unsafe {
        crate::modules::gcmodule::trashcan(op, tuple_dealloc, || {
            untrack(op);
            for i in 0..size(op) {
                xdecref(item(op, i));
            }
            crate::modules::gcmodule::free_object(op);
        })
    }
}

unsafe extern "C" fn tuple_traverse(
    op: *mut PyObject,
    visit: visitproc,
    arg: *mut c_void,
) -> c_int {
    // SAFETY: a tuple.
    for &o in unsafe { as_slice(op) } {
        crate::capi::ffi::py_visit!(o, visit, arg);
    }
    0
}

unsafe extern "C" fn tuple_repr(op: *mut PyObject) -> *mut PyObject {
    // SAFETY: a tuple of live objects.
    unsafe {
        // Every growth is fallible: the items' reprs may be arbitrarily big (MemoryError, not
        // an abort).
        let mut out = crate::capi::fallible::Text::new();
        let mut grown = out.push('(');
        let its = as_slice(op);
        for (i, &o) in its.iter().enumerate() {
            if i > 0 && grown.is_ok() {
                grown = out.push_str(", ");
            }
            if grown.is_err() {
                break;
            }
            let r = crate::objects::object_ops::repr(o);
            if r.is_null() {
                return r;
            }
            grown = out.push_str(crate::objects::unicodeobject::str_as(r).unwrap_or("?"));
            decref(r);
        }
        if its.len() == 1 && grown.is_ok() {
            grown = out.push(',');
        }
        if grown.is_ok() {
            grown = out.push(')');
        }
        crate::objects::unicodeobject::str_from_text(grown.map(|()| out))
    }
}

// The hash: 3.10's xxHash-style combination of the item hashes (equal tuples hash equally).
const XXPRIME_1: u64 = 11400714785074694791;
const XXPRIME_2: u64 = 14029467366897019727;
const XXPRIME_5: u64 = 2870177450012600261;

/// One tuple whose hash is being computed: the items still to combine and the accumulator.
struct HashFrame {
    tuple: *mut PyObject,
    next: usize,
    acc: u64,
}

#[inline]
fn hash_combine(acc: u64, h: Py_hash_t) -> u64 {
    acc.wrapping_add((h as u64).wrapping_mul(XXPRIME_2))
        .rotate_left(31)
        .wrapping_mul(XXPRIME_1)
}

#[inline]
fn hash_finish(acc: u64, len: usize) -> Py_hash_t {
    let h = acc.wrapping_add(len as u64 ^ (XXPRIME_5 ^ 3527539)) as Py_hash_t;
    if h == -1 { 1546275796 } else { h }
}

/// `tuple.__hash__`. Items that are tuples whose hash is this one are taken on an explicit
/// stack rather than by recursion, so a tuple nested any depth hashes with the C stack of one
/// level and gives CPython's value (CPython recurses, and crashes near a million levels).
unsafe extern "C" fn tuple_hash(op: *mut PyObject) -> Py_hash_t {
    // SAFETY: a tuple of live objects; the tuples on the stack are kept alive by their
    // containers, which are kept alive by `op`.
    unsafe {
        let mut stack: Vec<HashFrame> = Vec::new();
        let mut cur = HashFrame {
            tuple: op,
            next: 0,
            acc: XXPRIME_5,
        };
        loop {
            let its = as_slice(cur.tuple);
            if cur.next == its.len() {
                let h = hash_finish(cur.acc, its.len());
                match stack.pop() {
                    None => return h,
                    Some(outer) => {
                        cur = outer;
                        cur.acc = hash_combine(cur.acc, h);
                        continue;
                    }
                }
            }
            let o = its[cur.next];
            cur.next += 1;
            if (*ty(o)).tp_hash.map(|f| f as usize) == Some(tuple_hash as *const () as usize) {
                if stack.try_reserve(1).is_err() {
                    crate::python::errors::no_memory();
                    return -1;
                }
                stack.push(cur);
                cur = HashFrame {
                    tuple: o,
                    next: 0,
                    acc: XXPRIME_5,
                };
                continue;
            }
            let h = crate::objects::object_ops::PyObject_Hash(o);
            if h == -1 {
                return -1;
            }
            cur.acc = hash_combine(cur.acc, h);
        }
    }
}

unsafe extern "C" fn tuple_richcompare(
    v: *mut PyObject,
    w: *mut PyObject,
    op: c_int,
) -> *mut PyObject {
    // SAFETY: live objects.
    unsafe {
        if !is_tuple(v) || !is_tuple(w) {
            return new_ref(crate::objects::object_ops::not_implemented());
        }
        let (a, b) = (as_slice(v), as_slice(w));
        let mut i = 0;
        while i < a.len() && i < b.len() {
            let k = crate::objects::object_ops::PyObject_RichCompareBool(a[i], b[i], Py_EQ);
            if k < 0 {
                return null_mut();
            }
            if k == 0 {
                break;
            }
            i += 1;
        }
        if i >= a.len() || i >= b.len() {
            let (x, y) = (a.len(), b.len());
            return crate::objects::object_ops::compare_result(x.cmp(&y), op);
        }
        match op {
            Py_EQ => new_ref(crate::objects::boolobject::false_()),
            Py_NE => new_ref(crate::objects::boolobject::true_()),
            _ => crate::objects::object_ops::rich_compare(a[i], b[i], op),
        }
    }
}

/// Creates a tuple of `size` items, all NULL: fill it with `PyTuple_SetItem` or
/// `PyTuple_SET_ITEM` before handing it to other code. `PyTuple_New(0)` returns the shared
/// empty tuple.
///
/// Return value: New reference, or NULL with an exception set (`SystemError` for a negative
/// size, `MemoryError`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyTuple_New(size: Py_ssize_t) -> *mut PyObject {
    if size < 0 {
        // SAFETY: setting the error indicator.
        unsafe { bad_internal_call() };
        return null_mut();
    }
    // SAFETY: size checked.
    guard("PyTuple_New", null_mut(), || unsafe { new_tuple(size) })
}

/// Returns the number of items of `p`, or -1 with `SystemError` set if it is not a tuple.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyTuple_Size(p: *mut PyObject) -> Py_ssize_t {
    check_null!(p, -1);
    // SAFETY: live object.
    unsafe {
        if !is_tuple(p) {
            bad_internal_call();
            return -1;
        }
        size(p)
    }
}

/// Returns item `pos` of the tuple `p`.
///
/// Return value: Borrowed reference, or NULL with an exception set (`IndexError("tuple index out
/// of range")`, `SystemError` if `p` is not a tuple).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyTuple_GetItem(p: *mut PyObject, pos: Py_ssize_t) -> *mut PyObject {
    check_null!(p, null_mut());
    guard("PyTuple_GetItem", null_mut(), || {
        // SAFETY: live object.
        unsafe {
            if !is_tuple(p) {
                bad_internal_call();
                return null_mut();
            }
            if pos < 0 || pos >= size(p) {
                set_string(crate::exc!(IndexError), "tuple index out of range");
                return null_mut();
            }
            item(p, pos)
        }
    })
}

/// Stores `o` at `pos` in the brand-new tuple `p` (reference count 1), releasing any previous
/// item. Steals a reference to `o`, even on failure. Returns 0, or -1 with an exception set
/// (`IndexError("tuple assignment index out of range")`; `SystemError` if `p` is not a tuple or
/// is shared).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyTuple_SetItem(
    p: *mut PyObject,
    pos: Py_ssize_t,
    o: *mut PyObject,
) -> c_int {
    guard("PyTuple_SetItem", -1, || {
        // SAFETY: `o` is stolen (released on every failure path); `p` live or NULL.
        unsafe {
            if p.is_null() || !is_tuple(p) || (*p).ob_refcnt != 1 {
                xdecref(o);
                bad_internal_call();
                return -1;
            }
            if pos < 0 || pos >= size(p) {
                xdecref(o);
                set_string(
                    crate::exc!(IndexError),
                    "tuple assignment index out of range",
                );
                return -1;
            }
            let slot = items(p).add(pos as usize);
            let old = *slot;
            *slot = o;
            xdecref(old);
            0
        }
    })
}

/// Returns the slice `p[low:high]` (indices clamped as in Python). Slicing a whole tuple
/// returns `p` itself.
///
/// Return value: New reference, or NULL with an exception set (`SystemError` if `p` is not a
/// tuple).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyTuple_GetSlice(
    p: *mut PyObject,
    low: Py_ssize_t,
    high: Py_ssize_t,
) -> *mut PyObject {
    check_null!(p, null_mut());
    guard("PyTuple_GetSlice", null_mut(), || {
        // SAFETY: live object.
        unsafe {
            if !is_tuple(p) {
                bad_internal_call();
                return null_mut();
            }
            let n = size(p);
            let lo = low.clamp(0, n);
            let hi = high.clamp(lo, n);
            if lo == 0 && hi == n && ty(p) == &raw mut PyTuple_Type {
                return new_ref(p);
            }
            tuple_from(&as_slice(p)[lo as usize..hi as usize])
        }
    })
}

/// `tuple(iterable=())`: the iterable's items (a tuple itself when it is one).
unsafe extern "C" fn tuple_new(
    tp: *mut PyTypeObject,
    args: *mut PyObject,
    kwds: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: a tuple and a dict or NULL.
    unsafe {
        if !crate::python::getargs::no_keywords("tuple", kwds) {
            return null_mut();
        }
        let n = crate::capi::ffi::size(args);
        if !crate::python::getargs::check_positional("tuple", n, 0, 1) {
            return null_mut();
        }
        tuple_new_impl(tp, if n == 0 { null_mut() } else { item(args, 0) })
    }
}

/// `tuple(...)` called vectorcall style (`tp_vectorcall` of tuple).
unsafe extern "C" fn tuple_vectorcall(
    tp: *mut PyObject,
    args: *const *mut PyObject,
    nargsf: usize,
    kwnames: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: `tp` is tuple (its tp_vectorcall is not inherited); `args` holds the arguments.
    unsafe {
        if !crate::python::getargs::no_keywords("tuple", kwnames) {
            return null_mut();
        }
        let n = (nargsf & !crate::objects::call::PY_VECTORCALL_ARGUMENTS_OFFSET) as Py_ssize_t;
        if !crate::python::getargs::check_positional("tuple", n, 0, 1) {
            return null_mut();
        }
        tuple_new_impl(
            tp as *mut PyTypeObject,
            if n == 0 { null_mut() } else { *args },
        )
    }
}

/// A tuple of `tp` with the items of `iterable` (NULL: none).
unsafe fn tuple_new_impl(tp: *mut PyTypeObject, iterable: *mut PyObject) -> *mut PyObject {
    // SAFETY: `tp` is tuple or a subtype; `iterable` live or NULL.
    unsafe {
        let items = if iterable.is_null() {
            empty()
        } else {
            let it = iterable;
            if is_tuple(it) && crate::capi::ffi::ty(it) == &raw mut PyTuple_Type {
                crate::capi::ffi::new_ref(it)
            } else {
                let iter = crate::objects::iterobject::PyObject_GetIter(it);
                if iter.is_null() {
                    return null_mut();
                }
                let mut v: Vec<*mut PyObject> = Vec::new();
                loop {
                    let x = crate::objects::iterobject::PyIter_Next(iter);
                    if x.is_null() {
                        break;
                    }
                    if v.try_reserve(1).is_err() {
                        crate::capi::ffi::decref(x);
                        crate::python::errors::no_memory();
                        break;
                    }
                    v.push(x);
                }
                crate::capi::ffi::decref(iter);
                let failed = !crate::python::errors::occurred().is_null();
                let t = if failed { null_mut() } else { tuple_from(&v) };
                for x in v {
                    crate::capi::ffi::decref(x);
                }
                if t.is_null() {
                    if !failed && crate::python::errors::occurred().is_null() {
                        return crate::python::errors::no_memory();
                    }
                    return null_mut();
                }
                t
            }
        };
        if tp == &raw mut PyTuple_Type {
            return items;
        }
        // A subclass: a new object of that type holding the same items.
        let m = crate::capi::ffi::size(items);
        let Some(alloc) = (*tp).tp_alloc else {
            crate::capi::ffi::decref(items);
            crate::python::errors::bad_internal_call();
            return null_mut();
        };
        let o = alloc(tp, m);
        if !o.is_null() {
            for i in 0..m {
                *items_ptr(o).add(i as usize) = crate::capi::ffi::new_ref(item(items, i));
            }
        }
        crate::capi::ffi::decref(items);
        o
    }
}

/// `a + b` (`sq_concat`): a new tuple of both item runs; `a` itself when `b` is empty and `a`
/// an exact tuple, `b` itself when `a` is empty and `b` exact.
unsafe extern "C" fn tuple_concat(a: *mut PyObject, b: *mut PyObject) -> *mut PyObject {
    // SAFETY: `a` a tuple, `b` live.
    unsafe {
        if !is_tuple(b) {
            crate::python::errors::set_format(
                crate::exc!(TypeError),
                format_args!(
                    "can only concatenate tuple (not \"{}\") to tuple",
                    crate::objects::typeobject::tp_name_of(b)
                ),
            );
            return null_mut();
        }
        let exact = |o: *mut PyObject| ty(o) == &raw mut PyTuple_Type;
        if size(b) == 0 && exact(a) {
            return new_ref(a);
        }
        if size(a) == 0 && exact(b) {
            return new_ref(b);
        }
        let (x, y) = (as_slice(a), as_slice(b));
        let Some(n) = x
            .len()
            .checked_add(y.len())
            .filter(|&n| n <= isize::MAX as usize)
        else {
            return crate::python::errors::no_memory();
        };
        let t = new_tuple(n as Py_ssize_t);
        if t.is_null() {
            return t;
        }
        // The items of `a` and `b` are read after the allocation (which may run a collection):
        // tuples do not change, so they are the same.
        let (x, y) = (as_slice(a), as_slice(b));
        for (i, &o) in x.iter().chain(y.iter()).enumerate() {
            *items(t).add(i) = new_ref(o);
        }
        t
    }
}

/// `a * n` (`sq_repeat`): `a` itself for an exact tuple repeated once (or empty); `()` for
/// `n <= 0`; MemoryError when the size overflows.
unsafe extern "C" fn tuple_repeat(a: *mut PyObject, n: Py_ssize_t) -> *mut PyObject {
    // SAFETY: a tuple.
    unsafe {
        let len = size(a);
        if (len == 0 || n == 1) && ty(a) == &raw mut PyTuple_Type {
            return new_ref(a);
        }
        if len == 0 || n <= 0 {
            return empty();
        }
        let Some(total) = len.checked_mul(n) else {
            return crate::python::errors::no_memory();
        };
        let t = new_tuple(total);
        if t.is_null() {
            return t;
        }
        let src = as_slice(a);
        for k in 0..total as usize {
            *items(t).add(k) = new_ref(src[k % src.len()]);
        }
        t
    }
}

/// `x in t` (`sq_contains`): an item equal to `x` (`item == x`).
unsafe extern "C" fn tuple_contains(a: *mut PyObject, el: *mut PyObject) -> c_int {
    // SAFETY: a tuple (its items live as long as it does).
    unsafe {
        for &o in as_slice(a) {
            let c = crate::objects::object_ops::PyObject_RichCompareBool(o, el, Py_EQ);
            if c != 0 {
                return c;
            }
        }
        0
    }
}

/// `t[key]` (`mp_subscript`) for an integer key (negative counts from the end). CPython also
/// takes a slice; pycoro has no slice objects (issue 12), so any other key is the `TypeError`
/// CPython gives for a key that is neither.
unsafe extern "C" fn tuple_subscript(a: *mut PyObject, key: *mut PyObject) -> *mut PyObject {
    // SAFETY: a tuple and a live key.
    unsafe {
        let Some(mut i) = crate::python::getargs::subscript_index(key, "tuple") else {
            return null_mut();
        };
        if i < 0 {
            i = i.saturating_add(size(a));
        }
        tuple_item(a, i)
    }
}

/// `t.count(value)`.
unsafe extern "C" fn tuple_count(a: *mut PyObject, value: *mut PyObject) -> *mut PyObject {
    // SAFETY: a tuple.
    unsafe {
        let mut n: Py_ssize_t = 0;
        for &o in as_slice(a) {
            match crate::objects::object_ops::PyObject_RichCompareBool(o, value, Py_EQ) {
                c if c < 0 => return null_mut(),
                0 => {}
                _ => n += 1,
            }
        }
        crate::objects::longobject::PyLong_FromSsize_t(n)
    }
}

/// `t.index(value, start=0, stop=sys.maxsize)`.
unsafe extern "C" fn tuple_index(
    a: *mut PyObject,
    args: *const *mut PyObject,
    nargs: Py_ssize_t,
) -> *mut PyObject {
    // SAFETY: a tuple and `nargs` live arguments.
    unsafe {
        if !crate::python::getargs::check_positional("index", nargs, 1, 3) {
            return null_mut();
        }
        let args = crate::python::getargs::args_slice(args, nargs);
        let Some((start, stop)) = crate::python::getargs::index_bounds(args) else {
            return null_mut();
        };
        let (start, stop) = crate::python::getargs::resolve_range(start, stop, size(a));
        let its = as_slice(a);
        let mut i = start;
        while i < stop && i < its.len() as Py_ssize_t {
            match crate::objects::object_ops::PyObject_RichCompareBool(
                its[i as usize],
                args[0],
                Py_EQ,
            ) {
                c if c < 0 => return null_mut(),
                0 => {}
                _ => return crate::objects::longobject::PyLong_FromSsize_t(i),
            }
            i += 1;
        }
        set_string(crate::exc!(ValueError), "tuple.index(x): x not in tuple");
        null_mut()
    }
}

/// `t.__getnewargs__()`: `(tuple(t),)`.
unsafe extern "C" fn tuple_getnewargs(a: *mut PyObject, _: *mut PyObject) -> *mut PyObject {
    // SAFETY: a tuple.
    unsafe {
        let copy = if ty(a) == &raw mut PyTuple_Type {
            new_ref(a)
        } else {
            tuple_from(as_slice(a))
        };
        if copy.is_null() {
            return copy;
        }
        let r = tuple_from(&[copy]);
        decref(copy);
        r
    }
}

// ---- tuple_iterator ----

/// CPython's `tupleiterobject` (32 bytes).
#[repr(C)]
struct TupleIterObject {
    ob_base: PyObject,
    it_index: Py_ssize_t,
    /// NULL once exhausted.
    it_seq: *mut PyObject,
}

const_assert_eq!(size_of::<TupleIterObject>(), 32);

unsafe extern "C" fn tuple_iter(op: *mut PyObject) -> *mut PyObject {
    // SAFETY: a tuple; the iterator holds a reference to it.
    unsafe {
        let it = crate::modules::gcmodule::alloc_object(
            &raw mut PyTupleIter_Type,
            size_of::<TupleIterObject>(),
        ) as *mut TupleIterObject;
        if it.is_null() {
            return null_mut();
        }
        (*it).it_index = 0;
        (*it).it_seq = new_ref(op);
        track(it as *mut PyObject);
        it as *mut PyObject
    }
}

unsafe extern "C" fn tupleiter_dealloc(op: *mut PyObject) {
    // SAFETY: a dying tuple iterator.
    unsafe {
        untrack(op);
        xdecref((*(op as *mut TupleIterObject)).it_seq);
        crate::modules::gcmodule::free_object(op);
    }
}

unsafe extern "C" fn tupleiter_traverse(
    op: *mut PyObject,
    visit: visitproc,
    arg: *mut c_void,
) -> c_int {
    // SAFETY: a live tuple iterator.
    crate::capi::ffi::py_visit!(
        unsafe { (*(op as *mut TupleIterObject)).it_seq },
        visit,
        arg
    );
    0
}

unsafe extern "C" fn tupleiter_next(op: *mut PyObject) -> *mut PyObject {
    // SAFETY: a tuple iterator.
    unsafe {
        let it = op as *mut TupleIterObject;
        let seq = (*it).it_seq;
        if seq.is_null() {
            return null_mut();
        }
        if (*it).it_index < size(seq) {
            let x = item(seq, (*it).it_index);
            (*it).it_index += 1;
            return new_ref(x);
        }
        (*it).it_seq = null_mut();
        decref(seq);
        null_mut()
    }
}

/// `__length_hint__`: the items left.
unsafe extern "C" fn tupleiter_len(op: *mut PyObject, _: *mut PyObject) -> *mut PyObject {
    // SAFETY: a tuple iterator.
    unsafe {
        let it = op as *mut TupleIterObject;
        let n = if (*it).it_seq.is_null() {
            0
        } else {
            size((*it).it_seq) - (*it).it_index
        };
        crate::objects::longobject::PyLong_FromSsize_t(n)
    }
}

/// `__setstate__(index)`: moves the iterator to `index` (clamped to the tuple).
unsafe extern "C" fn tupleiter_setstate(op: *mut PyObject, state: *mut PyObject) -> *mut PyObject {
    // SAFETY: a tuple iterator and a live state.
    unsafe {
        let index = crate::objects::longobject::PyLong_AsSsize_t(state);
        if index == -1 && !crate::python::errors::occurred().is_null() {
            return null_mut();
        }
        let it = op as *mut TupleIterObject;
        if !(*it).it_seq.is_null() {
            (*it).it_index = index.clamp(0, size((*it).it_seq));
        }
        new_ref(crate::objects::object_ops::none())
    }
}

/// `__length_hint__` and `__setstate__` (CPython's `__reduce__` returns `(iter, (tuple,),
/// index)`, and pycoro has no `builtins.iter`: left out, `slots_todo.txt`).
static mut TUPLEITER_METHODS: [crate::objects::methodobject::PyMethodDef; 3] = {
    use crate::objects::genobject::method;
    use crate::objects::methodobject::{METH_NOARGS, METH_O};
    [
        method(
            c"__length_hint__",
            tupleiter_len,
            METH_NOARGS,
            c"Private method returning an estimate of len(list(it)).",
        ),
        method(
            c"__setstate__",
            tupleiter_setstate,
            METH_O,
            c"Set state information for unpickling.",
        ),
        crate::objects::methodobject::PyMethodDef::SENTINEL,
    ]
};

/// The type `tuple_iterator` (what `iter(tuple)` returns).
#[unsafe(no_mangle)]
pub static mut PyTupleIter_Type: PyTypeObject = PyTypeObject {
    tp_getattro: Some(crate::objects::object_ops::PyObject_GenericGetAttr),
    tp_dealloc: Some(tupleiter_dealloc),
    tp_traverse: Some(tupleiter_traverse),
    tp_iter: Some(crate::objects::iterobject::PyObject_SelfIter),
    tp_iternext: Some(tupleiter_next),
    tp_methods: (&raw mut TUPLEITER_METHODS) as *mut crate::objects::methodobject::PyMethodDef,
    ..static_type(
        c"tuple_iterator",
        size_of::<TupleIterObject>(),
        Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_DISALLOW_INSTANTIATION,
    )
};

unsafe fn items_ptr(op: *mut PyObject) -> *mut *mut PyObject {
    // SAFETY: a tuple-layout object.
    unsafe { (op as *mut u8).add(size_of::<PyVarObject>()) as *mut *mut PyObject }
}
