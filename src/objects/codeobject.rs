//! `Include/cpython/code.h`: code objects, with CPython 3.10's `PyCodeObject` layout.

use crate::capi::boundary::{check_null, guard};
use crate::capi::ffi::{clear, decref, is_type, new_ref, obj};
use crate::modules::gcmodule::{alloc_object, free_object};
use crate::objects::frameobject::PyFrameObject;
use crate::objects::object::*;
use crate::objects::typeobject::static_type;
use crate::objects::unicodeobject::{decode_utf8, str_as};
use crate::python::errors::{bad_internal_call, set_format, set_string};
use core::ffi::{CStr, c_char, c_int, c_uchar, c_void};
use core::mem::{offset_of, size_of};
use core::ptr::null_mut;
use static_assertions::const_assert_eq;

/// A code object (CPython 3.10's 176-byte layout). For native code (see `PyNative_NewCode`),
/// `co_code` is NULL and the body is a C function recorded by pycoro after these fields (see
/// `PyCode_Type`).
#[repr(C)]
pub struct PyCodeObject {
    pub ob_base: PyObject,
    pub co_argcount: c_int,
    pub co_posonlyargcount: c_int,
    pub co_kwonlyargcount: c_int,
    pub co_nlocals: c_int,
    pub co_stacksize: c_int,
    pub co_flags: c_int,
    pub co_firstlineno: c_int,
    pub co_code: *mut PyObject,
    pub co_consts: *mut PyObject,
    pub co_names: *mut PyObject,
    pub co_varnames: *mut PyObject,
    pub co_freevars: *mut PyObject,
    pub co_cellvars: *mut PyObject,
    pub co_cell2arg: *mut Py_ssize_t,
    pub co_filename: *mut PyObject,
    pub co_name: *mut PyObject,
    pub co_linetable: *mut PyObject,
    pub co_zombieframe: *mut c_void,
    pub co_weakreflist: *mut PyObject,
    pub co_extra: *mut c_void,
    pub co_opcache_map: *mut c_uchar,
    pub co_opcache: *mut c_void,
    pub co_opcache_flag: c_int,
    pub co_opcache_size: c_uchar,
}

const_assert_eq!(size_of::<PyCodeObject>(), 176);
const_assert_eq!(offset_of!(PyCodeObject, co_flags), 36);
const_assert_eq!(offset_of!(PyCodeObject, co_firstlineno), 40);
const_assert_eq!(offset_of!(PyCodeObject, co_code), 48);
const_assert_eq!(offset_of!(PyCodeObject, co_filename), 104);
const_assert_eq!(offset_of!(PyCodeObject, co_name), 112);
const_assert_eq!(offset_of!(PyCodeObject, co_opcache_size), 172);

/// Code flags (`co_flags`).
pub const CO_OPTIMIZED: c_int = 0x0001;
pub const CO_NEWLOCALS: c_int = 0x0002;
pub const CO_VARARGS: c_int = 0x0004;
pub const CO_VARKEYWORDS: c_int = 0x0008;
pub const CO_NESTED: c_int = 0x0010;
/// The code is a generator function's.
pub const CO_GENERATOR: c_int = 0x0020;
pub const CO_NOFREE: c_int = 0x0040;
/// The code is a coroutine function's (`async def`).
pub const CO_COROUTINE: c_int = 0x0080;
/// A generator-based coroutine (`@types.coroutine`): awaitable.
pub const CO_ITERABLE_COROUTINE: c_int = 0x0100;
/// The code is an async generator function's.
pub const CO_ASYNC_GENERATOR: c_int = 0x0200;
/// Maximum number of nested blocks (`f_blockstack` entries).
pub const CO_MAXBLOCKS: c_int = 20;

/// Every `co_flags` bit a native code object may carry (`CO_OPTIMIZED` .. `CO_ASYNC_GENERATOR`);
/// the `CO_FUTURE_*` compiler flags mean nothing without a compiler.
const KNOWN_FLAGS: c_int = 0x03ff;
/// The flags that choose what calling the code makes; at most one may be set.
const KIND_FLAGS: c_int = CO_GENERATOR | CO_COROUTINE | CO_ASYNC_GENERATOR;

