/*
 * tuple's and list's Python-level methods and protocol, on pycoro: the scenario of
 * seq_methods.py with the methods looked up as attributes and called (PyObject_Call, keywords as
 * a dict), `in` through PySequence_Contains, subscripts through PyObject_GetItem, `t + x` and
 * `t * n` as the slot wrappers, next(it) as it.__next__(), tuple(...)/list(...) called
 * vectorcall style (PyObject_Vectorcall); the sort keys are C functions (PyCFunction_New).
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


static PyObject *T, *L, *r_list;

/* key functions of the sort scenarios (the Python side's lambdas) */
static PyObject *key_first(PyObject *self, PyObject *v)
{
    PyObject *x = PyTuple_GetItem(v, 0);
    (void)self;
    return x ? Py_NewRef(x) : NULL;
}

static PyObject *key_failing_on_1(PyObject *self, PyObject *v)
{
    long x = PyLong_AsLong(v);
    (void)self;
    if (x == -1 && PyErr_Occurred()) {
        return NULL;
    }
    if (x == 1) {
        PyErr_SetString(PyExc_ZeroDivisionError, "integer division or modulo by zero");
        return NULL;
    }
    return PyLong_FromLong(1 / (x - 1) - (1 % (x - 1) != 0 && (x - 1) < 0));
}

static PyObject *key_negate(PyObject *self, PyObject *v)
{
    long x = PyLong_AsLong(v);
    (void)self;
    if (x == -1 && PyErr_Occurred()) {
        return NULL;
    }
    return PyLong_FromLong(-x);
}

static PyObject *key_appending(PyObject *self, PyObject *v)
{
    (void)self;
    if (PyList_Append(r_list, v) < 0) {
        return NULL;
    }
    return Py_NewRef(v);
}

static PyMethodDef key_defs[] = {
    {"first", key_first, METH_O, NULL},
    {"failing_on_1", key_failing_on_1, METH_O, NULL},
    {"negate", key_negate, METH_O, NULL},
    {"appending", key_appending, METH_O, NULL},
    {NULL, NULL, 0, NULL},
};

static PyObject *key(int i)
{
    PyObject *f = PyCFunction_New(&key_defs[i], NULL);
    TR_REQUIRE(f != NULL);
    return f;
}

/* o.sort(**kw), kw stolen */
static PyObject *sort_kw(PyObject *o, PyObject *kw)
{
    return mkw(o, "sort", kw, "()");
}

/* t[key], key stolen */
static PyObject *getitem(PyObject *o, PyObject *k)
{
    PyObject *r;
    TR_REQUIRE(k != NULL);
    r = PyObject_GetItem(o, k);
    Py_DECREF(k);
    return r;
}

/* 2**n (or -2**n) as an int, from its decimal text */
static PyObject *pow2(int n, int negative)
{
    char buf[64];
    unsigned long long hi = 0, lo = 1; /* the value as hi * 10**18 + lo */
    int i;
    PyObject *r;
    for (i = 0; i < n; i++) {
        lo *= 2;
        hi = hi * 2 + lo / 1000000000000000000ULL;
        lo %= 1000000000000000000ULL;
    }
    if (hi) {
        snprintf(buf, sizeof buf, "%s%llu%018llu", negative ? "-" : "", hi, lo);
    } else {
        snprintf(buf, sizeof buf, "%s%llu", negative ? "-" : "", lo);
    }
    r = PyObject_CallFunction(O(&PyLong_Type), "s", buf);
    TR_REQUIRE(r != NULL);
    return r;
}

