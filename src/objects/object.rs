//! `Include/object.h` and `Include/cpython/object.h`: the object header, type objects and the
//! slot tables, with CPython 3.10's LP64 layouts.

use core::ffi::{c_char, c_int, c_uint, c_ulong, c_void};
use core::mem::{offset_of, size_of};
use static_assertions::const_assert_eq;

/// Signed size type of CPython (`ssize_t`).
///
/// cbindgen:ignore
// Declared in cbindgen.toml's `after_includes`.
pub type Py_ssize_t = isize;
/// Hash values (`Py_ssize_t` sized).
///
/// cbindgen:ignore
// Declared in cbindgen.toml's `after_includes`.
pub type Py_hash_t = isize;

/// The header every object starts with (`PyObject_HEAD`).
///
/// cbindgen:ignore
// Declared in cbindgen.toml's `after_includes`, ahead of every struct that embeds it.
#[repr(C)]
pub struct PyObject {
    pub ob_refcnt: Py_ssize_t,
    pub ob_type: *mut PyTypeObject,
}

/// The header of variable-size objects (`PyObject_VAR_HEAD`).
///
/// cbindgen:ignore
// Declared in cbindgen.toml's `after_includes`, ahead of every struct that embeds it.
#[repr(C)]
pub struct PyVarObject {
    pub ob_base: PyObject,
    pub ob_size: Py_ssize_t,
}

pub type unaryfunc = Option<unsafe extern "C" fn(*mut PyObject) -> *mut PyObject>;
pub type binaryfunc = Option<unsafe extern "C" fn(*mut PyObject, *mut PyObject) -> *mut PyObject>;
pub type ternaryfunc =
    Option<unsafe extern "C" fn(*mut PyObject, *mut PyObject, *mut PyObject) -> *mut PyObject>;
pub type inquiry = Option<unsafe extern "C" fn(*mut PyObject) -> c_int>;
pub type lenfunc = Option<unsafe extern "C" fn(*mut PyObject) -> Py_ssize_t>;
pub type ssizeargfunc = Option<unsafe extern "C" fn(*mut PyObject, Py_ssize_t) -> *mut PyObject>;
pub type ssizeobjargproc =
    Option<unsafe extern "C" fn(*mut PyObject, Py_ssize_t, *mut PyObject) -> c_int>;
pub type objobjargproc =
    Option<unsafe extern "C" fn(*mut PyObject, *mut PyObject, *mut PyObject) -> c_int>;
pub type objobjproc = Option<unsafe extern "C" fn(*mut PyObject, *mut PyObject) -> c_int>;
/// Called by `tp_traverse` for every object it references; nonzero stops the traversal.
pub type visitproc = Option<unsafe extern "C" fn(*mut PyObject, *mut c_void) -> c_int>;
pub type traverseproc =
    Option<unsafe extern "C" fn(*mut PyObject, visitproc, *mut c_void) -> c_int>;
pub type freefunc = Option<unsafe extern "C" fn(*mut c_void)>;
pub type destructor = Option<unsafe extern "C" fn(*mut PyObject)>;
pub type getattrfunc = Option<unsafe extern "C" fn(*mut PyObject, *mut c_char) -> *mut PyObject>;
pub type getattrofunc = Option<unsafe extern "C" fn(*mut PyObject, *mut PyObject) -> *mut PyObject>;
pub type setattrfunc =
    Option<unsafe extern "C" fn(*mut PyObject, *mut c_char, *mut PyObject) -> c_int>;
pub type setattrofunc =
    Option<unsafe extern "C" fn(*mut PyObject, *mut PyObject, *mut PyObject) -> c_int>;
pub type reprfunc = Option<unsafe extern "C" fn(*mut PyObject) -> *mut PyObject>;
pub type hashfunc = Option<unsafe extern "C" fn(*mut PyObject) -> Py_hash_t>;
pub type richcmpfunc =
    Option<unsafe extern "C" fn(*mut PyObject, *mut PyObject, c_int) -> *mut PyObject>;
pub type getiterfunc = Option<unsafe extern "C" fn(*mut PyObject) -> *mut PyObject>;
pub type iternextfunc = Option<unsafe extern "C" fn(*mut PyObject) -> *mut PyObject>;
pub type descrgetfunc =
    Option<unsafe extern "C" fn(*mut PyObject, *mut PyObject, *mut PyObject) -> *mut PyObject>;
