//! Builds `c/test_threads.c` with ThreadSanitizer (`-fsanitize=thread`) and runs it; any
//! `WARNING: ThreadSanitizer` report fails the test.
//!
//! What TSan covers here, and what not: libpycoro is a Rust library built without
//! instrumentation (`-Zsanitizer=thread` needs a nightly compiler, which CI does not use), so
//! TSan sees only the C side: the test program and the native bodies it runs (which pycoro
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
//! Races inside pycoro are left to the plain, valgrind and ASan runs of the same program
//! (`c_programs.rs`), whose checks fail on wrong results, and to review.
//!
//! If TSan cannot start on this kernel ("unexpected memory mapping", which gcc 12's TSan
//! reports under high-entropy ASLR), the run is repeated under `setarch -R` (ASLR off).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use capi_tests::{
    C_WARNINGS, Outcome, c_dir, check_summary, compiler, include_dir, libpycoro_so,
    run_with_timeout, scratch_dir, unique_path,
};

const PROGRAM: &str = "test_threads.c";

/// What TSan is told: see the module documentation for `ignore_noninstrumented_modules`.
const TSAN_OPTIONS: &str =
    "ignore_noninstrumented_modules=1 halt_on_error=0 exitcode=66 second_deadlock_stack=1";

fn compile(defines: &[&str], name: &str) -> PathBuf {
    let source = c_dir().join(PROGRAM);
    let so = libpycoro_so();
    let lib_dir = so.parent().expect("libpycoro.so has a directory");
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
    let command = |setarch: bool| {
        let mut cmd = if setarch {
            let mut cmd = Command::new("setarch");
            cmd.arg(std::env::consts::ARCH).arg("-R").arg(exe);
            cmd
        } else {
            Command::new(exe)
        };
        cmd.env("TSAN_OPTIONS", TSAN_OPTIONS);
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
