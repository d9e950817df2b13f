/*
 * A small program as a user would write it, for tests/valgrind_user.rs: it interns strings,
 * shows warnings (which pycoro remembers in its process-wide registry), reports an unraisable
 * error, makes an immortal code object and runs coroutines of it, then exits. Run under
 * valgrind with only `--leak-check=full` (and the flags that make leaks errors), it must show no
 * definitely, indirectly or possibly lost block.
 */
#include <Python.h>
#include <stdio.h>

static int body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    if (arg == NULL) {
        return PYNATIVE_ERROR;
    }
    if (f->f_lasti == -1) {
        f->f_lasti = 0;
        *out = Py_NewRef(Py_None);
        return PYNATIVE_YIELD;
    }
    *out = PyLong_FromLong(7);
    return *out != NULL ? PYNATIVE_RETURN : PYNATIVE_ERROR;
}

int main(void)
{
    char text[64];
    int i, failed = 0;
    PyCodeObject *code;
    Py_Initialize();
    for (i = 0; i < 500; i++) {
        PyObject *s;
        snprintf(text, sizeof text, "interned-%d", i);
        s = PyUnicode_InternFromString(text);
        failed |= s == NULL;
        Py_XDECREF(s);
    }
    for (i = 0; i < 50; i++) {
        failed |= PyErr_WarnFormat(PyExc_UserWarning, 1, "warning number %d", i) != 0;
    }
    failed |= PyErr_WarnExplicit(PyExc_UserWarning, "explicit", "somewhere.c", 3, NULL, NULL);
    PyErr_SetString(PyExc_KeyError, "reported");
    PyErr_WriteUnraisable(Py_None);
    code = PyNative_NewCode(body, "shared", "valgrind_user.c", 1, CO_COROUTINE, 1, 0);
    failed |= code == NULL || PyNative_SetImmortal((PyObject *)code) != 0;
    for (i = 0; code != NULL && i < 100; i++) {
        PyObject *res = NULL, *c;
        PyFrameObject *f = PyFrame_New(NULL, code, Py_None, NULL);
        c = f != NULL ? PyCoro_New(f, NULL, NULL) : NULL;
        failed |= c == NULL || PyIter_Send(c, Py_None, &res) != PYGEN_NEXT;
        Py_XDECREF(res);
        failed |= c == NULL || PyIter_Send(c, Py_None, &res) != PYGEN_RETURN;
        Py_XDECREF(res);
        Py_XDECREF(c);
    }
    Py_XDECREF(code);
    Py_Finalize();
    printf("%d passed, %d failed\n", failed ? 0 : 1, failed);
    return failed;
}
