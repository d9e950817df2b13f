//! `Include/unicodeobject.h`: `str`, stored in PEP 393 compact form with CPython 3.10's
//! `PyASCIIObject` / `PyCompactUnicodeObject` layouts, so 3.10's `PyUnicode_*` macros read
//! pycoro strings correctly. Every pycoro string is compact and ready; non-ASCII strings also
//! carry their UTF-8 form (`utf8`), so `PyUnicode_AsUTF8` never allocates.

use crate::capi::boundary::{check_null, guard};
use crate::capi::fallible::{NoMemory, Small, Text};
use crate::capi::ffi::{decref, new_ref, ty, type_has};
use crate::objects::object::*;
use crate::objects::typeobject::{static_type, tp_name_of};
use crate::python::errors::{set_format, set_string};
use core::ffi::{CStr, c_char, c_int, c_void};
use core::mem::{offset_of, size_of};
use core::ptr::null_mut;
use static_assertions::const_assert_eq;
use std::sync::Mutex;

/// Header of every string (compact ASCII strings: the characters follow it, NUL-terminated).
///
/// `state` is CPython's bit field: bits 0-1 `interned`, 2-4 `kind`, 5 `compact`, 6 `ascii`,
/// 7 `ready`.
#[repr(C)]
pub struct PyASCIIObject {
    pub ob_base: PyObject,
    pub length: Py_ssize_t,
    pub hash: Py_hash_t,
    pub state: u32,
    pub wstr: *mut u32,
}

/// Header of compact non-ASCII strings (the characters follow it).
#[repr(C)]
pub struct PyCompactUnicodeObject {
    pub _base: PyASCIIObject,
    pub utf8_length: Py_ssize_t,
    pub utf8: *mut c_char,
    pub wstr_length: Py_ssize_t,
}

/// Legacy (non-compact) strings; pycoro never creates them, the layout is for C code.
#[repr(C)]
pub struct PyUnicodeObject {
    pub _base: PyCompactUnicodeObject,
    pub data: *mut c_void,
}

const_assert_eq!(size_of::<PyASCIIObject>(), 48);
const_assert_eq!(offset_of!(PyASCIIObject, state), 32);
const_assert_eq!(offset_of!(PyASCIIObject, wstr), 40);
const_assert_eq!(size_of::<PyCompactUnicodeObject>(), 72);
const_assert_eq!(offset_of!(PyCompactUnicodeObject, utf8), 56);
const_assert_eq!(size_of::<PyUnicodeObject>(), 80);

/// `PyUnicode_1BYTE_KIND` and friends.
pub const PyUnicode_1BYTE_KIND: c_int = 1;
pub const PyUnicode_2BYTE_KIND: c_int = 2;
pub const PyUnicode_4BYTE_KIND: c_int = 4;
/// `SSTATE_*`: the `interned` bits of `state`.
pub const SSTATE_NOT_INTERNED: c_int = 0;
pub const SSTATE_INTERNED_MORTAL: c_int = 1;
pub const SSTATE_INTERNED_IMMORTAL: c_int = 2;

const STATE_COMPACT: u32 = 1 << 5;
const STATE_ASCII: u32 = 1 << 6;
const STATE_READY: u32 = 1 << 7;

/// The type `str`.
#[unsafe(no_mangle)]
pub static mut PyUnicode_Type: PyTypeObject = PyTypeObject {
    tp_getattro: Some(crate::objects::object_ops::PyObject_GenericGetAttr),
    tp_dealloc: Some(str_dealloc),
    tp_repr: Some(str_repr),
    tp_str: Some(str_str),
    tp_hash: Some(str_hash),
    tp_richcompare: Some(crate::objects::unicode_ops::PyUnicode_RichCompare),
    tp_iter: Some(crate::objects::unicode_ops::str_iter),
    tp_as_number: &raw mut STR_AS_NUMBER,
    tp_as_sequence: &raw mut STR_AS_SEQUENCE,
    tp_as_mapping: &raw mut STR_AS_MAPPING,
    tp_methods: (&raw mut crate::objects::unicode_methods::STR_METHODS)
        as *mut crate::objects::methodobject::PyMethodDef,
    tp_doc: c"str(object='') -> str\nstr(bytes_or_buffer[, encoding[, errors]]) -> str\n\nCreate a new string object from the given object. If encoding or\nerrors is specified, then the object must expose a data buffer\nthat will be decoded using the given encoding and error handler.\nOtherwise, returns the result of object.__str__() (if defined)\nor repr(object).\nencoding defaults to sys.getdefaultencoding().\nerrors defaults to 'strict'.".as_ptr(),
    tp_new: Some(unicode_new),
    ..static_type(
        c"str",
        80,
        Py_TPFLAGS_BASETYPE | Py_TPFLAGS_UNICODE_SUBCLASS | _Py_TPFLAGS_MATCH_SELF,
    )
};