pub type descrsetfunc =
    Option<unsafe extern "C" fn(*mut PyObject, *mut PyObject, *mut PyObject) -> c_int>;
pub type initproc =
    Option<unsafe extern "C" fn(*mut PyObject, *mut PyObject, *mut PyObject) -> c_int>;
pub type newfunc =
    Option<unsafe extern "C" fn(*mut PyTypeObject, *mut PyObject, *mut PyObject) -> *mut PyObject>;
pub type allocfunc = Option<unsafe extern "C" fn(*mut PyTypeObject, Py_ssize_t) -> *mut PyObject>;
/// `vectorcallfunc`: `args` holds `PyVectorcall_NARGS(nargsf)` positional arguments followed by
/// the values of the keyword arguments named in `kwnames` (a tuple of str, or NULL).
pub type vectorcallfunc = Option<
    unsafe extern "C" fn(
        *mut PyObject,
        *const *mut PyObject,
        usize,
        *mut PyObject,
    ) -> *mut PyObject,
>;
/// `am_send`: sends `value` into the iterator; see `PyIter_Send` for the result protocol.
pub type sendfunc =
    Option<unsafe extern "C" fn(*mut PyObject, *mut PyObject, *mut *mut PyObject) -> PySendResult>;
pub type getbufferproc =
    Option<unsafe extern "C" fn(*mut PyObject, *mut Py_buffer, c_int) -> c_int>;
pub type releasebufferproc = Option<unsafe extern "C" fn(*mut PyObject, *mut Py_buffer)>;

/// Result of `am_send` / `PyIter_Send` (an `int`-sized value).
///
/// pycoro declares it as `int` rather than as a C enum so that any value a C slot returns is
/// representable; the three valid values are `PYGEN_RETURN`, `PYGEN_ERROR` and `PYGEN_NEXT`.
pub type PySendResult = c_int;
/// The iterator returned (`*result` is the return value, a new reference).
pub const PYGEN_RETURN: PySendResult = 0;
/// An exception is set and `*result` is NULL.
pub const PYGEN_ERROR: PySendResult = -1;
/// The iterator yielded (`*result` is the yielded value, a new reference).
pub const PYGEN_NEXT: PySendResult = 1;

/// The buffer protocol's view structure (3.10 layout; pycoro's own types do not export buffers).
#[repr(C)]
pub struct Py_buffer {
    pub buf: *mut c_void,
    pub obj: *mut PyObject,
    pub len: Py_ssize_t,
    pub itemsize: Py_ssize_t,
    pub readonly: c_int,
    pub ndim: c_int,
    pub format: *mut c_char,
    pub shape: *mut Py_ssize_t,
    pub strides: *mut Py_ssize_t,
    pub suboffsets: *mut Py_ssize_t,
    pub internal: *mut c_void,
}

/// Number protocol slots (3.10 order).
#[repr(C)]
pub struct PyNumberMethods {
    pub nb_add: binaryfunc,
    pub nb_subtract: binaryfunc,
    pub nb_multiply: binaryfunc,
    pub nb_remainder: binaryfunc,
    pub nb_divmod: binaryfunc,
    pub nb_power: ternaryfunc,
    pub nb_negative: unaryfunc,
    pub nb_positive: unaryfunc,
    pub nb_absolute: unaryfunc,
    pub nb_bool: inquiry,
    pub nb_invert: unaryfunc,
    pub nb_lshift: binaryfunc,
    pub nb_rshift: binaryfunc,
    pub nb_and: binaryfunc,
    pub nb_xor: binaryfunc,
    pub nb_or: binaryfunc,
    pub nb_int: unaryfunc,
    pub nb_reserved: *mut c_void,
    pub nb_float: unaryfunc,
    pub nb_inplace_add: binaryfunc,
    pub nb_inplace_subtract: binaryfunc,
    pub nb_inplace_multiply: binaryfunc,
    pub nb_inplace_remainder: binaryfunc,
    pub nb_inplace_power: ternaryfunc,
    pub nb_inplace_lshift: binaryfunc,
    pub nb_inplace_rshift: binaryfunc,
    pub nb_inplace_and: binaryfunc,
    pub nb_inplace_xor: binaryfunc,
    pub nb_inplace_or: binaryfunc,
    pub nb_floor_divide: binaryfunc,
    pub nb_true_divide: binaryfunc,
    pub nb_inplace_floor_divide: binaryfunc,
    pub nb_inplace_true_divide: binaryfunc,
    pub nb_index: unaryfunc,
    pub nb_matrix_multiply: binaryfunc,
    pub nb_inplace_matrix_multiply: binaryfunc,
}

