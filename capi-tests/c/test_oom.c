/*
 * Out of memory for real: with the address space limited (RLIMIT_AS, lowered after start-up
 * to what the process uses plus some headroom), everything C input can make grow raises
 * MemoryError and the process lives on: formatted strings with huge widths, precisions or
 * repeated %s, PyErr_Format, warnings, repr() and ascii() of big strings, tuples and
 * exceptions, interning; a collection and a new thread's first call work with no memory left
 * at all. Each test runs in its own process, lifts the limit again and checks that everything
 * works afterwards.
 *
 * valgrind and ASan reserve huge address ranges of their own and cannot run under RLIMIT_AS:
 * this program runs plain only. test_faults.c reaches the same growth sites deterministically
 * (allocation-failure injection) under all three modes.
 */
// capi-tests: modes=plain
// capi-tests: flags=-pthread
#define _POSIX_C_SOURCE 200809L
#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define MB ((size_t)1 << 20)

/* The process's address space size now (/proc/self/statm, first field, in pages). */
static size_t vm_size(void)
{
    unsigned long pages = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f != NULL) {
        if (fscanf(f, "%lu", &pages) != 1) {
            pages = 0;
        }
        fclose(f);
    }
    return (size_t)pages * (size_t)sysconf(_SC_PAGESIZE);
}

static struct rlimit original;

/* Limits the address space to what is mapped now plus `headroom` bytes. */
static int limit(size_t headroom)
{
    struct rlimit r = original;
    r.rlim_cur = vm_size() + headroom;
    return setrlimit(RLIMIT_AS, &r) == 0;
}

static void unlimit(void)
{
    CHECK(setrlimit(RLIMIT_AS, &original) == 0);
}

/* After a test: the limit is lifted and pycoro works again. */
static void check_alive(void)
{
    PyObject *t = Py_BuildValue("(is)", 1, "alive");
    PyObject *r = t != NULL ? PyObject_Repr(t) : NULL;
    CHECK(r != NULL && strcmp(PyUnicode_AsUTF8(r), "(1, 'alive')") == 0);
    Py_XDECREF(r);
    Py_XDECREF(t);
    CHECK_NO_EXC();
}

/* PyErr_Format whose message cannot be formatted sets its exception with no value, as
 * CPython 3.10 does (the MemoryError of the formatting is replaced). */
static void check_exc_without_value(PyObject *type)
{
    PyObject *t, *v, *tb;
    PyErr_Fetch(&t, &v, &tb);
    CHECK_EQ_PTR(t, type);
    CHECK(v == NULL);
    Py_XDECREF(t);
    Py_XDECREF(v);
    Py_XDECREF(tb);
}

/* A C string of `n` copies of `c`. */
static char *filled(size_t n, char c)
{
    char *s = malloc(n + 1);
    if (s != NULL) {
        memset(s, c, n);
        s[n] = '\0';
    }
    return s;
}

static void test_from_format(void)
{
    char *big = filled(20 * MB, 'x');
    PyObject *r;
    REQUIRE(big != NULL);
    REQUIRE(limit(160 * MB));
    /* Two widths that fit one at a time, not together. */
    r = PyUnicode_FromFormat("%100000000d and %100000000d", 1, 2);
    CHECK(r == NULL);
    CHECK_EXC(PyExc_MemoryError, NULL);
    /* Precisions (zero padding). */
    r = PyUnicode_FromFormat("%.100000000d%.100000000d", 1, 2);
    CHECK(r == NULL);
    CHECK_EXC(PyExc_MemoryError, NULL);
    /* A width no memory holds. */
    r = PyUnicode_FromFormat("%2000000000s", "x");
    CHECK(r == NULL);
    CHECK_EXC(PyExc_MemoryError, NULL);
    /* A big %s repeated: 16 x 20 MB. */
    r = PyUnicode_FromFormat("%s%s%s%s%s%s%s%s%s%s%s%s%s%s%s%s", big, big, big, big, big, big,
                             big, big, big, big, big, big, big, big, big, big);
    CHECK(r == NULL);
    CHECK_EXC(PyExc_MemoryError, NULL);
    /* PyErr_Format: its message cannot be made (MemoryError), so the exception is set with
     * no value, as in CPython 3.10. */
    CHECK(PyErr_Format(PyExc_ValueError, "%100000000d and %100000000d", 1, 2) == NULL);
    check_exc_without_value(PyExc_ValueError);
    CHECK(PyErr_Format(PyExc_ValueError, "%s%s%s%s%s%s%s%s%s%s%s%s%s%s%s%s", big, big, big, big,
                       big, big, big, big, big, big, big, big, big, big, big, big) == NULL);
    check_exc_without_value(PyExc_ValueError);
    /* Warnings format their message the same way. */
    CHECK_EQ_INT(PyErr_WarnFormat(PyExc_UserWarning, 1, "%100000000d and %100000000d", 1, 2),
                 -1);
    CHECK_EXC(PyExc_MemoryError, NULL);
    /* Small ones still work under the limit. */
    r = PyUnicode_FromFormat("%d-%s", 7, "ok");
    CHECK(r != NULL && strcmp(PyUnicode_AsUTF8(r), "7-ok") == 0);
    Py_XDECREF(r);
    unlimit();
    free(big);
    check_alive();
}

