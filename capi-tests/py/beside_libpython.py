"""libpycoro loaded with RTLD_LOCAL into a Python process, beside libpython.

Run by tests/beside_libpython.rs as

    python3 beside_libpython.py PHASE /abs/libpycoro.so [/abs/beside_helper.so]

with PHASE one of: symbols, objects, errors, coroutine (each in its own process, so that a
crash in one does not hide the results of the others). Every check prints "ok   <name>" or
"FAIL <name>: <why>"; the last line is "N passed, M failed" (the capi-tests summary format).

The process has libpython's definitions of the same names in its global scope (python3's
libpython3.X.so, or a python3 binary that exports its C API). ctypes.CDLL loads libpycoro with
RTLD_LOCAL (its default), as a plugin would. pycoro must then use its own objects and
functions throughout: the objects it returns have its own types, its None is its own
_Py_NoneStruct, its exceptions are its own, its error indicator is its own, and the references
inside the library (GOT entries, pointers in its static data) lead to its own definitions, not
to libpython's. Python's own state must not change.
"""

import ctypes
import os
import struct
import sys
import threading

PHASE = sys.argv[1]
PYCORO_PATH = sys.argv[2]
HELPER_PATH = sys.argv[3] if len(sys.argv) > 3 else None

passed = 0
failed = 0


def check(ok, name, why=""):
    global passed, failed
    if ok:
        passed += 1
        print("ok   " + name, flush=True)
    else:
        failed += 1
        print("FAIL " + name + (": " + why if why else ""), flush=True)
    return ok


def phase_interpreter_intact():
    check(hash(_after_text) == _probe_hash, "interpreter: str hash unchanged by loading pycoro")
    check(_probe_dict.get(_after_text) == 1, "interpreter: dict lookups unchanged by loading pycoro")


def summary():
    print("%d passed, %d failed" % (passed, failed), flush=True)
    sys.exit(0 if failed == 0 and passed > 0 else 1)


# The interpreter's own state must survive loading pycoro: pycoro's load-time constructor writes
# pycoro's data (its hash secret, its type dicts), never libpython's of the same names.
_probe_text = "".join(["beside", "_", "libpython"])  # made at run time: not interned
_probe_hash = hash(_probe_text)
_probe_dict = {_probe_text: 1, "x" * 3: 2}
lib = ctypes.CDLL(PYCORO_PATH, mode=os.RTLD_LOCAL)
py = ctypes.pythonapi  # the process's global scope: libpython's definitions
_after_text = "".join(["beside", "_", "libpython"])

P = ctypes.c_void_p


def fn(name, restype, *argtypes):
    f = getattr(lib, name)
    f.restype = restype
    f.argtypes = list(argtypes)
    return f


def addr(handle, name):
    """Address of data symbol `name` as `handle` resolves it (None if absent)."""
    try:
        return ctypes.addressof(ctypes.c_char.in_dll(handle, name))
    except ValueError:
        return None


def ob_type(o):
    return ctypes.c_void_p.from_address(o + 8).value


def ob_refcnt(o):
    return ctypes.c_ssize_t.from_address(o).value


def hx(a):
    return "NULL" if a is None else "0x%x" % a


def name_of(a):
    """What a type/object address is: 'pycoro's X', 'libpython's X' or hex."""
    for n in KNOWN:
        if a == addr(lib, n):
            return "pycoro's " + n
        if a == addr(py, n):
            return "libpython's " + n
    return hx(a)


KNOWN = [
    "PyType_Type", "PyBaseObject_Type", "PyTuple_Type", "PyLong_Type", "PyUnicode_Type",
    "PyBool_Type", "_PyNone_Type", "PyCoro_Type", "PyGen_Type", "PyAsyncGen_Type",
    "PyFrame_Type", "PyCode_Type", "PyTraceBack_Type", "PyCFunction_Type", "_Py_NoneStruct",
    "_Py_TrueStruct", "_Py_FalseStruct", "_Py_NotImplementedStruct",
]


