/*
 * The C variadic API: PyUnicode_FromFormat(V), PyErr_Format(V), Py_BuildValue and its
 * va_list / PY_SSIZE_T_CLEAN forms, PyObject_CallFunction / CallMethod (+ _SizeT),
 * PyObject_CallFunctionObjArgs / CallMethodObjArgs, PyTuple_Pack.
 *
 * Expected values are CPython 3.10's, measured (FACTS sections 6, 7, 8), except where pycoro
 * documents a difference (no list/dict/float/bytes types). Many calls pass more than six
 * integer arguments (the rest travel on the stack) or a double (which makes the caller set
 * %al and the trampoline save the xmm registers).
 */
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <wchar.h>

#include "harness.h"

/* Checks that `obj` (a new reference, released here) is a str equal to `expected` (UTF-8). */
static int check_str_obj(PyObject *obj, const char *expected, const char *what, const char *file,
                         int line)
{
    const char *text;
    int ok;
    if (obj == NULL) {
        harness_fail_at(file, line, what);
        harness_check_no_exc(file, line);
        printf("    got NULL, expected \"%s\"\n", expected);
        return 0;
    }
    text = PyUnicode_AsUTF8(obj);
    ok = harness_check_str(text, expected, what, file, line);
    Py_DECREF(obj);
    return ok;
}

/* Checks that repr(obj) equals `expected`; releases `obj` (a new reference). */
static int check_repr(PyObject *obj, const char *expected, const char *what, const char *file,
                      int line)
{
    if (obj == NULL) {
        harness_fail_at(file, line, what);
        harness_check_no_exc(file, line);
        printf("    got NULL, expected %s\n", expected);
        return 0;
    }
    int ok = check_str_obj(PyObject_Repr(obj), expected, what, file, line);
    Py_DECREF(obj);
    return ok;
}

#define CHECK_STR_OBJ(expr, expected) check_str_obj((expr), (expected), #expr, __FILE__, __LINE__)
#define CHECK_REPR(expr, expected) check_repr((expr), (expected), #expr, __FILE__, __LINE__)
/* The call returned NULL with `type` set, with str(exception) == message. */
#define CHECK_FAILS(expr, type, message)                                                       \
    do {                                                                                       \
        PyObject *r_ = (expr);                                                                 \
        CHECK(r_ == NULL);                                                                     \
        Py_XDECREF(r_);                                                                        \
        CHECK_EXC((type), (message));                                                          \
    } while (0)

/* KeyError('k'), through the error indicator (normalization builds the instance). */
static PyObject *key_error_k(void)
{
    PyObject *type, *value, *tb;
    PyErr_SetString(PyExc_KeyError, "k");
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    Py_XDECREF(type);
    Py_XDECREF(tb);
    return value;
}

/* A C wrapper that builds its own va_list, as extension code does. */
static PyObject *format_via_va_list(const char *format, ...)
{
    va_list ap;
    PyObject *result;
    va_start(ap, format);
    result = PyUnicode_FromFormatV(format, ap);
    va_end(ap);
    return result;
}

static PyObject *build_via_va_list(const char *format, ...)
{
    va_list ap;
    PyObject *result;
    va_start(ap, format);
    result = Py_VaBuildValue(format, ap);
    va_end(ap);
    return result;
}

static PyObject *set_error_via_va_list(PyObject *exception, const char *format, ...)
{
    va_list ap;
    PyObject *result;
    va_start(ap, format);
    result = PyErr_FormatV(exception, format, ap);
    va_end(ap);
    return result;
}

/* ---- PyUnicode_FromFormat (FACTS section 6) ---- */

