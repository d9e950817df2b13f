//! Every slot and flag of every static type pycoro exports, compared with CPython 3.10's after
//! `Py_Initialize()`.
//!
//! `cpython310/slots.c` is compiled against CPython 3.10's OWN headers and linked twice: with
//! `libpython3.10.so` (embedded CPython) and with `libpycoro.so` only. Each binary prints a
//! transcript, one line per (type, field) — see the comment at the top of slots.c for what each
//! value means — and this test compares the two line by line:
//!
//! 1. the type symbols are those `nm -D` shows libpython exporting as data (`D`/`B`): names
//!    ending in `_Type` (type objects) and `PyExc_*` (pointers to the exception classes);
//! 2. CPython's binary puts them in the canonical order (`--order`: base types first);
//! 3. both binaries print the full list (CPython's transcript is kept for reference); the types
//!    pycoro lacks (`<name>: absent`) are listed in the report and left out of the comparison;
//! 4. both binaries print the types pycoro has, and these transcripts are compared: every
//!    line CPython prints must be the same in pycoro's, and pycoro must print no other.
//!    Step 4 restricts the list so that `~Type.slot` (the first holder of a shared function)
//!    names the same type on both sides, whatever types pycoro lacks.
//!
//! Differences are grouped by kind (field and the two values; flags bit by bit; `tp_dict`
//! keys together) and listed in full. The transcripts and the report are written under
//! `<target>/<profile>/capi-tests/slots/` (paths printed to stderr).
//!
//! `cpython310/slots_deviations.txt` lists genuine, documented deviations, one a line:
//! `<type> <field> <reason>`, where `<type>` is a symbol (or `*`: every type) and `<field>` a
//! transcript field (`tp_flags.<BIT>` excuses one flag bit). A difference it names is reported
//! as allowed, not as a failure; an entry that matches no difference is itself a failure (a
//! stale excuse).
//!
//! CPython 3.10 (headers and `lib/libpython3.10.so`) is looked for as `cpython_headers.rs`
//! does. Without it the test writes a loud `SKIPPED` message to stderr and passes, unless
//! `PYCORO_REQUIRE_CPYTHON310` is set (to anything but `0` or empty): then it fails.

use std::collections::{BTreeMap, BTreeSet};
use std::env;
use std::fmt::Write as _;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use capi_tests::{
    C_WARNINGS, CPYTHON310_PREFIX_VAR, Outcome, compiler, cpython310_prefix, libpycoro_so,
    repo_root, run_with_timeout, scratch_dir, unique_path,
};

const REQUIRE_VAR: &str = "PYCORO_REQUIRE_CPYTHON310";
const LIBPYTHON: &str = "lib/libpython3.10.so";
/// Printed for a line one transcript has and the other lacks.
const MISSING: &str = "(missing)";
/// Diff lines shown in the failure message (the report file has them all).
const SHOWN_DIFFS: usize = 200;

fn cpython310_dir() -> PathBuf {
    repo_root().join("capi-tests").join("cpython310")
}

/// CPython 3.10's prefix, or None after telling loudly why the test is skipped.
fn prefix_or_skip() -> Option<PathBuf> {
    match cpython310_prefix(capi_tests::has_headers_and_lib) {
        Ok(prefix) => Some(prefix),
        Err(looked) => {
            let required = env::var(REQUIRE_VAR).is_ok_and(|v| !v.is_empty() && v != "0");
            let message = format!(
                "\n\n*** SKIPPED: CPython 3.10 (headers and {LIBPYTHON}) not found: \
                 slots_cpython did NOT compare pycoro's type slots with CPython's. ***\n\
                 Looked at:\n  {}\n\
                 Install it (`pyenv install 3.10.13`) or set {CPYTHON310_PREFIX_VAR}=<prefix of \
                 a CPython 3.10 install with a shared libpython>; set {REQUIRE_VAR}=1 to make \
                 this a failure.\n",
                looked.join("\n  ")
            );
            assert!(!required, "{message}");
            // Straight to the process's stderr: libtest captures eprintln!, and a skip must be
            // seen.
            let _ = std::io::stderr().write_all(message.as_bytes());
            None
        }
    }
}

