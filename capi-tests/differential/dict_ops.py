"""dict behaviour (grown from Lib/test/test_dict.py: test_constructor, test_update,
test_fromkeys-like merges, test_getitem/KeyError messages, test_repr/test_repr_deep-style
recursion, test_mutating_iteration, test_setdefault, insertion order, the slot wrappers).

The C half is dict_ops.c: the same operations through pycoro's PyDict_* functions and the
dict type's slot wrappers; each line's label is the Python operation, the C side does what
the C API offers for it (named in dict_ops.c).
"""
from _transcript import say, show


def items(d):
    return [(k, v) for k, v in d.items()]


say("== order and repr")
d = {}
show("d", lambda: d)
d["b"] = 1
d["a"] = 2
d[3] = "three"
d[(1, 2)] = None
show("d", lambda: d)
show("len(d)", lambda: len(d))
show("list(d)", lambda: list(d))
show("list(d.keys())", lambda: list(d.keys()))
show("list(d.values())", lambda: list(d.values()))
show("list(d.items())", lambda: list(d.items()))
del d["b"]
d["b"] = 4
show("d after del/re-add 'b'", lambda: d)
d["a"] = 5
show("d after d['a'] = 5", lambda: d)
d[True] = "t"
d[1] = "one"
show("d after d[True], d[1]", lambda: d)
d["self"] = d
show("d with itself", lambda: d)
del d["self"]
show("{'x': [{}], 'y': ({'z': ()},)}", lambda: {"x": [{}], "y": ({"z": ()},)})

say("== lookups and KeyError")
show("d['a']", lambda: d["a"])
show("d['missing']", lambda: d["missing"])
show("d[(1, 2)]", lambda: d[(1, 2)])
show("d[(9, 9)]", lambda: d[(9, 9)])
show("d[()]", lambda: d[()])
show("d[[]]", lambda: d[[]])
show("d.get('a')", lambda: d.get("a"))
show("d.get('missing')", lambda: d.get("missing"))
show("d.get([])", lambda: d.get([]))
show("'a' in d", lambda: "a" in d)
show("'zz' in d", lambda: "zz" in d)
show("[] in d", lambda: [] in d)
show("d[{}] = 1", lambda: d.__setitem__({}, 1))
show("del d['missing']", lambda: d.__delitem__("missing"))
show("del d[[]]", lambda: d.__delitem__([]))
show("del d[(1, 2)]", lambda: d.__delitem__((1, 2)))
show("d", lambda: d)

say("== setdefault, copy, clear")
show("d.setdefault('a', 0)", lambda: d.setdefault("a", 0))
show("d.setdefault('new', [])", lambda: d.setdefault("new", []))
show("d.setdefault([], 0)", lambda: d.setdefault([], 0))
c = d.copy()
show("d.copy()", lambda: c)
show("d.copy() == d", lambda: c == d)
show("d.copy() is d", lambda: c is d)
show("d.copy()['new'] is d['new']", lambda: c["new"] is d["new"])
c.clear()
show("c.clear(); c", lambda: c)
show("d", lambda: d)

say("== update and merge")
a = {"x": 1, "y": 2}
a.update({"y": 20, "z": 30})
show("a.update({'y': 20, 'z': 30})", lambda: a)
a = {"x": 1, "y": 2}
b = {"y": 20, "z": 30}
a.update({k: v for k, v in b.items() if k not in a})
show("merge without override", lambda: a)
a = {"x": 1}
a.update([("p", 1), ["q", 2]])
show("a.update([('p', 1), ['q', 2]])", lambda: a)
show("a.update([1])", lambda: a.update([1]))
show("a.update([(1, 2, 3)])", lambda: a.update([(1, 2, 3)]))
show("a.update([('k', 'v'), (1, 2, 3)])", lambda: a.update([("k", "v"), (1, 2, 3)]))
show("a (the pairs before the bad one stay)", lambda: a)
show("a.update([([], 1)])", lambda: a.update([([], 1)]))
show("a.update(1)", lambda: a.update(1))
show("a.update([1, 2])", lambda: a.update([1, 2]))
show("a.update({})", lambda: a.update({}))
show("a", lambda: a)
s = {}
show("s.update(['rs'])", lambda: s.update(["rs"]))
show("s", lambda: s)

