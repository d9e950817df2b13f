//! `str`'s Python-level methods (`Objects/unicodeobject.c`'s method table): their argument
//! parsing, results and messages as CPython 3.10's, measured. Character classes and case
//! mappings come from CPython 3.10's Unicode database (13.0.0, `unicode_tables.rs`): Rust's
//! `char` methods follow a newer Unicode and differ for about a hundred case mappings and for
//! thousands of `is_alphabetic` code points, so they are not used here.
//!
//! Not here: `encode` (pycoro has no bytes type).

use crate::capi::fallible::{NoMemory, Text, try_push};
use crate::capi::ffi::{decref, new_ref, size};
use crate::objects::methodobject::PyMethodDef;
use crate::objects::object::*;
use crate::objects::typeobject::tp_name_of;
use crate::objects::unicode_ops::{
    Raised, Res, Str, count, find, is_space, list_of, must_be_str, new_str, out, pad_text,
    split_parts, splitlines_parts, str_or_self, tailmatch,
};
use crate::objects::unicode_tables as tables;
use crate::objects::unicodeobject::{is_str_exact, str_as};
use crate::python::errors::{set_format, set_string};
use core::ptr::null_mut;

// ---- the Unicode database ----

fn in_table(t: &[(u32, u32)], c: char) -> bool {
    let c = c as u32;
    t.binary_search_by(|&(lo, hi)| {
        if hi < c {
            core::cmp::Ordering::Less
        } else if lo > c {
            core::cmp::Ordering::Greater
        } else {
            core::cmp::Ordering::Equal
        }
    })
    .is_ok()
}

fn mapped(t: &'static [(u32, &'static str)], c: char) -> Option<&'static str> {
    t.binary_search_by_key(&(c as u32), |&(k, _)| k)
        .ok()
        .map(|i| t[i].1)
}

pub(crate) fn is_alpha(c: char) -> bool {
    c.is_ascii_alphabetic() || (!c.is_ascii() && in_table(&tables::ALPHA, c))
}
pub(crate) fn is_decimal(c: char) -> bool {
    c.is_ascii_digit() || (!c.is_ascii() && in_table(&tables::DECIMAL, c))
}
pub(crate) fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || (!c.is_ascii() && in_table(&tables::DIGIT, c))
}
pub(crate) fn is_numeric(c: char) -> bool {
    c.is_ascii_digit() || (!c.is_ascii() && in_table(&tables::NUMERIC, c))
}
pub(crate) fn is_printable(c: char) -> bool {
    if c.is_ascii() {
        (' '..='~').contains(&c)
    } else {
        in_table(&tables::PRINTABLE, c)
    }
}
fn is_upper(c: char) -> bool {
    c.is_ascii_uppercase() || (!c.is_ascii() && in_table(&tables::UPPER, c))
}
fn is_lower(c: char) -> bool {
    c.is_ascii_lowercase() || (!c.is_ascii() && in_table(&tables::LOWER, c))
}
fn is_title(c: char) -> bool {
    !c.is_ascii() && in_table(&tables::TITLE, c)
}
fn is_case_ignorable(c: char) -> bool {
    in_table(&tables::CASE_IGNORABLE, c)
}
/// The Cased property: upper-, lower- or title-case.
fn is_cased(c: char) -> bool {
    c.is_ascii_alphabetic() || (!c.is_ascii() && (is_upper(c) || is_lower(c) || is_title(c)))
}
fn is_xid_start(c: char) -> bool {
    c == '_' || c.is_ascii_alphabetic() || (!c.is_ascii() && in_table(&tables::XID_START, c))
}
fn is_xid_continue(c: char) -> bool {
    c == '_' || c.is_ascii_alphanumeric() || (!c.is_ascii() && in_table(&tables::XID_CONTINUE, c))
}

/// `str.isidentifier()`.
pub(crate) fn is_identifier(s: &str) -> bool {
    let mut it = s.chars();
    match it.next() {
        Some(c) if is_xid_start(c) => it.all(is_xid_continue),
        _ => false,
    }
}

fn push_map(t: &mut Text, m: Option<&str>, c: char) -> Result<(), NoMemory> {
    match m {
        Some(m) => t.push_str(m),
        None => t.push(c),
    }
}

fn push_upper(t: &mut Text, c: char) -> Result<(), NoMemory> {
    if c.is_ascii() {
        return t.push(c.to_ascii_uppercase());
    }
    push_map(t, mapped(&tables::UPPER_MAP, c), c)
}

fn push_title(t: &mut Text, c: char) -> Result<(), NoMemory> {
    match mapped(&tables::TITLE_MAP, c) {
        Some(m) => t.push_str(m),
        None => push_upper(t, c),
    }
}

/// The lower-case form of the character at byte `i` of `s`, with the final-sigma rule: a
/// capital sigma preceded by a cased character and not followed by one (case-ignorable
/// characters skipped both ways) becomes a final sigma.
fn push_lower(t: &mut Text, s: &str, i: usize, c: char) -> Result<(), NoMemory> {
    if c.is_ascii() {
        return t.push(c.to_ascii_lowercase());
    }
    if c == '\u{3a3}' {
        let before = s[..i].chars().rev().find(|&d| !is_case_ignorable(d));
        let after = s[i + c.len_utf8()..]
            .chars()
            .find(|&d| !is_case_ignorable(d));
        let fin = before.is_some_and(is_cased) && !after.is_some_and(is_cased);
        return t.push(if fin { '\u{3c2}' } else { '\u{3c3}' });
    }
    push_map(t, mapped(&tables::LOWER_MAP, c), c)
}

fn casefold_text(s: &str) -> Result<Text, NoMemory> {
    let mut t = Text::new();
    t.reserve(s.len())?;
    for c in s.chars() {
        match mapped(&tables::CASEFOLD_MAP, c) {
            Some(m) => t.push_str(m)?,
            None if c.is_ascii() => t.push(c.to_ascii_lowercase())?,
            None => push_map(&mut t, mapped(&tables::LOWER_MAP, c), c)?,
        }
    }
    Ok(t)
}

#[derive(Clone, Copy)]
enum Case {
    Upper,
    Lower,
    Capitalize,
    Title,
    Swap,
    Fold,
}

fn case_text(s: &str, how: Case) -> Result<Text, NoMemory> {
    if let Case::Fold = how {
        return casefold_text(s);
    }
    let mut t = Text::new();
    t.reserve(s.len())?;
    let mut prev_cased = false;
    for (k, (i, c)) in s.char_indices().enumerate() {
        match how {
            Case::Upper => push_upper(&mut t, c)?,
            Case::Lower => push_lower(&mut t, s, i, c)?,
            Case::Capitalize if k == 0 => push_title(&mut t, c)?,
            Case::Capitalize => push_lower(&mut t, s, i, c)?,
            Case::Title => {
                if prev_cased {
                    push_lower(&mut t, s, i, c)?;
                } else {
                    push_title(&mut t, c)?;
                }
                prev_cased = is_cased(c);
            }
            Case::Swap => {
                if is_upper(c) {
                    push_lower(&mut t, s, i, c)?;
                } else if is_lower(c) {
                    push_upper(&mut t, c)?;
                } else {
                    t.push(c)?;
                }
            }
            Case::Fold => unreachable!(),
        }
    }
    Ok(t)
}

