//! `Objects/abstract.c`'s number protocol: `PyNumber_Add` ... `PyNumber_Or`, their in-place
//! forms, `PyNumber_Power`, the unary operations, `PyNumber_Index`/`Long`/`AsSsize_t`/`Check`
//! and `PyIndex_Check`, with CPython 3.10's dispatch: the left operand's slot, then the right
//! operand's (first when its type is a subclass of the left's and overrides the slot), a slot
//! answering `NotImplemented` passing the turn; `+` and `*` fall back to the sequence slots.

use crate::capi::boundary::guard;
use crate::capi::ffi::{decref, new_ref, ty};
use crate::objects::longobject::is_long;
use crate::objects::object::*;
use crate::objects::object_ops::{none, not_implemented};
use crate::objects::typeobject::{is_subtype, tp_name_of};
use crate::python::errors::{occurred, set_format, set_string};
use core::ffi::c_int;
use core::mem::offset_of;
use core::ptr::null_mut;

/// CPython's `null_error`: `SystemError("null argument to internal routine")` unless an
/// exception is already set. Returns NULL.
unsafe fn null_error() -> *mut PyObject {
    // SAFETY: setting the error indicator.
    unsafe {
        if occurred().is_null() {
            set_string(
                crate::exc!(SystemError),
                "null argument to internal routine",
            );
        }
    }
    null_mut()
}

type Binary = unsafe extern "C" fn(*mut PyObject, *mut PyObject) -> *mut PyObject;
type Ternary = unsafe extern "C" fn(*mut PyObject, *mut PyObject, *mut PyObject) -> *mut PyObject;

/// The number slot at byte `offset` of `tp`'s `tp_as_number` (None without a table).
unsafe fn slot<F: Copy>(tp: *mut PyTypeObject, offset: usize) -> Option<F> {
    // SAFETY: `offset` is the offset of an `Option<F>` field of PyNumberMethods.
    unsafe {
        let nb = (*tp).tp_as_number;
        if nb.is_null() {
            return None;
        }
        *((nb as *const u8).add(offset) as *const Option<F>)
    }
}

fn same<F: Copy>(a: Option<F>, b: Option<F>) -> bool {
    // SAFETY: comparing function pointers by address.
    let addr = |f: Option<F>| f.map(|f| unsafe { core::mem::transmute_copy::<F, usize>(&f) });
    addr(a) == addr(b)
}

/// Whether `x` is `NotImplemented`; if so, releases it.
unsafe fn passed(x: *mut PyObject) -> bool {
    if x == not_implemented() {
        // SAFETY: the reference the slot returned.
        unsafe { decref(x) };
        true
    } else {
        false
    }
}

/// CPython's `binary_op1`: the result, or a new reference to `NotImplemented` when neither
/// operand's slot handles the pair.
unsafe fn binary_op1(v: *mut PyObject, w: *mut PyObject, off: usize) -> *mut PyObject {
    // SAFETY: live objects; slots are called with their contract.
    unsafe {
        let (tv, tw) = (ty(v), ty(w));
        let slotv: Option<Binary> = slot(tv, off);
        let mut slotw: Option<Binary> = None;
        if tw != tv {
            slotw = slot(tw, off);
            if same(slotw, slotv) {
                slotw = None;
            }
        }
        if let Some(sv) = slotv {
            if let Some(sw) = slotw
                && is_subtype(tw, tv)
            {
                let x = sw(v, w);
                if !passed(x) {
                    return x;
                }
                slotw = None;
            }
            let x = sv(v, w);
            if !passed(x) {
                return x;
            }
        }
        if let Some(sw) = slotw {
            let x = sw(v, w);
            if !passed(x) {
                return x;
            }
        }
        new_ref(not_implemented())
    }
}

unsafe fn binop_type_error(v: *mut PyObject, w: *mut PyObject, op: &str) -> *mut PyObject {
    // SAFETY: setting the error indicator.
    unsafe {
        set_format(
            crate::exc!(TypeError),
            format_args!(
                "unsupported operand type(s) for {op:.100}: '{:.100}' and '{:.100}'",
                tp_name_of(v),
                tp_name_of(w)
            ),
        );
    }
    null_mut()
}

/// The error of an operation that would give a float for two ints (pycoro has no float).
unsafe fn needs_float(v: *mut PyObject, w: *mut PyObject, op: &str) -> *mut PyObject {
    // SAFETY: live objects.
    unsafe {
        if is_long(v) && is_long(w) {
            set_string(
                crate::exc!(NotImplementedError),
                crate::objects::longobject_ops::NEEDS_FLOAT,
            );
            return null_mut();
        }
        binop_type_error(v, w, op)
    }
}

unsafe fn binary_op(v: *mut PyObject, w: *mut PyObject, off: usize, op: &str) -> *mut PyObject {
    // SAFETY: live objects.
    unsafe {
        let r = binary_op1(v, w, off);
        if !passed(r) {
            return r;
        }
        if op == "/" {
            return needs_float(v, w, op);
        }
        binop_type_error(v, w, op)
    }
}

