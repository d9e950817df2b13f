/*
 * api_str.c - str seen from C: its sequence/mapping protocols, iteration, % formatting,
 * str.format and format specs, every method, the exported PyUnicode_* operations with good and
 * bad (non-NULL) arguments, and a sweep of the Unicode database through the case mappings and
 * character classes. Uses CPython 3.10's API only: tests/api_differential.rs builds it against
 * CPython (embedded) and against pycoro and compares the transcripts line by line.
 */
#include <Python.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void show(const char *what, PyObject *o)
{
    if (o == NULL) {
        PyObject *t, *v, *tb;
        PyErr_Fetch(&t, &v, &tb);
        PyObject *s = v ? PyObject_Str(v) : NULL;
        printf("%s -> !%s: %s\n", what, t ? ((PyTypeObject *)t)->tp_name : "?",
               s ? PyUnicode_AsUTF8(s) : "");
        Py_XDECREF(s);
        Py_XDECREF(t);
        Py_XDECREF(v);
        Py_XDECREF(tb);
        return;
    }
    PyObject *r = PyObject_Repr(o);
    printf("%s -> %s\n", what, r ? PyUnicode_AsUTF8(r) : "<repr failed>");
    if (r == NULL) {
        PyErr_Clear();
    }
    Py_XDECREF(r);
    Py_DECREF(o);
}

/* An int result: the value, or the pending exception. */
static void show_n(const char *what, Py_ssize_t n, Py_ssize_t err)
{
    if (n == err && PyErr_Occurred()) {
        show(what, NULL);
        return;
    }
    printf("%s -> %zd\n", what, n);
}

static PyObject *S(const char *s)
{
    return PyUnicode_FromString(s);
}

/* The sequence slots, called directly (pycoro has no PySequence_GetItem & co. yet). */
static PyObject *sq_item(PyObject *o, Py_ssize_t i)
{
    return Py_TYPE(o)->tp_as_sequence->sq_item(o, i);
}

static PyObject *sq_repeat(PyObject *o, Py_ssize_t n)
{
    return Py_TYPE(o)->tp_as_sequence->sq_repeat(o, n);
}

static PyObject *sq_concat(PyObject *a, PyObject *b)
{
    return Py_TYPE(a)->tp_as_sequence->sq_concat(a, b);
}

/* list(o) through iteration. */
static PyObject *listed(PyObject *o)
{
    PyObject *it = PyObject_GetIter(o), *l = PyList_New(0), *x;
    while ((x = PyIter_Next(it)) != NULL) {
        PyList_Append(l, x);
        Py_DECREF(x);
    }
    Py_DECREF(it);
    return l;
}

/* A value too large for a Py_ssize_t. */
static PyObject *huge(void)
{
    return PyLong_FromUnsignedLongLong(~0ULL);
}

/* Calls self.meth(*args, **kw), args built by Py_BuildValue, kw a new reference (taken) or
   NULL, and shows the call and its result. */
static void call(const char *self, const char *meth, PyObject *kw, const char *argfmt, ...)
{
    va_list va;
    va_start(va, argfmt);
    PyObject *o = S(self);
    PyObject *args = Py_VaBuildValue(argfmt, va);
    va_end(va);
    PyObject *f = PyObject_GetAttrString(o, meth);
    PyObject *ro = PyObject_Repr(o), *ra = PyObject_Repr(args);
    PyObject *rk = kw ? PyObject_Repr(kw) : NULL;
    char what[600];
    snprintf(what, sizeof what, "%s.%s%s%s%s", PyUnicode_AsUTF8(ro), meth, PyUnicode_AsUTF8(ra),
             rk ? " **" : "", rk ? PyUnicode_AsUTF8(rk) : "");
    show(what, f ? PyObject_Call(f, args, kw) : NULL);
    Py_XDECREF(f);
    Py_DECREF(ro);
    Py_DECREF(ra);
    Py_XDECREF(rk);
    Py_DECREF(o);
    Py_DECREF(args);
    Py_XDECREF(kw);
}

/* format % args, args built by Py_BuildValue. */
static void pct(const char *format, const char *argfmt, ...)
{
    va_list va;
    va_start(va, argfmt);
    PyObject *args = Py_VaBuildValue(argfmt, va);
    va_end(va);
    PyObject *f = S(format);
    PyObject *ra = PyObject_Repr(args);
    char what[600];
    snprintf(what, sizeof what, "%s %% %s", format, PyUnicode_AsUTF8(ra));
    show(what, PyUnicode_Format(f, args));
    Py_DECREF(ra);
    Py_DECREF(f);
    Py_DECREF(args);
}

