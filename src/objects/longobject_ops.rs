//! `int`'s number protocol (`long_add`, `long_pow`, ... of `Objects/longobject.c`) and bool's
//! own `&`, `|`, `^`. pycoro's ints hold at most 128 bits (two's complement range of `i128`): a
//! result outside that range raises `OverflowError` with [`OVERFLOW`], never wraps.

use crate::capi::ffi::new_ref;
use crate::objects::longobject::{from_i128, is_long, value};
use crate::objects::object::*;
use crate::objects::object_ops::not_implemented;
use crate::python::errors::set_string;
use core::ptr::null_mut;

/// The message of the `OverflowError` raised when a result does not fit pycoro's ints.
pub(crate) const OVERFLOW: &str = "pycoro: int result too large (ints are limited to 128 bits)";

/// Why an operation gave no value (the exception is not set yet).
pub(crate) enum Fail {
    Overflow,
    ZeroDivision,
    NegativeShift,
    /// An exception is already set.
    Set,
}

pub(crate) type R = Result<i128, Fail>;

/// Sets the exception for `f`; returns NULL.
pub(crate) unsafe fn raise(f: Fail) -> *mut PyObject {
    // SAFETY: setting the error indicator.
    unsafe {
        match f {
            Fail::Overflow => set_string(crate::exc!(OverflowError), OVERFLOW),
            Fail::ZeroDivision => set_string(
                crate::exc!(ZeroDivisionError),
                "integer division or modulo by zero",
            ),
            Fail::NegativeShift => set_string(crate::exc!(ValueError), "negative shift count"),
            Fail::Set => {}
        }
    }
    null_mut()
}

/// A new int from `r`, or NULL with the failure's exception set.
pub(crate) unsafe fn result(r: R) -> *mut PyObject {
    // SAFETY: creating an int or setting an error.
    unsafe {
        match r {
            Ok(v) => from_i128(v),
            Err(f) => raise(f),
        }
    }
}

/// The value of an int (every pycoro int fits 128 bits; a larger one, which only foreign code
/// could build, reports an overflow).
pub(crate) unsafe fn val(op: *mut PyObject) -> R {
    // SAFETY: an int.
    unsafe { value(op) }.ok_or(Fail::Overflow)
}

pub(crate) fn floor_div(x: i128, y: i128) -> R {
    if y == 0 {
        return Err(Fail::ZeroDivision);
    }
    let q = x.checked_div(y).ok_or(Fail::Overflow)?;
    if x % y != 0 && ((x < 0) != (y < 0)) {
        Ok(q - 1)
    } else {
        Ok(q)
    }
}

pub(crate) fn floor_mod(x: i128, y: i128) -> R {
    if y == 0 {
        return Err(Fail::ZeroDivision);
    }
    if y == -1 {
        return Ok(0);
    }
    let r = x % y;
    Ok(if r != 0 && ((r < 0) != (y < 0)) {
        r + y
    } else {
        r
    })
}

/// `x ** y` for `y >= 0`.
pub(crate) fn pow_nonneg(mut base: i128, mut e: i128) -> R {
    let mut r: i128 = 1;
    while e > 0 {
        if e & 1 == 1 {
            r = r.checked_mul(base).ok_or(Fail::Overflow)?;
        }
        e >>= 1;
        if e > 0 {
            base = base.checked_mul(base).ok_or(Fail::Overflow)?;
        }
    }
    Ok(r)
}

/// `(a + b) mod m` for `a, b < m <= 2**127`.
fn add_mod(a: u128, b: u128, m: u128) -> u128 {
    let s = a + b;
    if s >= m { s - m } else { s }
}

/// `(a * b) mod m` for `a, b < m <= 2**127`, without a wider type.
fn mul_mod(a: u128, b: u128, m: u128) -> u128 {
    let mut r = 0;
    for i in (0..128).rev() {
        r = add_mod(r, r, m);
        if (b >> i) & 1 == 1 {
            r = add_mod(r, a, m);
        }
    }
    r
}

/// The inverse of `a` modulo `m` (`0 <= a < m`), if `gcd(a, m) == 1`.
fn inverse_mod(a: u128, m: u128) -> Option<u128> {
    // Extended Euclid on (a, m), the coefficient of `a` kept reduced modulo `m`.
    let (mut r0, mut r1) = (m, a);
    let (mut t0, mut t1): (u128, u128) = (0, 1 % m);
    while r1 != 0 {
        let q = r0 / r1;
        (r0, r1) = (r1, r0 - q * r1);
        // t0 - q * t1 (mod m)
        let qt = mul_mod(q % m, t1, m);
        let next = add_mod(t0, m - qt, m) % m;
        (t0, t1) = (t1, next);
    }
    (r0 == 1).then_some(t0 % m)
}

