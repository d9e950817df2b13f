//! `Objects/funcobject.c`'s `staticmethod`: what `PyType_Ready` puts in a type's dict for a
//! `METH_STATIC` method (pycoro has no Python functions, so the rest of that file is absent).

use crate::capi::boundary::{check_null, guard};
use crate::capi::ffi::{clear, new_ref, py_visit};
use crate::objects::object::*;
use core::ffi::{c_int, c_void};
use core::mem::size_of;
use core::ptr::null_mut;
use static_assertions::const_assert_eq;

/// A `staticmethod` object: the callable it wraps and its `__dict__`.
#[repr(C)]
struct StaticMethod {
    ob_base: PyObject,
    sm_callable: *mut PyObject,
    sm_dict: *mut PyObject,
}

const_assert_eq!(size_of::<StaticMethod>(), 32);

/// The type `staticmethod`.
#[unsafe(no_mangle)]
pub static mut PyStaticMethod_Type: PyTypeObject = PyTypeObject {
    tp_dealloc: Some(sm_dealloc),
    tp_traverse: Some(sm_traverse),
    tp_clear: Some(sm_clear),
    tp_descr_get: Some(sm_descr_get),
    tp_call: Some(sm_call),
    tp_dictoffset: core::mem::offset_of!(StaticMethod, sm_dict) as Py_ssize_t,
    tp_alloc: Some(crate::objects::typeobject::PyType_GenericAlloc),
    tp_new: Some(crate::objects::typeobject::PyType_GenericNew),
    tp_init: Some(sm_init),
    tp_repr: Some(sm_repr),
    tp_members: (&raw mut SM_MEMBERS) as *mut crate::objects::descrobject::PyMemberDef,
    tp_getset: (&raw mut SM_GETSET) as *mut crate::objects::descrobject::PyGetSetDef,
    tp_doc: c"staticmethod(function) -> method\n\nConvert a function to be a static method.\n\nA static method does not receive an implicit first argument.\nTo declare a static method, use this idiom:\n\n     class C:\n         @staticmethod\n         def f(arg1, arg2, ...):\n             ...\n\nIt can be called either on the class (e.g. C.f()) or on an instance\n(e.g. C().f()). Both the class and the instance are ignored, and\nneither is passed implicitly as the first argument to the method.\n\nStatic methods in Python are similar to those found in Java or C++.\nFor a more advanced concept, see the classmethod builtin.".as_ptr(),
    ..crate::objects::typeobject::static_type(
        c"staticmethod",
        size_of::<StaticMethod>(),
        Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    )
};

unsafe extern "C" fn sm_dealloc(op: *mut PyObject) {
    // SAFETY: a dying staticmethod.
    unsafe {
        crate::modules::gcmodule::untrack(op);
        sm_clear(op);
        let free = (*crate::capi::ffi::ty(op)).tp_free;
        match free {
            Some(f) => f(op as *mut c_void),
            None => crate::modules::gcmodule::free_object(op),
        }
    }
}

unsafe extern "C" fn sm_traverse(op: *mut PyObject, visit: visitproc, arg: *mut c_void) -> c_int {
    // SAFETY: a staticmethod.
    unsafe {
        let s = op as *mut StaticMethod;
        py_visit!((*s).sm_callable, visit, arg);
        py_visit!((*s).sm_dict, visit, arg);
    }
    0
}

unsafe extern "C" fn sm_clear(op: *mut PyObject) -> c_int {
    // SAFETY: a staticmethod.
    unsafe {
        let s = op as *mut StaticMethod;
        clear(&raw mut (*s).sm_callable);
        clear(&raw mut (*s).sm_dict);
    }
    0
}

unsafe extern "C" fn sm_descr_get(
    op: *mut PyObject,
    _o: *mut PyObject,
    _t: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: a staticmethod.
    unsafe {
        let c = (*(op as *mut StaticMethod)).sm_callable;
        if c.is_null() {
            crate::python::errors::set_string(
                crate::exc!(RuntimeError),
                "uninitialized staticmethod object",
            );
            return null_mut();
        }
        new_ref(c)
    }
}

unsafe extern "C" fn sm_call(
    op: *mut PyObject,
    args: *mut PyObject,
    kw: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: a staticmethod; `args` a tuple.
    unsafe {
        let c = (*(op as *mut StaticMethod)).sm_callable;
        if c.is_null() {
            return sm_descr_get(op, null_mut(), null_mut());
        }
        crate::objects::call::call(c, args, kw)
    }
}