/// CPython's `binary_iop1`: the in-place slot of `v`, then the binary operation.
unsafe fn binary_iop1(
    v: *mut PyObject,
    w: *mut PyObject,
    ioff: usize,
    off: usize,
) -> *mut PyObject {
    // SAFETY: live objects.
    unsafe {
        if let Some(f) = slot::<Binary>(ty(v), ioff) {
            let x = f(v, w);
            if !passed(x) {
                return x;
            }
        }
        binary_op1(v, w, off)
    }
}

unsafe fn binary_iop(
    v: *mut PyObject,
    w: *mut PyObject,
    ioff: usize,
    off: usize,
    op: &str,
) -> *mut PyObject {
    // SAFETY: live objects.
    unsafe {
        let r = binary_iop1(v, w, ioff, off);
        if !passed(r) {
            return r;
        }
        if op == "/=" {
            return needs_float(v, w, op);
        }
        binop_type_error(v, w, op)
    }
}

/// `seq * n` through a repeat slot: `n` must be an index.
unsafe fn sequence_repeat(
    f: unsafe extern "C" fn(*mut PyObject, Py_ssize_t) -> *mut PyObject,
    seq: *mut PyObject,
    n: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: live objects.
    unsafe {
        if !index_check(n) {
            set_format(
                crate::exc!(TypeError),
                format_args!(
                    "can't multiply sequence by non-int of type '{:.200}'",
                    tp_name_of(n)
                ),
            );
            return null_mut();
        }
        let count = as_ssize(n, crate::exc!(OverflowError));
        if count == -1 && !occurred().is_null() {
            return null_mut();
        }
        f(seq, count)
    }
}

unsafe fn seq_methods(o: *mut PyObject) -> Option<&'static PySequenceMethods> {
    // SAFETY: a live object's type.
    unsafe {
        let m = (*ty(o)).tp_as_sequence;
        if m.is_null() { None } else { Some(&*m) }
    }
}

unsafe fn binary_api(
    name: &'static str,
    o1: *mut PyObject,
    o2: *mut PyObject,
    off: usize,
    op: &'static str,
) -> *mut PyObject {
    if o1.is_null() || o2.is_null() {
        // SAFETY: setting the error indicator.
        return unsafe { null_error() };
    }
    // SAFETY: live objects.
    guard(name, null_mut(), || unsafe { binary_op(o1, o2, off, op) })
}

unsafe fn inplace_api(
    name: &'static str,
    o1: *mut PyObject,
    o2: *mut PyObject,
    ioff: usize,
    off: usize,
    op: &'static str,
) -> *mut PyObject {
    if o1.is_null() || o2.is_null() {
        // SAFETY: setting the error indicator.
        return unsafe { null_error() };
    }
    // SAFETY: live objects.
    guard(name, null_mut(), || unsafe {
        binary_iop(o1, o2, ioff, off, op)
    })
}

/// `o1 - o2`.
///
/// Return value: New reference, or NULL with an exception set (`TypeError`
/// "unsupported operand type(s) for -: ..." when neither operand supports it).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyNumber_Subtract(o1: *mut PyObject, o2: *mut PyObject) -> *mut PyObject {
    // SAFETY: checked for NULL by `binary_api`.
    unsafe {
        binary_api(
            "PyNumber_Subtract",
            o1,
            o2,
            offset_of!(PyNumberMethods, nb_subtract),
            "-",
        )
    }
}

/// `o1 % o2`.
///
/// Return value: New reference, or NULL with an exception set (`TypeError`
/// "unsupported operand type(s) for %: ..." when neither operand supports it).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyNumber_Remainder(o1: *mut PyObject, o2: *mut PyObject) -> *mut PyObject {
    // SAFETY: checked for NULL by `binary_api`.
    unsafe {
        binary_api(
            "PyNumber_Remainder",
            o1,
            o2,
            offset_of!(PyNumberMethods, nb_remainder),
            "%",
        )
    }
}

/// `divmod(o1, o2)`.
///
/// Return value: New reference, or NULL with an exception set (`TypeError`
/// "unsupported operand type(s) for divmod(): ..." when neither operand supports it).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyNumber_Divmod(o1: *mut PyObject, o2: *mut PyObject) -> *mut PyObject {
    // SAFETY: checked for NULL by `binary_api`.
    unsafe {
        binary_api(
            "PyNumber_Divmod",
            o1,
            o2,
            offset_of!(PyNumberMethods, nb_divmod),
            "divmod()",
        )
    }
}

/// `o1 << o2`.
///
/// Return value: New reference, or NULL with an exception set (`TypeError`
/// "unsupported operand type(s) for <<: ..." when neither operand supports it).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyNumber_Lshift(o1: *mut PyObject, o2: *mut PyObject) -> *mut PyObject {
    // SAFETY: checked for NULL by `binary_api`.
    unsafe {
        binary_api(
            "PyNumber_Lshift",
            o1,
            o2,
            offset_of!(PyNumberMethods, nb_lshift),
            "<<",
        )
    }
}

