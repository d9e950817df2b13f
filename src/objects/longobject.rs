//! `Include/longobject.h`: `int`, with CPython 3.10's `PyLongObject` layout (30-bit digits,
//! the sign in `ob_size`). Values from -5 to 256 are immortal shared objects, as in CPython.

use crate::capi::boundary::{check_null, guard};
use crate::capi::ffi::{new_ref, ty, type_has};
use crate::objects::descrobject::PyGetSetDef;
use crate::objects::object::*;
use crate::objects::typeobject::{static_type, tp_name_of};
use crate::python::errors::{set_format, set_string};
use core::ffi::{c_int, c_long, c_longlong, c_ulong, c_ulonglong, c_void};
use core::mem::{offset_of, size_of};
use core::ptr::null_mut;
use static_assertions::const_assert_eq;

/// One 30-bit digit.
pub type digit = u32;
/// Bits per digit.
pub const PyLong_SHIFT: c_int = 30;
const MASK: u128 = (1 << 30) - 1;

/// An int: `ob_size` is the number of digits, negative for negative values; `ob_digit` holds
/// `|ob_size|` digits, least significant first.
#[repr(C)]
pub struct PyLongObject {
    pub ob_base: PyVarObject,
    pub ob_digit: [digit; 1],
}

const_assert_eq!(size_of::<PyLongObject>(), 32);
const_assert_eq!(offset_of!(PyLongObject, ob_digit), 24);

/// All-empty sequence methods, for types that fill in a few.
pub(crate) const EMPTY_SEQUENCE_METHODS: PySequenceMethods = PySequenceMethods {
    sq_length: None,
    sq_concat: None,
    sq_repeat: None,
    sq_item: None,
    was_sq_slice: null_mut(),
    sq_ass_item: None,
    was_sq_ass_slice: null_mut(),
    sq_contains: None,
    sq_inplace_concat: None,
    sq_inplace_repeat: None,
};

/// All-empty number methods, for types that fill in a few.
pub(crate) const EMPTY_NUMBER_METHODS: PyNumberMethods = PyNumberMethods {
    nb_add: None,
    nb_subtract: None,
    nb_multiply: None,
    nb_remainder: None,
    nb_divmod: None,
    nb_power: None,
    nb_negative: None,
    nb_positive: None,
    nb_absolute: None,
    nb_bool: None,
    nb_invert: None,
    nb_lshift: None,
    nb_rshift: None,
    nb_and: None,
    nb_xor: None,
    nb_or: None,
    nb_int: None,
    nb_reserved: null_mut(),
    nb_float: None,
    nb_inplace_add: None,
    nb_inplace_subtract: None,
    nb_inplace_multiply: None,
    nb_inplace_remainder: None,
    nb_inplace_power: None,
    nb_inplace_lshift: None,
    nb_inplace_rshift: None,
    nb_inplace_and: None,
    nb_inplace_xor: None,
    nb_inplace_or: None,
    nb_floor_divide: None,
    nb_true_divide: None,
    nb_inplace_floor_divide: None,
    nb_inplace_true_divide: None,
    nb_index: None,
    nb_matrix_multiply: None,
    nb_inplace_matrix_multiply: None,
};

pub(crate) static mut LONG_AS_NUMBER: PyNumberMethods = {
    use crate::objects::longobject_ops::*;
    PyNumberMethods {
        nb_add: Some(long_add),
        nb_subtract: Some(long_sub),
        nb_multiply: Some(long_mul),
        nb_remainder: Some(long_mod),
        nb_divmod: Some(long_divmod),
        nb_power: Some(long_pow),
        nb_negative: Some(long_neg),
        nb_positive: Some(long_self),
        nb_absolute: Some(long_abs),
        nb_bool: Some(long_bool),
        nb_invert: Some(long_invert),
        nb_lshift: Some(long_lshift),
        nb_rshift: Some(long_rshift),
        nb_and: Some(long_and),
        nb_xor: Some(long_xor),
        nb_or: Some(long_or),
        nb_int: Some(long_self),
        nb_floor_divide: Some(long_div),
        nb_index: Some(long_self),
        ..EMPTY_NUMBER_METHODS
    }
};