static void protocols(void)
{
    PyObject *s = S("h\xc3\xa9llo \xe2\x82\xac\xf0\x9f\x98\x80");
    PyObject *i;
    show("len", PyLong_FromSsize_t(PyObject_Length(s)));
    show("seq item 1", sq_item(s, 1));
    show("seq item -1", sq_item(s, -1));
    show("seq item 99", sq_item(s, 99));
    i = PyLong_FromLong(-2);
    show("getitem -2", PyObject_GetItem(s, i));
    Py_DECREF(i);
    i = PyLong_FromLong(7);
    show("getitem 7", PyObject_GetItem(s, i));
    Py_DECREF(i);
    i = PyLong_FromLong(8);
    show("getitem 8", PyObject_GetItem(s, i));
    Py_DECREF(i);
    i = huge();
    show("getitem 2**64-1", PyObject_GetItem(s, i));
    Py_DECREF(i);
    i = S("a");
    show("getitem 'a'", PyObject_GetItem(s, i));
    show("'a' in s", PyLong_FromLong(PySequence_Contains(s, i)));
    Py_DECREF(i);
    i = S("\xe2\x82\xac\xf0\x9f\x98\x80");
    show("'euro smiley' in s", PyLong_FromLong(PySequence_Contains(s, i)));
    Py_DECREF(i);
    i = PyLong_FromLong(1);
    show("1 in s", PyLong_FromLong(PySequence_Contains(s, i)));
    Py_DECREF(i);
    show("s * 2", sq_repeat(s, 2));
    show("s * 0", sq_repeat(s, 0));
    show("s * -3", sq_repeat(s, -3));
    show("s * huge", sq_repeat(s, PY_SSIZE_T_MAX / 4));
    show("s + s", sq_concat(s, s));
    show("list(iter(s))", listed(s));
    PyObject *it = PyObject_GetIter(s);
    printf("iter type -> %s\n", Py_TYPE(it)->tp_name);
    show("length_hint", PyObject_CallMethod(it, "__length_hint__", NULL));
    show("next", PyIter_Next(it));
    show("length_hint", PyObject_CallMethod(it, "__length_hint__", NULL));
    show("setstate 5", PyObject_CallMethod(it, "__setstate__", "i", 5));
    show("next", PyIter_Next(it));
    show("setstate -5", PyObject_CallMethod(it, "__setstate__", "i", -5));
    show("next", PyIter_Next(it));
    show("setstate 'x'", PyObject_CallMethod(it, "__setstate__", "s", "x"));
    show("setstate 99", PyObject_CallMethod(it, "__setstate__", "i", 99));
    PyObject *n = PyIter_Next(it);
    printf("next at end -> %s, error %d\n", n ? "item" : "NULL", PyErr_Occurred() != NULL);
    show("length_hint", PyObject_CallMethod(it, "__length_hint__", NULL));
    Py_DECREF(it);
    /* Slot wrappers. */
    show("s.__len__()", PyObject_CallMethod(s, "__len__", NULL));
    show("s.__getitem__(0)", PyObject_CallMethod(s, "__getitem__", "i", 0));
    show("s.__add__('!')", PyObject_CallMethod(s, "__add__", "s", "!"));
    show("s.__add__(1)", PyObject_CallMethod(s, "__add__", "i", 1));
    show("s.__mul__(2)", PyObject_CallMethod(s, "__mul__", "i", 2));
    show("s.__rmul__(2)", PyObject_CallMethod(s, "__rmul__", "i", 2));
    show("s.__mul__('x')", PyObject_CallMethod(s, "__mul__", "s", "x"));
    show("s.__contains__('l')", PyObject_CallMethod(s, "__contains__", "s", "l"));
    show("s.__contains__(None)", PyObject_CallMethod(s, "__contains__", "O", Py_None));
    PyObject *f = S("%s!");
    show("'%s!'.__mod__(5)", PyObject_CallMethod(f, "__mod__", "i", 5));
    show("'%s!'.__rmod__(5)", PyObject_CallMethod(f, "__rmod__", "i", 5));
    Py_DECREF(f);
    show("s.__lt__('z')", PyObject_CallMethod(s, "__lt__", "s", "z"));
    show("s.__eq__(1)", PyObject_CallMethod(s, "__eq__", "i", 1));
    show("s.__getnewargs__()", PyObject_CallMethod(s, "__getnewargs__", NULL));
    show("s.__format__('>12')", PyObject_CallMethod(s, "__format__", "s", ">12"));
    show("s.__format__(1)", PyObject_CallMethod(s, "__format__", "i", 1));
    /* __sizeof__ counts the UTF-8 form once it exists (pycoro's strings always carry it). */
    (void)PyUnicode_AsUTF8(s);
    show("s.__sizeof__()", PyObject_CallMethod(s, "__sizeof__", NULL));
    PyObject *abc = S("abc");
    show("'abc'.__sizeof__()", PyObject_CallMethod(abc, "__sizeof__", NULL));
    Py_DECREF(abc);
    Py_DECREF(s);
}

