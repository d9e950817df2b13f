//! `Include/modsupport.h`: `Py_BuildValue` and its `va_list` and `PY_SSIZE_T_CLEAN` variants.
//!
//! The walk over the format follows CPython 3.10's `Python/modsupport.c` step for step
//! (`countformat`, `do_mkvalue`, `do_mktuple`, `do_ignore`), messages included, so the same
//! formats give the same values and the same errors. In particular, after an error the rest of
//! the format is still built and thrown away with the error set aside, so every `N` argument
//! is released: `N` steals its reference even on failure.
//!
//! Codes supported: `O O& S N` (objects; `&` = converter `PyObject *(*)(void *)` + its
//! argument), `s z U s# z# U#` (UTF-8 C strings; NULL gives None), `u u#` (`wchar_t *`),
//! `i b B h H I l k L K n` (integers), `C` (a character as a str), `( )` (tuples), `[ ]`
//! (lists), `{ }` (dicts: keys and values alternating), and the separators `' ' , : \t`.
//!
//! pycoro has no float, complex or bytes type: `d f D y c` raise
//! `SystemError("bad format char passed to Py_BuildValue")`. They still consume the arguments
//! CPython would read for them, so that the `N` arguments after them are released as
//! documented.
//!
//! CPython 3.10 also issues a `DeprecationWarning` for `#` without `PY_SSIZE_T_CLEAN`; pycoro
//! has no warnings machinery, so the `int` length is simply used.

use crate::capi::boundary::{check_null, guard};
use crate::capi::ffi::{decref, new_ref};
use crate::capi::varargs::{VaListTag, va_list, vararg_trampoline};
use crate::objects::longobject::from_i128;
use crate::objects::object::{Py_ssize_t, PyObject};
use crate::objects::object_ops::none;
use crate::objects::unicodeobject::{PyUnicode_FromStringAndSize, str_from};
use crate::python::errors::{fetch, occurred, restore, set_string};
use core::ffi::{CStr, c_char, c_void};
use core::ptr::null_mut;

/// The state of one `Py_BuildValue` walk.
pub(crate) struct Builder<'a> {
    format: &'a [u8],
    pos: usize,
    ap: &'a mut VaListTag,
    /// `PY_SSIZE_T_CLEAN`: `#` lengths are `Py_ssize_t`, not `int`.
    size_t: bool,
}

/// Sets `SystemError(message)` (the type CPython uses for every format error here).
fn system_error(message: &str) {
    // SAFETY: setting the error indicator.
    unsafe { set_string(crate::exc!(SystemError), message) }
}

const BAD_FORMAT_CHAR: &str = "bad format char passed to Py_BuildValue";

impl<'a> Builder<'a> {
    /// A walk over `format` (without its NUL) reading arguments from `ap`.
    pub(crate) fn new(format: &'a [u8], ap: &'a mut VaListTag, size_t: bool) -> Self {
        Builder {
            format,
            pos: 0,
            ap,
            size_t,
        }
    }

    /// The format byte at `i`, or 0 (C's NUL) past the end.
    fn at(&self, i: usize) -> u8 {
        self.format.get(i).copied().unwrap_or(0)
    }

    /// `countformat`: how many values the format from the current position up to `endchar`
    /// (at nesting level 0) describes. `None` (with `SystemError` set) when it runs out first.
    pub(crate) fn count(&self, endchar: u8) -> Option<usize> {
        let mut count = 0;
        let mut level: isize = 0;
        let mut i = self.pos;
        while level > 0 || self.at(i) != endchar {
            match self.at(i) {
                0 => {
                    system_error("unmatched paren in format");
                    return None;
                }
                b'(' | b'[' | b'{' => {
                    if level == 0 {
                        count += 1;
                    }
                    level += 1;
                }
                b')' | b']' | b'}' => level -= 1,
                b'#' | b'&' | b',' | b':' | b' ' | b'\t' => {}
                _ => {
                    if level == 0 {
                        count += 1;
                    }
                }
            }
            i += 1;
        }
        Some(count)
    }

    /// `va_arg` of an integer or pointer argument (the raw 8-byte slot).
    ///
    /// # Safety
    /// The caller passed such an argument here (the format says so).
    unsafe fn gp(&mut self) -> u64 {
        // SAFETY: forwarded contract.
        unsafe { self.ap.next_gp() }
    }

