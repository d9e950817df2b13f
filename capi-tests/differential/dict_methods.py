"""dict's Python-level methods, views and iterators (grown from Lib/test/test_dict.py:
test_get, test_setdefault, test_pop, test_popitem, test_update, test_fromkeys, test_copy,
test_clear, test_keys/values/items, test_dictview_set_operations' comparisons,
test_reverse_iterator_for_empty_dict, test_dict_items_result_gc-style iteration, test_merge_operator,
test_sizeof-style sizes; Lib/test/test_dictviews.py: test_constructors, test_dict_keys,
test_dict_items, test_dict_mixed_keys_items, test_compare_error, test_recursive_repr).

The C half is dict_methods.c: the methods looked up as attributes and called through pycoro's C
API (vectorcall for dict(...)), `len`/`in`/comparisons/`hash` through PyObject_Size,
PySequence_Contains, PyObject_RichCompare and PyObject_Hash.
"""
from _transcript import say, show


class D(dict):
    pass


say("== get, setdefault, pop, popitem")
d = {"a": 1, "b": 2}
show("d.get('a')", lambda: d.get("a"))
show("d.get('z')", lambda: d.get("z"))
show("d.get('z', 0)", lambda: d.get("z", 0))
show("d.get()", lambda: d.get())
show("d.get(1, 2, 3)", lambda: d.get(1, 2, 3))
show("d.get(k=1)", lambda: d.get(k=1))
show("d.get([])", lambda: d.get([]))
show("d.setdefault('c')", lambda: d.setdefault("c"))
show("d.setdefault('a', 9)", lambda: d.setdefault("a", 9))
show("d.setdefault('e', 5)", lambda: d.setdefault("e", 5))
show("d.setdefault()", lambda: d.setdefault())
show("d.setdefault(1, 2, 3)", lambda: d.setdefault(1, 2, 3))
show("d.setdefault([], 1)", lambda: d.setdefault([], 1))
show("d", lambda: d)
show("d.pop('c')", lambda: d.pop("c"))
show("d.pop('c') again", lambda: d.pop("c"))
show("d.pop('c', 7)", lambda: d.pop("c", 7))
show("d.pop()", lambda: d.pop())
show("d.pop(1, 2, 3)", lambda: d.pop(1, 2, 3))
show("d.pop([])", lambda: d.pop([]))
show("d.pop([], 1)", lambda: d.pop([], 1))
show("{}.pop([], 1)", lambda: {}.pop([], 1))
show("{}.pop('x')", lambda: {}.pop("x"))
show("{}.pop((1, 2))", lambda: {}.pop((1, 2)))
show("d.popitem()", lambda: d.popitem())
show("d", lambda: d)
show("d.popitem(1)", lambda: d.popitem(1))
show("{}.popitem()", lambda: {}.popitem())
e = {"x": 1, "y": 2, "z": 3}
del e["z"]
show("e.popitem() after del e['z']", lambda: e.popitem())
e["w"] = 4
show("e after e['w'] = 4", lambda: e)
show("e.popitem()", lambda: e.popitem())
show("e.popitem()", lambda: e.popitem())
show("e.popitem() on the emptied dict", lambda: e.popitem())

