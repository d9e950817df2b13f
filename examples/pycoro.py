"""pycoro from Python through ctypes: the library, its structs, prototypes and constants.

    import pycoro                           # this file, beside your script or on sys.path

    api = pycoro.load()                     # $PYCORO_LIBRARY, else find_library('pycoro')

    @pycoro.native_body
    def count(frame, arg, out):             # a generator body: yields 0, 1, 2
        f = frame.contents
        n = 0 if f.f_lasti < 0 else f.f_lasti
        if n == 3:
            out[0] = api.PyUnicode_FromString(b"done")
            return pycoro.PYNATIVE_RETURN
        f.f_lasti = n + 1                   # the resume label
        out[0] = api.PyLong_FromLong(n)
        return pycoro.PYNATIVE_YIELD

    gen = api.new_generator(count, b"count")
    while item := api.PyIter_Next(gen):
        print(api.PyLong_AsLong(item))
        api.Py_DecRef(item)
    api.Py_DecRef(gen)

Object pointers are POINTER(PyObject) (a NULL one is false); reference counts are CPython's:
what a function returns as a new reference is the caller's to Py_DecRef. Bodies are Python
functions called through ctypes: `native_body` turns a Python exception escaping one into a
pycoro RuntimeError (ctypes would otherwise print it and return 0). The library is loaded with
RTLD_LOCAL, so pycoro keeps to its own objects inside a Python process; pycoro's objects are not
Python's, so they go through api functions only.

`python3 pycoro.py [LIBRARY]` runs a self-test that ends with "N passed, N failed";
`python3 pycoro.py --layout` prints every declared struct field's offset and size (what
capi-tests/tests/python_helper.rs compares with the C compiler's view of pycoro.h).
"""

import contextlib
import ctypes
import ctypes.util
import io
import os
import sys
import textwrap
from ctypes import POINTER, Structure, c_char, c_char_p, c_int, c_long, c_ssize_t, c_void_p

# Constants of pycoro.h.
CO_GENERATOR = 0x0020
CO_COROUTINE = 0x0080
CO_ASYNC_GENERATOR = 0x0200
PYNATIVE_RETURN = 0
PYNATIVE_ERROR = -1
PYNATIVE_YIELD = 1
PYNATIVE_AWAIT = 2
PYNATIVE_YIELD_FROM = 3
PYGEN_RETURN = 0
PYGEN_ERROR = -1
PYGEN_NEXT = 1
FRAME_CREATED = -2
FRAME_SUSPENDED = -1
FRAME_EXECUTING = 0
FRAME_RETURNED = 1
FRAME_UNWINDING = 2
FRAME_RAISED = 3
FRAME_CLEARED = 4


class PyTypeObject(Structure):
    pass


class PyObject(Structure):
    _fields_ = [("ob_refcnt", c_ssize_t), ("ob_type", POINTER(PyTypeObject))]


PyObjectPtr = POINTER(PyObject)


class PyVarObject(Structure):
    _fields_ = [("ob_base", PyObject), ("ob_size", c_ssize_t)]


# The first fields only: enough to read a type's name and sizes through a pointer.
PyTypeObject._fields_ = [
    ("ob_base", PyVarObject),
    ("tp_name", c_char_p),
    ("tp_basicsize", c_ssize_t),
    ("tp_itemsize", c_ssize_t),
]


class PyCodeObject(Structure):
    _fields_ = [
        ("ob_base", PyObject),
        ("co_argcount", c_int),
        ("co_posonlyargcount", c_int),
        ("co_kwonlyargcount", c_int),
        ("co_nlocals", c_int),
        ("co_stacksize", c_int),
        ("co_flags", c_int),
        ("co_firstlineno", c_int),
        ("co_code", PyObjectPtr),
        ("co_consts", PyObjectPtr),
        ("co_names", PyObjectPtr),
        ("co_varnames", PyObjectPtr),
        ("co_freevars", PyObjectPtr),
        ("co_cellvars", PyObjectPtr),
        ("co_cell2arg", POINTER(c_ssize_t)),
        ("co_filename", PyObjectPtr),
        ("co_name", PyObjectPtr),
        ("co_linetable", PyObjectPtr),
        ("co_zombieframe", c_void_p),
        ("co_weakreflist", PyObjectPtr),
        ("co_extra", c_void_p),
        ("co_opcache_map", POINTER(ctypes.c_ubyte)),
        ("co_opcache", c_void_p),
        ("co_opcache_flag", c_int),
        ("co_opcache_size", ctypes.c_ubyte),
    ]


