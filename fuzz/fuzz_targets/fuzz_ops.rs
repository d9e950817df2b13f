//! libFuzzer target: random sequences of operations on a small pool of native generators,
//! coroutines and async generators, with invariants checked after every step.
//!
//! # Input format
//!
//! The input is a sequence of operations; each starts with an opcode byte (`% OP_COUNT`) and
//! reads the argument bytes it needs (missing bytes read as 0). At most `MAX_OPS` operations run.
//!
//! | op | bytes | what |
//! |---|---|---|
//! | 0 create | slot, kind, catch, target, n, steps[n] | new object in `pool[slot]` (see `Kind`, `body`) |
//! | 1 send | slot, value, route | send None / an int / another pool object |
//! | 2 throw | slot, exc, route | `throw(*args)`, args from `throw_args` |
//! | 3 close | slot, route | `close()` |
//! | 4 agen/await op | slot, which, aux | `__anext__`/`asend`/`athrow`/`aclose`, `__await__`, `iter()` into `aux[aux]` |
//! | 5 drive aux | aux, action, arg | send / throw / close / next on an awaitable or iterator |
//! | 6 drop | which | `Py_DECREF` a pool or aux entry |
//! | 7 gc | - | `PyGC_Collect()` |
//! | 8 cycle | a, b, which | store `pool[b]` (or `aux[b]`) in a frame slot of `pool[a]` |
//! | 9 dup | a, b | `pool[a] = pool[b]` (another reference) |
//! | 10 drive all | slot | resume `pool[slot]` until it finishes (bounded) |
//! | 11 attrs | slot | read `gi_running`, `cr_await`, `gi_frame`, names, repr, and check them |
//! | 12 hooks | mode | set / clear the async generator firstiter and finalizer hooks |
//! | 13 alloc failure | n | make the n-th allocation from now on fail (`PyNative_SetAllocFailure`) |
//! | 14 drain | - | `aclose()` / `close()` every object the finalizer hook or a body kept |
//! | 15 pressure | n | hold ~600-1100 new GC objects, so automatic collections fire inside later operations (twice per input at most) |
//! | 16 gc switch | on | `PyGC_Enable()` / `PyGC_Disable()` |
//! | 17 thread | mode | on a thread that then exits: make, run, cycle and drop objects (its exit collection must reclaim them); maybe release a pool object there (4 per input at most) |
//! | 18 origin | depth | `_PyEval_SetCoroutineOriginTrackingDepth` (coroutines made in bodies record frames) |
//! | 19 warnings | action | `PyNative_WarningsFilter(action, RuntimeWarning)`: error / ignore / always / default / reset |
//!
//! Every body is the same state machine ([`body`]) driven by a short script of steps kept in
//! the frame's raw state: yield, await/yield-from the target object (a pool object chosen at
//! creation, in slot 1) or an awaitable made from it, return, raise, poke another object
//! (send/throw/close while running), collect garbage, mark an exception as handled, drop the
//! target, make a self-cycle, await a fresh child coroutine. A catch mode decides what happens
//! to exceptions thrown in.
//!
//! Every frame's slot 0 holds a `fuzz.Counted` object (a GC type whose dealloc counts), and so
//! does most objects' `__qualname__`: after teardown (drop everything, collect) the number of
//! live `Counted` objects must be back to zero, or something leaked.
//!
//! Set `FUZZ_OPS_TRACE=1` to print each operation as it runs (for reproducers).

#![no_main]

use core::ffi::{CStr, c_int, c_void};
use core::mem::size_of;
use core::ptr::null_mut;
use libfuzzer_sys::fuzz_target;
use pycoro::*;
use std::cell::RefCell;
use std::sync::Once;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering::Relaxed};

/// The variadic entry points, declared by hand (the rlib exports them with their named
/// arguments only).
mod va {
    use core::ffi::c_char;
    use pycoro::PyObject;
    unsafe extern "C" {
        pub fn PyObject_CallMethod(
            obj: *mut PyObject,
            name: *const c_char,
            format: *const c_char,
            ...
        ) -> *mut PyObject;
        pub fn PyObject_CallMethodObjArgs(
            obj: *mut PyObject,
            name: *mut PyObject,
            ...
        ) -> *mut PyObject;
    }
}

const NPOOL: usize = 8;
const NAUX: usize = 4;
const MAX_STEPS: usize = 8;
const MAX_OPS: usize = 200;
const OP_COUNT: u8 = 20;

/// Frame slots.
const NSLOTS: c_int = 6;
const S_COUNTED: usize = 0;
const S_TARGET: usize = 1;
const S_EXTRA_A: usize = 2;
const S_EXTRA_B: usize = 3;
const S_VALUE: usize = 4;
const S_HANDLED: usize = 5;

/// Object kinds.
const K_GEN: u8 = 0;
const K_CORO: u8 = 1;
const K_AGEN: u8 = 2;
/// A generator-based coroutine (`CO_GENERATOR | CO_ITERABLE_COROUTINE`).
const K_ITERCORO: u8 = 3;

/// Steps of a body script: `step % N_STEP_KINDS` is the kind, `step / N_STEP_KINDS` its parameter.
const N_STEP_KINDS: u8 = 13;
const ST_YIELD: u8 = 0;
const ST_YIELD_VALUE: u8 = 1;
const ST_DELEGATE: u8 = 2;
const ST_DELEGATE_VIA: u8 = 3;
const ST_RETURN: u8 = 4;
const ST_RAISE: u8 = 5;
const ST_POKE: u8 = 6;
const ST_GC: u8 = 7;
const ST_SET_HANDLED: u8 = 8;
const ST_DROP_TARGET: u8 = 9;
const ST_SELF_CYCLE: u8 = 10;
const ST_CHILD: u8 = 11;
/// With an even parameter: break the body contract (see `bad_body`);
/// otherwise a plain yield. From then on the input may see pycoro's SystemError for it.
const ST_BAD: u8 = 12;

/// Catch modes (what the body does with an exception thrown in at a suspension point).
const N_CATCH: u8 = 6;

static TRACE: AtomicBool = AtomicBool::new(false);
/// Live `Counted` objects (created minus destroyed).
static LIVE_COUNTED: AtomicI64 = AtomicI64::new(0);

macro_rules! check {
    ($cond:expr, $($fmt:tt)+) => {
        if !$cond {
            panic!("INVARIANT VIOLATED: {}", format!($($fmt)+));
        }
    };
}

macro_rules! trace {
    ($($fmt:tt)+) => {
        if TRACE.load(Relaxed) {
            eprintln!($($fmt)+);
        }
    };
}

// ---------------------------------------------------------------------------------------------
// Small helpers over the C API.
// ---------------------------------------------------------------------------------------------

fn none() -> *mut PyObject {
    &raw mut _Py_NoneStruct
}

unsafe fn tp(o: *mut PyObject) -> *mut PyTypeObject {
    unsafe { (*o).ob_type }
}

unsafe fn incref(o: *mut PyObject) -> *mut PyObject {
    unsafe { Py_IncRef(o) };
    o
}

unsafe fn xincref(o: *mut PyObject) -> *mut PyObject {
    if !o.is_null() {
        unsafe { Py_IncRef(o) };
    }
    o
}

unsafe fn decref(o: *mut PyObject) {
    unsafe { Py_DecRef(o) }
}

unsafe fn xdecref(o: *mut PyObject) {
    if !o.is_null() {
        unsafe { Py_DecRef(o) }
    }
}

unsafe fn is_type(o: *mut PyObject, t: *mut PyTypeObject) -> bool {
    unsafe { tp(o) == t }
}

unsafe fn is_gen(o: *mut PyObject) -> bool {
    unsafe { is_type(o, &raw mut PyGen_Type) }
}

unsafe fn is_coro(o: *mut PyObject) -> bool {
    unsafe { is_type(o, &raw mut PyCoro_Type) }
}

unsafe fn is_agen(o: *mut PyObject) -> bool {
    unsafe { is_type(o, &raw mut PyAsyncGen_Type) }
}

unsafe fn is_genlike(o: *mut PyObject) -> bool {
    unsafe { is_gen(o) || is_coro(o) || is_agen(o) }
}

unsafe fn long(v: i64) -> *mut PyObject {
    unsafe { PyLong_FromLongLong(v) }
}

unsafe fn frame_of(o: *mut PyObject) -> *mut PyFrameObject {
    unsafe { (*(o as *mut PyGenObject)).gi_frame }
}

unsafe fn slot_ptr(f: *mut PyFrameObject, i: usize) -> *mut *mut PyObject {
    unsafe { (&raw mut (*f).f_localsplus).cast::<*mut PyObject>().add(i) }
}

unsafe fn get_slot(f: *mut PyFrameObject, i: usize) -> *mut PyObject {
    unsafe { *slot_ptr(f, i) }
}

/// Stores `v` (an owned reference or NULL) in slot `i`, releasing the old value afterwards.
unsafe fn set_slot(f: *mut PyFrameObject, i: usize, v: *mut PyObject) {
    unsafe {
        let p = slot_ptr(f, i);
        let old = *p;
        *p = v;
        xdecref(old);
    }
}

fn type_name(t: *mut PyTypeObject) -> String {
    if t.is_null() {
        return "NULL".into();
    }
    unsafe { CStr::from_ptr((*t).tp_name) }
        .to_string_lossy()
        .into_owned()
}

/// `type: str(value)` of an exception (fetched parts, borrowed).
unsafe fn describe_exc(t: *mut PyObject, v: *mut PyObject) -> String {
    unsafe {
        let mut s = type_name(t as *mut PyTypeObject);
        if !v.is_null() {
            let text = PyObject_Str(v);
            if text.is_null() {
                PyErr_Clear();
                s.push_str(": <str() failed>");
            } else {
                let u = PyUnicode_AsUTF8(text);
                if u.is_null() {
                    PyErr_Clear();
                } else {
                    s.push_str(": ");
                    s.push_str(&CStr::from_ptr(u).to_string_lossy());
                }
                decref(text);
            }
        }
        s
    }
}

