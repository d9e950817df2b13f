//! `Objects/descrobject.c` and `Include/descrobject.h`: the attribute tables of a type
//! (`PyMemberDef`, `PyGetSetDef`) and the descriptor objects `PyType_Ready` makes of them and of
//! the type's methods and slots.

use crate::capi::ffi::{obj, ty};
use crate::objects::methodobject::PyMethodDef;
use crate::objects::object::*;
use crate::objects::typeobject::tp_name_of;
use crate::objects::unicodeobject::str_as;
use crate::python::structmember::{PY_AUDIT_READ, PyMember_GetOne, PyMember_SetOne};
use core::ffi::{CStr, c_char, c_int, c_void};
use core::mem::size_of;
use core::ptr::null_mut;
use static_assertions::const_assert_eq;

/// Getter of a `PyGetSetDef`: returns a new reference, or NULL with an exception set.
pub type getter = Option<unsafe extern "C" fn(*mut PyObject, *mut c_void) -> *mut PyObject>;
/// Setter of a `PyGetSetDef`: `value` NULL means delete; returns 0 or -1 with an exception set.
pub type setter = Option<unsafe extern "C" fn(*mut PyObject, *mut PyObject, *mut c_void) -> c_int>;

/// A computed attribute (`tp_getset` entry); the table ends with an entry whose `name` is NULL.
#[repr(C)]
pub struct PyGetSetDef {
    pub name: *const c_char,
    pub get: getter,
    pub set: setter,
    pub doc: *const c_char,
    pub closure: *mut c_void,
}

/// A stored attribute (`tp_members` entry); the table ends with an entry whose `name` is NULL.
#[repr(C)]
pub struct PyMemberDef {
    pub name: *const c_char,
    pub r#type: c_int,
    pub offset: Py_ssize_t,
    pub flags: c_int,
    pub doc: *const c_char,
}

const_assert_eq!(size_of::<PyGetSetDef>(), 40);
const_assert_eq!(size_of::<PyMemberDef>(), 40);

impl PyGetSetDef {
    /// The end-of-table entry.
    pub const SENTINEL: PyGetSetDef = PyGetSetDef {
        name: core::ptr::null(),
        get: None,
        set: None,
        doc: core::ptr::null(),
        closure: null_mut(),
    };
}

impl PyMemberDef {
    /// The end-of-table entry.
    pub const SENTINEL: PyMemberDef = PyMemberDef {
        name: core::ptr::null(),
        r#type: 0,
        offset: 0,
        flags: 0,
        doc: core::ptr::null(),
    };
}

// ---------------------------------------------------------------------------------------------
// Descriptor objects (`Objects/descrobject.c`): what `PyType_Ready` puts in a type's dict for
// each `tp_methods`, `tp_members` and `tp_getset` entry and each filled slot.

/// The head every descriptor shares (`PyDescr_COMMON`): the type that defines it, its name
/// (an interned str) and its `__qualname__` (computed on first use).
#[repr(C)]
pub struct PyDescrObject {
    pub ob_base: PyObject,
    pub d_type: *mut PyTypeObject,
    pub d_name: *mut PyObject,
    pub d_qualname: *mut PyObject,
}

/// A `method_descriptor` (or `classmethod_descriptor`): an unbound `tp_methods` entry.
#[repr(C)]
pub struct PyMethodDescrObject {
    pub d_common: PyDescrObject,
    pub d_method: *mut PyMethodDef,
    pub vectorcall: vectorcallfunc,
}

/// A `member_descriptor`: a `tp_members` entry.
#[repr(C)]
pub struct PyMemberDescrObject {
    pub d_common: PyDescrObject,
    pub d_member: *mut PyMemberDef,
}

/// A `getset_descriptor`: a `tp_getset` entry.
#[repr(C)]
pub struct PyGetSetDescrObject {
    pub d_common: PyDescrObject,
    pub d_getset: *mut PyGetSetDef,
}

/// Calls a slot function `wrapped` of `self` with the Python-level arguments `args` (a tuple).
pub type wrapperfunc =
    Option<unsafe extern "C" fn(*mut PyObject, *mut PyObject, *mut c_void) -> *mut PyObject>;
/// As `wrapperfunc`, with keyword arguments (entries with `PyWrapperFlag_KEYWORDS`).
pub type wrapperfunc_kwds = Option<
    unsafe extern "C" fn(*mut PyObject, *mut PyObject, *mut c_void, *mut PyObject) -> *mut PyObject,
>;

/// One entry of the slot table: a special method name, the slot's offset in the heap type
/// object, the slot function `slot_*` CPython installs for Python classes (pycoro: NULL), the
/// wrapper that calls a slot from Python, the docstring and flags.
#[repr(C)]
pub struct wrapperbase {
    pub name: *const c_char,
    pub offset: c_int,
    pub function: *mut c_void,
    pub wrapper: wrapperfunc,
    pub doc: *const c_char,
    pub flags: c_int,
    pub name_strobj: *mut PyObject,
}

/// The wrapper takes keyword arguments (`wrapperfunc_kwds`).
pub const PyWrapperFlag_KEYWORDS: c_int = 1;

/// A `wrapper_descriptor`: a filled slot seen from Python (`object.__dict__['__repr__']`).
#[repr(C)]
pub struct PyWrapperDescrObject {
    pub d_common: PyDescrObject,
    pub d_base: *mut wrapperbase,
    pub d_wrapped: *mut c_void,
}

/// A `method-wrapper`: a wrapper descriptor bound to an instance (`coro.__await__`).
#[repr(C)]
struct WrapperObject {
    ob_base: PyObject,
    descr: *mut PyWrapperDescrObject,
    slf: *mut PyObject,
}

