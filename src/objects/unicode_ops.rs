//! `str`'s sequence and mapping protocols, its iterator (`str_iterator`) and the exported
//! string operations of `Include/unicodeobject.h` (`PyUnicode_Concat`, `PyUnicode_Join`,
//! `PyUnicode_Split`, `PyUnicode_Find`, `PyUnicode_Replace`, ...), with CPython 3.10's
//! results and messages.
//!
//! Indexes are in code points, as in Python; pycoro strings are valid UTF-8 text (no lone
//! surrogates), so the algorithms work on `&str` and convert code point indexes to byte offsets
//! where needed. Every result grows through the fallible buffers of `capi/fallible.rs`.
//!
//! Not here: slicing (`s[1:2]`) needs slice objects, which pycoro does not have yet (issue 12);
//! a subscript that is not an integer raises `TypeError: string indices must be integers`.

use crate::capi::boundary::{check_null, guard};
use crate::capi::fallible::{NoMemory, Text, try_push};
use crate::capi::ffi::{decref, new_ref, size, ty, xdecref};
use crate::objects::object::*;
use crate::objects::typeobject::{static_type, tp_name_of};
use crate::objects::unicodeobject::{
    PyASCIIObject, canonical_bytes, is_str_exact, str_as, str_from,
};
use crate::python::errors::{set_format, set_string};
use core::ffi::{c_int, c_void};
use core::mem::size_of;
use core::ptr::null_mut;
use static_assertions::const_assert_eq;

/// An exception is set.
pub(crate) struct Raised;

pub(crate) type Res<T> = Result<T, Raised>;

impl From<NoMemory> for Raised {
    fn from(_: NoMemory) -> Self {
        // SAFETY: setting the error indicator.
        unsafe { crate::python::errors::no_memory() };
        Raised
    }
}

/// A pycoro str seen as text: its UTF-8 form, its length in code points and whether it is
/// ASCII (then byte offsets are code point indexes).
#[derive(Clone, Copy)]
pub(crate) struct Str<'a> {
    pub(crate) s: &'a str,
    pub(crate) n: usize,
    pub(crate) ascii: bool,
}

impl<'a> Str<'a> {
    /// The text of `op`, if it is a str.
    pub(crate) unsafe fn of(op: *mut PyObject) -> Option<Str<'a>> {
        // SAFETY: a live object; strs carry their length and state.
        unsafe {
            let s = str_as(op)?;
            let a = op as *mut PyASCIIObject;
            Some(Str {
                s,
                n: (*a).length as usize,
                ascii: (*a).state & (1 << 6) != 0,
            })
        }
    }

    /// Text not (necessarily) backed by an object.
    pub(crate) fn text(s: &'a str) -> Str<'a> {
        let ascii = s.is_ascii();
        Str {
            s,
            n: if ascii { s.len() } else { s.chars().count() },
            ascii,
        }
    }

    /// The byte offset of code point `i` (the end for `i >= n`).
    pub(crate) fn byte(&self, i: usize) -> usize {
        if i >= self.n {
            self.s.len()
        } else if self.ascii {
            i
        } else {
            self.s
                .char_indices()
                .nth(i)
                .map_or(self.s.len(), |(b, _)| b)
        }
    }

    /// Code points `lo..hi` (clamped).
    pub(crate) fn sub(&self, lo: usize, hi: usize) -> &'a str {
        let lo = self.byte(lo);
        let hi = self.byte(hi).max(lo);
        &self.s[lo..hi]
    }
}

/// The text of a str argument, else `TypeError: must be str, not X` (CPython's
/// `ensure_unicode`).
pub(crate) unsafe fn must_be_str<'a>(op: *mut PyObject) -> Res<Str<'a>> {
    // SAFETY: a live object.
    unsafe {
        match Str::of(op) {
            Some(s) => Ok(s),
            None => {
                set_format(
                    crate::exc!(TypeError),
                    format_args!("must be str, not {}", tp_name_of(op)),
                );
                Err(Raised)
            }
        }
    }
}

/// A new str, or `Raised` (MemoryError).
pub(crate) unsafe fn new_str(s: &str) -> Res<*mut PyObject> {
    // SAFETY: creating a str.
    let r = unsafe { str_from(s) };
    if r.is_null() { Err(Raised) } else { Ok(r) }
}

/// `op` itself when it is an exact str whose whole text is `part`, else a new str.
pub(crate) unsafe fn str_or_self(op: *mut PyObject, whole: &str, part: &str) -> Res<*mut PyObject> {
    // SAFETY: a live str.
    unsafe {
        if part.len() == whole.len() && is_str_exact(op) {
            Ok(new_ref(op))
        } else {
            new_str(part)
        }
    }
}

/// The C-level result of a `Res<*mut PyObject>`: the object or NULL.
pub(crate) fn out(r: Res<*mut PyObject>) -> *mut PyObject {
    r.unwrap_or(null_mut())
}

