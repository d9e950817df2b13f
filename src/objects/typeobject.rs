//! `Include/object.h`'s type functions and `Objects/typeobject.c`'s two root types: `type` and
//! `object`. pycoro's own types are static and ready at compile time (no `PyType_Ready` needed);
//! `PyType_Ready` exists for the static types that C programs define.

use crate::capi::boundary::{check_null, guard};
use crate::capi::ffi::{decref, has_flag, incref, new_ref, obj, ty};
use crate::modules::gcmodule::{alloc_object, track, var_size};
use crate::objects::object::*;
use crate::objects::object_ops::{PyObject_GenericGetAttr, PyObject_GenericSetAttr, none};
use crate::python::errors::{set_format, set_string};
use core::ffi::{CStr, c_int, c_ulong};
use core::ptr::null_mut;

/// A static type with everything but the name, size and flags left empty; `ob_type` is `type`,
/// the reference count immortal, and the READY flag set.
pub(crate) const fn static_type(
    name: &'static CStr,
    basicsize: usize,
    flags: c_ulong,
) -> PyTypeObject {
    PyTypeObject {
        ob_base: PyVarObject {
            ob_base: PyObject {
                ob_refcnt: PYNATIVE_IMMORTAL_REFCNT,
                ob_type: &raw mut PyType_Type,
            },
            ob_size: 0,
        },
        tp_name: name.as_ptr(),
        tp_basicsize: basicsize as Py_ssize_t,
        tp_itemsize: 0,
        tp_dealloc: None,
        tp_vectorcall_offset: 0,
        tp_getattr: None,
        tp_setattr: None,
        tp_as_async: null_mut(),
        tp_repr: None,
        tp_as_number: null_mut(),
        tp_as_sequence: null_mut(),
        tp_as_mapping: null_mut(),
        tp_hash: None,
        tp_call: None,
        tp_str: None,
        tp_getattro: Some(PyObject_GenericGetAttr),
        tp_setattro: Some(PyObject_GenericSetAttr),
        tp_as_buffer: null_mut(),
        tp_flags: flags | Py_TPFLAGS_READY | Py_TPFLAGS_IMMUTABLETYPE,
        tp_doc: core::ptr::null(),
        tp_traverse: None,
        tp_clear: None,
        tp_richcompare: None,
        tp_weaklistoffset: 0,
        tp_iter: None,
        tp_iternext: None,
        tp_methods: null_mut(),
        tp_members: null_mut(),
        tp_getset: null_mut(),
        tp_base: &raw mut PyBaseObject_Type,
        tp_dict: null_mut(),
        tp_descr_get: None,
        tp_descr_set: None,
        tp_dictoffset: 0,
        tp_init: None,
        tp_alloc: Some(PyType_GenericAlloc),
        tp_new: None,
        // GC objects carry a header in front of them: they must be freed through it.
        tp_free: if flags & Py_TPFLAGS_HAVE_GC != 0 {
            Some(crate::modules::gcmodule::PyObject_GC_Del)
        } else {
            Some(crate::objects::obmalloc::PyObject_Free)
        },
        tp_is_gc: None,
        tp_bases: null_mut(),
        tp_mro: null_mut(),
        tp_cache: null_mut(),
        tp_subclasses: null_mut(),
        tp_weaklist: null_mut(),
        tp_del: None,
        tp_version_tag: 0,
        tp_finalize: None,
        tp_vectorcall: None,
    }
}

/// The metatype `type`.
#[unsafe(no_mangle)]
pub static mut PyType_Type: PyTypeObject = PyTypeObject {
    tp_dealloc: Some(type_dealloc),
    tp_repr: Some(type_repr),
    tp_call: Some(type_call),
    tp_getattro: Some(type_getattro),
    tp_setattro: Some(type_setattro),
    tp_hash: Some(crate::objects::object_ops::_Py_HashPointer_obj),
    tp_doc: c"type(object) -> the object's type".as_ptr(),
    // CPython's heap types keep their `__slots__` members after the type object.
    tp_itemsize: size_of::<crate::objects::descrobject::PyMemberDef>() as Py_ssize_t,
    ..static_type(c"type", 888, Py_TPFLAGS_BASETYPE | Py_TPFLAGS_TYPE_SUBCLASS)
};

