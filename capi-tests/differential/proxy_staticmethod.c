/*
 * mappingproxy's constructor, `|` and `__reversed__`, and staticmethod's constructor, repr and
 * attributes, on pycoro: the scenario of proxy_staticmethod.py with the types called
 * (PyObject_Call, keywords as a dict) and their methods and slot wrappers looked up as
 * attributes.
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


/* setattr(o, name, v) shown as None or the exception, then getattr(o, after) when it worked */
static PyObject *set_then_get(PyObject *o, const char *name, PyObject *v, const char *after)
{
    int r;
    TR_REQUIRE(v != NULL);
    r = PyObject_SetAttrString(o, name, v);
    Py_DECREF(v);
    if (r < 0) {
        return NULL;
    }
    return after ? attr(o, after) : Py_NewRef(Py_None);
}

/* sorted(o.__dict__) */
static PyObject *sorted_dict(PyObject *o)
{
    PyObject *d = attr(o, "__dict__"), *r;
    if (d == NULL) {
        return NULL;
    }
    r = sorted_list(d);
    Py_DECREF(d);
    return r;
}

static void mappingproxy(void)
{
    PyObject *MP = O(&PyDictProxy_Type), *d, *p;
    say("== mappingproxy");
    d = Py_BuildValue("{s:i,s:i}", "a", 1, "b", 2);
    TR_REQUIRE(d != NULL);
    show("MP(d)", PyObject_CallFunction(MP, "(O)", d));
    {
        PyObject *args = PyTuple_New(0), *kw = Py_BuildValue("{s:O}", "mapping", d);
        show("MP(mapping=d)", PyObject_Call(MP, args, kw));
        Py_DECREF(kw);
        kw = Py_BuildValue("{s:i}", "x", 1);
        show("MP()", PyObject_Call(MP, args, NULL));
        show("MP(d, d)", PyObject_CallFunction(MP, "OO", d, d));
        show("MP(x=1)", PyObject_Call(MP, args, kw));
        Py_DECREF(kw);
        Py_DECREF(args);
        args = Py_BuildValue("(O)", d);
        kw = Py_BuildValue("{s:O}", "mapping", d);
        show("MP(d, mapping=d)", PyObject_Call(MP, args, kw));
        Py_DECREF(kw);
        Py_DECREF(args);
    }
    show("MP([])", PyObject_CallFunction(MP, "([])"));
    show("MP(())", PyObject_CallFunction(MP, "(())"));
    show("MP(1)", PyObject_CallFunction(MP, "(i)", 1));
    show("MP(MP(d))", PyObject_CallFunction(MP, "(N)", PyDictProxy_New(d)));
    show("MP.__new__(int, d)", m(MP, "__new__", "(OO)", O(&PyLong_Type), d));
    show("type(MP.__new__(MP, d))", type_of(m(MP, "__new__", "(OO)", MP, d)));
    p = PyDictProxy_New(d);
    TR_REQUIRE(p != NULL);
    show("MP(d) | {'c': 3}", m(p, "__or__", "({s:i})", "c", 3));
    show("MP(d).__or__({'c': 3})", m(p, "__or__", "({s:i})", "c", 3));
    show("MP(d).__ror__({'z': 0})", m(p, "__ror__", "({s:i})", "z", 0));
    {
        PyObject *a9 = Py_BuildValue("{s:i}", "a", 9);
        TR_REQUIRE(a9 != NULL);
        show("MP(d).__or__(MP({'a': 9}))", m(p, "__or__", "(N)", PyDictProxy_New(a9)));
        Py_DECREF(a9);
    }
    show("type(MP(d).__or__({}))", type_of(m(p, "__or__", "({})")));
    show("MP(d).__or__(1)", m(p, "__or__", "(i)", 1));
    show("MP(d).__ror__(1)", m(p, "__ror__", "(i)", 1));
    show("MP(d).__ior__({})", m(p, "__ior__", "({})"));
    show("MP(d).__ior__(1)", m(p, "__ior__", "(i)", 1));
    show("list(reversed(MP(d)))", list_of(m(p, "__reversed__", "()")));
    show("type(MP(d).__reversed__())", type_of(m(p, "__reversed__", "()")));
    show("MP(d).keys()", m(p, "keys", "()"));
    show("MP(d).values()", m(p, "values", "()"));
    show("MP(d).items()", m(p, "items", "()"));
    show("MP(d).copy()", m(p, "copy", "()"));
    show("MP(d).get('a')", m(p, "get", "(s)", "a"));
    show("MP.__reversed__.__doc__", attr2(MP, "__reversed__", "__doc__"));
    Py_DECREF(p);
    Py_DECREF(d);
}