/// The pending exception as text (left pending).
unsafe fn err_text() -> String {
    unsafe {
        let (mut t, mut v, mut tb) = (null_mut(), null_mut(), null_mut());
        PyErr_Fetch(&mut t, &mut v, &mut tb);
        let s = describe_exc(t, v);
        PyErr_Restore(t, v, tb);
        s
    }
}

/// The pending exception must be a real exception and not a SystemError (every body here keeps
/// the contract, so a SystemError means pycoro mis-detected a contract violation or failed
/// internally).
unsafe fn check_error_kind(what: &str) {
    unsafe {
        let t = PyErr_Occurred();
        check!(!t.is_null(), "{what}: no exception set");
        check!(
            PyErr_GivenExceptionMatches(t, PyExc_BaseException) != 0,
            "{what}: pending 'exception' {} is not a BaseException subclass",
            type_name(t as *mut PyTypeObject)
        );
        if PyErr_ExceptionMatches(PyExc_SystemError) != 0 {
            let text = err_text();
            check!(contract_system_error(&text), "{what}: SystemError: {text}");
        }
    }
}

thread_local! {
    /// The latest exception a failed call left (owned value and traceback, as `usize`): thrown
    /// again later, into other objects, to mix tracebacks and `__context__` chains.
    static LAST_EXC: RefCell<(usize, usize)> = const { RefCell::new((0, 0)) };
}

/// The latest exception instance and its traceback (borrowed; NULL when none).
fn last_exc() -> (*mut PyObject, *mut PyObject) {
    LAST_EXC.with(|l| {
        let (v, tb) = *l.borrow();
        (v as *mut PyObject, tb as *mut PyObject)
    })
}

/// Replaces the kept exception (owned references or NULL); the old ones are released.
unsafe fn set_last_exc(v: *mut PyObject, tb: *mut PyObject) {
    let (ov, otb) = LAST_EXC.with(|l| l.replace((v as usize, tb as usize)));
    unsafe {
        xdecref(ov as *mut PyObject);
        xdecref(otb as *mut PyObject);
    }
}

/// Clears the pending exception, keeping its instance (normalized) for later throws.
unsafe fn clear_keeping() {
    unsafe {
        let (mut t, mut v, mut tb) = (null_mut(), null_mut(), null_mut());
        PyErr_Fetch(&mut t, &mut v, &mut tb);
        PyErr_NormalizeException(&mut t, &mut v, &mut tb);
        if !v.is_null() && PyErr_Occurred().is_null() {
            if !tb.is_null() {
                PyException_SetTraceback(v, tb);
            }
            let vtb = PyException_GetTraceback(v);
            set_last_exc(incref(v), vtb);
        }
        PyErr_Clear();
        xdecref(t);
        xdecref(v);
        xdecref(tb);
    }
}

/// Whether a SystemError is the one pycoro raises for a body that broke its contract, after one
/// did.
fn contract_system_error(text: &str) -> bool {
    CONTRACT_BROKEN.with(|c| c.get()) && text.starts_with("SystemError: native body of '")
}

/// After a call that reported success (`ok`) or failure: success leaves no exception set; a
/// failure sets one (checked, then cleared).
unsafe fn settle(ok: bool, what: &str) {
    unsafe {
        let set = !PyErr_Occurred().is_null();
        if ok {
            check!(
                !set,
                "{what}: succeeded but left an exception set: {}",
                err_text()
            );
        } else {
            check!(set, "{what}: failed without setting an exception");
            check_error_kind(what);
            trace!("    -> {}", err_text());
            clear_keeping();
        }
    }
}

/// A value a call returned: a live object of a type that can come out of these objects.
unsafe fn check_value(v: *mut PyObject, what: &str) {
    unsafe {
        check!(!v.is_null(), "{what}: NULL value");
        let rc = (*v).ob_refcnt;
        check!(rc >= 1, "{what}: value with refcount {rc}");
        let t = tp(v);
        let known = [
            &raw mut PyLong_Type,
            &raw mut _PyNone_Type,
            &raw mut PyBool_Type,
            &raw mut PyUnicode_Type,
            &raw mut PyTuple_Type,
            &raw mut _PyAsyncGenWrappedValue_Type,
            &raw mut _PyAsyncGenASend_Type,
            &raw mut _PyAsyncGenAThrow_Type,
            &raw mut _PyCoroWrapper_Type,
            &raw mut PyGen_Type,
            &raw mut PyCoro_Type,
            &raw mut PyAsyncGen_Type,
            &raw mut PyFrame_Type,
            &raw mut PyCode_Type,
            &raw mut COUNTED_TYPE,
        ];
        check!(
            known.contains(&t)
                || PyType_IsSubtype(t, PyExc_BaseException as *mut PyTypeObject) != 0,
            "{what}: value of unexpected type {}",
            type_name(t)
        );
    }
}

unsafe fn settle_obj(r: *mut PyObject, what: &str) {
    unsafe {
        settle(!r.is_null(), what);
        if !r.is_null() {
            check_value(r, what);
            decref(r);
        }
    }
}

/// `PyIter_Next`: NULL without an exception is exhaustion.
unsafe fn settle_next(r: *mut PyObject, what: &str) {
    unsafe {
        if r.is_null() && PyErr_Occurred().is_null() {
            return;
        }
        settle_obj(r, what);
    }
}

/// A `PySendResult` and its result.
unsafe fn settle_send(status: PySendResult, r: *mut PyObject, what: &str) {
    unsafe {
        match status {
            PYGEN_NEXT | PYGEN_RETURN => {
                check!(!r.is_null(), "{what}: status {status} with a NULL result");
                settle(true, what);
                check_value(r, what);
                decref(r);
            }
            PYGEN_ERROR => {
                check!(r.is_null(), "{what}: PYGEN_ERROR with a result");
                settle(false, what);
            }
            other => panic!("INVARIANT VIOLATED: {what}: unknown send status {other}"),
        }
    }
}

/// A method of `o`'s type by name, straight from `tp_methods`.
unsafe fn find_method(o: *mut PyObject, name: &CStr) -> Option<(PyCFunction, c_int)> {
    unsafe {
        let mut m = (*tp(o)).tp_methods;
        if m.is_null() {
            return None;
        }
        while !(*m).ml_name.is_null() {
            if CStr::from_ptr((*m).ml_name) == name {
                return Some(((*m).ml_meth, (*m).ml_flags));
            }
            m = m.add(1);
        }
        None
    }
}

/// Calls method `name` of `o` with `args` (a tuple, borrowed) by one of several routes.
/// Return value: New reference or NULL with an exception set.
unsafe fn call_method(
    o: *mut PyObject,
    name: &CStr,
    args: *mut PyObject,
    route: u8,
) -> *mut PyObject {
    unsafe {
        let n = PyTuple_Size(args);
        match route % 4 {
            0 => va::PyObject_CallMethod(o, name.as_ptr(), c"O".as_ptr(), args),
            1 => {
                let m = PyObject_GetAttrString(o, name.as_ptr());
                if m.is_null() {
                    return m;
                }
                let r = PyObject_Call(m, args, null_mut());
                decref(m);
                r
            }
            2 => match find_method(o, name) {
                // Through the type's method table, as the method descriptor would call it.
                Some((Some(f), flags)) if flags & METH_VARARGS != 0 => f(o, args),
                Some((Some(f), flags)) if flags & METH_O != 0 && n == 1 => {
                    f(o, PyTuple_GetItem(args, 0))
                }
                Some((Some(f), flags)) if flags & METH_NOARGS != 0 && n == 0 => f(o, null_mut()),
                _ => va::PyObject_CallMethod(o, name.as_ptr(), c"O".as_ptr(), args),
            },
            _ => {
                let s = PyUnicode_FromString(name.as_ptr());
                if s.is_null() {
                    return s;
                }
                let item = |i| PyTuple_GetItem(args, i);
                let r = match n {
                    0 => va::PyObject_CallMethodObjArgs(o, s, null_mut::<PyObject>()),
                    1 => va::PyObject_CallMethodObjArgs(o, s, item(0), null_mut::<PyObject>()),
                    2 => va::PyObject_CallMethodObjArgs(
                        o,
                        s,
                        item(0),
                        item(1),
                        null_mut::<PyObject>(),
                    ),
                    _ => va::PyObject_CallMethodObjArgs(
                        o,
                        s,
                        item(0),
                        item(1),
                        item(2),
                        null_mut::<PyObject>(),
                    ),
                };
                decref(s);
                r
            }
        }
    }
}

/// A tuple of the given owned items (NULL items mean an allocation failed: the others are
/// released and NULL returned with the error set).
unsafe fn tuple_of(items: &[*mut PyObject]) -> *mut PyObject {
    unsafe {
        if items.iter().any(|i| i.is_null()) {
            for &i in items {
                xdecref(i);
            }
            return null_mut();
        }
        let t = PyTuple_New(items.len() as Py_ssize_t);
        if t.is_null() {
            for &i in items {
                decref(i);
            }
            return t;
        }
        for (k, &i) in items.iter().enumerate() {
            if PyTuple_SetItem(t, k as Py_ssize_t, i) < 0 {
                decref(t);
                return null_mut();
            }
        }
        t
    }
}

unsafe fn instance(cls: *mut PyObject, v: i64) -> *mut PyObject {
    unsafe {
        let a = long(v);
        if a.is_null() {
            return a;
        }
        let r = PyObject_CallOneArg(cls, a);
        decref(a);
        r
    }
}

