//! `Include/warnings.h`: warnings without the `warnings` module.
//!
//! CPython routes `PyErr_WarnEx` through `Lib/warnings.py`: filters pick an action, the default
//! `showwarning` prints `filename:lineno: Category: message` to stderr. pycoro keeps that
//! behaviour with a small filter list and, for C harnesses, two extension points (prefix
//! `PyNative_`): `PyNative_WarningsFilter` (`warnings.simplefilter`) and
//! `PyNative_SetWarningHandler` (replaces `showwarning`, e.g. to capture warnings in a test).
//!
//! The location of a warning is the executing native frame `stack_level - 1` levels up
//! (`co_filename`, `PyFrame_GetLineNumber`), or `sys:1` when there is none, as CPython reports
//! warnings raised with no Python frame.

use crate::capi::boundary::{check_null, guard};
use crate::capi::fallible::{FNV_START, NoMemory, Table, Text, fnv, try_push_front};
use crate::capi::ffi::{decref, new_ref, xdecref};
use crate::capi::varargs::{va_list, vararg_trampoline};
use crate::objects::object::PyObject;
use crate::objects::unicodeobject::str_as;
use crate::python::errors::{set_format, set_string};
use core::ffi::{CStr, c_char, c_int, c_void};
use core::ptr::null_mut;
use std::sync::Mutex;

/// A warning handler (`PyNative_SetWarningHandler`): `category` (a Warning subclass),
/// `message` (a str), `filename` (a str) and `lineno` of the warning, `source` (the object the
/// warning is about, or NULL), and the handler's `data`; all borrowed. Return 0, or -1 with an
/// exception set to make the warning call fail with it.
pub type PyNative_WarningHandler = Option<
    unsafe extern "C" fn(
        category: *mut PyObject,
        message: *mut PyObject,
        filename: *mut PyObject,
        lineno: c_int,
        source: *mut PyObject,
        data: *mut c_void,
    ) -> c_int,
>;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Action {
    Default,
    Always,
    Once,
    Ignore,
    Error,
}

struct State {
    /// (action, category) most recent first; the first whose category matches applies.
    filters: Vec<(Action, usize)>,
    /// Locations already reported under "default" / messages under "once" (a table whose
    /// entries valgrind sees as reachable).
    seen: Table<Seen>,
    handler: Option<(usize, usize)>,
}

/// A warning already shown: message, category and (under "default") location.
struct Seen {
    text: Text,
    category: usize,
    file: Text,
    lineno: c_int,
}

impl Seen {
    fn hash(text: &str, category: usize, file: &str, lineno: c_int) -> u64 {
        let h = fnv(FNV_START, text.as_bytes());
        let h = fnv(h, &category.to_le_bytes());
        let h = fnv(h, file.as_bytes());
        fnv(h, &lineno.to_le_bytes())
    }

    fn is(&self, text: &str, category: usize, file: &str, lineno: c_int) -> bool {
        self.text.as_str() == text
            && self.category == category
            && self.file.as_str() == file
            && self.lineno == lineno
    }
}

static STATE: Mutex<State> = Mutex::new(State {
    filters: Vec::new(),
    seen: Table::new(),
    handler: None,
});

fn state() -> std::sync::MutexGuard<'static, State> {
    STATE.lock().unwrap_or_else(|e| e.into_inner())
}

/// CPython's default filters (release build): DeprecationWarning, PendingDeprecationWarning,
/// ImportWarning and ResourceWarning are ignored; everything else is "default".
unsafe fn default_action(category: *mut PyObject) -> Action {
    // SAFETY: a live class.
    unsafe {
        for name in [
            "DeprecationWarning",
            "PendingDeprecationWarning",
            "ImportWarning",
            "ResourceWarning",
        ] {
            if crate::objects::typeobject::type_name(category as *mut _) == name {
                return Action::Ignore;
            }
        }
    }
    Action::Default
}

unsafe fn action_for(category: *mut PyObject) -> Action {
    // Matching classes runs no other code, so the lock can be held.
    let st = state();
    // SAFETY: live classes.
    unsafe {
        for &(a, c) in &st.filters {
            if c == 0 || crate::python::errors::given_matches(category, c as *mut PyObject) {
                return a;
            }
        }
        default_action(category)
    }
}

