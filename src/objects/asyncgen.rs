//! Async generators' protocol (`Objects/genobject.c`'s second half): `__anext__`, `asend`,
//! `athrow`, `aclose`, the awaitables they return (`async_generator_asend`,
//! `async_generator_athrow`), the wrapped values that carry yields out of the frame, and the
//! first-iteration hooks.

use crate::capi::boundary::guard;
use crate::capi::ffi::{clear, decref, new_ref, obj, py_visit, xnew_ref};
use crate::modules::gcmodule::{alloc_object, free_object, track, untrack};
use crate::objects::genobject::{GEN_SEND_DOC, GEN_THROW_DOC, PyAsyncGenObject, method};
use crate::objects::methodobject::{METH_NOARGS, METH_O, METH_VARARGS, PyMethodDef};
use crate::objects::object::*;
use crate::objects::object_ops::none;
use crate::objects::typeobject::static_type;
use crate::python::errors::{matches, occurred, restore, set_string};
use core::ffi::{c_int, c_void};
use core::mem::size_of;
use core::ptr::null_mut;
use static_assertions::const_assert_eq;

/// `async_generator_wrapped_value` (24 bytes): a value an async generator's frame yielded.
#[repr(C)]
pub struct _PyAsyncGenWrappedValue {
    pub ob_base: PyObject,
    pub agw_val: *mut PyObject,
}

/// `async_generator_asend` (40 bytes): what `__anext__()` and `asend(v)` return.
#[repr(C)]
pub struct PyAsyncGenASend {
    pub ob_base: PyObject,
    pub ags_gen: *mut PyAsyncGenObject,
    /// The value to send (NULL for `__anext__`).
    pub ags_sendval: *mut PyObject,
    pub ags_state: c_int,
}

/// `async_generator_athrow` (40 bytes): what `athrow(...)` and `aclose()` return.
#[repr(C)]
pub struct PyAsyncGenAThrow {
    pub ob_base: PyObject,
    pub agt_gen: *mut PyAsyncGenObject,
    /// The `athrow` arguments (a tuple), or NULL for `aclose()`.
    pub agt_args: *mut PyObject,
    pub agt_state: c_int,
}

const_assert_eq!(size_of::<_PyAsyncGenWrappedValue>(), 24);
const_assert_eq!(size_of::<PyAsyncGenASend>(), 40);
const_assert_eq!(size_of::<PyAsyncGenAThrow>(), 40);

/// Awaitable states (`AwaitableState`).
const STATE_INIT: c_int = 0;
const STATE_ITER: c_int = 1;
const STATE_CLOSED: c_int = 2;

#[inline(always)]
fn ag(p: *mut PyAsyncGenObject) -> *mut PyObject {
    obj(p)
}

/// Whether `op` is a wrapped value.
#[inline]
pub(crate) unsafe fn is_wrapped(op: *mut PyObject) -> bool {
    // SAFETY: a live object.
    unsafe { crate::capi::ffi::is_type(op, &raw mut _PyAsyncGenWrappedValue_Type) }
}

/// `_PyAsyncGenValueWrapperNew`: wraps `val` (stolen, even on failure). Return value: New
/// reference or NULL.
pub(crate) unsafe fn wrap_value(val: *mut PyObject) -> *mut PyObject {
    // SAFETY: `val` is a live object whose reference is handed over.
    unsafe {
        let w = alloc_object(
            &raw mut _PyAsyncGenWrappedValue_Type,
            size_of::<_PyAsyncGenWrappedValue>(),
        );
        if w.is_null() {
            decref(val);
            return w;
        }
        (*(w as *mut _PyAsyncGenWrappedValue)).agw_val = val;
        track(w);
        w
    }
}

/// `async_gen_unwrap_value`: what a resumption of the generator means for the awaitable.
unsafe fn unwrap(agen: *mut PyAsyncGenObject, result: *mut PyObject) -> *mut PyObject {
    // SAFETY: a live async generator; `result` is owned or NULL.
    unsafe {
        if result.is_null() {
            if occurred().is_null() {
                restore(
                    new_ref(crate::exc!(StopAsyncIteration)),
                    null_mut(),
                    null_mut(),
                );
            }
            if matches(crate::exc!(StopAsyncIteration)) || matches(crate::exc!(GeneratorExit)) {
                (*agen).ag_closed = 1;
            }
            (*agen).ag_running_async = 0;
            return null_mut();
        }
        if is_wrapped(result) {
            crate::objects::iterobject::set_stop_iteration_value(
                (*(result as *mut _PyAsyncGenWrappedValue)).agw_val,
            );
            decref(result);
            (*agen).ag_running_async = 0;
            return null_mut();
        }
        result
    }
}

