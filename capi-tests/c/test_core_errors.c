/*
 * The error indicator (set, fetch, restore, normalize, match), the handled-exception state
 * (GetExcInfo/SetExcInfo) and implicit __context__ chaining, the exception classes and their
 * instances (args, str/repr, __traceback__/__context__/__cause__/__suppress_context__).
 *
 * Expected values are CPython 3.10.13's, measured (FACTS sections 3-5, and the same probe
 * method for the rest). Where pycoro differs on purpose the check says so ("pycoro:").
 */
#include "harness.h"

/* getattr(obj, name) has repr `expected`. */
#define CHECK_ATTR_REPR(obj, name, expected)                                                   \
    harness_check_text(attr_repr((obj), (name)), (expected), "repr(" #obj "." name ")", __FILE__,     \
               __LINE__)

static PyObject *attr_repr(PyObject *obj, const char *name)
{
    PyObject *a = PyObject_GetAttrString(obj, name), *r;
    if (a == NULL) {
        return NULL;
    }
    r = PyObject_Repr(a);
    Py_DECREF(a);
    return r;
}

/* exc_class(*args): builds an instance by calling the class with a tuple of the given items
 * (borrowed). */
static PyObject *make_exc(PyObject *exc_class, int n, PyObject *a0, PyObject *a1)
{
    PyObject *args = PyTuple_New(n), *r;
    if (args == NULL) {
        return NULL;
    }
    if (n > 0) {
        PyTuple_SET_ITEM(args, 0, Py_NewRef(a0));
    }
    if (n > 1) {
        PyTuple_SET_ITEM(args, 1, Py_NewRef(a1));
    }
    r = PyObject_CallObject(exc_class, args);
    Py_DECREF(args);
    return r;
}

/* ---- the error indicator ---- */

static void test_set_occurred_clear(void)
{
    CHECK_EQ_PTR(PyErr_Occurred(), NULL);
    PyErr_SetString(PyExc_TypeError, "boom");
    CHECK_EQ_PTR(PyErr_Occurred(), PyExc_TypeError);
    /* Occurred is a borrowed reference; the static class is immortal anyway. */
    PyErr_Clear();
    CHECK_EQ_PTR(PyErr_Occurred(), NULL);
    PyErr_Clear();
    CHECK_EQ_PTR(PyErr_Occurred(), NULL);
    /* A second SetString replaces the first. */
    PyErr_SetString(PyExc_TypeError, "first");
    PyErr_SetString(PyExc_ValueError, "second");
    CHECK_EXC(PyExc_ValueError, "second");
}

static void test_fetch_raw_values(void)
{
    PyObject *t = (PyObject *)1, *v = (PyObject *)1, *tb = (PyObject *)1;
    PyObject *five = PyLong_FromLong(5000);
    REQUIRE(five != NULL);
    /* Nothing set: three NULLs. */
    PyErr_Fetch(&t, &v, &tb);
    CHECK(t == NULL && v == NULL && tb == NULL);
    /* SetString leaves the message unnormalized: a str ("raw fetched value type: str"). */
    PyErr_SetString(PyExc_KeyError, "k");
    PyErr_Fetch(&t, &v, &tb);
    CHECK_EQ_PTR(PyErr_Occurred(), NULL);
    CHECK_EQ_PTR(t, PyExc_KeyError);
    REQUIRE(v != NULL);
    CHECK(PyUnicode_CheckExact(v));
    CHECK_STR_EQ(PyUnicode_AsUTF8(v), "k");
    CHECK(tb == NULL);
    Py_XDECREF(t);
    Py_XDECREF(v);
    /* SetObject keeps the object as is (a new reference). */
    PyErr_SetObject(PyExc_KeyError, five);
    CHECK_EQ_INT(Py_REFCNT(five), 2);
    PyErr_Fetch(&t, &v, &tb);
    CHECK_EQ_PTR(v, five);
    Py_XDECREF(t);
    Py_XDECREF(v);
    CHECK_EQ_INT(Py_REFCNT(five), 1);
    /* SetNone: no value. */
    PyErr_SetNone(PyExc_StopIteration);
    PyErr_Fetch(&t, &v, &tb);
    CHECK_EQ_PTR(t, PyExc_StopIteration);
    CHECK(v == NULL && tb == NULL);
    Py_XDECREF(t);
    Py_DECREF(five);
}

static void test_restore_steals(void)
{
    PyObject *v = PyUnicode_FromString("restored"), *t, *vv, *tb;
    REQUIRE(v != NULL);
    Py_INCREF(PyExc_ValueError);
    PyErr_Restore(PyExc_ValueError, v, NULL);
    CHECK_EQ_INT(Py_REFCNT(v), 1);
    CHECK_EQ_PTR(PyErr_Occurred(), PyExc_ValueError);
    PyErr_Fetch(&t, &vv, &tb);
    CHECK_EQ_PTR(vv, v);
    CHECK_EQ_INT(Py_REFCNT(v), 1);
    /* Restoring what was fetched puts it back unchanged. */
    PyErr_Restore(t, vv, tb);
    CHECK_EXC(PyExc_ValueError, "restored");
    /* A NULL type clears the indicator and releases the rest. */
    v = PyUnicode_FromString("dropped");
    PyErr_SetString(PyExc_TypeError, "pending");
    PyErr_Restore(NULL, v, NULL);
    CHECK_EQ_PTR(PyErr_Occurred(), NULL);
    /* Restore replaces a pending error, releasing it. */
    PyErr_SetString(PyExc_TypeError, "old");
    Py_INCREF(PyExc_KeyError);
    PyErr_Restore(PyExc_KeyError, NULL, NULL);
    CHECK_EXC(PyExc_KeyError, "");
}