say("== constructor and slot wrappers")
show("dict()", lambda: dict())
show("dict({'a': 1})", lambda: dict({"a": 1}))
show("dict([(1, 2), (3, 4)])", lambda: dict([(1, 2), (3, 4)]))
show("dict(1)", lambda: dict(1))
show("dict([1])", lambda: dict([1]))
show("dict({}, {})", lambda: dict({}, {}))
show("type(dict())", lambda: type(dict()))
e = {"k": 1}
show("e.__getitem__('k')", lambda: e.__getitem__("k"))
show("e.__getitem__('nope')", lambda: e.__getitem__("nope"))
show("e.__setitem__('m', 2)", lambda: e.__setitem__("m", 2))
show("e.__delitem__('nope')", lambda: e.__delitem__("nope"))
show("e.__len__()", lambda: e.__len__())
show("e.__contains__('m')", lambda: e.__contains__("m"))
show("e.__contains__([])", lambda: e.__contains__([]))
show("e.__init__([('i', 9)])", lambda: e.__init__([("i", 9)]))
show("e", lambda: e)
show("e.__init__(1)", lambda: e.__init__(1))
show("e.__init__({}, {})", lambda: e.__init__({}, {}))
show("e.__eq__({'k': 1, 'm': 2, 'i': 9})", lambda: e.__eq__({"k": 1, "m": 2, "i": 9}))
show("e.__eq__(1)", lambda: e.__eq__(1))
show("e.__ne__({})", lambda: e.__ne__({}))
show("e.__lt__({})", lambda: e.__lt__({}))
show("e < {}", lambda: e < {})
show("e == {'i': 9, 'm': 2, 'k': 1}", lambda: e == {"i": 9, "m": 2, "k": 1})
show("e.__repr__()", lambda: e.__repr__())
show("e.__getitem__()", lambda: e.__getitem__())
show("e.__setitem__('x')", lambda: e.__setitem__("x"))
show("dict.__getitem__(1, 'k')", lambda: dict.__getitem__(1, "k"))
show("dict.__len__([])", lambda: dict.__len__([]))
show("iter(e)", lambda: type(iter(e)))
show("e.__iter__().__next__()", lambda: e.__iter__().__next__())
show("e.__hash__", lambda: e.__hash__)
show("dict.__dict__['__getitem__']", lambda: dict.__dict__["__getitem__"])
show("dict.__dict__['__contains__']", lambda: dict.__dict__["__contains__"])
show("dict.__dict__['__setitem__']", lambda: dict.__dict__["__setitem__"])
show("e.__contains__()", lambda: e.__contains__())
show("e.__getitem__", lambda: e.__getitem__)

say("== mutation during iteration")
m = {"a": 1, "b": 2}
it = iter(m)
show("next(it)", lambda: next(it))
m["c"] = 3
show("next(it) after an insert", lambda: next(it))
show("next(it) again", lambda: next(it))
m = {"a": 1, "b": 2}
it = iter(m)
show("next(it)", lambda: next(it))
m["a"] = 10
show("next(it) after a value change", lambda: next(it))
show("next(it) at the end", lambda: next(it))
m = {"a": 1, "b": 2}
it = iter(m)
del m["b"]
m["z"] = 0
show("next(it) after del+insert (same size)", lambda: next(it))

say("== Python-level methods")
show("{'a': 1}.keys()", lambda: {"a": 1}.keys())
show("{'a': 1}.get('a')", lambda: {"a": 1}.get("a"))
show("dict.fromkeys(['a', 'b'])", lambda: dict.fromkeys(["a", "b"]))
