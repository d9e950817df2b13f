//! Programs that use only CPython 3.10's C API, run on CPython and on pycoro, transcripts
//! compared line by line.
//!
//! Every `cpython310/api_*.c` is built twice with the same flags (`-std=c11 -Wall -Wextra
//! -Werror`; not `-pedantic`, which refuses the function-to-`void *` casts `PyType_Slot` tables
//! need): against CPython 3.10's own headers, linked with libpython3.10 (it embeds the
//! interpreter), and against pycoro's `include/`, linked with libpycoro. Both run with
//! `PYTHONHASHSEED=0`; their stdout, with addresses (`0x...`) blanked, must be identical, and
//! must end with `transcript end`. The pycoro build also runs under valgrind (when installed):
//! no error and no definite or indirect leak.
//!
//! `cpython310/api_known_differences.txt` lists, per program, CPython lines that pycoro does
//! not reproduce yet (each with its reason); those lines may differ, an entry that matches no
//! differing line fails the test. Without CPython 3.10 (headers and shared library) the test
//! says so loudly on stderr and passes, unless `PYCORO_REQUIRE_CPYTHON310` is set.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use capi_tests::{
    CPYTHON310_REQUIRE_VAR, VALGRIND_ARGS, compiler, cpython310_prefix, has_headers_and_lib,
    include_dir, libpycoro_so, repo_root, run_with_timeout, scratch_dir, skip_or_fail, unique_path,
    valgrind_available,
};

const FLAGS: &[&str] = &["-std=c11", "-Wall", "-Wextra", "-Werror", "-g"];

fn build(src: &Path, name: &str, include: &Path, lib_dir: &Path, lib: &str) -> PathBuf {
    let dir = scratch_dir("api-differential");
    let exe = dir.join(name);
    let tmp = unique_path(&dir, name, ".tmp");
    let mut cmd = compiler(false);
    cmd.args(FLAGS)
        .arg(format!("-I{}", include.display()))
        .arg(src)
        .arg("-o")
        .arg(&tmp)
        .arg(format!("-L{}", lib_dir.display()))
        .arg(format!("-l{lib}"))
        .arg(format!("-Wl,-rpath,{}", lib_dir.display()));
    let outcome = run_with_timeout(cmd, &dir, Duration::from_secs(120));
    assert!(
        outcome.status.success(),
        "compiling {} as {name} failed\n{}",
        src.display(),
        outcome.transcript()
    );
    std::fs::rename(&tmp, &exe).expect("rename the program into place");
    exe
}

/// The program's stdout with addresses blanked.
fn run(exe: &Path) -> String {
    let mut cmd = Command::new(exe);
    for var in ["PYTHONHOME", "PYTHONPATH", "PYTHONSTARTUP"] {
        cmd.env_remove(var);
    }
    cmd.env("PYTHONHASHSEED", "0");
    let outcome = run_with_timeout(cmd, exe.parent().unwrap(), Duration::from_secs(120));
    assert!(
        outcome.status.success() && outcome.stdout.trim_end().ends_with("transcript end"),
        "{} did not finish cleanly\n{}",
        exe.display(),
        outcome.transcript()
    );
    blank_addresses(&outcome.stdout)
}

fn blank_addresses(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("0x") {
        out.push_str(&rest[..i + 2]);
        let tail = &rest[i + 2..];
        let n = tail.bytes().take_while(u8::is_ascii_hexdigit).count();
        if n > 0 {
            out.push_str("...");
        }
        rest = &tail[n..];
    }
    out.push_str(rest);
    out
}

/// `(program, CPython line)` pairs that may differ, with the file line they come from.
fn known_differences() -> Vec<(String, String, usize)> {
    let path = repo_root().join("capi-tests/cpython310/api_known_differences.txt");
    let text = std::fs::read_to_string(&path).expect("read api_known_differences.txt");
    let mut out = Vec::new();
    let mut program = String::new();
    for (i, line) in text.lines().enumerate() {
        if let Some(p) = line.strip_prefix("## ") {
            program = p.trim().to_owned();
        } else if let Some(l) = line.strip_prefix("    ") {
            assert!(
                !program.is_empty(),
                "line {}: a difference before any `## program`",
                i + 1
            );
            out.push((program.clone(), l.to_owned(), i + 1));
        }
    }
    out
}

#[test]
fn api_programs_match_cpython310() {
    let prefix = match cpython310_prefix(has_headers_and_lib) {
        Ok(p) => p,
        Err(looked) => {
            skip_or_fail(
                "api_differential",
                &format!(
                    "CPython 3.10 (headers and libpython3.10.so) not found; looked at: {}",
                    looked.join("; ")
                ),
                CPYTHON310_REQUIRE_VAR,
            );
            return;
        }
    };
    let so = libpycoro_so();
    let mut sources: Vec<PathBuf> = std::fs::read_dir(repo_root().join("capi-tests/cpython310"))
        .expect("list cpython310/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("api_") && n.ends_with(".c"))
        })
        .collect();
    sources.sort();
    assert!(!sources.is_empty(), "no cpython310/api_*.c programs");
    let known = known_differences();
    let mut used = vec![false; known.len()];
    let mut failures = Vec::new();
    let mut compared = 0;
    for src in &sources {
        let name = src.file_name().unwrap().to_str().unwrap().to_owned();
        let stem = name.trim_end_matches(".c");
        let cp = run(&build(
            src,
            &format!("{stem}_cpython"),
            &prefix.join("include/python3.10"),
            &prefix.join("lib"),
            "python3.10",
        ));
        let py = run(&build(
            src,
            &format!("{stem}_pycoro"),
            &include_dir(),
            so.parent().unwrap(),
            "pycoro",
        ));
        let py_exe = scratch_dir("api-differential").join(format!("{stem}_pycoro"));
        if valgrind_available() {
            // The pycoro side also runs clean under valgrind: no error, no definite leak.
            let mut cmd = Command::new("valgrind");
            cmd.args(VALGRIND_ARGS)
                .arg(&py_exe)
                .env("PYTHONHASHSEED", "0");
            let outcome = run_with_timeout(cmd, py_exe.parent().unwrap(), Duration::from_secs(600));
            if !outcome.status.success() {
                failures.push(format!("{name} under valgrind:\n{}", outcome.transcript()));
            }
        }
        let (cl, pl): (Vec<&str>, Vec<&str>) = (cp.lines().collect(), py.lines().collect());
        if cl.len() != pl.len() {
            failures.push(format!(
                "{name}: CPython printed {} lines, pycoro {}\n--- CPython\n{cp}\n--- pycoro\n{py}",
                cl.len(),
                pl.len()
            ));
            continue;
        }
        for (i, (a, b)) in cl.iter().zip(&pl).enumerate() {
            compared += 1;
            if a == b {
                continue;
            }
            match known.iter().position(|(p, l, _)| *p == name && l == a) {
                Some(k) => used[k] = true,
                None => failures.push(format!("{name}:{}:\n  CPython: {a}\n  pycoro:  {b}", i + 1)),
            }
        }
    }
    for (k, (p, l, line)) in known.iter().enumerate() {
        if !used[k] {
            failures.push(format!(
                "api_known_differences.txt:{line}: `{p}: {l}` matches no differing line (stale: remove it)"
            ));
        }
    }
    eprintln!(
        "api_differential: {} programs, {compared} lines compared, {} known differences",
        sources.len(),
        known.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
