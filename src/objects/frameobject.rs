//! `Include/cpython/frameobject.h`: frame objects, with CPython 3.10's `PyFrameObject`
//! (`struct _frame`) layout.

use crate::capi::boundary::{check_null, guard};
use crate::capi::ffi::{clear, is_type, new_ref, obj, py_visit, xnew_ref};
use crate::modules::gcmodule::{alloc_object, free_object, track, untrack, var_size};
use crate::objects::codeobject::{PyCodeObject, is_code, state_size_of};
use crate::objects::object::*;
use crate::objects::object_ops::{repr_string, str_string};
use crate::objects::typeobject::static_type;
use crate::objects::unicodeobject::str_format;
use crate::python::errors::{bad_internal_call, no_memory};
use crate::python::pystate::PyThreadState;
use core::ffi::{c_char, c_int, c_schar, c_void};
use core::mem::{offset_of, size_of};
use core::ptr::null_mut;
use static_assertions::const_assert_eq;

/// One entry of the block stack (unused by native frames; kept for the layout).
#[repr(C)]
pub struct PyTryBlock {
    pub b_type: c_int,
    pub b_handler: c_int,
    pub b_level: c_int,
}

/// `PyFrameState` (`signed char`).
pub type PyFrameState = c_schar;
/// The frame has been created and not yet run (`f_lasti == -1`).
pub const FRAME_CREATED: PyFrameState = -2;
/// The frame is suspended at a yield.
pub const FRAME_SUSPENDED: PyFrameState = -1;
/// The frame is running.
pub const FRAME_EXECUTING: PyFrameState = 0;
/// The frame returned.
pub const FRAME_RETURNED: PyFrameState = 1;
/// The frame is unwinding an exception.
pub const FRAME_UNWINDING: PyFrameState = 2;
/// The frame raised.
pub const FRAME_RAISED: PyFrameState = 3;
/// The frame was cleared.
pub const FRAME_CLEARED: PyFrameState = 4;

/// A frame: 360 bytes followed by `ob_size` slots (`f_localsplus`).
#[repr(C)]
pub struct PyFrameObject {
    pub ob_base: PyVarObject,
    pub f_back: *mut PyFrameObject,
    pub f_code: *mut PyCodeObject,
    pub f_builtins: *mut PyObject,
    pub f_globals: *mut PyObject,
    pub f_locals: *mut PyObject,
    pub f_valuestack: *mut *mut PyObject,
    pub f_trace: *mut PyObject,
    pub f_stackdepth: c_int,
    pub f_trace_lines: c_char,
    pub f_trace_opcodes: c_char,
    pub f_gen: *mut PyObject,
    pub f_lasti: c_int,
    pub f_lineno: c_int,
    pub f_iblock: c_int,
    pub f_state: PyFrameState,
    pub f_blockstack: [PyTryBlock; 20],
    pub f_localsplus: [*mut PyObject; 1],
}

const_assert_eq!(size_of::<PyTryBlock>(), 12);
const_assert_eq!(size_of::<PyFrameObject>(), 360);
const_assert_eq!(offset_of!(PyFrameObject, f_back), 24);
const_assert_eq!(offset_of!(PyFrameObject, f_code), 32);
const_assert_eq!(offset_of!(PyFrameObject, f_valuestack), 64);
const_assert_eq!(offset_of!(PyFrameObject, f_stackdepth), 80);
const_assert_eq!(offset_of!(PyFrameObject, f_gen), 88);
const_assert_eq!(offset_of!(PyFrameObject, f_lasti), 96);
const_assert_eq!(offset_of!(PyFrameObject, f_lineno), 100);
const_assert_eq!(offset_of!(PyFrameObject, f_state), 108);
const_assert_eq!(offset_of!(PyFrameObject, f_blockstack), 112);
const_assert_eq!(offset_of!(PyFrameObject, f_localsplus), 352);

