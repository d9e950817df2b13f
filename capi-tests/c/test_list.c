/*
 * list: the PyList_* API, reference counts, CPython 3.10's growth pattern (`allocated`),
 * slices, sorting, repr, comparison, iteration and the sequence/mapping slots.
 *
 * Uses only CPython 3.10's C API (no PyNative_ names): the same program built against
 * libpython3.10 passes too, which is how its expectations were measured.
 */
#include "harness.h"

#include <stddef.h>

static PyObject *big(long v)
{
    return PyLong_FromLong(1000000 + v);
}

/* [0, 1, ..., n-1] */
static PyObject *range_list(long n)
{
    PyObject *l = PyList_New(0);
    long i;
    for (i = 0; l != NULL && i < n; i++) {
        PyObject *v = PyLong_FromLong(i);
        if (v == NULL || PyList_Append(l, v) < 0) {
            Py_XDECREF(v);
            Py_DECREF(l);
            return NULL;
        }
        Py_DECREF(v);
    }
    return l;
}

/* ---- a type ordered by `key` only (so a stable sort keeps equal keys in order) ---------- */

typedef struct {
    PyObject_HEAD
    long key;
    long tag;
} ItemObject;

static PyObject *mutate_target; /* a list Item.__lt__ appends to (once) */
static long lt_calls;

static PyObject *item_richcompare(PyObject *a, PyObject *b, int op)
{
    lt_calls++;
    if (mutate_target != NULL) {
        PyObject *t = mutate_target;
        mutate_target = NULL;
        PyList_Append(t, Py_None);
    }
    if (op != Py_LT || Py_TYPE(a) != Py_TYPE(b)) {
        Py_RETURN_NOTIMPLEMENTED;
    }
    return PyBool_FromLong(((ItemObject *)a)->key < ((ItemObject *)b)->key);
}

static PyObject *item_repr(PyObject *self)
{
    return PyUnicode_FromFormat("%ld%c", ((ItemObject *)self)->key,
                                (int)('a' + ((ItemObject *)self)->tag));
}

static PyTypeObject Item_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "Item",
    .tp_basicsize = sizeof(ItemObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_richcompare = item_richcompare,
    .tp_repr = item_repr,
};

static PyObject *new_item(long key, long tag)
{
    ItemObject *o = PyObject_New(ItemObject, &Item_Type);
    if (o != NULL) {
        o->key = key;
        o->tag = tag;
    }
    return (PyObject *)o;
}

/* ---- tests ------------------------------------------------------------------------------- */

static void test_layout(void)
{
    CHECK_EQ_INT(sizeof(PyListObject), 40);
    CHECK_EQ_INT(offsetof(PyListObject, ob_item), 24);
    CHECK_EQ_INT(offsetof(PyListObject, allocated), 32);
    CHECK_EQ_INT(PyList_Type.tp_basicsize, 40);
    CHECK_STR_EQ(PyList_Type.tp_name, "list");
    CHECK((PyList_Type.tp_flags & Py_TPFLAGS_LIST_SUBCLASS) != 0);
    CHECK((PyList_Type.tp_flags & Py_TPFLAGS_HAVE_GC) != 0);
    CHECK((PyList_Type.tp_flags & Py_TPFLAGS_SEQUENCE) != 0);
}