static void test_repr_of_big_tuple(void)
{
    /* 10^6 strings of 40 characters: their repr is about 44 MB. */
    const Py_ssize_t n = 1000000;
    char *text = filled(40, 'a');
    PyObject *t = PyTuple_New(n), *r;
    Py_ssize_t i;
    REQUIRE(t != NULL && text != NULL);
    for (i = 0; i < n; i++) {
        PyObject *s;
        text[i % 40] = (char)('a' + i % 26);
        s = PyUnicode_FromString(text);
        REQUIRE(s != NULL);
        PyTuple_SET_ITEM(t, i, s);
    }
    REQUIRE(limit(24 * MB));
    r = PyObject_Repr(t);
    CHECK(r == NULL);
    CHECK_EXC(PyExc_MemoryError, NULL);
    /* %R of it: MemoryError from PyUnicode_FromFormat; PyErr_Format then sets its exception
     * with no value. */
    r = PyUnicode_FromFormat("bad tuple: %R", t);
    CHECK(r == NULL);
    CHECK_EXC(PyExc_MemoryError, NULL);
    CHECK(PyErr_Format(PyExc_TypeError, "bad tuple: %R", t) == NULL);
    check_exc_without_value(PyExc_TypeError);
    unlimit();
    /* Without the limit it works. */
    r = PyObject_Repr(t);
    CHECK(r != NULL && PyUnicode_GetLength(r) > 40 * n);
    Py_XDECREF(r);
    Py_DECREF(t);
    free(text);
    check_alive();
}

static void test_repr_of_big_strings(void)
{
    char *big = filled(24 * MB, 'q');
    PyObject *s, *e, *r;
    REQUIRE(big != NULL);
    s = PyUnicode_FromString(big);
    free(big);
    REQUIRE(s != NULL);
    e = PyObject_CallFunction(PyExc_KeyError, "O", s);
    REQUIRE(e != NULL);
    REQUIRE(limit(16 * MB));
    r = PyObject_Repr(s);
    CHECK(r == NULL);
    CHECK_EXC(PyExc_MemoryError, NULL);
    r = PyObject_ASCII(s);
    CHECK(r == NULL);
    CHECK_EXC(PyExc_MemoryError, NULL);
    r = PyObject_Repr(e);
    CHECK(r == NULL);
    CHECK_EXC(PyExc_MemoryError, NULL);
    r = PyUnicode_FromFormat("%A", s);
    CHECK(r == NULL);
    CHECK_EXC(PyExc_MemoryError, NULL);
    unlimit();
    Py_DECREF(e);
    Py_DECREF(s);
    check_alive();
}

/* Interned strings live for good: interning until memory runs out ends with MemoryError
 * (from the string or from the table's growth), never an abort. */
static void test_interning_until_full(void)
{
    char name[64];
    long i;
    int got_memory_error = 0;
    REQUIRE(limit(24 * MB));
    for (i = 0; i < 10000000; i++) {
        PyObject *s;
        snprintf(name, sizeof name, "interned until the memory is full %ld", i);
        s = PyUnicode_InternFromString(name);
        if (s == NULL) {
            got_memory_error = PyErr_ExceptionMatches(PyExc_MemoryError);
            PyErr_Clear();
            break;
        }
    }
    unlimit();
    CHECK(got_memory_error);
    printf("  interned %ld strings before MemoryError\n", i);
    check_alive();
}

/* A collection needs no memory (its bookkeeping lives in the GC headers, as in CPython's):
 * with every block the heap can give taken, it still examines a million tracked objects and
 * reclaims a cycle. */
static void test_collection_without_memory(void)
{
    const Py_ssize_t n = 1000000;
    PyObject *keep = PyTuple_New(n), *cycle, *args;
    Py_ssize_t i, collected;
    void **hoard = NULL, **chunk;
    REQUIRE(keep != NULL);
    for (i = 0; i < n; i++) {
        PyObject *t = PyTuple_New(1);
        REQUIRE(t != NULL);
        PyTuple_SET_ITEM(t, 0, Py_NewRef(Py_None));
        PyTuple_SET_ITEM(keep, i, t);
    }
    /* A cycle only a collection can break: an exception whose args hold itself. */
    cycle = PyObject_CallFunction(PyExc_ValueError, "s", "cycle");
    REQUIRE(cycle != NULL);
    args = Py_BuildValue("(O)", cycle);
    REQUIRE(args != NULL);
    REQUIRE(PyObject_SetAttrString(cycle, "args", args) == 0);
    Py_DECREF(args);
    Py_DECREF(cycle);
    REQUIRE(limit(1 * MB));
    while ((chunk = malloc(64)) != NULL) {
        *chunk = hoard;
        hoard = chunk;
    }
    collected = PyGC_Collect();
    CHECK_NO_EXC();
    CHECK_EQ_INT(collected, 2);
    while (hoard != NULL) {
        chunk = hoard;
        hoard = *chunk;
        free(chunk);
    }
    unlimit();
    Py_DECREF(keep);
    check_alive();
}