static mut STR_AS_NUMBER: PyNumberMethods = PyNumberMethods {
    nb_remainder: Some(crate::objects::unicode_pformat::str_mod),
    ..crate::objects::longobject::EMPTY_NUMBER_METHODS
};

static mut STR_AS_SEQUENCE: PySequenceMethods = PySequenceMethods {
    sq_length: Some(str_len),
    sq_concat: Some(crate::objects::unicode_ops::PyUnicode_Concat),
    sq_repeat: Some(crate::objects::unicode_ops::str_repeat),
    sq_item: Some(crate::objects::unicode_ops::str_item),
    sq_contains: Some(crate::objects::unicode_ops::PyUnicode_Contains),
    ..crate::objects::longobject::EMPTY_SEQUENCE_METHODS
};

static mut STR_AS_MAPPING: PyMappingMethods = PyMappingMethods {
    mp_length: Some(str_len),
    mp_subscript: Some(crate::objects::unicode_ops::str_subscript),
    mp_ass_subscript: None,
};

/// `PyUnicode_Check`.
#[inline]
pub(crate) unsafe fn is_str(op: *mut PyObject) -> bool {
    // SAFETY: live object.
    unsafe { type_has(op, Py_TPFLAGS_UNICODE_SUBCLASS) }
}

/// `PyUnicode_CheckExact`.
#[inline]
pub(crate) unsafe fn is_str_exact(op: *mut PyObject) -> bool {
    // SAFETY: live object.
    unsafe { ty(op) == &raw mut PyUnicode_Type }
}

/// The string's UTF-8 form, if `op` is a pycoro str.
pub(crate) unsafe fn str_as<'a>(op: *mut PyObject) -> Option<&'a str> {
    // SAFETY: pycoro strings are compact and carry valid UTF-8 (ASCII data or `utf8`).
    unsafe {
        if op.is_null() || !is_str(op) {
            return None;
        }
        let a = op as *mut PyASCIIObject;
        let (p, n) = if (*a).state & STATE_ASCII != 0 {
            ((a.add(1)) as *const u8, (*a).length as usize)
        } else {
            let c = op as *mut PyCompactUnicodeObject;
            if (*c).utf8.is_null() {
                return None;
            }
            ((*c).utf8 as *const u8, (*c).utf8_length as usize)
        };
        Some(core::str::from_utf8_unchecked(core::slice::from_raw_parts(
            p, n,
        )))
    }
}

/// Pointer to the NUL-terminated UTF-8 form of a pycoro str.
pub(crate) unsafe fn c_str_of(op: *mut PyObject) -> Option<*const c_char> {
    // SAFETY: `str_as` guarantees a pycoro str, whose UTF-8 form is NUL-terminated.
    unsafe { str_as(op).map(|s| s.as_ptr() as *const c_char) }
}

/// A C string as Rust text, replacing invalid UTF-8; NULL gives "(null)". Fails only when a
/// repaired copy cannot be allocated.
pub(crate) unsafe fn lossy<'a>(
    p: *const c_char,
) -> Result<crate::capi::fallible::Lossy<'a>, crate::capi::fallible::NoMemory> {
    if p.is_null() {
        return Ok(crate::capi::fallible::Lossy::Borrowed("(null)"));
    }
    // SAFETY: NUL-terminated by the caller's contract.
    crate::capi::fallible::lossy(unsafe { CStr::from_ptr(p) }.to_bytes())
}

