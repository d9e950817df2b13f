//! `mappingproxy` (CPython keeps it in `Objects/descrobject.c`): a read-only view of a mapping,
//! what `type.__dict__` returns.

use crate::capi::boundary::guard;
use crate::capi::ffi::{decref, new_ref, ty};
use crate::modules::gcmodule::{track, untrack};
use crate::objects::object::*;
use crate::objects::typeobject::{static_type, tp_name_of};
use core::ffi::{c_int, c_void};
use core::mem::size_of;
use core::ptr::null_mut;

/// CPython's `mappingproxyobject` (24 bytes).
#[repr(C)]
struct MappingProxyObject {
    ob_base: PyObject,
    mapping: *mut PyObject,
}

static_assertions::const_assert_eq!(size_of::<MappingProxyObject>(), 24);

#[inline]
unsafe fn mapping(op: *mut PyObject) -> *mut PyObject {
    // SAFETY: a mappingproxy.
    unsafe { (*(op as *mut MappingProxyObject)).mapping }
}

unsafe extern "C" fn mp_dealloc(op: *mut PyObject) {
    // SAFETY: a dying mappingproxy.
    unsafe {
        untrack(op);
        decref(mapping(op));
        crate::modules::gcmodule::free_object(op);
    }
}

unsafe extern "C" fn mp_traverse(op: *mut PyObject, visit: visitproc, arg: *mut c_void) -> c_int {
    // SAFETY: a live mappingproxy.
    crate::capi::ffi::py_visit!(unsafe { mapping(op) }, visit, arg);
    0
}

unsafe extern "C" fn mp_len(op: *mut PyObject) -> Py_ssize_t {
    // SAFETY: a mappingproxy over a live mapping.
    unsafe { crate::objects::abstract_::size_of_object(mapping(op)) }
}

unsafe extern "C" fn mp_getitem(op: *mut PyObject, key: *mut PyObject) -> *mut PyObject {
    // SAFETY: a mappingproxy over a live mapping.
    unsafe { crate::objects::abstract_::get_item(mapping(op), key) }
}

unsafe extern "C" fn mp_contains(op: *mut PyObject, key: *mut PyObject) -> c_int {
    // SAFETY: a mappingproxy over a live mapping.
    unsafe { crate::objects::abstract_::sequence_contains(mapping(op), key) }
}

unsafe extern "C" fn mp_iter(op: *mut PyObject) -> *mut PyObject {
    // SAFETY: a mappingproxy over a live mapping.
    unsafe { crate::objects::iterobject::get_iter(mapping(op)) }
}

unsafe extern "C" fn mp_repr(op: *mut PyObject) -> *mut PyObject {
    // SAFETY: a mappingproxy over a live mapping.
    unsafe {
        let r = crate::objects::object_ops::repr(mapping(op));
        if r.is_null() {
            return r;
        }
        let s = format!(
            "mappingproxy({})",
            crate::objects::unicodeobject::str_as(r).unwrap_or("")
        );
        decref(r);
        crate::objects::unicodeobject::str_from(&s)
    }
}

unsafe extern "C" fn mp_str(op: *mut PyObject) -> *mut PyObject {
    // SAFETY: a mappingproxy over a live mapping.
    unsafe { crate::objects::object_ops::str(mapping(op)) }
}

unsafe extern "C" fn mp_richcompare(
    v: *mut PyObject,
    w: *mut PyObject,
    op: c_int,
) -> *mut PyObject {
    // SAFETY: `v` is a mappingproxy over a live mapping.
    unsafe { crate::objects::object_ops::rich_compare(mapping(v), w, op) }
}