/// The type `frame`: variable size, `tp_basicsize` 360 and `tp_itemsize` 8 as in CPython 3.10.
/// Frames are GC objects; they cannot be created from Python (no `tp_new`).
#[unsafe(no_mangle)]
pub static mut PyFrame_Type: PyTypeObject = PyTypeObject {
    tp_getattro: Some(crate::objects::object_ops::PyObject_GenericGetAttr),
    tp_setattro: Some(crate::objects::object_ops::PyObject_GenericSetAttr),
    tp_itemsize: size_of::<*mut PyObject>() as Py_ssize_t,
    tp_dealloc: Some(frame_dealloc),
    tp_repr: Some(frame_repr),
    tp_traverse: Some(frame_traverse),
    tp_clear: Some(frame_clear),
    tp_free: Some(crate::modules::gcmodule::PyObject_GC_Del),
    tp_methods: (&raw const FRAME_METHODS) as *mut crate::objects::methodobject::PyMethodDef,
    tp_members: (&raw const FRAME_MEMBERS) as *mut crate::objects::descrobject::PyMemberDef,
    tp_getset: (&raw const FRAME_GETSET) as *mut crate::objects::descrobject::PyGetSetDef,
    ..static_type(
        c"frame",
        size_of::<PyFrameObject>(),
        Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_DISALLOW_INSTANTIATION,
    )
};

/// `PyFrame_Check`.
#[inline]
pub(crate) unsafe fn is_frame(op: *mut PyObject) -> bool {
    // SAFETY: live object.
    unsafe { is_type(op, &raw mut PyFrame_Type) }
}

/// Number of object slots (`co_nlocals`) of a frame's code.
#[inline]
pub(crate) unsafe fn nslots(f: *mut PyFrameObject) -> usize {
    // SAFETY: a live frame always has its code.
    unsafe { (*(*f).f_code).co_nlocals.max(0) as usize }
}

/// The frame's object slots, `f_localsplus[0 .. co_nlocals)`.
#[inline]
pub(crate) unsafe fn slots(f: *mut PyFrameObject) -> *mut *mut PyObject {
    // SAFETY: the slots start at the flexible tail.
    unsafe { (&raw mut (*f).f_localsplus) as *mut *mut PyObject }
}

/// Words from `f_localsplus` to the raw state: slots and value stack, rounded up to an even
/// count so the state starts 16-byte aligned (the tail starts at offset 352 = 22 * 16).
fn state_offset_words(nlocals: usize, stacksize: usize) -> Option<usize> {
    let words = nlocals.checked_add(stacksize)?;
    words.checked_add(words & 1)
}

/// The frame's raw C state (`state_size_of(code)` bytes), or NULL when it has none.
pub(crate) unsafe fn state(f: *mut PyFrameObject) -> *mut c_void {
    // SAFETY: PyFrame_New sized the tail for the slots, the stack and the state.
    unsafe {
        let code = (*f).f_code;
        if state_size_of(code) == 0 {
            return null_mut();
        }
        let words =
            state_offset_words(nslots(f), (*code).co_stacksize.max(0) as usize).unwrap_or(0);
        slots(f).add(words) as *mut c_void
    }
}

/// Releases the slots and the value stack (up to `f_stackdepth`).
unsafe fn clear_slots_and_stack(f: *mut PyFrameObject) {
    // SAFETY: the slots and the live part of the stack own their references.
    unsafe {
        let s = slots(f);
        for i in 0..nslots(f) {
            clear(s.add(i));
        }
        let depth = (*f).f_stackdepth.max(0) as usize;
        (*f).f_stackdepth = 0;
        for i in 0..depth {
            clear((*f).f_valuestack.add(i));
        }
    }
}

unsafe extern "C" fn frame_dealloc(op: *mut PyObject) {
    let f = op as *mut PyFrameObject;
    // SAFETY: a dying frame owns every reference it holds (f_gen is borrowed). In the
    // trashcan: a frame whose slot holds a generator whose frame ... is freed without nesting.
    unsafe {
        crate::modules::gcmodule::trashcan(op, frame_dealloc, || {
            untrack(op);
            clear_slots_and_stack(f);
            clear((&raw mut (*f).f_back) as *mut *mut PyObject);
            clear((&raw mut (*f).f_code) as *mut *mut PyObject);
            clear(&raw mut (*f).f_builtins);
            clear(&raw mut (*f).f_globals);
            clear(&raw mut (*f).f_locals);
            clear(&raw mut (*f).f_trace);
            free_object(op);
        })
    }
}

