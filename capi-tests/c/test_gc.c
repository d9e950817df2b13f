/*
 * The cycle collector: PyGC_Collect / PyGC_Enable / PyGC_Disable / PyGC_IsEnabled, tracking,
 * automatic collection on the allocation threshold, PEP 442 (finalizers first, at most once,
 * resurrection), and cycles through every container type pycoro has: a harness GC type,
 * tuples, bound methods, exceptions and tracebacks, frames, generators, coroutines, async
 * generators, coroutine wrappers and asend awaitables.
 *
 * Counts returned by PyGC_Collect are CPython 3.10.13's for the same shapes (measured with
 * classes with __slots__: a self-cycle gives 1, a pair 2, a node with a tuple 2, a resurrected
 * object 0 and then 1). Objects are shown reclaimed by dealloc counters (and by valgrind and
 * LeakSanitizer, which run this program too).
 */
// capi-tests: flags=-pthread
#include "harness.h"
#include "native.h"

#include <pthread.h>

/* ---- a harness GC type: Node {a, b} with a dealloc counter ---- */

typedef struct {
    PyObject_HEAD
    PyObject *a;
    PyObject *b;
} NodeObject;

static int node_deallocs;

static int node_traverse(PyObject *self, visitproc visit, void *arg)
{
    NodeObject *n = (NodeObject *)self;
    Py_VISIT(n->a);
    Py_VISIT(n->b);
    return 0;
}

static int node_clear(PyObject *self)
{
    NodeObject *n = (NodeObject *)self;
    Py_CLEAR(n->a);
    Py_CLEAR(n->b);
    return 0;
}

static void node_dealloc(PyObject *self)
{
    PyObject_GC_UnTrack(self);
    node_clear(self);
    node_deallocs++;
    Py_TYPE(self)->tp_free(self);
}

static PyTypeObject Node_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "gc.Node",
    .tp_basicsize = sizeof(NodeObject),
    .tp_dealloc = node_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_traverse = node_traverse,
    .tp_clear = node_clear,
};

static PyObject *new_node(void)
{
    if (PyType_Ready(&Node_Type) < 0) {
        return NULL;
    }
    return PyType_GenericAlloc(&Node_Type, 0);
}

/* Sets n.a (steals `v`). */
static void node_set_a(PyObject *n, PyObject *v)
{
    Py_XSETREF(((NodeObject *)n)->a, v);
}

/* A node in a cycle with itself; the caller's reference is released. */
static void make_self_cycle(void)
{
    PyObject *n = new_node();
    if (n != NULL) {
        node_set_a(n, Py_NewRef(n));
        Py_DECREF(n);
    }
}

/* ---- a GC type whose finalizer resurrects the object (PEP 442) ---- */

static PyObject *saved;
static int phoenix_finalized;
static int phoenix_deallocs;

static void phoenix_finalize(PyObject *self)
{
    phoenix_finalized++;
    if (saved == NULL) {
        saved = Py_NewRef(self);
    }
}

static void phoenix_dealloc(PyObject *self)
{
    if (PyObject_CallFinalizerFromDealloc(self) < 0) {
        return;
    }
    PyObject_GC_UnTrack(self);
    node_clear(self);
    phoenix_deallocs++;
    Py_TYPE(self)->tp_free(self);
}

static PyTypeObject Phoenix_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "gc.Phoenix",
    .tp_basicsize = sizeof(NodeObject),
    .tp_dealloc = phoenix_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_traverse = node_traverse,
    .tp_clear = node_clear,
    .tp_finalize = phoenix_finalize,
};

/* ---- a GC type whose finalizer empties a list and a dict ---- */

static PyObject *victim_list, *victim_dict;
static int clearer_runs, clearer_runs_inside;
static int inside; /* set while a container operation that allocates is running */

static void clearer_finalize(PyObject *self)
{
    (void)self;
    clearer_runs++;
    clearer_runs_inside += inside;
    if (victim_list != NULL) {
        PyList_SetSlice(victim_list, 0, PY_SSIZE_T_MAX, NULL);
    }
    if (victim_dict != NULL) {
        PyDict_Clear(victim_dict);
    }
}

