//! `Include/object.h`'s object protocol (repr, str, comparison, hashing, truth, attributes)
//! and the singletons `None` and `NotImplemented`.

use crate::capi::boundary::{check_null, guard};
use crate::capi::ffi::{decref, new_ref, obj, ty};
use crate::objects::object::*;
use crate::objects::typeobject::{full_name, is_subtype, static_type, tp_name_of};
use crate::objects::unicodeobject::{is_str, str_as, str_format, str_from};
use crate::python::errors::set_format;
use core::ffi::{c_char, c_int};
use core::ptr::null_mut;

/// The type of `None`.
#[unsafe(no_mangle)]
pub static mut _PyNone_Type: PyTypeObject = PyTypeObject {
    tp_dealloc: Some(immortal_dealloc),
    tp_repr: Some(none_repr),
    tp_hash: Some(_Py_HashPointer_obj),
    tp_as_number: &raw mut NONE_AS_NUMBER,
    ..static_type(c"NoneType", 16, 0)
};

/// The type of `NotImplemented`.
#[unsafe(no_mangle)]
pub static mut _PyNotImplemented_Type: PyTypeObject = PyTypeObject {
    tp_dealloc: Some(immortal_dealloc),
    tp_repr: Some(notimpl_repr),
    tp_hash: Some(_Py_HashPointer_obj),
    ..static_type(c"NotImplementedType", 16, 0)
};

static mut NONE_AS_NUMBER: PyNumberMethods = crate::objects::longobject::EMPTY_NUMBER_METHODS;

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
        let r = f(op);
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
        let r = f(op);
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
            let n = crate::objects::unicodeobject::PyUnicode_FromString(name);
            if n.is_null() {
                return null_mut();
            }
            let r = get_attr(v, n);
            decref(n);
            r
        }
    })
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
            let n = crate::objects::unicodeobject::PyUnicode_FromString(name);
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

/// Generic attribute lookup through the type's `tp_getset`, `tp_members` and `tp_methods`
/// (and those of its bases). Missing: `AttributeError: 'X' object has no attribute 'y'`.
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
        crate::objects::descrobject::generic_get(v, name)
    })
}

/// Generic attribute assignment through the type's `tp_getset` and `tp_members`. pycoro
/// objects have no instance `__dict__`, so other names raise `AttributeError`.
/// Returns 0, or -1 with an exception set.
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
        crate::objects::descrobject::generic_set(v, name, value)
    })
}
