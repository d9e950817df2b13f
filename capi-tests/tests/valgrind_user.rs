//! A user's own valgrind run is clean: `examples/demo.c` and `programs/valgrind_user.c` run
//! under valgrind with nothing but `--leak-check=full` and the flags that make every reported
//! leak kind an error (definite, indirect and possible: `--leak-check=full` reports "possibly
//! lost" blocks by default). pycoro's process-lifetime tables (interned strings, the warnings
//! registry, immortalized objects) must point to the start of every block they keep, or
//! valgrind counts those blocks as possibly lost.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use capi_tests::{
    C_WARNINGS, compiler, include_dir, libpycoro_so, repo_root, run_with_timeout, scratch_dir,
    unique_path, valgrind_available,
};

/// Exactly what a user would type: no suppressions, no leak kinds left out.
const USER_VALGRIND_ARGS: &[&str] = &[
    "--leak-check=full",
    "--error-exitcode=1",
    "--errors-for-leak-kinds=definite,indirect,possible",
];

fn compile(source: &Path, name: &str) -> PathBuf {
    let so = libpycoro_so();
    let lib_dir = so.parent().expect("libpycoro.so has a directory");
    let dir = scratch_dir("valgrind-user");
    let exe = dir.join(name);
    let tmp = unique_path(&dir, name, ".tmp");
    let mut cmd = compiler(false);
    cmd.args(C_WARNINGS)
        .arg(format!("-I{}", include_dir().display()))
        .arg(source)
        .arg("-o")
        .arg(&tmp)
        .arg(format!("-L{}", lib_dir.display()))
        .arg("-lpycoro")
        .arg(format!("-Wl,-rpath,{}", lib_dir.display()));
    let outcome = run_with_timeout(cmd, &dir, Duration::from_secs(120));
    assert!(
        outcome.status.success(),
        "compiling {} failed\n{}",
        source.display(),
        outcome.transcript()
    );
    std::fs::rename(&tmp, &exe).expect("rename the executable into place");
    exe
}

fn run_clean(source: PathBuf, name: &str) {
    assert!(
        valgrind_available(),
        "valgrind is not installed (`apt-get install valgrind`; make test installs it)"
    );
    let exe = compile(&source, name);
    let mut cmd = Command::new("valgrind");
    cmd.args(USER_VALGRIND_ARGS).arg(&exe);
    let outcome = run_with_timeout(cmd, exe.parent().unwrap(), Duration::from_secs(600));
    // Either no leak summary at all (nothing was left) or every kind at zero.
    let summary_is_clean = ["definitely lost", "indirectly lost", "possibly lost"]
        .iter()
        .all(|kind| {
            !outcome.stderr.contains(&format!("{kind}:"))
                || outcome
                    .stderr
                    .contains(&format!("{kind}: 0 bytes in 0 blocks"))
        });
    assert!(
        outcome.status.success()
            && summary_is_clean
            && outcome.stderr.contains("ERROR SUMMARY: 0 errors"),
        "{name} under `valgrind {}` is not clean\n{}",
        USER_VALGRIND_ARGS.join(" "),
        outcome.transcript()
    );
}

#[test]
fn demo_is_clean_under_users_valgrind() {
    run_clean(repo_root().join("examples").join("demo.c"), "demo");
}

#[test]
fn small_program_is_clean_under_users_valgrind() {
    run_clean(
        repo_root()
            .join("capi-tests")
            .join("programs")
            .join("valgrind_user.c"),
        "valgrind_user",
    );
}