/// The body of a native code object: one C function that is the whole frame, run as a
/// stackless state machine (the way Cython and Nuitka compile coroutines).
///
/// The runtime calls the body each time the generator, coroutine or async generator that owns
/// the frame is resumed (`send`, `next`, `throw`, `close`, `await`, `asend` ...). The body:
///
/// - **Resumes at a label.** `frame->f_lasti` holds the body's resume label. It is -1 before the
///   first run (as in CPython: the frame state is `FRAME_CREATED`). Before it suspends, the body
///   stores a label >= 0 in `f_lasti`; when re-entered it switches on `f_lasti` and continues
///   after that label. Labels are the body's own business; the runtime only tests `f_lasti < 0`
///   ("just started").
/// - **Keeps live objects in slots.** `frame->f_localsplus[0 .. co_nlocals)` are `nslots`
///   object slots owned by the frame (NULL at creation). Store new references there; the frame
///   releases whatever they hold when it is cleared or deallocated. Values kept in C locals do
///   not survive a suspension.
/// - **May keep raw C state** in `PyNative_FrameState(frame)`: `state_size` bytes, zeroed at
///   creation, 16-byte aligned, owned by the frame. The runtime never looks inside (so no
///   object references there: they would not be released or traversed).
/// - **Receives `arg`**: the value sent in (borrowed): `None` on the first run and for
///   `next()`, or the value of `send(value)`; after a delegation (see `PYNATIVE_AWAIT`) it is
///   the delegate's return value. `arg` is **NULL when an exception is thrown in** (`throw()`,
///   `close()` raising `GeneratorExit`, a delegate that raised): the error indicator is set;
///   the body may handle it (`PyErr_ExceptionMatches`, `PyErr_Clear`) and go on, or return
///   `PYNATIVE_ERROR` to let it propagate.
/// - **Returns a status** and writes `*out`:
///   - `PYNATIVE_RETURN` (0): the frame is finished; `*out` = new reference to the return value
///     (`StopIteration.value` for the caller).
///   - `PYNATIVE_ERROR` (-1): an exception is set; `*out` is not written. The frame is finished.
///   - `PYNATIVE_YIELD` (1): `*out` = new reference to the yielded value; the body has set
///     `f_lasti >= 0`. The frame is suspended.
///   - `PYNATIVE_AWAIT` (2): `*out` = new reference to an awaitable. The runtime does what
///     `await` does: gets its iterator (`__await__`), drives it, forwarding `send`, `throw` and
///     `close`, yields what it yields, and when it finishes re-enters the body at `f_lasti`
///     (which the body has set >= 0) with `arg` = the delegate's return value, or `arg` = NULL
///     with the delegate's exception set. While delegating, the delegate is kept on the
///     frame's value stack (`f_valuestack[0]`, `f_stackdepth == 1`) as CPython 3.10 does.
///   - `PYNATIVE_YIELD_FROM` (3): the same with `yield from` semantics (`iter()` instead of
///     `__await__`), for generators.
/// - **May set `frame->f_lineno`** to the line it is at, for tracebacks and
///   `PyFrame_GetLineNumber`.
///
/// Any other status, a suspension (`PYNATIVE_YIELD`, `PYNATIVE_AWAIT`,
/// `PYNATIVE_YIELD_FROM`) that leaves `f_lasti < 0` or `*out` NULL, or `PYNATIVE_ERROR` with no
/// exception set, is a bug in the body: the runtime raises `SystemError` in the caller.
///
/// `frame` and `arg` are borrowed for the duration of the call (take a reference to keep `arg`
/// in a slot). The body must not re-enter itself for the same frame and must leave
/// `f_stackdepth`, `f_valuestack`, `f_gen`, `f_back` and `f_state` to the runtime.
pub type PyNative_Body = Option<
    unsafe extern "C" fn(
        frame: *mut PyFrameObject,
        arg: *mut PyObject,
        out: *mut *mut PyObject,
    ) -> c_int,
>;

