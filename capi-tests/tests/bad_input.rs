//! Every function `libpycoro.so` exports has a bad-input case in `c/test_bad_input.c`.
//!
//! `c/test_bad_input.c` calls each exported function with NULL pointers, wrong-type objects,
//! out-of-range indexes and negative sizes, and prints `covered: NAME` once for each function
//! it called that way, then `bad-input calls: N`. Whether those calls behave is checked by
//! `tests/c_programs.rs`, which runs the same program plain, under valgrind and with ASan
//! (`plain_test_bad_input` and friends). This test checks only the coverage: it lists the
//! functions the library exports (`nm -D --defined-only`, kinds T/W/i), runs the program, and
//! fails naming every exported function that has no `covered:` line — so a new export without
//! a bad-input case fails here.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use capi_tests::{
    C_WARNINGS, c_dir, compiler, include_dir, libpycoro_so, run_with_timeout, scratch_dir,
    unique_path,
};

/// The C program that makes the bad-input calls.
const PROGRAM: &str = "test_bad_input.c";

/// Symbols a shared library may export that belong to the toolchain, not to pycoro's API.
const TOOLCHAIN_SYMBOLS: &[&str] = &["_init", "_fini", "rust_eh_personality"];

/// The functions `so` exports: `nm -D --defined-only` lines of kind T (text), W (weak) or
/// i (GNU indirect function). Data symbols (D, B, R, V) are not functions.
fn exported_functions(so: &Path) -> BTreeSet<String> {
    let output = Command::new("nm")
        .args(["-D", "--defined-only"])
        .arg(so)
        .output()
        .expect("run nm (binutils)");
    assert!(
        output.status.success(),
        "nm -D --defined-only {} failed: {output:?}",
        so.display()
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| {
            let mut parts = line.split_whitespace();
            let (_address, kind, name) = (parts.next()?, parts.next()?, parts.next()?);
            let name = name.split('@').next()?;
            (matches!(kind, "T" | "W" | "i") && !TOOLCHAIN_SYMBOLS.contains(&name))
                .then(|| name.to_owned())
        })
        .collect()
}

/// Compiles `c/test_bad_input.c` linked against libpycoro; returns the executable.
fn compile(so: &Path) -> PathBuf {
    let lib_dir = so.parent().expect("libpycoro.so has a directory");
    let dir = scratch_dir("bad-input");
    let exe = dir.join("test_bad_input");
    let tmp_exe = unique_path(&dir, "test_bad_input", ".tmp");
    let mut cmd = compiler(false);
    cmd.args(C_WARNINGS)
        .arg(format!("-I{}", include_dir().display()))
        .arg(format!("-I{}", c_dir().display()))
        .arg(c_dir().join(PROGRAM))
        .arg("-o")
        .arg(&tmp_exe)
        .arg(format!("-L{}", lib_dir.display()))
        .arg("-lpycoro")
        .arg(format!("-Wl,-rpath,{}", lib_dir.display()));
    let outcome = run_with_timeout(cmd, &dir, Duration::from_secs(120));
    assert!(
        outcome.status.success(),
        "compiling {PROGRAM} failed\n{}",
        outcome.transcript()
    );
    std::fs::rename(&tmp_exe, &exe)
        .unwrap_or_else(|e| panic!("rename {} -> {}: {e}", tmp_exe.display(), exe.display()));
    exe
}

/// What the program reported: the `covered:` names (in order, duplicates kept) and the
/// `bad-input calls:` count, if it got that far.
struct Report {
    covered: Vec<String>,
    calls: Option<u64>,
}

fn parse_report(stdout: &str) -> Report {
    let mut covered = Vec::new();
    let mut calls = None;
    for line in stdout.lines() {
        if let Some(name) = line.strip_prefix("covered: ") {
            covered.push(name.trim().to_owned());
        } else if let Some(n) = line.strip_prefix("bad-input calls: ") {
            calls = n.trim().parse().ok();
        }
    }
    Report { covered, calls }
}

#[test]
fn every_exported_function_has_a_bad_input_case() {
    let so = libpycoro_so();
    let exported = exported_functions(&so);
    assert!(
        exported.len() > 100,
        "nm found only {} exported functions in {}: is this libpycoro.so?",
        exported.len(),
        so.display()
    );

    let exe = compile(&so);
    let outcome = run_with_timeout(
        Command::new(&exe),
        exe.parent().expect("executable has a directory"),
        Duration::from_secs(180),
    );
    let report = parse_report(&outcome.stdout);
    // The coverage lines come at the end: a program that crashed or hung never printed them.
    let Some(calls) = report.calls else {
        panic!(
            "{PROGRAM} did not get to its `bad-input calls:` line (crashed or killed?)\n{}",
            outcome.transcript()
        );
    };
    assert!(calls > 0, "{PROGRAM} made no bad-input call");

    let mut seen = BTreeSet::new();
    let duplicates: Vec<&String> = report
        .covered
        .iter()
        .filter(|name| !seen.insert(name.as_str()))
        .collect();
    assert!(
        duplicates.is_empty(),
        "{PROGRAM} printed `covered:` more than once for: {duplicates:?}"
    );

    let missing: Vec<&String> = exported
        .iter()
        .filter(|name| !seen.contains(name.as_str()))
        .collect();
    let unknown: Vec<&str> = seen
        .iter()
        .copied()
        .filter(|name| !exported.contains(*name))
        .collect();
    println!(
        "{PROGRAM}: {} exported functions, {} covered, {calls} bad-input calls ({})",
        exported.len(),
        exported.len() - missing.len(),
        outcome.stdout.lines().last().unwrap_or("")
    );
    assert!(
        unknown.is_empty(),
        "{PROGRAM} reports covering functions libpycoro.so does not export: {unknown:?}"
    );
    assert!(
        missing.is_empty(),
        "{} of {} exported functions have no bad-input case in capi-tests/c/{PROGRAM} \
         (add cases calling them through BAD(...)):\n  {}",
        missing.len(),
        exported.len(),
        missing
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n  ")
    );
}

#[test]
fn report_lines_are_parsed() {
    let r = parse_report(
        "ok   a\nbad-input calls: 12\ncovered: PyTuple_New\ncovered: Py_BuildValue\n1 passed, 0 failed\n",
    );
    assert_eq!(r.calls, Some(12));
    assert_eq!(r.covered, ["PyTuple_New", "Py_BuildValue"]);
    let r = parse_report("covered: PyTuple_New\n");
    assert_eq!(r.calls, None);
}