const_assert_eq!(size_of::<PyDescrObject>(), 40);
const_assert_eq!(size_of::<PyMethodDescrObject>(), 56);
const_assert_eq!(size_of::<PyMemberDescrObject>(), 48);
const_assert_eq!(size_of::<PyGetSetDescrObject>(), 48);
const_assert_eq!(size_of::<PyWrapperDescrObject>(), 56);
const_assert_eq!(size_of::<wrapperbase>(), 56);
const_assert_eq!(size_of::<WrapperObject>(), 32);

const DESCR_FLAGS: core::ffi::c_ulong = Py_TPFLAGS_HAVE_GC;

const fn descr_type(name: &'static CStr, size: usize) -> PyTypeObject {
    PyTypeObject {
        tp_dealloc: Some(descr_dealloc),
        tp_traverse: Some(descr_traverse),
        ..crate::objects::typeobject::static_type(name, size, DESCR_FLAGS)
    }
}

/// The type `method_descriptor`.
#[unsafe(no_mangle)]
pub static mut PyMethodDescr_Type: PyTypeObject = PyTypeObject {
    tp_getattro: Some(crate::objects::object_ops::PyObject_GenericGetAttr),
    tp_repr: Some(method_repr),
    tp_call: Some(crate::objects::call::PyVectorcall_Call),
    tp_vectorcall_offset: core::mem::offset_of!(PyMethodDescrObject, vectorcall) as Py_ssize_t,
    tp_descr_get: Some(method_get),
    tp_methods: (&raw const DESCR_METHODS) as *mut PyMethodDef,
    tp_members: (&raw const DESCR_MEMBERS) as *mut PyMemberDef,
    tp_getset: (&raw const METHOD_GETSET) as *mut PyGetSetDef,
    tp_flags: DESCR_FLAGS | Py_TPFLAGS_HAVE_VECTORCALL | Py_TPFLAGS_METHOD_DESCRIPTOR,
    ..descr_type(c"method_descriptor", size_of::<PyMethodDescrObject>())
};

/// The type `classmethod_descriptor`.
#[unsafe(no_mangle)]
pub static mut PyClassMethodDescr_Type: PyTypeObject = PyTypeObject {
    tp_getattro: Some(crate::objects::object_ops::PyObject_GenericGetAttr),
    tp_repr: Some(method_repr),
    tp_call: Some(classmethoddescr_call),
    tp_descr_get: Some(classmethod_get),
    tp_members: (&raw const DESCR_MEMBERS) as *mut PyMemberDef,
    tp_getset: (&raw const METHOD_GETSET) as *mut PyGetSetDef,
    ..descr_type(c"classmethod_descriptor", size_of::<PyMethodDescrObject>())
};

/// The type `member_descriptor`.
#[unsafe(no_mangle)]
pub static mut PyMemberDescr_Type: PyTypeObject = PyTypeObject {
    tp_getattro: Some(crate::objects::object_ops::PyObject_GenericGetAttr),
    tp_repr: Some(member_repr),
    tp_descr_get: Some(member_get),
    tp_descr_set: Some(member_set),
    tp_methods: (&raw const DESCR_METHODS) as *mut PyMethodDef,
    tp_members: (&raw const DESCR_MEMBERS) as *mut PyMemberDef,
    tp_getset: (&raw const MEMBER_GETSET) as *mut PyGetSetDef,
    ..descr_type(c"member_descriptor", size_of::<PyMemberDescrObject>())
};

/// The type `getset_descriptor`.
#[unsafe(no_mangle)]
pub static mut PyGetSetDescr_Type: PyTypeObject = PyTypeObject {
    tp_getattro: Some(crate::objects::object_ops::PyObject_GenericGetAttr),
    tp_repr: Some(getset_repr),
    tp_descr_get: Some(getset_get),
    tp_descr_set: Some(getset_set),
    tp_members: (&raw const DESCR_MEMBERS) as *mut PyMemberDef,
    tp_getset: (&raw const GETSET_GETSET) as *mut PyGetSetDef,
    ..descr_type(c"getset_descriptor", size_of::<PyGetSetDescrObject>())
};

/// The type `wrapper_descriptor`.
#[unsafe(no_mangle)]
pub static mut PyWrapperDescr_Type: PyTypeObject = PyTypeObject {
    tp_getattro: Some(crate::objects::object_ops::PyObject_GenericGetAttr),
    tp_repr: Some(wrapperdescr_repr),
    tp_call: Some(wrapperdescr_call),
    tp_descr_get: Some(wrapperdescr_get),
    tp_methods: (&raw const DESCR_METHODS) as *mut PyMethodDef,
    tp_members: (&raw const DESCR_MEMBERS) as *mut PyMemberDef,
    tp_getset: (&raw const WRAPPER_GETSET) as *mut PyGetSetDef,
    tp_flags: DESCR_FLAGS | Py_TPFLAGS_METHOD_DESCRIPTOR,
    ..descr_type(c"wrapper_descriptor", size_of::<PyWrapperDescrObject>())
};

/// The type `method-wrapper`.
#[unsafe(no_mangle)]
pub static mut _PyMethodWrapper_Type: PyTypeObject = PyTypeObject {
    tp_getattro: Some(crate::objects::object_ops::PyObject_GenericGetAttr),
    tp_dealloc: Some(wrapper_dealloc),
    tp_traverse: Some(wrapper_traverse),
    tp_repr: Some(wrapper_repr),
    tp_hash: Some(wrapper_hash),
    tp_richcompare: Some(wrapper_richcompare),
    tp_call: Some(wrapper_call),
    tp_methods: (&raw const DESCR_METHODS) as *mut PyMethodDef,
    tp_members: (&raw const WRAPPER_MEMBERS) as *mut PyMemberDef,
    tp_getset: (&raw const METHODWRAPPER_GETSET) as *mut PyGetSetDef,
    ..crate::objects::typeobject::static_type(
        c"method-wrapper",
        size_of::<WrapperObject>(),
        Py_TPFLAGS_HAVE_GC,
    )
};