/// The type `int`.
#[unsafe(no_mangle)]
pub static mut PyLong_Type: PyTypeObject = PyTypeObject {
    tp_getattro: Some(crate::objects::object_ops::PyObject_GenericGetAttr),
    tp_itemsize: size_of::<digit>() as Py_ssize_t,
    tp_methods: (&raw mut crate::objects::longobject_methods::LONG_METHODS)
        as *mut crate::objects::methodobject::PyMethodDef,
    tp_repr: Some(long_repr),
    tp_hash: Some(long_hash),
    tp_richcompare: Some(long_richcompare),
    tp_as_number: &raw mut LONG_AS_NUMBER,
    tp_getset: (&raw mut LONG_GETSET) as *mut PyGetSetDef,
    tp_doc: c"int([x]) -> integer\nint(x, base=10) -> integer\n\nConvert a number or string to an integer, or return 0 if no arguments\nare given.  If x is a number, return x.__int__().  For floating point\nnumbers, this truncates towards zero.\n\nIf x is not a number or if base is given, then x must be a string,\nbytes, or bytearray instance representing an integer literal in the\ngiven base.  The literal can be preceded by '+' or '-' and be surrounded\nby whitespace.  The base defaults to 10.  Valid bases are 0 and 2-36.\nBase 0 means to interpret the base from the string as an integer literal.\n>>> int('0b100', base=0)\n4".as_ptr(),
    tp_new: Some(long_new),
    ..static_type(c"int", 24, Py_TPFLAGS_BASETYPE | Py_TPFLAGS_LONG_SUBCLASS | _Py_TPFLAGS_MATCH_SELF)
};

/// The read-only number attributes every int has (bool inherits them).
static mut LONG_GETSET: [PyGetSetDef; 5] = [
    long_attr(c"real", long_get_self, c"the real part of a complex number"),
    long_attr(
        c"imag",
        long_get_zero,
        c"the imaginary part of a complex number",
    ),
    long_attr(
        c"numerator",
        long_get_self,
        c"the numerator of a rational number in lowest terms",
    ),
    long_attr(
        c"denominator",
        long_get_one,
        c"the denominator of a rational number in lowest terms",
    ),
    PyGetSetDef::SENTINEL,
];

const fn long_attr(
    name: &'static core::ffi::CStr,
    get: unsafe extern "C" fn(*mut PyObject, *mut c_void) -> *mut PyObject,
    doc: &'static core::ffi::CStr,
) -> PyGetSetDef {
    PyGetSetDef {
        name: name.as_ptr(),
        get: Some(get),
        set: None,
        doc: doc.as_ptr(),
        closure: null_mut(),
    }
}

unsafe extern "C" fn long_get_self(op: *mut PyObject, _c: *mut c_void) -> *mut PyObject {
    // SAFETY: an int; a bool gives the equal plain int.
    unsafe { long_self(op) }
}

unsafe extern "C" fn long_get_zero(_op: *mut PyObject, _c: *mut c_void) -> *mut PyObject {
    // SAFETY: creating a small int.
    unsafe { from_i128(0) }
}

unsafe extern "C" fn long_get_one(_op: *mut PyObject, _c: *mut c_void) -> *mut PyObject {
    // SAFETY: creating a small int.
    unsafe { from_i128(1) }
}

const NSMALLNEG: i64 = 5;
const NSMALLPOS: i64 = 257;
const NSMALL: usize = (NSMALLNEG + NSMALLPOS) as usize;

const fn small_int(v: i64) -> PyLongObject {
    let (size, d) = if v == 0 {
        (0, 0)
    } else if v < 0 {
        (-1, (-v) as u32)
    } else {
        (1, v as u32)
    };
    PyLongObject {
        ob_base: PyVarObject {
            ob_base: PyObject {
                ob_refcnt: PYNATIVE_IMMORTAL_REFCNT,
                ob_type: &raw mut PyLong_Type,
            },
            ob_size: size,
        },
        ob_digit: [d],
    }
}

const fn small_ints() -> [PyLongObject; NSMALL] {
    let mut a = [const { small_int(0) }; NSMALL];
    let mut i = 0;
    while i < NSMALL {
        a[i] = small_int(i as i64 - NSMALLNEG);
        i += 1;
    }
    a
}

/// Immortal ints -5..=256, shared by all threads.
static mut SMALL_INTS: [PyLongObject; NSMALL] = small_ints();

