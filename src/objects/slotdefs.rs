//! The slot table of `Objects/typeobject.c` (`slotdefs`): for each special method name, the
//! slot it fills and the wrapper that calls that slot from Python. `PyType_Ready` puts a
//! `wrapper_descriptor` in the type's dict for every filled slot (`add_operators`), so that
//! `coro.__await__`, `gen.__next__` or `object.__repr__` exist as attributes, as in CPython.
//! The wrappers check their arguments with CPython's messages.

use crate::capi::ffi::{new_ref, size};
use crate::objects::descrobject::{PyWrapperFlag_KEYWORDS, wrapperbase, wrapperfunc};
use crate::objects::object::*;
use crate::objects::object_ops::none;
use crate::objects::tupleobject::item;
use crate::python::errors::{occurred, set_string};
use core::ffi::{CStr, c_int, c_void};
use core::mem::offset_of;
use core::ptr::null_mut;

type W = unsafe extern "C" fn(*mut PyObject, *mut PyObject, *mut c_void) -> *mut PyObject;
type WK =
    unsafe extern "C" fn(*mut PyObject, *mut PyObject, *mut c_void, *mut PyObject) -> *mut PyObject;

const fn entry(
    name: &'static CStr,
    offset: usize,
    wrapper: Option<W>,
    doc: &'static CStr,
) -> wrapperbase {
    wrapperbase {
        name: name.as_ptr(),
        offset: offset as c_int,
        function: null_mut(),
        wrapper: wrapper as wrapperfunc,
        doc: doc.as_ptr(),
        flags: 0,
        name_strobj: null_mut(),
    }
}

const fn kw_entry(
    name: &'static CStr,
    offset: usize,
    wrapper: WK,
    doc: &'static CStr,
) -> wrapperbase {
    wrapperbase {
        name: name.as_ptr(),
        offset: offset as c_int,
        function: null_mut(),
        // SAFETY: entries with PyWrapperFlag_KEYWORDS are called with the keyword signature.
        wrapper: Some(unsafe { core::mem::transmute::<WK, W>(wrapper) }),
        doc: doc.as_ptr(),
        flags: PyWrapperFlag_KEYWORDS,
        name_strobj: null_mut(),
    }
}

const fn tp(field: usize) -> usize {
    field
}
const fn am(field: usize) -> usize {
    offset_of!(PyHeapTypeObject, as_async) + field
}
const fn nb(field: usize) -> usize {
    offset_of!(PyHeapTypeObject, as_number) + field
}
const fn mp(field: usize) -> usize {
    offset_of!(PyHeapTypeObject, as_mapping) + field
}
const fn sq(field: usize) -> usize {
    offset_of!(PyHeapTypeObject, as_sequence) + field
}

macro_rules! t {
    ($f:ident) => {
        tp(offset_of!(PyTypeObject, $f))
    };
}
macro_rules! n {
    ($f:ident) => {
        nb(offset_of!(PyNumberMethods, $f))
    };
}
macro_rules! bin {
    ($name:literal, $rname:literal, $f:ident, $op:literal) => {
        [
            entry(
                concat_cstr!($name),
                n!($f),
                Some(wrap_binaryfunc_l),
                concat_cstr!($name, "($self, value, /)\n--\n\nReturn self", $op, "value."),
            ),
            entry(
                concat_cstr!($rname),
                n!($f),
                Some(wrap_binaryfunc_r),
                concat_cstr!(
                    $rname,
                    "($self, value, /)\n--\n\nReturn value",
                    $op,
                    "self."
                ),
            ),
        ]
    };
}
macro_rules! concat_cstr {
    ($($s:expr),*) => {
        match CStr::from_bytes_with_nul(concat!($($s),*, "\0").as_bytes()) {
            Ok(c) => c,
            Err(_) => panic!("NUL inside a slot doc"),
        }
    };
}
macro_rules! ibin {
    ($name:literal, $f:ident, $op:literal) => {
        entry(
            concat_cstr!($name),
            n!($f),
            Some(wrap_binaryfunc),
            concat_cstr!($name, "($self, value, /)\n--\n\nReturn self", $op, "value."),
        )
    };
}
macro_rules! un {
    ($name:literal, $f:ident, $w:ident, $doc:literal) => {
        entry(
            concat_cstr!($name),
            n!($f),
            Some($w),
            concat_cstr!($name, "($self, /)\n--\n\n", $doc),
        )
    };
}

const fn cat<const A: usize, const B: usize, const C: usize>(
    a: [wrapperbase; A],
    b: [wrapperbase; B],
) -> [wrapperbase; C] {
    let mut out = [const { SENTINEL }; C];
    let mut i = 0;
    while i < A {
        out[i] = copy(&a[i]);
        i += 1;
    }
    let mut j = 0;
    while j < B {
        out[A + j] = copy(&b[j]);
        j += 1;
    }
    out
}

