/*
 * Descriptors, slot wrappers and their refusals, on pycoro: the scenario of descr_errors.py
 * through the C API (attributes read with PyObject_GetAttrString, calls with PyObject_Call).
 */
#include "transcript.h"

#define O(t) ((PyObject *)(t))

/* T.__dict__[key]. Return value: new reference or NULL. */
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

/* T.__dict__[key].method(*args) */
static PyObject *tdict_call(PyObject *T, const char *key, const char *method, const char *fmt,
                            PyObject *a, PyObject *b)
{
    PyObject *d = tdict(T, key), *r;
    if (d == NULL) {
        return NULL;
    }
    if (method == NULL) {
        r = PyObject_CallFunction(d, fmt, a, b);
    } else {
        r = call_attr(d, method, fmt, a, b);
    }
    Py_DECREF(d);
    return r;
}

/* getattr(o, name)(*args, **{kw: 1}) */
static PyObject *call_kw(PyObject *o, const char *name, const char *kw)
{
    PyObject *m = attr(o, name), *args = PyTuple_New(0), *kwargs = PyDict_New(), *one, *r = NULL;
    one = PyLong_FromLong(1);
    if (m != NULL && args != NULL && kwargs != NULL && one != NULL &&
        PyDict_SetItemString(kwargs, kw, one) == 0) {
        r = PyObject_Call(m, args, kwargs);
    }
    Py_XDECREF(m);
    Py_XDECREF(args);
    Py_XDECREF(kwargs);
    Py_XDECREF(one);
    return r;
}

/* a == b as a bool, both stolen */
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

static void new_and_init(PyObject *o)
{
    say("== object.__new__ and __init__");
    show("object.__new__()", call_attr(O(&PyBaseObject_Type), "__new__", "()"));
    show("object.__new__(1)", call_attr(O(&PyBaseObject_Type), "__new__", "(i)", 1));
    show("object.__new__(int)", call_attr(O(&PyBaseObject_Type), "__new__", "(O)", &PyLong_Type));
    show("object.__new__(type)", call_attr(O(&PyBaseObject_Type), "__new__", "(O)", &PyType_Type));
    show("object.__new__(TypeError)",
         call_attr(O(&PyBaseObject_Type), "__new__", "(O)", PyExc_TypeError));
    show("object.__new__(object)",
         call_attr(O(&PyBaseObject_Type), "__new__", "(O)", &PyBaseObject_Type));
    show("object.__new__(object, 1)",
         call_attr(O(&PyBaseObject_Type), "__new__", "(Oi)", &PyBaseObject_Type, 1));
    show("object(1)", PyObject_CallFunction(O(&PyBaseObject_Type), "i", 1));
    {
        PyObject *args = PyTuple_New(0), *kwargs = Py_BuildValue("{s:i}", "a", 1);
        show("object(a=1)", PyObject_Call(O(&PyBaseObject_Type), args, kwargs));
        Py_XDECREF(args);
        Py_XDECREF(kwargs);
    }
    show("object()", PyObject_CallNoArgs(O(&PyBaseObject_Type)));
    show("int.__new__(str)", call_attr(O(&PyLong_Type), "__new__", "(O)", &PyUnicode_Type));
    show("int.__new__(1)", call_attr(O(&PyLong_Type), "__new__", "(i)", 1));
    show("tuple.__new__(1)", call_attr(O(&PyTuple_Type), "__new__", "(i)", 1));
    show("tuple.__new__(int)", call_attr(O(&PyTuple_Type), "__new__", "(O)", &PyLong_Type));
    show("type.__new__(type)", call_attr(O(&PyType_Type), "__new__", "(O)", &PyType_Type));
    show("type.__new__(int, 'X', (), {})",
         call_attr(O(&PyType_Type), "__new__", "(Os()N)", &PyLong_Type, "X", PyDict_New()));
    show("object.__init__(o, 1)", call_attr(O(&PyBaseObject_Type), "__init__", "(Oi)", o, 1));
    show("object.__init__(o)", call_attr(O(&PyBaseObject_Type), "__init__", "(O)", o));
    show("object.__init__()", call_attr(O(&PyBaseObject_Type), "__init__", "()"));
    show("o.__init__(a=1)", call_kw(o, "__init__", "a"));
}

