/*
 * Smoke test through dlopen: argv[1] is the absolute path of libpycoro.so (the runner passes
 * it); this program is not linked against the library.
 */
#define HARNESS_DLOPEN
#include "harness.h"

#include <dlfcn.h>

typedef void (*refcount_fn)(PyObject *);

static const char *library_path;

static void test_load_and_call(void)
{
    void *lib = dlopen(library_path, RTLD_NOW | RTLD_LOCAL);
    refcount_fn incref, decref;
    PyObject obj;
    if (lib == NULL) {
        printf("  dlopen: %s\n", dlerror());
    }
    REQUIRE(lib != NULL);
    /* POSIX guarantees a data pointer from dlsym converts to a function pointer. */
    *(void **)&incref = dlsym(lib, "Py_IncRef");
    *(void **)&decref = dlsym(lib, "Py_DecRef");
    CHECK(incref != NULL);
    CHECK(decref != NULL);
    if (incref != NULL && decref != NULL) {
        memset(&obj, 0, sizeof obj);
        obj.ob_refcnt = 1;
        incref(&obj);
        CHECK_EQ_INT(obj.ob_refcnt, 2);
        decref(&obj);
        CHECK_EQ_INT(obj.ob_refcnt, 1);
    }
    CHECK_EQ_INT(dlclose(lib), 0);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s /absolute/path/to/libpycoro.so\n", argv[0]);
        return 2;
    }
    library_path = argv[1];
    RUN(test_load_and_call);
    return HARNESS_SUMMARY();
}