/// The argument tuple of a `throw()` / `athrow()` call (valid and invalid forms).
/// Return value: New reference or NULL with an exception set.
unsafe fn throw_args(e: u8) -> *mut PyObject {
    unsafe {
        let c = |p: *mut PyObject| incref(p);
        let (lv, ltb) = last_exc();
        match e % 20 {
            0 => tuple_of(&[c(PyExc_ValueError)]),
            1 => tuple_of(&[instance(PyExc_ValueError, 7)]),
            2 => tuple_of(&[c(PyExc_GeneratorExit)]),
            3 => tuple_of(&[c(PyExc_StopIteration)]),
            4 => tuple_of(&[instance(PyExc_StopIteration, 5)]),
            5 => tuple_of(&[c(PyExc_StopAsyncIteration)]),
            6 => tuple_of(&[instance(PyExc_RuntimeError, 1000)]),
            7 => tuple_of(&[c(PyExc_KeyboardInterrupt)]),
            8 => tuple_of(&[long(42)]),
            9 => tuple_of(&[c(PyExc_ValueError), long(3)]),
            10 => tuple_of(&[instance(PyExc_ValueError, 1), long(3)]),
            11 => tuple_of(&[c(PyExc_ValueError), c(none()), c(none())]),
            12 => tuple_of(&[c(PyExc_ValueError), c(none()), long(5)]),
            13 => tuple_of(&[instance(PyExc_GeneratorExit, 2)]),
            14 => tuple_of(&[]),
            15 => tuple_of(&[c(PyExc_TypeError)]),
            // The latest exception instance again (another frame's traceback and context).
            16 if !lv.is_null() => tuple_of(&[c(lv)]),
            17 if !lv.is_null() => tuple_of(&[
                c(tp(lv) as *mut PyObject),
                c(lv),
                if ltb.is_null() { c(none()) } else { c(ltb) },
            ]),
            18 if !ltb.is_null() => tuple_of(&[c(PyExc_ValueError), c(none()), c(ltb)]),
            19 if !ltb.is_null() => tuple_of(&[c(PyExc_GeneratorExit), c(none()), c(ltb)]),
            _ => tuple_of(&[instance(PyExc_KeyError, e as i64)]),
        }
    }
}

