"""Attributes of built-in types (grown from Lib/test/test_types.py and test_descr.py's tests
of type attributes: __name__, __qualname__, __module__, __mro__, __bases__, __base__, __doc__,
__basicsize__, __itemsize__, __flags__, __dictoffset__, __weakrefoffset__, mro(), __dict__).

The C half is type_attrs.c: the same types reached through pycoro's exported type objects.
"""
import types

from _transcript import say, show, sorted_list


async def _coro():
    pass


async def _agen():
    yield


def _gen():
    yield


_c = _coro()
_a = _agen()
TYPES = [
    ("object", object),
    ("type", type),
    ("int", int),
    ("bool", bool),
    ("str", str),
    ("tuple", tuple),
    ("list", list),
    ("dict", dict),
    ("NoneType", type(None)),
    ("NotImplementedType", type(NotImplemented)),
    ("generator", types.GeneratorType),
    ("coroutine", types.CoroutineType),
    ("async_generator", types.AsyncGeneratorType),
    ("coroutine_wrapper", type(_c.__await__())),
    ("async_generator_asend", type(_a.asend(None))),
    ("async_generator_athrow", type(_a.aclose())),
    ("code", types.CodeType),
    ("frame", types.FrameType),
    ("traceback", types.TracebackType),
    ("builtin_function_or_method", types.BuiltinFunctionType),
    ("method_descriptor", types.MethodDescriptorType),
    ("classmethod_descriptor", types.ClassMethodDescriptorType),
    ("wrapper_descriptor", types.WrapperDescriptorType),
    ("method-wrapper", types.MethodWrapperType),
    ("member_descriptor", types.MemberDescriptorType),
    ("getset_descriptor", types.GetSetDescriptorType),
    ("mappingproxy", types.MappingProxyType),
    ("staticmethod", staticmethod),
    ("BaseException", BaseException),
    ("Exception", Exception),
    ("TypeError", TypeError),
    ("StopIteration", StopIteration),
    ("StopAsyncIteration", StopAsyncIteration),
    ("GeneratorExit", GeneratorExit),
    ("KeyError", KeyError),
    ("OSError", OSError),
    ("UnicodeDecodeError", UnicodeDecodeError),
    ("RecursionError", RecursionError),
    ("ResourceWarning", ResourceWarning),
]
_c.close()

FLAGS = [
    ("HEAPTYPE", 1 << 9),
    ("BASETYPE", 1 << 10),
    ("HAVE_VECTORCALL", 1 << 11),
    ("READY", 1 << 12),
    ("HAVE_GC", 1 << 14),
    ("METHOD_DESCRIPTOR", 1 << 17),
    ("IS_ABSTRACT", 1 << 20),
    ("IMMUTABLETYPE", 1 << 8),
    ("DISALLOW_INSTANTIATION", 1 << 7),
    ("SEQUENCE", 1 << 5),
    ("MAPPING", 1 << 6),
    ("LONG_SUBCLASS", 1 << 24),
    ("LIST_SUBCLASS", 1 << 25),
    ("TUPLE_SUBCLASS", 1 << 26),
    ("UNICODE_SUBCLASS", 1 << 28),
    ("DICT_SUBCLASS", 1 << 29),
    ("BASE_EXC_SUBCLASS", 1 << 30),
    ("TYPE_SUBCLASS", 1 << 31),
]


def flags(t):
    return [name for name, bit in FLAGS if t.__flags__ & bit]


for label, T in TYPES:
    say(f"== {label}")
    show("__name__", lambda: T.__name__)
    show("__qualname__", lambda: T.__qualname__)
    show("__module__", lambda: T.__module__)
    show("__mro__", lambda: T.__mro__)
    show("mro()", lambda: T.mro())
    show("__bases__", lambda: T.__bases__)
    show("__base__", lambda: T.__base__)
    show("__basicsize__", lambda: T.__basicsize__)
    show("__itemsize__", lambda: T.__itemsize__)
    show("__dictoffset__", lambda: T.__dictoffset__)
    show("__weakrefoffset__", lambda: T.__weakrefoffset__)
    show("__flags__", lambda: flags(T))
    show("__doc__", lambda: T.__doc__)
    show("__text_signature__", lambda: T.__text_signature__)
    show("__abstractmethods__", lambda: T.__abstractmethods__)
    show("sorted(__dict__)", lambda: sorted_list(T.__dict__))
    show("type(T)", lambda: type(T))
    show("repr", lambda: T)
