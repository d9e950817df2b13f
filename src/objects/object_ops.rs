//! `Include/object.h`'s object protocol (repr, str, comparison, hashing, truth, attributes)
//! and the singletons `None` and `NotImplemented`.

use crate::capi::boundary::{check_null, guard};
use crate::capi::ffi::{decref, incref, new_ref, obj, ty};
use crate::objects::object::*;
use crate::objects::typeobject::{full_name, is_subtype, static_type, tp_name_of};
use crate::objects::unicodeobject::{is_str, str_as, str_format, str_from};
use crate::python::errors::{set_format, set_string};
use core::ffi::{c_char, c_int};
use core::ptr::null_mut;

/// The type of `None`.
#[unsafe(no_mangle)]
pub static mut _PyNone_Type: PyTypeObject = PyTypeObject {
    tp_dealloc: Some(immortal_dealloc),
    tp_repr: Some(none_repr),
    tp_as_number: &raw mut NONE_AS_NUMBER,
    tp_new: Some(none_new),
    ..static_type(c"NoneType", 16, 0)
};

/// The type of `NotImplemented`.
#[unsafe(no_mangle)]
pub static mut _PyNotImplemented_Type: PyTypeObject = PyTypeObject {
    tp_dealloc: Some(notimpl_dealloc),
    tp_repr: Some(notimpl_repr),
    tp_as_number: &raw mut NOTIMPL_AS_NUMBER,
    tp_new: Some(notimpl_new),
    tp_methods: (&raw const NOTIMPL_METHODS) as *mut crate::objects::methodobject::PyMethodDef,
    ..static_type(c"NotImplementedType", 16, 0)
};

static mut NONE_AS_NUMBER: PyNumberMethods = PyNumberMethods {
    nb_bool: Some(none_bool),
    ..crate::objects::longobject::EMPTY_NUMBER_METHODS
};

static mut NOTIMPL_AS_NUMBER: PyNumberMethods = PyNumberMethods {
    nb_bool: Some(notimpl_bool),
    ..crate::objects::longobject::EMPTY_NUMBER_METHODS
};

static mut NOTIMPL_METHODS: [crate::objects::methodobject::PyMethodDef; 2] = [
    crate::objects::methodobject::PyMethodDef {
        ml_name: c"__reduce__".as_ptr(),
        ml_meth: Some(notimpl_reduce),
        ml_flags: crate::objects::methodobject::METH_NOARGS,
        ml_doc: core::ptr::null(),
    },
    crate::objects::methodobject::PyMethodDef::SENTINEL,
];

unsafe extern "C" fn notimpl_dealloc(op: *mut PyObject) {
    // SAFETY: the immortal singleton is never freed.
    unsafe { immortal_dealloc(op) }
}

unsafe extern "C" fn none_bool(_op: *mut PyObject) -> c_int {
    0
}

unsafe extern "C" fn notimpl_bool(_op: *mut PyObject) -> c_int {
    // SAFETY: issuing a warning (3.9+ deprecates NotImplemented in a boolean context).
    unsafe {
        let m = str_from("NotImplemented should not be used in a boolean context");
        if m.is_null() {
            return -1;
        }
        let r = crate::python::warnings::warn(crate::exc!(DeprecationWarning), m, 1, null_mut());
        decref(m);
        if r < 0 { -1 } else { 1 }
    }
}

unsafe extern "C" fn notimpl_reduce(_op: *mut PyObject, _a: *mut PyObject) -> *mut PyObject {
    // SAFETY: a str.
    unsafe { str_from("NotImplemented") }
}

/// `NoneType()` and `NotImplementedType()` return the singleton and take no arguments.
unsafe fn singleton_new(
    args: *mut PyObject,
    kwds: *mut PyObject,
    name: &str,
    singleton: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: a tuple and a dict or NULL.
    unsafe {
        if crate::capi::ffi::size(args) != 0
            || (!kwds.is_null() && !crate::objects::call::kwargs_empty(kwds))
        {
            crate::python::errors::set_format(
                crate::exc!(TypeError),
                format_args!("{name} takes no arguments"),
            );
            return null_mut();
        }
        new_ref(singleton)
    }
}

unsafe extern "C" fn none_new(
    _t: *mut PyTypeObject,
    a: *mut PyObject,
    k: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: tp_new contract.
    unsafe { singleton_new(a, k, "NoneType", none()) }
}

unsafe extern "C" fn notimpl_new(
    _t: *mut PyTypeObject,
    a: *mut PyObject,
    k: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: tp_new contract.
    unsafe { singleton_new(a, k, "NotImplementedType", not_implemented()) }
}

/// `None` (`Py_None` is `&_Py_NoneStruct`). Immortal.
#[unsafe(no_mangle)]
pub static mut _Py_NoneStruct: PyObject = PyObject {
    ob_refcnt: PYNATIVE_IMMORTAL_REFCNT,
    ob_type: &raw mut _PyNone_Type,
};

/// `NotImplemented` (`Py_NotImplemented` is `&_Py_NotImplementedStruct`). Immortal.
#[unsafe(no_mangle)]
pub static mut _Py_NotImplementedStruct: PyObject = PyObject {
    ob_refcnt: PYNATIVE_IMMORTAL_REFCNT,
    ob_type: &raw mut _PyNotImplemented_Type,
};

/// `Py_None`.
#[inline(always)]
pub(crate) fn none() -> *mut PyObject {
    &raw mut _Py_NoneStruct
}

/// `Py_NotImplemented`.
#[inline(always)]
pub(crate) fn not_implemented() -> *mut PyObject {
    &raw mut _Py_NotImplementedStruct
}

unsafe extern "C" fn immortal_dealloc(op: *mut PyObject) {
    // An immortal object's count reached zero through unbalanced Py_DECREFs from code that does
    // not know about immortality: restore it instead of freeing static memory.
    // SAFETY: static object.
    unsafe { (*op).ob_refcnt = PYNATIVE_IMMORTAL_REFCNT };
}

unsafe extern "C" fn none_repr(_op: *mut PyObject) -> *mut PyObject {
    // SAFETY: creating a str.
    unsafe { str_from("None") }
}

