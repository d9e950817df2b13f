//! `Python/structmember.c` and `Include/structmember.h`: reading and writing the C fields a
//! type's `PyMemberDef` table describes (`PyMember_GetOne`, `PyMember_SetOne`) and the member
//! type codes.

use crate::capi::ffi::{new_ref, ty};
use crate::objects::descrobject::PyMemberDef;
use crate::objects::object::*;
use crate::objects::object_ops::none;
use crate::objects::typeobject::full_name;
use crate::python::errors::set_string;
use core::ffi::{CStr, c_char, c_int};
use core::ptr::null_mut;

/// Member types (`structmember.h`).
pub const T_SHORT: c_int = 0;
pub const T_INT: c_int = 1;
pub const T_LONG: c_int = 2;
pub const T_FLOAT: c_int = 3;
pub const T_DOUBLE: c_int = 4;
pub const T_STRING: c_int = 5;
pub const T_OBJECT: c_int = 6;
pub const T_CHAR: c_int = 7;
pub const T_BYTE: c_int = 8;
pub const T_UBYTE: c_int = 9;
pub const T_USHORT: c_int = 10;
pub const T_UINT: c_int = 11;
pub const T_ULONG: c_int = 12;
pub const T_STRING_INPLACE: c_int = 13;
pub const T_BOOL: c_int = 14;
pub const T_OBJECT_EX: c_int = 16;
pub const T_LONGLONG: c_int = 17;
pub const T_ULONGLONG: c_int = 18;
pub const T_PYSSIZET: c_int = 19;
pub const T_NONE: c_int = 20;
/// Member flags.
pub const READONLY: c_int = 1;
pub const READ_RESTRICTED: c_int = 2;
pub const PY_AUDIT_READ: c_int = 2;
pub const PY_WRITE_RESTRICTED: c_int = 4;
pub const RESTRICTED: c_int = READ_RESTRICTED | PY_WRITE_RESTRICTED;

/// Reads member `m` of the object at `obj_addr`.
///
/// Return value: New reference, or NULL with an exception set (`AttributeError` for an unset
/// `T_OBJECT_EX`; `SystemError` for an unknown or unsupported member type).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyMember_GetOne(
    obj_addr: *const c_char,
    m: *mut PyMemberDef,
) -> *mut PyObject {
    crate::capi::boundary::check_null!(obj_addr, null_mut());
    crate::capi::boundary::check_null!(m, null_mut());
    crate::capi::boundary::guard("PyMember_GetOne", null_mut(), || {
        // SAFETY: `obj_addr + offset` is a field of the member's C type by the table's contract.
        unsafe {
            let p = obj_addr.offset((*m).offset);
            let l = |v: i128| crate::objects::longobject::from_i128(v);
            match (*m).r#type {
                T_BOOL => new_ref(crate::objects::boolobject::from_bool(
                    *(p as *const c_char) != 0,
                )),
                T_BYTE => l(*p.cast::<i8>() as i128),
                T_UBYTE => l(*(p as *const u8) as i128),
                T_SHORT => l(*(p as *const i16) as i128),
                T_USHORT => l(*(p as *const u16) as i128),
                T_INT => l(*(p as *const i32) as i128),
                T_UINT => l(*(p as *const u32) as i128),
                T_LONG | T_LONGLONG | T_PYSSIZET => l(*(p as *const i64) as i128),
                T_ULONG | T_ULONGLONG => l(*(p as *const u64) as i128),
                T_STRING => {
                    let s = *(p as *const *const c_char);
                    if s.is_null() {
                        new_ref(none())
                    } else {
                        crate::objects::unicodeobject::PyUnicode_FromString(s)
                    }
                }
                T_STRING_INPLACE => crate::objects::unicodeobject::PyUnicode_FromString(p),
                T_CHAR => crate::objects::unicodeobject::PyUnicode_FromStringAndSize(p, 1),
                T_OBJECT => {
                    let o = *(p as *const *mut PyObject);
                    new_ref(if o.is_null() { none() } else { o })
                }
                T_OBJECT_EX => {
                    let o = *(p as *const *mut PyObject);
                    if o.is_null() && (*m).name.is_null() {
                        // The table's terminator passed by mistake (CPython would crash).
                        crate::python::errors::bad_internal_call();
                        null_mut()
                    } else if o.is_null() {
                        let owner = obj_addr as *mut PyObject;
                        let name = member_name(m);
                        crate::python::errors::set_format(
                            crate::exc!(AttributeError),
                            format_args!(
                                "'{}' object has no attribute '{name}'",
                                full_name(ty(owner))
                            ),
                        );
                        null_mut()
                    } else {
                        new_ref(o)
                    }
                }
                T_NONE => new_ref(none()),
                _ => {
                    set_string(crate::exc!(SystemError), "bad memberdescr type");
                    null_mut()
                }
            }
        }
    })
}

