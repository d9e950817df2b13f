//! dict's iterators and views (CPython keeps them in `Objects/dictobject.c`): the six iterator
//! types (`dict_keyiterator`, `dict_valueiterator`, `dict_itemiterator` and their reverse
//! counterparts) and the views `dict_keys`, `dict_values`, `dict_items` that `keys()`,
//! `values()` and `items()` return.
//!
//! The views' set operations (`-`, `&`, `|`, `^`) return sets, which pycoro has not (their
//! slots are left empty and listed in `slots_todo.txt`); comparisons, `isdisjoint`, `len`,
//! `in`, iteration, `reversed` and `repr` are CPython's.

use crate::capi::ffi::{decref, new_ref, ty, xdecref};
use crate::modules::gcmodule::{track, untrack};
use crate::objects::dictobject::{PyDictObject, last_entry_index, next_entry, prev_entry};
use crate::objects::object::*;
use crate::objects::typeobject::static_type;
use crate::python::errors::set_string;
use core::ffi::{c_int, c_void};
use core::mem::size_of;
use core::ptr::null_mut;
use static_assertions::const_assert_eq;

// ---- the iterators ----

/// CPython's `dictiterobject` (56 bytes), shared by the six iterator types.
#[repr(C)]
struct DictIterObject {
    ob_base: PyObject,
    /// NULL once exhausted.
    di_dict: *mut PyObject,
    /// The dict's size when the iterator was made (-1 after a size change: sticky error).
    di_used: Py_ssize_t,
    /// The next entry index (forward), or the index to look at next going down (reverse).
    di_pos: Py_ssize_t,
    /// CPython's reusable result tuple of the item iterators; pycoro makes a new tuple per
    /// item, so it stays NULL.
    di_result: *mut PyObject,
    /// Items left.
    len: Py_ssize_t,
}

const_assert_eq!(size_of::<DictIterObject>(), 56);

#[inline]
unsafe fn used(dict: *mut PyObject) -> Py_ssize_t {
    // SAFETY: a dict.
    unsafe { (*(dict as *mut PyDictObject)).ma_used }
}

/// A new iterator of type `tp` over the dict `dict`. Return value: New reference, or NULL.
pub(crate) unsafe fn new_dict_iter(dict: *mut PyObject, tp: *mut PyTypeObject) -> *mut PyObject {
    // SAFETY: a dict; the iterator holds a reference to it.
    unsafe {
        let it = crate::modules::gcmodule::alloc_object(tp, size_of::<DictIterObject>())
            as *mut DictIterObject;
        if it.is_null() {
            return null_mut();
        }
        (*it).di_dict = new_ref(dict);
        (*it).di_used = used(dict);
        (*it).len = used(dict);
        let reverse = tp == &raw mut PyDictRevIterKey_Type
            || tp == &raw mut PyDictRevIterValue_Type
            || tp == &raw mut PyDictRevIterItem_Type;
        (*it).di_pos = if reverse { last_entry_index(dict) } else { 0 };
        (*it).di_result = null_mut();
        track(it as *mut PyObject);
        it as *mut PyObject
    }
}

/// `tp_iter` of dict: a `dict_keyiterator`.
pub(crate) unsafe extern "C" fn dict_iter(op: *mut PyObject) -> *mut PyObject {
    // SAFETY: a dict.
    unsafe { new_dict_iter(op, &raw mut PyDictIterKey_Type) }
}

unsafe extern "C" fn dictiter_dealloc(op: *mut PyObject) {
    // SAFETY: a dying dict iterator.
    unsafe {
        untrack(op);
        let it = op as *mut DictIterObject;
        xdecref((*it).di_dict);
        xdecref((*it).di_result);
        crate::modules::gcmodule::free_object(op);
    }
}

