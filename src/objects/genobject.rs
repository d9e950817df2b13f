//! `Include/genobject.h`: generators, coroutines and async generators, with CPython 3.10's
//! layouts.

use crate::capi::boundary::guard;
use crate::capi::ffi::{clear, decref, is_type, new_ref, obj, py_visit, ty, xdecref, xnew_ref};
use crate::modules::gcmodule::{alloc_object, free_object, track, untrack};
use crate::objects::frameobject::{
    FRAME_EXECUTING, FRAME_RAISED, FRAME_RETURNED, FRAME_SUSPENDED, PyFrameObject, is_frame,
    line_number,
};
use crate::objects::longobject::from_i128;
use crate::objects::object::*;
use crate::objects::object_ops::none;
use crate::objects::tupleobject::{items, new_tuple, tuple_from};
use crate::objects::typeobject::{static_type, tp_name_of};
use crate::objects::unicodeobject::str_as;
use crate::python::errors::{
    _PyErr_StackItem, bad_internal_call, occurred, restore, set_format, set_string,
};
use crate::python::pystate::tstate;
use core::ffi::{CStr, c_int, c_void};
use core::mem::{offset_of, size_of};
use core::ptr::null_mut;
use static_assertions::const_assert_eq;

/// A generator (88 bytes).
#[repr(C)]
pub struct PyGenObject {
    pub ob_base: PyObject,
    pub gi_frame: *mut PyFrameObject,
    pub gi_code: *mut PyObject,
    pub gi_weakreflist: *mut PyObject,
    pub gi_name: *mut PyObject,
    pub gi_qualname: *mut PyObject,
    pub gi_exc_state: _PyErr_StackItem,
}

/// A coroutine (96 bytes): the generator head plus `cr_origin`.
#[repr(C)]
pub struct PyCoroObject {
    pub ob_base: PyObject,
    pub cr_frame: *mut PyFrameObject,
    pub cr_code: *mut PyObject,
    pub cr_weakreflist: *mut PyObject,
    pub cr_name: *mut PyObject,
    pub cr_qualname: *mut PyObject,
    pub cr_exc_state: _PyErr_StackItem,
    pub cr_origin: *mut PyObject,
}

/// An async generator (112 bytes): the generator head plus the hook state.
#[repr(C)]
pub struct PyAsyncGenObject {
    pub ob_base: PyObject,
    pub ag_frame: *mut PyFrameObject,
    pub ag_code: *mut PyObject,
    pub ag_weakreflist: *mut PyObject,
    pub ag_name: *mut PyObject,
    pub ag_qualname: *mut PyObject,
    pub ag_exc_state: _PyErr_StackItem,
    pub ag_finalizer: *mut PyObject,
    pub ag_hooks_inited: c_int,
    pub ag_closed: c_int,
    pub ag_running_async: c_int,
}

const_assert_eq!(size_of::<PyGenObject>(), 88);
const_assert_eq!(offset_of!(PyGenObject, gi_frame), 16);
const_assert_eq!(offset_of!(PyGenObject, gi_code), 24);
const_assert_eq!(offset_of!(PyGenObject, gi_weakreflist), 32);
const_assert_eq!(offset_of!(PyGenObject, gi_name), 40);
const_assert_eq!(offset_of!(PyGenObject, gi_qualname), 48);
const_assert_eq!(offset_of!(PyGenObject, gi_exc_state), 56);
const_assert_eq!(size_of::<PyCoroObject>(), 96);
const_assert_eq!(offset_of!(PyCoroObject, cr_origin), 88);
const_assert_eq!(size_of::<PyAsyncGenObject>(), 112);
const_assert_eq!(offset_of!(PyAsyncGenObject, ag_finalizer), 88);
const_assert_eq!(offset_of!(PyAsyncGenObject, ag_hooks_inited), 96);
const_assert_eq!(offset_of!(PyAsyncGenObject, ag_closed), 100);
const_assert_eq!(offset_of!(PyAsyncGenObject, ag_running_async), 104);

/// The slots the three generator-family types share.
const fn gen_type(name: &'static CStr, basicsize: usize) -> PyTypeObject {
    PyTypeObject {
        tp_dealloc: Some(gen_dealloc),
        tp_repr: Some(gen_repr),
        tp_traverse: Some(gen_traverse),
        tp_finalize: Some(_PyGen_Finalize),
        tp_weaklistoffset: offset_of!(PyGenObject, gi_weakreflist) as Py_ssize_t,
        tp_free: Some(crate::modules::gcmodule::PyObject_GC_Del),
        ..static_type(
            name,
            basicsize,
            Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_DISALLOW_INSTANTIATION,
        )
    }
}

/// The type `generator` (`tp_basicsize` 88). Not subclassable, not instantiable from Python.
/// An iterator (`tp_iter` returns itself, `tp_iternext` resumes it) with `am_send`, methods
/// `send` (METH_O), `throw` (METH_VARARGS) and `close` (METH_NOARGS), members `gi_frame` and
/// `gi_code`, getsets `__name__`, `__qualname__`, `gi_yieldfrom` and `gi_running`.
#[unsafe(no_mangle)]
pub static mut PyGen_Type: PyTypeObject = PyTypeObject {
    tp_getattro: Some(crate::objects::object_ops::PyObject_GenericGetAttr),
    tp_as_async: &raw mut GEN_AS_ASYNC,
    tp_iter: Some(crate::objects::iterobject::PyObject_SelfIter),
    tp_iternext: Some(gen_iternext),
    tp_methods: (&raw mut GEN_METHODS) as *mut PyMethodDef,
    tp_members: (&raw mut GEN_MEMBERS) as *mut PyMemberDef,
    tp_getset: (&raw mut GEN_GETSET) as *mut PyGetSetDef,
    ..gen_type(c"generator", size_of::<PyGenObject>())
};

/// The type `coroutine` (`tp_basicsize` 96). Not subclassable, not instantiable from Python.
/// Not an iterator (no `tp_iter`, no `tp_iternext`); `am_await` returns a new
/// `coroutine_wrapper`, `am_send` resumes it. Methods `send`, `throw`, `close`; members
/// `cr_frame`, `cr_code`, `cr_origin`; getsets `__name__`, `__qualname__`, `cr_await`,
/// `cr_running`.
#[unsafe(no_mangle)]
pub static mut PyCoro_Type: PyTypeObject = PyTypeObject {
    tp_getattro: Some(crate::objects::object_ops::PyObject_GenericGetAttr),
    tp_as_async: &raw mut CORO_AS_ASYNC,
    tp_methods: (&raw mut CORO_METHODS) as *mut PyMethodDef,
    tp_members: (&raw mut CORO_MEMBERS) as *mut PyMemberDef,
    tp_getset: (&raw mut CORO_GETSET) as *mut PyGetSetDef,
    tp_repr: Some(coro_repr),
    ..gen_type(c"coroutine", size_of::<PyCoroObject>())
};

/// The type `async_generator` (`tp_basicsize` 112). Not subclassable, not instantiable from
/// Python. `am_aiter` returns itself, `am_anext` returns an `async_generator_asend`,
/// `am_send` resumes it (yields come out as `async_generator_wrapped_value`s); methods `asend`
/// (METH_O), `athrow` (METH_VARARGS), `aclose` (METH_NOARGS); members `ag_frame`, `ag_running` (a bool read from
/// `ag_running_async`), `ag_code`; getsets `__name__`, `__qualname__`, `ag_await`.
#[unsafe(no_mangle)]
pub static mut PyAsyncGen_Type: PyTypeObject = PyTypeObject {
    tp_getattro: Some(crate::objects::object_ops::PyObject_GenericGetAttr),
    tp_as_async: &raw mut AGEN_AS_ASYNC,
    tp_methods: (&raw mut crate::objects::asyncgen::AGEN_METHODS) as *mut PyMethodDef,
    tp_members: (&raw mut AGEN_MEMBERS) as *mut PyMemberDef,
    tp_getset: (&raw mut AGEN_GETSET) as *mut PyGetSetDef,
    tp_repr: Some(agen_repr),
    tp_traverse: Some(agen_traverse),
    ..gen_type(c"async_generator", size_of::<PyAsyncGenObject>())
};

fn gen_kind(tp: *mut PyTypeObject) -> &'static str {
    if tp == &raw mut PyCoro_Type {
        "coroutine"
    } else if tp == &raw mut PyAsyncGen_Type {
        "async_generator"
    } else {
        "generator"
    }
}

