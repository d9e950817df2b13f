#!/usr/bin/env python3
"""How much of CPython 3.10's public C API libpycoro.so exports, and why the rest is missing.

Reads `nm -D --defined-only` of CPython 3.10.13's `lib/libpython3.10.so` and of a built
`libpycoro.so`, and prints the README section "## CPython 3.10's C API in pycoro" (Markdown):
the counts, a table by family with the reason each missing function is missing, and the
missing functions by name.

"Public function": a dynamic symbol of type T (a defined function) of libpython3.10.so whose
name starts with "Py" -- Py_* and PyXxx_* -- and not "_Py", CPython's prefix for private names.
CPython 3.10.13 exports 1418 functions, 897 of them public by this rule.

Usage:
    python3 capi-tests/tools/capi_coverage.py [LIBPYCORO] [--prefix CPYTHON_PREFIX]
    python3 capi-tests/tools/capi_coverage.py --update-readme   # rewrite README's section

LIBPYCORO defaults to target/debug/libpycoro.so; the CPython prefix to
$PYCORO_CPYTHON310_PREFIX, else `pyenv prefix 3.10.13`. The reasons below are hand-written
(this file is where to change them); every count and name comes from the two libraries and
CPython's headers. capi-tests/tests/capi_coverage.rs fails when README.md's section differs
from what this prints.
"""

import argparse
import os
import re
import subprocess
import sys
import textwrap
from collections import OrderedDict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
HEADING = "## CPython 3.10's C API in pycoro"
INSERT_BEFORE = "## Layout"
CPYTHON_VERSION = "3.10.13"
REGENERATE = "python3 capi-tests/tools/capi_coverage.py --update-readme"

