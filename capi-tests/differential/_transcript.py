"""Printing helpers of the differential scenarios (capi-tests/differential/*.py).

The Python half of transcript.h: each NAME.py prints, on CPython 3.10, the transcript its
NAME.c prints on pycoro; tests/differential.rs compares them line by line. Line formats:

    label: repr(result)            an operation that returned
    label: !TypeName: message      an operation that raised (": message" left out when
                                   str(exception) is empty)
"""


def _exc(e):
    msg = str(e)
    return "!" + type(e).__name__ + (": " + msg if msg else "")


def show(label, thunk):
    """Prints "label: repr(thunk())", or the exception it raised."""
    try:
        r = thunk()
    except BaseException as e:  # noqa: B036 - GeneratorExit and StopIteration included
        print(f"{label}: {_exc(e)}")
    else:
        print(f"{label}: {r!r}")


def show_str(label, thunk):
    """Prints "label: str(thunk())", or the exception it raised."""
    try:
        r = thunk()
    except BaseException as e:  # noqa: B036
        print(f"{label}: {_exc(e)}")
    else:
        print(f"{label}: {r}")


def show_status(label, thunk):
    """For operations whose C counterpart returns 0/-1: prints None, or the exception."""
    try:
        thunk()
    except BaseException as e:  # noqa: B036
        print(f"{label}: {_exc(e)}")
    else:
        print(f"{label}: None")


def say(text):
    print(text)


def sorted_list(iterable):
    return sorted(iterable)