static void test_format_basic_conversions(void)
{
    /* 10 variadic arguments: four of them on the stack. */
    CHECK_STR_OBJ(PyUnicode_FromFormat("%s|%d|%i|%ld|%zd|%u|%lu|%zu|%x|%c|%%", "abc", -1, 2, -3L,
                                       (Py_ssize_t)-4, 5u, 6ul, (size_t)7, 255, 'Z'),
                  "abc|-1|2|-3|-4|5|6|7|ff|Z|%");
    CHECK_STR_OBJ(PyUnicode_FromFormat("%lld|%llu|%lli", -1LL, 2ULL, 3LL), "-1|2|3");
    CHECK_STR_OBJ(PyUnicode_FromFormat("%li|%zi|%zu", LONG_MIN, (Py_ssize_t)-9, SIZE_MAX),
                  "-9223372036854775808|-9|18446744073709551615");
    CHECK_STR_OBJ(PyUnicode_FromFormat("%llu|%lu", ULLONG_MAX, ULONG_MAX),
                  "18446744073709551615|18446744073709551615");
    CHECK_STR_OBJ(PyUnicode_FromFormat("%d|%u", INT_MIN, UINT_MAX), "-2147483648|4294967295");
    CHECK_STR_OBJ(PyUnicode_FromFormat("%x", -1), "ffffffff");
    CHECK_STR_OBJ(PyUnicode_FromFormat("%c", 0x20AC), "\xe2\x82\xac");
    CHECK_STR_OBJ(PyUnicode_FromFormat("%c", 0x1F600), "\xf0\x9f\x98\x80");
    CHECK_STR_OBJ(PyUnicode_FromFormat(""), "");
    CHECK_STR_OBJ(PyUnicode_FromFormat("plain text"), "plain text");
}

static void test_format_pointer(void)
{
    CHECK_STR_OBJ(PyUnicode_FromFormat("%p", (void *)0x1234), "0x1234");
    CHECK_STR_OBJ(PyUnicode_FromFormat("%p", (void *)0), "0x(nil)");
    CHECK_STR_OBJ(PyUnicode_FromFormat("%p", (void *)0xdeadbeefcafe), "0xdeadbeefcafe");
}

static void test_format_objects(void)
{
    PyObject *q = PyUnicode_FromString("q");
    PyObject *ke = key_error_k();
    PyObject *e_acute = PyUnicode_FromString("\xc3\xa9");
    REQUIRE(q != NULL && ke != NULL && e_acute != NULL);

    CHECK_STR_OBJ(PyUnicode_FromFormat("%S|%R|%U|%V", q, ke, q, (PyObject *)NULL, "fallback"),
                  "q|KeyError('k')|q|fallback");
    CHECK_STR_OBJ(PyUnicode_FromFormat("%S|%R", ke, ke), "'k'|KeyError('k')");
    CHECK_STR_OBJ(PyUnicode_FromFormat("%V", q, "fallback"), "q");
    CHECK_STR_OBJ(PyUnicode_FromFormat("%A", e_acute), "'\\xe9'");
    CHECK_STR_OBJ(PyUnicode_FromFormat("%S", e_acute), "\xc3\xa9");
    CHECK_STR_OBJ(PyUnicode_FromFormat("%R", e_acute), "'\xc3\xa9'");
    CHECK_STR_OBJ(PyUnicode_FromFormat("%S|%R|%A", (PyObject *)NULL, (PyObject *)NULL,
                                       (PyObject *)NULL),
                  "<NULL>|<NULL>|<NULL>");
    CHECK_STR_OBJ(PyUnicode_FromFormat("%S|%R", Py_None, Py_True), "None|True");
    /* Borrowed: nothing was taken from the arguments. */
    CHECK_EQ_INT(Py_REFCNT(q) >= 1, 1);

    Py_DECREF(q);
    Py_DECREF(ke);
    Py_DECREF(e_acute);
}

static void test_format_width_precision(void)
{
    PyObject *q = PyUnicode_FromString("q");
    PyObject *e_acute = PyUnicode_FromString("h\xc3\xa9llo");
    REQUIRE(q != NULL && e_acute != NULL);

    CHECK_STR_OBJ(PyUnicode_FromFormat("%5d|%-5d|%05d|%.3s|%10s", 42, 42, 42, "abcdef", "abc"),
                  "   42|%-5d|%05d|%.3s|%10s");
    CHECK_STR_OBJ(PyUnicode_FromFormat("%5d", 42), "   42");
    CHECK_STR_OBJ(PyUnicode_FromFormat("%-5d|", 42), "%-5d|");
    CHECK_STR_OBJ(PyUnicode_FromFormat("%05d", 42), "00042");
    CHECK_STR_OBJ(PyUnicode_FromFormat("%05d", -42), "00-42");
    CHECK_STR_OBJ(PyUnicode_FromFormat("%.3s", "abcdef"), "abc");
    CHECK_STR_OBJ(PyUnicode_FromFormat("%10s|", "abc"), "       abc|");
    CHECK_STR_OBJ(PyUnicode_FromFormat("%.5d", 42), "00042");
    CHECK_STR_OBJ(PyUnicode_FromFormat("%8.5d|", 42), "   00042|");
    CHECK_STR_OBJ(PyUnicode_FromFormat("%.2S", q), "q");
    CHECK_STR_OBJ(PyUnicode_FromFormat("%5S|", q), "    q|");
    /* Widths and precisions count code points for objects. */
    CHECK_STR_OBJ(PyUnicode_FromFormat("%.2U|%7U|%3.1V", e_acute, e_acute, e_acute, "x"),
                  "h\xc3\xa9|  h\xc3\xa9llo|  h");
    CHECK_STR_OBJ(PyUnicode_FromFormat("%4V|", (PyObject *)NULL, "ab"), "  ab|");
    CHECK_STR_OBJ(PyUnicode_FromFormat("%5x|%5u|%-3c", 255, 7u, 'z'), "   ff|    7|%-3c");
    CHECK_STR_OBJ(PyUnicode_FromFormat("%5%|%5p", (void *)0x10), "%|0x10");

    Py_DECREF(q);
    Py_DECREF(e_acute);
}

