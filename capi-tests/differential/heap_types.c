/*
 * Classes made at run time with type(name, bases, dict), on pycoro: the scenario of
 * heap_types.py, every class made by calling `type` with PyObject_Call and every check through
 * PyObject_IsInstance / PyObject_IsSubclass or the attributes Python code uses.
 */
#include "transcript.h"

#define O(t) ((PyObject *)(t))

static const struct {
    const char *name;
    unsigned long bit;
} FLAGS[] = {
    {"HEAPTYPE", 1UL << 9},          {"BASETYPE", 1UL << 10}, {"READY", 1UL << 12},
    {"HAVE_GC", 1UL << 14},          {"IMMUTABLETYPE", 1UL << 8},
    {"BASE_EXC_SUBCLASS", 1UL << 30}, {"LONG_SUBCLASS", 1UL << 24},
};

static PyObject *flags(PyObject *T)
{
    PyObject *f = attr(T, "__flags__"), *list;
    unsigned long v;
    size_t i;
    if (f == NULL) {
        return NULL;
    }
    v = PyLong_AsUnsignedLong(f);
    Py_DECREF(f);
    list = PyList_New(0);
    for (i = 0; list != NULL && i < sizeof FLAGS / sizeof FLAGS[0]; i++) {
        if (v & FLAGS[i].bit) {
            PyObject *name = str(FLAGS[i].name);
            if (PyList_Append(list, name) < 0) {
                Py_CLEAR(list);
            }
            Py_DECREF(name);
        }
    }
    return list;
}

/* type(name, bases, ns): steals bases and ns (either may be NULL after a failed build). */
static PyObject *make_type(PyObject *name, PyObject *bases, PyObject *ns)
{
    PyObject *r = NULL;
    if (name != NULL && bases != NULL && ns != NULL) {
        r = PyObject_CallFunctionObjArgs(O(&PyType_Type), name, bases, ns, NULL);
    }
    Py_XDECREF(name);
    Py_XDECREF(bases);
    Py_XDECREF(ns);
    return r;
}

static PyObject *eq(PyObject *a, PyObject *b)
{
    PyObject *r = NULL;
    if (a != NULL && b != NULL) {
        int v = PyObject_RichCompareBool(a, b, Py_EQ);
        r = v < 0 ? NULL : PyBool_FromLong(v);
    }
    Py_XDECREF(a);
    Py_XDECREF(b);
    return r;
}

/* a > 0 for an int attribute */
static PyObject *positive(PyObject *v)
{
    PyObject *r = NULL;
    if (v != NULL) {
        long x = PyLong_AsLong(v);
        r = (x == -1 && PyErr_Occurred()) ? NULL : PyBool_FromLong(x > 0);
        Py_DECREF(v);
    }
    return r;
}

static PyObject *contains(PyObject *seq, PyObject *x)
{
    PyObject *r = NULL;
    if (seq != NULL) {
        int v = PySequence_Contains(seq, x);
        r = v < 0 ? NULL : PyBool_FromLong(v);
        Py_DECREF(seq);
    }
    return r;
}

static PyObject *tuple2(PyObject *a, PyObject *b)
{
    return PyTuple_Pack(2, a, b);
}

static void show_sorted_dict(const char *label, PyObject *T)
{
    PyObject *d = attr(T, "__dict__");
    show(label, d ? sorted_list(d) : NULL);
    Py_XDECREF(d);
}

static PyObject *E, *e;

