//! Heap types (`Objects/typeobject.c`): classes made at run time by `type(name, bases, dict)`,
//! `PyType_FromSpec*` and `PyErr_NewException`, and the deallocation, traversal and clearing
//! of their instances (`subtype_dealloc`, `subtype_traverse`, `subtype_clear`).
//!
//! A heap type owns its dict, MRO, bases and names; each instance owns a reference to its type
//! (the 3.8+ rule), so a type lives as long as its instances. Heap types are GC objects.

use crate::capi::boundary::{check_null, guard};
use crate::capi::ffi::{decref, has_flag, incref, new_ref, obj, ty};
use crate::objects::descrobject::{PyGetSetDef, PyMemberDef};
use crate::objects::object::*;
use crate::objects::typeobject::{
    PyBaseObject_Type, PyType_GenericAlloc, PyType_Type, full_name, is_subtype, ready,
};
use crate::python::errors::set_string;
use core::ffi::{CStr, c_char, c_int, c_uint, c_void};
use core::mem::size_of;
use core::ptr::null_mut;
use static_assertions::const_assert_eq;

/// One slot of a `PyType_Spec`: a `Py_tp_*`/`Py_nb_*`/... number and its value.
#[repr(C)]
pub struct PyType_Slot {
    pub slot: c_int,
    pub pfunc: *mut c_void,
}

/// What `PyType_FromSpec` makes a type from: its dotted name, sizes, flags and slots (ending
/// with a slot numbered 0).
#[repr(C)]
pub struct PyType_Spec {
    pub name: *const c_char,
    pub basicsize: c_int,
    pub itemsize: c_int,
    pub flags: c_uint,
    pub slots: *mut PyType_Slot,
}

const_assert_eq!(size_of::<PyType_Slot>(), 16);
const_assert_eq!(size_of::<PyType_Spec>(), 32);

/// Where slot number `n` (`Include/typeslots.h`) goes: `(table, field)` byte offsets, `table`
/// being the offset of the protocol table pointer in the type (or -1 for the type itself).
fn slot_offsets(n: c_int) -> Option<(isize, usize)> {
    use core::mem::offset_of as o;
    let tp = |f: usize| Some((-1isize, f));
    let nb = |f: usize| Some((o!(PyTypeObject, tp_as_number) as isize, f));
    let sq = |f: usize| Some((o!(PyTypeObject, tp_as_sequence) as isize, f));
    let mp = |f: usize| Some((o!(PyTypeObject, tp_as_mapping) as isize, f));
    let am = |f: usize| Some((o!(PyTypeObject, tp_as_async) as isize, f));
    let bf = |f: usize| Some((o!(PyTypeObject, tp_as_buffer) as isize, f));
    type N = PyNumberMethods;
    type S = PySequenceMethods;
    type M = PyMappingMethods;
    type A = PyAsyncMethods;
    type B = PyBufferProcs;
    type T = PyTypeObject;
    match n {
        1 => bf(o!(B, bf_getbuffer)),
        2 => bf(o!(B, bf_releasebuffer)),
        3 => mp(o!(M, mp_ass_subscript)),
        4 => mp(o!(M, mp_length)),
        5 => mp(o!(M, mp_subscript)),
        6 => nb(o!(N, nb_absolute)),
        7 => nb(o!(N, nb_add)),
        8 => nb(o!(N, nb_and)),
        9 => nb(o!(N, nb_bool)),
        10 => nb(o!(N, nb_divmod)),
        11 => nb(o!(N, nb_float)),
        12 => nb(o!(N, nb_floor_divide)),
        13 => nb(o!(N, nb_index)),
        14 => nb(o!(N, nb_inplace_add)),
        15 => nb(o!(N, nb_inplace_and)),
        16 => nb(o!(N, nb_inplace_floor_divide)),
        17 => nb(o!(N, nb_inplace_lshift)),
        18 => nb(o!(N, nb_inplace_multiply)),
        19 => nb(o!(N, nb_inplace_or)),
        20 => nb(o!(N, nb_inplace_power)),
        21 => nb(o!(N, nb_inplace_remainder)),
        22 => nb(o!(N, nb_inplace_rshift)),
        23 => nb(o!(N, nb_inplace_subtract)),
        24 => nb(o!(N, nb_inplace_true_divide)),
        25 => nb(o!(N, nb_inplace_xor)),
        26 => nb(o!(N, nb_int)),
        27 => nb(o!(N, nb_invert)),
        28 => nb(o!(N, nb_lshift)),
        29 => nb(o!(N, nb_multiply)),
        30 => nb(o!(N, nb_negative)),
        31 => nb(o!(N, nb_or)),
        32 => nb(o!(N, nb_positive)),
        33 => nb(o!(N, nb_power)),
        34 => nb(o!(N, nb_remainder)),
        35 => nb(o!(N, nb_rshift)),
        36 => nb(o!(N, nb_subtract)),
        37 => nb(o!(N, nb_true_divide)),
        38 => nb(o!(N, nb_xor)),
        39 => sq(o!(S, sq_ass_item)),
        40 => sq(o!(S, sq_concat)),
        41 => sq(o!(S, sq_contains)),
        42 => sq(o!(S, sq_inplace_concat)),
        43 => sq(o!(S, sq_inplace_repeat)),
        44 => sq(o!(S, sq_item)),
        45 => sq(o!(S, sq_length)),
        46 => sq(o!(S, sq_repeat)),
        47 => tp(o!(T, tp_alloc)),
        48 => tp(o!(T, tp_base)),
        49 => tp(o!(T, tp_bases)),
        50 => tp(o!(T, tp_call)),
        51 => tp(o!(T, tp_clear)),
        52 => tp(o!(T, tp_dealloc)),
        53 => tp(o!(T, tp_del)),
        54 => tp(o!(T, tp_descr_get)),
        55 => tp(o!(T, tp_descr_set)),
        56 => tp(o!(T, tp_doc)),
        57 => tp(o!(T, tp_getattr)),
        58 => tp(o!(T, tp_getattro)),
        59 => tp(o!(T, tp_hash)),
        60 => tp(o!(T, tp_init)),
        61 => tp(o!(T, tp_is_gc)),
        62 => tp(o!(T, tp_iter)),
        63 => tp(o!(T, tp_iternext)),
        64 => tp(o!(T, tp_methods)),
        65 => tp(o!(T, tp_new)),
        66 => tp(o!(T, tp_repr)),
        67 => tp(o!(T, tp_richcompare)),
        68 => tp(o!(T, tp_setattr)),
        69 => tp(o!(T, tp_setattro)),
        70 => tp(o!(T, tp_str)),
        71 => tp(o!(T, tp_traverse)),
        72 => tp(o!(T, tp_members)),
        73 => tp(o!(T, tp_getset)),
        74 => tp(o!(T, tp_free)),
        75 => nb(o!(N, nb_matrix_multiply)),
        76 => nb(o!(N, nb_inplace_matrix_multiply)),
        77 => am(o!(A, am_await)),
        78 => am(o!(A, am_aiter)),
        79 => am(o!(A, am_anext)),
        80 => tp(o!(T, tp_finalize)),
        81 => am(o!(A, am_send)),
        _ => None,
    }
}

