//! String formatting: `str % args` (`PyUnicode_Format`, str's `nb_remainder`), `str.format`,
//! `str.format_map`, and the format-spec mini-language for str and int (`str.__format__`, and
//! the fields of `str.format`), with CPython 3.10's results and messages, measured.
//!
//! pycoro has no float type: the float presentation types (`e f g %` and their capitals) are
//! applied to ints as CPython does (the int converted to a C double), and `%`-formatting
//! accepts ints (and bools) where CPython accepts any real number.

use crate::capi::boundary::{check_null, guard};
use crate::capi::fallible::{NoMemory, Text, try_push};
use crate::capi::ffi::{decref, new_ref, ty};
use crate::objects::longobject::{is_long, value};
use crate::objects::object::*;
use crate::objects::typeobject::tp_name_of;
use crate::objects::unicode_ops::{Raised, Res, Str, must_be_str, new_str, out};
use crate::objects::unicodeobject::{is_str, is_str_exact, str_as};
use crate::python::errors::{set_format, set_string};
use core::ptr::null_mut;

fn raise_value(msg: &str) -> Raised {
    // SAFETY: setting the error indicator.
    unsafe { set_string(crate::exc!(ValueError), msg) };
    Raised
}

fn raise_type(msg: &str) -> Raised {
    // SAFETY: setting the error indicator.
    unsafe { set_string(crate::exc!(TypeError), msg) };
    Raised
}

/// The text of a str result, released afterwards.
unsafe fn push_obj(t: &mut Text, o: *mut PyObject) -> Res<()> {
    // SAFETY: an owned str (or NULL with an exception set).
    unsafe {
        if o.is_null() {
            return Err(Raised);
        }
        let r = t.push_str(str_as(o).unwrap_or(""));
        decref(o);
        Ok(r?)
    }
}

/// The decimal value of a Unicode decimal digit (category Nd), as `Py_UNICODE_TODECIMAL`.
fn decimal_value(c: char) -> Option<u32> {
    if c.is_ascii_digit() {
        return Some(c as u32 - '0' as u32);
    }
    if !crate::objects::unicode_methods::is_decimal(c) {
        return None;
    }
    // Decimal digits come in runs of ten starting at zero; the table's ranges are whole runs.
    let t = &crate::objects::unicode_tables::DECIMAL;
    let i = t.partition_point(|&(_, hi)| hi < c as u32);
    Some((c as u32 - t[i].0) % 10)
}

// ---- numbers as text ----

/// The digits of `|v|` in `base` (lower-case letters unless `upper`).
fn digits(v: i128, base: u32, upper: bool) -> Result<Text, NoMemory> {
    let mut t = Text::new();
    match (base, upper) {
        (2, _) => t.push_fmt(format_args!("{:b}", v.unsigned_abs()))?,
        (8, _) => t.push_fmt(format_args!("{:o}", v.unsigned_abs()))?,
        (16, false) => t.push_fmt(format_args!("{:x}", v.unsigned_abs()))?,
        (16, true) => t.push_fmt(format_args!("{:X}", v.unsigned_abs()))?,
        _ => t.push_fmt(format_args!("{}", v.unsigned_abs()))?,
    }
    Ok(t)
}

/// The value of an int argument (pycoro ints fit 128 bits).
unsafe fn int_value(o: *mut PyObject) -> Res<i128> {
    // SAFETY: an int.
    unsafe {
        value(o).ok_or_else(|| {
            set_string(
                crate::exc!(OverflowError),
                "pycoro: int too large to format",
            );
            Raised
        })
    }
}

/// `x` in a float presentation type (`e E f F g G %`) with `prec` digits: the digits without
/// the sign (the caller adds it). `alt` keeps the decimal point (and `g`'s trailing zeros).
fn float_text(x: f64, ty: char, prec: usize, alt: bool) -> Result<Text, NoMemory> {
    let a = x.abs();
    let mut t = Text::new();
    match ty {
        'f' | 'F' | '%' => {
            let a = if ty == '%' { a * 100.0 } else { a };
            t.push_fmt(format_args!("{a:.prec$}"))?;
            if alt && prec == 0 {
                t.push('.')?;
            }
            if ty == '%' {
                t.push('%')?;
            }
        }
        'e' | 'E' => exp_text(&mut t, a, prec, alt, ty == 'E', false)?,
        _ => {
            // 'g': `prec` significant digits; fixed notation when the exponent (after
            // rounding) is in -4..prec, else exponential; trailing zeros dropped unless `alt`.
            let p = prec.max(1);
            let mut e = Text::new();
            e.push_fmt(format_args!("{:.*e}", p - 1, a))?;
            let exp: i32 = e
                .as_str()
                .rsplit('e')
                .next()
                .and_then(|x| x.parse().ok())
                .unwrap_or(0);
            if a == 0.0 || (-4..p as i32).contains(&exp) {
                let decimals = (p as i32 - 1 - if a == 0.0 { 0 } else { exp }).max(0) as usize;
                t.push_fmt(format_args!("{a:.decimals$}"))?;
                if !alt {
                    trim_zeros(&mut t)?;
                } else if decimals == 0 {
                    t.push('.')?;
                }
            } else {
                exp_text(&mut t, a, p - 1, alt, ty == 'G', !alt)?;
            }
        }
    }
    Ok(t)
}

/// Drops trailing zeros after a decimal point, and the point itself if nothing follows.
fn trim_zeros(t: &mut Text) -> Result<(), NoMemory> {
    let s = t.as_str();
    if !s.contains('.') {
        return Ok(());
    }
    let trimmed = s.trim_end_matches('0').trim_end_matches('.');
    let mut n = Text::new();
    n.push_str(trimmed)?;
    *t = n;
    Ok(())
}

