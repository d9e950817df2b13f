/*
 * transcript.h - printing helpers of the differential scenarios (capi-tests/differential/NAME.c).
 *
 * Each NAME.c prints the same transcript as NAME.py does on CPython 3.10 (with the helpers of
 * _transcript.py); tests/differential.rs compares the two line by line. Line formats:
 *
 *     label: repr(result)            an operation that returned
 *     label: !TypeName: message      an operation that raised (": message" left out when
 *                                    str(exception) is empty)
 *
 * Everything here goes through the C API only: the exception's type name is its `__name__`
 * attribute, its message `str(exc)`, as the Python side reads them.
 */
#ifndef DIFFERENTIAL_TRANSCRIPT_H
#define DIFFERENTIAL_TRANSCRIPT_H

#include <Python.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

/* Prints a UTF-8 rendering of `o` (a str; anything else through str()). */
static inline void tr_print_str(PyObject *s)
{
    const char *u = s ? PyUnicode_AsUTF8(s) : NULL;
    if (u == NULL) {
        PyErr_Clear();
        fputs("<unprintable>", stdout);
        return;
    }
    fputs(u, stdout);
}

/* Takes the pending exception and prints "!TypeName: message" (no newline). */
static inline void tr_print_exception(void)
{
    PyObject *type, *value, *tb, *name, *msg;
    PyErr_Fetch(&type, &value, &tb);
    if (type == NULL) {
        fputs("!<NULL without an exception>", stdout);
        return;
    }
    PyErr_NormalizeException(&type, &value, &tb);
    name = PyObject_GetAttrString(type, "__name__");
    msg = value ? PyObject_Str(value) : NULL;
    fputs("!", stdout);
    tr_print_str(name);
    if (msg == NULL) {
        PyErr_Clear();
    } else if (PyUnicode_GetLength(msg) > 0) {
        fputs(": ", stdout);
        tr_print_str(msg);
    }
    Py_XDECREF(name);
    Py_XDECREF(msg);
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(tb);
}

/* Prints "label: repr(r)" or "label: !TypeName: message"; steals `r` (NULL: the pending
 * exception, which is cleared). */
static inline void show(const char *label, PyObject *r)
{
    printf("%s: ", label);
    if (r == NULL) {
        tr_print_exception();
    } else {
        PyObject *repr = PyObject_Repr(r);
        if (repr == NULL) {
            tr_print_exception();
        } else {
            tr_print_str(repr);
            Py_DECREF(repr);
        }
        Py_DECREF(r);
    }
    fputs("\n", stdout);
    fflush(stdout);
}

/* show() of str(r) rather than repr(r): the Python side's `print(label + ": " + str(r))`. */
static inline void show_str(const char *label, PyObject *r)
{
    printf("%s: ", label);
    if (r == NULL) {
        tr_print_exception();
    } else {
        PyObject *s = PyObject_Str(r);
        if (s == NULL) {
            tr_print_exception();
        } else {
            tr_print_str(s);
            Py_DECREF(s);
        }
        Py_DECREF(r);
    }
    fputs("\n", stdout);
    fflush(stdout);
}

/* For C API calls returning 1/0/-1 (the Python side shows True/False or the exception). */
static inline void show_bool(const char *label, int v)
{
    if (v < 0) {
        show(label, NULL);
    } else {
        show(label, PyBool_FromLong(v));
    }
}

/* For C API calls returning a Py_ssize_t, -1 with an exception on error. */
static inline void show_ssize(const char *label, Py_ssize_t v)
{
    if (v == -1 && PyErr_Occurred()) {
        show(label, NULL);
    } else {
        show(label, PyLong_FromSsize_t(v));
    }
}

/* For C API calls returning 0, or -1 with an exception (the Python side shows None). */
static inline void show_status(const char *label, int v)
{
    if (v < 0) {
        show(label, NULL);
    } else {
        show(label, Py_NewRef(Py_None));
    }
}

/* Prints a line of text (printf format). */
static inline void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    fputs("\n", stdout);
    fflush(stdout);
}

/* getattr(o, name). Return value: new reference or NULL. */
static inline PyObject *attr(PyObject *o, const char *name)
{
    return PyObject_GetAttrString(o, name);
}

/* o[key] for a str key. Return value: new reference or NULL. */
static inline PyObject *item(PyObject *o, const char *key)
{
    PyObject *k = PyUnicode_FromString(key), *r;
    if (k == NULL) {
        return NULL;
    }
    r = PyObject_GetItem(o, k);
    Py_DECREF(k);
    return r;
}

/* getattr(o, name)(*args), the arguments built by Py_BuildValue(fmt, ...) ("()" for none).
 * Return value: new reference or NULL. */
