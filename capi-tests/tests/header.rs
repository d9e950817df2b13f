//! Header hygiene: the checked-in `include/pycoro.h` is exactly what cbindgen generates now,
//! `Python.h` (with the companion headers C extensions include) compiles on its own,
//! warning-free, as C11 and as C++17, and so does a program that uses its macros the ordinary
//! way (`c/test_user_macros.c`, which `c_programs.rs` runs as C11): here it is built as C++17
//! and run.

use std::fs;
use std::process::Command;

use capi_tests::{
    c_dir, check_summary, compiler, include_dir, libpycoro_so, run_with_timeout, scratch_dir,
    unique_path,
};
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

#[test]
fn user_macros_program_builds_and_runs_as_cxx17() {
    let so = libpycoro_so();
    let lib_dir = so.parent().expect("libpycoro.so has a directory");
    let dir = scratch_dir("header");
    let exe = unique_path(&dir, "user_macros_cxx", "");
    let mut cmd = compiler(true);
    cmd.args(CXX_FLAGS)
        .arg(format!("-I{}", include_dir().display()))
        .arg(c_dir().join("test_user_macros.c"))
        .arg("-o")
        .arg(&exe)
        .arg(format!("-L{}", lib_dir.display()))
        .arg("-lpycoro")
        .arg(format!("-Wl,-rpath,{}", lib_dir.display()));
    let built = run_with_timeout(cmd, &dir, Duration::from_secs(120));
    assert!(
        built.status.success(),
        "test_user_macros.c does not build as C++17 with -Werror:\n{}",
        built.transcript()
    );
    let ran = run_with_timeout(Command::new(&exe), &dir, Duration::from_secs(60));
    let _ = fs::remove_file(&exe);
    let verdict = if ran.status.success() {
        check_summary(&ran.stdout)
    } else {
        Err(ran.status.to_string())
    };
    if let Err(why) = verdict {
        panic!(
            "test_user_macros (C++17) failed: {why}\n{}",
            ran.transcript()
        );
    }
}
