//! `Include/methodobject.h`: C functions and methods as Python objects
//! (`builtin_function_or_method`), the calling conventions of `PyMethodDef`, and binding of a
//! type's `tp_methods` to an instance.

use crate::capi::boundary::{check_null, guard};
use crate::capi::fallible::LossyDisplay;
use crate::capi::ffi::{clear, obj, py_visit, ty, xincref};
use crate::modules::gcmodule::{track, untrack};
use crate::objects::call::{PY_VECTORCALL_ARGUMENTS_OFFSET, kwargs_empty};
use crate::objects::object::*;
use crate::objects::typeobject::{static_type, type_name};
use crate::objects::unicodeobject::{str_format, str_from};
use crate::python::errors::{set_format, set_string};
use core::ffi::{CStr, c_char, c_int, c_void};
use core::mem::{offset_of, size_of};
use core::ptr::null_mut;
use static_assertions::const_assert_eq;

/// `METH_VARARGS` etc.: calling conventions and binding flags of a `PyMethodDef`.
pub const METH_VARARGS: c_int = 0x0001;
pub const METH_KEYWORDS: c_int = 0x0002;
pub const METH_NOARGS: c_int = 0x0004;
pub const METH_O: c_int = 0x0008;
pub const METH_CLASS: c_int = 0x0010;
pub const METH_STATIC: c_int = 0x0020;
pub const METH_COEXIST: c_int = 0x0040;
pub const METH_FASTCALL: c_int = 0x0080;
pub const METH_METHOD: c_int = 0x0200;

/// `PyCFunction`: `(self, args)`; the actual signature depends on `ml_flags`, so C code casts
/// its function to this type.
pub type PyCFunction = Option<unsafe extern "C" fn(*mut PyObject, *mut PyObject) -> *mut PyObject>;
/// `METH_VARARGS | METH_KEYWORDS`: `(self, args, kwargs)`.
pub type PyCFunctionWithKeywords =
    Option<unsafe extern "C" fn(*mut PyObject, *mut PyObject, *mut PyObject) -> *mut PyObject>;
/// `METH_FASTCALL`: `(self, args, nargs)`.
pub type _PyCFunctionFast =
    Option<unsafe extern "C" fn(*mut PyObject, *const *mut PyObject, Py_ssize_t) -> *mut PyObject>;
/// `METH_FASTCALL | METH_KEYWORDS`: `(self, args, nargs, kwnames)`.
pub type _PyCFunctionFastWithKeywords = Option<
    unsafe extern "C" fn(
        *mut PyObject,
        *const *mut PyObject,
        Py_ssize_t,
        *mut PyObject,
    ) -> *mut PyObject,
>;
/// `METH_METHOD | METH_FASTCALL | METH_KEYWORDS`: `(self, defining_class, args, nargs, kwnames)`.
pub type PyCMethod = Option<
    unsafe extern "C" fn(
        *mut PyObject,
        *mut PyTypeObject,
        *const *mut PyObject,
        usize,
        *mut PyObject,
    ) -> *mut PyObject,
>;

/// One method: name, C function, calling-convention flags and docstring. Tables end with an
/// entry whose `ml_name` is NULL.
#[repr(C)]
pub struct PyMethodDef {
    pub ml_name: *const c_char,
    pub ml_meth: PyCFunction,
    pub ml_flags: c_int,
    pub ml_doc: *const c_char,
}

impl PyMethodDef {
    /// The end-of-table entry.
    pub const SENTINEL: PyMethodDef = PyMethodDef {
        ml_name: core::ptr::null(),
        ml_meth: None,
        ml_flags: 0,
        ml_doc: core::ptr::null(),
    };
}

/// A METH_O/METH_NOARGS function as the generic `PyCFunction` stored in a table.
pub(crate) const fn meth_o(
    f: unsafe extern "C" fn(*mut PyObject, *mut PyObject) -> *mut PyObject,
) -> PyCFunction {
    Some(f)
}

/// A built-in function, or a method bound to `m_self`: CPython 3.10's `PyCFunctionObject`.
#[repr(C)]
pub struct PyCFunctionObject {
    pub ob_base: PyObject,
    pub m_ml: *mut PyMethodDef,
    pub m_self: *mut PyObject,
    pub m_module: *mut PyObject,
    pub m_weakreflist: *mut PyObject,
    pub vectorcall: vectorcallfunc,
}