class PyTryBlock(Structure):
    _fields_ = [("b_type", c_int), ("b_handler", c_int), ("b_level", c_int)]


class PyFrameObject(Structure):
    pass


PyFrameObject._fields_ = [
    ("ob_base", PyVarObject),
    ("f_back", POINTER(PyFrameObject)),
    ("f_code", POINTER(PyCodeObject)),
    ("f_builtins", PyObjectPtr),
    ("f_globals", PyObjectPtr),
    ("f_locals", PyObjectPtr),
    ("f_valuestack", POINTER(PyObjectPtr)),
    ("f_trace", PyObjectPtr),
    ("f_stackdepth", c_int),
    ("f_trace_lines", c_char),
    ("f_trace_opcodes", c_char),
    ("f_gen", PyObjectPtr),
    ("f_lasti", c_int),
    ("f_lineno", c_int),
    ("f_iblock", c_int),
    ("f_state", ctypes.c_byte),
    ("f_blockstack", PyTryBlock * 20),
    ("f_localsplus", PyObjectPtr * 1),
]


class _PyErr_StackItem(Structure):
    pass


_PyErr_StackItem._fields_ = [
    ("exc_type", PyObjectPtr),
    ("exc_value", PyObjectPtr),
    ("exc_traceback", PyObjectPtr),
    ("previous_item", POINTER(_PyErr_StackItem)),
]


# PyCoroObject and PyAsyncGenObject start with the same fields (cr_*, ag_*).
class PyGenObject(Structure):
    _fields_ = [
        ("ob_base", PyObject),
        ("gi_frame", POINTER(PyFrameObject)),
        ("gi_code", PyObjectPtr),
        ("gi_weakreflist", PyObjectPtr),
        ("gi_name", PyObjectPtr),
        ("gi_qualname", PyObjectPtr),
        ("gi_exc_state", _PyErr_StackItem),
    ]


STRUCTS = [
    PyObject,
    PyVarObject,
    PyTypeObject,
    PyCodeObject,
    PyTryBlock,
    PyFrameObject,
    _PyErr_StackItem,
    PyGenObject,
]

# int body(PyFrameObject *frame, PyObject *arg, PyObject **out)
PyNative_Body = ctypes.CFUNCTYPE(c_int, POINTER(PyFrameObject), PyObjectPtr, POINTER(PyObjectPtr))

