/*
 * dict's Python-level methods, views and iterators, on pycoro: the scenario of dict_methods.py
 * with every method looked up as an attribute and called (PyObject_Call, keywords as a dict),
 * len/in/comparisons/hash through PyObject_Size, PySequence_Contains, PyObject_RichCompare and
 * PyObject_Hash, reversed(x) as x.__reversed__(), next(it) as it.__next__(), and dict(...)
 * called vectorcall style (PyObject_Vectorcall).
 */
#include "transcript.h"

#define O(t) ((PyObject *)(t))

/* o.name(*args, **kw): args from Py_VaBuildValue(fmt); kw stolen (may be NULL). */
static PyObject *vcall(PyObject *o, const char *name, PyObject *kw, const char *fmt, va_list ap)
{
    PyObject *meth, *args, *r;
    meth = PyObject_GetAttrString(o, name);
    if (meth == NULL) {
        Py_XDECREF(kw);
        return NULL;
    }
    args = Py_VaBuildValue(fmt, ap);
    if (args != NULL && !PyTuple_Check(args)) {
        PyObject *t = PyTuple_Pack(1, args);
        Py_DECREF(args);
        args = t;
    }
    r = args ? PyObject_Call(meth, args, kw) : NULL;
    Py_DECREF(meth);
    Py_XDECREF(args);
    Py_XDECREF(kw);
    return r;
}

/* o.name(*args) */
static PyObject *m(PyObject *o, const char *name, const char *fmt, ...)
{
    PyObject *r;
    va_list ap;
    va_start(ap, fmt);
    r = vcall(o, name, NULL, fmt, ap);
    va_end(ap);
    return r;
}

/* o.name(*args), then o released */
static PyObject *mo(PyObject *o, const char *name, const char *fmt, ...)
{
    PyObject *r;
    va_list ap;
    TR_REQUIRE(o != NULL);
    va_start(ap, fmt);
    r = vcall(o, name, NULL, fmt, ap);
    va_end(ap);
    Py_DECREF(o);
    return r;
}

/* o.name(*args, **kw), kw stolen */
static PyObject *mkw(PyObject *o, const char *name, PyObject *kw, const char *fmt, ...)
{
    PyObject *r;
    va_list ap;
    TR_REQUIRE(kw != NULL);
    va_start(ap, fmt);
    r = vcall(o, name, kw, fmt, ap);
    va_end(ap);
    return r;
}

/* list(iterable), the iterable released */
static PyObject *list_of(PyObject *iterable)
{
    PyObject *r, *it, *x;
    if (iterable == NULL) {
        return NULL;
    }
    r = PyList_New(0);
    it = r ? PyObject_GetIter(iterable) : NULL;
    Py_DECREF(iterable);
    if (it == NULL) {
        Py_XDECREF(r);
        return NULL;
    }
    while ((x = PyIter_Next(it)) != NULL) {
        int rc = PyList_Append(r, x);
        Py_DECREF(x);
        if (rc < 0) {
            break;
        }
    }
    Py_DECREF(it);
    if (PyErr_Occurred()) {
        Py_DECREF(r);
        return NULL;
    }
    return r;
}

/* type(o), o released */
static PyObject *type_of(PyObject *o)
{
    PyObject *t;
    if (o == NULL) {
        return NULL;
    }
    t = Py_NewRef(O(Py_TYPE(o)));
    Py_DECREF(o);
    return t;
}

/* len(o), o released */
static PyObject *len_of(PyObject *o)
{
    Py_ssize_t n;
    if (o == NULL) {
        return NULL;
    }
    n = PyObject_Size(o);
    Py_DECREF(o);
    return n < 0 ? NULL : PyLong_FromSsize_t(n);
}

/* item in container, both released */
static PyObject *in(PyObject *item, PyObject *container)
{
    int r;
    TR_REQUIRE(item != NULL && container != NULL);
    r = PySequence_Contains(container, item);
    Py_DECREF(item);
    Py_DECREF(container);
    return r < 0 ? NULL : PyBool_FromLong(r);
}