/// `PyLong_Check`.
#[inline]
pub(crate) unsafe fn is_long(op: *mut PyObject) -> bool {
    // SAFETY: live object.
    unsafe { type_has(op, Py_TPFLAGS_LONG_SUBCLASS) }
}

/// Creates an int. Return value: New reference, or NULL with `MemoryError` set.
pub(crate) unsafe fn from_i128(v: i128) -> *mut PyObject {
    if (-NSMALLNEG as i128..NSMALLPOS as i128).contains(&v) {
        let i = (v + NSMALLNEG as i128) as usize;
        // SAFETY: index in range; small ints are immortal and never written.
        return unsafe { (&raw mut SMALL_INTS[i]) as *mut PyObject };
    }
    let mut mag = v.unsigned_abs();
    let mut digits = [0 as digit; 5];
    let mut n = 0;
    while mag != 0 {
        digits[n] = (mag & MASK) as digit;
        mag >>= 30;
        n += 1;
    }
    // SAFETY: the allocation has room for `n` digits.
    unsafe {
        let tp = &raw mut PyLong_Type;
        let size = offset_of!(PyLongObject, ob_digit) + n.max(1) * size_of::<digit>();
        let op = crate::modules::gcmodule::alloc_object(tp, size);
        if op.is_null() {
            return op;
        }
        let l = op as *mut PyLongObject;
        (*l).ob_base.ob_size = if v < 0 {
            -(n as Py_ssize_t)
        } else {
            n as Py_ssize_t
        };
        let d = (&raw mut (*l).ob_digit) as *mut digit;
        for (i, dg) in digits.iter().take(n).enumerate() {
            *d.add(i) = *dg;
        }
        op
    }
}

/// The value of an int, or None if it does not fit in 128 bits.
pub(crate) unsafe fn value(op: *mut PyObject) -> Option<i128> {
    // SAFETY: `op` is an int (or bool): digits per `ob_size`.
    unsafe {
        let l = op as *mut PyLongObject;
        let size = (*l).ob_base.ob_size;
        let n = size.unsigned_abs();
        if n > 5 {
            return None;
        }
        let d = (&raw const (*l).ob_digit) as *const digit;
        let mut mag: u128 = 0;
        for i in (0..n).rev() {
            // Five digits hold 150 bits: refuse what does not fit 128.
            if mag >> 98 != 0 {
                return None;
            }
            mag = (mag << 30) | *d.add(i) as u128;
        }
        if size < 0 {
            0i128.checked_sub_unsigned(mag)
        } else {
            i128::try_from(mag).ok()
        }
    }
}

unsafe extern "C" fn long_bool(op: *mut PyObject) -> c_int {
    // SAFETY: an int.
    unsafe { (crate::capi::ffi::size(op) != 0) as c_int }
}

pub(crate) unsafe extern "C" fn long_self(op: *mut PyObject) -> *mut PyObject {
    // SAFETY: an int.
    unsafe {
        if ty(op) == &raw mut PyLong_Type {
            new_ref(op)
        } else {
            from_i128(value(op).unwrap_or(0))
        }
    }
}

unsafe extern "C" fn long_repr(op: *mut PyObject) -> *mut PyObject {
    // SAFETY: an int.
    unsafe {
        match value(op) {
            // At most 40 digits and a sign: formatted on the stack.
            Some(v) => crate::objects::unicodeobject::str_from(
                crate::capi::fallible::Small::<48>::format(format_args!("{v}")).as_str(),
            ),
            None => crate::objects::unicodeobject::str_from("<int too large>"),
        }
    }
}

/// CPython's int hash: the value modulo 2**61 - 1 with the sign kept; -1 becomes -2.
pub(crate) fn hash_i128(v: i128) -> Py_hash_t {
    const MODULUS: u128 = (1 << 61) - 1;
    let m = (v.unsigned_abs() % MODULUS) as Py_hash_t;
    let h = if v < 0 { -m } else { m };
    if h == -1 { -2 } else { h }
}

pub(crate) unsafe extern "C" fn long_hash(op: *mut PyObject) -> Py_hash_t {
    // SAFETY: an int.
    hash_i128(unsafe { value(op) }.unwrap_or(0))
}

