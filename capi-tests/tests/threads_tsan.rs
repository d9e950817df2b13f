//! Builds `c/test_threads.c` with ThreadSanitizer (`-fsanitize=thread`) and runs it; any
//! `WARNING: ThreadSanitizer` report fails the test. Two pairs of tests: against the ordinary
//! libpycoro, and against one instrumented by rustc.
//!
//! The first pair: the ordinary libpycoro is built without instrumentation, so TSan sees only
//! the C side: the test program and the native bodies it runs (which pycoro
//! calls on whatever thread drives the object), the harness's own synchronization, and
//! libpycoro's calls to intercepted libc functions. It does not see pycoro's own memory
//! accesses (reference counts, the cycle collector's lists, the thread states) nor its
//! synchronization (the collector's spin lock is a Rust atomic; `std::sync::Mutex` is a
//! futex): so it cannot find a race inside pycoro, and the reports it would make about
//! `memcpy`/`memcmp`/`malloc` called from libpycoro under those invisible locks are false
//! positives. The run therefore sets `ignore_noninstrumented_modules=1` (interceptors called
//! from uninstrumented code are not checked). What remains meaningful: a C body or the
//! program touching an object's memory (frame state, slots) on two threads without a
//! happens-before between them, i.e. the program breaking the threading contract, or pycoro
//! running a body on a thread the program did not expect. `threads_tsan_sees_a_race` proves
//! that this still gets reported: the same program built with `-DTHREADS_TSAN_CANARY` hands a
//! coroutine to another thread through a relaxed atomic store, and TSan must catch the body
//! reading the frame state its creator wrote.
//!
//! Races inside pycoro are caught by the second pair of tests: `threads_under_tsan_instrumented`
//! runs the same program against a libpycoro that rustc itself built with ThreadSanitizer
//! (`-Zsanitizer=thread -Zbuild-std`, which needs the nightly toolchain and its `rust-src`
//! component, installed by `.ci/deps.sh` when the machine can fetch it), with nothing ignored:
//! pycoro's reference counting, collector lists, thread states, tables and locks are all seen.
//! `instrumented_tsan_sees_a_race_in_pycoro` proves it: built with `-DTHREADS_SHARE_MORTAL`
//! the program shares code objects without making them immortal (breaking the threading
//! contract), and TSan must report the race in pycoro's own reference counting. Without the
//! nightly toolchain both print `SKIPPED` to stderr and pass (`PYCORO_REQUIRE_TSAN_PYCORO=1`
//! makes that a failure). gcc 12's libtsan lacks `__tsan_memcpy`/`__tsan_memmove`/
//! `__tsan_memset`, which LLVM-instrumented code calls: `c/tsan_shims.c` forwards them to the
//! intercepted C functions.
//!
//! If TSan cannot start on this kernel ("unexpected memory mapping", which gcc 12's TSan
//! reports under high-entropy ASLR), the run is repeated under `setarch -R` (ASLR off).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use capi_tests::{
    C_WARNINGS, Outcome, c_dir, check_summary, compiler, include_dir, libpycoro_so, profile_dir,
    repo_root, run_with_timeout, scratch_dir, unique_path,
};

const PROGRAM: &str = "test_threads.c";

/// What TSan is told: see the module documentation for `ignore_noninstrumented_modules`.
const TSAN_OPTIONS: &str =
    "ignore_noninstrumented_modules=1 halt_on_error=0 exitcode=66 second_deadlock_stack=1";

fn compile(defines: &[&str], name: &str) -> PathBuf {
    let so = libpycoro_so();
    compile_against(
        so.parent().expect("libpycoro.so has a directory"),
        defines,
        &[],
        name,
    )
}

/// Compiles the program with TSan against the libpycoro in `lib_dir`, with `extra_sources`.
fn compile_against(
    lib_dir: &Path,
    defines: &[&str],
    extra_sources: &[PathBuf],
    name: &str,
) -> PathBuf {
    let source = c_dir().join(PROGRAM);
    let dir = scratch_dir("threads-tsan");
    let exe = dir.join(name);
    let tmp = unique_path(&dir, name, ".tmp");
    let mut cmd = compiler(false);
    cmd.args(C_WARNINGS)
        .args(["-fsanitize=thread", "-fno-omit-frame-pointer", "-pthread"])
        .args(defines)
        .arg(format!("-I{}", include_dir().display()))
        .arg(format!("-I{}", c_dir().display()))
        .arg(&source)
        .args(extra_sources)
        .arg("-o")
        .arg(&tmp)
        .arg(format!("-L{}", lib_dir.display()))
        .arg("-lpycoro")
        .arg(format!("-Wl,-rpath,{}", lib_dir.display()));
    let outcome = run_with_timeout(cmd, &dir, Duration::from_secs(120));
    assert!(
        outcome.status.success(),
        "compiling {PROGRAM} with -fsanitize=thread failed (gcc needs libtsan: \
         `apt-get install libtsan2`)\n{}",
        outcome.transcript()
    );
    fs::rename(&tmp, &exe)
        .unwrap_or_else(|e| panic!("rename {} -> {}: {e}", tmp.display(), exe.display()));
    exe
}