/// `keys()`, `values()`, `items()` and `copy()` call the mapping's own methods (a dict's
/// views, a dict's copy); `get(key, default=None)` reads through the mapping.
static mut MP_METHODS: [crate::objects::methodobject::PyMethodDef; 7] = {
    use crate::objects::methodobject::{METH_NOARGS, METH_VARARGS, PyMethodDef};
    const fn m(
        name: &'static core::ffi::CStr,
        f: unsafe extern "C" fn(*mut PyObject, *mut PyObject) -> *mut PyObject,
        flags: c_int,
        doc: &'static core::ffi::CStr,
    ) -> PyMethodDef {
        PyMethodDef {
            ml_name: name.as_ptr(),
            ml_meth: Some(f),
            ml_flags: flags,
            ml_doc: doc.as_ptr(),
        }
    }
    [
        m(
            c"get",
            mp_get,
            METH_VARARGS,
            c"D.get(k[,d]) -> D[k] if k in D, else d.  d defaults to None.",
        ),
        m(
            c"keys",
            mp_keys,
            METH_NOARGS,
            c"D.keys() -> a set-like object providing a view on D's keys",
        ),
        m(
            c"values",
            mp_values,
            METH_NOARGS,
            c"D.values() -> an object providing a view on D's values",
        ),
        m(
            c"items",
            mp_items,
            METH_NOARGS,
            c"D.items() -> a set-like object providing a view on D's items",
        ),
        m(
            c"copy",
            mp_copy,
            METH_NOARGS,
            c"D.copy() -> a shallow copy of D",
        ),
        m(
            c"__reversed__",
            mp_reversed,
            METH_NOARGS,
            c"D.__reversed__() -> reverse iterator",
        ),
        PyMethodDef::SENTINEL,
    ]
};

unsafe fn forward(op: *mut PyObject, name: &str) -> *mut PyObject {
    // SAFETY: a mappingproxy over a live mapping.
    unsafe { crate::objects::call::call_method(mapping(op), name, &[]) }
}

unsafe extern "C" fn mp_keys(op: *mut PyObject, _a: *mut PyObject) -> *mut PyObject {
    // SAFETY: as forward.
    unsafe { forward(op, "keys") }
}
unsafe extern "C" fn mp_values(op: *mut PyObject, _a: *mut PyObject) -> *mut PyObject {
    // SAFETY: as forward.
    unsafe { forward(op, "values") }
}
unsafe extern "C" fn mp_items(op: *mut PyObject, _a: *mut PyObject) -> *mut PyObject {
    // SAFETY: as forward.
    unsafe { forward(op, "items") }
}
unsafe extern "C" fn mp_copy(op: *mut PyObject, _a: *mut PyObject) -> *mut PyObject {
    // SAFETY: as forward.
    unsafe { forward(op, "copy") }
}
unsafe extern "C" fn mp_reversed(op: *mut PyObject, _a: *mut PyObject) -> *mut PyObject {
    // SAFETY: as forward.
    unsafe { forward(op, "__reversed__") }
}

unsafe extern "C" fn mp_get(op: *mut PyObject, args: *mut PyObject) -> *mut PyObject {
    // SAFETY: a mappingproxy; `args` a tuple.
    unsafe {
        let n = crate::capi::ffi::size(args);
        if !(1..=2).contains(&n) {
            crate::python::errors::set_format(
                crate::exc!(TypeError),
                format_args!(
                    "get expected {} argument{}, got {n}",
                    if n < 1 { "at least 1" } else { "at most 2" },
                    if n < 1 { "" } else { "s" }
                ),
            );
            return null_mut();
        }
        let key = crate::objects::tupleobject::item(args, 0);
        let default = if n == 2 {
            crate::objects::tupleobject::item(args, 1)
        } else {
            crate::objects::object_ops::none()
        };
        let m = mapping(op);
        if crate::objects::dictobject::is_dict(m) {
            return match crate::objects::dictobject::get_item(m, key) {
                Err(()) => null_mut(),
                Ok(v) if v.is_null() => crate::capi::ffi::new_ref(default),
                Ok(v) => crate::capi::ffi::new_ref(v),
            };
        }
        crate::objects::call::call_method(m, "get", &[key, default])
    }
}

