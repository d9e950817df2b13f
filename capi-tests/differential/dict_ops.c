/*
 * dict behaviour, on pycoro: the scenario of dict_ops.py through the PyDict_* functions
 * (d[k] = v: PyDict_SetItem; d[k]: PyObject_GetItem; d.get(k): PyDict_GetItemWithError;
 * k in d: PyDict_Contains; del d[k]: PyDict_DelItem; d.setdefault: PyDict_SetDefault;
 * d.copy(): PyDict_Copy; d.clear(): PyDict_Clear; a.update(b): PyDict_Update; a merge that
 * keeps a's values: PyDict_Merge(a, b, 0); a.update(pairs): PyDict_MergeFromSeq2;
 * list(d.keys()/values()/items()): PyDict_Keys/Values/Items), the dict type called, its slot
 * wrappers looked up as attributes, and iteration with PyObject_GetIter + __next__.
 */
#include "transcript.h"

#define O(t) ((PyObject *)(t))

static void set(PyObject *d, PyObject *k, PyObject *v)
{
    TR_REQUIRE(k != NULL && v != NULL);
    TR_REQUIRE(PyDict_SetItem(d, k, v) == 0);
    Py_DECREF(k);
    Py_DECREF(v);
}

/* d.get(k): the value, None when missing, NULL on error (steals k) */
static PyObject *get(PyObject *d, PyObject *k)
{
    PyObject *v = k ? PyDict_GetItemWithError(d, k) : NULL;
    Py_XDECREF(k);
    if (v != NULL) {
        return Py_NewRef(v);
    }
    return PyErr_Occurred() ? NULL : Py_NewRef(Py_None);
}

/* d[k] (steals k) */
static PyObject *getitem(PyObject *d, PyObject *k)
{
    PyObject *v = k ? PyObject_GetItem(d, k) : NULL;
    Py_XDECREF(k);
    return v;
}

static int contains(PyObject *d, PyObject *k)
{
    int r = k ? PyDict_Contains(d, k) : -1;
    Py_XDECREF(k);
    return r;
}

/* a status call shown as None / the exception; steals k */
static int delitem(PyObject *d, PyObject *k)
{
    int r = k ? PyDict_DelItem(d, k) : -1;
    Py_XDECREF(k);
    return r;
}