P = PyObjectPtr
FRAME = POINTER(PyFrameObject)
CODE = POINTER(PyCodeObject)
PROTOTYPES = {
    "Py_IncRef": (None, [P]),
    "Py_DecRef": (None, [P]),
    "PyNative_NewCode": (CODE, [PyNative_Body, c_char_p, c_char_p, c_int, c_int, c_int, c_ssize_t]),
    "PyNative_FrameState": (c_void_p, [FRAME]),
    "PyFrame_New": (FRAME, [c_void_p, CODE, P, P]),
    "PyFrame_GetLineNumber": (c_int, [FRAME]),
    "PyGen_New": (P, [FRAME]),
    "PyCoro_New": (P, [FRAME, P, P]),
    "PyAsyncGen_New": (P, [FRAME, P, P]),
    "PyIter_Next": (P, [P]),
    "PyIter_Send": (c_int, [P, P, POINTER(P)]),
    "PyObject_Repr": (P, [P]),
    "PyObject_Str": (P, [P]),
    "PyObject_CallMethodNoArgs": (P, [P, P]),
    "PyObject_CallMethodOneArg": (P, [P, P, P]),
    "PyLong_FromLong": (P, [c_long]),
    "PyLong_AsLong": (c_long, [P]),
    "PyUnicode_FromString": (P, [c_char_p]),
    "PyUnicode_AsUTF8": (c_char_p, [P]),
    "PyErr_Occurred": (P, []),
    "PyErr_Clear": (None, []),
    "PyErr_SetString": (None, [P, c_char_p]),
    "PyErr_ExceptionMatches": (c_int, [P]),
    "PyErr_Fetch": (None, [POINTER(P), POINTER(P), POINTER(P)]),
    "PyErr_NormalizeException": (None, [POINTER(P), POINTER(P), POINTER(P)]),
    "PyException_GetTraceback": (P, [P]),
    "PyGC_Collect": (c_ssize_t, []),
}
EXCEPTIONS = [
    "BaseException",
    "Exception",
    "GeneratorExit",
    "KeyError",
    "RuntimeError",
    "StopIteration",
    "SystemError",
    "TypeError",
    "ValueError",
]
# Bodies handed to pycoro live as long as the process: a code object may outlive any variable.
_bodies = []


class Pycoro:
    """The loaded library: every PROTOTYPES function as an attribute, Py_None, PyExc_*."""

    def __init__(self, path):
        self.path = path
        self.lib = ctypes.CDLL(path, mode=os.RTLD_LOCAL)
        for name, (restype, argtypes) in PROTOTYPES.items():
            function = getattr(self.lib, name)
            function.restype = restype
            function.argtypes = argtypes
            setattr(self, name, function)
        self.Py_None = ctypes.cast(ctypes.addressof(PyObject.in_dll(self.lib, "_Py_NoneStruct")), P)
        for name in EXCEPTIONS:
            setattr(self, "PyExc_" + name, P.in_dll(self.lib, "PyExc_" + name))
        self.PyGen_Type = PyTypeObject.in_dll(self.lib, "PyGen_Type")
        self.PyCoro_Type = PyTypeObject.in_dll(self.lib, "PyCoro_Type")

    def new_code(self, body, name, filename=b"<python>", firstlineno=1, flags=CO_GENERATOR,
                 nslots=0, state_size=0):
        """PyNative_NewCode with a Python body (kept alive for the process). New reference."""
        if not isinstance(body, PyNative_Body):
            body = PyNative_Body(body)
        _bodies.append(body)
        return self.PyNative_NewCode(body, name, filename, firstlineno, flags, nslots, state_size)

    def _new(self, make, body, name, flags, **code_args):
        code = self.new_code(body, name, flags=flags, **code_args)
        if not code:
            return P()
        frame = self.PyFrame_New(None, code, None, None)
        self.Py_DecRef(ctypes.cast(code, P))
        return make(frame) if frame else P()

    def new_generator(self, body, name, **code_args):
        """A generator whose frame runs `body`. New reference, or NULL with an exception set."""
        return self._new(self.PyGen_New, body, name, CO_GENERATOR, **code_args)

    def new_coroutine(self, body, name, **code_args):
        """A coroutine whose frame runs `body`. New reference, or NULL with an exception set."""
        return self._new(lambda f: self.PyCoro_New(f, None, None), body, name, CO_COROUTINE,
                         **code_args)

    def text(self, obj):
        """str(obj) as a Python str (pycoro's PyObject_Str); raises on failure."""
        s = self.PyObject_Str(obj)
        if not s:
            self.PyErr_Clear()
            raise RuntimeError("PyObject_Str failed")
        try:
            return self.PyUnicode_AsUTF8(s).decode()
        finally:
            self.Py_DecRef(s)

    def fetch(self):
        """Takes the pending exception: (type, value, traceback), normalized, new references."""
        t, v, tb = P(), P(), P()
        self.PyErr_Fetch(ctypes.byref(t), ctypes.byref(v), ctypes.byref(tb))
        self.PyErr_NormalizeException(ctypes.byref(t), ctypes.byref(v), ctypes.byref(tb))
        return t, v, tb


