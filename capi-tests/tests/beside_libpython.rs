//! libpycoro `dlopen`ed with `RTLD_LOCAL` into a process that already has libpython: a
//! python3 with a shared libpython loads it through `ctypes.CDLL` (as a plugin would) and runs
//! `py/beside_libpython.py`, which checks that pycoro keeps to its own objects and functions:
//!
//! - `symbols`: every reference inside libpycoro to a data symbol it defines (GOT entries,
//!   pointers in its static data such as a type's `ob_type` or `tp_base`) holds pycoro's own
//!   address, not libpython's definition of the same name; no PLT slot for its own functions;
//! - `objects`: what pycoro's functions return has pycoro's types (`PyTuple_New`,
//!   `PyLong_FromLong`, `PyUnicode_FromString`, `Py_BuildValue`, `PyBool_FromLong`, ...), its
//!   `None` is pycoro's `_Py_NoneStruct`, reprs work, objects are released through pycoro;
//! - `errors`: pycoro's error indicator and thread states are its own (and per thread),
//!   separate from libpython's; the exceptions it raises are its own classes;
//! - `coroutine`: a native coroutine whose bodies are in a small C library
//!   (`py/beside_helper.c`, compiled here, calling pycoro only through `dlsym`) is created
//!   and driven from Python through pycoro's API: send, an `await` of a second coroutine,
//!   `throw` caught by the body, an exception with its traceback, `close`.
//!
//! Each phase runs in its own process (a crash in one does not hide the others), with every
//! python3 found whose libpython is shared (`Py_ENABLE_SHARED`): `$PYCORO_PYTHON`, pyenv's
//! 3.10.13 (the ABI pycoro mimics, so the names and layouts are the same), `python3` on PATH.
//! With none, each test prints a loud `*** SKIPPED ... ***` to stderr and passes, unless
//! `PYCORO_REQUIRE_LIBPYTHON` is set (to anything but `0` or empty): then it fails.

use std::collections::BTreeSet;
use std::env;
use std::io::Write;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use capi_tests::{
    C_WARNINGS, check_summary, compiler, include_dir, libpycoro_so, repo_root, run_with_timeout,
    scratch_dir, unique_path,
};

const REQUIRE_VAR: &str = "PYCORO_REQUIRE_LIBPYTHON";
const PYTHON_VAR: &str = "PYCORO_PYTHON";

fn py_dir() -> PathBuf {
    repo_root().join("capi-tests").join("py")
}

/// A python3 to run the script with.
struct Python {
    program: PathBuf,
    description: String,
}

/// `pyenv prefix <version>`'s first directory, if pyenv runs.
fn pyenv_prefix(version: &str) -> Option<PathBuf> {
    let mut programs = vec![PathBuf::from("pyenv")];
    for root in [
        env::var_os("PYENV_ROOT").map(PathBuf::from),
        env::var_os("HOME").map(|h| PathBuf::from(h).join(".pyenv")),
    ]
    .into_iter()
    .flatten()
    {
        programs.push(root.join("bin/pyenv"));
    }
    programs.into_iter().find_map(|program| {
        let out = Command::new(program)
            .args(["prefix", version])
            .output()
            .ok()?;
        if !out.status.success() {
            return None;
        }
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        text.trim()
            .split(':')
            .find(|s| !s.is_empty())
            .map(PathBuf::from)
    })
}

/// Every distinct python3 with a shared libpython, or what was looked at (for the skip
/// message).
fn pythons() -> Result<Vec<Python>, Vec<String>> {
    let mut candidates: Vec<(String, PathBuf)> = Vec::new();
    if let Some(p) = env::var_os(PYTHON_VAR).filter(|p| !p.is_empty()) {
        candidates.push((format!("${PYTHON_VAR}"), PathBuf::from(p)));
    }
    if let Some(prefix) = pyenv_prefix("3.10.13") {
        candidates.push((
            "`pyenv prefix 3.10.13`/bin/python3".into(),
            prefix.join("bin/python3"),
        ));
    }
    candidates.push(("python3 on PATH".into(), PathBuf::from("python3")));

    let probe = "import sys, sysconfig; \
                 print(sysconfig.get_config_var('Py_ENABLE_SHARED')); \
                 print(sys.executable); print(sys.version.split()[0]); \
                 print(sysconfig.get_config_var('LDLIBRARY'))";
    let mut found = Vec::new();
    let mut seen = BTreeSet::new();
    let mut looked = Vec::new();
    for (source, program) in candidates {
        let out = match Command::new(&program).args(["-c", probe]).output() {
            Ok(out) if out.status.success() => out,
            Ok(out) => {
                looked.push(format!(
                    "{source}: {} failed: {}",
                    program.display(),
                    String::from_utf8_lossy(&out.stderr).trim()
                ));
                continue;
            }
            Err(e) => {
                looked.push(format!("{source}: {}: {e}", program.display()));
                continue;
            }
        };
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let lines: Vec<&str> = text.lines().collect();
        let [shared, executable, version, ldlibrary, ..] = lines[..] else {
            looked.push(format!("{source}: unexpected probe output {text:?}"));
            continue;
        };
        if shared.trim() != "1" {
            looked.push(format!(
                "{source}: {executable} (Python {version}) has no shared libpython \
                 (Py_ENABLE_SHARED={shared})"
            ));
            continue;
        }
        let real = std::fs::canonicalize(executable).unwrap_or_else(|_| executable.into());
        if seen.insert(real) {
            found.push(Python {
                program: PathBuf::from(executable),
                description: format!("Python {version} ({executable}, {ldlibrary}, {source})"),
            });
        }
    }
    if found.is_empty() {
        Err(looked)
    } else {
        Ok(found)
    }
}

