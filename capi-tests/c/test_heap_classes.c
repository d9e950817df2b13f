/*
 * Rules of classes made with type(name, bases, dict) that the differential suite
 * (capi-tests/differential/heap_types) found pycoro breaking: __class__ assignment between
 * layout-compatible mutable classes, deleting a missing attribute (AttributeError(name)), the
 * metaclass of a class whose base has a more derived metatype, the metaclass conflict, and
 * isinstance()'s message for a bad second argument.
 *
 * Uses only CPython's API: builds and passes against libpython3.10 too (see the README), which
 * is where the expected messages come from.
 */
#include "harness.h"

/* type(name, bases, {"__module__": "m"}); steals bases. */
static PyObject *make_class(PyObject *meta, const char *name, PyObject *bases)
{
    PyObject *ns = Py_BuildValue("{s:s}", "__module__", "m"), *r = NULL;
    if (ns != NULL && bases != NULL) {
        r = PyObject_CallFunction(meta, "sOO", name, bases, ns);
    }
    Py_XDECREF(ns);
    Py_XDECREF(bases);
    return r;
}

static void test_class_assignment(void)
{
    PyObject *P = make_class((PyObject *)&PyType_Type, "P", PyTuple_New(0));
    PyObject *Q, *R, *E, *p;
    REQUIRE(P != NULL);
    Q = make_class((PyObject *)&PyType_Type, "Q", PyTuple_Pack(1, P));
    R = make_class((PyObject *)&PyType_Type, "R", PyTuple_New(0));
    E = make_class((PyObject *)&PyType_Type, "E", PyTuple_Pack(1, PyExc_Exception));
    REQUIRE(Q != NULL && R != NULL && E != NULL);
    p = PyObject_CallNoArgs(P);
    REQUIRE(p != NULL);
    /* to a subclass, to an unrelated sibling with the same layout, and back */
    CHECK_EQ_INT(PyObject_SetAttrString(p, "__class__", Q), 0);
    CHECK(Py_TYPE(p) == (PyTypeObject *)Q);
    CHECK_EQ_INT(PyObject_SetAttrString(p, "__class__", R), 0);
    CHECK(Py_TYPE(p) == (PyTypeObject *)R);
    CHECK_EQ_INT(PyObject_SetAttrString(p, "__class__", P), 0);
    CHECK(Py_TYPE(p) == (PyTypeObject *)P);
    CHECK_EQ_INT(PyObject_IsInstance(p, P), 1);
    /* a different layout, an immutable type, not a class, deletion */
    CHECK_EQ_INT(PyObject_SetAttrString(p, "__class__", E), -1);
    CHECK_EXC(PyExc_TypeError, "__class__ assignment: 'E' object layout differs from 'P'");
    CHECK_EQ_INT(PyObject_SetAttrString(p, "__class__", (PyObject *)&PyLong_Type), -1);
    CHECK_EXC(PyExc_TypeError,
              "__class__ assignment only supported for mutable types or ModuleType subclasses");
    CHECK_EQ_INT(PyObject_SetAttrString(p, "__class__", Py_None), -1);
    CHECK_EXC(PyExc_TypeError, "__class__ must be set to a class, not 'NoneType' object");
    CHECK_EQ_INT(PyObject_SetAttrString(p, "__class__", NULL), -1);
    CHECK_EXC(PyExc_TypeError, "can't delete __class__ attribute");
    CHECK(Py_TYPE(p) == (PyTypeObject *)P);
    Py_DECREF(p);
    /* the old class may go away while its former instance lives on */
    p = PyObject_CallNoArgs(R);
    REQUIRE(p != NULL);
    CHECK_EQ_INT(PyObject_SetAttrString(p, "__class__", Q), 0);
    Py_DECREF(R);
    CHECK_EQ_INT(PyObject_IsInstance(p, P), 1);
    Py_DECREF(p);
    Py_DECREF(E);
    Py_DECREF(Q);
    Py_DECREF(P);
}

static void test_delete_missing_attribute(void)
{
    PyObject *P = make_class((PyObject *)&PyType_Type, "P", PyTuple_New(0)), *p, *one;
    REQUIRE(P != NULL);
    p = PyObject_CallNoArgs(P);
    REQUIRE(p != NULL);
    /* no instance dict yet */
    CHECK_EQ_INT(PyObject_SetAttrString(p, "x", NULL), -1);
    CHECK_EXC(PyExc_AttributeError, "x");
    one = PyLong_FromLong(1);
    CHECK_EQ_INT(PyObject_SetAttrString(p, "y", one), 0);
    CHECK_EQ_INT(PyObject_SetAttrString(p, "x", NULL), -1);
    CHECK_EXC(PyExc_AttributeError, "x");
    /* on the class itself */
    CHECK_EQ_INT(PyObject_SetAttrString(P, "attr", NULL), -1);
    CHECK_EXC(PyExc_AttributeError, "attr");
    CHECK_EQ_INT(PyObject_SetAttrString(P, "attr", one), 0);
    CHECK_EQ_INT(PyObject_SetAttrString(P, "attr", NULL), 0);
    /* without an instance dict: the usual message */
    CHECK_EQ_INT(PyObject_SetAttrString(one, "x", NULL), -1);
    CHECK_EXC(PyExc_AttributeError, "'int' object has no attribute 'x'");
    Py_DECREF(one);
    Py_DECREF(p);
    Py_DECREF(P);
}