static void test_set_object_non_class(void)
{
    PyObject *five = PyLong_FromLong(5);
    PyErr_SetObject(five, NULL);
    CHECK_EXC(PyExc_SystemError, "_PyErr_SetObject: exception 5 is not a BaseException subclass");
    PyErr_SetString(PyExc_KeyError, "x");
    CHECK_EXC(PyExc_KeyError, "'x'");
    PyErr_SetObject(PyExc_KeyError, five);
    CHECK_EXC(PyExc_KeyError, "5");
    Py_DECREF(five);
}

static void test_normalize(void)
{
    PyObject *t, *v, *tb, *tuple, *k;

    /* A str value becomes the single argument. */
    PyErr_SetString(PyExc_ValueError, "msg");
    PyErr_Fetch(&t, &v, &tb);
    PyErr_NormalizeException(&t, &v, &tb);
    CHECK_EQ_PTR(t, PyExc_ValueError);
    REQUIRE(v != NULL);
    CHECK(Py_TYPE(v) == (PyTypeObject *)PyExc_ValueError);
    CHECK_REPR(v, "ValueError('msg')");
    CHECK_ATTR_REPR(v, "args", "('msg',)");
    Py_XDECREF(t);
    Py_XDECREF(v);
    Py_XDECREF(tb);

    /* A tuple value is spread as the arguments (FACTS: KeyError(1, 'a')). */
    tuple = PyTuple_New(2);
    PyTuple_SET_ITEM(tuple, 0, PyLong_FromLong(1));
    PyTuple_SET_ITEM(tuple, 1, PyUnicode_FromString("a"));
    PyErr_SetObject(PyExc_KeyError, tuple);
    Py_DECREF(tuple);
    PyErr_Fetch(&t, &v, &tb);
    CHECK(PyTuple_CheckExact(v));
    PyErr_NormalizeException(&t, &v, &tb);
    CHECK_REPR(v, "KeyError(1, 'a')");
    CHECK_STR(v, "(1, 'a')");
    Py_XDECREF(t);
    Py_XDECREF(v);
    Py_XDECREF(tb);

    /* No value, or None: no arguments. */
    PyErr_SetNone(PyExc_KeyError);
    PyErr_Fetch(&t, &v, &tb);
    PyErr_NormalizeException(&t, &v, &tb);
    CHECK_REPR(v, "KeyError()");
    Py_XDECREF(t);
    Py_XDECREF(v);
    t = Py_NewRef(PyExc_KeyError);
    v = Py_NewRef(Py_None);
    tb = NULL;
    PyErr_NormalizeException(&t, &v, &tb);
    CHECK_REPR(v, "KeyError()");
    Py_XDECREF(t);
    Py_XDECREF(v);

    /* An instance of a subclass is kept, and its class becomes the type. */
    {
        PyObject *name = PyUnicode_FromString("k");
        k = make_exc(PyExc_KeyError, 1, name, NULL);
        Py_XDECREF(name);
    }
    REQUIRE(k != NULL);
    t = Py_NewRef(PyExc_LookupError);
    v = Py_NewRef(k);
    tb = NULL;
    PyErr_NormalizeException(&t, &v, &tb);
    CHECK_EQ_PTR(t, PyExc_KeyError);
    CHECK_EQ_PTR(v, k);
    Py_XDECREF(t);
    Py_XDECREF(v);

    /* An instance of an unrelated class becomes the argument: TypeError(KeyError('k')). */
    t = Py_NewRef(PyExc_TypeError);
    v = Py_NewRef(k);
    PyErr_NormalizeException(&t, &v, &tb);
    CHECK_EQ_PTR(t, PyExc_TypeError);
    CHECK_REPR(v, "TypeError(KeyError('k'))");
    Py_XDECREF(t);
    Py_XDECREF(v);
    Py_DECREF(k);

    /* A type that is not an exception class is left alone. */
    t = PyLong_FromLong(5);
    v = PyUnicode_FromString("x");
    PyErr_NormalizeException(&t, &v, &tb);
    CHECK(PyLong_Check(t) && PyUnicode_Check(v));
    Py_XDECREF(t);
    Py_XDECREF(v);
    /* Nothing to normalize. */
    t = v = tb = NULL;
    PyErr_NormalizeException(&t, &v, &tb);
    CHECK(t == NULL && v == NULL && tb == NULL);
}