fn required() -> bool {
    env::var_os(REQUIRE_VAR).is_some_and(|v| !v.is_empty() && v != "0")
}

/// The pythons to use, or None after printing why the test is skipped (panics instead when
/// `PYCORO_REQUIRE_LIBPYTHON` is set).
fn pythons_or_skip(test: &str) -> Option<Vec<Python>> {
    match pythons() {
        Ok(found) => Some(found),
        Err(looked) => {
            let message = format!(
                "\n*** SKIPPED: {test}: no python3 with a shared libpython found; looked at:\n    {}\n\
                 *** Install one (e.g. pyenv with PYTHON_CONFIGURE_OPTS=--enable-shared) or set \
                 ${PYTHON_VAR}; ${REQUIRE_VAR}=1 makes this a failure. ***\n",
                looked.join("\n    ")
            );
            assert!(!required(), "{message}");
            // Straight to the process's stderr: libtest captures eprintln! (shown only on
            // failure), and a skip must be seen.
            let _ = std::io::stderr().write_all(message.as_bytes());
            None
        }
    }
}

/// Compiles `py/beside_helper.c` into a shared library; returns its path.
fn build_helper() -> PathBuf {
    let dir = scratch_dir("beside-libpython");
    let so = dir.join("beside_helper.so");
    let tmp = unique_path(&dir, "beside_helper", ".so.tmp");
    let mut cmd = compiler(false);
    cmd.args(C_WARNINGS)
        .args(["-shared", "-fPIC"])
        .arg(format!("-I{}", include_dir().display()))
        .arg(py_dir().join("beside_helper.c"))
        .arg("-o")
        .arg(&tmp)
        .arg("-ldl");
    let outcome = run_with_timeout(cmd, &dir, Duration::from_secs(120));
    assert!(
        outcome.status.success(),
        "compiling beside_helper.c failed\n{}",
        outcome.transcript()
    );
    std::fs::rename(&tmp, &so)
        .unwrap_or_else(|e| panic!("rename {} -> {}: {e}", tmp.display(), so.display()));
    // The helper must reach pycoro only through dlsym: an undefined Py* symbol of its own
    // would bind to libpython's definition (the global scope is searched first).
    let nm = Command::new("nm")
        .args(["-D", "--undefined-only"])
        .arg(&so)
        .output()
        .expect("run nm (binutils)");
    let undefined = String::from_utf8_lossy(&nm.stdout).into_owned();
    let py_refs: Vec<&str> = undefined
        .lines()
        .filter_map(|l| l.split_whitespace().last())
        .filter(|name| name.starts_with("Py") || name.starts_with("_Py"))
        .collect();
    assert!(
        py_refs.is_empty(),
        "beside_helper.so references pycoro/CPython symbols directly: {py_refs:?}"
    );
    so
}

fn run_phase(phase: &str) {
    let Some(pythons) = pythons_or_skip(&format!("beside_libpython {phase}")) else {
        return;
    };
    let so = libpycoro_so();
    let helper = (phase == "coroutine").then(build_helper);
    let dir = scratch_dir("beside-libpython");
    let mut failures = Vec::new();
    for python in &pythons {
        let mut cmd = Command::new(&python.program);
        // -I: no user site, no PYTHON* variables changing what loads.
        cmd.arg("-I")
            .arg(py_dir().join("beside_libpython.py"))
            .arg(phase)
            .arg(&so);
        if let Some(helper) = &helper {
            cmd.arg(helper);
        }
        let outcome = run_with_timeout(cmd, &dir, Duration::from_secs(120));
        let verdict = if outcome.status.success() {
            check_summary(&outcome.stdout)
        } else {
            Err(format!("exit {}", outcome.status))
        };
        match verdict {
            Ok(()) => println!(
                "{phase} with {}: {}",
                python.description,
                outcome.stdout.lines().last().unwrap_or("")
            ),
            Err(why) => failures.push(format!(
                "=== {phase} with {}: {why}\n{}",
                python.description,
                outcome.transcript()
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "libpycoro beside libpython ({phase}) failed:\n{}",
        failures.join("\n")
    );
}

#[test]
fn beside_libpython_symbols() {
    run_phase("symbols");
}

#[test]
fn beside_libpython_objects() {
    run_phase("objects");
}

#[test]
fn beside_libpython_errors() {
    run_phase("errors");
}

#[test]
fn beside_libpython_coroutine() {
    run_phase("coroutine");
}
