//! `make install` / `make uninstall`, used as a C library's user would:
//!
//! - `make release`, then `make install PREFIX=<tmp>` puts exactly the expected files there:
//!   `lib/libpycoro.so.<version>` (the release build, SONAME `libpycoro.so.<major>`) with the
//!   links `libpycoro.so -> libpycoro.so.<major> -> libpycoro.so.<version>`, the headers under
//!   `include/pycoro/`, `lib/pkgconfig/pycoro.pc`, and the python-3.10 stand-ins under
//!   `lib/pycoro/pkgconfig/`;
//! - `examples/demo.c` and `c/test_user_macros.c` (C11 and C++17, `-Wall -Wextra -Werror
//!   -pedantic`) build with nothing but `pkg-config --cflags --libs pycoro`, record only the
//!   SONAME, and run against the installed library (found through `LD_LIBRARY_PATH`, set to
//!   pkg-config's `libdir`);
//! - `ctypes.util.find_library('pycoro')` finds it with that `LD_LIBRARY_PATH`, and
//!   `examples/pycoro.py`'s self-test passes with the library it finds;
//! - `make uninstall` leaves no file, link or pycoro folder in the prefix;
//! - a staged install (`DESTDIR`) writes the same tree under DESTDIR with `.pc` files naming
//!   the final prefix;
//! - meson's `dependency('python3-embed')` and CMake's `pkg_check_modules(... python3-embed)`
//!   link pycoro when `PKG_CONFIG_PATH` is `lib/pycoro/pkgconfig`.
//!
//! pkg-config, readelf and a C/C++ compiler are required (`.ci/deps.sh` installs them). Without
//! meson/ninja, cmake or python3 the tests that need them print a loud `*** SKIPPED ***` and
//! pass, unless `PYCORO_REQUIRE_BUILD_TOOLS` is set.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::time::Duration;

use capi_tests::{
    Outcome, SONAME, c_dir, check_summary, profile_dir, repo_root, run_with_timeout, scratch_dir,
    skip_or_fail, tool_available, unique_path,
};

const REQUIRE_VAR: &str = "PYCORO_REQUIRE_BUILD_TOOLS";
const WERROR_C: &[&str] = &["-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic"];
const WERROR_CXX: &[&str] = &[
    "-x",
    "c++",
    "-std=c++17",
    "-Wall",
    "-Wextra",
    "-Werror",
    "-pedantic",
];

/// The package version, from pycoro's Cargo.toml (what names the installed file).
fn version() -> String {
    let manifest = fs::read_to_string(repo_root().join("Cargo.toml")).expect("read Cargo.toml");
    manifest
        .lines()
        .find_map(|l| l.strip_prefix("version = \""))
        .and_then(|rest| rest.strip_suffix('"'))
        .expect("a version line in Cargo.toml")
        .to_owned()
}

/// The C and C++ compilers a user's shell would use.
fn cc() -> String {
    std::env::var("CC").unwrap_or_else(|_| "cc".into())
}

fn cxx() -> String {
    std::env::var("CXX").unwrap_or_else(|_| "c++".into())
}

/// Fails with the transcript unless the command exited 0.
fn ok(what: &str, outcome: Outcome) -> Outcome {
    assert!(
        outcome.status.success(),
        "{what} failed\n{}",
        outcome.transcript()
    );
    outcome
}

/// `make -C <repo> <args>` building into this test run's target directory, with the variables
/// of an outer `make test` removed so the two makes do not share a jobserver.
fn make(args: &[&str], dir: &Path) -> Outcome {
    let target = profile_dir()
        .parent()
        .expect("the profile folder has a parent")
        .to_path_buf();
    let mut cmd = Command::new("make");
    cmd.arg("-C")
        .arg(repo_root())
        .args(args)
        .env("CARGO_TARGET_DIR", &target)
        .env("CARGO", env!("CARGO"))
        .env_remove("MAKEFLAGS")
        .env_remove("MFLAGS")
        .env_remove("MAKELEVEL");
    run_with_timeout(cmd, dir, Duration::from_secs(900))
}