# ---- families: which row of the table a function belongs to (first match wins) ----
# Each entry: (label shown in the table, regular expressions a name must match in full).
FAMILIES = [
    ("`PyObject_*` (attributes, calls, comparison, items), `PyCallable_Check`, `PyVectorcall_*`",
     [r"PyObject_(?!Malloc$|Calloc$|Realloc$|Free$|GetArenaAllocator$|SetArenaAllocator$"
      r"|ClearWeakRefs$|GET_WEAKREFS_LISTPTR$|GetBuffer$|CheckBuffer$|CopyData$"
      r"|AsCharBuffer$|AsReadBuffer$|AsWriteBuffer$|CheckReadBuffer$|AsFileDescriptor$).*",
      r"PyCallable_Check", r"PyVectorcall_.*"]),
    ("`PyType_*`", [r"PyType_.*"]),
    ("`PyCFunction_*`, `PyCMethod_*`, `PyDescr_*`, `PyMember_*`, `PyWrapper_*`, "
     "`PyStaticMethod_*`, `PyClassMethod_*`, `PyMethod_*`, `PyInstanceMethod_*`",
     [r"PyCFunction_.*", r"PyCMethod_.*", r"PyDescr_.*", r"PyMember_.*", r"PyWrapper_.*",
      r"PyStaticMethod_.*", r"PyClassMethod_.*", r"PyMethod_.*", r"PyInstanceMethod_.*"]),
    ("`PyGen_*`, `PyCoro_*`, `PyAsyncGen_*`", [r"PyGen_.*", r"PyCoro_.*", r"PyAsyncGen_.*"]),
    ("`PyIter_*`, `PyAIter_*`, `PySeqIter_*`, `PyCallIter_*`",
     [r"PyIter_.*", r"PyAIter_.*", r"PySeqIter_.*", r"PyCallIter_.*"]),
    ("`PyFrame_*`, `PyCode_*`", [r"PyFrame_.*", r"PyCode_.*"]),
    ("`PyFunction_*`, `PyCell_*`", [r"PyFunction_.*", r"PyCell_.*"]),
    ("`PyErr_*`", [r"PyErr_(?!CheckSignals$|SetInterrupt$|SetInterruptEx$).*"]),
    ("`PyException_*`, `PyExceptionClass_*`, `PyTraceBack_*`",
     [r"PyException_.*", r"PyExceptionClass_.*", r"PyTraceBack_.*"]),
    ("`PyGC_*`", [r"PyGC_.*"]),
    ("`PyMem_*`, `PyObject_Malloc`/`Calloc`/`Realloc`/`Free`, arena allocator, `PyTraceMalloc_*`",
     [r"PyMem_.*", r"PyObject_(Malloc|Calloc|Realloc|Free|GetArenaAllocator|SetArenaAllocator)",
      r"PyTraceMalloc_.*"]),
    ("`Py_IncRef`, `Py_DecRef`, `Py_NewRef`, `Py_XNewRef`, `Py_Is*`",
     [r"Py_(IncRef|DecRef|NewRef|XNewRef|Is|IsNone|IsTrue|IsFalse)"]),
    ("`PyTuple_*`", [r"PyTuple_.*"]),
    ("`PyList_*`", [r"PyList_.*"]),
    ("`PyDict_*`, `PyDictProxy_*`", [r"PyDict_.*", r"PyDictProxy_.*"]),
    ("`PyODict_*`", [r"PyODict_.*"]),
    ("`PySet_*`, `PyFrozenSet_*`", [r"PySet_.*", r"PyFrozenSet_.*"]),
    ("`PySlice_*`", [r"PySlice_.*"]),
    ("`PyStructSequence_*`", [r"PyStructSequence_.*"]),
    ("`PyLong_*`, `PyBool_*`", [r"PyLong_.*", r"PyBool_.*"]),
    ("`PyFloat_*`", [r"PyFloat_.*"]),
    ("`PyComplex_*`", [r"PyComplex_.*"]),
    ("`PyNumber_*`, `PyIndex_Check`", [r"PyNumber_.*", r"PyIndex_Check"]),
    ("`PySequence_*`", [r"PySequence_.*"]),
    ("`PyMapping_*`", [r"PyMapping_.*"]),
    ("`PyUnicode_*`", [r"PyUnicode_.*"]),
    ("`PyUnicodeEncodeError_*`, `PyUnicodeDecodeError_*`, `PyUnicodeTranslateError_*`",
     [r"PyUnicode(Encode|Decode|Translate)Error_.*"]),
    ("`PyCodec_*`", [r"PyCodec_.*"]),
    ("`PyBytes_*`", [r"PyBytes_.*"]),
    ("`PyByteArray_*`", [r"PyByteArray_.*"]),
    ("`PyBuffer_*`, `PyObject_GetBuffer`/`CheckBuffer`/`CopyData`, old buffer API",
     [r"PyBuffer_.*", r"PyObject_(GetBuffer|CheckBuffer|CopyData)",
      r"PyObject_(AsCharBuffer|AsReadBuffer|AsWriteBuffer|CheckReadBuffer)"]),
    ("`PyMemoryView_*`", [r"PyMemoryView_.*"]),
    ("`PyPickleBuffer_*`", [r"PyPickleBuffer_.*"]),
    ("`PyWeakref_*`, `PyObject_ClearWeakRefs`, `PyObject_GET_WEAKREFS_LISTPTR`",
     [r"PyWeakref_.*", r"PyObject_(ClearWeakRefs|GET_WEAKREFS_LISTPTR)"]),
    ("`PyCapsule_*`", [r"PyCapsule_.*"]),
    ("`PyContext_*`, `PyContextVar_*`", [r"PyContext_.*", r"PyContextVar_.*"]),
    ("`PyHash_*`", [r"PyHash_.*"]),
    ("`PyModule_*`, `PyModuleDef_*`, `PyState_*`",
     [r"PyModule_.*", r"PyModuleDef_.*", r"PyState_.*"]),
    ("`PyArg_*`, `Py_BuildValue`, `Py_VaBuildValue`",
     [r"PyArg_.*", r"Py_BuildValue", r"Py_VaBuildValue"]),
    ("`PyImport_*`", [r"PyImport_.*"]),
    ("`PyRun_*`, `Py_CompileString*`, `PyEval_EvalCode*`, `PyCompile_*`, "
     "`PyEval_MergeCompilerFlags`, `PyToken_*`, `PySymtable_*`, `Py_UniversalNewlineFgets`",
     [r"PyRun_.*", r"Py_CompileString.*", r"PyEval_EvalCode.*", r"PyCompile_.*",
      r"PyEval_MergeCompilerFlags", r"PyToken_.*", r"PySymtable_.*",
      r"Py_UniversalNewlineFgets"]),
    ("`PyMarshal_*`", [r"PyMarshal_.*"]),
    ("`PyEval_*`", [r"PyEval_.*"]),
    ("`PyThreadState_*`, `PyInterpreterState_*`, `PyGILState_*`",
     [r"PyThreadState_.*", r"PyInterpreterState_.*", r"PyGILState_.*"]),
    ("`PyThread_*`", [r"PyThread_.*"]),
    ("`Py_EnterRecursiveCall`, `Py_LeaveRecursiveCall`, `Py_Get`/`SetRecursionLimit`, "
     "`Py_ReprEnter`/`Leave`",
     [r"Py_(Enter|Leave)RecursiveCall", r"Py_(Get|Set)RecursionLimit", r"Py_Repr(Enter|Leave)"]),
    ("signals and pending calls: `PyErr_CheckSignals`, `PyErr_SetInterrupt*`, "
     "`PyOS_InterruptOccurred`, `PyOS_getsig`/`setsig`, `Py_AddPendingCall`, `Py_MakePendingCalls`",
     [r"PyErr_(CheckSignals|SetInterrupt|SetInterruptEx)", r"PyOS_(InterruptOccurred|getsig|setsig)",
      r"Py_(AddPendingCall|MakePendingCalls)"]),
    ("`PySys_*`", [r"PySys_.*"]),
    ("`PyOS_*`", [r"PyOS_.*"]),
    ("`PyFile_*`, `PyObject_AsFileDescriptor`", [r"PyFile_.*", r"PyObject_AsFileDescriptor"]),
    ("interpreter lifecycle: `Py_*Initialize*`, `Py_Finalize*`, `Py_*Main`, `Py_*Interpreter`, "
     "`Py_Exit*`, `Py_AtExit`, `Py_Get`/`Set*` paths and names, `PyConfig_*`, `PyPreConfig_*`, "
     "`PyStatus_*`, `PyWideStringList_*`",
     [r"Py_\w*Initializ\w*", r"Py_Finalize\w*", r"Py_\w*Main", r"Py_(New|End)Interpreter",
      r"Py_Exit\w*", r"Py_AtExit", r"Py_FdIsInteractive", r"Py_GetArgcArgv",
      r"Py_(Get|Set)(Path|Prefix|ExecPrefix|ProgramFullPath|ProgramName|PythonHome)",
      r"Py_SetStandardStreamEncoding",
      r"PyConfig_.*", r"PyPreConfig_.*", r"PyStatus_.*", r"PyWideStringList_.*"]),
    ("`PyInit_*` (CPython's built-in modules)", [r"PyInit_.*"]),
    ("`Py_*`, others", [r"Py_.*"]),
]