say("== views")
v = {"a": 1, "b": 2, (1, 2): [3]}
show("v.keys()", lambda: v.keys())
show("v.values()", lambda: v.values())
show("v.items()", lambda: v.items())
show("{}.keys()", lambda: {}.keys())
show("len(v.keys())", lambda: len(v.keys()))
show("len(v.values())", lambda: len(v.values()))
show("len(v.items())", lambda: len(v.items()))
show("'a' in v.keys()", lambda: "a" in v.keys())
show("'q' in v.keys()", lambda: "q" in v.keys())
show("[] in v.keys()", lambda: [] in v.keys())
show("2 in v.values()", lambda: 2 in v.values())
show("[3] in v.values()", lambda: [3] in v.values())
show("9 in v.values()", lambda: 9 in v.values())
show("('a', 1) in v.items()", lambda: ("a", 1) in v.items())
show("('a', 2) in v.items()", lambda: ("a", 2) in v.items())
show("('a', []) in v.items()", lambda: ("a", []) in v.items())
show("([], 1) in v.items()", lambda: ([], 1) in v.items())
show("1 in v.items()", lambda: 1 in v.items())
show("('a',) in v.items()", lambda: ("a",) in v.items())
show("['a', 1] in v.items()", lambda: ["a", 1] in v.items())
show("list(iter(v.keys()))", lambda: list(iter(v.keys())))
show("list(iter(v.values()))", lambda: list(iter(v.values())))
show("list(iter(v.items()))", lambda: list(iter(v.items())))
show("type(iter(v.keys()))", lambda: type(iter(v.keys())))
show("type(iter(v.values()))", lambda: type(iter(v.values())))
show("type(iter(v.items()))", lambda: type(iter(v.items())))
show("list(reversed(v))", lambda: list(reversed(v)))
show("type(reversed(v))", lambda: type(reversed(v)))
show("list(reversed(v.keys()))", lambda: list(reversed(v.keys())))
show("list(reversed(v.values()))", lambda: list(reversed(v.values())))
show("list(reversed(v.items()))", lambda: list(reversed(v.items())))
show("type(reversed(v.keys()))", lambda: type(reversed(v.keys())))
show("type(reversed(v.values()))", lambda: type(reversed(v.values())))
show("type(reversed(v.items()))", lambda: type(reversed(v.items())))
show("list(reversed({}))", lambda: list(reversed({})))
other = {"b": 0, (1, 2): 0, "a": 0}
show("v.keys() == other.keys()", lambda: v.keys() == other.keys())
show("v.keys() != other.keys()", lambda: v.keys() != other.keys())
show("v.keys() == v.items()", lambda: v.keys() == v.items())
show("v.values() == v.values()", lambda: v.values() == v.values())
show("{'a': 1}.keys() < v.keys()", lambda: {"a": 1}.keys() < v.keys())
show("{'a': 1}.keys() <= v.keys()", lambda: {"a": 1}.keys() <= v.keys())
show("v.keys() > {'a': 1}.keys()", lambda: v.keys() > {"a": 1}.keys())
show("v.keys() >= other.keys()", lambda: v.keys() >= other.keys())
show("v.keys() < other.keys()", lambda: v.keys() < other.keys())
show("{'q': 1}.keys() < v.keys()", lambda: {"q": 1}.keys() < v.keys())
show("{'a': 1}.items() < v.items()", lambda: {"a": 1}.items() < v.items())
show("{'a': 2}.items() < v.items()", lambda: {"a": 2}.items() < v.items())
show("{'a': 1}.items() == {'a': 1}.items()", lambda: {"a": 1}.items() == {"a": 1}.items())
show("{'a': 1}.keys() == {'a': 2}.items()", lambda: {"a": 1}.keys() == {"a": 2}.items())
show("v.keys() == 1", lambda: v.keys() == 1)
show("v.keys().__eq__(1)", lambda: v.keys().__eq__(1))
show("v.keys() < 1", lambda: v.keys() < 1)
show("v.items() >= 1", lambda: v.items() >= 1)
show("v.keys().isdisjoint(['z'])", lambda: v.keys().isdisjoint(["z"]))
show("v.keys().isdisjoint(['a'])", lambda: v.keys().isdisjoint(["a"]))
show("v.keys().isdisjoint({'z': 1}.keys())", lambda: v.keys().isdisjoint({"z": 1}.keys()))
show("v.keys().isdisjoint(other.keys())", lambda: v.keys().isdisjoint(other.keys()))
show("v.items().isdisjoint([('a', 1)])", lambda: v.items().isdisjoint([("a", 1)]))
show("v.items().isdisjoint([('a', 5)])", lambda: v.items().isdisjoint([("a", 5)]))
show("v.keys().isdisjoint(1)", lambda: v.keys().isdisjoint(1))
show("v.keys().isdisjoint([[]])", lambda: v.keys().isdisjoint([[]]))
k = v.keys()
show("k.isdisjoint(k)", lambda: k.isdisjoint(k))
ek = {}.keys()
show("ek.isdisjoint(ek)", lambda: ek.isdisjoint(ek))
show("v.keys().mapping", lambda: v.keys().mapping)
show("v.values().mapping['a']", lambda: v.values().mapping["a"])
show("type(v.items().mapping)", lambda: type(v.items().mapping))
show("hash(v.keys())", lambda: hash(v.keys()))
show("hash(v.items())", lambda: hash(v.items()))
rec = {}
rec["self"] = rec.values()
show("repr(rec.values())", lambda: repr(rec.values()))
rec2 = {}
rec2["k"] = rec2.items()
show("repr(rec2.items())", lambda: repr(rec2.items()))
live = {"a": 1}
kv = live.keys()
live["b"] = 2
show("kv after live['b'] = 2", lambda: kv)
del live["a"]
show("len(kv) after del live['a']", lambda: len(kv))
show("type(v.keys())", lambda: type(v.keys()))
show("type(v.keys())()", lambda: type(v.keys())())