_api = None


def native_body(function):
    """Wraps a Python body for PyNative_NewCode: an exception escaping it becomes pycoro's
    RuntimeError and PYNATIVE_ERROR, so the generator raises instead of breaking the contract."""

    def body(frame, arg, out):
        try:
            return function(frame, arg, out)
        except BaseException as e:  # noqa: BLE001 (it must not cross into C)
            if _api is not None:
                _api.PyErr_SetString(_api.PyExc_RuntimeError, ("Python body: %r" % e).encode())
            return PYNATIVE_ERROR

    return PyNative_Body(body)


def find():
    """The library's path: $PYCORO_LIBRARY, else what ctypes.util.find_library finds."""
    path = os.environ.get("PYCORO_LIBRARY") or ctypes.util.find_library("pycoro")
    if not path:
        raise OSError(
            "libpycoro not found: set PYCORO_LIBRARY, or put the library's folder on "
            "LD_LIBRARY_PATH (or in ldconfig's cache: `make install` runs ldconfig)"
        )
    return path


def load(path=None):
    """Loads libpycoro (path, else find()) once; returns the Pycoro API object."""
    global _api
    if _api is None:
        _api = Pycoro(path or find())
    return _api


def usage_example():
    """The example at the top of this file's docstring (the README shows the same)."""
    lines = __doc__.split("\n\n", 1)[1].split("\nObject pointers", 1)[0]
    return textwrap.dedent(lines)


def layout():
    """Lines "Struct size" (whole structs) and "Struct.field offset size" (every field)."""
    for struct in STRUCTS:
        if struct is not PyTypeObject:  # declared in part
            print("%s %d" % (struct.__name__, ctypes.sizeof(struct)))
        for name, _ in struct._fields_:
            field = getattr(struct, name)
            print("%s.%s %d %d" % (struct.__name__, name, field.offset, field.size))


# --- self-test ------------------------------------------------------------------------------

_passed = 0
_failed = 0


def check(ok, what):
    global _passed, _failed
    if ok:
        _passed += 1
        print("ok   " + what)
    else:
        _failed += 1
        print("FAIL " + what)