/// The type symbols libpython exports: data (`D`/`B`) named `*_Type` or `PyExc_*`.
fn type_symbols(libpython: &Path) -> Vec<String> {
    let out = Command::new("nm")
        .args(["-D", "--defined-only"])
        .arg(libpython)
        .output()
        .unwrap_or_else(|e| panic!("cannot run nm (binutils) on {}: {e}", libpython.display()));
    assert!(
        out.status.success(),
        "nm -D {} failed: {}",
        libpython.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let names: BTreeSet<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|line| {
            let mut parts = line.split_whitespace();
            let (_, kind, name) = (parts.next()?, parts.next()?, parts.next()?);
            let data = kind == "D" || kind == "B";
            (data && (name.ends_with("_Type") || name.starts_with("PyExc_"))).then(|| name.into())
        })
        .collect();
    assert!(
        names.contains("PyBaseObject_Type") && names.contains("PyExc_BaseException"),
        "nm -D {} shows no PyBaseObject_Type / PyExc_BaseException: not CPython's libpython?",
        libpython.display()
    );
    names.into_iter().collect()
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Link {
    Cpython,
    Pycoro,
}

/// The shared libraries an executable depends on (readelf's NEEDED entries).
fn needed(exe: &Path) -> Vec<String> {
    let out = Command::new("readelf")
        .arg("-d")
        .arg(exe)
        .output()
        .unwrap_or_else(|e| panic!("cannot run readelf (binutils): {e}"));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.contains("(NEEDED)"))
        .filter_map(|l| Some(l.split('[').nth(1)?.trim_end_matches(']').to_owned()))
        .collect()
}

/// Compiles slots.c against CPython's headers, linked with libpython or with libpycoro only.
fn compile(prefix: &Path, link: Link, dir: &Path) -> PathBuf {
    let source = cpython310_dir().join("slots.c");
    let include = prefix.join("include/python3.10");
    let name = match link {
        Link::Cpython => "slots_cpython310",
        Link::Pycoro => "slots_pycoro",
    };
    let exe = dir.join(name);
    let tmp_exe = unique_path(dir, name, ".tmp");
    let lib_dir = match link {
        Link::Cpython => prefix.join("lib"),
        Link::Pycoro => libpycoro_so()
            .parent()
            .expect("libpycoro.so has a directory")
            .to_path_buf(),
    };
    let mut cmd = compiler(false);
    // Only CPython's include directory: pycoro's include/ must not be on the path.
    cmd.args(C_WARNINGS)
        .arg(format!("-I{}", include.display()))
        .arg(&source)
        .arg("-o")
        .arg(&tmp_exe)
        .arg(format!("-L{}", lib_dir.display()))
        .arg(match link {
            Link::Cpython => "-lpython3.10",
            Link::Pycoro => "-lpycoro",
        })
        .arg(format!("-Wl,-rpath,{}", lib_dir.display()))
        .arg("-ldl");
    let outcome = run_with_timeout(cmd, dir, Duration::from_secs(120));
    assert!(
        outcome.status.success(),
        "compiling {} against {} ({link:?}) failed\n{}",
        source.display(),
        include.display(),
        outcome.transcript()
    );
    fs::rename(&tmp_exe, &exe)
        .unwrap_or_else(|e| panic!("rename {} -> {}: {e}", tmp_exe.display(), exe.display()));

    let needed = needed(&exe);
    let has = |lib: &str| needed.iter().any(|n| n.starts_with(lib));
    let right = match link {
        Link::Cpython => has("libpython3.10") && !has("libpycoro"),
        Link::Pycoro => has("libpycoro") && !has("libpython"),
    };
    assert!(right, "{} ({link:?}) depends on {needed:?}", exe.display());
    exe
}

/// `slots --order <names>`: the names in the canonical order (CPython's hierarchy).
fn run_order(exe: &Path, names: &Path) -> Vec<String> {
    let mut cmd = Command::new(exe);
    cmd.arg("--order").arg(names);
    let outcome = run_with_timeout(cmd, exe.parent().unwrap(), Duration::from_secs(120));
    assert!(
        outcome.status.success(),
        "{} --order failed\n{}",
        exe.display(),
        outcome.transcript()
    );
    outcome.stdout.lines().map(str::to_owned).collect()
}

