"""Bridges to other tools: trained-model importers and exporters, proof-assistant exports.

Each bridge imports its third-party library only when it is used, so
``import symnet`` needs none of them.
"""