/* a <op> b, both released */
static PyObject *cmp(PyObject *a, PyObject *b, int op)
{
    PyObject *r;
    TR_REQUIRE(a != NULL && b != NULL);
    r = PyObject_RichCompare(a, b, op);
    Py_DECREF(a);
    Py_DECREF(b);
    return r;
}

/* hash(o), o released */
static PyObject *hash_of(PyObject *o)
{
    Py_hash_t h;
    TR_REQUIRE(o != NULL);
    h = PyObject_Hash(o);
    Py_DECREF(o);
    return h == -1 ? NULL : PyLong_FromSsize_t(h);
}

/* x is y for a result (released) and an object */
static PyObject *is_type(PyObject *r, PyObject *t)
{
    PyObject *b;
    if (r == NULL) {
        return NULL;
    }
    b = PyBool_FromLong(O(Py_TYPE(r)) == t);
    Py_DECREF(r);
    return b;
}

static PyObject *D;

static PyObject *sized(long n)
{
    PyObject *s = PyDict_New();
    long i;
    TR_REQUIRE(s != NULL);
    for (i = 0; i < n; i++) {
        PyObject *k = PyLong_FromLong(i);
        TR_REQUIRE(k != NULL && PyDict_SetItem(s, k, Py_None) == 0);
        Py_DECREF(k);
    }
    return s;
}

static void get_setdefault_pop(void)
{
    PyObject *d, *e;
    say("== get, setdefault, pop, popitem");
    d = Py_BuildValue("{s:i,s:i}", "a", 1, "b", 2);
    show("d.get('a')", m(d, "get", "(s)", "a"));
    show("d.get('z')", m(d, "get", "(s)", "z"));
    show("d.get('z', 0)", m(d, "get", "(si)", "z", 0));
    show("d.get()", m(d, "get", "()"));
    show("d.get(1, 2, 3)", m(d, "get", "(iii)", 1, 2, 3));
    show("d.get(k=1)", mkw(d, "get", Py_BuildValue("{s:i}", "k", 1), "()"));
    show("d.get([])", m(d, "get", "([])"));
    show("d.setdefault('c')", m(d, "setdefault", "(s)", "c"));
    show("d.setdefault('a', 9)", m(d, "setdefault", "(si)", "a", 9));
    show("d.setdefault('e', 5)", m(d, "setdefault", "(si)", "e", 5));
    show("d.setdefault()", m(d, "setdefault", "()"));
    show("d.setdefault(1, 2, 3)", m(d, "setdefault", "(iii)", 1, 2, 3));
    show("d.setdefault([], 1)", m(d, "setdefault", "([]i)", 1));
    show("d", Py_NewRef(d));
    show("d.pop('c')", m(d, "pop", "(s)", "c"));
    show("d.pop('c') again", m(d, "pop", "(s)", "c"));
    show("d.pop('c', 7)", m(d, "pop", "(si)", "c", 7));
    show("d.pop()", m(d, "pop", "()"));
    show("d.pop(1, 2, 3)", m(d, "pop", "(iii)", 1, 2, 3));
    show("d.pop([])", m(d, "pop", "([])"));
    show("d.pop([], 1)", m(d, "pop", "([]i)", 1));
    show("{}.pop([], 1)", mo(PyDict_New(), "pop", "([]i)", 1));
    show("{}.pop('x')", mo(PyDict_New(), "pop", "(s)", "x"));
    show("{}.pop((1, 2))", mo(PyDict_New(), "pop", "((ii))", 1, 2));
    show("d.popitem()", m(d, "popitem", "()"));
    show("d", Py_NewRef(d));
    show("d.popitem(1)", m(d, "popitem", "(i)", 1));
    show("{}.popitem()", mo(PyDict_New(), "popitem", "()"));
    e = Py_BuildValue("{s:i,s:i,s:i}", "x", 1, "y", 2, "z", 3);
    TR_REQUIRE(PyDict_DelItemString(e, "z") == 0);
    show("e.popitem() after del e['z']", m(e, "popitem", "()"));
    TR_REQUIRE(PyDict_SetItemString(e, "w", PyLong_FromLong(4)) == 0);
    show("e after e['w'] = 4", Py_NewRef(e));
    show("e.popitem()", m(e, "popitem", "()"));
    show("e.popitem()", m(e, "popitem", "()"));
    show("e.popitem() on the emptied dict", m(e, "popitem", "()"));
    Py_DECREF(e);
    Py_DECREF(d);
}