static void exported(void)
{
    PyObject *a = S("abcabc"), *b = S("bc"), *e = S(""), *one = PyLong_FromLong(1);
    PyObject *x = S("x"), *ws = S("  a b\t c\n"), *lines = S("a\nb\r\nc\rd\x0b" "e\x1c" "f");
    PyObject *lst, *tup;

    show("Concat", PyUnicode_Concat(a, b));
    show("Concat('', b)", PyUnicode_Concat(e, b));
    show("Concat(1, b)", PyUnicode_Concat(one, b));
    show("Concat(a, 1)", PyUnicode_Concat(a, one));
    show_n("Contains", PyUnicode_Contains(a, b), -1);
    show_n("Contains ''", PyUnicode_Contains(a, e), -1);
    show_n("Contains(1, b)", PyUnicode_Contains(one, b), -1);
    show_n("Contains(a, 1)", PyUnicode_Contains(a, one), -1);
    show("RichCompare <", PyUnicode_RichCompare(a, b, Py_LT));
    show("RichCompare ==", PyUnicode_RichCompare(a, a, Py_EQ));
    show("RichCompare >=", PyUnicode_RichCompare(b, a, Py_GE));
    show("RichCompare (a, 1)", PyUnicode_RichCompare(a, one, Py_EQ));
    show("RichCompare (1, a)", PyUnicode_RichCompare(one, a, Py_NE));

    lst = Py_BuildValue("[sss]", "x", "y", "z");
    show("Join", PyUnicode_Join(b, lst));
    show("Join NULL sep", PyUnicode_Join(NULL, lst));
    show("Join sep 1", PyUnicode_Join(one, lst));
    Py_DECREF(lst);
    lst = Py_BuildValue("[s]", "only");
    show("Join one item, sep 1", PyUnicode_Join(one, lst));
    Py_DECREF(lst);
    lst = Py_BuildValue("[]");
    show("Join empty", PyUnicode_Join(b, lst));
    Py_DECREF(lst);
    lst = Py_BuildValue("(sis)", "x", 2, "z");
    show("Join bad item", PyUnicode_Join(b, lst));
    Py_DECREF(lst);
    show("Join str", PyUnicode_Join(b, x));
    show("Join 1", PyUnicode_Join(b, one));
    tup = Py_BuildValue("[sss]", "a", "b", "c");
    PyObject *it = PyObject_GetIter(tup);
    show("Join list iterator", PyUnicode_Join(e, it));
    Py_DECREF(it);
    Py_DECREF(tup);

    show("Split ws", PyUnicode_Split(ws, NULL, -1));
    show("Split ws 1", PyUnicode_Split(ws, NULL, 1));
    show("Split 'bc'", PyUnicode_Split(a, b, -1));
    show("Split 'bc' 1", PyUnicode_Split(a, b, 1));
    show("Split ''", PyUnicode_Split(a, e, -1));
    show("Split None", PyUnicode_Split(a, Py_None, -1));
    show("Split 1", PyUnicode_Split(one, NULL, -1));
    show("RSplit ws 1", PyUnicode_RSplit(ws, NULL, 1));
    show("RSplit 'bc' 1", PyUnicode_RSplit(a, b, 1));
    show("RSplit 1", PyUnicode_RSplit(a, one, 1));
    show("Splitlines", PyUnicode_Splitlines(lines, 0));
    show("Splitlines keep", PyUnicode_Splitlines(lines, 1));
    show("Splitlines 1", PyUnicode_Splitlines(one, 1));
    show("Partition", PyUnicode_Partition(a, b));
    show("Partition miss", PyUnicode_Partition(a, x));
    show("Partition ''", PyUnicode_Partition(a, e));
    show("Partition 1", PyUnicode_Partition(a, one));
    show("RPartition", PyUnicode_RPartition(a, b));
    show("RPartition miss", PyUnicode_RPartition(a, x));
    show("RPartition 1", PyUnicode_RPartition(one, b));

    show_n("Count", PyUnicode_Count(a, b, 0, PY_SSIZE_T_MAX), -1);
    show_n("Count 2..", PyUnicode_Count(a, b, 2, PY_SSIZE_T_MAX), -1);
    show_n("Count ''", PyUnicode_Count(a, e, 0, PY_SSIZE_T_MAX), -1);
    show_n("Count '' -2..", PyUnicode_Count(a, e, -2, 100), -1);
    show_n("Count '' 7..", PyUnicode_Count(a, e, 7, 100), -1);
    show_n("Count 1", PyUnicode_Count(a, one, 0, 5), -1);
    show_n("Find", PyUnicode_Find(a, b, 0, PY_SSIZE_T_MAX, 1), -2);
    show_n("Find back", PyUnicode_Find(a, b, 0, PY_SSIZE_T_MAX, -1), -2);
    show_n("Find 2..4", PyUnicode_Find(a, b, 2, 4, 1), -2);
    show_n("Find -3..", PyUnicode_Find(a, b, -3, PY_SSIZE_T_MAX, 1), -2);
    show_n("Find '' 6", PyUnicode_Find(a, e, 6, 10, 1), -2);
    show_n("Find '' 7", PyUnicode_Find(a, e, 7, 10, 1), -2);
    show_n("Find miss", PyUnicode_Find(a, x, 0, 10, 1), -2);
    show_n("Find 1", PyUnicode_Find(one, x, 0, 10, 1), -2);
    show_n("Find (a, 1)", PyUnicode_Find(a, one, 0, 10, 1), -2);
    show_n("FindChar", PyUnicode_FindChar(a, 'c', 0, 10, 1), -2);
    show_n("FindChar back", PyUnicode_FindChar(a, 'c', 0, 10, -1), -2);
    show_n("FindChar miss", PyUnicode_FindChar(a, 'z', 0, 10, 1), -2);
    show_n("FindChar 1..2", PyUnicode_FindChar(a, 'c', 1, 2, 1), -2);
    show_n("Tailmatch start", PyUnicode_Tailmatch(a, b, 1, 10, -1), -1);
    show_n("Tailmatch end", PyUnicode_Tailmatch(a, b, 0, 10, 1), -1);
    show_n("Tailmatch end ..5", PyUnicode_Tailmatch(a, b, 0, 5, 1), -1);
    show_n("Tailmatch '' 6", PyUnicode_Tailmatch(a, e, 6, 10, 1), -1);
    show_n("Tailmatch '' 7", PyUnicode_Tailmatch(a, e, 7, 10, 1), -1);
    show_n("Tailmatch 1", PyUnicode_Tailmatch(a, one, 0, 10, 1), -1);
    show("Replace", PyUnicode_Replace(a, b, x, -1));
    show("Replace 1", PyUnicode_Replace(a, b, x, 1));
    show("Replace 0", PyUnicode_Replace(a, b, x, 0));
    show("Replace ''", PyUnicode_Replace(a, e, x, -1));
    show("Replace '' 3", PyUnicode_Replace(a, e, x, 3));
    show("Replace miss", PyUnicode_Replace(a, x, b, -1));
    show("Replace bad", PyUnicode_Replace(a, b, one, -1));
    show("Replace bad self", PyUnicode_Replace(one, b, x, -1));
    PyObject *f = S("%s-%d"), *fa = Py_BuildValue("(si)", "a", 5);
    show("Format", PyUnicode_Format(f, fa));
    {
        const char *ids[] = {"a1", "1a", "", "_x", "\xc3\xa9t\xc3\xa9", "a b", "x\xcc\x81",
                             "\xe2\x85\xa0", "\xc2\xb2", "def", NULL};
        for (const char **p = ids; *p; p++) {
            PyObject *id = S(*p);
            char what[100];
            snprintf(what, sizeof what, "IsIdentifier(%s)", *p);
            show_n(what, PyUnicode_IsIdentifier(id), -1);
            Py_DECREF(id);
        }
    }
    Py_DECREF(f);
    Py_DECREF(fa);
    show("Format 1", PyUnicode_Format(one, x));
    Py_DECREF(a);
    Py_DECREF(b);
    Py_DECREF(e);
    Py_DECREF(one);
    Py_DECREF(x);
    Py_DECREF(ws);
    Py_DECREF(lines);
}

