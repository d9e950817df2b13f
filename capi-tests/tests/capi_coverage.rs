//! The README's section "CPython 3.10's C API in pycoro" is what `tools/capi_coverage.py`
//! prints now for the built `libpycoro.so` and CPython 3.10.13's `libpython3.10.so`: how many of
//! CPython's public functions pycoro exports and why each of the others is missing. An export
//! added without regenerating the section fails here; the message says how to regenerate.
//!
//! Needs CPython 3.10.13 (headers and shared libpython), python3 and nm. Without CPython 3.10.13
//! or python3 it prints a loud `*** SKIPPED ***` and passes, unless `PYCORO_REQUIRE_CPYTHON310`
//! is set.

use std::path::Path;
use std::process::Command;

use capi_tests::{
    CPYTHON310_REQUIRE_VAR, cpython310_prefix, has_headers_and_lib, libpycoro_so, repo_root,
    skip_or_fail, tool_available,
};

const TEST: &str = "capi_coverage";
const HEADING: &str = "## CPython 3.10's C API in pycoro";
const REGENERATE: &str = "python3 capi-tests/tools/capi_coverage.py --update-readme";
/// The CPython the section is generated from; another 3.10.x exports other symbols.
const VERSION: &str = "3.10.13";

/// `PY_VERSION` of the install at `prefix`, from its `patchlevel.h`.
fn cpython_version(prefix: &Path) -> Option<String> {
    let header = prefix.join("include/python3.10/patchlevel.h");
    let text = std::fs::read_to_string(header).ok()?;
    text.lines().find_map(|line| {
        let rest = line.trim().strip_prefix("#define")?.trim_start();
        let value = rest.strip_prefix("PY_VERSION")?.trim();
        Some(value.trim_matches('"').to_owned())
    })
}

/// The section of `readme` that starts at `HEADING` and ends before the next `## ` heading.
fn readme_section(readme: &str) -> Option<String> {
    let lines: Vec<&str> = readme.lines().collect();
    let start = lines.iter().position(|l| *l == HEADING)?;
    let end = lines[start + 1..]
        .iter()
        .position(|l| l.starts_with("## "))
        .map_or(lines.len(), |i| start + 1 + i);
    Some(lines[start..end].join("\n"))
}

#[test]
fn readme_capi_section_is_current() {
    let prefix = match cpython310_prefix(has_headers_and_lib) {
        Ok(prefix) => prefix,
        Err(looked) => {
            skip_or_fail(
                TEST,
                &format!(
                    "CPython 3.10 (headers and libpython3.10.so) not found; looked at: {}",
                    looked.join("; ")
                ),
                CPYTHON310_REQUIRE_VAR,
            );
            return;
        }
    };
    match cpython_version(&prefix) {
        Some(version) if version == VERSION => {}
        other => {
            skip_or_fail(
                TEST,
                &format!(
                    "{} is CPython {}, the README's section is generated from {VERSION}",
                    prefix.display(),
                    other.as_deref().unwrap_or("of unknown version")
                ),
                CPYTHON310_REQUIRE_VAR,
            );
            return;
        }
    }
    if !tool_available("python3") {
        skip_or_fail(TEST, "python3 is not installed", CPYTHON310_REQUIRE_VAR);
        return;
    }

    let so = libpycoro_so();
    let script = repo_root().join("capi-tests/tools/capi_coverage.py");
    let output = Command::new("python3")
        .arg(&script)
        .arg(&so)
        .arg("--prefix")
        .arg(&prefix)
        .output()
        .unwrap_or_else(|e| panic!("run python3 {}: {e}", script.display()));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{} failed ({}):\n{stderr}",
        script.display(),
        output.status
    );
    let generated = stdout.trim_end();
    assert!(
        generated.starts_with(HEADING),
        "the script's output does not start with {HEADING:?}:\n{generated}"
    );

    let readme = std::fs::read_to_string(repo_root().join("README.md")).expect("read README.md");
    let Some(current) = readme_section(&readme) else {
        panic!(
            "README.md has no section {HEADING:?}: run `{REGENERATE}` (it goes before ## Layout)"
        );
    };
    let current = current.trim_end();
    if current != generated {
        let (old, new): (Vec<&str>, Vec<&str>) =
            (current.lines().collect(), generated.lines().collect());
        let first = old
            .iter()
            .zip(&new)
            .position(|(a, b)| a != b)
            .unwrap_or(old.len().min(new.len()));
        panic!(
            "README.md's section {HEADING:?} is stale (libpycoro.so: {}): run `{REGENERATE}` \
             (after `cargo build`) and commit README.md.\nfirst difference at line {} of the section:\n  README:    {}\n  \
             generated: {}",
            so.display(),
            first + 1,
            old.get(first).unwrap_or(&"<end of section>"),
            new.get(first).unwrap_or(&"<end of section>"),
        );
    }
}
