/*
 * A body that breaks the contract gets SystemError in its caller (issue "Never crash", item 7):
 * when the body had set an exception, that exception is the SystemError's __cause__ (and
 * __context__, with __suppress_context__ true), as CPython's _Py_CheckFunctionResult chains it
 * for a C function that "returned a result with an error set" (_PyErr_FormatFromCause).
 * Without an exception set there is no cause.
 */
#include "harness.h"
#include "native.h"

/* What the body does on its first run. */
enum misdeed {
    YIELD_WITH_EXC,
    RETURN_WITH_EXC,
    ERROR_WITH_VALUE_AND_EXC,
    ERROR_WITH_VALUE,
    UNKNOWN_STATUS_WITH_EXC,
    UNKNOWN_STATUS,
    SUSPEND_WITHOUT_LABEL_WITH_EXC,
    DELEGATE_WITH_EXC,
    RETURN_NULL,
};
static enum misdeed misdeed;

static int bad_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    int set_exc = misdeed != ERROR_WITH_VALUE && misdeed != UNKNOWN_STATUS &&
                  misdeed != RETURN_NULL;
    (void)arg;
    if (set_exc) {
        PyErr_SetString(PyExc_ValueError, "inner");
    }
    switch (misdeed) {
    case YIELD_WITH_EXC:
        f->f_lasti = 1;
        *out = PyLong_FromLong(1);
        return PYNATIVE_YIELD;
    case RETURN_WITH_EXC:
        *out = PyLong_FromLong(2);
        return PYNATIVE_RETURN;
    case ERROR_WITH_VALUE_AND_EXC:
    case ERROR_WITH_VALUE:
        *out = PyLong_FromLong(3);
        return PYNATIVE_ERROR;
    case UNKNOWN_STATUS_WITH_EXC:
    case UNKNOWN_STATUS:
        return 7;
    case SUSPEND_WITHOUT_LABEL_WITH_EXC:
        *out = PyLong_FromLong(4);
        return PYNATIVE_AWAIT;
    case DELEGATE_WITH_EXC:
        f->f_lasti = 1;
        *out = PyLong_FromLong(5);
        return PYNATIVE_AWAIT;
    case RETURN_NULL:
        *out = NULL;
        return PYNATIVE_RETURN;
    }
    return PYNATIVE_ERROR;
}

/* Runs the misdeed in a fresh coroutine; checks the SystemError and its cause. */
static void check_misdeed(enum misdeed m, const char *what, int with_cause, int line)
{
    PyObject *c, *r = NULL, *t, *v, *tb, *cause, *context;
    char expected[160];
    misdeed = m;
    c = NATIVE_CORO(bad_body, "bad");
    if (!harness_check(c != NULL, "coroutine created", __FILE__, line)) {
        return;
    }
    harness_check_int(PyIter_Send(c, Py_None, &r), PYGEN_ERROR, "send fails", __FILE__, line);
    Py_XDECREF(r);
    PyErr_Fetch(&t, &v, &tb);
    PyErr_NormalizeException(&t, &v, &tb);
    snprintf(expected, sizeof expected, "native body of 'bad' %s", what);
    if (harness_check(t == PyExc_SystemError, "SystemError", __FILE__, line)) {
        harness_check_text(PyObject_Str(v), expected, "message", __FILE__, line);
        cause = PyException_GetCause(v);
        context = PyException_GetContext(v);
        if (with_cause) {
            harness_check(cause != NULL && PyErr_GivenExceptionMatches(cause, PyExc_ValueError),
                          "__cause__ is the body's ValueError", __FILE__, line);
            if (cause != NULL) {
                harness_check_text(PyObject_Str(cause), "inner", "str(__cause__)", __FILE__,
                                   line);
            }
            harness_check(context == cause, "__context__ is the cause", __FILE__, line);
            harness_check(((PyBaseExceptionObject *)v)->suppress_context == 1,
                          "__suppress_context__", __FILE__, line);
        } else {
            harness_check(cause == NULL, "no __cause__", __FILE__, line);
            harness_check(context == NULL, "no __context__", __FILE__, line);
        }
        Py_XDECREF(cause);
        Py_XDECREF(context);
    } else {
        harness_print_object("got", v);
    }
    Py_XDECREF(t);
    Py_XDECREF(v);
    Py_XDECREF(tb);
    Py_DECREF(c);
}

#define CHECK_MISDEED(m, what, with_cause) check_misdeed((m), (what), (with_cause), __LINE__)

static void test_result_with_exception_set(void)
{
    CHECK_MISDEED(YIELD_WITH_EXC, "returned a result with an exception set", 1);
    CHECK_MISDEED(RETURN_WITH_EXC, "returned a result with an exception set", 1);
}

static void test_error_with_a_value(void)
{
    CHECK_MISDEED(ERROR_WITH_VALUE_AND_EXC, "returned PYNATIVE_ERROR with a value in *out", 1);
    CHECK_MISDEED(ERROR_WITH_VALUE, "returned PYNATIVE_ERROR with a value in *out", 0);
}

static void test_unknown_status(void)
{
    CHECK_MISDEED(UNKNOWN_STATUS_WITH_EXC, "returned unknown status 7", 1);
    CHECK_MISDEED(UNKNOWN_STATUS, "returned unknown status 7", 0);
}

static void test_suspend_and_delegate_with_exception(void)
{
    CHECK_MISDEED(SUSPEND_WITHOUT_LABEL_WITH_EXC,
                  "suspended without setting f_lasti to a resume label >= 0", 1);
    CHECK_MISDEED(DELEGATE_WITH_EXC, "delegated to NULL or with an exception set", 1);
}

static void test_null_result_has_no_cause(void)
{
    CHECK_MISDEED(RETURN_NULL, "returned NULL in *out without an exception set", 0);
}

int main(void)
{
    RUN(test_result_with_exception_set);
    RUN(test_error_with_a_value);
    RUN(test_unknown_status);
    RUN(test_suspend_and_delegate_with_exception);
    RUN(test_null_result_has_no_cause);
    return HARNESS_SUMMARY();
}
