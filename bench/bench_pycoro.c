/*
 * bench_pycoro.c - pycoro's side of `make bench`, and the plain-C floor.
 *
 * Prints `RESULT <key> <value>` lines (median ns per operation over 11 timed batches, or bytes);
 * bench/table.awk joins them with bench_cpython.c's into one table. The operations are the same
 * as bench_cpython.c's, with native bodies in place of the Python functions there:
 *
 *   resumer   a coroutine that suspends forever, once per send (yields None)
 *   gen       the same body as a generator
 *   ret       a coroutine that returns 1 at once
 *   chain(n)  n coroutines each awaiting the next; the innermost suspends
 *   catcher   catches KeyError thrown in and suspends again
 *
 * The floor is the same resumption without pycoro: a switch-on-label resume function called
 * through a function pointer, returning a status and a value (what a native body does).
 *
 * Build: see the Makefile's bench target (-O2, linked against the release libpycoro).
 * With `--memory`, only the bytes lines are printed (glibc's mallinfo2 before and after K
 * objects kept alive).
 */
#define _GNU_SOURCE
#include <Python.h>
#include <frameobject.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define REPEATS 11

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void die(const char *what)
{
    fprintf(stderr, "bench_pycoro: %s failed\n", what);
    if (PyErr_Occurred()) {
        PyObject *t, *v, *tb, *s;
        PyErr_Fetch(&t, &v, &tb);
        s = v ? PyObject_Repr(v) : NULL;
        fprintf(stderr, "  %s\n", s ? PyUnicode_AsUTF8(s) : "?");
    }
    exit(1);
}

/* Times `batch(n)` (n operations) REPEATS times after one warm-up; prints the median per op. */
static void measure(const char *key, void (*batch)(long n), long n)
{
    double per_op[REPEATS];
    int i;
    batch(n);
    for (i = 0; i < REPEATS; i++) {
        double t0 = now_ns();
        batch(n);
        per_op[i] = (now_ns() - t0) / (double)n;
    }
    qsort(per_op, REPEATS, sizeof per_op[0], cmp_double);
    printf("RESULT %s %.1f\n", key, per_op[REPEATS / 2]);
    fflush(stdout);
}

/* ---- bodies ---- */

static int resumer_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    if (arg == NULL) {
        return PYNATIVE_ERROR;
    }
    f->f_lasti = 0;
    *out = Py_NewRef(Py_None);
    return PYNATIVE_YIELD;
}

static int ret_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    (void)f;
    (void)arg;
    *out = PyLong_FromLong(1);
    return PYNATIVE_RETURN;
}

static int catcher_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    if (arg == NULL) {
        if (!PyErr_ExceptionMatches(PyExc_KeyError)) {
            return PYNATIVE_ERROR;
        }
        PyErr_Clear();
    }
    f->f_lasti = 0;
    *out = Py_NewRef(Py_None);
    return PYNATIVE_YIELD;
}

static PyCodeObject *resumer_code, *gen_code, *ret_code, *catcher_code, *chain_code;

static PyObject *new_coro(PyCodeObject *code)
{
    PyFrameObject *f = PyFrame_New(NULL, code, NULL, NULL);
    return f ? PyCoro_New(f, NULL, NULL) : NULL;
}

static PyObject *new_chain(long n);

/* chain(n): the frame's raw state holds n. */
static int chain_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    long n = *(long *)PyNative_FrameState(f);
    if (arg == NULL) {
        return PYNATIVE_ERROR;
    }
    if (f->f_lasti == -1) {
        if (n == 1) {
            f->f_lasti = 0;
            *out = Py_NewRef(Py_None);
            return PYNATIVE_YIELD;
        }
        *out = new_chain(n - 1);
        if (*out == NULL) {
            return PYNATIVE_ERROR;
        }
        f->f_lasti = 1;
        return PYNATIVE_AWAIT;
    }
    if (f->f_lasti == 0) {
        *out = Py_NewRef(Py_None);
        return PYNATIVE_YIELD;
    }
    *out = Py_NewRef(arg);
    return PYNATIVE_RETURN;
}

