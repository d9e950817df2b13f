/*
 * Bad input to every exported function (issue "Trust").
 *
 * A table-driven sweep: every function libpycoro exports (`nm -D --defined-only`, kind T) is
 * called with NULL for its pointer arguments and with wrong-type objects (a tuple where a frame
 * goes, an int where a str goes, a non-exception where an exception class goes), out-of-range
 * indexes and negative or absurd sizes. Each call must leave the documented result: the
 * function's error value (NULL / -1 / PYGEN_ERROR / 0) with a Python exception set —
 * SystemError "bad argument to internal function" for NULL where CPython 3.10 would assert or
 * crash, CPython's own exception and message where CPython names one — and never crash or leak
 * (arguments keep their reference counts; stolen ones are released even on failure). Functions
 * documented to accept NULL (Py_DecRef, PyErr_Restore, PyObject_GC_Del, the Check predicates,
 * ...) are held to that documented behaviour instead.
 *
 * Every call goes through BAD(fn), which counts it and records `fn` as covered. Before the
 * summary the program prints `bad-input calls: N` and one `covered: NAME` line per function
 * called; tests/bad_input.rs fails when an exported function has no such line.
 *
 * Expected values are CPython 3.10.13's, measured against libpython3.10 where CPython does not
 * crash; where it does, pycoro's rule (README "API conventions") applies. `pycoro:` marks a
 * check of behaviour that is pycoro's own and documented in pycoro.h.
 *
 * Run one case: ./test_bad_input case_tuple
 */
#include "harness.h"

#include <frameobject.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <structmember.h>


#define BADARG "bad argument to internal function"
#define NULLARG "null argument to internal routine"
#define BADFMT "bad format char passed to Py_BuildValue"
#define NULLOBJ "NULL object passed to Py_BuildValue"
#define PAREN "unmatched paren in format"
#define NOT_STR "attribute name must be string, not 'int'"
#define INT_NOT_CALLABLE "'int' object is not callable"
#define UTF8_FF "'utf-8' codec can't decode byte 0xff in position 0: invalid start byte"

/* ---- the sweep's bookkeeping ---------------------------------------------------------- */

static long bad_calls;
static const char *covered_names[512];
static int n_covered;

static void note_call(const char *name)
{
    int i;
    bad_calls++;
    for (i = 0; i < n_covered; i++) {
        if (strcmp(covered_names[i], name) == 0) {
            return;
        }
    }
    if (n_covered < (int)Py_ARRAY_LENGTH(covered_names)) {
        covered_names[n_covered++] = name;
    }
}

/* BAD(fn)(args...): calls fn (the exported function, never a macro of the same name), counting
 * the call and recording fn as covered. */
#define BAD(fn) (note_call(#fn), (fn))

/* ---- expectations ----------------------------------------------------------------------- */

static void expect_exc(PyObject *exc, const char *msg, const char *what, int line);

/* A pointer result must be NULL with `exc` (message `msg`, NULL: any) pending. */
static void expect_null(const void *r, PyObject *exc, const char *msg, const char *what, int line)
{
    if (r != NULL) {
        harness_fail_at(__FILE__, line, what);
        printf("    returned %p, expected NULL\n", r);
    }
    expect_exc(exc, msg, what, line);
}

/* An integer result must be `expected` with `exc` pending. */
static void expect_int(long long r, long long expected, PyObject *exc, const char *msg,
                       const char *what, int line)
{
    if (r != expected) {
        harness_fail_at(__FILE__, line, what);
        printf("    returned %lld, expected %lld\n", r, expected);
    }
    expect_exc(exc, msg, what, line);
}

/* An integer result must be `expected` with no exception pending. */
static void expect_int_ok(long long r, long long expected, const char *what, int line)
{
    if (r != expected) {
        harness_fail_at(__FILE__, line, what);
        printf("    returned %lld, expected %lld\n", r, expected);
    }
    if (PyErr_Occurred() != NULL) {
        printf("  (after %s)\n", what);
        harness_check_no_exc(__FILE__, line);
    }
}

/* After a call: `exc` must be pending (NULL: nothing may be pending). */
static void expect_exc(PyObject *exc, const char *msg, const char *what, int line)
{
    if (exc == NULL) {
        if (PyErr_Occurred() != NULL) {
            printf("  (after %s)\n", what);
            harness_check_no_exc(__FILE__, line);
        }
        return;
    }
    harness_check_exc(exc, msg, what, __FILE__, line);
}

/* A new reference that must be a str equal to `text` with no exception pending; released. */
static void expect_text(PyObject *r, const char *text, const char *what, int line)
{
    if (r == NULL || !PyUnicode_Check(r)) {
        harness_fail_at(__FILE__, line, what);
        printf("    returned %p, expected the str \"%s\"\n", (void *)r, text);
        harness_check_no_exc(__FILE__, line);
        Py_XDECREF(r);
        return;
    }
    harness_check_str(PyUnicode_AsUTF8(r), text, what, __FILE__, line);
    Py_DECREF(r);
    expect_exc(NULL, NULL, what, line);
}

#define EXPECT_NULL(call, exc, msg)                                                            \
    expect_null((const void *)(call), (PyObject *)(exc), (msg), #call, __LINE__)
#define EXPECT_INT(call, expected, exc, msg)                                                   \
    expect_int((long long)(call), (long long)(expected), (PyObject *)(exc), (msg), #call,     \
               __LINE__)
#define EXPECT_INT_OK(call, expected)                                                          \
    expect_int_ok((long long)(call), (long long)(expected), #call, __LINE__)
#define EXPECT_VOID(call, exc, msg)                                                            \
    do {                                                                                       \
        call;                                                                                  \
        expect_exc((PyObject *)(exc), (msg), #call, __LINE__);                                 \
    } while (0)
#define EXPECT_TEXT(call, text) expect_text((call), (text), #call, __LINE__)
/* A reference count that must not have moved (or must be what a stolen reference left). */
#define CHECK_REFCNT(o, n) CHECK_EQ_INT(Py_REFCNT(o), (n))

/* ---- objects the cases use ----------------------------------------------------------------- */

/* A fresh int that is not a small (immortal) one: reference count 1. */
static PyObject *fresh_int(void)
{
    return PyLong_FromLong(1234567);
}

static int body_return_none(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    (void)f;
    (void)arg;
    *out = Py_NewRef(Py_None);
    return PYNATIVE_RETURN;
}

static int body_yield_once(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    (void)arg;
    if (f->f_lasti < 0) {
        f->f_lasti = 1;
        *out = Py_NewRef(Py_None);
        return PYNATIVE_YIELD;
    }
    *out = Py_NewRef(Py_None);
    return PYNATIVE_RETURN;
}

static PyFrameObject *new_frame(PyNative_Body body, int flags)
{
    PyCodeObject *co = PyNative_NewCode(body, "bad_input", "bad_input.c", 10, flags, 2, 16);
    PyFrameObject *f;
    if (co == NULL) {
        return NULL;
    }
    f = PyFrame_New(NULL, co, NULL, NULL);
    Py_DECREF(co);
    return f;
}

/* A new, unstarted generator whose body yields once. */
static PyObject *new_gen(void)
{
    PyFrameObject *f = new_frame(body_yield_once, CO_GENERATOR);
    return f != NULL ? PyGen_New(f) : NULL;
}

static PyObject *noargs_fn(PyObject *self, PyObject *unused)
{
    (void)self;
    (void)unused;
    Py_RETURN_NONE;
}

static PyObject *o_fn(PyObject *self, PyObject *arg)
{
    (void)self;
    return Py_NewRef(arg);
}

static PyMethodDef noargs_def = {"noargs", noargs_fn, METH_NOARGS, NULL};
static PyMethodDef o_def = {"one", o_fn, METH_O, NULL};
static PyMethodDef badflags_def = {"bad", noargs_fn, METH_VARARGS | METH_NOARGS, NULL};
static PyMethodDef method_def = {"meth", noargs_fn, METH_METHOD | METH_FASTCALL | METH_KEYWORDS,
                                 NULL};
static PyMethodDef nullmeth_def = {"nullmeth", NULL, METH_NOARGS, NULL};

/* A record with one member of each kind the member cases use. */
typedef struct {
    PyObject_HEAD
    PyObject *obj;
    int i;
    char c;
    char b;
    char *s;
    double d;
} Rec;

static PyTypeObject Rec_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "Rec",
    .tp_basicsize = sizeof(Rec),
};

/* Variable-size types with and without GC, for the allocators. */
static PyTypeObject Var_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "Var",
    .tp_basicsize = sizeof(PyVarObject),
    .tp_itemsize = sizeof(PyObject *),
};

static int gcvar_traverse(PyObject *self, visitproc visit, void *arg)
{
    (void)self;
    (void)visit;
    (void)arg;
    return 0;
}

static PyTypeObject GcVar_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "GcVar",
    .tp_basicsize = sizeof(PyVarObject),
    .tp_itemsize = sizeof(PyObject *),
    .tp_flags = Py_TPFLAGS_HAVE_GC,
    .tp_traverse = gcvar_traverse,
    .tp_free = PyObject_GC_Del,
};

/* A broken type: tp_iter returns a non-iterator, instances are unhashable. */
static PyObject *return_none_iter(PyObject *self)
{
    (void)self;
    Py_RETURN_NONE;
}

static PyTypeObject Broken_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "Broken",
    .tp_basicsize = sizeof(PyObject),
    .tp_iter = return_none_iter,
    .tp_hash = PyObject_HashNotImplemented,
};

/* ---- hooks that capture what would otherwise go to stderr ------------------------------------ */

static int warnings_seen;
static PyObject *last_warning_category;

static int count_warning(PyObject *category, PyObject *message, PyObject *filename, int lineno,
                         PyObject *source, void *data)
{
    (void)message;
    (void)filename;
    (void)lineno;
    (void)source;
    (void)data;
    warnings_seen++;
    last_warning_category = category;
    return 0;
}

static int unraisables_seen;
static PyObject *last_unraisable_object;
static int last_unraisable_had_msg;

static void count_unraisable(PyObject *exc_type, PyObject *exc_value, PyObject *exc_tb,
                             PyObject *err_msg, PyObject *object, void *data)
{
    (void)exc_type;
    (void)exc_value;
    (void)exc_tb;
    (void)data;
    unraisables_seen++;
    last_unraisable_object = object;
    last_unraisable_had_msg = err_msg != NULL;
}

static int audit_events;
static Py_ssize_t last_audit_nargs;

static int count_audit(const char *event, PyObject *args, void *data)
{
    (void)event;
    (void)data;
    audit_events++;
    last_audit_nargs = args != NULL && PyTuple_Check(args) ? PyTuple_GET_SIZE(args) : -1;
    return 0;
}

/* ---- va_list entry points, called through variadic wrappers -------------------------------- */

static PyObject *call_err_formatv(PyObject *exc, const char *format, ...)
{
    va_list ap;
    PyObject *r;
    va_start(ap, format);
    r = BAD(PyErr_FormatV)(exc, format, ap);
    va_end(ap);
    return r;
}

static PyObject *call_fromformatv(const char *format, ...)
{
    va_list ap;
    PyObject *r;
    va_start(ap, format);
    r = BAD(PyUnicode_FromFormatV)(format, ap);
    va_end(ap);
    return r;
}

static PyObject *call_vabuild(const char *format, ...)
{
    va_list ap;
    PyObject *r;
    va_start(ap, format);
    r = BAD(Py_VaBuildValue)(format, ap);
    va_end(ap);
    return r;
}

static PyObject *call_vabuild_sizet(const char *format, ...)
{
    va_list ap;
    PyObject *r;
    va_start(ap, format);
    r = BAD(_Py_VaBuildValue_SizeT)(format, ap);
    va_end(ap);
    return r;
}

/* =========================================================================================
 * pyerrors.h
 * ========================================================================================= */

static void case_err_set(void)
{
    PyObject *i = fresh_int(), *v = fresh_int(), *v0 = fresh_int(), *e;
    PyObject *s = PyUnicode_FromString("abc");
    REQUIRE(i != NULL && v != NULL && v0 != NULL && s != NULL);
    e = PyObject_CallNoArgs(PyExc_ValueError);
    REQUIRE(e != NULL);

    /* NULL where the exception class goes. */
    EXPECT_VOID(BAD(PyErr_SetString)(NULL, "m"), PyExc_SystemError, BADARG);
    /* (CPython 3.10 stores the value under a NULL type: invisible to PyErr_Occurred, kept
     * until the next PyErr_Clear.) */
    EXPECT_VOID(BAD(PyErr_SetObject)(NULL, v0), PyExc_SystemError, BADARG);
    PyErr_Clear();
    CHECK_REFCNT(v0, 1);
    EXPECT_VOID(BAD(PyErr_SetNone)(NULL), PyExc_SystemError, BADARG);
    /* NULL message: CPython crashes in PyUnicode_FromString(NULL). */
    EXPECT_VOID(BAD(PyErr_SetString)(PyExc_TypeError, NULL), PyExc_SystemError, BADARG);

    /* Not an exception class (CPython 3.10's message). */
    EXPECT_VOID(BAD(PyErr_SetString)(i, "m"), PyExc_SystemError,
                "_PyErr_SetObject: exception 1234567 is not a BaseException subclass");
    CHECK_REFCNT(i, 1);
    EXPECT_VOID(BAD(PyErr_SetObject)(i, v), PyExc_SystemError,
                "_PyErr_SetObject: exception 1234567 is not a BaseException subclass");
    CHECK_REFCNT(i, 1);
    CHECK_REFCNT(v, 1);
    EXPECT_VOID(BAD(PyErr_SetNone)(s), PyExc_SystemError,
                "_PyErr_SetObject: exception 'abc' is not a BaseException subclass");
    /* An exception instance where the class goes. */
    EXPECT_VOID(BAD(PyErr_SetObject)(e, Py_None), PyExc_SystemError,
                "_PyErr_SetObject: exception ValueError() is not a BaseException subclass");
    CHECK_REFCNT(e, 1);
    /* A NULL value is allowed (SetNone); CPython: the class with no value. */
    EXPECT_VOID(BAD(PyErr_SetObject)(PyExc_TypeError, NULL), PyExc_TypeError, "");
    /* Invalid UTF-8 message: CPython sets the class with no value (the decode error is
     * dropped by _PyErr_SetObject). */
    EXPECT_VOID(BAD(PyErr_SetString)(PyExc_TypeError, "\xff"), PyExc_TypeError, "");

    Py_DECREF(i);
    Py_DECREF(v);
    Py_DECREF(v0);
    Py_DECREF(s);
    Py_DECREF(e);
}

static void case_err_format(void)
{
    PyObject *i = fresh_int();
    REQUIRE(i != NULL);
    EXPECT_NULL(BAD(PyErr_Format)(NULL, "x"), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyErr_Format)(PyExc_TypeError, NULL), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyErr_Format)(i, "x"), PyExc_SystemError,
                "_PyErr_SetObject: exception 1234567 is not a BaseException subclass");
    CHECK_REFCNT(i, 1);
    /* Formatting fails: the class is set with no value (documented, as CPython 3.10). */
    EXPECT_NULL(BAD(PyErr_Format)(PyExc_TypeError, "%U", i), PyExc_TypeError, "");
    EXPECT_NULL(BAD(PyErr_Format)(PyExc_TypeError, "\xe9"), PyExc_TypeError, "");
    CHECK_REFCNT(i, 1);

    EXPECT_NULL(call_err_formatv(NULL, "x"), PyExc_SystemError, BADARG);
    EXPECT_NULL(call_err_formatv(PyExc_TypeError, NULL), PyExc_SystemError, BADARG);
    EXPECT_NULL(call_err_formatv(i, "x"), PyExc_SystemError,
                "_PyErr_SetObject: exception 1234567 is not a BaseException subclass");
    EXPECT_NULL(call_err_formatv(PyExc_TypeError, "%s", (const char *)NULL), PyExc_TypeError,
                "");
    Py_DECREF(i);
}

static void case_err_fetch_restore(void)
{
    PyObject *t = Py_None, *v = Py_None, *tb = Py_None;
    PyObject *i = fresh_int();
    REQUIRE(i != NULL);

    /* NULL out-parameters: SystemError; the others are not written. */
    PyErr_SetString(PyExc_ValueError, "pending");
    EXPECT_VOID(BAD(PyErr_Fetch)(NULL, &v, &tb), PyExc_SystemError, BADARG);
    CHECK(v == Py_None && tb == Py_None);
    EXPECT_VOID(BAD(PyErr_Fetch)(&t, NULL, &tb), PyExc_SystemError, BADARG);
    CHECK(t == Py_None && tb == Py_None);
    EXPECT_VOID(BAD(PyErr_Fetch)(&t, &v, NULL), PyExc_SystemError, BADARG);
    CHECK(t == Py_None && v == Py_None);

    /* Documented: a NULL type clears the indicator, and the stolen value is released. */
    PyErr_SetString(PyExc_ValueError, "pending");
    EXPECT_VOID(BAD(PyErr_Restore)(NULL, NULL, NULL), NULL, NULL);
    CHECK_EQ_PTR(PyErr_Occurred(), NULL);
    Py_INCREF(i);
    EXPECT_VOID(BAD(PyErr_Restore)(NULL, i, NULL), NULL, NULL);
    PyErr_Clear();
    CHECK_REFCNT(i, 1);
    /* A traceback that is not one: CPython 3.10's _PyErr_Restore drops it (releasing it). */
    Py_INCREF(i);
    BAD(PyErr_Restore)(Py_NewRef(PyExc_TypeError), NULL, i);
    t = v = tb = Py_None;
    PyErr_Fetch(&t, &v, &tb);
    CHECK_EQ_PTR(t, PyExc_TypeError);
    CHECK_EQ_PTR(tb, NULL);
    if (tb == i) {
        Py_DECREF(tb);
    }
    Py_XDECREF(t);
    Py_XDECREF(v);
    CHECK_REFCNT(i, 1);

    /* NormalizeException: NULL slots. */
    t = v = tb = NULL;
    EXPECT_VOID(BAD(PyErr_NormalizeException)(NULL, &v, &tb), PyExc_SystemError, BADARG);
    EXPECT_VOID(BAD(PyErr_NormalizeException)(&t, NULL, &tb), PyExc_SystemError, BADARG);
    EXPECT_VOID(BAD(PyErr_NormalizeException)(&t, &v, NULL), PyExc_SystemError, BADARG);
    /* No exception in the slots: nothing to do. */
    EXPECT_VOID(BAD(PyErr_NormalizeException)(&t, &v, &tb), NULL, NULL);
    CHECK(t == NULL && v == NULL && tb == NULL);
    /* A type that is not an exception class: CPython leaves it and makes the value None. */
    t = Py_NewRef(i);
    EXPECT_VOID(BAD(PyErr_NormalizeException)(&t, &v, &tb), NULL, NULL);
    CHECK_EQ_PTR(t, i);
    CHECK_EQ_PTR(v, Py_None);
    CHECK_EQ_PTR(tb, NULL);
    Py_XDECREF(t);
    Py_XDECREF(v);
    Py_XDECREF(tb);
    CHECK_REFCNT(i, 1);

    /* Occurred / Clear take nothing; with nothing pending they are no-ops. */
    EXPECT_NULL(BAD(PyErr_Occurred)(), NULL, NULL);
    PyErr_Clear();
    EXPECT_VOID(BAD(PyErr_Clear)(), NULL, NULL);
    Py_DECREF(i);
}

static void case_err_matches(void)
{
    PyObject *i = fresh_int(), *tup;
    REQUIRE(i != NULL);
    tup = PyTuple_Pack(2, i, Py_None);
    REQUIRE(tup != NULL);

    EXPECT_INT_OK(BAD(PyErr_ExceptionMatches)(NULL), 0);
    EXPECT_INT_OK(BAD(PyErr_ExceptionMatches)(PyExc_TypeError), 0);
    PyErr_SetString(PyExc_TypeError, "pending");
    CHECK_EQ_INT(BAD(PyErr_ExceptionMatches)(NULL), 0);
    CHECK_EQ_INT(BAD(PyErr_ExceptionMatches)(i), 0);
    CHECK_EQ_INT(BAD(PyErr_ExceptionMatches)(tup), 0);
    /* The pending exception is untouched. */
    CHECK_EXC(PyExc_TypeError, "pending");

    EXPECT_INT_OK(BAD(PyErr_GivenExceptionMatches)(NULL, PyExc_TypeError), 0);
    EXPECT_INT_OK(BAD(PyErr_GivenExceptionMatches)(PyExc_TypeError, NULL), 0);
    EXPECT_INT_OK(BAD(PyErr_GivenExceptionMatches)(NULL, NULL), 0);
    EXPECT_INT_OK(BAD(PyErr_GivenExceptionMatches)(i, PyExc_TypeError), 0);
    EXPECT_INT_OK(BAD(PyErr_GivenExceptionMatches)(PyExc_TypeError, i), 0);
    EXPECT_INT_OK(BAD(PyErr_GivenExceptionMatches)(PyExc_TypeError, tup), 0);
    /* Neither is an exception: CPython compares identity. */
    EXPECT_INT_OK(BAD(PyErr_GivenExceptionMatches)(i, i), 1);
    CHECK_REFCNT(i, 2);
    Py_DECREF(tup);
    Py_DECREF(i);
}