/// `slots <names>`: its output, and whether it finished (exit 0 after its `# end` line).
fn run_transcript(exe: &Path, names: &Path) -> (Outcome, bool) {
    let mut cmd = Command::new(exe);
    cmd.arg(names);
    let outcome = run_with_timeout(cmd, exe.parent().unwrap(), Duration::from_secs(120));
    let finished = outcome.status.success() && outcome.stdout.lines().last() == Some("# end");
    (outcome, finished)
}

fn write(path: &Path, text: &str) {
    fs::write(path, text).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}

/// A transcript, parsed.
#[derive(Default)]
struct Transcript {
    /// Types in the order printed.
    order: Vec<String>,
    /// `<name>: absent` (or `: NULL pointer`) lines: name -> what was printed.
    missing: BTreeMap<String, String>,
    /// type -> its (field, value) lines, in order.
    fields: BTreeMap<String, Vec<(String, String)>>,
    /// Lines that fit no form (reported: the program printed something unexpected).
    stray: Vec<String>,
}

fn parse(text: &str) -> Transcript {
    let mut t = Transcript::default();
    for line in text.lines() {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some((ty, what)) = line.split_once(": ")
            && !ty.contains(' ')
        {
            t.order.push(ty.to_owned());
            t.missing.insert(ty.to_owned(), what.to_owned());
            continue;
        }
        let parsed = line.split_once(' ').and_then(|(ty, rest)| {
            let (field, value) = rest.split_once(": ")?;
            Some((ty, field, value))
        });
        let Some((ty, field, value)) = parsed else {
            t.stray.push(line.to_owned());
            continue;
        };
        let fields = t.fields.entry(ty.to_owned()).or_default();
        if fields.is_empty() {
            t.order.push(ty.to_owned());
        }
        fields.push((field.to_owned(), value.to_owned()));
    }
    t
}

/// The flag names of a `tp_flags` value (`0x... = A|B|bit21`).
fn flag_names(value: &str) -> BTreeSet<String> {
    value
        .split_once(" = ")
        .map(|(_, names)| names)
        .unwrap_or("")
        .split('|')
        .filter(|n| !n.is_empty() && *n != "0")
        .map(str::to_owned)
        .collect()
}

struct Deviation {
    ty: String,
    field: String,
    reason: String,
    line: usize,
}

fn load_deviations(path: &Path) -> Vec<Deviation> {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    let mut deviations = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut parts = line.splitn(3, char::is_whitespace);
        let (ty, field, reason) = (parts.next(), parts.next(), parts.next());
        let (Some(ty), Some(field), Some(reason)) = (ty, field, reason.map(str::trim)) else {
            panic!(
                "{}:{}: expected `<type> <field> <reason>`, got {line:?}",
                path.display(),
                i + 1
            );
        };
        assert!(
            !reason.is_empty(),
            "{}:{}: a deviation needs a reason",
            path.display(),
            i + 1
        );
        deviations.push(Deviation {
            ty: ty.into(),
            field: field.into(),
            reason: reason.into(),
            line: i + 1,
        });
    }
    deviations
}

/// One differing line (for tp_flags: one differing bit, field `tp_flags.<BIT>`).
struct Diff {
    ty: String,
    field: String,
    cpython: String,
    pycoro: String,
}

/// The sub-slot tables' field prefixes.
const SUB_SLOT_PREFIXES: &[&str] = &["am_", "nb_", "sq_", "was_sq_", "mp_", "bf_"];