static void tuple_protocol(void)
{
    PyObject *t;
    say("== tuple protocol");
    t = Py_BuildValue("(iiii)", 1, 2, 3, 2);
    TR_REQUIRE(t != NULL);
    show("t.__add__((5,))", m(t, "__add__", "((i))", 5));
    show("t.__add__([])", m(t, "__add__", "([])"));
    show("t.__add__(()) is t", is(m(t, "__add__", "(())"), Py_NewRef(t)));
    show("().__add__(t) is t", is(mo(PyTuple_New(0), "__add__", "(O)", t), Py_NewRef(t)));
    show("t.__add__(T(())) is t", is(m(t, "__add__", "(N)", PyObject_CallNoArgs(T)), Py_NewRef(t)));
    show("type(().__add__(T((1,))))",
         type_of(mo(PyTuple_New(0), "__add__", "(N)", PyObject_CallFunction(T, "((i))", 1))));
    show("type(T((1,)).__add__(()))", type_of(mo(PyObject_CallFunction(T, "((i))", 1), "__add__", "(())")));
    show("t.__mul__(2)", m(t, "__mul__", "(i)", 2));
    show("t.__rmul__(2)", m(t, "__rmul__", "(i)", 2));
    show("t.__mul__(0)", m(t, "__mul__", "(i)", 0));
    show("t.__mul__(-1)", m(t, "__mul__", "(i)", -1));
    show("t.__mul__(1) is t", is(m(t, "__mul__", "(i)", 1), Py_NewRef(t)));
    show("type(T((1,)).__mul__(1))", type_of(mo(PyObject_CallFunction(T, "((i))", 1), "__mul__", "(i)", 1)));
    show("t.__mul__('a')", m(t, "__mul__", "(s)", "a"));
    show("t.__mul__(2**70)", m(t, "__mul__", "(N)", pow2(70, 0)));
    show("t.__mul__(2**62)", m(t, "__mul__", "(N)", pow2(62, 0)));
    show("().__mul__(2**62)", mo(PyTuple_New(0), "__mul__", "(N)", pow2(62, 0)));
    show("t.__mul__(True)", m(t, "__mul__", "(O)", Py_True));
    show("2 in t", in(PyLong_FromLong(2), Py_NewRef(t)));
    show("9 in t", in(PyLong_FromLong(9), Py_NewRef(t)));
    show("[] in t", in(PyList_New(0), Py_NewRef(t)));
    show("t.__contains__()", m(t, "__contains__", "()"));
    show("t[1]", getitem(t, PyLong_FromLong(1)));
    show("t[-1]", getitem(t, PyLong_FromLong(-1)));
    show("t[10]", getitem(t, PyLong_FromLong(10)));
    show("t[-10]", getitem(t, PyLong_FromLong(-10)));
    show("t['a']", getitem(t, str("a")));
    show("t[2**70]", getitem(t, pow2(70, 0)));
    show("t[-2**63]", getitem(t, pow2(63, 1)));
    show("t[True]", getitem(t, Py_NewRef(Py_True)));
    show("t.__getitem__(0)", m(t, "__getitem__", "(i)", 0));
    show("t.count(2)", m(t, "count", "(i)", 2));
    show("t.count(9)", m(t, "count", "(i)", 9));
    show("t.count()", m(t, "count", "()"));
    show("t.count(2, 3)", m(t, "count", "(ii)", 2, 3));
    show("t.index(2)", m(t, "index", "(i)", 2));
    show("t.index(2, 2)", m(t, "index", "(ii)", 2, 2));
    show("t.index(2, -1)", m(t, "index", "(ii)", 2, -1));
    show("t.index(9)", m(t, "index", "(i)", 9));
    show("t.index(2, 0, 1)", m(t, "index", "(iii)", 2, 0, 1));
    show("t.index(1, 0, -1)", m(t, "index", "(iii)", 1, 0, -1));
    show("t.index(2, 0, -3)", m(t, "index", "(iii)", 2, 0, -3));
    show("t.index(1, -2**70)", m(t, "index", "(iN)", 1, pow2(70, 1)));
    show("t.index(1, 2**70)", m(t, "index", "(iN)", 1, pow2(70, 0)));
    show("t.index(1, 0, 2**70)", m(t, "index", "(iiN)", 1, 0, pow2(70, 0)));
    show("t.index()", m(t, "index", "()"));
    show("t.index(1, 2, 3, 4)", m(t, "index", "(iiii)", 1, 2, 3, 4));
    show("t.index(2, 'a')", m(t, "index", "(is)", 2, "a"));
    show("t.index(2, None)", m(t, "index", "(iO)", 2, Py_None));
    show("t.index(x=1)", mkw(t, "index", Py_BuildValue("{s:i}", "x", 1), "()"));
    show("t.__getnewargs__()", m(t, "__getnewargs__", "()"));
    show("T((1,)).__getnewargs__()", mo(PyObject_CallFunction(T, "((i))", 1), "__getnewargs__", "()"));
    {
        PyObject *a = mo(PyObject_CallFunction(T, "((i))", 1), "__getnewargs__", "()");
        show("type(T((1,)).__getnewargs__()[0])", type_of(a ? Py_XNewRef(PyTuple_GetItem(a, 0)) : NULL));
        Py_XDECREF(a);
    }
    show("t.__getnewargs__(1)", m(t, "__getnewargs__", "(i)", 1));
    show("tuple.__getnewargs__.__doc__", attr2(O(&PyTuple_Type), "__getnewargs__", "__doc__"));
    show("tuple.index.__text_signature__", attr2(O(&PyTuple_Type), "index", "__text_signature__"));
    Py_DECREF(t);
}