/// A member's name for messages ("(null)" when the table has none, where CPython would
/// crash).
unsafe fn member_name(m: *mut PyMemberDef) -> String {
    // SAFETY: a member definition; its name is NUL-terminated or NULL.
    unsafe {
        if (*m).name.is_null() {
            "(null)".to_owned()
        } else {
            CStr::from_ptr((*m).name).to_string_lossy().into_owned()
        }
    }
}

/// The integer members of `PyMember_SetOne`, as CPython 3.10 writes them: the value converted
/// with `PyLong_AsLong` and friends (their errors as they are), then truncated to the field,
/// with a `RuntimeWarning` ("Truncation of value to int", "Writing negative value into
/// unsigned field") where it does not fit.
unsafe fn set_integer(p: *mut c_char, code: c_int, v: *mut PyObject) -> c_int {
    use crate::objects::longobject::{
        PyLong_AsLong, PyLong_AsLongLong, PyLong_AsSsize_t, PyLong_AsUnsignedLong,
    };
    // SAFETY: `p` points at a field of the member's type; `v` is a live object.
    unsafe {
        let warn = |msg: &core::ffi::CStr| -> bool {
            crate::python::warnings::PyErr_WarnEx(crate::exc!(RuntimeWarning), msg.as_ptr(), 1) >= 0
        };
        let failed = || !crate::python::errors::occurred().is_null();
        match code {
            T_BYTE | T_UBYTE | T_SHORT | T_USHORT | T_INT | T_LONG => {
                let x = PyLong_AsLong(v);
                if x == -1 && failed() {
                    return -1;
                }
                let (fits, what) = match code {
                    T_BYTE => (i8::try_from(x).is_ok(), c"Truncation of value to char"),
                    T_UBYTE => (
                        u8::try_from(x).is_ok(),
                        c"Truncation of value to unsigned char",
                    ),
                    T_SHORT => (i16::try_from(x).is_ok(), c"Truncation of value to short"),
                    T_USHORT => (
                        u16::try_from(x).is_ok(),
                        c"Truncation of value to unsigned short",
                    ),
                    T_INT => (i32::try_from(x).is_ok(), c"Truncation of value to int"),
                    _ => (true, c""),
                };
                match code {
                    T_BYTE | T_UBYTE => *(p as *mut u8) = x as u8,
                    T_SHORT | T_USHORT => *(p as *mut u16) = x as u16,
                    T_INT => *(p as *mut u32) = x as u32,
                    _ => *(p as *mut i64) = x,
                }
                if !fits && !warn(what) {
                    return -1;
                }
                0
            }
            T_UINT | T_ULONG | T_ULONGLONG => {
                let mut x = PyLong_AsUnsignedLong(v);
                if x == u64::MAX && failed() {
                    if code == T_ULONGLONG {
                        return -1;
                    }
                    // Negative values are accepted too (CPython's compatibility rule).
                    crate::python::errors::restore(null_mut(), null_mut(), null_mut());
                    let s = PyLong_AsLong(v);
                    if s == -1 && failed() {
                        return -1;
                    }
                    x = s as u64;
                    if !warn(c"Writing negative value into unsigned field") {
                        store_unsigned(p, code, x);
                        return -1;
                    }
                }
                store_unsigned(p, code, x);
                if code == T_UINT
                    && x > u32::MAX as u64
                    && !warn(c"Truncation of value to unsigned int")
                {
                    return -1;
                }
                0
            }
            T_LONGLONG => {
                let x = PyLong_AsLongLong(v);
                if x == -1 && failed() {
                    return -1;
                }
                *(p as *mut i64) = x;
                0
            }
            _ => {
                let x = PyLong_AsSsize_t(v);
                if x == -1 && failed() {
                    return -1;
                }
                *(p as *mut Py_ssize_t) = x;
                0
            }
        }
    }
}