// ---- argument parsing ----

/// The positional arguments of a METH_VARARGS call.
unsafe fn positional<'a>(args: *mut PyObject) -> &'a [*mut PyObject] {
    // SAFETY: a tuple (or NULL for none).
    unsafe {
        if args.is_null() {
            &[]
        } else {
            crate::objects::tupleobject::as_slice(args)
        }
    }
}

/// Argument Clinic's count check: `NAME expected at least N arguments, got M`.
unsafe fn clinic_count(name: &str, n: usize, min: usize, max: usize) -> Res<()> {
    if n >= min && n <= max {
        return Ok(());
    }
    let (how, k) = if min == max {
        ("", min)
    } else if n < min {
        ("at least ", min)
    } else {
        ("at most ", max)
    };
    let s = if k == 1 { "" } else { "s" };
    // SAFETY: setting the error indicator.
    unsafe {
        set_format(
            crate::exc!(TypeError),
            format_args!("{name} expected {how}{k} argument{s}, got {n}"),
        )
    };
    Err(Raised)
}

/// `PyArg_ParseTuple`'s count check: `NAME() takes at least N argument(s) (M given)`.
unsafe fn getargs_count(name: &str, n: usize, min: usize, max: usize) -> Res<()> {
    if n >= min && n <= max {
        return Ok(());
    }
    let (how, k) = if min == max {
        ("exactly", min)
    } else if n < min {
        ("at least", min)
    } else {
        ("at most", max)
    };
    let s = if k == 1 { "" } else { "s" };
    // SAFETY: setting the error indicator.
    unsafe {
        set_format(
            crate::exc!(TypeError),
            format_args!("{name}() takes {how} {k} argument{s} ({n} given)"),
        )
    };
    Err(Raised)
}

/// Positional-or-keyword parameters `names` of `name()` (Argument Clinic's keyword parsing):
/// borrowed references, NULL where not given.
unsafe fn keywords<const N: usize>(
    name: &str,
    args: *mut PyObject,
    kwargs: *mut PyObject,
    names: [&str; N],
) -> Res<[*mut PyObject; N]> {
    // SAFETY: a tuple and NULL or a dict.
    unsafe {
        let pos = positional(args);
        let nkw = if kwargs.is_null() {
            0
        } else {
            size(kwargs) as usize
        };
        let given = pos.len() + nkw;
        if given > N {
            let s = if N == 1 { "" } else { "s" };
            set_format(
                crate::exc!(TypeError),
                format_args!("{name}() takes at most {N} argument{s} ({given} given)"),
            );
            return Err(Raised);
        }
        let mut out = [null_mut(); N];
        out[..pos.len()].copy_from_slice(pos);
        if nkw > 0 {
            let mut at = 0;
            while let Some((k, v)) = crate::objects::dictobject::next_entry(kwargs, &mut at) {
                let Some(key) = str_as(k) else {
                    set_string(crate::exc!(TypeError), "keywords must be strings");
                    return Err(Raised);
                };
                match names.iter().position(|&n| n == key) {
                    Some(i) if i < pos.len() => {
                        set_format(
                            crate::exc!(TypeError),
                            format_args!(
                                "argument for {name}() given by name ('{key}') and position ({})",
                                i + 1
                            ),
                        );
                        return Err(Raised);
                    }
                    Some(i) => out[i] = v,
                    None => {
                        set_format(
                            crate::exc!(TypeError),
                            format_args!("'{key}' is an invalid keyword argument for {name}()"),
                        );
                        return Err(Raised);
                    }
                }
            }
        }
        Ok(out)
    }
}

/// An index-sized integer argument (`PyNumber_Index` then `PyLong_AsSsize_t`).
unsafe fn ssize_arg(op: *mut PyObject) -> Res<isize> {
    // SAFETY: a live object.
    unsafe {
        crate::objects::longobject::to_signed(
            op,
            None,
            isize::MIN as i128,
            isize::MAX as i128,
            "ssize_t",
        )
        .map(|v| v as isize)
        .ok_or(Raised)
    }
}

/// A C `int` argument (`_PyLong_AsInt`).
unsafe fn int_arg(op: *mut PyObject) -> Res<i32> {
    // SAFETY: a live object.
    unsafe {
        crate::objects::longobject::to_signed(op, None, i32::MIN as i128, i32::MAX as i128, "int")
            .map(|v| v as i32)
            .ok_or(Raised)
    }
}

/// A slice index (`_PyEval_SliceIndex`): None for None (or absent), huge values clamped.
unsafe fn slice_index(op: *mut PyObject, default: isize) -> Res<isize> {
    // SAFETY: NULL or a live object.
    unsafe {
        if op.is_null() || op == crate::objects::object_ops::none() {
            return Ok(default);
        }
        let nb = (*crate::capi::ffi::ty(op)).tp_as_number;
        if !crate::objects::longobject::is_long(op) && (nb.is_null() || (*nb).nb_index.is_none()) {
            set_string(
                crate::exc!(TypeError),
                "slice indices must be integers or None or have an __index__ method",
            );
            return Err(Raised);
        }
        let idx = if crate::objects::longobject::is_long(op) {
            new_ref(op)
        } else if let Some(f) = (*nb).nb_index {
            f(op)
        } else {
            null_mut()
        };
        if idx.is_null() {
            return Err(Raised);
        }
        if !crate::objects::longobject::is_long(idx) {
            set_format(
                crate::exc!(TypeError),
                format_args!("__index__ returned non-int (type {})", tp_name_of(idx)),
            );
            decref(idx);
            return Err(Raised);
        }
        let v = crate::objects::longobject::value(idx);
        let neg = crate::capi::ffi::size(idx) < 0;
        decref(idx);
        Ok(match v {
            Some(v) => v.clamp(isize::MIN as i128, isize::MAX as i128) as isize,
            None if neg => isize::MIN,
            None => isize::MAX,
        })
    }
}

/// `(sub, start, end)` of find/count/index/startswith (`O|OO:name`).
unsafe fn finds_args(name: &str, args: *mut PyObject) -> Res<(*mut PyObject, isize, isize)> {
    // SAFETY: a tuple.
    unsafe {
        let a = positional(args);
        getargs_count(name, a.len(), 1, 3)?;
        let start = slice_index(a.get(1).copied().unwrap_or(null_mut()), 0)?;
        let end = slice_index(a.get(2).copied().unwrap_or(null_mut()), isize::MAX)?;
        Ok((a[0], start, end))
    }
}

/// The result of a text-building method as a new str.
unsafe fn text_out(t: Result<Text, NoMemory>) -> *mut PyObject {
    // SAFETY: creating a str.
    unsafe { crate::objects::unicodeobject::str_from_text(t) }
}

unsafe fn this<'a>(op: *mut PyObject) -> Str<'a> {
    // SAFETY: methods of str are called with a str.
    unsafe { Str::of(op).unwrap_or(Str::text("")) }
}

