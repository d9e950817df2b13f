/*
 * api_types.c - the type system seen from C: readied static types' attributes, descriptors and
 * slot wrappers, attribute lookup through the MRO, heap types (PyType_FromSpec, type(name,
 * bases, dict), PyErr_NewException), isinstance/issubclass, instance dicts, reference counts
 * and reclamation. Uses CPython 3.10's API only: tests/api_differential.rs builds it against
 * CPython (embedded) and against pycoro and compares the transcripts line by line.
 */
#include <Python.h>
#include <structmember.h>
#include <stdio.h>
#include <string.h>

static void show(const char *what, PyObject *o)
{
    if (o == NULL) {
        PyObject *t, *v, *tb;
        PyErr_Fetch(&t, &v, &tb);
        PyObject *s = v ? PyObject_Str(v) : NULL;
        printf("%s -> !%s: %s\n", what, t ? ((PyTypeObject *)t)->tp_name : "?",
               s ? PyUnicode_AsUTF8(s) : "");
        Py_XDECREF(s);
        Py_XDECREF(t);
        Py_XDECREF(v);
        Py_XDECREF(tb);
        return;
    }
    PyObject *r = PyObject_Repr(o);
    printf("%s -> %s\n", what, r ? PyUnicode_AsUTF8(r) : "<repr failed>");
    if (r == NULL) {
        PyErr_Clear();
    }
    Py_XDECREF(r);
    Py_DECREF(o);
}

static void attr(PyObject *o, const char *name)
{
    char what[200];
    snprintf(what, sizeof what, "%s.%s", Py_TYPE(o) == &PyType_Type ? ((PyTypeObject *)o)->tp_name : Py_TYPE(o)->tp_name, name);
    show(what, PyObject_GetAttrString(o, name));
}

static void call0(PyObject *o, const char *name)
{
    char what[200];
    snprintf(what, sizeof what, "%s.%s()", Py_TYPE(o)->tp_name, name);
    show(what, PyObject_CallMethod(o, name, NULL));
}

static void sorted_keys(const char *what, PyObject *mapping)
{
    PyObject *keys = PyMapping_Keys(mapping);
    if (keys == NULL) {
        show(what, NULL);
        return;
    }
    if (PyList_Sort(keys) < 0) {
        show(what, NULL);
        Py_DECREF(keys);
        return;
    }
    show(what, keys);
}

/* ---- a heap type made from a spec ---- */

static int dealloc_count;

typedef struct {
    PyObject_HEAD
    PyObject *payload;
    long number;
} Item;

static void item_dealloc(PyObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    Py_CLEAR(((Item *)self)->payload);
    dealloc_count++;
    tp->tp_free(self);
    Py_DECREF(tp);
}

static int item_traverse(PyObject *self, visitproc visit, void *arg)
{
    Py_VISIT(((Item *)self)->payload);
    Py_VISIT(Py_TYPE(self));
    return 0;
}

static int item_clear(PyObject *self)
{
    Py_CLEAR(((Item *)self)->payload);
    return 0;
}

static PyObject *item_repr(PyObject *self)
{
    return PyUnicode_FromFormat("<Item %ld>", ((Item *)self)->number);
}

static PyObject *item_double(PyObject *self, PyObject *Py_UNUSED(ignored))
{
    return PyLong_FromLong(2 * ((Item *)self)->number);
}

static PyMethodDef item_methods[] = {
    {"double", item_double, METH_NOARGS, "double($self, /)\n--\n\nTwice the number."},
    {NULL, NULL, 0, NULL},
};

static PyMemberDef item_members[] = {
    {"payload", T_OBJECT, offsetof(Item, payload), 0, "what it carries"},
    {"number", T_LONG, offsetof(Item, number), READONLY, NULL},
    {NULL, 0, 0, 0, NULL},
};