static PyTypeObject Clearer_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "gc.Clearer",
    .tp_basicsize = sizeof(NodeObject),
    .tp_dealloc = phoenix_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_traverse = node_traverse,
    .tp_clear = node_clear,
    .tp_finalize = clearer_finalize,
};

/* ---- the collector's switches ---- */

static void test_enable_disable(void)
{
    int before = node_deallocs;
    CHECK_EQ_INT(PyGC_IsEnabled(), 1);
    CHECK_EQ_INT(PyGC_Disable(), 1);
    CHECK_EQ_INT(PyGC_Disable(), 0);
    CHECK_EQ_INT(PyGC_IsEnabled(), 0);
    make_self_cycle();
    /* CPython 3.10: PyGC_Collect does nothing while collection is disabled. */
    CHECK_EQ_INT(PyGC_Collect(), 0);
    CHECK_EQ_INT(node_deallocs, before);
    CHECK_EQ_INT(PyGC_Enable(), 0);
    CHECK_EQ_INT(PyGC_Enable(), 1);
    CHECK_EQ_INT(PyGC_IsEnabled(), 1);
    CHECK_EQ_INT(PyGC_Collect(), 1);
    CHECK_EQ_INT(node_deallocs, before + 1);
    CHECK_EQ_INT(PyGC_Collect(), 0);
}

static void test_tracking(void)
{
    PyObject *n = new_node();
    PyObject *i = PyLong_FromLong(1000);
    PyObject *t = PyTuple_New(1);
    int before = node_deallocs;
    REQUIRE(n != NULL && i != NULL && t != NULL);
    CHECK_EQ_INT(PyObject_IS_GC(n), 1);
    CHECK_EQ_INT(PyObject_IS_GC(i), 0);
    CHECK_EQ_INT(PyObject_IS_GC(t), 1);
    CHECK_EQ_INT(PyObject_GC_IsTracked(n), 1);
    CHECK_EQ_INT(PyObject_GC_IsTracked(t), 1);
    CHECK_EQ_INT(PyObject_GC_IsTracked(i), 0);
    /* An untracked cycle is invisible to the collector. */
    node_set_a(n, Py_NewRef(n));
    PyObject_GC_UnTrack(n);
    PyObject_GC_UnTrack(n);
    CHECK_EQ_INT(PyObject_GC_IsTracked(n), 0);
    Py_DECREF(n);
    CHECK_EQ_INT(PyGC_Collect(), 0);
    CHECK_EQ_INT(node_deallocs, before);
    /* Tracked again (still borrowed through its own cycle), it is collected. */
    PyObject_GC_Track(n);
    PyObject_GC_Track(n);
    CHECK_EQ_INT(PyGC_Collect(), 1);
    CHECK_EQ_INT(node_deallocs, before + 1);
    Py_DECREF(i);
    Py_DECREF(t);
}

/* A pair in a cycle holding a third node that is referenced from outside: the pair goes
 * (count 2), the third stays with its refcount back to 1. */
static void test_pair_and_survivor(void)
{
    PyObject *x = new_node(), *y = new_node(), *c = new_node();
    int before = node_deallocs;
    REQUIRE(x != NULL && y != NULL && c != NULL);
    node_set_a(x, Py_NewRef(y));
    node_set_a(y, Py_NewRef(x));
    ((NodeObject *)x)->b = Py_NewRef(c);
    Py_DECREF(x);
    Py_DECREF(y);
    CHECK_EQ_INT(Py_REFCNT(c), 2);
    CHECK_EQ_INT(PyGC_Collect(), 2);
    CHECK_EQ_INT(node_deallocs, before + 2);
    CHECK_EQ_INT(Py_REFCNT(c), 1);
    CHECK_EQ_INT(PyObject_GC_IsTracked(c), 1);
    Py_DECREF(c);
    CHECK_EQ_INT(node_deallocs, before + 3);
}

/* A cycle through a tuple: the node and the tuple (count 2, as CPython). */
static void test_tuple_cycle(void)
{
    PyObject *n = new_node();
    int before = node_deallocs;
    REQUIRE(n != NULL);
    node_set_a(n, PyTuple_Pack(1, n));
    Py_DECREF(n);
    CHECK_EQ_INT(PyGC_Collect(), 2);
    CHECK_EQ_INT(node_deallocs, before + 1);
}

