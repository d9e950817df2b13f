/*
 * __doc__ and __text_signature__ of types and method descriptors, from their internal
 * docstrings ("NAME(SIG)\n--\n\nBODY"): the signature may span lines; a blank line before the
 * end marker means there is none. And the docstrings of built-in types that carry one (code,
 * list) or long text (bool, staticmethod), verbatim as CPython 3.10.13's.
 *
 * Uses only CPython's API: builds and passes against libpython3.10 too (see the README).
 */
#include "harness.h"

static PyObject *meth(PyObject *self, PyObject *args)
{
    (void)self;
    (void)args;
    Py_RETURN_NONE;
}

static PyMethodDef thing_methods[] = {
    {"spread", meth, METH_VARARGS, "spread($self, a,\n       b=1, /)\n--\n\nA two-line signature."},
    {"blank", meth, METH_VARARGS, "blank($self, a,\n\n      b)\n--\n\nNot a signature."},
    {"other", meth, METH_VARARGS, "notme($self)\n--\n\nThe name does not match."},
    {NULL, NULL, 0, NULL},
};

/* Static types, filled in by init_type() (zero-initialized, as a C extension's would be
 * after PyVarObject_HEAD_INIT). */
static PyTypeObject Thing_Type;
static PyTypeObject Blank_Type;

static void init_type(PyTypeObject *t, const char *name, const char *doc)
{
    ((PyObject *)t)->ob_refcnt = 1;
    t->tp_name = name;
    t->tp_basicsize = sizeof(PyObject);
    t->tp_flags = Py_TPFLAGS_DEFAULT;
    t->tp_doc = doc;
}

/* getattr(o, name) as UTF-8 compared with `expected` (NULL: the attribute is None). */
static void check_attr(PyObject *o, const char *name, const char *expected, int line)
{
    PyObject *v = PyObject_GetAttrString(o, name);
    if (!harness_check(v != NULL, name, __FILE__, line)) {
        PyErr_Clear();
        return;
    }
    if (expected == NULL) {
        harness_check(v == Py_None, "attribute is None", __FILE__, line);
    } else {
        harness_check_str(PyUnicode_Check(v) ? PyUnicode_AsUTF8(v) : "<not a str>", expected,
                          name, __FILE__, line);
    }
    Py_DECREF(v);
}

#define CHECK_ATTR(o, name, expected) check_attr((PyObject *)(o), (name), (expected), __LINE__)

static void test_multiline_signature(void)
{
    PyObject *spread;
    init_type(&Thing_Type, "docs.Thing", "Thing(a,\n      b)\n--\n\nA thing.");
    Thing_Type.tp_methods = thing_methods;
    REQUIRE(PyType_Ready(&Thing_Type) == 0);
    CHECK_ATTR(&Thing_Type, "__doc__", "A thing.");
    CHECK_ATTR(&Thing_Type, "__text_signature__", "(a,\n      b)");
    spread = PyObject_GetAttrString((PyObject *)&Thing_Type, "spread");
    REQUIRE(spread != NULL);
    CHECK_ATTR(spread, "__doc__", "A two-line signature.");
    CHECK_ATTR(spread, "__text_signature__", "($self, a,\n       b=1, /)");
    Py_DECREF(spread);
}

static void test_blank_line_is_no_signature(void)
{
    PyObject *m;
    init_type(&Blank_Type, "Blank", "Blank(a,\n\n      b)\n--\n\nBody.");
    REQUIRE(PyType_Ready(&Blank_Type) == 0);
    CHECK_ATTR(&Blank_Type, "__doc__", "Blank(a,\n\n      b)\n--\n\nBody.");
    CHECK_ATTR(&Blank_Type, "__text_signature__", NULL);
    m = PyObject_GetAttrString((PyObject *)&Thing_Type, "blank");
    REQUIRE(m != NULL);
    CHECK_ATTR(m, "__doc__", "blank($self, a,\n\n      b)\n--\n\nNot a signature.");
    CHECK_ATTR(m, "__text_signature__", NULL);
    Py_DECREF(m);
    m = PyObject_GetAttrString((PyObject *)&Thing_Type, "other");
    REQUIRE(m != NULL);
    CHECK_ATTR(m, "__doc__", "notme($self)\n--\n\nThe name does not match.");
    CHECK_ATTR(m, "__text_signature__", NULL);
    Py_DECREF(m);
}