impl Diff {
    /// The group this difference belongs to: the field and an abstraction of both values.
    ///
    /// `tp_*` slots keep their name and exact values; the sub-slots of a table are grouped
    /// together (`nb_*`, with `~PyLong_Type.nb_add` read as `~PyLong_Type.*`); `tp_dict` keys
    /// together (present or missing); plain values (names, sizes, docs) as `<value>`.
    fn kind(&self) -> String {
        let sub_slot = SUB_SLOT_PREFIXES
            .iter()
            .find(|p| self.field.starts_with(*p))
            .map(|p| if *p == "was_sq_" { "sq_" } else { p });
        let abstracted = |v: &str| -> String {
            if v == MISSING {
                return v.to_owned();
            }
            if sub_slot.is_some()
                && let Some((holder, _)) = v.strip_prefix('~').and_then(|h| h.split_once('.'))
            {
                return format!("~{holder}.*");
            }
            match self.field.as_str() {
                "tp_name"
                | "tp_doc"
                | "tp_basicsize"
                | "tp_itemsize"
                | "tp_dictoffset"
                | "tp_weaklistoffset"
                | "tp_vectorcall_offset"
                | "ob_type"
                | "tp_base" => "<value>".into(),
                "tp_mro" | "tp_bases" if v.starts_with('(') => "<tuple>".into(),
                f if f.starts_with("tp_dict[") => "<present>".into(),
                _ => v.to_owned(),
            }
        };
        let field = match sub_slot {
            Some(prefix) => format!("{prefix}*"),
            None if self.field.starts_with("tp_dict[") => "tp_dict[*]".to_owned(),
            None => self.field.clone(),
        };
        format!(
            "{field}: CPython `{}`, pycoro `{}`",
            abstracted(&self.cpython),
            abstracted(&self.pycoro)
        )
    }
}

struct Comparison {
    lines: usize,
    diffs: Vec<Diff>,
    /// Differences excused by a deviation (with its reason).
    allowed: Vec<(Diff, String)>,
}

/// Compares the types both transcripts print, line by line.
fn compare(
    cp: &Transcript,
    py: &Transcript,
    types: &[String],
    deviations: &[Deviation],
) -> (Comparison, Vec<bool>) {
    let mut used = vec![false; deviations.len()];
    let mut cmp = Comparison {
        lines: 0,
        diffs: Vec::new(),
        allowed: Vec::new(),
    };
    let empty = Vec::new();
    for ty in types {
        let a = cp.fields.get(ty).unwrap_or(&empty);
        let b = py.fields.get(ty).unwrap_or(&empty);
        let b_map: BTreeMap<&str, &str> = b.iter().map(|(f, v)| (f.as_str(), v.as_str())).collect();
        let a_fields: BTreeSet<&str> = a.iter().map(|(f, _)| f.as_str()).collect();
        // CPython's lines in its order, then pycoro's extra lines in its order.
        let mut rows: Vec<(&str, &str, &str)> = a
            .iter()
            .map(|(f, v)| {
                (
                    f.as_str(),
                    v.as_str(),
                    *b_map.get(f.as_str()).unwrap_or(&MISSING),
                )
            })
            .collect();
        rows.extend(
            b.iter()
                .filter(|(f, _)| !a_fields.contains(f.as_str()))
                .map(|(f, v)| (f.as_str(), MISSING, v.as_str())),
        );
        for (field, cpython, pycoro) in rows {
            cmp.lines += 1;
            if cpython == pycoro {
                continue;
            }
            // Flags: one difference per differing bit.
            let mut found = Vec::new();
            if field == "tp_flags" && cpython != MISSING && pycoro != MISSING {
                let (fa, fb) = (flag_names(cpython), flag_names(pycoro));
                for bit in fa.symmetric_difference(&fb) {
                    let state = |set: &BTreeSet<String>| {
                        if set.contains(bit) { "set" } else { "clear" }.to_owned()
                    };
                    found.push(Diff {
                        ty: ty.clone(),
                        field: format!("tp_flags.{bit}"),
                        cpython: state(&fa),
                        pycoro: state(&fb),
                    });
                }
            } else {
                found.push(Diff {
                    ty: ty.clone(),
                    field: field.to_owned(),
                    cpython: cpython.to_owned(),
                    pycoro: pycoro.to_owned(),
                });
            }
            for diff in found {
                let excuse = deviations
                    .iter()
                    .position(|d| (d.ty == "*" || d.ty == diff.ty) && d.field == diff.field);
                match excuse {
                    Some(i) => {
                        used[i] = true;
                        cmp.allowed.push((diff, deviations[i].reason.clone()));
                    }
                    None => cmp.diffs.push(diff),
                }
            }
        }
    }
    (cmp, used)
}