/* A cycle through a bound method (a builtin function whose self is the node). */
static PyObject *meth_noop(PyObject *self, PyObject *unused)
{
    (void)self;
    (void)unused;
    Py_RETURN_NONE;
}
static PyMethodDef noop_def = {"noop", meth_noop, METH_NOARGS, NULL};

static void test_bound_method_cycle(void)
{
    PyObject *n = new_node();
    int before = node_deallocs;
    REQUIRE(n != NULL);
    node_set_a(n, PyCFunction_New(&noop_def, n));
    REQUIRE(((NodeObject *)n)->a != NULL);
    Py_DECREF(n);
    CHECK_EQ_INT(PyGC_Collect(), 2);
    CHECK_EQ_INT(node_deallocs, before + 1);
}

/* The pending exception survives a collection. */
static void test_exception_preserved(void)
{
    PyObject *t, *v, *tb;
    make_self_cycle();
    PyErr_SetString(PyExc_KeyError, "kept");
    CHECK_EQ_INT(PyGC_Collect(), 1);
    PyErr_Fetch(&t, &v, &tb);
    CHECK_EQ_PTR(t, PyExc_KeyError);
    CHECK_STR(v, "kept");
    Py_XDECREF(t);
    Py_XDECREF(v);
    Py_XDECREF(tb);
}

/* ---- PEP 442 ---- */

/* A self-cycle whose finalizer resurrects it: not counted, not freed, finalized once; once
 * released it is collected without running the finalizer again. */
static void test_resurrection(void)
{
    PyObject *p;
    REQUIRE(PyType_Ready(&Phoenix_Type) == 0);
    p = PyType_GenericAlloc(&Phoenix_Type, 0);
    REQUIRE(p != NULL);
    node_set_a(p, Py_NewRef(p));
    Py_DECREF(p);
    CHECK_EQ_INT(PyGC_Collect(), 0);
    CHECK_EQ_INT(phoenix_finalized, 1);
    CHECK_EQ_INT(phoenix_deallocs, 0);
    CHECK_EQ_PTR(saved, p);
    CHECK_EQ_INT(PyObject_GC_IsFinalized(p), 1);
    CHECK_EQ_INT(PyObject_GC_IsTracked(p), 1);
    CHECK_EQ_PTR(((NodeObject *)p)->a, p);
    Py_CLEAR(saved);
    CHECK_EQ_INT(PyGC_Collect(), 1);
    CHECK_EQ_INT(phoenix_finalized, 1);
    CHECK_EQ_INT(phoenix_deallocs, 1);
    CHECK(saved == NULL);
}

/* ---- automatic collection ---- */

static void test_automatic_collection(void)
{
    int before = node_deallocs, i;
    /* Generation 0's threshold is 700 allocations (CPython's default): 10000 cycles are
     * reclaimed as they are made, without PyGC_Collect. */
    for (i = 0; i < 10000; i++) {
        make_self_cycle();
    }
    CHECK(node_deallocs - before >= 10000 - 701);
    CHECK_EQ_INT(PyGC_Collect(), 10000 - (node_deallocs - before));
    CHECK_EQ_INT(node_deallocs - before, 10000);
    /* Disabled: nothing is reclaimed until collection is enabled again. */
    before = node_deallocs;
    PyGC_Disable();
    for (i = 0; i < 2000; i++) {
        make_self_cycle();
    }
    CHECK_EQ_INT(node_deallocs, before);
    PyGC_Enable();
    CHECK_EQ_INT(PyGC_Collect(), 2000);
    CHECK_EQ_INT(node_deallocs, before + 2000);
}

/* An allocation inside a list or dict operation may run a collection, and so finalizers that
 * change the very container being read: the operation must still be safe (it works on its own
 * references), under valgrind and ASan too. */