static void case_err_misc(void)
{
    EXPECT_INT(BAD(PyErr_BadArgument)(), 0, PyExc_TypeError,
               "bad argument type for built-in operation");
    EXPECT_VOID(BAD(PyErr_BadInternalCall)(), PyExc_SystemError, BADARG);
    EXPECT_VOID(BAD(_PyErr_BadInternalCall)("f.c", 7), PyExc_SystemError,
                "f.c:7: " BADARG);
    /* A NULL or undecodable file name still raises the SystemError. */
    EXPECT_VOID(BAD(_PyErr_BadInternalCall)(NULL, -1), PyExc_SystemError, NULL);
    EXPECT_VOID(BAD(_PyErr_BadInternalCall)("\xff", INT_MIN), PyExc_SystemError, NULL);
    EXPECT_NULL(BAD(PyErr_NoMemory)(), PyExc_MemoryError, "");
}

static void case_err_excinfo(void)
{
    PyObject *t = Py_None, *v = Py_None, *tb = Py_None, *e;
    EXPECT_VOID(BAD(PyErr_GetExcInfo)(NULL, &v, &tb), PyExc_SystemError, BADARG);
    EXPECT_VOID(BAD(PyErr_GetExcInfo)(&t, NULL, &tb), PyExc_SystemError, BADARG);
    EXPECT_VOID(BAD(PyErr_GetExcInfo)(&t, &v, NULL), PyExc_SystemError, BADARG);
    CHECK(t == Py_None && v == Py_None && tb == Py_None);

    /* SetExcInfo(NULL, NULL, NULL) is documented: it clears the handled exception (and
     * releases what was there). */
    e = PyObject_CallNoArgs(PyExc_KeyError);
    REQUIRE(e != NULL);
    PyErr_SetExcInfo(Py_NewRef(PyExc_KeyError), e, NULL);
    EXPECT_VOID(BAD(PyErr_SetExcInfo)(NULL, NULL, NULL), NULL, NULL);
    PyErr_GetExcInfo(&t, &v, &tb);
    CHECK(t == NULL && v == NULL && tb == NULL);
}

static void case_err_warn(void)
{
    PyObject *i = fresh_int();
    REQUIRE(i != NULL);
    EXPECT_INT_OK(BAD(PyNative_SetWarningHandler)(count_warning, NULL), 0);
    EXPECT_INT_OK(BAD(PyNative_WarningsFilter)("always", NULL), 0);
    warnings_seen = 0;

    /* Documented: a NULL category means RuntimeWarning. */
    EXPECT_INT_OK(BAD(PyErr_WarnEx)(NULL, "null category", 1), 0);
    CHECK_EQ_INT(warnings_seen, 1);
    CHECK_EQ_PTR(last_warning_category, PyExc_RuntimeWarning);
    EXPECT_INT(BAD(PyErr_WarnEx)(PyExc_RuntimeWarning, NULL, 1), -1, PyExc_SystemError, BADARG);
    /* Not a Warning subclass. CPython: TypeError "'int' object is not callable" for the int;
     * pycoro documents TypeError for any category that is not a Warning subclass. */
    EXPECT_INT(BAD(PyErr_WarnEx)(i, "m", 1), -1, PyExc_TypeError, NULL);
    EXPECT_INT(BAD(PyErr_WarnEx)(PyExc_TypeError, "m", 1), -1, PyExc_TypeError, NULL);
    CHECK_REFCNT(i, 1);
    EXPECT_INT(BAD(PyErr_WarnEx)(PyExc_RuntimeWarning, "\xff", 1), -1,
               PyExc_UnicodeDecodeError, UTF8_FF);
    /* Stack levels out of range: the location falls back, nothing breaks. */
    warnings_seen = 0;
    EXPECT_INT_OK(BAD(PyErr_WarnEx)(PyExc_RuntimeWarning, "level -100", -100), 0);
    EXPECT_INT_OK(BAD(PyErr_WarnEx)(PyExc_RuntimeWarning, "level max", PY_SSIZE_T_MAX), 0);
    CHECK_EQ_INT(warnings_seen, 2);

    EXPECT_INT(BAD(PyErr_WarnExplicit)(PyExc_RuntimeWarning, NULL, "f.py", 1, NULL, NULL), -1,
               PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyErr_WarnExplicit)(PyExc_RuntimeWarning, "m", NULL, 1, NULL, NULL), -1,
               PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyErr_WarnExplicit)(i, "m", "f.py", 1, NULL, NULL), -1, PyExc_TypeError,
               NULL);
    EXPECT_INT(BAD(PyErr_WarnExplicit)(PyExc_RuntimeWarning, "\xff", "f.py", 1, NULL, NULL), -1,
               PyExc_UnicodeDecodeError, UTF8_FF);
    /* module and registry are unused (documented): any value is fine; so is any line. */
    warnings_seen = 0;
    EXPECT_INT_OK(BAD(PyErr_WarnExplicit)(PyExc_RuntimeWarning, "m", "f.py", -5, "\xff", i), 0);
    CHECK_EQ_INT(warnings_seen, 1);
    CHECK_REFCNT(i, 1);

    EXPECT_INT(BAD(PyErr_WarnFormat)(PyExc_RuntimeWarning, 1, NULL), -1, PyExc_SystemError,
               BADARG);
    EXPECT_INT(BAD(PyErr_WarnFormat)(i, 1, "x%d", 5), -1, PyExc_TypeError, NULL);
    EXPECT_INT(BAD(PyErr_WarnFormat)(PyExc_RuntimeWarning, 1, "%U", i), -1, PyExc_SystemError,
               NULL);
    EXPECT_INT(BAD(PyErr_WarnFormat)(PyExc_RuntimeWarning, 1, "%c", 0x110000), -1,
               PyExc_OverflowError, "character argument not in range(0x110000)");
    CHECK_REFCNT(i, 1);

    EXPECT_INT(BAD(PyErr_ResourceWarning)(NULL, 1, NULL), -1, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyErr_ResourceWarning)(i, 1, NULL), -1, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyErr_ResourceWarning)(NULL, 1, "%c", -1), -1, PyExc_OverflowError,
               "character argument not in range(0x110000)");
    /* Any source object, any stack level. */
    warnings_seen = 0;
    EXPECT_INT_OK(BAD(PyErr_ResourceWarning)(i, -3, "r %d", 1), 0);
    EXPECT_INT_OK(BAD(PyErr_ResourceWarning)(NULL, PY_SSIZE_T_MIN, "r %d", 2), 0);
    CHECK_EQ_INT(warnings_seen, 2);
    CHECK_REFCNT(i, 1);

    EXPECT_INT(BAD(PyNative_WarningsFilter)(NULL, NULL), -1, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyNative_WarningsFilter)("bogus", NULL), -1, PyExc_ValueError, NULL);
    EXPECT_INT(BAD(PyNative_WarningsFilter)("\xff", NULL), -1, PyExc_ValueError, NULL);
    EXPECT_INT(BAD(PyNative_WarningsFilter)("error", i), -1, PyExc_TypeError, NULL);
    EXPECT_INT(BAD(PyNative_WarningsFilter)("error", PyExc_TypeError), -1, PyExc_TypeError,
               NULL);

    EXPECT_INT_OK(BAD(PyNative_WarningsFilter)("reset", NULL), 0);
    /* Documented: NULL restores the default report. */
    EXPECT_INT_OK(BAD(PyNative_SetWarningHandler)(NULL, NULL), 0);
    Py_DECREF(i);
}

static void case_err_unraisable(void)
{
    PyObject *i = fresh_int();
    REQUIRE(i != NULL);
    EXPECT_VOID(BAD(PyNative_SetUnraisableHook)(count_unraisable, NULL), NULL, NULL);
    unraisables_seen = 0;

    /* Nothing pending: nothing to report (documented). */
    EXPECT_VOID(BAD(PyErr_WriteUnraisable)(NULL), NULL, NULL);
    EXPECT_VOID(BAD(PyErr_WriteUnraisable)(i), NULL, NULL);
    EXPECT_VOID(BAD(_PyErr_WriteUnraisableMsg)("msg", NULL), NULL, NULL);
    CHECK_EQ_INT(unraisables_seen, 0);

    /* A NULL object is allowed; the exception is reported and cleared. */
    PyErr_SetString(PyExc_ValueError, "v");
    EXPECT_VOID(BAD(PyErr_WriteUnraisable)(NULL), NULL, NULL);
    CHECK_EQ_INT(unraisables_seen, 1);
    CHECK_EQ_PTR(last_unraisable_object, NULL);
    /* Any object. */
    PyErr_SetString(PyExc_ValueError, "v");
    EXPECT_VOID(BAD(PyErr_WriteUnraisable)(i), NULL, NULL);
    CHECK_EQ_INT(unraisables_seen, 2);
    CHECK_EQ_PTR(last_unraisable_object, i);
    /* Documented: a NULL message is PyErr_WriteUnraisable(obj). */
    PyErr_SetString(PyExc_ValueError, "v");
    EXPECT_VOID(BAD(_PyErr_WriteUnraisableMsg)(NULL, i), NULL, NULL);
    CHECK_EQ_INT(unraisables_seen, 3);
    CHECK_EQ_INT(last_unraisable_had_msg, 0);
    /* An undecodable message is still reported, never raised. */
    PyErr_SetString(PyExc_ValueError, "v");
    EXPECT_VOID(BAD(_PyErr_WriteUnraisableMsg)("\xff", NULL), NULL, NULL);
    CHECK_EQ_INT(unraisables_seen, 4);
    /* An unnormalized, valueless exception. */
    PyErr_SetNone(PyExc_KeyError);
    EXPECT_VOID(BAD(PyErr_WriteUnraisable)(Py_None), NULL, NULL);
    CHECK_EQ_INT(unraisables_seen, 5);
    CHECK_REFCNT(i, 1);

    /* Documented: NULL restores the default report. */
    EXPECT_VOID(BAD(PyNative_SetUnraisableHook)(NULL, NULL), NULL, NULL);
    Py_DECREF(i);
}

/* =========================================================================================
 * Exception objects
 * ========================================================================================= */

static void case_exc_objects(void)
{
    PyObject *e = PyObject_CallNoArgs(PyExc_ValueError), *i = fresh_int(), *r;
    REQUIRE(e != NULL && i != NULL);

    EXPECT_NULL(BAD(PyException_GetTraceback)(NULL), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyException_GetTraceback)(i), PyExc_TypeError, NULL);
    /* The class where an instance goes. */
    EXPECT_NULL(BAD(PyException_GetTraceback)(PyExc_ValueError), PyExc_TypeError, NULL);
    EXPECT_NULL(BAD(PyException_GetContext)(NULL), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyException_GetContext)(i), PyExc_TypeError, NULL);
    EXPECT_NULL(BAD(PyException_GetCause)(NULL), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyException_GetCause)(i), PyExc_TypeError, NULL);

    EXPECT_INT(BAD(PyException_SetTraceback)(NULL, Py_None), -1, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyException_SetTraceback)(i, Py_None), -1, PyExc_TypeError, NULL);
    /* CPython 3.10 (BaseException_set_tb): */
    EXPECT_INT(BAD(PyException_SetTraceback)(e, i), -1, PyExc_TypeError,
               "__traceback__ must be a traceback or None");
    EXPECT_INT(BAD(PyException_SetTraceback)(e, NULL), -1, PyExc_TypeError,
               "__traceback__ may not be deleted");
    CHECK_REFCNT(i, 1);

    /* SetContext / SetCause steal the new value even when they fail. */
    Py_INCREF(i);
    EXPECT_VOID(BAD(PyException_SetContext)(NULL, i), PyExc_SystemError, BADARG);
    CHECK_REFCNT(i, 1);
    Py_INCREF(i);
    EXPECT_VOID(BAD(PyException_SetContext)(i, i), PyExc_TypeError, NULL);
    CHECK_REFCNT(i, 1);
    Py_INCREF(i);
    EXPECT_VOID(BAD(PyException_SetCause)(NULL, i), PyExc_SystemError, BADARG);
    CHECK_REFCNT(i, 1);
    Py_INCREF(i);
    EXPECT_VOID(BAD(PyException_SetCause)(i, i), PyExc_TypeError, NULL);
    CHECK_REFCNT(i, 1);
    /* A context / cause that is not an exception: what Python's setters reject
     * ("exception context/cause must be None or derive from BaseException"). */
    Py_INCREF(i);
    EXPECT_VOID(BAD(PyException_SetContext)(e, i), PyExc_TypeError, NULL);
    r = PyException_GetContext(e);
    CHECK_EQ_PTR(r, NULL);
    if (r == i) {
        Py_DECREF(r);
        PyException_SetContext(e, NULL);
    }
    CHECK_REFCNT(i, 1);
    Py_INCREF(i);
    EXPECT_VOID(BAD(PyException_SetCause)(e, i), PyExc_TypeError, NULL);
    r = PyException_GetCause(e);
    CHECK_EQ_PTR(r, NULL);
    if (r == i) {
        Py_DECREF(r);
        PyException_SetCause(e, NULL);
    }
    CHECK_REFCNT(i, 1);
    /* Documented: NULL clears. */
    EXPECT_VOID(BAD(PyException_SetContext)(e, NULL), NULL, NULL);
    EXPECT_VOID(BAD(PyException_SetCause)(e, NULL), NULL, NULL);

    CHECK_REFCNT(e, 1);
    Py_DECREF(e);
    Py_DECREF(i);
}

/* =========================================================================================
 * Code objects, frames, tracebacks
 * ========================================================================================= */

static void case_code(void)
{
    PyNative_Body body;
    PyObject *t = PyTuple_Pack(1, Py_None);
    PyCodeObject *co;
    PyFrameObject *f;
    REQUIRE(t != NULL);

    EXPECT_NULL(BAD(PyNative_NewCode)(NULL, "n", "f.c", 1, 0, 0, 0), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyNative_NewCode)(body_return_none, NULL, "f.c", 1, 0, 0, 0),
                PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyNative_NewCode)(body_return_none, "n", NULL, 1, 0, 0, 0),
                PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyNative_NewCode)(body_return_none, "n", "f.c", 1, 0x10000, 0, 0),
                PyExc_ValueError, NULL);
    EXPECT_NULL(BAD(PyNative_NewCode)(body_return_none, "n", "f.c", 1, -1, 0, 0),
                PyExc_ValueError, NULL);
    EXPECT_NULL(
        BAD(PyNative_NewCode)(body_return_none, "n", "f.c", 1, CO_GENERATOR | CO_COROUTINE, 0, 0),
        PyExc_ValueError, NULL);
    EXPECT_NULL(BAD(PyNative_NewCode)(body_return_none, "n", "f.c", 1,
                                      CO_COROUTINE | CO_ASYNC_GENERATOR, 0, 0),
                PyExc_ValueError, NULL);
    EXPECT_NULL(BAD(PyNative_NewCode)(body_return_none, "n", "f.c", 1, 0, -1, 0),
                PyExc_ValueError, NULL);
    EXPECT_NULL(BAD(PyNative_NewCode)(body_return_none, "n", "f.c", 1, 0, INT_MIN, 0),
                PyExc_ValueError, NULL);
    EXPECT_NULL(BAD(PyNative_NewCode)(body_return_none, "n", "f.c", 1, 0, 0, -1),
                PyExc_ValueError, NULL);
    EXPECT_NULL(BAD(PyNative_NewCode)(body_return_none, "\xff", "f.c", 1, 0, 0, 0),
                PyExc_UnicodeDecodeError, UTF8_FF);
    EXPECT_NULL(BAD(PyNative_NewCode)(body_return_none, "n", "\xff", 1, 0, 0, 0),
                PyExc_UnicodeDecodeError, UTF8_FF);

    /* An absurd state size: either the code is refused or its frame cannot be allocated. */
    co = BAD(PyNative_NewCode)(body_return_none, "huge", "f.c", 1, CO_GENERATOR, 0,
                               PY_SSIZE_T_MAX);
    if (co == NULL) {
        CHECK(PyErr_Occurred() != NULL);
        PyErr_Clear();
    } else {
        /* pycoro: calloc(2**63 + 400) */
        EXPECT_NULL(BAD(PyFrame_New)(NULL, co, NULL, NULL), PyExc_MemoryError, NULL);
        Py_DECREF(co);
    }

    EXPECT_NULL(BAD(PyCode_NewEmpty)(NULL, "f", 1), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyCode_NewEmpty)("f.c", NULL, 1), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyCode_NewEmpty)("\xff", "f", 1), PyExc_UnicodeDecodeError, UTF8_FF);
    EXPECT_NULL(BAD(PyCode_NewEmpty)("f.c", "\xff", 1), PyExc_UnicodeDecodeError, UTF8_FF);

    /* PyNative_CodeBody: NULL / a tuple (the result is a function pointer). */
    body = BAD(PyNative_CodeBody)(NULL);
    CHECK(body == NULL);
    CHECK_EXC(PyExc_SystemError, BADARG);
    body = BAD(PyNative_CodeBody)((PyCodeObject *)t);
    CHECK(body == NULL);
    CHECK_EXC(PyExc_SystemError, BADARG);

    /* Code without a body (PyCode_NewEmpty) makes frames that cannot run: a generator over
     * one must raise, not call through a NULL body. */
    co = PyCode_NewEmpty("empty.c", "empty", 3);
    REQUIRE(co != NULL);
    body = BAD(PyNative_CodeBody)(co);
    CHECK(body == NULL);
    CHECK_NO_EXC();
    f = PyFrame_New(NULL, co, NULL, NULL);
    Py_DECREF(co);
    REQUIRE(f != NULL);
    {
        PyObject *g = PyGen_New(f), *res = Py_None;
        REQUIRE(g != NULL);
        EXPECT_NULL(BAD(PyIter_Next)(g), PyExc_SystemError, NULL);
        Py_DECREF(g);
        co = PyCode_NewEmpty("empty.c", "empty", 3);
        REQUIRE(co != NULL);
        f = PyFrame_New(NULL, co, NULL, NULL);
        Py_DECREF(co);
        REQUIRE(f != NULL);
        g = PyCoro_New(f, NULL, NULL);
        REQUIRE(g != NULL);
        EXPECT_INT(BAD(PyIter_Send)(g, Py_None, &res), PYGEN_ERROR, PyExc_SystemError, NULL);
        CHECK_EQ_PTR(res, NULL);
        Py_DECREF(g);
    }
    CHECK_REFCNT(t, 1);
    Py_DECREF(t);
}

static void case_frames(void)
{
    PyObject *t = PyTuple_Pack(1, Py_None);
    PyFrameObject *f = new_frame(body_return_none, CO_GENERATOR);
    PyThreadState *ts = PyThreadState_Get();
    REQUIRE(t != NULL && f != NULL);

    EXPECT_NULL(BAD(PyFrame_New)(NULL, NULL, NULL, NULL), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyFrame_New)(ts, NULL, NULL, NULL), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyFrame_New)(NULL, (PyCodeObject *)t, NULL, NULL), PyExc_SystemError,
                BADARG);
    /* A frame where the code goes. */
    EXPECT_NULL(BAD(PyFrame_New)(NULL, (PyCodeObject *)f, NULL, NULL), PyExc_SystemError,
                BADARG);

    EXPECT_NULL(BAD(PyFrame_GetBack)(NULL), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyFrame_GetBack)((PyFrameObject *)t), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyFrame_GetCode)(NULL), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyFrame_GetCode)((PyFrameObject *)t), PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyFrame_GetLineNumber)(NULL), -1, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyFrame_GetLineNumber)((PyFrameObject *)t), -1, PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyNative_FrameState)(NULL), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyNative_FrameState)((PyFrameObject *)t), PyExc_SystemError, BADARG);

    EXPECT_INT(BAD(PyTraceBack_Here)(NULL), -1, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyTraceBack_Here)((PyFrameObject *)t), -1, PyExc_SystemError, BADARG);
    /* No exception pending: whatever it does, nothing may stay behind (the entry it may
     * have made holds a reference to the frame). */
    {
        int r = BAD(PyTraceBack_Here)(f);
        CHECK(r == 0 || r == -1);
        PyErr_Clear();
        CHECK_REFCNT(f, 1);
    }

    EXPECT_NULL(BAD(PyThreadState_GetFrame)(NULL), PyExc_SystemError, BADARG);
    /* No native frame runs here: NULL with no exception. */
    EXPECT_NULL(BAD(PyThreadState_GetFrame)(ts), NULL, NULL);
    CHECK_NO_EXC();
    EXPECT_NULL(BAD(PyEval_GetFrame)(), NULL, NULL);
    CHECK_NO_EXC();

    CHECK_REFCNT(t, 1);
    CHECK_REFCNT(f, 1);
    Py_DECREF(t);
    Py_DECREF(f);
}

