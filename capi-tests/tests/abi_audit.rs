//! The shipped ABI is exactly what the headers declare: every function and variable declared
//! in `include/*.h` is exported by `libpycoro.so` (`nm -D --defined-only`) with the right kind,
//! and every symbol the library exports is declared.
//!
//! The headers are read through the C preprocessor (comments, `#define`s and `__cplusplus`
//! blocks gone, the include chain followed) and only text from files under `include/` is kept;
//! then top-level declarations are split at `;` outside braces. Typedefs, struct/enum bodies,
//! `static inline` definitions and `_Static_assert`s declare no symbol and are skipped.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use capi_tests::{
    SONAME, compiler, include_dir, libpycoro_so, run_with_timeout, scratch_dir, unique_path,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Function,
    Data,
}

/// Symbols a shared library may export that are the toolchain's, not pycoro's API.
const TOOLCHAIN_SYMBOLS: &[&str] = &[
    "_init",
    "_fini",
    "__bss_start",
    "_edata",
    "_end",
    "rust_eh_personality",
];

/// The source text that came from files under `include_dir`, from `cc -E` output.
fn text_from_include_dir(preprocessed: &str, include_dir: &Path) -> String {
    let include_dir = include_dir.to_string_lossy();
    let mut keep = false;
    let mut text = String::new();
    for line in preprocessed.lines() {
        // Line markers: `# 12 "/path/to/file.h" 1 3`.
        if let Some(marker) = line.strip_prefix("# ") {
            if let Some((_, file)) = marker.split_once('"') {
                let file = file.split('"').next().unwrap_or("");
                keep = file.starts_with(&*include_dir);
            }
            continue;
        }
        if keep {
            text.push_str(line);
            text.push('\n');
        }
    }
    text
}

/// Top-level statements with brace bodies replaced by `{}`; function definitions dropped.
fn top_level_statements(text: &str) -> Vec<String> {
    let mut statements = Vec::new();
    let mut current = String::new();
    let mut depth = 0usize;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' | '\'' if depth == 0 => {
                // Literals only occur in initialisers here; keep them whole.
                current.push(c);
                while let Some(d) = chars.next() {
                    current.push(d);
                    if d == '\\' {
                        if let Some(e) = chars.next() {
                            current.push(e);
                        }
                    } else if d == c {
                        break;
                    }
                }
            }
            '{' => {
                if depth == 0 {
                    current.push_str("{}");
                }
                depth += 1;
            }
            '}' => {
                depth = depth.saturating_sub(1);
                let head = current.trim_start();
                let is_aggregate = ["typedef", "struct", "union", "enum"]
                    .iter()
                    .any(|kw| head.starts_with(kw));
                if depth == 0 && !is_aggregate && head.contains('(') {
                    // A function definition (static inline): it ends at its body.
                    current.clear();
                }
            }
            ';' if depth == 0 => {
                let statement = current.split_whitespace().collect::<Vec<_>>().join(" ");
                if !statement.is_empty() {
                    statements.push(statement);
                }
                current.clear();
            }
            _ if depth == 0 => current.push(c),
            _ => {}
        }
    }
    statements
}

fn identifiers(text: &str) -> impl DoubleEndedIterator<Item = &str> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty() && !w.starts_with(|c: char| c.is_ascii_digit()))
}

