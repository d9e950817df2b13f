/*
 * test_user_macros.c - a program written the ordinary way against <Python.h>, using many of its
 * macros with their documented arguments: reference counting, singletons and Py_RETURN_*,
 * object header initializers, type checks, tuple and string accessors, PyMethodDef and
 * PyMemberDef tables, Py_UNUSED, Py_VISIT, and a native generator.
 *
 * It includes nothing of capi-tests (no harness.h), so it builds with nothing but
 * `pkg-config --cflags --libs pycoro`. It is built with -Wall -Wextra -Werror -pedantic as C11
 * (c_programs.rs: plain, valgrind, sanitizers; install.rs: against an installed copy) and as
 * C++17 (header.rs in the tree; install.rs against an installed copy).
 */
#undef NDEBUG
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <frameobject.h>
#include <structmember.h>

#include <stdio.h>
#include <string.h>

static int passed;
static int failed;

static int count_visit(PyObject *Py_UNUSED(object), void *arg)
{
    ++*(int *)arg;
    return 0;
}

#define CHECK(cond)                                                                 \
    do {                                                                            \
        if (cond) {                                                                 \
            passed++;                                                               \
        } else {                                                                    \
            failed++;                                                               \
            printf("%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);         \
        }                                                                           \
    } while (0)

/* A type with a PyMethodDef table and a PyMemberDef table. */
typedef struct {
    PyObject_HEAD
    PyObject *payload;
    int count;
    Py_ssize_t size;
} Box;

static void box_dealloc(PyObject *self)
{
    Box *box = (Box *)self;
    Py_CLEAR(box->payload);
    Py_TYPE(self)->tp_free(self);
}

static int box_traverse(PyObject *self, visitproc visit, void *arg)
{
    Py_VISIT(((Box *)self)->payload);
    return 0;
}

static PyObject *box_get_count(PyObject *self, PyObject *Py_UNUSED(ignored))
{
    return PyLong_FromLong(((Box *)self)->count);
}

static PyObject *box_nothing(PyObject *Py_UNUSED(self), PyObject *Py_UNUSED(ignored))
{
    Py_RETURN_NONE;
}

static PyObject *box_is_int(PyObject *Py_UNUSED(self), PyObject *arg)
{
    if (PyLong_Check(arg)) {
        Py_RETURN_TRUE;
    }
    Py_RETURN_FALSE;
}

/* METH_VARARGS: the number of arguments, read with the tuple macros. */
static PyObject *box_count_args(PyObject *Py_UNUSED(self), PyObject *args)
{
    Py_ssize_t i, ints = 0;
    if (!PyTuple_Check(args)) {
        PyErr_BadInternalCall();
        return NULL;
    }
    for (i = 0; i < PyTuple_GET_SIZE(args); i++) {
        if (PyLong_CheckExact(PyTuple_GET_ITEM(args, i))) {
            ints++;
        }
    }
    return Py_BuildValue("(nn)", PyTuple_GET_SIZE(args), ints);
}

/* METH_FASTCALL: the sum of its int arguments. */
static PyObject *box_sum(PyObject *Py_UNUSED(self), PyObject *const *args, Py_ssize_t nargs)
{
    long total = 0;
    Py_ssize_t i;
    for (i = 0; i < nargs; i++) {
        long v = PyLong_AsLong(args[i]);
        if (v == -1 && PyErr_Occurred()) {
            return NULL;
        }
        total += v;
    }
    return PyLong_FromLong(total);
}

PyDoc_STRVAR(box_get_count_doc, "get_count()\n--\n\nThe count member, as an int.");

static PyMethodDef box_methods[] = {
    {"get_count", box_get_count, METH_NOARGS, box_get_count_doc},
    {"nothing", box_nothing, METH_NOARGS, PyDoc_STR("Returns None.")},
    {"is_int", box_is_int, METH_O, NULL},
    {"count_args", box_count_args, METH_VARARGS, NULL},
    {"sum", (PyCFunction)(void (*)(void))box_sum, METH_FASTCALL, NULL},
    {NULL, NULL, 0, NULL},
};

static PyMemberDef box_members[] = {
    {"payload", T_OBJECT, offsetof(Box, payload), 0, NULL},
    {"count", T_INT, offsetof(Box, count), 0, PyDoc_STR("a counter")},
    {"size", T_PYSSIZET, offsetof(Box, size), READONLY, NULL},
    {NULL, 0, 0, 0, NULL},
};

#ifdef __cplusplus
/* C++17 has no designated initializers: the type is filled in before PyType_Ready. */
static PyTypeObject Box_Type;

static int box_type_ready(void)
{
    Py_SET_REFCNT(&Box_Type, 1);
    Box_Type.tp_name = "user.Box";
    Box_Type.tp_basicsize = sizeof(Box);
    Box_Type.tp_dealloc = box_dealloc;
    Box_Type.tp_flags = Py_TPFLAGS_DEFAULT;
    Box_Type.tp_traverse = box_traverse;
    Box_Type.tp_methods = box_methods;
    Box_Type.tp_members = box_members;
    return PyType_Ready(&Box_Type);
}
#else
static PyTypeObject Box_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "user.Box",
    .tp_basicsize = sizeof(Box),
    .tp_dealloc = box_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_traverse = box_traverse,
    .tp_methods = box_methods,
    .tp_members = box_members,
};

static int box_type_ready(void)
{
    return PyType_Ready(&Box_Type);
}
#endif

/* Static objects made with the header initializers. */
typedef struct {
    PyObject_HEAD
    long value;
} Plain;

typedef struct {
    PyObject_VAR_HEAD
    long items[3];
} Var;

static Plain static_plain = {PyObject_HEAD_INIT(NULL) 42};
static Var static_var = {PyVarObject_HEAD_INIT(NULL, 3) {1, 2, 3}};

static void test_header_initializers(void)
{
    CHECK(Py_REFCNT(&static_plain) == 1);
    CHECK(Py_TYPE(&static_plain) == NULL);
    CHECK(static_plain.value == 42);
    CHECK(Py_SIZE(&static_var) == 3);
    CHECK(Py_REFCNT(&static_var) == 1);
    CHECK(static_var.items[Py_ARRAY_LENGTH(static_var.items) - 1] == 3);
}

static void test_reference_counting(void)
{
    PyObject *t = PyTuple_New(2), *a = PyLong_FromLong(100000), *b, *held;
    CHECK(t != NULL && a != NULL);
    if (t == NULL || a == NULL) {
        return;
    }
    CHECK(Py_REFCNT(a) == 1);
    Py_INCREF(a);
    CHECK(Py_REFCNT(a) == 2);
    PyTuple_SET_ITEM(t, 0, a); /* steals the second reference */
    PyTuple_SET_ITEM(t, 1, Py_NewRef(Py_None));
    CHECK(PyTuple_GET_ITEM(t, 0) == a);
    CHECK(Py_IsNone(PyTuple_GET_ITEM(t, 1)));
    CHECK(Py_SIZE(t) == 2);
    CHECK(Py_IS_TYPE(t, &PyTuple_Type) && PyTuple_CheckExact(t));
    CHECK(Py_TYPE(a) == &PyLong_Type);

    held = Py_XNewRef(a);
    CHECK(Py_REFCNT(a) == 3);
    Py_SETREF(held, PyLong_FromLong(7));
    CHECK(Py_REFCNT(a) == 2);
    Py_XSETREF(held, NULL);
    CHECK(held == NULL);

    b = a;
    Py_XINCREF(b);
    Py_XDECREF(b);
    Py_CLEAR(a); /* our own reference; the tuple keeps its */
    CHECK(a == NULL);
    Py_XDECREF(a);
    Py_DECREF(t);

    CHECK(Py_REFCNT(Py_None) >= PYNATIVE_IMMORTAL_MIN);
    CHECK(Py_IsTrue(Py_True) && Py_IsFalse(Py_False) && !Py_Is(Py_True, Py_False));
}

static void test_strings(void)
{
    PyObject *s = PyUnicode_FromString("h\xc3\xa9llo");
    CHECK(s != NULL);
    if (s == NULL) {
        return;
    }
    CHECK(PyUnicode_Check(s) && PyUnicode_CheckExact(s));
    CHECK(PyUnicode_GET_LENGTH(s) == 5);
    CHECK(PyUnicode_KIND(s) == PyUnicode_1BYTE_KIND);
    CHECK(PyUnicode_READ_CHAR(s, 1) == 0xe9);
    CHECK(PyUnicode_1BYTE_DATA(s)[4] == 'o');
    CHECK(strcmp(Py_STRINGIFY(PY_MINOR_VERSION), "10") == 0);
    CHECK(PY_VERSION_HEX >= 0x030A0000);
    Py_DECREF(s);
}

static void test_methods_and_members(void)
{
    Box *box;
    PyObject *r, *payload = PyLong_FromLong(99);
    int visits = 0;
    CHECK(box_type_ready() == 0);
    CHECK(PyType_Check((PyObject *)&Box_Type));
    box = PyObject_New(Box, &Box_Type);
    CHECK(box != NULL && payload != NULL);
    if (box == NULL || payload == NULL) {
        Py_XDECREF(payload);
        return;
    }
    box->payload = payload;
    box->count = 5;
    box->size = 12;
    CHECK(PyObject_TypeCheck((PyObject *)box, &Box_Type));

    r = PyObject_CallMethod((PyObject *)box, "get_count", NULL);
    CHECK(r != NULL && PyLong_AsLong(r) == 5);
    Py_XDECREF(r);
    r = PyObject_CallMethod((PyObject *)box, "nothing", NULL);
    CHECK(r == Py_None);
    Py_XDECREF(r);
    r = PyObject_CallMethod((PyObject *)box, "is_int", "i", 3);
    CHECK(r == Py_True);
    Py_XDECREF(r);
    r = PyObject_CallMethod((PyObject *)box, "is_int", "s#", "abc", (Py_ssize_t)2);
    CHECK(r == Py_False);
    Py_XDECREF(r);
    r = PyObject_CallMethod((PyObject *)box, "count_args", "iOs", 1, Py_None, "x");
    CHECK(r != NULL && PyTuple_GET_SIZE(r) == 2 && PyLong_AsLong(PyTuple_GET_ITEM(r, 0)) == 3 &&
          PyLong_AsLong(PyTuple_GET_ITEM(r, 1)) == 1);
    Py_XDECREF(r);
    r = PyObject_CallMethod((PyObject *)box, "sum", "iii", 1, 2, 39);
    CHECK(r != NULL && PyLong_AsLong(r) == 42);
    Py_XDECREF(r);

    r = PyObject_GetAttrString((PyObject *)box, "payload");
    CHECK(r == payload);
    Py_XDECREF(r);
    r = PyObject_GetAttrString((PyObject *)box, "size");
    CHECK(r != NULL && PyLong_AsSsize_t(r) == 12);
    Py_XDECREF(r);
    r = PyLong_FromLong(8);
    CHECK(r != NULL && PyObject_SetAttrString((PyObject *)box, "count", r) == 0);
    CHECK(box->count == 8);
    CHECK(PyObject_SetAttrString((PyObject *)box, "size", r) == -1);
    CHECK(PyErr_Occurred() != NULL);
    PyErr_Clear();
    Py_XDECREF(r);

    CHECK(Box_Type.tp_traverse((PyObject *)box, count_visit, &visits) == 0);
    CHECK(visits == 1);
    Py_CLEAR(box->payload);
    CHECK(Box_Type.tp_traverse((PyObject *)box, count_visit, &visits) == 0);
    CHECK(visits == 1);
    Py_DECREF(box);
}

/* A native generator: yields 0, 1, 2, then returns "done". */
enum { LABEL_YIELDED = 1 };

static int count_body(PyFrameObject *frame, PyObject *arg, PyObject **out)
{
    long *n = (long *)PyNative_FrameState(frame);
    if (arg == NULL) {
        return PYNATIVE_ERROR;
    }
    switch (frame->f_lasti) {
    case -1:
        *n = 0;
        break;
    case LABEL_YIELDED:
        ++*n;
        break;
    default:
        Py_UNREACHABLE();
    }
    frame->f_lineno = (int)(*n + 10);
    if (*n == 3) {
        *out = PyUnicode_FromString("done");
        return *out != NULL ? PYNATIVE_RETURN : PYNATIVE_ERROR;
    }
    frame->f_lasti = LABEL_YIELDED;
    *out = PyLong_FromLong(*n);
    return *out != NULL ? PYNATIVE_YIELD : PYNATIVE_ERROR;
}

static void test_generator(void)
{
    PyCodeObject *code =
        PyNative_NewCode(count_body, "count", "user.c", 9, CO_GENERATOR, 0, sizeof(long));
    PyFrameObject *frame;
    PyObject *gen, *item, *result = NULL;
    long expected = 0;
    CHECK(code != NULL && PyCode_Check(code));
    if (code == NULL) {
        return;
    }
    frame = PyFrame_New(NULL, code, NULL, NULL);
    Py_DECREF(code);
    CHECK(frame != NULL && PyFrame_Check(frame) && _PyFrame_IsRunnable(frame));
    if (frame == NULL) {
        return;
    }
    gen = PyGen_New(frame); /* steals the frame */
    CHECK(gen != NULL && PyGen_CheckExact(gen) && PyGen_Check(gen) && !PyCoro_CheckExact(gen));
    if (gen == NULL) {
        return;
    }
    while ((item = PyIter_Next(gen)) != NULL && expected < 2) {
        CHECK(PyLong_AsLong(item) == expected);
        CHECK(PyFrame_GetLineNumber(((PyGenObject *)gen)->gi_frame) == (int)expected + 10);
        expected++;
        Py_DECREF(item);
    }
    CHECK(item != NULL && PyLong_AsLong(item) == 2);
    Py_XDECREF(item);
    CHECK(PyIter_Send(gen, Py_None, &result) == PYGEN_RETURN);
    CHECK(result != NULL && PyUnicode_CompareWithASCIIString(result, "done") == 0);
    Py_XDECREF(result);
    CHECK(PyIter_Next(gen) == NULL && !PyErr_Occurred());
    Py_DECREF(gen);
}

static void test_coroutine_check(void)
{
    PyCodeObject *code =
        PyNative_NewCode(count_body, "count_coro", "user.c", 20, CO_COROUTINE, 0, sizeof(long));
    PyFrameObject *frame = code != NULL ? PyFrame_New(NULL, code, NULL, NULL) : NULL;
    PyObject *coro = frame != NULL ? PyCoro_New(frame, NULL, NULL) : NULL;
    PyObject *result = NULL;
    CHECK(coro != NULL && PyCoro_CheckExact(coro) && !PyGen_CheckExact(coro));
    if (coro != NULL) {
        CHECK(PyIter_Send(coro, Py_None, &result) == PYGEN_NEXT);
        CHECK(result != NULL && PyLong_AsLong(result) == 0);
        Py_XDECREF(result);
        Py_DECREF(coro); /* closes it: the body sees GeneratorExit and returns an error */
    }
    Py_XDECREF(code);
}

static void test_errors(void)
{
    PyObject *type, *value, *tb;
    PyErr_SetString(PyExc_ValueError, "bad value");
    CHECK(PyErr_ExceptionMatches(PyExc_ValueError));
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    CHECK(PyExceptionClass_Check(type) && PyExceptionInstance_Check(value));
    CHECK(PyExceptionInstance_Class(value) == type);
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(tb);
    CHECK(Py_MIN(3, 4) == 3 && Py_MAX(3, 4) == 4 && Py_ABS(-5) == 5);
    CHECK(PyVectorcall_NARGS(2 | PY_VECTORCALL_ARGUMENTS_OFFSET) == 2);
}

static void test_memory(void)
{
    long *numbers = PyMem_New(long, 4);
    CHECK(numbers != NULL);
    if (numbers != NULL) {
        numbers[3] = 1;
        PyMem_Free(numbers);
    }
    CHECK(PyMem_New(long, PY_SSIZE_T_MAX) == NULL);
}

int main(void)
{
    test_header_initializers();
    test_reference_counting();
    test_strings();
    test_methods_and_members();
    test_generator();
    test_coroutine_check();
    test_errors();
    test_memory();
    CHECK(!PyErr_Occurred());
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
