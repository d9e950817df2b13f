//! `PyUnicode_FromFormat` / `PyUnicode_FromFormatV` (`Include/unicodeobject.h`) and the
//! exception setters built on them, `PyErr_Format` / `PyErr_FormatV` (`Include/pyerrors.h`).
//!
//! The conversions, their width/precision handling and their quirks follow CPython 3.10's
//! `unicode_fromformat_arg` as measured (`%05d` of -42 is "00-42"; an unknown conversion
//! copies the rest of the format verbatim and reads no further arguments).
//!
//! Deliberate differences, where CPython 3.10 crashes or builds a corrupt string:
//! a NULL `%s`, `%U` or `%V` pair, or a `%U` that is not a str, raises
//! `SystemError("bad argument to internal function")`; a non-ASCII byte in the format text that
//! an unknown conversion copies raises the same `ValueError` as one in literal text; and `%c` of
//! a surrogate (U+D800..U+DFFF) raises `ValueError`, because pycoro strings are always valid
//! Unicode text and cannot hold lone surrogates.

use crate::capi::boundary::{check_null, guard};
use crate::capi::fallible::{NoMemory, Small, Text, lossy};
use crate::capi::ffi::decref;
use crate::capi::varargs::{VaListTag, va_list, vararg_trampoline};
use crate::objects::object::PyObject;
use crate::objects::unicodeobject::{ascii_escape, str_as, str_from, str_from_text};
use crate::python::errors::{set_format, set_object, set_string};
use core::ffi::{CStr, c_char};
use core::ptr::null_mut;

/// Raised (already set) while formatting.
struct Raised;

/// `MemoryError`, set: the text could not grow.
fn no_memory(_: NoMemory) -> Raised {
    // SAFETY: setting the error indicator.
    unsafe { crate::python::errors::no_memory() };
    Raised
}

/// The formatted text, built as Rust text then turned into one str. Every growth is fallible
/// (`MemoryError` instead of aborting the process): huge widths, precisions and arguments come
/// from C.
struct Writer {
    out: Text,
}

impl Writer {
    /// Appends `n` copies of `c`.
    fn pad(&mut self, c: char, n: usize) -> Result<(), Raised> {
        self.out.push_repeat(c, n).map_err(no_memory)
    }

    fn push_str(&mut self, s: &str) -> Result<(), Raised> {
        self.out.push_str(s).map_err(no_memory)
    }

    fn push(&mut self, c: char) -> Result<(), Raised> {
        self.out.push(c).map_err(no_memory)
    }

    /// `unicode_fromformat_write_str`: at most `precision` code points of `text`, right-aligned
    /// in `width` columns with spaces.
    fn write_str(
        &mut self,
        text: &str,
        width: Option<usize>,
        precision: Option<usize>,
    ) -> Result<(), Raised> {
        // The part taken: at most `precision` code points.
        let text = match precision.and_then(|p| text.char_indices().nth(p)) {
            Some((end, _)) => &text[..end],
            None => text,
        };
        if let Some(width) = width {
            self.pad(' ', width.saturating_sub(text.chars().count()))?;
        }
        self.push_str(text)
    }

    /// `unicode_fromformat_write_cstr`: `precision` limits the BYTES taken from `s` before they
    /// are decoded (invalid UTF-8 becomes U+FFFD, CPython's "replace" handler).
    fn write_cstr(
        &mut self,
        s: &[u8],
        width: Option<usize>,
        precision: Option<usize>,
    ) -> Result<(), Raised> {
        let s = &s[..precision.map_or(s.len(), |p| p.min(s.len()))];
        let text = lossy(s).map_err(no_memory)?;
        self.write_str(text.as_str(), width, None)
    }

    /// A formatted integer (`digits` may start with '-'): zero-extended to `precision` digits,
    /// then right-aligned in `width` columns with '0' (flag `0`) or ' ' placed BEFORE the sign,
    /// exactly as CPython 3.10 does.
    fn write_number(
        &mut self,
        digits: &str,
        zeropad: bool,
        width: Option<usize>,
        precision: Option<usize>,
    ) -> Result<(), Raised> {
        let precision = precision.unwrap_or(0).max(digits.len());
        if let Some(width) = width.filter(|&w| w > precision) {
            self.pad(if zeropad { '0' } else { ' ' }, width - precision)?;
        }
        self.pad('0', precision - digits.len())?;
        self.push_str(digits)
    }
}