/// Sequence protocol slots (3.10 order).
#[repr(C)]
pub struct PySequenceMethods {
    pub sq_length: lenfunc,
    pub sq_concat: binaryfunc,
    pub sq_repeat: ssizeargfunc,
    pub sq_item: ssizeargfunc,
    pub was_sq_slice: *mut c_void,
    pub sq_ass_item: ssizeobjargproc,
    pub was_sq_ass_slice: *mut c_void,
    pub sq_contains: objobjproc,
    pub sq_inplace_concat: binaryfunc,
    pub sq_inplace_repeat: ssizeargfunc,
}

/// Mapping protocol slots.
#[repr(C)]
pub struct PyMappingMethods {
    pub mp_length: lenfunc,
    pub mp_subscript: binaryfunc,
    pub mp_ass_subscript: objobjargproc,
}

/// Asynchronous protocol slots; `am_send` is new in 3.10.
#[repr(C)]
pub struct PyAsyncMethods {
    pub am_await: unaryfunc,
    pub am_aiter: unaryfunc,
    pub am_anext: unaryfunc,
    pub am_send: sendfunc,
}

/// Buffer protocol slots.
#[repr(C)]
pub struct PyBufferProcs {
    pub bf_getbuffer: getbufferproc,
    pub bf_releasebuffer: releasebufferproc,
}

/// A type object: CPython 3.10's `PyTypeObject` (`struct _typeobject`), 408 bytes.
#[repr(C)]
pub struct PyTypeObject {
    pub ob_base: PyVarObject,
    pub tp_name: *const c_char,
    pub tp_basicsize: Py_ssize_t,
    pub tp_itemsize: Py_ssize_t,
    pub tp_dealloc: destructor,
    pub tp_vectorcall_offset: Py_ssize_t,
    pub tp_getattr: getattrfunc,
    pub tp_setattr: setattrfunc,
    pub tp_as_async: *mut PyAsyncMethods,
    pub tp_repr: reprfunc,
    pub tp_as_number: *mut PyNumberMethods,
    pub tp_as_sequence: *mut PySequenceMethods,
    pub tp_as_mapping: *mut PyMappingMethods,
    pub tp_hash: hashfunc,
    pub tp_call: ternaryfunc,
    pub tp_str: reprfunc,
    pub tp_getattro: getattrofunc,
    pub tp_setattro: setattrofunc,
    pub tp_as_buffer: *mut PyBufferProcs,
    pub tp_flags: c_ulong,
    pub tp_doc: *const c_char,
    pub tp_traverse: traverseproc,
    pub tp_clear: inquiry,
    pub tp_richcompare: richcmpfunc,
    pub tp_weaklistoffset: Py_ssize_t,
    pub tp_iter: getiterfunc,
    pub tp_iternext: iternextfunc,
    pub tp_methods: *mut crate::objects::methodobject::PyMethodDef,
    pub tp_members: *mut crate::objects::descrobject::PyMemberDef,
    pub tp_getset: *mut crate::objects::descrobject::PyGetSetDef,
    pub tp_base: *mut PyTypeObject,
    pub tp_dict: *mut PyObject,
    pub tp_descr_get: descrgetfunc,
    pub tp_descr_set: descrsetfunc,
    pub tp_dictoffset: Py_ssize_t,
    pub tp_init: initproc,
    pub tp_alloc: allocfunc,
    pub tp_new: newfunc,
    pub tp_free: freefunc,
    pub tp_is_gc: inquiry,
    pub tp_bases: *mut PyObject,
    pub tp_mro: *mut PyObject,
    pub tp_cache: *mut PyObject,
    pub tp_subclasses: *mut PyObject,
    pub tp_weaklist: *mut PyObject,
    pub tp_del: destructor,
    pub tp_version_tag: c_uint,
    pub tp_finalize: destructor,
    pub tp_vectorcall: vectorcallfunc,
}