/// Groups the differences by kind, biggest group first: one line per group.
fn grouped(diffs: &[Diff]) -> Vec<String> {
    let mut groups: BTreeMap<String, (usize, Vec<&str>)> = BTreeMap::new();
    for d in diffs {
        let g = groups.entry(d.kind()).or_default();
        g.0 += 1;
        if g.1.last() != Some(&d.ty.as_str()) {
            g.1.push(&d.ty);
        }
    }
    let mut groups: Vec<_> = groups.into_iter().collect();
    groups.sort_by(|a, b| b.1.0.cmp(&a.1.0).then(a.0.cmp(&b.0)));
    groups
        .into_iter()
        .map(|(kind, (count, types))| {
            let shown: Vec<&str> = types.iter().copied().take(8).collect();
            let more = if types.len() > 8 { ", ..." } else { "" };
            format!(
                "{count:5} lines in {:3} types  {kind}  [{}{more}]",
                types.len(),
                shown.join(", ")
            )
        })
        .collect()
}

#[test]
fn slots_match_cpython310() {
    let Some(prefix) = prefix_or_skip() else {
        return;
    };
    let dir = scratch_dir("slots");
    let libpython = prefix.join(LIBPYTHON);
    let cp_exe = compile(&prefix, Link::Cpython, &dir);
    let py_exe = compile(&prefix, Link::Pycoro, &dir);

    // 1-2: the names, in CPython's canonical order.
    let names_path = dir.join("names.txt");
    write(&names_path, &(type_symbols(&libpython).join("\n") + "\n"));
    let order = run_order(&cp_exe, &names_path);
    let order_path = dir.join("order.txt");
    write(&order_path, &(order.join("\n") + "\n"));

    // 3: every type, on both sides.
    let (cp_full, ok) = run_transcript(&cp_exe, &order_path);
    assert!(ok, "slots with CPython failed\n{}", cp_full.transcript());
    let cp_full_path = dir.join("cpython310_all.txt");
    write(&cp_full_path, &cp_full.stdout);
    let (py_full, py_full_ok) = run_transcript(&py_exe, &order_path);
    write(&dir.join("pycoro_all.txt"), &py_full.stdout);
    let cp_all = parse(&cp_full.stdout);
    let py_all = parse(&py_full.stdout);
    let absent: Vec<&String> = order
        .iter()
        .filter(|name| py_all.missing.contains_key(*name))
        .collect();
    let common: Vec<String> = order
        .iter()
        .filter(|name| {
            !py_all.missing.contains_key(*name)
                && !cp_all.missing.contains_key(*name)
                && (py_all.fields.contains_key(*name) || !py_full_ok)
        })
        .cloned()
        .collect();

    // 4: the types pycoro has, compared.
    let common_path = dir.join("common.txt");
    write(&common_path, &(common.join("\n") + "\n"));
    let (cp_run, ok) = run_transcript(&cp_exe, &common_path);
    assert!(ok, "slots with CPython failed\n{}", cp_run.transcript());
    let (py_run, py_ok) = run_transcript(&py_exe, &common_path);
    let cp_path = dir.join("cpython310.txt");
    let py_path = dir.join("pycoro.txt");
    write(&cp_path, &cp_run.stdout);
    write(&py_path, &py_run.stdout);
    let cp = parse(&cp_run.stdout);
    let py = parse(&py_run.stdout);

    let deviations_path = cpython310_dir().join("slots_deviations.txt");
    let mut deviations = load_deviations(&deviations_path);
    // Known gaps still to close (listed, reported, and failing when stale, like deviations).
    let todo_path = cpython310_dir().join("slots_todo.txt");
    let first_todo = deviations.len();
    for mut d in load_deviations(&todo_path) {
        d.reason = format!("TODO: {}", d.reason);
        deviations.push(d);
    }
    let (cmp, used) = compare(&cp, &py, &common, &deviations);
    let stale: Vec<String> = deviations
        .iter()
        .zip(&used)
        .enumerate()
        .filter(|(_, (_, used))| !**used)
        .map(|(i, (d, _))| {
            format!(
                "{}:{}: `{} {}` matches no difference",
                if i >= first_todo {
                    todo_path.display()
                } else {
                    deviations_path.display()
                },
                d.line,
                d.ty,
                d.field
            )
        })
        .collect();

    // The report.
    let differing_types: BTreeSet<&str> = cmp.diffs.iter().map(|d| d.ty.as_str()).collect();
    // Lines, not differences: the bits of one tp_flags line count once.
    let differing_lines = cmp
        .diffs
        .iter()
        .map(|d| {
            let field = if d.field.starts_with("tp_flags.") {
                "tp_flags"
            } else {
                d.field.as_str()
            };
            (d.ty.as_str(), field)
        })
        .collect::<BTreeSet<_>>()
        .len();
    let mut report = String::new();
    let _ = writeln!(
        report,
        "slots: CPython 3.10 ({}) vs pycoro ({})",
        prefix.display(),
        libpycoro_so().display()
    );
    let _ = writeln!(
        report,
        "{} type symbols in libpython; {} absent in pycoro (not compared); {} compared: \
         {} lines compared, {} differ ({} differences counting flag bits one by one, in {} \
         types), {} allowed by {}",
        order.len(),
        absent.len(),
        common.len(),
        cmp.lines,
        differing_lines,
        cmp.diffs.len(),
        differing_types.len(),
        cmp.allowed.len(),
        deviations_path.display()
    );
    if !py_ok || !py_full_ok {
        let _ = writeln!(
            report,
            "\n*** pycoro's run did not finish (exit {}): compared what it printed. stderr:\n{}",
            if py_ok { py_full.status } else { py_run.status },
            if py_ok {
                &py_full.stderr
            } else {
                &py_run.stderr
            }
        );
    }
    for (side, t) in [("CPython", &cp), ("pycoro", &py)] {
        if !t.stray.is_empty() {
            let _ = writeln!(report, "\n{side} printed unexpected lines: {:?}", t.stray);
        }
    }
    if !stale.is_empty() {
        let _ = writeln!(report, "\nStale deviations:\n  {}", stale.join("\n  "));
    }
    let _ = writeln!(report, "\nDifferences by kind:");
    for line in grouped(&cmp.diffs) {
        let _ = writeln!(report, "  {line}");
    }
    let _ = writeln!(
        report,
        "\nAbsent in pycoro ({}): {}",
        absent.len(),
        absent
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    );
    if !cmp.allowed.is_empty() {
        let _ = writeln!(report, "\nAllowed deviations:");
        for (d, reason) in &cmp.allowed {
            let _ = writeln!(
                report,
                "  {} {}: CPython {} | pycoro {}  ({reason})",
                d.ty, d.field, d.cpython, d.pycoro
            );
        }
    }
    let _ = writeln!(report, "\nEvery difference (type field: CPython | pycoro):");
    let header_len = report.len();
    for d in &cmp.diffs {
        let _ = writeln!(report, "{} {}: {} | {}", d.ty, d.field, d.cpython, d.pycoro);
    }
    let report_path = dir.join("diff.txt");
    write(&report_path, &report);

    let paths = format!(
        "slots_cpython: CPython 3.10's transcript (every type): {}\n\
         slots_cpython: compared transcripts: {} and {}\n\
         slots_cpython: report: {}\n",
        cp_full_path.display(),
        cp_path.display(),
        py_path.display(),
        report_path.display()
    );
    // Uncaptured, so the lead finds the files whatever the outcome.
    let _ = std::io::stderr().write_all(paths.as_bytes());

    let failed = !cmp.diffs.is_empty()
        || !stale.is_empty()
        || !py_ok
        || !py_full_ok
        || !cp.stray.is_empty()
        || !py.stray.is_empty();
    if failed {
        let shown: String = report[header_len..]
            .lines()
            .take(SHOWN_DIFFS)
            .map(|l| format!("{l}\n"))
            .collect();
        let more = cmp.diffs.len().saturating_sub(SHOWN_DIFFS);
        panic!(
            "pycoro's static types differ from CPython 3.10's\n{}{shown}{}\n{paths}",
            &report[..header_len],
            if more > 0 {
                format!("... and {more} more (see the report)\n")
            } else {
                String::new()
            }
        );
    }
    println!("{}", report.lines().next().unwrap_or(""));
}