static void test_finalizer_changes_container_during_allocation(void)
{
    int i, bad = 0;
    REQUIRE(PyType_Ready(&Clearer_Type) == 0);
    PyGC_Collect();
    victim_list = PyList_New(0);
    victim_dict = PyDict_New();
    REQUIRE(victim_list != NULL && victim_dict != NULL);
    clearer_runs = clearer_runs_inside = 0;
    for (i = 0; i < 3000; i++) {
        PyObject *c, *r, *fill;
        int k;
        /* Refill both victims (fresh, non-immortal items). */
        for (k = PyList_GET_SIZE(victim_list); k < 20; k++) {
            PyObject *v = PyLong_FromLong(1000000 + k), *key = PyLong_FromLong(2000000 + k);
            PyList_Append(victim_list, v);
            PyDict_SetItem(victim_dict, key, v);
            Py_DECREF(v);
            Py_DECREF(key);
        }
        /* Unreachable garbage whose finalizer empties them. */
        c = PyType_GenericAlloc(&Clearer_Type, 0);
        REQUIRE(c != NULL);
        node_set_a(c, Py_NewRef(c));
        Py_DECREF(c);
        inside = 1;
        switch (i % 5) {
        case 0:
            r = PyList_GetSlice(victim_list, 0, 20);
            bad += r == NULL || PyList_GET_SIZE(r) != 20;
            break;
        case 1:
            r = PyList_AsTuple(victim_list);
            bad += r == NULL || PyTuple_GET_SIZE(r) != 20;
            break;
        case 2:
            r = PyDict_Items(victim_dict);
            bad += r == NULL || PyList_GET_SIZE(r) != PyDict_Size(victim_dict);
            break;
        case 3:
            r = PyList_Type.tp_as_sequence->sq_concat(victim_list, victim_list);
            bad += r == NULL || PyList_GET_SIZE(r) != 40;
            break;
        default:
            fill = PyList_New(0);
            r = fill != NULL && PyList_SetSlice(fill, 0, 0, victim_list) == 0 ? fill : NULL;
            bad += r == NULL || PyList_GET_SIZE(r) != 20;
            if (r == NULL) {
                Py_XDECREF(fill);
            }
            break;
        }
        inside = 0;
        Py_XDECREF(r);
        CHECK_NO_EXC();
    }
    CHECK_EQ_INT(bad, 0);
    /* The finalizers ran, some of them in the middle of those operations. */
    CHECK(clearer_runs > 0);
    CHECK(clearer_runs_inside > 0);
    Py_CLEAR(victim_list);
    Py_CLEAR(victim_dict);
    PyGC_Collect();
}

/* A collection triggered while a body runs leaves the running coroutine and its slots alone. */
static int busy_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    int i;
    (void)arg;
    if (f->f_lasti == 0) {
        *out = Py_NewRef(NATIVE_SLOT(f, 0));
        return PYNATIVE_RETURN;
    }
    NATIVE_SLOT(f, 0) = new_node();
    if (NATIVE_SLOT(f, 0) == NULL) {
        return PYNATIVE_ERROR;
    }
    node_set_a(NATIVE_SLOT(f, 0), PyTuple_Pack(1, NATIVE_SLOT(f, 0)));
    for (i = 0; i < 3000; i++) {
        make_self_cycle();
    }
    NATIVE_YIELD(f, 0, Py_NewRef(Py_None));
}

static void test_collect_while_running(void)
{
    PyObject *c = NATIVE_CORO(busy_body, "busy"), *res = NULL, *node;
    int before = node_deallocs;
    REQUIRE(c != NULL);
    CHECK_EQ_INT(PyIter_Send(c, Py_None, &res), PYGEN_NEXT);
    Py_XDECREF(res);
    CHECK(node_deallocs - before >= 3000 - 701);
    node = NATIVE_SLOT(((PyCoroObject *)c)->cr_frame, 0);
    CHECK(node != NULL && PyTuple_Check(((NodeObject *)node)->a));
    CHECK_EQ_INT(PyGC_Collect(), 3000 - (node_deallocs - before));
    CHECK_EQ_INT(PyIter_Send(c, Py_None, &res), PYGEN_RETURN);
    CHECK_EQ_PTR(res, node);
    Py_XDECREF(res);
    Py_DECREF(c);
    /* The node still has its cycle through the tuple. */
    before = node_deallocs;
    CHECK_EQ_INT(PyGC_Collect(), 2);
    CHECK_EQ_INT(node_deallocs, before + 1);
}

/* ---- generators and coroutines in cycles ---- */

