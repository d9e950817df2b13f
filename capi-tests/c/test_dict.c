/*
 * dict: the PyDict_* API, its reference counts, iteration order, repr, comparison, iteration,
 * collection, mappingproxy and the item protocol over dicts.
 *
 * Uses only CPython 3.10's C API (no PyNative_ names): the same program built against
 * libpython3.10 passes too, which is how its expectations were measured (see
 * capi-tests/README.md, "Checking a C test against CPython").
 */
#include "harness.h"

#include <stddef.h>

static PyObject *s(const char *text)
{
    return PyUnicode_FromString(text);
}

/* A fresh int that is not a small (immortal / cached) one: reference count 1. */
static PyObject *big(long v)
{
    return PyLong_FromLong(1000000 + v);
}

/* ---- a key type whose __eq__ can change the dict it is looked up in ---------------------- */

typedef struct {
    PyObject_HEAD
    long id;
} KeyObject;

static PyObject *evil_target;  /* the dict Key.__eq__ clears (once), or NULL */
static long eq_calls;

static Py_hash_t key_hash(PyObject *self)
{
    (void)self;
    return 42; /* every Key collides */
}

static PyObject *key_richcompare(PyObject *a, PyObject *b, int op)
{
    eq_calls++;
    if (evil_target != NULL) {
        PyObject *t = evil_target;
        evil_target = NULL;
        PyDict_Clear(t);
    }
    if (op != Py_EQ || Py_TYPE(b) != Py_TYPE(a)) {
        Py_RETURN_NOTIMPLEMENTED;
    }
    return PyBool_FromLong(((KeyObject *)a)->id == ((KeyObject *)b)->id);
}

static PyObject *key_repr(PyObject *self)
{
    return PyUnicode_FromFormat("Key(%ld)", ((KeyObject *)self)->id);
}

static PyTypeObject Key_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "Key",
    .tp_basicsize = sizeof(KeyObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_hash = key_hash,
    .tp_richcompare = key_richcompare,
    .tp_repr = key_repr,
};

static PyObject *new_key(long id)
{
    KeyObject *k = PyObject_New(KeyObject, &Key_Type);
    if (k != NULL) {
        k->id = id;
    }
    return (PyObject *)k;
}

/* ---- tests ------------------------------------------------------------------------------- */

static void test_layout(void)
{
    CHECK_EQ_INT(sizeof(PyDictObject), 48);
    CHECK_EQ_INT(offsetof(PyDictObject, ma_used), 16);
    CHECK_EQ_INT(offsetof(PyDictObject, ma_version_tag), 24);
    CHECK_EQ_INT(offsetof(PyDictObject, ma_keys), 32);
    CHECK_EQ_INT(offsetof(PyDictObject, ma_values), 40);
    CHECK_EQ_INT(PyDict_Type.tp_basicsize, 48);
    CHECK_STR_EQ(PyDict_Type.tp_name, "dict");
    CHECK((PyDict_Type.tp_flags & Py_TPFLAGS_DICT_SUBCLASS) != 0);
    CHECK((PyDict_Type.tp_flags & Py_TPFLAGS_HAVE_GC) != 0);
    CHECK((PyDict_Type.tp_flags & Py_TPFLAGS_MAPPING) != 0);
    CHECK((PyDict_Type.tp_flags & Py_TPFLAGS_BASETYPE) != 0);
}

static void test_set_get_refcounts(void)
{
    PyObject *d = PyDict_New(), *k = s("key"), *v = big(1), *v2 = big(2);
    REQUIRE(d != NULL && k != NULL && v != NULL && v2 != NULL);
    CHECK(PyDict_Check(d));
    CHECK(PyDict_CheckExact(d));
    CHECK(!PyDict_Check(k));
    CHECK_EQ_INT(Py_REFCNT(d), 1);
    CHECK_EQ_INT(PyDict_Size(d), 0);
    CHECK_EQ_INT(((PyDictObject *)d)->ma_used, 0);

    /* SetItem does not steal: the dict takes its own references. */
    CHECK_EQ_INT(PyDict_SetItem(d, k, v), 0);
    CHECK_EQ_INT(Py_REFCNT(k), 2);
    CHECK_EQ_INT(Py_REFCNT(v), 2);
    CHECK_EQ_INT(PyDict_Size(d), 1);
    CHECK_EQ_INT(((PyDictObject *)d)->ma_used, 1);

    /* GetItem is borrowed. */
    CHECK_EQ_PTR(PyDict_GetItem(d, k), v);
    CHECK_EQ_PTR(PyDict_GetItemWithError(d, k), v);
    CHECK_EQ_PTR(PyDict_GetItemString(d, "key"), v);
    CHECK_EQ_INT(Py_REFCNT(v), 2);

    /* Replacing the value releases the old one and keeps the key object. */
    {
        PyObject *k2 = s("key");
        CHECK_EQ_INT(PyDict_SetItem(d, k2, v2), 0);
        CHECK_EQ_INT(Py_REFCNT(k2), 1);
        CHECK_EQ_INT(Py_REFCNT(k), 2);
        CHECK_EQ_INT(Py_REFCNT(v), 1);
        CHECK_EQ_INT(Py_REFCNT(v2), 2);
        CHECK_EQ_INT(PyDict_Size(d), 1);
        Py_DECREF(k2);
    }
    /* The same value again: nothing moves. */
    CHECK_EQ_INT(PyDict_SetItem(d, k, v2), 0);
    CHECK_EQ_INT(Py_REFCNT(v2), 2);
    CHECK_EQ_INT(Py_REFCNT(k), 2);

    /* DelItem releases both. */
    CHECK_EQ_INT(PyDict_DelItem(d, k), 0);
    CHECK_EQ_INT(Py_REFCNT(k), 1);
    CHECK_EQ_INT(Py_REFCNT(v2), 1);
    CHECK_EQ_INT(PyDict_Size(d), 0);
    CHECK_EQ_PTR(PyDict_GetItem(d, k), NULL);
    CHECK_NO_EXC();

    /* SetItemString / DelItemString. */
    CHECK_EQ_INT(PyDict_SetItemString(d, "x", v), 0);
    CHECK_EQ_INT(Py_REFCNT(v), 2);
    CHECK_EQ_PTR(PyDict_GetItemString(d, "x"), v);
    CHECK_EQ_INT(PyDict_DelItemString(d, "x"), 0);
    CHECK_EQ_INT(Py_REFCNT(v), 1);
    CHECK_EQ_INT(PyDict_DelItemString(d, "x"), -1);
    CHECK_EXC(PyExc_KeyError, "'x'");

    CHECK_EQ_INT(Py_REFCNT(d), 1);
    Py_DECREF(d);
    Py_DECREF(k);
    Py_DECREF(v);
    Py_DECREF(v2);
}

