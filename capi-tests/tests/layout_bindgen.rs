//! What C sees (bindgen over `include/pycoro.h`) against what Rust defines (`pycoro::*`):
//! size, alignment, and every field's offset and size, for every struct in the header.
//!
//! Plus CPython 3.10's own numbers (reference §1.1/§1.2, measured on 3.10.13), read from the
//! layout assertions bindgen writes into `bindings.rs` (they are what clang computed from the
//! header), so a header that agrees with Rust but not with CPython fails too.
//!
//! When the header gains a struct, `every_struct_in_the_header_is_listed` fails and prints the
//! line to add to `layouts!` below.

use core::mem::{align_of, offset_of, size_of};
use std::collections::BTreeMap;

use capi_tests::{BINDINGS_RS, bindings};

/// The size of the field that `project` borrows: `field_size(|s: &T| &s.field)`.
fn field_size<T, F>(_project: impl Fn(&T) -> &F) -> usize {
    size_of::<F>()
}

fn compare(errors: &mut Vec<String>, what: String, c: usize, rust: usize) {
    if c != rust {
        errors.push(format!(
            "{what}: C (bindgen) says {c}, Rust (pycoro) says {rust}"
        ));
    }
}

/// Compares one field: `check_field!(errors, Struct, field)`, or with the Rust name when
/// bindgen renames a keyword (`type` becomes `type_`, Rust spells it `r#type`).
macro_rules! check_field {
    ($errors:ident, $name:ident, $field:ident) => {
        check_field!($errors, $name, $field, $field)
    };
    ($errors:ident, $name:ident, $field:ident, $rust_field:ident) => {
        compare(
            $errors,
            format!("offset_of!({}, {})", stringify!($name), stringify!($field)),
            offset_of!(bindings::$name, $field),
            offset_of!(pycoro::$name, $rust_field),
        );
        compare(
            $errors,
            format!("size of {}::{}", stringify!($name), stringify!($field)),
            // (unsafe only for union fields)
            #[allow(unused_unsafe)]
            field_size(|s: &bindings::$name| unsafe { &s.$field }),
            #[allow(unused_unsafe)]
            field_size(|s: &pycoro::$name| unsafe { &s.$rust_field }),
        );
    };
}

/// `Name { field, ... }`, one entry per struct of the header, every field listed by its
/// bindgen name (`type_ as r#type` where Rust spells it differently).
macro_rules! layouts {
    ($( $name:ident { $( $field:ident $(as $rust_field:ident)? ),* $(,)? } ),* $(,)?) => {
        const LISTED: &[(&str, &[&str])] =
            &[ $( (stringify!($name), &[ $( stringify!($field) ),* ]) ),* ];

        fn compare_all(errors: &mut Vec<String>) {
            $(
                compare(errors, format!("size_of::<{}>()", stringify!($name)),
                    size_of::<bindings::$name>(), size_of::<pycoro::$name>());
                compare(errors, format!("align_of::<{}>()", stringify!($name)),
                    align_of::<bindings::$name>(), align_of::<pycoro::$name>());
                $( check_field!(errors, $name, $field $(, $rust_field)?); )*
            )*
        }
    };
}

