"""Finalization of generators, coroutines and async generators (grown from
Lib/test/test_generators.py: FinalizationTest, test_generators' "generator ignored
GeneratorExit" on collection; test_coroutines.py: test_unawaited_warning*/
test_coro_finalize-style cases; test_asyncgen.py: the finalizer hook,
test_async_gen_... collected while suspended).

Unraisable exceptions go through sys.unraisablehook and warnings through
warnings.showwarning (C: PyNative_SetUnraisableHook, PyNative_SetWarningHandler), both
printing the transcript's lines.

The C half is finalize.c: the same objects with native bodies.
"""
import gc
import sys
import types
import warnings

from _transcript import say, show

log = []


def hook(u):
    print(f"unraisable: {u.exc_type.__name__}: {u.exc_value} | msg={u.err_msg!r} | "
          f"object={u.object!r}")


def showwarning(message, category, filename, lineno, file=None, line=None):
    print(f"warning: {category.__name__}: {message}")


sys.unraisablehook = hook
warnings.showwarning = showwarning
warnings.simplefilter("always")


def with_finally(tag):
    try:
        yield tag
    finally:
        log.append(("finally", tag))


def stubborn():
    while True:
        try:
            yield "again"
        except GeneratorExit:
            pass


def raises_on_exit():
    try:
        yield "waiting"
    except GeneratorExit:
        raise KeyError("from finalizer")


@types.coroutine
def suspend(value):
    sent = yield value
    return sent


async def work():
    try:
        await suspend("working")
    finally:
        log.append(("finally", "work"))


async def agen():
    try:
        yield "one"
        yield "two"
    finally:
        log.append(("finally", "agen"))


def cyc(box):
    try:
        yield box
    finally:
        log.append(("finally", "cycle"))


say("== generators")
g = with_finally("created")
del g
show("log (never started)", lambda: list(log))
g = with_finally("suspended")
show("next(g)", lambda: next(g))
del g
show("log (suspended, dropped)", lambda: list(log))
log.clear()
g = stubborn()
show("next(g)", lambda: next(g))
del g
say("(dropped a stubborn generator)")
g = raises_on_exit()
show("next(g)", lambda: next(g))
del g
say("(dropped raises_on_exit)")
box = []
g = cyc(box)
box.append(g)
show("next(g)", lambda: next(g) is box)
del g, box
show("log before collect", lambda: list(log))
gc.collect()
show("log after collect", lambda: list(log))
log.clear()

say("== coroutines")
c = work()
del c
say("(dropped a coroutine never awaited)")
c = work()
show("c.send(None)", lambda: c.send(None))
del c
show("log (suspended coroutine dropped)", lambda: list(log))
log.clear()
c = work()
c.close()
del c
say("(closed, then dropped)")

say("== async generators")
a = agen()
show("a.__anext__().send(None)", lambda: a.__anext__().send(None))
del a
show("log (no finalizer hook)", lambda: list(log))
log.clear()
seen = []
sys.set_asyncgen_hooks(finalizer=lambda gen: seen.append(gen.__name__))
a = agen()
show("a.__anext__().send(None)", lambda: a.__anext__().send(None))
del a
show("finalizer saw", lambda: list(seen))
show("log (the finalizer did not close it)", lambda: list(log))
a = agen()
del a
show("finalizer saw (never started)", lambda: list(seen))
sys.set_asyncgen_hooks(finalizer=None)
log.clear()