static void test_new_and_items(void)
{
    PyObject *l = PyList_New(3), *v = big(1), *w = big(2);
    REQUIRE(l != NULL && v != NULL && w != NULL);
    CHECK(PyList_Check(l));
    CHECK(PyList_CheckExact(l));
    CHECK_EQ_INT(PyList_Size(l), 3);
    CHECK_EQ_INT(PyList_GET_SIZE(l), 3);
    CHECK_EQ_INT(((PyListObject *)l)->allocated, 3);
    CHECK_EQ_PTR(PyList_GET_ITEM(l, 0), NULL);
    CHECK_EQ_INT(PyObject_GC_IsTracked(l), 1);

    /* SetItem steals. */
    Py_INCREF(v);
    CHECK_EQ_INT(PyList_SetItem(l, 0, v), 0);
    CHECK_EQ_INT(Py_REFCNT(v), 2);
    Py_INCREF(w);
    PyList_SET_ITEM(l, 1, w);
    Py_INCREF(w);
    CHECK_EQ_INT(PyList_SetItem(l, 2, w), 0);
    CHECK_EQ_INT(Py_REFCNT(w), 3);
    /* GetItem is borrowed. */
    CHECK_EQ_PTR(PyList_GetItem(l, 0), v);
    CHECK_EQ_INT(Py_REFCNT(v), 2);
    CHECK_EQ_PTR(PyList_GET_ITEM(l, 2), w);
    CHECK_EQ_PTR(PyList_GetItem(l, 3), NULL);
    CHECK_EXC(PyExc_IndexError, "list index out of range");
    CHECK_EQ_PTR(PyList_GetItem(l, -1), NULL);
    CHECK_EXC(PyExc_IndexError, "list index out of range");
    /* Replacing releases the old item; a failed SetItem releases the new one. */
    Py_INCREF(v);
    CHECK_EQ_INT(PyList_SetItem(l, 2, v), 0);
    CHECK_EQ_INT(Py_REFCNT(w), 2);
    CHECK_EQ_INT(Py_REFCNT(v), 3);
    Py_INCREF(v);
    CHECK_EQ_INT(PyList_SetItem(l, 3, v), -1);
    CHECK_EXC(PyExc_IndexError, "list assignment index out of range");
    CHECK_EQ_INT(Py_REFCNT(v), 3);
    CHECK_REPR(l, "[1000001, 1000002, 1000001]");

    /* Append and Insert do not steal. */
    CHECK_EQ_INT(PyList_Append(l, w), 0);
    CHECK_EQ_INT(Py_REFCNT(w), 3);
    CHECK_EQ_INT(PyList_Insert(l, 0, Py_None), 0);
    CHECK_EQ_INT(PyList_Insert(l, -1, Py_True), 0);
    CHECK_EQ_INT(PyList_Insert(l, -100, Py_False), 0);
    CHECK_EQ_INT(PyList_Insert(l, 100, Py_NotImplemented), 0);
    CHECK_REPR(l, "[False, None, 1000001, 1000002, 1000001, True, 1000002, NotImplemented]");
    CHECK_EQ_INT(PyList_Size(l), 8);

    {
        PyObject *t = PyList_AsTuple(l);
        CHECK_REPR(t, "(False, None, 1000001, 1000002, 1000001, True, 1000002, NotImplemented)");
        CHECK_EQ_INT(Py_REFCNT(v), 5);
        Py_XDECREF(t);
    }
    CHECK_EQ_INT(Py_REFCNT(l), 1);
    Py_DECREF(l);
    CHECK_EQ_INT(Py_REFCNT(v), 1);
    CHECK_EQ_INT(Py_REFCNT(w), 1);
    Py_DECREF(v);
    Py_DECREF(w);
}

static void test_growth(void)
{
    /* allocated after each append from empty: CPython 3.10's over-allocation. */
    PyObject *l = PyList_New(0);
    char buf[512];
    size_t used = 0;
    int i;
    REQUIRE(l != NULL);
    CHECK_EQ_INT(((PyListObject *)l)->allocated, 0);
    CHECK_EQ_PTR(((PyListObject *)l)->ob_item, NULL);
    for (i = 0; i < 40; i++) {
        PyList_Append(l, Py_None);
        used += (size_t)snprintf(buf + used, sizeof buf - used, "%d ",
                                 (int)((PyListObject *)l)->allocated);
    }
    CHECK_STR_EQ(buf, "4 4 4 4 8 8 8 8 16 16 16 16 16 16 16 16 24 24 24 24 24 24 24 24 32 32 32 "
                      "32 32 32 32 32 40 40 40 40 40 40 40 40 ");
    /* Shrinking below half reallocates; deleting everything frees the array. */
    CHECK_EQ_INT(PyList_SetSlice(l, 0, 30, NULL), 0);
    CHECK_EQ_INT(PyList_GET_SIZE(l), 10);
    CHECK_EQ_INT(((PyListObject *)l)->allocated, 16);
    CHECK_EQ_INT(PyList_SetSlice(l, 0, 10, NULL), 0);
    CHECK_EQ_INT(((PyListObject *)l)->allocated, 0);
    /* A big jump allocates just what is needed (rounded up to 4). */
    {
        PyObject *r = range_list(0), *src = range_list(25);
        CHECK_EQ_INT(PyList_SetSlice(r, 0, 0, src), 0);
        CHECK_EQ_INT(((PyListObject *)r)->allocated, 28);
        Py_XDECREF(r);
        Py_XDECREF(src);
    }
    Py_DECREF(l);
}

