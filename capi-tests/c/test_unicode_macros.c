/* CPython 3.10's PEP 393 macros from pycoro's Python.h read pycoro strings correctly
 * (kind, compactness, data pointer, characters, length). */
#include "harness.h"

static void test_pep393_macros(void) {
    const char *samples[] = {"abc", "h\xc3\xa9", "\xe2\x82\xac!", "\xf0\x9f\x98\x80x"};
    const Py_UCS4 first[] = {'a', 'h', 0x20AC, 0x1F600};
    const Py_UCS4 second[] = {'b', 0xE9, '!', 'x'};
    const int kinds[] = {PyUnicode_1BYTE_KIND, PyUnicode_1BYTE_KIND, PyUnicode_2BYTE_KIND,
                         PyUnicode_4BYTE_KIND};
    const unsigned ascii[] = {1, 0, 0, 0};
    for (int i = 0; i < 4; i++) {
        PyObject *s = PyUnicode_FromString(samples[i]);
        REQUIRE(s != NULL);
        CHECK(PyUnicode_IS_READY(s));
        CHECK(PyUnicode_IS_COMPACT(s));
        CHECK_EQ_INT(PyUnicode_IS_ASCII(s), ascii[i]);
        CHECK_EQ_INT(PyUnicode_KIND(s), kinds[i]);
        CHECK_EQ_INT(PyUnicode_READ_CHAR(s, 0), first[i]);
        CHECK_EQ_INT(PyUnicode_READ_CHAR(s, 1), second[i]);
        CHECK_EQ_INT(PyUnicode_GET_LENGTH(s), PyUnicode_GetLength(s));
        Py_DECREF(s);
    }
}

int main(void) {
    RUN(test_pep393_macros);
    return HARNESS_SUMMARY();
}
