"""Async generator protocol through attributes (grown from Lib/test/test_asyncgen.py:
AsyncGenTest.test_async_gen_exception_*, test_async_gen_api_01, the asend/athrow/aclose
awaitables driven by hand, "already running", sys.set_asyncgen_hooks' firstiter).

The C half is agen_protocol.c: the same async generators with native bodies.
"""
import sys
import types

from _transcript import say, show, sorted_list


@types.coroutine
def suspend(value):
    sent = yield value
    return sent


async def agen():
    got = await suspend("awaiting")
    yield ("first", got)
    try:
        yield "second"
    except ValueError as e:
        yield ("caught", e.args)


def state(a):
    # inspect.getasyncgenstate (3.12) read through the attributes
    if a.ag_running:
        return "AGEN_RUNNING"
    if a.ag_frame is None:
        return "AGEN_CLOSED"
    if a.ag_frame.f_lasti == -1:
        return "AGEN_CREATED"
    return "AGEN_SUSPENDED"


say("== anext and asend")
a = agen()
show("repr(a)", lambda: a)
show("state", lambda: state(a))
show("a.__name__", lambda: a.__name__)
show("a.__qualname__", lambda: a.__qualname__)
show("a.ag_running", lambda: a.ag_running)
show("a.ag_await", lambda: a.ag_await)
show("a.ag_code.co_name", lambda: a.ag_code.co_name)
show("a.ag_code.co_flags & KIND_MASK", lambda: a.ag_code.co_flags & 0x3A0)
show("a.__aiter__() is a", lambda: a.__aiter__() is a)
n = a.__anext__()
show("repr(a.__anext__())", lambda: n)
show("type(n).__name__", lambda: type(n).__name__)
show("n.__iter__() is n", lambda: n.__iter__() is n)
show("n.__await__() is n", lambda: n.__await__() is n)
show("n.__next__()", lambda: n.__next__())
show("state", lambda: state(a))
show("a.ag_running", lambda: a.ag_running)
show("a.ag_await", lambda: a.ag_await)
show("a.ag_await.__name__", lambda: a.ag_await.__name__)
show("n.send('S')", lambda: n.send("S"))
show("state", lambda: state(a))
show("a.ag_running", lambda: a.ag_running)
show("a.ag_await", lambda: a.ag_await)
show("n.send(None)", lambda: n.send(None))
show("n.__next__()", lambda: n.__next__())
show("n.throw(ValueError)", lambda: n.throw(ValueError))
show("n.close()", lambda: n.close())
s = a.asend(None)
show("repr(a.asend(None))", lambda: s)
show("s.send(None)", lambda: s.send(None))
t = a.athrow(ValueError("v"))
show("repr(a.athrow(ValueError('v')))", lambda: t)
show("type(t).__name__", lambda: type(t).__name__)
show("t.send(None)", lambda: t.send(None))
show("t.send(None)", lambda: t.send(None))
show("a.__anext__().send(None)", lambda: a.__anext__().send(None))
show("state", lambda: state(a))
show("a.__anext__().send(None)", lambda: a.__anext__().send(None))
show("a.aclose().send(None)", lambda: a.aclose().send(None))
show("a.athrow(ValueError).send(None)", lambda: a.athrow(ValueError).send(None))
show("a.asend(1).send(None)", lambda: a.asend(1).send(None))

say("== just started")
a = agen()
show("a.asend('x').send(None)", lambda: a.asend("x").send(None))
show("state", lambda: state(a))
show("a.asend(None).send('x')", lambda: a.asend(None).send("x"))
show("state", lambda: state(a))
show("a.__anext__().send(None)", lambda: a.__anext__().send(None))
show("a.aclose().send(None)", lambda: a.aclose().send(None))
show("state", lambda: state(a))
a = agen()
show("a.athrow(KeyError('unstarted')).send(None)",
     lambda: a.athrow(KeyError("unstarted")).send(None))
show("state", lambda: state(a))
a = agen()
show("a.aclose().send(None) (created)", lambda: a.aclose().send(None))
show("state", lambda: state(a))