/// The members a heap type keeps after its type object (`PyHeapType_GET_MEMBERS`).
unsafe fn heap_members(h: *mut PyHeapTypeObject) -> *mut PyMemberDef {
    // SAFETY: allocated with room for them by PyType_GenericAlloc(&PyType_Type, n).
    unsafe { (h as *mut u8).add((*ty(obj(h))).tp_basicsize as usize) as *mut PyMemberDef }
}

/// CPython's `extra_ivars`: whether `tp` adds C fields to `base` (not counting a `__dict__`
/// and `__weakref__` slot added by a heap type).
unsafe fn extra_ivars(tp: *mut PyTypeObject, base: *mut PyTypeObject) -> bool {
    // SAFETY: live types.
    unsafe {
        let ptr = size_of::<*mut PyObject>() as Py_ssize_t;
        let mut t_size = (*tp).tp_basicsize;
        let b_size = (*base).tp_basicsize;
        if (*tp).tp_itemsize != 0 || (*base).tp_itemsize != 0 {
            return t_size != b_size || (*tp).tp_itemsize != (*base).tp_itemsize;
        }
        let heap = has_flag(tp, Py_TPFLAGS_HEAPTYPE);
        if (*tp).tp_weaklistoffset != 0
            && (*base).tp_weaklistoffset == 0
            && (*tp).tp_weaklistoffset + ptr == t_size
            && heap
        {
            t_size -= ptr;
        }
        if (*tp).tp_dictoffset != 0
            && (*base).tp_dictoffset == 0
            && (*tp).tp_dictoffset + ptr == t_size
            && heap
        {
            t_size -= ptr;
        }
        t_size != b_size
    }
}

unsafe fn solid_base(tp: *mut PyTypeObject) -> *mut PyTypeObject {
    // SAFETY: live types; the base chain is finite (bounded by readying).
    unsafe {
        let mut chain = Vec::new();
        let mut t = tp;
        while !t.is_null() {
            chain.push(t);
            t = (*t).tp_base;
        }
        let mut base = &raw mut PyBaseObject_Type;
        for &t in chain.iter().rev() {
            if extra_ivars(t, base) {
                base = t;
            }
        }
        base
    }
}

/// CPython's `best_base`: the base whose layout every other base's extends, with its errors.
unsafe fn best_base(bases: *mut PyObject) -> *mut PyTypeObject {
    // SAFETY: a tuple.
    unsafe {
        let mut base: *mut PyTypeObject = null_mut();
        let mut winner: *mut PyTypeObject = null_mut();
        for &b in crate::objects::tupleobject::as_slice(bases) {
            if !crate::capi::ffi::type_has(b, Py_TPFLAGS_TYPE_SUBCLASS) {
                set_string(crate::exc!(TypeError), "bases must be types");
                return null_mut();
            }
            let bt = b as *mut PyTypeObject;
            if (*bt).tp_dict.is_null() && ready(bt) < 0 {
                return null_mut();
            }
            if !has_flag(bt, Py_TPFLAGS_BASETYPE) {
                crate::python::errors::set_format(
                    crate::exc!(TypeError),
                    format_args!("type '{}' is not an acceptable base type", full_name(bt)),
                );
                return null_mut();
            }
            let cand = solid_base(bt);
            if winner.is_null() {
                winner = cand;
                base = bt;
            } else if is_subtype(winner, cand) {
            } else if is_subtype(cand, winner) {
                winner = cand;
                base = bt;
            } else {
                set_string(
                    crate::exc!(TypeError),
                    "multiple bases have instance lay-out conflict",
                );
                return null_mut();
            }
        }
        base
    }
}