/// Creates a str from Rust text. Return value: New reference, or NULL with `MemoryError` set.
pub(crate) unsafe fn str_from(s: &str) -> *mut PyObject {
    // ASCII text (the common case) needs no decoding to count or measure it.
    let (nchars, maxchar) = if s.is_ascii() {
        (s.len(), 0)
    } else {
        (
            s.chars().count(),
            s.chars().map(|c| c as u32).max().unwrap_or(0),
        )
    };
    let tp = &raw mut PyUnicode_Type;
    // SAFETY: sizes computed below cover every byte written.
    unsafe {
        if maxchar < 0x80 {
            let op = crate::modules::gcmodule::alloc_object(
                tp,
                size_of::<PyASCIIObject>() + s.len() + 1,
            );
            if op.is_null() {
                return op;
            }
            let a = op as *mut PyASCIIObject;
            (*a).length = nchars as Py_ssize_t;
            (*a).hash = -1;
            (*a).state = (1 << 2) | STATE_COMPACT | STATE_ASCII | STATE_READY;
            core::ptr::copy_nonoverlapping(s.as_ptr(), a.add(1) as *mut u8, s.len());
            return op;
        }
        let kind: usize = if maxchar < 0x100 {
            1
        } else if maxchar < 0x10000 {
            2
        } else {
            4
        };
        let data_bytes = (nchars + 1) * kind;
        let size = size_of::<PyCompactUnicodeObject>() + data_bytes + s.len() + 1;
        let op = crate::modules::gcmodule::alloc_object(tp, size);
        if op.is_null() {
            return op;
        }
        let c = op as *mut PyCompactUnicodeObject;
        (*c)._base.length = nchars as Py_ssize_t;
        (*c)._base.hash = -1;
        (*c)._base.state = ((kind as u32) << 2) | STATE_COMPACT | STATE_READY;
        let data = c.add(1) as *mut u8;
        for (i, ch) in s.chars().enumerate() {
            let v = ch as u32;
            match kind {
                1 => *data.add(i) = v as u8,
                2 => *(data as *mut u16).add(i) = v as u16,
                _ => *(data as *mut u32).add(i) = v,
            }
        }
        let utf8 = data.add(data_bytes);
        core::ptr::copy_nonoverlapping(s.as_ptr(), utf8, s.len());
        (*c).utf8 = utf8 as *mut c_char;
        (*c).utf8_length = s.len() as Py_ssize_t;
        op
    }
}

/// Creates a str from formatted text (`format_args!`). Return value: New reference, or NULL
/// with `MemoryError` set.
pub(crate) unsafe fn str_format(args: core::fmt::Arguments<'_>) -> *mut PyObject {
    match crate::capi::fallible::format(args) {
        // SAFETY: creating a str.
        Ok(t) => unsafe { str_from(t.as_str()) },
        // SAFETY: setting the error indicator.
        Err(_) => unsafe { crate::python::errors::no_memory() },
    }
}

unsafe extern "C" fn str_dealloc(op: *mut PyObject) {
    // SAFETY: a dying pycoro str; its storage is one block.
    unsafe { crate::modules::gcmodule::free_object(op) }
}

unsafe extern "C" fn str_len(op: *mut PyObject) -> Py_ssize_t {
    // SAFETY: a str.
    unsafe { (*(op as *mut PyASCIIObject)).length }
}

/// The string's canonical representation: `length` code units of `kind` bytes each.
pub(crate) unsafe fn canonical_bytes<'a>(op: *mut PyObject) -> &'a [u8] {
    // SAFETY: a compact pycoro str: the characters follow the header.
    unsafe {
        let a = op as *mut PyASCIIObject;
        let kind = (((*a).state >> 2) & 7) as usize;
        let data = if (*a).state & STATE_ASCII != 0 {
            a.add(1) as *const u8
        } else {
            (op as *mut PyCompactUnicodeObject).add(1) as *const u8
        };
        core::slice::from_raw_parts(data, (*a).length as usize * kind)
    }
}