const fn copy(w: &wrapperbase) -> wrapperbase {
    wrapperbase {
        name: w.name,
        offset: w.offset,
        function: w.function,
        wrapper: w.wrapper,
        doc: w.doc,
        flags: w.flags,
        name_strobj: w.name_strobj,
    }
}

const SENTINEL: wrapperbase = wrapperbase {
    name: core::ptr::null(),
    offset: 0,
    function: null_mut(),
    wrapper: None,
    doc: core::ptr::null(),
    flags: 0,
    name_strobj: null_mut(),
};

const TP_SLOTS: [wrapperbase; 26] = [
    entry(c"__getattribute__", t!(tp_getattr), None, c""),
    entry(c"__getattr__", t!(tp_getattr), None, c""),
    entry(c"__setattr__", t!(tp_setattr), None, c""),
    entry(c"__delattr__", t!(tp_setattr), None, c""),
    entry(c"__repr__", t!(tp_repr), Some(wrap_unaryfunc), c"__repr__($self, /)\n--\n\nReturn repr(self)."),
    entry(c"__hash__", t!(tp_hash), Some(wrap_hashfunc), c"__hash__($self, /)\n--\n\nReturn hash(self)."),
    kw_entry(c"__call__", t!(tp_call), wrap_call, c"__call__($self, /, *args, **kwargs)\n--\n\nCall self as a function."),
    entry(c"__str__", t!(tp_str), Some(wrap_unaryfunc), c"__str__($self, /)\n--\n\nReturn str(self)."),
    entry(c"__getattribute__", t!(tp_getattro), Some(wrap_binaryfunc), c"__getattribute__($self, name, /)\n--\n\nReturn getattr(self, name)."),
    entry(c"__getattr__", t!(tp_getattro), None, c""),
    entry(c"__setattr__", t!(tp_setattro), Some(wrap_setattr), c"__setattr__($self, name, value, /)\n--\n\nImplement setattr(self, name, value)."),
    entry(c"__delattr__", t!(tp_setattro), Some(wrap_delattr), c"__delattr__($self, name, /)\n--\n\nImplement delattr(self, name)."),
    entry(c"__lt__", t!(tp_richcompare), Some(richcmp_lt), c"__lt__($self, value, /)\n--\n\nReturn self<value."),
    entry(c"__le__", t!(tp_richcompare), Some(richcmp_le), c"__le__($self, value, /)\n--\n\nReturn self<=value."),
    entry(c"__eq__", t!(tp_richcompare), Some(richcmp_eq), c"__eq__($self, value, /)\n--\n\nReturn self==value."),
    entry(c"__ne__", t!(tp_richcompare), Some(richcmp_ne), c"__ne__($self, value, /)\n--\n\nReturn self!=value."),
    entry(c"__gt__", t!(tp_richcompare), Some(richcmp_gt), c"__gt__($self, value, /)\n--\n\nReturn self>value."),
    entry(c"__ge__", t!(tp_richcompare), Some(richcmp_ge), c"__ge__($self, value, /)\n--\n\nReturn self>=value."),
    entry(c"__iter__", t!(tp_iter), Some(wrap_unaryfunc), c"__iter__($self, /)\n--\n\nImplement iter(self)."),
    entry(c"__next__", t!(tp_iternext), Some(wrap_next), c"__next__($self, /)\n--\n\nImplement next(self)."),
    entry(c"__get__", t!(tp_descr_get), Some(wrap_descr_get), c"__get__($self, instance, owner=None, /)\n--\n\nReturn an attribute of instance, which is of type owner."),
    entry(c"__set__", t!(tp_descr_set), Some(wrap_descr_set), c"__set__($self, instance, value, /)\n--\n\nSet an attribute of instance to value."),
    entry(c"__delete__", t!(tp_descr_set), Some(wrap_descr_delete), c"__delete__($self, instance, /)\n--\n\nDelete an attribute of instance."),
    kw_entry(c"__init__", t!(tp_init), wrap_init, c"__init__($self, /, *args, **kwargs)\n--\n\nInitialize self.  See help(type(self)) for accurate signature."),
    entry(c"__new__", t!(tp_new), None, c"__new__(type, /, *args, **kwargs)\n--\n\nCreate and return new object.  See help(type) for accurate signature."),
    entry(c"__del__", t!(tp_finalize), Some(wrap_del), c""),
];