/// C's `%e`: mantissa with `prec` decimals, `e`, sign, at least two exponent digits.
fn exp_text(
    t: &mut Text,
    a: f64,
    prec: usize,
    alt: bool,
    upper: bool,
    trim: bool,
) -> Result<(), NoMemory> {
    let mut e = Text::new();
    e.push_fmt(format_args!("{a:.prec$e}"))?;
    let s = e.as_str();
    let (mant, exp) = s.split_once('e').unwrap_or((s, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let mut m = Text::new();
    m.push_str(mant)?;
    if trim {
        trim_zeros(&mut m)?;
    }
    t.push_str(m.as_str())?;
    if alt && prec == 0 {
        t.push('.')?;
    }
    t.push(if upper { 'E' } else { 'e' })?;
    t.push(if exp < 0 { '-' } else { '+' })?;
    t.push_fmt(format_args!("{:02}", exp.unsigned_abs()))
}

// ---- the format-spec mini-language ----

/// A parsed format spec: `[[fill]align][sign][#][0][width][grouping][.precision][type]`.
struct Spec {
    fill: char,
    align: char,
    sign: Option<char>,
    alt: bool,
    width: Option<usize>,
    grouping: Option<char>,
    precision: Option<usize>,
    ty: char,
}

fn is_align(c: char) -> bool {
    matches!(c, '<' | '>' | '=' | '^')
}

/// Reads a decimal number at `pos` (Unicode decimal digits count): None when there is none.
fn spec_integer(c: &[char], pos: &mut usize) -> Res<Option<usize>> {
    let mut acc: usize = 0;
    let mut any = false;
    while let Some(d) = c.get(*pos).and_then(|&ch| decimal_value(ch)) {
        if acc > (isize::MAX as usize - d as usize) / 10 {
            return Err(raise_value("Too many decimal digits in format string"));
        }
        acc = acc * 10 + d as usize;
        any = true;
        *pos += 1;
    }
    Ok(any.then_some(acc))
}

fn parse_spec(spec: &str, default_type: char, default_align: char) -> Res<Spec> {
    let mut c: Vec<char> = Vec::new();
    for ch in spec.chars() {
        try_push(&mut c, ch)?;
    }
    let mut s = Spec {
        fill: ' ',
        align: default_align,
        sign: None,
        alt: false,
        width: None,
        grouping: None,
        precision: None,
        ty: default_type,
    };
    let mut pos = 0;
    let (mut fill_given, mut align_given) = (false, false);
    if c.len() >= 2 && is_align(c[1]) {
        s.fill = c[0];
        s.align = c[1];
        fill_given = true;
        align_given = true;
        pos = 2;
    } else if !c.is_empty() && is_align(c[0]) {
        s.align = c[0];
        align_given = true;
        pos = 1;
    }
    if let Some(&ch @ ('+' | '-' | ' ')) = c.get(pos) {
        s.sign = Some(ch);
        pos += 1;
    }
    if c.get(pos) == Some(&'#') {
        s.alt = true;
        pos += 1;
    }
    if !fill_given && c.get(pos) == Some(&'0') {
        s.fill = '0';
        if !align_given && default_align == '>' {
            s.align = '=';
        }
        pos += 1;
    }
    s.width = spec_integer(&c, &mut pos)?;
    if c.get(pos) == Some(&',') {
        s.grouping = Some(',');
        pos += 1;
    }
    if c.get(pos) == Some(&'_') {
        if s.grouping.is_some() {
            return Err(raise_value("Cannot specify both ',' and '_'."));
        }
        s.grouping = Some('_');
        pos += 1;
    }
    if c.get(pos) == Some(&',') && s.grouping == Some('_') {
        return Err(raise_value("Cannot specify both ',' and '_'."));
    }
    if c.get(pos) == Some(&'.') {
        pos += 1;
        s.precision = spec_integer(&c, &mut pos)?;
        if s.precision.is_none() {
            return Err(raise_value("Format specifier missing precision"));
        }
    }
    if c.len() - pos > 1 {
        return Err(raise_value("Invalid format specifier"));
    }
    if c.len() - pos == 1 {
        s.ty = c[pos];
    }
    if let Some(g) = s.grouping {
        let ok = match s.ty {
            'd' | 'e' | 'f' | 'g' | 'E' | 'G' | '%' | 'F' | '\0' => true,
            'b' | 'o' | 'x' | 'X' => g == '_',
            _ => false,
        };
        if !ok {
            let t = s.ty;
            // SAFETY: setting the error indicator.
            unsafe {
                if (t as u32) > 32 && (t as u32) < 128 {
                    set_format(
                        crate::exc!(ValueError),
                        format_args!("Cannot specify '{g}' with '{t}'."),
                    );
                } else {
                    set_format(
                        crate::exc!(ValueError),
                        format_args!("Cannot specify '{g}' with '\\x{:x}'.", t as u32),
                    );
                }
            }
            return Err(Raised);
        }
    }
    Ok(s)
}

unsafe fn unknown_code(ty: char, obj: *mut PyObject) -> Raised {
    // SAFETY: setting the error indicator.
    unsafe {
        let name = tp_name_of(obj);
        if (ty as u32) > 32 && (ty as u32) < 128 {
            set_format(
                crate::exc!(ValueError),
                format_args!("Unknown format code '{ty}' for object of type '{name}'"),
            );
        } else {
            set_format(
                crate::exc!(ValueError),
                format_args!(
                    "Unknown format code '\\x{:x}' for object of type '{name}'",
                    ty as u32
                ),
            );
        }
    }
    Raised
}

/// `(left, right)` padding of `n` characters in `width` columns for `align`.
fn padding(n: usize, width: Option<usize>, align: char) -> (usize, usize) {
    let total = width.unwrap_or(0).max(n);
    let pad = total - n;
    match align {
        '>' => (pad, 0),
        '^' => (pad / 2, pad - pad / 2),
        _ => (0, pad),
    }
}

/// The str formatter (`format(s, spec)` for a str).
fn format_str_text(s: &str, spec: &Spec, out: &mut Text) -> Res<()> {
    match spec.sign {
        Some(' ') => return Err(raise_value("Space not allowed in string format specifier")),
        Some(_) => return Err(raise_value("Sign not allowed in string format specifier")),
        None => {}
    }
    if spec.alt {
        return Err(raise_value(
            "Alternate form (#) not allowed in string format specifier",
        ));
    }
    if spec.align == '=' {
        return Err(raise_value(
            "'=' alignment not allowed in string format specifier",
        ));
    }
    let h = Str::text(s);
    let (s, n) = match spec.precision {
        Some(p) if p < h.n => (h.sub(0, p), p),
        _ => (h.s, h.n),
    };
    let (l, r) = padding(n, spec.width, spec.align);
    out.push_repeat(spec.fill, l)?;
    out.push_str(s)?;
    out.push_repeat(spec.fill, r)?;
    Ok(())
}

/// Groups `digits` (ASCII) with `sep` every `every` digits from the right, padding with zeros
/// (themselves grouped) to at least `min_width` characters, as CPython's
/// `_PyUnicode_InsertThousandsGrouping`.
fn group(
    digits: &str,
    sep: Option<char>,
    every: usize,
    min_width: usize,
) -> Result<Text, NoMemory> {
    let mut parts: Vec<(usize, &str)> = Vec::new(); // (zeros, digits) per group, right to left
    let mut remaining = digits.len();
    let mut min_width = min_width as isize;
    let seplen = sep.map_or(0, |_| 1) as isize;
    let every = if sep.is_some() { every } else { usize::MAX };
    if !digits.is_ascii() {
        // One character (the `c` presentation type): padded, never grouped.
        let mut t = Text::new();
        t.push_repeat('0', (min_width.max(0) as usize).saturating_sub(1))?;
        t.push_str(digits)?;
        return Ok(t);
    }
    loop {
        let l = every.min(remaining.max(min_width.max(0) as usize).max(1));
        let n_chars = remaining.min(l);
        let n_zeros = l - n_chars;
        try_push(
            &mut parts,
            (n_zeros, &digits[remaining - n_chars..remaining]),
        )?;
        remaining -= n_chars;
        min_width -= l as isize;
        if remaining == 0 && min_width <= 0 {
            break;
        }
        min_width -= seplen;
    }
    let mut t = Text::new();
    for (i, &(z, d)) in parts.iter().rev().enumerate() {
        if i > 0
            && let Some(sep) = sep
        {
            t.push(sep)?;
        }
        t.push_repeat('0', z)?;
        t.push_str(d)?;
    }
    Ok(t)
}

/// Lays out a number: `[lpad][sign][prefix][spad][grouped digits][rest][rpad]`.
fn layout_number(
    out: &mut Text,
    spec: &Spec,
    sign: Option<char>,
    prefix: &str,
    int_digits: &str,
    rest: &str,
    every: usize,
) -> Res<()> {
    let nsign = sign.map_or(0, |_| 1);
    let fixed = nsign + prefix.len() + Str::text(rest).n;
    let min_width = if spec.fill == '0' && spec.align == '=' {
        spec.width.unwrap_or(0).saturating_sub(fixed)
    } else {
        0
    };
    let grouped = group(int_digits, spec.grouping, every, min_width)?;
    let n = fixed + Str::text(grouped.as_str()).n;
    let total = spec.width.unwrap_or(0).max(n);
    let pad = total - n;
    let (l, mid, r) = match spec.align {
        '<' => (0, 0, pad),
        '^' => (pad / 2, 0, pad - pad / 2),
        '=' => (0, pad, 0),
        _ => (pad, 0, 0),
    };
    out.push_repeat(spec.fill, l)?;
    if let Some(s) = sign {
        out.push(s)?;
    }
    out.push_str(prefix)?;
    out.push_repeat(spec.fill, mid)?;
    out.push_str(grouped.as_str())?;
    out.push_str(rest)?;
    out.push_repeat(spec.fill, r)?;
    Ok(())
}

fn sign_of(negative: bool, flag: Option<char>) -> Option<char> {
    if negative {
        Some('-')
    } else {
        match flag {
            Some('+') => Some('+'),
            Some(' ') => Some(' '),
            _ => None,
        }
    }
}

/// The int formatter (`format(i, spec)` for an int).
unsafe fn format_int_text(obj: *mut PyObject, spec: &Spec, out: &mut Text) -> Res<()> {
    // SAFETY: an int.
    unsafe {
        let v = int_value(obj)?;
        match spec.ty {
            'b' | 'c' | 'd' | 'o' | 'x' | 'X' | 'n' => {
                if spec.precision.is_some() {
                    return Err(raise_value(
                        "Precision not allowed in integer format specifier",
                    ));
                }
                if spec.ty == 'c' {
                    if spec.sign.is_some() {
                        return Err(raise_value(
                            "Sign not allowed with integer format specifier 'c'",
                        ));
                    }
                    if spec.alt {
                        return Err(raise_value(
                            "Alternate form (#) not allowed with integer format specifier 'c'",
                        ));
                    }
                    let Some(c) = u32::try_from(v).ok().filter(|&c| c < 0x110000) else {
                        set_string(crate::exc!(OverflowError), "%c arg not in range(0x110000)");
                        return Err(Raised);
                    };
                    let Some(c) = char::from_u32(c) else {
                        return Err(raise_value(
                            "pycoro: strings cannot hold surrogate code points",
                        ));
                    };
                    let mut b = [0u8; 4];
                    return layout_number(out, spec, None, "", c.encode_utf8(&mut b), "", 3);
                }
                let (base, prefix, every) = match spec.ty {
                    'b' => (2, "0b", 4),
                    'o' => (8, "0o", 4),
                    'x' => (16, "0x", 4),
                    'X' => (16, "0X", 4),
                    _ => (10, "", 3),
                };
                let d = digits(v, base, spec.ty == 'X')?;
                let prefix = if spec.alt { prefix } else { "" };
                layout_number(
                    out,
                    spec,
                    sign_of(v < 0, spec.sign),
                    prefix,
                    d.as_str(),
                    "",
                    every,
                )
            }
            'e' | 'E' | 'f' | 'F' | 'g' | 'G' | '%' => {
                let x = v as f64;
                let prec = spec.precision.unwrap_or(6);
                let t = float_text(x, spec.ty, prec, spec.alt)?;
                let s = t.as_str();
                let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
                let (int_part, rest) = s.split_at(split);
                layout_number(
                    out,
                    spec,
                    sign_of(x < 0.0, spec.sign),
                    "",
                    int_part,
                    rest,
                    3,
                )
            }
            t => Err(unknown_code(t, obj)),
        }
    }
}

/// `str.__format__(spec)` for a non-empty spec. Return value: New reference or NULL.
pub(crate) unsafe fn format_str_spec(op: *mut PyObject, spec: &str) -> *mut PyObject {
    // SAFETY: a str.
    out(unsafe {
        (|| {
            let s = parse_spec(spec, 's', '<')?;
            if s.ty != 's' {
                return Err(unknown_code(s.ty, op));
            }
            let mut t = Text::new();
            format_str_text(str_as(op).unwrap_or(""), &s, &mut t)?;
            new_str(t.as_str())
        })()
    })
}

/// `format(obj, spec)` appended to `out` (`render_field`): strs and ints formatted here,
/// anything else through its `__format__`.
unsafe fn render(obj: *mut PyObject, spec: &str, out: &mut Text) -> Res<()> {
    // SAFETY: a live object.
    unsafe {
        if is_str_exact(obj) {
            if spec.is_empty() {
                return Ok(out.push_str(str_as(obj).unwrap_or(""))?);
            }
            let s = parse_spec(spec, 's', '<')?;
            if s.ty != 's' {
                return Err(unknown_code(s.ty, obj));
            }
            return format_str_text(str_as(obj).unwrap_or(""), &s, out);
        }
        let is_int_formatter = is_long(obj)
            && (ty(obj) == &raw mut crate::objects::longobject::PyLong_Type
                || uses_default_format(obj));
        if is_int_formatter {
            if spec.is_empty() {
                return push_obj(out, crate::objects::object_ops::str(obj));
            }
            let s = parse_spec(spec, 'd', '>')?;
            return format_int_text(obj, &s, out);
        }
        let spec_obj = new_str(spec)?;
        let r = crate::objects::call::call_method(obj, "__format__", &[spec_obj]);
        decref(spec_obj);
        if r.is_null() {
            return Err(Raised);
        }
        if !is_str(r) {
            set_format(
                crate::exc!(TypeError),
                format_args!("__format__ must return a str, not {}", tp_name_of(r)),
            );
            decref(r);
            return Err(Raised);
        }
        push_obj(out, r)
    }
}

/// Whether an int's type (bool, or an int subclass) has no `__format__` of its own: pycoro's
/// int has none yet, so `object.__format__` is what the lookup finds; CPython's int formatter
/// applies.
unsafe fn uses_default_format(obj: *mut PyObject) -> bool {
    // SAFETY: a live object; interned names are immortal.
    unsafe {
        let name = crate::objects::unicodeobject::intern("__format__");
        if name.is_null() {
            crate::python::errors::restore(null_mut(), null_mut(), null_mut());
            return false;
        }
        let mine = crate::objects::typeobject::lookup(ty(obj), name);
        let base = crate::objects::typeobject::lookup(
            &raw mut crate::objects::typeobject::PyBaseObject_Type,
            name,
        );
        mine.is_null() || mine == base
    }
}

// ---- str.format ----

#[derive(PartialEq, Clone, Copy)]
enum Numbering {
    Unset,
    Automatic,
    Manual,
}

struct Formatter {
    args: *mut PyObject,
    kwargs: *mut PyObject,
    auto: Numbering,
    next: usize,
}

impl Formatter {
    /// Expands the format string `fmt` into `out`; `depth` counts down the nesting of specs.
    unsafe fn build(&mut self, fmt: &str, depth: i32, out: &mut Text) -> Res<()> {
        if depth <= 0 {
            return Err(raise_value("Max string recursion exceeded"));
        }
        let b = fmt.as_bytes();
        let mut i = 0;
        while i < b.len() {
            // Literal text up to a brace.
            let lit_end = fmt[i..].find(['{', '}']).map_or(b.len(), |k| i + k);
            out.push_str(&fmt[i..lit_end])?;
            if lit_end == b.len() {
                break;
            }
            let c = b[lit_end];
            let at_end = lit_end + 1 >= b.len();
            if c == b'}' && (at_end || b[lit_end + 1] != b'}') {
                return Err(raise_value("Single '}' encountered in format string"));
            }
            if at_end && c == b'{' {
                return Err(raise_value("Single '{' encountered in format string"));
            }
            if b[lit_end + 1] == c {
                out.push(c as char)?;
                i = lit_end + 2;
                continue;
            }
            // A field: name, conversion, spec.
            i = lit_end + 1;
            let (field, conv, spec, expand, next) = parse_field(fmt, i)?;
            i = next;
            // SAFETY: the arguments are live.
            unsafe { self.markup(field, conv, spec, expand, depth, out)? };
        }
        Ok(())
    }

    unsafe fn markup(
        &mut self,
        field: &str,
        conv: Option<char>,
        spec: &str,
        expand: bool,
        depth: i32,
        out: &mut Text,
    ) -> Res<()> {
        // SAFETY: live arguments; every object made is released.
        unsafe {
            let mut obj = self.field_object(field)?;
            if let Some(c) = conv {
                let r = match c {
                    'r' => crate::objects::object_ops::repr(obj),
                    's' => crate::objects::object_ops::str(obj),
                    'a' => crate::objects::object_ops::PyObject_ASCII(obj),
                    c => {
                        if (c as u32) > 32 && (c as u32) < 127 {
                            set_format(
                                crate::exc!(ValueError),
                                format_args!("Unknown conversion specifier {c}"),
                            );
                        } else {
                            set_format(
                                crate::exc!(ValueError),
                                format_args!("Unknown conversion specifier \\x{:x}", c as u32),
                            );
                        }
                        null_mut()
                    }
                };
                decref(obj);
                if r.is_null() {
                    return Err(Raised);
                }
                obj = r;
            }
            let r = if expand {
                let mut t = Text::new();
                match self.build(spec, depth - 1, &mut t) {
                    Ok(()) => render(obj, t.as_str(), out),
                    Err(e) => Err(e),
                }
            } else {
                render(obj, spec, out)
            };
            decref(obj);
            r
        }
    }

    /// The object a field name designates (`get_field_object`). Return value: New reference.
    unsafe fn field_object(&mut self, field: &str) -> Res<*mut PyObject> {
        // SAFETY: live arguments.
        unsafe {
            let first_end = field.find(['.', '[']).unwrap_or(field.len());
            let first = &field[..first_end];
            let mut index = field_integer(first)?;
            let empty = first.is_empty();
            let numeric = empty || index.is_some();
            if self.auto == Numbering::Unset && numeric {
                self.auto = if empty {
                    Numbering::Automatic
                } else {
                    Numbering::Manual
                };
            }
            if numeric {
                if self.auto == Numbering::Manual && empty {
                    return Err(raise_value(
                        "cannot switch from manual field specification to automatic field numbering",
                    ));
                }
                if self.auto == Numbering::Automatic && !empty {
                    return Err(raise_value(
                        "cannot switch from automatic field numbering to manual field specification",
                    ));
                }
            }
            if empty {
                index = Some(self.next);
                self.next += 1;
            }
            let mut obj = match index {
                None => {
                    let key = new_str(first)?;
                    if self.kwargs.is_null() {
                        crate::python::errors::set_object(crate::exc!(KeyError), key);
                        decref(key);
                        return Err(Raised);
                    }
                    let o = crate::objects::abstract_::get_item(self.kwargs, key);
                    decref(key);
                    if o.is_null() {
                        return Err(Raised);
                    }
                    o
                }
                Some(i) => {
                    if self.args.is_null() {
                        return Err(raise_value("Format string contains positional fields"));
                    }
                    let items = crate::objects::tupleobject::as_slice(self.args);
                    match items.get(i) {
                        Some(&o) => new_ref(o),
                        None => {
                            set_format(
                                crate::exc!(IndexError),
                                format_args!(
                                    "Replacement index {i} out of range for positional args tuple"
                                ),
                            );
                            return Err(Raised);
                        }
                    }
                }
            };
            // The rest: `.attr` and `[key]` lookups.
            let rest = &field[first_end..];
            let mut k = 0;
            while k < rest.len() {
                let c = rest.as_bytes()[k];
                let (name, attr, next) = match c {
                    b'.' => {
                        let end = rest[k + 1..]
                            .find(['.', '['])
                            .map_or(rest.len(), |e| k + 1 + e);
                        (&rest[k + 1..end], true, end)
                    }
                    b'[' => match rest[k + 1..].find(']') {
                        Some(e) => (&rest[k + 1..k + 1 + e], false, k + 2 + e),
                        None => {
                            decref(obj);
                            return Err(raise_value("Missing ']' in format string"));
                        }
                    },
                    _ => {
                        decref(obj);
                        return Err(raise_value(
                            "Only '.' or '[' may follow ']' in format field specifier",
                        ));
                    }
                };
                k = next;
                let idx = if attr {
                    None
                } else {
                    match field_integer(name) {
                        Ok(i) => i,
                        Err(e) => {
                            decref(obj);
                            return Err(e);
                        }
                    }
                };
                if name.is_empty() {
                    decref(obj);
                    return Err(raise_value("Empty attribute in format string"));
                }
                let key = match idx {
                    Some(i) => crate::objects::longobject::from_i128(i as i128),
                    None => str_or_null(name),
                };
                if key.is_null() {
                    decref(obj);
                    return Err(Raised);
                }
                let r = if attr {
                    crate::objects::object_ops::get_attr(obj, key)
                } else if idx.is_some() && is_sequence(obj) {
                    sequence_item(obj, idx.unwrap_or(0))
                } else {
                    crate::objects::abstract_::get_item(obj, key)
                };
                decref(key);
                decref(obj);
                if r.is_null() {
                    return Err(Raised);
                }
                obj = r;
            }
            Ok(obj)
        }
    }
}

unsafe fn str_or_null(s: &str) -> *mut PyObject {
    // SAFETY: creating a str.
    unsafe { crate::objects::unicodeobject::str_from(s) }
}

/// `PySequence_Check`: has `sq_item` and is not a dict.
unsafe fn is_sequence(o: *mut PyObject) -> bool {
    // SAFETY: a live object.
    unsafe {
        let sq = (*ty(o)).tp_as_sequence;
        !crate::objects::dictobject::is_dict(o) && !sq.is_null() && (*sq).sq_item.is_some()
    }
}

/// `PySequence_GetItem(o, i)` for `i >= 0`.
unsafe fn sequence_item(o: *mut PyObject, i: usize) -> *mut PyObject {
    // SAFETY: a sequence.
    unsafe {
        let sq = (*ty(o)).tp_as_sequence;
        match (*sq).sq_item {
            Some(f) => f(o, i as Py_ssize_t),
            None => null_mut(),
        }
    }
}

/// A field name part as an integer (`get_integer`): None when it is not all decimal digits.
fn field_integer(s: &str) -> Res<Option<usize>> {
    if s.is_empty() {
        return Ok(None);
    }
    let mut acc: usize = 0;
    for c in s.chars() {
        let Some(d) = decimal_value(c) else {
            return Ok(None);
        };
        if acc > (isize::MAX as usize - d as usize) / 10 {
            return Err(raise_value("Too many decimal digits in format string"));
        }
        acc = acc * 10 + d as usize;
    }
    Ok(Some(acc))
}

/// Parses the field starting at byte `i` (after its `{`): `(name, conversion, spec,
/// spec needs expanding, index after the closing brace)`.
fn parse_field(fmt: &str, mut i: usize) -> Res<(&str, Option<char>, &str, bool, usize)> {
    let b = fmt.as_bytes();
    let start = i;
    let mut c = 0u8;
    while i < b.len() {
        c = b[i];
        i += 1;
        match c {
            b'{' => return Err(raise_value("unexpected '{' in field name")),
            b'[' => {
                while i < b.len() && b[i] != b']' {
                    i += 1;
                }
                continue;
            }
            b'}' | b':' | b'!' => break,
            _ => continue,
        }
    }
    let name_end = i - 1;
    if c == b'!' || c == b':' {
        let name = &fmt[start..name_end];
        let mut conv = None;
        if c == b'!' {
            let Some(ch) = fmt[i..].chars().next() else {
                return Err(raise_value(
                    "end of string while looking for conversion specifier",
                ));
            };
            conv = Some(ch);
            i += ch.len_utf8();
            if i < b.len() {
                let d = b[i];
                i += 1;
                if d == b'}' {
                    return Ok((name, conv, "", false, i));
                }
                if d != b':' {
                    return Err(raise_value("expected ':' after conversion specifier"));
                }
            }
        }
        let spec_start = i;
        let mut count = 1;
        let mut expand = false;
        while i < b.len() {
            let d = b[i];
            i += 1;
            match d {
                b'{' => {
                    expand = true;
                    count += 1;
                }
                b'}' => {
                    count -= 1;
                    if count == 0 {
                        return Ok((name, conv, &fmt[spec_start..i - 1], expand, i));
                    }
                }
                _ => {}
            }
        }
        return Err(raise_value("unmatched '{' in format spec"));
    }
    if c != b'}' {
        return Err(raise_value("expected '}' before end of string"));
    }
    Ok((&fmt[start..name_end], None, "", false, i))
}

/// `str.format(*args, **kwargs)`.
pub(crate) unsafe fn format_method(
    op: *mut PyObject,
    args: *mut PyObject,
    kw: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: a str, a tuple and NULL or a dict.
    unsafe {
        let args = if args.is_null() {
            crate::objects::tupleobject::empty()
        } else {
            args
        };
        run_format(op, args, kw)
    }
}

/// `str.format_map(mapping)`.
pub(crate) unsafe fn format_map_method(op: *mut PyObject, mapping: *mut PyObject) -> *mut PyObject {
    // SAFETY: a str and a live mapping.
    unsafe { run_format(op, null_mut(), mapping) }
}

unsafe fn run_format(op: *mut PyObject, args: *mut PyObject, kw: *mut PyObject) -> *mut PyObject {
    // SAFETY: a str and live arguments.
    unsafe {
        let fmt = str_as(op).unwrap_or("");
        let mut f = Formatter {
            args,
            kwargs: kw,
            auto: Numbering::Unset,
            next: 0,
        };
        let mut t = Text::new();
        match f.build(fmt, 2, &mut t) {
            Ok(()) => out(new_str(t.as_str())),
            Err(_) => null_mut(),
        }
    }
}

// ---- printf-style formatting ----

const F_LJUST: u8 = 1;
const F_SIGN: u8 = 2;
const F_BLANK: u8 = 4;
const F_ALT: u8 = 8;
const F_ZERO: u8 = 16;

struct Percent {
    args: *mut PyObject,
    /// A looked-up mapping value (owned), replacing `args` once a key was used.
    owned: Option<*mut PyObject>,
    arglen: isize,
    argidx: isize,
    dict: *mut PyObject,
}

impl Percent {
    /// The next argument (borrowed).
    unsafe fn next_arg(&mut self) -> Res<*mut PyObject> {
        if self.argidx < self.arglen {
            let i = self.argidx;
            self.argidx += 1;
            let a = self.owned.unwrap_or(self.args);
            if self.arglen < 0 {
                return Ok(a);
            }
            // SAFETY: a tuple with more than `i` items.
            return Ok(unsafe { crate::objects::tupleobject::item(a, i as Py_ssize_t) });
        }
        Err(raise_type("not enough arguments for format string"))
    }

    fn release(&mut self) {
        if let Some(o) = self.owned.take() {
            // SAFETY: an owned reference.
            unsafe { decref(o) };
        }
    }
}

/// `PyUnicode_Format` without the NULL tests. Return value: New reference or NULL.
pub(crate) unsafe fn percent_format(
    format: *mut PyObject,
    args: *mut PyObject,
) -> Res<*mut PyObject> {
    // SAFETY: live objects.
    unsafe {
        let fmt = must_be_str(format)?.s;
        let tuple = crate::objects::tupleobject::is_tuple(args);
        let mp = (*ty(args)).tp_as_mapping;
        let dict = if !tuple && !is_str(args) && !mp.is_null() && (*mp).mp_subscript.is_some() {
            args
        } else {
            null_mut()
        };
        let mut st = Percent {
            args,
            owned: None,
            arglen: if tuple {
                crate::capi::ffi::size(args)
            } else {
                -1
            },
            argidx: if tuple { 0 } else { -2 },
            dict,
        };
        let mut t = Text::new();
        let r = percent_loop(fmt, &mut st, &mut t);
        st.release();
        r?;
        if st.argidx < st.arglen && st.dict.is_null() {
            return Err(raise_type(
                "not all arguments converted during string formatting",
            ));
        }
        new_str(t.as_str())
    }
}

unsafe fn percent_loop(fmt: &str, st: &mut Percent, t: &mut Text) -> Res<()> {
    // Work on code points: the error messages give code point indexes.
    let mut c: Vec<char> = Vec::new();
    for ch in fmt.chars() {
        try_push(&mut c, ch)?;
    }
    let n = c.len();
    let mut pos = 0;
    while pos < n {
        if c[pos] != '%' {
            let start = pos;
            while pos < n && c[pos] != '%' {
                pos += 1;
            }
            for &ch in &c[start..pos] {
                t.push(ch)?;
            }
            continue;
        }
        pos += 1;
        if pos < n && c[pos] == '%' {
            t.push('%')?;
            pos += 1;
            continue;
        }
        // SAFETY: the arguments are live.
        unsafe { one_conversion(&c, &mut pos, st, t)? };
    }
    Ok(())
}

unsafe fn one_conversion(c: &[char], pos: &mut usize, st: &mut Percent, t: &mut Text) -> Res<()> {
    // SAFETY: the arguments are live; objects made are released.
    unsafe {
        let n = c.len();
        let incomplete = || raise_value("incomplete format");
        if *pos < n && c[*pos] == '(' {
            if st.dict.is_null() {
                return Err(raise_type("format requires a mapping"));
            }
            *pos += 1;
            let key_start = *pos;
            let mut depth = 1;
            while depth > 0 && *pos < n {
                match c[*pos] {
                    ')' => depth -= 1,
                    '(' => depth += 1,
                    _ => {}
                }
                *pos += 1;
            }
            if depth > 0 {
                return Err(raise_value("incomplete format key"));
            }
            let mut key = Text::new();
            for &ch in &c[key_start..*pos - 1] {
                key.push(ch)?;
            }
            let k = new_str(key.as_str())?;
            let v = crate::objects::abstract_::get_item(st.dict, k);
            decref(k);
            if v.is_null() {
                return Err(Raised);
            }
            st.release();
            st.owned = Some(v);
            st.arglen = -1;
            st.argidx = -2;
        }
        // Flags.
        let mut flags = 0u8;
        let mut ch = '\0';
        let mut have = false;
        while *pos < n {
            ch = c[*pos];
            *pos += 1;
            have = true;
            match ch {
                '-' => flags |= F_LJUST,
                '+' => flags |= F_SIGN,
                ' ' => flags |= F_BLANK,
                '#' => flags |= F_ALT,
                '0' => flags |= F_ZERO,
                _ => break,
            }
            have = false;
        }
        if !have {
            return Err(incomplete());
        }
        // Width.
        let mut width: isize = -1;
        if ch == '*' {
            let v = st.next_arg()?;
            if !is_long(v) {
                return Err(raise_type("* wants int"));
            }
            let w = crate::objects::longobject::to_signed(
                v,
                None,
                isize::MIN as i128,
                isize::MAX as i128,
                "ssize_t",
            )
            .ok_or(Raised)? as isize;
            width = if w < 0 {
                flags |= F_LJUST;
                w.checked_neg().unwrap_or(isize::MAX)
            } else {
                w
            };
            if *pos >= n {
                return Err(incomplete());
            }
            ch = c[*pos];
            *pos += 1;
        } else if ch.is_ascii_digit() {
            width = (ch as u8 - b'0') as isize;
            loop {
                if *pos >= n {
                    return Err(incomplete());
                }
                ch = c[*pos];
                *pos += 1;
                if !ch.is_ascii_digit() {
                    break;
                }
                let d = (ch as u8 - b'0') as isize;
                if width > (isize::MAX - d) / 10 {
                    return Err(raise_value("width too big"));
                }
                width = width * 10 + d;
            }
        }
        // Precision.
        let mut prec: i32 = -1;
        if ch == '.' {
            prec = 0;
            if *pos >= n {
                return Err(incomplete());
            }
            ch = c[*pos];
            *pos += 1;
            if ch == '*' {
                let v = st.next_arg()?;
                if !is_long(v) {
                    return Err(raise_type("* wants int"));
                }
                let p = crate::objects::longobject::to_signed(
                    v,
                    None,
                    i32::MIN as i128,
                    i32::MAX as i128,
                    "int",
                )
                .ok_or(Raised)? as i32;
                prec = p.max(0);
                if *pos >= n {
                    return Err(incomplete());
                }
                ch = c[*pos];
                *pos += 1;
            } else if ch.is_ascii_digit() {
                prec = (ch as u8 - b'0') as i32;
                loop {
                    if *pos >= n {
                        return Err(incomplete());
                    }
                    ch = c[*pos];
                    *pos += 1;
                    if !ch.is_ascii_digit() {
                        break;
                    }
                    let d = (ch as u8 - b'0') as i32;
                    if prec > (i32::MAX - d) / 10 {
                        return Err(raise_value("precision too big"));
                    }
                    prec = prec * 10 + d;
                }
            }
        }
        // Length modifiers are ignored.
        if matches!(ch, 'h' | 'l' | 'L') {
            if *pos >= n {
                return Err(incomplete());
            }
            ch = c[*pos];
            *pos += 1;
        }
        let conv_index = *pos - 1;
        let v = st.next_arg()?;
        let width = if width < 0 { 0 } else { width as usize };
        let prec = if prec < 0 { None } else { Some(prec as usize) };
        match ch {
            's' | 'r' | 'a' => {
                let r = match ch {
                    's' => crate::objects::object_ops::str(v),
                    'r' => crate::objects::object_ops::repr(v),
                    _ => crate::objects::object_ops::PyObject_ASCII(v),
                };
                if r.is_null() {
                    return Err(Raised);
                }
                let h = Str::of(r).unwrap_or(Str::text(""));
                let s = match prec {
                    Some(p) if p < h.n => h.sub(0, p),
                    _ => h.s,
                };
                let res = pad_plain(t, s, width, flags);
                decref(r);
                res
            }
            'c' => {
                let ch = if let Some(s) = str_as(v) {
                    let mut it = s.chars();
                    match (it.next(), it.next()) {
                        (Some(x), None) => x,
                        _ => return Err(raise_type("%c requires int or char")),
                    }
                } else if is_long(v) {
                    let Some(x) = value(v)
                        .and_then(|x| u32::try_from(x).ok())
                        .filter(|&x| x < 0x110000)
                    else {
                        set_string(crate::exc!(OverflowError), "%c arg not in range(0x110000)");
                        return Err(Raised);
                    };
                    match char::from_u32(x) {
                        Some(x) => x,
                        None => {
                            return Err(raise_value(
                                "pycoro: strings cannot hold surrogate code points",
                            ));
                        }
                    }
                } else {
                    return Err(raise_type("%c requires int or char"));
                };
                let mut b = [0u8; 4];
                pad_plain(t, ch.encode_utf8(&mut b), width, flags)
            }
            'd' | 'i' | 'u' | 'o' | 'x' | 'X' => {
                if !is_long(v) {
                    let what = if matches!(ch, 'o' | 'x' | 'X') {
                        "an integer is required"
                    } else {
                        "a real number is required"
                    };
                    set_format(
                        crate::exc!(TypeError),
                        format_args!("%{ch} format: {what}, not {}", tp_name_of(v)),
                    );
                    return Err(Raised);
                }
                let x = int_value(v)?;
                let (base, prefix) = match ch {
                    'o' => (8, "0o"),
                    'x' => (16, "0x"),
                    'X' => (16, "0X"),
                    _ => (10, ""),
                };
                let d = digits(x, base, ch == 'X')?;
                let prefix = if flags & F_ALT != 0 { prefix } else { "" };
                let zeros = prec.map_or(0, |p| p.saturating_sub(d.as_str().len()));
                pad_number(t, x < 0, prefix, zeros, d.as_str(), width, flags)
            }
            'e' | 'E' | 'f' | 'F' | 'g' | 'G' => {
                if !is_long(v) {
                    set_format(
                        crate::exc!(TypeError),
                        format_args!("must be real number, not {}", tp_name_of(v)),
                    );
                    return Err(Raised);
                }
                let x = int_value(v)? as f64;
                let d = float_text(x, ch, prec.unwrap_or(6), flags & F_ALT != 0)?;
                pad_number(t, x < 0.0, "", 0, d.as_str(), width, flags)
            }
            _ => {
                let shown = if (31..=126).contains(&(ch as u32)) {
                    ch
                } else {
                    '?'
                };
                set_format(
                    crate::exc!(ValueError),
                    format_args!(
                        "unsupported format character '{shown}' (0x{:x}) at index {conv_index}",
                        ch as u32
                    ),
                );
                Err(Raised)
            }
        }
    }
}

/// A non-number conversion padded with spaces to `width` (left-justified with `-`).
fn pad_plain(t: &mut Text, s: &str, width: usize, flags: u8) -> Res<()> {
    let n = Str::text(s).n;
    let pad = width.saturating_sub(n);
    if flags & F_LJUST == 0 {
        t.push_repeat(' ', pad)?;
    }
    t.push_str(s)?;
    if flags & F_LJUST != 0 {
        t.push_repeat(' ', pad)?;
    }
    Ok(())
}

/// A number conversion: sign, prefix, `zeros` zeros, digits; padded to `width` with spaces
/// before (after with `-`) or zeros after the sign and prefix (`0`).
fn pad_number(
    t: &mut Text,
    negative: bool,
    prefix: &str,
    zeros: usize,
    digits: &str,
    width: usize,
    flags: u8,
) -> Res<()> {
    let sign = if negative {
        Some('-')
    } else if flags & F_SIGN != 0 {
        Some('+')
    } else if flags & F_BLANK != 0 {
        Some(' ')
    } else {
        None
    };
    let n = sign.map_or(0, |_| 1) + prefix.len() + zeros + digits.len();
    let pad = width.saturating_sub(n);
    let ljust = flags & F_LJUST != 0;
    let zero = !ljust && flags & F_ZERO != 0;
    if !ljust && !zero {
        t.push_repeat(' ', pad)?;
    }
    if let Some(s) = sign {
        t.push(s)?;
    }
    t.push_str(prefix)?;
    if zero {
        t.push_repeat('0', pad)?;
    }
    t.push_repeat('0', zeros)?;
    t.push_str(digits)?;
    if ljust {
        t.push_repeat(' ', pad)?;
    }
    Ok(())
}

/// str's `nb_remainder`: `format % args` when `format` is a str, else `NotImplemented`.
pub(crate) unsafe extern "C" fn str_mod(v: *mut PyObject, w: *mut PyObject) -> *mut PyObject {
    // SAFETY: live objects.
    unsafe {
        if !is_str(v) {
            return new_ref(crate::objects::object_ops::not_implemented());
        }
        out(percent_format(v, w))
    }
}

/// `format % args`: printf-style formatting of the str `format` with a tuple of arguments, a
/// single argument, or a mapping (`%(key)s`). Conversions: `s r a c d i u o x X e E f F g G %`
/// with flags `-+ #0`, width and precision (`*` takes them from the arguments).
///
/// Return value: New reference, or NULL with an exception set (CPython's messages: `TypeError:
/// not enough arguments for format string`, `TypeError: not all arguments converted during
/// string formatting`, `ValueError: unsupported format character 'q' (0x71) at index 1`, ...;
/// `TypeError("must be str, not X")` for a non-str `format`; `SystemError` for NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyUnicode_Format(
    format: *mut PyObject,
    args: *mut PyObject,
) -> *mut PyObject {
    check_null!(format, null_mut());
    check_null!(args, null_mut());
    // SAFETY: live objects.
    guard("PyUnicode_Format", null_mut(), || {
        out(unsafe { percent_format(format, args) })
    })
}
