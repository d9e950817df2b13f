//! `Include/cpython/frameobject.h`: frame objects, with CPython 3.10's `PyFrameObject`
//! (`struct _frame`) layout.

use crate::code::PyCodeObject;
use crate::object::*;
use core::ffi::{c_char, c_int};
use core::mem::{offset_of, size_of};
use static_assertions::const_assert_eq;

/// One entry of the block stack (unused by native frames; kept for the layout).
#[repr(C)]
pub struct PyTryBlock {
    pub b_type: c_int,
    pub b_handler: c_int,
    pub b_level: c_int,
}

/// `PyFrameState` (`signed char`).
pub type PyFrameState = c_char;
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