/// Records that the warning was shown: false when it already was (it is not shown again).
/// `Err` when there is no memory to record it (`MemoryError` is then set).
unsafe fn first_time(text: &str, category: usize, file: &str, lineno: c_int) -> Result<bool, ()> {
    let hash = Seen::hash(text, category, file, lineno);
    let mut st = state();
    if st
        .seen
        .find(hash, |k| k.is(text, category, file, lineno))
        .is_some()
    {
        return Ok(false);
    }
    let key = (|| {
        Ok::<_, NoMemory>(Seen {
            text: crate::capi::fallible::format(format_args!("{text}"))?,
            category,
            file: crate::capi::fallible::format(format_args!("{file}"))?,
            lineno,
        })
    })();
    if let Ok(key) = key
        && st.seen.insert(hash, key).is_ok()
    {
        return Ok(true);
    }
    drop(st);
    // SAFETY: setting the error indicator.
    unsafe { crate::python::errors::no_memory() };
    Err(())
}

/// The location `stack_level` frames up: (filename, lineno).
unsafe fn location(stack_level: Py_ssize_t) -> (*mut PyObject, c_int) {
    // SAFETY: the executing frames are live while linked.
    unsafe {
        let mut f = (*crate::python::pystate::tstate()).frame;
        let mut level = stack_level.max(1);
        while level > 1 && !f.is_null() {
            f = (*f).f_back;
            level -= 1;
        }
        if f.is_null() {
            return (crate::objects::unicodeobject::intern("sys"), 1);
        }
        (
            new_ref((*(*f).f_code).co_filename),
            crate::objects::frameobject::line_number(f),
        )
    }
}

use crate::objects::object::Py_ssize_t;

/// `warnings.warn_explicit` with pycoro's filters: returns 0, or -1 with an exception set.
unsafe fn warn_explicit(
    category: *mut PyObject,
    message: *mut PyObject,
    filename: *mut PyObject,
    lineno: c_int,
    source: *mut PyObject,
) -> c_int {
    // SAFETY: live objects (source may be NULL).
    unsafe {
        let category = if category.is_null() {
            crate::exc!(UserWarning)
        } else {
            category
        };
        if !crate::objects::exceptions::exc_class_check(category)
            || !crate::objects::typeobject::is_subtype(
                category as *mut _,
                &raw mut crate::objects::exceptions::types::Warning,
            )
        {
            set_format(
                crate::exc!(TypeError),
                format_args!(
                    "category must be a Warning subclass, not '{}'",
                    crate::objects::typeobject::tp_name_of(category)
                ),
            );
            return -1;
        }
        let action = action_for(category);
        if action == Action::Ignore {
            return 0;
        }
        if action == Action::Error {
            crate::python::errors::set_object(category, message);
            return -1;
        }
        let text = crate::objects::object_ops::str_string(message);
        let file = str_as(filename).unwrap_or("?");
        if action != Action::Always {
            let (f, l) = match action {
                Action::Once => ("", 0),
                _ => (file, lineno),
            };
            match first_time(text.as_str(), category as usize, f, l) {
                Ok(true) => {}
                Ok(false) => return 0,
                Err(()) => return -1,
            }
        }
        let handler = state().handler;
        if let Some((h, data)) = handler {
            let h: unsafe extern "C" fn(
                *mut PyObject,
                *mut PyObject,
                *mut PyObject,
                c_int,
                *mut PyObject,
                *mut c_void,
            ) -> c_int = core::mem::transmute(h);
            let msg = crate::objects::object_ops::str(message);
            if msg.is_null() {
                return -1;
            }
            let r = h(category, msg, filename, lineno, source, data as *mut c_void);
            decref(msg);
            return if r < 0 { -1 } else { 0 };
        }
        let name = crate::objects::typeobject::type_name(category as *mut _);
        use std::io::Write;
        let _ = writeln!(std::io::stderr(), "{file}:{lineno}: {name}: {text}");
        0
    }
}

/// Issues a warning about `source` (may be NULL) with a str message at `stack_level`.
pub(crate) unsafe fn warn(
    category: *mut PyObject,
    message: *mut PyObject,
    stack_level: Py_ssize_t,
    source: *mut PyObject,
) -> c_int {
    // SAFETY: live objects.
    unsafe {
        let (filename, lineno) = location(stack_level);
        let r = warn_explicit(category, message, filename, lineno, source);
        decref(filename);
        r
    }
}

