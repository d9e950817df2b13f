/*
 * frameobject.h - pycoro's stand-in for CPython 3.10's <frameobject.h> (hand-written).
 * PyFrameObject and the frame functions are declared in pycoro.h; this adds 3.10's inline
 * frame-state helpers. Include <Python.h> first, as with CPython.
 */
#ifndef PYCORO_FRAMEOBJECT_H
#define PYCORO_FRAMEOBJECT_H

#include "Python.h"

static inline int _PyFrame_IsRunnable(PyFrameObject *f) { return f->f_state < FRAME_EXECUTING; }
static inline int _PyFrame_IsExecuting(PyFrameObject *f) { return f->f_state == FRAME_EXECUTING; }
static inline int _PyFrameHasCompleted(PyFrameObject *f) { return f->f_state > FRAME_EXECUTING; }

#endif /* PYCORO_FRAMEOBJECT_H */
