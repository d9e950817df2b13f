"""mappingproxy's constructor, `|` and `__reversed__`, and staticmethod's constructor, repr and
attributes (grown from Lib/test/test_types.py's MappingProxyTests: test_constructor,
test_union, test_reversed, test_views, test_copy; test_descr.py's test_staticmethods and
test_funcattrs.py's StaticMethodAttrsTest: __func__, __wrapped__, __dict__, the copied
__name__/__qualname__/__doc__, __isabstractmethod__).

The C half is proxy_staticmethod.c: the types called (PyObject_Call, keywords as a dict), their
methods and slot wrappers looked up as attributes.
"""
import types

from _transcript import say, show

MP = types.MappingProxyType


class SM(staticmethod):
    pass


class Abstract:
    __isabstractmethod__ = True


say("== mappingproxy")
d = {"a": 1, "b": 2}
show("MP(d)", lambda: MP(d))
show("MP(mapping=d)", lambda: MP(mapping=d))
show("MP()", lambda: MP())
show("MP(d, d)", lambda: MP(d, d))
show("MP(x=1)", lambda: MP(x=1))
show("MP(d, mapping=d)", lambda: MP(d, mapping=d))
show("MP([])", lambda: MP([]))
show("MP(())", lambda: MP(()))
show("MP(1)", lambda: MP(1))
show("MP(MP(d))", lambda: MP(MP(d)))
show("MP.__new__(int, d)", lambda: MP.__new__(int, d))
show("type(MP.__new__(MP, d))", lambda: type(MP.__new__(MP, d)))
show("MP(d) | {'c': 3}", lambda: MP(d) | {"c": 3})
show("MP(d).__or__({'c': 3})", lambda: MP(d).__or__({"c": 3}))
show("MP(d).__ror__({'z': 0})", lambda: MP(d).__ror__({"z": 0}))
show("MP(d).__or__(MP({'a': 9}))", lambda: MP(d).__or__(MP({"a": 9})))
show("type(MP(d).__or__({}))", lambda: type(MP(d).__or__({})))
show("MP(d).__or__(1)", lambda: MP(d).__or__(1))
show("MP(d).__ror__(1)", lambda: MP(d).__ror__(1))
show("MP(d).__ior__({})", lambda: MP(d).__ior__({}))
show("MP(d).__ior__(1)", lambda: MP(d).__ior__(1))
show("list(reversed(MP(d)))", lambda: list(MP(d).__reversed__()))
show("type(MP(d).__reversed__())", lambda: type(MP(d).__reversed__()))
show("MP(d).keys()", lambda: MP(d).keys())
show("MP(d).values()", lambda: MP(d).values())
show("MP(d).items()", lambda: MP(d).items())
show("MP(d).copy()", lambda: MP(d).copy())
show("MP(d).get('a')", lambda: MP(d).get("a"))
show("MP.__reversed__.__doc__", lambda: MP.__reversed__.__doc__)

say("== staticmethod")
f = dict.keys
sm = staticmethod(f)
show("sm", lambda: sm)
show("sm.__func__ is f", lambda: sm.__func__ is f)
show("sm.__wrapped__ is f", lambda: sm.__wrapped__ is f)
show("sorted(sm.__dict__)", lambda: sorted(sm.__dict__))
show("sm.__name__", lambda: sm.__name__)
show("sm.__qualname__", lambda: sm.__qualname__)
show("sm.__doc__", lambda: sm.__doc__)
show("sm.__isabstractmethod__", lambda: sm.__isabstractmethod__)
show("sm({'q': 1})", lambda: sm({"q": 1}))
show("sm.__get__(None, int) is f", lambda: sm.__get__(None, int) is f)
show("staticmethod()", lambda: staticmethod())
show("staticmethod(1, 2)", lambda: staticmethod(1, 2))
show("staticmethod(f=1)", lambda: staticmethod(f=1))
show("staticmethod(None)", lambda: staticmethod(None))
show("staticmethod(None).__dict__", lambda: staticmethod(None).__dict__)
show("staticmethod(None)()", lambda: staticmethod(None)())
u = staticmethod.__new__(staticmethod)
show("staticmethod.__new__(staticmethod)", lambda: u)
show("u.__func__", lambda: u.__func__)
show("u.__isabstractmethod__", lambda: u.__isabstractmethod__)
show("u.__dict__", lambda: u.__dict__)
show("u.__get__(None, int)", lambda: u.__get__(None, int))
show("sm.__dict__ = 1", lambda: setattr(sm, "__dict__", 1))
show("sm.__dict__ = {'q': 1}; sm.q", lambda: (setattr(sm, "__dict__", {"q": 1}), sm.q)[1])
show("del sm.__dict__", lambda: delattr(sm, "__dict__"))
show("sm.__func__ = 1", lambda: setattr(sm, "__func__", 1))
show("sm.__isabstractmethod__ = 1", lambda: setattr(sm, "__isabstractmethod__", 1))
show("staticmethod(Abstract()).__isabstractmethod__", lambda: staticmethod(Abstract()).__isabstractmethod__)
show("sm.__init__(dict.values)", lambda: sm.__init__(dict.values))
show("sm.__func__ after __init__", lambda: sm.__func__)
show("sm.__name__ after __init__", lambda: sm.__name__)
show("sm.__init__()", lambda: sm.__init__())
show("staticmethod(staticmethod(f))", lambda: staticmethod(staticmethod(f)))
show("SM(f)", lambda: SM(f))
show("type(SM(f)) is SM", lambda: type(SM(f)) is SM)
show("sorted(SM(f).__dict__)", lambda: sorted(SM(f).__dict__))
show("staticmethod.__init__.__text_signature__", lambda: staticmethod.__init__.__text_signature__)
show("type(staticmethod.__dict__['__func__'])", lambda: type(staticmethod.__dict__["__func__"]))
show("type(staticmethod.__dict__['__dict__'])", lambda: type(staticmethod.__dict__["__dict__"]))