/// Issues a warning of class `category` (NULL means `RuntimeWarning`) with the UTF-8 `message`,
/// located `stack_level` executing native frames up (1: the innermost; `sys:1` when no frame
/// runs).
///
/// What happens depends on the filters (`PyNative_WarningsFilter`; by default
/// `DeprecationWarning`, `PendingDeprecationWarning`, `ImportWarning` and `ResourceWarning` are
/// ignored and other warnings are shown once per location): it is ignored; shown (the handler
/// set by `PyNative_SetWarningHandler` is called, or `filename:lineno: Category: message` is
/// printed to stderr); or, under an "error" filter, raised.
///
/// Returns 0, or -1 with an exception set (the warning itself under "error"; whatever the
/// handler raised; `TypeError` when `category` is not a Warning subclass).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyErr_WarnEx(
    category: *mut PyObject,
    message: *const c_char,
    stack_level: Py_ssize_t,
) -> c_int {
    check_null!(message, -1);
    guard("PyErr_WarnEx", -1, || {
        // SAFETY: a NUL-terminated message by contract.
        unsafe {
            let m = crate::objects::unicodeobject::PyUnicode_FromString(message);
            if m.is_null() {
                return -1;
            }
            let category = if category.is_null() {
                crate::exc!(RuntimeWarning)
            } else {
                category
            };
            let r = warn(category, m, stack_level, null_mut());
            decref(m);
            r
        }
    })
}

/// Issues a warning at an explicit location, as `warnings.warn_explicit`: `filename` (UTF-8),
/// `lineno`; `module` and `registry` are accepted for compatibility and not used (pycoro keeps
/// one process-wide registry). See `PyErr_WarnEx` for the filters and the result.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyErr_WarnExplicit(
    category: *mut PyObject,
    message: *const c_char,
    filename: *const c_char,
    lineno: c_int,
    module: *const c_char,
    registry: *mut PyObject,
) -> c_int {
    let _ = (module, registry);
    check_null!(message, -1);
    check_null!(filename, -1);
    guard("PyErr_WarnExplicit", -1, || {
        // SAFETY: NUL-terminated strings by contract.
        unsafe {
            let m = crate::objects::unicodeobject::PyUnicode_FromString(message);
            if m.is_null() {
                return -1;
            }
            let f = crate::objects::unicodeobject::PyUnicode_FromString(filename);
            if f.is_null() {
                decref(m);
                return -1;
            }
            let category = if category.is_null() {
                crate::exc!(RuntimeWarning)
            } else {
                category
            };
            let r = warn_explicit(category, m, f, lineno, null_mut());
            decref(m);
            decref(f);
            r
        }
    })
}

/// Warns with a message made by `PyUnicode_FromFormatV(format, vargs)`.
unsafe fn warn_formatted(
    category: *mut PyObject,
    stack_level: Py_ssize_t,
    format: *const c_char,
    vargs: va_list,
    source: *mut PyObject,
) -> c_int {
    // SAFETY: the arguments match `format` by the caller's contract.
    unsafe {
        let m = crate::objects::unicode_format::PyUnicode_FromFormatV(format, vargs);
        if m.is_null() {
            return -1;
        }
        let r = warn(category, m, stack_level, source);
        decref(m);
        r
    }
}

unsafe extern "C" fn warn_format_target(
    category: *mut PyObject,
    stack_level: Py_ssize_t,
    format: *const c_char,
    vargs: va_list,
) -> c_int {
    check_null!(format, -1);
    guard("PyErr_WarnFormat", -1, || {
        let category = if category.is_null() {
            crate::exc!(RuntimeWarning)
        } else {
            category
        };
        // SAFETY: the arguments match `format` by the caller's contract.
        unsafe { warn_formatted(category, stack_level, format, vargs, null_mut()) }
    })
}

unsafe extern "C" fn resource_warning_target(
    source: *mut PyObject,
    stack_level: Py_ssize_t,
    format: *const c_char,
    vargs: va_list,
) -> c_int {
    check_null!(format, -1);
    guard("PyErr_ResourceWarning", -1, || {
        // SAFETY: the arguments match `format` by the caller's contract.
        unsafe {
            warn_formatted(
                crate::exc!(ResourceWarning),
                stack_level,
                format,
                vargs,
                source,
            )
        }
    })
}

/// Naked entry point; its C prototype and documentation are in the trailer of cbindgen.toml:
/// `int PyErr_WarnFormat(PyObject *category, Py_ssize_t stack_level, const char *format, ...)`.
#[unsafe(naked)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyErr_WarnFormat(
    category: *mut PyObject,
    stack_level: Py_ssize_t,
    format: *const c_char,
) -> c_int {
    core::arch::naked_asm!(vararg_trampoline!("24", "rcx"), target = sym warn_format_target)
}

/// Naked entry point; its C prototype and documentation are in the trailer of cbindgen.toml:
/// `int PyErr_ResourceWarning(PyObject *source, Py_ssize_t stack_level, const char *format,
/// ...)`.
#[unsafe(naked)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyErr_ResourceWarning(
    source: *mut PyObject,
    stack_level: Py_ssize_t,
    format: *const c_char,
) -> c_int {
    core::arch::naked_asm!(vararg_trampoline!("24", "rcx"), target = sym resource_warning_target)
}