static int cleanups;
static char cleanup_order[8];

static void note_cleanup(char who)
{
    if (cleanups < (int)sizeof cleanup_order - 1) {
        cleanup_order[cleanups] = who;
    }
    cleanups++;
}

/* Slot 0: the coroutine itself (f->f_gen); slot 1: a node. Yields, then on anything thrown in
 * counts a cleanup and lets it propagate. */
static int self_ref_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    if (f->f_lasti == 0) {
        if (arg == NULL) {
            note_cleanup('s');
            return PYNATIVE_ERROR;
        }
        *out = Py_NewRef(Py_None);
        return PYNATIVE_RETURN;
    }
    NATIVE_SLOT(f, 0) = Py_NewRef((PyObject *)f->f_gen);
    NATIVE_SLOT(f, 1) = new_node();
    NATIVE_YIELD(f, 0, Py_NewRef(Py_None));
}

/* A coroutine reachable only through its own frame's locals: the finalizer closes it first
 * (its cleanup runs), then everything is freed. */
static void test_coroutine_through_own_locals(void)
{
    PyObject *c = NATIVE_CORO(self_ref_body, "selfref"), *res = NULL;
    int before = node_deallocs;
    REQUIRE(c != NULL);
    cleanups = 0;
    CHECK_EQ_INT(PyIter_Send(c, Py_None, &res), PYGEN_NEXT);
    Py_XDECREF(res);
    CHECK_EQ_INT(Py_REFCNT(c), 2);
    Py_DECREF(c);
    CHECK_EQ_INT(cleanups, 0);
    CHECK_EQ_INT(node_deallocs, before);
    /* The close finished the frame, so nothing was left to clear (CPython gives 0 as well). */
    CHECK_EQ_INT(PyGC_Collect(), 0);
    CHECK_EQ_INT(cleanups, 1);
    CHECK_EQ_INT(node_deallocs, before + 1);
}

/* The same with an async generator (its finalizer hook unset: closed synchronously). */
static void test_async_generator_through_own_locals(void)
{
    PyObject *g = native_new(self_ref_body, CO_ASYNC_GENERATOR, "aselfref", 4), *res = NULL;
    int before = node_deallocs;
    REQUIRE(g != NULL);
    cleanups = 0;
    CHECK_EQ_INT(PyIter_Send(g, Py_None, &res), PYGEN_NEXT);
    Py_XDECREF(res);
    Py_DECREF(g);
    CHECK_EQ_INT(node_deallocs, before);
    PyGC_Collect();
    CHECK_EQ_INT(cleanups, 1);
    CHECK_EQ_INT(node_deallocs, before + 1);
}

/* A generator in a cycle through an exception's traceback: slot 0 holds ValueError(gen) whose
 * __traceback__ points at the generator's frame. Closing the generator (its finalizer) leaves
 * frame -> exception -> traceback -> frame, which tp_clear breaks. */
static int tb_cycle_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    PyObject *t, *v, *tb;
    if (f->f_lasti == 0) {
        if (arg == NULL) {
            note_cleanup('t');
            return PYNATIVE_ERROR;
        }
        *out = Py_NewRef(Py_None);
        return PYNATIVE_RETURN;
    }
    PyErr_SetObject(PyExc_ValueError, (PyObject *)f->f_gen);
    PyTraceBack_Here(f);
    PyErr_Fetch(&t, &v, &tb);
    PyErr_NormalizeException(&t, &v, &tb);
    PyException_SetTraceback(v, tb);
    Py_XDECREF(t);
    Py_XDECREF(tb);
    NATIVE_SLOT(f, 0) = v;
    NATIVE_SLOT(f, 1) = new_node();
    NATIVE_YIELD(f, 0, Py_NewRef(Py_None));
}