/// The most base type, `object`.
#[unsafe(no_mangle)]
pub static mut PyBaseObject_Type: PyTypeObject = PyTypeObject {
    tp_dealloc: Some(object_dealloc),
    tp_repr: Some(crate::objects::object_ops::object_repr),
    tp_hash: Some(crate::objects::object_ops::_Py_HashPointer_obj),
    tp_richcompare: Some(crate::objects::object_ops::object_richcompare),
    tp_new: Some(PyType_GenericNew),
    tp_init: Some(object_init),
    tp_doc: c"The base class of the class hierarchy.".as_ptr(),
    tp_base: null_mut(),
    ..static_type(c"object", 16, Py_TPFLAGS_BASETYPE)
};

unsafe extern "C" fn type_dealloc(op: *mut PyObject) {
    // Static type objects are immortal; only a heap type could get here, and pycoro makes none.
    let _ = op;
}

unsafe extern "C" fn object_dealloc(op: *mut PyObject) {
    // SAFETY: `op` is dying; its type's tp_free releases the memory.
    unsafe {
        let tp = ty(op);
        match (*tp).tp_free {
            Some(free) => free(op as _),
            None => crate::modules::gcmodule::free_object(op),
        }
    }
}

unsafe extern "C" fn object_init(
    _op: *mut PyObject,
    _args: *mut PyObject,
    _kw: *mut PyObject,
) -> c_int {
    0
}

/// `_PyType_Name`: the part of `tp_name` after the last dot.
pub(crate) unsafe fn type_name<'a>(tp: *mut PyTypeObject) -> &'a str {
    // SAFETY: tp_name is a NUL-terminated static string.
    let full = unsafe { CStr::from_ptr((*tp).tp_name) }
        .to_str()
        .unwrap_or("?");
    full.rsplit('.').next().unwrap_or(full)
}

/// The full `tp_name`.
pub(crate) unsafe fn full_name<'a>(tp: *mut PyTypeObject) -> &'a str {
    // SAFETY: tp_name is a NUL-terminated static string.
    unsafe { CStr::from_ptr((*tp).tp_name) }
        .to_str()
        .unwrap_or("?")
}

/// The type's module name: the part of `tp_name` before the last dot, else "builtins".
unsafe fn module_name<'a>(tp: *mut PyTypeObject) -> &'a str {
    // SAFETY: as full_name.
    let full = unsafe { full_name(tp) };
    match full.rfind('.') {
        Some(i) => &full[..i],
        None => "builtins",
    }
}

unsafe extern "C" fn type_repr(op: *mut PyObject) -> *mut PyObject {
    let tp = op as *mut PyTypeObject;
    // SAFETY: `op` is a type object.
    let (m, n) = unsafe { (module_name(tp), type_name(tp)) };
    // SAFETY: creating a str.
    unsafe {
        if m == "builtins" {
            crate::objects::unicodeobject::str_format(format_args!("<class '{n}'>"))
        } else {
            crate::objects::unicodeobject::str_format(format_args!("<class '{m}.{n}'>"))
        }
    }
}

unsafe extern "C" fn type_call(
    callee: *mut PyObject,
    args: *mut PyObject,
    kwds: *mut PyObject,
) -> *mut PyObject {
    let tp = callee as *mut PyTypeObject;
    // SAFETY: `callee` is a type object; `args` a tuple (checked by PyObject_Call).
    unsafe {
        if tp == &raw mut PyType_Type
            && crate::objects::tupleobject::is_tuple(args)
            && crate::capi::ffi::size(args) == 1
            && (kwds.is_null() || crate::objects::call::kwargs_empty(kwds))
        {
            return new_ref(obj(ty(crate::objects::tupleobject::item(args, 0))));
        }
        if tp == &raw mut PyType_Type {
            // type(name, bases, dict) would make a class: pycoro has neither dicts nor heap
            // types, so only the one-argument form exists.
            set_string(crate::exc!(TypeError), "type() takes 1 or 3 arguments");
            return null_mut();
        }
        let Some(new) = (*tp).tp_new else {
            set_format(
                crate::exc!(TypeError),
                format_args!("cannot create '{}' instances", full_name(tp)),
            );
            return null_mut();
        };
        let o = new(tp, args, kwds);
        if o.is_null() || !is_subtype(ty(o), tp) {
            return o;
        }
        if let Some(init) = (*ty(o)).tp_init
            && init(o, args, kwds) < 0
        {
            decref(o);
            return null_mut();
        }
        o
    }
}

