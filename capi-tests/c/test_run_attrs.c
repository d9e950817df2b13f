/*
 * Type objects, attributes and helpers of running generators and coroutines: slot presence,
 * methods and their flags, members and getsets (names, writability, audit events), reprs,
 * the exception state across suspensions, _PyGen_SetStopIterationValue and
 * _PyGen_FetchStopIterationValue. Checklist numbers (reference §4) are in the comments.
 */
#include "harness.h"
#include "native.h"

#include <string.h>
#include <structmember.h>

/* yields 1, then returns None. */
static int one_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    if (f->f_lasti < 0) {
        NATIVE_YIELD(f, 1, PyLong_FromLong(1));
    }
    if (arg == NULL) {
        return PYNATIVE_ERROR;
    }
    *out = Py_NewRef(Py_None);
    return PYNATIVE_RETURN;
}

static PyMethodDef *find_method(PyTypeObject *tp, const char *name)
{
    PyMethodDef *m;
    for (m = tp->tp_methods; m != NULL && m->ml_name != NULL; m++) {
        if (strcmp(m->ml_name, name) == 0) {
            return m;
        }
    }
    return NULL;
}

static PyMemberDef *find_member(PyTypeObject *tp, const char *name)
{
    PyMemberDef *m;
    for (m = tp->tp_members; m != NULL && m->name != NULL; m++) {
        if (strcmp(m->name, name) == 0) {
            return m;
        }
    }
    return NULL;
}

static PyGetSetDef *find_getset(PyTypeObject *tp, const char *name)
{
    PyGetSetDef *g;
    for (g = tp->tp_getset; g != NULL && g->name != NULL; g++) {
        if (strcmp(g->name, name) == 0) {
            return g;
        }
    }
    return NULL;
}

/* 8, 9: coroutine_wrapper. */
static void test_wrapper_type(void)
{
    CHECK_EQ_INT(_PyCoroWrapper_Type.tp_basicsize, 24);
    CHECK_EQ_INT(_PyCoroWrapper_Type.tp_itemsize, 0);
    CHECK_STR_EQ(_PyCoroWrapper_Type.tp_name, "coroutine_wrapper");
    CHECK_STR_EQ(_PyCoroWrapper_Type.tp_doc,
                 "A wrapper object implementing __await__ for coroutines.");
    CHECK(PyType_HasFeature(&_PyCoroWrapper_Type, Py_TPFLAGS_HAVE_GC));
}

/* 11 (tp_finalize belongs to finalization, issue 4) */
static void test_slot_presence(void)
{
    CHECK(PyGen_Type.tp_iter != NULL);
    CHECK(PyGen_Type.tp_iternext != NULL);
    REQUIRE(PyGen_Type.tp_as_async != NULL);
    CHECK(PyGen_Type.tp_as_async->am_send != NULL);
    CHECK(PyGen_Type.tp_as_async->am_await == NULL);
    CHECK(PyGen_Type.tp_as_async->am_aiter == NULL);
    CHECK(PyGen_Type.tp_as_async->am_anext == NULL);

    CHECK(PyCoro_Type.tp_iter == NULL);
    CHECK(PyCoro_Type.tp_iternext == NULL);
    REQUIRE(PyCoro_Type.tp_as_async != NULL);
    CHECK(PyCoro_Type.tp_as_async->am_await != NULL);
    CHECK(PyCoro_Type.tp_as_async->am_send != NULL);
    CHECK(PyCoro_Type.tp_as_async->am_aiter == NULL);
    CHECK(PyCoro_Type.tp_as_async->am_anext == NULL);

    REQUIRE(PyAsyncGen_Type.tp_as_async != NULL);
    CHECK(PyAsyncGen_Type.tp_as_async->am_send != NULL);
    CHECK(PyAsyncGen_Type.tp_iter == NULL);
    CHECK(PyAsyncGen_Type.tp_iternext == NULL);

    CHECK(_PyCoroWrapper_Type.tp_iter != NULL);
    CHECK(_PyCoroWrapper_Type.tp_iternext != NULL);
    CHECK(_PyCoroWrapper_Type.tp_as_async == NULL);

    /* the send slot is shared by the three types, as CPython's PyGen_am_send */
    CHECK(PyGen_Type.tp_as_async->am_send == PyCoro_Type.tp_as_async->am_send);
    CHECK(PyGen_Type.tp_as_async->am_send == PyAsyncGen_Type.tp_as_async->am_send);
    CHECK_EQ_INT(PyIter_Check((PyObject *)&PyGen_Type), 0);
}