unsafe extern "C" fn frame_traverse(
    op: *mut PyObject,
    visit: visitproc,
    arg: *mut c_void,
) -> c_int {
    let f = op as *mut PyFrameObject;
    // SAFETY: a live frame.
    unsafe {
        py_visit!((*f).f_back, visit, arg);
        py_visit!((*f).f_code, visit, arg);
        py_visit!((*f).f_builtins, visit, arg);
        py_visit!((*f).f_globals, visit, arg);
        py_visit!((*f).f_locals, visit, arg);
        py_visit!((*f).f_trace, visit, arg);
        let s = slots(f);
        for i in 0..nslots(f) {
            py_visit!(*s.add(i), visit, arg);
        }
        for i in 0..(*f).f_stackdepth.max(0) as usize {
            py_visit!(*(*f).f_valuestack.add(i), visit, arg);
        }
    }
    0
}

/// `tp_clear` (3.10's `frame_tp_clear`): marks the frame cleared and releases its trace
/// function, slots and value stack.
unsafe extern "C" fn frame_clear(op: *mut PyObject) -> c_int {
    let f = op as *mut PyFrameObject;
    // SAFETY: a live frame.
    unsafe {
        (*f).f_state = FRAME_CLEARED;
        clear(&raw mut (*f).f_trace);
        clear_slots_and_stack(f);
    }
    0
}

unsafe extern "C" fn frame_repr(op: *mut PyObject) -> *mut PyObject {
    let f = op as *mut PyFrameObject;
    // SAFETY: a live frame with its code.
    unsafe {
        let code = (*f).f_code;
        let file = repr_string((*code).co_filename);
        let name = str_string((*code).co_name);
        str_format(format_args!(
            "<frame at {:#x}, file {file}, line {}, code {name}>",
            op as usize,
            line_number(f)
        ))
    }
}

/// `PyFrame_GetLineNumber` without checks.
pub(crate) unsafe fn line_number(f: *mut PyFrameObject) -> c_int {
    // SAFETY: a live frame with its code.
    unsafe {
        if (*f).f_lineno != 0 {
            (*f).f_lineno
        } else {
            (*(*f).f_code).co_firstlineno
        }
    }
}