/// Set if the type object is dynamically allocated.
pub const Py_TPFLAGS_HEAPTYPE: c_ulong = 0x200;
/// Set if the type allows subclassing.
pub const Py_TPFLAGS_BASETYPE: c_ulong = 0x400;
/// Set if the type implements the vectorcall protocol (`tp_vectorcall_offset`).
pub const Py_TPFLAGS_HAVE_VECTORCALL: c_ulong = 0x800;
/// Set if the type is 'ready': fully initialized.
pub const Py_TPFLAGS_READY: c_ulong = 0x1000;
/// Set while the type is being 'readied'.
pub const Py_TPFLAGS_READYING: c_ulong = 0x2000;
/// Objects support garbage collection (the allocation carries a GC header).
pub const Py_TPFLAGS_HAVE_GC: c_ulong = 0x4000;
/// Objects behave like an unbound method.
pub const Py_TPFLAGS_METHOD_DESCRIPTOR: c_ulong = 0x20000;
/// Objects support the type attribute cache.
pub const Py_TPFLAGS_HAVE_VERSION_TAG: c_ulong = 0x40000;
pub const Py_TPFLAGS_VALID_VERSION_TAG: c_ulong = 0x80000;
/// The type is abstract and cannot be instantiated.
pub const Py_TPFLAGS_IS_ABSTRACT: c_ulong = 0x100000;
/// The type may not be instantiated from Python (`tp_new` is NULL).
pub const Py_TPFLAGS_DISALLOW_INSTANTIATION: c_ulong = 0x80;
/// The type's attributes are immutable.
pub const Py_TPFLAGS_IMMUTABLETYPE: c_ulong = 0x100;
/// Pattern-matching flags (3.10).
pub const Py_TPFLAGS_SEQUENCE: c_ulong = 0x20;
pub const Py_TPFLAGS_MAPPING: c_ulong = 0x40;
/// Fast subclass bits tested by `PyLong_Check` and friends.
pub const Py_TPFLAGS_LONG_SUBCLASS: c_ulong = 0x1000000;
pub const Py_TPFLAGS_LIST_SUBCLASS: c_ulong = 0x2000000;
pub const Py_TPFLAGS_TUPLE_SUBCLASS: c_ulong = 0x4000000;
pub const Py_TPFLAGS_BYTES_SUBCLASS: c_ulong = 0x8000000;
pub const Py_TPFLAGS_UNICODE_SUBCLASS: c_ulong = 0x10000000;
pub const Py_TPFLAGS_DICT_SUBCLASS: c_ulong = 0x20000000;
pub const Py_TPFLAGS_BASE_EXC_SUBCLASS: c_ulong = 0x40000000;
pub const Py_TPFLAGS_TYPE_SUBCLASS: c_ulong = 0x80000000;
/// `case T(x)` binds the subject itself (3.10, for the builtin value types).
pub const _Py_TPFLAGS_MATCH_SELF: c_ulong = 1 << 22;
/// 3.10's `Py_TPFLAGS_DEFAULT` is 0.
pub const Py_TPFLAGS_DEFAULT: c_ulong = 0;
/// `tp_finalize` is always honoured; the bit only exists for source compatibility.
pub const Py_TPFLAGS_HAVE_FINALIZE: c_ulong = 1;

/// Rich comparison operators.
pub const Py_LT: c_int = 0;
pub const Py_LE: c_int = 1;
pub const Py_EQ: c_int = 2;
pub const Py_NE: c_int = 3;
pub const Py_GT: c_int = 4;
pub const Py_GE: c_int = 5;

/// Objects whose reference count is at least this are immortal: reference counting leaves them
/// alone, so they may be shared between threads (None, True, False, small ints, the empty
/// tuple, interned strings and static type objects start at `PYNATIVE_IMMORTAL_REFCNT`).
pub const PYNATIVE_IMMORTAL_MIN: Py_ssize_t = 0x0800_0000_0000_0000;
/// The initial reference count of pycoro's static objects.
pub const PYNATIVE_IMMORTAL_REFCNT: Py_ssize_t = 0x1000_0000_0000_0000;

