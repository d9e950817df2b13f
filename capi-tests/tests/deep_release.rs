//! The deep-shapes stress run against the release library (issue "Never crash"):
//! `c/test_deep.c` builds every shape at 1,000,000 objects (delegation chains at 100,000
//! levels) and frees, collects, closes or throws into it, on threads with 2 MiB stacks.
//! `tests/c_programs.rs` runs the same program against the debug library (plain at the same
//! sizes, under valgrind and ASan smaller); this test builds the release library
//! (`cargo build --release -p pycoro`, a no-op when `make test` has built it already) and runs
//! the program plain against it, printing the time of each shape.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use capi_tests::{
    C_WARNINGS, SONAME, c_dir, check_summary, compiler, include_dir, repo_root, run_with_timeout,
    scratch_dir, unique_path,
};

/// The target directory cargo builds into (`CARGO_TARGET_DIR`, else `<repo>/target`).
fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => {
            let dir = PathBuf::from(dir);
            if dir.is_absolute() {
                dir
            } else {
                repo_root().join(dir)
            }
        }
        None => repo_root().join("target"),
    }
}

/// Builds the release library; returns its path.
fn release_library() -> PathBuf {
    let dir = scratch_dir("deep-release");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.args(["build", "--release", "-p", "pycoro", "--target-dir"])
        .arg(target_dir())
        .current_dir(repo_root());
    let outcome = run_with_timeout(cmd, &dir, Duration::from_secs(900));
    assert!(
        outcome.status.success(),
        "cargo build --release -p pycoro failed\n{}",
        outcome.transcript()
    );
    let so = target_dir().join("release").join("libpycoro.so");
    assert!(so.exists(), "{} is missing after the build", so.display());
    let link = so.with_file_name(SONAME);
    let tmp = unique_path(so.parent().unwrap(), SONAME, ".tmp");
    std::os::unix::fs::symlink("libpycoro.so", &tmp).expect("symlink the SONAME");
    std::fs::rename(&tmp, &link).expect("rename the SONAME link");
    so
}

#[test]
fn deep_shapes_release() {
    let so = release_library();
    let lib_dir = so.parent().unwrap().to_path_buf();
    let dir = scratch_dir("deep-release");
    let exe = dir.join("test_deep");
    let tmp_exe = unique_path(&dir, "test_deep", ".tmp");
    let mut cmd = compiler(false);
    cmd.args(C_WARNINGS)
        .arg(format!("-I{}", include_dir().display()))
        .arg(format!("-I{}", c_dir().display()))
        .arg(c_dir().join("test_deep.c"))
        .arg("-o")
        .arg(&tmp_exe)
        .arg(format!("-L{}", lib_dir.display()))
        .arg("-lpycoro")
        .arg(format!("-Wl,-rpath,{}", lib_dir.display()))
        .arg("-lpthread");
    let outcome = run_with_timeout(cmd, &dir, Duration::from_secs(120));
    assert!(
        outcome.status.success(),
        "compiling test_deep.c failed\n{}",
        outcome.transcript()
    );
    std::fs::rename(&tmp_exe, &exe).expect("rename the executable");

    let mut run = Command::new(&exe);
    run.args(["1000000", "100000"])
        .env("CAPI_TESTS_MODE", "release");
    let outcome = run_with_timeout(run, &dir, Duration::from_secs(300));
    let verdict = if outcome.status.success() {
        check_summary(&outcome.stdout)
    } else {
        Err(outcome.status.to_string())
    };
    if let Err(why) = verdict {
        panic!(
            "test_deep.c against the release library failed: {why}\n{}",
            outcome.transcript()
        );
    }
    // The figures (shown with --nocapture).
    println!("{}", outcome.stdout);
}