unsafe extern "C" fn notimpl_repr(_op: *mut PyObject) -> *mut PyObject {
    // SAFETY: creating a str.
    unsafe { str_from("NotImplemented") }
}

/// Deallocates `op` through its type's `tp_dealloc` (reference count already zero).
#[inline]
pub(crate) unsafe fn dealloc(op: *mut PyObject) {
    // SAFETY: `op` is dead; its type knows how to free it.
    unsafe {
        if let Some(d) = (*ty(op)).tp_dealloc {
            d(op);
        }
    }
}

/// Calls the type's `tp_dealloc` on an object whose reference count reached zero (what
/// `Py_DECREF` does). *op* must not be NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn _Py_Dealloc(op: *mut PyObject) {
    check_null!(op);
    // SAFETY: the caller dropped the last reference.
    guard("_Py_Dealloc", (), || unsafe { dealloc(op) })
}

/// Objects made immortal by `PyNative_SetImmortal`, by the start of their memory block: they
/// are never freed, and this table keeps them reachable for leak checkers.
static IMMORTALIZED: std::sync::Mutex<Vec<usize>> = std::sync::Mutex::new(Vec::new());

/// Records the start of an immortal object's memory block (`start`: its GC header for a GC
/// object) in the process-wide table, so leak checkers see it as reachable. Out of memory the
/// block is simply not recorded (it stays in use; a leak checker may then call it "possibly
/// lost").
pub(crate) fn keep_reachable(start: usize) {
    let mut table = IMMORTALIZED.lock().unwrap_or_else(|e| e.into_inner());
    if crate::capi::fallible::try_reserve(&mut table, 1).is_ok() {
        table.push(start);
    }
}

/// Makes `op` immortal, as CPython 3.12 makes its immortal objects (3.13+ has this as an
/// internal `_Py_SetImmortal`): its reference count is set to `PYNATIVE_IMMORTAL_REFCNT` and is
/// never written again, by pycoro or by `Py_INCREF`/`Py_DECREF`, and the object is never
/// deallocated (nor examined by the cycle collector: a GC object is untracked). pycoro keeps
/// it in a process-wide table, so leak checkers see it as reachable.
///
/// An immortal object may be used by any number of threads at once as far as reference
/// counting goes: this is how a code object is shared (README "Threading contract"). For a code
/// object the call also makes immortal the objects the code holds and hands out to its frames
/// and generators: `co_name`, `co_filename` and its tuples (`co_consts`, `co_names`, ...), so
/// that frames, coroutines and generators of the code may be created, run and freed on any
/// number of threads at the same time. Other objects are made immortal alone, not what they
/// refer to.
///
/// Call it while only the calling thread uses `op` (before sharing it). Immortalizing an
/// object that is already immortal does nothing.
///
/// Returns 0, or -1 with an exception set: `SystemError` ("bad argument to internal function")
/// when `op` is NULL; `MemoryError` (and `op` is left unchanged) when the table cannot grow.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyNative_SetImmortal(op: *mut PyObject) -> c_int {
    check_null!(op, -1);
    guard("PyNative_SetImmortal", -1, || {
        // SAFETY: a live object owned by the calling thread by contract.
        unsafe {
            let mut targets = [null_mut(); 10];
            let mut n = 0;
            targets[n] = op;
            n += 1;
            if crate::objects::codeobject::is_code(op) {
                let co = op as *mut crate::objects::codeobject::PyCodeObject;
                for field in [
                    (*co).co_code,
                    (*co).co_consts,
                    (*co).co_names,
                    (*co).co_varnames,
                    (*co).co_freevars,
                    (*co).co_cellvars,
                    (*co).co_filename,
                    (*co).co_name,
                    (*co).co_linetable,
                ] {
                    targets[n] = field;
                    n += 1;
                }
            }
            let mortal = |o: *mut PyObject| !o.is_null() && (*o).ob_refcnt < PYNATIVE_IMMORTAL_MIN;
            let count = targets[..n].iter().filter(|&&o| mortal(o)).count();
            let mut table = IMMORTALIZED.lock().unwrap_or_else(|e| e.into_inner());
            if crate::capi::fallible::try_reserve(&mut table, count).is_err() {
                drop(table);
                crate::python::errors::no_memory();
                return -1;
            }
            for &o in &targets[..n] {
                if !mortal(o) {
                    continue;
                }
                let gc = crate::capi::ffi::type_has(o, Py_TPFLAGS_HAVE_GC);
                let start = if gc {
                    crate::modules::gcmodule::untrack(o);
                    crate::modules::gcmodule::head(o) as usize
                } else {
                    o as usize
                };
                (*o).ob_refcnt = PYNATIVE_IMMORTAL_REFCNT;
                table.push(start);
            }
            0
        }
    })
}

/// Function version of `Py_XINCREF` (NULL is ignored).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn Py_IncRef(op: *mut PyObject) {
    // SAFETY: live object or NULL.
    unsafe { crate::capi::ffi::xincref(op) }
}

/// Function version of `Py_XDECREF` (NULL is ignored).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn Py_DecRef(op: *mut PyObject) {
    // SAFETY: owned reference or NULL.
    guard("Py_DecRef", (), || unsafe { crate::capi::ffi::xdecref(op) })
}

/// Repr of `op` as text (for messages): "<NULL>" for NULL, `?` on failure (the error is
/// cleared). Borrowed from the str it holds, so nothing is copied.
pub(crate) unsafe fn repr_string(op: *mut PyObject) -> StrOf {
    // SAFETY: live object or NULL.
    unsafe { to_string_with(op, repr) }
}

/// Str of `op` as text (for messages), as `repr_string`.
pub(crate) unsafe fn str_string(op: *mut PyObject) -> StrOf {
    // SAFETY: live object or NULL.
    unsafe { to_string_with(op, str) }
}

/// A str object's text, owned (released when dropped); `?` when there is none.
pub(crate) struct StrOf(*mut PyObject);