/* 3.13: methods with CPython 3.10's flags and docs. */
static void test_methods(void)
{
    PyMethodDef *m;
    PyTypeObject *types[] = {&PyGen_Type, &PyCoro_Type, &_PyCoroWrapper_Type};
    size_t i;
    for (i = 0; i < sizeof types / sizeof types[0]; i++) {
        m = find_method(types[i], "send");
        REQUIRE(m != NULL);
        CHECK_EQ_INT(m->ml_flags, METH_O);
        m = find_method(types[i], "throw");
        REQUIRE(m != NULL);
        CHECK_EQ_INT(m->ml_flags, METH_VARARGS);
        m = find_method(types[i], "close");
        REQUIRE(m != NULL);
        CHECK_EQ_INT(m->ml_flags, METH_NOARGS);
    }
    CHECK_STR_EQ(find_method(&PyGen_Type, "send")->ml_doc,
                 "send(arg) -> send 'arg' into generator,\n"
                 "return next yielded value or raise StopIteration.");
    CHECK_STR_EQ(find_method(&PyCoro_Type, "throw")->ml_doc,
                 "throw(value)\nthrow(type[,value[,traceback]])\n\n"
                 "Raise exception in coroutine, return next iterated value or raise\n"
                 "StopIteration.");
    CHECK_STR_EQ(find_method(&PyGen_Type, "close")->ml_doc,
                 "close() -> raise GeneratorExit inside generator.");
    CHECK(find_method(&PyGen_Type, "__class_getitem__") == NULL);
    CHECK(find_method(&PyCoro_Type, "__class_getitem__") == NULL);
}

/* 114: gi_frame, gi_code, cr_frame, cr_code, cr_origin, ag_frame, ag_code, ag_running are
 * members (T_OBJECT / T_BOOL); gi_running, gi_yieldfrom, cr_running, cr_await, ag_await are
 * getsets. */
static void test_members_and_getsets(void)
{
    PyMemberDef *m;
    m = find_member(&PyGen_Type, "gi_frame");
    REQUIRE(m != NULL);
    CHECK_EQ_INT(m->type, T_OBJECT);
    CHECK_EQ_INT(m->offset, offsetof(PyGenObject, gi_frame));
    CHECK_EQ_INT(m->flags, READONLY | PY_AUDIT_READ);
    m = find_member(&PyGen_Type, "gi_code");
    REQUIRE(m != NULL);
    CHECK_EQ_INT(m->flags, READONLY | PY_AUDIT_READ);
    m = find_member(&PyCoro_Type, "cr_origin");
    REQUIRE(m != NULL);
    CHECK_EQ_INT(m->type, T_OBJECT);
    CHECK_EQ_INT(m->offset, 88);
    CHECK_EQ_INT(m->flags, READONLY);
    m = find_member(&PyCoro_Type, "cr_frame");
    REQUIRE(m != NULL);
    CHECK_EQ_INT(m->flags, READONLY | PY_AUDIT_READ);
    m = find_member(&PyAsyncGen_Type, "ag_running");
    REQUIRE(m != NULL);
    CHECK_EQ_INT(m->type, T_BOOL);
    CHECK_EQ_INT(m->offset, offsetof(PyAsyncGenObject, ag_running_async));
    CHECK(find_member(&PyAsyncGen_Type, "ag_frame") != NULL);
    CHECK(find_member(&PyAsyncGen_Type, "ag_code") != NULL);

    CHECK(find_getset(&PyGen_Type, "gi_running") != NULL);
    CHECK(find_getset(&PyGen_Type, "gi_running")->doc == NULL);
    CHECK_STR_EQ(find_getset(&PyGen_Type, "gi_yieldfrom")->doc,
                 "object being iterated by yield from, or None");
    CHECK_STR_EQ(find_getset(&PyCoro_Type, "cr_await")->doc, "object being awaited on, or None");
    CHECK(find_getset(&PyCoro_Type, "cr_running") != NULL);
    CHECK(find_getset(&PyAsyncGen_Type, "ag_await") != NULL);
    CHECK_STR_EQ(find_getset(&PyGen_Type, "__name__")->doc, "name of the generator");
    CHECK_STR_EQ(find_getset(&PyCoro_Type, "__qualname__")->doc,
                 "qualified name of the coroutine");
    CHECK_STR_EQ(find_getset(&PyAsyncGen_Type, "__name__")->doc,
                 "name of the async generator");
    CHECK(find_getset(&PyGen_Type, "gi_frame") == NULL);
    CHECK(find_member(&PyGen_Type, "gi_running") == NULL);
}