def check_type(o, type_name, what):
    """o's ob_type is pycoro's `type_name` (and so not libpython's)."""
    t = ob_type(o) if o else None
    return check(
        t is not None and t == addr(lib, type_name),
        "%s has pycoro's %s" % (what, type_name),
        "ob_type is %s" % (name_of(t) if t else "unreadable (NULL object)"),
    )


# pycoro functions used below
PyTuple_New = fn("PyTuple_New", P, ctypes.c_ssize_t)
PyTuple_GetItem = fn("PyTuple_GetItem", P, P, ctypes.c_ssize_t)
PyLong_FromLong = fn("PyLong_FromLong", P, ctypes.c_long)
PyLong_AsLong = fn("PyLong_AsLong", ctypes.c_long, P)
PyBool_FromLong = fn("PyBool_FromLong", P, ctypes.c_long)
PyUnicode_FromString = fn("PyUnicode_FromString", P, ctypes.c_char_p)
PyUnicode_AsUTF8 = fn("PyUnicode_AsUTF8", ctypes.c_char_p, P)
PyObject_Repr = fn("PyObject_Repr", P, P)
PyObject_Str = fn("PyObject_Str", P, P)
PyObject_Type = fn("PyObject_Type", P, P)
Py_DecRef = fn("Py_DecRef", None, P)
Py_IncRef = fn("Py_IncRef", None, P)
PyErr_SetString = fn("PyErr_SetString", None, P, ctypes.c_char_p)
PyErr_Occurred = fn("PyErr_Occurred", P)
PyErr_Clear = fn("PyErr_Clear", None)
PyErr_Fetch = fn("PyErr_Fetch", None, ctypes.POINTER(P), ctypes.POINTER(P), ctypes.POINTER(P))
PyErr_NormalizeException = fn(
    "PyErr_NormalizeException", None, ctypes.POINTER(P), ctypes.POINTER(P), ctypes.POINTER(P)
)
PyThreadState_Get = fn("PyThreadState_Get", P)
Py_BuildValue = lib.Py_BuildValue
Py_BuildValue.restype = P
PyObject_CallMethod = lib.PyObject_CallMethod
PyObject_CallMethod.restype = P


def exc(name):
    """The value of pycoro's PyExc_<name> (a PyObject * variable)."""
    return ctypes.c_void_p.in_dll(lib, "PyExc_" + name).value


def py_exc(name):
    return ctypes.c_void_p.in_dll(py, "PyExc_" + name).value


NONE = addr(lib, "_Py_NoneStruct")


def text(o, release=True):
    """str(o) via pycoro, as a Python str (None on failure)."""
    if not o:
        return None
    s = PyObject_Str(o)
    t = PyUnicode_AsUTF8(s) if s else None
    if s:
        Py_DecRef(s)
    if release:
        Py_DecRef(o)
    return t.decode() if t is not None else None


def repr_of(o):
    r = PyObject_Repr(o)
    t = PyUnicode_AsUTF8(r) if r else None
    if r:
        Py_DecRef(r)
    return t.decode() if t is not None else None


def fetch():
    t, v, tb = P(), P(), P()
    PyErr_Fetch(ctypes.byref(t), ctypes.byref(v), ctypes.byref(tb))
    return t.value, v.value, tb.value


def python_error_clear(what):
    """libpython's own error indicator is clear (pythonapi calls hold the GIL)."""
    py.PyErr_Occurred.restype = P
    py.PyErr_Occurred.argtypes = []
    check(py.PyErr_Occurred() is None, "libpython's error indicator is clear " + what)


# ------------------------------------------------------------------------------------------
# ELF: the dynamic symbols and relocations of a shared library (x86-64, little-endian)

R_X86_64_64 = 1
R_X86_64_GLOB_DAT = 6
R_X86_64_JUMP_SLOT = 7
RELOC_NAMES = {R_X86_64_64: "R_X86_64_64", R_X86_64_GLOB_DAT: "GLOB_DAT",
               R_X86_64_JUMP_SLOT: "JUMP_SLOT"}