static void exception_class(void)
{
    PyObject *t;
    say("== an exception class");
    E = make_type(str("AppError"), PyTuple_Pack(1, PyExc_Exception),
                  Py_BuildValue("{s:s,s:s,s:s}", "__module__", "app", "__qualname__",
                                "Outer.AppError", "__doc__", "An app error."));
    TR_REQUIRE(E != NULL);
    show("E", Py_NewRef(E));
    show("E.__name__", attr(E, "__name__"));
    show("E.__qualname__", attr(E, "__qualname__"));
    show("E.__module__", attr(E, "__module__"));
    show("E.__mro__", attr(E, "__mro__"));
    show("E.__bases__", attr(E, "__bases__"));
    show("E.__base__", attr(E, "__base__"));
    show("E.__doc__", attr(E, "__doc__"));
    show_sorted_dict("sorted(E.__dict__)", E);
    {
        PyObject *d = attr(E, "__dict__");
        show("E.__dict__['__module__']", d ? item(d, "__module__") : NULL);
        Py_XDECREF(d);
    }
    show("E.__flags__", flags(E));
    show("E.__basicsize__ == Exception.__basicsize__",
         eq(attr(E, "__basicsize__"), attr(PyExc_Exception, "__basicsize__")));
    show("E.__dictoffset__ == Exception.__dictoffset__",
         eq(attr(E, "__dictoffset__"), attr(PyExc_Exception, "__dictoffset__")));
    show("E.__weakrefoffset__", positive(attr(E, "__weakrefoffset__")));
    show("type(E)", PyObject_Type(E));
    show("E.mro()", call_attr(E, "mro", "()"));
    show("E.__subclasses__()", call_attr(E, "__subclasses__", "()"));
    show("E in Exception.__subclasses__()",
         contains(call_attr(PyExc_Exception, "__subclasses__", "()"), E));
    e = PyObject_CallFunction(E, "si", "boom", 2);
    TR_REQUIRE(e != NULL);
    show("e", Py_NewRef(e));
    show("str(e)", PyObject_Str(e));
    show("e.args", attr(e, "args"));
    show("type(e) is E", is(PyObject_Type(e), Py_NewRef(E)));
    show("e.__class__", attr(e, "__class__"));
    show_bool("isinstance(e, Exception)", PyObject_IsInstance(e, PyExc_Exception));
    show_bool("isinstance(e, E)", PyObject_IsInstance(e, E));
    t = tuple2(O(&PyLong_Type), O(&PyUnicode_Type));
    show_bool("isinstance(e, (int, str))", PyObject_IsInstance(e, t));
    Py_DECREF(t);
    t = Py_BuildValue("(O(OO))", &PyLong_Type, &PyUnicode_Type, E);
    show_bool("isinstance(e, (int, (str, E)))", PyObject_IsInstance(e, t));
    Py_DECREF(t);
    show_bool("issubclass(E, BaseException)", PyObject_IsSubclass(E, PyExc_BaseException));
    t = tuple2(O(&PyLong_Type), PyExc_ValueError);
    show_bool("issubclass(E, (int, ValueError))", PyObject_IsSubclass(E, t));
    Py_DECREF(t);
    t = PyTuple_New(0);
    show_bool("issubclass(E, ())", PyObject_IsSubclass(E, t));
    Py_DECREF(t);
    show("E.__subclasscheck__(BaseException)",
         call_attr(E, "__subclasscheck__", "(O)", PyExc_BaseException));
    show("Exception.__subclasscheck__(E)",
         call_attr(PyExc_Exception, "__subclasscheck__", "(O)", E));
    show("type.__instancecheck__(E, e)",
         call_attr(O(&PyType_Type), "__instancecheck__", "(OO)", E, e));
    show("type.__instancecheck__(E, 1)",
         call_attr(O(&PyType_Type), "__instancecheck__", "(Oi)", E, 1));
    show("E.__instancecheck__(1)", call_attr(E, "__instancecheck__", "(i)", 1));
    {
        PyObject *one = PyLong_FromLong(1);
        show_bool("isinstance(1, 1)", PyObject_IsInstance(one, one));
        show_bool("issubclass(1, int)", PyObject_IsSubclass(one, O(&PyLong_Type)));
        show_bool("issubclass(int, 1)", PyObject_IsSubclass(O(&PyLong_Type), one));
        t = tuple2(O(&PyLong_Type), one);
        show_bool("issubclass(int, (int, 1))", PyObject_IsSubclass(O(&PyLong_Type), t));
        Py_DECREF(t);
        t = tuple2(O(&PyUnicode_Type), one);
        show_bool("issubclass(int, (str, 1))", PyObject_IsSubclass(O(&PyLong_Type), t));
        Py_DECREF(t);
        Py_DECREF(one);
    }
}

static void instances(void)
{
    say("== instances");
    show("e.__dict__", attr(e, "__dict__"));
    show_setattr("e.extra = 5", e, "extra", PyLong_FromLong(5));
    show("e.extra", attr(e, "extra"));
    show("e.__dict__", attr(e, "__dict__"));
    show_setattr("del e.extra", e, "extra", NULL);
    show("e.extra", attr(e, "extra"));
    show_setattr("del e.extra", e, "extra", NULL);
    show_setattr("e.__dict__ = {'a': 1}", e, "__dict__", Py_BuildValue("{s:i}", "a", 1));
    show("e.a", attr(e, "a"));
    show_setattr("e.__dict__ = 1", e, "__dict__", PyLong_FromLong(1));
    show_setattr("del e.__dict__", e, "__dict__", NULL);
    show_setattr("e.args = ('x',)", e, "args", Py_BuildValue("(s)", "x"));
    show("e", Py_NewRef(e));
    show("e.__traceback__", attr(e, "__traceback__"));
    show_setattr("e.__cause__ = 1", e, "__cause__", PyLong_FromLong(1));
    show_setattr("e.__cause__ = KeyError('c')", e, "__cause__",
                 PyObject_CallFunction(PyExc_KeyError, "s", "c"));
    show("e.__cause__", attr(e, "__cause__"));
    show("e.__suppress_context__", attr(e, "__suppress_context__"));
}