static void test_generator_through_traceback(void)
{
    PyObject *g = NATIVE_GEN(tb_cycle_body, "tbcycle"), *res = NULL, *exc;
    PyTracebackObject *tb;
    int before = node_deallocs;
    REQUIRE(g != NULL);
    cleanups = 0;
    CHECK_EQ_INT(PyIter_Send(g, Py_None, &res), PYGEN_NEXT);
    Py_XDECREF(res);
    exc = NATIVE_SLOT(((PyGenObject *)g)->gi_frame, 0);
    REQUIRE(exc != NULL && PyExceptionInstance_Check(exc));
    tb = (PyTracebackObject *)PyException_GetTraceback(exc);
    REQUIRE(tb != NULL);
    CHECK_EQ_PTR(tb->tb_frame, ((PyGenObject *)g)->gi_frame);
    Py_DECREF(tb);
    Py_DECREF(g);
    CHECK_EQ_INT(node_deallocs, before);
    /* Left to clear after the close: the frame, the node in its slot, the exception, its args
     * tuple, the traceback and the generator (kept by the args). */
    CHECK_EQ_INT(PyGC_Collect(), 6);
    CHECK_EQ_INT(cleanups, 1);
    CHECK_EQ_INT(node_deallocs, before + 1);
}

/* Delegation cycle: outer awaits inner, inner's slot 0 holds outer. */
static PyObject *outer_of_inner;

static int inner_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    if (f->f_lasti == 0) {
        if (arg == NULL) {
            note_cleanup('i');
            return PYNATIVE_ERROR;
        }
        *out = Py_NewRef(Py_None);
        return PYNATIVE_RETURN;
    }
    NATIVE_SLOT(f, 0) = outer_of_inner;
    outer_of_inner = NULL;
    NATIVE_SLOT(f, 1) = new_node();
    NATIVE_YIELD(f, 0, Py_NewRef(Py_None));
}

static int outer_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    PyObject *inner;
    if (f->f_lasti == 0) {
        if (arg == NULL) {
            note_cleanup('o');
            return PYNATIVE_ERROR;
        }
        *out = Py_NewRef(Py_None);
        return PYNATIVE_RETURN;
    }
    inner = NATIVE_CORO(inner_body, "inner");
    if (inner == NULL) {
        return PYNATIVE_ERROR;
    }
    outer_of_inner = Py_NewRef((PyObject *)f->f_gen);
    NATIVE_SLOT(f, 1) = new_node();
    NATIVE_AWAIT(f, 0, inner);
}

static void test_delegation_cycle(void)
{
    PyObject *c = NATIVE_CORO(outer_body, "outer"), *res = NULL, *inner;
    int before = node_deallocs;
    REQUIRE(c != NULL);
    cleanups = 0;
    memset(cleanup_order, 0, sizeof cleanup_order);
    CHECK_EQ_INT(PyIter_Send(c, Py_None, &res), PYGEN_NEXT);
    Py_XDECREF(res);
    inner = ((PyCoroObject *)c)->cr_frame->f_valuestack[0];
    CHECK(inner != NULL && PyCoro_CheckExact(inner));
    Py_DECREF(c);
    CHECK_EQ_INT(node_deallocs, before);
    PyGC_Collect();
    /* Both bodies saw the close and both frames' nodes are gone. */
    CHECK_EQ_INT(cleanups, 2);
    CHECK(strchr(cleanup_order, 'i') != NULL && strchr(cleanup_order, 'o') != NULL);
    CHECK_EQ_INT(node_deallocs, before + 2);
}

/* A generator that yields again on close, in a cycle through its own locals: its finalizer's
 * failure is reported as unraisable ("generator ignored GeneratorExit", object = the
 * generator), and tp_clear then reclaims it. */
static int stubborn_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    if (f->f_lasti >= 0) {
        if (arg == NULL) {
            PyErr_Clear();
            note_cleanup('y');
        }
        NATIVE_YIELD(f, 1, Py_NewRef(Py_None));
    }
    NATIVE_SLOT(f, 0) = Py_NewRef((PyObject *)f->f_gen);
    NATIVE_SLOT(f, 1) = new_node();
    NATIVE_YIELD(f, 0, Py_NewRef(Py_None));
}

static int unraisable_calls;
static PyObject *unraisable_obj;
static char unraisable_text[128];