/// `staticmethod(callable)` (`tp_init`): stores the callable and copies its `__module__`,
/// `__name__`, `__qualname__`, `__doc__` and `__annotations__` (those it has) into the
/// staticmethod's `__dict__`, as CPython 3.10's `functools_wraps`.
unsafe extern "C" fn sm_init(op: *mut PyObject, args: *mut PyObject, kwds: *mut PyObject) -> c_int {
    // SAFETY: a staticmethod; `args` a tuple, `kwds` a dict or NULL.
    unsafe {
        if !crate::python::getargs::no_keywords("staticmethod", kwds) {
            return -1;
        }
        let n = crate::capi::ffi::size(args);
        if !crate::python::getargs::check_positional("staticmethod", n, 1, 1) {
            return -1;
        }
        let callable = crate::objects::tupleobject::item(args, 0);
        crate::capi::ffi::xsetref(
            &raw mut (*(op as *mut StaticMethod)).sm_callable,
            new_ref(callable),
        );
        for name in [
            "__module__",
            "__name__",
            "__qualname__",
            "__doc__",
            "__annotations__",
        ] {
            let value = match crate::objects::call::lookup_attr(callable, name) {
                Err(()) => return -1,
                Ok(v) if v.is_null() => continue,
                Ok(v) => v,
            };
            let key = crate::objects::unicodeobject::intern(name);
            let r = if key.is_null() {
                -1
            } else {
                crate::objects::object_ops::PyObject_SetAttr(op, key, value)
            };
            crate::capi::ffi::decref(value);
            if r < 0 {
                return -1;
            }
        }
        0
    }
}

/// `<staticmethod(repr(callable))>` (`<NULL>` before `__init__`).
unsafe extern "C" fn sm_repr(op: *mut PyObject) -> *mut PyObject {
    // SAFETY: a staticmethod.
    unsafe {
        let c = (*(op as *mut StaticMethod)).sm_callable;
        if c.is_null() {
            return crate::objects::unicodeobject::str_from("<staticmethod(<NULL>)>");
        }
        let r = crate::objects::object_ops::repr(c);
        if r.is_null() {
            return r;
        }
        let out = crate::objects::unicodeobject::str_format(format_args!(
            "<staticmethod({})>",
            crate::objects::unicodeobject::str_as(r).unwrap_or("")
        ));
        crate::capi::ffi::decref(r);
        out
    }
}

/// `__isabstractmethod__`: whether the callable's own `__isabstractmethod__` is true (False
/// when it has none, or before `__init__`).
unsafe extern "C" fn sm_get_isabstractmethod(op: *mut PyObject, _: *mut c_void) -> *mut PyObject {
    // SAFETY: a staticmethod.
    unsafe {
        let c = (*(op as *mut StaticMethod)).sm_callable;
        let mut res = 0;
        if !c.is_null() {
            match crate::objects::call::lookup_attr(c, "__isabstractmethod__") {
                Err(()) => return null_mut(),
                Ok(v) if v.is_null() => {}
                Ok(v) => {
                    res = crate::objects::object_ops::PyObject_IsTrue(v);
                    crate::capi::ffi::decref(v);
                    if res < 0 {
                        return null_mut();
                    }
                }
            }
        }
        new_ref(crate::objects::boolobject::from_bool(res != 0))
    }
}

static mut SM_MEMBERS: [crate::objects::descrobject::PyMemberDef; 3] = {
    use crate::objects::descrobject::PyMemberDef;
    use crate::python::structmember::{READONLY, T_OBJECT};
    [
        PyMemberDef {
            name: c"__func__".as_ptr(),
            r#type: T_OBJECT,
            offset: core::mem::offset_of!(StaticMethod, sm_callable) as Py_ssize_t,
            flags: READONLY,
            doc: core::ptr::null(),
        },
        PyMemberDef {
            name: c"__wrapped__".as_ptr(),
            r#type: T_OBJECT,
            offset: core::mem::offset_of!(StaticMethod, sm_callable) as Py_ssize_t,
            flags: READONLY,
            doc: core::ptr::null(),
        },
        PyMemberDef::SENTINEL,
    ]
};

static mut SM_GETSET: [crate::objects::descrobject::PyGetSetDef; 3] = {
    use crate::objects::descrobject::PyGetSetDef;
    [
        PyGetSetDef {
            name: c"__isabstractmethod__".as_ptr(),
            get: Some(sm_get_isabstractmethod),
            set: None,
            doc: core::ptr::null(),
            closure: null_mut(),
        },
        PyGetSetDef {
            name: c"__dict__".as_ptr(),
            get: Some(crate::objects::object_ops::PyObject_GenericGetDict),
            set: Some(crate::objects::object_ops::PyObject_GenericSetDict),
            doc: core::ptr::null(),
            closure: null_mut(),
        },
        PyGetSetDef::SENTINEL,
    ]
};

/// Wraps `callable` in a `staticmethod`.
///
/// Return value: New reference, or NULL with an exception set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyStaticMethod_New(callable: *mut PyObject) -> *mut PyObject {
    check_null!(callable, null_mut());
    guard("PyStaticMethod_New", null_mut(), || unsafe {
        let tp = &raw mut PyStaticMethod_Type;
        let op = crate::modules::gcmodule::alloc_object(tp, size_of::<StaticMethod>());
        if op.is_null() {
            return op;
        }
        (*(op as *mut StaticMethod)).sm_callable = new_ref(callable);
        crate::modules::gcmodule::track(op);
        op
    })
}
