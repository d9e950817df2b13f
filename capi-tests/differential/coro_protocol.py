"""Coroutine protocol through attributes (grown from Lib/test/test_coroutines.py:
CoroutineTest.test_func_5/6/7/8 (send/throw/close through the wrapper),
test_corotype_1, test_await_1..15 (what `await` accepts and its errors),
test_coro_wrapper_send_tuple/stop_iteration, "coroutine ignored GeneratorExit",
"coroutine raised StopIteration", "coroutine is being awaited already",
"coroutine already executing").

The C half is coro_protocol.c: the same coroutines with native bodies.
"""
import types

from _transcript import say, show


def caught(thunk):
    try:
        thunk()
    except BaseException as e:  # noqa: B036
        return e
    return None


@types.coroutine
def suspend(value):
    sent = yield value
    return sent


async def echo():
    got = await suspend("ready")
    return ("echo", got)


async def waiter(inner):
    return await inner


class NotIterAwait:
    def __await__(self):
        return 1


class IntAwait:
    pass


say("== send and return values")
c = echo()
show("c.send(None)", lambda: c.send(None))
e = caught(lambda: c.send((1, 2)))
show("c.send((1, 2))", lambda: e)
show("e.value", lambda: e.value)
show("e.args", lambda: e.args)
c = echo()
w = c.__await__()
show("w.send(None)", lambda: w.send(None))
show("w.send(StopIteration('v'))", lambda: w.send(StopIteration("v")))
c = echo()
show("c.send(None)", lambda: c.send(None))
show("c.throw(StopIteration)", lambda: c.throw(StopIteration))
show("c.cr_frame", lambda: c.cr_frame)

say("== throw and close through await")
inner = echo()
outer = waiter(inner)
show("outer.send(None)", lambda: outer.send(None))
show("outer.cr_await is inner", lambda: outer.cr_await is inner)
show("inner.cr_running", lambda: inner.cr_running)
show("outer.throw(KeyError('k'))", lambda: outer.throw(KeyError("k")))
show("inner.cr_frame", lambda: inner.cr_frame)
show("outer.cr_frame", lambda: outer.cr_frame)
inner = echo()
outer = waiter(inner)
show("outer.send(None)", lambda: outer.send(None))
show("outer.close()", lambda: outer.close())
show("inner.cr_frame", lambda: inner.cr_frame)
show("inner.send(None)", lambda: inner.send(None))
inner = echo()
outer = waiter(inner)
show("outer.send(None)", lambda: outer.send(None))
show("outer.send('through')", lambda: outer.send("through"))

say("== what await accepts")
show("await 1", lambda: waiter(1).send(None))
show("await object()", lambda: waiter(IntAwait()).send(None))
show("await (__await__ returns 1)", lambda: waiter(NotIterAwait()).send(None))
show("await a plain generator", lambda: waiter((lambda: (yield))()).send(None))
show("await a @types.coroutine generator", lambda: waiter(suspend("gen")).send(None))
c = echo()
show("c.send(None)", lambda: c.send(None))
show("await c while c is suspended elsewhere", lambda: waiter(c).send(None))
c.close()
c = echo()
w1 = waiter(c)
show("w1.send(None)", lambda: w1.send(None))
show("await c again from w2", lambda: waiter(c).send(None))
show("c.cr_await", lambda: c.cr_await)
w1.close()
c = echo()
show("c.close() (created)", lambda: c.close())
show("await a closed coroutine", lambda: waiter(c).send(None))


async def stubborn():
    while True:
        try:
            await suspend("again")
        except GeneratorExit:
            pass


async def raises_stop():
    await suspend("before")
    raise StopIteration("inner")


async def returns_on_exit():
    try:
        await suspend("waiting")
    except GeneratorExit:
        return "ignored"


say("== exits")
c = stubborn()
show("c.send(None)", lambda: c.send(None))
show("c.close()", lambda: c.close())
show("c.throw(GeneratorExit)", lambda: c.throw(GeneratorExit))
show("c.cr_frame is None", lambda: c.cr_frame is None)
c = raises_stop()
show("c.send(None)", lambda: c.send(None))
e = caught(lambda: c.send(None))
show("c.send(None)", lambda: e)
show("type(e.__cause__)", lambda: type(e.__cause__))
c = returns_on_exit()
show("c.send(None)", lambda: c.send(None))
show("c.close()", lambda: c.close())
show("c.cr_frame is None", lambda: c.cr_frame is None)


async def selfish():
    yield_value = await suspend(me.cr_running)
    return me.send(yield_value)


say("== running")
me = selfish()
show("me.send(None)", lambda: me.send(None))
show("me.send('x')", lambda: me.send("x"))
show("me.cr_frame is None", lambda: me.cr_frame is None)
me = None