static mut DESCR_METHODS: [PyMethodDef; 2] = [
    crate::objects::methodobject::PyMethodDef {
        ml_name: c"__reduce__".as_ptr(),
        ml_meth: Some(descr_reduce),
        ml_flags: crate::objects::methodobject::METH_NOARGS,
        ml_doc: core::ptr::null(),
    },
    PyMethodDef::SENTINEL,
];

static mut DESCR_MEMBERS: [PyMemberDef; 3] = [
    member_def(
        c"__objclass__",
        core::mem::offset_of!(PyDescrObject, d_type),
    ),
    member_def(c"__name__", core::mem::offset_of!(PyDescrObject, d_name)),
    PyMemberDef::SENTINEL,
];

static mut WRAPPER_MEMBERS: [PyMemberDef; 2] = [
    member_def(c"__self__", core::mem::offset_of!(WrapperObject, slf)),
    PyMemberDef::SENTINEL,
];

const fn member_def(name: &'static CStr, offset: usize) -> PyMemberDef {
    PyMemberDef {
        name: name.as_ptr(),
        r#type: crate::python::structmember::T_OBJECT,
        offset: offset as Py_ssize_t,
        flags: crate::python::structmember::READONLY,
        doc: core::ptr::null(),
    }
}

const fn getset_def(name: &'static CStr, get: getter) -> PyGetSetDef {
    PyGetSetDef {
        name: name.as_ptr(),
        get,
        set: None,
        doc: core::ptr::null(),
        closure: null_mut(),
    }
}

static mut METHOD_GETSET: [PyGetSetDef; 4] = [
    getset_def(c"__doc__", Some(method_get_doc)),
    getset_def(c"__qualname__", Some(descr_get_qualname)),
    getset_def(c"__text_signature__", Some(method_get_text_signature)),
    PyGetSetDef::SENTINEL,
];

static mut MEMBER_GETSET: [PyGetSetDef; 3] = [
    getset_def(c"__doc__", Some(member_get_doc)),
    getset_def(c"__qualname__", Some(descr_get_qualname)),
    PyGetSetDef::SENTINEL,
];

static mut GETSET_GETSET: [PyGetSetDef; 3] = [
    getset_def(c"__doc__", Some(getset_get_doc)),
    getset_def(c"__qualname__", Some(descr_get_qualname)),
    PyGetSetDef::SENTINEL,
];

static mut WRAPPER_GETSET: [PyGetSetDef; 4] = [
    getset_def(c"__doc__", Some(wrapperdescr_get_doc)),
    getset_def(c"__qualname__", Some(descr_get_qualname)),
    getset_def(c"__text_signature__", Some(wrapperdescr_get_text_signature)),
    PyGetSetDef::SENTINEL,
];

static mut METHODWRAPPER_GETSET: [PyGetSetDef; 6] = [
    getset_def(c"__objclass__", Some(wrapper_objclass)),
    getset_def(c"__name__", Some(wrapper_name)),
    getset_def(c"__qualname__", Some(wrapper_qualname)),
    getset_def(c"__doc__", Some(wrapper_doc)),
    getset_def(c"__text_signature__", Some(wrapper_text_signature)),
    PyGetSetDef::SENTINEL,
];

unsafe fn descr(op: *mut PyObject) -> *mut PyDescrObject {
    op as *mut PyDescrObject
}

unsafe extern "C" fn descr_dealloc(op: *mut PyObject) {
    // SAFETY: a dying descriptor.
    unsafe {
        crate::modules::gcmodule::untrack(op);
        let d = descr(op);
        crate::capi::ffi::xdecref(obj((*d).d_type));
        crate::capi::ffi::xdecref((*d).d_name);
        crate::capi::ffi::xdecref((*d).d_qualname);
        crate::modules::gcmodule::free_object(op);
    }
}

unsafe extern "C" fn descr_traverse(
    op: *mut PyObject,
    visit: visitproc,
    arg: *mut c_void,
) -> c_int {
    // SAFETY: a descriptor.
    unsafe {
        crate::capi::ffi::py_visit!((*descr(op)).d_type, visit, arg);
    }
    0
}

/// The descriptor's name as text.
unsafe fn descr_name<'a>(d: *mut PyDescrObject) -> &'a str {
    // SAFETY: a descriptor whose name is a str (or NULL).
    unsafe {
        if (*d).d_name.is_null() {
            "?"
        } else {
            str_as((*d).d_name).unwrap_or("?")
        }
    }
}

unsafe fn owner_name<'a>(d: *mut PyDescrObject) -> &'a str {
    // SAFETY: a descriptor of a live type.
    unsafe { crate::objects::typeobject::full_name((*d).d_type) }
}

/// Allocates a descriptor of type `dtype` for `owner.name`.
/// Makes a descriptor of type `dtype` for `owner.name` (a table entry's name; NULL is a bad
/// internal call), lets `init` fill the fields of its kind, and tracks it.
///
/// Return value: New reference, or NULL with an exception set.
unsafe fn descr_new(
    dtype: *mut PyTypeObject,
    owner: *mut PyTypeObject,
    name: *const c_char,
    init: impl FnOnce(*mut PyDescrObject),
) -> *mut PyObject {
    // SAFETY: `name` is a NUL-terminated table name (checked for NULL).
    unsafe {
        if name.is_null() {
            crate::python::errors::bad_internal_call();
            return null_mut();
        }
        let op = crate::modules::gcmodule::alloc_object(dtype, (*dtype).tp_basicsize as usize);
        if op.is_null() {
            return null_mut();
        }
        let d = descr(op);
        crate::capi::ffi::xincref(obj(owner));
        (*d).d_type = owner;
        (*d).d_name = crate::objects::unicodeobject::PyUnicode_InternFromString(name);
        if (*d).d_name.is_null() {
            crate::capi::ffi::decref(op);
            return null_mut();
        }
        init(d);
        crate::modules::gcmodule::track(op);
        op
    }
}