static void test_format_unknown_and_odd(void)
{
    CHECK_STR_OBJ(PyUnicode_FromFormat("%lx", 0xabcdefUL), "%lx");
    CHECK_STR_OBJ(PyUnicode_FromFormat("%X", 255), "%X");
    CHECK_STR_OBJ(PyUnicode_FromFormat("abc%y"), "abc%y");
    CHECK_STR_OBJ(PyUnicode_FromFormat("a%yb%d", 5), "a%yb%d");
    CHECK_STR_OBJ(PyUnicode_FromFormat("abc%"), "abc%");
    CHECK_STR_OBJ(PyUnicode_FromFormat("%d%.3%s", 1, "x"), "1%.3%s");
    CHECK_STR_OBJ(PyUnicode_FromFormat("x%.12"), "x%.12");
    CHECK_STR_OBJ(PyUnicode_FromFormat("x%l"), "x%l");
    CHECK_STR_OBJ(PyUnicode_FromFormat("%s", "\xff"), "\xef\xbf\xbd");
    CHECK_STR_OBJ(PyUnicode_FromFormat("%s", "a\xe2\x82z"), "a\xef\xbf\xbdz");
    /* %.Ns cuts bytes before decoding: half a character becomes U+FFFD. */
    CHECK_STR_OBJ(PyUnicode_FromFormat("%.2s", "a\xc3\xa9"), "a\xef\xbf\xbd");
}

static void test_format_errors(void)
{
    CHECK_FAILS(PyUnicode_FromFormat("%c", 0x110000), PyExc_OverflowError,
                "character argument not in range(0x110000)");
    CHECK_FAILS(PyUnicode_FromFormat("%c", -1), PyExc_OverflowError,
                "character argument not in range(0x110000)");
    CHECK_FAILS(PyUnicode_FromFormat("%s \xc3\xa9", "x"), PyExc_ValueError,
                "PyUnicode_FromFormatV() expects an ASCII-encoded format string, got a non-ASCII "
                "byte: 0xc3");
    /* pycoro: a surrogate cannot be held by a str. */
    CHECK_FAILS(PyUnicode_FromFormat("%c", 0xD800), PyExc_ValueError, NULL);
    /* pycoro: NULL where CPython would crash. */
    CHECK_FAILS(PyUnicode_FromFormat("%s", (char *)NULL), PyExc_SystemError,
                "bad argument to internal function");
    CHECK_FAILS(PyUnicode_FromFormat("%U", (PyObject *)NULL), PyExc_SystemError,
                "bad argument to internal function");
    CHECK_FAILS(PyUnicode_FromFormat("%U", Py_None), PyExc_SystemError,
                "bad argument to internal function");
    CHECK_FAILS(PyUnicode_FromFormat("%V", (PyObject *)NULL, (char *)NULL), PyExc_SystemError,
                "bad argument to internal function");
    CHECK_FAILS(PyUnicode_FromFormat("%99999999999999999999d", 1), PyExc_ValueError,
                "width too big");
    CHECK_FAILS(PyUnicode_FromFormat("%.99999999999999999999d", 1), PyExc_ValueError,
                "precision too big");
    CHECK_FAILS(PyUnicode_FromFormat(NULL), PyExc_SystemError,
                "bad argument to internal function");
}

