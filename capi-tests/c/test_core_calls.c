/*
 * Attributes (generic lookup over tp_methods / tp_members / tp_getset of a C-defined static
 * type, and on ints, strs, types, exceptions), bound methods and C functions, the call API,
 * the runtime (Py_Initialize...), thread states, GIL-state calls, and per-thread error
 * indicators under real threads.
 *
 * Expected values are CPython 3.10.13's, measured by compiling the same type definition
 * against libpython3.10 (and FACTS sections 4 and 8). Where pycoro differs on purpose the
 * check says so ("pycoro:").
 */
// capi-tests: flags=-pthread
/* pthread_barrier_t is POSIX, outside plain C11. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>

#include "harness.h"
#include <structmember.h>


/* Checks repr(result) == expected and releases `result` (a new reference or NULL). */
static int check_result_repr(PyObject *result, const char *expected, const char *what,
                             const char *file, int line)
{
    int ok;
    if (result == NULL) {
        harness_fail_at(file, line, what);
        harness_check_no_exc(file, line);
        return 0;
    }
    ok = harness_check_text(PyObject_Repr(result), expected, what, file, line);
    Py_DECREF(result);
    return ok;
}
#define CHECK_RESULT(expr, expected) check_result_repr((expr), (expected), #expr, __FILE__, __LINE__)
/* The expression returned NULL with `type` set and str(exception) == message. */
#define CHECK_NULL_EXC(expr, type, message)                                                    \
    do {                                                                                       \
        PyObject *r_ = (PyObject *)(expr);                                                     \
        CHECK(r_ == NULL);                                                                     \
        Py_XDECREF(r_);                                                                        \
        CHECK_EXC((type), (message));                                                          \
    } while (0)
/* The int-returning expression gave -1 with `type` set and str(exception) == message. */
#define CHECK_FAILS(expr, type, message)                                                       \
    do {                                                                                       \
        CHECK_EQ_INT((expr), -1);                                                              \
        CHECK_EXC((type), (message));                                                          \
    } while (0)

/* ---- a C type with methods, members and getset ---- */

typedef struct {
    PyObject_HEAD
    PyObject *obj;
    PyObject *objex;
    int i;
    char flag;
    int ro;
    PyObject *prop;
} TObject;

static PyObject *t_noargs(PyObject *self, PyObject *unused) { (void)self; (void)unused; return PyUnicode_FromString("noargs"); }
static PyObject *t_one(PyObject *self, PyObject *arg) { (void)self; Py_INCREF(arg); return arg; }
static PyObject *t_varargs(PyObject *self, PyObject *args) { (void)self; Py_INCREF(args); return args; }
static PyObject *t_fast(PyObject *self, PyObject *const *args, Py_ssize_t nargs) { (void)self; (void)args; return PyLong_FromSsize_t(nargs); }
static PyObject *t_cls(PyObject *cls, PyObject *unused) { (void)unused; Py_INCREF(cls); return cls; }
static PyObject *t_bad_null(PyObject *self, PyObject *unused) { (void)self; (void)unused; return NULL; }
static PyObject *t_bad_result(PyObject *self, PyObject *unused) { (void)self; (void)unused; PyErr_SetString(PyExc_ValueError, "inner"); return PyLong_FromLong(1); }