static void setattr_refusals(PyObject *o)
{
    say("== setattr refusals");
    show_setattr("o.x = 1", o, "x", PyLong_FromLong(1));
    show("o.x", attr(o, "x"));
    show_setattr("del o.x", o, "x", NULL);
    show_setattr("o.__class__ = int", o, "__class__", Py_NewRef(&PyLong_Type));
    show_setattr("int.x = 1", O(&PyLong_Type), "x", PyLong_FromLong(1));
    show_setattr("del int.real", O(&PyLong_Type), "real", NULL);
    show_setattr("object.__name__ = 'x'", O(&PyBaseObject_Type), "__name__", str("x"));
    show_setattr("type.mro = 1", O(&PyType_Type), "mro", PyLong_FromLong(1));
    show("object.__setattr__(int, 'x', 1)",
         call_attr(O(&PyBaseObject_Type), "__setattr__", "(Osi)", &PyLong_Type, "x", 1));
    show("type.__setattr__(int, 'x', 1)",
         call_attr(O(&PyType_Type), "__setattr__", "(Osi)", &PyLong_Type, "x", 1));
    show("type.__setattr__(o, 'x', 1)",
         call_attr(O(&PyType_Type), "__setattr__", "(Osi)", o, "x", 1));
    show("type.__dict__['__name__'].__set__(int, 'x')",
         tdict_call(O(&PyType_Type), "__name__", "__set__", "(ON)", O(&PyLong_Type), str("x")));
    show("type.__dict__['__mro__'].__set__(int, ())",
         tdict_call(O(&PyType_Type), "__mro__", "__set__", "(ON)", O(&PyLong_Type),
                    PyTuple_New(0)));
    show("type.__dict__['__doc__'].__set__(int, 'd')",
         tdict_call(O(&PyType_Type), "__doc__", "__set__", "(ON)", O(&PyLong_Type), str("d")));
    show_setattr("int.__doc__ = 'd'", O(&PyLong_Type), "__doc__", str("d"));
    show("object.__delattr__(o, 'x')",
         call_attr(O(&PyBaseObject_Type), "__delattr__", "(Os)", o, "x"));
    show("object.__getattribute__(o, 'x')",
         call_attr(O(&PyBaseObject_Type), "__getattribute__", "(Os)", o, "x"));
    show("object.__getattribute__(o, 1)",
         call_attr(O(&PyBaseObject_Type), "__getattribute__", "(Oi)", o, 1));
    show("object.__setattr__(o, 1, 2)",
         call_attr(O(&PyBaseObject_Type), "__setattr__", "(Oii)", o, 1, 2));
}

