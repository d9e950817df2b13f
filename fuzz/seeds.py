#!/usr/bin/env python3
"""Writes the hand-made seed inputs of fuzz_ops into corpus/fuzz_ops/ (see the input format at
the top of fuzz_targets/fuzz_ops.rs). Run it again after changing the format."""

import os

HERE = os.path.dirname(os.path.abspath(__file__))
N_STEP_KINDS = 13

# Body steps: kind + N_STEP_KINDS * parameter.
def Y(p=0): return 0 + N_STEP_KINDS * p          # yield p
def YV(): return 1                               # yield the last value received
def D(p=0): return 2 + N_STEP_KINDS * p          # await / yield from the target (odd p: the other one)
def DV(p): return 3 + N_STEP_KINDS * p           # await target.__anext__()/asend/athrow/aclose, __await__, iter()
def R(p=0): return 4 + N_STEP_KINDS * p          # return p
def RA(p): return 5 + N_STEP_KINDS * p           # raise (p % 8: class, 6 handled again, 7 latest)
def POKE(p): return 6 + N_STEP_KINDS * p         # (p>>1)%6: send, throw, close, next, check running, keep in graveyard; target (even p) or itself (odd p)
def GC(): return 7                               # PyGC_Collect() while running
def SH(p=0): return 8 + N_STEP_KINDS * p         # PyErr_SetExcInfo(ValueError(p))
def DROPT(): return 9                            # release the target
def SELF(): return 10                            # store itself in a slot (a cycle)
def CHILD(p=0): return 11 + N_STEP_KINDS * p     # await / yield from a fresh child
def BAD(v): return 12 + N_STEP_KINDS * 2 * v     # break the body contract (variant v)

GEN, CORO, AGEN, ITERCORO = 0, 1, 2, 3
# Catch modes: 0 propagate, 1 catch all, 2 all but GeneratorExit, 3 catch and mark handled,
# 4 raise RuntimeError instead, 5 only ValueError.


def create(slot, kind, catch, target, steps, counted=False):
    return bytes([0, slot, kind | (4 if counted else 0), catch,
                  0x80 if target is None else target, len(steps) - 1] + steps)


def send(slot, v=0, route=0): return bytes([1, slot, v, route])
def throw(slot, e=0, route=0): return bytes([2, slot, e, route])
def close(slot, route=0): return bytes([3, slot, route])
def aw(slot, which, a): return bytes([4, slot, which, a])
def drive(a, action, arg=0): return bytes([5, a, action, arg])
def drop(w): return bytes([6, w])
def gc(): return bytes([7])
def cycle(a, b, which): return bytes([8, a, b, which])
def dup(a, b): return bytes([9, a, b])
def driveall(s): return bytes([10, s])
def attrs(s): return bytes([11, s])
def hooks(m): return bytes([12, m])
def allocfail(n): return bytes([13, n])
def drain(): return bytes([14])
def pressure(n): return bytes([15, n])
def gcswitch(on): return bytes([16, on])
def thread(mode): return bytes([17, mode])
def origin(depth): return bytes([18, depth])
def warnings(action): return bytes([19, action])  # 0 error, 1 ignore, 2 always, 3 default, 4 reset