/// Creates a frame for `code`, ready to run: `f_lasti` -1, `f_state` `FRAME_CREATED`,
/// `f_lineno` 0, `f_stackdepth` 0, `f_gen` NULL, `f_trace_lines` 1, GC-tracked.
///
/// The frame is variable-size: `ob_size` = `co_nlocals` object slots (`f_localsplus[0 ..
/// co_nlocals)`, NULL) + `co_stacksize` value stack entries (`f_valuestack` =
/// `f_localsplus + co_nlocals`) + the words of the native code's raw state (zeroed; see
/// `PyNative_FrameState`), preceded by one padding word when needed to align the state to 16
/// bytes.
///
/// - `tstate`: the thread state, or NULL for the calling thread's. `f_back` is a new reference
///   to `tstate->frame` (the executing frame, NULL when no native frame is running), as in
///   CPython.
/// - `code`: a code object (not stolen; the frame takes a new reference in `f_code`).
/// - `globals`: stored in `f_globals` with a new reference. pycoro has no dict type, so any
///   object, or NULL, is accepted (CPython requires a dict and crashes on NULL).
/// - `locals`: stored in `f_locals` with a new reference, or NULL.
///
/// `f_builtins` is NULL (pycoro has no builtins module).
///
/// Return value: New reference, or NULL with an exception set (`SystemError` "bad argument to
/// internal function" when `code` is NULL or not a code object; `MemoryError`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyFrame_New(
    tstate: *mut PyThreadState,
    code: *mut PyCodeObject,
    globals: *mut PyObject,
    locals: *mut PyObject,
) -> *mut PyFrameObject {
    check_null!(code, null_mut());
    guard("PyFrame_New", null_mut(), || {
        // SAFETY: `code` is a live object by contract; the frame is sized for its tail.
        unsafe {
            if !is_code(obj(code)) {
                bad_internal_call();
                return null_mut();
            }
            let tstate = if tstate.is_null() {
                crate::python::pystate::tstate()
            } else {
                tstate
            };
            let nlocals = (*code).co_nlocals.max(0) as usize;
            let stacksize = (*code).co_stacksize.max(0) as usize;
            let state_words = state_size_of(code).div_ceil(size_of::<*mut PyObject>());
            let items = if state_words == 0 {
                nlocals.checked_add(stacksize)
            } else {
                state_offset_words(nlocals, stacksize)
                    .and_then(|words| words.checked_add(state_words))
            };
            let tp = &raw mut PyFrame_Type;
            let Some(size) = items
                .and_then(|n| Py_ssize_t::try_from(n).ok())
                .and_then(|n| var_size(&*tp, n))
            else {
                return no_memory() as *mut PyFrameObject;
            };
            let op = alloc_object(tp, size);
            if op.is_null() {
                return null_mut();
            }
            let f = op as *mut PyFrameObject;
            (*f).ob_base.ob_size = items.unwrap_or(0) as Py_ssize_t;
            (*f).f_back = xnew_ref(obj((*tstate).frame)) as *mut PyFrameObject;
            (*f).f_code = new_ref(obj(code)) as *mut PyCodeObject;
            (*f).f_globals = xnew_ref(globals);
            (*f).f_locals = xnew_ref(locals);
            (*f).f_valuestack = slots(f).add(nlocals);
            (*f).f_trace_lines = 1;
            (*f).f_lasti = -1;
            (*f).f_state = FRAME_CREATED;
            track(op);
            f
        }
    })
}

/// Checks that `f` is a frame; sets `SystemError` ("bad argument to internal function") and
/// returns false when it is NULL or not a frame.
unsafe fn check_frame(f: *mut PyFrameObject) -> bool {
    // SAFETY: NULL or a live object by the caller's contract.
    unsafe {
        if f.is_null() || !is_frame(obj(f)) {
            bad_internal_call();
            return false;
        }
    }
    true
}

/// Returns the frame's code object.
///
/// Return value: New reference, or NULL with `SystemError` set when `frame` is NULL or not a
/// frame.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyFrame_GetCode(frame: *mut PyFrameObject) -> *mut PyCodeObject {
    guard("PyFrame_GetCode", null_mut(), || {
        // SAFETY: checked to be a live frame.
        unsafe {
            if !check_frame(frame) {
                return null_mut();
            }
            new_ref(obj((*frame).f_code)) as *mut PyCodeObject
        }
    })
}

/// Returns the frame's outer frame (`f_back`), or NULL (with no exception set) when it has
/// none.
///
/// Return value: New reference, or NULL. NULL with `SystemError` set when `frame` is NULL or
/// not a frame.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyFrame_GetBack(frame: *mut PyFrameObject) -> *mut PyFrameObject {
    guard("PyFrame_GetBack", null_mut(), || {
        // SAFETY: checked to be a live frame.
        unsafe {
            if !check_frame(frame) {
                return null_mut();
            }
            xnew_ref(obj((*frame).f_back)) as *mut PyFrameObject
        }
    })
}

/// Returns the line the frame is at: `f_lineno` when the body has set it (non-zero), else the
/// code's `co_firstlineno` (as CPython 3.10 reports for a frame that has not started).
///
/// Returns -1 with `SystemError` set when `frame` is NULL or not a frame.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyFrame_GetLineNumber(frame: *mut PyFrameObject) -> c_int {
    guard("PyFrame_GetLineNumber", -1, || {
        // SAFETY: checked to be a live frame.
        unsafe {
            if !check_frame(frame) {
                return -1;
            }
            line_number(frame)
        }
    })
}