/// `PyCFunctionObject` plus the defining class (`METH_METHOD`).
#[repr(C)]
pub struct PyCMethodObject {
    pub func: PyCFunctionObject,
    pub mm_class: *mut PyTypeObject,
}

const_assert_eq!(size_of::<PyMethodDef>(), 32);
const_assert_eq!(size_of::<PyCFunctionObject>(), 56);
const_assert_eq!(offset_of!(PyCFunctionObject, vectorcall), 48);
const_assert_eq!(size_of::<PyCMethodObject>(), 64);

/// The type `builtin_function_or_method`.
#[unsafe(no_mangle)]
pub static mut PyCFunction_Type: PyTypeObject = PyTypeObject {
    tp_getattro: Some(crate::objects::object_ops::PyObject_GenericGetAttr),
    tp_name: c"builtin_function_or_method".as_ptr(),
    tp_basicsize: size_of::<PyCFunctionObject>() as Py_ssize_t,
    tp_methods: (&raw const CFUNCTION_METHODS) as *mut PyMethodDef,
    tp_members: (&raw const CFUNCTION_MEMBERS) as *mut crate::objects::descrobject::PyMemberDef,
    tp_getset: (&raw const CFUNCTION_GETSET) as *mut crate::objects::descrobject::PyGetSetDef,
    ..function_type()
};

/// The type `builtin_method` (functions with `METH_METHOD`).
#[unsafe(no_mangle)]
pub static mut PyCMethod_Type: PyTypeObject = PyTypeObject {
    tp_base: &raw mut PyCFunction_Type,
    ..static_type(
        c"builtin_method",
        size_of::<PyCMethodObject>(),
        Py_TPFLAGS_HAVE_VECTORCALL,
    )
};

/// The slots shared by both function types.
const fn function_type() -> PyTypeObject {
    PyTypeObject {
        tp_dealloc: Some(cfunction_dealloc),
        tp_repr: Some(cfunction_repr),
        tp_hash: Some(cfunction_hash),
        tp_richcompare: Some(cfunction_richcompare),
        tp_call: Some(cfunction_call),
        tp_traverse: Some(cfunction_traverse),
        tp_vectorcall_offset: offset_of!(PyCFunctionObject, vectorcall) as Py_ssize_t,
        tp_weaklistoffset: offset_of!(PyCFunctionObject, m_weakreflist) as Py_ssize_t,
        tp_free: Some(crate::modules::gcmodule::PyObject_GC_Del),
        ..static_type(
            c"builtin_method",
            size_of::<PyCMethodObject>(),
            Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_HAVE_VECTORCALL,
        )
    }
}

unsafe extern "C" fn cfunction_dealloc(op: *mut PyObject) {
    // SAFETY: a dying function object (in the trashcan: `m_self` may be another function).
    unsafe {
        crate::modules::gcmodule::trashcan(op, cfunction_dealloc, || {
            untrack(op);
            let f = op as *mut PyCFunctionObject;
            clear(&raw mut (*f).m_self);
            clear(&raw mut (*f).m_module);
            if ty(op) == &raw mut PyCMethod_Type {
                let c = (*(op as *mut PyCMethodObject)).mm_class;
                (*(op as *mut PyCMethodObject)).mm_class = null_mut();
                crate::capi::ffi::xdecref(obj(c));
            }
            crate::modules::gcmodule::free_object(op);
        })
    }
}

unsafe extern "C" fn cfunction_traverse(
    op: *mut PyObject,
    visit: visitproc,
    arg: *mut c_void,
) -> c_int {
    // SAFETY: a function object.
    unsafe {
        let f = op as *mut PyCFunctionObject;
        py_visit!((*f).m_self, visit, arg);
        py_visit!((*f).m_module, visit, arg);
    }
    0
}

/// Whether `self` is absent or a module (then the function is a plain built-in function).
unsafe fn is_function(f: *mut PyCFunctionObject) -> bool {
    // SAFETY: a function object.
    unsafe { (*f).m_self.is_null() }
}