fn bool_out(b: bool) -> *mut PyObject {
    // SAFETY: True and False are immortal.
    unsafe { new_ref(crate::objects::boolobject::from_bool(b)) }
}

unsafe fn int_out(v: usize) -> *mut PyObject {
    // SAFETY: creating an int.
    unsafe { crate::objects::longobject::from_i128(v as i128) }
}

// ---- the methods ----

macro_rules! case_method {
    ($name:ident, $how:expr) => {
        unsafe extern "C" fn $name(op: *mut PyObject, _: *mut PyObject) -> *mut PyObject {
            // SAFETY: a str.
            unsafe { text_out(case_text(this(op).s, $how)) }
        }
    };
}
case_method!(str_upper, Case::Upper);
case_method!(str_lower, Case::Lower);
case_method!(str_capitalize, Case::Capitalize);
case_method!(str_title, Case::Title);
case_method!(str_swapcase, Case::Swap);
case_method!(str_casefold, Case::Fold);

macro_rules! all_method {
    ($name:ident, $pred:expr) => {
        unsafe extern "C" fn $name(op: *mut PyObject, _: *mut PyObject) -> *mut PyObject {
            // SAFETY: a str.
            let s = unsafe { this(op) }.s;
            bool_out(!s.is_empty() && s.chars().all($pred))
        }
    };
}
all_method!(str_isalpha, is_alpha);
all_method!(str_isdecimal, is_decimal);
all_method!(str_isdigit, is_digit);
all_method!(str_isnumeric, is_numeric);
all_method!(str_isspace, is_space);
all_method!(str_isalnum, |c| is_alpha(c) || is_numeric(c));

unsafe extern "C" fn str_isascii(op: *mut PyObject, _: *mut PyObject) -> *mut PyObject {
    // SAFETY: a str.
    bool_out(unsafe { this(op) }.ascii)
}

unsafe extern "C" fn str_isprintable(op: *mut PyObject, _: *mut PyObject) -> *mut PyObject {
    // SAFETY: a str.
    bool_out(unsafe { this(op) }.s.chars().all(is_printable))
}

unsafe extern "C" fn str_isidentifier(op: *mut PyObject, _: *mut PyObject) -> *mut PyObject {
    // SAFETY: a str.
    bool_out(is_identifier(unsafe { this(op) }.s))
}

unsafe extern "C" fn str_isupper(op: *mut PyObject, _: *mut PyObject) -> *mut PyObject {
    // SAFETY: a str.
    let s = unsafe { this(op) }.s;
    let mut cased = false;
    for c in s.chars() {
        if is_lower(c) || is_title(c) {
            return bool_out(false);
        }
        cased |= is_upper(c);
    }
    bool_out(cased)
}

unsafe extern "C" fn str_islower(op: *mut PyObject, _: *mut PyObject) -> *mut PyObject {
    // SAFETY: a str.
    let s = unsafe { this(op) }.s;
    let mut cased = false;
    for c in s.chars() {
        if is_upper(c) || is_title(c) {
            return bool_out(false);
        }
        cased |= is_lower(c);
    }
    bool_out(cased)
}

unsafe extern "C" fn str_istitle(op: *mut PyObject, _: *mut PyObject) -> *mut PyObject {
    // SAFETY: a str.
    let s = unsafe { this(op) }.s;
    let (mut cased, mut prev) = (false, false);
    for c in s.chars() {
        if is_upper(c) || is_title(c) {
            if prev {
                return bool_out(false);
            }
            prev = true;
            cased = true;
        } else if is_lower(c) {
            if !prev {
                return bool_out(false);
            }
            prev = true;
            cased = true;
        } else {
            prev = false;
        }
    }
    bool_out(cased)
}

unsafe fn find_method(
    name: &str,
    op: *mut PyObject,
    args: *mut PyObject,
    forward: bool,
    raise: bool,
) -> *mut PyObject {
    // SAFETY: a str and an argument tuple.
    unsafe {
        let Ok((sub, start, end)) = finds_args(name, args) else {
            return null_mut();
        };
        let Ok(sub) = must_be_str(sub) else {
            return null_mut();
        };
        match find(this(op), sub.s, start, end, forward) {
            Some(i) => int_out(i),
            None if raise => {
                set_string(crate::exc!(ValueError), "substring not found");
                null_mut()
            }
            None => crate::objects::longobject::from_i128(-1),
        }
    }
}

unsafe extern "C" fn str_find(op: *mut PyObject, args: *mut PyObject) -> *mut PyObject {
    // SAFETY: a str and an argument tuple.
    unsafe { find_method("find", op, args, true, false) }
}
unsafe extern "C" fn str_rfind(op: *mut PyObject, args: *mut PyObject) -> *mut PyObject {
    // SAFETY: a str and an argument tuple.
    unsafe { find_method("rfind", op, args, false, false) }
}
unsafe extern "C" fn str_index(op: *mut PyObject, args: *mut PyObject) -> *mut PyObject {
    // SAFETY: a str and an argument tuple.
    unsafe { find_method("index", op, args, true, true) }
}
unsafe extern "C" fn str_rindex(op: *mut PyObject, args: *mut PyObject) -> *mut PyObject {
    // SAFETY: a str and an argument tuple.
    unsafe { find_method("rindex", op, args, false, true) }
}

unsafe extern "C" fn str_count(op: *mut PyObject, args: *mut PyObject) -> *mut PyObject {
    // SAFETY: a str and an argument tuple.
    unsafe {
        let Ok((sub, start, end)) = finds_args("count", args) else {
            return null_mut();
        };
        let Ok(sub) = must_be_str(sub) else {
            return null_mut();
        };
        int_out(count(this(op), sub.s, start, end))
    }
}

unsafe fn tail_method(
    name: &str,
    op: *mut PyObject,
    args: *mut PyObject,
    direction: i32,
) -> Res<bool> {
    // SAFETY: a str and an argument tuple.
    unsafe {
        let (sub, start, end) = finds_args(name, args)?;
        let h = this(op);
        if crate::objects::tupleobject::is_tuple(sub) {
            for &item in crate::objects::tupleobject::as_slice(sub) {
                let Some(s) = str_as(item) else {
                    set_format(
                        crate::exc!(TypeError),
                        format_args!(
                            "tuple for {name} must only contain str, not {}",
                            tp_name_of(item)
                        ),
                    );
                    return Err(Raised);
                };
                if tailmatch(h, s, start, end, direction) {
                    return Ok(true);
                }
            }
            return Ok(false);
        }
        let Some(s) = str_as(sub) else {
            set_format(
                crate::exc!(TypeError),
                format_args!(
                    "{name} first arg must be str or a tuple of str, not {}",
                    tp_name_of(sub)
                ),
            );
            return Err(Raised);
        };
        Ok(tailmatch(h, s, start, end, direction))
    }
}

unsafe extern "C" fn str_startswith(op: *mut PyObject, args: *mut PyObject) -> *mut PyObject {
    // SAFETY: a str and an argument tuple.
    unsafe { tail_method("startswith", op, args, -1) }.map_or(null_mut(), bool_out)
}
unsafe extern "C" fn str_endswith(op: *mut PyObject, args: *mut PyObject) -> *mut PyObject {
    // SAFETY: a str and an argument tuple.
    unsafe { tail_method("endswith", op, args, 1) }.map_or(null_mut(), bool_out)
}