static void percent(void)
{
    pct("%s %d", "(si)", "a", 1);
    pct("%s", "()");
    pct("%s %s", "(s)", "a");
    pct("%s", "(ss)", "a", "b");
    pct("%s", "((ii))", 1, 2);
    pct("%d", "(s)", "a");
    pct("%i", "(s)", "a");
    pct("%x", "(s)", "a");
    pct("%c", "(s)", "ab");
    pct("%c", "(i)", -1);
    pct("%c", "(i)", 0x110000);
    pct("%c", "(i)", 0x20ac);
    pct("%5c|", "(i)", 97);
    pct("%05c", "(s)", "a");
    pct("%c", "(O)", Py_None);
    pct("%q", "(i)", 1);
    pct("%\x01", "(i)", 1);
    pct("%", "()");
    pct("%-", "()");
    pct("%5", "(i)", 1);
    pct("%.", "(i)", 1);
    pct("%(a)s", "i", 1);
    pct("%(a", "{}");
    pct("%(a)s", "{s:i}", "a", 1);
    pct("%(a)s %(b)r", "{s:i,s:s}", "a", 1, "b", "x");
    pct("%(a)s %s", "{s:i}", "a", 1);
    pct("%s %(a)s", "{s:i}", "a", 1);
    pct("%(a)*d", "{s:i}", "a", 1);
    pct("%(missing)s", "{s:i}", "a", 1);
    pct("%(a(b))s", "{s:i}", "a(b)", 7);
    pct("%*d", "(si)", "a", 1);
    pct("%.*d", "(si)", "a", 1);
    pct("%*d|", "(ii)", -5, 1);
    pct("%*.*d|", "(iii)", 6, 3, 7);
    pct("%-5d|", "(i)", 1);
    pct("%05d", "(i)", -1);
    pct("%+5d", "(i)", 1);
    pct("% d", "(i)", 1);
    pct("%+ d", "(i)", 1);
    pct("%#o", "(i)", 8);
    pct("%#x", "(i)", 255);
    pct("%#X", "(i)", 255);
    pct("%x %X %o", "(iii)", -255, -255, -8);
    pct("%#x %#o", "(ii)", -255, -8);
    pct("%.3d", "(i)", 5);
    pct("%5.3d", "(i)", -5);
    pct("%-#8.3x|", "(i)", 5);
    pct("%05.3d", "(i)", 5);
    pct("%-05d|", "(i)", 5);
    pct("%.0d", "(i)", 0);
    pct("%ld %hi %Lu", "(iii)", 1, 2, 3);
    pct("%%", "()");
    pct("%5%", "()");
    pct("%5%", "(i)", 1);
    pct("%s", "([i])", 1);
    pct("%s", "N", Py_BuildValue("[i]", 1));
    pct("%(a)s", "N", Py_BuildValue("[i]", 1));
    pct("abc", "()");
    pct("abc", "i", 5);
    pct("abc", "{}");
    pct("abc", "N", Py_BuildValue("[i]", 1));
    pct("abc", "s", "x");
    pct("%s", "s", "x");
    pct("%5.2s|", "(s)", "abcdef");
    pct("%-6r|", "(s)", "ab");
    pct("%r %a %s", "(sss)", "\xc3\xa9", "\xc3\xa9", "\xc3\xa9");
    pct("%.1a", "(s)", "\xc3\xa9");
    pct("%05s|%+s|%#s", "(sss)", "a", "b", "c");
    pct("%i %u", "(ii)", 3, 4);
    pct("%d", "(O)", Py_True);
    pct("%x", "(O)", Py_False);
    pct("%d", "(L)", (long long)-9007199254740993LL);
    pct("%f %e %g", "(iii)", 1, 12345, 123456789);
    pct("%.2f|%10.3e|%-8g|%G", "(iiii)", 7, -12345, 1234, 10000000);
    pct("%#.0f %#.0e %#g %+08.2f", "(iiii)", 3, 3, 3, -3);
    pct("%f", "(s)", "x");
    pct("%10000000000000000000000d", "(i)", 1);
    pct("%.10000000000000000000000d", "(i)", 1);
    pct("%.2147483648d", "(i)", 1);
    pct("%s", "{s:i}", "a", 1);
    pct("\xc3\xa9%s\xe2\x82\xac", "(s)", "\xf0\x9f\x98\x80");
    pct("\xc3\xa9%q", "(i)", 1);
}