static void record_unraisable(PyObject *t, PyObject *v, PyObject *tb, PyObject *msg, PyObject *o,
                              void *data)
{
    PyObject *s = v != NULL ? PyObject_Str(v) : NULL;
    (void)tb;
    (void)msg;
    (void)data;
    unraisable_calls++;
    unraisable_obj = o;
    snprintf(unraisable_text, sizeof unraisable_text, "%s: %s",
             t != NULL ? ((PyTypeObject *)t)->tp_name : "?",
             s != NULL ? PyUnicode_AsUTF8(s) : "?");
    Py_XDECREF(s);
    PyErr_Clear();
}

static void test_failing_finalizer_in_cycle(void)
{
    PyObject *g = NATIVE_GEN(stubborn_body, "stubborn"), *res = NULL;
    int before = node_deallocs;
    REQUIRE(g != NULL);
    cleanups = 0;
    unraisable_calls = 0;
    PyNative_SetUnraisableHook(record_unraisable, NULL);
    CHECK_EQ_INT(PyIter_Send(g, Py_None, &res), PYGEN_NEXT);
    Py_XDECREF(res);
    Py_DECREF(g);
    CHECK_EQ_INT(PyGC_Collect(), 3);
    PyNative_SetUnraisableHook(NULL, NULL);
    CHECK_EQ_INT(cleanups, 1);
    CHECK_EQ_INT(unraisable_calls, 1);
    CHECK_EQ_PTR(unraisable_obj, g);
    CHECK_STR_EQ(unraisable_text, "RuntimeError: generator ignored GeneratorExit");
    CHECK_EQ_INT(node_deallocs, before + 1);
}

/* A coroutine wrapper (coro.__await__()) and an asend awaitable in cycles through nodes the
 * bodies hold. */
static int hold_node_body(PyFrameObject *f, PyObject *arg, PyObject **out)
{
    (void)arg;
    if (f->f_lasti == 0) {
        *out = Py_NewRef(Py_None);
        return PYNATIVE_RETURN;
    }
    NATIVE_YIELD(f, 0, Py_NewRef(Py_None));
}

static void test_wrapper_and_asend_cycles(void)
{
    PyObject *c = NATIVE_CORO(hold_node_body, "held");
    PyObject *ag = native_new(hold_node_body, CO_ASYNC_GENERATOR, "aheld", 4);
    PyObject *n1 = new_node(), *n2 = new_node();
    int before = node_deallocs;
    REQUIRE(c != NULL && ag != NULL && n1 != NULL && n2 != NULL);
    /* c.frame.slot0 -> n1 -> c.__await__() -> c */
    NATIVE_SLOT(((PyCoroObject *)c)->cr_frame, 0) = Py_NewRef(n1);
    node_set_a(n1, Py_TYPE(c)->tp_as_async->am_await(c));
    /* ag.frame.slot0 -> n2 -> ag.asend(None) -> ag */
    NATIVE_SLOT(((PyAsyncGenObject *)ag)->ag_frame, 0) = Py_NewRef(n2);
    node_set_a(n2, PyObject_CallMethod(ag, "asend", "(O)", Py_None));
    REQUIRE(((NodeObject *)n1)->a != NULL && ((NodeObject *)n2)->a != NULL);
    CHECK_REPR((PyObject *)Py_TYPE(((NodeObject *)n2)->a), "<class 'async_generator_asend'>");
    Py_DECREF(n1);
    Py_DECREF(n2);
    Py_DECREF(c);
    Py_DECREF(ag);
    CHECK_EQ_INT(node_deallocs, before);
    /* Never started: the async generator's finalizer closes it (its frame goes, and with it
     * that cycle); the coroutine's only warns (3.10 does not close a never-awaited coroutine),
     * so its cycle is left to tp_clear: coroutine, frame, node and wrapper. */
    PyNative_WarningsFilter("ignore", PyExc_RuntimeWarning);
    CHECK_EQ_INT(PyGC_Collect(), 4);
    PyNative_WarningsFilter("reset", NULL);
    CHECK_EQ_INT(node_deallocs, before + 2);
}

/* ---- threads ---- */

static void *orphan_thread(void *unused)
{
    PyGILState_STATE st = PyGILState_Ensure();
    (void)unused;
    make_self_cycle();
    make_self_cycle();
    PyGILState_Release(st);
    return NULL;
}

/* A thread's cycles are collected when it exits (its last full collection); nothing is left
 * for a collection elsewhere. */