/// The tool against itself: two runs of CPython's binary print the same transcript, every
/// line of every type is compared, nothing differs. (A comparison that found differences in
/// identical libraries would be noise; one that compared nothing would prove nothing.)
#[test]
fn cpython_matches_itself() {
    let Some(prefix) = prefix_or_skip() else {
        return;
    };
    let dir = scratch_dir("slots-self");
    let exe = compile(&prefix, Link::Cpython, &dir);
    let names_path = dir.join("names.txt");
    write(
        &names_path,
        &(type_symbols(&prefix.join(LIBPYTHON)).join("\n") + "\n"),
    );
    let order = run_order(&exe, &names_path);
    assert_eq!(order.first().map(String::as_str), Some("PyBaseObject_Type"));
    let order_path = dir.join("order.txt");
    write(&order_path, &(order.join("\n") + "\n"));
    let (first, ok1) = run_transcript(&exe, &order_path);
    let (second, ok2) = run_transcript(&exe, &order_path);
    assert!(
        ok1 && ok2,
        "{}\n{}",
        first.transcript(),
        second.transcript()
    );
    let (a, b) = (parse(&first.stdout), parse(&second.stdout));
    assert!(a.stray.is_empty(), "unexpected lines: {:?}", a.stray);
    assert!(a.missing.is_empty(), "CPython lacks {:?}", a.missing);
    let (cmp, _) = compare(&a, &b, &order, &[]);
    assert!(
        cmp.lines > 10_000,
        "only {} lines compared for {} types",
        cmp.lines,
        order.len()
    );
    let shown: Vec<String> = cmp
        .diffs
        .iter()
        .take(20)
        .map(|d| format!("{} {}: {} | {}", d.ty, d.field, d.cpython, d.pycoro))
        .collect();
    assert!(
        cmp.diffs.is_empty(),
        "CPython differs from itself:\n{}",
        shown.join("\n")
    );
    // Object's own slots are what the issue names, and the labels mean what they say.
    let object = &a.fields["PyBaseObject_Type"];
    let get = |ty: &str, field: &str| {
        a.fields[ty]
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("{ty} has no {field}"))
    };
    assert!(
        object
            .iter()
            .any(|(f, v)| f == "tp_getattro" && v == "=PyObject_GenericGetAttr")
    );
    assert_eq!(get("PyBaseObject_Type", "tp_hash"), "=_Py_HashPointer");
    assert_eq!(get("PyBaseObject_Type", "tp_repr"), "private");
    assert_eq!(get("PyLong_Type", "tp_str"), "~PyBaseObject_Type.tp_str");
    assert_eq!(get("PyExc_IOError", "alias of"), "PyExc_OSError");
    assert_eq!(get("PyBool_Type", "tp_base"), "PyLong_Type");
}