static void test_matches(void)
{
    PyObject *pair = PyTuple_New(2), *k = make_exc(PyExc_KeyError, 0, NULL, NULL);
    PyObject *five = PyLong_FromLong(5);
    REQUIRE(pair && k && five);
    PyTuple_SET_ITEM(pair, 0, Py_NewRef(PyExc_TypeError));
    PyTuple_SET_ITEM(pair, 1, Py_NewRef(PyExc_LookupError));
    CHECK_EQ_INT(PyErr_ExceptionMatches(PyExc_KeyError), 0);
    PyErr_SetString(PyExc_KeyError, "k");
    CHECK_EQ_INT(PyErr_ExceptionMatches(PyExc_KeyError), 1);
    CHECK_EQ_INT(PyErr_ExceptionMatches(PyExc_LookupError), 1);
    CHECK_EQ_INT(PyErr_ExceptionMatches(PyExc_Exception), 1);
    CHECK_EQ_INT(PyErr_ExceptionMatches(PyExc_BaseException), 1);
    CHECK_EQ_INT(PyErr_ExceptionMatches(PyExc_IndexError), 0);
    CHECK_EQ_INT(PyErr_ExceptionMatches(PyExc_TypeError), 0);
    CHECK_EQ_INT(PyErr_ExceptionMatches(pair), 1);
    PyErr_Clear();
    /* FACTS section 4. */
    CHECK_EQ_INT(PyErr_GivenExceptionMatches(PyExc_KeyError, PyExc_LookupError), 1);
    CHECK_EQ_INT(PyErr_GivenExceptionMatches(PyExc_KeyError, pair), 1);
    CHECK_EQ_INT(PyErr_GivenExceptionMatches(k, PyExc_KeyError), 1);
    CHECK_EQ_INT(PyErr_GivenExceptionMatches(k, pair), 1);
    CHECK_EQ_INT(PyErr_GivenExceptionMatches(PyExc_LookupError, PyExc_KeyError), 0);
    CHECK_EQ_INT(PyErr_GivenExceptionMatches(PyExc_StopIteration, PyExc_Exception), 1);
    CHECK_EQ_INT(PyErr_GivenExceptionMatches(PyExc_GeneratorExit, PyExc_Exception), 0);
    /* Non-exceptions match only themselves; NULL matches nothing. */
    CHECK_EQ_INT(PyErr_GivenExceptionMatches(five, five), 1);
    CHECK_EQ_INT(PyErr_GivenExceptionMatches(five, PyExc_KeyError), 0);
    CHECK_EQ_INT(PyErr_GivenExceptionMatches(NULL, PyExc_KeyError), 0);
    CHECK_EQ_INT(PyErr_GivenExceptionMatches(PyExc_KeyError, NULL), 0);
    CHECK_NO_EXC();
    Py_DECREF(pair);
    Py_DECREF(k);
    Py_DECREF(five);
}

static void test_bad_internal_call_and_friends(void)
{
    char expected[512];
    PyObject *t, *v, *tb;
    PyErr_BadInternalCall(); snprintf(expected, sizeof expected, "%s:%d: bad argument to internal function", __FILE__, __LINE__);
    /* The macro form names this file and line (FACTS: "sections.inc:102: ..."). */
    CHECK_EXC(PyExc_SystemError, expected);
    /* The function itself (what the macro hides). */
    (PyErr_BadInternalCall)();
    CHECK_EXC(PyExc_SystemError, "bad argument to internal function");
    _PyErr_BadInternalCall("Objects/abstract.c", 123);
    CHECK_EXC(PyExc_SystemError, "Objects/abstract.c:123: bad argument to internal function");
    PyErr_SetString(PyExc_SystemError, "x");
    PyErr_Fetch(&t, &v, &tb);
    CHECK(PyUnicode_CheckExact(v));
    Py_XDECREF(t);
    Py_XDECREF(v);

    CHECK_EQ_INT(PyErr_BadArgument(), 0);
    CHECK_EXC(PyExc_TypeError, "bad argument type for built-in operation");

    /* NoMemory: MemoryError with no value (FACTS), "" once normalized. */
    CHECK(PyErr_NoMemory() == NULL);
    PyErr_Fetch(&t, &v, &tb);
    CHECK_EQ_PTR(t, PyExc_MemoryError);
    CHECK(v == NULL && tb == NULL);
    PyErr_Restore(t, v, tb);
    CHECK_EXC(PyExc_MemoryError, "");
}

/* ---- the handled exception (sys.exc_info) and implicit chaining ---- */

static void test_exc_info(void)
{
    PyObject *t = (PyObject *)1, *v = (PyObject *)1, *tb = (PyObject *)1;
    PyObject *k = make_exc(PyExc_KeyError, 0, NULL, NULL);
    PyThreadState *ts = PyThreadState_Get();
    _PyErr_StackItem inner;
    REQUIRE(k != NULL);
    /* A fresh thread handles nothing. */
    PyErr_GetExcInfo(&t, &v, &tb);
    CHECK(t == NULL && v == NULL && tb == NULL);
    /* SetExcInfo steals; GetExcInfo gives new references. */
    Py_INCREF(k);
    PyErr_SetExcInfo(Py_NewRef(PyExc_KeyError), k, NULL);
    CHECK_EQ_INT(Py_REFCNT(k), 2);
    CHECK_EQ_PTR(ts->exc_info->exc_value, k);
    PyErr_GetExcInfo(&t, &v, &tb);
    CHECK_EQ_PTR(t, PyExc_KeyError);
    CHECK_EQ_PTR(v, k);
    CHECK(tb == NULL);
    CHECK_EQ_INT(Py_REFCNT(k), 3);
    Py_XDECREF(t);
    Py_XDECREF(v);
    /* The topmost item whose value is not None/NULL is the one reported, as when a generator
     * without a handled exception runs (its item is pushed onto the thread's stack). */
    inner.exc_type = NULL;
    inner.exc_value = NULL;
    inner.exc_traceback = NULL;
    inner.previous_item = ts->exc_info;
    ts->exc_info = &inner;
    PyErr_GetExcInfo(&t, &v, &tb);
    CHECK_EQ_PTR(v, k);
    Py_XDECREF(t);
    Py_XDECREF(v);
    inner.exc_value = Py_None;
    PyErr_GetExcInfo(&t, &v, &tb);
    CHECK_EQ_PTR(v, k);
    Py_XDECREF(t);
    Py_XDECREF(v);
    ts->exc_info = inner.previous_item;
    /* Clearing releases. */
    PyErr_SetExcInfo(NULL, NULL, NULL);
    CHECK_EQ_INT(Py_REFCNT(k), 1);
    PyErr_GetExcInfo(&t, &v, &tb);
    CHECK(t == NULL && v == NULL && tb == NULL);
    Py_DECREF(k);
}

