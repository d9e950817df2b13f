//! `Include/object.h`'s type functions and `Objects/typeobject.c`'s two root types: `type` and
//! `object`. pycoro's own types are static and ready at compile time (no `PyType_Ready` needed);
//! `PyType_Ready` exists for the static types that C programs define.

use crate::capi::boundary::{check_null, guard};
use crate::capi::ffi::{decref, fp, has_flag, incref, new_ref, obj, ty};

type Initproc = unsafe extern "C" fn(*mut PyObject, *mut PyObject, *mut PyObject) -> c_int;
type Newproc =
    unsafe extern "C" fn(*mut PyTypeObject, *mut PyObject, *mut PyObject) -> *mut PyObject;
type Freeproc = unsafe extern "C" fn(*mut core::ffi::c_void);
use crate::modules::gcmodule::{alloc_object, track, var_size};
use crate::objects::object::*;
use crate::objects::object_ops::none;
use crate::objects::typeobject_heap::type_new;
use crate::python::errors::{set_format, set_string};
use core::ffi::{CStr, c_int, c_ulong};
use core::ptr::null_mut;

/// A static type with everything but the name, size and flags left empty; `ob_type` is `type`,
/// the reference count immortal; `PyType_Ready` (run for every static type at load time) does the rest.
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
        tp_getattro: None,
        tp_setattro: None,
        tp_as_buffer: null_mut(),
        tp_flags: flags,
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
        tp_alloc: None,
        tp_new: None,
        tp_free: None,
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
    // SAFETY: `_Py_HashPointer(const void *)` hashes the object's address, as tp_hash needs.
    tp_doc: c"type(object) -> the object's type\ntype(name, bases, dict, **kwds) -> a new type"
        .as_ptr(),
    tp_traverse: Some(type_traverse),
    tp_clear: Some(type_clear),
    tp_is_gc: Some(type_is_gc),
    tp_init: Some(type_init),
    tp_new: Some(type_new),
    tp_free: Some(crate::modules::gcmodule::PyObject_GC_Del),
    tp_vectorcall: Some(type_vectorcall),
    tp_dictoffset: core::mem::offset_of!(PyTypeObject, tp_dict) as Py_ssize_t,
    tp_weaklistoffset: core::mem::offset_of!(PyTypeObject, tp_weaklist) as Py_ssize_t,
    tp_vectorcall_offset: core::mem::offset_of!(PyTypeObject, tp_vectorcall) as Py_ssize_t,
    tp_methods: (&raw const TYPE_METHODS) as *mut crate::objects::methodobject::PyMethodDef,
    tp_members: (&raw const TYPE_MEMBERS) as *mut crate::objects::descrobject::PyMemberDef,
    tp_getset: (&raw const TYPE_GETSET) as *mut crate::objects::descrobject::PyGetSetDef,
    // CPython's heap types keep their `__slots__` members after the type object.
    tp_itemsize: size_of::<crate::objects::descrobject::PyMemberDef>() as Py_ssize_t,
    ..static_type(
        c"type",
        size_of::<PyHeapTypeObject>(),
        Py_TPFLAGS_BASETYPE
            | Py_TPFLAGS_TYPE_SUBCLASS
            | Py_TPFLAGS_HAVE_GC
            | Py_TPFLAGS_HAVE_VECTORCALL,
    )
};

type HashPtr = unsafe extern "C" fn(*const core::ffi::c_void) -> Py_hash_t;
type HashObj = unsafe extern "C" fn(*mut PyObject) -> Py_hash_t;

/// The most base type, `object`.
#[unsafe(no_mangle)]
pub static mut PyBaseObject_Type: PyTypeObject = PyTypeObject {
    tp_dealloc: Some(object_dealloc),
    tp_repr: Some(crate::objects::object_ops::object_repr),
    // SAFETY: as for `type`.
    tp_hash: Some(unsafe { core::mem::transmute::<HashPtr, HashObj>(crate::objects::object_ops::_Py_HashPointer) }),
    tp_str: Some(object_str),
    tp_richcompare: Some(crate::objects::object_ops::object_richcompare),
    tp_new: Some(object_new),
    tp_init: Some(object_init),
    tp_getattro: Some(crate::objects::object_ops::PyObject_GenericGetAttr),
    tp_setattro: Some(crate::objects::object_ops::PyObject_GenericSetAttr),
    tp_alloc: Some(PyType_GenericAlloc),
    tp_free: Some(crate::objects::obmalloc::PyObject_Free),
    tp_doc: c"object()\n--\n\nThe base class of the class hierarchy.\n\nWhen called, it accepts no arguments and returns a new featureless\ninstance that has no instance attributes and cannot be given any.\n".as_ptr(),
    tp_methods: (&raw const OBJECT_METHODS) as *mut crate::objects::methodobject::PyMethodDef,
    tp_getset: (&raw const OBJECT_GETSET) as *mut crate::objects::descrobject::PyGetSetDef,
    tp_base: null_mut(),
    ..static_type(c"object", 16, Py_TPFLAGS_BASETYPE)
};

unsafe extern "C" fn type_dealloc(op: *mut PyObject) {
    // SAFETY: only heap types die (static types are immortal); their fields are owned.
    unsafe {
        let tp = op as *mut PyTypeObject;
        if !has_flag(tp, Py_TPFLAGS_HEAPTYPE) {
            return;
        }
        crate::modules::gcmodule::untrack(op);
        remove_subclass(tp);
        let t = &mut *tp;
        let base = t.tp_base;
        t.tp_base = null_mut();
        crate::capi::ffi::xdecref(obj(base));
        crate::capi::ffi::clear(&raw mut t.tp_dict);
        crate::capi::ffi::clear(&raw mut t.tp_bases);
        crate::capi::ffi::clear(&raw mut t.tp_mro);
        crate::capi::ffi::clear(&raw mut t.tp_cache);
        crate::capi::ffi::clear(&raw mut t.tp_subclasses);
        if !t.tp_doc.is_null() {
            libc::free(t.tp_doc as *mut core::ffi::c_void);
            t.tp_doc = core::ptr::null();
        }
        let h = tp as *mut PyHeapTypeObject;
        crate::capi::ffi::clear(&raw mut (*h).ht_name);
        crate::capi::ffi::clear(&raw mut (*h).ht_qualname);
        crate::capi::ffi::clear(&raw mut (*h).ht_slots);
        crate::capi::ffi::clear(&raw mut (*h).ht_module);
        if !(*h).ht_cached_keys.is_null() {
            libc::free((*h).ht_cached_keys);
            (*h).ht_cached_keys = null_mut();
        }
        crate::modules::gcmodule::free_object(op);
    }
}

unsafe extern "C" fn type_traverse(
    op: *mut PyObject,
    visit: visitproc,
    arg: *mut core::ffi::c_void,
) -> c_int {
    // SAFETY: a heap type (static types are not GC-tracked).
    unsafe {
        let t = op as *mut PyTypeObject;
        if !has_flag(t, Py_TPFLAGS_HEAPTYPE) {
            return 0;
        }
        crate::capi::ffi::py_visit!((*t).tp_dict, visit, arg);
        crate::capi::ffi::py_visit!((*t).tp_cache, visit, arg);
        crate::capi::ffi::py_visit!((*t).tp_mro, visit, arg);
        crate::capi::ffi::py_visit!((*t).tp_bases, visit, arg);
        crate::capi::ffi::py_visit!((*t).tp_base, visit, arg);
        crate::capi::ffi::py_visit!((*(t as *mut PyHeapTypeObject)).ht_module, visit, arg);
    }
    0
}

unsafe extern "C" fn type_clear(op: *mut PyObject) -> c_int {
    // SAFETY: a heap type: its dict is emptied (as CPython's type_clear), which breaks the
    // cycles through its methods and instances.
    unsafe {
        let t = op as *mut PyTypeObject;
        modified(t);
        if !(*t).tp_dict.is_null() {
            crate::objects::dictobject::clear_dict((*t).tp_dict);
        }
        crate::capi::ffi::clear(&raw mut (*(t as *mut PyHeapTypeObject)).ht_module);
        crate::capi::ffi::clear(&raw mut (*t).tp_mro);
    }
    0
}

unsafe extern "C" fn type_is_gc(op: *mut PyObject) -> c_int {
    // SAFETY: a type object.
    unsafe { has_flag(op as *mut PyTypeObject, Py_TPFLAGS_HEAPTYPE) as c_int }
}

unsafe extern "C" fn type_init(
    op: *mut PyObject,
    args: *mut PyObject,
    kwds: *mut PyObject,
) -> c_int {
    let _ = op;
    // SAFETY: `args` a tuple, `kwds` a dict or NULL.
    unsafe {
        let n = crate::capi::ffi::size(args);
        if n == 1 && !kwds.is_null() && !crate::objects::call::kwargs_empty(kwds) {
            set_string(
                crate::exc!(TypeError),
                "type.__init__() takes no keyword arguments",
            );
            return -1;
        }
        if n != 1 && n != 3 {
            set_string(
                crate::exc!(TypeError),
                "type.__init__() takes 1 or 3 arguments",
            );
            return -1;
        }
    }
    0
}