/// Allocates an empty heap type object with room for `nmembers` members after it.
unsafe fn alloc_heap_type(nmembers: Py_ssize_t) -> *mut PyHeapTypeObject {
    // SAFETY: `type`'s allocation: zeroed, refcount 1, GC-tracked.
    unsafe {
        let h = PyType_GenericAlloc(&raw mut PyType_Type, nmembers) as *mut PyHeapTypeObject;
        if h.is_null() {
            return h;
        }
        let t = &mut (*h).ht_type;
        t.tp_as_async = &raw mut (*h).as_async;
        t.tp_as_number = &raw mut (*h).as_number;
        t.tp_as_sequence = &raw mut (*h).as_sequence;
        t.tp_as_mapping = &raw mut (*h).as_mapping;
        t.tp_as_buffer = &raw mut (*h).as_buffer;
        h
    }
}

/// A NUL-terminated copy of `text` on the C heap (a heap type's `tp_doc`; freed by
/// `type_dealloc`), or NULL with `MemoryError` set.
unsafe fn c_copy(text: &[u8]) -> *const c_char {
    // SAFETY: a fresh buffer of len + 1 bytes.
    unsafe {
        let p = libc::malloc(text.len() + 1) as *mut u8;
        if p.is_null() {
            crate::python::errors::no_memory();
            return core::ptr::null();
        }
        core::ptr::copy_nonoverlapping(text.as_ptr(), p, text.len());
        *p.add(text.len()) = 0;
        p as *const c_char
    }
}

/// `type.__new__(meta, name, bases, dict)`: the metatype's `tp_new`. As in CPython 3.10, the
/// one-argument `type(x)` and the "type() takes 1 or 3 arguments" check belong to calling
/// `type` itself (`type_call`); `tp_new` wants exactly three arguments.
pub(crate) unsafe extern "C" fn type_new(
    meta: *mut PyTypeObject,
    args: *mut PyObject,
    kwds: *mut PyObject,
) -> *mut PyObject {
    let _ = kwds;
    // SAFETY: `args` a tuple, `kwds` a dict or NULL.
    unsafe {
        let n = crate::capi::ffi::size(args);
        if n != 3 {
            crate::python::errors::set_format(
                crate::exc!(TypeError),
                format_args!("type.__new__() takes exactly 3 arguments ({n} given)"),
            );
            return null_mut();
        }
        let [name, bases, dict] = [0, 1, 2].map(|i| crate::objects::tupleobject::item(args, i));
        let arg_err = |i: i32, what: &str, v: *mut PyObject| {
            crate::python::errors::set_format(
                crate::exc!(TypeError),
                format_args!(
                    "type.__new__() argument {i} must be {what}, not {}",
                    crate::objects::typeobject::tp_name_of(v)
                ),
            );
            null_mut()
        };
        if !crate::objects::unicodeobject::is_str(name) {
            return arg_err(1, "str", name);
        }
        if !crate::objects::tupleobject::is_tuple(bases) {
            return arg_err(2, "tuple", bases);
        }
        if !crate::objects::dictobject::is_dict(dict) {
            return arg_err(3, "dict", dict);
        }
        let mut meta = meta;
        if crate::capi::ffi::size(bases) > 0 {
            for i in 0..crate::capi::ffi::size(bases) {
                let b = crate::objects::tupleobject::item(bases, i);
                if crate::capi::ffi::type_has(b, Py_TPFLAGS_TYPE_SUBCLASS) {
                    continue;
                }
                match crate::objects::call::lookup_attr(b, "__mro_entries__") {
                    Err(()) => return null_mut(),
                    Ok(m) if !m.is_null() => {
                        decref(m);
                        set_string(
                            crate::exc!(TypeError),
                            "type() doesn't support MRO entry resolution; use types.new_class()",
                        );
                        return null_mut();
                    }
                    Ok(_) => {}
                }
            }
            let winner = calculate_metaclass(meta, bases);
            if winner.is_null() {
                return null_mut();
            }
            if winner != meta {
                // A more derived metatype among the bases' types makes the class; one with its
                // own tp_new is handed the whole call.
                let own: newfunc = Some(type_new);
                match (*winner).tp_new {
                    Some(new) if crate::capi::ffi::fp(Some(new)) != crate::capi::ffi::fp(own) => {
                        return new(winner, args, kwds);
                    }
                    _ => meta = winner,
                }
            }
        }
        new_class(meta, name, bases, dict)
    }
}