/* A thread that first calls pycoro when not even its thread state (about 1.2 KB) can be
 * allocated: it gets one of the states pycoro reserves, works (an exception can be set and
 * read), and gives it back when it exits. Its stack is ours, so creating it needs no memory. */
struct stateless {
    int got_state;
    int got_exception;
};

static void *stateless_thread(void *arg)
{
    struct stateless *r = arg;
    PyThreadState *ts = PyThreadState_Get();
    r->got_state = ts != NULL && ts->exc_info == &ts->exc_state;
    PyErr_SetString(PyExc_KeyError, "no memory here");
    r->got_exception = PyErr_Occurred() != NULL;
    PyErr_Clear();
    return NULL;
}

static char thread_stacks[3][256 * 1024];

static void test_thread_state_without_memory(void)
{
    void **hoard = NULL, **chunk;
    size_t hoarded = 0;
    int i;
    REQUIRE(limit(2 * MB));
    /* Take every block the heap can still give. */
    while ((chunk = malloc(512)) != NULL) {
        *chunk = hoard;
        hoard = chunk;
        hoarded++;
    }
    for (i = 0; i < 3; i++) {
        struct stateless r = {0, 0};
        pthread_attr_t attr;
        pthread_t th;
        int created;
        /* glibc needs a few hundred bytes for the thread's TLS vector: one block back. */
        chunk = hoard;
        hoard = *chunk;
        free(chunk);
        pthread_attr_init(&attr);
        pthread_attr_setstack(&attr, thread_stacks[i], sizeof thread_stacks[i]);
        created = pthread_create(&th, &attr, stateless_thread, &r) == 0;
        pthread_attr_destroy(&attr);
        CHECK(created);
        if (created) {
            pthread_join(th, NULL);
        }
        CHECK(r.got_state);
        CHECK(r.got_exception);
        /* Take back what is free again. */
        while ((chunk = malloc(512)) != NULL) {
            *chunk = hoard;
            hoard = chunk;
        }
    }
    while (hoard != NULL) {
        chunk = hoard;
        hoard = *chunk;
        free(chunk);
    }
    unlimit();
    printf("  %zu KB taken before the threads started\n", hoarded / 2);
    check_alive();
}

/* Object allocation itself, which raised MemoryError already. */
static void test_object_allocation(void)
{
    REQUIRE(limit(16 * MB));
    CHECK(PyTuple_New(100000000) == NULL);
    CHECK_EXC(PyExc_MemoryError, NULL);
    unlimit();
    check_alive();
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Each test runs in a child process (fork) that starts from the parent's small heap: blocks
 * an earlier test freed would otherwise serve a later test's allocations without new mappings,
 * and its limit would not bite. A test that crashes takes only its child down. */
static void (*child_test)(void);
static const char *child_name;

static void forked(void)
{
    pid_t pid;
    int status = 0;
    double t0 = now_seconds();
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        child_test();
        CHECK_NO_EXC();
        fflush(stdout);
        _exit(harness_test_failures == 0 ? 0 : 1);
    }
    REQUIRE(pid > 0);
    REQUIRE(waitpid(pid, &status, 0) == pid);
    if (WIFSIGNALED(status)) {
        printf("  the test's process was killed by signal %d\n", WTERMSIG(status));
    }
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    printf("  (%s: %.2f s in its own process)\n", child_name, now_seconds() - t0);
}

#define RUN_FORKED(test)                                                                       \
    do {                                                                                       \
        child_test = (test);                                                                   \
        child_name = #test;                                                                    \
        harness_run(forked, #test);                                                            \
    } while (0)

int main(void)
{
    if (getrlimit(RLIMIT_AS, &original) != 0) {
        printf("getrlimit failed\n0 passed, 1 failed\n");
        return 1;
    }
    /* Big blocks always get their own mapping (so that the limit bites on them) and give it
     * back when freed. */
    mallopt(M_MMAP_THRESHOLD, 64 * 1024);
    /* stdout's buffer and pycoro's thread state exist before any limit. */
    printf("address space at start: %zu MB\n", vm_size() / MB);
    check_alive();
    RUN_FORKED(test_from_format);
    RUN_FORKED(test_repr_of_big_strings);
    RUN_FORKED(test_repr_of_big_tuple);
    RUN_FORKED(test_object_allocation);
    RUN_FORKED(test_collection_without_memory);
    RUN_FORKED(test_interning_until_full);
    RUN_FORKED(test_thread_state_without_memory);
    return HARNESS_SUMMARY();
}