/* =========================================================================================
 * genobject.h
 * ========================================================================================= */

static void case_gen_new(void)
{
    PyObject *t = PyTuple_Pack(1, Py_None), *name = PyUnicode_FromString("nm"), *g;
    PyFrameObject *f;
    REQUIRE(t != NULL && name != NULL);

    EXPECT_NULL(BAD(PyGen_New)(NULL), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyGen_NewWithQualName)(NULL, name, name), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyCoro_New)(NULL, name, name), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyAsyncGen_New)(NULL, name, name), PyExc_SystemError, BADARG);
    CHECK_REFCNT(name, 1);

    /* A tuple where the frame goes: TypeError, and the "frame" is stolen (released). */
    Py_INCREF(t);
    EXPECT_NULL(BAD(PyGen_New)((PyFrameObject *)t), PyExc_TypeError, NULL);
    CHECK_REFCNT(t, 1);
    Py_INCREF(t);
    EXPECT_NULL(BAD(PyGen_NewWithQualName)((PyFrameObject *)t, name, NULL), PyExc_TypeError,
                NULL);
    CHECK_REFCNT(t, 1);
    Py_INCREF(t);
    EXPECT_NULL(BAD(PyCoro_New)((PyFrameObject *)t, NULL, name), PyExc_TypeError, NULL);
    CHECK_REFCNT(t, 1);
    Py_INCREF(t);
    EXPECT_NULL(BAD(PyAsyncGen_New)((PyFrameObject *)t, name, name), PyExc_TypeError, NULL);
    CHECK_REFCNT(t, 1);
    CHECK_REFCNT(name, 1);

    /* A frame that already belongs to a generator: RuntimeError, the reference is stolen. */
    f = new_frame(body_yield_once, CO_GENERATOR);
    REQUIRE(f != NULL);
    Py_INCREF(f);
    g = PyGen_New(f);
    REQUIRE(g != NULL);
    CHECK_REFCNT(f, 2);
    Py_INCREF(f);
    EXPECT_NULL(BAD(PyGen_New)(f), PyExc_RuntimeError, NULL);
    CHECK_REFCNT(f, 2);
    Py_INCREF(f);
    EXPECT_NULL(BAD(PyCoro_New)(f, name, name), PyExc_RuntimeError, NULL);
    CHECK_REFCNT(f, 2);
    Py_INCREF(f);
    EXPECT_NULL(BAD(PyAsyncGen_New)(f, NULL, NULL), PyExc_RuntimeError, NULL);
    CHECK_REFCNT(f, 2);
    Py_INCREF(f);
    EXPECT_NULL(BAD(PyGen_NewWithQualName)(f, NULL, NULL), PyExc_RuntimeError, NULL);
    CHECK_REFCNT(f, 2);
    CHECK_REFCNT(name, 1);
    Py_DECREF(f);
    Py_DECREF(g);

    Py_DECREF(t);
    Py_DECREF(name);
}

static void case_gen_checks(void)
{
    PyObject *i = fresh_int();
    REQUIRE(i != NULL);
    /* Documented: NULL gives 0, never an exception. */
    EXPECT_INT_OK(BAD(PyGen_CheckExact)(NULL), 0);
    EXPECT_INT_OK(BAD(PyGen_CheckExact)(i), 0);
    EXPECT_INT_OK(BAD(PyCoro_CheckExact)(NULL), 0);
    EXPECT_INT_OK(BAD(PyCoro_CheckExact)(i), 0);
    EXPECT_INT_OK(BAD(PyAsyncGen_CheckExact)(NULL), 0);
    EXPECT_INT_OK(BAD(PyAsyncGen_CheckExact)(i), 0);
    EXPECT_INT_OK(BAD(PyAIter_Check)(NULL), 0);
    EXPECT_INT_OK(BAD(PyAIter_Check)(i), 0);
    EXPECT_INT_OK(BAD(PyIter_Check)(NULL), 0);
    EXPECT_INT_OK(BAD(PyIter_Check)(i), 0);
    EXPECT_INT_OK(BAD(PyCallable_Check)(NULL), 0);
    EXPECT_INT_OK(BAD(PyCallable_Check)(i), 0);
    Py_DECREF(i);
}

static void case_gen_iter(void)
{
    PyObject *i = fresh_int(), *g = new_gen(), *r;
    PyObject *res = Py_None;
    REQUIRE(i != NULL && g != NULL);

    EXPECT_NULL(BAD(PyIter_Next)(NULL), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyIter_Next)(i), PyExc_TypeError, "'int' object is not an iterator");
    EXPECT_NULL(BAD(PyObject_GetIter)(NULL), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyObject_GetIter)(i), PyExc_TypeError, "'int' object is not iterable");
    EXPECT_NULL(BAD(PyObject_SelfIter)(NULL), PyExc_SystemError, BADARG);
    {
        PyObject *b = _PyObject_New(&Broken_Type);
        REQUIRE(b != NULL);
        EXPECT_NULL(BAD(PyObject_GetIter)(b), PyExc_TypeError,
                    "iter() returned non-iterator of type 'NoneType'");
        EXPECT_INT(BAD(PyObject_Hash)(b), -1, PyExc_TypeError, "unhashable type: 'Broken'");
        CHECK_REFCNT(b, 1);
        Py_DECREF(b);
    }
    EXPECT_NULL(BAD(_PyObject_NextNotImplemented)(NULL), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(_PyObject_NextNotImplemented)(i), PyExc_TypeError,
                "'int' object is not iterable");

    EXPECT_INT(BAD(PyIter_Send)(NULL, Py_None, &res), PYGEN_ERROR, PyExc_SystemError, BADARG);
    CHECK_EQ_PTR(res, NULL);
    res = Py_None;
    EXPECT_INT(BAD(PyIter_Send)(g, NULL, &res), PYGEN_ERROR, PyExc_SystemError, BADARG);
    CHECK_EQ_PTR(res, NULL);
    EXPECT_INT(BAD(PyIter_Send)(g, Py_None, NULL), PYGEN_ERROR, PyExc_SystemError, BADARG);
    /* The generator was not resumed by any of those. */
    CHECK_EQ_INT(((PyGenObject *)g)->gi_frame->f_lasti, -1);
    /* Neither am_send nor an iterator: iter.send(arg), AttributeError (CPython 3.10). */
    res = Py_None;
    EXPECT_INT(BAD(PyIter_Send)(i, Py_None, &res), PYGEN_ERROR, PyExc_AttributeError,
               "'int' object has no attribute 'send'");
    CHECK_EQ_PTR(res, NULL);
    CHECK_REFCNT(i, 1);

    /* Documented: no exception set gives None; a NULL out-pointer raises. */
    EXPECT_INT(BAD(_PyGen_FetchStopIterationValue)(NULL), -1, PyExc_SystemError, BADARG);
    r = Py_False;
    PyErr_SetString(PyExc_ValueError, "other");
    CHECK_EQ_INT(BAD(_PyGen_FetchStopIterationValue)(&r), -1);
    CHECK_EQ_PTR(r, Py_False);
    CHECK_EXC(PyExc_ValueError, "other");
    /* Documented: a NULL value gives StopIteration with value None. */
    EXPECT_INT(BAD(_PyGen_SetStopIterationValue)(NULL), 0, PyExc_StopIteration, "");
    /* Documented: NULL and non-generators are ignored. */
    EXPECT_VOID(BAD(_PyGen_Finalize)(NULL), NULL, NULL);
    EXPECT_VOID(BAD(_PyGen_Finalize)(i), NULL, NULL);
    CHECK_REFCNT(i, 1);

    Py_DECREF(g);
    Py_DECREF(i);
}

/* Generator methods and attributes with bad arguments (through the call API). */
static void case_gen_methods(void)
{
    PyObject *g = new_gen(), *i = fresh_int(), *e;
    PyFrameObject *f;
    PyObject *c;
    REQUIRE(g != NULL && i != NULL);
    e = PyObject_CallNoArgs(PyExc_ValueError);
    REQUIRE(e != NULL);

    EXPECT_NULL(BAD(PyObject_CallMethod)(g, "send", NULL), PyExc_TypeError,
                "generator.send() takes exactly one argument (0 given)");
    EXPECT_NULL(BAD(PyObject_CallMethod)(g, "throw", "O", i), PyExc_TypeError,
                "exceptions must be classes or instances deriving from BaseException, not int");
    EXPECT_NULL(BAD(PyObject_CallMethod)(g, "throw", "OOO", PyExc_TypeError, Py_None, i),
                PyExc_TypeError, "throw() third argument must be a traceback object");
    EXPECT_NULL(BAD(PyObject_CallMethod)(g, "throw", "OO", e, i), PyExc_TypeError,
                "instance exception may not have a separate value");
    EXPECT_NULL(BAD(PyObject_CallMethod)(g, "close", "O", i), PyExc_TypeError,
                "generator.close() takes no arguments (1 given)");
    /* None of those started the generator. */
    CHECK_EQ_INT(((PyGenObject *)g)->gi_frame->f_lasti, -1);

    EXPECT_INT(BAD(PyObject_SetAttrString)(g, "__name__", i), -1, PyExc_TypeError,
               "__name__ must be set to a string object");
    EXPECT_INT(BAD(PyObject_SetAttrString)(g, "__name__", NULL), -1, PyExc_TypeError,
               "__name__ must be set to a string object");
    EXPECT_INT(BAD(PyObject_SetAttrString)(g, "__qualname__", i), -1, PyExc_TypeError,
               "__qualname__ must be set to a string object");
    EXPECT_INT(BAD(PyObject_SetAttrString)(g, "gi_running", Py_True), -1, PyExc_AttributeError,
               "attribute 'gi_running' of 'generator' objects is not writable");
    EXPECT_INT(BAD(PyObject_SetAttrString)(g, "gi_frame", Py_None), -1, PyExc_AttributeError,
               "readonly attribute");
    EXPECT_NULL(BAD(PyObject_GetAttrString)(g, "nosuch"), PyExc_AttributeError,
                "'generator' object has no attribute 'nosuch'");
    CHECK_REFCNT(i, 1);

    /* A just-started coroutine takes only None. */
    f = new_frame(body_yield_once, CO_COROUTINE);
    REQUIRE(f != NULL);
    c = PyCoro_New(f, NULL, NULL);
    REQUIRE(c != NULL);
    EXPECT_NULL(BAD(PyObject_CallMethod)(c, "send", "O", i), PyExc_TypeError,
                "can't send non-None value to a just-started coroutine");
    CHECK_REFCNT(i, 1);
    /* Close it so no never-awaited warning is due. */
    {
        PyObject *r = PyObject_CallMethod(c, "close", NULL);
        CHECK(r == Py_None);
        Py_XDECREF(r);
    }
    Py_DECREF(c);

    Py_DECREF(e);
    Py_DECREF(g);
    Py_DECREF(i);
}

/* =========================================================================================
 * Calls
 * ========================================================================================= */

static void case_calls(void)
{
    PyObject *f = PyCFunction_New(&noargs_def, NULL), *i = fresh_int(), *t, *name, *g;
    PyObject *f1 = PyCFunction_New(&o_def, NULL);
    PyObject *args[3];
    PyThreadState *ts = PyThreadState_Get();
    REQUIRE(f != NULL && f1 != NULL && i != NULL);
    t = PyTuple_New(0);
    name = PyUnicode_FromString("close");
    g = new_gen();
    REQUIRE(t != NULL && name != NULL && g != NULL);
    args[0] = g;
    args[1] = i;
    args[2] = NULL;

    EXPECT_NULL(BAD(PyObject_Call)(NULL, t, NULL), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyObject_Call)(f, NULL, NULL), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyObject_Call)(f, i, NULL), PyExc_TypeError, "argument list must be a tuple");
    EXPECT_NULL(BAD(PyObject_Call)(i, t, NULL), PyExc_TypeError, INT_NOT_CALLABLE);
    /* kwargs that is not a dict: CPython asserts (_PyStack_UnpackDict); pycoro raises. */
    EXPECT_NULL(BAD(PyObject_Call)(f, t, i), PyExc_SystemError, BADARG);

    EXPECT_NULL(BAD(PyObject_CallObject)(NULL, NULL), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyObject_CallObject)(f, i), PyExc_TypeError, "argument list must be a tuple");
    EXPECT_NULL(BAD(PyObject_CallObject)(i, NULL), PyExc_TypeError, INT_NOT_CALLABLE);

    EXPECT_NULL(BAD(PyObject_CallNoArgs)(NULL), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyObject_CallNoArgs)(i), PyExc_TypeError, INT_NOT_CALLABLE);
    EXPECT_NULL(BAD(PyObject_CallOneArg)(NULL, i), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyObject_CallOneArg)(f, NULL), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyObject_CallOneArg)(i, i), PyExc_TypeError, INT_NOT_CALLABLE);
    /* Too many arguments for METH_NOARGS. */
    EXPECT_NULL(BAD(PyObject_CallOneArg)(f, i), PyExc_TypeError,
                "noargs() takes no arguments (1 given)");

    EXPECT_NULL(BAD(PyObject_Vectorcall)(NULL, args, 1, NULL), PyExc_SystemError, BADARG);
    /* NULL args with nargs 1: CPython asserts (_PyObject_VectorcallTstate: "args != NULL ||
     * PyVectorcall_NARGS(nargsf) == 0"). */
    EXPECT_NULL(BAD(PyObject_Vectorcall)(f, NULL, 1, NULL), PyExc_SystemError, BADARG);
    /* The same with a METH_O function: args[0] is read through the NULL array. */
    EXPECT_NULL(BAD(PyObject_Vectorcall)(f1, NULL, 1, NULL), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyObject_Vectorcall)(i, args, 0, NULL), PyExc_TypeError, INT_NOT_CALLABLE);
    /* kwnames must be a tuple of str: CPython reads anything else as a tuple; pycoro raises. */
    EXPECT_NULL(BAD(PyObject_Vectorcall)(f, args, 0, i), PyExc_SystemError, BADARG);

    EXPECT_NULL(BAD(_PyObject_MakeTpCall)(ts, NULL, NULL, 0, NULL), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(_PyObject_MakeTpCall)(ts, i, NULL, 0, NULL), PyExc_TypeError,
                INT_NOT_CALLABLE);
    /* CPython 3.10: _PyTuple_FromArray(args, -1) -> tuple_alloc(-1) -> BadInternalCall. */
    EXPECT_NULL(BAD(_PyObject_MakeTpCall)(ts, f, args, -1, NULL), PyExc_SystemError, BADARG);
    /* NULL args with arguments to pass: slice::from_raw_parts(NULL, 2) aborts. */
    EXPECT_NULL(BAD(_PyObject_MakeTpCall)(ts, f, NULL, 2, NULL), PyExc_SystemError, BADARG);

    EXPECT_NULL(BAD(PyVectorcall_Call)(NULL, t, NULL), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyVectorcall_Call)(i, t, NULL), PyExc_TypeError,
                "'int' object does not support vectorcall");
    EXPECT_NULL(BAD(PyVectorcall_Call)(f, NULL, NULL), PyExc_SystemError, BADARG);
    /* An int where the argument tuple goes (CPython reads it as a tuple). */
    EXPECT_NULL(BAD(PyVectorcall_Call)(f, i, NULL), PyExc_SystemError, BADARG);
    /* The same with a METH_O function: the int's digit is passed as the argument. */
    EXPECT_NULL(BAD(PyVectorcall_Call)(f1, i, NULL), PyExc_SystemError, BADARG);

    /* PyVectorcall_Function: a function pointer result. */
    {
        vectorcallfunc vf = BAD(PyVectorcall_Function)(NULL);
        CHECK(vf == NULL);
        CHECK_EXC(PyExc_SystemError, BADARG);
        vf = BAD(PyVectorcall_Function)(i);
        CHECK(vf == NULL);
        CHECK_NO_EXC();
    }

    EXPECT_NULL(BAD(PyObject_VectorcallMethod)(NULL, args, 1, NULL), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyObject_VectorcallMethod)(name, NULL, 1, NULL), PyExc_SystemError, BADARG);
    /* No self (nargs 0): CPython asserts. */
    EXPECT_NULL(BAD(PyObject_VectorcallMethod)(name, args, 0, NULL), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyObject_VectorcallMethod)(i, args, 1, NULL), PyExc_TypeError, NOT_STR);
    EXPECT_NULL(BAD(PyObject_VectorcallMethod)(name, args + 1, 1, NULL), PyExc_AttributeError,
                "'int' object has no attribute 'close'");

    EXPECT_NULL(BAD(PyObject_CallMethodNoArgs)(NULL, name), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyObject_CallMethodNoArgs)(g, NULL), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyObject_CallMethodNoArgs)(g, i), PyExc_TypeError, NOT_STR);
    EXPECT_NULL(BAD(PyObject_CallMethodOneArg)(NULL, name, i), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyObject_CallMethodOneArg)(g, NULL, i), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyObject_CallMethodOneArg)(g, name, NULL), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyObject_CallMethodOneArg)(g, i, i), PyExc_TypeError, NOT_STR);

    CHECK_REFCNT(i, 1);
    CHECK_REFCNT(f, 1);
    CHECK_REFCNT(g, 1);
    CHECK_REFCNT(name, 1);
    CHECK_EQ_INT(((PyGenObject *)g)->gi_frame->f_lasti, -1);
    Py_DECREF(g);
    Py_DECREF(name);
    Py_DECREF(t);
    Py_DECREF(f);
    Py_DECREF(f1);
    Py_DECREF(i);
}

static void case_calls_varargs(void)
{
    PyObject *f = PyCFunction_New(&noargs_def, NULL), *i = fresh_int(), *name, *g;
    REQUIRE(f != NULL && i != NULL);
    name = PyUnicode_FromString("close");
    g = new_gen();
    REQUIRE(name != NULL && g != NULL);

    EXPECT_NULL(BAD(PyObject_CallFunction)(NULL, NULL), PyExc_SystemError, NULLARG);
    EXPECT_NULL(BAD(PyObject_CallFunction)(i, NULL), PyExc_TypeError, INT_NOT_CALLABLE);
    EXPECT_NULL(BAD(PyObject_CallFunction)(f, "(i", 1), PyExc_SystemError, PAREN);
    EXPECT_NULL(BAD(PyObject_CallFunction)(f, "O", (PyObject *)NULL), PyExc_SystemError, NULLOBJ);
    EXPECT_NULL(BAD(PyObject_CallFunction)(f, "y", "b"), PyExc_SystemError, BADFMT);
    EXPECT_NULL(BAD(_PyObject_CallFunction_SizeT)(NULL, NULL), PyExc_SystemError, NULLARG);
    EXPECT_NULL(BAD(_PyObject_CallFunction_SizeT)(i, "()"), PyExc_TypeError, INT_NOT_CALLABLE);
    EXPECT_NULL(BAD(_PyObject_CallFunction_SizeT)(f, "(i", 1), PyExc_SystemError, PAREN);

    EXPECT_NULL(BAD(PyObject_CallFunctionObjArgs)(NULL, i, NULL), PyExc_SystemError, NULLARG);
    EXPECT_NULL(BAD(PyObject_CallFunctionObjArgs)(i, NULL), PyExc_TypeError, INT_NOT_CALLABLE);

    EXPECT_NULL(BAD(PyObject_CallMethod)(NULL, "close", NULL), PyExc_SystemError, NULLARG);
    EXPECT_NULL(BAD(PyObject_CallMethod)(g, NULL, NULL), PyExc_SystemError, NULLARG);
    EXPECT_NULL(BAD(PyObject_CallMethod)(i, "nosuch", NULL), PyExc_AttributeError,
                "'int' object has no attribute 'nosuch'");
    EXPECT_NULL(BAD(PyObject_CallMethod)(g, "\xff", NULL), PyExc_UnicodeDecodeError, UTF8_FF);
    EXPECT_NULL(BAD(PyObject_CallMethod)(g, "close", "(i", 1), PyExc_SystemError, PAREN);
    EXPECT_NULL(BAD(_PyObject_CallMethod_SizeT)(NULL, "close", NULL), PyExc_SystemError, NULLARG);
    EXPECT_NULL(BAD(_PyObject_CallMethod_SizeT)(g, NULL, NULL), PyExc_SystemError, NULLARG);
    EXPECT_NULL(BAD(_PyObject_CallMethod_SizeT)(i, "nosuch", NULL), PyExc_AttributeError,
                "'int' object has no attribute 'nosuch'");

    EXPECT_NULL(BAD(PyObject_CallMethodObjArgs)(NULL, name, NULL), PyExc_SystemError, NULLARG);
    EXPECT_NULL(BAD(PyObject_CallMethodObjArgs)(g, NULL, NULL), PyExc_SystemError, NULLARG);
    EXPECT_NULL(BAD(PyObject_CallMethodObjArgs)(g, i, NULL), PyExc_TypeError, NOT_STR);

    CHECK_REFCNT(i, 1);
    CHECK_REFCNT(g, 1);
    CHECK_REFCNT(name, 1);
    CHECK_EQ_INT(((PyGenObject *)g)->gi_frame->f_lasti, -1);
    Py_DECREF(g);
    Py_DECREF(name);
    Py_DECREF(f);
    Py_DECREF(i);
}

