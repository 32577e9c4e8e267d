"""Old module path of the linear certificate codec and the node table (kept as an alias for one release)."""

from .expressions import ExpressionReader, _name, check_version, load_json, read_network
from .linear import FORMAT, ROUTES, RULES, VERSION, Certificate, Claim, Step, from_data, loads
from .writing import ExpressionWriter, dumps, network_fingerprint, to_data, write_network

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
    "_name",
    "check_version",
    "dumps",
    "from_data",
    "load_json",
    "loads",
    "network_fingerprint",
    "read_network",
    "to_data",
    "write_network",
]