const AM_SLOTS: [wrapperbase; 3] = [
    entry(
        c"__await__",
        am(offset_of!(PyAsyncMethods, am_await)),
        Some(wrap_unaryfunc),
        c"__await__($self, /)\n--\n\nReturn an iterator to be used in await expression.",
    ),
    entry(
        c"__aiter__",
        am(offset_of!(PyAsyncMethods, am_aiter)),
        Some(wrap_unaryfunc),
        c"__aiter__($self, /)\n--\n\nReturn an awaitable, that resolves in asynchronous iterator.",
    ),
    entry(
        c"__anext__",
        am(offset_of!(PyAsyncMethods, am_anext)),
        Some(wrap_unaryfunc),
        c"__anext__($self, /)\n--\n\nReturn a value or raise StopAsyncIteration.",
    ),
];

const NB_SLOTS_1: [wrapperbase; 17] = {
    let [a, b] = bin!("__add__", "__radd__", nb_add, "+");
    let [c, d] = bin!("__sub__", "__rsub__", nb_subtract, "-");
    let [e, f] = bin!("__mul__", "__rmul__", nb_multiply, "*");
    let [g, h] = bin!("__mod__", "__rmod__", nb_remainder, "%");
    [
        a,
        b,
        c,
        d,
        e,
        f,
        g,
        h,
        entry(
            c"__divmod__",
            n!(nb_divmod),
            Some(wrap_binaryfunc_l),
            c"__divmod__($self, value, /)\n--\n\nReturn divmod(self, value).",
        ),
        entry(
            c"__rdivmod__",
            n!(nb_divmod),
            Some(wrap_binaryfunc_r),
            c"__rdivmod__($self, value, /)\n--\n\nReturn divmod(value, self).",
        ),
        entry(
            c"__pow__",
            n!(nb_power),
            Some(wrap_ternaryfunc),
            c"__pow__($self, value, mod=None, /)\n--\n\nReturn pow(self, value, mod).",
        ),
        entry(
            c"__rpow__",
            n!(nb_power),
            Some(wrap_ternaryfunc_r),
            c"__rpow__($self, value, mod=None, /)\n--\n\nReturn pow(value, self, mod).",
        ),
        un!("__neg__", nb_negative, wrap_unaryfunc, "-self"),
        un!("__pos__", nb_positive, wrap_unaryfunc, "+self"),
        un!("__abs__", nb_absolute, wrap_unaryfunc, "abs(self)"),
        un!(
            "__bool__",
            nb_bool,
            wrap_inquirypred,
            "True if self else False"
        ),
        un!("__invert__", nb_invert, wrap_unaryfunc, "~self"),
    ]
};

const NB_SLOTS_2: [wrapperbase; 32] = {
    let [a, b] = bin!("__lshift__", "__rlshift__", nb_lshift, "<<");
    let [c, d] = bin!("__rshift__", "__rrshift__", nb_rshift, ">>");
    let [e, f] = bin!("__and__", "__rand__", nb_and, "&");
    let [g, h] = bin!("__xor__", "__rxor__", nb_xor, "^");
    let [i, j] = bin!("__or__", "__ror__", nb_or, "|");
    let [k, l] = bin!("__floordiv__", "__rfloordiv__", nb_floor_divide, "//");
    let [m, o] = bin!("__truediv__", "__rtruediv__", nb_true_divide, "/");
    let [p, q] = bin!("__matmul__", "__rmatmul__", nb_matrix_multiply, "@");
    [
        a, b, c, d, e, f, g, h, i, j,
        un!("__int__", nb_int, wrap_unaryfunc, "int(self)"),
        un!("__float__", nb_float, wrap_unaryfunc, "float(self)"),
        ibin!("__iadd__", nb_inplace_add, "+="),
        ibin!("__isub__", nb_inplace_subtract, "-="),
        ibin!("__imul__", nb_inplace_multiply, "*="),
        ibin!("__imod__", nb_inplace_remainder, "%="),
        ibin!("__ipow__", nb_inplace_power, "**="),
        ibin!("__ilshift__", nb_inplace_lshift, "<<="),
        ibin!("__irshift__", nb_inplace_rshift, ">>="),
        ibin!("__iand__", nb_inplace_and, "&="),
        ibin!("__ixor__", nb_inplace_xor, "^="),
        ibin!("__ior__", nb_inplace_or, "|="),
        k, l, m, o,
        ibin!("__ifloordiv__", nb_inplace_floor_divide, "//="),
        ibin!("__itruediv__", nb_inplace_true_divide, "/="),
        entry(c"__index__", n!(nb_index), Some(wrap_unaryfunc), c"__index__($self, /)\n--\n\nReturn self converted to an integer, if self is suitable for use as an index into a list."),
        p, q,
        entry(c"__imatmul__", n!(nb_inplace_matrix_multiply), Some(wrap_binaryfunc), c"__imatmul__($self, value, /)\n--\n\nReturn value@=self."),
    ]
};

