//! `Include/genobject.h`: generators, coroutines and async generators, with CPython 3.10's
//! layouts.

use crate::boundary::guard;
use crate::ffi::{clear, decref, is_type, new_ref, obj, py_visit, ty, xnew_ref};
use crate::frameobject::{PyFrameObject, is_frame, line_number};
use crate::gcmodule::{alloc_object, free_object, track, untrack};
use crate::longobject::from_i128;
use crate::object::*;
use crate::pyerrors::{_PyErr_StackItem, bad_internal_call, set_string};
use crate::pystate::tstate;
use crate::tupleobject::{items, new_tuple, tuple_from};
use crate::typeobject::{static_type, tp_name_of};
use crate::unicodeobject::{str_as, str_from};
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

/// The slots the three generator-family types share. `tp_finalize`, iteration, the async
/// slots, methods and attributes come with running frames (later issues).
const fn gen_type(name: &'static CStr, basicsize: usize) -> PyTypeObject {
    PyTypeObject {
        tp_dealloc: Some(gen_dealloc),
        tp_repr: Some(gen_repr),
        tp_hash: Some(crate::object_ops::_Py_HashPointer_obj),
        tp_richcompare: Some(crate::object_ops::object_richcompare),
        tp_traverse: Some(gen_traverse),
        tp_weaklistoffset: offset_of!(PyGenObject, gi_weakreflist) as Py_ssize_t,
        tp_free: Some(crate::gcmodule::PyObject_GC_Del),
        ..static_type(
            name,
            basicsize,
            Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_DISALLOW_INSTANTIATION,
        )
    }
}

/// The type `generator` (`tp_basicsize` 88). Not subclassable, not instantiable from Python.
#[unsafe(no_mangle)]
pub static mut PyGen_Type: PyTypeObject = gen_type(c"generator", size_of::<PyGenObject>());

/// The type `coroutine` (`tp_basicsize` 96). Not subclassable, not instantiable from Python.
#[unsafe(no_mangle)]
pub static mut PyCoro_Type: PyTypeObject = gen_type(c"coroutine", size_of::<PyCoroObject>());

/// The type `async_generator` (`tp_basicsize` 112). Not subclassable, not instantiable from
/// Python.
#[unsafe(no_mangle)]
pub static mut PyAsyncGen_Type: PyTypeObject =
    gen_type(c"async_generator", size_of::<PyAsyncGenObject>());

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
    // is borrowed and reset before the frame is released.
    unsafe {
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

unsafe extern "C" fn gen_repr(op: *mut PyObject) -> *mut PyObject {
    // SAFETY: a live generator; its qualname is a live object.
    unsafe {
        let q = crate::object_ops::str((*(op as *mut PyGenObject)).gi_qualname);
        if q.is_null() {
            return q;
        }
        let text = format!(
            "<{} object {} at {:#x}>",
            gen_kind(ty(op)),
            str_as(q).unwrap_or("?"),
            op as usize
        );
        decref(q);
        str_from(&text)
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
            set_string(
                crate::exc!(TypeError),
                &format!(
                    "{func}() argument 1 must be a frame object, not '{}'",
                    tp_name_of(fo)
                ),
            );
            decref(fo);
            return null_mut();
        }
        let owner = (*f).f_gen;
        if !owner.is_null() {
            set_string(
                crate::exc!(RuntimeError),
                &format!(
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
/// borrowed back-pointer, reset when the generator is deallocated) and takes a new reference
/// to `f->f_code` as `gi_code`.
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