static void case_cfunction(void)
{
    PyObject *i = fresh_int(), *fn;
    REQUIRE(i != NULL);
    EXPECT_NULL(BAD(PyCFunction_New)(NULL, NULL), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyCFunction_NewEx)(NULL, i, i), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyCMethod_New)(NULL, i, i, &PyLong_Type), PyExc_SystemError, BADARG);
    CHECK_REFCNT(i, 1);
    /* CPython 3.10's messages. */
    EXPECT_NULL(BAD(PyCFunction_New)(&badflags_def, NULL), PyExc_SystemError,
                "bad() method: bad call flags");
    EXPECT_NULL(BAD(PyCFunction_NewEx)(&badflags_def, i, NULL), PyExc_SystemError,
                "bad() method: bad call flags");
    EXPECT_NULL(BAD(PyCMethod_New)(&method_def, NULL, NULL, NULL), PyExc_SystemError,
                "attempting to create PyCMethod with a METH_METHOD flag but no class");
    EXPECT_NULL(BAD(PyCMethod_New)(&noargs_def, NULL, NULL, &PyLong_Type), PyExc_SystemError,
                "attempting to create PyCFunction with class but no METH_METHOD flag");
    CHECK_REFCNT(i, 1);
    /* A method whose ml_meth is NULL: refused at creation or at the call, never called. */
    fn = BAD(PyCFunction_NewEx)(&nullmeth_def, NULL, NULL);
    if (fn == NULL) {
        CHECK_EXC(PyExc_SystemError, NULL);
    } else {
        /* pycoro accepts it and the call jumps to address 0. */
        EXPECT_NULL(BAD(PyObject_CallNoArgs)(fn), PyExc_SystemError, NULL);
        Py_DECREF(fn);
    }
    Py_DECREF(i);
}

/* =========================================================================================
 * modsupport.h: Py_BuildValue and friends
 * ========================================================================================= */

static void case_buildvalue(void)
{
    PyObject *i = fresh_int();
    REQUIRE(i != NULL);

    EXPECT_NULL(BAD(Py_BuildValue)(NULL), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(Py_BuildValue)("(i", 1), PyExc_SystemError, PAREN);
    EXPECT_NULL(BAD(Py_BuildValue)("((i)", 1), PyExc_SystemError, PAREN);
    EXPECT_NULL(BAD(Py_BuildValue)("O", (PyObject *)NULL), PyExc_SystemError, NULLOBJ);
    EXPECT_NULL(BAD(Py_BuildValue)("S", (PyObject *)NULL), PyExc_SystemError, NULLOBJ);
    EXPECT_NULL(BAD(Py_BuildValue)("N", (PyObject *)NULL), PyExc_SystemError, NULLOBJ);
    EXPECT_NULL(BAD(Py_BuildValue)("Q", 1), PyExc_SystemError, BADFMT);
    EXPECT_NULL(BAD(Py_BuildValue)("d", 1.0), PyExc_SystemError, BADFMT);
    EXPECT_NULL(BAD(Py_BuildValue)("s", "\xff"), PyExc_UnicodeDecodeError, UTF8_FF);
    EXPECT_NULL(BAD(Py_BuildValue)("C", 0x110000), PyExc_ValueError,
                "chr() arg not in range(0x110000)");
    EXPECT_NULL(BAD(Py_BuildValue)("C", -1), PyExc_ValueError,
                "chr() arg not in range(0x110000)");
    /* An N argument is stolen even when the build fails. */
    Py_INCREF(i);
    EXPECT_NULL(BAD(Py_BuildValue)("NO", i, (PyObject *)NULL), PyExc_SystemError, NULLOBJ);
    CHECK_REFCNT(i, 1);
    Py_INCREF(i);
    EXPECT_NULL(BAD(Py_BuildValue)("(N(i)", i, 1), PyExc_SystemError, PAREN);
    CHECK_REFCNT(i, 1);
    Py_INCREF(i);
    EXPECT_NULL(BAD(Py_BuildValue)("dN", 1.0, i), PyExc_SystemError, BADFMT);
    CHECK_REFCNT(i, 1);
    /* A negative length means strlen (CPython). */
    EXPECT_TEXT(BAD(Py_BuildValue)("s#", "abc", -1), "abc");
    EXPECT_TEXT(BAD(_Py_BuildValue_SizeT)("s#", "abc", (Py_ssize_t)-1), "abc");
    /* NULL strings give None (documented). */
    {
        PyObject *r = BAD(Py_BuildValue)("z", (const char *)NULL);
        CHECK_EQ_PTR(r, Py_None);
        Py_XDECREF(r);
    }

    EXPECT_NULL(BAD(_Py_BuildValue_SizeT)(NULL), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(_Py_BuildValue_SizeT)("(i", 1), PyExc_SystemError, PAREN);
    EXPECT_NULL(BAD(_Py_BuildValue_SizeT)("O", (PyObject *)NULL), PyExc_SystemError, NULLOBJ);
    EXPECT_NULL(call_vabuild(NULL), PyExc_SystemError, BADARG);
    EXPECT_NULL(call_vabuild("(i", 1), PyExc_SystemError, PAREN);
    EXPECT_NULL(call_vabuild("O", (PyObject *)NULL), PyExc_SystemError, NULLOBJ);
    EXPECT_NULL(call_vabuild_sizet(NULL), PyExc_SystemError, BADARG);
    EXPECT_NULL(call_vabuild_sizet("(i", 1), PyExc_SystemError, PAREN);
    Py_INCREF(i);
    EXPECT_NULL(call_vabuild_sizet("NQ", i, 1), PyExc_SystemError, BADFMT);
    CHECK_REFCNT(i, 1);
    Py_DECREF(i);
}

/* =========================================================================================
 * unicodeobject.h
 * ========================================================================================= */

static void case_unicode(void)
{
    PyObject *i = fresh_int(), *s = PyUnicode_FromString("abc"), *p;
    Py_ssize_t n = 77;
    REQUIRE(i != NULL && s != NULL);

    EXPECT_NULL(BAD(PyUnicode_FromString)(NULL), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyUnicode_FromString)("\xff"), PyExc_UnicodeDecodeError, UTF8_FF);
    EXPECT_NULL(BAD(PyUnicode_FromStringAndSize)("a", -1), PyExc_SystemError,
                "Negative size passed to PyUnicode_FromStringAndSize");
    EXPECT_NULL(BAD(PyUnicode_FromStringAndSize)("a", PY_SSIZE_T_MIN), PyExc_SystemError,
                "Negative size passed to PyUnicode_FromStringAndSize");
    /* pycoro: NULL only with size 0 (CPython returns an uninitialized string). */
    EXPECT_NULL(BAD(PyUnicode_FromStringAndSize)(NULL, 5), PyExc_SystemError, NULL);
    EXPECT_NULL(BAD(PyUnicode_FromStringAndSize)("\xff", 1), PyExc_UnicodeDecodeError, UTF8_FF);
    EXPECT_TEXT(BAD(PyUnicode_FromStringAndSize)(NULL, 0), "");
    EXPECT_NULL(BAD(PyUnicode_InternFromString)(NULL), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyUnicode_InternFromString)("\xff"), PyExc_UnicodeDecodeError, UTF8_FF);

    EXPECT_NULL(BAD(PyUnicode_AsUTF8)(NULL), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyUnicode_AsUTF8)(i), PyExc_TypeError,
                "bad argument type for built-in operation");
    EXPECT_NULL(BAD(PyUnicode_AsUTF8AndSize)(NULL, &n), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyUnicode_AsUTF8AndSize)(i, &n), PyExc_TypeError,
                "bad argument type for built-in operation");
    CHECK_EQ_INT(n, 77);
    EXPECT_INT(BAD(PyUnicode_GetLength)(NULL), -1, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyUnicode_GetLength)(i), -1, PyExc_TypeError,
               "bad argument type for built-in operation");

    EXPECT_INT(BAD(PyUnicode_Compare)(NULL, s), -1, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyUnicode_Compare)(s, NULL), -1, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyUnicode_Compare)(i, s), -1, PyExc_TypeError, "Can't compare int and str");
    EXPECT_INT(BAD(PyUnicode_Compare)(s, i), -1, PyExc_TypeError, "Can't compare str and int");

    /* The string operations: NULL (CPython crashes) and non-str arguments (CPython's
       messages). */
#define MUST_STR "must be str, not int"
    EXPECT_NULL(BAD(PyUnicode_Concat)(NULL, s), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyUnicode_Concat)(s, NULL), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyUnicode_Concat)(i, s), PyExc_TypeError, MUST_STR);
    EXPECT_NULL(BAD(PyUnicode_Concat)(s, i), PyExc_TypeError,
                "can only concatenate str (not \"int\") to str");
    EXPECT_INT(BAD(PyUnicode_Contains)(NULL, s), -1, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyUnicode_Contains)(s, NULL), -1, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyUnicode_Contains)(i, s), -1, PyExc_TypeError, MUST_STR);
    EXPECT_INT(BAD(PyUnicode_Contains)(s, i), -1, PyExc_TypeError,
               "'in <string>' requires string as left operand, not int");
    EXPECT_NULL(BAD(PyUnicode_RichCompare)(NULL, s, Py_EQ), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyUnicode_RichCompare)(s, NULL, Py_EQ), PyExc_SystemError, BADARG);
    /* pycoro: an invalid operation raises (CPython aborts). */
    EXPECT_NULL(BAD(PyUnicode_RichCompare)(s, s, 6), PyExc_TypeError,
                "bad argument type for built-in operation");
    {
        PyObject *r = BAD(PyUnicode_RichCompare)(s, i, Py_EQ);
        CHECK_EQ_PTR(r, Py_NotImplemented);
        CHECK_NO_EXC();
        Py_DECREF(r);
    }
    EXPECT_NULL(BAD(PyUnicode_Join)(s, NULL), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyUnicode_Join)(s, i), PyExc_TypeError, "can only join an iterable");
    EXPECT_NULL(BAD(PyUnicode_Split)(NULL, NULL, -1), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyUnicode_Split)(i, NULL, -1), PyExc_TypeError, MUST_STR);
    EXPECT_NULL(BAD(PyUnicode_Split)(s, i, -1), PyExc_TypeError, MUST_STR);
    EXPECT_NULL(BAD(PyUnicode_RSplit)(NULL, NULL, -1), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyUnicode_RSplit)(s, i, -1), PyExc_TypeError, MUST_STR);
    EXPECT_NULL(BAD(PyUnicode_Splitlines)(NULL, 0), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyUnicode_Splitlines)(i, 0), PyExc_TypeError, MUST_STR);
    EXPECT_NULL(BAD(PyUnicode_Partition)(NULL, s), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyUnicode_Partition)(s, NULL), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyUnicode_Partition)(s, i), PyExc_TypeError, MUST_STR);
    EXPECT_NULL(BAD(PyUnicode_RPartition)(NULL, s), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyUnicode_RPartition)(i, s), PyExc_TypeError, MUST_STR);
    EXPECT_INT(BAD(PyUnicode_Count)(NULL, s, 0, 1), -1, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyUnicode_Count)(s, i, 0, 1), -1, PyExc_TypeError, MUST_STR);
    EXPECT_INT(BAD(PyUnicode_Find)(NULL, s, 0, 1, 1), -2, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyUnicode_Find)(s, NULL, 0, 1, 1), -2, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyUnicode_Find)(i, s, 0, 1, 1), -2, PyExc_TypeError, MUST_STR);
    EXPECT_INT(BAD(PyUnicode_FindChar)(NULL, 'a', 0, 1, 1), -2, PyExc_SystemError, BADARG);
    /* pycoro: a non-str is refused (CPython reads it as a string). */
    EXPECT_INT(BAD(PyUnicode_FindChar)(i, 'a', 0, 1, 1), -2, PyExc_TypeError, MUST_STR);
    EXPECT_INT_OK(BAD(PyUnicode_FindChar)(s, 0x110000, 0, 100, 1), -1);
    EXPECT_INT(BAD(PyUnicode_Tailmatch)(NULL, s, 0, 1, 1), -1, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyUnicode_Tailmatch)(s, i, 0, 1, 1), -1, PyExc_TypeError, MUST_STR);
    EXPECT_NULL(BAD(PyUnicode_Replace)(NULL, s, s, -1), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyUnicode_Replace)(s, NULL, s, -1), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyUnicode_Replace)(s, s, NULL, -1), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyUnicode_Replace)(s, s, i, -1), PyExc_TypeError, MUST_STR);
    EXPECT_NULL(BAD(PyUnicode_Format)(NULL, s), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyUnicode_Format)(s, NULL), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyUnicode_Format)(i, s), PyExc_TypeError, MUST_STR);
    EXPECT_INT(BAD(PyUnicode_IsIdentifier)(NULL), -1, PyExc_SystemError, BADARG);
    /* pycoro: a non-str is refused (CPython reads it as a string). */
    EXPECT_INT(BAD(PyUnicode_IsIdentifier)(i), -1, PyExc_TypeError, MUST_STR);
    EXPECT_INT_OK(BAD(PyUnicode_IsIdentifier)(s), 1);
#undef MUST_STR

    /* Documented: never raises. */
    {
        int r = BAD(PyUnicode_CompareWithASCIIString)(NULL, "a");
        CHECK(r >= -1 && r <= 1);
        CHECK_NO_EXC();
        r = BAD(PyUnicode_CompareWithASCIIString)(s, NULL);
        CHECK(r >= -1 && r <= 1);
        CHECK_NO_EXC();
        r = BAD(PyUnicode_CompareWithASCIIString)(i, "a");
        CHECK(r >= -1 && r <= 1);
        CHECK_NO_EXC();
    }

    /* InternInPlace: a NULL pointer is a bad call; *p NULL or not a str is left alone. */
    EXPECT_VOID(BAD(PyUnicode_InternInPlace)(NULL), PyExc_SystemError, BADARG);
    p = NULL;
    EXPECT_VOID(BAD(PyUnicode_InternInPlace)(&p), NULL, NULL);
    CHECK_EQ_PTR(p, NULL);
    p = i;
    EXPECT_VOID(BAD(PyUnicode_InternInPlace)(&p), NULL, NULL);
    CHECK_EQ_PTR(p, i);
    CHECK_REFCNT(i, 1);

    EXPECT_NULL(BAD(PyUnicode_FromFormat)(NULL), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyUnicode_FromFormat)("%c", 0x110000), PyExc_OverflowError,
                "character argument not in range(0x110000)");
    EXPECT_NULL(BAD(PyUnicode_FromFormat)("%c", -1), PyExc_OverflowError,
                "character argument not in range(0x110000)");
    EXPECT_NULL(BAD(PyUnicode_FromFormat)("\xe9"), PyExc_ValueError,
                "PyUnicode_FromFormatV() expects an ASCII-encoded format string, got a "
                "non-ASCII byte: 0xe9");
    EXPECT_NULL(BAD(PyUnicode_FromFormat)("%U", i), PyExc_SystemError, NULL);
    EXPECT_NULL(BAD(PyUnicode_FromFormat)("%U", (PyObject *)NULL), PyExc_SystemError, NULL);
    EXPECT_NULL(BAD(PyUnicode_FromFormat)("%s", (const char *)NULL), PyExc_SystemError, NULL);
    EXPECT_NULL(BAD(PyUnicode_FromFormat)("%V", (PyObject *)NULL, (const char *)NULL),
                PyExc_SystemError, NULL);
    EXPECT_NULL(BAD(PyUnicode_FromFormat)("%V", i, "x"), PyExc_SystemError, NULL);
    EXPECT_NULL(BAD(PyUnicode_FromFormat)("%c", 0xD800), PyExc_ValueError, NULL);
    /* Documented: NULL objects print as <NULL>. */
    EXPECT_TEXT(BAD(PyUnicode_FromFormat)("%S|%R|%A", (PyObject *)NULL, (PyObject *)NULL,
                                         (PyObject *)NULL),
                "<NULL>|<NULL>|<NULL>");
    CHECK_REFCNT(i, 1);
    EXPECT_NULL(call_fromformatv(NULL), PyExc_SystemError, BADARG);
    EXPECT_NULL(call_fromformatv("%U", i), PyExc_SystemError, NULL);
    EXPECT_NULL(call_fromformatv("%c", 0x110000), PyExc_OverflowError,
                "character argument not in range(0x110000)");
    CHECK_REFCNT(i, 1);
    CHECK_REFCNT(s, 1);
    Py_DECREF(s);
    Py_DECREF(i);
}

/* =========================================================================================
 * tupleobject.h
 * ========================================================================================= */

static void case_tuple(void)
{
    PyObject *i = fresh_int(), *t2 = NULL, *r;
    REQUIRE(i != NULL);
    t2 = PyTuple_Pack(2, Py_None, Py_True);
    REQUIRE(t2 != NULL);

    EXPECT_NULL(BAD(PyTuple_New)(-1), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyTuple_New)(PY_SSIZE_T_MIN), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyTuple_New)(PY_SSIZE_T_MAX), PyExc_MemoryError, NULL);
    /* pycoro: calloc(2**63 - 32) */
    EXPECT_NULL(BAD(PyTuple_New)(PY_SSIZE_T_MAX / 8), PyExc_MemoryError, NULL);

    EXPECT_INT(BAD(PyTuple_Size)(NULL), -1, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyTuple_Size)(i), -1, PyExc_SystemError, BADARG);

    EXPECT_NULL(BAD(PyTuple_GetItem)(NULL, 0), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyTuple_GetItem)(i, 0), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyTuple_GetItem)(t2, 2), PyExc_IndexError, "tuple index out of range");
    EXPECT_NULL(BAD(PyTuple_GetItem)(t2, -1), PyExc_IndexError, "tuple index out of range");
    EXPECT_NULL(BAD(PyTuple_GetItem)(t2, PY_SSIZE_T_MAX), PyExc_IndexError,
                "tuple index out of range");
    EXPECT_NULL(BAD(PyTuple_GetItem)(t2, PY_SSIZE_T_MIN), PyExc_IndexError,
                "tuple index out of range");

    /* SetItem steals the item even when it fails. */
    Py_INCREF(i);
    EXPECT_INT(BAD(PyTuple_SetItem)(NULL, 0, i), -1, PyExc_SystemError, BADARG);
    CHECK_REFCNT(i, 1);
    Py_INCREF(i);
    EXPECT_INT(BAD(PyTuple_SetItem)(i, 0, i), -1, PyExc_SystemError, BADARG);
    CHECK_REFCNT(i, 1);
    {
        PyObject *fresh = PyTuple_New(2);
        REQUIRE(fresh != NULL);
        Py_INCREF(i);
        EXPECT_INT(BAD(PyTuple_SetItem)(fresh, 2, i), -1, PyExc_IndexError,
                   "tuple assignment index out of range");
        CHECK_REFCNT(i, 1);
        Py_INCREF(i);
        EXPECT_INT(BAD(PyTuple_SetItem)(fresh, -1, i), -1, PyExc_IndexError,
                   "tuple assignment index out of range");
        CHECK_REFCNT(i, 1);
        Py_INCREF(i);
        EXPECT_INT(BAD(PyTuple_SetItem)(fresh, PY_SSIZE_T_MIN, i), -1, PyExc_IndexError,
                   "tuple assignment index out of range");
        CHECK_REFCNT(i, 1);
        /* A shared tuple (reference count 2) must not be modified. */
        Py_INCREF(fresh);
        Py_INCREF(i);
        EXPECT_INT(BAD(PyTuple_SetItem)(fresh, 0, i), -1, PyExc_SystemError, BADARG);
        CHECK_REFCNT(i, 1);
        CHECK_EQ_PTR(PyTuple_GET_ITEM(fresh, 0), NULL);
        Py_DECREF(fresh);
        Py_DECREF(fresh);
    }
    /* The empty tuple is shared (immortal): SetItem on it must fail too. */
    {
        PyObject *empty = PyTuple_New(0);
        REQUIRE(empty != NULL);
        Py_INCREF(i);
        EXPECT_INT(BAD(PyTuple_SetItem)(empty, 0, i), -1, PyExc_SystemError, NULL);
        CHECK_REFCNT(i, 1);
        Py_DECREF(empty);
    }

    EXPECT_NULL(BAD(PyTuple_GetSlice)(NULL, 0, 1), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyTuple_GetSlice)(i, 0, 1), PyExc_SystemError, BADARG);
    /* Out-of-range indices are clamped (as in Python). */
    r = BAD(PyTuple_GetSlice)(t2, -5, 100);
    CHECK_EQ_PTR(r, t2);
    Py_XDECREF(r);
    r = BAD(PyTuple_GetSlice)(t2, PY_SSIZE_T_MIN, PY_SSIZE_T_MAX);
    CHECK_EQ_PTR(r, t2);
    Py_XDECREF(r);
    r = BAD(PyTuple_GetSlice)(t2, 5, 1);
    CHECK(r != NULL && PyTuple_Check(r) && PyTuple_GET_SIZE(r) == 0);
    Py_XDECREF(r);
    CHECK_NO_EXC();

    EXPECT_NULL(BAD(PyTuple_Pack)(-1), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyTuple_Pack)(PY_SSIZE_T_MIN), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyTuple_Pack)(2, i, (PyObject *)NULL), PyExc_SystemError, NULL);
    EXPECT_NULL(BAD(PyTuple_Pack)(1, (PyObject *)NULL), PyExc_SystemError, NULL);
    CHECK_REFCNT(i, 1);

    CHECK_REFCNT(t2, 1);
    Py_DECREF(t2);
    Py_DECREF(i);
}

