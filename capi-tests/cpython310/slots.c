/* slots.c: prints every slot and flag of a list of static type objects, one line per
 * (type, field), so the transcript of CPython 3.10 (linked with libpython3.10.so, after
 * Py_Initialize()) can be compared line by line with pycoro's (linked with libpycoro.so only).
 * tests/slots_cpython.rs builds it both ways, runs it and compares.
 *
 * Compiled against CPython 3.10's OWN headers: the struct layouts are CPython's. Every type and
 * every API function except Py_Initialize is looked up with dlsym(RTLD_DEFAULT, ...), so a type
 * or a function the library lacks is reported (`<name>: absent`, `tp_dict: (cannot read)`)
 * instead of failing to link.
 *
 * Usage:
 *   slots --order NAMES   prints NAMES (one symbol a line) in the canonical order: primary
 *                         names by the depth of their tp_base chain, then by name; aliases
 *                         (a PyExc_* pointer to a class already named) last. Run with CPython,
 *                         so both transcripts use CPython's hierarchy for their order.
 *   slots NAMES           prints the transcript for the symbols in NAMES, in that order.
 *
 * Symbols ending in `_Type` are PyTypeObjects; `PyExc_*` symbols are `PyObject *` variables
 * pointing to the class.
 *
 * Transcript lines: `<symbol> <field>: <value>`, or `<symbol>: absent`; `#` lines are comments.
 * A function-pointer slot reads:
 *   NULL
 *   =Name           an exported dynamic symbol (dladdr) sits at exactly that address
 *   ~Symbol.slot    the first (type, slot) in the transcript's order holding the same pointer
 *   private         none of the above: no exported name, no earlier holder
 * A sub-slot table (tp_as_number, ...) reads `NULL table`, `own` or `shared with <symbol>`;
 * its sub-slots are printed either way (`NULL table` when there is none), so both transcripts
 * have the same lines.
 *
 * Everything read is checked before it is followed (NULL, the tuple/dict/str/type flags of the
 * object's type), so a type with missing or different fields prints differently, never crashes.
 */
#include <Python.h>

#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TYPES 512
#define MAX_KEYS 4096
#define MAX_DEPTH 64

typedef int (*dict_next_fn)(PyObject *, Py_ssize_t *, PyObject **, PyObject **);
typedef const char *(*as_utf8_fn)(PyObject *);
typedef void (*err_clear_fn)(void);

static dict_next_fn dict_next;
static as_utf8_fn as_utf8;
static err_clear_fn err_clear;

/* ---- small helpers ---------------------------------------------------------------------- */

static void *sym(const char *name) { return dlsym(RTLD_DEFAULT, name); }

/* A function pointer's value as a data pointer, without the conversion ISO C forbids. */
static void *fn_bits(const void *field, size_t size) {
    void *p = NULL;
    memcpy(&p, field, size < sizeof p ? size : sizeof p);
    return p;
}
#define FN(field) fn_bits(&(field), sizeof(field))

static void *load_fn(const char *name, void *out, size_t size) {
    void *p = sym(name);
    memcpy(out, &p, size);
    return p;
}

static void *xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (!p) {
        fprintf(stderr, "slots: out of memory\n");
        exit(2);
    }
    return p;
}

static char *xstrdup(const char *s) {
    size_t n = strlen(s) + 1;
    char *p = xmalloc(n);
    memcpy(p, s, n);
    return p;
}

/* Prints s up to its first newline, at most 300 bytes, other control characters as '?'. */
static void print_first_line(const char *s) {
    for (int i = 0; s[i] && s[i] != '\n' && i < 300; i++) {
        unsigned char c = (unsigned char)s[i];
        putchar(c < 0x20 || c == 0x7f ? '?' : c);
    }
}

static const char *safe_name(PyTypeObject *t) {
    return t && t->tp_name ? t->tp_name : "(null tp_name)";
}