static int audit_calls;
static char audit_last[64];
static PyObject *audit_last_obj;

static int audit_hook(const char *event, PyObject *args, void *data)
{
    (void)data;
    if (strcmp(event, "object.__getattr__") != 0) {
        return 0;
    }
    audit_calls++;
    if (PyTuple_Check(args) && PyTuple_GET_SIZE(args) == 2) {
        const char *name = PyUnicode_AsUTF8(PyTuple_GET_ITEM(args, 1));
        audit_last_obj = PyTuple_GET_ITEM(args, 0);
        snprintf(audit_last, sizeof audit_last, "%s", name ? name : "?");
    }
    return 0;
}

/* 113: reading gi_frame / gi_code / cr_frame / cr_code / ag_frame / ag_code fires
 * object.__getattr__ with (obj, name); the other attributes fire nothing. */
static void test_audit_events(void)
{
    static const char *audited_gen[] = {"gi_frame", "gi_code"};
    static const char *audited_coro[] = {"cr_frame", "cr_code"};
    static const char *audited_agen[] = {"ag_frame", "ag_code"};
    static const char *quiet_gen[] = {"gi_running", "gi_yieldfrom", "__name__", "__qualname__"};
    static const char *quiet_coro[] = {"cr_origin", "cr_await", "cr_running"};
    static const char *quiet_agen[] = {"ag_running", "ag_await"};
    PyObject *g = NATIVE_GEN(one_body, "g");
    PyObject *c = NATIVE_CORO(one_body, "c");
    PyObject *a = native_new(one_body, CO_ASYNC_GENERATOR, "a", 1);
    size_t i;
    REQUIRE(g != NULL && c != NULL && a != NULL);
    CHECK_EQ_INT(PySys_AddAuditHook(audit_hook, NULL), 0);
#define READ_ATTR(o, n)                                                                        \
    do {                                                                                       \
        PyObject *v_ = PyObject_GetAttrString((o), (n));                                       \
        CHECK(v_ != NULL);                                                                     \
        Py_XDECREF(v_);                                                                        \
    } while (0)
    for (i = 0; i < 2; i++) {
        audit_calls = 0;
        READ_ATTR(g, audited_gen[i]);
        CHECK_EQ_INT(audit_calls, 1);
        CHECK_STR_EQ(audit_last, audited_gen[i]);
        CHECK(audit_last_obj == g);
        audit_calls = 0;
        READ_ATTR(c, audited_coro[i]);
        CHECK_EQ_INT(audit_calls, 1);
        CHECK_STR_EQ(audit_last, audited_coro[i]);
        audit_calls = 0;
        READ_ATTR(a, audited_agen[i]);
        CHECK_EQ_INT(audit_calls, 1);
        CHECK_STR_EQ(audit_last, audited_agen[i]);
    }
    audit_calls = 0;
    for (i = 0; i < sizeof quiet_gen / sizeof quiet_gen[0]; i++) {
        READ_ATTR(g, quiet_gen[i]);
    }
    for (i = 0; i < sizeof quiet_coro / sizeof quiet_coro[0]; i++) {
        READ_ATTR(c, quiet_coro[i]);
    }
    for (i = 0; i < sizeof quiet_agen / sizeof quiet_agen[0]; i++) {
        READ_ATTR(a, quiet_agen[i]);
    }
    CHECK_EQ_INT(audit_calls, 0);
#undef READ_ATTR
    Py_DECREF(g);
    Py_DECREF(c);
    Py_DECREF(a);
}