say("== already running")
a = agen()
n1 = a.__anext__()
show("n1.send(None)", lambda: n1.send(None))
show("a.__anext__().send(None)", lambda: a.__anext__().send(None))
show("a.asend(None).send(None)", lambda: a.asend(None).send(None))
show("a.athrow(ValueError).send(None)", lambda: a.athrow(ValueError).send(None))
show("a.aclose().send(None)", lambda: a.aclose().send(None))
show("n1.send('late')", lambda: n1.send("late"))
show("state", lambda: state(a))
show("a.aclose().send(None)", lambda: a.aclose().send(None))
show("state", lambda: state(a))

say("== athrow and aclose arguments")
a = agen()
show("a.athrow()", lambda: a.athrow())
show("a.athrow(1).send(None)", lambda: a.athrow(1).send(None))
show("a.aclose(1)", lambda: a.aclose(1))
show("a.asend()", lambda: a.asend())
show("a.__anext__(1)", lambda: a.__anext__(1))
show("a.aclose().send(None)", lambda: a.aclose().send(None))


async def stubborn():
    while True:
        try:
            yield "again"
        except GeneratorExit:
            pass


a = stubborn()
show("a.__anext__().send(None)", lambda: a.__anext__().send(None))
c = a.aclose()
show("a.aclose().send(None)", lambda: c.send(None))
show("a.aclose() again .send(None)", lambda: c.send(None))
show("state", lambda: state(a))


async def raises_stop_async():
    yield "before"
    raise StopAsyncIteration("inner")


async def raises_stop():
    yield "before"
    raise StopIteration("inner")


a = raises_stop_async()
show("a.__anext__().send(None)", lambda: a.__anext__().send(None))
show("a.__anext__().send(None)", lambda: a.__anext__().send(None))
show("state", lambda: state(a))
a = raises_stop()
show("a.__anext__().send(None)", lambda: a.__anext__().send(None))
show("a.__anext__().send(None)", lambda: a.__anext__().send(None))

say("== firstiter hook")
seen = []
sys.set_asyncgen_hooks(firstiter=lambda gen: seen.append(gen.__name__))
a = agen()
show("seen", lambda: list(seen))
n = a.__anext__()
show("seen after __anext__()", lambda: list(seen))
n2 = a.aclose()
show("seen after aclose()", lambda: list(seen))
show("n2.send(None)", lambda: n2.send(None))
sys.set_asyncgen_hooks(firstiter=None)

say("== types")
a = agen()
A = type(a)
show("A", lambda: A)
show("sorted(A.__dict__)", lambda: sorted_list(A.__dict__))
show("sorted(asend type.__dict__)", lambda: sorted_list(type(a.asend(None)).__dict__))
show("sorted(athrow type.__dict__)", lambda: sorted_list(type(a.aclose()).__dict__))
show("A.__anext__", lambda: A.__anext__)
show("A.__aiter__", lambda: A.__aiter__)
show("A.asend", lambda: A.asend)
show("A.ag_await", lambda: A.ag_await)
show("A.ag_running", lambda: A.ag_running)
show("A.ag_frame", lambda: A.ag_frame)
show("a.__anext__", lambda: a.__anext__)
show("a.aclose", lambda: a.aclose)
show("A.__anext__.__doc__", lambda: A.__anext__.__doc__)
show("A.asend.__doc__", lambda: A.asend.__doc__)
show("A.__anext__(1)", lambda: A.__anext__(1))
show("A.asend(1, 2)", lambda: A.asend(1, 2))
show("a.ag_running = True", lambda: setattr(a, "ag_running", True))
show("a.ag_await = None", lambda: setattr(a, "ag_await", None))
show("a.__name__ = 'an'", lambda: setattr(a, "__name__", "an"))
show("a.__qualname__ = 7", lambda: setattr(a, "__qualname__", 7))
show("repr(a)", lambda: a)
show("a.__name__", lambda: a.__name__)