static void test_missing_and_errors(void)
{
    PyObject *d = PyDict_New(), *k = s("k"), *lst = PyList_New(0), *v = big(3), *t;
    REQUIRE(d != NULL && k != NULL && lst != NULL && v != NULL);

    /* Absent: NULL without an exception. */
    CHECK_EQ_PTR(PyDict_GetItem(d, k), NULL);
    CHECK_EQ_PTR(PyDict_GetItemWithError(d, k), NULL);
    CHECK_EQ_PTR(PyDict_GetItemString(d, "k"), NULL);
    CHECK_NO_EXC();

    /* Unhashable keys. */
    CHECK_EQ_INT(PyDict_SetItem(d, lst, v), -1);
    CHECK_EXC(PyExc_TypeError, "unhashable type: 'list'");
    CHECK_EQ_INT(Py_REFCNT(v), 1);
    CHECK_EQ_INT(Py_REFCNT(lst), 1);
    CHECK_EQ_PTR(PyDict_GetItemWithError(d, lst), NULL);
    CHECK_EXC(PyExc_TypeError, "unhashable type: 'list'");
    CHECK_EQ_INT(PyDict_Contains(d, lst), -1);
    CHECK_EXC(PyExc_TypeError, "unhashable type: 'list'");
    CHECK_EQ_INT(PyDict_DelItem(d, lst), -1);
    CHECK_EXC(PyExc_TypeError, "unhashable type: 'list'");
    /* PyDict_GetItem swallows the error... */
    CHECK_EQ_PTR(PyDict_GetItem(d, lst), NULL);
    CHECK_NO_EXC();
    /* ... and keeps an exception that was already set, */
    PyErr_SetString(PyExc_ValueError, "pending");
    CHECK_EQ_PTR(PyDict_GetItem(d, k), NULL);
    CHECK_EQ_PTR(PyDict_GetItemString(d, "nope"), NULL);
    CHECK_EXC(PyExc_ValueError, "pending");
    /* except when hashing the key fails: CPython 3.10 clears every exception then. */
    PyErr_SetString(PyExc_ValueError, "pending");
    CHECK_EQ_PTR(PyDict_GetItem(d, lst), NULL);
    CHECK_NO_EXC();

    /* KeyError carries the key as its one argument (a tuple key too). */
    CHECK_EQ_INT(PyDict_DelItem(d, k), -1);
    CHECK_EXC(PyExc_KeyError, "'k'");
    t = Py_BuildValue("(ii)", 1, 2);
    REQUIRE(t != NULL);
    CHECK_EQ_INT(PyDict_DelItem(d, t), -1);
    CHECK_EXC(PyExc_KeyError, "(1, 2)");
    CHECK_EQ_PTR(PyObject_GetItem(d, t), NULL);
    CHECK_EXC(PyExc_KeyError, "(1, 2)");
    {
        PyObject *et, *ev, *etb;
        CHECK_EQ_PTR(PyObject_GetItem(d, k), NULL);
        PyErr_Fetch(&et, &ev, &etb);
        PyErr_NormalizeException(&et, &ev, &etb);
        CHECK(ev != NULL);
        if (ev != NULL) {
            CHECK_REPR(ev, "KeyError('k')");
        }
        Py_XDECREF(et);
        Py_XDECREF(ev);
        Py_XDECREF(etb);
    }

    /* dict is unhashable. */
    CHECK_EQ_INT(PyObject_Hash(d), -1);
    CHECK_EXC(PyExc_TypeError, "unhashable type: 'dict'");

    /* Contains. */
    CHECK_EQ_INT(PyDict_Contains(d, k), 0);
    CHECK_EQ_INT(PyDict_SetItem(d, k, v), 0);
    CHECK_EQ_INT(PyDict_Contains(d, k), 1);
    CHECK_EQ_INT(PySequence_Contains(d, k), 1);

    Py_DECREF(t);
    Py_DECREF(d);
    Py_DECREF(k);
    Py_DECREF(lst);
    CHECK_EQ_INT(Py_REFCNT(v), 1);
    Py_DECREF(v);
}