unsafe extern "C" fn dictiter_traverse(
    op: *mut PyObject,
    visit: visitproc,
    arg: *mut c_void,
) -> c_int {
    // SAFETY: a live dict iterator.
    unsafe {
        let it = op as *mut DictIterObject;
        crate::capi::ffi::py_visit!((*it).di_dict, visit, arg);
        crate::capi::ffi::py_visit!((*it).di_result, visit, arg);
    }
    0
}

/// What an iterator yields for an entry (new reference, NULL with an exception set).
#[derive(Clone, Copy)]
enum Kind {
    Key,
    Value,
    Item,
}

unsafe fn result_of(kind: Kind, k: *mut PyObject, v: *mut PyObject) -> *mut PyObject {
    // SAFETY: live key and value.
    unsafe {
        match kind {
            Kind::Key => new_ref(k),
            Kind::Value => new_ref(v),
            Kind::Item => crate::objects::tupleobject::tuple_from(&[k, v]),
        }
    }
}

/// Ends the iteration: drops the dict. Returns NULL.
unsafe fn exhaust(it: *mut DictIterObject) -> *mut PyObject {
    // SAFETY: a live iterator.
    unsafe {
        let dict = (*it).di_dict;
        (*it).di_dict = null_mut();
        xdecref(dict);
        null_mut()
    }
}

/// The checks every step makes: the dict is still there and has its size.
unsafe fn dict_of(it: *mut DictIterObject) -> Option<*mut PyObject> {
    // SAFETY: a live iterator.
    unsafe {
        let dict = (*it).di_dict;
        if dict.is_null() {
            return None;
        }
        if (*it).di_used != used(dict) {
            set_string(
                crate::exc!(RuntimeError),
                "dictionary changed size during iteration",
            );
            (*it).di_used = -1; // the error is sticky
            return None;
        }
        Some(dict)
    }
}

unsafe fn iternext_forward(op: *mut PyObject, kind: Kind) -> *mut PyObject {
    // SAFETY: a dict iterator.
    unsafe {
        let it = op as *mut DictIterObject;
        let Some(dict) = dict_of(it) else {
            return null_mut();
        };
        let mut pos = (*it).di_pos;
        let Some((k, v)) = next_entry(dict, &mut pos) else {
            return exhaust(it);
        };
        if (*it).len == 0 {
            // As many items as the dict had were seen, yet there is another: keys were
            // deleted and added (same size) meanwhile.
            set_string(
                crate::exc!(RuntimeError),
                "dictionary keys changed during iteration",
            );
            return exhaust(it);
        }
        (*it).di_pos = pos;
        (*it).len -= 1;
        result_of(kind, k, v)
    }
}

unsafe extern "C" fn dictiter_iternextkey(op: *mut PyObject) -> *mut PyObject {
    // SAFETY: a dict key iterator.
    unsafe { iternext_forward(op, Kind::Key) }
}

unsafe extern "C" fn dictiter_iternextvalue(op: *mut PyObject) -> *mut PyObject {
    // SAFETY: a dict value iterator.
    unsafe { iternext_forward(op, Kind::Value) }
}

unsafe extern "C" fn dictiter_iternextitem(op: *mut PyObject) -> *mut PyObject {
    // SAFETY: a dict item iterator.
    unsafe { iternext_forward(op, Kind::Item) }
}

/// `tp_iternext` of the three reverse iterators (one function, as in CPython).
unsafe extern "C" fn dictreviter_iternext(op: *mut PyObject) -> *mut PyObject {
    // SAFETY: a reverse dict iterator.
    unsafe {
        let it = op as *mut DictIterObject;
        let Some(dict) = dict_of(it) else {
            return null_mut();
        };
        let mut pos = (*it).di_pos;
        let Some((k, v)) = prev_entry(dict, &mut pos) else {
            return exhaust(it);
        };
        (*it).di_pos = pos;
        (*it).len -= 1;
        let tp = ty(op);
        let kind = if tp == &raw mut PyDictRevIterKey_Type {
            Kind::Key
        } else if tp == &raw mut PyDictRevIterValue_Type {
            Kind::Value
        } else {
            Kind::Item
        };
        result_of(kind, k, v)
    }
}