# ---- reasons: why a missing function is missing (first match wins) ----
# Each reason: (short name used in the tables, what it means), then either the regular
# expressions of the names it covers or one of these two sets, computed from CPython 3.10's
# public headers (include/python3.10 without internal/):
FROM_HEADERS = "functions a macro or static inline function of the headers calls"
DEPRECATED = "functions the headers declare Py_DEPRECATED(x.y)"

REASONS = [
    # what needs an interpreter
    (("never: interpreter",
      "compiles or runs Python source: `PyRun_*`, `Py_CompileString*`, `PyEval_EvalCode*`, "
      "`Py_Main`, importing `.py`/`.pyc`/frozen modules, syntax-error locations, the "
      "interactive console"),
     [r"PyRun_.*", r"Py_CompileString.*", r"PyEval_EvalCode.*", r"PyEval_MergeCompilerFlags",
      r"Py_\w*Main", r"Py_UniversalNewlineFgets", r"PyImport_ExecCodeModule.*",
      r"PyImport_ImportFrozenModule.*", r"PyImport_GetMagic(Number|Tag)",
      r"PyImport_ReloadModule", r"PyImport_GetImporter",
      r"PyErr_(ProgramText|ProgramTextObject)", r"PyErr_\w*SyntaxLocation\w*",
      r"PyFile_OpenCode\w*", r"PyFile_SetOpenCodeHook", r"PyOS_Readline"]),
    (("never: bytecode",
      "bytecode code objects and the compiler's and tokenizer's internals: pycoro's code "
      "objects carry native bodies (`PyNative_NewCode`), not bytecode"),
     [r"PyCode_New\w*", r"PyCode_Optimize", r"PyCompile_.*", r"PyToken_.*", r"PySymtable_.*",
      r"PyFrame_Block(Setup|Pop)"]),
    (("never: lifecycle",
      "the interpreter's lifecycle pycoro does not have: pre-initialization and "
      "configuration, paths and program names, command-line and warning options, "
      "sub-interpreters"),
     [r"Py_PreInitialize\w*", r"Py_InitializeFromConfig", r"Py_(New|End)Interpreter",
      r"Py_ExitStatusException", r"Py_FdIsInteractive", r"Py_GetArgcArgv",
      r"Py_(Get|Set)(Path|Prefix|ExecPrefix|ProgramFullPath|ProgramName|PythonHome)",
      r"Py_SetStandardStreamEncoding", r"PyConfig_.*", r"PyPreConfig_.*", r"PyStatus_.*",
      r"PyWideStringList_.*",
      r"PySys_(AddWarnOption\w*|ResetWarnOptions|HasWarnOptions|AddXOption|GetXOptions"
      r"|SetArgv\w*|SetPath)",
      r"PyInterpreterState_(New|Clear|Delete)"]),
    (("not planned: marshal",
      "marshal is the `.pyc` format; the objects it exists for are bytecode code objects"),
     [r"PyMarshal_.*"]),
    (("not planned: standard library",
      "belongs to CPython's standard library (its built-in modules' `PyInit_*`, pickle's "
      "buffers), which pycoro does not ship"),
     [r"PyInit_.*", r"PyPickleBuffer_.*"]),
    # planned
    (("not yet: issue 13",
      "issue 13 (never crash): the recursion limit"),
     [r"Py_(Enter|Leave)RecursiveCall", r"Py_(Get|Set)RecursionLimit"]),
    (("not yet: issue 12 (modules)",
      "issue 12 (extension modules): module objects, module definitions and state, loading "
      "extensions and finding loaded modules"),
     [r"PyModule_(?!GetFilename$).*", r"PyModuleDef_.*", r"PyState_.*",
      r"PyImport_(ImportModule|ImportModuleNoBlock|Import|GetModule|AddModule"
      r"|AddModuleObject|GetModuleDict)",
      r"PyErr_SetImportError\w*"]),
    (("not yet: issue 12 (arguments)",
      "issue 12 (extension modules): argument parsing"),
     [r"PyArg_.*"]),
    (("not yet: issue 12 (keywords)",
      "issue 12 (extension modules): keyword arguments everywhere"),
     [r"PyObject_VectorcallDict"]),
    (("not yet: issue 12 (runtime)",
      "issue 12 (extension modules): runtime functions it names that extensions call"),
     [r"PyErr_(Print|PrintEx|Display)", r"PyObject_Print",
      r"PyInterpreterState_(Get|GetDict)", r"PyMem_(Get|Set)Allocator", r"Py_AtExit",
      r"PySys_GetObject", r"Py_GenericAlias", r"PyClassMethod_New"]),
    (("not yet: issue 12 (sets)",
      "issue 12 (extension modules): set and frozenset, if an extension it tests needs them"),
     [r"PySet_.*", r"PyFrozenSet_.*"]),
    (("not yet: issue 12 (headers)",
      "issue 12 (extension modules): a macro or static inline function of CPython 3.10's "
      "public headers calls it (named below), so code built against those headers that uses "
      "one needs it"),
     FROM_HEADERS),
    (("not planned: deprecated",
      "CPython 3.10's headers declare it `Py_DEPRECATED(x.y)`"),
     DEPRECATED),
    # str: codecs by name, locale and filesystem encodings are not among issue 12's str functions
    (("no issue yet: codecs",
      "the codec registry, codecs looked up by name (CPython finds most in its Python "
      "`encodings` package), charmap and UTF-7 codecs, the Unicode error objects codecs raise"),
     [r"PyCodec_.*", r"PyUnicode(Encode|Decode|Translate)Error_.*",
      r"PyUnicode_(Decode|AsEncodedString|FromEncodedObject|AsCharmapString|DecodeCharmap"
      r"|BuildEncodingMap|Translate|DecodeUTF7|DecodeUTF7Stateful)"]),
    (("no issue yet: locale",
      "the locale and filesystem encodings, `os.fspath`"),
     [r"PyUnicode_(DecodeFSDefault\w*|EncodeFSDefault|DecodeLocale\w*|EncodeLocale"
      r"|FSConverter|FSDecoder)", r"Py_(Decode|Encode)Locale", r"PyOS_FSPath"]),
    (("not yet: issue 12 (values)",
      "issue 12 (extension modules): the value types and protocols extensions pass around: "
      "str, bytes, int, float, the number/sequence/mapping protocols, the buffer protocol, "
      "capsules, weak references, slices"),
     [r"PyUnicode_.*", r"PyBytes_.*", r"PyFloat_.*", r"PyLong_.*", r"PyNumber_.*",
      r"PyIndex_Check", r"PySequence_.*", r"PyMapping_.*",
      r"PyObject_(DelItemString|LengthHint|Bytes)", r"PyBuffer_.*",
      r"PyObject_(GetBuffer|CheckBuffer|CopyData)", r"PyCapsule_.*", r"PyWeakref_.*",
      r"PyObject_(ClearWeakRefs|GET_WEAKREFS_LISTPTR)", r"PySlice_.*",
      r"PyOS_(double_to_string|string_to_double)"]),
    # nobody has planned these yet
    (("no issue yet: other types",
      "complex, bytearray, memoryview, OrderedDict, struct sequences"),
     [r"PyComplex_.*", r"PyByteArray_.*", r"PyMemoryView_.*", r"PyODict_.*",
      r"PyStructSequence_.*"]),
    (("no issue yet: functions",
      "function, cell and method objects, iterator constructors (pycoro's code objects "
      "come from `PyNative_NewCode` and run through `PyFrame_New` and the generator "
      "constructors)"),
     [r"PyFunction_.*", r"PyCell_.*", r"PyMethod_.*", r"PyInstanceMethod_.*",
      r"PySeqIter_New", r"PyCallIter_New"]),
    (("no issue yet: introspection",
      "line numbers from code offsets, frame locals as a dict"),
     [r"PyCode_Addr2Line", r"PyFrame_(FastToLocals\w*|LocalsToFast)"]),
    (("no issue yet: eval",
      "the running frame's builtins, globals and locals, function names, running a frame "
      "to its end, trace and profile hooks"),
     [r"PyEval_(GetBuiltins|GetGlobals|GetLocals|GetFuncName|GetFuncDesc|EvalFrame\w*"
      r"|SetProfile|SetTrace)"]),
    (("no issue yet: GIL",
      "taking and releasing the GIL for a given thread state (pycoro has no GIL, see "
      "Threading contract)"),
     [r"PyEval_(AcquireThread|ReleaseThread)"]),
    (("no issue yet: thread states",
      "explicit thread and interpreter states (pycoro makes and frees one state per OS "
      "thread itself), per-thread dicts, asynchronous exceptions"),
     [r"PyThreadState_.*", r"PyInterpreterState_.*"]),
    (("no issue yet: threads",
      "portable threads, locks and thread-specific storage"),
     [r"PyThread_.*"]),
    (("no issue yet: context variables",
      "context variables (`contextvars`)"),
     [r"PyContext_.*", r"PyContextVar_.*"]),
    (("no issue yet: signals",
      "signals, pending calls, fork hooks"),
     [r"PyErr_(CheckSignals|SetInterrupt|SetInterruptEx)",
      r"PyOS_(InterruptOccurred|getsig|setsig)", r"Py_(AddPendingCall|MakePendingCalls)",
      r"PyOS_(BeforeFork|AfterFork_Child|AfterFork_Parent)"]),
    (("no issue yet: allocators",
      "allocator hooks, the raw allocator, tracemalloc's tracking"),
     [r"PyMem_.*", r"PyObject_(GetArenaAllocator|SetArenaAllocator)", r"PyTraceMalloc_.*"]),
    (("no issue yet: files",
      "file objects, writing to `sys.stdout`/`sys.stderr`, `sys` attributes"),
     [r"PyFile_.*", r"PyObject_AsFileDescriptor", r"PySys_(Write|Format)(Stdout|Stderr)",
      r"PySys_SetObject"]),
    (("no issue yet: errors",
      "`OSError` from `errno`, warnings with an explicit module and registry"),
     [r"PyErr_SetFromErrno\w*", r"PyErr_WarnExplicit\w+"]),
    (("no issue yet: version",
      "strings describing a CPython build: what pycoro should report is undecided"),
     [r"Py_Get(Version|BuildInfo|Compiler|Copyright|Platform)"]),
    (("no issue yet: macro functions",
      "function forms of 3.10's macros (for the stable ABI and for other languages)"),
     [r"Py_(NewRef|XNewRef|Is|IsNone|IsTrue|IsFalse)"]),
    (("no issue yet: odds and ends",
      "small functions no issue names: `dir()`, `format()`, `aiter()`, relative imports, the "
      "built-in module table, C-function and descriptor accessors, `PyErr_Display`'s "
      "traceback printer, the hash algorithm's description, fatal errors, `exit()`, C "
      "string helpers"),
     [r"PyObject_(Dir|Format|GetAIter)", r"PyImport_(ImportModuleLevel\w*|AppendInittab"
      r"|ExtendInittab)", r"PyCFunction_Get\w+", r"PyDescr_IsData", r"PyExceptionClass_Name",
      r"PyTraceBack_Print", r"PyHash_GetFuncDef", r"Py_FatalError", r"Py_Exit",
      r"PyOS_(mystricmp|mystrnicmp|snprintf|vsnprintf|strtol|strtoul)"]),
]