static PyObject *v, *other;

static void views(void)
{
    PyObject *k, *ek, *rec, *rec2, *live, *kv, *empty;
    say("== views");
    v = Py_BuildValue("{s:i,s:i,(ii):[i]}", "a", 1, "b", 2, 1, 2, 3);
    other = Py_BuildValue("{s:i,(ii):i,s:i}", "b", 0, 1, 2, 0, "a", 0);
    TR_REQUIRE(v != NULL && other != NULL);
    show("v.keys()", m(v, "keys", "()"));
    show("v.values()", m(v, "values", "()"));
    show("v.items()", m(v, "items", "()"));
    show("{}.keys()", mo(PyDict_New(), "keys", "()"));
    show("len(v.keys())", len_of(m(v, "keys", "()")));
    show("len(v.values())", len_of(m(v, "values", "()")));
    show("len(v.items())", len_of(m(v, "items", "()")));
    show("'a' in v.keys()", in(str("a"), m(v, "keys", "()")));
    show("'q' in v.keys()", in(str("q"), m(v, "keys", "()")));
    show("[] in v.keys()", in(PyList_New(0), m(v, "keys", "()")));
    show("2 in v.values()", in(PyLong_FromLong(2), m(v, "values", "()")));
    show("[3] in v.values()", in(Py_BuildValue("[i]", 3), m(v, "values", "()")));
    show("9 in v.values()", in(PyLong_FromLong(9), m(v, "values", "()")));
    show("('a', 1) in v.items()", in(Py_BuildValue("(si)", "a", 1), m(v, "items", "()")));
    show("('a', 2) in v.items()", in(Py_BuildValue("(si)", "a", 2), m(v, "items", "()")));
    show("('a', []) in v.items()", in(Py_BuildValue("(s[])", "a"), m(v, "items", "()")));
    show("([], 1) in v.items()", in(Py_BuildValue("([]i)", 1), m(v, "items", "()")));
    show("1 in v.items()", in(PyLong_FromLong(1), m(v, "items", "()")));
    show("('a',) in v.items()", in(Py_BuildValue("(s)", "a"), m(v, "items", "()")));
    show("['a', 1] in v.items()", in(Py_BuildValue("[si]", "a", 1), m(v, "items", "()")));
    show("list(iter(v.keys()))", list_of(m(v, "keys", "()")));
    show("list(iter(v.values()))", list_of(m(v, "values", "()")));
    show("list(iter(v.items()))", list_of(m(v, "items", "()")));
    show("type(iter(v.keys()))", type_of(mo(m(v, "keys", "()"), "__iter__", "()")));
    show("type(iter(v.values()))", type_of(mo(m(v, "values", "()"), "__iter__", "()")));
    show("type(iter(v.items()))", type_of(mo(m(v, "items", "()"), "__iter__", "()")));
    show("list(reversed(v))", list_of(m(v, "__reversed__", "()")));
    show("type(reversed(v))", type_of(m(v, "__reversed__", "()")));
    show("list(reversed(v.keys()))", list_of(mo(m(v, "keys", "()"), "__reversed__", "()")));
    show("list(reversed(v.values()))", list_of(mo(m(v, "values", "()"), "__reversed__", "()")));
    show("list(reversed(v.items()))", list_of(mo(m(v, "items", "()"), "__reversed__", "()")));
    show("type(reversed(v.keys()))", type_of(mo(m(v, "keys", "()"), "__reversed__", "()")));
    show("type(reversed(v.values()))", type_of(mo(m(v, "values", "()"), "__reversed__", "()")));
    show("type(reversed(v.items()))", type_of(mo(m(v, "items", "()"), "__reversed__", "()")));
    show("list(reversed({}))", list_of(mo(PyDict_New(), "__reversed__", "()")));
    show("v.keys() == other.keys()", cmp(m(v, "keys", "()"), m(other, "keys", "()"), Py_EQ));
    show("v.keys() != other.keys()", cmp(m(v, "keys", "()"), m(other, "keys", "()"), Py_NE));
    show("v.keys() == v.items()", cmp(m(v, "keys", "()"), m(v, "items", "()"), Py_EQ));
    show("v.values() == v.values()", cmp(m(v, "values", "()"), m(v, "values", "()"), Py_EQ));
    show("{'a': 1}.keys() < v.keys()",
         cmp(mo(Py_BuildValue("{s:i}", "a", 1), "keys", "()"), m(v, "keys", "()"), Py_LT));
    show("{'a': 1}.keys() <= v.keys()",
         cmp(mo(Py_BuildValue("{s:i}", "a", 1), "keys", "()"), m(v, "keys", "()"), Py_LE));
    show("v.keys() > {'a': 1}.keys()",
         cmp(m(v, "keys", "()"), mo(Py_BuildValue("{s:i}", "a", 1), "keys", "()"), Py_GT));
    show("v.keys() >= other.keys()", cmp(m(v, "keys", "()"), m(other, "keys", "()"), Py_GE));
    show("v.keys() < other.keys()", cmp(m(v, "keys", "()"), m(other, "keys", "()"), Py_LT));
    show("{'q': 1}.keys() < v.keys()",
         cmp(mo(Py_BuildValue("{s:i}", "q", 1), "keys", "()"), m(v, "keys", "()"), Py_LT));
    show("{'a': 1}.items() < v.items()",
         cmp(mo(Py_BuildValue("{s:i}", "a", 1), "items", "()"), m(v, "items", "()"), Py_LT));
    show("{'a': 2}.items() < v.items()",
         cmp(mo(Py_BuildValue("{s:i}", "a", 2), "items", "()"), m(v, "items", "()"), Py_LT));
    show("{'a': 1}.items() == {'a': 1}.items()",
         cmp(mo(Py_BuildValue("{s:i}", "a", 1), "items", "()"),
             mo(Py_BuildValue("{s:i}", "a", 1), "items", "()"), Py_EQ));
    show("{'a': 1}.keys() == {'a': 2}.items()",
         cmp(mo(Py_BuildValue("{s:i}", "a", 1), "keys", "()"),
             mo(Py_BuildValue("{s:i}", "a", 2), "items", "()"), Py_EQ));
    show("v.keys() == 1", cmp(m(v, "keys", "()"), PyLong_FromLong(1), Py_EQ));
    show("v.keys().__eq__(1)", mo(m(v, "keys", "()"), "__eq__", "(i)", 1));
    show("v.keys() < 1", cmp(m(v, "keys", "()"), PyLong_FromLong(1), Py_LT));
    show("v.items() >= 1", cmp(m(v, "items", "()"), PyLong_FromLong(1), Py_GE));
    show("v.keys().isdisjoint(['z'])", mo(m(v, "keys", "()"), "isdisjoint", "([s])", "z"));
    show("v.keys().isdisjoint(['a'])", mo(m(v, "keys", "()"), "isdisjoint", "([s])", "a"));
    show("v.keys().isdisjoint({'z': 1}.keys())",
         mo(m(v, "keys", "()"), "isdisjoint", "(N)", mo(Py_BuildValue("{s:i}", "z", 1), "keys", "()")));
    show("v.keys().isdisjoint(other.keys())",
         mo(m(v, "keys", "()"), "isdisjoint", "(N)", m(other, "keys", "()")));
    show("v.items().isdisjoint([('a', 1)])", mo(m(v, "items", "()"), "isdisjoint", "([(si)])", "a", 1));
    show("v.items().isdisjoint([('a', 5)])", mo(m(v, "items", "()"), "isdisjoint", "([(si)])", "a", 5));
    show("v.keys().isdisjoint(1)", mo(m(v, "keys", "()"), "isdisjoint", "(i)", 1));
    show("v.keys().isdisjoint([[]])", mo(m(v, "keys", "()"), "isdisjoint", "([[]])"));
    k = m(v, "keys", "()");
    TR_REQUIRE(k != NULL);
    show("k.isdisjoint(k)", m(k, "isdisjoint", "(O)", k));
    Py_DECREF(k);
    empty = PyDict_New();
    ek = m(empty, "keys", "()");
    Py_DECREF(empty);
    TR_REQUIRE(ek != NULL);
    show("ek.isdisjoint(ek)", m(ek, "isdisjoint", "(O)", ek));
    Py_DECREF(ek);
    show("v.keys().mapping", attr(k = m(v, "keys", "()"), "mapping"));
    Py_XDECREF(k);
    {
        PyObject *vv = m(v, "values", "()"), *mp = vv ? attr(vv, "mapping") : NULL;
        Py_XDECREF(vv);
        show("v.values().mapping['a']", mp ? item(mp, "a") : NULL);
        Py_XDECREF(mp);
    }
    {
        PyObject *vi = m(v, "items", "()");
        show("type(v.items().mapping)", type_of(vi ? attr(vi, "mapping") : NULL));
        Py_XDECREF(vi);
    }
    show("hash(v.keys())", hash_of(m(v, "keys", "()")));
    show("hash(v.items())", hash_of(m(v, "items", "()")));
    rec = PyDict_New();
    TR_REQUIRE(rec != NULL);
    k = m(rec, "values", "()");
    TR_REQUIRE(k != NULL && PyDict_SetItemString(rec, "self", k) == 0);
    Py_DECREF(k);
    k = m(rec, "values", "()");
    show("repr(rec.values())", k ? PyObject_Repr(k) : NULL);
    Py_XDECREF(k);
    PyDict_Clear(rec);
    Py_DECREF(rec);
    rec2 = PyDict_New();
    TR_REQUIRE(rec2 != NULL);
    k = m(rec2, "items", "()");
    TR_REQUIRE(k != NULL && PyDict_SetItemString(rec2, "k", k) == 0);
    Py_DECREF(k);
    k = m(rec2, "items", "()");
    show("repr(rec2.items())", k ? PyObject_Repr(k) : NULL);
    Py_XDECREF(k);
    PyDict_Clear(rec2);
    Py_DECREF(rec2);
    live = Py_BuildValue("{s:i}", "a", 1);
    kv = m(live, "keys", "()");
    TR_REQUIRE(kv != NULL);
    TR_REQUIRE(PyDict_SetItemString(live, "b", PyLong_FromLong(2)) == 0);
    show("kv after live['b'] = 2", Py_NewRef(kv));
    TR_REQUIRE(PyDict_DelItemString(live, "a") == 0);
    show("len(kv) after del live['a']", len_of(Py_NewRef(kv)));
    show("type(v.keys())", type_of(Py_NewRef(kv)));
    show("type(v.keys())()", PyObject_CallNoArgs(O(Py_TYPE(kv))));
    Py_DECREF(kv);
    Py_DECREF(live);
}