/// CPython's `_PyType_CalculateMetaclass`: the most derived of `meta` and the types of the
/// bases, which must form a chain; else `TypeError`.
unsafe fn calculate_metaclass(meta: *mut PyTypeObject, bases: *mut PyObject) -> *mut PyTypeObject {
    // SAFETY: a live type and a tuple.
    unsafe {
        let mut winner = meta;
        for i in 0..crate::capi::ffi::size(bases) {
            let t = ty(crate::objects::tupleobject::item(bases, i));
            if crate::objects::typeobject::is_subtype(winner, t) {
                continue;
            }
            if crate::objects::typeobject::is_subtype(t, winner) {
                winner = t;
                continue;
            }
            set_string(
                crate::exc!(TypeError),
                "metaclass conflict: the metaclass of a derived class must be a (non-strict) \
                 subclass of the metaclasses of all its bases",
            );
            return null_mut();
        }
        winner
    }
}

/// Makes the class `name(*bases)` with namespace `dict` (copied).
unsafe fn new_class(
    meta: *mut PyTypeObject,
    name: *mut PyObject,
    bases: *mut PyObject,
    dict: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: a str, a tuple and a dict.
    unsafe {
        let bases = if crate::capi::ffi::size(bases) == 0 {
            crate::objects::tupleobject::tuple_from(&[obj(&raw mut PyBaseObject_Type)])
        } else {
            new_ref(bases)
        };
        if bases.is_null() {
            return null_mut();
        }
        let base = best_base(bases);
        if base.is_null() {
            decref(bases);
            return null_mut();
        }
        // As CPython: the bases are checked before the name.
        let Some(name_text) = crate::objects::unicodeobject::str_as(name) else {
            decref(bases);
            return null_mut();
        };
        if name_text.contains('\0') {
            decref(bases);
            set_string(
                crate::exc!(ValueError),
                "type name must not contain null characters",
            );
            return null_mut();
        }
        let slots_key = crate::objects::unicodeobject::intern("__slots__");
        match crate::objects::dictobject::get_item(dict, slots_key) {
            Err(()) => {
                decref(bases);
                return null_mut();
            }
            Ok(v) if !v.is_null() => {
                decref(bases);
                set_string(
                    crate::exc!(TypeError),
                    "pycoro: classes with __slots__ are not supported (no Python-level slots)",
                );
                return null_mut();
            }
            Ok(_) => {}
        }
        let dict = crate::objects::dictobject::copy_dict(dict);
        if dict.is_null() {
            decref(bases);
            return null_mut();
        }
        let h = alloc_heap_type(0);
        if h.is_null() {
            decref(bases);
            decref(dict);
            return null_mut();
        }
        let tp = h as *mut PyTypeObject;
        let t = &mut *tp;
        if meta != &raw mut PyType_Type {
            // A metatype subclass: the instance is of that metatype.
            let old = t.ob_base.ob_base.ob_type;
            incref(obj(meta));
            t.ob_base.ob_base.ob_type = meta;
            decref(obj(old));
        }
        t.tp_flags = Py_TPFLAGS_HEAPTYPE | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC;
        t.tp_bases = bases;
        incref(obj(base));
        t.tp_base = base;
        t.tp_dict = dict;
        (*h).ht_name = new_ref(name);
        t.tp_name = crate::objects::unicodeobject::PyUnicode_AsUTF8(name);
        // __qualname__ from the namespace (removed from it), else the name.
        let qk = crate::objects::unicodeobject::intern("__qualname__");
        let fail = |tp: *mut PyTypeObject| {
            decref(obj(tp));
            null_mut()
        };
        match crate::objects::dictobject::get_item(dict, qk) {
            Err(()) => return fail(tp),
            Ok(q) if !q.is_null() => {
                if !crate::objects::unicodeobject::is_str(q) {
                    crate::python::errors::set_format(
                        crate::exc!(TypeError),
                        format_args!(
                            "type __qualname__ must be a str, not {}",
                            crate::objects::typeobject::tp_name_of(q)
                        ),
                    );
                    return fail(tp);
                }
                (*h).ht_qualname = new_ref(q);
                if crate::objects::dictobject::del_item(dict, qk) < 0 {
                    return fail(tp);
                }
            }
            Ok(_) => (*h).ht_qualname = new_ref(name),
        }
        // __module__: the namespace's, else the running frame's globals' __name__.
        let mk = crate::objects::unicodeobject::intern("__module__");
        match crate::objects::dictobject::get_item(dict, mk) {
            Err(()) => return fail(tp),
            Ok(m) if m.is_null() => {
                let f = (*crate::python::pystate::tstate()).frame;
                if !f.is_null() {
                    let g = (*f).f_globals;
                    if !g.is_null() && crate::objects::dictobject::is_dict(g) {
                        let nk = crate::objects::unicodeobject::intern("__name__");
                        match crate::objects::dictobject::get_item(g, nk) {
                            Err(()) => return fail(tp),
                            Ok(v) if !v.is_null() => {
                                if crate::objects::dictobject::set_item(dict, mk, v) < 0 {
                                    return fail(tp);
                                }
                            }
                            Ok(_) => {}
                        }
                    }
                }
            }
            Ok(_) => {}
        }
        // tp_doc from a str __doc__.
        let dk = crate::objects::unicodeobject::intern("__doc__");
        match crate::objects::dictobject::get_item(dict, dk) {
            Err(()) => return fail(tp),
            Ok(d) if !d.is_null() && crate::objects::unicodeobject::is_str(d) => {
                let mut len: Py_ssize_t = 0;
                let p = crate::objects::unicodeobject::PyUnicode_AsUTF8AndSize(d, &mut len);
                if p.is_null() {
                    return fail(tp);
                }
                let copy = c_copy(core::slice::from_raw_parts(p as *const u8, len as usize));
                if copy.is_null() {
                    return fail(tp);
                }
                t.tp_doc = copy;
            }
            Ok(_) => {}
        }
        // Layout: the base's, plus a __dict__ and a __weakref__ slot where the base has none.
        let ptr = size_of::<*mut PyObject>() as Py_ssize_t;
        let mut slotoffset = (*base).tp_basicsize;
        let add_dict = (*base).tp_dictoffset == 0;
        let add_weak = (*base).tp_weaklistoffset == 0 && (*base).tp_itemsize == 0;
        if add_dict {
            t.tp_dictoffset = if (*base).tp_itemsize != 0 {
                -ptr
            } else {
                slotoffset
            };
            slotoffset += ptr;
        }
        if add_weak {
            t.tp_weaklistoffset = slotoffset;
            slotoffset += ptr;
        }
        t.tp_basicsize = slotoffset;
        t.tp_itemsize = (*base).tp_itemsize;
        t.tp_getset = match (add_dict, add_weak) {
            (true, true) => (&raw mut SUBTYPE_GETSETS_FULL) as *mut PyGetSetDef,
            (false, true) => (&raw mut SUBTYPE_GETSETS_WEAKREF) as *mut PyGetSetDef,
            (true, false) => (&raw mut SUBTYPE_GETSETS_DICT) as *mut PyGetSetDef,
            (false, false) => null_mut(),
        };
        t.tp_dealloc = Some(subtype_dealloc);
        t.tp_traverse = Some(subtype_traverse);
        t.tp_clear = Some(subtype_clear);
        t.tp_alloc = Some(PyType_GenericAlloc);
        t.tp_free = Some(crate::modules::gcmodule::PyObject_GC_Del);
        if ready(tp) < 0 {
            return fail(tp);
        }
        obj(tp)
    }
}