static int has_flag(PyObject *o, unsigned long flag) {
    return o && Py_TYPE(o) && (Py_TYPE(o)->tp_flags & flag) != 0;
}

/* ---- the list of types ------------------------------------------------------------------ */

typedef struct {
    char *name;           /* the symbol */
    PyTypeObject *type;   /* NULL when absent */
    int null_pointer;     /* PyExc_* variable present but NULL */
    int alias_of;         /* index of an earlier entry naming the same object, or -1 */
} entry;

static entry types[MAX_TYPES];
static int ntypes;

static void load_names(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        exit(2);
    }
    char line[512];
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = 0;
        if (!line[0] || line[0] == '#')
            continue;
        if (ntypes == MAX_TYPES) {
            fprintf(stderr, "slots: more than %d names\n", MAX_TYPES);
            exit(2);
        }
        entry *e = &types[ntypes];
        e->name = xstrdup(line);
        e->alias_of = -1;
        void *p = sym(line);
        if (p && strncmp(line, "PyExc_", 6) == 0) {
            PyObject *cls = *(PyObject **)p;
            e->null_pointer = cls == NULL;
            e->type = (PyTypeObject *)cls;
        } else {
            e->type = p;
        }
        for (int i = 0; i < ntypes && e->type; i++)
            if (types[i].type == e->type) {
                e->alias_of = i;
                break;
            }
        ntypes++;
    }
    fclose(f);
}

/* The symbol of a type in the list (its first name), or NULL. */
static const char *symbol_of(PyTypeObject *t) {
    for (int i = 0; i < ntypes; i++)
        if (types[i].type == t)
            return types[i].name;
    return NULL;
}

/* ---- --order ---------------------------------------------------------------------------- */

static int depth(PyTypeObject *t) {
    int d = 0;
    while (t && t->tp_base && d < MAX_DEPTH) {
        t = t->tp_base;
        d++;
    }
    return d;
}

/* Whether `name` is the natural name of its class: PyExc_<tp_name>. */
static int natural_name(const entry *e) {
    return strncmp(e->name, "PyExc_", 6) != 0 ||
           (e->type && e->type->tp_name && strcmp(e->name + 6, e->type->tp_name) == 0);
}

typedef struct {
    int alias, depth;
    const char *name;
} order_key;

static int cmp_order(const void *a, const void *b) {
    const order_key *x = a, *y = b;
    if (x->alias != y->alias)
        return x->alias - y->alias;
    if (x->depth != y->depth)
        return x->depth - y->depth;
    return strcmp(x->name, y->name);
}

static void print_order(void) {
    order_key *keys = xmalloc(sizeof *keys * (size_t)ntypes);
    for (int i = 0; i < ntypes; i++) {
        entry *e = &types[i];
        /* An entry is an alias when another entry names the same object and has the natural
         * name (or, failing that, comes first). */
        int alias = 0;
        for (int j = 0; j < ntypes && e->type; j++) {
            if (j == i || types[j].type != e->type)
                continue;
            int mine = natural_name(e), theirs = natural_name(&types[j]);
            if (theirs > mine || (theirs == mine && j < i))
                alias = 1;
        }
        keys[i].alias = alias;
        keys[i].depth = e->type ? depth(e->type) : MAX_DEPTH + 1;
        keys[i].name = e->name;
    }
    qsort(keys, (size_t)ntypes, sizeof *keys, cmp_order);
    for (int i = 0; i < ntypes; i++)
        printf("%s\n", keys[i].name);
    free(keys);
}

/* ---- pointer registry: the first (type, slot) holding each pointer ---------------------- */

typedef struct {
    void *ptr;
    int type;
    const char *slot;
} holder;

#define TABLE_SIZE 65536 /* power of two, well above types * slots */
static holder fn_table[TABLE_SIZE];
static holder sub_table[TABLE_SIZE]; /* tp_as_* tables */