pub(crate) unsafe extern "C" fn long_richcompare(
    a: *mut PyObject,
    b: *mut PyObject,
    op: c_int,
) -> *mut PyObject {
    // SAFETY: live objects.
    unsafe {
        if !is_long(a) || !is_long(b) {
            return new_ref(crate::objects::object_ops::not_implemented());
        }
        let (x, y) = (value(a).unwrap_or(0), value(b).unwrap_or(0));
        crate::objects::object_ops::compare_result(x.cmp(&y), op)
    }
}

/// Converts `op` with `__index__` semantics: ints give their value; others `TypeError` with
/// `msg` (None: "'X' object cannot be interpreted as an integer").
unsafe fn index_value(op: *mut PyObject, msg: Option<&str>) -> Option<i128> {
    // SAFETY: live object.
    unsafe {
        if is_long(op) {
            return value(op).or(Some(i128::MAX));
        }
        match msg {
            Some(m) => set_string(crate::exc!(TypeError), m),
            None => set_format(
                crate::exc!(TypeError),
                format_args!(
                    "'{}' object cannot be interpreted as an integer",
                    tp_name_of(op)
                ),
            ),
        }
        None
    }
}

pub(crate) unsafe fn to_signed(
    op: *mut PyObject,
    msg: Option<&str>,
    min: i128,
    max: i128,
    cname: &str,
) -> Option<i128> {
    // SAFETY: live object.
    unsafe {
        let v = index_value(op, msg)?;
        if v < min || v > max {
            set_format(
                crate::exc!(OverflowError),
                format_args!("Python int too large to convert to C {cname}"),
            );
            return None;
        }
        Some(v)
    }
}

/// Return value: New reference to an int equal to `v`, or NULL with `MemoryError` set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyLong_FromLong(v: c_long) -> *mut PyObject {
    // SAFETY: creating an int.
    guard("PyLong_FromLong", null_mut(), || unsafe {
        from_i128(v as i128)
    })
}

/// Return value: New reference to an int equal to `v`, or NULL with `MemoryError` set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyLong_FromUnsignedLong(v: c_ulong) -> *mut PyObject {
    // SAFETY: creating an int.
    guard("PyLong_FromUnsignedLong", null_mut(), || unsafe {
        from_i128(v as i128)
    })
}

/// Return value: New reference to an int equal to `v`, or NULL with `MemoryError` set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyLong_FromLongLong(v: c_longlong) -> *mut PyObject {
    // SAFETY: creating an int.
    guard("PyLong_FromLongLong", null_mut(), || unsafe {
        from_i128(v as i128)
    })
}

/// Return value: New reference to an int equal to `v`, or NULL with `MemoryError` set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyLong_FromUnsignedLongLong(v: c_ulonglong) -> *mut PyObject {
    // SAFETY: creating an int.
    guard("PyLong_FromUnsignedLongLong", null_mut(), || unsafe {
        from_i128(v as i128)
    })
}

/// Return value: New reference to an int equal to `v`, or NULL with `MemoryError` set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyLong_FromSsize_t(v: Py_ssize_t) -> *mut PyObject {
    // SAFETY: creating an int.
    guard("PyLong_FromSsize_t", null_mut(), || unsafe {
        from_i128(v as i128)
    })
}

/// Return value: New reference to an int equal to `v`, or NULL with `MemoryError` set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyLong_FromSize_t(v: usize) -> *mut PyObject {
    // SAFETY: creating an int.
    guard("PyLong_FromSize_t", null_mut(), || unsafe {
        from_i128(v as i128)
    })
}

/// Returns the value of the int `op` as a C `long`. On failure returns -1 with an exception set:
/// `OverflowError("Python int too large to convert to C long")`, or `TypeError` if `op` is not an
/// int.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyLong_AsLong(op: *mut PyObject) -> c_long {
    check_null!(op, -1);
    guard("PyLong_AsLong", -1, || {
        // SAFETY: live object.
        unsafe { to_signed(op, None, c_long::MIN as i128, c_long::MAX as i128, "long") }
            .map_or(-1, |v| v as c_long)
    })
}

unsafe fn to_long_long(op: *mut PyObject) -> Option<i128> {
    // SAFETY: live object.
    let v = unsafe { index_value(op, None) }?;
    if v < i64::MIN as i128 || v > i64::MAX as i128 {
        // CPython 3.10 converts through _PyLong_AsByteArray, hence the other wording.
        // SAFETY: setting the error indicator.
        unsafe { set_string(crate::exc!(OverflowError), "int too big to convert") };
        return None;
    }
    Some(v)
}