SEEDS = {
    "coro_basic": create(0, CORO, 1, None, [Y(1), Y(2), R(3)], True) + send(0, 0, 1) + attrs(0)
    + send(0, 1, 0) + throw(0, 0, 0) + close(0),
    "gen_throw_catch": create(0, GEN, 3, None, [Y(1), SH(2), Y(2), Y(3)]) + send(0, 0, 3)
    + throw(0, 1, 2) + send(0, 0, 3) + throw(0, 2, 1) + attrs(0) + close(0, 1),
    "await_chain": create(0, CORO, 0, None, [Y(1), Y(2), R(5)], True)
    + create(1, CORO, 1, 0, [D(0), Y(7), R(1)]) + create(2, CORO, 0, 1, [D(0), R(2)])
    + send(2, 0, 1) + attrs(2) + throw(2, 0, 0) + driveall(2) + attrs(1),
    "agen_ops": create(0, AGEN, 1, None, [Y(1), Y(2), Y(3)], True) + aw(0, 0, 0) + drive(0, 3)
    + aw(0, 1, 1) + drive(1, 0) + aw(0, 2, 2) + drive(2, 3) + aw(0, 4, 3) + drive(3, 3)
    + driveall(0),
    "agen_await_coro": create(0, CORO, 0, None, [Y(4), R(4)])
    + create(1, AGEN, 2, 0, [Y(1), D(0), Y(2)], True) + hooks(1) + aw(1, 0, 0) + drive(0, 3)
    + aw(1, 0, 1) + drive(1, 3) + drop(1) + gc() + drain() + hooks(0),
    "cycles_gc": create(0, GEN, 0, None, [SELF(), Y(1), Y(2)]) + create(1, CORO, 1, 0, [Y(1)], True)
    + send(0, 0, 1) + cycle(1, 0, 0) + cycle(0, 1, 1) + aw(1, 0, 0) + cycle(1, 0, 2) + drop(0)
    + drop(1) + drop(8) + gc() + gc(),
    "pokes": create(0, CORO, 1, None, [Y(1), Y(2), Y(3)])
    + create(1, CORO, 5, 0, [POKE(0), POKE(1), POKE(2), POKE(9), GC(), D(0), R(1)])
    + send(1, 0, 1) + driveall(1),
    "children_delegate_via": create(0, AGEN, 1, None, [Y(1), Y(2)])
    + create(1, CORO, 1, 0, [CHILD(3), DV(0), DV(1), DV(2), DV(3), R(1)]) + driveall(1)
    + create(2, GEN, 1, None, [CHILD(2), Y(1)]) + create(3, ITERCORO, 1, 2, [D(0), D(1), R(1)])
    + driveall(3),
    "allocfail": allocfail(5) + create(0, CORO, 1, None, [Y(1), CHILD(2), R(1)], True)
    + driveall(0) + allocfail(3) + create(1, AGEN, 1, 0, [D(0), Y(1)]) + driveall(1),
    "finalize_unstarted": create(0, CORO, 0, None, [Y(1)], True) + create(1, AGEN, 0, None, [Y(1)])
    + create(2, GEN, 1, None, [Y(1), Y(2)]) + send(2, 0, 1) + hooks(1) + aw(1, 0, 0)
    + drive(0, 3) + drop(0) + drop(1) + drop(2) + drop(8) + gc() + drain(),
    "rethrow_tracebacks": create(0, CORO, 0, None, [Y(1), RA(0)]) + create(1, GEN, 3, None, [Y(1), Y(2), RA(6)])
    + driveall(0) + send(1) + throw(1, 16, 1) + throw(1, 17, 0) + create(2, CORO, 1, None, [Y(1), Y(2)])
    + send(2) + throw(2, 18, 3) + throw(2, 19, 2),
    "gc_pressure": pressure(40) + create(0, AGEN, 1, None, [Y(1), CHILD(1), Y(2)], True)
    + create(1, CORO, 1, 0, [DV(0), DV(1), GC(), R(0)]) + driveall(1) + pressure(200)
    + create(2, GEN, 0, None, [SELF(), CHILD(2), Y(3)]) + driveall(2) + gcswitch(0) + gc()
    + gcswitch(1),
    "bad_bodies": create(0, CORO, 1, None, [Y(1), BAD(0)], True) + driveall(0)
    + create(1, CORO, 1, 0, [BAD(1)]) + send(1) + create(2, AGEN, 1, None, [Y(1), BAD(3)])
    + driveall(2) + create(3, GEN, 0, None, [BAD(4)]) + send(3) + create(4, CORO, 1, None, [BAD(5)])
    + create(5, CORO, 1, 4, [D(0), Y(1), BAD(7)]) + driveall(5) + create(6, GEN, 1, None, [BAD(2)])
    + create(7, CORO, 0, None, [BAD(6)]) + send(6) + send(7),
    "warnings_origin": origin(2) + warnings(0) + create(0, CORO, 1, None, [CHILD(2), Y(1), CHILD(5)])
    + send(0) + drop(0) + create(1, GEN, 1, None, [CHILD(2), Y(1)]) + send(1) + drop(1) + warnings(2)
    + create(2, CORO, 1, None, [Y(1)], True) + drop(2) + warnings(4) + origin(0),
    "resurrect": create(0, GEN, 1, None, [Y(1), POKE(11), Y(2)], True) + send(0) + drop(0)
    + create(1, CORO, 1, None, [SELF(), Y(1), POKE(11), R(0)]) + send(1) + drop(1) + gc() + drain()
    + create(2, AGEN, 2, 1, [Y(1), POKE(10), Y(2)]) + driveall(2) + drop(2) + gc() + drain(),
    "threads_origin": origin(3) + thread(8 | 16 | 32 | CORO) + thread(8 | 64 | AGEN)
    + create(5, CORO, 1, None, [Y(1)], True) + thread(128 | 5)
    + create(6, GEN, 1, None, [Y(1)]) + driveall(6) + thread(128 | 64 | 6) + create(0, AGEN, 1, None, [Y(1)])
    + create(3, CORO, 1, 0, [CHILD(1), DV(0), R(1)]) + driveall(3) + gc() + origin(0),
}


def main():
    d = os.path.join(HERE, "corpus", "fuzz_ops")
    os.makedirs(d, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
    print(f"{len(SEEDS)} seeds in {d}")


if __name__ == "__main__":
    main()