/// An exception class for `raise` steps.
unsafe fn raise_class(p: u8) -> *mut PyObject {
    unsafe {
        match p % 6 {
            0 => PyExc_ValueError,
            1 => PyExc_StopIteration,
            2 => PyExc_StopAsyncIteration,
            3 => PyExc_GeneratorExit,
            4 => PyExc_KeyboardInterrupt,
            _ => PyExc_RuntimeError,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// fuzz.Counted: a GC type whose deallocations are counted.
// ---------------------------------------------------------------------------------------------

#[repr(C)]
struct Counted {
    ob_base: PyObject,
    magic: u64,
}

const COUNTED_MAGIC: u64 = 0xC0FF_EE00_C0DE_0001;
const COUNTED_DEAD: u64 = 0xDEAD_DEAD_DEAD_DEAD;

unsafe extern "C" fn counted_dealloc(o: *mut PyObject) {
    unsafe {
        let c = o as *mut Counted;
        check!(
            (*c).magic == COUNTED_MAGIC,
            "fuzz.Counted deallocated twice or corrupted (magic {:#x})",
            (*c).magic
        );
        (*c).magic = COUNTED_DEAD;
        PyObject_GC_UnTrack(o as *mut c_void);
        LIVE_COUNTED.fetch_sub(1, Relaxed);
        PyObject_GC_Del(o as *mut c_void);
    }
}

unsafe extern "C" fn counted_traverse(
    o: *mut PyObject,
    _visit: visitproc,
    _arg: *mut c_void,
) -> c_int {
    unsafe {
        check!(
            (*(o as *mut Counted)).magic == COUNTED_MAGIC,
            "tp_traverse of a dead fuzz.Counted"
        );
    }
    0
}

static mut COUNTED_TYPE: PyTypeObject = PyTypeObject {
    ob_base: PyVarObject {
        ob_base: PyObject {
            ob_refcnt: PYNATIVE_IMMORTAL_REFCNT,
            ob_type: null_mut(),
        },
        ob_size: 0,
    },
    tp_name: c"fuzz.Counted".as_ptr(),
    tp_basicsize: size_of::<Counted>() as Py_ssize_t,
    tp_dealloc: Some(counted_dealloc),
    tp_flags: Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    tp_traverse: Some(counted_traverse),
    // SAFETY: every other field of a type object is a nullable pointer or an integer.
    ..unsafe { core::mem::zeroed() }
};

/// A new `fuzz.Counted`, or NULL with an exception set.
unsafe fn new_counted() -> *mut PyObject {
    unsafe {
        let o = PyType_GenericAlloc(&raw mut COUNTED_TYPE, 0);
        if !o.is_null() {
            (*(o as *mut Counted)).magic = COUNTED_MAGIC;
            LIVE_COUNTED.fetch_add(1, Relaxed);
        }
        o
    }
}

// ---------------------------------------------------------------------------------------------
// Hooks: unraisable errors, warnings, async generator firstiter / finalizer.
// ---------------------------------------------------------------------------------------------

unsafe extern "C" fn unraisable_hook(
    t: *mut PyObject,
    v: *mut PyObject,
    _tb: *mut PyObject,
    _msg: *mut PyObject,
    _obj: *mut PyObject,
    _data: *mut c_void,
) {
    unsafe {
        check!(
            t.is_null()
                || PyErr_GivenExceptionMatches(t, PyExc_SystemError) == 0
                || contract_system_error(&describe_exc(t, v)),
            "unraisable SystemError: {}",
            describe_exc(t, v)
        );
        trace!("    unraisable: {}", describe_exc(t, v));
    }
}

unsafe extern "C" fn warning_handler(
    _category: *mut PyObject,
    _message: *mut PyObject,
    _filename: *mut PyObject,
    _lineno: c_int,
    _source: *mut PyObject,
    _data: *mut c_void,
) -> c_int {
    0
}

thread_local! {
    /// Async generators the finalizer hook took (owned references, as `usize`).
    static GRAVEYARD: RefCell<Vec<usize>> = const { RefCell::new(Vec::new()) };
}

unsafe extern "C" fn firstiter_hook(_self: *mut PyObject, agen: *mut PyObject) -> *mut PyObject {
    unsafe {
        check!(
            is_agen(agen),
            "firstiter hook called with a {}",
            type_name(tp(agen))
        );
        incref(none())
    }
}

unsafe extern "C" fn finalizer_hook(_self: *mut PyObject, agen: *mut PyObject) -> *mut PyObject {
    unsafe {
        check!(
            is_agen(agen),
            "finalizer hook called with a {}",
            type_name(tp(agen))
        );
        // As asyncio does: keep it, aclose() it later (a resurrection).
        keep_in_graveyard(agen);
        incref(none())
    }
}

/// Keeps a new reference to `o` in the graveyard (at most 32; later ones are not kept).
unsafe fn keep_in_graveyard(o: *mut PyObject) {
    GRAVEYARD.with(|g| {
        let mut g = g.borrow_mut();
        if g.len() < 32 {
            g.push(unsafe { incref(o) } as usize);
        }
    });
}

static mut FIRSTITER_DEF: PyMethodDef = PyMethodDef {
    ml_name: c"firstiter".as_ptr(),
    ml_meth: Some(firstiter_hook),
    ml_flags: METH_O,
    ml_doc: core::ptr::null(),
};

static mut FINALIZER_DEF: PyMethodDef = PyMethodDef {
    ml_name: c"finalizer".as_ptr(),
    ml_meth: Some(finalizer_hook),
    ml_flags: METH_O,
    ml_doc: core::ptr::null(),
};

thread_local! {
    /// The two hook functions (created once, kept for the process).
    static HOOKS: (usize, usize) = unsafe {
        let a = PyCFunction_New(&raw mut FIRSTITER_DEF, null_mut());
        let b = PyCFunction_New(&raw mut FINALIZER_DEF, null_mut());
        assert!(!a.is_null() && !b.is_null());
        (a as usize, b as usize)
    };
}

unsafe fn set_hooks(mode: u8) {
    unsafe {
        let (fi, fin) = HOOKS.with(|h| *h);
        let (fi, fin) = (fi as *mut PyObject, fin as *mut PyObject);
        let (a, b) = match mode % 4 {
            0 => (null_mut(), null_mut()),
            1 => (fi, fin),
            2 => (null_mut(), fin),
            _ => (fi, null_mut()),
        };
        let r1 = _PyEval_SetAsyncGenFirstiter(a);
        settle(r1 == 0, "set firstiter hook");
        let r2 = _PyEval_SetAsyncGenFinalizer(b);
        settle(r2 == 0, "set finalizer hook");
    }
}

/// aclose()s every async generator the finalizer hook kept (close()s the other objects bodies
/// kept), then releases it.
unsafe fn drain_graveyard() -> usize {
    unsafe {
        let kept = GRAVEYARD.with(|g| std::mem::take(&mut *g.borrow_mut()));
        let n = kept.len();
        for a in kept {
            let a = a as *mut PyObject;
            if is_agen(a) {
                let aw = va::PyObject_CallMethod(a, c"aclose".as_ptr(), core::ptr::null());
                settle(!aw.is_null(), "graveyard aclose()");
                if !aw.is_null() {
                    drive_awaitable(aw, "graveyard aclose() awaitable");
                    decref(aw);
                }
            } else if is_genlike(a) {
                let r = va::PyObject_CallMethod(a, c"close".as_ptr(), core::ptr::null());
                settle_obj(r, "graveyard close()");
            }
            decref(a);
        }
        n
    }
}

// ---------------------------------------------------------------------------------------------
// The body: one state machine for every object, scripted by its frame state.
// ---------------------------------------------------------------------------------------------

#[repr(C)]
struct FState {
    magic: u32,
    kind: u8,
    catch: u8,
    nsteps: u8,
    /// 1 while the body runs (a re-entry for the same frame is a runtime bug).
    inside: u8,
    entries: u32,
    steps: [u8; MAX_STEPS],
}

const FSTATE_MAGIC: u32 = 0xF0CC_0DE5;

/// Handles the pending exception as the frame's catch mode says. True: handled (no exception
/// pending); false: propagate (an exception is pending).
unsafe fn handle_exc(f: *mut PyFrameObject, st: *mut FState) -> bool {
    unsafe {
        check_error_kind("exception reaching a body");
        match (*st).catch % N_CATCH {
            0 => false,
            1 => {
                PyErr_Clear();
                true
            }
            2 => {
                if PyErr_ExceptionMatches(PyExc_GeneratorExit) != 0 {
                    false
                } else {
                    PyErr_Clear();
                    true
                }
            }
            3 => {
                // `except BaseException as e:` whose handled exception stays the frame's.
                let (mut t, mut v, mut tb) = (null_mut(), null_mut(), null_mut());
                PyErr_Fetch(&mut t, &mut v, &mut tb);
                PyErr_NormalizeException(&mut t, &mut v, &mut tb);
                set_slot(f, S_HANDLED, xincref(v));
                PyErr_SetExcInfo(t, v, tb);
                check!(
                    PyErr_Occurred().is_null(),
                    "PyErr_SetExcInfo left an exception set"
                );
                true
            }
            4 => {
                PyErr_Clear();
                PyErr_SetString(PyExc_RuntimeError, c"raised in a handler".as_ptr());
                false
            }
            _ => {
                if PyErr_ExceptionMatches(PyExc_ValueError) != 0 {
                    PyErr_Clear();
                    true
                } else {
                    false
                }
            }
        }
    }
}

/// `sys.exc_info()` must still be what the body marked as handled.
unsafe fn check_handled(f: *mut PyFrameObject, when: &str) {
    unsafe {
        let want = get_slot(f, S_HANDLED);
        if want.is_null() {
            return;
        }
        let (mut t, mut v, mut tb) = (null_mut(), null_mut(), null_mut());
        PyErr_GetExcInfo(&mut t, &mut v, &mut tb);
        let same = v == want;
        xdecref(t);
        xdecref(v);
        xdecref(tb);
        check!(
            same,
            "{when}: the exception the frame marked as handled is no longer sys.exc_info()"
        );
    }
}

unsafe extern "C" fn body(
    f: *mut PyFrameObject,
    arg: *mut PyObject,
    out: *mut *mut PyObject,
) -> c_int {
    unsafe {
        let st = PyNative_FrameState(f) as *mut FState;
        check!(!st.is_null(), "frame has no raw state");
        check!((*st).magic == FSTATE_MAGIC, "frame state corrupted");
        check!(
            (*st).inside == 0,
            "body re-entered for a frame that is running"
        );
        check!(
            (*f).f_state == FRAME_EXECUTING,
            "body runs with f_state {}",
            (*f).f_state
        );
        let g = (*f).f_gen;
        check!(!g.is_null(), "running frame without f_gen");
        check!(frame_of(g) == f, "f_gen's frame is another frame");
        check!(
            PyEval_GetFrame() == f,
            "PyEval_GetFrame() is not the running frame"
        );
        check!(
            (*f).f_stackdepth == 0,
            "body entered while a delegate is on the stack"
        );
        check!(
            arg.is_null() == !PyErr_Occurred().is_null(),
            "body entered with arg {:?} and exception {}",
            arg,
            if PyErr_Occurred().is_null() {
                "none".to_string()
            } else {
                err_text()
            }
        );
        if !arg.is_null() {
            check_value(arg, "argument of a body");
        }
        check_handled(f, "body entry");
        (*st).inside = 1;
        (*st).entries += 1;
        let status = body_steps(f, st, arg, out);
        if (*st).inside == 0xBA {
            // bad_body: the contract is broken on purpose.
            (*st).inside = 0;
            return status;
        }
        (*st).inside = 0;
        let pending = !PyErr_Occurred().is_null();
        match status {
            PYNATIVE_ERROR => check!(pending, "body bug: error without exception"),
            _ => {
                check!(!pending, "body bug: status {status} with an exception set");
                check!(!(*out).is_null(), "body bug: NULL *out");
                if status != PYNATIVE_RETURN {
                    check!((*f).f_lasti >= 0, "body bug: suspension without label");
                }
            }
        }
        status
    }
}

/// Suspends at step `pc` with `status` and `value` (owned; NULL with an exception means the
/// value could not be made: the step raises instead).
unsafe fn suspend(
    f: *mut PyFrameObject,
    pc: usize,
    status: c_int,
    value: *mut PyObject,
    out: *mut *mut PyObject,
) -> c_int {
    unsafe {
        if value.is_null() {
            return PYNATIVE_ERROR;
        }
        (*f).f_lasti = pc as c_int;
        (*f).f_lineno = 10 + pc as c_int;
        *out = value;
        status
    }
}

unsafe fn body_steps(
    f: *mut PyFrameObject,
    st: *mut FState,
    arg: *mut PyObject,
    out: *mut *mut PyObject,
) -> c_int {
    unsafe {
        let kind = (*st).kind;
        let natural = if kind == K_CORO || kind == K_AGEN {
            PYNATIVE_AWAIT
        } else {
            PYNATIVE_YIELD_FROM
        };
        let mut pc: usize = if (*f).f_lasti < 0 {
            0
        } else {
            (*f).f_lasti as usize + 1
        };
        if arg.is_null() {
            check!(
                (*f).f_lasti >= 0,
                "exception thrown into a body that has not started"
            );
            if !handle_exc(f, st) {
                return PYNATIVE_ERROR;
            }
        } else if (*f).f_lasti >= 0 {
            set_slot(f, S_VALUE, incref(arg));
        }
        loop {
            if pc >= (*st).nsteps as usize {
                *out = incref(none());
                return PYNATIVE_RETURN;
            }
            let s = (*st).steps[pc];
            let p = s / N_STEP_KINDS;
            match s % N_STEP_KINDS {
                ST_YIELD => return suspend(f, pc, PYNATIVE_YIELD, long(p as i64), out),
                ST_YIELD_VALUE => {
                    let v = get_slot(f, S_VALUE);
                    let v = if v.is_null() { none() } else { v };
                    return suspend(f, pc, PYNATIVE_YIELD, incref(v), out);
                }
                ST_DELEGATE => {
                    let t = get_slot(f, S_TARGET);
                    if t.is_null() {
                        return suspend(f, pc, PYNATIVE_YIELD, incref(none()), out);
                    }
                    let status = if p & 1 == 0 {
                        natural
                    } else if natural == PYNATIVE_AWAIT {
                        PYNATIVE_YIELD_FROM
                    } else {
                        PYNATIVE_AWAIT
                    };
                    return suspend(f, pc, status, incref(t), out);
                }
                ST_DELEGATE_VIA => {
                    let t = get_slot(f, S_TARGET);
                    if t.is_null() {
                        return suspend(f, pc, PYNATIVE_YIELD, incref(none()), out);
                    }
                    let t = incref(t);
                    let (aw, status) = if is_agen(t) {
                        let aw = match p % 4 {
                            0 => {
                                let am = (*tp(t)).tp_as_async;
                                ((*am).am_anext.unwrap())(t)
                            }
                            1 => {
                                let v = long(p as i64);
                                if v.is_null() {
                                    null_mut()
                                } else {
                                    let r = va::PyObject_CallMethod(
                                        t,
                                        c"asend".as_ptr(),
                                        c"O".as_ptr(),
                                        v,
                                    );
                                    decref(v);
                                    r
                                }
                            }
                            2 => va::PyObject_CallMethod(
                                t,
                                c"athrow".as_ptr(),
                                c"O".as_ptr(),
                                PyExc_ValueError,
                            ),
                            _ => va::PyObject_CallMethod(t, c"aclose".as_ptr(), core::ptr::null()),
                        };
                        (aw, natural)
                    } else if is_coro(t) {
                        let am = (*tp(t)).tp_as_async;
                        let aw = ((*am).am_await.unwrap())(t);
                        (
                            aw,
                            if p & 1 == 0 {
                                PYNATIVE_YIELD_FROM
                            } else {
                                natural
                            },
                        )
                    } else {
                        (
                            PyObject_GetIter(t),
                            if p & 1 == 0 {
                                PYNATIVE_YIELD_FROM
                            } else {
                                natural
                            },
                        )
                    };
                    decref(t);
                    if aw.is_null() {
                        check_error_kind("making an awaitable in a body");
                        // The exception is raised at this step.
                        if !handle_exc(f, st) {
                            return PYNATIVE_ERROR;
                        }
                        pc += 1;
                        continue;
                    }
                    return suspend(f, pc, status, aw, out);
                }
                ST_RETURN => {
                    let v = if kind == K_AGEN {
                        incref(none())
                    } else {
                        long(p as i64)
                    };
                    if v.is_null() {
                        return PYNATIVE_ERROR;
                    }
                    *out = v;
                    return PYNATIVE_RETURN;
                }
                ST_RAISE => {
                    let handled = get_slot(f, S_HANDLED);
                    let (lv, _) = last_exc();
                    match p % 8 {
                        // `raise e` of the exception being handled, or of the latest one.
                        6 if !handled.is_null() => {
                            PyErr_SetObject(tp(handled) as *mut PyObject, handled)
                        }
                        7 if !lv.is_null() => PyErr_SetObject(tp(lv) as *mut PyObject, lv),
                        _ => PyErr_SetNone(raise_class(p)),
                    }
                    return PYNATIVE_ERROR;
                }
                ST_POKE => {
                    poke(f, p);
                    pc += 1;
                }
                ST_GC => {
                    let n = PyGC_Collect();
                    check!(n >= 0, "PyGC_Collect() in a body returned {n}");
                    settle(true, "PyGC_Collect() in a body");
                    check!(
                        (*f).f_state == FRAME_EXECUTING,
                        "the running frame's state is {} after a collection",
                        (*f).f_state
                    );
                    check!(
                        (*st).magic == FSTATE_MAGIC,
                        "frame state corrupted by a collection"
                    );
                    pc += 1;
                }
                ST_SET_HANDLED => {
                    let v = instance(PyExc_ValueError, p as i64);
                    if v.is_null() {
                        return PYNATIVE_ERROR;
                    }
                    set_slot(f, S_HANDLED, incref(v));
                    PyErr_SetExcInfo(incref(PyExc_ValueError), v, null_mut());
                    check_handled(f, "right after PyErr_SetExcInfo");
                    pc += 1;
                }
                ST_DROP_TARGET => {
                    set_slot(f, S_TARGET, null_mut());
                    pc += 1;
                }
                ST_SELF_CYCLE => {
                    set_slot(f, S_EXTRA_B, incref((*f).f_gen));
                    pc += 1;
                }
                ST_CHILD => {
                    // Await / yield from a fresh child object.
                    let child_kind = if natural == PYNATIVE_AWAIT {
                        K_CORO
                    } else {
                        K_GEN
                    };
                    let q = p % 21;
                    let steps = [ST_YIELD + N_STEP_KINDS * q, ST_RETURN + N_STEP_KINDS * q];
                    let c = new_native(
                        child_kind,
                        p % N_CATCH,
                        &steps,
                        get_slot(f, S_TARGET),
                        p & 1 != 0,
                    );
                    if c.is_null() {
                        check_error_kind("creating a child in a body");
                        if !handle_exc(f, st) {
                            return PYNATIVE_ERROR;
                        }
                        pc += 1;
                        continue;
                    }
                    if p % 3 == 2 {
                        // Kept, never awaited (a coroutine: "was never awaited", with its
                        // origin when tracking is on).
                        set_slot(f, S_EXTRA_A, c);
                        pc += 1;
                        continue;
                    }
                    return suspend(f, pc, natural, c, out);
                }
                ST_BAD if p % 2 == 0 => return bad_body(f, pc, p / 2, out),
                ST_BAD => return suspend(f, pc, PYNATIVE_YIELD, long(p as i64), out),
                _ => unreachable!(),
            }
        }
    }
}

thread_local! {
    /// Set once a body broke its contract on purpose: pycoro's SystemError("native body of
    /// ...") is then expected for the rest of the input.
    static CONTRACT_BROKEN: core::cell::Cell<bool> = const { core::cell::Cell::new(false) };
}

/// Breaks the body contract in one of the ways pycoro promises to turn into SystemError
/// instead of undefined behaviour; the objects handed over in `*out` must not leak.
unsafe fn bad_body(
    f: *mut PyFrameObject,
    pc: usize,
    variant: u8,
    out: *mut *mut PyObject,
) -> c_int {
    unsafe {
        CONTRACT_BROKEN.with(|c| c.set(true));
        (*f).f_lasti = pc as c_int;
        (*st_of(f)).inside = 0xBA;
        match variant % 8 {
            0 => {
                // A suspension without a resume label.
                (*f).f_lasti = -7;
                *out = new_counted();
                if (*out).is_null() {
                    PYNATIVE_ERROR
                } else {
                    PYNATIVE_YIELD
                }
            }
            1 => PYNATIVE_RETURN, // *out left NULL, no exception
            2 => PYNATIVE_ERROR,  // no exception set
            3 => {
                *out = new_counted();
                if (*out).is_null() { PYNATIVE_ERROR } else { 7 } // unknown status
            }
            4 => {
                // A value together with an exception.
                *out = new_counted();
                PyErr_SetString(PyExc_ValueError, c"and a value".as_ptr());
                PYNATIVE_RETURN
            }
            5 => {
                *out = new_counted();
                PyErr_SetString(PyExc_ValueError, c"error with a value".as_ptr());
                PYNATIVE_ERROR
            }
            6 => PYNATIVE_AWAIT, // awaiting NULL
            _ => {
                *out = new_counted();
                PyErr_SetString(PyExc_ValueError, c"yield with an exception".as_ptr());
                PYNATIVE_YIELD
            }
        }
    }
}

unsafe fn st_of(f: *mut PyFrameObject) -> *mut FState {
    unsafe { PyNative_FrameState(f) as *mut FState }
}

/// From inside a running body: resumes, throws into or closes another object (the target or
/// this very generator), and inspects the running flags.
unsafe fn poke(f: *mut PyFrameObject, p: u8) {
    unsafe {
        let me = (*f).f_gen;
        let t = if p & 1 == 1 {
            me
        } else {
            get_slot(f, S_TARGET)
        };
        if t.is_null() {
            return;
        }
        let t = incref(t);
        let what = if t == me { "poke self" } else { "poke target" };
        match (p >> 1) % 6 {
            0 => {
                let mut r = null_mut();
                let s = PyIter_Send(t, none(), &mut r);
                settle_send(s, r, what);
            }
            1 => {
                let a = throw_args(p >> 3);
                if a.is_null() {
                    settle(false, what);
                } else {
                    settle_obj(call_method(t, c"throw", a, p >> 2), what);
                    decref(a);
                }
            }
            2 => {
                let r = va::PyObject_CallMethod(t, c"close".as_ptr(), core::ptr::null());
                settle_obj(r, what);
            }
            3 => {
                if (*tp(t)).tp_iternext.is_some() {
                    settle_next(PyIter_Next(t), what);
                }
            }
            5 => {
                // Keep a reference in the graveyard: from a finalizer (close() while being
                // deallocated or collected), a resurrection (PEP 442).
                keep_in_graveyard(t);
            }
            _ => {
                if is_genlike(me) && t == me && !is_agen(me) {
                    let name = if is_coro(me) {
                        c"cr_running"
                    } else {
                        c"gi_running"
                    };
                    let r = PyObject_GetAttrString(me, name.as_ptr());
                    if r.is_null() {
                        settle(false, "gi_running in a body");
                    } else {
                        check!(
                            r == (&raw mut _Py_TrueStruct) as *mut PyObject,
                            "gi_running/cr_running is not True while the body runs"
                        );
                        decref(r);
                    }
                }
            }
        }
        check!(
            (*f).f_state == FRAME_EXECUTING,
            "the running frame's state is {} after {what}",
            (*f).f_state
        );
        decref(t);
    }
}

/// Creates a native object of `kind` running `steps`, awaiting `target` (borrowed, may be
/// NULL). Return value: New reference or NULL with an exception set.
unsafe fn new_native(
    kind: u8,
    catch: u8,
    steps: &[u8],
    target: *mut PyObject,
    counted_qualname: bool,
) -> *mut PyObject {
    unsafe {
        let flags = match kind {
            K_GEN => CO_GENERATOR,
            K_CORO => CO_COROUTINE,
            K_AGEN => CO_ASYNC_GENERATOR,
            K_ITERCORO => CO_GENERATOR | CO_ITERABLE_COROUTINE,
            _ => unreachable!(),
        };
        let code = PyNative_NewCode(
            Some(body),
            c"fuzzbody".as_ptr(),
            c"fuzz_ops.rs".as_ptr(),
            1,
            flags,
            NSLOTS,
            size_of::<FState>() as Py_ssize_t,
        );
        if code.is_null() {
            return null_mut();
        }
        let f = PyFrame_New(null_mut(), code, null_mut(), null_mut());
        decref(code as *mut PyObject);
        if f.is_null() {
            return null_mut();
        }
        let st = PyNative_FrameState(f) as *mut FState;
        check!(!st.is_null(), "PyNative_FrameState returned NULL");
        check!(
            (st as usize) % 16 == 0,
            "PyNative_FrameState is not 16-byte aligned"
        );
        check!(
            (*st).magic == 0 && (*st).entries == 0,
            "frame state not zeroed"
        );
        (*st).magic = FSTATE_MAGIC;
        (*st).kind = kind;
        (*st).catch = catch;
        let n = steps.len().min(MAX_STEPS);
        (*st).nsteps = n as u8;
        (&mut (*st).steps)[..n].copy_from_slice(&steps[..n]);
        let c = new_counted();
        if c.is_null() {
            decref(f as *mut PyObject);
            return null_mut();
        }
        set_slot(f, S_COUNTED, c);
        set_slot(f, S_TARGET, xincref(target));
        let q = if counted_qualname {
            let q = new_counted();
            if q.is_null() {
                decref(f as *mut PyObject);
                return null_mut();
            }
            q
        } else {
            null_mut()
        };
        // The constructors steal the frame, also on failure.
        let g = match kind {
            K_CORO => PyCoro_New(f, null_mut(), q),
            K_AGEN => PyAsyncGen_New(f, null_mut(), q),
            _ if q.is_null() => PyGen_New(f),
            _ => PyGen_NewWithQualName(f, null_mut(), q),
        };
        xdecref(q);
        if !g.is_null() {
            check!(frame_of(g) == f, "new object does not own its frame");
            check!((*f).f_gen == g, "frame's f_gen is not its new owner");
            check!((*f).f_back.is_null(), "new object's frame keeps an f_back");
        }
        g
    }
}

// ---------------------------------------------------------------------------------------------
// The driver.
// ---------------------------------------------------------------------------------------------

struct Input<'a> {
    data: &'a [u8],
    pos: usize,
}

impl Input<'_> {
    fn next(&mut self) -> Option<u8> {
        let b = self.data.get(self.pos).copied();
        self.pos += 1;
        b
    }
    fn byte(&mut self) -> u8 {
        self.next().unwrap_or(0)
    }
}

struct State {
    pool: [*mut PyObject; NPOOL],
    aux: [*mut PyObject; NAUX],
    /// GC objects held to push the collector's allocation count towards its threshold.
    ballast: Vec<*mut PyObject>,
    gc_enabled: bool,
    /// Expensive operations done so far (bounded per input to keep executions fast).
    pressure_ops: u32,
    thread_ops: u32,
}

unsafe fn put(slot: &mut *mut PyObject, v: *mut PyObject) {
    unsafe {
        let old = *slot;
        *slot = v;
        xdecref(old);
    }
}

/// Sends `v` into `o` by one of several routes.
unsafe fn send_route(o: *mut PyObject, v: *mut PyObject, route: u8, what: &str) {
    unsafe {
        match route % 5 {
            0 => {
                let r = va::PyObject_CallMethod(o, c"send".as_ptr(), c"O".as_ptr(), v);
                settle_obj(r, what);
            }
            1 => {
                let mut r = null_mut();
                let s = PyIter_Send(o, v, &mut r);
                settle_send(s, r, what);
            }
            2 => {
                let am = (*tp(o)).tp_as_async;
                if !am.is_null()
                    && let Some(send) = (*am).am_send
                {
                    let mut r = null_mut();
                    let s = send(o, v, &mut r);
                    settle_send(s, r, what);
                } else {
                    let mut r = null_mut();
                    let s = PyIter_Send(o, v, &mut r);
                    settle_send(s, r, what);
                }
            }
            3 => {
                if let Some(next) = (*tp(o)).tp_iternext {
                    let r = next(o);
                    settle_next(r, what);
                } else {
                    settle_next(PyIter_Next(o), what);
                }
            }
            _ => match find_method(o, c"send") {
                Some((Some(m), flags)) if flags & METH_O != 0 => settle_obj(m(o, v), what),
                _ => {
                    let r = va::PyObject_CallMethod(o, c"send".as_ptr(), c"O".as_ptr(), v);
                    settle_obj(r, what);
                }
            },
        }
    }
}

unsafe fn throw_route(o: *mut PyObject, e: u8, route: u8, what: &str) {
    unsafe {
        let a = throw_args(e);
        if a.is_null() {
            settle(false, what);
            return;
        }
        let r = call_method(o, c"throw", a, route);
        decref(a);
        settle_obj(r, what);
    }
}

unsafe fn close_route(o: *mut PyObject, route: u8, what: &str) {
    unsafe {
        let r = match route % 4 {
            3 if is_genlike(o) => {
                // The finalizer (PEP 442: at most once), which closes a suspended frame.
                PyObject_CallFinalizer(o);
                settle(true, "PyObject_CallFinalizer()");
                return;
            }
            0 | 3 => va::PyObject_CallMethod(o, c"close".as_ptr(), core::ptr::null()),
            1 => match find_method(o, c"close") {
                Some((Some(m), flags)) if flags & METH_NOARGS != 0 => m(o, null_mut()),
                _ => va::PyObject_CallMethod(o, c"close".as_ptr(), core::ptr::null()),
            },
            _ => {
                let m = PyObject_GetAttrString(o, c"close".as_ptr());
                if m.is_null() {
                    m
                } else {
                    let r = PyObject_CallNoArgs(m);
                    decref(m);
                    r
                }
            }
        };
        settle_obj(r, what);
    }
}

/// Drives an awaitable / iterator until it stops yielding (bounded).
unsafe fn drive_awaitable(aw: *mut PyObject, what: &str) {
    unsafe {
        for _ in 0..16 {
            let mut r = null_mut();
            let s = PyIter_Send(aw, none(), &mut r);
            let again = s == PYGEN_NEXT;
            settle_send(s, r, what);
            if !again {
                break;
            }
        }
    }
}

/// Resumes `o` until it finishes (bounded), the way an event loop would.
unsafe fn drive_all(o: *mut PyObject) {
    unsafe {
        if is_agen(o) {
            for _ in 0..8 {
                let am = (*tp(o)).tp_as_async;
                let aw = ((*am).am_anext.unwrap())(o);
                if aw.is_null() {
                    settle(false, "drive all: __anext__()");
                    return;
                }
                let mut stop = true;
                for _ in 0..16 {
                    let mut r = null_mut();
                    let s = PyIter_Send(aw, none(), &mut r);
                    if s == PYGEN_NEXT {
                        settle_send(s, r, "drive all: anext awaitable");
                        continue;
                    }
                    stop =
                        s == PYGEN_ERROR && PyErr_ExceptionMatches(PyExc_StopAsyncIteration) != 0;
                    settle_send(s, r, "drive all: anext awaitable");
                    if s == PYGEN_RETURN {
                        stop = false;
                    }
                    break;
                }
                decref(aw);
                if stop {
                    return;
                }
            }
        } else {
            for _ in 0..16 {
                let mut r = null_mut();
                let s = PyIter_Send(o, none(), &mut r);
                let again = s == PYGEN_NEXT;
                settle_send(s, r, "drive all");
                if !again {
                    return;
                }
            }
        }
    }
}

/// Reads the introspection attributes of a pool object and checks them against its frame.
unsafe fn check_attrs(o: *mut PyObject) {
    unsafe {
        let (running, awaiting, frame) = if is_coro(o) {
            (c"cr_running", c"cr_await", c"cr_frame")
        } else if is_agen(o) {
            (c"ag_running", c"ag_await", c"ag_frame")
        } else {
            (c"gi_running", c"gi_yieldfrom", c"gi_frame")
        };
        let f = frame_of(o);
        let r = PyObject_GetAttrString(o, running.as_ptr());
        if r.is_null() {
            settle(false, "running attribute");
        } else {
            if !is_agen(o) {
                check!(
                    r == (&raw mut _Py_FalseStruct) as *mut PyObject,
                    "{} is not False between operations",
                    running.to_str().unwrap()
                );
            }
            decref(r);
        }
        let r = PyObject_GetAttrString(o, awaiting.as_ptr());
        if r.is_null() {
            settle(false, "await attribute");
        } else {
            let want = if !f.is_null() && (*f).f_state == FRAME_SUSPENDED && (*f).f_stackdepth > 0 {
                *(*f).f_valuestack
            } else {
                none()
            };
            check!(
                r == want,
                "{} is not the delegate on the frame's stack",
                awaiting.to_str().unwrap()
            );
            decref(r);
        }
        let r = PyObject_GetAttrString(o, frame.as_ptr());
        if r.is_null() {
            settle(false, "frame attribute");
        } else {
            let want = if f.is_null() {
                none()
            } else {
                f as *mut PyObject
            };
            check!(
                r == want,
                "{} is not the object's frame",
                frame.to_str().unwrap()
            );
            if !f.is_null() {
                let line = PyFrame_GetLineNumber(f);
                check!(line >= 1, "PyFrame_GetLineNumber() = {line}");
                let back = PyFrame_GetBack(f);
                check!(back.is_null(), "a frame that is not running has an f_back");
                settle(true, "PyFrame_GetBack()");
                let code = PyFrame_GetCode(f);
                settle(!code.is_null(), "PyFrame_GetCode()");
                xdecref(code as *mut PyObject);
                let fr = PyObject_Repr(f as *mut PyObject);
                settle(!fr.is_null(), "repr(frame)");
                xdecref(fr);
            }
            decref(r);
        }
        for name in [c"__name__", c"__qualname__"] {
            settle_obj(PyObject_GetAttrString(o, name.as_ptr()), "name attribute");
        }
        let r = PyObject_Repr(o);
        settle(!r.is_null(), "repr");
        xdecref(r);
    }
}

/// Invariants that hold between operations.
unsafe fn check_state(s: &State, after: &str) {
    unsafe {
        let ts = PyThreadState_Get();
        check!(!ts.is_null(), "no thread state");
        check!(
            (*ts).curexc_type.is_null(),
            "after {after}: an exception is left set: {}",
            err_text()
        );
        check!(
            (*ts).frame.is_null(),
            "after {after}: tstate->frame is not NULL"
        );
        check!(
            (*ts).exc_info == &raw mut (*ts).exc_state,
            "after {after}: the handled-exception stack is not unwound"
        );
        check!(
            (*ts).exc_state.exc_value.is_null() || (*ts).exc_state.exc_value == none(),
            "after {after}: the thread's own handled exception is set"
        );
        for (i, &o) in s.pool.iter().enumerate() {
            if o.is_null() {
                continue;
            }
            check_genlike(o, &format!("after {after}: pool[{i}]"));
        }
        for (i, &o) in s.aux.iter().enumerate() {
            if o.is_null() {
                continue;
            }
            let rc = (*o).ob_refcnt;
            check!(rc >= 1, "after {after}: aux[{i}] refcount {rc}");
            check_value(o, &format!("after {after}: aux[{i}]"));
            if is_genlike(o) {
                check_genlike(o, &format!("after {after}: aux[{i}]"));
            }
        }
    }
}

unsafe fn check_genlike(o: *mut PyObject, what: &str) {
    unsafe {
        let rc = (*o).ob_refcnt;
        check!(rc >= 1 && rc < (1 << 40), "{what}: refcount {rc}");
        check!(is_genlike(o), "{what}: type is {}", type_name(tp(o)));
        let f = frame_of(o);
        if f.is_null() {
            return;
        }
        check!(
            is_type(f as *mut PyObject, &raw mut PyFrame_Type),
            "{what}: gi_frame is a {}",
            type_name(tp(f as *mut PyObject))
        );
        check!(
            (*f).ob_base.ob_base.ob_refcnt >= 1,
            "{what}: frame refcount"
        );
        check!((*f).f_gen == o, "{what}: frame's f_gen is not its owner");
        check!(
            (*f).f_back.is_null(),
            "{what}: suspended frame keeps f_back"
        );
        let depth = (*f).f_stackdepth;
        match (*f).f_state {
            FRAME_CREATED => {
                check!(
                    (*f).f_lasti == -1,
                    "{what}: created frame with f_lasti {}",
                    (*f).f_lasti
                );
                check!(depth == 0, "{what}: created frame with a value stack");
            }
            FRAME_SUSPENDED => {
                check!(
                    (*f).f_lasti >= 0,
                    "{what}: suspended frame with f_lasti {}",
                    (*f).f_lasti
                );
                check!(depth == 0 || depth == 1, "{what}: f_stackdepth {depth}");
                if depth == 1 {
                    let d = *(*f).f_valuestack;
                    check!(!d.is_null(), "{what}: NULL delegate on the stack");
                    check!((*d).ob_refcnt >= 1, "{what}: dead delegate on the stack");
                }
            }
            FRAME_CLEARED => {
                check!(depth == 0, "{what}: cleared frame with a value stack");
            }
            other => panic!(
                "INVARIANT VIOLATED: {what}: frame state {other} while owned by its generator between operations"
            ),
        }
        if (*f).f_state != FRAME_CLEARED {
            let st = PyNative_FrameState(f) as *mut FState;
            check!(
                !st.is_null() && (*st).magic == FSTATE_MAGIC,
                "{what}: frame state corrupted"
            );
            check!(
                (*st).inside == 0,
                "{what}: body marked running between operations"
            );
            let c = get_slot(f, S_COUNTED);
            if !c.is_null() {
                check!(
                    is_type(c, &raw mut COUNTED_TYPE),
                    "{what}: slot 0 is not the Counted object"
                );
                check!(
                    (*(c as *mut Counted)).magic == COUNTED_MAGIC,
                    "{what}: slot 0 Counted is dead"
                );
            }
        }
    }
}

unsafe fn pool_value(s: &State, b: u8) -> *mut PyObject {
    unsafe {
        match b % 12 {
            0 => incref(none()),
            1..=3 => long(b as i64 * 1000),
            k => {
                let o = s.pool[(k as usize - 4) % NPOOL];
                if o.is_null() {
                    long(b as i64)
                } else {
                    incref(o)
                }
            }
        }
    }
}

/// On a fresh thread (which exits right after): makes two objects, the second awaiting the
/// first, maybe runs them and ties them into a cycle, and drops them. Nothing crosses threads:
/// pycoro never examines an exited thread's objects again (README, "Garbage collection"), so
/// the thread's own last collection at exit must reclaim all of it.
fn thread_op(mode: u8) {
    unsafe {
        let kind = mode % 4;
        let steps = [
            ST_YIELD + N_STEP_KINDS,
            ST_YIELD + 2 * N_STEP_KINDS,
            ST_RETURN,
        ];
        let a = new_native(kind, 1, &steps, null_mut(), mode & 4 != 0);
        if a.is_null() {
            settle(false, "thread: create");
            return;
        }
        let outer = if kind == K_GEN || kind == K_ITERCORO {
            kind
        } else {
            K_CORO
        };
        let b = new_native(
            outer,
            (mode >> 3) % N_CATCH,
            &[ST_DELEGATE, ST_GC, ST_YIELD],
            a,
            true,
        );
        if b.is_null() {
            settle(false, "thread: create");
            decref(a);
            return;
        }
        for (i, o) in [a, b].into_iter().enumerate() {
            if mode & (8 << i) != 0 {
                let mut r = null_mut();
                let st = PyIter_Send(o, none(), &mut r);
                settle_send(st, r, "thread: send");
            }
        }
        let f = frame_of(a);
        if mode & 32 != 0 && !f.is_null() {
            set_slot(f, S_EXTRA_B, incref(b));
        }
        if mode & 64 != 0 {
            let n = PyGC_Collect();
            check!(n >= 0, "thread: PyGC_Collect() = {n}");
            settle(true, "thread: PyGC_Collect()");
        }
        decref(b);
        decref(a);
        let ts = PyThreadState_Get();
        check!((*ts).curexc_type.is_null(), "thread: exception left set");
        check!((*ts).frame.is_null(), "thread: tstate->frame left set");
        set_last_exc(null_mut(), null_mut());
    }
}

unsafe fn run_op(s: &mut State, inp: &mut Input, op: u8) {
    unsafe {
        match op % OP_COUNT {
            0 => {
                let slot = inp.byte() as usize % NPOOL;
                let kb = inp.byte();
                let kind = kb % 4;
                let catch = inp.byte();
                let tb = inp.byte();
                let target = if tb & 0x80 != 0 {
                    null_mut()
                } else {
                    s.pool[tb as usize % NPOOL]
                };
                let n = (inp.byte() as usize % MAX_STEPS) + 1;
                let steps: Vec<u8> = (0..n).map(|_| inp.byte()).collect();
                trace!(
                    "op create pool[{slot}] kind {kind} catch {} target {:?} steps {:?}",
                    catch % N_CATCH,
                    if target.is_null() {
                        None
                    } else {
                        Some(tb as usize % NPOOL)
                    },
                    steps
                        .iter()
                        .map(|x| (x % N_STEP_KINDS, x / N_STEP_KINDS))
                        .collect::<Vec<_>>()
                );
                let g = new_native(kind, catch, &steps, target, kb & 4 != 0);
                if g.is_null() {
                    settle(false, "create");
                } else {
                    put(&mut s.pool[slot], g);
                }
            }
            1 => {
                let slot = inp.byte() as usize % NPOOL;
                let vb = inp.byte();
                let route = inp.byte();
                let o = s.pool[slot];
                if o.is_null() {
                    return;
                }
                trace!("op send pool[{slot}] value {vb} route {}", route % 5);
                let v = pool_value(s, vb);
                if v.is_null() {
                    settle(false, "send value");
                    return;
                }
                let o = incref(o);
                send_route(o, v, route, "send");
                decref(o);
                decref(v);
            }
            2 => {
                let slot = inp.byte() as usize % NPOOL;
                let e = inp.byte();
                let route = inp.byte();
                let o = s.pool[slot];
                if o.is_null() {
                    return;
                }
                trace!("op throw pool[{slot}] exc {} route {}", e % 20, route % 4);
                if is_agen(o) {
                    // athrow(): the awaitable, driven at once.
                    let a = throw_args(e);
                    if a.is_null() {
                        settle(false, "athrow args");
                        return;
                    }
                    let aw = call_method(o, c"athrow", a, route);
                    decref(a);
                    if aw.is_null() {
                        settle(false, "athrow()");
                    } else {
                        drive_awaitable(aw, "athrow() awaitable");
                        decref(aw);
                    }
                } else {
                    throw_route(o, e, route, "throw");
                }
            }
            3 => {
                let slot = inp.byte() as usize % NPOOL;
                let route = inp.byte();
                let o = s.pool[slot];
                if o.is_null() {
                    return;
                }
                trace!("op close pool[{slot}] route {}", route % 4);
                if is_agen(o) {
                    let aw = va::PyObject_CallMethod(o, c"aclose".as_ptr(), core::ptr::null());
                    if aw.is_null() {
                        settle(false, "aclose()");
                    } else {
                        drive_awaitable(aw, "aclose() awaitable");
                        decref(aw);
                    }
                } else {
                    close_route(o, route, "close");
                }
            }
            4 => {
                let slot = inp.byte() as usize % NPOOL;
                let which = inp.byte();
                let a = inp.byte() as usize % NAUX;
                let o = s.pool[slot];
                if o.is_null() {
                    return;
                }
                trace!("op awaitable aux[{a}] = pool[{slot}] which {}", which % 6);
                let aw = if is_agen(o) {
                    match which % 6 {
                        0 | 5 => {
                            let am = (*tp(o)).tp_as_async;
                            ((*am).am_anext.unwrap())(o)
                        }
                        1 => {
                            let v = pool_value(s, which / 6);
                            if v.is_null() {
                                v
                            } else {
                                let r =
                                    va::PyObject_CallMethod(o, c"asend".as_ptr(), c"O".as_ptr(), v);
                                decref(v);
                                r
                            }
                        }
                        2 | 3 => {
                            let args = throw_args(which / 6);
                            if args.is_null() {
                                args
                            } else {
                                let r = call_method(o, c"athrow", args, which / 6);
                                decref(args);
                                r
                            }
                        }
                        _ => va::PyObject_CallMethod(o, c"aclose".as_ptr(), core::ptr::null()),
                    }
                } else if is_coro(o) && which % 2 == 0 {
                    let am = (*tp(o)).tp_as_async;
                    ((*am).am_await.unwrap())(o)
                } else if is_coro(o) {
                    va::PyObject_CallMethod(o, c"__await__".as_ptr(), core::ptr::null())
                } else {
                    PyObject_GetIter(o)
                };
                if aw.is_null() {
                    settle(false, "make awaitable");
                } else {
                    settle(true, "make awaitable");
                    put(&mut s.aux[a], aw);
                }
            }
            5 => {
                let a = inp.byte() as usize % NAUX;
                let action = inp.byte();
                let arg = inp.byte();
                let o = s.aux[a];
                if o.is_null() {
                    return;
                }
                trace!("op drive aux[{a}] action {} arg {arg}", action % 4);
                let o = incref(o);
                match action % 4 {
                    0 => {
                        let v = pool_value(s, arg);
                        if v.is_null() {
                            settle(false, "aux value");
                        } else {
                            send_route(o, v, action / 4, "aux send");
                            decref(v);
                        }
                    }
                    1 => throw_route(o, arg, action / 4, "aux throw"),
                    2 => close_route(o, action / 4, "aux close"),
                    _ => drive_awaitable(o, "aux drive"),
                }
                decref(o);
            }
            6 => {
                let w = inp.byte() as usize % (NPOOL + NAUX);
                trace!(
                    "op drop {}",
                    if w < NPOOL {
                        format!("pool[{w}]")
                    } else {
                        format!("aux[{}]", w - NPOOL)
                    }
                );
                if w < NPOOL {
                    put(&mut s.pool[w], null_mut());
                } else {
                    put(&mut s.aux[w - NPOOL], null_mut());
                }
            }
            7 => {
                trace!("op gc");
                let n = PyGC_Collect();
                check!(n >= 0, "PyGC_Collect() returned {n}");
                settle(true, "PyGC_Collect()");
            }
            8 => {
                let a = inp.byte() as usize % NPOOL;
                let b = inp.byte() as usize;
                let which = inp.byte();
                let o = s.pool[a];
                if o.is_null() {
                    return;
                }
                let v = if which & 2 != 0 {
                    s.aux[b % NAUX]
                } else {
                    s.pool[b % NPOOL]
                };
                let f = frame_of(o);
                if f.is_null() || v.is_null() {
                    return;
                }
                trace!(
                    "op cycle pool[{a}].frame slot {} = {}[{}]",
                    if which & 1 != 0 { 3 } else { 2 },
                    if which & 2 != 0 { "aux" } else { "pool" },
                    if which & 2 != 0 { b % NAUX } else { b % NPOOL }
                );
                set_slot(
                    f,
                    if which & 1 != 0 { S_EXTRA_B } else { S_EXTRA_A },
                    incref(v),
                );
            }
            9 => {
                let a = inp.byte() as usize % NPOOL;
                let b = inp.byte() as usize % NPOOL;
                trace!("op dup pool[{a}] = pool[{b}]");
                let v = xincref(s.pool[b]);
                put(&mut s.pool[a], v);
            }
            10 => {
                let slot = inp.byte() as usize % NPOOL;
                let o = s.pool[slot];
                if o.is_null() {
                    return;
                }
                trace!("op drive all pool[{slot}]");
                let o = incref(o);
                drive_all(o);
                decref(o);
            }
            11 => {
                let slot = inp.byte() as usize % NPOOL;
                let o = s.pool[slot];
                if o.is_null() {
                    return;
                }
                trace!("op attrs pool[{slot}]");
                check_attrs(o);
            }
            12 => {
                let mode = inp.byte();
                trace!("op hooks {}", mode % 4);
                set_hooks(mode);
            }
            13 => {
                let n = inp.byte();
                trace!("op alloc failure at {}", n);
                PyNative_SetAllocFailure(n as Py_ssize_t);
            }
            14 => {
                trace!("op drain graveyard");
                drain_graveyard();
            }
            15 => {
                let n = 600 + 2 * inp.byte() as usize;
                if s.pressure_ops == 2 {
                    return;
                }
                s.pressure_ops += 1;
                trace!("op pressure {n}");
                for o in std::mem::take(&mut s.ballast) {
                    decref(o);
                }
                for _ in 0..n {
                    let c = new_counted();
                    if c.is_null() {
                        settle(false, "ballast");
                        break;
                    }
                    s.ballast.push(c);
                }
            }
            16 => {
                let on = inp.byte() & 1 != 0;
                trace!("op gc {}", if on { "enable" } else { "disable" });
                let was = if on { PyGC_Enable() } else { PyGC_Disable() };
                check!(
                    was == s.gc_enabled as c_int,
                    "PyGC_Enable/Disable returned {was}, expected {}",
                    s.gc_enabled as c_int
                );
                s.gc_enabled = on;
                check!(
                    PyGC_IsEnabled() == on as c_int,
                    "PyGC_IsEnabled() disagrees"
                );
            }
            17 => {
                let mode = inp.byte();
                if s.thread_ops == 4 {
                    return;
                }
                s.thread_ops += 1;
                trace!("op thread mode {mode:#010b}");
                // With bit 7: the thread also releases pool[mode % 8] when that object runs no
                // code and releases nothing else as it dies (finished, or not started and
                // holding no other object), so that the thread creates nothing that outlives
                // it in the main thread's objects.
                let mut handed = 0usize;
                let slot = mode as usize % NPOOL;
                let o = s.pool[slot];
                // (Not an async generator: its finalizer hook would keep it in that thread.)
                if mode & 128 != 0 && !o.is_null() && !is_agen(o) {
                    let f = frame_of(o);
                    let lone = |f: *mut PyFrameObject| {
                        (1..NSLOTS as usize).all(|i| get_slot(f, i).is_null())
                    };
                    if f.is_null() || ((*f).f_state == FRAME_CREATED && lone(f)) {
                        handed = o as usize;
                        s.pool[slot] = null_mut();
                    }
                }
                let before = LIVE_COUNTED.load(Relaxed);
                let t = std::thread::spawn(move || {
                    if handed != 0 {
                        decref(handed as *mut PyObject);
                        settle(true, "thread: releasing a main-thread object");
                    }
                    thread_op(mode)
                });
                if t.join().is_err() {
                    panic!("INVARIANT VIOLATED: the thread op panicked");
                }
                let after = LIVE_COUNTED.load(Relaxed);
                check!(
                    after == before || (handed != 0 && after < before),
                    "thread op: {} fuzz.Counted objects of an exited thread left alive (its last collection at exit did not reclaim them)",
                    after - before
                );
            }
            19 => {
                let a = inp.byte() % 5;
                trace!("op warnings filter {a}");
                let action = [c"error", c"ignore", c"always", c"default", c"reset"][a as usize];
                let r = PyNative_WarningsFilter(action.as_ptr(), PyExc_RuntimeWarning);
                settle(r == 0, "PyNative_WarningsFilter()");
            }
            _ => {
                let depth = (inp.byte() % 4) as c_int;
                trace!("op origin tracking depth {depth}");
                _PyEval_SetCoroutineOriginTrackingDepth(null_mut(), depth);
                check!(
                    _PyEval_GetCoroutineOriginTrackingDepth() == depth,
                    "origin tracking depth not stored"
                );
            }
        }
    }
}

fn init() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| unsafe {
        TRACE.store(std::env::var_os("FUZZ_OPS_TRACE").is_some(), Relaxed);
        Py_Initialize();
        assert_eq!(PyType_Ready(&raw mut COUNTED_TYPE), 0);
        PyNative_SetUnraisableHook(Some(unraisable_hook), null_mut());
        PyNative_SetWarningHandler(Some(warning_handler), null_mut());
        HOOKS.with(|_| ());
    });
}

