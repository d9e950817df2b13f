//! Runs bindgen over the checked-in `include/pycoro.h` into `OUT_DIR/bindings.rs`, so the tests
//! can compare what C sees with the Rust definitions in `pycoro`.
//!
//! Also hands the tests the path of the header that pycoro's own build script just generated
//! (`DEP_PYCORO_HEADER`, from `links = "pycoro"`) and the target triple the C compiler needs.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};

fn main() {
    let manifest_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let out_dir = PathBuf::from(env::var("OUT_DIR").expect("OUT_DIR"));
    let include_dir = manifest_dir
        .parent()
        .expect("capi-tests lives inside the repository")
        .join("include");
    let header = include_dir.join("pycoro.h");
    println!("cargo:rerun-if-changed={}", header.display());
    println!("cargo:rerun-if-env-changed=DEP_PYCORO_HEADER");

    let generated = env::var("DEP_PYCORO_HEADER")
        .expect("DEP_PYCORO_HEADER is not set: pycoro's build.rs must print cargo:header=<path>");
    println!("cargo:rustc-env=PYCORO_GENERATED_HEADER={generated}");
    println!(
        "cargo:rustc-env=CAPI_TESTS_TARGET={}",
        env::var("TARGET").expect("TARGET")
    );
    println!(
        "cargo:rustc-env=CAPI_TESTS_HOST={}",
        env::var("HOST").expect("HOST")
    );

    let bindings = bindgen::Builder::default()
        .header(header.to_str().expect("header path is UTF-8"))
        .clang_arg(format!("-I{}", include_dir.display()))
        .clang_arg("-std=c11")
        .allowlist_file(".*[/\\\\]pycoro\\.h")
        .rust_edition(bindgen::RustEdition::Edition2024)
        .derive_debug(false)
        .derive_default(false)
        .generate_comments(false)
        .layout_tests(true)
        .generate()
        .unwrap_or_else(|e| {
            panic!(
                "bindgen failed on {}: {e} (is libclang installed? `apt-get install libclang-dev`)",
                header.display()
            )
        });
    bindings
        .write_to_file(out_dir.join("bindings.rs"))
        .expect("write bindings.rs");

    write_c_program_tests(&manifest_dir.join("c"), &out_dir.join("c_programs.rs"));
    write_differential_tests(
        &manifest_dir.join("differential"),
        &out_dir.join("differential_pairs.rs"),
    );
}

/// One `#[test]` per C program and mode, so libtest runs them in parallel and names each
/// failure. `tests/c_programs.rs` includes the file and checks it against the directory.
fn write_c_program_tests(c_dir: &Path, out: &Path) {
    println!("cargo:rerun-if-changed={}", c_dir.display());
    let mut programs: Vec<String> = fs::read_dir(c_dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", c_dir.display()))
        .map(|entry| entry.expect("directory entry").file_name())
        .filter_map(|name| name.into_string().ok())
        .filter(|name| {
            name.ends_with(".c") && (name.starts_with("test_") || name == "layout_probe.c")
        })
        .collect();
    programs.sort();
    let mut code = String::new();
    code.push_str(&format!("const GENERATED_FOR: &[&str] = &{programs:?};\n"));
    for program in &programs {
        let stem = program.trim_end_matches(".c");
        let source = fs::read_to_string(c_dir.join(program))
            .unwrap_or_else(|e| panic!("read {program}: {e}"));
        for mode in modes(&source) {
            code.push_str(&format!(
                "#[test]\nfn {}_{stem}() {{ run_program({program:?}, Mode::{mode}); }}\n",
                mode.to_lowercase()
            ));
        }
    }
    fs::write(out, code).unwrap_or_else(|e| panic!("write {}: {e}", out.display()));
}

/// One `#[test]` per scenario of `differential/` (a `NAME.c` file; `tests/differential.rs`
/// checks that each has its `NAME.py` and includes the file).
fn write_differential_tests(dir: &Path, out: &Path) {
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut pairs: Vec<String> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").file_name())
        .filter_map(|name| name.into_string().ok())
        .filter_map(|name| name.strip_suffix(".c").map(str::to_owned))
        .collect();
    pairs.sort();
    let mut code = String::new();
    code.push_str(&format!("const GENERATED_FOR: &[&str] = &{pairs:?};\n"));
    for pair in &pairs {
        code.push_str(&format!(
            "#[test]\nfn pair_{pair}() {{ run_pair({pair:?}); }}\n"
        ));
    }
    fs::write(out, code).unwrap_or_else(|e| panic!("write {}: {e}", out.display()));
}

/// The modes a program runs in: all three, unless a line `// capi-tests: modes=plain,...`
/// names some (a program that limits its address space cannot run under valgrind or ASan).
fn modes(source: &str) -> Vec<&'static str> {
    let all = ["Plain", "Valgrind", "Sanitizers"];
    let Some(line) = source
        .lines()
        .find_map(|l| l.trim().strip_prefix("// capi-tests: modes="))
    else {
        return all.to_vec();
    };
    let wanted: Vec<String> = line.split(',').map(|m| m.trim().to_lowercase()).collect();
    for w in &wanted {
        assert!(
            all.iter().any(|m| m.to_lowercase() == *w),
            "unknown mode {w:?} in `// capi-tests: modes=` (plain, valgrind, sanitizers)"
        );
    }
    all.into_iter()
        .filter(|m| wanted.contains(&m.to_lowercase()))
        .collect()
}
