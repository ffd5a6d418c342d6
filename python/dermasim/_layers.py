"""The skin layer keys, top to bottom, from the C++ definition (``dermasim::layer_key``):
the one place the Python layer takes them from."""
from __future__ import annotations

from . import _core

LAYER_KEYS = tuple(_core.layer_keys())
#: The layers' names, top to bottom ("stratum corneum", ...; ``dermasim::layer_name``).
LAYER_NAMES = tuple(_core.layer_name(_core.Layer(i)) for i in range(len(LAYER_KEYS)))