unsafe fn descr_repr_fmt(op: *mut PyObject, what: &str) -> *mut PyObject {
    // SAFETY: a descriptor.
    unsafe {
        let d = descr(op);
        crate::objects::unicodeobject::str_format(format_args!(
            "<{what} '{}' of '{}' objects>",
            descr_name(d),
            owner_name(d)
        ))
    }
}

unsafe extern "C" fn method_repr(op: *mut PyObject) -> *mut PyObject {
    // SAFETY: a method descriptor.
    unsafe { descr_repr_fmt(op, "method") }
}

unsafe extern "C" fn member_repr(op: *mut PyObject) -> *mut PyObject {
    // SAFETY: a member descriptor.
    unsafe { descr_repr_fmt(op, "member") }
}

unsafe extern "C" fn getset_repr(op: *mut PyObject) -> *mut PyObject {
    // SAFETY: a getset descriptor.
    unsafe { descr_repr_fmt(op, "attribute") }
}

unsafe extern "C" fn wrapperdescr_repr(op: *mut PyObject) -> *mut PyObject {
    // SAFETY: a wrapper descriptor.
    unsafe { descr_repr_fmt(op, "slot wrapper") }
}

/// `descr_check`: `obj` must be an instance of the descriptor's type.
unsafe fn descr_check(d: *mut PyDescrObject, o: *mut PyObject) -> bool {
    // SAFETY: live objects.
    unsafe {
        if crate::objects::typeobject::is_subtype(ty(o), (*d).d_type) {
            return true;
        }
        crate::python::errors::set_format(
            crate::exc!(TypeError),
            format_args!(
                "descriptor '{}' for '{}' objects doesn't apply to a '{}' object",
                descr_name(d),
                owner_name(d),
                tp_name_of(o)
            ),
        );
        false
    }
}

unsafe extern "C" fn method_get(
    op: *mut PyObject,
    o: *mut PyObject,
    tp: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: a method descriptor and live objects.
    unsafe {
        let d = op as *mut PyMethodDescrObject;
        let _ = tp;
        if o.is_null() {
            return crate::capi::ffi::new_ref(op);
        }
        if !descr_check(descr(op), o) {
            return null_mut();
        }
        let ml = (*d).d_method;
        if (*ml).ml_flags & crate::objects::methodobject::METH_METHOD != 0 {
            crate::objects::methodobject::PyCMethod_New(ml, o, null_mut(), (*d).d_common.d_type)
        } else {
            crate::objects::methodobject::new_cfunction(ml, o, null_mut())
        }
    }
}

unsafe extern "C" fn classmethod_get(
    op: *mut PyObject,
    o: *mut PyObject,
    tp: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: a classmethod descriptor and live objects.
    unsafe {
        let d = op as *mut PyMethodDescrObject;
        let owner = (*d).d_common.d_type;
        let tp = if tp.is_null() {
            if o.is_null() {
                crate::python::errors::set_format(
                    crate::exc!(TypeError),
                    format_args!(
                        "descriptor '{}' for type '{}' needs either an object or a type",
                        descr_name(descr(op)),
                        owner_name(descr(op))
                    ),
                );
                return null_mut();
            }
            obj(ty(o))
        } else {
            tp
        };
        if !crate::capi::ffi::type_has(tp, Py_TPFLAGS_TYPE_SUBCLASS) {
            crate::python::errors::set_format(
                crate::exc!(TypeError),
                format_args!(
                    "descriptor '{}' for type '{}' needs a type, not a '{}' as arg 2",
                    descr_name(descr(op)),
                    owner_name(descr(op)),
                    tp_name_of(tp)
                ),
            );
            return null_mut();
        }
        if !crate::objects::typeobject::is_subtype(tp as *mut PyTypeObject, owner) {
            crate::python::errors::set_format(
                crate::exc!(TypeError),
                format_args!(
                    "descriptor '{}' requires a subtype of '{}' but received '{}'",
                    descr_name(descr(op)),
                    owner_name(descr(op)),
                    crate::objects::typeobject::full_name(tp as *mut PyTypeObject)
                ),
            );
            return null_mut();
        }
        let ml = (*d).d_method;
        if (*ml).ml_flags & crate::objects::methodobject::METH_METHOD != 0 {
            crate::objects::methodobject::PyCMethod_New(ml, tp, null_mut(), owner)
        } else {
            crate::objects::methodobject::new_cfunction(ml, tp, null_mut())
        }
    }
}

unsafe extern "C" fn classmethoddescr_call(
    op: *mut PyObject,
    args: *mut PyObject,
    kwds: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: a classmethod descriptor; `args` a tuple.
    unsafe {
        let d = descr(op);
        let n = crate::capi::ffi::size(args);
        if n < 1 {
            crate::python::errors::set_format(
                crate::exc!(TypeError),
                format_args!(
                    "descriptor '{}' of '{}' object needs an argument",
                    descr_name(d),
                    owner_name(d)
                ),
            );
            return null_mut();
        }
        let first = crate::objects::tupleobject::item(args, 0);
        let bound = classmethod_get(op, null_mut(), first);
        if bound.is_null() {
            return null_mut();
        }
        let rest = crate::objects::tupleobject::PyTuple_GetSlice(args, 1, n);
        if rest.is_null() {
            crate::capi::ffi::decref(bound);
            return null_mut();
        }
        let r = crate::objects::call::call(bound, rest, kwds);
        crate::capi::ffi::decref(rest);
        crate::capi::ffi::decref(bound);
        r
    }
}

unsafe extern "C" fn member_get(
    op: *mut PyObject,
    o: *mut PyObject,
    tp: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: a member descriptor and live objects.
    unsafe {
        let d = op as *mut PyMemberDescrObject;
        let _ = tp;
        if o.is_null() {
            return crate::capi::ffi::new_ref(op);
        }
        if !descr_check(descr(op), o) {
            return null_mut();
        }
        let m = (*d).d_member;
        if (*m).flags & PY_AUDIT_READ != 0 && crate::python::sysmodule::auditing() {
            let args = crate::objects::tupleobject::tuple_from(&[o, (*d).d_common.d_name]);
            if args.is_null() {
                return args;
            }
            let r = crate::python::sysmodule::audit(c"object.__getattr__", args);
            crate::capi::ffi::decref(args);
            if r < 0 {
                return null_mut();
            }
        }
        PyMember_GetOne(o as *const c_char, m)
    }
}