const MP_SQ_SLOTS: [wrapperbase; 14] = [
    entry(
        c"__len__",
        mp(offset_of!(PyMappingMethods, mp_length)),
        Some(wrap_lenfunc),
        c"__len__($self, /)\n--\n\nReturn len(self).",
    ),
    entry(
        c"__getitem__",
        mp(offset_of!(PyMappingMethods, mp_subscript)),
        Some(wrap_binaryfunc),
        c"__getitem__($self, key, /)\n--\n\nReturn self[key].",
    ),
    entry(
        c"__setitem__",
        mp(offset_of!(PyMappingMethods, mp_ass_subscript)),
        Some(wrap_objobjargproc),
        c"__setitem__($self, key, value, /)\n--\n\nSet self[key] to value.",
    ),
    entry(
        c"__delitem__",
        mp(offset_of!(PyMappingMethods, mp_ass_subscript)),
        Some(wrap_delitem),
        c"__delitem__($self, key, /)\n--\n\nDelete self[key].",
    ),
    entry(
        c"__len__",
        sq(offset_of!(PySequenceMethods, sq_length)),
        Some(wrap_lenfunc),
        c"__len__($self, /)\n--\n\nReturn len(self).",
    ),
    entry(
        c"__add__",
        sq(offset_of!(PySequenceMethods, sq_concat)),
        Some(wrap_binaryfunc),
        c"__add__($self, value, /)\n--\n\nReturn self+value.",
    ),
    entry(
        c"__mul__",
        sq(offset_of!(PySequenceMethods, sq_repeat)),
        Some(wrap_indexargfunc),
        c"__mul__($self, value, /)\n--\n\nReturn self*value.",
    ),
    entry(
        c"__rmul__",
        sq(offset_of!(PySequenceMethods, sq_repeat)),
        Some(wrap_indexargfunc),
        c"__rmul__($self, value, /)\n--\n\nReturn value*self.",
    ),
    entry(
        c"__getitem__",
        sq(offset_of!(PySequenceMethods, sq_item)),
        Some(wrap_sq_item),
        c"__getitem__($self, key, /)\n--\n\nReturn self[key].",
    ),
    entry(
        c"__setitem__",
        sq(offset_of!(PySequenceMethods, sq_ass_item)),
        Some(wrap_sq_setitem),
        c"__setitem__($self, key, value, /)\n--\n\nSet self[key] to value.",
    ),
    entry(
        c"__delitem__",
        sq(offset_of!(PySequenceMethods, sq_ass_item)),
        Some(wrap_sq_delitem),
        c"__delitem__($self, key, /)\n--\n\nDelete self[key].",
    ),
    entry(
        c"__contains__",
        sq(offset_of!(PySequenceMethods, sq_contains)),
        Some(wrap_objobjproc),
        c"__contains__($self, key, /)\n--\n\nReturn key in self.",
    ),
    entry(
        c"__iadd__",
        sq(offset_of!(PySequenceMethods, sq_inplace_concat)),
        Some(wrap_binaryfunc),
        c"__iadd__($self, value, /)\n--\n\nImplement self+=value.",
    ),
    entry(
        c"__imul__",
        sq(offset_of!(PySequenceMethods, sq_inplace_repeat)),
        Some(wrap_indexargfunc),
        c"__imul__($self, value, /)\n--\n\nImplement self*=value.",
    ),
];

const NB_ALL: [wrapperbase; 49] = cat::<17, 32, 49>(NB_SLOTS_1, NB_SLOTS_2);
const TP_AM: [wrapperbase; 29] = cat::<26, 3, 29>(TP_SLOTS, AM_SLOTS);
const TP_AM_NB: [wrapperbase; 78] = cat::<29, 49, 78>(TP_AM, NB_ALL);

/// The whole table in CPython's order, ending with a NULL name.
pub(crate) static mut SLOTDEFS: [wrapperbase; 93] = cat::<78, 15, 93>(TP_AM_NB, {
    let mut t = [const { SENTINEL }; 15];
    let mut i = 0;
    while i < 14 {
        t[i] = copy(&MP_SQ_SLOTS[i]);
        i += 1;
    }
    t
});