/// `__length_hint__` of every dict iterator: the items left, 0 once the dict changed size.
unsafe extern "C" fn dictiter_len(op: *mut PyObject, _: *mut PyObject) -> *mut PyObject {
    // SAFETY: a dict iterator.
    unsafe {
        let it = op as *mut DictIterObject;
        let dict = (*it).di_dict;
        let n = if !dict.is_null() && (*it).di_used == used(dict) {
            (*it).len
        } else {
            0
        };
        crate::objects::longobject::PyLong_FromSsize_t(n)
    }
}

/// `__length_hint__` (CPython's `__reduce__` returns `(iter, (list,))`, and pycoro has no
/// `builtins.iter`: left out, `slots_todo.txt`).
static mut DICTITER_METHODS: [crate::objects::methodobject::PyMethodDef; 2] = [
    crate::objects::genobject::method(
        c"__length_hint__",
        dictiter_len,
        crate::objects::methodobject::METH_NOARGS,
        c"Private method returning an estimate of len(list(it)).",
    ),
    crate::objects::methodobject::PyMethodDef::SENTINEL,
];

/// A dict iterator type.
const fn iter_type(
    name: &'static core::ffi::CStr,
    next: unsafe extern "C" fn(*mut PyObject) -> *mut PyObject,
    getattro: bool,
) -> PyTypeObject {
    PyTypeObject {
        tp_getattro: if getattro {
            Some(crate::objects::object_ops::PyObject_GenericGetAttr)
        } else {
            None
        },
        tp_dealloc: Some(dictiter_dealloc),
        tp_traverse: Some(dictiter_traverse),
        tp_iter: Some(crate::objects::iterobject::PyObject_SelfIter),
        tp_iternext: Some(next),
        tp_methods: (&raw mut DICTITER_METHODS) as *mut crate::objects::methodobject::PyMethodDef,
        ..static_type(
            name,
            size_of::<DictIterObject>(),
            Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_DISALLOW_INSTANTIATION,
        )
    }
}

/// The type `dict_keyiterator` (what `iter(dict)` and `iter(dict.keys())` return).
#[unsafe(no_mangle)]
pub static mut PyDictIterKey_Type: PyTypeObject =
    iter_type(c"dict_keyiterator", dictiter_iternextkey, true);

/// The type `dict_valueiterator` (`iter(dict.values())`).
#[unsafe(no_mangle)]
pub static mut PyDictIterValue_Type: PyTypeObject =
    iter_type(c"dict_valueiterator", dictiter_iternextvalue, true);

/// The type `dict_itemiterator` (`iter(dict.items())`).
#[unsafe(no_mangle)]
pub static mut PyDictIterItem_Type: PyTypeObject =
    iter_type(c"dict_itemiterator", dictiter_iternextitem, true);

/// The type `dict_reversekeyiterator` (`reversed(dict)`, `reversed(dict.keys())`).
#[unsafe(no_mangle)]
pub static mut PyDictRevIterKey_Type: PyTypeObject =
    iter_type(c"dict_reversekeyiterator", dictreviter_iternext, false);

/// The type `dict_reversevalueiterator` (`reversed(dict.values())`).
#[unsafe(no_mangle)]
pub static mut PyDictRevIterValue_Type: PyTypeObject =
    iter_type(c"dict_reversevalueiterator", dictreviter_iternext, false);

/// The type `dict_reverseitemiterator` (`reversed(dict.items())`).
#[unsafe(no_mangle)]
pub static mut PyDictRevIterItem_Type: PyTypeObject =
    iter_type(c"dict_reverseitemiterator", dictreviter_iternext, false);

// ---- the views ----

/// CPython's `_PyDictViewObject` (24 bytes).
#[repr(C)]
struct DictView {
    ob_base: PyObject,
    dv_dict: *mut PyObject,
}

const_assert_eq!(size_of::<DictView>(), 24);