static void tuple_iterator(void)
{
    PyObject *it;
    say("== tuple iterator");
    it = mo(Py_BuildValue("(iii)", 1, 2, 3), "__iter__", "()");
    TR_REQUIRE(it != NULL);
    show("type(it)", type_of(Py_NewRef(it)));
    show("it.__length_hint__()", m(it, "__length_hint__", "()"));
    show("next(it)", m(it, "__next__", "()"));
    show("it.__length_hint__()", m(it, "__length_hint__", "()"));
    show("it.__setstate__(0)", m(it, "__setstate__", "(i)", 0));
    show("list(it) after __setstate__(0)", list_of(Py_NewRef(it)));
    show("it.__length_hint__() at the end", m(it, "__length_hint__", "()"));
    show("it.__setstate__(0) at the end", m(it, "__setstate__", "(i)", 0));
    show("list(it)", list_of(Py_NewRef(it)));
    Py_DECREF(it);
    it = mo(Py_BuildValue("(iii)", 1, 2, 3), "__iter__", "()");
    TR_REQUIRE(it != NULL);
    show("it.__setstate__(-5)", m(it, "__setstate__", "(i)", -5));
    show("it.__length_hint__()", m(it, "__length_hint__", "()"));
    show("it.__setstate__(100)", m(it, "__setstate__", "(i)", 100));
    show("it.__length_hint__()", m(it, "__length_hint__", "()"));
    show("it.__setstate__('a')", m(it, "__setstate__", "(s)", "a"));
    show("it.__setstate__(2**70)", m(it, "__setstate__", "(N)", pow2(70, 0)));
    show("it.__setstate__()", m(it, "__setstate__", "()"));
    show("it.__length_hint__(1)", m(it, "__length_hint__", "(i)", 1));
    show("type(it)()", PyObject_CallNoArgs(O(Py_TYPE(it))));
    Py_DECREF(it);
}

static void tuple_constructor(void)
{
    PyObject *t = Py_BuildValue("(iiii)", 1, 2, 3, 2);
    say("== tuple constructor");
    show("tuple()", vc(O(&PyTuple_Type), PyTuple_New(0), 0, ""));
    show("tuple([1, 2])", vc(O(&PyTuple_Type), Py_BuildValue("([ii])", 1, 2), 1, ""));
    show("tuple(t) is t", is(vc(O(&PyTuple_Type), Py_BuildValue("(O)", t), 1, ""), Py_NewRef(t)));
    show("tuple({'a': 1}.items())",
         vc(O(&PyTuple_Type), Py_BuildValue("(N)", mo(Py_BuildValue("{s:i}", "a", 1), "items", "()")), 1, ""));
    show("tuple(1)", vc(O(&PyTuple_Type), Py_BuildValue("(i)", 1), 1, ""));
    show("tuple(1, 2)", vc(O(&PyTuple_Type), Py_BuildValue("(ii)", 1, 2), 2, ""));
    show("tuple(x=1)", vc(O(&PyTuple_Type), Py_BuildValue("(i)", 1), 0, "(s)", "x"));
    show("tuple([1], x=1)", vc(O(&PyTuple_Type), Py_BuildValue("([i]i)", 1, 1), 1, "(s)", "x"));
    show("T([1])", vc(T, Py_BuildValue("([i])", 1), 1, ""));
    show("type(T([1]))", is_type(vc(T, Py_BuildValue("([i])", 1), 1, ""), T));
    Py_DECREF(t);
}