static void iterators(void)
{
    PyObject *it, *g, *r;
    say("== iterators");
    g = Py_BuildValue("{s:i,s:i,s:i}", "a", 1, "b", 2, "c", 3);
    it = PyObject_GetIter(g);
    Py_DECREF(g);
    TR_REQUIRE(it != NULL);
    show("it.__length_hint__()", m(it, "__length_hint__", "()"));
    show("next(it)", m(it, "__next__", "()"));
    show("it.__length_hint__()", m(it, "__length_hint__", "()"));
    show("list(it)", list_of(Py_NewRef(it)));
    show("it.__length_hint__() at the end", m(it, "__length_hint__", "()"));
    Py_DECREF(it);
    g = Py_BuildValue("{s:i,s:i}", "a", 1, "b", 2);
    it = mo(m(g, "items", "()"), "__iter__", "()");
    TR_REQUIRE(it != NULL);
    show("next(items iterator)", m(it, "__next__", "()"));
    TR_REQUIRE(PyDict_SetItemString(g, "c", PyLong_FromLong(3)) == 0);
    show("it.__length_hint__() after a size change", m(it, "__length_hint__", "()"));
    show("next(items iterator) after a size change", m(it, "__next__", "()"));
    Py_DECREF(it);
    Py_DECREF(g);
    g = Py_BuildValue("{s:i,s:i}", "a", 1, "b", 2);
    it = mo(m(g, "values", "()"), "__iter__", "()");
    TR_REQUIRE(it != NULL);
    TR_REQUIRE(PyDict_DelItemString(g, "a") == 0);
    TR_REQUIRE(PyDict_SetItemString(g, "z", PyLong_FromLong(26)) == 0);
    show("next(values iterator) after del+insert", m(it, "__next__", "()"));
    show("next(values iterator) again", m(it, "__next__", "()"));
    Py_DECREF(it);
    Py_DECREF(g);
    g = Py_BuildValue("{s:i,s:i,s:i}", "a", 1, "b", 2, "c", 3);
    r = m(g, "__reversed__", "()");
    TR_REQUIRE(r != NULL);
    show("r.__length_hint__()", m(r, "__length_hint__", "()"));
    show("next(r)", m(r, "__next__", "()"));
    TR_REQUIRE(PyDict_DelItemString(g, "b") == 0);
    show("next(r) after a delete", m(r, "__next__", "()"));
    Py_DECREF(r);
    Py_DECREF(g);
    g = Py_BuildValue("{s:i,s:i,s:i}", "a", 1, "b", 2, "c", 3);
    r = mo(m(g, "items", "()"), "__reversed__", "()");
    TR_REQUIRE(r != NULL);
    show("next(reversed items)", m(r, "__next__", "()"));
    TR_REQUIRE(PyDict_DelItemString(g, "b") == 0);
    TR_REQUIRE(PyDict_SetItemString(g, "d", PyLong_FromLong(4)) == 0);
    show("next(reversed items) after del+insert", m(r, "__next__", "()"));
    show("next(reversed items)", m(r, "__next__", "()"));
    show("next(reversed items) at the end", m(r, "__next__", "()"));
    show("r.__length_hint__() at the end", m(r, "__length_hint__", "()"));
    Py_DECREF(r);
    Py_DECREF(g);
}