impl StrOf {
    pub(crate) fn as_str(&self) -> &str {
        // SAFETY: NULL or a str we own, alive as long as `self`.
        unsafe { str_as(self.0) }.unwrap_or("?")
    }
}

impl core::fmt::Display for StrOf {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Drop for StrOf {
    fn drop(&mut self) {
        // SAFETY: NULL or our reference.
        unsafe { crate::capi::ffi::xdecref(self.0) }
    }
}

unsafe fn to_string_with(op: *mut PyObject, f: unsafe fn(*mut PyObject) -> *mut PyObject) -> StrOf {
    // SAFETY: live object or NULL; the str is released when the result is dropped.
    unsafe {
        let s = f(op);
        if s.is_null() {
            crate::python::errors::restore(null_mut(), null_mut(), null_mut());
        }
        StrOf(s)
    }
}

/// `PyObject_Repr` without the boundary.
pub(crate) unsafe fn repr(op: *mut PyObject) -> *mut PyObject {
    // SAFETY: live object or NULL.
    unsafe {
        if op.is_null() {
            return str_from("<NULL>");
        }
        let Some(f) = (*ty(op)).tp_repr else {
            return str_format(format_args!(
                "<{} object at {:#x}>",
                tp_name_of(op),
                op as usize
            ));
        };
        // A repr may recurse (a tuple in a tuple ...): one level of the recursion limit.
        let ts = crate::python::pystate::tstate();
        if crate::python::ceval::enter_recursive_call(ts, " while getting the repr of an object") {
            return null_mut();
        }
        let r = f(op);
        crate::python::ceval::leave_recursive_call(ts);
        if !r.is_null() && !is_str(r) {
            set_format(
                crate::exc!(TypeError),
                format_args!("__repr__ returned non-string (type {})", tp_name_of(r)),
            );
            decref(r);
            return null_mut();
        }
        r
    }
}

/// `PyObject_Str` without the boundary.
pub(crate) unsafe fn str(op: *mut PyObject) -> *mut PyObject {
    // SAFETY: live object or NULL.
    unsafe {
        if op.is_null() {
            return str_from("<NULL>");
        }
        if crate::objects::unicodeobject::is_str_exact(op) {
            return new_ref(op);
        }
        let Some(f) = (*ty(op)).tp_str else {
            return repr(op);
        };
        let ts = crate::python::pystate::tstate();
        if crate::python::ceval::enter_recursive_call(ts, " while getting the str of an object") {
            return null_mut();
        }
        let r = f(op);
        crate::python::ceval::leave_recursive_call(ts);
        if !r.is_null() && !is_str(r) {
            set_format(
                crate::exc!(TypeError),
                format_args!("__str__ returned non-string (type {})", tp_name_of(r)),
            );
            decref(r);
            return null_mut();
        }
        r
    }
}

/// Computes `repr(op)`. A NULL `op` gives the string "<NULL>".
///
/// Return value: New reference, or NULL with an exception set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyObject_Repr(op: *mut PyObject) -> *mut PyObject {
    // SAFETY: live object or NULL.
    guard("PyObject_Repr", null_mut(), || unsafe { repr(op) })
}

/// Computes `str(op)`. A NULL `op` gives the string "<NULL>".
///
/// Return value: New reference, or NULL with an exception set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyObject_Str(op: *mut PyObject) -> *mut PyObject {
    // SAFETY: live object or NULL.
    guard("PyObject_Str", null_mut(), || unsafe { str(op) })
}

/// Computes `ascii(op)`: the repr with non-ASCII characters escaped.
///
/// Return value: New reference, or NULL with an exception set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyObject_ASCII(op: *mut PyObject) -> *mut PyObject {
    guard("PyObject_ASCII", null_mut(), || {
        // SAFETY: live object or NULL.
        unsafe {
            let r = repr(op);
            if r.is_null() {
                return r;
            }
            let s = crate::objects::unicodeobject::ascii_escape(str_as(r).unwrap_or(""));
            decref(r);
            crate::objects::unicodeobject::str_from_text(s)
        }
    })
}

/// The default `tp_repr`: `<NAME object at 0x...>`.
pub(crate) unsafe extern "C" fn object_repr(op: *mut PyObject) -> *mut PyObject {
    // SAFETY: live object.
    unsafe {
        let tp = ty(op);
        let name = full_name(tp);
        str_format(format_args!("<{name} object at {:#x}>", op as usize))
    }
}

/// The default `tp_richcompare`: identity for `==`, the negation of `==` for `!=`,
/// NotImplemented for orderings.
pub(crate) unsafe extern "C" fn object_richcompare(
    a: *mut PyObject,
    b: *mut PyObject,
    op: c_int,
) -> *mut PyObject {
    // SAFETY: live objects.
    unsafe {
        match op {
            Py_EQ => new_ref(if a == b {
                crate::objects::boolobject::true_()
            } else {
                not_implemented()
            }),
            Py_NE => {
                let Some(eq) = (*ty(a)).tp_richcompare else {
                    return new_ref(not_implemented());
                };
                let r = eq(a, b, Py_EQ);
                if r.is_null() || r == not_implemented() {
                    return r;
                }
                let t = is_true(r);
                decref(r);
                if t < 0 {
                    return null_mut();
                }
                new_ref(crate::objects::boolobject::from_bool(t == 0))
            }
            _ => new_ref(not_implemented()),
        }
    }
}

/// The rich-comparison result for `op` given how the two values order.
pub(crate) fn compare_result(ord: core::cmp::Ordering, op: c_int) -> *mut PyObject {
    let r = match op {
        Py_LT => ord.is_lt(),
        Py_LE => ord.is_le(),
        Py_EQ => ord.is_eq(),
        Py_NE => ord.is_ne(),
        Py_GT => ord.is_gt(),
        _ => ord.is_ge(),
    };
    // SAFETY: True and False are immortal.
    unsafe { new_ref(crate::objects::boolobject::from_bool(r)) }
}

const OP_SYMBOLS: [&str; 6] = ["<", "<=", "==", "!=", ">", ">="];
const SWAPPED: [c_int; 6] = [Py_GT, Py_GE, Py_EQ, Py_NE, Py_LT, Py_LE];