static void list_methods(void)
{
    PyObject *x, *y, *c;
    say("== list methods");
    x = Py_BuildValue("[iii]", 3, 1, 2);
    TR_REQUIRE(x != NULL);
    show("x.append(4)", m(x, "append", "(i)", 4));
    show("x.append()", m(x, "append", "()"));
    show("x.append(1, 2)", m(x, "append", "(ii)", 1, 2));
    show("x.append(x=1)", mkw(x, "append", Py_BuildValue("{s:i}", "x", 1), "()"));
    show("x.extend((5, 6))", m(x, "extend", "((ii))", 5, 6));
    show("x.extend(iter([7]))", m(x, "extend", "(N)", PyObject_GetIter(Py_BuildValue("[i]", 7))));
    show("x.extend({'k': 1})", m(x, "extend", "({s:i})", "k", 1));
    show("x.extend(1)", m(x, "extend", "(i)", 1));
    show("x.extend()", m(x, "extend", "()"));
    show("x", Py_NewRef(x));
    show("x.insert(0, 'a')", m(x, "insert", "(is)", 0, "a"));
    show("x.insert(-1, 'b')", m(x, "insert", "(is)", -1, "b"));
    show("x.insert(100, 'c')", m(x, "insert", "(is)", 100, "c"));
    show("x.insert(-100, 'd')", m(x, "insert", "(is)", -100, "d"));
    show("x.insert(1)", m(x, "insert", "(i)", 1));
    show("x.insert('a', 1)", m(x, "insert", "(si)", "a", 1));
    show("x.insert(2**70, 1)", m(x, "insert", "(Ni)", pow2(70, 0), 1));
    show("x", Py_NewRef(x));
    show("x.pop()", m(x, "pop", "()"));
    show("x.pop(0)", m(x, "pop", "(i)", 0));
    show("x.pop(-2)", m(x, "pop", "(i)", -2));
    show("x.pop(True)", m(x, "pop", "(O)", Py_True));
    show("x.pop(100)", m(x, "pop", "(i)", 100));
    show("x.pop(-100)", m(x, "pop", "(i)", -100));
    show("x.pop('a')", m(x, "pop", "(s)", "a"));
    show("x.pop(2**70)", m(x, "pop", "(N)", pow2(70, 0)));
    show("x.pop(1, 2)", m(x, "pop", "(ii)", 1, 2));
    show("[].pop()", mo(PyList_New(0), "pop", "()"));
    show("[].pop('a')", mo(PyList_New(0), "pop", "(s)", "a"));
    show("x", Py_NewRef(x));
    show("x.remove(1)", m(x, "remove", "(i)", 1));
    show("x.remove(99)", m(x, "remove", "(i)", 99));
    show("x.remove([])", m(x, "remove", "([])"));
    show("x.remove()", m(x, "remove", "()"));
    show("x", Py_NewRef(x));
    Py_DECREF(x);
    y = Py_BuildValue("[iisi]", 1, 2, "a", 1);
    TR_REQUIRE(y != NULL && PyList_Insert(y, 2, PyLong_FromLong(1)) == 0);
    show("y.index(1)", m(y, "index", "(i)", 1));
    show("y.index(1, 1)", m(y, "index", "(ii)", 1, 1));
    show("y.index(1, -1)", m(y, "index", "(ii)", 1, -1));
    show("y.index(1, 1, 2)", m(y, "index", "(iii)", 1, 1, 2));
    show("y.index(1, -10, 10)", m(y, "index", "(iii)", 1, -10, 10));
    show("y.index(99)", m(y, "index", "(i)", 99));
    show("y.index('zz')", m(y, "index", "(s)", "zz"));
    show("y.index((1, 2))", m(y, "index", "((ii))", 1, 2));
    show("y.index(1, 'a')", m(y, "index", "(is)", 1, "a"));
    show("y.index(1, 0, None)", m(y, "index", "(iiO)", 1, 0, Py_None));
    show("y.index(1, 0, 2**70)", m(y, "index", "(iiN)", 1, 0, pow2(70, 0)));
    show("y.index()", m(y, "index", "()"));
    show("y.index(1, 2, 3, 4)", m(y, "index", "(iiii)", 1, 2, 3, 4));
    show("y.count(1)", m(y, "count", "(i)", 1));
    show("y.count('a')", m(y, "count", "(s)", "a"));
    show("y.count()", m(y, "count", "()"));
    c = m(y, "copy", "()");
    show("y.copy()", Py_XNewRef(c));
    show("y.copy() is y", is(c, Py_NewRef(y)));
    show("type(L(y).copy())", is_type(mo(PyObject_CallOneArg(L, y), "copy", "()"), O(&PyList_Type)));
    show("y.reverse()", m(y, "reverse", "()"));
    show("y", Py_NewRef(y));
    show("y.clear()", m(y, "clear", "()"));
    show("y", Py_NewRef(y));
    show("y.clear(1)", m(y, "clear", "(i)", 1));
    show("y.copy(1)", m(y, "copy", "(i)", 1));
    show("y.reverse(1)", m(y, "reverse", "(i)", 1));
    Py_DECREF(y);
    show("[1, 2].__getitem__(0)", mo(Py_BuildValue("[ii]", 1, 2), "__getitem__", "(i)", 0));
    show("[1, 2].__getitem__(-1)", mo(Py_BuildValue("[ii]", 1, 2), "__getitem__", "(i)", -1));
    show("[1, 2].__getitem__('a')", mo(Py_BuildValue("[ii]", 1, 2), "__getitem__", "(s)", "a"));
    show("[1, 2].__getitem__(5)", mo(Py_BuildValue("[ii]", 1, 2), "__getitem__", "(i)", 5));
    {
        PyObject *dd = attr(O(&PyList_Type), "__dict__");
        show("list.__dict__['__getitem__']", dd ? item(dd, "__getitem__") : NULL);
        Py_XDECREF(dd);
    }
    show("list.sort.__text_signature__", attr2(O(&PyList_Type), "sort", "__text_signature__"));
}