static void update_clear_copy_fromkeys(void)
{
    PyObject *u, *x;
    say("== update, clear, copy, fromkeys");
    u = Py_BuildValue("{s:i}", "a", 1);
    show("u.update({'b': 2})", m(u, "update", "({s:i})", "b", 2));
    show("u.update([('c', 3)], d=4)", mkw(u, "update", Py_BuildValue("{s:i}", "d", 4), "([(si)])", "c", 3));
    show("u.update(e=5)", mkw(u, "update", Py_BuildValue("{s:i}", "e", 5), "()"));
    show("u.update(v.keys().mapping)", m(u, "update", "(N)", attr(x = m(v, "keys", "()"), "mapping")));
    Py_XDECREF(x);
    show("u.update(1, 2)", m(u, "update", "(ii)", 1, 2));
    show("u.update(1)", m(u, "update", "(i)", 1));
    show("u.update([(1, 2, 3)])", m(u, "update", "([(iii)])", 1, 2, 3));
    show("u", Py_NewRef(u));
    show("u.copy()", m(u, "copy", "()"));
    show("u.copy() is u", is(m(u, "copy", "()"), Py_NewRef(u)));
    show("type(D(u).copy()) is dict",
         is_type(mo(PyObject_CallOneArg(D, u), "copy", "()"), O(&PyDict_Type)));
    show("u.clear()", m(u, "clear", "()"));
    show("u", Py_NewRef(u));
    show("u.clear(1)", m(u, "clear", "(i)", 1));
    show("u.copy(1)", m(u, "copy", "(i)", 1));
    show("u.keys(1)", m(u, "keys", "(i)", 1));
    Py_DECREF(u);
    show("dict.fromkeys(['a', 'b'])", m(O(&PyDict_Type), "fromkeys", "([ss])", "a", "b"));
    show("dict.fromkeys(('a', 'b'), 0)", m(O(&PyDict_Type), "fromkeys", "((ss)i)", "a", "b", 0));
    show("dict.fromkeys({'x': 1, 'y': 2})", m(O(&PyDict_Type), "fromkeys", "({s:i,s:i})", "x", 1, "y", 2));
    show("dict.fromkeys({'x': 1}.keys(), [])",
         m(O(&PyDict_Type), "fromkeys", "(N[])", mo(Py_BuildValue("{s:i}", "x", 1), "keys", "()")));
    show("dict.fromkeys(1)", m(O(&PyDict_Type), "fromkeys", "(i)", 1));
    show("dict.fromkeys()", m(O(&PyDict_Type), "fromkeys", "()"));
    show("dict.fromkeys(1, 2, 3)", m(O(&PyDict_Type), "fromkeys", "(iii)", 1, 2, 3));
    show("dict.fromkeys([[]])", m(O(&PyDict_Type), "fromkeys", "([[]])"));
    show("type(D.fromkeys([1])) is D", is_type(m(D, "fromkeys", "([i])", 1), D));
    show("D.fromkeys([1], 2)", m(D, "fromkeys", "([i]i)", 1, 2));
    show("{}.fromkeys([1])", mo(PyDict_New(), "fromkeys", "([i])", 1));
}