static mut SUBTYPE_GETSETS_FULL: [PyGetSetDef; 3] =
    [DICT_GETSET, WEAKREF_GETSET, PyGetSetDef::SENTINEL];
static mut SUBTYPE_GETSETS_DICT: [PyGetSetDef; 2] = [DICT_GETSET, PyGetSetDef::SENTINEL];
static mut SUBTYPE_GETSETS_WEAKREF: [PyGetSetDef; 2] = [WEAKREF_GETSET, PyGetSetDef::SENTINEL];

const DICT_GETSET: PyGetSetDef = PyGetSetDef {
    name: c"__dict__".as_ptr(),
    get: Some(crate::objects::object_ops::PyObject_GenericGetDict),
    set: Some(crate::objects::object_ops::PyObject_GenericSetDict),
    doc: c"dictionary for instance variables (if defined)".as_ptr(),
    closure: null_mut(),
};

const WEAKREF_GETSET: PyGetSetDef = PyGetSetDef {
    name: c"__weakref__".as_ptr(),
    get: Some(subtype_getweakref),
    set: None,
    doc: c"list of weak references to the object (if defined)".as_ptr(),
    closure: null_mut(),
};

unsafe extern "C" fn subtype_getweakref(op: *mut PyObject, _c: *mut c_void) -> *mut PyObject {
    // SAFETY: an instance of a type with a weak reference list slot.
    unsafe {
        let off = (*ty(op)).tp_weaklistoffset;
        if off <= 0 {
            set_string(
                crate::exc!(AttributeError),
                "This object has no __weakref__",
            );
            return null_mut();
        }
        let r = *((op as *mut u8).offset(off) as *mut *mut PyObject);
        new_ref(if r.is_null() {
            crate::objects::object_ops::none()
        } else {
            r
        })
    }
}

/// The nearest base of `tp` whose `tp_dealloc` is not `subtype_dealloc`.
unsafe fn static_base(tp: *mut PyTypeObject) -> *mut PyTypeObject {
    // SAFETY: a heap type whose base chain ends at a static type.
    unsafe {
        let mut b = tp;
        while !b.is_null()
            && crate::capi::ffi::fp((*b).tp_dealloc)
                == crate::capi::ffi::fp::<unsafe extern "C" fn(*mut PyObject)>(Some(
                    subtype_dealloc,
                ))
        {
            b = (*b).tp_base;
        }
        b
    }
}