unsafe extern "C" fn type_vectorcall(
    callee: *mut PyObject,
    args: *const *mut PyObject,
    nargsf: usize,
    kwnames: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: `callee` is `type` or a subclass; `args` has `nargs` entries.
    unsafe {
        let n = nargsf & !crate::objects::call::PY_VECTORCALL_ARGUMENTS_OFFSET;
        if n == 1
            && callee == obj(&raw mut PyType_Type)
            && (kwnames.is_null() || crate::capi::ffi::size(kwnames) == 0)
        {
            return new_ref(obj(ty(*args)));
        }
        let t = if n == 0 {
            crate::objects::tupleobject::PyTuple_New(0)
        } else {
            crate::objects::tupleobject::tuple_from(core::slice::from_raw_parts(args, n))
        };
        if t.is_null() {
            return t;
        }
        let kw = if kwnames.is_null() || crate::capi::ffi::size(kwnames) == 0 {
            null_mut()
        } else {
            let kw = crate::objects::call::kwnames_to_dict(args.add(n), kwnames);
            if kw.is_null() {
                decref(t);
                return null_mut();
            }
            kw
        };
        let r = type_call(callee, t, kw);
        decref(t);
        crate::capi::ffi::xdecref(kw);
        r
    }
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

/// Whether a call passes any arguments (CPython's `excess_args`).
unsafe fn excess_args(args: *mut PyObject, kwds: *mut PyObject) -> bool {
    // SAFETY: a tuple and a dict or NULL.
    unsafe {
        (!args.is_null() && crate::capi::ffi::size(args) != 0)
            || (!kwds.is_null() && !crate::objects::call::kwargs_empty(kwds))
    }
}

unsafe extern "C" fn object_init(
    op: *mut PyObject,
    args: *mut PyObject,
    kwds: *mut PyObject,
) -> c_int {
    // SAFETY: a live object; `args` a tuple.
    unsafe {
        let tp = ty(op);
        if excess_args(args, kwds) {
            if fp((*tp).tp_init) != fp::<Initproc>(Some(object_init)) {
                set_string(
                    crate::exc!(TypeError),
                    "object.__init__() takes exactly one argument (the instance to initialize)",
                );
                return -1;
            }
            if fp((*tp).tp_new) == fp::<Newproc>(Some(object_new)) {
                crate::python::errors::set_format(
                    crate::exc!(TypeError),
                    format_args!(
                        "{}.__init__() takes exactly one argument (the instance to initialize)",
                        full_name(tp)
                    ),
                );
                return -1;
            }
        }
    }
    0
}

unsafe extern "C" fn object_new(
    tp: *mut PyTypeObject,
    args: *mut PyObject,
    kwds: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: a ready type; `args` a tuple.
    unsafe {
        if excess_args(args, kwds) {
            if fp((*tp).tp_new) != fp::<Newproc>(Some(object_new)) {
                set_string(
                    crate::exc!(TypeError),
                    "object.__new__() takes exactly one argument (the type to instantiate)",
                );
                return null_mut();
            }
            if fp((*tp).tp_init) == fp::<Initproc>(Some(object_init)) {
                crate::python::errors::set_format(
                    crate::exc!(TypeError),
                    format_args!("{}() takes no arguments", full_name(tp)),
                );
                return null_mut();
            }
        }
        if has_flag(tp, Py_TPFLAGS_IS_ABSTRACT) {
            crate::python::errors::set_format(
                crate::exc!(TypeError),
                format_args!(
                    "Can't instantiate abstract class {} with abstract methods",
                    type_name(tp)
                ),
            );
            return null_mut();
        }
        match (*tp).tp_alloc {
            Some(alloc) => alloc(tp, 0),
            None => PyType_GenericAlloc(tp, 0),
        }
    }
}

unsafe extern "C" fn object_str(op: *mut PyObject) -> *mut PyObject {
    // SAFETY: a live object: str() falls back to repr().
    unsafe {
        match (*ty(op)).tp_repr {
            Some(r) => r(op),
            None => crate::objects::object_ops::object_repr(op),
        }
    }
}

/// `_PyType_Name`: the part of `tp_name` after the last dot.
pub(crate) unsafe fn type_name<'a>(tp: *mut PyTypeObject) -> &'a str {
    // SAFETY: tp_name is a NUL-terminated string.
    let full = unsafe { CStr::from_ptr((*tp).tp_name) }
        .to_str()
        .unwrap_or("?");
    full.rsplit('.').next().unwrap_or(full)
}

/// The type's `__qualname__`: the heap type's `ht_qualname`, else the part of `tp_name` after
/// the last dot.
pub(crate) unsafe fn type_qualname<'a>(tp: *mut PyTypeObject) -> &'a str {
    // SAFETY: a live type; a heap type's qualname is a str.
    unsafe {
        if has_flag(tp, Py_TPFLAGS_HEAPTYPE) {
            let q = (*(tp as *mut PyHeapTypeObject)).ht_qualname;
            if !q.is_null()
                && let Some(s) = crate::objects::unicodeobject::str_as(q)
            {
                return s;
            }
        }
        type_name(tp)
    }
}

/// The full `tp_name`.
pub(crate) unsafe fn full_name<'a>(tp: *mut PyTypeObject) -> &'a str {
    // SAFETY: tp_name is a NUL-terminated string.
    unsafe { CStr::from_ptr((*tp).tp_name) }
        .to_str()
        .unwrap_or("?")
}

/// The type's `__module__`: a heap type's `__module__` entry, else the part of `tp_name` before
/// the last dot, else "builtins".
///
/// Return value: New reference, or NULL with an exception set.
unsafe fn type_module(tp: *mut PyTypeObject) -> *mut PyObject {
    // SAFETY: a live type.
    unsafe {
        if has_flag(tp, Py_TPFLAGS_HEAPTYPE) {
            let key = crate::objects::unicodeobject::intern("__module__");
            return match crate::objects::dictobject::get_item((*tp).tp_dict, key) {
                Err(()) => null_mut(),
                Ok(m) if !m.is_null() => new_ref(m),
                Ok(_) => {
                    set_string(crate::exc!(AttributeError), "__module__");
                    null_mut()
                }
            };
        }
        let full = full_name(tp);
        match full.rfind('.') {
            Some(i) => crate::objects::unicodeobject::str_from(&full[..i]),
            None => new_ref(crate::objects::unicodeobject::intern("builtins")),
        }
    }
}

unsafe extern "C" fn type_repr(op: *mut PyObject) -> *mut PyObject {
    let tp = op as *mut PyTypeObject;
    // SAFETY: `op` is a type object.
    unsafe {
        let m = type_module(tp);
        if m.is_null() {
            crate::python::errors::restore(null_mut(), null_mut(), null_mut());
        }
        let module = if m.is_null() {
            None
        } else {
            crate::objects::unicodeobject::str_as(m).map(str::to_owned)
        };
        crate::capi::ffi::xdecref(m);
        let q = type_qualname(tp);
        let s = match module.as_deref() {
            Some(md) if md != "builtins" => format!("<class '{md}.{q}'>"),
            _ => format!("<class '{q}'>"),
        };
        crate::objects::unicodeobject::str_from(&s)
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
        if tp == &raw mut PyType_Type && crate::objects::tupleobject::is_tuple(args) {
            let n = crate::capi::ffi::size(args);
            if n == 1 && (kwds.is_null() || crate::objects::call::kwargs_empty(kwds)) {
                return new_ref(obj(ty(crate::objects::tupleobject::item(args, 0))));
            }
            if n != 3 {
                set_string(crate::exc!(TypeError), "type() takes 1 or 3 arguments");
                return null_mut();
            }
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

/// `_PyType_Lookup` by a str name: the first entry for `name` in the dicts of the type's MRO
/// (borrowed; NULL when absent, with no exception set: lookup errors are cleared, as CPython).
pub(crate) unsafe fn lookup(tp: *mut PyTypeObject, name: *mut PyObject) -> *mut PyObject {
    // SAFETY: a live type and a str.
    unsafe {
        // The method cache: (version tag, name) -> result, for exact str names.
        let tag = (*tp).tp_version_tag;
        let cacheable = (*tp).tp_flags & Py_TPFLAGS_VALID_VERSION_TAG != 0
            && tag != 0
            && crate::objects::unicodeobject::is_str_exact(name)
            && crate::objects::unicodeobject::is_interned(name);
        if cacheable && let Some(hit) = method_cache::get(tag, name) {
            return hit;
        }
        let r = lookup_uncached(tp, name);
        if cacheable && crate::python::errors::occurred().is_null() {
            method_cache::put(tag, name, r);
        }
        r
    }
}

/// Lookup through the MRO's dicts, without the method cache.
unsafe fn lookup_uncached(tp: *mut PyTypeObject, name: *mut PyObject) -> *mut PyObject {
    // SAFETY: a live type and a str.
    unsafe {
        let mut mro = (*tp).tp_mro;
        if mro.is_null() {
            if (*tp).tp_flags & Py_TPFLAGS_READYING == 0 {
                if ready(tp) < 0 {
                    crate::python::errors::restore(null_mut(), null_mut(), null_mut());
                    return null_mut();
                }
                mro = (*tp).tp_mro;
            }
            if mro.is_null() {
                return null_mut();
            }
        }
        for &b in crate::objects::tupleobject::as_slice(mro) {
            let d = (*(b as *mut PyTypeObject)).tp_dict;
            if d.is_null() {
                continue;
            }
            match crate::objects::dictobject::get_item(d, name) {
                Ok(v) if !v.is_null() => return v,
                Ok(_) => {}
                Err(()) => {
                    crate::python::errors::restore(null_mut(), null_mut(), null_mut());
                    return null_mut();
                }
            }
        }
        null_mut()
    }
}

/// Looks `name` up in the MRO of `tp` (no descriptor is called).
///
/// Return value: Borrowed reference, or NULL when absent (no exception set).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn _PyType_Lookup(
    tp: *mut PyTypeObject,
    name: *mut PyObject,
) -> *mut PyObject {
    check_null!(tp, null_mut());
    check_null!(name, null_mut());
    guard("_PyType_Lookup", null_mut(), || unsafe {
        if !check_type_arg(tp) {
            return null_mut();
        }
        lookup(tp, name)
    })
}

unsafe extern "C" fn type_getattro(op: *mut PyObject, name: *mut PyObject) -> *mut PyObject {
    let tp = op as *mut PyTypeObject;
    // SAFETY: `op` is a type object; `name` a str (checked by PyObject_GetAttr).
    unsafe {
        let meta = ty(op);
        let meta_attr = lookup(meta, name);
        let mut meta_get = None;
        if !meta_attr.is_null() {
            incref(meta_attr);
            meta_get = (*ty(meta_attr)).tp_descr_get;
            if let Some(g) = meta_get
                && (*ty(meta_attr)).tp_descr_set.is_some()
            {
                let r = g(meta_attr, op, obj(meta));
                decref(meta_attr);
                return r;
            }
        }
        let attr = lookup(tp, name);
        if !attr.is_null() {
            incref(attr);
            crate::capi::ffi::xdecref(meta_attr);
            if let Some(g) = (*ty(attr)).tp_descr_get {
                let r = g(attr, null_mut(), op);
                decref(attr);
                return r;
            }
            return attr;
        }
        if let Some(g) = meta_get {
            let r = g(meta_attr, op, obj(meta));
            decref(meta_attr);
            return r;
        }
        if !meta_attr.is_null() {
            return meta_attr;
        }
        crate::python::errors::set_format(
            crate::exc!(AttributeError),
            format_args!(
                "type object '{}' has no attribute '{}'",
                full_name(tp),
                crate::objects::unicodeobject::str_as(name).unwrap_or("?")
            ),
        );
        null_mut()
    }
}

unsafe extern "C" fn type_setattro(
    op: *mut PyObject,
    name: *mut PyObject,
    value: *mut PyObject,
) -> c_int {
    let tp = op as *mut PyTypeObject;
    // SAFETY: `op` is a type object; `name` a str.
    unsafe {
        if has_flag(tp, Py_TPFLAGS_IMMUTABLETYPE) {
            let n = crate::objects::unicodeobject::str_as(name).unwrap_or("?");
            crate::python::errors::set_format(
                crate::exc!(TypeError),
                format_args!(
                    "cannot set '{n}' attribute of immutable type '{}'",
                    full_name(tp)
                ),
            );
            return -1;
        }
        let r = crate::objects::object_ops::generic_set_attr(op, name, value, null_mut());
        if r == 0 {
            PyType_Modified(tp);
        }
        r
    }
}

/// Invalidates the type's cached lookups after its dict changed (pycoro caches none yet: the
/// version tag is renewed for C code that watches it).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyType_Modified(tp: *mut PyTypeObject) {
    if tp.is_null() {
        return;
    }
    guard("PyType_Modified", (), || unsafe {
        if check_type_arg(tp) {
            modified(tp);
        } else {
            crate::python::errors::restore(null_mut(), null_mut(), null_mut());
        }
    })
}

/// Gives `tp` and every subclass of it a new version tag, so that the method cache forgets
/// what it knew of them (a subclass's lookups go through `tp`'s dict). Iterative: the subclass
/// tree is walked with an explicit stack.
pub(crate) unsafe fn modified(tp: *mut PyTypeObject) {
    // SAFETY: live types; a subclass registry maps addresses of live types.
    unsafe {
        let mut stack = vec![tp];
        let mut seen = 0usize;
        while let Some(t) = stack.pop() {
            seen += 1;
            if (*t).tp_flags & Py_TPFLAGS_READY != 0 {
                (*t).tp_version_tag = next_version_tag();
                (*t).tp_flags |= Py_TPFLAGS_VALID_VERSION_TAG;
            }
            let subs = (*t).tp_subclasses;
            if subs.is_null() || seen > 1_000_000 {
                continue;
            }
            let mut pos = 0;
            while let Some((k, _)) = crate::objects::dictobject::next_entry(subs, &mut pos) {
                let addr = crate::objects::longobject::PyLong_AsSsize_t(k);
                if addr > 0 && stack.try_reserve(1).is_ok() {
                    stack.push(addr as *mut PyTypeObject);
                }
            }
        }
        crate::python::errors::restore(null_mut(), null_mut(), null_mut());
    }
}

/// The per-thread method cache of `_PyType_Lookup` (CPython keeps one per interpreter, guarded
/// by the GIL; pycoro has no GIL, so each thread has its own). Entries are keyed by the type's
/// version tag (unique, renewed by `PyType_Modified`) and the address of an interned name (an
/// immortal str, so the address is never reused: CPython holds a reference instead), and hold
/// borrowed results: a type whose dict changes without `PyType_Modified` can be served stale
/// entries, as in CPython.
mod method_cache {
    use crate::objects::object::PyObject;
    use core::cell::Cell;
    use core::ptr::null_mut;

    const SIZE: usize = 4096;

    #[derive(Clone, Copy)]
    struct Entry {
        tag: u32,
        name: *mut PyObject,
        value: *mut PyObject,
    }

    struct Cache(Cell<*mut Entry>);

    impl Drop for Cache {
        fn drop(&mut self) {
            let p = self.0.replace(null_mut());
            if !p.is_null() {
                // SAFETY: allocated by `table` with calloc.
                unsafe { libc::free(p as *mut libc::c_void) };
            }
        }
    }

    std::thread_local! {
        static CACHE: Cache = const { Cache(Cell::new(null_mut())) };
    }

    fn slot(tag: u32, name: *mut PyObject) -> usize {
        ((tag as usize).wrapping_mul(0x9E37_79B9) ^ ((name as usize) >> 4)) & (SIZE - 1)
    }

    /// The thread's table, made (zeroed) on first use; None when out of memory or at thread
    /// exit (then nothing is cached).
    fn table() -> Option<*mut Entry> {
        CACHE
            .try_with(|c| {
                let mut p = c.0.get();
                if p.is_null() {
                    // SAFETY: a zeroed table of SIZE entries (tag 0 never matches).
                    p = unsafe { libc::calloc(SIZE, size_of::<Entry>()) } as *mut Entry;
                    c.0.set(p);
                }
                (!p.is_null()).then_some(p)
            })
            .ok()
            .flatten()
    }

    pub(super) fn get(tag: u32, name: *mut PyObject) -> Option<*mut PyObject> {
        let t = table()?;
        // SAFETY: an index below SIZE into the thread's own table.
        let e = unsafe { *t.add(slot(tag, name)) };
        (e.tag == tag && e.name == name).then_some(e.value)
    }

    pub(super) fn put(tag: u32, name: *mut PyObject, value: *mut PyObject) {
        if let Some(t) = table() {
            // SAFETY: as get.
            unsafe { *t.add(slot(tag, name)) = Entry { tag, name, value } };
        }
    }

    /// Forgets every entry of the calling thread.
    pub(super) fn clear() {
        if let Some(t) = table() {
            // SAFETY: as get.
            unsafe { core::ptr::write_bytes(t, 0, SIZE) };
        }
    }
}

/// Clears the calling thread's method cache and returns the version tag counter, as 3.10.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyType_ClearCache() -> core::ffi::c_uint {
    guard("PyType_ClearCache", 0, || {
        method_cache::clear();
        VERSION_TAG.load(core::sync::atomic::Ordering::Relaxed) as core::ffi::c_uint
    })
}

static VERSION_TAG: core::sync::atomic::AtomicU32 = core::sync::atomic::AtomicU32::new(1);

fn next_version_tag() -> core::ffi::c_uint {
    VERSION_TAG.fetch_add(1, core::sync::atomic::Ordering::Relaxed)
}

// ---- the metatype's and object's attributes ---------------------------------------------------

use crate::objects::descrobject::{PyGetSetDef, PyMemberDef};
use crate::objects::methodobject::{METH_CLASS, METH_NOARGS, METH_O, PyMethodDef};

const fn meth(
    name: &'static CStr,
    f: unsafe extern "C" fn(*mut PyObject, *mut PyObject) -> *mut PyObject,
    flags: c_int,
    doc: &'static CStr,
) -> PyMethodDef {
    PyMethodDef {
        ml_name: name.as_ptr(),
        ml_meth: Some(f),
        ml_flags: flags,
        ml_doc: doc.as_ptr(),
    }
}

const fn getset(
    name: &'static CStr,
    get: unsafe extern "C" fn(*mut PyObject, *mut core::ffi::c_void) -> *mut PyObject,
    set: crate::objects::descrobject::setter,
) -> PyGetSetDef {
    PyGetSetDef {
        name: name.as_ptr(),
        get: Some(get),
        set,
        doc: core::ptr::null(),
        closure: null_mut(),
    }
}

const fn member(name: &'static CStr, kind: c_int, offset: usize) -> PyMemberDef {
    PyMemberDef {
        name: name.as_ptr(),
        r#type: kind,
        offset: offset as Py_ssize_t,
        flags: crate::python::structmember::READONLY,
        doc: core::ptr::null(),
    }
}

static mut TYPE_MEMBERS: [PyMemberDef; 8] = {
    use crate::python::structmember::{T_OBJECT, T_PYSSIZET, T_ULONG};
    use core::mem::offset_of;
    [
        member(
            c"__basicsize__",
            T_PYSSIZET,
            offset_of!(PyTypeObject, tp_basicsize),
        ),
        member(
            c"__itemsize__",
            T_PYSSIZET,
            offset_of!(PyTypeObject, tp_itemsize),
        ),
        member(c"__flags__", T_ULONG, offset_of!(PyTypeObject, tp_flags)),
        member(
            c"__weakrefoffset__",
            T_PYSSIZET,
            offset_of!(PyTypeObject, tp_weaklistoffset),
        ),
        member(c"__base__", T_OBJECT, offset_of!(PyTypeObject, tp_base)),
        member(
            c"__dictoffset__",
            T_PYSSIZET,
            offset_of!(PyTypeObject, tp_dictoffset),
        ),
        member(c"__mro__", T_OBJECT, offset_of!(PyTypeObject, tp_mro)),
        PyMemberDef::SENTINEL,
    ]
};

static mut TYPE_GETSET: [PyGetSetDef; 10] = [
    getset(c"__name__", type_get_name, Some(type_set_name)),
    getset(c"__qualname__", type_get_qualname, Some(type_set_qualname)),
    getset(c"__bases__", type_get_bases, None),
    getset(c"__module__", type_get_module, Some(type_set_module)),
    getset(c"__abstractmethods__", type_get_abstractmethods, None),
    getset(c"__dict__", type_get_dict, None),
    getset(c"__doc__", type_get_doc, Some(type_set_doc)),
    getset(c"__text_signature__", type_get_text_signature, None),
    getset(c"__annotations__", type_get_annotations, None),
    PyGetSetDef::SENTINEL,
];

static mut TYPE_METHODS: [PyMethodDef; 8] = [
    PyMethodDef {
        ml_name: c"__prepare__".as_ptr(),
        // SAFETY: METH_FASTCALL | METH_KEYWORDS functions are called with that signature.
        ml_meth: Some(unsafe {
            core::mem::transmute::<
                unsafe extern "C" fn(
                    *mut PyObject,
                    *const *mut PyObject,
                    Py_ssize_t,
                    *mut PyObject,
                ) -> *mut PyObject,
                unsafe extern "C" fn(*mut PyObject, *mut PyObject) -> *mut PyObject,
            >(type_prepare)
        }),
        ml_flags: crate::objects::methodobject::METH_FASTCALL
            | crate::objects::methodobject::METH_KEYWORDS
            | METH_CLASS,
        ml_doc: c"__prepare__() -> dict\nused to create the namespace for the class statement"
            .as_ptr(),
    },
    meth(
        c"mro",
        type_mro,
        METH_NOARGS,
        c"mro($self, /)\n--\n\nReturn a type's method resolution order.",
    ),
    meth(
        c"__subclasses__",
        type_subclasses,
        METH_NOARGS,
        c"__subclasses__($self, /)\n--\n\nReturn a list of immediate subclasses.",
    ),
    meth(
        c"__instancecheck__",
        type_instancecheck,
        METH_O,
        c"__instancecheck__($self, instance, /)\n--\n\nCheck if an object is an instance.",
    ),
    meth(
        c"__subclasscheck__",
        type_subclasscheck,
        METH_O,
        c"__subclasscheck__($self, subclass, /)\n--\n\nCheck if a class is a subclass.",
    ),
    meth(
        c"__dir__",
        type_dir,
        METH_NOARGS,
        c"__dir__($self, /)\n--\n\nSpecialized __dir__ implementation for types.",
    ),
    meth(
        c"__sizeof__",
        type_sizeof,
        METH_NOARGS,
        c"__sizeof__($self, /)\n--\n\nReturn memory consumption of the type object.",
    ),
    PyMethodDef::SENTINEL,
];

static mut OBJECT_METHODS: [PyMethodDef; 8] = [
    meth(c"__reduce_ex__", object_reduce_ex, METH_O, c"__reduce_ex__($self, protocol, /)\n--\n\nHelper for pickle."),
    meth(c"__reduce__", object_reduce, METH_NOARGS, c"__reduce__($self, /)\n--\n\nHelper for pickle."),
    meth(c"__subclasshook__", object_subclasshook, crate::objects::methodobject::METH_VARARGS | METH_CLASS, c"Abstract classes can override this to customize issubclass().\n\nThis is invoked early on by abc.ABCMeta.__subclasscheck__().\nIt should return True, False or NotImplemented.  If it returns\nNotImplemented, the normal algorithm is used.  Otherwise, it\noverrides the normal algorithm (and the outcome is cached).\n"),
    meth(c"__init_subclass__", object_init_subclass, METH_CLASS | METH_NOARGS, c"This method is called when a class is subclassed.\n\nThe default implementation does nothing. It may be\noverridden to extend subclasses.\n"),
    meth(c"__format__", object_format, METH_O, c"__format__($self, format_spec, /)\n--\n\nDefault object formatter."),
    meth(c"__sizeof__", object_sizeof, METH_NOARGS, c"__sizeof__($self, /)\n--\n\nSize of object in memory, in bytes."),
    meth(c"__dir__", object_dir, METH_NOARGS, c"__dir__($self, /)\n--\n\nDefault dir() implementation."),
    PyMethodDef::SENTINEL,
];

static mut OBJECT_GETSET: [PyGetSetDef; 2] = [
    PyGetSetDef {
        name: c"__class__".as_ptr(),
        get: Some(object_get_class),
        set: Some(object_set_class),
        doc: c"the object's class".as_ptr(),
        closure: null_mut(),
    },
    PyGetSetDef::SENTINEL,
];

unsafe fn check_set_special(tp: *mut PyTypeObject, value: *mut PyObject, name: &str) -> bool {
    // SAFETY: a live type.
    unsafe {
        if !has_flag(tp, Py_TPFLAGS_HEAPTYPE) {
            crate::python::errors::set_format(
                crate::exc!(TypeError),
                format_args!(
                    "cannot set '{name}' attribute of immutable type '{}'",
                    full_name(tp)
                ),
            );
            return false;
        }
        if value.is_null() {
            crate::python::errors::set_format(
                crate::exc!(TypeError),
                format_args!(
                    "cannot delete '{name}' attribute of immutable type '{}'",
                    full_name(tp)
                ),
            );
            return false;
        }
        true
    }
}

unsafe extern "C" fn type_get_name(op: *mut PyObject, _c: *mut core::ffi::c_void) -> *mut PyObject {
    // SAFETY: a type object.
    unsafe {
        let tp = op as *mut PyTypeObject;
        if has_flag(tp, Py_TPFLAGS_HEAPTYPE) {
            let n = (*(tp as *mut PyHeapTypeObject)).ht_name;
            if !n.is_null() {
                return new_ref(n);
            }
        }
        crate::objects::unicodeobject::str_from(type_name(tp))
    }
}

unsafe extern "C" fn type_set_name(
    op: *mut PyObject,
    v: *mut PyObject,
    _c: *mut core::ffi::c_void,
) -> c_int {
    // SAFETY: a type object.
    unsafe {
        let tp = op as *mut PyTypeObject;
        if !check_set_special(tp, v, "__name__") {
            return -1;
        }
        if !crate::objects::unicodeobject::is_str(v) {
            crate::python::errors::set_format(
                crate::exc!(TypeError),
                format_args!(
                    "can only assign string to {}.__name__, not '{}'",
                    full_name(tp),
                    tp_name_of(v)
                ),
            );
            return -1;
        }
        let Some(text) = crate::objects::unicodeobject::str_as(v) else {
            return -1;
        };
        if text.contains('\0') {
            set_string(
                crate::exc!(ValueError),
                "type name must not contain null characters",
            );
            return -1;
        }
        let h = tp as *mut PyHeapTypeObject;
        let cname = crate::objects::unicodeobject::PyUnicode_AsUTF8(v);
        if cname.is_null() {
            return -1;
        }
        (*tp).tp_name = cname;
        crate::capi::ffi::xsetref(&raw mut (*h).ht_name, new_ref(v));
        0
    }
}

unsafe extern "C" fn type_get_qualname(
    op: *mut PyObject,
    _c: *mut core::ffi::c_void,
) -> *mut PyObject {
    // SAFETY: a type object.
    unsafe {
        let tp = op as *mut PyTypeObject;
        if has_flag(tp, Py_TPFLAGS_HEAPTYPE) {
            let q = (*(tp as *mut PyHeapTypeObject)).ht_qualname;
            if !q.is_null() {
                return new_ref(q);
            }
        }
        crate::objects::unicodeobject::str_from(type_name(tp))
    }
}

unsafe extern "C" fn type_set_qualname(
    op: *mut PyObject,
    v: *mut PyObject,
    _c: *mut core::ffi::c_void,
) -> c_int {
    // SAFETY: a type object.
    unsafe {
        let tp = op as *mut PyTypeObject;
        if !check_set_special(tp, v, "__qualname__") {
            return -1;
        }
        if !crate::objects::unicodeobject::is_str(v) {
            crate::python::errors::set_format(
                crate::exc!(TypeError),
                format_args!(
                    "can only assign string to {}.__qualname__, not '{}'",
                    full_name(tp),
                    tp_name_of(v)
                ),
            );
            return -1;
        }
        crate::capi::ffi::xsetref(
            &raw mut (*(tp as *mut PyHeapTypeObject)).ht_qualname,
            new_ref(v),
        );
        0
    }
}

unsafe extern "C" fn type_get_bases(
    op: *mut PyObject,
    _c: *mut core::ffi::c_void,
) -> *mut PyObject {
    // SAFETY: a ready type object.
    unsafe {
        let b = (*(op as *mut PyTypeObject)).tp_bases;
        new_ref(if b.is_null() { none() } else { b })
    }
}

unsafe extern "C" fn type_get_module(
    op: *mut PyObject,
    _c: *mut core::ffi::c_void,
) -> *mut PyObject {
    // SAFETY: a type object.
    unsafe { type_module(op as *mut PyTypeObject) }
}

unsafe extern "C" fn type_set_module(
    op: *mut PyObject,
    v: *mut PyObject,
    _c: *mut core::ffi::c_void,
) -> c_int {
    // SAFETY: a type object.
    unsafe {
        let tp = op as *mut PyTypeObject;
        if !check_set_special(tp, v, "__module__") {
            return -1;
        }
        PyType_Modified(tp);
        crate::objects::dictobject::set_item(
            (*tp).tp_dict,
            crate::objects::unicodeobject::intern("__module__"),
            v,
        )
    }
}

unsafe extern "C" fn type_get_abstractmethods(
    op: *mut PyObject,
    _c: *mut core::ffi::c_void,
) -> *mut PyObject {
    // SAFETY: a type object: only a class that sets `__abstractmethods__` has it.
    unsafe {
        let tp = op as *mut PyTypeObject;
        let key = crate::objects::unicodeobject::intern("__abstractmethods__");
        if tp != &raw mut PyType_Type {
            match crate::objects::dictobject::get_item((*tp).tp_dict, key) {
                Err(()) => return null_mut(),
                Ok(v) if !v.is_null() => return new_ref(v),
                Ok(_) => {}
            }
        }
        crate::python::errors::set_object(crate::exc!(AttributeError), key);
        null_mut()
    }
}

unsafe extern "C" fn type_get_dict(op: *mut PyObject, _c: *mut core::ffi::c_void) -> *mut PyObject {
    // SAFETY: a type object: a read-only view of its dict.
    unsafe {
        let d = (*(op as *mut PyTypeObject)).tp_dict;
        if d.is_null() {
            return new_ref(none());
        }
        crate::objects::mappingproxy::PyDictProxy_New(d)
    }
}

unsafe extern "C" fn type_get_doc(op: *mut PyObject, _c: *mut core::ffi::c_void) -> *mut PyObject {
    // SAFETY: a type object.
    unsafe {
        let tp = op as *mut PyTypeObject;
        if !has_flag(tp, Py_TPFLAGS_HEAPTYPE) && !(*tp).tp_doc.is_null() {
            return crate::objects::descrobject::doc_from_internal(full_name(tp), (*tp).tp_doc);
        }
        let key = crate::objects::unicodeobject::intern("__doc__");
        let d = (*tp).tp_dict;
        let v = if d.is_null() {
            null_mut()
        } else {
            match crate::objects::dictobject::get_item(d, key) {
                Err(()) => return null_mut(),
                Ok(v) => v,
            }
        };
        if v.is_null() {
            return new_ref(none());
        }
        match (*ty(v)).tp_descr_get {
            Some(g) => g(v, null_mut(), op),
            None => new_ref(v),
        }
    }
}

/// `type.__doc__ = v`: a heap type's `__doc__` entry; static types refuse (CPython's
/// `type_set_doc`).
unsafe extern "C" fn type_set_doc(
    op: *mut PyObject,
    v: *mut PyObject,
    _c: *mut core::ffi::c_void,
) -> c_int {
    // SAFETY: a type object.
    unsafe {
        let tp = op as *mut PyTypeObject;
        if !check_set_special(tp, v, "__doc__") {
            return -1;
        }
        PyType_Modified(tp);
        crate::objects::dictobject::set_item(
            (*tp).tp_dict,
            crate::objects::unicodeobject::intern("__doc__"),
            v,
        )
    }
}

unsafe extern "C" fn type_get_text_signature(
    op: *mut PyObject,
    _c: *mut core::ffi::c_void,
) -> *mut PyObject {
    // SAFETY: a type object.
    unsafe {
        let tp = op as *mut PyTypeObject;
        crate::objects::descrobject::text_signature_from_internal(full_name(tp), (*tp).tp_doc)
    }
}

unsafe extern "C" fn type_get_annotations(
    op: *mut PyObject,
    _c: *mut core::ffi::c_void,
) -> *mut PyObject {
    // SAFETY: a type object: static types have no annotations.
    unsafe {
        let tp = op as *mut PyTypeObject;
        let key = crate::objects::unicodeobject::intern("__annotations__");
        if !has_flag(tp, Py_TPFLAGS_HEAPTYPE) {
            crate::python::errors::set_format(
                crate::exc!(AttributeError),
                format_args!(
                    "type object '{}' has no attribute '__annotations__'",
                    full_name(tp)
                ),
            );
            return null_mut();
        }
        match crate::objects::dictobject::get_item((*tp).tp_dict, key) {
            Err(()) => null_mut(),
            Ok(v) if !v.is_null() => match (*ty(v)).tp_descr_get {
                Some(g) => g(v, null_mut(), op),
                None => new_ref(v),
            },
            Ok(_) => {
                let d = crate::objects::dictobject::PyDict_New();
                if d.is_null() {
                    return d;
                }
                if crate::objects::dictobject::set_item((*tp).tp_dict, key, d) < 0 {
                    decref(d);
                    return null_mut();
                }
                PyType_Modified(tp);
                d
            }
        }
    }
}

/// `type.__prepare__(name, bases, **kwds)`: a new empty namespace.
unsafe extern "C" fn type_prepare(
    _cls: *mut PyObject,
    _args: *const *mut PyObject,
    _n: Py_ssize_t,
    _kwnames: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: making a dict.
    unsafe { crate::objects::dictobject::PyDict_New() }
}

unsafe extern "C" fn type_mro(op: *mut PyObject, _a: *mut PyObject) -> *mut PyObject {
    // SAFETY: a type object.
    unsafe {
        let t = mro_of(op as *mut PyTypeObject);
        if t.is_null() {
            return t;
        }
        let l = crate::objects::listobject::list_from(crate::objects::tupleobject::as_slice(t));
        decref(t);
        l
    }
}

unsafe extern "C" fn type_subclasses(op: *mut PyObject, _a: *mut PyObject) -> *mut PyObject {
    // SAFETY: a type object: its registry maps each subclass's address to itself.
    unsafe {
        let l = crate::objects::listobject::list_from(&[]);
        if l.is_null() {
            return l;
        }
        let d = (*(op as *mut PyTypeObject)).tp_subclasses;
        if !d.is_null() {
            let mut pos = 0;
            while let Some((k, _)) = crate::objects::dictobject::next_entry(d, &mut pos) {
                let addr = crate::objects::longobject::PyLong_AsSsize_t(k);
                if addr == -1 && !crate::python::errors::occurred().is_null() {
                    decref(l);
                    return null_mut();
                }
                if crate::objects::listobject::append(l, addr as *mut PyObject) < 0 {
                    decref(l);
                    return null_mut();
                }
            }
        }
        l
    }
}

unsafe extern "C" fn type_instancecheck(op: *mut PyObject, inst: *mut PyObject) -> *mut PyObject {
    // SAFETY: a type object and a live object.
    unsafe {
        let r = crate::objects::object_ops::recursive_isinstance(inst, op);
        if r < 0 {
            return null_mut();
        }
        new_ref(crate::objects::boolobject::from_bool(r != 0))
    }
}

unsafe extern "C" fn type_subclasscheck(op: *mut PyObject, sub: *mut PyObject) -> *mut PyObject {
    // SAFETY: a type object and a live object.
    unsafe {
        let r = crate::objects::object_ops::recursive_issubclass(sub, op);
        if r < 0 {
            return null_mut();
        }
        new_ref(crate::objects::boolobject::from_bool(r != 0))
    }
}

/// Merges the names of the dicts of `tp` and its bases into `d` (CPython's `merge_class_dict`).
unsafe fn merge_class_dict(d: *mut PyObject, tp: *mut PyTypeObject) -> c_int {
    // SAFETY: live dict and type.
    unsafe {
        let own = (*tp).tp_dict;
        if !own.is_null() {
            let mut pos = 0;
            while let Some((k, v)) = crate::objects::dictobject::next_entry(own, &mut pos) {
                if crate::objects::dictobject::set_item(d, k, v) < 0 {
                    return -1;
                }
            }
        }
        let bases = (*tp).tp_bases;
        if !bases.is_null() {
            for &b in crate::objects::tupleobject::as_slice(bases) {
                if merge_class_dict(d, b as *mut PyTypeObject) < 0 {
                    return -1;
                }
            }
        }
        0
    }
}

unsafe extern "C" fn type_dir(op: *mut PyObject, _a: *mut PyObject) -> *mut PyObject {
    // SAFETY: a type object.
    unsafe {
        let d = crate::objects::dictobject::PyDict_New();
        if d.is_null() {
            return d;
        }
        let r = if merge_class_dict(d, op as *mut PyTypeObject) < 0 {
            null_mut()
        } else {
            crate::objects::dictobject::PyDict_Keys(d)
        };
        decref(d);
        r
    }
}

unsafe extern "C" fn type_sizeof(op: *mut PyObject, _a: *mut PyObject) -> *mut PyObject {
    // SAFETY: a type object.
    unsafe {
        let tp = op as *mut PyTypeObject;
        let size = if has_flag(tp, Py_TPFLAGS_HEAPTYPE) {
            size_of::<PyHeapTypeObject>()
        } else {
            size_of::<PyTypeObject>()
        };
        crate::objects::longobject::PyLong_FromSsize_t(size as Py_ssize_t)
    }
}

unsafe extern "C" fn object_get_class(
    op: *mut PyObject,
    _c: *mut core::ffi::c_void,
) -> *mut PyObject {
    // SAFETY: a live object.
    unsafe { new_ref(obj(ty(op))) }
}

/// `obj.__class__ = new`: allowed between mutable (heap) types whose instances have the same
/// layout (CPython 3.10's `object_set_class` rules; pycoro has no `ModuleType`, whose subclasses
/// are also allowed in CPython).
unsafe extern "C" fn object_set_class(
    op: *mut PyObject,
    v: *mut PyObject,
    _c: *mut core::ffi::c_void,
) -> c_int {
    // SAFETY: a live object; `v` a live object or NULL.
    unsafe {
        if v.is_null() {
            set_string(crate::exc!(TypeError), "can't delete __class__ attribute");
            return -1;
        }
        if !crate::capi::ffi::type_has(v, Py_TPFLAGS_TYPE_SUBCLASS) {
            crate::python::errors::set_format(
                crate::exc!(TypeError),
                format_args!(
                    "__class__ must be set to a class, not '{}' object",
                    tp_name_of(v)
                ),
            );
            return -1;
        }
        let newto = v as *mut PyTypeObject;
        let oldto = ty(op);
        if has_flag(newto, Py_TPFLAGS_IMMUTABLETYPE) || has_flag(oldto, Py_TPFLAGS_IMMUTABLETYPE) {
            set_string(
                crate::exc!(TypeError),
                "__class__ assignment only supported for mutable types or ModuleType subclasses",
            );
            return -1;
        }
        if !compatible_for_assignment(oldto, newto, "__class__") {
            return -1;
        }
        if has_flag(newto, Py_TPFLAGS_HEAPTYPE) {
            incref(v);
        }
        (*op).ob_type = newto;
        if has_flag(oldto, Py_TPFLAGS_HEAPTYPE) {
            decref(obj(oldto));
        }
        0
    }
}

/// The deallocator of heap types (`subtype_dealloc`).
const HEAP_DEALLOC: destructor = Some(crate::objects::typeobject_heap::subtype_dealloc);

/// Whether instances of `child` are laid out exactly as its base's: same sizes and offsets,
/// same GC-ness, and a deallocator that is the base's or the heap-type one.
unsafe fn same_layout_as_base(child: *mut PyTypeObject) -> bool {
    // SAFETY: a live type.
    unsafe {
        let c = &*child;
        let Some(p) = c.tp_base.as_ref() else {
            return false;
        };
        c.tp_basicsize == p.tp_basicsize
            && c.tp_itemsize == p.tp_itemsize
            && c.tp_dictoffset == p.tp_dictoffset
            && c.tp_weaklistoffset == p.tp_weaklistoffset
            && (c.tp_flags & Py_TPFLAGS_HAVE_GC) == (p.tp_flags & Py_TPFLAGS_HAVE_GC)
            && (fp(c.tp_dealloc) == fp(HEAP_DEALLOC) || fp(c.tp_dealloc) == fp(p.tp_dealloc))
    }
}

/// Whether two heap types with the same base add the same fields to it: at most a `__dict__`
/// and a `__weakref__` slot at the same places (pycoro has no `__slots__`).
unsafe fn same_fields_added(a: *mut PyTypeObject, b: *mut PyTypeObject) -> bool {
    // SAFETY: live types with the same tp_base.
    unsafe {
        if !has_flag(a, Py_TPFLAGS_HEAPTYPE) || !has_flag(b, Py_TPFLAGS_HEAPTYPE) {
            return false;
        }
        let (a, b) = (&*a, &*b);
        let word = core::mem::size_of::<*mut PyObject>() as Py_ssize_t;
        let mut size = (*a.tp_base).tp_basicsize;
        if a.tp_dictoffset == size && b.tp_dictoffset == size {
            size += word;
        }
        if a.tp_weaklistoffset == size && b.tp_weaklistoffset == size {
            size += word;
        }
        size == a.tp_basicsize && size == b.tp_basicsize
    }
}

/// CPython's `compatible_for_assignment`: the same deallocator, and the nearest bases whose
/// layout each type keeps are the same type, or siblings adding the same fields.
unsafe fn compatible_for_assignment(
    oldto: *mut PyTypeObject,
    newto: *mut PyTypeObject,
    what: &str,
) -> bool {
    // SAFETY: live types.
    unsafe {
        if fp((*newto).tp_free) != fp((*oldto).tp_free) {
            crate::python::errors::set_format(
                crate::exc!(TypeError),
                format_args!(
                    "{what} assignment: '{}' deallocator differs from '{}'",
                    full_name(newto),
                    full_name(oldto)
                ),
            );
            return false;
        }
        let mut newbase = newto;
        while same_layout_as_base(newbase) {
            newbase = (*newbase).tp_base;
        }
        let mut oldbase = oldto;
        while same_layout_as_base(oldbase) {
            oldbase = (*oldbase).tp_base;
        }
        if newbase != oldbase
            && ((*newbase).tp_base != (*oldbase).tp_base || !same_fields_added(newbase, oldbase))
        {
            crate::python::errors::set_format(
                crate::exc!(TypeError),
                format_args!(
                    "{what} assignment: '{}' object layout differs from '{}'",
                    full_name(newto),
                    full_name(oldto)
                ),
            );
            return false;
        }
        true
    }
}

unsafe fn cannot_pickle(op: *mut PyObject) -> *mut PyObject {
    // SAFETY: a live object.
    unsafe {
        crate::python::errors::set_format(
            crate::exc!(TypeError),
            format_args!("cannot pickle '{}' object", tp_name_of(op)),
        );
    }
    null_mut()
}

unsafe extern "C" fn object_reduce_ex(op: *mut PyObject, protocol: *mut PyObject) -> *mut PyObject {
    // SAFETY: a live object. CPython builds the reduce tuple with `copyreg`, a Python module
    // pycoro does not have; objects whose state CPython cannot pickle either (every type with
    // C-level fields) get its TypeError.
    unsafe {
        if !crate::objects::longobject::is_long(protocol) {
            crate::python::errors::set_format(
                crate::exc!(TypeError),
                format_args!(
                    "'{}' object cannot be interpreted as an integer",
                    tp_name_of(protocol)
                ),
            );
            return null_mut();
        }
        cannot_pickle(op)
    }
}

unsafe extern "C" fn object_reduce(op: *mut PyObject, _a: *mut PyObject) -> *mut PyObject {
    // SAFETY: as object_reduce_ex.
    unsafe { cannot_pickle(op) }
}

unsafe extern "C" fn object_subclasshook(
    _cls: *mut PyObject,
    _args: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: NotImplemented is immortal.
    unsafe { new_ref(crate::objects::object_ops::not_implemented()) }
}

unsafe extern "C" fn object_init_subclass(_cls: *mut PyObject, _a: *mut PyObject) -> *mut PyObject {
    // SAFETY: None is immortal.
    unsafe { new_ref(none()) }
}

unsafe extern "C" fn object_format(op: *mut PyObject, spec: *mut PyObject) -> *mut PyObject {
    // SAFETY: live objects.
    unsafe {
        if !crate::objects::unicodeobject::is_str(spec) {
            crate::python::errors::set_format(
                crate::exc!(TypeError),
                format_args!(
                    "__format__() argument must be str, not {}",
                    tp_name_of(spec)
                ),
            );
            return null_mut();
        }
        if crate::objects::unicodeobject::PyUnicode_GetLength(spec) > 0 {
            crate::python::errors::set_format(
                crate::exc!(TypeError),
                format_args!(
                    "unsupported format string passed to {}.__format__",
                    full_name(ty(op))
                ),
            );
            return null_mut();
        }
        crate::objects::object_ops::PyObject_Str(op)
    }
}

unsafe extern "C" fn object_sizeof(op: *mut PyObject, _a: *mut PyObject) -> *mut PyObject {
    // SAFETY: a live object.
    unsafe {
        let tp = ty(op);
        let mut size = (*tp).tp_basicsize;
        if (*tp).tp_itemsize != 0 {
            size += (*tp).tp_itemsize * crate::capi::ffi::size(op).abs();
        }
        crate::objects::longobject::PyLong_FromSsize_t(size)
    }
}

unsafe extern "C" fn object_dir(op: *mut PyObject, _a: *mut PyObject) -> *mut PyObject {
    // SAFETY: a live object: the instance dict's names, then the class's.
    unsafe {
        let d = crate::objects::dictobject::PyDict_New();
        if d.is_null() {
            return d;
        }
        let dp = crate::objects::object_ops::dict_ptr(op);
        if !dp.is_null() && !(*dp).is_null() && crate::objects::dictobject::is_dict(*dp) {
            let mut pos = 0;
            while let Some((k, v)) = crate::objects::dictobject::next_entry(*dp, &mut pos) {
                if crate::objects::dictobject::set_item(d, k, v) < 0 {
                    decref(d);
                    return null_mut();
                }
            }
        }
        let r = if merge_class_dict(d, ty(op)) < 0 {
            null_mut()
        } else {
            crate::objects::dictobject::PyDict_Keys(d)
        };
        decref(d);
        r
    }
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

pub(crate) unsafe fn ready(tp: *mut PyTypeObject) -> c_int {
    // SAFETY: `tp` is a type object being initialized; its bases are live types.
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
        let had = (
            t.tp_dict.is_null(),
            t.tp_bases.is_null(),
            t.tp_mro.is_null(),
        );
        let r = ready_steps(tp);
        let t = &mut *tp;
        t.tp_flags &= !Py_TPFLAGS_READYING;
        if r < 0 {
            // Drop what this attempt made, so a failed static type holds nothing (a later
            // PyType_Ready starts over).
            if t.tp_flags & Py_TPFLAGS_HEAPTYPE == 0 {
                let (e, v, tb) = crate::python::errors::fetch();
                if had.0 {
                    crate::capi::ffi::clear(&raw mut t.tp_dict);
                }
                if had.1 {
                    crate::capi::ffi::clear(&raw mut t.tp_bases);
                }
                if had.2 {
                    crate::capi::ffi::clear(&raw mut t.tp_mro);
                }
                crate::python::errors::restore(e, v, tb);
            }
            return -1;
        }
        t.tp_flags |= Py_TPFLAGS_READY;
        t.tp_version_tag = next_version_tag();
        t.tp_flags |= Py_TPFLAGS_VALID_VERSION_TAG;
        if t.tp_flags & Py_TPFLAGS_HEAPTYPE == 0 {
            // A static type's dict, MRO and descriptors live as long as the process and are
            // shared by every thread: reference counting must never write to them.
            make_immortal(t.tp_dict);
            make_immortal(t.tp_mro);
            make_immortal(t.tp_bases);
        }
        0
    }
}

/// CPython 3.10's `type_ready` after the checks: dict, bases, MRO, `tp_new`, the dict's
/// descriptors, slot inheritance, `__hash__`, subclass registration.
unsafe fn ready_steps(tp: *mut PyTypeObject) -> c_int {
    // SAFETY: as `ready`.
    unsafe {
        let t = &mut *tp;
        if t.tp_flags & Py_TPFLAGS_HEAPTYPE == 0 {
            t.tp_flags |= Py_TPFLAGS_IMMUTABLETYPE;
        }
        if t.tp_dict.is_null() {
            t.tp_dict = crate::objects::dictobject::PyDict_New();
            if t.tp_dict.is_null() {
                return -1;
            }
        }
        // Bases.
        let object = &raw mut PyBaseObject_Type;
        if t.tp_base.is_null() && tp != object {
            t.tp_base = object;
            if t.tp_flags & Py_TPFLAGS_HEAPTYPE != 0 {
                incref(obj(object));
            }
        }
        let base = t.tp_base;
        if !base.is_null() && (*base).tp_flags & Py_TPFLAGS_READY == 0 && ready(base) < 0 {
            return -1;
        }
        if t.ob_base.ob_base.ob_type.is_null() {
            t.ob_base.ob_base.ob_type = if base.is_null() {
                &raw mut PyType_Type
            } else {
                (*base).ob_base.ob_base.ob_type
            };
        }
        if t.tp_bases.is_null() {
            t.tp_bases = if base.is_null() {
                crate::objects::tupleobject::PyTuple_New(0)
            } else {
                crate::objects::tupleobject::tuple_from(&[obj(base)])
            };
            if t.tp_bases.is_null() {
                return -1;
            }
        }
        let bases = t.tp_bases;
        for i in 0..crate::capi::ffi::size(bases) {
            let b = crate::objects::tupleobject::item(bases, i) as *mut PyTypeObject;
            if !check_type_arg(b) {
                return -1;
            }
            if !crate::capi::ffi::type_has(obj(b), Py_TPFLAGS_TYPE_SUBCLASS)
                && !(*obj(b)).ob_type.is_null()
            {
                set_string(crate::exc!(TypeError), "bases must be types");
                return -1;
            }
            if (*b).tp_flags & Py_TPFLAGS_READY == 0 && ready(b) < 0 {
                return -1;
            }
        }
        // MRO.
        if t.tp_mro.is_null() {
            let mro = mro_of(tp);
            if mro.is_null() {
                return -1;
            }
            t.tp_mro = mro;
        }
        // tp_new: static types deriving directly from object without their own tp_new cannot
        // be instantiated (3.10's Py_TPFLAGS_DISALLOW_INSTANTIATION rule).
        if t.tp_new.is_none() && base == object && t.tp_flags & Py_TPFLAGS_HEAPTYPE == 0 {
            t.tp_flags |= Py_TPFLAGS_DISALLOW_INSTANTIATION;
        }
        if t.tp_flags & Py_TPFLAGS_DISALLOW_INSTANTIATION == 0 {
            if t.tp_new.is_some() {
                if add_tp_new_wrapper(tp) < 0 {
                    return -1;
                }
            } else if !base.is_null() {
                t.tp_new = (*base).tp_new;
            }
        } else {
            t.tp_new = None;
        }
        // The dict: slot wrappers, then methods, members and getsets, then __doc__.
        if add_operators(tp) < 0
            || add_methods(tp) < 0
            || add_members(tp) < 0
            || add_getsets(tp) < 0
            || set_doc(tp) < 0
        {
            return -1;
        }
        // Inheritance.
        if !base.is_null() {
            inherit_special(tp, base);
        }
        let mro = (*tp).tp_mro;
        for i in 1..crate::capi::ffi::size(mro) {
            let b = crate::objects::tupleobject::item(mro, i) as *mut PyTypeObject;
            if inherit_slots(tp, b) < 0 {
                return -1;
            }
        }
        let t = &mut *tp;
        if !base.is_null() {
            macro_rules! table {
                ($($f:ident),*) => { $( if t.$f.is_null() { t.$f = (*base).$f; } )* };
            }
            table!(
                tp_as_async,
                tp_as_number,
                tp_as_sequence,
                tp_as_mapping,
                tp_as_buffer
            );
        }
        if t.tp_flags & Py_TPFLAGS_HAVE_GC != 0
            && t.tp_flags & Py_TPFLAGS_BASETYPE != 0
            && (t.tp_free.is_none()
                || fp(t.tp_free) == fp::<Freeproc>(Some(crate::objects::obmalloc::PyObject_Free)))
        {
            crate::python::errors::set_format(
                crate::exc!(TypeError),
                format_args!(
                    "type '{}' participates in gc and is a base type but has inappropriate tp_free slot",
                    full_name(tp)
                ),
            );
            return -1;
        }
        // __hash__ = None where neither the type nor a base hashes.
        if t.tp_hash.is_none() {
            let key = crate::objects::unicodeobject::intern("__hash__");
            match crate::objects::dictobject::get_item(t.tp_dict, key) {
                Err(()) => return -1,
                Ok(v) if v.is_null() => {
                    if crate::objects::dictobject::set_item(t.tp_dict, key, none()) < 0 {
                        return -1;
                    }
                    t.tp_hash = Some(crate::objects::object_ops::PyObject_HashNotImplemented);
                }
                Ok(_) => {}
            }
        }
        // Register with the bases.
        for i in 0..crate::capi::ffi::size(bases) {
            let b = crate::objects::tupleobject::item(bases, i) as *mut PyTypeObject;
            if add_subclass(b, tp) < 0 {
                return -1;
            }
        }
        0
    }
}

/// Makes `op` and everything a static type's dict, MRO or bases hold immortal and untracked:
/// they are shared by every thread and never freed.
pub(crate) unsafe fn make_immortal(op: *mut PyObject) {
    // SAFETY: live objects reachable from a static type.
    unsafe {
        if op.is_null() || (*op).ob_refcnt >= PYNATIVE_IMMORTAL_MIN {
            return;
        }
        if crate::modules::gcmodule::is_gc(op) {
            if crate::modules::gcmodule::PyObject_GC_IsTracked(op) != 0 {
                crate::modules::gcmodule::untrack(op);
            }
            // Reachable from its block's start (pointers to it point past the GC header).
            crate::objects::object_ops::keep_reachable(crate::modules::gcmodule::head(op) as usize);
        }
        (*op).ob_refcnt = PYNATIVE_IMMORTAL_REFCNT;
        if crate::objects::dictobject::is_dict(op) {
            let mut pos = 0;
            while let Some((k, v)) = crate::objects::dictobject::next_entry(op, &mut pos) {
                make_immortal(k);
                make_immortal(v);
            }
        } else if crate::objects::tupleobject::is_tuple(op) {
            for &o in crate::objects::tupleobject::as_slice(op) {
                make_immortal(o);
            }
        } else if crate::objects::descrobject::is_descriptor(op) {
            crate::objects::descrobject::freeze(op);
        }
    }
}

/// The MRO of a type whose bases are ready: `(type,) + base.__mro__` for one base, CPython's
/// C3 linearisation for several.
///
/// Return value: New reference, or NULL with an exception set.
unsafe fn mro_of(tp: *mut PyTypeObject) -> *mut PyObject {
    // SAFETY: a type whose bases are ready.
    unsafe {
        let bases = (*tp).tp_bases;
        let n = crate::capi::ffi::size(bases);
        let mut out: Vec<*mut PyObject> = Vec::new();
        if out.try_reserve(8).is_err() {
            return crate::python::errors::no_memory();
        }
        out.push(obj(tp));
        if n == 1 {
            let b = crate::objects::tupleobject::item(bases, 0) as *mut PyTypeObject;
            let bm = (*b).tp_mro;
            if bm.is_null() {
                out.push(obj(b));
            } else {
                if out
                    .try_reserve(crate::capi::ffi::size(bm) as usize)
                    .is_err()
                {
                    return crate::python::errors::no_memory();
                }
                out.extend_from_slice(crate::objects::tupleobject::as_slice(bm));
            }
            return crate::objects::tupleobject::tuple_from(&out);
        }
        // Duplicate bases.
        let bl = crate::objects::tupleobject::as_slice(bases);
        for (i, &b) in bl.iter().enumerate() {
            if bl[i + 1..].contains(&b) {
                crate::python::errors::set_format(
                    crate::exc!(TypeError),
                    format_args!("duplicate base class {}", type_name(b as *mut PyTypeObject)),
                );
                return null_mut();
            }
        }
        let mut seqs: Vec<Vec<*mut PyObject>> = Vec::new();
        for &b in bl {
            let bm = (*(b as *mut PyTypeObject)).tp_mro;
            seqs.push(if bm.is_null() {
                vec![b]
            } else {
                crate::objects::tupleobject::as_slice(bm).to_vec()
            });
        }
        seqs.push(bl.to_vec());
        let mut heads = vec![0usize; seqs.len()];
        loop {
            let mut progressed = false;
            let mut all_empty = true;
            for i in 0..seqs.len() {
                if heads[i] >= seqs[i].len() {
                    continue;
                }
                all_empty = false;
                let cand = seqs[i][heads[i]];
                let in_tail = seqs
                    .iter()
                    .zip(heads.iter())
                    .any(|(s, &h)| h < s.len() && s[h + 1..].contains(&cand));
                if in_tail {
                    continue;
                }
                out.push(cand);
                for (s, h) in seqs.iter().zip(heads.iter_mut()) {
                    if *h < s.len() && s[*h] == cand {
                        *h += 1;
                    }
                }
                progressed = true;
                break;
            }
            if all_empty {
                break;
            }
            if !progressed {
                // CPython names the bases still to be placed, in order of the bases list.
                let mut names: Vec<&str> = Vec::new();
                for (s, &h) in seqs.iter().zip(heads.iter()) {
                    if h < s.len() {
                        let nm = type_name(s[h] as *mut PyTypeObject);
                        if !names.contains(&nm) {
                            names.push(nm);
                        }
                    }
                }
                crate::python::errors::set_format(
                    crate::exc!(TypeError),
                    format_args!(
                        "Cannot create a consistent method resolution\norder (MRO) for bases {}",
                        names.join(", ")
                    ),
                );
                return null_mut();
            }
        }
        crate::objects::tupleobject::tuple_from(&out)
    }
}

/// Adds `sub` to `base.__subclasses__()`: `tp_subclasses` maps the address of each subclass (an
/// int) to itself as an int (CPython keeps a weak reference there; pycoro has none, and a heap
/// subclass removes its entry when it dies).
unsafe fn add_subclass(base: *mut PyTypeObject, sub: *mut PyTypeObject) -> c_int {
    // SAFETY: live types.
    unsafe {
        if (*base).tp_subclasses.is_null() {
            let d = crate::objects::dictobject::PyDict_New();
            if d.is_null() {
                return -1;
            }
            if (*base).tp_flags & Py_TPFLAGS_HEAPTYPE == 0 {
                make_immortal(d);
            }
            (*base).tp_subclasses = d;
        }
        let key = crate::objects::longobject::PyLong_FromSsize_t(sub as Py_ssize_t);
        if key.is_null() {
            return -1;
        }
        let r = crate::objects::dictobject::set_item((*base).tp_subclasses, key, key);
        decref(key);
        r
    }
}

/// Removes `sub` from every base's `tp_subclasses` (a heap type being freed).
pub(crate) unsafe fn remove_subclass(sub: *mut PyTypeObject) {
    // SAFETY: a dying type whose bases are alive.
    unsafe {
        let bases = (*sub).tp_bases;
        // Only a type that got through PyType_Ready registered itself with its bases.
        if bases.is_null()
            || (*sub).tp_flags & Py_TPFLAGS_READY == 0
            || !crate::objects::tupleobject::is_tuple(bases)
        {
            return;
        }
        let (t, v, tb) = crate::python::errors::fetch();
        for &b in crate::objects::tupleobject::as_slice(bases) {
            if !crate::capi::ffi::type_has(b, Py_TPFLAGS_TYPE_SUBCLASS) {
                continue;
            }
            let d = (*(b as *mut PyTypeObject)).tp_subclasses;
            if d.is_null() {
                continue;
            }
            let key = crate::objects::longobject::PyLong_FromSsize_t(sub as Py_ssize_t);
            if key.is_null() {
                continue;
            }
            if crate::objects::dictobject::del_item(d, key) < 0 {
                crate::python::errors::restore(null_mut(), null_mut(), null_mut());
            }
            decref(key);
        }
        crate::python::errors::restore(t, v, tb);
    }
}

/// Puts `value` (a new reference, stolen) in the type's dict under `name` unless the name is
/// there already. Returns 0, or -1 with an exception set.
unsafe fn dict_set_default(
    tp: *mut PyTypeObject,
    name: *mut PyObject,
    value: *mut PyObject,
) -> c_int {
    // SAFETY: a type being readied.
    unsafe {
        if value.is_null() {
            return -1;
        }
        let d = (*tp).tp_dict;
        let r = match crate::objects::dictobject::get_item(d, name) {
            Err(()) => -1,
            Ok(v) if !v.is_null() => 0,
            Ok(_) => crate::objects::dictobject::set_item(d, name, value),
        };
        decref(value);
        r
    }
}

static mut TP_NEW_DEF: crate::objects::methodobject::PyMethodDef =
    crate::objects::methodobject::PyMethodDef {
        ml_name: c"__new__".as_ptr(),
        // SAFETY: METH_VARARGS | METH_KEYWORDS functions are called with (self, args, kwargs).
        ml_meth: Some(unsafe {
            core::mem::transmute::<
                unsafe extern "C" fn(*mut PyObject, *mut PyObject, *mut PyObject) -> *mut PyObject,
                unsafe extern "C" fn(*mut PyObject, *mut PyObject) -> *mut PyObject,
            >(tp_new_wrapper)
        }),
        ml_flags: crate::objects::methodobject::METH_VARARGS
            | crate::objects::methodobject::METH_KEYWORDS,
        ml_doc: c"__new__($type, *args, **kwargs)\n--\n\nCreate and return a new object.  See help(type) for accurate signature.".as_ptr(),
    };

/// `__new__` in the dict of a type with a `tp_new`: a built-in bound to the type.
unsafe fn add_tp_new_wrapper(tp: *mut PyTypeObject) -> c_int {
    // SAFETY: a type being readied.
    unsafe {
        let name = crate::objects::unicodeobject::intern("__new__");
        match crate::objects::dictobject::get_item((*tp).tp_dict, name) {
            Err(()) => return -1,
            Ok(v) if !v.is_null() => return 0,
            Ok(_) => {}
        }
        let f =
            crate::objects::methodobject::new_cfunction(&raw mut TP_NEW_DEF, obj(tp), null_mut());
        dict_set_default(tp, name, f)
    }
}

/// `T.__new__(S, *args, **kwargs)`: the checks CPython makes before calling `T->tp_new(S)`.
unsafe extern "C" fn tp_new_wrapper(
    slf: *mut PyObject,
    args: *mut PyObject,
    kwds: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: `slf` is the type the wrapper was made for; `args` a tuple.
    unsafe {
        let tp = slf as *mut PyTypeObject;
        let n = crate::capi::ffi::size(args);
        if n < 1 {
            crate::python::errors::set_format(
                crate::exc!(TypeError),
                format_args!("{}.__new__(): not enough arguments", full_name(tp)),
            );
            return null_mut();
        }
        let a0 = crate::objects::tupleobject::item(args, 0);
        if !crate::capi::ffi::type_has(a0, Py_TPFLAGS_TYPE_SUBCLASS) {
            crate::python::errors::set_format(
                crate::exc!(TypeError),
                format_args!(
                    "{}.__new__(X): X is not a type object ({})",
                    full_name(tp),
                    tp_name_of(a0)
                ),
            );
            return null_mut();
        }
        let sub = a0 as *mut PyTypeObject;
        if !is_subtype(sub, tp) {
            crate::python::errors::set_format(
                crate::exc!(TypeError),
                format_args!(
                    "{}.__new__({}): {} is not a subtype of {}",
                    full_name(tp),
                    full_name(sub),
                    full_name(sub),
                    full_name(tp)
                ),
            );
            return null_mut();
        }
        if fp((*sub).tp_new) != fp((*tp).tp_new) {
            crate::python::errors::set_format(
                crate::exc!(TypeError),
                format_args!(
                    "{}.__new__({}) is not safe, use {}.__new__()",
                    full_name(tp),
                    full_name(sub),
                    full_name(sub)
                ),
            );
            return null_mut();
        }
        let rest = crate::objects::tupleobject::PyTuple_GetSlice(args, 1, n);
        if rest.is_null() {
            return null_mut();
        }
        let r = match (*tp).tp_new {
            Some(new) => new(sub, rest, kwds),
            None => null_mut(),
        };
        decref(rest);
        r
    }
}

/// `add_operators`: a `wrapper_descriptor` for each filled slot (None for `__hash__` when the
/// slot is `PyObject_HashNotImplemented`).
unsafe fn add_operators(tp: *mut PyTypeObject) -> c_int {
    // SAFETY: a type being readied; the slot table is static.
    unsafe {
        let table = &raw mut crate::objects::slotdefs::SLOTDEFS;
        for i in 0..(*table).len() {
            let p = &raw mut (*table)[i];
            if (*p).name.is_null() || (*p).wrapper.is_none() {
                continue;
            }
            let ptr = crate::objects::slotdefs::slot_ptr(tp, (*p).offset);
            if ptr.is_null() || (*ptr).is_null() {
                continue;
            }
            let name = intern_c((*p).name);
            let value = if *ptr
                == crate::objects::object_ops::PyObject_HashNotImplemented as *mut core::ffi::c_void
            {
                new_ref(none())
            } else {
                crate::objects::descrobject::PyDescr_NewWrapper(tp, p, *ptr)
            };
            if dict_set_default(tp, name, value) < 0 {
                return -1;
            }
        }
        0
    }
}

unsafe fn add_methods(tp: *mut PyTypeObject) -> c_int {
    use crate::objects::methodobject::{METH_CLASS, METH_COEXIST, METH_STATIC};
    // SAFETY: a type being readied; its method table is NULL-terminated.
    unsafe {
        let mut m = (*tp).tp_methods;
        while !m.is_null() && !(*m).ml_name.is_null() {
            let name = intern_c((*m).ml_name);
            let flags = (*m).ml_flags;
            let value = if flags & METH_CLASS != 0 {
                if flags & METH_STATIC != 0 {
                    set_string(
                        crate::exc!(ValueError),
                        "method cannot be both class and static",
                    );
                    return -1;
                }
                crate::objects::descrobject::PyDescr_NewClassMethod(tp, m)
            } else if flags & METH_STATIC != 0 {
                let f = crate::objects::methodobject::new_cfunction(m, null_mut(), null_mut());
                if f.is_null() {
                    return -1;
                }
                let sm = crate::objects::funcobject::PyStaticMethod_New(f);
                decref(f);
                sm
            } else {
                crate::objects::descrobject::new_method_descr(tp, m)
            };
            if value.is_null() {
                return -1;
            }
            let r = if flags & METH_COEXIST != 0 {
                let r = crate::objects::dictobject::set_item((*tp).tp_dict, name, value);
                decref(value);
                r
            } else {
                dict_set_default(tp, name, value)
            };
            if r < 0 {
                return -1;
            }
            m = m.add(1);
        }
        0
    }
}

/// The interned str of a NUL-terminated table name.
unsafe fn intern_c(name: *const core::ffi::c_char) -> *mut PyObject {
    // SAFETY: a NUL-terminated name from a static table.
    unsafe { crate::objects::unicodeobject::intern(CStr::from_ptr(name).to_str().unwrap_or("?")) }
}

/// Adds a descriptor made by `make` for each entry of a NULL-name-terminated table (members or
/// getsets) under the entry's name, unless the dict has the name already.
unsafe fn add_table<T>(
    tp: *mut PyTypeObject,
    table: *mut T,
    name_of: impl Fn(*mut T) -> *const core::ffi::c_char,
    make: impl Fn(*mut PyTypeObject, *mut T) -> *mut PyObject,
) -> c_int {
    // SAFETY: a type being readied; the table is NULL-name-terminated.
    unsafe {
        let mut e = table;
        while !e.is_null() && !name_of(e).is_null() {
            if dict_set_default(tp, intern_c(name_of(e)), make(tp, e)) < 0 {
                return -1;
            }
            e = e.add(1);
        }
        0
    }
}

unsafe fn add_members(tp: *mut PyTypeObject) -> c_int {
    // SAFETY: a type being readied; its member table is NULL-terminated.
    unsafe {
        add_table(
            tp,
            (*tp).tp_members,
            |m| (*m).name,
            |t, m| crate::objects::descrobject::PyDescr_NewMember(t, m),
        )
    }
}

unsafe fn add_getsets(tp: *mut PyTypeObject) -> c_int {
    // SAFETY: a type being readied; its getset table is NULL-terminated.
    unsafe {
        add_table(
            tp,
            (*tp).tp_getset,
            |g| (*g).name,
            |t, g| crate::objects::descrobject::PyDescr_NewGetSet(t, g),
        )
    }
}

/// `__doc__` in the dict: the type's doc without its signature block, or None.
unsafe fn set_doc(tp: *mut PyTypeObject) -> c_int {
    // SAFETY: a type being readied.
    unsafe {
        let name = crate::objects::unicodeobject::intern("__doc__");
        let doc = crate::objects::descrobject::doc_from_internal(full_name(tp), (*tp).tp_doc);
        dict_set_default(tp, name, doc)
    }
}

/// CPython's `inherit_special`: GC flag and traverse/clear together, sizes, offsets and the
/// fast subclass flags.
unsafe fn inherit_special(tp: *mut PyTypeObject, base: *mut PyTypeObject) {
    // SAFETY: live types.
    unsafe {
        let t = &mut *tp;
        let b = &*base;
        if t.tp_flags & Py_TPFLAGS_HAVE_GC == 0
            && b.tp_flags & Py_TPFLAGS_HAVE_GC != 0
            && t.tp_traverse.is_none()
            && t.tp_clear.is_none()
        {
            t.tp_flags |= Py_TPFLAGS_HAVE_GC;
            t.tp_traverse = b.tp_traverse;
            t.tp_clear = b.tp_clear;
        }
        if t.tp_basicsize == 0 {
            t.tp_basicsize = b.tp_basicsize;
        }
        if t.tp_itemsize == 0 {
            t.tp_itemsize = b.tp_itemsize;
        }
        if t.tp_weaklistoffset == 0 {
            t.tp_weaklistoffset = b.tp_weaklistoffset;
        }
        if t.tp_dictoffset == 0 {
            t.tp_dictoffset = b.tp_dictoffset;
        }
        let exc = &raw mut crate::objects::exceptions::types::BaseException;
        let fast = if is_subtype(base, exc) {
            Py_TPFLAGS_BASE_EXC_SUBCLASS
        } else if is_subtype(base, &raw mut PyType_Type) {
            Py_TPFLAGS_TYPE_SUBCLASS
        } else {
            b.tp_flags
                & (Py_TPFLAGS_LONG_SUBCLASS
                    | Py_TPFLAGS_BYTES_SUBCLASS
                    | Py_TPFLAGS_UNICODE_SUBCLASS
                    | Py_TPFLAGS_TUPLE_SUBCLASS
                    | Py_TPFLAGS_LIST_SUBCLASS
                    | Py_TPFLAGS_DICT_SUBCLASS)
        };
        t.tp_flags |= fast;
        if b.tp_flags & _Py_TPFLAGS_MATCH_SELF != 0 {
            t.tp_flags |= _Py_TPFLAGS_MATCH_SELF;
        }
    }
}

/// CPython's `inherit_slots` from one base of the MRO: a slot is copied when the type leaves it
/// empty and the base defines it (differently from the base's own base).
unsafe fn inherit_slots(tp: *mut PyTypeObject, base: *mut PyTypeObject) -> c_int {
    // SAFETY: live types.
    unsafe {
        let t = &mut *tp;
        let b = &*base;
        let bb = b.tp_base;
        macro_rules! sub {
            ($table:ident, $($f:ident),*) => {
                if !t.$table.is_null() && !b.$table.is_null() {
                    let tt = &mut *t.$table;
                    let bt = &*b.$table;
                    let bbt = if bb.is_null() || (*bb).$table.is_null() {
                        None
                    } else {
                        Some(&*(*bb).$table)
                    };
                    $(
                        if tt.$f.is_none()
                            && bt.$f.is_some()
                            && bbt.is_none_or(|x| x.$f.map(|f| f as usize) != bt.$f.map(|f| f as usize))
                        {
                            tt.$f = bt.$f;
                        }
                    )*
                }
            };
        }
        sub!(tp_as_async, am_await, am_aiter, am_anext, am_send);
        sub!(
            tp_as_number,
            nb_add,
            nb_subtract,
            nb_multiply,
            nb_remainder,
            nb_divmod,
            nb_power,
            nb_negative,
            nb_positive,
            nb_absolute,
            nb_bool,
            nb_invert,
            nb_lshift,
            nb_rshift,
            nb_and,
            nb_xor,
            nb_or,
            nb_int,
            nb_float,
            nb_inplace_add,
            nb_inplace_subtract,
            nb_inplace_multiply,
            nb_inplace_remainder,
            nb_inplace_power,
            nb_inplace_lshift,
            nb_inplace_rshift,
            nb_inplace_and,
            nb_inplace_xor,
            nb_inplace_or,
            nb_floor_divide,
            nb_true_divide,
            nb_inplace_floor_divide,
            nb_inplace_true_divide,
            nb_index,
            nb_matrix_multiply,
            nb_inplace_matrix_multiply
        );
        sub!(
            tp_as_sequence,
            sq_length,
            sq_concat,
            sq_repeat,
            sq_item,
            sq_ass_item,
            sq_contains,
            sq_inplace_concat,
            sq_inplace_repeat
        );
        sub!(tp_as_mapping, mp_length, mp_subscript, mp_ass_subscript);
        sub!(tp_as_buffer, bf_getbuffer, bf_releasebuffer);

        macro_rules! copy {
            ($($f:ident),*) => {
                $(
                    if t.$f.is_none()
                        && b.$f.is_some()
                        && (bb.is_null() || (*bb).$f.map(|f| f as usize) != b.$f.map(|f| f as usize))
                    {
                        t.$f = b.$f;
                    }
                )*
            };
        }
        copy!(tp_dealloc);
        if t.tp_getattr.is_none() && t.tp_getattro.is_none() {
            t.tp_getattr = b.tp_getattr;
            t.tp_getattro = b.tp_getattro;
        }
        if t.tp_setattr.is_none() && t.tp_setattro.is_none() {
            t.tp_setattr = b.tp_setattr;
            t.tp_setattro = b.tp_setattro;
        }
        copy!(tp_repr);
        if t.tp_vectorcall_offset == 0 {
            t.tp_vectorcall_offset = b.tp_vectorcall_offset;
        }
        if t.tp_call.is_none()
            && b.tp_flags & Py_TPFLAGS_HAVE_VECTORCALL != 0
            && t.tp_flags & Py_TPFLAGS_HEAPTYPE == 0
        {
            t.tp_flags |= Py_TPFLAGS_HAVE_VECTORCALL;
        }
        copy!(tp_call, tp_str);
        if t.tp_richcompare.is_none() && t.tp_hash.is_none() {
            let overrides = {
                let d = t.tp_dict;
                let eq = crate::objects::dictobject::get_item(
                    d,
                    crate::objects::unicodeobject::intern("__eq__"),
                );
                let hs = crate::objects::dictobject::get_item(
                    d,
                    crate::objects::unicodeobject::intern("__hash__"),
                );
                match (eq, hs) {
                    (Err(()), _) | (_, Err(())) => return -1,
                    (Ok(a), Ok(h)) => !a.is_null() || !h.is_null(),
                }
            };
            if !overrides {
                t.tp_richcompare = b.tp_richcompare;
                t.tp_hash = b.tp_hash;
            }
        }
        copy!(tp_iter, tp_iternext, tp_descr_get);
        if b.tp_descr_get.is_some()
            && t.tp_descr_get.map(|f| f as usize) == b.tp_descr_get.map(|f| f as usize)
            && t.tp_flags & Py_TPFLAGS_HEAPTYPE == 0
            && b.tp_flags & Py_TPFLAGS_METHOD_DESCRIPTOR != 0
        {
            t.tp_flags |= Py_TPFLAGS_METHOD_DESCRIPTOR;
        }
        copy!(tp_descr_set);
        if t.tp_dictoffset == 0 {
            t.tp_dictoffset = b.tp_dictoffset;
        }
        copy!(tp_init, tp_alloc, tp_is_gc, tp_finalize);
        let gc = t.tp_flags & Py_TPFLAGS_HAVE_GC != 0;
        let base_gc = b.tp_flags & Py_TPFLAGS_HAVE_GC != 0;
        if gc == base_gc {
            copy!(tp_free);
        } else if gc
            && t.tp_free.is_none()
            && fp(b.tp_free) == fp::<Freeproc>(Some(crate::objects::obmalloc::PyObject_Free))
        {
            t.tp_free = Some(crate::modules::gcmodule::PyObject_GC_Del);
        }
        0
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