layouts! {
    CFrame { use_tracing, previous },
    PyType_Slot { slot, pfunc },
    PyType_Spec { name, basicsize, itemsize, flags, slots },
    wrapperbase { name, offset, function, wrapper, doc, flags, name_strobj },
    PyHeapTypeObject {
        ht_type, as_async, as_number, as_mapping, as_sequence, as_buffer, ht_name, ht_slots,
        ht_qualname, ht_cached_keys, ht_module
    },
    PyDescrObject { ob_base, d_type, d_name, d_qualname },
    PyMethodDescrObject { d_common, d_method, vectorcall },
    PyMemberDescrObject { d_common, d_member },
    PyGetSetDescrObject { d_common, d_getset },
    PyWrapperDescrObject { d_common, d_base, d_wrapped },
    Py_buffer {
        buf, obj, len, itemsize, readonly, ndim, format, shape, strides, suboffsets, internal
    },
    PyASCIIObject { ob_base, length, hash, state, wstr },
    PyDictObject { ob_base, ma_used, ma_version_tag, ma_keys, ma_values },
    PyListObject { ob_base, ob_item, allocated },
    PyAsyncMethods { am_await, am_aiter, am_anext, am_send },
    PyAsyncGenObject {
        ob_base, ag_frame, ag_code, ag_weakreflist, ag_name, ag_qualname, ag_exc_state,
        ag_finalizer, ag_hooks_inited, ag_closed, ag_running_async
    },
    PyAttributeErrorObject {
        ob_base, dict, args, traceback, context, cause, suppress_context, obj, name
    },
    PyBaseExceptionObject { ob_base, dict, args, traceback, context, cause, suppress_context },
    PyBufferProcs { bf_getbuffer, bf_releasebuffer },
    PyCFunctionObject { ob_base, m_ml, m_self, m_module, m_weakreflist, vectorcall },
    PyCMethodObject { func, mm_class },
    PyCodeObject {
        ob_base, co_argcount, co_posonlyargcount, co_kwonlyargcount, co_nlocals, co_stacksize,
        co_flags, co_firstlineno, co_code, co_consts, co_names, co_varnames, co_freevars,
        co_cellvars, co_cell2arg, co_filename, co_name, co_linetable, co_zombieframe,
        co_weakreflist, co_extra, co_opcache_map, co_opcache, co_opcache_flag, co_opcache_size
    },
    PyCompactUnicodeObject { _base, utf8_length, utf8, wstr_length },
    PyCoroObject {
        ob_base, cr_frame, cr_code, cr_weakreflist, cr_name, cr_qualname, cr_exc_state, cr_origin
    },
    _PyErr_StackItem { exc_type, exc_value, exc_traceback, previous_item },
    PyFrameObject {
        ob_base, f_back, f_code, f_builtins, f_globals, f_locals, f_valuestack, f_trace,
        f_stackdepth, f_trace_lines, f_trace_opcodes, f_gen, f_lasti, f_lineno, f_iblock, f_state,
        f_blockstack, f_localsplus
    },
    PyGenObject { ob_base, gi_frame, gi_code, gi_weakreflist, gi_name, gi_qualname, gi_exc_state },
    PyGetSetDef { name, get, set, doc, closure },
    PyLongObject { ob_base, ob_digit },
    PyMappingMethods { mp_length, mp_subscript, mp_ass_subscript },
    PyMemberDef { name, type_ as r#type, offset, flags, doc },
    PyMethodDef { ml_name, ml_meth, ml_flags, ml_doc },
    PyNameErrorObject { ob_base, dict, args, traceback, context, cause, suppress_context, name },
    PyNumberMethods {
        nb_add, nb_subtract, nb_multiply, nb_remainder, nb_divmod, nb_power, nb_negative,
        nb_positive, nb_absolute, nb_bool, nb_invert, nb_lshift, nb_rshift, nb_and, nb_xor, nb_or,
        nb_int, nb_reserved, nb_float, nb_inplace_add, nb_inplace_subtract, nb_inplace_multiply,
        nb_inplace_remainder, nb_inplace_power, nb_inplace_lshift, nb_inplace_rshift,
        nb_inplace_and, nb_inplace_xor, nb_inplace_or, nb_floor_divide, nb_true_divide,
        nb_inplace_floor_divide, nb_inplace_true_divide, nb_index, nb_matrix_multiply,
        nb_inplace_matrix_multiply
    },
    PyObject { ob_refcnt, ob_type },
    PyOSErrorObject {
        ob_base, dict, args, traceback, context, cause, suppress_context, myerrno, strerror,
        filename, filename2, written
    },
    PySequenceMethods {
        sq_length, sq_concat, sq_repeat, sq_item, was_sq_slice, sq_ass_item, was_sq_ass_slice,
        sq_contains, sq_inplace_concat, sq_inplace_repeat
    },
    PyStopIterationObject {
        ob_base, dict, args, traceback, context, cause, suppress_context, value
    },
    PySystemExitObject { ob_base, dict, args, traceback, context, cause, suppress_context, code },
    PyThreadState {
        prev, next, interp, frame, recursion_depth, recursion_headroom, stackcheck_counter, tracing,
        cframe, c_profilefunc, c_tracefunc, c_profileobj, c_traceobj, curexc_type, curexc_value,
        curexc_traceback, exc_state, exc_info, dict, gilstate_counter, async_exc, thread_id,
        trash_delete_nesting, trash_delete_later, on_delete, on_delete_data,
        coroutine_origin_tracking_depth, async_gen_firstiter, async_gen_finalizer, context,
        context_ver, id, root_cframe
    },
    PyTracebackObject { ob_base, tb_next, tb_frame, tb_lasti, tb_lineno },
    PyTryBlock { b_type, b_handler, b_level },
    PyTupleObject { ob_base, ob_item },
    PyTypeObject {
        ob_base, tp_name, tp_basicsize, tp_itemsize, tp_dealloc, tp_vectorcall_offset, tp_getattr,
        tp_setattr, tp_as_async, tp_repr, tp_as_number, tp_as_sequence, tp_as_mapping, tp_hash,
        tp_call, tp_str, tp_getattro, tp_setattro, tp_as_buffer, tp_flags, tp_doc, tp_traverse,
        tp_clear, tp_richcompare, tp_weaklistoffset, tp_iter, tp_iternext, tp_methods, tp_members,
        tp_getset, tp_base, tp_dict, tp_descr_get, tp_descr_set, tp_dictoffset, tp_init, tp_alloc,
        tp_new, tp_free, tp_is_gc, tp_bases, tp_mro, tp_cache, tp_subclasses, tp_weaklist, tp_del,
        tp_version_tag, tp_finalize, tp_vectorcall
    },
    PyUnicodeErrorObject {
        ob_base, dict, args, traceback, context, cause, suppress_context, encoding, object, start,
        end, reason
    },
    PyUnicodeObject { _base, data },
    PyVarObject { ob_base, ob_size },
    _Py_HashSecret_djbx33a { padding, suffix },
    _Py_HashSecret_expat { padding, hashsalt },
    _Py_HashSecret_fnv { prefix, suffix },
    _Py_HashSecret_siphash { k0, k1 },
    _Py_HashSecret_t { uc, fnv, siphash, djbx33a, expat },
}

#[test]
fn rust_and_c_layouts_agree() {
    let mut errors = Vec::new();
    compare_all(&mut errors);
    assert!(
        errors.is_empty(),
        "{} layout mismatches between include/pycoro.h and the pycoro crate:\n  {}",
        errors.len(),
        errors.join("\n  ")
    );
    println!("{} structs compared", LISTED.len());
}

/// A struct as bindgen wrote it: field names in order; `None` for an opaque handle.
fn parse_bindings_structs(text: &str) -> BTreeMap<String, Option<Vec<String>>> {
    let mut structs = BTreeMap::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let Some(rest) = line
            .strip_prefix("pub struct ")
            .or_else(|| line.strip_prefix("pub union "))
        else {
            continue;
        };
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let mut fields = Vec::new();
        if rest.trim_end().ends_with('{') {
            for body_line in lines.by_ref() {
                if body_line.starts_with('}') {
                    break;
                }
                // Fields sit at exactly one level of indentation; deeper lines continue a type.
                let Some(field) = body_line.strip_prefix("    ") else {
                    continue;
                };
                if field.starts_with(' ') {
                    continue;
                }
                let field = field.strip_prefix("pub ").unwrap_or(field);
                if let Some((field_name, _)) = field.split_once(':') {
                    fields.push(field_name.trim().to_owned());
                }
            }
        }
        let opaque = fields.is_empty() || fields == ["_unused"];
        structs.insert(name, if opaque { None } else { Some(fields) });
    }
    structs
}