/// `o1 >> o2`.
///
/// Return value: New reference, or NULL with an exception set (`TypeError`
/// "unsupported operand type(s) for >>: ..." when neither operand supports it).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyNumber_Rshift(o1: *mut PyObject, o2: *mut PyObject) -> *mut PyObject {
    // SAFETY: checked for NULL by `binary_api`.
    unsafe {
        binary_api(
            "PyNumber_Rshift",
            o1,
            o2,
            offset_of!(PyNumberMethods, nb_rshift),
            ">>",
        )
    }
}

/// `o1 & o2`.
///
/// Return value: New reference, or NULL with an exception set (`TypeError`
/// "unsupported operand type(s) for &: ..." when neither operand supports it).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyNumber_And(o1: *mut PyObject, o2: *mut PyObject) -> *mut PyObject {
    // SAFETY: checked for NULL by `binary_api`.
    unsafe {
        binary_api(
            "PyNumber_And",
            o1,
            o2,
            offset_of!(PyNumberMethods, nb_and),
            "&",
        )
    }
}

/// `o1 ^ o2`.
///
/// Return value: New reference, or NULL with an exception set (`TypeError`
/// "unsupported operand type(s) for ^: ..." when neither operand supports it).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyNumber_Xor(o1: *mut PyObject, o2: *mut PyObject) -> *mut PyObject {
    // SAFETY: checked for NULL by `binary_api`.
    unsafe {
        binary_api(
            "PyNumber_Xor",
            o1,
            o2,
            offset_of!(PyNumberMethods, nb_xor),
            "^",
        )
    }
}

/// `o1 | o2`.
///
/// Return value: New reference, or NULL with an exception set (`TypeError`
/// "unsupported operand type(s) for |: ..." when neither operand supports it).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyNumber_Or(o1: *mut PyObject, o2: *mut PyObject) -> *mut PyObject {
    // SAFETY: checked for NULL by `binary_api`.
    unsafe {
        binary_api(
            "PyNumber_Or",
            o1,
            o2,
            offset_of!(PyNumberMethods, nb_or),
            "|",
        )
    }
}

/// `o1 // o2`.
///
/// Return value: New reference, or NULL with an exception set (`TypeError`
/// "unsupported operand type(s) for //: ..." when neither operand supports it).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyNumber_FloorDivide(
    o1: *mut PyObject,
    o2: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: checked for NULL by `binary_api`.
    unsafe {
        binary_api(
            "PyNumber_FloorDivide",
            o1,
            o2,
            offset_of!(PyNumberMethods, nb_floor_divide),
            "//",
        )
    }
}

/// `o1 / o2`. For two ints CPython's result is a float, which pycoro does not have:
/// `NotImplementedError` then.
///
/// Return value: New reference, or NULL with an exception set (`TypeError`
/// "unsupported operand type(s) for /: ..." when neither operand supports it).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyNumber_TrueDivide(
    o1: *mut PyObject,
    o2: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: checked for NULL by `binary_api`.
    unsafe {
        binary_api(
            "PyNumber_TrueDivide",
            o1,
            o2,
            offset_of!(PyNumberMethods, nb_true_divide),
            "/",
        )
    }
}

/// `o1 @ o2`.
///
/// Return value: New reference, or NULL with an exception set (`TypeError`
/// "unsupported operand type(s) for @: ..." when neither operand supports it).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyNumber_MatrixMultiply(
    o1: *mut PyObject,
    o2: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: checked for NULL by `binary_api`.
    unsafe {
        binary_api(
            "PyNumber_MatrixMultiply",
            o1,
            o2,
            offset_of!(PyNumberMethods, nb_matrix_multiply),
            "@",
        )
    }
}

/// `o1 -= o2`.
///
/// Tries `o1`'s in-place slot first, then the binary operation. Return value: New reference,
/// or NULL with an exception set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyNumber_InPlaceSubtract(
    o1: *mut PyObject,
    o2: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: checked for NULL by `inplace_api`.
    unsafe {
        inplace_api(
            "PyNumber_InPlaceSubtract",
            o1,
            o2,
            offset_of!(PyNumberMethods, nb_inplace_subtract),
            offset_of!(PyNumberMethods, nb_subtract),
            "-=",
        )
    }
}

/// `o1 %= o2`.
///
/// Tries `o1`'s in-place slot first, then the binary operation. Return value: New reference,
/// or NULL with an exception set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyNumber_InPlaceRemainder(
    o1: *mut PyObject,
    o2: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: checked for NULL by `inplace_api`.
    unsafe {
        inplace_api(
            "PyNumber_InPlaceRemainder",
            o1,
            o2,
            offset_of!(PyNumberMethods, nb_inplace_remainder),
            offset_of!(PyNumberMethods, nb_remainder),
            "%=",
        )
    }
}

