//! `int`'s methods (`int_methods` of `Objects/longobject.c`): `bit_length`, `bit_count`,
//! `conjugate`, `as_integer_ratio`, `__trunc__`/`__floor__`/`__ceil__`/`__round__`,
//! `__getnewargs__`, `__format__`, `__sizeof__`. `to_bytes`/`from_bytes` need `bytes`, which
//! pycoro does not have.

use crate::capi::ffi::{decref, size};
use crate::objects::longobject::{digit, from_i128, long_self};
use crate::objects::longobject_ops::{Fail, R, floor_div, floor_mod, result, val};
use crate::objects::methodobject::{METH_FASTCALL, METH_NOARGS, METH_O, PyMethodDef};
use crate::objects::object::*;
use core::ffi::CStr;
use core::ptr::null_mut;

type Noargs = unsafe extern "C" fn(*mut PyObject, *mut PyObject) -> *mut PyObject;
type Fast = unsafe extern "C" fn(*mut PyObject, *const *mut PyObject, Py_ssize_t) -> *mut PyObject;

const fn m(
    name: &'static CStr,
    f: Noargs,
    flags: core::ffi::c_int,
    doc: &'static CStr,
) -> PyMethodDef {
    PyMethodDef {
        ml_name: name.as_ptr(),
        ml_meth: Some(f),
        ml_flags: flags,
        ml_doc: doc.as_ptr(),
    }
}

const fn fast(name: &'static CStr, f: Fast, doc: &'static CStr) -> PyMethodDef {
    PyMethodDef {
        ml_name: name.as_ptr(),
        // SAFETY: METH_FASTCALL functions are called with the fastcall signature.
        ml_meth: Some(unsafe { core::mem::transmute::<Fast, Noargs>(f) }),
        ml_flags: METH_FASTCALL,
        ml_doc: doc.as_ptr(),
    }
}

/// The methods of `int` (CPython 3.10's order and docstrings).
pub(crate) static mut LONG_METHODS: [PyMethodDef; 12] = [
    m(
        c"conjugate",
        int_self,
        METH_NOARGS,
        c"Returns self, the complex conjugate of any int.",
    ),
    m(
        c"bit_length",
        int_bit_length,
        METH_NOARGS,
        c"bit_length($self, /)\n--\n\nNumber of bits necessary to represent self in binary.\n\n>>> bin(37)\n'0b100101'\n>>> (37).bit_length()\n6",
    ),
    m(
        c"bit_count",
        int_bit_count,
        METH_NOARGS,
        c"bit_count($self, /)\n--\n\nNumber of ones in the binary representation of the absolute value of self.\n\nAlso known as the population count.\n\n>>> bin(13)\n'0b1101'\n>>> (13).bit_count()\n3",
    ),
    m(
        c"as_integer_ratio",
        int_as_integer_ratio,
        METH_NOARGS,
        c"as_integer_ratio($self, /)\n--\n\nReturn integer ratio.\n\nReturn a pair of integers, whose ratio is exactly equal to the original int\nand with a positive denominator.\n\n>>> (10).as_integer_ratio()\n(10, 1)\n>>> (-10).as_integer_ratio()\n(-10, 1)\n>>> (0).as_integer_ratio()\n(0, 1)",
    ),
    m(
        c"__trunc__",
        int_self,
        METH_NOARGS,
        c"Truncating an Integral returns itself.",
    ),
    m(
        c"__floor__",
        int_self,
        METH_NOARGS,
        c"Flooring an Integral returns itself.",
    ),
    m(
        c"__ceil__",
        int_self,
        METH_NOARGS,
        c"Ceiling of an Integral returns itself.",
    ),
    fast(
        c"__round__",
        int_round,
        c"__round__($self, ndigits=<unrepresentable>, /)\n--\n\nRounding an Integral returns itself.\n\nRounding with an ndigits argument also returns an integer.",
    ),
    m(
        c"__getnewargs__",
        int_getnewargs,
        METH_NOARGS,
        c"__getnewargs__($self, /)\n--\n\n",
    ),
    m(
        c"__format__",
        int_format,
        METH_O,
        c"__format__($self, format_spec, /)\n--\n\n",
    ),
    m(
        c"__sizeof__",
        int_sizeof,
        METH_NOARGS,
        c"__sizeof__($self, /)\n--\n\nReturns size in memory, in bytes.",
    ),
    PyMethodDef::SENTINEL,
];