static void test_implicit_context(void)
{
    PyObject *k = make_exc(PyExc_KeyError, 0, NULL, NULL), *t, *v, *tb, *ctx;
    REQUIRE(k != NULL);
    PyErr_SetExcInfo(Py_NewRef(PyExc_KeyError), Py_NewRef(k), NULL);
    /* While an exception is handled, a new one is normalized at once and gets it as context. */
    PyErr_SetString(PyExc_ValueError, "v");
    PyErr_Fetch(&t, &v, &tb);
    REQUIRE(v != NULL);
    CHECK(Py_TYPE(v) == (PyTypeObject *)PyExc_ValueError);
    ctx = PyException_GetContext(v);
    CHECK_EQ_PTR(ctx, k);
    Py_XDECREF(ctx);
    CHECK_ATTR_REPR(v, "__context__", "KeyError()");
    CHECK_EQ_INT(((PyBaseExceptionObject *)v)->suppress_context, 0);
    Py_XDECREF(t);
    Py_XDECREF(v);
    Py_XDECREF(tb);
    /* SetNone too. */
    PyErr_SetNone(PyExc_ValueError);
    PyErr_Fetch(&t, &v, &tb);
    CHECK(v != NULL && Py_TYPE(v) == (PyTypeObject *)PyExc_ValueError);
    Py_XDECREF(t);
    Py_XDECREF(v);
    /* Raising the handled exception itself sets no context. */
    PyErr_SetObject(PyExc_KeyError, k);
    PyErr_Fetch(&t, &v, &tb);
    CHECK_EQ_PTR(v, k);
    CHECK(((PyBaseExceptionObject *)k)->context == NULL);
    Py_XDECREF(t);
    Py_XDECREF(v);
    PyErr_SetExcInfo(NULL, NULL, NULL);
    /* Without a handled exception, nothing is chained and the value stays raw. */
    PyErr_SetString(PyExc_ValueError, "raw");
    PyErr_Fetch(&t, &v, &tb);
    CHECK(PyUnicode_CheckExact(v));
    Py_XDECREF(t);
    Py_XDECREF(v);
    Py_DECREF(k);
}

static void test_context_cycle_is_cut(void)
{
    PyObject *a = make_exc(PyExc_KeyError, 0, NULL, NULL);
    PyObject *b = make_exc(PyExc_ValueError, 0, NULL, NULL);
    PyObject *c = make_exc(PyExc_TypeError, 0, NULL, NULL);
    PyObject *t, *v, *tb, *ctx;
    REQUIRE(a && b && c);
    /* a.__context__ = b; raising b while handling a would make a cycle: a's chain is cut. */
    PyException_SetContext(a, Py_NewRef(b));
    PyErr_SetExcInfo(Py_NewRef(PyExc_KeyError), Py_NewRef(a), NULL);
    PyErr_SetObject(PyExc_ValueError, b);
    PyErr_Fetch(&t, &v, &tb);
    CHECK_EQ_PTR(v, b);
    ctx = PyException_GetContext(b);
    CHECK_EQ_PTR(ctx, a);
    Py_XDECREF(ctx);
    ctx = PyException_GetContext(a);
    CHECK_EQ_PTR(ctx, NULL);
    Py_XDECREF(ctx);
    Py_XDECREF(t);
    Py_XDECREF(v);
    PyException_SetContext(b, NULL);
    /* A pre-existing cycle (a -> c -> a) is walked without hanging and left alone. */
    PyException_SetContext(a, Py_NewRef(c));
    PyException_SetContext(c, Py_NewRef(a));
    PyErr_SetObject(PyExc_ValueError, b);
    PyErr_Fetch(&t, &v, &tb);
    ctx = PyException_GetContext(b);
    CHECK_EQ_PTR(ctx, a);
    Py_XDECREF(ctx);
    CHECK_EQ_PTR(((PyBaseExceptionObject *)a)->context, c);
    CHECK_EQ_PTR(((PyBaseExceptionObject *)c)->context, a);
    Py_XDECREF(t);
    Py_XDECREF(v);
    PyErr_SetExcInfo(NULL, NULL, NULL);
    /* pycoro has no cycle collector: break the cycles by hand. */
    PyException_SetContext(a, NULL);
    PyException_SetContext(b, NULL);
    PyException_SetContext(c, NULL);
    CHECK_EQ_INT(Py_REFCNT(a), 1);
    Py_DECREF(a);
    Py_DECREF(b);
    Py_DECREF(c);
}

/* ---- exception classes ---- */

struct exc_info_row {
    PyObject **cls;
    const char *name;
    PyObject **base;
    Py_ssize_t basicsize;
};