/// The format byte at `i`, or 0 past the end (C's terminating NUL).
fn at(format: &[u8], i: usize) -> u8 {
    format.get(i).copied().unwrap_or(0)
}

/// Sets CPython's error for a non-ASCII byte in the format when `text` has one.
fn check_ascii(text: &[u8]) -> Result<(), Raised> {
    match text.iter().find(|b| !b.is_ascii()) {
        None => Ok(()),
        Some(b) => {
            // SAFETY: setting the error indicator.
            unsafe {
                set_format(
                    crate::exc!(ValueError),
                    format_args!(
                        "PyUnicode_FromFormatV() expects an ASCII-encoded format string, \
                         got a non-ASCII byte: 0x{b:02x}"
                    ),
                )
            };
            Err(Raised)
        }
    }
}

/// Parses a run of decimal digits at `*i` (CPython's width/precision), raising
/// `ValueError(too_big)` past `PY_SSIZE_T_MAX`.
fn parse_count(format: &[u8], i: &mut usize, too_big: &str) -> Result<Option<usize>, Raised> {
    if !at(format, *i).is_ascii_digit() {
        return Ok(None);
    }
    let mut n: usize = 0;
    while at(format, *i).is_ascii_digit() {
        let digit = (at(format, *i) - b'0') as usize;
        match n.checked_mul(10).and_then(|n| n.checked_add(digit)) {
            Some(m) if m <= isize::MAX as usize => n = m,
            _ => {
                // SAFETY: setting the error indicator.
                unsafe { set_string(crate::exc!(ValueError), too_big) };
                return Err(Raised);
            }
        }
        *i += 1;
    }
    Ok(Some(n))
}

/// Sets `SystemError("bad argument to internal function")` for a NULL or ill-typed argument.
fn bad_argument() -> Raised {
    // SAFETY: setting the error indicator.
    unsafe { crate::python::errors::bad_internal_call() };
    Raised
}

/// Writes an object conversion's result (`%S`, `%R`, `%A`) and releases it.
///
/// # Safety
/// `result` is NULL (an exception is set) or a new reference to a str.
unsafe fn write_owned_str(
    w: &mut Writer,
    result: *mut PyObject,
    width: Option<usize>,
    precision: Option<usize>,
) -> Result<(), Raised> {
    if result.is_null() {
        return Err(Raised);
    }
    // SAFETY: a live str (repr/str/ascii return str or NULL); released after use.
    let written = unsafe { w.write_str(str_as(result).unwrap_or(""), width, precision) };
    // SAFETY: we own the reference.
    unsafe { decref(result) };
    written
}