static void test_format_many_args_and_doubles(void)
{
    /* 14 integer arguments after the format: 9 on the stack. */
    CHECK_STR_OBJ(PyUnicode_FromFormat("%d %d %d %d %d %d %d %d %d %d %d %d %d %d", 1, 2, 3, 4,
                                       5, 6, 7, 8, 9, 10, 11, 12, 13, 14),
                  "1 2 3 4 5 6 7 8 9 10 11 12 13 14");
    CHECK_STR_OBJ(PyUnicode_FromFormat("%s %lld %s %zu %s %c %s %llu", "a", -5LL, "b", (size_t)6,
                                       "c", 'x', "d", 7ULL),
                  "a -5 b 6 c x d 7");
    /* Doubles the format does not read: %al != 0, the xmm registers are saved, integer
       arguments interleaved with them still come out right. */
    CHECK_STR_OBJ(PyUnicode_FromFormat("%d %d %d %d %d %d %d %d", 1, 0.5, 2, 1.5, 3, 2.5, 4, 3.5,
                                       5, 4.5, 6, 5.5, 7, 6.5, 8, 7.5, 8.5, 9.5),
                  "1 2 3 4 5 6 7 8");
    CHECK_STR_OBJ(format_via_va_list("%d %s %d %s %d %s %d %s %d", 1, "a", 2, "b", 3, "c", 4, "d",
                                     5),
                  "1 a 2 b 3 c 4 d 5");
    CHECK_STR_OBJ(format_via_va_list("%S-%d", Py_None, 9), "None-9");
}

/* ---- PyErr_Format ---- */

static void test_err_format(void)
{
    PyObject *r = PyErr_Format(PyExc_ValueError, "x=%d y=%s z=%R", 5, "w", Py_None);
    CHECK(r == NULL);
    CHECK_EXC(PyExc_ValueError, "x=5 y=w z=None");

    /* Many arguments, some on the stack. */
    r = PyErr_Format(PyExc_TypeError, "%d%d%d%d%d%d%d%d%d", 1, 2, 3, 4, 5, 6, 7, 8, 9);
    CHECK(r == NULL);
    CHECK_EXC(PyExc_TypeError, "123456789");

    /* A pending error is replaced. */
    PyErr_SetString(PyExc_KeyError, "old");
    CHECK(PyErr_Format(PyExc_RuntimeError, "new %s", "one") == NULL);
    CHECK_EXC(PyExc_RuntimeError, "new one");

    /* Formatting fails: the exception is still set, without a value (CPython 3.10). */
    CHECK(PyErr_Format(PyExc_RuntimeError, "%c", 0x110000) == NULL);
    CHECK_EXC(PyExc_RuntimeError, "");

    CHECK(PyErr_Format(NULL, "x") == NULL);
    CHECK_EXC(PyExc_SystemError, "bad argument to internal function");

    CHECK(set_error_via_va_list(PyExc_ValueError, "%s-%d-%s-%d-%s-%d", "a", 1, "b", 2, "c", 3) ==
          NULL);
    CHECK_EXC(PyExc_ValueError, "a-1-b-2-c-3");
}

/* ---- Py_BuildValue (FACTS section 7) ---- */

static void test_build_simple(void)
{
    PyObject *none = Py_BuildValue("");
    CHECK(none == Py_None);
    Py_XDECREF(none);
    CHECK_REPR(Py_BuildValue("i", 7), "7");
    CHECK_REPR(Py_BuildValue("(i)", 7), "(7,)");
    CHECK_REPR(Py_BuildValue("ii", 1, 2), "(1, 2)");
    CHECK_REPR(Py_BuildValue("i i", 1, 2), "(1, 2)");
    CHECK_REPR(Py_BuildValue("i,i", 1, 2), "(1, 2)");
    CHECK_REPR(Py_BuildValue("i:i\ti", 1, 2, 3), "(1, 2, 3)");
    CHECK_REPR(Py_BuildValue("()"), "()");
    CHECK_REPR(Py_BuildValue("s", (char *)NULL), "None");
    CHECK_REPR(Py_BuildValue("z", (char *)NULL), "None");
    CHECK_REPR(Py_BuildValue("U", (char *)NULL), "None");
    CHECK_REPR(Py_BuildValue("s", "hi"), "'hi'");
    CHECK_REPR(Py_BuildValue("s#", "abcdef", 3), "'abc'");
    CHECK_REPR(Py_BuildValue("s#", (char *)NULL, 3), "None");
    CHECK_REPR(Py_BuildValue("z#", "abcdef", -1), "'abcdef'");
    CHECK_REPR(_Py_BuildValue_SizeT("s#", "abcdef", (Py_ssize_t)2), "'ab'");
    CHECK_REPR(_Py_BuildValue_SizeT("(U#i)", "xyz", (Py_ssize_t)1, 5), "('x', 5)");
    CHECK_REPR(Py_BuildValue("C", 0x20AC), "'\xe2\x82\xac'");
    CHECK_REPR(Py_BuildValue("u", L"h\u00e9"), "'h\xc3\xa9'");
    CHECK_REPR(Py_BuildValue("u#", L"abc", 2), "'ab'");
    CHECK_REPR(Py_BuildValue("i)", 1), "1");
}

