//! Compiles `cpython310/drive.c` against CPython 3.10's OWN headers (not pycoro's `include/`),
//! links it against libpycoro (never libpython) and runs it plain, under valgrind and built with
//! ASan/UBSan (LeakSanitizer on), as `c_programs.rs` does for the programs in `c/`.
//!
//! That is the binary claim in one program: C written for CPython 3.10, with its macros, inline
//! functions and struct fields (`PyCoroObject`, `PyFrameObject`), runs unchanged on pycoro.
//!
//! The headers come from the first of these that has `include/python3.10/Python.h`:
//! `$PYCORO_CPYTHON310_PREFIX`, `pyenv prefix 3.10.13`, `pyenv prefix 3.10`, the newest
//! `$PYENV_ROOT/versions/3.10.*` or `~/.pyenv/versions/3.10.*`. With none, each test writes a
//! loud `SKIPPED` message to stderr (uncaptured: it shows without `--nocapture`) and passes,
//! unless `PYCORO_REQUIRE_CPYTHON310` is set (to anything but `0` or empty): then it fails.
//!
//! The flags are those of the other C programs (`-std=c11 -Wall -Wextra -Werror -pedantic`):
//! CPython 3.10.13's headers compile cleanly with them under gcc. (Only the headers are used:
//! `pyconfig.h` and friends, no library, so any 3.10.x install works.)

use std::env;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use capi_tests::{
    C_WARNINGS, CPYTHON310_HEADER, CPYTHON310_PREFIX_VAR as PREFIX_VAR, Outcome, SANITIZER_FLAGS,
    VALGRIND_ARGS, check_summary, compiler, cpython310_prefix, libpycoro_so, repo_root,
    run_with_timeout, scratch_dir, unique_path, valgrind_available,
};

const PROGRAM: &str = "drive.c";
const REQUIRE_VAR: &str = "PYCORO_REQUIRE_CPYTHON310";

#[derive(Clone, Copy, Debug)]
enum Mode {
    Plain,
    Valgrind,
    Sanitizers,
}

impl Mode {
    fn dir_name(self) -> &'static str {
        match self {
            Mode::Plain => "plain",
            Mode::Valgrind => "valgrind",
            Mode::Sanitizers => "sanitizers",
        }
    }

    fn timeout(self) -> Duration {
        match self {
            Mode::Valgrind => Duration::from_secs(600),
            Mode::Plain | Mode::Sanitizers => Duration::from_secs(180),
        }
    }
}

/// `<prefix>/include/python3.10` of the first CPython 3.10 install found, or every place
/// looked at, in order (for the skip message).
fn cpython310_include() -> Result<PathBuf, Vec<String>> {
    cpython310_prefix(&[CPYTHON310_HEADER]).map(|prefix| prefix.join("include/python3.10"))
}

/// The headers' directory, or None after telling loudly why the test is skipped.
fn headers_or_skip(mode: Mode) -> Option<PathBuf> {
    match cpython310_include() {
        Ok(include) => Some(include),
        Err(looked) => {
            let required = env::var(REQUIRE_VAR).is_ok_and(|v| !v.is_empty() && v != "0");
            let message = format!(
                "\n\n*** SKIPPED: CPython 3.10 headers not found: cpython_headers ({mode:?}) did \
                 NOT run drive.c against CPython's own headers. ***\n\
                 Looked at:\n  {}\n\
                 Install them (`pyenv install 3.10.13`) or set {PREFIX_VAR}=<prefix of a CPython \
                 3.10 install>; set {REQUIRE_VAR}=1 to make this a failure.\n",
                looked.join("\n  ")
            );
            assert!(!required, "{message}");
            // Straight to the process's stderr: libtest captures eprintln! (shown only on
            // failure), and a skip must be seen.
            let _ = std::io::stderr().write_all(message.as_bytes());
            None
        }
    }
}

fn source_path() -> PathBuf {
    repo_root()
        .join("capi-tests")
        .join("cpython310")
        .join(PROGRAM)
}