/// CPython's `_PyObject_FunctionStr` of a built-in: `TYPE.NAME()`, or `NAME()` for functions.
/// Written straight into the message being formatted (nothing is allocated).
unsafe fn function_str(f: *mut PyCFunctionObject) -> FunctionStr {
    FunctionStr(f)
}

struct FunctionStr(*mut PyCFunctionObject);

impl core::fmt::Display for FunctionStr {
    fn fmt(&self, out: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let f = self.0;
        // SAFETY: a function object with a method table entry, alive while the message is
        // formatted.
        unsafe {
            let name = LossyDisplay::of_c((*(*f).m_ml).ml_name);
            if is_function(f) {
                let module = crate::objects::unicodeobject::str_as((*f).m_module);
                match module {
                    Some(m) if m != "builtins" => write!(out, "{m}.{name}()"),
                    _ => write!(out, "{name}()"),
                }
            } else {
                let s = (*f).m_self;
                let tp = if crate::capi::ffi::type_has(s, Py_TPFLAGS_TYPE_SUBCLASS) {
                    s as *mut PyTypeObject
                } else {
                    ty(s)
                };
                write!(out, "{}.{name}()", type_name(tp))
            }
        }
    }
}

unsafe extern "C" fn cfunction_repr(op: *mut PyObject) -> *mut PyObject {
    // SAFETY: a function object.
    unsafe {
        let f = op as *mut PyCFunctionObject;
        let name = LossyDisplay::of_c((*(*f).m_ml).ml_name);
        if is_function(f) {
            return str_format(format_args!("<built-in function {name}>"));
        }
        let s = (*f).m_self;
        str_format(format_args!(
            "<built-in method {name} of {} object at {:#x}>",
            crate::objects::typeobject::tp_name_of(s),
            s as usize
        ))
    }
}

/// Creates the function object for `ml` bound to `slf` (NULL for none) with module `module`.
/// Return value: New reference, or NULL with an exception set.
pub(crate) unsafe fn new_cfunction(
    ml: *mut PyMethodDef,
    slf: *mut PyObject,
    module: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: `ml` outlives the function object by contract (static tables).
    unsafe {
        if (*ml).ml_name.is_null() || (*ml).ml_meth.is_none() {
            // CPython would crash at the call (or when naming the function).
            crate::python::errors::bad_internal_call();
            return null_mut();
        }
        let flags = (*ml).ml_flags;
        let vectorcall: vectorcallfunc = match flags
            & (METH_VARARGS | METH_FASTCALL | METH_NOARGS | METH_O | METH_KEYWORDS | METH_METHOD)
        {
            METH_VARARGS | 0x0003 => None,
            METH_FASTCALL => Some(vc_fastcall),
            0x0082 => Some(vc_fastcall_keywords),
            METH_NOARGS => Some(vc_noargs),
            METH_O => Some(vc_o),
            0x0282 => Some(vc_method),
            _ => {
                set_format(
                    crate::exc!(SystemError),
                    format_args!(
                        "{}() method: bad call flags",
                        LossyDisplay::of_c((*ml).ml_name)
                    ),
                );
                return null_mut();
            }
        };
        let is_method = flags & METH_METHOD != 0;
        let tp = if is_method {
            &raw mut PyCMethod_Type
        } else {
            &raw mut PyCFunction_Type
        };
        let op = crate::modules::gcmodule::alloc_object(tp, (*tp).tp_basicsize as usize);
        if op.is_null() {
            return op;
        }
        let f = op as *mut PyCFunctionObject;
        (*f).m_ml = ml;
        xincref(slf);
        (*f).m_self = slf;
        xincref(module);
        (*f).m_module = module;
        (*f).vectorcall = vectorcall;
        track(op);
        op
    }
}

unsafe fn check_no_kwargs(f: *mut PyCFunctionObject, kwnames: *mut PyObject) -> bool {
    // SAFETY: live objects.
    unsafe {
        if kwnames.is_null() || crate::capi::ffi::size(kwnames) == 0 {
            return true;
        }
        set_format(
            crate::exc!(TypeError),
            format_args!("{} takes no keyword arguments", function_str(f)),
        );
        false
    }
}