/// `pow(x, y, z)` with `z != 0`: the result has the sign of `z`, as in Python.
pub(crate) unsafe fn pow_mod(x: i128, y: i128, z: i128) -> R {
    let m = z.unsigned_abs();
    let mut base = x.rem_euclid_u(m);
    let mut e = y.unsigned_abs();
    if y < 0 {
        match inverse_mod(base, m) {
            Some(inv) => base = inv,
            None => {
                // SAFETY: setting the error indicator.
                unsafe {
                    set_string(
                        crate::exc!(ValueError),
                        "base is not invertible for the given modulus",
                    )
                };
                return Err(Fail::Set);
            }
        }
    }
    let mut r: u128 = 1 % m;
    while e > 0 {
        if e & 1 == 1 {
            r = mul_mod(r, base, m);
        }
        e >>= 1;
        if e > 0 {
            base = mul_mod(base, base, m);
        }
    }
    Ok(if z < 0 && r != 0 {
        -((m - r) as i128)
    } else {
        r as i128
    })
}

trait RemEuclidU {
    fn rem_euclid_u(self, m: u128) -> u128;
}

impl RemEuclidU for i128 {
    /// `self mod m` in `0..m`, for `1 <= m <= 2**127`.
    fn rem_euclid_u(self, m: u128) -> u128 {
        let r = self.unsigned_abs() % m;
        if self < 0 && r != 0 { m - r } else { r }
    }
}

pub(crate) fn lshift(x: i128, n: i128) -> R {
    if n < 0 {
        return Err(Fail::NegativeShift);
    }
    if x == 0 {
        return Ok(0);
    }
    if n >= 127 {
        return Err(Fail::Overflow);
    }
    let r = x << n;
    if r >> n != x {
        return Err(Fail::Overflow);
    }
    Ok(r)
}

pub(crate) fn rshift(x: i128, n: i128) -> R {
    if n < 0 {
        return Err(Fail::NegativeShift);
    }
    Ok(if n >= 127 { x >> 127 } else { x >> n })
}

/// The values of two ints, or None when either operand is not an int (the slot then returns
/// `NotImplemented`).
unsafe fn both(a: *mut PyObject, b: *mut PyObject) -> Option<(R, R)> {
    // SAFETY: live objects.
    unsafe {
        if !is_long(a) || !is_long(b) {
            return None;
        }
        Some((val(a), val(b)))
    }
}

macro_rules! binary {
    ($name:ident, $op:expr) => {
        pub(crate) unsafe extern "C" fn $name(a: *mut PyObject, b: *mut PyObject) -> *mut PyObject {
            // SAFETY: live objects; results are new ints.
            unsafe {
                let Some((x, y)) = both(a, b) else {
                    return new_ref(not_implemented());
                };
                let f: fn(i128, i128) -> R = $op;
                result(x.and_then(|x| y.and_then(|y| f(x, y))))
            }
        }
    };
}

binary!(long_add, |x, y| x.checked_add(y).ok_or(Fail::Overflow));
binary!(long_sub, |x, y| x.checked_sub(y).ok_or(Fail::Overflow));
binary!(long_mul, |x, y| x.checked_mul(y).ok_or(Fail::Overflow));
binary!(long_mod, floor_mod);
binary!(long_div, floor_div);
binary!(long_lshift, lshift);
binary!(long_rshift, rshift);
binary!(long_and, |x, y| Ok(x & y));
binary!(long_xor, |x, y| Ok(x ^ y));
binary!(long_or, |x, y| Ok(x | y));

pub(crate) unsafe extern "C" fn long_divmod(a: *mut PyObject, b: *mut PyObject) -> *mut PyObject {
    // SAFETY: live objects.
    unsafe {
        let Some((x, y)) = both(a, b) else {
            return new_ref(not_implemented());
        };
        let qr = x.and_then(|x| y.and_then(|y| Ok((floor_div(x, y)?, floor_mod(x, y)?))));
        let (q, r) = match qr {
            Ok(v) => v,
            Err(f) => return raise(f),
        };
        let q = from_i128(q);
        if q.is_null() {
            return q;
        }
        let r = from_i128(r);
        if r.is_null() {
            crate::capi::ffi::decref(q);
            return r;
        }
        let t = crate::objects::tupleobject::tuple_from(&[q, r]);
        crate::capi::ffi::decref(q);
        crate::capi::ffi::decref(r);
        t
    }
}