#[inline]
unsafe fn view_dict(op: *mut PyObject) -> *mut PyObject {
    // SAFETY: a view.
    unsafe { (*(op as *mut DictView)).dv_dict }
}

/// A new view of type `tp` on the dict `dict`. Return value: New reference, or NULL.
pub(crate) unsafe fn new_view(dict: *mut PyObject, tp: *mut PyTypeObject) -> *mut PyObject {
    // SAFETY: a dict; the view holds a reference to it.
    unsafe {
        let v = crate::modules::gcmodule::alloc_object(tp, size_of::<DictView>());
        if v.is_null() {
            return v;
        }
        (*(v as *mut DictView)).dv_dict = new_ref(dict);
        track(v);
        v
    }
}

/// `PyDictViewSet_Check`: a keys or items view.
unsafe fn is_view_set(op: *mut PyObject) -> bool {
    // SAFETY: live object.
    unsafe {
        let tp = ty(op);
        crate::objects::typeobject::is_subtype(tp, &raw mut PyDictKeys_Type)
            || crate::objects::typeobject::is_subtype(tp, &raw mut PyDictItems_Type)
    }
}

unsafe extern "C" fn dictview_dealloc(op: *mut PyObject) {
    // SAFETY: a dying view.
    unsafe {
        untrack(op);
        xdecref(view_dict(op));
        crate::modules::gcmodule::free_object(op);
    }
}

unsafe extern "C" fn dictview_traverse(
    op: *mut PyObject,
    visit: visitproc,
    arg: *mut c_void,
) -> c_int {
    // SAFETY: a live view.
    crate::capi::ffi::py_visit!(unsafe { view_dict(op) }, visit, arg);
    0
}

unsafe extern "C" fn dictview_len(op: *mut PyObject) -> Py_ssize_t {
    // SAFETY: a view.
    unsafe {
        let dict = view_dict(op);
        if dict.is_null() { 0 } else { used(dict) }
    }
}

/// `tp_repr` of the three views: `dict_keys([...])`, the items listed (a view inside its own
/// listing prints `...`).
unsafe extern "C" fn dictview_repr(op: *mut PyObject) -> *mut PyObject {
    // SAFETY: a view; the temporary list is released.
    unsafe {
        let rc = Py_ReprEnter(op);
        if rc != 0 {
            return if rc > 0 {
                crate::objects::unicodeobject::str_from("...")
            } else {
                null_mut()
            };
        }
        let mut result = null_mut();
        let seq = crate::objects::listobject::new_list(0);
        if !seq.is_null() {
            if crate::objects::listobject::extend(seq, op) == 0 {
                let r = crate::objects::object_ops::repr(seq);
                if !r.is_null() {
                    result = crate::objects::unicodeobject::str_format(format_args!(
                        "{}({})",
                        crate::objects::typeobject::type_name(ty(op)),
                        crate::objects::unicodeobject::str_as(r).unwrap_or("")
                    ));
                    decref(r);
                }
            }
            decref(seq);
        }
        Py_ReprLeave(op);
        result
    }
}

/// Whether every item `self_` yields is in `other`: 1, 0, or -1 with an exception set.
unsafe fn all_contained_in(self_: *mut PyObject, other: *mut PyObject) -> c_int {
    // SAFETY: live objects; the iterator and items are released.
    unsafe {
        let it = crate::objects::iterobject::get_iter(self_);
        if it.is_null() {
            return -1;
        }
        let mut ok = 1;
        loop {
            let x = crate::objects::iterobject::PyIter_Next(it);
            if x.is_null() {
                if !crate::python::errors::occurred().is_null() {
                    ok = -1;
                }
                break;
            }
            ok = crate::objects::abstract_::sequence_contains(other, x);
            decref(x);
            if ok <= 0 {
                break;
            }
        }
        decref(it);
        ok
    }
}