unsafe fn meth(f: *mut PyCFunctionObject) -> *const c_void {
    // SAFETY: a function object.
    unsafe {
        (*(*f).m_ml)
            .ml_meth
            .map_or(core::ptr::null(), |m| m as *const c_void)
    }
}

/// Runs the call of a built-in function's C implementation as one level of the recursion limit
/// (3.10's `cfunction_enter_call`, also what `_PyObject_MakeTpCall` does around `tp_call`):
/// NULL with `RecursionError("maximum recursion depth exceeded while calling a Python
/// object")` when that level is past the limit.
#[inline(always)]
pub(crate) unsafe fn counted_call(call: impl FnOnce() -> *mut PyObject) -> *mut PyObject {
    // SAFETY: the calling thread's own state.
    unsafe {
        let ts = crate::python::pystate::tstate();
        if crate::python::ceval::enter_recursive_call(ts, " while calling a Python object") {
            return null_mut();
        }
        let r = call();
        crate::python::ceval::leave_recursive_call(ts);
        r
    }
}

unsafe extern "C" fn vc_noargs(
    op: *mut PyObject,
    args: *const *mut PyObject,
    nargsf: usize,
    kwnames: *mut PyObject,
) -> *mut PyObject {
    let _ = args;
    let f = op as *mut PyCFunctionObject;
    let n = nargsf & !PY_VECTORCALL_ARGUMENTS_OFFSET;
    // SAFETY: the table says this function takes (self, NULL).
    unsafe {
        if !check_no_kwargs(f, kwnames) {
            return null_mut();
        }
        if n != 0 {
            set_format(
                crate::exc!(TypeError),
                format_args!("{} takes no arguments ({n} given)", function_str(f)),
            );
            return null_mut();
        }
        let m: unsafe extern "C" fn(*mut PyObject, *mut PyObject) -> *mut PyObject =
            core::mem::transmute(meth(f));
        counted_call(|| m((*f).m_self, null_mut()))
    }
}

unsafe extern "C" fn vc_o(
    op: *mut PyObject,
    args: *const *mut PyObject,
    nargsf: usize,
    kwnames: *mut PyObject,
) -> *mut PyObject {
    let f = op as *mut PyCFunctionObject;
    let n = nargsf & !PY_VECTORCALL_ARGUMENTS_OFFSET;
    // SAFETY: the table says this function takes (self, arg).
    unsafe {
        if !check_no_kwargs(f, kwnames) {
            return null_mut();
        }
        if n != 1 {
            set_format(
                crate::exc!(TypeError),
                format_args!("{} takes exactly one argument ({n} given)", function_str(f)),
            );
            return null_mut();
        }
        let m: unsafe extern "C" fn(*mut PyObject, *mut PyObject) -> *mut PyObject =
            core::mem::transmute(meth(f));
        counted_call(|| m((*f).m_self, *args))
    }
}

unsafe extern "C" fn vc_fastcall(
    op: *mut PyObject,
    args: *const *mut PyObject,
    nargsf: usize,
    kwnames: *mut PyObject,
) -> *mut PyObject {
    let f = op as *mut PyCFunctionObject;
    let n = (nargsf & !PY_VECTORCALL_ARGUMENTS_OFFSET) as Py_ssize_t;
    // SAFETY: the table says this function takes (self, args, nargs).
    unsafe {
        if !check_no_kwargs(f, kwnames) {
            return null_mut();
        }
        let m: unsafe extern "C" fn(
            *mut PyObject,
            *const *mut PyObject,
            Py_ssize_t,
        ) -> *mut PyObject = core::mem::transmute(meth(f));
        counted_call(|| m((*f).m_self, args, n))
    }
}

unsafe extern "C" fn vc_fastcall_keywords(
    op: *mut PyObject,
    args: *const *mut PyObject,
    nargsf: usize,
    kwnames: *mut PyObject,
) -> *mut PyObject {
    let f = op as *mut PyCFunctionObject;
    let n = (nargsf & !PY_VECTORCALL_ARGUMENTS_OFFSET) as Py_ssize_t;
    // SAFETY: the table says this function takes (self, args, nargs, kwnames).
    unsafe {
        let m: unsafe extern "C" fn(
            *mut PyObject,
            *const *mut PyObject,
            Py_ssize_t,
            *mut PyObject,
        ) -> *mut PyObject = core::mem::transmute(meth(f));
        counted_call(|| m((*f).m_self, args, n, kwnames))
    }
}