/// `PyObject_RichCompare` without the boundary; `op` must be valid.
pub(crate) unsafe fn rich_compare(v: *mut PyObject, w: *mut PyObject, op: c_int) -> *mut PyObject {
    // SAFETY: live objects.
    unsafe {
        // A comparison may recurse (tuples of tuples ...): one level of the recursion limit.
        let ts = crate::python::pystate::tstate();
        if crate::python::ceval::enter_recursive_call(ts, " in comparison") {
            return null_mut();
        }
        let r = do_rich_compare(v, w, op);
        crate::python::ceval::leave_recursive_call(ts);
        r
    }
}

/// `do_richcompare`: the slots in CPython's order, then the identity fallback for `==`/`!=`.
unsafe fn do_rich_compare(v: *mut PyObject, w: *mut PyObject, op: c_int) -> *mut PyObject {
    // SAFETY: live objects; every NotImplemented result is released.
    unsafe {
        let (tv, tw) = (ty(v), ty(w));
        let mut checked_reverse = false;
        if tv != tw
            && is_subtype(tw, tv)
            && let Some(f) = (*tw).tp_richcompare
        {
            checked_reverse = true;
            let r = f(w, v, SWAPPED[op as usize]);
            if r != not_implemented() {
                return r;
            }
            decref(r);
        }
        if let Some(f) = (*tv).tp_richcompare {
            let r = f(v, w, op);
            if r != not_implemented() {
                return r;
            }
            decref(r);
        }
        if !checked_reverse && let Some(f) = (*tw).tp_richcompare {
            let r = f(w, v, SWAPPED[op as usize]);
            if r != not_implemented() {
                return r;
            }
            decref(r);
        }
        match op {
            Py_EQ => new_ref(crate::objects::boolobject::from_bool(v == w)),
            Py_NE => new_ref(crate::objects::boolobject::from_bool(v != w)),
            _ => {
                set_format(
                    crate::exc!(TypeError),
                    format_args!(
                        "'{}' not supported between instances of '{}' and '{}'",
                        OP_SYMBOLS[op as usize],
                        tp_name_of(v),
                        tp_name_of(w)
                    ),
                );
                null_mut()
            }
        }
    }
}

/// Compares `v` and `w` with `op` (`Py_LT` ... `Py_GE`).
///
/// Return value: New reference (usually a bool), or NULL with an exception set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyObject_RichCompare(
    v: *mut PyObject,
    w: *mut PyObject,
    op: c_int,
) -> *mut PyObject {
    check_null!(v, null_mut());
    check_null!(w, null_mut());
    if !(Py_LT..=Py_GE).contains(&op) {
        // SAFETY: setting the error indicator.
        unsafe { crate::python::errors::bad_internal_call() };
        return null_mut();
    }
    // SAFETY: checked above.
    guard("PyObject_RichCompare", null_mut(), || unsafe {
        rich_compare(v, w, op)
    })
}

/// Compares `v` and `w` with `op`: 1 if true, 0 if false, -1 with an exception set on error.
/// For `Py_EQ`/`Py_NE`, identical objects compare equal without calling the comparison.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyObject_RichCompareBool(
    v: *mut PyObject,
    w: *mut PyObject,
    op: c_int,
) -> c_int {
    if !v.is_null() && v == w {
        if op == Py_EQ {
            return 1;
        }
        if op == Py_NE {
            return 0;
        }
    }
    // SAFETY: PyObject_RichCompare checks its arguments.
    let r = unsafe { PyObject_RichCompare(v, w, op) };
    if r.is_null() {
        return -1;
    }
    // SAFETY: `r` is an owned live object.
    unsafe {
        let t = is_true(r);
        decref(r);
        t
    }
}

/// `_Py_HashPointer` as a `tp_hash` slot.
pub(crate) unsafe extern "C" fn _Py_HashPointer_obj(op: *mut PyObject) -> Py_hash_t {
    hash_pointer(op as usize)
}

/// CPython's pointer hash: the address rotated right by 4 bits; -1 becomes -2.
pub(crate) fn hash_pointer(p: usize) -> Py_hash_t {
    let h = p.rotate_right(4) as Py_hash_t;
    if h == -1 { -2 } else { h }
}

/// Returns the hash of a pointer value, as CPython's `_Py_HashPointer`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn _Py_HashPointer(p: *const core::ffi::c_void) -> Py_hash_t {
    hash_pointer(p as usize)
}

/// Computes `hash(op)`; -1 with an exception set on failure (`TypeError: unhashable type`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyObject_Hash(op: *mut PyObject) -> Py_hash_t {
    check_null!(op, -1);
    guard("PyObject_Hash", -1, || {
        // SAFETY: live object.
        unsafe {
            match (*ty(op)).tp_hash {
                Some(h) => h(op),
                None => PyObject_HashNotImplemented(op),
            }
        }
    })
}

/// Sets `TypeError: unhashable type: 'X'` and returns -1 (a `tp_hash` for unhashable types).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyObject_HashNotImplemented(op: *mut PyObject) -> Py_hash_t {
    check_null!(op, -1);
    // SAFETY: live object.
    unsafe {
        set_format(
            crate::exc!(TypeError),
            format_args!("unhashable type: '{}'", tp_name_of(op)),
        );
    }
    -1
}

/// Truth value without checks: 1, 0, or -1 with an exception set.
pub(crate) unsafe fn is_true(op: *mut PyObject) -> c_int {
    // SAFETY: live object.
    unsafe {
        if op == crate::objects::boolobject::true_() {
            return 1;
        }
        if op == crate::objects::boolobject::false_() || op == none() {
            return 0;
        }
        let tp = ty(op);
        let n: Py_ssize_t = if !(*tp).tp_as_number.is_null()
            && (*(*tp).tp_as_number).nb_bool.is_some()
        {
            (*(*tp).tp_as_number).nb_bool.unwrap()(op) as Py_ssize_t
        } else if !(*tp).tp_as_mapping.is_null() && (*(*tp).tp_as_mapping).mp_length.is_some() {
            (*(*tp).tp_as_mapping).mp_length.unwrap()(op)
        } else if !(*tp).tp_as_sequence.is_null() && (*(*tp).tp_as_sequence).sq_length.is_some() {
            (*(*tp).tp_as_sequence).sq_length.unwrap()(op)
        } else {
            return 1;
        };
        if n > 0 {
            1
        } else if n == 0 {
            0
        } else {
            -1
        }
    }
}