/* "k1:v1 k2:v2 ..." from PyDict_Next, with the positions it reported. */
static void dump_next(PyObject *d, char *out, size_t size)
{
    Py_ssize_t pos = 0;
    PyObject *k, *v;
    size_t used = 0;
    out[0] = '\0';
    while (PyDict_Next(d, &pos, &k, &v)) {
        PyObject *kr = PyObject_Repr(k), *vr = PyObject_Repr(v);
        if (kr != NULL && vr != NULL && used < size) {
            used += (size_t)snprintf(out + used, size - used, "%s%s:%s@%d", used ? " " : "",
                                     PyUnicode_AsUTF8(kr), PyUnicode_AsUTF8(vr), (int)pos);
        }
        Py_XDECREF(kr);
        Py_XDECREF(vr);
    }
}

static void test_order(void)
{
    char buf[512];
    PyObject *d = PyDict_New(), *r;
    long i;
    REQUIRE(d != NULL);
    for (i = 0; i < 6; i++) {
        PyObject *k = PyLong_FromLong(i * 10), *v = PyLong_FromLong(i);
        CHECK_EQ_INT(PyDict_SetItem(d, k, v), 0);
        Py_DECREF(k);
        Py_DECREF(v);
    }
    CHECK_EQ_INT(PyDict_SetItemString(d, "b", Py_None), 0);
    CHECK_EQ_INT(PyDict_SetItemString(d, "a", Py_True), 0);
    {
        PyObject *k = PyLong_FromLong(20);
        CHECK_EQ_INT(PyDict_DelItem(d, k), 0);
        CHECK_EQ_INT(PyDict_SetItem(d, k, Py_False), 0); /* re-inserted: goes last */
        Py_DECREF(k);
        k = PyLong_FromLong(0);
        CHECK_EQ_INT(PyDict_DelItem(d, k), 0);
        Py_DECREF(k);
    }
    CHECK_EQ_INT(PyDict_SetItemString(d, "b", Py_False), 0); /* replaced: stays in place */
    dump_next(d, buf, sizeof buf);
    CHECK_STR_EQ(buf, "10:1@2 30:3@4 40:4@5 50:5@6 'b':False@7 'a':True@8 20:False@9");
    CHECK_REPR(d, "{10: 1, 30: 3, 40: 4, 50: 5, 'b': False, 'a': True, 20: False}");
    r = PyDict_Keys(d);
    CHECK_REPR(r, "[10, 30, 40, 50, 'b', 'a', 20]");
    Py_XDECREF(r);
    r = PyDict_Values(d);
    CHECK_REPR(r, "[1, 3, 4, 5, False, True, False]");
    Py_XDECREF(r);
    r = PyDict_Items(d);
    CHECK_REPR(r, "[(10, 1), (30, 3), (40, 4), (50, 5), ('b', False), ('a', True), (20, False)]");
    Py_XDECREF(r);

    /* Growing past the first table keeps the order (and compacts the positions). */
    for (i = 100; i < 130; i++) {
        PyObject *k = PyLong_FromLong(i);
        CHECK_EQ_INT(PyDict_SetItem(d, k, Py_None), 0);
        Py_DECREF(k);
    }
    for (i = 100; i < 128; i++) {
        PyObject *k = PyLong_FromLong(i);
        CHECK_EQ_INT(PyDict_DelItem(d, k), 0);
        Py_DECREF(k);
    }
    dump_next(d, buf, sizeof buf);
    CHECK_STR_EQ(buf, "10:1@1 30:3@2 40:4@3 50:5@4 'b':False@5 'a':True@6 20:False@7 "
                      "128:None@36 129:None@37");

    /* int and bool keys that are equal are the same key. */
    CHECK_EQ_INT(PyDict_SetItem(d, Py_True, Py_None), 0);
    {
        PyObject *one = PyLong_FromLong(1);
        CHECK_EQ_PTR(PyDict_GetItem(d, one), Py_None);
        Py_DECREF(one);
    }
    CHECK_EQ_INT(PyDict_Size(d), 10);

    /* Positions past the end, negative: nothing. */
    {
        Py_ssize_t pos = 1000;
        PyObject *k, *v;
        CHECK_EQ_INT(PyDict_Next(d, &pos, &k, &v), 0);
        pos = -1;
        CHECK_EQ_INT(PyDict_Next(d, &pos, &k, &v), 0);
        pos = 0;
        CHECK_EQ_INT(PyDict_Next(d, &pos, NULL, NULL), 1);
        CHECK_EQ_INT(pos, 1);
    }
    Py_DECREF(d);
}