/// The message of the error raised where CPython's result would be a float.
pub(crate) const NEEDS_FLOAT: &str =
    "pycoro: the result is a float, and pycoro has no float type yet (issue 12)";

pub(crate) unsafe extern "C" fn long_pow(
    a: *mut PyObject,
    b: *mut PyObject,
    c: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: live objects.
    unsafe {
        let Some((x, y)) = both(a, b) else {
            return new_ref(not_implemented());
        };
        let modulus = if c == crate::objects::object_ops::none() {
            None
        } else if is_long(c) {
            Some(val(c))
        } else {
            return new_ref(not_implemented());
        };
        let (x, y) = match x.and_then(|x| y.map(|y| (x, y))) {
            Ok(v) => v,
            Err(f) => return raise(f),
        };
        match modulus {
            None => {
                if y < 0 {
                    if x == 0 {
                        set_string(
                            crate::exc!(ZeroDivisionError),
                            "0.0 cannot be raised to a negative power",
                        );
                    } else {
                        set_string(crate::exc!(NotImplementedError), NEEDS_FLOAT);
                    }
                    return null_mut();
                }
                result(pow_nonneg(x, y))
            }
            Some(Err(f)) => raise(f),
            Some(Ok(0)) => {
                set_string(crate::exc!(ValueError), "pow() 3rd argument cannot be 0");
                null_mut()
            }
            Some(Ok(z)) => result(pow_mod(x, y, z)),
        }
    }
}

macro_rules! unary {
    ($name:ident, $op:expr) => {
        pub(crate) unsafe extern "C" fn $name(a: *mut PyObject) -> *mut PyObject {
            // SAFETY: an int.
            unsafe {
                let f: fn(i128) -> R = $op;
                result(val(a).and_then(f))
            }
        }
    };
}

unary!(long_neg, |x| x.checked_neg().ok_or(Fail::Overflow));
unary!(long_abs, |x| x.checked_abs().ok_or(Fail::Overflow));
unary!(long_invert, |x| Ok(!x));

/// bool's `&`, `|`, `^`: a bool when both operands are bools, else int's operation.
macro_rules! bool_binary {
    ($name:ident, $long:ident, $op:tt) => {
        pub(crate) unsafe extern "C" fn $name(a: *mut PyObject, b: *mut PyObject) -> *mut PyObject {
            use crate::objects::boolobject::{PyBool_Type, from_bool, true_};
            // SAFETY: live objects.
            unsafe {
                let bool_t = &raw mut PyBool_Type;
                if crate::capi::ffi::ty(a) != bool_t || crate::capi::ffi::ty(b) != bool_t {
                    return $long(a, b);
                }
                new_ref(from_bool((a == true_()) $op (b == true_())))
            }
        }
    };
}

bool_binary!(bool_and, long_and, &);
bool_binary!(bool_or, long_or, |);
bool_binary!(bool_xor, long_xor, ^);

/// `bool(x)` through vectorcall: the type's `tp_vectorcall`.
pub(crate) unsafe extern "C" fn bool_vectorcall(
    _tp: *mut PyObject,
    args: *const *mut PyObject,
    nargsf: usize,
    kwnames: *mut PyObject,
) -> *mut PyObject {
    use crate::objects::boolobject::{false_, from_bool};
    // SAFETY: `args` holds `nargs` live objects; `kwnames` a tuple or NULL.
    unsafe {
        if !kwnames.is_null() && crate::capi::ffi::size(kwnames) != 0 {
            set_string(crate::exc!(TypeError), "bool() takes no keyword arguments");
            return null_mut();
        }
        let n = nargsf & !crate::objects::call::PY_VECTORCALL_ARGUMENTS_OFFSET;
        if n > 1 {
            crate::python::errors::set_format(
                crate::exc!(TypeError),
                format_args!("bool expected at most 1 argument, got {n}"),
            );
            return null_mut();
        }
        if n == 0 {
            return new_ref(false_());
        }
        let r = crate::objects::object_ops::is_true(*args);
        if r < 0 {
            return null_mut();
        }
        new_ref(from_bool(r != 0))
    }
}