/// Compiles drive.c for `mode` against the headers in `include`; returns the executable.
fn compile(include: &Path, mode: Mode) -> PathBuf {
    let source = source_path();
    let so = libpycoro_so();
    let lib_dir = so.parent().expect("libpycoro.so has a directory");
    let dir = scratch_dir(&format!("cpython310/{}", mode.dir_name()));
    let exe = dir.join("drive");
    // Built under a private name and renamed into place, so parallel runs never see half a file.
    let tmp_exe = unique_path(&dir, "drive", ".tmp");

    let mut cmd = compiler(false);
    // Only CPython's include directory: pycoro's include/ must not be on the path.
    cmd.args(C_WARNINGS).arg(format!("-I{}", include.display()));
    if let Mode::Sanitizers = mode {
        cmd.args(SANITIZER_FLAGS);
    }
    cmd.arg(&source)
        .arg("-o")
        .arg(&tmp_exe)
        .arg(format!("-L{}", lib_dir.display()))
        .arg("-lpycoro")
        .arg(format!("-Wl,-rpath,{}", lib_dir.display()));

    let outcome = run_with_timeout(cmd, &dir, Duration::from_secs(120));
    assert!(
        outcome.status.success(),
        "compiling {} against CPython's headers in {} ({mode:?}) failed (an undefined \
         reference means pycoro lacks a symbol CPython's headers use)\n{}",
        source.display(),
        include.display(),
        outcome.transcript()
    );
    std::fs::rename(&tmp_exe, &exe)
        .unwrap_or_else(|e| panic!("rename {} -> {}: {e}", tmp_exe.display(), exe.display()));
    exe
}

/// The executable must depend on libpycoro and on no libpython.
fn check_links_only_pycoro(exe: &Path) {
    let Ok(out) = Command::new("readelf").arg("-d").arg(exe).output() else {
        eprintln!("readelf is not available: the NEEDED check of {exe:?} was skipped");
        return;
    };
    let dynamic = String::from_utf8_lossy(&out.stdout);
    let needed: Vec<&str> = dynamic.lines().filter(|l| l.contains("(NEEDED)")).collect();
    assert!(
        needed.iter().any(|l| l.contains("[libpycoro.so.0]")),
        "{} does not depend on libpycoro.so.0:\n{dynamic}",
        exe.display()
    );
    assert!(
        !needed.iter().any(|l| l.contains("libpython")),
        "{} depends on libpython:\n{dynamic}",
        exe.display()
    );
}

fn run(mode: Mode) {
    let Some(include) = headers_or_skip(mode) else {
        return;
    };
    if let Mode::Valgrind = mode {
        assert!(
            valgrind_available(),
            "\n\n*** valgrind is not installed: the valgrind run cannot pass. \
             `apt-get install valgrind` (make test installs it). ***\n"
        );
    }
    let exe = compile(&include, mode);
    check_links_only_pycoro(&exe);

    let cmd = match mode {
        Mode::Plain => Command::new(&exe),
        Mode::Valgrind => {
            let mut cmd = Command::new("valgrind");
            cmd.args(VALGRIND_ARGS).arg(&exe);
            cmd
        }
        Mode::Sanitizers => {
            let mut cmd = Command::new(&exe);
            cmd.env("ASAN_OPTIONS", "detect_leaks=1")
                .env("UBSAN_OPTIONS", "print_stacktrace=1");
            cmd
        }
    };
    let outcome: Outcome = run_with_timeout(cmd, exe.parent().unwrap(), mode.timeout());
    let verdict = if outcome.status.success() {
        check_summary(&outcome.stdout)
    } else {
        Err(outcome.status.to_string())
    };
    if let Err(why) = verdict {
        panic!(
            "{PROGRAM} against {} ({mode:?}) failed: {why}\n{}",
            include.display(),
            outcome.transcript()
        );
    }
    println!(
        "{PROGRAM} ({mode:?}, {}): {}",
        include.display(),
        outcome.stdout.lines().last().unwrap_or("")
    );
}

#[test]
fn plain_drive() {
    run(Mode::Plain);
}

#[test]
fn valgrind_drive() {
    run(Mode::Valgrind);
}

#[test]
fn sanitizers_drive() {
    run(Mode::Sanitizers);
}

#[test]
fn summary_check_is_strict() {
    assert!(check_summary("ok a\n3 passed, 0 failed\n").is_ok());
    assert!(check_summary("3 passed, 1 failed\n").is_err());
    assert!(check_summary("0 passed, 0 failed\n").is_err());
    assert!(check_summary("3 passed, 0 failed\ntrailing\n").is_err());
    assert!(check_summary("").is_err());
}