/// `hash()` of a str: CPython's `_Py_HashBytes` over its canonical representation (so
/// non-ASCII strings hash as in CPython), computed on first use and cached in `hash` (-1 until
/// then). Interned strings are shared between threads: the cache is written atomically (every
/// thread computes the same value).
pub(crate) unsafe extern "C" fn str_hash(op: *mut PyObject) -> Py_hash_t {
    // SAFETY: a str; `hash` is an aligned Py_hash_t field.
    unsafe {
        let slot =
            core::sync::atomic::AtomicIsize::from_ptr(&raw mut (*(op as *mut PyASCIIObject)).hash);
        let h = slot.load(core::sync::atomic::Ordering::Relaxed);
        if h != -1 {
            return h;
        }
        let h = crate::python::pyhash::hash_bytes(canonical_bytes(op));
        slot.store(h, core::sync::atomic::Ordering::Relaxed);
        h
    }
}

unsafe extern "C" fn str_str(op: *mut PyObject) -> *mut PyObject {
    // SAFETY: a str.
    unsafe { new_ref(op) }
}

/// Whether Python's `str.isprintable()` is false for `c` (CPython 3.10's Unicode database).
fn non_printable(c: char) -> bool {
    !crate::objects::unicode_methods::is_printable(c)
}

fn escape_into(out: &mut Text, c: char) -> Result<(), NoMemory> {
    let v = c as u32;
    if v < 0x100 {
        out.push_fmt(format_args!("\\x{v:02x}"))
    } else if v < 0x10000 {
        out.push_fmt(format_args!("\\u{v:04x}"))
    } else {
        out.push_fmt(format_args!("\\U{v:08x}"))
    }
}

/// Python's `repr()` of a str.
pub(crate) fn repr_text(s: &str) -> Result<Text, NoMemory> {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = Text::new();
    out.reserve(s.len().saturating_add(2))?;
    out.push(quote)?;
    // Runs of characters shown as they are are copied whole.
    let mut run = 0;
    for (i, c) in s.char_indices() {
        let special = match c {
            '\\' => true,
            c if c == quote => true,
            ' '..='~' => false,
            c => non_printable(c),
        };
        if !special {
            continue;
        }
        out.push_str(&s[run..i])?;
        run = i + c.len_utf8();
        match c {
            '\\' => out.push_str("\\\\")?,
            '\t' => out.push_str("\\t")?,
            '\n' => out.push_str("\\n")?,
            '\r' => out.push_str("\\r")?,
            c if c == quote => {
                out.push('\\')?;
                out.push(c)?;
            }
            c => escape_into(&mut out, c)?,
        }
    }
    out.push_str(&s[run..])?;
    out.push(quote)?;
    Ok(out)
}

/// `ascii()`'s escaping of an already built repr: every non-ASCII character escaped.
pub(crate) fn ascii_escape(s: &str) -> Result<Text, NoMemory> {
    let mut out = Text::new();
    out.reserve(s.len())?;
    for c in s.chars() {
        if c.is_ascii() {
            out.push(c)?;
        } else {
            escape_into(&mut out, c)?;
        }
    }
    Ok(out)
}

/// A str made from fallibly built text: New reference, or NULL with `MemoryError` set.
pub(crate) unsafe fn str_from_text(t: Result<Text, NoMemory>) -> *mut PyObject {
    match t {
        // SAFETY: creating a str.
        Ok(t) => unsafe { str_from(t.as_str()) },
        // SAFETY: setting the error indicator.
        Err(NoMemory) => unsafe { crate::python::errors::no_memory() },
    }
}

unsafe extern "C" fn str_repr(op: *mut PyObject) -> *mut PyObject {
    // SAFETY: a str.
    unsafe { str_from_text(repr_text(str_as(op).unwrap_or(""))) }
}

