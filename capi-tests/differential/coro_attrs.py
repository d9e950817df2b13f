"""Coroutine attributes (grown from Lib/test/test_coroutines.py: CoroutineTest.test_func_*,
test_corotype_1, test_await_*, the cr_* attribute tests, inspect.getcoroutinestate).

The C half is coro_attrs.c: the same coroutines with native bodies.
"""
import types

from _transcript import say, show, sorted_list


@types.coroutine
def suspend(value):
    sent = yield value
    return sent


async def work():
    a = await suspend("first")
    b = await suspend("second")
    return (a, b)


def state(c):
    # inspect.getcoroutinestate, read through the attributes
    if c.cr_running:
        return "CORO_RUNNING"
    if c.cr_frame is None:
        return "CORO_CLOSED"
    if c.cr_frame.f_lasti == -1:
        return "CORO_CREATED"
    return "CORO_SUSPENDED"


say("== lifecycle")
c = work()
show("repr(c)", lambda: c)
show("state", lambda: state(c))
show("c.__name__", lambda: c.__name__)
show("c.__qualname__", lambda: c.__qualname__)
show("c.cr_running", lambda: c.cr_running)
show("c.cr_await", lambda: c.cr_await)
show("c.cr_origin", lambda: c.cr_origin)
show("c.cr_code.co_name", lambda: c.cr_code.co_name)
show("c.cr_code.co_flags & KIND_MASK", lambda: c.cr_code.co_flags & 0x3A0)
show("c.cr_frame.f_code is c.cr_code", lambda: c.cr_frame.f_code is c.cr_code)
w = c.__await__()
show("repr(c.__await__())", lambda: w)
show("type(w).__name__", lambda: type(w).__name__)
show("w.__iter__() is w", lambda: w.__iter__() is w)
show("w.__next__()", lambda: w.__next__())
show("state", lambda: state(c))
show("c.cr_await", lambda: c.cr_await)
show("c.cr_await.gi_running", lambda: c.cr_await.gi_running)
show("c.cr_await.__name__", lambda: c.cr_await.__name__)
show("c.send('A')", lambda: c.send("A"))
show("state", lambda: state(c))
show("w.send('B')", lambda: w.send("B"))
show("state", lambda: state(c))
show("c.cr_frame", lambda: c.cr_frame)
show("c.cr_await", lambda: c.cr_await)
show("c.send(None)", lambda: c.send(None))
show("w.__next__()", lambda: w.__next__())
show("c.throw(ValueError)", lambda: c.throw(ValueError))
show("c.close()", lambda: c.close())
show("state", lambda: state(c))

say("== names")
c = work()
show("c.__name__ = 'renamed'", lambda: setattr(c, "__name__", "renamed"))
show("c.__name__", lambda: c.__name__)
show("c.__qualname__", lambda: c.__qualname__)
show("c.__qualname__ = 'Outer.renamed'", lambda: setattr(c, "__qualname__", "Outer.renamed"))
show("repr(c)", lambda: c)
show("c.__name__ = 1", lambda: setattr(c, "__name__", 1))
show("c.__qualname__ = None", lambda: setattr(c, "__qualname__", None))
show("del c.__name__", lambda: delattr(c, "__name__"))
show("del c.__qualname__", lambda: delattr(c, "__qualname__"))
show("c.__name__", lambda: c.__name__)
show("c.cr_code.co_name", lambda: c.cr_code.co_name)
show("c.cr_frame = None", lambda: setattr(c, "cr_frame", None))
show("c.cr_running = True", lambda: setattr(c, "cr_running", True))
show("c.cr_await = None", lambda: setattr(c, "cr_await", None))
show("c.cr_origin = None", lambda: setattr(c, "cr_origin", None))
show("c.missing", lambda: c.missing)
show("c.missing = 1", lambda: setattr(c, "missing", 1))
show("c.close()", lambda: c.close())
show("state", lambda: state(c))
show("c.cr_code.co_name", lambda: c.cr_code.co_name)

