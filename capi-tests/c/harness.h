/*
 * harness.h - the tiny test harness of pycoro's C test programs (capi-tests/c/test_*.c).
 *
 * A program is a list of void functions run from main():
 *
 *     static void test_incref(void) { ... CHECK_EQ_INT(Py_REFCNT(o), 2); ... }
 *
 *     int main(void) {
 *         RUN(test_incref);
 *         return HARNESS_SUMMARY();
 *     }
 *
 * A test passes when none of its checks failed and it left no exception set. Checks do not
 * stop the test (so one run reports every mismatch); REQUIRE(cond) returns from the test
 * function when cond is false, for checks that later code depends on (a NULL result).
 * HARNESS_SUMMARY() prints "N passed, N failed" as the program's last line of output and
 * returns the exit status (nonzero when anything failed); the Rust runner checks both.
 *
 * Programs that load libpycoro with dlopen (test_dlopen*.c, not linked against it) define
 * HARNESS_DLOPEN before including this file: it leaves out everything that calls the library
 * (CHECK_EXC, CHECK_NO_EXC and the "left an exception set" check).
 *
 * Compiles with -std=c11 -Wall -Wextra -Werror -pedantic, and as C++.
 */
#ifndef CAPI_TESTS_HARNESS_H
#define CAPI_TESTS_HARNESS_H

#undef NDEBUG
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include <Python.h>

static int harness_passed;
static int harness_failed;
/* Failed checks in the test that is running. */
static int harness_test_failures;

static inline void harness_fail_at(const char *file, int line, const char *what)
{
    harness_test_failures++;
    printf("  %s:%d: check failed: %s\n", file, line, what);
    fflush(stdout);
}

static inline int harness_check(int ok, const char *what, const char *file, int line)
{
    if (!ok) {
        harness_fail_at(file, line, what);
    }
    return ok;
}

static inline int harness_check_int(long long actual, long long expected, const char *what,
                                    const char *file, int line)
{
    if (actual != expected) {
        harness_fail_at(file, line, what);
        printf("    actual:   %lld\n    expected: %lld\n", actual, expected);
        return 0;
    }
    return 1;
}

static inline int harness_check_ptr(const void *actual, const void *expected, const char *what,
                                    const char *file, int line)
{
    if (actual != expected) {
        harness_fail_at(file, line, what);
        printf("    actual:   %p\n    expected: %p\n", actual, expected);
        return 0;
    }
    return 1;
}

static inline int harness_check_str(const char *actual, const char *expected, const char *what,
                                    const char *file, int line)
{
    if (actual == NULL || expected == NULL ? actual != expected : strcmp(actual, expected) != 0) {
        harness_fail_at(file, line, what);
        printf("    actual:   %s%s%s\n", actual ? "\"" : "", actual ? actual : "NULL",
               actual ? "\"" : "");
        printf("    expected: %s%s%s\n", expected ? "\"" : "", expected ? expected : "NULL",
               expected ? "\"" : "");
        return 0;
    }
    return 1;
}

#ifndef HARNESS_DLOPEN
/* Prints str(obj) (or why it cannot), for failure messages. Leaves no exception set. */
static inline void harness_print_object(const char *label, PyObject *obj)
{
    PyObject *s;
    const char *text;
    if (obj == NULL) {
        printf("    %s: NULL\n", label);
        return;
    }
    s = PyObject_Str(obj);
    text = s != NULL ? PyUnicode_AsUTF8(s) : NULL;
    printf("    %s: %s\n", label, text != NULL ? text : "<str() failed>");
    Py_XDECREF(s);
    if (text == NULL) {
        PyErr_Clear();
    }
}

/*
 * Takes the pending exception (clearing it) and checks that it matches `type` and, when
 * `message` is not NULL, that str(exception) equals `message`.
 */
static inline int harness_check_exc(PyObject *type, const char *message, const char *what,
                                    const char *file, int line)
{
    PyObject *exc_type, *exc_value, *exc_tb, *str;
    const char *text;
    int ok = 1;

    PyErr_Fetch(&exc_type, &exc_value, &exc_tb);
    if (exc_type == NULL) {
        harness_fail_at(file, line, what);
        printf("    no exception is set\n");
        return 0;
    }
    PyErr_NormalizeException(&exc_type, &exc_value, &exc_tb);
    if (exc_value == NULL || !PyErr_GivenExceptionMatches(exc_value, type)) {
        harness_fail_at(file, line, what);
        harness_print_object("expected type", type);
        harness_print_object("actual type", exc_type);
        harness_print_object("actual value", exc_value);
        ok = 0;
    } else if (message != NULL) {
        str = PyObject_Str(exc_value);
        text = str != NULL ? PyUnicode_AsUTF8(str) : NULL;
        if (text == NULL) {
            PyErr_Clear();
        }
        ok = harness_check_str(text, message, what, file, line);
        Py_XDECREF(str);
    }
    Py_XDECREF(exc_type);
    Py_XDECREF(exc_value);
    Py_XDECREF(exc_tb);
    return ok;
}