/// Body status: the frame returned; `*out` is a new reference to the return value.
pub const PYNATIVE_RETURN: c_int = 0;
/// Body status: an exception is set; `*out` is untouched.
pub const PYNATIVE_ERROR: c_int = -1;
/// Body status: the frame yields `*out` (a new reference); `f_lasti` holds the resume label.
pub const PYNATIVE_YIELD: c_int = 1;
/// Body status: the frame awaits `*out` (a new reference to an awaitable); the runtime drives
/// it and resumes the body at `f_lasti` with its result.
pub const PYNATIVE_AWAIT: c_int = 2;
/// Body status: the frame delegates to `*out` (a new reference to an iterable) with `yield from`
/// semantics; the runtime resumes the body at `f_lasti` with its result.
pub const PYNATIVE_YIELD_FROM: c_int = 3;

/// A code object as pycoro allocates it: CPython's 176-byte `PyCodeObject` followed by the
/// native extension. `PyCode_Type.tp_basicsize` is the size of this struct.
#[repr(C)]
pub(crate) struct NativeCode {
    pub(crate) code: PyCodeObject,
    /// The body, or None for code without one (`PyCode_NewEmpty`).
    pub(crate) body: PyNative_Body,
    /// Bytes of raw C state each frame of this code gets.
    pub(crate) state_size: Py_ssize_t,
}

const_assert_eq!(offset_of!(NativeCode, body), 176);

/// The type `code`.
///
/// Every code object pycoro makes is `tp_basicsize` (192) bytes: CPython 3.10's 176-byte
/// `PyCodeObject`, followed by pycoro's native extension (the body function pointer and the
/// frame state size). C code sees only the `PyCodeObject` fields; use `PyNative_CodeBody` and
/// `PyNative_FrameState` for the extension. Code objects are not GC objects (as in CPython);
/// hashing and comparison are by identity.
#[unsafe(no_mangle)]
pub static mut PyCode_Type: PyTypeObject = PyTypeObject {
    tp_dealloc: Some(code_dealloc),
    tp_repr: Some(code_repr),
    tp_hash: Some(code_hash),
    tp_richcompare: Some(code_richcompare),
    tp_getattro: Some(crate::objects::object_ops::PyObject_GenericGetAttr),
    tp_members: (&raw const CODE_MEMBERS) as *mut crate::objects::descrobject::PyMemberDef,
    tp_weaklistoffset: offset_of!(PyCodeObject, co_weakreflist) as Py_ssize_t,
    tp_doc: c"code(argcount, posonlyargcount, kwonlyargcount, nlocals, stacksize,\n     flags, codestring, constants, names, varnames, filename, name,\n     firstlineno, linetable, freevars=(), cellvars=(), /)\n--\n\nCreate a code object.  Not for the faint of heart.".as_ptr(),
    ..static_type(c"code", size_of::<NativeCode>(), 0)
};

/// `PyCode_Check`.
#[inline]
pub(crate) unsafe fn is_code(op: *mut PyObject) -> bool {
    // SAFETY: live object.
    unsafe { is_type(op, &raw mut PyCode_Type) }
}

/// The native body of a code object (None for code without one).
#[inline]
pub(crate) unsafe fn body_of(code: *mut PyCodeObject) -> PyNative_Body {
    // SAFETY: every code object is allocated as a NativeCode.
    unsafe { (*(code as *mut NativeCode)).body }
}

/// The raw state size of the frames of `code`.
#[inline]
pub(crate) unsafe fn state_size_of(code: *mut PyCodeObject) -> usize {
    // SAFETY: every code object is allocated as a NativeCode; negative sizes are refused.
    unsafe { (*(code as *mut NativeCode)).state_size.max(0) as usize }
}

unsafe extern "C" fn code_dealloc(op: *mut PyObject) {
    let co = op as *mut PyCodeObject;
    // SAFETY: a dying code object owns the references in its object fields.
    unsafe {
        clear(&raw mut (*co).co_code);
        clear(&raw mut (*co).co_consts);
        clear(&raw mut (*co).co_names);
        clear(&raw mut (*co).co_varnames);
        clear(&raw mut (*co).co_freevars);
        clear(&raw mut (*co).co_cellvars);
        clear(&raw mut (*co).co_filename);
        clear(&raw mut (*co).co_name);
        clear(&raw mut (*co).co_linetable);
        free_object(op);
    }
}