static void sizeof_and_or(void)
{
    static const long sizes[] = {0, 1, 5, 6, 10, 11, 100, 1000};
    PyObject *s, *x;
    size_t i;
    char label[64];
    say("== __sizeof__, |, |=");
    for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        snprintf(label, sizeof label, "sized(%ld).__sizeof__()", sizes[i]);
        show(label, mo(sized(sizes[i]), "__sizeof__", "()"));
    }
    s = sized(6);
    for (i = 0; i < 6; i++) {
        PyObject *k = PyLong_FromLong((long)i);
        TR_REQUIRE(k != NULL && PyDict_DelItem(s, k) == 0);
        Py_DECREF(k);
    }
    show("sized(6) emptied by del: __sizeof__()", m(s, "__sizeof__", "()"));
    PyDict_Clear(s);
    show("after clear(): __sizeof__()", m(s, "__sizeof__", "()"));
    Py_DECREF(s);
    show("dict.fromkeys(sized(6)).__sizeof__()",
         mo(m(O(&PyDict_Type), "fromkeys", "(N)", sized(6)), "__sizeof__", "()"));
    show("dict.fromkeys(sized(11)).__sizeof__()",
         mo(m(O(&PyDict_Type), "fromkeys", "(N)", sized(11)), "__sizeof__", "()"));
    show("sized(3).copy().__sizeof__()", mo(mo(sized(3), "copy", "()"), "__sizeof__", "()"));
    show("D().__sizeof__() > 48",
         cmp(mo(PyObject_CallNoArgs(D), "__sizeof__", "()"), PyLong_FromLong(48), Py_GT));
    show("{'a': 1} | {'b': 2, 'a': 3}",
         mo(Py_BuildValue("{s:i}", "a", 1), "__or__", "({s:i,s:i})", "b", 2, "a", 3));
    show("{'a': 1}.__or__({'b': 2})", mo(Py_BuildValue("{s:i}", "a", 1), "__or__", "({s:i})", "b", 2));
    show("{'a': 1}.__or__(1)", mo(Py_BuildValue("{s:i}", "a", 1), "__or__", "(i)", 1));
    show("{'a': 1}.__or__([('b', 2)])", mo(Py_BuildValue("{s:i}", "a", 1), "__or__", "([(si)])", "b", 2));
    show("{'a': 1}.__ror__({'b': 2})", mo(Py_BuildValue("{s:i}", "a", 1), "__ror__", "({s:i})", "b", 2));
    {
        PyObject *kw = Py_BuildValue("{s:i}", "a", 1), *args = PyTuple_New(0), *dd;
        TR_REQUIRE(kw != NULL && args != NULL);
        dd = PyObject_Call(D, args, kw);
        Py_DECREF(kw);
        Py_DECREF(args);
        show("type(D(a=1) | {}) is dict", is_type(mo(dd, "__or__", "({})"), O(&PyDict_Type)));
    }
    x = Py_BuildValue("{s:i}", "a", 1);
    show("x.__ior__([('k', 'v')])", m(x, "__ior__", "([(ss)])", "k", "v"));
    show("x.__ior__({'a': 0})", m(x, "__ior__", "({s:i})", "a", 0));
    show("x.__ior__(1)", m(x, "__ior__", "(i)", 1));
    show("x", Py_NewRef(x));
    Py_DECREF(x);
    show("dict.__or__(1, {})", m(O(&PyDict_Type), "__or__", "(i{})", 1));
}