static void test_exception_classes(void)
{
    /* FACTS section 3: name, tp_base, tp_basicsize. */
    const struct exc_info_row rows[] = {
        {&PyExc_BaseException, "BaseException", NULL, 64},
        {&PyExc_Exception, "Exception", &PyExc_BaseException, 64},
        {&PyExc_StopIteration, "StopIteration", &PyExc_Exception, 72},
        {&PyExc_StopAsyncIteration, "StopAsyncIteration", &PyExc_Exception, 64},
        {&PyExc_GeneratorExit, "GeneratorExit", &PyExc_BaseException, 64},
        {&PyExc_KeyboardInterrupt, "KeyboardInterrupt", &PyExc_BaseException, 64},
        {&PyExc_SystemExit, "SystemExit", &PyExc_BaseException, 72},
        {&PyExc_ArithmeticError, "ArithmeticError", &PyExc_Exception, 64},
        {&PyExc_OverflowError, "OverflowError", &PyExc_ArithmeticError, 64},
        {&PyExc_ZeroDivisionError, "ZeroDivisionError", &PyExc_ArithmeticError, 64},
        {&PyExc_AssertionError, "AssertionError", &PyExc_Exception, 64},
        {&PyExc_AttributeError, "AttributeError", &PyExc_Exception, 80},
        {&PyExc_LookupError, "LookupError", &PyExc_Exception, 64},
        {&PyExc_IndexError, "IndexError", &PyExc_LookupError, 64},
        {&PyExc_KeyError, "KeyError", &PyExc_LookupError, 64},
        {&PyExc_MemoryError, "MemoryError", &PyExc_Exception, 64},
        {&PyExc_NameError, "NameError", &PyExc_Exception, 72},
        {&PyExc_NotImplementedError, "NotImplementedError", &PyExc_RuntimeError, 64},
        {&PyExc_RecursionError, "RecursionError", &PyExc_RuntimeError, 64},
        {&PyExc_RuntimeError, "RuntimeError", &PyExc_Exception, 64},
        {&PyExc_SystemError, "SystemError", &PyExc_Exception, 64},
        {&PyExc_TypeError, "TypeError", &PyExc_Exception, 64},
        {&PyExc_ValueError, "ValueError", &PyExc_Exception, 64},
        {&PyExc_UnicodeError, "UnicodeError", &PyExc_ValueError, 64},
        {&PyExc_UnicodeDecodeError, "UnicodeDecodeError", &PyExc_UnicodeError, 104},
        {&PyExc_OSError, "OSError", &PyExc_Exception, 104},
        {&PyExc_Warning, "Warning", &PyExc_Exception, 64},
        {&PyExc_UserWarning, "UserWarning", &PyExc_Warning, 64},
        {&PyExc_DeprecationWarning, "DeprecationWarning", &PyExc_Warning, 64},
        {&PyExc_RuntimeWarning, "RuntimeWarning", &PyExc_Warning, 64},
        {&PyExc_ResourceWarning, "ResourceWarning", &PyExc_Warning, 64},
    };
    size_t i;
    for (i = 0; i < Py_ARRAY_LENGTH(rows); i++) {
        PyTypeObject *tp = (PyTypeObject *)*rows[i].cls;
        PyTypeObject *base = rows[i].base ? (PyTypeObject *)*rows[i].base : &PyBaseObject_Type;
        PyObject *inst;
        int ok = 1;
        ok &= CHECK_STR_EQ(tp->tp_name, rows[i].name);
        ok &= CHECK_EQ_PTR(tp->tp_base, base);
        ok &= CHECK_EQ_INT(tp->tp_basicsize, rows[i].basicsize);
        ok &= CHECK_EQ_INT(tp->tp_itemsize, 0);
        ok &= CHECK_EQ_INT(tp->tp_dictoffset, 16);
        /* Without VALID_VERSION_TAG, which CPython sets lazily (its method cache). */
        ok &= CHECK_EQ_INT(tp->tp_flags & 0xffffffffUL & ~Py_TPFLAGS_VALID_VERSION_TAG, 0x40005500UL);
        ok &= CHECK_EQ_PTR(Py_TYPE(tp), &PyType_Type);
        ok &= CHECK(PyExceptionClass_Check((PyObject *)tp));
        ok &= CHECK(!PyExceptionInstance_Check((PyObject *)tp));
        ok &= CHECK_EQ_INT(PyType_IsSubtype(tp, (PyTypeObject *)PyExc_BaseException), 1);
        inst = PyObject_CallNoArgs((PyObject *)tp);
        ok &= CHECK(inst != NULL);
        if (inst != NULL) {
            char repr[64];
            ok &= CHECK(PyExceptionInstance_Check(inst));
            ok &= CHECK(!PyExceptionClass_Check(inst));
            ok &= CHECK_EQ_PTR(Py_TYPE(inst), tp);
            ok &= CHECK_EQ_PTR(PyExceptionInstance_Class(inst), tp);
            snprintf(repr, sizeof repr, "%s()", rows[i].name);
            ok &= CHECK_REPR(inst, repr);
            ok &= CHECK_STR(inst, "");
            ok &= CHECK_EQ_INT(PyObject_IsTrue(inst), 1);
            Py_DECREF(inst);
        }
        CHECK_NO_EXC();
        if (!ok) {
            printf("    for %s\n", rows[i].name);
        }
    }
    CHECK(!PyExceptionClass_Check((PyObject *)&PyLong_Type));
    CHECK(!PyExceptionInstance_Check(Py_None));
    CHECK_REPR(PyExc_ValueError, "<class 'ValueError'>");
}

/* ---- exception instances ---- */