unsafe extern "C" fn member_set(op: *mut PyObject, o: *mut PyObject, v: *mut PyObject) -> c_int {
    // SAFETY: a member descriptor and live objects.
    unsafe {
        let d = op as *mut PyMemberDescrObject;
        if !descr_check(descr(op), o) {
            return -1;
        }
        PyMember_SetOne(o as *mut c_char, (*d).d_member, v)
    }
}

unsafe extern "C" fn getset_get(
    op: *mut PyObject,
    o: *mut PyObject,
    tp: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: a getset descriptor and live objects.
    unsafe {
        let d = op as *mut PyGetSetDescrObject;
        let _ = tp;
        if o.is_null() {
            return crate::capi::ffi::new_ref(op);
        }
        if !descr_check(descr(op), o) {
            return null_mut();
        }
        let g = (*d).d_getset;
        match (*g).get {
            Some(get) => get(o, (*g).closure),
            None => {
                crate::python::errors::set_format(
                    crate::exc!(AttributeError),
                    format_args!(
                        "attribute '{}' of '{}' objects is not readable",
                        descr_name(descr(op)),
                        owner_name(descr(op))
                    ),
                );
                null_mut()
            }
        }
    }
}

unsafe extern "C" fn getset_set(op: *mut PyObject, o: *mut PyObject, v: *mut PyObject) -> c_int {
    // SAFETY: a getset descriptor and live objects.
    unsafe {
        let d = op as *mut PyGetSetDescrObject;
        if !descr_check(descr(op), o) {
            return -1;
        }
        let g = (*d).d_getset;
        match (*g).set {
            Some(set) => set(o, v, (*g).closure),
            None => {
                crate::python::errors::set_format(
                    crate::exc!(AttributeError),
                    format_args!(
                        "attribute '{}' of '{}' objects is not writable",
                        descr_name(descr(op)),
                        owner_name(descr(op))
                    ),
                );
                -1
            }
        }
    }
}

unsafe extern "C" fn wrapperdescr_get(
    op: *mut PyObject,
    o: *mut PyObject,
    tp: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: a wrapper descriptor and live objects.
    unsafe {
        let _ = tp;
        if o.is_null() {
            return crate::capi::ffi::new_ref(op);
        }
        if !descr_check(descr(op), o) {
            return null_mut();
        }
        PyWrapper_New(op, o)
    }
}

/// Calls the wrapper of descriptor `d` for `slf` with `args` (a tuple) and `kwds`.
unsafe fn wrapper_raw_call(
    d: *mut PyWrapperDescrObject,
    slf: *mut PyObject,
    args: *mut PyObject,
    kwds: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: a wrapper descriptor whose base entry names its wrapper.
    unsafe {
        let base = (*d).d_base;
        let Some(wrapper) = (*base).wrapper else {
            crate::python::errors::bad_internal_call();
            return null_mut();
        };
        if (*base).flags & PyWrapperFlag_KEYWORDS != 0 {
            let wk: unsafe extern "C" fn(
                *mut PyObject,
                *mut PyObject,
                *mut c_void,
                *mut PyObject,
            ) -> *mut PyObject = core::mem::transmute(wrapper);
            return wk(slf, args, (*d).d_wrapped, kwds);
        }
        if !kwds.is_null() && !crate::objects::call::kwargs_empty(kwds) {
            crate::python::errors::set_format(
                crate::exc!(TypeError),
                format_args!(
                    "wrapper {}() takes no keyword arguments",
                    descr_name(d as *mut PyDescrObject)
                ),
            );
            return null_mut();
        }
        wrapper(slf, args, (*d).d_wrapped)
    }
}

unsafe extern "C" fn wrapperdescr_call(
    op: *mut PyObject,
    args: *mut PyObject,
    kwds: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: a wrapper descriptor; `args` a tuple.
    unsafe {
        let d = descr(op);
        let n = crate::capi::ffi::size(args);
        if n < 1 {
            crate::python::errors::set_format(
                crate::exc!(TypeError),
                format_args!(
                    "descriptor '{}' of '{}' object needs an argument",
                    descr_name(d),
                    owner_name(d)
                ),
            );
            return null_mut();
        }
        let slf = crate::objects::tupleobject::item(args, 0);
        if !crate::objects::typeobject::is_subtype(ty(slf), (*d).d_type) {
            crate::python::errors::set_format(
                crate::exc!(TypeError),
                format_args!(
                    "descriptor '{}' requires a '{}' object but received a '{}'",
                    descr_name(d),
                    owner_name(d),
                    tp_name_of(slf)
                ),
            );
            return null_mut();
        }
        let rest = crate::objects::tupleobject::PyTuple_GetSlice(args, 1, n);
        if rest.is_null() {
            return null_mut();
        }
        let r = wrapper_raw_call(op as *mut PyWrapperDescrObject, slf, rest, kwds);
        crate::capi::ffi::decref(rest);
        r
    }
}

/// `_PyObject_FunctionStr` of a method descriptor: `TYPE.NAME()`.
unsafe fn method_funcstr(d: *mut PyDescrObject) -> String {
    // SAFETY: a descriptor.
    unsafe {
        format!(
            "{}.{}()",
            crate::objects::typeobject::type_qualname((*d).d_type),
            descr_name(d)
        )
    }
}