# How the reasons are ordered in the tables: by this prefix of their short name, then by count.
REASON_KINDS = ["not yet", "no issue yet", "not planned", "never"]


def compile_rules(rules):
    return [(key, patterns if isinstance(patterns, str) else [re.compile(p) for p in patterns])
            for key, patterns in rules]


def classify(name, rules, what, computed=None):
    """The key of the first rule that covers `name`; `computed` maps FROM_HEADERS and
    DEPRECATED to the sets of names they stand for."""
    for key, patterns in rules:
        if isinstance(patterns, str):
            if name in computed[patterns]:
                return key
        elif any(p.fullmatch(name) for p in patterns):
            return key
    raise SystemExit(f"capi_coverage.py: no {what} rule matches {name}; add one")


def nm_defined(path):
    """name -> nm type letter of every defined dynamic symbol of `path`."""
    try:
        out = subprocess.run(["nm", "-D", "--defined-only", str(path)], check=True,
                             capture_output=True, text=True).stdout
    except FileNotFoundError:
        raise SystemExit("capi_coverage.py: nm (binutils) is not installed")
    except subprocess.CalledProcessError as e:
        raise SystemExit(f"capi_coverage.py: nm -D {path} failed: {e.stderr.strip()}")
    symbols = {}
    for line in out.splitlines():
        fields = line.split()
        if len(fields) == 3:
            symbols[fields[2].split("@")[0]] = fields[1]
    return symbols