/// A list of new strs made from `parts`. Return value: New reference.
pub(crate) unsafe fn list_of(parts: &[&str]) -> Res<*mut PyObject> {
    // SAFETY: every item made is handed to the list (released with it on failure).
    unsafe {
        let mut items: Vec<*mut PyObject> = Vec::new();
        crate::capi::fallible::try_reserve(&mut items, parts.len())?;
        for p in parts {
            match new_str(p) {
                Ok(o) => items.push(o),
                Err(e) => {
                    crate::objects::listobject::release_all(items);
                    return Err(e);
                }
            }
        }
        let l = crate::objects::listobject::list_from_owned(items);
        if l.is_null() { Err(Raised) } else { Ok(l) }
    }
}

/// A tuple of three new strs.
pub(crate) unsafe fn triple(a: &str, b: &str, c: &str) -> Res<*mut PyObject> {
    // SAFETY: the strs made are owned and handed over.
    unsafe {
        let mut items = Vec::new();
        crate::capi::fallible::try_reserve(&mut items, 3)?;
        for p in [a, b, c] {
            match new_str(p) {
                Ok(o) => items.push(o),
                Err(e) => {
                    crate::objects::listobject::release_all(items);
                    return Err(e);
                }
            }
        }
        let t = crate::python::modsupport::tuple_from_owned(items);
        if t.is_null() { Err(Raised) } else { Ok(t) }
    }
}

// ---- character classes fixed by the language (not the Unicode database's letters) ----

/// `str.isspace()` for one character: CPython 3.10's whitespace (bidirectional class WS, B or
/// S, or category Zs).
pub(crate) fn is_space(c: char) -> bool {
    matches!(c as u32,
        0x09..=0x0d | 0x1c..=0x20 | 0x85 | 0xa0 | 0x1680 | 0x2000..=0x200a | 0x2028 | 0x2029
        | 0x202f | 0x205f | 0x3000)
}

/// The line boundaries of `str.splitlines()`.
pub(crate) fn is_linebreak(c: char) -> bool {
    matches!(
        c as u32,
        0x0a..=0x0d | 0x1c..=0x1e | 0x85 | 0x2028 | 0x2029
    )
}

// ---- the algorithms ----

/// CPython's `ADJUST_INDICES`: negative indexes count from the end, both clamped below at 0,
/// `end` clamped above at the length. `start` may stay past the end.
pub(crate) fn adjust(start: isize, end: isize, len: usize) -> (usize, usize) {
    let len = len as isize;
    let end = if end > len {
        len
    } else if end < 0 {
        (end + len).max(0)
    } else {
        end
    };
    let start = if start < 0 {
        (start + len).max(0)
    } else {
        start
    };
    (start as usize, end as usize)
}

/// `str.find`/`rfind` over code points `start..end`: the index, or None.
pub(crate) fn find(
    h: Str<'_>,
    sub: &str,
    start: isize,
    end: isize,
    forward: bool,
) -> Option<usize> {
    let (start, end) = adjust(start, end, h.n);
    let sublen = Str::text(sub).n;
    if start > end || end - start < sublen {
        return None;
    }
    let (bs, be) = (h.byte(start), h.byte(end));
    let hay = &h.s[bs..be];
    let at = if forward {
        hay.find(sub)
    } else {
        hay.rfind(sub)
    }?;
    Some(start + Str::text(&hay[..at]).n)
}

/// `str.count` over code points `start..end` (non-overlapping occurrences).
pub(crate) fn count(h: Str<'_>, sub: &str, start: isize, end: isize) -> usize {
    let (start, end) = adjust(start, end, h.n);
    if start > end {
        return 0;
    }
    if sub.is_empty() {
        return end - start + 1;
    }
    let hay = &h.s[h.byte(start)..h.byte(end)];
    hay.matches(sub).count()
}

/// CPython's `tailmatch`: whether `sub` is at the start (`direction <= 0`) or the end of code
/// points `start..end`.
pub(crate) fn tailmatch(h: Str<'_>, sub: &str, start: isize, end: isize, direction: c_int) -> bool {
    let (start, end) = adjust(start, end, h.n);
    let sublen = Str::text(sub).n;
    if end < sublen || end - sublen < start {
        return false;
    }
    if sublen == 0 {
        return true;
    }
    let hay = &h.s[h.byte(start)..h.byte(end)];
    if direction > 0 {
        hay.ends_with(sub)
    } else {
        hay.starts_with(sub)
    }
}

/// Splits on runs of whitespace, at most `max` times, from the left.
fn split_ws(s: &str, max: usize) -> Result<Vec<&str>, NoMemory> {
    let mut out = Vec::new();
    let mut rest = s.trim_start_matches(is_space);
    while !rest.is_empty() {
        if out.len() == max {
            try_push(&mut out, rest)?;
            break;
        }
        let end = rest.find(is_space).unwrap_or(rest.len());
        try_push(&mut out, &rest[..end])?;
        rest = rest[end..].trim_start_matches(is_space);
    }
    Ok(out)
}

/// Splits on runs of whitespace, at most `max` times, from the right (parts in order).
fn rsplit_ws(s: &str, max: usize) -> Result<Vec<&str>, NoMemory> {
    let mut out = Vec::new();
    let mut rest = s.trim_end_matches(is_space);
    while !rest.is_empty() {
        if out.len() == max {
            try_push(&mut out, rest)?;
            break;
        }
        let start = rest.rfind(is_space).map_or(0, |i| {
            i + rest[i..].chars().next().map_or(1, |c| c.len_utf8())
        });
        try_push(&mut out, &rest[start..])?;
        rest = rest[..start].trim_end_matches(is_space);
    }
    out.reverse();
    Ok(out)
}