static PyType_Slot item_slots[] = {
    {Py_tp_dealloc, (void *)item_dealloc},
    {Py_tp_traverse, (void *)item_traverse},
    {Py_tp_clear, (void *)item_clear},
    {Py_tp_repr, (void *)item_repr},
    {Py_tp_methods, item_methods},
    {Py_tp_members, item_members},
    {Py_tp_doc, "Item(number)\n--\n\nA thing with a number."},
    {Py_tp_new, (void *)PyType_GenericNew},
    {0, NULL},
};

static PyType_Spec item_spec = {
    "shop.Item",
    sizeof(Item),
    0,
    Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    item_slots,
};

static void static_types(void)
{
    printf("== static types\n");
    PyObject *obj = (PyObject *)&PyBaseObject_Type;
    attr(obj, "__name__");
    attr(obj, "__qualname__");
    attr(obj, "__module__");
    attr(obj, "__mro__");
    attr(obj, "__bases__");
    attr(obj, "__base__");
    attr(obj, "__doc__");
    attr(obj, "__text_signature__");
    attr(obj, "__basicsize__");
    attr(obj, "__repr__");
    attr(obj, "__new__");
    attr(obj, "__init_subclass__");
    attr(obj, "__class__");
    PyObject *d = PyObject_GetAttrString(obj, "__dict__");
    sorted_keys("object.__dict__ keys", d);
    Py_XDECREF(d);
    PyObject *t = (PyObject *)&PyType_Type;
    attr(t, "__mro__");
    d = PyObject_GetAttrString(t, "__dict__");
    sorted_keys("type.__dict__ keys", d);
    Py_XDECREF(d);
    show("type.mro(type)", PyObject_CallMethod(t, "mro", NULL));
    attr(t, "nope");
    PyObject *c = (PyObject *)&PyCoro_Type;
    attr(c, "__name__");
    attr(c, "send");
    attr(c, "__await__");
    attr(c, "cr_frame");
    attr(c, "cr_running");
    attr(c, "__doc__");
    d = PyObject_GetAttrString(c, "__dict__");
    sorted_keys("coroutine.__dict__ keys", d);
    Py_XDECREF(d);
    PyObject *g = (PyObject *)&PyGen_Type;
    d = PyObject_GetAttrString(g, "__dict__");
    sorted_keys("generator.__dict__ keys", d);
    Py_XDECREF(d);
    PyObject *ag = (PyObject *)&PyAsyncGen_Type;
    d = PyObject_GetAttrString(ag, "__dict__");
    sorted_keys("async_generator.__dict__ keys", d);
    Py_XDECREF(d);
    PyObject *e = PyExc_KeyError;
    attr(e, "__mro__");
    attr(e, "__doc__");
    d = PyObject_GetAttrString(e, "__dict__");
    sorted_keys("KeyError.__dict__ keys", d);
    Py_XDECREF(d);
    show("str(object.__dict__['__repr__'].__doc__)", PyObject_GetAttrString(PyDict_GetItemString(PyBaseObject_Type.tp_dict, "__repr__"), "__doc__"));
    show("object.__dict__['__repr__'].__objclass__", PyObject_GetAttrString(PyDict_GetItemString(PyBaseObject_Type.tp_dict, "__repr__"), "__objclass__"));
    show("object.__dict__['__repr__'].__qualname__", PyObject_GetAttrString(PyDict_GetItemString(PyBaseObject_Type.tp_dict, "__repr__"), "__qualname__"));
    show("coroutine.send.__qualname__", PyObject_GetAttrString(PyDict_GetItemString(PyCoro_Type.tp_dict, "send"), "__qualname__"));
    show("coroutine.send.__doc__", PyObject_GetAttrString(PyDict_GetItemString(PyCoro_Type.tp_dict, "send"), "__doc__"));
    show("coroutine.cr_frame.__doc__", PyObject_GetAttrString(PyDict_GetItemString(PyCoro_Type.tp_dict, "cr_frame"), "__doc__"));
}