/// `tp_richcompare` of the keys and items views: set comparisons with another keys or items
/// view (CPython also takes sets, which pycoro has not); NotImplemented otherwise.
unsafe extern "C" fn dictview_richcompare(
    v: *mut PyObject,
    w: *mut PyObject,
    op: c_int,
) -> *mut PyObject {
    // SAFETY: `v` a view set, `w` live.
    unsafe {
        if !is_view_set(w) {
            return new_ref(crate::objects::object_ops::not_implemented());
        }
        let a = crate::objects::abstract_::size_of_object(v);
        if a < 0 {
            return null_mut();
        }
        let b = crate::objects::abstract_::size_of_object(w);
        if b < 0 {
            return null_mut();
        }
        let ok = match op {
            Py_EQ | Py_NE => {
                let eq = if a == b { all_contained_in(v, w) } else { 0 };
                if op == Py_NE && eq >= 0 { 1 - eq } else { eq }
            }
            Py_LT if a < b => all_contained_in(v, w),
            Py_LE if a <= b => all_contained_in(v, w),
            Py_GT if a > b => all_contained_in(w, v),
            Py_GE if a >= b => all_contained_in(w, v),
            _ => 0,
        };
        if ok < 0 {
            return null_mut();
        }
        new_ref(crate::objects::boolobject::from_bool(ok != 0))
    }
}

/// `isdisjoint(other)` of the keys and items views.
unsafe extern "C" fn dictviews_isdisjoint(
    op: *mut PyObject,
    other: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: a view set and a live object; the iterator and items are released.
    unsafe {
        if op == other {
            return new_ref(crate::objects::boolobject::from_bool(dictview_len(op) == 0));
        }
        let (mut small, mut big) = (other, op);
        // Iterate over the shorter one when both are set-like (in is cheap for both).
        if is_view_set(other) {
            let n = crate::objects::abstract_::size_of_object(other);
            if n == -1 {
                return null_mut();
            }
            if n > dictview_len(op) {
                small = op;
                big = other;
            }
        }
        let it = crate::objects::iterobject::get_iter(small);
        if it.is_null() {
            return null_mut();
        }
        loop {
            let x = crate::objects::iterobject::PyIter_Next(it);
            if x.is_null() {
                decref(it);
                if !crate::python::errors::occurred().is_null() {
                    return null_mut();
                }
                return new_ref(crate::objects::boolobject::true_());
            }
            let c = crate::objects::abstract_::sequence_contains(big, x);
            decref(x);
            if c != 0 {
                decref(it);
                return if c < 0 {
                    null_mut()
                } else {
                    new_ref(crate::objects::boolobject::false_())
                };
            }
        }
    }
}

/// The `mapping` attribute of the views: a mappingproxy of the dict.
unsafe extern "C" fn dictview_mapping(op: *mut PyObject, _: *mut c_void) -> *mut PyObject {
    // SAFETY: a view over a live dict.
    unsafe { crate::objects::mappingproxy::PyDictProxy_New(view_dict(op)) }
}

static mut DICTVIEW_GETSET: [crate::objects::descrobject::PyGetSetDef; 2] = [
    crate::objects::descrobject::PyGetSetDef {
        name: c"mapping".as_ptr(),
        get: Some(dictview_mapping),
        set: None,
        doc: c"dictionary that this view refers to".as_ptr(),
        closure: null_mut(),
    },
    crate::objects::descrobject::PyGetSetDef::SENTINEL,
];

unsafe fn view_iter(op: *mut PyObject, tp: *mut PyTypeObject) -> *mut PyObject {
    // SAFETY: a view.
    unsafe {
        let dict = view_dict(op);
        if dict.is_null() {
            return new_ref(crate::objects::object_ops::none());
        }
        new_dict_iter(dict, tp)
    }
}