    /// The length after a `#`, if the format has one there (consuming it).
    ///
    /// # Safety
    /// As `gp`: with `#`, the caller passed an `int` (or `Py_ssize_t` with `size_t`).
    unsafe fn hash_length(&mut self) -> Option<Py_ssize_t> {
        if self.at(self.pos) != b'#' {
            return None;
        }
        self.pos += 1;
        // SAFETY: forwarded contract.
        let raw = unsafe { self.gp() };
        Some(if self.size_t {
            raw as i64 as Py_ssize_t
        } else {
            raw as i32 as Py_ssize_t
        })
    }

    /// `do_mkvalue`: the value of the next item. Return value: New reference, or NULL with an
    /// exception set.
    ///
    /// # Safety
    /// The arguments in `ap` match the format.
    unsafe fn value(&mut self) -> *mut PyObject {
        loop {
            let code = self.at(self.pos);
            self.pos += 1;
            // SAFETY (for every arm): the caller passed the argument kinds the format names;
            // integers narrower than 8 bytes are truncated from their slot as `va_arg` does.
            unsafe {
                return match code {
                    b'(' => match self.count(b')') {
                        Some(n) => self.tuple(b')', n),
                        None => null_mut(),
                    },
                    b'[' => match self.count(b']') {
                        Some(n) => match self.items(b']', n) {
                            Some(items) => crate::objects::listobject::list_from_owned(items),
                            None => null_mut(),
                        },
                        None => null_mut(),
                    },
                    b'{' => match self.count(b'}') {
                        Some(n) => self.dict(n),
                        None => null_mut(),
                    },
                    // int (b, B, h arrive promoted to int), unsigned int, then the 8-byte
                    // long / Py_ssize_t / long long and their unsigned forms.
                    b'b' | b'B' | b'h' | b'i' => from_i128(self.gp() as i32 as i128),
                    b'H' | b'I' => from_i128(self.gp() as u32 as i128),
                    b'n' | b'l' | b'L' => from_i128(self.gp() as i64 as i128),
                    b'k' | b'K' => from_i128(self.gp() as i128),
                    b'u' => self.wide_string(),
                    b'f' | b'd' => {
                        self.ap.next_fp();
                        system_error(BAD_FORMAT_CHAR);
                        null_mut()
                    }
                    b'D' | b'c' => {
                        self.gp();
                        system_error(BAD_FORMAT_CHAR);
                        null_mut()
                    }
                    b'y' => {
                        self.gp();
                        self.hash_length();
                        system_error(BAD_FORMAT_CHAR);
                        null_mut()
                    }
                    b'C' => character(self.gp() as i32),
                    b's' | b'z' | b'U' => self.string(),
                    b'N' | b'S' | b'O' => self.object(code == b'N'),
                    b':' | b',' | b' ' | b'\t' => continue,
                    _ => {
                        system_error(BAD_FORMAT_CHAR);
                        null_mut()
                    }
                };
            }
        }
    }

    /// `s`, `z`, `U` with an optional `#` length: a str decoded strictly from UTF-8, or None
    /// for NULL.
    ///
    /// # Safety
    /// As `value`.
    unsafe fn string(&mut self) -> *mut PyObject {
        // SAFETY: a `const char *`, then the optional length.
        let (s, n) = unsafe { (self.gp() as usize as *const c_char, self.hash_length()) };
        if s.is_null() {
            // SAFETY: None is immortal.
            return unsafe { new_ref(none()) };
        }
        let n = match n {
            Some(n) if n >= 0 => n,
            // SAFETY: NUL-terminated by the caller's contract.
            _ => unsafe { CStr::from_ptr(s) }.to_bytes().len() as Py_ssize_t,
        };
        // SAFETY: `n` bytes are readable at `s` by the caller's contract.
        unsafe { PyUnicode_FromStringAndSize(s, n) }
    }