static PyObject *new_chain(long n)
{
    PyFrameObject *f = PyFrame_New(NULL, chain_code, NULL, NULL);
    if (f == NULL) {
        return NULL;
    }
    *(long *)PyNative_FrameState(f) = n;
    return PyCoro_New(f, NULL, NULL);
}

static PyObject *started(PyObject *c)
{
    PyObject *res = NULL;
    if (c == NULL || PyIter_Send(c, Py_None, &res) != PYGEN_NEXT) {
        die("starting a coroutine");
    }
    Py_DECREF(res);
    return c;
}

/* ---- the floor: a switch-on-label resume function through a function pointer ---- */

struct floor_frame {
    int label;
    long counter;
};

typedef int (*floor_fn)(struct floor_frame *, PyObject *, PyObject **);

static int floor_body(struct floor_frame *f, PyObject *arg, PyObject **out)
{
    switch (f->label) {
    case -1:
    case 0:
        if (arg == NULL) {
            return -1;
        }
        f->counter++;
        f->label = 0;
        *out = Py_None;
        return 1;
    }
    return -1;
}

static floor_fn volatile floor_ptr = floor_body;
static struct floor_frame floor_frame_ = {-1, 0};

static void batch_floor(long n)
{
    long i;
    PyObject *res;
    for (i = 0; i < n; i++) {
        if (floor_ptr(&floor_frame_, Py_None, &res) != 1) {
            die("floor");
        }
    }
}

/* ---- batches ---- */

static PyObject *bench_obj;

static void batch_pyiter_send(long n)
{
    long i;
    PyObject *res;
    for (i = 0; i < n; i++) {
        if (PyIter_Send(bench_obj, Py_None, &res) != PYGEN_NEXT) {
            die("PyIter_Send");
        }
        Py_DECREF(res);
    }
}

static void batch_am_send(long n)
{
    long i;
    PyObject *res;
    sendfunc send = Py_TYPE(bench_obj)->tp_as_async->am_send;
    for (i = 0; i < n; i++) {
        if (send(bench_obj, Py_None, &res) != PYGEN_NEXT) {
            die("am_send");
        }
        Py_DECREF(res);
    }
}

static void batch_iternext(long n)
{
    long i;
    iternextfunc next = Py_TYPE(bench_obj)->tp_iternext;
    for (i = 0; i < n; i++) {
        PyObject *r = next(bench_obj);
        if (r == NULL) {
            die("tp_iternext");
        }
        Py_DECREF(r);
    }
}

static void batch_lifecycle(long n)
{
    long i;
    for (i = 0; i < n; i++) {
        PyObject *c = new_coro(ret_code), *res = NULL;
        if (c == NULL || PyIter_Send(c, Py_None, &res) != PYGEN_RETURN) {
            die("lifecycle");
        }
        Py_DECREF(res);
        Py_DECREF(c);
    }
}

static PyObject *throw_name, *close_name;

static void batch_throw(long n)
{
    long i;
    for (i = 0; i < n; i++) {
        PyObject *r = PyObject_CallMethodOneArg(bench_obj, throw_name, PyExc_KeyError);
        if (r == NULL) {
            die("throw");
        }
        Py_DECREF(r);
    }
}

static PyObject **close_batch;

static void batch_close(long n)
{
    long i;
    for (i = 0; i < n; i++) {
        PyObject *r = PyObject_CallMethodNoArgs(close_batch[i], close_name);
        if (r == NULL) {
            die("close");
        }
        Py_DECREF(r);
    }
}