static holder *lookup(holder *table, void *ptr) {
    size_t h = ((uintptr_t)ptr >> 3) * 0x9E3779B97F4A7C15ull;
    for (size_t i = 0; i < TABLE_SIZE; i++) {
        holder *slot = &table[(h + i) & (TABLE_SIZE - 1)];
        if (slot->ptr == ptr || slot->ptr == NULL)
            return slot;
    }
    fprintf(stderr, "slots: pointer table full\n");
    exit(2);
}

static void print_fn(int ti, const char *slot, void *p) {
    printf("%s %s: ", types[ti].name, slot);
    if (!p) {
        printf("NULL\n");
        return;
    }
    Dl_info info;
    if (dladdr(p, &info) && info.dli_sname && info.dli_saddr == p) {
        printf("=%s\n", info.dli_sname);
        return;
    }
    holder *h = lookup(fn_table, p);
    if (h->ptr) {
        printf("~%s.%s\n", types[h->type].name, h->slot);
        return;
    }
    h->ptr = p;
    h->type = ti;
    h->slot = slot;
    printf("private\n");
}

/* Prints the table line; returns whether the sub-slots can be read. */
static int print_table(int ti, const char *slot, void *table) {
    printf("%s %s: ", types[ti].name, slot);
    if (!table) {
        printf("NULL table\n");
        return 0;
    }
    holder *h = lookup(sub_table, table);
    if (h->ptr) {
        printf("shared with %s\n", types[h->type].name);
    } else {
        h->ptr = table;
        h->type = ti;
        h->slot = slot;
        printf("own\n");
    }
    return 1;
}