unsafe extern "C" fn vc_method(
    op: *mut PyObject,
    args: *const *mut PyObject,
    nargsf: usize,
    kwnames: *mut PyObject,
) -> *mut PyObject {
    let f = op as *mut PyCFunctionObject;
    // SAFETY: METH_METHOD functions take (self, class, args, nargs, kwnames).
    unsafe {
        let cls = (*(op as *mut PyCMethodObject)).mm_class;
        let m: unsafe extern "C" fn(
            *mut PyObject,
            *mut PyTypeObject,
            *const *mut PyObject,
            usize,
            *mut PyObject,
        ) -> *mut PyObject = core::mem::transmute(meth(f));
        counted_call(|| m((*f).m_self, cls, args, nargsf, kwnames))
    }
}

/// `tp_call` path for METH_VARARGS functions (they have no vectorcall).
pub(crate) unsafe fn call_varargs(
    op: *mut PyObject,
    args: *mut PyObject,
    kwargs: *mut PyObject,
) -> *mut PyObject {
    let f = op as *mut PyCFunctionObject;
    // SAFETY: the table says (self, args) or (self, args, kwargs).
    unsafe {
        let flags = (*(*f).m_ml).ml_flags;
        if flags & METH_KEYWORDS != 0 {
            let m: unsafe extern "C" fn(
                *mut PyObject,
                *mut PyObject,
                *mut PyObject,
            ) -> *mut PyObject = core::mem::transmute(meth(f));
            return m((*f).m_self, args, kwargs);
        }
        if !kwargs.is_null() && !kwargs_empty(kwargs) {
            // CPython's cfunction_call names only the function here ("f() takes ...").
            set_format(
                crate::exc!(TypeError),
                format_args!(
                    "{}() takes no keyword arguments",
                    CStr::from_ptr((*(*f).m_ml).ml_name).to_string_lossy()
                ),
            );
            return null_mut();
        }
        let m: unsafe extern "C" fn(*mut PyObject, *mut PyObject) -> *mut PyObject =
            core::mem::transmute(meth(f));
        m((*f).m_self, args)
    }
}

/// Whether `op` is a built-in function object.
pub(crate) unsafe fn is_cfunction(op: *mut PyObject) -> bool {
    // SAFETY: live object.
    unsafe { ty(op) == &raw mut PyCFunction_Type || ty(op) == &raw mut PyCMethod_Type }
}

/// Creates a built-in function object for `ml` bound to `self` (which may be NULL). `ml` must
/// outlive the object (usually a static table). Same as `PyCFunction_NewEx(ml, self, NULL)`.
///
/// Return value: New reference, or NULL with an exception set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyCFunction_New(
    ml: *mut PyMethodDef,
    slf: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: same contract.
    unsafe { PyCFunction_NewEx(ml, slf, null_mut()) }
}

/// Creates a built-in function object for `ml` bound to `self` (may be NULL), recording
/// `module` (may be NULL; a str names the module in messages). New references are taken to
/// `self` and `module`.
///
/// Return value: New reference, or NULL with an exception set (`SystemError` for bad flags).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyCFunction_NewEx(
    ml: *mut PyMethodDef,
    slf: *mut PyObject,
    module: *mut PyObject,
) -> *mut PyObject {
    check_null!(ml, null_mut());
    // SAFETY: `ml` non-NULL and valid by contract.
    guard("PyCFunction_NewEx", null_mut(), || unsafe {
        if (*ml).ml_flags & METH_METHOD != 0 {
            set_string(
                crate::exc!(SystemError),
                "attempting to create PyCMethod with a METH_METHOD flag but no class",
            );
            return null_mut();
        }
        new_cfunction(ml, slf, module)
    })
}