/* 111: __name__ / __qualname__ writable with str only; repr follows the qualname. */
static void test_name_setters(void)
{
    PyObject *c = NATIVE_CORO(one_body, "c");
    PyObject *s = PyUnicode_FromString("renamed");
    PyObject *q = PyUnicode_FromString("Outer.renamed");
    PyObject *five = PyLong_FromLong(5);
    PyObject *v;
    REQUIRE(c != NULL && s != NULL && q != NULL && five != NULL);
    CHECK_EQ_INT(PyObject_SetAttrString(c, "__name__", s), 0);
    CHECK_EQ_INT(PyObject_SetAttrString(c, "__qualname__", q), 0);
    v = PyObject_GetAttrString(c, "__name__");
    CHECK(v == s);
    Py_XDECREF(v);
    CHECK(((PyCoroObject *)c)->cr_qualname == q);
    CHECK_EQ_INT(PyObject_SetAttrString(c, "__name__", five), -1);
    CHECK_EXC(PyExc_TypeError, "__name__ must be set to a string object");
    CHECK_EQ_INT(PyObject_SetAttrString(c, "__qualname__", five), -1);
    CHECK_EXC(PyExc_TypeError, "__qualname__ must be set to a string object");
    CHECK_EQ_INT(PyObject_SetAttrString(c, "__qualname__", NULL), -1);
    CHECK_EXC(PyExc_TypeError, "__qualname__ must be set to a string object");
    CHECK_EQ_INT(PyObject_SetAttrString(c, "cr_running", Py_True), -1);
    CHECK(PyErr_ExceptionMatches(PyExc_AttributeError));
    PyErr_Clear();
    {
        PyObject *r = PyObject_Repr(c);
        char expected[128];
        snprintf(expected, sizeof expected, "<coroutine object Outer.renamed at %p>", (void *)c);
        REQUIRE(r != NULL);
        CHECK_STR_EQ(PyUnicode_AsUTF8(r), expected);
        Py_DECREF(r);
    }
    Py_DECREF(five);
    Py_DECREF(q);
    Py_DECREF(s);
    Py_DECREF(c);
}

/* 112 */
static void test_reprs(void)
{
    PyObject *g = NATIVE_GEN(one_body, "gq");
    PyObject *a = native_new(one_body, CO_ASYNC_GENERATOR, "aq", 1);
    char expected[128];
    PyObject *r;
    REQUIRE(g != NULL && a != NULL);
    r = PyObject_Repr(g);
    snprintf(expected, sizeof expected, "<generator object gq at %p>", (void *)g);
    CHECK_STR_EQ(r ? PyUnicode_AsUTF8(r) : NULL, expected);
    Py_XDECREF(r);
    r = PyObject_Repr(a);
    snprintf(expected, sizeof expected, "<async_generator object aq at %p>", (void *)a);
    CHECK_STR_EQ(r ? PyUnicode_AsUTF8(r) : NULL, expected);
    Py_XDECREF(r);
    Py_DECREF(g);
    Py_DECREF(a);
}

/* 115: weakref support is the weaklist slot (pycoro has no weakref module); no
 * __class_getitem__ on generator or coroutine in 3.10. */
