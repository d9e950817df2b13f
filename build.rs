//! Generates the C header from the Rust sources with cbindgen.
//!
//! The header is written to `OUT_DIR` only; `include/pycoro.h` is the checked-in copy
//! (`make header` refreshes it and a test fails when the two differ). The cdylib gets a
//! SONAME so C programs record `libpycoro.so.0` and not a build path.

use std::env;
use std::path::PathBuf;

fn main() {
    let crate_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let out_dir = PathBuf::from(env::var("OUT_DIR").expect("OUT_DIR"));
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libpycoro.so.0");
    // Calls between pycoro's own functions bind to its own definitions even when a process
    // already has libpython's functions of the same names. Data is left to the dynamic linker:
    // an executable that takes `&_Py_NoneStruct` gets a copy relocation, and the library must
    // then use that copy too (plain -Bsymbolic would split None, True and PyExc_* in two).
    println!("cargo:rustc-cdylib-link-arg=-Wl,-Bsymbolic-functions");
    // Never unloaded (dlclose leaves it mapped): the thread-exit destructors and the atexit
    // handler that release thread states (src/python/pystate.rs) must outlive every thread.
    println!("cargo:rustc-cdylib-link-arg=-Wl,-z,nodelete");

    let config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml"))
        .expect("cbindgen.toml must parse");
    let bindings = cbindgen::Builder::new()
        .with_crate(&crate_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen failed to generate the header");
    let header = out_dir.join("pycoro.h");
    bindings.write_to_file(&header);
    println!("cargo:header={}", header.display());
}
