"""The skin layer keys, top to bottom, from the C++ definition (``dermasim::layer_key``):
the one place the Python layer takes them from."""
from __future__ import annotations

from . import _core

LAYER_KEYS = tuple(_core.layer_keys())