/// Adds a warnings filter in front of the others, as Python's
/// `warnings.simplefilter(action, category)`: `action` is one of "default", "always", "once",
/// "ignore", "error"; `category` a Warning subclass, or NULL for every warning. "reset" (with
/// any `category`) removes every filter added this way and forgets which warnings were shown.
/// Filters are process-wide.
///
/// Returns 0, or -1 with `ValueError` (unknown action) or `TypeError` (a category that is not
/// a Warning subclass) set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyNative_WarningsFilter(
    action: *const c_char,
    category: *mut PyObject,
) -> c_int {
    check_null!(action, -1);
    guard("PyNative_WarningsFilter", -1, || {
        // SAFETY: a NUL-terminated action; a live category or NULL.
        unsafe {
            let act = match CStr::from_ptr(action).to_bytes() {
                b"default" => Action::Default,
                b"always" => Action::Always,
                b"once" => Action::Once,
                b"ignore" => Action::Ignore,
                b"error" => Action::Error,
                b"reset" => {
                    let mut s = state();
                    s.filters = Vec::new();
                    s.seen.clear();
                    return 0;
                }
                _ => {
                    match crate::objects::unicodeobject::lossy(action) {
                        Ok(a) => set_format(
                            crate::exc!(ValueError),
                            format_args!("invalid action: '{}'", a.as_str()),
                        ),
                        Err(NoMemory) => {
                            crate::python::errors::no_memory();
                        }
                    }
                    return -1;
                }
            };
            if !category.is_null()
                && (!crate::objects::exceptions::exc_class_check(category)
                    || !crate::objects::typeobject::is_subtype(
                        category as *mut _,
                        &raw mut crate::objects::exceptions::types::Warning,
                    ))
            {
                set_string(
                    crate::exc!(TypeError),
                    "category must be a Warning subclass",
                );
                return -1;
            }
            if try_push_front(&mut state().filters, (act, category as usize)).is_err() {
                crate::python::errors::no_memory();
                return -1;
            }
            0
        }
    })
}

/// Replaces how shown warnings are reported (Python's `warnings.showwarning`): `handler` is
/// called with the warning's category, message, filename, line number and source instead of
/// printing `filename:lineno: Category: message` to stderr; NULL restores the printing.
/// Process-wide. Returns 0.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyNative_SetWarningHandler(
    handler: PyNative_WarningHandler,
    data: *mut c_void,
) -> c_int {
    state().handler = handler.map(|h| (h as usize, data as usize));
    0
}

/// `_PyErr_WarnUnawaitedCoroutine`: the RuntimeWarning for a coroutine that was never awaited,
/// with its origin when tracked; errors are reported as unraisable.
pub(crate) unsafe fn warn_unawaited_coroutine(coro: *mut PyObject) {
    // SAFETY: a live coroutine.
    unsafe {
        let c = coro as *mut crate::objects::genobject::PyCoroObject;
        let qualname = crate::objects::object_ops::str_string((*c).cr_qualname);
        let mut msg = Text::new();
        let mut built = msg.push_fmt(format_args!("coroutine '{qualname}' was never awaited"));
        let origin = (*c).cr_origin;
        if built.is_ok() && !origin.is_null() && crate::objects::tupleobject::is_tuple(origin) {
            built = msg.push_str("\nCoroutine created at (most recent call last)");
            for &entry in crate::objects::tupleobject::as_slice(origin).iter().rev() {
                if built.is_err() {
                    break;
                }
                if !crate::objects::tupleobject::is_tuple(entry)
                    || crate::capi::ffi::size(entry) != 3
                {
                    continue;
                }
                let e = crate::objects::tupleobject::as_slice(entry);
                let file = str_as(e[0]).unwrap_or("?");
                let line = crate::objects::longobject::PyLong_AsLong(e[1]);
                let func = str_as(e[2]).unwrap_or("?");
                built = msg.push_fmt(format_args!("\n  File \"{file}\", line {line}, in {func}"));
            }
            crate::python::errors::restore(null_mut(), null_mut(), null_mut());
        }
        let m = crate::objects::unicodeobject::str_from_text(built.map(|()| msg));
        // CPython warns from its Python helper with stacklevel=2, which names the frame that
        // was running when the coroutine died; pycoro has no helper frame, so that is level 1.
        if m.is_null() || warn(crate::exc!(RuntimeWarning), m, 1, coro) < 0 {
            crate::python::errors::PyErr_WriteUnraisable(coro);
        }
        xdecref(m);
    }
}
