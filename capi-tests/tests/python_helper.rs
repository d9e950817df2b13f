//! `examples/pycoro.py`, the ctypes helper the README shows: its self-test runs against the
//! built library (a Python body driven as a generator and a coroutine, `send`, `throw`, an
//! exception from a body, and the docstring's usage example), its struct declarations have
//! the offsets and sizes the C compiler gives `pycoro.h`'s structs, and the README shows its
//! usage example verbatim.
//!
//! Without a runnable `python3`, the Python tests print a loud `*** SKIPPED ***` and pass,
//! unless `PYCORO_REQUIRE_PYTHON` is set.

use std::fs;
use std::process::Command;
use std::time::Duration;

use capi_tests::{
    C_WARNINGS, check_summary, compiler, include_dir, libpycoro_so, repo_root, run_with_timeout,
    scratch_dir, skip_or_fail, tool_available, unique_path,
};

const REQUIRE_VAR: &str = "PYCORO_REQUIRE_PYTHON";

fn helper() -> std::path::PathBuf {
    repo_root().join("examples").join("pycoro.py")
}

fn python3_or_skip(test: &str) -> bool {
    if tool_available("python3") {
        return true;
    }
    skip_or_fail(test, "python3 is not installed", REQUIRE_VAR);
    false
}

#[test]
fn self_test_passes_against_the_built_library() {
    if !python3_or_skip("self_test_passes_against_the_built_library") {
        return;
    }
    let so = libpycoro_so();
    let dir = scratch_dir("python-helper");
    let mut cmd = Command::new("python3");
    cmd.arg(helper()).arg(&so);
    let outcome = run_with_timeout(cmd, &dir, Duration::from_secs(120));
    let verdict = if outcome.status.success() {
        check_summary(&outcome.stdout)
    } else {
        Err(outcome.status.to_string())
    };
    if let Err(why) = verdict {
        panic!(
            "python3 examples/pycoro.py {} failed: {why}\n{}",
            so.display(),
            outcome.transcript()
        );
    }
}

/// `pycoro.py --layout` prints `Struct size` and `Struct.field offset size` lines; a generated
/// C program prints the same lines from `sizeof`/`offsetof` over `Python.h`.
#[test]
fn ctypes_structs_match_the_c_header() {
    if !python3_or_skip("ctypes_structs_match_the_c_header") {
        return;
    }
    let dir = scratch_dir("python-helper");
    let mut cmd = Command::new("python3");
    cmd.arg(helper()).arg("--layout");
    let layout = run_with_timeout(cmd, &dir, Duration::from_secs(60));
    assert!(
        layout.status.success(),
        "pycoro.py --layout failed\n{}",
        layout.transcript()
    );
    let python_lines: Vec<&str> = layout.stdout.lines().collect();
    assert!(
        python_lines
            .iter()
            .any(|l| l.starts_with("PyFrameObject.f_localsplus ")),
        "pycoro.py --layout does not list PyFrameObject's fields:\n{}",
        layout.stdout
    );

    let mut source = String::from("#include <Python.h>\n#include <stdio.h>\n\nint main(void)\n{\n");
    for line in &python_lines {
        let name = line.split_whitespace().next().expect("a name on each line");
        match name.split_once('.') {
            None => source.push_str(&format!("    printf(\"{name} %zu\\n\", sizeof({name}));\n")),
            Some((ty, field)) => source.push_str(&format!(
                "    printf(\"{name} %zu %zu\\n\", offsetof({ty}, {field}), \
                 sizeof((({ty} *)0)->{field}));\n"
            )),
        }
    }
    source.push_str("    return 0;\n}\n");
    let c_path = unique_path(&dir, "layout", ".c");
    let exe = unique_path(&dir, "layout", "");
    fs::write(&c_path, &source).expect("write the layout program");
    let mut cc = compiler(false);
    cc.args(C_WARNINGS)
        .arg(format!("-I{}", include_dir().display()))
        .arg(&c_path)
        .arg("-o")
        .arg(&exe);
    let built = run_with_timeout(cc, &dir, Duration::from_secs(120));
    assert!(
        built.status.success(),
        "the layout program does not compile\n--- source:\n{source}\n{}",
        built.transcript()
    );
    let c_layout = run_with_timeout(Command::new(&exe), &dir, Duration::from_secs(60));
    let _ = fs::remove_file(&c_path);
    let _ = fs::remove_file(&exe);
    assert!(c_layout.status.success(), "{}", c_layout.transcript());
    let mismatches: Vec<String> = python_lines
        .iter()
        .zip(c_layout.stdout.lines())
        .filter(|(py, c)| **py != *c)
        .map(|(py, c)| format!("  ctypes: {py:<40} C: {c}"))
        .collect();
    assert!(
        mismatches.is_empty() && python_lines.len() == c_layout.stdout.lines().count(),
        "examples/pycoro.py's structs differ from pycoro.h's:\n{}",
        mismatches.join("\n")
    );
}

/// The usage example at the top of `pycoro.py`'s docstring (which its self-test runs) is what
/// the README shows.
#[test]
fn readme_shows_the_helpers_usage_example() {
    let text = fs::read_to_string(helper()).expect("read examples/pycoro.py");
    let docstring = text
        .split_once("\"\"\"")
        .and_then(|(_, rest)| rest.split_once("\"\"\""))
        .expect("pycoro.py starts with a docstring")
        .0;
    let example = docstring
        .split_once("\n\n")
        .and_then(|(_, rest)| rest.split_once("\nObject pointers"))
        .expect("the docstring's usage example")
        .0;
    let dedented: Vec<&str> = example
        .lines()
        .map(|l| l.strip_prefix("    ").unwrap_or(l))
        .collect();
    let example = dedented.join("\n");
    assert!(
        example.contains("pycoro.load()") && example.contains("PyIter_Next"),
        "unexpected usage example:\n{example}"
    );
    let readme = fs::read_to_string(repo_root().join("README.md")).expect("read README.md");
    assert!(
        readme.contains(&example),
        "README.md does not show examples/pycoro.py's usage example verbatim:\n{example}"
    );
}