static void test_build_integers(void)
{
    CHECK_REPR(Py_BuildValue("l", -1L), "-1");
    CHECK_REPR(Py_BuildValue("n", (Py_ssize_t)-2), "-2");
    CHECK_REPR(Py_BuildValue("K", ULLONG_MAX), "18446744073709551615");
    CHECK_REPR(Py_BuildValue("k", ULONG_MAX), "18446744073709551615");
    CHECK_REPR(Py_BuildValue("B", 300), "300");
    CHECK_REPR(Py_BuildValue("(bhHI)", -1, -2, 65535, UINT_MAX), "(-1, -2, 65535, 4294967295)");
    CHECK_REPR(Py_BuildValue("(LL)", LLONG_MIN, LLONG_MAX),
               "(-9223372036854775808, 9223372036854775807)");
    /* Twelve values: six on the stack, wide ones among them. */
    CHECK_REPR(Py_BuildValue("(iiiiiiLiKini)", 1, 2, 3, 4, 5, 6, -7LL, 8, 9ULL, 10,
                             (Py_ssize_t)-11, 12),
               "(1, 2, 3, 4, 5, 6, -7, 8, 9, 10, -11, 12)");
    CHECK_REPR(build_via_va_list("(isisisisi)", 1, "a", 2, "b", 3, "c", 4, "d", 5),
               "(1, 'a', 2, 'b', 3, 'c', 4, 'd', 5)");
}

static PyObject *make_answer(void *arg)
{
    return PyLong_FromLong(*(long *)arg);
}

static void test_build_objects(void)
{
    PyObject *x = PyLong_FromLong(123456789);
    PyObject *r;
    long answer = 42;
    REQUIRE(x != NULL);
    CHECK_EQ_INT(Py_REFCNT(x), 1);

    /* "(N)" steals. */
    Py_INCREF(x);
    r = Py_BuildValue("(N)", x);
    REQUIRE(r != NULL);
    CHECK_EQ_INT(Py_REFCNT(x), 2);
    Py_DECREF(r);
    CHECK_EQ_INT(Py_REFCNT(x), 1);

    /* "(O)" takes a new reference. */
    r = Py_BuildValue("(O)", x);
    REQUIRE(r != NULL);
    CHECK_EQ_INT(Py_REFCNT(x), 2);
    Py_DECREF(r);
    CHECK_EQ_INT(Py_REFCNT(x), 1);

    /* "O" returns the object itself. */
    r = Py_BuildValue("O", x);
    CHECK(r == x);
    CHECK_EQ_INT(Py_REFCNT(x), 2);
    Py_XDECREF(r);
    r = Py_BuildValue("S", x);
    CHECK(r == x);
    Py_XDECREF(r);

    CHECK_REPR(Py_BuildValue("((O)(ii))", Py_None, 1, 2), "((None,), (1, 2))");
    CHECK_REPR(Py_BuildValue("(iO&i)", 1, make_answer, (void *)&answer, 3), "(1, 42, 3)");
    CHECK_REPR(Py_BuildValue("(O,(O,(O,())),i)", Py_True, Py_False, Py_None, 4),
               "(True, (False, (None, ())), 4)");
    CHECK_EQ_INT(Py_REFCNT(x), 1);
    Py_DECREF(x);
}