/// As `PyCFunction_NewEx`, also recording the defining class `cls` (required exactly when
/// `ml` has `METH_METHOD`).
///
/// Return value: New reference, or NULL with an exception set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyCMethod_New(
    ml: *mut PyMethodDef,
    slf: *mut PyObject,
    module: *mut PyObject,
    cls: *mut PyTypeObject,
) -> *mut PyObject {
    check_null!(ml, null_mut());
    // SAFETY: `ml` non-NULL and valid by contract.
    guard("PyCMethod_New", null_mut(), || unsafe {
        let has = (*ml).ml_flags & METH_METHOD != 0;
        if has == cls.is_null() {
            set_string(
                crate::exc!(SystemError),
                if has {
                    "attempting to create PyCMethod with a METH_METHOD flag but no class"
                } else {
                    "attempting to create PyCFunction with class but no METH_METHOD flag"
                },
            );
            return null_mut();
        }
        let op = new_cfunction(ml, slf, module);
        if !op.is_null() && has {
            crate::capi::ffi::incref(obj(cls));
            (*(op as *mut PyCMethodObject)).mm_class = cls;
        }
        op
    })
}

/// Calls method table entry `ml` with `slf` (and, for `METH_METHOD`, the defining class `cls`)
/// on `nargs` positional arguments at `args` followed by the keyword values `kwnames` names, as
/// the entry's flags say. `funcstr` names the callable in messages (`TYPE.NAME()`).
pub(crate) unsafe fn call_method_def(
    ml: *mut PyMethodDef,
    slf: *mut PyObject,
    cls: *mut PyTypeObject,
    args: *const *mut PyObject,
    nargs: usize,
    kwnames: *mut PyObject,
    funcstr: &dyn Fn() -> String,
) -> *mut PyObject {
    // SAFETY: `ml` is a valid entry whose function has the signature its flags say.
    unsafe {
        let flags = (*ml).ml_flags
            & (METH_VARARGS | METH_FASTCALL | METH_NOARGS | METH_O | METH_KEYWORDS | METH_METHOD);
        let f = (*ml)
            .ml_meth
            .map_or(core::ptr::null(), |m| m as *const c_void);
        let has_kw = !kwnames.is_null() && crate::capi::ffi::size(kwnames) != 0;
        let no_kw = || {
            crate::python::errors::set_format(
                crate::exc!(TypeError),
                format_args!("{} takes no keyword arguments", funcstr()),
            );
            null_mut()
        };
        match flags {
            METH_NOARGS | METH_O | METH_FASTCALL if has_kw => no_kw(),
            METH_NOARGS => {
                if nargs != 0 {
                    crate::python::errors::set_format(
                        crate::exc!(TypeError),
                        format_args!("{} takes no arguments ({nargs} given)", funcstr()),
                    );
                    return null_mut();
                }
                let m: unsafe extern "C" fn(*mut PyObject, *mut PyObject) -> *mut PyObject =
                    core::mem::transmute(f);
                m(slf, null_mut())
            }
            METH_O => {
                if nargs != 1 {
                    crate::python::errors::set_format(
                        crate::exc!(TypeError),
                        format_args!("{} takes exactly one argument ({nargs} given)", funcstr()),
                    );
                    return null_mut();
                }
                let m: unsafe extern "C" fn(*mut PyObject, *mut PyObject) -> *mut PyObject =
                    core::mem::transmute(f);
                m(slf, *args)
            }
            METH_FASTCALL => {
                let m: unsafe extern "C" fn(
                    *mut PyObject,
                    *const *mut PyObject,
                    Py_ssize_t,
                ) -> *mut PyObject = core::mem::transmute(f);
                m(slf, args, nargs as Py_ssize_t)
            }
            0x0082 => {
                let m: unsafe extern "C" fn(
                    *mut PyObject,
                    *const *mut PyObject,
                    Py_ssize_t,
                    *mut PyObject,
                ) -> *mut PyObject = core::mem::transmute(f);
                m(slf, args, nargs as Py_ssize_t, kwnames)
            }
            0x0282 => {
                let m: unsafe extern "C" fn(
                    *mut PyObject,
                    *mut PyTypeObject,
                    *const *mut PyObject,
                    usize,
                    *mut PyObject,
                ) -> *mut PyObject = core::mem::transmute(f);
                m(slf, cls, args, nargs, kwnames)
            }
            METH_VARARGS | 0x0003 => {
                if has_kw && flags == METH_VARARGS {
                    return no_kw();
                }
                let t = crate::objects::tupleobject::tuple_from(core::slice::from_raw_parts(
                    args, nargs,
                ));
                if t.is_null() {
                    return t;
                }
                let kw = if has_kw {
                    crate::objects::call::kwnames_to_dict(args.add(nargs), kwnames)
                } else {
                    null_mut()
                };
                if has_kw && kw.is_null() {
                    crate::capi::ffi::decref(t);
                    return null_mut();
                }
                let r = if flags == METH_VARARGS {
                    let m: unsafe extern "C" fn(*mut PyObject, *mut PyObject) -> *mut PyObject =
                        core::mem::transmute(f);
                    m(slf, t)
                } else {
                    let m: unsafe extern "C" fn(
                        *mut PyObject,
                        *mut PyObject,
                        *mut PyObject,
                    ) -> *mut PyObject = core::mem::transmute(f);
                    m(slf, t, kw)
                };
                crate::capi::ffi::decref(t);
                crate::capi::ffi::xdecref(kw);
                r
            }
            _ => {
                crate::python::errors::set_format(
                    crate::exc!(SystemError),
                    format_args!(
                        "{} method: bad call flags",
                        CStr::from_ptr((*ml).ml_name).to_string_lossy()
                    ),
                );
                null_mut()
            }
        }
    }
}