static void instances(void)
{
    printf("== instances\n");
    PyObject *n = Py_None;
    attr(n, "__class__");
    attr(n, "__doc__");
    attr(n, "__repr__");
    call0(n, "__repr__");
    call0(n, "__str__");
    call0(n, "__sizeof__");
    call0(n, "__reduce__");
    call0(n, "__bool__");
    show("None.__format__('')", PyObject_CallMethod(n, "__format__", "s", ""));
    show("None.__format__('x')", PyObject_CallMethod(n, "__format__", "s", "x"));
    show("None.__eq__(None)", PyObject_CallMethod(n, "__eq__", "O", Py_None));
    show("None.__lt__(None)", PyObject_CallMethod(n, "__lt__", "O", Py_None));
    show("None.__lt__()", PyObject_CallMethod(n, "__lt__", NULL));
    show("None.__repr__(1)", PyObject_CallMethod(n, "__repr__", "i", 1));
    show("None.__setattr__('x', 1)", PyObject_CallMethod(n, "__setattr__", "si", "x", 1));
    show("None.__setattr__('x')", PyObject_CallMethod(n, "__setattr__", "s", "x"));
    show("None.__getattribute__('__class__')", PyObject_CallMethod(n, "__getattribute__", "s", "__class__"));
    show("None.__getattribute__(1)", PyObject_CallMethod(n, "__getattribute__", "i", 1));
    attr(n, "nope");
    show("NoneType()", PyObject_CallNoArgs((PyObject *)Py_TYPE(n)));
    show("NoneType(1)", PyObject_CallFunction((PyObject *)Py_TYPE(n), "i", 1));
    PyObject *five = PyLong_FromLong(5);
    attr(five, "real");
    attr(five, "__class__");
    show("int('42')", PyObject_CallFunction((PyObject *)&PyLong_Type, "s", "42"));
    show("int(' -1_0 ')", PyObject_CallFunction((PyObject *)&PyLong_Type, "s", " -1_0 "));
    show("int('ff', 16)", PyObject_CallFunction((PyObject *)&PyLong_Type, "si", "ff", 16));
    show("int('x')", PyObject_CallFunction((PyObject *)&PyLong_Type, "s", "x"));
    show("int(None)", PyObject_CallFunction((PyObject *)&PyLong_Type, "O", Py_None));
    show("int('010', 0)", PyObject_CallFunction((PyObject *)&PyLong_Type, "si", "010", 0));
    show("int('0x1f', 0)", PyObject_CallFunction((PyObject *)&PyLong_Type, "si", "0x1f", 0));
    show("bool(5)", PyObject_CallFunction((PyObject *)&PyBool_Type, "O", five));
    show("str(5)", PyObject_CallFunction((PyObject *)&PyUnicode_Type, "O", five));
    show("str()", PyObject_CallNoArgs((PyObject *)&PyUnicode_Type));
    show("tuple([1, 'a'])", PyObject_CallFunction((PyObject *)&PyTuple_Type, "([is])", 1, "a"));
    show("tuple(5)", PyObject_CallFunction((PyObject *)&PyTuple_Type, "O", five));
    {
        PyObject *o = PyObject_CallNoArgs((PyObject *)&PyBaseObject_Type);
        show("object() is an object", o ? PyBool_FromLong(Py_TYPE(o) == &PyBaseObject_Type) : NULL);
        Py_XDECREF(o);
    }
    show("object(1)", PyObject_CallFunction((PyObject *)&PyBaseObject_Type, "i", 1));
    show("object.__new__(int)", PyObject_CallMethod((PyObject *)&PyBaseObject_Type, "__new__", "O", &PyLong_Type));
    show("object.__new__(1)", PyObject_CallMethod((PyObject *)&PyBaseObject_Type, "__new__", "i", 1));
    show("object.__new__()", PyObject_CallMethod((PyObject *)&PyBaseObject_Type, "__new__", NULL));
    show("int.__new__(object)", PyObject_CallMethod((PyObject *)&PyLong_Type, "__new__", "O", &PyBaseObject_Type));
    show("type(5)", PyObject_CallFunction((PyObject *)&PyType_Type, "O", five));
    show("type(1, 2)", PyObject_CallFunction((PyObject *)&PyType_Type, "ii", 1, 2));
    show("setattr(int, 'x', 1)", PyObject_SetAttrString((PyObject *)&PyLong_Type, "x", five) == 0 ? PyUnicode_FromString("ok") : NULL);
    Py_DECREF(five);
    printf("isinstance(True, int) %d\n", PyObject_IsInstance(Py_True, (PyObject *)&PyLong_Type));
    PyObject *tup = PyTuple_Pack(2, &PyUnicode_Type, PyTuple_Pack(1, &PyLong_Type));
    printf("isinstance(True, (str, (int,))) %d\n", PyObject_IsInstance(Py_True, tup));
    Py_DECREF(tup);
    printf("isinstance(1, 1) %d\n", PyObject_IsInstance(Py_None, Py_None));
    show("error", NULL);
    printf("issubclass(bool, int) %d\n", PyObject_IsSubclass((PyObject *)&PyBool_Type, (PyObject *)&PyLong_Type));
    printf("issubclass(1, int) %d\n", PyObject_IsSubclass(Py_None, (PyObject *)&PyLong_Type));
    show("error", NULL);
    printf("issubclass(int, 1) %d\n", PyObject_IsSubclass((PyObject *)&PyLong_Type, Py_None));
    show("error", NULL);
    show("type.__instancecheck__(int, True)", PyObject_CallMethod((PyObject *)&PyLong_Type, "__instancecheck__", "O", Py_True));
    show("type.__subclasscheck__(int, bool)", PyObject_CallMethod((PyObject *)&PyLong_Type, "__subclasscheck__", "O", &PyBool_Type));
}