/// The comparison on made-up transcripts: flags bit by bit, missing lines, deviations.
#[test]
fn comparison_and_deviations() {
    let cp = parse(
        "# c\nA tp_flags: 0x1200 = HEAPTYPE|READY\nA tp_str: ~B.tp_str\nA tp_dict[x]: str\n\
         B tp_flags: 0x0 = 0\nC: absent\n# end\n",
    );
    let py = parse(
        "A tp_flags: 0x1000 = READY|bit21\nA tp_str: NULL\nA extra: 1\nB tp_flags: 0x0 = 0\n",
    );
    assert_eq!(cp.order, ["A", "B", "C"]);
    assert_eq!(cp.missing["C"], "absent");
    let types = ["A".to_owned(), "B".to_owned()];
    let (cmp, _) = compare(&cp, &py, &types, &[]);
    assert_eq!(cmp.lines, 5);
    let got: Vec<String> = cmp
        .diffs
        .iter()
        .map(|d| format!("{} {}: {} | {}", d.ty, d.field, d.cpython, d.pycoro))
        .collect();
    assert_eq!(
        got,
        [
            "A tp_flags.HEAPTYPE: set | clear",
            "A tp_flags.bit21: clear | set",
            "A tp_str: ~B.tp_str | NULL",
            "A tp_dict[x]: str | (missing)",
            "A extra: (missing) | 1",
        ]
    );
    let deviation = |ty: &str, field: &str| Deviation {
        ty: ty.into(),
        field: field.into(),
        reason: "because".into(),
        line: 1,
    };
    let deviations = [
        deviation("*", "tp_flags.bit21"),
        deviation("A", "tp_str"),
        deviation("B", "tp_str"),
    ];
    let (cmp, used) = compare(&cp, &py, &types, &deviations);
    assert_eq!(cmp.diffs.len(), 3);
    assert_eq!(cmp.allowed.len(), 2);
    assert_eq!(used, [true, true, false]);
}