/// strip/lstrip/rstrip: which ends.
unsafe fn strip_method(
    name: &str,
    op: *mut PyObject,
    args: *mut PyObject,
    left: bool,
    right: bool,
) -> Res<*mut PyObject> {
    // SAFETY: a str and an argument tuple.
    unsafe {
        let a = positional(args);
        clinic_count(name, a.len(), 0, 1)?;
        let chars = match a.first() {
            None => None,
            Some(&c) if c == crate::objects::object_ops::none() => None,
            Some(&c) => match str_as(c) {
                Some(s) => Some(s),
                None => {
                    set_format(
                        crate::exc!(TypeError),
                        format_args!("{name} arg must be None or str"),
                    );
                    return Err(Raised);
                }
            },
        };
        let s = this(op).s;
        let pred = |c: char| match chars {
            None => is_space(c),
            Some(set) => set.contains(c),
        };
        let mut r = s;
        if left {
            r = r.trim_start_matches(pred);
        }
        if right {
            r = r.trim_end_matches(pred);
        }
        str_or_self(op, s, r)
    }
}

unsafe extern "C" fn str_strip(op: *mut PyObject, args: *mut PyObject) -> *mut PyObject {
    // SAFETY: a str and an argument tuple.
    out(unsafe { strip_method("strip", op, args, true, true) })
}
unsafe extern "C" fn str_lstrip(op: *mut PyObject, args: *mut PyObject) -> *mut PyObject {
    // SAFETY: a str and an argument tuple.
    out(unsafe { strip_method("lstrip", op, args, true, false) })
}
unsafe extern "C" fn str_rstrip(op: *mut PyObject, args: *mut PyObject) -> *mut PyObject {
    // SAFETY: a str and an argument tuple.
    out(unsafe { strip_method("rstrip", op, args, false, true) })
}

/// center/ljust/rjust: `(width, fillchar=' ')`; `how` 0 centers, 1 left-justifies, 2 right.
unsafe fn justify(
    name: &str,
    op: *mut PyObject,
    args: *mut PyObject,
    how: u8,
) -> Res<*mut PyObject> {
    // SAFETY: a str and an argument tuple.
    unsafe {
        let a = positional(args);
        clinic_count(name, a.len(), 1, 2)?;
        let width = ssize_arg(a[0])?;
        let fill = match a.get(1) {
            None => ' ',
            Some(&f) => {
                let Some(fs) = str_as(f) else {
                    set_format(
                        crate::exc!(TypeError),
                        format_args!(
                            "The fill character must be a unicode character, not {}",
                            tp_name_of(f)
                        ),
                    );
                    return Err(Raised);
                };
                let mut it = fs.chars();
                match (it.next(), it.next()) {
                    (Some(c), None) => c,
                    _ => {
                        set_string(
                            crate::exc!(TypeError),
                            "The fill character must be exactly one character long",
                        );
                        return Err(Raised);
                    }
                }
            }
        };
        let h = this(op);
        if width <= h.n as isize {
            return str_or_self(op, h.s, h.s);
        }
        let marg = width as usize - h.n;
        let (l, r) = match how {
            0 => {
                let l = marg / 2 + (marg & width as usize & 1);
                (l, marg - l)
            }
            1 => (0, marg),
            _ => (marg, 0),
        };
        let t = pad_text(h.s, l, r, fill)?;
        new_str(t.as_str())
    }
}

unsafe extern "C" fn str_center(op: *mut PyObject, args: *mut PyObject) -> *mut PyObject {
    // SAFETY: a str and an argument tuple.
    out(unsafe { justify("center", op, args, 0) })
}
unsafe extern "C" fn str_ljust(op: *mut PyObject, args: *mut PyObject) -> *mut PyObject {
    // SAFETY: a str and an argument tuple.
    out(unsafe { justify("ljust", op, args, 1) })
}
unsafe extern "C" fn str_rjust(op: *mut PyObject, args: *mut PyObject) -> *mut PyObject {
    // SAFETY: a str and an argument tuple.
    out(unsafe { justify("rjust", op, args, 2) })
}

unsafe extern "C" fn str_zfill(op: *mut PyObject, width: *mut PyObject) -> *mut PyObject {
    // SAFETY: a str and a live argument.
    out(unsafe {
        (|| {
            let width = ssize_arg(width)?;
            let h = this(op);
            if width <= h.n as isize {
                return str_or_self(op, h.s, h.s);
            }
            let fill = width as usize - h.n;
            let mut t = Text::new();
            t.reserve(h.s.len() + fill)?;
            match h.s.chars().next() {
                Some(sign @ ('+' | '-')) => {
                    t.push(sign)?;
                    t.push_repeat('0', fill)?;
                    t.push_str(&h.s[1..])?;
                }
                _ => {
                    t.push_repeat('0', fill)?;
                    t.push_str(h.s)?;
                }
            }
            new_str(t.as_str())
        })()
    })
}

unsafe extern "C" fn str_replace(op: *mut PyObject, args: *mut PyObject) -> *mut PyObject {
    // SAFETY: a str and an argument tuple.
    out(unsafe {
        (|| {
            let a = positional(args);
            clinic_count("replace", a.len(), 2, 3)?;
            for (i, &x) in a.iter().take(2).enumerate() {
                if str_as(x).is_none() {
                    set_format(
                        crate::exc!(TypeError),
                        format_args!(
                            "replace() argument {} must be str, not {}",
                            i + 1,
                            tp_name_of(x)
                        ),
                    );
                    return Err(Raised);
                }
            }
            let count = match a.get(2) {
                Some(&c) => ssize_arg(c)?,
                None => -1,
            };
            crate::objects::unicode_ops::replace(op, a[0], a[1], count)
        })()
    })
}

unsafe fn split_method(
    name: &str,
    op: *mut PyObject,
    args: *mut PyObject,
    kwargs: *mut PyObject,
    right: bool,
) -> Res<*mut PyObject> {
    // SAFETY: a str, an argument tuple and NULL or a dict.
    unsafe {
        let [sep, max] = keywords(name, args, kwargs, ["sep", "maxsplit"])?;
        let sep = if sep.is_null() || sep == crate::objects::object_ops::none() {
            None
        } else {
            match str_as(sep) {
                Some(s) => Some(s),
                None => {
                    set_format(
                        crate::exc!(TypeError),
                        format_args!("must be str or None, not {}", tp_name_of(sep)),
                    );
                    return Err(Raised);
                }
            }
        };
        let max = if max.is_null() { -1 } else { ssize_arg(max)? };
        let parts = split_parts(this(op).s, sep, max, right)?;
        list_of(&parts)
    }
}

unsafe extern "C" fn str_split(
    op: *mut PyObject,
    args: *mut PyObject,
    kw: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: a str, an argument tuple and NULL or a dict.
    out(unsafe { split_method("split", op, args, kw, false) })
}
unsafe extern "C" fn str_rsplit(
    op: *mut PyObject,
    args: *mut PyObject,
    kw: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: a str, an argument tuple and NULL or a dict.
    out(unsafe { split_method("rsplit", op, args, kw, true) })
}

