/*
 * Built-in types called and their instances' method objects, on pycoro: the scenario of
 * builtin_types.py through PyObject_Call on the exported type objects and attribute lookups.
 */
#include "transcript.h"

#define O(t) ((PyObject *)(t))

static PyObject *eq(PyObject *a, PyObject *b, int op)
{
    PyObject *r = NULL;
    if (a != NULL && b != NULL) {
        int v = PyObject_RichCompareBool(a, b, op);
        r = v < 0 ? NULL : PyBool_FromLong(v);
    }
    Py_XDECREF(a);
    Py_XDECREF(b);
    return r;
}

static PyObject *hash_eq(PyObject *a, PyObject *b)
{
    PyObject *r = NULL;
    if (a != NULL && b != NULL) {
        Py_hash_t x = PyObject_Hash(a), y = x == -1 ? -1 : PyObject_Hash(b);
        r = (x == -1 || y == -1) ? NULL : PyBool_FromLong(x == y);
    }
    Py_XDECREF(a);
    Py_XDECREF(b);
    return r;
}

static PyObject *type_of(PyObject *o)
{
    PyObject *r = o ? PyObject_Type(o) : NULL;
    Py_XDECREF(o);
    return r;
}

/* T.__dict__[key] */
static PyObject *tdict(PyObject *T, const char *key)
{
    PyObject *d = attr(T, "__dict__"), *r;
    if (d == NULL) {
        return NULL;
    }
    r = item(d, key);
    Py_DECREF(d);
    return r;
}

static void constructors(void)
{
    PyObject *none_t = O(Py_TYPE(Py_None)), *ni_t = O(Py_TYPE(Py_NotImplemented));
    PyObject *b = O(&PyBool_Type), *i = O(&PyLong_Type), *s = O(&PyUnicode_Type);
    PyObject *t = O(&PyTuple_Type), *l = O(&PyList_Type);
    say("== constructors");
    show("type(None)()", PyObject_CallNoArgs(none_t));
    show("type(None)(1)", PyObject_CallFunction(none_t, "(i)", 1));
    show("type(NotImplemented)()", PyObject_CallNoArgs(ni_t));
    show("type(NotImplemented)(1)", PyObject_CallFunction(ni_t, "(i)", 1));
    show("bool()", PyObject_CallNoArgs(b));
    show("bool(0)", PyObject_CallFunction(b, "(i)", 0));
    show("bool(7)", PyObject_CallFunction(b, "(i)", 7));
    show("bool('')", PyObject_CallFunction(b, "(s)", ""));
    show("bool([0])", PyObject_CallFunction(b, "([i])", 0));
    show("bool({})", PyObject_CallFunction(b, "({})"));
    show("bool(1, 2)", PyObject_CallFunction(b, "(ii)", 1, 2));
    show("int()", PyObject_CallNoArgs(i));
    show("int(7)", PyObject_CallFunction(i, "(i)", 7));
    show("int(True)", PyObject_CallFunction(i, "(O)", Py_True));
    show("int('42')", PyObject_CallFunction(i, "(s)", "42"));
    show("int('-0x1f', 16)", PyObject_CallFunction(i, "(si)", "-0x1f", 16));
    show("int('z')", PyObject_CallFunction(i, "(s)", "z"));
    show("int([])", PyObject_CallFunction(i, "([])"));
    show("int(1, 2)", PyObject_CallFunction(i, "(ii)", 1, 2));
    show("str()", PyObject_CallNoArgs(s));
    show("str(12)", PyObject_CallFunction(s, "(i)", 12));
    show("str(None)", PyObject_CallFunction(s, "(O)", Py_None));
    show("str((1, 'a'))", PyObject_CallFunction(s, "((is))", 1, "a"));
    show("tuple()", PyObject_CallNoArgs(t));
    show("tuple([1, 2])", PyObject_CallFunction(t, "([ii])", 1, 2));
    show("tuple({'a': 1})", PyObject_CallFunction(t, "({s:i})", "a", 1));
    show("tuple(1)", PyObject_CallFunction(t, "(i)", 1));
    show("tuple(1, 2)", PyObject_CallFunction(t, "(ii)", 1, 2));
    show("list()", PyObject_CallNoArgs(l));
    show("list((1, 2))", PyObject_CallFunction(l, "((ii))", 1, 2));
    show("list(1)", PyObject_CallFunction(l, "(i)", 1));
    show("list(1, 2)", PyObject_CallFunction(l, "(ii)", 1, 2));
    show("object.__new__(type(None))",
         call_attr(O(&PyBaseObject_Type), "__new__", "(O)", none_t));
    show("type(None).__bool__(None)", call_attr(none_t, "__bool__", "(O)", Py_None));
    show("type(None).__repr__(None)", call_attr(none_t, "__repr__", "(O)", Py_None));
    show("NotImplemented.__reduce__()", call_attr(Py_NotImplemented, "__reduce__", "()"));
    show("type(NotImplemented).__repr__(NotImplemented)",
         call_attr(ni_t, "__repr__", "(O)", Py_NotImplemented));
}