/// The instance dict slot a heap type added (not one its static base has).
unsafe fn added_dict(
    op: *mut PyObject,
    tp: *mut PyTypeObject,
    base: *mut PyTypeObject,
) -> *mut *mut PyObject {
    // SAFETY: live instance and types.
    unsafe {
        if (*tp).tp_dictoffset != 0 && (*base).tp_dictoffset == 0 {
            crate::objects::object_ops::dict_ptr(op)
        } else {
            null_mut()
        }
    }
}

/// `tp_dealloc` of heap types without their own: finalizer, the added dict, the static base's
/// dealloc, and the reference to the type.
pub(crate) unsafe extern "C" fn subtype_dealloc(op: *mut PyObject) {
    // SAFETY: a dying instance of a heap type.
    unsafe {
        let tp = ty(op);
        let base = static_base(tp);
        let gc = has_flag(tp, Py_TPFLAGS_HAVE_GC);
        if gc {
            crate::modules::gcmodule::untrack(op);
        }
        if (*tp).tp_finalize.is_some() {
            if gc {
                crate::modules::gcmodule::track(op);
            }
            if crate::modules::gcmodule::PyObject_CallFinalizerFromDealloc(op) < 0 {
                return;
            }
            if gc {
                crate::modules::gcmodule::untrack(op);
            }
        }
        let dp = added_dict(op, tp, base);
        if !dp.is_null() {
            crate::capi::ffi::clear(dp);
        }
        if gc && has_flag(base, Py_TPFLAGS_HAVE_GC) {
            crate::modules::gcmodule::track(op);
        }
        let needs_decref =
            has_flag(tp, Py_TPFLAGS_HEAPTYPE) && !has_flag(base, Py_TPFLAGS_HEAPTYPE);
        match (*base).tp_dealloc {
            Some(d) => d(op),
            None => crate::modules::gcmodule::free_object(op),
        }
        if needs_decref {
            decref(obj(tp));
        }
    }
}

unsafe extern "C" fn subtype_traverse(
    op: *mut PyObject,
    visit: visitproc,
    arg: *mut c_void,
) -> c_int {
    // SAFETY: an instance of a heap type.
    unsafe {
        let tp = ty(op);
        let mut base = tp;
        while !base.is_null()
            && crate::capi::ffi::fp((*base).tp_traverse)
                == crate::capi::ffi::fp::<
                    unsafe extern "C" fn(*mut PyObject, visitproc, *mut c_void) -> c_int,
                >(Some(subtype_traverse))
        {
            base = (*base).tp_base;
        }
        if !base.is_null() {
            let dp = added_dict(op, tp, base);
            if !dp.is_null() {
                crate::capi::ffi::py_visit!(*dp, visit, arg);
            }
        }
        if has_flag(tp, Py_TPFLAGS_HEAPTYPE)
            && (base.is_null() || !has_flag(base, Py_TPFLAGS_HEAPTYPE))
        {
            crate::capi::ffi::py_visit!(tp, visit, arg);
        }
        if !base.is_null()
            && let Some(t) = (*base).tp_traverse
        {
            return t(op, visit, arg);
        }
    }
    0
}

unsafe extern "C" fn subtype_clear(op: *mut PyObject) -> c_int {
    // SAFETY: an instance of a heap type.
    unsafe {
        let tp = ty(op);
        let mut base = tp;
        while !base.is_null()
            && crate::capi::ffi::fp((*base).tp_clear)
                == crate::capi::ffi::fp::<unsafe extern "C" fn(*mut PyObject) -> c_int>(Some(
                    subtype_clear,
                ))
        {
            base = (*base).tp_base;
        }
        if !base.is_null() {
            let dp = added_dict(op, tp, base);
            if !dp.is_null() {
                crate::capi::ffi::clear(dp);
            }
            if let Some(c) = (*base).tp_clear {
                return c(op);
            }
        }
    }
    0
}

/// Makes a heap type from `spec`, with `bases` (a type, a tuple of types, or NULL: the spec's
/// `Py_tp_base`/`Py_tp_bases` slot, else `object`) and `module` (may be NULL; kept as
/// `__module__`'s owner for `PyType_GetModule`).
///
/// Return value: New reference, or NULL with an exception set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyType_FromModuleAndSpec(
    module: *mut PyObject,
    spec: *mut PyType_Spec,
    bases: *mut PyObject,
) -> *mut PyObject {
    check_null!(spec, null_mut());
    guard("PyType_FromModuleAndSpec", null_mut(), || unsafe {
        from_spec(module, spec, bases)
    })
}

/// `PyType_FromModuleAndSpec(NULL, spec, bases)`.
///
/// Return value: New reference, or NULL with an exception set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyType_FromSpecWithBases(
    spec: *mut PyType_Spec,
    bases: *mut PyObject,
) -> *mut PyObject {
    check_null!(spec, null_mut());
    guard("PyType_FromSpecWithBases", null_mut(), || unsafe {
        from_spec(null_mut(), spec, bases)
    })
}

/// `PyType_FromModuleAndSpec(NULL, spec, NULL)`.
///
/// Return value: New reference, or NULL with an exception set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyType_FromSpec(spec: *mut PyType_Spec) -> *mut PyObject {
    check_null!(spec, null_mut());
    guard("PyType_FromSpec", null_mut(), || unsafe {
        from_spec(null_mut(), spec, null_mut())
    })
}