static void format_method(void)
{
    call("{} {}", "format", NULL, "(is)", 1, "a");
    call("{}", "format", NULL, "()");
    call("{0}{}", "format", NULL, "(ii)", 1, 2);
    call("{}{0}", "format", NULL, "(ii)", 1, 2);
    call("{1}{}", "format", NULL, "(ii)", 1, 2);
    call("{", "format", NULL, "()");
    call("}", "format", NULL, "()");
    call("x{", "format", NULL, "()");
    call("x}y", "format", NULL, "()");
    call("}}", "format", NULL, "()");
    call("{}}", "format", NULL, "(i)", 1);
    call("{{}", "format", NULL, "()");
    call("{0:}}", "format", NULL, "(i)", 1);
    call("a{{b}}c", "format", NULL, "()");
    call("{!x}", "format", NULL, "(i)", 1);
    call("{!\x01}", "format", NULL, "(i)", 1);
    call("{!}", "format", NULL, "(s)", "x");
    call("{0!}", "format", NULL, "(i)", 1);
    call("{0!rr}", "format", NULL, "(i)", 1);
    call("{0!", "format", NULL, "(i)", 1);
    call("{0:", "format", NULL, "(i)", 1);
    call("{0!r", "format", NULL, "(i)", 1);
    call("{0!r}", "format", NULL, "(s)", "x");
    call("{!r:>8}", "format", NULL, "(s)", "a");
    call("{0!a}", "format", NULL, "(s)", "\xc3\xa9");
    call("{0!s:{1}}", "format", NULL, "(si)", "a", 3);
    call("{:{}}", "format", NULL, "(si)", "a", 3);
    call("{:{}}", "format", NULL, "(ss)", "a", "x");
    call("{0:{1}{2}}", "format", NULL, "(isi)", 3, "<", 5);
    call("{0:{1:{2}}}", "format", NULL, "(iii)", 3, 4, 5);
    call("{0:{1}}", "format", NULL, "(ss)", "a", "{");
    call("{x}", "format", NULL, "(i)", 1);
    call("{a}", "format", Py_BuildValue("{s:i}", "a", 5), "()");
    call("{a}{0}", "format", Py_BuildValue("{s:i}", "a", 5), "(i)", 7);
    call("{0}{a}", "format", Py_BuildValue("{s:i}", "a", 5), "(i)", 7);
    call("{a!r:}", "format", Py_BuildValue("{s:s}", "a", "x"), "()");
    call("{0}{0}", "format", NULL, "(i)", 7);
    call("{00}", "format", NULL, "(i)", 1);
    call("{\xd9\xa1}", "format", NULL, "(ii)", 1, 2);
    call("{-1}", "format", NULL, "(i)", 1);
    call("{0x}", "format", NULL, "(i)", 1);
    call("{0 }", "format", NULL, "(i)", 1);
    call("{ }", "format", NULL, "(i)", 1);
    call("{0]}", "format", NULL, "()");
    call("{0[}", "format", NULL, "()");
    call("{a.b[}", "format", NULL, "()");
    call("{0[a}", "format", NULL, "(s)", "ab");
    call("{a{b}", "format", NULL, "()");
    call("{0.}", "format", NULL, "(i)", 1);
    call("{0..real}", "format", NULL, "(i)", 1);
    call("{0[]}", "format", NULL, "(N)", Py_BuildValue("{s:i}", "", 1));
    call("{0.real}", "format", NULL, "(i)", 5);
    call("{.real}", "format", NULL, "(i)", 3);
    call("{0.x}", "format", NULL, "(i)", 1);
    call("{0[x]}", "format", NULL, "(i)", 1);
    call("{0[0]}", "format", NULL, "(s)", "ab");
    call("{[1]}", "format", NULL, "(s)", "ab");
    call("{0[9]}", "format", NULL, "(s)", "ab");
    call("{0[1]}", "format", NULL, "([ii])", 1, 2);
    call("{0[0][1]}", "format", NULL, "([s])", "ab");
    call("{0[a]}", "format", NULL, "({s:i})", "a", 5);
    call("{0[-1]}", "format", NULL, "({s:i})", "-1", 5);
    call("{0[0]x}", "format", NULL, "([i])", 1);
    call("{0[0].x}", "format", NULL, "([i])", 1);
    call("{}", "format", NULL, "(O)", Py_None);
    call("{:s}", "format", NULL, "(O)", Py_None);
    call("{!s:>5}", "format", NULL, "(O)", Py_None);
    call("{}", "format", NULL, "(O)", Py_True);
    call("{:d} {:5} {:x} {:>3}", "format", NULL, "(OOOO)", Py_True, Py_True, Py_True, Py_False);
    call("{:s}", "format", NULL, "(O)", Py_True);
    call("{a}", "format_map", NULL, "({s:i})", "a", 1);
    call("{a}", "format_map", NULL, "({})");
    call("{a}", "format_map", NULL, "(i)", 1);
    call("abc", "format_map", NULL, "(i)", 1);
    call("{}", "format_map", NULL, "({})");
    call("{0}", "format_map", NULL, "({})");
    call("{a[0]}", "format_map", NULL, "({s:[s]})", "a", "z");
    call("{}", "format_map", NULL, "()");
}

static void specs(void)
{
    const char *str_specs[] = {"", "5", "<5", ">5", "^5", "^6", "*^7", "x<4", ".1", "7.2", "05",
                               "=5", "+", "-", " ", "#", ",", "_", "s", "x", "d", "%", "\x01",
                               ".", ".99999999999999999999", "99999999999999999999", "xx",
                               "\xd9\xa3", "\xe2\x82\xac^9", NULL};
    const char *int_specs[] = {"", "5", "<5", "^6", "x<+8", "^+8", "=8", "0=5", "05", "<05",
                               ">05", "010,", "08,", "07,", "06,", "09_", ",", "_", "+,",
                               " ", "-", "#b", "#o", "#x", "#X", "b", "o", "x", "X", "_b",
                               "#010_x", ",x", "_d", "c", "+c", "#c", ",c", "5c", "n", ",n",
                               "d", "s", ".1", "_,", ",_", "=", "f", ".2f", "08.3f", ",.2f",
                               "e", "E", ".0e", "g", ".2g", "#g", "G", "%", ".3%", "#.0f",
                               "+e", "x", "\xd9\xa5", NULL};
    long long ints[] = {0, 5, -5, 1234, -1234567, 255, 1000000000, 0x12345, 65, 123456789,
                        10000000, -1, 0x110000};
    PyObject *s = S("ab\xc3\xa9");
    for (const char **p = str_specs; *p; p++) {
        char what[300];
        snprintf(what, sizeof what, "format('ab\xc3\xa9', %s)", *p);
        PyObject *spec = S(*p);
        show(what, PyObject_CallMethod(s, "__format__", "O", spec));
        Py_DECREF(spec);
    }
    Py_DECREF(s);
    for (const char **p = int_specs; *p; p++) {
        PyObject *spec = S(*p);
        PyObject *fmt = PyUnicode_FromFormat("{:%s}", *p);
        for (size_t k = 0; k < sizeof ints / sizeof ints[0]; k++) {
            char what[300];
            snprintf(what, sizeof what, "'{:%s}'.format(%lld)", *p, ints[k]);
            PyObject *v = PyLong_FromLongLong(ints[k]);
            show(what, PyObject_CallMethod(fmt, "format", "O", v));
            Py_DECREF(v);
        }
        Py_DECREF(fmt);
        Py_DECREF(spec);
    }
}