/// Where entry `w`'s slot lives in `tp`: in the type object, or in one of its protocol tables
/// (NULL when the type has no such table). CPython's `slotptr`.
pub(crate) unsafe fn slot_ptr(tp: *mut PyTypeObject, offset: c_int) -> *mut *mut c_void {
    let off = offset as usize;
    // SAFETY: `tp` is a live type object; offsets come from the table above.
    unsafe {
        let (table, base): (*mut u8, usize) = if off >= offset_of!(PyHeapTypeObject, as_buffer) {
            (
                (*tp).tp_as_buffer as *mut u8,
                offset_of!(PyHeapTypeObject, as_buffer),
            )
        } else if off >= offset_of!(PyHeapTypeObject, as_sequence) {
            (
                (*tp).tp_as_sequence as *mut u8,
                offset_of!(PyHeapTypeObject, as_sequence),
            )
        } else if off >= offset_of!(PyHeapTypeObject, as_mapping) {
            (
                (*tp).tp_as_mapping as *mut u8,
                offset_of!(PyHeapTypeObject, as_mapping),
            )
        } else if off >= offset_of!(PyHeapTypeObject, as_number) {
            (
                (*tp).tp_as_number as *mut u8,
                offset_of!(PyHeapTypeObject, as_number),
            )
        } else if off >= offset_of!(PyHeapTypeObject, as_async) {
            (
                (*tp).tp_as_async as *mut u8,
                offset_of!(PyHeapTypeObject, as_async),
            )
        } else {
            (tp as *mut u8, 0)
        };
        if table.is_null() {
            return null_mut();
        }
        table.add(off - base) as *mut *mut c_void
    }
}

// ---- the wrappers ----------------------------------------------------------------------------

/// `check_num_args`: `args` must be a tuple of exactly `n` items.
unsafe fn check_num_args(args: *mut PyObject, n: isize) -> bool {
    // SAFETY: `args` a live object.
    unsafe {
        if !crate::objects::tupleobject::is_tuple(args) {
            set_string(
                crate::exc!(SystemError),
                "PyArg_UnpackTuple() argument list is not a tuple",
            );
            return false;
        }
        let got = size(args);
        if got == n {
            return true;
        }
        crate::python::errors::set_format(
            crate::exc!(TypeError),
            format_args!(
                "expected {n} argument{}, got {got}",
                if n == 1 { "" } else { "s" }
            ),
        );
        false
    }
}

/// `PyArg_UnpackTuple(args, "", min, max, ...)`: between `min` and `max` items.
unsafe fn unpack(args: *mut PyObject, min: isize, max: isize) -> Option<[*mut PyObject; 2]> {
    // SAFETY: `args` a live object.
    unsafe {
        if !crate::objects::tupleobject::is_tuple(args) {
            set_string(
                crate::exc!(SystemError),
                "PyArg_UnpackTuple() argument list is not a tuple",
            );
            return None;
        }
        let got = size(args);
        let plural = |n: isize| if n == 1 { "" } else { "s" };
        if got < min || got > max {
            let (which, n) = if got < min { (min, min) } else { (max, max) };
            let kind = if min == max {
                ""
            } else if got < min {
                "at least "
            } else {
                "at most "
            };
            crate::python::errors::set_format(
                crate::exc!(TypeError),
                format_args!(" expected {kind}{which} argument{}, got {got}", plural(n)),
            );
            return None;
        }
        let mut out = [null_mut(); 2];
        for (i, slot) in out.iter_mut().enumerate().take(got as usize) {
            *slot = item(args, i as isize);
        }
        Some(out)
    }
}

unsafe fn none_result(r: c_int) -> *mut PyObject {
    if r < 0 {
        null_mut()
    } else {
        // SAFETY: None is immortal.
        unsafe { new_ref(none()) }
    }
}

macro_rules! slot_fn {
    ($w:expr, $t:ty) => {
        // The descriptor was made for a slot of exactly this signature (callers are unsafe).
        core::mem::transmute::<*mut c_void, $t>($w)
    };
}

type Unary = unsafe extern "C" fn(*mut PyObject) -> *mut PyObject;
type Binary = unsafe extern "C" fn(*mut PyObject, *mut PyObject) -> *mut PyObject;
type Ternary = unsafe extern "C" fn(*mut PyObject, *mut PyObject, *mut PyObject) -> *mut PyObject;
type Inquiry = unsafe extern "C" fn(*mut PyObject) -> c_int;
type Len = unsafe extern "C" fn(*mut PyObject) -> Py_ssize_t;
type SsizeArg = unsafe extern "C" fn(*mut PyObject, Py_ssize_t) -> *mut PyObject;
type SsizeObjArg = unsafe extern "C" fn(*mut PyObject, Py_ssize_t, *mut PyObject) -> c_int;
type ObjObj = unsafe extern "C" fn(*mut PyObject, *mut PyObject) -> c_int;
type ObjObjArg = unsafe extern "C" fn(*mut PyObject, *mut PyObject, *mut PyObject) -> c_int;
type Hash = unsafe extern "C" fn(*mut PyObject) -> Py_hash_t;
type RichCmp = unsafe extern "C" fn(*mut PyObject, *mut PyObject, c_int) -> *mut PyObject;
type Destructor = unsafe extern "C" fn(*mut PyObject);