static void test_repr_compare(void)
{
    PyObject *d = PyDict_New(), *e = PyDict_New(), *l = PyList_New(0), *r;
    REQUIRE(d != NULL && e != NULL && l != NULL);
    CHECK_REPR(d, "{}");
    CHECK_EQ_INT(PyDict_SetItemString(d, "it's", l), 0);
    CHECK_EQ_INT(PyList_Append(l, d), 0);
    CHECK_EQ_INT(PyDict_SetItemString(d, "self", d), 0);
    CHECK_REPR(d, "{\"it's\": [{...}], 'self': {...}}");
    CHECK_REPR(l, "[{\"it's\": [...], 'self': {...}}]");
    CHECK_EQ_INT(Py_ReprEnter(d), 0);
    CHECK_EQ_INT(Py_ReprEnter(d), 1);
    CHECK_REPR(d, "{...}");
    Py_ReprLeave(d);
    CHECK_REPR(d, "{\"it's\": [{...}], 'self': {...}}");
    Py_ReprLeave(d); /* not entered any more: ignored */

    /* == and != compare items, not order; orderings are not supported. */
    {
        PyObject *a = PyDict_New(), *b = PyDict_New(), *one = PyLong_FromLong(1),
                 *two = PyLong_FromLong(2);
        PyDict_SetItemString(a, "x", one);
        PyDict_SetItemString(a, "y", two);
        PyDict_SetItemString(b, "y", two);
        PyDict_SetItemString(b, "x", one);
        CHECK_EQ_INT(PyObject_RichCompareBool(a, b, Py_EQ), 1);
        CHECK_EQ_INT(PyObject_RichCompareBool(a, b, Py_NE), 0);
        PyDict_SetItemString(b, "x", two);
        CHECK_EQ_INT(PyObject_RichCompareBool(a, b, Py_EQ), 0);
        CHECK_EQ_INT(PyObject_RichCompareBool(a, b, Py_NE), 1);
        CHECK_EQ_INT(PyObject_RichCompareBool(a, e, Py_EQ), 0);
        CHECK_EQ_INT(PyObject_RichCompareBool(a, one, Py_EQ), 0);
        CHECK_EQ_PTR(PyObject_RichCompare(a, b, Py_LT), NULL);
        CHECK_EXC(PyExc_TypeError, "'<' not supported between instances of 'dict' and 'dict'");
        r = PyDict_Copy(a);
        CHECK_EQ_INT(PyObject_RichCompareBool(a, r, Py_EQ), 1);
        CHECK_REPR(r, "{'x': 1, 'y': 2}");
        Py_XDECREF(r);
        Py_DECREF(a);
        Py_DECREF(b);
        Py_DECREF(one);
        Py_DECREF(two);
    }
    PyDict_Clear(d); /* breaks the cycles */
    CHECK_EQ_INT(Py_REFCNT(l), 1);
    Py_DECREF(d);
    Py_DECREF(e);
    Py_DECREF(l);
}

static void test_copy_clear(void)
{
    PyObject *d = PyDict_New(), *v = big(4), *c;
    int i;
    REQUIRE(d != NULL && v != NULL);
    for (i = 0; i < 20; i++) {
        PyObject *k = PyLong_FromLong(i);
        PyDict_SetItem(d, k, v);
        Py_DECREF(k);
    }
    for (i = 0; i < 20; i += 2) {
        PyObject *k = PyLong_FromLong(i);
        PyDict_DelItem(d, k);
        Py_DECREF(k);
    }
    CHECK_EQ_INT(Py_REFCNT(v), 11);
    c = PyDict_Copy(d);
    REQUIRE(c != NULL);
    CHECK_EQ_INT(Py_REFCNT(c), 1);
    CHECK_EQ_INT(Py_REFCNT(v), 21);
    CHECK_REPR(c, "{1: 1000004, 3: 1000004, 5: 1000004, 7: 1000004, 9: 1000004, 11: 1000004, "
                  "13: 1000004, 15: 1000004, 17: 1000004, 19: 1000004}");
    CHECK_EQ_INT(PyObject_RichCompareBool(c, d, Py_EQ), 1);
    PyDict_Clear(d);
    CHECK_EQ_INT(PyDict_Size(d), 0);
    CHECK_EQ_INT(Py_REFCNT(v), 11);
    CHECK_EQ_INT(PyDict_Size(c), 10);
    PyDict_Clear(d); /* twice: nothing */
    PyDict_Clear(v); /* not a dict: nothing, no exception */
    CHECK_NO_EXC();
    Py_DECREF(c);
    CHECK_EQ_INT(Py_REFCNT(v), 1);
    CHECK_EQ_INT(PyDict_SetItemString(d, "again", v), 0);
    CHECK_REPR(d, "{'again': 1000004}");
    Py_DECREF(d);
    Py_DECREF(v);
}

