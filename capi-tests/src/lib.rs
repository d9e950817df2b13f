//! Support code shared by the capi-tests integration tests: the bindgen view of
//! `include/pycoro.h`, where things live on disk, and how C programs are compiled and run.
//!
//! The tests themselves are in `tests/`; the C programs in `c/`.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// bindgen's rendering of the checked-in `include/pycoro.h` (see `build.rs`).
#[allow(
    non_camel_case_types,
    non_snake_case,
    non_upper_case_globals,
    dead_code,
    unsafe_op_in_unsafe_fn,
    clippy::all,
    clippy::pedantic
)]
pub mod bindings {
    include!(concat!(env!("OUT_DIR"), "/bindings.rs"));
}

/// The text of `bindings.rs`, for tests that must see every declaration bindgen produced.
pub const BINDINGS_RS: &str = include_str!(concat!(env!("OUT_DIR"), "/bindings.rs"));

/// The repository root (the `pycoro` package).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("capi-tests lives inside the repository")
        .to_path_buf()
}

/// `<root>/include`, what C programs get as `-I`.
pub fn include_dir() -> PathBuf {
    repo_root().join("include")
}

/// `<root>/capi-tests/c`, the C test programs.
pub fn c_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("c")
}

/// The profile directory of this build (`<target>/debug`), where cargo puts `libpycoro.so`.
///
/// Found from the test executable (`<target>/debug/deps/<test>-<hash>`), which is right for
/// `CARGO_TARGET_DIR`, `--target <triple>` and `--release` alike.
pub fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("current_exe");
    let deps = exe
        .parent()
        .expect("test executable has a parent directory");
    assert!(
        deps.file_name().is_some_and(|n| n == "deps"),
        "expected the test executable under <target>/<profile>/deps, got {}",
        exe.display()
    );
    deps.parent().expect("deps has a parent").to_path_buf()
}

/// The SONAME pycoro's build.rs gives the library: what linked programs look for at run time.
pub const SONAME: &str = "libpycoro.so.0";

/// Absolute path of `libpycoro.so`; panics with the command to run when it is missing.
///
/// `cargo build` puts it in `<target>/debug`; when cargo builds pycoro as a dependency of these
/// tests it writes `<target>/debug/deps/libpycoro.so` and does not copy it up. The newer of the
/// two is the library of the sources under test, so a plain `cargo test` never runs the C
/// programs against a stale library.
///
/// Also makes sure `libpycoro.so.0` (the SONAME, which cargo does not create) sits beside it as
/// a symlink, so programs linked with `-Wl,-rpath,<dir>` find the library at run time.
pub fn libpycoro_so() -> PathBuf {
    let profile = profile_dir();
    let candidates = [
        profile.join("libpycoro.so"),
        profile.join("deps").join("libpycoro.so"),
    ];
    let so = candidates
        .iter()
        .filter_map(|path| Some((fs::metadata(path).ok()?.modified().ok()?, path)))
        .max()
        .map(|(_, path)| path.clone())
        .unwrap_or_else(|| {
            panic!(
                "{} is missing: run `cargo build -p pycoro` first (`make test` does)",
                candidates[0].display()
            )
        });
    let dir = so.parent().expect("libpycoro.so has a directory");
    let link = dir.join(SONAME);
    if fs::read_link(&link).map_or(true, |target| target != Path::new("libpycoro.so")) {
        // Made under a private name and renamed over, so parallel tests never see no link.
        let tmp = unique_path(dir, SONAME, ".tmp");
        std::os::unix::fs::symlink("libpycoro.so", &tmp)
            .unwrap_or_else(|e| panic!("symlink {}: {e}", tmp.display()));
        fs::rename(&tmp, &link).unwrap_or_else(|e| panic!("rename to {}: {e}", link.display()));
    }
    so
}

/// A fresh directory under `<target>/<profile>/capi-tests/<what>` for compiler outputs.
pub fn scratch_dir(what: &str) -> PathBuf {
    let dir = profile_dir().join("capi-tests").join(what);
    fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("create {}: {e}", dir.display()));
    dir
}

/// A path in `dir` that no other thread or process of this run writes: `<stem>.<pid>.<n><ext>`.
pub fn unique_path(dir: &Path, stem: &str, ext: &str) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    dir.join(format!("{stem}.{}.{n}{ext}", std::process::id()))
}

/// The C (or C++) compiler the `cc` crate picks for this target, with its default flags.
pub fn compiler(cpp: bool) -> Command {
    cc::Build::new()
        .cpp(cpp)
        .target(env!("CAPI_TESTS_TARGET"))
        .host(env!("CAPI_TESTS_HOST"))
        .opt_level(0)
        .debug(true)
        // No -fPIC: test programs are built as ordinary executables, so extern data such as
        // _Py_NoneStruct gets copy relocations, the case the library must cope with.
        .pic(false)
        .cargo_metadata(false)
        .warnings(false)
        .get_compiler()
        .to_command()
}