/// One conversion starting at the '%' at `p`; returns the index after it.
///
/// # Safety
/// The arguments in `ap` match the conversions of `format`.
unsafe fn format_arg(
    w: &mut Writer,
    format: &[u8],
    p: usize,
    ap: &mut VaListTag,
) -> Result<usize, Raised> {
    let mut f = p + 1;
    let zeropad = at(format, f) == b'0';
    if zeropad {
        f += 1;
    }
    let width = parse_count(format, &mut f, "width too big")?;
    let mut precision = None;
    if at(format, f) == b'.' {
        f += 1;
        precision = parse_count(format, &mut f, "precision too big")?;
        if at(format, f) == b'%' {
            // "%.3%s": step back so the conversion is '3', an unknown one.
            f -= 1;
        }
    }
    if at(format, f) == 0 {
        // A bogus "%.123" at the end: the conversion is its last character.
        f -= 1;
    }
    let is_int_conv = |c: u8| matches!(c, b'd' | b'u' | b'i');
    let (mut long, mut long_long, mut size_t) = (false, false, false);
    if at(format, f) == b'l' {
        if is_int_conv(at(format, f + 1)) {
            long = true;
            f += 1;
        } else if at(format, f + 1) == b'l' && is_int_conv(at(format, f + 2)) {
            long_long = true;
            f += 2;
        }
    } else if at(format, f) == b'z' && is_int_conv(at(format, f + 1)) {
        size_t = true;
        f += 1;
    }
    let wide = long || long_long || size_t;

    match at(format, f) {
        b'c' => {
            // SAFETY: the caller passed an int for %c.
            let ordinal = unsafe { ap.next_gp() } as i32;
            if !(0..=0x10ffff).contains(&ordinal) {
                // SAFETY: setting the error indicator.
                unsafe {
                    set_string(
                        crate::exc!(OverflowError),
                        "character argument not in range(0x110000)",
                    )
                };
                return Err(Raised);
            }
            let Some(c) = char::from_u32(ordinal as u32) else {
                crate::python::modsupport::surrogate_error(ordinal as u32);
                return Err(Raised);
            };
            w.push(c)?;
        }
        conv @ (b'd' | b'i' | b'u' | b'x') => {
            // SAFETY: the caller passed an integer of the announced size.
            let raw = unsafe { ap.next_gp() };
            // At most 20 digits and a sign: formatted on the stack.
            let digits = match conv {
                b'u' if wide => Small::<24>::format(format_args!("{raw}")),
                b'u' => Small::<24>::format(format_args!("{}", raw as u32)),
                b'x' => Small::<24>::format(format_args!("{:x}", raw as u32)),
                _ if wide => Small::<24>::format(format_args!("{}", raw as i64)),
                _ => Small::<24>::format(format_args!("{}", raw as i32)),
            };
            w.write_number(digits.as_str(), zeropad, width, precision)?;
        }
        b'p' => {
            // SAFETY: the caller passed a pointer.
            let ptr = unsafe { ap.next_gp() };
            // glibc's "%p" with the "0x" prefix CPython ensures: NULL is "0x(nil)".
            if ptr == 0 {
                w.push_str("0x(nil)")?;
            } else {
                w.push_str(Small::<24>::format(format_args!("{ptr:#x}")).as_str())?;
            }
        }
        b's' => {
            // SAFETY: the caller passed a char pointer.
            let s = unsafe { ap.next_gp() } as usize as *const c_char;
            if s.is_null() {
                return Err(bad_argument());
            }
            // SAFETY: a NUL-terminated string by the caller's contract.
            let bytes = unsafe { CStr::from_ptr(s) }.to_bytes();
            w.write_cstr(bytes, width, precision)?;
        }
        b'U' => {
            // SAFETY: the caller passed an object pointer.
            let o = unsafe { ap.next_gp() } as usize as *mut PyObject;
            // SAFETY: NULL or a live object.
            let Some(text) = (unsafe { str_as(o) }) else {
                return Err(bad_argument());
            };
            w.write_str(text, width, precision)?;
        }
        b'V' => {
            // SAFETY: the caller passed an object pointer and a char pointer.
            let (o, s) = unsafe { (ap.next_gp(), ap.next_gp()) };
            let (o, s) = (o as usize as *mut PyObject, s as usize as *const c_char);
            if !o.is_null() {
                // SAFETY: a live object.
                let Some(text) = (unsafe { str_as(o) }) else {
                    return Err(bad_argument());
                };
                w.write_str(text, width, precision)?;
            } else if !s.is_null() {
                // SAFETY: a NUL-terminated string by the caller's contract.
                let bytes = unsafe { CStr::from_ptr(s) }.to_bytes();
                w.write_cstr(bytes, width, precision)?;
            } else {
                return Err(bad_argument());
            }
        }
        conv @ (b'S' | b'R' | b'A') => {
            // SAFETY: the caller passed an object pointer (NULL gives "<NULL>", as CPython).
            let o = unsafe { ap.next_gp() } as usize as *mut PyObject;
            // SAFETY: NULL or a live object.
            let result = unsafe {
                match conv {
                    b'S' => crate::objects::object_ops::str(o),
                    b'R' => crate::objects::object_ops::repr(o),
                    _ => ascii(o),
                }
            };
            // SAFETY: NULL or a new reference to a str.
            unsafe { write_owned_str(w, result, width, precision)? };
        }
        b'%' => w.push('%')?,
        _ => {
            // Unknown conversion: the rest of the format, verbatim; no more arguments are read.
            let rest = &format[p..];
            check_ascii(rest)?;
            // Checked ASCII above, so this is valid UTF-8.
            w.push_str(core::str::from_utf8(rest).unwrap_or(""))?;
            return Ok(format.len());
        }
    }
    Ok(f + 1)
}