say("== iterators")
it = iter({"a": 1, "b": 2, "c": 3})
show("it.__length_hint__()", lambda: it.__length_hint__())
show("next(it)", lambda: next(it))
show("it.__length_hint__()", lambda: it.__length_hint__())
show("list(it)", lambda: list(it))
show("it.__length_hint__() at the end", lambda: it.__length_hint__())
g = {"a": 1, "b": 2}
it = iter(g.items())
show("next(items iterator)", lambda: next(it))
g["c"] = 3
show("it.__length_hint__() after a size change", lambda: it.__length_hint__())
show("next(items iterator) after a size change", lambda: next(it))
g = {"a": 1, "b": 2}
it = iter(g.values())
del g["a"]
g["z"] = 26
show("next(values iterator) after del+insert", lambda: next(it))
show("next(values iterator) again", lambda: next(it))
g = {"a": 1, "b": 2, "c": 3}
r = reversed(g)
show("r.__length_hint__()", lambda: r.__length_hint__())
show("next(r)", lambda: next(r))
del g["b"]
show("next(r) after a delete", lambda: next(r))
g = {"a": 1, "b": 2, "c": 3}
r = reversed(g.items())
show("next(reversed items)", lambda: next(r))
del g["b"]
g["d"] = 4
show("next(reversed items) after del+insert", lambda: next(r))
show("next(reversed items)", lambda: next(r))
show("next(reversed items) at the end", lambda: next(r))
show("r.__length_hint__() at the end", lambda: r.__length_hint__())