unsafe extern "C" fn code_repr(op: *mut PyObject) -> *mut PyObject {
    let co = op as *mut PyCodeObject;
    // SAFETY: a live code object; its name and filename are str (or NULL).
    unsafe {
        let name = str_as((*co).co_name).unwrap_or("???");
        match str_as((*co).co_filename) {
            Some(file) => crate::objects::unicodeobject::str_format(format_args!(
                "<code object {name} at {:#x}, file \"{file}\", line {}>",
                op as usize,
                (*co).co_firstlineno
            )),
            None => crate::objects::unicodeobject::str_format(format_args!(
                "<code object {name} at {:#x}, file ???, line {}>",
                op as usize,
                (*co).co_firstlineno
            )),
        }
    }
}

/// Decodes a C string argument (UTF-8) into a new str.
unsafe fn str_arg(s: *const c_char) -> *mut PyObject {
    // SAFETY: NUL-terminated by the caller's contract.
    unsafe { decode_utf8(CStr::from_ptr(s).to_bytes()) }
}

/// A new code object with the given names (stolen, even on failure), no locals, no stack and
/// no body; the caller fills in the rest.
unsafe fn new_code(
    filename: *mut PyObject,
    name: *mut PyObject,
    firstlineno: c_int,
    flags: c_int,
) -> *mut NativeCode {
    // SAFETY: a fresh zeroed allocation of NativeCode size; the fields are set before use.
    unsafe {
        let op = alloc_object(&raw mut PyCode_Type, size_of::<NativeCode>());
        if op.is_null() {
            decref(filename);
            decref(name);
            return null_mut();
        }
        let nc = op as *mut NativeCode;
        let co = &raw mut (*nc).code;
        (*co).co_flags = flags;
        (*co).co_firstlineno = firstlineno;
        let empty = crate::objects::tupleobject::empty();
        (*co).co_consts = new_ref(empty);
        (*co).co_names = new_ref(empty);
        (*co).co_varnames = new_ref(empty);
        (*co).co_freevars = new_ref(empty);
        (*co).co_cellvars = new_ref(empty);
        (*co).co_filename = filename;
        (*co).co_name = name;
        nc
    }
}

/// Creates a native code object: code whose frames run the C function `body` (see
/// `PyNative_Body` for the contract) instead of bytecode.
///
/// - `name`, `filename`: UTF-8 C strings (copied) for `co_name` and `co_filename`; they
///   appear in reprs and tracebacks.
/// - `firstlineno`: `co_firstlineno` (what `PyFrame_GetLineNumber` reports until the body sets
///   `f_lineno`).
/// - `flags`: `CO_*` bits (0x0001..0x0200); at most one of `CO_GENERATOR`, `CO_COROUTINE`,
///   `CO_ASYNC_GENERATOR`, which say what kind of object the code's frames belong to.
///   `CO_NOFREE` is always added.
/// - `nslots`: the number of object slots each frame has (`co_nlocals`), >= 0.
/// - `state_size`: bytes of raw C state each frame has (`PyNative_FrameState`), >= 0.
///
/// The result has `co_argcount`, `co_posonlyargcount` and `co_kwonlyargcount` 0,
/// `co_stacksize` 1 (the delegation slot), `co_consts`, `co_names`, `co_varnames`,
/// `co_freevars` and `co_cellvars` the empty tuple, and `co_code` and `co_linetable` NULL
/// (pycoro has no bytes type and native code has no bytecode).
///
/// Return value: New reference, or NULL with an exception set: `SystemError` ("bad argument
/// to internal function") when `body`, `name` or `filename` is NULL; `ValueError` for unknown
/// flag bits, more than one kind flag, or a negative `nslots` or `state_size`;
/// `UnicodeDecodeError` when `name` or `filename` is not valid UTF-8.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyNative_NewCode(
    body: PyNative_Body,
    name: *const c_char,
    filename: *const c_char,
    firstlineno: c_int,
    flags: c_int,
    nslots: c_int,
    state_size: Py_ssize_t,
) -> *mut PyCodeObject {
    if body.is_none() {
        // SAFETY: setting the error indicator.
        unsafe { bad_internal_call() };
        return null_mut();
    }
    check_null!(name, null_mut());
    check_null!(filename, null_mut());
    guard("PyNative_NewCode", null_mut(), || {
        // SAFETY: the strings are NUL-terminated by contract; the rest is plain values.
        unsafe {
            let unknown = flags & !KNOWN_FLAGS;
            if unknown != 0 {
                set_format(
                    crate::exc!(ValueError),
                    format_args!(
                        "PyNative_NewCode: unknown flag bits {unknown:#x} in flags {flags:#x}"
                    ),
                );
                return null_mut();
            }
            if (flags & KIND_FLAGS).count_ones() > 1 {
                set_string(
                    crate::exc!(ValueError),
                    "PyNative_NewCode: flags may contain only one of CO_GENERATOR, CO_COROUTINE \
                     and CO_ASYNC_GENERATOR",
                );
                return null_mut();
            }
            if nslots < 0 {
                set_format(
                    crate::exc!(ValueError),
                    format_args!("PyNative_NewCode: nslots must be >= 0, not {nslots}"),
                );
                return null_mut();
            }
            if state_size < 0 {
                set_format(
                    crate::exc!(ValueError),
                    format_args!("PyNative_NewCode: state_size must be >= 0, not {state_size}"),
                );
                return null_mut();
            }
            let name = str_arg(name);
            if name.is_null() {
                return null_mut();
            }
            let filename = str_arg(filename);
            if filename.is_null() {
                decref(name);
                return null_mut();
            }
            let nc = new_code(filename, name, firstlineno, flags | CO_NOFREE);
            if nc.is_null() {
                return null_mut();
            }
            (*nc).code.co_nlocals = nslots;
            (*nc).code.co_stacksize = 1;
            (*nc).body = body;
            (*nc).state_size = state_size;
            &raw mut (*nc).code
        }
    })
}

