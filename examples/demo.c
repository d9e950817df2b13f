/*
 * demo.c - what `make demo` builds and runs: a native coroutine made with pycoro's C API.
 *
 * The coroutine's frame runs a C function (a "native body") instead of bytecode. The body is a
 * stackless state machine: the runtime calls it each time the coroutine is resumed, and it
 * continues at the label it stored in frame->f_lasti (-1 on the first run). Objects that must
 * survive a suspension live in the frame's slots (f_localsplus[0..nslots)); raw C state lives in
 * PyNative_FrameState(frame). See PyNative_Body in include/pycoro.h for the full contract.
 *
 * Running frames (send/next/await) is not implemented yet: this demo builds the code object, the
 * frame and the coroutine, checks them and tears them down. When send() lands, it will also
 * drive the coroutine: "tick 0", "tick 1", then StopIteration("done").
 */
#include <Python.h>
#include <frameobject.h>

/* Raw C state of one frame: zeroed when the frame is created. */
struct demo_state {
    long ticks;
};

enum { SLOT_MESSAGE, NSLOTS };
enum { LABEL_AFTER_FIRST_YIELD, LABEL_AFTER_SECOND_YIELD };

/* async def demo(): yield "tick 0"; yield "tick 1"; return "done"   (as a state machine) */
static int demo_body(PyFrameObject *frame, PyObject *arg, PyObject **out)
{
    struct demo_state *state = (struct demo_state *)PyNative_FrameState(frame);
    if (arg == NULL) {
        return PYNATIVE_ERROR; /* an exception was thrown in: let it propagate */
    }
    switch (frame->f_lasti) {
    case -1: /* first run */
        frame->f_localsplus[SLOT_MESSAGE] = PyUnicode_FromString("done");
        if (frame->f_localsplus[SLOT_MESSAGE] == NULL) {
            return PYNATIVE_ERROR;
        }
        frame->f_lineno = 2;
        *out = PyUnicode_FromFormat("tick %ld", state->ticks++);
        if (*out == NULL) {
            return PYNATIVE_ERROR;
        }
        frame->f_lasti = LABEL_AFTER_FIRST_YIELD;
        return PYNATIVE_YIELD;
    case LABEL_AFTER_FIRST_YIELD:
        frame->f_lineno = 3;
        *out = PyUnicode_FromFormat("tick %ld", state->ticks++);
        if (*out == NULL) {
            return PYNATIVE_ERROR;
        }
        frame->f_lasti = LABEL_AFTER_SECOND_YIELD;
        return PYNATIVE_YIELD;
    case LABEL_AFTER_SECOND_YIELD:
        frame->f_lineno = 4;
        *out = Py_NewRef(frame->f_localsplus[SLOT_MESSAGE]);
        return PYNATIVE_RETURN;
    default:
        PyErr_SetString(PyExc_SystemError, "demo_body: bad resume label");
        return PYNATIVE_ERROR;
    }
}

static void print_object(const char *label, PyObject *obj)
{
    PyObject *r = PyObject_Repr(obj);
    printf("  %-22s %s\n", label, r != NULL ? PyUnicode_AsUTF8(r) : "<repr failed>");
    Py_XDECREF(r);
}

static int fail(const char *what)
{
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    fprintf(stderr, "demo: %s failed\n", what);
    print_object("exception:", value != NULL ? value : type);
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(tb);
    return 1;
}

int main(void)
{
    PyCodeObject *code;
    PyFrameObject *frame;
    PyObject *qualname, *coro;
    PyCoroObject *c;

    Py_Initialize();

    code = PyNative_NewCode(demo_body, "demo", "demo.c", 1, CO_COROUTINE, NSLOTS,
                            sizeof(struct demo_state));
    if (code == NULL) {
        return fail("PyNative_NewCode");
    }
    printf("code object\n");
    print_object("repr:", (PyObject *)code);
    printf("  %-22s 0x%x (CO_COROUTINE | CO_NOFREE)\n", "co_flags:", (unsigned)code->co_flags);
    printf("  %-22s %d, co_stacksize %d\n", "co_nlocals (slots):", code->co_nlocals,
           code->co_stacksize);
    printf("  %-22s %s\n", "body:", PyNative_CodeBody(code) == demo_body ? "demo_body" : "?");

    frame = PyFrame_New(PyThreadState_Get(), code, NULL, NULL);
    Py_DECREF(code); /* the frame holds its own reference */
    if (frame == NULL) {
        return fail("PyFrame_New");
    }
    printf("frame\n");
    print_object("repr:", (PyObject *)frame);
    printf("  %-22s f_lasti=%d f_state=%d f_stackdepth=%d ob_size=%zd\n", "fields:",
           frame->f_lasti, frame->f_state, frame->f_stackdepth, Py_SIZE(frame));
    printf("  %-22s %p (16-byte aligned: %s)\n", "native state:", PyNative_FrameState(frame),
           ((size_t)PyNative_FrameState(frame) % 16 == 0) ? "yes" : "no");

    qualname = PyUnicode_FromString("Demo.demo");
    if (qualname == NULL) {
        Py_DECREF(frame);
        return fail("PyUnicode_FromString");
    }
    coro = PyCoro_New(frame, NULL, qualname); /* steals the frame */
    if (coro == NULL) {
        Py_DECREF(qualname);
        return fail("PyCoro_New");
    }
    c = (PyCoroObject *)coro;
    printf("coroutine\n");
    print_object("repr:", coro);
    printf("  %-22s %d\n", "PyCoro_CheckExact:", PyCoro_CheckExact(coro));
    printf("  %-22s %d\n", "PyGen_CheckExact:", PyGen_CheckExact(coro));
    print_object("cr_name:", c->cr_name);
    print_object("cr_qualname:", c->cr_qualname);
    printf("  %-22s %s\n", "cr_origin:", c->cr_origin == NULL ? "NULL (tracking depth 0)" : "set");
    printf("  %-22s %s\n", "cr_frame->f_gen:", c->cr_frame->f_gen == coro ? "the coroutine" : "?");
    printf("  %-22s f_lasti=%d f_state=%d (FRAME_CREATED)\n", "frame:", c->cr_frame->f_lasti,
           c->cr_frame->f_state);
    printf("  %-22s coroutine %zd, frame %zd, code %zd, qualname %zd\n", "refcounts:",
           Py_REFCNT(coro), Py_REFCNT(c->cr_frame), Py_REFCNT(c->cr_code), Py_REFCNT(qualname));
    printf("(not driven: running frames comes with send()/await, issue 3)\n");

    Py_DECREF(coro);
    printf("after Py_DECREF(coroutine): qualname refcount %zd\n", Py_REFCNT(qualname));
    Py_DECREF(qualname);
    return Py_FinalizeEx() < 0 ? 1 : 0;
}