/// `str.split(sep, maxsplit)` / `str.rsplit` as parts of `s`; `sep` None splits on whitespace.
/// An empty separator raises `ValueError: empty separator`.
pub(crate) unsafe fn split_parts<'a>(
    s: &'a str,
    sep: Option<&str>,
    maxsplit: isize,
    right: bool,
) -> Res<Vec<&'a str>> {
    let max = if maxsplit < 0 {
        usize::MAX
    } else {
        maxsplit as usize
    };
    match sep {
        None if right => Ok(rsplit_ws(s, max)?),
        None => Ok(split_ws(s, max)?),
        Some("") => {
            // SAFETY: setting the error indicator.
            unsafe { set_string(crate::exc!(ValueError), "empty separator") };
            Err(Raised)
        }
        Some(sep) => {
            let mut out = Vec::new();
            let n = max.saturating_add(1);
            if right {
                for p in s.rsplitn(n, sep) {
                    try_push(&mut out, p)?;
                }
                out.reverse();
            } else {
                for p in s.splitn(n, sep) {
                    try_push(&mut out, p)?;
                }
            }
            Ok(out)
        }
    }
}

/// `str.splitlines(keepends)` as parts of `s`.
pub(crate) fn splitlines_parts(s: &str, keepends: bool) -> Result<Vec<&str>, NoMemory> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut it = s.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        if !is_linebreak(c) {
            continue;
        }
        let mut end = i + c.len_utf8();
        if c == '\r' && it.peek().map(|&(_, d)| d) == Some('\n') {
            it.next();
            end += 1;
        }
        try_push(
            &mut out,
            if keepends {
                &s[start..end]
            } else {
                &s[start..i]
            },
        )?;
        start = end;
    }
    if start < s.len() {
        try_push(&mut out, &s[start..])?;
    }
    Ok(out)
}

/// `str.replace(old, new, count)`; `count < 0` replaces every occurrence.
pub(crate) unsafe fn replace_text(h: Str<'_>, old: &str, new: &str, count: isize) -> Res<Text> {
    let max = if count < 0 {
        usize::MAX
    } else {
        count as usize
    };
    // The result's length in code points must fit a Py_ssize_t (CPython's check).
    let (oldn, newn) = (Str::text(old).n, Str::text(new).n);
    let found = if old.is_empty() {
        (h.n + 1).min(max)
    } else {
        h.s.matches(old).take(max).count()
    };
    let total =
        (found as u128 * newn as u128 + h.n as u128).checked_sub(found as u128 * oldn as u128);
    if total.is_none_or(|t| t > isize::MAX as u128) {
        // SAFETY: setting the error indicator.
        unsafe { set_string(crate::exc!(OverflowError), "replace string is too long") };
        return Err(Raised);
    }
    let mut t = Text::new();
    if old.is_empty() {
        let mut done = 0;
        for c in h.s.chars() {
            if done < max {
                t.push_str(new)?;
                done += 1;
            }
            t.push(c)?;
        }
        if done < max {
            t.push_str(new)?;
        }
        return Ok(t);
    }
    let mut last = 0;
    for (i, _) in h.s.match_indices(old).take(max) {
        t.push_str(&h.s[last..i])?;
        t.push_str(new)?;
        last = i + old.len();
    }
    t.push_str(&h.s[last..])?;
    Ok(t)
}

/// `str.expandtabs(tabsize)`.
pub(crate) unsafe fn expandtabs_text(s: &str, tabsize: isize) -> Res<Text> {
    let mut t = Text::new();
    let mut col: usize = 0;
    for c in s.chars() {
        if c == '\t' {
            if tabsize > 0 {
                let incr = tabsize as usize - col % tabsize as usize;
                col = col.saturating_add(incr);
                if col > isize::MAX as usize {
                    // SAFETY: setting the error indicator.
                    unsafe { set_string(crate::exc!(OverflowError), "new string is too long") };
                    return Err(Raised);
                }
                t.push_repeat(' ', incr)?;
            }
        } else {
            t.push(c)?;
            col = if c == '\n' || c == '\r' { 0 } else { col + 1 };
        }
    }
    Ok(t)
}

/// `center`/`ljust`/`rjust`: `s` padded with `fill` to `width` code points; `left` is the
/// padding before the text.
pub(crate) fn pad_text(s: &str, left: usize, right: usize, fill: char) -> Result<Text, NoMemory> {
    let mut t = Text::new();
    t.reserve(s.len() + (left + right).saturating_mul(fill.len_utf8()))?;
    t.push_repeat(fill, left)?;
    t.push_str(s)?;
    t.push_repeat(fill, right)?;
    Ok(t)
}