/// Returns 1 if `op` is true, 0 if false, -1 with an exception set on error.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyObject_IsTrue(op: *mut PyObject) -> c_int {
    check_null!(op, -1);
    // SAFETY: live object.
    guard("PyObject_IsTrue", -1, || unsafe { is_true(op) })
}

/// Returns 0 if `op` is true, 1 if false, -1 with an exception set on error.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyObject_Not(op: *mut PyObject) -> c_int {
    // SAFETY: PyObject_IsTrue checks.
    let r = unsafe { PyObject_IsTrue(op) };
    if r < 0 { r } else { (r == 0) as c_int }
}

/// Returns 1 if `op` is callable (its type has `tp_call`), else 0. Always succeeds.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyCallable_Check(op: *mut PyObject) -> c_int {
    if op.is_null() {
        return 0;
    }
    // SAFETY: live object.
    unsafe { (*ty(op)).tp_call.is_some() as c_int }
}

/// Returns the type of `op` (what `type(op)` gives).
///
/// Return value: New reference.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyObject_Type(op: *mut PyObject) -> *mut PyObject {
    if op.is_null() {
        // SAFETY: setting the error indicator (CPython's `null_error`).
        unsafe {
            crate::python::errors::set_string(
                crate::exc!(SystemError),
                "null argument to internal routine",
            )
        };
        return null_mut();
    }
    // SAFETY: live object.
    unsafe { new_ref(obj(ty(op))) }
}

unsafe fn check_attr_name(name: *mut PyObject) -> bool {
    // SAFETY: live object.
    unsafe {
        if is_str(name) {
            return true;
        }
        set_format(
            crate::exc!(TypeError),
            format_args!("attribute name must be string, not '{}'", tp_name_of(name)),
        );
        false
    }
}

/// `PyObject_GetAttr` without the boundary.
pub(crate) unsafe fn get_attr(v: *mut PyObject, name: *mut PyObject) -> *mut PyObject {
    // SAFETY: live objects.
    unsafe {
        if !check_attr_name(name) {
            return null_mut();
        }
        let tp = ty(v);
        if let Some(f) = (*tp).tp_getattro {
            return f(v, name);
        }
        if let Some(f) = (*tp).tp_getattr {
            let Some(s) = crate::objects::unicodeobject::c_str_of(name) else {
                return null_mut();
            };
            return f(v, s as *mut c_char);
        }
        set_format(
            crate::exc!(AttributeError),
            format_args!(
                "'{}' object has no attribute '{}'",
                tp_name_of(v),
                str_as(name).unwrap_or("?")
            ),
        );
        null_mut()
    }
}

/// Gets attribute `name` (a str) of `v`: `v.name`.
///
/// Return value: New reference, or NULL with an exception set (`AttributeError`,
/// `TypeError` when `name` is not a str).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyObject_GetAttr(v: *mut PyObject, name: *mut PyObject) -> *mut PyObject {
    check_null!(v, null_mut());
    check_null!(name, null_mut());
    // SAFETY: checked above.
    guard("PyObject_GetAttr", null_mut(), || unsafe {
        get_attr(v, name)
    })
}

/// As `PyObject_GetAttr` with a UTF-8 C string name.
///
/// Return value: New reference, or NULL with an exception set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyObject_GetAttrString(
    v: *mut PyObject,
    name: *const c_char,
) -> *mut PyObject {
    check_null!(v, null_mut());
    check_null!(name, null_mut());
    guard("PyObject_GetAttrString", null_mut(), || {
        // SAFETY: checked above.
        unsafe {
            let n = name_object(name);
            if n.is_null() {
                return null_mut();
            }
            let r = get_attr(v, n);
            decref(n);
            r
        }
    })
}

/// The str for an attribute name given as a C string: the interned one when the name is
/// already interned (every name in a type's dict is; lookups of it then hit the method
/// cache), else a new str.
///
/// Return value: New reference, or NULL with an exception set.
pub(crate) unsafe fn name_object(name: *const c_char) -> *mut PyObject {
    // SAFETY: a NUL-terminated string.
    unsafe {
        if let Ok(text) = core::ffi::CStr::from_ptr(name).to_str()
            && let Some(p) = crate::objects::unicodeobject::interned_if_any(text)
        {
            return p;
        }
        crate::objects::unicodeobject::PyUnicode_FromString(name)
    }
}

/// `PyObject_SetAttr` without the boundary (`value` NULL deletes).
pub(crate) unsafe fn set_attr(
    v: *mut PyObject,
    name: *mut PyObject,
    value: *mut PyObject,
) -> c_int {
    // SAFETY: live objects.
    unsafe {
        if !check_attr_name(name) {
            return -1;
        }
        let tp = ty(v);
        if let Some(f) = (*tp).tp_setattro {
            return f(v, name, value);
        }
        if let Some(f) = (*tp).tp_setattr {
            let Some(s) = crate::objects::unicodeobject::c_str_of(name) else {
                return -1;
            };
            return f(v, s as *mut c_char, value);
        }
        let n = str_as(name).unwrap_or("?");
        let what = if value.is_null() { "del" } else { "assign to" };
        let kind = if (*tp).tp_getattr.is_none() && (*tp).tp_getattro.is_none() {
            "no"
        } else {
            "only read-only"
        };
        set_format(
            crate::exc!(TypeError),
            format_args!(
                "'{}' object has {kind} attributes ({what} .{n})",
                tp_name_of(v)
            ),
        );
        -1
    }
}