static void check_exc_text(PyObject *cls, int n, PyObject *a0, PyObject *a1, const char *repr,
                           const char *str)
{
    PyObject *e = make_exc(cls, n, a0, a1);
    if (!CHECK(e != NULL)) {
        CHECK_NO_EXC();
        return;
    }
    if (!(CHECK_REPR(e, repr) & CHECK_STR(e, str))) {
        printf("    for %s\n", repr);
    }
    Py_DECREF(e);
}

static void test_exception_str_repr(void)
{
    PyObject *k = PyUnicode_FromString("k"), *a = PyUnicode_FromString("a");
    PyObject *b = PyUnicode_FromString("b"), *one = PyLong_FromLong(1);
    PyObject *two = PyLong_FromLong(2), *v = PyUnicode_FromString("v");
    PyObject *m = PyUnicode_FromString("m"), *x = PyUnicode_FromString("x");
    PyObject *nf = PyUnicode_FromString("nf"), *five = PyLong_FromLong(5);
    REQUIRE(k && a && b && one && two && v && m && x && nf && five);
    /* FACTS section 5. KeyError's str is the repr of its single argument. */
    check_exc_text(PyExc_KeyError, 0, NULL, NULL, "KeyError()", "");
    check_exc_text(PyExc_KeyError, 1, k, NULL, "KeyError('k')", "'k'");
    check_exc_text(PyExc_KeyError, 2, a, b, "KeyError('a', 'b')", "('a', 'b')");
    check_exc_text(PyExc_KeyError, 1, one, NULL, "KeyError(1)", "1");
    check_exc_text(PyExc_ValueError, 1, v, NULL, "ValueError('v')", "v");
    check_exc_text(PyExc_ValueError, 0, NULL, NULL, "ValueError()", "");
    check_exc_text(PyExc_ValueError, 2, a, two, "ValueError('a', 2)", "('a', 2)");
    check_exc_text(PyExc_ValueError, 1, two, NULL, "ValueError(2)", "2");
    check_exc_text(PyExc_ValueError, 1, Py_None, NULL, "ValueError(None)", "None");
    check_exc_text(PyExc_StopIteration, 1, five, NULL, "StopIteration(5)", "5");
    check_exc_text(PyExc_StopIteration, 0, NULL, NULL, "StopIteration()", "");
    check_exc_text(PyExc_StopIteration, 2, one, two, "StopIteration(1, 2)", "(1, 2)");
    check_exc_text(PyExc_SystemExit, 2, one, two, "SystemExit(1, 2)", "(1, 2)");
    check_exc_text(PyExc_BaseException, 1, x, NULL, "BaseException('x')", "x");
    check_exc_text(PyExc_AttributeError, 1, m, NULL, "AttributeError('m')", "m");
    check_exc_text(PyExc_NameError, 1, m, NULL, "NameError('m')", "m");
    /* pycoro: no FileNotFoundError subclass mapping, so OSError(2, 'nf') stays an OSError
     * (CPython 3.10: FileNotFoundError(2, 'nf')); its str is CPython's. */
    check_exc_text(PyExc_OSError, 2, two, nf, "OSError(2, 'nf')", "[Errno 2] nf");
    check_exc_text(PyExc_OSError, 1, one, NULL, "OSError(1)", "1");
    check_exc_text(PyExc_IndexError, 1, k, NULL, "IndexError('k')", "k");
    Py_DECREF(k);
    Py_DECREF(a);
    Py_DECREF(b);
    Py_DECREF(one);
    Py_DECREF(two);
    Py_DECREF(v);
    Py_DECREF(m);
    Py_DECREF(x);
    Py_DECREF(nf);
    Py_DECREF(five);
}