unsafe fn from_spec(
    module: *mut PyObject,
    spec: *mut PyType_Spec,
    bases: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: a spec whose slot array ends with slot 0 and whose strings are NUL-terminated.
    unsafe {
        let sp = &*spec;
        if sp.name.is_null() || sp.slots.is_null() {
            crate::python::errors::bad_internal_call();
            return null_mut();
        }
        let full = CStr::from_ptr(sp.name).to_bytes();
        let mut nmembers: Py_ssize_t = 0;
        let (mut weakoff, mut dictoff, mut vcoff) = (0, 0, 0);
        let mut s = sp.slots;
        while (*s).slot != 0 {
            if (*s).slot == 72 && !(*s).pfunc.is_null() {
                nmembers = 0;
                let mut m = (*s).pfunc as *mut PyMemberDef;
                while !(*m).name.is_null() {
                    nmembers += 1;
                    match CStr::from_ptr((*m).name).to_bytes() {
                        b"__weaklistoffset__" => weakoff = (*m).offset,
                        b"__dictoffset__" => dictoff = (*m).offset,
                        b"__vectorcalloffset__" => vcoff = (*m).offset,
                        _ => {}
                    }
                    m = m.add(1);
                }
            }
            s = s.add(1);
        }
        let h = alloc_heap_type(nmembers);
        if h.is_null() {
            return null_mut();
        }
        let tp = h as *mut PyTypeObject;
        let tpo = obj(tp);
        let fail = || {
            decref(tpo);
            null_mut()
        };
        (*h).ht_module = crate::capi::ffi::xnew_ref(module);
        let short = match full.iter().rposition(|&c| c == b'.') {
            Some(i) => &full[i + 1..],
            None => full,
        };
        (*tp).tp_flags = sp.flags as core::ffi::c_ulong | Py_TPFLAGS_HEAPTYPE;
        (*h).ht_name = crate::objects::unicodeobject::decode_utf8(short);
        if (*h).ht_name.is_null() {
            return fail();
        }
        (*h).ht_qualname = new_ref((*h).ht_name);
        (*tp).tp_name = sp.name;
        // Bases.
        let bases = if bases.is_null() {
            let mut base = obj(&raw mut PyBaseObject_Type);
            let mut given: *mut PyObject = null_mut();
            let mut s = sp.slots;
            while (*s).slot != 0 {
                match (*s).slot {
                    48 => base = (*s).pfunc as *mut PyObject,
                    49 => given = (*s).pfunc as *mut PyObject,
                    _ => {}
                }
                s = s.add(1);
            }
            if given.is_null() {
                crate::objects::tupleobject::tuple_from(&[base])
            } else {
                new_ref(given)
            }
        } else if !crate::objects::tupleobject::is_tuple(bases) {
            crate::objects::tupleobject::tuple_from(&[bases])
        } else {
            new_ref(bases)
        };
        if bases.is_null() {
            return fail();
        }
        (*tp).tp_bases = bases;
        if !crate::objects::tupleobject::is_tuple(bases) {
            set_string(crate::exc!(TypeError), "bases must be a tuple");
            return fail();
        }
        let base = best_base(bases);
        if base.is_null() {
            return fail();
        }
        if !has_flag(base, Py_TPFLAGS_BASETYPE) {
            crate::python::errors::set_format(
                crate::exc!(TypeError),
                format_args!("type '{}' is not an acceptable base type", full_name(base)),
            );
            return fail();
        }
        incref(obj(base));
        (*tp).tp_base = base;
        (*tp).tp_basicsize = sp.basicsize as Py_ssize_t;
        (*tp).tp_itemsize = sp.itemsize as Py_ssize_t;
        let mut s = sp.slots;
        while (*s).slot != 0 {
            let n = (*s).slot;
            let Some((table, field)) = slot_offsets(n) else {
                set_string(crate::exc!(RuntimeError), "invalid slot offset");
                return fail();
            };
            match n {
                48 | 49 => {}
                56 => {
                    if (*s).pfunc.is_null() {
                        (*tp).tp_doc = core::ptr::null();
                    } else {
                        let text = CStr::from_ptr((*s).pfunc as *const c_char).to_bytes();
                        let copy = c_copy(text);
                        if copy.is_null() {
                            return fail();
                        }
                        if !(*tp).tp_doc.is_null() {
                            libc::free((*tp).tp_doc as *mut c_void);
                        }
                        (*tp).tp_doc = copy;
                    }
                }
                72 => {
                    if !(*s).pfunc.is_null() {
                        let dst = heap_members(h);
                        core::ptr::copy_nonoverlapping(
                            (*s).pfunc as *const PyMemberDef,
                            dst,
                            nmembers as usize,
                        );
                        (*tp).tp_members = dst;
                    }
                }
                _ => {
                    let start = tp as *mut u8;
                    let place = if table < 0 {
                        start.add(field)
                    } else {
                        (*(start.add(table as usize) as *mut *mut u8)).add(field)
                    };
                    *(place as *mut *mut c_void) = (*s).pfunc;
                }
            }
            s = s.add(1);
        }
        if (*tp).tp_dealloc.is_none() {
            (*tp).tp_dealloc = Some(subtype_dealloc);
        }
        if vcoff != 0 {
            (*tp).tp_vectorcall_offset = vcoff;
        }
        if ready(tp) < 0 {
            return fail();
        }
        for (off, key, field) in [
            (weakoff, "__weaklistoffset__", 0),
            (dictoff, "__dictoffset__", 1),
        ] {
            if off != 0 {
                if field == 0 {
                    (*tp).tp_weaklistoffset = off;
                } else {
                    (*tp).tp_dictoffset = off;
                }
                let k = crate::objects::unicodeobject::intern(key);
                if crate::objects::dictobject::del_item((*tp).tp_dict, k) < 0 {
                    return fail();
                }
            }
        }
        crate::objects::typeobject::modified(tp);
        let mk = crate::objects::unicodeobject::intern("__module__");
        match crate::objects::dictobject::get_item((*tp).tp_dict, mk) {
            Err(()) => return fail(),
            Ok(v) if v.is_null() => match full.iter().rposition(|&c| c == b'.') {
                Some(i) => {
                    let m = crate::objects::unicodeobject::decode_utf8(&full[..i]);
                    if m.is_null() {
                        return fail();
                    }
                    let r = crate::objects::dictobject::set_item((*tp).tp_dict, mk, m);
                    decref(m);
                    if r < 0 {
                        return fail();
                    }
                }
                None => {
                    let msg = format!(
                        "builtin type {} has no __module__ attribute",
                        String::from_utf8_lossy(full)
                    );
                    let m = crate::objects::unicodeobject::str_from(&msg);
                    if m.is_null() {
                        return fail();
                    }
                    let r = crate::python::warnings::warn(
                        crate::exc!(DeprecationWarning),
                        m,
                        1,
                        null_mut(),
                    );
                    decref(m);
                    if r < 0 {
                        return fail();
                    }
                }
            },
            Ok(_) => {}
        }
        obj(tp)
    }
}