/* =========================================================================================
 * dictobject.h, descrobject.h (mappingproxy)
 * ========================================================================================= */

static void case_dict(void)
{
    PyObject *i = fresh_int(), *d = PyDict_New(), *k = PyUnicode_FromString("key"),
             *lst = PyList_New(0), *b = NULL, *r;
    Py_ssize_t pos = 0;
    PyObject *pk = NULL, *pv = NULL;
    REQUIRE(i != NULL && d != NULL && k != NULL && lst != NULL);
    b = PyType_GenericNew(&Broken_Type, NULL, NULL);
    REQUIRE(b != NULL);

    /* PyDict_New takes nothing: its only failure is MemoryError. */
    r = BAD(PyDict_New)();
    CHECK(r != NULL && PyDict_CheckExact(r) && PyDict_Size(r) == 0);
    Py_XDECREF(r);

    /* Not a dict / NULL: SystemError (CPython: BadInternalCall, or a crash for NULL). */
    EXPECT_INT(BAD(PyDict_SetItem)(NULL, k, i), -1, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyDict_SetItem)(i, k, i), -1, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyDict_SetItem)(d, NULL, i), -1, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyDict_SetItem)(d, k, NULL), -1, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyDict_SetItem)(d, lst, i), -1, PyExc_TypeError, "unhashable type: 'list'");
    EXPECT_INT(BAD(PyDict_SetItem)(d, b, i), -1, PyExc_TypeError, "unhashable type: 'Broken'");
    EXPECT_INT(BAD(PyDict_SetItemString)(NULL, "k", i), -1, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyDict_SetItemString)(i, "k", i), -1, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyDict_SetItemString)(d, NULL, i), -1, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyDict_SetItemString)(d, "k", NULL), -1, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyDict_SetItemString)(d, "\xff", i), -1, PyExc_UnicodeDecodeError, UTF8_FF);
    CHECK_EQ_INT(PyDict_Size(d), 0);
    CHECK_REFCNT(i, 1);

    /* PyDict_GetItem: a non-dict or an unhashable key is "absent", without an exception. */
    EXPECT_NULL(BAD(PyDict_GetItem)(NULL, k), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyDict_GetItem)(d, NULL), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyDict_GetItem)(i, k), NULL, NULL);
    EXPECT_NULL(BAD(PyDict_GetItem)(d, lst), NULL, NULL);
    EXPECT_NULL(BAD(PyDict_GetItemWithError)(NULL, k), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyDict_GetItemWithError)(i, k), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyDict_GetItemWithError)(d, NULL), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyDict_GetItemWithError)(d, lst), PyExc_TypeError, "unhashable type: 'list'");
    EXPECT_NULL(BAD(PyDict_GetItemWithError)(d, k), NULL, NULL);
    EXPECT_NULL(BAD(PyDict_GetItemString)(NULL, "k"), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyDict_GetItemString)(d, NULL), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyDict_GetItemString)(i, "k"), NULL, NULL);
    EXPECT_NULL(BAD(PyDict_GetItemString)(d, "\xff"), NULL, NULL);

    EXPECT_INT(BAD(PyDict_DelItem)(NULL, k), -1, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyDict_DelItem)(i, k), -1, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyDict_DelItem)(d, NULL), -1, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyDict_DelItem)(d, k), -1, PyExc_KeyError, "'key'");
    EXPECT_INT(BAD(PyDict_DelItem)(d, lst), -1, PyExc_TypeError, "unhashable type: 'list'");
    EXPECT_INT(BAD(PyDict_DelItemString)(NULL, "k"), -1, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyDict_DelItemString)(i, "k"), -1, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyDict_DelItemString)(d, NULL), -1, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyDict_DelItemString)(d, "k"), -1, PyExc_KeyError, "'k'");
    EXPECT_INT(BAD(PyDict_DelItemString)(d, "\xff"), -1, PyExc_UnicodeDecodeError, UTF8_FF);

    EXPECT_INT(BAD(PyDict_Contains)(NULL, k), -1, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyDict_Contains)(i, k), -1, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyDict_Contains)(d, NULL), -1, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyDict_Contains)(d, lst), -1, PyExc_TypeError, "unhashable type: 'list'");
    EXPECT_INT_OK(BAD(PyDict_Contains)(d, k), 0);
    EXPECT_INT(BAD(PyDict_Size)(NULL), -1, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyDict_Size)(i), -1, PyExc_SystemError, BADARG);

    EXPECT_INT(BAD(PyDict_Next)(NULL, &pos, &pk, &pv), 0, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyDict_Next)(d, NULL, &pk, &pv), 0, PyExc_SystemError, BADARG);
    EXPECT_INT_OK(BAD(PyDict_Next)(i, &pos, &pk, &pv), 0);
    PyDict_SetItem(d, k, i);
    pos = PY_SSIZE_T_MAX;
    EXPECT_INT_OK(BAD(PyDict_Next)(d, &pos, &pk, &pv), 0);
    pos = PY_SSIZE_T_MIN;
    EXPECT_INT_OK(BAD(PyDict_Next)(d, &pos, &pk, &pv), 0);
    CHECK_EQ_PTR(pk, NULL); /* outputs untouched when nothing is returned */
    CHECK_EQ_PTR(pv, NULL);

    EXPECT_VOID(BAD(PyDict_Clear)(NULL), PyExc_SystemError, BADARG);
    EXPECT_VOID(BAD(PyDict_Clear)(i), NULL, NULL); /* CPython: not a dict, nothing happens */
    EXPECT_NULL(BAD(PyDict_Copy)(NULL), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyDict_Copy)(i), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyDict_Keys)(NULL), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyDict_Keys)(i), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyDict_Values)(NULL), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyDict_Values)(lst), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyDict_Items)(NULL), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyDict_Items)(k), PyExc_SystemError, BADARG);

    EXPECT_INT(BAD(PyDict_Merge)(NULL, d, 1), -1, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyDict_Merge)(i, d, 1), -1, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyDict_Merge)(d, NULL, 1), -1, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyDict_Merge)(d, i, 0), -1, PyExc_AttributeError,
               "'int' object has no attribute 'keys'");
    EXPECT_INT(BAD(PyDict_Update)(NULL, d), -1, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyDict_Update)(lst, d), -1, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyDict_Update)(d, NULL), -1, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyDict_Update)(d, lst), -1, PyExc_AttributeError,
               "'list' object has no attribute 'keys'");
    EXPECT_INT(BAD(PyDict_MergeFromSeq2)(NULL, lst, 1), -1, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyDict_MergeFromSeq2)(i, lst, 1), -1, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyDict_MergeFromSeq2)(d, NULL, 1), -1, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyDict_MergeFromSeq2)(d, i, 1), -1, PyExc_TypeError,
               "'int' object is not iterable");
    EXPECT_INT(BAD(PyDict_MergeFromSeq2)(d, b, 1), -1, PyExc_TypeError,
               "iter() returned non-iterator of type 'NoneType'");
    EXPECT_NULL(BAD(PyDict_SetDefault)(NULL, k, i), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyDict_SetDefault)(i, k, i), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyDict_SetDefault)(d, NULL, i), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyDict_SetDefault)(d, k, NULL), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyDict_SetDefault)(d, lst, i), PyExc_TypeError, "unhashable type: 'list'");

    EXPECT_NULL(BAD(PyDictProxy_New)(NULL), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyDictProxy_New)(i), PyExc_TypeError,
                "mappingproxy() argument must be a mapping, not int");
    EXPECT_NULL(BAD(PyDictProxy_New)(lst), PyExc_TypeError,
                "mappingproxy() argument must be a mapping, not list");

    CHECK_EQ_INT(PyDict_Size(d), 1);
    CHECK_REFCNT(d, 1);
    CHECK_REFCNT(lst, 1);
    Py_DECREF(d);
    CHECK_REFCNT(i, 1);
    CHECK_REFCNT(k, 1);
    Py_DECREF(i);
    Py_DECREF(k);
    Py_DECREF(lst);
    Py_DECREF(b);
}

/* =========================================================================================
 * listobject.h
 * ========================================================================================= */

static void case_list(void)
{
    PyObject *i = fresh_int(), *l = PyList_New(0), *r;
    REQUIRE(i != NULL && l != NULL);
    PyList_Append(l, Py_None);

    EXPECT_NULL(BAD(PyList_New)(-1), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyList_New)(PY_SSIZE_T_MIN), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyList_New)(PY_SSIZE_T_MAX), PyExc_MemoryError, NULL);
    /* More items than fit in memory (CPython checks PY_SSIZE_T_MAX / sizeof(PyObject *)). */
    EXPECT_NULL(BAD(PyList_New)(PY_SSIZE_T_MAX / 8 + 1), PyExc_MemoryError, NULL);

    EXPECT_INT(BAD(PyList_Size)(NULL), -1, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyList_Size)(i), -1, PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyList_GetItem)(NULL, 0), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyList_GetItem)(i, 0), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyList_GetItem)(l, 1), PyExc_IndexError, "list index out of range");
    EXPECT_NULL(BAD(PyList_GetItem)(l, -1), PyExc_IndexError, "list index out of range");
    EXPECT_NULL(BAD(PyList_GetItem)(l, PY_SSIZE_T_MIN), PyExc_IndexError,
                "list index out of range");

    /* SetItem steals the item even when it fails. */
    Py_INCREF(i);
    EXPECT_INT(BAD(PyList_SetItem)(NULL, 0, i), -1, PyExc_SystemError, BADARG);
    CHECK_REFCNT(i, 1);
    Py_INCREF(i);
    EXPECT_INT(BAD(PyList_SetItem)(i, 0, i), -1, PyExc_SystemError, BADARG);
    CHECK_REFCNT(i, 1);
    Py_INCREF(i);
    EXPECT_INT(BAD(PyList_SetItem)(l, 1, i), -1, PyExc_IndexError,
               "list assignment index out of range");
    CHECK_REFCNT(i, 1);
    Py_INCREF(i);
    EXPECT_INT(BAD(PyList_SetItem)(l, PY_SSIZE_T_MIN, i), -1, PyExc_IndexError,
               "list assignment index out of range");
    CHECK_REFCNT(i, 1);
    /* NULL as the item is allowed (CPython stores it). */
    EXPECT_INT_OK(BAD(PyList_SetItem)(l, 0, NULL), 0);
    CHECK_EQ_PTR(PyList_GET_ITEM(l, 0), NULL);
    PyList_SET_ITEM(l, 0, Py_None);
    Py_INCREF(Py_None);

    EXPECT_INT(BAD(PyList_Insert)(NULL, 0, i), -1, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyList_Insert)(i, 0, i), -1, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyList_Insert)(l, 0, NULL), -1, PyExc_SystemError, BADARG);
    EXPECT_INT_OK(BAD(PyList_Insert)(l, PY_SSIZE_T_MIN, i), 0);
    EXPECT_INT_OK(BAD(PyList_Insert)(l, PY_SSIZE_T_MAX, i), 0);
    EXPECT_INT(BAD(PyList_Append)(NULL, i), -1, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyList_Append)(i, i), -1, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyList_Append)(l, NULL), -1, PyExc_SystemError, BADARG);
    CHECK_REFCNT(i, 3);

    EXPECT_NULL(BAD(PyList_GetSlice)(NULL, 0, 1), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyList_GetSlice)(i, 0, 1), PyExc_SystemError, BADARG);
    r = BAD(PyList_GetSlice)(l, PY_SSIZE_T_MIN, PY_SSIZE_T_MAX);
    CHECK(r != NULL && PyList_GET_SIZE(r) == 3);
    Py_XDECREF(r);
    r = BAD(PyList_GetSlice)(l, PY_SSIZE_T_MAX, PY_SSIZE_T_MIN);
    CHECK(r != NULL && PyList_GET_SIZE(r) == 0);
    Py_XDECREF(r);
    EXPECT_INT(BAD(PyList_SetSlice)(NULL, 0, 1, NULL), -1, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyList_SetSlice)(i, 0, 1, NULL), -1, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyList_SetSlice)(l, 0, 1, i), -1, PyExc_TypeError,
               "can only assign an iterable");
    EXPECT_INT_OK(BAD(PyList_SetSlice)(l, PY_SSIZE_T_MAX, PY_SSIZE_T_MIN, NULL), 0);
    CHECK_EQ_INT(PyList_GET_SIZE(l), 3);

    EXPECT_INT(BAD(PyList_Sort)(NULL), -1, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyList_Sort)(i), -1, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyList_Sort)(l), -1, PyExc_TypeError,
               "'<' not supported between instances of 'NoneType' and 'int'");
    CHECK_EQ_INT(PyList_GET_SIZE(l), 3);
    EXPECT_INT(BAD(PyList_Reverse)(NULL), -1, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyList_Reverse)(i), -1, PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyList_AsTuple)(NULL), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyList_AsTuple)(i), PyExc_SystemError, BADARG);

    CHECK_REFCNT(l, 1);
    Py_DECREF(l);
    CHECK_REFCNT(i, 1);
    Py_DECREF(i);
}

/* =========================================================================================
 * abstract.h (the item protocol), object.h (Py_ReprEnter), pyhash.h
 * ========================================================================================= */

static void case_item_protocol(void)
{
    PyObject *i = fresh_int(), *d = PyDict_New(), *k = PyUnicode_FromString("key"),
             *b = PyType_GenericNew(&Broken_Type, NULL, NULL);
    REQUIRE(i != NULL && d != NULL && k != NULL && b != NULL);

    EXPECT_NULL(BAD(PyObject_GetItem)(NULL, k), PyExc_SystemError, NULLARG);
    EXPECT_NULL(BAD(PyObject_GetItem)(d, NULL), PyExc_SystemError, NULLARG);
    EXPECT_NULL(BAD(PyObject_GetItem)(i, k), PyExc_TypeError, "'int' object is not subscriptable");
    EXPECT_NULL(BAD(PyObject_GetItem)(d, k), PyExc_KeyError, "'key'");
    EXPECT_INT(BAD(PyObject_SetItem)(NULL, k, i), -1, PyExc_SystemError, NULLARG);
    EXPECT_INT(BAD(PyObject_SetItem)(d, NULL, i), -1, PyExc_SystemError, NULLARG);
    EXPECT_INT(BAD(PyObject_SetItem)(d, k, NULL), -1, PyExc_SystemError, NULLARG);
    EXPECT_INT(BAD(PyObject_SetItem)(i, k, i), -1, PyExc_TypeError,
               "'int' object does not support item assignment");
    EXPECT_INT(BAD(PyObject_SetItem)(d, b, i), -1, PyExc_TypeError,
               "unhashable type: 'Broken'");
    EXPECT_INT(BAD(PyObject_DelItem)(NULL, k), -1, PyExc_SystemError, NULLARG);
    EXPECT_INT(BAD(PyObject_DelItem)(d, NULL), -1, PyExc_SystemError, NULLARG);
    EXPECT_INT(BAD(PyObject_DelItem)(i, k), -1, PyExc_TypeError,
               "'int' object does not support item deletion");
    EXPECT_INT(BAD(PyObject_DelItem)(d, k), -1, PyExc_KeyError, "'key'");
    EXPECT_INT(BAD(PyObject_Size)(NULL), -1, PyExc_SystemError, NULLARG);
    EXPECT_INT(BAD(PyObject_Size)(i), -1, PyExc_TypeError, "object of type 'int' has no len()");
    EXPECT_INT(BAD(PyObject_Length)(NULL), -1, PyExc_SystemError, NULLARG);
    EXPECT_INT(BAD(PyObject_Length)(i), -1, PyExc_TypeError, "object of type 'int' has no len()");
    EXPECT_INT(BAD(PyMapping_Size)(NULL), -1, PyExc_SystemError, NULLARG);
    EXPECT_INT(BAD(PyMapping_Size)(i), -1, PyExc_TypeError, "object of type 'int' has no len()");
    /* str has mp_length (as in CPython): a str is sized as a mapping. */
    EXPECT_INT_OK(BAD(PyMapping_Size)(k), 3);
    EXPECT_INT(BAD(PyMapping_Length)(NULL), -1, PyExc_SystemError, NULLARG);
    EXPECT_INT(BAD(PyMapping_Length)(i), -1, PyExc_TypeError, "object of type 'int' has no len()");
    EXPECT_INT(BAD(PySequence_Contains)(NULL, k), -1, PyExc_SystemError, NULLARG);
    EXPECT_INT(BAD(PySequence_Contains)(d, NULL), -1, PyExc_SystemError, NULLARG);
    EXPECT_INT(BAD(PySequence_Contains)(i, k), -1, PyExc_TypeError,
               "argument of type 'int' is not iterable");
    EXPECT_INT(BAD(PySequence_Contains)(d, b), -1, PyExc_TypeError,
               "unhashable type: 'Broken'");

    EXPECT_INT(BAD(Py_ReprEnter)(NULL), -1, PyExc_SystemError, BADARG);
    EXPECT_VOID(BAD(Py_ReprLeave)(NULL), NULL, NULL);
    EXPECT_VOID(BAD(Py_ReprLeave)(i), NULL, NULL); /* never entered: ignored */
    /* Py_ReprLeave keeps a pending exception. */
    EXPECT_INT_OK(Py_ReprEnter(i), 0);
    PyErr_SetString(PyExc_ValueError, "kept");
    EXPECT_VOID(BAD(Py_ReprLeave)(i), PyExc_ValueError, "kept");
    EXPECT_INT_OK(Py_ReprEnter(i), 0);
    Py_ReprLeave(i);

    /* pycoro: NULL or a negative length hashes as no bytes (CPython would crash). */
    EXPECT_INT_OK(BAD(_Py_HashBytes)(NULL, 0), 0);
    EXPECT_INT_OK(BAD(_Py_HashBytes)(NULL, 8), 0);
    EXPECT_INT_OK(BAD(_Py_HashBytes)("abc", -1), 0);
    EXPECT_INT_OK(BAD(_Py_HashBytes)("abc", 0), 0);

    CHECK_REFCNT(d, 1);
    CHECK_REFCNT(i, 1);
    Py_DECREF(d);
    Py_DECREF(i);
    Py_DECREF(k);
    Py_DECREF(b);
}

/* =========================================================================================
 * longobject.h, boolobject.h
 * ========================================================================================= */