static void test_exception_attributes(void)
{
    PyObject *one = PyLong_FromLong(1), *two = PyLong_FromLong(2), *three = PyLong_FromLong(3);
    PyObject *m = PyUnicode_FromString("m"), *e;
    REQUIRE(one && two && three && m);
    /* FACTS section 5: .value, .code, .args, .name, .obj. */
    e = make_exc(PyExc_StopIteration, 1, three, NULL);
    CHECK_ATTR_REPR(e, "value", "3");
    CHECK_EQ_PTR(((PyStopIterationObject *)e)->value, three);
    CHECK_ATTR_REPR(e, "args", "(3,)");
    Py_XDECREF(e);
    e = make_exc(PyExc_StopIteration, 0, NULL, NULL);
    CHECK_ATTR_REPR(e, "value", "None");
    Py_XDECREF(e);
    e = make_exc(PyExc_StopIteration, 2, one, two);
    CHECK_ATTR_REPR(e, "value", "1");
    Py_XDECREF(e);
    e = make_exc(PyExc_SystemExit, 1, three, NULL);
    CHECK_ATTR_REPR(e, "code", "3");
    Py_XDECREF(e);
    e = make_exc(PyExc_SystemExit, 0, NULL, NULL);
    CHECK_ATTR_REPR(e, "code", "None");
    Py_XDECREF(e);
    e = make_exc(PyExc_SystemExit, 2, one, two);
    CHECK_ATTR_REPR(e, "code", "(1, 2)");
    Py_XDECREF(e);
    e = make_exc(PyExc_AttributeError, 1, m, NULL);
    CHECK_ATTR_REPR(e, "name", "None");
    CHECK_ATTR_REPR(e, "obj", "None");
    CHECK_ATTR_REPR(e, "args", "('m',)");
    Py_XDECREF(e);
    e = make_exc(PyExc_NameError, 1, m, NULL);
    CHECK_ATTR_REPR(e, "name", "None");
    Py_XDECREF(e);
    e = make_exc(PyExc_OSError, 2, two, m);
    CHECK_ATTR_REPR(e, "errno", "2");
    CHECK_ATTR_REPR(e, "strerror", "'m'");
    CHECK_ATTR_REPR(e, "filename", "None");
    Py_XDECREF(e);
    /* args is stored in the instance (PyBaseExceptionObject.args) and may be replaced. */
    e = make_exc(PyExc_ValueError, 1, m, NULL);
    REQUIRE(e != NULL);
    CHECK(PyTuple_CheckExact(((PyBaseExceptionObject *)e)->args));
    {
        PyObject *t = PyTuple_New(2);
        PyTuple_SET_ITEM(t, 0, Py_NewRef(one));
        PyTuple_SET_ITEM(t, 1, Py_NewRef(two));
        CHECK_EQ_INT(PyObject_SetAttrString(e, "args", t), 0);
        Py_DECREF(t);
    }
    CHECK_REPR(e, "ValueError(1, 2)");
    CHECK_EQ_INT(PyObject_SetAttrString(e, "args", NULL), -1);
    CHECK_EXC(PyExc_TypeError, "args may not be deleted");
    /* pycoro: CPython converts any iterable (tuple(value)); pycoro takes tuples only. */
    CHECK_EQ_INT(PyObject_SetAttrString(e, "args", one), -1);
    CHECK_EXC(PyExc_TypeError, NULL);
    /* Other attributes go to the instance __dict__, as in CPython. */
    CHECK(PyObject_GetAttrString(e, "nope") == NULL);
    CHECK_EXC(PyExc_AttributeError, "'ValueError' object has no attribute 'nope'");
    CHECK_EQ_INT(PyObject_HasAttrString(e, "nope"), 0);
    CHECK_EQ_INT(PyObject_SetAttrString(e, "nope", one), 0);
    {
        PyObject *v = PyObject_GetAttrString(e, "nope");
        CHECK(v == one);
        Py_XDECREF(v);
        PyObject *d = PyObject_GetAttrString(e, "__dict__");
        REQUIRE(d != NULL);
        CHECK_REPR(d, "{'nope': 1}");
        Py_DECREF(d);
    }
    CHECK_EQ_INT(PyObject_SetAttrString(e, "nope", NULL), 0);
    CHECK_EQ_INT(PyObject_SetAttrString(e, "nope", NULL), -1);
    /* CPython 3.10 turns the dict's KeyError into AttributeError(name) */
    CHECK_EXC(PyExc_AttributeError, "nope");
    CHECK_EQ_INT(PyObject_HasAttrString(e, "args"), 1);
    CHECK_NO_EXC();
    Py_DECREF(e);
    Py_DECREF(one);
    Py_DECREF(two);
    Py_DECREF(three);
    Py_DECREF(m);
}

