//! The C boundary: the panic boundary and NULL checks every export goes through, raw-pointer
//! helpers, the variadic trampolines and the load-time rebinding of data references.

pub(crate) mod boundary;
pub(crate) mod fallible;
pub(crate) mod ffi;
pub(crate) mod rebind;
pub mod varargs;