/// Returns the raw C state of a frame of native code: `state_size` bytes (as given to
/// `PyNative_NewCode`), zeroed when the frame was created, 16-byte aligned, owned by the frame
/// and valid as long as it lives. The runtime never reads or writes it.
///
/// Returns NULL with no exception set when the code has no state (`state_size` 0, or code made
/// by `PyCode_NewEmpty`); NULL with `SystemError` ("bad argument to internal function") set
/// when `frame` is NULL or not a frame.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyNative_FrameState(frame: *mut PyFrameObject) -> *mut c_void {
    guard("PyNative_FrameState", null_mut(), || {
        // SAFETY: checked to be a live frame.
        unsafe {
            if !check_frame(frame) {
                return null_mut();
            }
            state(frame)
        }
    })
}

// ---- the frame's attributes (CPython 3.10's frame_memberlist, frame_getsetlist, methods) ----

const fn frame_member(
    name: &'static core::ffi::CStr,
    kind: c_int,
    offset: usize,
    flags: c_int,
) -> crate::objects::descrobject::PyMemberDef {
    crate::objects::descrobject::PyMemberDef {
        name: name.as_ptr(),
        r#type: kind,
        offset: offset as Py_ssize_t,
        flags,
        doc: core::ptr::null(),
    }
}

static mut FRAME_MEMBERS: [crate::objects::descrobject::PyMemberDef; 7] = {
    use crate::python::structmember::{READONLY, T_BOOL, T_OBJECT};
    type F = PyFrameObject;
    [
        frame_member(c"f_back", T_OBJECT, offset_of!(F, f_back), READONLY),
        frame_member(
            c"f_code",
            T_OBJECT,
            offset_of!(F, f_code),
            READONLY | crate::python::structmember::PY_AUDIT_READ,
        ),
        frame_member(c"f_builtins", T_OBJECT, offset_of!(F, f_builtins), READONLY),
        frame_member(c"f_globals", T_OBJECT, offset_of!(F, f_globals), READONLY),
        frame_member(c"f_trace_lines", T_BOOL, offset_of!(F, f_trace_lines), 0),
        frame_member(
            c"f_trace_opcodes",
            T_BOOL,
            offset_of!(F, f_trace_opcodes),
            0,
        ),
        crate::objects::descrobject::PyMemberDef::SENTINEL,
    ]
};

const fn frame_getset(
    name: &'static core::ffi::CStr,
    get: unsafe extern "C" fn(*mut PyObject, *mut c_void) -> *mut PyObject,
    set: crate::objects::descrobject::setter,
) -> crate::objects::descrobject::PyGetSetDef {
    crate::objects::descrobject::PyGetSetDef {
        name: name.as_ptr(),
        get: Some(get),
        set,
        doc: core::ptr::null(),
        closure: null_mut(),
    }
}

static mut FRAME_GETSET: [crate::objects::descrobject::PyGetSetDef; 5] = [
    frame_getset(c"f_locals", frame_get_locals, None),
    frame_getset(c"f_lineno", frame_get_lineno, Some(frame_set_lineno)),
    frame_getset(c"f_trace", frame_get_trace, Some(frame_set_trace)),
    frame_getset(c"f_lasti", frame_get_lasti, None),
    crate::objects::descrobject::PyGetSetDef::SENTINEL,
];

static mut FRAME_METHODS: [crate::objects::methodobject::PyMethodDef; 3] = [
    crate::objects::methodobject::PyMethodDef {
        ml_name: c"clear".as_ptr(),
        ml_meth: Some(frame_clear_method),
        ml_flags: crate::objects::methodobject::METH_NOARGS,
        ml_doc: c"F.clear(): clear most references held by the frame".as_ptr(),
    },
    crate::objects::methodobject::PyMethodDef {
        ml_name: c"__sizeof__".as_ptr(),
        ml_meth: Some(frame_sizeof),
        ml_flags: crate::objects::methodobject::METH_NOARGS,
        ml_doc: c"F.__sizeof__() -> size of F in memory, in bytes".as_ptr(),
    },
    crate::objects::methodobject::PyMethodDef::SENTINEL,
];