/// Sets attribute `name` (a str) of `v` to `value` (NULL deletes it). Does not steal `value`.
/// Returns 0, or -1 with an exception set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyObject_SetAttr(
    v: *mut PyObject,
    name: *mut PyObject,
    value: *mut PyObject,
) -> c_int {
    check_null!(v, -1);
    check_null!(name, -1);
    // SAFETY: checked above.
    guard("PyObject_SetAttr", -1, || unsafe {
        set_attr(v, name, value)
    })
}

/// As `PyObject_SetAttr` with a UTF-8 C string name.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyObject_SetAttrString(
    v: *mut PyObject,
    name: *const c_char,
    value: *mut PyObject,
) -> c_int {
    check_null!(v, -1);
    check_null!(name, -1);
    guard("PyObject_SetAttrString", -1, || {
        // SAFETY: checked above.
        unsafe {
            let n = name_object(name);
            if n.is_null() {
                return -1;
            }
            let r = set_attr(v, n, value);
            decref(n);
            r
        }
    })
}

/// Returns 1 if `v` has attribute `name`, else 0. Never raises: errors are cleared.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyObject_HasAttr(v: *mut PyObject, name: *mut PyObject) -> c_int {
    if v.is_null() || name.is_null() {
        return 0;
    }
    guard("PyObject_HasAttr", 0, || {
        // SAFETY: live objects.
        unsafe {
            let r = get_attr(v, name);
            if r.is_null() {
                crate::python::errors::restore(null_mut(), null_mut(), null_mut());
                return 0;
            }
            decref(r);
            1
        }
    })
}

/// As `PyObject_HasAttr` with a UTF-8 C string name.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyObject_HasAttrString(v: *mut PyObject, name: *const c_char) -> c_int {
    if v.is_null() || name.is_null() {
        return 0;
    }
    guard("PyObject_HasAttrString", 0, || {
        // SAFETY: live objects; errors are swallowed as documented.
        unsafe {
            let n = crate::objects::unicodeobject::PyUnicode_FromString(name);
            if n.is_null() {
                crate::python::errors::restore(null_mut(), null_mut(), null_mut());
                return 0;
            }
            let r = PyObject_HasAttr(v, n);
            decref(n);
            r
        }
    })
}

/// Where `op`'s instance dict pointer lives (`_PyObject_GetDictPtr`): NULL when its type has
/// no `tp_dictoffset`; a negative offset counts from the end of a variable-size object.
pub(crate) unsafe fn dict_ptr(op: *mut PyObject) -> *mut *mut PyObject {
    // SAFETY: a live object whose type's offset is right for it.
    unsafe {
        let tp = ty(op);
        let mut off = (*tp).tp_dictoffset;
        if off == 0 {
            return null_mut();
        }
        if off < 0 {
            let n = crate::capi::ffi::size(op).unsigned_abs() as Py_ssize_t;
            let size = (*tp).tp_basicsize + n * (*tp).tp_itemsize;
            let size = (size + 7) & !7;
            off += size;
        }
        (op as *mut u8).offset(off) as *mut *mut PyObject
    }
}

/// Where `op`'s instance dict pointer lives, or NULL when its type has none.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn _PyObject_GetDictPtr(op: *mut PyObject) -> *mut *mut PyObject {
    check_null!(op, null_mut());
    guard("_PyObject_GetDictPtr", null_mut(), || unsafe {
        dict_ptr(op)
    })
}

fn no_attribute(v: *mut PyObject, name: *mut PyObject) {
    // SAFETY: live objects.
    unsafe {
        crate::python::errors::set_format(
            crate::exc!(AttributeError),
            format_args!(
                "'{}' object has no attribute '{}'",
                tp_name_of(v),
                str_as(name).unwrap_or("?")
            ),
        );
    }
}

/// `_PyObject_GenericGetAttrWithDict`: data descriptors of the type's MRO, then the instance
/// dict (`dict`, or the one at `tp_dictoffset` when NULL), then other descriptors and class
/// attributes. With `suppress`, a missing attribute returns NULL with no exception set.
pub(crate) unsafe fn generic_get_attr(
    v: *mut PyObject,
    name: *mut PyObject,
    dict: *mut PyObject,
    suppress: bool,
) -> *mut PyObject {
    // SAFETY: a live object and a str.
    unsafe {
        let tp = ty(v);
        let descr = crate::objects::typeobject::lookup(tp, name);
        let mut f = None;
        if !descr.is_null() {
            incref(descr);
            f = (*ty(descr)).tp_descr_get;
            if let Some(get) = f
                && (*ty(descr)).tp_descr_set.is_some()
            {
                let r = get(descr, v, obj(tp));
                decref(descr);
                if r.is_null()
                    && suppress
                    && crate::python::errors::matches(crate::exc!(AttributeError))
                {
                    crate::python::errors::restore(null_mut(), null_mut(), null_mut());
                }
                return r;
            }
        }
        let d = if dict.is_null() {
            let dp = dict_ptr(v);
            if dp.is_null() { null_mut() } else { *dp }
        } else {
            dict
        };
        if !d.is_null() && crate::objects::dictobject::is_dict(d) {
            incref(d);
            let r = crate::objects::dictobject::get_item(d, name);
            decref(d);
            match r {
                Err(()) => {
                    crate::capi::ffi::xdecref(descr);
                    return null_mut();
                }
                Ok(x) if !x.is_null() => {
                    crate::capi::ffi::xdecref(descr);
                    return new_ref(x);
                }
                Ok(_) => {}
            }
        }
        if let Some(get) = f {
            let r = get(descr, v, obj(tp));
            decref(descr);
            if r.is_null()
                && suppress
                && crate::python::errors::matches(crate::exc!(AttributeError))
            {
                crate::python::errors::restore(null_mut(), null_mut(), null_mut());
            }
            return r;
        }
        if !descr.is_null() {
            return descr;
        }
        if !suppress {
            no_attribute(v, name);
        }
        null_mut()
    }
}

