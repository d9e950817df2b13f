"""Generator protocol through attributes (grown from Lib/test/test_generators.py:
FinalizationTest, ExceptionTest, GeneratorTest.test_name/test_send_non_none_to_new_gen,
YieldFromTests, the PEP 479 tests, and the gi_* attributes / inspect.getgeneratorstate).

The C half is gen_protocol.c: the same generators with native bodies.
"""
from _transcript import say, show


def state(g):
    # inspect.getgeneratorstate, read through the attributes
    if g.gi_running:
        return "GEN_RUNNING"
    if g.gi_frame is None:
        return "GEN_CLOSED"
    if g.gi_frame.f_lasti == -1:
        return "GEN_CREATED"
    return "GEN_SUSPENDED"


def caught(thunk):
    try:
        thunk()
    except BaseException as e:  # noqa: B036
        return e
    return None


def gen():
    x = yield 1
    try:
        yield x
    except ValueError as e:
        yield ("caught", e.args)
    return "done"


say("== send, throw, next")
g = gen()
show("repr(g)", lambda: g)
show("state", lambda: state(g))
show("g.__name__", lambda: g.__name__)
show("g.__qualname__", lambda: g.__qualname__)
show("g.gi_running", lambda: g.gi_running)
show("g.gi_yieldfrom", lambda: g.gi_yieldfrom)
show("g.gi_code.co_name", lambda: g.gi_code.co_name)
show("g.gi_code.co_flags & KIND_MASK", lambda: g.gi_code.co_flags & 0x3A0)
show("g.__iter__() is g", lambda: g.__iter__() is g)
show("iter(g) is g", lambda: iter(g) is g)
show("g.send(5)", lambda: g.send(5))
show("state", lambda: state(g))
show("g.__next__()", lambda: g.__next__())
show("state", lambda: state(g))
show("g.send('x')", lambda: g.send("x"))
show("g.throw(ValueError('boom'))", lambda: g.throw(ValueError("boom")))
show("g.__next__()", lambda: g.__next__())
show("state", lambda: state(g))
show("g.gi_frame", lambda: g.gi_frame)
show("g.__next__()", lambda: g.__next__())
show("g.send(None)", lambda: g.send(None))
show("g.send(1)", lambda: g.send(1))
show("g.throw(ValueError)", lambda: g.throw(ValueError))
show("g.throw(KeyError('k'))", lambda: g.throw(KeyError("k")))
show("g.close()", lambda: g.close())

say("== throw arguments")
g = gen()
show("g.__next__()", lambda: g.__next__())
show("g.throw(1)", lambda: g.throw(1))
show("g.throw(ValueError('x'), 1)", lambda: g.throw(ValueError("x"), 1))
show("g.throw(ValueError, 1, 1)", lambda: g.throw(ValueError, 1, 1))
show("g.throw(ValueError, 1, None)", lambda: g.throw(ValueError, 1, None))
show("state", lambda: state(g))
g = gen()
show("g.__next__()", lambda: g.__next__())
show("g.throw(ValueError, ('a', 'b'))", lambda: g.throw(ValueError, ("a", "b")))
show("g.throw(TypeError, 'tt')", lambda: g.throw(TypeError, "tt"))
show("state", lambda: state(g))
g = gen()
show("g.throw(ValueError, 'unstarted')", lambda: g.throw(ValueError, "unstarted"))
show("state", lambda: state(g))
show("g.__next__()", lambda: g.__next__())

say("== close")
g = gen()
show("g.close() (created)", lambda: g.close())
show("state", lambda: state(g))
show("g.__next__()", lambda: g.__next__())


def stubborn():
    while True:
        try:
            yield "again"
        except GeneratorExit:
            pass


g = stubborn()
show("g.__next__()", lambda: g.__next__())
show("g.close()", lambda: g.close())
show("state", lambda: state(g))
show("g.throw(GeneratorExit)", lambda: g.throw(GeneratorExit))
show("state", lambda: state(g))


def returns_on_exit():
    try:
        yield "waiting"
    except GeneratorExit:
        return "ignored value"


g = returns_on_exit()
show("g.__next__()", lambda: g.__next__())
show("g.close()", lambda: g.close())
show("state", lambda: state(g))


def raises_on_exit():
    try:
        yield "waiting"
    except GeneratorExit:
        raise KeyError("from close")


g = raises_on_exit()
show("g.__next__()", lambda: g.__next__())
show("g.close()", lambda: g.close())
show("state", lambda: state(g))

say("== PEP 479")


def raises_stop():
    yield "before"
    raise StopIteration("inner")


g = raises_stop()
show("g.__next__()", lambda: g.__next__())
e = caught(lambda: g.__next__())
show("exception", lambda: e)
show("type(e.__cause__)", lambda: type(e.__cause__))
show("e.__cause__.args", lambda: e.__cause__.args)
show("e.__context__ is e.__cause__", lambda: e.__context__ is e.__cause__)
show("e.__suppress_context__", lambda: e.__suppress_context__)
show("state", lambda: state(g))

say("== yield from")


def inner():
    v = yield "i1"
    yield ("inner got", v)
    return "inner result"


def outer():
    r = yield from inner()
    yield ("outer got", r)


g = outer()
show("g.gi_yieldfrom", lambda: g.gi_yieldfrom)
show("g.__next__()", lambda: g.__next__())
show("g.gi_yieldfrom", lambda: g.gi_yieldfrom)
show("g.gi_yieldfrom.gi_running", lambda: g.gi_yieldfrom.gi_running)
show("state(g.gi_yieldfrom)", lambda: state(g.gi_yieldfrom))
show("g.send('s')", lambda: g.send("s"))
show("g.__next__()", lambda: g.__next__())
show("g.gi_yieldfrom", lambda: g.gi_yieldfrom)
show("g.__next__()", lambda: g.__next__())
g = outer()
show("g.__next__()", lambda: g.__next__())
i = g.gi_yieldfrom
show("g.throw(ValueError('to inner'))", lambda: g.throw(ValueError("to inner")))
show("state(inner)", lambda: state(i))
show("state", lambda: state(g))
g = outer()
show("g.__next__()", lambda: g.__next__())
i = g.gi_yieldfrom
show("g.close()", lambda: g.close())
show("state(inner)", lambda: state(i))
show("state", lambda: state(g))

say("== running")


def selfish():
    yield state(me)
    yield me.gi_running
    yield me.__next__()


me = selfish()
show("me.__next__()", lambda: me.__next__())
show("me.__next__()", lambda: me.__next__())
show("me.__next__()", lambda: me.__next__())
show("state", lambda: state(me))
me = None

say("== names")


def make_nested():
    def nested():
        yield
    return nested()


g = make_nested()
show("g.__name__", lambda: g.__name__)
show("g.__qualname__", lambda: g.__qualname__)
show("repr(g)", lambda: g)
show("g.__name__ = 'n2'", lambda: setattr(g, "__name__", "n2"))
show("g.__qualname__ = 'q.n2'", lambda: setattr(g, "__qualname__", "q.n2"))
show("repr(g)", lambda: g)
show("g.gi_code.co_name", lambda: g.gi_code.co_name)
show("g.__name__ = 3", lambda: setattr(g, "__name__", 3))
show("g.gi_running = 1", lambda: setattr(g, "gi_running", 1))
show("g.gi_yieldfrom = 1", lambda: setattr(g, "gi_yieldfrom", 1))
show("g.gi_code = 1", lambda: setattr(g, "gi_code", 1))
show("del g.gi_frame", lambda: delattr(g, "gi_frame"))