unsafe extern "C" fn gen_dealloc(op: *mut PyObject) {
    let g = op as *mut PyGenObject;
    // SAFETY: a dying generator owns every reference it holds; its frame's back-pointer to it
    // is borrowed and reset before the frame is released. In the trashcan: a generator whose
    // frame (or name) holds the next generator, a million deep, is finalized and freed without
    // a million nested calls.
    unsafe {
        crate::modules::gcmodule::trashcan(op, gen_dealloc, || {
            // PEP 442: the finalizer runs first (at most once); it may resurrect the object. A
            // finished generator's finalizer has nothing to do (3.10's first step), so it is
            // skipped.
            let f = (*g).gi_frame;
            if !f.is_null() && (*f).f_state <= FRAME_EXECUTING {
                // A deferred generator was untracked to wait in the trashcan; the finalizer
                // runs on a tracked object (it may resurrect it).
                track(op);
                if crate::modules::gcmodule::PyObject_CallFinalizerFromDealloc(op) != 0 {
                    return;
                }
            }
            untrack(op);
            let tp = ty(op);
            if tp == &raw mut PyAsyncGen_Type {
                clear(&raw mut (*(op as *mut PyAsyncGenObject)).ag_finalizer);
            }
            let f = (*g).gi_frame;
            if !f.is_null() {
                (*f).f_gen = null_mut();
                clear((&raw mut (*g).gi_frame) as *mut *mut PyObject);
            }
            if tp == &raw mut PyCoro_Type {
                clear(&raw mut (*(op as *mut PyCoroObject)).cr_origin);
            }
            clear(&raw mut (*g).gi_code);
            clear(&raw mut (*g).gi_name);
            clear(&raw mut (*g).gi_qualname);
            clear(&raw mut (*g).gi_exc_state.exc_type);
            clear(&raw mut (*g).gi_exc_state.exc_value);
            clear(&raw mut (*g).gi_exc_state.exc_traceback);
            free_object(op);
        })
    }
}

unsafe extern "C" fn gen_traverse(op: *mut PyObject, visit: visitproc, arg: *mut c_void) -> c_int {
    let g = op as *mut PyGenObject;
    // SAFETY: a live generator.
    unsafe {
        py_visit!((*g).gi_frame, visit, arg);
        py_visit!((*g).gi_code, visit, arg);
        py_visit!((*g).gi_name, visit, arg);
        py_visit!((*g).gi_qualname, visit, arg);
        py_visit!((*g).gi_exc_state.exc_type, visit, arg);
        py_visit!((*g).gi_exc_state.exc_value, visit, arg);
        py_visit!((*g).gi_exc_state.exc_traceback, visit, arg);
        let tp = ty(op);
        if tp == &raw mut PyCoro_Type {
            py_visit!((*(op as *mut PyCoroObject)).cr_origin, visit, arg);
        } else if tp == &raw mut PyAsyncGen_Type {
            py_visit!((*(op as *mut PyAsyncGenObject)).ag_finalizer, visit, arg);
        }
    }
    0
}

/// `coroutine`'s repr (its own slot, as in CPython; the text is the shared one).
unsafe extern "C" fn coro_repr(op: *mut PyObject) -> *mut PyObject {
    // SAFETY: a live coroutine.
    unsafe { gen_repr(op) }
}

/// `async_generator`'s repr.
unsafe extern "C" fn agen_repr(op: *mut PyObject) -> *mut PyObject {
    // SAFETY: a live async generator.
    unsafe { gen_repr(op) }
}

/// `async_generator`'s traverse (the generator head's references; its finalizer is visited
/// by `gen_traverse` too).
unsafe extern "C" fn agen_traverse(op: *mut PyObject, visit: visitproc, arg: *mut c_void) -> c_int {
    // SAFETY: a live async generator.
    unsafe { gen_traverse(op, visit, arg) }
}

unsafe extern "C" fn gen_repr(op: *mut PyObject) -> *mut PyObject {
    // SAFETY: a live generator; its qualname is a live object.
    unsafe {
        let q = crate::objects::object_ops::str((*(op as *mut PyGenObject)).gi_qualname);
        if q.is_null() {
            return q;
        }
        let r = crate::objects::unicodeobject::str_format(format_args!(
            "<{} object {} at {:#x}>",
            gen_kind(ty(op)),
            str_as(q).unwrap_or("?"),
            op as usize
        ));
        decref(q);
        r
    }
}

/// `gen_new_with_qualname`: the constructor all four public ones share. Steals `f`, also on
/// failure; `func` names the public function in error messages.
unsafe fn gen_new(
    func: &str,
    tp: *mut PyTypeObject,
    f: *mut PyFrameObject,
    name: *mut PyObject,
    qualname: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: `f` is NULL or a live object whose reference the caller hands over.
    unsafe {
        if f.is_null() {
            bad_internal_call();
            return null_mut();
        }
        let fo = obj(f);
        if !is_frame(fo) {
            set_format(
                crate::exc!(TypeError),
                format_args!(
                    "{func}() argument 1 must be a frame object, not '{}'",
                    tp_name_of(fo)
                ),
            );
            decref(fo);
            return null_mut();
        }
        let owner = (*f).f_gen;
        if !owner.is_null() {
            set_format(
                crate::exc!(RuntimeError),
                format_args!(
                    "{func}(): the frame already belongs to a {} object",
                    gen_kind(ty(owner))
                ),
            );
            decref(fo);
            return null_mut();
        }
        let op = alloc_object(tp, (*tp).tp_basicsize as usize);
        if op.is_null() {
            decref(fo);
            return null_mut();
        }
        let g = op as *mut PyGenObject;
        let code = (*f).f_code;
        // As the eval loop does before it makes a generator: the frame links back to whoever
        // resumes it, not to where it was created (no cycle through a creator's frame).
        clear((&raw mut (*f).f_back) as *mut *mut PyObject);
        (*g).gi_frame = f;
        (*f).f_gen = op;
        (*g).gi_code = new_ref(obj(code));
        let name = if name.is_null() {
            (*code).co_name
        } else {
            name
        };
        (*g).gi_name = xnew_ref(name);
        let qualname = if qualname.is_null() { name } else { qualname };
        (*g).gi_qualname = xnew_ref(qualname);
        track(op);
        op
    }
}

/// `compute_cr_origin`: `(filename, lineno, funcname)` of up to `depth` executing frames,
/// innermost first (the empty tuple when no frame is executing).
unsafe fn compute_cr_origin(depth: c_int) -> *mut PyObject {
    // SAFETY: the executing frames are live while they are linked from the thread state.
    unsafe {
        let first = (*tstate()).frame;
        let mut count = 0usize;
        let mut f = first;
        while !f.is_null() && (count as i64) < depth as i64 {
            count += 1;
            f = (*f).f_back;
        }
        let origin = new_tuple(count as Py_ssize_t);
        if origin.is_null() {
            return origin;
        }
        let mut f = first;
        for i in 0..count {
            let code = (*f).f_code;
            let lineno = from_i128(line_number(f) as i128);
            if lineno.is_null() {
                decref(origin);
                return null_mut();
            }
            let entry = tuple_from(&[(*code).co_filename, lineno, (*code).co_name]);
            decref(lineno);
            if entry.is_null() {
                decref(origin);
                return null_mut();
            }
            *items(origin).add(i) = entry;
            f = (*f).f_back;
        }
        origin
    }
}

/// Creates a generator that runs frame `f` (3.10's `PyGen_New`): `gi_name` and `gi_qualname`
/// are the code's `co_name`.
///
/// Steals a reference to *f* (even on failure). The generator sets `f->f_gen` to itself (a
/// borrowed back-pointer, reset when the generator is deallocated), takes a new reference to
/// `f->f_code` as `gi_code`, and releases `f->f_back` (as CPython's eval loop does before it
/// creates a generator: the frame links back to whichever frame resumes it, only while it
/// runs).
///
/// Return value: New reference, or NULL with an exception set: `SystemError` ("bad argument
/// to internal function") when `f` is NULL; `TypeError` when it is not a frame; `RuntimeError`
/// when the frame already belongs to a generator, coroutine or async generator;
/// `MemoryError`. (CPython crashes in the first three cases.)
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyGen_New(f: *mut PyFrameObject) -> *mut PyObject {
    // SAFETY: the reference to `f` is handed over by contract.
    guard("PyGen_New", null_mut(), || unsafe {
        gen_new("PyGen_New", &raw mut PyGen_Type, f, null_mut(), null_mut())
    })
}