/// `_PyObject_GenericSetAttrWithDict` (`value` NULL deletes).
pub(crate) unsafe fn generic_set_attr(
    v: *mut PyObject,
    name: *mut PyObject,
    value: *mut PyObject,
    dict: *mut PyObject,
) -> c_int {
    // SAFETY: a live object and a str.
    unsafe {
        let tp = ty(v);
        let descr = crate::objects::typeobject::lookup(tp, name);
        if !descr.is_null() {
            incref(descr);
            if let Some(set) = (*ty(descr)).tp_descr_set {
                let r = set(descr, v, value);
                decref(descr);
                return r;
            }
        }
        let dp = if dict.is_null() {
            dict_ptr(v)
        } else {
            null_mut()
        };
        let r = if dict.is_null() && dp.is_null() {
            if descr.is_null() {
                no_attribute(v, name);
            } else {
                crate::python::errors::set_format(
                    crate::exc!(AttributeError),
                    format_args!(
                        "'{}' object attribute '{}' is read-only",
                        tp_name_of(v),
                        str_as(name).unwrap_or("?")
                    ),
                );
            }
            -1
        } else {
            let mut d = if dict.is_null() { *dp } else { dict };
            if d.is_null() && !value.is_null() {
                d = crate::objects::dictobject::PyDict_New();
                if d.is_null() {
                    crate::capi::ffi::xdecref(descr);
                    return -1;
                }
                *dp = d;
            }
            if d.is_null() {
                // Deleting from a dict not made yet: CPython 3.10 makes it, and the deletion
                // fails as below, with AttributeError(name).
                crate::python::errors::set_object(crate::exc!(AttributeError), name);
                -1
            } else {
                incref(d);
                let r = if value.is_null() {
                    let r = crate::objects::dictobject::del_item(d, name);
                    if r < 0 && crate::python::errors::matches(crate::exc!(KeyError)) {
                        // CPython 3.10 turns the KeyError into AttributeError(name).
                        crate::python::errors::restore(null_mut(), null_mut(), null_mut());
                        crate::python::errors::set_object(crate::exc!(AttributeError), name);
                    }
                    r
                } else {
                    crate::objects::dictobject::set_item(d, name, value)
                };
                decref(d);
                r
            }
        };
        crate::capi::ffi::xdecref(descr);
        r
    }
}

/// Generic attribute lookup (`object.__getattribute__`): data descriptors in the type's MRO,
/// then the instance `__dict__`, then other descriptors and class attributes. Missing:
/// `AttributeError: 'X' object has no attribute 'y'`.
///
/// Return value: New reference, or NULL with an exception set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyObject_GenericGetAttr(
    v: *mut PyObject,
    name: *mut PyObject,
) -> *mut PyObject {
    check_null!(v, null_mut());
    check_null!(name, null_mut());
    // SAFETY: checked above.
    guard("PyObject_GenericGetAttr", null_mut(), || unsafe {
        if !check_attr_name(name) {
            return null_mut();
        }
        generic_get_attr(v, name, null_mut(), false)
    })
}

/// Generic attribute assignment (`object.__setattr__`): a data descriptor in the type's MRO,
/// else the instance `__dict__`; `value` NULL deletes. Returns 0, or -1 with an exception set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyObject_GenericSetAttr(
    v: *mut PyObject,
    name: *mut PyObject,
    value: *mut PyObject,
) -> c_int {
    check_null!(v, -1);
    check_null!(name, -1);
    // SAFETY: checked above.
    guard("PyObject_GenericSetAttr", -1, || unsafe {
        if !check_attr_name(name) {
            return -1;
        }
        generic_set_attr(v, name, value, null_mut())
    })
}

/// The instance `__dict__` (created empty on first use); `AttributeError` when the type has
/// none.
///
/// Return value: New reference, or NULL with an exception set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyObject_GenericGetDict(
    op: *mut PyObject,
    _context: *mut core::ffi::c_void,
) -> *mut PyObject {
    check_null!(op, null_mut());
    guard("PyObject_GenericGetDict", null_mut(), || unsafe {
        let dp = dict_ptr(op);
        if dp.is_null() {
            set_string(crate::exc!(AttributeError), "This object has no __dict__");
            return null_mut();
        }
        if (*dp).is_null() {
            let d = crate::objects::dictobject::PyDict_New();
            if d.is_null() {
                return d;
            }
            *dp = d;
        }
        new_ref(*dp)
    })
}

/// Replaces the instance `__dict__` with `value` (a dict; not stolen). Deleting it is refused.
/// Returns 0, or -1 with an exception set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyObject_GenericSetDict(
    op: *mut PyObject,
    value: *mut PyObject,
    _context: *mut core::ffi::c_void,
) -> c_int {
    check_null!(op, -1);
    guard("PyObject_GenericSetDict", -1, || unsafe {
        let dp = dict_ptr(op);
        if dp.is_null() {
            set_string(crate::exc!(AttributeError), "This object has no __dict__");
            return -1;
        }
        if value.is_null() {
            set_string(crate::exc!(TypeError), "cannot delete __dict__");
            return -1;
        }
        if !crate::objects::dictobject::is_dict(value) {
            crate::python::errors::set_format(
                crate::exc!(TypeError),
                format_args!(
                    "__dict__ must be set to a dictionary, not a '{}'",
                    tp_name_of(value)
                ),
            );
            return -1;
        }
        crate::capi::ffi::xsetref(dp, new_ref(value));
        0
    })
}

/// `isinstance(inst, cls)` without `__instancecheck__`: `cls` a type (or a tuple of them).
pub(crate) unsafe fn recursive_isinstance(inst: *mut PyObject, cls: *mut PyObject) -> c_int {
    // SAFETY: live objects.
    unsafe {
        if crate::capi::ffi::type_has(cls, Py_TPFLAGS_TYPE_SUBCLASS) {
            if crate::objects::typeobject::is_subtype(ty(inst), cls as *mut PyTypeObject) {
                return 1;
            }
            // An object may claim another class through `__class__`.
            let k = crate::objects::unicodeobject::intern("__class__");
            let c = generic_or_get_attr(inst, k);
            if c.is_null() {
                return if crate::python::errors::matches(crate::exc!(AttributeError)) {
                    crate::python::errors::restore(null_mut(), null_mut(), null_mut());
                    0
                } else {
                    -1
                };
            }
            let r = c != obj(ty(inst))
                && crate::capi::ffi::type_has(c, Py_TPFLAGS_TYPE_SUBCLASS)
                && crate::objects::typeobject::is_subtype(
                    c as *mut PyTypeObject,
                    cls as *mut PyTypeObject,
                );
            decref(c);
            return r as c_int;
        }
        set_string(
            crate::exc!(TypeError),
            "isinstance() arg 2 must be a type, a tuple of types, or a union",
        );
        -1
    }
}