/// Creates an empty code object, as CPython 3.10 does: `co_flags` `CO_NOFREE`, no locals, a
/// stack size of 0, the empty tuple for `co_consts`, `co_names`, `co_varnames`, `co_freevars`
/// and `co_cellvars`. It has no body, so its frames cannot be run. pycoro has no bytes type:
/// `co_code` and `co_linetable` are NULL (CPython has `b''`).
///
/// Return value: New reference, or NULL with an exception set (`SystemError` when `filename`
/// or `funcname` is NULL, `UnicodeDecodeError` when either is not valid UTF-8).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyCode_NewEmpty(
    filename: *const c_char,
    funcname: *const c_char,
    firstlineno: c_int,
) -> *mut PyCodeObject {
    check_null!(filename, null_mut());
    check_null!(funcname, null_mut());
    guard("PyCode_NewEmpty", null_mut(), || {
        // SAFETY: the strings are NUL-terminated by contract.
        unsafe {
            let filename = str_arg(filename);
            if filename.is_null() {
                return null_mut();
            }
            let name = str_arg(funcname);
            if name.is_null() {
                decref(filename);
                return null_mut();
            }
            let nc = new_code(filename, name, firstlineno, CO_NOFREE);
            if nc.is_null() {
                return null_mut();
            }
            &raw mut (*nc).code
        }
    })
}

/// Returns the body of a native code object, or NULL (with no exception set) for code without
/// one (made by `PyCode_NewEmpty`).
///
/// Returns NULL with `SystemError` ("bad argument to internal function") set when `code` is
/// NULL or not a code object; use `PyErr_Occurred()` to tell the two NULLs apart.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyNative_CodeBody(code: *mut PyCodeObject) -> PyNative_Body {
    check_null!(code, None);
    guard("PyNative_CodeBody", None, || {
        // SAFETY: a live object by contract.
        unsafe {
            if !is_code(obj(code)) {
                bad_internal_call();
                return None;
            }
            body_of(code)
        }
    })
}

const fn code_member(
    name: &'static CStr,
    kind: c_int,
    offset: usize,
) -> crate::objects::descrobject::PyMemberDef {
    crate::objects::descrobject::PyMemberDef {
        name: name.as_ptr(),
        r#type: kind,
        offset: offset as Py_ssize_t,
        flags: crate::python::structmember::READONLY,
        doc: core::ptr::null(),
    }
}

