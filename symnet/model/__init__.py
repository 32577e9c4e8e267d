"""The network model: activations, networks of fixed and of symbolic size, builders.

Plain data that every other part reads; it imports no search, checking or
rendering code (import-linter enforces this: see ``pyproject.toml``).
"""
