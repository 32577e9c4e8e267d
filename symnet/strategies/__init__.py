"""Hypothesis strategies for symnet: architectures, activations, networks, weights and inputs.

Use them in your own property-based tests::

    from hypothesis import given
    from symnet import strategies as sst

    @given(sst.networks(weights="exact"))
    def test_my_thing(net): ...

:func:`instantiations` draws a network's weights and an input together,
aiming about half of the draws at the hidden activations' breakpoints
(a ReLU's 0, a hard-tanh's -1 and 1), where threshold bugs show.

``st.from_type(symnet.Network)`` draws :func:`networks` too (registered
through Hypothesis's ``hypothesis`` entry-point group, and again when this
package is imported).

Importing this package also registers the Hypothesis settings profiles
``symnet-dev``, ``symnet-ci`` and ``symnet-thorough`` (see
:func:`register_profiles`); ``settings.load_profile("symnet-ci")`` picks one.
"""

from ._instantiations import instantiations
from ._networks import (
    Architecture,
    activations,
    architectures,
    inputs,
    networks,
    numbers,
    weights,
)
from ._networks import register_network_strategy as _register_network_strategy
from ._profiles import register_profiles

__all__ = [
    "Architecture",
    "activations",
    "architectures",
    "inputs",
    "instantiations",
    "networks",
    "numbers",
    "register_profiles",
    "weights",
]


def _check_exports() -> None:
    """Keep ``__all__`` honest: every public name defined here is listed, and every listed name exists."""
    public = {
        name
        for name, value in globals().items()
        if not name.startswith("_") and getattr(value, "__module__", "").startswith(__name__)
    }
    assert public == set(__all__), sorted(public ^ set(__all__))


_check_exports()
_register_network_strategy()
register_profiles()