unsafe extern "C" fn str_splitlines(
    op: *mut PyObject,
    args: *mut PyObject,
    kw: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: a str, an argument tuple and NULL or a dict.
    out(unsafe {
        (|| {
            let [keep] = keywords("splitlines", args, kw, ["keepends"])?;
            let keep = if keep.is_null() { 0 } else { int_arg(keep)? };
            list_of(&splitlines_parts(this(op).s, keep != 0)?)
        })()
    })
}

unsafe extern "C" fn str_expandtabs(
    op: *mut PyObject,
    args: *mut PyObject,
    kw: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: a str, an argument tuple and NULL or a dict.
    out(unsafe {
        (|| {
            let [size] = keywords("expandtabs", args, kw, ["tabsize"])?;
            let size = if size.is_null() { 8 } else { int_arg(size)? };
            let h = this(op);
            if !h.s.contains('\t') {
                return str_or_self(op, h.s, h.s);
            }
            let t = crate::objects::unicode_ops::expandtabs_text(h.s, size as isize)?;
            new_str(t.as_str())
        })()
    })
}

unsafe extern "C" fn str_join(op: *mut PyObject, seq: *mut PyObject) -> *mut PyObject {
    // SAFETY: a str and a live argument.
    out(unsafe { crate::objects::unicode_ops::join(op, seq) })
}

unsafe extern "C" fn str_partition(op: *mut PyObject, sep: *mut PyObject) -> *mut PyObject {
    // SAFETY: live objects.
    unsafe { crate::objects::unicode_ops::PyUnicode_Partition(op, sep) }
}
unsafe extern "C" fn str_rpartition(op: *mut PyObject, sep: *mut PyObject) -> *mut PyObject {
    // SAFETY: live objects.
    unsafe { crate::objects::unicode_ops::PyUnicode_RPartition(op, sep) }
}

unsafe fn remove_affix(
    name: &str,
    op: *mut PyObject,
    affix: *mut PyObject,
    prefix: bool,
) -> Res<*mut PyObject> {
    // SAFETY: a str and a live argument.
    unsafe {
        let Some(a) = str_as(affix) else {
            set_format(
                crate::exc!(TypeError),
                format_args!("{name}() argument must be str, not {}", tp_name_of(affix)),
            );
            return Err(Raised);
        };
        let s = this(op).s;
        let r = if prefix {
            s.strip_prefix(a)
        } else {
            s.strip_suffix(a)
        };
        str_or_self(op, s, r.unwrap_or(s))
    }
}

unsafe extern "C" fn str_removeprefix(op: *mut PyObject, a: *mut PyObject) -> *mut PyObject {
    // SAFETY: live objects.
    out(unsafe { remove_affix("removeprefix", op, a, true) })
}
unsafe extern "C" fn str_removesuffix(op: *mut PyObject, a: *mut PyObject) -> *mut PyObject {
    // SAFETY: live objects.
    out(unsafe { remove_affix("removesuffix", op, a, false) })
}

unsafe extern "C" fn str_sizeof(op: *mut PyObject, _: *mut PyObject) -> *mut PyObject {
    // SAFETY: a str: compact, with its UTF-8 form stored after the characters when not ASCII.
    unsafe {
        let h = this(op);
        let a = op as *mut crate::objects::unicodeobject::PyASCIIObject;
        let kind = (((*a).state >> 2) & 7) as usize;
        let n = if h.ascii {
            48 + h.n + 1
        } else {
            72 + (h.n + 1) * kind + h.s.len() + 1
        };
        int_out(n)
    }
}

unsafe extern "C" fn str_getnewargs(op: *mut PyObject, _: *mut PyObject) -> *mut PyObject {
    // SAFETY: a str; the copy is handed to the tuple.
    unsafe {
        let Ok(copy) = new_str(this(op).s) else {
            return null_mut();
        };
        crate::python::modsupport::tuple_from_owned(vec_of_one(copy))
    }
}

fn vec_of_one(o: *mut PyObject) -> Vec<*mut PyObject> {
    let mut v = Vec::new();
    if try_push(&mut v, o).is_err() {
        // The tuple maker reports the failure: an empty vector makes ().
        // SAFETY: releasing the owned reference.
        unsafe { decref(o) };
    }
    v
}

/// `str.translate(table)`: each character looked up in `table` by its ordinal.
unsafe extern "C" fn str_translate(op: *mut PyObject, table: *mut PyObject) -> *mut PyObject {
    // SAFETY: a str and a live table.
    out(unsafe { translate(op, table) })
}

pub(crate) unsafe fn translate(op: *mut PyObject, table: *mut PyObject) -> Res<*mut PyObject> {
    // SAFETY: a str and a live table.
    unsafe {
        let s = this(op).s;
        let mut t = Text::new();
        t.reserve(s.len())?;
        for c in s.chars() {
            let key = crate::objects::longobject::from_i128(c as u32 as i128);
            if key.is_null() {
                return Err(Raised);
            }
            let v = crate::objects::abstract_::get_item(table, key);
            decref(key);
            if v.is_null() {
                if crate::python::errors::matches(crate::exc!(LookupError)) {
                    crate::python::errors::restore(null_mut(), null_mut(), null_mut());
                    t.push(c)?;
                    continue;
                }
                return Err(Raised);
            }
            let r = (|| {
                if v == crate::objects::object_ops::none() {
                    return Ok(());
                }
                if crate::objects::longobject::is_long(v) {
                    let ch = crate::objects::longobject::value(v)
                        .and_then(|x| u32::try_from(x).ok())
                        .filter(|&x| x < 0x110000);
                    let Some(ch) = ch else {
                        set_string(
                            crate::exc!(ValueError),
                            "character mapping must be in range(0x110000)",
                        );
                        return Err(Raised);
                    };
                    match char::from_u32(ch) {
                        Some(ch) => t.push(ch)?,
                        None => {
                            set_string(
                                crate::exc!(ValueError),
                                "pycoro: strings cannot hold surrogate code points",
                            );
                            return Err(Raised);
                        }
                    }
                    return Ok(());
                }
                if let Some(m) = str_as(v) {
                    t.push_str(m)?;
                    return Ok(());
                }
                set_string(
                    crate::exc!(TypeError),
                    "character mapping must return integer, None or str",
                );
                Err(Raised)
            })();
            decref(v);
            r?;
        }
        new_str(t.as_str())
    }
}

/// `str.maketrans(x[, y[, z]])` (a static method).
unsafe extern "C" fn str_maketrans(_: *mut PyObject, args: *mut PyObject) -> *mut PyObject {
    // SAFETY: an argument tuple.
    out(unsafe { maketrans(args) })
}