def header_texts(include):
    """The text of CPython's public headers (include/python3.10 without internal/), without
    comments and with continued lines joined."""
    texts = []
    for path in sorted(include.rglob("*.h")):
        if "internal" in path.relative_to(include).parts:
            continue
        texts.append(strip_comments(path.read_text(errors="replace")))
    return texts


def strip_comments(text):
    """C text without comments and with continued lines joined."""
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", "", text)
    return text.replace("\\\n", " ")


def called_from_headers(texts, functions):
    """function name -> sorted names of the macros and static inline functions of the headers
    whose bodies name it, for the `functions` that the headers do not also define as
    function-like macros (`Py_NewRef(obj)`, `Py_FatalError(message)`: such a name is expanded
    by the preprocessor, not linked). Object-like renames (`#define PyModule_Create2
    PyModule_Create2TraceRefs`, for special builds) do not count as such macros."""
    macro_def = re.compile(r"^[ \t]*#[ \t]*define[ \t]+(\w+)(\([^)]*\))?(.*)$", re.M)
    ident = re.compile(r"\b[A-Za-z_]\w*\b")
    macros = set()
    bodies = []  # (macro or inline function, body)
    for text in texts:
        for m in macro_def.finditer(text):
            if m.group(2):
                macros.add(m.group(1))
            bodies.append((m.group(1), m.group(3)))
        for m in re.finditer(r"\bstatic\s+inline\b", text):
            # The name is the identifier before the first "("; a definition's parameters
            # (which may hold preprocessor lines with parentheses) end at its "{".
            paren = text.find("(", m.end())
            head = text[m.end():paren]
            names = ident.findall(head)
            brace = text.find("{", paren)
            semicolon = text.find(";", paren)
            if (not names or any(ch in head for ch in "#;{}") or brace < 0
                    or 0 <= semicolon < brace):
                continue  # not a definition (a declaration, or words inside a macro)
            depth, i = 1, brace + 1
            while depth and i < len(text):
                depth += {"{": 1, "}": -1}.get(text[i], 0)
                i += 1
            bodies.append((names[-1], text[brace + 1:i]))
    callers = {}
    for caller, body in bodies:
        for name in set(ident.findall(body)):
            if name in functions and name not in macros and name != caller:
                callers.setdefault(name, set()).add(caller)
    return {name: sorted(c) for name, c in callers.items()}