unsafe fn store_unsigned(p: *mut c_char, code: c_int, x: u64) {
    // SAFETY: `p` points at a field of the member's type.
    unsafe {
        if code == T_UINT {
            *(p as *mut u32) = x as u32;
        } else {
            *(p as *mut u64) = x;
        }
    }
}

/// Writes `v` (not stolen; NULL deletes) into member `m` of the object at `addr`.
/// Returns 0, or -1 with an exception set (`AttributeError("readonly attribute")`, `TypeError`
/// for a value of the wrong type, `OverflowError`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyMember_SetOne(
    addr: *mut c_char,
    m: *mut PyMemberDef,
    v: *mut PyObject,
) -> c_int {
    crate::capi::boundary::check_null!(addr, -1);
    crate::capi::boundary::check_null!(m, -1);
    crate::capi::boundary::guard("PyMember_SetOne", -1, || {
        // SAFETY: as PyMember_GetOne.
        unsafe {
            if (*m).flags & READONLY != 0 {
                set_string(crate::exc!(AttributeError), "readonly attribute");
                return -1;
            }
            let p = addr.offset((*m).offset);
            let code = (*m).r#type;
            if v.is_null() {
                return match code {
                    T_OBJECT => {
                        crate::capi::ffi::clear(p as *mut *mut PyObject);
                        0
                    }
                    T_OBJECT_EX => {
                        if (*(p as *mut *mut PyObject)).is_null() && (*m).name.is_null() {
                            crate::python::errors::bad_internal_call();
                            return -1;
                        }
                        if (*(p as *mut *mut PyObject)).is_null() {
                            set_string(crate::exc!(AttributeError), &member_name(m));
                            return -1;
                        }
                        crate::capi::ffi::clear(p as *mut *mut PyObject);
                        0
                    }
                    _ => {
                        set_string(
                            crate::exc!(TypeError),
                            "can't delete numeric/char attribute",
                        );
                        -1
                    }
                };
            }
            match code {
                T_OBJECT | T_OBJECT_EX => {
                    crate::capi::ffi::xsetref(p as *mut *mut PyObject, new_ref(v));
                    0
                }
                T_BOOL => {
                    if !crate::capi::ffi::is_type(
                        v,
                        &raw mut crate::objects::boolobject::PyBool_Type,
                    ) {
                        set_string(crate::exc!(TypeError), "attribute value type must be bool");
                        return -1;
                    }
                    *(p as *mut c_char) = (v == crate::objects::boolobject::true_()) as c_char;
                    0
                }
                T_BYTE | T_UBYTE | T_SHORT | T_USHORT | T_INT | T_UINT | T_LONG | T_ULONG
                | T_LONGLONG | T_ULONGLONG | T_PYSSIZET => set_integer(p, code, v),
                T_CHAR => {
                    // One character, as CPython 3.10 requires (else "bad argument type").
                    let mut n: Py_ssize_t = 0;
                    let text = if crate::objects::unicodeobject::is_str(v) {
                        crate::objects::unicodeobject::PyUnicode_AsUTF8AndSize(v, &mut n)
                    } else {
                        null_mut()
                    };
                    if text.is_null() || n != 1 {
                        crate::python::errors::restore(null_mut(), null_mut(), null_mut());
                        set_string(
                            crate::exc!(TypeError),
                            "bad argument type for built-in operation",
                        );
                        return -1;
                    }
                    *p = *text;
                    0
                }
                T_STRING | T_STRING_INPLACE => {
                    set_string(crate::exc!(TypeError), "readonly attribute");
                    -1
                }
                _ => {
                    crate::python::errors::set_format(
                        crate::exc!(SystemError),
                        format_args!("bad memberdescr type for {}", member_name(m)),
                    );
                    -1
                }
            }
        }
    })
}