/// Decodes UTF-8 strictly, raising `UnicodeDecodeError` with CPython's message.
pub(crate) unsafe fn decode_utf8(bytes: &[u8]) -> *mut PyObject {
    match core::str::from_utf8(bytes) {
        // SAFETY: creating a str.
        Ok(s) => unsafe { str_from(s) },
        Err(e) => {
            let pos = e.valid_up_to();
            let byte = bytes[pos];
            let reason = match e.error_len() {
                None => "unexpected end of data",
                Some(_) if matches!(byte, 0x80..=0xc1 | 0xf5..=0xff) => "invalid start byte",
                Some(_) => "invalid continuation byte",
            };
            // The bad sequence: the maximal invalid prefix (as CPython), or the truncated tail.
            let len = e.error_len().unwrap_or(bytes.len() - pos);
            // A fixed text and three numbers: it fits on the stack.
            let msg = if len == 1 {
                Small::<128>::format(format_args!(
                    "'utf-8' codec can't decode byte 0x{byte:02x} in position {pos}: {reason}"
                ))
            } else {
                Small::<128>::format(format_args!(
                    "'utf-8' codec can't decode bytes in position {pos}-{}: {reason}",
                    pos + len - 1
                ))
            };
            // SAFETY: setting the error indicator.
            unsafe { raise_decode_error(msg.as_str()) };
            null_mut()
        }
    }
}

/// Raises `UnicodeDecodeError` as CPython's codecs do: with an instance, not a bare message.
/// pycoro has no bytes type, so the instance's args are just `(message,)`.
unsafe fn raise_decode_error(msg: &str) {
    // SAFETY: the temporaries are released; failures leave their own exception set.
    unsafe {
        let s = str_from(msg);
        if s.is_null() {
            return;
        }
        let tp = crate::exc!(UnicodeDecodeError);
        let inst = crate::objects::exceptions::create_exception(tp, s);
        decref(s);
        if inst.is_null() {
            return;
        }
        crate::python::errors::set_object(tp, inst);
        decref(inst);
    }
}

/// Creates a str from a NUL-terminated UTF-8 C string.
///
/// Return value: New reference, or NULL with an exception set (`UnicodeDecodeError` for
/// invalid UTF-8; `SystemError` for NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyUnicode_FromString(u: *const c_char) -> *mut PyObject {
    check_null!(u, null_mut());
    // SAFETY: NUL-terminated by contract.
    guard("PyUnicode_FromString", null_mut(), || unsafe {
        decode_utf8(CStr::from_ptr(u).to_bytes())
    })
}

/// Creates a str from `size` bytes of UTF-8 at `u` (which may contain NULs). `u` may be NULL
/// only when `size` is 0.
///
/// Return value: New reference, or NULL with an exception set (`SystemError` for a negative
/// size, `UnicodeDecodeError` for invalid UTF-8).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyUnicode_FromStringAndSize(
    u: *const c_char,
    size: Py_ssize_t,
) -> *mut PyObject {
    guard("PyUnicode_FromStringAndSize", null_mut(), || {
        // SAFETY: `size` bytes readable at `u` by contract.
        unsafe {
            if size < 0 {
                set_string(
                    crate::exc!(SystemError),
                    "Negative size passed to PyUnicode_FromStringAndSize",
                );
                return null_mut();
            }
            if u.is_null() {
                if size > 0 {
                    set_string(
                        crate::exc!(SystemError),
                        "NULL string with positive size with NULL passed to PyUnicode_FromStringAndSize",
                    );
                    return null_mut();
                }
                return str_from("");
            }
            decode_utf8(core::slice::from_raw_parts(u as *const u8, size as usize))
        }
    })
}

/// Returns the UTF-8 form of `unicode` and stores its length in bytes in `*size` (if `size` is
/// not NULL). The buffer belongs to the string and lives as long as it does.
///
/// Return value: a pointer into `unicode`, or NULL with `TypeError` set if it is not a str.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyUnicode_AsUTF8AndSize(
    unicode: *mut PyObject,
    size: *mut Py_ssize_t,
) -> *const c_char {
    check_null!(unicode, core::ptr::null());
    guard("PyUnicode_AsUTF8AndSize", core::ptr::null(), || {
        // SAFETY: live object; `size` NULL or writable.
        unsafe {
            match str_as(unicode) {
                Some(s) => {
                    if !size.is_null() {
                        *size = s.len() as Py_ssize_t;
                    }
                    s.as_ptr() as *const c_char
                }
                None => {
                    crate::python::errors::PyErr_BadArgument();
                    core::ptr::null()
                }
            }
        }
    })
}