static void test_slices(void)
{
    PyObject *l = range_list(6), *r, *t;
    REQUIRE(l != NULL);
    r = PyList_GetSlice(l, 1, 4);
    CHECK_REPR(r, "[1, 2, 3]");
    Py_XDECREF(r);
    r = PyList_GetSlice(l, -100, 100);
    CHECK_REPR(r, "[0, 1, 2, 3, 4, 5]");
    CHECK(r != l);
    Py_XDECREF(r);
    r = PyList_GetSlice(l, 4, 2);
    CHECK_REPR(r, "[]");
    Py_XDECREF(r);

    t = Py_BuildValue("(sss)", "a", "b", "c");
    CHECK_EQ_INT(PyList_SetSlice(l, 1, 3, t), 0);
    CHECK_REPR(l, "[0, 'a', 'b', 'c', 3, 4, 5]");
    CHECK_EQ_INT(PyList_SetSlice(l, 2, 5, NULL), 0);
    CHECK_REPR(l, "[0, 'a', 4, 5]");
    CHECK_EQ_INT(PyList_SetSlice(l, 100, 100, t), 0);
    CHECK_REPR(l, "[0, 'a', 4, 5, 'a', 'b', 'c']");
    CHECK_EQ_INT(PyList_SetSlice(l, -100, 1, l), 0); /* itself: copied first */
    CHECK_REPR(l, "[0, 'a', 4, 5, 'a', 'b', 'c', 'a', 4, 5, 'a', 'b', 'c']");
    CHECK_EQ_INT(PyList_SetSlice(l, 0, 1, Py_None), -1);
    CHECK_EXC(PyExc_TypeError, "can only assign an iterable");
    {
        /* Any iterable: a dict gives its keys. */
        PyObject *d = Py_BuildValue("{s:i,s:i}", "x", 1, "y", 2);
        CHECK_EQ_INT(PyList_SetSlice(l, 1, 100, d), 0);
        CHECK_REPR(l, "[0, 'x', 'y']");
        Py_XDECREF(d);
    }
    CHECK_EQ_INT(PyList_SetSlice(l, 0, 100, NULL), 0);
    CHECK_REPR(l, "[]");
    Py_DECREF(t);
    Py_DECREF(l);
}

static void test_sort_reverse(void)
{
    PyObject *l = PyList_New(0), *r;
    long keys[] = {5, 3, 5, 1, 3, 9, 0, 5, 2, 2};
    int i;
    REQUIRE(l != NULL);
    for (i = 0; i < 10; i++) {
        PyObject *it = new_item(keys[i], i);
        PyList_Append(l, it);
        Py_DECREF(it);
    }
    CHECK_EQ_INT(PyList_Sort(l), 0);
    CHECK_REPR(l, "[0g, 1d, 2i, 2j, 3b, 3e, 5a, 5c, 5h, 9f]"); /* stable */
    CHECK_EQ_INT(PyList_Reverse(l), 0);
    CHECK_REPR(l, "[9f, 5h, 5c, 5a, 3e, 3b, 2j, 2i, 1d, 0g]");
    /* A long list: every item stays, in order. */
    for (i = 0; i < 1000; i++) {
        PyObject *it = new_item((i * 7919) % 101, i % 26);
        PyList_Append(l, it);
        Py_DECREF(it);
    }
    CHECK_EQ_INT(PyList_Sort(l), 0);
    {
        long prev = -1, prev_i = -1;
        int ok = 1;
        for (i = 0; i < PyList_GET_SIZE(l); i++) {
            ItemObject *it = (ItemObject *)PyList_GET_ITEM(l, i);
            if (it->key < prev) {
                ok = 0;
            }
            (void)prev_i;
            prev = it->key;
        }
        CHECK(ok);
        CHECK_EQ_INT(PyList_GET_SIZE(l), 1010);
    }
    /* A list changed by a comparison. */
    mutate_target = l;
    CHECK_EQ_INT(PyList_Sort(l), -1);
    CHECK_EXC(PyExc_ValueError, "list modified during sort");
    CHECK_EQ_INT(PyList_GET_SIZE(l), 1010);
    Py_DECREF(l);

    /* Items that cannot be ordered. */
    l = Py_BuildValue("[is]", 1, "a");
    CHECK_EQ_INT(PyList_Sort(l), -1);
    CHECK_EXC(PyExc_TypeError, "'<' not supported between instances of 'str' and 'int'");
    CHECK_EQ_INT(PyList_GET_SIZE(l), 2);
    Py_XDECREF(l);
    l = Py_BuildValue("[sss]", "b", "c", "a");
    CHECK_EQ_INT(PyList_Sort(l), 0);
    CHECK_REPR(l, "['a', 'b', 'c']");
    r = PyList_AsTuple(l);
    CHECK_REPR(r, "('a', 'b', 'c')");
    Py_XDECREF(r);
    Py_XDECREF(l);
    l = PyList_New(0);
    CHECK_EQ_INT(PyList_Sort(l), 0);
    CHECK_EQ_INT(PyList_Reverse(l), 0);
    r = PyList_AsTuple(l);
    CHECK_EQ_INT(PyTuple_GET_SIZE(r), 0);
    Py_XDECREF(r);
    Py_XDECREF(l);
}