def self_test(path=None):
    api = load(path)
    print("library: " + api.path)
    check(ctypes.sizeof(PyObject) == 16 and ctypes.sizeof(PyCodeObject) == 176, "struct sizes")
    check(ctypes.sizeof(PyFrameObject) == 360, "sizeof(PyFrameObject) 360, as CPython 3.10's")

    printed = io.StringIO()
    sys.modules.setdefault("pycoro", sys.modules[__name__])
    with contextlib.redirect_stdout(printed):
        exec(usage_example(), {})
    check(printed.getvalue() == "0\n1\n2\n", "the usage example prints 0, 1, 2")

    seen = []

    @native_body
    def counter(frame, arg, out):
        f = frame.contents
        seen.append((f.f_lasti, f.f_state, api.PyUnicode_AsUTF8(f.f_code.contents.co_name)))
        n = 0 if f.f_lasti < 0 else f.f_lasti
        f.f_lineno = 100 + n
        if n == 3:
            out[0] = api.PyUnicode_FromString(b"done")
            return PYNATIVE_RETURN
        f.f_lasti = n + 1
        out[0] = api.PyLong_FromLong(10 * n)
        return PYNATIVE_YIELD

    gen = api.new_generator(counter, b"counter", filename=b"pycoro.py", firstlineno=7)
    check(bool(gen), "new_generator")
    check(gen.contents.ob_type.contents.tp_name == b"generator", "type name: generator")
    g = ctypes.cast(gen, POINTER(PyGenObject)).contents
    check(g.gi_frame.contents.f_state == FRAME_CREATED, "frame state: created")
    check(api.PyFrame_GetLineNumber(g.gi_frame) == 7, "line before the first run: firstlineno")
    check(api.text(g.gi_name) == "counter", "gi_name")
    items = []
    while True:
        item = api.PyIter_Next(gen)
        if not item:
            break
        items.append(api.PyLong_AsLong(item))
        api.Py_DecRef(item)
        check(g.gi_frame.contents.f_state == FRAME_SUSPENDED, "suspended after a yield")
    check(not api.PyErr_Occurred(), "exhausted without an exception")
    check(items == [0, 10, 20], "yielded 0, 10, 20: %r" % items)
    check([s[0] for s in seen] == [-1, 1, 2, 3], "f_lasti on each resumption")
    check(all(s[1] == FRAME_EXECUTING and s[2] == b"counter" for s in seen),
          "the body sees its frame executing, and its code's name")
    check(not g.gi_frame, "gi_frame cleared once finished")
    check(gen.contents.ob_refcnt == 1, "one reference left")
    api.Py_DecRef(gen)

    @native_body
    def doubler(frame, arg, out):
        f = frame.contents
        if not arg:  # an exception thrown in
            if api.PyErr_ExceptionMatches(api.PyExc_ValueError):
                api.PyErr_Clear()
                out[0] = api.PyUnicode_FromString(b"caught")
                return PYNATIVE_RETURN
            return PYNATIVE_ERROR
        if f.f_lasti < 0:
            f.f_lasti = 1
            api.Py_IncRef(api.Py_None)
            out[0] = api.Py_None
            return PYNATIVE_YIELD
        out[0] = api.PyLong_FromLong(2 * api.PyLong_AsLong(arg))
        return PYNATIVE_RETURN

    result = P()
    coro = api.new_coroutine(doubler, b"doubler")
    check(coro.contents.ob_type.contents.tp_name == b"coroutine", "type name: coroutine")
    check(api.PyIter_Send(coro, api.Py_None, ctypes.byref(result)) == PYGEN_NEXT, "send: next")
    check(result and result[0].ob_type.contents.tp_name == b"NoneType", "yielded None")
    api.Py_DecRef(result)
    value = api.PyLong_FromLong(21)
    check(api.PyIter_Send(coro, value, ctypes.byref(result)) == PYGEN_RETURN, "send: return")
    check(api.PyLong_AsLong(result) == 42, "returned 2 * 21")
    api.Py_DecRef(result)
    api.Py_DecRef(value)
    api.Py_DecRef(coro)

    coro = api.new_coroutine(doubler, b"doubler")
    api.PyIter_Send(coro, api.Py_None, ctypes.byref(result))
    api.Py_DecRef(result)
    throw = api.PyUnicode_FromString(b"throw")
    check(not api.PyObject_CallMethodOneArg(coro, throw, api.PyExc_ValueError),
          "throw(ValueError): the body returns")
    check(api.PyErr_ExceptionMatches(api.PyExc_StopIteration), "StopIteration")
    t, v, tb = api.fetch()
    check(api.text(v) == "caught", "StopIteration value: caught")
    for o in (t, v, tb, throw, coro):
        if o:
            api.Py_DecRef(o)

    @native_body
    def broken(frame, arg, out):
        raise LookupError("from Python")

    gen = api.new_generator(broken, b"broken", filename=b"pycoro.py", firstlineno=3)
    check(not api.PyIter_Next(gen), "a Python exception in a body: NULL")
    check(api.PyErr_ExceptionMatches(api.PyExc_RuntimeError), "... with RuntimeError set")
    t, v, tb = api.fetch()
    check("LookupError('from Python')" in api.text(v), "... naming the Python exception")
    check(bool(tb), "... and a traceback entry for the native frame")
    for o in (t, v, tb, gen):
        if o:
            api.Py_DecRef(o)

    check(not api.PyErr_Occurred(), "no exception left set")
    print("%d passed, %d failed" % (_passed, _failed))
    return 0 if _failed == 0 and _passed > 0 else 1


if __name__ == "__main__":
    if sys.argv[1:2] == ["--layout"]:
        layout()
    else:
        sys.exit(self_test(sys.argv[1] if len(sys.argv) > 1 else None))