say("== descriptors")
C = type(c)
show("C", lambda: C)
show("C.__name__", lambda: C.__name__)
show("C.__qualname__", lambda: C.__qualname__)
show("C.__module__", lambda: C.__module__)
show("sorted(C.__dict__)", lambda: sorted_list(C.__dict__))
show("C.__await__", lambda: C.__await__)
show("C.send", lambda: C.send)
show("C.throw", lambda: C.throw)
show("C.close", lambda: C.close)
show("C.cr_frame", lambda: C.cr_frame)
show("C.cr_await", lambda: C.cr_await)
show("C.cr_running", lambda: C.cr_running)
show("C.__name__ descriptor", lambda: C.__dict__["__name__"])
show("C.__del__", lambda: C.__del__)
show("c.__await__", lambda: c.__await__)
show("c.send", lambda: c.send)
show("c.close", lambda: c.close)
show("c.__repr__", lambda: c.__repr__)
show("C.__await__.__objclass__", lambda: C.__await__.__objclass__)
show("C.send.__objclass__", lambda: C.send.__objclass__)
show("C.cr_frame.__objclass__", lambda: C.cr_frame.__objclass__)
show("C.__await__.__name__", lambda: C.__await__.__name__)
show("C.__await__.__qualname__", lambda: C.__await__.__qualname__)
show("C.send.__qualname__", lambda: C.send.__qualname__)
show("C.__await__.__doc__", lambda: C.__await__.__doc__)
show("C.__await__.__text_signature__", lambda: C.__await__.__text_signature__)
show("C.send.__doc__", lambda: C.send.__doc__)
show("C.send.__text_signature__", lambda: C.send.__text_signature__)
show("C.cr_await.__doc__", lambda: C.cr_await.__doc__)
show("C.cr_frame.__doc__", lambda: C.cr_frame.__doc__)
show("c.__await__.__self__ is c", lambda: c.__await__.__self__ is c)
show("c.send.__self__ is c", lambda: c.send.__self__ is c)
show("c.__await__.__name__", lambda: c.__await__.__name__)
show("c.send.__name__", lambda: c.send.__name__)
show("hasattr(c, '__iter__')", lambda: hasattr(c, "__iter__"))
show("hasattr(c, '__next__')", lambda: hasattr(c, "__next__"))
show("hasattr(c, '__aiter__')", lambda: hasattr(c, "__aiter__"))
show("c.close()", lambda: c.close())

say("== descriptor calls")
c = work()
show("C.__await__(c)", lambda: C.__await__(c))
show("C.__await__()", lambda: C.__await__())
show("C.__await__(1)", lambda: C.__await__(1))
show("c.__await__(1)", lambda: c.__await__(1))
show("C.send(1, None)", lambda: C.send(1, None))
show("C.send(c)", lambda: C.send(c))
show("c.send()", lambda: c.send())
show("c.send(1, 2)", lambda: c.send(1, 2))
show("c.close(1)", lambda: c.close(1))
show("c.throw()", lambda: c.throw())
show("C.cr_running.__get__(c)", lambda: C.cr_running.__get__(c))
show("C.cr_running.__get__(None, C)", lambda: C.cr_running.__get__(None, C))
show("C.cr_running.__get__(None, None)", lambda: C.cr_running.__get__(None, None))
show("C.cr_running.__get__(1)", lambda: C.cr_running.__get__(1))
show("C.cr_frame.__get__(1)", lambda: C.cr_frame.__get__(1))
show("C.__name__ descr .__set__(c, 'x')", lambda: C.__dict__["__name__"].__set__(c, "x"))
show("c.__name__", lambda: c.__name__)
show("C.__name__ descr .__set__(1, 'x')", lambda: C.__dict__["__name__"].__set__(1, "x"))
show("C.cr_running.__set__(c, 1)", lambda: C.cr_running.__set__(c, 1))
show("C.send.__get__(c)", lambda: C.send.__get__(c))
show("C.send.__get__(None, C)", lambda: C.send.__get__(None, C))
show("C.send.__get__(1)", lambda: C.send.__get__(1))
show("C.__await__.__get__(c)", lambda: C.__await__.__get__(c))
show("C.__await__.__get__(None, C)", lambda: C.__await__.__get__(None, C))
show("C.__await__.__get__(1)", lambda: C.__await__.__get__(1))
show("c.close()", lambda: c.close())
