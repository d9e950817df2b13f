/*
 * structmember.h - pycoro's stand-in for CPython 3.10's <structmember.h> (hand-written).
 * PyMemberDef, the T_* member types, READONLY and PyMember_GetOne/SetOne are declared in
 * pycoro.h; this header exists so code written for CPython, which includes it, compiles.
 */
#ifndef PYCORO_STRUCTMEMBER_H
#define PYCORO_STRUCTMEMBER_H

#include "Python.h"

#endif /* PYCORO_STRUCTMEMBER_H */