/// Creates a generator that runs frame `f`, named `name` and `qualname`.
///
/// A NULL `name` gives the code's `co_name`; a NULL `qualname` gives the name (CPython 3.10's
/// rule; 3.11 uses `co_qualname`). `name` and `qualname` are borrowed: the generator takes new
/// references; they are not type-checked (`repr` shows `str(qualname)`).
///
/// Steals a reference to *f* (even on failure); see `PyGen_New` for the frame's fields and the
/// errors.
///
/// Return value: New reference, or NULL with an exception set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyGen_NewWithQualName(
    f: *mut PyFrameObject,
    name: *mut PyObject,
    qualname: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: the reference to `f` is handed over by contract; names are live or NULL.
    guard("PyGen_NewWithQualName", null_mut(), || unsafe {
        gen_new(
            "PyGen_NewWithQualName",
            &raw mut PyGen_Type,
            f,
            name,
            qualname,
        )
    })
}

/// Creates a coroutine that runs frame `f`, named `name` and `qualname` (defaults as for
/// `PyGen_NewWithQualName`).
///
/// `cr_origin` is NULL when the thread's `coroutine_origin_tracking_depth` is 0; otherwise it is
/// a tuple of `(filename, lineno, funcname)` tuples for up to that many executing frames
/// (`tstate->frame` and its `f_back` chain, innermost first): the empty tuple when no frame is
/// executing.
///
/// Steals a reference to *f* (even on failure); see `PyGen_New` for the frame's fields and the
/// errors.
///
/// Return value: New reference, or NULL with an exception set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyCoro_New(
    f: *mut PyFrameObject,
    name: *mut PyObject,
    qualname: *mut PyObject,
) -> *mut PyObject {
    guard("PyCoro_New", null_mut(), || {
        // SAFETY: the reference to `f` is handed over by contract; names are live or NULL.
        unsafe {
            let coro = gen_new("PyCoro_New", &raw mut PyCoro_Type, f, name, qualname);
            if coro.is_null() {
                return coro;
            }
            let depth = (*tstate()).coroutine_origin_tracking_depth;
            if depth != 0 {
                let origin = compute_cr_origin(depth);
                if origin.is_null() {
                    decref(coro);
                    return null_mut();
                }
                (*(coro as *mut PyCoroObject)).cr_origin = origin;
            }
            coro
        }
    })
}

/// Creates an async generator that runs frame `f`, named `name` and `qualname` (defaults as
/// for `PyGen_NewWithQualName`). `ag_finalizer` is NULL and `ag_hooks_inited`, `ag_closed`
/// and `ag_running_async` are 0: the thread's async generator hooks are consulted at the first
/// iteration, not here.
///
/// Steals a reference to *f* (even on failure); see `PyGen_New` for the frame's fields and the
/// errors.
///
/// Return value: New reference, or NULL with an exception set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyAsyncGen_New(
    f: *mut PyFrameObject,
    name: *mut PyObject,
    qualname: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: the reference to `f` is handed over by contract; the ag_ fields start zeroed.
    guard("PyAsyncGen_New", null_mut(), || unsafe {
        gen_new(
            "PyAsyncGen_New",
            &raw mut PyAsyncGen_Type,
            f,
            name,
            qualname,
        )
    })
}

/// Returns 1 if `op` is a generator (exactly `PyGen_Type`), else 0; NULL gives 0. Never sets
/// an exception.
///
/// Python.h defines a macro of the same name (as CPython), which C code gets; this function is
/// for callers that look symbols up with `dlsym` or through a function pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyGen_CheckExact(op: *mut PyObject) -> c_int {
    // SAFETY: NULL or a live object.
    (!op.is_null() && unsafe { is_type(op, &raw mut PyGen_Type) }) as c_int
}

/// Returns 1 if `op` is a coroutine (exactly `PyCoro_Type`), else 0; NULL gives 0. Never sets
/// an exception.
///
/// Python.h defines a macro of the same name (as CPython), which C code gets; this function is
/// for callers that look symbols up with `dlsym` or through a function pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyCoro_CheckExact(op: *mut PyObject) -> c_int {
    // SAFETY: NULL or a live object.
    (!op.is_null() && unsafe { is_type(op, &raw mut PyCoro_Type) }) as c_int
}

/// Returns 1 if `op` is an async generator (exactly `PyAsyncGen_Type`), else 0; NULL gives 0.
/// Never sets an exception.
///
/// Python.h defines a macro of the same name (as CPython), which C code gets; this function is
/// for callers that look symbols up with `dlsym` or through a function pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyAsyncGen_CheckExact(op: *mut PyObject) -> c_int {
    // SAFETY: NULL or a live object.
    (!op.is_null() && unsafe { is_type(op, &raw mut PyAsyncGen_Type) }) as c_int
}

// ---------------------------------------------------------------------------------------------
// The protocol: resuming, throwing, closing, delegation.
// ---------------------------------------------------------------------------------------------

/// Exactly a generator.
#[inline]
pub(crate) unsafe fn is_gen_exact(op: *mut PyObject) -> bool {
    // SAFETY: a live object.
    unsafe { is_type(op, &raw mut PyGen_Type) }
}

/// Exactly a coroutine.
#[inline]
pub(crate) unsafe fn is_coro_exact(op: *mut PyObject) -> bool {
    // SAFETY: a live object.
    unsafe { is_type(op, &raw mut PyCoro_Type) }
}

/// Exactly an async generator.
#[inline]
pub(crate) unsafe fn is_agen_exact(op: *mut PyObject) -> bool {
    // SAFETY: a live object.
    unsafe { is_type(op, &raw mut PyAsyncGen_Type) }
}

/// The word CPython uses in messages about this object: "generator", "coroutine" or
/// "async generator".
unsafe fn noun(op: *mut PyObject) -> &'static str {
    // SAFETY: a live object.
    unsafe {
        if is_coro_exact(op) {
            "coroutine"
        } else if is_agen_exact(op) {
            "async generator"
        } else {
            "generator"
        }
    }
}

/// `_PyGen_yf`: the object a suspended generator is delegating to (`yield from` / `await`),
/// borrowed, or NULL. NULL while the generator is running, just started or finished.
pub(crate) unsafe fn yf(op: *mut PyObject) -> *mut PyObject {
    // SAFETY: a live generator-family object.
    unsafe {
        let f = (*(op as *mut PyGenObject)).gi_frame;
        if f.is_null() || (*f).f_state != FRAME_SUSPENDED {
            return null_mut();
        }
        crate::python::ceval::delegate_of(f)
    }
}

/// Drops a finished frame: clears the exception state and unlinks the frame.
unsafe fn release_frame(g: *mut PyGenObject) {
    // SAFETY: a live generator whose frame has completed.
    unsafe {
        clear_exc_state(&raw mut (*g).gi_exc_state);
        let f = (*g).gi_frame;
        (*f).f_gen = null_mut();
        (*g).gi_frame = null_mut();
        decref(obj(f));
    }
}

/// `_PyErr_ClearExcState`.
unsafe fn clear_exc_state(item: *mut _PyErr_StackItem) {
    // SAFETY: the item owns its references.
    unsafe {
        clear(&raw mut (*item).exc_type);
        clear(&raw mut (*item).exc_value);
        clear(&raw mut (*item).exc_traceback);
    }
}