static void case_long(void)
{
    PyObject *s = PyUnicode_FromString("abc"), *big, *neg, *r;
    REQUIRE(s != NULL);
    big = PyLong_FromUnsignedLongLong(ULLONG_MAX);
    neg = PyLong_FromLong(-1);
    REQUIRE(big != NULL && neg != NULL);

    EXPECT_INT(BAD(PyLong_AsLong)(NULL), -1, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyLong_AsLongLong)(NULL), -1, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyLong_AsSsize_t)(NULL), -1, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyLong_AsUnsignedLong)(NULL), -1, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyLong_AsSize_t)(NULL), -1, PyExc_SystemError, BADARG);

    /* CPython 3.10's messages for a str. */
    EXPECT_INT(BAD(PyLong_AsLong)(s), -1, PyExc_TypeError,
               "'str' object cannot be interpreted as an integer");
    EXPECT_INT(BAD(PyLong_AsLongLong)(s), -1, PyExc_TypeError,
               "'str' object cannot be interpreted as an integer");
    EXPECT_INT(BAD(PyLong_AsSsize_t)(s), -1, PyExc_TypeError, "an integer is required");
    EXPECT_INT(BAD(PyLong_AsUnsignedLong)(s), -1, PyExc_TypeError, "an integer is required");
    EXPECT_INT(BAD(PyLong_AsSize_t)(s), -1, PyExc_TypeError, "an integer is required");

    /* Out of range. */
    EXPECT_INT(BAD(PyLong_AsLong)(big), -1, PyExc_OverflowError,
               "Python int too large to convert to C long");
    EXPECT_INT(BAD(PyLong_AsLongLong)(big), -1, PyExc_OverflowError, "int too big to convert");
    EXPECT_INT(BAD(PyLong_AsSsize_t)(big), -1, PyExc_OverflowError,
               "Python int too large to convert to C ssize_t");
    EXPECT_INT(BAD(PyLong_AsUnsignedLong)(neg), -1, PyExc_OverflowError,
               "can't convert negative value to unsigned int");
    EXPECT_INT(BAD(PyLong_AsSize_t)(neg), -1, PyExc_OverflowError,
               "can't convert negative value to size_t");

    /* The constructors take every value of their C type. */
    r = BAD(PyLong_FromLong)(LONG_MIN);
    EXPECT_INT_OK(PyLong_AsLong(r), LONG_MIN);
    Py_XDECREF(r);
    r = BAD(PyLong_FromUnsignedLong)(ULONG_MAX);
    EXPECT_INT_OK(PyLong_AsUnsignedLong(r) == ULONG_MAX, 1);
    Py_XDECREF(r);
    r = BAD(PyLong_FromLongLong)(LLONG_MIN);
    EXPECT_INT_OK(PyLong_AsLongLong(r), LLONG_MIN);
    Py_XDECREF(r);
    r = BAD(PyLong_FromUnsignedLongLong)(ULLONG_MAX);
    EXPECT_INT_OK(PyLong_AsSize_t(r) == (size_t)ULLONG_MAX, 1);
    Py_XDECREF(r);
    r = BAD(PyLong_FromSsize_t)(PY_SSIZE_T_MIN);
    EXPECT_INT_OK(PyLong_AsSsize_t(r), PY_SSIZE_T_MIN);
    Py_XDECREF(r);
    r = BAD(PyLong_FromSize_t)(SIZE_MAX);
    EXPECT_INT_OK(PyLong_AsSize_t(r) == SIZE_MAX, 1);
    Py_XDECREF(r);
    r = BAD(PyBool_FromLong)(LONG_MIN);
    CHECK_EQ_PTR(r, Py_True);
    Py_XDECREF(r);
    CHECK_NO_EXC();

    Py_DECREF(big);
    Py_DECREF(neg);
    Py_DECREF(s);
}

/* =========================================================================================
 * pymem.h
 * ========================================================================================= */

static void case_mem(void)
{
    void *p;
    const size_t too_big = (size_t)PY_SSIZE_T_MAX + 1;

    /* CPython refuses requests above PY_SSIZE_T_MAX before calling malloc: NULL, no
     * exception. */
    EXPECT_NULL(BAD(PyMem_Malloc)(too_big), NULL, NULL);
    EXPECT_NULL(BAD(PyMem_Malloc)(SIZE_MAX), NULL, NULL);
    EXPECT_NULL(BAD(PyMem_Calloc)(SIZE_MAX, 2), NULL, NULL);
    /* pycoro: calloc(2**63, 1) */
    EXPECT_NULL(BAD(PyMem_Calloc)(too_big, 1), NULL, NULL);
    EXPECT_NULL(BAD(PyMem_Calloc)(2, SIZE_MAX / 2 + 1), NULL, NULL);
    EXPECT_NULL(BAD(PyObject_Malloc)(too_big), NULL, NULL);
    EXPECT_NULL(BAD(PyObject_Calloc)(SIZE_MAX, 2), NULL, NULL);
    EXPECT_NULL(BAD(PyObject_Calloc)(too_big, 1), NULL, NULL);

    /* Zero-byte requests give a unique non-NULL pointer. */
    p = BAD(PyMem_Malloc)(0);
    CHECK(p != NULL);
    PyMem_Free(p);
    p = BAD(PyMem_Calloc)(0, 0);
    CHECK(p != NULL);
    PyMem_Free(p);
    p = BAD(PyObject_Calloc)(0, 8);
    CHECK(p != NULL);
    PyObject_Free(p);

    /* Realloc(NULL, n) is Malloc(n); a failing Realloc leaves the block valid. */
    p = BAD(PyMem_Realloc)(NULL, 16);
    REQUIRE(p != NULL);
    memset(p, 0x5a, 16);
    EXPECT_NULL(BAD(PyMem_Realloc)(p, too_big), NULL, NULL);
    CHECK(((unsigned char *)p)[15] == 0x5a);
    PyMem_Free(p);
    p = BAD(PyObject_Realloc)(NULL, 16);
    REQUIRE(p != NULL);
    memset(p, 0x5a, 16);
    EXPECT_NULL(BAD(PyObject_Realloc)(p, too_big), NULL, NULL);
    CHECK(((unsigned char *)p)[15] == 0x5a);
    PyObject_Free(p);

    /* Free(NULL) is a no-op. */
    EXPECT_VOID(BAD(PyMem_Free)(NULL), NULL, NULL);
    EXPECT_VOID(BAD(PyObject_Free)(NULL), NULL, NULL);
    CHECK_NO_EXC();
}

/* =========================================================================================
 * object.h: attributes, comparisons, protocols, reference counting
 * ========================================================================================= */

static void case_object_protocols(void)
{
    PyObject *i = fresh_int(), *s = PyUnicode_FromString("abc"), *r;
    REQUIRE(i != NULL && s != NULL);

    /* Documented (and CPython's): NULL prints as <NULL>. */
    EXPECT_TEXT(BAD(PyObject_Repr)(NULL), "<NULL>");
    EXPECT_TEXT(BAD(PyObject_Str)(NULL), "<NULL>");
    EXPECT_TEXT(BAD(PyObject_ASCII)(NULL), "<NULL>");

    EXPECT_NULL(BAD(PyObject_RichCompare)(NULL, i, Py_EQ), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyObject_RichCompare)(i, NULL, Py_EQ), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyObject_RichCompare)(i, s, Py_LT), PyExc_TypeError,
                "'<' not supported between instances of 'int' and 'str'");
    EXPECT_NULL(BAD(PyObject_RichCompare)(s, i, Py_GE), PyExc_TypeError,
                "'>=' not supported between instances of 'str' and 'int'");
    /* An operator out of range: CPython asserts. */
    EXPECT_NULL(BAD(PyObject_RichCompare)(i, i, 99), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyObject_RichCompare)(i, i, -1), PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyObject_RichCompareBool)(NULL, i, Py_EQ), -1, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyObject_RichCompareBool)(i, NULL, Py_NE), -1, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyObject_RichCompareBool)(i, s, Py_GT), -1, PyExc_TypeError,
               "'>' not supported between instances of 'int' and 'str'");
    EXPECT_INT(BAD(PyObject_RichCompareBool)(i, s, 6), -1, PyExc_SystemError, BADARG);

    EXPECT_INT(BAD(PyObject_Hash)(NULL), -1, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyObject_HashNotImplemented)(NULL), -1, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyObject_HashNotImplemented)(i), -1, PyExc_TypeError,
               "unhashable type: 'int'");
    /* CPython's pointer hash: NULL hashes to 0, no exception. */
    EXPECT_INT_OK(BAD(_Py_HashPointer)(NULL), 0);

    EXPECT_INT(BAD(PyObject_IsTrue)(NULL), -1, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyObject_Not)(NULL), -1, PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyObject_Type)(NULL), PyExc_SystemError, NULLARG);

    /* Reference counting functions ignore NULL. */
    EXPECT_VOID(BAD(Py_IncRef)(NULL), NULL, NULL);
    EXPECT_VOID(BAD(Py_DecRef)(NULL), NULL, NULL);
    EXPECT_VOID(BAD(_Py_Dealloc)(NULL), PyExc_SystemError, BADARG);

    r = PyObject_Type(i);
    CHECK_EQ_PTR(r, &PyLong_Type);
    Py_XDECREF(r);
    CHECK_REFCNT(i, 1);
    CHECK_REFCNT(s, 1);
    Py_DECREF(i);
    Py_DECREF(s);
}

static void case_object_attrs(void)
{
    PyObject *i = fresh_int(), *v = fresh_int(), *g = new_gen(), *name;
    REQUIRE(i != NULL && v != NULL && g != NULL);
    name = PyUnicode_FromString("gi_code");
    REQUIRE(name != NULL);

    EXPECT_NULL(BAD(PyObject_GetAttr)(NULL, name), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyObject_GetAttr)(g, NULL), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyObject_GetAttr)(g, i), PyExc_TypeError, NOT_STR);
    EXPECT_NULL(BAD(PyObject_GetAttrString)(NULL, "gi_code"), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyObject_GetAttrString)(g, NULL), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyObject_GetAttrString)(g, "\xff"), PyExc_UnicodeDecodeError, UTF8_FF);
    EXPECT_NULL(BAD(PyObject_GenericGetAttr)(NULL, name), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyObject_GenericGetAttr)(g, NULL), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyObject_GenericGetAttr)(g, i), PyExc_TypeError, NOT_STR);

    EXPECT_INT(BAD(PyObject_SetAttr)(NULL, name, v), -1, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyObject_SetAttr)(g, NULL, v), -1, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyObject_SetAttr)(g, i, v), -1, PyExc_TypeError, NOT_STR);
    EXPECT_INT(BAD(PyObject_SetAttrString)(NULL, "x", v), -1, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyObject_SetAttrString)(g, NULL, v), -1, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyObject_SetAttrString)(g, "\xff", v), -1, PyExc_UnicodeDecodeError,
               UTF8_FF);
    EXPECT_INT(BAD(PyObject_SetAttrString)(i, "zz", v), -1, PyExc_AttributeError,
               "'int' object has no attribute 'zz'");
    EXPECT_INT(BAD(PyObject_GenericSetAttr)(NULL, name, v), -1, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyObject_GenericSetAttr)(g, NULL, v), -1, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyObject_GenericSetAttr)(g, i, v), -1, PyExc_TypeError, NOT_STR);
    {
        PyObject *abc = PyUnicode_FromString("abc");
        REQUIRE(abc != NULL);
        EXPECT_INT(BAD(PyObject_GenericSetAttr)(i, abc, v), -1, PyExc_AttributeError,
                   "'int' object has no attribute 'abc'");
        Py_DECREF(abc);
    }

    /* Documented: HasAttr never raises. */
    EXPECT_INT_OK(BAD(PyObject_HasAttr)(NULL, name), 0);
    EXPECT_INT_OK(BAD(PyObject_HasAttr)(g, NULL), 0);
    EXPECT_INT_OK(BAD(PyObject_HasAttr)(g, i), 0);
    EXPECT_INT_OK(BAD(PyObject_HasAttrString)(NULL, "gi_code"), 0);
    EXPECT_INT_OK(BAD(PyObject_HasAttrString)(g, NULL), 0);
    EXPECT_INT_OK(BAD(PyObject_HasAttrString)(g, "\xff"), 0);

    CHECK_REFCNT(i, 1);
    CHECK_REFCNT(v, 1);
    CHECK_REFCNT(g, 1);
    CHECK_REFCNT(name, 1);
    Py_DECREF(name);
    Py_DECREF(g);
    Py_DECREF(v);
    Py_DECREF(i);
}

/* =========================================================================================
 * structmember.h
 * ========================================================================================= */

static void case_members(void)
{
    Rec rec;
    PyObject *i = fresh_int(), *s = PyUnicode_FromString("abc"), *big;
    PyMemberDef m_int = {"i", T_INT, offsetof(Rec, i), 0, NULL};
    PyMemberDef m_ro = {"i", T_INT, offsetof(Rec, i), READONLY, NULL};
    PyMemberDef m_bad = {"m", 99, offsetof(Rec, i), 0, NULL};
    PyMemberDef m_objex = {"obj", T_OBJECT_EX, offsetof(Rec, obj), 0, NULL};
    PyMemberDef m_bool = {"b", T_BOOL, offsetof(Rec, b), 0, NULL};
    PyMemberDef m_str = {"s", T_STRING, offsetof(Rec, s), 0, NULL};
    PyMemberDef m_char = {"c", T_CHAR, offsetof(Rec, c), 0, NULL};
    PyMemberDef m_double = {"d", T_DOUBLE, offsetof(Rec, d), 0, NULL};
    REQUIRE(i != NULL && s != NULL);
    big = PyLong_FromUnsignedLongLong(ULLONG_MAX);
    REQUIRE(big != NULL);
    memset(&rec, 0, sizeof rec);
    rec.ob_base.ob_refcnt = 1;
    rec.ob_base.ob_type = &Rec_Type;

    EXPECT_NULL(BAD(PyMember_GetOne)(NULL, &m_int), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyMember_GetOne)((const char *)&rec, NULL), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyMember_GetOne)((const char *)&rec, &m_bad), PyExc_SystemError,
                "bad memberdescr type");
    EXPECT_NULL(BAD(PyMember_GetOne)((const char *)&rec, &m_objex), PyExc_AttributeError,
                "'Rec' object has no attribute 'obj'");
    /* pycoro has no float type: documented SystemError. */
    EXPECT_NULL(BAD(PyMember_GetOne)((const char *)&rec, &m_double), PyExc_SystemError, NULL);

    EXPECT_INT(BAD(PyMember_SetOne)(NULL, &m_int, i), -1, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyMember_SetOne)((char *)&rec, NULL, i), -1, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyMember_SetOne)((char *)&rec, &m_bad, i), -1, PyExc_SystemError,
               "bad memberdescr type for m");
    EXPECT_INT(BAD(PyMember_SetOne)((char *)&rec, &m_ro, i), -1, PyExc_AttributeError,
               "readonly attribute");
    EXPECT_INT(BAD(PyMember_SetOne)((char *)&rec, &m_ro, NULL), -1, PyExc_AttributeError,
               "readonly attribute");
    EXPECT_INT(BAD(PyMember_SetOne)((char *)&rec, &m_int, s), -1, PyExc_TypeError,
               "'str' object cannot be interpreted as an integer");
    EXPECT_INT(BAD(PyMember_SetOne)((char *)&rec, &m_int, NULL), -1, PyExc_TypeError,
               "can't delete numeric/char attribute");
    EXPECT_INT(BAD(PyMember_SetOne)((char *)&rec, &m_int, big), -1, PyExc_OverflowError,
               "Python int too large to convert to C long");
    EXPECT_INT(BAD(PyMember_SetOne)((char *)&rec, &m_bool, i), -1, PyExc_TypeError,
               "attribute value type must be bool");
    EXPECT_INT(BAD(PyMember_SetOne)((char *)&rec, &m_objex, NULL), -1, PyExc_AttributeError,
               "obj");
    EXPECT_INT(BAD(PyMember_SetOne)((char *)&rec, &m_str, s), -1, PyExc_TypeError,
               "readonly attribute");
    EXPECT_INT(BAD(PyMember_SetOne)((char *)&rec, &m_char, s), -1, PyExc_TypeError,
               "bad argument type for built-in operation");
    /* The table terminator (NULL name) passed by mistake. */
    {
        PyMemberDef m_end_bad = {NULL, 99, 0, 0, NULL};
        PyMemberDef m_end_objex = {NULL, T_OBJECT_EX, offsetof(Rec, obj), 0, NULL};
        EXPECT_NULL(BAD(PyMember_GetOne)((const char *)&rec, &m_end_bad), PyExc_SystemError,
                    "bad memberdescr type");
        /* The error messages format the NULL name (CStr::from_ptr(NULL)). */
        EXPECT_INT(BAD(PyMember_SetOne)((char *)&rec, &m_end_bad, i), -1, PyExc_SystemError,
                   NULL);
        EXPECT_NULL(BAD(PyMember_GetOne)((const char *)&rec, &m_end_objex), PyExc_SystemError,
                    NULL);
        EXPECT_INT(BAD(PyMember_SetOne)((char *)&rec, &m_end_objex, NULL), -1,
                   PyExc_SystemError, NULL);
    }
    CHECK_EQ_INT(rec.i, 0);
    CHECK_EQ_PTR(rec.obj, NULL);
    CHECK_REFCNT(i, 1);
    CHECK_REFCNT(s, 1);
    Py_DECREF(big);
    Py_DECREF(s);
    Py_DECREF(i);
}

/* =========================================================================================
 * Allocation, types
 * ========================================================================================= */

static void case_alloc(void)
{
    PyObject *t = PyTuple_Pack(1, Py_None), *o;
    void *mem;
    REQUIRE(t != NULL);

    EXPECT_NULL(BAD(_PyObject_New)(NULL), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(_PyObject_NewVar)(NULL, 1), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(_PyObject_NewVar)(&Var_Type, PY_SSIZE_T_MAX), PyExc_MemoryError, NULL);
    EXPECT_NULL(BAD(_PyObject_GC_New)(NULL), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(_PyObject_GC_NewVar)(NULL, 1), PyExc_SystemError, BADARG);
    /* CPython 3.10: a negative size is a bad internal call. */
    EXPECT_NULL(BAD(_PyObject_GC_NewVar)(&GcVar_Type, -1), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(_PyObject_GC_NewVar)(&GcVar_Type, PY_SSIZE_T_MAX), PyExc_MemoryError, NULL);
    EXPECT_NULL(BAD(PyType_GenericAlloc)(NULL, 0), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyType_GenericAlloc)(&Var_Type, PY_SSIZE_T_MAX), PyExc_MemoryError, NULL);
    EXPECT_NULL(BAD(PyType_GenericAlloc)(&GcVar_Type, PY_SSIZE_T_MAX), PyExc_MemoryError,
                NULL);
    EXPECT_NULL(BAD(PyType_GenericNew)(NULL, NULL, NULL), PyExc_SystemError, BADARG);
    /* A negative size for a non-GC object: CPython computes a huge size and fails with
     * MemoryError; pycoro may call it a bad internal call. Either way, NULL. */
    o = (PyObject *)BAD(_PyObject_NewVar)(&Var_Type, -1);
    CHECK_EQ_PTR(o, NULL);
    CHECK(PyErr_ExceptionMatches(PyExc_MemoryError) || PyErr_ExceptionMatches(PyExc_SystemError));
    PyErr_Clear();

    /* Documented (CPython's): Init of NULL memory is a MemoryError. */
    EXPECT_NULL(BAD(PyObject_Init)(NULL, &Rec_Type), PyExc_MemoryError, NULL);
    EXPECT_NULL(BAD(PyObject_InitVar)(NULL, &Var_Type, 0), PyExc_MemoryError, NULL);
    mem = PyObject_Malloc(sizeof(Rec));
    REQUIRE(mem != NULL);
    EXPECT_NULL(BAD(PyObject_Init)((PyObject *)mem, NULL), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyObject_InitVar)((PyVarObject *)mem, NULL, 0), PyExc_SystemError, BADARG);
    PyObject_Free(mem);

    /* Predicates on types: NULL is a bad call (CPython crashes), the result 0. */
    EXPECT_INT(BAD(PyType_IsSubtype)(NULL, &PyLong_Type), 0, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyType_IsSubtype)(&PyLong_Type, NULL), 0, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyType_GetFlags)(NULL), 0, PyExc_SystemError, BADARG);
    /* A tuple where a type goes: read as a PyTypeObject (out of bounds; _PyObject_New even
     * returns an object of a size read from the tuple's neighbour memory). */
    EXPECT_INT(BAD(PyType_IsSubtype)((PyTypeObject *)t, &PyLong_Type), 0, PyExc_SystemError,
               BADARG);
    EXPECT_INT(BAD(PyType_GetFlags)((PyTypeObject *)t), 0, PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(_PyObject_New)((PyTypeObject *)t), PyExc_SystemError, BADARG);

    EXPECT_INT(BAD(PyType_Ready)(NULL), -1, PyExc_SystemError, BADARG);
    {
        static PyTypeObject noname = {PyVarObject_HEAD_INIT(NULL, 0).tp_name = NULL};
        EXPECT_INT(BAD(PyType_Ready)(&noname), -1, PyExc_SystemError,
                   "Type does not define the tp_name field.");
    }
    {
        /* Its own base: CPython recurses; an exception, not a stack overflow. */
        static PyTypeObject selfbase = {PyVarObject_HEAD_INIT(NULL, 0).tp_name = "selfbase"};
        selfbase.tp_base = &selfbase;
        EXPECT_INT(BAD(PyType_Ready)(&selfbase), -1, PyExc_SystemError, NULL);
    }

    CHECK_REFCNT(t, 1);
    Py_DECREF(t);
}

/* =========================================================================================
 * objimpl.h: the garbage collector's entry points
 * ========================================================================================= */