static inline PyObject *call_attr(PyObject *o, const char *name, const char *fmt, ...)
{
    PyObject *meth, *args, *r;
    va_list ap;
    meth = PyObject_GetAttrString(o, name);
    if (meth == NULL) {
        return NULL;
    }
    va_start(ap, fmt);
    args = Py_VaBuildValue(fmt, ap);
    va_end(ap);
    if (args == NULL) {
        Py_DECREF(meth);
        return NULL;
    }
    if (!PyTuple_Check(args)) {
        PyObject *t = PyTuple_Pack(1, args);
        Py_DECREF(args);
        if (t == NULL) {
            Py_DECREF(meth);
            return NULL;
        }
        args = t;
    }
    r = PyObject_Call(meth, args, NULL);
    Py_DECREF(meth);
    Py_DECREF(args);
    return r;
}

/* sorted(iterable) as a list (for a mapping: its sorted keys). Return value: new reference or
 * NULL. */
static inline PyObject *sorted_list(PyObject *iterable)
{
    PyObject *list = PyList_New(0), *it, *k;
    it = list ? PyObject_GetIter(iterable) : NULL;
    if (it == NULL) {
        Py_XDECREF(list);
        return NULL;
    }
    while ((k = PyIter_Next(it)) != NULL) {
        int rc = PyList_Append(list, k);
        Py_DECREF(k);
        if (rc < 0) {
            break;
        }
    }
    Py_DECREF(it);
    if (PyErr_Occurred() || PyList_Sort(list) < 0) {
        Py_DECREF(list);
        return NULL;
    }
    return list;
}

/* inspect.getgeneratorstate / getcoroutinestate / getasyncgenstate read through the
 * attributes `<prefix>_running` and `<prefix>_frame` ("gi", "cr", "ag"), the states named
 * `<kind>_CREATED` ... ("GEN", "CORO", "AGEN"). Return value: new reference or NULL. */
static inline PyObject *frame_state(PyObject *o, const char *prefix, const char *kind)
{
    char name[32];
    PyObject *running, *frame, *lasti;
    const char *s;
    int t;
    snprintf(name, sizeof name, "%s_running", prefix);
    running = PyObject_GetAttrString(o, name);
    if (running == NULL) {
        return NULL;
    }
    t = PyObject_IsTrue(running);
    Py_DECREF(running);
    if (t < 0) {
        return NULL;
    }
    snprintf(name, sizeof name, "%s_frame", prefix);
    frame = t ? NULL : PyObject_GetAttrString(o, name);
    if (t) {
        s = "RUNNING";
    } else if (frame == NULL) {
        return NULL;
    } else if (frame == Py_None) {
        s = "CLOSED";
    } else {
        long v;
        lasti = PyObject_GetAttrString(frame, "f_lasti");
        if (lasti == NULL) {
            Py_DECREF(frame);
            return NULL;
        }
        v = PyLong_AsLong(lasti);
        Py_DECREF(lasti);
        s = v == -1 ? "CREATED" : "SUSPENDED";
    }
    Py_XDECREF(frame);
    return PyUnicode_FromFormat("%s_%s", kind, s);
}

/* The Python side's caught(thunk): the exception `r == NULL` left pending (normalized, taken),
 * or None when r is a result (released). Return value: new reference. */
static inline PyObject *caught(PyObject *r)
{
    PyObject *type, *value, *tb;
    if (r != NULL) {
        Py_DECREF(r);
        return Py_NewRef(Py_None);
    }
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    if (value != NULL && tb != NULL) {
        PyException_SetTraceback(value, tb);
    }
    Py_XDECREF(type);
    Py_XDECREF(tb);
    return value != NULL ? value : Py_NewRef(Py_None);
}

/* getattr(getattr(o, a), b). Return value: new reference or NULL. */
static inline PyObject *attr2(PyObject *o, const char *a, const char *b)
{
    PyObject *x = PyObject_GetAttrString(o, a), *r;
    if (x == NULL) {
        return NULL;
    }
    r = PyObject_GetAttrString(x, b);
    Py_DECREF(x);
    return r;
}

/* `a is b` as a bool; steals both (either NULL: the pending exception). */
static inline PyObject *is(PyObject *a, PyObject *b)
{
    PyObject *r = (a != NULL && b != NULL) ? PyBool_FromLong(a == b) : NULL;
    Py_XDECREF(a);
    Py_XDECREF(b);
    return r;
}

/* A new str (the program stops when that fails). */
static inline PyObject *str(const char *s)
{
    PyObject *r = PyUnicode_FromString(s);
    if (r == NULL) {
        fprintf(stderr, "PyUnicode_FromString failed\n");
        exit(2);
    }
    return r;
}

/* setattr(o, name, v) (v NULL: delattr) shown as None or the exception; steals v. */
static inline void show_setattr(const char *label, PyObject *o, const char *name, PyObject *v)
{
    show_status(label, PyObject_SetAttrString(o, name, v));
    Py_XDECREF(v);
}

/* Aborts the program when setting up a scenario fails (not part of the transcript). */
#define TR_REQUIRE(cond)                                                                       \
    do {                                                                                       \
        if (!(cond)) {                                                                         \
            fprintf(stderr, "%s:%d: setup failed: %s\n", __FILE__, __LINE__, #cond);           \
            if (PyErr_Occurred()) {                                                            \
                tr_print_exception();                                                          \
            }                                                                                  \
            exit(2);                                                                           \
        }                                                                                      \
    } while (0)

#endif