/* callable(*args[:nargs], **dict(zip(names, args[nargs:]))) through PyObject_Vectorcall; names
 * is a Py_BuildValue format for the tuple of keyword names ("" for none); args stolen. */
static PyObject *vc(PyObject *callable, PyObject *args, Py_ssize_t nargs, const char *names, ...)
{
    PyObject *kwnames = NULL, *r;
    va_list ap;
    TR_REQUIRE(args != NULL && PyTuple_Check(args));
    if (names[0] != '\0') {
        va_start(ap, names);
        kwnames = Py_VaBuildValue(names, ap);
        va_end(ap);
        TR_REQUIRE(kwnames != NULL);
    }
    r = PyObject_Vectorcall(callable, &PyTuple_GET_ITEM(args, 0), (size_t)nargs, kwnames);
    Py_XDECREF(kwnames);
    Py_DECREF(args);
    return r;
}

static void constructor(void)
{
    PyObject *x;
    say("== constructor");
    show("dict()", vc(O(&PyDict_Type), PyTuple_New(0), 0, ""));
    show("dict({'a': 1}, b=2)", vc(O(&PyDict_Type), Py_BuildValue("({s:i}i)", "a", 1, 2), 1, "(s)", "b"));
    show("dict([('a', 1)], a=2)", vc(O(&PyDict_Type), Py_BuildValue("([(si)]i)", "a", 1, 2), 1, "(s)", "a"));
    show("dict(a=1, b=2)", vc(O(&PyDict_Type), Py_BuildValue("(ii)", 1, 2), 0, "(ss)", "a", "b"));
    x = m(v, "keys", "()");
    show("dict(v.keys().mapping)", vc(O(&PyDict_Type), Py_BuildValue("(N)", attr(x, "mapping")), 1, ""));
    Py_XDECREF(x);
    show("dict(v.items())", vc(O(&PyDict_Type), Py_BuildValue("(N)", m(v, "items", "()")), 1, ""));
    show("dict(1, 2)", vc(O(&PyDict_Type), Py_BuildValue("(ii)", 1, 2), 2, ""));
    show("dict(1)", vc(O(&PyDict_Type), Py_BuildValue("(i)", 1), 1, ""));
    show("dict([[1]])", vc(O(&PyDict_Type), Py_BuildValue("([[i]])", 1), 1, ""));
    show("type(D(a=1)) is D", is_type(vc(D, Py_BuildValue("(i)", 1), 0, "(s)", "a"), D));
    show("D(a=1)", vc(D, Py_BuildValue("(i)", 1), 0, "(s)", "a"));
}

int main(void)
{
    Py_Initialize();
    D = PyObject_CallFunction(O(&PyType_Type), "s(O){}", "D", O(&PyDict_Type));
    TR_REQUIRE(D != NULL);
    get_setdefault_pop();
    views();
    iterators();
    update_clear_copy_fromkeys();
    sizeof_and_or();
    constructor();
    Py_DECREF(v);
    Py_DECREF(other);
    Py_DECREF(D);
    return 0;
}