unsafe extern "C" fn wrap_unaryfunc(
    s: *mut PyObject,
    args: *mut PyObject,
    w: *mut c_void,
) -> *mut PyObject {
    // SAFETY: wrapper contract.
    unsafe {
        if !check_num_args(args, 0) {
            return null_mut();
        }
        slot_fn!(w, Unary)(s)
    }
}

unsafe extern "C" fn wrap_binaryfunc(
    s: *mut PyObject,
    args: *mut PyObject,
    w: *mut c_void,
) -> *mut PyObject {
    // SAFETY: wrapper contract.
    unsafe {
        if !check_num_args(args, 1) {
            return null_mut();
        }
        slot_fn!(w, Binary)(s, item(args, 0))
    }
}

unsafe extern "C" fn wrap_binaryfunc_l(
    s: *mut PyObject,
    args: *mut PyObject,
    w: *mut c_void,
) -> *mut PyObject {
    // SAFETY: wrapper contract.
    unsafe { wrap_binaryfunc(s, args, w) }
}

unsafe extern "C" fn wrap_binaryfunc_r(
    s: *mut PyObject,
    args: *mut PyObject,
    w: *mut c_void,
) -> *mut PyObject {
    // SAFETY: wrapper contract.
    unsafe {
        if !check_num_args(args, 1) {
            return null_mut();
        }
        slot_fn!(w, Binary)(item(args, 0), s)
    }
}

unsafe extern "C" fn wrap_ternaryfunc(
    s: *mut PyObject,
    args: *mut PyObject,
    w: *mut c_void,
) -> *mut PyObject {
    // SAFETY: wrapper contract.
    unsafe {
        let Some([other, third]) = unpack(args, 1, 2) else {
            return null_mut();
        };
        let third = if third.is_null() { none() } else { third };
        slot_fn!(w, Ternary)(s, other, third)
    }
}

unsafe extern "C" fn wrap_ternaryfunc_r(
    s: *mut PyObject,
    args: *mut PyObject,
    w: *mut c_void,
) -> *mut PyObject {
    // SAFETY: wrapper contract.
    unsafe {
        let Some([other, third]) = unpack(args, 1, 2) else {
            return null_mut();
        };
        let third = if third.is_null() { none() } else { third };
        slot_fn!(w, Ternary)(other, s, third)
    }
}

unsafe extern "C" fn wrap_inquirypred(
    s: *mut PyObject,
    args: *mut PyObject,
    w: *mut c_void,
) -> *mut PyObject {
    // SAFETY: wrapper contract.
    unsafe {
        if !check_num_args(args, 0) {
            return null_mut();
        }
        let r = slot_fn!(w, Inquiry)(s);
        if r == -1 && !occurred().is_null() {
            return null_mut();
        }
        new_ref(crate::objects::boolobject::from_bool(r != 0))
    }
}

unsafe extern "C" fn wrap_lenfunc(
    s: *mut PyObject,
    args: *mut PyObject,
    w: *mut c_void,
) -> *mut PyObject {
    // SAFETY: wrapper contract.
    unsafe {
        if !check_num_args(args, 0) {
            return null_mut();
        }
        let r = slot_fn!(w, Len)(s);
        if r == -1 && !occurred().is_null() {
            return null_mut();
        }
        crate::objects::longobject::PyLong_FromSsize_t(r)
    }
}

/// `PyNumber_AsSsize_t(o, OverflowError)` for an index argument.
unsafe fn as_index(o: *mut PyObject) -> Option<Py_ssize_t> {
    // SAFETY: a live object.
    unsafe {
        let i = crate::objects::longobject::index_as_ssize(o);
        if i == -1 && !occurred().is_null() {
            None
        } else {
            Some(i)
        }
    }
}

unsafe extern "C" fn wrap_indexargfunc(
    s: *mut PyObject,
    args: *mut PyObject,
    w: *mut c_void,
) -> *mut PyObject {
    // SAFETY: wrapper contract.
    unsafe {
        if !check_num_args(args, 1) {
            return null_mut();
        }
        let Some(i) = as_index(item(args, 0)) else {
            return null_mut();
        };
        slot_fn!(w, SsizeArg)(s, i)
    }
}