static void test_build_errors(void)
{
    PyObject *x = PyLong_FromLong(987654321);
    REQUIRE(x != NULL);

    CHECK_FAILS(Py_BuildValue("O", (PyObject *)NULL), PyExc_SystemError,
                "NULL object passed to Py_BuildValue");
    CHECK_FAILS(Py_BuildValue("(O)", (PyObject *)NULL), PyExc_SystemError,
                "NULL object passed to Py_BuildValue");
    CHECK_FAILS(Py_BuildValue("N", (PyObject *)NULL), PyExc_SystemError,
                "NULL object passed to Py_BuildValue");
    PyErr_SetString(PyExc_ValueError, "preexisting");
    CHECK_FAILS(Py_BuildValue("O", (PyObject *)NULL), PyExc_ValueError, "preexisting");
    CHECK_FAILS(Py_BuildValue("Q"), PyExc_SystemError, "bad format char passed to Py_BuildValue");
    CHECK_FAILS(Py_BuildValue("(iQ)", 1), PyExc_SystemError,
                "bad format char passed to Py_BuildValue");
    CHECK_FAILS(Py_BuildValue("(i", 1), PyExc_SystemError, "unmatched paren in format");
    CHECK_FAILS(Py_BuildValue("(i#)", 1, 2), PyExc_SystemError, "Unmatched paren in format");
    CHECK_FAILS(Py_BuildValue("s", "\xff"), PyExc_UnicodeDecodeError,
                "'utf-8' codec can't decode byte 0xff in position 0: invalid start byte");
    CHECK_FAILS(Py_BuildValue("C", 0x110000), PyExc_ValueError,
                "chr() arg not in range(0x110000)");
    CHECK_FAILS(Py_BuildValue(NULL), PyExc_SystemError, "bad argument to internal function");

    /* Lists and dicts (CPython 3.10's results). */
    {
        PyObject *r = Py_BuildValue("[]");
        CHECK_REPR(r, "[]");
        Py_XDECREF(r);
        r = Py_BuildValue("[i,(s)]", 1, "a");
        CHECK_REPR(r, "[1, ('a',)]");
        Py_XDECREF(r);
        r = Py_BuildValue("{s:i,s:[]}", "k", 1, "l");
        CHECK_REPR(r, "{'k': 1, 'l': []}");
        Py_XDECREF(r);
        r = Py_BuildValue("{}");
        CHECK_REPR(r, "{}");
        Py_XDECREF(r);
    }
    CHECK_FAILS(Py_BuildValue("{s}", "k"), PyExc_SystemError, "Bad dict format");
    CHECK_FAILS(Py_BuildValue("{[]:i}", 1), PyExc_TypeError, "unhashable type: 'list'");
    CHECK_FAILS(Py_BuildValue("[i", 1), PyExc_SystemError, "unmatched paren in format");
    /* pycoro has no float, complex or bytes type. */
    CHECK_FAILS(Py_BuildValue("d", 1.5), PyExc_SystemError,
                "bad format char passed to Py_BuildValue");
    CHECK_FAILS(Py_BuildValue("c", 'A'), PyExc_SystemError,
                "bad format char passed to Py_BuildValue");
    CHECK_FAILS(Py_BuildValue("y#", "ab\0c", 4), PyExc_SystemError,
                "bad format char passed to Py_BuildValue");

    /* "N" arguments are released even when the build fails, before or after the error. */
    Py_INCREF(x);
    CHECK_FAILS(Py_BuildValue("(iQN)", 1, x), PyExc_SystemError,
                "bad format char passed to Py_BuildValue");
    CHECK_EQ_INT(Py_REFCNT(x), 1);
    Py_INCREF(x);
    Py_INCREF(x);
    CHECK_FAILS(Py_BuildValue("(N(O)N)", x, (PyObject *)NULL, x), PyExc_SystemError,
                "NULL object passed to Py_BuildValue");
    CHECK_EQ_INT(Py_REFCNT(x), 1);
    /* ... with the arguments of unsupported codes skipped correctly (a double among them). */
    Py_INCREF(x);
    Py_INCREF(x);
    CHECK_FAILS(Py_BuildValue("(d[iN]iiiiiiiN)", 2.5, 1, x, 1, 2, 3, 4, 5, 6, 7, x),
                PyExc_SystemError, "bad format char passed to Py_BuildValue");
    CHECK_EQ_INT(Py_REFCNT(x), 1);
    Py_INCREF(x);
    CHECK_FAILS(Py_BuildValue("({s:N}Q)", "k", x), PyExc_SystemError,
                "bad format char passed to Py_BuildValue");
    CHECK_EQ_INT(Py_REFCNT(x), 1);
    Py_INCREF(x);
    Py_INCREF(x);
    CHECK_FAILS(Py_BuildValue("{[]:N,s:N}", x, "k", x), PyExc_TypeError,
                "unhashable type: 'list'");
    CHECK_EQ_INT(Py_REFCNT(x), 1);
    Py_DECREF(x);
}

