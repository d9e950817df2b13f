//! pycoro: a binary work-alike of CPython 3.10's C API for generators, coroutines and async
//! generators, whose frames run native code (a C body function) instead of bytecode.
//!
//! The source is laid out as CPython's: `objects` holds one module per `Objects/*.c` file (the
//! object types and the abstract protocols over them), `python` one per `Python/*.c` file (the
//! runtime: evaluation, errors, thread state, warnings, tracebacks), `modules` one per
//! `Modules/*.c` file (the cycle collector), and `capi` the C-boundary plumbing (the panic
//! boundary, raw-pointer helpers, variadic trampolines, load-time rebinding). README "Layout"
//! says which layer may use which. Every item is re-exported at the crate root for Rust users
//! and tests.

#![deny(unsafe_op_in_unsafe_fn)]
#![allow(non_camel_case_types, non_snake_case, non_upper_case_globals)]
#![allow(clippy::missing_safety_doc, clippy::not_unsafe_ptr_arg_deref)]

/// The exception class `X` (a `*mut PyObject`), for use inside the crate.
macro_rules! exc {
    ($name:ident) => {
        (&raw mut $crate::objects::exceptions::types::$name)
            as *mut $crate::objects::object::PyObject
    };
}
pub(crate) use exc;

pub mod capi;
pub mod modules;
pub mod objects;
pub mod python;

pub use capi::varargs::*;
pub use modules::gcmodule::*;
pub use objects::abstract_::*;
pub use objects::asyncgen::*;
pub use objects::boolobject::*;
pub use objects::call::*;
pub use objects::call_varargs::*;
pub use objects::codeobject::*;
pub use objects::descrobject::*;
pub use objects::dictobject::*;
pub use objects::exceptions::*;
pub use objects::frameobject::*;
pub use objects::funcobject::*;
pub use objects::genobject::*;
pub use objects::iterobject::*;
pub use objects::listobject::*;
pub use objects::longobject::*;
pub use objects::mappingproxy::*;
pub use objects::methodobject::*;
pub use objects::object::*;
pub use objects::object_ops::*;
pub use objects::obmalloc::*;
pub use objects::tupleobject::*;
pub use objects::typeobject::*;
pub use objects::typeobject_heap::*;
pub use objects::unicode_format::*;
pub use objects::unicode_methods::*;
pub use objects::unicode_ops::*;
pub use objects::unicode_pformat::*;
pub use objects::unicodeobject::*;
pub use python::ceval::*;
pub use python::errors::*;
pub use python::modsupport::*;
pub use python::pyhash::*;
pub use python::pylifecycle::*;
pub use python::pystate::*;
pub use python::structmember::*;
pub use python::sysmodule::*;
pub use python::traceback::*;
pub use python::warnings::*;