static void slot_wrappers(PyObject *o)
{
    PyObject *object = O(&PyBaseObject_Type), *type = O(&PyType_Type);
    say("== slot wrappers");
    show("object.__repr__", attr(object, "__repr__"));
    show("object.__repr__()", call_attr(object, "__repr__", "()"));
    show("object.__repr__(1)", call_attr(object, "__repr__", "(i)", 1));
    show("object.__repr__(o, 1)", call_attr(object, "__repr__", "(Oi)", o, 1));
    show("o.__repr__(1)", call_attr(o, "__repr__", "(i)", 1));
    show("object.__setattr__(o, 'x')", call_attr(object, "__setattr__", "(Os)", o, "x"));
    show("o.__setattr__('x')", call_attr(o, "__setattr__", "(s)", "x"));
    show("o.__setattr__('x', 1, 2)", call_attr(o, "__setattr__", "(sii)", "x", 1, 2));
    show("object.__eq__(o)", call_attr(object, "__eq__", "(O)", o));
    show("object.__eq__(o, o)", call_attr(object, "__eq__", "(OO)", o, o));
    show("object.__eq__(o, 1)", call_attr(object, "__eq__", "(Oi)", o, 1));
    show("object.__ne__(o, o)", call_attr(object, "__ne__", "(OO)", o, o));
    show("object.__lt__(o, o)", call_attr(object, "__lt__", "(OO)", o, o));
    show("o < o", PyObject_RichCompare(o, o, Py_LT));
    show("o == o", PyObject_RichCompare(o, o, Py_EQ));
    {
        Py_hash_t h = PyObject_Hash(o);
        show("object.__hash__(o) == hash(o)",
             eq(call_attr(object, "__hash__", "(O)", o), PyLong_FromSsize_t(h)));
    }
    show("object.__str__(o) == repr(o)",
         eq(call_attr(object, "__str__", "(O)", o), PyObject_Repr(o)));
    show("object.__sizeof__(o)", call_attr(object, "__sizeof__", "(O)", o));
    show("object.__format__(o, '') == str(o)",
         eq(call_attr(object, "__format__", "(Os)", o, ""), PyObject_Str(o)));
    show("object.__format__(o, 'x')", call_attr(object, "__format__", "(Os)", o, "x"));
    show("object.__format__(o, 1)", call_attr(object, "__format__", "(Oi)", o, 1));
    {
        PyObject *dir = call_attr(object, "__dir__", "(O)", o);
        show("sorted(object.__dir__(o))", dir ? sorted_list(dir) : NULL);
        Py_XDECREF(dir);
    }
    show("type.__repr__(1)", call_attr(type, "__repr__", "(i)", 1));
    show("type.__repr__(int)", call_attr(type, "__repr__", "(O)", &PyLong_Type));
    show("type.__call__(int)", call_attr(type, "__call__", "(O)", &PyLong_Type));
    show("type.__call__(1)", call_attr(type, "__call__", "(i)", 1));
    show("type.__dict__['__call__'].__get__(None, None)",
         tdict_call(type, "__call__", "__get__", "(OO)", Py_None, Py_None));
    show("type.__dict__['__call__'].__get__(1)",
         tdict_call(type, "__call__", "__get__", "(N)", PyLong_FromLong(1), NULL));
    show("type.__dict__['__call__'].__get__(int)",
         tdict_call(type, "__call__", "__get__", "(O)", O(&PyLong_Type), NULL));
    show("object.__repr__.__objclass__", attr2(object, "__repr__", "__objclass__"));
    show("object.__repr__.__name__", attr2(object, "__repr__", "__name__"));
    show("object.__repr__.__qualname__", attr2(object, "__repr__", "__qualname__"));
    show("object.__repr__.__doc__", attr2(object, "__repr__", "__doc__"));
    show("object.__repr__.__text_signature__", attr2(object, "__repr__", "__text_signature__"));
    show("object.__setattr__.__text_signature__",
         attr2(object, "__setattr__", "__text_signature__"));
    show("object.__setattr__.__doc__", attr2(object, "__setattr__", "__doc__"));
    show("object.__eq__.__text_signature__", attr2(object, "__eq__", "__text_signature__"));
    show("object.__init__.__text_signature__", attr2(object, "__init__", "__text_signature__"));
    show("object.__new__", attr(object, "__new__"));
    show("object.__new__.__self__", attr2(object, "__new__", "__self__"));
    show("object.__new__.__qualname__", attr2(object, "__new__", "__qualname__"));
    show("object.__new__.__text_signature__", attr2(object, "__new__", "__text_signature__"));
    show("object.__new__.__doc__", attr2(object, "__new__", "__doc__"));
    show("o.__repr__.__self__ is o", is(attr2(o, "__repr__", "__self__"), Py_NewRef(o)));
    show("o.__repr__.__objclass__", attr2(o, "__repr__", "__objclass__"));
    show("o.__repr__.__qualname__", attr2(o, "__repr__", "__qualname__"));
    show("o.__repr__ == o.__repr__", eq(attr(o, "__repr__"), attr(o, "__repr__")));
    show("o.__repr__ == o.__str__", eq(attr(o, "__repr__"), attr(o, "__str__")));
}

