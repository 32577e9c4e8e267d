"""Certificates as plain data, and the JSON codecs of every document symnet writes.

Data only: nothing here searches for proofs (:mod:`symnet.search`) or checks
them (:mod:`symnet.kernel`).
"""

from .codec import (
    FORMAT,
    ROUTES,
    RULES,
    VERSION,
    Certificate,
    Claim,
    ExpressionReader,
    ExpressionWriter,
    Step,
    check_version,
    dumps,
    load_json,
    loads,
    network_fingerprint,
    read_network,
    write_network,
)

__all__ = [
    "FORMAT",
    "ROUTES",
    "RULES",
    "VERSION",
    "Certificate",
    "Claim",
    "ExpressionReader",
    "ExpressionWriter",
    "Step",
    "check_version",
    "dumps",
    "load_json",
    "loads",
    "network_fingerprint",
    "read_network",
    "write_network",
]