static void class_attributes(void)
{
    say("== class attributes");
    show_setattr("E.attr = 1", E, "attr", PyLong_FromLong(1));
    show("E.attr", attr(E, "attr"));
    show("e.attr", attr(e, "attr"));
    show_setattr("del E.attr", E, "attr", NULL);
    show("E.attr", attr(E, "attr"));
    show_setattr("del E.attr", E, "attr", NULL);
    show_setattr("E.__name__ = 'Renamed'", E, "__name__", str("Renamed"));
    show("E", Py_NewRef(E));
    show("E.__qualname__", attr(E, "__qualname__"));
    show_setattr("E.__qualname__ = 'Q'", E, "__qualname__", str("Q"));
    show("E", Py_NewRef(E));
    show_setattr("E.__module__ = 'other'", E, "__module__", str("other"));
    show("E", Py_NewRef(E));
    show("e", Py_NewRef(e));
    show_setattr("E.__name__ = 1", E, "__name__", PyLong_FromLong(1));
    show_setattr("E.__name__ = 'a\\0b'", E, "__name__", PyUnicode_FromStringAndSize("a\0b", 3));
    show_setattr("del E.__name__", E, "__name__", NULL);
    show_setattr("E.__qualname__ = None", E, "__qualname__", Py_NewRef(Py_None));
    show_setattr("del E.__module__", E, "__module__", NULL);
    show_setattr("E.__doc__ = 'new doc'", E, "__doc__", str("new doc"));
    show("E.__doc__", attr(E, "__doc__"));
    show_setattr("E.__mro__ = ()", E, "__mro__", PyTuple_New(0));
    show_setattr("E.__basicsize__ = 8", E, "__basicsize__", PyLong_FromLong(8));
}