/// `mappingproxy(mapping)` (`tp_new`): CPython's argument checks (one argument, positional or
/// the keyword `mapping`) and mapping check; the result is always an exact mappingproxy.
unsafe extern "C" fn mp_new(
    _tp: *mut PyTypeObject,
    args: *mut PyObject,
    kwds: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: `args` a tuple, `kwds` a dict or NULL.
    unsafe {
        let nargs = crate::capi::ffi::size(args);
        let nkw = if kwds.is_null() {
            0
        } else {
            crate::capi::ffi::size(kwds)
        };
        if nargs + nkw > 1 {
            crate::python::errors::set_format(
                crate::exc!(TypeError),
                format_args!(
                    "mappingproxy() takes at most 1 argument ({} given)",
                    nargs + nkw
                ),
            );
            return null_mut();
        }
        let mapping = if nargs == 1 {
            crate::objects::tupleobject::item(args, 0)
        } else if nkw == 1 {
            let key = crate::objects::unicodeobject::str_from("mapping");
            if key.is_null() {
                return null_mut();
            }
            let found = crate::objects::dictobject::get_item(kwds, key);
            decref(key);
            match found {
                Err(()) => return null_mut(),
                Ok(m) => m,
            }
        } else {
            null_mut()
        };
        if mapping.is_null() {
            crate::python::errors::set_string(
                crate::exc!(TypeError),
                "mappingproxy() missing required argument 'mapping' (pos 1)",
            );
            return null_mut();
        }
        new_proxy(mapping)
    }
}

/// The mapping behind `op` when it is a mappingproxy, else `op`.
unsafe fn unwrap(op: *mut PyObject) -> *mut PyObject {
    // SAFETY: a live object.
    unsafe {
        if crate::objects::typeobject::is_subtype(ty(op), &raw mut PyDictProxy_Type) {
            mapping(op)
        } else {
            op
        }
    }
}

/// `a | b` (`nb_or`): the `|` of the mappings behind the proxies (a new dict for two dicts).
unsafe extern "C" fn mp_or(a: *mut PyObject, b: *mut PyObject) -> *mut PyObject {
    // SAFETY: live objects.
    unsafe { binary_or(unwrap(a), unwrap(b)) }
}

/// `a |= b` (`nb_inplace_or`): refused, a mappingproxy is read-only.
unsafe extern "C" fn mp_ior(a: *mut PyObject, _b: *mut PyObject) -> *mut PyObject {
    // SAFETY: a live object.
    unsafe {
        crate::python::errors::set_format(
            crate::exc!(TypeError),
            format_args!(
                "'|=' is not supported by {}; use '|' instead",
                tp_name_of(a)
            ),
        );
        null_mut()
    }
}

/// `v | w` as CPython's `PyNumber_Or`: the left operand's `nb_or`, the right one's (first when
/// its type is a subtype of the left's), `TypeError: unsupported operand type(s) for |: 'X'
/// and 'Y'` when both return NotImplemented.
unsafe fn binary_or(v: *mut PyObject, w: *mut PyObject) -> *mut PyObject {
    // SAFETY: live objects; the number slots follow their contracts.
    unsafe {
        let slot_of = |tp: *mut PyTypeObject| {
            let nb = (*tp).tp_as_number;
            if nb.is_null() { None } else { (*nb).nb_or }
        };
        let (tv, tw) = (ty(v), ty(w));
        let slotv = slot_of(tv);
        let mut slotw = if tw != tv { slot_of(tw) } else { None };
        if let (Some(a), Some(b)) = (slotv, slotw)
            && core::ptr::fn_addr_eq(a, b)
        {
            slotw = None;
        }
        let ni = crate::objects::object_ops::not_implemented();
        if let Some(fv) = slotv {
            if let Some(fw) = slotw
                && crate::objects::typeobject::is_subtype(tw, tv)
            {
                let x = fw(v, w);
                if x != ni {
                    return x;
                }
                decref(x);
                slotw = None;
            }
            let x = fv(v, w);
            if x != ni {
                return x;
            }
            decref(x);
        }
        if let Some(fw) = slotw {
            let x = fw(v, w);
            if x != ni {
                return x;
            }
            decref(x);
        }
        crate::python::errors::set_format(
            crate::exc!(TypeError),
            format_args!(
                "unsupported operand type(s) for |: '{}' and '{}'",
                tp_name_of(v),
                tp_name_of(w)
            ),
        );
        null_mut()
    }
}