/// `async_gen_init_hooks`: at the first iteration, capture the thread's finalizer hook and call
/// its firstiter hook. Returns 0, or -1 with the hook's error.
unsafe fn init_hooks(o: *mut PyObject) -> c_int {
    // SAFETY: a live async generator.
    unsafe {
        let g = o as *mut PyAsyncGenObject;
        if (*g).ag_hooks_inited != 0 {
            return 0;
        }
        (*g).ag_hooks_inited = 1;
        let ts = crate::python::pystate::tstate();
        let fin = (*ts).async_gen_finalizer;
        if !fin.is_null() {
            crate::capi::ffi::xsetref(&raw mut (*g).ag_finalizer, new_ref(fin));
        }
        let first = (*ts).async_gen_firstiter;
        if !first.is_null() {
            let first = new_ref(first);
            let r = crate::objects::call::vectorcall(first, [o].as_ptr(), 1, null_mut());
            decref(first);
            if r.is_null() {
                return -1;
            }
            decref(r);
        }
        0
    }
}

unsafe fn new_asend(o: *mut PyObject, sendval: *mut PyObject) -> *mut PyObject {
    // SAFETY: a live async generator; `sendval` is live or NULL.
    unsafe {
        let a = alloc_object(&raw mut _PyAsyncGenASend_Type, size_of::<PyAsyncGenASend>());
        if a.is_null() {
            return a;
        }
        let s = a as *mut PyAsyncGenASend;
        (*s).ags_gen = new_ref(o) as *mut PyAsyncGenObject;
        (*s).ags_sendval = xnew_ref(sendval);
        (*s).ags_state = STATE_INIT;
        track(a);
        a
    }
}

unsafe fn new_athrow(o: *mut PyObject, args: *mut PyObject) -> *mut PyObject {
    // SAFETY: a live async generator; `args` is a tuple or NULL.
    unsafe {
        let a = alloc_object(
            &raw mut _PyAsyncGenAThrow_Type,
            size_of::<PyAsyncGenAThrow>(),
        );
        if a.is_null() {
            return a;
        }
        let t = a as *mut PyAsyncGenAThrow;
        (*t).agt_gen = new_ref(o) as *mut PyAsyncGenObject;
        (*t).agt_args = xnew_ref(args);
        (*t).agt_state = STATE_INIT;
        track(a);
        a
    }
}

/// `am_anext` of async generators: `__anext__()`.
pub(crate) unsafe extern "C" fn agen_anext(o: *mut PyObject) -> *mut PyObject {
    // SAFETY: called through the type's slot on a live async generator.
    unsafe {
        if init_hooks(o) != 0 {
            return null_mut();
        }
        new_asend(o, null_mut())
    }
}

unsafe extern "C" fn agen_asend(o: *mut PyObject, arg: *mut PyObject) -> *mut PyObject {
    // SAFETY: a bound method call on a live async generator.
    unsafe {
        if init_hooks(o) != 0 {
            return null_mut();
        }
        new_asend(o, arg)
    }
}

unsafe extern "C" fn agen_athrow(o: *mut PyObject, args: *mut PyObject) -> *mut PyObject {
    // SAFETY: a bound method call on a live async generator.
    unsafe {
        if init_hooks(o) != 0 {
            return null_mut();
        }
        new_athrow(o, args)
    }
}

unsafe extern "C" fn agen_aclose(o: *mut PyObject, _unused: *mut PyObject) -> *mut PyObject {
    // SAFETY: a bound method call on a live async generator.
    unsafe {
        if init_hooks(o) != 0 {
            return null_mut();
        }
        new_athrow(o, null_mut())
    }
}

