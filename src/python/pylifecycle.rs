//! `Include/pylifecycle.h`: start-up and shut-down. pycoro sets itself up when it is loaded (a
//! load-time constructor readies every static type, as CPython's `Py_Initialize` does) and each
//! thread's state is created on first use, so a program that never calls `Py_Initialize` works
//! too.

use core::ffi::c_int;
use core::sync::atomic::{AtomicBool, Ordering};

static INITIALIZED: AtomicBool = AtomicBool::new(false);
static TYPES_READY: std::sync::Once = std::sync::Once::new();

/// Runs at load time (the library's one ELF constructor, in `capi::rebind`): rebinds pycoro's
/// data references first, then makes the hash secret and readies the static types, which
/// write pycoro's data (so they must find pycoro's own, not libpython's).
pub(crate) unsafe extern "C" fn library_init() {
    // SAFETY: runs once, before any other pycoro code, on the loading thread.
    unsafe {
        crate::capi::rebind::rebind_own_data();
    }
    crate::python::pyhash::init_at_load();
    ready_builtin_types();
}

/// `PyType_Ready` for every static type pycoro exports, once per process: their dicts, MROs,
/// descriptors and inherited slots as CPython's after `Py_Initialize`. Everything it creates
/// is immortal (shared by every thread). A failure (out of memory at load time) is reported on
/// stderr; the type stays unready and is readied on its first attribute lookup.
pub(crate) fn ready_builtin_types() {
    TYPES_READY.call_once(|| {
        use crate::objects::exceptions::types as e;
        use crate::objects::*;
        // SAFETY: static type objects, readied on one thread before anything uses them.
        unsafe {
            let was = crate::modules::gcmodule::PyGC_Disable();
            let all: &[*mut crate::objects::object::PyTypeObject] = &[
                &raw mut typeobject::PyBaseObject_Type,
                &raw mut typeobject::PyType_Type,
                &raw mut unicodeobject::PyUnicode_Type,
                &raw mut unicode_ops::PyUnicodeIter_Type,
                &raw mut dictobject::PyDict_Type,
                &raw mut tupleobject::PyTuple_Type,
                &raw mut tupleobject::PyTupleIter_Type,
                &raw mut longobject::PyLong_Type,
                &raw mut boolobject::PyBool_Type,
                &raw mut object_ops::_PyNone_Type,
                &raw mut object_ops::_PyNotImplemented_Type,
                &raw mut descrobject::PyMethodDescr_Type,
                &raw mut descrobject::PyClassMethodDescr_Type,
                &raw mut descrobject::PyMemberDescr_Type,
                &raw mut descrobject::PyGetSetDescr_Type,
                &raw mut descrobject::PyWrapperDescr_Type,
                &raw mut descrobject::_PyMethodWrapper_Type,
                &raw mut methodobject::PyCFunction_Type,
                &raw mut methodobject::PyCMethod_Type,
                &raw mut funcobject::PyStaticMethod_Type,
                &raw mut listobject::PyList_Type,
                &raw mut listobject::PyListIter_Type,
                &raw mut listobject::PyListRevIter_Type,
                &raw mut dictviews::PyDictIterKey_Type,
                &raw mut dictviews::PyDictIterValue_Type,
                &raw mut dictviews::PyDictIterItem_Type,
                &raw mut dictviews::PyDictRevIterKey_Type,
                &raw mut dictviews::PyDictRevIterValue_Type,
                &raw mut dictviews::PyDictRevIterItem_Type,
                &raw mut dictviews::PyDictKeys_Type,
                &raw mut dictviews::PyDictValues_Type,
                &raw mut dictviews::PyDictItems_Type,
                &raw mut mappingproxy::PyDictProxy_Type,
                &raw mut codeobject::PyCode_Type,
                &raw mut frameobject::PyFrame_Type,
                &raw mut crate::python::traceback::PyTraceBack_Type,
                &raw mut genobject::PyGen_Type,
                &raw mut genobject::PyCoro_Type,
                &raw mut genobject::_PyCoroWrapper_Type,
                &raw mut genobject::PyAsyncGen_Type,
                &raw mut asyncgen::_PyAsyncGenASend_Type,
                &raw mut asyncgen::_PyAsyncGenAThrow_Type,
                &raw mut asyncgen::_PyAsyncGenWrappedValue_Type,
                &raw mut e::BaseException,
                &raw mut e::Exception,
                &raw mut e::StopIteration,
                &raw mut e::StopAsyncIteration,
                &raw mut e::GeneratorExit,
                &raw mut e::KeyboardInterrupt,
                &raw mut e::SystemExit,
                &raw mut e::ArithmeticError,
                &raw mut e::OverflowError,
                &raw mut e::ZeroDivisionError,
                &raw mut e::AssertionError,
                &raw mut e::AttributeError,
                &raw mut e::LookupError,
                &raw mut e::IndexError,
                &raw mut e::KeyError,
                &raw mut e::MemoryError,
                &raw mut e::NameError,
                &raw mut e::RuntimeError,
                &raw mut e::NotImplementedError,
                &raw mut e::RecursionError,
                &raw mut e::SystemError,
                &raw mut e::TypeError,
                &raw mut e::ValueError,
                &raw mut e::UnicodeError,
                &raw mut e::UnicodeDecodeError,
                &raw mut e::OSError,
                &raw mut e::Warning,
                &raw mut e::UserWarning,
                &raw mut e::DeprecationWarning,
                &raw mut e::RuntimeWarning,
                &raw mut e::ResourceWarning,
            ];
            for &tp in all {
                if crate::objects::typeobject::ready(tp) < 0 {
                    let (t, v, tb) = crate::python::errors::fetch();
                    eprintln!(
                        "pycoro: could not ready type '{}' at load time",
                        crate::objects::typeobject::full_name(tp)
                    );
                    crate::capi::ffi::xdecref(t);
                    crate::capi::ffi::xdecref(v);
                    crate::capi::ffi::xdecref(tb);
                }
            }
            if was != 0 {
                crate::modules::gcmodule::PyGC_Enable();
            }
        }
    });
}

/// Marks the runtime initialized (nothing else is needed).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn Py_Initialize() {
    ready_builtin_types();
    INITIALIZED.store(true, Ordering::Release);
}

/// As `Py_Initialize`; `initsigs` is ignored (pycoro installs no signal handlers).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn Py_InitializeEx(initsigs: c_int) {
    let _ = initsigs;
    ready_builtin_types();
    INITIALIZED.store(true, Ordering::Release);
}

/// Returns 1 after `Py_Initialize` and until `Py_FinalizeEx`, else 0.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn Py_IsInitialized() -> c_int {
    INITIALIZED.load(Ordering::Acquire) as c_int
}

/// Marks the runtime finalized and releases the calling thread's pending exception. Objects
/// stay usable (pycoro has no global state to tear down). Returns 0.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn Py_FinalizeEx() -> c_int {
    INITIALIZED.store(false, Ordering::Release);
    crate::capi::boundary::guard("Py_FinalizeEx", 0, || {
        // SAFETY: clears the calling thread's error indicator.
        unsafe {
            crate::python::errors::restore(
                core::ptr::null_mut(),
                core::ptr::null_mut(),
                core::ptr::null_mut(),
            )
        };
        0
    })
}

/// As `Py_FinalizeEx`, ignoring the result.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn Py_Finalize() {
    // SAFETY: no preconditions.
    unsafe { Py_FinalizeEx() };
}