/// `int(self)`: the int itself, or an equal plain int for a subclass instance.
unsafe extern "C" fn int_self(op: *mut PyObject, _: *mut PyObject) -> *mut PyObject {
    // SAFETY: an int (the method descriptor checked `self`).
    unsafe { long_self(op) }
}

unsafe extern "C" fn int_bit_length(op: *mut PyObject, _: *mut PyObject) -> *mut PyObject {
    // SAFETY: an int.
    unsafe { result(val(op).map(|v| (128 - v.unsigned_abs().leading_zeros()) as i128)) }
}

unsafe extern "C" fn int_bit_count(op: *mut PyObject, _: *mut PyObject) -> *mut PyObject {
    // SAFETY: an int.
    unsafe { result(val(op).map(|v| v.unsigned_abs().count_ones() as i128)) }
}

/// A two-tuple of new references (consumed), or NULL.
unsafe fn pair(a: *mut PyObject, b: *mut PyObject) -> *mut PyObject {
    // SAFETY: new references or NULL.
    unsafe {
        if a.is_null() || b.is_null() {
            if !a.is_null() {
                decref(a);
            }
            if !b.is_null() {
                decref(b);
            }
            return null_mut();
        }
        let t = crate::objects::tupleobject::tuple_from(&[a, b]);
        decref(a);
        decref(b);
        t
    }
}

unsafe extern "C" fn int_as_integer_ratio(op: *mut PyObject, _: *mut PyObject) -> *mut PyObject {
    // SAFETY: an int.
    unsafe { pair(long_self(op), from_i128(1)) }
}

unsafe extern "C" fn int_getnewargs(op: *mut PyObject, _: *mut PyObject) -> *mut PyObject {
    // SAFETY: an int.
    unsafe {
        let v = long_self(op);
        if v.is_null() {
            return v;
        }
        let t = crate::objects::tupleobject::tuple_from(&[v]);
        decref(v);
        t
    }
}

unsafe extern "C" fn int_sizeof(op: *mut PyObject, _: *mut PyObject) -> *mut PyObject {
    // SAFETY: an int.
    unsafe {
        let n = size(op).unsigned_abs();
        let bytes = core::mem::offset_of!(crate::objects::longobject::PyLongObject, ob_digit)
            + n * core::mem::size_of::<digit>();
        from_i128(bytes as i128)
    }
}

/// `round(x, -k)`: `x` rounded to a multiple of `10**k`, ties to even.
fn round_to_pow10(x: i128, k: u128) -> R {
    let Some(unit) = (k <= 38).then(|| 10i128.pow(k as u32)) else {
        // 10**39 exceeds every pycoro int: |x| is below half of it.
        return Ok(0);
    };
    let q = floor_div(x, unit)?;
    let r = floor_mod(x, unit)?;
    // r is in 0..unit; compare 2r with unit without overflow.
    let half = unit / 2;
    let up = r > half || (r == half && unit % 2 == 0 && q % 2 != 0);
    let q = if up { q + 1 } else { q };
    q.checked_mul(unit).ok_or(Fail::Overflow)
}

unsafe extern "C" fn int_round(
    op: *mut PyObject,
    args: *const *mut PyObject,
    nargs: Py_ssize_t,
) -> *mut PyObject {
    // SAFETY: an int; `args` holds `nargs` live objects.
    unsafe {
        if nargs > 1 {
            crate::python::errors::set_format(
                crate::exc!(TypeError),
                format_args!("__round__ expected at most 1 argument, got {nargs}"),
            );
            return null_mut();
        }
        if nargs == 0 {
            return long_self(op);
        }
        let nd = crate::objects::number::index(*args);
        if nd.is_null() {
            return nd;
        }
        let k = val(nd);
        decref(nd);
        match k {
            Err(f) => crate::objects::longobject_ops::raise(f),
            // A non-negative ndigits gives int(self), as CPython does.
            Ok(k) if k >= 0 => long_self(op),
            Ok(k) => result(val(op).and_then(|x| round_to_pow10(x, k.unsigned_abs()))),
        }
    }
}

unsafe extern "C" fn int_format(op: *mut PyObject, spec: *mut PyObject) -> *mut PyObject {
    // SAFETY: an int and a live object.
    unsafe {
        if !crate::objects::unicodeobject::is_str(spec) {
            crate::python::errors::set_format(
                crate::exc!(TypeError),
                format_args!(
                    "__format__() argument must be str, not {}",
                    crate::objects::typeobject::tp_name_of(spec)
                ),
            );
            return null_mut();
        }
        crate::objects::longobject_format::format_int(op, spec)
    }
}