/// `gen_send_ex2`: the resume routine every entry point shares. `arg` is the value sent in
/// (borrowed; NULL for `tp_iternext`); `exc` means an exception is pending and is thrown in;
/// `closing` suppresses the coroutine reuse error (close()).
pub(crate) unsafe fn send_ex2(
    op: *mut PyObject,
    arg: *mut PyObject,
    presult: *mut *mut PyObject,
    exc: bool,
    closing: bool,
) -> PySendResult {
    // SAFETY: a live generator-family object; the frame (if any) belongs to it.
    unsafe {
        let g = op as *mut PyGenObject;
        let f = (*g).gi_frame;
        *presult = null_mut();
        // Runnable: created or suspended, and not sent a value before it started.
        if f.is_null()
            || (*f).f_state >= FRAME_EXECUTING
            || ((*f).f_lasti < 0 && !arg.is_null() && arg != none())
        {
            return send_refused(op, f, arg, presult, exc, closing);
        }
        let ts = tstate();
        // Generators return to their latest caller.
        crate::capi::ffi::xsetref(
            (&raw mut (*f).f_back) as *mut *mut PyObject,
            xnew_ref(obj((*ts).frame)),
        );
        (*ts).frame = f;
        let item = &raw mut (*g).gi_exc_state;
        (*item).previous_item = (*ts).exc_info;
        (*ts).exc_info = item;
        if exc {
            crate::python::errors::chain_stack_item(item);
        }
        // The frame's run is one level of recursion (3.10's frame evaluation).
        if crate::python::ceval::enter_recursive_call(ts, "") {
            return recursion_refused(op, f, item, presult);
        }
        (*f).f_state = FRAME_EXECUTING;
        let outcome = crate::python::ceval::eval_frame(
            f,
            if exc { null_mut() } else { arg_or_none(arg) },
            ts,
        );
        crate::python::ceval::leave_recursive_call(ts);
        (*ts).exc_info = (*item).previous_item;
        (*item).previous_item = null_mut();
        (*ts).frame = (*f).f_back;
        clear((&raw mut (*f).f_back) as *mut *mut PyObject);
        if let crate::python::ceval::Outcome::Yielded(v) = outcome {
            (*f).f_state = FRAME_SUSPENDED;
            *presult = v;
            return PYGEN_NEXT;
        }
        send_finished(op, f, outcome, arg, presult)
    }
}

/// `send_ex2` when running the frame would pass the recursion limit (`RecursionError` is set):
/// as in CPython 3.10, the body does not run and the generator is finished with the error (its
/// frame released, no traceback entry for it, the frame's state left as it was).
#[cold]
#[inline(never)]
unsafe fn recursion_refused(
    op: *mut PyObject,
    f: *mut PyFrameObject,
    item: *mut _PyErr_StackItem,
    presult: *mut *mut PyObject,
) -> PySendResult {
    // SAFETY: as send_ex2, which linked the frame and pushed the exception state.
    unsafe {
        let ts = tstate();
        (*ts).exc_info = (*item).previous_item;
        (*item).previous_item = null_mut();
        (*ts).frame = (*f).f_back;
        clear((&raw mut (*f).f_back) as *mut *mut PyObject);
        release_frame(op as *mut PyGenObject);
        *presult = null_mut();
        PYGEN_ERROR
    }
}

/// `send_ex2` on a generator that cannot run now: the errors (and the exhausted generator's
/// quiet return) in 3.10's order.
#[cold]
unsafe fn send_refused(
    op: *mut PyObject,
    f: *mut PyFrameObject,
    arg: *mut PyObject,
    presult: *mut *mut PyObject,
    exc: bool,
    closing: bool,
) -> PySendResult {
    // SAFETY: as send_ex2.
    unsafe {
        // "Just started" is f_lasti < 0, as in CPython; a native body's first run also has
        // f_lasti < 0 until it sets a label, but a running frame is "already executing" (a
        // running CPython frame always has f_lasti >= 0).
        if !f.is_null()
            && (*f).f_lasti < 0
            && (*f).f_state != FRAME_EXECUTING
            && !arg.is_null()
            && arg != none()
        {
            set_format(
                crate::exc!(TypeError),
                format_args!("can't send non-None value to a just-started {}", noun(op)),
            );
            return PYGEN_ERROR;
        }
        if !f.is_null() && (*f).f_state == FRAME_EXECUTING {
            set_format(
                crate::exc!(ValueError),
                format_args!("{} already executing", noun(op)),
            );
            return PYGEN_ERROR;
        }
        if is_coro_exact(op) && !closing {
            set_string(
                crate::exc!(RuntimeError),
                "cannot reuse already awaited coroutine",
            );
        } else if !arg.is_null() && !exc {
            *presult = new_ref(none());
            return PYGEN_RETURN;
        }
        PYGEN_ERROR
    }
}

/// The end of `send_ex2` when the frame returned or raised: the frame state, PEP 479's
/// conversions, the frame released.
unsafe fn send_finished(
    op: *mut PyObject,
    f: *mut PyFrameObject,
    outcome: crate::python::ceval::Outcome,
    arg: *mut PyObject,
    presult: *mut *mut PyObject,
) -> PySendResult {
    // SAFETY: as send_ex2.
    unsafe {
        let mut result = match outcome {
            crate::python::ceval::Outcome::Returned(v) => {
                (*f).f_state = FRAME_RETURNED;
                v
            }
            _ => {
                (*f).f_state = FRAME_RAISED;
                null_mut()
            }
        };
        if !result.is_null() {
            if result == none() && !is_agen_exact(op) && arg.is_null() {
                // tp_iternext: a None return is plain exhaustion (no StopIteration).
                decref(result);
                result = null_mut();
            }
        } else if crate::python::errors::matches(crate::exc!(StopIteration)) {
            crate::python::errors::format_from_cause(
                crate::exc!(RuntimeError),
                format_args!("{} raised StopIteration", noun(op)),
            );
        } else if is_agen_exact(op)
            && crate::python::errors::matches(crate::exc!(StopAsyncIteration))
        {
            crate::python::errors::format_from_cause(
                crate::exc!(RuntimeError),
                format_args!("async generator raised StopAsyncIteration"),
            );
        }
        release_frame(op as *mut PyGenObject);
        *presult = result;
        if result.is_null() {
            PYGEN_ERROR
        } else {
            PYGEN_RETURN
        }
    }
}

#[inline(always)]
fn arg_or_none(arg: *mut PyObject) -> *mut PyObject {
    if arg.is_null() { none() } else { arg }
}

/// `gen_send_ex`: `send_ex2` with a return turned into StopIteration (StopAsyncIteration for
/// an async generator). Return value: New reference (the yielded value) or NULL.
pub(crate) unsafe fn send_ex(
    op: *mut PyObject,
    arg: *mut PyObject,
    exc: bool,
    closing: bool,
) -> *mut PyObject {
    // SAFETY: a live generator-family object.
    unsafe {
        let mut r = null_mut();
        match send_ex2(op, arg, &mut r, exc, closing) {
            PYGEN_NEXT => r,
            PYGEN_RETURN => {
                if is_agen_exact(op) {
                    restore(crate::exc!(StopAsyncIteration), null_mut(), null_mut());
                    crate::capi::ffi::incref(crate::exc!(StopAsyncIteration));
                } else if r == none() {
                    restore(crate::exc!(StopIteration), null_mut(), null_mut());
                    crate::capi::ffi::incref(crate::exc!(StopIteration));
                } else {
                    crate::objects::iterobject::set_stop_iteration_value(r);
                }
                decref(r);
                null_mut()
            }
            _ => null_mut(),
        }
    }
}

/// `am_send` of the three types.
unsafe extern "C" fn gen_am_send(
    op: *mut PyObject,
    arg: *mut PyObject,
    presult: *mut *mut PyObject,
) -> PySendResult {
    // SAFETY: called through the type's slot on a live object.
    unsafe { send_ex2(op, arg, presult, false, false) }
}

/// `tp_iternext` of generators (and coroutine wrappers, on their coroutine).
pub(crate) unsafe fn iternext(op: *mut PyObject) -> *mut PyObject {
    // SAFETY: a live generator-family object.
    unsafe {
        let mut r = null_mut();
        match send_ex2(op, null_mut(), &mut r, false, false) {
            PYGEN_NEXT => r,
            PYGEN_RETURN => {
                if r != none() {
                    crate::objects::iterobject::set_stop_iteration_value(r);
                }
                decref(r);
                null_mut()
            }
            _ => null_mut(),
        }
    }
}

unsafe extern "C" fn gen_iternext(op: *mut PyObject) -> *mut PyObject {
    // SAFETY: called through the type's slot on a live generator.
    unsafe { iternext(op) }
}

/// Runs `f` with the generator's frame marked executing (and linked as the thread's current
/// frame when `link`), as CPython does around close()/throw() of a delegate.
unsafe fn while_executing<R>(op: *mut PyObject, link: bool, f: impl FnOnce() -> R) -> R {
    // SAFETY: a live generator with a frame.
    unsafe {
        let level = Level::enter(op, null_mut(), link);
        let r = f();
        level.leave(link);
        r
    }
}