/// The method table of `async_generator` (3.10's, without `__class_getitem__`: pycoro has no
/// `types.GenericAlias`).
pub(crate) static mut AGEN_METHODS: [PyMethodDef; 4] = [
    method(
        c"asend",
        agen_asend,
        METH_O,
        c"asend(v) -> send 'v' in generator.",
    ),
    method(
        c"athrow",
        agen_athrow,
        METH_VARARGS,
        c"athrow(typ[,val[,tb]]) -> raise exception in generator.",
    ),
    method(
        c"aclose",
        agen_aclose,
        METH_NOARGS,
        crate::objects::genobject::GEN_CLOSE_DOC,
    ),
    PyMethodDef::SENTINEL,
];

// --- async_generator_asend ---------------------------------------------------------------------

unsafe extern "C" fn asend_send(o: *mut PyObject, arg: *mut PyObject) -> *mut PyObject {
    // SAFETY: a live asend awaitable holding its generator.
    unsafe {
        let s = o as *mut PyAsyncGenASend;
        let agen = (*s).ags_gen;
        if (*s).ags_state == STATE_CLOSED {
            set_string(
                crate::exc!(RuntimeError),
                "cannot reuse already awaited __anext__()/asend()",
            );
            return null_mut();
        }
        let mut arg = arg;
        if (*s).ags_state == STATE_INIT {
            if (*agen).ag_running_async != 0 {
                set_string(
                    crate::exc!(RuntimeError),
                    "anext(): asynchronous generator is already running",
                );
                return null_mut();
            }
            if arg.is_null() || arg == none() {
                arg = (*s).ags_sendval;
            }
            (*s).ags_state = STATE_ITER;
        }
        (*agen).ag_running_async = 1;
        let r = unwrap(
            agen,
            crate::objects::genobject::send_ex(ag(agen), arg, false, false),
        );
        if r.is_null() {
            (*s).ags_state = STATE_CLOSED;
        }
        r
    }
}

unsafe extern "C" fn asend_iternext(o: *mut PyObject) -> *mut PyObject {
    // SAFETY: a live asend awaitable.
    unsafe { asend_send(o, null_mut()) }
}

unsafe extern "C" fn asend_throw(o: *mut PyObject, args: *mut PyObject) -> *mut PyObject {
    // SAFETY: a live asend awaitable.
    unsafe {
        let s = o as *mut PyAsyncGenASend;
        if (*s).ags_state == STATE_CLOSED {
            set_string(
                crate::exc!(RuntimeError),
                "cannot reuse already awaited __anext__()/asend()",
            );
            return null_mut();
        }
        let r = gen_throw_args(ag((*s).ags_gen), args);
        let r = unwrap((*s).ags_gen, r);
        if r.is_null() {
            (*s).ags_state = STATE_CLOSED;
        }
        r
    }
}

unsafe extern "C" fn asend_close(o: *mut PyObject, _unused: *mut PyObject) -> *mut PyObject {
    // SAFETY: a live asend awaitable.
    unsafe {
        (*(o as *mut PyAsyncGenASend)).ags_state = STATE_CLOSED;
        new_ref(none())
    }
}

/// `gen.throw(*args)` on the generator.
unsafe fn gen_throw_args(agen: *mut PyObject, args: *mut PyObject) -> *mut PyObject {
    // SAFETY: a live generator-family object; `args` is the call's tuple.
    unsafe {
        match crate::objects::genobject::unpack_throw_args("throw", args) {
            Some((t, v, tb)) => crate::objects::genobject::throw(agen, true, t, v, tb),
            None => null_mut(),
        }
    }
}

// --- async_generator_athrow --------------------------------------------------------------------

/// `yield_close`: the generator yielded while being closed.
unsafe fn yield_close(t: *mut PyAsyncGenAThrow, retval: *mut PyObject) -> *mut PyObject {
    // SAFETY: a live athrow awaitable; `retval` is owned.
    unsafe {
        (*(*t).agt_gen).ag_running_async = 0;
        (*t).agt_state = STATE_CLOSED;
        decref(retval);
        set_string(
            crate::exc!(RuntimeError),
            "async generator ignored GeneratorExit",
        );
        null_mut()
    }
}

