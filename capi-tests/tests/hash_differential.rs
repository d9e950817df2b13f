//! Differential test of hashing and dict behaviour against CPython 3.10 itself.
//!
//! `cpython310/hash_transcript.c` is built twice: against pycoro (`include/`, linked with
//! libpycoro) and against CPython 3.10 (its own headers, linked with libpython3.10, embedding
//! the interpreter). Both are run under the same `PYTHONHASHSEED` (0, which disables
//! randomisation, and fixed seeds) and their transcripts — the 24 bytes of `_Py_HashSecret`,
//! `hash()` of str (ASCII, latin-1, BMP, astral), int (small, negative, huge, -1), tuples,
//! bool and None, and a dict's `PyDict_Next` positions, order and repr after inserts, deletes,
//! re-inserts, resizes, copies and updates — must be identical line by line.
//!
//! The CPython install is found as in `cpython_headers.rs` (`$PYCORO_CPYTHON310_PREFIX`, pyenv's
//! 3.10.13 / 3.10), and needs `lib/libpython3.10.so` too. Without one, the comparison prints a
//! loud `SKIPPED` to stderr and passes, unless `PYCORO_REQUIRE_CPYTHON310` is set (to anything
//! but `0` or empty): then it fails.
//!
//! Without `PYTHONHASHSEED` (or with `random`) pycoro's secret comes from the OS: two processes
//! hash strings differently. That check needs only pycoro and always runs.
//!
//! Also here: `c/test_dict.c` and `c/test_list.c`, which use only CPython's API, must pass
//! against libpython3.10 too (their expectations are CPython's).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use capi_tests::{
    C_WARNINGS, CPYTHON310_PREFIX_VAR, CPYTHON310_REQUIRE_VAR, c_dir, check_summary, compiler,
    cpython310_prefix, has_headers_and_lib, include_dir, libpycoro_so, repo_root, run_with_timeout,
    scratch_dir, unique_path,
};

const SEEDS: &[&str] = &["0", "1", "42", "4294967295"];

fn source() -> PathBuf {
    repo_root().join("capi-tests/cpython310/hash_transcript.c")
}

/// Compiles the transcript program with `-I include`, linked with `-l lib` from `lib_dir`.
fn compile(name: &str, include: &Path, lib_dir: &Path, lib: &str) -> PathBuf {
    compile_source(&source(), name, include, lib_dir, lib)
}

/// Compiles `src` (with `c/` on the include path, for harness.h) into `name`.
fn compile_source(src: &Path, name: &str, include: &Path, lib_dir: &Path, lib: &str) -> PathBuf {
    let dir = scratch_dir("hash-differential");
    let exe = dir.join(name);
    let tmp = unique_path(&dir, name, ".tmp");
    let mut cmd = compiler(false);
    cmd.args(C_WARNINGS)
        .arg(format!("-I{}", include.display()))
        .arg(format!("-I{}", c_dir().display()))
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
    std::fs::rename(&tmp, &exe)
        .unwrap_or_else(|e| panic!("rename {} -> {}: {e}", tmp.display(), exe.display()));
    exe
}

/// The program built against pycoro (once per test process).
fn pycoro_exe() -> &'static Path {
    static EXE: OnceLock<PathBuf> = OnceLock::new();
    EXE.get_or_init(|| {
        let so = libpycoro_so();
        compile(
            "hash_transcript_pycoro",
            &include_dir(),
            so.parent().expect("libpycoro.so has a directory"),
            "pycoro",
        )
    })
}

/// The program built against CPython 3.10, or None after saying loudly why it is skipped.
fn cpython_exe() -> Option<&'static Path> {
    static EXE: OnceLock<PathBuf> = OnceLock::new();
    let prefix = cpython_prefix()?;
    Some(EXE.get_or_init(|| {
        compile(
            "hash_transcript_cpython",
            &prefix.join("include/python3.10"),
            &prefix.join("lib"),
            "python3.10",
        )
    }))
}

/// The prefix of a CPython 3.10 with headers and library, or None after saying loudly why the
/// comparison is skipped.
fn cpython_prefix() -> Option<&'static Path> {
    static PREFIX: OnceLock<Result<PathBuf, Vec<String>>> = OnceLock::new();
    match PREFIX.get_or_init(|| cpython310_prefix(has_headers_and_lib)) {
        Ok(prefix) => Some(prefix),
        Err(looked) => {
            let required =
                std::env::var(CPYTHON310_REQUIRE_VAR).is_ok_and(|v| !v.is_empty() && v != "0");
            let message = format!(
                "\n\n*** SKIPPED: CPython 3.10 (headers and libpython3.10.so) not found: \
                 hash_differential did NOT compare pycoro's hashes and dicts with CPython's. ***\n\
                 Looked at:\n  {}\n\
                 Install it (`pyenv install 3.10.13`) or set {CPYTHON310_PREFIX_VAR}=<prefix of \
                 a CPython 3.10 install>; set {CPYTHON310_REQUIRE_VAR}=1 to make this a \
                 failure.\n",
                looked.join("\n  ")
            );
            assert!(!required, "{message}");
            let _ = std::io::stderr().write_all(message.as_bytes());
            None
        }
    }
}