static void sorting(void)
{
    PyObject *s, *p, *q;
    say("== sort");
    s = Py_BuildValue("[iii]", 3, 1, 2);
    TR_REQUIRE(s != NULL);
    show("s.sort()", m(s, "sort", "()"));
    show("s", Py_NewRef(s));
    show("s.sort(reverse=True)", sort_kw(s, Py_BuildValue("{s:O}", "reverse", Py_True)));
    show("s", Py_NewRef(s));
    show("s.sort(reverse=0)", sort_kw(s, Py_BuildValue("{s:i}", "reverse", 0)));
    show("s", Py_NewRef(s));
    show("s.sort(key=None, reverse=2)", sort_kw(s, Py_BuildValue("{s:O,s:i}", "key", Py_None, "reverse", 2)));
    show("s", Py_NewRef(s));
    p = Py_BuildValue("[(is)(is)(is)(is)]", 1, "b", 0, "a", 1, "a", 0, "b");
    TR_REQUIRE(p != NULL);
    show("p.sort(key=first)", sort_kw(p, Py_BuildValue("{s:N}", "key", key(0))));
    show("p", Py_NewRef(p));
    show("p.sort(key=first, reverse=True)",
         sort_kw(p, Py_BuildValue("{s:N,s:O}", "key", key(0), "reverse", Py_True)));
    show("p", Py_NewRef(p));
    Py_DECREF(p);
    show("s.sort(1)", m(s, "sort", "(i)", 1));
    show("s.sort(key=1)", sort_kw(s, Py_BuildValue("{s:i}", "key", 1)));
    {
        PyObject *e = PyList_New(0);
        show("[].sort(key=1)", sort_kw(e, Py_BuildValue("{s:i}", "key", 1)));
        Py_DECREF(e);
    }
    show("s.sort(foo=1)", sort_kw(s, Py_BuildValue("{s:i}", "foo", 1)));
    show("s.sort(reverse='x')", sort_kw(s, Py_BuildValue("{s:s}", "reverse", "x")));
    show("s.sort(reverse=[])", sort_kw(s, Py_BuildValue("{s:[]}", "reverse")));
    show("s.sort(reverse=2**40)", sort_kw(s, Py_BuildValue("{s:N}", "reverse", pow2(40, 0))));
    Py_DECREF(s);
    show("[1, 'a'].sort()", mo(Py_BuildValue("[is]", 1, "a"), "sort", "()"));
    q = Py_BuildValue("[iii]", 3, 1, 2);
    TR_REQUIRE(q != NULL);
    show("q.sort(key=failing on 1)", sort_kw(q, Py_BuildValue("{s:N}", "key", key(1))));
    show("q after a failing key", Py_NewRef(q));
    show("q.sort(key=negate)", sort_kw(q, Py_BuildValue("{s:N}", "key", key(2))));
    show("q", Py_NewRef(q));
    Py_DECREF(q);
    r_list = Py_BuildValue("[ii]", 2, 1);
    TR_REQUIRE(r_list != NULL);
    show("r.sort(key=appending to r)", sort_kw(r_list, Py_BuildValue("{s:N}", "key", key(3))));
    show("r after", Py_NewRef(r_list));
    Py_CLEAR(r_list);
}

