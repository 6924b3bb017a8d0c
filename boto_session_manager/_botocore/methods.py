"""One set of generated client methods per service model, for every session.

Private botocore names used here: ``ClientCreator._create_api_method`` (the
code of the ``_api_call`` it generates) and a ``ClientMethodDocstring``'s
``_gen_args``/``_gen_kwargs``; verified by
:func:`boto_session_manager._botocore.check`.
"""

from __future__ import annotations

import threading
import types
from collections.abc import Mapping
from typing import Any

import botocore.client
import botocore.hooks
from botocore.docs.docstring import ClientMethodDocstring

from .. import _forksafe
from ..exceptions import BotocoreCompatibilityError
from .handlers import _docs_nodes, _SharedAliaser


def _generated_api_call_code() -> types.CodeType:
    """The code object of the methods botocore generates for client classes."""
    make = getattr(botocore.client.ClientCreator, "_create_api_method", None)
    consts = getattr(getattr(make, "__code__", None), "co_consts", ())
    for const in consts:
        if isinstance(const, types.CodeType) and const.co_name == "_api_call":
            return const
    msg = (  # pragma: no cover - only on an incompatible botocore
        "botocore.client.ClientCreator no longer generates client methods from "
        "_create_api_method/_api_call; client methods cannot be shared"
    )
    raise BotocoreCompatibilityError(msg)  # pragma: no cover


class _ClientMethods:
    """The generated methods of the first client class of each model, for all later ones.

    :meth:`share` runs once a client's class is built, so every handler of
    ``creating-client-class`` (botocore's, boto3's and the user's, registered
    first, normally or last) has run: what they changed in place is on that
    class's own functions, never on shared ones. A method is taken, and
    replaced, only while it is still what botocore generated: the same code
    object and name, no attribute set on it, and its lazy docstring (a
    ``ClientMethodDocstring``) the one botocore built for this class's model
    and session. The key is the parsed model's identity, so another API
    version or a model from ``AWS_DATA_PATH`` gets methods (and docs) of its
    own.

    The first class keeps its own functions; what is shared is a copy of each,
    whose docstring renders through the builtin-handler template instead of
    the first session's emitter. So a shared method holds on to no session,
    and its docs are what any session without ``docs.*`` handlers of its own
    would render. A session that registered such handlers (or a ``*``
    handler at the top level) keeps its own methods and docs.

    Known differences from plain botocore: an attribute set on a generated
    method *after* its client was created (``type(client).get_item.__doc__ =
    ...``) is seen by the clients of every manager that share it (change
    methods in a ``creating-client-class`` handler instead); and ``docs.*``
    handlers a session registers after it created a client of a service do
    not reach that client's docstrings (register them first).

    Thread safety: :meth:`share` may run in many threads at once; the first
    set stored for a model wins and is never replaced.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        _forksafe.register(self._renew_lock)
        self._code: types.CodeType | None = None
        #: The template's ``docs`` and ``*`` handler nodes, and an emitter rendering through it.
        self._template_docs: tuple[Any, Any] | None = None
        self._docs_emitter: Any = None
        self._by_model: dict[int, tuple[Any, dict[str, Any]]] = {}

    def _renew_lock(self) -> None:
        self._lock = threading.Lock()

    def use_template(self, template: botocore.hooks.HierarchicalEmitter) -> None:
        self._template_docs = _docs_nodes(template)
        self._docs_emitter = _SharedAliaser(template)

    def _renders_docs_as_template(self, emitter: Any) -> bool:
        nodes, template = _docs_nodes(emitter), self._template_docs
        return (
            nodes is not None
            and template is not None
            and nodes[0] is template[0]
            and nodes[1] is template[1]
        )

    def _generated(self, class_attributes: Mapping[str, Any], names: dict[str, str]) -> Any:
        """``(model, session emitter, {name: function})`` for the still-generated methods."""
        code = self._code
        model = emitter = None
        out = {}
        for py_name in names:
            method = class_attributes.get(py_name)
            if (
                type(method) is not types.FunctionType
                or method.__code__ is not code
                or method.__name__ != py_name
                or method.__dict__
                or type(method.__doc__) is not ClientMethodDocstring
            ):
                continue
            doc: Any = method.__doc__  # a ClientMethodDocstring: its fields are private
            doc_kwargs = doc._gen_kwargs
            operation = doc_kwargs.get("operation_model")
            this_model = getattr(operation, "service_model", None)
            if model is None:
                model, emitter = this_model, doc_kwargs.get("event_emitter")
            if this_model is model and doc_kwargs.get("event_emitter") is emitter:
                out[py_name] = method
        return model, emitter, out

    def _detached(self, method: types.FunctionType) -> types.FunctionType:
        """A copy of a generated method whose docstring renders through the template."""
        copied = types.FunctionType(
            method.__code__, method.__globals__, method.__name__, None, method.__closure__
        )
        copied.__qualname__ = method.__qualname__
        doc: Any = method.__doc__  # a ClientMethodDocstring: its fields are private
        copied.__doc__ = ClientMethodDocstring(
            *doc._gen_args, **{**doc._gen_kwargs, "event_emitter": self._docs_emitter}
        )
        return copied

    def share(self, cls: type) -> None:
        """Put the shared methods of its model into ``cls``, a client class just built.

        The first class of a model only lends copies of its methods; nobody
        else has seen ``cls`` yet, so changing it is safe.
        """
        names = cls.__dict__.get("_PY_TO_OP_NAME")
        if not isinstance(names, dict):
            return
        model, emitter, generated = self._generated(cls.__dict__, names)
        description = getattr(model, "_service_description", None)
        if description is None:
            return
        key = id(description)
        found = self._by_model.get(key)
        if found is None:
            detached = {name: self._detached(method) for name, method in generated.items()}
            with self._lock:  # the description is kept so that its id() stays its own
                self._by_model.setdefault(key, (description, detached))
            return
        if not self._renders_docs_as_template(emitter):
            return  # the session renders docs its own way: keep its methods
        shared = found[1]
        for py_name in generated:
            method = shared.get(py_name)
            if method is not None:
                setattr(cls, py_name, method)


_client_methods = _ClientMethods()
