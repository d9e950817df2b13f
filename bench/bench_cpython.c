/*
 * bench_cpython.c -- the CPython 3.10 side of `make bench`.
 *
 * Embeds real CPython 3.10 and times, from C through the C API, the same
 * coroutine operations that the pycoro benchmark measures, so the two can be
 * compared line by line.
 *
 * Build (PREFIX=$(pyenv prefix 3.10.13)):
 *
 *   cc -O2 -std=c11 -Wall -Wextra -I$PREFIX/include/python3.10 \
 *      bench/bench_cpython.c -L$PREFIX/lib -lpython3.10 \
 *      -Wl,-rpath,$PREFIX/lib -lm -o /tmp/bench_cpython
 *
 * Run (the makefile runs the program twice):
 *
 *   /tmp/bench_cpython                            # times only
 *   PYTHONMALLOC=malloc /tmp/bench_cpython --memory   # memory only
 *
 * Output: stdout carries only lines of the form
 *
 *   RESULT <key> <value>
 *
 * where <value> is the median ns per operation over R = 11 batches (one
 * decimal) or, for the bytes_* keys, an integer number of bytes.  Everything
 * else (the Py_GetVersion() string, batch sizes, notes) goes to stderr.
 *
 * Time keys:  resume_pyiter_send resume_am_send resume_gen_iternext lifecycle
 *             chain_1 chain_10 chain_100 throw close
 * Memory keys (only with --memory and PYTHONMALLOC=malloc, so that every
 * allocation, pymalloc's small objects included, goes through glibc malloc and
 * shows in mallinfo2().uordblks):
 *             bytes_unstarted_coroutine bytes_suspended_coroutine
 *             bytes_suspended_generator
 *
 * Interpreter setup: an isolated configuration (no PYTHONHOME / PYTHONPATH /
 * user site / cwd on sys.path, `site` not imported; only `types` from the
 * standard library is needed), so the result does not depend on the caller's
 * environment or working directory.  The standard library is located from the
 * prefix compiled into libpython (found through the rpath).  The one
 * environment variable honoured is PYTHONMALLOC, applied explicitly through
 * PyPreConfig because the isolated configuration otherwise ignores it.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <malloc.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if PY_VERSION_HEX < 0x030A0000 || PY_VERSION_HEX >= 0x030B0000
#error "bench_cpython.c expects the CPython 3.10 headers"
#endif

/* The Python side of the benchmark, run once into a fresh globals dict. */
static const char PY_SOURCE[] =
    "import types\n"
    "@types.coroutine\n"
    "def _suspend():\n"
    "    while True:\n"
    "        yield None          # the innermost point of suspension; sent values ignored\n"
    "async def resumer():        # a coroutine that suspends forever, once per send\n"
    "    await _suspend()\n"
    "def gen():                  # a generator that yields forever\n"
    "    while True:\n"
    "        yield None\n"
    "async def ret():            # create + run to return\n"
    "    return 1\n"
    "async def chain(n):         # an await chain of n coroutines, the innermost suspends\n"
    "    if n == 1:\n"
    "        await _suspend()\n"
    "    else:\n"
    "        await chain(n - 1)\n"
    "async def catcher():        # throw target: catches and suspends again\n"
    "    while True:\n"
    "        try:\n"
    "            await _suspend()\n"
    "        except KeyError:\n"
    "            pass\n";

enum { REPS = 11 };                       /* timed batches per key */
enum { MEM_K = 10000 };                   /* objects per memory measurement */
static const double MIN_BATCH_NS = 10e6;  /* calibrate batches to >= 10 ms */
static const long MAX_BATCH = 1L << 24;

/* ------------------------------------------------------------------ errors */

static void die_at(int line, const char *what)
{
    fprintf(stderr, "bench_cpython: line %d: %s failed\n", line, what);
    if (PyErr_Occurred())
        PyErr_Print();
    exit(1);
}