static void reversed_and_iterators(void)
{
    PyObject *z, *ri, *li;
    say("== reversed and iterators");
    z = Py_BuildValue("[iii]", 1, 2, 3);
    TR_REQUIRE(z != NULL);
    ri = m(z, "__reversed__", "()");
    TR_REQUIRE(ri != NULL);
    show("type(reversed(z))", type_of(Py_NewRef(ri)));
    show("ri.__length_hint__()", m(ri, "__length_hint__", "()"));
    show("next(ri)", m(ri, "__next__", "()"));
    show("ri.__length_hint__()", m(ri, "__length_hint__", "()"));
    show("ri.__setstate__(5)", m(ri, "__setstate__", "(i)", 5));
    show("list(ri) after __setstate__(5)", list_of(Py_NewRef(ri)));
    show("ri.__length_hint__() at the end", m(ri, "__length_hint__", "()"));
    Py_DECREF(ri);
    ri = m(z, "__reversed__", "()");
    TR_REQUIRE(ri != NULL);
    show("ri.__setstate__(-5)", m(ri, "__setstate__", "(i)", -5));
    show("list(ri) after __setstate__(-5)", list_of(Py_NewRef(ri)));
    Py_DECREF(ri);
    ri = m(z, "__reversed__", "()");
    TR_REQUIRE(ri != NULL);
    show("ri.__setstate__('a')", m(ri, "__setstate__", "(s)", "a"));
    TR_REQUIRE(PyList_Append(z, PyLong_FromLong(4)) == 0);
    show("next(ri) after an append", m(ri, "__next__", "()"));
    TR_REQUIRE(PyList_SetSlice(z, 0, PyList_Size(z), NULL) == 0);
    show("next(ri) after a clear", m(ri, "__next__", "()"));
    show("ri.__length_hint__() after a clear", m(ri, "__length_hint__", "()"));
    Py_DECREF(ri);
    Py_DECREF(z);
    li = mo(Py_BuildValue("[iii]", 1, 2, 3), "__iter__", "()");
    TR_REQUIRE(li != NULL);
    show("li.__length_hint__()", m(li, "__length_hint__", "()"));
    show("li.__setstate__(2)", m(li, "__setstate__", "(i)", 2));
    show("li.__length_hint__()", m(li, "__length_hint__", "()"));
    show("li.__setstate__(-5)", m(li, "__setstate__", "(i)", -5));
    show("li.__length_hint__()", m(li, "__length_hint__", "()"));
    show("li.__setstate__(100)", m(li, "__setstate__", "(i)", 100));
    show("li.__length_hint__()", m(li, "__length_hint__", "()"));
    show("li.__setstate__('a')", m(li, "__setstate__", "(s)", "a"));
    show("list(li)", list_of(Py_NewRef(li)));
    show("li.__setstate__(0) exhausted", m(li, "__setstate__", "(i)", 0));
    show("list(li)", list_of(Py_NewRef(li)));
    show("type(reversed([]))()", PyObject_CallNoArgs(O(&PyListRevIter_Type)));
    Py_DECREF(li);
}