static void test_repr_compare(void)
{
    PyObject *a = range_list(3), *b = range_list(3), *c = range_list(2), *n;
    REQUIRE(a != NULL && b != NULL && c != NULL);
    CHECK_EQ_INT(PyObject_RichCompareBool(a, b, Py_EQ), 1);
    CHECK_EQ_INT(PyObject_RichCompareBool(a, c, Py_EQ), 0);
    CHECK_EQ_INT(PyObject_RichCompareBool(a, c, Py_NE), 1);
    CHECK_EQ_INT(PyObject_RichCompareBool(c, a, Py_LT), 1);
    CHECK_EQ_INT(PyObject_RichCompareBool(a, c, Py_GE), 1);
    n = PyLong_FromLong(7);
    PyList_SetItem(c, 1, n);
    CHECK_EQ_INT(PyObject_RichCompareBool(c, a, Py_GT), 1);
    CHECK_EQ_INT(PyObject_RichCompareBool(a, Py_None, Py_EQ), 0);
    CHECK_EQ_PTR(PyObject_RichCompare(a, Py_None, Py_LT), NULL);
    CHECK_EXC(PyExc_TypeError, "'<' not supported between instances of 'list' and 'NoneType'");
    CHECK_EQ_INT(PyObject_Hash(a), -1);
    CHECK_EXC(PyExc_TypeError, "unhashable type: 'list'");
    PyList_Append(a, a);
    CHECK_REPR(a, "[0, 1, 2, [...]]");
    PyList_Append(b, a);
    CHECK_REPR(b, "[0, 1, 2, [0, 1, 2, [...]]]");
    PyList_SetSlice(a, 3, 4, NULL);
    {
        PyObject *e = PyList_New(0);
        CHECK_REPR(e, "[]");
        Py_XDECREF(e);
    }
    Py_DECREF(a);
    Py_DECREF(b);
    Py_DECREF(c);
}

static void test_protocols(void)
{
    PyObject *l = range_list(3), *r, *i1 = PyLong_FromLong(1), *m1 = PyLong_FromLong(-1),
             *it, *x;
    REQUIRE(l != NULL);
    CHECK_EQ_INT(PyObject_Size(l), 3);
    CHECK_EQ_INT(PySequence_Contains(l, i1), 1);
    CHECK_EQ_INT(PySequence_Contains(l, Py_None), 0);
    r = PyObject_GetItem(l, m1);
    CHECK_REPR(r, "2");
    Py_XDECREF(r);
    CHECK_EQ_PTR(PyObject_GetItem(l, Py_None), NULL);
    CHECK_EXC(PyExc_TypeError, "list indices must be integers or slices, not NoneType");
    {
        PyObject *k = PyLong_FromLong(3);
        CHECK_EQ_PTR(PyObject_GetItem(l, k), NULL);
        CHECK_EXC(PyExc_IndexError, "list index out of range");
        CHECK_EQ_INT(PyObject_SetItem(l, k, Py_None), -1);
        CHECK_EXC(PyExc_IndexError, "list assignment index out of range");
        Py_DECREF(k);
    }
    CHECK_EQ_INT(PyObject_SetItem(l, m1, Py_None), 0);
    CHECK_EQ_INT(PyObject_DelItem(l, i1), 0);
    CHECK_REPR(l, "[0, None]");
    CHECK_EQ_INT(PyObject_IsTrue(l), 1);

    it = PyObject_GetIter(l);
    REQUIRE(it != NULL);
    CHECK_STR_EQ(Py_TYPE(it)->tp_name, "list_iterator");
    CHECK_EQ_PTR(Py_TYPE(it), &PyListIter_Type);
    x = PyIter_Next(it);
    CHECK_REPR(x, "0");
    Py_XDECREF(x);
    PyList_Append(l, Py_True); /* a list iterator sees appended items */
    x = PyIter_Next(it);
    CHECK_EQ_PTR(x, Py_None);
    Py_XDECREF(x);
    x = PyIter_Next(it);
    CHECK_EQ_PTR(x, Py_True);
    Py_XDECREF(x);
    CHECK_EQ_PTR(PyIter_Next(it), NULL);
    CHECK_NO_EXC();
    CHECK_EQ_INT(Py_REFCNT(l), 1);
    Py_DECREF(it);

    /* Concatenation and repetition through the sequence slots. */
    r = PyList_Type.tp_as_sequence->sq_concat(l, l);
    CHECK_REPR(r, "[0, None, True, 0, None, True]");
    Py_XDECREF(r);
    CHECK_EQ_PTR(PyList_Type.tp_as_sequence->sq_concat(l, Py_None), NULL);
    CHECK_EXC(PyExc_TypeError, "can only concatenate list (not \"NoneType\") to list");
    r = PyList_Type.tp_as_sequence->sq_repeat(l, 2);
    CHECK_REPR(r, "[0, None, True, 0, None, True]");
    Py_XDECREF(r);
    r = PyList_Type.tp_as_sequence->sq_repeat(l, -1);
    CHECK_REPR(r, "[]");
    Py_XDECREF(r);
    r = PyList_Type.tp_as_sequence->sq_inplace_concat(l, l);
    CHECK_EQ_PTR(r, l);
    Py_XDECREF(r);
    CHECK_REPR(l, "[0, None, True, 0, None, True]");
    Py_DECREF(l);
    Py_DECREF(i1);
    Py_DECREF(m1);
}