/// `o1 <<= o2`.
///
/// Tries `o1`'s in-place slot first, then the binary operation. Return value: New reference,
/// or NULL with an exception set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyNumber_InPlaceLshift(
    o1: *mut PyObject,
    o2: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: checked for NULL by `inplace_api`.
    unsafe {
        inplace_api(
            "PyNumber_InPlaceLshift",
            o1,
            o2,
            offset_of!(PyNumberMethods, nb_inplace_lshift),
            offset_of!(PyNumberMethods, nb_lshift),
            "<<=",
        )
    }
}

/// `o1 >>= o2`.
///
/// Tries `o1`'s in-place slot first, then the binary operation. Return value: New reference,
/// or NULL with an exception set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyNumber_InPlaceRshift(
    o1: *mut PyObject,
    o2: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: checked for NULL by `inplace_api`.
    unsafe {
        inplace_api(
            "PyNumber_InPlaceRshift",
            o1,
            o2,
            offset_of!(PyNumberMethods, nb_inplace_rshift),
            offset_of!(PyNumberMethods, nb_rshift),
            ">>=",
        )
    }
}

/// `o1 &= o2`.
///
/// Tries `o1`'s in-place slot first, then the binary operation. Return value: New reference,
/// or NULL with an exception set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyNumber_InPlaceAnd(
    o1: *mut PyObject,
    o2: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: checked for NULL by `inplace_api`.
    unsafe {
        inplace_api(
            "PyNumber_InPlaceAnd",
            o1,
            o2,
            offset_of!(PyNumberMethods, nb_inplace_and),
            offset_of!(PyNumberMethods, nb_and),
            "&=",
        )
    }
}

/// `o1 ^= o2`.
///
/// Tries `o1`'s in-place slot first, then the binary operation. Return value: New reference,
/// or NULL with an exception set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyNumber_InPlaceXor(
    o1: *mut PyObject,
    o2: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: checked for NULL by `inplace_api`.
    unsafe {
        inplace_api(
            "PyNumber_InPlaceXor",
            o1,
            o2,
            offset_of!(PyNumberMethods, nb_inplace_xor),
            offset_of!(PyNumberMethods, nb_xor),
            "^=",
        )
    }
}

/// `o1 |= o2`.
///
/// Tries `o1`'s in-place slot first, then the binary operation. Return value: New reference,
/// or NULL with an exception set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyNumber_InPlaceOr(o1: *mut PyObject, o2: *mut PyObject) -> *mut PyObject {
    // SAFETY: checked for NULL by `inplace_api`.
    unsafe {
        inplace_api(
            "PyNumber_InPlaceOr",
            o1,
            o2,
            offset_of!(PyNumberMethods, nb_inplace_or),
            offset_of!(PyNumberMethods, nb_or),
            "|=",
        )
    }
}

/// `o1 //= o2`.
///
/// Tries `o1`'s in-place slot first, then the binary operation. Return value: New reference,
/// or NULL with an exception set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyNumber_InPlaceFloorDivide(
    o1: *mut PyObject,
    o2: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: checked for NULL by `inplace_api`.
    unsafe {
        inplace_api(
            "PyNumber_InPlaceFloorDivide",
            o1,
            o2,
            offset_of!(PyNumberMethods, nb_inplace_floor_divide),
            offset_of!(PyNumberMethods, nb_floor_divide),
            "//=",
        )
    }
}

/// `o1 /= o2` (`NotImplementedError` for two ints, as `PyNumber_TrueDivide`).
///
/// Tries `o1`'s in-place slot first, then the binary operation. Return value: New reference,
/// or NULL with an exception set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyNumber_InPlaceTrueDivide(
    o1: *mut PyObject,
    o2: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: checked for NULL by `inplace_api`.
    unsafe {
        inplace_api(
            "PyNumber_InPlaceTrueDivide",
            o1,
            o2,
            offset_of!(PyNumberMethods, nb_inplace_true_divide),
            offset_of!(PyNumberMethods, nb_true_divide),
            "/=",
        )
    }
}

/// `o1 @= o2`.
///
/// Tries `o1`'s in-place slot first, then the binary operation. Return value: New reference,
/// or NULL with an exception set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyNumber_InPlaceMatrixMultiply(
    o1: *mut PyObject,
    o2: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: checked for NULL by `inplace_api`.
    unsafe {
        inplace_api(
            "PyNumber_InPlaceMatrixMultiply",
            o1,
            o2,
            offset_of!(PyNumberMethods, nb_inplace_matrix_multiply),
            offset_of!(PyNumberMethods, nb_matrix_multiply),
            "@=",
        )
    }
}