static void staticmethods(void)
{
    PyObject *SMT = O(&PyStaticMethod_Type), *f, *sm, *u, *SM, *Abstract, *ab;
    say("== staticmethod");
    f = attr(O(&PyDict_Type), "keys");
    TR_REQUIRE(f != NULL);
    sm = PyObject_CallFunction(SMT, "(O)", f);
    TR_REQUIRE(sm != NULL);
    show("sm", Py_NewRef(sm));
    show("sm.__func__ is f", is(attr(sm, "__func__"), Py_NewRef(f)));
    show("sm.__wrapped__ is f", is(attr(sm, "__wrapped__"), Py_NewRef(f)));
    show("sorted(sm.__dict__)", sorted_dict(sm));
    show("sm.__name__", attr(sm, "__name__"));
    show("sm.__qualname__", attr(sm, "__qualname__"));
    show("sm.__doc__", attr(sm, "__doc__"));
    show("sm.__isabstractmethod__", attr(sm, "__isabstractmethod__"));
    show("sm({'q': 1})", PyObject_CallFunction(sm, "({s:i})", "q", 1));
    show("sm.__get__(None, int) is f", is(m(sm, "__get__", "(OO)", Py_None, O(&PyLong_Type)), Py_NewRef(f)));
    show("staticmethod()", PyObject_CallNoArgs(SMT));
    show("staticmethod(1, 2)", PyObject_CallFunction(SMT, "(ii)", 1, 2));
    {
        PyObject *args = PyTuple_New(0), *kw = Py_BuildValue("{s:i}", "f", 1);
        show("staticmethod(f=1)", PyObject_Call(SMT, args, kw));
        Py_DECREF(args);
        Py_DECREF(kw);
    }
    show("staticmethod(None)", PyObject_CallFunction(SMT, "(O)", Py_None));
    {
        PyObject *n = PyObject_CallFunction(SMT, "(O)", Py_None);
        show("staticmethod(None).__dict__", n ? attr(n, "__dict__") : NULL);
        show("staticmethod(None)()", n ? PyObject_CallNoArgs(n) : NULL);
        Py_XDECREF(n);
    }
    u = m(SMT, "__new__", "(O)", SMT);
    TR_REQUIRE(u != NULL);
    show("staticmethod.__new__(staticmethod)", Py_NewRef(u));
    show("u.__func__", attr(u, "__func__"));
    show("u.__isabstractmethod__", attr(u, "__isabstractmethod__"));
    show("u.__dict__", attr(u, "__dict__"));
    show("u.__get__(None, int)", m(u, "__get__", "(OO)", Py_None, O(&PyLong_Type)));
    Py_DECREF(u);
    show("sm.__dict__ = 1", set_then_get(sm, "__dict__", PyLong_FromLong(1), NULL));
    show("sm.__dict__ = {'q': 1}; sm.q", set_then_get(sm, "__dict__", Py_BuildValue("{s:i}", "q", 1), "q"));
    show_status("del sm.__dict__", PyObject_SetAttrString(sm, "__dict__", NULL));
    show("sm.__func__ = 1", set_then_get(sm, "__func__", PyLong_FromLong(1), NULL));
    show("sm.__isabstractmethod__ = 1", set_then_get(sm, "__isabstractmethod__", PyLong_FromLong(1), NULL));
    Abstract = PyObject_CallFunction(O(&PyType_Type), "s(){s:O}", "Abstract", "__isabstractmethod__", Py_True);
    TR_REQUIRE(Abstract != NULL);
    ab = PyObject_CallFunction(SMT, "(N)", PyObject_CallNoArgs(Abstract));
    show("staticmethod(Abstract()).__isabstractmethod__", ab ? attr(ab, "__isabstractmethod__") : NULL);
    Py_XDECREF(ab);
    Py_DECREF(Abstract);
    show("sm.__init__(dict.values)", m(sm, "__init__", "(N)", attr(O(&PyDict_Type), "values")));
    show("sm.__func__ after __init__", attr(sm, "__func__"));
    show("sm.__name__ after __init__", attr(sm, "__name__"));
    show("sm.__init__()", m(sm, "__init__", "()"));
    show("staticmethod(staticmethod(f))", PyObject_CallFunction(SMT, "(N)", PyStaticMethod_New(f)));
    SM = PyObject_CallFunction(O(&PyType_Type), "s(O){}", "SM", SMT);
    TR_REQUIRE(SM != NULL);
    show("SM(f)", PyObject_CallFunction(SM, "(O)", f));
    show("type(SM(f)) is SM", is_type(PyObject_CallFunction(SM, "(O)", f), SM));
    {
        PyObject *x = PyObject_CallFunction(SM, "(O)", f);
        show("sorted(SM(f).__dict__)", x ? sorted_dict(x) : NULL);
        Py_XDECREF(x);
    }
    Py_DECREF(SM);
    show("staticmethod.__init__.__text_signature__", attr2(SMT, "__init__", "__text_signature__"));
    {
        PyObject *dd = attr(SMT, "__dict__");
        show("type(staticmethod.__dict__['__func__'])", type_of(dd ? item(dd, "__func__") : NULL));
        show("type(staticmethod.__dict__['__dict__'])", type_of(dd ? item(dd, "__dict__") : NULL));
        Py_XDECREF(dd);
    }
    Py_DECREF(sm);
    Py_DECREF(f);
}

int main(void)
{
    Py_Initialize();
    mappingproxy();
    staticmethods();
    return 0;
}