unsafe extern "C" fn dictkeys_iter(op: *mut PyObject) -> *mut PyObject {
    // SAFETY: a keys view.
    unsafe { view_iter(op, &raw mut PyDictIterKey_Type) }
}
unsafe extern "C" fn dictvalues_iter(op: *mut PyObject) -> *mut PyObject {
    // SAFETY: a values view.
    unsafe { view_iter(op, &raw mut PyDictIterValue_Type) }
}
unsafe extern "C" fn dictitems_iter(op: *mut PyObject) -> *mut PyObject {
    // SAFETY: an items view.
    unsafe { view_iter(op, &raw mut PyDictIterItem_Type) }
}
unsafe extern "C" fn dictkeys_reversed(op: *mut PyObject, _: *mut PyObject) -> *mut PyObject {
    // SAFETY: a keys view.
    unsafe { view_iter(op, &raw mut PyDictRevIterKey_Type) }
}
unsafe extern "C" fn dictvalues_reversed(op: *mut PyObject, _: *mut PyObject) -> *mut PyObject {
    // SAFETY: a values view.
    unsafe { view_iter(op, &raw mut PyDictRevIterValue_Type) }
}
unsafe extern "C" fn dictitems_reversed(op: *mut PyObject, _: *mut PyObject) -> *mut PyObject {
    // SAFETY: an items view.
    unsafe { view_iter(op, &raw mut PyDictRevIterItem_Type) }
}

/// `key in d.keys()`: `key in d`.
unsafe extern "C" fn dictkeys_contains(op: *mut PyObject, key: *mut PyObject) -> c_int {
    // SAFETY: a keys view.
    unsafe {
        let dict = view_dict(op);
        if dict.is_null() {
            return 0;
        }
        crate::objects::dictobject::PyDict_Contains(dict, key)
    }
}

/// `x in d.items()`: `x` is a pair `(k, v)` with `k in d` and `d[k] == v`.
unsafe extern "C" fn dictitems_contains(op: *mut PyObject, obj: *mut PyObject) -> c_int {
    // SAFETY: an items view; the found value is held while compared.
    unsafe {
        let dict = view_dict(op);
        if dict.is_null()
            || !crate::objects::tupleobject::is_tuple(obj)
            || crate::capi::ffi::size(obj) != 2
        {
            return 0;
        }
        let key = crate::objects::tupleobject::item(obj, 0);
        let value = crate::objects::tupleobject::item(obj, 1);
        match crate::objects::dictobject::get_item(dict, key) {
            Err(()) => -1,
            Ok(found) if found.is_null() => 0,
            Ok(found) => {
                let found = new_ref(found);
                let r = crate::objects::object_ops::PyObject_RichCompareBool(found, value, Py_EQ);
                decref(found);
                r
            }
        }
    }
}

static mut DICTKEYS_AS_SEQUENCE: PySequenceMethods = PySequenceMethods {
    sq_length: Some(dictview_len),
    sq_contains: Some(dictkeys_contains),
    ..crate::objects::longobject::EMPTY_SEQUENCE_METHODS
};

static mut DICTITEMS_AS_SEQUENCE: PySequenceMethods = PySequenceMethods {
    sq_length: Some(dictview_len),
    sq_contains: Some(dictitems_contains),
    ..crate::objects::longobject::EMPTY_SEQUENCE_METHODS
};

static mut DICTVALUES_AS_SEQUENCE: PySequenceMethods = PySequenceMethods {
    sq_length: Some(dictview_len),
    ..crate::objects::longobject::EMPTY_SEQUENCE_METHODS
};

/// The keys and items views' number table: CPython's `-`, `&`, `|`, `^` make sets, which
/// pycoro has not, so it is empty (`slots_todo.txt`).
static mut DICTVIEWS_AS_NUMBER: PyNumberMethods = crate::objects::longobject::EMPTY_NUMBER_METHODS;

const ISDISJOINT_DOC: &core::ffi::CStr =
    c"Return True if the view and the given iterable have a null intersection.";