/// As `PyLong_AsLong` for `long long`, except that the overflow message is CPython's
/// "int too big to convert".
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyLong_AsLongLong(op: *mut PyObject) -> c_longlong {
    check_null!(op, -1);
    guard("PyLong_AsLongLong", -1, || {
        // SAFETY: live object.
        unsafe { to_long_long(op) }.map_or(-1, |v| v as c_longlong)
    })
}

/// Returns the value of the int `op` as a `Py_ssize_t`; -1 with `OverflowError` ("Python int too
/// large to convert to C ssize_t") or `TypeError` ("an integer is required") on failure.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyLong_AsSsize_t(op: *mut PyObject) -> Py_ssize_t {
    check_null!(op, -1);
    guard("PyLong_AsSsize_t", -1, || {
        // SAFETY: live object.
        unsafe {
            to_signed(
                op,
                Some("an integer is required"),
                isize::MIN as i128,
                isize::MAX as i128,
                "ssize_t",
            )
        }
        .map_or(-1, |v| v as Py_ssize_t)
    })
}

/// `cname` names the C type in the overflow message; `negative` is CPython's message for a
/// negative value ("can't convert negative value to unsigned int" even for `unsigned long`).
unsafe fn to_unsigned(op: *mut PyObject, max: u128, cname: &str, negative: &str) -> Option<u128> {
    // SAFETY: live object.
    unsafe {
        let v = index_value(op, Some("an integer is required"))?;
        if v < 0 {
            set_string(crate::exc!(OverflowError), negative);
            return None;
        }
        if v as u128 > max {
            set_format(
                crate::exc!(OverflowError),
                format_args!("Python int too large to convert to C {cname}"),
            );
            return None;
        }
        Some(v as u128)
    }
}

/// Returns the value of the int `op` as an `unsigned long`; `(unsigned long)-1` with
/// `OverflowError` (negative or too large) or `TypeError` on failure.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyLong_AsUnsignedLong(op: *mut PyObject) -> c_ulong {
    check_null!(op, c_ulong::MAX);
    guard("PyLong_AsUnsignedLong", c_ulong::MAX, || {
        // SAFETY: live object.
        unsafe {
            to_unsigned(
                op,
                c_ulong::MAX as u128,
                "unsigned long",
                "can't convert negative value to unsigned int",
            )
        }
        .map_or(c_ulong::MAX, |v| v as c_ulong)
    })
}

/// As `PyLong_AsUnsignedLong` for `size_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyLong_AsSize_t(op: *mut PyObject) -> usize {
    check_null!(op, usize::MAX);
    guard("PyLong_AsSize_t", usize::MAX, || {
        // SAFETY: live object.
        unsafe {
            to_unsigned(
                op,
                usize::MAX as u128,
                "size_t",
                "can't convert negative value to size_t",
            )
        }
        .map_or(usize::MAX, |v| v as usize)
    })
}

/// `PyNumber_AsSsize_t(op, OverflowError)`: an index-sized integer from an int (or an object
/// with `__index__`), -1 with `TypeError`/`OverflowError` set otherwise.
pub(crate) unsafe fn index_as_ssize(op: *mut PyObject) -> Py_ssize_t {
    // SAFETY: live object.
    unsafe {
        let v = if is_long(op) {
            value(op).unwrap_or(i128::MAX)
        } else {
            let nb = (*ty(op)).tp_as_number;
            let Some(index) = (if nb.is_null() { None } else { (*nb).nb_index }) else {
                let _ = index_value(op, None);
                return -1;
            };
            let r = index(op);
            if r.is_null() {
                return -1;
            }
            if !is_long(r) {
                crate::python::errors::set_format(
                    crate::exc!(TypeError),
                    format_args!("__index__ returned non-int (type {})", tp_name_of(r)),
                );
                crate::capi::ffi::decref(r);
                return -1;
            }
            let v = value(r).unwrap_or(i128::MAX);
            crate::capi::ffi::decref(r);
            v
        };
        if v < Py_ssize_t::MIN as i128 || v > Py_ssize_t::MAX as i128 {
            crate::python::errors::set_format(
                crate::exc!(OverflowError),
                format_args!(
                    "cannot fit '{}' into an index-sized integer",
                    tp_name_of(op)
                ),
            );
            return -1;
        }
        v as Py_ssize_t
    }
}