/// One generator of a delegation chain that `close()` / `throw()` is passing through on its
/// way to the innermost delegate: its frame is marked executing (and, for throw(), linked as
/// the thread's current frame) until the delegate is done. CPython recurses once per level
/// there (without counting recursion depth); pycoro keeps the levels in a list instead, so a
/// chain of any depth is closed or thrown into with the C stack of one level.
struct Level {
    /// The generator (borrowed: its caller or the level above holds it).
    owner: *mut PyObject,
    /// Its delegate (a new reference, released by `leave`), or NULL.
    delegate: *mut PyObject,
    frame: *mut PyFrameObject,
    state: crate::objects::frameobject::PyFrameState,
    /// The thread's current frame before this level was linked.
    top: *mut PyFrameObject,
}

impl Level {
    /// Marks `owner`'s frame executing; `delegate` is the reference to release on `leave`.
    unsafe fn enter(owner: *mut PyObject, delegate: *mut PyObject, link: bool) -> Level {
        // SAFETY: a live generator with a frame.
        unsafe {
            let frame = (*(owner as *mut PyGenObject)).gi_frame;
            let ts = tstate();
            let level = Level {
                owner,
                delegate,
                frame,
                state: (*frame).f_state,
                top: (*ts).frame,
            };
            if link {
                crate::capi::ffi::xsetref(
                    (&raw mut (*frame).f_back) as *mut *mut PyObject,
                    xnew_ref(obj(level.top)),
                );
                (*ts).frame = frame;
            }
            (*frame).f_state = FRAME_EXECUTING;
            level
        }
    }

    /// Restores what `enter` changed and releases the delegate; returns the generator.
    unsafe fn leave(self, link: bool) -> *mut PyObject {
        // SAFETY: the frame is kept alive by its generator, which is still held.
        unsafe {
            (*self.frame).f_state = self.state;
            if link {
                (*tstate()).frame = self.top;
                clear((&raw mut (*self.frame).f_back) as *mut *mut PyObject);
            }
            xdecref(self.delegate);
            self.owner
        }
    }
}

/// Room for one more level (MemoryError when there is none).
fn reserve_level(chain: &mut Vec<Level>) -> bool {
    if chain.try_reserve(1).is_err() {
        // SAFETY: setting the error indicator.
        unsafe { crate::python::errors::no_memory() };
        return false;
    }
    true
}

/// `gen_close_iter`: closes a delegate. Returns 0, or -1 with its error set.
unsafe fn close_iter(d: *mut PyObject) -> c_int {
    // SAFETY: a live object.
    unsafe {
        if is_gen_exact(d) || is_coro_exact(d) {
            let r = close(d);
            if r.is_null() {
                return -1;
            }
            decref(r);
            return 0;
        }
        match crate::objects::call::lookup_attr(d, "close") {
            Err(()) => {
                crate::python::errors::PyErr_WriteUnraisable(d);
                0
            }
            Ok(m) if m.is_null() => 0,
            Ok(m) => {
                let r = crate::objects::call::vectorcall(m, core::ptr::null(), 0, null_mut());
                decref(m);
                if r.is_null() {
                    return -1;
                }
                decref(r);
                0
            }
        }
    }
}

/// `gen_close`: raises GeneratorExit at the suspension point, after closing the delegate (the
/// innermost delegate of a chain first). Return value: New reference (None) or NULL.
pub(crate) unsafe fn close(op: *mut PyObject) -> *mut PyObject {
    // SAFETY: a live generator-family object.
    unsafe {
        let mut chain: Vec<Level> = Vec::new();
        let mut cur = op;
        let err = loop {
            let d = yf(cur);
            if d.is_null() {
                break 0;
            }
            if !(is_gen_exact(d) || is_coro_exact(d)) {
                break close_other_delegate(cur, d);
            }
            if !reserve_level(&mut chain) {
                break -1;
            }
            chain.push(Level::enter(cur, new_ref(d), false));
            cur = d;
        };
        let mut r = close_here(cur, err);
        while let Some(level) = chain.pop() {
            let parent = level.leave(false);
            let err = if r.is_null() {
                -1
            } else {
                decref(r);
                0
            };
            r = close_here(parent, err);
        }
        r
    }
}

/// Closes `d`, the delegate of `op` that is not a generator or coroutine (its `close()`
/// method). Returns 0, or -1 with its error set.
unsafe fn close_other_delegate(op: *mut PyObject, d: *mut PyObject) -> c_int {
    // SAFETY: a live generator-family object and its live delegate.
    unsafe {
        crate::capi::ffi::incref(d);
        let err = while_executing(op, false, || close_iter(d));
        decref(d);
        err
    }
}

/// The rest of `gen_close` once the delegate is closed (`err` 0) or failed to close (-1, its
/// error set): throws GeneratorExit (or that error) in.
unsafe fn close_here(op: *mut PyObject, err: c_int) -> *mut PyObject {
    // SAFETY: a live generator-family object.
    unsafe {
        if err == 0 {
            restore(new_ref(crate::exc!(GeneratorExit)), null_mut(), null_mut());
        }
        let r = send_ex(op, none(), true, true);
        if !r.is_null() {
            decref(r);
            set_format(
                crate::exc!(RuntimeError),
                format_args!("{} ignored GeneratorExit", noun(op)),
            );
            return null_mut();
        }
        if crate::python::errors::matches(crate::exc!(StopIteration))
            || crate::python::errors::matches(crate::exc!(GeneratorExit))
        {
            restore(null_mut(), null_mut(), null_mut());
            return new_ref(none());
        }
        null_mut()
    }
}

/// `_gen_throw`: throws `(typ, val, tb)` (borrowed; `val`, `tb` may be NULL) into the
/// generator, forwarding to its delegate first (down a chain of generators and coroutines to
/// the innermost delegate). Return value: New reference or NULL.
pub(crate) unsafe fn throw(
    op: *mut PyObject,
    close_on_genexit: bool,
    typ: *mut PyObject,
    val: *mut PyObject,
    tb: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: a live generator-family object and live (or NULL) exception parts.
    unsafe {
        // GeneratorExit closes the delegate instead of being thrown into it (asked once, when
        // there is a delegate).
        let mut closes: Option<bool> = None;
        let mut chain: Vec<Level> = Vec::new();
        let mut cur = op;
        let mut ret = loop {
            let d = yf(cur);
            if d.is_null() {
                break throw_here(cur, typ, val, tb);
            }
            let genexit = *closes.get_or_insert_with(|| {
                close_on_genexit
                    && crate::python::errors::given_matches(typ, crate::exc!(GeneratorExit))
            });
            if genexit || !(is_gen_exact(d) || is_coro_exact(d)) {
                break throw_level(cur, d, genexit, typ, val, tb);
            }
            if !reserve_level(&mut chain) {
                // As if the delegate had raised the MemoryError.
                break after_delegate(cur, null_mut());
            }
            chain.push(Level::enter(cur, new_ref(d), true));
            cur = d;
        };
        while let Some(level) = chain.pop() {
            let parent = level.leave(true);
            ret = after_delegate(parent, ret);
        }
        ret
    }
}

/// `_gen_throw` on one generator whose delegate `d` is not a generator or coroutine to throw
/// into: closes the delegate for GeneratorExit (`closes`), or calls the delegate's `throw()`
/// method (throwing at the generator's own suspension point when it has none).
unsafe fn throw_level(
    op: *mut PyObject,
    d: *mut PyObject,
    closes: bool,
    typ: *mut PyObject,
    val: *mut PyObject,
    tb: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: a live generator-family object, its live delegate and live (or NULL) exception
    // parts.
    unsafe {
        crate::capi::ffi::incref(d);
        if closes {
            let err = while_executing(op, false, || close_iter(d));
            decref(d);
            if err < 0 {
                return send_ex(op, none(), true, false);
            }
            return throw_here(op, typ, val, tb);
        }
        let ret = match crate::objects::call::lookup_attr(d, "throw") {
            Err(()) => {
                decref(d);
                return null_mut();
            }
            Ok(m) if m.is_null() => {
                decref(d);
                return throw_here(op, typ, val, tb);
            }
            Ok(m) => {
                let mut args = [typ, val, tb];
                let n = args.iter().position(|a| a.is_null()).unwrap_or(3);
                let r = while_executing(op, false, || {
                    crate::objects::call::vectorcall(m, args.as_mut_ptr(), n, null_mut())
                });
                decref(m);
                r
            }
        };
        decref(d);
        after_delegate(op, ret)
    }
}