static mut MP_AS_NUMBER: PyNumberMethods = PyNumberMethods {
    nb_or: Some(mp_or),
    nb_inplace_or: Some(mp_ior),
    ..crate::objects::longobject::EMPTY_NUMBER_METHODS
};

static mut MP_AS_MAPPING: PyMappingMethods = PyMappingMethods {
    mp_length: Some(mp_len),
    mp_subscript: Some(mp_getitem),
    mp_ass_subscript: None,
};

static mut MP_AS_SEQUENCE: PySequenceMethods = PySequenceMethods {
    sq_contains: Some(mp_contains),
    ..crate::objects::longobject::EMPTY_SEQUENCE_METHODS
};

/// The type `mappingproxy`.
#[unsafe(no_mangle)]
pub static mut PyDictProxy_Type: PyTypeObject = PyTypeObject {
    tp_getattro: Some(crate::objects::object_ops::PyObject_GenericGetAttr),
    tp_dealloc: Some(mp_dealloc),
    tp_repr: Some(mp_repr),
    tp_str: Some(mp_str),
    tp_traverse: Some(mp_traverse),
    tp_richcompare: Some(mp_richcompare),
    tp_iter: Some(mp_iter),
    tp_as_mapping: &raw mut MP_AS_MAPPING,
    tp_as_sequence: &raw mut MP_AS_SEQUENCE,
    tp_methods: (&raw const MP_METHODS) as *mut crate::objects::methodobject::PyMethodDef,
    tp_as_number: &raw mut MP_AS_NUMBER,
    tp_new: Some(mp_new),
    ..static_type(
        c"mappingproxy",
        size_of::<MappingProxyObject>(),
        Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_MAPPING,
    )
};

/// Returns a read-only view (`mappingproxy`) of `mapping`: reading, `len`, `in`, iteration and
/// `repr` go to the mapping; item assignment raises `TypeError("'mappingproxy' object does not
/// support item assignment")`.
///
/// Return value: New reference, or NULL with an exception set (`TypeError("mappingproxy()
/// argument must be a mapping, not X")` when `mapping` has no `mp_subscript` or is a list or
/// tuple; `SystemError` for NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyDictProxy_New(mapping: *mut PyObject) -> *mut PyObject {
    if mapping.is_null() {
        // SAFETY: setting the error indicator.
        unsafe { crate::python::errors::bad_internal_call() };
        return null_mut();
    }
    // SAFETY: a live object.
    guard("PyDictProxy_New", null_mut(), || unsafe {
        new_proxy(mapping)
    })
}

/// A new mappingproxy of `mapping` after CPython's mapping check. Return value: New reference,
/// or NULL with an exception set.
unsafe fn new_proxy(mapping: *mut PyObject) -> *mut PyObject {
    // SAFETY: a live mapping; the proxy holds a reference to it.
    unsafe {
        let mp = (*ty(mapping)).tp_as_mapping;
        let is_mapping = !mp.is_null() && (*mp).mp_subscript.is_some();
        if !is_mapping
            || crate::objects::listobject::is_list(mapping)
            || crate::objects::tupleobject::is_tuple(mapping)
        {
            crate::python::errors::set_format(
                crate::exc!(TypeError),
                format_args!(
                    "mappingproxy() argument must be a mapping, not {}",
                    tp_name_of(mapping)
                ),
            );
            return null_mut();
        }
        let op = crate::modules::gcmodule::alloc_object(
            &raw mut PyDictProxy_Type,
            size_of::<MappingProxyObject>(),
        );
        if op.is_null() {
            return op;
        }
        (*(op as *mut MappingProxyObject)).mapping = new_ref(mapping);
        track(op);
        op
    }
}