static void test_collected_at_thread_exit(void)
{
    pthread_t th;
    int before;
    PyGC_Collect();
    before = node_deallocs;
    REQUIRE(pthread_create(&th, NULL, orphan_thread, NULL) == 0);
    pthread_join(th, NULL);
    CHECK_EQ_INT(node_deallocs, before + 2);
    CHECK_EQ_INT(PyGC_Collect(), 0);
}

/* A thread that exits with an exception set: the exception is dropped silently (as CPython
 * drops it), and the exit-time collection, which finalizes a coroutine of the thread, does not
 * report it as that coroutine's ("Exception ignored in: <coroutine ...> KeyError: 'bye'"). */
static int unraisable_reports;

static void count_unraisable(PyObject *t, PyObject *v, PyObject *tb, PyObject *msg, PyObject *o,
                             void *data)
{
    (void)t, (void)v, (void)tb, (void)msg, (void)o, (void)data;
    unraisable_reports++;
}

static void *exit_with_error_thread(void *unused)
{
    PyObject *c, *res = NULL;
    (void)unused;
    c = NATIVE_CORO(self_ref_body, "left_behind");
    if (c != NULL) {
        if (PyIter_Send(c, Py_None, &res) == PYGEN_NEXT) {
            Py_DECREF(res);
        }
        Py_DECREF(c); /* only its own frame holds it now */
    }
    /* An exception being handled, and one pending. */
    PyErr_SetString(PyExc_ValueError, "being handled");
    {
        PyObject *t, *v, *tb;
        PyErr_Fetch(&t, &v, &tb);
        PyErr_NormalizeException(&t, &v, &tb);
        PyErr_SetExcInfo(t, v, tb);
    }
    PyErr_SetString(PyExc_KeyError, "bye");
    return NULL;
}

static void test_thread_exit_drops_pending_error(void)
{
    pthread_t th;
    int before = node_deallocs;
    cleanups = 0;
    unraisable_reports = 0;
    PyNative_SetUnraisableHook(count_unraisable, NULL);
    REQUIRE(pthread_create(&th, NULL, exit_with_error_thread, NULL) == 0);
    pthread_join(th, NULL);
    PyNative_SetUnraisableHook(NULL, NULL);
    /* The coroutine was finalized (closed: its cleanup ran) and freed at the thread's exit. */
    CHECK_EQ_INT(cleanups, 1);
    CHECK_EQ_INT(node_deallocs, before + 1);
    CHECK_EQ_INT(unraisable_reports, 0);
    CHECK_NO_EXC();
}

/* Each thread collects only its own objects: a cycle made here is not touched by a collection
 * on another thread. */
static Py_ssize_t other_thread_collected = -1;

static void *collecting_thread(void *unused)
{
    (void)unused;
    other_thread_collected = PyGC_Collect();
    return NULL;
}

static void test_collection_is_per_thread(void)
{
    pthread_t th;
    int before = node_deallocs;
    make_self_cycle();
    REQUIRE(pthread_create(&th, NULL, collecting_thread, NULL) == 0);
    pthread_join(th, NULL);
    CHECK_EQ_INT(other_thread_collected, 0);
    CHECK_EQ_INT(node_deallocs, before);
    CHECK_EQ_INT(PyGC_Collect(), 1);
    CHECK_EQ_INT(node_deallocs, before + 1);
}

int main(void)
{
    RUN(test_enable_disable);
    RUN(test_tracking);
    RUN(test_pair_and_survivor);
    RUN(test_tuple_cycle);
    RUN(test_bound_method_cycle);
    RUN(test_exception_preserved);
    RUN(test_resurrection);
    RUN(test_automatic_collection);
    RUN(test_finalizer_changes_container_during_allocation);
    RUN(test_collect_while_running);
    RUN(test_coroutine_through_own_locals);
    RUN(test_async_generator_through_own_locals);
    RUN(test_generator_through_traceback);
    RUN(test_delegation_cycle);
    RUN(test_failing_finalizer_in_cycle);
    RUN(test_wrapper_and_asend_cycles);
    RUN(test_collected_at_thread_exit);
    RUN(test_collection_is_per_thread);
    RUN(test_thread_exit_drops_pending_error);
    return HARNESS_SUMMARY();
}