/// Joins the str items of a snapshot with `sep`.
unsafe fn join_items(sep: *mut PyObject, items: &[*mut PyObject]) -> Res<*mut PyObject> {
    // SAFETY: live objects.
    unsafe {
        if items.is_empty() {
            return new_str("");
        }
        if items.len() == 1 && is_str_exact(items[0]) {
            return Ok(new_ref(items[0]));
        }
        let sep = if sep.is_null() {
            " "
        } else {
            match str_as(sep) {
                Some(s) => s,
                None => {
                    set_format(
                        crate::exc!(TypeError),
                        format_args!(
                            "separator: expected str instance, {} found",
                            tp_name_of(sep)
                        ),
                    );
                    return Err(Raised);
                }
            }
        };
        let mut total = sep.len().saturating_mul(items.len() - 1);
        for (i, &o) in items.iter().enumerate() {
            match str_as(o) {
                Some(s) => total = total.saturating_add(s.len()),
                None => {
                    set_format(
                        crate::exc!(TypeError),
                        format_args!(
                            "sequence item {i}: expected str instance, {} found",
                            tp_name_of(o)
                        ),
                    );
                    return Err(Raised);
                }
            }
        }
        let mut t = Text::new();
        t.reserve(total)?;
        for (i, &o) in items.iter().enumerate() {
            if i > 0 {
                t.push_str(sep)?;
            }
            t.push_str(str_as(o).unwrap_or(""))?;
        }
        new_str(t.as_str())
    }
}

/// New references to the items of an iterable (a list or tuple read at once, anything else
/// iterated); `TypeError(msg)` when it is not iterable (CPython's `PySequence_Fast`).
pub(crate) unsafe fn items_of(seq: *mut PyObject, msg: &str) -> Res<Vec<*mut PyObject>> {
    // SAFETY: live objects; every reference taken is owned by the vector.
    unsafe {
        if crate::objects::tupleobject::is_tuple(seq) {
            let mut v = Vec::new();
            let items = crate::objects::tupleobject::as_slice(seq);
            crate::capi::fallible::try_reserve(&mut v, items.len())?;
            for &o in items {
                v.push(new_ref(o));
            }
            return Ok(v);
        }
        if crate::objects::listobject::is_list(seq) {
            return crate::objects::listobject::snapshot(seq, 0, size(seq)).ok_or(Raised);
        }
        let it = crate::objects::iterobject::get_iter(seq);
        if it.is_null() {
            if crate::python::errors::matches(crate::exc!(TypeError)) {
                set_string(crate::exc!(TypeError), msg);
            }
            return Err(Raised);
        }
        let mut v = Vec::new();
        // `get_iter` returns iterators only: they have `tp_iternext`.
        let Some(next) = (*ty(it)).tp_iternext else {
            decref(it);
            return Ok(v);
        };
        loop {
            let o = next(it);
            if o.is_null() {
                if !crate::python::errors::occurred().is_null() {
                    if crate::python::errors::matches(crate::exc!(StopIteration)) {
                        crate::python::errors::restore(null_mut(), null_mut(), null_mut());
                    } else {
                        decref(it);
                        crate::objects::listobject::release_all(v);
                        return Err(Raised);
                    }
                }
                break;
            }
            if try_push(&mut v, o).is_err() {
                decref(o);
                decref(it);
                crate::objects::listobject::release_all(v);
                return Err(Raised::from(NoMemory));
            }
        }
        decref(it);
        Ok(v)
    }
}

/// `PyUnicode_Join` without the NULL test.
pub(crate) unsafe fn join(sep: *mut PyObject, seq: *mut PyObject) -> Res<*mut PyObject> {
    // SAFETY: live objects; the snapshot's references are released.
    unsafe {
        let items = items_of(seq, "can only join an iterable")?;
        let r = join_items(sep, &items);
        crate::objects::listobject::release_all(items);
        r
    }
}

// ---- str's protocol slots ----

pub(crate) unsafe extern "C" fn str_concat(a: *mut PyObject, b: *mut PyObject) -> *mut PyObject {
    // SAFETY: live objects.
    out(unsafe { concat(a, b) })
}

unsafe fn concat(a: *mut PyObject, b: *mut PyObject) -> Res<*mut PyObject> {
    // SAFETY: live objects.
    unsafe {
        let x = must_be_str(a)?;
        let Some(y) = Str::of(b) else {
            set_format(
                crate::exc!(TypeError),
                format_args!(
                    "can only concatenate str (not \"{}\") to str",
                    tp_name_of(b)
                ),
            );
            return Err(Raised);
        };
        if x.s.is_empty() && is_str_exact(b) {
            return Ok(new_ref(b));
        }
        if y.s.is_empty() && is_str_exact(a) {
            return Ok(new_ref(a));
        }
        if x.n.checked_add(y.n).is_none_or(|n| n > isize::MAX as usize) {
            set_string(
                crate::exc!(OverflowError),
                "strings are too large to concat",
            );
            return Err(Raised);
        }
        let mut t = Text::new();
        t.reserve(x.s.len() + y.s.len())?;
        t.push_str(x.s)?;
        t.push_str(y.s)?;
        new_str(t.as_str())
    }
}

unsafe fn contains(container: *mut PyObject, element: *mut PyObject) -> Res<bool> {
    // SAFETY: live objects.
    unsafe {
        let h = must_be_str(container)?;
        let Some(e) = str_as(element) else {
            set_format(
                crate::exc!(TypeError),
                format_args!(
                    "'in <string>' requires string as left operand, not {}",
                    tp_name_of(element)
                ),
            );
            return Err(Raised);
        };
        Ok(h.s.contains(e))
    }
}

