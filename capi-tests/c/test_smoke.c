/* Smoke test: the library links, loads and runs; Py_IncRef/Py_DecRef see the object header. */
#include "harness.h"

static void test_incref_decref(void)
{
    PyObject obj;
    memset(&obj, 0, sizeof obj);
    obj.ob_refcnt = 1;
    Py_IncRef(&obj);
    CHECK_EQ_INT(obj.ob_refcnt, 2);
    Py_DecRef(&obj);
    CHECK_EQ_INT(obj.ob_refcnt, 1);
}

static void test_null_is_ignored(void)
{
    Py_IncRef(NULL);
    Py_DecRef(NULL);
}

int main(void)
{
    RUN(test_incref_decref);
    RUN(test_null_is_ignored);
    return HARNESS_SUMMARY();
}