/// Runs a transcript program with `PYTHONHASHSEED` set to `seed` (None: unset); returns its
/// stdout and stderr, asserting that it finished cleanly.
fn transcript(exe: &Path, seed: Option<&str>) -> (String, String) {
    let mut cmd = Command::new(exe);
    for var in [
        "PYTHONHASHSEED",
        "PYTHONHOME",
        "PYTHONPATH",
        "PYTHONSTARTUP",
    ] {
        cmd.env_remove(var);
    }
    if let Some(seed) = seed {
        cmd.env("PYTHONHASHSEED", seed);
    }
    let outcome = run_with_timeout(cmd, exe.parent().unwrap(), Duration::from_secs(120));
    assert!(
        outcome.status.success() && outcome.stdout.contains("transcript end (0 failures)"),
        "{} (PYTHONHASHSEED={seed:?}) did not finish cleanly\n{}",
        exe.display(),
        outcome.transcript()
    );
    (outcome.stdout, outcome.stderr)
}

fn line_starting<'a>(text: &'a str, prefix: &str) -> &'a str {
    text.lines()
        .find(|l| l.starts_with(prefix))
        .unwrap_or_else(|| panic!("no line starting with {prefix:?} in:\n{text}"))
}

#[test]
fn transcripts_equal_cpython_under_fixed_seeds() {
    let Some(cpython) = cpython_exe() else {
        return;
    };
    let pycoro = pycoro_exe();
    for &seed in SEEDS {
        let (theirs, _) = transcript(cpython, Some(seed));
        let (ours, _) = transcript(pycoro, Some(seed));
        let (t, o): (Vec<&str>, Vec<&str>) = (theirs.lines().collect(), ours.lines().collect());
        assert!(t.len() > 60, "CPython's transcript is too short:\n{theirs}");
        let mismatches: Vec<String> = t
            .iter()
            .zip(o.iter())
            .enumerate()
            .filter(|(_, (a, b))| a != b)
            .map(|(i, (a, b))| format!("line {}:\n  CPython: {a}\n  pycoro:  {b}", i + 1))
            .collect();
        assert!(
            mismatches.is_empty() && t.len() == o.len(),
            "PYTHONHASHSEED={seed}: {} of {} lines differ (CPython {} lines, pycoro {}):\n{}",
            mismatches.len(),
            t.len(),
            t.len(),
            o.len(),
            mismatches.join("\n")
        );
        println!("PYTHONHASHSEED={seed}: {} lines identical", t.len());
    }
}

#[test]
fn seed_zero_means_an_all_zero_secret() {
    let (ours, _) = transcript(pycoro_exe(), Some("0"));
    assert_eq!(
        line_starting(&ours, "secret:"),
        format!("secret:{}", " 00".repeat(24))
    );
}

#[test]
fn without_a_seed_two_processes_hash_str_differently() {
    let exe = pycoro_exe();
    for seed in [None, Some("random")] {
        let (a, _) = transcript(exe, seed);
        let (b, _) = transcript(exe, seed);
        assert_ne!(
            line_starting(&a, "secret:"),
            line_starting(&b, "secret:"),
            "two processes got the same hash secret (PYTHONHASHSEED={seed:?})"
        );
        for label in [
            "hash str a:",
            "hash str sentence:",
            "hash str astral emoji:",
        ] {
            assert_ne!(
                line_starting(&a, label),
                line_starting(&b, label),
                "{label} is the same in two processes (PYTHONHASHSEED={seed:?})"
            );
        }
        // What does not depend on the secret stays the same.
        for label in [
            "hash str empty:",
            "hash int -1:",
            "hash tuple (1, 2):",
            "dict after churn:",
        ] {
            assert_eq!(line_starting(&a, label), line_starting(&b, label));
        }
    }
    // A fixed seed is reproducible.
    let (a, _) = transcript(exe, Some("12345"));
    let (b, _) = transcript(exe, Some("12345"));
    assert_eq!(a, b);
}

#[test]
fn an_invalid_seed_is_reported_and_random() {
    let exe = pycoro_exe();
    let (a, err) = transcript(exe, Some("12abc"));
    assert!(
        err.contains("PYTHONHASHSEED must be \"random\" or an integer in range [0; 4294967295]"),
        "no message on stderr for an invalid PYTHONHASHSEED:\n{err}"
    );
    let (b, _) = transcript(exe, Some("4294967296"));
    assert_ne!(line_starting(&a, "secret:"), line_starting(&b, "secret:"));
}

#[test]
fn dict_and_list_c_tests_pass_against_cpython() {
    let Some(prefix) = cpython_prefix() else {
        return;
    };
    for program in ["test_dict", "test_list"] {
        let exe = compile_source(
            &c_dir().join(format!("{program}.c")),
            &format!("{program}_cpython"),
            &prefix.join("include/python3.10"),
            &prefix.join("lib"),
            "python3.10",
        );
        let mut cmd = Command::new(&exe);
        for var in ["PYTHONHOME", "PYTHONPATH", "PYTHONSTARTUP"] {
            cmd.env_remove(var);
        }
        let outcome = run_with_timeout(cmd, exe.parent().unwrap(), Duration::from_secs(300));
        let verdict = if outcome.status.success() {
            check_summary(&outcome.stdout)
        } else {
            Err(outcome.status.to_string())
        };
        if let Err(why) = verdict {
            panic!(
                "{program}.c against libpython3.10 failed: {why}\n{}",
                outcome.transcript()
            );
        }
        println!(
            "{program}.c against CPython: {}",
            outcome.stdout.lines().last().unwrap_or("")
        );
    }
}