unsafe extern "C" fn type_getattro(op: *mut PyObject, name: *mut PyObject) -> *mut PyObject {
    let tp = op as *mut PyTypeObject;
    // SAFETY: `op` is a type object; `name` a str (checked by PyObject_GetAttr).
    unsafe {
        let Some(n) = crate::objects::unicodeobject::str_as(name) else {
            return null_mut();
        };
        match n {
            "__name__" | "__qualname__" => {
                return crate::objects::unicodeobject::str_from(type_name(tp));
            }
            "__module__" => return crate::objects::unicodeobject::str_from(module_name(tp)),
            "__doc__" => {
                return if (*tp).tp_doc.is_null() {
                    new_ref(none())
                } else {
                    crate::objects::unicodeobject::PyUnicode_FromString((*tp).tp_doc)
                };
            }
            "__base__" => {
                let b = (*tp).tp_base;
                return if b.is_null() {
                    new_ref(none())
                } else {
                    new_ref(obj(b))
                };
            }
            _ => {}
        }
        if let Some(r) = crate::objects::descrobject::lookup_class_attr(tp, n) {
            return r;
        }
        set_format(
            crate::exc!(AttributeError),
            format_args!("type object '{}' has no attribute '{n}'", full_name(tp)),
        );
        null_mut()
    }
}

unsafe extern "C" fn type_setattro(
    op: *mut PyObject,
    name: *mut PyObject,
    _v: *mut PyObject,
) -> c_int {
    let tp = op as *mut PyTypeObject;
    // SAFETY: `op` is a type object; `name` a str.
    unsafe {
        let n = crate::objects::unicodeobject::str_as(name).unwrap_or("?");
        set_format(
            crate::exc!(TypeError),
            format_args!(
                "cannot set '{n}' attribute of immutable type '{}'",
                full_name(tp)
            ),
        );
    }
    -1
}

/// `PyType_IsSubtype` without checks: walks `tp_mro` when the type has one, else `tp_base`.
pub(crate) unsafe fn is_subtype(a: *mut PyTypeObject, b: *mut PyTypeObject) -> bool {
    // SAFETY: live type objects.
    unsafe {
        if a == b || b == &raw mut PyBaseObject_Type {
            return true;
        }
        let mro = (*a).tp_mro;
        if !mro.is_null() && crate::objects::tupleobject::is_tuple(mro) {
            for i in 0..crate::capi::ffi::size(mro) {
                if crate::objects::tupleobject::item(mro, i) == obj(b) {
                    return true;
                }
            }
            return false;
        }
        let mut t = (*a).tp_base;
        while !t.is_null() {
            if t == b {
                return true;
            }
            t = (*t).tp_base;
        }
        false
    }
}

/// Returns 1 if `a` is `b` or a subtype of `b`, else 0. Both must be type objects: NULL or a
/// non-type gives 0 with `SystemError` set (CPython would crash).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyType_IsSubtype(a: *mut PyTypeObject, b: *mut PyTypeObject) -> c_int {
    // SAFETY: type objects by contract (checked as far as possible).
    guard("PyType_IsSubtype", 0, || unsafe {
        if !check_type_arg(a) || !check_type_arg(b) {
            return 0;
        }
        is_subtype(a, b) as c_int
    })
}

/// `tp` looks like a type object: not NULL, and its type is a type (or not set yet: a static
/// type before `PyType_Ready`). Otherwise `SystemError` is set (CPython would crash or read
/// garbage) and false returned.
pub(crate) unsafe fn check_type_arg(tp: *mut PyTypeObject) -> bool {
    // SAFETY: a live object when not NULL.
    unsafe {
        if !tp.is_null() {
            let meta = (*obj(tp)).ob_type;
            if meta.is_null() || has_flag(meta, crate::objects::object::Py_TPFLAGS_TYPE_SUBCLASS) {
                return true;
            }
        }
        crate::python::errors::bad_internal_call();
        false
    }
}

