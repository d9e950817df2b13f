//! pycoro: a binary work-alike of CPython 3.10's C API for generators, coroutines and async
//! generators, whose frames run native code (a C body function) instead of bytecode.
//!
//! One module per CPython header it mirrors; shared plumbing lives in `boundary` and `ffi`.
//! Types and functions are re-exported at the crate root for Rust users and tests.

#![deny(unsafe_op_in_unsafe_fn)]
#![allow(non_camel_case_types, non_snake_case, non_upper_case_globals)]
#![allow(clippy::missing_safety_doc, clippy::not_unsafe_ptr_arg_deref)]

/// The exception class `X` (a `*mut PyObject`), for use inside the crate.
macro_rules! exc {
    ($name:ident) => {
        (&raw mut $crate::exceptions::types::$name) as *mut $crate::object::PyObject
    };
}
pub(crate) use exc;

mod boundary;
mod ffi;
mod rebind;

pub mod asyncgen;
pub mod boolobject;
pub mod call;
pub mod call_varargs;
pub mod ceval;
pub mod code;
pub mod descrobject;
pub mod exceptions;
pub mod frameobject;
pub mod gcmodule;
pub mod genobject;
pub mod iterobject;
pub mod longobject;
pub mod methodobject;
pub mod modsupport;
pub mod object;
pub mod object_ops;
pub mod pyerrors;
pub mod pylifecycle;
pub mod pymem;
pub mod pystate;
pub mod sysmodule;
pub mod traceback;
pub mod tupleobject;
pub mod typeobject;
pub mod unicode_format;
pub mod unicodeobject;
pub mod varargs;
pub mod warnings;

pub use asyncgen::*;
pub use boolobject::*;
pub use call::*;
pub use call_varargs::*;
pub use ceval::*;
pub use code::*;
pub use descrobject::*;
pub use exceptions::*;
pub use frameobject::*;
pub use gcmodule::*;
pub use genobject::*;
pub use iterobject::*;
pub use longobject::*;
pub use methodobject::*;
pub use modsupport::*;
pub use object::*;
pub use object_ops::*;
pub use pyerrors::*;
pub use pylifecycle::*;
pub use pymem::*;
pub use pystate::*;
pub use sysmodule::*;
pub use traceback::*;
pub use tupleobject::*;
pub use typeobject::*;
pub use unicode_format::*;
pub use unicodeobject::*;
pub use varargs::*;
pub use warnings::*;