/// `o1 + o2`: the number slots, then `o1`'s sequence concatenation.
///
/// Return value: New reference, or NULL with an exception set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyNumber_Add(o1: *mut PyObject, o2: *mut PyObject) -> *mut PyObject {
    if o1.is_null() || o2.is_null() {
        // SAFETY: setting the error indicator.
        return unsafe { null_error() };
    }
    // SAFETY: live objects.
    guard("PyNumber_Add", null_mut(), || unsafe {
        let r = binary_op1(o1, o2, offset_of!(PyNumberMethods, nb_add));
        if !passed(r) {
            return r;
        }
        if let Some(concat) = seq_methods(o1).and_then(|m| m.sq_concat) {
            return concat(o1, o2);
        }
        binop_type_error(o1, o2, "+")
    })
}

/// `o1 * o2`: the number slots, then the sequence repetition of either operand.
///
/// Return value: New reference, or NULL with an exception set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyNumber_Multiply(o1: *mut PyObject, o2: *mut PyObject) -> *mut PyObject {
    if o1.is_null() || o2.is_null() {
        // SAFETY: setting the error indicator.
        return unsafe { null_error() };
    }
    // SAFETY: live objects.
    guard("PyNumber_Multiply", null_mut(), || unsafe {
        let r = binary_op1(o1, o2, offset_of!(PyNumberMethods, nb_multiply));
        if !passed(r) {
            return r;
        }
        if let Some(rep) = seq_methods(o1).and_then(|m| m.sq_repeat) {
            return sequence_repeat(rep, o1, o2);
        }
        if let Some(rep) = seq_methods(o2).and_then(|m| m.sq_repeat) {
            return sequence_repeat(rep, o2, o1);
        }
        binop_type_error(o1, o2, "*")
    })
}

/// `o1 += o2`: `o1`'s in-place slot, the binary slots, then `o1`'s in-place or plain sequence
/// concatenation.
///
/// Return value: New reference, or NULL with an exception set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyNumber_InPlaceAdd(
    o1: *mut PyObject,
    o2: *mut PyObject,
) -> *mut PyObject {
    if o1.is_null() || o2.is_null() {
        // SAFETY: setting the error indicator.
        return unsafe { null_error() };
    }
    // SAFETY: live objects.
    guard("PyNumber_InPlaceAdd", null_mut(), || unsafe {
        let r = binary_iop1(
            o1,
            o2,
            offset_of!(PyNumberMethods, nb_inplace_add),
            offset_of!(PyNumberMethods, nb_add),
        );
        if !passed(r) {
            return r;
        }
        if let Some(m) = seq_methods(o1)
            && let Some(f) = m.sq_inplace_concat.or(m.sq_concat)
        {
            return f(o1, o2);
        }
        binop_type_error(o1, o2, "+=")
    })
}

/// `o1 *= o2`: `o1`'s in-place slot, the binary slots, then the sequence repetition (in place
/// for `o1`; plain for a sequence `o2`).
///
/// Return value: New reference, or NULL with an exception set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyNumber_InPlaceMultiply(
    o1: *mut PyObject,
    o2: *mut PyObject,
) -> *mut PyObject {
    if o1.is_null() || o2.is_null() {
        // SAFETY: setting the error indicator.
        return unsafe { null_error() };
    }
    // SAFETY: live objects.
    guard("PyNumber_InPlaceMultiply", null_mut(), || unsafe {
        let r = binary_iop1(
            o1,
            o2,
            offset_of!(PyNumberMethods, nb_inplace_multiply),
            offset_of!(PyNumberMethods, nb_multiply),
        );
        if !passed(r) {
            return r;
        }
        if let Some(m) = seq_methods(o1) {
            if let Some(f) = m.sq_inplace_repeat.or(m.sq_repeat) {
                return sequence_repeat(f, o1, o2);
            }
        } else if let Some(rep) = seq_methods(o2).and_then(|m| m.sq_repeat) {
            return sequence_repeat(rep, o2, o1);
        }
        binop_type_error(o1, o2, "*=")
    })
}

/// CPython's `ternary_op` for `nb_power` (slot at `off`).
unsafe fn ternary_op(
    v: *mut PyObject,
    w: *mut PyObject,
    z: *mut PyObject,
    off: usize,
    op: &str,
) -> *mut PyObject {
    // SAFETY: live objects.
    unsafe {
        let (tv, tw) = (ty(v), ty(w));
        let slotv: Option<Ternary> = slot(tv, off);
        let mut slotw: Option<Ternary> = None;
        if tw != tv {
            slotw = slot(tw, off);
            if same(slotw, slotv) {
                slotw = None;
            }
        }
        if let Some(sv) = slotv {
            if let Some(sw) = slotw
                && is_subtype(tw, tv)
            {
                let x = sw(v, w, z);
                if !passed(x) {
                    return x;
                }
                slotw = None;
            }
            let x = sv(v, w, z);
            if !passed(x) {
                return x;
            }
        }
        if let Some(sw) = slotw {
            let x = sw(v, w, z);
            if !passed(x) {
                return x;
            }
        }
        let slotz: Option<Ternary> = slot(ty(z), off);
        if let Some(sz) = slotz
            && !same(slotz, slotv)
            && !same(slotz, slotw)
        {
            let x = sz(v, w, z);
            if !passed(x) {
                return x;
            }
        }
        if z == none() {
            set_format(
                crate::exc!(TypeError),
                format_args!(
                    "unsupported operand type(s) for {op:.100}: '{:.100}' and '{:.100}'",
                    tp_name_of(v),
                    tp_name_of(w)
                ),
            );
        } else {
            set_format(
                crate::exc!(TypeError),
                format_args!(
                    "unsupported operand type(s) for {op:.100}: '{:.100}', '{:.100}', '{:.100}'",
                    tp_name_of(v),
                    tp_name_of(w),
                    tp_name_of(z)
                ),
            );
        }
        null_mut()
    }
}