    /// `u` with an optional `#` length: a str from a `wchar_t` (UTF-32 on Linux) string, or
    /// None for NULL.
    ///
    /// # Safety
    /// As `value`.
    unsafe fn wide_string(&mut self) -> *mut PyObject {
        // SAFETY: a `const wchar_t *`, then the optional length.
        let (u, n) = unsafe { (self.gp() as usize as *const u32, self.hash_length()) };
        if u.is_null() {
            // SAFETY: None is immortal.
            return unsafe { new_ref(none()) };
        }
        let n = match n {
            Some(n) if n >= 0 => n as usize,
            _ => {
                let mut len = 0;
                // SAFETY: NUL-terminated by the caller's contract.
                while unsafe { *u.add(len) } != 0 {
                    len += 1;
                }
                len
            }
        };
        // SAFETY: `n` wide characters are readable at `u`.
        let units = unsafe { core::slice::from_raw_parts(u, n) };
        let mut text = crate::capi::fallible::Text::new();
        for &unit in units {
            match char::from_u32(unit) {
                Some(c) => {
                    if text.push(c).is_err() {
                        // SAFETY: setting the error indicator.
                        return unsafe { crate::python::errors::no_memory() };
                    }
                }
                None if unit > 0x10ffff => {
                    // SAFETY: setting the error indicator.
                    unsafe {
                        crate::python::errors::set_format(
                            crate::exc!(ValueError),
                            format_args!("character U+{unit:x} is not in range [U+0000; U+10ffff]"),
                        )
                    };
                    return null_mut();
                }
                None => {
                    surrogate_error(unit);
                    return null_mut();
                }
            }
        }
        // SAFETY: creating a str.
        unsafe { str_from(text.as_str()) }
    }

    /// `O`, `S`, `N` (with `steal`), or their `&` form calling a converter.
    ///
    /// # Safety
    /// As `value`.
    unsafe fn object(&mut self, steal: bool) -> *mut PyObject {
        if self.at(self.pos) == b'&' {
            // SAFETY: a converter `PyObject *(*)(void *)` and its argument.
            let (func, arg) = unsafe { (self.gp(), self.gp() as usize as *mut c_void) };
            self.pos += 1;
            if func == 0 {
                // SAFETY: setting the error indicator.
                unsafe { crate::python::errors::bad_internal_call() };
                return null_mut();
            }
            // SAFETY: a non-NULL function pointer of that type, by the caller's contract.
            let func: unsafe extern "C" fn(*mut c_void) -> *mut PyObject =
                unsafe { core::mem::transmute(func as usize) };
            // SAFETY: calling the caller's converter with the caller's argument.
            return unsafe { func(arg) };
        }
        // SAFETY: an object pointer.
        let v = unsafe { self.gp() } as usize as *mut PyObject;
        if v.is_null() {
            // A NULL from a failed call passes its error on; a NULL for no reason is an error.
            if occurred().is_null() {
                system_error("NULL object passed to Py_BuildValue");
            }
            return v;
        }
        if steal {
            v
        } else {
            // SAFETY: a live object.
            unsafe { new_ref(v) }
        }
    }

    /// `do_mkdict`: `n` values up to `}` as alternating keys and values. Return value: New
    /// reference, or NULL with an exception set (`SystemError("Bad dict format")` for an odd
    /// count; the remaining items are still walked, see `ignore`).
    ///
    /// # Safety
    /// As `value`.
    unsafe fn dict(&mut self, n: usize) -> *mut PyObject {
        // SAFETY: forwarded contract; every reference built here is released or kept by `d`.
        unsafe {
            if !n.is_multiple_of(2) {
                system_error("Bad dict format");
                self.ignore(b'}', n);
                return null_mut();
            }
            let d = crate::objects::dictobject::new_dict();
            if d.is_null() {
                self.ignore(b'}', n);
                return null_mut();
            }
            let mut i = 0;
            while i < n {
                let k = self.value();
                if k.is_null() {
                    self.ignore(b'}', n - i - 1);
                    decref(d);
                    return null_mut();
                }
                let v = self.value();
                if v.is_null() || crate::objects::dictobject::set_item(d, k, v) < 0 {
                    self.ignore(b'}', n - i - 2);
                    decref(k);
                    if !v.is_null() {
                        decref(v);
                    }
                    decref(d);
                    return null_mut();
                }
                decref(k);
                decref(v);
                i += 2;
            }
            if self.at(self.pos) != b'}' {
                decref(d);
                system_error("Unmatched paren in format");
                return null_mut();
            }
            self.pos += 1;
            d
        }
    }