static void descriptors(void)
{
    PyObject *object = O(&PyBaseObject_Type), *type = O(&PyType_Type), *integer = O(&PyLong_Type);
    say("== members, getsets, method descriptors");
    show("type.__dict__['__name__']", tdict(type, "__name__"));
    show("type.__dict__['__name__'].__get__(1)",
         tdict_call(type, "__name__", "__get__", "(N)", PyLong_FromLong(1), NULL));
    show("type.__dict__['__name__'].__get__(None, None)",
         tdict_call(type, "__name__", "__get__", "(OO)", Py_None, Py_None));
    show("type.__dict__['__name__'].__get__(None, int)",
         tdict_call(type, "__name__", "__get__", "(OO)", Py_None, integer));
    show("type.__dict__['__mro__'].__get__(int)",
         tdict_call(type, "__mro__", "__get__", "(O)", integer, NULL));
    {
        PyObject *d = tdict(type, "__mro__");
        TR_REQUIRE(d != NULL);
        show("type.__dict__['__mro__'].__objclass__", attr(d, "__objclass__"));
        show("type.__dict__['__mro__'].__name__", attr(d, "__name__"));
        show("type.__dict__['__mro__'].__qualname__", attr(d, "__qualname__"));
        Py_DECREF(d);
    }
    show("type.__dict__['__basicsize__']", tdict(type, "__basicsize__"));
    show("type.__dict__['__basicsize__'].__set__(int, 1)",
         tdict_call(type, "__basicsize__", "__set__", "(ON)", integer, PyLong_FromLong(1)));
    show("type.__dict__['__basicsize__'].__delete__(int)",
         tdict_call(type, "__basicsize__", "__delete__", "(O)", integer, NULL));
    show("type.__dict__['__basicsize__'].__get__('s')",
         tdict_call(type, "__basicsize__", "__get__", "(N)", str("s"), NULL));
    show("object.__dict__['__class__']", tdict(object, "__class__"));
    show("object.__dict__['__class__'].__get__(1)",
         tdict_call(object, "__class__", "__get__", "(N)", PyLong_FromLong(1), NULL));
    show("object.__dict__['__class__'].__get__(None, int)",
         tdict_call(object, "__class__", "__get__", "(OO)", Py_None, integer));
    {
        PyObject *d = tdict(object, "__class__");
        TR_REQUIRE(d != NULL);
        show("object.__dict__['__class__'].__doc__", attr(d, "__doc__"));
        Py_DECREF(d);
    }
    show("type.mro", attr(type, "mro"));
    show("type.mro(1)", call_attr(type, "mro", "(i)", 1));
    show("type.mro(int)", call_attr(type, "mro", "(O)", integer));
    show("type.mro(int, 1)", call_attr(type, "mro", "(Oi)", integer, 1));
    show("type.mro.__text_signature__", attr2(type, "mro", "__text_signature__"));
    show("type.mro.__doc__", attr2(type, "mro", "__doc__"));
    show("type.__dict__['mro'].__get__(None, None)",
         tdict_call(type, "mro", "__get__", "(OO)", Py_None, Py_None));
    show("type.__dict__['mro'].__get__(int)",
         tdict_call(type, "mro", "__get__", "(O)", integer, NULL));
    {
        PyObject *subs = call_attr(type, "__subclasses__", "(O)", object);
        show("type.__subclasses__(object) is a list", subs ? PyObject_Type(subs) : NULL);
        Py_XDECREF(subs);
    }
    show("object.__subclasshook__", attr(object, "__subclasshook__"));
    show("object.__subclasshook__()", call_attr(object, "__subclasshook__", "()"));
    show("object.__dict__['__subclasshook__']", tdict(object, "__subclasshook__"));
    show("object.__dict__['__subclasshook__'](int)",
         tdict_call(object, "__subclasshook__", NULL, "(O)", integer, NULL));
    show("object.__dict__['__subclasshook__'](1)",
         tdict_call(object, "__subclasshook__", NULL, "(N)", PyLong_FromLong(1), NULL));
    show("object.__dict__['__subclasshook__']()",
         tdict_call(object, "__subclasshook__", NULL, "()", NULL, NULL));
    show("object.__dict__['__subclasshook__'].__get__(None, None)",
         tdict_call(object, "__subclasshook__", "__get__", "(OO)", Py_None, Py_None));
    show("object.__dict__['__subclasshook__'].__get__(None, 1)",
         tdict_call(object, "__subclasshook__", "__get__", "(ON)", Py_None, PyLong_FromLong(1)));
    show("object.__dict__['__subclasshook__'].__get__(1)",
         tdict_call(object, "__subclasshook__", "__get__", "(N)", PyLong_FromLong(1), NULL));
    show("object.__dict__['__init_subclass__'].__get__(None, int)",
         tdict_call(object, "__init_subclass__", "__get__", "(OO)", Py_None, integer));
    show("object.__init_subclass__(1)", call_attr(object, "__init_subclass__", "(i)", 1));
    show("object.__init_subclass__()", call_attr(object, "__init_subclass__", "()"));
}