/// `pow(o1, o2, o3)`; pass `Py_None` as `o3` for `o1 ** o2`.
///
/// Return value: New reference, or NULL with an exception set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyNumber_Power(
    o1: *mut PyObject,
    o2: *mut PyObject,
    o3: *mut PyObject,
) -> *mut PyObject {
    if o1.is_null() || o2.is_null() || o3.is_null() {
        // SAFETY: setting the error indicator.
        return unsafe { null_error() };
    }
    // SAFETY: live objects.
    guard("PyNumber_Power", null_mut(), || unsafe {
        ternary_op(
            o1,
            o2,
            o3,
            offset_of!(PyNumberMethods, nb_power),
            "** or pow()",
        )
    })
}

/// `o1 **= o2` (`pow(o1, o2, o3)` in place): `o1`'s `nb_inplace_power`, then `nb_power`.
///
/// Return value: New reference, or NULL with an exception set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyNumber_InPlacePower(
    o1: *mut PyObject,
    o2: *mut PyObject,
    o3: *mut PyObject,
) -> *mut PyObject {
    if o1.is_null() || o2.is_null() || o3.is_null() {
        // SAFETY: setting the error indicator.
        return unsafe { null_error() };
    }
    // SAFETY: live objects.
    guard("PyNumber_InPlacePower", null_mut(), || unsafe {
        if let Some(f) = slot::<Ternary>(ty(o1), offset_of!(PyNumberMethods, nb_inplace_power)) {
            let x = f(o1, o2, o3);
            if !passed(x) {
                return x;
            }
        }
        ternary_op(o1, o2, o3, offset_of!(PyNumberMethods, nb_power), "**=")
    })
}

unsafe fn unary_api(
    name: &'static str,
    o: *mut PyObject,
    off: usize,
    what: &'static str,
) -> *mut PyObject {
    if o.is_null() {
        // SAFETY: setting the error indicator.
        return unsafe { null_error() };
    }
    // SAFETY: a live object.
    guard(name, null_mut(), || unsafe {
        match slot::<unsafe extern "C" fn(*mut PyObject) -> *mut PyObject>(ty(o), off) {
            Some(f) => f(o),
            None => {
                set_format(
                    crate::exc!(TypeError),
                    format_args!("bad operand type for {what}: '{:.200}'", tp_name_of(o)),
                );
                null_mut()
            }
        }
    })
}

/// `-o`.
///
/// Return value: New reference, or NULL with an exception set (`TypeError`
/// "bad operand type for unary -: 'X'").
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyNumber_Negative(o: *mut PyObject) -> *mut PyObject {
    // SAFETY: checked for NULL by `unary_api`.
    unsafe {
        unary_api(
            "PyNumber_Negative",
            o,
            offset_of!(PyNumberMethods, nb_negative),
            "unary -",
        )
    }
}

/// `+o`.
///
/// Return value: New reference, or NULL with an exception set (`TypeError`
/// "bad operand type for unary +: 'X'").
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyNumber_Positive(o: *mut PyObject) -> *mut PyObject {
    // SAFETY: checked for NULL by `unary_api`.
    unsafe {
        unary_api(
            "PyNumber_Positive",
            o,
            offset_of!(PyNumberMethods, nb_positive),
            "unary +",
        )
    }
}

/// `abs(o)`.
///
/// Return value: New reference, or NULL with an exception set (`TypeError`
/// "bad operand type for abs(): 'X'").
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyNumber_Absolute(o: *mut PyObject) -> *mut PyObject {
    // SAFETY: checked for NULL by `unary_api`.
    unsafe {
        unary_api(
            "PyNumber_Absolute",
            o,
            offset_of!(PyNumberMethods, nb_absolute),
            "abs()",
        )
    }
}

/// `~o`.
///
/// Return value: New reference, or NULL with an exception set (`TypeError`
/// "bad operand type for unary ~: 'X'").
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyNumber_Invert(o: *mut PyObject) -> *mut PyObject {
    // SAFETY: checked for NULL by `unary_api`.
    unsafe {
        unary_api(
            "PyNumber_Invert",
            o,
            offset_of!(PyNumberMethods, nb_invert),
            "unary ~",
        )
    }
}