    /// `do_mktuple`: `n` values up to `endchar` as a tuple. Return value: New reference, or
    /// NULL with an exception set (the remaining items are still walked, see `ignore`).
    ///
    /// # Safety
    /// As `value`.
    unsafe fn tuple(&mut self, endchar: u8, n: usize) -> *mut PyObject {
        // SAFETY: forwarded contract.
        match unsafe { self.items(endchar, n) } {
            // SAFETY: `items` are owned references, which the tuple takes over.
            Some(items) => unsafe { tuple_from_owned(items) },
            None => null_mut(),
        }
    }

    /// `do_mkstack`: `n` values up to `endchar`, as owned references; `None` with an exception
    /// set (and every value built so far released) on failure.
    ///
    /// # Safety
    /// As `value`.
    pub(crate) unsafe fn items(&mut self, endchar: u8, n: usize) -> Option<Vec<*mut PyObject>> {
        let Ok(mut items) = crate::capi::fallible::try_vec(n) else {
            // SAFETY: forwarded contract; setting the error indicator.
            unsafe {
                self.ignore(endchar, n);
                crate::python::errors::no_memory();
            }
            return None;
        };
        for i in 0..n {
            // SAFETY: forwarded contract.
            let w = unsafe { self.value() };
            if w.is_null() {
                // SAFETY: forwarded contract; releasing what we own.
                unsafe {
                    self.ignore(endchar, n - i - 1);
                    release(items);
                }
                return None;
            }
            items.push(w);
        }
        if self.at(self.pos) != endchar {
            system_error("Unmatched paren in format");
            // SAFETY: releasing what we own.
            unsafe { release(items) };
            return None;
        }
        if endchar != 0 {
            self.pos += 1;
        }
        Some(items)
    }

    /// After a format error found before building: walks the rest of the format flat (the
    /// brackets ignored), building and releasing each value with the error set aside, so every
    /// argument is consumed and every `N` released.
    ///
    /// # Safety
    /// As `value`.
    unsafe fn drain(&mut self) {
        while self.at(self.pos) != 0 {
            match self.at(self.pos) {
                b'(' | b')' | b'[' | b']' | b'{' | b'}' | b':' | b',' | b' ' | b'\t' => {
                    self.pos += 1;
                }
                // SAFETY: the error indicator is ours to save and restore; forwarded contract.
                _ => unsafe {
                    let (t, v, tb) = fetch();
                    let w = self.value();
                    restore(t, v, tb);
                    if !w.is_null() {
                        decref(w);
                    }
                },
            }
        }
    }

    /// `do_ignore`: after an error, builds and releases the next `n` values with the error set
    /// aside (so `N` references are released and the arguments consumed), then steps over
    /// `endchar`.
    ///
    /// # Safety
    /// As `value`.
    unsafe fn ignore(&mut self, endchar: u8, n: usize) {
        for _ in 0..n {
            // SAFETY: the error indicator is ours to save and restore; forwarded contract.
            unsafe {
                let (t, v, tb) = fetch();
                let w = self.value();
                restore(t, v, tb);
                if !w.is_null() {
                    decref(w);
                }
            }
        }
        if self.at(self.pos) != endchar {
            system_error("Unmatched paren in format");
            return;
        }
        if endchar != 0 {
            self.pos += 1;
        }
    }
}

/// A tuple of `items`, taking over their references (released even when the tuple cannot be
/// made). Return value: New reference, or NULL with `MemoryError` set.
///
/// # Safety
/// Each item is an owned reference.
pub(crate) unsafe fn tuple_from_owned(items: Vec<*mut PyObject>) -> *mut PyObject {
    // SAFETY: live objects; the tuple holds its own references, ours are released.
    unsafe {
        let tuple = crate::objects::tupleobject::tuple_from(&items);
        release(items);
        tuple
    }
}

/// Releases owned references.
///
/// # Safety
/// Each item is an owned reference.
unsafe fn release(items: Vec<*mut PyObject>) {
    for item in items {
        // SAFETY: owned.
        unsafe { decref(item) };
    }
}