/// `check_error`: the generator raised; for `aclose()` its end is the awaitable's success.
unsafe fn check_error(t: *mut PyAsyncGenAThrow) -> *mut PyObject {
    // SAFETY: a live athrow awaitable.
    unsafe {
        (*(*t).agt_gen).ag_running_async = 0;
        (*t).agt_state = STATE_CLOSED;
        aclose_done(t);
        null_mut()
    }
}

/// In aclose() mode, StopAsyncIteration or GeneratorExit means "closed": StopIteration.
unsafe fn aclose_done(t: *mut PyAsyncGenAThrow) {
    // SAFETY: a live athrow awaitable; an exception is pending.
    unsafe {
        if (*t).agt_args.is_null()
            && (matches(crate::exc!(StopAsyncIteration)) || matches(crate::exc!(GeneratorExit)))
        {
            restore(new_ref(crate::exc!(StopIteration)), null_mut(), null_mut());
        }
    }
}

unsafe extern "C" fn athrow_send(o: *mut PyObject, arg: *mut PyObject) -> *mut PyObject {
    // SAFETY: a live athrow awaitable holding its generator.
    unsafe {
        let t = o as *mut PyAsyncGenAThrow;
        let agen = (*t).agt_gen;
        if (*t).agt_state == STATE_CLOSED {
            set_string(
                crate::exc!(RuntimeError),
                "cannot reuse already awaited aclose()/athrow()",
            );
            return null_mut();
        }
        let f = (*agen).ag_frame;
        if f.is_null() || (*f).f_state > 0 {
            (*t).agt_state = STATE_CLOSED;
            restore(new_ref(crate::exc!(StopIteration)), null_mut(), null_mut());
            return null_mut();
        }
        let aclose = (*t).agt_args.is_null();
        if (*t).agt_state == STATE_INIT {
            if (*agen).ag_running_async != 0 {
                (*t).agt_state = STATE_CLOSED;
                set_string(
                    crate::exc!(RuntimeError),
                    if aclose {
                        "aclose(): asynchronous generator is already running"
                    } else {
                        "athrow(): asynchronous generator is already running"
                    },
                );
                return null_mut();
            }
            if (*agen).ag_closed != 0 {
                (*t).agt_state = STATE_CLOSED;
                restore(
                    new_ref(crate::exc!(StopAsyncIteration)),
                    null_mut(),
                    null_mut(),
                );
                return null_mut();
            }
            if arg != none() {
                set_string(
                    crate::exc!(RuntimeError),
                    "can't send non-None value to a just-started coroutine",
                );
                return null_mut();
            }
            (*t).agt_state = STATE_ITER;
            (*agen).ag_running_async = 1;
            let retval = if aclose {
                (*agen).ag_closed = 1;
                let r = crate::objects::genobject::throw(
                    ag(agen),
                    false,
                    crate::exc!(GeneratorExit),
                    null_mut(),
                    null_mut(),
                );
                if !r.is_null() && is_wrapped(r) {
                    return yield_close(t, r);
                }
                r
            } else {
                // 3.10's quirk: an argument error leaves ag_running_async set and the state
                // ITER.
                let Some((typ, val, tb)) =
                    crate::objects::genobject::unpack_throw_args("athrow", (*t).agt_args)
                else {
                    return null_mut();
                };
                unwrap(
                    agen,
                    crate::objects::genobject::throw(ag(agen), false, typ, val, tb),
                )
            };
            if retval.is_null() {
                return check_error(t);
            }
            return retval;
        }
        let retval = crate::objects::genobject::send_ex(ag(agen), arg, false, false);
        if !aclose {
            return unwrap(agen, retval);
        }
        if !retval.is_null() && is_wrapped(retval) {
            return yield_close(t, retval);
        }
        if retval.is_null() {
            return check_error(t);
        }
        retval
    }
}

unsafe extern "C" fn athrow_iternext(o: *mut PyObject) -> *mut PyObject {
    // SAFETY: a live athrow awaitable.
    unsafe { athrow_send(o, none()) }
}