static void heap_types(void)
{
    printf("== heap types\n");
    PyObject *Item_T = PyType_FromSpec(&item_spec);
    show("Item", Py_NewRef(Item_T));
    attr(Item_T, "__module__");
    attr(Item_T, "__name__");
    attr(Item_T, "__qualname__");
    attr(Item_T, "__doc__");
    attr(Item_T, "__text_signature__");
    attr(Item_T, "__mro__");
    attr(Item_T, "__basicsize__");
    attr(Item_T, "double");
    attr(Item_T, "payload");
    PyObject *d = PyObject_GetAttrString(Item_T, "__dict__");
    sorted_keys("Item.__dict__ keys", d);
    Py_XDECREF(d);
    printf("flags %lx heap %d gc %d\n", PyType_GetFlags((PyTypeObject *)Item_T) & ~(1UL << 19),
           PyType_HasFeature((PyTypeObject *)Item_T, Py_TPFLAGS_HEAPTYPE),
           PyType_IS_GC((PyTypeObject *)Item_T));
    printf("slot repr ok %d, slot free is GC_Del %d\n",
           PyType_GetSlot((PyTypeObject *)Item_T, Py_tp_repr) == (void *)item_repr,
           PyType_GetSlot((PyTypeObject *)Item_T, Py_tp_free) == (void *)PyObject_GC_Del);
    Py_ssize_t before = Py_REFCNT(Item_T);
    PyObject *it = PyObject_CallNoArgs(Item_T);
    show("Item()", Py_NewRef(it));
    printf("type refs +%zd\n", Py_REFCNT(Item_T) - before);
    ((Item *)it)->number = 21;
    call0(it, "double");
    attr(it, "number");
    show("set number", PyObject_SetAttrString(it, "number", Py_None) == 0 ? PyUnicode_FromString("ok") : NULL);
    show("set payload", PyObject_SetAttrString(it, "payload", Py_True) == 0 ? PyUnicode_FromString("ok") : NULL);
    attr(it, "payload");
    show("set other", PyObject_SetAttrString(it, "other", Py_True) == 0 ? PyUnicode_FromString("ok") : NULL);
    attr(it, "__dict__");
    printf("isinstance %d\n", PyObject_IsInstance(it, Item_T));
    /* A cycle through the instance: reclaimed by the collector. */
    PyObject_SetAttrString(it, "payload", it);
    Py_DECREF(it);
    printf("deallocs before collect %d\n", dealloc_count);
    Py_ssize_t got = PyGC_Collect();
    printf("collected >=1: %d, deallocs %d, type refs back: %d\n", got >= 1, dealloc_count,
           Py_REFCNT(Item_T) == before);
    /* A subclass made with type(name, bases, dict). */
    PyObject *ns = PyDict_New();
    PyObject *shop = PyUnicode_FromString("shop"), *special = PyUnicode_FromString("special");
    PyDict_SetItemString(ns, "__module__", shop);
    PyDict_SetItemString(ns, "kind", special);
    Py_DECREF(shop);
    Py_DECREF(special);
    PyObject *Sub = PyObject_CallFunction((PyObject *)&PyType_Type, "s(O)O", "Special", Item_T, ns);
    Py_DECREF(ns);
    show("Special", Py_NewRef(Sub));
    attr(Sub, "__mro__");
    attr(Sub, "kind");
    attr(Sub, "__basicsize__");
    attr(Sub, "__dictoffset__");
    attr(Sub, "__weakrefoffset__");
    d = PyObject_GetAttrString(Sub, "__dict__");
    sorted_keys("Special.__dict__ keys", d);
    Py_XDECREF(d);
    PyObject *s = PyObject_CallNoArgs(Sub);
    show("Special()", Py_NewRef(s));
    attr(s, "kind");
    PyObject_SetAttrString(s, "extra", Py_False);
    attr(s, "__dict__");
    attr(s, "__weakref__");
    printf("isinstance(s, Item) %d\n", PyObject_IsInstance(s, Item_T));
    int before_d = dealloc_count;
    Py_DECREF(s);
    printf("Special instance freed through Item's dealloc: %d\n", dealloc_count == before_d + 1);
    show("Item.__subclasses__()", PyObject_CallMethod(Item_T, "__subclasses__", NULL));
    {
        PyObject *renamed = PyUnicode_FromString("Renamed");
        show("set Special.__name__", PyObject_SetAttrString(Sub, "__name__", renamed) == 0 ? PyUnicode_FromString("ok") : NULL);
        Py_DECREF(renamed);
    }
    show("Special", Py_NewRef(Sub));
    show("set Special.__name__ = 1", PyObject_SetAttrString(Sub, "__name__", Py_True) == 0 ? PyUnicode_FromString("ok") : NULL);
    show("set Special.color", PyObject_SetAttrString(Sub, "color", Py_True) == 0 ? PyUnicode_FromString("ok") : NULL);
    attr(Sub, "color");
    {
        /* Lookups after a class attribute changes (the method cache must notice), through the
         * class itself, an instance, and a subclass of the class that changed. */
        PyObject *ns2 = PyDict_New();
        PyObject *Sub2 = PyObject_CallFunction((PyObject *)&PyType_Type, "s(O)O", "Sub2", Sub, ns2);
        Py_DECREF(ns2);
        PyObject *inst = PyObject_CallNoArgs(Sub2);
        attr(inst, "color");
        attr(Sub2, "color");
        PyObject_SetAttrString(Sub, "color", Py_False);
        attr(inst, "color");
        attr(Sub2, "color");
        PyObject_SetAttrString(Item_T, "color", Py_None);
        attr(Sub2, "color");
        PyObject_SetAttrString(Sub, "color", NULL);
        attr(inst, "color");
        PyObject_SetAttrString(Item_T, "color", NULL);
        attr(inst, "color");
        Py_DECREF(inst);
        Py_DECREF(Sub2);
    }
    show("type('X', (int, str), {})", PyObject_CallFunction((PyObject *)&PyType_Type, "s(OO){}", "X", &PyLong_Type, &PyUnicode_Type));
    show("type('X', (bool,), {})", PyObject_CallFunction((PyObject *)&PyType_Type, "s(O){}", "X", &PyBool_Type));
    show("type('X', (object, object), {})", PyObject_CallFunction((PyObject *)&PyType_Type, "s(OO){}", "X", &PyBaseObject_Type, &PyBaseObject_Type));
    show("type(1, (), {})", PyObject_CallFunction((PyObject *)&PyType_Type, "i(){}", 1));
    Py_DECREF(Sub);
    PyGC_Collect();
    printf("type refs at the end: %d\n", Py_REFCNT(Item_T) == before);
    Py_DECREF(Item_T);
}