/// Whether `o`'s type has `nb_index`.
pub(crate) unsafe fn index_check(o: *mut PyObject) -> bool {
    // SAFETY: a live object.
    unsafe {
        slot::<unsafe extern "C" fn(*mut PyObject) -> *mut PyObject>(
            ty(o),
            offset_of!(PyNumberMethods, nb_index),
        )
        .is_some()
    }
}

/// Returns 1 if `o` can be used as an index (its type has `nb_index`), else 0. Always succeeds
/// (0 for NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyIndex_Check(o: *mut PyObject) -> c_int {
    if o.is_null() {
        return 0;
    }
    // SAFETY: a live object.
    guard("PyIndex_Check", 0, || unsafe { index_check(o) as c_int })
}

/// Returns 1 if `o` provides the numeric protocols (`nb_index`, `nb_int` or `nb_float`), else
/// 0. Always succeeds (0 for NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyNumber_Check(o: *mut PyObject) -> c_int {
    if o.is_null() {
        return 0;
    }
    // SAFETY: a live object.
    guard("PyNumber_Check", 0, || unsafe {
        let nb = (*ty(o)).tp_as_number;
        (!nb.is_null()
            && ((*nb).nb_index.is_some() || (*nb).nb_int.is_some() || (*nb).nb_float.is_some()))
            as c_int
    })
}

/// Warns that a conversion slot returned an int subclass instance; false if the warning
/// became an error.
unsafe fn warn_subclass(what: &str, r: *mut PyObject) -> bool {
    // SAFETY: live objects.
    unsafe {
        let m = crate::objects::unicodeobject::str_from_text(crate::capi::fallible::format(
            format_args!(
                "{what} returned non-int (type {:.200}).  The ability to return an instance of a strict subclass of int is deprecated, and may be removed in a future version of Python.",
                tp_name_of(r)
            ),
        ));
        if m.is_null() {
            return false;
        }
        let rc = crate::python::warnings::warn(crate::exc!(DeprecationWarning), m, 1, null_mut());
        decref(m);
        rc == 0
    }
}

/// An exact int equal to the int `r` (consumed).
unsafe fn exact(r: *mut PyObject) -> *mut PyObject {
    // SAFETY: an int.
    unsafe {
        if ty(r) == &raw mut crate::objects::longobject::PyLong_Type {
            return r;
        }
        let c = crate::objects::longobject::long_self(r);
        decref(r);
        c
    }
}

/// CPython's `_PyNumber_Index`: an int (possibly of a subclass) from `o`.
unsafe fn index_any(o: *mut PyObject) -> *mut PyObject {
    // SAFETY: a live object.
    unsafe {
        if is_long(o) {
            return new_ref(o);
        }
        let Some(f) = slot::<unsafe extern "C" fn(*mut PyObject) -> *mut PyObject>(
            ty(o),
            offset_of!(PyNumberMethods, nb_index),
        ) else {
            set_format(
                crate::exc!(TypeError),
                format_args!(
                    "'{:.200}' object cannot be interpreted as an integer",
                    tp_name_of(o)
                ),
            );
            return null_mut();
        };
        let r = f(o);
        if r.is_null() || ty(r) == &raw mut crate::objects::longobject::PyLong_Type {
            return r;
        }
        if !is_long(r) {
            set_format(
                crate::exc!(TypeError),
                format_args!("__index__ returned non-int (type {:.200})", tp_name_of(r)),
            );
            decref(r);
            return null_mut();
        }
        if !warn_subclass("__index__", r) {
            decref(r);
            return null_mut();
        }
        r
    }
}

/// `operator.index(o)`: an exact int. Return value: New reference, or NULL.
pub(crate) unsafe fn index(o: *mut PyObject) -> *mut PyObject {
    // SAFETY: a live object.
    unsafe {
        let r = index_any(o);
        if r.is_null() {
            return r;
        }
        exact(r)
    }
}

/// Returns `o` converted to an int with `__index__` (`o` itself when it is an exact int).
///
/// Return value: New reference, or NULL with `TypeError` ("'X' object cannot be interpreted as
/// an integer", "__index__ returned non-int (type X)") set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyNumber_Index(o: *mut PyObject) -> *mut PyObject {
    if o.is_null() {
        // SAFETY: setting the error indicator.
        return unsafe { null_error() };
    }
    // SAFETY: a live object.
    guard("PyNumber_Index", null_mut(), || unsafe { index(o) })
}

