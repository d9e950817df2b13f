//! `int.__format__`: the format-spec mini-language for integers
//! (`[[fill]align][sign][#][0][width][,|_][.precision][type]`), with CPython 3.10's results
//! and messages. Presentation types `b c d o x X n` (and none); the float ones (`e E f F g G %`)
//! need `float`, which pycoro does not have.

use crate::capi::fallible::{NoMemory, Text};
use crate::objects::object::*;
use crate::objects::typeobject::tp_name_of;
use crate::python::errors::{set_format, set_string};
use core::ptr::null_mut;

/// A parsed format spec.
struct Spec {
    fill: char,
    align: Option<char>,
    sign: Option<char>,
    alternate: bool,
    width: usize,
    /// `,` or `_`.
    grouping: Option<char>,
    precision: Option<usize>,
    kind: Option<char>,
}

enum SpecError {
    Message(&'static str),
    BothSeparators,
    Separator(char, char),
}

/// Parses the decimal digits at the start of `s`: (value, digits consumed), or an error when the
/// value exceeds `Py_ssize_t`.
fn integer(s: &[char]) -> Result<(Option<usize>, usize), SpecError> {
    let mut v: usize = 0;
    let mut n = 0;
    while n < s.len() && s[n].is_ascii_digit() {
        v = v
            .checked_mul(10)
            .and_then(|v| v.checked_add(s[n] as usize - '0' as usize))
            .filter(|&v| v <= isize::MAX as usize)
            .ok_or(SpecError::Message(
                "Too many decimal digits in format string",
            ))?;
        n += 1;
    }
    Ok(((n > 0).then_some(v), n))
}

fn is_align(c: char) -> bool {
    matches!(c, '<' | '>' | '=' | '^')
}

fn parse(s: &[char]) -> Result<Spec, SpecError> {
    let mut spec = Spec {
        fill: ' ',
        align: None,
        sign: None,
        alternate: false,
        width: 0,
        grouping: None,
        precision: None,
        kind: None,
    };
    let mut pos = 0;
    let mut fill_given = false;
    if s.len() >= 2 && is_align(s[1]) {
        spec.fill = s[0];
        spec.align = Some(s[1]);
        fill_given = true;
        pos = 2;
    } else if !s.is_empty() && is_align(s[0]) {
        spec.align = Some(s[0]);
        pos = 1;
    }
    if pos < s.len() && matches!(s[pos], '+' | '-' | ' ') {
        spec.sign = Some(s[pos]);
        pos += 1;
    }
    if pos < s.len() && s[pos] == '#' {
        spec.alternate = true;
        pos += 1;
    }
    if !fill_given && pos < s.len() && s[pos] == '0' {
        spec.fill = '0';
        if spec.align.is_none() {
            spec.align = Some('=');
        }
        pos += 1;
    }
    let (w, n) = integer(&s[pos..])?;
    spec.width = w.unwrap_or(0);
    pos += n;
    if pos < s.len() && s[pos] == ',' {
        spec.grouping = Some(',');
        pos += 1;
    }
    if pos < s.len() && s[pos] == '_' {
        if spec.grouping.is_some() {
            return Err(SpecError::BothSeparators);
        }
        spec.grouping = Some('_');
        pos += 1;
    }
    if pos < s.len() && s[pos] == ',' && spec.grouping == Some('_') {
        return Err(SpecError::BothSeparators);
    }
    if pos < s.len() && s[pos] == '.' {
        pos += 1;
        let (p, n) = integer(&s[pos..])?;
        let Some(p) = p else {
            return Err(SpecError::Message("Format specifier missing precision"));
        };
        spec.precision = Some(p);
        pos += n;
    }
    if s.len() - pos > 1 {
        return Err(SpecError::Message("Invalid format specifier"));
    }
    if pos < s.len() {
        spec.kind = Some(s[pos]);
    }
    if let Some(g) = spec.grouping {
        match spec.kind {
            None | Some('d' | 'e' | 'f' | 'g' | 'E' | 'G' | '%' | 'F') => {}
            Some('b' | 'o' | 'x' | 'X') if g == '_' => {}
            Some(k) => return Err(SpecError::Separator(g, k)),
        }
    }
    Ok(spec)
}

/// Sets `ValueError` naming a character the way CPython does (`'x'` for printable ASCII, else
/// `'\x..'`).
unsafe fn code_error(before: &str, c: char, after: core::fmt::Arguments<'_>) {
    // SAFETY: setting the error indicator.
    unsafe {
        if (c as u32) > 32 && (c as u32) < 128 {
            set_format(
                crate::exc!(ValueError),
                format_args!("{before}'{c}'{after}"),
            );
        } else {
            set_format(
                crate::exc!(ValueError),
                format_args!("{before}'\\x{:x}'{after}", c as u32),
            );
        }
    }
}

/// Digits of `|v|` in `base` (lowercase), least significant last.
fn digits(v: i128, base: u32, upper: bool) -> crate::capi::fallible::Small<136> {
    let mag = v.unsigned_abs();
    // At most 128 binary digits.
    let mut buf = [0u8; 128];
    let mut n = 0;
    let mut m = mag;
    loop {
        let d = (m % base as u128) as u8;
        buf[127 - n] = match d {
            0..=9 => b'0' + d,
            _ if upper => b'A' + d - 10,
            _ => b'a' + d - 10,
        };
        n += 1;
        m /= base as u128;
        if m == 0 {
            break;
        }
    }
    let text = core::str::from_utf8(&buf[128 - n..]).unwrap_or("");
    crate::capi::fallible::Small::<136>::format(format_args!("{text}"))
}

/// The digits with grouping separators and zero padding up to `min_width` characters (CPython's
/// grouping walk: groups of `group` digits from the right, zeros added while the width asks).
fn group_digits(
    out: &mut Text,
    ds: &str,
    group: usize,
    sep: Option<char>,
    min_width: isize,
) -> Result<(), NoMemory> {
    // Pieces are produced right to left; collect them, then emit reversed.
    let mut pieces: Vec<(usize, usize, usize, bool)> = Vec::new(); // (zeros, start, len, sep)
    let mut remaining = ds.len() as isize;
    let mut min_width = min_width;
    let mut use_sep = false;
    let mut broken = false;
    if let Some(sep) = sep {
        loop {
            let l = (group as isize).min(remaining.max(min_width).max(1));
            let zeros = (l - remaining).max(0);
            let chars = remaining.min(l).max(0);
            crate::capi::fallible::try_push(
                &mut pieces,
                (
                    zeros as usize,
                    (remaining - chars) as usize,
                    chars as usize,
                    use_sep,
                ),
            )?;
            use_sep = true;
            remaining -= chars;
            min_width -= l;
            if remaining <= 0 && min_width <= 0 {
                broken = true;
                break;
            }
            min_width -= sep.len_utf8() as isize;
        }
    }
    if !broken {
        let l = remaining.max(min_width).max(1);
        let zeros = (l - remaining).max(0);
        let chars = remaining.min(l).max(0);
        crate::capi::fallible::try_push(
            &mut pieces,
            (
                zeros as usize,
                (remaining - chars) as usize,
                chars as usize,
                use_sep,
            ),
        )?;
    }
    for &(zeros, start, len, with_sep) in pieces.iter().rev() {
        out.push_repeat('0', zeros)?;
        out.push_str(&ds[start..start + len])?;
        if let (true, Some(sep)) = (with_sep, sep) {
            out.push(sep)?;
        }
    }
    Ok(())
}

/// `format(op, spec)` for an int `op` and a str `spec`. Return value: New reference.
pub(crate) unsafe fn format_int(op: *mut PyObject, spec_obj: *mut PyObject) -> *mut PyObject {
    // SAFETY: an int and a str.
    unsafe {
        let text = crate::objects::unicodeobject::str_as(spec_obj).unwrap_or("");
        if text.is_empty() {
            return crate::objects::object_ops::PyObject_Str(op);
        }
        let mut chars = match crate::capi::fallible::try_vec::<char>(0) {
            Ok(v) => v,
            Err(NoMemory) => return crate::python::errors::no_memory(),
        };
        for c in text.chars() {
            if crate::capi::fallible::try_push(&mut chars, c).is_err() {
                return crate::python::errors::no_memory();
            }
        }
        let spec = match parse(&chars) {
            Ok(s) => s,
            Err(SpecError::Message(m)) => {
                set_string(crate::exc!(ValueError), m);
                return null_mut();
            }
            Err(SpecError::BothSeparators) => {
                set_string(crate::exc!(ValueError), "Cannot specify both ',' and '_'.");
                return null_mut();
            }
            Err(SpecError::Separator(g, k)) => {
                code_error(
                    crate::capi::fallible::Small::<40>::format(format_args!(
                        "Cannot specify '{g}' with "
                    ))
                    .as_str(),
                    k,
                    format_args!("."),
                );
                return null_mut();
            }
        };
        let kind = spec.kind.unwrap_or('d');
        let base = match kind {
            'b' => 2,
            'o' => 8,
            'x' | 'X' => 16,
            'd' | 'n' | 'c' => 10,
            'e' | 'E' | 'f' | 'F' | 'g' | 'G' | '%' => {
                set_string(
                    crate::exc!(NotImplementedError),
                    crate::objects::longobject_ops::NEEDS_FLOAT,
                );
                return null_mut();
            }
            k => {
                code_error(
                    "Unknown format code ",
                    k,
                    format_args!(" for object of type '{}'", tp_name_of(op)),
                );
                return null_mut();
            }
        };
        if spec.precision.is_some() {
            set_string(
                crate::exc!(ValueError),
                "Precision not allowed in integer format specifier",
            );
            return null_mut();
        }
        let v = match crate::objects::longobject_ops::val(op) {
            Ok(v) => v,
            Err(f) => return crate::objects::longobject_ops::raise(f),
        };
        let mut out = Text::new();
        let r = (|| -> Result<Option<()>, NoMemory> {
            let mut body = Text::new();
            let sign: &str;
            let prefix: &str;
            if kind == 'c' {
                if spec.sign.is_some() {
                    set_string(
                        crate::exc!(ValueError),
                        "Sign not allowed with integer format specifier 'c'",
                    );
                    return Ok(None);
                }
                if spec.alternate {
                    set_string(
                        crate::exc!(ValueError),
                        "Alternate form (#) not allowed with integer format specifier 'c'",
                    );
                    return Ok(None);
                }
                if v < core::ffi::c_long::MIN as i128 || v > core::ffi::c_long::MAX as i128 {
                    set_string(
                        crate::exc!(OverflowError),
                        "Python int too large to convert to C long",
                    );
                    return Ok(None);
                }
                if !(0..=0x10ffff).contains(&v) {
                    set_string(crate::exc!(OverflowError), "%c arg not in range(0x110000)");
                    return Ok(None);
                }
                let Some(c) = char::from_u32(v as u32) else {
                    crate::python::modsupport::surrogate_error(v as u32);
                    return Ok(None);
                };
                if spec.fill == '0' && spec.align == Some('=') {
                    body.push_repeat('0', spec.width.saturating_sub(1))?;
                }
                body.push(c)?;
                sign = "";
                prefix = "";
            } else {
                sign = match (v < 0, spec.sign) {
                    (true, _) => "-",
                    (false, Some('+')) => "+",
                    (false, Some(' ')) => " ",
                    _ => "",
                };
                prefix = match (spec.alternate, kind) {
                    (true, 'b') => "0b",
                    (true, 'o') => "0o",
                    (true, 'x') => "0x",
                    (true, 'X') => "0X",
                    _ => "",
                };
                let ds = digits(v, base, kind == 'X');
                let lead = (sign.len() + prefix.len()) as isize;
                let min_width = if spec.fill == '0' && spec.align == Some('=') {
                    spec.width as isize - lead
                } else {
                    0
                };
                let group = if matches!(kind, 'b' | 'o' | 'x' | 'X') {
                    4
                } else {
                    3
                };
                group_digits(&mut body, ds.as_str(), group, spec.grouping, min_width)?;
            }
            let len = sign.len() + prefix.len() + body.as_str().chars().count();
            let pad = spec.width.saturating_sub(len);
            let (left, mid, right) = match spec.align.unwrap_or('>') {
                '<' => (0, 0, pad),
                '^' => (pad / 2, 0, pad - pad / 2),
                '=' => (0, pad, 0),
                _ => (pad, 0, 0),
            };
            out.push_repeat(spec.fill, left)?;
            out.push_str(sign)?;
            out.push_str(prefix)?;
            out.push_repeat(spec.fill, mid)?;
            out.push_str(body.as_str())?;
            out.push_repeat(spec.fill, right)?;
            Ok(Some(()))
        })();
        match r {
            Ok(Some(())) => crate::objects::unicodeobject::str_from(out.as_str()),
            Ok(None) => null_mut(),
            Err(NoMemory) => crate::python::errors::no_memory(),
        }
    }
}
