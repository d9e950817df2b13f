//! `Include/genobject.h`: generators, coroutines and async generators, with CPython 3.10's
//! layouts.

use crate::frameobject::PyFrameObject;
use crate::object::*;
use crate::pyerrors::_PyErr_StackItem;
use core::ffi::c_int;
use core::mem::{offset_of, size_of};
use static_assertions::const_assert_eq;

/// A generator (88 bytes).
#[repr(C)]
pub struct PyGenObject {
    pub ob_base: PyObject,
    pub gi_frame: *mut PyFrameObject,
    pub gi_code: *mut PyObject,
    pub gi_weakreflist: *mut PyObject,
    pub gi_name: *mut PyObject,
    pub gi_qualname: *mut PyObject,
    pub gi_exc_state: _PyErr_StackItem,
}

/// A coroutine (96 bytes): the generator head plus `cr_origin`.
#[repr(C)]
pub struct PyCoroObject {
    pub ob_base: PyObject,
    pub cr_frame: *mut PyFrameObject,
    pub cr_code: *mut PyObject,
    pub cr_weakreflist: *mut PyObject,
    pub cr_name: *mut PyObject,
    pub cr_qualname: *mut PyObject,
    pub cr_exc_state: _PyErr_StackItem,
    pub cr_origin: *mut PyObject,
}

/// An async generator (112 bytes): the generator head plus the hook state.
#[repr(C)]
pub struct PyAsyncGenObject {
    pub ob_base: PyObject,
    pub ag_frame: *mut PyFrameObject,
    pub ag_code: *mut PyObject,
    pub ag_weakreflist: *mut PyObject,
    pub ag_name: *mut PyObject,
    pub ag_qualname: *mut PyObject,
    pub ag_exc_state: _PyErr_StackItem,
    pub ag_finalizer: *mut PyObject,
    pub ag_hooks_inited: c_int,
    pub ag_closed: c_int,
    pub ag_running_async: c_int,
}

const_assert_eq!(size_of::<PyGenObject>(), 88);
const_assert_eq!(offset_of!(PyGenObject, gi_frame), 16);
const_assert_eq!(offset_of!(PyGenObject, gi_code), 24);
const_assert_eq!(offset_of!(PyGenObject, gi_weakreflist), 32);
const_assert_eq!(offset_of!(PyGenObject, gi_name), 40);
const_assert_eq!(offset_of!(PyGenObject, gi_qualname), 48);
const_assert_eq!(offset_of!(PyGenObject, gi_exc_state), 56);
const_assert_eq!(size_of::<PyCoroObject>(), 96);
const_assert_eq!(offset_of!(PyCoroObject, cr_origin), 88);
const_assert_eq!(size_of::<PyAsyncGenObject>(), 112);
const_assert_eq!(offset_of!(PyAsyncGenObject, ag_finalizer), 88);
const_assert_eq!(offset_of!(PyAsyncGenObject, ag_hooks_inited), 96);
const_assert_eq!(offset_of!(PyAsyncGenObject, ag_closed), 100);
const_assert_eq!(offset_of!(PyAsyncGenObject, ag_running_async), 104);
