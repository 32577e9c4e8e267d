"""Old path of :class:`symnet.results.proof.Proof` (kept as an alias for one release)."""

from .results.proof import Proof

__all__ = ["Proof"]