def deprecated_functions(texts):
    """Names the public headers declare with Py_DEPRECATED(x.y) PyAPI_FUNC(type) name(."""
    pattern = re.compile(r"Py_DEPRECATED\(\s*[\d.]+\s*\)\s*PyAPI_FUNC\([^;]*?\)\s*(\w+)\s*\(")
    return {m.group(1) for text in texts for m in pattern.finditer(text)}


def header_only_kind(name, texts):
    """How CPython 3.10's headers provide `name`, which libpython does not export."""
    inline = re.compile(r"static\s+inline\s[^;{}]*?\b" + re.escape(name) + r"\s*\(")
    macro = re.compile(r"^[ \t]*#[ \t]*define[ \t]+" + re.escape(name) + r"\b", re.M)
    if any(inline.search(text) for text in texts):
        return "static inline functions"
    if any(macro.search(text) for text in texts):
        return "macros"
    return None


def cpython_prefix(given):
    if given:
        return Path(given)
    env = os.environ.get("PYCORO_CPYTHON310_PREFIX")
    if env:
        return Path(env)
    try:
        out = subprocess.run(["pyenv", "prefix", CPYTHON_VERSION], check=True,
                             capture_output=True, text=True).stdout.strip()
    except (FileNotFoundError, subprocess.CalledProcessError):
        raise SystemExit(f"capi_coverage.py: CPython {CPYTHON_VERSION} not found: pass "
                         f"--prefix or set PYCORO_CPYTHON310_PREFIX")
    return Path(out.split(":")[0])


def cpython_version(include):
    text = (include / "patchlevel.h").read_text()
    m = re.search(r'#define\s+PY_VERSION\s+"([^"]+)"', text)
    if not m:
        raise SystemExit(f"capi_coverage.py: no PY_VERSION in {include / 'patchlevel.h'}")
    return m.group(1)


def code_list(names):
    return ", ".join(f"`{n}`" for n in names)