static void sizes_and_constructor(void)
{
    PyObject *w;
    long i;
    say("== sizes and constructor");
    w = PyList_New(0);
    TR_REQUIRE(w != NULL);
    show("[].__sizeof__()", m(w, "__sizeof__", "()"));
    for (i = 0; i < 10; i++) {
        PyObject *v = PyLong_FromLong(i);
        TR_REQUIRE(v != NULL && PyList_Append(w, v) == 0);
        Py_DECREF(v);
    }
    show("after 10 appends: __sizeof__()", m(w, "__sizeof__", "()"));
    show("list((1, 2, 3)).__sizeof__()",
         mo(vc(O(&PyList_Type), Py_BuildValue("((iii))", 1, 2, 3), 1, ""), "__sizeof__", "()"));
    show("list({'a': 1, 'b': 2}).__sizeof__()",
         mo(vc(O(&PyList_Type), Py_BuildValue("({s:i,s:i})", "a", 1, "b", 2), 1, ""), "__sizeof__", "()"));
    show("w.copy().__sizeof__()", mo(m(w, "copy", "()"), "__sizeof__", "()"));
    Py_XDECREF(m(w, "pop", "()"));
    show("after a pop: __sizeof__()", m(w, "__sizeof__", "()"));
    Py_DECREF(w);
    show("list()", vc(O(&PyList_Type), PyTuple_New(0), 0, ""));
    show("list((1, 2))", vc(O(&PyList_Type), Py_BuildValue("((ii))", 1, 2), 1, ""));
    show("list({'a': 1})", vc(O(&PyList_Type), Py_BuildValue("({s:i})", "a", 1), 1, ""));
    show("list(1)", vc(O(&PyList_Type), Py_BuildValue("(i)", 1), 1, ""));
    show("list(1, 2)", vc(O(&PyList_Type), Py_BuildValue("(ii)", 1, 2), 2, ""));
    show("list(x=1)", vc(O(&PyList_Type), Py_BuildValue("(i)", 1), 0, "(s)", "x"));
    show("type(L((1,))) is L", is_type(vc(L, Py_BuildValue("((i))", 1), 1, ""), L));
    show("L((1,))", vc(L, Py_BuildValue("((i))", 1), 1, ""));
}

int main(void)
{
    Py_Initialize();
    T = PyObject_CallFunction(O(&PyType_Type), "s(O){}", "T", O(&PyTuple_Type));
    L = PyObject_CallFunction(O(&PyType_Type), "s(O){}", "L", O(&PyList_Type));
    TR_REQUIRE(T != NULL && L != NULL);
    tuple_protocol();
    tuple_iterator();
    tuple_constructor();
    list_methods();
    sorting();
    reversed_and_iterators();
    sizes_and_constructor();
    Py_DECREF(T);
    Py_DECREF(L);
    return 0;
}