static void test_exception_chaining_fields(void)
{
    PyObject *a = make_exc(PyExc_ValueError, 0, NULL, NULL);
    PyObject *b = make_exc(PyExc_KeyError, 0, NULL, NULL);
    PyObject *five = PyLong_FromLong(5), *r;
    PyBaseExceptionObject *ea = (PyBaseExceptionObject *)a;
    REQUIRE(a && b && five);
    /* Fresh: everything unset, reported as None. */
    CHECK(ea->traceback == NULL && ea->context == NULL && ea->cause == NULL);
    CHECK(ea->dict == NULL);
    CHECK_ATTR_REPR(a, "__traceback__", "None");
    CHECK_ATTR_REPR(a, "__context__", "None");
    CHECK_ATTR_REPR(a, "__cause__", "None");
    CHECK_ATTR_REPR(a, "__suppress_context__", "False");
    CHECK(PyException_GetTraceback(a) == NULL);
    CHECK(PyException_GetContext(a) == NULL);
    CHECK(PyException_GetCause(a) == NULL);
    CHECK_NO_EXC();

    /* SetContext steals; GetContext returns a new reference. */
    Py_INCREF(b);
    PyException_SetContext(a, b);
    CHECK_EQ_INT(Py_REFCNT(b), 2);
    r = PyException_GetContext(a);
    CHECK_EQ_PTR(r, b);
    CHECK_EQ_INT(Py_REFCNT(b), 3);
    Py_XDECREF(r);
    CHECK_ATTR_REPR(a, "__context__", "KeyError()");
    CHECK_EQ_INT(ea->suppress_context, 0);
    PyException_SetContext(a, NULL);
    CHECK_EQ_INT(Py_REFCNT(b), 1);

    /* SetCause steals and sets __suppress_context__, even for NULL. */
    Py_INCREF(b);
    PyException_SetCause(a, b);
    CHECK_EQ_INT(ea->suppress_context, 1);
    CHECK_ATTR_REPR(a, "__suppress_context__", "True");
    r = PyException_GetCause(a);
    CHECK_EQ_PTR(r, b);
    Py_XDECREF(r);
    PyException_SetCause(a, NULL);
    CHECK_EQ_INT(Py_REFCNT(b), 1);
    ea->suppress_context = 0;
    PyException_SetCause(a, NULL);
    CHECK_EQ_INT(ea->suppress_context, 1);

    /* The same through attributes. */
    CHECK_EQ_INT(PyObject_SetAttrString(a, "__suppress_context__", Py_False), 0);
    CHECK_EQ_INT(ea->suppress_context, 0);
    CHECK_EQ_INT(PyObject_SetAttrString(a, "__suppress_context__", five), -1);
    CHECK_EXC(PyExc_TypeError, "attribute value type must be bool");
    CHECK_EQ_INT(PyObject_SetAttrString(a, "__cause__", b), 0);
    CHECK_EQ_PTR(ea->cause, b);
    CHECK_EQ_INT(ea->suppress_context, 1);
    CHECK_EQ_INT(PyObject_SetAttrString(a, "__cause__", Py_None), 0);
    CHECK(ea->cause == NULL);
    CHECK_EQ_INT(PyObject_SetAttrString(a, "__context__", b), 0);
    CHECK_EQ_PTR(ea->context, b);
    CHECK_EQ_INT(PyObject_SetAttrString(a, "__context__", Py_None), 0);
    CHECK(ea->context == NULL);
    CHECK_EQ_INT(Py_REFCNT(b), 1);
    CHECK_EQ_INT(PyObject_SetAttrString(a, "__context__", five), -1);
    CHECK_EXC(PyExc_TypeError, "exception context must be None or derive from BaseException");
    CHECK_EQ_INT(PyObject_SetAttrString(a, "__cause__", five), -1);
    CHECK_EXC(PyExc_TypeError, "exception cause must be None or derive from BaseException");
    CHECK_EQ_INT(PyObject_SetAttrString(a, "__context__", NULL), -1);
    CHECK_EXC(PyExc_TypeError, "__context__ may not be deleted");
    CHECK_EQ_INT(PyObject_SetAttrString(a, "__cause__", NULL), -1);
    CHECK_EXC(PyExc_TypeError, "__cause__ may not be deleted");

    /* Tracebacks: None is accepted, anything else that is not a traceback refused. */
    CHECK_EQ_INT(PyException_SetTraceback(a, Py_None), 0);
    CHECK(ea->traceback == NULL);
    CHECK_EQ_INT(PyException_SetTraceback(a, five), -1);
    CHECK_EXC(PyExc_TypeError, "__traceback__ must be a traceback or None");
    CHECK_EQ_INT(PyObject_SetAttrString(a, "__traceback__", five), -1);
    CHECK_EXC(PyExc_TypeError, "__traceback__ must be a traceback or None");
    CHECK_EQ_INT(PyObject_SetAttrString(a, "__traceback__", NULL), -1);
    CHECK_EXC(PyExc_TypeError, "__traceback__ may not be deleted");
    /* with_traceback(None) returns the exception itself. */
    r = PyObject_CallMethod(a, "with_traceback", "O", Py_None);
    CHECK_EQ_PTR(r, a);
    Py_XDECREF(r);
    r = PyObject_CallMethod(a, "with_traceback", "O", five);
    CHECK(r == NULL);
    CHECK_EXC(PyExc_TypeError, "__traceback__ must be a traceback or None");

    /* pycoro: CPython does not check these arguments (and crashes); pycoro raises. */
    CHECK(PyException_GetContext(five) == NULL);
    CHECK_EXC(PyExc_TypeError, "expected an exception instance, not 'int'");
    CHECK(PyException_GetCause(five) == NULL);
    CHECK_EXC(PyExc_TypeError, "expected an exception instance, not 'int'");
    CHECK(PyException_GetTraceback(five) == NULL);
    CHECK_EXC(PyExc_TypeError, "expected an exception instance, not 'int'");
    CHECK_EQ_INT(PyException_SetTraceback(five, Py_None), -1);
    CHECK_EXC(PyExc_TypeError, "expected an exception instance, not 'int'");
    Py_INCREF(b);
    PyException_SetContext(five, b);
    CHECK_EXC(PyExc_TypeError, "expected an exception instance, not 'int'");
    CHECK_EQ_INT(Py_REFCNT(b), 1);
    Py_INCREF(b);
    PyException_SetCause(five, b);
    CHECK_EXC(PyExc_TypeError, "expected an exception instance, not 'int'");
    CHECK_EQ_INT(Py_REFCNT(b), 1);
    Py_INCREF(b);
    PyException_SetCause(NULL, b);
    CHECK_EXC(PyExc_SystemError, "bad argument to internal function");
    CHECK_EQ_INT(Py_REFCNT(b), 1);

    Py_DECREF(a);
    Py_DECREF(b);
    Py_DECREF(five);
}

static void test_exception_call_errors(void)
{
    PyObject *r;
    /* Arguments must come as a tuple. */
    r = PyObject_CallObject(PyExc_KeyError, Py_None);
    CHECK(r == NULL);
    CHECK_EXC(PyExc_TypeError, "argument list must be a tuple");
    /* Exception classes are types: type(KeyError) is type. */
    r = PyObject_CallOneArg((PyObject *)&PyType_Type, PyExc_KeyError);
    CHECK_EQ_PTR(r, &PyType_Type);
    Py_XDECREF(r);
}

int main(void)
{
    RUN(test_set_occurred_clear);
    RUN(test_fetch_raw_values);
    RUN(test_restore_steals);
    RUN(test_set_object_non_class);
    RUN(test_normalize);
    RUN(test_matches);
    RUN(test_bad_internal_call_and_friends);
    RUN(test_exc_info);
    RUN(test_implicit_context);
    RUN(test_context_cycle_is_cut);
    RUN(test_exception_classes);
    RUN(test_exception_str_repr);
    RUN(test_exception_attributes);
    RUN(test_exception_chaining_fields);
    RUN(test_exception_call_errors);
    return HARNESS_SUMMARY();
}