unsafe extern "C" fn athrow_throw(o: *mut PyObject, args: *mut PyObject) -> *mut PyObject {
    // SAFETY: a live athrow awaitable.
    unsafe {
        let t = o as *mut PyAsyncGenAThrow;
        if (*t).agt_state == STATE_CLOSED {
            set_string(
                crate::exc!(RuntimeError),
                "cannot reuse already awaited aclose()/athrow()",
            );
            return null_mut();
        }
        let retval = gen_throw_args(ag((*t).agt_gen), args);
        if !(*t).agt_args.is_null() {
            return unwrap((*t).agt_gen, retval);
        }
        if !retval.is_null() && is_wrapped(retval) {
            return yield_close(t, retval);
        }
        if retval.is_null() {
            aclose_done(t);
        }
        retval
    }
}

unsafe extern "C" fn athrow_close(o: *mut PyObject, _unused: *mut PyObject) -> *mut PyObject {
    // SAFETY: a live athrow awaitable.
    unsafe {
        (*(o as *mut PyAsyncGenAThrow)).agt_state = STATE_CLOSED;
        new_ref(none())
    }
}

// --- type objects ------------------------------------------------------------------------------

unsafe extern "C" fn wrapped_dealloc(o: *mut PyObject) {
    // SAFETY: a dying wrapped value owns its value (released in the trashcan).
    unsafe {
        crate::modules::gcmodule::trashcan(o, wrapped_dealloc, || {
            untrack(o);
            clear(&raw mut (*(o as *mut _PyAsyncGenWrappedValue)).agw_val);
            free_object(o);
        })
    }
}

unsafe extern "C" fn wrapped_traverse(
    o: *mut PyObject,
    visit: visitproc,
    arg: *mut c_void,
) -> c_int {
    // SAFETY: a live wrapped value.
    unsafe { py_visit!((*(o as *mut _PyAsyncGenWrappedValue)).agw_val, visit, arg) };
    0
}

unsafe extern "C" fn asend_dealloc(o: *mut PyObject) {
    // SAFETY: a dying awaitable owns its references (released in the trashcan: the value to
    // send may be another awaitable).
    unsafe {
        crate::modules::gcmodule::trashcan(o, asend_dealloc, || {
            untrack(o);
            let s = o as *mut PyAsyncGenASend;
            clear((&raw mut (*s).ags_gen) as *mut *mut PyObject);
            clear(&raw mut (*s).ags_sendval);
            free_object(o);
        })
    }
}

unsafe extern "C" fn asend_traverse(o: *mut PyObject, visit: visitproc, arg: *mut c_void) -> c_int {
    // SAFETY: a live awaitable.
    unsafe {
        let s = o as *mut PyAsyncGenASend;
        py_visit!((*s).ags_gen, visit, arg);
        py_visit!((*s).ags_sendval, visit, arg);
    }
    0
}

unsafe extern "C" fn athrow_dealloc(o: *mut PyObject) {
    // SAFETY: a dying awaitable owns its references (released in the trashcan).
    unsafe {
        crate::modules::gcmodule::trashcan(o, athrow_dealloc, || {
            untrack(o);
            let t = o as *mut PyAsyncGenAThrow;
            clear((&raw mut (*t).agt_gen) as *mut *mut PyObject);
            clear(&raw mut (*t).agt_args);
            free_object(o);
        })
    }
}

unsafe extern "C" fn athrow_traverse(
    o: *mut PyObject,
    visit: visitproc,
    arg: *mut c_void,
) -> c_int {
    // SAFETY: a live awaitable.
    unsafe {
        let t = o as *mut PyAsyncGenAThrow;
        py_visit!((*t).agt_gen, visit, arg);
        py_visit!((*t).agt_args, visit, arg);
    }
    0
}

static mut ASEND_METHODS: [PyMethodDef; 4] = [
    method(c"send", asend_send, METH_O, GEN_SEND_DOC),
    method(c"throw", asend_throw, METH_VARARGS, GEN_THROW_DOC),
    method(
        c"close",
        asend_close,
        METH_NOARGS,
        crate::objects::genobject::GEN_CLOSE_DOC,
    ),
    PyMethodDef::SENTINEL,
];

static mut ATHROW_METHODS: [PyMethodDef; 4] = [
    method(c"send", athrow_send, METH_O, GEN_SEND_DOC),
    method(c"throw", athrow_throw, METH_VARARGS, GEN_THROW_DOC),
    method(
        c"close",
        athrow_close,
        METH_NOARGS,
        crate::objects::genobject::GEN_CLOSE_DOC,
    ),
    PyMethodDef::SENTINEL,
];