static void methods(void)
{
    call("abc", "center", NULL, "()");
    call("abc", "center", NULL, "(iii)", 1, 2, 3);
    call("abc", "center", NULL, "(ii)", 5, 1);
    call("abc", "center", NULL, "(is)", 5, "ab");
    call("abc", "center", NULL, "(s)", "a");
    call("abc", "center", NULL, "(L)", 1LL << 62);
    call("abc", "center", NULL, "(N)", huge());
    call("abc", "center", NULL, "(is)", 8, "*");
    call("abc", "center", NULL, "(is)", 6, "*");
    call("abcd", "center", NULL, "(is)", 7, "*");
    call("abc", "center", NULL, "(is)", 7, "\xe2\x82\xac");
    call("abc", "center", NULL, "(i)", 2);
    call("abc", "ljust", NULL, "(is)", 6, "-");
    call("abc", "ljust", NULL, "()");
    call("abc", "rjust", NULL, "(i)", 6);
    call("abc", "rjust", NULL, "(i)", -1);
    call("abc", "zfill", NULL, "(i)", 6);
    call("-5", "zfill", NULL, "(i)", 4);
    call("+5", "zfill", NULL, "(i)", 4);
    call("", "zfill", NULL, "(i)", 3);
    call("abc", "zfill", NULL, "(s)", "a");
    call("abc", "zfill", NULL, "()");
    call("abcabc", "replace", NULL, "(s)", "a");
    call("abcabc", "replace", NULL, "(si)", "a", 1);
    call("abcabc", "replace", NULL, "(is)", 1, "a");
    call("abcabc", "replace", NULL, "(sss)", "a", "b", "c");
    call("abcabc", "replace", NULL, "(ss)", "b", "XY");
    call("abcabc", "replace", NULL, "(ssi)", "b", "", 1);
    call("abc", "replace", NULL, "(ss)", "", "-");
    call("abc", "replace", NULL, "(ssi)", "", "-", 2);
    call("", "replace", NULL, "(ss)", "", "-");
    call("aaa", "replace", NULL, "(ss)", "aa", "b");
    call("h\xc3\xa9h\xc3\xa9", "replace", NULL, "(ss)", "\xc3\xa9", "\xf0\x9f\x98\x80");
    call(" a  b ", "split", NULL, "()");
    call(" a  b ", "split", NULL, "(Oi)", Py_None, 1);
    call(" a  b ", "split", NULL, "(Oi)", Py_None, 0);
    call(" a  b ", "rsplit", NULL, "(Oi)", Py_None, 1);
    call(" a  b ", "rsplit", NULL, "(Oi)", Py_None, 0);
    call("a,b,,c", "split", NULL, "(si)", ",", 2);
    call("a,b,,c", "rsplit", NULL, "(si)", ",", 2);
    call("aaa", "rsplit", NULL, "(s)", "aa");
    call("aaa", "split", NULL, "(s)", "aa");
    call("ab", "split", NULL, "(si)", " ", -5);
    call("abc", "split", NULL, "(i)", 1);
    call("abc", "split", NULL, "(s)", "");
    call("abc", "split", Py_BuildValue("{s:i}", "x", 1), "()");
    call("abc", "split", NULL, "(Os)", Py_None, "a");
    call("abc", "split", NULL, "(sii)", "b", 1, 2);
    call("a b c", "split", Py_BuildValue("{s:i}", "maxsplit", 1), "()");
    call("a-b-c", "rsplit", Py_BuildValue("{s:s,s:i}", "sep", "-", "maxsplit", 1), "()");
    call("a b c", "split", Py_BuildValue("{s:s}", "sep", " "), "(s)", " ");
    call("\x1c" "a\xe2\x80\x83" "b\xc2\x85", "split", NULL, "()");
    call("a\r\nb\rc\nd\x0b" "e\x1c" "f\xe2\x80\xa8" "g\xc2\x85", "splitlines", NULL, "(O)", Py_True);
    call("a\r\nb\n\n", "splitlines", NULL, "()");
    call("abc", "splitlines", NULL, "(s)", "a");
    call("abc", "splitlines", Py_BuildValue("{s:i}", "keepends", 1), "()");
    call("abc", "splitlines", Py_BuildValue("{s:i}", "keep", 1), "()");
    call("abc", "find", NULL, "()");
    call("abc", "find", NULL, "(i)", 1);
    call("abc", "find", NULL, "(ss)", "a", "x");
    call("abc", "find", NULL, "(sOO)", "a", Py_None, Py_None);
    call("abc", "find", NULL, "(siii)", "a", 1, 2, 3);
    call("abcabc", "find", NULL, "(si)", "b", 2);
    call("abcabc", "find", NULL, "(sii)", "b", -3, -1);
    call("abcabc", "rfind", NULL, "(s)", "b");
    call("abcabc", "find", NULL, "(sN)", "b", huge());
    call("abcabc", "find", NULL, "(sL)", "b", (long long)-4);
    call("h\xc3\xa9llo", "find", NULL, "(s)", "l");
    call("h\xc3\xa9llo", "rfind", NULL, "(si)", "l", 0);
    call("abc", "index", NULL, "(s)", "z");
    call("abc", "rindex", NULL, "(s)", "z");
    call("abcb", "rindex", NULL, "(s)", "b");
    call("abc", "count", NULL, "()");
    call("abcabc", "count", NULL, "(s)", "bc");
    call("abcabc", "count", NULL, "(s)", "");
    call("abcabc", "count", NULL, "(si)", "", 7);
    call("abc", "startswith", NULL, "(i)", 1);
    call("abc", "startswith", NULL, "((i))", 1);
    call("abc", "startswith", NULL, "((ss))", "x", "a");
    call("abc", "startswith", NULL, "((si))", "a", 1);
    call("abc", "startswith", NULL, "(si)", "b", 1);
    call("abc", "startswith", NULL, "(si)", "", 4);
    call("abc", "endswith", NULL, "(i)", 1);
    call("abc", "endswith", NULL, "(sOO)", "c", Py_None, Py_None);
    call("abc", "endswith", NULL, "(sii)", "b", 0, 2);
    call("abc", "endswith", NULL, "(())");
    call("  abc \t\n", "strip", NULL, "()");
    call("xxabcxy", "strip", NULL, "(s)", "xy");
    call("xxabcxy", "lstrip", NULL, "(s)", "xy");
    call("xxabcxy", "rstrip", NULL, "(s)", "xy");
    call("  abc  ", "rstrip", NULL, "(O)", Py_None);
    call("abc", "strip", NULL, "(i)", 1);
    call("abc", "lstrip", NULL, "(i)", 1);
    call("abc", "rstrip", NULL, "(i)", 1);
    call("abc", "strip", NULL, "(ss)", "a", "b");
    call(",", "join", NULL, "([sss])", "a", "b", "c");
    call(",", "join", NULL, "(i)", 1);
    call(",", "join", NULL, "([i])", 1);
    call(",", "join", NULL, "([si])", "a", 1);
    call(",", "join", NULL, "(s)", "xyz");
    call(",", "join", NULL, "()");
    call("abc", "partition", NULL, "(s)", "b");
    call("abc", "partition", NULL, "(i)", 1);
    call("abc", "partition", NULL, "(s)", "");
    call("abcb", "rpartition", NULL, "(s)", "b");
    call("abc", "rpartition", NULL, "(s)", "x");
    call("abc", "rpartition", NULL, "(s)", "");
    call("abc", "removeprefix", NULL, "(s)", "ab");
    call("abc", "removeprefix", NULL, "(s)", "x");
    call("abc", "removeprefix", NULL, "(i)", 1);
    call("abc", "removesuffix", NULL, "(s)", "bc");
    call("abc", "removesuffix", NULL, "(s)", "");
    call("abc", "removesuffix", NULL, "(i)", 1);
    call("\ta\tbc\td", "expandtabs", NULL, "()");
    call("\ta\tbc\td", "expandtabs", NULL, "(i)", 4);
    call("ab\tc\nd\te", "expandtabs", NULL, "(i)", 3);
    call("a\tb", "expandtabs", NULL, "(i)", 0);
    call("a\tb", "expandtabs", NULL, "(i)", -1);
    call("a\tb", "expandtabs", NULL, "(s)", "a");
    call("a\tb", "expandtabs", Py_BuildValue("{s:i}", "tabsize", 2), "()");
    call("a\tb", "expandtabs", NULL, "(L)", 1LL << 40);
    call("abc", "upper", NULL, "(i)", 1);
    call("abc", "translate", NULL, "({i:O,i:s,i:i})", 97, Py_None, 98, "xy", 99, 100);
    call("abc", "translate", NULL, "({i:O})", 97, Py_True);
    call("abc", "translate", NULL, "({i:s})", 97, "");
    call("abc", "translate", NULL, "({i:i})", 97, 0x110000);
    call("abc", "translate", NULL, "({i:i})", 97, -1);
    call("abc", "translate", NULL, "(i)", 1);
    call("abc", "translate", NULL, "([sss])", "x", "y", "z");
    call("abc", "maketrans", NULL, "(ss)", "ab", "cd");
    call("abc", "maketrans", NULL, "(ss)", "ab", "c");
    call("abc", "maketrans", NULL, "({s:i,i:s})", "a", 1, 2, "b");
    call("abc", "maketrans", NULL, "({s:i})", "ab", 1);
    call("abc", "maketrans", NULL, "({O:i})", Py_None, 1);
    call("abc", "maketrans", NULL, "(i)", 1);
    call("abc", "maketrans", NULL, "(sss)", "a", "b", "c");
    call("abc", "maketrans", NULL, "(ssi)", "a", "b", 1);
    call("abc", "maketrans", NULL, "({}s)", "a");
    call("abc", "maketrans", NULL, "(si)", "a", 1);
    call("abc", "maketrans", NULL, "()");
    call("abc", "maketrans", NULL, "(ssss)", "a", "b", "c", "d");
}