#define CHECK(cond)                      \
    do {                                 \
        if (!(cond))                     \
            die_at(__LINE__, #cond);     \
    } while (0)

/* ------------------------------------------------------------------ state */

static PyObject *g_globals;
static PyObject *f_resumer, *f_gen, *f_ret, *f_chain, *f_catcher;
static PyObject *s_throw, *s_close;

/* The object under test for the resume-style benchmarks. */
static PyObject *g_target;
/* The pre-created coroutines of one `close` batch. */
static PyObject **g_batch;

static PyObject *get_global(const char *name)
{
    PyObject *o = PyDict_GetItemString(g_globals, name); /* borrowed */
    CHECK(o != NULL);
    Py_INCREF(o);
    return o;
}

/* Call fn() and send None once; the result must be a suspension. */
static PyObject *started(PyObject *fn)
{
    PyObject *c = PyObject_CallNoArgs(fn);
    CHECK(c != NULL);
    PyObject *res = NULL;
    CHECK(PyIter_Send(c, Py_None, &res) == PYGEN_NEXT);
    CHECK(res == Py_None);
    Py_DECREF(res);
    return c;
}

/* ------------------------------------------------------------------ ops */

static void op_pyiter_send(long n)
{
    PyObject *c = g_target, *res;
    for (long i = 0; i < n; i++) {
        res = NULL;
        if (PyIter_Send(c, Py_None, &res) != PYGEN_NEXT)
            die_at(__LINE__, "PyIter_Send == PYGEN_NEXT");
        Py_DECREF(res);
    }
}

static void op_am_send(long n)
{
    PyObject *c = g_target, *res;
    sendfunc send = Py_TYPE(c)->tp_as_async->am_send;
    for (long i = 0; i < n; i++) {
        res = NULL;
        if (send(c, Py_None, &res) != PYGEN_NEXT)
            die_at(__LINE__, "am_send == PYGEN_NEXT");
        Py_DECREF(res);
    }
}

static void op_gen_iternext(long n)
{
    PyObject *g = g_target, *res;
    iternextfunc next = Py_TYPE(g)->tp_iternext;
    for (long i = 0; i < n; i++) {
        res = next(g);
        if (res == NULL)
            die_at(__LINE__, "tp_iternext != NULL");
        Py_DECREF(res);
    }
}

static void op_lifecycle(long n)
{
    PyObject *fn = f_ret, *c, *res;
    for (long i = 0; i < n; i++) {
        c = PyObject_CallNoArgs(fn);
        if (c == NULL)
            die_at(__LINE__, "ret()");
        res = NULL;
        if (PyIter_Send(c, Py_None, &res) != PYGEN_RETURN)
            die_at(__LINE__, "PyIter_Send == PYGEN_RETURN");
        Py_DECREF(res);
        Py_DECREF(c);
    }
}

static void op_throw(long n)
{
    PyObject *c = g_target, *name = s_throw, *res;
    for (long i = 0; i < n; i++) {
        res = PyObject_CallMethodOneArg(c, name, PyExc_KeyError);
        if (res != Py_None)
            die_at(__LINE__, "coro.throw(KeyError) is None");
        Py_DECREF(res);
    }
}

static void setup_close(long n)
{
    g_batch = PyMem_RawMalloc((size_t)n * sizeof *g_batch);
    CHECK(g_batch != NULL);
    for (long i = 0; i < n; i++)
        g_batch[i] = started(f_resumer);
}

static void op_close(long n)
{
    PyObject **batch = g_batch, *name = s_close, *res;
    for (long i = 0; i < n; i++) {
        res = PyObject_CallMethodNoArgs(batch[i], name);
        if (res != Py_None)
            die_at(__LINE__, "coro.close() is None");
        Py_DECREF(res);
    }
}

static void teardown_close(long n)
{
    for (long i = 0; i < n; i++)
        Py_DECREF(g_batch[i]);
    PyMem_RawFree(g_batch);
    g_batch = NULL;
}

/* ------------------------------------------------------------------ timing */

static double now_ns(void)
{
    struct timespec ts;
    CHECK(clock_gettime(CLOCK_MONOTONIC, &ts) == 0);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

struct bench {
    const char *key;
    void (*setup)(long n);    /* untimed, may be NULL */
    void (*run)(long n);      /* timed: n operations */
    void (*teardown)(long n); /* untimed, may be NULL */
};

/* One batch of n operations; returns the elapsed ns of run() only. */
static double batch_ns(const struct bench *b, long n)
{
    if (b->setup)
        b->setup(n);
    double t0 = now_ns();
    b->run(n);
    double t1 = now_ns();
    if (b->teardown)
        b->teardown(n);
    CHECK(!PyErr_Occurred());
    return t1 - t0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void time_bench(const struct bench *b)
{
    /* Calibration doubles the batch until it takes >= 10 ms; the last
     * calibration batch (10-20 ms) is the untimed warm-up. */
    long n = 1000;
    double t;
    while ((t = batch_ns(b, n)) < MIN_BATCH_NS && n < MAX_BATCH)
        n *= 2;

    double per_op[REPS];
    for (int r = 0; r < REPS; r++)
        per_op[r] = batch_ns(b, n) / (double)n;
    qsort(per_op, REPS, sizeof per_op[0], cmp_double);
    double med = per_op[REPS / 2];

    printf("RESULT %s %.1f\n", b->key, med);
    fflush(stdout);
    fprintf(stderr, "  %-20s N=%-8ld median %.1f ns  (min %.1f, max %.1f)\n",
            b->key, n, med, per_op[0], per_op[REPS - 1]);
}

static void run_timings(void)
{
    static const struct bench resume_pyiter = {"resume_pyiter_send", NULL, op_pyiter_send, NULL};
    static const struct bench resume_am = {"resume_am_send", NULL, op_am_send, NULL};
    static const struct bench resume_gen = {"resume_gen_iternext", NULL, op_gen_iternext, NULL};
    static const struct bench lifecycle = {"lifecycle", NULL, op_lifecycle, NULL};
    static const struct bench throw_ = {"throw", NULL, op_throw, NULL};
    static const struct bench close_ = {"close", setup_close, op_close, teardown_close};

    /* resume_pyiter_send / resume_am_send: an already-started resumer(). */
    g_target = started(f_resumer);
    CHECK(Py_TYPE(g_target)->tp_as_async != NULL);
    CHECK(Py_TYPE(g_target)->tp_as_async->am_send != NULL);
    time_bench(&resume_pyiter);
    time_bench(&resume_am);
    Py_CLEAR(g_target);

    /* resume_gen_iternext: a gen() generator (tp_iternext starts it). */
    g_target = PyObject_CallNoArgs(f_gen);
    CHECK(g_target != NULL);
    CHECK(Py_TYPE(g_target)->tp_iternext != NULL);
    time_bench(&resume_gen);
    Py_CLEAR(g_target);

    time_bench(&lifecycle);

    /* chain_n: one PyIter_Send travels through n coroutines to _suspend. */
    static const int depths[] = {1, 10, 100};
    for (size_t i = 0; i < sizeof depths / sizeof depths[0]; i++) {
        char key[32];
        snprintf(key, sizeof key, "chain_%d", depths[i]);
        struct bench chain = {key, NULL, op_pyiter_send, NULL};
        PyObject *c = PyObject_CallFunction(f_chain, "i", depths[i]);
        CHECK(c != NULL);
        PyObject *res = NULL;
        CHECK(PyIter_Send(c, Py_None, &res) == PYGEN_NEXT);
        Py_DECREF(res);
        g_target = c;
        time_bench(&chain);
        Py_CLEAR(g_target);
    }

    /* throw: a started catcher(); KeyError is caught, it suspends again. */
    g_target = started(f_catcher);
    time_bench(&throw_);
    Py_CLEAR(g_target);

    /* close: each op closes a distinct, suspended resumer(). */
    time_bench(&close_);
}

/* ------------------------------------------------------------------ memory */

/* Release one measured object; an unstarted coroutine is closed first so that
 * its deallocation does not emit "coroutine ... was never awaited". */
static void discard(PyObject *o)
{
    PyObject *r = PyObject_CallMethodNoArgs(o, s_close);
    CHECK(r == Py_None);
    Py_DECREF(r);
    Py_DECREF(o);
}

static size_t heap_in_use(void)
{
    struct mallinfo2 mi = mallinfo2();
    return mi.uordblks;
}

/* Allocator's view of one object made by make(): uordblks delta / K. */
static void measure_bytes(const char *key, PyObject *(*make)(void))
{
    PyObject **objs = PyMem_RawMalloc(MEM_K * sizeof *objs);
    CHECK(objs != NULL);

    /* Warm up code paths and per-code zombie frames, then empty the free
     * lists (a full collection clears them) and keep the GC out of the way. */
    for (int i = 0; i < 16; i++)
        discard(make());
    PyGC_Collect();
    CHECK(!PyErr_Occurred());
    int was_enabled = PyGC_Disable();

    size_t before = heap_in_use();
    for (int i = 0; i < MEM_K; i++)
        objs[i] = make();
    size_t after = heap_in_use();

    for (int i = 0; i < MEM_K; i++)
        discard(objs[i]);
    if (was_enabled)
        PyGC_Enable();
    PyMem_RawFree(objs);
    CHECK(!PyErr_Occurred());

    double delta = (double)after - (double)before;
    printf("RESULT %s %lld\n", key, llround(delta / MEM_K));
    fflush(stdout);
    fprintf(stderr, "  %-26s %.0f bytes over %d objects\n", key, delta, MEM_K);
}

static PyObject *make_unstarted_coroutine(void)
{
    PyObject *c = PyObject_CallNoArgs(f_resumer);
    CHECK(c != NULL);
    return c;
}

static PyObject *make_suspended_coroutine(void) { return started(f_resumer); }

static PyObject *make_suspended_generator(void) { return started(f_gen); }

static void run_memory(void)
{
    measure_bytes("bytes_unstarted_coroutine", make_unstarted_coroutine);
    measure_bytes("bytes_suspended_coroutine", make_suspended_coroutine);
    measure_bytes("bytes_suspended_generator", make_suspended_generator);
}

/* ------------------------------------------------------------------ setup */

static int env_allocator(const char *v, int *out)
{
    static const struct {
        const char *name;
        int value;
    } names[] = {
        {"default", PYMEM_ALLOCATOR_DEFAULT},
        {"debug", PYMEM_ALLOCATOR_DEBUG},
        {"malloc", PYMEM_ALLOCATOR_MALLOC},
        {"malloc_debug", PYMEM_ALLOCATOR_MALLOC_DEBUG},
        {"pymalloc", PYMEM_ALLOCATOR_PYMALLOC},
        {"pymalloc_debug", PYMEM_ALLOCATOR_PYMALLOC_DEBUG},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strcmp(v, names[i].name) == 0) {
            *out = names[i].value;
            return 1;
        }
    }
    return 0;
}

static void check_status(PyStatus st, const char *what)
{
    if (PyStatus_Exception(st)) {
        fprintf(stderr, "bench_cpython: %s failed\n", what);
        Py_ExitStatusException(st); /* prints and exits */
    }
}

static void start_python(const char *argv0, const char *pymalloc)
{
    PyPreConfig pre;
    PyPreConfig_InitIsolatedConfig(&pre);
    if (pymalloc != NULL && *pymalloc != '\0') {
        if (!env_allocator(pymalloc, &pre.allocator)) {
            fprintf(stderr, "bench_cpython: unknown PYTHONMALLOC=%s\n", pymalloc);
            exit(1);
        }
    }
    check_status(Py_PreInitialize(&pre), "Py_PreInitialize");

    PyConfig config;
    PyConfig_InitIsolatedConfig(&config);
    config.site_import = 0;
    config.install_signal_handlers = 0;
    /* Only the executable's own path: the standard library comes from the
     * prefix compiled into libpython, whatever the cwd or PATH. */
    PyStatus st = PyConfig_SetBytesString(&config, &config.program_name, argv0);
    if (!PyStatus_Exception(st))
        st = Py_InitializeFromConfig(&config);
    PyConfig_Clear(&config);
    check_status(st, "Py_InitializeFromConfig");

    fprintf(stderr, "bench_cpython: Python %s\n", Py_GetVersion());

    g_globals = PyDict_New();
    CHECK(g_globals != NULL);
    CHECK(PyDict_SetItemString(g_globals, "__builtins__", PyEval_GetBuiltins()) == 0);
    PyObject *r = PyRun_String(PY_SOURCE, Py_file_input, g_globals, g_globals);
    CHECK(r != NULL);
    Py_DECREF(r);

    f_resumer = get_global("resumer");
    f_gen = get_global("gen");
    f_ret = get_global("ret");
    f_chain = get_global("chain");
    f_catcher = get_global("catcher");
    s_throw = PyUnicode_InternFromString("throw");
    CHECK(s_throw != NULL);
    s_close = PyUnicode_InternFromString("close");
    CHECK(s_close != NULL);
}

static void stop_python(void)
{
    Py_CLEAR(s_close);
    Py_CLEAR(s_throw);
    Py_CLEAR(f_catcher);
    Py_CLEAR(f_chain);
    Py_CLEAR(f_ret);
    Py_CLEAR(f_gen);
    Py_CLEAR(f_resumer);
    Py_CLEAR(g_globals);
    if (Py_FinalizeEx() < 0) {
        fprintf(stderr, "bench_cpython: Py_FinalizeEx failed\n");
        exit(1);
    }
}

int main(int argc, char **argv)
{
    int memory = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--memory") == 0) {
            memory = 1;
        } else {
            fprintf(stderr, "usage: %s [--memory]\n", argv[0]);
            return 2;
        }
    }

    const char *pymalloc = getenv("PYTHONMALLOC");
    start_python(argc > 0 ? argv[0] : "bench_cpython", pymalloc);

    if (!memory) {
        fprintf(stderr, "bench_cpython: times (median of %d batches)\n", REPS);
        run_timings();
    } else if (pymalloc != NULL && strcmp(pymalloc, "malloc") == 0) {
        fprintf(stderr, "bench_cpython: memory (glibc mallinfo2, PYTHONMALLOC=malloc)\n");
        run_memory();
    } else {
        fprintf(stderr, "bench_cpython: memory needs PYTHONMALLOC=malloc "
                        "(every allocation through glibc malloc); no bytes measured\n");
    }

    stop_python();
    return 0;
}