/// Returns the NUL-terminated UTF-8 form of `unicode` (owned by the string).
///
/// Return value: a pointer into `unicode`, or NULL with `TypeError` set if it is not a str.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyUnicode_AsUTF8(unicode: *mut PyObject) -> *const c_char {
    // SAFETY: same contract.
    unsafe { PyUnicode_AsUTF8AndSize(unicode, null_mut()) }
}

/// Returns the length of `unicode` in code points, or -1 with `TypeError` set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyUnicode_GetLength(unicode: *mut PyObject) -> Py_ssize_t {
    check_null!(unicode, -1);
    guard("PyUnicode_GetLength", -1, || {
        // SAFETY: live object.
        unsafe {
            if !is_str(unicode) {
                crate::python::errors::PyErr_BadArgument();
                return -1;
            }
            (*(unicode as *mut PyASCIIObject)).length
        }
    })
}

/// Compares two strs: -1, 0 or 1. If either is not a str, raises `TypeError("Can't compare X
/// and Y")` and returns -1 (check `PyErr_Occurred`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyUnicode_Compare(left: *mut PyObject, right: *mut PyObject) -> c_int {
    check_null!(left, -1);
    check_null!(right, -1);
    guard("PyUnicode_Compare", -1, || {
        // SAFETY: live objects.
        unsafe {
            match (str_as(left), str_as(right)) {
                (Some(a), Some(b)) => a.as_bytes().cmp(b.as_bytes()) as c_int,
                _ => {
                    set_format(
                        crate::exc!(TypeError),
                        format_args!(
                            "Can't compare {} and {}",
                            tp_name_of(left),
                            tp_name_of(right)
                        ),
                    );
                    -1
                }
            }
        }
    })
}

/// Compares a str with a NUL-terminated ASCII C string: -1, 0 or 1. Never raises.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyUnicode_CompareWithASCIIString(
    unicode: *mut PyObject,
    string: *const c_char,
) -> c_int {
    if unicode.is_null() || string.is_null() {
        return -1;
    }
    guard("PyUnicode_CompareWithASCIIString", -1, || {
        // SAFETY: live str and C string by contract.
        unsafe {
            let a = str_as(unicode).unwrap_or("");
            a.as_bytes().cmp(CStr::from_ptr(string).to_bytes()) as c_int
        }
    })
}

/// The interned-string table's hash of a text (FNV-1a over its UTF-8 bytes; unrelated to the
/// str's own `hash()`, which is CPython's SipHash).
fn str_hash_of(s: &str) -> Py_hash_t {
    crate::capi::fallible::fnv(crate::capi::fallible::FNV_START, s.as_bytes()) as Py_hash_t
}

/// Interned strings: one immortal str per distinct text, shared by all threads. The table
/// holds the strs themselves (keyed by their text and hash), each by its start address, so a
/// valgrind run sees them as reachable.
static INTERNED: Mutex<crate::capi::fallible::Table<usize>> =
    Mutex::new(crate::capi::fallible::Table::new());

/// The interned str for `s`, created on first use. Return value: an immortal object, or NULL
/// with `MemoryError` set.
pub(crate) unsafe fn intern(s: &str) -> *mut PyObject {
    let mut table = INTERNED.lock().unwrap_or_else(|e| e.into_inner());
    let hash = str_hash_of(s) as u64;
    // SAFETY: the table holds live (immortal) strs.
    if let Some(&p) = table.find(hash, |&p| unsafe { str_as(p as *mut PyObject) } == Some(s)) {
        return p as *mut PyObject;
    }
    // SAFETY: a fresh str, made immortal before it is published to other threads.
    unsafe {
        let op = str_from(s);
        if op.is_null() {
            return op;
        }
        if table.insert(hash, op as usize).is_err() {
            decref(op);
            return crate::python::errors::no_memory();
        }
        (*op).ob_refcnt = PYNATIVE_IMMORTAL_REFCNT;
        (*(op as *mut PyASCIIObject)).state |= SSTATE_INTERNED_IMMORTAL as u32;
        op
    }
}

/// The interned str equal to `s`, if one exists (nothing is interned here).
pub(crate) fn interned_if_any(s: &str) -> Option<*mut PyObject> {
    let table = INTERNED.lock().unwrap_or_else(|e| e.into_inner());
    // SAFETY: the table holds live (immortal) strs.
    table
        .find(
            str_hash_of(s) as u64,
            |&p| unsafe { str_as(p as *mut PyObject) } == Some(s),
        )
        .map(|&p| p as *mut PyObject)
}

