/*
 * hash_transcript.c - the same hashing and dict scenario, printed as a transcript, built twice:
 * against pycoro (its include/, linked with libpycoro) and against CPython 3.10 (its own
 * headers, linked with libpython3.10 and embedding the interpreter). capi-tests/tests/
 * hash_differential.rs runs both under the same PYTHONHASHSEED and compares the transcripts
 * line by line: hash() of str (ASCII, latin-1, BMP, astral, embedded NUL), int (small,
 * negative, huge, -1), tuples (nested), bool and None; the hash secret's 24 bytes; and a
 * dict's iteration order, PyDict_Next positions and repr after inserts, deletes, re-inserts
 * and resizes.
 *
 * Only API both have is used. Output is ASCII (ascii() of reprs).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdio.h>
#include <string.h>

static int failures;

/* Prints "label: hash(o)" (or the error) and releases o. */
static void show_hash(const char *label, PyObject *o)
{
    Py_hash_t h;
    if (o == NULL) {
        printf("%s: <creation failed>\n", label);
        PyErr_Clear();
        failures++;
        return;
    }
    h = PyObject_Hash(o);
    if (h == -1 && PyErr_Occurred()) {
        printf("%s: <error>\n", label);
        PyErr_Clear();
    } else {
        printf("%s: %lld\n", label, (long long)h);
    }
    Py_DECREF(o);
}

/* Prints "label: ascii(o)" (or the error); does not release o. */
static void show_ascii(const char *label, PyObject *o)
{
    PyObject *r = o != NULL ? PyObject_ASCII(o) : NULL;
    const char *text = r != NULL ? PyUnicode_AsUTF8(r) : NULL;
    printf("%s: %s\n", label, text != NULL ? text : "<error>");
    if (text == NULL) {
        PyErr_Clear();
        failures++;
    }
    Py_XDECREF(r);
}

static const struct {
    const char *label;
    const char *utf8;
    Py_ssize_t len; /* -1: NUL-terminated */
} strings[] = {
    {"empty", "", -1},
    {"a", "a", -1},
    {"abc", "abc", -1},
    {"7 bytes", "abcdefg", -1},
    {"8 bytes", "abcdefgh", -1},
    {"9 bytes", "abcdefghi", -1},
    {"sentence", "The quick brown fox jumps over the lazy dog", -1},
    {"embedded NUL", "a\0b", 3},
    {"latin-1 e-acute", "\xc3\xa9", -1},
    {"latin-1 cafe", "caf\xc3\xa9", -1},
    {"latin-1 y-diaeresis", "\xc3\xbf\xc3\xbf\xc3\xbf", -1},
    {"BMP A-macron", "\xc4\x80", -1},
    {"BMP euro", "\xe2\x82\xac", -1},
    {"BMP CJK", "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", -1},
    {"BMP mixed with latin-1", "\xc3\xa9\xe2\x82\xac", -1},
    {"astral emoji", "\xf0\x9f\x98\x80", -1},
    {"astral mixed", "a\xf0\x9f\x98\x80" "b\xc3\xa9\xe2\x82\xac", -1},
    {"astral max", "\xf4\x8f\xbf\xbf", -1},
};

static void hashes_of_str(void)
{
    size_t i;
    for (i = 0; i < sizeof strings / sizeof strings[0]; i++) {
        char label[96];
        PyObject *o = strings[i].len < 0
                          ? PyUnicode_FromString(strings[i].utf8)
                          : PyUnicode_FromStringAndSize(strings[i].utf8, strings[i].len);
        snprintf(label, sizeof label, "hash str %s", strings[i].label);
        show_hash(label, o);
    }
}