static void unhashable(void)
{
    PyObject *d = PyDict_New(), *t, *outer;
    TR_REQUIRE(d != NULL);
    say("== unhashable");
    show("dict.__hash__", attr(O(&PyDict_Type), "__hash__"));
    show("list.__hash__", attr(O(&PyList_Type), "__hash__"));
    show("{}.__hash__", attr(d, "__hash__"));
    {
        Py_hash_t h = PyObject_Hash(d);
        show("hash({})", h == -1 ? NULL : PyLong_FromSsize_t(h));
    }
    {
        PyObject *l = PyList_New(0);
        Py_hash_t h = PyObject_Hash(l);
        show("hash([])", h == -1 ? NULL : PyLong_FromSsize_t(h));
        Py_XDECREF(l);
    }
    t = PyTuple_Pack(1, d);
    {
        Py_hash_t h = PyObject_Hash(t);
        show("hash(({},))", h == -1 ? NULL : PyLong_FromSsize_t(h));
    }
    {
        PyObject *h = call_attr(O(&PyBaseObject_Type), "__hash__", "(O)", d);
        show("object.__hash__({}) is an int", h ? PyObject_Type(h) : NULL);
        Py_XDECREF(h);
    }
    outer = PyDict_New();
    {
        PyObject *one = PyLong_FromLong(1);
        int rc = PyDict_SetItem(outer, d, one);
        Py_DECREF(one);
        show("{{}: 1}", rc < 0 ? NULL : Py_NewRef(outer));
    }
    {
        PyObject *td = attr(O(&PyType_Type), "__dict__");
        show_bool("type.__dict__['__hash__'] is in object's mro only",
                  td ? PySequence_Contains(td, str("__hash__")) : -1);
        Py_XDECREF(td);
    }
    Py_DECREF(outer);
    Py_DECREF(t);
    Py_DECREF(d);
}

int main(void)
{
    PyObject *o;
    Py_Initialize();
    o = PyObject_CallNoArgs(O(&PyBaseObject_Type));
    TR_REQUIRE(o != NULL);
    new_and_init(o);
    setattr_refusals(o);
    slot_wrappers(o);
    descriptors();
    unhashable();
    Py_DECREF(o);
    return 0;
}