unsafe fn run(data: &[u8]) {
    unsafe {
        init();
        CONTRACT_BROKEN.with(|c| c.set(false));
        let base = LIVE_COUNTED.load(Relaxed);
        check!(base == 0, "{base} Counted objects alive before the run");
        let mut s = State {
            pool: [null_mut(); NPOOL],
            aux: [null_mut(); NAUX],
            ballast: Vec::new(),
            gc_enabled: true,
            pressure_ops: 0,
            thread_ops: 0,
        };
        check!(
            PyGC_IsEnabled() == 1,
            "collection disabled at the start of a run"
        );
        let mut inp = Input { data, pos: 0 };
        let mut n = 0;
        while let Some(op) = inp.next() {
            if n == MAX_OPS {
                break;
            }
            n += 1;
            run_op(&mut s, &mut inp, op);
            check_state(&s, &format!("op #{n} (opcode {})", op % OP_COUNT));
        }
        // Teardown: no more injected failures, drop everything, collect until nothing is left.
        trace!("teardown");
        PyNative_SetAllocFailure(-1);
        if !s.gc_enabled {
            PyGC_Enable();
            s.gc_enabled = true;
        }
        _PyEval_SetCoroutineOriginTrackingDepth(null_mut(), 0);
        set_last_exc(null_mut(), null_mut());
        for o in std::mem::take(&mut s.ballast) {
            decref(o);
        }
        for o in s.aux.iter_mut() {
            put(o, null_mut());
        }
        for o in s.pool.iter_mut() {
            put(o, null_mut());
        }
        settle(true, "teardown: dropping the pool");
        // Finalizer hooks resurrect async generators into the graveyard and kept exceptions
        // hold frames: drain, release and collect until a round changes nothing.
        let mut quiet = false;
        for round in 0..16 {
            if round == 1 {
                set_hooks(0);
            }
            let mut kept = 0;
            for _ in 0..256 {
                set_last_exc(null_mut(), null_mut());
                let k = drain_graveyard();
                kept += k;
                if k == 0 {
                    break;
                }
            }
            set_last_exc(null_mut(), null_mut());
            let c = PyGC_Collect();
            check!(c >= 0, "PyGC_Collect() returned {c}");
            settle(true, "teardown: PyGC_Collect()");
            set_last_exc(null_mut(), null_mut());
            let pending = GRAVEYARD.with(|g| g.borrow().len());
            trace!(
                "  round {round}: graveyard had {kept}, collected {c}, {} Counted alive",
                LIVE_COUNTED.load(Relaxed)
            );
            if round >= 1 && kept == 0 && c == 0 && pending == 0 {
                quiet = true;
                break;
            }
        }
        check!(
            quiet,
            "teardown: collections and finalizer hooks still busy after 16 rounds"
        );
        PyGC_Collect();
        PyGC_Collect();
        // Warnings filters are process-wide: back to the defaults at the end of the input.
        let reset = c"reset";
        let r = PyNative_WarningsFilter(reset.as_ptr(), null_mut());
        settle(r == 0, "PyNative_WarningsFilter(reset)");
        check_state(&s, "teardown");
        let live = LIVE_COUNTED.load(Relaxed);
        check!(
            live == 0,
            "leak: {live} fuzz.Counted objects (frames' slot 0 or __qualname__) still alive after teardown and two full collections"
        );
    }
}