/// `tp_call`: the vectorcall of the function (or its `METH_VARARGS` call).
unsafe extern "C" fn cfunction_call(
    op: *mut PyObject,
    args: *mut PyObject,
    kwargs: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: a function object; `args` a tuple.
    unsafe { crate::objects::call::PyVectorcall_Call(op, args, kwargs) }
}

/// Two built-ins are equal when they bind the same object to the same C function.
unsafe extern "C" fn cfunction_richcompare(
    a: *mut PyObject,
    b: *mut PyObject,
    op: c_int,
) -> *mut PyObject {
    // SAFETY: live objects.
    unsafe {
        if (op != Py_EQ && op != Py_NE) || !is_cfunction(a) || !is_cfunction(b) {
            return crate::capi::ffi::new_ref(crate::objects::object_ops::not_implemented());
        }
        let (x, y) = (a as *mut PyCFunctionObject, b as *mut PyCFunctionObject);
        let eq = (*x).m_self == (*y).m_self
            && crate::capi::ffi::fp((*(*x).m_ml).ml_meth)
                == crate::capi::ffi::fp((*(*y).m_ml).ml_meth);
        crate::capi::ffi::new_ref(crate::objects::boolobject::from_bool(eq == (op == Py_EQ)))
    }
}

/// The hash of the bound object's address combined with the C function's.
unsafe extern "C" fn cfunction_hash(op: *mut PyObject) -> Py_hash_t {
    // SAFETY: a function object.
    unsafe {
        let f = op as *mut PyCFunctionObject;
        let x = crate::objects::object_ops::hash_pointer((*f).m_self as usize);
        let y =
            crate::objects::object_ops::hash_pointer(crate::capi::ffi::fp((*(*f).m_ml).ml_meth));
        let h = x ^ y;
        if h == -1 { -2 } else { h }
    }
}

static mut CFUNCTION_METHODS: [PyMethodDef; 2] = [
    PyMethodDef {
        ml_name: c"__reduce__".as_ptr(),
        ml_meth: Some(cfunction_reduce),
        ml_flags: METH_NOARGS,
        ml_doc: core::ptr::null(),
    },
    PyMethodDef::SENTINEL,
];

static mut CFUNCTION_MEMBERS: [crate::objects::descrobject::PyMemberDef; 2] = [
    crate::objects::descrobject::PyMemberDef {
        name: c"__module__".as_ptr(),
        r#type: crate::python::structmember::T_OBJECT,
        offset: offset_of!(PyCFunctionObject, m_module) as Py_ssize_t,
        flags: 0,
        doc: core::ptr::null(),
    },
    crate::objects::descrobject::PyMemberDef::SENTINEL,
];