def read_elf(path):
    """({name: (st_value, st_shndx, st_type)}, [(r_offset, r_type, sym_name, r_addend)])."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise SystemExit("%s is not a 64-bit little-endian ELF file" % path)
    e_shoff, = struct.unpack_from("<Q", data, 0x28)
    e_shentsize, e_shnum = struct.unpack_from("<HH", data, 0x3A)
    sections = []
    for i in range(e_shnum):
        (sh_name, sh_type, sh_flags, sh_addr, sh_offset, sh_size, sh_link, sh_info,
         sh_addralign, sh_entsize) = struct.unpack_from("<IIQQQQIIQQ", data,
                                                        e_shoff + i * e_shentsize)
        sections.append((sh_type, sh_offset, sh_size, sh_link, sh_entsize))
    dynsym_index = next(i for i, s in enumerate(sections) if s[0] == 11)  # SHT_DYNSYM
    _, sym_off, sym_size, strtab_index, _ = sections[dynsym_index]
    str_off = sections[strtab_index][1]

    def cstr(off):
        end = data.index(b"\0", off)
        return data[off:end].decode()

    syms = []
    for i in range(sym_size // 24):
        st_name, st_info, st_other, st_shndx, st_value, st_size = struct.unpack_from(
            "<IBBHQQ", data, sym_off + i * 24)
        syms.append((cstr(str_off + st_name), st_value, st_shndx, st_info & 0xF))
    symbols = {name: (value, shndx, typ) for name, value, shndx, typ in syms if name}
    relocs = []
    for sh_type, off, size, link, entsize in sections:
        if sh_type != 4 or link != dynsym_index:  # SHT_RELA against .dynsym
            continue
        for j in range(size // 24):
            r_offset, r_info, r_addend = struct.unpack_from("<QQq", data, off + j * 24)
            sym = r_info >> 32
            if sym:
                relocs.append((r_offset, r_info & 0xFFFFFFFF, syms[sym][0], r_addend))
    return symbols, relocs


# ------------------------------------------------------------------------------------------
# Phases


def phase_symbols():
    symbols, relocs = read_elf(PYCORO_PATH)
    # The process really has libpython's definitions, distinct from pycoro's.
    for n in ["PyTuple_Type", "PyType_Type", "_Py_NoneStruct", "PyExc_ValueError"]:
        check(addr(py, n) is not None and addr(lib, n) is not None
              and addr(py, n) != addr(lib, n),
              "the process has libpython's %s beside pycoro's" % n,
              "libpython %s, pycoro %s" % (hx(addr(py, n)), hx(addr(lib, n))))
    value, _, _ = symbols["PyTuple_Type"]
    base = addr(lib, "PyTuple_Type") - value
    check(addr(lib, "_Py_NoneStruct") - base == symbols["_Py_NoneStruct"][0],
          "libpycoro's load address is found from its symbols")

    # Every GOT entry and data pointer that refers to a symbol pycoro defines itself holds
    # pycoro's own address. One check per symbol.
    per_symbol = {}
    for r_offset, r_type, name, addend in relocs:
        if r_type not in (R_X86_64_64, R_X86_64_GLOB_DAT):
            continue
        sym = symbols.get(name)
        if sym is None or sym[1] == 0:  # undefined here: libc, libgcc_s, ...
            continue
        slot = base + r_offset
        actual = ctypes.c_uint64.from_address(slot).value
        own = base + sym[0] + (addend if r_type == R_X86_64_64 else 0)
        foreign = addr(py, name)
        entry = per_symbol.setdefault(name, {"total": 0, "bad": []})
        entry["total"] += 1
        if actual != own:
            where = ("libpython's" if foreign is not None
                     and actual == foreign + (addend if r_type == R_X86_64_64 else 0)
                     else "unknown %s" % hx(actual))
            entry["bad"].append((RELOC_NAMES[r_type], r_offset, where))
    # (None at all when the library binds its data at link time, e.g. with -Bsymbolic.)
    print("     %d dynamic references to %d of pycoro's own data symbols"
          % (sum(e["total"] for e in per_symbol.values()), len(per_symbol)), flush=True)
    for name in sorted(per_symbol):
        entry = per_symbol[name]
        bad = entry["bad"]
        kinds = sorted(set(k for k, _, _ in bad))
        check(not bad, "%s: all %d references inside libpycoro bind to pycoro's own"
              % (name, entry["total"]),
              "%d of %d (%s; first at +0x%x) bind to %s" % (
                  len(bad), entry["total"], ", ".join(kinds), bad[0][1] if bad else 0,
                  bad[0][2] if bad else ""))
    # Calls between pycoro's own functions never go through a PLT slot (-Bsymbolic-functions).
    own_plt = sorted(set(name for _, r_type, name, _ in relocs
                         if r_type == R_X86_64_JUMP_SLOT and name in symbols
                         and symbols[name][1] != 0))
    check(not own_plt, "no PLT slot for a function pycoro defines", ", ".join(own_plt))


def phase_objects():
    made = []

    def keep(o):
        if o:
            made.append(o)
        return o

    t = keep(PyTuple_New(2))
    check_type(t, "PyTuple_Type", "PyTuple_New(2)")
    empty = keep(PyTuple_New(0))
    check_type(empty, "PyTuple_Type", "PyTuple_New(0)")
    for v in (5, -5, 256, 257, 100000, -(2 ** 40)):
        check_type(keep(PyLong_FromLong(v)), "PyLong_Type", "PyLong_FromLong(%d)" % v)
    s = keep(PyUnicode_FromString(b"hello"))
    check_type(s, "PyUnicode_Type", 'PyUnicode_FromString("hello")')
    tr = keep(PyBool_FromLong(1))
    check(tr == addr(lib, "_Py_TrueStruct"), "PyBool_FromLong(1) is pycoro's True",
          name_of(tr or 0))
    check_type(tr, "PyBool_Type", "True")
    none = keep(Py_BuildValue(b""))
    check(none == NONE, 'Py_BuildValue("") is pycoro\'s None', name_of(none or 0))
    check_type(NONE, "_PyNone_Type", "pycoro's None")
    pair = keep(Py_BuildValue(b"(ii)", 1, 2))
    check_type(pair, "PyTuple_Type", 'Py_BuildValue("(ii)", 1, 2)')
    if pair:
        check_type(PyTuple_GetItem(pair, 0), "PyLong_Type", "its item 0")
        check(repr_of(pair) == "(1, 2)", "repr((1, 2)) through pycoro", repr(repr_of(pair)))
    nested = keep(Py_BuildValue(b"(sOi)", b"x", P(NONE), 300))
    check(nested and repr_of(nested) == "('x', None, 300)", "repr(('x', None, 300))",
          repr(repr_of(nested) if nested else None))
    if nested:
        check(PyTuple_GetItem(nested, 1) == NONE, "Py_BuildValue's O keeps pycoro's None")
    check(s and repr_of(s) == "'hello'", "repr('hello')")
    check(repr_of(NONE) == "None", "repr(None)")
    # Static objects point at pycoro's types.
    for tname in ["PyTuple_Type", "PyLong_Type", "PyUnicode_Type", "PyCoro_Type",
                  "PyBaseObject_Type", "PyType_Type", "_PyNone_Type", "PyBool_Type"]:
        check_type(addr(lib, tname), "PyType_Type", "type object %s" % tname)
    check(ctypes.c_void_p.from_address(addr(lib, "PyBool_Type") + 256).value
          == addr(lib, "PyLong_Type"),
          "PyBool_Type.tp_base is pycoro's PyLong_Type",
          name_of(ctypes.c_void_p.from_address(addr(lib, "PyBool_Type") + 256).value or 0))
    for ename in ["ValueError", "KeyError", "StopIteration", "GeneratorExit"]:
        e = exc(ename)
        check(e != py_exc(ename), "PyExc_%s is pycoro's own class" % ename)
        check_type(e, "PyType_Type", "PyExc_%s" % ename)
    if t:
        ty = keep(PyObject_Type(t))
        check(ty == addr(lib, "PyTuple_Type"), "type((None, None)) is pycoro's tuple",
              name_of(ty or 0))
    check(PyErr_Occurred() is None, "pycoro has no error pending")
    python_error_clear("after the pycoro calls")
    # Release everything through pycoro (its deallocators, not libpython's).
    for o in reversed(made):
        Py_DecRef(o)
    check(True, "every object made was released through pycoro's Py_DecRef")


def phase_errors():
    check(PyErr_Occurred() is None, "pycoro's error indicator starts clear")
    PyErr_SetString(exc("ValueError"), b"from pycoro")
    check(PyErr_Occurred() == exc("ValueError"), "PyErr_SetString sets pycoro's indicator",
          name_of(PyErr_Occurred() or 0))
    python_error_clear("while pycoro's is set")
    # Python raises and handles its own exceptions meanwhile, through libpython's C API too.
    py.PyErr_SetString.argtypes = [P, ctypes.c_char_p]
    py.PyErr_SetString.restype = None
    try:
        py.PyErr_SetString(py_exc("KeyError"), b"from libpython")
        check(False, "libpython's PyErr_SetString raised in Python")
    except KeyError as e:
        check(str(e) == "'from libpython'", "libpython's PyErr_SetString raised in Python")
    try:
        {}["missing"]
    except KeyError:
        pass
    t, v, tb = fetch()
    check(t == exc("ValueError"), "pycoro still has its own ValueError", name_of(t or 0))
    check(v and ob_type(v) == addr(lib, "PyUnicode_Type")
          and PyUnicode_AsUTF8(v) == b"from pycoro",
          "... with its message, a pycoro str")
    for o in (t, v, tb):
        if o:
            Py_DecRef(o)
    check(PyErr_Occurred() is None, "PyErr_Fetch cleared pycoro's indicator")

    # Errors pycoro raises itself are its own classes.
    tup = PyTuple_New(1)
    check(PyTuple_GetItem(tup, 5) is None, "PyTuple_GetItem(t, 5) fails")
    check(PyErr_Occurred() == exc("IndexError"), "... with pycoro's IndexError",
          name_of(PyErr_Occurred() or 0))
    t, v, tb = P(), P(), P()
    PyErr_Fetch(ctypes.byref(t), ctypes.byref(v), ctypes.byref(tb))
    PyErr_NormalizeException(ctypes.byref(t), ctypes.byref(v), ctypes.byref(tb))
    check(v.value and ob_type(v.value) == exc("IndexError"),
          "... normalized to an instance of pycoro's IndexError")
    check(text(v.value, release=False) == "tuple index out of range", "... its message")
    for o in (t.value, v.value, tb.value):
        if o:
            Py_DecRef(o)
    s = PyUnicode_FromString(b"x")
    check(PyLong_AsLong(s) == -1 and PyErr_Occurred() == exc("TypeError"),
          "PyLong_AsLong(str) raises pycoro's TypeError", name_of(PyErr_Occurred() or 0))
    PyErr_Clear()
    Py_DecRef(s)
    Py_DecRef(tup)
    python_error_clear("after pycoro raised")

    # Thread states are pycoro's own, one per thread.
    py.PyThreadState_Get.restype = P
    py.PyThreadState_Get.argtypes = []
    mine = PyThreadState_Get()
    check(mine is not None and mine != py.PyThreadState_Get(),
          "pycoro's thread state is not libpython's")
    PyErr_SetString(exc("KeyError"), b"main thread")
    seen = {}

    def other():
        seen["clear"] = PyErr_Occurred() is None
        seen["ts"] = PyThreadState_Get()
        PyErr_SetString(exc("TypeError"), b"other thread")
        seen["own"] = PyErr_Occurred() == exc("TypeError")
        PyErr_Clear()

    th = threading.Thread(target=other)
    th.start()
    th.join()
    check(seen.get("clear"), "a Python thread starts with pycoro's indicator clear")
    check(seen.get("own"), "... and sets its own")
    check(seen.get("ts") not in (None, mine), "... in its own pycoro thread state")
    check(PyErr_Occurred() == exc("KeyError"), "the main thread's error is untouched")
    PyErr_Clear()
    python_error_clear("at the end")


def phase_coroutine():
    helper = ctypes.CDLL(HELPER_PATH, mode=os.RTLD_LOCAL)
    helper.beside_init.restype = ctypes.c_int
    helper.beside_init.argtypes = [ctypes.c_char_p]
    helper.beside_error.restype = ctypes.c_char_p
    if not check(helper.beside_init(PYCORO_PATH.encode()) == 0, "the helper finds pycoro",
                 (helper.beside_error() or b"").decode()):
        return
    mismatches = ctypes.c_int.in_dll(helper, "beside_mismatches")
    calls = ctypes.c_int.in_dll(helper, "beside_body_calls")
    body = ctypes.cast(helper.beside_outer_body, P).value
    NewCode = fn("PyNative_NewCode", P, P, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_int,
                 ctypes.c_int, ctypes.c_int, ctypes.c_ssize_t)
    FrameNew = fn("PyFrame_New", P, P, P, P, P)
    CoroNew = fn("PyCoro_New", P, P, P, P)
    Send = fn("PyIter_Send", ctypes.c_int, P, P, ctypes.POINTER(P))
    FetchStop = fn("_PyGen_FetchStopIterationValue", ctypes.c_int, ctypes.POINTER(P))
    CO_COROUTINE = 0x80

    def new_outer():
        code = NewCode(body, b"outer", b"beside_helper.c", 10, CO_COROUTINE, 2, 16)
        if not code:
            return None
        frame = FrameNew(PyThreadState_Get(), code, None, None)
        Py_DecRef(code)
        return CoroNew(frame, None, None) if frame else None

    def send(c, v):
        res = P()
        status = Send(c, v, ctypes.byref(res))
        return status, res.value

    def long_of(o):
        return PyLong_AsLong(o) if o and ob_type(o) == addr(lib, "PyLong_Type") else None

    # 1. Values through an await: 7, then inner(5) yields 10, then returns 3*5+1 = 16.
    c = new_outer()
    if not check(c is not None, "a native coroutine is made from the helper's body"):
        return
    check_type(c, "PyCoro_Type", "the coroutine")
    r = repr_of(c)
    check(r == "<coroutine object outer at 0x%x>" % c, "repr(coroutine)", repr(r))
    status, v = send(c, NONE)
    check(status == 1 and long_of(v) == 7, "send(None) yields 7", "%d, %s" % (status, hx(v)))
    check_type(v, "PyLong_Type", "the yielded 7") if v else None
    Py_DecRef(v) if v else None
    five = PyLong_FromLong(5)
    status, v = send(c, five)
    check(status == 1 and long_of(v) == 10, "send(5) awaits inner(5), which yields 10")
    Py_DecRef(v) if v else None
    one = PyLong_FromLong(1)
    status, v = send(c, one)
    check(status == 0 and v is not None, "send(1) returns (PYGEN_RETURN)", "status %d" % status)
    if v:
        check_type(v, "PyTuple_Type", "the return value")
        check(long_of(PyTuple_GetItem(v, 0)) == 16, "... (16, ...)")
        check(PyTuple_GetItem(v, 1) == NONE, "... (..., None) with pycoro's None",
              name_of(PyTuple_GetItem(v, 1) or 0))
        check(repr_of(v) == "(16, None)", "repr((16, None))")
        Py_DecRef(v)
    check(PyErr_Occurred() is None, "no pycoro error pending")
    status, v = send(c, NONE)
    check(status == -1 and PyErr_Occurred() == exc("RuntimeError"),
          "sending again raises pycoro's RuntimeError", name_of(PyErr_Occurred() or 0))
    t, e, tb = fetch()
    check(text(e, release=False) == "cannot reuse already awaited coroutine",
          "... 'cannot reuse already awaited coroutine'")
    for o in (t, e, tb):
        Py_DecRef(o) if o else None
    Py_DecRef(c)
    Py_DecRef(five)
    Py_DecRef(one)

    # 2. throw(ValueError) is caught by the body, which returns "caught".
    c = new_outer()
    status, v = send(c, NONE)
    Py_DecRef(v) if v else None
    r = PyObject_CallMethod(P(c), b"throw", b"(O)", P(exc("ValueError")))
    check(r is None and PyErr_Occurred() == exc("StopIteration"),
          "throw(ValueError) ends in pycoro's StopIteration", name_of(PyErr_Occurred() or 0))
    val = P()
    check(FetchStop(ctypes.byref(val)) == 0 and val.value is not None
          and ob_type(val.value) == addr(lib, "PyUnicode_Type")
          and PyUnicode_AsUTF8(val.value) == b"caught",
          "... whose value is the pycoro str 'caught'")
    Py_DecRef(val.value) if val.value else None
    Py_DecRef(c)

    # 3. An exception raised in inner leaves both frames: pycoro's ZeroDivisionError with a
    # traceback of two pycoro traceback objects.
    c = new_outer()
    status, v = send(c, NONE)
    Py_DecRef(v) if v else None
    five = PyLong_FromLong(5)
    status, v = send(c, five)
    Py_DecRef(v) if v else None
    zero = PyLong_FromLong(0)
    status, v = send(c, zero)
    check(status == -1 and PyErr_Occurred() == exc("ZeroDivisionError"),
          "send(0) raises pycoro's ZeroDivisionError", name_of(PyErr_Occurred() or 0))
    t, e, tb = fetch()
    depth, node, tb_ok = 0, tb, True
    while node:
        tb_ok = tb_ok and ob_type(node) == addr(lib, "PyTraceBack_Type")
        depth += 1
        node = ctypes.c_void_p.from_address(node + 16).value  # tb_next
    check(depth == 2 and tb_ok, "... with a traceback of 2 pycoro entries",
          "%d entries, types ok: %s" % (depth, tb_ok))
    check(text(e, release=False) == "inner got 0", "... 'inner got 0'")
    for o in (t, e, tb):
        Py_DecRef(o) if o else None
    Py_DecRef(c)
    Py_DecRef(five)
    Py_DecRef(zero)

    # 4. close() while suspended returns pycoro's None.
    c = new_outer()
    status, v = send(c, NONE)
    Py_DecRef(v) if v else None
    r = PyObject_CallMethod(P(c), b"close", None)
    check(r == NONE, "close() returns pycoro's None", name_of(r or 0))
    Py_DecRef(r) if r else None
    Py_DecRef(c)

    check(mismatches.value == 0, "the bodies saw only pycoro's objects and thread state",
          "%d mismatches" % mismatches.value)
    check(calls.value >= 10, "the bodies ran", "%d calls" % calls.value)
    check(PyErr_Occurred() is None, "no pycoro error pending at the end")
    python_error_clear("at the end")


PHASES = {
    "symbols": phase_symbols,
    "objects": phase_objects,
    "errors": phase_errors,
    "coroutine": phase_coroutine,
}

if __name__ == "__main__":
    print("python %s (%s), libpycoro %s" % (sys.version.split()[0], sys.executable,
                                            PYCORO_PATH), flush=True)
    phase_interpreter_intact()
    PHASES[PHASE]()
    summary()