unsafe extern "C" fn method_vectorcall(
    op: *mut PyObject,
    args: *const *mut PyObject,
    nargsf: usize,
    kwnames: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: a method descriptor; `args` has `nargs` entries.
    unsafe {
        let d = op as *mut PyMethodDescrObject;
        let n = nargsf & !crate::objects::call::PY_VECTORCALL_ARGUMENTS_OFFSET;
        if n < 1 {
            crate::python::errors::set_format(
                crate::exc!(TypeError),
                format_args!(
                    "unbound method {} needs an argument",
                    method_funcstr(descr(op))
                ),
            );
            return null_mut();
        }
        let slf = *args;
        if !descr_check(descr(op), slf) {
            return null_mut();
        }
        crate::objects::methodobject::call_method_def(
            (*d).d_method,
            slf,
            (*d).d_common.d_type,
            args.add(1),
            n - 1,
            kwnames,
            &|| method_funcstr(descr(op)),
        )
    }
}

unsafe extern "C" fn descr_get_qualname(op: *mut PyObject, _c: *mut c_void) -> *mut PyObject {
    // SAFETY: a descriptor.
    unsafe {
        let d = descr(op);
        if (*d).d_qualname.is_null() {
            let q = crate::objects::unicodeobject::str_format(format_args!(
                "{}.{}",
                crate::objects::typeobject::type_qualname((*d).d_type),
                descr_name(d)
            ));
            if q.is_null() {
                return q;
            }
            (*d).d_qualname = q;
        }
        crate::capi::ffi::new_ref((*d).d_qualname)
    }
}

/// A docstring without its `NAME(SIG)\n--\n\n` signature block (CPython's
/// `_PyType_GetDocFromInternalDoc`), or None (no docstring, or nothing after the signature).
pub(crate) unsafe fn doc_from_internal(name: &str, doc: *const c_char) -> *mut PyObject {
    // SAFETY: `doc` NUL-terminated or NULL.
    unsafe {
        if doc.is_null() {
            return crate::capi::ffi::new_ref(crate::objects::object_ops::none());
        }
        let text = CStr::from_ptr(doc).to_string_lossy();
        let body = match split_signature(name, &text) {
            Some((_, body)) => body,
            None => &text,
        };
        if body.is_empty() {
            // An empty docstring (a signature block alone, as `tuple.__getnewargs__`'s) is None.
            return crate::capi::ffi::new_ref(crate::objects::object_ops::none());
        }
        crate::objects::unicodeobject::str_from(body)
    }
}

/// The `__text_signature__` of an internal docstring, or None.
pub(crate) unsafe fn text_signature_from_internal(name: &str, doc: *const c_char) -> *mut PyObject {
    // SAFETY: `doc` NUL-terminated or NULL.
    unsafe {
        if !doc.is_null() {
            let text = CStr::from_ptr(doc).to_string_lossy();
            if let Some((sig, _)) = split_signature(name, &text) {
                return crate::objects::unicodeobject::str_from(sig);
            }
        }
        crate::capi::ffi::new_ref(crate::objects::object_ops::none())
    }
}

/// Splits `NAME(SIG)\n--\n\nBODY` into `(SIG)` and BODY (CPython's `find_signature` and
/// `skip_signature`): the doc must start with the name (its last dotted part) and `(`, and the
/// signature ends at the first `)\n--\n\n`. It may span lines (`code`'s does), but not a blank
/// line: an empty line before the end marker means the doc has no signature.
fn split_signature<'a>(name: &str, doc: &'a str) -> Option<(&'a str, &'a str)> {
    let short = name.rsplit('.').next().unwrap_or(name);
    let rest = doc.strip_prefix(short)?;
    if !rest.starts_with('(') {
        return None;
    }
    let end = rest.find(")\n--\n\n")?;
    if rest[..end].contains("\n\n") {
        return None;
    }
    Some((&rest[..end + 1], &rest[end + 6..]))
}

unsafe extern "C" fn method_get_doc(op: *mut PyObject, _c: *mut c_void) -> *mut PyObject {
    // SAFETY: a method descriptor.
    unsafe {
        let d = op as *mut PyMethodDescrObject;
        doc_from_internal(descr_name(descr(op)), (*(*d).d_method).ml_doc)
    }
}

unsafe extern "C" fn method_get_text_signature(
    op: *mut PyObject,
    _c: *mut c_void,
) -> *mut PyObject {
    // SAFETY: a method descriptor.
    unsafe {
        let d = op as *mut PyMethodDescrObject;
        text_signature_from_internal(descr_name(descr(op)), (*(*d).d_method).ml_doc)
    }
}

unsafe fn plain_doc(doc: *const c_char) -> *mut PyObject {
    // SAFETY: NUL-terminated or NULL.
    unsafe {
        if doc.is_null() {
            crate::capi::ffi::new_ref(crate::objects::object_ops::none())
        } else {
            crate::objects::unicodeobject::PyUnicode_FromString(doc)
        }
    }
}

unsafe extern "C" fn member_get_doc(op: *mut PyObject, _c: *mut c_void) -> *mut PyObject {
    // SAFETY: a member descriptor.
    unsafe { plain_doc((*(*(op as *mut PyMemberDescrObject)).d_member).doc) }
}

unsafe extern "C" fn getset_get_doc(op: *mut PyObject, _c: *mut c_void) -> *mut PyObject {
    // SAFETY: a getset descriptor.
    unsafe { plain_doc((*(*(op as *mut PyGetSetDescrObject)).d_getset).doc) }
}

unsafe extern "C" fn wrapperdescr_get_doc(op: *mut PyObject, _c: *mut c_void) -> *mut PyObject {
    // SAFETY: a wrapper descriptor.
    unsafe {
        let d = op as *mut PyWrapperDescrObject;
        doc_from_internal(descr_name(descr(op)), (*(*d).d_base).doc)
    }
}

unsafe extern "C" fn wrapperdescr_get_text_signature(
    op: *mut PyObject,
    _c: *mut c_void,
) -> *mut PyObject {
    // SAFETY: a wrapper descriptor.
    unsafe {
        let d = op as *mut PyWrapperDescrObject;
        text_signature_from_internal(descr_name(descr(op)), (*(*d).d_base).doc)
    }
}