const fn cf_getset(
    name: &'static CStr,
    get: unsafe extern "C" fn(*mut PyObject, *mut c_void) -> *mut PyObject,
) -> crate::objects::descrobject::PyGetSetDef {
    crate::objects::descrobject::PyGetSetDef {
        name: name.as_ptr(),
        get: Some(get),
        set: None,
        doc: core::ptr::null(),
        closure: null_mut(),
    }
}

static mut CFUNCTION_GETSET: [crate::objects::descrobject::PyGetSetDef; 6] = [
    cf_getset(c"__doc__", cfunction_get_doc),
    cf_getset(c"__name__", cfunction_get_name),
    cf_getset(c"__qualname__", cfunction_get_qualname),
    cf_getset(c"__text_signature__", cfunction_get_text_signature),
    cf_getset(c"__self__", cfunction_get_self),
    crate::objects::descrobject::PyGetSetDef::SENTINEL,
];

unsafe fn ml_name<'a>(op: *mut PyObject) -> &'a str {
    // SAFETY: a function object with a named method table entry.
    unsafe {
        CStr::from_ptr((*(*(op as *mut PyCFunctionObject)).m_ml).ml_name)
            .to_str()
            .unwrap_or("?")
    }
}

unsafe extern "C" fn cfunction_get_doc(op: *mut PyObject, _c: *mut c_void) -> *mut PyObject {
    // SAFETY: a function object.
    unsafe {
        crate::objects::descrobject::doc_from_internal(
            ml_name(op),
            (*(*(op as *mut PyCFunctionObject)).m_ml).ml_doc,
        )
    }
}

unsafe extern "C" fn cfunction_get_text_signature(
    op: *mut PyObject,
    _c: *mut c_void,
) -> *mut PyObject {
    // SAFETY: a function object.
    unsafe {
        crate::objects::descrobject::text_signature_from_internal(
            ml_name(op),
            (*(*(op as *mut PyCFunctionObject)).m_ml).ml_doc,
        )
    }
}

unsafe extern "C" fn cfunction_get_name(op: *mut PyObject, _c: *mut c_void) -> *mut PyObject {
    // SAFETY: a function object.
    unsafe { str_from(ml_name(op)) }
}

unsafe extern "C" fn cfunction_get_qualname(op: *mut PyObject, _c: *mut c_void) -> *mut PyObject {
    // SAFETY: a function object: `TYPE.NAME` for a method, `NAME` for a function.
    unsafe {
        let f = op as *mut PyCFunctionObject;
        let s = (*f).m_self;
        if s.is_null() || crate::objects::moduleobject_check(s) {
            return str_from(ml_name(op));
        }
        let tp = if crate::capi::ffi::type_has(s, Py_TPFLAGS_TYPE_SUBCLASS) {
            s as *mut PyTypeObject
        } else {
            ty(s)
        };
        crate::objects::unicodeobject::str_format(format_args!(
            "{}.{}",
            crate::objects::typeobject::type_qualname(tp),
            ml_name(op)
        ))
    }
}

unsafe extern "C" fn cfunction_get_self(op: *mut PyObject, _c: *mut c_void) -> *mut PyObject {
    // SAFETY: a function object.
    unsafe {
        let s = (*(op as *mut PyCFunctionObject)).m_self;
        crate::capi::ffi::new_ref(if s.is_null() {
            crate::objects::object_ops::none()
        } else {
            s
        })
    }
}

unsafe extern "C" fn cfunction_reduce(op: *mut PyObject, _a: *mut PyObject) -> *mut PyObject {
    // SAFETY: a function object. CPython reduces a bound method to `(getattr, (self, name))`;
    // pycoro has no builtins module to name `getattr`, so only unbound functions reduce.
    unsafe {
        let s = (*(op as *mut PyCFunctionObject)).m_self;
        if s.is_null() || crate::objects::moduleobject_check(s) {
            return str_from(ml_name(op));
        }
        crate::python::errors::set_format(
            crate::exc!(TypeError),
            format_args!(
                "cannot pickle '{}' object",
                crate::objects::typeobject::tp_name_of(op)
            ),
        );
        null_mut()
    }
}