/// What a finished child process left behind.
pub struct Outcome {
    pub status: std::process::ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl Outcome {
    /// Everything the process printed, for failure messages.
    pub fn transcript(&self) -> String {
        format!(
            "--- exit: {}\n--- stdout:\n{}\n--- stderr:\n{}",
            self.status, self.stdout, self.stderr
        )
    }
}

/// Runs `cmd` with output captured to files in `dir`, killing it after `timeout`.
///
/// Files rather than pipes: a child that fills one pipe while we read the other cannot
/// deadlock, and nothing else is needed to read both.
pub fn run_with_timeout(mut cmd: Command, dir: &Path, timeout: Duration) -> Outcome {
    let out_path = unique_path(dir, "stdout", ".txt");
    let err_path = unique_path(dir, "stderr", ".txt");
    let out = fs::File::create(&out_path).expect("create stdout file");
    let err = fs::File::create(&err_path).expect("create stderr file");
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {cmd:?}: {e}"));
    let deadline = Instant::now() + timeout;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for child") {
            break status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let status = child.wait().expect("wait for killed child");
            eprintln!("killed after {timeout:?}: {cmd:?}");
            break status;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let read = |p: &Path| {
        let mut bytes = Vec::new();
        fs::File::open(p)
            .and_then(|mut f| f.read_to_end(&mut bytes))
            .expect("read captured output");
        let _ = fs::remove_file(p);
        String::from_utf8_lossy(&bytes).into_owned()
    };
    Outcome {
        status,
        stdout: read(&out_path),
        stderr: read(&err_path),
    }
}

/// Checks a C test program's output: its last non-empty line must be `N passed, 0 failed`
/// with N > 0. Returns why not.
pub fn check_summary(stdout: &str) -> Result<(), String> {
    let last = stdout.lines().rev().find(|l| !l.trim().is_empty());
    let Some(last) = last else {
        return Err("the program printed nothing".into());
    };
    let parsed = last.strip_suffix(" failed").and_then(|rest| {
        let (passed, failed) = rest.split_once(" passed, ")?;
        Some((passed.parse::<u64>().ok()?, failed.parse::<u64>().ok()?))
    });
    match parsed {
        Some((passed, 0)) if passed > 0 => Ok(()),
        Some((0, 0)) => Err("the program ran no test (0 passed)".into()),
        Some(_) => Err(format!("the program reported failures: {last:?}")),
        None => Err(format!(
            "the last line is not \"N passed, N failed\": {last:?}"
        )),
    }
}

/// Whether `valgrind` can be run.
pub fn valgrind_available() -> bool {
    Command::new("valgrind")
        .arg("--version")
        .output()
        .is_ok_and(|out| out.status.success())
}

/// Warning and language flags every C test program compiles with.
pub const C_WARNINGS: &[&str] = &["-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic", "-g"];

/// Compiler flags of the C test programs' sanitizer builds (ASan, UBSan; LSan comes with ASan).
pub const SANITIZER_FLAGS: &[&str] = &[
    "-fsanitize=address,undefined",
    "-fno-omit-frame-pointer",
    "-fno-sanitize-recover=all",
];

/// valgrind's options for the C test programs: any error or definite/indirect/possible leak
/// fails. "Possibly lost" counts too (what `--leak-check=full` reports by default), so a user's
/// own valgrind run of a program using pycoro is clean without extra flags: pycoro's
/// process-lifetime tables point to the start of every block they keep.
pub const VALGRIND_ARGS: &[&str] = &[
    "--error-exitcode=1",
    "--leak-check=full",
    "--errors-for-leak-kinds=definite,indirect,possible",
    "--show-leak-kinds=definite,indirect,possible",
];

// ---- CPython 3.10 installs (for the tests that compare with it) ----

/// Environment variable naming the prefix of a CPython 3.10 install to use.
pub const CPYTHON310_PREFIX_VAR: &str = "PYCORO_CPYTHON310_PREFIX";
/// Environment variable that makes a missing CPython 3.10 a test failure instead of a skip.
pub const CPYTHON310_REQUIRE_VAR: &str = "PYCORO_REQUIRE_CPYTHON310";

/// Whether `prefix` has CPython 3.10's headers and shared library (`lib/libpython3.10.so`).
pub fn has_headers_and_lib(prefix: &Path) -> bool {
    has_headers(prefix) && prefix.join("lib/libpython3.10.so").exists()
}

/// Whether `prefix` has CPython 3.10's headers.
pub fn has_headers(prefix: &Path) -> bool {
    prefix.join("include/python3.10/Python.h").is_file()
}

/// `pyenv prefix <version>`'s directories (it prints several joined by `:`), if pyenv runs.
fn pyenv_prefixes(version: &str) -> Vec<PathBuf> {
    let pyenv_root = std::env::var_os("PYENV_ROOT").map(PathBuf::from);
    let home_pyenv = std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".pyenv"));
    // pyenv itself, else the usual install location of its script (often not on cargo's PATH).
    let mut programs = vec![PathBuf::from("pyenv")];
    programs.extend(
        [pyenv_root, home_pyenv]
            .into_iter()
            .flatten()
            .map(|root| root.join("bin/pyenv")),
    );
    for program in programs {
        let Ok(out) = Command::new(&program).args(["prefix", version]).output() else {
            continue;
        };
        if out.status.success() {
            return String::from_utf8_lossy(&out.stdout)
                .trim()
                .split(':')
                .filter(|s| !s.is_empty())
                .map(PathBuf::from)
                .collect();
        }
    }
    Vec::new()
}