static PyObject *list_of(PyObject *iterable)
{
    PyObject *r = PyList_New(0), *it, *x;
    it = r ? PyObject_GetIter(iterable) : NULL;
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

static PyObject *eq(PyObject *a, PyObject *b)
{
    int v = PyObject_RichCompareBool(a, b, Py_EQ);
    return v < 0 ? NULL : PyBool_FromLong(v);
}

static PyObject *d;

static void order_and_repr(void)
{
    PyObject *nested;
    say("== order and repr");
    d = PyDict_New();
    TR_REQUIRE(d != NULL);
    show("d", Py_NewRef(d));
    set(d, str("b"), PyLong_FromLong(1));
    set(d, str("a"), PyLong_FromLong(2));
    set(d, PyLong_FromLong(3), str("three"));
    set(d, Py_BuildValue("(ii)", 1, 2), Py_NewRef(Py_None));
    show("d", Py_NewRef(d));
    show_ssize("len(d)", PyDict_Size(d));
    show("list(d)", list_of(d));
    show("list(d.keys())", PyDict_Keys(d));
    show("list(d.values())", PyDict_Values(d));
    show("list(d.items())", PyDict_Items(d));
    TR_REQUIRE(PyDict_DelItemString(d, "b") == 0);
    set(d, str("b"), PyLong_FromLong(4));
    show("d after del/re-add 'b'", Py_NewRef(d));
    set(d, str("a"), PyLong_FromLong(5));
    show("d after d['a'] = 5", Py_NewRef(d));
    set(d, Py_NewRef(Py_True), str("t"));
    set(d, PyLong_FromLong(1), str("one"));
    show("d after d[True], d[1]", Py_NewRef(d));
    TR_REQUIRE(PyDict_SetItemString(d, "self", d) == 0);
    show("d with itself", Py_NewRef(d));
    TR_REQUIRE(PyDict_DelItemString(d, "self") == 0);
    nested = Py_BuildValue("{s:[{}],s:({s:()})}", "x", "y", "z");
    show("{'x': [{}], 'y': ({'z': ()},)}", nested);
}

static void lookups(void)
{
    say("== lookups and KeyError");
    show("d['a']", getitem(d, str("a")));
    show("d['missing']", getitem(d, str("missing")));
    show("d[(1, 2)]", getitem(d, Py_BuildValue("(ii)", 1, 2)));
    show("d[(9, 9)]", getitem(d, Py_BuildValue("(ii)", 9, 9)));
    show("d[()]", getitem(d, PyTuple_New(0)));
    show("d[[]]", getitem(d, PyList_New(0)));
    show("d.get('a')", get(d, str("a")));
    show("d.get('missing')", get(d, str("missing")));
    show("d.get([])", get(d, PyList_New(0)));
    show_bool("'a' in d", contains(d, str("a")));
    show_bool("'zz' in d", contains(d, str("zz")));
    show_bool("[] in d", contains(d, PyList_New(0)));
    {
        PyObject *k = PyDict_New(), *one = PyLong_FromLong(1);
        show_status("d[{}] = 1", PyDict_SetItem(d, k, one));
        Py_DECREF(k);
        Py_DECREF(one);
    }
    show_status("del d['missing']", delitem(d, str("missing")));
    show_status("del d[[]]", delitem(d, PyList_New(0)));
    show_status("del d[(1, 2)]", delitem(d, Py_BuildValue("(ii)", 1, 2)));
    show("d", Py_NewRef(d));
}

static void setdefault_copy_clear(void)
{
    PyObject *k, *v, *c, *r;
    say("== setdefault, copy, clear");
    k = str("a");
    v = PyLong_FromLong(0);
    r = PyDict_SetDefault(d, k, v);
    show("d.setdefault('a', 0)", r ? Py_NewRef(r) : NULL);
    Py_DECREF(k);
    k = str("new");
    Py_DECREF(v);
    v = PyList_New(0);
    r = PyDict_SetDefault(d, k, v);
    show("d.setdefault('new', [])", r ? Py_NewRef(r) : NULL);
    Py_DECREF(k);
    Py_DECREF(v);
    k = PyList_New(0);
    v = PyLong_FromLong(0);
    r = PyDict_SetDefault(d, k, v);
    show("d.setdefault([], 0)", r ? Py_NewRef(r) : NULL);
    Py_DECREF(k);
    Py_DECREF(v);
    c = PyDict_Copy(d);
    TR_REQUIRE(c != NULL);
    show("d.copy()", Py_NewRef(c));
    show("d.copy() == d", eq(c, d));
    show("d.copy() is d", PyBool_FromLong(c == d));
    show("d.copy()['new'] is d['new']",
         PyBool_FromLong(PyDict_GetItemString(c, "new") == PyDict_GetItemString(d, "new")));
    PyDict_Clear(c);
    show("c.clear(); c", Py_NewRef(c));
    show("d", Py_NewRef(d));
    Py_DECREF(c);
}

static void update_and_merge(void)
{
    PyObject *a, *b, *seq;
    say("== update and merge");
    a = Py_BuildValue("{s:i,s:i}", "x", 1, "y", 2);
    b = Py_BuildValue("{s:i,s:i}", "y", 20, "z", 30);
    TR_REQUIRE(PyDict_Update(a, b) == 0);
    show("a.update({'y': 20, 'z': 30})", a);
    a = Py_BuildValue("{s:i,s:i}", "x", 1, "y", 2);
    TR_REQUIRE(PyDict_Merge(a, b, 0) == 0);
    show("merge without override", a);
    Py_DECREF(b);
    a = Py_BuildValue("{s:i}", "x", 1);
    seq = Py_BuildValue("[(si)[si]]", "p", 1, "q", 2);
    TR_REQUIRE(PyDict_MergeFromSeq2(a, seq, 1) == 0);
    Py_DECREF(seq);
    show("a.update([('p', 1), ['q', 2]])", Py_NewRef(a));
#define SEQ2(label, ...)                                                                       \
    do {                                                                                       \
        PyObject *s_ = Py_BuildValue(__VA_ARGS__);                                             \
        TR_REQUIRE(s_ != NULL);                                                                \
        show_status(label, PyDict_MergeFromSeq2(a, s_, 1));                                    \
        Py_DECREF(s_);                                                                         \
    } while (0)
    SEQ2("a.update([1])", "[i]", 1);
    SEQ2("a.update([(1, 2, 3)])", "[(iii)]", 1, 2, 3);
    SEQ2("a.update([('k', 'v'), (1, 2, 3)])", "[(ss)(iii)]", "k", "v", 1, 2, 3);
    show("a (the pairs before the bad one stay)", Py_NewRef(a));
    SEQ2("a.update([([], 1)])", "[([]i)]", 1);
    SEQ2("a.update(1)", "i", 1);
    SEQ2("a.update([1, 2])", "[ii]", 1, 2);
    b = PyDict_New();
    show_status("a.update({})", PyDict_Update(a, b));
    Py_DECREF(b);
    show("a", a);
    a = PyDict_New();
    SEQ2("s.update(['rs'])", "[s]", "rs");
    show("s", a);
#undef SEQ2
}

static void constructor_and_wrappers(void)
{
    PyObject *e, *dict = O(&PyDict_Type), *it;
    say("== constructor and slot wrappers");
    show("dict()", PyObject_CallNoArgs(dict));
    show("dict({'a': 1})", PyObject_CallFunction(dict, "({s:i})", "a", 1));
    show("dict([(1, 2), (3, 4)])", PyObject_CallFunction(dict, "([(ii)(ii)])", 1, 2, 3, 4));
    show("dict(1)", PyObject_CallFunction(dict, "(i)", 1));
    show("dict([1])", PyObject_CallFunction(dict, "([i])", 1));
    show("dict({}, {})", PyObject_CallFunction(dict, "({}{})"));
    {
        PyObject *x = PyObject_CallNoArgs(dict);
        show("type(dict())", x ? PyObject_Type(x) : NULL);
        Py_XDECREF(x);
    }
    e = Py_BuildValue("{s:i}", "k", 1);
    TR_REQUIRE(e != NULL);
    show("e.__getitem__('k')", call_attr(e, "__getitem__", "(s)", "k"));
    show("e.__getitem__('nope')", call_attr(e, "__getitem__", "(s)", "nope"));
    show("e.__setitem__('m', 2)", call_attr(e, "__setitem__", "(si)", "m", 2));
    show("e.__delitem__('nope')", call_attr(e, "__delitem__", "(s)", "nope"));
    show("e.__len__()", call_attr(e, "__len__", "()"));
    show("e.__contains__('m')", call_attr(e, "__contains__", "(s)", "m"));
    show("e.__contains__([])", call_attr(e, "__contains__", "([])"));
    show("e.__init__([('i', 9)])", call_attr(e, "__init__", "([(si)])", "i", 9));
    show("e", Py_NewRef(e));
    show("e.__init__(1)", call_attr(e, "__init__", "(i)", 1));
    show("e.__init__({}, {})", call_attr(e, "__init__", "({}{})"));
    show("e.__eq__({'k': 1, 'm': 2, 'i': 9})",
         call_attr(e, "__eq__", "({s:i,s:i,s:i})", "k", 1, "m", 2, "i", 9));
    show("e.__eq__(1)", call_attr(e, "__eq__", "(i)", 1));
    show("e.__ne__({})", call_attr(e, "__ne__", "({})"));
    show("e.__lt__({})", call_attr(e, "__lt__", "({})"));
    {
        PyObject *empty = PyDict_New(), *other;
        show("e < {}", PyObject_RichCompare(e, empty, Py_LT));
        other = Py_BuildValue("{s:i,s:i,s:i}", "i", 9, "m", 2, "k", 1);
        show("e == {'i': 9, 'm': 2, 'k': 1}", PyObject_RichCompare(e, other, Py_EQ));
        Py_XDECREF(other);
        Py_XDECREF(empty);
    }
    show("e.__repr__()", call_attr(e, "__repr__", "()"));
    show("e.__getitem__()", call_attr(e, "__getitem__", "()"));
    show("e.__setitem__('x')", call_attr(e, "__setitem__", "(s)", "x"));
    show("dict.__getitem__(1, 'k')", call_attr(dict, "__getitem__", "(is)", 1, "k"));
    show("dict.__len__([])", call_attr(dict, "__len__", "([])"));
    it = PyObject_GetIter(e);
    show("iter(e)", it ? PyObject_Type(it) : NULL);
    Py_XDECREF(it);
    it = call_attr(e, "__iter__", "()");
    show("e.__iter__().__next__()", it ? call_attr(it, "__next__", "()") : NULL);
    Py_XDECREF(it);
    show("e.__hash__", attr(e, "__hash__"));
    {
        PyObject *dd = attr(dict, "__dict__");
        TR_REQUIRE(dd != NULL);
        show("dict.__dict__['__getitem__']", item(dd, "__getitem__"));
        show("dict.__dict__['__contains__']", item(dd, "__contains__"));
        show("dict.__dict__['__setitem__']", item(dd, "__setitem__"));
        Py_DECREF(dd);
    }
    show("e.__contains__()", call_attr(e, "__contains__", "()"));
    show("e.__getitem__", attr(e, "__getitem__"));
    Py_DECREF(e);
}

static void mutation_during_iteration(void)
{
    PyObject *m, *it;
    say("== mutation during iteration");
    m = Py_BuildValue("{s:i,s:i}", "a", 1, "b", 2);
    it = PyObject_GetIter(m);
    TR_REQUIRE(it != NULL);
    show("next(it)", call_attr(it, "__next__", "()"));
    set(m, str("c"), PyLong_FromLong(3));
    show("next(it) after an insert", call_attr(it, "__next__", "()"));
    show("next(it) again", call_attr(it, "__next__", "()"));
    Py_DECREF(it);
    Py_DECREF(m);
    m = Py_BuildValue("{s:i,s:i}", "a", 1, "b", 2);
    it = PyObject_GetIter(m);
    TR_REQUIRE(it != NULL);
    show("next(it)", call_attr(it, "__next__", "()"));
    set(m, str("a"), PyLong_FromLong(10));
    show("next(it) after a value change", call_attr(it, "__next__", "()"));
    show("next(it) at the end", call_attr(it, "__next__", "()"));
    Py_DECREF(it);
    Py_DECREF(m);
    m = Py_BuildValue("{s:i,s:i}", "a", 1, "b", 2);
    it = PyObject_GetIter(m);
    TR_REQUIRE(it != NULL);
    TR_REQUIRE(PyDict_DelItemString(m, "b") == 0);
    set(m, str("z"), PyLong_FromLong(0));
    show("next(it) after del+insert (same size)", call_attr(it, "__next__", "()"));
    Py_DECREF(it);
    Py_DECREF(m);
}

static void python_methods(void)
{
    PyObject *x = Py_BuildValue("{s:i}", "a", 1);
    say("== Python-level methods");
    show("{'a': 1}.keys()", call_attr(x, "keys", "()"));
    show("{'a': 1}.get('a')", call_attr(x, "get", "(s)", "a"));
    show("dict.fromkeys(['a', 'b'])", call_attr(O(&PyDict_Type), "fromkeys", "([ss])", "a", "b"));
    Py_DECREF(x);
}

int main(void)
{
    Py_Initialize();
    order_and_repr();
    lookups();
    setdefault_copy_clear();
    update_and_merge();
    constructor_and_wrappers();
    mutation_during_iteration();
    python_methods();
    Py_DECREF(d);
    return 0;
}