/// The end of `_gen_throw` once the delegate has been thrown into: its yielded value (`ret`,
/// a new reference) is passed on; when it finished instead (NULL), the generator leaves the
/// await and resumes with its return value or its exception.
unsafe fn after_delegate(op: *mut PyObject, ret: *mut PyObject) -> *mut PyObject {
    // SAFETY: a live generator-family object.
    unsafe {
        if !ret.is_null() {
            return ret;
        }
        let f = (*(op as *mut PyGenObject)).gi_frame;
        if !f.is_null() {
            crate::python::ceval::pop_delegate(f);
        }
        let mut v = null_mut();
        if crate::objects::iterobject::fetch_stop_iteration_value(&mut v) == 0 {
            let r = send_ex(op, v, false, false);
            decref(v);
            return r;
        }
        send_ex(op, none(), true, false)
    }
}

/// `throw_here`: validates `(typ, val, tb)`, sets it and resumes the generator with it.
unsafe fn throw_here(
    op: *mut PyObject,
    typ: *mut PyObject,
    val: *mut PyObject,
    tb: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: live (or NULL) objects; references are taken before they are handed over.
    unsafe {
        let tb = if tb == none() { null_mut() } else { tb };
        if !tb.is_null() && !crate::python::traceback::is_traceback(tb) {
            set_string(
                crate::exc!(TypeError),
                "throw() third argument must be a traceback object",
            );
            return null_mut();
        }
        let (mut t, mut v, mut b) = (typ, xnew_ref(val), xnew_ref(tb));
        if crate::objects::exceptions::exc_class_check(t) {
            crate::capi::ffi::incref(t);
            crate::python::errors::normalize(&mut t, &mut v, &mut b, 0);
            if !occurred().is_null() {
                xdecref(t);
                xdecref(v);
                xdecref(b);
                return null_mut();
            }
        } else if crate::objects::exceptions::exc_instance_check(t) {
            if !v.is_null() && v != none() {
                xdecref(v);
                xdecref(b);
                set_string(
                    crate::exc!(TypeError),
                    "instance exception may not have a separate value",
                );
                return null_mut();
            }
            xdecref(v);
            v = new_ref(t);
            t = new_ref(obj(ty(v)));
            if b.is_null() {
                b = crate::objects::exceptions::get_traceback(v);
            }
        } else {
            xdecref(v);
            xdecref(b);
            set_format(
                crate::exc!(TypeError),
                format_args!(
                    "exceptions must be classes or instances deriving from BaseException, not {}",
                    tp_name_of(t)
                ),
            );
            return null_mut();
        }
        restore(t, v, b);
        send_ex(op, none(), true, false)
    }
}

/// `PyArg_UnpackTuple(args, "throw", 1, 3, ...)`: the arguments of `throw()` / `athrow()`.
pub(crate) unsafe fn unpack_throw_args(
    name: &str,
    args: *mut PyObject,
) -> Option<(*mut PyObject, *mut PyObject, *mut PyObject)> {
    // SAFETY: `args` is the call's argument tuple.
    unsafe {
        let a = if args.is_null() {
            &[][..]
        } else {
            crate::objects::tupleobject::as_slice(args)
        };
        if a.is_empty() {
            set_format(
                crate::exc!(TypeError),
                format_args!("{name} expected at least 1 argument, got 0"),
            );
            return None;
        }
        if a.len() > 3 {
            set_format(
                crate::exc!(TypeError),
                format_args!("{name} expected at most 3 arguments, got {}", a.len()),
            );
            return None;
        }
        let at = |i: usize| a.get(i).copied().unwrap_or(null_mut());
        Some((at(0), at(1), at(2)))
    }
}

unsafe extern "C" fn gen_send_meth(op: *mut PyObject, arg: *mut PyObject) -> *mut PyObject {
    // SAFETY: bound method call on a live generator-family object.
    unsafe { send_ex(op, arg, false, false) }
}

unsafe extern "C" fn gen_throw_meth(op: *mut PyObject, args: *mut PyObject) -> *mut PyObject {
    // SAFETY: bound method call on a live generator-family object.
    unsafe {
        match unpack_throw_args("throw", args) {
            Some((t, v, tb)) => throw(op, true, t, v, tb),
            None => null_mut(),
        }
    }
}

unsafe extern "C" fn gen_close_meth(op: *mut PyObject, _unused: *mut PyObject) -> *mut PyObject {
    // SAFETY: bound method call on a live generator-family object.
    unsafe { close(op) }
}

/// `_PyCoro_GetAwaitableIter`: what `await o` drives. Return value: New reference or NULL.
pub(crate) unsafe fn get_awaitable_iter(o: *mut PyObject) -> *mut PyObject {
    // SAFETY: a live object; `am_await` follows the slot contract.
    unsafe {
        if is_coro_exact(o) || is_iterable_coroutine(o) {
            return new_ref(o);
        }
        let am = (*ty(o)).tp_as_async;
        if !am.is_null()
            && let Some(aw) = (*am).am_await
        {
            let r = aw(o);
            if r.is_null() {
                return r;
            }
            if is_coro_exact(r) || is_iterable_coroutine(r) {
                set_string(crate::exc!(TypeError), "__await__() returned a coroutine");
                decref(r);
                return null_mut();
            }
            if !crate::objects::iterobject::is_iterator(r) {
                set_format(
                    crate::exc!(TypeError),
                    format_args!(
                        "__await__() returned non-iterator of type '{}'",
                        tp_name_of(r)
                    ),
                );
                decref(r);
                return null_mut();
            }
            return r;
        }
        set_format(
            crate::exc!(TypeError),
            format_args!(
                "object {} can't be used in 'await' expression",
                tp_name_of(o)
            ),
        );
        null_mut()
    }
}

/// A generator whose code is a generator-based coroutine (`CO_ITERABLE_COROUTINE`).
unsafe fn is_iterable_coroutine(o: *mut PyObject) -> bool {
    // SAFETY: a live object; generators have their code.
    unsafe {
        is_gen_exact(o)
            && (*((*(o as *mut PyGenObject)).gi_code
                as *mut crate::objects::codeobject::PyCodeObject))
                .co_flags
                & crate::objects::codeobject::CO_ITERABLE_COROUTINE
                != 0
    }
}

// ---------------------------------------------------------------------------------------------
// Coroutine wrappers (`coro.__await__()`).
// ---------------------------------------------------------------------------------------------

/// `coroutine_wrapper` (24 bytes): what `coro.__await__()` returns.
#[repr(C)]
pub struct PyCoroWrapper {
    pub ob_base: PyObject,
    pub cw_coroutine: *mut PyCoroObject,
}

const_assert_eq!(size_of::<PyCoroWrapper>(), 24);

/// `am_await` of coroutines: a new `coroutine_wrapper` for `op`.
unsafe extern "C" fn coro_await(op: *mut PyObject) -> *mut PyObject {
    // SAFETY: a live coroutine; the wrapper holds a strong reference to it.
    unsafe {
        let tp = &raw mut _PyCoroWrapper_Type;
        let w = alloc_object(tp, size_of::<PyCoroWrapper>());
        if w.is_null() {
            return w;
        }
        (*(w as *mut PyCoroWrapper)).cw_coroutine = new_ref(op) as *mut PyCoroObject;
        track(w);
        w
    }
}

#[inline(always)]
unsafe fn wrapped(w: *mut PyObject) -> *mut PyObject {
    // SAFETY: a live wrapper always holds its coroutine.
    unsafe { obj((*(w as *mut PyCoroWrapper)).cw_coroutine) }
}

unsafe extern "C" fn cw_dealloc(w: *mut PyObject) {
    // SAFETY: a dying wrapper owns its coroutine reference (released in the trashcan).
    unsafe {
        crate::modules::gcmodule::trashcan(w, cw_dealloc, || {
            untrack(w);
            clear((&raw mut (*(w as *mut PyCoroWrapper)).cw_coroutine) as *mut *mut PyObject);
            free_object(w);
        })
    }
}