static void hashes_of_int(void)
{
    static const long long values[] = {
        0,
        1,
        -1,
        -2,
        2,
        100,
        -100,
        256,
        257,
        -5,
        -6,
        1LL << 31,
        (1LL << 61) - 2,
        (1LL << 61) - 1,
        1LL << 61,
        -((1LL << 61) - 1),
        -(1LL << 61),
        1LL << 62,
        0x7fffffffffffffffLL,
        -0x7fffffffffffffffLL - 1,
        1000000000000000000LL,
        -1000000000000000000LL,
    };
    size_t i;
    for (i = 0; i < sizeof values / sizeof values[0]; i++) {
        char label[64];
        snprintf(label, sizeof label, "hash int %lld", values[i]);
        show_hash(label, PyLong_FromLongLong(values[i]));
    }
    show_hash("hash int 2**63", PyLong_FromUnsignedLongLong(1ULL << 63));
    show_hash("hash int 2**64-1", PyLong_FromUnsignedLongLong(~0ULL));
    show_hash("hash int 2**64-2", PyLong_FromUnsignedLongLong(~0ULL - 1));
    show_hash("hash bool True", PyBool_FromLong(1));
    show_hash("hash bool False", PyBool_FromLong(0));
}

static void hashes_of_tuple(void)
{
    show_hash("hash tuple ()", Py_BuildValue("()"));
    show_hash("hash tuple (0,)", Py_BuildValue("(i)", 0));
    show_hash("hash tuple (-1,)", Py_BuildValue("(i)", -1));
    show_hash("hash tuple (-2,)", Py_BuildValue("(i)", -2));
    show_hash("hash tuple (1, 2)", Py_BuildValue("(ii)", 1, 2));
    show_hash("hash tuple (2, 1)", Py_BuildValue("(ii)", 2, 1));
    show_hash("hash tuple (1, (2, 3))", Py_BuildValue("(i(ii))", 1, 2, 3));
    show_hash("hash tuple ((), ())", Py_BuildValue("(()())"));
    show_hash("hash tuple (True, False)", Py_BuildValue("(OO)", Py_True, Py_False));
    show_hash("hash tuple ('a', 1, 'e-acute')", Py_BuildValue("(sis)", "a", 1, "\xc3\xa9"));
    show_hash("hash tuple nested 6", Py_BuildValue("((((((i))))))", 7));
    show_hash("hash tuple (2**64-1, -2**63)",
              Py_BuildValue("(KL)", ~0ULL, -0x7fffffffffffffffLL - 1));
    show_hash("hash tuple of str", Py_BuildValue("(sss)", "x", "\xe2\x82\xac", "\xf0\x9f\x98\x80"));
    /* An unhashable item makes the tuple unhashable. */
    show_hash("hash tuple ([],)", Py_BuildValue("([])"));
    show_hash("hash dict", PyDict_New());
    show_hash("hash list", PyList_New(0));
    /* None hashes by address (rotated right by 4), as every object without a hash. */
    {
        size_t p = (size_t)(void *)Py_None;
        size_t expected = (p >> 4) | (p << (8 * sizeof(size_t) - 4));
        printf("hash None is its rotated address: %s\n",
               (size_t)PyObject_Hash(Py_None) == expected ? "yes" : "no");
    }
}

static void secret(void)
{
    int i;
    printf("secret:");
    for (i = 0; i < 24; i++) {
        printf(" %02x", _Py_HashSecret.uc[i]);
    }
    printf("\n");
}

/* Every PyDict_Next step as "pos:key=value", then the repr and the keys. */
static void show_dict(const char *label, PyObject *d)
{
    Py_ssize_t pos = 0;
    PyObject *k, *v, *keys;
    printf("%s next:", label);
    while (PyDict_Next(d, &pos, &k, &v)) {
        PyObject *kr = PyObject_ASCII(k), *vr = PyObject_ASCII(v);
        printf(" %d:%s=%s", (int)pos, kr ? PyUnicode_AsUTF8(kr) : "?",
               vr ? PyUnicode_AsUTF8(vr) : "?");
        Py_XDECREF(kr);
        Py_XDECREF(vr);
    }
    printf("\n");
    printf("%s size: %d\n", label, (int)PyDict_Size(d));
    show_ascii(label, d);
    keys = PyDict_Keys(d);
    show_ascii("  keys", keys);
    Py_XDECREF(keys);
}

static void set_str(PyObject *d, const char *k, long v)
{
    PyObject *val = PyLong_FromLong(v);
    if (val == NULL || PyDict_SetItemString(d, k, val) < 0) {
        printf("set %s failed\n", k);
        PyErr_Clear();
        failures++;
    }
    Py_XDECREF(val);
}