static void test_weaklist_and_class_getitem(void)
{
    PyObject *v;
    CHECK_EQ_INT(PyGen_Type.tp_weaklistoffset, 32);
    CHECK_EQ_INT(PyCoro_Type.tp_weaklistoffset, 32);
    CHECK_EQ_INT(PyAsyncGen_Type.tp_weaklistoffset, 32);
    v = PyObject_GetAttrString((PyObject *)&PyGen_Type, "__class_getitem__");
    CHECK(v == NULL);
    CHECK(PyErr_ExceptionMatches(PyExc_AttributeError));
    PyErr_Clear();
    v = PyObject_GetAttrString((PyObject *)&PyCoro_Type, "__class_getitem__");
    CHECK(v == NULL);
    CHECK(PyErr_ExceptionMatches(PyExc_AttributeError));
    PyErr_Clear();
}

/* 10: the types cannot be instantiated. */
static void test_not_instantiable(void)
{
    PyObject *r = PyObject_CallNoArgs((PyObject *)&PyGen_Type);
    CHECK(r == NULL);
    CHECK_EXC(PyExc_TypeError, "cannot create 'generator' instances");
    r = PyObject_CallNoArgs((PyObject *)&PyCoro_Type);
    CHECK(r == NULL);
    CHECK_EXC(PyExc_TypeError, "cannot create 'coroutine' instances");
    r = PyObject_CallNoArgs((PyObject *)&_PyCoroWrapper_Type);
    CHECK(r == NULL);
    CHECK_EXC(PyExc_TypeError, "cannot create 'coroutine_wrapper' instances");
}

/* handler: on its first run marks KeyError('inside') as being handled (as an except block
 * does) and yields; on resume records what sys.exc_info() shows, clears the handled exception
 * and returns. */
static PyObject *seen_inside;

static int handler_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    PyObject *t, *v, *tb;
    if (f->f_lasti < 0) {
        PyObject *e = PyObject_CallFunction(PyExc_KeyError, "s", "inside");
        if (e == NULL) {
            return PYNATIVE_ERROR;
        }
        PyErr_SetExcInfo(Py_NewRef((PyObject *)Py_TYPE(e)), e, NULL);
        NATIVE_YIELD(f, 1, PyLong_FromLong(1));
    }
    if (arg == NULL) {
        return PYNATIVE_ERROR;
    }
    PyErr_GetExcInfo(&t, &v, &tb);
    Py_XDECREF(t);
    Py_XDECREF(tb);
    seen_inside = v;
    PyErr_SetExcInfo(NULL, NULL, NULL);
    *out = Py_NewRef(Py_None);
    return PYNATIVE_RETURN;
}

/* 116: the exception being handled inside the generator at its yield is visible after resume
 * and not in the caller between resumptions; the caller's own handled exception is back. */
static void test_exc_state_across_yield(void)
{
    PyObject *g = NATIVE_GEN(handler_body, "handler");
    PyObject *outer = PyObject_CallFunction(PyExc_ValueError, "s", "outer");
    PyObject *t, *v, *tb, *r;
    REQUIRE(g != NULL && outer != NULL);
    PyErr_SetExcInfo(Py_NewRef(PyExc_ValueError), Py_NewRef(outer), NULL);
    r = PyIter_Next(g);
    CHECK_EQ_INT(native_long(r), 1);
    Py_XDECREF(r);
    PyErr_GetExcInfo(&t, &v, &tb);
    CHECK(v == outer);
    Py_XDECREF(t);
    Py_XDECREF(v);
    Py_XDECREF(tb);
    CHECK(((PyGenObject *)g)->gi_exc_state.exc_value != NULL);
    CHECK(((PyGenObject *)g)->gi_exc_state.previous_item == NULL);
    seen_inside = NULL;
    r = PyIter_Next(g);
    CHECK(r == NULL);
    CHECK_NO_EXC();
    REQUIRE(seen_inside != NULL);
    CHECK(PyErr_GivenExceptionMatches(seen_inside, PyExc_KeyError));
    Py_XDECREF(seen_inside);
    PyErr_GetExcInfo(&t, &v, &tb);
    CHECK(v == outer);
    Py_XDECREF(t);
    Py_XDECREF(v);
    Py_XDECREF(tb);
    PyErr_SetExcInfo(NULL, NULL, NULL);
    Py_DECREF(outer);
    Py_DECREF(g);
}