static void exceptions(void)
{
    printf("== exceptions\n");
    PyObject *E = PyErr_NewException("spam.SpamError", NULL, NULL);
    show("E", Py_NewRef(E));
    attr(E, "__module__");
    attr(E, "__qualname__");
    attr(E, "__mro__");
    attr(E, "__doc__");
    attr(E, "__dict__");
    printf("basicsize %zd weak %zd dict %zd flags %lx refcnt %zd\n", ((PyTypeObject *)E)->tp_basicsize,
           ((PyTypeObject *)E)->tp_weaklistoffset, ((PyTypeObject *)E)->tp_dictoffset,
           ((PyTypeObject *)E)->tp_flags & ~(1UL << 19), Py_REFCNT(E));
    show("no dot", PyErr_NewException("nodot", NULL, NULL));
    PyObject *E2 = PyErr_NewExceptionWithDoc("spam.Sub", "Sub doc", E, NULL);
    show("E2", Py_NewRef(E2));
    attr(E2, "__doc__");
    PyObject *bases = PyTuple_Pack(2, E, PyExc_KeyError);
    show("E3", PyErr_NewException("a.b.E3", bases, NULL));
    Py_DECREF(bases);
    PyObject *inst = PyObject_CallFunction(E2, "s", "boom");
    show("inst", Py_NewRef(inst));
    printf("isinstance %d %d %d\n", PyObject_IsInstance(inst, E), PyObject_IsInstance(inst, PyExc_Exception),
           PyObject_IsInstance(inst, PyExc_KeyError));
    printf("issubclass %d\n", PyObject_IsSubclass(E2, PyExc_BaseException));
    PyObject_SetAttrString(inst, "note", Py_True);
    attr(inst, "__dict__");
    call0(inst, "__reduce__");
    show("dir(inst)", PyObject_Dir(inst));
    show("dir(E2)", PyObject_Dir(E2));
    PyErr_SetString(E2, "raised");
    printf("matches %d %d\n", PyErr_ExceptionMatches(E), PyErr_ExceptionMatches(PyExc_KeyError));
    PyErr_Clear();
    printf("refcnts inst %zd E2 %zd\n", Py_REFCNT(inst), Py_REFCNT(E2));
    Py_DECREF(inst);
    printf("E2 refcnt after %zd\n", Py_REFCNT(E2));
    PyObject *dct = PyDict_New();
    PyObject *five = PyLong_FromLong(5);
    PyDict_SetItemString(dct, "__module__", five);
    Py_DECREF(five);
    PyObject *E5 = PyErr_NewException("x.Z", NULL, dct);
    Py_DECREF(dct);
    attr(E5, "__module__");
    show("E5", E5);
    PyObject *one = PyLong_FromLong(1);
    show("base 1", PyErr_NewException("x.W", one, NULL));
    Py_DECREF(one);
    show("base int", PyErr_NewException("x.W", (PyObject *)&PyLong_Type, NULL));
    PyObject *noargs = PyTuple_New(0);
    PyObject *ae = PyObject_Call(PyExc_AttributeError, noargs, NULL);
    Py_DECREF(noargs);
    attr(ae, "name");
    Py_XDECREF(ae);
    Py_DECREF(E2);
    Py_DECREF(E);
    PyGC_Collect();
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    Py_Initialize();
    static_types();
    instances();
    heap_types();
    exceptions();
    printf("transcript end\n");
    return 0;
}