say("== update, clear, copy, fromkeys")
u = {"a": 1}
show("u.update({'b': 2})", lambda: u.update({"b": 2}))
show("u.update([('c', 3)], d=4)", lambda: u.update([("c", 3)], d=4))
show("u.update(e=5)", lambda: u.update(e=5))
show("u.update(v.keys().mapping)", lambda: u.update(v.keys().mapping))
show("u.update(1, 2)", lambda: u.update(1, 2))
show("u.update(1)", lambda: u.update(1))
show("u.update([(1, 2, 3)])", lambda: u.update([(1, 2, 3)]))
show("u", lambda: u)
show("u.copy()", lambda: u.copy())
show("u.copy() is u", lambda: u.copy() is u)
show("type(D(u).copy()) is dict", lambda: type(D(u).copy()) is dict)
show("u.clear()", lambda: u.clear())
show("u", lambda: u)
show("u.clear(1)", lambda: u.clear(1))
show("u.copy(1)", lambda: u.copy(1))
show("u.keys(1)", lambda: u.keys(1))
show("dict.fromkeys(['a', 'b'])", lambda: dict.fromkeys(["a", "b"]))
show("dict.fromkeys(('a', 'b'), 0)", lambda: dict.fromkeys(("a", "b"), 0))
show("dict.fromkeys({'x': 1, 'y': 2})", lambda: dict.fromkeys({"x": 1, "y": 2}))
show("dict.fromkeys({'x': 1}.keys(), [])", lambda: dict.fromkeys({"x": 1}.keys(), []))
show("dict.fromkeys(1)", lambda: dict.fromkeys(1))
show("dict.fromkeys()", lambda: dict.fromkeys())
show("dict.fromkeys(1, 2, 3)", lambda: dict.fromkeys(1, 2, 3))
show("dict.fromkeys([[]])", lambda: dict.fromkeys([[]]))
show("type(D.fromkeys([1])) is D", lambda: type(D.fromkeys([1])) is D)
show("D.fromkeys([1], 2)", lambda: D.fromkeys([1], 2))
show("{}.fromkeys([1])", lambda: {}.fromkeys([1]))


def sized(n):
    s = {}
    for i in range(n):
        s[i] = None
    return s


say("== __sizeof__, |, |=")
for n in (0, 1, 5, 6, 10, 11, 100, 1000):
    show(f"sized({n}).__sizeof__()", lambda: sized(n).__sizeof__())
s = sized(6)
for i in range(6):
    del s[i]
show("sized(6) emptied by del: __sizeof__()", lambda: s.__sizeof__())
s.clear()
show("after clear(): __sizeof__()", lambda: s.__sizeof__())
show("dict.fromkeys(sized(6)).__sizeof__()", lambda: dict.fromkeys(sized(6)).__sizeof__())
show("dict.fromkeys(sized(11)).__sizeof__()", lambda: dict.fromkeys(sized(11)).__sizeof__())
show("sized(3).copy().__sizeof__()", lambda: sized(3).copy().__sizeof__())
show("D().__sizeof__() > 48", lambda: D().__sizeof__() > 48)
show("{'a': 1} | {'b': 2, 'a': 3}", lambda: {"a": 1} | {"b": 2, "a": 3})
show("{'a': 1}.__or__({'b': 2})", lambda: {"a": 1}.__or__({"b": 2}))
show("{'a': 1}.__or__(1)", lambda: {"a": 1}.__or__(1))
show("{'a': 1}.__or__([('b', 2)])", lambda: {"a": 1}.__or__([("b", 2)]))
show("{'a': 1}.__ror__({'b': 2})", lambda: {"a": 1}.__ror__({"b": 2}))
show("type(D(a=1) | {}) is dict", lambda: type(D(a=1) | {}) is dict)
x = {"a": 1}
show("x.__ior__([('k', 'v')])", lambda: x.__ior__([("k", "v")]))
show("x.__ior__({'a': 0})", lambda: x.__ior__({"a": 0}))
show("x.__ior__(1)", lambda: x.__ior__(1))
show("x", lambda: x)
show("dict.__or__(1, {})", lambda: dict.__or__(1, {}))

say("== constructor")
show("dict()", lambda: dict())
show("dict({'a': 1}, b=2)", lambda: dict({"a": 1}, b=2))
show("dict([('a', 1)], a=2)", lambda: dict([("a", 1)], a=2))
show("dict(a=1, b=2)", lambda: dict(a=1, b=2))
show("dict(v.keys().mapping)", lambda: dict(v.keys().mapping))
show("dict(v.items())", lambda: dict(v.items()))
show("dict(1, 2)", lambda: dict(1, 2))
show("dict(1)", lambda: dict(1))
show("dict([[1]])", lambda: dict([[1]]))
show("type(D(a=1)) is D", lambda: type(D(a=1)) is D)
show("D(a=1)", lambda: D(a=1))