static mut DICTKEYS_METHODS: [crate::objects::methodobject::PyMethodDef; 3] = {
    use crate::objects::genobject::method;
    use crate::objects::methodobject::{METH_NOARGS, METH_O};
    [
        method(c"isdisjoint", dictviews_isdisjoint, METH_O, ISDISJOINT_DOC),
        method(
            c"__reversed__",
            dictkeys_reversed,
            METH_NOARGS,
            c"Return a reverse iterator over the dict keys.",
        ),
        crate::objects::methodobject::PyMethodDef::SENTINEL,
    ]
};

static mut DICTITEMS_METHODS: [crate::objects::methodobject::PyMethodDef; 3] = {
    use crate::objects::genobject::method;
    use crate::objects::methodobject::{METH_NOARGS, METH_O};
    [
        method(c"isdisjoint", dictviews_isdisjoint, METH_O, ISDISJOINT_DOC),
        method(
            c"__reversed__",
            dictitems_reversed,
            METH_NOARGS,
            c"Return a reverse iterator over the dict items.",
        ),
        crate::objects::methodobject::PyMethodDef::SENTINEL,
    ]
};

static mut DICTVALUES_METHODS: [crate::objects::methodobject::PyMethodDef; 2] = [
    crate::objects::genobject::method(
        c"__reversed__",
        dictvalues_reversed,
        crate::objects::methodobject::METH_NOARGS,
        c"Return a reverse iterator over the dict values.",
    ),
    crate::objects::methodobject::PyMethodDef::SENTINEL,
];

const fn view_type(name: &'static core::ffi::CStr) -> PyTypeObject {
    PyTypeObject {
        tp_getattro: Some(crate::objects::object_ops::PyObject_GenericGetAttr),
        tp_dealloc: Some(dictview_dealloc),
        tp_traverse: Some(dictview_traverse),
        tp_repr: Some(dictview_repr),
        tp_getset: (&raw mut DICTVIEW_GETSET) as *mut crate::objects::descrobject::PyGetSetDef,
        ..static_type(
            name,
            size_of::<DictView>(),
            Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_DISALLOW_INSTANTIATION,
        )
    }
}

/// The type `dict_keys` (what `dict.keys()` returns).
#[unsafe(no_mangle)]
pub static mut PyDictKeys_Type: PyTypeObject = PyTypeObject {
    tp_as_number: &raw mut DICTVIEWS_AS_NUMBER,
    tp_as_sequence: &raw mut DICTKEYS_AS_SEQUENCE,
    tp_richcompare: Some(dictview_richcompare),
    tp_iter: Some(dictkeys_iter),
    tp_methods: (&raw mut DICTKEYS_METHODS) as *mut crate::objects::methodobject::PyMethodDef,
    tp_hash: Some(crate::objects::object_ops::PyObject_HashNotImplemented),
    ..view_type(c"dict_keys")
};

/// The type `dict_values` (what `dict.values()` returns).
#[unsafe(no_mangle)]
pub static mut PyDictValues_Type: PyTypeObject = PyTypeObject {
    tp_as_sequence: &raw mut DICTVALUES_AS_SEQUENCE,
    tp_iter: Some(dictvalues_iter),
    tp_methods: (&raw mut DICTVALUES_METHODS) as *mut crate::objects::methodobject::PyMethodDef,
    ..view_type(c"dict_values")
};

/// The type `dict_items` (what `dict.items()` returns).
#[unsafe(no_mangle)]
pub static mut PyDictItems_Type: PyTypeObject = PyTypeObject {
    tp_as_number: &raw mut DICTVIEWS_AS_NUMBER,
    tp_as_sequence: &raw mut DICTITEMS_AS_SEQUENCE,
    tp_richcompare: Some(dictview_richcompare),
    tp_iter: Some(dictitems_iter),
    tp_methods: (&raw mut DICTITEMS_METHODS) as *mut crate::objects::methodobject::PyMethodDef,
    tp_hash: Some(crate::objects::object_ops::PyObject_HashNotImplemented),
    ..view_type(c"dict_items")
};