pub(crate) unsafe extern "C" fn str_contains(op: *mut PyObject, v: *mut PyObject) -> c_int {
    // SAFETY: live objects.
    match unsafe { contains(op, v) } {
        Ok(b) => b as c_int,
        Err(Raised) => -1,
    }
}

pub(crate) unsafe extern "C" fn str_repeat(op: *mut PyObject, n: Py_ssize_t) -> *mut PyObject {
    // SAFETY: a str.
    out(unsafe { repeat(op, n) })
}

unsafe fn repeat(op: *mut PyObject, n: Py_ssize_t) -> Res<*mut PyObject> {
    // SAFETY: a str.
    unsafe {
        let s = must_be_str(op)?;
        if n <= 0 || s.n == 0 {
            return new_str("");
        }
        if n == 1 && is_str_exact(op) {
            return Ok(new_ref(op));
        }
        if s.n
            .checked_mul(n as usize)
            .is_none_or(|t| t > isize::MAX as usize)
        {
            set_string(crate::exc!(OverflowError), "repeated string is too long");
            return Err(Raised);
        }
        let mut t = Text::new();
        t.reserve(s.s.len().saturating_mul(n as usize))?;
        for _ in 0..n {
            t.push_str(s.s)?;
        }
        new_str(t.as_str())
    }
}

/// The character at code point `i` of a str (in range) as a new one-character str.
unsafe fn char_at(op: *mut PyObject, i: usize) -> Res<*mut PyObject> {
    // SAFETY: a str with more than `i` code points.
    unsafe {
        let a = op as *mut PyASCIIObject;
        let kind = (((*a).state >> 2) & 7) as usize;
        let data = canonical_bytes(op);
        let v = match kind {
            1 => data[i] as u32,
            2 => u16::from_ne_bytes([data[2 * i], data[2 * i + 1]]) as u32,
            _ => u32::from_ne_bytes([
                data[4 * i],
                data[4 * i + 1],
                data[4 * i + 2],
                data[4 * i + 3],
            ]),
        };
        let c = char::from_u32(v).unwrap_or('\u{fffd}');
        let mut buf = [0u8; 4];
        new_str(c.encode_utf8(&mut buf))
    }
}

pub(crate) unsafe extern "C" fn str_item(op: *mut PyObject, i: Py_ssize_t) -> *mut PyObject {
    // SAFETY: a str.
    unsafe {
        let n = (*(op as *mut PyASCIIObject)).length;
        if i < 0 || i >= n {
            set_string(crate::exc!(IndexError), "string index out of range");
            return null_mut();
        }
        out(char_at(op, i as usize))
    }
}

pub(crate) unsafe extern "C" fn str_subscript(
    op: *mut PyObject,
    key: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: a str and a live key.
    unsafe {
        let nb = (*ty(key)).tp_as_number;
        let indexable =
            crate::objects::longobject::is_long(key) || (!nb.is_null() && (*nb).nb_index.is_some());
        if !indexable {
            set_string(crate::exc!(TypeError), "string indices must be integers");
            return null_mut();
        }
        let mut i = crate::objects::longobject::index_as_ssize(key);
        if i == -1 && !crate::python::errors::occurred().is_null() {
            if crate::python::errors::matches(crate::exc!(OverflowError)) {
                set_format(
                    crate::exc!(IndexError),
                    format_args!(
                        "cannot fit '{}' into an index-sized integer",
                        tp_name_of(key)
                    ),
                );
            }
            return null_mut();
        }
        if i < 0 {
            i += (*(op as *mut PyASCIIObject)).length;
        }
        str_item(op, i)
    }
}

pub(crate) unsafe extern "C" fn str_richcompare(
    a: *mut PyObject,
    b: *mut PyObject,
    op: c_int,
) -> *mut PyObject {
    // SAFETY: live objects.
    unsafe {
        let (Some(x), Some(y)) = (str_as(a), str_as(b)) else {
            return new_ref(crate::objects::object_ops::not_implemented());
        };
        if !(Py_LT..=Py_GE).contains(&op) {
            crate::python::errors::PyErr_BadArgument();
            return null_mut();
        }
        // UTF-8 byte order is code point order.
        crate::objects::object_ops::compare_result(x.as_bytes().cmp(y.as_bytes()), op)
    }
}

// ---- str_iterator ----

/// CPython's `unicodeiterobject` (32 bytes).
#[repr(C)]
struct StrIterObject {
    ob_base: PyObject,
    it_index: Py_ssize_t,
    /// NULL once exhausted.
    it_seq: *mut PyObject,
}

const_assert_eq!(size_of::<StrIterObject>(), 32);

pub(crate) unsafe extern "C" fn str_iter(op: *mut PyObject) -> *mut PyObject {
    // SAFETY: a str; the iterator holds a reference to it.
    unsafe {
        let it = crate::modules::gcmodule::alloc_object(
            &raw mut PyUnicodeIter_Type,
            size_of::<StrIterObject>(),
        ) as *mut StrIterObject;
        if it.is_null() {
            return null_mut();
        }
        (*it).it_index = 0;
        (*it).it_seq = new_ref(op);
        crate::modules::gcmodule::track(it as *mut PyObject);
        it as *mut PyObject
    }
}