def section(libpython, libpycoro, include):
    cp = nm_defined(libpython)
    pc = nm_defined(libpycoro)
    texts = header_texts(include)
    families = compile_rules(FAMILIES)
    reasons = compile_rules(REASONS)
    reason_patterns = dict(REASONS)

    cp_functions = sorted(n for n, t in cp.items() if t == "T")
    public = [n for n in cp_functions if n.startswith("Py")]
    private = [n for n in cp_functions if n.startswith("_Py")]
    others = [n for n in cp_functions if not n.startswith(("Py", "_Py"))]
    pc_functions = {n for n, t in pc.items() if t in "TWi"}
    exported = [n for n in public if n in pc_functions]
    missing = [n for n in public if n not in pc_functions]
    private_exported = [n for n in private if n in pc_functions]
    callers = called_from_headers(texts, set(public))
    private_called = called_from_headers(texts, set(private))
    private_called_missing = sorted(n for n in private_called if n not in pc_functions)
    computed = {FROM_HEADERS: set(callers), DEPRECATED: deprecated_functions(texts)}
    cp_data = sorted(n for n, t in cp.items() if t in "DBRVG" and n.startswith("Py"))
    data_exported = [n for n in cp_data if n in pc]
    extra = sorted(n for n in pc_functions if n not in cp)
    native = [n for n in extra if n.startswith("PyNative_")]
    not_native = [n for n in extra if not n.startswith("PyNative_")]

    rows = OrderedDict((label, {"cpython": 0, "pycoro": 0, "missing": OrderedDict()})
                       for label, _ in FAMILIES)
    used_reasons = set()
    for name in public:
        row = rows[classify(name, families, "family")]
        row["cpython"] += 1
        if name in pc_functions:
            row["pycoro"] += 1
            continue
        reason = classify(name, reasons, "reason", computed)
        used_reasons.add(reason)
        row["missing"].setdefault(reason, []).append(name)
    empty = [label for label, row in rows.items() if row["cpython"] == 0]
    if empty:
        raise SystemExit(f"capi_coverage.py: family rules that match nothing: {empty}")

    by_reason = {}
    for row in rows.values():
        for reason, names in row["missing"].items():
            by_reason[reason] = by_reason.get(reason, 0) + len(names)

    def reason_order(item):
        (short, _), count = item
        kind = next(i for i, k in enumerate(REASON_KINDS) if short.startswith(k + ":"))
        return (kind, -count, short)

    out = []
    w = out.append
    w(HEADING)
    w("")
    w("<!-- Generated by capi-tests/tools/capi_coverage.py: do not edit by hand. "
      f"`{REGENERATE}` rewrites this section; capi-tests/tests/capi_coverage.rs fails when "
      "it is stale. -->")
    w("")
    pct = 100.0 * len(exported) / len(public)
    w(f"pycoro exports **{len(exported)} of the {len(public)} public functions** of CPython "
      f"{CPYTHON_VERSION}'s `libpython3.10.so` ({pct:.1f}%); {len(missing)} are missing.")
    w("")
    w(f"*Public function*: a symbol that `nm -D --defined-only libpython3.10.so` lists with type "
      f"`T` (a function) and whose name starts with `Py` (`Py_*`, `PyXxx_*`), not `_Py`, "
      f"CPython's prefix for private names. libpython3.10.so exports {len(cp_functions)} "
      f"functions: {len(public)} `Py*` and {len(private)} `_Py*`"
      + (f" and {len(others)} others" if others else "") +
      ". The public ones include the init functions of CPython's built-in modules "
      "(`PyInit_*`) and functions its headers declare deprecated.")
    w("")
    extra_text = f"{len(extra)} functions that libpython3.10.so does not"
    parts = [f"{len(native)} `PyNative_*` (pycoro's own API, in `pycoro.h`)"]
    kinds = {}
    for n in not_native:
        kinds.setdefault(header_only_kind(n, texts), []).append(n)
    for kind in sorted(kinds, key=lambda k: (k is None, k or "")):
        names = kinds[kind]
        if kind is None:
            parts.append(f"{len(names)} that CPython 3.10 does not have ({code_list(names)})")
        else:
            parts.append(f"{len(names)} that CPython 3.10 has only as {kind} "
                         f"({code_list(names)})")
    w(f"Besides these, pycoro exports {len(private_exported)} of the {len(private)} `_Py*` "
      f"functions and {len(data_exported)} of libpython's {len(cp_data)} `Py*` data symbols "
      f"(type objects, exception classes, flags). CPython 3.10's public headers call "
      f"{len(private_called)} `_Py*` functions from macros and static inline functions; "
      f"pycoro exports {len(private_called) - len(private_called_missing)} of them, so code "
      f"compiled against CPython's own headers does not link where it uses a macro that calls "
      f"one of the other {len(private_called_missing)} (listed at the end; issue 12 makes them "
      f"exist). pycoro also exports {extra_text}: " + ", ".join(parts) + ".")
    w("")
    w("A missing function is absent from `libpycoro.so`, not a stub: a program that calls one "
      "does not link (`undefined reference`), and an extension built against CPython that "
      "calls one does not load (`undefined symbol`) when loaded with `RTLD_NOW`, as CPython's "
      "importer does, or stops at its first call when bound lazily. Why each is missing: "
      "*not yet* means planned in an open issue; *no issue yet*, it would fit pycoro but "
      "nobody has planned it; *not planned*, pycoro leaves it out on purpose; *never*, it "
      "needs what pycoro is built without (an interpreter of Python source, bytecode, the "
      "interpreter's lifecycle).")
    w("")
    w("| why | what | missing |")
    w("|---|---|---:|")
    for (short, long), count in sorted(by_reason.items(), key=reason_order):
        w(f"| {short} | {long} | {count} |")
    w(f"| **total** | | **{len(missing)}** |")
    w("")
    w("| family | CPython | pycoro | missing | why |")
    w("|---|---:|---:|---:|---|")
    for label, row in rows.items():
        n_missing = row["cpython"] - row["pycoro"]
        reasons_here = sorted(((r, len(names)) for r, names in row["missing"].items()),
                              key=reason_order)
        if not reasons_here:
            why = "all exported"
        elif len(reasons_here) == 1:
            why = reasons_here[0][0][0]
        else:
            why = "; ".join(f"{short} ({count})" for (short, _), count in reasons_here)
        w(f"| {label} | {row['cpython']} | {row['pycoro']} | {n_missing} | {why} |")
    w(f"| **total** | **{len(public)}** | **{len(exported)}** | **{len(missing)}** | |")
    w("")
    w(f"<details><summary>The {len(missing)} missing functions, by family and why</summary>")
    w("")
    for label, row in rows.items():
        if not row["missing"]:
            continue
        w(f"- {label}")
        for reason, names in sorted(row["missing"].items(),
                                    key=lambda kv: reason_order((kv[0], len(kv[1])))):
            if reason_patterns[reason] == FROM_HEADERS:
                listed = ", ".join(f"`{n}` ({code_list(callers[n][:3])}"
                                   + (", ..." if len(callers[n]) > 3 else "") + ")"
                                   for n in names)
            else:
                listed = code_list(names)
            w(f"  - {reason[0]}: {listed}")
    if private_called_missing:
        w(f"- `_Py*` functions that CPython 3.10's headers call and pycoro does not export "
          f"(not yet: issue 12): "
          + ", ".join(f"`{n}` ({code_list(private_called[n][:3])}"
                      + (", ..." if len(private_called[n]) > 3 else "") + ")"
                      for n in private_called_missing))
    w("")
    w("</details>")
    w("")
    unused = [reason[0] for reason, _ in REASONS if reason not in used_reasons]
    if unused:
        print(f"capi_coverage.py: note: reasons no missing function has now: {unused}",
              file=sys.stderr)
    return "\n".join(wrap_line(line) for line in out)