/// Returns the type's `tp_flags` (0 with `SystemError` set when `tp` is NULL or not a type).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyType_GetFlags(tp: *mut PyTypeObject) -> c_ulong {
    // SAFETY: checked to be a type object.
    guard("PyType_GetFlags", 0, || unsafe {
        if check_type_arg(tp) {
            (*tp).tp_flags
        } else {
            0
        }
    })
}

/// Finishes a static type defined by C code: sets `tp_base` (default `object`) and
/// `ob_type`, readies the base first, and inherits NULL slots, sizes and flags from the base,
/// as CPython 3.10 does. Returns 0, or -1 with an exception set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyType_Ready(tp: *mut PyTypeObject) -> c_int {
    check_null!(tp, -1);
    // SAFETY: `tp` is a type object owned by the caller (usually a static).
    guard("PyType_Ready", -1, || unsafe { ready(tp) })
}

unsafe fn ready(tp: *mut PyTypeObject) -> c_int {
    // SAFETY: `tp` is a type object being initialized; its base is a live type.
    unsafe {
        let t = &mut *tp;
        if t.tp_flags & Py_TPFLAGS_READY != 0 {
            return 0;
        }
        if t.tp_flags & Py_TPFLAGS_READYING != 0 {
            set_string(
                crate::exc!(SystemError),
                "type is being readied recursively",
            );
            return -1;
        }
        if t.tp_name.is_null() {
            set_string(
                crate::exc!(SystemError),
                "Type does not define the tp_name field.",
            );
            return -1;
        }
        t.tp_flags |= Py_TPFLAGS_READYING;
        let object = &raw mut PyBaseObject_Type;
        if t.tp_base.is_null() && tp != object {
            t.tp_base = object;
        }
        let base = t.tp_base;
        if !base.is_null() {
            if ready(base) < 0 {
                t.tp_flags &= !Py_TPFLAGS_READYING;
                return -1;
            }
            if t.ob_base.ob_base.ob_type.is_null() {
                t.ob_base.ob_base.ob_type = (*base).ob_base.ob_base.ob_type;
            }
            inherit(t, &*base);
        } else if t.ob_base.ob_base.ob_type.is_null() {
            t.ob_base.ob_base.ob_type = &raw mut PyType_Type;
        }
        t.tp_flags = (t.tp_flags & !Py_TPFLAGS_READYING) | Py_TPFLAGS_READY;
        0
    }
}