static void cases(void)
{
    const char *samples[] = {
        "hello world's", "hELLO wORLD", "\xc3\x9f", "\xc7\x85", "\xc7\x86" "a",
        "\xce\xa3\xce\x91\xce\xa3", "\xce\xa3", "a\xce\xa3", "a\xce\xa3" "b", "a\xce\xa3'",
        "a'\xce\xa3", "\xc4\xb0", "\xef\xac\x81", "aBc", "Ab", "AB", "ab", "", "1", "a1", "A1 b",
        "\xc2\xbd", "\xc2\xb2", "\xd9\xa3", "\x1c", " \t", "a\x00", "\xe2\x80\xa8", "_a1", "1a",
        "def", "\xc3\xa9t\xc3\xa9", "\xe1\xbe\x88", "\xe1\xbe\x80x", "\xc5\x89", "ABC def",
        "\xe2\x85\xa0", "\xe2\x91\xa0", "\xe4\xb8\x80", "\xef\xbc\x91", "\xd8\xb9", "x\xcc\x81",
        "\xc2\xb5", "\xc5\xbf", "\xef\xbd\x81", "\xf0\x90\x90\x80", "\xea\xad\xb0",
        "\xe2\xb0\xaf", "\xea\x9f\x80", NULL};
    const char *meths[] = {"upper", "lower", "capitalize", "title", "swapcase", "casefold",
                           "isalpha", "isalnum", "isdecimal", "isdigit", "isnumeric", "isspace",
                           "isupper", "islower", "istitle", "isidentifier", "isprintable",
                           "isascii", NULL};
    for (const char **s = samples; *s; s++) {
        for (const char **m = meths; *m; m++) {
            call(*s, *m, NULL, "()");
        }
    }
}