/// Parses an int literal as `int(text, base)` does (base 0 or 2..36: whitespace, sign,
/// underscores between digits, `0x`/`0o`/`0b` prefixes). None when `text` is no literal of
/// that base; `Some(Err(()))` when the value does not fit pycoro's ints (128 bits).
fn parse_int_literal(text: &str, base: u32) -> Option<Result<i128, ()>> {
    let t = text.trim_matches(|c: char| c.is_whitespace());
    let (neg, t) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let base0 = base == 0;
    let lower = t.to_ascii_lowercase();
    let prefixed = |p: &str| lower.starts_with(p);
    let (base, digits, had_prefix) = match base {
        0 if prefixed("0x") => (16, &t[2..], true),
        0 if prefixed("0o") => (8, &t[2..], true),
        0 if prefixed("0b") => (2, &t[2..], true),
        16 if prefixed("0x") => (16, &t[2..], true),
        8 if prefixed("0o") => (8, &t[2..], true),
        2 if prefixed("0b") => (2, &t[2..], true),
        0 => (10, t, false),
        b => (b, t, false),
    };
    // Base 0 refuses leading zeros in a non-zero decimal ("010").
    let mut digits = digits;
    if had_prefix && digits.starts_with('_') {
        digits = &digits[1..];
    }
    if digits.is_empty()
        || digits.starts_with('_')
        || digits.ends_with('_')
        || digits.contains("__")
    {
        return None;
    }
    // The magnitude, as u128: a negative literal reaches -2**127.
    let mut v: u128 = 0;
    let mut overflow = false;
    let mut all_zero = true;
    for c in digits.chars() {
        if c == '_' {
            continue;
        }
        let d = c.to_digit(36)?;
        if d >= base {
            return None;
        }
        if d != 0 {
            all_zero = false;
        }
        match v
            .checked_mul(base as u128)
            .and_then(|x| x.checked_add(d as u128))
        {
            Some(x) => v = x,
            None => overflow = true,
        }
    }
    if base0 && !had_prefix && digits.starts_with('0') && !all_zero {
        // int("010", 0) is refused (an old octal literal); int("010") is 10.
        return None;
    }
    let v = if neg {
        0i128.checked_sub_unsigned(v)
    } else {
        i128::try_from(v).ok()
    };
    match v {
        Some(v) if !overflow => Some(Ok(v)),
        _ => Some(Err(())),
    }
}