/// `PyNumber_AsSsize_t` without the NULL check.
pub(crate) unsafe fn as_ssize(o: *mut PyObject, exc: *mut PyObject) -> Py_ssize_t {
    // SAFETY: a live object; `exc` an exception class or NULL.
    unsafe {
        let r = index_any(o);
        if r.is_null() {
            return -1;
        }
        let v = crate::objects::longobject::value(r);
        let out = match v {
            Some(v) if v >= Py_ssize_t::MIN as i128 && v <= Py_ssize_t::MAX as i128 => {
                v as Py_ssize_t
            }
            _ if exc.is_null() => {
                if crate::capi::ffi::size(r) < 0 {
                    Py_ssize_t::MIN
                } else {
                    Py_ssize_t::MAX
                }
            }
            _ => {
                set_format(
                    exc,
                    format_args!(
                        "cannot fit '{:.200}' into an index-sized integer",
                        tp_name_of(o)
                    ),
                );
                -1
            }
        };
        decref(r);
        out
    }
}

/// Returns `o` (an int or an object with `__index__`) as a `Py_ssize_t`. When the value does
/// not fit: with `exc` NULL, clamps to `PY_SSIZE_T_MIN`/`PY_SSIZE_T_MAX`; otherwise raises
/// `exc` ("cannot fit 'X' into an index-sized integer") and returns -1. -1 with `TypeError`
/// when `o` is no index (`SystemError` for NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyNumber_AsSsize_t(o: *mut PyObject, exc: *mut PyObject) -> Py_ssize_t {
    if o.is_null() {
        // SAFETY: setting the error indicator.
        unsafe { null_error() };
        return -1;
    }
    // SAFETY: a live object.
    guard("PyNumber_AsSsize_t", -1, || unsafe { as_ssize(o, exc) })
}

/// `__trunc__` of `o`'s type bound to `o` and called, if the type has one: `Ok(result)` (NULL on
/// error), `Err(())` when there is none.
unsafe fn call_trunc(o: *mut PyObject) -> Result<*mut PyObject, ()> {
    // SAFETY: live objects.
    unsafe {
        let name = crate::objects::unicodeobject::intern("__trunc__");
        if name.is_null() {
            return Ok(null_mut());
        }
        let tp = ty(o);
        let f = crate::objects::typeobject::lookup(tp, name);
        if f.is_null() {
            return if occurred().is_null() {
                Err(())
            } else {
                Ok(null_mut())
            };
        }
        let get = (*ty(f)).tp_descr_get;
        let bound = match get {
            Some(get) => get(f, o, tp as *mut PyObject),
            None => new_ref(f),
        };
        if bound.is_null() {
            return Ok(null_mut());
        }
        let r = crate::objects::call::vectorcall(bound, core::ptr::null(), 0, null_mut());
        decref(bound);
        Ok(r)
    }
}

unsafe fn long_of(o: *mut PyObject) -> *mut PyObject {
    // SAFETY: a live object.
    unsafe {
        if ty(o) == &raw mut crate::objects::longobject::PyLong_Type {
            return new_ref(o);
        }
        let nb = (*ty(o)).tp_as_number;
        if !nb.is_null()
            && let Some(f) = (*nb).nb_int
        {
            let r = f(o);
            if r.is_null() || ty(r) == &raw mut crate::objects::longobject::PyLong_Type {
                return r;
            }
            if !is_long(r) {
                set_format(
                    crate::exc!(TypeError),
                    format_args!("__int__ returned non-int (type {:.200})", tp_name_of(r)),
                );
                decref(r);
                return null_mut();
            }
            if !warn_subclass("__int__", r) {
                decref(r);
                return null_mut();
            }
            return exact(r);
        }
        if !nb.is_null() && (*nb).nb_index.is_some() {
            return index(o);
        }
        if let Ok(r) = call_trunc(o) {
            if r.is_null() || ty(r) == &raw mut crate::objects::longobject::PyLong_Type {
                return r;
            }
            if is_long(r) {
                return exact(r);
            }
            if !index_check(r) {
                set_format(
                    crate::exc!(TypeError),
                    format_args!(
                        "__trunc__ returned non-Integral (type {:.200})",
                        tp_name_of(r)
                    ),
                );
                decref(r);
                return null_mut();
            }
            let i = index(r);
            decref(r);
            return i;
        }
        if crate::objects::unicodeobject::is_str(o) {
            let args = crate::objects::tupleobject::tuple_from(&[o]);
            if args.is_null() {
                return args;
            }
            let r = crate::objects::longobject::long_new(
                &raw mut crate::objects::longobject::PyLong_Type,
                args,
                null_mut(),
            );
            decref(args);
            return r;
        }
        set_format(
            crate::exc!(TypeError),
            format_args!(
                "int() argument must be a string, a bytes-like object or a real number, not '{:.200}'",
                tp_name_of(o)
            ),
        );
        null_mut()
    }
}

/// `int(o)`: `__int__`, else `__index__`, else `__trunc__`, else a str parsed in base 10.
///
/// Return value: New reference to an exact int, or NULL with an exception set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyNumber_Long(o: *mut PyObject) -> *mut PyObject {
    if o.is_null() {
        // SAFETY: setting the error indicator.
        return unsafe { null_error() };
    }
    // SAFETY: a live object.
    guard("PyNumber_Long", null_mut(), || unsafe { long_of(o) })
}