static PyMethodDef t_methods[] = {
    {"noargs", t_noargs, METH_NOARGS, "no arguments"},
    {"one", t_one, METH_O, NULL},
    {"varargs", t_varargs, METH_VARARGS, NULL},
    {"fast", (PyCFunction)(void (*)(void))t_fast, METH_FASTCALL, NULL},
    {"cls", t_cls, METH_CLASS | METH_NOARGS, NULL},
    {"bad_null", t_bad_null, METH_NOARGS, NULL},
    {"bad_result", t_bad_result, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyMemberDef t_members[] = {
    {"obj", T_OBJECT, offsetof(TObject, obj), 0, NULL},
    {"objex", T_OBJECT_EX, offsetof(TObject, objex), 0, NULL},
    {"i", T_INT, offsetof(TObject, i), 0, NULL},
    {"flag", T_BOOL, offsetof(TObject, flag), 0, NULL},
    {"ro", T_INT, offsetof(TObject, ro), READONLY, NULL},
    {NULL, 0, 0, 0, NULL},
};

static PyObject *t_get_computed(PyObject *self, void *closure) { (void)closure; return PyLong_FromLong(((TObject *)self)->i * 2); }
static PyObject *t_get_prop(PyObject *self, void *closure) {
    TObject *t = (TObject *)self; (void)closure;
    if (t->prop == NULL) { PyErr_SetString(PyExc_AttributeError, "prop is unset"); return NULL; }
    Py_INCREF(t->prop); return t->prop;
}
static int t_set_prop(PyObject *self, PyObject *value, void *closure) {
    TObject *t = (TObject *)self; (void)closure;
    if (value != NULL && !PyUnicode_Check(value)) { PyErr_SetString(PyExc_TypeError, "prop must be a str"); return -1; }
    Py_XINCREF(value); Py_XSETREF(t->prop, value); return 0;
}
static PyGetSetDef t_getset[] = {
    {"computed", t_get_computed, NULL, "i * 2", NULL},
    {"prop", t_get_prop, t_set_prop, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static void t_dealloc(PyObject *self) {
    TObject *t = (TObject *)self;
    Py_CLEAR(t->obj); Py_CLEAR(t->objex); Py_CLEAR(t->prop);
    Py_TYPE(self)->tp_free(self);
}

static PyTypeObject T_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "calls.T",
    .tp_basicsize = sizeof(TObject),
    .tp_dealloc = t_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_methods = t_methods,
    .tp_members = t_members,
    .tp_getset = t_getset,
    .tp_new = PyType_GenericNew,
};

/* A str object for an attribute name (released by the caller). */
static PyObject *name_of(const char *s)
{
    return PyUnicode_FromString(s);
}

static PyObject *new_t(void)
{
    if (PyType_Ready(&T_Type) < 0) {
        return NULL;
    }
    return PyObject_CallNoArgs((PyObject *)&T_Type);
}

static void test_type_ready(void)
{
    PyObject *t = new_t();
    REQUIRE(t != NULL);
    CHECK(PyType_HasFeature(&T_Type, Py_TPFLAGS_READY));
    CHECK_EQ_PTR(Py_TYPE(&T_Type), &PyType_Type);
    CHECK_EQ_PTR(T_Type.tp_base, &PyBaseObject_Type);
    CHECK(T_Type.tp_getattro == PyObject_GenericGetAttr);
    CHECK(T_Type.tp_setattro == PyObject_GenericSetAttr);
    CHECK(T_Type.tp_alloc == PyType_GenericAlloc);
    CHECK_EQ_PTR(Py_TYPE(t), &T_Type);
    CHECK_EQ_INT(Py_REFCNT(t), 1);
    CHECK_EQ_INT(PyType_Ready(&T_Type), 0);
    /* A second instance from tp_alloc directly: zeroed fields. */
    {
        PyObject *u = PyType_GenericAlloc(&T_Type, 0);
        REQUIRE(u != NULL);
        CHECK(((TObject *)u)->obj == NULL && ((TObject *)u)->i == 0);
        Py_DECREF(u);
    }
    Py_DECREF(t);
}

static void test_members(void)
{
    PyObject *t = new_t(), *five = PyLong_FromLong(5), *x = PyUnicode_FromString("x");
    PyObject *big = PyLong_FromLong(21);
    TObject *o = (TObject *)t;
    REQUIRE(t && five && x && big);
    CHECK_RESULT(PyObject_GetAttrString(t, "obj"), "None");
    CHECK_RESULT(PyObject_GetAttrString(t, "i"), "0");
    CHECK_RESULT(PyObject_GetAttrString(t, "flag"), "False");
    CHECK_RESULT(PyObject_GetAttrString(t, "ro"), "0");
    /* T_OBJECT_EX unset: AttributeError. */
    CHECK_NULL_EXC(PyObject_GetAttrString(t, "objex"), PyExc_AttributeError,
                   "'calls.T' object has no attribute 'objex'");
    CHECK_EQ_INT(PyObject_HasAttrString(t, "objex"), 0);
    CHECK_EQ_INT(PyObject_HasAttrString(t, "obj"), 1);
    CHECK_NO_EXC();
    /* Writes. */
    CHECK_EQ_INT(PyObject_SetAttrString(t, "i", big), 0);
    CHECK_EQ_INT(o->i, 21);
    CHECK_EQ_INT(PyObject_SetAttrString(t, "flag", Py_True), 0);
    CHECK_EQ_INT(o->flag, 1);
    CHECK_RESULT(PyObject_GetAttrString(t, "flag"), "True");
    CHECK_EQ_INT(PyObject_SetAttrString(t, "obj", x), 0);
    CHECK_EQ_PTR(o->obj, x);
    CHECK_EQ_INT(Py_REFCNT(x), 2);
    CHECK_EQ_INT(PyObject_SetAttrString(t, "obj", NULL), 0);
    CHECK(o->obj == NULL);
    CHECK_EQ_INT(Py_REFCNT(x), 1);
    CHECK_EQ_INT(PyObject_SetAttrString(t, "obj", NULL), 0);
    CHECK_EQ_INT(PyObject_SetAttrString(t, "objex", x), 0);
    CHECK_RESULT(PyObject_GetAttrString(t, "objex"), "'x'");
    CHECK_EQ_INT(PyObject_SetAttrString(t, "objex", NULL), 0);
    CHECK(o->objex == NULL);
    /* Errors, CPython 3.10's messages. */
    CHECK_FAILS(PyObject_SetAttrString(t, "objex", NULL), PyExc_AttributeError, "objex");
    CHECK_FAILS(PyObject_SetAttrString(t, "ro", five), PyExc_AttributeError, "readonly attribute");
    CHECK_FAILS(PyObject_SetAttrString(t, "ro", NULL), PyExc_AttributeError, "readonly attribute");
    CHECK_FAILS(PyObject_SetAttrString(t, "flag", five), PyExc_TypeError,
                "attribute value type must be bool");
    CHECK_FAILS(PyObject_SetAttrString(t, "flag", NULL), PyExc_TypeError,
                "can't delete numeric/char attribute");
    CHECK_FAILS(PyObject_SetAttrString(t, "i", NULL), PyExc_TypeError,
                "can't delete numeric/char attribute");
    CHECK_FAILS(PyObject_SetAttrString(t, "i", x), PyExc_TypeError,
                "'str' object cannot be interpreted as an integer");
    CHECK_FAILS(PyObject_SetAttrString(t, "i", Py_None), PyExc_TypeError,
                "'NoneType' object cannot be interpreted as an integer");
    CHECK_EQ_INT(o->i, 21);
    /* The member functions themselves. */
    CHECK_RESULT(PyMember_GetOne((const char *)t, &t_members[2]), "21");
    CHECK_EQ_INT(PyMember_SetOne((char *)t, &t_members[2], five), 0);
    CHECK_EQ_INT(o->i, 5);
    CHECK_EQ_INT(PyMember_SetOne((char *)t, &t_members[4], five), -1);
    CHECK_EXC(PyExc_AttributeError, "readonly attribute");
    Py_DECREF(t);
    Py_DECREF(five);
    Py_DECREF(x);
    Py_DECREF(big);
}

static void test_getset(void)
{
    PyObject *t = new_t(), *five = PyLong_FromLong(5), *x = PyUnicode_FromString("x");
    REQUIRE(t && five && x);
    ((TObject *)t)->i = 21;
    CHECK_RESULT(PyObject_GetAttrString(t, "computed"), "42");
    CHECK_NULL_EXC(PyObject_GetAttrString(t, "prop"), PyExc_AttributeError, "prop is unset");
    CHECK_EQ_INT(PyObject_SetAttrString(t, "prop", x), 0);
    CHECK_RESULT(PyObject_GetAttrString(t, "prop"), "'x'");
    CHECK_FAILS(PyObject_SetAttrString(t, "prop", five), PyExc_TypeError, "prop must be a str");
    CHECK_EQ_INT(PyObject_SetAttrString(t, "prop", NULL), 0);
    CHECK_EQ_INT(PyObject_HasAttrString(t, "prop"), 0);
    CHECK_FAILS(PyObject_SetAttrString(t, "computed", five), PyExc_AttributeError,
                "attribute 'computed' of 'calls.T' objects is not writable");
    CHECK_FAILS(PyObject_SetAttrString(t, "computed", NULL), PyExc_AttributeError,
                "attribute 'computed' of 'calls.T' objects is not writable");
    Py_DECREF(t);
    Py_DECREF(five);
    Py_DECREF(x);
}

static void test_generic_attr_errors(void)
{
    PyObject *t = new_t(), *five = PyLong_FromLong(5), *nope = name_of("nope");
    REQUIRE(t && five && nope);
    CHECK_NULL_EXC(PyObject_GetAttrString(t, "nope"), PyExc_AttributeError,
                   "'calls.T' object has no attribute 'nope'");
    CHECK_NULL_EXC(PyObject_GenericGetAttr(t, nope), PyExc_AttributeError,
                   "'calls.T' object has no attribute 'nope'");
    CHECK_FAILS(PyObject_SetAttrString(t, "nope", five), PyExc_AttributeError,
                "'calls.T' object has no attribute 'nope'");
    CHECK_FAILS(PyObject_GenericSetAttr(t, nope, five), PyExc_AttributeError,
                "'calls.T' object has no attribute 'nope'");
    CHECK_FAILS(PyObject_SetAttrString(t, "nope", NULL), PyExc_AttributeError,
                "'calls.T' object has no attribute 'nope'");
    CHECK_FAILS(PyObject_SetAttrString(t, "noargs", five), PyExc_AttributeError,
                "'calls.T' object attribute 'noargs' is read-only");
    CHECK_FAILS(PyObject_SetAttrString(t, "noargs", NULL), PyExc_AttributeError,
                "'calls.T' object attribute 'noargs' is read-only");
    CHECK_NULL_EXC(PyObject_GenericGetAttr(t, five), PyExc_TypeError,
                   "attribute name must be string, not 'int'");
    CHECK_FAILS(PyObject_GenericSetAttr(t, five, five), PyExc_TypeError,
                "attribute name must be string, not 'int'");
    CHECK_EQ_INT(PyObject_HasAttrString(t, "nope"), 0);
    CHECK_EQ_INT(PyObject_HasAttr(t, nope), 0);
    CHECK_NO_EXC();
    Py_DECREF(t);
    Py_DECREF(five);
    Py_DECREF(nope);
}

static void test_builtin_attrs(void)
{
    PyObject *five = PyLong_FromLong(5), *s = PyUnicode_FromString("abc");
    PyObject *k = PyObject_CallNoArgs(PyExc_KeyError);
    REQUIRE(five && s && k);
    /* FACTS section 4. */
    CHECK_NULL_EXC(PyObject_GetAttrString(five, "nope"), PyExc_AttributeError,
                   "'int' object has no attribute 'nope'");
    CHECK_FAILS(PyObject_SetAttrString(five, "nope", s), PyExc_AttributeError,
                "'int' object has no attribute 'nope'");
    CHECK_FAILS(PyObject_SetAttrString(five, "nope", NULL), PyExc_AttributeError,
                "'int' object has no attribute 'nope'");
    CHECK_FAILS(PyObject_SetAttrString(five, "real", s), PyExc_AttributeError,
                "attribute 'real' of 'int' objects is not writable");
    CHECK_RESULT(PyObject_GetAttrString(five, "real"), "5");
    CHECK_NULL_EXC(PyObject_GetAttrString(s, "nope"), PyExc_AttributeError,
                   "'str' object has no attribute 'nope'");
    CHECK_FAILS(PyObject_SetAttrString(s, "nope", five), PyExc_AttributeError,
                "'str' object has no attribute 'nope'");
    CHECK_NULL_EXC(PyObject_GetAttrString(PyExc_KeyError, "nope"), PyExc_AttributeError,
                   "type object 'KeyError' has no attribute 'nope'");
    CHECK_NULL_EXC(PyObject_GetAttrString((PyObject *)&T_Type, "nope"), PyExc_AttributeError,
                   "type object 'calls.T' has no attribute 'nope'");
    CHECK_FAILS(PyObject_SetAttrString((PyObject *)&PyLong_Type, "nope", five), PyExc_TypeError,
                "cannot set 'nope' attribute of immutable type 'int'");
    CHECK_FAILS(PyObject_SetAttrString((PyObject *)&T_Type, "x", five), PyExc_TypeError,
                "cannot set 'x' attribute of immutable type 'calls.T'");
    CHECK_NULL_EXC(PyObject_GetAttrString(k, "nope"), PyExc_AttributeError,
                   "'KeyError' object has no attribute 'nope'");
    CHECK_NULL_EXC(PyObject_GetAttr(s, five), PyExc_TypeError,
                   "attribute name must be string, not 'int'");
    CHECK_FAILS(PyObject_SetAttr(s, five, five), PyExc_TypeError,
                "attribute name must be string, not 'int'");
    CHECK_EQ_INT(PyObject_HasAttrString(five, "nope"), 0);
    CHECK_EQ_INT(PyObject_HasAttr(five, five), 0);
    CHECK_NO_EXC();
    /* Type attributes. */
    CHECK_RESULT(PyObject_GetAttrString((PyObject *)&PyLong_Type, "__name__"), "'int'");
    CHECK_RESULT(PyObject_GetAttrString((PyObject *)&PyLong_Type, "__module__"), "'builtins'");
    CHECK_RESULT(PyObject_GetAttrString(PyExc_KeyError, "__name__"), "'KeyError'");
    CHECK_RESULT(PyObject_GetAttrString(PyExc_KeyError, "__module__"), "'builtins'");
    CHECK_RESULT(PyObject_GetAttrString((PyObject *)&T_Type, "__name__"), "'T'");
    CHECK_RESULT(PyObject_GetAttrString((PyObject *)&T_Type, "__qualname__"), "'T'");
    CHECK_RESULT(PyObject_GetAttrString((PyObject *)&T_Type, "__module__"), "'calls'");
    CHECK_RESULT(PyObject_GetAttrString((PyObject *)&T_Type, "__doc__"), "None");
    /* Instance methods are method descriptors in the type's dict, as in CPython. */
    CHECK_RESULT(PyObject_GetAttrString((PyObject *)&T_Type, "noargs"),
                 "<method 'noargs' of 'calls.T' objects>");
    /* NULL arguments are bad internal calls. */
    CHECK_NULL_EXC(PyObject_GetAttrString(NULL, "x"), PyExc_SystemError,
                   "bad argument to internal function");
    CHECK_EQ_INT(PyObject_HasAttrString(NULL, "x"), 0);
    CHECK_NO_EXC();
    Py_DECREF(five);
    Py_DECREF(s);
    Py_DECREF(k);
}

/* ---- bound methods ---- */

static void test_bound_methods(void)
{
    PyObject *t = new_t(), *five = PyLong_FromLong(5), *x = PyUnicode_FromString("x");
    PyObject *m, *r;
    char expected[128];
    REQUIRE(t && five && x);
    m = PyObject_GetAttrString(t, "noargs");
    REQUIRE(m != NULL);
    CHECK(PyCFunction_Check(m));
    CHECK_EQ_PTR(Py_TYPE(m), &PyCFunction_Type);
    CHECK_EQ_PTR(((PyCFunctionObject *)m)->m_self, t);
    CHECK_EQ_PTR(((PyCFunctionObject *)m)->m_ml, &t_methods[0]);
    CHECK(((PyCFunctionObject *)m)->vectorcall != NULL);
    CHECK_EQ_INT(Py_REFCNT(t), 2);
    snprintf(expected, sizeof expected, "<built-in method noargs of calls.T object at %p>",
             (void *)t);
    CHECK_REPR(m, expected);
    CHECK_EQ_INT(PyCallable_Check(m), 1);
    CHECK_RESULT(PyObject_CallNoArgs(m), "'noargs'");
    CHECK_NULL_EXC(PyObject_CallOneArg(m, five), PyExc_TypeError,
                   "T.noargs() takes no arguments (1 given)");
    Py_DECREF(m);
    CHECK_EQ_INT(Py_REFCNT(t), 1);

    m = PyObject_GetAttrString(t, "one");
    REQUIRE(m != NULL);
    CHECK_NULL_EXC(PyObject_CallNoArgs(m), PyExc_TypeError,
                   "T.one() takes exactly one argument (0 given)");
    CHECK_RESULT(PyObject_CallOneArg(m, five), "5");
    CHECK_NULL_EXC(PyObject_CallFunctionObjArgs(m, five, five, NULL), PyExc_TypeError,
                   "T.one() takes exactly one argument (2 given)");
    Py_DECREF(m);

    m = PyObject_GetAttrString(t, "varargs");
    REQUIRE(m != NULL);
    CHECK(((PyCFunctionObject *)m)->vectorcall == NULL);
    CHECK_RESULT(PyObject_CallFunctionObjArgs(m, five, x, NULL), "(5, 'x')");
    CHECK_RESULT(PyObject_CallNoArgs(m), "()");
    Py_DECREF(m);

    m = PyObject_GetAttrString(t, "fast");
    REQUIRE(m != NULL);
    CHECK_RESULT(PyObject_CallFunctionObjArgs(m, five, x, NULL), "2");
    CHECK_RESULT(PyObject_CallNoArgs(m), "0");
    Py_DECREF(m);

    /* METH_CLASS binds the type, through an instance or the type. */
    m = PyObject_GetAttrString(t, "cls");
    REQUIRE(m != NULL);
    snprintf(expected, sizeof expected, "<built-in method cls of type object at %p>",
             (void *)&T_Type);
    CHECK_REPR(m, expected);
    r = PyObject_CallNoArgs(m);
    CHECK_EQ_PTR(r, &T_Type);
    Py_XDECREF(r);
    Py_DECREF(m);
    m = PyObject_GetAttrString((PyObject *)&T_Type, "cls");
    REQUIRE(m != NULL);
    CHECK_REPR(m, expected);
    CHECK_NULL_EXC(PyObject_CallOneArg(m, five), PyExc_TypeError,
                   "T.cls() takes no arguments (1 given)");
    Py_DECREF(m);
    Py_DECREF(t);
    Py_DECREF(five);
    Py_DECREF(x);
}

static void test_bad_c_functions(void)
{
    PyObject *t = new_t(), *m, *t2, *v, *tb, *cause;
    char expected[160];
    REQUIRE(t != NULL);
    m = PyObject_GetAttrString(t, "bad_null");
    REQUIRE(m != NULL);
    snprintf(expected, sizeof expected,
             "<built-in method bad_null of calls.T object at %p> returned NULL without setting "
             "an exception",
             (void *)t);
    CHECK_NULL_EXC(PyObject_CallNoArgs(m), PyExc_SystemError, expected);
    CHECK_NULL_EXC(PyObject_Call(m, PyTuple_New(0), NULL), PyExc_SystemError, expected);
    Py_DECREF(m);

    m = PyObject_GetAttrString(t, "bad_result");
    REQUIRE(m != NULL);
    snprintf(expected, sizeof expected,
             "<built-in method bad_result of calls.T object at %p> returned a result with an "
             "exception set",
             (void *)t);
    CHECK(PyObject_CallNoArgs(m) == NULL);
    /* The SystemError is raised from the exception that was set: it is the __cause__. */
    PyErr_Fetch(&t2, &v, &tb);
    REQUIRE(v != NULL);
    PyErr_NormalizeException(&t2, &v, &tb);
    CHECK_EQ_PTR(t2, PyExc_SystemError);
    harness_check_text(PyObject_Str(v), expected, "str(SystemError)", __FILE__, __LINE__);
    cause = PyException_GetCause(v);
    CHECK_REPR(cause, "ValueError('inner')");
    Py_XDECREF(cause);
    Py_XDECREF(t2);
    Py_XDECREF(v);
    Py_XDECREF(tb);
    Py_DECREF(m);
    Py_DECREF(t);
}

/* ---- C functions made by C code ---- */

static PyObject *f_noargs(PyObject *self, PyObject *unused)
{
    (void)unused;
    return Py_NewRef(self ? self : Py_None);
}

static PyMethodDef f_def = {"f", f_noargs, METH_NOARGS, NULL};
static PyMethodDef g_def = {"g", t_one, METH_O, NULL};
static PyMethodDef bad_flags_def = {"bad", f_noargs, METH_NOARGS | METH_O, NULL};

static void test_cfunction_new(void)
{
    PyObject *mod = PyUnicode_FromString("mymod"), *bmod = PyUnicode_FromString("builtins");
    PyObject *five = PyLong_FromLong(5), *f, *r;
    char expected[96];
    REQUIRE(mod && bmod && five);
    f = PyCFunction_NewEx(&f_def, NULL, mod);
    REQUIRE(f != NULL);
    CHECK_EQ_INT(Py_REFCNT(mod), 2);
    CHECK_REPR(f, "<built-in function f>");
    CHECK_RESULT(PyObject_CallNoArgs(f), "None");
    /* The module's name is part of messages. */
    CHECK_NULL_EXC(PyObject_CallOneArg(f, five), PyExc_TypeError,
                   "mymod.f() takes no arguments (1 given)");
    Py_DECREF(f);
    CHECK_EQ_INT(Py_REFCNT(mod), 1);

    f = PyCFunction_New(&f_def, NULL);
    CHECK_NULL_EXC(PyObject_CallOneArg(f, five), PyExc_TypeError,
                   "f() takes no arguments (1 given)");
    Py_XDECREF(f);
    f = PyCFunction_NewEx(&f_def, NULL, bmod);
    CHECK_NULL_EXC(PyObject_CallOneArg(f, five), PyExc_TypeError,
                   "f() takes no arguments (1 given)");
    Py_XDECREF(f);
    f = PyCFunction_NewEx(&g_def, NULL, mod);
    CHECK_NULL_EXC(PyObject_CallNoArgs(f), PyExc_TypeError,
                   "mymod.g() takes exactly one argument (0 given)");
    Py_XDECREF(f);

    /* Bound to an object: a method of that object's type. */
    f = PyCFunction_New(&f_def, five);
    REQUIRE(f != NULL);
    snprintf(expected, sizeof expected, "<built-in method f of int object at %p>", (void *)five);
    CHECK_REPR(f, expected);
    r = PyObject_CallNoArgs(f);
    CHECK_EQ_PTR(r, five);
    Py_XDECREF(r);
    CHECK_NULL_EXC(PyObject_CallOneArg(f, five), PyExc_TypeError,
                   "int.f() takes no arguments (1 given)");
    Py_DECREF(f);

    /* CPython 3.10 refuses bad flags at creation. */
    CHECK_NULL_EXC(PyCFunction_New(&bad_flags_def, NULL), PyExc_SystemError,
                   "bad() method: bad call flags");
    CHECK_NULL_EXC(PyCFunction_New(NULL, NULL), PyExc_SystemError,
                   "bad argument to internal function");
    Py_DECREF(mod);
    Py_DECREF(bmod);
    Py_DECREF(five);
}

/* ---- the call API ---- */

static void test_call_api(void)
{
    PyObject *t = new_t(), *five = PyLong_FromLong(5), *x = PyUnicode_FromString("x");
    PyObject *one = NULL, *args = PyTuple_New(1), *name_one = name_of("one");
    PyObject *name_noargs = name_of("noargs"), *name_nope = name_of("nope"), *vargs[3];
    REQUIRE(t && five && x && args && name_one && name_noargs && name_nope);
    PyTuple_SET_ITEM(args, 0, Py_NewRef(x));
    one = PyObject_GetAttrString(t, "one");
    REQUIRE(one != NULL);
    CHECK_RESULT(PyObject_Call(one, args, NULL), "'x'");
    CHECK_RESULT(PyObject_CallObject(one, args), "'x'");
    CHECK_NULL_EXC(PyObject_CallObject(one, NULL), PyExc_TypeError,
                   "T.one() takes exactly one argument (0 given)");
    CHECK_RESULT(PyObject_CallOneArg(one, five), "5");
    vargs[0] = NULL;
    vargs[1] = five;
    CHECK_RESULT(PyObject_Vectorcall(one, vargs + 1, 1 | PY_VECTORCALL_ARGUMENTS_OFFSET, NULL),
                 "5");
    CHECK_RESULT(PyObject_Vectorcall(one, vargs + 1, 1, NULL), "5");
    CHECK(PyVectorcall_Function(one) != NULL);
    CHECK_RESULT(PyVectorcall_Call(one, args, NULL), "'x'");

    /* Method calls. */
    vargs[0] = t;
    vargs[1] = five;
    CHECK_RESULT(PyObject_VectorcallMethod(name_one, vargs, 2, NULL), "5");
    CHECK_NULL_EXC(PyObject_VectorcallMethod(name_nope, vargs, 2, NULL), PyExc_AttributeError,
                   "'calls.T' object has no attribute 'nope'");
    CHECK_RESULT(PyObject_CallMethodNoArgs(t, name_noargs), "'noargs'");
    CHECK_RESULT(PyObject_CallMethodOneArg(t, name_one, x), "'x'");
    CHECK_NULL_EXC(PyObject_CallMethodOneArg(t, name_noargs, x), PyExc_TypeError,
                   "T.noargs() takes no arguments (1 given)");

    /* FACTS section 4. */
    CHECK_NULL_EXC(PyObject_Call(five, args, NULL), PyExc_TypeError, "'int' object is not callable");
    CHECK_NULL_EXC(PyObject_CallObject(five, NULL), PyExc_TypeError, "'int' object is not callable");
    CHECK_NULL_EXC(PyObject_CallNoArgs(five), PyExc_TypeError, "'int' object is not callable");
    CHECK_NULL_EXC(PyObject_CallOneArg(x, five), PyExc_TypeError, "'str' object is not callable");
    CHECK_NULL_EXC(PyObject_CallObject(one, five), PyExc_TypeError, "argument list must be a tuple");
    /* pycoro: CPython crashes on a non-tuple here; pycoro raises. */
    CHECK_NULL_EXC(PyObject_Call(one, five, NULL), PyExc_TypeError, "argument list must be a tuple");
    /* pycoro: CPython crashes on kwargs that are not a dict; pycoro raises. */
    CHECK_NULL_EXC(PyObject_Call(one, args, args), PyExc_SystemError,
                   "bad argument to internal function");
    {
        /* Keyword arguments, measured on CPython 3.10.13 with the same method table. */
        PyObject *kw = PyDict_New(), *empty = PyDict_New();
        REQUIRE(kw != NULL && empty != NULL);
        CHECK_EQ_INT(PyDict_SetItemString(kw, "k", five), 0);
        CHECK_NULL_EXC(PyObject_Call(one, args, kw), PyExc_TypeError,
                       "T.one() takes no keyword arguments");
        CHECK_RESULT(PyObject_Call(one, args, empty), "'x'");
        PyObject *varargs = PyObject_GetAttrString(t, "varargs");
        REQUIRE(varargs != NULL);
        CHECK_NULL_EXC(PyObject_Call(varargs, args, kw), PyExc_TypeError,
                       "varargs() takes no keyword arguments");
        PyObject *kwnames = PyTuple_Pack(1, PyUnicode_FromString("k"));
        PyObject *stack[2] = {x, five};
        CHECK_NULL_EXC(PyObject_Vectorcall(one, stack, 1, kwnames), PyExc_TypeError,
                       "T.one() takes no keyword arguments");
        Py_DECREF(PyTuple_GET_ITEM(kwnames, 0));
        Py_DECREF(kwnames);
        Py_DECREF(varargs);
        Py_DECREF(kw);
        Py_DECREF(empty);
    }
    CHECK_NULL_EXC(PyObject_Call(NULL, args, NULL), PyExc_SystemError,
                   "bad argument to internal function");
    CHECK_EQ_INT(PyCallable_Check(one), 1);

    Py_DECREF(one);
    Py_DECREF(t);
    Py_DECREF(five);
    Py_DECREF(x);
    Py_DECREF(args);
    Py_DECREF(name_one);
    Py_DECREF(name_noargs);
    Py_DECREF(name_nope);
}

static void test_call_types(void)
{
    PyObject *five = PyLong_FromLong(5), *r, *args = PyTuple_New(1);
    REQUIRE(five && args);
    PyTuple_SET_ITEM(args, 0, PyUnicode_FromString("k"));
    /* type(x). */
    r = PyObject_CallOneArg((PyObject *)&PyType_Type, five);
    CHECK_EQ_PTR(r, &PyLong_Type);
    Py_XDECREF(r);
    r = PyObject_CallOneArg((PyObject *)&PyType_Type, (PyObject *)&PyLong_Type);
    CHECK_EQ_PTR(r, &PyType_Type);
    Py_XDECREF(r);
    CHECK_NULL_EXC(PyObject_CallNoArgs((PyObject *)&PyType_Type), PyExc_TypeError,
                   "type() takes 1 or 3 arguments");
    CHECK_NULL_EXC(PyObject_CallFunctionObjArgs((PyObject *)&PyType_Type, five, five, NULL),
                   PyExc_TypeError, "type() takes 1 or 3 arguments");
    /* type.__new__ itself wants exactly three arguments: type(x) and "type() takes 1 or 3
     * arguments" belong to calling type (CPython 3.10's type_call). */
    r = PyObject_GetAttrString((PyObject *)&PyType_Type, "__new__");
    REQUIRE(r != NULL);
    CHECK_NULL_EXC(PyObject_CallOneArg(r, (PyObject *)&PyType_Type), PyExc_TypeError,
                   "type.__new__() takes exactly 3 arguments (0 given)");
    CHECK_NULL_EXC(PyObject_CallFunctionObjArgs(r, (PyObject *)&PyType_Type, five, NULL),
                   PyExc_TypeError, "type.__new__() takes exactly 3 arguments (1 given)");
    CHECK_NULL_EXC(PyObject_CallFunctionObjArgs(r, (PyObject *)&PyType_Type, five, five, five,
                                                five, NULL),
                   PyExc_TypeError, "type.__new__() takes exactly 3 arguments (4 given)");
    Py_DECREF(r);
    /* Exception classes. */
    r = PyObject_CallObject(PyExc_KeyError, args);
    REQUIRE(r != NULL);
    CHECK_EQ_PTR(Py_TYPE(r), PyExc_KeyError);
    CHECK_REPR(r, "KeyError('k')");
    CHECK_EQ_PTR(((PyBaseExceptionObject *)r)->args, args);
    Py_DECREF(r);
    CHECK_RESULT(PyObject_CallOneArg(PyExc_ValueError, five), "ValueError(5)");
    CHECK_RESULT(PyObject_Call(PyExc_StopIteration, args, NULL), "StopIteration('k')");
    /* A C type: tp_new, then tp_init. */
    r = PyObject_CallOneArg((PyObject *)&T_Type, five);
    CHECK(r != NULL && Py_TYPE(r) == &T_Type);
    Py_XDECREF(r);
    Py_DECREF(five);
    Py_DECREF(args);
}

/* ---- runtime and thread state ---- */

static void test_lifecycle(void)
{
    PyObject *o;
    Py_Initialize();
    CHECK_EQ_INT(Py_IsInitialized(), 1);
    Py_InitializeEx(0);
    CHECK_EQ_INT(Py_IsInitialized(), 1);
    PyErr_SetString(PyExc_ValueError, "pending at finalize");
    CHECK_EQ_INT(Py_FinalizeEx(), 0);
    CHECK_EQ_INT(Py_IsInitialized(), 0);
    /* pycoro: objects stay usable after finalization and without initialization. */
    o = PyLong_FromLong(12345);
    CHECK_REPR(o, "12345");
    Py_XDECREF(o);
    Py_Initialize();
    CHECK_EQ_INT(Py_IsInitialized(), 1);
}

static void test_thread_state_layout(void)
{
    PyThreadState *ts = PyThreadState_Get();
    REQUIRE(ts != NULL);
    /* 3.10's struct _ts (FACTS section 1). */
    CHECK_EQ_INT(sizeof(PyThreadState), 280);
    CHECK_EQ_INT(offsetof(PyThreadState, frame), 24);
    CHECK_EQ_INT(offsetof(PyThreadState, curexc_type), 88);
    CHECK_EQ_INT(offsetof(PyThreadState, curexc_value), 96);
    CHECK_EQ_INT(offsetof(PyThreadState, curexc_traceback), 104);
    CHECK_EQ_INT(offsetof(PyThreadState, exc_state), 112);
    CHECK_EQ_INT(offsetof(PyThreadState, exc_info), 144);
    CHECK_EQ_INT(offsetof(PyThreadState, gilstate_counter), 160);
    CHECK_EQ_INT(offsetof(PyThreadState, thread_id), 176);
    CHECK_EQ_INT(offsetof(PyThreadState, id), 256);
    CHECK_EQ_PTR(PyThreadState_Get(), ts);
    CHECK_EQ_PTR(_PyThreadState_UncheckedGet(), ts);
    CHECK_EQ_PTR(PyGILState_GetThisThreadState(), ts);
    CHECK(ts->interp != NULL);
    CHECK(ts->frame == NULL);
    CHECK_EQ_PTR(ts->exc_info, &ts->exc_state);
    CHECK(ts->thread_id == (unsigned long)pthread_self());
    /* The error indicator lives in the thread state. */
    CHECK(ts->curexc_type == NULL);
    PyErr_SetString(PyExc_KeyError, "k");
    CHECK_EQ_PTR(ts->curexc_type, PyErr_Occurred());
    CHECK_EQ_PTR(ts->curexc_type, PyExc_KeyError);
    CHECK(PyUnicode_Check(ts->curexc_value));
    CHECK(ts->curexc_traceback == NULL);
    PyErr_Clear();
    CHECK(ts->curexc_type == NULL && ts->curexc_value == NULL);
}

static void test_gilstate(void)
{
    PyThreadState *ts = PyThreadState_Get();
    int base = ts->gilstate_counter;
    PyGILState_STATE s1, s2;
    CHECK_EQ_INT(PyGILState_Check(), 1);
    s1 = PyGILState_Ensure();
    CHECK_EQ_INT(s1, PyGILState_LOCKED);
    CHECK_EQ_INT(ts->gilstate_counter, base + 1);
    s2 = PyGILState_Ensure();
    CHECK_EQ_INT(s2, PyGILState_LOCKED);
    CHECK_EQ_INT(ts->gilstate_counter, base + 2);
    CHECK_EQ_PTR(PyGILState_GetThisThreadState(), ts);
    PyGILState_Release(s2);
    CHECK_EQ_INT(ts->gilstate_counter, base + 1);
    PyGILState_Release(s1);
    CHECK_EQ_INT(ts->gilstate_counter, base);
    CHECK_EQ_PTR(PyThreadState_Get(), ts);
}

/* ---- threads ---- */

static pthread_barrier_t barrier;

struct thread_result {
    PyObject *exc_class;    /* what this thread raises */
    const char *message;
    PyThreadState *ts;      /* its thread state (freed when the thread exits) */
    uint64_t ts_id;         /* the state's id */
    int clean_at_start;     /* no error, no handled exception when it started */
    int fresh_gilstate;     /* PyGILState_Ensure said the state was new */
    int saw_own_error;      /* after both threads raised, each still sees its own */
    int leave_pending;      /* exit with an error and a handled exception set */
};

static void *thread_main(void *arg)
{
    struct thread_result *r = (struct thread_result *)arg;
    PyObject *t, *v, *tb;
    PyGILState_STATE g = PyGILState_Ensure();
    r->fresh_gilstate = g == PyGILState_UNLOCKED;
    r->ts = PyThreadState_Get();
    r->ts_id = r->ts->id;
    PyErr_GetExcInfo(&t, &v, &tb);
    r->clean_at_start = PyErr_Occurred() == NULL && t == NULL && v == NULL && tb == NULL &&
                        r->ts->exc_info == &r->ts->exc_state;
    /* Both threads raise, then both check, with the other thread's error set meanwhile. */
    pthread_barrier_wait(&barrier);
    PyErr_SetString(r->exc_class, r->message);
    pthread_barrier_wait(&barrier);
    PyErr_Fetch(&t, &v, &tb);
    r->saw_own_error = t == r->exc_class && v != NULL &&
                       PyUnicode_CompareWithASCIIString(v, r->message) == 0;
    if (r->leave_pending) {
        /* The thread state releases these when the thread exits. */
        PyErr_SetExcInfo(t, v, tb);
        PyErr_SetString(r->exc_class, "left pending at thread exit");
    } else {
        Py_XDECREF(t);
        Py_XDECREF(v);
        Py_XDECREF(tb);
    }
    pthread_barrier_wait(&barrier);
    PyGILState_Release(g);
    return NULL;
}

static void test_threads_have_their_own_error_indicator(void)
{
    struct thread_result r1, r2;
    pthread_t th1, th2;
    PyThreadState *main_ts = PyThreadState_Get();
    memset(&r1, 0, sizeof r1);
    memset(&r2, 0, sizeof r2);
    r1.exc_class = PyExc_KeyError;
    r1.message = "from thread 1";
    r2.exc_class = PyExc_ValueError;
    r2.message = "from thread 2";
    r2.leave_pending = 1;
    /* The main thread's own pending error is not seen by the others, nor changed by them. */
    PyErr_SetString(PyExc_TypeError, "main thread");
    REQUIRE(pthread_barrier_init(&barrier, NULL, 2) == 0);
    REQUIRE(pthread_create(&th1, NULL, thread_main, &r1) == 0);
    REQUIRE(pthread_create(&th2, NULL, thread_main, &r2) == 0);
    pthread_join(th1, NULL);
    pthread_join(th2, NULL);
    pthread_barrier_destroy(&barrier);
    CHECK_EXC(PyExc_TypeError, "main thread");
    CHECK(r1.ts != NULL && r2.ts != NULL);
    CHECK(r1.ts != r2.ts && r1.ts != main_ts && r2.ts != main_ts);
    CHECK(r1.ts_id != r2.ts_id && r1.ts_id != main_ts->id && r2.ts_id != main_ts->id);
    CHECK(r1.clean_at_start && r2.clean_at_start);
    CHECK(r1.fresh_gilstate && r2.fresh_gilstate);
    CHECK(r1.saw_own_error && r2.saw_own_error);
}

int main(void)
{
    RUN(test_type_ready);
    RUN(test_members);
    RUN(test_getset);
    RUN(test_generic_attr_errors);
    RUN(test_builtin_attrs);
    RUN(test_bound_methods);
    RUN(test_bad_c_functions);
    RUN(test_cfunction_new);
    RUN(test_call_api);
    RUN(test_call_types);
    RUN(test_lifecycle);
    RUN(test_thread_state_layout);
    RUN(test_gilstate);
    RUN(test_threads_have_their_own_error_indicator);
    return HARNESS_SUMMARY();
}