unsafe extern "C" fn striter_dealloc(op: *mut PyObject) {
    // SAFETY: a dying str iterator.
    unsafe {
        crate::modules::gcmodule::untrack(op);
        xdecref((*(op as *mut StrIterObject)).it_seq);
        crate::modules::gcmodule::free_object(op);
    }
}

unsafe extern "C" fn striter_traverse(
    op: *mut PyObject,
    visit: visitproc,
    arg: *mut c_void,
) -> c_int {
    // SAFETY: a live str iterator.
    crate::capi::ffi::py_visit!(unsafe { (*(op as *mut StrIterObject)).it_seq }, visit, arg);
    0
}

unsafe extern "C" fn striter_next(op: *mut PyObject) -> *mut PyObject {
    // SAFETY: a str iterator.
    unsafe {
        let it = op as *mut StrIterObject;
        let seq = (*it).it_seq;
        if seq.is_null() {
            return null_mut();
        }
        if (*it).it_index < (*(seq as *mut PyASCIIObject)).length {
            let r = out(char_at(seq, (*it).it_index as usize));
            if !r.is_null() {
                (*it).it_index += 1;
            }
            return r;
        }
        (*it).it_seq = null_mut();
        decref(seq);
        null_mut()
    }
}

unsafe extern "C" fn striter_length_hint(op: *mut PyObject, _: *mut PyObject) -> *mut PyObject {
    // SAFETY: a str iterator.
    unsafe {
        let it = op as *mut StrIterObject;
        let n = if (*it).it_seq.is_null() {
            0
        } else {
            (*((*it).it_seq as *mut PyASCIIObject)).length - (*it).it_index
        };
        crate::objects::longobject::from_i128(n.max(0) as i128)
    }
}

unsafe extern "C" fn striter_setstate(op: *mut PyObject, state: *mut PyObject) -> *mut PyObject {
    // SAFETY: a str iterator and a live state.
    unsafe {
        let Some(i) = crate::objects::longobject::to_signed(
            state,
            Some("an integer is required"),
            isize::MIN as i128,
            isize::MAX as i128,
            "ssize_t",
        ) else {
            return null_mut();
        };
        let i = i as isize;
        let it = op as *mut StrIterObject;
        if !(*it).it_seq.is_null() {
            let n = (*((*it).it_seq as *mut PyASCIIObject)).length;
            (*it).it_index = i.clamp(0, n);
        }
        new_ref(crate::objects::object_ops::none())
    }
}

static mut STRITER_METHODS: [crate::objects::methodobject::PyMethodDef; 3] = {
    use crate::objects::genobject::method;
    use crate::objects::methodobject::{METH_NOARGS, METH_O};
    [
        method(
            c"__length_hint__",
            striter_length_hint,
            METH_NOARGS,
            c"Private method returning an estimate of len(list(it)).",
        ),
        method(
            c"__setstate__",
            striter_setstate,
            METH_O,
            c"Set state information for unpickling.",
        ),
        crate::objects::methodobject::PyMethodDef::SENTINEL,
    ]
};

/// The type `str_iterator`.
#[unsafe(no_mangle)]
pub static mut PyUnicodeIter_Type: PyTypeObject = PyTypeObject {
    tp_getattro: Some(crate::objects::object_ops::PyObject_GenericGetAttr),
    tp_dealloc: Some(striter_dealloc),
    tp_traverse: Some(striter_traverse),
    tp_iter: Some(crate::objects::iterobject::PyObject_SelfIter),
    tp_iternext: Some(striter_next),
    tp_methods: (&raw mut STRITER_METHODS) as *mut crate::objects::methodobject::PyMethodDef,
    ..static_type(
        c"str_iterator",
        size_of::<StrIterObject>(),
        Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_DISALLOW_INSTANTIATION,
    )
};

// ---- the exported operations ----

/// Concatenates two strs.
///
/// Return value: New reference, or NULL with an exception set: `TypeError("must be str, not
/// X")` when `left` is not a str, `TypeError('can only concatenate str (not "X") to str')`
/// when `right` is not; `SystemError` for NULL (CPython crashes).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyUnicode_Concat(
    left: *mut PyObject,
    right: *mut PyObject,
) -> *mut PyObject {
    check_null!(left, null_mut());
    check_null!(right, null_mut());
    // SAFETY: live objects.
    guard("PyUnicode_Concat", null_mut(), || unsafe {
        str_concat(left, right)
    })
}

/// Whether `element` (a str) occurs in `container` (a str): 1 or 0, or -1 with `TypeError`
/// set (`must be str, not X` for the container, `'in <string>' requires string as left
/// operand, not X` for the element); `SystemError` for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyUnicode_Contains(
    container: *mut PyObject,
    element: *mut PyObject,
) -> c_int {
    check_null!(container, -1);
    check_null!(element, -1);
    // SAFETY: live objects.
    guard("PyUnicode_Contains", -1, || unsafe {
        str_contains(container, element)
    })
}