unsafe extern "C" fn descr_reduce(op: *mut PyObject, _a: *mut PyObject) -> *mut PyObject {
    // SAFETY: a descriptor. CPython returns (getattr, (owner, name)); pycoro has no builtins
    // module to name `getattr`, so pickling a descriptor is refused as for other objects.
    unsafe {
        crate::python::errors::set_format(
            crate::exc!(TypeError),
            format_args!("cannot pickle '{}' object", tp_name_of(op)),
        );
    }
    null_mut()
}

/// Makes the descriptor for method table entry `ml` of `tp`.
///
/// Return value: New reference, or NULL with an exception set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyDescr_NewMethod(
    tp: *mut PyTypeObject,
    ml: *mut PyMethodDef,
) -> *mut PyObject {
    crate::capi::boundary::check_null!(ml, null_mut());
    crate::capi::boundary::guard("PyDescr_NewMethod", null_mut(), || unsafe {
        new_method_descr(tp, ml)
    })
}

pub(crate) unsafe fn new_method_descr(
    tp: *mut PyTypeObject,
    ml: *mut PyMethodDef,
) -> *mut PyObject {
    use crate::objects::methodobject::*;
    // SAFETY: a method table entry that outlives the descriptor.
    unsafe {
        if (*ml).ml_name.is_null() {
            crate::python::errors::bad_internal_call();
            return null_mut();
        }
        let flags = (*ml).ml_flags
            & (METH_VARARGS | METH_FASTCALL | METH_NOARGS | METH_O | METH_KEYWORDS | METH_METHOD);
        if !matches!(flags, 0x1 | 0x3 | 0x80 | 0x82 | 0x4 | 0x8 | 0x282) {
            crate::python::errors::set_format(
                crate::exc!(SystemError),
                format_args!(
                    "{} method: bad call flags",
                    CStr::from_ptr((*ml).ml_name).to_string_lossy()
                ),
            );
            return null_mut();
        }
        descr_new(&raw mut PyMethodDescr_Type, tp, (*ml).ml_name, |d| {
            let m = d as *mut PyMethodDescrObject;
            (*m).d_method = ml;
            (*m).vectorcall = Some(method_vectorcall);
        })
    }
}

/// Makes the `classmethod_descriptor` for `METH_CLASS` method table entry `ml` of `tp`.
///
/// Return value: New reference, or NULL with an exception set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyDescr_NewClassMethod(
    tp: *mut PyTypeObject,
    ml: *mut PyMethodDef,
) -> *mut PyObject {
    crate::capi::boundary::check_null!(ml, null_mut());
    crate::capi::boundary::guard("PyDescr_NewClassMethod", null_mut(), || unsafe {
        descr_new(&raw mut PyClassMethodDescr_Type, tp, (*ml).ml_name, |d| {
            (*(d as *mut PyMethodDescrObject)).d_method = ml;
        })
    })
}

/// Makes the `member_descriptor` for member table entry `m` of `tp`.
///
/// Return value: New reference, or NULL with an exception set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyDescr_NewMember(
    tp: *mut PyTypeObject,
    m: *mut PyMemberDef,
) -> *mut PyObject {
    crate::capi::boundary::check_null!(m, null_mut());
    crate::capi::boundary::guard("PyDescr_NewMember", null_mut(), || unsafe {
        descr_new(&raw mut PyMemberDescr_Type, tp, (*m).name, |d| {
            (*(d as *mut PyMemberDescrObject)).d_member = m;
        })
    })
}

/// Makes the `getset_descriptor` for getset table entry `g` of `tp`.
///
/// Return value: New reference, or NULL with an exception set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyDescr_NewGetSet(
    tp: *mut PyTypeObject,
    g: *mut PyGetSetDef,
) -> *mut PyObject {
    crate::capi::boundary::check_null!(g, null_mut());
    crate::capi::boundary::guard("PyDescr_NewGetSet", null_mut(), || unsafe {
        descr_new(&raw mut PyGetSetDescr_Type, tp, (*g).name, |d| {
            (*(d as *mut PyGetSetDescrObject)).d_getset = g;
        })
    })
}

/// Makes the `wrapper_descriptor` for slot table entry `base` of `tp`, calling `wrapped` (the
/// slot function).
///
/// Return value: New reference, or NULL with an exception set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyDescr_NewWrapper(
    tp: *mut PyTypeObject,
    base: *mut wrapperbase,
    wrapped: *mut c_void,
) -> *mut PyObject {
    crate::capi::boundary::check_null!(base, null_mut());
    crate::capi::boundary::guard("PyDescr_NewWrapper", null_mut(), || unsafe {
        descr_new(&raw mut PyWrapperDescr_Type, tp, (*base).name, |d| {
            let w = d as *mut PyWrapperDescrObject;
            (*w).d_base = base;
            (*w).d_wrapped = wrapped;
        })
    })
}

/// Binds wrapper descriptor `d` to `slf` (a `method-wrapper`). `slf` must be an instance of
/// the descriptor's type (else `TypeError`, where CPython asserts).
///
/// Return value: New reference, or NULL with an exception set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyWrapper_New(d: *mut PyObject, slf: *mut PyObject) -> *mut PyObject {
    crate::capi::boundary::check_null!(d, null_mut());
    crate::capi::boundary::check_null!(slf, null_mut());
    crate::capi::boundary::guard("PyWrapper_New", null_mut(), || unsafe {
        if !crate::capi::ffi::is_type(d, &raw mut PyWrapperDescr_Type) {
            crate::python::errors::bad_internal_call();
            return null_mut();
        }
        if !descr_check(descr(d), slf) {
            return null_mut();
        }
        let tp = &raw mut _PyMethodWrapper_Type;
        let op = crate::modules::gcmodule::alloc_object(tp, size_of::<WrapperObject>());
        if op.is_null() {
            return null_mut();
        }
        let w = op as *mut WrapperObject;
        (*w).descr = crate::capi::ffi::new_ref(d) as *mut PyWrapperDescrObject;
        (*w).slf = crate::capi::ffi::new_ref(slf);
        crate::modules::gcmodule::track(op);
        op
    })
}