/* FNV-1a over UTF-8 text. */
static unsigned long long fnv(unsigned long long h, const char *s, Py_ssize_t n)
{
    for (Py_ssize_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static int put_utf8(char *p, unsigned c)
{
    if (c < 0x80) {
        p[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        p[0] = (char)(0xc0 | (c >> 6));
        p[1] = (char)(0x80 | (c & 0x3f));
        return 2;
    }
    if (c < 0x10000) {
        p[0] = (char)(0xe0 | (c >> 12));
        p[1] = (char)(0x80 | ((c >> 6) & 0x3f));
        p[2] = (char)(0x80 | (c & 0x3f));
        return 3;
    }
    p[0] = (char)(0xf0 | (c >> 18));
    p[1] = (char)(0x80 | ((c >> 12) & 0x3f));
    p[2] = (char)(0x80 | ((c >> 6) & 0x3f));
    p[3] = (char)(0x80 | (c & 0x3f));
    return 4;
}

/*
 * The Unicode database: the code points of planes 0 and 1 (surrogates excepted) and sample
 * blocks of the others through the case mappings, in blocks of 256 (a string per block, so
 * title()'s word boundaries and lower()'s final sigma see their neighbours); the predicates one
 * character at a time over the BMP and the sample blocks (the characters that satisfy each are
 * hashed). One digest line per method and plane.
 */
static int predicate_block(unsigned block)
{
    static const unsigned samples[] = {0x10000, 0x10400, 0x11000, 0x16e00, 0x1d400, 0x1d700,
                                       0x1e900, 0x1f100, 0x20000, 0x2f800, 0x30000, 0xe0000,
                                       0xe0100, 0xf0000, 0x10ff00};
    if (block < 0x10000) {
        return 1;
    }
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        if (samples[i] == block) {
            return 1;
        }
    }
    return 0;
}

static void unicode_sweep(void)
{
    const char *maps[] = {"upper", "lower", "casefold", "title", "swapcase", "capitalize", NULL};
    const char *preds[] = {"isalpha", "isdecimal", "isdigit", "isnumeric", "isspace",
                           "isupper", "islower", "istitle", "isidentifier", "isprintable", NULL};
    enum { NPRED = 10 };
    PyObject *pf[NPRED];
    for (int m = 0; m < NPRED; m++) {
        pf[m] = PyObject_GetAttrString((PyObject *)&PyUnicode_Type, preds[m]);
    }
    static char buf[256 * 4 + 1];
    for (unsigned plane = 0; plane < 17; plane++) {
        unsigned long long hm[6], hp[NPRED];
        for (int m = 0; m < 6; m++) {
            hm[m] = 14695981039346656037ULL;
        }
        for (int m = 0; m < NPRED; m++) {
            hp[m] = 14695981039346656037ULL;
        }
        for (unsigned block = plane << 16; block < (plane + 1) << 16; block += 256) {
            if (block >= 0xd800 && block < 0xe000) {
                continue;
            }
            /* Beyond planes 0 and 1 (CJK ideographs, unassigned and private-use planes),
               sample blocks stand for the rest. */
            if (plane >= 2 && !predicate_block(block)) {
                continue;
            }
            int n = 0;
            for (unsigned c = block; c < block + 256; c++) {
                n += put_utf8(buf + n, c);
            }
            PyObject *s = PyUnicode_FromStringAndSize(buf, n);
            for (int m = 0; maps[m]; m++) {
                PyObject *r = PyObject_CallMethod(s, maps[m], NULL);
                Py_ssize_t len;
                const char *u = PyUnicode_AsUTF8AndSize(r, &len);
                hm[m] = fnv(hm[m], u, len);
                Py_DECREF(r);
            }
            Py_DECREF(s);
            if (!predicate_block(block)) {
                continue;
            }
            for (unsigned c = block; c < block + 256; c++) {
                char one[5];
                int k = put_utf8(one, c);
                PyObject *ch = PyUnicode_FromStringAndSize(one, k);
                for (int m = 0; m < NPRED; m++) {
                    PyObject *r = PyObject_CallOneArg(pf[m], ch);
                    if (r == Py_True) {
                        hp[m] = fnv(hp[m], one, k);
                    }
                    Py_DECREF(r);
                }
                Py_DECREF(ch);
            }
        }
        for (int m = 0; maps[m]; m++) {
            printf("sweep plane %u %s -> %016llx\n", plane, maps[m], hm[m]);
        }
        for (int m = 0; m < NPRED; m++) {
            printf("sweep plane %u %s -> %016llx\n", plane, preds[m], hp[m]);
        }
    }
    for (int m = 0; m < NPRED; m++) {
        Py_DECREF(pf[m]);
    }
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    Py_Initialize();
    protocols();
    exported();
    percent();
    format_method();
    specs();
    methods();
    cases();
    unicode_sweep();
    printf("transcript end\n");
    return 0;
}