/// CPython 3.10's code attributes (`co_name`, `co_flags`, ...); the object fields a native
/// code object does not fill read as None.
static mut CODE_MEMBERS: [crate::objects::descrobject::PyMemberDef; 17] = {
    use crate::python::structmember::{T_INT, T_OBJECT};
    type C = PyCodeObject;
    [
        code_member(c"co_argcount", T_INT, offset_of!(C, co_argcount)),
        code_member(
            c"co_posonlyargcount",
            T_INT,
            offset_of!(C, co_posonlyargcount),
        ),
        code_member(
            c"co_kwonlyargcount",
            T_INT,
            offset_of!(C, co_kwonlyargcount),
        ),
        code_member(c"co_nlocals", T_INT, offset_of!(C, co_nlocals)),
        code_member(c"co_stacksize", T_INT, offset_of!(C, co_stacksize)),
        code_member(c"co_flags", T_INT, offset_of!(C, co_flags)),
        code_member(c"co_code", T_OBJECT, offset_of!(C, co_code)),
        code_member(c"co_consts", T_OBJECT, offset_of!(C, co_consts)),
        code_member(c"co_names", T_OBJECT, offset_of!(C, co_names)),
        code_member(c"co_varnames", T_OBJECT, offset_of!(C, co_varnames)),
        code_member(c"co_freevars", T_OBJECT, offset_of!(C, co_freevars)),
        code_member(c"co_cellvars", T_OBJECT, offset_of!(C, co_cellvars)),
        code_member(c"co_filename", T_OBJECT, offset_of!(C, co_filename)),
        code_member(c"co_name", T_OBJECT, offset_of!(C, co_name)),
        code_member(c"co_firstlineno", T_INT, offset_of!(C, co_firstlineno)),
        code_member(c"co_linetable", T_OBJECT, offset_of!(C, co_linetable)),
        crate::objects::descrobject::PyMemberDef::SENTINEL,
    ]
};

/// The fields that make two code objects equal: name, filename, first line, flags, argument
/// counts, the body and its state size (CPython compares the bytecode and constants; a native
/// code object's "bytecode" is its body).
unsafe fn code_key(op: *mut PyObject) -> (usize, [c_int; 5], usize, Py_ssize_t) {
    // SAFETY: a live code object.
    unsafe {
        let c = op as *mut NativeCode;
        let co = &(*c).code;
        (
            crate::capi::ffi::fp((*c).body),
            [
                co.co_firstlineno,
                co.co_flags,
                co.co_argcount,
                co.co_kwonlyargcount,
                co.co_posonlyargcount,
            ],
            0,
            (*c).state_size,
        )
    }
}

unsafe fn str_eq(a: *mut PyObject, b: *mut PyObject) -> bool {
    // SAFETY: str or NULL.
    unsafe {
        match (a.is_null(), b.is_null()) {
            (true, true) => true,
            (false, false) => str_as(a) == str_as(b),
            _ => false,
        }
    }
}

unsafe extern "C" fn code_richcompare(
    a: *mut PyObject,
    b: *mut PyObject,
    op: c_int,
) -> *mut PyObject {
    // SAFETY: live objects.
    unsafe {
        if (op != Py_EQ && op != Py_NE)
            || !is_type(b, &raw mut PyCode_Type)
            || !is_type(a, &raw mut PyCode_Type)
        {
            return new_ref(crate::objects::object_ops::not_implemented());
        }
        let (x, y) = (a as *mut PyCodeObject, b as *mut PyCodeObject);
        let eq = a == b
            || (code_key(a) == code_key(b)
                && str_eq((*x).co_name, (*y).co_name)
                && str_eq((*x).co_filename, (*y).co_filename));
        new_ref(crate::objects::boolobject::from_bool(eq == (op == Py_EQ)))
    }
}

unsafe extern "C" fn code_hash(op: *mut PyObject) -> Py_hash_t {
    // SAFETY: a live code object; its name and filename are str (or NULL).
    unsafe {
        let co = op as *mut PyCodeObject;
        let mut h: Py_hash_t = 0;
        for s in [(*co).co_name, (*co).co_filename] {
            if !s.is_null() {
                let x = crate::objects::object_ops::PyObject_Hash(s);
                if x == -1 {
                    return -1;
                }
                h = h.wrapping_mul(1_000_003) ^ x;
            }
        }
        let (body, ints, _, state) = code_key(op);
        h ^= crate::objects::object_ops::hash_pointer(body);
        for i in ints {
            h = h.wrapping_mul(1_000_003) ^ i as Py_hash_t;
        }
        h ^= state;
        if h == -1 { -2 } else { h }
    }
}