static void test_merge_update(void)
{
    PyObject *a = PyDict_New(), *b = PyDict_New(), *one = PyLong_FromLong(1),
             *two = PyLong_FromLong(2), *seq;
    REQUIRE(a != NULL && b != NULL);
    PyDict_SetItemString(a, "x", one);
    PyDict_SetItemString(a, "y", one);
    PyDict_SetItemString(b, "y", two);
    PyDict_SetItemString(b, "z", two);
    CHECK_EQ_INT(PyDict_Merge(a, b, 0), 0);
    CHECK_REPR(a, "{'x': 1, 'y': 1, 'z': 2}");
    CHECK_EQ_INT(PyDict_Merge(a, b, 1), 0);
    CHECK_REPR(a, "{'x': 1, 'y': 2, 'z': 2}");
    PyDict_SetItemString(b, "w", one);
    CHECK_EQ_INT(PyDict_Update(a, b), 0);
    CHECK_REPR(a, "{'x': 1, 'y': 2, 'z': 2, 'w': 1}");
    CHECK_EQ_INT(PyDict_Update(a, a), 0);
    CHECK_EQ_INT(PyDict_Size(a), 4);
    CHECK_EQ_INT(PyDict_Merge(a, one, 1), -1);
    CHECK_EXC(PyExc_AttributeError, "'int' object has no attribute 'keys'");

    /* From a sequence of pairs. */
    seq = Py_BuildValue("[(si)[si](si)]", "p", 7, "x", 8, "q", 9);
    REQUIRE(seq != NULL);
    CHECK_EQ_INT(PyDict_MergeFromSeq2(a, seq, 0), 0);
    CHECK_REPR(a, "{'x': 1, 'y': 2, 'z': 2, 'w': 1, 'p': 7, 'q': 9}");
    CHECK_EQ_INT(PyDict_MergeFromSeq2(a, seq, 1), 0);
    CHECK_REPR(a, "{'x': 8, 'y': 2, 'z': 2, 'w': 1, 'p': 7, 'q': 9}");
    Py_DECREF(seq);
    seq = Py_BuildValue("[(si)i]", "p", 7, 5);
    CHECK_EQ_INT(PyDict_MergeFromSeq2(a, seq, 1), -1);
    CHECK_EXC(PyExc_TypeError, "cannot convert dictionary update sequence element #1 to a sequence");
    Py_DECREF(seq);
    seq = Py_BuildValue("[(si)(iii)]", "p", 7, 1, 2, 3);
    CHECK_EQ_INT(PyDict_MergeFromSeq2(a, seq, 1), -1);
    CHECK_EXC(PyExc_ValueError, "dictionary update sequence element #1 has length 3; 2 is required");
    Py_DECREF(seq);
    CHECK_EQ_INT(PyDict_MergeFromSeq2(a, one, 1), -1);
    CHECK_EXC(PyExc_TypeError, "'int' object is not iterable");
    /* Any iterable of pairs: a dict iterates its keys (here 2-tuples). */
    seq = PyDict_New();
    {
        PyObject *kv = Py_BuildValue("(ss)", "k", "v");
        PyDict_SetItem(seq, kv, one);
        Py_DECREF(kv);
    }
    CHECK_EQ_INT(PyDict_MergeFromSeq2(b, seq, 1), 0);
    CHECK_REPR(b, "{'y': 2, 'z': 2, 'w': 1, 'k': 'v'}");
    Py_DECREF(seq);

    Py_DECREF(a);
    Py_DECREF(b);
    Py_DECREF(one);
    Py_DECREF(two);
}

static void test_setdefault(void)
{
    PyObject *d = PyDict_New(), *k = s("setdefault key"), *v = big(5), *w = big(6), *r;
    REQUIRE(d != NULL && k != NULL && v != NULL && w != NULL);
    r = PyDict_SetDefault(d, k, v);
    CHECK_EQ_PTR(r, v);
    CHECK_EQ_INT(Py_REFCNT(v), 2);
    CHECK_EQ_INT(Py_REFCNT(k), 2);
    r = PyDict_SetDefault(d, k, w);
    CHECK_EQ_PTR(r, v);
    CHECK_EQ_INT(Py_REFCNT(w), 1);
    CHECK_EQ_INT(Py_REFCNT(v), 2);
    {
        PyObject *lst = PyList_New(0);
        CHECK_EQ_PTR(PyDict_SetDefault(d, lst, w), NULL);
        CHECK_EXC(PyExc_TypeError, "unhashable type: 'list'");
        Py_DECREF(lst);
    }
    Py_DECREF(d);
    CHECK_EQ_INT(Py_REFCNT(k), 1);
    CHECK_EQ_INT(Py_REFCNT(v), 1);
    Py_DECREF(k);
    Py_DECREF(v);
    Py_DECREF(w);
}

static void test_iteration(void)
{
    PyObject *d = PyDict_New(), *it, *x, *k;
    REQUIRE(d != NULL);
    PyDict_SetItemString(d, "a", Py_None);
    PyDict_SetItemString(d, "b", Py_None);
    it = PyObject_GetIter(d);
    REQUIRE(it != NULL);
    CHECK_STR_EQ(Py_TYPE(it)->tp_name, "dict_keyiterator");
    CHECK_EQ_INT(Py_REFCNT(d), 2);
    x = PyIter_Next(it);
    CHECK_REPR(x, "'a'");
    Py_XDECREF(x);
    x = PyIter_Next(it);
    CHECK_REPR(x, "'b'");
    Py_XDECREF(x);
    CHECK_EQ_PTR(PyIter_Next(it), NULL);
    CHECK_NO_EXC();
    CHECK_EQ_INT(Py_REFCNT(d), 1); /* an exhausted iterator lets go of the dict */
    Py_DECREF(it);

    /* Changing the size while iterating. */
    it = PyObject_GetIter(d);
    REQUIRE(it != NULL);
    x = PyIter_Next(it);
    Py_XDECREF(x);
    PyDict_SetItemString(d, "c", Py_None);
    CHECK_EQ_PTR(PyIter_Next(it), NULL);
    CHECK_EXC(PyExc_RuntimeError, "dictionary changed size during iteration");
    CHECK_EQ_PTR(PyIter_Next(it), NULL); /* and it stays so */
    CHECK_EXC(PyExc_RuntimeError, "dictionary changed size during iteration");
    Py_DECREF(it);

    /* Same size, different keys. */
    it = PyObject_GetIter(d);
    REQUIRE(it != NULL);
    x = PyIter_Next(it);
    Py_XDECREF(x);
    k = s("a");
    PyDict_DelItem(d, k);
    PyDict_SetItemString(d, "z", Py_None);
    x = PyIter_Next(it);
    CHECK_REPR(x, "'b'");
    Py_XDECREF(x);
    x = PyIter_Next(it);
    CHECK_REPR(x, "'c'");
    Py_XDECREF(x);
    CHECK_EQ_PTR(PyIter_Next(it), NULL);
    CHECK_EXC(PyExc_RuntimeError, "dictionary keys changed during iteration");
    Py_DECREF(it);
    Py_DECREF(k);
    Py_DECREF(d);
}