static PyObject *stop_value_after(int (*setter)(void))
{
    PyObject *t, *v, *tb, *value;
    if (setter() != 0) {
        return NULL;
    }
    PyErr_Fetch(&t, &v, &tb);
    PyErr_NormalizeException(&t, &v, &tb);
    value = v == NULL ? NULL : PyObject_GetAttrString(v, "value");
    Py_XDECREF(t);
    Py_XDECREF(v);
    Py_XDECREF(tb);
    return value;
}

static PyObject *set_arg;
static int set_with_arg(void) { return _PyGen_SetStopIterationValue(set_arg); }

/* 117 */
static void test_set_stop_iteration_value(void)
{
    PyObject *tup = Py_BuildValue("(ii)", 1, 2);
    PyObject *ke = PyObject_CallFunction(PyExc_KeyError, "s", "k");
    PyObject *v;
    REQUIRE(tup != NULL && ke != NULL);
    set_arg = tup;
    v = stop_value_after(set_with_arg);
    CHECK(v == tup);
    Py_XDECREF(v);
    set_arg = NULL;
    v = stop_value_after(set_with_arg);
    CHECK(v == Py_None);
    Py_XDECREF(v);
    set_arg = ke;
    v = stop_value_after(set_with_arg);
    CHECK(v == ke);
    Py_XDECREF(v);
    set_arg = Py_True;
    v = stop_value_after(set_with_arg);
    CHECK(v == Py_True);
    Py_XDECREF(v);
    Py_DECREF(tup);
    Py_DECREF(ke);
}

/* 118 */
static void test_fetch_stop_iteration_value(void)
{
    PyObject *v = NULL, *sentinel = Py_False;
    PyObject *tup = Py_BuildValue("(ii)", 1, 2);
    PyObject *si;
    REQUIRE(tup != NULL);
    CHECK_EQ_INT(_PyGen_FetchStopIterationValue(&v), 0);
    CHECK(v == Py_None);
    Py_XDECREF(v);

    si = PyObject_CallFunction(PyExc_StopIteration, "i", 42);
    REQUIRE(si != NULL);
    PyErr_SetObject(PyExc_StopIteration, si);
    Py_DECREF(si);
    CHECK_EQ_INT(_PyGen_FetchStopIterationValue(&v), 0);
    CHECK_EQ_INT(native_long(v), 42);
    Py_XDECREF(v);
    CHECK_NO_EXC();

    PyErr_SetString(PyExc_KeyError, "other");
    v = sentinel;
    CHECK_EQ_INT(_PyGen_FetchStopIterationValue(&v), -1);
    CHECK(v == sentinel);
    CHECK_EXC(PyExc_KeyError, "'other'");

    PyErr_SetObject(PyExc_StopIteration, tup);
    CHECK_EQ_INT(_PyGen_FetchStopIterationValue(&v), 0);
    CHECK_EQ_INT(native_long(v), 1);
    Py_XDECREF(v);

    PyErr_SetNone(PyExc_StopIteration);
    CHECK_EQ_INT(_PyGen_FetchStopIterationValue(&v), 0);
    CHECK(v == Py_None);
    Py_XDECREF(v);

    PyErr_SetObject(PyExc_StopIteration, Py_True);
    CHECK_EQ_INT(_PyGen_FetchStopIterationValue(&v), 0);
    CHECK(v == Py_True);
    Py_XDECREF(v);
    Py_DECREF(tup);
}

int main(void)
{
    RUN(test_wrapper_type);
    RUN(test_slot_presence);
    RUN(test_methods);
    RUN(test_members_and_getsets);
    RUN(test_name_setters);
    RUN(test_reprs);
    RUN(test_weaklist_and_class_getitem);
    RUN(test_not_instantiable);
    RUN(test_exc_state_across_yield);
    RUN(test_set_stop_iteration_value);
    RUN(test_fetch_stop_iteration_value);
    RUN(test_audit_events);
    return HARNESS_SUMMARY();
}