static void plain_classes(void)
{
    PyObject *P, *Q, *I, *U, *p, *i, *d;
    say("== plain classes");
    P = make_type(str("P"), PyTuple_New(0), Py_BuildValue("{s:s,s:i}", "__module__", "app", "x", 1));
    TR_REQUIRE(P != NULL);
    show("P", Py_NewRef(P));
    show("P.__qualname__", attr(P, "__qualname__"));
    show("P.__bases__", attr(P, "__bases__"));
    show("P.__mro__", attr(P, "__mro__"));
    show_sorted_dict("sorted(P.__dict__)", P);
    d = attr(P, "__dict__");
    TR_REQUIRE(d != NULL);
    show("P.__dict__['__dict__']", item(d, "__dict__"));
    show("P.__dict__['__weakref__']", item(d, "__weakref__"));
    Py_DECREF(d);
    show("P.__doc__", attr(P, "__doc__"));
    show("P.__flags__", flags(P));
    show("P.__basicsize__", attr(P, "__basicsize__"));
    show("P.__dictoffset__", attr(P, "__dictoffset__"));
    show("P.__weakrefoffset__", attr(P, "__weakrefoffset__"));
    p = PyObject_CallNoArgs(P);
    TR_REQUIRE(p != NULL);
    show("p.__class__ is P", is(attr(p, "__class__"), Py_NewRef(P)));
    show("p.x", attr(p, "x"));
    show("p.__dict__", attr(p, "__dict__"));
    show_setattr("p.x = 3", p, "x", PyLong_FromLong(3));
    show("p.x", attr(p, "x"));
    show("P.x", attr(P, "x"));
    show("p.__dict__", attr(p, "__dict__"));
    show("P(1)", PyObject_CallFunction(P, "i", 1));
    Q = make_type(str("Q"), PyTuple_Pack(1, P), Py_BuildValue("{s:s}", "__module__", "app"));
    TR_REQUIRE(Q != NULL);
    show("Q.__mro__", attr(Q, "__mro__"));
    show("Q.x", attr(Q, "x"));
    show("Q.__base__", attr(Q, "__base__"));
    show("P.__subclasses__()", call_attr(P, "__subclasses__", "()"));
    show_setattr("p.__class__ = Q", p, "__class__", Py_NewRef(Q));
    show("type(p)", PyObject_Type(p));
    show_setattr("p.__class__ = E", p, "__class__", Py_NewRef(E));
    show_setattr("p.__class__ = int", p, "__class__", Py_NewRef(&PyLong_Type));
    show_bool("isinstance(p, P)", PyObject_IsInstance(p, P));
    show_bool("issubclass(Q, P)", PyObject_IsSubclass(Q, P));
    show_bool("issubclass(P, Q)", PyObject_IsSubclass(P, Q));
    show("Q.__init_subclass__()", call_attr(Q, "__init_subclass__", "()"));
    I = make_type(str("I"), PyTuple_Pack(1, &PyLong_Type),
                  Py_BuildValue("{s:s}", "__module__", "app"));
    TR_REQUIRE(I != NULL);
    show("I.__mro__", attr(I, "__mro__"));
    show("I.__flags__", flags(I));
    i = PyObject_CallFunction(I, "i", 5);
    TR_REQUIRE(i != NULL);
    show("I(5)", Py_NewRef(i));
    show("type(I(5))", PyObject_Type(i));
    show_bool("isinstance(I(5), int)", PyObject_IsInstance(i, O(&PyLong_Type)));
    show("I(5) == 5", eq(Py_NewRef(i), PyLong_FromLong(5)));
    {
        Py_hash_t h = PyObject_Hash(i);
        show("hash(I(5))", h == -1 ? NULL : PyLong_FromSsize_t(h));
    }
    show("I(5).__dict__", attr(i, "__dict__"));
    U = make_type(str("U"), PyTuple_New(0),
                  Py_BuildValue("{s:s,s:O}", "__module__", "app", "__hash__", Py_None));
    TR_REQUIRE(U != NULL);
    show("U.__hash__", attr(U, "__hash__"));
    {
        PyObject *u = PyObject_CallNoArgs(U);
        Py_hash_t h = u ? PyObject_Hash(u) : -1;
        show("hash(U())", h == -1 ? NULL : PyLong_FromSsize_t(h));
        Py_XDECREF(u);
    }
    show_sorted_dict("sorted(U.__dict__)", U);
    show("type('S', (), {'__slots__': ('a',)})",
         make_type(str("S"), PyTuple_New(0),
                   Py_BuildValue("{s:s,s:(s)}", "__module__", "app", "__slots__", "a")));
    Py_DECREF(U);
    Py_DECREF(i);
    Py_DECREF(I);
    Py_DECREF(p);
    Py_DECREF(Q);

    say("== refusals");
    show("type('X', (bool,), {})", make_type(str("X"), PyTuple_Pack(1, &PyBool_Type), PyDict_New()));
    show("type('X', (1,), {})", make_type(str("X"), Py_BuildValue("(i)", 1), PyDict_New()));
    show("type('X', (int, str), {})",
         make_type(str("X"), tuple2(O(&PyLong_Type), O(&PyUnicode_Type)), PyDict_New()));
    show("type('X', (object, object), {})",
         make_type(str("X"), tuple2(O(&PyBaseObject_Type), O(&PyBaseObject_Type)), PyDict_New()));
    show("type('X', (object, P), {})",
         make_type(str("X"), tuple2(O(&PyBaseObject_Type), P), PyDict_New()));
    show("type('X', (), 1)", make_type(str("X"), PyTuple_New(0), PyLong_FromLong(1)));
    show("type(1, (), {})", make_type(PyLong_FromLong(1), PyTuple_New(0), PyDict_New()));
    show("type('X', [], {})", make_type(str("X"), PyList_New(0), PyDict_New()));
    show("type('a\\0b', (), {})",
         make_type(PyUnicode_FromStringAndSize("a\0b", 3), PyTuple_New(0), PyDict_New()));
    show("type('X', (type(None),), {})",
         make_type(str("X"), PyTuple_Pack(1, Py_TYPE(Py_None)), PyDict_New()));
    show("type('X', (), {'__qualname__': 1})",
         make_type(str("X"), PyTuple_New(0), Py_BuildValue("{s:i}", "__qualname__", 1)));
    show("type('X', (), {'__slots__': 1})",
         make_type(str("X"), PyTuple_New(0), Py_BuildValue("{s:i}", "__slots__", 1)));
    show("type('X', (), {'__slots__': ('__dict__', '__dict__')})",
         make_type(str("X"), PyTuple_New(0),
                   Py_BuildValue("{s:(ss)}", "__slots__", "__dict__", "__dict__")));
    show("type('X', (), {'__slots__': ('a',), 'a': 1})",
         make_type(str("X"), PyTuple_New(0), Py_BuildValue("{s:(s),s:i}", "__slots__", "a", "a", 1)));
    Py_DECREF(P);
}

int main(void)
{
    Py_Initialize();
    exception_class();
    instances();
    class_attributes();
    plain_classes();
    Py_DECREF(e);
    Py_DECREF(E);
    return 0;
}