unsafe extern "C" fn cw_traverse(w: *mut PyObject, visit: visitproc, arg: *mut c_void) -> c_int {
    // SAFETY: a live wrapper.
    unsafe { py_visit!((*(w as *mut PyCoroWrapper)).cw_coroutine, visit, arg) };
    0
}

unsafe extern "C" fn cw_iternext(w: *mut PyObject) -> *mut PyObject {
    // SAFETY: a live wrapper.
    unsafe { iternext(wrapped(w)) }
}

unsafe extern "C" fn cw_send(w: *mut PyObject, arg: *mut PyObject) -> *mut PyObject {
    // SAFETY: a live wrapper.
    unsafe { send_ex(wrapped(w), arg, false, false) }
}

unsafe extern "C" fn cw_throw(w: *mut PyObject, args: *mut PyObject) -> *mut PyObject {
    // SAFETY: a live wrapper.
    unsafe { gen_throw_meth(wrapped(w), args) }
}

unsafe extern "C" fn cw_close(w: *mut PyObject, _unused: *mut PyObject) -> *mut PyObject {
    // SAFETY: a live wrapper.
    unsafe { close(wrapped(w)) }
}

// ---------------------------------------------------------------------------------------------
// Attributes and methods, as CPython 3.10's type objects define them.
// ---------------------------------------------------------------------------------------------

unsafe extern "C" fn get_name(op: *mut PyObject, _c: *mut c_void) -> *mut PyObject {
    // SAFETY: a live generator-family object always has a name.
    unsafe { new_ref((*(op as *mut PyGenObject)).gi_name) }
}

unsafe extern "C" fn get_qualname(op: *mut PyObject, _c: *mut c_void) -> *mut PyObject {
    // SAFETY: a live generator-family object always has a qualname.
    unsafe { new_ref((*(op as *mut PyGenObject)).gi_qualname) }
}

/// The setters of `__name__` / `__qualname__`: str only, no deletion.
unsafe fn set_name_field(slot: *mut *mut PyObject, value: *mut PyObject, what: &str) -> c_int {
    // SAFETY: the slot owns its reference; `value` is live or NULL.
    unsafe {
        if value.is_null() || !crate::objects::unicodeobject::is_str(value) {
            set_format(
                crate::exc!(TypeError),
                format_args!("{what} must be set to a string object"),
            );
            return -1;
        }
        crate::capi::ffi::xsetref(slot, new_ref(value));
        0
    }
}

unsafe extern "C" fn set_name(op: *mut PyObject, value: *mut PyObject, _c: *mut c_void) -> c_int {
    // SAFETY: a live generator-family object.
    unsafe {
        set_name_field(
            &raw mut (*(op as *mut PyGenObject)).gi_name,
            value,
            "__name__",
        )
    }
}

unsafe extern "C" fn set_qualname(
    op: *mut PyObject,
    value: *mut PyObject,
    _c: *mut c_void,
) -> c_int {
    // SAFETY: a live generator-family object.
    unsafe {
        set_name_field(
            &raw mut (*(op as *mut PyGenObject)).gi_qualname,
            value,
            "__qualname__",
        )
    }
}

/// `gi_yieldfrom`, `cr_await`, `ag_await`: the delegate, or None.
unsafe extern "C" fn get_yieldfrom(op: *mut PyObject, _c: *mut c_void) -> *mut PyObject {
    // SAFETY: a live generator-family object.
    unsafe {
        let d = yf(op);
        new_ref(if d.is_null() { none() } else { d })
    }
}

/// `gi_running`, `cr_running`: whether the frame is executing.
unsafe extern "C" fn get_running(op: *mut PyObject, _c: *mut c_void) -> *mut PyObject {
    // SAFETY: a live generator-family object.
    unsafe {
        let f = (*(op as *mut PyGenObject)).gi_frame;
        new_ref(crate::objects::boolobject::from_bool(
            !f.is_null() && (*f).f_state == FRAME_EXECUTING,
        ))
    }
}

const fn getset(
    name: &'static CStr,
    get: crate::objects::descrobject::getter,
    set: crate::objects::descrobject::setter,
    doc: Option<&'static CStr>,
) -> crate::objects::descrobject::PyGetSetDef {
    crate::objects::descrobject::PyGetSetDef {
        name: name.as_ptr(),
        get,
        set,
        doc: match doc {
            Some(d) => d.as_ptr(),
            None => core::ptr::null(),
        },
        closure: null_mut(),
    }
}

const fn member(name: &'static CStr, kind: c_int, offset: usize, flags: c_int) -> PyMemberDef {
    PyMemberDef {
        name: name.as_ptr(),
        r#type: kind,
        offset: offset as Py_ssize_t,
        flags,
        doc: core::ptr::null(),
    }
}

use crate::objects::descrobject::{PyGetSetDef, PyMemberDef};
use crate::objects::methodobject::{METH_NOARGS, METH_O, METH_VARARGS, PyMethodDef};
use crate::python::structmember::{PY_AUDIT_READ, READONLY, T_BOOL, T_OBJECT};

pub(crate) const fn method(
    name: &'static CStr,
    f: unsafe extern "C" fn(*mut PyObject, *mut PyObject) -> *mut PyObject,
    flags: c_int,
    doc: &'static CStr,
) -> PyMethodDef {
    PyMethodDef {
        ml_name: name.as_ptr(),
        ml_meth: Some(f),
        ml_flags: flags,
        ml_doc: doc.as_ptr(),
    }
}

static mut GEN_GETSET: [PyGetSetDef; 5] = [
    getset(
        c"__name__",
        Some(get_name),
        Some(set_name),
        Some(c"name of the generator"),
    ),
    getset(
        c"__qualname__",
        Some(get_qualname),
        Some(set_qualname),
        Some(c"qualified name of the generator"),
    ),
    getset(
        c"gi_yieldfrom",
        Some(get_yieldfrom),
        None,
        Some(c"object being iterated by yield from, or None"),
    ),
    getset(c"gi_running", Some(get_running), None, None),
    PyGetSetDef::SENTINEL,
];

static mut GEN_MEMBERS: [PyMemberDef; 3] = [
    member(
        c"gi_frame",
        T_OBJECT,
        offset_of!(PyGenObject, gi_frame),
        READONLY | PY_AUDIT_READ,
    ),
    member(
        c"gi_code",
        T_OBJECT,
        offset_of!(PyGenObject, gi_code),
        READONLY | PY_AUDIT_READ,
    ),
    PyMemberDef::SENTINEL,
];

/// Docstrings of the generator's methods (shared with the async generator's awaitables).
pub(crate) const GEN_SEND_DOC: &CStr =
    c"send(arg) -> send 'arg' into generator,\nreturn next yielded value or raise StopIteration.";
pub(crate) const GEN_THROW_DOC: &CStr = c"throw(value)\nthrow(type[,value[,tb]])\n\nRaise exception in generator, return next yielded value or raise\nStopIteration.";
pub(crate) const GEN_CLOSE_DOC: &CStr = c"close() -> raise GeneratorExit inside generator.";

static mut GEN_METHODS: [PyMethodDef; 4] = [
    method(c"send", gen_send_meth, METH_O, GEN_SEND_DOC),
    method(c"throw", gen_throw_meth, METH_VARARGS, GEN_THROW_DOC),
    method(c"close", gen_close_meth, METH_NOARGS, GEN_CLOSE_DOC),
    PyMethodDef::SENTINEL,
];

static mut CORO_GETSET: [PyGetSetDef; 5] = [
    getset(
        c"__name__",
        Some(get_name),
        Some(set_name),
        Some(c"name of the coroutine"),
    ),
    getset(
        c"__qualname__",
        Some(get_qualname),
        Some(set_qualname),
        Some(c"qualified name of the coroutine"),
    ),
    getset(
        c"cr_await",
        Some(get_yieldfrom),
        None,
        Some(c"object being awaited on, or None"),
    ),
    getset(c"cr_running", Some(get_running), None, None),
    PyGetSetDef::SENTINEL,
];

static mut CORO_MEMBERS: [PyMemberDef; 4] = [
    member(
        c"cr_frame",
        T_OBJECT,
        offset_of!(PyCoroObject, cr_frame),
        READONLY | PY_AUDIT_READ,
    ),
    member(
        c"cr_code",
        T_OBJECT,
        offset_of!(PyCoroObject, cr_code),
        READONLY | PY_AUDIT_READ,
    ),
    member(
        c"cr_origin",
        T_OBJECT,
        offset_of!(PyCoroObject, cr_origin),
        READONLY,
    ),
    PyMemberDef::SENTINEL,
];