def wrap_line(line, width=100):
    """`line` wrapped at `width` as the README's prose is; table rows stay whole."""
    if line.startswith("|") or len(line) <= width:
        return line
    indent = re.match(r"\s*(- )?", line).group(0)
    # Code spans are not broken: their spaces are held as NULs while filling.
    held = re.sub(r"`[^`]*`", lambda m: m.group(0).replace(" ", "\0"), line)
    filled = textwrap.fill(held, width=width, subsequent_indent=" " * len(indent),
                           break_long_words=False, break_on_hyphens=False)
    return filled.replace("\0", " ")


def replace_section(readme_text, new_section):
    """README text with the section replaced, or inserted before INSERT_BEFORE."""
    lines = readme_text.split("\n")
    if HEADING in lines:
        start = lines.index(HEADING)
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")),
                   len(lines))
    elif INSERT_BEFORE in lines:
        start = end = lines.index(INSERT_BEFORE)
    else:
        raise SystemExit(f"capi_coverage.py: README has neither {HEADING!r} nor "
                         f"{INSERT_BEFORE!r}")
    return "\n".join(lines[:start] + new_section.split("\n") + lines[end:])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("libpycoro", nargs="?", default=str(ROOT / "target/debug/libpycoro.so"),
                        help="the built libpycoro.so (default: target/debug/libpycoro.so)")
    parser.add_argument("--prefix", help="CPython 3.10.13's prefix (default: "
                        "$PYCORO_CPYTHON310_PREFIX, else `pyenv prefix 3.10.13`)")
    parser.add_argument("--update-readme", action="store_true",
                        help="rewrite README.md's section in place instead of printing it")
    parser.add_argument("--readme", default=str(README), help=argparse.SUPPRESS)
    args = parser.parse_args()

    prefix = cpython_prefix(args.prefix)
    include = prefix / "include" / "python3.10"
    libpython = prefix / "lib" / "libpython3.10.so"
    for path in (include / "Python.h", libpython):
        if not path.exists():
            raise SystemExit(f"capi_coverage.py: {path} is missing")
    version = cpython_version(include)
    if version != CPYTHON_VERSION:
        raise SystemExit(f"capi_coverage.py: {prefix} is CPython {version}; the README is "
                         f"generated from {CPYTHON_VERSION}")
    if not Path(args.libpycoro).exists():
        raise SystemExit(f"capi_coverage.py: {args.libpycoro} is missing: run `cargo build`")

    text = section(libpython, Path(args.libpycoro), include)
    if args.update_readme:
        readme = Path(args.readme)
        old = readme.read_text()
        new = replace_section(old, text)
        if new != old:
            readme.write_text(new)
            print(f"capi_coverage.py: rewrote {readme}'s section {HEADING!r}", file=sys.stderr)
        else:
            print(f"capi_coverage.py: {readme}'s section is current", file=sys.stderr)
    else:
        sys.stdout.write(text + "\n")


if __name__ == "__main__":
    main()