/// CPython's `getindex`: a negative index counts from the end when the type has a length.
unsafe fn getindex(s: *mut PyObject, arg: *mut PyObject) -> Option<Py_ssize_t> {
    // SAFETY: live objects.
    unsafe {
        let mut i = as_index(arg)?;
        if i < 0 {
            let sqm = (*crate::capi::ffi::ty(s)).tp_as_sequence;
            if !sqm.is_null()
                && let Some(len) = (*sqm).sq_length
            {
                let n = len(s);
                if n < 0 {
                    return None;
                }
                i += n;
            }
        }
        Some(i)
    }
}

unsafe extern "C" fn wrap_sq_item(
    s: *mut PyObject,
    args: *mut PyObject,
    w: *mut c_void,
) -> *mut PyObject {
    // SAFETY: wrapper contract.
    unsafe {
        if !check_num_args(args, 1) {
            return null_mut();
        }
        let Some(i) = getindex(s, item(args, 0)) else {
            return null_mut();
        };
        slot_fn!(w, SsizeArg)(s, i)
    }
}

unsafe extern "C" fn wrap_sq_setitem(
    s: *mut PyObject,
    args: *mut PyObject,
    w: *mut c_void,
) -> *mut PyObject {
    // SAFETY: wrapper contract.
    unsafe {
        let Some([key, value]) = unpack(args, 2, 2) else {
            return null_mut();
        };
        let Some(i) = getindex(s, key) else {
            return null_mut();
        };
        none_result(slot_fn!(w, SsizeObjArg)(s, i, value))
    }
}

unsafe extern "C" fn wrap_sq_delitem(
    s: *mut PyObject,
    args: *mut PyObject,
    w: *mut c_void,
) -> *mut PyObject {
    // SAFETY: wrapper contract.
    unsafe {
        if !check_num_args(args, 1) {
            return null_mut();
        }
        let Some(i) = getindex(s, item(args, 0)) else {
            return null_mut();
        };
        none_result(slot_fn!(w, SsizeObjArg)(s, i, null_mut()))
    }
}

unsafe extern "C" fn wrap_objobjproc(
    s: *mut PyObject,
    args: *mut PyObject,
    w: *mut c_void,
) -> *mut PyObject {
    // SAFETY: wrapper contract.
    unsafe {
        if !check_num_args(args, 1) {
            return null_mut();
        }
        let r = slot_fn!(w, ObjObj)(s, item(args, 0));
        if r == -1 && !occurred().is_null() {
            return null_mut();
        }
        new_ref(crate::objects::boolobject::from_bool(r != 0))
    }
}

unsafe extern "C" fn wrap_objobjargproc(
    s: *mut PyObject,
    args: *mut PyObject,
    w: *mut c_void,
) -> *mut PyObject {
    // SAFETY: wrapper contract.
    unsafe {
        let Some([key, value]) = unpack(args, 2, 2) else {
            return null_mut();
        };
        none_result(slot_fn!(w, ObjObjArg)(s, key, value))
    }
}

unsafe extern "C" fn wrap_delitem(
    s: *mut PyObject,
    args: *mut PyObject,
    w: *mut c_void,
) -> *mut PyObject {
    // SAFETY: wrapper contract.
    unsafe {
        if !check_num_args(args, 1) {
            return null_mut();
        }
        none_result(slot_fn!(w, ObjObjArg)(s, item(args, 0), null_mut()))
    }
}

/// CPython's `hackcheck`: refuses `object.__setattr__(x, ...)` when `x`'s type overrides
/// `tp_setattro` (without Python classes in between, the slot function being called must be
/// the type's own).
unsafe fn hackcheck(s: *mut PyObject, func: *mut c_void, what: &str) -> bool {
    // SAFETY: a live object.
    unsafe {
        let tp = crate::capi::ffi::ty(s);
        if (*tp).tp_mro.is_null()
            || (*tp).tp_setattro.map_or(null_mut(), |f| f as *mut c_void) == func
        {
            return true;
        }
        crate::python::errors::set_format(
            crate::exc!(TypeError),
            format_args!(
                "can't apply this {what} to {} object",
                crate::objects::typeobject::full_name(tp)
            ),
        );
        false
    }
}

unsafe extern "C" fn wrap_setattr(
    s: *mut PyObject,
    args: *mut PyObject,
    w: *mut c_void,
) -> *mut PyObject {
    // SAFETY: wrapper contract.
    unsafe {
        let Some([name, value]) = unpack(args, 2, 2) else {
            return null_mut();
        };
        if !hackcheck(s, w, "__setattr__") {
            return null_mut();
        }
        none_result(slot_fn!(w, ObjObjArg)(s, name, value))
    }
}

unsafe extern "C" fn wrap_delattr(
    s: *mut PyObject,
    args: *mut PyObject,
    w: *mut c_void,
) -> *mut PyObject {
    // SAFETY: wrapper contract.
    unsafe {
        if !check_num_args(args, 1) {
            return null_mut();
        }
        if !hackcheck(s, w, "__delattr__") {
            return null_mut();
        }
        none_result(slot_fn!(w, ObjObjArg)(s, item(args, 0), null_mut()))
    }
}