const_assert_eq!(size_of::<PyObject>(), 16);
const_assert_eq!(size_of::<PyVarObject>(), 24);
const_assert_eq!(offset_of!(PyVarObject, ob_size), 16);
const_assert_eq!(size_of::<PyAsyncMethods>(), 32);
const_assert_eq!(offset_of!(PyAsyncMethods, am_send), 24);
const_assert_eq!(size_of::<PyTypeObject>(), 408);
const_assert_eq!(offset_of!(PyTypeObject, tp_name), 24);
const_assert_eq!(offset_of!(PyTypeObject, tp_dealloc), 48);
const_assert_eq!(offset_of!(PyTypeObject, tp_as_async), 80);
const_assert_eq!(offset_of!(PyTypeObject, tp_flags), 168);
const_assert_eq!(offset_of!(PyTypeObject, tp_weaklistoffset), 208);
const_assert_eq!(offset_of!(PyTypeObject, tp_iter), 216);
const_assert_eq!(offset_of!(PyTypeObject, tp_iternext), 224);
const_assert_eq!(offset_of!(PyTypeObject, tp_base), 256);
const_assert_eq!(offset_of!(PyTypeObject, tp_version_tag), 384);
const_assert_eq!(offset_of!(PyTypeObject, tp_finalize), 392);
const_assert_eq!(offset_of!(PyTypeObject, tp_vectorcall), 400);
const_assert_eq!(size_of::<PyNumberMethods>(), 36 * 8);
const_assert_eq!(size_of::<PySequenceMethods>(), 80);
const_assert_eq!(size_of::<PyMappingMethods>(), 24);
const_assert_eq!(size_of::<Py_buffer>(), 80);

/// A type object made at run time (`PyType_FromSpec`, `PyErr_NewException`, ...): the type
/// object followed by its own protocol tables, its names, its `__slots__`, cached keys and the
/// module it belongs to (CPython 3.10's `PyHeapTypeObject`, 888 bytes).
#[repr(C)]
pub struct PyHeapTypeObject {
    pub ht_type: PyTypeObject,
    pub as_async: PyAsyncMethods,
    pub as_number: PyNumberMethods,
    pub as_mapping: PyMappingMethods,
    pub as_sequence: PySequenceMethods,
    pub as_buffer: PyBufferProcs,
    pub ht_name: *mut PyObject,
    pub ht_slots: *mut PyObject,
    pub ht_qualname: *mut PyObject,
    pub ht_cached_keys: *mut c_void,
    pub ht_module: *mut PyObject,
}

const_assert_eq!(size_of::<PyHeapTypeObject>(), 888);
const_assert_eq!(offset_of!(PyHeapTypeObject, as_async), 408);
const_assert_eq!(offset_of!(PyHeapTypeObject, as_number), 440);
const_assert_eq!(offset_of!(PyHeapTypeObject, as_mapping), 728);
const_assert_eq!(offset_of!(PyHeapTypeObject, as_sequence), 752);
const_assert_eq!(offset_of!(PyHeapTypeObject, as_buffer), 832);
const_assert_eq!(offset_of!(PyHeapTypeObject, ht_name), 848);
const_assert_eq!(offset_of!(PyHeapTypeObject, ht_module), 880);

// ---- Py_ReprEnter / Py_ReprLeave (Objects/object.c) ----

std::thread_local! {
    /// The containers whose repr the calling thread is computing, innermost last.
    static REPR_STACK: core::cell::RefCell<Vec<usize>> = const { core::cell::RefCell::new(Vec::new()) };
}

/// Starts the repr of the container `obj` on the calling thread: returns 0 (go ahead; call
/// `Py_ReprLeave(obj)` when done), 1 if the thread is already computing `obj`'s repr (a
/// recursive container: print `...` instead; do not call `Py_ReprLeave`), or -1 with an
/// exception set (`MemoryError`; `SystemError` for NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn Py_ReprEnter(obj: *mut PyObject) -> c_int {
    crate::capi::boundary::check_null!(obj, -1);
    crate::capi::boundary::guard("Py_ReprEnter", -1, || {
        let r = REPR_STACK.try_with(|s| {
            let mut s = s.borrow_mut();
            if s.contains(&(obj as usize)) {
                return 1;
            }
            if s.try_reserve(1).is_err() {
                return -1;
            }
            s.push(obj as usize);
            0
        });
        match r {
            Ok(-1) => {
                // SAFETY: setting the error indicator.
                unsafe { crate::python::errors::no_memory() };
                -1
            }
            Ok(r) => r,
            // The thread is exiting: nothing can be recorded, so nothing is recursive.
            Err(_) => 0,
        }
    })
}

/// Ends the repr of `obj` started by `Py_ReprEnter` (removes its innermost entry). Keeps the
/// exception state as it is. NULL, or an object not entered, is ignored.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn Py_ReprLeave(obj: *mut PyObject) {
    if obj.is_null() {
        return;
    }
    crate::capi::boundary::guard("Py_ReprLeave", (), || {
        let _ = REPR_STACK.try_with(|s| {
            let mut s = s.borrow_mut();
            if let Some(i) = s.iter().rposition(|&p| p == obj as usize) {
                s.remove(i);
            }
        });
    })
}