/// Whether `op` (a str) is interned (then immortal: its address is never reused).
pub(crate) unsafe fn is_interned(op: *mut PyObject) -> bool {
    // SAFETY: a str.
    unsafe { (*(op as *mut PyASCIIObject)).state & 3 != 0 }
}

/// Returns the interned (immortal, shared) str equal to the UTF-8 C string `v`.
///
/// Return value: New reference (interned strings are immortal), or NULL with an exception set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyUnicode_InternFromString(v: *const c_char) -> *mut PyObject {
    check_null!(v, null_mut());
    guard("PyUnicode_InternFromString", null_mut(), || {
        // SAFETY: NUL-terminated by contract.
        unsafe {
            let bytes = CStr::from_ptr(v).to_bytes();
            match core::str::from_utf8(bytes) {
                Ok(s) => intern(s),
                Err(_) => decode_utf8(bytes),
            }
        }
    })
}

/// Replaces `*p` (a str, owned by the caller) by the interned equal string, releasing the old
/// reference. Does nothing if `*p` is not a str. A NULL `p` sets `SystemError`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyUnicode_InternInPlace(p: *mut *mut PyObject) {
    check_null!(p);
    guard("PyUnicode_InternInPlace", (), || {
        // SAFETY: `*p` is an owned reference or NULL.
        unsafe {
            let Some(s) = str_as(*p) else { return };
            let i = intern(s);
            if i.is_null() {
                crate::python::errors::restore(null_mut(), null_mut(), null_mut());
                return;
            }
            let old = *p;
            *p = i;
            decref(old);
        }
    })
}

/// `str(object='')` (pycoro has no bytes type: the decoding forms refuse every argument, as
/// CPython refuses a non-bytes one).
unsafe extern "C" fn unicode_new(
    tp: *mut PyTypeObject,
    args: *mut PyObject,
    kwds: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: a tuple and a dict or NULL.
    unsafe {
        let n = crate::capi::ffi::size(args);
        let mut obj = if n > 0 {
            crate::objects::tupleobject::item(args, 0)
        } else {
            core::ptr::null_mut()
        };
        let mut nargs = n;
        if !kwds.is_null() {
            let mut pos = 0;
            while let Some((k, v)) = crate::objects::dictobject::next_entry(kwds, &mut pos) {
                match str_as(k) {
                    Some("object") if n == 0 => obj = v,
                    Some("encoding") | Some("errors") => nargs = nargs.max(2),
                    Some(name) => {
                        crate::python::errors::set_format(
                            crate::exc!(TypeError),
                            format_args!("'{name}' is an invalid keyword argument for str()"),
                        );
                        return core::ptr::null_mut();
                    }
                    None => {
                        set_string(crate::exc!(TypeError), "keywords must be strings");
                        return core::ptr::null_mut();
                    }
                }
            }
        }
        if n > 3 {
            crate::python::errors::set_format(
                crate::exc!(TypeError),
                format_args!("str() takes at most 3 arguments ({n} given)"),
            );
            return core::ptr::null_mut();
        }
        let s = if nargs >= 2 {
            if !obj.is_null() && is_str(obj) {
                set_string(crate::exc!(TypeError), "decoding str is not supported");
            } else {
                crate::python::errors::set_format(
                    crate::exc!(TypeError),
                    format_args!(
                        "decoding to str: need a bytes-like object, {} found",
                        if obj.is_null() {
                            "NoneType"
                        } else {
                            crate::objects::typeobject::tp_name_of(obj)
                        }
                    ),
                );
            }
            return core::ptr::null_mut();
        } else if obj.is_null() {
            str_from("")
        } else {
            crate::objects::object_ops::PyObject_Str(obj)
        };
        if s.is_null() || tp == &raw mut PyUnicode_Type {
            return s;
        }
        set_string(
            crate::exc!(TypeError),
            "pycoro: str subclasses cannot be instantiated",
        );
        crate::capi::ffi::decref(s);
        core::ptr::null_mut()
    }
}