/* Fails (and clears) when an exception is pending. */
static inline int harness_check_no_exc(const char *file, int line)
{
    PyObject *exc_type, *exc_value, *exc_tb;
    if (PyErr_Occurred() == NULL) {
        return 1;
    }
    PyErr_Fetch(&exc_type, &exc_value, &exc_tb);
    harness_fail_at(file, line, "no exception pending");
    harness_print_object("exception type", exc_type);
    harness_print_object("exception value", exc_value);
    Py_XDECREF(exc_type);
    Py_XDECREF(exc_value);
    Py_XDECREF(exc_tb);
    return 0;
}

/* Checks that `s` (a new reference, released here) is a str equal to `expected` (UTF-8). */
static inline int harness_check_text(PyObject *s, const char *expected, const char *what,
                                     const char *file, int line)
{
    const char *text;
    int ok;
    if (s == NULL) {
        harness_fail_at(file, line, what);
        harness_check_no_exc(file, line);
        return 0;
    }
    text = PyUnicode_AsUTF8(s);
    ok = harness_check_str(text, expected, what, file, line);
    Py_DECREF(s);
    return ok;
}

/* repr(obj) == expected; `obj` is borrowed. */
#define CHECK_REPR(obj, expected)                                                              \
    harness_check_text(PyObject_Repr(obj), (expected), "repr(" #obj ")", __FILE__, __LINE__)
/* str(obj) == expected; `obj` is borrowed. */
#define CHECK_STR(obj, expected)                                                               \
    harness_check_text(PyObject_Str(obj), (expected), "str(" #obj ")", __FILE__, __LINE__)

#endif /* HARNESS_DLOPEN */

#define CHECK(cond) harness_check((cond) != 0, #cond, __FILE__, __LINE__)
#define CHECK_EQ_INT(actual, expected)                                                         \
    harness_check_int((long long)(actual), (long long)(expected), #actual " == " #expected,   \
                      __FILE__, __LINE__)
#define CHECK_EQ_PTR(actual, expected)                                                         \
    harness_check_ptr((const void *)(actual), (const void *)(expected),                       \
                      #actual " == " #expected, __FILE__, __LINE__)
#define CHECK_STR_EQ(actual, expected)                                                         \
    harness_check_str((actual), (expected), #actual " == " #expected, __FILE__, __LINE__)
#ifndef HARNESS_DLOPEN
/* CHECK_EXC(PyExc_TypeError, "message") or CHECK_EXC(PyExc_TypeError, NULL) (any message). */
#define CHECK_EXC(type, message)                                                               \
    harness_check_exc((PyObject *)(type), (message), "exception " #type ": " #message,        \
                      __FILE__, __LINE__)
#define CHECK_NO_EXC() harness_check_no_exc(__FILE__, __LINE__)
#endif
/* Like CHECK, but returns from the (void) test function when cond is false. */
#define REQUIRE(cond)                                                                          \
    do {                                                                                       \
        if (!CHECK(cond)) {                                                                    \
            return;                                                                            \
        }                                                                                      \
    } while (0)

static inline void harness_run(void (*test)(void), const char *name)
{
    harness_test_failures = 0;
    test();
#ifndef HARNESS_DLOPEN
    if (PyErr_Occurred() != NULL) {
        harness_check_no_exc(__FILE__, __LINE__);
        printf("  %s left an exception set\n", name);
    }
#endif
    if (harness_test_failures == 0) {
        harness_passed++;
        printf("ok   %s\n", name);
    } else {
        harness_failed++;
        printf("FAIL %s (%d failed checks)\n", name, harness_test_failures);
    }
    fflush(stdout);
}

#define RUN(test) harness_run((test), #test)

/* Prints the closing "N passed, N failed" line; use as `return HARNESS_SUMMARY();`. */
static inline int harness_summary(void)
{
    printf("%d passed, %d failed\n", harness_passed, harness_failed);
    fflush(stdout);
    return harness_failed == 0 && harness_passed > 0 ? 0 : 1;
}

#define HARNESS_SUMMARY() harness_summary()

#endif /* CAPI_TESTS_HARNESS_H */
