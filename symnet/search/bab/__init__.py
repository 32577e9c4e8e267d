"""Verification by branch and bound: search in floats, certify in rationals (:func:`verify`)."""

from .verify import verify

__all__ = ["verify"]