static void test_gc(void)
{
    PyObject *a = PyList_New(0), *b = PyList_New(0);
    REQUIRE(a != NULL && b != NULL);
    PyGC_Collect();
    PyList_Append(a, b);
    PyList_Append(b, a);
    Py_DECREF(a);
    Py_DECREF(b);
    CHECK_EQ_INT(PyGC_Collect(), 2);
}

static void test_deep_nesting(void)
{
    PyObject *top = PyList_New(0), *cur = top;
    int i;
    REQUIRE(top != NULL);
    for (i = 0; i < 100000; i++) {
        PyObject *n = PyList_New(0);
        REQUIRE(n != NULL);
        PyList_Append(cur, n);
        Py_DECREF(n);
        cur = n;
    }
    CHECK_EQ_PTR(PyObject_Repr(top), NULL);
    CHECK_EXC(PyExc_RecursionError,
              "maximum recursion depth exceeded while getting the repr of an object");
    Py_DECREF(top); /* freed without overflowing the C stack */
}

static void test_type_call(void)
{
    /* list(...) from C: tp_new and tp_init. */
    PyObject *args, *r;
    r = PyObject_CallObject((PyObject *)&PyList_Type, NULL);
    CHECK_REPR(r, "[]");
    Py_XDECREF(r);
    args = Py_BuildValue("((iii))", 1, 2, 3);
    r = PyObject_CallObject((PyObject *)&PyList_Type, args);
    CHECK_REPR(r, "[1, 2, 3]");
    Py_XDECREF(args);
    if (r != NULL) {
        /* __init__ again empties first. */
        args = Py_BuildValue("([s])", "x");
        CHECK_EQ_INT(Py_TYPE(r)->tp_init(r, args, NULL), 0);
        CHECK_REPR(r, "['x']");
        Py_XDECREF(args);
    }
    Py_XDECREF(r);
    args = Py_BuildValue("({s:i})", "k", 1);
    r = PyObject_CallObject((PyObject *)&PyList_Type, args);
    CHECK_REPR(r, "['k']");
    Py_XDECREF(r);
    Py_XDECREF(args);
    args = Py_BuildValue("(ii)", 1, 2);
    CHECK_EQ_PTR(PyObject_CallObject((PyObject *)&PyList_Type, args), NULL);
    CHECK_EXC(PyExc_TypeError, "list expected at most 1 argument, got 2");
    Py_XDECREF(args);
    args = Py_BuildValue("(i)", 1);
    CHECK_EQ_PTR(PyObject_CallObject((PyObject *)&PyList_Type, args), NULL);
    CHECK_EXC(PyExc_TypeError, "'int' object is not iterable");
    Py_XDECREF(args);
}

int main(void)
{
    Py_Initialize();
    if (PyType_Ready(&Item_Type) < 0) {
        printf("PyType_Ready failed\n");
        return 1;
    }
    RUN(test_layout);
    RUN(test_new_and_items);
    RUN(test_growth);
    RUN(test_slices);
    RUN(test_sort_reverse);
    RUN(test_repr_compare);
    RUN(test_protocols);
    RUN(test_gc);
    RUN(test_type_call);
    RUN(test_deep_nesting);
    return HARNESS_SUMMARY();
}