static void test_mutating_eq(void)
{
    PyObject *d = PyDict_New(), *a = new_key(1), *b = new_key(2), *a2 = new_key(1);
    REQUIRE(d != NULL && a != NULL && b != NULL && a2 != NULL);
    CHECK_EQ_INT(PyDict_SetItem(d, a, Py_True), 0);
    /* Looking b up compares it with a, whose __eq__ empties the dict: the lookup starts
     * over on the new table and inserts b. */
    evil_target = d;
    eq_calls = 0;
    CHECK_EQ_INT(PyDict_SetItem(d, b, Py_False), 0);
    CHECK_EQ_INT(eq_calls, 1);
    CHECK_EQ_INT(PyDict_Size(d), 1);
    CHECK_REPR(d, "{Key(2): False}");
    CHECK_EQ_INT(Py_REFCNT(a), 1);
    /* Equal keys of the same hash. */
    CHECK_EQ_INT(PyDict_SetItem(d, a, Py_None), 0);
    CHECK_EQ_PTR(PyDict_GetItem(d, a2), Py_None);
    evil_target = d;
    CHECK_EQ_PTR(PyDict_GetItemWithError(d, a2), NULL);
    CHECK_NO_EXC();
    CHECK_EQ_INT(PyDict_Size(d), 0);
    Py_DECREF(d);
    Py_DECREF(a);
    Py_DECREF(b);
    Py_DECREF(a2);
}

static void test_gc(void)
{
    PyObject *d = PyDict_New(), *l = PyList_New(0), *t, *c;
    REQUIRE(d != NULL && l != NULL);
    /* A dict is tracked once it may be part of a cycle (CPython's MAINTAIN_TRACKING). */
    CHECK_EQ_INT(PyObject_GC_IsTracked(d), 0);
    PyDict_SetItemString(d, "a", Py_None);
    CHECK_EQ_INT(PyObject_GC_IsTracked(d), 0);
    c = PyDict_Copy(d);
    CHECK_EQ_INT(PyObject_GC_IsTracked(c), 0);
    Py_DECREF(c);
    PyDict_SetItemString(d, "l", l);
    CHECK_EQ_INT(PyObject_GC_IsTracked(d), 1);
    c = PyDict_Copy(d);
    CHECK_EQ_INT(PyObject_GC_IsTracked(c), 1);
    Py_DECREF(c);
    t = PyTuple_New(0);
    c = PyDict_New();
    PyDict_SetItemString(c, "t", t);
    CHECK_EQ_INT(PyObject_GC_IsTracked(c), 0);
    Py_DECREF(c);
    Py_DECREF(t);
    CHECK_EQ_INT(PyObject_GC_IsTracked(l), 1);

    /* A dict in a cycle is reclaimed by the collector (tp_traverse / tp_clear). */
    PyGC_Collect();
    PyDict_SetItemString(d, "self", d);
    PyList_Append(l, d);
    Py_DECREF(d);
    Py_DECREF(l);
    CHECK_EQ_INT(PyGC_Collect(), 2);
}

static void test_mappingproxy(void)
{
    PyObject *d = PyDict_New(), *p, *k = s("a"), *r, *it, *x;
    REQUIRE(d != NULL && k != NULL);
    PyDict_SetItemString(d, "a", Py_True);
    p = PyDictProxy_New(d);
    REQUIRE(p != NULL);
    CHECK_STR_EQ(Py_TYPE(p)->tp_name, "mappingproxy");
    CHECK_EQ_PTR(Py_TYPE(p), &PyDictProxy_Type);
    CHECK_EQ_INT(Py_REFCNT(d), 2);
    CHECK_REPR(p, "mappingproxy({'a': True})");
    CHECK_STR(p, "{'a': True}");
    CHECK_EQ_INT(PyObject_Size(p), 1);
    r = PyObject_GetItem(p, k);
    CHECK_EQ_PTR(r, Py_True);
    Py_XDECREF(r);
    CHECK_EQ_PTR(PyObject_GetItem(p, Py_None), NULL);
    CHECK_EXC(PyExc_KeyError, "None");
    CHECK_EQ_INT(PySequence_Contains(p, k), 1);
    CHECK_EQ_INT(PySequence_Contains(p, Py_None), 0);
    CHECK_EQ_INT(PyObject_SetItem(p, k, Py_False), -1);
    CHECK_EXC(PyExc_TypeError, "'mappingproxy' object does not support item assignment");
    CHECK_EQ_INT(PyObject_DelItem(p, k), -1);
    CHECK_EXC(PyExc_TypeError, "'mappingproxy' object does not support item deletion");
    CHECK_EQ_INT(PyObject_RichCompareBool(p, d, Py_EQ), 1);
    CHECK_EQ_INT(PyObject_Hash(p), -1);
    CHECK_EXC(PyExc_TypeError, "unhashable type: 'mappingproxy'");
    it = PyObject_GetIter(p);
    REQUIRE(it != NULL);
    x = PyIter_Next(it);
    CHECK_REPR(x, "'a'");
    Py_XDECREF(x);
    Py_DECREF(it);
    /* The view follows the dict. */
    PyDict_SetItemString(d, "b", Py_None);
    CHECK_REPR(p, "mappingproxy({'a': True, 'b': None})");
    CHECK_EQ_PTR(PyDictProxy_New(Py_None), NULL);
    CHECK_EXC(PyExc_TypeError, "mappingproxy() argument must be a mapping, not NoneType");
    {
        PyObject *l = PyList_New(0);
        CHECK_EQ_PTR(PyDictProxy_New(l), NULL);
        CHECK_EXC(PyExc_TypeError, "mappingproxy() argument must be a mapping, not list");
        Py_DECREF(l);
    }
    Py_DECREF(p);
    CHECK_EQ_INT(Py_REFCNT(d), 1);
    Py_DECREF(d);
    Py_DECREF(k);
}