static void test_metaclass_of_bases(void)
{
    PyObject *M = make_class((PyObject *)&PyType_Type, "M", PyTuple_Pack(1, &PyType_Type));
    PyObject *N, *C, *D, *one;
    REQUIRE(M != NULL);
    N = make_class((PyObject *)&PyType_Type, "N", PyTuple_Pack(1, &PyType_Type));
    REQUIRE(N != NULL);
    C = make_class(M, "C", PyTuple_New(0));
    REQUIRE(C != NULL);
    CHECK(Py_TYPE(C) == (PyTypeObject *)M);
    /* type(...) with a base whose metatype is M makes an M */
    D = make_class((PyObject *)&PyType_Type, "D", PyTuple_Pack(1, C));
    REQUIRE(D != NULL);
    CHECK(Py_TYPE(D) == (PyTypeObject *)M);
    Py_DECREF(D);
    /* N('X', (C,), {}): neither M nor N derives from the other */
    CHECK(make_class(N, "X", PyTuple_Pack(1, C)) == NULL);
    CHECK_EXC(PyExc_TypeError, "metaclass conflict: the metaclass of a derived class must be a "
                               "(non-strict) subclass of the metaclasses of all its bases");
    one = PyLong_FromLong(1);
    CHECK(make_class((PyObject *)&PyType_Type, "X", PyTuple_Pack(1, one)) == NULL);
    CHECK_EXC(PyExc_TypeError, "metaclass conflict: the metaclass of a derived class must be a "
                               "(non-strict) subclass of the metaclasses of all its bases");
    /* the bases are checked before the name */
    {
        PyObject *name = PyUnicode_FromStringAndSize("a\0b", 3);
        PyObject *r = PyObject_CallFunction((PyObject *)&PyType_Type, "O(O){}", name, one);
        CHECK(r == NULL);
        CHECK_EXC(PyExc_TypeError, NULL);
        r = PyObject_CallFunction((PyObject *)&PyType_Type, "O(){}", name);
        CHECK(r == NULL);
        CHECK_EXC(PyExc_ValueError, "type name must not contain null characters");
        Py_XDECREF(name);
    }
    Py_DECREF(one);
    Py_DECREF(C);
    Py_DECREF(N);
    Py_DECREF(M);
}

static int meta_new_calls;

/* A metatype's own tp_new: counts its calls, then makes the class as type does. */
static PyObject *counting_meta_new(PyTypeObject *meta, PyObject *args, PyObject *kwds)
{
    meta_new_calls++;
    return PyType_Type.tp_new(meta, args, kwds);
}

/* pfunc filled in at run time: ISO C has no conversion from a function pointer to void * */
static PyType_Slot counting_meta_slots[] = {
    {Py_tp_new, NULL},
    {0, NULL},
};

static PyType_Spec counting_meta_spec = {"m.CountingMeta", 0, 0,
                                         Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
                                         counting_meta_slots};

/* type(name, bases, ns) hands the whole call to a more derived metatype with its own tp_new,
 * and refuses bases that want __mro_entries__ resolution. */
static void test_winner_new_and_mro_entries(void)
{
    PyObject *bases = PyTuple_Pack(1, &PyType_Type), *M, *C, *D, *W, *w;
    union {
        newfunc f;
        void *p;
    } pun;
    pun.f = counting_meta_new;
    counting_meta_slots[0].pfunc = pun.p;
    REQUIRE(bases != NULL);
    M = PyType_FromSpecWithBases(&counting_meta_spec, bases);
    Py_DECREF(bases);
    REQUIRE(M != NULL);
    C = make_class(M, "C", PyTuple_New(0));
    REQUIRE(C != NULL);
    CHECK_EQ_INT(meta_new_calls, 1);
    D = make_class((PyObject *)&PyType_Type, "D", PyTuple_Pack(1, C));
    REQUIRE(D != NULL);
    CHECK_EQ_INT(meta_new_calls, 2);
    CHECK(Py_TYPE(D) == (PyTypeObject *)M);
    Py_DECREF(D);
    Py_DECREF(C);
    Py_DECREF(M);

    W = PyObject_CallFunction((PyObject *)&PyType_Type, "s(){s:s,s:i}", "W", "__module__", "m",
                              "__mro_entries__", 1);
    REQUIRE(W != NULL);
    w = PyObject_CallNoArgs(W);
    REQUIRE(w != NULL);
    CHECK(make_class((PyObject *)&PyType_Type, "X", PyTuple_Pack(1, w)) == NULL);
    CHECK_EXC(PyExc_TypeError,
              "type() doesn't support MRO entry resolution; use types.new_class()");
    Py_DECREF(w);
    Py_DECREF(W);
}

static void test_isinstance_message(void)
{
    PyObject *one = PyLong_FromLong(1), *t;
    REQUIRE(one != NULL);
    CHECK_EQ_INT(PyObject_IsInstance(one, one), -1);
    CHECK_EXC(PyExc_TypeError, "isinstance() arg 2 must be a type, a tuple of types, or a union");
    t = PyTuple_Pack(2, &PyUnicode_Type, one);
    CHECK_EQ_INT(PyObject_IsInstance(one, t), -1);
    CHECK_EXC(PyExc_TypeError, "isinstance() arg 2 must be a type, a tuple of types, or a union");
    Py_DECREF(t);
    CHECK_EQ_INT(PyObject_IsSubclass((PyObject *)&PyLong_Type, one), -1);
    CHECK_EXC(PyExc_TypeError,
              "issubclass() arg 2 must be a class, a tuple of classes, or a union");
    Py_DECREF(one);
}

int main(void)
{
    Py_Initialize();
    RUN(test_class_assignment);
    RUN(test_delete_missing_attribute);
    RUN(test_metaclass_of_bases);
    RUN(test_winner_new_and_mro_entries);
    RUN(test_isinstance_message);
    return HARNESS_SUMMARY();
}