/// `make release` once per test process: the release build is current before any install.
fn release_built(dir: &Path) {
    static BUILT: Mutex<bool> = Mutex::new(false);
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    if !*built {
        ok("make release", make(&["release"], dir));
        *built = true;
    }
}

/// A new, empty prefix (or DESTDIR) for one test.
fn fresh_dir(what: &str) -> PathBuf {
    let dir = unique_path(&scratch_dir("install"), what, "");
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("create {}: {e}", dir.display()));
    dir
}

fn install(prefix: &str, destdir: Option<&Path>, dir: &Path) {
    release_built(dir);
    let mut args = vec!["install".to_owned(), format!("PREFIX={prefix}")];
    if let Some(destdir) = destdir {
        args.push(format!("DESTDIR={}", destdir.display()));
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    ok("make install", make(&args, dir));
}

fn uninstall(prefix: &str, destdir: Option<&Path>, dir: &Path) {
    let mut args = vec!["uninstall".to_owned(), format!("PREFIX={prefix}")];
    if let Some(destdir) = destdir {
        args.push(format!("DESTDIR={}", destdir.display()));
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    ok("make uninstall", make(&args, dir));
}

/// Every entry under `root`, relative, as `dir`, `file` or `-> <link target>`.
fn tree(root: &Path) -> BTreeMap<String, String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
        for entry in fs::read_dir(dir).unwrap_or_else(|e| panic!("read {}: {e}", dir.display())) {
            let path = entry.expect("directory entry").path();
            let rel = path
                .strip_prefix(root)
                .expect("inside root")
                .to_string_lossy()
                .into_owned();
            let meta = fs::symlink_metadata(&path).expect("metadata");
            if meta.file_type().is_symlink() {
                let target = fs::read_link(&path).expect("read link");
                out.insert(rel, format!("-> {}", target.display()));
            } else if meta.is_dir() {
                out.insert(rel, "dir".into());
                walk(root, &path, out);
            } else {
                out.insert(rel, "file".into());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

/// What `make install` puts under the prefix.
fn expected_tree() -> BTreeMap<String, String> {
    let version = version();
    let soname_link = format!("lib/{SONAME}");
    let mut expected: BTreeMap<String, String> = [
        ("lib", "dir".to_owned()),
        ("lib/libpycoro.so.VERSION", "file".to_owned()),
        (soname_link.as_str(), "-> libpycoro.so.VERSION".to_owned()),
        ("lib/libpycoro.so", format!("-> {SONAME}")),
        ("lib/pkgconfig", "dir".to_owned()),
        ("lib/pkgconfig/pycoro.pc", "file".to_owned()),
        ("lib/pycoro", "dir".to_owned()),
        ("lib/pycoro/pkgconfig", "dir".to_owned()),
        ("lib/pycoro/pkgconfig/python-3.10.pc", "file".to_owned()),
        (
            "lib/pycoro/pkgconfig/python-3.10-embed.pc",
            "file".to_owned(),
        ),
        (
            "lib/pycoro/pkgconfig/python3.pc",
            "-> python-3.10.pc".to_owned(),
        ),
        (
            "lib/pycoro/pkgconfig/python3-embed.pc",
            "-> python-3.10-embed.pc".to_owned(),
        ),
        ("include", "dir".to_owned()),
        ("include/pycoro", "dir".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| {
        (
            k.replace("VERSION", &version),
            v.replace("VERSION", &version),
        )
    })
    .collect();
    for header in headers() {
        expected.insert(format!("include/pycoro/{header}"), "file".into());
    }
    expected
}

/// The headers of `include/`, which all install.
fn headers() -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(repo_root().join("include"))
        .expect("read include/")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".h"))
        .collect();
    names.sort();
    assert!(names.contains(&"Python.h".to_owned()) && names.contains(&"pycoro.h".to_owned()));
    names
}

/// `pkg-config <args>` with `PKG_CONFIG_PATH` set to `path` only; its trimmed output.
fn pkg_config(path: &Path, args: &[&str], dir: &Path) -> String {
    let mut cmd = Command::new("pkg-config");
    cmd.args(args)
        .env("PKG_CONFIG_PATH", path)
        .env_remove("PKG_CONFIG_LIBDIR")
        .env_remove("PKG_CONFIG_SYSROOT_DIR");
    let out = ok(
        &format!("pkg-config {args:?}"),
        run_with_timeout(cmd, dir, Duration::from_secs(60)),
    );
    out.stdout.trim().to_owned()
}

/// `readelf -d`'s lines of `tag` (SONAME, NEEDED): the names in brackets.
fn dynamic_entries(file: &Path, tag: &str, dir: &Path) -> Vec<String> {
    let mut cmd = Command::new("readelf");
    cmd.arg("-d").arg(file);
    let out = ok(
        "readelf -d",
        run_with_timeout(cmd, dir, Duration::from_secs(60)),
    );
    out.stdout
        .lines()
        .filter(|l| l.contains(&format!("({tag})")))
        .filter_map(|l| Some(l.split_once('[')?.1.split_once(']')?.0.to_owned()))
        .collect()
}

/// Compiles `source` with `flags` and nothing but pkg-config's flags; returns the program.
fn build_with_pkg_config(
    compiler: &str,
    flags: &[&str],
    source: &Path,
    pc_path: &Path,
    dir: &Path,
) -> PathBuf {
    let cflags = pkg_config(pc_path, &["--cflags", "pycoro"], dir);
    let libs = pkg_config(pc_path, &["--libs", "pycoro"], dir);
    let exe = unique_path(dir, "prog", "");
    let mut cmd = Command::new(compiler);
    cmd.args(flags)
        .args(cflags.split_whitespace())
        .arg(source)
        .arg("-o")
        .arg(&exe)
        .args(libs.split_whitespace());
    ok(
        &format!("{compiler} {flags:?} {} {cflags} {libs}", source.display()),
        run_with_timeout(cmd, dir, Duration::from_secs(120)),
    );
    exe
}

/// Runs `program` with `LD_LIBRARY_PATH=libdir` and nothing else pointing at a pycoro.
fn run_with_libdir(program: &Path, libdir: &str, dir: &Path) -> Outcome {
    let mut cmd = Command::new(program);
    cmd.env("LD_LIBRARY_PATH", libdir)
        .env_remove("PYCORO_LIBRARY");
    run_with_timeout(cmd, dir, Duration::from_secs(120))
}

fn assert_summary(what: &str, outcome: &Outcome) {
    let verdict = if outcome.status.success() {
        check_summary(&outcome.stdout)
    } else {
        Err(outcome.status.to_string())
    };
    if let Err(why) = verdict {
        panic!("{what}: {why}\n{}", outcome.transcript());
    }
}

/// A program's NEEDED entries name pycoro by its SONAME only (no build path).
fn assert_needs_soname(program: &Path, dir: &Path) {
    let needed = dynamic_entries(program, "NEEDED", dir);
    assert!(
        needed.iter().any(|n| n == SONAME)
            && !needed.iter().any(|n| n.contains("pycoro") && n != SONAME)
            && !needed.iter().any(|n| n.contains("python")),
        "{} needs {needed:?}, expected {SONAME} (and no libpython)",
        program.display()
    );
}

#[test]
fn install_build_run_and_uninstall() {
    let prefix_dir = fresh_dir("prefix");
    let prefix = prefix_dir.to_str().expect("UTF-8 path").to_owned();
    let dir = scratch_dir("install");
    let version = version();
    install(&prefix, None, &dir);

    // Exactly the expected files and links.
    assert_eq!(
        tree(&prefix_dir),
        expected_tree(),
        "what `make install` put in {prefix}"
    );
    let lib = prefix_dir.join("lib");
    let real = lib.join(format!("libpycoro.so.{version}"));
    let release = profile_dir()
        .parent()
        .unwrap()
        .join("release")
        .join("libpycoro.so");
    assert_eq!(
        fs::read(&real).expect("read the installed library"),
        fs::read(&release).expect("read the release build"),
        "the installed library is not the release build"
    );
    assert_eq!(
        fs::canonicalize(lib.join("libpycoro.so")).unwrap(),
        fs::canonicalize(&real).unwrap()
    );
    assert_eq!(dynamic_entries(&real, "SONAME", &dir), [SONAME]);
    for header in headers() {
        assert_eq!(
            fs::read(prefix_dir.join("include/pycoro").join(&header)).unwrap(),
            fs::read(repo_root().join("include").join(&header)).unwrap(),
            "installed {header} differs from include/{header}"
        );
    }

    // The .pc files.
    let pc_path = lib.join("pkgconfig");
    let pc = fs::read_to_string(pc_path.join("pycoro.pc")).unwrap();
    for line in [
        format!("prefix={prefix}"),
        "libdir=${prefix}/lib".into(),
        "includedir=${prefix}/include".into(),
        "Name: pycoro".into(),
        format!("Version: {version}"),
        "Libs: -L${libdir} -lpycoro".into(),
        "Cflags: -I${includedir}/pycoro".into(),
    ] {
        assert!(
            pc.lines().any(|l| l == line),
            "pycoro.pc lacks {line:?}:\n{pc}"
        );
    }
    assert_eq!(
        pkg_config(&pc_path, &["--modversion", "pycoro"], &dir),
        version
    );
    assert_eq!(
        pkg_config(&pc_path, &["--cflags", "--libs", "pycoro"], &dir),
        format!("-I{prefix}/include/pycoro -L{prefix}/lib -lpycoro")
    );
    let libdir = pkg_config(&pc_path, &["--variable=libdir", "pycoro"], &dir);
    assert_eq!(libdir, format!("{prefix}/lib"));
    let python_pc_path = lib.join("pycoro/pkgconfig");
    for module in [
        "python-3.10-embed",
        "python-3.10",
        "python3-embed",
        "python3",
    ] {
        assert_eq!(
            pkg_config(&python_pc_path, &["--modversion", module], &dir),
            "3.10"
        );
        assert_eq!(
            pkg_config(&python_pc_path, &["--cflags", "--libs", module], &dir),
            format!("-I{prefix}/include/pycoro -L{prefix}/lib -lpycoro"),
            "{module}.pc"
        );
    }

    // examples/demo.c and the -Werror program, built with pkg-config's flags only.
    let demo = build_with_pkg_config(
        &cc(),
        WERROR_C,
        &repo_root().join("examples/demo.c"),
        &pc_path,
        &dir,
    );
    assert_needs_soname(&demo, &dir);
    let ran = ok("the demo", run_with_libdir(&demo, &libdir, &dir));
    assert!(
        ran.stdout.contains("main got: ticker caught KeyError"),
        "unexpected demo output\n{}",
        ran.transcript()
    );
    let mut ldd = Command::new("ldd");
    ldd.arg(&demo).env("LD_LIBRARY_PATH", &libdir);
    let resolved = ok("ldd", run_with_timeout(ldd, &dir, Duration::from_secs(60)));
    assert!(
        resolved
            .stdout
            .contains(&format!("{SONAME} => {libdir}/{SONAME}")),
        "the demo does not load the installed library:\n{}",
        resolved.stdout
    );
    let _ = fs::remove_file(&demo);
    let user = c_dir().join("test_user_macros.c");
    for (compiler, flags, language) in [(cc(), WERROR_C, "C11"), (cxx(), WERROR_CXX, "C++17")] {
        let exe = build_with_pkg_config(&compiler, flags, &user, &pc_path, &dir);
        assert_needs_soname(&exe, &dir);
        assert_summary(
            &format!("test_user_macros.c as {language} against the installed library"),
            &run_with_libdir(&exe, &libdir, &dir),
        );
        let _ = fs::remove_file(&exe);
    }

    // Python: find_library with the prefix's lib on LD_LIBRARY_PATH, then the helper.
    if tool_available("python3") {
        let mut find = Command::new("python3");
        find.args([
            "-c",
            "import ctypes.util; print(ctypes.util.find_library('pycoro'))",
        ])
        .env("LD_LIBRARY_PATH", &libdir);
        let found = ok(
            "find_library",
            run_with_timeout(find, &dir, Duration::from_secs(60)),
        );
        assert_eq!(
            found.stdout.trim(),
            SONAME,
            "ctypes.util.find_library('pycoro')"
        );
        let mut helper = Command::new("python3");
        helper
            .arg(repo_root().join("examples/pycoro.py"))
            .env("LD_LIBRARY_PATH", &libdir)
            .env_remove("PYCORO_LIBRARY");
        let outcome = run_with_timeout(helper, &dir, Duration::from_secs(120));
        assert_summary(
            "examples/pycoro.py with the library find_library finds",
            &outcome,
        );
        assert!(
            outcome.stdout.contains(&format!("library: {SONAME}")),
            "pycoro.py did not load what find_library found:\n{}",
            outcome.stdout
        );
    } else {
        skip_or_fail(
            "install_build_run_and_uninstall (its find_library part)",
            "python3 is not installed",
            REQUIRE_VAR,
        );
    }

    uninstall(&prefix, None, &dir);
    let left = tree(&prefix_dir);
    let unexpected: Vec<_> = left
        .iter()
        .filter(|(path, kind)| *kind != "dir" || path.contains("pycoro"))
        .collect();
    assert!(
        unexpected.is_empty(),
        "`make uninstall` left {unexpected:?} in {prefix}"
    );
    fs::remove_dir_all(&prefix_dir).expect("remove the prefix");
}

#[test]
fn staged_install_with_destdir() {
    let destdir = fresh_dir("destdir");
    let dir = scratch_dir("install");
    let prefix = "/opt/staged";
    install(prefix, Some(&destdir), &dir);
    let staged = destdir.join(prefix.trim_start_matches('/'));
    let mut expected = expected_tree();
    for ancestor in ["opt", "opt/staged"] {
        expected.insert(ancestor.into(), "dir".into());
    }
    let expected: BTreeMap<String, String> = expected
        .into_iter()
        .map(|(path, kind)| {
            if path.starts_with("opt") {
                (path, kind)
            } else {
                (format!("opt/staged/{path}"), kind)
            }
        })
        .collect();
    assert_eq!(tree(&destdir), expected, "what the staged install wrote");
    let pc = fs::read_to_string(staged.join("lib/pkgconfig/pycoro.pc")).unwrap();
    assert!(
        pc.lines().any(|l| l == format!("prefix={prefix}")),
        "a staged pycoro.pc names the final prefix:\n{pc}"
    );

    // A program built against the staged tree (pkg-config's sysroot) runs with it.
    let pc_path = staged.join("lib/pkgconfig");
    let mut cflags = Command::new("pkg-config");
    cflags
        .args(["--cflags", "--libs", "pycoro"])
        .env("PKG_CONFIG_PATH", &pc_path)
        .env("PKG_CONFIG_SYSROOT_DIR", &destdir);
    let flags = ok(
        "pkg-config with a sysroot",
        run_with_timeout(cflags, &dir, Duration::from_secs(60)),
    );
    let exe = unique_path(&dir, "staged", "");
    let mut build = Command::new(cc());
    build
        .args(WERROR_C)
        .arg(c_dir().join("test_user_macros.c"))
        .arg("-o")
        .arg(&exe)
        .args(flags.stdout.split_whitespace());
    ok(
        "building against the staged tree",
        run_with_timeout(build, &dir, Duration::from_secs(120)),
    );
    assert_summary(
        "test_user_macros.c against the staged tree",
        &run_with_libdir(&exe, staged.join("lib").to_str().unwrap(), &dir),
    );
    let _ = fs::remove_file(&exe);

    uninstall(prefix, Some(&destdir), &dir);
    let left: Vec<_> = tree(&destdir)
        .into_iter()
        .filter(|(path, kind)| kind != "dir" || path.contains("pycoro"))
        .collect();
    assert!(left.is_empty(), "staged `make uninstall` left {left:?}");
    fs::remove_dir_all(&destdir).expect("remove the staged tree");
}

/// A tiny project of `build_system` (its files, then the commands that configure and build
/// it, in `project`), whose program is `test_user_macros.c` and finds Python with pkg-config:
/// with `PKG_CONFIG_PATH=<prefix>/lib/pycoro/pkgconfig` it must link pycoro, not libpython.
fn python_stand_in_project(
    test: &str,
    tools: &[&str],
    files: &[(&str, &str)],
    commands: &[&[&str]],
    program: &str,
) {
    if let Some(missing) = tools.iter().find(|t| !tool_available(t)) {
        skip_or_fail(test, &format!("{missing} is not installed"), REQUIRE_VAR);
        return;
    }
    let prefix_dir = fresh_dir("prefix");
    let prefix = prefix_dir.to_str().expect("UTF-8 path").to_owned();
    let dir = scratch_dir("install");
    install(&prefix, None, &dir);
    let project = fresh_dir(test);
    for (name, text) in files {
        fs::write(project.join(name), text).expect("write a project file");
    }
    fs::copy(c_dir().join("test_user_macros.c"), project.join("probe.c")).expect("copy probe.c");
    let pc_path = prefix_dir.join("lib/pycoro/pkgconfig");
    for args in commands {
        let mut cmd = Command::new(args[0]);
        cmd.args(&args[1..])
            .current_dir(&project)
            .env("PKG_CONFIG_PATH", &pc_path)
            .env_remove("PKG_CONFIG_LIBDIR")
            .env_remove("MAKEFLAGS")
            .env_remove("MAKELEVEL");
        ok(
            &format!("{args:?} in {}", project.display()),
            run_with_timeout(cmd, &dir, Duration::from_secs(300)),
        );
    }
    let exe = project.join(program);
    assert_needs_soname(&exe, &dir);
    assert_summary(
        &format!("{test}: the program"),
        &run_with_libdir(&exe, &format!("{prefix}/lib"), &dir),
    );
    uninstall(&prefix, None, &dir);
    fs::remove_dir_all(&project).expect("remove the project");
    fs::remove_dir_all(&prefix_dir).expect("remove the prefix");
}

#[test]
fn meson_dependency_python3_embed_links_pycoro() {
    python_stand_in_project(
        "meson_dependency_python3_embed_links_pycoro",
        &["meson", "ninja", "pkg-config"],
        &[(
            "meson.build",
            "project('pycoro_probe', 'c', default_options: ['c_std=c11', 'warning_level=3', \
             'werror=true'])\n\
             python = dependency('python3-embed', version: '>=3.10')\n\
             executable('probe', 'probe.c', dependencies: python)\n",
        )],
        &[&["meson", "setup", "build"], &["ninja", "-C", "build"]],
        "build/probe",
    );
}

#[test]
fn cmake_pkg_check_modules_python3_embed_links_pycoro() {
    python_stand_in_project(
        "cmake_pkg_check_modules_python3_embed_links_pycoro",
        &["cmake", "pkg-config"],
        &[(
            "CMakeLists.txt",
            "cmake_minimum_required(VERSION 3.13)\n\
             project(pycoro_probe C)\n\
             set(CMAKE_C_STANDARD 11)\n\
             set(CMAKE_C_EXTENSIONS OFF)\n\
             find_package(PkgConfig REQUIRED)\n\
             pkg_check_modules(PYTHON REQUIRED IMPORTED_TARGET python3-embed>=3.10)\n\
             add_executable(probe probe.c)\n\
             target_compile_options(probe PRIVATE -Wall -Wextra -Werror -pedantic)\n\
             target_link_libraries(probe PRIVATE PkgConfig::PYTHON)\n",
        )],
        &[
            &["cmake", "-S", ".", "-B", "build"],
            &["cmake", "--build", "build"],
        ],
        "build/probe",
    );
}