static void method_wrappers(void)
{
    PyObject *o = PyObject_CallNoArgs(O(&PyBaseObject_Type)), *w, *one;
    TR_REQUIRE(o != NULL);
    say("== method-wrappers");
    w = attr(o, "__str__");
    TR_REQUIRE(w != NULL);
    show("type(w)", PyObject_Type(w));
    show("w.__name__", attr(w, "__name__"));
    show("w.__qualname__", attr(w, "__qualname__"));
    show("w.__self__ is o", is(attr(w, "__self__"), Py_NewRef(o)));
    show("w.__objclass__", attr(w, "__objclass__"));
    show("w() == str(o)", eq(PyObject_CallNoArgs(w), PyObject_Str(o), Py_EQ));
    show("w == o.__str__", eq(Py_NewRef(w), attr(o, "__str__"), Py_EQ));
    show("w != o.__str__", eq(Py_NewRef(w), attr(o, "__str__"), Py_NE));
    {
        PyObject *other = PyObject_CallNoArgs(O(&PyBaseObject_Type));
        show("w == object().__str__", eq(Py_NewRef(w), attr(other, "__str__"), Py_EQ));
        Py_XDECREF(other);
    }
    show("w == o.__repr__", eq(Py_NewRef(w), attr(o, "__repr__"), Py_EQ));
    show("hash(w) == hash(o.__str__)", hash_eq(Py_NewRef(w), attr(o, "__str__")));
    show("w < w", PyObject_RichCompare(w, w, Py_LT));
    show("w.__reduce__", type_of(attr(w, "__reduce__")));
    show("w.__call__", type_of(attr(w, "__call__")));
    show("w.__doc__", attr(w, "__doc__"));
    show("w.__text_signature__", attr(w, "__text_signature__"));
    one = PyLong_FromLong(1);
    show("type((1).__bool__)", type_of(attr(one, "__bool__")));
    show("(1).__bool__()", call_attr(one, "__bool__", "()"));
    show("None.__bool__()", call_attr(Py_None, "__bool__", "()"));
    show("None.__repr__()", call_attr(Py_None, "__repr__", "()"));
    Py_DECREF(one);
    Py_DECREF(w);
    Py_DECREF(o);
}

static void builtin_methods(void)
{
    PyObject *d = PyDict_New(), *m, *type = O(&PyType_Type), *object = O(&PyBaseObject_Type);
    TR_REQUIRE(d != NULL);
    say("== builtin methods and descriptors");
    m = attr(d, "__getitem__");
    TR_REQUIRE(m != NULL);
    show("type(m)", PyObject_Type(m));
    show("m.__self__ is d", is(attr(m, "__self__"), Py_NewRef(d)));
    show("m.__name__", attr(m, "__name__"));
    show("m.__qualname__", attr(m, "__qualname__"));
    show("m == d.__getitem__", eq(Py_NewRef(m), attr(d, "__getitem__"), Py_EQ));
    {
        PyObject *other = PyDict_New();
        show("m == {}.__getitem__", eq(Py_NewRef(m), attr(other, "__getitem__"), Py_EQ));
        Py_XDECREF(other);
    }
    show("hash(m) == hash(d.__getitem__)", hash_eq(Py_NewRef(m), attr(d, "__getitem__")));
    show("m.__module__", attr(m, "__module__"));
    show("m.__text_signature__", attr(m, "__text_signature__"));
    {
        PyObject *mro = tdict(type, "mro");
        show("type.__dict__['mro'].__name__", mro ? attr(mro, "__name__") : NULL);
        Py_XDECREF(mro);
    }
    show("type(type.__dict__['mro'])", type_of(tdict(type, "mro")));
    show("type(object.__dict__['__init_subclass__'])",
         type_of(tdict(object, "__init_subclass__")));
    show("type(object.__dict__['__str__'])", type_of(tdict(object, "__str__")));
    show("type(type.__dict__['__name__'])", type_of(tdict(type, "__name__")));
    show("type(type.__dict__['__basicsize__'])", type_of(tdict(type, "__basicsize__")));
    show("type(object.__init_subclass__)", type_of(attr(object, "__init_subclass__")));
    show("object.__init_subclass__.__self__", attr2(object, "__init_subclass__", "__self__"));
    show("object.__init_subclass__ == object.__init_subclass__",
         eq(attr(object, "__init_subclass__"), attr(object, "__init_subclass__"), Py_EQ));
    show("type.__dict__['mro'] == type.__dict__['mro']",
         eq(tdict(type, "mro"), tdict(type, "mro"), Py_EQ));
    {
        PyObject *mro = tdict(type, "mro");
        show("type.__dict__['mro'].__call__(int)",
             mro ? call_attr(mro, "__call__", "(O)", &PyLong_Type) : NULL);
        Py_XDECREF(mro);
    }
    {
        PyObject *s = tdict(object, "__str__");
        TR_REQUIRE(s != NULL);
        show("object.__dict__['__str__'](1)", PyObject_CallFunction(s, "(i)", 1));
        show("object.__dict__['__str__'].__call__()", call_attr(s, "__call__", "()"));
        Py_DECREF(s);
    }
    Py_DECREF(m);
    Py_DECREF(d);
}

int main(void)
{
    Py_Initialize();
    constructors();
    method_wrappers();
    builtin_methods();
    return 0;
}