/// Sets `ValueError` for a surrogate code point: pycoro strings are always valid Unicode
/// text (CPython would build a str holding a lone surrogate).
pub(crate) fn surrogate_error(code_point: u32) {
    // SAFETY: setting the error indicator.
    unsafe {
        crate::python::errors::set_format(
            crate::exc!(ValueError),
            format_args!(
                "character U+{code_point:04X} is a surrogate, which pycoro strings cannot hold"
            ),
        )
    };
}

/// `C`: `PyUnicode_FromOrdinal`. Return value: New reference, or NULL with `ValueError` set.
fn character(ordinal: i32) -> *mut PyObject {
    if !(0..=0x10ffff).contains(&ordinal) {
        // SAFETY: setting the error indicator.
        unsafe { set_string(crate::exc!(ValueError), "chr() arg not in range(0x110000)") };
        return null_mut();
    }
    match char::from_u32(ordinal as u32) {
        // SAFETY: creating a str.
        Some(c) => unsafe { str_from(c.encode_utf8(&mut [0; 4])) },
        None => {
            surrogate_error(ordinal as u32);
            null_mut()
        }
    }
}

/// `va_build_value`: the value the whole format describes (None for no items, the item for
/// one, a tuple for several).
///
/// # Safety
/// `format` is NUL-terminated; the arguments in `ap` match it.
pub(crate) unsafe fn build_value(
    format: *const c_char,
    ap: &mut VaListTag,
    size_t: bool,
) -> *mut PyObject {
    // SAFETY: NUL-terminated by the caller's contract.
    let format = unsafe { CStr::from_ptr(format) }.to_bytes();
    let mut b = Builder::new(format, ap, size_t);
    let Some(n) = b.count(0) else {
        // A malformed format: the arguments are still consumed, so that every `N` one is
        // released as documented (CPython leaks them here).
        // SAFETY: forwarded contract.
        unsafe { b.drain() };
        return null_mut();
    };
    // SAFETY: forwarded contract.
    unsafe {
        match n {
            0 => new_ref(none()),
            1 => b.value(),
            _ => b.tuple(0, n),
        }
    }
}

/// As `Py_BuildValue`, with the arguments in a `va_list` (which it advances).
///
/// Return value: New reference, or NULL with an exception set. *format* and *vargs* must not be
/// NULL. Steals a reference to every `N` argument, even on failure.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn Py_VaBuildValue(format: *const c_char, vargs: va_list) -> *mut PyObject {
    check_null!(format, null_mut());
    check_null!(vargs, null_mut());
    // SAFETY: checked non-NULL; the arguments match `format` by the caller's contract.
    guard("Py_VaBuildValue", null_mut(), || unsafe {
        build_value(format, &mut *vargs, false)
    })
}

/// As `Py_VaBuildValue`, with `Py_ssize_t` lengths for `#` (what `Py_VaBuildValue` means when
/// `PY_SSIZE_T_CLEAN` is defined before including `Python.h`).
///
/// Return value: New reference, or NULL with an exception set. Steals a reference to every `N`
/// argument, even on failure.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn _Py_VaBuildValue_SizeT(
    format: *const c_char,
    vargs: va_list,
) -> *mut PyObject {
    check_null!(format, null_mut());
    check_null!(vargs, null_mut());
    // SAFETY: checked non-NULL; the arguments match `format` by the caller's contract.
    guard("_Py_VaBuildValue_SizeT", null_mut(), || unsafe {
        build_value(format, &mut *vargs, true)
    })
}

/// Naked entry point; its C prototype and documentation are in the trailer of cbindgen.toml:
/// `PyObject *Py_BuildValue(const char *format, ...)`.
#[unsafe(naked)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn Py_BuildValue(format: *const c_char) -> *mut PyObject {
    core::arch::naked_asm!(vararg_trampoline!("8", "rsi"), target = sym Py_VaBuildValue)
}

/// Naked entry point; its C prototype and documentation are in the trailer of cbindgen.toml:
/// `PyObject *_Py_BuildValue_SizeT(const char *format, ...)`.
#[unsafe(naked)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn _Py_BuildValue_SizeT(format: *const c_char) -> *mut PyObject {
    core::arch::naked_asm!(vararg_trampoline!("8", "rsi"), target = sym _Py_VaBuildValue_SizeT)
}