const CORO_SEND_DOC: &CStr =
    c"send(arg) -> send 'arg' into coroutine,\nreturn next iterated value or raise StopIteration.";
const CORO_THROW_DOC: &CStr = c"throw(value)\nthrow(type[,value[,traceback]])\n\nRaise exception in coroutine, return next iterated value or raise\nStopIteration.";
const CORO_CLOSE_DOC: &CStr = c"close() -> raise GeneratorExit inside coroutine.";

static mut CORO_METHODS: [PyMethodDef; 4] = [
    method(c"send", gen_send_meth, METH_O, CORO_SEND_DOC),
    method(c"throw", gen_throw_meth, METH_VARARGS, CORO_THROW_DOC),
    method(c"close", gen_close_meth, METH_NOARGS, CORO_CLOSE_DOC),
    PyMethodDef::SENTINEL,
];

static mut CW_METHODS: [PyMethodDef; 4] = [
    method(c"send", cw_send, METH_O, CORO_SEND_DOC),
    method(c"throw", cw_throw, METH_VARARGS, CORO_THROW_DOC),
    method(c"close", cw_close, METH_NOARGS, CORO_CLOSE_DOC),
    PyMethodDef::SENTINEL,
];

static mut AGEN_GETSET: [PyGetSetDef; 4] = [
    getset(
        c"__name__",
        Some(get_name),
        Some(set_name),
        Some(c"name of the async generator"),
    ),
    getset(
        c"__qualname__",
        Some(get_qualname),
        Some(set_qualname),
        Some(c"qualified name of the async generator"),
    ),
    getset(
        c"ag_await",
        Some(get_yieldfrom),
        None,
        Some(c"object being awaited on, or None"),
    ),
    PyGetSetDef::SENTINEL,
];

static mut AGEN_MEMBERS: [PyMemberDef; 4] = [
    member(
        c"ag_frame",
        T_OBJECT,
        offset_of!(PyAsyncGenObject, ag_frame),
        READONLY | PY_AUDIT_READ,
    ),
    member(
        c"ag_running",
        T_BOOL,
        offset_of!(PyAsyncGenObject, ag_running_async),
        READONLY,
    ),
    member(
        c"ag_code",
        T_OBJECT,
        offset_of!(PyAsyncGenObject, ag_code),
        READONLY | PY_AUDIT_READ,
    ),
    PyMemberDef::SENTINEL,
];

static mut GEN_AS_ASYNC: PyAsyncMethods = PyAsyncMethods {
    am_await: None,
    am_aiter: None,
    am_anext: None,
    am_send: Some(gen_am_send),
};

static mut AGEN_AS_ASYNC: PyAsyncMethods = PyAsyncMethods {
    am_await: None,
    am_aiter: Some(crate::objects::iterobject::PyObject_SelfIter),
    am_anext: Some(crate::objects::asyncgen::agen_anext),
    am_send: Some(gen_am_send),
};

static mut CORO_AS_ASYNC: PyAsyncMethods = PyAsyncMethods {
    am_await: Some(coro_await),
    am_aiter: None,
    am_anext: None,
    am_send: Some(gen_am_send),
};

/// The type `coroutine_wrapper` (24 bytes): returned by `coro.__await__()`, an iterator over
/// its coroutine (`tp_iter` returns itself, `tp_iternext` resumes the coroutine) with the
/// coroutine's `send`, `throw` and `close`. No `tp_as_async`.
#[unsafe(no_mangle)]
pub static mut _PyCoroWrapper_Type: PyTypeObject = PyTypeObject {
    tp_getattro: Some(crate::objects::object_ops::PyObject_GenericGetAttr),
    tp_dealloc: Some(cw_dealloc),
    tp_traverse: Some(cw_traverse),
    tp_iter: Some(crate::objects::iterobject::PyObject_SelfIter),
    tp_iternext: Some(cw_iternext),
    tp_methods: (&raw mut CW_METHODS) as *mut PyMethodDef,
    tp_doc: c"A wrapper object implementing __await__ for coroutines.".as_ptr(),
    tp_free: Some(crate::modules::gcmodule::PyObject_GC_Del),
    ..static_type(
        c"coroutine_wrapper",
        size_of::<PyCoroWrapper>(),
        Py_TPFLAGS_HAVE_GC,
    )
};

/// Stores `value` as `StopIteration`'s value: sets `StopIteration(value)` as the current
/// exception. A NULL `value` gives `StopIteration` with value None; a tuple or an exception
/// instance is kept whole as `.value` (an instance is made explicitly instead of letting the
/// tuple become the argument list).
///
/// Returns 0, or -1 with an exception set when the instance cannot be created.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn _PyGen_SetStopIterationValue(value: *mut PyObject) -> c_int {
    // SAFETY: `value` is live or NULL.
    guard("_PyGen_SetStopIterationValue", -1, || unsafe {
        crate::objects::iterobject::set_stop_iteration_value(value)
    })
}

/// Takes the value out of a pending `StopIteration`.
///
/// - No exception set: `*pvalue` = None (new reference), returns 0.
/// - `StopIteration` (or a subclass) set: `*pvalue` = its value (new reference; None when it
///   has none), the exception is cleared, returns 0.
/// - Any other exception: returns -1; `*pvalue` is untouched and the exception stays set.
///
/// A NULL `pvalue` raises `SystemError` and returns -1 (CPython crashes).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn _PyGen_FetchStopIterationValue(pvalue: *mut *mut PyObject) -> c_int {
    crate::capi::boundary::check_null!(pvalue, -1);
    // SAFETY: a writable out-parameter.
    guard("_PyGen_FetchStopIterationValue", -1, || unsafe {
        crate::objects::iterobject::fetch_stop_iteration_value(pvalue)
    })
}

/// Finalizes a generator, coroutine or async generator (its `tp_finalize`; run by its
/// deallocator, at most once): when its frame is suspended it is closed, so the body sees
/// `GeneratorExit` and runs its cleanup; an error from that is reported with
/// `PyErr_WriteUnraisable(self)`. A coroutine that never started is not closed: it gets the
/// `RuntimeWarning` "coroutine '<qualname>' was never awaited" (followed by "Coroutine created
/// at (most recent call last)" and its origin when `cr_origin` is set). An async generator
/// that captured a finalizer hook (and is not closing) is handed to it instead of being closed.
/// The caller's pending exception is saved and restored around all of this.
///
/// Does nothing when the frame is gone or finished, or when `self` is NULL or not a
/// generator, coroutine or async generator.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn _PyGen_Finalize(self_: *mut PyObject) {
    if self_.is_null() {
        return;
    }
    guard("_PyGen_Finalize", (), || {
        // SAFETY: a live (or resurrected, dying) object.
        unsafe {
            if !(is_gen_exact(self_) || is_coro_exact(self_) || is_agen_exact(self_)) {
                return;
            }
            let g = self_ as *mut PyGenObject;
            let f = (*g).gi_frame;
            if f.is_null() || (*f).f_state > 0 {
                return;
            }
            let (t, v, tb) = crate::python::errors::fetch();
            if is_agen_exact(self_) {
                let ag = self_ as *mut PyAsyncGenObject;
                let hook = (*ag).ag_finalizer;
                if !hook.is_null() && (*ag).ag_closed == 0 {
                    let r = crate::objects::call::vectorcall(hook, [self_].as_ptr(), 1, null_mut());
                    if r.is_null() {
                        crate::python::errors::PyErr_WriteUnraisable(self_);
                    } else {
                        decref(r);
                    }
                    restore(t, v, tb);
                    return;
                }
            }
            let code = (*g).gi_code as *mut crate::objects::codeobject::PyCodeObject;
            if is_coro_exact(self_)
                && (*code).co_flags & crate::objects::codeobject::CO_COROUTINE != 0
                && (*f).f_lasti == -1
            {
                crate::python::warnings::warn_unawaited_coroutine(self_);
            } else {
                let r = close(self_);
                if r.is_null() {
                    crate::python::errors::PyErr_WriteUnraisable(self_);
                } else {
                    decref(r);
                }
            }
            restore(t, v, tb);
        }
    })
}