unsafe extern "C" fn wrap_hashfunc(
    s: *mut PyObject,
    args: *mut PyObject,
    w: *mut c_void,
) -> *mut PyObject {
    // SAFETY: wrapper contract.
    unsafe {
        if !check_num_args(args, 0) {
            return null_mut();
        }
        let h = slot_fn!(w, Hash)(s);
        if h == -1 && !occurred().is_null() {
            return null_mut();
        }
        crate::objects::longobject::PyLong_FromSsize_t(h)
    }
}

unsafe extern "C" fn wrap_call(
    s: *mut PyObject,
    args: *mut PyObject,
    w: *mut c_void,
    kw: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: wrapper contract.
    unsafe { slot_fn!(w, Ternary)(s, args, kw) }
}

unsafe extern "C" fn wrap_init(
    s: *mut PyObject,
    args: *mut PyObject,
    w: *mut c_void,
    kw: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: wrapper contract.
    unsafe { none_result(slot_fn!(w, ObjObjArg)(s, args, kw)) }
}

unsafe extern "C" fn wrap_del(
    s: *mut PyObject,
    args: *mut PyObject,
    w: *mut c_void,
) -> *mut PyObject {
    // SAFETY: wrapper contract.
    unsafe {
        if !check_num_args(args, 0) {
            return null_mut();
        }
        slot_fn!(w, Destructor)(s);
        if !occurred().is_null() {
            return null_mut();
        }
        new_ref(none())
    }
}

unsafe fn wrap_richcmp(
    s: *mut PyObject,
    args: *mut PyObject,
    w: *mut c_void,
    op: c_int,
) -> *mut PyObject {
    // SAFETY: wrapper contract.
    unsafe {
        if !check_num_args(args, 1) {
            return null_mut();
        }
        slot_fn!(w, RichCmp)(s, item(args, 0), op)
    }
}

macro_rules! richcmp {
    ($name:ident, $op:expr) => {
        unsafe extern "C" fn $name(
            s: *mut PyObject,
            args: *mut PyObject,
            w: *mut c_void,
        ) -> *mut PyObject {
            // SAFETY: wrapper contract.
            unsafe { wrap_richcmp(s, args, w, $op) }
        }
    };
}
richcmp!(richcmp_lt, Py_LT);
richcmp!(richcmp_le, Py_LE);
richcmp!(richcmp_eq, Py_EQ);
richcmp!(richcmp_ne, Py_NE);
richcmp!(richcmp_gt, Py_GT);
richcmp!(richcmp_ge, Py_GE);

unsafe extern "C" fn wrap_next(
    s: *mut PyObject,
    args: *mut PyObject,
    w: *mut c_void,
) -> *mut PyObject {
    // SAFETY: wrapper contract.
    unsafe {
        if !check_num_args(args, 0) {
            return null_mut();
        }
        let r = slot_fn!(w, Unary)(s);
        if r.is_null() && occurred().is_null() {
            crate::python::errors::set_object(crate::exc!(StopIteration), null_mut());
        }
        r
    }
}

unsafe extern "C" fn wrap_descr_get(
    s: *mut PyObject,
    args: *mut PyObject,
    w: *mut c_void,
) -> *mut PyObject {
    // SAFETY: wrapper contract.
    unsafe {
        let Some([o, t]) = unpack(args, 1, 2) else {
            return null_mut();
        };
        let o = if o == none() { null_mut() } else { o };
        let t = if t == none() { null_mut() } else { t };
        if o.is_null() && t.is_null() {
            set_string(crate::exc!(TypeError), "__get__(None, None) is invalid");
            return null_mut();
        }
        slot_fn!(w, Ternary)(s, o, t)
    }
}

unsafe extern "C" fn wrap_descr_set(
    s: *mut PyObject,
    args: *mut PyObject,
    w: *mut c_void,
) -> *mut PyObject {
    // SAFETY: wrapper contract.
    unsafe {
        let Some([o, v]) = unpack(args, 2, 2) else {
            return null_mut();
        };
        none_result(slot_fn!(w, ObjObjArg)(s, o, v))
    }
}

unsafe extern "C" fn wrap_descr_delete(
    s: *mut PyObject,
    args: *mut PyObject,
    w: *mut c_void,
) -> *mut PyObject {
    // SAFETY: wrapper contract.
    unsafe {
        if !check_num_args(args, 1) {
            return null_mut();
        }
        none_result(slot_fn!(w, ObjObjArg)(s, item(args, 0), null_mut()))
    }
}