static void case_gc(void)
{
    PyObject *i = fresh_int(), *t, *o;
    int was_enabled;
    REQUIRE(i != NULL);
    t = PyTuple_Pack(1, i);
    REQUIRE(t != NULL);

    /* Predicates documented for NULL: 0, no exception. */
    EXPECT_INT_OK(BAD(PyObject_IS_GC)(NULL), 0);
    EXPECT_INT_OK(BAD(PyObject_IS_GC)(i), 0);
    /* Not documented for NULL (CPython crashes): a bad call, result 0. */
    EXPECT_INT(BAD(PyObject_GC_IsTracked)(NULL), 0, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyObject_GC_IsFinalized)(NULL), 0, PyExc_SystemError, BADARG);
    /* A non-GC object is simply not tracked / not finalized. */
    EXPECT_INT_OK(BAD(PyObject_GC_IsTracked)(i), 0);
    EXPECT_INT_OK(BAD(PyObject_GC_IsFinalized)(i), 0);

    EXPECT_VOID(BAD(PyObject_GC_Track)(NULL), PyExc_SystemError, BADARG);
    EXPECT_VOID(BAD(PyObject_GC_UnTrack)(NULL), PyExc_SystemError, BADARG);
    /* Documented: tracking twice / untracking twice has no further effect. */
    EXPECT_VOID(BAD(PyObject_GC_Track)(t), NULL, NULL);
    CHECK_EQ_INT(PyObject_GC_IsTracked(t), 1);
    EXPECT_VOID(BAD(PyObject_GC_UnTrack)(t), NULL, NULL);
    EXPECT_VOID(BAD(PyObject_GC_UnTrack)(t), NULL, NULL);
    CHECK_EQ_INT(PyObject_GC_IsTracked(t), 0);
    PyObject_GC_Track(t);
    /* A non-GC object has no GC header: Track/UnTrack read (and Track writes) the 16 bytes
     * before the object; for the static None that is a segfault. */
    EXPECT_VOID(BAD(PyObject_GC_Track)(i), PyExc_SystemError, BADARG);
    EXPECT_VOID(BAD(PyObject_GC_UnTrack)(i), PyExc_SystemError, BADARG);
    EXPECT_VOID(BAD(PyObject_GC_Track)(Py_None), PyExc_SystemError, BADARG);

    /* Documented for the brief's list: GC_Del(NULL) does nothing. */
    EXPECT_VOID(BAD(PyObject_GC_Del)(NULL), NULL, NULL);
    /* CPython's GC_Del untracks a still-tracked object before freeing it. */
    o = (PyObject *)_PyObject_GC_NewVar(&GcVar_Type, 0);
    REQUIRE(o != NULL);
    PyObject_GC_Track(o);
    EXPECT_VOID(BAD(PyObject_GC_Del)(o), NULL, NULL);

    /* Finalizers. */
    EXPECT_VOID(BAD(PyObject_CallFinalizer)(NULL), NULL, NULL);
    EXPECT_VOID(BAD(PyObject_CallFinalizer)(i), NULL, NULL);
    EXPECT_INT(BAD(PyObject_CallFinalizerFromDealloc)(NULL), -1, PyExc_SystemError, BADARG);
    /* An object that is not dying (reference count 1): CPython aborts ("called on object
     * with a non-zero refcount"); the count must survive. */
    EXPECT_INT(BAD(PyObject_CallFinalizerFromDealloc)(i), -1, PyExc_SystemError, NULL);
    CHECK_REFCNT(i, 2);
    if (Py_REFCNT(i) != 2) {
        Py_SET_REFCNT(i, 2);
    }

    /* Collection with an exception pending preserves it (documented). */
    PyErr_SetString(PyExc_KeyError, "kept");
    CHECK(BAD(PyGC_Collect)() >= 0);
    CHECK_EXC(PyExc_KeyError, "'kept'");
    was_enabled = BAD(PyGC_Disable)();
    EXPECT_INT_OK(BAD(PyGC_Disable)(), 0);
    EXPECT_INT_OK(BAD(PyGC_IsEnabled)(), 0);
    EXPECT_INT_OK(BAD(PyGC_Collect)(), 0);
    EXPECT_INT_OK(BAD(PyGC_Enable)(), 0);
    EXPECT_INT_OK(BAD(PyGC_Enable)(), 1);
    if (!was_enabled) {
        PyGC_Disable();
    }

    CHECK_REFCNT(t, 1);
    Py_DECREF(t);
    CHECK_REFCNT(i, 1);
    Py_DECREF(i);
}

/* =========================================================================================
 * ceval.h, pystate.h, pylifecycle.h
 * ========================================================================================= */

static void case_eval_hooks(void)
{
    PyObject *i = fresh_int(), *c;
    PyFrameObject *f;
    int depth;
    REQUIRE(i != NULL);

    /* Documented: NULL clears; any object is accepted unchecked (as CPython). */
    EXPECT_INT_OK(BAD(_PyEval_SetAsyncGenFirstiter)(i), 0);
    CHECK_EQ_PTR(BAD(_PyEval_GetAsyncGenFirstiter)(), i);
    EXPECT_INT_OK(BAD(_PyEval_SetAsyncGenFirstiter)(NULL), 0);
    CHECK_EQ_PTR(BAD(_PyEval_GetAsyncGenFirstiter)(), NULL);
    EXPECT_INT_OK(BAD(_PyEval_SetAsyncGenFinalizer)(i), 0);
    CHECK_EQ_PTR(BAD(_PyEval_GetAsyncGenFinalizer)(), i);
    EXPECT_INT_OK(BAD(_PyEval_SetAsyncGenFinalizer)(NULL), 0);
    CHECK_EQ_PTR(BAD(_PyEval_GetAsyncGenFinalizer)(), NULL);
    CHECK_NO_EXC();
    CHECK_REFCNT(i, 1);

    /* Documented: a negative depth is stored as given and records nothing. */
    depth = BAD(_PyEval_GetCoroutineOriginTrackingDepth)();
    EXPECT_VOID(BAD(_PyEval_SetCoroutineOriginTrackingDepth)(NULL, -5), NULL, NULL);
    EXPECT_INT_OK(BAD(_PyEval_GetCoroutineOriginTrackingDepth)(), -5);
    f = new_frame(body_yield_once, CO_COROUTINE);
    REQUIRE(f != NULL);
    c = PyCoro_New(f, NULL, NULL);
    REQUIRE(c != NULL);
    /* CPython 3.10's compute_cr_origin(-5) counts no frame: the empty tuple. */
    {
        PyObject *origin = ((PyCoroObject *)c)->cr_origin;
        CHECK(origin != NULL && PyTuple_CheckExact(origin) && PyTuple_GET_SIZE(origin) == 0);
    }
    {
        PyObject *r = PyObject_CallMethod(c, "close", NULL);
        Py_XDECREF(r);
    }
    Py_DECREF(c);
    EXPECT_VOID(BAD(_PyEval_SetCoroutineOriginTrackingDepth)(PyThreadState_Get(), INT_MIN),
                NULL, NULL);
    EXPECT_INT_OK(_PyEval_GetCoroutineOriginTrackingDepth(), INT_MIN);
    _PyEval_SetCoroutineOriginTrackingDepth(NULL, depth);
    Py_DECREF(i);
}

/* The recursion limit and the trashcan (issue "Never crash"). */
static void case_recursion_and_trashcan(void)
{
    PyThreadState *ts = PyThreadState_Get();
    PyObject *i = fresh_int();
    int limit, r;
    REQUIRE(i != NULL);
    limit = BAD(Py_GetRecursionLimit)();
    CHECK_EQ_INT(limit, 1000);
    /* Any value is stored, as CPython 3.10 stores it. */
    EXPECT_VOID(BAD(Py_SetRecursionLimit)(INT_MIN), NULL, NULL);
    CHECK_EQ_INT(Py_GetRecursionLimit(), INT_MIN);
    EXPECT_VOID(BAD(Py_SetRecursionLimit)(INT_MAX), NULL, NULL);
    EXPECT_INT_OK(BAD(Py_EnterRecursiveCall)(NULL), 0);
    EXPECT_VOID(BAD(Py_LeaveRecursiveCall)(), NULL, NULL);
    Py_SetRecursionLimit(limit);
    /* Past the limit with a NULL `where` (CPython crashes formatting it): no suffix; an
     * undecodable one is decoded with replacement, as CPython's %s. The depth is reset before
     * the exception is looked at (its str() is a level too). */
    ts->recursion_depth = limit;
    r = BAD(Py_EnterRecursiveCall)(NULL);
    ts->recursion_depth = 0;
    expect_int(r, 1, PyExc_RecursionError, "maximum recursion depth exceeded", "enter(NULL)",
               __LINE__);
    ts->recursion_depth = limit;
    r = Py_EnterRecursiveCall("\xff");
    ts->recursion_depth = 0;
    expect_int(r, 1, PyExc_RecursionError, "maximum recursion depth exceeded\xef\xbf\xbd",
               "enter(\\xff)", __LINE__);
    EXPECT_INT(BAD(_Py_CheckRecursiveCall)(NULL, ""), -1, PyExc_SystemError, BADARG);
    EXPECT_INT_OK(BAD(_Py_CheckRecursiveCall)(ts, NULL), 0);
    CHECK_EQ_INT(ts->recursion_depth, 0);

    /* The trashcan: NULL state means the calling thread's; a NULL object is a bad call that
     * still counts the level, so the paired _PyTrash_end balances it. */
    EXPECT_INT(BAD(_PyTrash_begin)(NULL, NULL), 0, PyExc_SystemError, BADARG);
    CHECK_EQ_INT(ts->trash_delete_nesting, 1);
    EXPECT_VOID(BAD(_PyTrash_end)(NULL), NULL, NULL);
    CHECK_EQ_INT(ts->trash_delete_nesting, 0);
    EXPECT_INT_OK(BAD(_PyTrash_begin)(ts, i), 0);
    EXPECT_VOID(BAD(_PyTrash_end)(ts), NULL, NULL);
    /* Past PyTrash_UNWIND_LEVEL, an object without a GC header is not deferred. */
    ts->trash_delete_nesting = PyTrash_UNWIND_LEVEL;
    EXPECT_INT_OK(BAD(_PyTrash_begin)(ts, i), 0);
    CHECK_EQ_INT(ts->trash_delete_nesting, PyTrash_UNWIND_LEVEL + 1);
    CHECK(ts->trash_delete_later == NULL);
    _PyTrash_end(ts);
    ts->trash_delete_nesting = 0;
    EXPECT_INT(BAD(_PyTrash_cond)(NULL, Py_TYPE(i)->tp_dealloc), 0, PyExc_SystemError, BADARG);
    EXPECT_INT_OK(BAD(_PyTrash_cond)(i, NULL), 0);
    EXPECT_INT_OK(BAD(_PyTrash_cond)(i, Py_TYPE(i)->tp_dealloc), 1);
    EXPECT_INT_OK(BAD(_PyTrash_cond)(i, PyTuple_Type.tp_dealloc), 0);
    CHECK_REFCNT(i, 1);
    Py_DECREF(i);
}

static void case_threads(void)
{
    PyThreadState *ts;
    PyGILState_STATE st;
    ts = BAD(PyThreadState_Get)();
    CHECK(ts != NULL);
    CHECK_EQ_PTR(BAD(_PyThreadState_UncheckedGet)(), ts);
    CHECK_EQ_PTR(BAD(PyGILState_GetThisThreadState)(), ts);
    EXPECT_INT_OK(BAD(PyGILState_Check)(), 1);
    st = BAD(PyGILState_Ensure)();
    CHECK(st == PyGILState_LOCKED || st == PyGILState_UNLOCKED);
    EXPECT_VOID(BAD(PyGILState_Release)(st), NULL, NULL);
    /* An unmatched Release or a token no Ensure returned: no crash, the state survives. */
    EXPECT_VOID(BAD(PyGILState_Release)(PyGILState_LOCKED), NULL, NULL);
    EXPECT_VOID(BAD(PyGILState_Release)(42), NULL, NULL);
    EXPECT_VOID(BAD(PyGILState_Release)(-1), NULL, NULL);
    CHECK_EQ_PTR(PyThreadState_Get(), ts);
    CHECK_NO_EXC();
    /* PyNative_SetImmortal: NULL raises; an already immortal object is left alone; a fresh
     * object becomes immortal (reference counting no longer moves it). */
    EXPECT_INT(BAD(PyNative_SetImmortal)(NULL), -1, PyExc_SystemError, BADARG);
    EXPECT_INT_OK(BAD(PyNative_SetImmortal)(Py_None), 0);
    EXPECT_INT_OK(BAD(PyNative_SetImmortal)((PyObject *)&PyTuple_Type), 0);
    {
        PyObject *s = PyUnicode_FromString("made immortal by the bad-input sweep");
        Py_ssize_t rc;
        REQUIRE(s != NULL);
        EXPECT_INT_OK(BAD(PyNative_SetImmortal)(s), 0);
        rc = Py_REFCNT(s);
        CHECK(rc >= PYNATIVE_IMMORTAL_MIN);
        Py_DECREF(s);
        Py_DECREF(s);
        CHECK_EQ_INT(Py_REFCNT(s), rc);
        EXPECT_INT_OK(BAD(PyNative_SetImmortal)(s), 0);
    }
}

static void case_lifecycle(void)
{
    /* Finalizing twice, with an exception pending, then initializing again. */
    BAD(Py_Initialize)();
    EXPECT_INT_OK(BAD(Py_IsInitialized)(), 1);
    PyErr_SetString(PyExc_ValueError, "pending at finalization");
    CHECK_EQ_INT(BAD(Py_FinalizeEx)(), 0);
    CHECK_EQ_PTR(PyErr_Occurred(), NULL);
    EXPECT_INT_OK(BAD(Py_FinalizeEx)(), 0);
    EXPECT_VOID(BAD(Py_Finalize)(), NULL, NULL);
    EXPECT_INT_OK(Py_IsInitialized(), 0);
    EXPECT_VOID(BAD(Py_InitializeEx)(-7), NULL, NULL);
    EXPECT_INT_OK(Py_IsInitialized(), 1);
    EXPECT_VOID(BAD(Py_Initialize)(), NULL, NULL);
    EXPECT_INT_OK(Py_IsInitialized(), 1);
}

/* The test hooks: out-of-range counts disarm, nothing else happens. */
static void case_test_hooks(void)
{
    PyObject *r;

    /* n <= 0 disarms: the next call runs normally. */
    EXPECT_VOID(BAD(PyNative_InjectPanic)(-1), NULL, NULL);
    r = PyTuple_New(2);
    CHECK(r != NULL);
    Py_XDECREF(r);
    EXPECT_VOID(BAD(PyNative_InjectPanic)(PY_SSIZE_T_MIN), NULL, NULL);
    r = PyTuple_New(2);
    CHECK(r != NULL);
    Py_XDECREF(r);
    EXPECT_VOID(BAD(PyNative_InjectPanic)(PY_SSIZE_T_MAX), NULL, NULL);
    EXPECT_VOID(BAD(PyNative_InjectPanic)(0), NULL, NULL);
    r = PyTuple_New(2);
    CHECK(r != NULL);
    Py_XDECREF(r);
    /* Armed: the next exported call fails with the documented SystemError. */
    BAD(PyNative_InjectPanic)(1);
    r = PyTuple_New(2);
    CHECK_EQ_PTR(r, NULL);
    CHECK_EXC(PyExc_SystemError, "PyTuple_New: internal error: injected panic");

    /* n < 0 switches counting off. */
    EXPECT_VOID(BAD(PyNative_SetAllocFailure)(PY_SSIZE_T_MIN), NULL, NULL);
    r = PyTuple_New(2);
    CHECK(r != NULL);
    Py_XDECREF(r);
    EXPECT_INT_OK(BAD(PyNative_AllocCount)(), 0);
    /* A failure point beyond the end never fires. */
    EXPECT_VOID(BAD(PyNative_SetAllocFailure)(PY_SSIZE_T_MAX), NULL, NULL);
    r = PyTuple_New(2);
    CHECK(r != NULL);
    Py_XDECREF(r);
    CHECK(BAD(PyNative_AllocCount)() >= 1);
    /* The first allocation fails, the next succeeds. */
    BAD(PyNative_SetAllocFailure)(1);
    EXPECT_NULL(PyTuple_New(2), PyExc_MemoryError, NULL);
    r = PyTuple_New(2);
    CHECK(r != NULL);
    Py_XDECREF(r);
    EXPECT_VOID(BAD(PyNative_SetAllocFailure)(-1), NULL, NULL);
    EXPECT_INT_OK(BAD(PyNative_AllocCount)(), 0);
}

/* Last: an audit hook cannot be removed once added. */
static void case_audit(void)
{
    PyObject *i = fresh_int();
    REQUIRE(i != NULL);
    EXPECT_INT(BAD(PySys_AddAuditHook)(NULL, NULL), -1, PyExc_SystemError, BADARG);
    /* Without hooks nothing is built, so even a bad format is not looked at (documented). */
    EXPECT_INT(BAD(PySys_Audit)(NULL, NULL), -1, PyExc_SystemError, BADARG);

    EXPECT_INT_OK(BAD(PySys_AddAuditHook)(count_audit, NULL), 0);
    audit_events = 0;
    EXPECT_INT(BAD(PySys_Audit)(NULL, NULL), -1, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PySys_Audit)(NULL, "O", i), -1, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PySys_Audit)("bad.event", "(i", 1), -1, PyExc_SystemError, PAREN);
    EXPECT_INT(BAD(PySys_Audit)("bad.event", "O", (PyObject *)NULL), -1, PyExc_SystemError,
               NULLOBJ);
    EXPECT_INT(BAD(PySys_Audit)("bad.event", "d", 1.0), -1, PyExc_SystemError, BADFMT);
    Py_INCREF(i);
    EXPECT_INT(BAD(PySys_Audit)("bad.event", "NQ", i, 1), -1, PyExc_SystemError, BADFMT);
    CHECK_REFCNT(i, 1);
    CHECK_EQ_INT(audit_events, 0);
    /* C hooks get the event name as given: an undecodable one is not an error (CPython). */
    EXPECT_INT_OK(BAD(PySys_Audit)("\xff", NULL), 0);
    CHECK_EQ_INT(audit_events, 1);
    CHECK_EQ_INT(last_audit_nargs, 0);
    /* A result that is not a tuple becomes a 1-tuple (documented). */
    EXPECT_INT_OK(BAD(PySys_Audit)("ok.event", "O", i), 0);
    CHECK_EQ_INT(audit_events, 2);
    CHECK_EQ_INT(last_audit_nargs, 1);
    CHECK_REFCNT(i, 1);
    Py_DECREF(i);
}