unsafe fn maketrans(args: *mut PyObject) -> Res<*mut PyObject> {
    // SAFETY: an argument tuple; the dict made is released on failure.
    unsafe {
        let a = positional(args);
        clinic_count("maketrans", a.len(), 1, 3)?;
        for (i, &x) in a.iter().enumerate().skip(1) {
            if str_as(x).is_none() {
                set_format(
                    crate::exc!(TypeError),
                    format_args!(
                        "maketrans() argument {} must be str, not {}",
                        i + 1,
                        tp_name_of(x)
                    ),
                );
                return Err(Raised);
            }
        }
        let d = crate::objects::dictobject::new_dict();
        if d.is_null() {
            return Err(Raised);
        }
        let r = fill_maketrans(d, a);
        if r.is_err() {
            decref(d);
            return Err(Raised);
        }
        Ok(d)
    }
}

unsafe fn set_pair(d: *mut PyObject, k: i128, v: *mut PyObject) -> Res<()> {
    // SAFETY: a dict and a live value (borrowed).
    unsafe {
        let key = crate::objects::longobject::from_i128(k);
        if key.is_null() {
            return Err(Raised);
        }
        let r = crate::objects::dictobject::set_item(d, key, v);
        decref(key);
        if r < 0 { Err(Raised) } else { Ok(()) }
    }
}

unsafe fn fill_maketrans(d: *mut PyObject, a: &[*mut PyObject]) -> Res<()> {
    // SAFETY: a new dict and live arguments.
    unsafe {
        let x = a[0];
        if a.len() == 1 {
            if !crate::objects::dictobject::is_dict(x) {
                set_string(
                    crate::exc!(TypeError),
                    "if you give only one argument to maketrans it must be a dict",
                );
                return Err(Raised);
            }
            let mut at = 0;
            while let Some((k, v)) = crate::objects::dictobject::next_entry(x, &mut at) {
                if let Some(ks) = str_as(k) {
                    let mut it = ks.chars();
                    let (Some(c), None) = (it.next(), it.next()) else {
                        set_string(
                            crate::exc!(ValueError),
                            "string keys in translate table must be of length 1",
                        );
                        return Err(Raised);
                    };
                    set_pair(d, c as u32 as i128, v)?;
                } else if crate::objects::longobject::is_long(k) {
                    if crate::objects::dictobject::set_item(d, k, v) < 0 {
                        return Err(Raised);
                    }
                } else {
                    set_string(
                        crate::exc!(TypeError),
                        "keys in translate table must be strings or integers",
                    );
                    return Err(Raised);
                }
            }
            return Ok(());
        }
        let Some(xs) = str_as(x) else {
            set_string(
                crate::exc!(TypeError),
                "first maketrans argument must be a string if there is a second argument",
            );
            return Err(Raised);
        };
        let ys = str_as(a[1]).unwrap_or("");
        if xs.chars().count() != ys.chars().count() {
            set_string(
                crate::exc!(ValueError),
                "the first two maketrans arguments must have equal length",
            );
            return Err(Raised);
        }
        for (cx, cy) in xs.chars().zip(ys.chars()) {
            let v = crate::objects::longobject::from_i128(cy as u32 as i128);
            if v.is_null() {
                return Err(Raised);
            }
            let r = set_pair(d, cx as u32 as i128, v);
            decref(v);
            r?;
        }
        if let Some(&z) = a.get(2) {
            for cz in str_as(z).unwrap_or("").chars() {
                set_pair(d, cz as u32 as i128, crate::objects::object_ops::none())?;
            }
        }
        Ok(())
    }
}

unsafe extern "C" fn str_format(
    op: *mut PyObject,
    args: *mut PyObject,
    kw: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: a str, an argument tuple and NULL or a dict.
    unsafe { crate::objects::unicode_pformat::format_method(op, args, kw) }
}

unsafe extern "C" fn str_format_map(op: *mut PyObject, mapping: *mut PyObject) -> *mut PyObject {
    // SAFETY: a str and a live mapping.
    unsafe { crate::objects::unicode_pformat::format_map_method(op, mapping) }
}

unsafe extern "C" fn str_format_dunder(op: *mut PyObject, spec: *mut PyObject) -> *mut PyObject {
    // SAFETY: a str and a live spec.
    unsafe {
        let Some(spec) = str_as(spec) else {
            set_format(
                crate::exc!(TypeError),
                format_args!(
                    "__format__() argument must be str, not {}",
                    tp_name_of(spec)
                ),
            );
            return null_mut();
        };
        if spec.is_empty() && is_str_exact(op) {
            return new_ref(op);
        }
        crate::objects::unicode_pformat::format_str_spec(op, spec)
    }
}

/// A METH_VARARGS | METH_KEYWORDS function as the generic `PyCFunction` stored in a table.
const fn kw(
    f: unsafe extern "C" fn(*mut PyObject, *mut PyObject, *mut PyObject) -> *mut PyObject,
) -> unsafe extern "C" fn(*mut PyObject, *mut PyObject) -> *mut PyObject {
    // SAFETY: the caller reads the flags and calls it with three arguments.
    unsafe {
        core::mem::transmute::<
            unsafe extern "C" fn(*mut PyObject, *mut PyObject, *mut PyObject) -> *mut PyObject,
            unsafe extern "C" fn(*mut PyObject, *mut PyObject) -> *mut PyObject,
        >(f)
    }
}

