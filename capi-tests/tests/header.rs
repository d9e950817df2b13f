//! Header hygiene: the checked-in `include/pycoro.h` is exactly what cbindgen generates now,
//! and `Python.h` (with the companion headers C extensions include) compiles on its own,
//! warning-free, as C11 and as C++17.

use std::fs;

use capi_tests::{compiler, include_dir, run_with_timeout, scratch_dir, unique_path};
use std::time::Duration;

#[test]
fn checked_in_header_matches_generated() {
    let generated_path = env!("PYCORO_GENERATED_HEADER");
    let checked_in_path = include_dir().join("pycoro.h");
    let generated = fs::read(generated_path)
        .unwrap_or_else(|e| panic!("read generated header {generated_path}: {e}"));
    let checked_in = fs::read(&checked_in_path).unwrap_or_else(|e| {
        panic!(
            "read {}: {e} (run `make header`)",
            checked_in_path.display()
        )
    });
    if generated != checked_in {
        let first_difference = generated
            .split(|&b| b == b'\n')
            .zip(checked_in.split(|&b| b == b'\n'))
            .position(|(a, b)| a != b)
            .map_or_else(
                || "one file is a prefix of the other".to_owned(),
                |i| format!("first difference at line {}", i + 1),
            );
        panic!(
            "include/pycoro.h is stale ({first_difference}; generated {} bytes, checked in {} \
             bytes): run `make header`\n  generated: {generated_path}",
            generated.len(),
            checked_in.len()
        );
    }
}

const C_FLAGS: &[&str] = &["-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic"];
const CXX_FLAGS: &[&str] = &[
    "-x",
    "c++",
    "-std=c++17",
    "-Wall",
    "-Wextra",
    "-Werror",
    "-pedantic",
];

/// Compiles `source` (syntax and semantics only, no output) and panics with the diagnostics.
fn compiles(name: &str, source: &str, cpp: bool) {
    let dir = scratch_dir("header");
    let path = unique_path(&dir, name, if cpp { ".cpp" } else { ".c" });
    fs::write(&path, source).expect("write probe source");
    let mut cmd = compiler(cpp);
    cmd.args(if cpp { CXX_FLAGS } else { C_FLAGS })
        .arg(format!("-I{}", include_dir().display()))
        .arg("-fsyntax-only")
        .arg(&path);
    let outcome = run_with_timeout(cmd, &dir, Duration::from_secs(120));
    let _ = fs::remove_file(&path);
    assert!(
        outcome.status.success(),
        "{name} ({}) does not compile cleanly:\n--- source:\n{source}\n{}",
        if cpp { "C++17" } else { "C11" },
        outcome.transcript()
    );
}

const PYTHON_H: &str = "#include <Python.h>\n";
const PYTHON_H_CLEAN: &str = "#define PY_SSIZE_T_CLEAN\n#include <Python.h>\n";
const WITH_COMPANIONS: &str = "#define PY_SSIZE_T_CLEAN\n#include <Python.h>\n#include <frameobject.h>\n#include <structmember.h>\n";

#[test]
fn python_h_compiles_as_c11() {
    compiles("python_h", PYTHON_H, false);
}

#[test]
fn python_h_compiles_as_cxx17() {
    compiles("python_h", PYTHON_H, true);
}

#[test]
fn python_h_with_ssize_t_clean_compiles_as_c11() {
    compiles("python_h_clean", PYTHON_H_CLEAN, false);
}

#[test]
fn python_h_with_ssize_t_clean_compiles_as_cxx17() {
    compiles("python_h_clean", PYTHON_H_CLEAN, true);
}

#[test]
fn frameobject_h_and_structmember_h_compile_as_c11() {
    compiles("companions", WITH_COMPANIONS, false);
}

#[test]
fn frameobject_h_and_structmember_h_compile_as_cxx17() {
    compiles("companions", WITH_COMPANIONS, true);
}

#[test]
fn pycoro_h_compiles_on_its_own() {
    compiles("pycoro_h", "#include <pycoro.h>\n", false);
    compiles("pycoro_h", "#include <pycoro.h>\n", true);
}