unsafe extern "C" fn frame_get_locals(op: *mut PyObject, _c: *mut c_void) -> *mut PyObject {
    // SAFETY: a frame. Native frames keep no named locals: `f_locals` is the frame's dict
    // (made empty on first use), as for a CPython frame whose code has no variables.
    unsafe {
        let f = op as *mut PyFrameObject;
        if (*f).f_locals.is_null() {
            let d = crate::objects::dictobject::PyDict_New();
            if d.is_null() {
                return d;
            }
            (*f).f_locals = d;
        }
        crate::capi::ffi::new_ref((*f).f_locals)
    }
}

unsafe extern "C" fn frame_get_lineno(op: *mut PyObject, _c: *mut c_void) -> *mut PyObject {
    // SAFETY: a frame.
    unsafe {
        crate::objects::longobject::PyLong_FromLong(
            PyFrame_GetLineNumber(op as *mut PyFrameObject) as _
        )
    }
}

unsafe extern "C" fn frame_set_lineno(
    op: *mut PyObject,
    v: *mut PyObject,
    _c: *mut c_void,
) -> c_int {
    let _ = op;
    // SAFETY: setting the error indicator. Jumps are for trace functions, which pycoro's
    // native frames never run under.
    unsafe {
        if v.is_null() {
            crate::python::errors::set_string(
                crate::exc!(AttributeError),
                "cannot delete f_lineno",
            );
        } else {
            crate::python::errors::set_string(
                crate::exc!(ValueError),
                "f_lineno can only be set by a trace function",
            );
        }
    }
    -1
}

unsafe extern "C" fn frame_get_trace(op: *mut PyObject, _c: *mut c_void) -> *mut PyObject {
    // SAFETY: a frame.
    unsafe {
        let t = (*(op as *mut PyFrameObject)).f_trace;
        crate::capi::ffi::new_ref(if t.is_null() {
            crate::objects::object_ops::none()
        } else {
            t
        })
    }
}

unsafe extern "C" fn frame_set_trace(
    op: *mut PyObject,
    v: *mut PyObject,
    _c: *mut c_void,
) -> c_int {
    // SAFETY: a frame; None and deletion clear the trace function.
    unsafe {
        let v = if v == crate::objects::object_ops::none() {
            null_mut()
        } else {
            v
        };
        crate::capi::ffi::xsetref(
            &raw mut (*(op as *mut PyFrameObject)).f_trace,
            crate::capi::ffi::xnew_ref(v),
        );
    }
    0
}

unsafe extern "C" fn frame_get_lasti(op: *mut PyObject, _c: *mut c_void) -> *mut PyObject {
    // SAFETY: a frame: the byte offset of the last instruction (3.10: twice `f_lasti`).
    unsafe {
        let l = (*(op as *mut PyFrameObject)).f_lasti;
        crate::objects::longobject::PyLong_FromLong(if l < 0 {
            -1
        } else {
            l as core::ffi::c_long * 2
        })
    }
}

unsafe extern "C" fn frame_clear_method(op: *mut PyObject, _a: *mut PyObject) -> *mut PyObject {
    // SAFETY: a frame: a suspended generator's frame closes its generator first.
    unsafe {
        let f = op as *mut PyFrameObject;
        if (*f).f_state == FRAME_EXECUTING {
            crate::python::errors::set_string(
                crate::exc!(RuntimeError),
                "cannot clear an executing frame",
            );
            return null_mut();
        }
        if !(*f).f_gen.is_null() {
            let g = (*f).f_gen;
            crate::capi::ffi::incref(g);
            crate::objects::genobject::_PyGen_Finalize(g);
            crate::capi::ffi::decref(g);
            if !crate::python::errors::occurred().is_null() {
                return null_mut();
            }
        }
        frame_clear(op);
        crate::capi::ffi::new_ref(crate::objects::object_ops::none())
    }
}

unsafe extern "C" fn frame_sizeof(op: *mut PyObject, _a: *mut PyObject) -> *mut PyObject {
    // SAFETY: a frame.
    unsafe {
        let n = crate::capi::ffi::size(op);
        crate::objects::longobject::PyLong_FromSsize_t(
            size_of::<PyFrameObject>() as Py_ssize_t - size_of::<*mut PyObject>() as Py_ssize_t
                + n * size_of::<*mut PyObject>() as Py_ssize_t,
        )
    }
}