static void test_builtin_docs(void)
{
    CHECK_ATTR(&PyCode_Type, "__doc__", "Create a code object.  Not for the faint of heart.");
    CHECK_ATTR(&PyCode_Type, "__text_signature__",
               "(argcount, posonlyargcount, kwonlyargcount, nlocals, stacksize,\n"
               "     flags, codestring, constants, names, varnames, filename, name,\n"
               "     firstlineno, linetable, freevars=(), cellvars=(), /)");
    CHECK_ATTR(&PyList_Type, "__text_signature__", "(iterable=(), /)");
    CHECK_ATTR(&PyList_Type, "__doc__",
               "Built-in mutable sequence.\n\n"
               "If no argument is given, the constructor creates a new empty list.\n"
               "The argument must be an iterable if specified.");
    CHECK_ATTR(&PyBool_Type, "__doc__",
               "bool(x) -> bool\n\n"
               "Returns True when the argument x is true, False otherwise.\n"
               "The builtins True and False are the only two instances of the class bool.\n"
               "The class bool is a subclass of the class int, and cannot be subclassed.");
    CHECK_ATTR(&PyBool_Type, "__text_signature__", NULL);
    CHECK_ATTR(&PyStaticMethod_Type, "__doc__",
               "staticmethod(function) -> method\n\n"
               "Convert a function to be a static method.\n\n"
               "A static method does not receive an implicit first argument.\n"
               "To declare a static method, use this idiom:\n\n"
               "     class C:\n"
               "         @staticmethod\n"
               "         def f(arg1, arg2, ...):\n"
               "             ...\n\n"
               "It can be called either on the class (e.g. C.f()) or on an instance\n"
               "(e.g. C().f()). Both the class and the instance are ignored, and\n"
               "neither is passed implicitly as the first argument to the method.\n\n"
               "Static methods in Python are similar to those found in Java or C++.\n"
               "For a more advanced concept, see the classmethod builtin.");
}

/* d["__doc__"]. Return value: new reference or NULL. */
static PyObject *doc_item(PyObject *d)
{
    PyObject *key = PyUnicode_FromString("__doc__"), *v;
    if (key == NULL) {
        return NULL;
    }
    v = PyObject_GetItem(d, key);
    Py_DECREF(key);
    return v;
}

/* type.__doc__ has a setter: a heap type's __doc__ entry changes; static types refuse, and
 * deleting is refused (with CPython's "immutable type" wording even for a heap type). */
static void test_set_doc(void)
{
    PyObject *ns = Py_BuildValue("{s:s,s:s}", "__doc__", "old", "__module__", "m");
    PyObject *x, *v, *d, *descr;
    REQUIRE(ns != NULL);
    x = PyObject_CallFunction((PyObject *)&PyType_Type, "s()O", "X", ns);
    Py_DECREF(ns);
    REQUIRE(x != NULL);
    CHECK_ATTR(x, "__doc__", "old");
    v = PyUnicode_FromString("new");
    CHECK_EQ_INT(PyObject_SetAttrString(x, "__doc__", v), 0);
    Py_DECREF(v);
    CHECK_ATTR(x, "__doc__", "new");
    d = PyObject_GetAttrString(x, "__dict__");
    REQUIRE(d != NULL);
    v = doc_item(d);
    CHECK(v != NULL && PyUnicode_Check(v) && strcmp(PyUnicode_AsUTF8(v), "new") == 0);
    Py_XDECREF(v);
    Py_DECREF(d);
    CHECK_EQ_INT(PyObject_SetAttrString(x, "__doc__", NULL), -1);
    CHECK_EXC(PyExc_TypeError, "cannot delete '__doc__' attribute of immutable type 'X'");
    CHECK_EQ_INT(PyObject_SetAttrString(x, "__doc__", Py_None), 0);
    CHECK_ATTR(x, "__doc__", NULL);
    d = PyObject_GetAttrString((PyObject *)&PyType_Type, "__dict__");
    REQUIRE(d != NULL);
    descr = doc_item(d);
    Py_DECREF(d);
    REQUIRE(descr != NULL);
    v = PyObject_CallMethod(descr, "__set__", "(Os)", &PyLong_Type, "d");
    CHECK(v == NULL);
    CHECK_EXC(PyExc_TypeError, "cannot set '__doc__' attribute of immutable type 'int'");
    CHECK_ATTR(&PyLong_Type, "__doc__",
               "int([x]) -> integer\nint(x, base=10) -> integer\n\n"
               "Convert a number or string to an integer, or return 0 if no arguments\n"
               "are given.  If x is a number, return x.__int__().  For floating point\n"
               "numbers, this truncates towards zero.\n\n"
               "If x is not a number or if base is given, then x must be a string,\n"
               "bytes, or bytearray instance representing an integer literal in the\n"
               "given base.  The literal can be preceded by '+' or '-' and be surrounded\n"
               "by whitespace.  The base defaults to 10.  Valid bases are 0 and 2-36.\n"
               "Base 0 means to interpret the base from the string as an integer literal.\n"
               ">>> int('0b100', base=0)\n4");
    v = PyObject_CallMethod(descr, "__delete__", "(O)", x);
    CHECK(v == NULL);
    CHECK_EXC(PyExc_TypeError, "cannot delete '__doc__' attribute of immutable type 'X'");
    Py_DECREF(descr);
    Py_DECREF(x);
}

int main(void)
{
    Py_Initialize();
    RUN(test_multiline_signature);
    RUN(test_blank_line_is_no_signature);
    RUN(test_builtin_docs);
    RUN(test_set_doc);
    return HARNESS_SUMMARY();
}