/// `<root>/versions/3.10.*` under `$PYENV_ROOT` and `~/.pyenv`, newest first.
fn pyenv_versions_dirs() -> Vec<PathBuf> {
    let roots = [
        std::env::var_os("PYENV_ROOT").map(PathBuf::from),
        std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".pyenv")),
    ];
    let mut found = Vec::new();
    for root in roots.into_iter().flatten() {
        let Ok(entries) = std::fs::read_dir(root.join("versions")) else {
            continue;
        };
        let mut versions: Vec<(u32, PathBuf)> = entries
            .filter_map(|e| {
                let e = e.ok()?;
                let name = e.file_name().into_string().ok()?;
                let micro = name.strip_prefix("3.10.")?.parse::<u32>().ok()?;
                Some((micro, e.path()))
            })
            .collect();
        versions.sort_by_key(|v| std::cmp::Reverse(v.0));
        found.extend(versions.into_iter().map(|(_, path)| path));
    }
    found
}

/// The prefix of the first CPython 3.10 install found that `usable` accepts (it has the headers,
/// or the headers and the shared library, ...), or every place looked at, in order (for the
/// skip message). Looked at: `$PYCORO_CPYTHON310_PREFIX`, `pyenv prefix 3.10.13`, `pyenv prefix
/// 3.10`, then the newest `$PYENV_ROOT/versions/3.10.*` or `~/.pyenv/versions/3.10.*`.
pub fn cpython310_prefix(usable: fn(&Path) -> bool) -> Result<PathBuf, Vec<String>> {
    // (where the prefix came from, the prefix; None when that source gave none)
    let mut candidates: Vec<(String, Option<PathBuf>)> = Vec::new();
    let from_var = std::env::var_os(CPYTHON310_PREFIX_VAR).filter(|p| !p.is_empty());
    candidates.push((
        format!("${CPYTHON310_PREFIX_VAR}"),
        from_var.map(PathBuf::from),
    ));
    for version in ["3.10.13", "3.10"] {
        let source = format!("`pyenv prefix {version}`");
        let prefixes = pyenv_prefixes(version);
        if prefixes.is_empty() {
            candidates.push((source.clone(), None));
        }
        candidates.extend(prefixes.into_iter().map(|p| (source.clone(), Some(p))));
    }
    let source = "~/.pyenv/versions/3.10.* or $PYENV_ROOT/versions/3.10.*".to_owned();
    let dirs = pyenv_versions_dirs();
    if dirs.is_empty() {
        candidates.push((source, None));
    } else {
        candidates.extend(dirs.into_iter().map(|p| (source.clone(), Some(p))));
    }

    let mut looked = Vec::new();
    for (source, prefix) in candidates {
        match prefix {
            Some(prefix) if usable(&prefix) => return Ok(prefix),
            Some(prefix) => looked.push(format!(
                "{source}: {} (not usable: headers or library missing)",
                prefix.display()
            )),
            None => looked.push(format!("{source}: nothing")),
        }
    }
    Err(looked)
}

/// Whether `program --version` runs and exits 0.
pub fn tool_available(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// For a test that cannot run here: prints a loud `*** SKIPPED ***` line to stderr (the test
/// then passes), or panics when the environment variable `require_var` is set to anything but
/// `0` or empty (so CI, which installs everything, can make a skip a failure).
pub fn skip_or_fail(test: &str, why: &str, require_var: &str) {
    let required = std::env::var(require_var).is_ok_and(|v| !v.is_empty() && v != "0");
    assert!(!required, "{test}: {why} (and {require_var} is set)");
    eprintln!("\n*** SKIPPED {test}: {why} (set {require_var}=1 to fail instead) ***\n");
}