/* close needs fresh suspended coroutines each batch: made and freed outside the timing. */
static void measure_close(long n)
{
    double per_op[REPEATS + 1];
    int rep;
    long i;
    close_batch = malloc(sizeof(PyObject *) * (size_t)n);
    for (rep = 0; rep <= REPEATS; rep++) {
        double t0;
        for (i = 0; i < n; i++) {
            close_batch[i] = started(new_coro(resumer_code));
        }
        t0 = now_ns();
        batch_close(n);
        per_op[rep] = (now_ns() - t0) / (double)n;
        for (i = 0; i < n; i++) {
            Py_DECREF(close_batch[i]);
        }
    }
    /* the first run is the warm-up */
    qsort(per_op + 1, REPEATS, sizeof per_op[0], cmp_double);
    printf("RESULT close %.1f\n", per_op[1 + REPEATS / 2]);
    free(close_batch);
}

static void measure_chain(long depth, const char *key)
{
    bench_obj = started(new_chain(depth));
    measure(key, batch_pyiter_send, 2000000 / depth + 20000);
    Py_CLEAR(bench_obj);
}

/* ---- memory ---- */

#define K 10000

static void measure_bytes(const char *key, PyCodeObject *code, int start)
{
    static PyObject *objs[K];
    struct mallinfo2 before, after;
    int i;
    before = mallinfo2();
    for (i = 0; i < K; i++) {
        PyFrameObject *f = PyFrame_New(NULL, code, NULL, NULL);
        objs[i] = f == NULL ? NULL
                  : code == gen_code ? PyGen_New(f)
                                     : PyCoro_New(f, NULL, NULL);
        if (objs[i] == NULL) {
            die("creating for memory");
        }
        if (start) {
            started(objs[i]);
        }
    }
    after = mallinfo2();
    printf("RESULT %s %ld\n", key, (long)((after.uordblks - before.uordblks + K / 2) / K));
    for (i = 0; i < K; i++) {
        Py_DECREF(objs[i]);
    }
}

int main(int argc, char **argv)
{
    int memory = argc > 1 && strcmp(argv[1], "--memory") == 0;
    Py_Initialize();
    /* Each native frame: one object slot and 16 bytes of raw state, like a small coroutine. */
    resumer_code = PyNative_NewCode(resumer_body, "resumer", "bench", 1, CO_COROUTINE, 1, 16);
    gen_code = PyNative_NewCode(resumer_body, "gen", "bench", 1, CO_GENERATOR, 1, 16);
    ret_code = PyNative_NewCode(ret_body, "ret", "bench", 1, CO_COROUTINE, 1, 16);
    catcher_code = PyNative_NewCode(catcher_body, "catcher", "bench", 1, CO_COROUTINE, 1, 16);
    chain_code = PyNative_NewCode(chain_body, "chain", "bench", 1, CO_COROUTINE, 1, 16);
    throw_name = PyUnicode_InternFromString("throw");
    close_name = PyUnicode_InternFromString("close");
    if (!resumer_code || !gen_code || !ret_code || !catcher_code || !chain_code || !throw_name ||
        !close_name) {
        die("setup");
    }
    if (memory) {
        measure_bytes("bytes_suspended_coroutine", resumer_code, 1);
        measure_bytes("bytes_unstarted_coroutine", resumer_code, 0);
        measure_bytes("bytes_suspended_generator", gen_code, 1);
        return 0;
    }
    measure("floor_resume", batch_floor, 20000000);

    bench_obj = started(new_coro(resumer_code));
    measure("resume_pyiter_send", batch_pyiter_send, 2000000);
    measure("resume_am_send", batch_am_send, 2000000);
    Py_CLEAR(bench_obj);

    bench_obj = started(PyGen_New(PyFrame_New(NULL, gen_code, NULL, NULL)));
    measure("resume_gen_iternext", batch_iternext, 2000000);
    Py_CLEAR(bench_obj);

    measure("lifecycle", batch_lifecycle, 500000);

    measure_chain(1, "chain_1");
    measure_chain(10, "chain_10");
    measure_chain(100, "chain_100");

    bench_obj = started(new_coro(catcher_code));
    measure("throw", batch_throw, 200000);
    Py_CLEAR(bench_obj);

    measure_close(100000);
    return Py_FinalizeEx() < 0 ? 1 : 0;
}