/// str's methods, in CPython 3.10's order (docstrings as CPython's).
pub(crate) static mut STR_METHODS: [PyMethodDef; 50] = {
    use crate::objects::genobject::method;
    use crate::objects::methodobject::{
        METH_KEYWORDS, METH_NOARGS, METH_O, METH_STATIC, METH_VARARGS,
    };
    [
        method(
            c"replace",
            str_replace,
            METH_VARARGS,
            c"replace($self, old, new, count=-1, /)\n--\n\nReturn a copy with all occurrences of substring old replaced by new.\n\n  count\n    Maximum number of occurrences to replace.\n    -1 (the default value) means replace all occurrences.\n\nIf the optional argument count is given, only the first count occurrences are\nreplaced.",
        ),
        method(
            c"split",
            kw(str_split),
            METH_VARARGS | METH_KEYWORDS,
            c"split($self, /, sep=None, maxsplit=-1)\n--\n\nReturn a list of the substrings in the string, using sep as the separator string.\n\n  sep\n    The separator used to split the string.\n\n    When set to None (the default value), will split on any whitespace\n    character (including \\\\n \\\\r \\\\t \\\\f and spaces) and will discard\n    empty strings from the result.\n  maxsplit\n    Maximum number of splits (starting from the left).\n    -1 (the default value) means no limit.\n\nNote, str.split() is mainly useful for data that has been intentionally\ndelimited.  With natural text that includes punctuation, consider using\nthe regular expression module.",
        ),
        method(
            c"rsplit",
            kw(str_rsplit),
            METH_VARARGS | METH_KEYWORDS,
            c"rsplit($self, /, sep=None, maxsplit=-1)\n--\n\nReturn a list of the substrings in the string, using sep as the separator string.\n\n  sep\n    The separator used to split the string.\n\n    When set to None (the default value), will split on any whitespace\n    character (including \\\\n \\\\r \\\\t \\\\f and spaces) and will discard\n    empty strings from the result.\n  maxsplit\n    Maximum number of splits (starting from the left).\n    -1 (the default value) means no limit.\n\nSplitting starts at the end of the string and works to the front.",
        ),
        method(
            c"join",
            str_join,
            METH_O,
            c"join($self, iterable, /)\n--\n\nConcatenate any number of strings.\n\nThe string whose method is called is inserted in between each given string.\nThe result is returned as a new string.\n\nExample: '.'.join(['ab', 'pq', 'rs']) -> 'ab.pq.rs'",
        ),
        method(
            c"capitalize",
            str_capitalize,
            METH_NOARGS,
            c"capitalize($self, /)\n--\n\nReturn a capitalized version of the string.\n\nMore specifically, make the first character have upper case and the rest lower\ncase.",
        ),
        method(
            c"casefold",
            str_casefold,
            METH_NOARGS,
            c"casefold($self, /)\n--\n\nReturn a version of the string suitable for caseless comparisons.",
        ),
        method(
            c"title",
            str_title,
            METH_NOARGS,
            c"title($self, /)\n--\n\nReturn a version of the string where each word is titlecased.\n\nMore specifically, words start with uppercased characters and all remaining\ncased characters have lower case.",
        ),
        method(
            c"center",
            str_center,
            METH_VARARGS,
            c"center($self, width, fillchar=' ', /)\n--\n\nReturn a centered string of length width.\n\nPadding is done using the specified fill character (default is a space).",
        ),
        method(
            c"count",
            str_count,
            METH_VARARGS,
            c"S.count(sub[, start[, end]]) -> int\n\nReturn the number of non-overlapping occurrences of substring sub in\nstring S[start:end].  Optional arguments start and end are\ninterpreted as in slice notation.",
        ),
        method(
            c"expandtabs",
            kw(str_expandtabs),
            METH_VARARGS | METH_KEYWORDS,
            c"expandtabs($self, /, tabsize=8)\n--\n\nReturn a copy where all tab characters are expanded using spaces.\n\nIf tabsize is not given, a tab size of 8 characters is assumed.",
        ),
        method(
            c"find",
            str_find,
            METH_VARARGS,
            c"S.find(sub[, start[, end]]) -> int\n\nReturn the lowest index in S where substring sub is found,\nsuch that sub is contained within S[start:end].  Optional\narguments start and end are interpreted as in slice notation.\n\nReturn -1 on failure.",
        ),
        method(
            c"partition",
            str_partition,
            METH_O,
            c"partition($self, sep, /)\n--\n\nPartition the string into three parts using the given separator.\n\nThis will search for the separator in the string.  If the separator is found,\nreturns a 3-tuple containing the part before the separator, the separator\nitself, and the part after it.\n\nIf the separator is not found, returns a 3-tuple containing the original string\nand two empty strings.",
        ),
        method(
            c"index",
            str_index,
            METH_VARARGS,
            c"S.index(sub[, start[, end]]) -> int\n\nReturn the lowest index in S where substring sub is found,\nsuch that sub is contained within S[start:end].  Optional\narguments start and end are interpreted as in slice notation.\n\nRaises ValueError when the substring is not found.",
        ),
        method(
            c"ljust",
            str_ljust,
            METH_VARARGS,
            c"ljust($self, width, fillchar=' ', /)\n--\n\nReturn a left-justified string of length width.\n\nPadding is done using the specified fill character (default is a space).",
        ),
        method(
            c"lower",
            str_lower,
            METH_NOARGS,
            c"lower($self, /)\n--\n\nReturn a copy of the string converted to lowercase.",
        ),
        method(
            c"lstrip",
            str_lstrip,
            METH_VARARGS,
            c"lstrip($self, chars=None, /)\n--\n\nReturn a copy of the string with leading whitespace removed.\n\nIf chars is given and not None, remove characters in chars instead.",
        ),
        method(
            c"rfind",
            str_rfind,
            METH_VARARGS,
            c"S.rfind(sub[, start[, end]]) -> int\n\nReturn the highest index in S where substring sub is found,\nsuch that sub is contained within S[start:end].  Optional\narguments start and end are interpreted as in slice notation.\n\nReturn -1 on failure.",
        ),
        method(
            c"rindex",
            str_rindex,
            METH_VARARGS,
            c"S.rindex(sub[, start[, end]]) -> int\n\nReturn the highest index in S where substring sub is found,\nsuch that sub is contained within S[start:end].  Optional\narguments start and end are interpreted as in slice notation.\n\nRaises ValueError when the substring is not found.",
        ),
        method(
            c"rjust",
            str_rjust,
            METH_VARARGS,
            c"rjust($self, width, fillchar=' ', /)\n--\n\nReturn a right-justified string of length width.\n\nPadding is done using the specified fill character (default is a space).",
        ),
        method(
            c"rstrip",
            str_rstrip,
            METH_VARARGS,
            c"rstrip($self, chars=None, /)\n--\n\nReturn a copy of the string with trailing whitespace removed.\n\nIf chars is given and not None, remove characters in chars instead.",
        ),
        method(
            c"rpartition",
            str_rpartition,
            METH_O,
            c"rpartition($self, sep, /)\n--\n\nPartition the string into three parts using the given separator.\n\nThis will search for the separator in the string, starting at the end. If\nthe separator is found, returns a 3-tuple containing the part before the\nseparator, the separator itself, and the part after it.\n\nIf the separator is not found, returns a 3-tuple containing two empty strings\nand the original string.",
        ),
        method(
            c"splitlines",
            kw(str_splitlines),
            METH_VARARGS | METH_KEYWORDS,
            c"splitlines($self, /, keepends=False)\n--\n\nReturn a list of the lines in the string, breaking at line boundaries.\n\nLine breaks are not included in the resulting list unless keepends is given and\ntrue.",
        ),
        method(
            c"strip",
            str_strip,
            METH_VARARGS,
            c"strip($self, chars=None, /)\n--\n\nReturn a copy of the string with leading and trailing whitespace removed.\n\nIf chars is given and not None, remove characters in chars instead.",
        ),
        method(
            c"swapcase",
            str_swapcase,
            METH_NOARGS,
            c"swapcase($self, /)\n--\n\nConvert uppercase characters to lowercase and lowercase characters to uppercase.",
        ),
        method(
            c"translate",
            str_translate,
            METH_O,
            c"translate($self, table, /)\n--\n\nReplace each character in the string using the given translation table.\n\n  table\n    Translation table, which must be a mapping of Unicode ordinals to\n    Unicode ordinals, strings, or None.\n\nThe table must implement lookup/indexing via __getitem__, for instance a\ndictionary or list.  If this operation raises LookupError, the character is\nleft untouched.  Characters mapped to None are deleted.",
        ),
        method(
            c"upper",
            str_upper,
            METH_NOARGS,
            c"upper($self, /)\n--\n\nReturn a copy of the string converted to uppercase.",
        ),
        method(
            c"startswith",
            str_startswith,
            METH_VARARGS,
            c"S.startswith(prefix[, start[, end]]) -> bool\n\nReturn True if S starts with the specified prefix, False otherwise.\nWith optional start, test S beginning at that position.\nWith optional end, stop comparing S at that position.\nprefix can also be a tuple of strings to try.",
        ),
        method(
            c"endswith",
            str_endswith,
            METH_VARARGS,
            c"S.endswith(suffix[, start[, end]]) -> bool\n\nReturn True if S ends with the specified suffix, False otherwise.\nWith optional start, test S beginning at that position.\nWith optional end, stop comparing S at that position.\nsuffix can also be a tuple of strings to try.",
        ),
        method(
            c"removeprefix",
            str_removeprefix,
            METH_O,
            c"removeprefix($self, prefix, /)\n--\n\nReturn a str with the given prefix string removed if present.\n\nIf the string starts with the prefix string, return string[len(prefix):].\nOtherwise, return a copy of the original string.",
        ),
        method(
            c"removesuffix",
            str_removesuffix,
            METH_O,
            c"removesuffix($self, suffix, /)\n--\n\nReturn a str with the given suffix string removed if present.\n\nIf the string ends with the suffix string and that suffix is not empty,\nreturn string[:-len(suffix)]. Otherwise, return a copy of the original\nstring.",
        ),
        method(
            c"isascii",
            str_isascii,
            METH_NOARGS,
            c"isascii($self, /)\n--\n\nReturn True if all characters in the string are ASCII, False otherwise.\n\nASCII characters have code points in the range U+0000-U+007F.\nEmpty string is ASCII too.",
        ),
        method(
            c"islower",
            str_islower,
            METH_NOARGS,
            c"islower($self, /)\n--\n\nReturn True if the string is a lowercase string, False otherwise.\n\nA string is lowercase if all cased characters in the string are lowercase and\nthere is at least one cased character in the string.",
        ),
        method(
            c"isupper",
            str_isupper,
            METH_NOARGS,
            c"isupper($self, /)\n--\n\nReturn True if the string is an uppercase string, False otherwise.\n\nA string is uppercase if all cased characters in the string are uppercase and\nthere is at least one cased character in the string.",
        ),
        method(
            c"istitle",
            str_istitle,
            METH_NOARGS,
            c"istitle($self, /)\n--\n\nReturn True if the string is a title-cased string, False otherwise.\n\nIn a title-cased string, upper- and title-case characters may only\nfollow uncased characters and lowercase characters only cased ones.",
        ),
        method(
            c"isspace",
            str_isspace,
            METH_NOARGS,
            c"isspace($self, /)\n--\n\nReturn True if the string is a whitespace string, False otherwise.\n\nA string is whitespace if all characters in the string are whitespace and there\nis at least one character in the string.",
        ),
        method(
            c"isdecimal",
            str_isdecimal,
            METH_NOARGS,
            c"isdecimal($self, /)\n--\n\nReturn True if the string is a decimal string, False otherwise.\n\nA string is a decimal string if all characters in the string are decimal and\nthere is at least one character in the string.",
        ),
        method(
            c"isdigit",
            str_isdigit,
            METH_NOARGS,
            c"isdigit($self, /)\n--\n\nReturn True if the string is a digit string, False otherwise.\n\nA string is a digit string if all characters in the string are digits and there\nis at least one character in the string.",
        ),
        method(
            c"isnumeric",
            str_isnumeric,
            METH_NOARGS,
            c"isnumeric($self, /)\n--\n\nReturn True if the string is a numeric string, False otherwise.\n\nA string is numeric if all characters in the string are numeric and there is at\nleast one character in the string.",
        ),
        method(
            c"isalpha",
            str_isalpha,
            METH_NOARGS,
            c"isalpha($self, /)\n--\n\nReturn True if the string is an alphabetic string, False otherwise.\n\nA string is alphabetic if all characters in the string are alphabetic and there\nis at least one character in the string.",
        ),
        method(
            c"isalnum",
            str_isalnum,
            METH_NOARGS,
            c"isalnum($self, /)\n--\n\nReturn True if the string is an alpha-numeric string, False otherwise.\n\nA string is alpha-numeric if all characters in the string are alpha-numeric and\nthere is at least one character in the string.",
        ),
        method(
            c"isidentifier",
            str_isidentifier,
            METH_NOARGS,
            c"isidentifier($self, /)\n--\n\nReturn True if the string is a valid Python identifier, False otherwise.\n\nCall keyword.iskeyword(s) to test whether string s is a reserved identifier,\nsuch as \"def\" or \"class\".",
        ),
        method(
            c"isprintable",
            str_isprintable,
            METH_NOARGS,
            c"isprintable($self, /)\n--\n\nReturn True if the string is printable, False otherwise.\n\nA string is printable if all of its characters are considered printable in\nrepr() or if it is empty.",
        ),
        method(
            c"zfill",
            str_zfill,
            METH_O,
            c"zfill($self, width, /)\n--\n\nPad a numeric string with zeros on the left, to fill a field of the given width.\n\nThe string is never truncated.",
        ),
        method(
            c"format",
            kw(str_format),
            METH_VARARGS | METH_KEYWORDS,
            c"S.format(*args, **kwargs) -> str\n\nReturn a formatted version of S, using substitutions from args and kwargs.\nThe substitutions are identified by braces ('{' and '}').",
        ),
        method(
            c"format_map",
            str_format_map,
            METH_O,
            c"S.format_map(mapping) -> str\n\nReturn a formatted version of S, using substitutions from mapping.\nThe substitutions are identified by braces ('{' and '}').",
        ),
        method(
            c"__format__",
            str_format_dunder,
            METH_O,
            c"__format__($self, format_spec, /)\n--\n\nReturn a formatted version of the string as described by format_spec.",
        ),
        method(
            c"maketrans",
            str_maketrans,
            METH_VARARGS | METH_STATIC,
            c"maketrans(x, y=<unrepresentable>, z=<unrepresentable>, /)\n--\n\nReturn a translation table usable for str.translate().\n\nIf there is only one argument, it must be a dictionary mapping Unicode\nordinals (integers) or characters to Unicode ordinals, strings or None.\nCharacter keys will be then converted to ordinals.\nIf there are two arguments, they must be strings of equal length, and\nin the resulting dictionary, each character in x will be mapped to the\ncharacter at the same position in y. If there is a third argument, it\nmust be a string, whose characters will be mapped to None in the result.",
        ),
        method(
            c"__sizeof__",
            str_sizeof,
            METH_NOARGS,
            c"__sizeof__($self, /)\n--\n\nReturn the size of the string in memory, in bytes.",
        ),
        method(
            c"__getnewargs__",
            str_getnewargs,
            METH_NOARGS,
            c"",
        ),
        PyMethodDef::SENTINEL,
    ]
};

/// Whether `s` is a valid Python identifier (`s.isidentifier()`): 1 or 0; -1 with
/// `TypeError("must be str, not X")` for a non-str (CPython reads it as a string) and
/// `SystemError` for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyUnicode_IsIdentifier(s: *mut PyObject) -> core::ffi::c_int {
    crate::capi::boundary::check_null!(s, -1);
    // SAFETY: a live object.
    crate::capi::boundary::guard("PyUnicode_IsIdentifier", -1, || unsafe {
        match must_be_str(s) {
            Ok(h) => is_identifier(h.s) as core::ffi::c_int,
            Err(Raised) => -1,
        }
    })
}
