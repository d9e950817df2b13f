/*
 * Attributes of built-in types, on pycoro: the scenario of type_attrs.py, each type reached
 * through pycoro's exported type object and every attribute read with
 * PyObject_GetAttrString.
 */
#include "transcript.h"

#include <frameobject.h>


static const struct {
    const char *name;
    unsigned long bit;
} FLAGS[] = {
    {"HEAPTYPE", 1UL << 9},
    {"BASETYPE", 1UL << 10},
    {"HAVE_VECTORCALL", 1UL << 11},
    {"READY", 1UL << 12},
    {"HAVE_GC", 1UL << 14},
    {"METHOD_DESCRIPTOR", 1UL << 17},
    {"IS_ABSTRACT", 1UL << 20},
    {"IMMUTABLETYPE", 1UL << 8},
    {"DISALLOW_INSTANTIATION", 1UL << 7},
    {"SEQUENCE", 1UL << 5},
    {"MAPPING", 1UL << 6},
    {"LONG_SUBCLASS", 1UL << 24},
    {"LIST_SUBCLASS", 1UL << 25},
    {"TUPLE_SUBCLASS", 1UL << 26},
    {"UNICODE_SUBCLASS", 1UL << 28},
    {"DICT_SUBCLASS", 1UL << 29},
    {"BASE_EXC_SUBCLASS", 1UL << 30},
    {"TYPE_SUBCLASS", 1UL << 31},
};

/* [name for name, bit in FLAGS if T.__flags__ & bit] */
static PyObject *flags(PyObject *T)
{
    PyObject *f = attr(T, "__flags__"), *list;
    unsigned long v;
    size_t i;
    if (f == NULL) {
        return NULL;
    }
    v = PyLong_AsUnsignedLong(f);
    Py_DECREF(f);
    if (PyErr_Occurred()) {
        return NULL;
    }
    list = PyList_New(0);
    for (i = 0; list != NULL && i < sizeof FLAGS / sizeof FLAGS[0]; i++) {
        if (v & FLAGS[i].bit) {
            PyObject *name = str(FLAGS[i].name);
            int rc = PyList_Append(list, name);
            Py_DECREF(name);
            if (rc < 0) {
                Py_CLEAR(list);
            }
        }
    }
    return list;
}

static void describe(const char *label, PyObject *T)
{
    PyObject *d;
    say("== %s", label);
    show("__name__", attr(T, "__name__"));
    show("__qualname__", attr(T, "__qualname__"));
    show("__module__", attr(T, "__module__"));
    show("__mro__", attr(T, "__mro__"));
    show("mro()", call_attr(T, "mro", "()"));
    show("__bases__", attr(T, "__bases__"));
    show("__base__", attr(T, "__base__"));
    show("__basicsize__", attr(T, "__basicsize__"));
    show("__itemsize__", attr(T, "__itemsize__"));
    show("__dictoffset__", attr(T, "__dictoffset__"));
    show("__weakrefoffset__", attr(T, "__weakrefoffset__"));
    show("__flags__", flags(T));
    show("__doc__", attr(T, "__doc__"));
    show("__text_signature__", attr(T, "__text_signature__"));
    show("__abstractmethods__", attr(T, "__abstractmethods__"));
    d = attr(T, "__dict__");
    show("sorted(__dict__)", d ? sorted_list(d) : NULL);
    Py_XDECREF(d);
    show("type(T)", PyObject_Type(T));
    show("repr", Py_NewRef(T));
}

#define T(o) ((PyObject *)(o))

int main(void)
{
    const struct {
        const char *label;
        PyObject *type;
    } types[] = {
        {"object", T(&PyBaseObject_Type)},
        {"type", T(&PyType_Type)},
        {"int", T(&PyLong_Type)},
        {"bool", T(&PyBool_Type)},
        {"str", T(&PyUnicode_Type)},
        {"tuple", T(&PyTuple_Type)},
        {"list", T(&PyList_Type)},
        {"dict", T(&PyDict_Type)},
        {"NoneType", T(Py_TYPE(Py_None))},
        {"NotImplementedType", T(Py_TYPE(Py_NotImplemented))},
        {"generator", T(&PyGen_Type)},
        {"coroutine", T(&PyCoro_Type)},
        {"async_generator", T(&PyAsyncGen_Type)},
        {"coroutine_wrapper", T(&_PyCoroWrapper_Type)},
        {"async_generator_asend", T(&_PyAsyncGenASend_Type)},
        {"async_generator_athrow", T(&_PyAsyncGenAThrow_Type)},
        {"code", T(&PyCode_Type)},
        {"frame", T(&PyFrame_Type)},
        {"traceback", T(&PyTraceBack_Type)},
        {"builtin_function_or_method", T(&PyCFunction_Type)},
        {"method_descriptor", T(&PyMethodDescr_Type)},
        {"classmethod_descriptor", T(&PyClassMethodDescr_Type)},
        {"wrapper_descriptor", T(&PyWrapperDescr_Type)},
        {"method-wrapper", T(&_PyMethodWrapper_Type)},
        {"member_descriptor", T(&PyMemberDescr_Type)},
        {"getset_descriptor", T(&PyGetSetDescr_Type)},
        {"mappingproxy", T(&PyDictProxy_Type)},
        {"staticmethod", T(&PyStaticMethod_Type)},
        {"BaseException", PyExc_BaseException},
        {"Exception", PyExc_Exception},
        {"TypeError", PyExc_TypeError},
        {"StopIteration", PyExc_StopIteration},
        {"StopAsyncIteration", PyExc_StopAsyncIteration},
        {"GeneratorExit", PyExc_GeneratorExit},
        {"KeyError", PyExc_KeyError},
        {"OSError", PyExc_OSError},
        {"UnicodeDecodeError", PyExc_UnicodeDecodeError},
        {"RecursionError", PyExc_RecursionError},
        {"ResourceWarning", PyExc_ResourceWarning},
    };
    size_t i;
    Py_Initialize();
    for (i = 0; i < sizeof types / sizeof types[0]; i++) {
        describe(types[i].label, types[i].type);
    }
    return 0;
}