/// Compares two strs with the rich comparison `op` (`Py_LT` .. `Py_GE`).
///
/// Return value: New reference: `True`/`False`, or `NotImplemented` when either is not a str;
/// NULL with an exception set for an invalid `op` (`TypeError: bad argument type for built-in
/// operation`; CPython aborts) or NULL arguments (`SystemError`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyUnicode_RichCompare(
    left: *mut PyObject,
    right: *mut PyObject,
    op: c_int,
) -> *mut PyObject {
    check_null!(left, null_mut());
    check_null!(right, null_mut());
    // SAFETY: live objects.
    guard("PyUnicode_RichCompare", null_mut(), || unsafe {
        str_richcompare(left, right, op)
    })
}

/// Joins the strs of the iterable `seq` with `separator` between them (a space when
/// `separator` is NULL).
///
/// Return value: New reference, or NULL with an exception set: `TypeError("can only join an
/// iterable")`, `TypeError("sequence item N: expected str instance, X found")`,
/// `TypeError("separator: expected str instance, X found")` (checked only when there are two
/// or more items, as in CPython); `SystemError` when `seq` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyUnicode_Join(
    separator: *mut PyObject,
    seq: *mut PyObject,
) -> *mut PyObject {
    check_null!(seq, null_mut());
    // SAFETY: live objects.
    guard("PyUnicode_Join", null_mut(), || {
        out(unsafe { join(separator, seq) })
    })
}

unsafe fn split_common(
    s: *mut PyObject,
    sep: *mut PyObject,
    maxsplit: Py_ssize_t,
    right: bool,
) -> Res<*mut PyObject> {
    // SAFETY: live objects.
    unsafe {
        let h = must_be_str(s)?;
        let sep = if sep.is_null() {
            None
        } else {
            Some(must_be_str(sep)?.s)
        };
        let parts = split_parts(h.s, sep, maxsplit, right)?;
        list_of(&parts)
    }
}

/// Splits `s` at each occurrence of `sep` (runs of whitespace when `sep` is NULL), at most
/// `maxsplit` times (all when negative): `s.split(sep, maxsplit)`.
///
/// Return value: New reference to a list of strs, or NULL with an exception set
/// (`TypeError("must be str, not X")` for a non-str `s` or `sep` (None included),
/// `ValueError("empty separator")`; `SystemError` when `s` is NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyUnicode_Split(
    s: *mut PyObject,
    sep: *mut PyObject,
    maxsplit: Py_ssize_t,
) -> *mut PyObject {
    check_null!(s, null_mut());
    // SAFETY: live objects.
    guard("PyUnicode_Split", null_mut(), || {
        out(unsafe { split_common(s, sep, maxsplit, false) })
    })
}

/// As `PyUnicode_Split`, splitting from the right: `s.rsplit(sep, maxsplit)`.
///
/// Return value: New reference to a list of strs, or NULL with an exception set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyUnicode_RSplit(
    s: *mut PyObject,
    sep: *mut PyObject,
    maxsplit: Py_ssize_t,
) -> *mut PyObject {
    check_null!(s, null_mut());
    // SAFETY: live objects.
    guard("PyUnicode_RSplit", null_mut(), || {
        out(unsafe { split_common(s, sep, maxsplit, true) })
    })
}

/// Splits `s` at line boundaries (`\n`, `\r`, `\r\n`, `\v`, `\f`, `\x1c`-`\x1e`, `\x85`,
/// U+2028, U+2029), keeping them when `keepends` is non-zero: `s.splitlines(keepends)`.
///
/// Return value: New reference to a list of strs, or NULL with an exception set
/// (`TypeError("must be str, not X")`, `SystemError` for NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyUnicode_Splitlines(s: *mut PyObject, keepends: c_int) -> *mut PyObject {
    check_null!(s, null_mut());
    // SAFETY: a live object.
    guard("PyUnicode_Splitlines", null_mut(), || {
        out(unsafe { must_be_str(s).and_then(|h| list_of(&splitlines_parts(h.s, keepends != 0)?)) })
    })
}

unsafe fn partition(s: *mut PyObject, sep: *mut PyObject, right: bool) -> Res<*mut PyObject> {
    // SAFETY: live objects.
    unsafe {
        let h = must_be_str(s)?;
        let sep = must_be_str(sep)?.s;
        if sep.is_empty() {
            set_string(crate::exc!(ValueError), "empty separator");
            return Err(Raised);
        }
        let at = if right { h.s.rfind(sep) } else { h.s.find(sep) };
        match at {
            Some(i) => triple(&h.s[..i], sep, &h.s[i + sep.len()..]),
            None if right => triple("", "", h.s),
            None => triple(h.s, "", ""),
        }
    }
}

/// Splits `s` at the first occurrence of `sep`: the 3-tuple `(before, sep, after)`, or
/// `(s, '', '')` when `sep` does not occur.
///
/// Return value: New reference, or NULL with an exception set (`TypeError("must be str, not
/// X")`, `ValueError("empty separator")`, `SystemError` for NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyUnicode_Partition(
    s: *mut PyObject,
    sep: *mut PyObject,
) -> *mut PyObject {
    check_null!(s, null_mut());
    check_null!(sep, null_mut());
    // SAFETY: live objects.
    guard("PyUnicode_Partition", null_mut(), || {
        out(unsafe { partition(s, sep, false) })
    })
}