/* ---- calls (FACTS section 8) ---- */

/* A METH_VARARGS function that returns its argument tuple. */
static PyObject *echo_args(PyObject *self, PyObject *args)
{
    (void)self;
    Py_INCREF(args);
    return args;
}

static PyMethodDef echo_def = {"echo", echo_args, METH_VARARGS, NULL};

static void test_call_function(void)
{
    PyObject *echo = PyCFunction_NewEx(&echo_def, NULL, NULL);
    PyObject *t;
    REQUIRE(echo != NULL);

    CHECK_REPR(PyObject_CallFunction(echo, NULL), "()");
    CHECK_REPR(PyObject_CallFunction(echo, ""), "()");
    CHECK_REPR(PyObject_CallFunction(echo, " "), "()");
    CHECK_REPR(PyObject_CallFunction(echo, "i", 1), "(1,)");
    CHECK_REPR(PyObject_CallFunction(echo, "ii", 1, 2), "(1, 2)");
    CHECK_REPR(PyObject_CallFunction(echo, "(ii)", 1, 2), "(1, 2)");
    CHECK_REPR(PyObject_CallFunction(echo, "((ii))", 1, 2), "((1, 2),)");
    t = Py_BuildValue("(si)", "a", 1);
    REQUIRE(t != NULL);
    CHECK_REPR(PyObject_CallFunction(echo, "O", t), "('a', 1)");
    CHECK_REPR(PyObject_CallFunction(echo, "OO", t, t), "(('a', 1), ('a', 1))");
    CHECK_EQ_INT(Py_REFCNT(t), 1);
    CHECK_REPR(PyObject_CallFunction(echo, "iiiiiiiiiii", 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11),
               "(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)");
    CHECK_REPR(PyObject_CallFunction(echo, "s#", "abc", 2), "('ab',)");
    CHECK_REPR(_PyObject_CallFunction_SizeT(echo, "s#i", "abc", (Py_ssize_t)1, 7), "('a', 7)");
    CHECK_FAILS(PyObject_CallFunction(echo, "i)", 1), PyExc_SystemError,
                "Unmatched paren in format");
    CHECK_FAILS(PyObject_CallFunction(echo, "(i", 1), PyExc_SystemError,
                "unmatched paren in format");
    CHECK_FAILS(PyObject_CallFunction(NULL, "i", 1), PyExc_SystemError,
                "null argument to internal routine");
    /* A NULL callable after a failed call keeps that call's error. */
    PyErr_SetString(PyExc_KeyError, "earlier");
    CHECK_FAILS(PyObject_CallFunction(NULL, NULL), PyExc_KeyError, "'earlier'");

    CHECK_REPR(PyObject_CallFunctionObjArgs(echo, NULL), "()");
    CHECK_REPR(PyObject_CallFunctionObjArgs(echo, t, Py_None, NULL), "(('a', 1), None)");
    CHECK_REPR(PyObject_CallFunctionObjArgs(echo, Py_None, Py_True, Py_False, Py_None, Py_True,
                                            Py_False, Py_None, Py_True, NULL),
               "(None, True, False, None, True, False, None, True)");
    CHECK_FAILS(PyObject_CallFunctionObjArgs(NULL, Py_None, NULL), PyExc_SystemError,
                "null argument to internal routine");
    CHECK_EQ_INT(Py_REFCNT(t), 1);
    Py_DECREF(t);
    Py_DECREF(echo);
}