static void set_obj(PyObject *d, PyObject *k, long v)
{
    PyObject *val = PyLong_FromLong(v);
    if (k == NULL || val == NULL || PyDict_SetItem(d, k, val) < 0) {
        printf("set failed\n");
        PyErr_Clear();
        failures++;
    }
    Py_XDECREF(val);
    Py_XDECREF(k);
}

static void del_obj(PyObject *d, PyObject *k)
{
    if (k == NULL || PyDict_DelItem(d, k) < 0) {
        printf("del failed\n");
        PyErr_Clear();
    }
    Py_XDECREF(k);
}

static void dict_scenario(void)
{
    PyObject *d = PyDict_New(), *c;
    long i;
    if (d == NULL) {
        failures++;
        return;
    }
    set_str(d, "x", 1);
    set_str(d, "y", 2);
    set_str(d, "z", 3);
    set_obj(d, PyLong_FromLong(1), 4);
    set_obj(d, PyLong_FromLong(2), 5);
    set_obj(d, Py_BuildValue("(ii)", 1, 2), 6);
    set_str(d, "\xc3\xa9", 7);
    set_str(d, "\xf0\x9f\x98\x80", 8);
    show_dict("dict after inserts", d);
    del_obj(d, PyUnicode_FromString("y"));
    del_obj(d, PyLong_FromLong(2));
    show_dict("dict after deletes", d);
    set_str(d, "y", 9);                 /* re-inserted: last */
    set_obj(d, PyLong_FromLong(1), 10); /* replaced: in place */
    set_obj(d, PyBool_FromLong(1), 11); /* True == 1: the same key */
    del_obj(d, PyUnicode_FromString("x"));
    set_str(d, "x", 12);
    show_dict("dict after re-inserts", d);
    for (i = 0; i < 40; i++) {
        set_obj(d, PyLong_FromLong(1000 + i), i);
    }
    for (i = 0; i < 40; i += 3) {
        del_obj(d, PyLong_FromLong(1000 + i));
    }
    show_dict("dict after growth", d);
    for (i = 0; i < 40; i++) {
        char key[16];
        snprintf(key, sizeof key, "k%ld", i);
        set_str(d, key, i);
        if (i % 2 == 0) {
            del_obj(d, PyUnicode_FromString(key));
        }
    }
    show_dict("dict after churn", d);
    c = PyDict_Copy(d);
    if (c != NULL) {
        show_dict("copy", c);
        Py_DECREF(c);
    }
    /* A sparse copy (more than a third deleted) and an update into a dict with holes. */
    for (i = 0; i < 40; i++) {
        if (i % 4 != 0) {
            del_obj(d, PyLong_FromLong(1000 + i));
        }
    }
    c = PyDict_Copy(d);
    if (c != NULL) {
        show_dict("sparse copy", c);
        Py_DECREF(c);
    }
    c = PyDict_New();
    if (c != NULL) {
        PyObject *seq = Py_BuildValue("[(si)(si)(ii)(si)]", "p", 1, "q", 2, 3, 3, "p", 4);
        set_str(c, "a", 1);
        set_str(c, "b", 2);
        set_str(c, "c", 3);
        del_obj(c, PyUnicode_FromString("a"));
        if (PyDict_Update(c, d) < 0 || seq == NULL || PyDict_MergeFromSeq2(c, seq, 0) < 0) {
            printf("update failed\n");
            PyErr_Clear();
        }
        if (PyDict_SetDefault(c, PyTuple_GET_ITEM(PyList_GET_ITEM(seq, 2), 0), Py_None) == NULL) {
            PyErr_Clear();
        }
        show_dict("update", c);
        Py_XDECREF(seq);
        Py_DECREF(c);
    }
    PyDict_Clear(d);
    set_str(d, "again", 1);
    show_dict("dict after clear", d);
    Py_DECREF(d);
}

int main(void)
{
    Py_Initialize();
    secret();
    hashes_of_str();
    hashes_of_int();
    hashes_of_tuple();
    dict_scenario();
    printf("transcript end (%d failures)\n", failures);
    return failures == 0 ? 0 : 1;
}