/// `int(x=0)` / `int(x, base=10)`: the int type's `tp_new`.
pub(crate) unsafe extern "C" fn long_new(
    tp: *mut PyTypeObject,
    args: *mut PyObject,
    kwds: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: `args` a tuple, `kwds` a dict or NULL.
    unsafe {
        let n = crate::capi::ffi::size(args);
        let mut x = if n > 0 {
            crate::objects::tupleobject::item(args, 0)
        } else {
            null_mut()
        };
        let mut base = if n > 1 {
            crate::objects::tupleobject::item(args, 1)
        } else {
            null_mut()
        };
        if n > 2 {
            crate::python::errors::set_format(
                crate::exc!(TypeError),
                format_args!("int() takes at most 2 arguments ({n} given)"),
            );
            return null_mut();
        }
        if !kwds.is_null() {
            let mut pos = 0;
            while let Some((k, v)) = crate::objects::dictobject::next_entry(kwds, &mut pos) {
                match crate::objects::unicodeobject::str_as(k) {
                    Some("base") if n < 2 => base = v,
                    Some(name) if name != "base" || n >= 2 => {
                        crate::python::errors::set_format(
                            crate::exc!(TypeError),
                            format_args!("'{name}' is an invalid keyword argument for int()"),
                        );
                        return null_mut();
                    }
                    _ => {
                        set_string(crate::exc!(TypeError), "keywords must be strings");
                        return null_mut();
                    }
                }
            }
        }
        let v: i128 = if x.is_null() {
            if !base.is_null() {
                set_string(crate::exc!(TypeError), "int() missing string argument");
                return null_mut();
            }
            0
        } else if !base.is_null() {
            let b = index_as_ssize(base);
            if b == -1 && !crate::python::errors::occurred().is_null() {
                return null_mut();
            }
            if b != 0 && !(2..=36).contains(&b) {
                set_string(
                    crate::exc!(ValueError),
                    "int() base must be >= 2 and <= 36, or 0",
                );
                return null_mut();
            }
            let Some(text) = (if crate::objects::unicodeobject::is_str(x) {
                crate::objects::unicodeobject::str_as(x)
            } else {
                None
            }) else {
                set_string(
                    crate::exc!(TypeError),
                    "int() can't convert non-string with explicit base",
                );
                return null_mut();
            };
            match parse_int_literal(text, b as u32) {
                Some(Ok(v)) => v,
                Some(Err(())) => {
                    set_string(
                        crate::exc!(OverflowError),
                        "pycoro: int literal too large (ints are limited to 128 bits)",
                    );
                    return null_mut();
                }
                None => {
                    crate::python::errors::set_format(
                        crate::exc!(ValueError),
                        format_args!(
                            "invalid literal for int() with base {b}: {}",
                            match crate::objects::unicodeobject::repr_text(text) {
                                Ok(t) => t,
                                Err(_) => return crate::python::errors::no_memory(),
                            }
                            .as_str()
                        ),
                    );
                    return null_mut();
                }
            }
        } else if is_long(x) {
            match value(x) {
                Some(v) => v,
                None => {
                    if tp == &raw mut PyLong_Type {
                        return new_ref(x);
                    }
                    set_string(crate::exc!(OverflowError), "int too large");
                    return null_mut();
                }
            }
        } else if crate::objects::unicodeobject::is_str(x) {
            let text = crate::objects::unicodeobject::str_as(x).unwrap_or("");
            match parse_int_literal(text, 10) {
                Some(Ok(v)) => v,
                Some(Err(())) => {
                    set_string(
                        crate::exc!(OverflowError),
                        "pycoro: int literal too large (ints are limited to 128 bits)",
                    );
                    return null_mut();
                }
                None => {
                    crate::python::errors::set_format(
                        crate::exc!(ValueError),
                        format_args!(
                            "invalid literal for int() with base 10: {}",
                            match crate::objects::unicodeobject::repr_text(text) {
                                Ok(t) => t,
                                Err(_) => return crate::python::errors::no_memory(),
                            }
                            .as_str()
                        ),
                    );
                    return null_mut();
                }
            }
        } else {
            let nbm = (*ty(x)).tp_as_number;
            let conv = if nbm.is_null() {
                None
            } else {
                (*nbm).nb_int.or((*nbm).nb_index)
            };
            let Some(conv) = conv else {
                crate::python::errors::set_format(
                    crate::exc!(TypeError),
                    format_args!(
                        "int() argument must be a string, a bytes-like object or a real number, not '{}'",
                        tp_name_of(x)
                    ),
                );
                return null_mut();
            };
            let r = conv(x);
            if r.is_null() {
                return r;
            }
            if !is_long(r) {
                crate::python::errors::set_format(
                    crate::exc!(TypeError),
                    format_args!("__int__ returned non-int (type {})", tp_name_of(r)),
                );
                crate::capi::ffi::decref(r);
                return null_mut();
            }
            x = r;
            let v = value(x).unwrap_or(0);
            crate::capi::ffi::decref(r);
            v
        };
        if tp == &raw mut PyLong_Type {
            return from_i128(v);
        }
        // A subclass: allocate through its tp_alloc and copy the digits of the value.
        let tmp = from_i128(v);
        if tmp.is_null() {
            return tmp;
        }
        let nd = crate::capi::ffi::size(tmp);
        let Some(alloc) = (*tp).tp_alloc else {
            crate::capi::ffi::decref(tmp);
            crate::python::errors::bad_internal_call();
            return null_mut();
        };
        let o = alloc(tp, nd.abs());
        if !o.is_null() {
            let size = (*tp).tp_basicsize as usize - size_of::<PyVarObject>()
                + (nd.unsigned_abs()) * size_of::<digit>();
            core::ptr::copy_nonoverlapping(
                (tmp as *const u8).add(size_of::<PyVarObject>()),
                (o as *mut u8).add(size_of::<PyVarObject>()),
                size.min(
                    ((*ty(tmp)).tp_basicsize as usize - size_of::<PyVarObject>())
                        + nd.unsigned_abs() * size_of::<digit>(),
                ),
            );
            (*(o as *mut PyVarObject)).ob_size = nd;
        }
        crate::capi::ffi::decref(tmp);
        o
    }
}