/* The type system: descriptors, heap types, lookup, isinstance, instance dicts. */
static void case_types(void)
{
    PyObject *one = PyLong_FromLong(1);
    PyObject *d = PyDict_New();
    REQUIRE(one != NULL && d != NULL);
    EXPECT_NULL(BAD(PyDescr_NewMethod)(&PyLong_Type, NULL), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyDescr_NewClassMethod)(&PyLong_Type, NULL), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyDescr_NewMember)(&PyLong_Type, NULL), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyDescr_NewGetSet)(&PyLong_Type, NULL), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyDescr_NewWrapper)(&PyLong_Type, NULL, NULL), PyExc_SystemError, BADARG);
    {
        static PyMethodDef noname = {NULL, NULL, 0, NULL};
        EXPECT_NULL(BAD(PyDescr_NewMethod)(&PyLong_Type, &noname), PyExc_SystemError, BADARG);
    }
    EXPECT_NULL(BAD(PyWrapper_New)(NULL, one), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyWrapper_New)(one, one), PyExc_SystemError, BADARG);
    {
        PyObject *w = PyDict_GetItemString(PyBaseObject_Type.tp_dict, "__repr__");
        PyObject *lw = PyDict_GetItemString(PyLong_Type.tp_dict, "__repr__");
        REQUIRE(w != NULL && lw != NULL);
        EXPECT_NULL(BAD(PyWrapper_New)(w, NULL), PyExc_SystemError, BADARG);
        EXPECT_NULL(BAD(PyWrapper_New)(lw, Py_None), PyExc_TypeError,
                    "descriptor '__repr__' for 'int' objects doesn't apply to a 'NoneType' object");
    }
    EXPECT_NULL(BAD(PyStaticMethod_New)(NULL), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(_PyType_Lookup)(NULL, one), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(_PyType_Lookup)((PyTypeObject *)one, one), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(_PyType_Lookup)(&PyLong_Type, one), NULL, NULL);
    EXPECT_VOID(BAD(PyType_Modified)(NULL), NULL, NULL);
    EXPECT_VOID(BAD(PyType_Modified)((PyTypeObject *)one), NULL, NULL);
    (void)BAD(PyType_ClearCache)();
    expect_exc(NULL, NULL, "PyType_ClearCache()", __LINE__);
    EXPECT_NULL(BAD(PyType_FromSpec)(NULL), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyType_FromSpecWithBases)(NULL, NULL), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyType_FromModuleAndSpec)(NULL, NULL, NULL), PyExc_SystemError, BADARG);
    {
        static PyType_Slot noslots[] = {{0, NULL}};
        static PyType_Slot badslot[] = {{999, NULL}, {0, NULL}};
        PyType_Spec noname = {NULL, sizeof(PyObject), 0, 0, noslots};
        PyType_Spec bad = {"m.Bad", sizeof(PyObject), 0, 0, badslot};
        PyType_Spec final = {"m.Final", sizeof(PyObject), 0, 0, noslots};
        EXPECT_NULL(BAD(PyType_FromSpec)(&noname), PyExc_SystemError, BADARG);
        EXPECT_NULL(BAD(PyType_FromSpec)(&bad), PyExc_RuntimeError, "invalid slot offset");
        PyObject *fin = BAD(PyType_FromSpec)(&final);
        REQUIRE(fin != NULL);
        EXPECT_NULL(BAD(PyType_FromSpecWithBases)(&final, fin), PyExc_TypeError,
                    "type 'm.Final' is not an acceptable base type");
        EXPECT_NULL(BAD(PyType_FromSpecWithBases)(&final, one), PyExc_TypeError,
                    "bases must be types");
        EXPECT_NULL(BAD(PyType_FromModuleAndSpec)(NULL, &final, one), PyExc_TypeError,
                    "bases must be types");
        EXPECT_NULL(BAD(PyType_GetSlot)((PyTypeObject *)fin, 999), PyExc_SystemError, BADARG);
        EXPECT_NULL(BAD(PyType_GetSlot)((PyTypeObject *)fin, Py_nb_add), NULL, NULL);
        EXPECT_NULL(BAD(PyType_GetModule)((PyTypeObject *)fin), PyExc_TypeError,
                    "PyType_GetModule: Type 'm.Final' has no associated module");
        EXPECT_NULL(BAD(PyType_GetModuleState)((PyTypeObject *)fin), PyExc_TypeError,
                    "PyType_GetModuleState: Type 'm.Final' has no associated module");
        Py_DECREF(fin);
    }
    EXPECT_NULL(BAD(PyType_GetSlot)(NULL, Py_tp_repr), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyType_GetSlot)(&PyLong_Type, Py_tp_repr), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyType_GetModule)(NULL), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyType_GetModule)(&PyLong_Type), PyExc_TypeError,
                "PyType_GetModule: Type 'int' is not a heap type");
    EXPECT_NULL(BAD(PyType_GetModuleState)(NULL), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyType_GetModuleState)(&PyLong_Type), PyExc_TypeError,
                "PyType_GetModuleState: Type 'int' is not a heap type");
    EXPECT_NULL(BAD(PyErr_NewException)(NULL, NULL, NULL), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyErr_NewException)("nodot", NULL, NULL), PyExc_SystemError,
                "PyErr_NewException: name must be module.class");
    EXPECT_NULL(BAD(PyErr_NewException)("m.E", NULL, one), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyErr_NewException)("m.E", one, NULL), PyExc_TypeError,
                "metaclass conflict: the metaclass of a derived class must be a (non-strict) "
                "subclass of the metaclasses of all its bases");
    EXPECT_NULL(BAD(PyErr_NewExceptionWithDoc)(NULL, "doc", NULL, NULL), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyErr_NewExceptionWithDoc)("nodot", "doc", NULL, NULL), PyExc_SystemError,
                "PyErr_NewException: name must be module.class");
    EXPECT_INT(BAD(PyObject_IsInstance)(NULL, one), -1, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyObject_IsInstance)(one, NULL), -1, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyObject_IsInstance)(one, one), -1, PyExc_TypeError,
               "isinstance() arg 2 must be a type, a tuple of types, or a union");
    EXPECT_INT(BAD(PyObject_IsSubclass)(NULL, one), -1, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyObject_IsSubclass)(one, (PyObject *)&PyLong_Type), -1, PyExc_TypeError,
               "issubclass() arg 1 must be a class");
    EXPECT_INT(BAD(PyObject_IsSubclass)((PyObject *)&PyLong_Type, one), -1, PyExc_TypeError,
               "issubclass() arg 2 must be a class, a tuple of classes, or a union");
    EXPECT_NULL(BAD(_PyObject_GetDictPtr)(NULL), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(_PyObject_GetDictPtr)(one), NULL, NULL);
    EXPECT_NULL(BAD(PyObject_GenericGetDict)(NULL, NULL), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyObject_GenericGetDict)(one, NULL), PyExc_AttributeError,
                "This object has no __dict__");
    EXPECT_INT(BAD(PyObject_GenericSetDict)(NULL, d, NULL), -1, PyExc_SystemError, BADARG);
    EXPECT_INT(BAD(PyObject_GenericSetDict)(one, d, NULL), -1, PyExc_AttributeError,
               "This object has no __dict__");
    {
        PyObject *e = PyObject_CallNoArgs(PyExc_ValueError);
        REQUIRE(e != NULL);
        EXPECT_INT(BAD(PyObject_GenericSetDict)(e, one, NULL), -1, PyExc_TypeError,
                   "__dict__ must be set to a dictionary, not a 'int'");
        EXPECT_INT(BAD(PyObject_GenericSetDict)(e, NULL, NULL), -1, PyExc_TypeError,
                   "cannot delete __dict__");
        Py_DECREF(e);
    }
    {
        PyObject *names = BAD(PyObject_Dir)(NULL);
        CHECK(names != NULL && PyList_Check(names) && PyList_GET_SIZE(names) == 0);
        Py_XDECREF(names);
    }
    EXPECT_NULL(BAD(PyMapping_Keys)(NULL), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyMapping_Values)(NULL), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyMapping_Items)(NULL), PyExc_SystemError, BADARG);
    EXPECT_NULL(BAD(PyMapping_Keys)(one), PyExc_AttributeError,
                "'int' object has no attribute 'keys'");
    EXPECT_NULL(BAD(PyMapping_Values)(one), PyExc_AttributeError,
                "'int' object has no attribute 'values'");
    EXPECT_NULL(BAD(PyMapping_Items)(one), PyExc_AttributeError,
                "'int' object has no attribute 'items'");
    Py_DECREF(one);
    CHECK_REFCNT(d, 1);
    Py_DECREF(d);
}

/* The number protocol: NULL operands (SystemError, where CPython would crash for the binary
 * operations), operand types no slot handles (CPython's TypeError), and int's own failures:
 * division by zero, negative shifts, pow()'s modulus rules, and pycoro's 128-bit limit. */
typedef PyObject *(*num_binop)(PyObject *, PyObject *);

static void case_number(void)
{
    static const struct {
        const char *name;
        num_binop f;
        const char *op;
    } binops[] = {
        {"PyNumber_Add", PyNumber_Add, "+"},
        {"PyNumber_Subtract", PyNumber_Subtract, "-"},
        {"PyNumber_Multiply", PyNumber_Multiply, "*"},
        {"PyNumber_MatrixMultiply", PyNumber_MatrixMultiply, "@"},
        {"PyNumber_FloorDivide", PyNumber_FloorDivide, "//"},
        {"PyNumber_TrueDivide", PyNumber_TrueDivide, "/"},
        {"PyNumber_Remainder", PyNumber_Remainder, "%"},
        {"PyNumber_Divmod", PyNumber_Divmod, "divmod()"},
        {"PyNumber_Lshift", PyNumber_Lshift, "<<"},
        {"PyNumber_Rshift", PyNumber_Rshift, ">>"},
        {"PyNumber_And", PyNumber_And, "&"},
        {"PyNumber_Xor", PyNumber_Xor, "^"},
        {"PyNumber_Or", PyNumber_Or, "|"},
        {"PyNumber_InPlaceAdd", PyNumber_InPlaceAdd, "+="},
        {"PyNumber_InPlaceSubtract", PyNumber_InPlaceSubtract, "-="},
        {"PyNumber_InPlaceMultiply", PyNumber_InPlaceMultiply, "*="},
        {"PyNumber_InPlaceMatrixMultiply", PyNumber_InPlaceMatrixMultiply, "@="},
        {"PyNumber_InPlaceFloorDivide", PyNumber_InPlaceFloorDivide, "//="},
        {"PyNumber_InPlaceTrueDivide", PyNumber_InPlaceTrueDivide, "/="},
        {"PyNumber_InPlaceRemainder", PyNumber_InPlaceRemainder, "%="},
        {"PyNumber_InPlaceLshift", PyNumber_InPlaceLshift, "<<="},
        {"PyNumber_InPlaceRshift", PyNumber_InPlaceRshift, ">>="},
        {"PyNumber_InPlaceAnd", PyNumber_InPlaceAnd, "&="},
        {"PyNumber_InPlaceXor", PyNumber_InPlaceXor, "^="},
        {"PyNumber_InPlaceOr", PyNumber_InPlaceOr, "|="},
    };
    PyObject *i = fresh_int(), *z = PyLong_FromLong(0), *neg = PyLong_FromLong(-1),
             *big = PyLong_FromLong(1L << 62), *d = PyDict_New();
    REQUIRE(i != NULL && z != NULL && neg != NULL && big != NULL && d != NULL);
    char msg[200];
    for (size_t n = 0; n < Py_ARRAY_LENGTH(binops); n++) {
        note_call(binops[n].name);
        EXPECT_NULL(binops[n].f(NULL, i), PyExc_SystemError, NULLARG);
        EXPECT_NULL(binops[n].f(i, NULL), PyExc_SystemError, NULLARG);
        /* None: no number slot answers (dict would take |= as an update, as in CPython). */
        snprintf(msg, sizeof msg, "unsupported operand type(s) for %s: 'int' and 'NoneType'",
                 binops[n].op);
        EXPECT_NULL(binops[n].f(i, Py_None), PyExc_TypeError, msg);
        snprintf(msg, sizeof msg, "unsupported operand type(s) for %s: 'NoneType' and 'int'",
                 binops[n].op);
        EXPECT_NULL(binops[n].f(Py_None, i), PyExc_TypeError, msg);
    }
    /* pycoro: int / int is a float in CPython; pycoro has no float. */
    EXPECT_NULL(BAD(PyNumber_TrueDivide)(i, i), PyExc_NotImplementedError,
                "pycoro: the result is a float, and pycoro has no float type yet (issue 12)");
    EXPECT_NULL(BAD(PyNumber_InPlaceTrueDivide)(i, i), PyExc_NotImplementedError,
                "pycoro: the result is a float, and pycoro has no float type yet (issue 12)");
    EXPECT_NULL(BAD(PyNumber_FloorDivide)(i, z), PyExc_ZeroDivisionError,
                "integer division or modulo by zero");
    EXPECT_NULL(BAD(PyNumber_Remainder)(i, z), PyExc_ZeroDivisionError,
                "integer division or modulo by zero");
    EXPECT_NULL(BAD(PyNumber_Divmod)(i, z), PyExc_ZeroDivisionError,
                "integer division or modulo by zero");
    EXPECT_NULL(BAD(PyNumber_Lshift)(i, neg), PyExc_ValueError, "negative shift count");
    EXPECT_NULL(BAD(PyNumber_Rshift)(i, neg), PyExc_ValueError, "negative shift count");
    /* pycoro: results beyond 128 bits raise OverflowError (CPython's ints are unbounded). */
#define TOO_LARGE "pycoro: int result too large (ints are limited to 128 bits)"
    PyObject *sq = PyNumber_Multiply(big, big);
    REQUIRE(sq != NULL);
    EXPECT_NULL(BAD(PyNumber_Multiply)(sq, big), PyExc_OverflowError, TOO_LARGE);
    EXPECT_NULL(BAD(PyNumber_Lshift)(i, big), PyExc_OverflowError, TOO_LARGE);
    PyObject *shift = PyLong_FromLong(107);
    EXPECT_NULL(BAD(PyNumber_Lshift)(i, shift), PyExc_OverflowError, TOO_LARGE);
    Py_DECREF(shift);
    PyObject *max = PyNumber_Lshift(sq, PyLong_FromLong(2)); /* 2**126 */
    REQUIRE(max != NULL);
    PyObject *min = PyNumber_Multiply(max, PyLong_FromLong(-2)); /* -2**127: the minimum */
    REQUIRE(min != NULL);
    EXPECT_NULL(BAD(PyNumber_Add)(max, max), PyExc_OverflowError, TOO_LARGE);
    EXPECT_NULL(BAD(PyNumber_Subtract)(min, i), PyExc_OverflowError, TOO_LARGE);
    EXPECT_NULL(BAD(PyNumber_Negative)(min), PyExc_OverflowError, TOO_LARGE);
    EXPECT_NULL(BAD(PyNumber_Absolute)(min), PyExc_OverflowError, TOO_LARGE);
    EXPECT_NULL(BAD(PyNumber_FloorDivide)(min, neg), PyExc_OverflowError, TOO_LARGE);
    EXPECT_NULL(BAD(PyNumber_Power)(i, i, Py_None), PyExc_OverflowError, TOO_LARGE);
    PyObject *inv = PyNumber_Invert(min); /* 2**127 - 1 */
    REQUIRE(inv != NULL);
    EXPECT_NULL(BAD(PyNumber_InPlaceAdd)(inv, PyLong_FromLong(1)), PyExc_OverflowError,
                TOO_LARGE);
    PyObject *r = PyNumber_Remainder(min, neg);
    REQUIRE(r != NULL);
    EXPECT_INT_OK(PyLong_AsLong(r), 0);
    Py_DECREF(r);
    r = PyNumber_Rshift(min, big);
    REQUIRE(r != NULL);
    EXPECT_INT_OK(PyLong_AsLong(r), -1);
    Py_DECREF(r);
    /* pycoro: a negative exponent without a modulus gives a float in CPython. */
    EXPECT_NULL(BAD(PyNumber_Power)(i, neg, Py_None), PyExc_NotImplementedError,
                "pycoro: the result is a float, and pycoro has no float type yet (issue 12)");
    EXPECT_NULL(BAD(PyNumber_Power)(z, neg, Py_None), PyExc_ZeroDivisionError,
                "0.0 cannot be raised to a negative power");
    EXPECT_NULL(BAD(PyNumber_Power)(i, i, z), PyExc_ValueError, "pow() 3rd argument cannot be 0");
    EXPECT_NULL(BAD(PyNumber_Power)(z, neg, i), PyExc_ValueError,
                "base is not invertible for the given modulus");
    EXPECT_NULL(BAD(PyNumber_Power)(NULL, i, Py_None), PyExc_SystemError, NULLARG);
    EXPECT_NULL(BAD(PyNumber_Power)(i, NULL, Py_None), PyExc_SystemError, NULLARG);
    EXPECT_NULL(BAD(PyNumber_Power)(i, i, NULL), PyExc_SystemError, NULLARG);
    EXPECT_NULL(BAD(PyNumber_Power)(i, d, Py_None), PyExc_TypeError,
                "unsupported operand type(s) for ** or pow(): 'int' and 'dict'");
    EXPECT_NULL(BAD(PyNumber_Power)(i, i, d), PyExc_TypeError,
                "unsupported operand type(s) for ** or pow(): 'int', 'int', 'dict'");
    EXPECT_NULL(BAD(PyNumber_InPlacePower)(NULL, i, Py_None), PyExc_SystemError, NULLARG);
    EXPECT_NULL(BAD(PyNumber_InPlacePower)(i, i, NULL), PyExc_SystemError, NULLARG);
    EXPECT_NULL(BAD(PyNumber_InPlacePower)(d, i, Py_None), PyExc_TypeError,
                "unsupported operand type(s) for **=: 'dict' and 'int'");
    EXPECT_NULL(BAD(PyNumber_InPlacePower)(i, i, z), PyExc_ValueError,
                "pow() 3rd argument cannot be 0");

    EXPECT_NULL(BAD(PyNumber_Negative)(NULL), PyExc_SystemError, NULLARG);
    EXPECT_NULL(BAD(PyNumber_Negative)(d), PyExc_TypeError, "bad operand type for unary -: 'dict'");
    EXPECT_NULL(BAD(PyNumber_Positive)(NULL), PyExc_SystemError, NULLARG);
    EXPECT_NULL(BAD(PyNumber_Positive)(d), PyExc_TypeError, "bad operand type for unary +: 'dict'");
    EXPECT_NULL(BAD(PyNumber_Absolute)(NULL), PyExc_SystemError, NULLARG);
    EXPECT_NULL(BAD(PyNumber_Absolute)(d), PyExc_TypeError, "bad operand type for abs(): 'dict'");
    EXPECT_NULL(BAD(PyNumber_Invert)(NULL), PyExc_SystemError, NULLARG);
    EXPECT_NULL(BAD(PyNumber_Invert)(d), PyExc_TypeError, "bad operand type for unary ~: 'dict'");

    EXPECT_NULL(BAD(PyNumber_Index)(NULL), PyExc_SystemError, NULLARG);
    EXPECT_NULL(BAD(PyNumber_Index)(d), PyExc_TypeError,
                "'dict' object cannot be interpreted as an integer");
    EXPECT_NULL(BAD(PyNumber_Long)(NULL), PyExc_SystemError, NULLARG);
    EXPECT_NULL(BAD(PyNumber_Long)(d), PyExc_TypeError,
                "int() argument must be a string, a bytes-like object or a real number, not 'dict'");
    PyObject *text = PyUnicode_FromString("12x");
    EXPECT_NULL(BAD(PyNumber_Long)(text), PyExc_ValueError,
                "invalid literal for int() with base 10: '12x'");
    Py_DECREF(text);
    EXPECT_INT(BAD(PyNumber_AsSsize_t)(NULL, NULL), -1, PyExc_SystemError, NULLARG);
    EXPECT_INT(BAD(PyNumber_AsSsize_t)(d, PyExc_OverflowError), -1, PyExc_TypeError,
               "'dict' object cannot be interpreted as an integer");
    EXPECT_INT(BAD(PyNumber_AsSsize_t)(sq, PyExc_IndexError), -1, PyExc_IndexError,
               "cannot fit 'int' into an index-sized integer");
    EXPECT_INT_OK(BAD(PyNumber_AsSsize_t)(sq, NULL), PY_SSIZE_T_MAX);
    EXPECT_INT_OK(BAD(PyNumber_AsSsize_t)(min, NULL), PY_SSIZE_T_MIN);
    EXPECT_INT_OK(BAD(PyNumber_Check)(NULL), 0);
    EXPECT_INT_OK(BAD(PyNumber_Check)(d), 0);
    EXPECT_INT_OK(BAD(PyNumber_Check)(i), 1);
    EXPECT_INT_OK(BAD(PyIndex_Check)(NULL), 0);
    EXPECT_INT_OK(BAD(PyIndex_Check)(d), 0);
    EXPECT_INT_OK(BAD(PyIndex_Check)(Py_True), 1);

    CHECK_REFCNT(i, 1);
    CHECK_REFCNT(d, 1);
    CHECK_REFCNT(sq, 1);
    Py_DECREF(i);
    Py_DECREF(z);
    Py_DECREF(neg);
    Py_DECREF(big);
    Py_DECREF(d);
    Py_DECREF(sq);
    Py_DECREF(max);
    Py_DECREF(min);
    Py_DECREF(inv);
}

/* ---- the table -------------------------------------------------------------------------- */

static const struct {
    const char *name;
    void (*run)(void);
} cases[] = {
    {"case_err_set", case_err_set},
    {"case_err_format", case_err_format},
    {"case_err_fetch_restore", case_err_fetch_restore},
    {"case_err_matches", case_err_matches},
    {"case_err_misc", case_err_misc},
    {"case_err_excinfo", case_err_excinfo},
    {"case_err_warn", case_err_warn},
    {"case_err_unraisable", case_err_unraisable},
    {"case_exc_objects", case_exc_objects},
    {"case_code", case_code},
    {"case_frames", case_frames},
    {"case_gen_new", case_gen_new},
    {"case_gen_checks", case_gen_checks},
    {"case_gen_iter", case_gen_iter},
    {"case_gen_methods", case_gen_methods},
    {"case_calls", case_calls},
    {"case_calls_varargs", case_calls_varargs},
    {"case_cfunction", case_cfunction},
    {"case_buildvalue", case_buildvalue},
    {"case_unicode", case_unicode},
    {"case_tuple", case_tuple},
    {"case_dict", case_dict},
    {"case_list", case_list},
    {"case_item_protocol", case_item_protocol},
    {"case_number", case_number},
    {"case_long", case_long},
    {"case_mem", case_mem},
    {"case_object_protocols", case_object_protocols},
    {"case_object_attrs", case_object_attrs},
    {"case_members", case_members},
    {"case_alloc", case_alloc},
    {"case_gc", case_gc},
    {"case_eval_hooks", case_eval_hooks},
    {"case_recursion_and_trashcan", case_recursion_and_trashcan},
    {"case_threads", case_threads},
    {"case_lifecycle", case_lifecycle},
    {"case_test_hooks", case_test_hooks},
    {"case_audit", case_audit},
    {"case_types", case_types},
};

int main(int argc, char **argv)
{
    size_t k;
    int i;
    if (PyType_Ready(&Rec_Type) < 0 || PyType_Ready(&Var_Type) < 0 ||
        PyType_Ready(&GcVar_Type) < 0 || PyType_Ready(&Broken_Type) < 0) {
        printf("PyType_Ready failed\n");
        return 1;
    }
    for (k = 0; k < Py_ARRAY_LENGTH(cases); k++) {
        if (argc > 1 && strcmp(argv[1], cases[k].name) != 0) {
            continue;
        }
        harness_run(cases[k].run, cases[k].name);
    }
    printf("bad-input calls: %ld\n", bad_calls);
    for (i = 0; i < n_covered; i++) {
        printf("covered: %s\n", covered_names[i]);
    }
    return HARNESS_SUMMARY();
}