/// `am_await` of the awaitables: they are their own iterators.
static mut AWAITABLE_AS_ASYNC: PyAsyncMethods = PyAsyncMethods {
    am_await: Some(crate::objects::iterobject::PyObject_SelfIter),
    am_aiter: None,
    am_anext: None,
    am_send: None,
};

/// `async_generator_athrow`'s own table (CPython gives each awaitable type one).
static mut ATHROW_AS_ASYNC: PyAsyncMethods = PyAsyncMethods {
    am_await: Some(crate::objects::iterobject::PyObject_SelfIter),
    am_aiter: None,
    am_anext: None,
    am_send: None,
};

/// The type `async_generator_wrapped_value` (24 bytes): a value yielded by an async
/// generator's frame, on its way out through `am_send` / the asend awaitable.
#[unsafe(no_mangle)]
pub static mut _PyAsyncGenWrappedValue_Type: PyTypeObject = PyTypeObject {
    tp_getattro: Some(crate::objects::object_ops::PyObject_GenericGetAttr),
    tp_dealloc: Some(wrapped_dealloc),
    tp_traverse: Some(wrapped_traverse),
    tp_free: Some(crate::modules::gcmodule::PyObject_GC_Del),
    ..static_type(
        c"async_generator_wrapped_value",
        size_of::<_PyAsyncGenWrappedValue>(),
        Py_TPFLAGS_HAVE_GC,
    )
};

/// The type `async_generator_asend` (40 bytes): the awaitable of `__anext__()` / `asend(v)`.
/// `am_await` and `tp_iter` return itself; `tp_iternext` is `send(None)`; methods `send`,
/// `throw`, `close`.
#[unsafe(no_mangle)]
pub static mut _PyAsyncGenASend_Type: PyTypeObject = PyTypeObject {
    tp_getattro: Some(crate::objects::object_ops::PyObject_GenericGetAttr),
    tp_dealloc: Some(asend_dealloc),
    tp_as_async: &raw mut AWAITABLE_AS_ASYNC,
    tp_traverse: Some(asend_traverse),
    tp_iter: Some(crate::objects::iterobject::PyObject_SelfIter),
    tp_iternext: Some(asend_iternext),
    tp_methods: (&raw mut ASEND_METHODS) as *mut PyMethodDef,
    tp_free: Some(crate::modules::gcmodule::PyObject_GC_Del),
    ..static_type(
        c"async_generator_asend",
        size_of::<PyAsyncGenASend>(),
        Py_TPFLAGS_HAVE_GC,
    )
};

/// The type `async_generator_athrow` (40 bytes): the awaitable of `athrow(...)` / `aclose()`.
/// `am_await` and `tp_iter` return itself; `tp_iternext` is `send(None)`; methods `send`,
/// `throw`, `close`.
#[unsafe(no_mangle)]
pub static mut _PyAsyncGenAThrow_Type: PyTypeObject = PyTypeObject {
    tp_getattro: Some(crate::objects::object_ops::PyObject_GenericGetAttr),
    tp_dealloc: Some(athrow_dealloc),
    tp_as_async: &raw mut ATHROW_AS_ASYNC,
    tp_traverse: Some(athrow_traverse),
    tp_iter: Some(crate::objects::iterobject::PyObject_SelfIter),
    tp_iternext: Some(athrow_iternext),
    tp_methods: (&raw mut ATHROW_METHODS) as *mut PyMethodDef,
    tp_free: Some(crate::modules::gcmodule::PyObject_GC_Del),
    ..static_type(
        c"async_generator_athrow",
        size_of::<PyAsyncGenAThrow>(),
        Py_TPFLAGS_HAVE_GC,
    )
};

/// Returns 1 if `o` is an async iterator (its type has `am_anext`), else 0; NULL gives 0.
/// Never sets an exception. Async generators are; generators and coroutines are not.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyAIter_Check(o: *mut PyObject) -> c_int {
    if o.is_null() {
        return 0;
    }
    guard("PyAIter_Check", 0, || {
        // SAFETY: a live object.
        unsafe {
            let am = (*crate::capi::ffi::ty(o)).tp_as_async;
            (!am.is_null() && crate::objects::iterobject::is_real_next((*am).am_anext)) as c_int
        }
    })
}