/// Removes `__attribute__((...))` (balanced parentheses) from a declaration.
fn strip_attributes(statement: &str) -> String {
    let mut out = statement.to_owned();
    while let Some(start) = out.find("__attribute__") {
        let mut depth = 0;
        let mut end = out.len();
        for (i, c) in out[start..].char_indices() {
            match c {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        end = start + i + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        out.replace_range(start..end, " ");
    }
    out
}

/// The symbol a top-level statement declares, if any.
fn declared_symbol(statement: &str) -> Option<(String, Kind)> {
    let s = strip_attributes(statement);
    let s = s.trim();
    let first = identifiers(s).next()?;
    if matches!(
        first,
        "typedef" | "static" | "_Static_assert" | "static_assert"
    ) || identifiers(s).any(|w| w == "inline")
    {
        return None;
    }
    let s = s.strip_prefix("extern").unwrap_or(s).trim();
    if let Some(paren) = s.find('(') {
        let after = s[paren + 1..].trim_start();
        if let Some(pointer) = after.strip_prefix('*') {
            // `T (*name)(args)`: a variable holding a function pointer.
            let name =
                identifiers(pointer).find(|w| !matches!(*w, "const" | "volatile" | "restrict"))?;
            return Some((name.to_owned(), Kind::Data));
        }
        let name = identifiers(&s[..paren]).next_back()?;
        return Some((name.to_owned(), Kind::Function));
    }
    if matches!(first, "struct" | "union" | "enum") && !s.contains('}') {
        // `struct X;` declares a tag only; `struct X var;` declares a variable.
        if identifiers(s).count() <= 2 {
            return None;
        }
    }
    if s.contains("{}") && matches!(first, "struct" | "union" | "enum") && s.ends_with('}') {
        return None;
    }
    let end = s.find(['[', '=']).unwrap_or(s.len());
    let name = identifiers(&s[..end]).next_back()?;
    Some((name.to_owned(), Kind::Data))
}

/// Every symbol declared by the headers under `include/`, preprocessed as C11.
fn declared_symbols() -> BTreeMap<String, Kind> {
    let include = include_dir();
    let mut headers: Vec<String> = fs::read_dir(&include)
        .expect("read include/")
        .map(|e| {
            e.expect("entry")
                .file_name()
                .into_string()
                .expect("UTF-8 name")
        })
        .filter(|n| n.ends_with(".h"))
        .collect();
    headers.sort();
    // Python.h first: companion headers rely on it, as in CPython.
    headers.sort_by_key(|h| h != "Python.h");
    let source: String = headers
        .iter()
        .map(|h| format!("#include <{h}>\n"))
        .collect();

    let dir = scratch_dir("abi-audit");
    let path = unique_path(&dir, "all_headers", ".c");
    fs::write(&path, source).expect("write all_headers.c");
    let mut cmd = compiler(false);
    cmd.args(["-std=c11", "-E"])
        .arg(format!("-I{}", include.display()))
        .arg(&path);
    let outcome = run_with_timeout(cmd, &dir, Duration::from_secs(120));
    let _ = fs::remove_file(&path);
    assert!(
        outcome.status.success(),
        "preprocessing the headers failed\n{}",
        outcome.transcript()
    );
    let text = text_from_include_dir(&outcome.stdout, &include);
    let mut symbols = BTreeMap::new();
    for statement in top_level_statements(&text) {
        if let Some((name, kind)) = declared_symbol(&statement) {
            symbols.insert(name, kind);
        }
    }
    symbols
}

/// `nm -D --defined-only`: name -> kind, for the kinds an ABI consists of.
fn exported_symbols(so: &Path) -> BTreeMap<String, char> {
    let output = Command::new("nm")
        .args(["-D", "--defined-only"])
        .arg(so)
        .output()
        .expect("run nm (binutils)");
    assert!(output.status.success(), "nm failed: {output:?}");
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| {
            let mut parts = line.split_whitespace();
            let (_address, kind, name) = (parts.next()?, parts.next()?, parts.next()?);
            let kind = kind.chars().next()?;
            let name = name.split('@').next()?;
            ("TDBRV".contains(kind.to_ascii_uppercase()) && !TOOLCHAIN_SYMBOLS.contains(&name))
                .then(|| (name.to_owned(), kind.to_ascii_uppercase()))
        })
        .collect()
}

#[test]
fn header_declarations_and_exports_match() {
    let so = libpycoro_so();
    let declared = declared_symbols();
    let exported = exported_symbols(&so);
    let mut problems = Vec::new();
    for (name, kind) in &declared {
        match (exported.get(name), kind) {
            (None, _) => problems.push(format!(
                "`{name}` is declared in include/ but libpycoro.so does not export it"
            )),
            (Some('T'), Kind::Function) => {}
            (Some('D' | 'B' | 'R' | 'V'), Kind::Data) => {}
            (Some(k), _) => problems.push(format!(
                "`{name}` is declared as {kind:?} but exported with nm kind {k}"
            )),
        }
    }
    for (name, k) in &exported {
        if !declared.contains_key(name) {
            problems.push(format!(
                "`{name}` (nm kind {k}) is exported by libpycoro.so but declared in no header \
                 under include/"
            ));
        }
    }
    let functions = declared.values().filter(|k| **k == Kind::Function).count();
    println!(
        "declared: {} ({functions} functions, {} data); exported: {}",
        declared.len(),
        declared.len() - functions,
        exported.len()
    );
    assert!(
        problems.is_empty(),
        "the headers and libpycoro.so disagree ({} problems):\n  {}",
        problems.len(),
        problems.join("\n  ")
    );
    assert!(
        !declared.is_empty(),
        "found no declarations in include/: parser broken?"
    );
}

#[test]
fn library_has_the_soname_programs_link_against() {
    let so = libpycoro_so();
    let output = Command::new("readelf")
        .arg("-d")
        .arg(&so)
        .output()
        .expect("run readelf (binutils)");
    let dynamic = String::from_utf8_lossy(&output.stdout);
    assert!(
        dynamic.contains(&format!("Library soname: [{SONAME}]")),
        "libpycoro.so should have SONAME {SONAME}:\n{dynamic}"
    );
}

#[test]
fn declaration_parser_handles_c_forms() {
    let text = r#"
        typedef struct PyObject { long ob_refcnt; struct PyTypeObject *ob_type; } PyObject;
        typedef int (*visitproc)(PyObject *, void *);
        struct Tag;
        enum { A = 1, B = 2 };
        extern PyObject _Py_NoneStruct;
        extern PyObject *PyExc_TypeError;
        extern const char *const names[3];
        extern int (*PyOS_InputHook)(void);
        PyObject *PyErr_Format(PyObject *exception,
                               const char *format,
                               ...);
        void Py_IncRef(PyObject *o) __attribute__((nonnull(1)));
        static inline int Py_IS_TYPE(const PyObject *o, const struct PyTypeObject *t) {
            if (o) { return o->ob_type == t; }
            return 0;
        }
        _Static_assert(sizeof(PyObject) == 16, "size");
        int PyGen_Check(PyObject *op);
    "#;
    let found: Vec<(String, Kind)> = top_level_statements(text)
        .iter()
        .filter_map(|s| declared_symbol(s))
        .collect();
    let expected = [
        ("_Py_NoneStruct", Kind::Data),
        ("PyExc_TypeError", Kind::Data),
        ("names", Kind::Data),
        ("PyOS_InputHook", Kind::Data),
        ("PyErr_Format", Kind::Function),
        ("Py_IncRef", Kind::Function),
        ("PyGen_Check", Kind::Function),
    ];
    let expected: Vec<(String, Kind)> = expected
        .iter()
        .map(|(n, k)| ((*n).to_owned(), *k))
        .collect();
    assert_eq!(found, expected);
}
