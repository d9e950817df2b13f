//! `Include/cpython/code.h`: code objects, with CPython 3.10's `PyCodeObject` layout.

use crate::object::*;
use core::ffi::{c_int, c_uchar, c_void};
use core::mem::{offset_of, size_of};
use static_assertions::const_assert_eq;

/// A code object. For native code (see `PyNative_NewCode`), `co_code` is NULL and the body is a
/// C function recorded by pycoro beside the object.
#[repr(C)]
pub struct PyCodeObject {
    pub ob_base: PyObject,
    pub co_argcount: c_int,
    pub co_posonlyargcount: c_int,
    pub co_kwonlyargcount: c_int,
    pub co_nlocals: c_int,
    pub co_stacksize: c_int,
    pub co_flags: c_int,
    pub co_firstlineno: c_int,
    pub co_code: *mut PyObject,
    pub co_consts: *mut PyObject,
    pub co_names: *mut PyObject,
    pub co_varnames: *mut PyObject,
    pub co_freevars: *mut PyObject,
    pub co_cellvars: *mut PyObject,
    pub co_cell2arg: *mut Py_ssize_t,
    pub co_filename: *mut PyObject,
    pub co_name: *mut PyObject,
    pub co_linetable: *mut PyObject,
    pub co_zombieframe: *mut c_void,
    pub co_weakreflist: *mut PyObject,
    pub co_extra: *mut c_void,
    pub co_opcache_map: *mut c_uchar,
    pub co_opcache: *mut c_void,
    pub co_opcache_flag: c_int,
    pub co_opcache_size: c_uchar,
}

const_assert_eq!(size_of::<PyCodeObject>(), 176);
const_assert_eq!(offset_of!(PyCodeObject, co_flags), 36);
const_assert_eq!(offset_of!(PyCodeObject, co_firstlineno), 40);
const_assert_eq!(offset_of!(PyCodeObject, co_code), 48);
const_assert_eq!(offset_of!(PyCodeObject, co_filename), 104);
const_assert_eq!(offset_of!(PyCodeObject, co_name), 112);
const_assert_eq!(offset_of!(PyCodeObject, co_opcache_size), 172);

/// Code flags (`co_flags`).
pub const CO_OPTIMIZED: c_int = 0x0001;
pub const CO_NEWLOCALS: c_int = 0x0002;
pub const CO_VARARGS: c_int = 0x0004;
pub const CO_VARKEYWORDS: c_int = 0x0008;
pub const CO_NESTED: c_int = 0x0010;
/// The code is a generator function's.
pub const CO_GENERATOR: c_int = 0x0020;
pub const CO_NOFREE: c_int = 0x0040;
/// The code is a coroutine function's (`async def`).
pub const CO_COROUTINE: c_int = 0x0080;
/// A generator-based coroutine (`@types.coroutine`): awaitable.
pub const CO_ITERABLE_COROUTINE: c_int = 0x0100;
/// The code is an async generator function's.
pub const CO_ASYNC_GENERATOR: c_int = 0x0200;
/// Maximum number of nested blocks (`f_blockstack` entries).
pub const CO_MAXBLOCKS: c_int = 20;