fn inherit(t: &mut PyTypeObject, b: &PyTypeObject) {
    const SUBCLASS_BITS: c_ulong = Py_TPFLAGS_LONG_SUBCLASS
        | Py_TPFLAGS_LIST_SUBCLASS
        | Py_TPFLAGS_TUPLE_SUBCLASS
        | Py_TPFLAGS_BYTES_SUBCLASS
        | Py_TPFLAGS_UNICODE_SUBCLASS
        | Py_TPFLAGS_DICT_SUBCLASS
        | Py_TPFLAGS_BASE_EXC_SUBCLASS
        | Py_TPFLAGS_TYPE_SUBCLASS;
    t.tp_flags |= b.tp_flags & SUBCLASS_BITS;
    if t.tp_basicsize == 0 {
        t.tp_basicsize = b.tp_basicsize;
    }
    if t.tp_itemsize == 0 {
        t.tp_itemsize = b.tp_itemsize;
    }
    if t.tp_flags & Py_TPFLAGS_HAVE_GC == 0
        && b.tp_flags & Py_TPFLAGS_HAVE_GC != 0
        && t.tp_traverse.is_none()
        && t.tp_clear.is_none()
    {
        t.tp_flags |= Py_TPFLAGS_HAVE_GC;
        t.tp_traverse = b.tp_traverse;
        t.tp_clear = b.tp_clear;
    }
    macro_rules! slot {
        ($($f:ident),*) => { $( if t.$f.is_none() { t.$f = b.$f; } )* };
    }
    macro_rules! table {
        ($($f:ident),*) => { $( if t.$f.is_null() { t.$f = b.$f; } )* };
    }
    slot!(
        tp_dealloc,
        tp_repr,
        tp_str,
        tp_call,
        tp_iter,
        tp_iternext,
        tp_descr_get,
        tp_descr_set
    );
    slot!(
        tp_init,
        tp_alloc,
        tp_finalize,
        tp_getattr,
        tp_setattr,
        tp_is_gc
    );
    table!(
        tp_as_async,
        tp_as_number,
        tp_as_sequence,
        tp_as_mapping,
        tp_as_buffer
    );
    if t.tp_getattro.is_none() && t.tp_getattr.is_none() {
        t.tp_getattro = b.tp_getattro;
    }
    if t.tp_setattro.is_none() && t.tp_setattr.is_none() {
        t.tp_setattro = b.tp_setattro;
    }
    if t.tp_richcompare.is_none() && t.tp_hash.is_none() {
        t.tp_richcompare = b.tp_richcompare;
        t.tp_hash = b.tp_hash;
    }
    if t.tp_new.is_none() {
        if core::ptr::eq(b, &raw const PyBaseObject_Type) && t.tp_flags & Py_TPFLAGS_HEAPTYPE == 0 {
            t.tp_flags |= Py_TPFLAGS_DISALLOW_INSTANTIATION;
        } else if t.tp_flags & Py_TPFLAGS_DISALLOW_INSTANTIATION == 0 {
            t.tp_new = b.tp_new;
        }
    }
    if t.tp_free.is_none() {
        let gc = t.tp_flags & Py_TPFLAGS_HAVE_GC != 0;
        let base_gc = b.tp_flags & Py_TPFLAGS_HAVE_GC != 0;
        t.tp_free = if gc && !base_gc {
            Some(crate::modules::gcmodule::PyObject_GC_Del)
        } else {
            b.tp_free
        };
    }
    if t.tp_weaklistoffset == 0 {
        t.tp_weaklistoffset = b.tp_weaklistoffset;
    }
    if t.tp_dictoffset == 0 {
        t.tp_dictoffset = b.tp_dictoffset;
    }
}

/// Default `tp_alloc`: a zeroed object with room for `nitems` items (plus one, as CPython),
/// reference count 1, GC-tracked if the type has GC.
///
/// Return value: New reference, or NULL with `MemoryError` set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyType_GenericAlloc(
    tp: *mut PyTypeObject,
    nitems: Py_ssize_t,
) -> *mut PyObject {
    check_null!(tp, null_mut());
    guard("PyType_GenericAlloc", null_mut(), || {
        // SAFETY: `tp` is a type object.
        unsafe {
            let Some(size) = var_size(&*tp, nitems.max(0).saturating_add(1)) else {
                return crate::python::errors::no_memory();
            };
            let op = alloc_object(tp, size);
            if op.is_null() {
                return op;
            }
            if (*tp).tp_itemsize != 0 {
                (*(op as *mut PyVarObject)).ob_size = nitems;
            }
            if has_flag(tp, Py_TPFLAGS_HEAPTYPE) {
                incref(obj(tp));
            }
            if has_flag(tp, Py_TPFLAGS_HAVE_GC) {
                track(op);
            }
            op
        }
    })
}

/// Default `tp_new`: `type->tp_alloc(type, 0)`, ignoring the arguments.
///
/// Return value: New reference.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyType_GenericNew(
    tp: *mut PyTypeObject,
    _args: *mut PyObject,
    _kwds: *mut PyObject,
) -> *mut PyObject {
    check_null!(tp, null_mut());
    guard("PyType_GenericNew", null_mut(), || {
        // SAFETY: `tp` is a type object with a tp_alloc (set by PyType_Ready).
        unsafe {
            match (*tp).tp_alloc {
                Some(alloc) => alloc(tp, 0),
                None => PyType_GenericAlloc(tp, 0),
            }
        }
    })
}

/// Name for messages: `tp_name` of the object's type.
pub(crate) unsafe fn tp_name_of<'a>(op: *mut PyObject) -> &'a str {
    // SAFETY: live object.
    unsafe { full_name(ty(op)) }
}