static void test_call_method(void)
{
    /* pycoro's int has no methods (FACTS uses int.__add__ and int.real); KeyError's
       with_traceback (METH_O, returns self) and args (a tuple) stand in for them. */
    PyObject *five = PyLong_FromLong(5);
    PyObject *ke = key_error_k();
    PyObject *with_traceback = PyUnicode_FromString("with_traceback");
    PyObject *r;
    REQUIRE(five != NULL && ke != NULL && with_traceback != NULL);

    CHECK_FAILS(PyObject_CallMethod(five, "nope", NULL), PyExc_AttributeError,
                "'int' object has no attribute 'nope'");
    r = PyObject_CallMethod(ke, "with_traceback", "O", Py_None);
    CHECK(r == ke);
    Py_XDECREF(r);
    r = PyObject_CallMethod(ke, "with_traceback", "(O)", Py_None);
    CHECK(r == ke);
    Py_XDECREF(r);
    r = _PyObject_CallMethod_SizeT(ke, "with_traceback", "N", Py_None);
    CHECK(r == ke);
    Py_XDECREF(r);
    CHECK_FAILS(PyObject_CallMethod(ke, "with_traceback", "OO", Py_None, Py_None),
                PyExc_TypeError, "KeyError.with_traceback() takes exactly one argument (2 given)");
    CHECK_FAILS(PyObject_CallMethod(ke, "args", NULL), PyExc_TypeError,
                "attribute of type 'tuple' is not callable");
    CHECK_FAILS(PyObject_CallMethod(ke, "with_traceback", "Q"), PyExc_SystemError,
                "bad format char passed to Py_BuildValue");
    CHECK_FAILS(PyObject_CallMethod(NULL, "x", NULL), PyExc_SystemError,
                "null argument to internal routine");
    CHECK_FAILS(PyObject_CallMethod(five, NULL, NULL), PyExc_SystemError,
                "null argument to internal routine");

    r = PyObject_CallMethodObjArgs(ke, with_traceback, Py_None, NULL);
    CHECK(r == ke);
    Py_XDECREF(r);
    /* CPython 3.10 calls the unbound method descriptor here and names it
       "BaseException.with_traceback()"; pycoro has no method descriptors, so the bound method
       names the instance's type, as PyObject_CallMethod does in both. */
    CHECK_FAILS(PyObject_CallMethodObjArgs(ke, with_traceback, Py_None, Py_None, NULL),
                PyExc_TypeError, "KeyError.with_traceback() takes exactly one argument (2 given)");
    CHECK_FAILS(PyObject_CallMethodObjArgs(five, with_traceback, NULL), PyExc_AttributeError,
                "'int' object has no attribute 'with_traceback'");
    CHECK_FAILS(PyObject_CallMethodObjArgs(five, (PyObject *)NULL, NULL), PyExc_SystemError,
                "null argument to internal routine");
    CHECK_EQ_INT(Py_REFCNT(ke), 1);

    Py_DECREF(five);
    Py_DECREF(ke);
    Py_DECREF(with_traceback);
}

/* ---- PyTuple_Pack ---- */

static void test_tuple_pack(void)
{
    PyObject *x = PyLong_FromLong(55555555);
    PyObject *t;
    REQUIRE(x != NULL);

    t = PyTuple_Pack(0);
    CHECK_REPR(t, "()");
    CHECK_REPR(PyTuple_Pack(1, x), "(55555555,)");
    t = PyTuple_Pack(8, x, Py_None, x, Py_True, x, Py_False, x, x);
    REQUIRE(t != NULL);
    CHECK_EQ_INT(Py_REFCNT(x), 6);
    CHECK_REPR(t, "(55555555, None, 55555555, True, 55555555, False, 55555555, 55555555)");
    CHECK_EQ_INT(Py_REFCNT(x), 1);
    CHECK_FAILS(PyTuple_Pack(-1), PyExc_SystemError, "bad argument to internal function");
    CHECK_FAILS(PyTuple_Pack(2, x, (PyObject *)NULL), PyExc_SystemError,
                "bad argument to internal function");
    CHECK_EQ_INT(Py_REFCNT(x), 1);
    Py_DECREF(x);
}

int main(void)
{
    RUN(test_format_basic_conversions);
    RUN(test_format_pointer);
    RUN(test_format_objects);
    RUN(test_format_width_precision);
    RUN(test_format_unknown_and_odd);
    RUN(test_format_errors);
    RUN(test_format_many_args_and_doubles);
    RUN(test_err_format);
    RUN(test_build_simple);
    RUN(test_build_integers);
    RUN(test_build_objects);
    RUN(test_build_errors);
    RUN(test_call_function);
    RUN(test_call_method);
    RUN(test_tuple_pack);
    return HARNESS_SUMMARY();
}