/// As `PyUnicode_Partition` at the last occurrence; `('', '', s)` when `sep` does not occur.
///
/// Return value: New reference, or NULL with an exception set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyUnicode_RPartition(
    s: *mut PyObject,
    sep: *mut PyObject,
) -> *mut PyObject {
    check_null!(s, null_mut());
    check_null!(sep, null_mut());
    // SAFETY: live objects.
    guard("PyUnicode_RPartition", null_mut(), || {
        out(unsafe { partition(s, sep, true) })
    })
}

/// The number of non-overlapping occurrences of `substr` in `str[start:end]`, or -1 with an
/// exception set (`TypeError("must be str, not X")`, `SystemError` for NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyUnicode_Count(
    str: *mut PyObject,
    substr: *mut PyObject,
    start: Py_ssize_t,
    end: Py_ssize_t,
) -> Py_ssize_t {
    check_null!(str, -1);
    check_null!(substr, -1);
    // SAFETY: live objects.
    guard("PyUnicode_Count", -1, || unsafe {
        let Ok(h) = must_be_str(str) else { return -1 };
        let Ok(sub) = must_be_str(substr) else {
            return -1;
        };
        count(h, sub.s, start, end) as Py_ssize_t
    })
}

/// The first (`direction > 0`) or last (otherwise) index of `substr` in `str[start:end]`; -1
/// when it does not occur; -2 with an exception set (`TypeError("must be str, not X")`,
/// `SystemError` for NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyUnicode_Find(
    str: *mut PyObject,
    substr: *mut PyObject,
    start: Py_ssize_t,
    end: Py_ssize_t,
    direction: c_int,
) -> Py_ssize_t {
    check_null!(str, -2);
    check_null!(substr, -2);
    // SAFETY: live objects.
    guard("PyUnicode_Find", -2, || unsafe {
        let Ok(h) = must_be_str(str) else { return -2 };
        let Ok(sub) = must_be_str(substr) else {
            return -2;
        };
        find(h, sub.s, start, end, direction > 0).map_or(-1, |i| i as Py_ssize_t)
    })
}

/// The first (`direction > 0`) or last index of the character `ch` in `str[start:end]`; -1
/// when it does not occur; -2 with an exception set (`TypeError("must be str, not X")` for a
/// non-str, which CPython reads as one; `SystemError` for NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyUnicode_FindChar(
    str: *mut PyObject,
    ch: u32,
    start: Py_ssize_t,
    end: Py_ssize_t,
    direction: c_int,
) -> Py_ssize_t {
    check_null!(str, -2);
    // SAFETY: a live object.
    guard("PyUnicode_FindChar", -2, || unsafe {
        let Ok(h) = must_be_str(str) else { return -2 };
        let Some(c) = char::from_u32(ch) else {
            return -1;
        };
        let mut buf = [0u8; 4];
        find(h, c.encode_utf8(&mut buf), start, end, direction > 0).map_or(-1, |i| i as Py_ssize_t)
    })
}

/// Whether `str[start:end]` starts (`direction <= 0`) or ends (`direction > 0`) with
/// `substr`: 1 or 0, or -1 with an exception set (`TypeError("must be str, not X")`, a tuple
/// included; `SystemError` for NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyUnicode_Tailmatch(
    str: *mut PyObject,
    substr: *mut PyObject,
    start: Py_ssize_t,
    end: Py_ssize_t,
    direction: c_int,
) -> Py_ssize_t {
    check_null!(str, -1);
    check_null!(substr, -1);
    // SAFETY: live objects.
    guard("PyUnicode_Tailmatch", -1, || unsafe {
        let Ok(h) = must_be_str(str) else { return -1 };
        let Ok(sub) = must_be_str(substr) else {
            return -1;
        };
        tailmatch(h, sub.s, start, end, direction) as Py_ssize_t
    })
}

/// Replaces at most `maxcount` occurrences (all when negative) of `substr` in `str` by
/// `replstr`: `str.replace(substr, replstr, maxcount)`.
///
/// Return value: New reference, or NULL with an exception set (`TypeError("must be str, not
/// X")`, `OverflowError("replace string is too long")`, `SystemError` for NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyUnicode_Replace(
    str: *mut PyObject,
    substr: *mut PyObject,
    replstr: *mut PyObject,
    maxcount: Py_ssize_t,
) -> *mut PyObject {
    check_null!(str, null_mut());
    check_null!(substr, null_mut());
    check_null!(replstr, null_mut());
    // SAFETY: live objects.
    guard("PyUnicode_Replace", null_mut(), || {
        out(unsafe { replace(str, substr, replstr, maxcount) })
    })
}

pub(crate) unsafe fn replace(
    str: *mut PyObject,
    substr: *mut PyObject,
    replstr: *mut PyObject,
    maxcount: Py_ssize_t,
) -> Res<*mut PyObject> {
    // SAFETY: live objects.
    unsafe {
        let h = must_be_str(str)?;
        let old = must_be_str(substr)?;
        let new = must_be_str(replstr)?;
        if maxcount == 0 || (!old.s.is_empty() && !h.s.contains(old.s)) || old.s == new.s {
            return str_or_self(str, h.s, h.s);
        }
        let t = replace_text(h, old.s, new.s, maxcount)?;
        new_str(t.as_str())
    }
}