unsafe fn generic_or_get_attr(v: *mut PyObject, name: *mut PyObject) -> *mut PyObject {
    // SAFETY: live objects.
    unsafe { get_attr(v, name) }
}

/// `issubclass(derived, cls)` without `__subclasscheck__`.
pub(crate) unsafe fn recursive_issubclass(derived: *mut PyObject, cls: *mut PyObject) -> c_int {
    // SAFETY: live objects.
    unsafe {
        let is_type = |o: *mut PyObject| crate::capi::ffi::type_has(o, Py_TPFLAGS_TYPE_SUBCLASS);
        if !is_type(derived) {
            set_string(crate::exc!(TypeError), "issubclass() arg 1 must be a class");
            return -1;
        }
        if !is_type(cls) {
            set_string(
                crate::exc!(TypeError),
                "issubclass() arg 2 must be a class, a tuple of classes, or a union",
            );
            return -1;
        }
        crate::objects::typeobject::is_subtype(
            derived as *mut PyTypeObject,
            cls as *mut PyTypeObject,
        ) as c_int
    }
}

/// `isinstance`/`issubclass` over `cls`: a tuple is searched item by item (recursively, under
/// the recursion limit's depth), a type with its own `__instancecheck__`/`__subclasscheck__`
/// defers to it.
unsafe fn check_class(x: *mut PyObject, cls: *mut PyObject, subclass: bool, depth: u32) -> c_int {
    // SAFETY: live objects.
    unsafe {
        if !subclass && ty(x) == cls as *mut PyTypeObject {
            return 1;
        }
        if crate::objects::tupleobject::is_tuple(cls) {
            if depth > 1000 {
                set_string(
                    crate::exc!(RecursionError),
                    if subclass {
                        "maximum recursion depth exceeded in __subclasscheck__"
                    } else {
                        "maximum recursion depth exceeded in __instancecheck__"
                    },
                );
                return -1;
            }
            for &c in crate::objects::tupleobject::as_slice(cls) {
                let r = check_class(x, c, subclass, depth + 1);
                if r != 0 {
                    return r;
                }
            }
            return 0;
        }
        let exact_type = ty(cls) == &raw mut crate::objects::typeobject::PyType_Type;
        if !exact_type && crate::capi::ffi::type_has(cls, Py_TPFLAGS_TYPE_SUBCLASS) {
            let hook = crate::objects::typeobject::lookup(
                ty(cls),
                crate::objects::unicodeobject::intern(if subclass {
                    "__subclasscheck__"
                } else {
                    "__instancecheck__"
                }),
            );
            if !hook.is_null() {
                let r = crate::objects::call::call_method(
                    cls,
                    if subclass {
                        "__subclasscheck__"
                    } else {
                        "__instancecheck__"
                    },
                    &[x],
                );
                if r.is_null() {
                    return -1;
                }
                let b = is_true(r);
                decref(r);
                return b;
            }
        }
        if subclass {
            recursive_issubclass(x, cls)
        } else {
            recursive_isinstance(x, cls)
        }
    }
}

/// `isinstance(inst, cls)`: 1, 0, or -1 with an exception set. `cls` is a type or a tuple of
/// types (nested tuples too).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyObject_IsInstance(inst: *mut PyObject, cls: *mut PyObject) -> c_int {
    check_null!(inst, -1);
    check_null!(cls, -1);
    guard("PyObject_IsInstance", -1, || unsafe {
        check_class(inst, cls, false, 0)
    })
}

/// `issubclass(derived, cls)`: 1, 0, or -1 with an exception set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyObject_IsSubclass(derived: *mut PyObject, cls: *mut PyObject) -> c_int {
    check_null!(derived, -1);
    check_null!(cls, -1);
    guard("PyObject_IsSubclass", -1, || unsafe {
        check_class(derived, cls, true, 0)
    })
}

/// `dir(o)`: the sorted list of `o.__dir__()` (the names of its instance dict and of its type
/// and bases for ordinary objects; a type's own `__dir__` for types). NULL `o` asks for the
/// names of the running frame's locals: native frames have none (an empty list).
///
/// Return value: New reference, or NULL with an exception set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyObject_Dir(o: *mut PyObject) -> *mut PyObject {
    guard("PyObject_Dir", null_mut(), || unsafe {
        if o.is_null() {
            return crate::objects::listobject::list_from(&[]);
        }
        let m = crate::objects::typeobject::lookup(
            ty(o),
            crate::objects::unicodeobject::intern("__dir__"),
        );
        if m.is_null() {
            set_string(crate::exc!(TypeError), "object does not provide __dir__");
            return null_mut();
        }
        // _PyObject_LookupSpecial: the type's `__dir__`, bound to `o`.
        incref(m);
        let bound = match (*ty(m)).tp_descr_get {
            Some(get) => {
                let b = get(m, o, obj(ty(o)));
                decref(m);
                b
            }
            None => m,
        };
        if bound.is_null() {
            return null_mut();
        }
        let r = crate::objects::call::vectorcall(bound, core::ptr::null(), 0, null_mut());
        decref(bound);
        if r.is_null() {
            return r;
        }
        let l = crate::objects::listobject::list_from(&[]);
        if l.is_null() || crate::objects::listobject::extend(l, r) < 0 {
            decref(r);
            crate::capi::ffi::xdecref(l);
            return null_mut();
        }
        decref(r);
        if crate::objects::listobject::PyList_Sort(l) < 0 {
            decref(l);
            return null_mut();
        }
        l
    })
}