/// `PyObject_ASCII` without the boundary. Return value: New reference, or NULL.
///
/// # Safety
/// `o` is NULL or a live object.
unsafe fn ascii(o: *mut PyObject) -> *mut PyObject {
    // SAFETY: NULL or a live object.
    let r = unsafe { crate::objects::object_ops::repr(o) };
    if r.is_null() {
        return r;
    }
    // SAFETY: `r` is a str we own.
    unsafe {
        let escaped = ascii_escape(str_as(r).unwrap_or(""));
        decref(r);
        str_from_text(escaped)
    }
}

/// The text of `format` with every conversion applied.
///
/// # Safety
/// The arguments in `ap` match the conversions of `format`.
unsafe fn format_text(format: &[u8], ap: &mut VaListTag) -> Result<Text, Raised> {
    let mut w = Writer { out: Text::new() };
    let mut i = 0;
    while i < format.len() {
        if format[i] == b'%' {
            // SAFETY: forwarded contract.
            i = unsafe { format_arg(&mut w, format, i, ap)? };
        } else {
            let end = format[i..]
                .iter()
                .position(|&b| b == b'%')
                .map_or(format.len(), |n| i + n);
            let literal = &format[i..end];
            check_ascii(literal)?;
            w.push_str(core::str::from_utf8(literal).unwrap_or(""))?;
            i = end;
        }
    }
    Ok(w.out)
}

/// `PyUnicode_FromFormatV` without the boundary.
///
/// # Safety
/// `format` is a NUL-terminated string and the arguments in `ap` match its conversions.
pub(crate) unsafe fn from_format(format: *const c_char, ap: &mut VaListTag) -> *mut PyObject {
    // SAFETY: NUL-terminated by the caller's contract.
    let format = unsafe { CStr::from_ptr(format) }.to_bytes();
    // SAFETY: forwarded contract.
    match unsafe { format_text(format, ap) } {
        // SAFETY: creating a str.
        Ok(text) => unsafe { str_from(text.as_str()) },
        Err(Raised) => null_mut(),
    }
}

/// As `PyUnicode_FromFormat`, with the arguments in a `va_list` (which it advances, as any
/// function taking a `va_list` does).
///
/// Return value: New reference, or NULL with an exception set. *format* and *vargs* must not be
/// NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyUnicode_FromFormatV(
    format: *const c_char,
    vargs: va_list,
) -> *mut PyObject {
    check_null!(format, null_mut());
    check_null!(vargs, null_mut());
    // SAFETY: checked non-NULL; the arguments match `format` by the caller's contract.
    guard("PyUnicode_FromFormatV", null_mut(), || unsafe {
        from_format(format, &mut *vargs)
    })
}

/// Naked entry point; its C prototype and documentation are in the trailer of cbindgen.toml:
/// `PyObject *PyUnicode_FromFormat(const char *format, ...)`.
#[unsafe(naked)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyUnicode_FromFormat(format: *const c_char) -> *mut PyObject {
    core::arch::naked_asm!(vararg_trampoline!("8", "rsi"), target = sym PyUnicode_FromFormatV)
}

/// As `PyErr_Format`, with the arguments in a `va_list`.
///
/// Return value: always NULL. Clears the error indicator, formats the message (which may run
/// `__str__`/`__repr__`), then sets *exception* with it. If formatting fails, *exception* is set
/// with no value, as in CPython 3.10. *exception*, *format* and *vargs* must not be NULL (a NULL
/// sets `SystemError`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyErr_FormatV(
    exception: *mut PyObject,
    format: *const c_char,
    vargs: va_list,
) -> *mut PyObject {
    check_null!(exception, null_mut());
    check_null!(format, null_mut());
    check_null!(vargs, null_mut());
    guard("PyErr_FormatV", null_mut(), || {
        // SAFETY: checked non-NULL; the arguments match `format` by the caller's contract;
        // `exception` is an exception class (set_object checks) or NULL.
        unsafe {
            crate::python::errors::restore(null_mut(), null_mut(), null_mut());
            let message = from_format(format, &mut *vargs);
            set_object(exception, message);
            crate::capi::ffi::xdecref(message);
        }
        null_mut()
    })
}

/// Naked entry point; its C prototype and documentation are in the trailer of cbindgen.toml:
/// `PyObject *PyErr_Format(PyObject *exception, const char *format, ...)`.
#[unsafe(naked)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyErr_Format(
    exception: *mut PyObject,
    format: *const c_char,
) -> *mut PyObject {
    core::arch::naked_asm!(vararg_trampoline!("16", "rdx"), target = sym PyErr_FormatV)
}