/// bindgen's helpers and the C library's types, not part of pycoro's API.
fn is_bindgen_or_libc_type(name: &str) -> bool {
    name.starts_with("__") || name == "max_align_t"
}

#[test]
fn every_struct_in_the_header_is_listed() {
    let structs = parse_bindings_structs(BINDINGS_RS);
    let listed: BTreeMap<&str, &[&str]> = LISTED.iter().copied().collect();
    let mut problems = Vec::new();
    let mut opaque = Vec::new();
    for (name, fields) in &structs {
        if is_bindgen_or_libc_type(name) {
            continue;
        }
        let Some(fields) = fields else {
            opaque.push(name.as_str());
            if listed.contains_key(name.as_str()) {
                problems.push(format!(
                    "`{name}` is opaque in the header: remove it from layouts! in \
                     capi-tests/tests/layout_bindgen.rs"
                ));
            }
            continue;
        };
        match listed.get(name.as_str()) {
            None => problems.push(format!(
                "struct `{name}` is not checked: add this line to layouts! in \
                 capi-tests/tests/layout_bindgen.rs:\n        {name} {{ {} }},",
                fields.join(", ")
            )),
            Some(listed_fields) => {
                for field in fields {
                    if !listed_fields.contains(&field.as_str()) {
                        problems.push(format!(
                            "field `{name}::{field}` is not checked: add `{field}` to \
                             `{name} {{ ... }}` in layouts! in capi-tests/tests/layout_bindgen.rs"
                        ));
                    }
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "bindings.rs has structs or fields the layout list does not cover:\n  {}",
        problems.join("\n  ")
    );
    println!(
        "{} structs checked, {} opaque handles: {}",
        LISTED.len(),
        opaque.len(),
        opaque.join(", ")
    );
}

/// The numbers clang computed for the header, from bindgen's layout assertions:
/// `["Size of X"][... - 88usize]`, `["Offset of field: X::f"][... - 16usize]`. rustfmt may
/// break one assertion over several lines, so this reads the text as a whole.
fn c_layout_facts(text: &str) -> BTreeMap<String, usize> {
    let mut facts = BTreeMap::new();
    let mut rest = text;
    while let Some(quote) = rest.find('"') {
        rest = &rest[quote + 1..];
        let Some(label_end) = rest.find('"') else {
            break;
        };
        let label = &rest[..label_end];
        rest = &rest[label_end + 1..];
        if !["Size of ", "Alignment of ", "Offset of field: "]
            .iter()
            .any(|prefix| label.starts_with(prefix))
        {
            continue;
        }
        let Some(number_end) = rest.find("usize]") else {
            break;
        };
        let digits = rest[..number_end]
            .rsplit(|c: char| !c.is_ascii_digit())
            .next()
            .unwrap_or("");
        if let Ok(number) = digits.parse() {
            facts.insert(label.to_owned(), number);
        }
    }
    facts
}

/// CPython 3.10.13 on x86_64 (reference §1.1/§1.2): struct, size, and (field, offset) pairs.
/// `required` structs must be declared by the header; the others are checked if it does.
struct CPythonLayout {
    name: &'static str,
    size: usize,
    fields: &'static [(&'static str, usize)],
    required: bool,
}

const CPYTHON_310: &[CPythonLayout] = &[
    CPythonLayout {
        name: "PyHeapTypeObject",
        size: 888,
        required: true,
        fields: &[
            ("as_async", 408),
            ("as_number", 440),
            ("as_mapping", 728),
            ("as_sequence", 752),
            ("as_buffer", 832),
            ("ht_name", 848),
            ("ht_slots", 856),
            ("ht_qualname", 864),
            ("ht_cached_keys", 872),
            ("ht_module", 880),
        ],
    },
    CPythonLayout {
        name: "PyMethodDescrObject",
        size: 56,
        required: true,
        fields: &[("d_method", 40), ("vectorcall", 48)],
    },
    CPythonLayout {
        name: "PyWrapperDescrObject",
        size: 56,
        required: true,
        fields: &[("d_base", 40), ("d_wrapped", 48)],
    },
    CPythonLayout {
        name: "wrapperbase",
        size: 56,
        required: true,
        fields: &[
            ("name", 0),
            ("offset", 8),
            ("function", 16),
            ("wrapper", 24),
            ("doc", 32),
            ("flags", 40),
            ("name_strobj", 48),
        ],
    },
    CPythonLayout {
        name: "PyType_Spec",
        size: 32,
        required: true,
        fields: &[
            ("name", 0),
            ("basicsize", 8),
            ("itemsize", 12),
            ("flags", 16),
            ("slots", 24),
        ],
    },
    CPythonLayout {
        name: "PyDictObject",
        size: 48,
        required: true,
        fields: &[
            ("ob_base", 0),
            ("ma_used", 16),
            ("ma_version_tag", 24),
            ("ma_keys", 32),
            ("ma_values", 40),
        ],
    },
    CPythonLayout {
        name: "PyListObject",
        size: 40,
        required: true,
        fields: &[("ob_base", 0), ("ob_item", 24), ("allocated", 32)],
    },
    CPythonLayout {
        name: "_Py_HashSecret_t",
        size: 24,
        required: true,
        fields: &[
            ("uc", 0),
            ("fnv", 0),
            ("siphash", 0),
            ("djbx33a", 0),
            ("expat", 0),
        ],
    },
    CPythonLayout {
        name: "PyObject",
        size: 16,
        required: true,
        fields: &[("ob_refcnt", 0), ("ob_type", 8)],
    },
    CPythonLayout {
        name: "PyVarObject",
        size: 24,
        required: true,
        fields: &[("ob_base", 0), ("ob_size", 16)],
    },
    CPythonLayout {
        name: "PyAsyncMethods",
        size: 32,
        required: true,
        fields: &[
            ("am_await", 0),
            ("am_aiter", 8),
            ("am_anext", 16),
            ("am_send", 24),
        ],
    },
    CPythonLayout {
        name: "PyTypeObject",
        size: 408,
        required: true,
        fields: &[
            ("ob_base", 0),
            ("tp_name", 24),
            ("tp_basicsize", 32),
            ("tp_itemsize", 40),
            ("tp_dealloc", 48),
            ("tp_vectorcall_offset", 56),
            ("tp_getattr", 64),
            ("tp_setattr", 72),
            ("tp_as_async", 80),
            ("tp_repr", 88),
            ("tp_as_number", 96),
            ("tp_as_sequence", 104),
            ("tp_as_mapping", 112),
            ("tp_hash", 120),
            ("tp_call", 128),
            ("tp_str", 136),
            ("tp_getattro", 144),
            ("tp_setattro", 152),
            ("tp_as_buffer", 160),
            ("tp_flags", 168),
            ("tp_doc", 176),
            ("tp_traverse", 184),
            ("tp_clear", 192),
            ("tp_richcompare", 200),
            ("tp_weaklistoffset", 208),
            ("tp_iter", 216),
            ("tp_iternext", 224),
            ("tp_methods", 232),
            ("tp_members", 240),
            ("tp_getset", 248),
            ("tp_base", 256),
            ("tp_dict", 264),
            ("tp_descr_get", 272),
            ("tp_descr_set", 280),
            ("tp_dictoffset", 288),
            ("tp_init", 296),
            ("tp_alloc", 304),
            ("tp_new", 312),
            ("tp_free", 320),
            ("tp_is_gc", 328),
            ("tp_bases", 336),
            ("tp_mro", 344),
            ("tp_cache", 352),
            ("tp_subclasses", 360),
            ("tp_weaklist", 368),
            ("tp_del", 376),
            ("tp_version_tag", 384),
            ("tp_finalize", 392),
            ("tp_vectorcall", 400),
        ],
    },
    CPythonLayout {
        name: "_PyErr_StackItem",
        size: 32,
        required: true,
        fields: &[
            ("exc_type", 0),
            ("exc_value", 8),
            ("exc_traceback", 16),
            ("previous_item", 24),
        ],
    },
    CPythonLayout {
        name: "PyGenObject",
        size: 88,
        required: true,
        fields: &[
            ("ob_base", 0),
            ("gi_frame", 16),
            ("gi_code", 24),
            ("gi_weakreflist", 32),
            ("gi_name", 40),
            ("gi_qualname", 48),
            ("gi_exc_state", 56),
        ],
    },
    CPythonLayout {
        name: "PyCoroObject",
        size: 96,
        required: true,
        fields: &[
            ("ob_base", 0),
            ("cr_frame", 16),
            ("cr_code", 24),
            ("cr_weakreflist", 32),
            ("cr_name", 40),
            ("cr_qualname", 48),
            ("cr_exc_state", 56),
            ("cr_origin", 88),
        ],
    },
    CPythonLayout {
        name: "PyAsyncGenObject",
        size: 112,
        required: true,
        fields: &[
            ("ob_base", 0),
            ("ag_frame", 16),
            ("ag_code", 24),
            ("ag_weakreflist", 32),
            ("ag_name", 40),
            ("ag_qualname", 48),
            ("ag_exc_state", 56),
            ("ag_finalizer", 88),
            ("ag_hooks_inited", 96),
            ("ag_closed", 100),
            ("ag_running_async", 104),
        ],
    },
    CPythonLayout {
        name: "PyTryBlock",
        size: 12,
        required: false,
        fields: &[("b_type", 0), ("b_handler", 4), ("b_level", 8)],
    },
    CPythonLayout {
        name: "PyFrameObject",
        size: 360,
        required: true,
        fields: &[
            ("ob_base", 0),
            ("f_back", 24),
            ("f_code", 32),
            ("f_builtins", 40),
            ("f_globals", 48),
            ("f_locals", 56),
            ("f_valuestack", 64),
            ("f_trace", 72),
            ("f_stackdepth", 80),
            ("f_trace_lines", 84),
            ("f_trace_opcodes", 85),
            ("f_gen", 88),
            ("f_lasti", 96),
            ("f_lineno", 100),
            ("f_iblock", 104),
            ("f_state", 108),
            ("f_blockstack", 112),
            ("f_localsplus", 352),
        ],
    },
    CPythonLayout {
        name: "PyCodeObject",
        size: 176,
        required: true,
        fields: &[
            ("ob_base", 0),
            ("co_argcount", 16),
            ("co_posonlyargcount", 20),
            ("co_kwonlyargcount", 24),
            ("co_nlocals", 28),
            ("co_stacksize", 32),
            ("co_flags", 36),
            ("co_firstlineno", 40),
            ("co_code", 48),
            ("co_consts", 56),
            ("co_names", 64),
            ("co_varnames", 72),
            ("co_freevars", 80),
            ("co_cellvars", 88),
            ("co_cell2arg", 96),
            ("co_filename", 104),
            ("co_name", 112),
            ("co_linetable", 120),
            ("co_zombieframe", 128),
            ("co_weakreflist", 136),
            ("co_extra", 144),
            ("co_opcache_map", 152),
            ("co_opcache", 160),
            ("co_opcache_flag", 168),
            ("co_opcache_size", 172),
        ],
    },
    CPythonLayout {
        name: "PyBaseExceptionObject",
        size: 64,
        required: true,
        fields: &[
            ("ob_base", 0),
            ("dict", 16),
            ("args", 24),
            ("traceback", 32),
            ("context", 40),
            ("cause", 48),
            ("suppress_context", 56),
        ],
    },
    CPythonLayout {
        name: "PyStopIterationObject",
        size: 72,
        required: true,
        fields: &[
            ("dict", 16),
            ("args", 24),
            ("traceback", 32),
            ("context", 40),
            ("cause", 48),
            ("suppress_context", 56),
            ("value", 64),
        ],
    },
    CPythonLayout {
        name: "PyThreadState",
        size: 280,
        required: true,
        fields: &[
            ("prev", 0),
            ("next", 8),
            ("interp", 16),
            ("frame", 24),
            ("recursion_depth", 32),
            ("curexc_type", 88),
            ("curexc_value", 96),
            ("curexc_traceback", 104),
            ("exc_state", 112),
            ("exc_info", 144),
            ("dict", 152),
            ("coroutine_origin_tracking_depth", 216),
            ("async_gen_firstiter", 224),
            ("async_gen_finalizer", 232),
            ("context", 240),
            ("id", 256),
        ],
    },
    CPythonLayout {
        name: "PyCoroWrapper",
        size: 24,
        required: false,
        fields: &[("cw_coroutine", 16)],
    },
    CPythonLayout {
        name: "PyAsyncGenASend",
        size: 40,
        required: false,
        fields: &[("ags_gen", 16), ("ags_sendval", 24), ("ags_state", 32)],
    },
    CPythonLayout {
        name: "PyAsyncGenAThrow",
        size: 40,
        required: false,
        fields: &[("agt_gen", 16), ("agt_args", 24), ("agt_state", 32)],
    },
    CPythonLayout {
        name: "_PyAsyncGenWrappedValue",
        size: 24,
        required: false,
        fields: &[("agw_val", 16)],
    },
    CPythonLayout {
        name: "PyMemberDef",
        size: 40,
        required: false,
        fields: &[],
    },
    CPythonLayout {
        name: "PyGetSetDef",
        size: 40,
        required: false,
        fields: &[],
    },
    CPythonLayout {
        name: "PyMethodDef",
        size: 32,
        required: false,
        fields: &[],
    },
];

#[test]
fn header_has_cpython_310_layouts() {
    let facts = c_layout_facts(BINDINGS_RS);
    let mut errors = Vec::new();
    let mut checked = 0;
    for layout in CPYTHON_310 {
        let name = layout.name;
        let Some(&size) = facts.get(&format!("Size of {name}")) else {
            if layout.required {
                errors.push(format!(
                    "{name} (CPython 3.10: {} bytes) is not declared in include/pycoro.h, or is \
                     opaque there; C code reads its fields",
                    layout.size
                ));
            }
            continue;
        };
        checked += 1;
        if size != layout.size {
            errors.push(format!(
                "sizeof({name}) is {size}, CPython 3.10 has {}",
                layout.size
            ));
        }
        for &(field, offset) in layout.fields {
            match facts.get(&format!("Offset of field: {name}::{field}")) {
                None => errors.push(format!(
                    "{name} has no field `{field}` (CPython 3.10 has it at offset {offset})"
                )),
                Some(&actual) if actual != offset => errors.push(format!(
                    "offsetof({name}, {field}) is {actual}, CPython 3.10 has {offset}"
                )),
                Some(_) => {}
            }
        }
    }
    assert!(
        errors.is_empty(),
        "include/pycoro.h disagrees with CPython 3.10 (reference §1):\n  {}",
        errors.join("\n  ")
    );
    println!("{checked} structs match CPython 3.10");
}

#[test]
fn parsers_understand_bindgen_output() {
    let sample = "pub struct A {\n    pub x: i32,\n    pub f: ::std::option::Option<\n        unsafe extern \"C\" fn(a: i32),\n    >,\n}\npub struct O {\n    _unused: [u8; 0],\n}\nconst _: () = {\n    [\"Size of A\"][::std::mem::size_of::<A>() - 16usize];\n    [\n        \"Offset of field: A::f\",\n    ][::std::mem::offset_of!(A, f) - 8usize];\n};\n";
    let structs = parse_bindings_structs(sample);
    assert_eq!(structs["A"], Some(vec!["x".to_owned(), "f".to_owned()]));
    assert_eq!(structs["O"], None);
    let facts = c_layout_facts(sample);
    assert_eq!(facts["Size of A"], 16);
    assert_eq!(facts["Offset of field: A::f"], 8);
}