// Coverage dump for tuning the target (FUZZ_OPS_COVERAGE_OUT=FILE with -runs=0 over a corpus):
// after each input, the SanitizerCoverage counters libFuzzer is about to read are OR-ed into a
// bitmap, written to FILE as `pc-offset hit` lines (offsets from the PC table's link address,
// see coverage.sh).
unsafe extern "C" {
    static __start___sancov_cntrs: u8;
    static __stop___sancov_cntrs: u8;
    static __start___sancov_pcs: usize;
}

thread_local! {
    static COVERAGE: RefCell<Option<(String, Vec<u8>)>> = RefCell::new(
        std::env::var("FUZZ_OPS_COVERAGE_OUT").ok().map(|p| (p, Vec::new())),
    );
}

fn dump_coverage() {
    COVERAGE.with(|c| {
        let mut c = c.borrow_mut();
        let Some((path, seen)) = c.as_mut() else {
            return;
        };
        unsafe {
            let start = &raw const __start___sancov_cntrs;
            let n = (&raw const __stop___sancov_cntrs as usize) - (start as usize);
            let counters = core::slice::from_raw_parts(start, n);
            let pcs = core::slice::from_raw_parts(&raw const __start___sancov_pcs, 2 * n);
            seen.resize(n, 0);
            for (s, &k) in seen.iter_mut().zip(counters) {
                *s |= (k != 0) as u8;
            }
            let mut text = format!("base {:#x}\n", &raw const __start___sancov_pcs as usize);
            for i in 0..n {
                text.push_str(&format!("{:#x} {}\n", pcs[2 * i], seen[i]));
            }
            let _ = std::fs::write(path, text);
        }
    });
}

fuzz_target!(|data: &[u8]| {
    unsafe { run(data) };
    dump_coverage();
});