/// TSan could not set up its shadow memory (not a finding about the program).
fn tsan_failed_to_start(outcome: &Outcome) -> bool {
    outcome.stderr.contains("unexpected memory mapping")
        || outcome.stderr.contains("FATAL: ThreadSanitizer: failed to")
}

fn run(exe: &Path, iterations: Option<u32>) -> Outcome {
    run_with_options(exe, iterations, TSAN_OPTIONS, None)
}

/// Runs `exe` with TSan `options`; `lib_dir` forces the libpycoro it loads (cargo's
/// `LD_LIBRARY_PATH` for tests would otherwise win over the program's run path).
fn run_with_options(
    exe: &Path,
    iterations: Option<u32>,
    options: &str,
    lib_dir: Option<&Path>,
) -> Outcome {
    let command = |setarch: bool| {
        let mut cmd = if setarch {
            let mut cmd = Command::new("setarch");
            cmd.arg(std::env::consts::ARCH).arg("-R").arg(exe);
            cmd
        } else {
            Command::new(exe)
        };
        cmd.env("TSAN_OPTIONS", options);
        if let Some(dir) = lib_dir {
            cmd.env("LD_LIBRARY_PATH", dir);
        }
        if let Some(n) = iterations {
            cmd.env("PYCORO_THREADS_ITERATIONS", n.to_string());
        }
        cmd
    };
    let dir = exe.parent().expect("exe has a directory");
    let outcome = run_with_timeout(command(false), dir, Duration::from_secs(300));
    if !tsan_failed_to_start(&outcome) {
        return outcome;
    }
    eprintln!(
        "ThreadSanitizer could not start ({}); retrying with ASLR off (setarch -R)",
        outcome
            .stderr
            .lines()
            .find(|l| l.contains("ThreadSanitizer"))
            .unwrap_or("?")
    );
    let retry = run_with_timeout(command(true), dir, Duration::from_secs(300));
    assert!(
        !tsan_failed_to_start(&retry),
        "ThreadSanitizer cannot start on this machine, even with ASLR off\n{}",
        retry.transcript()
    );
    retry
}

fn tsan_reports(outcome: &Outcome) -> usize {
    outcome.stderr.matches("WARNING: ThreadSanitizer").count()
}

#[test]
fn threads_under_tsan() {
    let exe = compile(&[], "test_threads");
    let outcome = run(&exe, None);
    let reports = tsan_reports(&outcome);
    let verdict = if reports > 0 {
        Err(format!("ThreadSanitizer reported {reports} problem(s)"))
    } else if !outcome.status.success() {
        Err(outcome.status.to_string())
    } else {
        check_summary(&outcome.stdout)
    };
    if let Err(why) = verdict {
        panic!("{PROGRAM} (TSan) failed: {why}\n{}", outcome.transcript());
    }
    println!(
        "{PROGRAM} (TSan): {}",
        outcome.stdout.lines().last().unwrap_or("")
    );
}

/// The deliberate race of `-DTHREADS_TSAN_CANARY` must be reported, in the native body that
/// reads what another thread wrote: otherwise the run above proves nothing.
#[test]
fn threads_tsan_sees_a_race() {
    let exe = compile(&["-DTHREADS_TSAN_CANARY"], "test_threads_canary");
    let outcome = run(&exe, Some(100));
    assert!(
        tsan_reports(&outcome) >= 1
            && outcome.stderr.contains("data race")
            && outcome.stderr.contains("outer_body"),
        "ThreadSanitizer did not report the deliberate race of THREADS_TSAN_CANARY: the TSan \
         run of {PROGRAM} would not catch real ones either\n{}",
        outcome.transcript()
    );
    // The program itself still ran to its summary (the race is harmless in practice).
    assert!(
        outcome.stdout.contains("ok   test_tsan_canary"),
        "the canary test did not pass\n{}",
        outcome.transcript()
    );
}

/// TSan's options against an instrumented libpycoro: nothing is ignored.
const TSAN_OPTIONS_INSTRUMENTED: &str = "halt_on_error=0 exitcode=66 second_deadlock_stack=1";

