//! `Include/sysmodule.h`'s audit hooks (PEP 578): `PySys_AddAuditHook` and `PySys_Audit`.
//!
//! Hooks are process-wide, as in CPython (they are runtime state, not per interpreter), and
//! cannot be removed. The generator types raise `object.__getattr__` when `gi_frame`,
//! `gi_code`, `cr_frame`, `cr_code`, `ag_frame` or `ag_code` is read, as CPython 3.10 does.

use crate::capi::boundary::{check_null, guard};
use crate::capi::ffi::decref;
use crate::capi::varargs::{va_list, vararg_trampoline};
use crate::objects::object::PyObject;
use core::ffi::{CStr, c_char, c_int, c_void};
use core::ptr::null_mut;
use core::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

/// An audit hook: `int hook(const char *event, PyObject *args, void *userData)`; `args` is a
/// tuple (borrowed). Return 0 to let the event go on, or -1 with an exception set to abort it.
pub type Py_AuditHookFunction =
    Option<unsafe extern "C" fn(*const c_char, *mut PyObject, *mut c_void) -> c_int>;

struct Hook(
    unsafe extern "C" fn(*const c_char, *mut PyObject, *mut c_void) -> c_int,
    usize,
);

static HOOKS: Mutex<Vec<Hook>> = Mutex::new(Vec::new());
/// Whether any hook is installed: the fast path of every audit point.
static ANY_HOOK: AtomicBool = AtomicBool::new(false);

/// Whether audit events need to be built at all.
#[inline]
pub(crate) fn auditing() -> bool {
    ANY_HOOK.load(Ordering::Acquire)
}

/// Calls every hook with `event` and `args` (a tuple, borrowed). Returns 0, or -1 with the
/// exception a hook set.
pub(crate) unsafe fn audit(event: &CStr, args: *mut PyObject) -> c_int {
    // The hooks run without the lock held (a hook may add another hook, which this event does
    // not reach): hook `i` is read under the lock, then called. Hooks are only ever added, so
    // the indices stay valid.
    let count = HOOKS.lock().unwrap_or_else(|e| e.into_inner()).len();
    for i in 0..count {
        let (f, data) = {
            let hooks = HOOKS.lock().unwrap_or_else(|e| e.into_inner());
            (hooks[i].0 as usize, hooks[i].1)
        };
        // SAFETY: `f` was stored from a hook function pointer; the hook's contract applies.
        let r = unsafe {
            let f: unsafe extern "C" fn(*const c_char, *mut PyObject, *mut c_void) -> c_int =
                core::mem::transmute(f);
            f(event.as_ptr(), args, data as *mut c_void)
        };
        if r < 0 {
            if crate::python::errors::occurred().is_null() {
                // SAFETY: setting the error indicator.
                unsafe {
                    crate::python::errors::set_string(
                        crate::exc!(SystemError),
                        "audit hook returned -1 without setting an exception",
                    )
                };
            }
            return -1;
        }
    }
    0
}

/// Adds an audit hook, called for every audit event from then on, in the order hooks were
/// added, with `userData`.
///
/// As in CPython, the existing hooks are first told with the event `sys.addaudithook` (no
/// arguments); if one of them raises an `Exception` subclass the new hook is not added and 0
/// is returned with the error cleared; any other error returns -1 with it set. Returns 0 on
/// success. A NULL `hook` raises `SystemError` (CPython crashes later).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PySys_AddAuditHook(
    hook: Py_AuditHookFunction,
    userData: *mut c_void,
) -> c_int {
    let Some(hook) = hook else {
        // SAFETY: setting the error indicator.
        unsafe { crate::python::errors::bad_internal_call() };
        return -1;
    };
    guard("PySys_AddAuditHook", -1, || {
        if auditing() {
            // SAFETY: an empty tuple for the event's arguments.
            unsafe {
                if audit(c"sys.addaudithook", crate::objects::tupleobject::empty()) < 0 {
                    if crate::python::errors::matches(crate::exc!(Exception)) {
                        crate::python::errors::restore(null_mut(), null_mut(), null_mut());
                        return 0;
                    }
                    return -1;
                }
            }
        }
        let added = crate::capi::fallible::try_push(
            &mut HOOKS.lock().unwrap_or_else(|e| e.into_inner()),
            Hook(hook, userData as usize),
        );
        if added.is_err() {
            // SAFETY: setting the error indicator.
            unsafe { crate::python::errors::no_memory() };
            return -1;
        }
        ANY_HOOK.store(true, Ordering::Release);
        0
    })
}

/// `PySys_Audit` with the arguments in a `va_list` (the variadic entry point's target).
unsafe extern "C" fn audit_target(
    event: *const c_char,
    format: *const c_char,
    vargs: va_list,
) -> c_int {
    check_null!(event, -1);
    guard("PySys_Audit", -1, || {
        if !auditing() {
            return 0;
        }
        // SAFETY: the arguments match `format` by the caller's contract.
        unsafe {
            let args = if format.is_null() || *format == 0 {
                crate::capi::ffi::new_ref(crate::objects::tupleobject::empty())
            } else {
                let v = crate::python::modsupport::Py_VaBuildValue(format, vargs);
                if v.is_null() {
                    return -1;
                }
                if crate::objects::tupleobject::is_tuple(v) {
                    v
                } else {
                    let t = crate::objects::tupleobject::tuple_from(&[v]);
                    decref(v);
                    if t.is_null() {
                        return -1;
                    }
                    t
                }
            };
            let r = audit(CStr::from_ptr(event), args);
            decref(args);
            r
        }
    })
}

/// Naked entry point; its C prototype and documentation are in the trailer of cbindgen.toml:
/// `int PySys_Audit(const char *event, const char *format, ...)`.
#[unsafe(naked)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PySys_Audit(event: *const c_char, format: *const c_char) -> c_int {
    core::arch::naked_asm!(vararg_trampoline!("16", "rdx"), target = sym audit_target)
}
