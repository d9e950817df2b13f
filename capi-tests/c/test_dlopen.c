/*
 * Builds a coroutine through dlopen(RTLD_NOW | RTLD_LOCAL) with only dlsym'd symbols:
 * PyNative_NewCode, PyThreadState_Get, PyFrame_New, PyCoro_New, PyCoro_CheckExact (the
 * exported function behind the macro), PyCoro_Type (data), Py_DecRef, PyErr_Occurred,
 * PyObject_Repr and PyUnicode_AsUTF8. This program is not linked against libpycoro: argv[1] is
 * the absolute path of libpycoro.so (the runner passes it). pycoro.h (through Python.h) is
 * included for the types only; no library function is called directly.
 *
 * Checklist items 13-15, 20 and 23 (reference §4 B), seen from a dlopen'd library.
 */
#define HARNESS_DLOPEN
#include "harness.h"

#include <dlfcn.h>

typedef PyCodeObject *(*new_code_fn)(PyNative_Body, const char *, const char *, int, int, int,
                                     Py_ssize_t);
typedef PyThreadState *(*thread_state_get_fn)(void);
typedef PyFrameObject *(*frame_new_fn)(PyThreadState *, PyCodeObject *, PyObject *, PyObject *);
typedef PyObject *(*coro_new_fn)(PyFrameObject *, PyObject *, PyObject *);
typedef int (*check_fn)(PyObject *);
typedef void (*decref_fn)(PyObject *);
typedef PyObject *(*occurred_fn)(void);
typedef PyObject *(*repr_fn)(PyObject *);
typedef const char *(*as_utf8_fn)(PyObject *);

static const char *library_path;

static int never_run(PyFrameObject *frame, PyObject *arg, PyObject **out)
{
    (void)frame;
    (void)arg;
    (void)out;
    return PYNATIVE_ERROR;
}

/* POSIX guarantees that a data pointer from dlsym converts to a function pointer. */
#define LOAD(var, name)                                                                        \
    do {                                                                                       \
        *(void **)&(var) = dlsym(lib, (name));                                                 \
        if (!CHECK((var) != NULL)) {                                                           \
            printf("    dlsym(%s): %s\n", (name), dlerror());                                  \
            ok = 0;                                                                            \
        }                                                                                      \
    } while (0)

static void test_coroutine_through_dlopen(void)
{
    void *lib = dlopen(library_path, RTLD_NOW | RTLD_LOCAL);
    new_code_fn new_code;
    thread_state_get_fn thread_state_get;
    frame_new_fn frame_new;
    coro_new_fn coro_new;
    check_fn coro_check_exact;
    decref_fn decref;
    occurred_fn occurred;
    repr_fn repr;
    as_utf8_fn as_utf8;
    PyTypeObject *coro_type;
    PyThreadState *ts;
    PyCodeObject *code;
    PyFrameObject *frame;
    PyCoroObject *coro;
    PyObject *text;
    char expected[96];
    int ok = 1;

    if (lib == NULL) {
        printf("  dlopen: %s\n", dlerror());
    }
    REQUIRE(lib != NULL);
    LOAD(new_code, "PyNative_NewCode");
    LOAD(thread_state_get, "PyThreadState_Get");
    LOAD(frame_new, "PyFrame_New");
    LOAD(coro_new, "PyCoro_New");
    LOAD(coro_check_exact, "PyCoro_CheckExact");
    LOAD(decref, "Py_DecRef");
    LOAD(occurred, "PyErr_Occurred");
    LOAD(repr, "PyObject_Repr");
    LOAD(as_utf8, "PyUnicode_AsUTF8");
    coro_type = (PyTypeObject *)dlsym(lib, "PyCoro_Type");
    CHECK(coro_type != NULL);
    if (!ok || coro_type == NULL) {
        dlclose(lib);
        return;
    }
    CHECK_STR_EQ(coro_type->tp_name, "coroutine");
    CHECK_EQ_INT(coro_type->tp_basicsize, 96);

    ts = thread_state_get();
    CHECK(ts != NULL);
    CHECK_EQ_INT(ts != NULL ? ts->coroutine_origin_tracking_depth : -1, 0);
    code = new_code(never_run, "fetch", "net.c", 42, CO_COROUTINE, 2, 64);
    CHECK(code != NULL);
    frame = code != NULL ? frame_new(ts, code, NULL, NULL) : NULL;
    CHECK(frame != NULL);
    coro = frame != NULL ? (PyCoroObject *)coro_new(frame, NULL, NULL) : NULL;
    CHECK(coro != NULL);
    CHECK_EQ_PTR(occurred(), NULL);
    if (coro != NULL) {
        CHECK_EQ_PTR(Py_TYPE(coro), coro_type);
        CHECK_EQ_INT(coro_check_exact((PyObject *)coro), 1);
        CHECK_EQ_INT(coro_check_exact((PyObject *)frame), 0);
        CHECK_EQ_INT(coro_check_exact((PyObject *)code), 0);
        CHECK_EQ_INT(coro_check_exact(NULL), 0);
        CHECK_EQ_INT(Py_REFCNT(coro), 1);
        CHECK_EQ_PTR(coro->cr_frame, frame);
        CHECK_EQ_INT(Py_REFCNT(frame), 1);
        CHECK_EQ_PTR(frame->f_gen, coro);
        CHECK_EQ_INT(frame->f_lasti, -1);
        CHECK_EQ_INT(frame->f_state, FRAME_CREATED);
        CHECK_EQ_PTR(coro->cr_code, code);
        CHECK_EQ_INT(Py_REFCNT(code), 3);
        CHECK_EQ_PTR(coro->cr_name, code->co_name);
        CHECK_EQ_PTR(coro->cr_qualname, code->co_name);
        CHECK_EQ_PTR(coro->cr_origin, NULL);
        text = repr((PyObject *)coro);
        CHECK(text != NULL);
        if (text != NULL) {
            snprintf(expected, sizeof expected, "<coroutine object fetch at %p>", (void *)coro);
            CHECK_STR_EQ(as_utf8(text), expected);
            decref(text);
        }
        decref((PyObject *)coro);
    }
    if (code != NULL) {
        CHECK_EQ_INT(Py_REFCNT(code), 1);
        decref((PyObject *)code);
    }
    CHECK_EQ_PTR(occurred(), NULL);
    CHECK_EQ_INT(dlclose(lib), 0);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s /absolute/path/to/libpycoro.so\n", argv[0]);
        return 2;
    }
    library_path = argv[1];
    RUN(test_coroutine_through_dlopen);
    return HARNESS_SUMMARY();
}