#define SUB(ti, table, field)                                                                  \
    do {                                                                                       \
        if (table)                                                                             \
            print_fn(ti, #field, FN((table)->field));                                          \
        else                                                                                   \
            printf("%s %s: NULL table\n", types[ti].name, #field);                            \
    } while (0)

/* ---- flags ------------------------------------------------------------------------------ */

static const struct {
    unsigned long bit;
    const char *name;
} flag_names[] = {
    {Py_TPFLAGS_HAVE_FINALIZE, "HAVE_FINALIZE"},
    {Py_TPFLAGS_SEQUENCE, "SEQUENCE"},
    {Py_TPFLAGS_MAPPING, "MAPPING"},
    {Py_TPFLAGS_DISALLOW_INSTANTIATION, "DISALLOW_INSTANTIATION"},
    {Py_TPFLAGS_IMMUTABLETYPE, "IMMUTABLETYPE"},
    {Py_TPFLAGS_HEAPTYPE, "HEAPTYPE"},
    {Py_TPFLAGS_BASETYPE, "BASETYPE"},
    {Py_TPFLAGS_HAVE_VECTORCALL, "HAVE_VECTORCALL"},
    {Py_TPFLAGS_READY, "READY"},
    {Py_TPFLAGS_READYING, "READYING"},
    {Py_TPFLAGS_HAVE_GC, "HAVE_GC"},
    {Py_TPFLAGS_METHOD_DESCRIPTOR, "METHOD_DESCRIPTOR"},
    {Py_TPFLAGS_HAVE_VERSION_TAG, "HAVE_VERSION_TAG"},
    {Py_TPFLAGS_VALID_VERSION_TAG, "VALID_VERSION_TAG"},
    {Py_TPFLAGS_IS_ABSTRACT, "IS_ABSTRACT"},
    {_Py_TPFLAGS_MATCH_SELF, "_MATCH_SELF"},
    {Py_TPFLAGS_LONG_SUBCLASS, "LONG_SUBCLASS"},
    {Py_TPFLAGS_LIST_SUBCLASS, "LIST_SUBCLASS"},
    {Py_TPFLAGS_TUPLE_SUBCLASS, "TUPLE_SUBCLASS"},
    {Py_TPFLAGS_BYTES_SUBCLASS, "BYTES_SUBCLASS"},
    {Py_TPFLAGS_UNICODE_SUBCLASS, "UNICODE_SUBCLASS"},
    {Py_TPFLAGS_DICT_SUBCLASS, "DICT_SUBCLASS"},
    {Py_TPFLAGS_BASE_EXC_SUBCLASS, "BASE_EXC_SUBCLASS"},
    {Py_TPFLAGS_TYPE_SUBCLASS, "TYPE_SUBCLASS"},
};

static void print_flags(int ti, unsigned long flags) {
    printf("%s tp_flags: 0x%lx =", types[ti].name, flags);
    const char *sep = " ";
    for (int bit = 0; bit < (int)(8 * sizeof flags); bit++) {
        unsigned long b = 1UL << bit;
        if (!(flags & b))
            continue;
        const char *name = NULL;
        for (size_t i = 0; i < sizeof flag_names / sizeof flag_names[0]; i++)
            if (flag_names[i].bit == b)
                name = flag_names[i].name;
        if (name)
            printf("%s%s", sep, name);
        else
            printf("%sbit%d", sep, bit);
        sep = "|";
    }
    if (!flags)
        printf(" 0");
    printf("\n");
}

/* ---- objects: tuples of types, the dict ------------------------------------------------- */

static void print_type_tuple(int ti, const char *field, PyObject *tuple) {
    printf("%s %s: ", types[ti].name, field);
    if (!tuple) {
        printf("NULL\n");
        return;
    }
    if (!has_flag(tuple, Py_TPFLAGS_TUPLE_SUBCLASS)) {
        printf("not a tuple (%s)\n", Py_TYPE(tuple) ? safe_name(Py_TYPE(tuple)) : "no type");
        return;
    }
    Py_ssize_t n = PyTuple_GET_SIZE(tuple);
    printf("(");
    for (Py_ssize_t i = 0; i < n && i < 256; i++) {
        PyObject *item = PyTuple_GET_ITEM(tuple, i);
        if (i)
            printf(", ");
        if (!item)
            printf("NULL");
        else if (!has_flag(item, Py_TPFLAGS_TYPE_SUBCLASS))
            printf("<%s>", Py_TYPE(item) ? safe_name(Py_TYPE(item)) : "no type");
        else
            printf("%s", safe_name((PyTypeObject *)item));
    }
    printf(n == 1 ? ",)\n" : ")\n");
}

typedef struct {
    char *key;
    const char *value_type;
} dict_item;

static int cmp_item(const void *a, const void *b) {
    return strcmp(((const dict_item *)a)->key, ((const dict_item *)b)->key);
}

static void print_dict(int ti, PyObject *dict) {
    const char *name = types[ti].name;
    if (!dict) {
        printf("%s tp_dict: NULL\n", name);
        return;
    }
    if (!dict_next) {
        printf("%s tp_dict: (cannot read)\n", name);
        return;
    }
    if (!has_flag(dict, Py_TPFLAGS_DICT_SUBCLASS)) {
        printf("%s tp_dict: not a dict (%s)\n", name,
               Py_TYPE(dict) ? safe_name(Py_TYPE(dict)) : "no type");
        return;
    }
    printf("%s tp_dict: dict\n", name);
    static dict_item items[MAX_KEYS];
    int n = 0;
    Py_ssize_t pos = 0;
    PyObject *key, *value;
    while (n < MAX_KEYS && dict_next(dict, &pos, &key, &value)) {
        const char *k = NULL;
        if (has_flag(key, Py_TPFLAGS_UNICODE_SUBCLASS) && as_utf8) {
            k = as_utf8(key);
            if (!k && err_clear)
                err_clear();
        }
        items[n].key = xstrdup(k ? k : "(key not str)");
        items[n].value_type = value && Py_TYPE(value) ? safe_name(Py_TYPE(value)) : "NULL";
        n++;
    }
    qsort(items, (size_t)n, sizeof items[0], cmp_item);
    for (int i = 0; i < n; i++) {
        printf("%s tp_dict[%s]: %s\n", name, items[i].key, items[i].value_type);
        free(items[i].key);
    }
}

/* ---- one type --------------------------------------------------------------------------- */

static void print_type_ref(int ti, const char *field, PyTypeObject *t) {
    printf("%s %s: ", types[ti].name, field);
    if (!t) {
        printf("NULL\n");
        return;
    }
    const char *s = symbol_of(t);
    if (s) {
        printf("%s\n", s);
        return;
    }
    Dl_info info;
    if (dladdr(t, &info) && info.dli_sname && info.dli_saddr == (void *)t)
        printf("%s\n", info.dli_sname);
    else
        printf("<%s> (not exported)\n", safe_name(t));
}

static void print_type(int ti) {
    entry *e = &types[ti];
    const char *n = e->name;
    if (!e->type) {
        if (e->null_pointer)
            printf("%s: NULL pointer\n", n);
        else
            printf("%s: absent\n", n);
        return;
    }
    if (e->alias_of >= 0) {
        printf("%s alias of: %s\n", n, types[e->alias_of].name);
        return;
    }
    PyTypeObject *t = e->type;
    print_type_ref(ti, "ob_type", Py_TYPE((PyObject *)t));
    printf("%s tp_name: %s\n", n, t->tp_name ? t->tp_name : "NULL");
    printf("%s tp_basicsize: %zd\n", n, t->tp_basicsize);
    printf("%s tp_itemsize: %zd\n", n, t->tp_itemsize);
    print_flags(ti, t->tp_flags);
    print_type_ref(ti, "tp_base", t->tp_base);
    printf("%s tp_doc: ", n);
    if (t->tp_doc)
        print_first_line(t->tp_doc);
    else
        printf("NULL");
    printf("\n");
    printf("%s tp_dictoffset: %zd\n", n, t->tp_dictoffset);
    printf("%s tp_weaklistoffset: %zd\n", n, t->tp_weaklistoffset);
    printf("%s tp_vectorcall_offset: %zd\n", n, t->tp_vectorcall_offset);

#define TP(field) print_fn(ti, #field, FN(t->field))
    TP(tp_dealloc);
    TP(tp_getattr);
    TP(tp_setattr);
    TP(tp_repr);
    TP(tp_hash);
    TP(tp_call);
    TP(tp_str);
    TP(tp_getattro);
    TP(tp_setattro);
    TP(tp_traverse);
    TP(tp_clear);
    TP(tp_richcompare);
    TP(tp_iter);
    TP(tp_iternext);
    TP(tp_descr_get);
    TP(tp_descr_set);
    TP(tp_init);
    TP(tp_alloc);
    TP(tp_new);
    TP(tp_free);
    TP(tp_is_gc);
    TP(tp_del);
    TP(tp_finalize);
    TP(tp_vectorcall);
#undef TP

    PyAsyncMethods *am = t->tp_as_async;
    print_table(ti, "tp_as_async", am);
    SUB(ti, am, am_await);
    SUB(ti, am, am_aiter);
    SUB(ti, am, am_anext);
    SUB(ti, am, am_send);

    PyNumberMethods *nb = t->tp_as_number;
    print_table(ti, "tp_as_number", nb);
    SUB(ti, nb, nb_add);
    SUB(ti, nb, nb_subtract);
    SUB(ti, nb, nb_multiply);
    SUB(ti, nb, nb_remainder);
    SUB(ti, nb, nb_divmod);
    SUB(ti, nb, nb_power);
    SUB(ti, nb, nb_negative);
    SUB(ti, nb, nb_positive);
    SUB(ti, nb, nb_absolute);
    SUB(ti, nb, nb_bool);
    SUB(ti, nb, nb_invert);
    SUB(ti, nb, nb_lshift);
    SUB(ti, nb, nb_rshift);
    SUB(ti, nb, nb_and);
    SUB(ti, nb, nb_xor);
    SUB(ti, nb, nb_or);
    SUB(ti, nb, nb_int);
    SUB(ti, nb, nb_reserved);
    SUB(ti, nb, nb_float);
    SUB(ti, nb, nb_inplace_add);
    SUB(ti, nb, nb_inplace_subtract);
    SUB(ti, nb, nb_inplace_multiply);
    SUB(ti, nb, nb_inplace_remainder);
    SUB(ti, nb, nb_inplace_power);
    SUB(ti, nb, nb_inplace_lshift);
    SUB(ti, nb, nb_inplace_rshift);
    SUB(ti, nb, nb_inplace_and);
    SUB(ti, nb, nb_inplace_xor);
    SUB(ti, nb, nb_inplace_or);
    SUB(ti, nb, nb_floor_divide);
    SUB(ti, nb, nb_true_divide);
    SUB(ti, nb, nb_inplace_floor_divide);
    SUB(ti, nb, nb_inplace_true_divide);
    SUB(ti, nb, nb_index);
    SUB(ti, nb, nb_matrix_multiply);
    SUB(ti, nb, nb_inplace_matrix_multiply);

    PySequenceMethods *sq = t->tp_as_sequence;
    print_table(ti, "tp_as_sequence", sq);
    SUB(ti, sq, sq_length);
    SUB(ti, sq, sq_concat);
    SUB(ti, sq, sq_repeat);
    SUB(ti, sq, sq_item);
    SUB(ti, sq, was_sq_slice);
    SUB(ti, sq, sq_ass_item);
    SUB(ti, sq, was_sq_ass_slice);
    SUB(ti, sq, sq_contains);
    SUB(ti, sq, sq_inplace_concat);
    SUB(ti, sq, sq_inplace_repeat);

    PyMappingMethods *mp = t->tp_as_mapping;
    print_table(ti, "tp_as_mapping", mp);
    SUB(ti, mp, mp_length);
    SUB(ti, mp, mp_subscript);
    SUB(ti, mp, mp_ass_subscript);

    PyBufferProcs *bf = t->tp_as_buffer;
    print_table(ti, "tp_as_buffer", bf);
    SUB(ti, bf, bf_getbuffer);
    SUB(ti, bf, bf_releasebuffer);

    printf("%s tp_methods: %s\n", n, t->tp_methods ? "set" : "NULL");
    printf("%s tp_members: %s\n", n, t->tp_members ? "set" : "NULL");
    printf("%s tp_getset: %s\n", n, t->tp_getset ? "set" : "NULL");
    print_type_tuple(ti, "tp_mro", t->tp_mro);
    print_type_tuple(ti, "tp_bases", t->tp_bases);
    printf("%s tp_subclasses: %s\n", n, t->tp_subclasses ? "set" : "NULL");
    print_dict(ti, t->tp_dict);
}

int main(int argc, char **argv) {
    int order = argc == 3 && strcmp(argv[1], "--order") == 0;
    if (!(argc == 2 || order)) {
        fprintf(stderr, "usage: %s [--order] NAMES\n", argv[0]);
        return 2;
    }
    /* Line-buffered: a crash part-way still leaves every finished line in the output file. */
    setvbuf(stdout, NULL, _IOLBF, 0);

    Py_Initialize();
    load_fn("PyDict_Next", &dict_next, sizeof dict_next);
    load_fn("PyUnicode_AsUTF8", &as_utf8, sizeof as_utf8);
    load_fn("PyErr_Clear", &err_clear, sizeof err_clear);
    load_names(argv[order ? 2 : 1]);

    if (order) {
        print_order();
        return 0;
    }
    printf("# slots.c, headers of CPython %s; PyDict_Next %s, PyUnicode_AsUTF8 %s\n", PY_VERSION,
           dict_next ? "present" : "absent", as_utf8 ? "present" : "absent");
    for (int i = 0; i < ntypes; i++)
        print_type(i);
    printf("# end\n");
    return 0;
}
