"""The entry points whose result type depends on their arguments, typed with ``@overload``.

At run time these are exactly :func:`symnet.model.builders.dense`,
:func:`symnet.search.engine.prove` and :func:`symnet.search.engine.decide`;
type checkers see the overloads below instead, so that

* ``dense(2, [2])`` is a :class:`~symnet.Network` and ``dense("p", ["h"])``
  (or any size given as a name) a :class:`~symnet.GenericNetwork`;
* ``prove(Network)`` is a :class:`~symnet.Proof` and ``prove(GenericNetwork)``
  a :class:`~symnet.GenericProof` (with ``instantiate``);
* ``decide(Network)`` is a ``Proof | Counterexample``.

A call whose sizes mix numbers and names in one list (``[3, "h"]``) is typed
``Network | GenericNetwork``: narrow it with ``isinstance``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__all__ = ["decide", "dense", "prove", "verify"]

if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any, overload

    from .model.activations import ActivationSpec
    from .model.generic import GenericNetwork
    from .model.network import Network
    from .proof import Proof
    from .search.generic import GenericProof
    from .search.refutation import Counterexample

    _Act = ActivationSpec | Sequence[ActivationSpec]

    @overload
    def dense(inputs: int, hidden: Sequence[int] | int, outputs: int = 1, activation: _Act = "identity") -> Network: ...
    @overload
    def dense(
        inputs: str, hidden: Sequence[int | str] | int, outputs: int | str = 1, activation: _Act = "identity"
    ) -> GenericNetwork: ...
    @overload
    def dense(
        inputs: int | str, hidden: Sequence[str], outputs: int | str = 1, activation: _Act = "identity"
    ) -> GenericNetwork: ...
    @overload
    def dense(
        inputs: int | str, hidden: Sequence[int | str] | int, outputs: str, activation: _Act = "identity"
    ) -> GenericNetwork: ...
    @overload
    def dense(
        inputs: int | str, hidden: Sequence[int | str] | int, outputs: int | str = 1, activation: _Act = "identity"
    ) -> Network | GenericNetwork: ...
    def dense(*args: Any, **kwargs: Any) -> Any: ...

    @overload
    def prove(net: Network, *, expand: bool | None = None, limit: int = ...) -> Proof: ...
    @overload
    def prove(net: GenericNetwork, *, expand: bool | None = None, limit: int | None = ...) -> GenericProof: ...
    def prove(net: Any, *, expand: bool | None = None, limit: Any = ...) -> Any: ...

    @overload
    def decide(net: Network, *, expand: bool | None = None, limit: int = ...) -> Proof | Counterexample: ...
    @overload
    def decide(net: GenericNetwork, *, expand: bool | None = None, limit: int | None = ...) -> GenericProof: ...
    def decide(net: Any, **kwargs: Any) -> Any: ...

    from .search.bab import verify
else:
    from .model.builders import dense
    from .search.bab import verify
    from .search.engine import decide, prove