/// The directory of a libpycoro built by rustc with ThreadSanitizer (nightly, `-Zbuild-std`),
/// built once per test run; `Err` says why it cannot be built here.
fn instrumented_library() -> &'static Result<PathBuf, String> {
    static LIB: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    LIB.get_or_init(|| {
        let triple = env!("CAPI_TESTS_TARGET");
        let nightly = |args: &[&str]| {
            let mut cmd = Command::new("rustup");
            cmd.arg("run").arg("nightly").args(args);
            // What the outer (stable) cargo put in the environment must not leak in.
            for var in [
                "RUSTC",
                "RUSTDOC",
                "RUSTC_WRAPPER",
                "RUSTC_WORKSPACE_WRAPPER",
                "RUSTFLAGS",
                "CARGO_ENCODED_RUSTFLAGS",
                "CARGO_BUILD_RUSTFLAGS",
                "CARGO_TARGET_DIR",
                "CARGO_BUILD_TARGET",
                "RUSTUP_TOOLCHAIN",
                "CARGO",
            ] {
                cmd.env_remove(var);
            }
            cmd
        };
        let sysroot = nightly(&["rustc", "--print", "sysroot"])
            .output()
            .map_err(|e| format!("rustup is not available ({e})"))?;
        if !sysroot.status.success() {
            return Err("no nightly toolchain (`rustup toolchain install nightly`)".into());
        }
        let sysroot = String::from_utf8_lossy(&sysroot.stdout).trim().to_owned();
        if !Path::new(&sysroot)
            .join("lib/rustlib/src/rust/library")
            .is_dir()
        {
            return Err(
                "the nightly toolchain has no rust-src (`rustup component add rust-src \
                 --toolchain nightly`)"
                    .into(),
            );
        }
        let target_dir = profile_dir().join("capi-tests").join("tsan-pycoro");
        let mut build = nightly(&[
            "cargo",
            "build",
            "-Zbuild-std",
            "--target",
            triple,
            "-p",
            "pycoro",
        ]);
        build
            .arg("--target-dir")
            .arg(&target_dir)
            .env("RUSTFLAGS", "-Zsanitizer=thread")
            .current_dir(repo_root());
        let outcome = run_with_timeout(
            build,
            &scratch_dir("threads-tsan"),
            Duration::from_secs(1800),
        );
        assert!(
            outcome.status.success(),
            "building libpycoro with -Zsanitizer=thread failed\n{}",
            outcome.transcript()
        );
        let dir = target_dir.join(triple).join("debug");
        let link = dir.join(capi_tests::SONAME);
        let _ = fs::remove_file(&link);
        std::os::unix::fs::symlink("libpycoro.so", &link)
            .unwrap_or_else(|e| panic!("symlink {}: {e}", link.display()));
        Ok(dir)
    })
}

/// The instrumented library's directory, or None (with `SKIPPED` on stderr) when it cannot be
/// built on this machine.
fn instrumented_or_skip(test: &str) -> Option<PathBuf> {
    match instrumented_library() {
        Ok(dir) => Some(dir.clone()),
        Err(why) => {
            assert!(
                std::env::var_os("PYCORO_REQUIRE_TSAN_PYCORO").is_none(),
                "{test}: {why}, and PYCORO_REQUIRE_TSAN_PYCORO is set"
            );
            eprintln!("SKIPPED {test}: {why}");
            None
        }
    }
}

/// The whole program (every thread test, the shared code objects included) against a libpycoro
/// instrumented by rustc: no race anywhere, in C or in pycoro.
#[test]
fn threads_under_tsan_instrumented() {
    let Some(lib) = instrumented_or_skip("threads_under_tsan_instrumented") else {
        return;
    };
    let exe = compile_against(
        &lib,
        &["-rdynamic"],
        &[c_dir().join("tsan_shims.c")],
        "test_threads_instrumented",
    );
    let outcome = run_with_options(&exe, None, TSAN_OPTIONS_INSTRUMENTED, Some(&lib));
    let reports = tsan_reports(&outcome);
    let verdict = if reports > 0 {
        Err(format!("ThreadSanitizer reported {reports} problem(s)"))
    } else if !outcome.status.success() {
        Err(outcome.status.to_string())
    } else {
        check_summary(&outcome.stdout)
    };
    if let Err(why) = verdict {
        panic!(
            "{PROGRAM} (TSan, libpycoro instrumented) failed: {why}\n{}",
            outcome.transcript()
        );
    }
    println!(
        "{PROGRAM} (TSan, libpycoro instrumented): {}",
        outcome.stdout.lines().last().unwrap_or("")
    );
}

/// Code objects shared without `PyNative_SetImmortal` (`-DTHREADS_SHARE_MORTAL`): TSan must
/// report the race in pycoro's own reference counting, or the run above proves nothing about
/// pycoro.
#[test]
fn instrumented_tsan_sees_a_race_in_pycoro() {
    let Some(lib) = instrumented_or_skip("instrumented_tsan_sees_a_race_in_pycoro") else {
        return;
    };
    let exe = compile_against(
        &lib,
        &["-rdynamic", "-DTHREADS_SHARE_MORTAL"],
        &[c_dir().join("tsan_shims.c")],
        "test_threads_share_mortal",
    );
    let outcome = run_with_options(&exe, Some(100), TSAN_OPTIONS_INSTRUMENTED, Some(&lib));
    assert!(
        tsan_reports(&outcome) >= 1
            && outcome.stderr.contains("data race")
            && outcome.stderr.contains("pycoro4capi3ffi6incref"),
        "ThreadSanitizer did not report the race of code objects shared while mortal: the \
         instrumented run would not catch races inside pycoro either\n{}",
        outcome.transcript()
    );
}
