//! pycoro used from Rust as a path dependency (this crate has `pycoro = { path = ".." }`),
//! the way the README shows: the README's example is the code between the markers below,
//! verbatim, and it runs here.

// README:begin
use std::ffi::{c_int, c_long};
use std::ptr;

use pycoro::{
    CO_GENERATOR, PYNATIVE_RETURN, PYNATIVE_YIELD, Py_DecRef, PyFrame_New, PyFrameObject,
    PyGen_New, PyIter_Next, PyLong_AsLong, PyLong_FromLong, PyNative_NewCode, PyObject,
    PyUnicode_FromString,
};

/// A generator body: yields 0, 1, 2; the resume label in `f_lasti` is the next number.
unsafe extern "C" fn count(
    frame: *mut PyFrameObject,
    _arg: *mut PyObject,
    out: *mut *mut PyObject,
) -> c_int {
    // SAFETY: pycoro calls the body with its live frame and a writable `out`.
    unsafe {
        let n = (*frame).f_lasti.max(0);
        if n == 3 {
            *out = PyUnicode_FromString(c"done".as_ptr());
            return PYNATIVE_RETURN;
        }
        (*frame).f_lasti = n + 1;
        *out = PyLong_FromLong(n.into());
        PYNATIVE_YIELD
    }
}

/// Runs a `count` generator to its end; returns what it yielded.
fn numbers() -> Vec<c_long> {
    let mut yielded = Vec::new();
    // SAFETY: every object is used while this function holds a reference to it.
    unsafe {
        let code = PyNative_NewCode(
            Some(count),
            c"count".as_ptr(),
            c"main.rs".as_ptr(),
            1,
            CO_GENERATOR,
            0,
            0,
        );
        assert!(!code.is_null());
        let frame = PyFrame_New(ptr::null_mut(), code, ptr::null_mut(), ptr::null_mut());
        Py_DecRef(code.cast());
        let generator = PyGen_New(frame); // steals the frame
        assert!(!generator.is_null());
        loop {
            let item = PyIter_Next(generator);
            if item.is_null() {
                break;
            }
            yielded.push(PyLong_AsLong(item));
            Py_DecRef(item);
        }
        Py_DecRef(generator);
    }
    yielded
}
// README:end

#[test]
fn the_readme_example_runs() {
    assert_eq!(numbers(), [0, 1, 2]);
    // SAFETY: reads the calling thread's error indicator.
    assert!(unsafe { pycoro::PyErr_Occurred() }.is_null());
}

#[test]
fn the_readme_shows_this_example() {
    let source = include_str!("rust_dependency.rs");
    let example = source
        .split_once("// README:begin\n")
        .and_then(|(_, rest)| rest.split_once("// README:end\n"))
        .expect("the README markers")
        .0;
    let readme =
        std::fs::read_to_string(capi_tests::repo_root().join("README.md")).expect("read README.md");
    assert!(
        readme.contains(example),
        "README.md does not show the example of tests/rust_dependency.rs verbatim:\n{example}"
    );
}