/// The function (or table) in slot number `slot` of heap type `tp` (NULL when empty).
/// `SystemError` for a static type (as 3.10) and for an unknown slot number.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyType_GetSlot(tp: *mut PyTypeObject, slot: c_int) -> *mut c_void {
    check_null!(tp, null_mut());
    guard("PyType_GetSlot", null_mut(), || unsafe {
        if !crate::objects::typeobject::check_type_arg(tp) {
            return null_mut();
        }
        let Some((table, field)) = slot_offsets(slot) else {
            crate::python::errors::bad_internal_call();
            return null_mut();
        };
        if !has_flag(tp, Py_TPFLAGS_HEAPTYPE) {
            crate::python::errors::bad_internal_call();
            return null_mut();
        }
        let start = tp as *mut u8;
        if table < 0 {
            return *(start.add(field) as *mut *mut c_void);
        }
        let t = *(start.add(table as usize) as *mut *mut u8);
        if t.is_null() {
            return null_mut();
        }
        *(t.add(field) as *mut *mut c_void)
    })
}

unsafe fn module_of(tp: *mut PyTypeObject, what: &str) -> *mut PyObject {
    // SAFETY: a live type.
    unsafe {
        if !has_flag(tp, Py_TPFLAGS_HEAPTYPE) {
            crate::python::errors::set_format(
                crate::exc!(TypeError),
                format_args!("{what}: Type '{}' is not a heap type", full_name(tp)),
            );
            return null_mut();
        }
        let m = (*(tp as *mut PyHeapTypeObject)).ht_module;
        if m.is_null() {
            crate::python::errors::set_format(
                crate::exc!(TypeError),
                format_args!("{what}: Type '{}' has no associated module", full_name(tp)),
            );
        }
        m
    }
}

/// The module a heap type was made with (`PyType_FromModuleAndSpec`).
///
/// Return value: Borrowed reference, or NULL with `TypeError` set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyType_GetModule(tp: *mut PyTypeObject) -> *mut PyObject {
    check_null!(tp, null_mut());
    guard("PyType_GetModule", null_mut(), || unsafe {
        if !crate::objects::typeobject::check_type_arg(tp) {
            return null_mut();
        }
        module_of(tp, "PyType_GetModule")
    })
}

/// The state of the module a heap type was made with. pycoro has no module objects yet, so
/// a type always lacks one: NULL with `TypeError` set, CPython's message.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyType_GetModuleState(tp: *mut PyTypeObject) -> *mut c_void {
    check_null!(tp, null_mut());
    guard("PyType_GetModuleState", null_mut(), || unsafe {
        if !crate::objects::typeobject::check_type_arg(tp) {
            return null_mut();
        }
        let m = module_of(tp, "PyType_GetModuleState");
        if m.is_null() {
            return null_mut();
        }
        set_string(
            crate::exc!(SystemError),
            "PyType_GetModuleState: pycoro has no module objects",
        );
        null_mut()
    })
}