unsafe extern "C" fn wrapper_dealloc(op: *mut PyObject) {
    // SAFETY: a dying method-wrapper.
    unsafe {
        crate::modules::gcmodule::untrack(op);
        let w = op as *mut WrapperObject;
        crate::capi::ffi::xdecref(obj((*w).descr));
        crate::capi::ffi::xdecref((*w).slf);
        crate::modules::gcmodule::free_object(op);
    }
}

unsafe extern "C" fn wrapper_traverse(
    op: *mut PyObject,
    visit: visitproc,
    arg: *mut c_void,
) -> c_int {
    // SAFETY: a method-wrapper.
    unsafe {
        let w = op as *mut WrapperObject;
        crate::capi::ffi::py_visit!((*w).descr, visit, arg);
        crate::capi::ffi::py_visit!((*w).slf, visit, arg);
    }
    0
}

unsafe extern "C" fn wrapper_repr(op: *mut PyObject) -> *mut PyObject {
    // SAFETY: a method-wrapper.
    unsafe {
        let w = op as *mut WrapperObject;
        crate::objects::unicodeobject::str_format(format_args!(
            "<method-wrapper '{}' of {} object at {:p}>",
            descr_name((*w).descr as *mut PyDescrObject),
            tp_name_of((*w).slf),
            (*w).slf
        ))
    }
}

unsafe extern "C" fn wrapper_hash(op: *mut PyObject) -> Py_hash_t {
    // SAFETY: a method-wrapper: the hash combines its instance's and its descriptor's.
    unsafe {
        let w = op as *mut WrapperObject;
        let x = crate::objects::object_ops::PyObject_Hash((*w).slf);
        if x == -1 {
            return -1;
        }
        let y = crate::objects::object_ops::hash_pointer((*w).descr as usize);
        let h = x ^ y;
        if h == -1 { -2 } else { h }
    }
}

unsafe extern "C" fn wrapper_richcompare(
    a: *mut PyObject,
    b: *mut PyObject,
    op: c_int,
) -> *mut PyObject {
    // SAFETY: live objects.
    unsafe {
        if (op != Py_EQ && op != Py_NE)
            || !crate::capi::ffi::is_type(b, &raw mut _PyMethodWrapper_Type)
        {
            return crate::capi::ffi::new_ref(crate::objects::object_ops::not_implemented());
        }
        let (x, y) = (a as *mut WrapperObject, b as *mut WrapperObject);
        let eq = (*x).descr == (*y).descr && (*x).slf == (*y).slf;
        crate::capi::ffi::new_ref(crate::objects::boolobject::from_bool(eq == (op == Py_EQ)))
    }
}

unsafe extern "C" fn wrapper_call(
    op: *mut PyObject,
    args: *mut PyObject,
    kwds: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: a method-wrapper; `args` a tuple.
    unsafe {
        let w = op as *mut WrapperObject;
        wrapper_raw_call((*w).descr, (*w).slf, args, kwds)
    }
}

unsafe extern "C" fn wrapper_objclass(op: *mut PyObject, _c: *mut c_void) -> *mut PyObject {
    // SAFETY: a method-wrapper.
    unsafe {
        crate::capi::ffi::new_ref(obj((*(*(op as *mut WrapperObject)).descr).d_common.d_type))
    }
}

unsafe extern "C" fn wrapper_name(op: *mut PyObject, _c: *mut c_void) -> *mut PyObject {
    // SAFETY: a method-wrapper.
    unsafe { crate::capi::ffi::new_ref((*(*(op as *mut WrapperObject)).descr).d_common.d_name) }
}

unsafe extern "C" fn wrapper_qualname(op: *mut PyObject, _c: *mut c_void) -> *mut PyObject {
    // SAFETY: a method-wrapper.
    unsafe { descr_get_qualname(obj((*(op as *mut WrapperObject)).descr), null_mut()) }
}

unsafe extern "C" fn wrapper_doc(op: *mut PyObject, _c: *mut c_void) -> *mut PyObject {
    // SAFETY: a method-wrapper.
    unsafe { wrapperdescr_get_doc(obj((*(op as *mut WrapperObject)).descr), null_mut()) }
}

unsafe extern "C" fn wrapper_text_signature(op: *mut PyObject, _c: *mut c_void) -> *mut PyObject {
    // SAFETY: a method-wrapper.
    unsafe { wrapperdescr_get_text_signature(obj((*(op as *mut WrapperObject)).descr), null_mut()) }
}

/// Whether `op` is one of the descriptor types above.
pub(crate) unsafe fn is_descriptor(op: *mut PyObject) -> bool {
    // SAFETY: a live object.
    unsafe {
        let t = ty(op);
        t == &raw mut PyMethodDescr_Type
            || t == &raw mut PyClassMethodDescr_Type
            || t == &raw mut PyMemberDescr_Type
            || t == &raw mut PyGetSetDescr_Type
            || t == &raw mut PyWrapperDescr_Type
    }
}

/// Prepares a descriptor of a static type for sharing between threads: its `__qualname__` is
/// computed now (not lazily, which would write to a shared object) and made immortal.
pub(crate) unsafe fn freeze(op: *mut PyObject) {
    // SAFETY: a live descriptor that was just made immortal.
    unsafe {
        let q = descr_get_qualname(op, null_mut());
        if q.is_null() {
            crate::python::errors::restore(null_mut(), null_mut(), null_mut());
            return;
        }
        crate::capi::ffi::decref(q);
        let d = descr(op);
        if !(*d).d_qualname.is_null() {
            (*(*d).d_qualname).ob_refcnt = PYNATIVE_IMMORTAL_REFCNT;
        }
    }
}
