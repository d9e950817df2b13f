//! `Objects/`: the object types, one module per `Objects/*.c` file, and the abstract
//! protocols over them (`call`, `object_ops`, `iterobject`).

pub mod abstract_;
pub mod asyncgen;
pub mod boolobject;
pub mod call;
pub mod call_varargs;
pub mod codeobject;
pub mod descrobject;
pub mod dictobject;
pub mod dictviews;
pub mod exceptions;
pub mod frameobject;
pub mod funcobject;
pub mod genobject;
pub mod iterobject;
pub mod listobject;
pub mod longobject;
pub mod longobject_format;
pub mod longobject_methods;
pub mod longobject_ops;
pub mod mappingproxy;
pub mod methodobject;
pub mod number;
pub mod object;
pub mod object_ops;
pub mod obmalloc;
pub mod slotdefs;
pub mod tupleobject;
pub mod typeobject;
pub mod typeobject_heap;
pub mod unicode_format;
pub mod unicode_methods;
pub mod unicode_ops;
pub mod unicode_pformat;
pub mod unicode_tables;
pub mod unicodeobject;

/// Whether `op` is a module object (pycoro has none yet: always false).
pub(crate) unsafe fn moduleobject_check(op: *mut object::PyObject) -> bool {
    let _ = op;
    false
}