static void test_item_protocol(void)
{
    PyObject *d = PyDict_New(), *k = s("k"), *r;
    REQUIRE(d != NULL && k != NULL);
    CHECK_EQ_INT(PyObject_SetItem(d, k, Py_None), 0);
    CHECK_EQ_INT(PyObject_Size(d), 1);
    CHECK_EQ_INT(PyObject_Length(d), 1);
    CHECK_EQ_INT(PyMapping_Size(d), 1);
    r = PyObject_GetItem(d, k);
    CHECK_EQ_PTR(r, Py_None);
    Py_XDECREF(r);
    CHECK_EQ_INT(PyObject_DelItem(d, k), 0);
    CHECK_EQ_INT(PyObject_DelItem(d, k), -1);
    CHECK_EXC(PyExc_KeyError, "'k'");
    CHECK_EQ_INT(PyObject_IsTrue(d), 0);
    PyDict_SetItem(d, k, k);
    CHECK_EQ_INT(PyObject_IsTrue(d), 1);
    CHECK_EQ_PTR(PyObject_GetItem(Py_None, k), NULL);
    CHECK_EXC(PyExc_TypeError, "'NoneType' object is not subscriptable");
    CHECK_EQ_INT(PyObject_SetItem(Py_None, k, k), -1);
    CHECK_EXC(PyExc_TypeError, "'NoneType' object does not support item assignment");
    CHECK_EQ_INT(PyObject_Size(Py_None), -1);
    CHECK_EXC(PyExc_TypeError, "object of type 'NoneType' has no len()");
    Py_DECREF(d);
    Py_DECREF(k);
}

static void test_version_and_str_hash(void)
{
    PyObject *d = PyDict_New(), *k = s("fresh key"), *e = s("");
    uint64_t v0, v1;
    REQUIRE(d != NULL && k != NULL && e != NULL);
    /* A str's hash is computed on first use and cached (-1 until then). */
    CHECK_EQ_INT(((PyASCIIObject *)k)->hash, -1);
    v0 = ((PyDictObject *)d)->ma_version_tag;
    PyDict_SetItem(d, k, Py_None);
    CHECK(((PyASCIIObject *)k)->hash != -1);
    CHECK_EQ_INT(((PyASCIIObject *)k)->hash, PyObject_Hash(k));
    v1 = ((PyDictObject *)d)->ma_version_tag;
    CHECK(v1 != v0);
    CHECK_EQ_PTR(PyDict_GetItem(d, k), Py_None);
    CHECK(((PyDictObject *)d)->ma_version_tag == v1); /* lookups do not change it */
    PyDict_SetItem(d, k, Py_True);
    CHECK(((PyDictObject *)d)->ma_version_tag != v1);
    CHECK_EQ_INT(PyObject_Hash(e), 0);
    Py_DECREF(d);
    Py_DECREF(k);
    Py_DECREF(e);
}

static void test_deep_nesting(void)
{
    /* 100,000 nested dicts: freeing them must not overflow the C stack; repr and == stop at
     * the recursion limit. */
    PyObject *top = PyDict_New(), *cur = top, *top2 = PyDict_New(), *cur2 = top2;
    int i;
    REQUIRE(top != NULL && top2 != NULL);
    for (i = 0; i < 100000; i++) {
        PyObject *n = PyDict_New(), *n2 = PyDict_New();
        REQUIRE(n != NULL && n2 != NULL);
        PyDict_SetItemString(cur, "d", n);
        PyDict_SetItemString(cur2, "d", n2);
        Py_DECREF(n);
        Py_DECREF(n2);
        cur = n;
        cur2 = n2;
    }
    CHECK_EQ_PTR(PyObject_Repr(top), NULL);
    CHECK_EXC(PyExc_RecursionError, "maximum recursion depth exceeded while getting the repr of an object");
    CHECK_EQ_INT(PyObject_RichCompareBool(top, top2, Py_EQ), -1);
    CHECK_EXC(PyExc_RecursionError, "maximum recursion depth exceeded in comparison");
    Py_DECREF(top);
    Py_DECREF(top2);
}

static void test_type_call(void)
{
    /* dict(...) from C: tp_new and tp_init. */
    PyObject *args, *r, *src;
    r = PyObject_CallObject((PyObject *)&PyDict_Type, NULL);
    CHECK_REPR(r, "{}");
    CHECK(r != NULL && PyObject_GC_IsTracked(r) == 0);
    Py_XDECREF(r);
    args = Py_BuildValue("([(si)(si)])", "a", 1, "b", 2);
    r = PyObject_CallObject((PyObject *)&PyDict_Type, args);
    CHECK_REPR(r, "{'a': 1, 'b': 2}");
    Py_XDECREF(args);
    src = r;
    args = Py_BuildValue("(O)", src);
    r = PyObject_CallObject((PyObject *)&PyDict_Type, args);
    CHECK_REPR(r, "{'a': 1, 'b': 2}");
    CHECK(r != src);
    Py_XDECREF(r);
    Py_XDECREF(args);
    args = Py_BuildValue("(OO)", src, src);
    CHECK_EQ_PTR(PyObject_CallObject((PyObject *)&PyDict_Type, args), NULL);
    CHECK_EXC(PyExc_TypeError, "dict expected at most 1 argument, got 2");
    Py_XDECREF(args);
    args = Py_BuildValue("(i)", 5);
    CHECK_EQ_PTR(PyObject_CallObject((PyObject *)&PyDict_Type, args), NULL);
    CHECK_EXC(PyExc_TypeError, "'int' object is not iterable");
    Py_XDECREF(args);
    args = Py_BuildValue("([i])", 5);
    CHECK_EQ_PTR(PyObject_CallObject((PyObject *)&PyDict_Type, args), NULL);
    CHECK_EXC(PyExc_TypeError, "cannot convert dictionary update sequence element #0 to a sequence");
    Py_XDECREF(args);
    Py_XDECREF(src);
}

/* dict's __getitem__ and __contains__ are methods (METH_COEXIST), not slot wrappers. */
static void test_coexisting_methods(void)
{
    PyObject *d = Py_BuildValue("{s:i}", "k", 1), *gi, *co, *r;
    REQUIRE(d != NULL);
    gi = PyObject_GetAttrString((PyObject *)&PyDict_Type, "__getitem__");
    co = PyObject_GetAttrString((PyObject *)&PyDict_Type, "__contains__");
    REQUIRE(gi != NULL && co != NULL);
    CHECK(Py_TYPE(gi) == &PyMethodDescr_Type);
    CHECK(Py_TYPE(co) == &PyMethodDescr_Type);
    r = PyObject_CallMethod(d, "__getitem__", "s", "k");
    CHECK(r != NULL && PyLong_AsLong(r) == 1);
    Py_XDECREF(r);
    r = PyObject_CallMethod(d, "__getitem__", "s", "nope");
    CHECK(r == NULL);
    CHECK_EXC(PyExc_KeyError, "'nope'");
    r = PyObject_CallMethod(d, "__getitem__", "()");
    CHECK(r == NULL);
    CHECK_EXC(PyExc_TypeError, "dict.__getitem__() takes exactly one argument (0 given)");
    r = PyObject_CallMethod(d, "__contains__", "s", "k");
    CHECK(r == Py_True);
    Py_XDECREF(r);
    r = PyObject_CallMethod(d, "__contains__", "([])");
    CHECK(r == NULL);
    CHECK_EXC(PyExc_TypeError, "unhashable type: 'list'");
    r = PyObject_CallMethod(d, "__contains__", "(ii)", 1, 2);
    CHECK(r == NULL);
    CHECK_EXC(PyExc_TypeError, "dict.__contains__() takes exactly one argument (2 given)");
    r = PyObject_CallFunction(gi, "is", 1, "k");
    CHECK(r == NULL);
    CHECK_EXC(PyExc_TypeError,
              "descriptor '__getitem__' for 'dict' objects doesn't apply to a 'int' object");
    r = PyObject_GetAttrString(co, "__text_signature__");
    CHECK(r != NULL && PyUnicode_Check(r) &&
          strcmp(PyUnicode_AsUTF8(r), "($self, key, /)") == 0);
    Py_XDECREF(r);
    r = PyObject_GetAttrString(gi, "__doc__");
    CHECK(r != NULL && PyUnicode_Check(r) &&
          strcmp(PyUnicode_AsUTF8(r), "x.__getitem__(y) <==> x[y]") == 0);
    Py_XDECREF(r);
    Py_DECREF(gi);
    Py_DECREF(co);
    Py_DECREF(d);
}

int main(void)
{
    Py_Initialize();
    if (PyType_Ready(&Key_Type) < 0) {
        printf("PyType_Ready failed\n");
        return 1;
    }
    RUN(test_layout);
    RUN(test_set_get_refcounts);
    RUN(test_missing_and_errors);
    RUN(test_order);
    RUN(test_repr_compare);
    RUN(test_copy_clear);
    RUN(test_merge_update);
    RUN(test_setdefault);
    RUN(test_iteration);
    RUN(test_mutating_eq);
    RUN(test_gc);
    RUN(test_mappingproxy);
    RUN(test_item_protocol);
    RUN(test_version_and_str_hash);
    RUN(test_type_call);
    RUN(test_deep_nesting);
    RUN(test_coexisting_methods);
    return HARNESS_SUMMARY();
}
